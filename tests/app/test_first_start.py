"""The first start on an empty warehouse: the demo company (with its ground truth) is loaded inside the
first run, the Overview is usable while the key-driver models are still training in the background,
and the drivers page says plainly what is still training (AppTest on the real entry script, real demo
load, real LightGBM in the background thread). One test, because each first start loads the whole
demo company (~12 s)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app.ui import driver_background
from app.ui.pages import PROJECT_ROOT
from app.ui.startup import stop_daily_follow_up_refresh

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
DRIVERS = "app_pages/drivers.py"


@pytest.fixture
def empty_env(tmp_path, monkeypatch):
    db = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("CXLENS_DB", str(db))
    monkeypatch.setenv("CXLENS_GROUND_TRUTH", str(tmp_path / "ground_truth.json"))
    monkeypatch.setenv("CXLENS_ARCHIVE", str(tmp_path / "archive"))
    yield str(db)
    driver_background.stop(str(db))  # no training left running into the next tests
    stop_daily_follow_up_refresh(str(db))


def _texts(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.info, *at.warning, *at.error])


def _stored_runs(db: str) -> int:
    con = duckdb.connect(db)  # the app's own database instance in this process
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        return con.execute("select count(*) from driver_runs").fetchall()[0][0] if "driver_runs" in tables else 0
    finally:
        con.close()


def _wait_for(condition, seconds: float = 240.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the background training did not get there in time"
        time.sleep(0.5)


def test_overview_is_usable_while_the_driver_models_train(empty_env):
    lock = driver_background.training_lock()
    lock.acquire()  # the background training waits behind it: no model can be stored yet
    try:
        at = AppTest.from_file(ENTRY, default_timeout=240).run()
        assert not at.exception, [e.message for e in at.exception]
        assert at.metric[0].label == "NPS" and at.metric[0].value  # the Overview's figures are there
        assert (Path(empty_env).parent / "ground_truth.json").exists()  # the demo's story came with it
        job = driver_background.status(empty_env)
        assert job is not None and job.phase == "waiting" and _stored_runs(empty_env) == 0
        at.switch_page(DRIVERS).run()
        assert not at.exception, [e.message for e in at.exception]
        assert "being trained in the background" in _texts(at)
    finally:
        lock.release()
    _wait_for(lambda: job.stored >= 1)  # the company-wide model is stored first
    at.query_params["seg"] = "business_unit=energy"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert job.running, "the segment models finished unexpectedly fast; the test cannot see them training"
    assert "Models for segment “Energy” are still training" in _texts(at)
    driver_background.stop(empty_env)  # the app stops half-way: the segment is left unfinished
    assert job.phase == "cancelled"
    at.run()
    assert "was not finished" in _texts(at)
    at.query_params["seg"] = "all"
    at.run()
    assert not at.exception and "training" not in _texts(at)
    assert any(m.label == "Answers in the model" for m in at.metric)  # the company-wide model's tiles
