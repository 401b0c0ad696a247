"""The ``s3graph`` command line."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from cli.commands_fetch import fetch as fetch_command
from cli.commands_fetch import refresh as refresh_command
from cli.commands_orgs import explain_org as explain_org_command
from cli.commands_queries import register_query_commands
from cli.commands_serve import serve as serve_command
from cli.commands_workshop import workshop as workshop_command
from cli.errors import err_console, report
from graph.errors import S3GraphError
from loaders.registry import LOADER_NAMES, LOADERS, entry

if TYPE_CHECKING:
    from graph.settings import Settings

console = Console()

app = typer.Typer(
    help="s3graph: a knowledge graph of European regions, clusters and support networks, "
    "for finding partnership paths from developed to less developed regions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rendering it through rich costs ~0.3 s per call
)
db_app = typer.Typer(
    help="Manage the database: the local Neo4j server and the graph schema.",
    rich_markup_mode=None,
)
app.add_typer(db_app, name="db")
app.command("explain-org")(explain_org_command)
app.command("fetch")(fetch_command)
app.command("refresh")(refresh_command)
app.command("serve")(serve_command)
app.command("workshop")(workshop_command)
register_query_commands(app)


# -- db ---------------------------------------------------------------------------------------


@db_app.command("start")
def db_start() -> None:
    """Start the local Neo4j (built on first use); does nothing if NEO4J_URI points elsewhere."""
    from graph.local import LocalNeo4j
    from graph.settings import get_settings

    settings = get_settings()
    if not settings.uses_local_server:
        console.print(f"NEO4J_URI is set ({settings.neo4j_uri}): no local server is started.")
        return
    _warn_misplaced_store(settings)
    local = LocalNeo4j(settings)
    before = local.status()
    if before.running:
        console.print(f"The local Neo4j is already running (pid {before.pid}, {local.uri}).")
        return
    started = time.monotonic()
    with console.status("Starting the local Neo4j (the first start builds it with Maven)..."):
        status = local.start()
    console.print(
        f"[green]Started[/green] the local Neo4j on {local.uri} (pid {status.pid}) in "
        f"{time.monotonic() - started:.1f} s; data in {status.data_dir}, log in {status.log_file}"
    )


@db_app.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j cleanly (SIGTERM)."""
    from graph.local import LocalNeo4j
    from graph.settings import get_settings

    local = LocalNeo4j(get_settings())
    if local.stop():
        console.print("Stopped the local Neo4j.")
    else:
        console.print("The local Neo4j was not running.")


@db_app.command("status")
def db_status() -> None:
    """Say whether the database answers, where it is, and what it holds."""
    from cli.context import cli_driver
    from graph.local import LocalNeo4j
    from graph.settings import get_settings
    from queries.stats import node_count

    settings = get_settings()
    if settings.uses_local_server:
        _warn_misplaced_store(settings)
        status = LocalNeo4j(settings).status()
        console.print(f"Local Neo4j: {status.message} (port {status.port}, data {status.data_dir})")
        if not status.running:
            raise typer.Exit(1)
    else:
        console.print(f"Neo4j: {settings.neo4j_uri} (NEO4J_URI)")
    with cli_driver(settings) as driver:
        nodes = node_count(driver, settings.neo4j_database)
        console.print(f"Connected; the graph holds {nodes:,} nodes.")


@db_app.command("init")
def db_init() -> None:
    """Create every constraint and index of the graph schema (idempotent)."""
    from cli.context import cli_driver
    from graph.schema import apply_schema
    from graph.settings import get_settings

    settings = get_settings()
    with cli_driver(settings) as driver:
        count = apply_schema(driver, settings.neo4j_database)
    console.print(f"Schema applied: {count} constraints and indexes are in place.")


def _warn_misplaced_store(settings: Settings) -> None:
    from graph.local import misplaced_store, misplaced_store_advice

    old = misplaced_store(settings)
    if old is not None:
        err_console.print(
            f"[yellow]Note:[/yellow] {misplaced_store_advice(old, settings)}", soft_wrap=True
        )


# -- load -------------------------------------------------------------------------------------


