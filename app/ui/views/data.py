"""The Data page: upload exports, check them, load them, undo a batch.

Top to bottom: the uploader with the limits stated; what this session's loads and undos did; one
card per uploaded file (type, encoding and separator detected and changeable, column mapping,
validation report, load with a progress bar or cancel); the import formats with example files;
the batch history with undo. Writes go through data_actions.py only.
"""

from __future__ import annotations

import streamlit as st

from app.settings import DATA_DIR
from app.ui.components import page_header, page_link
from app.ui.context import cached_query, service_model
from app.ui.filters import PERIOD_KEYS
from app.ui.i18n import format_number, t
from app.ui.safe_text import escape_markdown
from app.ui.views import data_files as files
from app.ui.views import data_session as session
from app.ui.views.data_card import (
    StagedFile,
    chosen_source,
    format_size,
    read_all_with_progress,
    render_card,
    source_label,
)
from app.ui.views.data_formats import render_formats
from app.ui.views.data_history import render_history
from app.ui.views.data_review import load_now, outcome_text, render_review
from app.warehouse.scores import available_periods
from pipelines.sources import SOURCES, source_spec

_OUTCOME_STYLE = {
    "loaded": (st.success, ":material/check_circle:"),
    "undone": (st.success, ":material/undo:"),
    "already_loaded": (st.info, ":material/inventory:"),
    "cancelled": (st.info, ":material/close:"),
    "failed": (st.error, ":material/error:"),
    "skipped": (st.warning, ":material/skip_next:"),
}


# Streamlit refuses a file over server.maxUploadSize in the browser and says why only in a tooltip
# and a screen-reader alert; show that alert under the file's chip, where the analyst looks.
_REFUSED_FILE_CSS = """
<style>
[data-testid="stFileChip"][aria-invalid="true"] { flex-wrap: wrap; height: auto; }
[data-testid="stFileChip"][aria-invalid="true"] [role="alert"] {
  position: static !important; width: 100% !important; height: auto !important; margin: 0.1rem 0 0 0 !important;
  clip: auto !important; clip-path: none !important; overflow: visible !important; white-space: normal !important;
  color: #B23C00; font-size: 0.8rem; line-height: 1.2;
}
</style>
"""


def upload_limit_mb() -> int:
    """server.maxUploadSize from .streamlit/config.toml (Streamlit refuses bigger files itself)."""
    return int(st.get_option("server.maxUploadSize"))


def _uploader() -> list:
    limit = upload_limit_mb()
    uploaded = st.file_uploader(
        t("data.upload_label"),
        accept_multiple_files=True,
        key=session.uploader_key(),
        help=t("data.upload_help"),
    )
    st.caption(t("data.upload_limits", limit=format_number(limit)))
    return uploaded or []


def _extend_period_to(period: str) -> None:
    """Callback (runs before the next script run, so the sidebar's widget may still be changed)."""
    st.session_state[PERIOD_KEYS[1]] = period


def _offer_new_quarter() -> None:
    """A load added a quarter after the one the filters end at: offer to show it on every page.

    The sidebar's period range is the analyst's own choice, so it is not moved without asking."""
    periods = cached_query(available_periods)
    shown_to = st.session_state.get(PERIOD_KEYS[1])
    if not periods or shown_to is None or shown_to >= periods[-1]:
        return
    st.info(t("data.new_quarter", newest=periods[-1], shown=shown_to), icon=":material/date_range:")
    st.button(
        t("data.show_new_quarter", newest=periods[-1]),
        key="data_show_new_quarter",
        on_click=_extend_period_to,
        args=(periods[-1],),
        icon=":material/update:",
    )


def _outcomes() -> None:
    shown = session.outcomes()
    if not shown:
        return
    for outcome in shown:
        show, icon = _OUTCOME_STYLE[outcome.status]
        show(outcome_text(outcome), icon=icon)
    left, right = st.columns([3, 1], vertical_alignment="center")
    with left:
        if any(o.status in ("loaded", "undone") for o in shown):
            page_link("overview", t("data.see_overview"))
    if any(o.status == "loaded" for o in shown):
        _offer_new_quarter()
    if right.button(
        t("data.clear_messages"), key="data_clear_messages", icon=":material/clear_all:", width="stretch"
    ):
        session.clear_outcomes()
        st.rerun()


def _ready_for_load_all(staged_files: list[StagedFile]) -> list[StagedFile]:
    """Files without problems, plus files whose only problem is clients that a staged list adds."""
    model = service_model()
    has_client_list = any(s.source == "clients" and s.is_clean for s in staged_files)
    return [
        s
        for s in staged_files
        if s.is_clean or (has_client_list and s.waits_for_clients(source_spec(s.source, model).client_column))
    ]


def _load_all(ready: list[StagedFile]) -> None:
    """Client lists first, so answers, orders and tickets can refer to the clients they add; each
    file is checked again just before it is written and skipped if problems remain."""
    order = {s: i for i, s in enumerate(SOURCES)}
    for staged in sorted(ready, key=lambda s: order[s.source]):
        st.caption(f"{escape_markdown(staged.upload.name)} · {source_label(staged.source)}")
        load_now(staged, only_if_clean=True)
    st.rerun()


def _cards(uploads: list[files.Upload]) -> list[StagedFile]:
    clients_staged = sum(chosen_source(u) == "clients" for u in uploads) > 0
    staged_files = []
    for upload in uploads:
        with st.container(border=True, key=f"data_card_{upload.file_id}"):
            staged = render_card(upload)
            if staged is not None:
                others_have_clients = clients_staged and staged.source != "clients"
                render_review(staged, others_have_clients, single_file=len(uploads) == 1)
                staged_files.append(staged)
    return staged_files


def render() -> None:
    st.html(_REFUSED_FILE_CSS)
    page_header(t("data.title"), t("data.subtitle"))
    previous = st.session_state.get(session.uploader_key()) or []
    session.start_new_round_when_done([f.file_id for f in previous])  # before the uploader renders
    all_uploads = files.uploads_from(_uploader())
    files.forget_except({u.file_id for u in all_uploads})
    active = [u for u in all_uploads if not session.is_dismissed(u.file_id)]
    _outcomes()
    if active:
        total = sum(u.size for u in active)
        st.subheader(t("data.staged_title", n=len(active), size=format_size(total)), anchor=False)
        load_all_slot = st.empty()
        read_all_with_progress(active)
        ready = _ready_for_load_all(_cards(active))
        if len(ready) > 1 and load_all_slot.button(
            t("data.load_all_files", n=len(ready)),
            key="data_load_all",
            type="primary",
            icon=":material/done_all:",
        ):
            _load_all(ready)
    render_formats(examples_dir=DATA_DIR / "examples")
    st.divider()
    render_history()
