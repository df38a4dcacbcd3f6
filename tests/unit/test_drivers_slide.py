"""The key drivers as a presentation slide from saved views: segment from the view or its filters,
the strongest driver as the key figure, a message (not an error) when there is nothing to show."""

from __future__ import annotations

from app.ui.charts.projector import chart_png
from app.ui.slides.registry import build_slide, has_slide

ENERGY_DM = "business_unit=energy;respondent_role=decision_maker"


def test_saved_segment_becomes_a_ranking_slide_with_the_top_driver(demo_con, model, ground_truth):
    assert has_slide("drivers")
    slide = build_slide(demo_con, model, "drivers", {"seg": (ENERGY_DM,)}, "en")
    assert slide.message is None, slide.message
    assert slide.title == "Key drivers of NPS · Energy · Decision maker"
    top = model.touchpoint(ground_truth["driver_ranking"][0]).label.en
    assert slide.key_figure.value.endswith(" %") and top in slide.key_figure.label
    assert "answers" in slide.caption and "trained" in slide.caption
    assert chart_png(slide.chart, width=1200, max_height=600).startswith(b"\x89PNG")


def test_the_segment_follows_the_saved_filters_and_the_language(demo_con, model):
    slide = build_slide(demo_con, model, "drivers", {"bu": ("energy",)}, "ru")
    assert slide.title == "Ключевые факторы NPS · Энергетика"
    assert slide.chart is not None


def test_untrained_target_and_unknown_segment_give_messages_not_errors(demo_con, model):
    untrained = build_slide(demo_con, model, "drivers", {"target": ("promoter",)}, "en")
    assert untrained.chart is None and "not been trained" in untrained.message
    unknown = build_slide(demo_con, model, "drivers", {"seg": ("business_unit=atlantis",)}, "en")
    assert unknown.title == "Key drivers of NPS · All respondents" and unknown.chart is not None
