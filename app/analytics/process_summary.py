"""Process-level summaries of the bottleneck views: cases, open and late ones, lead time, and the
Pareto of delay by step (see `app.analytics.bottlenecks` for the definitions of lateness and
overrun)."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from app.analytics.bottlenecks import case_lateness

UNATTRIBUTED = "__unattributed__"  # the Pareto's row for late hours no step explains


def case_summary(cases: pl.DataFrame, as_of: datetime | None) -> pl.DataFrame:
    """Per process: cases, open ones, late ones, on-time share and lead time of completed cases."""
    lateness = case_lateness(cases.lazy(), as_of).select("process", "case_id", "has_due", "lateness_hours")
    frame = cases.lazy().join(lateness, on=["process", "case_id"], how="left")
    complete_due = pl.col("is_complete") & pl.col("has_due")
    return (
        frame.group_by("process")
        .agg(
            n_cases=pl.len(),
            n_open=(~pl.col("is_complete")).sum(),
            n_open_overdue=(~pl.col("is_complete") & (pl.col("lateness_hours") > 0)).sum(),
            n_complete_with_due=complete_due.sum(),
            n_late=(complete_due & (pl.col("lateness_hours") > 0)).sum(),
            lead_median_hours=pl.col("lead_time_hours").median(),
            lead_p90_hours=pl.col("lead_time_hours").quantile(0.9, "linear"),
            late_hours_total=pl.col("lateness_hours").sum(),
        )
        .with_columns(
            on_time_pct=pl.when(pl.col("n_complete_with_due") > 0)
            .then(100.0 * (1 - pl.col("n_late") / pl.col("n_complete_with_due")))
            .otherwise(None)
        )
        .sort("process")
        .collect()
    )


def delay_pareto(stats: pl.DataFrame, unattributed_hours: float | None = None) -> pl.DataFrame:
    """Delay by step, largest first, with the cumulative share: lateness when any case is late,
    else hours over the to-be target. `stats` is `step_stats` without a breakdown."""
    use_lateness = stats["lateness_hours"].sum() > 0
    measure = "lateness_hours" if use_lateness else "excess_hours"
    frame = stats.select("process", "activity", "step_order", pl.col(measure).alias("delay_hours"))
    if use_lateness and unattributed_hours:
        extra = pl.DataFrame(
            {
                "process": [stats["process"][0]],
                "activity": [UNATTRIBUTED],
                "step_order": [None],
                "delay_hours": [float(unattributed_hours)],
            },
            schema=frame.schema,
        )
        frame = pl.concat([frame, extra])
    total = frame["delay_hours"].sum()
    return (
        frame.filter(pl.col("delay_hours") > 0)
        .sort(["delay_hours", "step_order"], descending=[True, False])
        .with_columns(
            delay_pct=100.0 * pl.col("delay_hours") / total,
            cumulative_pct=100.0 * pl.col("delay_hours").cum_sum() / total,
            measure=pl.lit("lateness" if use_lateness else "excess"),
        )
    )


def unattributed_lateness(stats: pl.DataFrame, summary: pl.DataFrame, process: str) -> float:
    """Late hours of a process that no step's overrun explains (due date tighter than the to-be)."""
    total = summary.filter(pl.col("process") == process)["late_hours_total"].sum()
    attributed = stats.filter(pl.col("process") == process)["lateness_hours"].sum()
    rest = float(total or 0.0) - float(attributed or 0.0)
    # the two sums are the same hours added in another order: a remainder at rounding size is none
    return rest if rest > 1e-9 * float(total or 0.0) else 0.0
