"""The chain diagram of one TX KPI: its whole sub-graph down to the IT layer, left to right.

Each KPI is a box in the column of its depth (the longest path from the TX root, so a CX KPI that
drives another CX KPI sits one column further right), filled and framed by its status; each link is
a line coloured by the data's verdict (supported, not shown, contradicted, too few). Boxes within a
column are ordered by the mean position of their parents, which keeps lines from crossing much.
Frame in (from `chain_layout`), Altair chart out; no Streamlit here.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import altair as alt
import polars as pl

from app.analytics.kpi_tree import KpiTree
from app.ui.charts.theme import BAD, GOOD, INK, MUTED, register_theme

register_theme()

SELECTION = "chain_node"
BOX_HALF_WIDTH = 0.43
BOX_HALF_HEIGHT = 0.42
ROW_PX = 84
WRAP_CHARS = 18
STATUS_FILL = {
    "on": "#D6E6F2",
    "near": "#FBE9C8",
    "off": "#F6D5C2",
    "no_target": "#ECEEF0",
    "no_data": "#F6F7F8",
}
STATUS_STROKE = {"on": GOOD, "near": "#E69F00", "off": BAD, "no_target": "#8A949E", "no_data": "#BFC5CB"}
VERDICT_COLOUR = {
    "supported": GOOD,
    "mixed": "#CC79A7",
    "not_shown": "#9AA3AB",
    "contradicted": BAD,
    "too_few": "#C9CED3",
}
VERDICT_DASH = {
    "supported": [1, 0],
    "mixed": [8, 3],
    "not_shown": [6, 4],
    "contradicted": [1, 0],
    "too_few": [2, 3],
}


def _depths(tree: KpiTree, root: str) -> dict[str, int]:
    """Longest path from the root to every KPI under it."""
    nodes = [root, *tree.descendants(root)]
    depth = {root: 0}
    for _ in range(len(nodes)):  # relax until stable; the graph is acyclic (checked at load)
        changed = False
        for node in nodes:
            for parent in tree.parents[node]:
                if parent in depth and depth.get(node, -1) < depth[parent] + 1:
                    depth[node] = depth[parent] + 1
                    changed = True
        if not changed:
            break
    return depth


def chain_layout(tree: KpiTree, root: str) -> pl.DataFrame:
    """kpi_id, column, row (centred around 0) for every KPI in the root's chain."""
    depth = _depths(tree, root)
    order = {k: i for i, k in enumerate(tree.ids)}
    position: dict[str, float] = {}
    rows = []
    for column in range(max(depth.values()) + 1):
        members = [k for k in depth if depth[k] == column]

        def weight(kpi: str) -> tuple[float, int]:
            parents = [position[p] for p in tree.parents[kpi] if p in position]
            return (sum(parents) / len(parents) if parents else 0.0, order[kpi])

        members.sort(key=weight)
        for rank, kpi in enumerate(members):
            position[kpi] = rank - (len(members) - 1) / 2
            rows.append({"kpi_id": kpi, "column": column, "row": position[kpi]})
    return pl.DataFrame(rows)


def _two_lines(text: str, width: int = WRAP_CHARS) -> tuple[str, str]:
    """A name in at most two lines of `width` characters (the rest shortened with an ellipsis)."""
    parts = textwrap.wrap(text, width) or [""]
    if len(parts) > 2:
        parts = [parts[0], textwrap.shorten(" ".join(parts[1:]), width, placeholder="…")]
    return parts[0], parts[1] if len(parts) > 1 else ""


