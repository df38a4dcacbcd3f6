"""Tables leave the app as CSV and XLSX through here, and only through here.

Survey comments and client names are typed by outsiders. A cell that starts with = + - @ (or a tab
or carriage return) is run as a formula by Excel and LibreOffice ("CSV injection"), so every text
cell that would be read that way is prefixed with an apostrophe before it is written. Some
spreadsheets trim leading spaces on import, so " =cmd" counts too. Column names get the same
treatment (a pivot may turn client names into headers). Numbers stay numbers: a negative NPS is a
number column, not a string starting with "-". The XLSX writer is also told never to turn text
into formulas, numbers or links, so a cell is what the frame holds even if a value slips through.
tests/unit/test_spreadsheet*.py check both, and test_download_paths.py that every CSV/XLSX download
in the app comes from here.
"""
from __future__ import annotations

import io
import re

import polars as pl
import xlsxwriter

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_PATTERN = r"^(?:[\t\r]|[ \n\u00a0]*[=+\-@])"
_TRIGGER = re.compile(_TRIGGER_PATTERN)


def neutralise_formula(value: str | None) -> str | None:
    """One cell: prefix an apostrophe when a spreadsheet would treat the text as a formula."""
    if value is None or not _TRIGGER.match(value):
        return value
    return "'" + value


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column and every column name made safe to open in a spreadsheet; numbers unchanged."""
    text_columns = [name for name, dtype in frame.schema.items() if _is_text(dtype)]
    if text_columns:
        frame = frame.with_columns(
            pl.when(pl.col(name).cast(pl.String).str.contains(_TRIGGER_PATTERN))
            .then(pl.lit("'") + pl.col(name).cast(pl.String))
            .otherwise(pl.col(name).cast(pl.String))
            .alias(name)
            for name in text_columns
        )
    renamed = {name: neutralise_formula(name) for name in frame.columns if neutralise_formula(name) != name}
    return frame.rename(renamed) if renamed else frame


def _flatten_nested(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs have no spreadsheet cell type: write them as readable text
    ("a; b; c" for a list, JSON for a struct), which is then escaped like any other text."""
    expressions = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List | pl.Array):
            column = pl.col(name).arr.to_list() if isinstance(dtype, pl.Array) else pl.col(name)
            expressions.append(column.list.eval(pl.element().cast(pl.String)).list.join("; ").alias(name))
        elif isinstance(dtype, pl.Struct):
            expressions.append(pl.col(name).struct.json_encode().alias(name))
    return frame.with_columns(expressions) if expressions else frame


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Cyrillic correctly by double-click."""
    safe = neutralise_formulas(_flatten_nested(frame))
    return b"\xef\xbb\xbf" + safe.write_csv().encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet_name: str = "data") -> bytes:
    """An XLSX workbook with one sheet, formula-safe, with autofit columns."""
    buffer = io.BytesIO()
    safe = neutralise_formulas(_flatten_nested(frame))
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "in_memory": True})
    safe.write_excel(workbook, worksheet=_sheet_title(sheet_name), autofit=True, autofilter=False)
    workbook.close()
    return buffer.getvalue()


def _sheet_title(name: str) -> str:
    """Excel refuses sheet names over 31 characters or with []:*?/\\ in them."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31]
    return cleaned or "data"
