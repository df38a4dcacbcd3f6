"""Quarter arithmetic, biggest movers, and difference maps with their significance."""

from __future__ import annotations

import polars as pl
import pytest

from app.analytics.compare import difference
from app.analytics.movers import biggest_movers, latest_and_previous, previous_quarter
from app.analytics.touchpoints import METRICS


@pytest.mark.parametrize(("period", "expected"), [("2025-Q1", "2024-Q4"), ("2025-Q3", "2025-Q2"), ("bad", None)])
def test_previous_quarter(period, expected):
    assert previous_quarter(period) == expected


def test_latest_and_previous_use_quarters_with_data():
    assert latest_and_previous(["2025-Q3", "2024-Q4", "2025-Q1"]) == ("2025-Q3", "2025-Q1")
    assert latest_and_previous(["2025-Q3"]) == ("2025-Q3", None)
    assert latest_and_previous([]) == (None, None)


FRAME = pl.DataFrame({
    "period": ["q1", "q2"] * 3,
    "unit": ["x", "x", "y", "y", "z", "z"],
    "nps": [10.0, 30.0, 20.0, 15.0, 0.0, 50.0],
    "nps_moe": [5.0, 5.0, 5.0, 5.0, 30.0, 30.0],
    "n": [200, 200, 200, 200, 10, 10],
})


def test_movers_rank_by_absolute_change_and_flag_significance():
    out = biggest_movers(FRAME, ["unit"], "nps", "nps_moe", "q2", "q1", min_n=30)
    assert out["unit"].to_list() == ["x", "y"]  # z has too few answers
    assert out["change"].to_list() == pytest.approx([20.0, -5.0])
    assert out["change_moe"][0] == pytest.approx((25 + 25) ** 0.5)
    assert out["is_significant"].to_list() == [True, False]


def test_difference_map_flags_real_differences_only():
    spec = METRICS["nps"]
    a = pl.DataFrame({"touchpoint_id": ["t1", "t2", "t3"], "nps": [40.0, 10.0, 5.0], "nps_moe": [5.0, 5.0, 5.0],
                      "n": [100, 100, 100], "label_en": ["T1", "T2", "T3"]})
    b = pl.DataFrame({"touchpoint_id": ["t1", "t2", "t3"], "nps": [20.0, 8.0, 0.0], "nps_moe": [5.0, 5.0, 5.0],
                      "n": [100, 100, 12]})
    out = difference(a, b, spec, min_n=30)
    assert out["diff"].to_list() == pytest.approx([20.0, 2.0, 5.0])
    assert out["diff_moe"][0] == pytest.approx(50**0.5)
    assert out["is_significant"].to_list() == [True, False, False]
    assert out["is_low_n"].to_list() == [False, False, True]
    assert out["label_en"].to_list() == ["T1", "T2", "T3"]
