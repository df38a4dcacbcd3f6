"""Heat-map cells (texts, colours, grey low-n cells) and the chart builders' Vega-Lite output."""

from __future__ import annotations

import io

import polars as pl
import pytest

from app.analytics.touchpoints import METRICS, touchpoint_metrics
from app.ui.charts import journey as journey_charts
from app.ui.charts import trends
from app.ui.journey_frames import CellTexts, colour_domain, heatmap_frame, wrap

TEXTS = CellTexts(n_short="n {n}", too_few="too few", no_answers="no answers", touchpoint="Touchpoint",
                  stage="Stage", value="Value", interval="95 %", answers="Answers", note="Note",
                  mot="Moment of truth", suggested="Behaves like one")
DIMENSION = pl.DataFrame({
    "touchpoint_id": ["a", "b", "c"], "touchpoint_order": [0, 1, 2],
    "stage_id": ["s1", "s1", "s2"], "stage_order": [0, 0, 1],
    "stage_label_en": ["First contact", "First contact", "Delivery"], "stage_label_ru": [None, None, "Доставка"],
    "label_en": ["Website and catalogue", "Trade show", "Delivery on time"], "label_ru": [None, None, None],
    "is_moment_of_truth": [False, False, True],
    "scale_min": [1, 1, 1], "scale_max": [5, 5, 5], "top2_min": [4, 4, 4], "target": [4.0, 4.0, 4.2],
})
TOTALS = pl.DataFrame({
    "stage_id": ["s1", "s1", "s2"], "touchpoint_id": ["a", "b", "c"], "n": [100.0, 10.0, 200.0],
    "sum_rating": [400.0, 30.0, 700.0], "sum_rating_sq": [1650.0, 95.0, 2600.0],
    "sum_score_100": [7500.0, 500.0, 12500.0], "n_top2": [80.0, 3.0, 120.0], "n_promoters": [50.0, 2.0, 80.0],
    "n_detractors": [10.0, 5.0, 60.0], "sum_importance": [0.0, 0.0, 0.0], "n_importance": [0.0, 0.0, 0.0],
})


@pytest.fixture
def metrics() -> pl.DataFrame:
    return touchpoint_metrics(TOTALS, DIMENSION, min_n=30).with_columns(pl.lit(False).alias("is_suggested_mot"))


def test_wrap_breaks_on_words_and_cuts_with_an_ellipsis():
    assert wrap("Production status updates", 12) == "Production\nstatus\nupdates"
    assert wrap("one two three four five six", 7, 2).endswith("…")


def test_scores_are_coloured_around_the_median_trusted_cell(metrics):
    low, mid, high = colour_domain(metrics, METRICS["csat"])
    assert mid == pytest.approx(68.75)  # median of a (75) and c (62.5); b has too few answers
    assert high - mid == pytest.approx(mid - low) and high - mid >= 6.25


def test_cells_carry_texts_marks_and_grey_for_low_n(metrics):
    spec = METRICS["csat"]
    frame = heatmap_frame(metrics, spec, "en", TEXTS, colour_domain(metrics, spec))
    a, b, c = frame.sort("touchpoint_id").to_dicts()
    assert a["value_text"] == "4.00" and a["detail_text"].startswith("±") and "n 100" in a["detail_text"]
    assert b["colour_value"] is None and b["detail_text"] == "too few\nn 10"
    assert c["cell_label"].startswith("★ ") and c["tooltip_Note"] == "Moment of truth"
    assert (a["slot"], b["slot"], c["slot"]) == (0, 1, 0)


def test_heatmap_spec_has_the_click_selection_and_keeps_grey_rows(metrics):
    spec = METRICS["nps"]
    frame = heatmap_frame(metrics, spec, "en", TEXTS, colour_domain(metrics, spec))
    chart = journey_charts.journey_heatmap(frame, domain=(-50, 50), mid=0.0)
    as_dict = chart.to_dict()
    params = [p for p in as_dict.get("params", []) if p["name"] == journey_charts.SELECTION]
    assert len(params) == 1 and params[0]["select"]["fields"] == ["touchpoint_id"]
    rows = next(iter(as_dict["datasets"].values()))
    assert len(rows) == 3 and sum(r["is_grey"] for r in rows) == 1


def test_chart_builders_compile_and_render_offline(metrics):
    trend = pl.DataFrame({"period": ["2025-Q1", "2025-Q2"] * 2, "series": ["Company"] * 2 + ["Energy"] * 2,
                          "nps": [10.0, 12.0, 5.0, 8.0], "nps_low": [5.0, 7.0, -5.0, -2.0],
                          "nps_high": [15.0, 17.0, 15.0, 18.0], "n": [400, 420, 90, 95],
                          "is_low_n": [False] * 4})
    chart = trends.nps_trend(trend, series="series", y_title="NPS", x_title="Quarter", total_label="Company")
    buffer = io.BytesIO()
    chart.save(buffer, format="png")  # vl-convert renders the same chart for decks, offline
    assert buffer.getvalue()[:4] == b"\x89PNG"
