"""``s3graph workshop``: prepares the folder for an interregional partnership workshop."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from graph.errors import S3GraphError

console = Console()


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def workshop(
    home: Annotated[
        str,
        typer.Option(
            "--home", help="Home region (NUTS code or name, e.g. DK05) or an organisation."
        ),
    ],
    partners: Annotated[
        str,
        typer.Option(
            "--partners",
            help="Partner regions, comma-separated NUTS 2 codes or names "
            "(e.g. PT11,ITG1,BG31,EL43,CY00,NO07).",
        ),
    ],
    domains: Annotated[
        str,
        typer.Option(
            "--domains",
            help='Domains, comma-separated (e.g. "digitalisation of manufacturing,'
            'green transition,tourism").',
        ),
    ],
    call: Annotated[
        str | None,
        typer.Option("--call", help="Call whose rules the consortia must meet (data/calls/)."),
    ] = None,
    seed: Annotated[
        str | None,
        typer.Option(
            "--seed",
            help="Organisation the consortia grow from (default: the home "
            "region's best-tied organisation the call lets coordinate).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to write (default: ./workshop-<home>-<time>)."),
    ] = None,
    k: Annotated[int, typer.Option(help="Paths per domain and partner region.", min=1, max=10)] = 3,
    max_hops: Annotated[int, typer.Option(help="Longest path, in ties.", min=1, max=6)] = 4,
    brokerage: Annotated[
        bool,
        typer.Option(
            "--brokerage",
            help="Also rank the whole graph's bridging organisations per domain "
            "(betweenness; slow on a large graph).",
        ),
    ] = False,
    workers: Annotated[int, typer.Option(help="Analyses run at the same time.", min=1, max=8)] = 2,
) -> None:
    """Prepare a strategy workshop: report (prints a section a page), map, interactive
    networks and CSV/GraphML/GEXF exports in one folder that works with no internet."""
    # Imported here: plotting and rendering would slow every other command's start.
    from cli.context import cli_driver
    from graph.settings import get_settings
    from workshop.build import build_pack
    from workshop.pack import WorkshopRequest, default_out_dir

    partner_list, domain_list = _split(partners), _split(domains)
    if not partner_list:
        raise S3GraphError("--partners names no region")
    if not domain_list:
        raise S3GraphError("--domains names no domain")
    request = WorkshopRequest(
        home=home.strip(),
        partners=partner_list,
        domains=domain_list,
        call=call,
        seed=seed,
        k=k,
        max_hops=max_hops,
        brokerage=brokerage,
        workers=workers,
    )
    folder = out or default_out_dir(request.home)
    started = time.monotonic()

    def progress(step: str) -> None:
        console.print(f"[dim]{time.monotonic() - started:6.1f} s[/dim]  {step}")

    settings = get_settings()
    with cli_driver(settings) as driver:
        result = build_pack(driver, settings, request, folder, progress)
    data = result.data
    found = sum(len(run.found) for run in data.paths)
    feasible = sum(1 for c in data.consortia if c.result and c.result.feasible)
    console.print(
        f"[green]Workshop pack ready[/green] in {result.seconds:.1f} s: {result.folder}/\n"
        f"  report   {result.report}\n"
        f"  map      {result.map.png}\n"
        f"  files    {len(result.files)} (views/, exports/)\n"
        f"  {len(data.partners)} partner regions, {len(data.domains)} domains, {found} paths, "
        f"{len(data.brokers)} brokers, consortia feasible in {feasible} of "
        f"{len(data.consortia)} domains, {len(data.gaps)} coverage gaps listed"
    )
