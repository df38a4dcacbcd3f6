"""The tables kept per survey batch (PER_SURVEY_BATCH) must equal a rebuild from scratch.

The demo warehouse is loaded batch by batch through the real pipeline, so its per-batch tables were
built by appending; here they are compared with a full rebuild, before and after rolling back a
survey batch from the middle of the history, and the follow-up cases with a full sync.
"""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.warehouse.connection import connect, query
from app.warehouse.models import PER_SURVEY_BATCH, rebuild_models
from pipelines.follow_ups import sync_follow_up_cases
from pipelines.load import rollback_batch

COMPARED = sorted(PER_SURVEY_BATCH) + ["stg_survey_cube", "mart_nps", "mart_touchpoint_scores"]
CASE_COLUMNS = "case_id, response_id, status, owner_department, due_date, answer_removed_at is null as present"


def _snapshot(con) -> dict[str, pl.DataFrame]:
    frames = {name: query(con, f"select * from {name}") for name in COMPARED}
    frames["follow_up_cases"] = query(con, f"select {CASE_COLUMNS} from follow_up_cases")
    return {name: frame.sort(frame.columns, nulls_last=True) for name, frame in frames.items()}


def _full_rebuild(con, model) -> dict[str, pl.DataFrame]:
    """What a rebuild from scratch gives, without keeping it: the transaction is rolled back."""
    con.execute("begin transaction")
    try:
        rebuild_models(con, model)
        synced = sync_follow_up_cases(con, model)
        return {**_snapshot(con), "synced": synced}
    finally:
        con.execute("rollback")


def _assert_same(incremental: dict, full: dict) -> None:
    assert not full["synced"].changed, f"a full sync still had work to do: {full['synced']}"
    for name in [*COMPARED, "follow_up_cases"]:
        assert incremental[name].height > 0, name
        assert_frame_equal(incremental[name], full[name], check_exact=False, rel_tol=1e-9, abs_tol=1e-9,
                           check_dtypes=True), name


@pytest.fixture
def warehouse(demo_dir, tmp_path):
    shutil.copytree(demo_dir, tmp_path / "demo")
    con = connect(tmp_path / "demo" / "warehouse.duckdb")
    yield con
    con.close()


def test_batch_by_batch_equals_a_full_rebuild(warehouse, model):
    survey_batches = warehouse.execute(
        "select count(*) from batches where source = 'surveys' and status = 'loaded'").fetchall()[0][0]
    assert survey_batches > 1  # the demo really was appended batch by batch
    _assert_same(_snapshot(warehouse), _full_rebuild(warehouse, model))


def test_rollback_of_a_middle_batch_equals_a_full_rebuild(warehouse, model):
    middle = warehouse.execute(
        "select batch_id from batches where source = 'surveys' and status = 'loaded' order by batch_id"
    ).fetchall()[2][0]
    before = warehouse.execute("select count(*) from mart_feedback").fetchall()[0][0]
    rollback_batch(warehouse, model, middle)
    after = _snapshot(warehouse)
    assert after["mart_feedback"].height < before
    assert after["stg_survey_batch_cube"].filter(pl.col("batch_id") == middle).is_empty()
    _assert_same(after, _full_rebuild(warehouse, model))
