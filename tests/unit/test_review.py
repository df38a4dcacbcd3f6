"""The review before a load: stored preview, rejected rows as a file, problem summary, missing columns."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from app.spreadsheet import csv_bytes
from pipelines.load import prepare_read
from pipelines.readers import read_table
from pipelines.review import missing_required, problem_summary, rejected_rows, sample_values, stored_preview
from pipelines.sources import source_spec

DATA = Path(__file__).resolve().parent.parent / "data"
CLIENTS = {"C1", "C2", "C3"}

BAD_SURVEYS = (
    "ID ответа;Клиент;Роль;Дата;Оценка;Комментарий\n"
    "S1;C1;decision_maker;20.03.2025 10:00;9;=1+1\n"
    "S2;C9;finance;21.03.2025;11;late\n"
    "S3;C2;finance;32.03.2025;7;\n"
    "S4;C9;end_user;2025-03-22;3;+ok\n"
).encode("cp1251")


def _validated(data: bytes, name: str, model, clients: set[str] = CLIENTS):
    read = read_table(data, name)
    return read, prepare_read(None, model, "surveys", read, known_clients=clients)


def test_rejected_rows_keep_the_file_as_it_was_with_row_numbers_and_reasons(model):
    read, validation = _validated(BAD_SURVEYS, "bad.csv", model=model)
    rejected = rejected_rows(read, validation.problems)
    expected = pl.DataFrame(
        {
            "row": [3, 4, 5],
            "problems": [
                "client_id: a client_id from the client list (load or update the clients first); nps: between 0 and 10",
                "submitted_at: a date such as 2025-03-31, 2025-03-31 14:30, 31.03.2025 or 31.03.2025 14:30",
                "client_id: a client_id from the client list (load or update the clients first)",
            ],
            "ID ответа": ["S2", "S3", "S4"],
            "Клиент": ["C9", "C2", "C9"],
            "Роль": ["finance", "finance", "end_user"],
            "Дата": ["21.03.2025", "32.03.2025", "2025-03-22"],
            "Оценка": ["11", "7", "3"],
            "Комментарий": ["late", None, "+ok"],
        }
    )
    assert_frame_equal(rejected, expected)


def test_rejected_rows_download_is_formula_safe(model):
    read, validation = _validated(BAD_SURVEYS, "bad.csv", model=model)
    text = csv_bytes(rejected_rows(read, validation.problems)).decode("utf-8-sig")
    assert ",'+ok" in text
    assert ",+ok" not in text


def test_rejected_rows_of_a_clean_file_is_empty_with_the_file_headers(model):
    read, validation = _validated(
        (DATA / "surveys_russian_headers.csv").read_bytes(), "ru.csv", model, {"C-0301", "C-0302", "C-0303"}
    )
    rejected = rejected_rows(read, validation.problems)
    assert rejected.height == 0
    assert rejected.columns[:3] == ["row", "problems", "ID ответа"]


def test_problem_summary_counts_rows_per_kind_of_problem(model):
    _, validation = _validated(BAD_SURVEYS, "bad.csv", model=model)
    summary = problem_summary(validation.problems)
    assert summary.select("column", "n_rows", "first_row", "examples").rows() == [
        ("client_id", 2, 3, "C9"),
        ("nps", 1, 3, "11"),
        ("submitted_at", 1, 4, "32.03.2025"),
    ]


def test_stored_preview_applies_types_and_personal_data_masking(empty_con, model):
    read = read_table(DATA / "surveys_small.csv")
    validation = prepare_read(None, model, "surveys", read, known_clients=CLIENTS)
    preview = stored_preview(empty_con, model, validation, limit=2)
    assert preview.height == 2
    first = preview.row(0, named=True)
    assert first["row"] == 2
    assert first["submitted_at"] == datetime(2025, 3, 20, 10, 0)
    assert first["nps"] == 9 and preview.schema["nps"] == pl.Int32
    assert first["respondent_name"] == "И*** П***"
    assert first["email"].startswith("hmac:")
    assert first["phone"] == "***89"
    assert preview.columns[0] == "row"


def test_stored_preview_matches_what_the_load_stores(empty_con, model, tmp_path):
    from pipelines.load import load_file, write_batch

    assert load_file(empty_con, model, "clients", DATA / "clients_small.csv", archive_dir=tmp_path).ok
    data = (DATA / "surveys_small.csv").read_bytes()
    validation = prepare_read(empty_con, model, "surveys", read_table(data, "s.csv"))
    preview = stored_preview(empty_con, model, validation)
    write_batch(empty_con, model, validation, data, tmp_path)
    stored = empty_con.sql(
        f"select source_row as row, {', '.join(preview.columns[1:])} from raw_surveys order by source_row"
    ).pl()
    assert_frame_equal(preview, stored)


def test_missing_required_lists_unmapped_required_columns_in_format_order(model):
    spec = source_spec("surveys", model)
    mapping = {"id_otveta": "response_id", "data": "submitted_at", "comment": "comment", "x": None}
    assert missing_required(spec, mapping) == ["client_id", "respondent_role", "nps"]


def test_sample_values_are_distinct_and_short(model):
    read = read_table(BAD_SURVEYS, "bad.csv")
    assert sample_values(read, read.frame.columns[1]) == "C1, C9, C2"
