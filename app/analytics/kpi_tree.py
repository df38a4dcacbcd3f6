"""The KPI decomposition tree: its shape, each KPI's status against target, and its recent values.

The tree of the service model is a graph, not a strict tree: a KPI may feed several parents (service
CSAT drives both NPS and effort). `KpiTree` keeps both directions and answers the questions the
page asks — the path from a TX root down to a KPI (the breadcrumb), everything under a KPI, and an
outline in which every KPI appears once (under its first parent) so a 60-KPI tree stays one screen
of rows instead of every path repeated.

Status is "on target", "near" (within `NEAR_TARGET_SHARE` of the target, on the wrong side),
"off target", "no target" or "no data", read in the KPI's own direction (lower is better for
delays). No Streamlit here: the page, exports and tests use the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from app.service_model import LAYERS, ServiceModel

NEAR_TARGET_SHARE = 0.05  # within 5 % of the target, on the wrong side, is "near"
STATUSES: tuple[str, ...] = ("off", "near", "on", "no_target", "no_data")


@dataclass(frozen=True)
class OutlineRow:
    kpi_id: str
    depth: int
    parent_id: str | None
    other_parents: tuple[str, ...]  # parents it also feeds, shown instead of repeating the subtree


@dataclass(frozen=True)
class KpiTree:
    ids: tuple[str, ...]  # model order
    layers: dict[str, str]
    parents: dict[str, tuple[str, ...]]
    children: dict[str, tuple[str, ...]]

    @classmethod
    def from_model(cls, model: ServiceModel) -> KpiTree:
        children: dict[str, list[str]] = {k.id: [] for k in model.kpis}
        for kpi in model.kpis:
            for parent in kpi.parents:
                children[parent].append(kpi.id)
        return cls(
            ids=tuple(k.id for k in model.kpis),
            layers={k.id: k.layer for k in model.kpis},
            parents={k.id: tuple(k.parents) for k in model.kpis},
            children={k: tuple(v) for k, v in children.items()},
        )

    @property
    def roots(self) -> tuple[str, ...]:
        return tuple(k for k in self.ids if not self.parents[k])

    def __contains__(self, kpi_id: object) -> bool:
        return kpi_id in self.layers

    def descendants(self, kpi_id: str) -> list[str]:
        """Every KPI under `kpi_id` (each once, depth-first in model order), itself excluded."""
        seen: list[str] = []
        stack = list(reversed(self.children[kpi_id]))
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.append(node)
            stack.extend(reversed(self.children[node]))
        return seen

    def is_below(self, kpi_id: str, ancestor: str) -> bool:
        return kpi_id in self.descendants(ancestor)

    def path_to(self, kpi_id: str, root: str | None = None) -> list[str]:
        """A root-to-`kpi_id` path (through `root` when it is an ancestor), first parents first."""

        def climb(node: str) -> list[str] | None:
            if root is not None and node == root:
                return [node]
            if not self.parents[node]:
                return [node] if root is None else None
            for parent in self.parents[node]:
                found = climb(parent)
                if found is not None:
                    return [*found, node]
            return None

        path = climb(kpi_id)
        return path if path is not None else self.path_to(kpi_id) if root is not None else [kpi_id]

    def outline(self, top: str | None = None, deepest_layer: str = "IT") -> list[OutlineRow]:
        """Depth-first rows under `top` (all roots when None), each KPI once, down to `deepest_layer`."""
        limit = LAYERS.index(deepest_layer)
        rows: list[OutlineRow] = []
        placed: set[str] = set()

        def visit(node: str, depth: int, parent: str | None) -> None:
            if node in placed or LAYERS.index(self.layers[node]) > limit:
                return
            placed.add(node)
            others = tuple(p for p in self.parents[node] if p != parent)
            rows.append(OutlineRow(node, depth, parent, others))
            for child in self.children[node]:
                visit(child, depth + 1, node)

        for start in [top] if top else self.roots:
            visit(start, 0, None)
        return rows

    def chain_edges(self, root: str) -> list[tuple[str, str]]:
        """Every (parent, child) link inside the sub-graph under `root`: its whole path to the IT layer."""
        nodes = {root, *self.descendants(root)}
        return [(p, c) for c in self.ids if c in nodes for p in self.parents[c] if p in nodes]


def status_expr(
    value: str = "value",
    target: str = "target",
    direction: str = "direction",
    near_share: float = NEAR_TARGET_SHARE,
) -> pl.Expr:
    """on / near / off / no_target / no_data for each row, in the KPI's own direction."""
    v, t = pl.col(value), pl.col(target)
    better = pl.when(pl.col(direction) == "lower").then(t - v).otherwise(v - t)
    tolerance = t.abs() * near_share
    return (
        pl.when(v.is_null())
        .then(pl.lit("no_data"))
        .when(t.is_null())
        .then(pl.lit("no_target"))
        .when(better >= 0)
        .then(pl.lit("on"))
        .when(better >= -tolerance)
        .then(pl.lit("near"))
        .otherwise(pl.lit("off"))
    )


