"""Presentation mode in AppTest with the bottleneck and follow-up slides: each draws its chart and key
figure from the saved view, a live filter changes the follow-up figure, and a filter that matches
nothing shows the message instead of a chart."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app.ui.pages import PROJECT_ROOT
from app.warehouse import storylines as sl
from app.warehouse.connection import connect

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")


@pytest.fixture
def story(demo_env) -> tuple[int, list[int]]:
    con = connect(demo_env / "warehouse.duckdb")
    try:
        story_id = sl.create_storyline(con, "Operations review")
        slides = [
            sl.add_slide(con, story_id, "bottlenecks", {"process": ["commercial_proposal"]}, "", "Approval stalls."),
            sl.add_slide(con, story_id, "follow_ups", {}, "", ""),
            sl.add_slide(con, story_id, "follow_ups", {"from": ["2024-Q4"], "to": ["2024-Q4"],
                                                       "status": ["lost_lead"], "bu": ["energy"]}, "Empty", ""),
        ]
    finally:
        con.close()
    return story_id, slides


def _html(at: AppTest) -> str:
    return " ".join(str(getattr(e, "proto", e)) for e in at.get("html"))


def _charts(at: AppTest) -> int:
    return len(at.get("vega_lite_chart"))  # st.vega_lite_chart with a projector spec


def test_bottleneck_and_follow_up_slides_are_presented_with_chart_figure_and_message(story):
    story_id, slides = story
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.query_params["story"] = str(story_id)
    at.run()
    at.switch_page("app_pages/present.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Commercial proposal: where customers wait"
    html = _html(at)
    assert "cx-key-figure" in html and "Proposal approval in Energy" in html and "Approval stalls." in html
    assert _charts(at) == 1
    at.button(key="present_next").click().run()
    assert at.title[0].value == "Closing the loop with detractors"
    saved = _html(at)
    assert "past due" in saved and _charts(at) == 1
    at.multiselect(key=f"present_f_{slides[1]}_business_units").select("energy").run()
    assert not at.exception and _html(at) != saved  # the key figure follows the live filter
    at.button(key="present_next").click().run()
    assert at.title[0].value == "Empty" and _charts(at) == 0
    assert "No follow-up cases for these filters." in _html(at)
