"""Partnership paths: from an organisation or region to organisations in regions of a cohesion
category (or a given region or country), over ties between actors only.

The search walks tie relationships (``TIE_TYPES``) between traversable nodes
(``TRAVERSABLE_LABELS``) best first in an in-memory copy of the ties (``queries.route_index``);
the routes that can be among the best are then scored from Neo4j's details
(``queries.scoring``) and the best kept.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, cast

from neo4j import Driver

from graph.errors import BadInput
from graph.schema import TRAVERSABLE_LABELS, NodeLabel
from queries import cypher
from queries.bounds import MAX_HOPS, MAX_K
from queries.models import (
    Ambiguity,
    Category,
    Entity,
    Path,
    PathNode,
    PathRel,
    PathsResult,
    RegionRef,
    Resolution,
    ScoreParts,
    Target,
    ThematicFit,
    TieStrength,
    category_text,
)
from queries.networks import project_network
from queries.regions import RegionProfile, domain_ancestors, region_profiles
from queries.resolve import resolve_with
from queries.route_index import (
    IndexedRoute,
    RouteIndex,
    SearchStats,
    SearchTimeout,
    fit_function,
    route_index,
)
from queries.runner import Reader
from queries.scoring import (
    Fit,
    NodeInfo,
    Tie,
    path_score,
    segment_tie,
    split_segments,
    thematic_fit,
)

ROUTE_LIMIT = 5000  # routes a broker or consortium search weighs at most (the best ones)
SCORE_EPSILON = 1e-4  # scores are shown rounded to 4 places: routes this close tie
MAX_START_ORGANISATIONS = 500
MAX_PER_END = 2  # paths kept per end organisation, so the k best name several partners
TARGET_CATEGORIES = ("less developed", "transition", "more developed", "outermost")
TRAVERSABLE = sorted(label.value for label in TRAVERSABLE_LABELS)


@dataclass(frozen=True, slots=True)
class TargetFilter:
    """Which organisations a route may end at (every set filter must hold)."""

    regions: list[str] | None = None
    organisations: list[str] | None = None
    domains: list[str] | None = None


RelRef = str | dict[str, Any]


@dataclass(frozen=True, slots=True)
class Route:
    """A candidate route: its nodes' uids and its relationships, either as element ids (as the
    search returns them, valid in its transaction) or as ``{type, from, role}`` maps. Labels are
    optional: scoring reads them from the node details."""

    uids: tuple[str, ...]
    labels: tuple[str, ...] = ()
    rels: tuple[RelRef, ...] = ()
    score: float | None = None  # the search's score, rounded as shown (``score_routes`` agrees)


@dataclass
class RouteSearch:
    routes: list[Route] = field(default_factory=list)
    truncated: bool = False


@dataclass
class ScoredRoute:
    """A route with its score; the ``Path`` model (with every explanation) is built only when
    asked for, since a search may score thousands of routes and show ten."""

    route: Route
    labels: tuple[str, ...]
    nodes: list[NodeInfo]
    ties: list[Tie]
    intermediaries: int
    fit: Fit
    score: float
    start_ref: RegionRef | None
    end_ref: RegionRef | None
    rel_details: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hops(self) -> int:
        return len(self.route.rels)

    @cached_property
    def path(self) -> Path:
        """The model; call ``present`` first so the relationships carry their types."""
        return _path_model(self)


# -- public -------------------------------------------------------------------------------------


def paths(
    driver: Driver,
    start: str,
    *,
    to_category: str | None = "less developed",
    to: str | None = None,
    domain: str | None = None,
    k: int = 10,
    max_hops: int = 4,
    database: str | None = None,
    timeout: float | None = None,
) -> PathsResult:
    """The ``k`` best paths from ``start`` (organisation or region) to organisations in regions
    of ``to_category`` ('less developed', 'transition', 'more developed' or 'outermost'), or in
    the region or country ``to`` (which then replaces the category)."""
    k = check_range("k", k, 1, MAX_K)
    max_hops = check_range("max_hops", max_hops, 1, MAX_HOPS)
    if to is None and to_category is not None and to_category not in TARGET_CATEGORIES:
        raise BadInput(
            f"unknown category '{to_category}': use one of {', '.join(TARGET_CATEGORIES)}"
        )
    question = ("paths", start, to_category, to, domain, k, max_hops)
    return Reader(driver, database, timeout).run(
        lambda reader: reader.remembered(
            question, lambda r: _paths(r, start, to_category, to, domain, k, max_hops)
        )
    )


def _paths(
    reader: Reader,
    start: str,
    to_category: str | None,
    to: str | None,
    domain: str | None,
    k: int,
    max_hops: int,
) -> PathsResult:
    resolutions = {"from": resolve_with(reader, start, ["organisation", "region"], role="from")}
    if to is not None:
        resolutions["to"] = resolve_with(reader, to, ["region", "country"], role="to")
    if domain is not None:
        resolutions["domain"] = resolve_with(reader, domain, ["domain"], role="domain")
    ambiguities = ambiguities_of(resolutions)
    if ambiguities:
        return PathsResult(
            status="ambiguous",
            ambiguities=ambiguities,
            k=k,
            max_hops=max_hops,
            explanation=" ".join(a.explanation for a in ambiguities),
        )
    start_entity = resolved_entity(resolutions["from"])
    to_entity = resolved_entity(resolutions["to"]) if "to" in resolutions else None
    domain_entity = resolved_entity(resolutions["domain"]) if "domain" in resolutions else None

    target, target_filter = _target(reader, to_category if to is None else None, to_entity)
    starts = start_organisations(reader, start_entity)
    domains, domain_regions = domain_filter(reader, domain_entity)
    base = PathsResult(
        start=start_entity,
        target=target,
        domain=domain_entity,
        k=k,
        max_hops=max_hops,
        explanation="",
    )
    if not starts:
        base.explanation = (
            f"No organisation is located in {start_entity.name} ({start_entity.key}): "
            "there is nowhere to start from."
        )
        return base
    search = search_routes(reader, starts, target_filter, domains, domain_regions, max_hops, best=k)
    scored = score_routes(reader, search.routes)
    chosen = best_paths(scored, k)
    base.paths = present(reader, chosen)
    base.candidates_considered = len(scored)
    base.explanation = _explain(
        start_entity, len(starts), target, domain_entity, max_hops, len(scored), chosen, search
    )
    return base


# -- shared by connect and consortium -----------------------------------------------------------


def check_range(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise BadInput(f"{name} must be between {low} and {high} (got {value})")
    return value


def ambiguities_of(resolutions: dict[str, Resolution]) -> list[Ambiguity]:
    return [
        Ambiguity(input=r.input, role=role, candidates=r.candidates, explanation=r.explanation)
        for role, r in resolutions.items()
        if r.entity is None
    ]


def resolved_entity(resolution: Resolution) -> Entity:
    assert resolution.entity is not None
    return resolution.entity


def start_organisations(reader: Reader, entity: Entity) -> list[str]:
    """The organisation itself, or every organisation located in the region (or below it)."""
    if entity.kind == "organisation":
        return [entity.key]
    regions = region_ids(reader, entity)
    rows = reader.memo_rows(
        cypher.ORGANISATIONS_IN_REGIONS, regions=regions, limit=MAX_START_ORGANISATIONS
    )
    return [r["uid"] for r in rows]


def region_ids(reader: Reader, entity: Entity) -> list[str]:
    """A region and the regions below it, or every region of a country."""
    if entity.kind == "country":
        record = reader.memo_one(cypher.COUNTRY_REGIONS, code=entity.key)
    else:
        record = reader.memo_one(cypher.REGION_SUBTREE, nuts_id=entity.key)
    return list(record["ids"]) if record else []


def domain_filter(reader: Reader, entity: Entity | None) -> tuple[list[str] | None, list[str]]:
    """The domain with its subdomains, and the regions whose S3 priorities declare one."""
    if entity is None:
        return None, []
    codes = domain_closure(reader, entity.key)
    record = reader.memo_one(cypher.REGIONS_WITH_DECLARED_DOMAINS, domains=codes)
    return codes, list(record["ids"]) if record else []


def domain_closure(reader: Reader, code: str) -> list[str]:
    record = reader.memo_one(cypher.DOMAIN_CLOSURE, code=code)
    return sorted(record["codes"]) if record and record["codes"] else [code]


def search_routes(
    reader: Reader,
    starts: Sequence[str],
    target: TargetFilter,
    domains: list[str] | None,
    domain_regions: list[str],
    max_hops: int,
    limit: int = ROUTE_LIMIT,
    best: int | None = None,
) -> RouteSearch:
    """Routes of up to ``max_hops`` hops, best first, from the in-memory index
    (``queries.route_index``). With ``best``: every route that can be among the ``best`` paths
    (at most ``MAX_PER_END`` per end organisation, ties included), and nothing else; without it,
    the ``limit`` best routes."""
    found = search_index(reader, starts, target, domains, domain_regions, max_hops, limit, best)
    return RouteSearch([as_route(found.index, r) for r in found.routes], found.truncated)


@dataclass
class IndexSearch:
    """What ``search_routes`` finds, as ids of the index it searched: for callers that weigh
    thousands of routes and show a few (``as_route`` turns one into uids)."""

    index: RouteIndex
    routes: list[IndexedRoute] = field(default_factory=list)  # scores rounded as shown
    truncated: bool = False


def search_index(
    reader: Reader,
    starts: Sequence[str],
    target: TargetFilter,
    domains: list[str] | None,
    domain_regions: list[str],
    max_hops: int,
    limit: int = ROUTE_LIMIT,
    best: int | None = None,
) -> IndexSearch:
    """``search_routes``, with the routes as the index holds them."""
    index = route_index(reader)
    found = IndexSearch(index)
    targets = index.targets(target.organisations, target.regions, target.domains)
    if not targets:  # nobody to end at (a region where the graph knows no organisation)
        return found
    stats = SearchStats()
    routes = index.best_routes(
        starts,
        targets,
        domains,
        domain_regions,
        max_hops,
        fit_function(reader),
        date.today(),
        stats,
        deadline=time.monotonic() + reader.timeout,
    )
    try:
        _collect(found, routes, best, limit)
    except SearchTimeout as exc:
        raise reader.timed_out() from exc
    found.truncated = found.truncated or stats.stopped
    return found


def as_route(index: RouteIndex, route: IndexedRoute) -> Route:
    return Route(
        index.uids_of(route.nodes),
        tuple(map(index.labels.__getitem__, route.nodes)),
        tuple(map(index.ties.__getitem__, route.ties)),
        route.score,
    )


def _collect(
    found: IndexSearch, routes: Iterator[IndexedRoute], best: int | None, limit: int
) -> None:
    """Takes routes, best first, until the ``best`` paths are proven (ties included) or
    ``limit`` routes are taken: then the routes level with the last one (same score as shown)
    are taken in order of hops and uids, so the cut does not depend on the search's order."""
    per_end: dict[int, int] = defaultdict(int)
    accepted = 0
    threshold: float | None = None
    for route in routes:
        if threshold is not None and route.score < threshold - SCORE_EPSILON:
            break
        found.routes.append(IndexedRoute(round(route.score, 4), route.nodes, route.ties))
        if best is not None:
            end = route.nodes[-1]
            if threshold is None and per_end[end] < MAX_PER_END:
                per_end[end] += 1
                accepted += 1
                if accepted == best:
                    threshold = route.score
        elif len(found.routes) >= limit:
            _cut_level(found, routes, limit)
            break


