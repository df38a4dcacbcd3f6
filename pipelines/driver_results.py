"""Turn one fitted model into the frames the warehouse stores: drivers, SHAP sample, rows, what-ifs.

Per driver: mean |SHAP| where it applies (the ranking), its share, direction, bootstrap rank range and
noise test, Johnson's relative weight on the same rows and whether the two methods agree. The what-if
moves one driver by a step for every respondent who has a value, predicts through each
cross-validation fold model, and turns the predicted change into NPS points; the spread across folds
is the uncertainty the page shows.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from app.analytics import drivers as calc
from app.analytics.relative_weights import grouped_relative_weights
from pipelines.driver_design import Design, one_hot, stratified_sample
from pipelines.driver_model import Fit, TrainConfig, importance

WHATIF_STEPS: tuple[float, ...] = (-1.0, -0.5, 0.5, 1.0)
WHATIF_DRIVERS = 8  # the strongest significant drivers that can be moved get a what-if


def relative_weight_shares(design: Design) -> tuple[np.ndarray, float]:
    """Johnson's relative weight of each feature (categoricals summed over their dummies) and R²."""
    matrix, groups = one_hot(design)
    if matrix.shape[1] == 0:
        return np.zeros(len(design.specs)), 0.0
    result = grouped_relative_weights(matrix, design.y, groups, len(design.specs))
    return result.weights, result.r2


def driver_frame(design: Design, fit: Fit, stability: dict[str, np.ndarray]) -> pl.DataFrame:
    x_eval = design.x[fit.eval_index]
    where_present, overall, reach = importance(fit.contrib, x_eval)
    significant = stability["is_significant"]
    shap_rank = calc.ranks_desc(where_present)
    shown_rank = np.full(len(design.specs), None, dtype=object)
    order = [j for j in np.argsort(-where_present, kind="stable") if significant[j]]
    for position, j in enumerate(order, start=1):
        shown_rank[j] = position
    rw, _ = relative_weight_shares(design)
    rw_rank = calc.ranks_desc(rw)
    rows = []
    for j, spec in enumerate(design.specs):
        values = x_eval[:, j]
        sign, corr = ("mixed", 0.0) if spec.is_categorical else calc.direction(values, fit.contrib[:, j])
        rows.append(
            {
                "feature_id": spec.id,
                "kind": spec.kind,
                "label_en": spec.label_en,
                "label_ru": spec.label_ru,
                "unit": spec.unit,
                "touchpoint_id": spec.touchpoint_id,
                "is_categorical": spec.is_categorical,
                "scale_min": spec.scale_min,
                "scale_max": spec.scale_max,
                "importance": float(where_present[j]),
                "mean_abs_shap_all": float(overall[j]),
                "reach": float(reach[j]),
                "share": float(calc.shares(where_present)[j]),
                "direction": sign,
                "direction_corr": corr,
                "shap_rank": int(shap_rank[j]),
                "rank": shown_rank[j],
                "is_significant": bool(significant[j]),
                "beats_noise": float(stability["beats_noise"][j]),
                "rank_low": int(stability["rank_low"][j]),
                "rank_high": int(stability["rank_high"][j]),
                "rw_weight": float(rw[j]),
                "rw_share": float(calc.shares(rw)[j]),
                "rw_rank": int(rw_rank[j]),
                "agreement": calc.agreement(int(shap_rank[j]), int(rw_rank[j])) if significant[j] else None,
                "mean_value": None
                if spec.is_categorical or not np.isfinite(values).any()
                else float(np.nanmean(values)),
            }
        )
    return pl.DataFrame(
        rows,
        schema_overrides={
            "rank": pl.Int64,
            "scale_min": pl.Float64,
            "scale_max": pl.Float64,
            "mean_value": pl.Float64,
            "touchpoint_id": pl.String,
            "agreement": pl.String,
        },
    )


