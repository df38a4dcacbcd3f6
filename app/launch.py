"""`python -m app [--allow-unprotected] [streamlit options]`: the documented way to start CX Lens.

Why a launcher: Streamlit has no start-up hook, so the app itself can only notice a dangerous
bind address when the first visitor runs the script. This launcher decides BEFORE the server
starts: it resolves the address exactly as `streamlit run` will (Streamlit's own flag parser and
config loader, so `--server.address`, STREAMLIT_SERVER_ADDRESS, ~/.streamlit/config.toml and the
project's .streamlit/config.toml are merged in Streamlit's order), and when the address is reachable
from other machines while no users are configured it exits with status 78 (EX_CONFIG, so a
supervisor can tell "misconfigured" from "crashed") and one sentence saying what to do. Otherwise
it replaces itself with `python -m streamlit run streamlit_app.py <options>` (same process id, so
signals and supervisors see Streamlit directly).

`--allow-unprotected` is the explicit override (it sets CXLENS_ALLOW_UNPROTECTED=1 for the server,
so the app's own check agrees). Someone who bypasses the launcher with a bare `streamlit run` is
still stopped by the app at the first visit (app/ui/server_stop.py).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from app.auth.exposure import ALLOW_UNPROTECTED_ENV, Exposure, assess
from app.auth.users import UsersFileError, load_users, users_path
from app.settings import PROJECT_ROOT

ENTRY = PROJECT_ROOT / "streamlit_app.py"
OVERRIDE_FLAG = "--allow-unprotected"
EXIT_REFUSED = 78  # sysexits.h EX_CONFIG
EXIT_USAGE = 2


def streamlit_flag_options(options: list[str]) -> dict[str, Any]:
    """Streamlit's own parse of `streamlit run` options: {'server_address': '0.0.0.0', …}.

    Raises click.UsageError (or click.exceptions.Exit for --help) like `streamlit run` would.
    """
    from streamlit.web import cli

    context = cli.main_run.make_context("run", [str(ENTRY), *options])
    return {k: v for k, v in context.params.items() if k not in ("target", "args")}


def resolved_address(flag_options: dict[str, Any]) -> str | None:
    """server.address as the server will see it: defaults < config files < environment < flags."""
    from streamlit import config
    from streamlit.web import bootstrap

    config._main_script_path = str(ENTRY)  # as `streamlit run` does: script-level config counts too
    bootstrap.load_config_options(flag_options=flag_options)
    return config.get_option("server.address")


def _has_users() -> tuple[bool, str | None]:
    """(users configured?, problem). A broken users file counts as configured: the app locks out."""
    try:
        return bool(load_users()), None
    except UsersFileError as exc:
        return True, str(exc)


def check_exposure(options: list[str], environ: dict[str, str]) -> Exposure:
    has_users, _ = _has_users()
    return assess(resolved_address(streamlit_flag_options(options)), has_users, environ)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ)
    if OVERRIDE_FLAG in args:
        args = [a for a in args if a != OVERRIDE_FLAG]
        environ[ALLOW_UNPROTECTED_ENV] = "1"
    import click

    try:
        exposure = check_exposure(args, environ)
    except click.exceptions.Exit as done:  # --help
        return int(done.exit_code)
    except click.ClickException as exc:
        print(f"CX Lens: {exc.format_message()}", file=sys.stderr)
        return EXIT_USAGE
    users_file = users_path()
    if exposure.refused:
        print(exposure.refusal_sentence(users_file), file=sys.stderr)
        return EXIT_REFUSED
    _, problem = _has_users()
    if problem:
        print(f"CX Lens: the users file cannot be read, nobody can sign in: {problem}", file=sys.stderr)
    elif exposure.unprotected:
        print(exposure.unprotected_sentence(users_file), file=sys.stderr)
    sys.stderr.flush()
    command = [sys.executable, "-m", "streamlit", "run", str(ENTRY), *args]
    os.execve(sys.executable, command, environ)
    return 0  # not reached: execve replaces this process
