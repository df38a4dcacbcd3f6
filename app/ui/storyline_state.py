"""Session glue for storylines: which storyline this session works on, the write check, and
one-shot messages after an action (callbacks run before the page, so they leave a note for it).

Storylines are shared content in the warehouse; writing them (add, edit, reorder, delete) needs the
analyst role, like every other write in CX Lens. Viewers can still present and export them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from app.auth.guard import can, require_role
from app.auth.roles import AccessDenied, Role
from app.ui.context import cursor
from app.ui.i18n import t
from app.warehouse.storylines import StorylineError, get_storyline, list_storylines

EDIT_ROLE: Role = "analyst"
CURRENT_KEY = "_cx_storyline"
_FLASH_KEY = "_cx_storyline_flash"
T = TypeVar("T")


def can_edit() -> bool:
    return can(EDIT_ROLE)


def storylines() -> list[tuple[int, str, int]]:
    """(id, title, number of slides), newest first. Not cached: tiny, and edited in this session."""
    return list_storylines(cursor())


def current_storyline_id() -> int | None:
    """The storyline this session last worked on, if it still exists; else the newest one."""
    known = {sid for sid, _, _ in storylines()}
    chosen = st.session_state.get(CURRENT_KEY)
    if chosen in known:
        return chosen
    return next(iter(sid for sid, _, _ in storylines()), None)


def remember_storyline(storyline_id: int | None) -> None:
    st.session_state[CURRENT_KEY] = storyline_id


def load(storyline_id: int | None):
    return get_storyline(cursor(), storyline_id) if storyline_id is not None else None


def write(action: Callable[..., T], *args: object, done: str | None = None, **kwargs: object) -> T | None:
    """Run a storyline write for this session: role check, then the action on this run's cursor.

    Refusals and invalid requests become a message for the next run (never a traceback in a
    callback); `done` is shown as a toast on success.
    """
    try:
        require_role(EDIT_ROLE)
        result = action(cursor(), *args, **kwargs)
    except AccessDenied:
        flash(t("storylines.refused"), "error")
        return None
    except StorylineError as exc:
        flash(str(exc), "error")
        return None
    if done:
        flash(done, "done")
    return result


def flash(message: str, kind: str = "done") -> None:
    st.session_state[_FLASH_KEY] = (message, kind)


def show_flash() -> None:
    """Show (once) what the last storyline action left behind."""
    note = st.session_state.pop(_FLASH_KEY, None)
    if not note:
        return
    message, kind = note
    if kind == "error":
        st.error(message, icon=":material/error:")
    else:
        st.toast(message, icon=":material/check_circle:")
