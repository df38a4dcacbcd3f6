"""Client queries: the client list with its money and open work, per-client quarterly facts for the
satisfaction index and risk flags (mart_client_facts), and one client's journey as it lived it —
its answers, touchpoint ratings, orders and tickets.

Client-level filters (business unit, segment, grade, status) and the quarter range apply; respondent
role does not (a client is scored as a whole), and the page says so. All values are bound parameters.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.warehouse.connection import query, table_exists
from app.warehouse.filters import Filters, filter_sql

CLIENT_COLUMNS = frozenset(("business_unit", "segment", "grade", "status"))
FACT_COLUMNS = frozenset(("period", *CLIENT_COLUMNS))
FOLLOW_UP_TABLE = "follow_up_cases"  # built by the closed-loop issue; counted when it exists


def client_list(
    con: duckdb.DuckDBPyConnection, filters: Filters, importance_columns: tuple[str, ...] = ()
) -> pl.DataFrame:
    """One row per client under the client filters: keys, money, open tickets, importance weights."""
    where, params = filter_sql(filters, CLIENT_COLUMNS, alias="c")
    known = {r[0] for r in con.execute("describe mart_clients").fetchall()}
    weights = "".join(f", c.{col}::double as {col}" for col in importance_columns if col in known)
    return query(
        con,
        f"""
        select c.client_id, c.name, c.business_unit, c.segment, c.grade, c.status, c.region,
               c.revenue::double as revenue, c.ltv::double as ltv, c.first_order_at, c.churned_at,
               c.n_orders::bigint as n_orders,
               coalesce(t.n_open, 0)::bigint as n_open_tickets{weights}
        from mart_clients c
        left join (select client_id, count(*) as n_open from mart_tickets where is_open group by client_id) t
            using (client_id)
        where {where}
        order by c.client_id
        """,
        params,
    )


def client_names(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """client_id, name of the clients under the client filters, in id order (client_list's rows)."""
    where, params = filter_sql(filters, CLIENT_COLUMNS)
    return query(con, f"select client_id, name from mart_clients where {where} order by client_id", params)


def client_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every client id in the client list (to validate a `?client=` link)."""
    return [r[0] for r in con.execute("select client_id from mart_clients order by client_id").fetchall()]


def client_facts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    client_id: str | None = None,
    touchpoints: tuple[str, ...] | None = None,
    facts: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """client_id, period, fact, touchpoint_id, value, n under the filters (one client if given).

    `touchpoints` keeps only those touchpoints' ratings (the ones the index reads) and `facts` only
    those facts: at a million answers the ratings are most of the mart, and the list needs none.
    """
    where, params = filter_sql(filters, FACT_COLUMNS)
    if client_id is not None:
        where += " and client_id = $client_id"
        params["client_id"] = client_id
    if touchpoints is not None:
        names = [f"tp_{i}" for i in range(len(touchpoints))]
        params.update(zip(names, touchpoints, strict=True))
        listed = ", ".join(f"${n}" for n in names) or "null"
        where += f" and (touchpoint_id is null or touchpoint_id in ({listed}))"
    if facts is not None:
        names = [f"fact_{i}" for i in range(len(facts))]
        params.update(zip(names, facts, strict=True))
        where += f" and fact in ({', '.join(f'${n}' for n in names) or 'null'})"
    return query(
        con,
        f"""
        select client_id, period, fact, touchpoint_id, value, n::bigint as n
        from mart_client_facts where {where}
        """,
        params,
    )


def client_index(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """client_id, period, tx_score, cx_score, index, n_factors, is_partial from mart_client_index."""
    where, params = filter_sql(filters, FACT_COLUMNS)
    return query(
        con,
        f"""
        select client_id, period, tx_score, cx_score, index, n_factors, is_partial
        from mart_client_index where {where}
        """,
        params,
    )


def index_periods(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    """The quarters that have a satisfaction index under the filters, oldest first."""
    where, params = filter_sql(filters, FACT_COLUMNS)
    frame = query(con, f"select distinct period from mart_client_index where {where} order by period", params)
    return frame["period"].to_list() if frame.height else []


def index_period_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per quarter: clients scored, mean index, TX and CX, partial scores — satisfaction_index's
    period_summary summed in SQL (a few rows) instead of over every client-quarter in Polars."""
    where, params = filter_sql(filters, FACT_COLUMNS)
    return query(
        con,
        f"""
        select period, count(*)::bigint as n_clients, avg(index)::double as mean_index,
               avg(tx_score)::double as mean_tx, avg(cx_score)::double as mean_cx,
               count_if(is_partial)::bigint as n_partial
        from mart_client_index where {where}
        group by period order by period
        """,
        params,
    )


def latest_index_rows(con: duckdb.DuckDBPyConnection, filters: Filters, previous: str | None) -> pl.DataFrame:
    """The index rows the client list reads (client_index's columns): each client's newest quarter
    under the filters, and every client's `previous` quarter — not all quarters of all clients."""
    where, params = filter_sql(filters, FACT_COLUMNS)
    params["previous"] = previous
    return query(
        con,
        f"""
        with scoped as (
            select client_id, period, tx_score, cx_score, index, n_factors, is_partial
            from mart_client_index where {where}
        ), newest as (
            select client_id, max(period) as newest from scoped group by client_id
        )
        select s.* from scoped s join newest n using (client_id)
        where s.period = n.newest or s.period = $previous
        """,
        params,
    )


def risk_fact_rows(con: duckdb.DuckDBPyConnection, filters: Filters, current: str) -> pl.DataFrame:
    """The mart_client_facts rows the risk flags read: the current quarter's answers, detractors and
    late orders, and tickets of every quarter (a client's usual number of tickets)."""
    where, params = filter_sql(filters, FACT_COLUMNS)
    params["current"] = current
    return query(
        con,
        f"""
        select client_id, period, fact, touchpoint_id, value, n::bigint as n
        from mart_client_facts
        where {where}
          and (fact = 'n_tickets'
               or (fact in ('nps', 'n_detractor_answers', 'n_late_orders') and period = $current))
        """,
        params,
    )


def nps_rows(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """client_id, period, value (the client's NPS that quarter), n (answers) under the filters,
    oldest quarter first (each client's history reads in that order)."""
    where, params = filter_sql(filters, FACT_COLUMNS)
    return query(
        con,
        f"""
        select client_id, period, value, n::bigint as n from mart_client_facts
        where {where} and fact = 'nps' order by period
        """,
        params,
    )


def follow_up_counts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """Open and total follow-up cases per client, or None while the closed-loop table does not exist."""
    if not table_exists(con, FOLLOW_UP_TABLE):
        return None
    columns = {r[0] for r in con.execute(f"describe {FOLLOW_UP_TABLE}").fetchall()}
    if "client_id" not in columns:
        return None
    if "status" in columns:  # open | in_progress | resolved | closed | withdrawn
        is_open = "coalesce(lower(status), 'open') not in ('resolved', 'closed', 'withdrawn')"
    elif "closed_at" in columns:
        is_open = "closed_at is null"
    else:
        is_open = "true"
    return query(
        con,
        f"""
        select client_id, count(*) filter (where {is_open})::bigint as n_open_cases,
               count(*)::bigint as n_cases
        from {FOLLOW_UP_TABLE} where client_id is not null group by client_id
        """,
    )


def client_profile(con: duckdb.DuckDBPyConnection, client_id: str) -> pl.DataFrame:
    """The client list's row for one client (all columns, importance weights included)."""
    return query(
        con,
        "select * exclude (batch_id, source_row) from mart_clients where client_id = $id",
        {"id": client_id},
    )


def client_ratings(con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters) -> pl.DataFrame:
    """The client's touchpoint ratings per quarter: mean rating and mean 0–100 score, answers.

    From the client's touchpoint_rating facts (mean rating and n per quarter, mart_client_facts), not
    from the long form of every answer: the 0–100 score of a mean rating is the mean of the scores.
    """
    where, params = filter_sql(filters, frozenset({"period"}), alias="f")
    params["id"] = client_id
    return query(
        con,
        f"""
        select f.period, t.stage_id, t.stage_order, f.touchpoint_id, t.touchpoint_order,
               f.value::double as rating,
               (100.0 * (f.value - t.scale_min) / (t.scale_max - t.scale_min))::double as score_100,
               f.n::bigint as n
        from mart_client_facts f join dim_touchpoints t using (touchpoint_id)
        where f.client_id = $id and f.fact = 'touchpoint_rating' and {where}
        order by f.period, t.stage_order, t.touchpoint_order
        """,
        params,
    )


def client_answers(con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters) -> pl.DataFrame:
    """The client's survey answers, newest first: who answered, the 0–10 score, effort, comment."""
    where, params = filter_sql(filters, frozenset({"period"}))
    params["id"] = client_id
    return query(
        con,
        f"""
        select submitted_at::date as submitted_on, period, respondent_role, nps, nps_class, ces, channel, comment
        from mart_responses where client_id = $id and {where}
        order by submitted_at desc
        """,
        params,
    )


def client_orders(con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters) -> pl.DataFrame:
    """The client's orders, newest first, with promised and actual delivery and the delay."""
    where, params = filter_sql(filters, frozenset({"period"}))
    params["id"] = client_id
    return query(
        con,
        f"""
        select order_id, period, ordered_at::date as ordered_on, promised_at::date as promised_on,
               delivered_at::date as delivered_on, delay_days, is_delivered, is_on_time, amount::double as amount,
               product_class
        from mart_orders where client_id = $id and {where}
        order by ordered_at desc
        """,
        params,
    )


def client_tickets(con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters) -> pl.DataFrame:
    """The client's tickets, newest first, with response and resolution times."""
    where, params = filter_sql(filters, frozenset({"period"}))
    params["id"] = client_id
    return query(
        con,
        f"""
        select ticket_id, period, opened_at, touchpoint_id, category, severity, is_open,
               first_response_hours, resolution_hours / 24.0 as resolution_days, text
        from mart_tickets where client_id = $id and {where}
        order by opened_at desc
        """,
        params,
    )
