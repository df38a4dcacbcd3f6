"""The satisfaction index on a hand-computed fixture: every factor score, block and overall value below
was worked out on paper from DOMAIN.md's definition (numbers chosen to be exact in binary, so the
frames must match exactly), plus the 0–100 rules one by one and the partial-score cases."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.analytics.satisfaction_index import (
    FACTOR_SCHEMA,
    INDEX_SCHEMA,
    latest_with_change,
    normalise,
    period_summary,
    satisfaction_index,
)
from app.service_model import SatisfactionIndex

CONFIG = SatisfactionIndex.model_validate(
    {
        "block_weights": {"TX": 0.25, "CX": 0.75},
        "factors": [
            {
                "id": "on_time",
                "label": "On time",
                "block": "TX",
                "metric": "on_time_share",
                "importance_column": "imp_on_time",
            },
            {
                "id": "delay",
                "label": "Delay",
                "block": "TX",
                "metric": "avg_delay_days",
                "worst": 20,
                "importance_column": "imp_delay",
            },
            {
                "id": "service",
                "label": "Service",
                "block": "TX",
                "metric": "first_response_hours",
                "worst": 48,
                "importance_column": "imp_service",
            },
            {
                "id": "delivery_rating",
                "label": "Delivery",
                "block": "CX",
                "metric": "touchpoint_rating",
                "touchpoint": "delivery",
                "importance_column": "imp_delivery",
            },
            {
                "id": "quality_rating",
                "label": "Quality",
                "block": "CX",
                "metric": "touchpoint_rating",
                "touchpoint": "quality",
                "importance_column": "imp_quality",
            },
            {
                "id": "recommendation",
                "label": "Recommend",
                "block": "CX",
                "metric": "nps",
                "importance_column": "imp_nps",
            },
        ],
    }
)
SCALES = {"delivery": (1.0, 5.0), "quality": (1.0, 10.0), "proposal": (1.0, 5.0)}

# The client card's importance of each factor (1–5). B has no service weight -> mean of A and C = 3;
# C has no NPS weight -> mean of A and B = 1.
CLIENTS = pl.DataFrame(
    {
        "client_id": ["A", "B", "C"],
        "imp_on_time": [4.0, 5.0, 3.0],
        "imp_delay": [2.0, 2.0, 3.0],
        "imp_service": [2.0, None, 4.0],
        "imp_delivery": [5.0, 4.0, 2.0],
        "imp_quality": [2.0, 3.0, 2.0],
        "imp_nps": [1.0, 1.0, None],
    }
)

FACT_ROWS = [
    # client, period, fact, touchpoint, value, n
    ("A", "2025-Q1", "on_time_share", None, 0.75, 4),
    ("A", "2025-Q1", "avg_delay_days", None, 5.0, 4),
    ("A", "2025-Q1", "n_late_orders", None, 1.0, 4),  # not a factor: ignored
    ("A", "2025-Q1", "first_response_hours", None, 36.0, 2),
    ("A", "2025-Q1", "touchpoint_rating", "delivery", 4.0, 2),
    ("A", "2025-Q1", "touchpoint_rating", "quality", 5.5, 1),
    ("A", "2025-Q1", "touchpoint_rating", "proposal", 2.0, 1),  # no factor reads it: ignored
    ("A", "2025-Q1", "nps", None, 20.0, 5),
    ("A", "2025-Q2", "nps", None, 100.0, 1),
    ("B", "2025-Q1", "on_time_share", None, 1.0, 3),
    ("B", "2025-Q1", "avg_delay_days", None, 0.0, 3),
    ("B", "2025-Q1", "first_response_hours", None, 60.0, 1),  # beyond worst (48 h): scores 0
    ("B", "2025-Q2", "on_time_share", None, 0.5, 2),
    ("B", "2025-Q2", "avg_delay_days", None, 10.0, 2),
    ("C", "2025-Q1", "nps", None, -60.0, 2),
    ("D", "2025-Q1", "nps", None, 50.0, 1),  # not in the client list (filtered out): not scored
]
FACTS = pl.DataFrame(
    FACT_ROWS,
    schema={
        "client_id": pl.String,
        "period": pl.String,
        "fact": pl.String,
        "touchpoint_id": pl.String,
        "value": pl.Float64,
        "n": pl.Int64,
    },
    orient="row",
)


def in_reading_order(factors: pl.DataFrame) -> pl.DataFrame:
    """The analytics leave rows unsorted (speed); compare in client, quarter, factor order."""
    order = {f.id: i for i, f in enumerate(CONFIG.factors)}
    return factors.sort(
        "client_id", "period", pl.col("factor_id").replace_strict(order, return_dtype=pl.Int64)
    )


def test_factor_scores_match_the_hand_computation():
    factors, _ = satisfaction_index(FACTS, CLIENTS, CONFIG, SCALES)
    factors = in_reading_order(factors)
    expected = pl.DataFrame(
        [
            ("A", "2025-Q1", "on_time", "TX", "on_time_share", 0.75, 4, 75.0, 4.0, False),
            ("A", "2025-Q1", "delay", "TX", "avg_delay_days", 5.0, 4, 75.0, 2.0, False),  # 100 × (1 − 5/20)
            (
                "A",
                "2025-Q1",
                "service",
                "TX",
                "first_response_hours",
                36.0,
                2,
                25.0,
                2.0,
                False,
            ),  # 100 × (1 − 36/48)
            (
                "A",
                "2025-Q1",
                "delivery_rating",
                "CX",
                "touchpoint_rating",
                4.0,
                2,
                75.0,
                5.0,
                False,
            ),  # (4−1)/(5−1)
            (
                "A",
                "2025-Q1",
                "quality_rating",
                "CX",
                "touchpoint_rating",
                5.5,
                1,
                50.0,
                2.0,
                False,
            ),  # (5.5−1)/(10−1)
            ("A", "2025-Q1", "recommendation", "CX", "nps", 20.0, 5, 60.0, 1.0, False),  # (20 + 100)/2
            ("A", "2025-Q2", "recommendation", "CX", "nps", 100.0, 1, 100.0, 1.0, False),
            ("B", "2025-Q1", "on_time", "TX", "on_time_share", 1.0, 3, 100.0, 5.0, False),
            ("B", "2025-Q1", "delay", "TX", "avg_delay_days", 0.0, 3, 100.0, 2.0, False),
            ("B", "2025-Q1", "service", "TX", "first_response_hours", 60.0, 1, 0.0, 3.0, True),
            ("B", "2025-Q2", "on_time", "TX", "on_time_share", 0.5, 2, 50.0, 5.0, False),
            ("B", "2025-Q2", "delay", "TX", "avg_delay_days", 10.0, 2, 50.0, 2.0, False),
            ("C", "2025-Q1", "recommendation", "CX", "nps", -60.0, 2, 20.0, 1.0, True),
        ],
        schema=FACTOR_SCHEMA,
        orient="row",
    )
    assert_frame_equal(factors, expected, check_exact=True)


def test_index_matches_the_hand_computation_and_flags_partial_scores():
    _, index = satisfaction_index(FACTS, CLIENTS, CONFIG, SCALES)
    index = index.sort("client_id", "period")
    expected = pl.DataFrame(
        [
            # TX = (4·75 + 2·75 + 2·25) / 8 = 62.5; CX = (5·75 + 2·50 + 1·60) / 8 = 66.875;
            # index = 0.25 · 62.5 + 0.75 · 66.875 = 65.78125
            ("A", "2025-Q1", 62.5, 66.875, 65.78125, 6, False),
            ("A", "2025-Q2", None, 100.0, 100.0, 1, True),  # surveyed, no deliveries or tickets: CX only
            ("B", "2025-Q1", 70.0, None, 70.0, 3, True),  # (5·100 + 2·100 + 3·0) / 10; no answer: TX only
            ("B", "2025-Q2", 50.0, None, 50.0, 2, True),  # (5·50 + 2·50) / 7
            ("C", "2025-Q1", None, 20.0, 20.0, 1, True),
        ],
        schema=INDEX_SCHEMA,
        orient="row",
    )
    assert_frame_equal(index, expected, check_exact=True)


def test_client_outside_the_list_is_not_scored():
    factors, index = satisfaction_index(FACTS, CLIENTS, CONFIG, SCALES)
    assert "D" not in factors["client_id"].to_list() and "D" not in index["client_id"].to_list()


def test_latest_index_and_its_change():
    _, index = satisfaction_index(FACTS, CLIENTS, CONFIG, SCALES)
    latest = latest_with_change(index, "2025-Q2", "2025-Q1").sort("client_id")
    assert latest.select("client_id", "index_period", "index", "index_previous", "index_change").rows() == [
        ("A", "2025-Q2", 100.0, 65.78125, 34.21875),
        ("B", "2025-Q2", 50.0, 70.0, -20.0),
        ("C", "2025-Q1", 20.0, 20.0, None),  # nothing in Q2: last known score, no change
    ]


def test_period_summary_counts_partial_scores():
    _, index = satisfaction_index(FACTS, CLIENTS, CONFIG, SCALES)
    summary = period_summary(index)
    assert summary.select("period", "n_clients", "n_partial").rows() == [("2025-Q1", 3, 2), ("2025-Q2", 2, 2)]
    assert summary["mean_index"][1] == 75.0  # (100 + 50) / 2


@pytest.mark.parametrize(
    ("metric", "value", "kwargs", "score"),
    [
        ("on_time_share", 0.9, {}, 90.0),
        ("avg_delay_days", 0.0, {"worst": 30}, 100.0),
        ("avg_delay_days", 15.0, {"worst": 30}, 50.0),
        ("avg_delay_days", 45.0, {"worst": 30}, 0.0),  # worse than worst stays at 0
        ("first_response_hours", 18.0, {"worst": 72}, 75.0),
        ("touchpoint_rating", 1.0, {"scale": (1, 5)}, 0.0),
        ("touchpoint_rating", 8.2, {"scale": (1, 10)}, 80.0),
        ("nps", -100.0, {}, 0.0),
        ("nps", 100.0, {}, 100.0),
    ],
)
def test_each_metric_is_normalised_to_0_100(metric, value, kwargs, score):
    assert normalise(metric, value, **kwargs) == pytest.approx(score)


def test_missing_settings_are_errors_not_silent_zeros():
    with pytest.raises(ValueError, match="worst"):
        normalise("avg_delay_days", 3.0)
    with pytest.raises(ValueError, match="scale"):
        normalise("touchpoint_rating", 3.0)


def test_no_activity_gives_empty_frames_with_the_schema():
    factors, index = satisfaction_index(FACTS.clear(), CLIENTS, CONFIG, SCALES)
    assert factors.is_empty() and index.is_empty()
    assert index.schema == pl.Schema(INDEX_SCHEMA)
