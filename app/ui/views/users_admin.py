"""The admin page for the users file: list users, add one or change a role/password, remove one.

Every write calls require_role("admin") first (the shell already hides and refuses the page for
lower roles; the check is repeated because an action must never rely on the menu). The CLI
(`python -m pipelines users …`) edits the same file and works while the app runs.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.auth.guard import require_role
from app.auth.roles import ROLES, Role
from app.auth.users import admins, load_users, name_problem, normalise_name, remove_user, set_user, users_path
from app.ui.access import role_label
from app.ui.components import page_header
from app.ui.i18n import t

_NOTICE_KEY = "_cx_users_notice"


def _save(name: str, role: Role, password: str) -> None:
    require_role("admin")
    users = load_users()
    key = normalise_name(name)
    problem = name_problem(name)
    if problem:
        raise ValueError(problem)
    if not users and role != "admin":
        raise ValueError(t("access.first_user_admin"))
    if key not in users and not password:
        raise ValueError(t("access.password_needed"))
    if users.get(key) and users[key].role == "admin" and role != "admin" and admins(users) == [key]:
        raise ValueError(t("access.last_admin"))
    set_user(users_path(), key, role, password or None)
    st.session_state[_NOTICE_KEY] = t("access.user_saved", user=key, role=role_label(role))


def _remove(name: str) -> None:
    require_role("admin")
    users = load_users()
    if admins(users) == [name]:
        raise ValueError(t("access.last_admin"))
    remove_user(users_path(), name)
    st.session_state[_NOTICE_KEY] = t("access.user_removed", user=name)


def _users_table() -> None:
    users = load_users()
    if not users:
        st.warning(t("access.no_users_yet"), icon=":material/lock_open:")
        return
    frame = pl.DataFrame(
        {
            t("access.col_user"): [u.name for u in users.values()],
            t("access.col_role"): [role_label(u.role) for u in users.values()],
        }
    ).sort(t("access.col_user"))
    st.dataframe(frame, hide_index=True, width="content", key="users_table")


def _edit_form() -> None:
    with st.form("users_edit", border=True, clear_on_submit=True):
        st.markdown(f"**{t('access.add_or_change')}**")
        left, middle, right = st.columns([2, 1, 2])
        name = left.text_input(t("access.user_name"), max_chars=64, autocomplete="off")
        first = not load_users()  # the first user must be an admin
        role = middle.selectbox(
            t("access.col_role"), ROLES, index=ROLES.index("admin") if first else 0, format_func=role_label
        )
        password = right.text_input(
            t("access.new_password"), type="password", max_chars=200, autocomplete="new-password"
        )
        if st.form_submit_button(t("access.save_user"), type="primary", icon=":material/save:"):
            try:
                _save(name, role, password)
            except ValueError as exc:
                st.error(t("access.invalid", problem=str(exc).rstrip(".")), icon=":material/error:")
                return
            st.rerun()


def _remove_form() -> None:
    users = load_users()
    if not users:
        return
    with st.form("users_remove", border=True):
        st.markdown(f"**{t('access.remove_user')}**")
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        name = left.selectbox(t("access.user_name"), sorted(users), label_visibility="collapsed")
        if right.form_submit_button(t("access.remove"), icon=":material/person_remove:"):
            try:
                _remove(name)
            except (ValueError, LookupError) as exc:
                st.error(t("access.invalid", problem=str(exc).rstrip(".")), icon=":material/error:")
                return
            st.rerun()


def render() -> None:
    require_role("admin")
    page_header(t("access.users_title"), t("access.users_caption", path=users_path()))
    st.markdown(t("access.roles_explained"))
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        st.success(notice, icon=":material/check_circle:")
    _users_table()
    _edit_form()
    _remove_form()
