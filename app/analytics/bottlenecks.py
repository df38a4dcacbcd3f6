"""Step analytics from process event logs: where cases wait, rework, overrun the to-be target and
pick up the lateness the customer feels.

Input frames have the columns of `mart_process_steps` (one row per executed step) and
`mart_process_cases` (one row per case). Definitions, in the words the page uses:

- **Waiting before a step**: from the end of the case's previous step to this step's start.
- **Processing**: the step's own duration; a step still running (ended_at null) has none yet and is
  left out of processing medians, but counted as open.
- **Step time** = waiting + processing (for an open step: waiting + time running so far, measured at
  the data's as-of moment, the newest timestamp in the log). It is what the to-be `target_hours` caps.
- **Over target**: step time above the target; an open step counts once its running time passes it.
  The share is of cases: a case breaches at a step when any run of the step went over.
- **Rework**: a step that occurs more than once in a case (share of the cases with that step).
- **Lateness of a case**: hours past its due time (for an open case: hours past due so far).
- **Share of lateness**: each late case's hours past due are split across its steps in proportion to
  how far each step ran over its to-be target; a step's share is its part of all late hours of the
  process in view. Late hours of cases where no step overran stay unattributed (the due date was
  tighter than the to-be process).
- **Throughput per week**: step completions divided by the weeks the process's log spans.

Everything is vectorised Polars over lazy frames, so 5 million events take seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import polars as pl

GROUPABLE: tuple[str, ...] = ("business_unit", "product_class", "segment", "grade", "period")
HOURS_PER_WEEK = 24.0 * 7.0
CASE_KEY = "__case"


class UnknownGroupingError(ValueError):
    """A breakdown column that the process marts do not carry."""


def check_by(by: Sequence[str]) -> list[str]:
    unknown = [c for c in by if c not in GROUPABLE]
    if unknown:
        raise UnknownGroupingError(f"cannot break steps down by {unknown}; allowed: {list(GROUPABLE)}")
    return list(dict.fromkeys(by))


def data_as_of(steps: pl.DataFrame | pl.LazyFrame) -> datetime | None:
    """The newest moment the log knows of: open steps and open cases are measured up to here."""
    frame = steps.lazy().select(pl.max_horizontal(pl.col("started_at").max(), pl.col("ended_at").max()))
    return frame.collect().item()


def _hours(expr: pl.Expr) -> pl.Expr:
    return expr.dt.total_microseconds() / 3.6e9


def timed_steps(steps: pl.LazyFrame, as_of: datetime | None) -> pl.LazyFrame:
    """Add elapsed_hours (duration, or running time so far), step_hours, excess_hours, is_over and
    finished_step_hours (step_hours of finished steps only, for the as-is medians)."""
    elapsed = pl.col("duration_hours")
    if as_of is not None:
        running = _hours(pl.lit(as_of, dtype=pl.Datetime("us")) - pl.col("started_at")).clip(lower_bound=0.0)
        elapsed = pl.coalesce(elapsed, running)
    step_hours = pl.col("wait_hours").fill_null(0.0) + pl.col("elapsed_hours")
    return (
        steps.with_columns(elapsed_hours=elapsed)
        .with_columns(step_hours=step_hours)
        .with_columns(
            excess_hours=(pl.col("step_hours") - pl.col("target_hours")).clip(lower_bound=0.0).fill_null(0.0),
            is_over=(pl.col("step_hours") > pl.col("target_hours")).fill_null(False),
            finished_step_hours=pl.when(pl.col("ended_at").is_not_null()).then(pl.col("step_hours")),
        )
    )


def case_key() -> pl.Expr:
    """A 64-bit key per (process, case_id): joins, windows and sorts on it are far cheaper than on two
    string columns (5 million events), and the same expression keys the cases frame."""
    return pl.struct("process", "case_id").hash(seed=0).alias(CASE_KEY)


def case_lateness(cases: pl.LazyFrame, as_of: datetime | None) -> pl.LazyFrame:
    """Per case: hours past due (0 when on time, null without a due date), counting open cases so far."""
    end = (
        pl.when(pl.col("is_complete"))
        .then(pl.col("ended_at"))
        .otherwise(pl.lit(as_of, dtype=pl.Datetime("us")))
    )
    past_due = _hours(end - pl.col("due_at"))
    return cases.select(
        "process",
        "case_id",
        "is_complete",
        pl.col("due_at").is_not_null().alias("has_due"),
        past_due.clip(lower_bound=0.0).alias("lateness_hours"),
    )


@dataclass(frozen=True)
class PreparedEvents:
    """Events with their step time, overrun and attributed lateness, plus the per-process
    denominators; computed once and aggregated by as many breakdowns as a page needs."""

    events: pl.DataFrame
    totals: pl.DataFrame  # process, weeks, excess_total, lateness_total


def _lookup(keys: pl.Series, values: pl.Series, alias: str) -> pl.Expr:
    """Map the case key to a per-case value (null elsewhere): a one-column hash lookup, so the
    millions of event rows are not gathered by a join."""
    return pl.col(CASE_KEY).replace_strict(keys, values, default=None, return_dtype=pl.Float64).alias(alias)


def prepare_events(steps: pl.DataFrame, cases: pl.DataFrame, as_of: datetime | None = None) -> PreparedEvents:
    """Each event with `lateness_hours_attributed`: its case's late hours × its share of the overrun."""
    as_of = as_of if as_of is not None else data_as_of(steps)
    lateness = case_lateness(cases.lazy(), as_of)
    late = lateness.filter(pl.col("lateness_hours") > 0).select(case_key(), "lateness_hours").collect()
    timed = (
        timed_steps(steps.lazy().with_columns(case_key()), as_of)
        .with_columns(_lookup(late[CASE_KEY], late["lateness_hours"], "lateness_hours"))
        .collect()
    )
    # the per-case overrun sum is needed for late cases only
    excess = (
        timed.lazy()
        .select(CASE_KEY, "excess_hours", "lateness_hours")
        .filter(pl.col("lateness_hours").is_not_null())
        .group_by(CASE_KEY)
        .agg(pl.col("excess_hours").sum())
        .collect()
    )
    case_excess = _lookup(excess[CASE_KEY], excess["excess_hours"], "case_excess")
    events = (
        timed.lazy()
        .with_columns(case_excess)
        .with_columns(
            lateness_hours_attributed=pl.when(pl.col("case_excess") > 0)
            .then(pl.col("lateness_hours") * pl.col("excess_hours") / pl.col("case_excess"))
            .otherwise(0.0)
        )
        .drop("case_excess")
        .with_columns(_over_case_flag(timed))
        .collect()
    )
    totals = (
        _process_totals(events.lazy(), lateness).collect().with_columns(pl.col("process").cast(pl.String))
    )
    return PreparedEvents(events.with_columns(_categorical_keys(events)), totals)


