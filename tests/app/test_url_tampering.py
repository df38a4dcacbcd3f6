"""Tampered links: SQL-looking, huge, markup and control-character values in every global filter's
URL parameter get a notice and the default view — never an exception, never a changed warehouse,
never markup rendered from the link."""

from __future__ import annotations

import functools

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app.ui.filters import LANG_KEY, PERIOD_FROM_PARAM, PERIOD_TO_PARAM, URL_PARAMS
from app.ui.pages import PROJECT_ROOT

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
GLOBAL_PARAMS = [*URL_PARAMS.values(), PERIOD_FROM_PARAM, PERIOD_TO_PARAM, LANG_KEY]
HOSTILE = {
    "sql_quote": "energy' OR '1'='1",
    "sql_drop": "'; DROP TABLE raw_surveys; --",
    "sql_union": "1) union select sha256, file_name from batches --",
    "huge": "A" * 50_000,  # × 8 parameters: under Streamlit's 512 k limit on a query string
    "markup": "![p](http://evil.example/p.png)<script>alert(1)</script>:red[x]",
    "control": "\x00\u202e%00../../etc/passwd\r\n",
}


@pytest.fixture
def app_env(module_demo_env, monkeypatch):
    """The module's demo copy (the tests only read; each checks its warehouse is unchanged)."""
    monkeypatch.setenv("CXLENS_USERS", str(module_demo_env / "absent.yaml"))  # unprotected local mode
    return module_demo_env


def run(query: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def warehouse_counts(folder) -> tuple:
    con = duckdb.connect(str(folder / "warehouse.duckdb"))  # the same instance the app holds
    try:
        return con.execute(
            "select (select count(*) from raw_surveys), (select count(*) from batches), "
            "(select count(*) from mart_nps)"
        ).fetchall()[0]
    finally:
        con.close()


def figures(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


@functools.cache
def default_figures() -> list[tuple[str, str]]:
    """The start page's figures with no parameters (every test's demo copy holds the same data)."""
    return figures(run({}))


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_value_in_every_global_filter_gives_a_notice_and_the_default_view(app_env, kind):
    counts = warehouse_counts(app_env)
    value = HOSTILE[kind]
    at = run({param: value for param in GLOBAL_PARAMS})
    assert not at.exception, [e.message for e in at.exception]
    notice = " ".join(w.value for w in at.warning)
    assert "were ignored" in notice
    assert len(notice) < 1_000, "the notice must not echo a huge value"
    assert "![p](" not in notice and "<script>" not in notice  # shown as text, not markup
    assert figures(at) == default_figures()
    for param in GLOBAL_PARAMS:  # the address bar is a clean link to the default view again
        assert value not in at.query_params.get(param, [])
    assert warehouse_counts(app_env) == counts


def test_hundreds_of_values_and_a_mix_of_good_and_bad_ones(app_env):
    at = run({"bu": ["energy", *[f"bu{i}" for i in range(500)], "energy"], "grade": ["a", "z' or 1=1"]})
    assert not at.exception
    assert at.multiselect(key="filter_business_units").value == ["energy"]
    assert at.multiselect(key="filter_grades").value == ["a"]
    notice = " ".join(w.value for w in at.warning)
    assert "(+" in notice and len(notice) < 1_000


def test_a_query_string_over_streamlits_limit_shows_the_default_view(app_env):
    at = run({"bu": "B" * 300_000, "segment": "S" * 300_000})  # Streamlit drops it before the app
    assert not at.exception and figures(at) == default_figures()


def test_page_parameters_are_validated_too(app_env):
    at = AppTest.from_file(ENTRY, default_timeout=60)
    for key, value in {"metric": "nps'; drop table x; --", "tp": "A" * 50_000, "view": "<b>x</b>"}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/journey_map.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title and at.title[0].value
