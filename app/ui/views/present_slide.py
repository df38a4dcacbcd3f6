"""One slide on the projector: title, key figure, takeaway, chart, caption.

The slide's content comes from the page's registered slide function (app/ui/slides/registry.py),
cached by data version like every query, with the chart already turned into its projector-size
Vega-Lite spec (app.ui.charts.projector), so stepping back to a slide is instant.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

import duckdb
import streamlit as st

from app.ui.charts.projector import projector_spec
from app.ui.context import cached_query, service_model
from app.ui.i18n import t
from app.ui.pages import page_entry
from app.ui.slides.protocol import KeyFigure
from app.ui.slides.registry import build_slide
from app.warehouse.storylines import Slide

# Height of a chart's plot area on a 1920×1080 projector: what is left under the top bar, title row,
# takeaway and caption, less ~140 px for axis labels, stage headers and legends around the plot.
CHART_MAX_HEIGHT = 540
TONE_COLOURS = {"good": "#0072B2", "bad": "#D55E00", "neutral": "#5F6B76"}

CSS = """
<style>
.st-key-present_head { margin: 0.5rem 0 0.1rem 0; }
.st-key-present_head h1 { font-size: 3.1rem !important; line-height: 1.12 !important; padding: 0 !important; }
.cx-figure { display: flex; align-items: center; gap: 1.2rem; background: #F4F6F8;
             border-radius: 0.8rem; padding: 0.5rem 1.6rem; max-width: 44vw; }
.cx-figure-value { font-size: 5.2rem; line-height: 1; font-weight: 800; color: #1F2328; white-space: nowrap; }
.cx-figure-text { font-size: 1.55rem; line-height: 1.25; color: #1F2328; }
.cx-figure-delta { font-weight: 700; }
.cx-takeaway { font-size: 2.1rem; line-height: 1.3; color: #1F2328; border-left: 0.45rem solid #0072B2;
               padding: 0.1rem 0 0.1rem 1.1rem; margin: 0.7rem 0 0.4rem 0; }
.cx-caption { font-size: 1.45rem; color: #5F6B76; margin-top: 0.2rem; }
.cx-message { font-size: 2rem; color: #5F6B76; padding: 4rem 0; text-align: center; }
</style>
"""


@dataclass(frozen=True)
class SlidePayload:
    """A slide ready to draw and to cache: the chart is already a (projector) Vega-Lite spec."""

    title: str
    key_figure: KeyFigure | None
    spec: dict | None
    caption: str
    message: str | None


def slide_payload(con: duckdb.DuckDBPyConnection, page: str, params: tuple, lang: str, day: str = "") -> SlidePayload:
    """Module-level so cached_query can key it by data version, page, parameters and language — and
    by `day` on the projector: some figures move with the calendar, not the data (overdue follow-ups)."""
    content = build_slide(con, service_model(), page, {k: v for k, v in params}, lang)
    spec = projector_spec(content.chart, max_height=CHART_MAX_HEIGHT, fill_height=True) if content.chart is not None else None
    return SlidePayload(content.title, content.key_figure, spec, content.caption, content.message)


def _figure_html(figure: KeyFigure) -> str:
    delta = ""
    if figure.delta:
        colour = TONE_COLOURS.get(figure.tone, TONE_COLOURS["neutral"])
        delta = f'<br><span class="cx-figure-delta" style="color:{colour}">{html.escape(figure.delta)}</span>'
    return (f'<div class="cx-figure" data-testid="cx-key-figure"><div class="cx-figure-value">'
            f'{html.escape(figure.value)}</div><div class="cx-figure-text">{html.escape(figure.label)}{delta}</div></div>')


def render_slide(slide: Slide, params: dict[str, tuple[str, ...]], lang: str) -> None:
    payload = cached_query(slide_payload, slide.page, tuple(sorted(params.items())), lang, date.today().isoformat())
    title = slide.title or payload.title
    st.html(CSS)
    with st.container(key="present_head", horizontal=True, vertical_alignment="center", gap="large"):
        st.title(title, anchor=False, width="stretch")
        if payload.key_figure:
            st.html(_figure_html(payload.key_figure), width="content")
    if slide.takeaway:
        st.html(f'<div class="cx-takeaway">{html.escape(slide.takeaway)}</div>')
    if payload.spec is not None:
        st.vega_lite_chart(payload.spec, theme=None, width="stretch", key=f"present_chart_{slide.slide_id}")
    elif payload.message:
        st.html(f'<div class="cx-message">{html.escape(payload.message)}</div>')
        entry = page_entry(slide.page)
        if entry is not None and entry.path.exists():  # the live page, with the saved view's parameters
            st.page_link(entry.file, label=t(entry.title_key), icon=":material/open_in_new:",
                         query_params={k: list(v) for k, v in slide.params.items()} or None)
    if payload.caption:
        st.html(f'<div class="cx-caption">{html.escape(payload.caption)}</div>')
