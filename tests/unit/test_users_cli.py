"""`python -m pipelines users …` as an administrator types it, in a real child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb

from app.auth.users import check_password, load_users
from app.settings import PROJECT_ROOT


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines", "users", *args],
        input=stdin,
        text=True,
        capture_output=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        timeout=60,
    )


def test_add_list_remove_round_trip(tmp_path):
    env = {"CXLENS_USERS": str(tmp_path / "users.yaml"), "CXLENS_DB": str(tmp_path / "warehouse.duckdb")}
    added = cli(env, "add", "Anna", "--role", "analyst", "--password-stdin", stdin="correct horse\n")
    assert added.returncode == 0, added.stderr
    assert "Added user 'anna' with the role analyst" in added.stdout
    assert "correct horse" not in (tmp_path / "users.yaml").read_text()
    assert check_password(load_users(tmp_path / "users.yaml"), "anna", "correct horse")

    listed = cli(env, "list", "--json")
    assert json.loads(listed.stdout) == [{"name": "anna", "role": "analyst"}]

    again = cli(env, "add", "anna", "--role", "admin", "--password-stdin", stdin="another secret\n")
    assert again.returncode == 1 and "--update" in again.stderr
    updated = cli(
        env, "add", "anna", "--role", "admin", "--update", "--password-stdin", stdin="another secret\n"
    )
    assert updated.returncode == 0 and load_users(tmp_path / "users.yaml")["anna"].role == "admin"

    removed = cli(env, "remove", "anna")
    assert removed.returncode == 0 and "unprotected again" in removed.stdout
    assert cli(env, "remove", "anna").returncode == 1


def test_refusals_say_why_and_write_nothing(tmp_path):
    env = {"CXLENS_USERS": str(tmp_path / "users.yaml")}
    short = cli(env, "add", "anna", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    no_tty = cli(env, "add", "anna", "--role", "viewer", stdin="")
    assert no_tty.returncode == 2 and "--password-stdin" in no_tty.stderr
    bad_role = cli(env, "add", "anna", "--role", "root", "--password-stdin", stdin="long enough\n")
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr
    assert not (tmp_path / "users.yaml").exists()


def test_users_can_be_managed_while_the_app_holds_the_warehouse(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    holder = duckdb.connect(str(db))  # this process holds the file, as a running app does
    try:
        env = {"CXLENS_DB": str(db)}  # no CXLENS_USERS: users.yaml beside the warehouse
        env_without_users = {k: v for k, v in os.environ.items() if k != "CXLENS_USERS"}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipelines",
                "users",
                "add",
                "boris",
                "--role",
                "viewer",
                "--password-stdin",
            ],
            input="long enough\n",
            text=True,
            capture_output=True,
            cwd=PROJECT_ROOT,
            env={**env_without_users, **env},
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "users.yaml").is_file()
    finally:
        holder.close()