def _cut_level(found: IndexSearch, routes: Iterator[IndexedRoute], limit: int) -> None:
    level = found.routes[-1].score
    first = next(i for i, r in enumerate(found.routes) if r.score == level)
    tied = found.routes[first:]
    for route in routes:
        found.truncated = True
        if round(route.score, 4) != level:
            break
        tied.append(IndexedRoute(level, route.nodes, route.ties))
    tied.sort(key=lambda r: (len(r.ties), found.index.uids_of(r.nodes)))
    found.routes[first:] = tied[: limit - first]


def node_infos(reader: Reader, uids: Iterable[str]) -> dict[str, NodeInfo]:
    wanted = sorted(set(uids))
    if not wanted:
        return {}
    infos: dict[str, NodeInfo] = {}
    for r in reader.rows(cypher.NODE_DETAILS, uids=wanted):
        if r["uid"] in infos:
            continue
        infos[r["uid"]] = NodeInfo(
            label=r["label"],
            uid=r["uid"],
            name=r["name"],
            n_partners=r["n_partners"],
            members=r["members"],
            kind=r["kind"],
            end_date=r["end_date"],
            start_date=r["start_date"],
            topic=r["topic"],
            region=r["region"],
            domains=tuple(sorted(r["domains"])),
            extra={
                "acronym": r["acronym"],
                "topic_title": r["topic_title"],
                "programme": r["programme"],
                "activity_type": r["activity_type"],
                "country_code": r["country_code"],
                "status": r["status"],
            },
        )
    return infos


