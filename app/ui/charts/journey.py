"""Journey charts: the stage × touchpoint heat-map (and its difference variant), the emotion curve,
and a touchpoint's score distribution and trend.

The heat-map is laid out like a journey map: one column per stage in journey order, the stage's
touchpoints stacked in it. Each cell shows the touchpoint, the value with its 95 % margin and n;
moments of truth get a solid dark frame and ★, suggested ones a dashed purple frame and ☆; cells
below the minimum n are grey whatever their value. Frames come from `app.ui.journey_frames`.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from app.ui.charts.theme import (
    DIVERGING_RANGE,
    INK,
    LOW_N_FILL,
    LOW_N_TEXT,
    MUTED,
    SEQUENTIAL_RANGE,
    register_theme,
)

register_theme()

CELL_HEIGHT = 136
AXIS_EXTENT = 48  # same left gutter on the heat-map and the emotion curve so stages line up
SUGGESTED_STROKE = "#CC79A7"
SELECTION = "cell"

_STAGE_AXIS = {
    "labelExpr": "split(datum.label, '\\n')",
    "labelAngle": 0,
    "labelFontWeight": 600,
    "labelFontSize": 13,
    "labelLimit": 200,
    "labelPadding": 8,
    "labelLineHeight": 15,
    "ticks": False,
    "domain": False,
    "title": None,
}


def _stage_x(orient: str = "top") -> alt.X:
    axis = dict(_STAGE_AXIS)
    if orient == "top":
        # Vega grows multi-line labels downwards: hang them from a fixed top instead, two lines high.
        axis.update(labelBaseline="top", labelPadding=6 + 2 * 15)
    return alt.X("stage_label:N", sort=alt.SortField("stage_order"), axis=alt.Axis(orient=orient, **axis),
                 scale=alt.Scale(paddingInner=0.06, paddingOuter=0.02))


def _cell_fill(frame: pl.DataFrame, domain: tuple[float, float], mid: float | None, reverse: bool):
    """The fill encoding, and the frame with grey cells flagged: Vega-Lite drops rows whose colour
    field is null, so a grey cell gets `is_grey` and a dummy value instead."""
    colours = list(DIVERGING_RANGE if mid is not None else SEQUENTIAL_RANGE)
    if reverse:
        colours.reverse()
    scale_domain = [domain[0], mid, domain[1]] if mid is not None else list(domain)
    frame = frame.with_columns(
        pl.col("colour_value").is_null().alias("is_grey"),
        pl.col("colour_value").fill_null(mid if mid is not None else domain[0]),
    )
    fill = alt.condition(
        "datum.is_grey",
        alt.value(LOW_N_FILL),
        alt.Color("colour_value:Q", legend=None, scale=alt.Scale(domain=scale_domain, range=colours, clamp=True)),
    )
    return frame, fill


def _cell_rects(base: alt.Chart, fill, tooltip: list[alt.Tooltip], selectable: bool) -> alt.Chart:
    """Cells framed by kind: solid dark = moment of truth, dashed purple = suggested, thin white = plain."""
    rect = base.mark_rect(cornerRadius=6).transform_calculate(
        frame_tone="datum.is_moment_of_truth ? 'mot' : (datum.is_suggested_mot ? 'suggested' : 'plain')"
    ).encode(
        fill=fill,
        stroke=alt.Color("frame_tone:N", legend=None, scale=alt.Scale(
            domain=["mot", "suggested", "plain"], range=[INK, SUGGESTED_STROKE, "white"])),
        strokeWidth=alt.condition("datum.is_moment_of_truth || datum.is_suggested_mot", alt.value(3.5), alt.value(1)),
        strokeDash=alt.condition("datum.is_suggested_mot && !datum.is_moment_of_truth", alt.value([7, 4]),
                                 alt.value([1, 0])),
        tooltip=tooltip,
    )
    if not selectable:
        return rect
    selection = alt.selection_point(name=SELECTION, fields=["touchpoint_id"], on="click", toggle=False)
    return rect.add_params(selection).encode(opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)))


def _cell_texts(base: alt.Chart) -> list[alt.Chart]:
    """Fixed vertical slots inside a ~120 px cell: label (1–3 lines) from the top, the value in the
    middle, "±margin" and "n" on two short lines below, so nothing overflows a narrow column."""
    colour = alt.Color("text_tone:N", legend=None, scale=alt.Scale(
        domain=["light", "muted", "ink"], range=["white", LOW_N_TEXT, INK]))
    base = base.transform_calculate(text_tone="datum.text_light ? 'light' : (datum.is_grey ? 'muted' : 'ink')")
    label = base.mark_text(dy=-50, baseline="top", fontSize=11, lineBreak="\n", lineHeight=13,
                           fontWeight=600).encode(text="cell_label:N", color=colour)
    value = base.mark_text(dy=6, fontSize=20, fontWeight=700).encode(text="value_text:N", color=colour)
    detail = base.mark_text(dy=22, baseline="top", fontSize=11, lineBreak="\n", lineHeight=13).encode(
        text="detail_text:N", color=colour)
    return [label, value, detail]


def journey_heatmap(
    frame: pl.DataFrame,
    *,
    domain: tuple[float, float],
    mid: float | None,
    reverse: bool = False,
    selectable: bool = True,
) -> alt.LayerChart:
    """The map. Columns: touchpoint_id, stage_label, stage_order, slot, cell_label, value_text,
    detail_text, colour_value (null = grey), text_light (bool), is_moment_of_truth,
    is_suggested_mot, tooltip_* columns (shown on hover). Clicking a cell selects its touchpoint
    (selection parameter `SELECTION`).
    """
    frame, fill = _cell_fill(frame, domain, mid, reverse)
    slots = int(frame["slot"].max() or 0) + 1 if frame.height else 1
    base = alt.Chart(frame).encode(
        x=_stage_x(),
        y=alt.Y("slot:O", axis=alt.Axis(labels=False, ticks=False, domain=False, title=None,
                                        minExtent=AXIS_EXTENT, maxExtent=AXIS_EXTENT),
                scale=alt.Scale(paddingInner=0.08)),
    )
    tooltip = [alt.Tooltip(f"{c}:N", title=c.removeprefix("tooltip_")) for c in frame.columns
               if c.startswith("tooltip_")]
    rect = _cell_rects(base, fill, tooltip, selectable)
    return alt.layer(rect, *_cell_texts(base)).properties(height=CELL_HEIGHT * slots)


def emotion_curve(frame: pl.DataFrame, *, series: str | None = None, height: int = 230) -> alt.LayerChart:
    """Mean 0–100 score per stage with its 95 % band; one line per `series` value (comparisons).
    No y-axis title: the left gutter must match the heat-map's so the stages line up (the page
    says what the axis is).

    Columns: stage_label, stage_order, score_100, score_low, score_high, n, is_low_n, [series].
    Stages with too few answers get hollow points.
    """
    colour = alt.Color(f"{series}:N", title=None) if series else alt.value(INK)
    base = alt.Chart(frame).encode(x=_stage_x(orient="bottom"))
    y = alt.Y("score_100:Q", title=None, scale=alt.Scale(zero=False, nice=True),
              axis=alt.Axis(minExtent=AXIS_EXTENT, maxExtent=AXIS_EXTENT, tickCount=5))
    band = base.mark_area(opacity=0.15).encode(y="score_low:Q", y2="score_high:Q", color=colour)
    line = base.mark_line(interpolate="monotone").encode(y=y, color=colour)
    points = base.mark_point(filled=True, size=90, strokeWidth=2).encode(
        y="score_100:Q", color=colour,
        fill=alt.condition("datum.is_low_n", alt.value("white"), colour),
        tooltip=[alt.Tooltip("stage_label:N"), alt.Tooltip("score_100:Q", format=".1f"),
                 alt.Tooltip("score_low:Q", format=".1f"), alt.Tooltip("score_high:Q", format=".1f"),
                 alt.Tooltip("n:Q", format=",")],
    )
    return alt.layer(band, line, points).properties(height=height)


def score_distribution(frame: pl.DataFrame, *, x_title: str, y_title: str, height: int = 240) -> alt.LayerChart:
    """Answers per rating; columns: rating, n, share_text, band ('low' | 'mid' | 'top2'), band_label."""
    colours = alt.Scale(domain=["low", "mid", "top2"], range=[DIVERGING_RANGE[0], "#B8C2CC", DIVERGING_RANGE[2]])
    base = alt.Chart(frame).encode(x=alt.X("rating:O", title=x_title, axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar().encode(
        y=alt.Y("n:Q", title=y_title),
        color=alt.Color("band:N", scale=colours, legend=None),
        tooltip=[alt.Tooltip("rating:O"), alt.Tooltip("n:Q", format=","), alt.Tooltip("share_text:N")],
    )
    labels = base.mark_text(dy=-8, color=MUTED, fontSize=12).encode(y="n:Q", text="share_text:N")
    return alt.layer(bars, labels).properties(height=height)


def touchpoint_trend(
    frame: pl.DataFrame, *, y_title: str, target: float | None, height: int = 240
) -> alt.LayerChart:
    """Mean rating per period with its 95 % band, and the target as a dashed rule.

    Columns: period, csat_mean, csat_low, csat_high, n.
    """
    base = alt.Chart(frame).encode(x=alt.X("period:O", title=None, axis=alt.Axis(labelAngle=0)))
    band = base.mark_area(opacity=0.15, color=DIVERGING_RANGE[2]).encode(y="csat_low:Q", y2="csat_high:Q")
    line = base.mark_line(color=DIVERGING_RANGE[2], point=alt.OverlayMarkDef(filled=True, size=70)).encode(
        y=alt.Y("csat_mean:Q", title=y_title, scale=alt.Scale(zero=False, nice=True)),
        tooltip=[alt.Tooltip("period:O"), alt.Tooltip("csat_mean:Q", format=".2f"), alt.Tooltip("n:Q", format=",")],
    )
    layers = [band, line]
    if target is not None:
        rule = alt.Chart(pl.DataFrame({"target": [target]})).mark_rule(color=MUTED, strokeDash=[6, 4]).encode(
            y="target:Q"
        )
        layers.append(rule)
    return alt.layer(*layers).properties(height=height)
