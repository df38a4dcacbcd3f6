"""Money behind the scores: active clients and the revenue and LTV held by detractor clients.

A client's loyalty class in the filtered window comes from the mean of its respondents' 0–10
answers (B2B clients answer through several people): ≥ 9 promoter, ≤ 6 detractor, else passive.
Revenue and LTV are the client card's figures (mart_clients), so a detractor's whole relationship
counts as "at risk".
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.warehouse.connection import query
from app.warehouse.filters import Filters, filter_sql
from app.warehouse.scores import NPS_COLUMNS

ORDER_COLUMNS = frozenset(("period", "business_unit", "segment", "grade", "status"))


def loyalty_value(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per loyalty class (promoter / passive / detractor): clients, revenue and LTV they hold."""
    where, params = filter_sql(filters, NPS_COLUMNS)
    return query(
        con,
        f"""
        with per_client as (
            select client_id, avg(nps) as mean_nps
            from mart_responses where {where} and client_id is not null group by client_id
        )
        select case when p.mean_nps >= 9 then 'promoter' when p.mean_nps <= 6 then 'detractor'
                    else 'passive' end as nps_class,
               count(*) as n_clients,
               coalesce(sum(c.revenue), 0)::double as revenue,
               coalesce(sum(c.ltv), 0)::double as ltv
        from per_client p join mart_clients c using (client_id)
        group by nps_class order by nps_class
        """,
        params,
    )


def active_clients(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Clients with at least one order, per period (the tree's "active clients" definition)."""
    where, params = filter_sql(filters, ORDER_COLUMNS)
    return query(
        con,
        f"""
        select period, count(distinct client_id) as n_clients, coalesce(sum(amount), 0)::double as revenue
        from mart_orders where {where} group by period order by period
        """,
        params,
    )