def _categorical_keys(events: pl.DataFrame) -> list[pl.Expr]:
    """Grouping columns as categoricals: every breakdown then groups on small integers instead of
    hashing millions of strings again (the dominant cost of a group-by with medians)."""
    keys = [c for c in ("process", "activity", *GROUPABLE) if c in events.columns]
    return [pl.col(c).cast(pl.Categorical) for c in keys if events.schema[c] == pl.String]


def _over_case_flag(timed: pl.DataFrame) -> pl.Expr:
    """`is_over_case`: true on a case's first run of a step when any run of that step in the case went
    over target, so summing it counts cases (exactly) without a distinct count per breakdown. Only
    steps that repeat can breach on a later run; they are few, so only they are looked up."""
    first_run = ~pl.col("is_rework")
    pair = pl.struct(CASE_KEY, "step_order").hash(seed=0)
    later_over = timed.lazy().filter(pl.col("is_rework") & pl.col("is_over")).select(pair.alias("p")).unique()
    later_over = later_over.collect()["p"]
    if later_over.is_empty():
        return (first_run & pl.col("is_over")).alias("is_over_case")
    return (first_run & (pl.col("is_over") | pair.is_in(later_over.implode()))).alias("is_over_case")


def _process_totals(timed: pl.LazyFrame, lateness: pl.LazyFrame) -> pl.LazyFrame:
    """Per process: weeks the log spans, all late hours, all excess hours (denominators of shares)."""
    span = timed.group_by("process").agg(
        weeks=(
            _hours(
                pl.max_horizontal(pl.col("started_at").max(), pl.col("ended_at").max())
                - pl.col("started_at").min()
            )
            / HOURS_PER_WEEK
        ).clip(lower_bound=1.0),
        excess_total=pl.col("excess_hours").sum(),
    )
    late = lateness.group_by("process").agg(lateness_total=pl.col("lateness_hours").sum())
    return span.join(late, on="process", how="left")


def _share(part: str, total: str) -> pl.Expr:
    return pl.when(pl.col(total) > 0).then(100.0 * pl.col(part) / pl.col(total)).otherwise(None)


