"""One follow-up case (facts, the client's comment, history, and the form that updates it) or a bulk
update of several selected cases. Updates need the analyst role; everyone can read.
"""

from __future__ import annotations

import duckdb
import polars as pl
import streamlit as st

from app.auth.guard import can, require_role
from app.service_model import ServiceModel
from app.ui import url_state
from app.ui.context import cached_query, cursor
from app.ui.i18n import format_number, t
from app.ui.labels import option_labels
from app.ui.safe_text import escape_markdown
from app.ui.views.voc_data import breakdown_labels
from app.warehouse.follow_up_queries import case_detail, case_events
from pipelines.follow_up_actions import UNCHANGED, CaseChange, CaseUpdateError, update_cases
from pipelines.follow_ups import USER_STATUSES

KEEP = "__keep__"


def _save(case_ids: list[int], model: ServiceModel, change: CaseChange) -> None:
    access = require_role("analyst")
    try:
        recorded = update_cases(cursor(), model, case_ids, change, actor=access.user)
    except CaseUpdateError as exc:
        st.error(str(exc), icon=":material/block:")
        return
    except duckdb.TransactionException:
        st.error(t("fu.conflict"), icon=":material/sync_problem:")
        return
    st.session_state["_fu_saved"] = recorded
    st.rerun()


def _facts(row: dict, model: ServiceModel, lang: str) -> None:
    departments = option_labels(model, "departments", lang)
    touchpoints = breakdown_labels("touchpoint_id", model, lang)
    facts = [
        (t("fu.col_received"), str(row["received_at"])[:16]),
        (t("common.metric.nps"), format_number(row["nps"])),
        (t("common.grade"), model.label("grades", row["grade"], lang) if row["grade"] else "–"),
        (t("fu.col_touchpoint"), touchpoints.get(row["touchpoint_id"], row["touchpoint_id"] or "–")),
        (
            t("fu.owner"),
            departments.get(row["owner_department"], row["owner_department"] or t("fu.unassigned")),
        ),
        (t("fu.assignee"), row["assignee"] or "–"),
        (t("fu.status"), t(f"fu.status_{row['case_status']}")),
        (t("fu.col_due"), str(row["due_date"] or "–")),
    ]
    if row["is_overdue"]:
        facts.append((t("fu.col_overdue"), t("fu.overdue")))
    if row["closed_at"]:
        facts.append((t("fu.closed_after"), t("fu.days", n=format_number(row["days_to_close"], 1))))
    if row["last_note"]:
        facts.append((t("fu.col_note"), row["last_note"]))
    half = (len(facts) + 1) // 2
    for column, part in zip(st.columns(2), (facts[:half], facts[half:]), strict=True):
        column.markdown(
            "  \n".join(f"**{escape_markdown(label)}:** {escape_markdown(value)}" for label, value in part)
        )


def _edit_form(row: dict, model: ServiceModel, lang: str) -> None:
    departments = option_labels(model, "departments", lang)
    with st.form(f"fu_edit_{row['case_id']}"):
        status = st.selectbox(
            t("fu.status"),
            list(USER_STATUSES),
            index=list(USER_STATUSES).index(row["case_status"]),
            format_func=lambda s: t(f"fu.status_{s}"),
        )
        owners = list(departments)
        owner = st.selectbox(
            t("fu.owner"),
            owners,
            index=owners.index(row["owner_department"]) if row["owner_department"] in owners else None,
            format_func=lambda d: departments.get(d, d),
            placeholder=t("fu.unassigned"),
        )
        assignee = st.text_input(t("fu.assignee"), value=row["assignee"] or "", max_chars=80)
        note = st.text_area(t("fu.note"), placeholder=t("fu.note_hint"), max_chars=2000, height=90)
        if st.form_submit_button(t("fu.save"), type="primary", icon=":material/save:"):
            _save(
                [row["case_id"]],
                model,
                CaseChange(status=status, owner_department=owner, assignee=assignee, note=note),
            )


