"""Event logs with missing timestamps, an end before its start, or activities the service model does
not know get one row-level message each; steps still running (no end) are not an error, and their
cases reach the analytics as open cases instead of disappearing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl

from app.analytics import bottlenecks as bn
from app.analytics import process_summary as ps
from app.service_model import load_service_model
from app.warehouse.connection import connect
from app.warehouse.filters import Filters
from app.warehouse.process_queries import process_cases, process_steps
from pipelines.load import load_file
from pipelines.sources import source_spec
from pipelines.validate import EXPECTED_DATE, validate_frame

RETAIL = Path(__file__).resolve().parent.parent / "data" / "retail"
NOW = datetime(2026, 11, 22, 12, 0)
LOG = """case_id,process,activity,started_at,ended_at,due_at
R1,release_day,supplier_shipment,2026-05-04 08:00,2026-05-04 09:00,2026-05-04 18:00
R1,release_day,warehouse_arrival,,2026-05-04 12:00,2026-05-04 18:00
R1,release_day,warehouse_dispatch,2026-05-04 13:00,2026-05-04 12:30,2026-05-04 18:00
R1,release_day,teleport,2026-05-04 14:00,2026-05-04 15:00,2026-05-04 18:00
R2,release_day,supplier_shipment,2026-05-05 08:00,2026-05-05 09:00,2026-05-05 18:00
R2,release_day,warehouse_arrival,2026-05-05 10:00,,2026-05-05 18:00
R3,release_night,supplier_shipment,2026-05-06 08:00,2026-05-06 09:00,2026-05-06 18:00
R3,release_day,supplier_shipment,yesterday,2026-05-06 09:00,2026-05-06 18:00
"""


def problems(model) -> list[tuple]:
    frame = pl.read_csv(LOG.encode(), infer_schema=False)
    result = validate_frame(
        frame, header_row=1, file_name="events.csv", spec=source_spec("events", model), model=model, now=NOW
    )
    return [tuple(r.values()) for r in result.problems.drop("file").to_dicts()]


def test_each_bad_event_row_gets_its_own_message():
    model = load_service_model(RETAIL / "service_model.yaml")
    assert problems(model) == [
        (3, "started_at", None, "a value (this column is required)"),
        (4, "ended_at", "2026-05-04 12:30", "not before started_at"),
        (5, "activity", "teleport", "a step of process 'release_day' in the service model"),
        (8, "process", "release_night", "one of: release_day"),
        (9, "started_at", "yesterday", EXPECTED_DATE),
    ]


def test_a_step_without_end_is_an_open_case_not_an_error(tmp_path):
    model = load_service_model(RETAIL / "service_model.yaml")
    con = connect(tmp_path / "warehouse.duckdb")
    try:
        result = load_file(
            con,
            model,
            "events",
            LOG.encode(),
            "events.csv",
            archive_dir=tmp_path / "archive",
            accept_good_rows=True,
        )
        assert (result.status, result.rows_accepted, result.rows_rejected) == ("loaded", 3, 5)
        steps, cases = process_steps(con, Filters()), process_cases(con, Filters())
    finally:
        con.close()
    # R2's arrival is running; R1 has no open step but never reached the shelf (its other rows were
    # rejected), so neither case counts as finished
    assert cases.select("case_id", "is_complete").rows() == [("R1", False), ("R2", False)]
    stats = bn.step_stats(steps, cases)
    arrival = stats.filter(pl.col("activity") == "warehouse_arrival").row(0, named=True)
    assert (arrival["n_events"], arrival["n_open"], arrival["n_completed"]) == (1, 1, 0)
    summary = ps.case_summary(cases, bn.data_as_of(steps)).row(0, named=True)
    assert (summary["n_cases"], summary["n_open"]) == (2, 2)
