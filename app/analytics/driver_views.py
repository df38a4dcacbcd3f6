"""Numbers behind the drivers page's charts, computed from the stored driver tables (no Streamlit).

- a waterfall: from the model's average prediction to one answer's (or one client's) prediction,
  driver by driver, the small ones folded into "other drivers";
- the importance × performance quadrant: which touchpoints matter most and score lowest;
- beeswarm and dependence frames: each answer's SHAP value with its feature value scaled 0–1 within
  the feature (colour), and a deterministic jitter so equal values do not hide each other.
"""

from __future__ import annotations

import numpy as np
import polars as pl

QUADRANTS = ("fix_first", "keep_up", "watch", "less_urgent")


def waterfall_steps(contributions: pl.DataFrame, base_value: float, top: int = 10) -> pl.DataFrame:
    """Steps of a waterfall. `contributions`: label, value_text, shap (one row per driver).

    Returns step, label, value_text, shap, start, end, kind: first the base (the model's average
    prediction: start = end = base), then the `top` drivers with the largest |SHAP| (each floating
    from the running total before it to the one after), then the rest folded into one "other" step
    (value_text = how many), then the prediction (start = base, end = base + Σ SHAP).
    """
    ordered = contributions.sort(pl.col("shap").abs(), descending=True)
    shown, rest = ordered.head(top), ordered.slice(top)
    steps = [("base", None, None, 0.0)]
    steps += [("driver", r["label"], r["value_text"], float(r["shap"])) for r in shown.to_dicts()]
    if rest.height:
        steps.append(("other", None, str(rest.height), float(rest["shap"].sum())))
    running, rows = base_value, []
    for i, (kind, label, value_text, shap) in enumerate(steps):
        rows.append(
            {
                "step": i,
                "label": label,
                "value_text": value_text,
                "shap": shap,
                "kind": kind,
                "start": running,
                "end": running + shap,
            }
        )
        running += shap
    rows.append(
        {
            "step": len(steps),
            "label": None,
            "value_text": None,
            "shap": running - base_value,
            "kind": "prediction",
            "start": base_value,
            "end": running,
        }
    )
    return pl.DataFrame(
        rows,
        schema={
            "step": pl.Int64,
            "label": pl.String,
            "value_text": pl.String,
            "shap": pl.Float64,
            "kind": pl.String,
            "start": pl.Float64,
            "end": pl.Float64,
        },
    )


def client_contributions(shap_rows: pl.DataFrame) -> pl.DataFrame:
    """Mean SHAP per driver over one client's sampled answers (SHAP is additive, so the mean of the
    contributions explains the mean prediction). Columns in: feature_id, shap, value, value_label."""
    return shap_rows.group_by("feature_id", maintain_order=True).agg(
        pl.col("shap").mean(),
        pl.col("value").mean().alias("value"),
        pl.col("value_label").drop_nulls().mode().first().alias("value_label"),
        pl.len().alias("n_answers"),
    )


def quadrants(frame: pl.DataFrame) -> tuple[pl.DataFrame, float, float]:
    """Add `quadrant` to touchpoints with `share` (importance) and `score_100` (performance).

    The cross lies at the mean share and mean score of the touchpoints shown: above-mean importance
    with below-mean score is "fix_first", above both "keep_up", below both "watch", and low importance
    with high score "less_urgent". Returns the frame and the two cut points.
    """
    scored = frame.filter(pl.col("score_100").is_not_null())
    if scored.is_empty():
        return frame.with_columns(pl.lit(None, pl.String).alias("quadrant")), 0.0, 0.0
    share_cut = float(scored["share"].mean())
    score_cut = float(scored["score_100"].mean())
    important = pl.col("share") >= share_cut
    good = pl.col("score_100") >= score_cut
    quadrant = (
        pl.when(pl.col("score_100").is_null())
        .then(None)
        .when(important & ~good)
        .then(pl.lit("fix_first"))
        .when(important & good)
        .then(pl.lit("keep_up"))
        .when(~important & ~good)
        .then(pl.lit("watch"))
        .otherwise(pl.lit("less_urgent"))
    )
    return frame.with_columns(quadrant.alias("quadrant")), share_cut, score_cut


def _jitter(keys: pl.Expr, width: float) -> pl.Expr:
    """A repeatable offset in [−width, width] from a key (the same answer lands in the same place)."""
    return ((keys.hash(seed=7) % 10_007).cast(pl.Float64) / 10_006.0 - 0.5) * 2 * width


def beeswarm_frame(shap_long: pl.DataFrame, feature_ids: list[str], every: int = 1) -> pl.DataFrame:
    """SHAP sample of the chosen features with value_scaled (0–1 within each feature; null for
    categories — they have no order — and missing values) and jitter (for the vertical spread). `every` keeps every n-th row."""
    frame = shap_long.filter(pl.col("feature_id").is_in(feature_ids) & (pl.col("row_id") % every == 0))
    low = pl.col("value").min().over("feature_id")
    high = pl.col("value").max().over("feature_id")
    scaled = pl.when(high > low).then((pl.col("value") - low) / (high - low)).otherwise(0.5)
    return frame.with_columns(
        pl.when(pl.col("value").is_null() | pl.col("value_label").is_not_null())
        .then(None)
        .otherwise(scaled)
        .alias("value_scaled"),
        _jitter(pl.col("row_id"), 0.38).alias("jitter"),
    )


def dependence_frame(
    shap_long: pl.DataFrame, feature_id: str, discrete: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One feature's answers (value, jittered value, SHAP) and the mean SHAP per value (the effect
    curve); answers without a value are left out of both (the page reports them separately)."""
    rows = shap_long.filter((pl.col("feature_id") == feature_id) & pl.col("value").is_not_null())
    width = 0.18 if discrete else 0.0
    rows = rows.with_columns((pl.col("value") + _jitter(pl.col("row_id"), width)).alias("value_jittered"))
    if rows.is_empty():
        return rows, pl.DataFrame(schema={"value": pl.Float64, "mean_shap": pl.Float64, "n": pl.UInt32})
    if discrete:
        groups = pl.col("value").alias("group")
    else:  # ten bins of equal count, so the curve follows where the answers are
        edges = np.unique(np.quantile(rows["value"].to_numpy(), np.linspace(0, 1, 11)))
        groups = pl.col("value").cut(list(edges[1:-1]), left_closed=True).alias("group")
    curve = (
        rows.with_columns(groups)
        .group_by("group")
        .agg(pl.col("value").mean(), pl.col("shap").mean().alias("mean_shap"), pl.len().alias("n"))
        .sort("value")
        .select("value", "mean_shap", "n")
    )
    return rows, curve
