"""The bottleneck page's figures: one cached `ProcessReport` per process and filter state, plus the
labels that turn ids into words. No rendering here.

`load_report` queries the process marts and the wait cost's sums (per step and waiting bin) and runs
`app.analytics`; it goes through `cached_query`, so only the small report is cached (keyed by the
warehouse's data version), never the event-level frames.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.analytics.bottleneck_report import ProcessReport, process_report
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
from app.warehouse.wait_cost_queries import wait_cost_sums


def load_report(con: duckdb.DuckDBPyConnection, filters: Filters, process: str, min_cases: int) -> ProcessReport:
    """Query one process under the filters and compute everything its views show."""
    dim = step_dimension(con)
    return process_report(
        process_steps(con, filters, process),
        process_cases(con, filters, process),
        dim,
        wait_cost_sums(con, filters, process, served_touchpoints(dim)),
        process,
        min_cases=min_cases,
    )


def report(filters: Filters, process: str, min_cases: int) -> ProcessReport:
    return cached_query(load_report, filters, process, min_cases)


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
