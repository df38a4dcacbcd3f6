"""A 200,000-row survey XLSX through the Data page's steps: where the time goes.

python -m benchmarks.bench_upload [--rows 200000] [--browser]

Steps, in the order the page runs them: hash, read (the two calamine passes of the XLSX reader
timed apart), type detection, validation, stored preview, write (rows, mart rebuild) and undo.
Baseline, measured in the same run: the same rows as CSV. With --browser the same workbook also
goes through the real page in headless chromium: upload → report shown, click Load → success.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

from app.service_model import load_service_model
from app.settings import DATA_DIR
from app.warehouse.connection import connect
from app.warehouse.schema import ensure_schema
from benchmarks.common import machine, print_table
from benchmarks.survey_data import write_clients, write_surveys
from pipelines.detect import detect_source
from pipelines.load import load_file, prepare_read, rollback_batch, write_batch
from pipelines.readers import read_table
from pipelines.review import stored_preview


def _timed(results: dict[str, float], name: str, function):
    started = time.perf_counter()
    value = function()
    results[name] = time.perf_counter() - started
    return value


def page_steps(path: Path, con, model, archive: Path) -> dict[str, float]:
    """The Data page's steps on one file, timed; the batch is undone at the end."""
    seconds: dict[str, float] = {}
    data = path.read_bytes()
    _timed(seconds, "sha256", lambda: hashlib.sha256(data).hexdigest())
    if path.suffix == ".xlsx":
        options = dict(
            engine="calamine",
            has_header=False,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
        _timed(
            seconds,
            "  calamine pass 1 (text)",
            lambda: pl.read_excel(data, read_options={"skip_rows": 0, "dtypes": "string"}, **options),
        )
        _timed(
            seconds,
            "  calamine pass 2 (typed)",
            lambda: pl.read_excel(data, read_options={"skip_rows": 1}, **options),
        )
    read = _timed(seconds, "read (reader, all of it)", lambda: read_table(data, path.name))
    _timed(seconds, "detect type", lambda: detect_source(read.frame.columns, model, path.name))
    validation = _timed(seconds, "validate", lambda: prepare_read(con, model, "surveys", read))
    assert validation.problems.is_empty(), validation.problems.head()
    _timed(seconds, "preview (20 rows)", lambda: stored_preview(con, model, validation))
    marks: list[tuple[float, float]] = []
    started = time.perf_counter()
    result = write_batch(
        con,
        model,
        validation,
        data,
        archive,
        lambda fraction, _message: marks.append((fraction, time.perf_counter() - started)),
    )
    seconds["write rows"] = next(t for f, t in marks if f >= 0.75) - next(t for f, t in marks if f >= 0.55)
    seconds["rebuild marts + commit"] = marks[-1][1] - next(t for f, t in marks if f >= 0.75)
    _timed(seconds, "undo (rollback batch)", lambda: rollback_batch(con, model, result.batch_id))
    return seconds


def browser_run(workbook: Path, folder: Path) -> dict[str, float]:
    """Upload the workbook in the real page and load it; seconds to the report and to the success."""
    import re

    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _healthy, _start_server

    process, url = _start_server(folder, folder / "streamlit.log")
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url) and time.monotonic() < deadline:
            time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{url}/data")
            page.wait_for_selector(
                '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000
            )
            started = time.perf_counter()
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(workbook))
            expect(page.get_by_role("progressbar").first).to_be_visible(timeout=120_000)
            seen_progress = time.perf_counter() - started
            load = page.get_by_role("button", name=re.compile(r"^Load [\d,]+ rows$"))
            expect(load).to_be_visible(timeout=300_000)
            report = time.perf_counter() - started
            started = time.perf_counter()
            load.click()
            expect(page.get_by_text(re.compile(r"rows loaded as batch"))).to_be_visible(timeout=300_000)
            loaded = time.perf_counter() - started
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {
        "browser: first progress bar": seen_progress,
        "browser: upload → report": report,
        "browser: Load → success": loaded,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--browser", action="store_true", help="also time the real page in chromium")
    args = parser.parse_args()
    model = load_service_model(DATA_DIR / "service_model.yaml")
    tmp = Path(tempfile.mkdtemp(prefix="cxlens-bench-upload-"))
    try:
        n_clients = max(1000, args.rows // 50)
        clients = write_clients(tmp / "clients.csv", model, n_clients)
        csv = write_surveys(tmp / "surveys.csv", model, args.rows, n_clients)
        started = time.perf_counter()
        workbook = tmp / "surveys.xlsx"
        pl.read_csv(csv, infer_schema=False).write_excel(workbook)
        print(
            f"(writing the {args.rows:,}-row workbook for the test took {time.perf_counter() - started:.0f} s)"
        )
        con = connect(tmp / "warehouse.duckdb")
        ensure_schema(con, model)
        assert load_file(con, model, "clients", clients, archive_dir=tmp / "archive").ok
        xlsx = page_steps(workbook, con, model, tmp / "archive")
        text = page_steps(csv, con, model, tmp / "archive")
        con.close()
        if args.browser:
            xlsx |= browser_run(workbook, tmp)
        rows = [
            [
                step,
                f"{seconds:.2f} s",
                f"{text[step]:.2f} s" if step in text else "–",
                f"{seconds / text[step]:.1f}×" if text.get(step) else "–",
            ]
            for step, seconds in xlsx.items()
        ]
        print(
            f"\n{args.rows:,} survey answers: XLSX {workbook.stat().st_size / 1e6:.1f} MB, CSV "
            f"{csv.stat().st_size / 1e6:.1f} MB — {date.today()}, {machine()}"
        )
        print_table(rows, ["step", "XLSX", "CSV (baseline)", "XLSX / CSV"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
