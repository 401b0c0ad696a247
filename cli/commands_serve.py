"""``s3graph serve``: the HTTP API and the visual explorer, on loopback by default."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    start_db: Annotated[
        bool,
        typer.Option(
            "--start-db/--no-start-db",
            help="Start the local Neo4j first (ignored when NEO4J_URI is set).",
        ),
    ] = True,
) -> None:
    """Serve the HTTP API and the visual explorer (read-only; loading stays on the CLI)."""
    import uvicorn

    from api.app import create_app
    from api.server import AnnouncingServer
    from graph.local import LocalNeo4j
    from graph.settings import get_settings

    settings = get_settings()
    if settings.uses_local_server and start_db:
        local = LocalNeo4j(settings)
        if not local.status().running:
            started = time.monotonic()
            with console.status("Starting the local Neo4j..."):
                local.start()
            console.print(
                f"Started the local Neo4j on {local.uri} in {time.monotonic() - started:.1f} s"
            )
    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    url = f"http://{shown_host}:{port}/"

    def announce() -> None:
        # soft_wrap: the URLs stay whole on one line, whatever the terminal width
        console.print(f"[green]s3graph explorer:[/green] {url}", soft_wrap=True)
        console.print(f"API docs: {url}docs  (Ctrl+C stops the service)", soft_wrap=True)

    config = uvicorn.Config(
        create_app(settings, start_local=start_db, warm_up=True),
        host=host,
        port=port,
        log_level="info",
    )
    AnnouncingServer(config, announce).run()
