"""Bottleneck page: which step makes customers wait, where, how far the as-is process is from the
to-be one, and what the waiting costs in NPS.

Top: the verdict in words for every process with an event log (with links to the KPI-tree nodes the
bottleneck feeds). Below, for the process chosen (`?process=`): headline tiles, then four tabs —
steps (by business unit / product class / segment / grade), the process map with a Pareto of delay,
as-is vs to-be (targets and the backward deadline chain), and the cost in experience.
"""

from __future__ import annotations

import streamlit as st

from app.analytics.bottleneck_report import ProcessReport
from app.service_model import ServiceModel
from app.ui.components import empty_state, metric_tile, page_header
from app.ui.context import service_model
from app.ui.i18n import current_language, format_number, t
from app.ui.url_widgets import url_segmented
from app.ui.views import bottlenecks_data as data
from app.ui.views.bottlenecks_experience import render_experience
from app.ui.views.bottlenecks_steps import render_map, render_steps
from app.ui.views.bottlenecks_targets import render_targets
from app.ui.views.bottlenecks_verdict import render_verdicts
from app.warehouse.filters import Filters, unapplied_dimensions


def _unapplied_notice(filters: Filters) -> None:
    ignored = unapplied_dimensions(filters, data.filter_columns())
    if ignored:
        names = ", ".join(t(f"filters.{d}") for d in ignored)
        st.caption(t("bottlenecks.filters_ignored", filters=names))


def _tiles(report: ProcessReport, lang: str) -> None:
    summary = report.summary
    met_pct = report.chain.met_pct if report.chain else summary.get("on_time_pct")
    cols = st.columns(4)
    with cols[0]:
        metric_tile(t("bottlenecks.tile_cases"), format_number(summary.get("n_cases"), 0, lang),
                    note=t("bottlenecks.tile_open", n=format_number(summary.get("n_open"), 0, lang)),
                    help=t("bottlenecks.help_cases"))
    with cols[1]:
        metric_tile(t("bottlenecks.tile_on_time"), f"{format_number(met_pct, 0, lang)} %",
                    note=t("bottlenecks.tile_late", n=format_number(summary.get("n_late"), 0, lang)),
                    help=t("bottlenecks.help_on_time"))
    with cols[2]:
        metric_tile(t("bottlenecks.tile_lead"), data.duration(summary.get("lead_median_hours"), lang),
                    note=t("bottlenecks.tile_p90", value=data.duration(summary.get("lead_p90_hours"), lang)),
                    help=t("bottlenecks.help_lead"))
    with cols[3]:
        metric_tile(t("bottlenecks.tile_overdue"), format_number(summary.get("n_open_overdue"), 0, lang),
                    note=t("bottlenecks.tile_as_of", moment=f"{report.as_of:%Y-%m-%d %H:%M}" if report.as_of else "–"),
                    help=t("bottlenecks.help_overdue"))


def _process_choice(model: ServiceModel, processes: list[str], lang: str) -> str:
    return url_segmented(
        t("bottlenecks.process"), processes, key="bn_process", param="process", default=processes[0],
        format_func=lambda p: data.process_name(model, p, lang),
    )


def render(filters: Filters) -> None:
    model, lang = service_model(), current_language()
    page_header(t("bottlenecks.title"), t("bottlenecks.subtitle"))
    processes = data.processes(model)
    if not processes:
        empty_state(t("bottlenecks.no_events"), t("bottlenecks.no_events_hint"))
        return
    _unapplied_notice(filters)
    min_n = model.settings.min_n
    reports = {p: data.report(filters, p, min_n) for p in processes}
    st.subheader(t("bottlenecks.verdict_title"), anchor=False)
    render_verdicts(model, reports, lang)
    process = _process_choice(model, processes, lang)
    report = reports[process]
    if report.steps.is_empty():
        empty_state(t("bottlenecks.no_cases"), t("common.no_data_hint"))
        return
    _tiles(report, lang)
    steps, process_map, targets, experience = st.tabs(
        [t("bottlenecks.tab_steps"), t("bottlenecks.tab_map"), t("bottlenecks.tab_targets"),
         t("bottlenecks.tab_experience")]
    )
    with steps:
        render_steps(model, report, lang, min_n, filters)
    with process_map:
        render_map(model, report, lang)
    with targets:
        render_targets(model, report, lang)
    with experience:
        render_experience(model, report, lang, min_n)

