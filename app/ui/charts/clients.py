"""Client card charts: the satisfaction index over time (overall, TX, CX), the client's journey as it
lived it (touchpoint × quarter ratings), and its orders against the promised dates. Frame in,
Altair chart out; labels arrive already in the reader's language. No Streamlit here.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from app.ui.charts.theme import BAD, DIVERGING_RANGE, GOOD, INK, MUTED, register_theme

register_theme()


def index_trend(frame: pl.DataFrame, *, y_title: str, x_title: str, height: int = 300) -> alt.LayerChart:
    """Lines per series (overall bold, TX and CX blocks thinner) on 0–100.

    Columns: period, series, score, is_overall, is_partial (open points = partial overall score).
    """
    names = frame["series"].unique(maintain_order=True).to_list()
    colours = [INK, "#0072B2", "#E69F00", "#009E73"][: len(names)]
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=names, range=colours),
        legend=alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=4),
    )
    base = alt.Chart(frame).encode(x=alt.X("period:O", title=x_title, axis=alt.Axis(labelAngle=-40)))
    lines = base.mark_line().encode(
        y=alt.Y("score:Q", title=y_title, scale=alt.Scale(domain=[0, 100])),
        color=colour,
        strokeWidth=alt.condition("datum.is_overall", alt.value(4), alt.value(2)),
    )
    points = base.mark_point(filled=True, size=90).encode(
        y="score:Q",
        color=colour,
        fill=alt.condition("datum.is_partial", alt.value("white"), colour),
        tooltip=[alt.Tooltip("period:O"), alt.Tooltip("series:N"), alt.Tooltip("score:Q", format=".1f")],
    )
    return (lines + points).properties(height=height)


def journey_heatmap(frame: pl.DataFrame, *, x_title: str, y_title: str) -> alt.LayerChart:
    """Touchpoint rows (journey order) × quarter columns coloured by the 0–100 score, rating as text.

    Columns: period, touchpoint (label), touchpoint_order, score_100, rating_text, n.
    """
    order = frame.sort("touchpoint_order")["touchpoint"].unique(maintain_order=True).to_list()
    base = alt.Chart(frame).encode(
        x=alt.X("period:O", title=x_title, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("touchpoint:N", title=y_title, sort=order, axis=alt.Axis(labelLimit=260)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "score_100:Q", title="0–100", scale=alt.Scale(domain=[0, 50, 100], range=list(DIVERGING_RANGE))
        ),
        tooltip=[
            alt.Tooltip("touchpoint:N"),
            alt.Tooltip("period:O"),
            alt.Tooltip("rating_text:N"),
            alt.Tooltip("score_100:Q", format=".0f"),
            alt.Tooltip("n:Q"),
        ],
    )
    text = base.mark_text(fontSize=13, fontWeight=600).encode(
        text="rating_text:N",
        color=alt.condition(
            "datum.score_100 < 25 || datum.score_100 > 80", alt.value("white"), alt.value(INK)
        ),
    )
    return (cells + text).properties(height=max(120, 34 * len(order)))


def orders_timeline(
    frame: pl.DataFrame, *, x_title: str, y_title: str, legend: dict[str, str], height: int = 240
) -> alt.LayerChart:
    """Each delivered order at its promised date, height = days late (0 on time), size = amount.

    Columns: promised_on, delay_days, amount, state ('on_time' | 'late' | 'open'), order_id.
    """
    domain = [legend[k] for k in ("on_time", "late", "open")]
    shown = frame.with_columns(
        pl.col("state").replace_strict(legend, default=pl.col("state")).alias("state_label"),
        pl.col("delay_days").fill_null(0),
    )
    colour = alt.Color("state_label:N", title=None, scale=alt.Scale(domain=domain, range=[GOOD, BAD, MUTED]))
    points = (
        alt.Chart(shown)
        .mark_circle(opacity=0.85)
        .encode(
            x=alt.X("promised_on:T", title=x_title),
            y=alt.Y("delay_days:Q", title=y_title, scale=alt.Scale(zero=True)),
            color=colour,
            size=alt.Size("amount:Q", legend=None, scale=alt.Scale(range=[40, 400])),
            tooltip=[
                alt.Tooltip("order_id:N"),
                alt.Tooltip("promised_on:T"),
                alt.Tooltip("delivered_on:T"),
                alt.Tooltip("delay_days:Q"),
                alt.Tooltip("amount:Q", format=",.0f"),
                alt.Tooltip("state_label:N"),
            ],
        )
    )
    zero = alt.Chart(pl.DataFrame({"y": [0]})).mark_rule(color=MUTED, strokeDash=[4, 3]).encode(y="y:Q")
    return (zero + points).properties(height=height)
