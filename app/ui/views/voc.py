"""Voice of the customer: what clients complain about, how often, where in the journey and for
whom; which kinds of unhappy clients exist; and every comment and ticket, searchable.

Topics are read from the warehouse (trained by pipelines/topics.py); the page never trains on a
view. When new survey or ticket batches changed the texts, it says so, and an analyst can rebuild
the topics here with a progress bar.
"""

from __future__ import annotations

import streamlit as st

from app.auth.guard import can, require_role
from app.service_model import ServiceModel
from app.ui.components import empty_state, page_header
from app.ui.context import cursor, service_model
from app.ui.i18n import current_language, format_number, t
from app.ui.labels import filters_summary
from app.ui.url_widgets import url_segmented
from app.ui.views import voc_data as data
from app.warehouse.filters import Filters
from app.warehouse.voc_queries import TopicStatus

SECTIONS: tuple[str, ...] = ("topics", "frequency", "groups", "comments")
SOURCE_CHOICES: dict[str, tuple[str, ...]] = {
    "all": ("survey", "ticket"),
    "survey": ("survey",),
    "ticket": ("ticket",),
}


def source_control(key: str) -> tuple[str, ...]:
    """Comments, tickets or both (`?src=`), shared by the sections that count texts."""
    choice = url_segmented(
        t("voc.sources"),
        list(SOURCE_CHOICES),
        key=key,
        param="src",
        default="all",
        format_func=lambda c: t(f"voc.source_{c}"),
        label_visibility="collapsed",
    )
    return SOURCE_CHOICES[choice]


def _rebuild(model: ServiceModel) -> None:
    require_role("analyst")
    from pipelines.topics import build_topics

    bar = st.progress(0.0, text=t("voc.rebuilding", pct=0))
    build_topics(
        cursor(),
        model,
        progress=lambda f, _m: bar.progress(min(f, 1.0), text=t("voc.rebuilding", pct=round(100 * f))),
    )
    st.session_state["_voc_rebuilt"] = True
    st.rerun()


def _status_line(info: TopicStatus, model: ServiceModel) -> None:
    """How fresh the topics are; the rebuild button (analysts) — prominent only when they are stale."""
    if st.session_state.pop("_voc_rebuilt", False):
        st.toast(t("voc.rebuilt", n=info.n_topics), icon=":material/check_circle:")
    analyst = can("analyst")
    if not info.exists:
        empty_state(t("voc.no_topics"), t("voc.no_topics_hint"))
        rebuild = analyst and st.button(
            t("voc.rebuild"),
            key="voc_rebuild",
            icon=":material/model_training:",
            type="primary",
            help=t("voc.rebuild_help"),
        )
    else:
        built = info.built_at.strftime("%Y-%m-%d %H:%M") if info.built_at else "–"
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.caption(
            t("voc.status", n=info.n_topics, docs=format_number(info.n_documents), built=built),
            help=t("voc.method_help"),
        )
        if info.is_stale:
            st.warning(t("voc.stale", n=format_number(info.n_new_documents)), icon=":material/update:")
            if not analyst:
                st.caption(t("voc.stale_ask_analyst"))
        rebuild = analyst and right.button(
            t("voc.rebuild"),
            key="voc_rebuild",
            icon=":material/model_training:",
            type="primary" if info.is_stale else "tertiary",
            help=t("voc.rebuild_help"),
        )
    if rebuild:
        _rebuild(model)


def render(filters: Filters) -> None:
    model = service_model()
    lang = current_language()
    summary = filters_summary(model, filters.as_dict(), lang, t("filters.summary_all"))
    page_header(
        t("voc.title"),
        t("voc.subtitle", first=filters.period_from or "–", last=filters.period_to or "–", segment=summary),
    )
    key = data.current_key()
    info = data.status(key)
    _status_line(info, model)
    if not info.exists:
        return
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        section = url_segmented(
            t("voc.section"),
            list(SECTIONS),
            key="voc_section",
            param="view",
            default="topics",
            format_func=lambda s: t(f"voc.section_{s}"),
            label_visibility="collapsed",
        )
    if section == "groups":  # groups are made of clients, not of texts
        from app.ui.views.voc_groups import render_groups

        render_groups(key, filters, lang)
        return
    with right:
        sources = source_control("voc_sources")
    if section == "topics":
        from app.ui.views.voc_topics import render_topics

        render_topics(key, filters, model, lang, sources)
    elif section == "frequency":
        from app.ui.views.voc_frequency import render_frequency

        render_frequency(key, filters, model, lang, sources)
    else:
        from app.ui.views.voc_comments import render_comments

        render_comments(key, filters, model, lang, sources)
