"""Eight people browse while an analyst loads one survey batch and undoes another, all at once,
against one real app server on 127.0.0.1 (its own copy of the demo warehouse).

Each browsing session is a browser tab (its own Streamlit session and websocket). All eight open a
dashboard the moment the analyst clicks "Load" and another the moment they confirm an undo on the
Data page, so page queries race the write transactions; then each reads the Overview. Checked: no
session shows an exception; every session ends with the same figures; those figures and the
warehouse's row counts equal the sum of the batches that are loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import threading
from pathlib import Path

import duckdb
import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, async_playwright, expect

from app.warehouse.connection import connect
from pipelines.load import load_file
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, VIEWPORT, start_app
from tests.browser.helpers import EXCEPTION, IDLE
from tests.processes import stop
from tests.upload_files import demo_client_ids, latest_quarter_day, survey_csv

SESSIONS = 8
ROWS_A, ROWS_B = 40, 25
TIMEOUT_MS = 120_000
ANSWERS = re.compile(r"([\d,]+) answers from")
TILE_N = re.compile(r"n = ([\d,]+)")


@pytest.fixture
def busy_app(demo_dir: Path, tmp_path: Path, model):
    """A private app whose warehouse already holds batch B (loaded through the pipeline before the start)."""
    folder = tmp_path / "app"
    shutil.copytree(demo_dir, folder)
    ids, day = demo_client_ids(folder / "warehouse.duckdb"), latest_quarter_day(folder / "warehouse.duckdb")
    (tmp_path / "concurrency_b.csv").write_bytes(survey_csv(ids, ROWS_B, day, "CONC-B"))
    con = connect(folder / "warehouse.duckdb")
    try:
        loaded = load_file(con, model, "surveys", tmp_path / "concurrency_b.csv", archive_dir=folder / "archive")
    finally:
        con.close()  # the app's process must be the file's only holder
    assert loaded.ok, loaded.message
    process, url = start_app(folder, "the concurrency app")
    yield url, folder, survey_csv(ids, ROWS_A, day, "CONC-A"), lambda: stop(process)
    stop(process)


async def settle(page: Page, expected: str | None = None) -> None:
    await page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
    if expected:
        await expect(page.locator(expected).first).to_be_visible(timeout=TIMEOUT_MS)


async def visit(page: Page, base: str, path: str, problems: list[str], expected: str) -> None:
    await page.goto(f"{base}/{path}")
    await settle(page, expected)
    if await page.locator(EXCEPTION).count():
        problems.append(f"{path}: {await page.locator(EXCEPTION).first.inner_text()}")


async def browse(
    page: Page, base: str, moments: dict[str, asyncio.Event], problems: list[str]
) -> tuple[int, str, int]:
    """Open a dashboard the moment the analyst clicks Load and another the moment they confirm the
    undo (so reads race the writes' transactions), then read the Overview."""
    for moment, path in (("loading", "journey_map"), ("undoing", "overview")):
        await moments[moment].wait()
        await visit(page, base, path, problems, '[data-testid="stMain"] h1')
    await moments["done"].wait()
    await visit(page, base, "overview", problems, '[data-testid="stMetricValue"]')
    freshness = await page.get_by_text(ANSWERS).first.inner_text()
    nps = await page.locator('[data-testid="stMetricValue"]').first.inner_text()
    tile_n = await page.get_by_text(TILE_N).first.inner_text()
    return (
        int(ANSWERS.search(freshness).group(1).replace(",", "")),
        nps,
        int(TILE_N.search(tile_n).group(1).replace(",", "")),
    )


async def analyst(page: Page, base: str, file_a: bytes, moments: dict[str, asyncio.Event]) -> None:
    """Load batch A, then undo batch B, on the Data page; announce the two moments of writing."""
    try:
        await page.goto(f"{base}/data")
        await settle(page, '[data-testid="stMain"] h1')
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            [{"name": "concurrency_a.csv", "mimeType": "text/csv", "buffer": file_a}]
        )
        load = page.get_by_role("button", name=f"Load {ROWS_A} rows")
        await load.wait_for(timeout=TIMEOUT_MS)
        moments["loading"].set()
        await load.click()
        await expect(
            page.get_by_text(re.compile(rf"concurrency_a\.csv: {ROWS_A} rows loaded as batch #\d+"))
        ).to_be_visible(timeout=TIMEOUT_MS)
        await page.goto(f"{base}/data")  # a fresh page: the history now lists batch A as well
        await settle(page, '[data-testid="stMain"] h1')
        await choose_batch(page, "concurrency_b.csv")
        await page.get_by_role("button", name="Undo…").click()
        confirm = page.get_by_role("dialog").get_by_role("button", name=re.compile(r"^Undo batch #\d+"))
        await confirm.wait_for(timeout=TIMEOUT_MS)
        moments["undoing"].set()
        await confirm.click()
        await expect(page.get_by_text(re.compile(rf"undone: {ROWS_B} rows removed"))).to_be_visible(
            timeout=TIMEOUT_MS
        )
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "concurrency_analyst.png"), full_page=True)
        raise
    finally:
        for event in moments.values():  # never leave a browsing session waiting
            event.set()


async def choose_batch(page: Page, file_name: str) -> None:
    """Pick the batch to undo in the history's selectbox: type to filter, Enter (retried while the
    page may still be redrawing), and check the choice took."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Batch").locator("input")
    for _attempt in range(5):
        with contextlib.suppress(PlaywrightError):
            await box.click(timeout=10_000)
            await page.keyboard.type(file_name)
            await page.keyboard.press("Enter")
        await settle(page)
        if file_name in await box.input_value():
            return
    raise AssertionError(f"could not choose {file_name} in the undo list")


async def scenario(base: str, file_a: bytes) -> tuple[list, list[str]]:
    problems: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport=VIEWPORT)  # each tab is a session of its own
            pages = [await context.new_page() for _ in range(SESSIONS + 1)]
            moments = {name: asyncio.Event() for name in ("loading", "undoing", "done")}
            results = await asyncio.gather(
                analyst(pages[0], base, file_a, moments),
                *(browse(page, base, moments, problems) for page in pages[1:]),
            )
        finally:
            await browser.close()
    return list(results[1:]), problems


def run_in_thread(coroutine) -> object:
    """asyncio.run in a thread of its own: pytest-playwright's sync fixtures own this thread's loop."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc

    worker = threading.Thread(target=target)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.mark.timeout(600)  # ~30 s on an idle 2-core machine; generous for a loaded CI runner
def test_eight_sessions_browse_while_an_analyst_loads_and_undoes(busy_app):
    base, folder, file_a, stop_server = busy_app
    figures, problems = run_in_thread(scenario(base, file_a))
    assert not problems, problems
    assert len(set(figures)) == 1, f"sessions disagree: {figures}"
    answers, _nps, tile_n = figures[0]

    stop_server()  # DuckDB lets one process hold the file: check the warehouse after the app is gone
    con = duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True)
    try:
        raw, loaded_sum, marts, newest_n, a_rows, b_rows = con.execute("""
            select (select count(*) from raw_surveys),
                   (select sum(rows_accepted) from batches where source = 'surveys' and status = 'loaded'),
                   (select count(*) from mart_responses),
                   (select sum(n) from mart_nps where period = (select max(period) from mart_nps)),
                   (select count(*) from raw_surveys where response_id like 'CONC-A-%'),
                   (select count(*) from raw_surveys where response_id like 'CONC-B-%')
        """).fetchall()[0]
    finally:
        con.close()
    assert (a_rows, b_rows) == (ROWS_A, 0)
    assert raw == loaded_sum == marts == answers
    assert tile_n == newest_n
