"""The explorer's views as parameters: a node's neighbourhood, the paths result and the brokers
result. The pages (routes/explorer.py) draw them; the exports (routes/export.py) write the same
view as files, so an export is always exactly what the user was looking at."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Literal, TypeVar
from urllib.parse import quote

from fastapi import Query
from neo4j import Driver
from pydantic import BaseModel

from graph.errors import BadInput
from graph.schema import NodeLabel, RelType
from graph.settings import Settings
from queries.bounds import MAX_HOPS, MAX_K
from queries.connect import connect
from queries.cypher import BROWSABLE_LABELS
from queries.models import ConnectResult, GraphNode, Neighbourhood, PathsResult
from queries.neighbourhood import neighbourhood, node_id
from queries.paths import paths
from queries.runner import Reader
from views.subgraph import PATH_NETWORKS, Subgraph, filter_paths, from_neighbourhood, from_paths

E = TypeVar("E", bound=Enum)

CATEGORIES: tuple[str, ...] = ("less developed", "transition", "more developed", "outermost")
NEIGHBOUR_LIMITS: tuple[int, ...] = (25, 50, 100, 200, 500)
DEFAULT_NEIGHBOURS = 100

NetworkName = Literal["Horizon 2020", "Interreg", "EDIH", "EEN", "ECCP"]
assert set(PATH_NETWORKS) == {"Horizon 2020", "Interreg", "EDIH", "EEN", "ECCP"}


def node_path(node: GraphNode) -> str:
    return node_page(node.label, node.key)


def node_page(label: str, key: str) -> str:
    """The explorer page of a node (keys may hold ':' and '/', so they are quoted)."""
    return f"/explore/node/{quote(label, safe='')}/{quote(key, safe='')}"


# -- neighbourhood ----------------------------------------------------------------------------


class NodeViewParams(BaseModel):
    type: NodeLabel | None = None
    rel: RelType | None = None
    q: str | None = None
    limit: int = DEFAULT_NEIGHBOURS


def optional_enum(kind: type[E], name: str, value: str | None) -> E | None:
    """A form's select: empty means "any"; anything else must be one of the enum's values."""
    if value is None or not value.strip():
        return None
    try:
        return kind(value.strip())
    except ValueError:
        allowed = ", ".join(str(v.value) for v in kind)
        raise BadInput(f"{name}: '{value}' is not one of {allowed}") from None


def node_view_params(
    type: Annotated[
        str | None, Query(max_length=40, description="Only neighbours of this label.")
    ] = None,
    rel: Annotated[
        str | None, Query(max_length=40, description="Only this relationship type.")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of a name.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many neighbours.")] = (
        DEFAULT_NEIGHBOURS
    ),
) -> NodeViewParams:
    return NodeViewParams(
        type=optional_enum(NodeLabel, "type", type),
        rel=optional_enum(RelType, "rel", rel),
        q=q or None,
        limit=limit,
    )


def node_view(
    reader: Reader, label: NodeLabel, key: str, params: NodeViewParams
) -> tuple[Neighbourhood, Subgraph]:
    if label not in BROWSABLE_LABELS:
        raise BadInput(f"label: '{label.value}' nodes have no page")
    hood = neighbourhood(
        reader,
        label,
        key,
        neighbour_label=params.type,
        rel_type=params.rel,
        text=params.q,
        limit=params.limit,
    )
    return hood, from_neighbourhood(hood)


# -- paths ------------------------------------------------------------------------------------


class PathsViewParams(BaseModel):
    start: str
    to: str
    domain: str | None
    network: NetworkName | None
    k: int
    max_hops: int

    def target(self) -> tuple[str | None, str | None]:
        """(to_category, to): a category name, else a region or country."""
        text = self.to.strip()
        if not text or text.lower() in CATEGORIES:
            return (text.lower() or "less developed"), None
        return None, text


def paths_view_params(
    start: Annotated[
        str | None,
        Query(alias="from", max_length=200, description="Organisation or region."),
    ] = None,
    to: Annotated[
        str, Query(max_length=200, description="Category, or a region or country.")
    ] = "less developed",
    domain: Annotated[str | None, Query(max_length=200)] = None,
    network: Annotated[
        str | None, Query(max_length=40, description="Only paths through this network.")
    ] = None,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 4,
) -> PathsViewParams | None:
    """None when the form was not filled in yet (no 'from')."""
    if start is None or not start.strip():
        return None
    chosen = network or None
    if chosen is not None and chosen not in PATH_NETWORKS:
        raise BadInput(f"network: choose one of {', '.join(PATH_NETWORKS)}")
    return PathsViewParams(
        start=start.strip(),
        to=to,
        domain=(domain or "").strip() or None,
        network=chosen,
        k=k,
        max_hops=max_hops,
    )


@dataclass
class PathsView:
    result: PathsResult
    shown: list[int]  # indexes into result.paths of the paths drawn
    graph: Subgraph


def paths_view(
    driver: Driver, reader: Reader, settings: Settings, params: PathsViewParams
) -> PathsView:
    """Runs the paths query; with a network filter it asks for more paths (up to the cap) and
    keeps the k best that run through that network."""
    to_category, to = params.target()
    asked = min(MAX_K, params.k * 3) if params.network else params.k
    result = paths(
        driver,
        params.start,
        to_category=to_category,
        to=to,
        domain=params.domain,
        k=asked,
        max_hops=params.max_hops,
        database=settings.neo4j_database,
        timeout=settings.query_timeout,
    )
    kept = filter_paths(result.paths, params.network)[: params.k]
    shown = [i for i, p in enumerate(result.paths) if any(p is q for q in kept)]
    note = f"{len(kept)} of {len(result.paths)} paths found"
    if params.network:
        note += f" run through {params.network}"
    title = f"Paths from {params.start} to {params.to}"
    graph = from_paths(reader, title, kept, note=note)
    return PathsView(result=result, shown=shown, graph=graph)


# -- connect ----------------------------------------------------------------------------------


class ConnectViewParams(BaseModel):
    us: str
    x: str
    k: int
    max_hops: int


def connect_view_params(
    us: Annotated[str | None, Query(max_length=200)] = None,
    x: Annotated[str | None, Query(max_length=200)] = None,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 4,
) -> ConnectViewParams | None:
    if not us or not us.strip() or not x or not x.strip():
        return None
    return ConnectViewParams(us=us.strip(), x=x.strip(), k=k, max_hops=max_hops)


@dataclass
class ConnectView:
    result: ConnectResult
    graph: Subgraph


def connect_view(
    driver: Driver, reader: Reader, settings: Settings, params: ConnectViewParams
) -> ConnectView:
    result = connect(
        driver,
        params.us,
        params.x,
        k=params.k,
        max_hops=params.max_hops,
        database=settings.neo4j_database,
        timeout=settings.query_timeout,
    )
    routes = [path for broker in result.brokers for path in broker.paths]
    note = f"{len(result.brokers)} brokers on {result.routes_found} routes"
    graph = from_paths(reader, f"Who can connect {params.us} to {params.x}", routes, note=note)
    graph.highlight = {node_id(b.node.label, b.node.key) for b in result.brokers}
    return ConnectView(result=result, graph=graph)
