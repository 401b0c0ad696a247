"""``s3graph fetch``: brings the official files of the sources with a stable address into
``$S3GRAPH_HOME/downloads/<source>/``, and says how to export those without one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from loaders.fetch import Fetcher, FetchResult, Published

console = Console()


def fetch(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Sources to fetch: cordis-h2020 (all Horizon 2020 projects and participants), "
            "cordis-horizon (Horizon Europe). Default: all of them.",
            show_default=False,
        ),
    ] = None,
    list_sources: Annotated[
        bool,
        typer.Option(
            "--list", help="Show each source, its address, licence and what is downloaded."
        ),
    ] = False,
) -> None:
    """Download the official files of the sources (CORDIS Horizon 2020 and Horizon Europe).

    A second fetch of an unchanged file transfers nothing; a cut download resumes; a file is
    replaced only once it is complete and checked (a zip with the expected CSV files), so a
    failed fetch leaves what you had. Honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY. The address
    of CORDIS can be changed with S3GRAPH_CORDIS_BASE_URL.
    """
    from graph.settings import get_settings
    from loaders.fetch import BY_HAND, PUBLISHED, Fetcher, published, read_manifest

    settings = get_settings()
    if list_sources:
        table = Table("source", "address", "licence", "downloaded")
        for item in PUBLISHED:
            held = read_manifest(settings.downloads_dir / item.source)
            when = f"{held.fetched_at}, {held.size:,} bytes" if held else "-"
            table.add_row(item.source, item.url(settings.cordis_base_url), item.licence, when)
        console.print(table)
        for source, how, command in BY_HAND:
            console.print(f"[bold]{source}[/bold]: no stable address. {how}; then `{command}`.")
        return
    chosen = [published(name) for name in sources] if sources else list(PUBLISHED)
    fetcher = Fetcher(settings.downloads_dir, settings.cordis_base_url)
    for item in chosen:
        result = _fetch_with_progress(fetcher, item)
        if not result.changed:
            since = result.manifest.fetched_at
            console.print(f"{item.source}: unchanged since {since}; nothing transferred.")
        else:
            how = " (resumed)" if result.resumed else ""
            console.print(
                f"[green]{item.source}[/green]: {result.manifest.size:,} bytes{how}, checked, "
                f"in {result.path}"
            )


def _fetch_with_progress(fetcher: Fetcher, item: Published) -> FetchResult:
    """Fetches one file under a progress bar (size, speed, time left)."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"fetch {item.source}", total=None)
        return fetcher.fetch(
            item, lambda done, total: bar.update(task, completed=done, total=total)
        )


def refresh(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Sources to refresh: cordis (Horizon 2020 and Horizon Europe), een (the EEN "
            "grants' members in Horizon 2020's organization.csv). Default: both.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Fetch the official files, load those that changed, and say what changed: projects and
    organisations added, removed and changed, ties added and removed, and the regions whose
    organisations changed (the answers this touches).

    The graph then says what the new files say: what a source no longer states is removed
    (what another source also states is kept). A refused file changes nothing. The report is
    printed and written to $S3GRAPH_HOME/reports/refresh-<date>.json.
    """
    from cli.context import cli_driver
    from graph.schema import apply_schema
    from graph.settings import get_settings
    from loaders.fetch import Fetcher
    from loaders.refresh import LISTED, write_report
    from loaders.refresh import refresh as run_refresh

    settings = get_settings()
    fetcher = Fetcher(settings.downloads_dir, settings.cordis_base_url)
    with cli_driver(settings) as driver:
        apply_schema(driver, settings.neo4j_database)
        changes = run_refresh(
            settings,
            driver,
            sources or [],
            fetcher,
            fetch=_fetch_with_progress,
            say=lambda text: console.print(f"[dim]{text}[/dim]"),
        )
    for change in changes:
        console.print(change.summary())
        for label, uids in (
            ("projects added", change.projects_added),
            ("projects removed", change.projects_removed),
        ):
            if uids:
                more = f" and {len(uids) - LISTED:,} more" if len(uids) > LISTED else ""
                console.print(f"  {label}: {', '.join(uids[:LISTED])}{more}")
    path = write_report(changes, settings.home / "reports")
    console.print(f"report: {path}")
