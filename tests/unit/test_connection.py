"""Opening the warehouse: DuckDB's buffer pool is capped (2 GB unless CXLENS_DUCKDB_MEMORY says
otherwise), so a ten-million answer warehouse does not take 80 % of the server's memory as a cache;
and the writers of one process take turns instead of failing each other's commits."""

from __future__ import annotations

import threading
import time

from app.warehouse.connection import connect, fetch_scalar, write_transaction


def _limit(con) -> str:
    return str(fetch_scalar(con, "select current_setting('memory_limit')"))


def test_default_cap_is_two_gigabytes(tmp_path, monkeypatch):
    monkeypatch.delenv("CXLENS_DUCKDB_MEMORY", raising=False)
    con = connect(tmp_path / "w.duckdb")
    try:
        assert _limit(con) == "1.8 GiB"  # 2 GB (DuckDB prints binary units)
    finally:
        con.close()


def test_environment_overrides_the_cap(tmp_path, monkeypatch):
    monkeypatch.setenv("CXLENS_DUCKDB_MEMORY", "512MB")
    con = connect(tmp_path / "w.duckdb")
    try:
        assert _limit(con) == "488.2 MiB"  # 512 MB
    finally:
        con.close()


def test_writers_of_one_process_take_turns_instead_of_conflicting(tmp_path):
    """A load and the KPI refresh rewrite the same rows: side by side, DuckDB fails the later commit."""
    con = connect(tmp_path / "w.duckdb")
    con.execute("create table kpi (kpi_id varchar, value double)")
    con.execute("insert into kpi values ('nps', 1)")
    events: list[str] = []
    waiting = threading.Event()

    def second_writer() -> None:
        cur = con.cursor()
        waiting.set()
        with write_transaction(cur):
            events.append("second writes")
            cur.execute("update kpi set value = 3 where kpi_id = 'nps'")
        cur.close()

    with write_transaction(con):
        con.execute("update kpi set value = 2 where kpi_id = 'nps'")
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert waiting.wait(5)
        time.sleep(0.3)  # time enough for the second writer to run if nothing held it back
        events.append("first commits")
    thread.join(10)
    assert events == ["first commits", "second writes"]
    assert fetch_scalar(con, "select value from kpi") == 3
    con.close()


def test_a_failed_write_leaves_nothing_and_frees_the_next_writer(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    con.execute("create table t (x integer)")
    try:
        with write_transaction(con):
            con.execute("insert into t values (1)")
            raise RuntimeError("failure midway")
    except RuntimeError:
        pass
    assert fetch_scalar(con, "select count(*) from t") == 0
    with write_transaction(con):
        con.execute("insert into t values (2)")
    assert fetch_scalar(con, "select count(*) from t") == 1
    con.close()
