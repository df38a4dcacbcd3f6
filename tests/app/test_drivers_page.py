"""The key-drivers page in AppTest on private copies of the demo warehouse: the answer names the
planted drivers, segments follow the URL and the sidebar, every tab renders, the waterfall and the
what-if read their choices from the URL, too-small segments get a message instead of a model, stale
models say so and retrain on a click (analysts only), and Russian works."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from app.auth.users import set_user
from app.ui.pages import PROJECT_ROOT, page_entry
from app.warehouse import drivers as queries
from pipelines.load import rollback_batch

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
PAGE = page_entry("drivers")
ENERGY_DM = "business_unit=energy;respondent_role=decision_maker"
TAB_NAMES = [
    "Ranking",
    "How far to trust it",
    "All answers",
    "One driver",
    "One answer or client",
    "Two segments",
    "Priorities",
    "What if",
]


def run_page(query: dict[str, str | list[str]] | None = None, timeout: int = 120) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE.file).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture
def small_env(small_demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo at 15 % scale (conftest): a few models, too few answers for many segments."""
    folder = tmp_path / "small"
    shutil.copytree(small_demo_dir, folder)
    monkeypatch.setenv("CXLENS_DB", str(folder / "warehouse.duckdb"))
    monkeypatch.setenv("CXLENS_GROUND_TRUTH", str(folder / "ground_truth.json"))
    monkeypatch.setenv("CXLENS_ARCHIVE", str(folder / "archive"))
    monkeypatch.setenv("CXLENS_USERS", str(folder / "absent.yaml"))
    return folder


def test_the_answer_names_the_planted_drivers_with_quality_and_tabs(module_demo_env, model, ground_truth):
    at = run_page()
    assert at.title[0].value == "Key drivers of NPS"
    top = [model.touchpoint(t).label.en for t in ground_truth["driver_ranking"][:3]]
    verdict = next(
        m.value for m in at.markdown if m.value.startswith("**What moves NPS for All respondents:**")
    )
    assert [verdict.index(name) for name in top] == sorted(verdict.index(name) for name in top)
    labels = [m.label for m in at.metric][:4]
    assert labels == [
        "Answers in the model",
        "Explained variation (R²)",
        "Drivers with a real effect",
        "Second method agrees",
    ]
    assert [tab.label for tab in at.tabs] == TAB_NAMES
    assert any("Trained" in c.value and "data version" in c.value for c in at.caption)
    assert not at.warning  # fresh, strong, large enough


def test_segment_comes_from_the_url_and_follows_the_sidebar(module_demo_env):
    at = run_page({"seg": ENERGY_DM})
    assert at.selectbox(key="drivers_segment").value == ENERGY_DM
    assert "What moves NPS for Energy · Decision maker" in markdown(at)
    at.multiselect(key="filter_business_units").select("machinery").run()
    assert at.selectbox(key="drivers_segment").value == "business_unit=machinery"
    assert at.query_params["seg"] == "business_unit=machinery"


def test_an_unknown_segment_in_the_url_falls_back_with_a_notice(module_demo_env):
    at = run_page({"seg": "business_unit=atlantis"})
    assert at.selectbox(key="drivers_segment").value == "all"
    assert any("atlantis" in w.value and "not known here" in w.value for w in at.warning)


def test_waterfall_and_what_if_read_their_choices_from_the_url(module_demo_env, demo_con):
    run_id = int(queries.driver_runs(demo_con)["run_id"][0])  # the module's copy is the app's to hold
    response = queries.sample_rows(demo_con, "score|all", run_id)["response_id"][5]
    at = run_page({"resp": response, "wi": "rating_delivery", "step": "-1"})
    assert at.selectbox(key="drivers_wf_answer").value == response
    assert any(m.value.startswith(f"**{response}** from") for m in at.markdown)
    tile = next(m for m in at.metric if m.label == "Expected NPS change")
    assert tile.value.startswith("−")  # a worse delivery rating lowers expected NPS
    assert any("fell by **−1 point**" in m.value for m in at.markdown)
    at.segmented_control(key="drivers_wf_mode").set_value("client").run()
    assert not at.exception and at.selectbox(key="drivers_wf_client").value


def test_two_segments_side_by_side_pick_a_comparable_segment(module_demo_env):
    at = run_page({"seg": "business_unit=energy"})
    assert at.selectbox(key="drivers_compare").value == "business_unit=machinery"
    at.selectbox(key="drivers_compare").set_value("business_unit=construction").run()
    assert at.query_params["vs"] == "business_unit=construction"
    assert any(m.value.startswith("The biggest difference:") for m in at.markdown)


def test_promoter_models_are_offered_when_not_trained_yet(module_demo_env):
    at = run_page({"target": "promoter"})
    assert any("no “Promoter vs detractor” models" in i.value for i in at.info)
    assert at.button(key="drivers_train_promoter").label == "Train “Promoter vs detractor” models"


def test_russian_page(module_demo_env):
    at = run_page()
    at.segmented_control(key="lang").set_value("ru").run()
    assert not at.exception
    assert at.title[0].value == "Ключевые факторы NPS"
    assert [tab.label for tab in at.tabs][0] == "Рейтинг"


def test_a_segment_below_the_minimum_gets_a_message_not_a_model(small_env):
    con = duckdb.connect(str(small_env / "warehouse.duckdb"), read_only=True)
    run_id = int(queries.driver_runs(con)["run_id"][0])
    small = queries.models(con, "score", run_id).filter(pl.col("status") == "too_small")["segment_id"][0]
    con.close()
    at = run_page({"seg": small})
    assert any("a model needs at least 100" in w.value for w in at.warning)
    assert not at.tabs and not at.metric


def test_stale_models_say_so_and_an_analyst_retrains_them_with_a_click(small_env, model):
    con = duckdb.connect(str(small_env / "warehouse.duckdb"))
    survey = con.execute("select max(batch_id) from batches where source = 'surveys'").fetchall()[0][0]
    rollback_batch(con, model, survey)  # the newest wave is withdrawn: the models learnt from it
    assert queries.driver_runs(con)["is_stale"].all()
    con.close()
    at = run_page(timeout=300)
    assert any("New survey, client, order, ticket or process data" in w.value for w in at.warning)
    at.button(key="drivers_retrain").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not any("New survey" in w.value for w in at.warning)
    con = duckdb.connect(str(small_env / "warehouse.duckdb"))  # the app's process holds it read-write
    assert not queries.driver_runs(con)["is_stale"].any()
    con.close()


def test_a_viewer_sees_who_can_retrain_instead_of_a_button(small_env, monkeypatch):
    users = small_env / "users.yaml"
    set_user(users, "vic", "viewer", "viewer secret", rounds=4)
    monkeypatch.setenv("CXLENS_USERS", str(users))
    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.query_params["target"] = "promoter"
    at.run()
    at.text_input(key="cx_sign_in_name").input("vic")
    at.text_input(key="cx_sign_in_password").input("viewer secret")
    at.button(key="FormSubmitter:cx_sign_in-Sign in").click().run()
    at.switch_page(PAGE.file).run()
    assert not at.exception
    assert any("An analyst can retrain" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key and b.key.startswith("drivers_train")]
