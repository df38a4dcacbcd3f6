"""Query functions over the additive CX marts (mart_nps, mart_touchpoint_scores): sums, never means.

Every function takes the connection first and the Filters second, returns a Polars frame of summed
counts, and leaves the arithmetic (NPS, means, margins of error) to `app.analytics`, so the same
sums can be re-aggregated, compared and tested. Grouping columns come from a fixed allow-list; all
values are bound parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from app.warehouse.connection import query
from app.warehouse.filters import Filters, filter_sql

SEGMENT_KEYS: tuple[str, ...] = ("period", "business_unit", "segment", "grade", "status", "respondent_role")
NPS_COLUMNS = frozenset(SEGMENT_KEYS)
TOUCHPOINT_COLUMNS = frozenset((*SEGMENT_KEYS, "stage_id", "touchpoint_id"))
NPS_SUMS = ("n", "n_promoters", "n_passives", "n_detractors", "sum_ces", "n_ces")
TOUCHPOINT_SUMS = (
    "n", "sum_rating", "sum_rating_sq", "sum_score_100", "n_top2", "n_promoters", "n_detractors",
    "sum_importance", "n_importance",
)


class UnknownGroupingError(ValueError):
    """A grouping column outside the allow-list (group-by names go into SQL text, so they are checked)."""


def _group_columns(by: Sequence[str], allowed: frozenset[str]) -> list[str]:
    unknown = [c for c in by if c not in allowed]
    if unknown:
        raise UnknownGroupingError(f"cannot group by {unknown}; allowed: {sorted(allowed)}")
    return list(dict.fromkeys(by))


def _sum_query(table: str, sums: Sequence[str], group: list[str], where: str) -> str:
    select = ", ".join([*group, *(f"coalesce(sum({s}), 0)::double as {s}" for s in sums)])
    group_by = f" group by {', '.join(group)} order by {', '.join(group)}" if group else ""
    return f"select {select} from {table} where {where}{group_by}"


def nps_totals(con: duckdb.DuckDBPyConnection, filters: Filters, by: Sequence[str] = ()) -> pl.DataFrame:
    """Promoter/passive/detractor counts and CES sums under the filters, grouped by `by`."""
    group = _group_columns(by, NPS_COLUMNS)
    where, params = filter_sql(filters, NPS_COLUMNS)
    frame = query(con, _sum_query("mart_nps", NPS_SUMS, group, where), params)
    return frame.filter(pl.col("n") > 0) if group else frame


def touchpoint_totals(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: Sequence[str] = ()
) -> pl.DataFrame:
    """Per touchpoint (plus `by`): rating sums, top-2 and NPS counts, stated-importance sums."""
    group = _group_columns(["stage_id", "touchpoint_id", *by], TOUCHPOINT_COLUMNS)
    where, params = filter_sql(filters, TOUCHPOINT_COLUMNS)
    return query(con, _sum_query("mart_touchpoint_scores", TOUCHPOINT_SUMS, group, where), params)


def available_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Quarters that have survey answers, oldest first."""
    rows = con.execute("select distinct period from mart_nps where period is not null order by period").fetchall()
    return [r[0] for r in rows]


def touchpoint_dimension(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The journey's touchpoints in map order, with stage, labels, scale, target and moment of truth."""
    return query(
        con,
        """
        select t.touchpoint_id, t.touchpoint_order, t.stage_id, t.stage_order,
               s.label_en as stage_label_en, s.label_ru as stage_label_ru,
               t.label_en, t.label_ru, t.channel, t.department, t.is_moment_of_truth,
               t.scale_min, t.scale_max, t.top2_min, t.target, t.block,
               t.importance_column is not null as has_stated_importance
        from dim_touchpoints t join dim_stages s using (stage_id)
        order by t.stage_order, t.touchpoint_order
        """,
    )


def stage_dimension(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return query(con, "select stage_id, stage_order, label_en, label_ru, phase from dim_stages order by stage_order")
