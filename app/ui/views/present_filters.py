"""Live filters in presentation mode: "and for Energy?" without leaving the slide.

Each slide keeps its own live filters for the session (start: the filters saved with the view), so
stepping back and forth keeps what the room asked for; Reset returns to the saved view, and an
analyst can save the live filters into the slide. The saved view itself changes only on Save.
"""

from __future__ import annotations

import streamlit as st

from app.ui import url_state
from app.ui.context import cached_query, service_model
from app.ui.filters import LANGUAGE_NAMES
from app.ui.i18n import LANG_KEY, LANGUAGES, current_language, t
from app.ui.slides.params import filters_from_params, with_filters
from app.ui.storyline_state import can_edit, write
from app.warehouse.filters import DIMENSIONS, Filters
from app.warehouse.scores import available_periods
from app.warehouse.storylines import Slide, update_slide

_PERIODS = ("from", "to")


def _key(slide: Slide, name: str) -> str:
    return f"present_f_{slide.slide_id}_{name}"


def _saved(slide: Slide, periods: list[str]) -> Filters:
    return filters_from_params(slide.params, service_model(), periods)


def _seed(slide: Slide, periods: list[str]) -> None:
    """Start each widget from the saved view the first time the slide is shown in this session."""
    saved = _saved(slide, periods)
    if periods:
        st.session_state.setdefault(_key(slide, "from"), saved.period_from)
        st.session_state.setdefault(_key(slide, "to"), saved.period_to)
    for dimension in DIMENSIONS:
        st.session_state.setdefault(_key(slide, dimension), list(saved.selected(dimension)))


def live_filters(slide: Slide, periods: list[str]) -> Filters:
    _seed(slide, periods)
    first, last = (st.session_state.get(_key(slide, p)) for p in _PERIODS)
    allowed = service_model()
    chosen = {d: tuple(v for v in st.session_state.get(_key(slide, d), []) if v in allowed.option_ids(d))
              for d in DIMENSIONS}
    return Filters(period_from=first if first in periods else None, period_to=last if last in periods else None,
                   **chosen)


def live_params(slide: Slide) -> dict[str, tuple[str, ...]]:
    """The slide's saved parameters with the live filters in place of the saved ones."""
    periods = cached_query(available_periods)
    return with_filters(slide.params, live_filters(slide, periods), periods)


def is_changed(slide: Slide, periods: list[str]) -> bool:
    return live_filters(slide, periods) != _saved(slide, periods)


def reset(slide: Slide) -> None:
    for name in (*_PERIODS, *DIMENSIONS):
        st.session_state.pop(_key(slide, name), None)


def _save(slide: Slide) -> None:
    write(update_slide, slide.slide_id, params=live_params(slide), done=t("present.filters_saved"))
    reset(slide)


def _widgets(slide: Slide, periods: list[str]) -> None:
    model, lang = service_model(), current_language()
    if periods:
        left, right = st.columns(2)
        left.selectbox(t("filters.period_from"), periods, key=_key(slide, "from"))
        right.selectbox(t("filters.period_to"), periods, key=_key(slide, "to"))
    for dimension in DIMENSIONS:
        st.multiselect(t(f"filters.{dimension}"), model.option_ids(dimension), key=_key(slide, dimension),
                       format_func=lambda option, d=dimension: model.label(d, option, lang),
                       placeholder=t("filters.all"))


def render_filter_controls(slide: Slide) -> None:
    """The "Filters" popover of the top bar, and Reset when the slide differs from its saved view."""
    periods = cached_query(available_periods)
    _seed(slide, periods)
    changed = is_changed(slide, periods)
    label = t("present.filters_changed") if changed else t("present.filters")
    with st.popover(label, icon=":material/filter_alt:", type="primary" if changed else "secondary"):
        _widgets(slide, periods)
        if changed and can_edit():
            st.button(t("present.save_filters"), key=f"present_save_{slide.slide_id}", icon=":material/save:",
                      on_click=_save, args=(slide,), help=t("present.save_filters_help"))
        lang = st.segmented_control(t("filters.language"), LANGUAGES, key=LANG_KEY, format_func=LANGUAGE_NAMES.get,
                                    required=True, persist_state="session")
        url_state.publish(LANG_KEY, lang, default=service_model().settings.language)
    if changed:
        st.button(t("present.reset"), key=f"present_reset_{slide.slide_id}", icon=":material/restart_alt:",
                  on_click=reset, args=(slide,), help=t("present.reset_help"))
