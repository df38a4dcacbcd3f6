"""Small helpers for driving the app in a browser: open a page and wait until Streamlit is idle."""

from __future__ import annotations

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'


def wait_for_app(page: Page, expected: str | None = None, timeout_ms: int = 60_000) -> None:
    """Wait for the script run to finish, then for an element that renders lazily after it."""
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    if expected:
        expect(page.locator(expected).first).to_be_visible(timeout=timeout_ms)


def open_page(
    page: Page, base_url: str, path: str = "", query: str = "", expected: str | None = None
) -> None:
    page.goto(f"{base_url}/{path}" + (f"?{query}" if query else ""))
    wait_for_app(page, expected)


def choose_option(page: Page, box: Locator, option: str, *, exact: bool = True, attempts: int = 4) -> None:
    """Type into a select box or multiselect and click the option, then check it was taken. Retried: a
    rerun that lands while the list is open closes it and detaches the option under the pointer."""
    field = box.locator("input")
    multi = box.get_attribute("data-testid") == "stMultiSelect"
    name = option if exact else re.compile(re.escape(option))
    for _attempt in range(attempts):
        try:
            field.click(timeout=10_000)
            page.keyboard.type(option)
            page.get_by_role("option", name=name, exact=exact or None).first.click(timeout=5_000)
        except PlaywrightError:
            pass
        if multi or page.get_by_role("listbox").count():
            page.keyboard.press("Escape")  # a multiselect's list stays open after a choice
        wait_for_app(page)
        taken = box.inner_text() if multi else field.input_value()  # a multiselect shows a tag
        if option in taken:
            return
    raise AssertionError(f"could not choose {option!r} in {box}")


def metric_value(page: Page, index: int = 0) -> str:
    return page.locator('[data-testid="stMetricValue"]').nth(index).inner_text()


def assert_no_exception(page: Page) -> None:
    expect(page.locator(EXCEPTION)).to_have_count(0)


# Only what is on screen counts: a chart in a closed tab or expander is never drawn. Settled: the script
# run has ended, no element is a loading skeleton, every chart has its canvas, and the page held the
# same number of elements at the previous poll (nothing is still arriving after the run).
_SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const count = document.querySelectorAll('[data-testid="stMain"] *').length;
    const previous = window.__cxElementCount;
    window.__cxElementCount = count;
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    const shown = el => el.offsetParent !== null;
    const skeletons = [...document.querySelectorAll('[data-testid="stSkeleton"]')].filter(shown);
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(shown);
    return skeletons.length === 0 && charts.every(c => c.querySelector('canvas, svg')) && count === previous;
}"""
SETTLE_POLL_MS = 300


def wait_for_charts(page: Page, timeout_ms: int = 60_000) -> None:
    """Wait until the page has settled: no element is still a loading skeleton, every chart has drawn
    its canvas, and no element arrived during the last poll interval (a fixed pause was slower on a
    quiet machine and could still be too short on a busy one)."""
    page.evaluate("window.__cxElementCount = -1")
    page.wait_for_function(_SETTLED, timeout=timeout_ms, polling=SETTLE_POLL_MS)
