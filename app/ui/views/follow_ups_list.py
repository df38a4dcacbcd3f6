"""The follow-up work list: filters, the cases table (overdue first), and the panel for the case or
cases selected in it (or named in the URL, `?case=12`, e.g. from the comment explorer).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from app.service_model import ServiceModel
from app.ui import url_state
from app.ui.components import download_buttons, empty_state
from app.ui.context import cached_query
from app.ui.i18n import format_number, t
from app.ui.labels import option_labels
from app.ui.views.follow_ups_case import render_bulk_panel, render_case_panel
from app.ui.views.voc_data import breakdown_labels
from app.warehouse.filters import Filters
from app.warehouse.follow_up_queries import CaseQuery, case_list
from pipelines.follow_ups import USER_STATUSES

CASE_PARAM = "case"
ROW_LIMIT = 1000


def case_code(case_id: int) -> str:
    return f"FU-{int(case_id):05d}"


def _controls(model: ServiceModel, lang: str) -> CaseQuery:
    departments = option_labels(model, "departments", lang)
    st.session_state.setdefault("fu_statuses", ["open", "in_progress"])
    first, second, third, fourth = st.columns([3, 3, 3, 2], vertical_alignment="bottom")
    with first:
        statuses = st.multiselect(
            t("fu.status"),
            list(USER_STATUSES),
            key="fu_statuses",
            format_func=lambda s: t(f"fu.status_{s}"),
            placeholder=t("filters.all"),
        )
    with second:
        owners = st.multiselect(
            t("fu.owner"),
            list(departments),
            key="fu_owners",
            format_func=lambda d: departments.get(d, d),
            placeholder=t("filters.all"),
        )
    with third:
        text = st.text_input(t("fu.search"), key="fu_search", placeholder=t("fu.search_hint"), max_chars=120)
    with fourth:
        overdue = st.toggle(t("fu.overdue_only"), key="fu_overdue_only")
    return CaseQuery(
        case_statuses=tuple(statuses), owners=tuple(owners), overdue_only=overdue, text=text, limit=ROW_LIMIT
    )


def _table(frame: pl.DataFrame, model: ServiceModel, lang: str) -> pl.DataFrame:
    departments = option_labels(model, "departments", lang)
    grades = option_labels(model, "grades", lang)
    touchpoints = breakdown_labels("touchpoint_id", model, lang)
    statuses = {s: t(f"fu.status_{s}") for s in (*USER_STATUSES, "withdrawn")}
    return frame.select(
        pl.col("case_id").map_elements(case_code, return_dtype=pl.String).alias("case"),
        "due_date",
        pl.when(pl.col("is_overdue"))
        .then(pl.format("⚠ {}", pl.col("days_overdue")))
        .otherwise(pl.lit(""))
        .alias("overdue"),
        pl.col("case_status")
        .replace_strict(statuses, default=pl.col("case_status"), return_dtype=pl.String)
        .alias("status"),
        "client_name",
        "nps",
        pl.col("owner_department")
        .replace_strict(departments, default=pl.col("owner_department"), return_dtype=pl.String)
        .alias("owner"),
        pl.col("assignee").fill_null(""),
        pl.col("touchpoint_id")
        .replace_strict(touchpoints, default=pl.col("touchpoint_id"), return_dtype=pl.String)
        .alias("touchpoint"),
        pl.col("comment").fill_null(""),
        pl.col("last_note").fill_null(""),
        pl.col("received_at").dt.date().alias("received"),
        pl.col("grade").replace_strict(grades, default=pl.col("grade"), return_dtype=pl.String),
    )


def _url_case() -> int | None:
    raw = st.query_params.get(CASE_PARAM)
    if raw is None or not raw.isdigit():
        return None
    return int(raw)


def render_work_list(filters: Filters, model: ServiceModel, lang: str, today: date) -> None:
    st.subheader(t("fu.list_title"), anchor=False)
    spec = _controls(model, lang)
    frame = cached_query(case_list, filters, spec, today)
    if frame.is_empty():
        empty_state(t("fu.no_matches"), t("fu.no_matches_hint"))
    else:
        total = int(frame["n_matches"][0])
        note = t("fu.matches", n=format_number(total))
        if total > frame.height:
            note += " " + t("fu.matches_limited", shown=format_number(frame.height))
        st.caption(note)
    table = _table(frame, model, lang) if frame.height else pl.DataFrame()
    selected: list[int] = []
    if frame.height:
        event = st.dataframe(
            table,
            key="fu_table",
            hide_index=True,
            on_select="rerun",
            selection_mode="multi-row",
            height=390,
            column_config=_column_config(),
        )
        rows = event.selection.rows if event and event.selection else []
        selected = [int(frame["case_id"][r]) for r in rows]
        download_buttons(table, "follow_up_cases", key="fu_download")
    if len(selected) > 1:
        render_bulk_panel(selected, model, lang)
        return
    case_id = selected[0] if selected else _url_case()
    if case_id is None:
        st.caption(t("fu.select_hint"))
        return
    url_state.publish(CASE_PARAM, str(case_id))
    render_case_panel(case_id, model, lang)


def _column_config() -> dict:
    column = st.column_config
    return {
        "case": column.TextColumn(t("fu.col_case"), width="small"),
        "received": column.DateColumn(t("fu.col_received"), width="small"),
        "client_name": column.TextColumn(t("fu.col_client"), width="medium"),
        "grade": column.TextColumn(t("common.grade"), width="small"),
        "nps": column.NumberColumn(t("common.metric.nps"), width="small", format="%d"),
        "touchpoint": column.TextColumn(t("fu.col_touchpoint"), width="medium"),
        "owner": column.TextColumn(t("fu.owner"), width=104),
        "assignee": column.TextColumn(t("fu.assignee"), width=112),
        "status": column.TextColumn(t("fu.status"), width="small"),
        "due_date": column.DateColumn(t("fu.col_due"), width="small"),
        "overdue": column.TextColumn(t("fu.col_overdue"), width="small", help=t("fu.col_overdue_help")),
        "last_note": column.TextColumn(t("fu.col_note"), width="medium"),
        "comment": column.TextColumn(t("fu.col_comment"), width="large"),
    }
