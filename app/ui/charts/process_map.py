"""The process map: a directly-follows graph drawn as a vertical, layered diagram in Altair.

Activities stand in process order from top (START) to bottom (END), one per row, so 5–30 steps stay
readable and every label is horizontal. Transitions to the next row are straight arrows in the
middle; transitions that skip steps arc on the right, rework (back to an earlier step, or the same
step again) arcs on the left. Box fill and arrow colour show the average wait before the step
(light = short, vermillion = long) — the average, because a wait that only some cases suffer (one
business unit's approvals) vanishes in a median — and arrow width the number of transitions.

`layout` turns the analytics' nodes and edges into coordinates; `process_map_chart` draws them.
No Streamlit here, so exports render the same picture.
"""

from __future__ import annotations

import math

import altair as alt
import polars as pl

from app.ui.charts.theme import BAD, INK, MUTED, NEUTRAL_FILL, register_theme

register_theme()

BOX_HALF_WIDTH = 1.55  # the narrowest box, data units; the x domain is [-X_EXTENT, X_EXTENT]
MAX_BOX_HALF_WIDTH = 2.05  # leaves the rework loops and their counts room on the left
BOX_HALF_HEIGHT = 0.31
X_EXTENT = 3.2
WIDTH_PX = 560
PX_PER_X = WIDTH_PX / (2 * X_EXTENT)
# an average character of the box text at each font size, px (measured in Chromium, Cyrillic included)
CHAR_PX = {13: 6.9, 12: 6.4}
CURVE_POINTS = 24
WAIT_RANGE = (NEUTRAL_FILL, BAD)
EDGE_RANGE = ("#A9B1B8", BAD)  # pale arrows would vanish on white: edges start grey


def _cubic(p0, p1, p2, p3, n: int = CURVE_POINTS) -> list[tuple[float, float]]:
    points = []
    for i in range(n + 1):
        s = i / n
        a, b, c, d = (1 - s) ** 3, 3 * s * (1 - s) ** 2, 3 * s * s * (1 - s), s**3
        points.append(
            (a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1])
        )
    return points


def _edge_path(source_row: int, target_row: int, w: float) -> tuple[str, list[tuple[float, float]]]:
    """(kind, points) of one transition between rows (y grows downwards) around boxes of half width w."""
    h = BOX_HALF_HEIGHT
    if target_row == source_row + 1:
        return "next", [(0.0, source_row + h), (0.0, target_row - h)]
    if target_row > source_row:
        bulge = min(w + 0.35 + 0.3 * (target_row - source_row), X_EXTENT - 0.15)
        return "skip", _cubic((w, source_row), (bulge, source_row), (bulge, target_row), (w, target_row))
    if target_row == source_row:
        return "loop", _cubic(
            (-w, source_row - 0.12),
            (-w - 0.9, source_row - 0.55),
            (-w - 0.9, source_row + 0.55),
            (-w, source_row + 0.12),
        )
    bulge = max(-w - 0.35 - 0.3 * (source_row - target_row), -X_EXTENT + 0.15)
    return "back", _cubic((-w, source_row), (bulge, source_row), (bulge, target_row), (-w, target_row))


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def wait_colour(wait: float | None, max_wait: float, colours: tuple[str, str] = EDGE_RANGE) -> str:
    """The colour of a wait on a linear scale from colours[0] (no wait) to colours[1] (longest)."""
    if wait is None:
        return MUTED
    share = min(max(wait / max_wait, 0.0), 1.0) if max_wait > 0 else 0.0
    low, high = _hex(colours[0]), _hex(colours[1])
    return "#" + "".join(f"{round(a + (b - a) * share):02X}" for a, b in zip(low, high, strict=True))


def _arrow_angle(points: list[tuple[float, float]], px_per_x: float, px_per_y: float) -> float:
    """Clockwise degrees from 'up' for a triangle at the path's end, in screen space."""
    (x0, y0), (x1, y1) = points[-2], points[-1]
    return math.degrees(math.atan2((x1 - x0) * px_per_x, -(y1 - y0) * px_per_y)) % 360


