"""The local Neo4j: start, status, stop, stale pid files, a wrong password, a killed server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError
from pydantic import SecretStr

from graph.connection import open_driver
from graph.errors import AuthenticationFailed, DatabaseUnavailable
from graph.local import LocalNeo4j
from graph.settings import Settings
from tests.conftest import local_settings

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("NEO4J_URI")), reason="manages the project's own local server"
)


def test_status_of_running_session_server(settings: Settings) -> None:
    status = LocalNeo4j(settings).status()
    assert status.running
    assert status.message == "running"


def test_second_start_returns_the_running_server(settings: Settings) -> None:
    local = LocalNeo4j(settings)
    before = local.status()
    after = local.start()
    assert after.pid == before.pid


def test_password_is_generated_once_and_kept_private(settings: Settings) -> None:
    local = LocalNeo4j(settings)
    first = local.password()
    assert len(first) >= 16 and first != "neo4j"
    assert LocalNeo4j(settings).password() == first
    assert oct(local.config_file.stat().st_mode & 0o777) == "0o600"


def _listening_addresses(port: int) -> set[str]:
    """Hex addresses of sockets listening on ``port``, from /proc/net/tcp and tcp6."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="utf-8") as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                address, port_hex = fields[1].split(":")
                if fields[3] == "0A" and int(port_hex, 16) == port:
                    found.add(address)
    return found


def test_bolt_listens_on_loopback_only(settings: Settings) -> None:
    addresses = _listening_addresses(settings.local_port)
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1, v4 and v4-mapped
    assert addresses, "nothing listens on the Bolt port"
    assert addresses <= loopback


def test_default_password_is_refused(settings: Settings) -> None:
    """The launcher sets the password at every start: neo4j/neo4j never gets in."""
    uri = f"bolt://127.0.0.1:{settings.local_port}"
    with GraphDatabase.driver(uri, auth=("neo4j", "neo4j")) as default, pytest.raises(AuthError):
        default.verify_connectivity()


def test_wrong_password_names_the_setting(settings: Settings) -> None:
    wrong = settings.model_copy(update={"neo4j_password": SecretStr("not-the-password")})
    with pytest.raises(AuthenticationFailed, match="NEO4J_PASSWORD"):
        open_driver(wrong, start_local=False)


def test_stale_pid_file_is_handled(tmp_path: Path) -> None:
    local = LocalNeo4j(local_settings(tmp_path))
    local.root.mkdir(parents=True)
    local.pid_file.write_text("999999")
    status = local.status()
    assert not status.running
    assert "stale" in status.message
    assert local.stop() is False
    assert not local.pid_file.exists()


@pytest.mark.slow
def test_lifecycle_restart_keeps_data_and_kill_gives_clear_error(tmp_path: Path) -> None:
    settings = local_settings(tmp_path)
    local = LocalNeo4j(settings)
    local.start()
    try:
        driver = open_driver(settings)
        driver.execute_query("CREATE (:Probe {name: 'Trøndelag'})")
        driver.close()
        assert local.stop() is True
        assert not local.status().running

        local.start()
        driver = open_driver(settings)
        records, _, _ = driver.execute_query("MATCH (p:Probe) RETURN p.name AS name")
        assert [r["name"] for r in records] == ["Trøndelag"]
        driver.close()

        local.kill()
        assert not local.status().running
        with pytest.raises(DatabaseUnavailable, match="s3graph db start"):
            open_driver(settings, start_local=False)
    finally:
        local.stop()
