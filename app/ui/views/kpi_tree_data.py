"""The KPI tree page's figures: each KPI's snapshot for a scope (company or one business unit) and the
evidence on every link, computed once per data version and period range (cached_query), plus the
labels a reader needs. No rendering here, so presentation mode and exports can reuse it.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.analytics.kpi_evidence import link_evidence
from app.analytics.kpi_tree import KpiTree, kpi_snapshot
from app.service_model import ServiceModel
from app.ui.context import cached_query
from app.warehouse.connection import query
from app.warehouse.kpi_queries import driver_shap_by_touchpoint, kpi_links, kpi_periods, kpi_values

COMPANY = "company"  # the scope value meaning "company total" (business_unit is null)


def snapshot_frame(
    con: duckdb.DuckDBPyConnection, scope: str, period_from: str | None, period_to: str | None
) -> pl.DataFrame:
    """Per KPI of the warehouse's tree: newest value in range for the scope, change, status, series."""
    values = kpi_values(con, period_from, period_to)
    periods = sorted(set(values["period"].to_list())) if values.height else []
    scoped = values.filter(
        pl.col("business_unit").is_null() if scope == COMPANY else pl.col("business_unit") == scope
    )
    kpis = query(con, "select kpi_id, target, direction from dim_kpis order by kpi_order")
    frame = kpi_snapshot(scoped.select("kpi_id", "period", "value"), kpis, periods)
    return frame.with_columns(pl.lit(periods[0] if periods else None, dtype=pl.String).alias("first_period"))


def evidence_frame(
    con: duckdb.DuckDBPyConnection, period_from: str | None, period_to: str | None
) -> pl.DataFrame:
    """Every link's correlation evidence across quarters × business units, with SHAP shares if stored."""
    values = kpi_values(con, period_from, period_to)
    meta = query(con, "select kpi_id, direction, touchpoint_id from dim_kpis")
    directions = dict(zip(meta["kpi_id"].to_list(), meta["direction"].to_list(), strict=True))
    touchpoints = dict(zip(meta["kpi_id"].to_list(), meta["touchpoint_id"].to_list(), strict=True))
    return link_evidence(
        values,
        kpi_links(con),
        directions,
        touchpoints=touchpoints,
        driver_shap=driver_shap_by_touchpoint(con),
    )


def has_driver_model(con: duckdb.DuckDBPyConnection) -> bool:
    return driver_shap_by_touchpoint(con) is not None


def snapshot(scope: str, period_from: str | None, period_to: str | None) -> pl.DataFrame:
    return cached_query(snapshot_frame, scope, period_from, period_to)


def evidence(period_from: str | None, period_to: str | None) -> pl.DataFrame:
    return cached_query(evidence_frame, period_from, period_to)


def driver_model_available() -> bool:
    return cached_query(has_driver_model)


def periods() -> list[str]:
    return cached_query(kpi_periods)


def node_rows(model: ServiceModel, tree: KpiTree, snap: pl.DataFrame, lang: str) -> dict[str, dict]:
    """kpi_id -> everything a card shows: labels, unit, value, change, status, series, tags."""
    by_id = {row["kpi_id"]: row for row in snap.to_dicts()}
    rows: dict[str, dict] = {}
    for kpi in model.kpis:
        row = dict(by_id.get(kpi.id) or {"value": None, "status": "no_data", "series": []})
        touchpoint = model.touchpoint(kpi.touchpoint) if kpi.touchpoint else None
        row.update(
            kpi_id=kpi.id,
            name=kpi.name.get(lang),
            layer=kpi.layer,
            unit=kpi.unit,
            direction=kpi.direction,
            target=kpi.target,
            indicator=kpi.indicator,
            owner=model.label("departments", kpi.owner, lang) if kpi.owner else None,
            touchpoint=touchpoint.label.get(lang) if touchpoint else None,
            n_children=len(tree.children[kpi.id]),
            n_below=len(tree.descendants(kpi.id)),
        )
        rows[kpi.id] = row
    return rows


def evidence_lookup(frame: pl.DataFrame) -> dict[tuple[str, str], dict]:
    """(parent_id, child_id) -> the evidence row."""
    return {(r["parent_id"], r["child_id"]): r for r in frame.to_dicts()}
