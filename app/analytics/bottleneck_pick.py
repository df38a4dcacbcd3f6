"""Naming the bottleneck of a process, with the evidence a sentence needs.

The bottleneck is the step with the largest share of the process's delay — of its late hours when
cases are late against their due times, else of the hours steps ran over their to-be targets (see
`app.analytics.bottlenecks`), among steps with at least `min_cases` cases. A business unit is named
with it only when that unit holds most (over half) of the step's delay: a step that is slow
everywhere is not blamed on one unit. The product class holding most of that delay is reported too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from app.analytics.bottlenecks import PreparedEvents, aggregate_steps, aggregate_steps_many, prepare_events

UNIT_MAJORITY = 0.5  # a unit is named when it holds more than this share of the step's delay


@dataclass(frozen=True)
class Bottleneck:
    """The step (in one business unit, when the delay sits there) that explains most of the delay."""

    process: str
    activity: str
    business_unit: str | None  # named only when it holds most of the step's delay
    measure: str  # "lateness" (share of late hours) or "excess" (share of hours over target)
    delay_pct: float  # share of the process's delay in this step (in this unit, when named)
    wait_median_hours: float | None
    over_target_pct: float | None
    n_cases: int
    wait_median_hours_elsewhere: float | None  # the same step in the other units (unit named)
    top_unit: str | None  # the unit holding most of the step's delay, named or not
    top_unit_pct: float | None  # its share of the step's delay
    product_class: str | None  # where most of this delay sits, if classes are known
    product_class_pct: float | None  # its share of the delay
    product_class_cases_pct: float | None  # its share of the cases (is it more than its volume?)


def _top(frame: pl.DataFrame, column: str, value: str) -> tuple[str | None, float | None]:
    frame = frame.drop_nulls(column)
    total = frame[value].sum()
    if frame.is_empty() or not total:
        return None, None
    top = frame.sort([value, column], descending=[True, False]).row(0, named=True)
    return top[column], 100.0 * top[value] / total


def pick_step(stats: pl.DataFrame, min_cases: int) -> tuple[str, dict] | None:
    """(measure, the step's row): the step with the largest share of delay among steps with enough
    cases; None when nothing is late or over target."""
    measure = "lateness" if stats["lateness_hours"].sum() > 0 else "excess"
    column = f"{measure}_pct"
    eligible = stats.filter((pl.col("n_cases") >= min_cases) & pl.col(column).is_not_null())
    if eligible.is_empty() or eligible[column].max() <= 0:
        return None
    return measure, eligible.sort([column, "n_cases"], descending=True).row(0, named=True)


def _unit(by_unit: pl.DataFrame, delay: str, min_cases: int) -> tuple[dict | None, str | None, float | None]:
    """(the unit's step row when that unit is named, the top unit, its share of the step's delay)."""
    top_unit, top_unit_pct = _top(by_unit, "business_unit", delay)
    if top_unit is None:
        return None, None, None
    row = by_unit.filter(pl.col("business_unit") == top_unit).row(0, named=True)
    named = top_unit_pct > 100 * UNIT_MAJORITY and row["n_cases"] >= min_cases
    return (row if named else None), top_unit, top_unit_pct


def _product_class(by_class: pl.DataFrame, delay: str) -> tuple[str | None, ...]:
    """(the class holding most of the delay, its share of the delay, its share of the cases)."""
    product_class, class_pct = _top(by_class, "product_class", delay)
    if product_class is None:
        return None, None, None
    known = by_class.drop_nulls("product_class")
    chosen = known.filter(pl.col("product_class") == product_class)["n_cases"].sum()
    return product_class, class_pct, 100.0 * chosen / known["n_cases"].sum()


def find_bottleneck(
    steps: pl.DataFrame,
    cases: pl.DataFrame,
    process: str,
    min_cases: int = 30,
    as_of: datetime | None = None,
    prepared: PreparedEvents | None = None,
    stats: pl.DataFrame | None = None,
) -> Bottleneck | None:
    """The process's bottleneck with its evidence from its events; None when nothing is late or over
    target. Pass `prepared` (from `prepare_events` on the same frames) and `stats` (its step table)
    to reuse work already done."""
    if prepared is None:
        steps, cases = steps.filter(pl.col("process") == process), cases.filter(pl.col("process") == process)
        if steps.is_empty():
            return None
        prepared = prepare_events(steps, cases, as_of)
    stats = stats if stats is not None else aggregate_steps(prepared)
    choice = pick_step(stats.filter(pl.col("process") == process), min_cases)
    if choice is None:
        return None
    measure, cell = choice
    this_step = (pl.col("process") == process) & (pl.col("activity") == cell["activity"])
    # breakdowns of the chosen step only: its events, the process's denominators
    step_events = PreparedEvents(prepared.events.filter(this_step), prepared.totals)
    tables = aggregate_steps_many(
        step_events, [("business_unit",), ("business_unit", "product_class"), ("product_class",)]
    )

    def elsewhere(unit: str) -> float | None:
        others = step_events.events.filter(pl.col("business_unit") != unit)
        return others["wait_hours"].median() if others.height else None

    return name_bottleneck(process, measure, cell, *tables, elsewhere, min_cases)


def name_bottleneck(
    process: str,
    measure: str,
    cell: dict,
    by_unit: pl.DataFrame,
    by_unit_class: pl.DataFrame,
    by_class: pl.DataFrame,
    wait_median_elsewhere: Callable[[str], float | None],
    min_cases: int = 30,
) -> Bottleneck:
    """The bottleneck for the step `pick_step` chose (`cell`: its step-table row), from that step's
    tables by business unit, unit × product class and product class; `wait_median_elsewhere(unit)`
    gives the step's median wait in the other units when one unit is named."""
    delay = f"{measure}_hours"
    unit_row, top_unit, top_unit_pct = _unit(by_unit, delay, min_cases)
    elsewhere = None
    named_unit = top_unit if unit_row is not None else None
    if unit_row is not None:
        cell = unit_row
        elsewhere = wait_median_elsewhere(top_unit)
        by_class = by_unit_class.filter(pl.col("business_unit") == top_unit)
    product_class, class_pct, class_cases_pct = _product_class(by_class, delay)
    return Bottleneck(
        process=process,
        activity=cell["activity"],
        business_unit=named_unit,
        measure=measure,
        delay_pct=cell[f"{measure}_pct"],
        wait_median_hours=cell["wait_median_hours"],
        over_target_pct=cell["over_target_pct"],
        n_cases=cell["n_cases"],
        wait_median_hours_elsewhere=elsewhere,
        top_unit=top_unit,
        top_unit_pct=top_unit_pct,
        product_class=product_class,
        product_class_pct=class_pct,
        product_class_cases_pct=class_cases_pct,
    )
