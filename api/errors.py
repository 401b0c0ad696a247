"""Errors as JSON ``{"detail": message}`` with the right status, never a traceback.

404 for unknown things (with close matches), 422 for bad input, 503 when Neo4j is unreachable,
504 when a query runs past the timeout; anything unexpected is logged and answered with a short
500 message. Explorer pages get the same message as an HTML page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from pydantic import BaseModel, Field

from api.templating import templates
from graph.errors import (
    AuthenticationFailed,
    BadInput,
    DatabaseUnavailable,
    NotFound,
    QueryTimeout,
    S3GraphError,
)

log = logging.getLogger("s3graph.api")


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    """The body of every error response."""

    detail: str = Field(description="What went wrong, and what to do about it.")
    suggestions: list[str] = Field(default_factory=list, description="Close matches (404).")
    errors: list[ValidationIssue] | None = Field(
        default=None, description="Each invalid parameter (422)."
    )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The request cannot be answered as asked."},
    404: {"model": ErrorOut, "description": "Unknown region, organisation, domain..."},
    422: {"model": ErrorOut, "description": "Invalid input."},
    500: {"model": ErrorOut, "description": "Unexpected error (logged on the server)."},
    503: {"model": ErrorOut, "description": "Neo4j is not reachable."},
    504: {"model": ErrorOut, "description": "The query ran longer than the timeout."},
}


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return path == "/" or path.startswith("/explore")


def error_response(
    request: Request,
    status: int,
    detail: str,
    suggestions: Sequence[str] = (),
    errors: list[ValidationIssue] | None = None,
) -> Response:
    if _wants_html(request):
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "detail": detail, "suggestions": list(suggestions)},
            status_code=status,
        )
    body = ErrorOut(detail=detail, suggestions=list(suggestions), errors=errors)
    return JSONResponse(body.model_dump(mode="json", exclude_none=True), status_code=status)


def _issue(error: dict[str, Any]) -> ValidationIssue:
    loc = [part for part in error.get("loc", ()) if isinstance(part, str | int)]
    return ValidationIssue(loc=loc, msg=str(error.get("msg", "")), type=str(error.get("type", "")))


def _where(issue: ValidationIssue) -> str:
    names = [str(part) for part in issue.loc if part not in ("query", "path", "body")]
    return ".".join(names) or "request"


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    issues = [_issue(e) for e in exc.errors()]
    detail = "; ".join(f"{_where(i)}: {i.msg}" for i in issues) or "invalid request"
    return error_response(request, 422, detail, errors=issues)


async def _bad_input(request: Request, exc: Exception) -> Response:
    return error_response(request, 422, str(exc))


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFound)
    return error_response(request, 404, str(exc), exc.suggestions)


async def _unavailable(request: Request, exc: Exception) -> Response:
    return error_response(
        request,
        503,
        f"Neo4j is not reachable ({exc}); the service reconnects by itself once it is back",
    )


async def _timeout(request: Request, exc: Exception) -> Response:
    return error_response(request, 504, str(exc))


async def _s3graph(request: Request, exc: Exception) -> Response:
    return error_response(request, 400, str(exc))


async def _neo4j(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Neo4jError)
    code = exc.code or ""
    if "TimedOut" in code or "Terminated" in code:
        timeout = request.app.state.settings.query_timeout
        return error_response(
            request,
            504,
            f"the query ran longer than {timeout:g} s and was stopped: narrow it down "
            "(fewer hops, a domain, a smaller k) or raise S3GRAPH_QUERY_TIMEOUT",
        )
    if code.startswith("Neo.TransientError"):
        return error_response(request, 503, f"Neo4j is busy ({code}): try again shortly")
    log.error("Neo4j error on %s: %s", request.url.path, exc)
    return error_response(request, 500, f"the database refused the query ({code})")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return error_response(
        request, 500, f"unexpected error ({type(exc).__name__}); it is logged on the server"
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(BadInput, _bad_input)
    app.add_exception_handler(QueryTimeout, _timeout)
    app.add_exception_handler(NotFound, _not_found)
    for unavailable in (
        DatabaseUnavailable,
        AuthenticationFailed,
        ServiceUnavailable,
        SessionExpired,
    ):
        app.add_exception_handler(unavailable, _unavailable)
    app.add_exception_handler(S3GraphError, _s3graph)
    app.add_exception_handler(Neo4jError, _neo4j)
    app.add_exception_handler(Exception, _unexpected)
