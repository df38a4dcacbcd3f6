"""On the demo company the analytics find what the generator planted: the energy unit's proposal
approval (ground_truth.json), the production step as the main culprit of late orders
(pipelines.demo_story.LATE_CULPRITS), and a customer cost of the approval wait."""

from __future__ import annotations

import polars as pl
import pytest

from app.analytics.bottleneck_report import kpis_fed, process_report
from app.analytics.wait_cost import served_touchpoints
from app.ui.views.bottlenecks_data import load_report
from app.warehouse.filters import Filters
from app.warehouse.process_queries import process_cases, process_steps, step_dimension
from app.warehouse.wait_cost_queries import wait_cost_sums
from pipelines import demo_story


@pytest.fixture(scope="module")
def reports(demo_db, model):
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    try:  # what the page shows: aggregated in DuckDB
        return {p.id: load_report(con, Filters(), p.id, 30) for p in model.processes}
    finally:
        con.close()


def test_planted_energy_approval_bottleneck_is_found(reports, ground_truth):
    planted = ground_truth["bottleneck"]
    found = reports[planted["process"]].bottleneck
    assert (found.activity, found.business_unit) == (planted["activity"], planted["business_unit"])
    assert found.measure == "lateness" and found.delay_pct > 50
    assert found.wait_median_hours == pytest.approx(planted["median_wait_hours_by_unit"]["energy"], rel=0.05)
    others = [v for unit, v in planted["median_wait_hours_by_unit"].items() if unit != "energy"]
    assert found.wait_median_hours_elsewhere < 2 * max(others)
    assert found.over_target_pct > 90


def test_production_carries_most_lateness_of_orders(reports):
    pareto = reports[demo_story.ORDER_PROCESS].pareto
    top = max(demo_story.LATE_CULPRITS, key=demo_story.LATE_CULPRITS.get)
    assert pareto["activity"][0] == top
    shares = dict(zip(pareto["activity"], pareto["delay_pct"], strict=True))
    for activity, planted_share in demo_story.LATE_CULPRITS.items():
        assert shares[activity] == pytest.approx(100 * planted_share, abs=10)


def test_order_chain_and_open_orders_are_reported(reports):
    report = reports[demo_story.ORDER_PROCESS]
    assert report.summary["n_open"] > 0
    assert report.chain is not None and 60 < report.chain.met_pct < 95
    broken = report.chain.broken.filter(pl.col("first_broken") != "__none__")
    assert broken["n_cases"].sum() > 0
    assert reports[demo_story.BOTTLENECK["process"]].chain is None  # proposals have no deadline chain


def test_waiting_for_approval_costs_nps_and_proposal_rating(reports):
    cost = reports[demo_story.BOTTLENECK["process"]].wait_cost
    approval = cost.filter(pl.col("activity") == demo_story.BOTTLENECK["activity"]).row(0, named=True)
    assert approval["touchpoint_id"] == demo_story.PROPOSAL_TOUCHPOINT
    assert approval["nps_per_day"] < 0 and approval["is_nps_significant"]
    assert approval["rating_per_day"] + approval["rating_per_day_moe"] < 0


def test_the_bottleneck_links_to_the_kpis_it_feeds(model):
    fed = kpis_fed(model, demo_story.BOTTLENECK["process"], demo_story.BOTTLENECK["activity"])
    assert fed[:2] == ["ox_proposal_lead_time", "ex_approval_delegation"]
    assert "cx_csat_proposal" in fed


def test_a_filter_that_leaves_no_cases_gives_an_empty_report(demo_db):
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        nothing = Filters(period_from="1999-Q1", period_to="1999-Q4")
        steps, cases = process_steps(con, nothing), process_cases(con, nothing)
        dim = step_dimension(con)
        sums = wait_cost_sums(con, nothing, "commercial_proposal", served_touchpoints(dim))
        reports = [process_report(steps, cases, dim, sums, "commercial_proposal"),
                   load_report(con, nothing, "commercial_proposal", 30)]
    finally:
        con.close()
    assert steps.is_empty()
    for report in reports:  # from the events and aggregated in DuckDB
        assert report.bottleneck is None and report.chain is None
        assert report.steps.is_empty() and report.pareto.is_empty() and report.summary == {}


def test_processes_are_listed_with_their_cases_and_events(demo_con):
    """Cases are counted in mart_process_cases; the same as a distinct count over the events."""
    from polars.testing import assert_frame_equal

    from app.warehouse.connection import query
    from app.warehouse.process_queries import processes_with_events

    over_events = query(
        demo_con,
        "select process, count(distinct case_id) as n_cases, count(*) as n_events "
        "from mart_process_steps group by process order by n_events desc, process",
    )
    assert over_events.height == 2
    assert_frame_equal(processes_with_events(demo_con), over_events)
