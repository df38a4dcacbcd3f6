"""Storylines page: choose, rename, delete a storyline; order, retitle and annotate its slides;
present it; download it as PowerPoint or PDF.

URL: ?story=<id>. Writes need the analyst role (app.ui.storyline_state); viewers see, present and
export.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from app.export.storyline_deck import file_stem, storyline_pdf, storyline_pptx
from app.ui import url_state
from app.ui.components import empty_state, page_header
from app.ui.context import cursor, service_model
from app.ui.i18n import current_language, t
from app.ui.pages import page_entry
from app.ui.storyline_state import (
    can_edit,
    current_storyline_id,
    load,
    remember_storyline,
    show_flash,
    storylines,
    write,
)
from app.ui.views.storyline_slides import render_slides
from app.warehouse.storylines import Storyline, create_storyline, delete_storyline, rename_storyline

STORY_PARAM = "story"
_PICK_KEY = "storylines_pick"


def app_base_url() -> str | None:
    """scheme://host[:port][/base] of the running app, for links in exported speaker notes."""
    url = st.context.url
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}"


def _pick(known: list[tuple[int, str, int]]) -> int:
    ids = [sid for sid, _, _ in known]
    names = {sid: f"{title} · {t('storylines.n_slides', n=n)}" for sid, title, n in known}
    incoming = st.query_params.get(STORY_PARAM)
    if incoming and incoming.isdigit() and int(incoming) in ids:
        st.session_state[_PICK_KEY] = int(incoming)
    if st.session_state.get(_PICK_KEY) not in ids:
        st.session_state[_PICK_KEY] = current_storyline_id() or ids[0]
    chosen = st.selectbox(t("storylines.storyline"), ids, key=_PICK_KEY, format_func=names.get)
    url_state.publish(STORY_PARAM, str(chosen))
    remember_storyline(chosen)
    return chosen


def _new_storyline() -> None:
    title = st.session_state.get("storylines_new_title", "")
    created = write(create_storyline, title, done=t("storylines.created", storyline=title.strip()))
    if created is not None:
        st.session_state[_PICK_KEY] = created
        remember_storyline(created)


def _delete(storyline_id: int) -> None:
    write(delete_storyline, storyline_id, done=t("storylines.deleted"))
    st.session_state.pop(_PICK_KEY, None)
    remember_storyline(None)
    st.query_params.pop(STORY_PARAM, None)


def _manage(story: Storyline | None) -> None:
    with st.popover(t("storylines.manage"), icon=":material/edit_note:"):
        with st.form("storylines_new", clear_on_submit=True, border=False):
            st.text_input(t("storylines.new_title"), key="storylines_new_title", max_chars=200)
            st.form_submit_button(t("storylines.create"), icon=":material/add:", on_click=_new_storyline)
        if story is None:
            return
        st.divider()
        key = f"storylines_rename_{story.storyline_id}"
        st.session_state.setdefault(key, story.title)
        st.text_input(t("storylines.rename"), key=key, max_chars=200,
                      on_change=lambda: write(rename_storyline, story.storyline_id, st.session_state[key]))
        st.button(t("storylines.delete", storyline=story.title), icon=":material/delete:", type="tertiary",
                  key=f"storylines_delete_{story.storyline_id}", on_click=_delete, args=(story.storyline_id,))


def _present_and_export(story: Storyline) -> None:
    model, lang, base = service_model(), current_language(), app_base_url()
    has_slides = bool(story.slides)
    present = page_entry("present")
    if present is not None and st.button(t("storylines.present"), type="primary", icon=":material/play_arrow:",
                                         disabled=not has_slides, key="storylines_present"):
        st.switch_page(present.file, query_params={"story": str(story.storyline_id)})
    stem = file_stem(story.title)
    st.download_button(
        t("storylines.download_pptx"), data=lambda: storyline_pptx(cursor(), model, story, lang, base_url=base),
        file_name=f"{stem}.pptx", disabled=not has_slides, key="storylines_pptx", icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation", on_click="ignore",
    )
    st.download_button(
        t("storylines.download_pdf"), data=lambda: storyline_pdf(cursor(), model, story, lang, base_url=base),
        file_name=f"{stem}.pdf", mime="application/pdf", disabled=not has_slides, key="storylines_pdf",
        icon=":material/download:", on_click="ignore",
    )


def render() -> None:
    page_header(t("storylines.title"), t("storylines.subtitle"))
    show_flash()
    known = storylines()
    if not known:
        empty_state(t("storylines.none"), t("storylines.none_hint"))
        if can_edit():
            _manage(None)
        return
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        chosen = _pick(known)
        story = load(chosen)
        if story is not None:
            _present_and_export(story)
        if can_edit():
            _manage(story)
    if story is None:
        return
    if not story.slides:
        empty_state(t("storylines.empty"), t("storylines.none_hint"))
        return
    render_slides(story, can_edit())
