"""Voice-of-the-customer charts: topic frequency, topic × group heat-map, topic trends, growth,
client-group profiles. Frames come with labels in the reader's language; texts are passed in.
"""

from __future__ import annotations

import math

import altair as alt
import polars as pl

from app.ui.charts.theme import BAD, GOOD, INK, MUTED, PALETTE, SEQUENTIAL_RANGE, register_theme

register_theme()


def topic_frequency(
    frame: pl.DataFrame, *, x_title: str, colour_title: str, height: int | None = None
) -> alt.Chart:
    """Horizontal bars: complaint texts per topic, coloured by the detractor share of its comments.

    Columns: topic, n, share, pct_detractors (may be null), bar_text.
    """
    order = frame.sort("n", descending=True)["topic"].to_list()
    shares = frame["pct_detractors"].drop_nulls()
    # The scale spans the data (rounded to tens): topics differ by 10–30 points, not 0–100.
    low = 10 * math.floor(float(shares.min()) / 10) if len(shares) else 0
    high = max(low + 10, 10 * math.ceil(float(shares.max()) / 10)) if len(shares) else 100
    base = alt.Chart(frame).encode(
        y=alt.Y("topic:N", sort=order, title=None, axis=alt.Axis(labelLimit=320, labelFontSize=13))
    )
    bars = base.mark_bar(height={"band": 0.68}).encode(
        x=alt.X("n:Q", title=x_title, scale=alt.Scale(nice=True)),
        color=alt.Color(
            "pct_detractors:Q",
            title=colour_title,
            scale=alt.Scale(domain=[low, high], range=["#F6D9C6", BAD], clamp=True),
            legend=alt.Legend(orient="bottom", gradientLength=220, format=".0f"),
        ),
        tooltip=[
            alt.Tooltip("topic:N"),
            alt.Tooltip("n:Q", format=","),
            alt.Tooltip("share:Q", format=".1f"),
            alt.Tooltip("pct_detractors:Q", format=".0f"),
        ],
    )
    labels = base.mark_text(align="left", dx=5, fontSize=12, color=INK).encode(x="n:Q", text="bar_text:N")
    return (bars + labels).properties(height=height or max(160, 38 * frame.height))


def share_heatmap(
    frame: pl.DataFrame,
    *,
    x: str,
    x_order: list[str],
    y_order: list[str],
    x_title: str,
    colour_title: str,
    height: int | None = None,
) -> alt.Chart:
    """Topic (rows) × group (columns) cells coloured by the topic's share of the group's complaints.

    Columns: topic, <x>, share, n, n_total, is_low_n (pale: too few texts in that group), cell_text.
    """
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{x}:N",
            sort=x_order,
            title=x_title,
            axis=alt.Axis(labelAngle=-30 if len(x_order) > 6 else 0, labelLimit=160, orient="top"),
        ),
        y=alt.Y("topic:N", sort=y_order, title=None, axis=alt.Axis(labelLimit=300)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "share:Q",
            title=colour_title,
            scale=alt.Scale(range=list(SEQUENTIAL_RANGE), zero=True),
            legend=alt.Legend(orient="bottom", gradientLength=220, format=".0f"),
        ),
        opacity=alt.condition("datum.is_low_n", alt.value(0.3), alt.value(1.0)),
        tooltip=[
            alt.Tooltip("topic:N"),
            alt.Tooltip(f"{x}:N"),
            alt.Tooltip("share:Q", format=".1f"),
            alt.Tooltip("n:Q", format=","),
            alt.Tooltip("n_total:Q", format=","),
        ],
    )
    dark = 0.55 * float(frame["share"].max() or 0)  # white text only on the darker half of the scale
    text = base.mark_text(fontSize=12).encode(
        text="cell_text:N",
        color=alt.condition(f"datum.share >= {dark:.3f}", alt.value("white"), alt.value(INK)),
    )
    # Streamlit fits the whole chart, axes and legend included, into `height`: leave room for them.
    label_room = 150 if len(x_order) > 6 else 40
    return (cells + text).properties(width="container", height=height or 36 * len(y_order) + label_room + 70)


