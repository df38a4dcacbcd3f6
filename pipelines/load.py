"""Loading batches: one DuckDB transaction per file, archived original, idempotent, reversible.

A batch either lands whole (raw rows, batch record, rebuilt marts, new data version) or not at all;
a rejected or failed file leaves the warehouse as it was.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl

from app.service_model import ServiceModel
from app.warehouse.connection import fetch_scalar, query, write_transaction
from app.warehouse.models import SurveyBatchChange, rebuild_models
from app.warehouse.schema import bump_data_version, ensure_schema
from pipelines.archive import archive_bytes
from pipelines.follow_ups import after_rebuild
from pipelines.mapping import apply_mapping, load_saved_mapping, model_synonyms, suggest_mapping
from pipelines.personal_data import (
    PersonalDataKey,
    PersonalDataKeyError,
    needs_key,
    record_key,
    warehouse_key,
)
from pipelines.readers import ReadError, ReadResult, read_table
from pipelines.sources import source_spec
from pipelines.validate import ValidationResult, empty_problems, file_problem, validate_frame

ProgressFn = Callable[[float, str], None]
Status = Literal["loaded", "already_loaded", "rejected", "failed"]


@dataclass
class LoadResult:
    file_name: str
    source: str
    status: Status
    message: str
    batch_id: int | None = None
    rows_in: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    problems: pl.DataFrame = field(default_factory=empty_problems)
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("loaded", "already_loaded")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _no_progress(fraction: float, message: str) -> None:
    return None


def find_loaded_batch(con: duckdb.DuckDBPyConnection, source: str, sha256: str) -> tuple | None:
    rows = con.execute(
        "select batch_id, loaded_at from batches where source = ? and sha256 = ? and status = 'loaded'",
        [source, sha256],
    ).fetchall()
    return rows[0] if rows else None


def prepare(con: duckdb.DuckDBPyConnection | None, model: ServiceModel, source: str, data: bytes,
            file_name: str, mapping: dict[str, str | None] | None = None,
            encoding: str | None = None, separator: str | None = None,
            known_clients: set[str] | None = None) -> ValidationResult:
    """Read, map and validate a file without writing anything."""
    source_spec(source, model)  # an unknown source is a bug: raise before reading
    try:
        read = read_table(data, file_name, encoding=encoding, separator=separator)
    except ReadError as exc:
        return ValidationResult(file_name, source, 0, pl.DataFrame(), file_problem(file_name, exc.message), True)
    return prepare_read(con, model, source, read, mapping, known_clients)


def prepare_read(con: duckdb.DuckDBPyConnection | None, model: ServiceModel, source: str, read: ReadResult,
                 mapping: dict[str, str | None] | None = None,
                 known_clients: set[str] | None = None) -> ValidationResult:
    """Map and validate a table already read: the Data page reads a file once and validates it again
    each time the analyst changes the mapping or the source type."""
    spec = source_spec(source, model)
    file_name = read.file_name
    mapping = resolve_mapping(con, model, source, read.frame.columns, mapping)
    frame = apply_mapping(read.frame, mapping)
    result = validate_frame(frame, read.header_row, file_name, spec, model, con, known_clients)
    result.read, result.mapping = read, mapping  # for the archive's masked copy (pipelines/archive.py)
    original = dict(zip(read.frame.columns, read.original_headers, strict=False))
    renamed = [f"«{original.get(h, h)}» → {c}" for h, c in mapping.items() if c and c != h]
    if renamed:
        result.notices.insert(0, f"{file_name}: columns mapped: " + ", ".join(renamed))
    return result


def resolve_mapping(con: duckdb.DuckDBPyConnection | None, model: ServiceModel, source: str,
                    headers: list[str], explicit: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """Header → canonical column: the caller's choice, then the saved mapping, then suggestions."""
    spec = source_spec(source, model)
    saved = load_saved_mapping(con, source) if con is not None else {}
    chosen = {h: c for h, c in {**saved, **(explicit or {})}.items() if h in headers}
    open_headers = [h for h in headers if h not in chosen]
    free = [c for c in spec.column_names if c not in chosen.values()]
    suggested = suggest_mapping(open_headers, free, model_synonyms(model))
    return {**suggested, **chosen}


