"""The sums behind the bottleneck page's wait cost (app/analytics/wait_cost.py), computed in DuckDB so
that no survey answer and no event leaves it: per step of one process and waiting bin, the least-
squares sums of the answers joined to their client's mean wait — a few dozen rows at any size.

One query:
1. **waits**: per step × client × quarter, the mean waiting before the step (days) over the client's
   cases that started in the quarter (mart_process_steps under the filters that apply to it);
2. **groups**: per client × quarter, its answers' count, sum and sum of squares of the NPS code
   (+100 / 0 / −100) and of each served touchpoint's rating (mart_answer_ratings under every global
   filter, respondent role included; mart_clients joined only for a filter on the client's keys),
   joined to the waits — the answer sums are grouped on the quarter's start and named afterwards,
   which spares a quarter string per answer;
3. **bins**: a step's groups ordered by wait (then client and quarter) go to `n_bins` bins of about
   equal answer counts, each whole, in the bin where its cumulative answer-count midpoint falls. To
   avoid sorting every group (a sort of all clients × quarters × steps is most of the query's time),
   groups are first summed into slots of nearly equal wait (floor(8·√minutes), monotone in the wait,
   so slots keep the order); a slot whose answers all fall in one bin goes there whole, and only the
   groups of the few slots that straddle a bin boundary are ordered one by one — the same bins as
   ordering every group. A step where every client waited the same has one bin (0): its order would
   be the clients' ids, and it has no slope to show.
Per bin the columns of `BIN_SUMS`; summing a step's bins gives its whole sums, so the bins carry both
the slope and the chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from app.warehouse.connection import query
from app.warehouse.filters import Filters, filter_sql
from app.warehouse.process_queries import process_filter_columns
from app.warehouse.scores import NPS_COLUMNS

CLIENT_KEY_FILTERS = ("business_units", "segments", "grades", "statuses")  # mart_clients' columns
# A bin's columns: (name, the value one client × quarter group adds, how groups' values combine).
# x is the group's wait in days; n_m, s_m, q_m its answers' count, sum and sum of squares of measure m
# (the NPS code or the served touchpoint's rating). The m_ sums are raw (uncentred) per-answer sums.
BIN_SUMS: tuple[tuple[str, str, str], ...] = (
    ("wait_days_from", "x", "min"),
    ("wait_days_to", "x", "max"),
    ("n_client_periods", "1", "sum"),
    ("n_answers", "n_answers", "sum"),
    ("answers_sx", "n_answers * x", "sum"),  # Σ wait over all answers
    *(
        (name.format(m=m), value.format(m=m), "sum")
        for m in ("nps", "rating")
        for name, value in (
            ("{m}_n", "n_{m}"),  # answers with a value
            ("{m}_sx", "n_{m} * x"),
            ("{m}_sxx", "n_{m} * x * x"),
            ("{m}_sy", "s_{m}"),
            ("{m}_sxy", "x * s_{m}"),
            ("{m}_syy", "q_{m}"),
        )
    ),
)

COUNTS = frozenset({"n_client_periods", "n_answers", "nps_n", "rating_n"})

WAIT_COST_SQL = """
with waits as (
    select activity, client_id, period, avg(wait_hours) / 24.0 as x
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
), slots as (
    select *,
           sum(n_answers) over (partition by activity order by slot rows between unbounded preceding and current row)
               - n_answers as before,
           sum(n_answers) over (partition by activity) as total,
           least($n_bins, sum(n_answers) over (partition by activity)) as k,
           min(wait_days_from) over (partition by activity) = max(wait_days_to) over (partition by activity) as flat
    from slot_sums
), crossing as (
    select activity, slot, before, total, k from slots
    where not flat and (before + n_answers) * k / total > floor(before * k / total) + 1
), placed as (
    select activity, case when flat then 0 else least(floor(before * k / total), k - 1) end as bin,
           {bin_columns}
    from slots
    where flat or (before + n_answers) * k / total <= floor(before * k / total) + 1
    union all
    select g.activity,
           least(floor((c.before + sum(g.n_answers) over (
               partition by g.activity, g.slot order by g.x, g.client_id, g.period
               rows between unbounded preceding and current row) - g.n_answers / 2.0) * c.k / c.total), c.k - 1),
           {group_values}
    from groups g join crossing c using (activity, slot)
)
select $process as process, activity, bin::bigint as bin, {bin_totals}
from placed
group by activity, bin
order by activity, bin
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


def wait_cost_sums(
    con: duckdb.DuckDBPyConnection, filters: Filters, process: str, served: pl.DataFrame, n_bins: int = 5
) -> pl.DataFrame:
    """Per step × waiting bin of one process: process, activity, bin, wait_days_from/to, n_client_periods,
    n_answers, answers_sx (Σ wait over all answers) and, for m in (nps, rating), `MEASURE_SUMS`.

    served: process, activity, touchpoint_id (app.analytics.wait_cost.served_touchpoints); steps that
    serve no touchpoint are left out. Empty when no step serves one or no client both waited and
    answered."""
    steps = served.filter((pl.col("process") == process) & pl.col("touchpoint_id").is_not_null())
    if steps.is_empty():
        return pl.DataFrame()
    pairs = list(steps.select("activity", "touchpoint_id").iter_rows())
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
    sql = WAIT_COST_SQL.format(
        step_where=step_where,
        activities=", ".join(f"$act_{j}" for j in range(len(pairs))),
        answer_where=answer_where,
        client_keys="join mart_clients using (client_id)" if needs_keys else "",
        rating_sums=rating_sums,
        served_rating=served_rating,
        slot_sums=", ".join(f"{how}({value})::double as {name}" for name, value, how in BIN_SUMS),
        bin_columns=", ".join(name for name, _, _ in BIN_SUMS),
        group_values=", ".join(f"({value})::double" for _, value, _ in BIN_SUMS),
        bin_totals=", ".join(
            f"{how}({name}){'::bigint' if name in COUNTS else ''} as {name}" for name, _, how in BIN_SUMS
        ),
    )
    return query(con, sql, params)
