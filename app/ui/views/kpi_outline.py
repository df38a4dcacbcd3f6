"""The outline view of the KPI tree: every KPI under the focus (or the whole tree) once, indented under
its first parent, with status colour, value, target, sparkline and the evidence on its link. A KPI
that feeds several parents lists the others instead of repeating its whole subtree. Clicking a row
opens that KPI in the drill-down view.
"""

from __future__ import annotations

import pandas as pd
import polars as pl
import streamlit as st

from app.analytics.kpi_tree import KpiTree
from app.ui.components import data_table
from app.ui.i18n import format_number, t
from app.ui.url_widgets import url_segmented
from app.ui.views.kpi_text import STATUS_COLOURS, format_change, format_value, status_label, verdict_label
from app.ui.views.kpi_tree import focus_on
from app.ui.views.kpi_tree_data import evidence_lookup

OUTLINE_KEY = "kpi_outline_table"
ROW_HEIGHT = 38
INDENT = "\u00a0" * 5
COLUMN_ORDER = (
    "kpi",
    "status",
    "value",
    "target",
    "trend",
    "change",
    "link_verdict",
    "link_r",
    "link_r_within",
    "link_n",
    "shap_share_pct",
    "layer",
    "indicator",
    "owner",
    "touchpoint",
    "also_under",
    "period",
)


def outline_frame(
    tree: KpiTree,
    nodes: dict[str, dict],
    evidence: pl.DataFrame,
    top: str | None,
    deepest: str,
    has_model: bool,
    lang: str,
) -> pl.DataFrame:
    """One row per KPI of the outline, in reading order, with the numbers a table and a download need."""
    links = evidence_lookup(evidence)
    rows = []
    for row in tree.outline(top, deepest):
        node = nodes[row.kpi_id]
        link = links.get((row.parent_id, row.kpi_id)) if row.parent_id else None
        rows.append(
            {
                "kpi_id": row.kpi_id,
                "kpi": node["name"],
                "depth": row.depth,
                "layer": node["layer"],
                "status": status_label(node["status"], lang),
                "status_id": node["status"],
                "value": format_value(node.get("value"), node["unit"], lang),
                "target": format_value(node.get("target"), node["unit"], lang),
                "trend": [v for v in (node.get("series") or []) if v is not None],
                "change": format_change(node.get("change"), node.get("value"), lang) or "",
                "period": node.get("period"),
                "indicator": t(f"kpi.indicator.{node['indicator']}"),
                "owner": node.get("owner") or "",
                "touchpoint": node.get("touchpoint") or "",
                "link_verdict": verdict_label(link["verdict"], lang) if link else "",
                "link_r": link["r"] if link else None,
                "link_r_within": link["r_within"] if link else None,
                "link_n": link["n"] if link else None,
                "shap_share_pct": (100.0 * link["shap_share"])
                if link and link.get("shap_share") is not None
                else None,
                "also_under": ", ".join(nodes[p]["name"] for p in row.other_parents),
                "value_raw": node.get("value"),
                "target_raw": node.get("target"),
                "unit": node["unit"],
            }
        )
    return pl.DataFrame(
        rows,
        schema_overrides={
            "trend": pl.List(pl.Float64),
            "link_r": pl.Float64,
            "link_r_within": pl.Float64,
            "link_n": pl.Int64,
            "shap_share_pct": pl.Float64,
            "value_raw": pl.Float64,
            "target_raw": pl.Float64,
        },
    )


def _styled(frame: pl.DataFrame) -> pd.io.formats.style.Styler:
    indented = [
        INDENT * depth + "↳ " + name if depth else name
        for depth, name in zip(frame["depth"].to_list(), frame["kpi"].to_list(), strict=True)
    ]
    shown = (
        frame.with_columns(pl.Series("kpi", indented, dtype=pl.String))
        .drop("kpi_id", "depth", "status_id", "value_raw", "target_raw", "unit")
        .to_pandas()
    )
    colours = frame["status_id"].to_list()

    def paint(column: pd.Series) -> list[str]:
        return [
            f"background-color: {STATUS_COLOURS[s]}; color: {'#1F2328' if s == 'near' else 'white'}; "
            "font-weight: 600"
            if s in ("on", "near", "off")
            else ""
            for s in colours
        ]

    return shown.style.apply(paint, subset=["status"])


