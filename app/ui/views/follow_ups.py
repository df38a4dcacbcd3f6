"""Follow-ups: every detractor answer is a case for the department that owns the touchpoint the
client rated lowest; this page is the work list, its figures, and the place to update a case.

Overdue moves with the calendar, so the queries take today's date (a cached answer from yesterday
is never reused). The page never writes: the KPI tree's stored follow-up KPIs are recomputed once a
day by the app's daily job (app/ui/startup.py), by case changes and by loads.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from app.service_model import ServiceModel
from app.ui.charts import follow_ups as charts
from app.ui.components import chart_with_table, empty_state, metric_tile, page_header
from app.ui.context import cached_query, service_model
from app.ui.i18n import current_language, format_number, t
from app.ui.labels import filters_summary, option_labels
from app.ui.views.follow_ups_data import close_trend, follow_up_kpi, past_due_pct
from app.ui.views.follow_ups_list import render_work_list
from app.warehouse.filters import Filters
from app.warehouse.follow_up_queries import case_summaries


def _tiles(summary: dict, model: ServiceModel) -> None:
    close_kpi, late_kpi = follow_up_kpi(model, "days_to_close"), follow_up_kpi(model, "is_late")
    n_open, n_overdue = summary.get("n_open") or 0, summary.get("n_overdue") or 0
    n_due, n_late = summary.get("n_due") or 0, summary.get("n_late") or 0
    columns = st.columns(4)
    with columns[0]:
        metric_tile(
            t("fu.tile_open"),
            format_number(n_open),
            note=t("fu.tile_open_note", n=format_number(summary.get("n_cases") or 0)),
            help=t("fu.tile_open_help"),
        )
    with columns[1]:
        share = 100.0 * n_overdue / n_open if n_open else None
        metric_tile(
            t("fu.tile_overdue"),
            format_number(n_overdue),
            note=t("fu.tile_overdue_note", pct=format_number(share)),
            help=t("fu.tile_overdue_help"),
        )
    with columns[2]:
        target = (
            f" · {t('fu.target', value=format_number(close_kpi.target))}"
            if close_kpi and close_kpi.target
            else ""
        )
        metric_tile(
            t("fu.tile_close_days"),
            format_number(summary.get("median_days_to_close"), 1),
            note=t("fu.tile_close_note", n=format_number(summary.get("n_closed") or 0)) + target,
            help=t("fu.tile_close_help"),
            link_page="kpi_tree" if close_kpi else None,
            link_params={"kpi": close_kpi.id} if close_kpi else None,
        )
    with columns[3]:
        pct = past_due_pct(n_late, n_due)
        target = (
            f" · {t('fu.target', value=format_number(late_kpi.target))} %"
            if late_kpi and late_kpi.target
            else ""
        )
        metric_tile(
            t("fu.tile_late"),
            f"{format_number(pct)} %",
            note=t("fu.tile_late_note", n=format_number(n_due)) + target,
            help=t("fu.tile_late_help"),
            link_page="kpi_tree" if late_kpi else None,
            link_params={"kpi": late_kpi.id} if late_kpi else None,
        )


def _charts(filters: Filters, model: ServiceModel, lang: str, today: date) -> None:
    departments = option_labels(model, "departments", lang)
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.subheader(t("fu.workload_title"), anchor=False)
        by_owner = cached_query(case_summaries, filters, today)["owner_department"].filter(
            pl.col("n_open") > 0
        )
        if by_owner.is_empty():
            empty_state(t("fu.no_open"))
        else:
            frame = by_owner.select(
                pl.col("owner_department")
                .replace_strict(departments, default=pl.col("owner_department"), return_dtype=pl.String)
                .fill_null(t("fu.unassigned"))
                .alias("department"),
                (pl.col("n_open") - pl.col("n_overdue")).alias("n_on_time"),
                "n_overdue",
            )
            chart = charts.workload(
                frame, x_title=t("fu.open_cases"), on_time=t("fu.on_time"), overdue=t("fu.overdue")
            )
            chart_with_table(chart, frame, key="fu_workload", file_stem="follow_up_workload")
    with right:
        st.subheader(t("fu.trend_title"), anchor=False)
        by_period = close_trend(cached_query(case_summaries, filters, today)["period"])
        close_kpi = follow_up_kpi(model, "days_to_close")
        chart = charts.close_times(
            by_period,
            x_title=t("common.period"),
            y_title=t("fu.median_days"),
            late_title=t("fu.pct_late"),
            target=close_kpi.target if close_kpi else None,
        )
        chart_with_table(chart, by_period, key="fu_trend", file_stem="follow_up_trend")
        st.caption(t("fu.trend_note"))


def _due_policy(model: ServiceModel, lang: str) -> str:
    days = model.settings.follow_up_days_by_grade
    if not days:
        return t("fu.no_due_policy")
    grades = option_labels(model, "grades", lang)
    return t("fu.due_policy", policy=", ".join(f"{grades.get(g, g)}: {d}" for g, d in days.items()))


def render(filters: Filters) -> None:
    model = service_model()
    lang = current_language()
    today = date.today()  # overdue is computed in the queries as of today; this keys their cache
    summary_text = filters_summary(model, filters.as_dict(), lang, t("filters.summary_all"))
    page_header(
        t("fu.title"),
        t(
            "fu.subtitle",
            first=filters.period_from or "–",
            last=filters.period_to or "–",
            segment=summary_text,
        )
        + " · "
        + _due_policy(model, lang),
    )
    totals = cached_query(case_summaries, filters, today)[None]  # one query for the tiles and both charts
    summary = totals.row(0, named=True) if totals.height else {}
    if not summary.get("n_cases"):
        empty_state(t("fu.no_cases"), t("fu.no_cases_hint"))
        return
    _tiles(summary, model)
    _charts(filters, model, lang, today)
    st.divider()
    render_work_list(filters, model, lang, today)
