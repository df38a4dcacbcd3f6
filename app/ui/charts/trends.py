"""Overview charts: NPS over time (company and business units), NPS by group with its interval,
the importance–performance chart and the movers chart. Each takes a frame whose label columns are
already in the reader's language, plus the texts it shows, and returns an Altair chart.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from app.ui.charts.theme import BAD, GOOD, INK, LOW_N_FILL, MUTED, PALETTE, register_theme

register_theme()


def nps_trend(
    frame: pl.DataFrame, *, series: str, y_title: str, x_title: str, height: int = 320, total_label: str | None = None
) -> alt.Chart:
    """NPS per period, one line per `series` value with its 95 % band; the `total_label` series bold.

    Columns: period, <series>, nps, nps_low, nps_high, n, is_low_n.
    """
    names = frame[series].unique(maintain_order=True).to_list()
    others = iter(PALETTE)
    colours = [INK if name == total_label else next(others, MUTED) for name in names]
    colour = alt.Color(f"{series}:N", title=None, scale=alt.Scale(domain=names, range=colours),
                       legend=alt.Legend(orient="bottom", columns=5, symbolType="stroke", symbolStrokeWidth=4,
                                         symbolOpacity=1))
    base = alt.Chart(frame).encode(x=alt.X("period:O", title=x_title, axis=alt.Axis(labelAngle=0)))
    band = base.mark_area(opacity=0.12).encode(y=alt.Y("nps_low:Q"), y2="nps_high:Q", color=colour)
    line = base.mark_line(point=False).encode(
        y=alt.Y("nps:Q", title=y_title, scale=alt.Scale(zero=False, nice=True)),
        color=colour,
        strokeWidth=alt.condition(alt.datum[series] == (total_label or ""), alt.value(4), alt.value(2.5)),
    )
    points = base.mark_point(filled=True, size=80).encode(
        y="nps:Q",
        color=colour,
        fill=alt.condition("datum.is_low_n", alt.value("white"), colour),
        tooltip=_tooltip(series, [("nps", ".0f"), ("nps_low", ".0f"), ("nps_high", ".0f"), ("n", ",")]),
    )
    return (band + line + points).properties(height=height)


def _tooltip(series: str | None, fields: list[tuple[str, str]]) -> list[alt.Tooltip]:
    tips = [alt.Tooltip("period:O")] if series else []
    if series:
        tips.append(alt.Tooltip(f"{series}:N"))
    return tips + [alt.Tooltip(f"{name}:Q", format=fmt) for name, fmt in fields]


def nps_by_group(frame: pl.DataFrame, *, group: str, x_title: str, height: int | None = None) -> alt.LayerChart:
    """Horizontal NPS bars per group with 95 % error bars; low-n bars grey. The axis spans the data
    (zero included) rather than −100…100, so differences stay visible.

    Columns: <group> (a label that may already include n), nps, nps_low, nps_high, n, is_low_n.
    """
    order = frame.sort("nps", descending=True)[group].to_list()
    low = min(0.0, float(frame["nps_low"].min() or 0.0)) - 5
    high = max(0.0, float(frame["nps_high"].max() or 0.0)) + 5
    y = alt.Y(f"{group}:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, labelFontSize=13))
    base = alt.Chart(frame).encode(y=y)
    bars = base.mark_bar(height={"band": 0.62}).transform_calculate(
        tone="datum.is_low_n ? 'low_n' : (datum.nps >= 0 ? 'good' : 'bad')"
    ).encode(
        x=alt.X("nps:Q", title=x_title, scale=alt.Scale(domain=[low, high], nice=False, zero=True)),
        color=alt.Color("tone:N", legend=None,
                        scale=alt.Scale(domain=["low_n", "good", "bad"], range=[LOW_N_FILL, GOOD, BAD])),
        tooltip=[alt.Tooltip(f"{group}:N"), alt.Tooltip("nps:Q", format=".0f"),
                 alt.Tooltip("nps_low:Q", format=".0f"), alt.Tooltip("nps_high:Q", format=".0f"),
                 alt.Tooltip("n:Q", format=",")],
    )
    errors = base.mark_rule(color=INK, strokeWidth=1.5).encode(x="nps_low:Q", x2="nps_high:Q")
    values = base.mark_text(align="left", dx=5, dy=-9, fontSize=12, fontWeight=600, color=INK).encode(
        x="nps_high:Q", text=alt.Text("nps:Q", format="+.0f")
    )
    zero = alt.Chart(pl.DataFrame({"x": [0]})).mark_rule(color=MUTED).encode(x="x:Q")
    return alt.layer(bars, errors, zero, values).properties(height=height or max(180, 46 * frame.height))


def importance_performance(
    frame: pl.DataFrame, *, x_title: str, y_title: str, highlight: list[str], height: int = 380
) -> alt.Chart:
    """Importance (0–100, relative) against score (0–100); the diagonal separates "delivers more than
    it matters" from "matters more than it delivers"; the `highlight` touchpoints are labelled.

    Columns: touchpoint_id, label, importance_100, score_100, n, gap.
    """
    data = frame.with_columns(pl.col("touchpoint_id").is_in(highlight).alias("is_highlight"))
    base = alt.Chart(data)
    diagonal = alt.Chart(pl.DataFrame({"x": [0.0, 100.0], "y": [0.0, 100.0]})).mark_line(
        color=MUTED, strokeDash=[5, 4], strokeWidth=1.5
    ).encode(x="x:Q", y="y:Q")
    points = base.mark_circle(opacity=0.9, stroke="white", strokeWidth=1).encode(
        x=alt.X("importance_100:Q", title=x_title, scale=alt.Scale(domain=[0, 105], nice=False),
                axis=alt.Axis(values=[0, 20, 40, 60, 80, 100])),
        y=alt.Y("score_100:Q", title=y_title, scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=[0, 20, 40, 60, 80, 100])),
        size=alt.Size("n:Q", legend=None, scale=alt.Scale(range=[60, 500])),
        color=alt.condition("datum.is_highlight", alt.value(BAD), alt.value(GOOD)),
        tooltip=[alt.Tooltip("label:N"), alt.Tooltip("importance_100:Q", format=".0f"),
                 alt.Tooltip("score_100:Q", format=".0f"), alt.Tooltip("gap:Q", format="+.0f"),
                 alt.Tooltip("n:Q", format=",")],
    )
    # Labels point inwards: right-aligned near the right edge, left-aligned elsewhere.
    right = base.transform_filter("datum.is_highlight && datum.importance_100 >= 60").mark_text(
        align="right", dx=-14, dy=-2, fontSize=13, fontWeight=600, color=BAD
    ).encode(x="importance_100:Q", y="score_100:Q", text="label:N")
    left = base.transform_filter("datum.is_highlight && datum.importance_100 < 60").mark_text(
        align="left", dx=14, dy=-2, fontSize=13, fontWeight=600, color=BAD
    ).encode(x="importance_100:Q", y="score_100:Q", text="label:N")
    return alt.layer(diagonal, points, right, left).properties(height=height)


def movers(frame: pl.DataFrame, *, label: str, x_title: str, height: int | None = None) -> alt.Chart:
    """Change since the previous period as diverging bars with the 95 % margin of the change;
    changes within the margin are drawn pale (could be noise).

    Columns: <label>, change, change_moe, is_significant, change_text.
    """
    order = frame.sort("change", descending=True)[label].to_list()
    data = frame.with_columns(
        (pl.col("change") - pl.col("change_moe")).alias("low"), (pl.col("change") + pl.col("change_moe")).alias("high")
    )
    base = alt.Chart(data).encode(y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=300)))
    bars = base.mark_bar(height={"band": 0.6}).encode(
        x=alt.X("change:Q", title=x_title),
        color=alt.condition("datum.change >= 0", alt.value(GOOD), alt.value(BAD)),
        opacity=alt.condition("datum.is_significant", alt.value(1.0), alt.value(0.35)),
        tooltip=[alt.Tooltip(f"{label}:N"), alt.Tooltip("change:Q", format="+.1f"),
                 alt.Tooltip("change_moe:Q", format=".1f")],
    )
    errors = base.mark_rule(color=INK, strokeWidth=1.2).encode(x="low:Q", x2="high:Q")
    zero = alt.Chart(pl.DataFrame({"x": [0]})).mark_rule(color=MUTED).encode(x="x:Q")
    return (bars + errors + zero).properties(height=height or max(120, 40 * frame.height))
