"""The bottleneck and follow-up slides on a projector, in a real browser: both views added through the
sidebar's "Add this view" into a new storyline, presented full screen at 1920×1080 with their own
titles, key figures and charts drawn. Screenshots of both slides go to tests/browser/artifacts/
(present_bottlenecks.png, present_follow_ups.png) for a person to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import assert_no_exception, open_page, wait_for_app, wait_for_charts

SIDEBAR = '[data-testid="stSidebar"]'
POPOVER = '[data-testid="stPopoverBody"]'
CHART = '[data-testid="stVegaLiteChart"]'
COUNTER = '[data-testid="cx-slide-counter"]'
SLIDE_TITLE = ".st-key-present_head h1"
FIGURE = '[data-testid="cx-key-figure"]'
STORYLINE = "Operations browser test"
SLIDES = (  # (page, url query, slide title drawn by the slide function, words of its key figure, screenshot)
    ("bottlenecks", "process=commercial_proposal", "Commercial proposal: where customers wait",
     "Proposal approval in Energy", "present_bottlenecks.png"),
    ("follow_ups", "", "Closing the loop with detractors", "past due", "present_follow_ups.png"),
)


def _add_view(page: Page, takeaway: str, new_storyline: str | None) -> None:
    page.locator(SIDEBAR).get_by_role("button", name=re.compile("Add this view")).click()
    popover = page.locator(POPOVER)
    expect(popover.get_by_role("textbox", name="Takeaway")).to_be_visible()
    if new_storyline:  # other tests of this app may have made storylines: start a new one explicitly
        popover.locator('[data-testid="stSelectbox"]').filter(has_text="Storyline").click()
        page.get_by_role("option", name=re.compile("New storyline")).click()
        popover.get_by_role("textbox", name="Title of a new storyline").fill(new_storyline)
    popover.get_by_role("textbox", name="Takeaway").fill(takeaway)
    popover.get_by_role("button", name="Add to storyline").click()
    expect(page.get_by_text(re.compile(r"Added as slide \d of"))).to_be_visible(timeout=20_000)
    wait_for_app(page)
    page.keyboard.press("Escape")


@pytest.fixture(scope="module")
def storyline(browser, app_url: str) -> str:
    """Both views in a new storyline, once for this module; yields the app's base URL."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        for index, (path, query, *_rest) in enumerate(SLIDES):
            open_page(page, app_url, path, query, expected=CHART)
            _add_view(page, f"Takeaway {index + 1}", STORYLINE if index == 0 else None)
    finally:
        page.close()
    return app_url


def _show(page: Page, number: int) -> None:
    _path, _query, title, figure, screenshot = SLIDES[number - 1]
    expect(page.locator(COUNTER)).to_have_text(f"{number} / {len(SLIDES)}", timeout=30_000)
    expect(page.locator(SLIDE_TITLE)).to_have_text(title, timeout=30_000)
    expect(page.locator(FIGURE)).to_contain_text(figure)
    expect(page.locator(CHART)).to_have_count(1)
    wait_for_charts(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot))


def test_bottleneck_and_follow_up_slides_are_presented_at_projector_size(page: Page, storyline: str):
    open_page(page, storyline, "storylines", expected="text=PowerPoint")
    expect(page.get_by_text("Takeaway 2")).to_be_visible()  # the newest storyline is this module's
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.get_by_role("button", name="Present").click()
    wait_for_app(page, COUNTER)
    _show(page, 1)
    page.locator(SLIDE_TITLE).click()  # focus the slide, as a presenter clicking into the window does
    page.keyboard.press("ArrowRight")
    _show(page, 2)
    assert_no_exception(page)
