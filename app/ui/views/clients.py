"""Clients page: every client ranked by its satisfaction index, with the change, NPS history, money,
open work and an at-risk flag with reasons; clicking a row (or `?client=…`) opens the client card.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.client_risk import REASONS, RiskRules
from app.service_model import ServiceModel
from app.ui import url_state
from app.ui.components import download_buttons, empty_state, page_header
from app.ui.context import service_model
from app.ui.i18n import current_language, format_number, t
from app.ui.labels import filters_summary, with_option_label
from app.ui.url_widgets import url_segmented, url_selectbox
from app.ui.views import clients_data as data
from app.ui.views.kpi_tree import show_url_notices
from app.ui.views.satisfaction_formula import render_formula
from app.warehouse.filters import Filters

CLIENT_KEY = "clients_client"
CLIENT_PARAM = "client"
TABLE_KEY = "clients_table"
PAGE_KEY = "clients_page"
PAGE_ROWS = 1000
WHY_PX_PER_CHAR = 7.6  # the grid's 14 px font, measured on a 1440 × 900 screenshot
SHOWS = ("all", "at_risk", "flagged")
SORTS = ("risk", "index_asc", "index_desc", "change_asc", "revenue_desc", "ltv_desc")
RISK_ORDER = {"at_risk": 0, "watch": 1, "ok": 2}
SORT_COLUMNS = {
    "index_asc": ("index", False),
    "index_desc": ("index", True),
    "change_asc": ("index_change", False),
    "revenue_desc": ("revenue", True),
    "ltv_desc": ("ltv", True),
}


def open_client(client_id: str | None) -> None:
    """Callback: show this client's card (None: back to the list)."""
    st.session_state[CLIENT_KEY] = client_id


def reason_text(reasons: list[str] | None) -> str:
    return ", ".join(t(f"clients.reason.{r}") for r in (reasons or []))


def _labelled(table: pl.DataFrame, model: ServiceModel, lang: str) -> pl.DataFrame:
    for column in ("business_unit", "segment", "grade", "status"):
        table = with_option_label(table, model, column, lang)
    return table


def _controls() -> tuple[str, str, str]:
    search_col, show_col, sort_col = st.columns([3, 4, 2], vertical_alignment="bottom")
    search = search_col.text_input(
        t("clients.search"),
        key="clients_search",
        placeholder=t("clients.search_hint"),
        icon=":material/search:",
    )
    with show_col:
        show = url_segmented(
            t("clients.show"),
            list(SHOWS),
            key="clients_show",
            param="show",
            default="all",
            format_func=lambda s: t(f"clients.show.{s}"),
        )
    with sort_col:
        sort = (
            url_selectbox(
                t("clients.sort"),
                list(SORTS),
                key="clients_sort",
                param="sort",
                default="risk",
                format_func=lambda s: t(f"clients.sort.{s}"),
            )
            or "risk"
        )
    return search.strip(), show, sort


def _narrow(table: pl.DataFrame, search: str, show: str, sort: str) -> pl.DataFrame:
    if search:
        needle = search.lower()
        table = table.filter(
            pl.col("name").str.to_lowercase().str.contains(needle, literal=True)
            | pl.col("client_id").str.to_lowercase().str.contains(needle, literal=True)
        )
    if show == "at_risk":
        table = table.filter(pl.col("risk_level") == "at_risk")
    elif show == "flagged":
        table = table.filter(pl.col("risk_level") != "ok")
    if sort == "risk":  # at risk first, then to watch, each from the lowest index up
        return table.sort(
            pl.col("risk_level").replace_strict(RISK_ORDER, default=3), pl.col("index"), nulls_last=True
        )
    column, descending = SORT_COLUMNS[sort]
    return table.sort(column, descending=descending, nulls_last=True)


