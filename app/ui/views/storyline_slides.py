"""The slides of one storyline as editable rows: what the view is, title, takeaway, order, delete.

Edits save as soon as a field loses focus (no separate save step to forget before a session).
"""

from __future__ import annotations

import streamlit as st

from app.service_model import ServiceModel
from app.ui.context import cached_query, service_model
from app.ui.i18n import current_language, t
from app.ui.labels import filters_summary
from app.ui.pages import page_entry
from app.ui.slides.params import FILTER_PARAMS, ViewParams, filters_from_params
from app.ui.slides.registry import has_slide, page_title
from app.ui.storyline_state import write
from app.ui.views.present_slide import slide_payload
from app.warehouse.scores import available_periods
from app.warehouse.storylines import Slide, Storyline, delete_slide, move_slide, update_slide


def describe_view(model: ServiceModel, page: str, params: ViewParams, lang: str, periods: list[str]) -> str:
    """'Customer journey map · CSAT · Energy · 2025-Q1 – 2026-Q3' — what a saved view shows: the
    slide's own title when the page draws slides (it names metric and comparison), else the page's
    name and its raw parameters."""
    filters = filters_from_params(params, model, periods)
    if has_slide(page):
        head = [cached_query(slide_payload, page, tuple(sorted(params.items())), lang).title]
    else:
        head = [page_title(page, lang), *(f"{k} = {', '.join(v)}" for k, v in params.items() if k not in FILTER_PARAMS)]
    parts = [*head, filters_summary(model, filters.as_dict(), lang, t("filters.summary_all"))]
    if filters.period_from:
        parts.append(f"{filters.period_from} – {filters.period_to}")
    return " · ".join(parts)


def _save_text(slide_id: int, field: str, key: str) -> None:
    write(update_slide, slide_id, **{field: st.session_state.get(key, "")})


def _slide_row(slide: Slide, index: int, total: int, editable: bool, periods: list[str]) -> None:
    model, lang = service_model(), current_language()
    sid = slide.slide_id
    with st.container(border=True, key=f"storyline_slide_{sid}"):
        head, actions = st.columns([5, 2], vertical_alignment="center")
        kind = ":material/bar_chart:" if has_slide(slide.page) else ":material/notes:"
        head.markdown(f"**{index + 1}.** {kind} :gray[{describe_view(model, slide.page, slide.params, lang, periods)}]")
        with actions, st.container(horizontal=True, horizontal_alignment="right", gap="small"):
            entry = page_entry(slide.page)
            if entry is not None and entry.path.exists():
                st.page_link(entry.file, label=t("storylines.open_view"), icon=":material/open_in_new:",
                             query_params={k: list(v) for k, v in slide.params.items()} or None)
            if editable:
                st.button("", icon=":material/arrow_upward:", key=f"sl_up_{sid}", disabled=index == 0,
                          help=t("storylines.move_up"), on_click=write, args=(move_slide, sid, -1))
                st.button("", icon=":material/arrow_downward:", key=f"sl_down_{sid}", disabled=index == total - 1,
                          help=t("storylines.move_down"), on_click=write, args=(move_slide, sid, 1))
                st.button("", icon=":material/delete:", key=f"sl_del_{sid}", help=t("storylines.delete_slide"),
                          on_click=write, args=(delete_slide, sid), kwargs={"done": t("storylines.slide_deleted")})
        title_key, takeaway_key = f"sl_title_{sid}", f"sl_takeaway_{sid}"
        st.session_state.setdefault(title_key, slide.title)
        st.session_state.setdefault(takeaway_key, slide.takeaway)
        left, right = st.columns([2, 3])
        left.text_input(t("storylines.slide_title"), key=title_key, max_chars=200, disabled=not editable,
                        placeholder=t("storylines.slide_title_placeholder"),
                        on_change=_save_text, args=(sid, "title", title_key))
        right.text_area(t("storylines.takeaway"), key=takeaway_key, max_chars=1000, height=68, disabled=not editable,
                        placeholder=t("storylines.takeaway_placeholder"),
                        on_change=_save_text, args=(sid, "takeaway", takeaway_key))


def render_slides(story: Storyline, editable: bool) -> None:
    periods = cached_query(available_periods)
    for index, slide in enumerate(story.slides):
        _slide_row(slide, index, len(story.slides), editable, periods)
