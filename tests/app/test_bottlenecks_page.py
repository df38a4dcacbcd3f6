"""The bottleneck page in AppTest on a private copy of the demo warehouse: the verdict names the
planted bottleneck in words, the process choice and filters travel through the URL, every tab
renders, and Russian works."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app.ui.pages import PROJECT_ROOT, page_entry

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
PAGE = page_entry("bottlenecks")


def run_page(query: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE.file).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def verdicts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "bottleneck is" in m.value or "узкое место" in m.value]


def test_verdict_names_the_planted_bottleneck_with_evidence(demo_env, ground_truth, model):
    at = run_page()
    planted = ground_truth["bottleneck"]
    process = next(p for p in model.processes if p.id == planted["process"])
    step = next(s for s in process.steps if s.activity == planted["activity"]).label.en
    unit = model.label("business_units", planted["business_unit"])
    sentence = next(v for v in verdicts(at) if v.startswith(f"**{process.name.en}**"))
    assert f"**{step} in {unit}**" in sentence
    assert "% of the lateness" in sentence and "median wait" in sentence and "over the to-be target" in sentence
    assert "NPS points fewer" in sentence
    assert len(verdicts(at)) == len(model.processes)  # one verdict per process with an event log
    assert any(c.value.startswith("Feeds these") for c in at.caption)


def test_process_choice_is_read_from_the_url_and_tabs_render(demo_env):
    at = run_page({"process": "commercial_proposal"})
    assert at.segmented_control(key="bn_process").value == "commercial_proposal"
    assert [tab.label for tab in at.tabs] == ["Steps", "Process map", "As-is vs to-be", "Cost in experience"]
    assert at.selectbox(key="bn_cost_step").value == "proposal_approval"  # the bottleneck serves a touchpoint
    assert any("Each extra day goes with" in m.value or "each extra day goes with" in m.value for m in at.markdown)
    assert any("no deadline chain" in c.value for c in at.caption)  # proposals have no deadline offsets


def test_order_fulfilment_shows_the_deadline_chain(demo_env):
    at = run_page({"process": "order_fulfilment"})
    assert any(m.value.startswith("From the customer's requirement backwards") for m in at.markdown)
    assert any("of cases met the customer's requirement" in m.value for m in at.markdown)
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Cases", "Customer's requirement met", "Lead time (median)", "Open and overdue"]


def test_a_business_unit_filter_narrows_the_verdict(demo_env):
    at = run_page({"bu": "machinery", "process": "commercial_proposal"})
    sentence = next(v for v in verdicts(at) if v.startswith("**Commercial proposal**"))
    assert "Energy" not in sentence  # the planted bottleneck lives in energy only


def test_respondent_role_filter_is_reported_as_not_applied(demo_env):
    at = run_page({"role": "decision_maker"})
    assert any(c.value.startswith("Not applied here") for c in at.caption)


def test_page_speaks_russian(demo_env):
    # switch the language on the page (AppTest cannot start in Russian and then switch pages: the
    # sidebar's storyline selectbox keeps its English option)
    at = run_page({"process": "commercial_proposal"})
    at.segmented_control(key="lang").set_value("ru").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Узкие места в процессах"
    assert any("Согласование КП" in v for v in verdicts(at))
