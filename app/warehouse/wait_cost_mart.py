"""The bottleneck page's wait cost from mart_wait_groups: the sums per step and waiting bin that
wait_cost_queries.wait_cost_sums computes from every event and answer, read instead from a table the
load builds once (sql/mart_wait_groups.sql: per served step × client × quarter × respondent role, the
client's wait and its answers' least-squares sums).

Why it is exact under any filter: a client-quarter's wait does not depend on the global filters (they
keep or drop whole clients and quarters; the role filter narrows only the answers), so the page sums
the mart's rows that pass the filters — the same sums the join of waits to filtered answers gives.
The waiting bins are formed as in wait_cost_queries: slots summed, and only the client-quarters of the
few slots straddling a bin boundary ordered one by one (their role rows summed first).

The mart's SQL parts that depend on the service model are in wait_groups_sql.py.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.warehouse.connection import query, table_exists
from app.warehouse.filters import Filters, filter_sql
from app.warehouse.wait_cost_queries import BIN_SUMS, COUNTS, wait_cost_sums
from app.warehouse.wait_groups_sql import MART

MART_FILTERS = frozenset({"period", "business_unit", "segment", "grade", "status", "respondent_role"})
GROUP_VALUES = ("n_answers", "n_nps", "s_nps", "q_nps", "n_rating", "s_rating", "q_rating")


PAGE_SQL = """
with slot_sums as (
    select activity, slot, {slot_sums}, {client_periods} as n_client_periods
    from mart_wait_groups
    where process = $process and activity in ({activities}) and {where}
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
), groups as (
    select activity, slot, client_id, period, any_value(x) as x, {group_sums}
    from mart_wait_groups
    where process = $process and (activity, slot) in (select (activity, slot) from crossing) and {where}
    group by activity, slot, client_id, period
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


def _client_periods(filters: Filters) -> str:
    """Client-quarters with an answer in the roles in view: one first-role row each with no role
    filter, one row each with one role; a distinct count only when several roles are chosen."""
    roles = filters.selected("respondent_roles")
    if not roles:
        return "count_if(is_first_role)::double"
    if len(roles) == 1:
        return "count(*)::double"
    return "count(distinct (client_id, period))::double"


def wait_cost_sums_from_mart(
    con: duckdb.DuckDBPyConnection, filters: Filters, process: str, served: pl.DataFrame, n_bins: int = 5
) -> pl.DataFrame:
    """wait_cost_queries.wait_cost_sums (same columns and rows) from mart_wait_groups; a warehouse
    built before the mart existed gets the query over the events and answers."""
    if not table_exists(con, MART):
        return wait_cost_sums(con, filters, process, served, n_bins)
    steps = served.filter((pl.col("process") == process) & pl.col("touchpoint_id").is_not_null())
    if steps.is_empty():
        return pl.DataFrame()
    activities = steps["activity"].to_list()
    where, params = filter_sql(filters, MART_FILTERS)
    params |= {"process": process, "n_bins": max(1, int(n_bins))}
    params |= {f"act_{j}": a for j, a in enumerate(activities)}
    sums = [(name, value, how) for name, value, how in BIN_SUMS if name != "n_client_periods"]
    sql = PAGE_SQL.format(
        slot_sums=", ".join(f"{how}({value})::double as {name}" for name, value, how in sums),
        client_periods=_client_periods(filters),
        activities=", ".join(f"$act_{j}" for j in range(len(activities))),
        where=where,
        group_sums=", ".join(f"sum({v}) as {v}" for v in GROUP_VALUES),
        bin_columns=", ".join(name for name, _, _ in BIN_SUMS),
        group_values=", ".join(f"({value})::double" for _, value, _ in BIN_SUMS),
        bin_totals=", ".join(
            f"{how}({name}){'::bigint' if name in COUNTS else ''} as {name}" for name, _, how in BIN_SUMS
        ),
    )
    return query(con, sql, params)
