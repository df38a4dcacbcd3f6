"""Deck builders: one 16:9 slide (PPTX) or page (PDF) per saved view, with the title as the slide's
title, the chart as a picture, the key figure and the takeaway; Cyrillic text; a slide whose chart
is missing keeps its message instead of breaking the deck."""

from __future__ import annotations

import io
import re

import altair as alt
import polars as pl
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

from app.export.layout import DeckSlide
from app.export.pdf_deck import build_pdf
from app.export.pptx_deck import build_pptx
from app.export.storyline_deck import deck_slides, file_stem
from app.ui.charts.projector import chart_png
from app.ui.slides.protocol import KeyFigure
from app.warehouse import storylines as sl
from app.warehouse.connection import connect


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def picture_count(slide) -> int:
    return sum(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes)


@pytest.fixture(scope="module")
def slides() -> list[DeckSlide]:
    chart = alt.Chart(pl.DataFrame({"q": ["Q1", "Q2"], "nps": [10.0, 14.0]})).mark_line().encode(x="q:O", y="nps:Q")
    return [
        DeckSlide("Энергетика отстаёт", KeyFigure("+11", "NPS · 2026-Q3", "+1 п. к 2026-Q2", "good"),
                  "NPS в Энергетике упал после изменений в доставке.", "Энергетика · n = 270",
                  chart_png(chart, width=900, max_height=300), link="http://localhost:8501/overview?bu=energy"),
        DeckSlide("No chart here", None, "", "", None, message="This page has no slide view yet."),
    ]


def test_pptx_has_one_16_by_9_slide_per_view_with_title_picture_and_notes(slides):
    deck = Presentation(io.BytesIO(build_pptx("Правление", slides)))
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    assert [s.shapes.title.text for s in deck.slides] == ["Энергетика отстаёт", "No chart here"]
    first, second = deck.slides
    assert picture_count(first) == 1 and picture_count(second) == 0
    texts = " ".join(shape.text_frame.text for shape in first.shapes if shape.has_text_frame)
    assert "+11" in texts and "NPS в Энергетике" in texts and "Правление · 1 / 2" in texts
    assert "overview?bu=energy" in first.notes_slide.notes_text_frame.text
    assert "no slide view" in " ".join(s.text_frame.text for s in second.shapes if s.has_text_frame)


def test_pdf_has_one_page_per_view_with_an_embedded_unicode_font(slides):
    data = build_pdf("Правление", slides)
    assert data.startswith(b"%PDF") and pdf_pages(data) == 2
    assert b"/FontFile2" in data  # TrueType embedded: Cyrillic renders anywhere


def test_file_names_keep_letters_of_any_script():
    assert file_stem("Board session: Q3 / 2026") == "board-session-q3-2026"
    assert file_stem("Правление, 3-й квартал") == "правление-3-й-квартал"
    assert file_stem("???") == "storyline"


def test_a_stored_storyline_exports_with_a_chart_on_every_slide(demo_env, model):
    con = connect(demo_env / "warehouse.duckdb")
    try:
        story_id = sl.create_storyline(con, "Board")
        sl.add_slide(con, story_id, "overview", {"bu": ["energy"]}, "Energy lags", "Energy trails the others.")
        sl.add_slide(con, story_id, "journey_map", {"metric": ["nps"]}, "", "The proposal is weakest.")
        rendered = deck_slides(con, model, sl.get_storyline(con, story_id), "ru")
    finally:
        con.close()
    deck = Presentation(io.BytesIO(build_pptx("Board", rendered)))
    pdf = build_pdf("Board", rendered)
    assert [s.shapes.title.text for s in deck.slides] == ["Energy lags", "Карта пути клиента · NPS"]
    assert all(picture_count(s) == 1 for s in deck.slides)
    assert pdf_pages(pdf) == 2
