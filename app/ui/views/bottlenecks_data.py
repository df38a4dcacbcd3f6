"""The bottleneck page's figures: one cached `ProcessReport` per process and filter state, plus the
labels that turn ids into words. No rendering here.

`load_report` aggregates the process marts and the wait cost's sums (per step and waiting bin) in
DuckDB; it goes through `cached_query`, so only the small report is cached (keyed by the warehouse's
data version). The step table by business unit comes with the report (the heat-map opens on it and the
verdict reads it); another breakdown is a query of its own (`breakdown`) when it is shown.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.analytics.bottleneck_report import ProcessReport, process_report
from app.analytics.bottlenecks import step_stats
from app.analytics.wait_cost import served_touchpoints
from app.service_model import ServiceModel
from app.ui.context import cached_query
from app.ui.i18n import current_language
from app.ui.views import bottlenecks_frames as frames
from app.warehouse.filters import Filters
from app.warehouse.process_queries import (
    process_cases,
    process_filter_columns,
    process_steps,
    processes_with_events,
    step_dimension,
)
from app.warehouse.process_report_queries import (
    aggregated_report,
    breakdown_table,
    has_aggregate_columns,
    scope_of,
)
from app.warehouse.wait_cost_queries import wait_cost_sums


def load_report(con: duckdb.DuckDBPyConnection, filters: Filters, process: str, min_cases: int) -> ProcessReport:
    """Query one process under the filters and compute everything its views show: aggregated in
    DuckDB from the marts' per-event columns, or from the events on a warehouse whose process marts
    were built before those columns existed (`python -m pipelines rebuild` adds them)."""
    dim = step_dimension(con)
    served = served_touchpoints(dim)
    if has_aggregate_columns(con):
        return aggregated_report(con, filters, process, dim,
                                 lambda cursor: wait_cost_sums(cursor, filters, process, served), min_cases)
    steps, cases = process_steps(con, filters, process), process_cases(con, filters, process)
    return process_report(steps, cases, dim, wait_cost_sums(con, filters, process, served), process,
                          min_cases=min_cases)


def load_breakdown(
    con: duckdb.DuckDBPyConnection, filters: Filters, process: str, by: str, totals: tuple[float, float, float]
) -> pl.DataFrame:
    """The step table of one process by one breakdown column (the heat-map's); `totals`: the report's
    weeks, excess_total and lateness_total (the shares' denominators)."""
    frame = pl.DataFrame([{"process": process, **dict(zip(("weeks", "excess_total", "lateness_total"), totals,
                                                           strict=True))}])
    if has_aggregate_columns(con):
        return breakdown_table(con, scope_of(con, filters, process), process, frame, (by,))
    return step_stats(process_steps(con, filters, process), process_cases(con, filters, process), (by,))


def report(filters: Filters, process: str, min_cases: int) -> ProcessReport:
    return cached_query(load_report, filters, process, min_cases)


def totals_key(report: ProcessReport) -> tuple[float, float, float]:
    """The report's denominators as plain numbers (they key the breakdown's cache)."""
    row = report.totals.row(0, named=True) if report.totals is not None and report.totals.height else {}
    return tuple(float(row.get(c) or 0.0) for c in ("weeks", "excess_total", "lateness_total"))


def breakdown(filters: Filters, report: ProcessReport, by: str) -> pl.DataFrame:
    """`report`'s step table by `by` (computed with the report, or queried now)."""
    if by in report.breakdowns:
        return report.breakdowns[by]
    return cached_query(load_breakdown, filters, report.process, by, totals_key(report))


def report_breakdown(con: duckdb.DuckDBPyConnection, filters: Filters, report: ProcessReport, by: str) -> pl.DataFrame:
    """`breakdown` without the page's cache (presentation slides)."""
    if by in report.breakdowns:
        return report.breakdowns[by]
    return load_breakdown(con, filters, report.process, by, totals_key(report))


def processes(model: ServiceModel) -> list[str]:
    """Processes of the service model that have an event log, in model order."""
    return frames.logged_processes(model, cached_query(processes_with_events))


def step_labels(lang: str) -> frames.StepLabels:
    """(process, activity) → the step's label in `lang`."""
    return frames.step_label_map(cached_query(step_dimension), lang)


def with_step_label(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Add `label`: the step's name for each (process, activity) row, the id when unknown."""
    return frames.with_step_label(frame, step_labels(lang))


def filter_columns() -> frozenset[str]:
    return cached_query(process_filter_columns)


def duration(hours: float | None, lang: str | None = None) -> str:
    """'45 min', '13 h', '4.9 d' (frames.duration in the session's language unless `lang`)."""
    return frames.duration(hours, lang or current_language())


process_name = frames.process_name
option_label = frames.option_label
uses_days = frames.uses_days
