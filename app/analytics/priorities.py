"""Where to act: touchpoint importance, the importance–performance gap, suggested moments of truth.

Importance comes from the key-driver model when it exists (mean |SHAP| per touchpoint, written to
the warehouse by the drivers pipeline). Until then a documented proxy stands in: the correlation
between a touchpoint's rating and the respondent's NPS answer (negative correlations count as 0).
Either way it is scaled to 0–100 relative to the most important touchpoint, so the gap to the 0–100
performance score reads the same whatever the source:

    gap = importance_100 − score_100    (large = matters a lot, delivered poorly)
"""

from __future__ import annotations

import polars as pl

IMPORTANCE_SOURCES = ("drivers", "correlation")


def importance_table(correlations: pl.DataFrame, drivers: pl.DataFrame | None = None) -> pl.DataFrame:
    """touchpoint_id, importance_raw, importance_100 (0–100), importance_source.

    `correlations`: touchpoint_id, corr (rating vs NPS). `drivers`: touchpoint_id, importance
    (e.g. mean |SHAP|); when given and not empty it wins over the proxy for every touchpoint.
    """
    if drivers is not None and drivers.height and drivers["importance"].drop_nulls().len():
        raw = drivers.select("touchpoint_id", pl.col("importance").abs().alias("importance_raw"))
        source = "drivers"
    else:
        raw = correlations.select("touchpoint_id", pl.col("corr").clip(lower_bound=0.0).alias("importance_raw"))
        source = "correlation"
    top = raw["importance_raw"].max()
    scale = 100.0 / top if top else 0.0
    return raw.with_columns(
        (pl.col("importance_raw") * scale).alias("importance_100"),
        pl.lit(source).alias("importance_source"),
    )


def importance_performance(metrics: pl.DataFrame, importance: pl.DataFrame, min_n: int) -> pl.DataFrame:
    """Touchpoint metrics joined with importance, plus the gap; low-n touchpoints keep a null gap."""
    frame = metrics.join(importance, on="touchpoint_id", how="left")
    return frame.with_columns(
        pl.when(pl.col("n") >= min_n)
        .then(pl.col("importance_100") - pl.col("score_100"))
        .otherwise(None)
        .alias("gap")
    )


def hurting_touchpoints(ipa: pl.DataFrame, k: int = 3) -> pl.DataFrame:
    """The k touchpoints with the largest positive importance–performance gap (enough answers only)."""
    return ipa.filter(pl.col("gap").is_not_null() & (pl.col("gap") > 0)).sort("gap", descending=True).head(k)


def suggest_moments_of_truth(
    ipa: pl.DataFrame, min_n: int, importance_floor: float = 60.0
) -> pl.DataFrame:
    """Touchpoints not marked as moments of truth that behave like one in the data.

    All three must hold: high importance (importance_100 ≥ `importance_floor`), low score (below the
    median score of touchpoints with enough answers), high volume (n at least that median and ≥ min_n).
    Adds `is_suggested_mot` and `mot_strength` = importance × shortfall × relative volume, to rank them.
    """
    rated = ipa.filter(pl.col("n") >= min_n)
    if rated.is_empty():
        return ipa.with_columns(pl.lit(False).alias("is_suggested_mot"), pl.lit(None, pl.Float64).alias("mot_strength"))
    median_score = rated["score_100"].median()
    median_n = rated["n"].median()
    max_n = rated["n"].max()
    strength = (
        pl.col("importance_100") / 100.0 * (100.0 - pl.col("score_100")) / 100.0 * pl.col("n") / max_n
    )
    suggested = (
        ~pl.col("is_moment_of_truth")
        & (pl.col("n") >= max(min_n, median_n))
        & (pl.col("importance_100") >= importance_floor)
        & (pl.col("score_100") < median_score)
    )
    return ipa.with_columns(
        suggested.fill_null(False).alias("is_suggested_mot"),
        pl.when(suggested).then(strength).otherwise(None).alias("mot_strength"),
    )
