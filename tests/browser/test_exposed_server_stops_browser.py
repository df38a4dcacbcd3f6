"""The first visitor of a bare `streamlit run … --server.address 0.0.0.0` with no users sees why the
app refuses (and that the server is stopping), and the server process then ends with status 78."""

from __future__ import annotations

import sys

from playwright.sync_api import Page, expect

from tests.unit.test_access_launcher import REFUSED, _get, _serve, env, servers  # noqa: F401 — fixtures

TIMEOUT = 60_000


def test_first_visit_gets_the_refusal_and_the_server_stops(page: Page, env, servers, tmp_path):  # noqa: F811
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.address", "0.0.0.0",
               "--server.headless", "true"]
    process, port = _serve(command, env, tmp_path / "server.log")
    servers.append(process)
    page.goto(f"http://127.0.0.1:{port}/")
    expect(page.get_by_text("CX Lens refuses to serve data from this address")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("This server is stopping now")).to_be_visible()
    assert process.wait(timeout=30) == REFUSED
    assert _get(port, "/_stcore/health") is None
    log = (tmp_path / "server.log").read_text()
    assert "CX Lens refuses to serve: it listens on 0.0.0.0" in log
