"""Presentation mode in AppTest: a stored storyline opens from its link without the sidebar, the
next/back buttons step through it (keys are covered in tests/browser), a live filter changes the
slide and Reset restores the saved view; the storylines page lists the slides for editing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app.ui.pages import PROJECT_ROOT
from app.warehouse import storylines as sl
from app.warehouse.connection import connect

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
TITLES = ("Loyalty by quarter", "Where the journey hurts")


@pytest.fixture
def story(demo_env) -> tuple[int, list[int]]:
    con = connect(demo_env / "warehouse.duckdb")
    try:
        story_id = sl.create_storyline(con, "Board session")
        slides = [
            sl.add_slide(con, story_id, "overview", {}, TITLES[0], "Stable overall."),
            sl.add_slide(con, story_id, "journey_map", {"metric": ["nps"], "bu": ["energy"]}, TITLES[1], ""),
        ]
    finally:
        con.close()
    return story_id, slides


def _html(at: AppTest) -> str:
    return " ".join(str(getattr(e, "proto", e)) for e in at.get("html"))


def _present(story_id: int) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["story"] = str(story_id)
    at.run()
    at.switch_page("app_pages/present.py").run()
    return at


def test_a_storyline_is_presented_full_screen_and_stepped_through(story):
    story_id, _ = story
    at = _present(story_id)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == TITLES[0]
    assert "1 / 2" in _html(at)
    assert not at.sidebar.multiselect and not at.sidebar.button  # no global filters, no "Add this view"
    at.button(key="present_next").click().run()
    assert at.title[0].value == TITLES[1]
    assert "2 / 2" in _html(at) and at.query_params["slide"] == "2"
    assert at.button(key="present_next").disabled
    at.button(key="present_prev").click().run()
    assert at.title[0].value == TITLES[0]


def test_live_filters_change_the_slide_and_reset_restores_the_saved_view(story):
    story_id, slides = story
    at = _present(story_id)
    saved = _html(at)
    at.multiselect(key=f"present_f_{slides[0]}_business_units").select("energy").run()
    assert _html(at) != saved  # the key figure follows the live filter
    at.button(key=f"present_reset_{slides[0]}").click().run()
    assert at.multiselect(key=f"present_f_{slides[0]}_business_units").value == []
    assert _html(at) == saved


def test_the_storylines_page_lists_the_slides_for_editing(story):
    story_id, slides = story
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.query_params["story"] = str(story_id)
    at.run()
    at.switch_page("app_pages/storylines.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.text_input(key=f"sl_title_{slides[0]}").value == TITLES[0]
    at.text_input(key=f"sl_title_{slides[1]}").set_value("Proposal is the weak step").run()
    at.button(key=f"sl_up_{slides[1]}").click().run()
    assert [ti.value for ti in at.text_input if ti.key.startswith("sl_title_")] == [
        "Proposal is the weak step", TITLES[0]]


def test_a_page_without_slide_function_shows_its_title_takeaway_and_a_link(demo_env):
    con = connect(demo_env / "warehouse.duckdb")
    try:
        story_id = sl.create_storyline(con, "Mixed")
        sl.add_slide(con, story_id, "kpi_tree", {"unit": ["energy"]}, "The KPI tree", "Start from TX.")
    finally:
        con.close()
    at = _present(story_id)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "The KPI tree"
    assert "Start from TX." in _html(at)
