"""Process queries for the bottleneck views: the event-level and case-level process marts under the
global filters and a product-class choice, and the step dimension (the wait cost's sums over the
survey answers are in wait_cost_queries.py). All values are bound parameters; column names come from
fixed lists.

The process marts carry period (quarter the case started), business unit, segment, grade and
status, but no respondent role: `process_filter_columns` tells the page which filters apply.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from app.warehouse.connection import query, table_exists
from app.warehouse.filters import Filters, filter_sql

# The event columns the page's analytics read (app/analytics/bottlenecks.py, process_map.py,
# deadline_chain.py): at a million answers the log has ~900,000 events, and every other column read
# (department, resource, client, quarter, …) costs transfer time and memory for nothing.
STEP_COLUMNS: tuple[str, ...] = (
    "case_id",
    "process",
    "activity",
    "step_order",
    "started_at",
    "ended_at",
    "duration_hours",
    "wait_hours",
    "is_rework",
    "target_hours",
    "due_at",
    "deadline_at",
    "product_class",
    "business_unit",
    "segment",
    "grade",
)
CASE_COLUMNS: tuple[str, ...] = (
    "process",
    "case_id",
    "client_id",
    "business_unit",
    "segment",
    "grade",
    "product_class",
    "period",
    "started_at",
    "ended_at",
    "is_complete",
    "lead_time_hours",
    "wait_hours",
    "n_rework",
    "due_at",
    "is_late",
)
NEIGHBOUR_COLUMNS = ("previous_activity", "is_last_event")  # newer marts: the graph needs no sort
CASE_PATH_COLUMNS = ("variant",)  # newer marts: each case's path, so variants need no sort of events
FILTERABLE = frozenset({"period", "business_unit", "segment", "grade", "status"})


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The table's columns (none when it does not exist): binding an empty select takes a fourth of
    the time information_schema takes, and a report asks twice. `table` is one of our mart names."""
    try:
        return {column[0] for column in con.execute(f'select * from "{table}" limit 0').description}
    except duckdb.CatalogException:
        return set()


def process_filter_columns(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The filter columns the process marts of this warehouse carry (older ones lack status)."""
    return frozenset(FILTERABLE & columns_of(con, "mart_process_steps"))


def process_where(
    con: duckdb.DuckDBPyConnection, filters: Filters, process: str | None, product_classes: Sequence[str]
) -> tuple[str, dict[str, object]]:
    where, params = filter_sql(filters, process_filter_columns(con))
    if process is not None:
        where += " and process = $process"
        params["process"] = process
    if product_classes:
        names = [f"pc_{i}" for i in range(len(product_classes))]
        params.update(zip(names, product_classes, strict=True))
        where += f" and product_class in ({', '.join('$' + n for n in names)})"
    return where, params


def process_steps(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    process: str | None = None,
    product_classes: Sequence[str] = (),
) -> pl.DataFrame:
    """Executed steps (mart_process_steps: `STEP_COLUMNS` and, where the mart has them, the graph's
    neighbour columns) of cases that started in the filtered periods and segments, unordered
    (sorting 5 million events costs more than the analytics that need an order)."""
    where, params = process_where(con, filters, process, product_classes)
    present = columns_of(con, "mart_process_steps")
    columns = [c for c in (*STEP_COLUMNS, *NEIGHBOUR_COLUMNS) if c in present or c in STEP_COLUMNS]
    return query(con, f"select {', '.join(columns)} from mart_process_steps where {where}", params)


def process_cases(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    process: str | None = None,
    product_classes: Sequence[str] = (),
) -> pl.DataFrame:
    """Cases (mart_process_cases) under the same filters as `process_steps`."""
    where, params = process_where(con, filters, process, product_classes)
    present = columns_of(con, "mart_process_cases")
    columns = [*CASE_COLUMNS, *(c for c in CASE_PATH_COLUMNS if c in present)]
    return query(
        con,
        f"select {', '.join(columns)} from mart_process_cases where {where} order by process, case_id",
        params,
    )


def step_dimension(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every process step of the service model: order, labels, department, to-be target, deadline
    offset, touchpoint."""
    return query(
        con,
        "select process, activity, step_order, label_en, label_ru, department, target_hours, "
        "deadline_offset_hours, touchpoint_id from dim_process_steps order by process, step_order",
    )


def processes_with_events(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """process, n_cases, n_events — processes that have an event log, busiest first. Cases are
    counted in mart_process_cases (a row per case): a distinct count over every event took ~10× as
    long at a million answers."""
    if not table_exists(con, "mart_process_steps"):
        return pl.DataFrame(schema={"process": pl.String, "n_cases": pl.Int64, "n_events": pl.Int64})
    return query(
        con,
        "select process, c.n_cases, s.n_events "
        "from (select process, count(*) as n_events from mart_process_steps group by process) s "
        "join (select process, count(case_id) as n_cases from mart_process_cases group by process) c "
        "using (process) order by n_events desc, process",
    )
