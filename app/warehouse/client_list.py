"""The clients list read from mart_client_list: one row per client, every figure of the quarter range
taken from the client's per-quarter lists by position, in one pass over the clients.

The quarter range, the current and previous quarter and the earlier quarters of the range become
positions ("slots", mart_client_list_quarters) bound as parameters; the client filters are a WHERE on
the client's keys. Definitions as in app/analytics/satisfaction_index.py (newest index of the range,
change from the previous quarter) and app/analytics/client_risk.py (the counts behind the flags);
tests/unit/test_client_list_mart.py checks the result against them over all rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from app.warehouse.connection import query
from app.warehouse.filters import Filters, filter_sql

LIST_CLIENT_COLUMNS = frozenset(("business_unit", "segment", "grade", "status"))


@dataclass(frozen=True)
class Slots:
    """Positions in mart_client_list's lists: the range [first, last], current, previous, earlier;
    `periods` are the quarters of all slots, oldest first."""

    periods: tuple[str, ...]
    first: int
    last: int
    current: int
    previous: int | None
    earlier: tuple[int, ...]


def list_slots(
    con: duckdb.DuckDBPyConnection, filters: Filters, periods: list[str], current: str, previous: str | None
) -> Slots:
    """The slots of the filters' quarter range and of the quarters the flags compare (`periods`: the
    quarters with an index under the filters, oldest first; `current` the newest of them)."""
    slot = dict(con.execute("select period, slot from mart_client_list_quarters order by slot").fetchall())
    in_range = [s for p, s in slot.items()
                if (not filters.period_from or p >= filters.period_from)
                and (not filters.period_to or p <= filters.period_to)]
    return Slots(
        periods=tuple(slot),
        first=min(in_range),
        last=max(in_range),
        current=slot[current],
        previous=slot[previous] if previous else None,
        earlier=tuple(slot[p] for p in periods if p < current),
    )


def client_list_rows(con: duckdb.DuckDBPyConnection, filters: Filters, slots: Slots) -> pl.DataFrame:
    """Per client under the client filters, in id order: keys and money; the newest index of the range
    and its quarter, the change from the previous quarter's index; the NPS history (quarters with
    answers), newest NPS and its quarter, answers in the range; whether the client was active
    in the current quarter, that quarter's counts and its tickets in the earlier quarters; its cases."""
    where, params = filter_sql(filters, LIST_CLIENT_COLUMNS)
    params.update(first=slots.first, last=slots.last, current=slots.current,
                  previous=slots.previous or 0, earlier=list(slots.earlier), periods=list(slots.periods))
    # No ORDER BY: the mart is written in client_id order and a scan with a filter keeps the order
    # of insertion (DuckDB's preserve_insertion_order); sorting 500,000 wide rows, and the join to
    # the case counts that made it necessary, were most of the query at ten million answers.
    rows = query(
        con,
        f"""
        with listed as (
            select *, coalesce(last_index_slot[$last], 0) as newest,
                   coalesce(answered_quarters[$first - 1], 0) as answered_before,
                   coalesce(answered_quarters[$last], 0) as answered
            from mart_client_list where {where}
        ), picked as (
            select *, newest >= $first as has_index, answered > answered_before as has_answers from listed
        )
        select client_id, name, business_unit, segment, grade, status, region, revenue, ltv,
               first_order_at, churned_at, n_orders, n_open_tickets,
               case when has_index then $periods[newest] end as index_period,
               case when has_index then tx_score_by_slot[newest] end as tx_score,
               case when has_index then cx_score_by_slot[newest] end as cx_score,
               case when has_index then index_by_slot[newest] end as index,
               case when has_index then n_factors_by_slot[newest] end as n_factors,
               case when has_index then is_partial_by_slot[newest] end as is_partial,
               index_by_slot[$current] - index_by_slot[$previous] as index_change,
               case when has_answers then list_slice(nps_values, answered_before + 1, answered) end as nps_history,
               case when has_answers then nps_values[answered] end as nps_latest,
               case when has_answers then $periods[answer_slots[answered]] end as nps_period,
               case when has_answers then cum_answers[$last] - coalesce(cum_answers[$first - 1], 0) end
                   as n_answers_range,
               last_index_slot[$current] = $current or n_answers_by_slot[$current] is not null
                   or n_late_orders_by_slot[$current] is not null or n_tickets_by_slot[$current] is not null
                   as is_active,
               coalesce(n_answers_by_slot[$current], 0) as n_answers,
               coalesce(n_detractor_answers_by_slot[$current], 0) as n_detractor_answers,
               coalesce(n_late_orders_by_slot[$current], 0) as n_late_orders,
               coalesce(n_tickets_by_slot[$current], 0) as n_tickets,
               coalesce(list_sum(list_select(n_tickets_by_slot, $earlier)), 0)::double as earlier_tickets
        from picked
        """,
        params,
    )
    if not rows["client_id"].is_sorted():  # a mart written by other means: sort here
        rows = rows.sort("client_id")
    cases = query(con, "select client_id, n_open_cases, n_cases from mart_client_cases")
    return rows.join(cases, on="client_id", how="left", maintain_order="left").with_columns(
        pl.col("n_open_cases").fill_null(0), pl.col("n_cases").fill_null(0)
    )
