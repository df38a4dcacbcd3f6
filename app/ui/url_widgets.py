"""Page-level widgets whose value lives in the URL as a plain id (metric=csat, tp=delivery, by=segment).

Same contract as the global filters (see url_state): the URL value is validated before the widget
renders, a value that is not allowed shows a notice next to the widget and falls back to the
default, and the widget keeps its value when the user visits another page and comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from app.ui import url_state
from app.ui.i18n import t


def _show(notices: list[url_state.UrlNotice]) -> None:
    if notices:
        items = url_state.notice_items(notices)
        st.warning(t("filters.url_ignored", items=items), icon=":material/link_off:")


def url_segmented(
    label: str,
    options: Sequence[str],
    *,
    key: str,
    param: str,
    default: str,
    format_func: Callable[[str], str],
    label_visibility: str = "visible",
) -> str:
    """A single-choice segmented control mirrored in `?param=`."""
    _show(url_state.seed_single(key, param, options, default))
    value = st.segmented_control(
        label, options, key=key, format_func=format_func, required=True, persist_state="session",
        label_visibility=label_visibility,
    )
    value = value if value in options else default
    url_state.publish(param, value, default=default)
    return value


def url_selectbox(
    label: str,
    options: Sequence[str],
    *,
    key: str,
    param: str,
    default: str | None,
    format_func: Callable[[str], str],
    placeholder: str | None = None,
) -> str | None:
    """A selectbox mirrored in `?param=`; `default=None` allows "nothing selected"."""
    _show(url_state.seed_single(key, param, options, default))
    value = st.selectbox(
        label, options, key=key, format_func=format_func, placeholder=placeholder, persist_state="session",
    )
    url_state.publish(param, value, default=default)
    return value
