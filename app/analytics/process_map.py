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

START = "__start__"
END = "__end__"


def _ordered(steps: pl.DataFrame | pl.LazyFrame, cases: pl.DataFrame | None = None) -> pl.LazyFrame:
    """Events in case order with the previous activity; `is_case_open` from the cases' `is_complete`
    when given (a case waiting between two steps has no open step, yet it is not finished)."""
    events = (
        steps.lazy()
        .select("process", "case_id", "activity", "step_order", "started_at", "ended_at", "wait_hours")
        .sort(["process", "case_id", "started_at", "step_order"])
        .with_columns(
            source=pl.col("activity").shift(1).over("process", "case_id").fill_null(START),
            is_last=pl.col("activity").shift(-1).over("process", "case_id").is_null(),
        )
    )
    if cases is None:
        return events.with_columns(is_case_open=pl.col("ended_at").is_null().any().over("process", "case_id"))
    finished = cases.lazy().select("process", "case_id", (~pl.col("is_complete")).alias("is_case_open"))
    return events.join(finished, on=["process", "case_id"], how="left").with_columns(
        pl.col("is_case_open").fill_null(True)
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
    events = _ordered(steps, cases)
    inner = events.group_by("process", "source", pl.col("activity").alias("target")).agg(
        n_transitions=pl.len(),
        n_cases=pl.col("case_id").n_unique(),
        wait_median_hours=pl.col("wait_hours").median(),
        wait_mean_hours=pl.col("wait_hours").mean(),
    )
    finished = events.filter(pl.col("is_last") & ~pl.col("is_case_open"))
    to_end = finished.group_by("process", pl.col("activity").alias("source")).agg(
        pl.lit(END).alias("target"),
        n_transitions=pl.len(),
        n_cases=pl.col("case_id").n_unique(),
        wait_median_hours=pl.lit(None, dtype=pl.Float64),
        wait_mean_hours=pl.lit(None, dtype=pl.Float64),
    )
    edges = pl.concat([inner, to_end.select(inner.collect_schema().names())], how="vertical_relaxed")
    activity_nodes = events.group_by("process", "activity").agg(
        step_order=pl.col("step_order").min(),
        n_events=pl.len(),
        n_cases=pl.col("case_id").n_unique(),
        n_open=pl.col("ended_at").is_null().sum(),
        wait_median_hours=pl.col("wait_hours").median(),
        wait_mean_hours=pl.col("wait_hours").mean(),
    )
    ends = events.group_by("process").agg(
        n_start=pl.col("case_id").n_unique(),
        n_end=pl.col("case_id").filter(~pl.col("is_case_open")).n_unique(),
    )
    nodes = pl.concat([activity_nodes, _terminal_nodes(ends)], how="vertical_relaxed")
    return (
        nodes.sort(["process", "step_order"], nulls_last=True).collect(),
        edges.sort(["process", "source", "target"]).collect(),
    )


def _terminal_nodes(ends: pl.LazyFrame) -> pl.LazyFrame:
    def node(name: str, count: str, order: int) -> pl.LazyFrame:
        return ends.select(
            "process",
            pl.lit(name).alias("activity"),
            pl.lit(order, dtype=pl.Int64).alias("step_order"),
            pl.col(count).cast(pl.UInt32).alias("n_events"),
            pl.col(count).cast(pl.UInt32).alias("n_cases"),
            pl.lit(0, dtype=pl.UInt32).alias("n_open"),
            pl.lit(None, dtype=pl.Float64).alias("wait_median_hours"),
            pl.lit(None, dtype=pl.Float64).alias("wait_mean_hours"),
        )

    return pl.concat([node(START, "n_start", -1), node(END, "n_end", 10_000)])


def variants(
    steps: pl.DataFrame | pl.LazyFrame, cases: pl.DataFrame | None = None, top: int = 10
) -> pl.DataFrame:
    """The most frequent paths (activity sequences) of finished cases, with their share."""
    paths = (
        _ordered(steps, cases)
        .filter(~pl.col("is_case_open"))
        .group_by("process", "case_id", maintain_order=True)
        .agg(path=pl.col("activity").str.join(" → "))
        .group_by("process", "path")
        .agg(n_cases=pl.len())
        .with_columns(pct_cases=100.0 * pl.col("n_cases") / pl.col("n_cases").sum().over("process"))
        .sort(["process", "n_cases", "path"], descending=[False, True, False])
    )
    return paths.group_by("process", maintain_order=True).head(top).collect()
