"""Importance, the importance–performance gap, and moment-of-truth suggestions."""

from __future__ import annotations

import polars as pl
import pytest

from app.analytics.priorities import (
    hurting_touchpoints,
    importance_performance,
    importance_table,
    suggest_moments_of_truth,
)

CORRELATIONS = pl.DataFrame({"touchpoint_id": ["a", "b", "c", "d"], "corr": [0.5, 0.25, -0.1, 0.4]})
METRICS = pl.DataFrame({
    "touchpoint_id": ["a", "b", "c", "d"],
    "score_100": [60.0, 90.0, 50.0, 70.0],
    "n": [400, 300, 10, 350],
    "is_moment_of_truth": [False, False, False, True],
})


def test_correlation_proxy_is_scaled_to_the_strongest_and_negative_counts_as_zero():
    table = importance_table(CORRELATIONS)
    assert table["importance_100"].to_list() == pytest.approx([100.0, 50.0, 0.0, 80.0])
    assert set(table["importance_source"]) == {"correlation"}


def test_driver_importances_win_over_the_proxy():
    drivers = pl.DataFrame({"touchpoint_id": ["a", "b"], "importance": [0.2, 0.8]})
    table = importance_table(CORRELATIONS, drivers)
    assert table["importance_100"].to_list() == pytest.approx([25.0, 100.0])
    assert set(table["importance_source"]) == {"drivers"}


def test_empty_driver_table_falls_back_to_the_proxy():
    empty = pl.DataFrame({"touchpoint_id": [], "importance": []}, schema={"touchpoint_id": pl.String,
                                                                           "importance": pl.Float64})
    assert importance_table(CORRELATIONS, empty)["importance_source"][0] == "correlation"


def test_gap_is_importance_minus_score_and_null_below_min_n():
    ipa = importance_performance(METRICS, importance_table(CORRELATIONS), min_n=30)
    assert ipa["gap"].to_list() == pytest.approx([40.0, -40.0, None, 10.0], nan_ok=False)


def test_hurting_touchpoints_rank_positive_gaps_only():
    ipa = importance_performance(METRICS, importance_table(CORRELATIONS), min_n=30)
    assert hurting_touchpoints(ipa, k=3)["touchpoint_id"].to_list() == ["a", "d"]


def test_moment_of_truth_suggested_for_important_weak_frequent_unmarked_touchpoints():
    ipa = importance_performance(METRICS, importance_table(CORRELATIONS), min_n=30)
    out = suggest_moments_of_truth(ipa, min_n=30)
    # a: importance 100, score 60 < median 70, n 400 ≥ median 350 -> suggested.
    # d: already marked. b: scores well. c: too few answers.
    assert out.filter(pl.col("is_suggested_mot"))["touchpoint_id"].to_list() == ["a"]
    assert out.filter(pl.col("touchpoint_id") == "a")["mot_strength"][0] == pytest.approx(1.0 * 0.4 * 1.0)


def test_no_suggestions_without_enough_answers():
    ipa = importance_performance(METRICS.with_columns(pl.lit(5).alias("n")), importance_table(CORRELATIONS), 30)
    assert not suggest_moments_of_truth(ipa, min_n=30)["is_suggested_mot"].any()
