"""The wait cost's sums computed from the per-event and per-answer marts in one query: what
wait_cost_queries.wait_cost_sums reads from its load-time tables, computed from scratch. It serves a
warehouse built before those tables existed (until its next load builds them), and the tests compare
the tables' answer with it.

One query:
1. **waits**: per step × client × quarter, the mean waiting before the step (days) over the client's
   cases that started in the quarter (mart_process_steps under the filters that apply to it; summed
   in whole microseconds, wait_cost_sql.MEAN_WAIT_DAYS, so that every run orders clients alike);
2. **groups**: per client × quarter, its answers' count, sum and sum of squares of the NPS code
   (+100 / 0 / −100) and of each served touchpoint's rating (mart_answer_ratings under every global
   filter, respondent role included; mart_clients joined only for a filter on the client's keys),
   joined to the waits — the answer sums are grouped on the quarter's start and named afterwards,
   which spares a quarter string per answer;
3. **bins**: wait_cost_sql's SLOTS_SQL and PLACED_SQL over the groups summed per wait slot. At a million answers this
   takes ~0.4 s, most of it joining ~700,000 client-quarters of waits to the answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from app.warehouse.connection import query
from app.warehouse.filters import Filters, filter_sql
from app.warehouse.process_queries import process_filter_columns
from app.warehouse.scores import NPS_COLUMNS
from app.warehouse.wait_cost_sql import BIN_SUMS, MEAN_WAIT_DAYS, SLOTS_SQL, placed_sql

CLIENT_KEY_FILTERS = ("business_units", "segments", "grades", "statuses")  # mart_clients' columns

SCAN_SQL = """
with waits as (
    select activity, client_id, period, {mean_wait_days} as x
    from mart_process_steps
    where process = $process and client_id is not null and wait_hours is not null and {step_where}
      and activity in ({activities})
    group by activity, client_id, period
), quarters as (
    select client_id, date_trunc('quarter', submitted_at) as quarter_start, count(*) as n_answers,
           count(nps_code) as n_nps, sum(nps_code)::double as s_nps, sum(nps_code * nps_code)::double as q_nps
           {rating_sums}
    from mart_answer_ratings {client_keys}
    where {answer_where} and client_id is not null
    group by client_id, quarter_start
), groups as (
    select w.activity, w.client_id, w.period, w.x, floor(sqrt(w.x * 1440.0) * 8) as slot,
           a.n_answers, a.n_nps, a.s_nps, a.q_nps, {served_rating}
    from waits w
    join (select quarter_of(quarter_start) as period, * exclude (quarter_start) from quarters) a
      using (client_id, period)
), slot_sums as (
    select activity, slot, {slot_sums}
    from groups
    group by activity, slot
),
"""


def _rating_columns(con: duckdb.DuckDBPyConnection, touchpoint_ids: Sequence[str]) -> dict[str, str]:
    """touchpoint id → its rating column in mart_answer_ratings. Column names go into SQL text, so
    only columns the view really has are used (an unknown touchpoint raises)."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_name = 'mart_answer_ratings'"
    ).fetchall()
    present = {r[0] for r in rows}
    columns = {tp: f"rating_{tp}" for tp in dict.fromkeys(touchpoint_ids)}
    unknown = [c for c in columns.values() if c not in present]
    if unknown:
        raise ValueError(f"mart_answer_ratings has no {unknown}")
    return columns


def scan_wait_cost_sums(
    con: duckdb.DuckDBPyConnection, filters: Filters, process: str, pairs: Sequence[tuple[str, str]], n_bins: int
) -> pl.DataFrame:
    """wait_cost_queries.wait_cost_sums' frame from the marts; pairs: (activity, served touchpoint id)
    of the process's steps that serve one (at least one)."""
    columns = _rating_columns(con, [tp for _, tp in pairs])
    index = {tp: i for i, tp in enumerate(columns)}
    step_where, params = filter_sql(filters, process_filter_columns(con), prefix="p")
    answer_where, answer_params = filter_sql(filters, NPS_COLUMNS)
    # the answers' client keys (as they are now) only when a filter asks for them: the join costs
    # as much as the scan
    needs_keys = any(filters.selected(d) for d in CLIENT_KEY_FILTERS)
    params |= answer_params | {"process": process, "n_bins": max(1, int(n_bins))}
    params |= {f"act_{j}": activity for j, (activity, _) in enumerate(pairs)}
    rating_sums = "".join(
        f", count({c}) as n_r{i}, sum({c})::double as s_r{i}, sum({c} * {c})::double as q_r{i}"
        for i, c in enumerate(columns.values())
    )

    def by_step(part: str) -> str:
        cases = " ".join(f"when $act_{j} then a.{part}{index[tp]}" for j, (_, tp) in enumerate(pairs))
        return f"case w.activity {cases} end"

    served_rating = ", ".join(
        f"{by_step(part)} as {name}" for part, name in (("n_r", "n_rating"), ("s_r", "s_rating"), ("q_r", "q_rating"))
    )
    sql = SCAN_SQL.format(
        mean_wait_days=MEAN_WAIT_DAYS,
        step_where=step_where,
        activities=", ".join(f"$act_{j}" for j in range(len(pairs))),
        answer_where=answer_where,
        client_keys="join mart_clients using (client_id)" if needs_keys else "",
        rating_sums=rating_sums,
        served_rating=served_rating,
        slot_sums=", ".join(f"{how}({value})::double as {name}" for name, value, how in BIN_SUMS),
    )
    return query(con, sql + SLOTS_SQL + placed_sql(), params)
