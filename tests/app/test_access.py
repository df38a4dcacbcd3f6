"""Access control through the real shell (AppTest on the entry script, real users file, real bcrypt):
sign-in before any data, refusals for pages above the role, unprotected mode, exposure refusal."""

from __future__ import annotations

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from app.auth.users import remove_user, set_user
from app.ui.pages import PAGES, PROJECT_ROOT

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
PASSWORDS = {"ada": "admin secret", "ann": "analyst secret", "vic": "viewer secret"}
ROLES = {"ada": "admin", "ann": "analyst", "vic": "viewer"}
BUILT = [p for p in PAGES if p.path.exists()]


@pytest.fixture
def users_file(module_demo_env, tmp_path, monkeypatch):
    """A users file of the test's own; the warehouse is the module's demo copy (no test here writes it)."""
    path = tmp_path / "users.yaml"
    for name, role in ROLES.items():
        set_user(path, name, role, PASSWORDS[name], rounds=4)
    monkeypatch.setenv("CXLENS_USERS", str(path))
    return path


@pytest.fixture
def no_users(module_demo_env, tmp_path, monkeypatch):
    monkeypatch.setenv("CXLENS_USERS", str(tmp_path / "absent.yaml"))


def start() -> AppTest:
    return AppTest.from_file(ENTRY, default_timeout=60).run()


def sign_in(at: AppTest, name: str, password: str | None = None) -> AppTest:
    at.text_input(key="cx_sign_in_name").input(name)
    at.text_input(key="cx_sign_in_password").input(PASSWORDS.get(name, "") if password is None else password)
    return at.button(key="FormSubmitter:cx_sign_in-Sign in").click().run()


def shows_data(at: AppTest) -> bool:
    return bool(at.metric or at.dataframe or at.multiselect or at.get("arrow_vega_lite_chart"))


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_without_users_the_local_app_runs_and_says_it_is_unprotected(no_users):
    at = start()
    assert not at.exception
    assert shows_data(at)
    assert any("Unprotected" in m.value for m in at.sidebar.markdown)


def test_with_users_nothing_but_the_sign_in_form_shows(users_file):
    at = start()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in to CX Lens"]
    assert not shows_data(at) and not at.caption.values[1:]  # no freshness line, no figures
    assert not at.sidebar.markdown


def test_wrong_password_is_refused_and_the_right_one_opens_the_start_page(users_file):
    at = sign_in(start(), "vic", "viewer secreT")
    assert "wrong" in errors(at) and not shows_data(at)
    at = sign_in(at, "VIC ", "viewer secret")
    assert not at.exception and shows_data(at)
    assert any("vic · viewer" in m.value for m in at.sidebar.markdown)


RANK = {"viewer": 0, "analyst": 1, "admin": 2}
# Every page above "viewer": each role below it is refused, and its own role opens it.
CASES = [
    (name, page, RANK[role] >= RANK[page.min_role])
    for page in BUILT
    if page.min_role != "viewer"
    for name, role in ROLES.items()
    if RANK[role] <= RANK[page.min_role]
]


# "entry", not "page": that name is pytest-playwright's browser page (it would drag these into its parametrisation)
@pytest.mark.parametrize("name, entry, allowed", CASES, ids=[f"{p.url_path}-{n}" for n, p, _ in CASES])
def test_a_page_above_the_role_gets_a_refusal_not_the_page(users_file, name, entry, allowed):
    at = sign_in(start(), name)
    at.switch_page(entry.file).run()
    assert not at.exception, [e.message for e in at.exception]
    titles = [t.value for t in at.title]
    if allowed:
        assert titles and "No access to this page" not in titles
    else:
        assert titles == ["No access to this page"]
        assert f"needs the {entry.min_role} role" in errors(at)
        assert not at.main.text_input and not at.main.get("file_uploader") and not at.main.button


def test_admin_adds_a_user_in_the_app_and_the_new_user_can_sign_in(users_file):
    at = sign_in(start(), "ada")
    at.switch_page("app_pages/users.py").run()
    by_label = {t.label: t for t in at.text_input}
    by_label["User name"].input("newbie")
    by_label["Password (leave empty to keep the current one)"].input("newbie secret")
    next(s for s in at.main.selectbox if s.label == "Role").select("analyst")
    at.button(key="FormSubmitter:users_edit-Save user").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("User newbie saved (analyst)" in s.value for s in at.success)
    fresh = sign_in(start(), "newbie", "newbie secret")
    assert shows_data(fresh)


def test_sign_out_forgets_the_session(users_file):
    at = sign_in(start(), "ann")
    at.button(key="cx_sign_out").click().run()
    assert [t.value for t in at.title] == ["Sign in to CX Lens"] and not shows_data(at)


def test_a_removed_user_is_signed_out_at_the_next_click(users_file):
    at = sign_in(start(), "ann")
    assert shows_data(at)
    remove_user(users_file, "ann")
    at.run()
    assert [t.value for t in at.title] == ["Sign in to CX Lens"] and not shows_data(at)


def test_a_demoted_user_loses_the_page_at_the_next_click(users_file):
    at = sign_in(start(), "ada")
    at.switch_page("app_pages/users.py").run()
    assert at.title[0].value == "Users and access"
    set_user(users_file, "ada", "viewer", None)
    at.run()
    assert at.title[0].value == "No access to this page"


def test_a_broken_users_file_locks_everyone_out(users_file):
    users_file.write_text("users: [this is not a mapping]")
    at = start()
    assert not at.exception and not shows_data(at)
    assert "users file cannot be read" in errors(at)


def test_repeated_wrong_passwords_are_throttled(users_file):
    set_user(users_file, "target", "viewer", "target secret", rounds=4)
    at = start()
    for _ in range(5):
        at = sign_in(at, "target", "guess guess")
    at = sign_in(at, "target", "target secret")
    assert "Too many failed attempts" in errors(at) and not shows_data(at)


@pytest.fixture
def bound_to_all_interfaces():
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", before)


def test_an_exposed_address_without_users_refuses_to_serve(no_users, bound_to_all_interfaces):
    at = start()
    assert not at.exception and not shows_data(at)
    assert at.title[0].value == "CX Lens refuses to serve data from this address"
    assert "0.0.0.0" in errors(at) and "CXLENS_ALLOW_UNPROTECTED" in errors(at)


def test_the_override_or_users_lift_the_exposure_refusal(no_users, bound_to_all_interfaces, monkeypatch):
    monkeypatch.setenv("CXLENS_ALLOW_UNPROTECTED", "1")
    at = start()
    assert shows_data(at) and any("Unprotected" in m.value for m in at.sidebar.markdown)


def test_an_exposed_address_with_users_asks_for_a_sign_in(users_file, bound_to_all_interfaces):
    at = start()
    assert at.title[0].value == "Sign in to CX Lens"