def step_stats(
    steps: pl.DataFrame, cases: pl.DataFrame, by: Sequence[str] = (), as_of: datetime | None = None
) -> pl.DataFrame:
    """Per process × activity (× `by`): volumes, waiting, processing, rework, overrun and lateness."""
    return aggregate_steps(prepare_events(steps, cases, as_of), by)


def aggregate_steps(prepared: PreparedEvents, by: Sequence[str] = ()) -> pl.DataFrame:
    """`step_stats` from events prepared once (see `prepare_events`)."""
    return aggregate_steps_many(prepared, [tuple(by)])[0]


def aggregate_steps_many(prepared: PreparedEvents, bys: Sequence[Sequence[str]]) -> list[pl.DataFrame]:
    """`aggregate_steps` for several breakdowns at once (`collect_all` runs them side by side)."""
    keys = [["process", "activity", *check_by(by)] for by in bys]
    events = prepared.events.lazy()
    # one process in view (the page's case): group without it, one key fewer to combine per row
    single = prepared.totals["process"].to_list() if prepared.totals.height == 1 else None
    queries = [
        _aggregate(events, key[1:]).with_columns(process=pl.lit(single[0]))
        if single
        else _aggregate(events, key)
        for key in keys
    ]
    done = pl.collect_all(queries)
    return [finish_step_table(frame, key, prepared.totals) for frame, key in zip(done, keys, strict=True)]


def _group_key(events: pl.LazyFrame, key: list[str]) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """(group-by expressions, aggregations restoring the key columns). Two categorical keys are packed
    into one 64-bit integer (32 bits each, exact): a one-column group-by costs about half of two."""
    schema = events.collect_schema()
    if len(key) != 2 or any(schema[c] != pl.Categorical for c in key):
        return [pl.col(c) for c in key], []
    codes = [pl.col(c).to_physical().cast(pl.UInt64).fill_null(0xFFFFFFFF) for c in key]
    packed = (codes[0] * (1 << 32) + codes[1]).alias("__group")
    return [packed], [pl.col(c).first() for c in key]


def _aggregate(events: pl.LazyFrame, key: list[str]) -> pl.LazyFrame:
    done = pl.col("ended_at").is_not_null()
    group, restore = _group_key(events, key)
    return events.group_by(group).agg(
        *restore,
        step_order=pl.col("step_order").min(),
        target_hours=pl.col("target_hours").first(),
        # a case's first run of a step is the one not flagged as rework: counting those counts cases
        # without hashing millions of keys; only rework events need the distinct count
        n_cases=(~pl.col("is_rework")).sum(),
        n_events=pl.len(),
        n_open=(~done).sum(),
        n_completed=done.sum(),
        wait_median_hours=pl.col("wait_hours").median(),
        wait_p90_hours=pl.col("wait_hours").quantile(0.9, "linear"),
        # open steps have no duration yet (null), and no finished step time: medians skip them
        processing_median_hours=pl.col("duration_hours").median(),
        processing_p90_hours=pl.col("duration_hours").quantile(0.9, "linear"),
        step_median_hours=pl.col("finished_step_hours").median(),
        step_p90_hours=pl.col("finished_step_hours").quantile(0.9, "linear"),
        n_rework_cases=pl.col(CASE_KEY).filter(pl.col("is_rework")).n_unique(),
        n_over_cases=pl.col("is_over_case").sum(),
        excess_hours=pl.col("excess_hours").sum(),
        lateness_hours=pl.col("lateness_hours_attributed").sum(),
    )


def finish_step_table(stats: pl.DataFrame, key: list[str], totals: pl.DataFrame) -> pl.DataFrame:
    """Shares, throughput and order of a step table's raw aggregates (`totals`: per process weeks,
    excess_total, lateness_total)."""
    totals = totals.select("process", "weeks", "excess_total", "lateness_total")
    return (
        stats.drop("__group", strict=False)
        .with_columns(pl.col(key).cast(pl.String))
        .select(*key, pl.exclude(key))
        .join(totals, on="process", how="left")
        .with_columns(
            throughput_per_week=pl.col("n_completed") / pl.col("weeks"),
            rework_pct=_share("n_rework_cases", "n_cases"),
            over_target_pct=_share("n_over_cases", "n_cases"),
            excess_pct=_share("excess_hours", "excess_total"),
            lateness_pct=_share("lateness_hours", "lateness_total"),
        )
        .drop("weeks", "excess_total", "lateness_total", "n_over_cases")
        .sort(["process", "step_order", *key[2:]], nulls_last=True)
    )
