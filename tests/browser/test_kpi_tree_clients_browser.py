"""In a real browser: an executive drills from a TX KPI down to an IT KPI by clicking KPI names, the
address follows (a copied link reopens the same KPI), and goes back up with the breadcrumb; a client
card opened by link shows the index and goes back to the ranked list."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.analytics.kpi_tree import KpiTree
from app.service_model import ServiceModel
from tests.browser.helpers import assert_no_exception, open_page, wait_for_app

METRIC = '[data-testid="stMetricValue"]'


def _path_to_it(model: ServiceModel) -> list[str]:
    tree = KpiTree.from_model(model)
    return tree.path_to(next(k for k in tree.ids if tree.layers[k] == "IT"))


def _click_kpi(page: Page, kpi_id: str, name: str) -> None:
    page.locator(f".st-key-kpiopen-{kpi_id} button").first.click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible(timeout=30_000)


def test_drill_from_a_tx_kpi_down_to_an_it_kpi_and_back(page: Page, app_url: str, model: ServiceModel):
    path = _path_to_it(model)
    open_page(page, app_url, "kpi_tree", expected=METRIC)
    for kpi_id in path:
        _click_kpi(page, kpi_id, model.kpi(kpi_id).name.en)
        expect(page).to_have_url(re.compile(rf"[?&]kpi={kpi_id}\b"))
    expect(page.get_by_text("IT layer", exact=False).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"no drivers in the tree"))).to_be_visible()
    assert_no_exception(page)

    copied = page.url  # the address is a link to this KPI with its whole path
    page.goto(copied)
    wait_for_app(page, METRIC)
    expect(page.get_by_role("heading", name=model.kpi(path[-1]).name.en, exact=True)).to_be_visible()
    expect(page.locator(f".st-key-kpicrumb-0-{path[0]}")).to_be_visible()

    page.locator(".st-key-kpicrumb-root button").click()
    wait_for_app(page)
    expect(page.locator(f".st-key-kpiopen-{path[0]}")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"[?&]kpi="))


def test_client_card_by_link_and_back_to_the_ranked_list(page: Page, app_url: str, demo_con):
    client_id, name = demo_con.execute(
        "select client_id, name from mart_clients where client_id in "
        "(select client_id from mart_client_facts where fact = 'on_time_share') order by client_id limit 1"
    ).fetchall()[0]
    open_page(page, app_url, "clients", f"client={client_id}", expected=METRIC)
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("Satisfaction index").first).to_be_visible()
    assert_no_exception(page)
    page.locator(".st-key-clients_back button").click()
    wait_for_app(page, '[data-testid="stDataFrame"]')
    expect(page.get_by_role("heading", name="Clients", exact=True)).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"[?&]client="))
