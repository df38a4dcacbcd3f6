"""Readers and column mapping: real export shapes in, all-string frames or one-sentence errors out."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter

from app.service_model import load_service_model
from pipelines.mapping import (
    apply_mapping,
    load_saved_mapping,
    model_synonyms,
    save_mapping,
    suggest_mapping,
)
from pipelines.readers import ReadError, ReadResult, file_row_number, normalise_header, read_table
from pipelines.sources import source_spec

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BAD = DATA / "bad"
SURVEY_COLUMNS = ["response_id", "client_id", "respondent_role", "submitted_at", "nps", "ces",
                  "channel", "comment", "csat_delivery", "csat_quality"]
XLSX_ROWS = [
    ("R-101", "00042", "decision_maker", "2025-03-01 10:15:00", "9", "4.5", "email",
     "Всё хорошо, спасибо", "5", "10"),
    ("R-102", "00043", "procurement", "2025-03-02 16:40:00", "n/a", "2", "phone",
     "=СУММ(A1:A2) — не формула", "3", "8"),
    ("R-103", "00044", "end_user", "2025-03-03 09:05:00", "7", None, "web", None, "4", "9.5"),
]


def read_error(*args, **kwargs) -> ReadError:
    with pytest.raises(ReadError) as info:
        read_table(*args, **kwargs)
    return info.value


def assert_all_strings(result: ReadResult) -> None:
    assert all(dtype == pl.String for dtype in result.frame.dtypes)


# ------------------------------------------------------------------ good files
def test_utf8_bom_csv_keeps_values_verbatim_strips_whitespace_and_nulls_empty_cells():
    r = read_table(DATA / "surveys_utf8_bom.csv")
    assert (r.file_name, r.encoding, r.separator, r.header_row) == ("surveys_utf8_bom.csv", "utf-8-sig", ",", 1)
    assert r.frame.columns == SURVEY_COLUMNS == r.original_headers
    assert_all_strings(r)
    assert r.frame.rows() == [
        ("R-001", "C-0001", "decision_maker", "2025-03-01 10:15:00", "9", "2.5", "email",
         "Delivered on time, thanks", "5", "9"),
        ("R-002", "C-0002", "procurement", "2025-03-02 16:40:00", "6", None, "phone",
         "Late again.\nSecond line of the comment", "2", "7"),
        ("R-003", "C-0003", "end_user", "2025-03-03 09:05:00", "10", "1", "web",
         '=HYPERLINK("http://example.com")', "4", "10"),
        ("R-004", "C-0004", "finance", "2025-03-04 12:00:00", "3", "5", "email",
         "-5% discount promised; call +7 912 000-00-00 or @sales", "1", None),
    ]


def test_cp1251_semicolon_csv_with_decimal_comma_and_russian_dates():
    r = read_table(DATA / "surveys_cp1251_semicolon.csv")
    assert (r.encoding, r.separator, r.header_row) == ("cp1251", ";", 1)
    assert r.frame.columns == SURVEY_COLUMNS
    assert r.frame.select("submitted_at", "ces", "comment").rows() == [
        ("01.03.2025 10:15", "4,5", 'ООО "Ромашка": всё отлично, № 5 «в срок»'),
        ("02.03.2025 16:40", "1,5", "Доставка задержалась; ждём ответа. Ёлки!"),
    ]


def test_tab_separated_file_keeps_commas_and_semicolons_in_values():
    r = read_table(DATA / "surveys_tab.tsv")
    assert (r.encoding, r.separator) == ("utf-8", "\t")
    assert r.frame.row(0) == ("R-301", "C-0201", "finance", "2025-03-05 08:00:00", "8", "3", "web",
                              "Fine, mostly; invoices late", "4", "8")


def test_xlsx_with_merged_title_row_finds_header_and_formats_cells_as_text():
    r = read_table(DATA / "surveys_title_row.xlsx")
    assert (r.encoding, r.separator, r.header_row) == ("xlsx", None, 2)
    assert r.frame.columns == SURVEY_COLUMNS == r.original_headers
    assert_all_strings(r)
    # numbers: 9 not "9.0"; text cells in number columns ("n/a", "00042") survive for validation
    assert r.frame.rows() == XLSX_ROWS
    assert file_row_number(r, 1) == 4  # R-102 is on row 4 in Excel


def test_xlsx_with_two_merged_title_rows_and_a_blank_row_reads_date_only_cells():
    r = read_table(BAD / "merged_title_rows.xlsx")
    assert r.header_row == 4
    assert file_row_number(r, 0) == 5
    assert r.frame["submitted_at"].to_list() == ["2025-03-01", "2025-03-02", "2025-03-03"]
    assert r.frame.drop("submitted_at").rows() == [row[:3] + row[4:] for row in XLSX_ROWS]


def test_messy_headers_are_normalised_and_originals_kept():
    r = read_table(DATA / "surveys_messy_headers.csv")
    assert r.frame.columns == SURVEY_COLUMNS
    assert r.original_headers == [" Response_ID ", "Client ID", "respondent-role", "Submitted.At",
                                  "NPS ", "CES", "\u00a0Channel", "COMMENT", "CSAT  Delivery",
                                  "csat_quality"]


def test_russian_headers_are_kept_in_cyrillic_and_mapped_to_canonical_columns():
    r = read_table(DATA / "surveys_russian_headers.csv")
    assert r.frame.columns == ["id_ответа", "клиент", "роль", "дата", "оценка", "комментарий",
                               "канал", "своевременность_доставки", "качество_продукции"]
    model = load_service_model(ROOT / "data" / "service_model.yaml")
    canonical = source_spec("surveys", model).column_names
    mapping = suggest_mapping(r.frame.columns, canonical, model_synonyms(model))
    assert mapping == {"id_ответа": "response_id", "клиент": "client_id", "роль": "respondent_role",
                       "дата": "submitted_at", "оценка": "nps", "комментарий": "comment",
                       "канал": "channel", "своевременность_доставки": "csat_delivery",
                       "качество_продукции": "csat_quality"}
    mapped = apply_mapping(r.frame, mapping)
    assert mapped.columns == ["response_id", "client_id", "respondent_role", "submitted_at", "nps",
                              "comment", "channel", "csat_delivery", "csat_quality"]
    assert mapped.row(0) == r.frame.row(0)


def test_header_only_file_gives_an_empty_frame_with_the_columns():
    r = read_table(BAD / "header_only.csv")
    assert r.frame.shape == (0, 10)
    assert r.frame.columns == SURVEY_COLUMNS
    assert_all_strings(r)


# ------------------------------------------------------------------ bad files
def test_binary_file_named_csv():
    e = read_error(BAD / "binary.csv")
    assert e.file_name == "binary.csv"
    assert e.message == str(e) == ("binary.csv is not a text table (it looks binary): expected a "
                                   "CSV/TSV text file or an XLSX workbook.")


@pytest.mark.parametrize("data", [b"", b" \r\n\t\r\n"])
def test_empty_file(data):
    assert read_error(BAD / "empty.csv").message == read_error(data, "empty.csv").message == (
        "empty.csv is empty: expected a header row followed by data rows.")


def test_wrong_encoding_is_reported_and_the_override_reads_it():
    assert read_error(BAD / "wrong_encoding.csv").message == (
        "wrong_encoding.csv is neither UTF-8 nor Windows-1251 (cp1251) text: save it as "
        "'CSV UTF-8' or choose its encoding explicitly.")
    r = read_table(BAD / "wrong_encoding.csv", encoding="cp866")
    assert (r.encoding, r.frame["comment"].to_list()) == ("cp866", ["Привет из DOS: кодировка cp866"])


def test_explicit_utf8_on_a_cp1251_file_names_the_line():
    e = read_error(DATA / "surveys_cp1251_semicolon.csv", encoding="utf-8")
    assert e.message == ("surveys_cp1251_semicolon.csv cannot be read as utf-8: line 2 has bytes "
                         "that are not valid utf-8; choose another encoding or save it as 'CSV UTF-8'.")


def test_broken_utf8_and_utf16_are_reported():
    broken = "id,comment\n1,Всё хорошо\n".encode() + b"2,\xff\n"
    assert read_error(broken, "broken.csv").message == (
        "broken.csv is neither UTF-8 nor Windows-1251 (cp1251) text: save it as 'CSV UTF-8' or "
        "choose its encoding explicitly.")
    assert read_error("id\tx\n1\tж\n".encode("utf-16"), "unicode.txt").message == (
        "unicode.txt is saved as UTF-16 (Excel's 'Unicode Text'): save it as 'CSV UTF-8' or XLSX.")


def test_ragged_row_names_the_physical_line():
    # the quoted comment of R-601 spans lines 2-3, so R-602 with the extra field is on line 4
    assert read_error(BAD / "ragged.csv").message == (
        "ragged.csv line 4 has 5 fields but the header has 4: expected at most 4 comma-separated "
        "fields per row (quote values that contain the separator).")


def test_duplicate_headers_after_normalisation():
    e = read_error(b"NPS;nps ;Client ID;client-id\n1;2;3;4\n", "dupes.csv")
    assert e.message == ("dupes.csv has duplicate column headers 'client_id' (from 'Client ID', "
                         "'client-id'); 'nps' (from 'NPS', 'nps '): expected every column to have "
                         "its own header.")


def test_old_xls_and_damaged_xlsx():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert read_error(ole, "export.xls").message == (
        "export.xls is an old Excel 97–2003 (.xls) or password-protected workbook: save it as XLSX "
        "or CSV (UTF-8) and upload it again.")
    assert read_error(b"PK\x03\x04not really a zip", "broken.xlsx").message == (
        "broken.xlsx could not be opened as an XLSX workbook (it may be damaged or another kind of "
        "ZIP file): save it again from Excel as XLSX or CSV.")
    assert read_error(b"id,nps\n1,9\n", "renamed.xlsx").message == (
        "renamed.xlsx is not a valid XLSX workbook (it may be damaged or renamed): save it again "
        "from Excel as XLSX or CSV.")


def test_bytes_without_a_name_are_called_uploaded_file():
    assert read_error(b"").message == "uploaded file is empty: expected a header row followed by data rows."


# ------------------------------------------------------------------ details
@pytest.mark.parametrize("raw, expected", [
    (" Response_ID ", "response_id"), ("\ufeffNPS", "nps"), ("Дата\u00a0ответа", "дата_ответа"),
    ("Submitted.At", "submitted_at"), ("csat - delivery", "csat_delivery"), ("ID  ответа", "id_ответа"),
    ("Сумма.", "сумма"), ("Оценка (0-10)", "оценка_(0_10)"), ("ИНН", "инн"),
])
def test_normalise_header(raw, expected):
    assert normalise_header(raw) == expected


def test_xlsx_from_bytes_equals_xlsx_from_path():
    path = DATA / "surveys_title_row.xlsx"
    r = read_table(path.read_bytes(), "upload.xlsx")
    assert (r.file_name, r.header_row, r.frame.rows()) == ("upload.xlsx", 2, XLSX_ROWS)


@pytest.mark.parametrize("data, separator, columns", [
    (b"a;b,c\n1;2,3\n", None, ["a", "b,c"]),  # tie: ';' wins, commas live inside values
    (b"a;b,c\n1;2,3\n", ",", ["a;b", "c"]),  # override
    (b"x\ty,z\n1\t2,3\n", None, ["x", "y,z"]),  # tie: tab wins
    (b"id\n1\n2\n", None, ["id"]),  # one column
])
def test_separator_detection_and_override(data, separator, columns):
    r = read_table(data, "t.csv", separator=separator)
    assert r.frame.columns == columns
    assert r.separator == (separator or {"a": ";", "x": "\t", "i": ","}[columns[0][0]])


def test_cp1251_after_the_first_64kb_of_ascii_is_detected():
    data = b"id,comment\n" + b"1,ok\n" * 20000 + "2,Всё плохо\n".encode("cp1251")
    r = read_table(data, "late.csv")
    assert (r.encoding, r.frame.height, r.frame.row(-1)) == ("cp1251", 20001, ("2", "Всё плохо"))


def test_blank_lines_kept_trailing_dropped_trailing_separator_ignored():
    r = read_table(b"a;b;\n1;2;\n\n3;4;\n\n\n", "t.csv")
    assert (r.frame.columns, r.original_headers) == (["a", "b"], ["a", "b"])
    assert r.frame.rows() == [("1", "2"), (None, None), ("3", "4")]
    assert file_row_number(r, 2) == 4


def test_title_line_above_a_csv_header_and_unnamed_column_with_data():
    r = read_table("Выгрузка опросов;;\n\nid;;nps\n1;x;9\n".encode("cp1251"), "t.csv")
    assert (r.header_row, r.frame.columns, r.original_headers) == (3, ["id", "column_2", "nps"], ["id", "", "nps"])
    assert r.frame.rows() == [("1", "x", "9")]


def test_stray_quote_inside_a_value_is_kept():
    r = read_table(b'id,comment\n1,5" screen\n2,ok\n', "q.csv")
    assert r.frame.rows() == [("1", '5" screen'), ("2", "ok")]


def test_extra_empty_fields_are_not_ragged():
    assert read_table(b"a,b\n1,2,\n3,4\n", "t.csv").frame.rows() == [("1", "2"), ("3", "4")]


def test_xlsx_numbers_dates_and_times_become_parseable_text(tmp_path):
    path = tmp_path / "cells.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["n", "when", "time", "mixed"])
    numbers = [4.0, 0.1 + 0.2, 1e-7, 1e20, -3.0, 1234.5678, 434.99999999999994]
    for i, v in enumerate(numbers):
        ws.write_number(i + 1, 0, v)
    fmt = wb.add_format({"num_format": "dd.mm.yyyy hh:mm"})
    ws.write_datetime(1, 1, datetime(2025, 3, 1, 14, 30), fmt)
    ws.write_datetime(2, 1, datetime(2025, 3, 2, 0, 0), fmt)
    ws.write_datetime(1, 2, datetime(1899, 12, 31, 10, 30), wb.add_format({"num_format": "hh:mm"}))
    ws.write_number(1, 3, 5)
    ws.write_string(2, 3, "five")
    ws.write(0, 4, "midnights")
    ws.write_datetime(1, 4, datetime(2025, 3, 1), fmt)
    ws.write_datetime(2, 4, datetime(2025, 3, 2), fmt)
    ws.write(0, 5, "big_int")
    ws.write_number(1, 5, 12345678901234)
    wb.close()
    frame = read_table(path).frame
    assert frame["midnights"].to_list()[:3] == ["2025-03-01", "2025-03-02", None]
    assert frame["big_int"].to_list()[:2] == ["12345678901234", None]
    assert frame["n"].to_list() == ["4", "0.3", "0.0000001", "100000000000000000000", "-3",
                                    "1234.5678", "435"]
    assert frame["when"].to_list()[:3] == ["2025-03-01 14:30:00", "2025-03-02 00:00:00", None]
    assert frame["time"].to_list()[:2] == ["10:30:00", None]
    assert frame["mixed"].to_list()[:3] == ["5", "five", None]


def test_xlsx_header_row_counts_leading_empty_rows(tmp_path):
    path = tmp_path / "offset.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row("B3", ["Response ID", "NPS"])  # fastexcel's range starts here, the sheet does not
    ws.write_row("B4", ["R-1", 9])
    wb.close()
    r = read_table(path)
    assert (r.header_row, r.frame.columns, r.frame.rows()) == (3, ["response_id", "nps"], [("R-1", "9")])
    assert file_row_number(r, 0) == 4


def test_empty_xlsx_sheet(tmp_path):
    path = tmp_path / "blank.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet()
    wb.close()
    assert read_error(path).message == ("blank.xlsx is empty: expected a header row followed by "
                                       "data rows on the first sheet.")


# ------------------------------------------------------------------ mapping
def test_suggest_mapping_passes_and_no_column_twice():
    canonical = ["response_id", "client_id", "submitted_at", "nps", "comment"]
    headers = ["Оценка", "Оценка NPS", "responseid", "Код клиента", "Дата ответа", "Комментарий", "misc"]
    assert suggest_mapping(headers, canonical) == {
        "Оценка": "nps", "Оценка NPS": None, "responseid": "response_id", "Код клиента": "client_id",
        "Дата ответа": "submitted_at", "Комментарий": "comment", "misc": None}


def test_suggest_mapping_exact_beats_synonym_and_similarity_needs_threshold():
    canonical = ["nps", "amount", "ordered_at"]
    assert suggest_mapping(["Сумма", "NPS ", "Дата заказа"], canonical) == {
        "Сумма": "amount", "NPS ": "nps", "Дата заказа": "ordered_at"}
    assert suggest_mapping(["amont", "xyz"], canonical) == {"amont": "amount", "xyz": None}
    assert suggest_mapping(["Summa"], canonical, {"amount": ["Сумма"]}) == {"Summa": "amount"}
    # "Оценка" is a synonym of nps, but the exact header "nps" comes first
    assert suggest_mapping(["Оценка", "nps"], canonical) == {"Оценка": None, "nps": "nps"}
    # two headers similar to the same column: the closer one wins, the other stays unmapped
    assert suggest_mapping(["amout", "amountt"], canonical) == {"amout": None, "amountt": "amount"}


def test_builtin_synonyms_cover_every_canonical_column_of_every_source():
    from pipelines.mapping import SYNONYMS
    from pipelines.sources import SOURCES
    model = load_service_model(ROOT / "data" / "service_model.yaml")
    names = {**SYNONYMS, **model_synonyms(model)}
    missing = {c for s in SOURCES for c in source_spec(s, model).column_names if not names.get(c)}
    assert missing == set()


def test_apply_mapping_renames_and_keeps_unmapped():
    frame = pl.DataFrame({"оценка": ["9"], "x": ["1"]})
    assert apply_mapping(frame, {"оценка": "nps", "x": None, "absent": "comment"}).columns == ["nps", "x"]
    with pytest.raises(ValueError, match="more than one column the name nps"):
        apply_mapping(pl.DataFrame({"a": ["1"], "b": ["2"]}), {"a": "nps", "b": "nps"})
    with pytest.raises(ValueError, match="more than one column the name nps"):
        apply_mapping(pl.DataFrame({"a": ["1"], "nps": ["2"]}), {"a": "nps"})


def test_save_and_load_mapping_in_duckdb():
    con = duckdb.connect()
    assert load_saved_mapping(con, "surveys") == {}
    save_mapping(con, "surveys", {"оценка": "nps", "дата": "submitted_at"})
    save_mapping(con, "surveys", {"оценка": "csat_quality", "дата": None})
    save_mapping(con, "o'rders", {"сумма": "amount"})
    assert load_saved_mapping(con, "surveys") == {"оценка": "csat_quality"}
    assert load_saved_mapping(con, "o'rders") == {"сумма": "amount"}
    columns = con.execute("SELECT column_name, data_type FROM information_schema.columns "
                          "WHERE table_name = 'column_mappings' ORDER BY ordinal_position").fetchall()
    assert columns == [("source", "VARCHAR"), ("header", "VARCHAR"), ("column_name", "VARCHAR"),
                       ("saved_at", "TIMESTAMP")]
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO column_mappings VALUES ('surveys', 'оценка', 'nps', now())")
