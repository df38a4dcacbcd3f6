"""DuckDB's buffer pool is capped (2 GB unless CXLENS_DUCKDB_MEMORY says otherwise), so a ten-million
answer warehouse does not take 80 % of the server's memory as a cache."""

from __future__ import annotations

from app.warehouse.connection import connect, fetch_scalar


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
