"""AppTest for the Voice of the customer and Follow-ups pages: every section renders, a topic name
and a case update persist, search is literal and case-insensitive, stale topics offer a rebuild."""

from __future__ import annotations

import pytest

from app.warehouse.connection import connect
from pipelines.load import load_file
from tests.app.test_pages_apptest import run_app, texts
from tests.voc_helpers import demo_client, write_survey_batch

VOC = "app_pages/voice_of_customer.py"
FOLLOW_UPS = "app_pages/follow_ups.py"


def _no_exception(at) -> None:
    assert not at.exception, [e.message for e in at.exception]


@pytest.mark.parametrize(
    "query",
    [
        {"view": "topics"},
        {"view": "topics", "src": "ticket"},
        {"view": "frequency"},
        {"view": "frequency", "by": "block"},
        {"view": "frequency", "by": "period"},
        {"view": "frequency", "by": "segment", "src": "survey"},
        {"view": "groups"},
        {"view": "comments"},
    ],
)
def test_voice_of_customer_sections_render(module_demo_env, query):
    at = run_app(query, page=VOC)
    _no_exception(at)
    assert at.title[0].value == "Voice of the customer"
    assert not at.warning, "fresh demo topics must not look stale"


def test_russian_page_has_russian_topic_names(module_demo_env):
    at = run_app(page=VOC)
    at.segmented_control(key="lang").set_value("ru").run()
    _no_exception(at)
    assert at.title[0].value == "Голос клиента"
    assert any("поставк" in o.lower() for o in at.selectbox(key="voc_topic").options)


def test_a_topic_name_given_on_the_page_is_shown_and_kept(demo_env):
    at = run_app(page=VOC)
    at.text_input[0].input("Late delivery")
    at.button[[b.label for b in at.button].index("Save name")].click().run()
    _no_exception(at)
    at = run_app({"topic": at.selectbox(key="voc_topic").value}, page=VOC)
    assert "Late delivery" in at.selectbox(key="voc_topic").options


def test_search_is_case_insensitive_and_literal(module_demo_env):
    at = run_app({"view": "comments"}, page=VOC)
    at.text_input(key="voc_search").input("ПОСТАВКА").run()
    _no_exception(at)
    shown = at.dataframe[0].value
    assert len(shown) > 0 and shown["text"].str.lower().str.contains("поставк").all()
    at.text_input(key="voc_search").input("%' or 1=1 --").run()
    _no_exception(at)
    assert any("No comment or ticket matches" in i for i in texts(at.info))


def test_topic_link_filters_the_comments(module_demo_env):
    at = run_app({"view": "comments", "ctopic": "1"}, page=VOC)
    _no_exception(at)
    assert at.multiselect(key="voc_ctopics").value == ["1"]
    topics = set(at.dataframe[0].value["topic"])
    assert len(topics) == 1 and "No topic" not in topics


def test_new_comments_make_topics_stale_and_an_analyst_rebuilds_them(demo_env, model, tmp_path):
    con = connect(demo_env / "warehouse.duckdb")
    try:
        path = write_survey_batch(
            tmp_path / "wave.csv",
            model,
            demo_client(con),
            [
                {
                    "response_id": "VOC-AT1",
                    "nps": 3,
                    "submitted_at": "2026-11-20 10:00:00",
                    "lowest": "delivery",
                    "comment": "Delivery late again, nobody called",
                }
            ],
        )
        assert load_file(con, model, "surveys", path, archive_dir=tmp_path / "archive").ok
    finally:
        con.close()
    at = run_app(page=VOC)
    assert any("arrived after the topics were built" in w for w in texts(at.warning))
    at.button(key="voc_rebuild").click().run()
    _no_exception(at)
    assert not at.warning
    assert any("complaint topics found in 5,628" in c for c in texts(at.caption))


def test_follow_ups_page_shows_tiles_and_the_work_list(module_demo_env):
    at = run_app(page=FOLLOW_UPS)
    _no_exception(at)
    assert [m.label for m in at.metric] == ["Open cases", "Overdue now", "Median days to close", "Past due"]
    work_list = at.dataframe[-1].value
    assert len(work_list) > 0 and set(work_list["status"]) <= {"Open", "In progress"}


def test_a_case_opened_by_link_is_updated_and_stays_updated(demo_env):
    con = connect(demo_env / "warehouse.duckdb")
    try:
        case_id = con.execute(
            "select min(case_id) from follow_up_cases where status = 'in_progress'"
        ).fetchall()[0][0]
    finally:
        con.close()
    at = run_app({"case": str(case_id)}, page=FOLLOW_UPS)
    _no_exception(at)
    assert any(s.value.startswith(f"FU-{case_id:05d}") for s in at.subheader)
    form_status = next(s for s in at.selectbox if s.label == "Status")
    form_status.set_value("resolved")
    at.text_area[0].input("Agreed a new delivery date")
    at.button[[b.label for b in at.button].index("Save")].click().run()
    _no_exception(at)
    again = run_app({"case": str(case_id)}, page=FOLLOW_UPS)
    assert any("**Status:** Resolved" in m.value for m in again.markdown)
    history = again.dataframe[-1].value
    assert "Agreed a new delivery date" in set(history.iloc[:, -1])
