"""One key-driver model on small synthetic answers with tiny LightGBM models: SHAP adds up, agrees
with shap's TreeExplainer, finds the planted driver, greys out noise, and the what-if moves NPS."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest
import shap

from pipelines.driver_design import build_design, one_hot, stratified_sample
from pipelines.driver_features import FeatureSpec
from pipelines.driver_model import TrainConfig, bootstrap, contributions, fit, importance
from pipelines.driver_results import driver_frame, sample_frames, whatif_frame
from pipelines.driver_segments import Segment
from pipelines.drivers import fit_segment

TINY = TrainConfig(
    n_estimators=30,
    learning_rate=0.2,
    folds=3,
    bootstrap=6,
    eval_rows=600,
    store_rows=200,
    bootstrap_rows=150,
    whatif_rows=300,
    min_n=100,
    min_class=20,
)
SPECS = [
    FeatureSpec(
        "rating_strong",
        "touchpoint",
        "Strong",
        "Сильный",
        "rating",
        "strong",
        monotone=1,
        scale_min=1,
        scale_max=5,
        step=1.0,
    ),
    FeatureSpec(
        "rating_weak",
        "touchpoint",
        "Weak",
        "Слабый",
        "rating",
        "weak",
        monotone=1,
        scale_min=1,
        scale_max=5,
        step=1.0,
    ),
    FeatureSpec(
        "rating_noise",
        "touchpoint",
        "Noise",
        "Шум",
        "rating",
        "noise",
        monotone=1,
        scale_min=1,
        scale_max=5,
        step=1.0,
    ),
    FeatureSpec(
        "rating_rare",
        "touchpoint",
        "Rare",
        "Редкий",
        "rating",
        "rare",
        monotone=1,
        scale_min=1,
        scale_max=5,
        step=1.0,
    ),
    FeatureSpec("constant", "client", "Constant", "Константа", is_categorical=True),
    FeatureSpec("business_unit", "client", "Unit", "Единица", is_categorical=True),
]


def synthetic_answers(n: int = 800, seed: int = 1) -> pl.DataFrame:
    """NPS answers driven by one strong and one weak rating; a third rating is pure noise."""
    rng = np.random.default_rng(seed)
    strong, weak, noise = (rng.integers(1, 6, n).astype(float) for _ in range(3))
    weak[rng.random(n) < 0.3] = np.nan  # not everyone rates it
    rare = np.where(rng.random(n) < 0.01, 3.0, np.nan)  # too few answers to keep
    unit = rng.choice(["north", "south"], n)
    score = (
        2.0 + 1.4 * strong + 0.5 * np.nan_to_num(weak - 3) + 0.6 * (unit == "north") + rng.normal(0, 0.8, n)
    )
    nps = np.clip(np.round(score), 0, 10).astype(int)
    return pl.DataFrame(
        {
            "response_id": [f"R{i:04d}" for i in range(n)],
            "client_id": [f"C{i % 90:03d}" for i in range(n)],
            "client_name": [f"Client {i % 90}" for i in range(n)],
            "period": ["2026-Q1"] * n,
            "nps": nps,
            "is_promoter": nps >= 9,
            "is_detractor": nps <= 6,
            "nps_class": np.where(nps >= 9, "promoter", np.where(nps >= 7, "passive", "detractor")),
            "business_unit": unit,
            "rating_strong": strong,
            "rating_weak": weak,
            "rating_noise": noise,
            "rating_rare": rare,
            "constant": ["same"] * n,
        }
    )


@pytest.fixture(scope="module")
def answers() -> pl.DataFrame:
    return synthetic_answers()


@pytest.mark.parametrize("target", ["score", "promoter"])
def test_shap_rows_add_up_to_the_models_output(answers, target):
    design = build_design(answers, SPECS, target)
    fitted = fit(design, TINY, seed=3)
    x = design.x[fitted.eval_index]
    raw = fitted.booster.predict(x, raw_score=True)
    assert np.allclose(fitted.base_value + fitted.contrib.sum(axis=1), raw, atol=1e-9)


def test_native_contributions_agree_with_shap_tree_explainer(answers):
    design = build_design(answers, SPECS, "score")
    fitted = fit(design, TINY, seed=3)
    x = design.x[:200]
    native, base = contributions(fitted.booster, x)
    explainer = shap.TreeExplainer(fitted.booster)
    assert np.allclose(explainer.shap_values(x), native, atol=1e-9)
    assert float(np.ravel(explainer.expected_value)[0]) == pytest.approx(base)


def test_design_drops_constant_and_sparse_features_and_codes_categories(answers):
    design = build_design(answers, SPECS, "score")
    assert [s.id for s in design.specs] == ["rating_strong", "rating_weak", "rating_noise", "business_unit"]
    assert design.categories == {3: ["north", "south"]}
    assert set(np.unique(design.x[:, 3])) == {0.0, 1.0}
    promoter = build_design(answers, SPECS, "promoter")
    assert promoter.rows.height == answers.filter(pl.col("nps_class") != "passive").height
    assert set(np.unique(promoter.y)) == {0.0, 1.0}


def test_one_hot_leaves_out_the_most_frequent_level(answers):
    design = build_design(answers, SPECS, "score")
    matrix, groups = one_hot(design)
    assert groups == [0, 1, 2, 3]  # two levels: one dummy
    assert matrix.shape == (answers.height, 4)


def test_stratified_sample_keeps_each_strata_share():
    strata = np.array(["a"] * 700 + ["b"] * 200 + ["c"] * 100)
    picked = stratified_sample(strata, 100, np.random.default_rng(0))
    assert len(picked) == 100 and len(set(picked)) == 100
    assert [int((strata[picked] == s).sum()) for s in "abc"] == [70, 20, 10]
    assert stratified_sample(strata[:50], 100, np.random.default_rng(0)).tolist() == list(range(50))


def test_the_planted_driver_ranks_first_and_noise_is_greyed(answers):
    design = build_design(answers, SPECS, "score")
    fitted = fit(design, TINY, seed=3)
    stability = bootstrap(design, TINY, seed=3)
    drivers = driver_frame(design, fitted, stability).sort("importance", descending=True)
    assert drivers["feature_id"][0] == "rating_strong"
    assert drivers.filter(pl.col("feature_id") == "rating_strong")["rank"][0] == 1
    noise = drivers.filter(pl.col("feature_id") == "rating_noise").row(0, named=True)
    assert not noise["is_significant"] and noise["rank"] is None and noise["agreement"] is None
    assert drivers.filter(pl.col("feature_id") == "rating_strong")["direction"][0] == "positive"
    assert drivers["share"].sum() == pytest.approx(1.0)


def test_importance_averages_where_the_feature_has_a_value():
    contrib = np.array([[1.0, 0.5], [1.0, 0.0], [1.0, 0.0]])
    x = np.array([[1.0, 2.0], [1.0, np.nan], [1.0, np.nan]])
    where_present, overall, reach = importance(contrib, x)
    assert where_present.tolist() == [1.0, 0.5]
    assert overall.tolist() == pytest.approx([1.0, 0.5 / 3])
    assert reach.tolist() == pytest.approx([1.0, 1 / 3])


def test_what_if_raising_the_driver_raises_nps_within_its_fold_range(answers):
    design = build_design(answers, SPECS, "score")
    fitted = fit(design, TINY, seed=3)
    significant = np.array([True, True, False, False])
    whatif = whatif_frame(design, fitted, significant, TINY, seed=3, non_passive_share=1.0)
    assert set(whatif["feature_id"]) == {"rating_strong", "rating_weak"}
    up = whatif.filter((pl.col("feature_id") == "rating_strong") & (pl.col("steps") == 1.0)).row(
        0, named=True
    )
    down = whatif.filter((pl.col("feature_id") == "rating_strong") & (pl.col("steps") == -1.0)).row(
        0, named=True
    )
    assert up["nps_change"] > 5 and down["nps_change"] < -5
    assert up["nps_low"] <= up["nps_change"] <= up["nps_high"]
    assert up["n_changed"] < 300  # answers already at the top of the scale cannot rise


def test_sample_frames_keep_who_answered_and_the_prediction(answers):
    design = build_design(answers, SPECS, "score")
    fitted = fit(design, TINY, seed=3)
    shap_long, rows = sample_frames(design, fitted, TINY, seed=3)
    assert rows.height == TINY.store_rows and shap_long.height == TINY.store_rows * len(design.specs)
    by_row = shap_long.group_by("row_id").agg(pl.col("shap").sum()).sort("row_id")
    assert np.allclose(rows["base_value"] + by_row["shap"], rows["prediction"])
    labels = shap_long.filter(pl.col("feature_id") == "business_unit")["value_label"]
    assert set(labels) == {"north", "south"}


def test_a_segment_below_the_minimum_gets_no_model(answers):
    segment = Segment("business_unit=north", (("business_unit", "north"),), "North", "Север")
    strict = dataclasses.replace(TINY, min_n=10_000)
    result = fit_segment(answers, SPECS, segment, "score", strict)
    assert result.model["status"] == "too_small" and not result.frames
    assert result.model["n_rows"] == answers.filter(pl.col("business_unit") == "north").height
