"""The sums behind the bottleneck page's wait cost (app/analytics/wait_cost.py), computed in DuckDB so
that no survey answer and no event leaves it: per step of one process and waiting bin, the least-
squares sums of the answers joined to their client's mean wait — a few dozen rows at any size.

The join of waits to answers is made at load time, per survey batch (models.PER_SURVEY_BATCH): per
batch × served step × client × quarter, the client's wait and its answers' sums, with the respondent
roles apart (mart_wait_cost_group_roles) and summed (mart_wait_cost_groups), and both summed again over
the clients per wait slot (mart_wait_cost_slot_roles, mart_wait_cost_slots by business unit: a
fifteenth and a tenth of the rows). This is exact under any global filter, because the filters keep or drop whole clients
(their keys) and whole quarters — the wait of a client-quarter never changes with them — and the role
filter narrows only the answers. So the page sums the rows that pass the filters, in one query:
1. **slots**: per step × wait slot (floor(8·√minutes), monotone in the wait), the BIN_SUMS of the
   slot table when it keeps every filtered column (quarters and business unit, or quarters and role),
   of the rows otherwise (the role tables under a role filter). A row is one client-quarter of one batch (in one role); where a client-quarter may have
   rows in several batches (a quarter that more than one loaded batch has answers in) or several
   roles are chosen, the client-quarters are counted distinct from the rows instead;
2. **bins**: a step's groups (client × quarter) ordered by wait (then client and quarter) go to
   `n_bins` bins of about equal answer counts, each whole, in the bin where its cumulative answer-
   count midpoint falls. A slot whose answers all fall in one bin goes there whole, and only the
   groups of the few slots that straddle a bin boundary are summed from the rows and ordered one by
   one — the same bins as ordering every group. A step where every client waited the same has one bin
   (0): its order would be the clients' ids, and it has no slope to show.
Per bin the columns of `BIN_SUMS`; summing a step's bins gives its whole sums, so the bins carry both
the slope and the chart. A warehouse built before these tables existed gets the same frame from the
events and answers (wait_cost_scan.py, ~0.4 s at a million answers) until its next load builds them.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.warehouse.connection import query
from app.warehouse.filters import DIMENSION_COLUMNS, Filters, filter_sql
from app.warehouse.wait_cost_scan import scan_wait_cost_sums
from app.warehouse.wait_cost_sql import BIN_SUMS, COUNTS, SLOTS_SQL, placed_sql

__all__ = ["BIN_SUMS", "COUNTS", "wait_cost_sums"]

# (rows, their sums per slot, the filter columns those sums keep, the distinct client-quarter counts
# of the shared quarters) without and with a respondent-role filter
TABLES = {False: ("mart_wait_cost_groups", "mart_wait_cost_slots", frozenset({"period", "business_unit"}),
                  "mart_wait_cost_counts"),
          True: ("mart_wait_cost_group_roles", "mart_wait_cost_slot_roles", frozenset({"period", "respondent_role"}),
                 "mart_wait_cost_role_counts")}
ROW_FILTERS = frozenset({"period", "business_unit", "segment", "grade", "status", "respondent_role"})
GROUP_VALUES = ("n_answers", "n_nps", "s_nps", "q_nps", "n_rating", "s_rating", "q_rating")

TABLE_SQL = """
with slot_parts as (
    select activity, slot, {slot_sums}, sum({counted}) as n_client_periods
    from {source}
    where {steps} and {where}
    group by activity, slot
    {distinct_part}
), slot_sums as (
    select activity, slot, {slot_totals}
    from slot_parts
    group by activity, slot
),
""" + SLOTS_SQL + """
groups as (
    select activity, slot, client_id, period, {group_values}
    from {rows}
    where {steps} and {where} and (activity, slot) in (select (activity, slot) from crossing)
    {group_by}
),
"""
# client-quarters counted distinct, in the quarters where one could have rows in two batches or roles:
# summed from the counts table where it stands for them (one role or none), else counted from the rows
DISTINCT_PART = """
    union all
    select activity, slot, {no_sums}, {counted} as n_client_periods
    from {source}
    where {steps} and {where} and {deduplicated}
    group by activity, slot
