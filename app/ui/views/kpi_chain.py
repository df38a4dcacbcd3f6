"""The chain view: one TX KPI's whole path down to the IT layer as a left-to-right diagram, every link
coloured by what the data says about it, and the links as a table underneath. Clicking a box opens
that KPI in the drill-down view.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.kpi_evidence import VERDICTS
from app.analytics.kpi_tree import KpiTree
from app.ui.charts.kpi_chain import SELECTION, chain_chart, chain_frames
from app.ui.components import data_table
from app.ui.i18n import t
from app.ui.url_widgets import url_selectbox
from app.ui.views.kpi_text import format_value, status_badge, status_label, verdict_label
from app.ui.views.kpi_tree import focus_on
from app.ui.views.kpi_tree_data import evidence_lookup

CHART_KEY = "kpi_chain_chart"


def _open_clicked(tree: KpiTree, root: str) -> None:
    state = st.session_state.get(CHART_KEY)
    selection = getattr(state, "selection", None) or (
        state.get("selection") if isinstance(state, dict) else None
    )
    points = (selection or {}).get(SELECTION) or []
    if points and isinstance(points[0], dict) and points[0].get("kpi_id") in tree:
        kpi_id = points[0]["kpi_id"]
        focus_on(kpi_id, tree.path_to(kpi_id, root=root), view="drill")


def column_titles(boxes: pl.DataFrame) -> list[str]:
    """Each column's heading: the layers of the KPIs in it ('CX / OX' when a CX KPI drives another)."""
    titles = []
    for column in range(int(boxes["column"].max()) + 1):
        layers = boxes.filter(pl.col("column") == column)["layer"].unique(maintain_order=True).to_list()
        titles.append(" / ".join(sorted(layers, key=lambda layer: "TXCXOXEXIT".index(layer))))
    return titles


def render_chain(
    tree: KpiTree, nodes: dict[str, dict], evidence: pl.DataFrame, trail: list[str], lang: str
) -> None:
    roots = list(tree.roots)
    default = trail[0] if trail else roots[0]
    root = (
        url_selectbox(
            t("kpi.chain_root"),
            roots,
            key="kpi_chain_root",
            param="chain",
            default=default,
            format_func=lambda k: nodes[k]["name"],
        )
        or default
    )
    shown = {
        k: {
            **n,
            "value_text": format_value(n.get("value"), n["unit"], lang),
            "status_label": status_label(n.get("status"), lang),
        }
        for k, n in nodes.items()
    }
    labels = {v: verdict_label(v, lang) for v in VERDICTS}
    boxes, links = chain_frames(tree, root, shown, evidence_lookup(evidence), labels)
    st.caption(t("kpi.chain_caption", name=nodes[root]["name"], n=boxes.height, links=links.height))
    chart = chain_chart(
        boxes,
        links,
        layer_titles=column_titles(boxes),
        verdict_order=VERDICTS,
        verdict_labels=labels,
        legend_title=t("kpi.col_verdict"),
    )
    st.altair_chart(
        chart,
        theme=None,
        width="stretch",
        key=CHART_KEY,
        on_select=lambda: _open_clicked(tree, root),
        selection_mode=[SELECTION],
    )
    unsupported = links.filter(pl.col("verdict").is_in(["not_shown", "contradicted", "mixed"])).height
    legend = " ".join(status_badge(s, lang) for s in ("on", "near", "off", "no_data"))
    st.markdown(t("kpi.chain_hint", unsupported=unsupported, legend=legend))
    table = links.select(
        pl.col("link").alias(t("kpi.col_link")),
        pl.col("verdict_label").alias(t("kpi.col_verdict")),
        pl.col("r"),
        pl.col("r_within"),
        pl.col("n"),
        "parent_id",
        "child_id",
    )
    data_table(table, file_stem=f"kpi_chain_{root}", key="kpi_chain_table")
