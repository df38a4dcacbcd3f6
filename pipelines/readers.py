"""Read uploaded tables (CSV/TSV/TXT in UTF-8 or cp1251, XLSX/XLSM) into all-string Polars frames.

Every value stays a string (validation reports type errors per row); headers are normalised; values
keep their text verbatim (a leading `=`, `+`, `-` or `@` is kept) apart from surrounding whitespace,
and empty cells become null. Blank rows inside the data are kept as all-null rows, so row `i` of the
frame is row `header_row + 1 + i` of the file as Excel shows it (a text editor shows the same line
unless a quoted value spans several lines). Errors are `ReadError`s with one sentence for the user.

Encodings: UTF-8 (with or without BOM), else cp1251. cp1251 decodes almost any byte sequence, so
only some wrong encodings are detectable (bytes undefined in cp1251, UTF-8 with a broken byte, DOS
cp866); others (e.g. KOI8-R) read as garbled text: pass `encoding=` to override detection.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from pathlib import Path

import polars as pl

# fastexcel logs a warning for every all-empty column of the typed read; they are expected here.
logging.getLogger("fastexcel").setLevel(logging.ERROR)

SAMPLE_BYTES = 65536
HEADER_SEARCH_ROWS = 20
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx
_ZIP_MAGIC = b"PK\x03\x04"
_CONTROL = bytes([*range(0, 9), 0x0B, *range(0x0E, 0x20), 0x7F])
# High bytes in cp1251 that are not Cyrillic letters but common in Russian text (Ё ё № « » – — …).
_CP1251_USUAL = bytes([*range(0xC0, 0x100), 0xA0, 0xA8, 0xB8, 0xB9, 0xAB, 0xBB, 0x96, 0x97,
                       0x85, 0x84, 0x93, 0x94, 0x91, 0x92, 0xB0, 0xB1, 0x99, 0xA9, 0xAE, 0xA7])
_SEPARATORS = ("\t", ";", ",")  # preference on ties: tabs and semicolons rarely occur inside values
_SEP_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}


class ReadError(Exception):
    """The file cannot be read as a table; `message` is one sentence naming the file."""

    def __init__(self, file_name: str, message: str):
        super().__init__(message)
        self.file_name = file_name
        self.message = message


@dataclass(frozen=True)
class ReadResult:
    frame: pl.DataFrame  # all pl.String, normalised headers, empty -> null
    file_name: str
    encoding: str  # 'utf-8', 'utf-8-sig', 'cp1251' (or an explicit override), 'xlsx'
    separator: str | None  # None for xlsx
    header_row: int  # 1-based line (text) or row (xlsx) of the header
    original_headers: list[str]  # as in the file, one per frame column


def normalise_header(h: str) -> str:
    h = h.replace("\ufeff", "").strip().lower()
    h = re.sub(r"[\s.\-_]+", "_", h)  # \s covers NBSP and other Unicode spaces
    return h.strip("_")


def file_row_number(result: ReadResult, index: int) -> int:
    """Row number a user sees in Excel (and a text editor) for 0-based data row `index`."""
    return result.header_row + 1 + index


def read_table(data: bytes | Path, file_name: str | None = None, *, encoding: str | None = None,
               separator: str | None = None) -> ReadResult:
    """Read an upload (bytes, or a Path / path string) as a table of strings; see the module doc.

    `encoding` (any Python codec name) and `separator` override detection for text files.
    """
    if isinstance(data, (str, Path)):
        file_name = file_name or Path(data).name
        data = Path(data).read_bytes()
    name = file_name or "uploaded file"
    ext = Path(name).suffix.lower()
    if data.startswith(_OLE_MAGIC):
        raise ReadError(name, f"{name} is an old Excel 97–2003 (.xls) or password-protected workbook: "
                              "save it as XLSX or CSV (UTF-8) and upload it again.")
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, name)
    if ext in (".xlsx", ".xlsm") and data and not data.isspace():
        raise ReadError(name, f"{name} is not a valid XLSX workbook (it may be damaged or renamed): "
                              "save it again from Excel as XLSX or CSV.")
    return _read_text(data, name, encoding, separator)


# ---------------------------------------------------------------- text
def _read_text(data: bytes, name: str, encoding: str | None, separator: str | None) -> ReadResult:
    if not data or data.isspace():
        raise ReadError(name, f"{name} is empty: expected a header row followed by data rows.")
    sample = data[:SAMPLE_BYTES]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError(name, f"{name} is saved as UTF-16 (Excel's 'Unicode Text'): "
                              "save it as 'CSV UTF-8' or XLSX.")
    if b"\x00" in sample or len(sample) - len(sample.translate(None, _CONTROL)) > 0.05 * len(sample):
        raise ReadError(name, f"{name} is not a text table (it looks binary): "
                              "expected a CSV/TSV text file or an XLSX workbook.")
    enc = _codec_name(encoding, name) if encoding else _detect_encoding(data, sample, name)
    payload = data if enc in ("utf-8", "utf-8-sig") and not encoding else _to_utf8(data, enc, name)
    sample_text = codecs.getincrementaldecoder("utf-8-sig")("replace").decode(payload[:SAMPLE_BYTES])
    sep, header_line, raw_headers = _sniff(sample_text, separator, name)
    names = _unique_names(raw_headers, name)
    try:
        frame = pl.read_csv(payload, separator=sep, has_header=True, skip_lines=header_line - 1,
                            infer_schema=False, truncate_ragged_lines=False)
        if frame.width != len(names):
            raise pl.exceptions.ComputeError("header disagrees")
        frame.columns = names
    except pl.exceptions.ComputeError as exc:
        if "utf-8" in str(exc) and not encoding:  # valid UTF-8 at the start, not further on
            enc = _detect_encoding(data, data, name)
            return _read_text(data, name, enc, separator)
        text = payload.decode("utf-8-sig", errors="replace")
        frame = _parse_with_csv_module(text, sep, header_line, names, name)
    frame, headers = _finish(frame, raw_headers)
    return ReadResult(frame, name, enc, sep, header_line, headers)


def _codec_name(encoding: str, name: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ReadError(name, f"{name} cannot be read: '{encoding}' is not a known encoding.") from None


def _detect_encoding(data: bytes, sample: bytes, name: str) -> str:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) == len(data))
        return "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        pass
    high = sample.translate(None, bytes(range(128)))
    if data.startswith(codecs.BOM_UTF8) or b"\x98" in sample or \
            len(high.translate(None, _CP1251_USUAL)) > 0.25 * len(high):
        raise ReadError(name, f"{name} is neither UTF-8 nor Windows-1251 (cp1251) text: "
                              "save it as 'CSV UTF-8' or choose its encoding explicitly.")
    return "cp1251"


def _to_utf8(data: bytes, enc: str, name: str) -> bytes:
    try:
        return data.decode(enc).encode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReadError(name, f"{name} cannot be read as {enc}: line {line} has bytes that are not "
                              f"valid {enc}; choose another encoding or save it as 'CSV UTF-8'.") from None


def _records(text: str, sep: str):
    """(first physical line, fields) of each CSV record; blank lines give []."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    line = 0
    for fields in reader:
        yield line + 1, fields
        line = reader.line_num


