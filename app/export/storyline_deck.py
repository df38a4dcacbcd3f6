"""From a stored storyline to deck slides: each saved view's slide content (the page's registered
slide function) plus its chart rendered to PNG at projector resolution."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

import duckdb

from app.export.layout import DeckSlide, chart_box
from app.export.pdf_deck import build_pdf
from app.export.pptx_deck import build_pptx
from app.service_model import ServiceModel
from app.ui.charts.projector import chart_png
from app.ui.i18n import translate
from app.ui.slides.protocol import SlideContent
from app.ui.slides.registry import build_slide
from app.warehouse.storylines import Slide, Storyline

log = logging.getLogger(__name__)

EXPORT_SCALE = 1.0  # 1 image px per projector px (1920 × 1080 slide); raise for 4K screens
AXIS_ALLOWANCE_PX = 150  # axis labels, stage headers and legend sit outside the plot height


def view_link(base_url: str | None, slide: Slide) -> str | None:
    """The saved view as a link into a running CX Lens (for speaker notes), when the base is known."""
    if not base_url:
        return None
    query = urlencode([(k, v) for k, values in slide.params.items() for v in values])
    return f"{base_url.rstrip('/')}/{slide.page}" + (f"?{query}" if query else "")


def render_deck_slide(content: SlideContent, slide: Slide, lang: str, *, scale: float = EXPORT_SCALE,
                      base_url: str | None = None) -> DeckSlide:
    deck = DeckSlide(title=slide.title or content.title, key_figure=content.key_figure, takeaway=slide.takeaway,
                     caption=content.caption, image=None, message=content.message, link=view_link(base_url, slide))
    if content.chart is None:
        return deck
    width, height = chart_box(deck).px()
    try:
        image = chart_png(content.chart, width=width, max_height=height - AXIS_ALLOWANCE_PX, scale=scale)
    except Exception:  # noqa: BLE001 - one chart that fails to render must not cost the whole deck
        log.exception("could not render the chart of slide %s (%s)", slide.slide_id, slide.page)
        return DeckSlide(**{**deck.__dict__, "message": translate("present.chart_failed", lang)})
    return DeckSlide(**{**deck.__dict__, "image": image})


def deck_slides(con: duckdb.DuckDBPyConnection, model: ServiceModel, storyline: Storyline, lang: str, *,
                scale: float = EXPORT_SCALE, base_url: str | None = None) -> list[DeckSlide]:
    return [
        render_deck_slide(build_slide(con, model, s.page, s.params, lang), s, lang, scale=scale, base_url=base_url)
        for s in storyline.slides
    ]


def storyline_pptx(con: duckdb.DuckDBPyConnection, model: ServiceModel, storyline: Storyline, lang: str,
                   **options: object) -> bytes:
    return build_pptx(storyline.title, deck_slides(con, model, storyline, lang, **options))


def storyline_pdf(con: duckdb.DuckDBPyConnection, model: ServiceModel, storyline: Storyline, lang: str,
                  **options: object) -> bytes:
    return build_pdf(storyline.title, deck_slides(con, model, storyline, lang, **options))


def file_stem(title: str) -> str:
    """A file name from a title: letters (any script), digits and dashes."""
    stem = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-_").lower()
    return stem[:60] or "storyline"
