"""Loading batches end to end on a real DuckDB file: idempotent, reversible, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipelines.load as load_module
from app.warehouse.connection import fetch_scalar
from pipelines.load import list_batches, load_file, rollback_batch

DATA = Path(__file__).resolve().parent.parent / "data"


def content_fingerprint(con) -> dict[str, str]:
    """A hash of every row of every table, so 'unchanged' means unchanged in content."""
    tables = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1"
    ).fetchall()]
    return {
        t: fetch_scalar(con, f"select md5(coalesce(string_agg(x, '|' order by x), '')) from "
                             f"(select cast(t as varchar) as x from {t} t)")
        for t in tables
    }


@pytest.fixture
def loaded(clients_con):
    return clients_con  # tests/data/clients_small.csv loaded as batch 1 (a copy of a warehouse built once)


def test_clients_then_surveys_fill_raw_tables_and_marts(loaded, model, tmp_path):
    result = load_file(loaded, model, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "archive")
    assert result.status == "loaded", result.problems
    assert (result.rows_in, result.rows_accepted, result.rows_rejected) == (4, 4, 0)
    assert fetch_scalar(loaded, "select count(*) from mart_responses") == 4
    assert fetch_scalar(loaded, "select count(*) from mart_ratings") == 12
    by_unit = loaded.execute(
        "select business_unit, sum(n_promoters), sum(n_detractors) from mart_nps group by 1 order by 1"
    ).fetchall()
    assert by_unit == [("construction", 0, 1), ("energy", 1, 1), ("machinery", 1, 0)]
    batches = list_batches(loaded)
    assert batches["source"].to_list() == ["clients", "surveys"]
    assert all(Path(p).is_file() for p in batches["archive_path"].to_list())


def test_personal_data_is_masked_or_hashed_per_service_model(loaded, model, tmp_path):
    load_file(loaded, model, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "archive")
    name, email, phone = loaded.execute(
        "select respondent_name, email, phone from raw_surveys where response_id = 'S1'"
    ).fetchall()[0]
    assert name == "И*** П***"
    assert email.startswith("hmac:") and "ivan" not in email
    assert phone == "***89"


def test_same_file_twice_is_a_no_op_that_says_so(loaded, model, tmp_path):
    first = load_file(loaded, model, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "a")
    before = content_fingerprint(loaded)
    again = load_file(loaded, model, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "a")
    assert again.status == "already_loaded"
    assert again.message.startswith(f"surveys_small.csv is already loaded as batch {first.batch_id} (")
    assert content_fingerprint(loaded) == before


def test_rejected_file_leaves_warehouse_unchanged(loaded, model, tmp_path):
    before = content_fingerprint(loaded)
    result = load_file(loaded, model, "surveys", DATA / "bad" / "nps_11.csv", archive_dir=tmp_path / "a")
    assert result.status == "rejected"
    assert result.message == "nps_11.csv was rejected: 1 of 2 rows have problems (1 in all); nothing was written"
    assert content_fingerprint(loaded) == before
    assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())


def test_accept_good_rows_loads_the_rest(loaded, model, tmp_path):
    result = load_file(loaded, model, "surveys", DATA / "bad" / "nps_11.csv", archive_dir=tmp_path / "a",
                       accept_good_rows=True)
    assert (result.status, result.rows_accepted, result.rows_rejected) == ("loaded", 1, 1)
    assert fetch_scalar(loaded, "select list(response_id) from raw_surveys") == ["S11"]


def test_failure_midway_rolls_everything_back(loaded, model, tmp_path, monkeypatch):
    """Inject a failure after the raw rows are inserted, while the marts rebuild."""
    before = content_fingerprint(loaded)

    def exploding_rebuild(con, model, changed=None, survey_change=None):
        assert fetch_scalar(con, "select count(*) from raw_surveys") == 4  # rows were written…
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(load_module, "rebuild_models", exploding_rebuild)
    with pytest.raises(RuntimeError, match="injected"):
        load_file(loaded, model, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "a")
    assert content_fingerprint(loaded) == before  # …and are gone again
    assert not any((tmp_path / "a").glob("*surveys_small.csv"))


def test_rollback_removes_batch_and_allows_reload(loaded, model, tmp_path):
    first = load_file(loaded, model, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "a")
    message = rollback_batch(loaded, model, first.batch_id)
    assert message == f"batch {first.batch_id} (surveys_small.csv, surveys) rolled back: 4 rows removed"
    assert fetch_scalar(loaded, "select count(*) from mart_responses") == 0
    assert fetch_scalar(loaded, "select status from batches where batch_id = ?", [first.batch_id]) == "rolled_back"
    with pytest.raises(LookupError, match="already rolled back"):
        rollback_batch(loaded, model, first.batch_id)
    again = load_file(loaded, model, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "a")
    assert again.status == "loaded" and again.batch_id != first.batch_id


def test_duplicate_against_warehouse_names_the_batch(loaded, model, tmp_path):
    first = load_file(loaded, model, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "a")
    copy = tmp_path / "surveys_copy.csv"
    copy.write_bytes((DATA / "surveys_small.csv").read_bytes() + b"\n")  # another file, same ids
    result = load_file(loaded, model, "surveys", copy, archive_dir=tmp_path / "a")
    assert result.status == "rejected"
    expected = f"a response_id not loaded before; it is already in batch {first.batch_id}"
    assert set(result.problems["expected"].to_list()) == {expected}


def test_newer_client_list_supersedes_older(loaded, model, tmp_path):
    update = tmp_path / "clients_update.csv"
    text = (DATA / "clients_small.csv").read_text(encoding="utf-8").replace("C2,Beta Mining,machinery", "C2,Beta Mining,energy")
    update.write_text(text, encoding="utf-8")
    assert load_file(loaded, model, "clients", update, archive_dir=tmp_path / "a").status == "loaded"
    assert fetch_scalar(loaded, "select business_unit from mart_clients where client_id = 'C2'") == "energy"
    assert fetch_scalar(loaded, "select count(*) from mart_clients") == 3
