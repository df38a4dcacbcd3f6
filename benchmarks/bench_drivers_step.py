"""One measured key-driver step, in its own process so its time and peak memory are its own.

python -m benchmarks.bench_drivers_step STEP ROWS FEATURES THREADS → prints one JSON line.

Steps: fit (one LightGBM model, the pipeline's settings), shap (SHAP of every row through LightGBM's
pred_contrib and through shap's TreeExplainer, alternating in one process, with their agreement),
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
SHAP_ROUNDS = 3  # alternating native / shap runs; the medians are reported


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


def _timed(function):
    """Run `function`; return its result, wall seconds and CPU seconds (all threads of this process)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - started, time.process_time() - cpu


def main(step: str, rows: int, features: int, threads: int) -> dict:
    frame, specs = synthetic(rows, features)
    config = TrainConfig(threads=threads)
    design = build_design(frame, specs, "score")
    if step == "pipeline":
        from pipelines.drivers import fit_segment

        segment = Segment("all", (), "All", "Все")
        result, seconds, cpu = _timed(lambda: fit_segment(frame, specs, segment, "score", config))
        return {"seconds": seconds, "cpu_seconds": cpu, "r2": round(float(result.model["cv_value"]), 3)}
    params = lgb_params(config, design, 7)
    booster, seconds, cpu = _timed(
        lambda: train(design.x, design.y, params, design.categorical_columns, config.n_estimators)
    )
    if step == "fit":
        return {"seconds": seconds, "cpu_seconds": cpu}
    # Both SHAP paths in one process, alternating, so neither gains from a quieter moment of the machine.
    import shap

    explainer = shap.TreeExplainer(booster)
    native_runs, explainer_runs = [], []
    for _ in range(SHAP_ROUNDS):
        (values, _), seconds, cpu = _timed(lambda: contributions(booster, design.x, threads))
        native_runs.append((seconds, cpu))
        explained, seconds, cpu = _timed(lambda: explainer.shap_values(design.x))
        explainer_runs.append((seconds, cpu))
    native, other = sorted(native_runs)[SHAP_ROUNDS // 2], sorted(explainer_runs)[SHAP_ROUNDS // 2]
    return {
        "seconds": native[0],
        "cpu_seconds": native[1],
        "explainer_seconds": other[0],
        "explainer_cpu": other[1],
        "max_abs_diff": float(np.abs(values - explained).max()),
    }


if __name__ == "__main__":
    step, rows, features, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    out = main(step, rows, features, threads)
    print(json.dumps({"name": step, **out, "peak_mb": round(peak_mb(), 1)}))
