"""Access control as a person meets it in a real browser, on an app with users configured: the
sign-in form first (and nothing else), a deep link to a page above the role answered with a
refusal, a menu that only lists what the role may open, sign-out, and an unknown page address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.auth.users import set_user
from app.ui.pages import PROJECT_ROOT
from tests.browser.conftest import start_app
from tests.browser.helpers import IDLE, assert_no_exception, wait_for_app
from tests.demo_build import demo_copy
from tests.processes import stop

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
PASSWORDS = {"vic": "viewer secret", "ann": "analyst secret"}
NAV = '[data-testid="stSidebarNav"]'
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def protected_url(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """An app of its own with a viewer and an analyst configured."""
    with demo_copy(demo_dir, tmp_path_factory, "protected_app") as folder:
        set_user(folder / "users.yaml", "vic", "viewer", PASSWORDS["vic"], rounds=4)
        set_user(folder / "users.yaml", "ann", "analyst", PASSWORDS["ann"], rounds=4)
        process, url = start_app(folder, "the protected app", {"CXLENS_USERS": str(folder / "users.yaml")})
        yield url
        stop(process)


def sign_in(page: Page, name: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Sign in to CX Lens")).to_have_count(0, timeout=TIMEOUT)
    wait_for_app(page)


def test_deep_link_asks_for_sign_in_then_refuses_a_viewer(page: Page, protected_url: str):
    page.goto(f"{protected_url}/data")
    wait_for_app(page, "text=Sign in to CX Lens")
    expect(page.locator(NAV)).to_have_count(0)  # no menu, no filters, no figures before signing in
    expect(page.locator('[data-testid="stMetricValue"]')).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sign_in.png"))

    sign_in(page, "vic")
    assert page.url.rstrip("/").endswith("/data")
    expect(page.get_by_role("heading", name="No access to this page")).to_be_visible(timeout=TIMEOUT)
    expect(
        page.get_by_text("“Data” needs the analyst role; you are signed in as vic (viewer).")
    ).to_be_visible()
    expect(page.get_by_text("Upload")).to_have_count(0)
    nav = page.locator(NAV)
    expect(nav).to_contain_text("Overview")
    expect(nav).not_to_contain_text("Data")
    expect(nav).not_to_contain_text("Users and access")
    assert_no_exception(page)
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "access_refused.png"))

    page.get_by_role("link", name="Back to the start page").click()
    wait_for_app(page, '[data-testid="stMetricValue"]')
    page.get_by_role("button", name="Sign out").click()
    wait_for_app(page, "text=Sign in to CX Lens")
    expect(page.locator('[data-testid="stMetricValue"]')).to_have_count(0)


def test_an_analyst_sees_the_data_page_but_not_user_management(page: Page, protected_url: str):
    page.goto(f"{protected_url}/")
    wait_for_app(page, "text=Sign in to CX Lens")
    sign_in(page, "ann")
    nav = page.locator(NAV)
    expect(nav).to_contain_text("Data")
    expect(nav).not_to_contain_text("Users and access")
    expect(page.get_by_text(re.compile(r"ann · analyst"))).to_be_visible()


def test_unknown_page_and_tampered_filters_get_notices_and_the_start_page(page: Page, protected_url: str):
    page.goto(f"{protected_url}/no_such_page?bu=%27%20or%201%3D1%20--&from=" + "9" * 5000)
    page.wait_for_selector(IDLE, timeout=TIMEOUT)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Page not found", timeout=TIMEOUT)
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    sign_in(page, "vic")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=TIMEOUT)
    notice = page.get_by_text(re.compile("were ignored"))
    expect(notice).to_contain_text("bu=' or 1=1 --")
    assert len(notice.first.inner_text()) < 400
    assert_no_exception(page)
