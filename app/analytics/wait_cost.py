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
- The waiting is the same for every answer of a client × period, so the slope needs only each
  group's count, sum and sum of squares of the answers: DuckDB sums them per step and waiting bin
  (app/warehouse/wait_cost_queries.py) and the formulas below give the per-answer least squares
  exactly (up to float rounding) from those few rows, whatever the number of answers.
- These are associations across clients, not experiments: the slope comes with its 95 % interval
  and the number of answers, and reads "goes with", never "causes".
"""

from __future__ import annotations

import math

import polars as pl

Z_95 = 1.96
MEASURES = ("nps", "rating")
# Below this share of Σn·x², the spread of waiting is rounding noise: no slope (all clients waited alike).
NO_SPREAD = 1e-12


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


def _slope_exprs(m: str) -> list[pl.Expr]:
    """Least-squares slope of measure m on waiting days, its 95 % half-width, n and mean, from the raw
    sums of its answers (columns m_n, m_sx, m_sxx, m_sy, m_sxy, m_syy; x is the answer's wait, y its
    NPS code or rating): with N answers, x̄ = Σx / N and ȳ = Σy / N,
    Sxx = Σx² − N·x̄², Sxy = Σxy − N·x̄·ȳ, Syy = Σy² − N·ȳ² — the per-answer sums of squares."""
    n, sx, sxx_raw, sy, sxy_raw, syy_raw = (pl.col(f"{m}_{s}").sum() for s in ("n", "sx", "sxx", "sy", "sxy", "syy"))
    x_mean = pl.when(n > 0).then(sx / n)
    y_mean = pl.when(n > 0).then(sy / n)
    sxx = sxx_raw - sx * x_mean
    sxy = sxy_raw - sy * x_mean
    syy = syy_raw - sy * y_mean
    spread = sxx > NO_SPREAD * sxx_raw
    residual = pl.when((n > 2) & spread).then(((syy - sxy * sxy / sxx) / (n - 2)).clip(lower_bound=0.0))
    return [
        pl.when(spread).then(sxy / sxx).alias(f"{m}_per_day"),
        (Z_95 * (residual / sxx).sqrt()).alias(f"{m}_per_day_moe"),
        n.cast(pl.Int64).alias(f"n_{m}"),
        y_mean.alias(f"{m}_mean"),
    ]


_COST_COLUMNS = (
    "nps_per_day", "nps_per_day_moe", "n_nps", "nps_mean", "rating_per_day", "rating_per_day_moe", "n_rating",
    "rating_mean", "n_client_periods", "wait_days_mean",
)


def wait_cost(bin_sums: pl.DataFrame, served: pl.DataFrame) -> pl.DataFrame:
    """Per step: NPS points and rating points per extra day of waiting, with 95 % half-widths, the
    answers and client-quarters behind them and the answers' mean wait.

    bin_sums: wait_cost_queries.wait_cost_sums (per step × waiting bin; a step's bins summed are its
    sums); served: served_touchpoints."""
    if bin_sums.is_empty():
        return served.head(0).with_columns(
            *(pl.lit(None, dtype=pl.Float64).alias(c) for c in _COST_COLUMNS), is_nps_significant=pl.lit(False)
        )
    stats = bin_sums.group_by("process", "activity").agg(
        *(expr for m in MEASURES for expr in _slope_exprs(m)),
        pl.col("n_client_periods").sum().cast(pl.Int64),
        (pl.col("answers_sx").sum() / pl.col("n_answers").sum()).alias("wait_days_mean"),
    )
    significant = pl.col("nps_per_day").abs() > pl.col("nps_per_day_moe")
    return (
        served.join(stats, on=["process", "activity"], how="inner")
        .filter(pl.col("touchpoint_id").is_not_null())
        .with_columns(is_nps_significant=significant.fill_null(False))
        .sort("process", "step_order")
    )


def wait_bins(bin_sums: pl.DataFrame) -> pl.DataFrame:
    """Per step and bin of waiting: the waiting range, answers, their NPS and mean rating.

    The bins (5 per step on the page) have about equal answer counts but hold whole client × quarter
    groups, because every answer of a group shares its wait: ordered by wait (then client and
    quarter), a group goes to the bin its cumulative answer-count midpoint falls in. A bin is thus
    equal-count up to one group's answers, and a bin that no midpoint falls in stays out (the others
    keep their numbers). A step where every client waited the same has a single bin (it has no slope
    either). The binning runs in SQL: app/warehouse/wait_cost_queries.py."""
    if bin_sums.is_empty():
        return pl.DataFrame(schema=BIN_SCHEMA)
    return bin_sums.select(
        "process",
        "activity",
        "bin",
        "wait_days_from",
        "wait_days_to",
        pl.col("n_answers").cast(pl.Int64).alias("n"),
        pl.when(pl.col("nps_n") > 0).then(pl.col("nps_sy") / pl.col("nps_n")).alias("nps"),
        pl.col("rating_n").cast(pl.Int64).alias("n_rating"),
        pl.when(pl.col("rating_n") > 0).then(pl.col("rating_sy") / pl.col("rating_n")).alias("rating_mean"),
    ).sort("process", "activity", "bin")


BIN_SCHEMA = {
    "process": pl.String,
    "activity": pl.String,
    "bin": pl.Int64,
    "wait_days_from": pl.Float64,
    "wait_days_to": pl.Float64,
    "n": pl.Int64,
    "nps": pl.Float64,
    "n_rating": pl.Int64,
    "rating_mean": pl.Float64,
}


def nps_points_lost(per_day: float | None, extra_days: float) -> float | None:
    """NPS points that `extra_days` more waiting goes with (positive = points lost)."""
    if per_day is None or math.isnan(per_day):
        return None
    return -per_day * extra_days
