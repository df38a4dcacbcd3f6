"""The global filters in the sidebar, mirrored in the URL, returned as one `Filters` value.

streamlit_app.py calls `seed_global_state` before building the navigation (so the language of the
menu follows `?lang=`), then `render_global_filters` in the sidebar; pages read the result with
`current_filters()`. URL parameters: from, to (quarters), bu, segment, status, grade, role, lang —
all plain ids, repeated for several values (`?bu=machinery&bu=energy`).
"""

from __future__ import annotations

import streamlit as st

from app.service_model import ServiceModel
from app.ui import url_state
from app.ui.i18n import LANG_KEY, LANGUAGES, current_language, t
from app.warehouse.filters import DIMENSIONS, Filters

URL_PARAMS: dict[str, str] = {
    "business_units": "bu",
    "segments": "segment",
    "statuses": "status",
    "grades": "grade",
    "respondent_roles": "role",
}
PERIOD_FROM_PARAM, PERIOD_TO_PARAM = "from", "to"
PERIOD_KEYS = ("filter_period_from", "filter_period_to")
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
_FILTERS_STATE_KEY = "_cx_filters"


def _widget_key(dimension: str) -> str:
    return f"filter_{dimension}"


def seed_global_state(model: ServiceModel, periods: list[str]) -> None:
    """Adopt the URL's language and filters into session state (validated) before anything renders."""
    notices = url_state.seed_single(LANG_KEY, LANG_KEY, LANGUAGES, model.settings.language)
    for dimension in DIMENSIONS:
        allowed = model.option_ids(dimension)
        notices += url_state.seed_multi(_widget_key(dimension), URL_PARAMS[dimension], allowed)
    if periods:
        notices += url_state.seed_single(PERIOD_KEYS[0], PERIOD_FROM_PARAM, periods, periods[0])
        notices += url_state.seed_single(PERIOD_KEYS[1], PERIOD_TO_PARAM, periods, periods[-1])
    url_state.add_notices(notices)


def _reset(model: ServiceModel, periods: list[str]) -> None:
    for dimension in DIMENSIONS:
        st.session_state[_widget_key(dimension)] = []
    if periods:
        st.session_state[PERIOD_KEYS[0]], st.session_state[PERIOD_KEYS[1]] = periods[0], periods[-1]
    url_state.clear_notices()


def render_language_selector(default: str = "en") -> str:
    lang = st.segmented_control(
        t("filters.language"),
        LANGUAGES,
        key=LANG_KEY,
        format_func=LANGUAGE_NAMES.get,
        required=True,
        label_visibility="collapsed",
        persist_state="session",
    )
    url_state.publish(LANG_KEY, lang, default=default)
    return lang or current_language()


def _render_period(periods: list[str]) -> tuple[str | None, str | None]:
    if not periods:
        return None, None
    first, last = (st.session_state[k] for k in PERIOD_KEYS)
    if first > last:
        st.session_state[PERIOD_KEYS[0]], st.session_state[PERIOD_KEYS[1]] = last, first
    left, right = st.columns(2)
    # persist_state: full-screen pages (presentation mode) draw no sidebar; the filters must survive them.
    first = left.selectbox(t("filters.period_from"), periods, key=PERIOD_KEYS[0], on_change=url_state.clear_notices,
                           persist_state="session")
    right.selectbox(t("filters.period_to"), periods, key=PERIOD_KEYS[1], on_change=url_state.clear_notices,
                    persist_state="session")
    last = st.session_state[PERIOD_KEYS[1]]
    if first > last:
        first, last = last, first
    url_state.publish(PERIOD_FROM_PARAM, first, default=periods[0])
    url_state.publish(PERIOD_TO_PARAM, last, default=periods[-1])
    return first, last


def render_global_filters(model: ServiceModel, periods: list[str]) -> Filters:
    """The filter widgets (call inside `with st.sidebar:`); returns and remembers the Filters."""
    lang = current_language()
    head, reset = st.columns([3, 2], vertical_alignment="center")
    head.markdown(f"**{t('filters.title')}**")
    reset.button(
        t("filters.reset"), on_click=_reset, args=(model, periods), type="tertiary", key="filter_reset",
        icon=":material/restart_alt:",
    )
    period_from, period_to = _render_period(periods)
    selected: dict[str, tuple[str, ...]] = {}
    for dimension in DIMENSIONS:
        key = _widget_key(dimension)
        values = st.multiselect(
            t(f"filters.{dimension}"),
            model.option_ids(dimension),
            key=key,
            format_func=lambda option_id, d=dimension: model.label(d, option_id, lang),
            placeholder=t("filters.all"),
            on_change=url_state.clear_notices,
            persist_state="session",
        )
        url_state.publish(URL_PARAMS[dimension], values, default=[])
        selected[dimension] = tuple(values)
    filters = Filters(period_from=period_from, period_to=period_to, **selected)
    st.session_state[_FILTERS_STATE_KEY] = filters
    return filters


def current_filters() -> Filters:
    """The Filters the sidebar produced in this run (an unfiltered view if it has not run)."""
    return st.session_state.get(_FILTERS_STATE_KEY, Filters())


def render_url_notices() -> None:
    """One warning listing the URL values that were ignored, until the user changes a filter."""
    notices = url_state.pending_notices()
    if not notices:
        return
    items = url_state.notice_items(notices)
    st.warning(t("filters.url_ignored", items=items), icon=":material/link_off:")
