"""Uploaded files on the Data page: read once, detect the format, map, validate — remembered per
browser session, so a rerun (a widget click) never reads a 200,000-row workbook again.

Each expensive step is kept in `st.session_state` under the file's upload id together with the
inputs it was computed from (encoding, separator, source, mapping, the warehouse's data version);
a step runs again only when one of those changes. Files that left the uploader are forgotten.
Nothing here writes to the warehouse (see data_actions.py for the writes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import streamlit as st

from app.ui.context import cursor, data_version, service_model
from app.ui.i18n import t
from app.ui.safe_text import escape_markdown
from pipelines.detect import detect_source
from pipelines.load import find_loaded_batch, prepare_read, resolve_mapping
from pipelines.mapping import load_saved_mapping
from pipelines.readers import ReadError, ReadResult, read_table
from pipelines.validate import ValidationResult

T = TypeVar("T")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
ACCEPTED_SUFFIXES = TEXT_SUFFIXES + WORKBOOK_SUFFIXES
ENCODINGS: tuple[str, ...] = ("auto", "utf-8", "cp1251", "cp866", "koi8-r")
SEPARATORS: dict[str, str | None] = {"auto": None, "comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
_MEMO_KEY = "_data_memo"


@dataclass(frozen=True)
class Upload:
    """One file in the uploader: its bytes and the hash the warehouse knows it by."""

    file_id: str
    name: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    @property
    def is_workbook(self) -> bool:
        return self.suffix in WORKBOOK_SUFFIXES


def _memo(kind: str, file_id: str, inputs: tuple, compute: Callable[[], T]) -> T:
    """The value of `compute()` for these inputs, computed once per file and inputs."""
    store: dict = st.session_state.setdefault(_MEMO_KEY, {})
    held = store.get((kind, file_id))
    if held is not None and held[0] == inputs:
        return held[1]
    value = compute()
    store[(kind, file_id)] = (inputs, value)
    return value


def is_remembered(kind: str, file_id: str, inputs: tuple) -> bool:
    """True when `kind` for these inputs is already computed (so no progress bar is needed)."""
    held = st.session_state.get(_MEMO_KEY, {}).get((kind, file_id))
    return held is not None and held[0] == inputs


def forget_except(file_ids: set[str]) -> None:
    """Drop what was remembered about files no longer in the uploader (their frames can be large)."""
    store: dict = st.session_state.setdefault(_MEMO_KEY, {})
    for key in [k for k in store if k[1] not in file_ids]:
        del store[key]


def uploads_from(files: list) -> list[Upload]:
    """The uploader's files with their sha256 (hashed once per file)."""
    uploads = []
    for file in files:
        data = file.getvalue()
        sha = _memo("sha256", file.file_id, (len(data),), lambda d=data: hashlib.sha256(d).hexdigest())
        uploads.append(Upload(file.file_id, file.name, data, sha))
    return uploads


def unsupported_type_message(upload: Upload) -> str | None:
    """Why a file cannot be loaded from its type alone, or None when it can be tried."""
    if upload.suffix in ACCEPTED_SUFFIXES:
        return None
    if upload.suffix == ".xls":
        return t("data.error_xls", file=escape_markdown(upload.name))
    return t(
        "data.error_type",
        file=escape_markdown(upload.name),
        suffix=escape_markdown(upload.suffix) if upload.suffix else t("data.no_suffix"),
    )


def read_upload(upload: Upload, encoding: str, separator: str) -> ReadResult | str:
    """The file as a table of strings, or the reader's one-sentence reason why it cannot be read."""

    def compute() -> ReadResult | str:
        try:
            return read_table(
                upload.data,
                upload.name,
                encoding=None if encoding == "auto" else encoding,
                separator=SEPARATORS[separator],
            )
        except ReadError as exc:
            return exc.message

    return _memo("read", upload.file_id, (encoding, separator), compute)


def detected_source(upload: Upload, read: ReadResult) -> tuple[str | None, float]:
    headers = tuple(read.frame.columns)
    return _memo(
        "detect", upload.file_id, headers, lambda: detect_source(list(headers), service_model(), upload.name)
    )


def loaded_batch(upload: Upload, source: str) -> tuple | None:
    """(batch_id, loaded_at) when this very file is already loaded for this source."""
    return find_loaded_batch(cursor(), source, upload.sha256)


def saved_mapping(source: str) -> dict[str, str]:
    return load_saved_mapping(cursor(), source)


def starting_mapping(read: ReadResult, source: str) -> dict[str, str | None]:
    """Header → column before the analyst edits: the saved mapping for this source, then suggestions."""
    return resolve_mapping(cursor(), service_model(), source, read.frame.columns)


def validation_inputs(read_inputs: tuple, source: str, mapping: dict[str, str | None]) -> tuple:
    return read_inputs, source, tuple(sorted(mapping.items(), key=lambda kv: kv[0])), data_version()


def validate_upload(
    upload: Upload, read: ReadResult, read_inputs: tuple, source: str, mapping: dict[str, str | None]
) -> ValidationResult:
    """Validation of the mapped file against the warehouse as it is now (re-run after any load)."""
    inputs = validation_inputs(read_inputs, source, mapping)
    return _memo(
        "validate",
        upload.file_id,
        inputs,
        lambda: prepare_read(cursor(), service_model(), source, read, dict(mapping)),
    )
