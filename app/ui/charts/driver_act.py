"""Where to act: the importance × performance quadrant and what one step of each driver buys in NPS.

Frames come with labels in the reader's language; quadrant names and axis titles are passed in.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from app.ui.charts.theme import BAD, GOOD, INK, LOW_N_FILL, LOW_N_TEXT, MUTED, register_theme

register_theme()

QUADRANT_COLOURS = {"fix_first": BAD, "keep_up": GOOD, "watch": MUTED, "less_urgent": "#9AA3AB"}


def quadrant(
    frame: pl.DataFrame,
    *,
    share_cut: float,
    score_cut: float,
    x_title: str,
    y_title: str,
    corner_labels: dict[str, str],
    quadrant_labels: dict[str, str],
) -> alt.LayerChart:
    """Touchpoints by performance (x, 0–100 score) and importance (y, % of impact); the cross at the
    means splits them into four quadrants. Names are written next to the touchpoints that matter
    (`show_label`), the rest are in the tooltip, so a crowd of small ones does not turn into a smudge.
    Columns: label, score_100, share_pct, n, quadrant, is_significant, show_label."""
    x_low = max(0.0, float(frame["score_100"].min()) - 4)
    x_high = min(100.0, float(frame["score_100"].max()) + 8)
    y_high = float(frame["share_pct"].max()) * 1.18 + 1
    x = alt.X("score_100:Q", title=x_title, scale=alt.Scale(domain=[x_low, x_high], nice=False, zero=False))
    y = alt.Y("share_pct:Q", title=y_title, scale=alt.Scale(domain=[0, y_high], nice=False))
    keys = list(QUADRANT_COLOURS)
    colour = alt.Color(
        "quadrant:N",
        scale=alt.Scale(domain=keys, range=[QUADRANT_COLOURS[k] for k in keys]),
        legend=alt.Legend(title=None, orient="bottom", labelExpr=_expr(quadrant_labels)),
    )
    cross = pl.DataFrame({"score_100": [score_cut], "share_pct": [share_cut * 100]})
    vertical = alt.Chart(cross).mark_rule(color=LOW_N_TEXT, strokeDash=[5, 4]).encode(x=x)
    horizontal = alt.Chart(cross).mark_rule(color=LOW_N_TEXT, strokeDash=[5, 4]).encode(y=y)
    corners = pl.DataFrame(
        {
            "score_100": [x_low + 0.5, x_high - 0.5],
            "share_pct": [y_high, y_high],
            "text": [corner_labels["fix_first"], corner_labels["keep_up"]],
        }
    )
    corner_text = [
        alt.Chart(corners.slice(i, 1))
        .mark_text(align=side, baseline="top", dy=4, fontSize=14, fontWeight=700, color=QUADRANT_COLOURS[key])
        .encode(x=x, y=y, text="text:N")
        for i, (side, key) in enumerate((("left", "fix_first"), ("right", "keep_up")))
    ]
    size = alt.Size("n:Q", scale=alt.Scale(range=[80, 700]), legend=None)
    points = (
        alt.Chart(frame)
        .mark_circle(opacity=0.85, stroke="white", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            size=size,
            color=alt.condition("datum.is_significant", colour, alt.value(LOW_N_FILL)),
            tooltip=[
                alt.Tooltip("label:N", title=""),
                alt.Tooltip("score_100:Q", format=".0f", title=x_title),
                alt.Tooltip("share_pct:Q", format=".1f", title=y_title),
                alt.Tooltip("n:Q", format=",", title="n"),
            ],
        )
    )
    labels = (
        alt.Chart(frame.filter(pl.col("show_label")))
        .mark_text(align="left", dx=12, dy=-6, fontSize=13, color=INK)
        .encode(x=x, y=y, text="label:N")
    )
    return alt.layer(vertical, horizontal, *corner_text, points, labels).properties(height=460)


def _expr(texts: dict[str, str]) -> str:
    cases = " : ".join(f"datum.value === '{k}' ? '{v.replace(chr(39), chr(8217))}'" for k, v in texts.items())
    return f"{cases} : datum.value"


def whatif_bars(frame: pl.DataFrame, *, x_title: str, highlight: str | None) -> alt.LayerChart:
    """Expected NPS change per driver for the same kind of step, with the range across models.

    Columns: label, nps_change, nps_low, nps_high, step_text.
    """
    order = frame.sort("nps_change", descending=True)["label"].to_list()
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=300))
    colour = (
        alt.when(alt.datum.label == (highlight or ""))
        .then(alt.value(INK))
        .when(alt.datum.nps_change >= 0)
        .then(alt.value(GOOD))
        .otherwise(alt.value(BAD))
    )
    low = min(0.0, float(frame["nps_low"].min()))
    high = max(0.0, float(frame["nps_high"].max()))
    pad = (high - low) * 0.1 or 1.0  # room for the value written beside each bar
    domain = [low - (pad if low < 0 else 0.0), high + pad]
    bars = (
        alt.Chart(frame)
        .mark_bar(height=16)
        .encode(
            y=y,
            x=alt.X("nps_change:Q", title=x_title, scale=alt.Scale(domain=domain, nice=False)),
            color=colour,
            tooltip=[
                alt.Tooltip("label:N", title=""),
                alt.Tooltip("step_text:N", title=""),
                alt.Tooltip("nps_change:Q", format="+.1f", title="NPS"),
                alt.Tooltip("nps_low:Q", format="+.1f", title="min"),
                alt.Tooltip("nps_high:Q", format="+.1f", title="max"),
            ],
        )
    )
    whiskers = (
        alt.Chart(frame).mark_rule(color=INK, strokeWidth=1.5).encode(y=y, x="nps_low:Q", x2="nps_high:Q")
    )
    text = (
        alt.Chart(frame)
        .mark_text(align="left", dx=6, fontSize=13, color=INK)
        .encode(y=y, x=alt.X("right:Q"), text=alt.Text("nps_change:Q", format="+.1f"))
        .transform_calculate(right="max(datum.nps_high, datum.nps_change)")
    )
    return (bars + whiskers + text).properties(height=max(160, 32 * frame.height))
