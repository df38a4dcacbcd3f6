"""Step charts of the bottleneck views: as-is step time against the to-be target, the deadline
chain, cases by first broken link, experience by waiting, and the step × segment heat-map.

Frames arrive with labels and display texts already made (in the reader's language and unit), so
these builders only draw; no Streamlit here.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from app.ui.charts.theme import BAD, GOOD, INK, LOW_N_FILL, MUTED, NEUTRAL_FILL, register_theme

register_theme()

ROW_PX = 46
ROW_PX_TWO_LINES = 54
OUTCOME_COLOURS = {"met": GOOD, "missed": BAD, "pending": LOW_N_FILL}


def _with_axis_label(frame: pl.DataFrame) -> pl.DataFrame:
    """Each row's name with its figures on a second line: the y-axis carries the numbers, so they
    never collide with the marks and the plot keeps the full width."""
    return frame.with_columns(
        axis_label=pl.concat_str([pl.col("label"), pl.col("value_text")], separator="\n")
    )


def _steps_y(frame: pl.DataFrame) -> alt.Y:
    return alt.Y(
        "axis_label:N",
        sort=frame["axis_label"].to_list(),
        title=None,
        axis=alt.Axis(
            labelExpr="split(datum.label, '\\n')", labelLimit=320, labelLineHeight=16, labelPadding=8
        ),
    )


def step_time_chart(frame: pl.DataFrame, *, axis_title: str, legend: dict[str, str]) -> alt.LayerChart:
    """As-is median step time (bar, vermillion when over the to-be target), its p90 (whisker) and the
    to-be target (black tick). Columns: label, median, p90, target, is_over, value_text."""
    frame = _with_axis_label(frame)
    y = _steps_y(frame)
    x_title = alt.X("median:Q", title=axis_title)
    bars = (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.6})
        .encode(
            x=x_title,
            y=y,
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(domain=[legend["over"], legend["within"]], range=[BAD, "#9CC3DE"]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=["label", "value_text"],
        )
        .transform_calculate(status=f"datum.is_over ? '{legend['over']}' : '{legend['within']}'")
    )
    whisker = alt.Chart(frame).mark_rule(color=MUTED, strokeWidth=1.5).encode(x="median:Q", x2="p90:Q", y=y)
    target = alt.Chart(frame).mark_tick(color=INK, thickness=3, size=30).encode(x="target:Q", y=y)
    return alt.layer(bars, whisker, target).properties(height=ROW_PX_TWO_LINES * frame.height + 40)


def chain_chart(frame: pl.DataFrame, *, axis_title: str) -> alt.LayerChart:
    """Each chain link: to-be deadline (black diamond), as-is end median (dot) with p10–p90 (rule),
    relative to the customer's due time. Columns: label, deadline, median, p10, p90, value_text."""
    frame = _with_axis_label(frame)
    y = _steps_y(frame)
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color=MUTED, strokeDash=[4, 4]).encode(x="x:Q")
    spread = (
        alt.Chart(frame)
        .mark_rule(color=BAD, strokeWidth=3, opacity=0.45)
        .encode(x=alt.X("p10:Q", title=axis_title), x2="p90:Q", y=y)
    )
    median = (
        alt.Chart(frame)
        .mark_point(filled=True, size=130, color=BAD)
        .encode(x="median:Q", y=y, tooltip=["label", "value_text"])
    )
    deadline = (
        alt.Chart(frame)
        .mark_point(shape="diamond", filled=True, size=170, color=INK)
        .encode(x="deadline:Q", y=y, tooltip=["label", "value_text"])
    )
    return alt.layer(zero, spread, median, deadline).properties(height=ROW_PX_TWO_LINES * frame.height + 30)


