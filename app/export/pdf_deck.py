"""A storyline as a PDF (fpdf2): the same 16:9 layout as the PPTX, one page per saved view.

Text uses a Unicode TrueType font from the system (DejaVu Sans or Liberation Sans: Russian labels
need Cyrillic, which PDF core fonts lack); the chart is the same projector-size PNG as in the PPTX.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.export.layout import (
    CAPTION,
    CAPTION_PT,
    FIGURE_FILL,
    FIGURE_LABEL_LINES,
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

FONT_CANDIDATES: tuple[tuple[Path, Path], ...] = (
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")),
    (Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
     Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")),
    (Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"), Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf")),
    (Path("/Library/Fonts/Arial Unicode.ttf"), Path("/Library/Fonts/Arial Unicode.ttf")),
    (Path("C:/Windows/Fonts/arial.ttf"), Path("C:/Windows/Fonts/arialbd.ttf")),
)
FAMILY = "deck"
LINE = 1.2  # line height as a multiple of the font size
PT_PER_IN = 72


class PdfFontMissingError(RuntimeError):
    """No Unicode TrueType font on this machine (Debian: apt-get install fonts-dejavu-core)."""


def _font_files() -> tuple[Path, Path]:
    for regular, bold in FONT_CANDIDATES:
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise PdfFontMissingError(
        "No Unicode TrueType font found for the PDF (looked for DejaVu Sans, Liberation Sans, Noto Sans). "
        "On Debian/Ubuntu: apt-get install fonts-dejavu-core."
    )


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[0:2], 16), int(hex_colour[2:4], 16), int(hex_colour[4:6], 16)


def _line_height(size_pt: float) -> float:
    return size_pt * LINE / PT_PER_IN


def _text(pdf: FPDF, box: Box, text: str, size: float, colour: str, *, bold: bool = False, align: str = "L",
          middle: bool = False, top: float | None = None) -> float:
    """Write wrapped text into a box (vertically centred with `middle`); returns the y below it."""
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*_rgb(colour))
    height = _line_height(size)
    lines = pdf.multi_cell(box.width, height, text, dry_run=True, output="LINES")
    max_lines = max(1, int(box.height / height + 1e-6))
    if len(lines) > max_lines:  # never spill into the next box: cut and mark
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip()[:-1] + "…"
    y = top if top is not None else box.top + ((box.height - height * len(lines)) / 2 if middle else 0)
    pdf.set_xy(box.left, y)
    pdf.multi_cell(box.width, height, "\n".join(lines), align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)
    return pdf.get_y()


def _key_figure(pdf: FPDF, deck_slide: DeckSlide) -> None:
    figure = deck_slide.key_figure
    pdf.set_fill_color(*_rgb(FIGURE_FILL))
    pdf.rect(KEY_FIGURE.left, KEY_FIGURE.top, KEY_FIGURE.width, KEY_FIGURE.height, style="F")
    left, width = KEY_FIGURE.left + 0.2, KEY_FIGURE.width - 0.35
    parts = [(figure.value, FIGURE_PT, INK, True, 1), (figure.label, FIGURE_LABEL_PT, INK, False, FIGURE_LABEL_LINES)]
    if figure.delta:
        parts.append((figure.delta, FIGURE_LABEL_PT, TONES.get(figure.tone, MUTED), True, 1))
    heights = []
    for text, size, _, bold, max_lines in parts:
        pdf.set_font(FAMILY, "B" if bold else "", size)
        lines = len(pdf.multi_cell(width, _line_height(size), text, dry_run=True, output="LINES"))
        heights.append(_line_height(size) * min(lines, max_lines))
    y = KEY_FIGURE.top + max(0.05, (KEY_FIGURE.height - sum(heights)) / 2)
    for (text, size, colour, bold, _), height in zip(parts, heights, strict=True):
        _text(pdf, Box(left, y, width, height), text, size, colour, bold=bold)
        y += height


def _chart(pdf: FPDF, deck_slide: DeckSlide) -> None:
    box = chart_box(deck_slide)
    if deck_slide.image is None:
        _text(pdf, box, deck_slide.message or "", 20, MUTED, align="C", middle=True)
        return
    from PIL import Image

    with Image.open(io.BytesIO(deck_slide.image)) as image:
        px_width, px_height = image.size
    scale = min(box.width / px_width, box.height / px_height)
    width, height = px_width * scale, px_height * scale
    pdf.image(io.BytesIO(deck_slide.image), x=box.left + (box.width - width) / 2, y=box.top, w=width, h=height,
              alt_text=deck_slide.title)


def _add_page(pdf: FPDF, deck_slide: DeckSlide, footer: str) -> None:
    pdf.add_page()
    _text(pdf, TITLE, deck_slide.title, TITLE_PT, INK, bold=True, middle=True)
    if deck_slide.key_figure:
        _key_figure(pdf, deck_slide)
    if deck_slide.takeaway:
        box = TAKEAWAY if deck_slide.key_figure else TAKEAWAY_WIDE
        _text(pdf, box, deck_slide.takeaway, takeaway_pt(deck_slide.takeaway), INK, middle=True)
    _chart(pdf, deck_slide)
    if deck_slide.caption:
        _text(pdf, CAPTION, deck_slide.caption, CAPTION_PT, MUTED)
    _text(pdf, FOOTER, footer, FOOTER_PT, MUTED, align="R")


def build_pdf(deck_title: str, slides: Sequence[DeckSlide]) -> bytes:
    """The deck as PDF bytes: one 16:9 page per entry, in order."""
    regular, bold = _font_files()
    pdf = FPDF(orientation="L", unit="in", format=(SLIDE_HEIGHT_IN, SLIDE_WIDTH_IN))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(FAMILY, "", str(regular))
    pdf.add_font(FAMILY, "B", str(bold))
    pdf.set_title(deck_title)
    pdf.set_creator("CX Lens")
    for index, deck_slide in enumerate(slides, start=1):
        _add_page(pdf, deck_slide, footer_text(deck_title, index, len(slides)))
    return bytes(pdf.output())
