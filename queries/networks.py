"""The networks a partnership route runs through, named as the explorer's legend and network
filter name them: a shared project is a Horizon 2020 (CORDIS) or an Interreg (keep.eu) tie, a
hub an EDIH tie, a consortium an EEN tie, a cluster or cluster partnership an ECCP tie."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from graph.schema import NodeLabel

HORIZON = "Horizon 2020"  # CORDIS projects (Horizon Europe ones too, once fetched)
INTERREG = "Interreg"
TIE_NETWORKS: tuple[str, ...] = (HORIZON, INTERREG, "EDIH", "EEN", "ECCP")

_BY_LABEL: dict[str, str] = {
    NodeLabel.HUB.value: "EDIH",
    NodeLabel.CONSORTIUM.value: "EEN",
    NodeLabel.CLUSTER.value: "ECCP",
    NodeLabel.PARTNERSHIP.value: "ECCP",
}
_PROJECT: str = NodeLabel.PROJECT.value


def project_network(key: str) -> str:
    """Interreg projects are keyed ``interreg:``; every other project comes from CORDIS."""
    return INTERREG if key.startswith("interreg:") else HORIZON


def connector_network(label: str, key: str) -> str | None:
    """The network of a tie through this node; None for an organisation (not a connector)."""
    if label == _PROJECT:
        return project_network(key)
    return _BY_LABEL.get(label)


def route_networks(labels: Sequence[str], keys: Sequence[str]) -> set[str]:
    """Every network whose ties a route (its nodes' labels and keys) runs through."""
    found: set[str] = set()
    for label, key in zip(labels, keys, strict=True):
        if label == _PROJECT:
            found.add(project_network(key))
        elif label in _BY_LABEL:
            found.add(_BY_LABEL[label])
    return found


def count_by_network(routes: Iterable[set[str]]) -> dict[str, int]:
    """Routes per network, in legend order; a route through two networks counts in both."""
    counts = Counter(name for networks in routes for name in networks)
    return {name: counts[name] for name in TIE_NETWORKS if counts[name]}
