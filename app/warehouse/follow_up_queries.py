"""Query functions over the follow-up cases (mart_follow_ups): the work list, its figures, a case's
history. Global filters apply to the answer (its quarter) and the client's keys.

Overdue depends on the calendar, not only on the data: the page passes `today`, so a cached result
from yesterday is never shown as today's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from app.warehouse.comment_search import like_pattern, search_words
from app.warehouse.connection import query, table_exists
from app.warehouse.filters import DIMENSION_COLUMNS, Filters, filter_sql

CASE_COLUMNS = frozenset(("period", *DIMENSION_COLUMNS.values()))


@dataclass(frozen=True)
class CaseQuery:
    case_statuses: tuple[str, ...] = ("open", "in_progress")
    owners: tuple[str, ...] = ()
    touchpoints: tuple[str, ...] = ()
    overdue_only: bool = False
    text: str = ""
    limit: int = 1000


QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def _quarter_start(period: str, after: bool = False) -> datetime | None:
    """The first moment of a quarter ('2025-Q3' → 2025-07-01), or of the next one with `after`."""
    match = QUARTER.match(period)
    if match is None:
        return None
    index = int(match[1]) * 4 + int(match[2]) - 1 + int(after)
    return datetime(index // 4, 3 * (index % 4) + 1, 1)


def _period_sql(filters: Filters) -> tuple[list[str], dict[str, object]]:
    """The quarter range as bounds on received_at: the same cases as comparing the quarter's text,
    without building that text for every case on each request (the quarter is derived in the view)."""
    clauses: list[str] = []
    params: dict[str, object] = {}
    bounds = (("period_from", filters.period_from, False, ">=", ">="), ("period_to", filters.period_to, True, "<", "<="))
    for name, period, after, time_op, text_op in bounds:
        if not period:
            continue
        start = _quarter_start(period, after)
        if start is None:  # not a quarter id: compare the text, as filter_sql does
            clauses.append(f"period {text_op} ${name}")
            params[name] = period
        else:
            clauses.append(f"received_at {time_op} ${name}")
            params[name] = start
    return clauses, params


CLIENT_KEY_FILTERS = ("business_units", "segments", "statuses")


def _cases(con: duckdb.DuckDBPyConnection, filters: Filters, spec: CaseQuery | None = None) -> str:
    """The relation to filter: mart_follow_ups when a filter needs the client's keys as they are now
    (or the search its name), else stg_follow_up_cases, the same cases without the join to the client
    list, which was most of the time of a count at ten million answers (2.5M cases, 500k clients).
    A warehouse built before that view existed reads mart_follow_ups until its next load."""
    needs_client = any(filters.selected(d) for d in CLIENT_KEY_FILTERS)
    searching = spec is not None and bool(search_words(spec.text))
    if needs_client or searching or not table_exists(con, "stg_follow_up_cases"):
        return "mart_follow_ups"
    return "stg_follow_up_cases"


def _where(filters: Filters, spec: CaseQuery | None = None) -> tuple[str, dict[str, object]]:
    where, params = filter_sql(filters.with_values(period_from=None, period_to=None), CASE_COLUMNS)
    periods, period_params = _period_sql(filters)
    params.update(period_params)
    clauses = [" and ".join([where, *periods]), "not is_withdrawn"]
    if spec is None:
        return " and ".join(clauses), params
    if spec.case_statuses:
        params["case_statuses"] = list(spec.case_statuses)
        clauses[1] = "case_status in (select unnest($case_statuses))"
    if spec.owners:
        params["owners"] = list(spec.owners)
        clauses.append("owner_department in (select unnest($owners))")
    if spec.touchpoints:
        params["touchpoints"] = list(spec.touchpoints)
        clauses.append("touchpoint_id in (select unnest($touchpoints))")
    if spec.overdue_only:
        clauses.append("is_overdue")
    for i, word in enumerate(search_words(spec.text)):
        params[f"w{i}"] = like_pattern(word)
        clauses.append(
            f"concat_ws(' ', 'FU-' || lpad(case_id::varchar, 5, '0'), client_name, client_id, comment, assignee, "
            f"last_note) ilike $w{i} escape '\\'"
        )
    return " and ".join(clauses), params


CASE_ORDER = "is_overdue desc, is_open desc, due_date nulls last, case_id"


def case_list(con: duckdb.DuckDBPyConnection, filters: Filters, spec: CaseQuery, today: date) -> pl.DataFrame:
    """Cases matching the filters, overdue first, then by due date; `n_matches` = the full count.

    The shown cases are picked by their sort keys alone, then only those get their columns (texts
    included): at a million answers a quarter of a million cases match, and sorting them with every
    column, or counting them in a window over all those rows, cost most of the page's time.
    """
    where, params = _where(filters, spec)
    params["limit"] = spec.limit
    return query(
        con,
        f"""
        with matching as (
            select case_id, is_overdue, is_open, due_date from {_cases(con, filters, spec)} where {where}
        ), shown as (
            select case_id from matching order by {CASE_ORDER} limit $limit
        )
        select case_id, received_at, period, client_id, client_name, business_unit, segment, grade, nps,
               touchpoint_id, owner_department, assignee, case_status, due_date, is_overdue,
               case when is_overdue then date_diff('day', due_date, current_date) end as days_overdue,
               closed_at, days_to_close, is_late, last_note, comment, response_id, answer_removed_at,
               (select count(*) from matching) as n_matches
        from mart_follow_ups where case_id in (select case_id from shown)
        order by {CASE_ORDER}
        """,
        params,
    )


SUMMARY_BY = ("owner_department", "period")


def case_summaries(
    con: duckdb.DuckDBPyConnection, filters: Filters, today: date
) -> dict[str | None, pl.DataFrame]:
    """Counts and times overall (key None), per owner department and per period, in one query.

    One pass over the cases (grouping sets) instead of one a breakdown, grouped by the quarter's first
    day and named after grouping: the quarter's name built for every case cost more than the sums.
    """
    where, params = _where(filters)  # `today` only keys the cache: the view compares with current_date
    frame = query(
        con,
        f"""
        select grouping(owner_department) = 0 as by_owner, grouping(quarter_start) = 0 as by_period,
               owner_department, quarter_of(quarter_start) as period,
               count(*) as n_cases,
               count(*) filter (where is_open) as n_open,
               count(*) filter (where is_overdue) as n_overdue,
               count(*) filter (where is_closed) as n_closed,
               count(*) filter (where case_status = 'resolved') as n_resolved,
               count(*) filter (where is_due) as n_due,
               count(*) filter (where is_late) as n_late,
               median(days_to_close) filter (where is_closed) as median_days_to_close,
               avg(days_to_close) filter (where is_closed) as avg_days_to_close
        from (select *, date_trunc('quarter', received_at) as quarter_start from {_cases(con, filters)} where {where})
        group by grouping sets ((), (owner_department), (quarter_start))
        order by grouping(owner_department), grouping(quarter_start), owner_department, quarter_start
        """,
        params,
    )
    sums = frame.columns[4:]
    return {
        None: frame.filter(~pl.col("by_owner") & ~pl.col("by_period")).select(sums),
        "owner_department": frame.filter(pl.col("by_owner")).select("owner_department", *sums),
        "period": frame.filter(pl.col("by_period")).select("period", *sums),
    }


def case_summary(
    con: duckdb.DuckDBPyConnection, filters: Filters, today: date, by: str | None = None
) -> pl.DataFrame:
    """Counts and times (overall, or per owner department / period with `by`)."""
    if by not in (None, *SUMMARY_BY):
        raise ValueError(f"cannot summarise by {by!r}")
    return case_summaries(con, filters, today)[by]


def case_detail(con: duckdb.DuckDBPyConnection, case_id: int) -> pl.DataFrame:
    return query(con, "select * from mart_follow_ups where case_id = $case_id", {"case_id": case_id})


def case_events(con: duckdb.DuckDBPyConnection, case_id: int) -> pl.DataFrame:
    return query(
        con,
        "select event_at, actor, kind, old_value, new_value, note from follow_up_events "
        "where case_id = $case_id order by event_at desc, event_id desc",
        {"case_id": case_id},
    )


def last_kpi_refresh(con: duckdb.DuckDBPyConnection) -> date | None:
    """The day the follow-up KPIs were last recomputed by a case change, a daily refresh or the demo's
    follow-up history (written when the demo company is loaded)."""
    rows = con.execute(
        "select max(changed_at)::date from data_changes "
        "where reason like 'follow-up%' or reason like 'demo follow-up%'"
    ).fetchall()
    return rows[0][0] if rows else None


def case_for_response(con: duckdb.DuckDBPyConnection, response_id: str) -> int | None:
    rows = con.execute("select case_id from follow_up_cases where response_id = ?", [response_id]).fetchall()
    return int(rows[0][0]) if rows else None
