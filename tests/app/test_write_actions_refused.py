"""Every write action checks the role on the server, whatever the page showed: each one, called in
a viewer's session (a real Streamlit script run with a real users file), is refused before it
touches the warehouse. The menu and hidden buttons are conveniences; this is the guarantee.

A new write action belongs in ACTIONS. Entries name the pages' own functions, so a rename there
shows up here as a failure to update, not as a silent gap.
"""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app.auth.users import set_user

# (module, function, arguments): the arguments never matter, the check comes first.
ACTIONS = [
    ("app.ui.views.data_actions", "load_validated_file", (None, None, None)),
    ("app.ui.views.data_actions", "undo_batch", (1,)),
    ("app.ui.views.data_actions", "save_column_mapping", ("surveys", {"x": "nps"})),
    ("app.ui.views.follow_ups_case", "_save", ([1], None, None)),
    ("app.ui.views.voc", "_rebuild", (None,)),
    ("app.ui.views.drivers_training", "_train", (["nps"],)),
    ("app.ui.views.users_admin", "_save", ("mallory", "admin", "mallory secret")),
    ("app.ui.views.users_admin", "_remove", ("vic",)),
    ("app.ui.storyline_state", "write", ("create_storyline", "Hijacked")),
]


def attempt() -> None:
    """The script AppTest runs: call one write action as the signed-in session and say what happened."""
    import importlib

    import streamlit as st

    from app.auth.roles import AccessDenied

    module, name, args = st.session_state["_target"]
    function = getattr(importlib.import_module(module), name)
    if name == "write":  # storyline writes take the warehouse function as their first argument
        from app.warehouse import storylines

        args = (getattr(storylines, args[0]), *args[1:])
    try:
        result = function(*args)
    except AccessDenied:
        st.text("outcome: denied")
        return
    st.text(f"outcome: returned {result!r}")


def fingerprint(db) -> tuple:
    con = duckdb.connect(str(db))  # same settings as the app's connection in this process
    try:
        return con.execute(
            "select (select coalesce(max(version), 0) from data_changes), "
            "(select count(*) from batches), "
            "(select count(*) from information_schema.tables)"
        ).fetchall()[0]
    finally:
        con.close()


@pytest.mark.parametrize(
    "module, name, args", ACTIONS, ids=[f"{m.rsplit('.', 1)[1]}.{n}" for m, n, _ in ACTIONS]
)
def test_a_viewer_cannot_run_a_write_action(demo_env, monkeypatch, module, name, args):
    users = demo_env / "users.yaml"
    set_user(users, "vic", "viewer", "viewer secret", rounds=4)
    monkeypatch.setenv("CXLENS_USERS", str(users))
    before = fingerprint(demo_env / "warehouse.duckdb")
    users_before = users.read_text()

    at = AppTest.from_function(attempt, default_timeout=60)
    at.session_state["_cx_user"] = "vic"  # what a viewer's sign-in leaves in the session
    at.session_state["_target"] = (module, name, args)
    at.run()

    assert not at.exception, [e.message for e in at.exception]
    outcome = " ".join(str(x.value) for x in at.text)
    refused_in_place = bool(at.error)  # the action said no on the page itself
    assert outcome == "outcome: denied" or (
        outcome == "outcome: returned None"
        and (refused_in_place or "_cx_storyline_flash" in at.session_state)
    ), outcome
    assert fingerprint(demo_env / "warehouse.duckdb") == before
    assert users.read_text() == users_before