@app.command("load")
def load(
    source: Annotated[
        str, typer.Argument(help=f"One of: {', '.join(LOADER_NAMES)}, or 'all' (in that order).")
    ],
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Read this file instead of the bundled snapshot."),
    ] = None,
    sample_only: Annotated[
        bool,
        typer.Option(
            "--sample-only",
            help="cordis: the named 2 % sample of Horizon 2020 only (loads in seconds), "
            "without the near-complete participation files.",
        ),
    ] = False,
) -> None:
    """Load a source into the graph (idempotent: loading twice changes no counts)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from cli.context import cli_driver
    from graph.schema import apply_schema
    from graph.settings import get_settings
    from loaders.pipeline import run_loader

    names = list(LOADER_NAMES) if source == "all" else [entry(source).name]
    if file is not None and len(names) > 1:
        raise S3GraphError("--file goes with a single source, not 'all'")
    settings = get_settings()
    if sample_only:
        settings = settings.model_copy(update={"cordis_sample_only": True})
    with cli_driver(settings) as driver:
        apply_schema(driver, settings.neo4j_database)
        summary = Table(title="Load summary")
        for column in ("source", "rows read", "loaded", "rejected", "nodes", "relationships"):
            summary.add_column(column, justify="right" if column != "source" else "left")
        for name in names:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:,} records"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress:
                task = progress.add_task(f"load {name}", total=None)
                result = run_loader(
                    name,
                    settings,
                    driver,
                    source_path=file,
                    on_batch=lambda n, t=task: progress.advance(t, n),  # type: ignore[misc]
                )
            report = result.report
            summary.add_row(
                name,
                f"{report.rows_read:,}",
                f"{report.rows_loaded:,}",
                f"{report.rows_rejected:,}",
                f"{result.stats.node_total:,}",
                f"{result.stats.relationship_total:,}",
            )
            for note in report.notes:
                console.print(f"[dim]{name}:[/dim] {note}")
            if report.unmapped_terms:
                terms = ", ".join(t for t, _ in report.unmapped_terms.most_common(10))
                console.print(
                    f"[yellow]{name}: {len(report.unmapped_terms)} terms not mapped to a domain"
                    f"[/yellow] (most frequent: {terms})"
                )
            if result.rejects_file:
                console.print(
                    f"[yellow]{name}: {len(report.rejects)} rejects[/yellow] written to "
                    f"{result.rejects_file}"
                )
        console.print(summary)


@app.command("sources")
def sources() -> None:
    """List the sources that can be loaded, and which read files brought by `s3graph fetch`."""
    from rich.table import Table

    from graph.settings import get_settings
    from loaders.fetch import read_manifest

    downloads = get_settings().downloads_dir
    table = Table("source", "what", "needs", "reads")
    for item in LOADERS:
        fetched = [
            f"{name}, fetched {held.fetched_at} (sha256 {held.sha256[:12]}...)"
            for name in item.fetched_as
            if (held := read_manifest(downloads / name))
        ]
        reads = "; ".join(fetched) or "bundled snapshot"
        if item.fetched_as and not fetched:
            reads += f" (`s3graph fetch {' '.join(item.fetched_as)}` for the full files)"
        table.add_row(item.name, item.description, ", ".join(item.depends_on) or "-", reads)
    console.print(table)


@app.command("stats")
def stats() -> None:
    """Node and relationship counts by label and source, and how many organisations are
    located in a region or were merged from several sources."""
    from rich.table import Table

    from cli.context import cli_driver
    from graph.settings import get_settings
    from queries.stats import graph_stats

    settings = get_settings()
    with cli_driver(settings) as driver:
        result = graph_stats(driver, settings.neo4j_database)
    nodes = Table("label", "source", "nodes", title="Nodes")
    for row in result.nodes:
        nodes.add_row(row.name, row.source, f"{row.count:,}")
    rels = Table("type", "source", "relationships", title="Relationships")
    for row in result.relationships:
        rels.add_row(row.name, row.source, f"{row.count:,}")
    console.print(nodes, rels)
    console.print(
        f"Organisations: {result.organisations:,}; located in a region: "
        f"{result.organisations_located:,} ({result.share_located:.1%}); "
        f"stated by several sources (merged): {result.organisations_in_several_sources:,}"
    )


def main() -> None:
    """Entry point: errors that a user can fix are one line, not a traceback."""
    try:
        app()
    except S3GraphError as exc:
        sys.exit(report(exc))


if __name__ == "__main__":
    main()
