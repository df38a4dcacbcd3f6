"""Which bind addresses count as this-machine-only, and when the app refuses to serve."""

from __future__ import annotations

import pytest

from app.auth.exposure import assess, is_loopback


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", " 127.0.0.1 ", "unix:///run/cxlens.sock"],
)
def test_loopback_addresses(address):
    assert is_loopback(address)


@pytest.mark.parametrize(
    "address",
    [None, "", "  ", "0.0.0.0", "::", "10.0.0.5", "192.168.1.20", "no-such-host.invalid", "example.com"],
)
def test_addresses_other_machines_can_reach(address):
    assert not is_loopback(address)


def test_unprotected_server_on_a_network_address_is_refused_unless_overridden():
    assert assess("0.0.0.0", has_users=False, environ={}).refused
    assert assess(None, has_users=False, environ={}).refused  # Streamlit's default: every interface
    assert not assess("0.0.0.0", has_users=False, environ={"CXLENS_ALLOW_UNPROTECTED": "1"}).refused
    assert assess("0.0.0.0", has_users=False, environ={"CXLENS_ALLOW_UNPROTECTED": "0"}).refused
    assert not assess("0.0.0.0", has_users=True, environ={}).refused
    local = assess("127.0.0.1", has_users=False, environ={})
    assert not local.refused and local.unprotected


def test_the_project_config_binds_loopback():
    import tomllib

    from app.settings import PROJECT_ROOT

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert is_loopback(config["server"]["address"])
