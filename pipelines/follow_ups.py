"""The inner loop: every detractor answer opens a follow-up case, tracked until it is closed.

Cases live in `follow_up_cases` (+ `follow_up_events`, the history), plain tables that no rebuild
recreates, so people's work survives loads, rollbacks and restarts. `sync_follow_up_cases` runs
inside the load transaction after the marts are rebuilt (pipelines/load.py):

- a new detractor answer (NPS 0–6) opens a case: owner = department of the touchpoint the client
  rated lowest (mart_response_focus), or, when the answer rated none, the owner of the company-level
  CX KPI in the service model; due date = the answer's date + `settings.follow_up_days_by_grade`
  business days for the client's grade (the least urgent grade's days for an unknown grade);
- rollback of a survey batch: a case nobody has touched yet (still "open", no note, no change) is
  WITHDRAWN — kept for the record, out of the lists and KPIs; a case someone worked on keeps its
  status and history and is flagged "answer removed", because that call really happened;
- re-loading the answer later restores the case (withdrawn → open) instead of opening a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from app.service_model import ServiceModel
from app.warehouse.connection import fetch_scalar, query
from app.warehouse.models import SurveyBatchChange, rebuild_models

OPEN_STATUSES: tuple[str, ...] = ("open", "in_progress")
CLOSED_STATUSES: tuple[str, ...] = ("resolved", "closed")
USER_STATUSES: tuple[str, ...] = (*OPEN_STATUSES, *CLOSED_STATUSES)  # what people may set
SYSTEM_ACTOR = "system"
HUMAN_EVENT_KINDS = ("status", "owner", "assignee", "note")


@dataclass(frozen=True)
class SyncResult:
    opened: int = 0
    withdrawn: int = 0
    answer_removed: int = 0
    restored: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.withdrawn or self.answer_removed or self.restored)


def fallback_owner(model: ServiceModel) -> str | None:
    """Owner of an answer that rated no touchpoint: the owner of the company-level CX KPI (NPS)."""
    return next((k.owner for k in model.kpis if k.layer == "CX" and k.touchpoint is None and k.owner), None)


def due_date_expr(received: pl.Expr, grade: pl.Expr, days_by_grade: dict[str, int]) -> pl.Expr:
    """Answer date + business days for the grade (Mon–Fri; a weekend answer counts from Monday);
    an unknown grade gets the least urgent grade's days. Vectorised: a big batch opens many cases."""
    if not days_by_grade:
        return pl.lit(None, dtype=pl.Date)
    days = grade.replace_strict(days_by_grade, default=max(days_by_grade.values()), return_dtype=pl.Int64)
    return received.cast(pl.Date).dt.add_business_days(days, roll="forward")