def present(reader: Reader, items: Sequence[ScoredRoute]) -> list[Path]:
    """The ``Path`` models of the routes that are shown: their relationships' types, directions
    and roles and their nodes' networks are fetched for these routes only."""
    missing = sorted(
        {e for item in items if not item.rel_details for e in item.route.rels if isinstance(e, str)}
    )
    if missing:
        details = {r["id"]: r.data() for r in reader.rows(cypher.REL_DETAILS, ids=missing)}
        for item in items:
            if not item.rel_details:
                item.rel_details = [
                    details.get(e, {}) if isinstance(e, str) else e for e in item.route.rels
                ]
    shown = [item.path for item in items]
    attach_networks(reader, shown)
    return shown


def attach_networks(reader: Reader, shown: Sequence[Path]) -> None:
    """Fills in the networks (EEN, EDIH, ...) of the nodes of the paths that are shown: only
    those, since a search may score thousands of routes. A project's network is its source's
    (Horizon 2020 or Interreg)."""
    by_label: dict[str, set[str]] = defaultdict(set)
    for path in shown:
        for node in path.nodes:
            by_label[node.label].add(node.key)
    if not by_label:
        return
    networks = node_networks(reader, by_label)
    for path in shown:
        for node in path.nodes:
            if node.label == NodeLabel.PROJECT.value:
                node.networks = [project_network(node.key)]
            else:
                node.networks = networks.get(node.key, [])