def _sniff(text: str, separator: str | None, name: str) -> tuple[str, int, list[str]]:
    """Separator, header line and header fields; title lines (one filled field) are skipped."""
    best = None
    for rank, sep in enumerate([separator] if separator else _SEPARATORS):
        try:
            filled = ((ln, f) for ln, f in _records(text, sep) if any(x.strip() for x in f))
            recs = list(islice(filled, HEADER_SEARCH_ROWS))
        except csv.Error:
            continue
        if not recs:
            continue
        h = next((i for i, (_, f) in enumerate(recs) if sum(bool(x.strip()) for x in f) >= 2), 0)
        width = len(recs[h][1])
        consistent = sum(len(f) == width for _, f in recs[h + 1:])
        score = (width, consistent, -rank)
        if best is None or score > best[0]:
            best = (score, sep, recs[h][0], recs[h][1])
    if best is not None and best[0][0] == 1 and not separator:
        best = (best[0], ",", best[2], best[3])  # a single column: nothing to separate
    if best is None:
        raise ReadError(name, f"{name} has no readable header row: expected column names on the "
                              "first line.")
    return best[1], best[2], best[3]


def _unique_names(raw: list[str], name: str) -> list[str]:
    names = [normalise_header(h) for h in raw]
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        origin = {d: ", ".join(repr(h) for h, n in zip(raw, names, strict=True) if n == d) for d in dupes}
        detail = "; ".join(f"'{d}' (from {origin[d]})" for d in dupes)
        raise ReadError(name, f"{name} has duplicate column headers {detail}: "
                              "expected every column to have its own header.")
    return [n or f"column_{i + 1}" for i, n in enumerate(names)]


def _parse_with_csv_module(text: str, sep: str, header_line: int, names: list[str],
                           name: str) -> pl.DataFrame:
    """Slow path when Polars refuses the file (stray quotes, ragged rows): find the line or parse."""
    n = len(names)
    rows = []
    for line, fields in _records(text, sep):
        if line <= header_line:
            continue
        if len(fields) > n and any(f.strip() for f in fields[n:]):
            raise ReadError(name, f"{name} line {line} has {len(fields)} fields but the header has "
                                  f"{n}: expected at most {n} {_SEP_NAMES.get(sep, repr(sep))}-separated "
                                  "fields per row (quote values that contain the separator).")
        rows.append(fields[:n] + [None] * (n - len(fields)))
    return pl.DataFrame(rows, schema={c: pl.String for c in names}, orient="row")


