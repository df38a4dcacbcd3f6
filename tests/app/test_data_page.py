"""The Data page through AppTest on a private copy of the demo warehouse: upload, detect, map,
validate, load, "already loaded", undo after a confirmation, unknown types, and a failure injected
midway through a load started from the page (the warehouse stays exactly as it was)."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import pipelines.load as load_module
from app.ui.pages import PROJECT_ROOT
from tests.upload_files import (
    bad_survey_csv,
    demo_client_ids,
    latest_quarter_day,
    russian_survey_csv,
    survey_csv,
)

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
DATA_PAGE = "app_pages/data.py"


@pytest.fixture(scope="module")
def demo_files(demo_db: Path) -> tuple[list[str], object]:
    return demo_client_ids(demo_db), latest_quarter_day(demo_db)


def open_data_page() -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.switch_page(DATA_PAGE).run()  # straight to the page: the overview never renders here
    assert not at.exception, [e.message for e in at.exception]
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def button(at: AppTest, key_prefix: str):
    matches = [b for b in at.button if (b.key or "").startswith(key_prefix)]
    assert matches, f"no button {key_prefix}*; buttons: {[b.key for b in at.button]}"
    return matches[0]


def click(at: AppTest, key_prefix: str) -> AppTest:
    button(at, key_prefix).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def answers_in_warehouse(at: AppTest) -> int:
    """The freshness line every page shows: '… 6,566 answers from 585 clients …'."""
    line = next(c.value for c in at.caption if "answers from" in c.value)
    return int(re.search(r"([\d,]+) answers from", line).group(1).replace(",", ""))


def content_fingerprint(con) -> dict[str, tuple]:
    """Every base table's row count and order-free sum of row hashes: tests/unit/test_load.py's
    proof of 'unchanged', made fast enough for a warehouse holding the whole demo company."""
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    ]
    return {t: tuple(con.execute(f"select count(*), sum(hash(t)) from {t} t").fetchall()[0]) for t in tables}


def table_with(at: AppTest, column: str):
    """The first table (st.dataframe or st.data_editor) that has this column, as pandas."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def texts(elements) -> str:
    """The elements' texts joined, with Markdown escapes (file names are escaped) removed."""
    return re.sub(r"\\(.)", r"\1", " | ".join(str(e.value) for e in elements))


def test_page_states_the_upload_limit_from_the_config(demo_env):
    limit = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())["server"][
        "maxUploadSize"
    ]
    at = open_data_page()
    assert f"up to {limit:,} MB per file" in texts(at.caption)
    assert at.title[0].value == "Data"
    assert "Batch history" in texts(at.subheader)


def test_good_survey_file_loads_shows_everywhere_and_cannot_load_twice(demo_env, demo_files):
    ids, day = demo_files
    at = open_data_page()
    before = answers_in_warehouse(at)
    data = survey_csv(ids, 12, day, "AT-GOOD")
    upload(at, "wave.csv", data)
    assert (
        at.selectbox(key=next(s.key for s in at.selectbox if s.key.startswith("data_source_"))).value
        == "surveys"
    )
    assert [(m.label, m.value) for m in at.metric][:3] == [
        ("Rows in the file", "12"),
        ("Rows to load", "12"),
        ("Rows with problems", "0"),
    ]
    assert "No problems: all 12 rows can be loaded." in texts(at.success)
    click(at, "data_load_")
    assert "wave.csv: 12 rows loaded as batch #14 (Survey answers)" in texts(at.success)
    assert answers_in_warehouse(at) == before + 12
    history = table_with(at, "status_label")
    assert history.iloc[0]["file_name"] == "wave.csv" and history.iloc[0]["rows_accepted"] == 12
    upload(at, "wave again.csv", data)
    assert "is already loaded as batch #14" in texts(at.info)
    assert not [b for b in at.button if (b.key or "").startswith("data_load_")]


def test_bad_file_report_names_row_and_column_and_loads_only_good_rows(demo_env, demo_files):
    ids, day = demo_files
    at = open_data_page()
    before = answers_in_warehouse(at)
    upload(at, "bad.csv", bad_survey_csv(ids, day, "AT-BAD"))
    problems = table_with(at, "value")
    assert problems[["row", "column", "value"]].values.tolist() == [
        [3, "nps", "11"],
        [5, "client_id", "NO-SUCH-CLIENT"],
    ]
    assert [(m.label, m.value) for m in at.metric][1:3] == [
        ("Rows to load", "2"),
        ("Rows with problems", "2"),
    ]
    downloads = [d.key for d in at.get("download_button") if (d.key or "").startswith("data_rejected_")]
    assert len(downloads) == 2  # CSV and Excel of the rows left out
    assert button(at, "data_load_").label == "Load 2 good rows, leave out 2"
    click(at, "data_load_")
    assert "2 rows with problems were left out" in texts(at.success)
    assert answers_in_warehouse(at) == before + 2


def test_russian_headers_are_suggested_loaded_and_the_mapping_is_reused(demo_env, demo_files):
    ids, day = demo_files
    at = open_data_page()
    upload(at, "опрос.csv", russian_survey_csv(ids, 5, day, "AT-RU1"))
    mapping = at.data_editor[0].value
    assert mapping[["file_column", "target", "basis"]].values.tolist() == [
        ["ID ответа", "response_id", "suggestion"],
        ["Клиент", "client_id", "suggestion"],
        ["Роль", "respondent_role", "suggestion"],
        ["Дата", "submitted_at", "suggestion"],
        ["Оценка", "nps", "suggestion"],
        ["Комментарий", "comment", "suggestion"],
    ]
    click(at, "data_load_")
    assert "опрос.csv: 5 rows loaded" in texts(at.success)
    upload(at, "опрос 2.csv", russian_survey_csv(ids, 5, day, "AT-RU2"))
    mapping = at.data_editor[0].value
    assert set(mapping["basis"]) == {"saved mapping"}
    assert "No problems: all 5 rows can be loaded." in texts(at.success)


