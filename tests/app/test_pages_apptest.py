"""Every registered page runs on the demo warehouse without an exception (pages added to the
registry later are covered automatically), plus the behaviour of the shell, the overview and the
journey map. AppTest runs the real entry script against a private copy of the demo warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.ui.pages import PAGES, PROJECT_ROOT
from tests.demo_build import demo_copy

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
TIMEOUT = 120  # generous: the suite runs beside other work on 2 cores


@pytest.fixture(scope="module")
def shared_env(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """One private copy of the demo warehouse for the read-only tests of this module, so the app's
    caches (keyed by warehouse path and data version) stay warm between them. Tests that change the
    warehouse or hold its lock use `demo_env` (a copy of their own)."""
    with demo_copy(demo_dir, tmp_path_factory, "apptest_shared") as folder, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CXLENS_DB", str(folder / "warehouse.duckdb"))
        patch.setenv("CXLENS_GROUND_TRUTH", str(folder / "ground_truth.json"))
        patch.setenv("CXLENS_ARCHIVE", str(folder / "archive"))
        yield folder


def run_app(query: dict[str, str | list[str]] | None = None, page: str | None = None,
            timeout: float = TIMEOUT) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


@pytest.mark.parametrize("entry", PAGES, ids=[p.url_path for p in PAGES])  # "page" is playwright's fixture
def test_every_page_renders_without_exception(shared_env, entry):
    at = run_app(page=entry.file)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, f"{entry.file} shows no title"


def test_shell_shows_freshness_filters_and_language(shared_env):
    at = run_app()
    assert any("answers from" in c for c in texts(at.caption)), "data-freshness line missing"
    assert [m.key for m in at.multiselect] == [
        "filter_business_units", "filter_segments", "filter_statuses", "filter_grades", "filter_respondent_roles"]
    assert at.segmented_control(key="lang").value == "en"


def test_overview_tiles_show_nps_with_margin_and_n(shared_env):
    at = run_app()
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["NPS", "CSAT", "Satisfaction index", "Active clients"]
    assert [label.split(",")[0] for label in labels[4:6]] == ["Revenue at risk", "LTV at risk"]
    assert any(c.startswith("±") and "n = " in c for c in texts(at.caption))


def test_filter_changes_url_and_figures(shared_env):
    at = run_app()
    before = at.metric[0].value
    at.multiselect(key="filter_business_units").select("energy").run()
    assert at.query_params["bu"] == "energy"
    assert at.metric[0].value != before


def test_link_with_filters_restores_the_view(shared_env):
    at = run_app({"bu": ["energy", "machinery"], "from": "2025-Q2", "lang": "ru"})
    assert at.multiselect(key="filter_business_units").value == ["energy", "machinery"]
    assert at.selectbox(key="filter_period_from").value == "2025-Q2"
    assert at.title[0].value == "Обзор"
    assert not at.warning


def test_invalid_url_values_are_ignored_with_a_notice(shared_env):
    at = run_app({"bu": ["energy", "atlantis"], "from": "1999-Q9", "lang": "xx"})
    assert not at.exception
    notice = " ".join(texts(at.warning))
    assert "bu=atlantis" in notice and "from=1999-Q9" in notice and "lang=xx" in notice
    assert at.multiselect(key="filter_business_units").value == ["energy"]
    assert at.query_params["bu"] == "energy" and "from" not in at.query_params


def test_language_switch_translates_navigation_and_page(shared_env):
    at = run_app()
    at.segmented_control(key="lang").set_value("ru").run()
    assert at.title[0].value == "Обзор"
    assert at.query_params["lang"] == "ru"


def test_journey_map_link_opens_touchpoint_detail(shared_env):
    at = run_app({"tp": "delivery", "metric": "csat"}, page="app_pages/journey_map.py")
    assert not at.exception
    assert at.selectbox(key="journey_tp").value == "delivery"
    assert any(m.label.startswith("Mean rating") for m in at.metric)
    assert at.dataframe, "comments and KPI tables expected"


def test_journey_metric_choice_goes_into_the_url(shared_env):
    at = run_app(page="app_pages/journey_map.py")
    at.segmented_control(key="journey_metric").set_value("top2").run()
    assert at.query_params["metric"] == "top2"
    assert not at.exception


@pytest.mark.parametrize("query", [
    {"view": "compare", "cmp": "segment", "dim": "business_unit", "a": "energy", "b": "construction"},
    {"view": "compare", "cmp": "period", "pa": "2026-Q1", "pb": "2025-Q1", "metric": "csat"},
    {"view": "compare", "metric": "responses"},
])
def test_difference_map_renders(shared_env, query):
    at = run_app(query, page="app_pages/journey_map.py")
    assert not at.exception, [e.message for e in at.exception]


def test_filters_with_no_answers_show_an_empty_state(shared_env):
    at = run_app({"from": "2026-Q3", "to": "2026-Q3", "role": "finance", "grade": "a", "segment": "dealer",
                  "status": "competitor_client"})
    assert not at.exception
    assert any("No answers match these filters" in i for i in texts(at.info))


def test_locked_warehouse_gives_a_clear_message(demo_env):
    import subprocess
    import sys

    db = demo_env / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(db)!r}); print('held', flush=True); "
                               "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        at = run_app()
        assert not at.exception
        assert any("in use by another process" in e.value for e in at.error)
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


# The first start on an empty warehouse (the demo company loaded inside the first run, its ground truth
# written) is tested once, with the background training, in test_first_start.py.


def test_a_change_to_the_warehouse_shows_at_once(demo_env, model):
    """Cached figures are keyed by the data version: rolling back the newest survey batch (as the
    Data page would, through the app's own process) changes the overview on the next run."""
    import duckdb

    from pipelines.load import rollback_batch

    con = duckdb.connect(str(demo_env / "warehouse.duckdb"))
    try:
        periods = [r[0] for r in con.execute("select distinct period from mart_nps order by 1").fetchall()]
        at = run_app()
        assert any(f"Latest quarter {periods[-1]}" in c for c in texts(at.caption))
        newest = con.execute(
            "select max(batch_id) from batches where source = 'surveys' and status = 'loaded'").fetchall()[0][0]
        rollback_batch(con, model, newest)
    finally:
        con.close()
    at.run()
    assert any(f"Latest quarter {periods[-2]}" in c for c in texts(at.caption))
