"""mart_wait_groups (the bottleneck page's wait cost precomputed at load) gives the same sums per step
and waiting bin as the reference query over every event and answer (wait_cost_queries): on the demo
under several filters, and on a hand-made case where client-quarters answer in several roles (the
client-quarter count must not double them)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.analytics import wait_cost as wc
from app.warehouse.filters import Filters
from app.warehouse.process_queries import step_dimension
from app.warehouse.wait_cost_mart import wait_cost_sums_from_mart
from app.warehouse.wait_cost_queries import wait_cost_sums
from app.warehouse.wait_groups_sql import served_steps
from tests.unit.test_wait_cost import ANSWERS, RATINGS, SERVED, steps, sums

DEMO_FILTERS = [
    Filters(),
    Filters(period_from="2025-Q2", respondent_roles=("decision_maker",)),
    Filters(respondent_roles=("decision_maker", "finance")),
    Filters(business_units=("energy",), segments=("mid_market", "dealer")),
    Filters(period_to="2025-Q3", grades=("b", "c"), statuses=("current",)),
]


def assert_same_sums(from_mart: pl.DataFrame, reference: pl.DataFrame) -> None:
    if reference.is_empty():
        assert from_mart.is_empty()
        return
    assert_frame_equal(from_mart, reference, check_exact=False, rel_tol=1e-12)


@pytest.mark.parametrize("filters", DEMO_FILTERS)
def test_wait_cost_from_the_mart_equals_the_query_over_events_and_answers_on_the_demo(demo_con, filters):
    served = wc.served_touchpoints(step_dimension(demo_con))
    compared = 0
    for process in served["process"].unique(maintain_order=True).to_list():
        from_mart = wait_cost_sums_from_mart(demo_con, filters, process, served)
        assert_same_sums(from_mart, wait_cost_sums(demo_con, filters, process, served))
        compared += from_mart.height
    assert compared > 0


def test_the_mart_holds_the_steps_the_page_asks_for(model, demo_con):
    """The served steps rendered from the service model are the ones served_touchpoints names."""
    served = wc.served_touchpoints(step_dimension(demo_con)).drop_nulls("touchpoint_id")
    assert sorted(served_steps(model)) == sorted(served.select("process", "activity", "touchpoint_id").rows())


@pytest.mark.parametrize(
    ("roles", "client_quarters", "n_answers"),
    [((), 4, 7), (("finance",), 4, 4), (("end_user",), 3, 3), (("end_user", "finance"), 4, 7), (("buyer",), 0, 0)],
)
def test_client_quarters_answering_in_several_roles_count_once(roles, client_quarters, n_answers):
    # C1, C2, C3 answer as finance and as end users in 2025-Q1; C4 only as finance
    extra = ANSWERS.head(4).head(3).with_columns(
        response_id=pl.Series(["E1", "E2", "E3"]), respondent_role=pl.lit("end_user")
    )
    answers = pl.concat([ANSWERS, extra])
    ratings = pl.concat([RATINGS, pl.DataFrame({"response_id": ["E1", "E3"], "touchpoint_id": ["proposal"] * 2,
                                                "rating": [3.0, 1.0]})])
    found = sums(steps(), answers, ratings, filters=Filters(respondent_roles=roles))  # checks mart = reference
    cost = wc.wait_cost(found, SERVED)
    if client_quarters == 0:
        assert cost.is_empty()
        return
    assert cost["n_client_periods"].item() == client_quarters
    assert found["n_answers"].sum() == n_answers
