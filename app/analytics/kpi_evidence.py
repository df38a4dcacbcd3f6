"""Evidence on the links of the KPI tree: does the data support "this child drives that parent"?

The tree is a hypothesis drawn by people. For each parent–child link we pair the two KPIs' values
by period × business unit (every quarter of every unit is one observation) and compute Pearson's r
over all pairs with n and a two-sided p-value (t-test, n − 2 degrees of freedom). Units also differ
in level for reasons of their own (a unit with older, bigger clients has a higher LTV whatever its
NPS), and such levels can turn a link upside down (Simpson's paradox), so the within-unit r is
computed too: each unit's mean is taken out of both KPIs first (the fixed-effects estimate; n −
units − 1 degrees of freedom). It answers "when this unit's child moved, did its parent move?".
When a KPI has no per-unit values, the company series over the quarters is used instead.

The sign the link predicts comes from the two directions: a "higher is better" child should rise
with a "higher is better" parent, and fall with a "lower is better" one (more on-time deliveries,
less churn). `aligned_r` is r in that predicted sense, so positive means "moves the way the tree says".
Verdicts, from the two tests at `alpha`:
- `supported`: at least one is significant in the predicted direction and none against it;
- `contradicted`: at least one is significant against it and none for it;
- `mixed`: across units and within units disagree, both significantly (confounded by unit levels);
- `not_shown`: neither is significant — the data does not support the link (flagged on the page);
- `too_few`: fewer than `min_n` pairs.

Where the key-driver model covers the child's touchpoint, `shap_share` is that touchpoint's share of
the model's total mean |SHAP| — how much of the NPS the model explains comes from this touchpoint.
Correlation across units and quarters is evidence of co-movement, not proof of cause; the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
from scipy import stats

COMPANY = "__company__"  # the group of company-level values (business_unit null)
ALPHA = 0.05
MIN_N = 6
VERDICTS: tuple[str, ...] = ("supported", "mixed", "contradicted", "not_shown", "too_few")
EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "parent_id": pl.String,
    "child_id": pl.String,
    "n": pl.Int64,
    "r": pl.Float64,
    "p_value": pl.Float64,
    "expected_sign": pl.Int64,
    "aligned_r": pl.Float64,
    "is_significant": pl.Boolean,
    "verdict": pl.String,
    "r_within": pl.Float64,
    "p_within": pl.Float64,
    "n_units": pl.Int64,
    "shap_share": pl.Float64,
}


def _pearson(x: list[float], y: list[float]) -> float | None:
    n = len(x)
    if n < 3:
        return None
    mean_x, mean_y = sum(x) / n, sum(y) / n
    sxx = sum((a - mean_x) ** 2 for a in x)
    syy = sum((b - mean_y) ** 2 for b in y)
    if sxx <= 1e-12 * max(1.0, sum(a * a for a in x)) or syy <= 1e-12 * max(1.0, sum(b * b for b in y)):
        return None  # a constant series has no correlation
    sxy = sum((a - mean_x) * (b - mean_y) for a, b in zip(x, y, strict=True))
    return max(-1.0, min(1.0, sxy / (sxx * syy) ** 0.5))


def correlation_test(
    x: list[float], y: list[float], groups: list[object] | None = None
) -> tuple[float | None, float | None]:
    """Within-group Pearson r and its two-sided p-value; (None, None) when undefined.

    Each group's mean is removed from x and y first (no groups: one group, the plain correlation);
    the test has n − groups − 1 degrees of freedom.
    """
    groups = groups if groups is not None else [0] * len(x)
    sums: dict[object, list[float]] = {}
    for a, b, g in zip(x, y, groups, strict=True):
        acc = sums.setdefault(g, [0.0, 0.0, 0.0])
        acc[0], acc[1], acc[2] = acc[0] + a, acc[1] + b, acc[2] + 1
    kept = [
        (a - sums[g][0] / sums[g][2], b - sums[g][1] / sums[g][2])
        for a, b, g in zip(x, y, groups, strict=True)
        if sums[g][2] > 1
    ]
    n_groups = sum(1 for acc in sums.values() if acc[2] > 1)
    dof = len(kept) - n_groups - 1
    r = _pearson([k[0] for k in kept], [k[1] for k in kept]) if dof >= 1 else None
    if r is None:
        return None, None
    if abs(r) >= 1.0:
        return r, 0.0
    t = r * (dof / (1.0 - r * r)) ** 0.5
    return r, float(2.0 * stats.t.sf(abs(t), dof))


def expected_sign(parent_direction: str, child_direction: str) -> int:
    """+1 when the child should rise with the parent, −1 when it should fall."""
    return 1 if parent_direction == child_direction else -1


def shap_shares(driver_shap: pl.DataFrame | None) -> dict[str, float]:
    """touchpoint_id -> its share of the driver model's explanation (empty without a driver model).

    The stored `share` (of the model's total mean |SHAP|, all features) is used when present;
    otherwise the touchpoints' mean |SHAP| values are normalised among themselves.
    """
    if driver_shap is None or driver_shap.is_empty():
        return {}
    if "share" in driver_shap.columns:
        shares = driver_shap.select("touchpoint_id", pl.col("share").cast(pl.Float64)).drop_nulls()
        return dict(zip(shares["touchpoint_id"].to_list(), shares["share"].to_list(), strict=True))
    value = "mean_abs_shap" if "mean_abs_shap" in driver_shap.columns else "importance"
    frame = driver_shap.select("touchpoint_id", pl.col(value).cast(pl.Float64).abs().alias("v")).drop_nulls()
    total = float(frame["v"].sum())
    if total <= 0:
        return {}
    grouped = frame.group_by("touchpoint_id").agg(pl.col("v").sum())
    return {row["touchpoint_id"]: row["v"] / total for row in grouped.to_dicts()}


def _verdict(
    n: int, tests: list[tuple[float | None, float | None]], sign: int, alpha: float, min_n: int
) -> str:
    if n < min_n or all(r is None for r, _ in tests):
        return "too_few"
    significant = [r * sign for r, p in tests if r is not None and p is not None and p < alpha]
    agrees, disagrees = any(a > 0 for a in significant), any(a < 0 for a in significant)
    if agrees and disagrees:
        return "mixed"
    if agrees:
        return "supported"
    return "contradicted" if disagrees else "not_shown"


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

    `values`: kpi_id, period, business_unit, value — per-unit rows are the observations (company
    rows, business_unit null, when a pair has too few unit rows). `directions`: kpi_id -> "higher"/"lower". `touchpoints`: kpi_id -> touchpoint id,
    used with `driver_shap` (touchpoint_id, mean_abs_shap) for the SHAP share; without a driver
    model `shap_share` stays null and the page says "no driver model yet".
    """
    observed = values.filter(pl.col("value").is_not_null()).select(
        "kpi_id", "period", pl.col("business_unit").fill_null(COMPANY), pl.col("value").cast(pl.Float64)
    )
    by_kpi = {key[0]: frame.drop("kpi_id") for key, frame in observed.group_by("kpi_id")}
    shares = shap_shares(driver_shap)
    rows = []
    for link in links.select("parent_id", "child_id").to_dicts():
        parent, child = link["parent_id"], link["child_id"]
        paired = _paired(by_kpi.get(parent), by_kpi.get(child), min_n)
        x, y, units = paired["parent"].to_list(), paired["child"].to_list(), paired["business_unit"].to_list()
        r, p = correlation_test(x, y)
        r_within, p_within = correlation_test(x, y, units) if len(set(units)) > 1 else (None, None)
        sign = expected_sign(directions.get(parent, "higher"), directions.get(child, "higher"))
        tests = [(r, p), (r_within, p_within)]
        touchpoint = (touchpoints or {}).get(child)
        rows.append(
            {
                "parent_id": parent,
                "child_id": child,
                "n": paired.height,
                "r": r,
                "p_value": p,
                "expected_sign": sign,
                "aligned_r": None if r is None else r * sign,
                "is_significant": paired.height >= min_n
                and any(q is not None and q < alpha for _, q in tests),
                "verdict": _verdict(paired.height, tests, sign, alpha, min_n),
                "r_within": r_within,
                "p_within": p_within,
                "n_units": len(set(units)),
                "shap_share": shares.get(touchpoint) if touchpoint else None,
            }
        )
    return (
        pl.DataFrame(rows, schema=EVIDENCE_SCHEMA, orient="row")
        if rows
        else pl.DataFrame(schema=EVIDENCE_SCHEMA)
    )


def _paired(parent: pl.DataFrame | None, child: pl.DataFrame | None, min_n: int) -> pl.DataFrame:
    """Quarter × unit pairs of the two KPIs; the company series when units give fewer than min_n."""
    empty = pl.DataFrame(schema={"business_unit": pl.String, "parent": pl.Float64, "child": pl.Float64})
    if parent is None or child is None:
        return empty
    joined = parent.rename({"value": "parent"}).join(
        child.rename({"value": "child"}), on=["period", "business_unit"], how="inner"
    )
    units = joined.filter(pl.col("business_unit") != COMPANY)
    chosen = units if units.height >= min_n else joined.filter(pl.col("business_unit") == COMPANY)
    return chosen.select("business_unit", "parent", "child") if chosen.height else empty
