"""The users file, password checks, roles and login throttling (no Streamlit involved)."""

from __future__ import annotations

import stat
import threading

import pytest

from app.auth.roles import ROLES, AccessDenied, role_allows
from app.auth.throttle import LoginThrottle
from app.auth.users import (
    UsersFileError,
    admins,
    check_password,
    load_users,
    remove_user,
    set_user,
    users_path,
)

FAST = 4  # bcrypt rounds for tests: the same algorithm, 1/256 of the default cost


@pytest.fixture
def users_file(tmp_path):
    return tmp_path / "users.yaml"


def test_roles_are_ordered_and_nobody_passes_without_one():
    assert ROLES == ("viewer", "analyst", "admin")
    assert role_allows("admin", "analyst") and role_allows("analyst", "analyst")
    assert not role_allows("viewer", "analyst")
    assert not role_allows(None, "viewer")
    with pytest.raises(ValueError):
        role_allows("admin", "superuser")
    assert "analyst" in str(AccessDenied("analyst", "viewer"))


def test_added_user_is_stored_as_a_bcrypt_hash_in_a_private_file(users_file):
    set_user(users_file, "Anna", "analyst", "correct horse", rounds=FAST)
    text = users_file.read_text()
    assert "correct horse" not in text and "$2b$04$" in text
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    users = load_users(users_file)
    assert list(users) == ["anna"] and users["anna"].role == "analyst"


def test_password_check_accepts_the_right_password_only(users_file):
    set_user(users_file, "anna", "viewer", "correct horse", rounds=FAST)
    users = load_users(users_file)
    assert check_password(users, "ANNA ", "correct horse").name == "anna"
    assert check_password(users, "anna", "correct horsE") is None
    assert check_password(users, "boris", "correct horse") is None
    assert check_password(users, "anna", "x" * 200) is None  # longer than bcrypt's 72 bytes: no crash


@pytest.mark.parametrize(
    "name, password",
    [
        ("", "long enough"),
        ("a b", "long enough"),
        ("<script>", "long enough"),
        ("x" * 65, "long enough"),
        ("anna", "short"),
        ("anna", "я" * 40),
    ],
)
def test_bad_names_and_passwords_are_refused_before_anything_is_written(users_file, name, password):
    with pytest.raises(ValueError):
        set_user(users_file, name, "viewer", password, rounds=FAST)
    assert not users_file.exists()


def test_role_change_keeps_the_password_and_remove_deletes(users_file):
    set_user(users_file, "anna", "viewer", "correct horse", rounds=FAST)
    set_user(users_file, "anna", "admin", None)
    users = load_users(users_file)
    assert users["anna"].role == "admin" and check_password(users, "anna", "correct horse")
    assert admins(users) == ["anna"]
    remove_user(users_file, "anna")
    assert dict(load_users(users_file)) == {}
    with pytest.raises(LookupError):
        remove_user(users_file, "anna")
    with pytest.raises(LookupError):
        set_user(users_file, "ghost", "viewer", None)


def test_an_edit_shows_on_the_next_read(users_file):
    set_user(users_file, "anna", "viewer", "correct horse", rounds=FAST)
    assert load_users(users_file)["anna"].role == "viewer"
    set_user(users_file, "anna", "analyst", None)
    assert load_users(users_file)["anna"].role == "analyst"


@pytest.mark.parametrize(
    "text",
    [
        "users: [anna]",
        "users:\n  anna: {role: owner, password_hash: '$2b$04$x'}",
        "users:\n  anna: {role: admin, password_hash: plain-text}",
        "users: {anna: {role: admin",
        "users:\n  'a b': {}",
    ],
)
def test_a_broken_users_file_is_an_error_not_an_empty_list(users_file, text):
    users_file.write_text(text)
    with pytest.raises(UsersFileError):
        load_users(users_file)


def test_missing_file_means_no_users(users_file):
    assert dict(load_users(users_file)) == {}


def test_users_file_defaults_to_beside_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.delenv("CXLENS_USERS", raising=False)
    monkeypatch.setenv("CXLENS_DB", str(tmp_path / "w" / "warehouse.duckdb"))
    assert users_path() == (tmp_path / "w" / "users.yaml").resolve()
    monkeypatch.setenv("CXLENS_USERS", str(tmp_path / "elsewhere.yaml"))
    assert users_path() == (tmp_path / "elsewhere.yaml").resolve()


def test_concurrent_adds_lose_nobody(users_file):
    names = [f"user{i}" for i in range(8)]
    threads = [
        threading.Thread(
            target=set_user, args=(users_file, n, "viewer", "long enough"), kwargs={"rounds": FAST}
        )
        for n in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(load_users(users_file)) == names


def test_throttle_blocks_after_repeated_failures_and_forgets_after_the_window():
    now = [1000.0]
    throttle = LoginThrottle(max_failures=3, window_seconds=60, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.seconds_blocked("anna") == 0
        throttle.failed("anna")
    assert throttle.seconds_blocked("anna") == pytest.approx(60)
    assert throttle.seconds_blocked("boris") == 0
    now[0] += 61
    assert throttle.seconds_blocked("anna") == 0
    throttle.failed("anna")
    throttle.succeeded("anna")
    assert throttle.seconds_blocked("anna") == 0


def test_the_committed_example_parses_and_opens_for_nobody():
    from app.settings import DATA_DIR

    users = load_users(DATA_DIR / "users.example.yaml")
    assert {u.role for u in users.values()} == set(ROLES)
    assert all(check_password(users, name, "change me now") is None for name in users)