"""


def _built(
    con: duckdb.DuckDBPyConnection, process: str
) -> tuple[set[tuple[str, str]], list[str], bool] | None:
    """From mart_wait_cost_slots (some 70,000 rows at a million answers): the steps with the touchpoint
    each served when the tables were built, the quarters that answers of more than one survey batch
    fall in (there a client-quarter may have a row in each batch), and whether the distinct counts of
    those quarters are kept (mart_wait_cost_counts). None for a warehouse without the tables."""
    names = [name for rows, slots, _, _ in TABLES.values() for name in (rows, slots)]
    counts = [counts for _, _, _, counts in TABLES.values()]
    present = {row[0] for row in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() "
        f"and schema_name = current_schema() and table_name in ({', '.join('?' for _ in names + counts)})",
        names + counts,
    ).fetchall()}
    if not set(names) <= present:
        return None
    rows = con.execute(
        f"select activity, touchpoint_id, period, min(batch_id) < max(batch_id) from {TABLES[False][1]} "
        "where process = ? group by activity, touchpoint_id, period",
        [process],
    ).fetchall()
    shared = sorted({period for _, _, period, is_shared in rows if is_shared})
    return {(a, tp) for a, tp, _, _ in rows}, shared, set(counts) <= present


def _counting(filters: Filters, shared: list[str], params: dict[str, object]) -> tuple[str, str | None]:
    """How a source row counts client-quarters (SQL over {n}, the client-quarters the row stands for:
    1 for a row, n_client_periods for a slot), and which rows are counted distinct instead (a
    condition, or None for none)."""
    if len(filters.selected("respondent_roles")) > 1:  # a client-quarter may have a row in each role
        return "0", "true"
    if not shared:
        return "{n}", None
    params |= {f"shared_{i}": period for i, period in enumerate(shared)}
    in_shared = f"period in ({', '.join(f'$shared_{i}' for i in range(len(shared)))})"
    return f"case when not {in_shared} then {{n}} else 0 end", in_shared


def wait_cost_sums(
    con: duckdb.DuckDBPyConnection, filters: Filters, process: str, served: pl.DataFrame, n_bins: int = 5
) -> pl.DataFrame:
    """Per step × waiting bin of one process: process, activity, bin, wait_days_from/to, n_client_periods,
    n_answers, answers_sx (Σ wait over all answers) and, for m in (nps, rating), m_n, m_sx, m_sxx, m_sy,
    m_sxy, m_syy (`BIN_SUMS`).

    served: process, activity, touchpoint_id (app.analytics.wait_cost.served_touchpoints); steps that
    serve no touchpoint are left out. Empty when no step serves one or no client both waited and
    answered."""
    steps = served.filter((pl.col("process") == process) & pl.col("touchpoint_id").is_not_null())
    if steps.is_empty():
        return pl.DataFrame()
    pairs = list(steps.select("activity", "touchpoint_id").iter_rows())
    built = _built(con, process)
    if built is None:  # built before these tables: from the events and answers
        return scan_wait_cost_sums(con, filters, process, pairs, n_bins)
    built_pairs, shared, has_counts = built
    # a step whose served touchpoint changed in the service model since the last load is left out
    activities = [activity for activity, touchpoint in pairs if (activity, touchpoint) in built_pairs]
    if not activities:
        return pl.DataFrame()
    return query(con, *_table_query(filters, process, activities, shared, n_bins, has_counts))


def _table_query(
    filters: Filters, process: str, activities: list[str], shared: list[str], n_bins: int, has_counts: bool
) -> tuple[str, dict[str, object]]:
    """TABLE_SQL for these steps and filters, and its parameters."""
    rows, slots, kept, counts = TABLES[bool(filters.selected("respondent_roles"))]
    # the slot tables keep few of the filter columns: when only those are filtered, they stand for the rows
    use_slots = {DIMENSION_COLUMNS[d] for d in filters.active_dimensions()} <= kept
    where, params = filter_sql(filters, ROW_FILTERS)
    params |= {"process": process, "n_bins": max(1, int(n_bins))}
    params |= {f"act_{j}": a for j, a in enumerate(activities)}
    steps = f"process = $process and activity in ({', '.join(f'$act_{j}' for j in range(len(activities)))})"
    counted, deduplicated = _counting(filters, shared, params)
    sums = [(name, value, how) for name, value, how in BIN_SUMS if name != "n_client_periods"]
    # the counts tables hold one role's client-quarters (or all roles'): not a union of several roles'
    from_counts = has_counts and len(filters.selected("respondent_roles")) <= 1
    distinct_part = "" if deduplicated is None else DISTINCT_PART.format(
        no_sums=", ".join(f"null::double as {name}" for name, _, _ in sums),
        counted="sum(n_client_periods)" if from_counts else "count(distinct (client_id, period))",
        source=counts if from_counts else rows,
        steps=steps, where=where, deduplicated=deduplicated,
    )
    sql = TABLE_SQL.format(
        # the slot tables' columns are the rows' BIN_SUMS already
        slot_sums=", ".join(f"{how}({name if use_slots else value})::double as {name}" for name, value, how in sums),
        counted=counted.format(n="n_client_periods" if use_slots else "1"),
        source=slots if use_slots else rows,
        rows=rows,
        steps=steps,
        where=where,
        distinct_part=distinct_part,
        slot_totals=", ".join(f"{how}({name})::double as {name}" for name, _, how in BIN_SUMS),
        # a row is a client-quarter, unless it may have rows in several batches or roles here
        group_values=", ".join(("x", *GROUP_VALUES)) if deduplicated is None
        else ", ".join(("any_value(x) as x", *(f"sum({v}) as {v}" for v in GROUP_VALUES))),
        group_by="" if deduplicated is None else "group by activity, slot, client_id, period",
    )
    return sql + placed_sql(), params
