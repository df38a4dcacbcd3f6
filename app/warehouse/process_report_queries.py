"""The bottleneck page's figures aggregated in DuckDB from the process marts' per-event columns
(mart_process_steps: step time, overrun, attributed lateness, first-run flags — computed once per
event load), so no event leaves DuckDB: at a million answers the log has ~900,000 events, and
reading them into Polars for every filter state cost more than the whole page's budget.

The definitions are those of app/analytics/bottlenecks.py, process_map.py and process_summary.py
(the event-level reference, tested against the same hand-computed fixture and against these
queries); the finishing arithmetic (shares, throughput, order) is shared with them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import duckdb
import polars as pl

from app.analytics import bottleneck_report as br
from app.analytics import deadline_chain as chain
from app.analytics.bottleneck_pick import Bottleneck, name_bottleneck, pick_step
from app.analytics.bottlenecks import check_by, finish_step_table
from app.analytics.process_map import END, START, terminal_nodes
from app.warehouse.connection import query, run_concurrently, table_exists
from app.warehouse.filters import Filters
from app.warehouse.process_queries import columns_of, process_where

# mart_process_steps columns these queries need (marts built before them lack them: the page then
# falls back to the event-level path).
AGGREGATE_COLUMNS = frozenset(
    {"finished_step_hours", "excess_hours", "lateness_attributed_hours", "is_over_case", "is_first_rework",
     "is_first_transition", "is_case_complete", "log_as_of"}
)
BREAKDOWNS = br.BREAKDOWNS  # the heat-map's columns, as the event-level report has them

# Counts and sums of a step table (definitions: app/analytics/bottlenecks.py): a case's first run
# of a step is the one not flagged as rework, so counting those counts cases.
STEP_SUMS = """
    min(step_order) as step_order,
    any_value(target_hours) as target_hours,
    count(*) filter (where not is_rework) as n_cases,
    count(*) as n_events,
    count(*) filter (where ended_at is null) as n_open,
    count(ended_at) as n_completed,
    count(*) filter (where is_first_rework) as n_rework_cases,
    count(*) filter (where is_over_case) as n_over_cases,
    sum(excess_hours) as excess_hours,
    sum(lateness_attributed_hours) as lateness_hours
"""
# (column, measure) pairs whose median and 90th percentile a table shows; one list quantile per
# measure sorts its values once. Breakdown tables show waiting and processing only.
WHOLE_QUANTILES = (("wait", "wait_hours"), ("processing", "duration_hours"), ("step", "finished_step_hours"))
BREAKDOWN_QUANTILES = WHOLE_QUANTILES[:2]
# the whole table also gives the process's denominators (_totals), its as-of moment, the mean wait,
# the END edges of the process map and the edge into each step that has one predecessor (the
# predecessors' range and count, the cases' first transitions), and which breakdown columns have values
SPAN_COLUMNS = (
    "min(started_at) as first_started_at, max(greatest(started_at, coalesce(ended_at, started_at))) as last_moment, "
    "any_value(log_as_of) as log_as_of, avg(wait_hours) as wait_mean_hours, "
    "count(*) filter (where is_last_event and is_case_complete) as n_to_end, "
    "min(previous_activity) as previous_first, max(previous_activity) as previous_last, "
    "count(previous_activity) as n_previous, count(*) filter (where is_first_transition) as n_first_transitions, "
    + ", ".join(f"count({c}) as n_{c}" for c in BREAKDOWNS)
)
SPAN_NAMES = ("first_started_at", "last_moment", "log_as_of", "wait_mean_hours", "n_to_end", "previous_first",
              "previous_last", "n_previous", "n_first_transitions", *(f"n_{c}" for c in BREAKDOWNS))
# whether a step's events (under the filters) come from more than one place: another step, or the start
SEVERAL_PREDECESSORS = "not (n_previous = 0 or (n_previous = n_events and previous_first = previous_last))"


# The step cube (mart_process_step_cube) holds STEP_SUMS and SPAN_COLUMNS per process × step × these
# columns: a step table keyed by some of them sums the cube's rows and reads only the quantiles from
# the events. Its SQL's sums, combined (a count becomes a sum of counts, a mean a sum over a count):
CUBE_KEYS = frozenset({"business_unit", "period", "segment", "grade", "status"})
CUBE_SUMS = """
    min(step_order) as step_order,
    any_value(target_hours) as target_hours,
    sum(n_cases)::bigint as n_cases,
    sum(n_events)::bigint as n_events,
    sum(n_open)::bigint as n_open,
    sum(n_completed)::bigint as n_completed,
    sum(n_rework_cases)::bigint as n_rework_cases,
    sum(n_over_cases)::bigint as n_over_cases,
    sum(excess_hours) as excess_hours,
    sum(lateness_hours) as lateness_hours
