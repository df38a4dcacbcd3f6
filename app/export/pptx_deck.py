"""A storyline as a PowerPoint deck (python-pptx): one 16:9 slide per saved view.

The title is the slide's real title placeholder (outline view, screen readers, and `shape.title`
all find it); the chart is a picture at projector resolution; the takeaway, caption and a link to
the live view also go into the speaker notes for the facilitator.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches, Pt

from app.export.layout import (
    CAPTION,
    CAPTION_PT,
    FIGURE_FILL,
    FIGURE_LABEL_PT,
    FIGURE_PT,
    FOOTER,
    FOOTER_PT,
    INK,
    KEY_FIGURE,
    MUTED,
    SLIDE_HEIGHT_IN,
    SLIDE_WIDTH_IN,
    TAKEAWAY,
    TAKEAWAY_WIDE,
    TITLE,
    TITLE_PT,
    TONES,
    Box,
    DeckSlide,
    chart_box,
    footer_text,
    takeaway_pt,
)

TITLE_ONLY_LAYOUT = 5  # in python-pptx's default template
FONT = "Calibri"


def _place(shape, box: Box) -> None:
    shape.left, shape.top = Inches(box.left), Inches(box.top)
    shape.width, shape.height = Inches(box.width), Inches(box.height)


def _paragraph(frame, text: str, size: int, colour: str, *, bold: bool = False, first: bool = False,
               align=PP_ALIGN.LEFT) -> None:
    paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    run.font.color.rgb = RGBColor.from_string(colour)


def _textbox(slide, box: Box, *, anchor=MSO_ANCHOR.TOP):
    shape = slide.shapes.add_textbox(Inches(box.left), Inches(box.top), Inches(box.width), Inches(box.height))
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    return shape, frame


def _title(slide, text: str) -> None:
    title = slide.shapes.title
    _place(title, TITLE)
    frame = title.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame.text = ""
    _paragraph(frame, text, TITLE_PT, INK, bold=True, first=True)


def _key_figure(slide, deck_slide: DeckSlide) -> None:
    figure = deck_slide.key_figure
    shape, frame = _textbox(slide, KEY_FIGURE, anchor=MSO_ANCHOR.MIDDLE)
    shape.fill.solid()
    shape.fill.fore_color.rgb = RGBColor.from_string(FIGURE_FILL)
    frame.margin_left = Inches(0.2)
    _paragraph(frame, figure.value, FIGURE_PT, INK, bold=True, first=True)
    _paragraph(frame, figure.label, FIGURE_LABEL_PT, INK)
    if figure.delta:
        _paragraph(frame, figure.delta, FIGURE_LABEL_PT, TONES.get(figure.tone, MUTED), bold=True)


def _chart(slide, deck_slide: DeckSlide) -> None:
    box = chart_box(deck_slide)
    if deck_slide.image is None:
        _, frame = _textbox(slide, box, anchor=MSO_ANCHOR.MIDDLE)
        _paragraph(frame, deck_slide.message or "", 20, MUTED, first=True, align=PP_ALIGN.CENTER)
        return
    from PIL import Image

    with Image.open(io.BytesIO(deck_slide.image)) as image:
        px_width, px_height = image.size
    scale = min(box.width / px_width, box.height / px_height)
    width, height = px_width * scale, px_height * scale
    left = box.left + (box.width - width) / 2
    slide.shapes.add_picture(io.BytesIO(deck_slide.image), Inches(left), Inches(box.top), Inches(width), Inches(height))


def _notes(slide, deck_slide: DeckSlide) -> None:
    parts = [deck_slide.takeaway, deck_slide.caption, deck_slide.link or ""]
    slide.notes_slide.notes_text_frame.text = "\n\n".join(p for p in parts if p)


def _add_slide(prs: Presentation, deck_slide: DeckSlide, footer: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY_LAYOUT])
    _title(slide, deck_slide.title)
    if deck_slide.key_figure:
        _key_figure(slide, deck_slide)
    if deck_slide.takeaway:
        _, frame = _textbox(slide, TAKEAWAY if deck_slide.key_figure else TAKEAWAY_WIDE, anchor=MSO_ANCHOR.MIDDLE)
        _paragraph(frame, deck_slide.takeaway, takeaway_pt(deck_slide.takeaway), INK, first=True)
    _chart(slide, deck_slide)
    if deck_slide.caption:
        _, frame = _textbox(slide, CAPTION)
        _paragraph(frame, deck_slide.caption, CAPTION_PT, MUTED, first=True)
    _, frame = _textbox(slide, FOOTER)
    _paragraph(frame, footer, FOOTER_PT, MUTED, first=True, align=PP_ALIGN.RIGHT)
    _notes(slide, deck_slide)


def build_pptx(deck_title: str, slides: Sequence[DeckSlide]) -> bytes:
    """The deck as .pptx bytes: one 16:9 slide per entry, in order."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    prs.core_properties.title = deck_title
    for index, deck_slide in enumerate(slides, start=1):
        _add_slide(prs, deck_slide, footer_text(deck_title, index, len(slides)))
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
