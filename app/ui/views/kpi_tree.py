"""KPI tree page: from a red TX number down the chain — customer, operations, people, systems — with the
data's evidence on every link.

Three views of the same tree, one focus KPI shared between them (URL `?kpi=`):
- drill-down (default): the focus KPI large, its drivers as cards one level below, a breadcrumb back
  up. One level at a time keeps a 60-KPI tree readable on a projector.
- outline: every KPI under the focus once, indented, with status, sparkline and link evidence.
- chain: one TX KPI's whole sub-graph down to the IT layer as a layered diagram.
"""

from __future__ import annotations

import streamlit as st

from app.analytics.kpi_tree import KpiTree
from app.service_model import LAYERS, ServiceModel
from app.ui import url_state
from app.ui.components import empty_state, page_header
from app.ui.context import service_model
from app.ui.i18n import current_language, t
from app.ui.url_widgets import url_segmented, url_selectbox
from app.ui.views import kpi_tree_data as data
from app.warehouse.filters import Filters

FOCUS_KEY = "kpi_focus"
TRAIL_KEY = "_kpi_trail"
VIEW_KEY = "kpi_view"
FOCUS_PARAM = "kpi"
VIEWS = ("drill", "outline", "chain")
IGNORED_FILTERS = ("segments", "statuses", "grades", "respondent_roles")


def focus_on(kpi_id: str | None, trail: list[str] | None = None, view: str | None = None) -> None:
    """Callback: make `kpi_id` the focus (None: back to the TX roots), with the path that led there."""
    st.session_state[FOCUS_KEY] = kpi_id
    st.session_state[TRAIL_KEY] = list(trail) if trail else ([kpi_id] if kpi_id else [])
    if view:
        st.session_state[VIEW_KEY] = view


def _is_path(tree: KpiTree, trail: list[str]) -> bool:
    if not trail or trail[0] not in tree or tree.parents[trail[0]]:
        return False
    return all(b in tree and a in tree.parents[b] for a, b in zip(trail, trail[1:], strict=False))


def current_trail(tree: KpiTree) -> list[str]:
    """The root-to-focus path: the one the user walked, or the first path to a focus set by URL."""
    focus = st.session_state.get(FOCUS_KEY)
    if focus not in tree:
        st.session_state[FOCUS_KEY] = None
        return []
    trail = list(st.session_state.get(TRAIL_KEY) or [])
    if not (_is_path(tree, trail) and trail[-1] == focus):
        trail = tree.path_to(focus, root=trail[0] if trail and trail[0] in tree else None)
        st.session_state[TRAIL_KEY] = trail
    return trail


def show_url_notices(notices: list[url_state.UrlNotice]) -> None:
    """A link value this page does not know (an old KPI id) is named, never silently dropped."""
    if notices:
        items = ", ".join(f"{n.param}={n.value}" for n in notices)
        st.warning(t("filters.url_ignored", items=items), icon=":material/link_off:")


def _default_scope(filters: Filters) -> str:
    return filters.business_units[0] if len(filters.business_units) == 1 else data.COMPANY


def _controls(model: ServiceModel, filters: Filters, lang: str) -> tuple[str, str]:
    left, middle, _ = st.columns([2, 3, 2], vertical_alignment="bottom")
    scopes = [data.COMPANY, *model.option_ids("business_units")]
    with left:
        scope = (
            url_selectbox(
                t("kpi.scope"),
                scopes,
                key="kpi_scope",
                param="unit",
                default=_default_scope(filters),
                format_func=lambda s: (
                    t("common.company") if s == data.COMPANY else model.label("business_units", s, lang)
                ),
            )
            or data.COMPANY
        )
    with middle:
        view = url_segmented(
            t("kpi.view"),
            list(VIEWS),
            key=VIEW_KEY,
            param="view",
            default="drill",
            format_func=lambda v: t(f"kpi.view.{v}"),
        )
    return scope, view


def _notes(filters: Filters) -> None:
    ignored = [t(f"filters.{d}") for d in IGNORED_FILTERS if filters.selected(d)]
    if len(filters.business_units) > 1:
        st.caption(t("kpi.note_several_units"))
    if ignored:
        st.caption(t("kpi.note_ignored_filters", filters=", ".join(ignored)))


def _subtitle(model: ServiceModel, snap, scope: str, lang: str) -> str:
    periods = [p for p in snap["period"].drop_nulls().to_list()] if snap.height else []
    current = max(periods) if periods else "–"
    first = snap["first_period"][0] if snap.height and snap["first_period"][0] else "–"
    name = t("common.company") if scope == data.COMPANY else model.label("business_units", scope, lang)
    return t("kpi.subtitle", scope=name, current=current, first=first, n=len(model.kpis))


def render(filters: Filters) -> None:
    model = service_model()
    lang = current_language()
    tree = KpiTree.from_model(model)
    show_url_notices(url_state.seed_single(FOCUS_KEY, FOCUS_PARAM, tree.ids, None))
    page_title_slot = st.container()
    scope, view = _controls(model, filters, lang)
    snap = data.snapshot(scope, filters.period_from, filters.period_to)
    with page_title_slot:
        page_header(t("kpi.title"), _subtitle(model, snap, scope, lang))
    _notes(filters)
    trail = current_trail(tree)
    url_state.publish(FOCUS_PARAM, trail[-1] if trail else None, default=None)
    if snap.is_empty() or snap["value"].drop_nulls().is_empty():
        empty_state(t("kpi.no_values"), t("kpi.no_values_hint"))
        return
    evidence = data.evidence(filters.period_from, filters.period_to)
    nodes = data.node_rows(model, tree, snap, lang)
    has_model = data.driver_model_available()
    if view == "outline":
        from app.ui.views.kpi_outline import render_outline

        render_outline(tree, nodes, evidence, trail, has_model, lang, LAYERS)
    elif view == "chain":
        from app.ui.views.kpi_chain import render_chain

        render_chain(tree, nodes, evidence, trail, lang)
    else:
        from app.ui.views.kpi_cards import render_drill_down

        render_drill_down(tree, nodes, evidence, trail, has_model, lang)
