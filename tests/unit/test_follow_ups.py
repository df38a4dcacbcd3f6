"""The closed loop: a case for every detractor answer, owned and dated by the rules; cases survive
loads, rollbacks and a new process; updates are recorded and move the follow-up KPIs."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import polars as pl
import pytest

from app.settings import PROJECT_ROOT
from app.warehouse.connection import connect, fetch_scalar, query
from app.warehouse.models import kpis_affected
from app.warehouse.voc_queries import topic_status
from pipelines.follow_up_actions import CaseChange, CaseUpdateError, update_cases
from pipelines.follow_ups import due_date_expr, fallback_owner
from pipelines.load import load_file, rollback_batch
from pipelines.personal_data import copy_warehouse
from tests.voc_helpers import demo_client, write_survey_batch

FOLLOW_UP_KPIS = {"ox_follow_up_close_days", "ox_follow_up_overdue_share"}


@pytest.fixture
def warehouse(demo_db, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    copy_warehouse(demo_db, copy)  # with its personal-data key
    con = connect(copy)
    yield con
    con.close()


def test_every_detractor_answer_has_one_case_owned_by_the_lowest_rated_touchpoint(demo_con, model):
    detractors = fetch_scalar(demo_con, "select count(*) from mart_responses where is_detractor")
    cases = query(
        demo_con,
        """
        select c.case_id, c.owner_department, t.department as expected
        from follow_up_cases c join mart_responses r using (response_id)
        left join mart_response_focus f using (response_id)
        left join dim_touchpoints t on t.touchpoint_id = f.touchpoint_id""",
    )
    assert cases.height == detractors == cases["case_id"].n_unique()
    expected = cases["expected"].fill_null(fallback_owner(model))
    assert (cases["owner_department"] == expected).all()


def due_dates(received: list, grades: list, days_by_grade: dict[str, int]) -> list:
    """The case-opening expression applied to plain lists, as _open_new_cases applies it (with_columns)."""
    dates = [r.date() if isinstance(r, datetime) else r for r in received]
    frame = pl.DataFrame({"received": dates, "grade": grades}, schema={"received": pl.Date, "grade": pl.String})
    due = due_date_expr(pl.col("received"), pl.col("grade"), days_by_grade).alias("due")
    return frame.with_columns(due)["due"].to_list()


def test_due_dates_count_business_days_by_grade():
    days = {"a": 2, "b": 5, "c": 10}
    received = [
        datetime(2026, 11, 20, 15, 30),
        date(2026, 11, 21),
        datetime(2026, 11, 23, 9),
    ]  # Fri, Sat, Mon
    assert due_dates(received, ["a", "b", "unknown"], days) == [
        date(2026, 11, 24),
        date(2026, 11, 30),
        date(2026, 12, 7),
    ]
    assert due_dates(received, ["a", "b", "c"], {}) == [None, None, None]


def test_follow_up_kpis_depend_on_the_cases_and_on_surveys(model):
    assert set(kpis_affected(model, {"follow_ups"})) == FOLLOW_UP_KPIS
    assert set(kpis_affected(model, {"surveys"})) >= FOLLOW_UP_KPIS


def test_demo_history_closes_most_cases_and_logistics_is_slowest(demo_con):
    per_owner = query(
        demo_con,
        """
        select owner_department, count(*) filter (where is_closed) as n_closed,
               median(days_to_close) filter (where is_closed) as days
        from mart_follow_ups group by 1 having count(*) filter (where is_closed) >= 30 order by days desc""",
    )
    assert per_owner["owner_department"][0] == "logistics"
    values = query(
        demo_con,
        "select kpi_id, count(*) as n from mart_kpi_values where kpi_id like 'ox_follow_up%' "
        "and business_unit is null group by 1",
    )
    assert set(values["kpi_id"]) == FOLLOW_UP_KPIS and (values["n"] >= 8).all()


def _load_batch(con, model, tmp_path, name: str = "wave.csv"):
    client = demo_client(con, "a")
    rows = [
        {
            "response_id": "VOC-T1",
            "nps": 2,
            "submitted_at": "2026-11-20 15:00:00",
            "lowest": "delivery",
            "comment": "Поставка снова опоздала на неделю",
        },
        {"response_id": "VOC-T2", "nps": 5, "submitted_at": "2026-11-21 10:00:00", "lowest": "invoicing"},
        {"response_id": "VOC-T3", "nps": 10, "submitted_at": "2026-11-21 11:00:00", "comment": "Всё отлично"},
    ]
    path = write_survey_batch(tmp_path / name, model, client, rows)
    result = load_file(con, model, "surveys", path, archive_dir=tmp_path / "archive")
    assert result.ok, result.message
    return result.batch_id


def _case(con, response_id: str) -> dict:
    return query(con, "select * from follow_up_cases where response_id = ?", [response_id]).row(0, named=True)


def test_load_opens_cases_and_rollback_withdraws_untouched_ones_and_keeps_worked_ones(
    warehouse, model, tmp_path
):
    before = fetch_scalar(warehouse, "select count(*) from follow_up_cases")
    batch = _load_batch(warehouse, model, tmp_path)
    assert fetch_scalar(warehouse, "select count(*) from follow_up_cases") == before + 2
    first, second = _case(warehouse, "VOC-T1"), _case(warehouse, "VOC-T2")
    assert (first["owner_department"], first["due_date"], first["status"]) == (
        "logistics",
        date(2026, 11, 24),
        "open",
    )
    assert (second["owner_department"], second["due_date"]) == ("finance", date(2026, 11, 25))
    assert topic_status(warehouse).is_stale  # the new comments are not in the topics yet

    update_cases(
        warehouse, model, [first["case_id"]], CaseChange(status="in_progress", note="Called"), actor="ana"
    )
    rollback_batch(warehouse, model, batch)
    first, second = _case(warehouse, "VOC-T1"), _case(warehouse, "VOC-T2")
    assert first["status"] == "in_progress" and first["answer_removed_at"] is not None
    assert second["status"] == "withdrawn"
    assert (
        fetch_scalar(warehouse, "select count(*) from mart_follow_ups where not is_withdrawn") == before + 1
    )

    _load_batch(warehouse, model, tmp_path)  # the same answers again: no duplicate cases
    assert fetch_scalar(warehouse, "select count(*) from follow_up_cases") == before + 2
    first, second = _case(warehouse, "VOC-T1"), _case(warehouse, "VOC-T2")
    assert first["answer_removed_at"] is None and first["status"] == "in_progress"
    assert second["status"] == "open"
    kinds = query(
        warehouse,
        "select kind from follow_up_events where case_id = ? order by event_id",
        [second["case_id"]],
    )["kind"].to_list()
    assert kinds == ["opened", "withdrawn", "restored"]


def test_a_status_change_survives_a_new_process(warehouse, model, tmp_path):
    case_id = int(
        fetch_scalar(warehouse, "select min(case_id) from follow_up_cases where status = 'in_progress'")
    )
    update_cases(
        warehouse, model, [case_id], CaseChange(status="resolved", note="Сроки согласованы"), actor="ana"
    )
    path = warehouse.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()[0][0]
    warehouse.close()
    script = (
        "import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True); "
        "print(c.execute('select status, last_note, closed_at is not null from follow_up_cases "
        "where case_id = ?', [int(sys.argv[2])]).fetchall()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, path, str(case_id)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "('resolved', 'Сроки согласованы', True)"


def test_updates_are_recorded_and_refresh_kpis_and_the_data_version(warehouse, model):
    open_cases = query(warehouse, "select case_id from mart_follow_ups where is_open and period = '2026-Q3'")
    kpi_sql = (
        "select value from mart_kpi_values where kpi_id = 'ox_follow_up_close_days' and period = '2026-Q3' "
        "and business_unit is null"
    )
    before_kpi, before_version = (
        fetch_scalar(warehouse, kpi_sql),
        fetch_scalar(warehouse, "select max(version) from data_changes"),
    )
    recorded = update_cases(
        warehouse,
        model,
        open_cases["case_id"].to_list(),
        CaseChange(status="resolved", note="Closed in bulk"),
        actor="ana",
    )
    assert recorded == 2 * open_cases.height  # a status event and a note event per case
    assert fetch_scalar(warehouse, kpi_sql) > before_kpi  # late closures lengthen the median
    assert fetch_scalar(warehouse, "select max(version) from data_changes") == before_version + 1
    assert (
        update_cases(warehouse, model, open_cases["case_id"].to_list()[:1], CaseChange(status="resolved"))
        == 0
    )


def test_invalid_changes_are_refused(warehouse, model, tmp_path):
    case_id = int(fetch_scalar(warehouse, "select min(case_id) from follow_up_cases"))
    events_before = fetch_scalar(warehouse, "select count(*) from follow_up_events")
    with pytest.raises(CaseUpdateError):
        update_cases(warehouse, model, [case_id], CaseChange(status="done"))
    with pytest.raises(CaseUpdateError):
        update_cases(warehouse, model, [case_id], CaseChange(owner_department="atlantis"))
    assert fetch_scalar(warehouse, "select count(*) from follow_up_events") == events_before
    batch = _load_batch(warehouse, model, tmp_path)
    rollback_batch(warehouse, model, batch)
    withdrawn = _case(warehouse, "VOC-T1")["case_id"]
    with pytest.raises(CaseUpdateError):
        update_cases(warehouse, model, [withdrawn], CaseChange(status="resolved"))
    assert _case(warehouse, "VOC-T1")["status"] == "withdrawn"
