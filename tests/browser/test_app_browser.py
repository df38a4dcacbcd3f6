"""The app in a real browser: it starts, every page renders without an exception box, filters and
language live in the URL, a copied link restores the view, a bad link gives a notice, and a click on
a heat-map cell opens the touchpoint detail. Also writes the README screenshots (1440×900)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.ui.pages import PAGES, PROJECT_ROOT
from tests.browser.helpers import (
    assert_no_exception,
    choose_option,
    metric_value,
    open_page,
    wait_for_app,
    wait_for_charts,
)

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
CHART = '[data-testid="stVegaLiteChart"]'
METRIC = '[data-testid="stMetricValue"]'
HEADING = '[data-testid="stMain"] h1'


def test_app_starts_on_the_overview(page: Page, app_url: str):
    open_page(page, app_url, expected=METRIC)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text(re.compile(r"answers from [\d,]+ clients"))).to_be_visible()
    assert_no_exception(page)


@pytest.mark.parametrize("entry", PAGES, ids=[p.url_path for p in PAGES])
def test_each_page_renders_and_is_photographed(page: Page, app_url: str, entry):
    path = "" if entry is PAGES[0] else entry.url_path  # the start page lives at the root address
    open_page(page, app_url, path, expected=HEADING)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    wait_for_charts(page)  # elements still arriving after the run show as skeletons first
    assert_no_exception(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{entry.url_path}.png"))


def _choose_business_unit(page: Page, label: str) -> None:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Business unit"
    )
    choose_option(page, box, label)


def test_filter_changes_url_and_figures_and_the_link_restores_them(page: Page, app_url: str, browser):
    open_page(page, app_url, expected=METRIC)
    before = metric_value(page)
    _choose_business_unit(page, "Energy")
    expect(page).to_have_url(re.compile(r"[?&]bu=energy"))
    expect(page.locator(METRIC).first).not_to_have_text(before)
    filtered = metric_value(page)
    copied = page.url
    other = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        other.goto(copied)
        wait_for_app(other, METRIC)
        expect(other.locator(METRIC).first).to_have_text(filtered)
        expect(other.locator('[data-testid="stSidebar"]').get_by_text("Energy", exact=True)).to_be_visible()
    finally:
        other.close()


def test_filters_survive_a_page_switch(page: Page, app_url: str):
    open_page(page, app_url, query="bu=machinery", expected=METRIC)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Journey map").click()
    wait_for_app(page, CHART)
    expect(page).to_have_url(re.compile(r"/journey_map\?.*bu=machinery"))
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("Machinery", exact=True)).to_be_visible()


def test_invalid_url_value_shows_a_notice_not_a_crash(page: Page, app_url: str):
    open_page(page, app_url, "journey_map", "bu=atlantis&metric=sparkle&from=2031-Q9", expected=CHART)
    expect(
        page.get_by_text(re.compile(r"bu=atlantis.*from=2031-Q9|from=2031-Q9.*bu=atlantis"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"metric=sparkle"))).to_be_visible()
    assert_no_exception(page)
    expect(page).not_to_have_url(re.compile(r"atlantis"))


def test_language_switch_translates_and_goes_into_the_url(page: Page, app_url: str):
    open_page(page, app_url, expected=METRIC)
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="Русский").click()
    expect(page.get_by_role("heading", name="Обзор")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]lang=ru"))
    assert_no_exception(page)


def test_clicking_a_heatmap_cell_opens_its_detail(page: Page, app_url: str):
    open_page(page, app_url, "journey_map", "metric=csat", expected=CHART)
    wait_for_charts(page)  # the heat map's final size, before a cell is picked by its position
    heatmap = page.locator(CHART).first
    box = heatmap.bounding_box()
    assert box is not None
    # Layout (app/ui/charts/journey.py): 48 px left gutter, 10 stage columns, rows 136 px high from
    # the bottom. "Delivery" is the 6th stage; its first row holds the "Delivery on time" touchpoint.
    plot_left, plot_width = box["x"] + 48 + 5, box["width"] - 48 - 10
    x = plot_left + plot_width * (5 + 0.5) / 10
    y = box["y"] + box["height"] - 5 - 136 * 1.5
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"[?&]tp=delivery"), timeout=20_000)
    wait_for_app(page, METRIC)
    expect(page.get_by_role("heading", name="Delivery on time")).to_be_visible()
    expect(page.get_by_text("Ratings", exact=True)).to_be_visible()
    assert_no_exception(page)
