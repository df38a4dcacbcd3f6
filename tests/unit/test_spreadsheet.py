"""Exports cannot smuggle formulas into a spreadsheet; numbers stay numbers."""

from __future__ import annotations

import io

import polars as pl
import pytest

from app.spreadsheet import csv_bytes, neutralise_formula, neutralise_formulas, xlsx_bytes

HOSTILE = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_triggers_get_an_apostrophe(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "a=b", "", None, "Доставка -2 дня"])
def test_ordinary_text_is_untouched(value):
    assert neutralise_formula(value) == value


def test_frame_escaping_matches_the_cell_function_and_keeps_numbers():
    frame = pl.DataFrame({"comment": [*HOSTILE, "fine", None], "nps": [-20, 0, 5, 7, 9, 10, -100, 1]})
    safe = neutralise_formulas(frame)
    assert safe["comment"].to_list() == [neutralise_formula(v) for v in frame["comment"].to_list()]
    assert safe["nps"].to_list() == frame["nps"].to_list()


def test_csv_has_bom_and_escaped_cells():
    data = csv_bytes(pl.DataFrame({"comment": ["=1+1"], "n": [3]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["comment,n", "'=1+1,3"]


def test_xlsx_round_trips_text_numbers_and_cyrillic():
    frame = pl.DataFrame({"comment": ["-опасно", "Доставка"], "nps": [-12.5, 40.0]})
    back = pl.read_excel(io.BytesIO(xlsx_bytes(frame, sheet_name="nps")))
    assert back["comment"].to_list() == ["'-опасно", "Доставка"]
    assert back["nps"].to_list() == [-12.5, 40.0]
