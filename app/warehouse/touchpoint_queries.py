"""Touchpoint queries that need answer-level rows (mart_ratings): CES and rating–NPS correlation per
touchpoint, one touchpoint's score distribution, trend, comments and KPIs, and driver importances.

The journey map's counts come from the additive mart (scores.py); these are the few figures that
cannot be summed up front. All values are bound parameters.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.warehouse.connection import query, table_exists
from app.warehouse.filters import Filters, filter_sql
from app.warehouse.scores import NPS_COLUMNS

RATING_COLUMNS = frozenset((*NPS_COLUMNS, "stage_id", "touchpoint_id"))
DRIVER_TABLE = "driver_importance"  # written by the drivers pipeline: touchpoint_id, importance


def touchpoint_ces(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per touchpoint: Σ CES, Σ CES², count — the effort reported by respondents who rated it.

    Summed from mart_touchpoint_pairs (additive, a few thousand rows), not by joining the long form
    of the ratings to the responses: the same numbers (tests/unit/test_page_query_rewrites.py).
    """
    where, params = filter_sql(filters, RATING_COLUMNS)
    return query(
        con,
        f"""
        select touchpoint_id, sum(sum_ces)::double as sum_ces, sum(sum_ces_sq)::double as sum_ces_sq,
               sum(n_ces)::double as n_ces
        from mart_touchpoint_pairs
        where {where}
        group by touchpoint_id
        having sum(n_ces) > 0
        order by touchpoint_id
        """,
        params,
    )


def touchpoint_correlations(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per touchpoint: Pearson correlation of its rating with the 0–10 NPS answer, and n.

    From the exact integer sums in mart_touchpoint_pairs: r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² −
    (Σy)²)) over the answers with both. As DuckDB's corr() over the answers gave it: 0 without such
    answers, NaN when either side does not vary (one answer, or all the same).
    """
    where, params = filter_sql(filters, RATING_COLUMNS)
    return query(
        con,
        f"""
        with sums as (
            select touchpoint_id, sum(n) as n, sum(n_pairs) as p,
                   sum(sum_rating) as sx, sum(sum_nps) as sy, sum(sum_rating_nps) as sxy,
                   sum(sum_rating_sq) as sxx, sum(sum_nps_sq) as syy
            from mart_touchpoint_pairs
            where {where}
            group by touchpoint_id
        ), spread as (
            select touchpoint_id, n, p, (p * sxy - sx * sy)::double as co,
                   (p * sxx - sx * sx)::double as vx, (p * syy - sy * sy)::double as vy
            from sums
        )
        select touchpoint_id,
               case when p = 0 then 0.0
                    when vx <= 0 or vy <= 0 then 'nan'::double
                    else co / sqrt(vx * vy) end as corr,
               n::bigint as n
        from spread
        order by touchpoint_id
        """,
        params,
    )


def driver_importance(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """Key-driver importances per touchpoint when the drivers pipeline has stored them, else None."""
    if not table_exists(con, DRIVER_TABLE):
        return None
    columns = {r[0] for r in con.execute(f"describe {DRIVER_TABLE}").fetchall()}
    if not {"touchpoint_id", "importance"} <= columns:
        return None
    frame = query(con, f"select touchpoint_id, importance::double as importance from {DRIVER_TABLE}")
    return frame if frame.height else None


def rating_distribution(con: duckdb.DuckDBPyConnection, filters: Filters, touchpoint_id: str) -> pl.DataFrame:
    """How many answers gave each rating to one touchpoint (every scale point, zeros included)."""
    where, params = filter_sql(filters, RATING_COLUMNS)
    params["touchpoint_id"] = touchpoint_id
    return query(
        con,
        f"""
        with scale as (
            select unnest(range(scale_min, scale_max + 1)) as rating, top2_min
            from dim_touchpoints where touchpoint_id = $touchpoint_id
        ), counts as (
            select rating, count(*) as n from mart_ratings
            where touchpoint_id = $touchpoint_id and {where} group by rating
        )
        select s.rating::integer as rating, coalesce(c.n, 0) as n, s.rating >= s.top2_min as is_top2
        from scale s left join counts c using (rating) order by s.rating
        """,
        params,
    )


def touchpoint_comments(
    con: duckdb.DuckDBPyConnection, filters: Filters, touchpoint_id: str, limit: int = 200
) -> pl.DataFrame:
    """Comments from respondents who rated the touchpoint, lowest ratings first, newest first."""
    where, params = filter_sql(filters, RATING_COLUMNS, alias="r")
    params.update(touchpoint_id=touchpoint_id, limit=limit)
    return query(
        con,
        f"""
        select r.submitted_at::date as submitted_on, r.period, r.rating, r.nps, r.business_unit,
               r.segment, r.respondent_role, s.client_name, s.comment
        from mart_ratings r join mart_responses s using (response_id)
        where r.touchpoint_id = $touchpoint_id and {where}
          and s.comment is not null and trim(s.comment) <> ''
        order by r.rating, r.submitted_at desc
        limit $limit
        """,
        params,
    )


def touchpoint_kpis(con: duckdb.DuckDBPyConnection, touchpoint_id: str, filters: Filters) -> pl.DataFrame:
    """KPIs of the tree attached to the touchpoint, with their latest value in the period range:
    the business unit's own value when exactly one is filtered (and it has one), else the company's."""
    where, params = filter_sql(filters, frozenset({"period"}), alias="v")
    units = filters.business_units
    params.update(touchpoint_id=touchpoint_id, unit=units[0] if len(units) == 1 else None)
    return query(
        con,
        f"""
        with candidates as (
            select kpi_id, period, value, business_unit,
                   -- the unit's own series wins over the company's when a single unit is filtered
                   row_number() over (partition by kpi_id
                                      order by (business_unit is not distinct from $unit) desc, period desc) as rn
            from mart_kpi_values v
            where v.segment is null and (v.business_unit is null or v.business_unit = $unit) and {where}
        )
        select k.kpi_id, k.name_en, k.name_ru, k.layer, k.unit, k.direction, k.target, k.indicator,
               c.period, c.value, c.business_unit as value_business_unit
        from dim_kpis k left join candidates c on c.kpi_id = k.kpi_id and c.rn = 1
        where k.touchpoint_id = $touchpoint_id
        order by k.kpi_order
        """,
        params,
    )
