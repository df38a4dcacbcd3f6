"""The key-drivers page in a real browser: choose a segment (the URL follows and a copied link
restores it), open the waterfall of one answer and switch to another answer; every chart draws.
Also writes the README screenshot docs/screenshots/drivers.png (1440×900)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.ui.pages import PROJECT_ROOT
from tests.browser.helpers import assert_no_exception, choose_option, open_page, wait_for_app, wait_for_charts

SCREENSHOT = PROJECT_ROOT / "docs" / "screenshots" / "drivers.png"
CHART = '[data-testid="stVegaLiteChart"]'
SEGMENT = "Energy · Decision maker"


def _choose(page: Page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text=label)
    choose_option(page, box, option, exact=False)


def _open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)
    expect(page.get_by_role("tabpanel", name=name).locator(CHART).first).to_be_visible(timeout=30_000)


def test_choose_a_segment_and_open_a_waterfall(page: Page, app_url: str, browser):
    open_page(page, app_url, "drivers", expected=CHART)
    expect(page.get_by_text("What moves NPS for All respondents:")).to_be_visible()
    _choose(page, "Segment", SEGMENT)
    expect(page).to_have_url(re.compile(r"seg=business_unit%3Denergy%3Brespondent_role%3Ddecision_maker"))
    expect(page.get_by_text(f"What moves NPS for {SEGMENT}:")).to_be_visible()
    wait_for_charts(page)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    _open_tab(page, "One answer or client")
    panel = page.get_by_role("tabpanel", name="One answer or client")
    first = panel.get_by_text(re.compile(r"^R\d+ from ")).inner_text()
    expect(panel.locator(CHART).first).to_be_visible()
    options = panel.locator('[data-testid="stSelectbox"]').filter(has_text="Answer").locator("input")
    current = options.input_value()
    options.click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(panel.get_by_text(re.compile(r"^R\d+ from "))).not_to_have_text(first)
    assert options.input_value() != current
    expect(page).to_have_url(re.compile(r"resp=R\d+"))
    wait_for_charts(page)
    assert_no_exception(page)

    copied = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        copied.goto(page.url)
        wait_for_app(copied, CHART)
        expect(copied.get_by_text(f"What moves NPS for {SEGMENT}:")).to_be_visible()
    finally:
        copied.close()


def test_every_tab_draws_its_chart(page: Page, app_url: str):
    open_page(page, app_url, "drivers", query="seg=business_unit%3Denergy", expected=CHART)
    for tab in ("How far to trust it", "All answers", "One driver", "Two segments", "Priorities", "What if"):
        _open_tab(page, tab)
    expect(page.get_by_text(re.compile(r"and expected NPS by"))).to_be_visible()
    wait_for_charts(page)
    assert_no_exception(page)
