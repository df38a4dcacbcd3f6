"""The users file: names, roles and bcrypt password hashes, in YAML next to the warehouse.

    # data/users.yaml — manage with: python -m pipelines users add|list|remove
    users:
      anna: {role: admin, password_hash: "$2b$12$…"}

Why a file and not a table in the warehouse: DuckDB lets one process write, and the app holds the
warehouse while it runs, so `users add` must work beside a running app; the file is also easy to
keep out of backups of the data and out of git. Its path is CXLENS_USERS, by default `users.yaml`
beside the warehouse (data/users.yaml). No file, or a file with no users, means "no users
configured": the app runs unprotected on the loopback address only (see exposure.py).

Writes are read-modify-write under an exclusive lock and land by atomic rename with mode 0600, so
the app never reads half a file and two admins adding users at once do not lose one.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import bcrypt
import yaml

from app.auth.roles import ROLES, Role, is_role
from app.settings import get_settings

USERS_ENV = "CXLENS_USERS"
DEFAULT_ROUNDS = 12  # ~0.25 s per check on a 2-core server: slow for guessing, fine for a login
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72  # bcrypt's limit; bcrypt 5 raises instead of truncating silently
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
# A real cost-12 hash of a throwaway password: checking an unknown name costs as much as a known
# one, so the login's timing does not tell which user names exist.
_DUMMY_HASH = b"$2b$12$HqqFQ/PPStb3JEZr/ek8A.Y3W29hDiyj5/5kUdTTqTMwRj0Hchdr6"
_HEADER = "# CX Lens users — manage with: python -m pipelines users add|list|remove\n"


class UsersFileError(ValueError):
    """The users file exists but cannot be used; the app then refuses everyone (fails closed)."""


@dataclass(frozen=True)
class UserRecord:
    name: str
    role: Role
    password_hash: str


def users_path() -> Path:
    """CXLENS_USERS, else users.yaml beside the warehouse (so each CXLENS_DB has its own users)."""
    configured = os.environ.get(USERS_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return get_settings().db_path.parent / "users.yaml"


def normalise_name(name: str) -> str:
    """User names are case-insensitive: stored and compared in lower case, surrounding spaces cut."""
    return name.strip().lower()


def name_problem(name: str) -> str | None:
    if not NAME_PATTERN.match(normalise_name(name)):
        return (
            "a user name is 1–64 characters: latin letters, digits and . _ @ -, "
            "starting with a letter or digit"
        )
    return None


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_CHARS:
        return f"a password needs at least {MIN_PASSWORD_CHARS} characters"
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        return f"a password may be at most {MAX_PASSWORD_BYTES} bytes long (bcrypt's limit)"
    return None


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def _parse(text: str, path: Path) -> dict[str, UserRecord]:
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise UsersFileError(f"{path}: not valid YAML ({exc})") from None
    entries = document.get("users") if isinstance(document, dict) else None
    if entries is None:
        entries = {}
    if not isinstance(entries, dict):
        raise UsersFileError(f"{path}: 'users' must map user names to {{role, password_hash}}")
    users: dict[str, UserRecord] = {}
    for raw_name, entry in entries.items():
        name = normalise_name(str(raw_name))
        if name_problem(name) or not isinstance(entry, dict):
            raise UsersFileError(f"{path}: user {raw_name!r} is malformed")
        role, hashed = entry.get("role"), entry.get("password_hash")
        if not is_role(role):
            raise UsersFileError(
                f"{path}: user {name!r} has role {role!r}; expected one of {', '.join(ROLES)}"
            )
        if not isinstance(hashed, str) or not hashed.startswith("$2"):
            raise UsersFileError(f"{path}: user {name!r} has no bcrypt password_hash")
        users[name] = UserRecord(name, role, hashed)
    return users


def load_users(path: Path | None = None) -> Mapping[str, UserRecord]:
    """The configured users (empty when the file does not exist); UsersFileError if it is broken."""
    path = path or users_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return MappingProxyType({})
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int, size: int) -> Mapping[str, UserRecord]:
    # Keyed by modification time and size: an edit by the CLI shows on the next script run.
    return MappingProxyType(_parse(Path(path).read_text(encoding="utf-8"), Path(path)))


def check_password(users: Mapping[str, UserRecord], name: str, password: str) -> UserRecord | None:
    """The user when the password matches, else None; costs one bcrypt check either way."""
    user = users.get(normalise_name(name))
    candidate = password.encode("utf-8")
    if len(candidate) > MAX_PASSWORD_BYTES:  # no stored password is that long: fail at equal cost
        candidate, user = b"-", None
    hashed = user.password_hash.encode("ascii") if user else _DUMMY_HASH
    try:
        matches = bcrypt.checkpw(candidate, hashed)
    except ValueError:
        return None
    return user if matches and user is not None else None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(path: Path, users: Mapping[str, UserRecord]) -> None:
    body = {"users": {u.name: {"role": u.role, "password_hash": u.password_hash} for u in users.values()}}
    text = _HEADER + yaml.safe_dump(body, sort_keys=True, allow_unicode=True)
    fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".yaml", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _current(path: Path) -> dict[str, UserRecord]:
    return _parse(path.read_text(encoding="utf-8"), path) if path.exists() else {}


def set_user(
    path: Path,
    name: str,
    role: Role,
    password: str | None = None,
    *,
    rounds: int = DEFAULT_ROUNDS,
    must_exist: bool = False,
) -> UserRecord:
    """Add a user or change one's role and/or password (a new user needs a password)."""
    problem = name_problem(name)
    if problem:
        raise ValueError(problem)
    if not is_role(role):
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    name = normalise_name(name)
    hashed = hash_password(password, rounds) if password is not None else None
    with _locked(path):
        users = _current(path)
        existing = users.get(name)
        if existing is None and (must_exist or hashed is None):
            raise LookupError(f"there is no user {name!r}")
        record = UserRecord(name, role, hashed or existing.password_hash)
        users[name] = record
        _write(path, users)
    return record


def remove_user(path: Path, name: str) -> None:
    name = normalise_name(name)
    with _locked(path):
        users = _current(path)
        if name not in users:
            raise LookupError(f"there is no user {name!r}")
        del users[name]
        _write(path, users)


def admins(users: Mapping[str, UserRecord]) -> list[str]:
    return sorted(u.name for u in users.values() if u.role == "admin")
