"""The HTTP service: read endpoints for look-ups and partnership queries, the visual explorer,
and exports. Writing (loading sources) stays on the command line.

One driver per process, opened in the lifespan and closed at shutdown (``api/database.py``).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api.answers import AnswerMemory
from api.database import DatabaseHandle
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.limits import BodySizeLimit, RateLimit, parse_rate
from api.routes import (
    clusters,
    domains,
    explorer,
    export,
    health,
    hubs,
    organisations,
    queries,
    regions,
    search,
    stats,
)
from graph.errors import S3GraphError
from graph.settings import Settings, get_settings
from queries.warmup import warm_up as warm_up_queries

# Swagger UI 5 (OpenAPI 3.1) as shipped by the fastapi-offline package: no CDN, works offline.
SWAGGER_UI = Path(str(files("fastapi_offline") / "static"))

DESCRIPTION = """
Read-only API of the s3graph knowledge graph: European regions with their cohesion category,
organisations, hubs, clusters and domains, and the partnership queries (paths from developed
to less developed regions, who can connect us to X, brokers, S3 overlap, I3 consortium
candidates). The visual explorer is at `/`. Loading data is done with the `s3graph` command.

Errors are JSON `{"detail": "..."}`: 404 for unknown things (with `suggestions`), 422 for bad
input, 503 while Neo4j is unreachable, 504 when a query runs past the timeout.
"""


def create_app(
    settings: Settings | None = None, *, start_local: bool = True, warm_up: bool = False
) -> FastAPI:
    """The application; ``settings`` default to the environment's. With no NEO4J_URI the local
    Neo4j is started (if it is not running) when the application starts, unless
    ``start_local`` is False. ``warm_up`` runs the main queries once in the background after
    start-up (``queries/warmup.py``), as ``s3graph serve`` does."""
    settings = settings or get_settings()
    database = DatabaseHandle(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(database.start, settings.uses_local_server and start_local)
        if warm_up:
            threading.Thread(target=_warm_up, args=(database,), daemon=True).start()
        try:
            yield
        finally:
            await run_in_threadpool(database.close)

    app = FastAPI(
        title="s3graph",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.answers = AnswerMemory(settings.version_check_seconds)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit)
    if settings.rate_limit:
        app.add_middleware(RateLimit, items=parse_rate(settings.rate_limit))

    for module in (
        health,
        stats,
        regions,
        organisations,
        hubs,
        clusters,
        domains,
        search,
        queries,
        export,
        explorer,
    ):
        app.include_router(module.router)

    # API docs with Swagger UI served from an installed package: no CDN, works offline.
    app.mount("/static/swagger", StaticFiles(directory=str(SWAGGER_UI)), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="s3graph API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    return app


def _warm_up(database: DatabaseHandle) -> None:
    """Background warm-up: skipped when Neo4j is not reachable (requests answer 503 anyway)."""
    try:
        driver = database.driver()
    except S3GraphError:
        return
    warm_up_queries(driver, database.settings.neo4j_database)
