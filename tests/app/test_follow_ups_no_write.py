"""A viewer opening the Follow-ups page never writes to the warehouse, not even on the first visit of a
new day: the past-due KPIs are refreshed by the app's daily job at start (app/ui/startup.py), not by
a render. AppTest on the real entry script with a real users file and a private demo copy."""

from __future__ import annotations

import time
from datetime import date

import duckdb
from streamlit.testing.v1 import AppTest

from app.auth.users import set_user
from app.ui.pages import PROJECT_ROOT
from app.ui.startup import stop_daily_follow_up_refresh
from app.warehouse.follow_up_queries import last_kpi_refresh
from app.warehouse.schema import data_version

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
FOLLOW_UPS = "app_pages/follow_ups.py"


def _fingerprint(db: str) -> dict[str, tuple]:
    """Row count and an order-free hash of every table, and the data version."""
    con = duckdb.connect(db)  # the app's own database instance in this process
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        found = {t: tuple(con.execute(f'select count(*), sum(hash(t)) from "{t}" t').fetchall()[0]) for t in tables}
        return found | {"data_version": (data_version(con),)}
    finally:
        con.close()


def _yesterdays_refresh(db: str) -> None:
    """As if the last follow-up KPI refresh happened yesterday (the first visit of a new day)."""
    con = duckdb.connect(db)
    try:
        deadline = time.monotonic() + 30  # the daily job's refresh at app start runs in its own thread
        while last_kpi_refresh(con) != date.today() and time.monotonic() < deadline:
            time.sleep(0.2)
        con.execute("update data_changes set changed_at = changed_at - interval 1 day where reason like '%follow-up%'")
        assert last_kpi_refresh(con) is None or last_kpi_refresh(con) < date.today()
    finally:
        con.close()


def test_a_viewer_opening_follow_ups_on_a_new_day_writes_nothing(demo_env, monkeypatch):
    users = demo_env / "users.yaml"
    set_user(users, "vic", "viewer", "viewer secret", rounds=4)
    monkeypatch.setenv("CXLENS_USERS", str(users))
    db = str(demo_env / "warehouse.duckdb")
    try:
        at = AppTest.from_file(ENTRY, default_timeout=120).run()
        at.text_input(key="cx_sign_in_name").input("vic")
        at.text_input(key="cx_sign_in_password").input("viewer secret")
        at.button(key="FormSubmitter:cx_sign_in-Sign in").click().run()  # the app opens the warehouse
        assert at.metric, "the viewer sees the Overview"
        _yesterdays_refresh(db)  # after the app start's refresh: the viewer's next visit is a new day's first
        before = _fingerprint(db)
        at.switch_page(FOLLOW_UPS).run()
        assert not at.exception, [e.message for e in at.exception]
        assert [m.label for m in at.metric] == ["Open cases", "Overdue now", "Median days to close", "Past due"]
        assert _fingerprint(db) == before
    finally:
        stop_daily_follow_up_refresh(db)
