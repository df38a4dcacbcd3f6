"""The KPI tree and clients pages as slides (presentation mode and deck export) from saved views."""

from __future__ import annotations

import pytest

from app.ui.slides.registry import build_slide, has_slide


@pytest.mark.parametrize(
    ("page_name", "params"),  # not "page": that name is pytest-playwright's browser page
    [
        ("kpi_tree", {}),
        ("kpi_tree", {"kpi": ("ox_on_time_delivery",), "unit": ("energy",), "chain": ("tx_ltv",)}),
        ("clients", {"bu": ("energy",)}),
        ("clients", {"client": ("C00049",)}),
    ],
)
def test_saved_view_becomes_a_slide_with_a_chart_and_a_key_figure(demo_con, model, page_name, params):
    assert has_slide(page_name)
    slide = build_slide(demo_con, model, page_name, params, "en")
    assert slide.message is None, slide.message
    assert slide.chart is not None and slide.key_figure is not None and slide.caption


def test_kpi_slide_follows_the_saved_focus_and_language(demo_con, model):
    slide = build_slide(
        demo_con, model, "kpi_tree", {"kpi": ("ox_on_time_delivery",), "chain": ("tx_ltv",)}, "ru"
    )
    assert slide.title.startswith("Что влияет на «LTV клиента»")
    assert slide.key_figure.label.startswith(model.kpi("ox_on_time_delivery").name.get("ru"))


def test_unknown_values_in_a_saved_view_fall_back_instead_of_failing(demo_con, model):
    kpi = build_slide(demo_con, model, "kpi_tree", {"kpi": ("nope",), "unit": ("atlantis",)}, "en")
    clients = build_slide(demo_con, model, "clients", {"client": ("C99999",)}, "en")
    assert kpi.chart is not None and clients.title == "Client satisfaction index by quarter"
