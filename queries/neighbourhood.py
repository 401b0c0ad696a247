"""Subgraphs for the explorer and the exports: the neighbourhood of a node, the nodes named by
other queries, the relationships between them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graph.schema import NODE_KEYS, NodeLabel, RelType
from queries.browse import display_name, normalise_text_filter, not_found_error, primary_label
from queries.cypher.browse import (
    RELS_BETWEEN,
    facets_query,
    neighbourhood_query,
    nodes_by_key_query,
)
from queries.models.browse import (
    Facet,
    GraphEdge,
    GraphNode,
    Neighbourhood,
)
from queries.runner import Reader

# -- subgraphs: neighbourhoods and the nodes named by other queries ---------------------------


def node_id(label: str, key: str) -> str:
    """A node's id in views and exports: label and natural key."""
    return f"{label}:{key}"


_HIDDEN_PROPS = frozenset({"sources", "loaded_at", "source_ids", "aliases", "name_key"})


def graph_node(view: dict[str, Any]) -> GraphNode | None:
    """A view row (labels, properties, NUTS 2 facts, region) as a ``GraphNode``."""
    label = primary_label(view["labels"])
    if label is None:
        return None
    props = view["props"]
    key = str(props.get(NODE_KEYS[label]))
    cohesion = view.get("cohesion") or {}
    return GraphNode(
        id=node_id(label.value, key),
        label=label.value,
        key=key,
        name=display_name(label.value, props),
        category=cohesion.get("category"),
        category_status=props.get("category_status") or cohesion.get("category_status"),
        outermost=bool(props.get("outermost") or cohesion.get("outermost")),
        region=view.get("region") or (key if label is NodeLabel.REGION else None),
        country_code=props.get("country_code"),
        properties={k: v for k, v in props.items() if k not in _HIDDEN_PROPS},
        sources=props.get("sources") or [],
        loaded_at=props.get("loaded_at"),
    )


def graph_edge(source: str, target: str, rel_type: str, props: dict[str, Any]) -> GraphEdge:
    return GraphEdge(
        source=source,
        target=target,
        type=rel_type,
        properties={k: v for k, v in props.items() if k not in _HIDDEN_PROPS},
        sources=props.get("sources") or [],
        loaded_at=props.get("loaded_at"),
    )


def neighbourhood(
    reader: Reader,
    label: NodeLabel,
    key: str,
    *,
    neighbour_label: NodeLabel | None = None,
    rel_type: RelType | None = None,
    text: str | None = None,
    limit: int = 100,
) -> Neighbourhood:
    """A node with at most ``limit`` of its neighbours (actors first, then by name), the
    relationships among them, and counts by label and type so a user can narrow down."""
    row = reader.first_dict(
        neighbourhood_query(label),
        key=key,
        neighbour_label=neighbour_label.value if neighbour_label else None,
        rel_type=rel_type.value if rel_type else None,
        text=normalise_text_filter(text),
        limit=limit,
    )
    if row is None:
        raise not_found_error(reader, label, label.value.lower(), key)
    by_element: dict[str, GraphNode] = {}
    for item in row["nodes"]:
        node = graph_node(item["view"])
        if node is not None:
            by_element[item["id"]] = node
    edges = [
        graph_edge(by_element[r["start"]].id, by_element[r["end"]].id, r["type"], r["props"])
        for r in row["rels"]
        if r["start"] in by_element and r["end"] in by_element
    ]
    nodes = list(by_element.values())
    facets = [Facet(**f) for f in reader.dicts(facets_query(label), key=key)]
    return Neighbourhood(
        centre=nodes[0],
        nodes=nodes,
        edges=edges,
        total=int(row["total"]),
        matching=int(row["matching"]),
        shown=len(nodes) - 1,
        facets=facets,
    )


def nodes_by_key(
    reader: Reader, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, GraphNode]]:
    """Details of nodes named by (label, key): {(label, key): (element id, node)}. Unknown
    labels and keys are left out."""
    grouped: dict[NodeLabel, set[str]] = {}
    for label_text, key in keys:
        try:
            label = NodeLabel(label_text)
        except ValueError:
            continue
        grouped.setdefault(label, set()).add(key)
    found: dict[tuple[str, str], tuple[str, GraphNode]] = {}
    for label, label_keys in grouped.items():
        for row in reader.dicts(nodes_by_key_query(label), keys=sorted(label_keys)):
            node = graph_node(row["view"])
            if node is not None:
                found[(node.label, node.key)] = (row["id"], node)
    return found


def rels_between(
    reader: Reader, pairs: Sequence[tuple[str, str, str]]
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Properties of relationships given as (start element id, end element id, type)."""
    if not pairs:
        return {}
    rows = reader.dicts(
        RELS_BETWEEN, pairs=[{"start": s, "end": e, "type": t} for s, e, t in pairs]
    )
    return {(r["start"], r["end"], r["type"]): r["props"] for r in rows}
