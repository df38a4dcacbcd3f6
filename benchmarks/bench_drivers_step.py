"""One measured key-driver step, in its own process so its time and peak memory are its own.

python -m benchmarks.bench_drivers_step STEP ROWS FEATURES THREADS → prints one JSON line.

Steps: fit (one LightGBM model, the pipeline's settings), shap_native / shap_explainer (SHAP of every
row through LightGBM's pred_contrib or shap's TreeExplainer; both also report their agreement),
pipeline (everything the drivers pipeline does for one model: 5-fold CV, the full model, SHAP of the
stratified sample, 10 bootstrap refits with a shadow column, Johnson's weights, what-ifs).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import polars as pl

from benchmarks.common import peak_mb
from pipelines.driver_design import build_design
from pipelines.driver_features import FeatureSpec
from pipelines.driver_model import TrainConfig, contributions, lgb_params, train
from pipelines.driver_segments import Segment

N_CATEGORICAL, N_OPERATIONAL = 3, 3


def synthetic(rows: int, features: int, seed: int = 1) -> tuple[pl.DataFrame, list[FeatureSpec]]:
    """Survey-like answers: ratings 1–5 sharing a client mood, 40 % unrated, a few operational facts and
    client attributes; the 0–10 answer driven by a handful of ratings."""
    rng = np.random.default_rng(seed)
    n_ratings = features - N_CATEGORICAL - N_OPERATIONAL
    mood = rng.normal(size=rows)
    latent = 0.4 * mood[:, None] + 0.92 * rng.normal(size=(rows, n_ratings))
    ratings = np.clip(np.round(3.9 + 0.85 * latent + rng.normal(0, 0.3, latent.shape)), 1, 5)
    weights = np.zeros(n_ratings)
    weights[:7] = [1.5, 1.05, 0.8, 0.55, 0.2, 0.15, 0.12]
    answer = np.clip(np.round(7.6 + latent @ weights + 0.4 * mood + rng.normal(0, 1.2, rows)), 0, 10).astype(
        int
    )
    ratings[rng.random(ratings.shape) < 0.4] = np.nan
    data: dict[str, object] = {f"rating_{j}": ratings[:, j] for j in range(n_ratings)}
    data |= {
        f"ops_{j}": np.where(rng.random(rows) < 0.3, np.nan, rng.gamma(2.0, 2.0, rows))
        for j in range(N_OPERATIONAL)
    }
    data |= {f"client_{j}": rng.choice(["a", "b", "c", "d"], rows) for j in range(N_CATEGORICAL)}
    frame = pl.DataFrame(
        {
            "response_id": [f"R{i:07d}" for i in range(rows)],
            "client_id": [f"C{i % 5000:05d}" for i in range(rows)],
            "client_name": [f"Client {i % 5000}" for i in range(rows)],
            "period": ["2026-Q1"] * rows,
            "nps": answer,
            "is_promoter": answer >= 9,
            "is_detractor": answer <= 6,
            "nps_class": np.where(answer >= 9, "promoter", np.where(answer >= 7, "passive", "detractor")),
            "business_unit": data["client_0"],
            **data,
        }
    )
    specs = [
        FeatureSpec(
            f"rating_{j}",
            "touchpoint",
            f"R{j}",
            f"R{j}",
            "rating",
            f"tp{j}",
            monotone=1,
            scale_min=1,
            scale_max=5,
            step=1.0,
        )
        for j in range(n_ratings)
    ]
    specs += [
        FeatureSpec(f"ops_{j}", "operational", f"O{j}", f"O{j}", "days", scale_min=0, step=1.0)
        for j in range(N_OPERATIONAL)
    ]
    specs += [
        FeatureSpec(f"client_{j}", "client", f"C{j}", f"C{j}", is_categorical=True)
        for j in range(N_CATEGORICAL)
    ]
    return frame, specs


def main(step: str, rows: int, features: int, threads: int) -> dict:
    frame, specs = synthetic(rows, features)
    config = TrainConfig(threads=threads)
    design = build_design(frame, specs, "score")
    if step == "pipeline":
        from pipelines.drivers import fit_segment

        started = time.perf_counter()
        result = fit_segment(frame, specs, Segment("all", (), "All", "Все"), "score", config)
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "status": result.model["status"],
            "r2": round(float(result.model["cv_value"]), 3),
        }
    started = time.perf_counter()
    booster = train(
        design.x, design.y, lgb_params(config, design, 7), design.categorical_columns, config.n_estimators
    )
    fit_seconds = time.perf_counter() - started
    if step == "fit":
        return {"seconds": fit_seconds}
    started = time.perf_counter()
    if step == "shap_native":
        values, _ = contributions(booster, design.x, threads)
    else:
        import shap

        values = shap.TreeExplainer(booster).shap_values(design.x)
    seconds = time.perf_counter() - started
    reference, _ = contributions(booster, design.x[:2000], threads)  # agreement on the first rows
    return {
        "seconds": seconds,
        "fit_seconds": fit_seconds,
        "max_abs_diff": float(np.abs(values[:2000] - reference).max()),
    }


if __name__ == "__main__":
    step, rows, features, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    out = main(step, rows, features, threads)
    print(json.dumps({"name": step, **out, "peak_mb": round(peak_mb(), 1)}))
