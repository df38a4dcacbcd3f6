""""Add this view": the sidebar button that saves the current page, with its URL parameters
(global filters and page state such as metric= or by=), a title and a takeaway into a storyline.

It lives in the shell's sidebar, so every page takes part without a line of its own: a view is
exactly its address. Pages with a registered slide function (app/ui/slides/registry.py) become
chart slides; others become title-and-takeaway slides with a link to the live page.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from app.ui.i18n import t
from app.ui.pages import PageEntry, page_entry
from app.ui.slides.params import savable
from app.ui.slides.registry import has_slide
from app.ui.storyline_state import (
    can_edit,
    current_storyline_id,
    remember_storyline,
    show_flash,
    storylines,
    write,
)
from app.warehouse.storylines import add_slide, create_storyline

NEW = "new"
STORYLINE_PAGE = "storylines"
PRESENT_PAGE = "present"
# Pages that are about storylines themselves: nothing to add from there.
NOT_ADDABLE: frozenset[str] = frozenset({STORYLINE_PAGE, PRESENT_PAGE})
# Pages that take the whole screen: the shell renders no sidebar, filters or notices around them.
FULL_SCREEN: frozenset[str] = frozenset({PRESENT_PAGE})
_STORY_KEY, _NEW_KEY, _TITLE_KEY, _TAKEAWAY_KEY = (
    "cx_add_view_story", "cx_add_view_new_title", "cx_add_view_title", "cx_add_view_takeaway",
)


def is_full_screen(entry: PageEntry | None) -> bool:
    return entry is not None and entry.url_path in FULL_SCREEN


def current_view_params() -> dict[str, tuple[str, ...]]:
    """The address bar's parameters right now (what the page published in its last run)."""
    return savable({name: tuple(st.query_params.get_all(name)) for name in st.query_params})


def _add(page: str) -> None:
    chosen = st.session_state.get(_STORY_KEY)
    if chosen == NEW or chosen is None:
        title = (st.session_state.get(_NEW_KEY) or "").strip() or t("storylines.default_title", date=date.today())
        chosen = write(create_storyline, title)
        if chosen is None:
            return
    slide_title = st.session_state.get(_TITLE_KEY) or ""
    takeaway = st.session_state.get(_TAKEAWAY_KEY) or ""
    titles = {sid: (name, n) for sid, name, n in storylines()}
    name, count = titles.get(chosen, ("", 0))
    added = write(add_slide, chosen, page, current_view_params(), slide_title, takeaway,
                  done=t("storylines.added", n=count + 1, storyline=name))
    if added is not None:
        remember_storyline(chosen)
        st.session_state[_STORY_KEY] = chosen


def render_add_view(entry: PageEntry | None) -> None:
    """The "Add this view" popover (call inside `with st.sidebar:`); nothing for read-only roles."""
    show_flash()
    if entry is None or entry.url_path in NOT_ADDABLE or not can_edit():
        return
    known = storylines()
    names = {sid: f"{title} · {t('storylines.n_slides', n=n)}" for sid, title, n in known}
    options = [*names, NEW]
    if st.session_state.get(_STORY_KEY) not in options:
        st.session_state[_STORY_KEY] = current_storyline_id() or NEW
    with st.popover(t("storylines.add_view"), icon=":material/add_to_queue:", width="stretch",
                    help=t("storylines.add_view_help")):
        with st.form("cx_add_view", clear_on_submit=True, border=False):
            st.selectbox(t("storylines.storyline"), options, key=_STORY_KEY,
                         format_func=lambda o: names.get(o, t("storylines.new_storyline")))
            st.text_input(t("storylines.new_title"), key=_NEW_KEY, max_chars=200,
                          placeholder=t("storylines.new_title_placeholder"), help=t("storylines.new_title_help"))
            st.text_input(t("storylines.slide_title"), key=_TITLE_KEY, max_chars=200,
                          placeholder=t("storylines.slide_title_placeholder"))
            st.text_area(t("storylines.takeaway"), key=_TAKEAWAY_KEY, max_chars=1000, height=100,
                         placeholder=t("storylines.takeaway_placeholder"))
            st.form_submit_button(t("storylines.add"), type="primary", icon=":material/add:", width="stretch",
                                  on_click=_add, args=(entry.url_path,))
        if not has_slide(entry.url_path):
            st.caption(t("storylines.no_slide_yet"))
        target = page_entry(STORYLINE_PAGE)
        if target is not None and target.path.exists():
            st.page_link(target.file, label=t("storylines.open_editor"), icon=":material/slideshow:")
