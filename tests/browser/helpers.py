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
