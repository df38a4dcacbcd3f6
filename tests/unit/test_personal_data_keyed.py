"""Hashed personal data is keyed per warehouse (HMAC-SHA256 with a secret beside the DuckDB file):
one person, one value across the batches of a warehouse; unrelated values in another warehouse;
the plain value nowhere in the warehouse file; a swapped key file refused. Real DuckDB files."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import pytest

from app.service_model import ServiceModel
from app.warehouse.connection import connect
from pipelines.load import load_file
from pipelines.personal_data import HASH_PREFIX, KEY_SUFFIX, copy_warehouse, warehouse_key

DATA = Path(__file__).resolve().parent.parent / "data"
EMAIL = "ivan.petrov@alfa.ru"
HEADER = (DATA / "surveys_small.csv").read_text(encoding="utf-8").splitlines()[0]


def with_policies(model: ServiceModel, **policies: str) -> ServiceModel:
    personal = model.settings.personal_data.model_copy(update=policies)
    return model.model_copy(update={"settings": model.settings.model_copy(update={"personal_data": personal})})


def survey_file(folder: Path, name: str, response_id: str, email: str) -> Path:
    row = f"{response_id},C1,decision_maker,2025-04-01 10:00:00,8,4,8,4,2,email,,Анна Смирнова,{email},+7 900 111-22-33"
    path = folder / name
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    return path


def new_warehouse(folder: Path, clients_warehouse: Path):
    """A warehouse of its own in `folder` holding tests/data/clients_small.csv (a copy of conftest's
    `clients_warehouse`: no survey loaded, so no personal-data key yet)."""
    folder.mkdir(parents=True, exist_ok=True)
    copy_warehouse(clients_warehouse, folder / "warehouse.duckdb")
    return connect(folder / "warehouse.duckdb")


def stored_email(con, response_id: str) -> str:
    return con.execute("select email from raw_surveys where response_id = ?", [response_id]).fetchall()[0][0]


def expected_hmac(secret: bytes, value: str) -> str:
    """Independent of the code under test: Python's hmac over the trimmed lower-case value."""
    return HASH_PREFIX + hmac.new(secret, value.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


def test_duckdb_expression_is_hmac_sha256(empty_con):
    key = warehouse_key(empty_con)
    values = [EMAIL, "  Ivan.Petrov@ALFA.ru ", "иван@пример.рф", "+7 912 345-67-89", "", None]
    got = [
        empty_con.execute(f"select {key.hash_sql('v')} from (select ?::varchar as v)", [v]).fetchall()[0][0]
        for v in values
    ]
    assert got == [None if v is None else expected_hmac(key.secret, v) for v in values]
    assert got[0] == got[1]  # case and surrounding spaces do not make another person
    assert got[0] != HASH_PREFIX + hashlib.sha256(EMAIL.encode()).hexdigest()[:16]  # not the unkeyed hash


def test_same_email_in_two_batches_of_one_warehouse_hashes_the_same(tmp_path, model, clients_warehouse):
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    first = load_file(con, model, "surveys", survey_file(tmp_path, "a.csv", "S1", EMAIL), archive_dir=tmp_path / "a")
    second = load_file(con, model, "surveys", survey_file(tmp_path, "b.csv", "S2", " Ivan.Petrov@ALFA.ru"),
                       archive_dir=tmp_path / "a")
    assert first.status == second.status == "loaded" and first.batch_id != second.batch_id
    assert stored_email(con, "S1") == stored_email(con, "S2")
    key = warehouse_key(con)
    assert stored_email(con, "S1") == expected_hmac(key.secret, EMAIL)
    assert con.execute("select count(distinct email) from mart_respondent_contacts").fetchall()[0][0] == 1
    con.close()


def test_two_warehouses_hash_the_same_email_differently(tmp_path, model, clients_warehouse):
    hashes, keys = [], []
    for name in ("one", "two"):
        con = new_warehouse(tmp_path / name, clients_warehouse)
        assert load_file(con, model, "surveys", survey_file(tmp_path, f"{name}.csv", "S1", EMAIL),
                         archive_dir=tmp_path / name / "archive").ok
        hashes.append(stored_email(con, "S1"))
        keys.append(warehouse_key(con).secret)
        con.close()
    assert hashes[0] != hashes[1] and keys[0] != keys[1]


def test_key_file_sits_beside_the_warehouse_readable_by_its_owner_only(tmp_path, model, clients_warehouse):
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    assert not list((tmp_path / "w").glob(f"*{KEY_SUFFIX}"))  # nothing hashed yet: no key
    assert load_file(con, model, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "a").ok
    path = tmp_path / "w" / f"warehouse.duckdb{KEY_SUFFIX}"
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert warehouse_key(con).path == path
    con.close()


def _warehouse_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("warehouse.duckdb*") if not p.name.endswith(KEY_SUFFIX))


@pytest.mark.parametrize("policy", ["hash", "mask", "drop"])
def test_plain_email_appears_nowhere_in_the_warehouse_file(tmp_path, model, policy, clients_warehouse):
    hashed = with_policies(model, email=policy)
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    assert load_file(con, hashed, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "a").ok
    secret = warehouse_key(con).secret if policy == "hash" else None
    con.execute("checkpoint")
    con.close()
    stored = _warehouse_bytes(tmp_path / "w")
    for plain in (EMAIL, "ivan.petrov", "Иван Петров", "345-67-89"):
        assert plain.encode() not in stored, plain
    if secret is not None:
        assert secret not in stored and secret.hex().encode() not in stored  # the key is not in the file


def test_control_a_kept_email_is_found_in_the_warehouse_file(tmp_path, model, clients_warehouse):
    """The search above can fail: with `keep`, the same bytes scan finds the address."""
    keeping = with_policies(model, email="keep")
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    assert load_file(con, keeping, "surveys", DATA / "surveys_small.csv", archive_dir=tmp_path / "a").ok
    con.execute("checkpoint")
    con.close()
    assert EMAIL.encode() in _warehouse_bytes(tmp_path / "w")


def test_a_different_key_file_is_refused_and_nothing_is_loaded(tmp_path, model, clients_warehouse):
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    assert load_file(con, model, "surveys", survey_file(tmp_path, "a.csv", "S1", EMAIL), archive_dir=tmp_path / "a").ok
    key_file = warehouse_key(con).path
    key_file.write_text("00" * 32 + "\n")
    before = con.execute("select count(*) from raw_surveys").fetchall()[0][0]
    result = load_file(con, model, "surveys", survey_file(tmp_path, "b.csv", "S2", EMAIL), archive_dir=tmp_path / "a")
    assert result.status == "failed"
    assert "is not the one this warehouse's hashed values were made with" in result.message
    assert con.execute("select count(*) from raw_surveys").fetchall()[0][0] == before
    con.close()
