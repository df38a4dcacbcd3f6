"""The follow-up figures the page and its presentation slide share, without Streamlit: which KPIs of
the tree measure follow-ups, the share of due cases past due, and the quarter-by-quarter close times.
"""

from __future__ import annotations

import polars as pl

from app.service_model import ServiceModel


def follow_up_kpi(model: ServiceModel, column: str):
    """The tree's KPI computed from mart_follow_ups' `column` (days_to_close or is_late), if any."""
    return next(
        (
            k
            for k in model.kpis
            if k.compute.kind == "sql"
            and "mart_follow_ups" in (k.compute.sql or "")
            and column in (k.compute.sql or "")
        ),
        None,
    )


def past_due_pct(n_late: int | None, n_due: int | None) -> float | None:
    """Share of due cases closed late or still open past the due date (None before any is due)."""
    return 100.0 * (n_late or 0) / n_due if n_due else None


def close_trend(by_period: pl.DataFrame) -> pl.DataFrame:
    """case_summary(by="period") with `pct_late` (the line of charts.follow_ups.close_times)."""
    return by_period.with_columns((100.0 * pl.col("n_late") / pl.col("n_due")).alias("pct_late"))