def _shown(table: pl.DataFrame) -> pl.DataFrame:
    ranked = table.with_columns(pl.col("index").rank("min", descending=True).cast(pl.Int64).alias("rank"))
    columns = [
        "rank",
        "name",
        "index",
        "index_change",
        "risk",
        "reasons_text",
        "nps_history",
        "nps_latest",
        "revenue",
        "ltv",
        "n_open_tickets",
        "n_open_cases",
        "basis",
        "business_unit_label",
        "segment_label",
        "grade_label",
        "status_label",
        "client_id",
    ]
    ranked = ranked.with_columns(
        pl.when(pl.col("tx_score").is_not_null() & pl.col("cx_score").is_not_null())
        .then(pl.lit("TX + CX"))
        .when(pl.col("tx_score").is_not_null())
        .then(pl.lit(t("clients.basis_tx")))
        .when(pl.col("cx_score").is_not_null())
        .then(pl.lit(t("clients.basis_cx")))
        .alias("basis"),
        pl.col("risk_level")
        .replace_strict({lvl: t(f"clients.level.{lvl}") for lvl in ("at_risk", "watch")}, default="")
        .alias("risk"),
        _reasons_text(pl.col("reasons")).alias("reasons_text"),
    )
    return ranked.select([c for c in columns if c in ranked.columns])


def _reasons_text(reasons: pl.Expr) -> pl.Expr:
    """The short names of a client's reasons, joined: looked up per combination of reasons (they come
    in REASONS order), not translated element by element for 50,000 lists on every rerun."""
    combinations = [[r for i, r in enumerate(REASONS) if c >> i & 1] for c in range(1 << len(REASONS))]
    texts = {",".join(c): ", ".join(t(f"clients.reason_short.{r}") for r in c) for c in combinations}
    return reasons.list.join(",").replace_strict(texts, default="", return_dtype=pl.String)


def _reasons_width(rows: pl.DataFrame) -> int:
    """Pixels for the Why column: its longest text on this page fits (the grid cannot wrap a cell)."""
    longest = rows["reasons_text"].str.len_chars().max() if "reasons_text" in rows.columns else None
    return int(min(max(WHY_PX_PER_CHAR * (longest or 0) + 28, 120), 480))


def _column_config(currency: str, why_width: int) -> dict:
    return {
        "rank": st.column_config.NumberColumn("#", width=56, help=t("clients.rank_help")),
        "name": st.column_config.TextColumn(t("clients.col_client"), width="medium"),
        "business_unit_label": st.column_config.TextColumn(t("common.business_unit")),
        "segment_label": st.column_config.TextColumn(t("common.segment")),
        "grade_label": st.column_config.TextColumn(t("common.grade"), width="small"),
        "status_label": st.column_config.TextColumn(t("common.status"), width="small"),
        "index": st.column_config.ProgressColumn(
            t("clients.col_index"), min_value=0, max_value=100, format="%.0f", help=t("clients.index_help"),
            width=130,
        ),
        "index_change": st.column_config.NumberColumn(
            t("clients.col_change"), format="%+.1f", help=t("clients.change_help")
        ),
        "basis": st.column_config.TextColumn(
            t("clients.col_basis"), help=t("clients.partial_help"), width="small"
        ),
        "nps_history": st.column_config.LineChartColumn(
            t("clients.col_nps_history"), y_min=-100, y_max=100, help=t("clients.nps_history_help")
        ),
        "nps_latest": st.column_config.NumberColumn(t("clients.col_nps"), format="%+.0f"),
        "revenue": st.column_config.NumberColumn(
            t("clients.col_revenue", currency=currency), format="compact"
        ),
        "ltv": st.column_config.NumberColumn(t("clients.col_ltv", currency=currency), format="compact"),
        "n_open_tickets": st.column_config.NumberColumn(t("clients.col_open_tickets"), format="%d"),
        "n_open_cases": st.column_config.NumberColumn(
            t("clients.col_open_cases"), format="%d", help=t("clients.open_cases_help")
        ),
        "risk": st.column_config.TextColumn(t("clients.col_risk"), width=92),
        "reasons_text": st.column_config.TextColumn(
            t("clients.col_reasons"), width=why_width, help=t("clients.reasons_help")
        ),
        "client_id": st.column_config.TextColumn("ID", width="small"),
    }


def _open_selected(shown: pl.DataFrame) -> None:
    state = st.session_state.get(TABLE_KEY)
    rows = (getattr(state, "selection", None) or {}).get("rows") if state is not None else None
    if rows:
        open_client(shown["client_id"][rows[0]])


