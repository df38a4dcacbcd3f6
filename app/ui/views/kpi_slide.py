"""The KPI tree as a slide: the chain diagram of one TX KPI down to the IT layer (links coloured by the
data's verdict), with the focus KPI of the saved view as the key figure. Reads the page's own
parameters (?unit=, ?kpi=, ?chain=) like the page; same analytics and chart builder.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.analytics.kpi_evidence import VERDICTS
from app.analytics.kpi_tree import KpiTree
from app.service_model import ServiceModel
from app.ui.charts.kpi_chain import chain_chart, chain_frames
from app.ui.i18n import translate
from app.ui.slides.params import ViewParams, choice, filters_from_params
from app.ui.slides.protocol import KeyFigure, SlideContent
from app.ui.views.kpi_chain import column_titles
from app.ui.views.kpi_text import format_change, format_value, status_label, verdict_label
from app.ui.views.kpi_tree_data import COMPANY, evidence_frame, evidence_lookup, node_rows, snapshot_frame
from app.warehouse.scores import available_periods

TONES = {"on": "good", "near": "neutral", "off": "bad"}


def _scope(params: ViewParams, model: ServiceModel, units: tuple[str, ...]) -> str:
    default = units[0] if len(units) == 1 else COMPANY
    return choice(params, "unit", [COMPANY, *model.option_ids("business_units")], default)


def _key_figure(node: dict, lang: str) -> KeyFigure:
    change = format_change(node.get("change"), node.get("value"), lang)
    delta = (
        None
        if change is None
        else translate("kpi.change_vs", lang, change=change, period=node.get("previous_period") or "")
    )
    label = f"{node['name']} · {node.get('period') or '–'} · {status_label(node.get('status'), lang)}"
    return KeyFigure(
        format_value(node.get("value"), node["unit"], lang),
        label,
        delta,
        TONES.get(node.get("status") or "", "neutral"),
    )


def slide_content(
    con: duckdb.DuckDBPyConnection, model: ServiceModel, params: ViewParams, lang: str
) -> SlideContent:
    tree = KpiTree.from_model(model)
    filters = filters_from_params(params, model, available_periods(con))
    scope = _scope(params, model, filters.business_units)
    focus = choice(params, "kpi", tree.ids, "") or None
    root = choice(params, "chain", tree.roots, tree.path_to(focus)[0] if focus else tree.roots[0])
    snap = snapshot_frame(con, scope, filters.period_from, filters.period_to)
    nodes = node_rows(model, tree, snap, lang)
    title = translate("kpi.slide_title", lang, name=nodes[root]["name"])
    if snap.is_empty() or snap["value"].drop_nulls().is_empty():
        return SlideContent(title, None, None, message=translate("kpi.no_values", lang))
    shown = {
        k: {
            **n,
            "value_text": format_value(n.get("value"), n["unit"], lang),
            "status_label": status_label(n.get("status"), lang),
        }
        for k, n in nodes.items()
    }
    labels = {v: verdict_label(v, lang) for v in VERDICTS}
    evidence = evidence_frame(con, filters.period_from, filters.period_to)
    boxes, links = chain_frames(tree, root, shown, evidence_lookup(evidence), labels)
    chart = chain_chart(
        boxes,
        links,
        layer_titles=column_titles(boxes),
        verdict_order=VERDICTS,
        verdict_labels=labels,
        legend_title=translate("kpi.col_verdict", lang),
    )
    unsupported = links.filter(pl.col("verdict").is_in(["not_shown", "contradicted", "mixed"])).height
    name = (
        translate("common.company", lang) if scope == COMPANY else model.label("business_units", scope, lang)
    )
    caption = translate(
        "kpi.slide_caption", lang, scope=name, n=boxes.height, links=links.height, unsupported=unsupported
    )
    focus_node = nodes[focus] if focus and focus in set(boxes["kpi_id"].to_list()) else nodes[root]
    return SlideContent(title, _key_figure(focus_node, lang), chart, caption)
