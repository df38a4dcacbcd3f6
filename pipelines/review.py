"""What an analyst reviews before a load: the rows as they will be stored, the rejected rows as a
file to fix, the problems summed up, and which required columns the mapping still lacks.

Nothing here writes to the warehouse; the preview only runs the load's own SELECT (personal-data
masking and column types included) on the first good rows, so "as stored" is not a second guess.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.service_model import ServiceModel
from app.warehouse.connection import query
from app.warehouse.schema import DUCKDB_TYPES
from pipelines.load import _personal_data_sql  # the masking the insert applies, reused verbatim
from pipelines.personal_data import needs_key, warehouse_key
from pipelines.readers import ReadResult
from pipelines.sources import SourceSpec, source_spec
from pipelines.validate import ValidationResult

PERSONAL_SURVEY_COLUMNS = ("respondent_name", "email", "phone")
ROW_COLUMN = "row"  # the row number a person sees in the file (Excel row / text line)
PROBLEMS_COLUMN = "problems"


def stored_preview(
    con: duckdb.DuckDBPyConnection, model: ServiceModel, validation: ValidationResult, limit: int = 20
) -> pl.DataFrame:
    """The first `limit` good rows exactly as the load will store them (types, masking), with `row`."""
    good = validation.good
    if good.is_empty():
        return pl.DataFrame()
    spec = source_spec(validation.source, model)
    key = warehouse_key(con) if needs_key(model, validation.source) else None
    select = [f"source_row as {ROW_COLUMN}"]
    for column in (c for c in good.columns if c != "source_row"):
        expression = column
        if validation.source == "surveys" and column in PERSONAL_SURVEY_COLUMNS:
            expression = _personal_data_sql(model, column, key)
        select.append(f"cast({expression} as {DUCKDB_TYPES[spec.column(column).kind]}) as {column}")
    cursor = con.cursor()
    try:
        cursor.register("_preview_rows", good.head(limit))
        return query(cursor, f"select {', '.join(select)} from _preview_rows order by source_row")
    finally:
        cursor.close()


def rejected_rows(read: ReadResult, problems: pl.DataFrame) -> pl.DataFrame:
    """The file's rows that will be left out, as they were in the file, each with its problems.

    Columns: `row` (file row), `problems` ("nps: between 0 and 10; client_id: …"), then the file's
    own columns under their original headers, so the analyst can fix them and upload again.
    """
    per_row = (
        problems.filter(pl.col("row").is_not_null())
        .group_by(pl.col("row").alias(ROW_COLUMN), maintain_order=True)
        .agg(pl.format("{}: {}", pl.col("column"), pl.col("expected")).str.join("; ").alias(PROBLEMS_COLUMN))
    )
    if per_row.is_empty():
        return pl.DataFrame(
            schema={ROW_COLUMN: pl.Int64, PROBLEMS_COLUMN: pl.String}
            | {h: pl.String for h in _original_names(read)}
        )
    original = read.frame.with_row_index(ROW_COLUMN, offset=read.header_row + 1).with_columns(
        pl.col(ROW_COLUMN).cast(pl.Int64)
    )
    original = original.rename(dict(zip(read.frame.columns, _original_names(read), strict=True)))
    return per_row.join(original, on=ROW_COLUMN, how="inner").sort(ROW_COLUMN)


def _original_names(read: ReadResult) -> list[str]:
    """Original headers, made unique and non-empty (and never clashing with `row` / `problems`)."""
    names: list[str] = []
    for normalised, original in zip(read.frame.columns, read.original_headers, strict=True):
        name = original.strip() or normalised
        while name in names or name in (ROW_COLUMN, PROBLEMS_COLUMN):
            name = f"{name} ({normalised})"
        names.append(name)
    return names


def problem_summary(problems: pl.DataFrame) -> pl.DataFrame:
    """One line per kind of problem: column, expected, rows affected, first row, example values."""
    schema = {
        "column": pl.String,
        "expected": pl.String,
        "n_rows": pl.UInt32,
        "first_row": pl.Int64,
        "examples": pl.String,
    }
    if problems.is_empty():
        return pl.DataFrame(schema=schema)
    return (
        problems.group_by("column", "expected", maintain_order=True)
        .agg(
            pl.col("row").n_unique().alias("n_rows"),
            pl.col("row").min().alias("first_row"),
            pl.col("value").drop_nulls().unique(maintain_order=True).head(3).str.join(", ").alias("examples"),
        )
        .sort(["n_rows", "first_row"], descending=[True, False], nulls_last=False)
        .select(list(schema))
    )


def missing_required(spec: SourceSpec, mapping: dict[str, str | None]) -> list[str]:
    """Required columns of the format that no header is mapped to, in the format's order."""
    mapped = {c for c in mapping.values() if c}
    return [c for c in spec.required if c not in mapped]


def sample_values(read: ReadResult, header: str, n: int = 3) -> str:
    """A few distinct non-empty values of one column, to recognise it by."""
    values = read.frame.get_column(header).drop_nulls().unique(maintain_order=True).head(n).to_list()
    return ", ".join(v if len(v) <= 30 else v[:29] + "…" for v in values)


def mapping_to_save(mapping: dict[str, str | None], saved: dict[str, str]) -> dict[str, str | None]:
    """What to remember for the source: every header that is not already its column's own name, and
    None for a saved header the analyst has now left unmapped (or mapped to its own name)."""
    changes: dict[str, str | None] = {h: c for h, c in mapping.items() if c and c != h and saved.get(h) != c}
    changes |= {h: None for h, c in mapping.items() if h in saved and (not c or c == h)}
    return changes