def _personal_data_sql(model: ServiceModel, column: str, key: PersonalDataKey | None = None) -> str:
    """How a respondent column is stored; `hash` is keyed with the warehouse's secret (`key`,
    from pipelines.personal_data.warehouse_key), so it cannot be reversed by a dictionary."""
    policy = getattr(model.settings.personal_data, column)
    if policy == "keep":
        return column
    if policy == "drop":
        return "null::varchar"
    if policy == "hash":
        if key is None:
            raise ValueError(f"hashing {column} needs the warehouse's personal-data key")
        return key.hash_sql(column)
    if column == "email":
        return rf"regexp_replace({column}, '^(.)[^@]*@', '\1***@')"
    if column == "phone":
        return f"case when {column} is null then null else '***' || right(regexp_replace({column}, '\\D', '', 'g'), 2) end"
    # RE2's \w is ASCII-only; \pL keeps Cyrillic names masked too.
    return rf"regexp_replace({column}, '(\pL)[\pL\pN''\-]*', '\1***', 'g')"


def _insert_sql(model: ServiceModel, source: str, columns: list[str], key: PersonalDataKey | None = None) -> str:
    spec = source_spec(source, model)
    select = []
    for column in columns:
        if source == "surveys" and column in ("respondent_name", "email", "phone"):
            select.append(f"{_personal_data_sql(model, column, key)} as {column}")
        else:
            select.append(column)
    return (
        f"insert into {spec.table} (batch_id, source_row, {', '.join(columns)}) "
        f"select $batch_id, source_row, {', '.join(select)} from _incoming"
    )


def _archive(archive_dir: Path, batch_id: int, sha: str, file_name: str, data: bytes | None) -> Path | None:
    if data is None:  # a survey file that could not be masked is not archived (pipelines/archive.py)
        return None
    archive_dir.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.\-]+", "_", Path(file_name).name) or "upload"
    path = archive_dir / f"{batch_id:05d}_{sha[:12]}_{safe}"
    path.write_bytes(data)
    return path


def write_batch(con: duckdb.DuckDBPyConnection, model: ServiceModel, validation: ValidationResult,
                data: bytes, archive_dir: Path, progress: ProgressFn = _no_progress) -> LoadResult:
    """Write the validated good rows as one batch, in one transaction with the mart rebuild."""
    sha = sha256_of(data)
    good = validation.good
    columns = [c for c in good.columns if c != "source_row"]
    key = warehouse_key(con) if needs_key(model, validation.source) else None
    to_archive = archive_bytes(con, model, validation, data, key)  # sha stays that of `data`
    archived: Path | None = None
    try:
        with write_transaction(con):
            batch_id = int(fetch_scalar(con, "select coalesce(max(batch_id), 0) + 1 from batches"))
            archived = _archive(archive_dir, batch_id, sha, validation.file_name, to_archive)
            if key is not None:
                record_key(con, key)
            con.execute(
                "insert into batches values (?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), ?, 'loaded', null)",
                [batch_id, validation.source, validation.file_name, sha, validation.rows_in, good.height,
                 validation.rows_in - good.height, str(archived) if archived else None],
            )
            progress(0.55, f"Writing {good.height:,} rows")
            con.register("_incoming", good)
            try:
                con.execute(_insert_sql(model, validation.source, columns, key), {"batch_id": batch_id})
            finally:
                con.unregister("_incoming")
            progress(0.75, "Rebuilding the marts")
            change = SurveyBatchChange(batch_id, "append") if validation.source == "surveys" else None
            rebuild_models(con, model, changed={validation.source}, survey_change=change)
            after_rebuild(con, model, {validation.source}, change)  # detractor answers open follow-up cases
            bump_data_version(con, f"load batch {batch_id}")
    except BaseException:
        if archived is not None:
            archived.unlink(missing_ok=True)
        raise
    progress(1.0, "Loaded")
    rejected = validation.rows_in - good.height
    message = f"{validation.file_name}: loaded {good.height:,} rows as batch {batch_id}"
    if rejected:
        message += f"; {rejected:,} rows with problems were left out"
    return LoadResult(validation.file_name, validation.source, "loaded", message, batch_id,
                      validation.rows_in, good.height, rejected, validation.problems, validation.notices)


