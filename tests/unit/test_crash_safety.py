"""A load killed with SIGKILL at any point leaves the warehouse with the whole batch or none of it.

A real child process runs `python -m pipelines load surveys big.csv`; the test watches its progress
line on stderr and kills it (SIGKILL: no cleanup, no rollback by the process itself) while it
reads, while it inserts, while it rebuilds the marts and commits, and after the commit. Then it
opens the warehouse as the app would (DuckDB replays or discards its write-ahead log) and checks
that the batch table, the raw rows and the marts agree.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT
from app.warehouse.connection import connect, fetch_scalar
from benchmarks.survey_data import write_clients, write_surveys
from pipelines.load import load_file, rollback_batch

N_ROWS = 60_000
N_CLIENTS = 500
# (progress message to wait for, extra seconds before the kill)
KILL_POINTS = [("Reading", 0.0), ("Writing", 0.0), ("Writing", 0.15), ("Rebuilding", 0.0), ("Loaded", 0.0)]


@pytest.fixture(scope="module")
def big_load(tmp_path_factory, model):
    folder = tmp_path_factory.mktemp("crash")
    write_clients(folder / "clients.csv", model, N_CLIENTS)
    write_surveys(folder / "big.csv", model, N_ROWS, N_CLIENTS)
    con = connect(folder / "warehouse.duckdb")
    try:
        assert load_file(con, model, "clients", folder / "clients.csv", archive_dir=folder / "archive").ok
    finally:
        con.close()
    return folder


def load_and_kill(folder: Path, message: str, delay: float, timeout: float = 120) -> bool:
    """Start the CLI load; SIGKILL it `delay` s after `message` appears. True if it was killed."""
    env = {
        **os.environ,
        "CXLENS_DB": str(folder / "warehouse.duckdb"),
        "CXLENS_ARCHIVE": str(folder / "archive"),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "pipelines", "load", "surveys", str(folder / "big.csv")],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = threading.Event()

    def watch() -> None:
        text = b""
        while chunk := child.stderr.read1(4096):
            text += chunk
            if message.encode() in text:
                seen.set()
        seen.set()  # the process ended before the message: the kill below finds it gone

    threading.Thread(target=watch, daemon=True).start()
    assert seen.wait(timeout), f"no '{message}' from the load within {timeout} s"
    time.sleep(delay)
    killed = child.poll() is None
    if killed:
        os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    child.stderr.close()
    return killed


def assert_whole_or_nothing(folder: Path) -> int:
    """Open as the app does; every check must hold. Returns the number of survey rows present."""
    con = connect(folder / "warehouse.duckdb")
    try:
        loaded = con.execute(
            "select batch_id, rows_accepted, archive_path from batches "
            "where source = 'surveys' and status = 'loaded'"
        ).fetchall()
        raw = fetch_scalar(con, "select count(*) from raw_surveys")
        assert raw == sum(rows for _, rows, _ in loaded)
        assert raw in (0, N_ROWS), f"a partial batch: {raw} of {N_ROWS} rows"
        orphans = fetch_scalar(
            con,
            "select count(*) from raw_surveys where batch_id not in "
            "(select batch_id from batches where status = 'loaded')",
        )
        assert orphans == 0
        assert fetch_scalar(con, "select count(*) from mart_responses") == raw
        assert (fetch_scalar(con, "select coalesce(sum(n), 0) from mart_nps") or 0) == raw
        assert all(Path(path).is_file() for _, _, path in loaded), "a loaded batch lost its archived file"
        return raw
    finally:
        con.close()


def roll_back_surveys(folder: Path, model) -> None:
    con = connect(folder / "warehouse.duckdb")
    try:
        for (batch_id,) in con.execute(
            "select batch_id from batches where source = 'surveys' and status = 'loaded'"
        ).fetchall():
            rollback_batch(con, model, batch_id)
    finally:
        con.close()


@pytest.mark.slow
def test_a_load_killed_at_any_point_leaves_the_whole_batch_or_none(big_load, model):
    outcomes = []
    for message, delay in KILL_POINTS:
        killed = load_and_kill(big_load, message, delay)
        rows = assert_whole_or_nothing(big_load)
        outcomes.append((message, delay, killed, rows))
        if rows:
            roll_back_surveys(big_load, model)  # so that the next kill point loads the batch again
            assert assert_whole_or_nothing(big_load) == 0
    assert outcomes[0][3] == 0, "killed while reading: nothing may be written"
    assert outcomes[-1][3] == N_ROWS, "killed after 'Loaded': the committed batch must survive"
    # After all that the warehouse still takes the same file, whole.
    env = {
        **os.environ,
        "CXLENS_DB": str(big_load / "warehouse.duckdb"),
        "CXLENS_ARCHIVE": str(big_load / "archive"),
    }
    finished = subprocess.run(
        [sys.executable, "-m", "pipelines", "load", "surveys", str(big_load / "big.csv"), "--quiet"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert assert_whole_or_nothing(big_load) == N_ROWS
