"""The CX Lens chart theme: a colour-blind-safe palette with enough contrast for a projector.

Categorical colours are the Okabe–Ito set (safe for the common colour-vision deficiencies), ordered
so the first four stay distinct on a washed-out projector; yellow is last. Good/bad scales run from
vermillion (bad) through a light neutral to blue (good), never red–green. Registered once per process
(`register_theme()` is idempotent); pages render with `theme=None` so Streamlit keeps it.
"""

from __future__ import annotations

import altair as alt

PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (weak on white: last)
)
GOOD = "#0072B2"
BAD = "#D55E00"
NEUTRAL_FILL = "#F2EFE9"
LOW_N_FILL = "#E3E3E3"
LOW_N_TEXT = "#6B6B6B"
INK = "#1F2328"
MUTED = "#5F6B76"
GRID = "#E6E8EB"
DIVERGING_RANGE: tuple[str, str, str] = (BAD, NEUTRAL_FILL, GOOD)
SEQUENTIAL_RANGE: tuple[str, str] = ("#E8F1F8", "#08519C")
FONT = '"Source Sans Pro", "Source Sans 3", "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif'
THEME_NAME = "cxlens"


def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "background": "transparent",
            "view": {"stroke": None, "continuousHeight": 320},
            "range": {"category": list(PALETTE)},
            "axis": {
                "labelFontSize": 13,
                "titleFontSize": 14,
                "titleFontWeight": 600,
                "labelColor": INK,
                "titleColor": INK,
                "gridColor": GRID,
                "domainColor": "#9AA3AB",
                "tickColor": "#9AA3AB",
                "labelLimit": 220,
            },
            "legend": {"labelFontSize": 13, "titleFontSize": 13, "titleFontWeight": 600, "orient": "bottom",
                       "labelLimit": 240, "symbolSize": 120},
            "title": {"fontSize": 16, "fontWeight": 600, "anchor": "start", "color": INK, "subtitleColor": MUTED,
                      "subtitleFontSize": 13},
            "header": {"labelFontSize": 13, "titleFontSize": 14},
            "text": {"fontSize": 13, "color": INK},
            "line": {"strokeWidth": 3},
            "point": {"size": 70, "filled": True},
            "bar": {"cornerRadiusEnd": 2},
        }
    }


def register_theme() -> None:
    """Register and enable the theme (safe to call many times)."""
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(_theme)
    if alt.theme.active != THEME_NAME:
        alt.theme.enable(THEME_NAME)
