"""What waiting costs in experience: each step's waiting joined to the scores of the touchpoint it
serves, per client and period.

- A step **serves** its own touchpoint (`touchpoint` in the service model); a step without one
  serves the next step's touchpoint further down the process, because that is where the customer
  feels its delay (proposal approval → the proposal the client receives). Steps after the last
  touchpoint serve none.
- **Waiting** of a client in a period = the mean waiting before that step over the client's cases
  that started in the period (days).
- Each survey answer of that client in that period is joined to it: NPS is coded per answer as +100
  (promoter), 0 (passive), −100 (detractor), so the least-squares slope of that code on waiting days
  is "NPS points per extra day of waiting"; the touchpoint's rating gets the same treatment.
- These are associations across clients, not experiments: the slope comes with its 95 % interval
  and the number of answers, and reads "goes with", never "causes".
"""

from __future__ import annotations

import math

import polars as pl

Z_95 = 1.96


def served_touchpoints(step_dim: pl.DataFrame) -> pl.DataFrame:
    """process, activity, touchpoint_id (served; null if none), is_own_touchpoint."""
    ordered = step_dim.sort("process", "step_order", descending=[False, True])
    return (
        ordered.with_columns(served=pl.col("touchpoint_id").forward_fill().over("process"))
        .select(
            "process",
            "activity",
            "step_order",
            pl.col("served").alias("touchpoint_id"),
            pl.col("touchpoint_id").is_not_null().alias("is_own_touchpoint"),
        )
        .sort("process", "step_order")
    )


def client_period_waits(steps: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """process, activity, client_id, period, wait_days (mean over the client's cases), n_events."""
    return (
        steps.lazy()
        .filter(pl.col("client_id").is_not_null() & pl.col("wait_hours").is_not_null())
        .group_by("process", "activity", "client_id", "period")
        .agg(wait_days=pl.col("wait_hours").mean() / 24.0, n_events=pl.len())
        .sort("process", "activity", "client_id", "period")
        .collect()
    )


def step_answers(
    waits: pl.DataFrame, served: pl.DataFrame, responses: pl.DataFrame, ratings: pl.DataFrame
) -> pl.DataFrame:
    """One row per step × answer of a client who waited at that step in that period.

    The join of every step's waits with every answer and rating: at a million answers it is the
    costly part, so a caller that needs several steps' figures joins once and passes it on."""
    nps_code = 100.0 * (pl.col("is_promoter").cast(pl.Int8) - pl.col("is_detractor").cast(pl.Int8))
    answers = responses.select("response_id", "client_id", "period", nps_code.alias("nps_code"))
    return (
        waits.join(served.select("process", "activity", "touchpoint_id"), on=["process", "activity"])
        .filter(pl.col("touchpoint_id").is_not_null())
        .join(answers, on=["client_id", "period"])
        .join(
            ratings.select("response_id", "touchpoint_id", "rating"),
            on=["response_id", "touchpoint_id"],
            how="left",
        )
    )


def _slope_exprs(y: str, prefix: str) -> list[pl.Expr]:
    """Least-squares slope of y on wait_days, its 95 % half-width and n, as group aggregations."""
    ok = pl.col(y).is_not_null()
    x, yy = pl.col("wait_days").filter(ok), pl.col(y).filter(ok)
    n = ok.sum()
    sxx = ((x - x.mean()) ** 2).sum()
    sxy = ((x - x.mean()) * (yy - yy.mean())).sum()
    slope = pl.when(sxx > 0).then(sxy / sxx)
    syy = ((yy - yy.mean()) ** 2).sum()
    residual = pl.when((n > 2) & (sxx > 0)).then(((syy - sxy * sxy / sxx) / (n - 2)).clip(lower_bound=0.0))
    return [
        slope.alias(f"{prefix}_per_day"),
        (Z_95 * (residual / sxx).sqrt()).alias(f"{prefix}_per_day_moe"),
        n.alias(f"n_{prefix}"),
        yy.mean().alias(f"{prefix}_mean"),
    ]


def wait_cost(
    waits: pl.DataFrame,
    served: pl.DataFrame,
    responses: pl.DataFrame,
    ratings: pl.DataFrame,
    joined: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per step: NPS points and rating points per extra day of waiting, with 95 % half-widths.

    responses: response_id, client_id, period, is_promoter, is_detractor (one row per answer);
    ratings: response_id, touchpoint_id, rating (one row per rated touchpoint); joined: their
    `step_answers` when the caller has it already.
    """
    answers = step_answers(waits, served, responses, ratings) if joined is None else joined
    stats = answers.group_by("process", "activity", "touchpoint_id").agg(
        *_slope_exprs("nps_code", "nps"),
        *_slope_exprs("rating", "rating"),
        pl.struct("client_id", "period").n_unique().alias("n_client_periods"),
        pl.col("wait_days").mean().alias("wait_days_mean"),
    )
    significant = pl.col("nps_per_day").abs() > pl.col("nps_per_day_moe")
    return (
        served.join(stats, on=["process", "activity", "touchpoint_id"], how="inner")
        .with_columns(is_nps_significant=significant.fill_null(False))
        .sort("process", "step_order")
    )


def wait_bins(
    waits: pl.DataFrame,
    served: pl.DataFrame,
    responses: pl.DataFrame,
    ratings: pl.DataFrame,
    process: str,
    activity: str,
    n_bins: int = 5,
    joined: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Answers of one step split into equal-count bins of waiting: NPS and mean rating per bin.

    `joined`: `step_answers` of all steps, when the caller has it (this step's rows are taken; the
    bins sort by waiting and response id, so they do not depend on the rows' order)."""
    this_step = (pl.col("process") == process) & (pl.col("activity") == activity)
    answers = (
        step_answers(waits.filter(this_step), served, responses, ratings)
        if joined is None
        else joined.filter(this_step)
    )
    if answers.is_empty():
        return pl.DataFrame(
            schema={
                "bin": pl.Int64,
                "wait_days_from": pl.Float64,
                "wait_days_to": pl.Float64,
                "n": pl.UInt32,
                "nps": pl.Float64,
                "n_rating": pl.UInt32,
                "rating_mean": pl.Float64,
            }
        )
    k = max(1, min(n_bins, answers.height))
    ranked = answers.sort("wait_days", "response_id").with_columns(
        bin=((pl.col("wait_days").rank("ordinal") - 1) * k // pl.len()).cast(pl.Int64)
    )
    return (
        ranked.group_by("bin")
        .agg(
            wait_days_from=pl.col("wait_days").min(),
            wait_days_to=pl.col("wait_days").max(),
            n=pl.len(),
            nps=pl.col("nps_code").mean(),
            n_rating=pl.col("rating").count(),
            rating_mean=pl.col("rating").mean(),
        )
        .sort("bin")
    )


def nps_points_lost(per_day: float | None, extra_days: float) -> float | None:
    """NPS points that `extra_days` more waiting goes with (positive = points lost)."""
    if per_day is None or math.isnan(per_day):
        return None
    return -per_day * extra_days
