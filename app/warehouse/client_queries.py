"""Client queries: the client list with its money and open work, per-client quarterly facts for the
satisfaction index and risk flags (mart_client_facts), and one client's journey as it lived it —
its answers, touchpoint ratings, orders and tickets.

Client-level filters (business unit, segment, grade, status) and the quarter range apply; respondent
role does not (a client is scored as a whole), and the page says so. All values are bound parameters.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.warehouse.client_card_queries import one_client_facts
from app.warehouse.connection import fetch_scalar, query, table_exists
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


def known_client_ids(con: duckdb.DuckDBPyConnection, ids: tuple[str, ...]) -> list[str]:
    """Those of `ids` that are in the client list: a link's client is checked without reading them all."""
    if not ids:
        return []
    rows = con.execute(
        "select client_id from mart_clients where client_id in (select unnest($ids)) order by client_id",
        {"ids": list(ids)},
    ).fetchall()
    return [r[0] for r in rows]


def client_in_filters(con: duckdb.DuckDBPyConnection, filters: Filters, client_id: str) -> bool:
    """Whether the client list under the client filters holds this client."""
    where, params = filter_sql(filters, CLIENT_COLUMNS)
    params["id"] = client_id
    return bool(fetch_scalar(con, f"select count(*) from mart_clients where client_id = $id and {where}", params))


def matching_clients(con: duckdb.DuckDBPyConnection, filters: Filters, text: str, limit: int) -> pl.DataFrame:
    """client_id, name of the first `limit` clients (in id order) under the filters whose name or id
    contains `text` (any case), and n_matches, how many match in all."""
    where, params = filter_sql(filters, CLIENT_COLUMNS)
    params.update(text=text.lower(), limit=limit)
    return query(
        con,
        f"""
        select client_id, name, count(*) over () as n_matches from mart_clients
        where {where} and (contains(lower(name), $text) or contains(lower(client_id), $text))
        order by client_id limit $limit
        """,
        params,
    )


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
    One client's rows come from the tables behind the view (client_card_facts).
    """
    if client_id is not None:
        return _one_client(con, filters, client_id, touchpoints, facts)
    where, params = filter_sql(filters, FACT_COLUMNS)
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


def _one_client(
    con: duckdb.DuckDBPyConnection, filters: Filters, client_id: str,
    touchpoints: tuple[str, ...] | None, facts: tuple[str, ...] | None,
) -> pl.DataFrame:
    rows = one_client_facts(con, client_id, filters)
    if touchpoints is not None:
        rows = rows.filter(pl.col("touchpoint_id").is_null() | pl.col("touchpoint_id").is_in(list(touchpoints)))
    if facts is not None:
        rows = rows.filter(pl.col("fact").is_in(list(facts)))
    return rows.select("client_id", "period", "fact", "touchpoint_id", "value", "n")


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
