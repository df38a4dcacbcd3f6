"""The overview's "what changed and where to act" row: biggest movers since the previous quarter,
and the three touchpoints whose score falls furthest below their importance.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.service_model import ServiceModel
from app.ui.charts import trends
from app.ui.components import chart_with_table, empty_state, page_link
from app.ui.i18n import format_number, t
from app.ui.views import overview_data as data
from app.warehouse.filters import Filters

SOURCE_NOTES = {
    "drivers": "overview.importance_source_drivers",
    "correlation": "overview.importance_source_correlation",
}


def _movers(filters: Filters, model: ServiceModel, lang: str, current: str, previous: str | None, min_n: int) -> None:
    st.subheader(t("overview.movers_title", current=current, previous=previous or "–"), anchor=False)
    if previous is None:
        empty_state(t("overview.movers_need_two"))
        return
    names = {c: t(f"common.{c}") for c in data.BREAKDOWNS}
    segments_tab, touchpoints_tab = st.tabs([t("overview.movers_segments"), t("overview.movers_touchpoints")])
    with segments_tab:
        frame = data.segment_movers(filters, model, lang, names, current, previous, min_n)
        _movers_chart(frame, t("overview.movers_nps_axis"), "overview_movers_segments", "movers_segments")
    with touchpoints_tab:
        frame = data.touchpoint_movers(filters, lang, current, previous, min_n)
        _movers_chart(frame, t("overview.movers_top2_axis"), "overview_movers_touchpoints", "movers_touchpoints")
    st.caption(t("overview.movers_note", min_n=min_n))


def _movers_chart(frame: pl.DataFrame, x_title: str, key: str, file_stem: str) -> None:
    if frame.is_empty():
        empty_state(t("overview.movers_none"))
        return
    chart = trends.movers(frame, label="label", x_title=x_title)
    chart_with_table(chart, frame, key=key, file_stem=file_stem)


def _priorities(filters: Filters, lang: str, min_n: int) -> None:
    st.subheader(t("overview.hurt_title"), anchor=False)
    ipa, top, source = data.priorities(filters, min_n, lang)
    rated = ipa.filter(pl.col("n") >= min_n)
    if rated.is_empty():
        empty_state(t("common.no_data"), t("common.no_data_hint"))
        return
    chart = trends.importance_performance(
        rated, x_title=t("overview.importance_axis"), y_title=t("overview.score_axis"),
        highlight=top["touchpoint_id"].to_list(),
    )
    table = rated.select("touchpoint_id", "label", "importance_100", "score_100", "gap", "n").sort(
        "gap", descending=True, nulls_last=True
    )
    for rank, row in enumerate(top.to_dicts(), start=1):
        _hurt_card(rank, row)
    if top.is_empty():
        st.success(t("overview.hurt_none"), icon=":material/check_circle:")
    chart_with_table(chart, table, key="overview_ipa", file_stem="importance_performance")
    st.caption(t(SOURCE_NOTES.get(source, SOURCE_NOTES["correlation"])))


def _hurt_card(rank: int, row: dict) -> None:
    figures = t(
        "overview.hurt_card",
        importance=format_number(row["importance_100"], 0),
        score=format_number(row["score_100"], 0),
        gap=format_number(row["gap"], 0, signed=True),
        n=format_number(row["n"]),
    )
    with st.container(border=True, horizontal=True, vertical_alignment="center", gap="medium"):
        st.markdown(f"**{rank}. {row['label']}**  \n:gray[{figures}]", width="stretch")
        page_link("journey_map", t("overview.link_touchpoint"), {"tp": row["touchpoint_id"]})


def render_actions(filters: Filters, model: ServiceModel, lang: str, current: str, previous: str | None,
                   min_n: int) -> None:
    left, right = st.columns([1, 1], gap="large")
    with left:
        _movers(filters, model, lang, current, previous, min_n)
    with right:
        _priorities(filters, lang, min_n)
