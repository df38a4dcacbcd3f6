"""The page benchmark's query timer: silent outside `recording()`, nested calls counted once."""

from __future__ import annotations

import duckdb

from app.warehouse import query_timer
from app.warehouse.connection import fetch_scalar, query


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
