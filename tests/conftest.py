"""Test harness: a real Neo4j for the whole session.

With ``NEO4J_URI`` set the tests use that database; otherwise they start the project's local
server on a free port with a throwaway data folder, and stop it at the end. Each test that takes
the ``graph`` fixture starts from an empty graph with the schema in place.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from neo4j import Driver

from api.app import create_app
from graph.connection import open_driver
from graph.local import LocalNeo4j
from graph.schema import apply_schema
from graph.settings import Settings, get_settings

# Tests load the named 2 % sample of Horizon 2020; one slow test loads the near-complete files.
os.environ.setdefault("S3GRAPH_CORDIS_SAMPLE_ONLY", "1")
# Tests send requests as fast as the client goes, from one address: the per-client limit is off
# except where a test switches it on.
os.environ.setdefault("S3GRAPH_RATE_LIMIT", "")
# Tests load and ask again at once: the service checks the graph version at every request.
os.environ.setdefault("S3GRAPH_VERSION_CHECK_SECONDS", "0")

CLEAR_GRAPH = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"

# Debian's Chromium, driven by Playwright in the browser tests (``make test`` installs it).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Figures the reliability tests count as they run (bad rows generated, hostile requests sent,
# faults injected), printed in the terminal summary: output written during a test is captured.
CLOSING_FIGURES: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CLOSING_FIGURES:
        terminalreporter.section("reliability figures")
        for name, figures in CLOSING_FIGURES.items():
            terminalreporter.write_line(f"{name}: {figures}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_service(settings: Settings) -> Iterator[str]:
    """The HTTP service in a thread, on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive(), "the service did not start"
        assert time.monotonic() < deadline, "the service did not start within 60 s"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def local_settings(home: Path, port: int | None = None) -> Settings:
    return Settings(
        S3GRAPH_HOME=home,
        S3GRAPH_NEO4J_PORT=port or free_port(),
        S3GRAPH_NEO4J_HEAP="768m",
        S3GRAPH_NEO4J_PAGECACHE="128m",
    )


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    if os.environ.get("NEO4J_URI"):
        yield Settings()
        return
    settings = local_settings(tmp_path_factory.mktemp("s3graph-home"))
    local = LocalNeo4j(settings)
    local.start()
    try:
        yield settings
    finally:
        local.stop()


@pytest.fixture(scope="session")
def driver(settings: Settings) -> Iterator[Driver]:
    driver = open_driver(settings)
    apply_schema(driver, settings.neo4j_database)
    yield driver
    driver.close()


@pytest.fixture
def graph(driver: Driver, settings: Settings) -> Driver:
    """An empty graph (schema kept) for one test."""
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()
    return driver


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Points the CLI (which reads the environment) at the test database, asking no running
    service (``tests/test_cli_service.py`` turns that on)."""
    monkeypatch.setenv("S3GRAPH_SERVICE", "")
    if not os.environ.get("NEO4J_URI"):
        monkeypatch.setenv("S3GRAPH_HOME", str(settings.home))
        monkeypatch.setenv("S3GRAPH_NEO4J_PORT", str(settings.local_port))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()
