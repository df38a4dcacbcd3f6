"""May the app serve data from this address without users? Only to this machine (loopback).

Streamlit listens on EVERY interface when `server.address` is not set, so the project's
.streamlit/config.toml sets 127.0.0.1. Someone who binds another address (`--server.address
0.0.0.0`, STREAMLIT_SERVER_ADDRESS, a config file) with no users configured publishes the company's
CX data to the network; the app refuses to serve that unless CXLENS_ALLOW_UNPROTECTED=1 says it
is intended (say, behind a proxy that authenticates). The address comes from
`st.get_option("server.address")`, which already merges flags, environment and config files.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ALLOW_UNPROTECTED_ENV = "CXLENS_ALLOW_UNPROTECTED"
_TRUE = {"1", "true", "yes", "on"}


def is_loopback(address: str | None) -> bool:
    """True when a server bound to `address` is reachable from this machine only.

    None or "" means every interface (Streamlit's default). A Unix socket is local (file
    permissions guard it). A host name counts as loopback only if every address it resolves to
    is; a name that does not resolve counts as exposed (fail closed).
    """
    if address is None or not address.strip():
        return False
    value = address.strip()
    if value.startswith("unix://"):
        return True
    value = value.strip("[]")
    try:
        return ipaddress.ip_address(value).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(value, None)
    except (OSError, UnicodeError):
        return False
    resolved = {info[4][0] for info in infos}
    return bool(resolved) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in resolved)


@dataclass(frozen=True)
class Exposure:
    address: str | None
    loopback: bool
    has_users: bool
    override: bool

    @property
    def unprotected(self) -> bool:
        """No users configured: everyone who reaches the app is treated as an admin."""
        return not self.has_users

    @property
    def refused(self) -> bool:
        """Unprotected and reachable from the network, without the explicit override."""
        return self.unprotected and not self.loopback and not self.override

    def describe_address(self) -> str:
        return self.address.strip() if self.address and self.address.strip() else "all interfaces"

    def refusal_sentence(self, users_file: Path | str, refuses_to: str = "start") -> str:
        """The one sentence an operator reads when the app will not serve (launcher and server log)."""
        would = "would listen" if refuses_to == "start" else "listens"
        return (
            f"CX Lens refuses to {refuses_to}: it {would} on {self.describe_address()}, which other "
            f"machines can reach, and no users are configured in {users_file}; add one with "
            "`python -m pipelines users add NAME --role admin`, bind 127.0.0.1, or, if something "
            f"in front of the app already authenticates, set {ALLOW_UNPROTECTED_ENV}=1 "
            "(`python -m app --allow-unprotected`)."
        )

    def unprotected_sentence(self, users_file: Path | str) -> str:
        """Said at start-up when the app runs without sign-in (allowed on loopback or by override)."""
        where = "only this machine can reach it" if self.loopback else f"{ALLOW_UNPROTECTED_ENV} is set"
        return (
            f"CX Lens is unprotected: no users are configured in {users_file}, so everyone who opens "
            f"it acts as admin ({where}); add users with `python -m pipelines users add NAME --role admin`."
        )


def assess(address: str | None, has_users: bool, environ: Mapping[str, str] | None = None) -> Exposure:
    environ = os.environ if environ is None else environ
    override = environ.get(ALLOW_UNPROTECTED_ENV, "").strip().lower() in _TRUE
    return Exposure(address, is_loopback(address), has_users, override)