def test_missing_required_column_is_named_and_nothing_can_load(demo_env):
    at = open_data_page()
    upload(
        at,
        "no_score.csv",
        "ID ответа;Клиент;Роль;Дата;Комментарий\nX1;C00001;finance;01.09.2026;ok\n".encode(),
    )
    assert "Required columns without a file column: nps." in texts(at.error)
    assert not [b for b in at.button if (b.key or "").startswith("data_load_")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "files of type .pdf are not tables CX Lens reads"),
        ("old.xls", "is an old Excel 97–2003 workbook (.xls)"),
    ],
)
def test_unknown_file_types_get_a_clear_message(demo_env, name, expected):
    at = open_data_page()
    upload(at, name, b"%PDF-1.4 not a table")
    assert expected in texts(at.error)


def test_undo_asks_for_confirmation_then_the_count_falls_back(demo_env, demo_files):
    ids, day = demo_files
    at = open_data_page()
    before = answers_in_warehouse(at)
    upload(at, "to_undo.csv", survey_csv(ids, 7, day, "AT-UNDO"))
    click(at, "data_load_")
    assert answers_in_warehouse(at) == before + 7
    assert at.selectbox(key="data_undo_choice_14").value == 14  # the newest batch is chosen
    click(at, "data_undo")
    click(at, "data_undo_keep")  # the dialog's "Keep it": nothing happens
    assert answers_in_warehouse(at) == before + 7
    click(at, "data_undo")
    click(at, "data_undo_confirm")
    assert "Batch #14 (to_undo.csv, Survey answers) undone: 7 rows removed" in texts(at.success)
    assert answers_in_warehouse(at) == before
    history = table_with(at, "status_label")
    assert history.iloc[0]["status_label"].startswith("undone")


def test_failure_midway_through_a_load_from_the_page_leaves_the_warehouse_unchanged(
    demo_env, demo_files, monkeypatch
):
    ids, day = demo_files
    db = demo_env / "warehouse.duckdb"
    at = open_data_page()
    upload(at, "опрос.csv", russian_survey_csv(ids, 6, day, "AT-FAIL"))  # its mapping would be saved

    def exploding_rebuild(con, model, changed=None, survey_change=None):
        raise duckdb.IOException("disk full (injected)")

    with duckdb.connect(str(db)) as con:  # the same database instance the app holds
        before = content_fingerprint(con)
    monkeypatch.setattr(load_module, "rebuild_models", exploding_rebuild)
    click(at, "data_load_")
    assert "nothing was written, the warehouse is as it was (disk full (injected))" in texts(at.error)
    with duckdb.connect(str(db)) as con:
        assert content_fingerprint(con) == before  # no rows, no batch, no data version, no mapping
    assert not list((demo_env / "archive").glob("*опрос*"))
    assert button(at, "data_load_").label == "Load 6 rows"  # the file is still there to retry


def test_a_new_quarter_is_offered_to_every_page_and_undo_takes_it_away(demo_env, demo_files):
    ids, _ = demo_files
    at = open_data_page()
    latest = at.selectbox(key="filter_period_to").value
    upload(at, "next_quarter.csv", survey_csv(ids, 5, datetime(2026, 10, 15, 9), "AT-Q4"))
    click(at, "data_load_")
    assert "The data now reaches 2026-Q4, but the filters on every page end at " + latest in texts(at.info)
    click(at, "data_show_new_quarter")
    assert at.selectbox(key="filter_period_to").value == "2026-Q4"
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(re.search(r"\bn = 5\b", c.value) for c in at.caption)  # the NPS tile counts Q4's 5 answers
    at.switch_page(DATA_PAGE).run()
    click(at, "data_undo")
    click(at, "data_undo_confirm")
    assert at.selectbox(key="filter_period_to").value == latest  # the quarter left with its batch
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception, [e.message for e in at.exception]


def test_a_column_mapped_by_hand_loads_and_is_remembered_for_the_next_file(demo_env, demo_files):
    ids, day = demo_files
    frame = survey_csv(ids, 4, day, "AT-HAND").decode().replace(",nps,", ",Q7 how likely to recommend us,", 1)
    at = open_data_page()
    upload(at, "odd_headers.csv", frame.encode())
    assert "Required columns without a file column: nps." in texts(at.error)
    editor = at.data_editor[0]
    row = list(editor.value["file_column"]).index("Q7 how likely to recommend us")
    at.session_state[editor.key] = {
        "edited_rows": {row: {"target": "nps"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "Required columns without a file column" not in texts(at.error)
    assert "No problems: all 4 rows can be loaded." in texts(at.success)
    click(at, "data_load_")
    assert "odd_headers.csv: 4 rows loaded" in texts(at.success)
    again = (
        survey_csv(ids, 3, day, "AT-HAND2").decode().replace(",nps,", ",Q7 how likely to recommend us,", 1)
    )
    upload(at, "odd_headers_2.csv", again.encode())
    mapping = at.data_editor[0].value
    assert (
        mapping.loc[mapping["file_column"] == "Q7 how likely to recommend us", "basis"].item()
        == "saved mapping"
    )
    assert "No problems: all 3 rows can be loaded." in texts(at.success)
