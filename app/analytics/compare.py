"""Difference maps: the same touchpoint metric for two segments or two periods, side by side.

The difference is "A minus B". Its 95 % margin is sqrt(moe_A² + moe_B²) (independent samples), and
a cell is only called different when |difference| exceeds that margin and both sides have enough
answers; otherwise the map greys it, like any low-n cell.
"""

from __future__ import annotations

import polars as pl

from app.analytics.touchpoints import MetricSpec


def difference(a: pl.DataFrame, b: pl.DataFrame, metric: MetricSpec, min_n: int) -> pl.DataFrame:
    """Per touchpoint: value_a, value_b, n_a, n_b, diff, diff_moe, is_significant, is_low_n."""
    keys = ["touchpoint_id"]
    descriptive = [c for c in a.columns if c not in (metric.value, "n") and not c.startswith(("n_", "sum_"))]
    moe_a = pl.col(f"{metric.moe}_a") if metric.moe else pl.lit(0.0)
    moe_b = pl.col(f"{metric.moe}_b") if metric.moe else pl.lit(0.0)
    side_columns = list(dict.fromkeys([metric.value, "n", *([metric.moe] if metric.moe else [])]))
    left = a.select([*dict.fromkeys([*keys, *descriptive, *side_columns])]).rename(
        {c: f"{c}_a" for c in side_columns}
    )
    right = b.select([*keys, *side_columns]).rename({c: f"{c}_b" for c in side_columns})
    joined = left.join(right, on=keys, how="left").with_columns(pl.col("n_b").fill_null(0))
    return joined.with_columns(
        (pl.col(f"{metric.value}_a") - pl.col(f"{metric.value}_b")).alias("diff"),
        (moe_a**2 + moe_b**2).sqrt().alias("diff_moe"),
        ((pl.col("n_a") < min_n) | (pl.col("n_b") < min_n)).alias("is_low_n"),
    ).with_columns(
        ((pl.col("diff").abs() > pl.col("diff_moe")) & ~pl.col("is_low_n")).fill_null(False).alias("is_significant")
    )