"""
CUBE_SPAN = (
    "min(first_started_at) as first_started_at, max(last_moment) as last_moment, max(log_as_of) as log_as_of, "
    "sum(wait_sum_hours) / nullif(sum(n_waits), 0) as wait_mean_hours, sum(n_to_end)::bigint as n_to_end, "
    "min(previous_first) as previous_first, max(previous_last) as previous_last, "
    "sum(n_previous)::bigint as n_previous, sum(n_first_transitions)::bigint as n_first_transitions, "
    + ", ".join(
        "sum(n_product_class)::bigint as n_product_class" if c == "product_class"
        else f"(sum(n_events) filter (where {c} is not null))::bigint as n_{c}"
        for c in BREAKDOWNS
    )
)
STEP_CUBE = "mart_process_step_cube"
# the cube's columns this version reads (a cube built by an older one lacks some: the events are read)
CUBE_COLUMNS = frozenset({"n_events", "wait_sum_hours", "n_waits", "previous_first", "n_first_transitions"})


def _has_cube(con: duckdb.DuckDBPyConnection) -> bool:
    return columns_of(con, STEP_CUBE) >= CUBE_COLUMNS


def has_aggregate_columns(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this warehouse's process marts carry the per-event columns and the chain's links
    (built by this version)."""
    return columns_of(con, "mart_process_steps") >= AGGREGATE_COLUMNS and table_exists(con, "mart_process_links")


Scope = tuple[str, dict[str, object]]  # (where clause, its parameters) of one process under the filters


def scope_of(con: duckdb.DuckDBPyConnection, filters: Filters, process: str) -> Scope:
    """The where clause once per report: it looks up which filter columns the marts carry."""
    return process_where(con, filters, process, ())


def _step_sql(where: str, key: list[str], quantiles: Sequence[tuple[str, str]], extra: str = "") -> str:
    group = ", ".join(key)
    lists = "".join(f", quantile_cont({m}, [0.5, 0.9]) as q_{name}" for name, m in quantiles)
    unpack = "".join(f", q_{n}[1] as {n}_median_hours, q_{n}[2] as {n}_p90_hours" for n, _ in quantiles)
    drop = ", ".join(f"q_{n}" for n, _ in quantiles)
    return (
        f"select * exclude ({drop}){unpack} from ("
        f"select $process as process, {group}, {STEP_SUMS}{lists}{extra} "
        f"from mart_process_steps where {where} group by {group})"
    )


def _cube_step_sql(where: str, key: list[str], quantiles: Sequence[tuple[str, str]], span: bool) -> str:
    """`_step_sql`'s rows (same columns, same order) from the step cube's sums and the events' quantiles."""
    group = ", ".join(key)
    lists = ", ".join(f"quantile_cont({m}, [0.5, 0.9]) as q_{name}" for name, m in quantiles)
    unpack = ", ".join(f"q.q_{n}[1] as {n}_median_hours, q.q_{n}[2] as {n}_p90_hours" for n, _ in quantiles)
    same_group = " and ".join(f"s.{k} is not distinct from q.{k}" for k in key)
    return f"""
        with s as (select {group}, {CUBE_SUMS}{", " + CUBE_SPAN if span else ""}
                   from {STEP_CUBE} where {where} group by {group}),
             q as (select {group}, {lists} from mart_process_steps where {where} group by {group})
        select $process as process, s.*, {unpack} from s left join q on {same_group}
    """


def _rows_sql(
    con: duckdb.DuckDBPyConnection, where: str, key: list[str], quantiles: Sequence[tuple[str, str]], span: bool
) -> str:
    """A step table's raw rows: from the step cube when it exists and holds the key's columns."""
    if set(key) - {"activity"} <= CUBE_KEYS and _has_cube(con):
        return _cube_step_sql(where, key, quantiles, span)
    return _step_sql(where, key, quantiles, ", " + SPAN_COLUMNS if span else "")


def _totals(whole: pl.DataFrame, process: str, lateness_total: float | None) -> pl.DataFrame:
    """One row: process, weeks the (filtered) log spans, excess_total, lateness_total."""
    first, last = whole["first_started_at"].min(), whole["last_moment"].max()
    weeks = max(1.0, (last - first).total_seconds() / 3600.0 / 168.0) if first is not None else 1.0
    return pl.DataFrame({"process": [process], "weeks": [weeks], "excess_total": [whole["excess_hours"].sum()],
                         "lateness_total": [float(lateness_total or 0.0)]})


