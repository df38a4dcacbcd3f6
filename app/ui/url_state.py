"""Widget state mirrored in the URL query string as plain, validated ids.

Why not `bind="query-params"`: Streamlit's binding writes the *formatted* option (the label a user
sees) into the URL. Our labels change with the language, so `?bu=Machinery` would stop matching
once a Russian speaker opened the link, and a label is not a stable id. Here the URL carries ids
(`?bu=machinery&bu=energy&lang=ru`), widgets show translated labels, and values that are not
allowed are dropped with a visible notice instead of silently.

The pattern, per URL parameter:
1. `seed_multi` / `seed_single` before the widget renders: a URL value that did not come from us
   (a pasted link, a page link, the first run of a session) becomes the widget's session-state
   value after validation; rejected values are returned as notices.
2. the widget renders with `key=` only (no default: session state already holds the value).
3. `publish` after the widget: the URL is rewritten to the widget's value (the parameter removed
   when it equals the default), so the address bar is always a link to the current view.
Navigating between pages may drop the query string; values the URL no longer carries are simply
published again, so filters survive page switches.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import streamlit as st

from app.ui.safe_text import escape_markdown
from app.warehouse.filters import sanitize_values

_PUBLISHED_KEY = "_cx_url_published"
_NOTICES_KEY = "_cx_url_notices"


@dataclass(frozen=True)
class UrlNotice:
    """A URL value that was ignored: which parameter, what value."""

    param: str
    value: str


def _published() -> dict[str, list[str]]:
    return st.session_state.setdefault(_PUBLISHED_KEY, {})


def _incoming(param: str) -> list[str] | None:
    """The URL's values for `param` when they came from outside the app, else None."""
    values = [v for v in st.query_params.get_all(param) if v != ""]
    if not values or values == _published().get(param):
        return None
    return values


def seed_multi(widget_key: str, param: str, allowed: Collection[str]) -> list[UrlNotice]:
    """Multi-select: take the URL's allowed values into the widget's state; return rejected ones."""
    incoming = _incoming(param)
    if incoming is None:
        st.session_state.setdefault(widget_key, [])
        return []
    kept, rejected = sanitize_values(incoming, allowed)
    st.session_state[widget_key] = kept
    return [UrlNotice(param, value) for value in rejected]


def seed_single(widget_key: str, param: str, allowed: Collection[str], default: str | None) -> list[UrlNotice]:
    """Single choice: the URL's value when it is allowed; a notice (and the current value) if not."""
    incoming = _incoming(param)
    if incoming is None or incoming[-1] not in allowed:
        if st.session_state.get(widget_key) not in allowed:
            st.session_state[widget_key] = default
        return [] if incoming is None else [UrlNotice(param, incoming[-1])]
    st.session_state[widget_key] = incoming[-1]
    return []


def publish(param: str, values: Sequence[str] | str | None, default: Sequence[str] | str | None = None) -> None:
    """Write a widget's value to the URL, or remove the parameter when the value is the default."""
    if isinstance(values, str) or values is None:
        wanted = [] if values is None or values == default else [values]
    else:
        wanted = [] if list(values) == list(default or []) else [str(v) for v in values]
    _published()[param] = wanted
    if st.query_params.get_all(param) == wanted:
        return
    if wanted:
        st.query_params[param] = wanted
    elif param in st.query_params:
        del st.query_params[param]


def published_params() -> dict[str, list[str]]:
    """Every parameter this session currently shows in the URL (for links that keep the view)."""
    return {param: values for param, values in _published().items() if values}


def notice_items(notices: Sequence[UrlNotice], max_items: int = 5, max_chars: int = 40) -> str:
    """The ignored values for a notice: shortened, at most `max_items`, and escaped as Markdown.

    The values are whatever someone put into a link: a 100 kB value must not fill the screen, and
    `![x](https://…)` must not become an image the browser fetches (st.warning renders Markdown).
    """
    shown = []
    for notice in notices[:max_items]:
        value = notice.value if len(notice.value) <= max_chars else notice.value[:max_chars] + "…"
        shown.append(escape_markdown(f"{notice.param[:max_chars]}={value}"))
    hidden = len(notices) - len(shown)
    return ", ".join(shown) + (f" (+{hidden})" if hidden > 0 else "")


def add_notices(notices: Sequence[UrlNotice]) -> None:
    if notices:
        st.session_state[_NOTICES_KEY] = [*st.session_state.get(_NOTICES_KEY, []), *notices]


def pending_notices() -> list[UrlNotice]:
    return list(st.session_state.get(_NOTICES_KEY, []))


def clear_notices() -> None:
    st.session_state.pop(_NOTICES_KEY, None)
