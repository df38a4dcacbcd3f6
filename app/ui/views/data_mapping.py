"""Column mapping on the Data page: which column of the file loads into which column of the format.

The table starts from the mapping saved for the source, then the suggestions (exact names, English
and Russian synonyms such as «Оценка» → nps, similarity); the analyst changes any row. Required
columns are marked with * and listed underneath with the header that feeds them, or in red when
none does. Two headers may not feed the same column.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from app.ui.i18n import t
from app.ui.safe_text import escape_markdown
from app.ui.views.data_actions import save_column_mapping
from app.ui.views.data_files import Upload, saved_mapping, starting_mapping
from pipelines.readers import ReadResult
from pipelines.review import mapping_to_save, missing_required, sample_values
from pipelines.sources import SourceSpec

NOT_LOADED = "—"
_REVISION_KEY = "_data_mapping_revision"


@dataclass(frozen=True)
class MappingChoice:
    mapping: dict[str, str | None]  # normalised header -> canonical column (None: not loaded)
    missing: list[str]  # required columns nothing maps to
    clashes: dict[str, list[str]]  # column -> original headers that all map to it
    remember: bool  # save the mapping for this source when the file loads

    @property
    def is_complete(self) -> bool:
        return not self.missing and not self.clashes


def _basis(header: str, column: str | None, saved: dict[str, str]) -> str:
    if column is None:
        return t("data.map_basis_none")
    if saved.get(header) == column:
        return t("data.map_basis_saved")
    if header == column:
        return t("data.map_basis_exact")
    return t("data.map_basis_suggested")


def _editor_frame(read: ReadResult, start: dict[str, str | None], saved: dict[str, str]) -> pl.DataFrame:
    headers = read.frame.columns
    return pl.DataFrame(
        {
            "file_column": [o.strip() or h for h, o in zip(headers, read.original_headers, strict=True)],
            "examples": [sample_values(read, h) for h in headers],
            "target": [start.get(h) or NOT_LOADED for h in headers],
            "basis": [_basis(h, start.get(h), saved) for h in headers],
        }
    )


def needs_attention(read: ReadResult, spec: SourceSpec) -> bool:
    """Open the mapping when a required column is missing or a header rests on a fresh suggestion
    (neither its column's own name nor a mapping saved earlier)."""
    start = starting_mapping(read, spec.name)
    saved = saved_mapping(spec.name)
    return bool(missing_required(spec, start)) or any(
        c != h and saved.get(h) != c for h, c in start.items() if c
    )


def _target_label(spec: SourceSpec):
    required = set(spec.required)

    def label(column: str) -> str:
        if column == NOT_LOADED:
            return t("data.map_not_loaded")
        return f"{column} *" if column in required else column

    return label


def _revision(upload: Upload) -> int:
    return st.session_state.setdefault(_REVISION_KEY, {}).get(upload.file_id, 0)


def reset_editor(upload: Upload) -> None:
    """Start the mapping table over (after saving, or to drop the analyst's edits)."""
    revisions = st.session_state.setdefault(_REVISION_KEY, {})
    revisions[upload.file_id] = revisions.get(upload.file_id, 0) + 1


def render_mapping(upload: Upload, read: ReadResult, read_inputs: tuple, spec: SourceSpec) -> MappingChoice:
    """The mapping table and the required-columns check; returns the analyst's mapping."""
    saved = saved_mapping(spec.name)
    start = starting_mapping(read, spec.name)
    frame = _editor_frame(read, start, saved)
    key = f"data_map_{upload.file_id}_{spec.name}_{hash(read_inputs)}_{_revision(upload)}"
    edited = st.data_editor(
        frame,
        key=key,
        hide_index=True,
        width="stretch",
        disabled=["file_column", "examples", "basis"],
        column_config={
            "file_column": st.column_config.TextColumn(t("data.map_file_column"), width="medium"),
            "examples": st.column_config.TextColumn(t("data.map_examples"), width="medium"),
            "target": st.column_config.SelectboxColumn(
                t("data.map_target"),
                options=[NOT_LOADED, *spec.column_names],
                required=True,
                format_func=_target_label(spec),
                width="medium",
                help=t("data.map_target_help"),
            ),
            "basis": st.column_config.TextColumn(t("data.map_basis"), width="small"),
        },
    )
    targets = (
        edited.get_column("target").to_list() if isinstance(edited, pl.DataFrame) else list(edited["target"])
    )
    mapping = {
        h: (None if c in (None, NOT_LOADED) else c) for h, c in zip(read.frame.columns, targets, strict=True)
    }
    names = dict(zip(read.frame.columns, frame["file_column"].to_list(), strict=True))
    clashes: dict[str, list[str]] = {}
    for header, column in mapping.items():
        if column:
            clashes.setdefault(column, []).append(names[header])
    clashes = {c: hs for c, hs in clashes.items() if len(hs) > 1}
    missing = missing_required(spec, mapping)
    _required_status(spec, mapping, names, missing, clashes)
    remember_col, save_col, reset_col = st.columns([3, 1, 1], vertical_alignment="center")
    remember = remember_col.checkbox(
        t("data.map_remember"),
        value=True,
        key=f"data_remember_{upload.file_id}",
        help=t("data.map_remember_help"),
    )
    changes = mapping_to_save(mapping, saved)
    if save_col.button(
        t("data.map_save"),
        key=f"data_map_save_{upload.file_id}",
        icon=":material/save:",
        disabled=not changes or bool(clashes),
        width="stretch",
        help=t("data.map_save_help"),
    ):
        save_column_mapping(spec.name, changes)
        st.toast(t("data.map_saved", source=spec.name), icon=":material/save:")
        reset_editor(upload)
        st.rerun()
    if reset_col.button(
        t("data.map_reset"),
        key=f"data_map_reset_{upload.file_id}",
        icon=":material/restart_alt:",
        width="stretch",
        help=t("data.map_reset_help"),
    ):
        reset_editor(upload)
        st.rerun()
    return MappingChoice(mapping, missing, clashes, remember)


def _required_status(
    spec: SourceSpec,
    mapping: dict[str, str | None],
    names: dict[str, str],
    missing: list[str],
    clashes: dict[str, list[str]],
) -> None:
    feeds = {c: names[h] for h, c in mapping.items() if c}
    parts = [
        f":green[:material/check: {c} ← «{escape_markdown(feeds[c])}»]"
        if c in feeds
        else f":red[:material/close: {c}]"
        for c in spec.required
    ]
    st.markdown(f"{t('data.map_required')}: " + " · ".join(parts))
    if missing:
        st.error(t("data.map_missing", columns=", ".join(missing)), icon=":material/rule:")
    for column, headers in clashes.items():
        st.error(
            t("data.map_clash", column=column, headers=", ".join(f"«{escape_markdown(h)}»" for h in headers)),
            icon=":material/call_merge:",
        )
