"""What people do to follow-up cases: change status, owner, assignee, add a note — one or many at once.

Each change is one transaction: the case row, an event per changed field (who, when, old → new),
the follow-up KPIs in mart_kpi_values and a new data version, so every page shows the change at
once and the KPI tree agrees with the cases list. Closing sets closed_at (the time-to-close KPI
counts from the answer to it); reopening clears it. Withdrawn cases (answer rolled back before
anyone worked on them) are read-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb

from app.service_model import ServiceModel
from app.warehouse.connection import write_transaction
from app.warehouse.follow_up_queries import last_kpi_refresh
from app.warehouse.models import rebuild_models
from app.warehouse.schema import bump_data_version
from pipelines.follow_ups import CLOSED_STATUSES, USER_STATUSES, add_events

MAX_NOTE_CHARS = 2000
MAX_ASSIGNEE_CHARS = 80
UNCHANGED = object()  # "leave this field as it is" in a CaseChange


class CaseUpdateError(ValueError):
    """The requested change is not allowed (unknown status or department, withdrawn case…)."""


@dataclass(frozen=True)
class CaseChange:
    status: str | None = None
    owner_department: object = UNCHANGED  # a department id, None to clear, UNCHANGED to keep
    assignee: object = UNCHANGED
    note: str | None = None


def _clean(text: object, limit: int) -> str | None:
    cleaned = " ".join(str(text).split()) if text is not None else ""
    return cleaned[:limit] or None


def _validate(change: CaseChange, model: ServiceModel) -> None:
    if change.status is not None and change.status not in USER_STATUSES:
        raise CaseUpdateError(f"unknown status {change.status!r}; allowed: {', '.join(USER_STATUSES)}")
    owner = change.owner_department
    if owner not in (UNCHANGED, None) and owner not in model.option_ids("departments"):
        raise CaseUpdateError(f"unknown department {owner!r}")


def _apply_one(con: duckdb.DuckDBPyConnection, case_id: int, change: CaseChange, actor: str | None) -> int:
    rows = con.execute(
        "select status, owner_department, assignee from follow_up_cases where case_id = ?", [case_id]
    ).fetchall()
    if not rows:
        raise CaseUpdateError(f"there is no follow-up case {case_id}")
    status, owner, assignee = rows[0]
    if status == "withdrawn":
        raise CaseUpdateError(f"case {case_id} was withdrawn (its answer was rolled back) and cannot change")
    events: list[tuple] = []
    sets: dict[str, object] = {}
    if change.status is not None and change.status != status:
        sets["status"] = change.status
        events.append((case_id, actor, "status", status, change.status, None))
    if change.owner_department is not UNCHANGED and change.owner_department != owner:
        sets["owner_department"] = change.owner_department
        events.append((case_id, actor, "owner", owner, change.owner_department, None))
    new_assignee = UNCHANGED if change.assignee is UNCHANGED else _clean(change.assignee, MAX_ASSIGNEE_CHARS)
    if new_assignee is not UNCHANGED and new_assignee != assignee:
        sets["assignee"] = new_assignee
        events.append((case_id, actor, "assignee", assignee, new_assignee, None))
    note = _clean(change.note, MAX_NOTE_CHARS) if change.note else None
    if note:
        sets["last_note"] = note
        events.append((case_id, actor, "note", None, None, note))
    if not sets:
        return 0
    assignments = ", ".join(f"{column} = ${column}" for column in sets)
    closing = ""
    if "status" in sets:
        now_closed = sets["status"] in CLOSED_STATUSES
        was_closed = status in CLOSED_STATUSES
        closing = (
            ", closed_at = current_localtimestamp()"
            if now_closed and not was_closed
            else ", closed_at = null"
            if not now_closed
            else ""
        )
    con.execute(
        f"update follow_up_cases set {assignments}, updated_at = current_localtimestamp(){closing} "
        "where case_id = $case_id",
        {**sets, "case_id": case_id},
    )
    add_events(con, events)
    return len(events)


def update_cases(
    con: duckdb.DuckDBPyConnection,
    model: ServiceModel,
    case_ids: Sequence[int],
    change: CaseChange,
    actor: str | None = None,
) -> int:
    """Apply one change to each case; returns the number of recorded events (0 = nothing changed)."""
    _validate(change, model)
    with write_transaction(con):
        recorded = sum(_apply_one(con, int(case_id), change, actor) for case_id in dict.fromkeys(case_ids))
        if recorded:
            rebuild_models(con, model, changed={"follow_ups"})
            label = f"case {case_ids[0]}" if len(case_ids) == 1 else f"{len(case_ids)} cases"
            bump_data_version(con, f"follow-up {label} updated")
    return recorded


def refresh_follow_up_kpis(con: duckdb.DuckDBPyConnection, model: ServiceModel, reason: str) -> None:
    """Recompute the follow-up KPIs (overdue moves with the calendar) and publish a data version."""
    with write_transaction(con):
        rebuild_models(con, model, changed={"follow_ups"})
        bump_data_version(con, reason)


def refresh_reason(day: date) -> str:
    return f"follow-up KPIs refreshed for {day.isoformat()}"


def refresh_once_a_day(con: duckdb.DuckDBPyConnection, model: ServiceModel, today: date) -> bool:
    """Recompute the follow-up KPIs unless a case change or a refresh did so today; whether it ran.

    Past-due shares move at midnight without any data change. The app runs this at start and after
    each midnight (app/ui/startup.py), `python -m pipelines follow-ups --refresh-kpis` on demand —
    never a page view.
    """
    last = last_kpi_refresh(con)
    if last is not None and last >= today:
        return False
    refresh_follow_up_kpis(con, model, refresh_reason(today))
    return True
