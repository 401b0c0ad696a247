"""The networks a workshop shows, as the explorer's subgraphs built from the query layer's
paths: one per domain (home to the partners), one of the brokers' routes, one of the candidate
consortia's links. The same subgraph feeds the interactive view and the GraphML/GEXF exports,
so what Gephi opens is what the room saw."""

from __future__ import annotations

from dataclasses import dataclass

from queries.models import Path as GraphPath
from queries.runner import Reader
from views.subgraph import Subgraph, from_paths
from workshop.pack import WorkshopData


@dataclass(frozen=True)
class WorkshopNetwork:
    stem: str  # file name stem of the view and its exports
    subgraph: Subgraph
    paths: int


def _network(
    reader: Reader, stem: str, title: str, paths: list[GraphPath], empty: str
) -> WorkshopNetwork:
    note = f"{len(paths)} paths" if paths else empty
    return WorkshopNetwork(stem, from_paths(reader, title, paths, note=note), len(paths))


def workshop_networks(reader: Reader, data: WorkshopData) -> list[WorkshopNetwork]:
    """Every network the report links to, in report order."""
    networks: list[WorkshopNetwork] = []
    home = f"{data.home.nuts_id} {data.home.name}"
    for domain in data.domains:
        found = [path for run in data.paths_for(domain.key) for path in run.found]
        networks.append(
            _network(
                reader,
                f"paths-{domain.key}",
                f"Partnership paths in {domain.name} from {home}",
                found,
                "no path found in this domain",
            )
        )
    broker_paths = [path for row in data.brokers for path in row.paths]
    networks.append(
        _network(
            reader,
            "brokers",
            f"Brokers between {home} and the partner regions",
            broker_paths,
            "no broker found",
        )
    )
    links = [
        path
        for run in data.consortia
        if run.result is not None
        for proposal in run.result.proposals
        for path in proposal.links
    ]
    networks.append(
        _network(
            reader,
            "consortia",
            "Candidate consortia: how the members are linked to the seed",
            links,
            "no consortium proposed",
        )
    )
    return networks