def _next_id(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    return int(fetch_scalar(con, f"select coalesce(max({column}), 0) + 1 from {table}"))


def add_events(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """Append (case_id, actor, kind, old, new, note) rows to the history, stamped now."""
    if not rows:
        return
    first = _next_id(con, "follow_up_events", "event_id")
    frame = pl.DataFrame(
        rows,
        schema=["case_id", "actor", "kind", "old_value", "new_value", "note"],
        orient="row",
        schema_overrides={
            "case_id": pl.Int64,
            "old_value": pl.String,
            "new_value": pl.String,
            "note": pl.String,
        },
    )
    frame = frame.with_row_index("event_id", offset=first)
    con.register("_events", frame)
    try:
        con.execute(
            "insert into follow_up_events select event_id, case_id, current_localtimestamp(), actor, kind, "
            "old_value, new_value, note from _events"
        )
    finally:
        con.unregister("_events")


def _open_new_cases(con: duckdb.DuckDBPyConnection, model: ServiceModel, batch_id: int | None = None) -> int:
    """Open a case for each detractor answer that has none; only the given batch's answers when known."""
    in_batch = "true" if batch_id is None else f"r.batch_id = {int(batch_id)}"
    focus_in_batch = "true" if batch_id is None else f"batch_id = {int(batch_id)}"
    new = query(
        con,
        f"""
        select r.response_id, r.client_id, r.client_name, r.grade, r.submitted_at as received_at, r.nps,
               r.comment, f.touchpoint_id, t.department, r.batch_id, r.respondent_role
        from mart_responses r
        left join (select * from mart_response_focus where {focus_in_batch}) f using (response_id)
        left join dim_touchpoints t on t.touchpoint_id = f.touchpoint_id
        where r.is_detractor and r.submitted_at is not null and r.response_id is not null and {in_batch}
          and not exists (select 1 from follow_up_cases c where c.response_id = r.response_id)
        qualify row_number() over (partition by r.response_id order by r.batch_id) = 1
        order by r.submitted_at, r.response_id
        """,
    )
    if new.is_empty():
        return 0
    first_case = _next_id(con, "follow_up_cases", "case_id")
    first_event = _next_id(con, "follow_up_events", "event_id")
    cases = new.with_columns(
        pl.int_range(first_case, first_case + new.height, dtype=pl.Int64).alias("case_id"),
        pl.int_range(first_event, first_event + new.height, dtype=pl.Int64).alias("event_id"),
        pl.coalesce(pl.col("department"), pl.lit(fallback_owner(model), dtype=pl.String)).alias(
            "owner_department"
        ),
        due_date_expr(pl.col("received_at"), pl.col("grade"), model.settings.follow_up_days_by_grade)
        .alias("due_date"),
    )
    con.register("_new_cases", cases)
    try:
        con.execute(
            """
            insert into follow_up_cases by name
            select case_id, response_id, client_id, client_name, grade, received_at, nps, comment, touchpoint_id,
                   owner_department, 'open' as status, due_date, current_localtimestamp() as opened_at,
                   current_localtimestamp() as updated_at, batch_id, respondent_role
            from _new_cases
            """
        )
        con.execute(
            f"""
            insert into follow_up_events
            select event_id, case_id, current_localtimestamp(), '{SYSTEM_ACTOR}', 'opened', null, 'open',
                   'batch ' || batch_id
            from _new_cases
            """
        )
    finally:
        con.unregister("_new_cases")
    return cases.height


def _handle_removed_answers(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    gone = query(
        con,
        f"""
        select c.case_id, c.status,
               exists (select 1 from follow_up_events e where e.case_id = c.case_id
                       and e.kind in {HUMAN_EVENT_KINDS}) as was_worked
        from follow_up_cases c
        where c.status <> 'withdrawn' and c.answer_removed_at is null
          and not exists (select 1 from mart_responses r where r.response_id = c.response_id)
        """,
    )
    untouched = gone.filter((pl.col("status") == "open") & ~pl.col("was_worked"))["case_id"].to_list()
    worked = gone.filter(~pl.col("case_id").is_in(untouched))["case_id"].to_list()
    if untouched:
        con.execute(
            "update follow_up_cases set status = 'withdrawn', updated_at = current_localtimestamp() "
            "where case_id in (select unnest($ids))",
            {"ids": untouched},
        )
        add_events(
            con,
            [(c, SYSTEM_ACTOR, "withdrawn", "open", "withdrawn", "answer rolled back") for c in untouched],
        )
    if worked:
        con.execute(
            "update follow_up_cases set answer_removed_at = current_localtimestamp() "
            "where case_id in (select unnest($ids))",
            {"ids": worked},
        )
        add_events(
            con, [(c, SYSTEM_ACTOR, "answer_removed", None, None, "answer rolled back") for c in worked]
        )
    return len(untouched), len(worked)


def _restore_returned_answers(con: duckdb.DuckDBPyConnection, batch_id: int | None = None) -> int:
    """Reopen withdrawn cases whose answer was loaded again; the answer as loaded now gives the role."""
    in_batch = "true" if batch_id is None else f"r.batch_id = {int(batch_id)}"
    back = query(
        con,
        f"""
        select c.case_id, c.status from follow_up_cases c
        where (c.status = 'withdrawn' or c.answer_removed_at is not null)
          and exists (select 1 from mart_responses r where r.response_id = c.response_id and {in_batch})
        """,
    )
    if back.is_empty():
        return 0
    ids = back["case_id"].to_list()
    con.execute(
        "update follow_up_cases c set status = case when c.status = 'withdrawn' then 'open' else c.status end, "
        "answer_removed_at = null, updated_at = current_localtimestamp(), respondent_role = r.respondent_role "
        "from raw_surveys r where r.response_id = c.response_id and c.case_id in (select unnest($ids))",
        {"ids": ids},
    )
    add_events(
        con,
        [
            (c, SYSTEM_ACTOR, "restored", s, "open" if s == "withdrawn" else s, "answer loaded again")
            for c, s in back.iter_rows()
        ],
    )
    return len(ids)


def sync_follow_up_cases(con: duckdb.DuckDBPyConnection, model: ServiceModel,
                         change: SurveyBatchChange | None = None) -> SyncResult:
    """Bring the cases in line with the answers now in the warehouse (call inside the load transaction).

    Knowing the change keeps a load's work to its own batch: an added batch can only open or restore
    cases of its answers, a removed one can only withdraw cases.
    """
    if change is not None and change.op == "append":
        restored = _restore_returned_answers(con, change.batch_id)
        return SyncResult(_open_new_cases(con, model, change.batch_id), 0, 0, restored)
    if change is not None:
        return SyncResult(0, *_handle_removed_answers(con), 0)
    restored = _restore_returned_answers(con)
    withdrawn, removed = _handle_removed_answers(con)
    opened = _open_new_cases(con, model)
    return SyncResult(opened, withdrawn, removed, restored)


def after_rebuild(
    con: duckdb.DuckDBPyConnection, model: ServiceModel, changed: set[str] | None,
    change: SurveyBatchChange | None = None,
) -> SyncResult:
    """The load path's hook: sync the cases after survey changes and refresh the KPIs that read them."""
    if changed is not None and "surveys" not in changed:
        return SyncResult()
    result = sync_follow_up_cases(con, model, change)
    if result.changed:
        rebuild_models(con, model, changed={"follow_ups"})
    return result
