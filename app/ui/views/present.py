"""Presentation mode: a storyline on the projector, one saved view per screen.

Full screen (the shell draws no sidebar around this page, and the CSS below hides Streamlit's own
chrome), projector-size type and charts (app.ui.charts.projector), next/previous by button and
keyboard, a slide counter, and the current slide's filters changed live and reset.

Keyboard: Streamlit's own button shortcuts (st.button(shortcut=…)), which ignore keys typed into
inputs: → / PageDown next, ← / PageUp previous, Home / End first / last, B blank screen (presentation
clickers send PageUp/PageDown, some send the arrows). URL: ?story=<id>&slide=<n, from 1>.
"""

from __future__ import annotations

import streamlit as st

from app.ui import url_state
from app.ui.components import empty_state, page_header
from app.ui.i18n import current_language, t
from app.ui.pages import page_entry
from app.ui.storyline_state import current_storyline_id, load, remember_storyline, show_flash
from app.ui.views.present_filters import live_params, render_filter_controls
from app.ui.views.present_slide import render_slide
from app.warehouse.storylines import Storyline

STORY_PARAM, SLIDE_PARAM = "story", "slide"
_INDEX_KEY = "present_index_{story}"
_BLANK_KEY = "present_blank"

# Projector chrome: no sidebar, header, toolbar or decoration; the page uses the whole screen.
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.9rem 2.6rem 0.6rem 2.6rem !important; max-width: 100% !important; }
[data-testid="stMain"] { margin-left: 0 !important; }
.st-key-present_keys { display: none !important; }
.st-key-present_bar { font-size: 1.05rem; color: #5F6B76; border-bottom: 1px solid #E6E8EB; padding-bottom: 0.35rem; }
.st-key-present_bar button p, .st-key-present_bar a p { font-size: 1.15rem; }
.st-key-present_bar button { min-height: 2.6rem; }
[data-testid="stPopoverBody"] { min-width: 36rem; }
[data-testid="stPopoverBody"] p, [data-testid="stPopoverBody"] span, [data-testid="stPopoverBody"] input,
[data-testid="stPopoverBody"] [data-baseweb="select"] div { font-size: 1.3rem !important; }
.cx-counter { font-size: 1.45rem; font-weight: 700; color: #1F2328; min-width: 5.5rem; text-align: center; }
.cx-story { font-size: 1.15rem; color: #5F6B76; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.cx-blank { position: fixed; inset: 0; background: #000; z-index: 999990; color: #333; display: flex;
            align-items: flex-end; justify-content: center; padding-bottom: 1rem; font-size: 1rem; }
</style>
"""


def _storyline() -> Storyline | None:
    incoming = st.query_params.get(STORY_PARAM)
    story_id = int(incoming) if incoming and incoming.isdigit() else current_storyline_id()
    story = load(story_id)
    if story is None and incoming:
        story = load(current_storyline_id())
    return story


def _index(story: Storyline) -> int:
    """The slide shown (0-based): the URL's slide= when it came from outside, else this session's."""
    key = _INDEX_KEY.format(story=story.storyline_id)
    incoming = st.query_params.get(SLIDE_PARAM)
    published = url_state.published_params().get(SLIDE_PARAM)
    if incoming and incoming.isdigit() and [incoming] != published:
        st.session_state[key] = int(incoming) - 1
    index = max(0, min(len(story.slides) - 1, int(st.session_state.get(key, 0))))
    st.session_state[key] = index
    return index


def _go(story: Storyline, index: int) -> None:
    st.session_state[_INDEX_KEY.format(story=story.storyline_id)] = max(0, min(len(story.slides) - 1, index))
    st.session_state[_BLANK_KEY] = False


def _toggle_blank() -> None:
    st.session_state[_BLANK_KEY] = not st.session_state.get(_BLANK_KEY, False)


def _keys(story: Storyline, index: int) -> None:
    """Invisible buttons that only carry keyboard shortcuts (clickers send PageUp/PageDown)."""
    last = len(story.slides) - 1
    with st.container(key="present_keys"):
        st.button("next", key="present_pgdn", shortcut="PageDown", on_click=_go, args=(story, index + 1))
        st.button("previous", key="present_pgup", shortcut="PageUp", on_click=_go, args=(story, index - 1))
        st.button("first", key="present_home", shortcut="Home", on_click=_go, args=(story, 0))
        st.button("last", key="present_end", shortcut="End", on_click=_go, args=(story, last))
        st.button("blank", key="present_blank_key", shortcut="B", on_click=_toggle_blank)


def _top_bar(story: Storyline, index: int) -> None:
    total = len(story.slides)
    slide = story.slides[index]
    with st.container(key="present_bar", horizontal=True, vertical_alignment="center", gap="small"):
        st.html(f'<div class="cx-story">{_escape(story.title)}</div>', width="stretch")
        render_filter_controls(slide)
        st.button(t("present.previous"), key="present_prev", icon=":material/chevron_left:", shortcut="Left",
                  disabled=index == 0, on_click=_go, args=(story, index - 1))
        st.html(f'<div class="cx-counter" data-testid="cx-slide-counter">{index + 1} / {total}</div>',
                width="content")
        st.button(t("present.next"), key="present_next", icon=":material/chevron_right:", icon_position="right",
                  shortcut="Right", disabled=index == total - 1, on_click=_go, args=(story, index + 1))
        editor = page_entry("storylines")
        if editor is not None:
            st.page_link(editor.file, label=t("present.exit"), icon=":material/close:",
                         query_params={"story": str(story.storyline_id)})


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def render() -> None:
    st.html(CSS)
    show_flash()
    story = _storyline()
    if story is None or not story.slides:
        page_header(t("present.title"), t("present.subtitle"))
        empty_state(t("present.nothing") if story is None else t("storylines.empty"), t("storylines.none_hint"))
        editor = page_entry("storylines")
        if editor is not None:
            st.page_link(editor.file, label=t("present.to_editor"), icon=":material/slideshow:")
        return
    remember_storyline(story.storyline_id)
    index = _index(story)
    url_state.publish(STORY_PARAM, str(story.storyline_id))
    url_state.publish(SLIDE_PARAM, str(index + 1), default="1")
    _keys(story, index)
    if st.session_state.get(_BLANK_KEY):
        st.html(f'<div class="cx-blank">{_escape(t("present.blank_hint"))}</div>')
    _top_bar(story, index)
    slide = story.slides[index]
    render_slide(slide, live_params(slide), current_language())
