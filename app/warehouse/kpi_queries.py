"""KPI tree queries: KPI values per quarter and business unit (mart_kpi_values), the tree's
dimension tables, and the key-driver model's mean |SHAP| per touchpoint when one is stored.

Values are returned raw; status, trend and link evidence are computed in app.analytics.kpi_tree /
kpi_evidence. All values are bound parameters.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.warehouse.connection import query, table_exists

DRIVER_VIEW = "driver_importance"  # written by pipelines/driver_store.py
VALUE_SCHEMA = {"kpi_id": pl.String, "period": pl.String, "business_unit": pl.String, "value": pl.Float64}


def kpi_values(
    con: duckdb.DuckDBPyConnection, period_from: str | None = None, period_to: str | None = None
) -> pl.DataFrame:
    """kpi_id, period, business_unit (null = company), value for all segments, within the quarters."""
    if not table_exists(con, "mart_kpi_values"):
        return pl.DataFrame(schema=VALUE_SCHEMA)
    return query(
        con,
        """
        select kpi_id, period, business_unit, value::double as value
        from mart_kpi_values
        where segment is null and value is not null and isfinite(value)
          and ($from::varchar is null or period >= $from) and ($to::varchar is null or period <= $to)
        order by kpi_id, period, business_unit nulls first
        """,
        {"from": period_from, "to": period_to},
    )


def kpi_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Quarters that have any KPI value, oldest first."""
    if not table_exists(con, "mart_kpi_values"):
        return []
    rows = con.execute(
        "select distinct period from mart_kpi_values where period is not null order by period"
    ).fetchall()
    return [r[0] for r in rows]


def kpi_links(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """parent_id, child_id: every link of the tree as loaded into the warehouse."""
    return query(con, "select parent_id, child_id from dim_kpi_links order by parent_id, child_id")


def driver_shap_by_touchpoint(con: duckdb.DuckDBPyConnection) -> pl.DataFrame | None:
    """touchpoint_id, mean_abs_shap (and share, when stored) of the newest key-driver model, or None.

    The drivers pipeline stores its results as tables and exposes the touchpoint importances of the
    newest overall model as the `driver_importance` view; until it has run there is no driver model.
    """
    if not table_exists(con, DRIVER_VIEW):
        return None
    columns = {r[0] for r in con.execute(f"describe {DRIVER_VIEW}").fetchall()}
    if "touchpoint_id" not in columns or not columns & {"mean_abs_shap", "importance"}:
        return None
    value = "mean_abs_shap" if "mean_abs_shap" in columns else "importance"
    share = ", share::double as share" if "share" in columns else ""
    frame = query(con, f"select touchpoint_id, {value}::double as mean_abs_shap{share} from {DRIVER_VIEW}")
    return frame if frame.height else None
