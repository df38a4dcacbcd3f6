"""The bottleneck and follow-up pages as slides (presentation mode and deck export) from saved views:
a chart and a key figure on the demo warehouse, the saved filters and page parameters followed, a
message instead of an error when nothing matches, no personal data on the follow-up slide, and a
picture on each exported PPTX slide."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import duckdb
import pytest
from pptx import Presentation

from app.export.pptx_deck import build_pptx
from app.export.storyline_deck import deck_slides
from app.ui.i18n import format_number, translate
from app.ui.slides.registry import build_slide, has_slide
from app.ui.views import bottlenecks_slide
from app.ui.views.bottlenecks_data import load_report
from app.ui.views.bottlenecks_frames import step_label_map
from app.warehouse import storylines as sl
from app.warehouse.connection import connect
from app.warehouse.filters import Filters
from app.warehouse.process_queries import step_dimension
from tests.unit.test_deck_export import picture_count

# Matches no follow-up case and no process case of the demo (checked below, not assumed).
NOTHING = {"from": ("2024-Q4",), "to": ("2024-Q4",), "status": ("lost_lead",), "bu": ("energy",)}
PAST_DUE_SQL = """
    select 100.0 * avg(case when is_late then 1 else 0 end) from mart_follow_ups
    where is_due and not is_withdrawn and ($bu is null or business_unit = $bu)