def load_file(con: duckdb.DuckDBPyConnection, model: ServiceModel, source: str, data: bytes | Path,
              file_name: str | None = None, *, archive_dir: Path, accept_good_rows: bool = False,
              mapping: dict[str, str | None] | None = None, encoding: str | None = None,
              separator: str | None = None, progress: ProgressFn = _no_progress) -> LoadResult:
    """Read → map → validate → write one file. Never raises for bad data; see LoadResult.status."""
    if isinstance(data, Path):
        file_name = file_name or data.name
        data = data.read_bytes()
    file_name = file_name or "upload"
    ensure_schema(con, model)
    sha = sha256_of(data)
    existing = find_loaded_batch(con, source, sha)
    if existing:
        return LoadResult(file_name, source, "already_loaded",
                          f"{file_name} is already loaded as batch {existing[0]} "
                          f"({existing[1]:%Y-%m-%d %H:%M}); nothing changed", existing[0])
    progress(0.05, f"Reading {file_name}")
    validation = prepare(con, model, source, data, file_name, mapping, encoding, separator)
    progress(0.4, "Validated")
    base = dict(rows_in=validation.rows_in, problems=validation.problems, notices=validation.notices)
    if validation.fatal:
        return LoadResult(file_name, source, "rejected", f"{file_name} was rejected: "
                          + "; ".join(validation.problems["expected"].to_list()), **base)
    n_bad = validation.n_bad_rows
    if validation.good.height == 0:
        return LoadResult(file_name, source, "rejected",
                          f"{file_name} was rejected: none of its {validation.rows_in:,} rows is valid",
                          rows_rejected=validation.rows_in, **base)
    if n_bad and not accept_good_rows:
        return LoadResult(file_name, source, "rejected",
                          f"{file_name} was rejected: {n_bad:,} of {validation.rows_in:,} rows have "
                          f"problems ({validation.problems.height:,} in all); nothing was written",
                          rows_rejected=n_bad, **base)
    try:
        return write_batch(con, model, validation, data, archive_dir, progress)
    except (duckdb.Error, PersonalDataKeyError) as exc:
        return LoadResult(file_name, source, "failed",
                          f"{file_name} could not be written ({str(exc).splitlines()[0]}); "
                          "the warehouse is unchanged", **base)


def rollback_batch(con: duckdb.DuckDBPyConnection, model: ServiceModel, batch_id: int) -> str:
    """Remove every row of a batch and rebuild the marts, in one transaction."""
    rows = con.execute("select source, file_name, status from batches where batch_id = ?", [batch_id]).fetchall()
    if not rows:
        raise LookupError(f"there is no batch {batch_id}")
    source, file_name, status = rows[0]
    if status != "loaded":
        raise LookupError(f"batch {batch_id} ({file_name}) is already rolled back")
    table = source_spec(source, model).table
    with write_transaction(con):
        removed = fetch_scalar(con, f"select count(*) from {table} where batch_id = ?", [batch_id])
        con.execute(f"delete from {table} where batch_id = ?", [batch_id])
        con.execute(
            "update batches set status = 'rolled_back', rolled_back_at = current_localtimestamp() "
            "where batch_id = ?", [batch_id],
        )
        change = SurveyBatchChange(batch_id, "remove") if source == "surveys" else None
        rebuild_models(con, model, changed={source}, survey_change=change)
        after_rebuild(con, model, {source}, change)  # withdraws the untouched cases of removed answers
        bump_data_version(con, f"rollback batch {batch_id}")
    return f"batch {batch_id} ({file_name}, {source}) rolled back: {removed:,} rows removed"


def rebuild(con: duckdb.DuckDBPyConnection, model: ServiceModel) -> None:
    ensure_schema(con, model)
    with write_transaction(con):
        rebuild_models(con, model)
        after_rebuild(con, model, None)
        bump_data_version(con, "rebuild")


def list_batches(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return query(
        con,
        "select batch_id, source, file_name, rows_in, rows_accepted, rows_rejected, loaded_at, status, "
        "rolled_back_at, sha256, archive_path from batches order by batch_id",
    )


def loaded_at_text(value: datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"