def box_fit(texts: list[str]) -> tuple[float, int]:
    """(box half width, font size) that fit the longest line of the boxes' texts: the boxes widen up
    to MAX_BOX_HALF_WIDTH, then the text steps down to 12 px (Russian figures run a quarter longer
    than English ones and would spill out of the box)."""
    longest = max((len(line) for text in texts for line in text.split("\n")), default=0)
    for size, char_px in CHAR_PX.items():
        half = (longest * char_px + 20) / PX_PER_X / 2  # 10 px inside each side
        if half <= MAX_BOX_HALF_WIDTH:
            return max(BOX_HALF_WIDTH, half), size
    return MAX_BOX_HALF_WIDTH, min(CHAR_PX)


def layout(
    nodes: pl.DataFrame, edges: pl.DataFrame, row_px: int, max_wait: float
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(node boxes, edge points, edge ends). `nodes` need activity, step_order (START first, END
    last) and box_text (the boxes are made as wide as it needs: `box_fit`); edges need source, target,
    n_transitions, wait_mean_hours; extra columns pass through."""
    ordered = nodes.sort("step_order").with_row_index("row")
    rows = dict(zip(ordered["activity"], ordered["row"].cast(pl.Int64), strict=True))
    half_width, font_size = box_fit(ordered["box_text"].to_list())
    boxes = ordered.with_columns(
        x=pl.lit(-half_width),
        x2=pl.lit(half_width),
        center_x=pl.lit(0.0),
        y=pl.col("row") - BOX_HALF_HEIGHT,
        y2=pl.col("row") + BOX_HALF_HEIGHT,
        font_size=pl.lit(font_size),
    )
    point_rows, end_rows = [], []
    for i, edge in enumerate(edges.iter_rows(named=True)):
        if edge["source"] not in rows or edge["target"] not in rows:
            continue
        kind, points = _edge_path(rows[edge["source"]], rows[edge["target"]], half_width)
        colour = wait_colour(edge["wait_mean_hours"], max_wait)
        for order, (x, y) in enumerate(points):
            point_rows.append(
                {**edge, "edge": i, "kind": kind, "order": order, "x": x, "y": y, "edge_colour": colour}
            )
        mid = (
            ((points[0][0] + points[-1][0]) / 2, (points[0][1] + points[-1][1]) / 2)
            if kind == "next"
            else (points[len(points) // 2])
        )
        end_rows.append(
            {
                **edge,
                "edge": i,
                "kind": kind,
                "x": points[-1][0],
                "y": points[-1][1],
                "edge_colour": colour,
                "angle": _arrow_angle(points, PX_PER_X, row_px),
                "label_x": mid[0],
                "label_y": mid[1],
            }
        )
    return boxes, pl.DataFrame(point_rows), pl.DataFrame(end_rows)


def _xy(rows: int, x_field: str = "x", y_field: str = "y") -> tuple[alt.X, alt.Y]:
    """Shared coordinates: every layer uses the same fixed domains, so boxes and arrows line up."""
    return (
        alt.X(f"{x_field}:Q", scale=alt.Scale(domain=[-X_EXTENT, X_EXTENT]), axis=None),
        alt.Y(f"{y_field}:Q", scale=alt.Scale(domain=[-0.5, rows - 0.5], reverse=True), axis=None),
    )


def process_map_chart(
    boxes: pl.DataFrame,
    points: pl.DataFrame,
    ends: pl.DataFrame,
    *,
    row_px: int,
    wait_title: str,
    max_wait: float,
) -> alt.LayerChart:
    """Boxes need box_text (label and figures, lines split by '\\n'), is_terminal, text_light and
    tip_* columns (tooltip); edges need count_text and tip_* columns."""
    rows = boxes.height
    x, y = _xy(rows)
    layers: list[alt.Chart] = []
    if points.height:
        layers += _edge_layers(points, ends, rows)
    wait_scale = alt.Scale(domain=[0, max(max_wait, 1.0)], range=list(WAIT_RANGE))
    fill = alt.condition(
        "datum.is_terminal",
        alt.value("#FFFFFF"),
        alt.Color(
            "wait_mean_hours:Q",
            scale=wait_scale,
            title=wait_title,
            # swatches, not a gradient: the page's tabs hold several charts, and Chromium painted this
            # tab's gradient legend blank (its gradient resolved to another tab's hidden one)
            legend=alt.Legend(orient="top", type="symbol", symbolType="square", symbolSize=180, direction="horizontal",
                              titleLimit=500),
        ),
    )
    tips = [alt.Tooltip(f"{c}:N", title=c[4:]) for c in boxes.columns if c.startswith("tip_")]
    base = alt.Chart(boxes)
    layers.append(
        base.mark_rect(cornerRadius=8, stroke=INK, strokeWidth=1.2).encode(
            x=x, x2="x2:Q", y=y, y2="y2:Q", fill=fill, tooltip=tips
        )
    )
    cx, cy = _xy(rows, "center_x", "row")
    layers.append(
        base.mark_text(lineBreak="\n", lineHeight=17, baseline="middle", dy=-4).encode(
            x=cx,
            y=cy,
            text="box_text:N",
            size=alt.Size("font_size:Q", scale=None, legend=None),
            tooltip=tips,
            color=alt.condition("datum.text_light", alt.value("#FFFFFF"), alt.value(INK)),
        )
    )
    height = int(row_px * rows)
    return alt.layer(*layers).properties(width=WIDTH_PX, height=height).resolve_scale(color="independent")


def _edge_layers(points: pl.DataFrame, ends: pl.DataFrame, rows: int) -> list[alt.Chart]:
    x, y = _xy(rows)
    stroke = alt.Color("edge_colour:N", scale=None, legend=None)
    width = alt.Size("n_transitions:Q", legend=None, scale=alt.Scale(range=[1.5, 9]))
    tooltip = [alt.Tooltip(f"{c}:N", title=c[4:]) for c in points.columns if c.startswith("tip_")]
    lines = (
        alt.Chart(points)
        .mark_trail(opacity=0.9)
        .encode(x=x, y=y, detail="edge:N", order="order:Q", size=width, color=stroke, tooltip=tooltip)
    )
    heads = (
        alt.Chart(ends)
        .mark_point(shape="triangle-up", filled=True, size=150, opacity=1)
        .encode(x=x, y=y, angle=alt.Angle("angle:Q", scale=None), color=stroke, tooltip=tooltip)
    )
    lx, ly = _xy(rows, "label_x", "label_y")
    labels = (
        alt.Chart(ends)
        .mark_text(align="left", baseline="middle", dx=8, fontSize=12, color=MUTED)
        .encode(x=lx, y=ly, text="count_text:N")
    )
    return [lines, heads, labels]


def pareto_chart(frame: pl.DataFrame, *, title: str) -> alt.LayerChart:
    """Delay by step, largest first: bars with their share, and the cumulative share as a column of
    figures on the right (a line would run through the bar labels). Columns: label, delay_pct,
    value_text, cumulative_text."""
    order = frame["label"].to_list()
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    base = alt.Chart(frame).encode(y=y)
    bars = base.mark_bar(color=BAD, height={"band": 0.7}).encode(
        x=alt.X("delay_pct:Q", title=title, scale=alt.Scale(domain=[0, 100])),
        tooltip=["label", alt.Tooltip("delay_pct:Q", format=".1f"), "cumulative_text"],
    )
    text = base.mark_text(align="left", dx=5, color=INK).encode(x="delay_pct:Q", text="value_text:N")
    cumulative = base.mark_text(align="left", dx=10, color=MUTED).encode(
        x=alt.datum(100), text="cumulative_text:N"
    )
    return alt.layer(bars, text, cumulative).properties(
        height=max(140, 40 * frame.height), padding={"right": 64}
    )
