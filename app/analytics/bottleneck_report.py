"""Everything the bottleneck views show for one process, computed once from the process marts.

`process_report` is pure (frames in, frames out), so the page caches one small object per filter
state, and tests, exports and presentation mode get exactly the numbers the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from app.analytics import bottlenecks as bn
from app.analytics import deadline_chain as chain
from app.analytics import process_map as pm
from app.analytics import process_summary as ps
from app.analytics import wait_cost as wc
from app.analytics.bottleneck_pick import Bottleneck, find_bottleneck
from app.service_model import ServiceModel

BREAKDOWNS: tuple[str, ...] = ("business_unit", "product_class", "segment", "grade")


@dataclass(frozen=True)
class ChainReport:
    links: pl.DataFrame  # the chain's steps and deadline offsets
    performance: pl.DataFrame  # per link: deadline vs as-is end, share held
    broken: pl.DataFrame  # cases by first broken link
    met_pct: float | None  # share of decided cases that met the customer's requirement
    clock_labels: dict[str, str] | None  # '10:00' per link in the release-day case


@dataclass(frozen=True)
class ProcessReport:
    process: str
    as_of: datetime | None
    summary: dict  # case_summary row: n_cases, n_open, on_time_pct, lead times …
    steps: pl.DataFrame  # step_stats for the whole process
    breakdown_columns: tuple[str, ...]  # BREAKDOWNS that have values (their tables are asked for one by one)
    pareto: pl.DataFrame
    nodes: pl.DataFrame
    edges: pl.DataFrame
    variants: pl.DataFrame
    bottleneck: Bottleneck | None
    chain: ChainReport | None
    wait_cost: pl.DataFrame  # per step: NPS / rating points per day of waiting
    wait_bins: pl.DataFrame  # per step × waiting bin (whole client-quarters): NPS and rating
    totals: pl.DataFrame | None = None  # process, weeks, excess_total, lateness_total: a breakdown's denominators
    breakdowns: dict[str, pl.DataFrame] = field(default_factory=dict)  # step tables by a column, computed with it


def breakdown_columns(frame: pl.DataFrame) -> tuple[str, ...]:
    """The breakdown columns of a steps frame that have any value."""
    return tuple(c for c in BREAKDOWNS if c in frame.columns and frame[c].drop_nulls().len() > 0)


def chain_report(
    steps: pl.DataFrame, cases: pl.DataFrame, step_dim: pl.DataFrame, process: str, as_of: datetime | None
) -> ChainReport | None:
    links = chain.chain_links(step_dim, process)
    if links.is_empty() or cases["due_at"].drop_nulls().is_empty():
        return None
    status = chain.link_status(steps, cases, links, as_of)
    first = chain.first_broken(status, cases, as_of)
    return ChainReport(
        links=links,
        performance=chain.link_performance(status),
        broken=chain.broken_summary(first, links),
        met_pct=chain.requirement_met_pct(first),
        clock_labels=chain.deadline_clock_labels(links, cases),
    )


def experience(step_dim: pl.DataFrame, wait_sums: pl.DataFrame, process: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The wait cost per step and, for the steps with a slope, their waiting bins."""
    cost = wc.wait_cost(wait_sums, wc.served_touchpoints(step_dim.filter(pl.col("process") == process)))
    with_slope = cost.filter(pl.col("nps_per_day").is_not_null())["activity"]
    return cost, wc.wait_bins(wait_sums).filter(pl.col("activity").is_in(with_slope.implode()))


def process_report(
    steps: pl.DataFrame,
    cases: pl.DataFrame,
    step_dim: pl.DataFrame,
    wait_sums: pl.DataFrame,
    process: str,
    min_cases: int = 30,
    as_of: datetime | None = None,
) -> ProcessReport:
    """All figures of one process; `steps`/`cases` may hold other processes (they are narrowed).
    wait_sums: the survey answers' least-squares sums per step and waiting bin
    (app.warehouse.wait_cost_queries.wait_cost_sums) for the wait cost."""
    steps = steps.filter(pl.col("process") == process)
    cases = cases.filter(pl.col("process") == process)
    if as_of is None:
        as_of = bn.data_as_of(steps) if steps.height else None
    prepared = bn.prepare_events(steps, cases, as_of)
    stats = bn.aggregate_steps(prepared)
    summary = ps.case_summary(cases, as_of)
    nodes, edges = pm.directly_follows(steps, cases)
    return assemble_report(
        process, as_of, summary, stats, breakdown_columns(steps), (nodes, edges), pm.variants(steps, cases),
        find_bottleneck(steps, cases, process, min_cases=min_cases, as_of=as_of, prepared=prepared, stats=stats)
        if steps.height
        else None,
        chain_report(steps, cases, step_dim, process, as_of) if steps.height else None,
        experience(step_dim, wait_sums, process),
        prepared.totals,
    )


def assemble_report(
    process: str,
    as_of: datetime | None,
    summary: pl.DataFrame,
    stats: pl.DataFrame,
    columns: tuple[str, ...],
    graph: tuple[pl.DataFrame, pl.DataFrame],
    variants: pl.DataFrame,
    bottleneck: Bottleneck | None,
    chain: ChainReport | None,
    wait_cost: tuple[pl.DataFrame, pl.DataFrame],
    totals: pl.DataFrame | None = None,
    breakdowns: dict[str, pl.DataFrame] | None = None,
) -> ProcessReport:
    """The report from its parts, however they were computed (from events here, or aggregated in
    DuckDB: app.warehouse.process_report_queries)."""
    summary_row = summary.row(0, named=True) if summary.height else {}
    unattributed = ps.unattributed_lateness(stats, summary, process) if summary.height else 0.0
    return ProcessReport(
        process=process,
        as_of=as_of,
        summary=summary_row,
        steps=stats,
        breakdown_columns=columns,
        pareto=ps.delay_pareto(stats, unattributed) if stats.height else pl.DataFrame(),
        nodes=graph[0],
        edges=graph[1],
        variants=variants,
        bottleneck=bottleneck,
        chain=chain,
        wait_cost=wait_cost[0],
        wait_bins=wait_cost[1],
        totals=totals,
        breakdowns=breakdowns or {},
    )


def kpis_fed(model: ServiceModel, process: str, activity: str) -> list[str]:
    """KPI ids a step feeds, most direct first: the step's own KPIs, the KPIs of the touchpoint it
    serves (its own, else the next one down the process), then the process's end KPIs (a delay
    anywhere makes the whole case late)."""
    spec = next((p for p in model.processes if p.id == process), None)
    if spec is None:
        return []
    index = next((i for i, s in enumerate(spec.steps) if s.activity == activity), None)
    if index is None:
        return []
    ids: list[str] = list(spec.steps[index].kpis)
    served = next((s.touchpoint for s in spec.steps[index:] if s.touchpoint), None)
    if served:
        ids += [k.id for k in model.kpis if k.touchpoint == served]
    ids += list(spec.steps[-1].kpis)
    return list(dict.fromkeys(ids))
