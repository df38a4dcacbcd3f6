"""Validation before anything is written: every problem as a row (file, row, column, value, expected).

All checks are vectorised Polars expressions over the all-string frame the readers return, so a
million-row file validates in about a second. Exceptions are for bugs; bad data is data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from app.service_model import ServiceModel
from app.warehouse.connection import query
from pipelines.sources import Column, SourceSpec

if TYPE_CHECKING:
    from pipelines.readers import ReadResult

PROBLEM_SCHEMA = {
    "file": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "expected": pl.String,
}
ROW = "__row"  # the row number a person sees in the file (Excel row / text line)

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
)
EXPECTED_DATE = "a date such as 2025-03-31, 2025-03-31 14:30, 31.03.2025 or 31.03.2025 14:30"


@dataclass
class ValidationResult:
    file_name: str
    source: str
    rows_in: int
    good: pl.DataFrame  # typed canonical columns plus source_row, only rows without problems
    problems: pl.DataFrame
    fatal: bool  # the file as a whole cannot load (missing columns, no rows)
    notices: list[str] = field(default_factory=list)
    # The table as read and its header → column mapping, set by load.prepare_read: the archive
    # writes its masked copy from them (pipelines/archive.py).
    read: ReadResult | None = None
    mapping: dict[str, str | None] | None = None

    @property
    def n_bad_rows(self) -> int:
        rows = self.problems.filter(pl.col("row").is_not_null())["row"]
        return rows.n_unique()


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def file_problem(file_name: str, message: str, column: str | None = None) -> pl.DataFrame:
    return pl.DataFrame(
        [{"file": file_name, "row": None, "column": column, "value": None, "expected": message}],
        schema=PROBLEM_SCHEMA,
    )


def parse_numbers(text: pl.Series) -> pl.Series:
    """Cast straight away; clean only cells that failed: '1 234,56' / '1\u00a0234,5' → 1234.56.

    Decimal commas and 1C thousands spaces are rare per column, so most columns take one pass.
    """
    direct = text.cast(pl.Float64, strict=False)
    failed = direct.is_null() & text.is_not_null()
    if not failed.any():
        return direct
    cleaned = (
        text.filter(failed)
        .str.replace_all(r"[\s\u00a0\u202f]", "")
        .str.replace(",", ".", literal=True)
        .cast(pl.Float64, strict=False)
    )
    return direct.scatter(failed.arg_true(), cleaned)


def parse_datetimes(text: pl.Series) -> pl.Series:
    """Parse with the first format that fits, then retry only what is left with the others.

    An export uses one format per column, so this is one pass instead of one per format.
    """
    text = text.str.strip_chars()
    result = pl.Series(text.name, [None] * len(text), dtype=pl.Datetime("us"))
    for fmt in DATETIME_FORMATS:
        todo = result.is_null() & text.is_not_null()
        if not todo.any():
            break
        if todo.all() or todo.sum() > len(text) // 2:
            parsed = text.str.strptime(pl.Datetime("us"), fmt, strict=False)
        else:
            parsed = pl.Series(text.name, [None] * len(text), dtype=pl.Datetime("us")).scatter(
                todo.arg_true(), text.filter(todo).str.strptime(pl.Datetime("us"), fmt, strict=False)
            )
        result = result.fill_null(parsed)
    return result


def _parse_period(col: str) -> pl.Expr:
    text = pl.col(col).str.to_uppercase().str.replace_all(r"\s", "")
    year_first = text.str.extract_groups(r"^(\d{4})-?Q([1-4])$")
    quarter_first = text.str.extract_groups(r"^Q([1-4])-?(\d{4})$")
    return pl.coalesce(
        [
            pl.concat_str([year_first.struct[0], pl.lit("-Q"), year_first.struct[1]]),
            pl.concat_str([quarter_first.struct[1], pl.lit("-Q"), quarter_first.struct[0]]),
        ]
    )


def _typed(column: Column) -> tuple[pl.Expr, str]:
    """Expression casting the string column, and what a person should have written."""
    name = column.name
    if column.kind in ("id", "text"):
        return pl.col(name), "text"
    number = pl.col(name).map_batches(parse_numbers, return_dtype=pl.Float64)
    if column.kind == "int":
        whole = pl.when(number == number.round(0)).then(number).otherwise(None)
        return whole.cast(pl.Int32, strict=False), "a whole number"
    if column.kind == "float":
        return number, "a number"
    if column.kind == "datetime":
        return pl.col(name).map_batches(parse_datetimes, return_dtype=pl.Datetime("us")), EXPECTED_DATE
    if column.kind == "period":
        return _parse_period(name), "a quarter such as 2025-Q1, 2025Q1 or Q1 2025"
    raise AssertionError(f"unknown column kind {column.kind}")


def allowed_values(model: ServiceModel, allowed: str) -> dict[str, str]:
    """Lower-cased id and labels → id, so 'Energy' or «Энергетика» map to 'energy'."""
    if allowed == "touchpoints":
        items = [(t.id, t.label) for t in model.touchpoints]
    elif allowed == "processes":
        items = [(p.id, p.name) for p in model.processes]
    elif allowed == "kpis":
        items = [(k.id, k.name) for k in model.kpis]
    else:
        items = [(o.id, o.label) for o in getattr(model.dimensions, allowed)]
    mapping: dict[str, str] = {}
    for item_id, label in items:
        for text in (item_id, label.en, label.ru):
            if text:
                mapping.setdefault(text.strip().lower(), item_id)
    return mapping


def _problem_rows(frame: pl.DataFrame, mask: pl.Expr, file_name: str, column: str,
                  value: pl.Expr, expected: pl.Expr | str) -> pl.DataFrame:
    expected_expr = pl.lit(expected) if isinstance(expected, str) else expected
    return frame.filter(mask).select(
        pl.lit(file_name).alias("file"),
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.lit(column).alias("column"),
        value.cast(pl.String).alias("value"),
        expected_expr.cast(pl.String).alias("expected"),
    )


class _Checker:
    """Collects problems column by column over one frame."""

    def __init__(self, frame: pl.DataFrame, file_name: str):
        self.frame = frame
        self.file_name = file_name
        self.parts: list[pl.DataFrame] = []

    def add(self, mask: pl.Expr, column: str, expected: pl.Expr | str, value: pl.Expr | None = None) -> None:
        value = pl.col(f"__raw_{column}") if value is None else value
        part = _problem_rows(self.frame, mask, self.file_name, column, value, expected)
        if part.height:
            self.parts.append(part)

    def problems(self) -> pl.DataFrame:
        if not self.parts:
            return empty_problems()
        return pl.concat(self.parts).sort(["row", "column"], nulls_last=False)


def _cast_and_check(frame: pl.DataFrame, spec: SourceSpec, model: ServiceModel,
                    checker_file: str, now: datetime) -> tuple[pl.DataFrame, _Checker]:
    present = [c for c in spec.columns if c.name in frame.columns]
    raw = frame.select([pl.col(ROW)] + [pl.col(c.name).alias(f"__raw_{c.name}") for c in present])
    typed_exprs = []
    expectations = {}
    for column in present:
        expr, expected = _typed(column)
        expectations[column.name] = expected
        if column.allowed:
            mapping = allowed_values(model, column.allowed)
            expr = pl.col(column.name).str.strip_chars().str.to_lowercase().replace_strict(
                mapping, default=None, return_dtype=pl.String
            )
            expectations[column.name] = "one of: " + ", ".join(sorted(set(mapping.values())))
        typed_exprs.append(expr.alias(column.name))
    typed = pl.concat([raw, frame.select(typed_exprs)], how="horizontal")
    check = _Checker(typed, checker_file)
    future_limit = now + timedelta(days=1)
    for column in present:
        name, raw_col = column.name, pl.col(f"__raw_{column.name}")
        if column.required:
            check.add(raw_col.is_null(), name, "a value (this column is required)", pl.lit(None))
        check.add(raw_col.is_not_null() & pl.col(name).is_null(), name, expectations[name])
        if column.min is not None or column.max is not None:
            lo = column.min if column.min is not None else float("-inf")
            hi = column.max if column.max is not None else float("inf")
            bounds = f"between {lo:g} and {hi:g}" if column.max is not None else f"at least {lo:g}"
            check.add(pl.col(name).is_not_null() & ~pl.col(name).is_between(lo, hi), name, bounds)
        if column.kind == "datetime" and not column.future_ok:
            check.add(pl.col(name) > future_limit, name, f"a date not in the future (today is {now:%Y-%m-%d})")
    for rule in spec.order_rules:
        if rule.earlier in typed.columns and rule.later in typed.columns:
            check.add(pl.col(rule.later) < pl.col(rule.earlier), rule.later,
                      f"not before {rule.earlier}")
    return typed, check


def _check_events(typed: pl.DataFrame, check: _Checker, model: ServiceModel) -> None:
    steps = {(p.id, s.activity) for p in model.processes for s in p.steps}
    known = pl.DataFrame(list(steps), schema={"process": pl.String, "activity": pl.String}, orient="row")
    if "activity" not in typed.columns or "process" not in typed.columns:
        return
    candidates = typed.filter(pl.col("process").is_not_null() & pl.col("__raw_activity").is_not_null())
    unknown = candidates.join(
        known.with_columns(pl.lit(True).alias("__known")),
        left_on=["process", "__raw_activity"], right_on=["process", "activity"], how="left",
    ).filter(pl.col("__known").is_null())
    if unknown.height:
        check.parts.append(
            unknown.select(
                pl.lit(check.file_name).alias("file"),
                pl.col(ROW).cast(pl.Int64).alias("row"),
                pl.lit("activity").alias("column"),
                pl.col("__raw_activity").alias("value"),
                pl.format("a step of process '{}' in the service model", pl.col("process")).alias("expected"),
            )
        )


def _check_keys(typed: pl.DataFrame, check: _Checker, spec: SourceSpec,
                con: duckdb.DuckDBPyConnection | None) -> None:
    key = [k for k in spec.key if k in typed.columns]
    if len(key) != len(spec.key):
        return
    label = " + ".join(key)
    value = pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" / ", ignore_nulls=True)
    # Hashing for any duplicate is cheap; finding each duplicate's first row is not, so only then.
    if typed.select(pl.struct(key).is_duplicated().any()).item():
        required_present = pl.all_horizontal([pl.col(k).is_not_null() for k in key if spec.column(k).required])
        duplicates = typed.with_columns(pl.col(ROW).min().over(key).alias("__first_row")).filter(
            required_present & (pl.col(ROW) != pl.col("__first_row"))
        )
        if duplicates.height:
            expected = pl.format(f"a unique {label}; the same value is on row {{}}", pl.col("__first_row"))
            check.parts.append(_problem_rows(duplicates, pl.lit(True), check.file_name, key[0], value, expected))
    if con is None or not spec.key_is_unique_in_warehouse:
        return
    keys = typed.select([pl.col(ROW)] + key).filter(pl.all_horizontal([pl.col(k).is_not_null() for k in key]))
    con.register("_incoming_keys", keys)
    try:
        join = " and ".join(f"w.{k} = i.{k}" for k in key)
        existing = query(con, f"select i.{ROW}, w.batch_id from _incoming_keys i join {spec.table} w on {join}")
    finally:
        con.unregister("_incoming_keys")
    if existing.height:
        hits = typed.join(existing, on=ROW)
        expected = pl.format(f"a {label} not loaded before; it is already in batch {{}}", pl.col("batch_id"))
        check.parts.append(_problem_rows(hits, pl.lit(True), check.file_name, key[0], value, expected))


def _check_clients(typed: pl.DataFrame, check: _Checker, spec: SourceSpec,
                   con: duckdb.DuckDBPyConnection | None, known_clients: set[str] | None) -> None:
    column = spec.client_column
    if column is None or column not in typed.columns:
        return
    clients: set[str] = set(known_clients or set())
    if con is not None:
        clients |= {r[0] for r in con.execute("select distinct client_id from raw_clients").fetchall()}
    mask = pl.col(column).is_not_null() & ~pl.col(column).is_in(list(clients))
    check.add(mask, column, "a client_id from the client list (load or update the clients first)")


def validate_frame(frame: pl.DataFrame, header_row: int, file_name: str, spec: SourceSpec,
                   model: ServiceModel, con: duckdb.DuckDBPyConnection | None = None,
                   known_clients: set[str] | None = None, now: datetime | None = None) -> ValidationResult:
    """Check an all-string frame with canonical headers; returns typed good rows and problems."""
    now = now or datetime.now()
    rows_in = frame.height
    missing = [c for c in spec.required if c not in frame.columns]
    notices = []
    unknown = [c for c in frame.columns if c not in spec.column_names]
    if unknown:
        notices.append(f"{file_name}: columns not in the {spec.name} format were ignored: {', '.join(unknown)}")
    if missing:
        problems = pl.concat(
            [file_problem(file_name, f"a column '{c}' (required for {spec.name})", c) for c in missing]
        )
        return ValidationResult(file_name, spec.name, rows_in, pl.DataFrame(), problems, True, notices)
    if rows_in == 0:
        problems = file_problem(file_name, "at least one data row below the header (the file has none)")
        return ValidationResult(file_name, spec.name, 0, pl.DataFrame(), problems, True, notices)
    frame = frame.with_row_index(ROW, offset=header_row + 1)
    typed, check = _cast_and_check(frame, spec, model, file_name, now)
    if spec.name == "events":
        _check_events(typed, check, model)
    _check_keys(typed, check, spec, con)
    _check_clients(typed, check, spec, con, known_clients)
    problems = check.problems()
    bad_rows = problems["row"].drop_nulls().unique()
    present = [c.name for c in spec.columns if c.name in typed.columns]
    good = (
        typed.filter(~pl.col(ROW).is_in(bad_rows.implode()))
        .select([pl.col(ROW).cast(pl.Int32).alias("source_row")] + present)
    )
    return ValidationResult(file_name, spec.name, rows_in, good, problems, False, notices)
