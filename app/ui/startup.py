"""What the app does once per process when it opens a warehouse, next to loading the demo company into
an empty one (app/ui/context.py): the writes that belong to no page view.

- Key drivers: after a first start, trained in the background (company-wide model first, then the
  segments) so the dashboards open as soon as the data is in; a run left half-trained by a stopped
  app is finished (app/ui/driver_background.py).
- Follow-up KPIs: the past-due share in the KPI tree moves at midnight without any data change, so it
  is recomputed once a day — now, and after every midnight while the app runs — by a timer thread of
  this process, the warehouse's one writer. A person opening a page never writes.
"""

from __future__ import annotations

import atexit
import logging
import threading
from datetime import date, datetime, timedelta

import duckdb

from app.service_model import ServiceModel
from app.ui import driver_background

log = logging.getLogger(__name__)
RETRY_SECONDS = 300.0  # a refresh that met a concurrent write (a load) tries again after this
AFTER_MIDNIGHT_SECONDS = 5.0

_DAILY: dict[str, tuple[threading.Event, threading.Thread]] = {}  # warehouse path -> its daily job
_DAILY_GUARD = threading.Lock()


def start_background_jobs(
    con: duckdb.DuckDBPyConnection, model: ServiceModel, db_path: str, demo_loaded: bool
) -> None:
    """Called once per process and warehouse, after the demo company was (or was not) loaded."""
    if demo_loaded:
        driver_background.start(con, model, db_path, targets=())  # () = the demo's targets
    else:
        driver_background.resume_if_unfinished(con, model, db_path)
    start_daily_follow_up_refresh(con, model, db_path)


def refresh_follow_up_kpis_now(con: duckdb.DuckDBPyConnection, model: ServiceModel) -> bool:
    """Refresh today's follow-up KPIs if nobody did yet; False when it failed (tried again later)."""
    from pipelines.follow_up_actions import refresh_once_a_day

    cur = con.cursor()
    try:
        refresh_once_a_day(cur, model, date.today())
        return True
    except Exception:  # noqa: BLE001 — a load committing at the same moment; the next try will do
        log.warning("refreshing the follow-up KPIs failed; trying again later", exc_info=True)
        return False
    finally:
        cur.close()


def seconds_to_next_day(now: datetime) -> float:
    tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    return (tomorrow - now).total_seconds() + AFTER_MIDNIGHT_SECONDS


def start_daily_follow_up_refresh(con: duckdb.DuckDBPyConnection, model: ServiceModel, db_path: str) -> None:
    """A daemon thread: refresh now, then after each midnight (retrying after a failed try)."""
    stop = threading.Event()

    def loop() -> None:
        delay = 0.0
        while not stop.wait(delay):
            ok = refresh_follow_up_kpis_now(con, model)
            delay = seconds_to_next_day(datetime.now()) if ok else RETRY_SECONDS

    with _DAILY_GUARD:
        if db_path in _DAILY:
            return
        thread = threading.Thread(target=loop, name="cx-follow-up-kpis", daemon=True)
        _DAILY[db_path] = (stop, thread)
    thread.start()


def stop_daily_follow_up_refresh(db_path: str) -> None:
    """Stop the daily job of a warehouse (tests; the thread is a daemon and ends with the app anyway)."""
    with _DAILY_GUARD:
        job = _DAILY.pop(db_path, None)
    if job is not None:
        job[0].set()
        job[1].join(timeout=30)


@atexit.register
def _stop_all() -> None:
    """At exit, end the process's jobs before the database objects they hold are torn down."""
    for db_path in list(_DAILY):
        stop_daily_follow_up_refresh(db_path)
    driver_background.stop_all(timeout=10)
