"""The drill-down view of the KPI tree: a breadcrumb back up, the focus KPI large, and its drivers one
level below as cards. Each card's title is a button that drills into it; its coloured edge, badge,
sparkline and change say how it is doing, and its last lines say whether the data supports the link.
"""

from __future__ import annotations

import streamlit as st

from app.analytics.kpi_tree import KpiTree
from app.ui.i18n import t
from app.ui.views.kpi_text import (
    STATUS_COLOURS,
    evidence_sentence,
    format_change,
    format_value,
    shap_sentence,
    status_badge,
)
from app.ui.views.kpi_tree import focus_on
from app.ui.views.kpi_tree_data import evidence_lookup

CARDS_PER_ROW = 3
# Status colour on the card's left edge and a projector-sized title button; keys carry the status.
_CSS = (
    "<style>"
    + "".join(
        f'[class*="st-key-kpicard-{status}-"], [class*="st-key-kpifocus-{status}-"] '
        f"{{ border-left: 8px solid {colour} !important; }}"
        for status, colour in STATUS_COLOURS.items()
    )
    + """
[class*="st-key-kpiopen-"] button { justify-content: flex-start; text-align: left; padding-left: 0; width: 100%; }
[class*="st-key-kpiopen-"] button > div { justify-content: flex-start; }
[class*="st-key-kpiopen-"] button p { font-size: 1.2rem; font-weight: 650; line-height: 1.3; }
[class*="st-key-kpifocus-"] [data-testid="stMetricValue"] { font-size: 2.8rem; }
</style>"""
)


def _tags(node: dict) -> str:
    parts = [t("kpi.layer_name", layer=node["layer"]), t(f"kpi.indicator.{node['indicator']}")]
    if node.get("owner"):
        parts.append(t("kpi.owner", owner=node["owner"]))
    if node.get("touchpoint"):
        parts.append(t("kpi.touchpoint", touchpoint=node["touchpoint"]))
    return " · ".join(parts)


def _target_line(node: dict, lang: str) -> str:
    target = node.get("target")
    text = (
        t("kpi.no_target")
        if target is None
        else t("kpi.target", value=format_value(target, node["unit"], lang))
    )
    arrow = t("kpi.higher_better") if node["direction"] == "higher" else t("kpi.lower_better")
    return f"{status_badge(node.get('status'), lang)} {text} · {arrow}"


def _metric(node: dict, label: str, lang: str) -> None:
    if node.get("value") is None:
        st.markdown(f"### –\n{t('kpi.no_value_in_range')}")
        return
    series = [v for v in (node.get("series") or []) if v is not None]
    change = format_change(node.get("change"), node.get("value"), lang)
    st.metric(
        label,
        format_value(node.get("value"), node["unit"], lang),
        delta=None
        if change is None
        else t("kpi.change_vs", change=change, period=node.get("previous_period") or ""),
        delta_color="normal" if node["direction"] == "higher" else "inverse",
        chart_data=series if len(series) > 1 else None,
        chart_type="line",
        border=False,
        help=t("kpi.value_help", period=node.get("period") or "–"),
    )


def _below_summary(tree: KpiTree, nodes: dict[str, dict], kpi_id: str) -> str | None:
    below = tree.descendants(kpi_id)
    if not below:
        return None
    off = sum(nodes[k]["status"] == "off" for k in below)
    near = sum(nodes[k]["status"] == "near" for k in below)
    if len(below) == 1:
        return t("kpi.below_summary_one", off=off, near=near)
    return t("kpi.below_summary", n=len(below), off=off, near=near)


def _child_card(
    tree: KpiTree,
    nodes: dict[str, dict],
    kpi_id: str,
    trail: list[str],
    link: dict | None,
    has_model: bool,
    lang: str,
) -> None:
    node = nodes[kpi_id]
    with st.container(border=True, key=f"kpicard-{node['status']}-{kpi_id}"):
        st.button(
            node["name"],
            key=f"kpiopen-{kpi_id}",
            type="tertiary",
            on_click=focus_on,
            args=(kpi_id, [*trail, kpi_id]),
            width="stretch",
        )
        st.caption(_tags(node))
        _metric(node, t("kpi.value_in", period=node.get("period") or "–"), lang)
        st.markdown(_target_line(node, lang))
        if link is not None:
            st.markdown(f"{t('kpi.link')}: {evidence_sentence(link, lang)}")
            shap = shap_sentence(link, has_model, lang) if node.get("touchpoint") else None
            if shap:
                st.caption(shap)
        summary = _below_summary(tree, nodes, kpi_id)
        st.caption(summary or t("kpi.leaf", layer=node["layer"]))


