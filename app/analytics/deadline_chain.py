"""As-is against to-be: the backward deadline chain and each step's target.

The service model gives every step of a process a to-be `target_hours` (waiting + processing) and,
for chained processes, a `deadline_offset_hours` relative to the case's due time: in the reference
case the customer wants new releases on the shelf by 18:00 (offset 0), so delivery must arrive by
17:00 (−1), dispatch by 15:00 (−3), arrival at the warehouse by 13:00 (−5), supplier shipment by
10:00 (−8). `mart_process_steps.deadline_at` holds due_at + offset per event.

A link of a case's chain is **held** when the step's last occurrence ended by its deadline,
**broken** when it ended later, or is still unfinished after the deadline has passed (open cases are
judged at the data's as-of moment), and **pending** when it is unfinished and its deadline is still
ahead. The first broken link is the one earliest in the chain. The customer's requirement is **met**
when a finished case ended by its due time; an open case past due has already missed it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from app.analytics.bottlenecks import CASE_KEY, case_key, case_lateness

NO_BREAK = "__none__"  # the summary's row for cases whose chain held (so far)
STATUS = pl.Enum(["held", "broken", "pending"])  # a byte per link, not a string (5 million links)


def chain_links(step_dim: pl.DataFrame, process: str) -> pl.DataFrame:
    """The chain of a process from the step dimension: steps with a deadline offset, in order."""
    return (
        step_dim.filter((pl.col("process") == process) & pl.col("deadline_offset_hours").is_not_null())
        .select("process", "activity", "step_order", "deadline_offset_hours", "target_hours")
        .sort("step_order")
    )


def link_status(
    steps: pl.DataFrame, cases: pl.DataFrame, links: pl.DataFrame, as_of: datetime | None
) -> pl.DataFrame:
    """One row per case × chain link: deadline, end of the step's last occurrence, status.

    Links a case ran come from its events (their deadline_at); links an open case has not reached
    yet are added from the chain (due time + offset) and judged against the as-of moment. A finished
    case that skipped a link is not judged on it."""
    lit_as_of = pl.lit(as_of, dtype=pl.Datetime("us"))
    ran = _links_ran(steps)
    ahead = (
        cases.lazy()
        .filter(~pl.col("is_complete") & pl.col("due_at").is_not_null())
        .select(case_key(), "process", "case_id", "due_at")
        .join(links.lazy().select("process", "activity", "step_order", "deadline_offset_hours"), on="process")
        .join(ran.lazy().select(CASE_KEY, "step_order"), on=[CASE_KEY, "step_order"], how="anti")
        .with_columns(
            deadline_at=pl.col("due_at")
            + pl.duration(microseconds=(pl.col("deadline_offset_hours") * 3.6e9).round().cast(pl.Int64)),
            ended_at=pl.lit(None, dtype=pl.Datetime("us")),
        )
    )
    status = (
        pl.when(pl.col("ended_at").is_not_null() & (pl.col("ended_at") <= pl.col("deadline_at")))
        .then(pl.lit("held", dtype=STATUS))
        .when(pl.col("ended_at").is_not_null() | (lit_as_of > pl.col("deadline_at")))
        .then(pl.lit("broken", dtype=STATUS))
        .otherwise(pl.lit("pending", dtype=STATUS))
    )
    return (
        pl.concat([ran.lazy(), ahead.select(ran.columns)], how="vertical_relaxed")
        .with_columns(status=status, end_vs_due_hours=_hours(pl.col("ended_at") - pl.col("due_at")))
        .collect()
    )


def _links_ran(steps: pl.DataFrame) -> pl.DataFrame:
    """Per case × chain step it ran: the end of its last occurrence (null while one is open). Only
    cases with rework have several occurrences, so only they are grouped; the rest pass through."""
    columns = ["process", "case_id", "activity", "step_order", "due_at", "deadline_at", "ended_at"]
    events = (
        steps.lazy().filter(pl.col("deadline_at").is_not_null()).select(*columns, "is_rework", case_key())
    )
    reworked = events.filter(pl.col("is_rework")).select(CASE_KEY).unique()
    plain = events.join(reworked, on=CASE_KEY, how="anti").select(CASE_KEY, *columns)
    repeated = (
        events.join(reworked, on=CASE_KEY, how="semi")
        .group_by(CASE_KEY, "step_order")
        .agg(
            pl.col("process", "case_id", "activity", "due_at", "deadline_at").first(),
            ended_at=pl.when(pl.col("ended_at").is_null().any())
            .then(None)
            .otherwise(pl.col("ended_at").max()),
        )
        .select(CASE_KEY, *columns)
    )
    return (
        pl.concat([plain, repeated])
        .with_columns(deadline_offset_hours=_hours(pl.col("deadline_at") - pl.col("due_at")))
        .collect()
    )


def _hours(expr: pl.Expr) -> pl.Expr:
    return expr.dt.total_microseconds() / 3.6e9


def first_broken(status: pl.DataFrame, cases: pl.DataFrame, as_of: datetime | None) -> pl.DataFrame:
    """Per case with a due time: the first broken link (NO_BREAK if none) and whether the
    customer's requirement was met (null while an open case is not yet due)."""
    first = (
        status.lazy()
        .filter(pl.col("status") == "broken")
        .group_by(CASE_KEY)
        .agg(first_broken=pl.col("activity").sort_by("step_order").first())
    )
    lateness = case_lateness(cases.lazy(), as_of).with_columns(case_key())
    met = (
        pl.when(pl.col("is_complete"))
        .then(pl.col("lateness_hours") <= 0)
        .when(pl.col("lateness_hours") > 0)
        .then(pl.lit(False))
        .otherwise(None)
    )
    return (
        lateness.filter(pl.col("has_due"))
        .join(first, on=CASE_KEY, how="left")
        .select(
            "process",
            "case_id",
            "is_complete",
            pl.col("first_broken").fill_null(NO_BREAK),
            met.alias("met_requirement"),
        )
        .sort(["process", "case_id"])
        .collect()
    )


