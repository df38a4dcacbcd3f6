"""Step analytics, process map and deadline chain on a hand-computed fixture: the book-shop chain's
release day (due 18:00; supplier by 10:00 → warehouse by 13:00 → dispatch by 15:00 → shop by 17:00 →
shelf by 18:00), loaded through the real pipeline.

tests/data/retail/events_chain.csv holds seven cases (all hours below are from that file):
A holds every link; B's supplier ships at 11:00 (first broken link: supplier) and the shelf is 2 h
late; C waits 3 h before dispatch and is 0.5 h late; D breaks at shop delivery but is on the shelf
by 17:45; E repeats the warehouse arrival (rework) and is 1 h late; F (backlist) is still open on
the shelf step at the log's newest moment, 20:30, i.e. 2.5 h past due; G has only started.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.analytics import bottlenecks as bn
from app.analytics import deadline_chain as chain
from app.analytics import process_map as pm
from app.analytics import process_summary as ps
from app.analytics.bottleneck_pick import Bottleneck, find_bottleneck
from app.service_model import load_service_model
from app.warehouse.connection import connect
from app.warehouse.filters import Filters
from app.warehouse.process_queries import process_cases, process_steps, step_dimension
from pipelines.load import load_file

RETAIL = Path(__file__).resolve().parent.parent / "data" / "retail"
ACTIVITIES = ["supplier_shipment", "warehouse_arrival", "warehouse_dispatch", "shop_delivery", "on_shelf"]
AS_OF = datetime(2026, 5, 9, 20, 30)


@pytest.fixture(scope="module")
def retail(tmp_path_factory):
    """(steps, cases, step dimension) of the fixture, read back from the marts."""
    folder = tmp_path_factory.mktemp("retail_chain")
    model = load_service_model(RETAIL / "service_model.yaml")
    con = connect(folder / "warehouse.duckdb")
    try:
        for source, name in [
            ("clients", "clients.csv"),
            ("surveys", "surveys.csv"),
            ("events", "events_chain.csv"),
        ]:
            result = load_file(con, model, source, RETAIL / name, archive_dir=folder / "archive")
            assert result.status == "loaded", result.message
        yield process_steps(con, Filters()), process_cases(con, Filters()), step_dimension(con)
    finally:
        con.close()


def test_as_of_is_the_newest_timestamp_in_the_log(retail):
    steps, _, _ = retail
    assert bn.data_as_of(steps) == AS_OF


def test_step_stats_match_the_hand_computation(retail):
    steps, cases, _ = retail
    stats = bn.step_stats(steps, cases).select(
        "activity",
        "n_cases",
        "n_events",
        "n_open",
        "n_completed",
        "wait_median_hours",
        "wait_p90_hours",
        "processing_median_hours",
        "processing_p90_hours",
        "step_median_hours",
        "rework_pct",
        "over_target_pct",
        "excess_hours",
        "lateness_hours",
        "lateness_pct",
        "throughput_per_week",
    )
    expected = pl.DataFrame(
        {
            "activity": ACTIVITIES,
            "n_cases": [7, 7, 6, 6, 6],
            "n_events": [7, 8, 6, 6, 6],
            "n_open": [0, 1, 0, 0, 1],  # G waits at the warehouse, F is not on the shelf yet
            "n_completed": [7, 7, 6, 6, 5],
            "wait_median_hours": [0.0, 1.0, 0.75, 0.25, 0.0],
            "wait_p90_hours": [0.0, 1.15, 2.0, 0.5, 0.75],
            "processing_median_hours": [1.0, 2.0, 1.75, 2.0, 1.0],
            "processing_p90_hours": [2.0, 2.4, 2.0, 2.25, 1.0],
            "step_median_hours": [1.0, 3.0, 2.0, 2.0, 1.0],
            "rework_pct": [0.0, 100 / 7, 0.0, 0.0, 0.0],  # E arrives twice
            # B's arrival took 4 h (target 3); C 5 h and D 2.5 h at dispatch (target 2); D 3 h and E 2.5 h
            # at shop delivery (2); F has been on the shelf step 1 h + 3.5 h (1)
            "over_target_pct": [0.0, 100 / 7, 100 * 2 / 6, 100 * 2 / 6, 100 / 6],  # of the cases
            "excess_hours": [0.0, 1.0, 3.5, 1.5, 3.5],
            # each late case's hours go to the step that overran: B 2 h → arrival, C 0.5 h → dispatch,
            # E 1 h → shop delivery, F 2.5 h (open, past due) → shelf; 6 late hours in all
            "lateness_hours": [0.0, 2.0, 0.5, 1.0, 2.5],
            "lateness_pct": [0.0, 100 * 2 / 6, 100 * 0.5 / 6, 100 * 1 / 6, 100 * 2.5 / 6],
            "throughput_per_week": [7.0, 7.0, 6.0, 6.0, 5.0],  # the log spans under a week: counted as one
        },
        schema_overrides={c: pl.UInt32 for c in ("n_cases", "n_events", "n_open", "n_completed")},
    )
    assert_frame_equal(stats, expected)


def test_by_business_unit_splits_the_same_cases(retail):
    steps, cases, _ = retail
    by_unit = bn.step_stats(steps, cases, by=("business_unit",))
    shelf = by_unit.filter(pl.col("activity") == "on_shelf").sort("business_unit")
    assert shelf["business_unit"].to_list() == ["moscow", "regions"]
    assert shelf["n_cases"].to_list() == [3, 3]
    assert shelf["lateness_pct"].to_list() == pytest.approx([0.0, 100 * 2.5 / 6])
    assert by_unit["lateness_hours"].sum() == pytest.approx(6.0)


def test_case_summary_counts_open_and_late_cases(retail):
    _, cases, _ = retail
    row = ps.case_summary(cases, AS_OF).row(0, named=True)
    assert (row["n_cases"], row["n_open"], row["n_open_overdue"]) == (7, 2, 1)
    assert (row["n_complete_with_due"], row["n_late"]) == (5, 3)  # B, C, E
    assert row["on_time_pct"] == pytest.approx(40.0)
    assert row["late_hours_total"] == pytest.approx(6.0)


def test_bottleneck_is_the_shelf_in_the_regions(retail):
    steps, cases, _ = retail
    found = find_bottleneck(steps, cases, "release_day", min_cases=1)
    # the shelf step holds 2.5 of the 6 late hours, all of them in the regions (case F, backlist)
    assert found == Bottleneck(
        process="release_day",
        activity="on_shelf",
        business_unit="regions",
        measure="lateness",
        delay_pct=pytest.approx(100 * 2.5 / 6),
        wait_median_hours=0.0,
        over_target_pct=pytest.approx(100 / 3),
        n_cases=3,
        wait_median_hours_elsewhere=0.0,
        top_unit="regions",
        top_unit_pct=100.0,
        product_class="backlist",
        product_class_pct=100.0,
        product_class_cases_pct=pytest.approx(100 / 3),  # B, D, F: one backlist case of three
    )


def test_a_unit_is_not_named_when_it_has_too_few_cases(retail):
    steps, cases, _ = retail
    found = find_bottleneck(steps, cases, "release_day", min_cases=4)
    assert (found.activity, found.business_unit, found.top_unit, found.n_cases) == (
        "on_shelf",
        None,
        "regions",
        6,
    )
    assert found.wait_median_hours_elsewhere is None
    assert find_bottleneck(steps, cases, "release_day", min_cases=8) is None  # no step has that many cases


def test_delay_pareto_orders_steps_and_accumulates(retail):
    steps, cases, _ = retail
    pareto = ps.delay_pareto(bn.step_stats(steps, cases))
    assert pareto["activity"].to_list() == [
        "on_shelf",
        "warehouse_arrival",
        "shop_delivery",
        "warehouse_dispatch",
    ]
    assert pareto["cumulative_pct"].to_list() == pytest.approx(
        [2.5 / 6 * 100, 4.5 / 6 * 100, 5.5 / 6 * 100, 100.0]
    )
    assert pareto["measure"].unique().to_list() == ["lateness"]


def test_directly_follows_graph(retail):
    steps, cases, _ = retail
    nodes, edges = pm.directly_follows(steps, cases)
    expected_edges = pl.DataFrame(
        {
            "source": [
                pm.START,
                "on_shelf",
                "shop_delivery",
                "supplier_shipment",
                "warehouse_arrival",
                "warehouse_arrival",
                "warehouse_dispatch",
            ],
            "target": [
                "supplier_shipment",
                pm.END,
                "on_shelf",
                "warehouse_arrival",
                "warehouse_arrival",
                "warehouse_dispatch",
                "shop_delivery",
            ],
            "n_transitions": [7, 5, 6, 7, 1, 6, 6],  # END: the five finished cases; the rework loop once
            "wait_median_hours": [0.0, None, 0.0, 1.0, 1.0, 0.75, 0.25],
        },
        schema_overrides={"n_transitions": pl.UInt32},
    )
    assert_frame_equal(edges.select(expected_edges.columns), expected_edges)
    assert nodes["activity"].to_list() == [pm.START, *ACTIVITIES, pm.END]
    assert nodes["n_events"].to_list() == [7, 7, 8, 6, 6, 6, 5]
    assert nodes["n_open"].to_list() == [0, 0, 1, 0, 0, 1, 0]


def test_graph_without_the_marts_neighbour_columns_is_the_same(retail):
    """Frames that lack previous_activity / is_last_event (older warehouses, other sources) are
    sorted instead, with the same result."""
    steps, cases, _ = retail
    assert {"previous_activity", "is_last_event"} <= set(steps.columns)
    with_mart = pm.directly_follows(steps, cases)
    sorted_here = pm.directly_follows(steps.drop("previous_activity", "is_last_event").reverse(), cases)
    assert_frame_equal(sorted_here[1], with_mart[1])
    assert_frame_equal(sorted_here[0], with_mart[0])


def test_variants_from_the_cases_paths_equal_the_ones_from_sorted_events(retail):
    """mart_process_cases joins each case's activities at load time (variant); without it the events
    are sorted per case. The five finished cases: four straight through, one with the rework loop."""
    steps, cases, _ = retail
    straight = " → ".join(ACTIVITIES)
    looped = straight.replace("warehouse_arrival", "warehouse_arrival → warehouse_arrival")
    from_mart = pm.variants(steps, cases)
    assert from_mart.select("path", "n_cases").rows() == [(straight, 4), (looped, 1)]
    assert_frame_equal(pm.variants(steps.reverse(), cases.drop("variant")), from_mart)


def test_first_broken_link_and_requirement(retail):
    steps, cases, dim = retail
    links = chain.chain_links(dim, "release_day")
    assert links["deadline_offset_hours"].to_list() == [-8.0, -5.0, -3.0, -1.0, 0.0]
    assert chain.deadline_clock_labels(links, cases) == {
        "supplier_shipment": "10:00",
        "warehouse_arrival": "13:00",
        "warehouse_dispatch": "15:00",
        "shop_delivery": "17:00",
        "on_shelf": "18:00",
    }
    first = chain.first_broken(chain.link_status(steps, cases, links, AS_OF), cases, AS_OF)
    expected = pl.DataFrame(
        {
            "case_id": ["REL-A", "REL-B", "REL-C", "REL-D", "REL-E", "REL-F", "REL-G"],
            "first_broken": [
                chain.NO_BREAK,
                "supplier_shipment",
                "warehouse_dispatch",
                "shop_delivery",
                "warehouse_arrival",
                "on_shelf",
                chain.NO_BREAK,
            ],
            # D broke a link and still made 18:00; F is open past due; G is not due yet
            "met_requirement": [True, False, False, True, False, False, None],
        }
    )
    assert_frame_equal(first.select(expected.columns), expected)
    assert chain.requirement_met_pct(first) == pytest.approx(100 * 2 / 6)
    summary = chain.broken_summary(first, links)
    assert summary["first_broken"].to_list() == [chain.NO_BREAK, *ACTIVITIES]
    assert summary["n_cases"].to_list() == [2, 1, 1, 1, 1, 1]
    assert summary["n_met"].to_list() == [1, 0, 0, 0, 1, 0]
    assert summary["n_pending"].to_list() == [1, 0, 0, 0, 0, 0]


def test_link_performance_as_is_against_to_be(retail):
    steps, cases, dim = retail
    links = chain.chain_links(dim, "release_day")
    performance = chain.link_performance(chain.link_status(steps, cases, links, AS_OF))
    expected = pl.DataFrame(
        {
            "activity": ACTIVITIES,
            "deadline_offset_hours": [-8.0, -5.0, -3.0, -1.0, 0.0],
            "end_median_hours": [-9.0, -6.0, -3.0, -0.5, 0.5],  # last occurrence's end against 18:00
            "end_p90_hours": [-7.9, -3.5, -1.5, 0.5, 1.6],
            "n_held": [6, 4, 3, 2, 2],
            "n_broken": [1, 2, 3, 4, 4],  # F's shelf step counts as broken: open after 18:00
            "n_pending": [0, 1, 1, 1, 1],  # G: not due until the next day
            "held_pct": [600 / 7, 400 / 6, 50.0, 200 / 6, 200 / 6],
        },
        schema_overrides={c: pl.UInt32 for c in ("n_held", "n_broken", "n_pending")},
    )
    assert_frame_equal(performance.select(expected.columns), expected)


def test_unknown_breakdown_is_refused(retail):
    steps, cases, _ = retail
    with pytest.raises(bn.UnknownGroupingError):
        bn.step_stats(steps, cases, by=("resource; drop table x",))


def test_a_case_breaches_once_however_many_runs_went_over():
    """K1 runs 'check' twice, only the second run over its 2 h target; K2 twice, both over; K3 once,
    within target: two of three cases breached, whatever the number of runs."""
    t = datetime(2026, 1, 1, 8, 0)
    hour = timedelta(hours=1)
    rows = [  # case, started (h from t), duration h, wait h, is_rework
        ("K1", 0, 1.0, 0.0, False), ("K1", 2, 3.0, 1.0, True),
        ("K2", 0, 3.0, 0.0, False), ("K2", 4, 3.0, 1.0, True),
        ("K3", 0, 1.0, 0.5, False),
    ]
    steps = pl.DataFrame({
        "case_id": [r[0] for r in rows], "process": "p", "activity": "check", "step_order": 0,
        "started_at": [t + r[1] * hour for r in rows], "ended_at": [t + (r[1] + r[2]) * hour for r in rows],
        "duration_hours": [r[2] for r in rows], "wait_hours": [r[3] for r in rows], "is_rework": [r[4] for r in rows],
        "target_hours": 2.0, "business_unit": None, "product_class": None,
    })
    cases = pl.DataFrame({"process": "p", "case_id": ["K1", "K2", "K3"], "is_complete": True,
                          "ended_at": [t + 5 * hour, t + 7 * hour, t + hour], "due_at": [None, None, None]},
                         schema_overrides={"due_at": pl.Datetime("us")})
    row = bn.step_stats(steps, cases).row(0, named=True)
    assert (row["n_cases"], row["n_events"], row["n_rework_cases"]) == (3, 5, 2)
    assert row["over_target_pct"] == pytest.approx(100 * 2 / 3)