def _breadcrumb(nodes: dict[str, dict], trail: list[str]) -> None:
    with st.container(horizontal=True, gap="small", vertical_alignment="center", key="kpi_breadcrumb"):
        st.button(
            t("kpi.all_roots"),
            key="kpicrumb-root",
            type="tertiary",
            icon=":material/account_tree:",
            on_click=focus_on,
            args=(None,),
        )
        for i, kpi_id in enumerate(trail):
            st.markdown(":material/chevron_right:", width="content")
            if i == len(trail) - 1:
                st.markdown(f"**{nodes[kpi_id]['name']}**", width="content")
            else:
                st.button(
                    nodes[kpi_id]["name"],
                    key=f"kpicrumb-{i}-{kpi_id}",
                    type="tertiary",
                    on_click=focus_on,
                    args=(kpi_id, trail[: i + 1]),
                )


def _other_parents(tree: KpiTree, nodes: dict[str, dict], trail: list[str]) -> None:
    focus = trail[-1]
    others = [p for p in tree.parents[focus] if len(trail) < 2 or p != trail[-2]]
    if not others:
        return
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.caption(t("kpi.also_drives"), width="content")
        for parent in others:
            path = [*tree.path_to(parent, root=trail[0]), focus]
            st.button(
                nodes[parent]["name"],
                key=f"kpiparent-{parent}",
                icon=":material/north_east:",
                on_click=focus_on,
                args=(focus, path),
                help=t("kpi.also_drives_help"),
            )


def _focus_card(
    tree: KpiTree, nodes: dict[str, dict], trail: list[str], links: dict, has_model: bool, lang: str
) -> None:
    focus = trail[-1]
    node = nodes[focus]
    link = links.get((trail[-2], focus)) if len(trail) > 1 else None
    with st.container(border=True, key=f"kpifocus-{node['status']}-{focus}"):
        left, right = st.columns([2, 3], gap="large")
        with left:
            st.subheader(node["name"], anchor=False)
            _metric(node, t("kpi.value_in", period=node.get("period") or "–"), lang)
        with right:
            st.caption(_tags(node))
            st.markdown(_target_line(node, lang))
            if link is not None:
                st.markdown(
                    t("kpi.link_to", parent=nodes[trail[-2]]["name"]) + " " + evidence_sentence(link, lang)
                )
                shap = shap_sentence(link, has_model, lang) if node.get("touchpoint") else None
                if shap:
                    st.caption(shap)
            summary = _below_summary(tree, nodes, focus)
            st.caption(summary or t("kpi.leaf_focus"))
            _other_parents(tree, nodes, trail)


def _grid(
    tree: KpiTree,
    nodes: dict[str, dict],
    kpi_ids: list[str],
    trail: list[str],
    links: dict,
    has_model: bool,
    lang: str,
) -> None:
    parent = trail[-1] if trail else None
    for start in range(0, len(kpi_ids), CARDS_PER_ROW):
        columns = st.columns(CARDS_PER_ROW, gap="medium")
        for column, kpi_id in zip(columns, kpi_ids[start : start + CARDS_PER_ROW], strict=False):
            with column:
                link = links.get((parent, kpi_id)) if parent else None
                _child_card(tree, nodes, kpi_id, trail, link, has_model, lang)


def render_drill_down(
    tree: KpiTree, nodes: dict[str, dict], evidence, trail: list[str], has_model: bool, lang: str
) -> None:
    st.html(_CSS)
    links = evidence_lookup(evidence)
    _breadcrumb(nodes, trail)
    if not trail:
        st.subheader(t("kpi.roots_title"), anchor=False)
        st.caption(t("kpi.roots_hint"))
        _grid(tree, nodes, list(tree.roots), [], links, has_model, lang)
        return
    _focus_card(tree, nodes, trail, links, has_model, lang)
    children = list(tree.children[trail[-1]])
    if not children:
        st.info(
            t("kpi.bottom_reached", layer=nodes[trail[-1]]["layer"]), icon=":material/vertical_align_bottom:"
        )
        return
    layer = nodes[children[0]]["layer"]
    st.subheader(
        t("kpi.drivers_title", name=nodes[trail[-1]]["name"], n=len(children), layer=layer), anchor=False
    )
    _grid(tree, nodes, children, trail, links, has_model, lang)