def share_trend(frame: pl.DataFrame, *, x_title: str, y_title: str, height: int = 320) -> alt.Chart:
    """Share of complaints per period, one line per topic. Columns: period, topic, share, n, n_total."""
    topics = frame["topic"].unique(maintain_order=True).to_list()
    colour = alt.Color(
        "topic:N",
        title=None,
        scale=alt.Scale(domain=topics, range=list(PALETTE)),
        legend=alt.Legend(
            orient="bottom", columns=3, symbolType="stroke", symbolStrokeWidth=4, labelLimit=260
        ),
    )
    base = alt.Chart(frame).encode(x=alt.X("period:O", title=x_title, axis=alt.Axis(labelAngle=0)))
    line = base.mark_line().encode(
        y=alt.Y("share:Q", title=y_title, scale=alt.Scale(zero=True)), color=colour
    )
    points = base.mark_point(filled=True, size=60).encode(
        y="share:Q",
        color=colour,
        tooltip=[
            alt.Tooltip("period:O"),
            alt.Tooltip("topic:N"),
            alt.Tooltip("share:Q", format=".1f"),
            alt.Tooltip("n:Q", format=","),
            alt.Tooltip("n_total:Q", format=","),
        ],
    )
    return (line + points).properties(height=height)


def share_change(frame: pl.DataFrame, *, x_title: str, height: int | None = None) -> alt.Chart:
    """Change of each topic's share (pp) with its margin; growth is bad news here, so it is vermillion.

    Columns: topic, change, change_moe, is_significant.
    """
    order = frame.sort("change", descending=True)["topic"].to_list()
    data = frame.with_columns(
        (pl.col("change") - pl.col("change_moe")).alias("low"),
        (pl.col("change") + pl.col("change_moe")).alias("high"),
    )
    base = alt.Chart(data).encode(y=alt.Y("topic:N", sort=order, title=None, axis=alt.Axis(labelLimit=190)))
    bars = base.mark_bar(height={"band": 0.6}).encode(
        x=alt.X("change:Q", title=x_title),
        color=alt.condition("datum.change > 0", alt.value(BAD), alt.value(GOOD)),
        opacity=alt.condition("datum.is_significant", alt.value(1.0), alt.value(0.35)),
        tooltip=[
            alt.Tooltip("topic:N"),
            alt.Tooltip("change:Q", format="+.1f"),
            alt.Tooltip("change_moe:Q", format=".1f"),
        ],
    )
    errors = base.mark_rule(color=INK, strokeWidth=1.2).encode(x="low:Q", x2="high:Q")
    zero = alt.Chart(pl.DataFrame({"x": [0]})).mark_rule(color=MUTED).encode(x="x:Q")
    return (bars + errors + zero).properties(height=height or max(140, 38 * frame.height))


def group_profiles(
    frame: pl.DataFrame,
    *,
    group_order: list[str],
    topic_order: list[str],
    colour_title: str,
    height: int | None = None,
) -> alt.Chart:
    """Topic (rows) × client group (columns, short names): mean share of the group's complaints in
    that topic. Columns: group, topic, share (0–100), cell_text.
    """
    base = alt.Chart(frame).encode(
        x=alt.X(
            "group:N", sort=group_order, title=None, axis=alt.Axis(labelAngle=0, orient="top", labelLimit=140)
        ),
        y=alt.Y("topic:N", sort=topic_order, title=None, axis=alt.Axis(labelLimit=320)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "share:Q",
            title=colour_title,
            scale=alt.Scale(range=list(SEQUENTIAL_RANGE), domain=[0, 100]),
            legend=alt.Legend(orient="bottom", gradientLength=220, format=".0f"),
        ),
        tooltip=[alt.Tooltip("group:N"), alt.Tooltip("topic:N"), alt.Tooltip("share:Q", format=".0f")],
    )
    text = base.mark_text(fontSize=13).encode(
        text="cell_text:N", color=alt.condition("datum.share >= 55", alt.value("white"), alt.value(INK))
    )
    return (cells + text).properties(width="container", height=height or 34 * len(topic_order) + 110)
