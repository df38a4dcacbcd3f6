"""The client list sends the browser one page of rows at a time (50,000 clients are 14 MB a rerun);
the page size is lowered here so the demo's clients span several pages."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app.ui.pages import PROJECT_ROOT
from app.ui.views import clients

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")


def test_a_long_client_list_is_paged_and_the_last_page_holds_the_rest(demo_env, demo_con, monkeypatch):
    monkeypatch.setattr(clients, "PAGE_ROWS", 250)
    n_clients = demo_con.execute("select count(*) from mart_clients").fetchall()[0][0]
    assert n_clients > 500
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    at.switch_page("app_pages/clients.py").run()
    assert not at.exception
    first = at.dataframe[0].value
    assert len(first) == 250
    pages = -(-n_clients // 250)
    at.number_input(key=clients.PAGE_KEY).set_value(pages).run()
    last = at.dataframe[0].value
    assert len(last) == n_clients - 250 * (pages - 1)
    assert not set(last["client_id"]) & set(first["client_id"])
    assert any(f"of {n_clients:,}" in c.value and f"{250 * (pages - 1) + 1:,}" in c.value for c in at.caption)
    at.segmented_control(key="clients_show").set_value("at_risk").run()  # fewer rows than a page: no picker
    assert len(at.dataframe[0].value) < 250 and not at.number_input
