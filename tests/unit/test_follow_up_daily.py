"""The follow-up KPIs' daily refresh: once a day, by the app's daily job or the CLI, never by a page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb

from app.ui.startup import seconds_to_next_day
from app.warehouse.follow_up_queries import last_kpi_refresh
from app.warehouse.schema import data_version
from pipelines.follow_up_actions import refresh_once_a_day

OVERDUE_KPI = "ox_follow_up_overdue_share"


def _overdue_share(con: duckdb.DuckDBPyConnection) -> float:
    return con.execute(
        "select value from mart_kpi_values where kpi_id = ? and business_unit is null "
        "order by period desc limit 1",
        [OVERDUE_KPI],
    ).fetchall()[0][0]


def _a_day_passes(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("update data_changes set changed_at = changed_at - interval 1 day where reason like '%follow-up%'")


def test_refresh_runs_once_a_day_and_recomputes_past_due_as_of_today(demo_env, model):
    con = duckdb.connect(str(demo_env / "warehouse.duckdb"))
    try:
        today = date.today()
        refresh_once_a_day(con, model, today)
        assert last_kpi_refresh(con) == today
        version = data_version(con)
        assert not refresh_once_a_day(con, model, today)  # the second call of the day does nothing
        assert data_version(con) == version
        # Open cases due tomorrow are not yet past due; a day passes without loads and they are.
        assert con.execute(
            "update follow_up_cases set due_date = current_date + 1 where status in ('open', 'in_progress')"
        ).fetchall()[0][0]
        _a_day_passes(con)
        assert refresh_once_a_day(con, model, today)
        before = _overdue_share(con)
        con.execute("update follow_up_cases set due_date = current_date - 1 where status in ('open', 'in_progress')")
        assert _overdue_share(con) == before  # stored: stale until the next refresh
        _a_day_passes(con)
        assert refresh_once_a_day(con, model, today)
        assert data_version(con) == version + 2
        assert _overdue_share(con) > before
    finally:
        con.close()


def test_the_daily_job_wakes_just_after_midnight():
    assert seconds_to_next_day(datetime(2025, 3, 4, 23, 59, 0)) == 65.0
    noon = seconds_to_next_day(datetime(2025, 3, 4, 12, 0, 0))
    assert timedelta(seconds=noon) == timedelta(hours=12, seconds=5)
