"""Per-session access: who is signed in, what their role allows, and the check write actions call.

    from app.auth.guard import require_role

    def save_mapping(...):
        require_role("analyst")      # raises AccessDenied; the shell turns it into a refusal
        ...

The signed-in user's NAME is kept in `st.session_state` (per browser session, on the server); the
role is looked up in the users file on every run, so removing a user or changing a role takes
effect at their next click, not at their next login. With no users configured the app is in its
unprotected demo mode and every session acts as admin (exposure.py decides where that is allowed).
A users file that exists but cannot be read locks everyone out instead (fail closed).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, ParamSpec, TypeVar

import streamlit as st

from app.auth.exposure import Exposure, assess
from app.auth.roles import AccessDenied, Role, role_allows
from app.auth.throttle import LoginThrottle
from app.auth.users import UsersFileError, check_password, load_users, normalise_name

USER_KEY = "_cx_user"
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Access:
    """What this session may do. `role` is None when a login is needed (or the users file is broken)."""

    user: str | None
    role: Role | None
    protected: bool  # users are configured
    problem: str | None = None  # the users file exists but is broken

    @property
    def signed_in(self) -> bool:
        return self.role is not None

    def allows(self, needed: Role) -> bool:
        return role_allows(self.role, needed)


def current_access() -> Access:
    try:
        users = load_users()
    except UsersFileError as exc:
        return Access(None, None, True, str(exc))
    if not users:
        return Access(None, "admin", False)
    name = st.session_state.get(USER_KEY)
    record = users.get(name) if isinstance(name, str) else None
    if record is None:
        st.session_state.pop(USER_KEY, None)  # removed from the file since: signed out
        return Access(None, None, True)
    return Access(record.name, record.role, True)


def require_role(needed: Role) -> Access:
    """The server-side check every write action makes first; raises AccessDenied when not allowed."""
    access = current_access()
    if not access.allows(needed):
        raise AccessDenied(needed, access.role)
    return access


def can(needed: Role) -> bool:
    """For hiding buttons the session may not use (the action itself still calls require_role)."""
    return current_access().allows(needed)


def requires_role(needed: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator form of require_role for write functions."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            require_role(needed)
            return function(*args, **kwargs)

        return checked

    return decorate


@st.cache_resource(show_spinner=False)
def login_throttle() -> LoginThrottle:
    """One per server process, shared by its sessions: limits guesses per user name."""
    return LoginThrottle()


SignInOutcome = Literal["ok", "wrong", "throttled"]


def sign_in(name: str, password: str) -> tuple[SignInOutcome, float]:
    """Check the password (bcrypt) and remember the user in this session. Returns (outcome, wait s)."""
    key = normalise_name(name)
    throttle = login_throttle()
    wait = throttle.seconds_blocked(key)
    if wait > 0:
        return "throttled", wait
    user = check_password(load_users(), key, password)
    if user is None:
        throttle.failed(key)
        return "wrong", 0.0
    throttle.succeeded(key)
    st.session_state.clear()  # nothing from before the login (filters, previews) carries over
    st.session_state[USER_KEY] = user.name
    return "ok", 0.0


def sign_out() -> None:
    """Forget everything this session held, so the next person at this browser starts clean."""
    st.session_state.clear()


def exposure() -> Exposure:
    """The bind address Streamlit was started with (flags, env and config merged), assessed."""
    try:
        has_users = bool(load_users())
    except UsersFileError:
        has_users = True  # broken file: current_access() already refuses everyone
    return assess(st.get_option("server.address"), has_users)
