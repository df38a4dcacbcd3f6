"""The Data page in a real browser: files go in through the uploader's <input type=file>
(Playwright's set_input_files), the Overview's response count follows every load and undo, a bad
file's error table names row and column, a 1C-style file with Russian headers loads, and files
over the size limit or of an unknown type get a clear message.

Tests on the shared app undo what they load, so the other browser tests see the demo as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.ui.pages import PROJECT_ROOT
from tests.browser.helpers import assert_no_exception, open_page, wait_for_charts
from tests.demo_build import demo_copy
from tests.upload_files import (
    bad_survey_csv,
    demo_client_ids,
    latest_quarter_day,
    russian_survey_csv,
    survey_csv,
)

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
METRIC = '[data-testid="stMetricValue"]'
HEADING = '[data-testid="stMain"] h1'
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def demo_files(demo_db: Path):
    return demo_client_ids(demo_db), latest_quarter_day(demo_db)


def upload(page: Page, files: dict[str, bytes]) -> None:
    page.locator(UPLOAD_INPUT).set_input_files(
        [{"name": name, "mimeType": "text/csv", "buffer": data} for name, data in files.items()]
    )


def overview_answers(page: Page, app_url: str) -> int:
    """The NPS tile's 'n = …' for the newest quarter on the Overview."""
    open_page(page, app_url, "overview", expected=METRIC)
    caption = page.get_by_text(re.compile(r"n = [\d,]+")).first.inner_text()
    return int(re.search(r"n = ([\d,]+)", caption).group(1).replace(",", ""))


def undo_newest_batch(page: Page, app_url: str, file_name: str, rows: int) -> None:
    open_page(page, app_url, "data", expected=HEADING)
    page.get_by_role("button", name="Undo…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(file_name, timeout=TIMEOUT)
    dialog.get_by_role("button", name=re.compile(r"^Undo batch #\d+")).click()
    expect(page.get_by_text(re.compile(rf"undone: {rows} rows removed"))).to_be_visible(timeout=TIMEOUT)


def table_rows(page: Page, first_header: str) -> list[list[str]]:
    """Cell texts of the st.dataframe whose first column is `first_header` (its accessible table)."""
    table = page.locator('[data-testid="stDataFrame"] table').filter(
        has=page.locator("th").first.filter(has_text=first_header)
    )
    rows = table.first.locator("tbody tr")
    return [[c.strip() for c in rows.nth(i).locator("td").all_text_contents()] for i in range(rows.count())]


def test_good_survey_batch_raises_the_overview_count_and_undo_brings_it_back(
    page: Page, app_url: str, demo_files
):
    ids, day = demo_files
    before = overview_answers(page, app_url)
    open_page(page, app_url, "data", expected=HEADING)
    upload(page, {"wave_browser.csv": survey_csv(ids, 9, day, "BR-GOOD")})
    expect(page.get_by_text("No problems: all 9 rows can be loaded.")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="Load 9 rows").click()
    expect(page.get_by_text(re.compile(r"wave_browser\.csv: 9 rows loaded as batch #\d+"))).to_be_visible(
        timeout=TIMEOUT
    )
    assert_no_exception(page)
    assert overview_answers(page, app_url) == before + 9
    undo_newest_batch(page, app_url, "wave_browser.csv", 9)
    assert overview_answers(page, app_url) == before


def test_bad_file_error_table_names_row_and_column(page: Page, app_url: str, demo_files):
    ids, day = demo_files
    open_page(page, app_url, "data", expected=HEADING)
    upload(page, {"wave_with_errors.csv": bad_survey_csv(ids, day, "BR-BAD")})
    expect(page.get_by_text("Problems by kind")).to_be_visible(timeout=TIMEOUT)
    wait_for_charts(page)  # tables draw after the run ends
    problems = [row[:3] for row in table_rows(page, "Row")]
    assert problems == [["3", "nps", "11"], ["5", "client_id", "NO-SUCH-CLIENT"]]
    expect(page.get_by_role("button", name="Load 2 good rows, leave out 2")).to_be_visible()
    page.get_by_role("heading", name="wave_with_errors.csv").evaluate(
        "e => e.scrollIntoView({block: 'start'})"
    )
    page.wait_for_timeout(800)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "data.png"))
    page.get_by_role("button", name="Cancel", exact=True).click()
    expect(page.get_by_text("wave_with_errors.csv: cancelled, nothing was written.")).to_be_visible(
        timeout=TIMEOUT
    )


def test_russian_headers_are_mapped_and_the_file_loads(page: Page, app_url: str, demo_files):
    ids, day = demo_files
    open_page(page, app_url, "data", expected=HEADING)
    upload(page, {"опрос_1С.csv": russian_survey_csv(ids, 6, day, "BR-RU")})
    expect(page.get_by_text("Column mapping for Survey answers")).to_be_visible(timeout=TIMEOUT)
    required = page.get_by_text(re.compile(r"Required:.*nps ← «Оценка»"))
    expect(required).to_be_visible()
    expect(required).to_contain_text("submitted_at ← «Дата»")
    expect(page.get_by_text(re.compile(r"encoding cp1251 · separator: semicolon"))).to_be_visible()
    page.get_by_role("button", name="Load 6 rows").click()
    expect(page.get_by_text(re.compile(r"опрос_1С\.csv: 6 rows loaded as batch #\d+"))).to_be_visible(
        timeout=TIMEOUT
    )
    undo_newest_batch(page, app_url, "опрос_1С.csv", 6)  # leave the shared demo as it was


def test_unknown_file_type_gets_a_clear_message(page: Page, app_url: str):
    open_page(page, app_url, "data", expected=HEADING)
    upload(page, {"board_report.pdf": b"%PDF-1.4 a report, not a table"})
    expect(
        page.get_by_text(re.compile(r"board_report\.pdf cannot be loaded: files of type \.pdf"))
    ).to_be_visible(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def one_mb_app_url(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A second app whose upload limit is 1 MB (STREAMLIT_SERVER_MAX_UPLOAD_SIZE), on its own copy."""
    from tests.browser.conftest import start_app
    from tests.processes import stop

    with demo_copy(demo_dir, tmp_path_factory, "one_mb_app") as folder:
        process, url = start_app(folder, "the 1 MB app", {"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "1"})
        yield url
        stop(process)


def test_file_over_the_upload_limit_gets_a_clear_message(page: Page, one_mb_app_url: str):
    open_page(page, one_mb_app_url, "data", expected=HEADING)
    expect(page.get_by_text(re.compile(r"up to 1 MB per file"))).to_be_visible()
    upload(page, {"year_of_answers.csv": b"response_id,client_id,nps\n" + b"R1,C1,9\n" * 200_000})
    expect(page.get_by_text("File must be 1.0MB or smaller.")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Files to check")).to_have_count(0)
