"""The service's one Neo4j driver.

Opened at start-up. When Neo4j cannot be reached then (or the credentials are refused), the
service still starts and answers 503; a later request tries again, at most once a second, so the
service recovers by itself once Neo4j is back instead of holding on to a dead connection. A
driver that is open keeps working across a Neo4j restart: its pool opens fresh connections.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from neo4j import Driver

from graph.connection import open_driver
from graph.errors import AuthenticationFailed, DatabaseUnavailable, LocalServerError
from graph.settings import Settings

log = logging.getLogger("s3graph.api")

RETRY_INTERVAL = 1.0
# How long a request's managed transactions are retried when Neo4j goes away: a restart within
# it is waited out; a longer outage is answered 503 instead of holding the worker a minute.
REQUEST_RETRY_TIME = 3.0

Opener = Callable[[Settings, bool], Driver]


def open_request_driver(settings: Settings, start_local: bool) -> Driver:
    return open_driver(settings, start_local, retry_time=REQUEST_RETRY_TIME)


class DatabaseHandle:
    def __init__(self, settings: Settings, opener: Opener = open_request_driver) -> None:
        self.settings = settings
        self._opener = opener
        self._driver: Driver | None = None
        self._lock = threading.Lock()
        self._last_error = "Neo4j has not been contacted yet"
        self._next_attempt = 0.0

    def start(self, start_local: bool) -> None:
        """Opens the driver (starting the local server when asked); a failure is logged, and
        requests answer 503 until Neo4j can be reached."""
        try:
            self._open(start_local)
        except (DatabaseUnavailable, AuthenticationFailed, LocalServerError) as exc:
            log.warning("Neo4j is not available at start-up: %s", exc)

    def driver(self) -> Driver:
        """The open driver, or one opened now; DatabaseUnavailable when Neo4j cannot be reached."""
        driver = self._driver
        if driver is not None:
            return driver
        with self._lock:
            if self._driver is not None:
                return self._driver
            if time.monotonic() < self._next_attempt:
                raise DatabaseUnavailable(self._last_error)
            try:
                return self._open(start_local=False)
            except (AuthenticationFailed, LocalServerError) as exc:
                raise DatabaseUnavailable(str(exc)) from exc

    def _open(self, start_local: bool) -> Driver:
        try:
            driver = self._opener(self.settings, start_local)
        except (DatabaseUnavailable, AuthenticationFailed, LocalServerError) as exc:
            self._last_error = str(exc)
            self._next_attempt = time.monotonic() + RETRY_INTERVAL
            raise
        self._driver = driver
        return driver

    @property
    def connected(self) -> bool:
        return self._driver is not None

    def close(self) -> None:
        with self._lock:
            if self._driver is not None:
                self._driver.close()
                self._driver = None
