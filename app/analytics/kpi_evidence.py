"""Evidence on the links of the KPI tree: does the data support "this child drives that parent"?

The tree is a hypothesis drawn by people. For each parent–child link we pair the two KPIs' values
by period × business unit (every quarter of every unit is one observation) and compute Pearson's r,
n and a two-sided p-value (t-test with n − 2 degrees of freedom). The sign the link predicts comes
from the two directions: a "higher is better" child should rise with a "higher is better" parent,
and fall with a "lower is better" one (more on-time deliveries, less churn). `aligned_r` is r in
that predicted sense, so positive always means "moves the way the tree says".

Verdicts: `supported` (aligned and significant), `contradicted` (significant the other way),
`not_shown` (no significant co-movement: the data does not support the link — flagged on the page),
`too_few` (fewer than `min_n` paired observations).

Where the key-driver model covers the child's touchpoint, `shap_share` is that touchpoint's share of
the model's total mean |SHAP| — how much of the NPS the model explains comes from this touchpoint.
Correlation across units and quarters is evidence of co-movement, not proof of cause; the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from scipy import stats

ALPHA = 0.05
MIN_N = 6
VERDICTS: tuple[str, ...] = ("supported", "contradicted", "not_shown", "too_few")
EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "parent_id": pl.String, "child_id": pl.String, "n": pl.Int64, "r": pl.Float64, "p_value": pl.Float64,
    "expected_sign": pl.Int64, "aligned_r": pl.Float64, "is_significant": pl.Boolean, "verdict": pl.String,
    "shap_share": pl.Float64,
}


def correlation_test(x: list[float], y: list[float]) -> tuple[float | None, float | None]:
    """Pearson r and its two-sided p-value; (None, None) when undefined (n < 3 or a constant series)."""
    n = len(x)
    if n < 3:
        return None, None
    mean_x, mean_y = sum(x) / n, sum(y) / n
    sxx = sum((a - mean_x) ** 2 for a in x)
    syy = sum((b - mean_y) ** 2 for b in y)
    if sxx <= 0 or syy <= 0:
        return None, None
    sxy = sum((a - mean_x) * (b - mean_y) for a, b in zip(x, y, strict=True))
    r = max(-1.0, min(1.0, sxy / (sxx * syy) ** 0.5))
    if abs(r) >= 1.0:
        return r, 0.0
    t = r * ((n - 2) / (1.0 - r * r)) ** 0.5
    return r, float(2.0 * stats.t.sf(abs(t), n - 2))


def expected_sign(parent_direction: str, child_direction: str) -> int:
    """+1 when the child should rise with the parent, −1 when it should fall."""
    return 1 if parent_direction == child_direction else -1


def shap_shares(driver_shap: pl.DataFrame | None) -> dict[str, float]:
    """touchpoint_id -> share of the model's total mean |SHAP| (empty without a driver model)."""
    if driver_shap is None or driver_shap.is_empty():
        return {}
    value = "mean_abs_shap" if "mean_abs_shap" in driver_shap.columns else "importance"
    frame = driver_shap.select("touchpoint_id", pl.col(value).cast(pl.Float64).abs().alias("v")).drop_nulls()
    total = float(frame["v"].sum())
    if total <= 0:
        return {}
    grouped = frame.group_by("touchpoint_id").agg(pl.col("v").sum())
    return {row["touchpoint_id"]: row["v"] / total for row in grouped.to_dicts()}


def _verdict(n: int, r: float | None, p: float | None, sign: int, alpha: float, min_n: int) -> str:
    if n < min_n or r is None or p is None:
        return "too_few"
    if p >= alpha:
        return "not_shown"
    return "supported" if r * sign > 0 else "contradicted"


def link_evidence(
    values: pl.DataFrame,
    links: pl.DataFrame,
    directions: Mapping[str, str],
    *,
    touchpoints: Mapping[str, str | None] | None = None,
    driver_shap: pl.DataFrame | None = None,
    alpha: float = ALPHA,
    min_n: int = MIN_N,
) -> pl.DataFrame:
    """One row per link (parent_id, child_id) with n, r, p_value, aligned_r, verdict and shap_share.

    `values`: kpi_id, period, business_unit, value — per-unit rows (business_unit not null) are the
    observations. `directions`: kpi_id -> "higher"/"lower". `touchpoints`: kpi_id -> touchpoint id,
    used with `driver_shap` (touchpoint_id, mean_abs_shap) for the SHAP share; without a driver
    model `shap_share` stays null and the page says "no driver model yet".
    """
    observed = values.filter(pl.col("business_unit").is_not_null(), pl.col("value").is_not_null()).select(
        "kpi_id", "period", "business_unit", pl.col("value").cast(pl.Float64))
    by_kpi = {key[0]: frame.drop("kpi_id") for key, frame in observed.group_by("kpi_id")}
    shares = shap_shares(driver_shap)
    rows = []
    for link in links.select("parent_id", "child_id").to_dicts():
        parent, child = link["parent_id"], link["child_id"]
        paired = _paired(by_kpi.get(parent), by_kpi.get(child))
        r, p = correlation_test(paired["parent"].to_list(), paired["child"].to_list()) if paired.height else (None, None)
        sign = expected_sign(directions.get(parent, "higher"), directions.get(child, "higher"))
        touchpoint = (touchpoints or {}).get(child)
        rows.append({
            "parent_id": parent, "child_id": child, "n": paired.height, "r": r, "p_value": p,
            "expected_sign": sign, "aligned_r": None if r is None else r * sign,
            "is_significant": p is not None and p < alpha and paired.height >= min_n,
            "verdict": _verdict(paired.height, r, p, sign, alpha, min_n),
            "shap_share": shares.get(touchpoint) if touchpoint else None,
        })
    return pl.DataFrame(rows, schema=EVIDENCE_SCHEMA, orient="row") if rows else pl.DataFrame(schema=EVIDENCE_SCHEMA)


def _paired(parent: pl.DataFrame | None, child: pl.DataFrame | None) -> pl.DataFrame:
    if parent is None or child is None:
        return pl.DataFrame(schema={"parent": pl.Float64, "child": pl.Float64})
    joined = parent.rename({"value": "parent"}).join(
        child.rename({"value": "child"}), on=["period", "business_unit"], how="inner")
    return joined.select("parent", "child")
