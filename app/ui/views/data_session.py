"""Per-session state of the Data page: files the analyst has finished with, the outcomes of this
session's loads and undos, the pending undo confirmation, and the uploader's round.

A file uploader cannot drop one file programmatically, so a loaded or cancelled file is hidden
here; once every file in the uploader is done, the uploader gets a new key and starts empty.
"""

from __future__ import annotations

import streamlit as st

from app.ui.views.data_actions import ActionOutcome

_DISMISSED_KEY = "_data_dismissed"
_OUTCOMES_KEY = "_data_outcomes"
_ROUND_KEY = "_data_uploader_round"
_UNDO_KEY = "_data_undo_pending"
MAX_OUTCOMES = 8


def uploader_key() -> str:
    return f"data_upload_{st.session_state.get(_ROUND_KEY, 0)}"


def dismiss(file_id: str) -> None:
    st.session_state.setdefault(_DISMISSED_KEY, set()).add(file_id)


def is_dismissed(file_id: str) -> bool:
    return file_id in st.session_state.get(_DISMISSED_KEY, set())


def start_new_round_when_done(file_ids: list[str]) -> None:
    """All files of the uploader are loaded or cancelled: give the analyst an empty uploader."""
    if file_ids and all(is_dismissed(f) for f in file_ids):
        st.session_state[_ROUND_KEY] = st.session_state.get(_ROUND_KEY, 0) + 1
        st.session_state[_DISMISSED_KEY] = set()


def record(outcome: ActionOutcome) -> None:
    """Keep what happened for the next run (the page reruns after a write so every figure is new)."""
    history = st.session_state.setdefault(_OUTCOMES_KEY, [])
    history.insert(0, outcome)
    del history[MAX_OUTCOMES:]


def outcomes() -> list[ActionOutcome]:
    return list(st.session_state.get(_OUTCOMES_KEY, []))


def clear_outcomes() -> None:
    st.session_state[_OUTCOMES_KEY] = []


def ask_undo(batch_id: int) -> None:
    st.session_state[_UNDO_KEY] = batch_id


def pending_undo() -> int | None:
    return st.session_state.get(_UNDO_KEY)


def cancel_undo() -> None:
    st.session_state.pop(_UNDO_KEY, None)
