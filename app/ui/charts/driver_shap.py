"""SHAP charts drawn in Altair (interactive, not shap's matplotlib pictures): the beeswarm of every
sampled answer per driver, one driver's dependence plot, and the waterfall of one answer or client.

Colour in the beeswarm is the driver's own value (light orange low, dark blue high), never good/bad:
a high delay is as "high" as a high rating. Frames come from app.analytics.driver_views.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from app.ui.charts.theme import BAD, GOOD, INK, LOW_N_TEXT, MUTED, register_theme

register_theme()

VALUE_RANGE = ("#F2B155", "#08306B")  # low → high value of the driver (not good → bad)
CLASS_COLOURS = {"detractor": BAD, "passive": "#9AA3AB", "promoter": GOOD}


def beeswarm(
    frame: pl.DataFrame,
    *,
    order: list[str],
    x_title: str,
    legend_title: str,
    low_high: tuple[str, str],
    tooltip_titles: dict[str, str],
) -> alt.LayerChart:
    """One row per driver (in `order`), one dot per sampled answer at its SHAP value.

    Columns: label, shap, jitter, value_scaled (null: a category or no value), value_text, response_id.
    """
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, grid=False, tickBand="extent"))
    colour = alt.Color(
        "value_scaled:Q",
        scale=alt.Scale(domain=[0, 1], range=list(VALUE_RANGE)),
        legend=alt.Legend(
            title=legend_title,
            orient="bottom",
            gradientLength=220,
            values=[0, 1],
            labelExpr=f"datum.value < 0.5 ? '{low_high[0]}' : '{low_high[1]}'",
        ),
    )
    zero = (
        alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color=LOW_N_TEXT, strokeDash=[4, 3]).encode(x="x:Q")
    )
    dots = (
        alt.Chart(frame)
        .mark_circle(size=22, opacity=0.75)
        .encode(
            y=y,
            yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-0.5, 0.5])),
            x=alt.X("shap:Q", title=x_title),
            color=alt.condition("datum.value_scaled === null", alt.value("#8C8C8C"), colour),
            tooltip=[
                alt.Tooltip("label:N", title=tooltip_titles["driver"]),
                alt.Tooltip("value_text:N", title=tooltip_titles["value"]),
                alt.Tooltip("shap:Q", format="+.2f", title=tooltip_titles["effect"]),
                alt.Tooltip("response_id:N", title=tooltip_titles["answer"]),
            ],
        )
    )
    return (zero + dots).properties(height=max(200, 46 * len(order)))


def dependence(
    points: pl.DataFrame,
    curve: pl.DataFrame,
    *,
    x_title: str,
    y_title: str,
    class_titles: dict[str, str],
    discrete: bool,
    tooltip_titles: dict[str, str],
) -> alt.LayerChart:
    """SHAP value against the driver's value, each answer coloured by its class, with the mean effect
    per value (or per tenth of the answers) as a line. Columns: value_jittered, value, shap, nps_class,
    response_id; curve: value, mean_shap, n."""
    classes = list(CLASS_COLOURS)
    colour = alt.Color(
        "nps_class:N",
        scale=alt.Scale(domain=classes, range=[CLASS_COLOURS[c] for c in classes]),
        legend=alt.Legend(title=None, orient="bottom", labelExpr=_labels_expr(class_titles)),
    )
    x_axis = alt.Axis(tickMinStep=1, format="d") if discrete else alt.Axis()
    zero = (
        alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color=LOW_N_TEXT, strokeDash=[4, 3]).encode(y="y:Q")
    )
    dots = (
        alt.Chart(points)
        .mark_circle(size=30, opacity=0.55)
        .encode(
            x=alt.X(
                "value_jittered:Q",
                title=x_title,
                axis=x_axis,
                scale=alt.Scale(zero=False, nice=False, padding=12),
            ),
            y=alt.Y("shap:Q", title=y_title),
            color=colour,
            tooltip=[
                alt.Tooltip("value:Q", format=".2f", title=tooltip_titles["value"]),
                alt.Tooltip("shap:Q", format="+.2f", title=tooltip_titles["effect"]),
                alt.Tooltip("response_id:N", title=tooltip_titles["answer"]),
            ],
        )
    )
    line = (
        alt.Chart(curve)
        .mark_line(color=INK, strokeWidth=3, point=alt.OverlayMarkDef(color=INK, size=60))
        .encode(
            x="value:Q",
            y="mean_shap:Q",
            tooltip=[
                alt.Tooltip("value:Q", format=".2f", title=tooltip_titles["value"]),
                alt.Tooltip("mean_shap:Q", format="+.2f", title=tooltip_titles["mean_effect"]),
                alt.Tooltip("n:Q", title="n"),
            ],
        )
    )
    return (zero + dots + line).properties(height=360)


def _labels_expr(texts: dict[str, str]) -> str:
    cases = " : ".join(f"datum.value === '{k}' ? '{v.replace(chr(39), chr(8217))}'" for k, v in texts.items())
    return f"{cases} : datum.value"


def waterfall(frame: pl.DataFrame, *, y_title: str, value_format: str = ".2f") -> alt.LayerChart:
    """Horizontal waterfall, top to bottom: the average prediction, each driver's push (blue up,
    vermillion down), the rest, and this answer's prediction.

    Columns: step, axis_label (driver = value), start, end, shap, kind, shap_text.
    """
    order = frame.sort("step")["axis_label"].to_list()
    y = alt.Y("axis_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320, labelFontSize=13))
    low = float(min(frame["start"].min(), frame["end"].min()))
    high = float(max(frame["start"].max(), frame["end"].max()))
    pad = max(0.05, (high - low) * 0.18)
    x = alt.X(
        "start:Q", title=y_title, scale=alt.Scale(domain=[low - pad, high + pad], nice=False, zero=False)
    )
    colour = (
        alt.when(alt.datum.kind == "base")
        .then(alt.value(MUTED))
        .when(alt.datum.kind == "prediction")
        .then(alt.value(INK))
        .when(alt.datum.shap >= 0)
        .then(alt.value(GOOD))
        .otherwise(alt.value(BAD))
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(height=18)
        .encode(
            y=y,
            x=x,
            x2="end:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("axis_label:N", title=""),
                alt.Tooltip("shap:Q", format=f"+{value_format}", title="Δ"),
                alt.Tooltip("end:Q", format=value_format, title="→"),
            ],
        )
    )
    ticks = (
        alt.Chart(frame.filter(pl.col("kind").is_in(["base", "prediction"])))
        .mark_tick(thickness=3, size=26, color=INK)
        .encode(y=y, x="end:Q")
    )
    labels = (
        alt.Chart(frame)
        .mark_text(align="left", dx=6, fontSize=13, color=INK)
        .encode(y=y, x=alt.X("right:Q"), text="shap_text:N")
        .transform_calculate(right="max(datum.start, datum.end)")
    )
    return (bars + ticks + labels).properties(height=max(220, 30 * frame.height))