def _page(shown: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The rows the browser gets: all of a short list, else one page of PAGE_ROWS with a page picker.

    Fifty thousand clients are 14 MB for the browser on every rerun; the search, the Show choice
    and the Order choice work on the whole list before it is cut into pages.
    """
    n_pages = -(-shown.height // PAGE_ROWS)
    if n_pages <= 1:
        return shown
    if st.session_state.get(PAGE_KEY, 1) > n_pages:  # a narrower search left fewer pages
        st.session_state[PAGE_KEY] = n_pages
    picker, note = st.columns([1, 5], vertical_alignment="bottom")
    page = picker.number_input(t("clients.page"), min_value=1, max_value=n_pages, value=1, step=1, key=PAGE_KEY)
    first = (int(page) - 1) * PAGE_ROWS
    rows = shown.slice(first, PAGE_ROWS)
    note.caption(
        t(
            "clients.page_rows",
            first=format_number(first + 1, 0, lang),
            last=format_number(first + rows.height, 0, lang),
            n=format_number(shown.height, 0, lang),
            pages=n_pages,
        )
    )
    return rows


def _counts_line(table: pl.DataFrame, lang: str) -> None:
    scored = table.filter(pl.col("index").is_not_null())
    current = table["current_period"][0]
    partial = scored.filter(pl.col("is_partial") & (pl.col("index_period") == current)).height
    at_risk = table.filter(pl.col("risk_level") == "at_risk").height
    watch = table.filter(pl.col("risk_level") == "watch").height
    st.caption(
        t(
            "clients.counts",
            n=format_number(table.height, 0, lang),
            scored=format_number(scored.height, 0, lang),
            partial=format_number(partial, 0, lang),
            at_risk=format_number(at_risk, 0, lang),
            watch=format_number(watch, 0, lang),
            current=current,
            previous=table["previous_period"][0] or "–",
        )
    )


def _rules_caption() -> None:
    rules = RiskRules()
    st.caption(
        t(
            "clients.risk_rules",
            drop=format_number(rules.index_drop, 0),
            share=format_number(100 * rules.detractor_share, 0),
            late=rules.late_orders,
            tickets=rules.ticket_spike_min,
            ratio=format_number(rules.ticket_spike_ratio, 0),
            min_reasons=rules.min_reasons,
        )
    )


def _render_list(filters: Filters, model: ServiceModel, lang: str) -> None:
    table = data.table(filters, model)
    if table.is_empty() or "current_period" not in table.columns:
        empty_state(t("clients.no_clients"), t("common.no_data_hint"))
        return
    _counts_line(table, lang)
    search, show, sort = _controls()
    narrowed = _narrow(_labelled(table, model, lang), search, show, sort)
    shown = _shown(narrowed)
    if shown.is_empty():
        empty_state(t("clients.none_match"))
    else:
        rows = _page(shown, lang)
        st.dataframe(
            rows,
            hide_index=True,
            column_config=_column_config(model.company.currency, _reasons_width(rows)),
            height=560,
            key=TABLE_KEY,
            placeholder="–",
            selection_mode="single-row",
            on_select=lambda: _open_selected(rows),
        )
        st.caption(t("clients.open_hint"))
    _rules_caption()
    if "n_open_cases" not in table.columns:
        st.caption(t("clients.no_follow_up_table"))
    render_formula(model, lang)
    download_buttons(shown.drop("nps_history", strict=False), "clients", key="clients_download")


def render(filters: Filters) -> None:
    model = service_model()
    lang = current_language()
    # only the ids that can matter are checked: the link's and the one on screen, not all 50,000
    candidates = (*st.query_params.get_all(CLIENT_PARAM), st.session_state.get(CLIENT_KEY) or "")
    show_url_notices(url_state.seed_single(CLIENT_KEY, CLIENT_PARAM, data.known_ids(candidates), None))
    client_id = st.session_state.get(CLIENT_KEY)
    url_state.publish(CLIENT_PARAM, client_id, default=None)
    if client_id:
        from app.ui.views.client_card import render_card

        render_card(client_id, filters, model, lang, in_list=data.in_filters(client_id, filters))
        return
    summary = filters_summary(model, filters.as_dict(), lang, t("filters.summary_all"))
    page_header(
        t("clients.title"),
        t(
            "clients.subtitle",
            first=filters.period_from or "–",
            last=filters.period_to or "–",
            segment=summary,
        ),
    )
    if filters.respondent_roles:
        st.caption(t("filters.not_applied", dimensions=t("filters.respondent_roles")))
    _render_list(filters, model, lang)
