"""Per-touchpoint scores from the additive sums: CSAT, top-2 box, NPS of raters, CES, gap to target.

Input is `touchpoint_totals` (sums per touchpoint, maybe per period/segment) joined to the touchpoint
dimension (scale, target, moment of truth). Ratings use each touchpoint's own scale (1–5, 1–10), so
anything compared across touchpoints (colours, the emotion curve, importance–performance) uses the
0–100 score: 100 · (rating − min) / (max − min).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from app.analytics.nps import mean_margin_expr, nps_expr, nps_margin_expr, share_margin_expr

DEFAULT_MIN_N = 30


@dataclass(frozen=True)
class MetricSpec:
    """How the journey map shows one metric: value column, its margin, and the colour scale."""

    key: str
    value: str  # the column shown in the cell
    moe: str | None  # its 95 % half-width, same units
    colour: str  # the column the colour encodes (comparable across touchpoints)
    domain: tuple[float, float]  # colour domain (clamped)
    mid: float | None  # diverging midpoint; None = sequential
    decimals: int
    higher_is_better: bool = True
    diff_domain: float = 20.0  # half-width of the colour domain of a difference map


METRICS: dict[str, MetricSpec] = {
    "nps": MetricSpec("nps", "nps", "nps_moe", "nps", (-50, 50), 0, 0, diff_domain=30),
    "csat": MetricSpec("csat", "csat_mean", "csat_moe", "score_100", (40, 100), 70, 2, diff_domain=10),
    "top2": MetricSpec("top2", "top2_pct", "top2_moe", "top2_pct", (20, 100), 60, 0, diff_domain=20),
    "ces": MetricSpec("ces", "avg_ces", "ces_moe", "avg_ces", (1, 7), 4, 2, higher_is_better=False, diff_domain=1),
    "responses": MetricSpec("responses", "n", None, "n", (0, 1), None, 0),
    "gap": MetricSpec("gap", "gap_to_target", "csat_moe", "gap_100", (-15, 15), 0, 2, diff_domain=10),
}


def _div(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return pl.when(b > 0).then(a / b).otherwise(None)


def touchpoint_metrics(totals: pl.DataFrame, dimension: pl.DataFrame, min_n: int = DEFAULT_MIN_N) -> pl.DataFrame:
    """One row per touchpoint (× any extra grouping in `totals`) with every journey-map metric.

    Touchpoints without answers stay in the result (n = 0, metrics null) so the map keeps its shape.
    """
    group = [c for c in totals.columns if c not in dimension.columns and not c.startswith(("n", "sum_"))]
    base = dimension.join(totals.drop("stage_id", strict=False), on="touchpoint_id", how="left")
    sums = [c for c in totals.columns if c.startswith(("n", "sum_"))]
    span = pl.col("scale_max") - pl.col("scale_min")
    frame = base.with_columns(pl.col(c).fill_null(0) for c in sums).with_columns(
        _div(pl.col("sum_rating"), pl.col("n")).alias("csat_mean"),
        mean_margin_expr("sum_rating", "sum_rating_sq", "n").alias("csat_moe"),
        _div(pl.col("sum_score_100"), pl.col("n")).alias("score_100"),
        (100.0 * _div(pl.col("n_top2"), pl.col("n"))).alias("top2_pct"),
        share_margin_expr("n_top2", "n").alias("top2_moe"),
        nps_expr(),
        nps_margin_expr(),
        _div(pl.col("sum_importance"), pl.col("n_importance")).alias("importance_stated"),
        # Σ score², from Σ rating² by the linear map to 0–100: the emotion curve's margins need it.
        ((100.0 / span) ** 2 * (pl.col("sum_rating_sq") - 2 * pl.col("scale_min") * pl.col("sum_rating")
                                + pl.col("n") * pl.col("scale_min") ** 2)).alias("sum_score_sq"),
        (pl.col("n") < min_n).alias("is_low_n"),
    )
    if "sum_ces" in frame.columns:
        frame = frame.with_columns(
            _div(pl.col("sum_ces"), pl.col("n_ces")).alias("avg_ces"),
            mean_margin_expr("sum_ces", "sum_ces_sq", "n_ces").alias("ces_moe"),
        )
    else:
        frame = frame.with_columns(pl.lit(None, pl.Float64).alias("avg_ces"), pl.lit(None, pl.Float64).alias("ces_moe"))
    frame = frame.with_columns(
        (pl.col("csat_mean") - pl.col("target")).alias("gap_to_target"),
        (100.0 * (pl.col("csat_mean") - pl.col("target")) / span).alias("gap_100"),
    )
    return frame.sort([*group, "stage_order", "touchpoint_order"])


def stage_curve(metrics: pl.DataFrame, group: list[str] | None = None) -> pl.DataFrame:
    """The emotion curve: the mean 0–100 score of each stage (answers pooled across its touchpoints).

    Stages without answers are kept with a null score so the line shows the gap.
    """
    keys = [*(group or []), "stage_id", "stage_order", "stage_label_en", "stage_label_ru"]
    per_stage = metrics.group_by(keys).agg(
        pl.col("n").sum(), pl.col("sum_score_100").sum(), pl.col("sum_score_sq").sum()
    )
    return per_stage.with_columns(
        _div(pl.col("sum_score_100"), pl.col("n")).alias("score_100"),
        mean_margin_expr("sum_score_100", "sum_score_sq", "n").alias("score_moe"),
    ).sort([*(group or []), "stage_order"])


def cell_text(value: float | None, decimals: int) -> str:
    return "–" if value is None else f"{value:.{decimals}f}"
