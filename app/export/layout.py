"""One slide layout for both decks (16:9, 13.333 × 7.5 in, i.e. 1920 × 1080 px at 144 px/in), so the
PPTX and the PDF place the same things in the same boxes.

    ┌──────────────────────────────────────────────────────────┐
    │ Title                                                    │
    │ ┌ key figure ┐  Takeaway                                 │
    │ └────────────┘                                           │
    │ chart (fitted, centred)                                  │
    │ caption                               storyline · 2 / 7  │
    └──────────────────────────────────────────────────────────┘
"""

from __future__ import annotations

from dataclasses import dataclass

from app.ui.slides.protocol import KeyFigure

SLIDE_WIDTH_IN = 13.333
SLIDE_HEIGHT_IN = 7.5
PX_PER_IN = 1920 / SLIDE_WIDTH_IN  # projector resolution


@dataclass(frozen=True)
class Box:
    left: float  # inches
    top: float
    width: float
    height: float

    def px(self) -> tuple[int, int]:
        return round(self.width * PX_PER_IN), round(self.height * PX_PER_IN)


MARGIN = 0.5
TITLE = Box(MARGIN, 0.3, SLIDE_WIDTH_IN - 2 * MARGIN, 0.85)
KEY_FIGURE = Box(MARGIN, 1.2, 3.9, 1.6)
TAKEAWAY = Box(MARGIN + 4.2, 1.2, SLIDE_WIDTH_IN - 2 * MARGIN - 4.2, 1.6)
TAKEAWAY_WIDE = Box(MARGIN, 1.2, SLIDE_WIDTH_IN - 2 * MARGIN, 1.6)
CHART = Box(MARGIN, 2.95, SLIDE_WIDTH_IN - 2 * MARGIN, 3.9)
CHART_TALL = Box(MARGIN, 1.2, SLIDE_WIDTH_IN - 2 * MARGIN, 5.65)  # no key figure and no takeaway
CAPTION = Box(MARGIN, 6.95, SLIDE_WIDTH_IN - 2 * MARGIN - 3.0, 0.4)
FOOTER = Box(SLIDE_WIDTH_IN - MARGIN - 3.0, 6.95, 3.0, 0.4)

# Points. Projector minimums: nothing below 12 pt; body text 18–24 pt.
TITLE_PT = 32
FIGURE_PT = 48
FIGURE_LABEL_PT = 14
FIGURE_LABEL_LINES = 2
CAPTION_PT = 12
FOOTER_PT = 11

INK = "1F2328"
MUTED = "5F6B76"
TONES = {"good": "0072B2", "bad": "D55E00", "neutral": "5F6B76"}
FIGURE_FILL = "F4F6F8"


@dataclass(frozen=True)
class DeckSlide:
    """Everything one exported slide shows; `image` is the chart as PNG (None: show `message`)."""

    title: str
    key_figure: KeyFigure | None
    takeaway: str
    caption: str
    image: bytes | None
    message: str | None = None
    link: str | None = None  # the live view in CX Lens, for the speaker notes


def takeaway_pt(text: str) -> int:
    """Shrink long takeaways so they fit their box (a takeaway is meant to be one or two sentences)."""
    length = len(text)
    return 22 if length <= 140 else 18 if length <= 240 else 15 if length <= 400 else 12


def chart_box(slide: DeckSlide) -> Box:
    return CHART if slide.key_figure or slide.takeaway else CHART_TALL


def footer_text(deck_title: str, index: int, total: int) -> str:
    return f"{deck_title} · {index} / {total}"
