"""Raw tables mirror the import formats (plus batch_id and source_row); created from the model.

The survey and client formats grow columns with the service model, so a model that adds a
touchpoint adds its column to an existing warehouse (ALTER TABLE … ADD COLUMN) instead of failing.
"""

from __future__ import annotations

import duckdb

from app.service_model import ServiceModel
from app.warehouse.storylines import ensure_storyline_schema
from app.warehouse.voc_schema import ensure_voc_schema
from pipelines.sources import SOURCES, source_spec

DUCKDB_TYPES = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "int": "INTEGER",
    "float": "DOUBLE",
    "datetime": "TIMESTAMP",
    "period": "VARCHAR",
}

BATCHES_DDL = """
create table if not exists batches (
    batch_id integer primary key,
    source varchar not null,
    file_name varchar not null,
    sha256 varchar not null,
    rows_in integer not null,
    rows_accepted integer not null,
    rows_rejected integer not null,
    loaded_at timestamp not null,
    archive_path varchar,
    status varchar not null,          -- loaded | rolled_back
    rolled_back_at timestamp
);
create table if not exists data_changes (
    version integer primary key,
    changed_at timestamp not null,
    reason varchar not null
);
create or replace macro quarter_of(ts) as
    cast(year(ts) as varchar) || '-Q' || cast(quarter(ts) as varchar);
"""


def _existing_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}


def ensure_schema(con: duckdb.DuckDBPyConnection, model: ServiceModel) -> None:
    """Create what is missing; never drops or rewrites existing data."""
    con.execute(BATCHES_DDL)
    ensure_storyline_schema(con)  # user content (saved views), not rebuilt with the marts
    ensure_voc_schema(con)  # topics and follow-up cases: kept across loads, not rebuilt with the marts
    for source in SOURCES:
        spec = source_spec(source, model)
        existing = _existing_columns(con, spec.table)
        if not existing:
            cols = ",\n    ".join(f"{c.name} {DUCKDB_TYPES[c.kind]}" for c in spec.columns)
            con.execute(
                f"create table {spec.table} (\n    batch_id integer not null,\n"
                f"    source_row integer not null,\n    {cols}\n)"
            )
            continue
        for column in spec.columns:
            if column.name not in existing:
                con.execute(
                    f"alter table {spec.table} add column {column.name} {DUCKDB_TYPES[column.kind]}"
                )


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Grows with every load, rollback and rebuild; caches key on it."""
    return int(con.execute("select coalesce(max(version), 0) from data_changes").fetchall()[0][0])


def bump_data_version(con: duckdb.DuckDBPyConnection, reason: str) -> int:
    version = data_version(con) + 1
    con.execute(
        "insert into data_changes values (?, current_localtimestamp(), ?)", [version, reason]
    )
    return version
