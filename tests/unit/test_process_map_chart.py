"""The process map's boxes fit their text: a Russian box's figures run about a quarter longer than the
English ones and spilled out of the fixed-width boxes (white text on the darkest box vanished)."""

from __future__ import annotations

import polars as pl

from app.ui.charts.process_map import (
    BOX_HALF_WIDTH,
    CHAR_PX,
    MAX_BOX_HALF_WIDTH,
    PX_PER_X,
    box_fit,
    layout,
    process_map_chart,
)

ENGLISH = "Production\n20,412 cases · avg wait 3.3 d · 111 open"
RUSSIAN = "Производство\n20 412 случаев · ожидание в ср. 3,3 дн · 111 открыто"


def _fits(text: str, half_width: float, size: int) -> bool:
    longest = max(len(line) for line in text.split("\n"))
    return longest * CHAR_PX[size] + 20 <= 2 * half_width * PX_PER_X + 1e-9


def test_short_labels_keep_the_narrowest_box_and_the_usual_font():
    assert box_fit(["Order entry\n5 cases · avg wait 1 h"]) == (BOX_HALF_WIDTH, 13)


def test_english_and_russian_figures_fit_their_boxes():
    for text in (ENGLISH, RUSSIAN):
        half, size = box_fit(["Start · 20,421 cases", text])
        assert BOX_HALF_WIDTH <= half <= MAX_BOX_HALF_WIDTH
        assert _fits(text, half, size), text
    assert box_fit([ENGLISH])[1] == 13 and box_fit([RUSSIAN])[1] == 12


def test_boxes_arrows_and_text_size_follow_the_fit():
    nodes = pl.DataFrame({"activity": ["a", "b"], "step_order": [1, 2], "box_text": [RUSSIAN, "b\n1"],
                          "is_terminal": [False, False], "text_light": [False, False],
                          "wait_mean_hours": [1.0, 2.0]})
    edges = pl.DataFrame({"source": ["a", "b"], "target": ["b", "a"], "n_transitions": [3, 1],
                          "wait_mean_hours": [1.0, 2.0], "count_text": ["3", "1"]})
    boxes, points, ends = layout(nodes, edges, 84, 2.0)
    half, size = box_fit([RUSSIAN, "b\n1"])
    assert boxes["x2"].to_list() == [half, half] and boxes["font_size"].to_list() == [size, size]
    back = points.filter(pl.col("kind") == "back")
    assert back["x"][0] == -half and back["x"][-1] == -half  # the rework arc leaves and meets the box edge
    spec = process_map_chart(boxes, points, ends, row_px=84, wait_title="wait", max_wait=2.0).to_dict()
    assert any(layer.get("encoding", {}).get("size", {}).get("field") == "font_size" for layer in spec["layer"])