def status_of(
    value: float | None, target: float | None, direction: str, near_share: float = NEAR_TARGET_SHARE
) -> str:
    frame = pl.DataFrame(
        {"value": [value], "target": [target], "direction": [direction]},
        schema={"value": pl.Float64, "target": pl.Float64, "direction": pl.String},
    )
    return frame.select(status_expr(near_share=near_share))[0, 0]


def kpi_snapshot(values: pl.DataFrame, kpis: pl.DataFrame, periods: Sequence[str]) -> pl.DataFrame:
    """Per KPI: the newest value in `periods`, the value before it, the change, status and the series.

    `values`: kpi_id, period, value for ONE scope (a business unit or the company). `kpis`: kpi_id,
    target, direction. `series` lists the value of every period in `periods` (null where missing),
    for sparklines; the newest period with a value is the KPI's "current" one.
    """
    periods = sorted(periods)
    scoped = values.filter(pl.col("period").is_in(periods), pl.col("value").is_not_null())
    ordered = scoped.sort("kpi_id", "period")
    latest = (
        ordered.group_by("kpi_id", maintain_order=True)
        .agg(
            pl.col("period").last().alias("period"),
            pl.col("value").last().alias("value"),
            pl.col("value").slice(-2, 1).first().alias("previous_value"),
            pl.col("period").slice(-2, 1).first().alias("previous_period"),
            pl.len().alias("n_periods"),
        )
        .with_columns(
            pl.when(pl.col("n_periods") > 1)
            .then(pl.col("previous_value"))
            .otherwise(None)
            .alias("previous_value"),
            pl.when(pl.col("n_periods") > 1)
            .then(pl.col("previous_period"))
            .otherwise(None)
            .alias("previous_period"),
        )
    )
    grid = pl.DataFrame({"period": periods}, schema={"period": pl.String}).join(
        kpis.select("kpi_id"), how="cross"
    )
    series = (
        grid.join(scoped.select("kpi_id", "period", "value"), on=["kpi_id", "period"], how="left")
        .sort("kpi_id", "period")
        .group_by("kpi_id", maintain_order=True)
        .agg(pl.col("value").alias("series"))
    )
    frame = (
        kpis.select("kpi_id", "target", "direction")
        .join(latest.drop("n_periods"), on="kpi_id", how="left")
        .join(series, on="kpi_id", how="left")
    )
    return frame.with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("change"),
        status_expr().alias("status"),
        pl.when(pl.col("target").is_not_null() & (pl.col("target") != 0))
        .then(100.0 * (pl.col("value") - pl.col("target")) / pl.col("target").abs())
        .otherwise(None)
        .alias("gap_pct"),
    )


def status_counts(snapshot: pl.DataFrame, kpi_ids: Sequence[str]) -> dict[str, int]:
    """How many of these KPIs are in each status (for "3 off target below here")."""
    counts = dict.fromkeys(STATUSES, 0)
    for status in snapshot.filter(pl.col("kpi_id").is_in(list(kpi_ids)))["status"].to_list():
        counts[status or "no_data"] += 1
    return counts
