"""Numbers behind the drivers page's charts, on hand-made frames."""

from __future__ import annotations

import polars as pl
import pytest

from app.analytics.driver_views import (
    beeswarm_frame,
    client_contributions,
    dependence_frame,
    quadrants,
    waterfall_steps,
)


def test_waterfall_runs_from_the_average_to_the_prediction_folding_small_drivers():
    contributions = pl.DataFrame(
        {"label": ["a", "b", "c", "d"], "value_text": ["1", "2", "3", "4"], "shap": [0.5, -1.0, 0.1, -0.05]}
    )
    steps = waterfall_steps(contributions, 7.0, top=2)
    assert steps["kind"].to_list() == ["base", "driver", "driver", "other", "prediction"]
    assert steps["label"].to_list()[1:3] == ["b", "a"]  # largest |SHAP| first
    assert steps["start"].to_list() == pytest.approx([7.0, 7.0, 6.0, 6.5, 7.0])
    assert steps["end"].to_list() == pytest.approx([7.0, 6.0, 6.5, 6.55, 6.55])
    assert steps.filter(pl.col("kind") == "other")["value_text"][0] == "2"


def test_a_clients_explanation_is_the_mean_of_its_answers():
    rows = pl.DataFrame(
        {
            "feature_id": ["x", "x", "y", "y"],
            "shap": [1.0, 3.0, -1.0, 0.0],
            "value": [4.0, 2.0, None, None],
            "value_label": [None, None, "energy", "energy"],
        }
    )
    mean = client_contributions(rows).sort("feature_id")
    assert mean["shap"].to_list() == [2.0, -0.5]
    assert mean["value_label"].to_list() == [None, "energy"] and mean["n_answers"].to_list() == [2, 2]


def test_quadrants_cut_at_the_mean_share_and_score():
    frame = pl.DataFrame(
        {"label": list("abcd"), "share": [0.4, 0.3, 0.1, 0.2], "score_100": [60.0, 90.0, 65.0, 85.0]}
    )
    marked, share_cut, score_cut = quadrants(frame)
    assert (share_cut, score_cut) == pytest.approx((0.25, 75.0))
    assert marked["quadrant"].to_list() == ["fix_first", "keep_up", "watch", "less_urgent"]


def test_beeswarm_scales_values_within_each_feature_and_leaves_categories_uncoloured():
    shap = pl.DataFrame(
        {
            "row_id": [0, 1, 2, 0, 1, 2],
            "feature_id": ["r"] * 3 + ["unit"] * 3,
            "value": [1.0, 3.0, None, 0.0, 1.0, 0.0],
            "value_label": [None, None, None, "a", "b", "a"],
            "shap": [-1.0, 1.0, 0.0, 0.1, -0.1, 0.1],
        }
    )
    frame = beeswarm_frame(shap, ["r", "unit"])
    assert frame.filter(pl.col("feature_id") == "r")["value_scaled"].to_list() == [0.0, 1.0, None]
    assert frame.filter(pl.col("feature_id") == "unit")["value_scaled"].null_count() == 3
    assert frame["jitter"].abs().max() <= 0.38
    again = beeswarm_frame(shap, ["r", "unit"])
    assert again["jitter"].to_list() == frame["jitter"].to_list()  # the same answer lands in the same place


def test_dependence_curve_is_the_mean_effect_per_value_without_missing_values():
    shap = pl.DataFrame(
        {
            "row_id": [0, 1, 2, 3],
            "feature_id": ["r"] * 4,
            "value": [1.0, 1.0, 2.0, None],
            "value_label": [None] * 4,
            "shap": [-1.0, -0.5, 0.8, 0.0],
        }
    )
    points, curve = dependence_frame(shap, "r", discrete=True)
    assert points.height == 3
    assert curve.to_dicts() == [
        {"value": 1.0, "mean_shap": -0.75, "n": 2},
        {"value": 2.0, "mean_shap": 0.8, "n": 1},
    ]
