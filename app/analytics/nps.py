"""NPS, its margin of error, and the other per-group statistics computed from additive sums.

The marts store counts and sums, never averages, so any filter can re-aggregate them; these functions
turn the sums into the figures a user reads. Definitions follow the domain primer (DOMAIN.md):

- NPS = %promoters (9–10) − %detractors (0–6), −100…+100.
- Its 95 % margin of error = 1.96 · sqrt((P + D − (P − D)²) / n) · 100, P and D as shares.
- A mean rating's 95 % margin = 1.96 · s / sqrt(n), s the sample standard deviation from Σx and Σx².
- A share's 95 % margin (top-2 box) = 1.96 · sqrt(p (1 − p) / n) · 100 (Wald).
Groups with n = 0 get nulls, not zeros or NaN, so charts leave them out instead of drawing them at 0.
"""

from __future__ import annotations

import math

import polars as pl

Z_95 = 1.96


def nps_value(promoters: float, detractors: float, n: float) -> float | None:
    """NPS in points for one group; None without answers."""
    if n <= 0:
        return None
    return 100.0 * (promoters - detractors) / n


def nps_margin(promoters: float, detractors: float, n: float) -> float | None:
    """Half-width of the 95 % interval of NPS, in points (DOMAIN.md's formula)."""
    if n <= 0:
        return None
    p, d = promoters / n, detractors / n
    variance = p + d - (p - d) ** 2
    return Z_95 * math.sqrt(max(variance, 0.0) / n) * 100.0


def _safe_div(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)


def nps_expr(promoters: str = "n_promoters", detractors: str = "n_detractors", n: str = "n") -> pl.Expr:
    return (100.0 * _safe_div(pl.col(promoters) - pl.col(detractors), pl.col(n))).alias("nps")


def nps_margin_expr(promoters: str = "n_promoters", detractors: str = "n_detractors", n: str = "n") -> pl.Expr:
    p = _safe_div(pl.col(promoters), pl.col(n))
    d = _safe_div(pl.col(detractors), pl.col(n))
    variance = (p + d - (p - d) ** 2).clip(lower_bound=0.0)
    return (Z_95 * (_safe_div(variance, pl.col(n))).sqrt() * 100.0).alias("nps_moe")


def with_nps(frame: pl.DataFrame) -> pl.DataFrame:
    """Add nps, nps_moe, nps_low, nps_high and the promoter/detractor shares (%) to summed counts."""
    return frame.with_columns(
        nps_expr(),
        nps_margin_expr(),
        (100.0 * _safe_div(pl.col("n_promoters"), pl.col("n"))).alias("pct_promoters"),
        (100.0 * _safe_div(pl.col("n_detractors"), pl.col("n"))).alias("pct_detractors"),
    ).with_columns(
        (pl.col("nps") - pl.col("nps_moe")).clip(lower_bound=-100.0).alias("nps_low"),
        (pl.col("nps") + pl.col("nps_moe")).clip(upper_bound=100.0).alias("nps_high"),
    )


def mean_margin_expr(total: str, total_sq: str, n: str) -> pl.Expr:
    """95 % half-width of a mean from Σx, Σx² and n (sample variance; null below 2 answers)."""
    mean = _safe_div(pl.col(total), pl.col(n))
    sample_var = _safe_div(pl.col(total_sq) - pl.col(n) * mean**2, pl.col(n) - 1).clip(lower_bound=0.0)
    return pl.when(pl.col(n) > 1).then(Z_95 * (sample_var / pl.col(n)).sqrt()).otherwise(None)


def share_margin_expr(count: str, n: str) -> pl.Expr:
    """95 % half-width, in percentage points, of the share count / n (Wald interval)."""
    p = _safe_div(pl.col(count), pl.col(n))
    return Z_95 * (_safe_div(p * (1 - p), pl.col(n))).sqrt() * 100.0


def with_ces(frame: pl.DataFrame) -> pl.DataFrame:
    """Add avg_ces (1–7, lower is better) from sum_ces / n_ces."""
    return frame.with_columns(_safe_div(pl.col("sum_ces"), pl.col("n_ces")).alias("avg_ces"))


def total_row(frame: pl.DataFrame, sums: tuple[str, ...]) -> pl.DataFrame:
    """Collapse grouped sums into one row (the sums are additive by construction)."""
    present = [c for c in sums if c in frame.columns]
    return frame.select(pl.col(c).sum() for c in present)
