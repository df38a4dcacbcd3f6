"""The demo company's closed loop as if its CX team had run it since the first survey wave.

Without a history the demo would show 1,600 cases opened on the day of installation and empty
time-to-close and past-due KPIs. This replays, deterministically (seeded), what a team would have
done up to the demo's as-of day: each case is picked up, worked and closed after a time that
depends on the client's grade (its due days) and on the owning department's pace; most are
resolved, some closed without a resolution (client unreachable, declined); cases whose time is not
up by the as-of day are still open or in progress (and become overdue as the calendar moves on).
Planted: logistics works its cases SLOW_DEPARTMENT[1] times slower than its peers, so its past-due
share stands out on the follow-ups page and in the KPI tree; and the answers of the last
BACKLOG[0] days before the as-of day arrived in the quarter-end rush and are handled BACKLOG[1]
times slower, so the demo opens with a live work list. Only the demo calls this.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import polars as pl

from app.service_model import ServiceModel
from app.warehouse.connection import query, write_transaction
from app.warehouse.models import rebuild_models
from app.warehouse.schema import bump_data_version
from pipelines import demo_story

SLOW_DEPARTMENT = ("logistics", 1.8)
BACKLOG = (42, 4.0)  # days before the as-of day, slow-down factor
RESOLVED_SHARE = 0.84
CALENDAR_PER_BUSINESS_DAY = 1.4
ACTOR = "demo"
NOTES = {
    "contacted": {
        "ru": (
            "Связались с клиентом, уточняем детали",
            "Позвонили ЛПР, договорились о встрече",
            "Запросили подробности у клиента по почте",
        ),
        "en": (
            "Called the client, collecting details",
            "Spoke to the decision maker, meeting agreed",
            "Asked the client for details by e-mail",
        ),
    },
    "resolved": {
        "ru": (
            "Согласовали новый график поставок, клиент удовлетворён",
            "Исправили документы и отправили повторно",
            "Провели разбор с клиентом, приняты корректирующие меры",
            "Выставили корректный счёт, извинились",
        ),
        "en": (
            "Agreed a new delivery schedule, client satisfied",
            "Corrected and re-sent the documents",
            "Reviewed the case with the client, corrective actions agreed",
            "Issued a corrected invoice and apologised",
        ),
    },
    "closed": {
        "ru": ("Клиент недоступен после трёх попыток", "Клиент отказался от разговора"),
        "en": ("Client unreachable after three attempts", "Client declined the call"),
    },
}


def _paces(rng: np.random.Generator, departments: list[str]) -> dict[str, float]:
    paces = dict(zip(departments, np.exp(rng.normal(0.0, 0.25, len(departments))), strict=True))
    if SLOW_DEPARTMENT[0] in paces:
        paces[SLOW_DEPARTMENT[0]] = SLOW_DEPARTMENT[1]
    return paces


def _note(rng: np.random.Generator, kind: str) -> str:
    lang = "ru" if rng.random() < 0.7 else "en"
    options = NOTES[kind][lang]
    return options[int(rng.integers(len(options)))]


def _replay(
    case: dict,
    rng: np.random.Generator,
    paces: dict[str, float],
    days_by_grade: dict[str, int],
    people: dict[str, list[str]],
    as_of: datetime,
) -> tuple[dict, list[tuple]]:
    """One case's fate up to `as_of`: the updated row and its events (case_id, at, kind, old, new, note)."""
    received = case["received_at"]
    target = days_by_grade.get(case["grade"] or "", max(days_by_grade.values(), default=5))
    pace = paces.get(case["owner_department"], 1.0)
    if received >= as_of - timedelta(days=BACKLOG[0]):
        pace *= BACKLOG[1]
    handling = float(rng.gamma(2.0, target * CALENDAR_PER_BUSINESS_DAY * pace * 0.35))
    picked_up = received + timedelta(days=handling * float(rng.uniform(0.1, 0.45)))
    finished = received + timedelta(days=handling)
    pool = people.get(case["owner_department"]) or [None]
    row = {
        "case_id": case["case_id"],
        "status": "open",
        "assignee": None,
        "closed_at": None,
        "last_note": None,
        "updated_at": received,
    }
    events = [(case["case_id"], received, "opened", None, "open", None)]
    resolved = rng.random() < RESOLVED_SHARE
    assignee, contact_note = pool[int(rng.integers(len(pool)))], _note(rng, "contacted")
    final_note = _note(rng, "resolved" if resolved else "closed")
    if picked_up <= as_of:
        row.update(status="in_progress", assignee=assignee, last_note=contact_note, updated_at=picked_up)
        events += [
            (case["case_id"], picked_up, "assignee", None, assignee, None),
            (case["case_id"], picked_up, "status", "open", "in_progress", None),
            (case["case_id"], picked_up, "note", None, None, contact_note),
        ]
    if finished <= as_of:
        status = "resolved" if resolved else "closed"
        row.update(status=status, closed_at=finished, last_note=final_note, updated_at=finished)
        events += [
            (case["case_id"], finished, "note", None, None, final_note),
            (case["case_id"], finished, "status", "in_progress", status, None),
        ]
    return row, events


def replay_demo_history(con: duckdb.DuckDBPyConnection, model: ServiceModel, seed: int = 7) -> int:
    """Give every open demo case the history it would have by the demo's as-of day; returns cases touched."""
    cases = query(
        con,
        "select case_id, received_at, grade, owner_department from follow_up_cases "
        "where status = 'open' order by case_id",
    )
    if cases.is_empty():
        return 0
    rng = np.random.default_rng(seed + 8)
    departments = model.option_ids("departments")
    paces = _paces(rng, departments)
    people = demo_story.resources(rng, departments, per_department=3)
    as_of = demo_story.AS_OF.astype(datetime)
    rows, events = [], []
    for case in cases.iter_rows(named=True):
        row, case_events = _replay(case, rng, paces, model.settings.follow_up_days_by_grade, people, as_of)
        rows.append(row)
        events += case_events
    _write(con, model, pl.DataFrame(rows), events)
    return len(rows)


def _write(
    con: duckdb.DuckDBPyConnection, model: ServiceModel, rows: pl.DataFrame, events: list[tuple]
) -> None:
    history = pl.DataFrame(
        events,
        schema=["case_id", "event_at", "kind", "old_value", "new_value", "note"],
        orient="row",
        schema_overrides={"old_value": pl.String, "new_value": pl.String, "note": pl.String},
    ).with_row_index("seq")
    con.register("_replayed", rows)
    con.register("_history", history)
    try:
        with write_transaction(con):
            con.execute(
                """
                update follow_up_cases c set status = r.status, assignee = r.assignee, closed_at = r.closed_at,
                       last_note = r.last_note, updated_at = r.updated_at, opened_at = c.received_at
                from _replayed r where c.case_id = r.case_id
                """
            )
            con.execute("delete from follow_up_events where case_id in (select case_id from _replayed)")
            con.execute(
                """
                insert into follow_up_events
                select (select coalesce(max(event_id), 0) from follow_up_events)
                           + row_number() over (order by event_at, case_id, seq), case_id, event_at, $actor, kind,
                       old_value, new_value, note
                from _history
                """,
                {"actor": ACTOR},
            )
            rebuild_models(con, model, changed={"follow_ups"})
            bump_data_version(con, "demo follow-up history")
    finally:
        con.unregister("_replayed")
        con.unregister("_history")
