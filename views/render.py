"""Drawing a ``Subgraph`` with pyvis: colours by cohesion category, shapes by node type, edge
colours by network, hover text with details and provenance, and a page link on every node.

pyvis embeds vis-network in line (``cdn_resources='in_line'``) through our own template
(``templates/vis_network.html``), because pyvis's stock template also pulls Bootstrap from a CDN:
the pages must work in rooms with no internet.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyvis
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from pyvis.network import Network

from queries.models import GraphEdge, GraphNode
from views.subgraph import (
    CATEGORY_COLOURS,
    LABEL_SHAPES,
    NETWORK_COLOURS,
    Subgraph,
    category_key,
    edge_network,
)
from views.templating import TEMPLATES_DIR

PYVIS_TEMPLATES = Path(pyvis.__file__).resolve().parent / "templates"
VIS_TEMPLATE = "vis_network.html"

# One environment for every drawing: our template first, pyvis's bundled vis-network files next.
_ENVIRONMENT = Environment(
    loader=ChoiceLoader(
        [FileSystemLoader(str(TEMPLATES_DIR)), FileSystemLoader(str(PYVIS_TEMPLATES))]
    ),
    autoescape=False,  # the template inserts JSON (|tojson) and inline scripts only
)

OPTIONS: dict[str, Any] = {
    "nodes": {"font": {"size": 13, "face": "sans-serif"}, "borderWidth": 1},
    "edges": {
        "smooth": {"enabled": True, "type": "continuous"},
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "width": 1.6,
    },
    "interaction": {"hover": True, "tooltipDelay": 120, "keyboard": False},
    "physics": {
        "enabled": True,
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 110},
        "stabilization": {"enabled": True, "iterations": 300},
    },
}

MAX_LABEL = 32

NodeUrl = Callable[[GraphNode], str]


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "unknown"


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "\u2026"


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value[:8]) + (" ..." if len(value) > 8 else "")
    return str(value)


def node_tooltip(node: GraphNode) -> str:
    """Plain text (vis-network shows it as text, never as HTML): details, then provenance."""
    lines = [f"{node.label}: {node.name}", f"key: {node.key}"]
    if node.region:
        lines.append(f"region: {node.region}")
    lines.append(f"cohesion category: {category_key(node)}")
    if node.outermost:
        lines.append("outermost region")
    shown = 0
    for name, value in sorted(node.properties.items()):
        if name in {"name", "nuts_id", "uid", "code", "category", "outermost"} or value in (
            None,
            "",
            [],
        ):
            continue
        lines.append(f"{name}: {_value(value)}")
        shown += 1
        if shown >= 8:
            break
    lines.append(f"sources: {', '.join(node.sources) or 'unknown'}")
    lines.append(f"loaded: {_when(node.loaded_at)}")
    lines.append("click to open its page")
    return "\n".join(lines)


def edge_tooltip(edge: GraphEdge) -> str:
    lines = [f"{edge.type} ({edge_network(edge.type, edge.source, edge.target)})"]
    for name, value in sorted(edge.properties.items()):
        if value not in (None, "", []):
            lines.append(f"{name}: {_value(value)}")
    lines.append(f"sources: {', '.join(edge.sources) or 'unknown'}")
    lines.append(f"loaded: {_when(edge.loaded_at)}")
    return "\n".join(lines)


def build_network(view: Subgraph, node_url: NodeUrl, height: str = "640px") -> Network:
    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line")
    net.templateEnv = _ENVIRONMENT
    net.path = VIS_TEMPLATE
    for node in view.nodes:
        colour = CATEGORY_COLOURS[category_key(node)]
        centre = node.id in view.highlight
        net.add_node(
            node.id,
            label=_short(node.name),
            title=node_tooltip(node),
            shape=LABEL_SHAPES.get(node.label, "dot"),
            color={
                "background": colour,
                "border": "#1a202c" if centre else colour,
                "highlight": {"background": colour, "border": "#000000"},
            },
            borderWidth=4 if centre else 1,
            size=26 if centre else 16,
            font={"size": 15 if centre else 12},
            url=node_url(node),
            nodeType=node.label,
            category=category_key(node),
        )
    for edge in view.edges:
        network = edge_network(edge.type, edge.source, edge.target)
        net.add_edge(
            edge.source,
            edge.target,
            title=edge_tooltip(edge),
            color=NETWORK_COLOURS[network],
            dashes=network in {"geography", "S3 and domains"},
            relType=edge.type,
            network=network,
        )
    net.options = OPTIONS
    return net


def network_html(view: Subgraph, node_url: NodeUrl, height: str = "640px") -> str:
    """The canvas and its scripts, ready to place in a page."""
    html: str = build_network(view, node_url, height).generate_html()
    return html
