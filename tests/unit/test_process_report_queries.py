"""The bottleneck report aggregated in DuckDB (app/warehouse/process_report_queries.py, what the page
shows) equals the report computed from the events (app/analytics/bottleneck_report.py, the reference
definitions that tests/unit/test_bottlenecks.py checks by hand): on the hand-computed release-day
fixture and on the demo company under several filters, every table, the verdict and the chain.

Open steps and cases are measured up to the newest moment of the process's whole log in both.
"""

from __future__ import annotations

import shutil

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.analytics import bottlenecks as bn
from app.analytics.bottleneck_report import ProcessReport, process_report
from app.service_model import load_service_model
from app.ui.views.bottlenecks_data import load_breakdown, load_report, totals_key
from app.warehouse.connection import connect
from app.warehouse.filters import Filters
from app.warehouse.process_queries import process_cases, process_steps, step_dimension
from app.warehouse.process_report_queries import (
    AGGREGATE_COLUMNS,
    STEP_CUBE,
    _rows_sql,
    aggregated_report,
    has_aggregate_columns,
)
from pipelines.load import load_file
from tests.unit.test_bottlenecks import RETAIL

NO_WAIT_SUMS = pl.DataFrame()  # the wait cost is its own query (tests/unit/test_wait_cost*.py)
FILTERS = [
    Filters(),
    Filters(business_units=("energy",)),
    Filters(period_from="2025-Q3", period_to="2026-Q1"),
    Filters(segments=("key_account",), grades=("a", "b")),
    Filters(statuses=("current",)),
]


def _same_frame(got: pl.DataFrame, expected: pl.DataFrame) -> None:
    """Equal up to integer widths and float rounding (sums in another order)."""
    if expected.is_empty() and got.is_empty():
        return
    assert_frame_equal(got, expected.select(got.columns), check_dtypes=False, check_exact=False, rel_tol=1e-9)


def _same_report(got: ProcessReport, expected: ProcessReport) -> None:
    for name in ("steps", "nodes", "edges", "variants", "pareto"):
        _same_frame(getattr(got, name), getattr(expected, name))
    assert got.summary.keys() == expected.summary.keys()
    for key, value in expected.summary.items():
        assert got.summary[key] == pytest.approx(value), key
    assert got.breakdown_columns == expected.breakdown_columns
    assert got.as_of == expected.as_of
    if expected.bottleneck is None:
        assert got.bottleneck is None
    else:
        for key, value in vars(expected.bottleneck).items():
            assert getattr(got.bottleneck, key) == (pytest.approx(value) if isinstance(value, float) else value), key
    assert (got.chain is None) == (expected.chain is None)
    if expected.chain is not None:
        for name in ("links", "performance", "broken"):
            _same_frame(getattr(got.chain, name), getattr(expected.chain, name))
        assert got.chain.met_pct == pytest.approx(expected.chain.met_pct)
        assert got.chain.clock_labels == expected.chain.clock_labels


def _compare(con: duckdb.DuckDBPyConnection, filters: Filters, process: str, min_cases: int) -> ProcessReport:
    dim = step_dimension(con)
    got = aggregated_report(con, filters, process, dim, NO_WAIT_SUMS, min_cases)
    steps, cases = process_steps(con, filters, process), process_cases(con, filters, process)
    expected = process_report(steps, cases, dim, NO_WAIT_SUMS, process, min_cases=min_cases, as_of=got.as_of)
    _same_report(got, expected)
    for by in got.breakdown_columns:
        expected_table = bn.step_stats(steps, cases, (by,), got.as_of)
        _same_frame(load_breakdown(con, filters, process, by, totals_key(got)), expected_table)
        if by in got.breakdowns:  # computed with the report
            _same_frame(got.breakdowns[by], expected_table)
    assert set(got.breakdowns) <= set(got.breakdown_columns)
    return got


@pytest.fixture(scope="module")
def retail_con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("retail_sql")
    model = load_service_model(RETAIL / "service_model.yaml")
    con = connect(folder / "warehouse.duckdb")
    for source, name in [("clients", "clients.csv"), ("surveys", "surveys.csv"), ("events", "events_chain.csv")]:
        assert load_file(con, model, source, RETAIL / name, archive_dir=folder / "archive").ok
    yield con
    con.close()


def test_release_day_fixture_aggregates_as_computed_by_hand(retail_con):
    report = _compare(retail_con, Filters(), "release_day", min_cases=1)
    assert report.bottleneck.activity == "on_shelf" and report.chain is not None
    assert report.summary["late_hours_total"] == pytest.approx(6.0)  # as tests/unit/test_bottlenecks.py


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "-".join(f"{k}={v}" for k, v in f.as_dict().items()) or "all")
def test_demo_company_aggregates_as_its_events_under_filters(demo_con, model, filters):
    for process in model.processes:
        _compare(demo_con, filters, process.id, min_cases=model.settings.min_n)


def test_a_warehouse_built_before_the_per_event_columns_is_read_from_its_events(demo_dir, tmp_path, model):
    shutil.copytree(demo_dir, tmp_path / "old")
    con = connect(tmp_path / "old" / "warehouse.duckdb")
    try:
        expected = load_report(con, Filters(), "order_fulfilment", 30)
        older = ", ".join(sorted(AGGREGATE_COLUMNS))
        con.execute(f"create or replace table mart_process_steps as select * exclude ({older}) from mart_process_steps")
        assert not has_aggregate_columns(con)
        got = load_report(con, Filters(), "order_fulfilment", 30)
    finally:
        con.close()
    assert got.as_of == expected.as_of  # unfiltered: the newest moment of the log either way
    _same_frame(got.steps, expected.steps)
    assert got.bottleneck.activity == expected.bottleneck.activity


def test_step_tables_sum_the_step_cube_and_equal_the_events_without_it(demo_dir, tmp_path, model):
    shutil.copytree(demo_dir, tmp_path / "copy")
    con = connect(tmp_path / "copy" / "warehouse.duckdb")
    filters = Filters(business_units=("energy",), period_from="2025-Q3")
    try:
        assert STEP_CUBE in _rows_sql(con, "true", ["activity", "segment"], (), span=False)
        assert STEP_CUBE not in _rows_sql(con, "true", ["activity", "product_class"], (), span=False)
        with_cube = {p.id: load_report(con, filters, p.id, model.settings.min_n) for p in model.processes}
        segments = load_breakdown(con, filters, "order_fulfilment", "segment", totals_key(with_cube["order_fulfilment"]))
        con.execute(f"drop table {STEP_CUBE}")
        assert STEP_CUBE not in _rows_sql(con, "true", ["activity", "segment"], (), span=False)
        for process, report in with_cube.items():
            from_events = load_report(con, filters, process, model.settings.min_n)
            _same_report(report, from_events)
            for by, table in report.breakdowns.items():
                _same_frame(table, from_events.breakdowns[by])
        _same_frame(segments, load_breakdown(con, filters, "order_fulfilment", "segment",
                                             totals_key(with_cube["order_fulfilment"])))
    finally:
        con.close()
