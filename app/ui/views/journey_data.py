"""The journey map's figures: touchpoint metrics with CES, importance and suggested moments of
truth; the emotion curve; comparisons; one touchpoint's detail. Cached by data version.
"""

from __future__ import annotations

import polars as pl

from app.analytics.compare import difference
from app.analytics.priorities import importance_performance, importance_table, suggest_moments_of_truth
from app.analytics.touchpoints import MetricSpec, stage_curve, touchpoint_metrics
from app.ui.context import cached_query
from app.ui.labels import touchpoint_label_expr
from app.warehouse.filters import Filters
from app.warehouse.scores import touchpoint_dimension, touchpoint_totals
from app.warehouse.touchpoint_queries import (
    driver_importance,
    rating_distribution,
    touchpoint_ces,
    touchpoint_comments,
    touchpoint_correlations,
    touchpoint_kpis,
)

TABLE_COLUMNS = (
    "stage_id", "touchpoint_id", "label", "n", "csat_mean", "csat_moe", "top2_pct", "top2_moe", "nps", "nps_moe",
    "avg_ces", "ces_moe", "target", "gap_to_target", "score_100", "importance_100", "importance_source",
    "is_moment_of_truth", "is_suggested_mot", "is_low_n",
)


def dimension() -> pl.DataFrame:
    return cached_query(touchpoint_dimension)


def journey_metrics(filters: Filters, min_n: int) -> pl.DataFrame:
    """Every touchpoint (in map order) with all metrics, importance and the moment-of-truth suggestion."""
    totals = cached_query(touchpoint_totals, filters)
    ces = cached_query(touchpoint_ces, filters)
    totals = totals.join(ces, on="touchpoint_id", how="left")
    metrics = touchpoint_metrics(totals, dimension(), min_n)
    importance = importance_table(cached_query(touchpoint_correlations, filters), cached_query(driver_importance))
    ipa = importance_performance(metrics, importance, min_n)
    return suggest_moments_of_truth(ipa, min_n)


def table(metrics: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The numbers behind the map, one row per touchpoint, for the table and downloads."""
    frame = metrics.with_columns(touchpoint_label_expr(lang).alias("label"))
    return frame.select([c for c in TABLE_COLUMNS if c in frame.columns])


def curve(metrics: pl.DataFrame, lang: str, min_n: int, series: str | None = None) -> pl.DataFrame:
    """Emotion-curve points: mean 0–100 score per stage with its band (and a series name)."""
    frame = stage_curve(metrics).with_columns(
        touchpoint_label_expr(lang, "stage_").alias("stage_name"),
        (pl.col("score_100") - pl.col("score_moe")).alias("score_low"),
        (pl.col("score_100") + pl.col("score_moe")).alias("score_high"),
        (pl.col("n") < min_n).alias("is_low_n"),
    )
    from app.ui.journey_frames import STAGE_WIDTH, wrap

    frame = frame.with_columns(pl.col("stage_name").map_elements(lambda s: wrap(s, STAGE_WIDTH, 2),
                                                                 return_dtype=pl.String).alias("stage_label"))
    if series is not None:
        frame = frame.with_columns(pl.lit(series).alias("series"))
    return frame.select(
        "stage_id", "stage_order", "stage_label", "stage_name", "n", "score_100", "score_moe", "score_low", "score_high",
        "is_low_n", *(["series"] if series is not None else []),
    )


def compare(filters_a: Filters, filters_b: Filters, spec: MetricSpec, min_n: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(metrics A, metrics B, difference A − B per touchpoint)."""
    a, b = journey_metrics(filters_a, min_n), journey_metrics(filters_b, min_n)
    diff = difference(a, b, spec, min_n)
    flags = a.select("touchpoint_id", "is_suggested_mot")
    if "is_suggested_mot" not in diff.columns:
        diff = diff.join(flags, on="touchpoint_id", how="left")
    return a, b, diff


def detail_trend(filters: Filters, touchpoint_id: str, min_n: int) -> pl.DataFrame:
    """One touchpoint per period: mean rating with its band, top-2 box, NPS of its raters."""
    totals = cached_query(touchpoint_totals, filters, by=("period",))
    metrics = touchpoint_metrics(totals.filter(pl.col("touchpoint_id") == touchpoint_id), dimension(), min_n)
    metrics = metrics.filter(pl.col("touchpoint_id") == touchpoint_id, pl.col("period").is_not_null())
    return metrics.select(
        "period", "n", "csat_mean", "csat_moe",
        (pl.col("csat_mean") - pl.col("csat_moe")).alias("csat_low"),
        (pl.col("csat_mean") + pl.col("csat_moe")).alias("csat_high"),
        "top2_pct", "nps", "nps_moe", "is_low_n",
    ).sort("period")


def detail_distribution(filters: Filters, touchpoint_id: str) -> pl.DataFrame:
    return cached_query(rating_distribution, filters, touchpoint_id)


def detail_comments(filters: Filters, touchpoint_id: str) -> pl.DataFrame:
    return cached_query(touchpoint_comments, filters, touchpoint_id)


def detail_kpis(filters: Filters, touchpoint_id: str) -> pl.DataFrame:
    return cached_query(touchpoint_kpis, touchpoint_id, filters)
