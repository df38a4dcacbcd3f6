"""The bottleneck page's figures: one cached `ProcessReport` per process and filter state, plus the
labels that turn ids into words. No rendering here.

`load_report` queries the process marts and survey answers and runs `app.analytics`; it goes through
`cached_query`, so only the small report is cached (keyed by the warehouse's data version), never
the event-level frames.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.analytics.bottleneck_report import ProcessReport, process_report
from app.analytics.wait_cost import served_touchpoints
from app.service_model import ServiceModel
from app.ui.context import cached_query
from app.ui.i18n import format_number, t
from app.warehouse.filters import Filters
from app.warehouse.process_queries import (
    process_cases,
    process_filter_columns,
    process_steps,
    processes_with_events,
    step_dimension,
    survey_answers,
    touchpoint_ratings,
)


def load_report(con: duckdb.DuckDBPyConnection, filters: Filters, process: str, min_cases: int) -> ProcessReport:
    """Query one process under the filters and compute everything its views show."""
    dim = step_dimension(con)
    served = served_touchpoints(dim.filter(pl.col("process") == process))
    touchpoints = sorted(served["touchpoint_id"].drop_nulls().unique().to_list())
    return process_report(
        process_steps(con, filters, process),
        process_cases(con, filters, process),
        dim,
        survey_answers(con, filters),
        touchpoint_ratings(con, filters, touchpoints),
        process,
        min_cases=min_cases,
    )


def report(filters: Filters, process: str, min_cases: int) -> ProcessReport:
    return cached_query(load_report, filters, process, min_cases)


def processes(model: ServiceModel) -> list[str]:
    """Processes of the service model that have an event log, in model order."""
    logged = set(cached_query(processes_with_events)["process"].to_list())
    return [p.id for p in model.processes if p.id in logged]


def step_labels(lang: str) -> dict[tuple[str, str], str]:
    """(process, activity) → the step's label in `lang`."""
    dim = cached_query(step_dimension)
    label = pl.coalesce("label_ru", "label_en") if lang == "ru" else pl.col("label_en")
    return {(p, a): text for p, a, text in dim.select("process", "activity", label).iter_rows()}


def with_step_label(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Add `label`: the step's name for each (process, activity) row, the id when unknown."""
    labels = step_labels(lang)
    keys = [labels.get((p, a), a) for p, a in frame.select("process", "activity").iter_rows()]
    return frame.with_columns(pl.Series("label", keys, dtype=pl.String))


def filter_columns() -> frozenset[str]:
    return cached_query(process_filter_columns)


def process_name(model: ServiceModel, process: str, lang: str) -> str:
    spec = next((p for p in model.processes if p.id == process), None)
    return spec.name.get(lang) if spec else process


def option_label(model: ServiceModel, column: str, value: str | None, lang: str) -> str:
    """A breakdown value in words (business unit, product class, segment, grade)."""
    if value is None:
        return t("bottlenecks.unknown_value")
    dimension = {"business_unit": "business_units", "product_class": "product_classes", "segment": "segments",
                 "grade": "grades"}.get(column)
    return model.label(dimension, value, lang) if dimension else value


def duration(hours: float | None, lang: str | None = None) -> str:
    """'45 min', '13 h', '4.9 d' — the unit a person would use for that length."""
    if hours is None:
        return "–"
    if abs(hours) < 1:
        return t("bottlenecks.minutes", value=format_number(hours * 60, 0, lang))
    if abs(hours) < 48:
        return t("bottlenecks.hours", value=format_number(hours, 1 if abs(hours) < 10 else 0, lang))
    return t("bottlenecks.days", value=format_number(hours / 24, 1 if abs(hours) < 2400 else 0, lang))


def uses_days(stats: pl.DataFrame) -> bool:
    """Charts of a process read in days when its slowest step takes two days or longer."""
    longest = stats["step_median_hours"].max() if stats.height else None
    return bool(longest and longest >= 48)