def render_case_panel(case_id: int, model: ServiceModel, lang: str) -> None:
    saved = st.session_state.pop("_fu_saved", None)
    if saved is not None:
        st.toast(t("fu.saved") if saved else t("fu.nothing_changed"), icon=":material/check_circle:")
    detail = cached_query(case_detail, case_id)
    if detail.is_empty():
        st.warning(t("fu.case_missing", case=f"FU-{case_id:05d}"), icon=":material/search_off:")
        return
    row = detail.row(0, named=True)
    head, close = st.columns([6, 1], vertical_alignment="center")
    head.subheader(
        t("fu.case_title", case=f"FU-{case_id:05d}", client=escape_markdown(row["client_name"] or "–")),
        anchor=False,
    )
    if close.button(t("fu.close_panel"), key="fu_close_panel", icon=":material/close:", type="tertiary"):
        url_state.publish("case", None)
        st.rerun()
    if row["answer_removed_at"]:
        st.info(t("fu.answer_removed"), icon=":material/info:")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(f"**{t('fu.col_comment')}**")
        st.text(row["comment"] or t("fu.no_comment"))
        _facts(row, model, lang)
    with right:
        if row["case_status"] == "withdrawn":
            st.info(t("fu.withdrawn"), icon=":material/undo:")
        elif can("analyst"):
            _edit_form(row, model, lang)
        else:
            st.caption(t("fu.needs_analyst"))
    st.markdown(f"**{t('fu.history')}**")
    events = cached_query(case_events, case_id)
    st.dataframe(_history(events), hide_index=True, key=f"fu_history_{case_id}", width="stretch")


def _history(events: pl.DataFrame) -> pl.DataFrame:
    def describe(kind: str, old: str | None, new: str | None) -> str:
        if kind == "status":
            return f"{t(f'fu.status_{old}') if old else '–'} → {t(f'fu.status_{new}') if new else '–'}"
        if kind in ("owner", "assignee"):
            return f"{old or '–'} → {new or '–'}"
        return ""

    return events.select(
        pl.col("event_at").dt.strftime("%Y-%m-%d %H:%M").alias(t("fu.col_when")),
        pl.col("actor").fill_null("–").alias(t("fu.col_who")),
        pl.col("kind")
        .map_elements(lambda k: t(f"fu.event_{k}"), return_dtype=pl.String)
        .alias(t("fu.col_what")),
        pl.struct("kind", "old_value", "new_value")
        .map_elements(lambda s: describe(s["kind"], s["old_value"], s["new_value"]), return_dtype=pl.String)
        .alias(t("fu.col_change")),
        pl.col("note").fill_null("").alias(t("fu.col_event_note")),
    )


def render_bulk_panel(case_ids: list[int], model: ServiceModel, lang: str) -> None:
    saved = st.session_state.pop("_fu_saved", None)
    if saved is not None:
        st.toast(t("fu.saved") if saved else t("fu.nothing_changed"), icon=":material/check_circle:")
    st.subheader(t("fu.bulk_title", n=len(case_ids)), anchor=False)
    if not can("analyst"):
        st.caption(t("fu.needs_analyst"))
        return
    departments = option_labels(model, "departments", lang)
    with st.form("fu_bulk"):
        left, right = st.columns(2)
        status = left.selectbox(
            t("fu.status"),
            [KEEP, *USER_STATUSES],
            format_func=lambda s: t("fu.keep") if s == KEEP else t(f"fu.status_{s}"),
        )
        owner = right.selectbox(
            t("fu.owner"),
            [KEEP, *departments],
            format_func=lambda d: t("fu.keep") if d == KEEP else departments.get(d, d),
        )
        note = st.text_area(t("fu.note"), placeholder=t("fu.note_hint"), max_chars=2000, height=80)
        if st.form_submit_button(
            t("fu.bulk_save", n=len(case_ids)), type="primary", icon=":material/done_all:"
        ):
            _save(
                case_ids,
                model,
                CaseChange(
                    status=None if status == KEEP else status,
                    owner_department=UNCHANGED if owner == KEEP else owner,
                    note=note,
                ),
            )
