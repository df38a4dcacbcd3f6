"""One uploaded file on the Data page, top to bottom: what it is (type, encoding, separator — each
detected and changeable), whether it is already loaded, the column mapping, then the validation
report and the load / cancel decision (data_review.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app.ui.context import service_model
from app.ui.i18n import format_number, t
from app.ui.safe_text import escape_markdown
from app.ui.views import data_files as files
from app.ui.views import data_session as session
from app.ui.views.data_mapping import MappingChoice, needs_attention, render_mapping
from pipelines.detect import CONFIDENT
from pipelines.readers import ReadResult
from pipelines.sources import SOURCES, source_spec
from pipelines.validate import ValidationResult


@dataclass(frozen=True)
class StagedFile:
    """A file whose mapping is complete and whose validation ran: what the review and load need."""

    upload: files.Upload
    read: ReadResult
    read_inputs: tuple
    source: str
    choice: MappingChoice
    validation: ValidationResult

    @property
    def is_clean(self) -> bool:
        return (
            not self.validation.fatal
            and self.validation.problems.is_empty()
            and self.validation.good.height > 0
        )

    def waits_for_clients(self, client_column: str | None) -> bool:
        """Its only problems are client ids missing from the client list (a staged list may add them)."""
        v = self.validation
        return (
            bool(client_column)
            and not v.fatal
            and not v.problems.is_empty()
            and set(v.problems["column"].unique().to_list()) == {client_column}
        )


def format_size(n_bytes: int) -> str:
    for key, size in (("data.unit_gb", 1e9), ("data.unit_mb", 1e6), ("data.unit_kb", 1e3)):
        if n_bytes >= size:
            return f"{format_number(n_bytes / size, 1)} {t(key)}"
    return f"{n_bytes} {t('data.unit_b')}"


def source_label(source: str) -> str:
    return t(f"data.source.{source}")


def remove_button(upload: files.Upload, label_key: str = "data.remove") -> None:
    if st.button(t(label_key), key=f"data_remove_{upload.file_id}", icon=":material/close:"):
        session.dismiss(upload.file_id)
        st.rerun()


def read_all_with_progress(uploads: list[files.Upload]) -> None:
    """Read every new file (and detect its type) under one progress bar, before the cards render."""
    todo = [
        u
        for u in uploads
        if not files.unsupported_type_message(u)
        and not files.is_remembered("read", u.file_id, read_inputs_of(u))
    ]
    if not todo:
        return
    bar = st.progress(0.0)
    for i, upload in enumerate(todo):
        bar.progress(
            (i + 0.1) / len(todo),
            text=t(
                "data.progress_reading",
                file=escape_markdown(upload.name),
                size=format_size(upload.size),
                i=i + 1,
                n=len(todo),
            ),
        )
        with st.spinner(t("data.elapsed"), show_time=True):  # a workbook gives no progress while it opens
            read = files.read_upload(upload, *read_inputs_of(upload))
            if isinstance(read, ReadResult):
                files.detected_source(upload, read)
    bar.empty()


def read_inputs_of(upload: files.Upload) -> tuple[str, str]:
    """The encoding and separator chosen in the file's card (auto until the analyst changes them)."""
    return (
        st.session_state.get(f"data_encoding_{upload.file_id}", "auto"),
        st.session_state.get(f"data_separator_{upload.file_id}", "auto"),
    )


def chosen_source(upload: files.Upload) -> str | None:
    """The type the analyst chose for the file, else the detected one (None before it is read)."""
    key = f"data_source_{upload.file_id}"
    if key in st.session_state:
        return st.session_state[key]
    read = (
        files.read_upload(upload, *read_inputs_of(upload))
        if files.is_remembered("read", upload.file_id, read_inputs_of(upload))
        else None
    )
    return files.detected_source(upload, read)[0] if isinstance(read, ReadResult) else None


def _format_caption(read: ReadResult, upload: files.Upload) -> str:
    parts = [t("data.read_rows", rows=format_number(read.frame.height), columns=read.frame.width)]
    if upload.is_workbook:
        parts.append(t("data.read_workbook"))
    else:
        parts.append(t("data.read_encoding", encoding=read.encoding))
        parts.append(t("data.read_separator", separator=t(f"data.sep.{_separator_name(read.separator)}")))
    parts.append(t("data.read_header_row", row=read.header_row))
    parts.append(t("data.file_size", size=format_size(upload.size), sha=upload.sha256[:12]))
    return " · ".join(parts)


