"""Touchpoint metrics and the emotion curve from additive sums, on a three-touchpoint journey
whose answers are small enough to check by hand."""

from __future__ import annotations

import polars as pl
import pytest

from app.analytics.touchpoints import stage_curve, touchpoint_metrics

DIMENSION = pl.DataFrame({
    "touchpoint_id": ["a", "b", "c"], "touchpoint_order": [0, 1, 2],
    "stage_id": ["s1", "s1", "s2"], "stage_order": [0, 0, 1],
    "stage_label_en": ["One", "One", "Two"], "stage_label_ru": ["Один", "Один", "Два"],
    "label_en": ["A", "B", "C"], "label_ru": [None, None, None],
    "is_moment_of_truth": [False, True, False],
    "scale_min": [1, 1, 1], "scale_max": [5, 10, 5], "top2_min": [4, 9, 4], "target": [4.0, 8.0, None],
})
# a (1–5): ratings 5, 4, 3 with NPS answers 10, 8, 3.  b (1–10): ratings 10, 6.  c: no answers.
TOTALS = pl.DataFrame({
    "stage_id": ["s1", "s1"], "touchpoint_id": ["a", "b"],
    "n": [3.0, 2.0], "sum_rating": [12.0, 16.0], "sum_rating_sq": [50.0, 136.0],
    "sum_score_100": [225.0, 100.0 + 500 / 9], "n_top2": [2.0, 1.0],
    "n_promoters": [1.0, 1.0], "n_detractors": [1.0, 0.0], "sum_importance": [0.0, 0.0], "n_importance": [0.0, 0.0],
})


@pytest.fixture
def metrics() -> pl.DataFrame:
    return touchpoint_metrics(TOTALS, DIMENSION, min_n=3)


def test_means_shares_and_nps_per_touchpoint(metrics):
    a, b = metrics.row(0, named=True), metrics.row(1, named=True)
    assert (a["csat_mean"], a["score_100"], a["nps"]) == pytest.approx((4.0, 75.0, 0.0))
    assert a["top2_pct"] == pytest.approx(200 / 3)
    assert (b["csat_mean"], b["score_100"], b["top2_pct"], b["nps"]) == pytest.approx((8.0, 700 / 9, 50.0, 50.0))


def test_gap_to_target_in_rating_points_and_on_0_to_100(metrics):
    assert metrics["gap_to_target"].to_list()[:2] == pytest.approx([0.0, 0.0])
    shifted = touchpoint_metrics(TOTALS, DIMENSION.with_columns(pl.Series("target", [3.0, 8.9, None])), min_n=1)
    assert shifted["gap_to_target"].to_list()[:2] == pytest.approx([1.0, -0.9])
    assert shifted["gap_100"].to_list()[:2] == pytest.approx([25.0, -10.0])


def test_untouched_touchpoint_stays_on_the_map_with_nulls(metrics):
    c = metrics.row(2, named=True)
    assert c["n"] == 0 and c["csat_mean"] is None and c["nps"] is None and c["is_low_n"]


def test_low_n_flag_uses_the_minimum(metrics):
    assert metrics["is_low_n"].to_list() == [False, True, True]


def test_sum_of_squared_scores_is_derived_exactly(metrics):
    # a: scores 100, 75, 50 -> 18125; b: 100 and 55.56 -> 10000 + 3086.42
    assert metrics["sum_score_sq"].to_list()[:2] == pytest.approx([18125.0, 10000 + (500 / 9) ** 2])


def test_emotion_curve_pools_answers_of_a_stage(metrics):
    curve = stage_curve(metrics)
    one, two = curve.row(0, named=True), curve.row(1, named=True)
    assert one["n"] == 5 and one["score_100"] == pytest.approx((225 + 100 + 500 / 9) / 5)
    scores = [100, 75, 50, 100, 500 / 9]
    mean = sum(scores) / 5
    sample_var = sum((s - mean) ** 2 for s in scores) / 4
    assert one["score_moe"] == pytest.approx(1.96 * (sample_var / 5) ** 0.5)
    assert two["n"] == 0 and two["score_100"] is None


def test_ces_columns_appear_when_sums_are_given():
    with_ces = TOTALS.with_columns(pl.Series("sum_ces", [9.0, 4.0]), pl.Series("sum_ces_sq", [29.0, 8.0]),
                                   pl.Series("n_ces", [3.0, 2.0]))
    metrics = touchpoint_metrics(with_ces, DIMENSION, min_n=1)
    assert metrics["avg_ces"].to_list()[:2] == pytest.approx([3.0, 2.0])
