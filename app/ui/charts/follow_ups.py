"""Follow-up charts: open cases per owning department (on time vs overdue) and how fast cases
close, quarter by quarter. Frames carry labels in the reader's language; texts are passed in.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from app.ui.charts.theme import BAD, GOOD, INK, register_theme

register_theme()


def workload(
    frame: pl.DataFrame, *, x_title: str, on_time: str, overdue: str, height: int | None = None
) -> alt.Chart:
    """Stacked horizontal bars: open cases per department, overdue part in vermillion.

    Columns: department, n_on_time, n_overdue.
    """
    order = frame.sort(pl.col("n_on_time") + pl.col("n_overdue"), descending=True)["department"].to_list()
    long = frame.unpivot(
        index="department", on=["n_on_time", "n_overdue"], variable_name="kind", value_name="n"
    )
    long = long.with_columns(
        pl.col("kind").replace_strict({"n_on_time": on_time, "n_overdue": overdue}, return_dtype=pl.String)
    )
    bars = (
        alt.Chart(long)
        .mark_bar(height={"band": 0.65})
        .encode(
            y=alt.Y("department:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("n:Q", title=x_title, stack="zero"),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=[on_time, overdue], range=[GOOD, BAD]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("kind:N", sort="descending"),
            tooltip=[alt.Tooltip("department:N"), alt.Tooltip("kind:N"), alt.Tooltip("n:Q", format=",")],
        )
    )
    return bars.properties(height=height or max(140, 34 * frame.height))


def close_times(
    frame: pl.DataFrame,
    *,
    x_title: str,
    y_title: str,
    late_title: str,
    target: float | None = None,
    height: int = 300,
) -> alt.LayerChart:
    """Median days to close per quarter (bars) and the share closed or still open past due (line).

    Columns: period, median_days_to_close, pct_late.
    """
    base = alt.Chart(frame).encode(x=alt.X("period:O", title=x_title, axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(color=GOOD, opacity=0.85, size=28).encode(
        y=alt.Y("median_days_to_close:Q", title=y_title),
        tooltip=[
            alt.Tooltip("period:O"),
            alt.Tooltip("median_days_to_close:Q", format=".1f"),
            alt.Tooltip("pct_late:Q", format=".0f"),
        ],
    )
    late = base.mark_line(color=BAD, point=alt.OverlayMarkDef(color=BAD, size=60)).encode(
        y=alt.Y(
            "pct_late:Q",
            title=late_title,
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(titleColor=BAD, labelColor=BAD),
        )
    )
    layers = [bars]
    if target is not None:
        rule = (
            alt.Chart(pl.DataFrame({"y": [target]})).mark_rule(color=INK, strokeDash=[5, 4]).encode(y="y:Q")
        )
        layers.append(rule)
    left = alt.layer(*layers)
    return alt.layer(left, late).resolve_scale(y="independent").properties(height=height)