def node_networks(reader: Reader, by_label: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """The networks of nodes given by label (organisations, hubs, clusters, partnerships,
    consortia), sorted, for each node found."""
    record = reader.memo_one(cypher.HAS_EEN_GRANTS)
    rows = reader.rows(
        cypher.NODE_NETWORKS,
        organisations=sorted(by_label.get("Organisation", ())),
        hubs=sorted(by_label.get("Hub", ())),
        clusters=sorted(by_label.get("Cluster", ())),
        partnerships=sorted(by_label.get("Partnership", ())),
        consortia=sorted(by_label.get("Consortium", ())),
        een_grants=bool(record and record["found"]),
    )
    return {r["uid"]: sorted(n for n in r["networks"] if n) for r in rows}


def score_routes(
    reader: Reader,
    routes: Sequence[Route],
    today: date | None = None,
    known: Mapping[str, NodeInfo] | None = None,
) -> list[ScoredRoute]:
    """Scores every route (see ``queries.scoring``), best first; ties broken by fewer hops,
    then by the end organisation's name, so the order is stable. Nodes in ``known`` (read by
    the caller already) are not read again."""
    if not routes:
        return []
    today = today or date.today()
    known = known or {}
    uids = {uid for route in routes for uid in route.uids}
    unread = uids - known.keys()
    infos = node_infos(reader, unread) | {u: known[u] for u in uids - unread}
    ends = {uid for route in routes for uid in (route.uids[0], route.uids[-1])}
    regions = [info.region for u in ends if (info := infos.get(u)) and info.region]
    profiles = region_profiles(reader, regions)
    ancestors = domain_ancestors(reader)
    fits: dict[tuple[str, str], Fit] = {}  # many routes share their two end regions
    scored = [_score(route, infos, profiles, ancestors, today, fits) for route in routes]
    scored.sort(key=lambda s: (-s.score, s.hops, s.nodes[-1].name, s.route.uids))
    return scored


def best_paths(
    scored: Sequence[ScoredRoute], k: int, per_end: int = MAX_PER_END
) -> list[ScoredRoute]:
    """The ``k`` best, with at most ``per_end`` paths to the same end organisation."""
    chosen: list[ScoredRoute] = []
    per: dict[str, int] = defaultdict(int)
    for item in scored:
        end = item.route.uids[-1]
        if per[end] >= per_end:
            continue
        per[end] += 1
        chosen.append(item)
        if len(chosen) == k:
            break
    return chosen


# -- scoring and presentation -------------------------------------------------------------------


def _score(
    route: Route,
    infos: dict[str, NodeInfo],
    profiles: dict[str, RegionProfile],
    ancestors: dict[str, frozenset[str]],
    today: date,
    fits: dict[tuple[str, str], Fit],
) -> ScoredRoute:
    given = route.labels or tuple("?" for _ in route.uids)
    nodes = [
        infos.get(u) or NodeInfo(label=label, uid=u, name=u)
        for u, label in zip(route.uids, given, strict=True)
    ]
    labels = tuple(n.label for n in nodes)
    ties = [segment_tie(nodes[a:b], today) for a, b in split_segments(labels)]
    intermediaries = sum(1 for label in labels[1:-1] if label == "Organisation")
    start_profile = profiles.get(nodes[0].region or "")
    end_profile = profiles.get(nodes[-1].region or "")
    pair = (nodes[0].region or "", nodes[-1].region or "")
    fit = fits.get(pair)
    if fit is None:
        fit = fits[pair] = region_fit(start_profile, end_profile, ancestors)
    score = path_score(ties, intermediaries, fit)
    return ScoredRoute(
        route=route,
        labels=labels,
        nodes=nodes,
        ties=ties,
        intermediaries=intermediaries,
        fit=fit,
        score=round(score, 4),
        start_ref=start_profile.ref if start_profile else None,
        end_ref=end_profile.ref if end_profile else None,
        rel_details=[r for r in route.rels if isinstance(r, dict)],
    )


def _path_model(item: ScoredRoute) -> Path:
    route, nodes, ties, fit = item.route, item.nodes, item.ties, item.fit
    rels = []
    for i, rel in enumerate(item.rel_details or [{} for _ in route.rels]):
        rels.append(
            PathRel(
                type=str(rel.get("type") or "?"),
                start=i,
                end=i + 1,
                forward=rel.get("from") == route.uids[i],
                role=rel.get("role"),
            )
        )
    parts = ScoreParts(
        ties=[
            TieStrength(
                via=_path_node(t.via),
                kind=t.kind,
                strength=round(t.strength, 4),
                reason=t.reason,
            )
            for t in ties
        ],
        length_factor=0.5**item.intermediaries,
        fit=ThematicFit(
            basis=fit.basis,
            shared_domains=list(fit.shared),
            factor=round(fit.factor, 4),
            reason=fit.reason,
        ),
    )
    return Path(
        nodes=[_path_node(n) for n in nodes],
        relationships=rels,
        hops=item.hops,
        start_region=item.start_ref,
        end_region=item.end_ref,
        score=item.score,
        score_parts=parts,
        explanation=_explain_path(
            nodes, ties, item.intermediaries, fit, item.score, item.start_ref, item.end_ref
        ),
    )


def region_fit(
    a: RegionProfile | None, b: RegionProfile | None, ancestors: dict[str, frozenset[str]]
) -> Fit:
    return thematic_fit(
        a.domains if a else (),
        a.basis if a else "none",
        b.domains if b else (),
        b.basis if b else "none",
        a.label if a else "the start region",
        b.label if b else "the end region",
        ancestors,
    )


def _path_node(info: NodeInfo) -> PathNode:
    return PathNode(
        label=info.label,
        key=info.uid,
        name=info.name,
        region=info.region,
        country_code=info.extra.get("country_code") or (info.region[:2] if info.region else None),
        detail=node_detail(info),
        activity_type=info.extra.get("activity_type"),
        networks=list(info.networks),
    )


def node_detail(info: NodeInfo) -> str:
    """A few words that say what a node is: the project's topic and size, the hub's status."""
    extra = info.extra
    if info.label == "Project":
        bits = [extra.get("acronym") or "", info.topic or ""]
        if extra.get("topic_title"):
            bits.append(str(extra["topic_title"]))
        size = info.n_partners or info.members
        if size:
            bits.append(f"{size} partners")
        if info.end_date:
            bits.append(f"ends {info.end_date[:10]}")
        if info.kind:
            bits.append(f"kind {info.kind}")
        return "; ".join(b for b in bits if b)
    if info.label == "Organisation":
        bits = [extra.get("activity_type") or "", info.region or extra.get("country_code") or ""]
        return "; ".join(b for b in bits if b)
    if info.label == "Hub":
        return "; ".join(b for b in (extra.get("status") or "", info.region or "") if b)
    return f"{info.members} members" if info.members else ""


def region_text(ref: RegionRef | None) -> str:
    if ref is None:
        return "region unknown"
    return f"{ref.nuts_id} {ref.name}, {category_text(ref)}"


def _explain_path(
    nodes: Sequence[NodeInfo],
    ties: Sequence[Tie],
    intermediaries: int,
    fit: Fit,
    score: float,
    start: RegionRef | None,
    end: RegionRef | None,
) -> str:
    route = f"{nodes[0].name} ({region_text(start)})"
    orgs = [i for i, n in enumerate(nodes) if n.label == "Organisation"]
    for tie, position in zip(ties, orgs[1:], strict=False):
        via = tie.via
        label = via.extra.get("acronym") or via.name
        if via.label == "Project" and via.topic:
            label += f", {via.topic}"
        route += f" -[{tie.kind} {label}]- {nodes[position].name}"
    route += f" ({region_text(end)})"
    factors = " x ".join(f"{t.kind} tie {t.strength:.2f} ({t.reason})" for t in ties)
    length = (
        "no intermediary (x1)"
        if intermediaries == 0
        else f"{intermediaries} intermediar{'y' if intermediaries == 1 else 'ies'} "
        f"(x{0.5**intermediaries:g})"
    )
    return (
        f"{route}. Score {score:.3f} = {factors} x {length} x fit {fit.factor:.2f} ({fit.reason})."
    )


def _target(reader: Reader, category: str | None, to: Entity | None) -> tuple[Target, TargetFilter]:
    if to is not None:
        ids = region_ids(reader, to)
        kind = "country" if to.kind == "country" else "region"
        target = Target(
            region=to if to.kind == "region" else None,
            country=to if to.kind == "country" else None,
            description=f"organisations located in the {kind} {to.name} ({to.key})",
        )
        return target, TargetFilter(regions=ids)
    if category is None:
        return (
            Target(description="organisations located in any region"),
            TargetFilter(),
        )
    outermost = category == "outermost"
    record = reader.memo_one(
        cypher.REGIONS_BY_CATEGORY,
        category=None if outermost else category,
        outermost=outermost,
    )
    ids = list(record["ids"]) if record else []
    description = (
        "organisations located in outermost regions"
        if outermost
        else f"organisations located in {category} regions"
    )
    target = Target(
        category=None if outermost else cast(Category, category),
        outermost=outermost,
        description=f"{description} ({len(ids)} NUTS 2 and NUTS 3 regions)",
    )
    return target, TargetFilter(regions=ids)


def _explain(
    start: Entity,
    n_starts: int,
    target: Target,
    domain: Entity | None,
    max_hops: int,
    n_routes: int,
    chosen: Sequence[ScoredRoute],
    search: RouteSearch,
) -> str:
    origin = (
        f"{start.name} ({start.key})"
        if start.kind == "organisation"
        else f"the {n_starts} organisation{'s' if n_starts != 1 else ''} located in "
        f"{start.name} ({start.key})"
    )
    theme = (
        f", through the domain {domain.name} (a project, hub or cluster in it or one of its "
        "subdomains on the way, or an end region whose S3 priorities declare it)"
        if domain
        else ""
    )
    text = (
        f"Paths of at most {max_hops} hops from {origin} to {target.description}{theme}, over "
        "ties between organisations, projects, hubs, clusters, partnerships and EEN consortia "
        "(regions, countries, domains and whole networks are never passed through). "
    )
    if not chosen:
        return text + "No such path exists in the graph."
    text += (
        f"Routes are searched best first among all routes of at most {max_hops} hops, so no "
        f"route left out scores higher; the {len(chosen)} best are shown (at most {MAX_PER_END} "
        f"per end organisation, {n_routes} route{'s' if n_routes != 1 else ''} scored). "
        "Score = tie strengths (a small recent shared project is strongest, then a shared hub or "
        "a cluster partnership, then the same EEN consortium) x 0.5 per intermediate "
        "organisation x thematic fit (shared domains of the two end regions: declared S3 "
        "priorities where loaded, else domains revealed by their projects, hubs and clusters)."
    )
    if search.truncated:
        text += (
            " The search stopped at its work limit before it could prove these the best: "
            "narrow it with a domain, a smaller region or fewer hops."
        )
    return text