def sample_frames(
    design: Design, fit: Fit, config: TrainConfig, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The stored SHAP sample (long: row × feature) and its rows (who answered, actual, prediction)."""
    rng = np.random.default_rng(seed + 2)
    positions = stratified_sample(design.strata[fit.eval_index], config.store_rows, rng)
    index = fit.eval_index[positions]
    contrib, x = fit.contrib[positions], design.x[index]
    k = len(design.specs)
    labels = np.full((len(index), k), None, dtype=object)
    for j, names in design.categories.items():
        codes = x[:, j]
        labels[:, j] = [names[int(c)] if np.isfinite(c) else None for c in codes]
    row_ids = np.repeat(np.arange(len(index)), k)
    shap_long = pl.DataFrame(
        {
            "row_id": row_ids.astype(np.int32),
            "feature_id": np.tile(np.array([s.id for s in design.specs], dtype=object), len(index)).tolist(),
            "value": pl.Series(x.reshape(-1), nan_to_null=True),
            "value_label": labels.reshape(-1).tolist(),
            "shap": contrib.reshape(-1),
        },
        schema_overrides={"value_label": pl.String},
    )
    rows = design.rows[index].with_columns(
        pl.Series("row_id", np.arange(len(index), dtype=np.int32)),
        pl.Series("actual", design.y[index]),
        pl.Series("prediction", fit.base_value + contrib.sum(axis=1)),
        pl.lit(fit.base_value).alias("base_value"),
    )
    return shap_long, rows


def _moved(
    x: np.ndarray, j: int, amount: float, low: float | None, high: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows that have a value for feature j and change when it moves by `amount` (within its scale)."""
    present = np.isfinite(x[:, j])
    moved = np.clip(x[present, j] + amount, -np.inf if low is None else low, np.inf if high is None else high)
    rows = np.flatnonzero(present)[moved != x[present, j]]
    shifted = x[rows].copy()
    shifted[:, j] = np.clip(
        x[rows, j] + amount, -np.inf if low is None else low, np.inf if high is None else high
    )
    return rows, shifted


def _nps_change(
    target: str, before: np.ndarray, after: np.ndarray, answers: np.ndarray, non_passive_share: float
) -> float:
    if target == "score":
        return calc.nps_change_from_scores(answers, after - before)
    return calc.nps_change_from_promoter_odds(before, after, non_passive_share)


def whatif_frame(
    design: Design,
    fit: Fit,
    significant: np.ndarray,
    config: TrainConfig,
    seed: int,
    non_passive_share: float,
) -> pl.DataFrame:
    """ΔNPS for moving each significant, movable driver by ±½ and ±1 step, through every fold model.

    Every respondent with a value moves (within the scale); the others keep their answer. One predict
    call per fold and driver covers all steps, so the cost stays small.
    """
    rng = np.random.default_rng(seed + 3)
    index = stratified_sample(design.strata, config.whatif_rows, rng)
    x, answers = design.x[index], design.rows["nps"].to_numpy()[index].astype(float)
    before = [fold.predict(x, num_threads=config.threads) for fold in fit.folds]
    strength, _, _ = importance(fit.contrib, design.x[fit.eval_index])
    movable = [
        j for j in np.argsort(-strength, kind="stable") if design.specs[j].step is not None and significant[j]
    ]
    records = []
    for j in movable[:WHATIF_DRIVERS]:
        spec = design.specs[j]
        moves = [
            (steps, *_moved(x, j, steps * spec.step, spec.scale_min, spec.scale_max))
            for steps in WHATIF_STEPS
        ]
        moves = [m for m in moves if len(m[1]) >= 5]
        if not moves:
            continue
        stacked = np.vstack([m[2] for m in moves])
        after = [fold.predict(stacked, num_threads=config.threads) for fold in fit.folds]
        offset = 0
        for steps, rows, _ in moves:
            part = slice(offset, offset + len(rows))
            offset += len(rows)
            scale = len(rows) / len(index)  # unchanged respondents keep their answer
            nps = (
                np.array(
                    [
                        _nps_change(design.target, b[rows], a[part], answers[rows], non_passive_share)
                        for b, a in zip(before, after, strict=True)
                    ]
                )
                * scale
            )
            records.append(
                {
                    "feature_id": spec.id,
                    "steps": steps,
                    "amount": steps * spec.step,
                    "n_changed": len(rows),
                    "share_changed": float(scale),
                    "nps_change": float(nps.mean()),
                    "nps_low": float(nps.min()),
                    "nps_high": float(nps.max()),
                    "output_change": float(
                        np.mean([(a[part] - b[rows]).mean() for b, a in zip(before, after, strict=True)])
                    ),
                }
            )
    schema = {
        "feature_id": pl.String,
        "steps": pl.Float64,
        "amount": pl.Float64,
        "n_changed": pl.Int64,
        "share_changed": pl.Float64,
        "nps_change": pl.Float64,
        "nps_low": pl.Float64,
        "nps_high": pl.Float64,
        "output_change": pl.Float64,
    }
    return pl.DataFrame(records, schema=schema)
