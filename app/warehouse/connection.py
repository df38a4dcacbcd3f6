"""Opening the DuckDB file, with one clear sentence when another process holds it."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from app.warehouse.query_timer import at_callers_depth, timed


class WarehouseLockedError(RuntimeError):
    """Another process holds the warehouse file (DuckDB allows one writing process)."""


# DuckDB's buffer pool is capped at 2 GB unless CXLENS_DUCKDB_MEMORY says otherwise (e.g. "6GB"): its
# own default, 80 % of RAM, is filled as a cache at ten million answers (a 1M batch loaded into a 10M
# warehouse peaked at 4.6 GB uncapped, 3.0 GB with the cap, no slower). Beyond the cap DuckDB spills
# joins, aggregates and sorts to a temporary folder beside the warehouse; pages read small marts.
DEFAULT_DUCKDB_MEMORY = "2GB"


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc).lower()
        if "lock" in text or "conflicting" in text:
            raise WarehouseLockedError(
                f"The warehouse {path} is in use by another process (is the CX Lens app running?). "
                "Stop that process, or load the file through the app's Data page."
            ) from None
        raise
    # SET, not connect(config=…): the instance is shared with other connections to the same file in
    # this process, and a differing config would refuse them.
    con.execute("set memory_limit = ?", [os.environ.get("CXLENS_DUCKDB_MEMORY") or DEFAULT_DUCKDB_MEMORY])
    return con


_WRITE_LOCK = threading.RLock()


@contextmanager
def write_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction that commits or rolls back whole — and one at a time in this process.

    The app's writers share one process (a Data-page load, the midnight KPI refresh, background driver
    training, case updates): DuckDB lets their transactions run side by side and fails the later
    commit when both touched the same rows (a load and the KPI refresh both rewrite mart_kpi_values).
    Waiting a few seconds for the other writer is better than a failed load."""
    with _WRITE_LOCK:
        con.execute("begin transaction")
        try:
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")


def fetch_scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    # fetchall, not fetchone: DuckDB 2.0 keeps a partly fetched result open and blocks con.sql().
    with timed("scalar", sql):
        rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pl.DataFrame:
    """Run parameterised SQL and return a Polars frame (DuckDB 2.0: execute() has no .pl())."""
    with timed("query", sql):
        relation = con.sql(sql, params=params)
        return pl.DataFrame() if relation is None else relation.pl()


# Threads for `run_concurrently`; DuckDB runs each query on every core itself, these only overlap one
# query's serial parts (planning, turning results into frames) with another's scan. Three, not more:
# at ten million answers four big scans at once overflow the 2 GB buffer pool and evict each other
# (the Bottlenecks report took 2.7 s with four, 1.6 s with three, 1.6 s with four and 6 GB); at a
# million three and four are alike (about 190 ms, 230 ms one query after another).
_READERS = ThreadPoolExecutor(max_workers=3, thread_name_prefix="cxlens-query")


def run_concurrently(
    con: duckdb.DuckDBPyConnection, jobs: dict[str, Callable[[duckdb.DuckDBPyConnection], object]]
) -> dict[str, object]:
    """Run independent read-only jobs side by side, each on its own cursor of `con`; their results by
    name, or the first job's error. A page whose report is several heavy queries gains about a tenth.
    A job must not call `run_concurrently` itself: it would wait for threads of the same small pool."""
    cursors = {name: con.cursor() for name in jobs}
    try:
        futures = {name: _READERS.submit(at_callers_depth(job), cursors[name]) for name, job in jobs.items()}
        wait(futures.values())  # every job ends before its cursor closes, also when one failed
        return {name: future.result() for name, future in futures.items()}
    finally:
        for cursor in cursors.values():
            cursor.close()


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        fetch_scalar(
            con,
            "select count(*) from information_schema.tables where table_name = ?",
            [name],
        )
    )
