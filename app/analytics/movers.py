"""Period arithmetic on quarter strings and the biggest movers between two periods.

A change counts as real (`is_significant`) when it exceeds the 95 % margin of the difference,
sqrt(moe_now² + moe_before²): executives should not chase noise from a segment of 12 answers.
"""

from __future__ import annotations

import re

import polars as pl

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def previous_quarter(period: str) -> str | None:
    """'2025-Q1' -> '2024-Q4'; None for anything that is not a quarter string."""
    match = _QUARTER.match(period or "")
    if not match:
        return None
    year, quarter = int(match[1]), int(match[2])
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"


def latest_and_previous(periods: list[str]) -> tuple[str | None, str | None]:
    """The newest period and the one before it that also has data (None when there is only one)."""
    if not periods:
        return None, None
    ordered = sorted(periods)
    return ordered[-1], (ordered[-2] if len(ordered) > 1 else None)


def biggest_movers(
    frame: pl.DataFrame,
    keys: list[str],
    value: str,
    moe: str,
    current: str,
    previous: str,
    *,
    min_n: int = 1,
    k: int = 5,
) -> pl.DataFrame:
    """The k largest absolute changes of `value` from `previous` to `current` period, per `keys`.

    `frame` has one row per period × keys with `value`, `moe` and `n`. Groups with fewer than
    `min_n` answers in either period are left out: their change is mostly noise.
    """
    columns = [*keys, value, moe, "n"]
    now = frame.filter(pl.col("period") == current).select(columns)
    before = frame.filter(pl.col("period") == previous).select(columns)
    joined = now.join(before, on=keys, how="inner", suffix="_before")
    moved = joined.filter((pl.col("n") >= min_n) & (pl.col("n_before") >= min_n)).with_columns(
        (pl.col(value) - pl.col(f"{value}_before")).alias("change"),
        (pl.col(moe) ** 2 + pl.col(f"{moe}_before") ** 2).sqrt().alias("change_moe"),
    )
    moved = moved.filter(pl.col("change").is_not_null()).with_columns(
        (pl.col("change").abs() > pl.col("change_moe")).alias("is_significant")
    )
    return moved.sort(pl.col("change").abs(), descending=True).head(k)
