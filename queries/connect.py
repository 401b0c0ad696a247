"""Who can connect us to X: ranked intermediaries (brokers) on the routes from us to X.

X is a region (every organisation located in it), a country, an organisation, a domain
(organisations with a project, hub or cluster in it or its subdomains) or, when ``kind`` says so,
a hub, cluster, project, consortium or partnership (the organisations tied to it). Every route
from us to X is scored like a partnership path; a broker is any node strictly between the two
ends, ranked by the summed score of the routes that run through it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from neo4j import Driver

from queries import cypher
from queries.bounds import MAX_HOPS, MAX_K
from queries.models import Broker, ConnectResult, Entity, EntityKind, Resolution
from queries.networks import count_by_network
from queries.paths import (
    ROUTE_LIMIT,
    IndexSearch,
    ScoredRoute,
    TargetFilter,
    ambiguities_of,
    as_route,
    check_range,
    domain_closure,
    node_infos,
    present,
    region_ids,
    score_routes,
    search_index,
    start_organisations,
)
from queries.resolve import CONNECTOR_KINDS, resolve_with
from queries.route_index import IndexedRoute
from queries.runner import Reader

DEFAULT_X_KINDS: tuple[EntityKind, ...] = ("region", "country", "organisation", "domain")
PATHS_PER_BROKER = 3


@dataclass
class _Tally:
    """A broker's routes (best first once ranked) and their summed score. Only the routes that
    are shown get scored in full (``shown``): a connect may weigh thousands."""

    routes: list[IndexedRoute] = field(default_factory=list)
    score: float = 0.0
    shown: list[ScoredRoute] = field(default_factory=list)


def connect(
    driver: Driver,
    us: str,
    x: str,
    *,
    kind: EntityKind | None = None,
    k: int = 10,
    max_hops: int = 4,
    database: str | None = None,
    timeout: float | None = None,
) -> ConnectResult:
    """Brokers between ``us`` (organisation or region) and ``x`` (region, country,
    organisation or domain term; ``kind`` forces one reading)."""
    k = check_range("k", k, 1, MAX_K)
    max_hops = check_range("max_hops", max_hops, 1, MAX_HOPS)
    question = ("connect", us, x, kind, k, max_hops)
    return Reader(driver, database, timeout).run(
        lambda reader: reader.remembered(question, lambda r: _connect(r, us, x, kind, k, max_hops))
    )


def _connect(
    reader: Reader, us: str, x: str, kind: EntityKind | None, k: int, max_hops: int
) -> ConnectResult:
    kinds: Sequence[EntityKind] = (kind,) if kind else DEFAULT_X_KINDS
    resolutions: dict[str, Resolution] = {
        "us": resolve_with(reader, us, ["organisation", "region"], role="us"),
        "x": resolve_with(reader, x, kinds, role="x"),
    }
    ambiguities = ambiguities_of(resolutions)
    if ambiguities:
        return ConnectResult(
            status="ambiguous",
            ambiguities=ambiguities,
            us=resolutions["us"].entity,
            x=resolutions["x"].entity,
            explanation=" ".join(a.explanation for a in ambiguities),
        )
    us_entity = resolutions["us"].entity
    x_entity = resolutions["x"].entity
    assert us_entity is not None and x_entity is not None
    starts = start_organisations(reader, us_entity)
    result = ConnectResult(us=us_entity, x=x_entity, explanation="")
    if not starts:
        result.explanation = (
            f"No organisation is located in {us_entity.name} ({us_entity.key}): "
            "there is nowhere to start from."
        )
        return result
    target, target_text = _target(reader, x_entity)
    search = search_index(reader, starts, target, None, [], max_hops)
    ranked = _rank(reader, search, k)
    for rank, (uid, tally) in enumerate(ranked, start=1):
        best = tally.shown[0]
        node = best.path.nodes[best.route.uids.index(uid)]
        networks = sorted(_networks(uid, tally))
        result.brokers.append(
            Broker(
                node=node,
                rank=rank,
                score=round(tally.score, 4),
                routes=len(tally.routes),
                networks=networks,
                paths=[s.path for s in tally.shown],
                explanation=_explain_broker(
                    node.label, node.name, tally, len(search.routes), networks
                ),
            )
        )
    result.routes_found = len(search.routes)
    result.routes_by_network = count_by_network(
        search.index.networks_of(route.nodes) for route in search.routes
    )
    result.explanation = _explain(
        us_entity, len(starts), target_text, max_hops, result, search.truncated
    )
    return result


def _rank(reader: Reader, search: IndexSearch, k: int) -> list[tuple[str, _Tally]]:
    """The ``k`` best brokers: by summed route score, then routes, then name; each with its
    ``PATHS_PER_BROKER`` best routes scored and presented. Routes are ordered as
    ``score_routes`` orders them (score, hops, end organisation's name); names are fetched only
    where they break a tie that decides what is shown."""
    through: dict[int, list[IndexedRoute]] = defaultdict(list)
    for route in search.routes:
        for node in route.nodes[1:-1]:  # a route passes a node once
            through[node].append(route)
    uids = search.index.uids
    tallies = {
        uids[node]: _Tally(routes, math.fsum([r.score for r in routes]))
        for node, routes in through.items()
    }

    def weight(item: tuple[str, _Tally]) -> tuple[float, int]:
        return (-item[1].score, -len(item[1].routes))

    order = sorted(tallies.items(), key=weight)
    cut = min(k, len(order))
    while 0 < cut < len(order) and weight(order[cut]) == weight(order[cut - 1]):
        cut += 1  # brokers tied with the last one shown: their names decide
    contenders = order[:cut]
    for _, tally in contenders:  # only the routes of brokers that may be shown need an order
        tally.routes.sort(key=lambda r: (-r.score, len(r.ties)))
    leading = {uid: _leading(tally.routes) for uid, tally in contenders}
    # every node of the leading routes in one read: the names that break ties, and what
    # scoring the shown routes (among the leading ones) needs
    infos = node_infos(
        reader, {uids[n] for routes in leading.values() for r in routes for n in r.nodes}
    )
    names = {uid: info.name for uid, info in infos.items()}
    ranked = sorted(contenders, key=lambda kv: (*weight(kv), names.get(kv[0], kv[0])))[:k]
    for uid, tally in ranked:
        first = sorted(
            leading[uid],
            key=lambda r: (
                -r.score,
                len(r.ties),
                names.get(uids[r.nodes[-1]], ""),
                search.index.uids_of(r.nodes),
            ),
        )
        tally.routes[: len(first)] = first
    shown = {
        item.route.uids: item
        for item in score_routes(
            reader,
            [as_route(search.index, r) for _, t in ranked for r in t.routes[:PATHS_PER_BROKER]],
            known=infos,
        )
    }
    for _, tally in ranked:
        tally.shown = [
            shown[search.index.uids_of(r.nodes)] for r in tally.routes[:PATHS_PER_BROKER]
        ]
    present(reader, [item for _, tally in ranked for item in tally.shown])
    return ranked


def _leading(routes: Sequence[IndexedRoute]) -> list[IndexedRoute]:
    """The routes that can be among the first ``PATHS_PER_BROKER`` once names break ties: the
    first ones by (score, hops) and every later one level with the last of them."""
    cut = min(PATHS_PER_BROKER, len(routes))
    while 0 < cut < len(routes) and (routes[cut].score, len(routes[cut].ties)) == (
        routes[cut - 1].score,
        len(routes[cut - 1].ties),
    ):
        cut += 1
    return list(routes[:cut])


def _target(reader: Reader, x: Entity) -> tuple[TargetFilter, str]:
    if x.kind in ("region", "country"):
        return TargetFilter(regions=region_ids(reader, x)), (
            f"organisations located in the {x.kind} {x.name} ({x.key})"
        )
    if x.kind == "organisation":
        return TargetFilter(organisations=[x.key]), f"{x.name} ({x.key})"
    if x.kind == "domain":
        codes = domain_closure(reader, x.key)
        return TargetFilter(domains=codes), (
            f"organisations with a project, hub or cluster in {x.name}"
            + (
                f" or its subdomains ({', '.join(c for c in codes if c != x.key)})"
                if len(codes) > 1
                else ""
            )
        )
    if x.kind in CONNECTOR_KINDS:
        record = reader.one(cypher.CONNECTOR_MEMBERS, key=x.key)
        members = list(record["uids"]) if record else []
        return TargetFilter(organisations=members), (
            f"the {len(members)} organisations tied to the {x.kind} {x.name}"
        )
    raise AssertionError(f"unexpected kind {x.kind}")


def _networks(uid: str, tally: _Tally) -> set[str]:
    """Networks of the broker as the path details carry them (organisations: EEN, EDIH, ...;
    hubs and consortia: their own network)."""
    found: set[str] = set()
    for item in tally.shown[:1]:
        node = item.path.nodes[item.route.uids.index(uid)]
        found.update(n for n in node.networks if n)
    return found


def _explain_broker(
    label: str, name: str, tally: _Tally, total: int, networks: Sequence[str]
) -> str:
    best = tally.shown[0].path
    what = {
        "Organisation": "organisation",
        "Project": "shared project",
        "Hub": "hub",
        "Cluster": "cluster",
        "Partnership": "cluster partnership",
        "Consortium": "EEN consortium",
    }.get(label, label.lower())
    text = (
        f"{name} ({what}) lies on {len(tally.routes)} of the {total} routes; summed route score "
        f"{tally.score:.3f}, best route {best.score:.3f}: {best.explanation}"
    )
    if networks:
        text += f" Networks: {', '.join(networks)}."
    return text


def _by_network(result: ConnectResult) -> str:
    """' (Horizon 2020 12, Interreg 3)': where the routes' ties come from."""
    if not result.routes_by_network:
        return ""
    parts = ", ".join(f"{name} {n}" for name, n in result.routes_by_network.items())
    return f" (through ties of {parts})"


def _explain(
    us: Entity,
    n_starts: int,
    target_text: str,
    max_hops: int,
    result: ConnectResult,
    truncated: bool,
) -> str:
    origin = (
        f"{us.name} ({us.key})"
        if us.kind == "organisation"
        else f"the {n_starts} organisations located in {us.name} ({us.key})"
    )
    text = (
        f"Routes of at most {max_hops} hops from {origin} to {target_text}, over ties between "
        "actors only (never through a region, country, domain or whole network). "
    )
    if not result.brokers:
        if result.routes_found:
            return text + (
                f"{result.routes_found} direct route(s) found, with nobody in between: "
                "no broker is needed."
            )
        return text + "No route exists in the graph, so nobody can be named as a broker."
    text += f"{result.routes_found} distinct routes found{_by_network(result)}. " + (
        "Brokers (organisations, projects, hubs, "
        "clusters, partnerships and consortia in between) are ranked by the summed score of the "
        "routes through them (a route's score: tie strengths x 0.5 per intermediate "
        "organisation x thematic fit of the end regions)."
    )
    if truncated:
        text += f" The search stopped at {ROUTE_LIMIT} routes: counts are lower bounds."
    return text
