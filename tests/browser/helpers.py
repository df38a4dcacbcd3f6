"""Small helpers for driving the app in a browser: open a page and wait until Streamlit is idle."""

from __future__ import annotations

from playwright.sync_api import Page, expect

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'


def wait_for_app(page: Page, expected: str | None = None, timeout_ms: int = 60_000) -> None:
    """Wait for the script run to finish, then for an element that renders lazily after it."""
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    if expected:
        expect(page.locator(expected).first).to_be_visible(timeout=timeout_ms)


def open_page(page: Page, base_url: str, path: str = "", query: str = "", expected: str | None = None) -> None:
    page.goto(f"{base_url}/{path}" + (f"?{query}" if query else ""))
    wait_for_app(page, expected)


def metric_value(page: Page, index: int = 0) -> str:
    return page.locator('[data-testid="stMetricValue"]').nth(index).inner_text()


def assert_no_exception(page: Page) -> None:
    expect(page.locator(EXCEPTION)).to_have_count(0)


# Only what is on screen counts: a chart in a closed tab or expander is never drawn.
_DRAWN = """() => {
    const shown = el => el.offsetParent !== null;
    const skeletons = [...document.querySelectorAll('[data-testid="stSkeleton"]')].filter(shown);
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(shown);
    return skeletons.length === 0 && charts.every(c => c.querySelector('canvas, svg'));
}"""


def wait_for_charts(page: Page, timeout_ms: int = 60_000) -> None:
    """Wait until no element is still a loading skeleton and every chart has drawn its canvas."""
    page.wait_for_function(_DRAWN, timeout=timeout_ms)
    page.wait_for_timeout(500)  # the last chart's transitions
