"""What the load keeps of an uploaded file in the archive (CXLENS_ARCHIVE, default data/archive/).

By default (`settings.personal_data.archive: masked` in the service model) the archive holds the
file with its respondent name, e-mail and phone columns stored the way the warehouse stores them —
masked, keyed-hashed, emptied or kept per column, by the very SQL the load's INSERT uses — so the
archive is no easier a source of personal data than the warehouse. Everything else stays as read:
all rows (rejected ones too), all columns under their original headers, the same format (CSV in
UTF-8 with the file's separator, or a one-sheet XLSX of text cells), so the copy can be loaded
again. The batch's sha256 remains that of the ORIGINAL bytes: "the same file again" is still
recognised, whatever the archive holds.

`archive: original` keeps the upload byte for byte, for companies that must retain exactly what
they received; protect the folder accordingly. Other sources (clients, orders, tickets, …) carry no
respondent contacts and are archived as uploaded.

A survey file whose parsed table is not at hand (a caller that did not go through prepare_read) is
NOT archived rather than archived unmasked: fail closed.
"""

from __future__ import annotations

import csv
import io

import duckdb
import polars as pl
import xlsxwriter

from app.service_model import ServiceModel
from app.warehouse.connection import query
from pipelines.personal_data import PERSONAL_COLUMNS, PersonalDataKey
from pipelines.validate import ValidationResult

_VIEW = "_archive_personal"
_ROW = "_archive_row"


def personal_headers(validation: ValidationResult) -> dict[str, str]:
    """Column of the parsed file → the personal-data column it was mapped to."""
    read = validation.read
    columns = set(read.frame.columns) if read is not None else set()
    return {h: c for h, c in (validation.mapping or {}).items() if c in PERSONAL_COLUMNS and h in columns}


def archive_bytes(con: duckdb.DuckDBPyConnection, model: ServiceModel, validation: ValidationResult,
                  data: bytes, key: PersonalDataKey | None) -> bytes | None:
    """The bytes to archive for this upload, or None when it must not be archived (see above)."""
    settings = model.settings.personal_data
    if validation.source != "surveys" or settings.archive == "original":
        return data
    if all(getattr(settings, c) == "keep" for c in PERSONAL_COLUMNS):
        return data
    if validation.read is None:
        return None
    personal = personal_headers(validation)
    if not personal:
        return data  # no column of the file was taken for a name, e-mail or phone
    masked = _masked_frame(con, model, validation.read.frame, personal, key)
    if validation.read.encoding == "xlsx":
        return _xlsx(masked, validation.read.original_headers)
    return _csv(masked, validation.read.original_headers, validation.read.separator or ",")


def _masked_frame(con: duckdb.DuckDBPyConnection, model: ServiceModel, frame: pl.DataFrame,
                  personal: dict[str, str], key: PersonalDataKey | None) -> pl.DataFrame:
    from pipelines.load import _personal_data_sql  # the INSERT's own expressions

    contacts = frame.select(pl.col(h).alias(c) for h, c in personal.items()).with_row_index(_ROW)
    select = ", ".join(f"cast({_personal_data_sql(model, c, key)} as varchar) as {c}" for c in personal.values())
    con.register(_VIEW, contacts)
    try:
        masked = query(con, f"select {select} from {_VIEW} order by {_ROW}")
    finally:
        con.unregister(_VIEW)
    return frame.with_columns(masked[c].alias(h) for h, c in personal.items())


def _csv(frame: pl.DataFrame, headers: list[str], separator: str) -> bytes:
    head = io.StringIO()
    csv.writer(head, delimiter=separator, lineterminator="\n").writerow(headers)
    body = frame.write_csv(separator=separator, include_header=False, line_terminator="\n")
    return ("\ufeff" + head.getvalue() + body).encode("utf-8")  # BOM: Excel opens Cyrillic right


def _xlsx(frame: pl.DataFrame, headers: list[str]) -> bytes:
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
               "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as workbook:
        sheet = workbook.add_worksheet("data")
        sheet.write_row(0, 0, headers)
        for r, row in enumerate(frame.iter_rows(), start=1):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write_string(r, c, value)
    return buffer.getvalue()
