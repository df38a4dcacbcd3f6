"""The validation report of one staged file and the analyst's decision: load the good rows (with a
progress bar), download the rows left out, or cancel. Nothing is written before "Load" is clicked.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.ui.components import download_buttons
from app.ui.context import cursor, service_model
from app.ui.i18n import current_language, format_number, t
from app.ui.safe_text import escape_markdown
from app.ui.views import data_files as files
from app.ui.views import data_session as session
from app.ui.views.data_actions import ActionOutcome, load_validated_file
from app.ui.views.data_card import StagedFile, source_label
from app.ui.views.data_expected import with_expected_in
from pipelines.review import mapping_to_save, problem_summary, rejected_rows, stored_preview
from pipelines.sources import source_spec

PREVIEW_ROWS = 20
MAX_PROBLEMS_SHOWN = 5_000  # the table in the browser; the download has them all
OUTCOME_KEYS = {
    "loaded": "data.outcome_loaded",
    "already_loaded": "data.outcome_already_loaded",
    "failed": "data.outcome_failed",
    "undone": "data.outcome_undone",
    "cancelled": "data.outcome_cancelled",
    "skipped": "data.outcome_skipped",
}


def _metrics(staged: StagedFile) -> None:
    v = staged.validation
    n_bad = v.n_bad_rows
    cells = st.columns(4)
    cells[0].metric(t("data.m_rows_in"), format_number(v.rows_in), border=True)
    cells[1].metric(t("data.m_good"), format_number(v.good.height), border=True)
    cells[2].metric(t("data.m_bad"), format_number(n_bad), border=True)
    cells[3].metric(t("data.m_problems"), format_number(v.problems.height), border=True)


def _summary_config() -> dict:
    return {
        "column": st.column_config.TextColumn(t("data.p_column")),
        "expected": st.column_config.TextColumn(t("data.p_expected"), width="large"),
        "n_rows": st.column_config.NumberColumn(t("data.p_rows"), format="%d"),
        "first_row": st.column_config.NumberColumn(t("data.p_first_row"), format="%d"),
        "examples": st.column_config.TextColumn(t("data.p_examples")),
    }


def _problems_config() -> dict:
    return {
        "file": None,
        "row": st.column_config.NumberColumn(t("data.p_row"), format="%d"),
        "column": st.column_config.TextColumn(t("data.p_column")),
        "value": st.column_config.TextColumn(t("data.p_value")),
        "expected": st.column_config.TextColumn(t("data.p_expected"), width="large"),
    }


def _problems(staged: StagedFile, client_list_staged: bool) -> None:
    v = staged.validation
    key = f"data_problems_{staged.upload.file_id}"
    problems = with_expected_in(v.problems, current_language())
    if v.fatal:
        reasons = "; ".join(problems["expected"].to_list())
        st.error(
            t("data.fatal", file=escape_markdown(staged.upload.name), reasons=escape_markdown(reasons)),
            icon=":material/block:",
        )
        return
    if v.problems.is_empty():
        st.success(t("data.no_problems", rows=format_number(v.good.height)), icon=":material/check_circle:")
        return
    st.markdown(f"**{t('data.problems_title')}**")
    st.dataframe(
        problem_summary(problems), hide_index=True, column_config=_summary_config(), key=f"{key}_summary"
    )
    client_column = source_spec(staged.source, service_model()).client_column
    if client_list_staged and client_column in problems["column"].to_list():
        st.info(t("data.hint_clients_first"), icon=":material/lightbulb:")
    st.markdown(f"**{t('data.problems_all', n=format_number(problems.height))}**")
    shown = problems.head(MAX_PROBLEMS_SHOWN)
    if problems.height > MAX_PROBLEMS_SHOWN:
        st.caption(t("data.problems_cut", shown=format_number(MAX_PROBLEMS_SHOWN)))
    st.dataframe(
        shown,
        hide_index=True,
        column_config=_problems_config(),
        key=f"{key}_table",
        height="auto" if shown.height <= 10 else 400,
    )


def _preview(staged: StagedFile, expanded: bool) -> None:
    if staged.validation.good.is_empty():
        return
    with st.expander(
        t("data.preview_title", n=PREVIEW_ROWS), expanded=expanded, icon=":material/visibility:"
    ):
        st.caption(t("data.preview_help"))
        frame = stored_preview(cursor(), service_model(), staged.validation, PREVIEW_ROWS)
        st.dataframe(frame, hide_index=True, key=f"data_preview_{staged.upload.file_id}")


def render_review(staged: StagedFile, client_list_staged: bool, single_file: bool) -> None:
    """Metrics, problems, preview and the decision for one file."""
    _metrics(staged)
    _problems(staged, client_list_staged)
    _preview(staged, expanded=single_file)
    _decision(staged)


def _decision(staged: StagedFile) -> None:
    v = staged.validation
    upload = staged.upload
    n_bad = v.n_bad_rows
    can_load = not v.fatal and v.good.height > 0
    if not can_load:
        label = t("data.load_nothing")
    elif n_bad:
        label = t("data.load_some", good=format_number(v.good.height), bad=format_number(n_bad))
    else:
        label = t("data.load_all", good=format_number(v.good.height))
    left, right, _ = st.columns([2, 1, 2])
    clicked = left.button(
        label,
        key=f"data_load_{upload.file_id}",
        type="primary",
        disabled=not can_load,
        icon=":material/upload:",
        width="stretch",
    )
    if right.button(
        t("data.cancel"), key=f"data_cancel_{upload.file_id}", icon=":material/close:", width="stretch"
    ):
        session.dismiss(upload.file_id)
        session.record(ActionOutcome("cancelled", upload.name, staged.source))
        st.rerun()
    if n_bad and not v.fatal:
        st.caption(t("data.rejected_help", bad=format_number(n_bad)))
        problems = with_expected_in(v.problems, current_language())
        download_buttons(
            rejected_rows(staged.read, problems),
            f"{Path(upload.name).stem}_rejected",
            f"data_rejected_{upload.file_id}",
        )
    if clicked:
        load_now(staged)
        st.rerun()


def progress_bar(good_rows: int):
    """A progress bar and the callback write_batch reports to (its own messages are English)."""
    bar = st.progress(0.0, text=t("data.progress_checking"))

    def report(fraction: float, message: str) -> None:
        if fraction >= 1:
            text = t("data.progress_done")
        elif fraction >= 0.75:
            text = t("data.progress_rebuilding")
        else:
            text = t("data.progress_writing", rows=format_number(good_rows))
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    return report


def load_now(staged: StagedFile, only_if_clean: bool = False) -> ActionOutcome:
    """Validate against the warehouse as it is this instant, then write; record what happened.

    With `only_if_clean` ("Load all"), a file that still has problems after the files before it
    loaded is skipped and stays on the page for the analyst to decide."""
    report = progress_bar(staged.validation.good.height)
    validation = files.validate_upload(
        staged.upload, staged.read, staged.read_inputs, staged.source, staged.choice.mapping
    )
    if only_if_clean and (validation.fatal or not validation.problems.is_empty()):
        outcome = ActionOutcome(
            "skipped", staged.upload.name, staged.source, rows_left_out=validation.n_bad_rows
        )
        session.record(outcome)
        return outcome
    report(0.4, "validated")
    to_save = None
    if staged.choice.remember:
        to_save = mapping_to_save(staged.choice.mapping, files.saved_mapping(staged.source)) or None
    with st.spinner(t("data.elapsed"), show_time=True):  # the mart rebuild reports no progress of its own
        outcome = load_validated_file(staged.upload, validation, report, to_save)
    session.record(outcome)
    if outcome.status in ("loaded", "already_loaded"):
        session.dismiss(staged.upload.file_id)
    return outcome


def outcome_text(outcome: ActionOutcome) -> str:
    fields = {
        "file": escape_markdown(outcome.file_name),
        "source": source_label(outcome.source) if outcome.source else "",
        "batch": outcome.batch_id,
        "rows": format_number(outcome.rows),
        "bad": format_number(outcome.rows_left_out),
        "error": escape_markdown(outcome.error or ""),
    }
    key = OUTCOME_KEYS[outcome.status]
    if outcome.status == "loaded" and outcome.rows_left_out:
        key = "data.outcome_loaded_some"
    return t(key, **fields)
