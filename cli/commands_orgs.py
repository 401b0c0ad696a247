"""``s3graph explain-org``: why an organisation is one node (which source records it joins and
by which rule) and where it was located."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from graph.errors import NotFound

console = Console()


def explain_org(
    name: Annotated[str, typer.Argument(help="Name (or part of it) of the organisation.")],
    limit: Annotated[int, typer.Option(help="How many matching organisations to show.")] = 5,
) -> None:
    """Show the source records behind an organisation and the evidence of each merge."""
    from cli.context import cli_driver
    from graph.settings import get_settings
    from queries.organisations import explain_organisations

    settings = get_settings()
    with cli_driver(settings) as driver:
        found = explain_organisations(driver, name, settings.neo4j_database, limit)
    if not found:
        raise NotFound(f"no organisation's name matches '{name}'")
    for org in found:
        console.print(f"[bold]{org.name}[/bold]  {org.uid}  ({org.country_code or '?'})")
        keys = [f"{k} {v}" for k, v in (("PIC", org.pic), ("VAT", org.vat)) if v]
        if org.web_domain:
            keys.append(f"web {org.web_domain}")
        if keys:
            console.print("  keys: " + ", ".join(keys))
        console.print("  sources: " + (", ".join(org.sources) or "-"))
        for source_id in org.source_ids:
            console.print(f"    source id {source_id}")
        if org.aliases:
            console.print("  also named: " + "; ".join(org.aliases))
        if org.merge_evidence:
            console.print("  merged:")
            for evidence in org.merge_evidence:
                console.print(f"    {evidence}")
        else:
            console.print("  merged: nothing (one source record)")
        where = org.region or "no region"
        how = f" (from {org.nuts_from}: {org.nuts_detail})" if org.nuts_from else ""
        console.print(f"  located in: {where}{how}")