def whole_step_rows(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """The raw per-activity rows of the process under the filters: the step table's sums and
    quantiles, and each activity's span, as-of moment, mean wait and counts of breakdown values."""
    return query(con, _rows_sql(con, scope[0], ["activity"], WHOLE_QUANTILES, span=True), dict(scope[1]))


def whole_step_table(
    raw: pl.DataFrame, process: str, lateness_total: float | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(step table, totals) from `whole_step_rows`."""
    totals = _totals(raw, process, lateness_total)
    return finish_step_table(raw.drop(SPAN_NAMES), ["process", "activity"], totals), totals


def breakdown_rows(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    by: Sequence[str],
    activity: str | None = None,
    quantiles: Sequence[tuple[str, str]] = BREAKDOWN_QUANTILES,
) -> pl.DataFrame:
    """The raw step table by `by` (GROUPABLE columns), optionally for one activity."""
    where, params = scope[0], dict(scope[1])
    if activity is not None:
        where += " and activity = $activity"
        params["activity"] = activity
    return query(con, _rows_sql(con, where, ["activity", *check_by(by)], quantiles, span=False), params)


def finish_breakdown(rows: pl.DataFrame, by: Sequence[str], totals: pl.DataFrame) -> pl.DataFrame:
    """`breakdown_rows` finished with the shares of `totals` (from `whole_step_table`, same filters)."""
    return finish_step_table(rows, ["process", "activity", *by], totals)


def breakdown_table(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    process: str,
    totals: pl.DataFrame,
    by: Sequence[str],
    activity: str | None = None,
    quantiles: Sequence[tuple[str, str]] = BREAKDOWN_QUANTILES,
) -> pl.DataFrame:
    """The step table by `by` (GROUPABLE columns), optionally for one activity; `totals` from
    `whole_step_table` under the same filters."""
    return finish_breakdown(breakdown_rows(con, scope, by, activity, quantiles), by, totals)


def wait_median_elsewhere(
    con: duckdb.DuckDBPyConnection, scope: Scope, activity: str, business_unit: str
) -> float | None:
    """The median wait before `activity` in the business units other than `business_unit`."""
    where, params = scope[0], dict(scope[1])
    params |= {"activity": activity, "unit": business_unit}
    sql = (f"select quantile_cont(wait_hours, 0.5) from mart_process_steps "
           f"where {where} and activity = $activity and business_unit <> $unit")
    return query(con, sql, params).item()


def case_summary(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """app.analytics.process_summary.case_summary over mart_process_cases (lateness kept per case)."""
    where, params = scope[0], dict(scope[1])
    sql = f"""
        select process, count(*) as n_cases,
               count(*) filter (where not is_complete) as n_open,
               count(*) filter (where not is_complete and lateness_hours > 0) as n_open_overdue,
               count(*) filter (where is_complete and has_due) as n_complete_with_due,
               count(*) filter (where is_complete and has_due and lateness_hours > 0) as n_late,
               quantile_cont(lead_time_hours, 0.5) as lead_median_hours,
               quantile_cont(lead_time_hours, 0.9) as lead_p90_hours,
               coalesce(sum(lateness_hours), 0) as late_hours_total,
               case when count(*) filter (where is_complete and has_due) > 0
                    then 100.0 * (1 - count(*) filter (where is_complete and has_due and lateness_hours > 0)
                                      / count(*) filter (where is_complete and has_due)) end as on_time_pct
        from mart_process_cases where {where} group by process
    """
    return query(con, sql, params)


def edge_rows(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """The process map's edges between activities (and from START) under the filters, into the steps
    that have several predecessors when the step cube tells which (`directly_follows` makes the edge
    into a step with one from `whole_step_rows`: its counts, median and mean wait are the step's); at
    ten million answers that spares a median over 9 million events when the process has no loops."""
    where, params = scope[0], dict(scope[1])
    if _has_cube(con):
        several = query(con, f"""
            select activity from (select activity, sum(n_events) as n_events, sum(n_previous) as n_previous,
                                         min(previous_first) as previous_first, max(previous_last) as previous_last
                                  from {STEP_CUBE} where {where} group by activity)
            where {SEVERAL_PREDECESSORS}
        """, params)["activity"].to_list()
        names = [f"several_{i}" for i in range(len(several))]
        where += f" and activity in ({', '.join('$' + n for n in names)})" if several else " and false"
        params |= dict(zip(names, several, strict=True))
    return query(con, f"""
        select process, coalesce(previous_activity, $start) as source, activity as target,
               count(*) as n_transitions, count(*) filter (where is_first_transition) as n_cases,
               quantile_cont(wait_hours, 0.5) as wait_median_hours, avg(wait_hours) as wait_mean_hours
        from mart_process_steps where {where} group by all
    """, params | {"start": START})


def _single_predecessor_edges(raw: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """The edge into each step of `raw` whose events all come from one place, unless `edges` has it
    (the condition `edge_rows` asks the cube, as a Polars expression)."""
    single = (pl.col("n_events") > 0) & ~pl.sql_expr(SEVERAL_PREDECESSORS)
    return raw.filter(single & ~pl.col("activity").is_in(edges["target"].implode())).select(
        "process", pl.col("previous_first").fill_null(START).alias("source"), pl.col("activity").alias("target"),
        pl.col("n_events").alias("n_transitions"), pl.col("n_first_transitions").alias("n_cases"),
        "wait_median_hours", "wait_mean_hours",
    )


def directly_follows(edges: pl.DataFrame, raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """app.analytics.process_map.directly_follows: (nodes, edges) of the process under the filters from
    `edge_rows`; the activity nodes, the edges into steps with one predecessor that `edge_rows` left
    out, and the END edges come from `raw` (`whole_step_rows`)."""
    # each finished case's last activity → END (one last event per case)
    to_end = raw.filter(pl.col("n_to_end") > 0).select(
        "process", pl.col("activity").alias("source"), pl.lit(END).alias("target"),
        pl.col("n_to_end").alias("n_transitions"), pl.col("n_to_end").alias("n_cases"),
        pl.lit(None, dtype=pl.Float64).alias("wait_median_hours"),
        pl.lit(None, dtype=pl.Float64).alias("wait_mean_hours"),
    )
    edges = pl.concat([edges, _single_predecessor_edges(raw, edges), to_end], how="vertical_relaxed")
    activities = raw.select("process", "activity", "step_order", "n_events", "n_cases", "n_open",
                            "wait_median_hours", "wait_mean_hours")
    nodes = pl.concat([activities, terminal_nodes(edges)], how="vertical_relaxed")
    return (
        nodes.sort(["process", "step_order"], nulls_last=True),
        edges.sort(["process", "source", "target"]),
    )


def variants(con: duckdb.DuckDBPyConnection, scope: Scope, top: int = 10) -> pl.DataFrame:
    """The most frequent paths of finished cases with their share (process_map.variants)."""
    where, params = scope[0], dict(scope[1])
    params["top"] = top
    sql = f"""
        select process, variant as path, count(*) as n_cases,
               100.0 * count(*) / sum(count(*)) over (partition by process) as pct_cases
        from mart_process_cases where {where} and is_complete group by process, variant
        qualify row_number() over (partition by process order by count(*) desc, variant) <= $top
        order by process, n_cases desc, path
    """
    return query(con, sql, params)


def _bottleneck(
    con: duckdb.DuckDBPyConnection, scope: Scope, process: str, totals: pl.DataFrame, stats: pl.DataFrame,
    has_class: bool, steps_by_unit: pl.DataFrame | None, min_cases: int,
) -> Bottleneck | None:
    """The verdict; `steps_by_unit`: the step table by business unit when already computed."""
    choice = pick_step(stats, min_cases)
    if choice is None:
        return None
    measure, cell = choice
    activity = cell["activity"]
    wait = (("wait", "wait_hours"),)
    by_unit = (
        steps_by_unit.filter(pl.col("activity") == activity)
        if steps_by_unit is not None
        else breakdown_table(con, scope, process, totals, ("business_unit",), activity, wait)
    )
    if has_class:
        by_unit_class, by_class = (
            breakdown_table(con, scope, process, totals, by, activity, wait)
            for by in (("business_unit", "product_class"), ("product_class",))
        )
    else:  # no event has a product class: nothing to name
        by_unit_class = by_unit.with_columns(product_class=pl.lit(None, dtype=pl.String))
        by_class = by_unit_class.clear()
    return name_bottleneck(process, measure, cell, by_unit, by_unit_class, by_class,
                           lambda unit: wait_median_elsewhere(con, scope, activity, unit), min_cases)


def _chain(
    con: duckdb.DuckDBPyConnection, scope: Scope, process: str, step_dim: pl.DataFrame
) -> br.ChainReport | None:
    """The deadline chain aggregated from mart_process_links (case × link, judged at load) and the
    cases with a due time; None for a process without deadline offsets or cases with a due time."""
    links = chain.chain_links(step_dim, process)
    if links.is_empty():
        return None
    where, params = scope[0], dict(scope[1])
    counts = query(con, f"""
        select coalesce(l.activity, $none) as first_broken, count(*) as n_cases,
               count(*) filter (where c.met) as n_met, count(*) filter (where not c.met) as n_missed,
               count(*) filter (where c.met is null) as n_pending
        from (select process, case_id,
                     case when is_complete then lateness_hours <= 0 when lateness_hours > 0 then false end as met
              from mart_process_cases where {where} and has_due) c
        left join (select process, case_id, activity from mart_process_links where is_first_broken) l
            on l.process = c.process and l.case_id = c.case_id
        group by all
    """, params | {"none": chain.NO_BREAK})
    if counts.is_empty():
        return None
    performance = query(con, f"""
        select *, case when n_held + n_broken > 0 then 100.0 * n_held / (n_held + n_broken) end as held_pct
        from (select process, activity, any_value(step_order) as step_order,
                     any_value(deadline_offset_hours) as deadline_offset_hours,
                     quantile_cont(end_vs_due_hours, 0.5) as end_median_hours,
                     quantile_cont(end_vs_due_hours, 0.1) as end_p10_hours,
                     quantile_cont(end_vs_due_hours, 0.9) as end_p90_hours,
                     count(*) filter (where link_status = 'held') as n_held,
                     count(*) filter (where link_status = 'broken') as n_broken,
                     count(*) filter (where link_status = 'pending') as n_pending
              from mart_process_links where {where} group by process, activity)
        order by process, step_order
    """, params)
    # one case per time of day of the due times: enough to tell whether all are due at the same hour
    due_times = query(con, f"select process, any_value(due_at) as due_at from mart_process_cases "
                           f"where {where} and due_at is not null group by process, cast(due_at as time)", params)
    return br.ChainReport(
        links=links,
        performance=performance,
        broken=chain.summarise_broken(counts, links),
        met_pct=chain.met_pct_of_counts(counts),
        clock_labels=chain.deadline_clock_labels(links, due_times),
    )


def aggregated_report(
    con: duckdb.DuckDBPyConnection, filters: Filters, process: str, step_dim: pl.DataFrame,
    wait_sums: pl.DataFrame | Callable[[duckdb.DuckDBPyConnection], pl.DataFrame], min_cases: int = 30,
) -> br.ProcessReport:
    """app.analytics.bottleneck_report.process_report aggregated in DuckDB: the same figures, open
    steps and cases measured up to the log's as-of moment. `wait_sums`: the wait cost's sums, or the
    query that makes them (run beside the others).

    The independent queries run side by side (`run_concurrently`): at a million answers they are
    some 200 ms one after the other, and overlapping one's planning and conversion with another's
    scan saves about a tenth. The step table by business unit is made whether or not the heat-map
    needs it: the heat-map opens on business units, and the verdict reads the same table."""
    scope = scope_of(con, filters, process)
    jobs: dict[str, Callable[[duckdb.DuckDBPyConnection], object]] = {
        "summary": lambda c: case_summary(c, scope),
        "whole": lambda c: whole_step_rows(c, scope),
        "by_unit": lambda c: breakdown_rows(c, scope, ("business_unit",)),
        "edges": lambda c: edge_rows(c, scope),
        "variants": lambda c: variants(c, scope),
        "chain": lambda c: _chain(c, scope, process, step_dim),
    }
    if callable(wait_sums):
        jobs["wait_sums"] = wait_sums
    got = run_concurrently(con, jobs)
    summary, raw = got["summary"], got["whole"]
    lateness_total = summary["late_hours_total"].sum() if summary.height else 0.0
    stats, totals = whole_step_table(raw, process, lateness_total)
    as_of = raw["log_as_of"].max() if raw.height else None
    columns = tuple(c for c in BREAKDOWNS if raw.height and raw[f"n_{c}"].sum() > 0)
    by_unit = finish_breakdown(got["by_unit"], ("business_unit",), totals) if "business_unit" in columns else None
    return br.assemble_report(
        process,
        as_of,
        summary,
        stats,
        columns,
        directly_follows(got["edges"], raw),
        got["variants"],
        _bottleneck(con, scope, process, totals, stats, "product_class" in columns, by_unit, min_cases)
        if raw.height else None,
        got["chain"] if raw.height else None,
        br.experience(step_dim, got.get("wait_sums", wait_sums), process),
        totals,
        {"business_unit": by_unit} if by_unit is not None else None,
    )