def _finish(frame: pl.DataFrame, raw_headers: list[str]) -> tuple[pl.DataFrame, list[str]]:
    """Strip values, empty -> null, drop unnamed empty columns and trailing blank rows."""
    frame = frame.select(pl.col(c).str.strip_chars().replace("", None) for c in frame.columns)
    keep = [i for i, h in enumerate(raw_headers) if normalise_header(h or "")
            or frame.get_column(frame.columns[i]).null_count() < frame.height]
    frame = frame.select(frame.columns[i] for i in keep)
    if frame.height and frame.width and frame.tail(1).null_count().sum_horizontal().item() == frame.width:
        filled = frame.select(pl.any_horizontal(pl.all().is_not_null()).arg_true().max()).item()
        frame = frame.head(0 if filled is None else filled + 1)
    return frame, [raw_headers[i] or "" for i in keep]


# ---------------------------------------------------------------- xlsx
def _read_xlsx(data: bytes, name: str) -> ReadResult:
    opts = dict(engine="calamine", has_header=False, drop_empty_rows=False, drop_empty_cols=False,
                raise_if_empty=False)
    try:  # fastexcel: skip_rows=0 keeps leading empty rows, so row i is sheet row i + 1
        raw = pl.read_excel(data, read_options={"skip_rows": 0, "dtypes": "string"}, **opts)
    except Exception:  # fastexcel raises several unrelated types for damaged files
        raise ReadError(name, f"{name} could not be opened as an XLSX workbook (it may be damaged "
                              "or another kind of ZIP file): save it again from Excel as XLSX or CSV."
                        ) from None
    top = raw.head(HEADER_SEARCH_ROWS)
    counts = top.select(pl.sum_horizontal(
        (pl.col(c).str.strip_chars().str.len_bytes() > 0).fill_null(False) for c in top.columns
    )).to_series() if top.width else pl.Series([], dtype=pl.Int64)
    if counts.len() == 0 or counts.max() == 0:
        raise ReadError(name, f"{name} is empty: expected a header row followed by data rows "
                              "on the first sheet.")
    h = int((counts == counts.max()).arg_true()[0])
    raw_headers = [v or "" for v in raw.row(h)]
    body = raw.slice(h + 1)
    if body.height:
        typed = pl.read_excel(data, read_options={"skip_rows": h + 1}, **opts)
        if typed.shape == body.shape:  # typed read nulls text cells, so only overlay its numbers
            body = body.with_columns(
                pl.when(typed[c].is_not_null()).then(_format_typed(typed[c])).otherwise(body[c])
                .alias(b) for b, c in zip(body.columns, typed.columns, strict=True)
                if typed[c].dtype in (pl.Float64, pl.Int64, pl.Datetime, pl.Date)
            )
    body.columns = _unique_names(raw_headers, name)
    frame, headers = _finish(body, raw_headers)
    return ReadResult(frame, name, "xlsx", None, h + 1, headers)


def _format_typed(s: pl.Series) -> pl.Series:
    """Typed cells as text. pl.read_excel already narrows all-integral float columns to Int64 and
    all-midnight datetime columns to Date, so only mixed columns keep their time of day."""
    if s.dtype == pl.Float64:
        s = s.round_sig_figs(15)  # what Excel shows: 434.99999999999994 -> 435, 0.1+0.2 -> 0.3
        integral = (s == s.round(0)) & (s.abs() < 9e18)
        out = pl.select(pl.when(integral).then(s.cast(pl.Int64, strict=False).cast(pl.String))
                        .otherwise(s.cast(pl.String))).to_series()
        if out.str.contains("e").any():  # 1e-07, 1e+20: write as plain decimals
            out = pl.Series([_plain(v) for v in out], dtype=pl.String)
        return out
    if s.dtype == pl.Int64:
        return s.cast(pl.String)
    if s.dtype == pl.Date:
        return s.dt.strftime("%Y-%m-%d")
    s = s.dt.round("1s")
    present = s.drop_nulls()
    if present.len() and present.dt.year().max() < 1900:
        return s.dt.strftime("%H:%M:%S")  # time-only cells: Excel serials below 1 (1899-12-31)
    return s.dt.strftime("%Y-%m-%d %H:%M:%S")


def _plain(v: str | None) -> str | None:
    return v if v is None or "e" not in v else format(Decimal(f"{float(v):.15g}"), "f")
