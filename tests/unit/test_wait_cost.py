"""What waiting costs in experience: served touchpoints, the client × period join, and the slope of
NPS and rating per day of waiting, on a frame small enough to compute by hand."""

from __future__ import annotations

import math

import polars as pl
import pytest

from app.analytics import wait_cost as wc

STEP_DIM = pl.DataFrame(
    {
        "process": ["p", "p", "p"],
        "activity": ["approve", "send", "archive"],
        "step_order": [0, 1, 2],
        "touchpoint_id": [None, "proposal", None],
    }
)


def steps() -> pl.DataFrame:
    """Four clients waited 1, 2, 3 and 4 days before 'approve' in 2025-Q1 (C1 over two cases)."""
    return pl.DataFrame(
        {
            "process": ["p"] * 5,
            "activity": ["approve"] * 5,
            "client_id": ["C1", "C1", "C2", "C3", "C4"],
            "period": ["2025-Q1"] * 5,
            "wait_hours": [12.0, 36.0, 48.0, 72.0, 96.0],
        }
    )


ANSWERS = pl.DataFrame(
    {
        "response_id": ["R1", "R2", "R3", "R4", "R5"],
        "client_id": ["C1", "C2", "C3", "C4", "C1"],
        "period": ["2025-Q1", "2025-Q1", "2025-Q1", "2025-Q1", "2025-Q2"],  # R5: another quarter, no join
        "is_promoter": [True, False, False, False, True],
        "is_detractor": [False, False, False, True, False],
    }
)
RATINGS = pl.DataFrame(
    {
        "response_id": ["R1", "R2", "R3", "R4", "R1"],
        "touchpoint_id": ["proposal", "proposal", "proposal", "proposal", "delivery"],
        "rating": [5.0, 4.0, 4.0, 2.0, 1.0],
    }
)


def test_a_step_without_touchpoint_serves_the_next_one_down_the_process():
    served = wc.served_touchpoints(STEP_DIM)
    assert served["touchpoint_id"].to_list() == ["proposal", "proposal", None]
    assert served["is_own_touchpoint"].to_list() == [False, True, False]


def test_waiting_is_averaged_per_client_and_period():
    waits = wc.client_period_waits(steps())
    assert waits["client_id"].to_list() == ["C1", "C2", "C3", "C4"]
    assert waits["wait_days"].to_list() == [1.0, 2.0, 3.0, 4.0]
    assert waits["n_events"].to_list() == [2, 1, 1, 1]


def test_nps_and_rating_points_per_day_of_waiting():
    cost = wc.wait_cost(wc.client_period_waits(steps()), wc.served_touchpoints(STEP_DIM), ANSWERS, RATINGS)
    row = cost.row(0, named=True)
    assert (row["activity"], row["touchpoint_id"]) == ("approve", "proposal")
    # NPS codes +100, 0, 0, −100 on 1…4 days: slope −300 / 5 = −60 points per day; residuals 10, −30,
    # 30, −10 → s² = 2000 / 2, se = √(1000 / 5), half-width 1.96 · se
    assert row["nps_per_day"] == pytest.approx(-60.0)
    assert row["nps_per_day_moe"] == pytest.approx(1.96 * math.sqrt(200.0))
    assert row["is_nps_significant"] is True
    assert (row["n_nps"], row["n_client_periods"], row["wait_days_mean"]) == (4, 4, 2.5)
    # ratings 5, 4, 4, 2: Σ(x − x̄)(y − ȳ) = −4.5, Σ(x − x̄)² = 5
    assert row["rating_per_day"] == pytest.approx(-0.9)
    assert row["n_rating"] == 4
    assert cost.height == 1  # 'send' has no waits in the frame, 'archive' serves no touchpoint


def test_equal_count_bins_of_waiting():
    bins = wc.wait_bins(
        wc.client_period_waits(steps()),
        wc.served_touchpoints(STEP_DIM),
        ANSWERS,
        RATINGS,
        "p",
        "approve",
        n_bins=2,
    )
    assert bins["wait_days_from"].to_list() == [1.0, 3.0]
    assert bins["wait_days_to"].to_list() == [2.0, 4.0]
    assert bins["nps"].to_list() == [50.0, -50.0]
    assert bins["rating_mean"].to_list() == [4.5, 3.0]


def test_no_variation_in_waiting_gives_no_slope():
    flat = steps().with_columns(pl.lit(24.0).alias("wait_hours"))
    cost = wc.wait_cost(wc.client_period_waits(flat), wc.served_touchpoints(STEP_DIM), ANSWERS, RATINGS)
    assert cost["nps_per_day"].to_list() == [None]
    assert cost["is_nps_significant"].to_list() == [False]


def test_points_lost_reads_positive_for_a_negative_slope():
    assert wc.nps_points_lost(-2.5, 2.0) == 5.0
    assert wc.nps_points_lost(None, 2.0) is None
