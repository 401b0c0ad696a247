"""The partnership-intelligence commands: ``s3graph paths``, ``connect``, ``brokers``,
``overlap`` and ``consortium``, as readable tables or, with ``--json``, the result models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.errors import EXIT_AMBIGUOUS
from queries.bounds import MAX_HOPS, MAX_K

if TYPE_CHECKING:
    from neo4j import Driver
    from pydantic import BaseModel

    from queries.models import Ambiguity, OverlapResult, PartnerRanking, Path


console = Console()

KIND_NAMES: tuple[str, ...] = (
    "region",
    "country",
    "organisation",
    "domain",
    "hub",
    "cluster",
    "project",
    "consortium",
    "partnership",
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
HopsOption = Annotated[
    int, typer.Option("--max-hops", min=1, max=MAX_HOPS, help="Longest path, in relationships.")
]


def register_query_commands(app: typer.Typer) -> None:
    """Adds the five query commands to the ``s3graph`` app."""
    app.command("paths")(paths_command)
    app.command("connect")(connect_command)
    app.command("brokers")(brokers_command)
    app.command("overlap")(overlap_command)
    app.command("consortium")(consortium_command)


# -- commands -----------------------------------------------------------------------------------


def paths_command(
    start: Annotated[str, typer.Argument(help="Organisation or region (NUTS id or name).")],
    to_category: Annotated[
        str,
        typer.Option(
            "--to-category",
            help="'less developed', 'transition', 'more developed' or 'outermost'.",
        ),
    ] = "less developed",
    to: Annotated[
        str | None, typer.Option("--to", help="A region or country instead of a category.")
    ] = None,
    domain: Annotated[str | None, typer.Option(help="Thematic domain (code or term).")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=MAX_K, help="How many paths.")] = 10,
    max_hops: HopsOption = 4,
    as_json: JsonOption = False,
) -> None:
    """Partnership paths from an organisation or region to organisations in regions of a
    cohesion category (or in a region or country), best first, with the score explained.
    A running `s3graph serve` of the same graph answers it when there is one (S3GRAPH_SERVICE)."""
    from cli.service import answer
    from graph.settings import get_settings
    from queries.models import PathsResult

    settings = get_settings()

    def compute(driver: Driver) -> PathsResult:
        from queries.paths import paths

        return paths(
            driver,
            start,
            to_category=to_category,
            to=to,
            domain=domain,
            k=k,
            max_hops=max_hops,
            database=settings.neo4j_database,
            timeout=settings.query_timeout,
        )

    question = {
        "from": start,
        "to_category": to_category,
        "to": to,
        "domain": domain,
        "k": k,
        "max_hops": max_hops,
    }
    result = answer(settings, "/paths", question, PathsResult, compute)
    if _emit(result, as_json, result.ambiguities):
        return
    console.print(escape(result.explanation))
    if result.paths:
        console.print(_paths_table(result.paths, "Paths"))
        for i, path in enumerate(result.paths, start=1):
            console.print(f"[dim]{i}.[/dim] {escape(path.explanation)}", highlight=False)


def connect_command(
    us: Annotated[str, typer.Argument(help="Organisation or region (NUTS id or name).")],
    x: Annotated[
        str, typer.Argument(help="Region, country, organisation or domain term, e.g. tourism.")
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            help="Read X as one kind: region, country, organisation, domain, hub, cluster, "
            "project, consortium or partnership."
        ),
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=MAX_K, help="How many brokers.")] = 10,
    max_hops: HopsOption = 4,
    as_json: JsonOption = False,
) -> None:
    """Who can connect us to X: the intermediaries on the routes from us to X, ranked, with
    the routes through each and their networks. A running `s3graph serve` of the same graph
    answers it when there is one (S3GRAPH_SERVICE)."""
    from cli.service import answer
    from graph.settings import get_settings
    from queries.models import ConnectResult, EntityKind

    settings = get_settings()
    kinds = KIND_NAMES
    if kind is not None and kind not in kinds:
        raise typer.BadParameter(f"--kind must be one of {', '.join(kinds)}")

    def compute(driver: Driver) -> ConnectResult:
        from queries.connect import connect

        return connect(
            driver,
            us,
            x,
            kind=cast(EntityKind | None, kind),
            k=k,
            max_hops=max_hops,
            database=settings.neo4j_database,
            timeout=settings.query_timeout,
        )

    question = {"us": us, "x": x, "kind": kind, "k": k, "max_hops": max_hops}
    result = answer(settings, "/connect", question, ConnectResult, compute)
    if _emit(result, as_json, result.ambiguities):
        return
    console.print(escape(result.explanation))
    if not result.brokers:
        return
    table = Table(
        "#", "broker", "kind", "score", "routes", "networks", "best route", title="Brokers"
    )
    for broker in result.brokers:
        _add(
            table,
            str(broker.rank),
            broker.node.name,
            broker.node.label,
            f"{broker.score:.3f}",
            str(broker.routes),
            ", ".join(broker.networks) or "-",
            _route_text(broker.paths[0]) if broker.paths else "",
        )
    console.print(table)


def brokers_command(
    domain: Annotated[str | None, typer.Option(help="Only ties in this domain.")] = None,
    top: Annotated[int, typer.Option(min=1, max=200, help="How many brokers.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Brokerage analytics: organisations between developed and less developed regions
    (betweenness, Burt's constraint) and communities of organisations that work together."""
    from cli.context import cli_driver
    from graph.settings import get_settings
    from queries.brokerage import brokerage
    from queries.models import category_text

    settings = get_settings()
    with cli_driver(settings) as driver:
        result = brokerage(
            driver,
            domain=domain,
            top=top,
            database=settings.neo4j_database,
            timeout=settings.query_timeout,
        )
    if _emit(result, as_json, result.ambiguities):
        return
    console.print(escape(result.explanation))
    table = Table(
        "#",
        "organisation",
        "region",
        "betweenness",
        "constraint",
        "partners",
        "networks",
        title=f"Brokers (graph version {result.graph_version})",
    )
    for i, broker in enumerate(result.brokers, start=1):
        _add(
            table,
            str(i),
            broker.node.name,
            f"{broker.region.nuts_id} ({category_text(broker.region)})" if broker.region else "-",
            f"{broker.betweenness:.2f}",
            "-" if broker.constraint is None else f"{broker.constraint:.2f}",
            str(broker.degree),
            ", ".join(broker.networks) or "-",
        )
    console.print(table)
    communities = Table(
        "#", "size", "countries", "categories", "best-connected members", title="Communities"
    )
    for community in result.communities:
        _add(
            communities,
            str(community.id),
            str(community.size),
            ", ".join(community.countries),
            ", ".join(f"{n} {c}" for c, n in community.categories.items()),
            "; ".join(m.name for m in community.members[:5]),
        )
    console.print(communities)


