"""Query commands answered by a running ``s3graph serve``, when one serves the same graph.

A command is a new process: on its own it connects to Neo4j and reads the route index before it
can search. The service has both warm and remembers answers, so asking it costs one look at
``/health`` and one request. It is asked only when it serves the same Neo4j and database as the
command would use, and its answer is used only when it holds for the graph version ``/health``
reads; anything else (no service, another graph, a refusal, an error status, an answer of an
older version) and the command queries Neo4j itself, as it does without a service, so its
output and its errors are the same either way. ``S3GRAPH_SERVICE`` names the service (empty:
never ask).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ValidationError

from api.headers import GRAPH_VERSION
from graph.settings import Settings

if TYPE_CHECKING:
    from neo4j import Driver

M = TypeVar("M", bound=BaseModel)

HEALTH_TIMEOUT_S = 1.0  # a service that does not answer /health within this is not used


def answer(
    settings: Settings,
    path: str,
    params: dict[str, Any],
    model: type[M],
    compute: Callable[[Driver], M],
) -> M:
    """The service's answer when it may be used (``ask_service``), else ``compute`` on a driver
    of the command's own (imported only then: the driver alone takes a quarter second)."""
    found = ask_service(settings, path, params, model)
    if found is not None:
        return found
    from cli.context import cli_driver

    with cli_driver(settings) as driver:
        return compute(driver)


def ask_service(settings: Settings, path: str, params: dict[str, Any], model: type[M]) -> M | None:
    """The service's answer to ``path?params`` as ``model``, or None when the command should
    query Neo4j itself (see the module docstring)."""
    base = settings.service_url.strip().rstrip("/")
    if not base:
        return None
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=HEALTH_TIMEOUT_S) as response:
            health = json.loads(response.read())
        if (
            health.get("neo4j") != settings.neo4j_location
            or health.get("database") != settings.neo4j_database
        ):
            return None
        query = urlencode({k: v for k, v in params.items() if v is not None})
        # the service stops a query at the same timeout as the command would; a little more
        # for the request itself
        timeout = settings.query_timeout + 5.0
        with urllib.request.urlopen(f"{base}{path}?{query}", timeout=timeout) as response:
            version = response.headers.get(GRAPH_VERSION)
            body = response.read()
        if version is None or version != str(health.get("graph_version")):
            return None
        return model.model_validate_json(body)
    except (OSError, ValueError, ValidationError, AttributeError):
        # OSError: no service, refused, timed out, HTTP error statuses (urllib.error.HTTPError);
        # ValueError: a body that is not JSON; AttributeError: JSON that is not an object
        return None
