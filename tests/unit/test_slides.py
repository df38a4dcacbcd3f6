"""Slides from saved views: URL parameters parsed like the pages parse them, the registered slide
functions of the overview and the journey map on the demo warehouse, and the projector variant of
the chart theme (sizes scaled, data untouched, tall band charts zoomed to fit)."""

from __future__ import annotations

import altair as alt
import polars as pl

from app.analytics.movers import latest_and_previous
from app.analytics.nps import with_nps
from app.ui.charts.projector import (
    PROJECTOR_ZOOM,
    chart_png,
    projector_spec,
    scale_sizes,
    stretches_vertically,
    zoom_to_fit,
)
from app.ui.i18n import format_number
from app.ui.slides.params import choice, filters_from_params, params_from_filters, with_filters
from app.ui.slides.registry import SLIDE_FUNCTIONS, build_slide, slide_function
from app.warehouse.filters import Filters
from app.warehouse.scores import available_periods, nps_totals

PERIODS = ["2025-Q1", "2025-Q2", "2025-Q3"]


def test_unknown_values_in_saved_parameters_are_dropped(model):
    params = {"bu": ("energy", "atlantis"), "from": ("1999-Q9",), "to": ("2025-Q2",), "grade": ("a",)}
    filters = filters_from_params(params, model, PERIODS)
    assert filters.business_units == ("energy",)
    assert (filters.period_from, filters.period_to) == ("2025-Q1", "2025-Q2")
    assert choice({"metric": ("bogus",)}, "metric", ("nps", "csat"), "csat") == "csat"
    assert choice({"metric": ("nps", "csat")}, "metric", ("nps", "csat"), "nps") == "csat"


def test_live_filters_replace_saved_filters_and_keep_page_state():
    saved = {"bu": ("energy",), "metric": ("nps",), "from": ("2025-Q2",)}
    live = Filters(period_from="2025-Q1", period_to="2025-Q3", segments=("key_accounts",))
    assert with_filters(saved, live, PERIODS) == {"metric": ("nps",), "segment": ("key_accounts",)}
    assert params_from_filters(Filters(period_from="2025-Q2", period_to="2025-Q2"), PERIODS) == {
        "from": ("2025-Q2",), "to": ("2025-Q2",)}


def test_every_registered_slide_function_resolves():
    for page in SLIDE_FUNCTIONS:
        assert callable(slide_function(page))
    assert slide_function("no_such_page") is None


def test_overview_slide_key_figure_is_the_latest_quarter_nps(demo_con, model):
    content = build_slide(demo_con, model, "overview", {"bu": ("energy",)}, "en")
    filters = filters_from_params({"bu": ("energy",)}, model, available_periods(demo_con))
    totals = with_nps(nps_totals(demo_con, filters, by=("period",)))
    latest, previous = latest_and_previous(totals["period"].to_list())
    nps = totals.filter(pl.col("period") == latest)["nps"][0]
    assert content.key_figure.value == format_number(nps, 0, "en", signed=True)
    assert content.key_figure.label.endswith(latest) and previous in content.key_figure.delta
    assert isinstance(content.chart, alt.TopLevelMixin) and "Energy" in content.caption


def test_journey_slide_names_the_weakest_touchpoint_and_follows_the_saved_metric(demo_con, model):
    nps = build_slide(demo_con, model, "journey_map", {"metric": ("nps",)}, "ru")
    assert nps.chart is not None and nps.message is None
    assert "NPS" in nps.title and "слабее всего" in nps.key_figure.label
    compare = build_slide(demo_con, model, "journey_map",
                          {"view": ("compare",), "a": ("energy",), "b": ("machinery",)}, "en")
    assert "Energy − Machinery" in compare.title
    assert compare.key_figure is not None


def test_a_page_without_slide_function_or_with_bad_data_gives_a_message_not_an_error(demo_con, model):
    content = build_slide(demo_con, model, "data", {}, "en")
    assert content.chart is None and content.message
    empty = build_slide(demo_con, model, "overview", {"from": ("2099-Q1",), "bu": ("energy",)}, "en")
    assert empty.chart is not None or empty.message  # an unknown period falls back to the full range


def _text_chart() -> alt.LayerChart:
    frame = pl.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0]})
    base = alt.Chart(frame).encode(y=alt.Y("x:N"))
    bars = base.mark_bar(height={"band": 0.6}).encode(x="y:Q", strokeWidth=alt.value(2))
    text = base.mark_text(dy=-9, fontSize=12).encode(x="y:Q", text="y:Q")
    return alt.layer(bars, text).properties(height=400)


def test_projector_scales_every_size_but_never_the_data():
    spec = _text_chart().to_dict()
    scaled = scale_sizes(spec, 2.0)
    text_mark = scaled["layer"][1]["mark"]
    assert (text_mark["fontSize"], text_mark["dy"]) == (24, -18)
    assert scaled["layer"][0]["mark"]["height"] == {"band": 0.6}  # relative: unchanged
    assert scaled["layer"][0]["encoding"]["strokeWidth"]["value"] == 4
    assert scaled["config"]["axis"]["labelFontSize"] == spec["config"]["axis"]["labelFontSize"] * 2
    assert scaled["datasets"] == spec["datasets"]


def test_tall_band_charts_are_zoomed_to_fit_and_line_charts_stretch():
    bars = _text_chart().to_dict()
    assert not stretches_vertically(bars)
    assert zoom_to_fit(bars, max_height=500) == 500 / 400
    line = alt.Chart(pl.DataFrame({"x": [1, 2], "y": [1, 2]})).mark_line().encode(x="x:Q", y="y:Q").to_dict()
    assert stretches_vertically(line)
    assert zoom_to_fit(line, max_height=100) == PROJECTOR_ZOOM
    assert projector_spec(line, max_height=600, fill_height=True)["height"] == 600


def test_chart_png_is_rendered_offline_at_the_requested_width():
    png = chart_png(_text_chart(), width=800, max_height=300)
    assert png.startswith(b"\x89PNG")
    width = int.from_bytes(png[16:20], "big")
    assert width == 800


def test_voice_of_customer_slide_leads_with_the_most_frequent_complaint_topic(demo_con, model):
    content = build_slide(demo_con, model, "voice_of_customer", {"src": ("survey",)}, "en")
    assert content.chart is not None, content.message
    from app.ui.views.voc_slide import NO_TOPIC, frequency
    from app.warehouse.voc_queries import topics_key

    filters = filters_from_params({}, model, available_periods(demo_con))
    topics = frequency(demo_con, topics_key(demo_con), filters, "en", ("survey",))
    top_share = topics.filter(pl.col("topic_key") != NO_TOPIC).sort("n", descending=True)["share"][0]
    assert content.key_figure.value == f"{format_number(top_share, 0, 'en')} %"
    assert content.key_figure.label.startswith("of complaints:")
