"""One key-driver model: LightGBM, cross-validated, explained with SHAP, checked for stability.

SHAP values come from LightGBM's own `predict(pred_contrib=True)` (TreeSHAP). shap's TreeExplainer
gives the same numbers on a LightGBM model — it calls the same routine — and is not faster
(benchmarks/bench_drivers.py measures both side by side; tests/unit/test_driver_model.py checks they
agree), so the pipeline does not need shap at run time.

Why these settings: shallow trees (depth 3) with many small steps and a monotone constraint on
touchpoint ratings (a better rating never lowers the prediction) recover the planted drivers of the
demo company and keep SHAP cheap; cross-validation folds double as the what-if's uncertainty, and
bootstrap refits with a pure-noise column measure rank stability and which effects are real.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
from sklearn.metrics import log_loss, mean_absolute_error, r2_score, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold

from app.analytics.drivers import MIN_RESPONSES, Target, bootstrap_summary
from pipelines.driver_design import Design, stratified_sample


@dataclass(frozen=True)
class TrainConfig:
    """Everything that shapes a run; stored with every run so a result can be reproduced."""

    n_estimators: int = 100
    learning_rate: float = 0.15
    num_leaves: int = 7
    max_depth: int = 3
    min_data_in_leaf: int = 20
    lambda_l2: float = 1.0
    monotone_ratings: bool = True
    folds: int = 5
    bootstrap: int = 10
    eval_rows: int = 3_000  # SHAP importances are averaged over a stratified sample this large
    store_rows: int = 1_200  # rows whose SHAP values are stored for the beeswarm and waterfalls
    bootstrap_rows: int = 200  # rows explained in each bootstrap refit
    whatif_rows: int = 400
    min_n: int = MIN_RESPONSES  # below this many answers a segment gets no model
    min_class: int = 20  # promoter target: at least this many promoters and detractors
    seed: int = 7
    threads: int = 1

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


@dataclass
class Fit:
    booster: lgb.Booster
    folds: list[lgb.Booster]
    quality: dict[str, float]
    eval_index: np.ndarray  # rows explained (stratified sample)
    contrib: np.ndarray  # SHAP values of eval rows × features
    base_value: float


def lgb_params(config: TrainConfig, design: Design, seed: int, extra_columns: int = 0) -> dict[str, object]:
    params: dict[str, object] = {
        "objective": "regression" if design.target == "score" else "binary",
        "learning_rate": config.learning_rate,
        "num_leaves": config.num_leaves,
        "max_depth": config.max_depth,
        "min_data_in_leaf": config.min_data_in_leaf,
        "lambda_l2": config.lambda_l2,
        "feature_fraction": 0.9,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "max_bin": 63,
        "min_data_per_group": 10,
        "cat_smooth": 10.0,
        "seed": seed,
        "deterministic": True,
        "num_threads": config.threads,
        "force_col_wise": True,
        "verbose": -1,
    }
    if config.monotone_ratings:
        params["monotone_constraints"] = [s.monotone for s in design.specs] + [0] * extra_columns
    return params


def train(x: np.ndarray, y: np.ndarray, params: dict, categorical: list[int], rounds: int) -> lgb.Booster:
    dataset = lgb.Dataset(
        x,
        y,
        categorical_feature=categorical or "auto",
        free_raw_data=True,
        params={"verbose": -1, "max_bin": params["max_bin"], "num_threads": params["num_threads"]},
    )
    # keep_training_booster skips LightGBM's text round trip of the finished model (~10 % of a fit).
    return lgb.train(params, dataset, num_boost_round=rounds, keep_training_booster=True)


def contributions(booster: lgb.Booster, x: np.ndarray, threads: int = 1) -> tuple[np.ndarray, float]:
    """SHAP values (rows × features, in the model's raw output units) and the expected value."""
    out = booster.predict(x, pred_contrib=True, num_threads=threads)
    return out[:, :-1], float(out[0, -1]) if len(out) else 0.0


def _splitter(design: Design, config: TrainConfig, seed: int):
    n_splits = min(config.folds, max(2, len(design.y) // 20))
    if design.target == "promoter":
        return StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(design.x, design.y)
    return KFold(n_splits=n_splits, shuffle=True, random_state=seed).split(design.x)


def cross_validate(
    design: Design, config: TrainConfig, seed: int
) -> tuple[list[lgb.Booster], dict[str, float]]:
    """Fold models and out-of-fold quality next to the trivial baseline (the training fold's mean)."""
    params = lgb_params(config, design, seed)
    oof, base = np.zeros(len(design.y)), np.zeros(len(design.y))
    boosters, per_fold = [], []
    for train_index, test_index in _splitter(design, config, seed):
        booster = train(
            design.x[train_index],
            design.y[train_index],
            params,
            design.categorical_columns,
            config.n_estimators,
        )
        boosters.append(booster)
        oof[test_index] = booster.predict(design.x[test_index], num_threads=config.threads)
        base[test_index] = design.y[train_index].mean()
        per_fold.append(_primary(design.target, design.y[test_index], oof[test_index]))
    quality = _quality(design.target, design.y, oof, base)
    quality["cv_sd"] = float(np.std(per_fold, ddof=1)) if len(per_fold) > 1 else 0.0
    quality["folds"] = float(len(boosters))
    return boosters, quality


def _primary(target: Target, y: np.ndarray, predicted: np.ndarray) -> float:
    if target == "score":
        return float(r2_score(y, predicted))
    return float(roc_auc_score(y, predicted)) if 0 < y.sum() < len(y) else 0.5


def _quality(target: Target, y: np.ndarray, oof: np.ndarray, base: np.ndarray) -> dict[str, float]:
    if target == "score":
        return {
            "metric": "r2",
            "cv_value": float(r2_score(y, oof)),
            "baseline_value": float(r2_score(y, base)),
            "error_metric": "mae",
            "cv_error": float(mean_absolute_error(y, oof)),
            "baseline_error": float(mean_absolute_error(y, base)),
        }
    clipped = np.clip(base, 1e-6, 1 - 1e-6)
    return {
        "metric": "auc",
        "cv_value": float(roc_auc_score(y, oof)),
        "baseline_value": 0.5,
        "error_metric": "log_loss",
        "cv_error": float(log_loss(y, np.clip(oof, 1e-6, 1 - 1e-6))),
        "baseline_error": float(log_loss(y, clipped)),
    }


def fit(design: Design, config: TrainConfig, seed: int) -> Fit:
    """Cross-validate, train the full model, and explain a stratified sample of its answers."""
    folds, quality = cross_validate(design, config, seed)
    booster = train(
        design.x, design.y, lgb_params(config, design, seed), design.categorical_columns, config.n_estimators
    )
    rng = np.random.default_rng(seed)
    eval_index = stratified_sample(design.strata, config.eval_rows, rng)
    contrib, base_value = contributions(booster, design.x[eval_index], config.threads)
    return Fit(
        booster=booster,
        folds=folds,
        quality=quality,
        eval_index=eval_index,
        contrib=contrib,
        base_value=base_value,
    )


def importance(contrib: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean |SHAP| where the feature has a value (the ranking measure), over all rows, and its reach.

    A touchpoint only some respondents rate would look unimportant if the rows without a rating
    (SHAP near zero) were averaged in; its effect where it is experienced is what the ranking uses.
    """
    present = np.isfinite(x)
    absolute = np.abs(contrib)
    counts = present.sum(axis=0)
    where_present = np.divide(
        (absolute * present).sum(axis=0), counts, out=np.zeros(x.shape[1]), where=counts > 0
    )
    return where_present, absolute.mean(axis=0), present.mean(axis=0)


def bootstrap(design: Design, config: TrainConfig, seed: int) -> dict[str, np.ndarray]:
    """Refit on resampled answers with one shadow column; summarise ranks and the noise test.

    The shadow is a shuffled copy of a randomly chosen numeric feature (its missing values included),
    so it looks like a real rating but cannot carry information: a driver that does not beat it in
    nearly every resample has an effect we cannot tell from zero.
    """
    rng = np.random.default_rng(seed + 1)
    n, k = design.x.shape
    params = lgb_params(config, design, seed, extra_columns=1)
    explain = stratified_sample(design.strata, config.bootstrap_rows, rng)
    numeric = [j for j in range(k) if j not in design.categories] or list(range(k))
    scores, noise = [], []
    for b in range(config.bootstrap):
        params["seed"] = seed + 100 + b
        resample = rng.integers(0, n, n)
        shadow = rng.permutation(design.x[:, numeric[rng.integers(0, len(numeric))]])
        noisy = np.column_stack([design.x, shadow])
        booster = train(
            noisy[resample], design.y[resample], params, design.categorical_columns, config.n_estimators
        )
        contrib, _ = contributions(booster, noisy[explain], config.threads)
        where_present, _, _ = importance(contrib, noisy[explain])
        scores.append(where_present[:k])
        noise.append(where_present[k])
    return bootstrap_summary(np.vstack(scores), np.array(noise))