def overlap_command(
    regions: Annotated[
        list[str], typer.Argument(help="Regions (codes or names); one region ranks partners.")
    ],
    k: Annotated[int, typer.Option("-k", min=1, max=400, help="How many partners.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """S3 overlap: the matrix of shared and complementary domains of several regions, and the
    partner regions of the first one ranked by S3 fit."""
    from cli.context import cli_driver
    from graph.settings import get_settings
    from queries.overlap import overlap, partner_regions

    settings = get_settings()
    with cli_driver(settings) as driver:
        matrix: OverlapResult | None = None
        if len(regions) > 1:
            matrix = overlap(
                driver, regions, database=settings.neo4j_database, timeout=settings.query_timeout
            )
            if matrix.status == "ambiguous":
                _emit(matrix, as_json, matrix.ambiguities)
                return
        ranking = partner_regions(
            driver,
            regions[0],
            among=regions[1:] or None,
            k=k,
            database=settings.neo4j_database,
            timeout=settings.query_timeout,
        )
    if as_json:
        payload = {
            "overlap": matrix.model_dump() if matrix else None,
            "partners": ranking.model_dump(),
        }
        typer.echo(_json(payload))
        if ranking.status == "ambiguous":
            raise typer.Exit(EXIT_AMBIGUOUS)
        return
    if _emit(ranking, False, ranking.ambiguities):
        return
    if matrix is not None:
        _print_matrix(matrix)
    _print_ranking(ranking)


def consortium_command(
    call: Annotated[str, typer.Option(help="Call id (see data/calls/), e.g. i3-strand1.")],
    domain: Annotated[str, typer.Option(help="Thematic domain (code or term).")],
    seed: Annotated[str, typer.Option(help="The seed organisation (name or uid).")],
    k: Annotated[int, typer.Option("-k", min=1, max=20, help="How many proposals.")] = 5,
    max_hops: HopsOption = 4,
    regions: Annotated[
        str | None,
        typer.Option(
            help="Partner regions the other members must come from, comma-separated NUTS 2 or "
            "3 codes or names (e.g. PT11,ITG1,BG31,EL43,CY00,NO07).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """I3 consortium candidates around a seed organisation in a domain, each with every rule
    of the call checked and the paths that link its members; or the rules that cannot be met
    (and, with --regions, where else the missing partners could come from)."""
    from cli.context import cli_driver
    from graph.settings import get_settings
    from queries.consortium import available_calls, consortium
    from queries.models import category_text

    settings = get_settings()
    if call not in available_calls(settings.data_dir):
        known = ", ".join(available_calls(settings.data_dir)) or "none"
        raise typer.BadParameter(f"unknown call '{call}' (known: {known})")
    with cli_driver(settings) as driver:
        result = consortium(
            driver,
            call,
            domain,
            seed,
            k=k,
            max_hops=max_hops,
            regions=regions.split(",") if regions else None,
            data_dir=settings.data_dir,
            database=settings.neo4j_database,
            timeout=settings.query_timeout,
        )
    if _emit(result, as_json, result.ambiguities):
        return
    console.print(escape(result.explanation))
    for proposal in result.proposals:
        table = Table(
            "role",
            "organisation",
            "region",
            "category",
            "activity",
            "why",
            title=f"Proposal {proposal.rank} (score {proposal.score:.3f})",
        )
        for member in proposal.members:
            _add(
                table,
                member.role,
                member.organisation.name,
                member.region.nuts_id if member.region else "-",
                category_text(member.region),
                member.activity_type or "-",
                member.why,
            )
        console.print(table)
        for check in proposal.checks:
            mark = "[green]pass[/green]" if check.passed else "[red]fail[/red]"
            console.print(f"  {mark} {escape(check.rule)}: {escape(check.detail)}", highlight=False)
    for check in result.blocking:
        console.print(
            f"  [red]cannot be met[/red] {escape(check.rule)}: {escape(check.detail)}",
            highlight=False,
        )


# -- output -------------------------------------------------------------------------------------


def _add(table: Table, *cells: str) -> None:
    """Adds a row whose cells are data, never markup (names may hold brackets)."""
    table.add_row(*(escape(cell) for cell in cells))


def _json(payload: object) -> str:
    import json

    return json.dumps(payload, indent=2, ensure_ascii=False, default=str)


def _emit(result: BaseModel, as_json: bool, ambiguities: list[Ambiguity]) -> bool:
    """Prints JSON, or the candidates of an ambiguous input; True when nothing more to print.
    Ambiguous input exits with code 2 either way."""
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    elif ambiguities:
        for ambiguity in ambiguities:
            console.print(
                f"[yellow]Ambiguous {ambiguity.role}:[/yellow] {escape(ambiguity.explanation)}"
            )
            table = Table("kind", "code", "name", "detail")
            for c in ambiguity.candidates:
                _add(table, c.kind, c.key, c.name, c.detail)
            console.print(table)
    if ambiguities:
        raise typer.Exit(EXIT_AMBIGUOUS)
    return as_json


def _route_text(path: Path) -> str:
    parts = []
    for node in path.nodes:
        parts.append(node.name if node.label == "Organisation" else f"[{node.label} {node.name}]")
    return " - ".join(parts)


def _paths_table(items: list[Path], title: str) -> Table:
    from queries.models import category_text

    table = Table("#", "score", "hops", "from", "via", "to", "end region", "fit", title=title)
    for i, path in enumerate(items, start=1):
        via = " - ".join(
            f"{n.name}" if n.label == "Organisation" else f"[{n.label}] {n.name}"
            for n in path.nodes[1:-1]
        )
        end = path.end_region
        _add(
            table,
            str(i),
            f"{path.score:.3f}",
            str(path.hops),
            path.nodes[0].name,
            via,
            path.nodes[-1].name,
            f"{end.nuts_id} {end.name} ({category_text(end)})" if end else "-",
            ", ".join(path.score_parts.fit.shared_domains) or "-",
        )
    return table


def _print_matrix(matrix: OverlapResult) -> None:
    from queries.models import category_text

    console.print(escape(matrix.explanation))
    regions = Table("region", "name", "category", "basis", "domains", title="Regions")
    for item in matrix.regions:
        _add(
            regions,
            item.region.nuts_id,
            item.region.name,
            category_text(item.region),
            item.basis,
            ", ".join(item.domains) or "-",
        )
    console.print(regions)
    cells = Table(
        "a", "b", "shared", "only a", "only b", "overlap", title="Shared and complementary"
    )
    for cell in matrix.cells:
        _add(
            cells,
            cell.a,
            cell.b,
            ", ".join(cell.shared) or "-",
            ", ".join(cell.only_a) or "-",
            ", ".join(cell.only_b) or "-",
            f"{cell.jaccard:.2f}",
        )
    console.print(cells)


def _print_ranking(ranking: PartnerRanking) -> None:
    from queries.models import category_text

    console.print(escape(ranking.explanation))
    if ranking.region is None:
        return
    table = Table(
        "#",
        "region",
        "name",
        "category",
        "basis",
        "fit",
        "shared",
        "brings",
        title=f"Partner regions for {ranking.region.region.nuts_id} {ranking.region.region.name}",
    )
    for i, partner in enumerate(ranking.partners, start=1):
        _add(
            table,
            str(i),
            partner.region.nuts_id,
            partner.region.name,
            category_text(partner.region),
            partner.basis,
            f"{partner.fit:.3f}",
            ", ".join(partner.shared) or "-",
            ", ".join(partner.complementary) or "-",
        )
    console.print(table)
