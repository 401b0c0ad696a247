"""One driver per CLI command: opened on first use, closed when the command ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from neo4j import Driver

from graph.connection import open_driver
from graph.settings import Settings, get_settings


@contextmanager
def cli_driver(settings: Settings | None = None) -> Iterator[Driver]:
    driver = open_driver(settings or get_settings())
    try:
        yield driver
    finally:
        driver.close()
