"""The directly-follows graph of a process: which activity follows which, how often, and how long
cases wait on each transition.

Within a case, events are ordered by start time (then by the step's order in the service model);
each consecutive pair is one transition. Every case begins with a transition from START; a finished
case ends with one into END, an open case has none yet (its open step carries `n_open`). The wait on
a transition is the waiting before its target step, so a node's colour and its incoming edges tell
the same story. Rework shows as an edge back to an earlier step (or to the same one).
"""

from __future__ import annotations

import polars as pl

from app.analytics.bottlenecks import CASE_KEY, case_key

START = "__start__"
END = "__end__"


def _with_neighbours(steps: pl.LazyFrame, names: list[str]) -> pl.LazyFrame:
    """source (previous activity or START) and is_last per event. The mart carries them
    (previous_activity, is_last_event: DuckDB's window at load time); other frames are sorted by a
    64-bit case key and start time, and read by a plain shift where the key repeats."""
    if "previous_activity" in names and "is_last_event" in names:
        return steps.with_columns(
            source=pl.col("previous_activity").fill_null(pl.lit(START)), is_last=pl.col("is_last_event")
        )
    key = pl.col(CASE_KEY)
    return steps.sort([CASE_KEY, "started_at", "step_order"]).with_columns(
        source=pl.when(key == key.shift(1)).then(pl.col("activity").shift(1)).otherwise(pl.lit(START)),
        is_last=(key != key.shift(-1)).fill_null(True),
    )


def _events(steps: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    steps = steps.lazy()
    names = steps.collect_schema().names()
    extra = [c for c in ("previous_activity", "is_last_event") if c in names]
    columns = ["process", "case_id", "activity", "step_order", "started_at", "ended_at", "wait_hours", *extra]
    return _with_neighbours(steps.select(*columns, case_key()), names).collect()


def _open_cases(events: pl.DataFrame, cases: pl.DataFrame | None) -> pl.LazyFrame:
    """CASE_KEY, is_case_open: from the cases' `is_complete` when given (a case waiting between two
    steps has no open step, yet it is not finished), else from open steps."""
    if cases is not None:
        return cases.lazy().select(case_key(), (~pl.col("is_complete")).alias("is_case_open"))
    return events.lazy().group_by(CASE_KEY).agg(is_case_open=pl.col("ended_at").is_null().any())


def _ordered(steps: pl.DataFrame | pl.LazyFrame, cases: pl.DataFrame | None = None) -> pl.LazyFrame:
    """Events with the previous activity and whether their case is still open."""
    events = _events(steps)
    return (
        events.lazy()
        .join(_open_cases(events, cases), on=CASE_KEY, how="left")
        .with_columns(pl.col("is_case_open").fill_null(True))
    )


def directly_follows(
    steps: pl.DataFrame | pl.LazyFrame, cases: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(nodes, edges) of each process in `steps`; pass `cases` (mart_process_cases) so that only
    finished cases lead to END.

    nodes: process, activity (START/END included), step_order, n_events, n_cases, n_open,
    wait_median_hours, wait_mean_hours. edges: process, source, target, n_transitions, n_cases,
    wait_median_hours, wait_mean_hours.
    """
    events = _events(steps)
    edges = _edges(events, cases)
    activity_nodes = (
        events.lazy()
        .group_by("process", "activity")
        .agg(
            step_order=pl.col("step_order").min(),
            n_events=pl.len(),
            n_cases=pl.col(CASE_KEY).n_unique(),
            n_open=pl.col("ended_at").is_null().sum(),
            wait_median_hours=pl.col("wait_hours").median(),
            wait_mean_hours=pl.col("wait_hours").mean(),
        )
    )
    nodes = pl.concat([activity_nodes.collect(), terminal_nodes(edges)], how="vertical_relaxed")
    return (
        nodes.sort(["process", "step_order"], nulls_last=True),
        edges.sort(["process", "source", "target"]),
    )


def _edges(events: pl.DataFrame, cases: pl.DataFrame | None) -> pl.DataFrame:
    """Transitions between activities, plus each finished case's last activity → END."""
    inner = (
        events.lazy()
        .group_by("process", "source", pl.col("activity").alias("target"))
        .agg(
            n_transitions=pl.len(),
            n_cases=pl.col(CASE_KEY).n_unique(),
            wait_median_hours=pl.col("wait_hours").median(),
            wait_mean_hours=pl.col("wait_hours").mean(),
        )
    )
    finished = (
        events.lazy()
        .filter(pl.col("is_last"))
        .join(_open_cases(events, cases), on=CASE_KEY, how="left")
        .filter(pl.col("is_case_open").not_())
    )
    to_end = finished.group_by("process", pl.col("activity").alias("source")).agg(
        pl.lit(END).alias("target"),
        n_transitions=pl.len(),
        n_cases=pl.len(),  # one last event per case
        wait_median_hours=pl.lit(None, dtype=pl.Float64),
        wait_mean_hours=pl.lit(None, dtype=pl.Float64),
    )
    return pl.concat([inner, to_end.select(inner.collect_schema().names())], how="vertical_relaxed").collect()


def terminal_nodes(edges: pl.DataFrame) -> pl.DataFrame:
    """START holds every case (each has one first event), END every finished one."""
    starts = edges.filter(pl.col("source") == START).group_by("process").agg(n=pl.col("n_transitions").sum())
    ends = edges.filter(pl.col("target") == END).group_by("process").agg(n=pl.col("n_transitions").sum())

    def node(frame: pl.DataFrame, name: str, order: int) -> pl.DataFrame:
        return frame.select(
            "process",
            pl.lit(name).alias("activity"),
            pl.lit(order, dtype=pl.Int64).alias("step_order"),
            pl.col("n").cast(pl.UInt32).alias("n_events"),
            pl.col("n").cast(pl.UInt32).alias("n_cases"),
            pl.lit(0, dtype=pl.UInt32).alias("n_open"),
            pl.lit(None, dtype=pl.Float64).alias("wait_median_hours"),
            pl.lit(None, dtype=pl.Float64).alias("wait_mean_hours"),
        )

    return pl.concat([node(starts, START, -1), node(ends, END, 10_000)])


def _case_paths(steps: pl.DataFrame | pl.LazyFrame, cases: pl.DataFrame | None) -> pl.LazyFrame:
    """process, path of each finished case: from the cases' `variant` (mart_process_cases joins each
    case's activities at load time) when they carry it, else from the events, sorted per case."""
    if cases is not None and "variant" in cases.columns:
        return cases.lazy().filter(pl.col("is_complete")).select("process", pl.col("variant").alias("path"))
    return (
        _ordered(steps, cases)
        .filter(~pl.col("is_case_open"))
        .sort([CASE_KEY, "started_at", "step_order"])
        .group_by("process", CASE_KEY, maintain_order=True)
        .agg(path=pl.col("activity").str.join(" → "))
    )


def variants(
    steps: pl.DataFrame | pl.LazyFrame, cases: pl.DataFrame | None = None, top: int = 10
) -> pl.DataFrame:
    """The most frequent paths (activity sequences in order of start) of finished cases, with their
    share."""
    paths = (
        _case_paths(steps, cases)
        .group_by("process", "path")
        .agg(n_cases=pl.len())
        .with_columns(pct_cases=100.0 * pl.col("n_cases") / pl.col("n_cases").sum().over("process"))
        .sort(["process", "n_cases", "path"], descending=[False, True, False])
    )
    return paths.group_by("process", maintain_order=True).head(top).collect()
