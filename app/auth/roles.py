"""The three roles, in order: each one can do everything the one before it can.

viewer  — executives: every dashboard, read only;
analyst — plus uploads, column mapping, undo, follow-up updates, retraining, topic renames;
admin   — plus user management.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)


class AccessDenied(PermissionError):
    """An action or page needs a higher role than the session has (or a login)."""

    def __init__(self, needed: Role, actual: Role | None) -> None:
        self.needed = needed
        self.actual = actual
        who = f"the role '{actual}'" if actual else "a session that is not signed in"
        super().__init__(f"This needs the role '{needed}'; {who} may not do it.")


def is_role(value: object) -> bool:
    return value in ROLES


def role_rank(role: Role | None) -> int:
    """0 for no role (not signed in), then 1, 2, 3 in the order of ROLES."""
    return ROLES.index(role) + 1 if role in ROLES else 0


def role_allows(actual: Role | None, needed: Role) -> bool:
    """True when `actual` is `needed` or above it; nobody passes without a role."""
    if needed not in ROLES:
        raise ValueError(f"unknown role {needed!r}; expected one of {', '.join(ROLES)}")
    return role_rank(actual) >= role_rank(needed)
