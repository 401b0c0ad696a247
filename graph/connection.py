"""Opening a driver: to ``NEO4J_URI`` when set, else to the local server (started if needed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
from neo4j import Driver, GraphDatabase, NotificationMinimumSeverity
from neo4j.exceptions import AuthError, ServiceUnavailable

from graph.errors import AuthenticationFailed, DatabaseUnavailable
from graph.local import LocalNeo4j
from graph.settings import Settings


def resolve_target(settings: Settings, start_local: bool = True) -> tuple[str, str, str]:
    """Returns (uri, user, password), starting the local server when no NEO4J_URI is set."""
    if settings.neo4j_uri:
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
        return settings.neo4j_uri, settings.neo4j_user, password
    local = LocalNeo4j(settings)
    if start_local:
        local.start()
    return local.uri, "neo4j", local.password()


def open_driver(settings: Settings, start_local: bool = True, retry_time: float = 30.0) -> Driver:
    """Opens and verifies a driver; failures become one-line errors that name the setting to fix.

    ``retry_time`` bounds how long managed transactions are retried after a lost connection or
    a transient error: long enough for a load to ride out a Neo4j restart; a web request wants
    it short, so that an outage is answered (503) rather than waited out.
    """
    uri, user, password = resolve_target(settings, start_local)
    # Notifications off: they warn about property keys a graph does not hold yet (normal before
    # a source is loaded) and would drown a user's output.
    driver = GraphDatabase.driver(
        uri,
        auth=(user, password),
        connection_timeout=10.0,
        max_transaction_retry_time=retry_time,
        notifications_min_severity=NotificationMinimumSeverity.OFF,
    )
    try:
        driver.verify_connectivity()
    except AuthError as exc:
        driver.close()
        where = "NEO4J_USER / NEO4J_PASSWORD" if settings.neo4j_uri else "NEO4J_PASSWORD"
        raise AuthenticationFailed(
            f"Neo4j at {uri} refused the password for user '{user}': check {where}"
        ) from exc
    except (ServiceUnavailable, OSError, neo4j.exceptions.DriverError) as exc:
        driver.close()
        hint = "check NEO4J_URI" if settings.neo4j_uri else "run 's3graph db start'"
        raise DatabaseUnavailable(f"Neo4j at {uri} is not reachable ({exc}): {hint}") from exc
    return driver


@contextmanager
def driver_session(settings: Settings) -> Iterator[Driver]:
    """A driver for one command's lifetime."""
    driver = open_driver(settings)
    try:
        yield driver
    finally:
        driver.close()