def broken_links_chart(frame: pl.DataFrame, *, axis_title: str, outcomes: dict[str, str]) -> alt.Chart:
    """Cases by the first broken link, split by whether the customer's requirement was still met.
    Columns: label, order, outcome (met/missed/pending), n."""
    labels = frame.unique("label", maintain_order=True)["label"].to_list()
    return (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.65})
        .encode(
            x=alt.X("n:Q", title=axis_title, stack="zero"),
            y=alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color(
                "outcome_label:N",
                title=None,
                legend=alt.Legend(orient="bottom", columns=1),
                scale=alt.Scale(
                    domain=[outcomes[k] for k in OUTCOME_COLOURS], range=list(OUTCOME_COLOURS.values())
                ),
            ),
            order=alt.Order("outcome_order:Q"),
            tooltip=["label", "outcome_label", "n"],
        )
        .properties(height=ROW_PX * len(labels) + 30)
    )


def experience_chart(
    frame: pl.DataFrame, *, nps_title: str, rating_title: str, x_title: str
) -> alt.HConcatChart:
    """NPS and the touchpoint's mean rating per waiting bin. Columns: bin_label, bin, nps, rating_mean,
    n_text."""
    x = alt.X("bin_label:N", sort=alt.SortField("bin"), title=x_title, axis=alt.Axis(labelAngle=0))
    nps = (
        alt.Chart(frame)
        .mark_bar(color=GOOD, width={"band": 0.7})
        .encode(
            x=x,
            y=alt.Y("nps:Q", title=nps_title),
            tooltip=["bin_label", alt.Tooltip("nps:Q", format=".1f"), "n_text"],
        )
    )
    nps_text = nps.mark_text(dy=-8, color=INK).encode(text="n_text:N")
    rating = (
        alt.Chart(frame)
        .mark_line(color=BAD, point=alt.OverlayMarkDef(color=BAD, size=70))
        .encode(
            x=x,
            y=alt.Y("rating_mean:Q", title=rating_title, scale=alt.Scale(zero=False)),
            tooltip=["bin_label", alt.Tooltip("rating_mean:Q", format=".2f")],
        )
    )
    return alt.hconcat(
        alt.layer(nps, nps_text).properties(width=360, height=260), rating.properties(width=360, height=260)
    )


def step_heatmap(
    frame: pl.DataFrame, *, column_title: str, value_title: str, reverse: bool = True
) -> alt.LayerChart:
    """Step (rows, process order) × segment (columns), coloured by a value (high = bad unless
    `reverse` is False). Columns: label, label_order, column_label, value, value_text, is_low_n."""
    rows = frame.unique("label", maintain_order=True).sort("label_order")["label"].to_list()
    base = alt.Chart(frame).encode(
        x=alt.X(
            "column_label:N",
            title=column_title,
            # the title in the corner above the step names, on the column labels' line: centred above
            # the columns it read as the middle column's own header
            axis=alt.Axis(orient="top", labelAngle=0, labelLimit=160, titleAnchor="start", titleAlign="right",
                          titleX=-12, titleY=-8, titleBaseline="bottom", titleColor=MUTED, titleFontWeight="normal"),
        ),
        y=alt.Y("label:N", sort=rows, title=None, axis=alt.Axis(labelLimit=260)),
    )
    colours = [NEUTRAL_FILL, BAD] if reverse else [BAD, NEUTRAL_FILL]
    fill = alt.condition(
        "datum.is_low_n",
        alt.value(LOW_N_FILL),
        alt.Color(
            "value:Q",
            title=value_title,
            scale=alt.Scale(range=colours),
            legend=alt.Legend(orient="bottom", gradientLength=240, titleLimit=400),
        ),
    )
    cells = base.mark_rect(stroke="#FFFFFF", strokeWidth=2).encode(
        fill=fill, tooltip=["label", "column_label", "value_text", "n_text"]
    )
    text = base.mark_text(fontSize=13).encode(
        text="value_text:N", color=alt.condition("datum.text_light", alt.value("#FFFFFF"), alt.value(INK))
    )
    return alt.layer(cells, text).properties(height=alt.Step(ROW_PX - 8))
