"""The app refuses to START on a network address with no users: `python -m app` exits before
Streamlit starts, and a bare `streamlit run` stops itself at the first script run. Real processes
on free ports (never hard-coded), the real users file, Streamlit's own config resolution."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.auth.users import set_user
from app.settings import PROJECT_ROOT
from tests.processes import stop

START_TIMEOUT_S = 60
REFUSED = 78


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status
    except OSError:
        return None


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A private warehouse folder and no users file; STREAMLIT_* settings of the caller removed."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "CXLENS_"))}
    return {
        **clean,
        "CXLENS_DB": str(tmp_path / "warehouse.duckdb"),
        "CXLENS_USERS": str(tmp_path / "users.yaml"),
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }


def _launcher(*options: str) -> list[str]:
    return [sys.executable, "-m", "app", *options]


def _serve(command: list[str], env: dict[str, str], log: Path, port_option: bool = True):
    """Start a server on a free port; (process, port) once /_stcore/health answers, else fail."""
    for _attempt in range(3):  # a free port can be taken between choosing and binding it
        port = _free_port()
        full = [*command, "--server.port", str(port)] if port_option else command
        with log.open("w") as out:
            process = subprocess.Popen(full, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and process.poll() is None:
            if _get(port, "/_stcore/health") == 200:
                return process, port
            time.sleep(0.3)
        stop(process)
    pytest.fail(f"the server did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture
def servers():
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        stop(process)


def _refusal_is_one_clear_sentence(text: str, address: str, users_file: str) -> None:
    lines = [line for line in text.splitlines() if "CX Lens refuses" in line]
    assert len(lines) == 1, text
    sentence = lines[0]
    for part in (address, "no users are configured", users_file, "python -m pipelines users add",
                 "CXLENS_ALLOW_UNPROTECTED=1", "--allow-unprotected"):
        assert part in sentence, (part, sentence)


@pytest.mark.parametrize(
    ("options", "extra_env", "address"),
    [
        (["--server.address", "0.0.0.0"], {}, "0.0.0.0"),
        (["--server.address=::"], {}, "::"),
        ([], {"STREAMLIT_SERVER_ADDRESS": "0.0.0.0"}, "0.0.0.0"),  # overrides the project's config.toml
    ],
)
def test_launcher_refuses_a_network_address_without_users(env, options, extra_env, address):
    port = _free_port()
    done = subprocess.run(
        _launcher(*options, "--server.port", str(port)),
        cwd=PROJECT_ROOT, env={**env, **extra_env}, capture_output=True, text=True, timeout=START_TIMEOUT_S,
    )
    assert done.returncode == REFUSED, done.stderr
    _refusal_is_one_clear_sentence(done.stderr, address, env["CXLENS_USERS"])
    assert "You can now view" not in done.stdout + done.stderr  # Streamlit never started
    assert _get(port, "/_stcore/health") is None


def test_launcher_rejects_options_streamlit_does_not_know(env):
    done = subprocess.run(_launcher("--server.adress", "0.0.0.0"), cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=START_TIMEOUT_S)
    assert done.returncode == 2 and "--server.adress" in done.stderr


@pytest.mark.parametrize("override", ["flag", "env"])
def test_the_explicit_override_starts_on_a_network_address(env, tmp_path, servers, override):
    options = ["--server.address", "0.0.0.0"]
    if override == "flag":
        options.insert(0, "--allow-unprotected")
    else:
        env = {**env, "CXLENS_ALLOW_UNPROTECTED": "1"}
    process, _ = _serve(_launcher(*options), env, tmp_path / "server.log")
    servers.append(process)
    log = (tmp_path / "server.log").read_text()
    assert "CX Lens is unprotected" in log and "CXLENS_ALLOW_UNPROTECTED is set" in log
    assert "refuses" not in log


def test_with_users_the_launcher_starts_on_a_network_address(env, tmp_path, servers):
    set_user(Path(env["CXLENS_USERS"]), "ada", "admin", "admin secret", rounds=4)
    process, _ = _serve(_launcher("--server.address", "0.0.0.0"), env, tmp_path / "server.log")
    servers.append(process)
    log = (tmp_path / "server.log").read_text()
    assert "refuses" not in log and "unprotected" not in log


def test_on_loopback_without_users_the_launcher_starts_and_says_it_is_unprotected(env, tmp_path, servers):
    process, _ = _serve(_launcher(), env, tmp_path / "server.log")  # address from .streamlit/config.toml
    servers.append(process)
    log = (tmp_path / "server.log").read_text()
    assert "CX Lens is unprotected" in log and "only this machine can reach it" in log


def test_a_bare_streamlit_run_on_a_network_address_stops_at_its_first_script_run(env, tmp_path, servers):
    """No launcher: Streamlit starts (it has no start-up hook), but the first script run — here the
    script health check, a browser's first visit alike — logs the refusal and stops the process."""
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.address", "0.0.0.0",
               "--server.scriptHealthCheckEnabled", "true"]
    process, port = _serve(command, env, tmp_path / "server.log")
    servers.append(process)
    _get(port, "/_stcore/script-health-check")
    assert process.wait(timeout=30) == REFUSED
    _refusal_is_one_clear_sentence((tmp_path / "server.log").read_text(), "0.0.0.0", env["CXLENS_USERS"])
    assert _get(port, "/_stcore/health") is None
    assert not Path(env["CXLENS_DB"]).exists()  # stopped before anything opened the warehouse
