"""Whole-network nodes (EDIH, EEN, ECCP) for browsing, and the slugs of network-side uids.

A ``(:Network)`` joins every hub, consortium or cluster of its network. It is deliberately not
traversable (``graph.schema.TRAVERSABLE_LABELS``): a path through it would make every member two
hops from every other. Loaders link their own nodes to it and never create shortcuts between
members through it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from graph.schema import NodeLabel, RelType
from graph.writer import Node, Rel

NETWORK_TITLES: dict[str, str] = {
    "EDIH": "European Digital Innovation Hubs Network",
    "EEN": "Enterprise Europe Network",
    "ECCP": "European Cluster Collaboration Platform",
}


def network_node(name: str, source: str) -> Node:
    """The network node of ``name`` (one of ``NETWORK_TITLES``)."""
    return Node(NodeLabel.NETWORK, name, {"title": NETWORK_TITLES[name]}, source)


def in_network(label: NodeLabel, key: str, network: str, source: str) -> Rel:
    """``(member)-[:IN_NETWORK]->(:Network {name})`` for a hub, consortium, cluster or
    partnership."""
    return Rel(RelType.IN_NETWORK, label, key, NodeLabel.NETWORK, network, {}, source)


@lru_cache(maxsize=65_536)  # labels recur: a hub catalogue repeats its few hundred terms
def slug(text: str) -> str:
    """Lower-case ASCII words joined by '-' ('Micro- and nanoelectronics, optoelectronics' ->
    'micro-and-nanoelectronics-optoelectronics'): stable uids from source labels."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "-".join(re.findall(r"[0-9a-z]+", plain))
