"""Voice of the customer and follow-ups in a real browser, on an app of their own (a demo copy with
one extra survey batch): a comment holding <script> and Markdown shows as the characters typed and
runs nothing, and a follow-up status changed in the browser is still there after the server
process is stopped and a new one is started on the same warehouse file."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import Page, expect

from app.warehouse.connection import connect
from pipelines.load import load_file
from tests.browser.conftest import start_app
from tests.browser.helpers import assert_no_exception, choose_option, open_page, wait_for_app
from tests.demo_build import demo_copy
from tests.processes import stop
from tests.voc_helpers import SCRIPT_COMMENT, demo_client, write_survey_batch

RESPONSE_ID = "VOC-BR1"


class AppServer:
    """A streamlit process on a private warehouse folder that a test may stop and start again."""

    def __init__(self, folder):
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> str:
        self.process, self.url = start_app(self.folder, "the voice-of-customer app")
        return self.url

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


@pytest.fixture(scope="module")
def voc_server(demo_dir, model, tmp_path_factory):
    with demo_copy(demo_dir, tmp_path_factory, "voc_app") as folder:
        yield from _voc_server(folder, model)


def _voc_server(folder, model):
    con = connect(folder / "warehouse.duckdb")
    try:
        path = write_survey_batch(
            folder / "wave.csv",
            model,
            demo_client(con),
            [
                {
                    "response_id": RESPONSE_ID,
                    "nps": 1,
                    "submitted_at": "2026-11-20 10:00:00",
                    "lowest": "delivery",
                    "comment": SCRIPT_COMMENT,
                }
            ],
        )
        assert load_file(con, model, "surveys", path, archive_dir=folder / "archive").ok
        case_id = con.execute(
            "select case_id from follow_up_cases where response_id = ?", [RESPONSE_ID]
        ).fetchall()[0][0]
    finally:
        con.close()
    server = AppServer(folder)
    server.start()
    yield server, case_id
    server.stop()


def test_script_and_markdown_in_a_comment_show_as_text(page: Page, voc_server):
    server, _ = voc_server
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, server.url, "voice_of_customer", "view=comments&show=cards")
    page.get_by_label("Search the texts").fill("alert")
    page.keyboard.press("Enter")
    wait_for_app(page)
    card = page.get_by_text(SCRIPT_COMMENT, exact=True)
    expect(card).to_be_visible(timeout=20_000)
    assert page.locator("script", has_text="alert(1)").count() == 0
    assert page.locator('[data-testid="stMain"] a[href="https://example.com"]').count() == 0
    assert page.locator('[data-testid="stMain"] strong', has_text="bold").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []
    assert_no_exception(page)


def _set_status(page: Page, label: str) -> None:
    form = page.locator('[data-testid="stForm"]')
    choose_option(page, form.locator('[data-testid="stSelectbox"]').filter(has_text="Status"), label)
    form.locator("textarea").fill("Called back, new date agreed")
    form.get_by_role("button", name="Save").click()
    wait_for_app(page)


def test_a_status_change_survives_an_app_restart(page: Page, voc_server):
    server, case_id = voc_server
    open_page(page, server.url, "follow_ups", f"case={case_id}", expected='[data-testid="stForm"]')
    expect(page.get_by_text(SCRIPT_COMMENT, exact=True)).to_be_visible()  # the comment, as text
    _set_status(page, "Resolved")
    expect(page.get_by_text("Resolved").first).to_be_visible()
    server.stop()
    server.start()  # a new process on the same warehouse file
    open_page(page, server.url, "follow_ups", f"case={case_id}", expected='[data-testid="stForm"]')
    facts = page.locator('[data-testid="stMarkdownContainer"]', has_text="Status:")
    expect(facts.first).to_contain_text("Resolved")
    expect(page.locator('[data-testid="stMarkdownContainer"]', has_text="Last note:").first).to_contain_text(
        "Called back, new date agreed"
    )
    assert_no_exception(page)
