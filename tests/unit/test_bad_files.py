"""The corpus of bad files in tests/data/bad: each gets the exact answer a user should see."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.warehouse.connection import fetch_scalar
from pipelines.load import load_file

DATA = Path(__file__).resolve().parent.parent / "data"
BAD = DATA / "bad"
CLIENT_LIST = "a client_id from the client list (load or update the clients first)"

# file -> (status, [(row, column, value, expected)] — the first problems, in order)
EXPECTED = {
    "binary.csv": ("rejected", [(None, None, None, "binary.csv is not a text table (it looks binary): "
                                "expected a CSV/TSV text file or an XLSX workbook.")]),
    "empty.csv": ("rejected", [(None, None, None, "empty.csv is empty: expected a header row followed by data rows.")]),
    "header_only.csv": ("rejected", [(None, None, None, "at least one data row below the header (the file has none)")]),
    "missing_required_column.csv": ("rejected", [(None, "nps", None, "a column 'nps' (required for surveys)")]),
    "nps_11.csv": ("rejected", [(2, "nps", "11", "between 0 and 10")]),
    "rating_0_on_1_to_5.csv": ("rejected", [(2, "csat_delivery", "0", "between 1 and 5")]),
    "duplicate_response_ids.csv": ("rejected", [(4, "response_id", "S10", "a unique response_id; the same value is on row 2")]),
    "unknown_client_ids.csv": ("rejected", [(3, "client_id", "C404", CLIENT_LIST)]),
    "ragged.csv": ("rejected", [(None, None, None, "ragged.csv line 4 has 5 fields but the header has 4: expected at "
                                "most 4 comma-separated fields per row (quote values that contain the separator).")]),
    "wrong_encoding.csv": ("rejected", [(None, None, None, "wrong_encoding.csv is neither UTF-8 nor Windows-1251 (cp1251) "
                                        "text: save it as 'CSV UTF-8' or choose its encoding explicitly.")]),
    # Read correctly (two merged title rows), then validated row by row: the workbook's client ids are unknown
    # here and one NPS cell says "n/a".
    "merged_title_rows.xlsx": ("rejected", [(5, "client_id", "00042", CLIENT_LIST), (6, "client_id", "00043", CLIENT_LIST),
                                            (6, "nps", "n/a", "a whole number")]),
    "formula_injection_comments.csv": ("loaded", []),
}


def test_corpus_is_fully_covered():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(EXPECTED)


@pytest.fixture
def con_with_clients(clients_con):
    return clients_con  # tests/data/clients_small.csv loaded (a copy of a warehouse built once)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gets_exact_answer(con_with_clients, model, tmp_path, name):
    status, problems = EXPECTED[name]
    before = fetch_scalar(con_with_clients, "select count(*) from raw_surveys")
    result = load_file(con_with_clients, model, "surveys", BAD / name, archive_dir=tmp_path / "a")
    assert result.status == status, result.message
    got = [tuple(r.values()) for r in result.problems.drop("file").head(len(problems)).to_dicts()]
    assert got == problems
    assert set(result.problems["file"].to_list()) <= {name}
    after = fetch_scalar(con_with_clients, "select count(*) from raw_surveys")
    assert after == before + (result.rows_accepted if status == "loaded" else 0)


def test_formula_like_comments_are_stored_verbatim(con_with_clients, model, tmp_path):
    load_file(con_with_clients, model, "surveys", BAD / "formula_injection_comments.csv", archive_dir=tmp_path / "a")
    comments = fetch_scalar(con_with_clients, "select list(comment order by response_id) from mart_responses")
    assert comments == ['=HYPERLINK("http://evil.example","click")', "+7 days late", "-not bad-", "@SUM(A1:A9)"]


def test_russian_headers_are_mapped_and_reported(con_with_clients, model, tmp_path):
    from pipelines.load import prepare

    data = (DATA / "surveys_russian_headers.csv").read_bytes()
    result = prepare(None, model, "surveys", data, "ru.csv", known_clients={"C-0301", "C-0302", "C-0303"})
    assert result.problems.is_empty()
    assert result.notices[0].startswith("ru.csv: columns mapped: «ID ответа» → response_id, «Клиент» → client_id")
