"""One driver per CLI command: opened on first use, closed when the command ends.

A command is a new process: what the queries keep per graph version (the route index) is kept
on disk too, in ``$S3GRAPH_HOME/cache``, so that the next command finds it there instead of
reading it from Neo4j again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from neo4j import Driver

from graph.connection import open_driver
from graph.settings import Settings, get_settings
from queries.versioned import keep_copies_in


@contextmanager
def cli_driver(settings: Settings | None = None) -> Iterator[Driver]:
    settings = settings or get_settings()
    server = settings.neo4j_uri or f"local:{settings.local_port}"
    keep_copies_in(settings.home / "cache", server)
    driver = open_driver(settings)
    try:
        yield driver
    finally:
        driver.close()