def _separator_name(separator: str | None) -> str:
    return next(
        (name for name, sep in files.SEPARATORS.items() if sep == separator and name != "auto"), "other"
    )


def _choose_source(column, upload: files.Upload, read: ReadResult) -> str | None:
    detected, confidence = files.detected_source(upload, read)
    key = f"data_source_{upload.file_id}"
    if key not in st.session_state:
        st.session_state[key] = detected
    source = column.selectbox(
        t("data.source"),
        SOURCES,
        key=key,
        format_func=source_label,
        placeholder=t("data.source_placeholder"),
        help=t("data.source_help"),
    )
    if detected is None:
        column.caption(f":orange[{t('data.detect_none')}]")
    elif source != detected:
        column.caption(t("data.detect_overridden", source=source_label(detected)))
    elif confidence >= CONFIDENT:
        column.caption(t("data.detect_sure", confidence=format_number(100 * confidence)))
    else:
        column.caption(f":orange[{t('data.detect_unsure', confidence=format_number(100 * confidence))}]")
    return source


def _title(upload: files.Upload) -> None:
    icon = ":material/table_view:" if upload.is_workbook else ":material/description:"
    st.markdown(f"#### {icon} {escape_markdown(upload.name)}")


def render_card(upload: files.Upload) -> StagedFile | None:
    """The file's settings and mapping; returns it validated once the mapping is complete."""
    _title(upload)
    problem = files.unsupported_type_message(upload)
    if problem:
        st.error(problem, icon=":material/block:")
        remove_button(upload)
        return None
    source_col, encoding_col, separator_col = st.columns([2, 1, 1])
    encoding = encoding_col.selectbox(
        t("data.encoding"),
        files.ENCODINGS,
        key=f"data_encoding_{upload.file_id}",
        disabled=upload.is_workbook,
        format_func=lambda e: t("data.auto") if e == "auto" else e,
        help=t("data.encoding_help"),
    )
    separator = separator_col.selectbox(
        t("data.separator"),
        list(files.SEPARATORS),
        key=f"data_separator_{upload.file_id}",
        disabled=upload.is_workbook,
        format_func=lambda s: t(f"data.sep.{s}"),
    )
    read = files.read_upload(upload, encoding, separator)
    if isinstance(read, str):
        st.error(escape_markdown(read), icon=":material/error:")
        if not upload.is_workbook:
            st.caption(t("data.read_hint"))
        remove_button(upload)
        return None
    source = _choose_source(source_col, upload, read)
    st.caption(_format_caption(read, upload))
    if source is None:
        st.info(t("data.choose_source"), icon=":material/help:")
        remove_button(upload)
        return None
    already = files.loaded_batch(upload, source)
    if already:
        st.info(
            t(
                "data.already_loaded",
                file=escape_markdown(upload.name),
                batch=already[0],
                loaded=f"{already[1]:%Y-%m-%d %H:%M}",
                source=source_label(source),
            ),
            icon=":material/inventory:",
        )
        remove_button(upload)
        return None
    spec = source_spec(source, service_model())
    read_inputs = (encoding, separator)
    with st.expander(
        t("data.map_title", source=source_label(source)),
        expanded=needs_attention(read, spec),
        icon=":material/swap_horiz:",
    ):
        choice = render_mapping(upload, read, read_inputs, spec)
    if not choice.is_complete:
        st.warning(t("data.map_incomplete"), icon=":material/rule:")
        remove_button(upload, "data.cancel")
        return None
    validation = _validate_with_progress(upload, read, read_inputs, source, choice)
    return StagedFile(upload, read, read_inputs, source, choice, validation)


def _validate_with_progress(
    upload: files.Upload, read: ReadResult, read_inputs: tuple, source: str, choice: MappingChoice
) -> ValidationResult:
    inputs = files.validation_inputs(read_inputs, source, choice.mapping)
    if files.is_remembered("validate", upload.file_id, inputs):
        return files.validate_upload(upload, read, read_inputs, source, choice.mapping)
    bar = st.progress(0.5, text=t("data.progress_validating", rows=format_number(read.frame.height)))
    with st.spinner(t("data.elapsed"), show_time=True):
        validation = files.validate_upload(upload, read, read_inputs, source, choice.mapping)
    bar.empty()
    return validation
