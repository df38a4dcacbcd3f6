"""The page benchmark's query timer: silent outside `recording()`, nested calls counted once, also when
a report runs its queries side by side on worker threads (`run_concurrently`)."""

from __future__ import annotations

import duckdb
import pytest

from app.warehouse import query_timer
from app.warehouse.connection import fetch_scalar, query, run_concurrently


def test_queries_are_timed_only_while_recording_and_nested_ones_once():
    con = duckdb.connect()
    query(con, "select 1 as x")  # outside recording: nothing kept anywhere
    with query_timer.recording() as records:
        with query_timer.timed("cached", "a cached function"):
            query(con, "select 42 as answer")
            fetch_scalar(con, "select 1")
        query(con, "select   2  as\n  y")
    assert [(r.kind, r.depth) for r in records] == [("query", 1), ("scalar", 1), ("cached", 0), ("query", 0)]
    assert records[-1].label == "select 2 as y"
    outer = query_timer.outer_seconds(records)
    assert outer == records[2].seconds + records[3].seconds
    assert outer >= records[0].seconds + records[1].seconds
    with query_timer.timed("query", "not recorded"):
        pass
    assert len(records) == 4 and query_timer._records is None


def test_queries_run_side_by_side_count_inside_their_callers_timing(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create table t as select range as x from range(1000)")
    jobs = {name: (lambda n: lambda cursor: query(cursor, f"select sum(x) + {n} as s from t"))(i)
            for i, name in enumerate("abcd")}
    with query_timer.recording() as records:
        with query_timer.timed("cached", "a report"):
            got = run_concurrently(con, jobs)
        query(con, "select 1")
    assert {name: frame["s"].item() for name, frame in got.items()} == {"a": 499500, "b": 499501, "c": 499502,
                                                                        "d": 499503}
    assert sorted(r.depth for r in records if r.kind == "query") == [0, 1, 1, 1, 1]
    assert query_timer._depth() == 0  # the worker threads left no depth behind
    assert query_timer.outer_seconds(records) == sum(r.seconds for r in records if r.label in ("a report", "select 1"))


def test_a_failing_job_raises_after_the_others_ended(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    finished = []

    def slow(cursor):
        cursor.execute("select count(*) from range(2000000)").fetchall()
        finished.append("slow")

    with pytest.raises(duckdb.CatalogException, match="no_such_table"):
        run_concurrently(con, {"bad": lambda cursor: query(cursor, "select * from no_such_table"), "slow": slow})
    assert finished == ["slow"]
    assert con.execute("select 1").fetchall() == [(1,)]  # the connection itself is untouched