def count_first_broken(first: pl.DataFrame) -> pl.DataFrame:
    """Cases per first broken link (`first_broken`: NO_BREAK when none) with how many met the
    requirement, missed it, or are pending."""
    return first.group_by("first_broken").agg(
        n_cases=pl.len(),
        n_met=(pl.col("met_requirement") == True).sum(),  # noqa: E712 (null stays out)
        n_missed=(pl.col("met_requirement") == False).sum(),  # noqa: E712
        n_pending=pl.col("met_requirement").is_null().sum(),
    )


def broken_summary(first: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """Cases by their first broken link, in chain order (held chains first)."""
    return summarise_broken(count_first_broken(first), links)


def summarise_broken(counts: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """`broken_summary` from `count_first_broken`'s counts (or the same counts from SQL)."""
    order = links.select(pl.col("activity").alias("first_broken"), "step_order")
    held = pl.DataFrame({"first_broken": [NO_BREAK], "step_order": [-1]}, schema=order.schema)
    return (
        pl.concat([held, order])
        .join(counts, on="first_broken", how="left")
        .with_columns(pl.col("n_cases", "n_met", "n_missed", "n_pending").fill_null(0))
        .with_columns(pct_cases=100.0 * pl.col("n_cases") / pl.col("n_cases").sum())
        .sort("step_order")
    )


def requirement_met_pct(first: pl.DataFrame) -> float | None:
    """Share of decided cases (finished, or open and already past due) that met the requirement."""
    decided = first["met_requirement"].drop_nulls()
    return 100.0 * decided.sum() / decided.len() if decided.len() else None


def met_pct_of_counts(counts: pl.DataFrame) -> float | None:
    """`requirement_met_pct` from `count_first_broken`'s counts."""
    met, missed = counts["n_met"].sum(), counts["n_missed"].sum()
    return 100.0 * met / (met + missed) if met + missed else None


def link_performance(status: pl.DataFrame) -> pl.DataFrame:
    """Per chain link: to-be deadline against the as-is end (median, p90, hours relative to due) and
    the share of decided links that held."""
    decided = pl.col("status") != "pending"
    return (
        status.group_by("process", "activity")
        .agg(
            step_order=pl.col("step_order").first(),
            deadline_offset_hours=pl.col("deadline_offset_hours").first(),
            end_median_hours=pl.col("end_vs_due_hours").median(),
            end_p10_hours=pl.col("end_vs_due_hours").quantile(0.1, "linear"),
            end_p90_hours=pl.col("end_vs_due_hours").quantile(0.9, "linear"),
            n_held=(pl.col("status") == "held").sum(),
            n_broken=(pl.col("status") == "broken").sum(),
            n_pending=(~decided).sum(),
        )
        .with_columns(
            held_pct=pl.when(pl.col("n_held") + pl.col("n_broken") > 0)
            .then(100.0 * pl.col("n_held") / (pl.col("n_held") + pl.col("n_broken")))
            .otherwise(None)
        )
        .sort(["process", "step_order"])
    )


def deadline_clock_labels(links: pl.DataFrame, cases: pl.DataFrame) -> dict[str, str] | None:
    """'10:00' per link when every case is due at the same time of day and the chain spans under a
    day (the release-day case); None otherwise (then offsets read as hours or days before due)."""
    due = cases.filter(pl.col("process").is_in(links["process"].unique().implode()))["due_at"].drop_nulls()
    times = due.dt.time().unique()
    if times.len() != 1 or links.is_empty() or links["deadline_offset_hours"].abs().max() >= 24:
        return None
    base = datetime.combine(datetime(2000, 1, 2), times[0])
    return {
        activity: (base + timedelta(hours=offset)).strftime("%H:%M")
        for activity, offset in links.select("activity", "deadline_offset_hours").iter_rows()
    }
