"""Key-driver ranking charts: the ranked drivers with their stability and second opinion, the two
methods side by side, and the drivers of two segments side by side.

Frames arrive with labels in the reader's language and the texts the chart shows; colours say the
direction of an effect (blue: a higher value raises NPS, vermillion: lowers it, grey: depends on the
value) and light grey marks drivers whose effect cannot be told from noise.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from app.ui.charts.theme import BAD, GOOD, INK, LOW_N_FILL, LOW_N_TEXT, MUTED, PALETTE, register_theme

register_theme()

DIRECTION_COLOURS = {"positive": GOOD, "negative": BAD, "mixed": MUTED, "none": LOW_N_FILL}
BAR_HEIGHT = 26
BARS_WIDTH = 480  # the three parts of the ranking have fixed widths: an hconcat cannot stretch
TEXT_WIDTH = 90


def _height(rows: int) -> int:
    return max(120, BAR_HEIGHT * rows)


def ranking(
    frame: pl.DataFrame, *, x_title: str, legend: dict[str, str], columns: dict[str, str]
) -> alt.HConcatChart:
    """Bars of each driver's share of the model's impact, with two text columns beside them.

    Columns: label, share_pct, colour_key (positive / negative / mixed / none), rank_text,
    stability_text, agreement_text, agreement (agree / close / differ / null), tooltip_* columns.
    `legend`: colour_key -> legend text; `columns`: titles of the two text columns.
    """
    order = frame["label"].to_list()
    keys = [k for k in DIRECTION_COLOURS if k in set(frame["colour_key"])]
    colour = alt.Color(
        "colour_key:N",
        scale=alt.Scale(domain=keys, range=[DIRECTION_COLOURS[k] for k in keys]),
        legend=alt.Legend(
            title=None,
            orient="bottom",
            labelExpr=_legend_expr(legend),
            symbolType="square",
            columns=2,
            labelLimit=260,
        ),
    )
    tooltip = [
        alt.Tooltip(f"{c}:N", title=c.removeprefix("tooltip_"))
        for c in frame.columns
        if c.startswith("tooltip_")
    ]
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, labelFontSize=13))
    base = alt.Chart(frame).encode(y=y)
    bars = base.mark_bar(height=BAR_HEIGHT - 8).encode(
        x=alt.X("share_pct:Q", title=x_title, axis=alt.Axis(grid=True, tickCount=5)),
        color=colour,
        tooltip=tooltip,
    )
    labels = base.mark_text(align="left", dx=4, fontSize=13, color=INK).encode(
        x="share_pct:Q", text=alt.Text("share_pct:Q", format=".0f")
    )
    chart = (bars + labels).properties(height=_height(frame.height), width=BARS_WIDTH)
    stability = _text_column(frame, order, "stability_text", columns["stability"], MUTED)
    agreement = _text_column(frame, order, "agreement_text", columns["agreement"], None)
    return alt.hconcat(chart, stability, agreement, spacing=14).resolve_scale(y="shared", color="independent")


def _legend_expr(texts: dict[str, str]) -> str:
    cases = " : ".join(f"datum.value === '{k}' ? '{v.replace(chr(39), chr(8217))}'" for k, v in texts.items())
    return f"{cases} : datum.value"


def _text_column(
    frame: pl.DataFrame, order: list[str], column: str, title: str, colour: str | None
) -> alt.Chart:
    text_colour = (
        alt.value(colour)
        if colour
        else alt.Color(
            "agreement:N",
            scale=alt.Scale(domain=["agree", "close", "differ"], range=[GOOD, MUTED, BAD]),
            legend=None,
        )
    )
    return (
        alt.Chart(frame, title=alt.Title(title, fontSize=13, fontWeight=600, color=INK, anchor="start"))
        .mark_text(align="left", fontSize=13)
        .encode(
            y=alt.Y("label:N", sort=order, axis=None),
            text=f"{column}:N",
            color=text_colour,
        )
        .properties(width=TEXT_WIDTH, height=_height(frame.height))
    )


def methods(frame: pl.DataFrame, *, x_title: str, method_names: tuple[str, str]) -> alt.LayerChart:
    """SHAP share and Johnson's relative-weight share per driver, joined by a line (a dumbbell).

    Columns: label, shap_pct, rw_pct, is_significant.
    """
    order = frame["label"].to_list()
    long = frame.unpivot(
        index=["label", "is_significant"], on=["shap_pct", "rw_pct"], variable_name="method", value_name="pct"
    ).with_columns(pl.col("method").replace_strict({"shap_pct": method_names[0], "rw_pct": method_names[1]}))
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    rule = (
        alt.Chart(frame).mark_rule(color=LOW_N_TEXT, strokeWidth=2).encode(y=y, x="shap_pct:Q", x2="rw_pct:Q")
    )
    points = (
        alt.Chart(long)
        .mark_point(filled=True, size=110)
        .encode(
            y=y,
            x=alt.X("pct:Q", title=x_title),
            color=alt.Color(
                "method:N",
                scale=alt.Scale(domain=list(method_names), range=[PALETTE[0], PALETTE[1]]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            opacity=alt.condition("datum.is_significant", alt.value(1.0), alt.value(0.35)),
            tooltip=[
                alt.Tooltip("label:N", title=""),
                alt.Tooltip("method:N", title=""),
                alt.Tooltip("pct:Q", format=".1f", title="%"),
            ],
        )
    )
    return (rule + points).properties(height=_height(frame.height))


def stability(frame: pl.DataFrame, *, x_title: str) -> alt.LayerChart:
    """Each ranked driver's rank in the bootstrap resamples: a bar from its best to its worst rank
    (5th–95th percentile) and a dot at its rank. Columns: label, rank, rank_low, rank_high."""
    order = frame["label"].to_list()
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    top = int(frame["rank_high"].max() or 1)
    x = alt.X(
        "rank_low:Q",
        title=x_title,
        scale=alt.Scale(domain=[0.5, top + 0.5], reverse=False),
        axis=alt.Axis(tickMinStep=1, format="d"),
    )
    span = (
        alt.Chart(frame)
        .mark_bar(height=10, color=LOW_N_FILL, cornerRadius=5)
        .encode(y=y, x=x, x2="rank_high:Q")
    )
    dot = (
        alt.Chart(frame)
        .mark_point(filled=True, size=90, color=PALETTE[0])
        .encode(y=y, x="rank:Q", tooltip=["label:N", "rank:Q", "rank_low:Q", "rank_high:Q"])
    )
    return (span + dot).properties(height=_height(frame.height))


def segments_side_by_side(frame: pl.DataFrame, *, x_title: str, segment_order: list[str]) -> alt.Chart:
    """Share of impact per driver for two segments, bars side by side. Columns: label, segment,
    share_pct, is_significant, sort_key (drivers sorted by their larger share)."""
    order = frame.sort("sort_key", descending=True)["label"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.85})
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            yOffset=alt.YOffset("segment:N", sort=segment_order),
            x=alt.X("share_pct:Q", title=x_title),
            color=alt.Color(
                "segment:N",
                sort=segment_order,
                scale=alt.Scale(range=[PALETTE[0], PALETTE[1]]),
                legend=alt.Legend(title=None, orient="bottom", labelLimit=400),
            ),
            opacity=alt.condition("datum.is_significant", alt.value(1.0), alt.value(0.3)),
            tooltip=[
                alt.Tooltip("segment:N", title=""),
                alt.Tooltip("label:N", title=""),
                alt.Tooltip("share_pct:Q", format=".1f", title="%"),
            ],
        )
        .properties(height=max(160, 44 * len(order)))
    )
