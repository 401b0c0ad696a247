"""What the explorer draws: a subgraph (nodes, edges, a title and a note on what is left out),
built from a neighbourhood or from the paths of a query, and the meaning of its colours and
shapes (the legend). Rendering (pyvis) and exports (GraphML, GEXF, CSV) work on ``Subgraph``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from graph.schema import NodeLabel, RelType
from queries.models import GraphEdge, GraphNode, Neighbourhood, Path
from queries.neighbourhood import graph_edge, node_id, nodes_by_key, rels_between
from queries.networks import TIE_NETWORKS, project_network, route_networks
from queries.runner import Reader

# -- meaning of colours and shapes ------------------------------------------------------------

CATEGORY_COLOURS: dict[str, str] = {
    "more developed": "#2b6cb0",
    "transition": "#dd8b1a",
    "less developed": "#c53030",
    "outside EU cohesion policy": "#553c9a",
    "no region or unknown": "#a0aec0",
}

LABEL_SHAPES: dict[str, str] = {
    NodeLabel.REGION.value: "square",
    NodeLabel.COUNTRY.value: "square",
    NodeLabel.ORGANISATION.value: "dot",
    NodeLabel.PROJECT.value: "diamond",
    NodeLabel.HUB.value: "star",
    NodeLabel.CLUSTER.value: "triangle",
    NodeLabel.PARTNERSHIP.value: "hexagon",
    NodeLabel.CONSORTIUM.value: "triangleDown",
    NodeLabel.NETWORK.value: "ellipse",
    NodeLabel.DOMAIN.value: "box",
    NodeLabel.S3_PRIORITY.value: "database",
    NodeLabel.TECHNOLOGY.value: "text",
}

# Unicode glyphs that look like the shapes, for the HTML legend.
SHAPE_GLYPHS: dict[str, str] = {
    "square": "\u25a0",
    "dot": "\u25cf",
    "diamond": "\u25c6",
    "star": "\u2605",
    "triangle": "\u25b2",
    "hexagon": "\u2b22",
    "triangleDown": "\u25bc",
    "ellipse": "\u25ef",
    "box": "\u25ad",
    "database": "\u26c1",
    "text": "T",
}

NETWORK_COLOURS: dict[str, str] = {
    "Horizon 2020": "#2f855a",
    "Interreg": "#2b6cb0",
    "EDIH": "#d53f8c",
    "EEN": "#0987a0",
    "ECCP": "#975a16",
    "S3 and domains": "#9f7aea",
    "geography": "#a0aec0",
    "other": "#4a5568",
}

# Networks an analyst can restrict paths to (the form's filter).
PATH_NETWORKS: tuple[str, ...] = TIE_NETWORKS

_THEMATIC = frozenset(
    {
        RelType.IN_DOMAIN.value,
        RelType.OFFERS.value,
        RelType.ACTIVE_IN.value,
        RelType.HAS_PRIORITY.value,
        RelType.SUBDOMAIN_OF.value,
    }
)
_GEOGRAPHY = frozenset({RelType.LOCATED_IN.value, RelType.PART_OF.value, RelType.IN_COUNTRY.value})


def label_of(node_ref: str) -> str:
    """The label part of a view node id ("Hub:edih:12" -> "Hub")."""
    return node_ref.split(":", 1)[0]


def key_of(node_ref: str) -> str:
    return node_ref.split(":", 1)[1] if ":" in node_ref else ""


def edge_network(rel_type: str, source: str, target: str) -> str:
    """The network a relationship belongs to, from its type and the labels of its ends."""
    ends = {label_of(source), label_of(target)}
    if rel_type == RelType.PARTICIPATED_IN.value:
        return project_network(key_of(target))
    if rel_type == RelType.MEMBER_OF.value:
        return "EEN"
    if rel_type == RelType.PARTNER_IN.value:
        return "EDIH"
    if rel_type == RelType.IN_PARTNERSHIP.value:
        return "ECCP"
    if rel_type == RelType.RUNS.value:
        if NodeLabel.HUB.value in ends:
            return "EDIH"
        if NodeLabel.CLUSTER.value in ends:
            return "ECCP"
        return "other"
    if rel_type == RelType.IN_NETWORK.value:
        name = key_of(target) if label_of(target) == NodeLabel.NETWORK.value else ""
        return name if name in NETWORK_COLOURS else "other"
    if rel_type in _THEMATIC:
        return "S3 and domains"
    if rel_type in _GEOGRAPHY:
        return "geography"
    return "other"


def category_key(node: GraphNode) -> str:
    """Which legend colour a node takes: its (NUTS 2) cohesion category."""
    if node.category in CATEGORY_COLOURS:
        return node.category
    if node.category_status and "outside" in node.category_status:
        return "outside EU cohesion policy"
    return "no region or unknown"


@dataclass(frozen=True)
class LegendItem:
    name: str
    colour: str = ""
    glyph: str = ""


@dataclass(frozen=True)
class Legend:
    categories: list[LegendItem]
    types: list[LegendItem]
    networks: list[LegendItem]


def legend_for(nodes: Iterable[GraphNode], edges: Iterable[GraphEdge]) -> Legend:
    """The legend of one view: every category colour, and the shapes and edge colours used."""
    labels = sorted({n.label for n in nodes})
    networks = sorted({edge_network(e.type, e.source, e.target) for e in edges})
    return Legend(
        categories=[LegendItem(name, colour) for name, colour in CATEGORY_COLOURS.items()],
        types=[
            LegendItem(label, glyph=SHAPE_GLYPHS[LABEL_SHAPES.get(label, "dot")])
            for label in labels
        ],
        networks=[LegendItem(name, NETWORK_COLOURS[name]) for name in networks],
    )


# -- the drawn subgraph -----------------------------------------------------------------------


@dataclass
class Subgraph:
    title: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    highlight: set[str] = field(default_factory=set)
    note: str = ""

    def node(self, ref: str) -> GraphNode | None:
        for node in self.nodes:
            if node.id == ref:
                return node
        return None


def from_neighbourhood(hood: Neighbourhood) -> Subgraph:
    centre = hood.centre
    if hood.shown < hood.matching:
        note = f"showing {hood.shown:,} of {hood.matching:,} neighbours"
    else:
        note = f"showing all {hood.shown:,} neighbours"
    if hood.matching < hood.total:
        note += f" ({hood.total:,} before filtering)"
    return Subgraph(
        title=f"{centre.label} {centre.name} and its neighbours",
        nodes=hood.nodes,
        edges=hood.edges,
        highlight={centre.id},
        note=note,
    )


def path_networks(path: Path) -> set[str]:
    """Networks whose ties a path uses."""
    return route_networks([n.label for n in path.nodes], [n.key for n in path.nodes])


def filter_paths(paths: Sequence[Path], network: str | None) -> list[Path]:
    """Paths through ``network`` (any of their ties in it); all paths when no network."""
    if not network:
        return list(paths)
    return [p for p in paths if network in path_networks(p)]


def from_paths(reader: Reader, title: str, paths: Sequence[Path], note: str = "") -> Subgraph:
    """The union of some paths, with each node's category and provenance read from the graph
    (a node the graph no longer holds keeps what the path says about it)."""
    wanted: dict[str, GraphNode] = {}
    for path in paths:
        for item in path.nodes:
            ref = node_id(item.label, item.key)
            if ref not in wanted:
                wanted[ref] = GraphNode(
                    id=ref,
                    label=item.label,
                    key=item.key,
                    name=item.name,
                    region=item.region,
                    country_code=item.country_code,
                    properties={"detail": item.detail} if item.detail else {},
                )
    found = nodes_by_key(reader, ((n.label, n.key) for n in wanted.values()))
    element_of: dict[str, str] = {}
    for (label, key), (element_id, node) in found.items():
        ref = node_id(label, key)
        if ref in wanted:
            wanted[ref] = node
            element_of[ref] = element_id

    edges: dict[tuple[str, str, str], GraphEdge] = {}
    for path in paths:
        for rel in path.relationships:
            a, b = path.nodes[rel.start], path.nodes[rel.end]
            start, end = node_id(a.label, a.key), node_id(b.label, b.key)
            source, target = (start, end) if rel.forward else (end, start)
            props = {"role": rel.role} if rel.role else {}
            edges.setdefault(
                (source, target, rel.type), graph_edge(source, target, rel.type, props)
            )
    pairs = [
        (element_of[s], element_of[t], rel_type)
        for s, t, rel_type in edges
        if s in element_of and t in element_of
    ]
    stored = rels_between(reader, pairs)
    ref_of = {element: ref for ref, element in element_of.items()}
    for (s_el, t_el, rel_type), props in stored.items():
        source, target = ref_of[s_el], ref_of[t_el]
        edges[(source, target, rel_type)] = graph_edge(source, target, rel_type, props)

    starts = {node_id(p.nodes[0].label, p.nodes[0].key) for p in paths if p.nodes}
    ends = {node_id(p.nodes[-1].label, p.nodes[-1].key) for p in paths if p.nodes}
    return Subgraph(
        title=title,
        nodes=list(wanted.values()),
        edges=list(edges.values()),
        highlight=starts | ends,
        note=note,
    )
