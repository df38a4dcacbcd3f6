"""Opening the DuckDB file, with one clear sentence when another process holds it."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from app.warehouse.query_timer import timed


class WarehouseLockedError(RuntimeError):
    """Another process holds the warehouse file (DuckDB allows one writing process)."""


# CXLENS_DUCKDB_MEMORY caps DuckDB's buffer pool (e.g. "3GB"; DuckDB's default is 80 % of RAM, which
# it fills as a cache at ten million answers). Not capped by default: with 2 GB the Bottlenecks page
# ran out of memory at ten million answers (it still reads every rating of the filter; see README).


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
    if os.environ.get("CXLENS_DUCKDB_MEMORY"):
        con.execute("set memory_limit = ?", [os.environ["CXLENS_DUCKDB_MEMORY"]])
    return con


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


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        fetch_scalar(
            con,
            "select count(*) from information_schema.tables where table_name = ?",
            [name],
        )
    )
