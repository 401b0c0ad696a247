"""The current view as files: GraphML and GEXF (networkx writers, for Gephi and yEd), CSV of
nodes and of edges, and a standalone HTML page that works offline."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import networkx as nx

from views.render import NodeUrl, network_html
from views.subgraph import Subgraph, category_key, edge_network, legend_for
from views.templating import templates


class ExportFormat(StrEnum):
    HTML = "html"
    GRAPHML = "graphml"
    GEXF = "gexf"
    NODES_CSV = "nodes.csv"
    EDGES_CSV = "edges.csv"


MEDIA_TYPES: dict[ExportFormat, str] = {
    ExportFormat.HTML: "text/html; charset=utf-8",
    ExportFormat.GRAPHML: "application/graphml+xml",
    ExportFormat.GEXF: "application/gexf+xml",
    ExportFormat.NODES_CSV: "text/csv; charset=utf-8",
    ExportFormat.EDGES_CSV: "text/csv; charset=utf-8",
}

NODE_COLUMNS = (
    "id",
    "label",
    "key",
    "name",
    "category",
    "region",
    "country_code",
    "sources",
    "loaded_at",
)
EDGE_COLUMNS = ("source", "target", "type", "network", "role", "sources", "loaded_at")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def node_rows(view: Subgraph) -> list[dict[str, str]]:
    return [
        {
            "id": n.id,
            "label": n.label,
            "key": n.key,
            "name": n.name,
            "category": category_key(n),
            "region": _text(n.region),
            "country_code": _text(n.country_code),
            "sources": _text(n.sources),
            "loaded_at": _text(n.loaded_at),
        }
        for n in view.nodes
    ]


def edge_rows(view: Subgraph) -> list[dict[str, str]]:
    return [
        {
            "source": e.source,
            "target": e.target,
            "type": e.type,
            "network": edge_network(e.type, e.source, e.target),
            "role": _text(e.properties.get("role")),
            "sources": _text(e.sources),
            "loaded_at": _text(e.loaded_at),
        }
        for e in view.edges
    ]


def to_networkx(view: Subgraph) -> nx.MultiDiGraph:
    """Attributes are strings (GraphML and GEXF take no lists or nulls). ``label`` is the name
    (Gephi shows it); the schema label is ``node_type`` and the relationship type ``rel_type``
    (GEXF reserves ``type`` for directedness)."""
    graph = nx.MultiDiGraph(name=view.title)
    for row in node_rows(view):
        node_ref = row.pop("id")
        row["node_type"] = row.pop("label")
        row["label"] = row.pop("name")
        graph.add_node(node_ref, **row)
    for row in edge_rows(view):
        source, target = row.pop("source"), row.pop("target")
        row["rel_type"] = row.pop("type")
        row["label"] = row["rel_type"]
        graph.add_edge(source, target, key=row["rel_type"], **row)
    return graph


def to_csv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def standalone_html(view: Subgraph, node_url: NodeUrl) -> bytes:
    """One HTML file with the drawing, its legend and what it shows; no server needed to view
    it (node links lead back to the service when it runs)."""
    template = templates.get_template("standalone.html")
    html = template.render(
        view=view,
        legend=legend_for(view.nodes, view.edges),
        network=network_html(view, node_url, height="80vh"),
        exported=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    return html.encode("utf-8")


def export(view: Subgraph, fmt: ExportFormat, node_url: NodeUrl) -> bytes:
    if fmt is ExportFormat.HTML:
        return standalone_html(view, node_url)
    if fmt is ExportFormat.NODES_CSV:
        return to_csv(node_rows(view), NODE_COLUMNS)
    if fmt is ExportFormat.EDGES_CSV:
        return to_csv(edge_rows(view), EDGE_COLUMNS)
    buffer = io.BytesIO()
    if fmt is ExportFormat.GRAPHML:
        nx.write_graphml(to_networkx(view), buffer)
    else:
        nx.write_gexf(to_networkx(view), buffer)
    return buffer.getvalue()


def filename(stem: str, fmt: ExportFormat) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "view"
    return f"s3graph-{safe}.{fmt.value}"
