"""NPS and margins of error, checked against hand-computed numbers (DOMAIN.md's formulas)."""

from __future__ import annotations

import math

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.analytics.nps import mean_margin_expr, nps_margin, nps_value, share_margin_expr, with_nps


def test_nps_of_50_promoters_20_detractors_in_100_is_30():
    assert nps_value(50, 20, 100) == pytest.approx(30.0)


def test_margin_matches_the_formula_by_hand():
    # P = .5, D = .2: P + D − (P − D)² = .61; 1.96 · sqrt(.61 / 100) · 100 = 15.308
    assert nps_margin(50, 20, 100) == pytest.approx(15.308, abs=1e-3)


def test_no_answers_give_none_not_zero():
    assert nps_value(0, 0, 0) is None and nps_margin(0, 0, 0) is None


def test_all_promoters_have_zero_margin():
    assert nps_margin(40, 0, 40) == pytest.approx(0.0)


def test_frame_version_agrees_with_scalar_version_and_nulls_empty_groups():
    counts = pl.DataFrame({"g": ["a", "b", "c"], "n": [100, 30, 0], "n_promoters": [50, 9, 0],
                           "n_detractors": [20, 12, 0]})
    out = with_nps(counts)
    assert out["nps"].to_list()[:2] == pytest.approx([30.0, -10.0])
    assert out["nps_moe"][0] == pytest.approx(nps_margin(50, 20, 100))
    assert out["nps_moe"][1] == pytest.approx(nps_margin(9, 12, 30))
    assert out.row(2, named=True)["nps"] is None and out.row(2, named=True)["nps_moe"] is None
    assert out["nps_low"][0] == pytest.approx(30 - nps_margin(50, 20, 100))


def test_interval_is_clipped_to_the_nps_range():
    out = with_nps(pl.DataFrame({"n": [3], "n_promoters": [3], "n_detractors": [0]}))
    assert out["nps_high"][0] == 100.0


def test_mean_margin_of_1_to_5():
    # ratings 1..5: mean 3, sample variance 2.5, 1.96 · sqrt(2.5 / 5) = 1.3859
    frame = pl.DataFrame({"s": [15.0], "sq": [55.0], "n": [5]})
    assert frame.select(mean_margin_expr("s", "sq", "n"))[0, 0] == pytest.approx(1.96 * math.sqrt(0.5))


def test_share_margin_of_30_percent_of_100():
    frame = pl.DataFrame({"k": [30], "n": [100]})
    assert frame.select(share_margin_expr("k", "n"))[0, 0] == pytest.approx(1.96 * math.sqrt(0.21 / 100) * 100)


def test_with_nps_keeps_input_columns():
    counts = pl.DataFrame({"period": ["2025-Q1"], "n": [10], "n_promoters": [5], "n_detractors": [1]})
    assert_frame_equal(with_nps(counts).select(counts.columns), counts)
