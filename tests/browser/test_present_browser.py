"""Storyline to projector to deck, in a real browser: three views added from two pages through the
sidebar's "Add this view", presented full screen, stepped through with the keyboard (arrows and the
PageUp/PageDown a clicker sends), a live filter changed and reset, and the storyline downloaded as
PPTX and PDF and opened. Also writes docs/screenshots/present.png at 1920×1080."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from app.ui.pages import PROJECT_ROOT
from tests.browser.helpers import assert_no_exception, open_page, wait_for_app, wait_for_charts

SIDEBAR = '[data-testid="stSidebar"]'
CHART = '[data-testid="stVegaLiteChart"]'
COUNTER = '[data-testid="cx-slide-counter"]'
SLIDE_TITLE = '.st-key-present_head h1'
FIGURE = '[data-testid="cx-key-figure"]'
SCREENSHOT = PROJECT_ROOT / "docs" / "screenshots" / "present.png"
VIEWS = (  # (page, url query, slide title, takeaway)
    ("", "", "Loyalty holds, Energy lags", "NPS is stable overall; Energy trails the other units."),
    ("journey_map", "", "Where we lose clients", "The proposal is the weakest step of the journey."),
    ("journey_map", "metric=nps", "Who recommends us, by touchpoint", "Raters of the proposal recommend us least."),
)
STORYLINE = "Board session browser test"


def _add_view(page: Page, title: str, takeaway: str, new_storyline: str | None) -> None:
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_role("button", name=re.compile("Add this view")).click()
    popover = page.locator('[data-testid="stPopoverBody"]')
    expect(popover.get_by_role("textbox", name="Slide title")).to_be_visible()
    if new_storyline:
        popover.get_by_role("textbox", name="Title of a new storyline").fill(new_storyline)
    popover.get_by_role("textbox", name="Slide title").fill(title)
    popover.get_by_role("textbox", name="Takeaway").fill(takeaway)
    popover.get_by_role("button", name="Add to storyline").click()
    expect(page.get_by_text(re.compile(r"Added as slide \d of"))).to_be_visible(timeout=20_000)
    wait_for_app(page)
    page.keyboard.press("Escape")


def _build_storyline(page: Page, app_url: str) -> None:
    for index, (path, query, title, takeaway) in enumerate(VIEWS):
        open_page(page, app_url, path, query, expected=CHART)
        _add_view(page, title, takeaway, STORYLINE if index == 0 else None)


def _step(page: Page, key: str, expected_counter: str, expected_title: str) -> None:
    page.keyboard.press(key)
    expect(page.locator(COUNTER)).to_have_text(expected_counter, timeout=20_000)
    expect(page.locator(SLIDE_TITLE)).to_have_text(expected_title, timeout=20_000)


def _present(page: Page) -> None:
    page.get_by_role("button", name="Present").click()
    wait_for_app(page, COUNTER)
    expect(page.locator(COUNTER)).to_have_text("1 / 3")
    expect(page.locator(SIDEBAR)).to_be_hidden()
    expect(page.locator(SLIDE_TITLE)).to_have_text(VIEWS[0][2])
    page.locator(SLIDE_TITLE).click()  # focus the slide, as a presenter clicking into the window does
    _step(page, "ArrowRight", "2 / 3", VIEWS[1][2])
    _step(page, "PageDown", "3 / 3", VIEWS[2][2])
    _step(page, "ArrowRight", "3 / 3", VIEWS[2][2])  # the last slide stays put
    _step(page, "PageUp", "2 / 3", VIEWS[1][2])
    _step(page, "ArrowLeft", "1 / 3", VIEWS[0][2])
    expect(page).to_have_url(re.compile(r"/present\?.*story=\d+"))


def _live_filter_and_reset(page: Page) -> None:
    wait_for_app(page, FIGURE)
    before = page.locator(FIGURE).text_content()
    page.get_by_role("button", name=re.compile("^Filters")).click()
    popover = page.locator('[data-testid="stPopoverBody"]').filter(visible=True)
    popover.locator('[data-testid="stMultiSelect"]').filter(has_text="Business unit").click()
    page.get_by_role("option", name="Energy", exact=True).click()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")  # the option list, then the popover
    wait_for_app(page)
    expect(page.get_by_role("button", name=re.compile("Filters changed"))).to_be_visible()
    expect(page.locator(FIGURE)).not_to_have_text(before)
    page.get_by_role("button", name=re.compile("^Reset")).click()
    wait_for_app(page)
    expect(page.locator(FIGURE)).to_have_text(before)


def _screenshot(page: Page) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.keyboard.press("End")
    expect(page.locator(COUNTER)).to_have_text("3 / 3", timeout=20_000)
    page.keyboard.press("Home")
    expect(page.locator(COUNTER)).to_have_text("1 / 3", timeout=20_000)
    expect(page.locator(CHART).first).to_be_visible()
    wait_for_charts(page)  # the chart finishes drawing after it appears
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    page.set_viewport_size({"width": 1440, "height": 900})


def _download(page: Page, button: str) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button).click()
    path = info.value.path()
    return path.read_bytes()


def _check_pptx(data: bytes) -> None:
    deck = Presentation(io.BytesIO(data))
    assert len(deck.slides) == 3
    assert [s.shapes.title.text for s in deck.slides] == [v[2] for v in VIEWS]
    for slide in deck.slides:
        assert any(shape.shape_type == MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes)


def _check_pdf(data: bytes) -> None:
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == 3


@pytest.fixture(scope="module")
def storyline(browser, app_url: str) -> str:
    """The three views added through the sidebar, once for this module; yields the app's base URL."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        _build_storyline(page, app_url)
        open_page(page, app_url, "storylines", expected="text=Storyline")
        expect(page.get_by_text(VIEWS[2][3])).to_be_visible()
    finally:
        page.close()
    return app_url


def test_storyline_is_presented_full_screen_and_stepped_through_with_the_keyboard(page: Page, storyline: str):
    open_page(page, storyline, "storylines", expected="text=PowerPoint")
    _present(page)
    _live_filter_and_reset(page)
    _screenshot(page)
    assert_no_exception(page)
    page.get_by_role("link", name="Exit").click()
    wait_for_app(page, "text=PowerPoint")
    expect(page.get_by_text(VIEWS[2][3])).to_be_visible()
    page.screenshot(path=str(SCREENSHOT.with_name("storylines.png")))  # README: the editor with a storyline


def test_storyline_downloads_as_pptx_and_pdf_with_a_slide_per_view(page: Page, storyline: str):
    open_page(page, storyline, "storylines", expected="text=PowerPoint")
    _check_pptx(_download(page, "PowerPoint"))
    _check_pdf(_download(page, "PDF"))
