"""Batch history on the Data page: every load (source, file, rows, sha256, loaded at, status), the
archived original of each, and undo after a confirmation.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from app.auth.roles import AccessDenied
from app.ui.access import role_label
from app.ui.components import download_buttons
from app.ui.context import cached_query, service_model
from app.ui.i18n import format_number, t
from app.ui.safe_text import escape_markdown
from app.ui.views import data_session as session
from app.ui.views.data_actions import undo_batch
from app.ui.views.data_card import source_label
from pipelines.load import list_batches
from pipelines.sources import source_spec

_CLIENT_LIST = "clients"


def _when(value) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


def history_frame(batches: pl.DataFrame) -> pl.DataFrame:
    """Newest first, with the source and status in words."""
    if batches.is_empty():
        return batches
    status = [
        t("data.status_loaded") if s == "loaded" else t("data.status_undone", when=_when(w))
        for s, w in zip(batches["status"], batches["rolled_back_at"], strict=True)
    ]
    return batches.with_columns(
        pl.Series("source_label", [source_label(s) for s in batches["source"]]),
        pl.Series("status_label", status),
        pl.col("sha256").str.slice(0, 16).alias("sha256_start"),
    ).sort("batch_id", descending=True)


def _column_config() -> dict:
    number = {"format": "localized"}
    return {
        "batch_id": st.column_config.NumberColumn(t("data.h_batch"), width="small", format="%d"),
        "source_label": st.column_config.TextColumn(t("data.h_source")),
        "file_name": st.column_config.TextColumn(t("data.h_file"), width="medium"),
        "rows_in": st.column_config.NumberColumn(t("data.h_rows_in"), **number),
        "rows_accepted": st.column_config.NumberColumn(t("data.h_rows_loaded"), **number),
        "rows_rejected": st.column_config.NumberColumn(t("data.h_rows_left_out"), **number),
        "loaded_at": st.column_config.DatetimeColumn(t("data.h_loaded_at"), format="YYYY-MM-DD HH:mm"),
        "status_label": st.column_config.TextColumn(t("data.h_status"), width="medium"),
        "sha256_start": st.column_config.TextColumn(t("data.h_sha256"), help=t("data.h_sha256_help")),
    }


COLUMNS = [
    "batch_id",
    "source_label",
    "file_name",
    "rows_in",
    "rows_accepted",
    "rows_rejected",
    "loaded_at",
    "status_label",
    "sha256_start",
]
DOWNLOAD_COLUMNS = [
    "batch_id",
    "source",
    "source_label",
    "file_name",
    "rows_in",
    "rows_accepted",
    "rows_rejected",
    "loaded_at",
    "status",
    "rolled_back_at",
    "sha256",
]


def render_history() -> None:
    st.subheader(t("data.history_title"), anchor=False)
    frame = history_frame(cached_query(list_batches))
    if frame.is_empty():
        st.info(t("data.history_empty"), icon=":material/inbox:")
        return
    st.dataframe(frame.select(COLUMNS), hide_index=True, column_config=_column_config(), key="data_history")
    download_buttons(frame.select(DOWNLOAD_COLUMNS), "batch_history", "data_history_dl")
    _undo_controls(frame)


def _batch_option(row: dict) -> str:
    return t(
        "data.batch_option",
        batch=row["batch_id"],
        source=source_label(row["source"]),
        file=row["file_name"],
        rows=format_number(row["rows_accepted"]),
        loaded=_when(row["loaded_at"]),
    )


def _undo_controls(frame: pl.DataFrame) -> None:
    loaded = {r["batch_id"]: r for r in frame.filter(pl.col("status") == "loaded").to_dicts()}
    if not loaded:
        return
    st.markdown(f"**{t('data.undo_title')}**")
    choice_col, undo_col, original_col = st.columns([4, 1, 1], vertical_alignment="bottom")
    # Keyed by the newest batch: after a load the choice starts at that batch, the likeliest to undo.
    batch_id = choice_col.selectbox(
        t("data.undo_choose"),
        list(loaded),
        key=f"data_undo_choice_{max(loaded)}",
        format_func=lambda b: _batch_option(loaded[b]),
    )
    if batch_id is None:
        return
    if undo_col.button(t("data.undo_button"), key="data_undo", icon=":material/undo:", width="stretch"):
        session.ask_undo(batch_id)
    archive = Path(loaded[batch_id]["archive_path"] or "")
    original_col.download_button(
        t("data.download_original"),
        data=lambda: archive.read_bytes(),
        file_name=loaded[batch_id]["file_name"],
        key="data_original",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
        disabled=not archive.is_file(),
        help=t("data.original_help") if archive.is_file() else t("data.original_missing"),
    )
    pending = session.pending_undo()
    if pending is not None and pending in loaded:
        _confirm_undo(loaded[pending], frame)


def _dependants_warning(batch: dict, frame: pl.DataFrame) -> str | None:
    """Undoing a client list leaves other data of those clients without segment, unit and grade."""
    if batch["source"] != _CLIENT_LIST:
        return None
    others = frame.filter((pl.col("status") == "loaded") & (pl.col("source") != _CLIENT_LIST))
    return t("data.undo_clients_warning") if others.height else None


def _confirm_undo(batch: dict, frame: pl.DataFrame) -> None:
    @st.dialog(t("data.undo_dialog_title", batch=batch["batch_id"]), on_dismiss=session.cancel_undo)
    def dialog() -> None:
        table = source_spec(batch["source"], service_model()).table
        st.markdown(
            t(
                "data.undo_dialog_text",
                rows=format_number(batch["rows_accepted"]),
                file=escape_markdown(batch["file_name"]),
                source=source_label(batch["source"]),
                loaded=_when(batch["loaded_at"]),
                table=table,
            )
        )
        warning = _dependants_warning(batch, frame)
        if warning:
            st.warning(warning, icon=":material/warning:")
        yes, no = st.columns(2)
        if yes.button(
            t("data.undo_confirm", batch=batch["batch_id"]),
            key="data_undo_confirm",
            type="primary",
            icon=":material/undo:",
            width="stretch",
        ):
            try:
                with st.spinner(t("data.undo_running")):
                    session.record(undo_batch(int(batch["batch_id"])))
            except AccessDenied as denied:  # a dialog reruns on its own, outside the shell's guard
                st.error(
                    t(
                        "access.action_refused",
                        needed=role_label(denied.needed),
                        role=role_label(denied.actual),
                    ),
                    icon=":material/block:",
                )
                return
            session.cancel_undo()
            st.rerun()
        if no.button(t("data.undo_keep"), key="data_undo_keep", width="stretch"):
            session.cancel_undo()
            st.rerun()

    dialog()
