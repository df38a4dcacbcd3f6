"""Bottleneck page, tab 4: what waiting costs in experience — for the chosen step, NPS and the served
touchpoint's rating of clients by how long they waited there, the NPS points per extra day, and the
same figure for every step of the process."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.bottleneck_report import ProcessReport
from app.service_model import ServiceModel
from app.ui.charts.process_steps import experience_chart
from app.ui.components import chart_with_table, download_buttons, empty_state
from app.ui.i18n import format_number, t
from app.ui.safe_text import escape_markdown
from app.ui.url_widgets import url_selectbox
from app.ui.views import bottlenecks_data as data


def _default_step(report: ProcessReport, candidates: list[str]) -> str:
    """The bottleneck when it serves a touchpoint; else the step whose waiting costs most NPS."""
    if report.bottleneck is not None and report.bottleneck.activity in candidates:
        return report.bottleneck.activity
    costs = report.wait_cost.filter(pl.col("activity").is_in(candidates)).sort("nps_per_day", nulls_last=True)
    return costs["activity"][0] if costs.height else candidates[0]


def _touchpoint_label(model: ServiceModel, touchpoint_id: str, lang: str) -> str:
    return next((tp.label.get(lang) for tp in model.touchpoints if tp.id == touchpoint_id), touchpoint_id)


def _sentence(model: ServiceModel, row: dict, step: str, lang: str) -> str:
    touchpoint = model.touchpoint(row["touchpoint_id"])
    values = dict(
        step=escape_markdown(step), touchpoint=escape_markdown(touchpoint.label.get(lang)),
        nps=format_number(row["nps_per_day"], 1, lang, signed=True),
        nps_moe=format_number(row["nps_per_day_moe"], 1, lang),
        rating=format_number(row["rating_per_day"], 2, lang, signed=True),
        rating_moe=format_number(row["rating_per_day_moe"], 2, lang),
        scale=f"{touchpoint.scale.min}–{touchpoint.scale.max}",
        n=format_number(row["n_nps"], 0, lang), clients=format_number(row["n_client_periods"], 0, lang),
    )
    key = "bottlenecks.cost_sentence" if row["is_nps_significant"] else "bottlenecks.cost_sentence_unclear"
    return t(key, **values)


def _bins_frame(report: ProcessReport, activity: str, lang: str) -> pl.DataFrame:
    bins = report.wait_bins.filter(pl.col("activity") == activity)
    labels = [f"{data.duration(a * 24, lang)} – {data.duration(b * 24, lang)}"
              for a, b in bins.select("wait_days_from", "wait_days_to").iter_rows()]
    return bins.with_columns(
        pl.Series("bin_label", labels, dtype=pl.String),
        pl.format("n = {}", pl.col("n")).alias("n_text"),
    )


def _cost_table(model: ServiceModel, report: ProcessReport, lang: str) -> pl.DataFrame:
    frame = data.with_step_label(report.wait_cost.filter(pl.col("nps_per_day").is_not_null()), lang)
    touchpoints = [_touchpoint_label(model, tp, lang) for tp in frame["touchpoint_id"]]
    return frame.select(
        pl.col("label").alias(t("bottlenecks.col_step")),
        pl.Series(t("bottlenecks.col_touchpoint"), touchpoints, dtype=pl.String),
        pl.col("wait_days_mean").round(2).alias(t("bottlenecks.col_wait_days")),
        pl.col("nps_per_day").round(1).alias(t("bottlenecks.col_nps_per_day")),
        pl.col("nps_per_day_moe").round(1).alias(t("bottlenecks.col_moe")),
        pl.col("rating_per_day").round(3).alias(t("bottlenecks.col_rating_per_day")),
        pl.col("n_nps").alias(t("bottlenecks.col_answers")),
        pl.col("n_client_periods").alias(t("bottlenecks.col_client_quarters")),
        pl.col("is_nps_significant").alias(t("bottlenecks.col_significant")),
    )


def render_experience(model: ServiceModel, report: ProcessReport, lang: str, min_n: int) -> None:
    usable = report.wait_cost.filter(pl.col("nps_per_day").is_not_null()) if report.wait_cost.height else None
    if usable is None or usable.is_empty():
        empty_state(t("bottlenecks.cost_empty"), t("bottlenecks.cost_empty_hint"))
        return
    candidates = usable["activity"].to_list()
    labels = {a: lbl for (p, a), lbl in data.step_labels(lang).items() if p == report.process}
    activity = url_selectbox(t("bottlenecks.cost_step"), candidates, key="bn_cost_step", param="step",
                             default=_default_step(report, candidates), format_func=lambda a: labels.get(a, a))
    row = usable.filter(pl.col("activity") == activity).row(0, named=True)
    st.markdown(_sentence(model, row, labels.get(activity, activity), lang))
    if row["n_nps"] < min_n:
        st.caption(f":orange[{t('common.low_n_short')}]")
    bins = _bins_frame(report, activity, lang)
    touchpoint = _touchpoint_label(model, row["touchpoint_id"], lang)
    chart = experience_chart(bins, nps_title=t("bottlenecks.cost_nps_axis"),
                             rating_title=t("bottlenecks.cost_rating_axis", touchpoint=touchpoint),
                             x_title=t("bottlenecks.cost_wait_axis"))
    chart_with_table(chart, bins.select("bin_label", "n", "nps", "n_rating", "rating_mean"), key="bn_cost_bins",
                     file_stem=f"{report.process}_{activity}_waiting_vs_nps")
    st.markdown(f"**{t('bottlenecks.cost_table_title')}**")
    table = _cost_table(model, report, lang)
    st.dataframe(table, hide_index=True, key="bn_cost_table")
    download_buttons(table, f"{report.process}_waiting_cost", key="bn_cost_table")
    st.caption(t("bottlenecks.cost_note"))
