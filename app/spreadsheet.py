"""Tables leave the app as CSV and XLSX through here, and only through here.

Survey comments and client names are typed by outsiders. A cell that starts with = + - @ (or a tab
or carriage return) is run as a formula by Excel and LibreOffice ("CSV injection"), so every text
cell that would be read that way is prefixed with an apostrophe before it is written. Numbers stay
numbers: a negative NPS is a number column, not a string starting with "-".
"""

from __future__ import annotations

import io

import polars as pl

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str | None) -> str | None:
    """One cell: prefix an apostrophe when a spreadsheet would treat the text as a formula."""
    if value is None or not value.startswith(FORMULA_TRIGGERS):
        return value
    return "'" + value


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of the frame made safe to open in a spreadsheet; other columns unchanged."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical)]
    if not text_columns:
        return frame
    pattern = "^[" + "".join("\\" + c if c in "-^]\\" else c for c in FORMULA_TRIGGERS) + "]"
    return frame.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(pattern))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text_columns
    )


def _flatten_nested(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs have no spreadsheet cell type: write them as readable text."""
    nested = [n for n, t in frame.schema.items() if isinstance(t, pl.List | pl.Array | pl.Struct)]
    if not nested:
        return frame
    return frame.with_columns(
        pl.col(n).map_elements(str, return_dtype=pl.String) for n in nested
    )


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Cyrillic correctly by double-click."""
    safe = neutralise_formulas(_flatten_nested(frame))
    return b"\xef\xbb\xbf" + safe.write_csv().encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet_name: str = "data") -> bytes:
    """An XLSX workbook with one sheet, formula-safe, with autofit columns."""
    buffer = io.BytesIO()
    safe = neutralise_formulas(_flatten_nested(frame))
    safe.write_excel(buffer, worksheet=sheet_name[:31], autofit=True, autofilter=False)
    return buffer.getvalue()
