"""First start on an empty warehouse: time until the Overview shows its NPS (AppTest on the real entry
script, each measurement in a fresh process with a fresh warehouse).

- before: what the first start did until the key drivers moved to the background — the demo loaded
  and every segment's key-driver model trained inside the first run (`load_demo(train_drivers=True)`),
  then the Overview rendered;
- after: the app's own first start (demo loaded, drivers trained by a background thread), plus when
  the company-wide model and the last segment model were stored.

Run by hand (about a minute per round on 2 cores):  .venv/bin/python -m benchmarks.bench_first_start [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import machine, print_table, run_step

ENTRY = Path(__file__).resolve().parent.parent / "streamlit_app.py"


def _empty_warehouse() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench-first-start-"))
    os.environ["CXLENS_DB"] = str(folder / "warehouse.duckdb")
    os.environ["CXLENS_GROUND_TRUTH"] = str(folder / "ground_truth.json")
    os.environ["CXLENS_ARCHIVE"] = str(folder / "archive")
    return folder


def _overview() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ENTRY), default_timeout=600).run()
    assert not at.exception and at.metric[0].label == "NPS", "the Overview did not render"


def _before() -> dict:
    from app.service_model import load_service_model
    from app.settings import get_settings
    from app.warehouse.connection import connect
    from app.warehouse.schema import ensure_schema
    from pipelines.demo import load_demo

    started = time.perf_counter()
    settings = get_settings()
    model = load_service_model(settings.service_model_path)
    con = connect(settings.db_path)
    ensure_schema(con, model)
    load_demo(con, model, settings.archive_dir, settings.ground_truth_path, train_drivers=True)
    con.close()
    _overview()
    return {"name": "before", "seconds": time.perf_counter() - started}


def _after() -> dict:
    from app.ui import driver_background

    started = time.perf_counter()
    _overview()
    seconds = time.perf_counter() - started
    job = driver_background.status(os.environ["CXLENS_DB"])
    company = None
    while job is not None and job.running:
        if company is None and job.stored:
            company = time.perf_counter() - started
        time.sleep(0.2)
    return {"name": "after", "seconds": seconds, "company_model_s": company,
            "all_models_s": time.perf_counter() - started}


def _step(which: str) -> None:
    _empty_warehouse()
    result = _before() if which == "before" else _after()
    from benchmarks.common import peak_mb

    print(json.dumps(result | {"peak_mb": peak_mb(), "load": os.getloadavg()[0]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--step", choices=["before", "after"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _step(args.step)
        return
    print(f"First start until the Overview shows NPS — {machine()}, load average {os.getloadavg()[0]:.1f}")
    rows = []
    for round_no in range(1, args.rounds + 1):  # alternating, so both see the same machine
        before = run_step("benchmarks.bench_first_start", "--step", "before")
        after = run_step("benchmarks.bench_first_start", "--step", "after")
        rows.append([
            str(round_no), f"{before.seconds:.1f}", f"{after.seconds:.1f}", f"{before.seconds / after.seconds:.1f}×",
            f"{after.detail['company_model_s'] or 0:.1f}", f"{after.detail['all_models_s']:.1f}",
        ])
        sys.stdout.flush()
    print_table(rows, ["round", "before: Overview (s)", "after: Overview (s)", "speed-up",
                       "after: company model stored (s)", "after: all segment models (s)"])


if __name__ == "__main__":
    main()
