"""The KPI tree and clients pages in AppTest against a private copy of the demo warehouse: drilling
from a TX KPI down to the IT layer and back up, the outline and chain views, deep links, the ranked
client list and a client card opened by link."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from app.analytics.kpi_tree import KpiTree
from app.ui.pages import PROJECT_ROOT
from app.ui.safe_text import escape_markdown

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
KPI_PAGE = "app_pages/kpi_tree.py"
CLIENTS_PAGE = "app_pages/clients.py"


def open_page(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


@pytest.fixture(scope="module")
def tx_to_it_path(model) -> list[str]:
    """The demo's path from a TX root down to an IT KPI (taken from the model, not typed in)."""
    tree = KpiTree.from_model(model)
    it_kpi = next(k for k in tree.ids if tree.layers[k] == "IT")
    return tree.path_to(it_kpi)


def test_drill_down_from_tx_to_it_and_back_up(module_demo_env, model, tx_to_it_path):
    at = open_page(KPI_PAGE)
    assert at.title[0].value == "KPI tree"
    root_buttons = {b.key for b in at.button if (b.key or "").startswith("kpiopen-")}
    assert root_buttons == {f"kpiopen-{k.id}" for k in model.kpis if k.layer == "TX"}
    for kpi_id in tx_to_it_path:
        at.button(key=f"kpiopen-{kpi_id}").click().run()
        assert not at.exception, [e.message for e in at.exception]
        assert at.query_params["kpi"] == kpi_id
    leaf = model.kpi(tx_to_it_path[-1])
    assert leaf.layer == "IT"
    assert leaf.name.en in texts(at.subheader)
    assert any("no drivers in the tree" in text for text in texts(at.info))
    evidence = " ".join(texts(at.markdown))
    assert f"Link to {model.kpi(tx_to_it_path[-2]).name.en}" in evidence and "n = " in evidence
    at.button(key=f"kpicrumb-1-{tx_to_it_path[1]}").click().run()  # back up to the second level
    assert at.query_params["kpi"] == tx_to_it_path[1]
    at.button(key="kpicrumb-root").click().run()
    assert "kpi" not in at.query_params


def test_link_to_a_kpi_opens_it_with_its_path(module_demo_env, model, tx_to_it_path):
    at = open_page(KPI_PAGE, {"kpi": tx_to_it_path[-1], "unit": "energy"})
    crumbs = [b.key for b in at.button if (b.key or "").startswith("kpicrumb-")]
    assert crumbs[0] == "kpicrumb-root" and len(crumbs) == len(tx_to_it_path)  # root + every ancestor
    assert at.selectbox(key="kpi_scope").value == "energy"
    assert any(text.startswith("Energy · values of") for text in texts(at.caption))


def test_unknown_kpi_in_the_link_is_ignored_with_a_notice(module_demo_env):
    at = open_page(KPI_PAGE, {"kpi": "tx_teleport"})
    assert any("kpi=tx_teleport" in w for w in texts(at.warning))
    assert "kpi" not in at.query_params


@pytest.mark.parametrize("view", ["outline", "chain"])
def test_outline_and_chain_views_render_the_tree_with_evidence(module_demo_env, model, view):
    at = open_page(KPI_PAGE, {"view": view})
    assert at.segmented_control(key="kpi_view").value == view
    captions = " ".join(texts(at.caption) + texts(at.markdown))
    if view == "outline":
        assert f"{len(model.kpis)} KPIs, each shown once" in captions
        assert at.dataframe, "the outline table is missing"
    else:
        assert "Everything that drives" in captions and "not supported by the data" in captions


def test_client_list_ranks_every_client_with_index_and_risk(module_demo_env):
    at = open_page(CLIENTS_PAGE)
    assert at.title[0].value == "Clients"
    counts = next(c for c in texts(at.caption) if "with a satisfaction index" in c)
    assert "at risk" in counts and "partial" in counts
    table = at.dataframe[0].value
    assert {
        "index",
        "index_change",
        "risk",
        "reasons_text",
        "nps_history",
        "revenue",
        "ltv",
        "n_open_tickets",
    } <= set(table.columns)
    at.segmented_control(key="clients_show").set_value("at_risk").run()
    risky = at.dataframe[0].value
    assert 0 < len(risky) < len(table) and set(risky["risk"]) == {"At risk"}


def test_client_card_opens_by_link_and_goes_back_to_the_list(module_demo_env, demo_con):
    client_id, name = demo_con.execute(
        "select client_id, name from mart_clients where client_id in "
        "(select client_id from mart_client_facts where fact = 'nps') order by client_id limit 1"
    ).fetchall()[0]
    at = open_page(CLIENTS_PAGE, {"client": client_id})
    assert at.title[0].value == escape_markdown(name)  # client names are data: never rendered as Markdown
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["Satisfaction index", "TX block", "CX block"]
    assert any("Index = 0.50 × TX + 0.50 × CX" in c for c in texts(at.caption))
    breakdown = pl.from_pandas(next(d.value for d in at.dataframe if "share_of_block" in d.value.columns))
    assert breakdown.height >= 1 and breakdown["score"].is_between(0, 100).all()
    at.button(key="clients_back").click().run()
    assert at.title[0].value == "Clients" and "client" not in at.query_params


def test_unknown_client_in_the_link_shows_the_list_with_a_notice(module_demo_env):
    at = open_page(CLIENTS_PAGE, {"client": "C99999"})
    assert at.title[0].value == "Clients"
    assert any("client=C99999" in w for w in texts(at.warning))