def chain_frames(
    tree: KpiTree,
    root: str,
    nodes: Mapping[str, Mapping],
    evidence: Mapping[tuple[str, str], Mapping],
    verdict_labels: Mapping[str, str],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(boxes, links) ready for `chain_chart`; `nodes` carry name, status, value_text, layer."""
    layout = {r["kpi_id"]: r for r in chain_layout(tree, root).to_dicts()}
    boxes = pl.DataFrame(
        [
            {
                "kpi_id": k,
                "column": p["column"],
                "row": p["row"],
                "name": nodes[k]["name"],
                "line1": _two_lines(nodes[k]["name"])[0],
                "line2": _two_lines(nodes[k]["name"])[1],
                "value_text": nodes[k]["value_text"],
                "status": nodes[k]["status"],
                "status_label": nodes[k]["status_label"],
                "layer": nodes[k]["layer"],
            }
            for k, p in layout.items()
        ]
    )
    links = []
    for parent, child in tree.chain_edges(root):
        row = evidence.get((parent, child)) or {}
        verdict = row.get("verdict") or "too_few"
        links.append(
            {
                "parent_id": parent,
                "child_id": child,
                "x": layout[parent]["column"] + BOX_HALF_WIDTH,
                "y": layout[parent]["row"],
                "x2": layout[child]["column"] - BOX_HALF_WIDTH,
                "y2": layout[child]["row"],
                "verdict": verdict,
                "verdict_label": verdict_labels.get(verdict, verdict),
                "r": row.get("r"),
                "r_within": row.get("r_within"),
                "n": row.get("n"),
                "link": f"{nodes[parent]['name']} ← {nodes[child]['name']}",
            }
        )
    return boxes, pl.DataFrame(
        links, schema_overrides={"r": pl.Float64, "r_within": pl.Float64, "n": pl.Int64}
    )


def chain_chart(
    boxes: pl.DataFrame,
    links: pl.DataFrame,
    *,
    layer_titles: Sequence[str],
    verdict_order: Sequence[str],
    verdict_labels: Mapping[str, str],
    legend_title: str,
) -> alt.LayerChart:
    """The layered diagram; clicking a box selects its kpi_id (selection `chain_node`)."""
    columns = int(boxes["column"].max()) + 1
    rows = int(boxes.group_by("column").len()["len"].max())
    half = rows / 2
    x_scale = alt.Scale(domain=[-0.5, columns - 0.5])
    y_scale = alt.Scale(domain=[half, -half - 0.6])  # rows grow downwards; room for the column titles
    x = alt.X("x:Q", scale=x_scale, axis=None)
    y = alt.Y("y:Q", scale=y_scale, axis=None)
    labels = [verdict_labels[v] for v in verdict_order]
    colour = alt.Color(
        "verdict_label:N",
        title=legend_title,
        scale=alt.Scale(domain=labels, range=[VERDICT_COLOUR[v] for v in verdict_order]),
        legend=alt.Legend(orient="bottom", direction="horizontal", symbolType="stroke", symbolStrokeWidth=3),
    )
    lines = (
        alt.Chart(links)
        .mark_rule(strokeWidth=2.5)
        .encode(
            x=x,
            y=y,
            x2="x2:Q",
            y2="y2:Q",
            color=colour,
            strokeDash=alt.StrokeDash(
                "verdict_label:N",
                legend=None,
                scale=alt.Scale(domain=labels, range=[VERDICT_DASH[v] for v in verdict_order]),
            ),
            tooltip=[
                alt.Tooltip("link:N"),
                alt.Tooltip("verdict_label:N"),
                alt.Tooltip("r:Q", format="+.2f"),
                alt.Tooltip("r_within:Q", format="+.2f"),
                alt.Tooltip("n:Q"),
            ],
        )
    )
    framed = boxes.with_columns(
        (pl.col("column") - BOX_HALF_WIDTH).alias("x"),
        (pl.col("column") + BOX_HALF_WIDTH).alias("x2"),
        (pl.col("row") - BOX_HALF_HEIGHT).alias("y"),
        (pl.col("row") + BOX_HALF_HEIGHT).alias("y2"),
        pl.col("column").alias("cx"),
        (pl.col("row") - pl.when(pl.col("line2") == "").then(0.1).otherwise(0.24)).alias("line1_y"),
        (pl.col("row") - 0.06).alias("line2_y"),
        (pl.col("row") + 0.22).alias("value_y"),
    )
    select = alt.selection_point(name=SELECTION, fields=["kpi_id"], on="click", empty=False)
    statuses = list(STATUS_FILL)
    base = alt.Chart(framed)
    rects = (
        base.mark_rect(cornerRadius=6, strokeWidth=2.5, cursor="pointer")
        .encode(
            x=x,
            x2="x2:Q",
            y=y,
            y2="y2:Q",
            fill=alt.Fill(
                "status:N",
                scale=alt.Scale(domain=statuses, range=[STATUS_FILL[s] for s in statuses]),
                legend=None,
            ),
            stroke=alt.Stroke(
                "status:N",
                scale=alt.Scale(domain=statuses, range=[STATUS_STROKE[s] for s in statuses]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("name:N"),
                alt.Tooltip("layer:N"),
                alt.Tooltip("value_text:N"),
                alt.Tooltip("status_label:N"),
            ],
        )
        .add_params(select)
    )
    names = [
        base.mark_text(fontSize=12, fontWeight=600, color=INK, baseline="middle").encode(
            x=alt.X("cx:Q", scale=x_scale, axis=None),
            y=alt.Y(f"{line}_y:Q", scale=y_scale, axis=None),
            text=f"{line}:N",
        )
        for line in ("line1", "line2")
    ]
    values = base.mark_text(fontSize=12, color=MUTED, baseline="middle").encode(
        x=alt.X("cx:Q", scale=x_scale, axis=None),
        y=alt.Y("value_y:Q", scale=y_scale, axis=None),
        text="value_text:N",
    )
    heads = pl.DataFrame(
        {"cx": list(range(columns)), "title": list(layer_titles)[:columns], "y": [-half - 0.3] * columns}
    )
    titles = (
        alt.Chart(heads)
        .mark_text(fontSize=14, fontWeight=700, color=MUTED, baseline="middle")
        .encode(
            x=alt.X("cx:Q", scale=x_scale, axis=None),
            y=alt.Y("y:Q", scale=y_scale, axis=None),
            text="title:N",
        )
    )
    return alt.layer(lines, rects, *names, values, titles).properties(height=ROW_PX * rows + 60)
