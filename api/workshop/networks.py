"""The networks a workshop shows, as networkx graphs built from the query layer's paths: one per
domain (home to the partners), one of the brokers, one of the candidate consortia. The same graph
feeds the interactive view and the GraphML/GEXF exports, so what Gephi opens is what the room
saw."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from api.workshop.pack import WorkshopData
from queries.models import Path as GraphPath
from queries.models import PathNode, RegionRef


def node_id(label: str, key: str) -> str:
    return f"{label}:{key}"


def nuts2_of(nuts_id: str | None) -> str | None:
    """NUTS 3 codes have five characters; their NUTS 2 region is the first four."""
    if not nuts_id:
        return None
    return nuts_id[:4] if len(nuts_id) >= 4 else nuts_id


class NetworkBuilder:
    """Accumulates paths into one undirected multigraph-free graph with readable attributes."""

    def __init__(self, data: WorkshopData) -> None:
        self.data = data
        self.graph: nx.Graph = nx.Graph()

    def category(self, nuts_id: str | None) -> str:
        code = nuts2_of(nuts_id)
        if code is None:
            return ""
        return self.data.background_categories.get(code) or ""

    def add_node(self, node: PathNode, role: str = "") -> str:
        nid = node_id(node.label, node.key)
        attrs = {
            "label": node.name or node.key,
            "kind": node.label,
            "key": node.key,
            "region": node.region or "",
            "country": node.country_code or "",
            "category": self.category(node.region),
            "detail": node.detail,
        }
        if nid in self.graph:
            if role and not self.graph.nodes[nid].get("role"):
                self.graph.nodes[nid]["role"] = role
            return nid
        self.graph.add_node(nid, role=role, **attrs)
        return nid

    def add_region(self, region: RegionRef | None, role: str) -> str | None:
        if region is None:
            return None
        code = nuts2_of(region.nuts_id) or region.nuts_id
        nid = node_id("Region", code)
        if nid not in self.graph:
            self.graph.add_node(
                nid,
                label=f"{code} {self.data.region_name(code)}",
                kind="Region",
                key=code,
                region=code,
                country=region.country_code,
                category=region.category or self.category(code),
                detail=region.category_status or "",
                role=role,
            )
        return nid

    def add_edge(self, a: str, b: str, kind: str, **attrs: str | int | float) -> None:
        if self.graph.has_edge(a, b):
            edge = self.graph.edges[a, b]
            edge["weight"] = int(edge.get("weight", 1)) + 1
            return
        self.graph.add_edge(a, b, kind=kind, weight=1, **attrs)

    def add_path(self, path: GraphPath, context: str = "") -> None:
        ids = [self.add_node(node) for node in path.nodes]
        for rel in path.relationships:
            if 0 <= rel.start < len(ids) and 0 <= rel.end < len(ids):
                self.add_edge(
                    ids[rel.start], ids[rel.end], rel.type, role=rel.role or "", context=context
                )
        start = self.add_region(path.start_region, "home")
        end = self.add_region(path.end_region, "partner")
        if start and ids:
            self.add_edge(start, ids[0], "LOCATED_IN", context=context)
        if end and ids:
            self.add_edge(ids[-1], end, "LOCATED_IN", context=context)

    def add_paths(self, paths: Iterable[GraphPath], context: str = "") -> None:
        for path in paths:
            self.add_path(path, context)


def domain_network(data: WorkshopData, domain_key: str) -> nx.Graph:
    builder = NetworkBuilder(data)
    for run in data.paths_for(domain_key):
        builder.add_paths(run.found, context=run.partner)
    return builder.graph


def brokers_network(data: WorkshopData) -> nx.Graph:
    builder = NetworkBuilder(data)
    for row in data.brokers:
        builder.add_node(row.node, role="broker")
        builder.add_paths(row.paths, context="broker")
    return builder.graph


def consortia_network(data: WorkshopData) -> nx.Graph:
    builder = NetworkBuilder(data)
    for run in data.consortia:
        if run.result is None:
            continue
        for proposal in run.result.proposals:
            context = f"{run.domain.key} #{proposal.rank}"
            members = [builder.add_node(m.organisation, role=m.role) for m in proposal.members]
            builder.add_paths(proposal.links, context=context)
            for member, nid in zip(proposal.members, members, strict=True):
                region = builder.add_region(member.region, "member")
                if region:
                    builder.add_edge(nid, region, "LOCATED_IN", context=context)
    return builder.graph


def workshop_networks(data: WorkshopData) -> dict[str, tuple[str, nx.Graph]]:
    """file stem -> (title, graph) of every network the report links to."""
    networks: dict[str, tuple[str, nx.Graph]] = {}
    for domain in data.domains:
        networks[f"paths-{domain.key}"] = (
            f"Partnership paths in {domain.name}",
            domain_network(data, domain.key),
        )
    networks["brokers"] = ("Brokers between home and partner regions", brokers_network(data))
    networks["consortia"] = ("Candidate consortia", consortia_network(data))
    return networks
