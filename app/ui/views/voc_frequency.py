"""Frequency section: each topic's share of the complaints per stage, touchpoint, satisfaction
block, segment or quarter (a heat-map), and how the shares moved quarter by quarter (a trend).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.voc import NO_TOPIC_KEY
from app.service_model import ServiceModel
from app.ui.charts import voc as charts
from app.ui.components import chart_with_table, empty_state
from app.ui.i18n import t
from app.ui.url_widgets import url_selectbox
from app.ui.views import voc_data as data
from app.warehouse.filters import Filters
from app.warehouse.voc_queries import BREAKDOWN_COLUMNS, TopicsKey

TREND_TOPICS = 8


def _topic_order(frame: pl.DataFrame) -> list[str]:
    totals = (
        frame.group_by("topic_key", "topic")
        .agg(pl.col("n").sum())
        .sort([pl.col("topic_key") == NO_TOPIC_KEY, "n"], descending=[False, True])
    )
    return totals["topic"].to_list()


def _heatmap(
    key: TopicsKey, filters: Filters, model: ServiceModel, lang: str, sources: tuple[str, ...], column: str
) -> None:
    frame, order = data.shares_by(key, filters, column, model, lang, sources)
    if frame.is_empty():
        empty_state(t("voc.no_texts"), t("common.no_data_hint"))
        return
    min_n = model.settings.min_n
    frame = frame.with_columns(
        (pl.col("n_total") < min_n).alias("is_low_n"),
        pl.format("{} %", pl.col("share").round(0).cast(pl.Int64)).alias("cell_text"),
    )
    chart = charts.share_heatmap(
        frame,
        x="group",
        x_order=order,
        y_order=_topic_order(frame),
        x_title=t(f"voc.by_{column}"),
        colour_title=t("voc.share_of_complaints"),
    )
    table = frame.select(
        pl.col("group").alias(t(f"voc.by_{column}")),
        "topic",
        "n",
        "n_total",
        pl.col("share").round(1),
        pl.col("share_moe").round(1),
    )
    chart_with_table(chart, table, key=f"voc_heatmap_{column}", file_stem=f"topics_by_{column}")
    st.caption(t("voc.heatmap_note", min_n=min_n))


def _trend(
    key: TopicsKey, filters: Filters, model: ServiceModel, lang: str, sources: tuple[str, ...]
) -> None:
    st.subheader(t("voc.trend_title"), anchor=False)
    frame, _ = data.shares_by(key, filters, "period", model, lang, sources)
    frame = frame.filter(pl.col("topic_key") != NO_TOPIC_KEY)
    if frame["period"].n_unique() < 2:
        empty_state(t("voc.growth_needs_two"))
        return
    keep = _topic_order(frame)[:TREND_TOPICS]
    shown = frame.filter(pl.col("topic").is_in(keep)).sort("period")
    chart = charts.share_trend(shown, x_title=t("common.period"), y_title=t("voc.share_of_complaints"))
    table = frame.select(
        "period", "topic", "n", "n_total", pl.col("share").round(1), pl.col("share_moe").round(1)
    )
    chart_with_table(chart, table, key="voc_trend", file_stem="topic_trend")


def render_frequency(
    key: TopicsKey, filters: Filters, model: ServiceModel, lang: str, sources: tuple[str, ...]
) -> None:
    left, _ = st.columns([2, 3])
    with left:
        column = url_selectbox(
            t("voc.breakdown"),
            list(BREAKDOWN_COLUMNS),
            key="voc_by",
            param="by",
            default="touchpoint_id",
            format_func=lambda c: t(f"voc.by_{c}"),
        )
    st.subheader(t("voc.heatmap_title", by=t(f"voc.by_{column}").lower()), anchor=False)
    _heatmap(key, filters, model, lang, sources, column)
    if column != "period":
        _trend(key, filters, model, lang, sources)
