"""The pipelines CLI as a user runs it: exit codes, the problem table, and a warehouse held elsewhere."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def cli(tmp_path):
    env = {**os.environ, "CXLENS_DB": str(tmp_path / "w.duckdb"), "CXLENS_ARCHIVE": str(tmp_path / "archive")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    run.env = env
    return run


def test_load_no_op_rejection_and_rollback_exit_codes(cli):
    assert cli("load", "clients", str(DATA / "clients_small.csv"), "--quiet").returncode == 0
    first = cli("load", "surveys", str(DATA / "surveys_small.csv"), "--quiet")
    assert first.returncode == 0 and "loaded 4 rows as batch 2" in first.stdout
    again = cli("load", "surveys", str(DATA / "surveys_small.csv"), "--quiet")
    assert again.returncode == 0 and "is already loaded as batch 2" in again.stdout
    bad = cli("load", "surveys", str(DATA / "bad" / "nps_11.csv"), "--quiet")
    assert bad.returncode == 1
    assert "nps_11.csv was rejected" in bad.stdout
    # the problem table names file, row, column, value and what was expected
    assert re.search(r"nps_11\.csv\s*┆\s*2\s*┆\s*nps\s*┆\s*11\s*┆\s*between 0 and 10", bad.stdout)
    listing = json.loads(cli("batches", "--json").stdout)
    assert [(b["batch_id"], b["source"], b["status"]) for b in listing] == [(1, "clients", "loaded"), (2, "surveys", "loaded")]
    assert cli("rollback", "2").returncode == 0
    assert cli("rollback", "2").returncode == 1
    assert json.loads(cli("batches", "--json").stdout)[1]["status"] == "rolled_back"


def test_progress_is_shown_for_loads(cli):
    result = cli("load", "clients", str(DATA / "clients_small.csv"))
    assert "100% Loaded" in result.stderr


def test_locked_warehouse_gets_one_sentence_not_a_traceback(cli):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
                               "time.sleep(60)", cli.env["CXLENS_DB"]],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = cli("load", "clients", str(DATA / "clients_small.csv"))
        assert result.returncode == 3
        assert "Traceback" not in result.stderr
        assert result.stderr.strip() == (
            f"The warehouse {cli.env['CXLENS_DB']} is in use by another process (is the CX Lens app running?). "
            "Stop that process, or load the file through the app's Data page.")
    finally:
        holder.kill()
        holder.wait()


def test_unknown_source_is_a_usage_error(cli):
    result = cli("load", "invoices", "x.csv")
    assert result.returncode == 2 and "invalid choice: 'invoices'" in result.stderr


def test_missing_file_is_reported(cli):
    result = cli("load", "clients", "/nonexistent/clients.csv", "--quiet")
    assert result.returncode == 1 and "no such file" in result.stderr

