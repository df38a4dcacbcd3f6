"""Access control in the shell, once for every page: no page file checks roles itself.

The shell calls, in order:
1. `admit()` — first thing in a run: refuses to serve anything from a network address when no
   users are configured (exposure.py) and stops such a server, started bypassing `python -m app`
   (server_stop.py), locks everyone out when the users file is broken, and shows
   the sign-in form (and nothing else: no filters, no figures) until the session signs in;
2. `page_visibility(entry, access)` while building st.navigation — pages the role cannot open are
   registered as hidden, so they vanish from the menu but their address still resolves here;
3. `run_page(navigation, entry, access)` instead of `navigation.run()` — a page above the role
   (a bookmarked or typed URL) gets a refusal instead of running; an AccessDenied raised by a
   write action inside the page (require_role) becomes a message instead of a traceback;
4. `render_account(access)` in the sidebar — who is signed in and "Sign out", or the plain notice
   that the app is unprotected.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import streamlit as st

from app.auth.exposure import Exposure
from app.auth.guard import Access, current_access, exposure, sign_in, sign_out
from app.auth.roles import AccessDenied, Role
from app.auth.users import users_path
from app.ui.i18n import current_language, t
from app.ui.pages import PAGES, PageEntry
from app.ui.safe_text import escape_markdown
from app.ui.server_stop import stop_refused_server

log = logging.getLogger(__name__)
LOGO = Path(__file__).parent / "assets" / "logo.svg"


def role_label(role: Role | None) -> str:
    return t(f"access.role.{role}") if role else "–"


def can_open(entry: PageEntry, access: Access | None = None) -> bool:
    """Whether this session may open the page (used by the menu and by links between pages)."""
    access = access or current_access()
    return access.allows(entry.min_role)


def page_visibility(entry: PageEntry, access: Access) -> str:
    return "visible" if can_open(entry, access) else "hidden"


def default_entry(access: Access) -> PageEntry | None:
    """The start page: the first built page this role may open."""
    return next((p for p in PAGES if p.path.exists() and can_open(p, access)), None)


def _company_name() -> str:
    from app.ui.context import service_model

    return service_model().company.name.get(current_language())


@st.cache_resource(show_spinner=False)
def _log_refusal(sentence: str) -> bool:
    """Once per process and address: the operator reads the reason in the server log."""
    log.error("%s", sentence)
    return True


def _refuse_exposed(exposed: Exposure) -> None:
    """Stop the server (a bare `streamlit run` that bypassed the launcher); the page stays as the
    last line of defence where nothing can be stopped (AppTest) and for the first visitor."""
    sentence = exposed.refusal_sentence(users_path(), refuses_to="serve")
    stopping = stop_refused_server(sentence)
    if not stopping:
        _log_refusal(sentence)
    address = exposed.describe_address()
    _, middle, _ = st.columns([1, 3, 1])
    with middle:
        st.title(t("access.exposed_title"), anchor=False)
        st.error(t("access.exposed", address=address, path=users_path()), icon=":material/gpp_bad:")
        if stopping:
            st.caption(t("access.exposed_stopping"))
    st.stop()


def _hidden_navigation() -> None:
    """Resolve the URL's page without running it, so a deep link survives the sign-in."""
    built = [p for p in PAGES if p.path.exists()]
    if built:
        st.navigation(
            [
                st.Page(str(p.path), title=t(p.title_key), url_path=p.url_path, default=i == 0)
                for i, p in enumerate(built)
            ],
            position="hidden",
        )


def _sign_in_form() -> None:
    _, middle, _ = st.columns([1, 1.2, 1])
    with middle:
        st.space("large")
        if LOGO.exists():
            st.image(str(LOGO), width=168)
        st.title(t("access.sign_in_title"), anchor=False)
        st.caption(t("access.sign_in_caption", company=_company_name()))
        with st.form("cx_sign_in", border=True, enter_to_submit=True):
            name = st.text_input(
                t("access.user_name"),
                key="cx_sign_in_name",
                autocomplete="username",
                max_chars=64,
                icon=":material/person:",
            )
            password = st.text_input(
                t("access.password"),
                key="cx_sign_in_password",
                type="password",
                autocomplete="current-password",
                max_chars=200,
                icon=":material/key:",
            )
            submitted = st.form_submit_button(t("access.sign_in"), type="primary", width="stretch")
        if not submitted:
            return
        if not name.strip() or not password:
            st.warning(t("access.sign_in_empty"), icon=":material/info:")
            return
        outcome, wait = sign_in(name, password)
        if outcome == "ok":
            st.rerun()
        if outcome == "throttled":
            st.error(
                t("access.sign_in_throttled", minutes=max(1, math.ceil(wait / 60))), icon=":material/timer:"
            )
        else:
            st.error(t("access.sign_in_wrong"), icon=":material/error:")


def admit() -> Access:
    """Stop this run unless the session may see data; returns what the session may do."""
    exposed = exposure()
    if exposed.refused:
        _refuse_exposed(exposed)
    access = current_access()
    if access.problem:
        st.error(t("access.users_file_broken", problem=access.problem), icon=":material/gpp_bad:")
        st.stop()
    if not access.signed_in:
        _hidden_navigation()
        _sign_in_form()
        st.stop()
    return access


def render_refusal(entry: PageEntry, access: Access) -> None:
    st.title(t("access.page_refused_title"), anchor=False)
    fmt = {"page": t(entry.title_key), "needed": role_label(entry.min_role)}
    if access.user:
        message = t("access.page_refused", user=access.user, role=role_label(access.role), **fmt)
    else:
        message = t("access.page_refused_anonymous", **fmt)
    st.error(message, icon=":material/block:")
    start = default_entry(access)
    if start is not None and start is not entry:
        st.page_link(start.file, label=t("access.back_to_start"), icon=":material/arrow_back:")


def run_page(navigation: st.navigation, entry: PageEntry | None, access: Access) -> None:
    """Run the selected page if the role may open it; refusals instead of the page or a traceback."""
    if entry is not None and not can_open(entry, access):
        render_refusal(entry, access)
        return
    try:
        navigation.run()
    except AccessDenied as denied:
        st.error(
            t("access.action_refused", needed=role_label(denied.needed), role=role_label(denied.actual)),
            icon=":material/block:",
        )


def render_account(access: Access) -> None:
    """Sidebar: the signed-in user and "Sign out", or the notice that nothing protects the app."""
    if not access.protected:
        # Markdown, not st.warning: page tests treat warnings as URL notices, and this one is permanent.
        st.markdown(
            f":orange-background[:material/lock_open: **{t('access.unprotected_label')}**] "
            f":orange[{t('access.unprotected')}]",
            help=t("access.unprotected_help", path=users_path()),
        )
        return
    left, right = st.columns([3, 2], vertical_alignment="center")
    who = t("access.signed_in_as", user=escape_markdown(access.user), role=role_label(access.role))
    left.markdown(f":material/account_circle: {who}")
    right.button(
        t("access.sign_out"), on_click=sign_out, type="tertiary", key="cx_sign_out", icon=":material/logout:"
    )