def _column_config(has_model: bool) -> dict:
    config = {
        "kpi": st.column_config.TextColumn(t("kpi.col_kpi"), width=330),
        "layer": st.column_config.TextColumn(t("kpi.col_layer"), width="small"),
        "status": st.column_config.TextColumn(t("kpi.col_status"), width="small"),
        "value": st.column_config.TextColumn(t("kpi.col_value")),
        "target": st.column_config.TextColumn(t("kpi.col_target")),
        "trend": st.column_config.LineChartColumn(t("kpi.col_trend"), width="small"),
        "change": st.column_config.TextColumn(t("kpi.col_change"), width="small"),
        "period": st.column_config.TextColumn(t("common.period"), width="small"),
        "indicator": st.column_config.TextColumn(t("kpi.col_indicator"), width="small"),
        "owner": st.column_config.TextColumn(t("kpi.col_owner")),
        "touchpoint": st.column_config.TextColumn(t("common.touchpoint")),
        "link_verdict": st.column_config.TextColumn(t("kpi.col_verdict"), help=t("kpi.evidence_help")),
        "link_r": st.column_config.NumberColumn("r", format="%+.2f"),
        "link_r_within": st.column_config.NumberColumn(
            t("kpi.col_r_within"), format="%+.2f", help=t("kpi.r_within_help")
        ),
        "link_n": st.column_config.NumberColumn("n", format="%d"),
        "shap_share_pct": st.column_config.NumberColumn(
            t("kpi.col_shap"), format="%.0f %%", help=t("kpi.shap_help")
        ),
        "also_under": st.column_config.TextColumn(t("kpi.col_also_under")),
    }
    if not has_model:
        config["shap_share_pct"] = None
    return config


def _open_selected(frame: pl.DataFrame, tree: KpiTree, root: str | None) -> None:
    state = st.session_state.get(OUTLINE_KEY)
    rows = (getattr(state, "selection", None) or {}).get("rows") if state is not None else None
    if rows:
        kpi_id = frame["kpi_id"][rows[0]]
        focus_on(kpi_id, tree.path_to(kpi_id, root=root), view="drill")


def render_outline(
    tree: KpiTree,
    nodes: dict[str, dict],
    evidence: pl.DataFrame,
    trail: list[str],
    has_model: bool,
    lang: str,
    layers: tuple[str, ...],
) -> None:
    top = trail[-1] if trail else None
    deepest = url_segmented(
        t("kpi.depth"),
        list(layers[1:]),
        key="kpi_depth",
        param="depth",
        default="IT",
        format_func=lambda layer: t("kpi.depth_to", layer=layer),
    )
    frame = outline_frame(tree, nodes, evidence, top, deepest, has_model, lang)
    scope = nodes[top]["name"] if top else t("kpi.all_roots")
    off = frame.filter(pl.col("status_id") == "off").height
    st.caption(t("kpi.outline_caption", scope=scope, n=frame.height, off=format_number(off, 0, lang)))
    height = min(40 + ROW_HEIGHT * frame.height, 1100)
    st.dataframe(
        _styled(frame),
        hide_index=True,
        column_config=_column_config(has_model),
        height=height,
        row_height=ROW_HEIGHT,
        key=OUTLINE_KEY,
        selection_mode="single-row",
        column_order=COLUMN_ORDER,
        on_select=lambda: _open_selected(frame, tree, trail[0] if trail else None),
    )
    st.caption(t("kpi.outline_hint"))
    data_table(frame.drop("trend", "status_id"), file_stem="kpi_outline", key="kpi_outline_download")