"""


@pytest.fixture(scope="module")
def con(demo_db):
    connection = duckdb.connect(str(demo_db), read_only=True)
    yield connection
    connection.close()


def _past_due(con, business_unit: str | None) -> str:
    value = con.execute(PAST_DUE_SQL, {"bu": business_unit}).fetchone()[0]
    return f"{format_number(value, 0, 'en')} %"


@pytest.mark.parametrize(
    ("page_name", "params"),  # not "page": that name is pytest-playwright's browser page
    [
        ("bottlenecks", {}),
        ("bottlenecks", {"process": ("commercial_proposal",), "by": ("grade",), "metric": ("lateness",)}),
        ("follow_ups", {}),
        ("follow_ups", {"bu": ("energy",), "case": ("12",)}),
    ],
)
def test_saved_view_becomes_a_slide_with_a_chart_and_a_key_figure(con, model, page_name, params):
    assert has_slide(page_name)
    slide = build_slide(con, model, page_name, params, "en")
    assert slide.message is None, slide.message
    assert slide.chart is not None and slide.key_figure is not None and slide.caption


def test_bottleneck_slide_names_the_planted_bottleneck_and_follows_the_process_and_filters(con, model, ground_truth):
    truth = ground_truth["bottleneck"]
    planted = build_slide(con, model, "bottlenecks", {"process": (truth["process"],)}, "en")
    assert planted.title == "Commercial proposal: where customers wait"
    assert planted.key_figure.label == "of all lateness: Proposal approval in Energy"
    assert planted.key_figure.tone == "bad" and "% of cases over the 24 h target" in planted.key_figure.delta
    wait = truth["median_wait_hours_by_unit"]["energy"]
    assert f"median wait {format_number(wait / 24, 1, 'en')} d" in planted.caption
    other_units = build_slide(con, model, "bottlenecks",
                              {"process": (truth["process"],), "bu": ("machinery", "construction")}, "en")
    assert "Energy" not in other_units.key_figure.label
    assert other_units.key_figure.value != planted.key_figure.value
    assert build_slide(con, model, "bottlenecks", {}, "en").title.startswith("Order fulfilment")


def test_bottleneck_slide_draws_the_saved_breakdown_and_metric(con, model):
    default = build_slide(con, model, "bottlenecks", {"process": ("commercial_proposal",)}, "en").chart.to_dict()
    chosen = build_slide(con, model, "bottlenecks", {"process": ("commercial_proposal",), "by": ("grade",),
                                                     "metric": ("lateness",)}, "en").chart.to_dict()
    assert default["layer"][0]["encoding"]["x"]["title"] == "Business unit"
    assert chosen["layer"][0]["encoding"]["x"]["title"] == "Grade"
    texts = {row["value_text"] for rows in chosen["datasets"].values() for row in rows}
    assert all(text.endswith("%") for text in texts)  # share of lateness, not a wait


def test_heat_map_values_stay_dark_on_light_cells_and_white_on_dark_ones(con, model):
    spec = build_slide(con, model, "bottlenecks", {"metric": ("over",)}, "en").chart.to_dict()
    cells = [row for rows in spec["datasets"].values() for row in rows if "text_light" in row]
    lightest, darkest = min(cells, key=lambda c: c["value"]), max(cells, key=lambda c: c["value"])
    assert lightest["value"] > 40  # "% over target" never starts near zero here: the scale starts at its minimum
    assert not lightest["text_light"] and darkest["text_light"]


def test_a_process_without_breakdowns_gets_the_as_is_to_be_chart(con, model):
    report = replace(load_report(con, Filters(), "commercial_proposal", 30), breakdown_columns=())
    labels = step_label_map(step_dimension(con), "en")
    chart, note = bottlenecks_slide._chart(con, Filters(), report, {"by": ("grade",)}, model, labels, "en", 30)
    assert note == translate("bottlenecks.asis_note", "en")
    assert "Median over the to-be target" in json.dumps(chart.to_dict())


def test_bottleneck_slide_names_filters_the_event_logs_cannot_honour(con, model):
    slide = build_slide(con, model, "bottlenecks", {"role": ("decision_maker",)}, "en")
    assert "Not applied here" in slide.caption and "Respondent role" in slide.caption


def test_follow_up_slide_shows_the_past_due_share_of_the_saved_filters(con, model):
    everyone = build_slide(con, model, "follow_ups", {}, "en")
    energy = build_slide(con, model, "follow_ups", {"bu": ("energy",)}, "ru")
    assert everyone.key_figure.value == _past_due(con, None)
    assert energy.key_figure.value == _past_due(con, "energy").replace(".", ",")
    assert everyone.key_figure.value != energy.key_figure.value
    assert everyone.key_figure.label == "of due cases past due · target 10 %"
    open_now = con.execute("select count(*) filter (where is_open), count(*) filter (where is_overdue) "
                           "from mart_follow_ups where not is_withdrawn").fetchone()
    assert everyone.key_figure.delta == f"{format_number(open_now[0])} open now, {format_number(open_now[1])} overdue"
    assert everyone.key_figure.tone == ("bad" if open_now[1] else "good")
    assert energy.title == "Как мы закрываем обращения детракторов" and "Энергетика" in energy.caption


def test_follow_up_slide_carries_no_personal_data(con, model):
    rows = con.execute("select client_name, client_id, assignee, comment from mart_follow_ups").fetchall()
    private = {value for row in rows for value in row if isinstance(value, str) and len(value) > 3}
    slide = build_slide(con, model, "follow_ups", {"case": ("1",)}, "en")
    shown = " ".join([json.dumps(slide.chart.to_dict(), ensure_ascii=False), slide.caption,
                      slide.key_figure.label, slide.title])
    assert private and not [value for value in private if value in shown]


@pytest.mark.parametrize("page_name", ["bottlenecks", "follow_ups"])
def test_filters_that_match_nothing_give_a_message_slide(con, model, page_name):
    for mart in ("mart_follow_ups", "mart_process_steps"):
        assert con.execute(f"select count(*) from {mart} where period = '2024-Q4' and status = 'lost_lead' "
                           "and business_unit = 'energy'").fetchone()[0] == 0
    slide = build_slide(con, model, page_name, NOTHING, "en")
    assert slide.chart is None and slide.key_figure is None
    expected = "bottlenecks.no_cases" if page_name == "bottlenecks" else "fu.no_cases"
    assert slide.message == translate(expected, "en")


def test_a_warehouse_without_event_logs_or_cases_gives_messages(empty_con, model):
    bottlenecks = build_slide(empty_con, model, "bottlenecks", {}, "en")
    follow_ups = build_slide(empty_con, model, "follow_ups", {}, "en")
    assert bottlenecks.message == translate("bottlenecks.no_events", "en")
    assert follow_ups.chart is None and follow_ups.message


def test_a_storyline_with_both_slides_exports_a_picture_on_each_slide(demo_env, model):
    con = connect(demo_env / "warehouse.duckdb")
    try:
        story_id = sl.create_storyline(con, "Operations")
        sl.add_slide(con, story_id, "bottlenecks", {"process": ["commercial_proposal"]}, "", "Approval stalls.")
        sl.add_slide(con, story_id, "follow_ups", {"bu": ["energy"]}, "Closing the loop", "")
        sl.add_slide(con, story_id, "follow_ups", {k: list(v) for k, v in NOTHING.items()}, "Nothing here", "")
        rendered = deck_slides(con, model, sl.get_storyline(con, story_id), "en")
    finally:
        con.close()
    deck = Presentation(io.BytesIO(build_pptx("Operations", rendered)))
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles == ["Commercial proposal: where customers wait", "Closing the loop", "Nothing here"]
    assert [picture_count(s) for s in deck.slides] == [1, 1, 0]
    texts = " ".join(shape.text_frame.text for shape in deck.slides[2].shapes if shape.has_text_frame)
    assert translate("fu.no_cases", "en") in texts
