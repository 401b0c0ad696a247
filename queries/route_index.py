"""The route search in memory: a compact copy of the ties between actors, read from Neo4j once
per graph version, searched best first.

Neo4j stays the store of record: the index holds only what the search needs (uids, labels, the
tie relationships, project sizes and dates, regions and domains), and every detail shown comes
from Neo4j afterwards (``queries.paths.score_routes`` and ``present``).

Why best first is exact: a route's score is a product of factors that are all at most 1 (tie
strengths, 0.5 per intermediate organisation, the thematic fit), so a partial route's product,
times the best strength its open tie can still reach, bounds every route that extends it. The
search pops the partial route with the highest bound; a complete route goes back on the heap
with its exact score, so when it comes off no other route can score higher. Routes therefore
come out best first, with no cap that could hide a better one.
"""

from __future__ import annotations

import heapq
import inspect
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from queries import cypher
from queries.models import RegionRef
from queries.networks import connector_network
from queries.regions import RegionProfile, domain_ancestors, region_profiles
from queries.runner import Reader
from queries.scoring import (
    INTERMEDIARY_FACTOR,
    PARTNERSHIP_STRENGTH,
    WEAK_STRENGTH,
    Fit,
    NodeInfo,
    segment_tie,
)
from queries.versioned import DiskCopy, VersionedCache, long_lived

ORGANISATION = "Organisation"
MAX_PROJECT_PARTNERS = 100  # projects larger than this are not treated as ties
_bound_of = itemgetter(0)
_VECTOR_FROM = 32  # connectors of an organisation from which numpy tests them
MAX_POPS = 3_000_000  # a safety bound on one search; reaching it marks the answer incomplete


class IndexedRoute(NamedTuple):
    """A complete route as the search finds it: its nodes and ties as ids of the index, and its
    score. A plain tuple: a connect weighs thousands, and only the shown ones need uids."""

    score: float
    nodes: tuple[int, ...]
    ties: tuple[int, ...]


@dataclass
class RouteIndex:
    """Ties between traversable nodes as adjacency lists over integer ids."""

    uids: list[str]
    labels: list[str]
    details: list[tuple[Any, ...]]  # (n_partners, members, kind, start, end): see ``info``
    regions: list[tuple[str, ...]]  # an organisation's regions (most detailed first)
    domains: list[frozenset[str]]  # a node's own domains (IN_DOMAIN, OFFERS, ACTIVE_IN)
    reach_domains: list[frozenset[str]]  # an organisation's own and its connectors' domains
    adjacency: list[list[tuple[int, int]]]  # node -> [(neighbour, tie index)]
    ties: list[dict[str, Any]]  # tie index -> {type, from (uid), role}: shared, never changed
    id_of: dict[str, int] = field(default_factory=dict)
    # Look-ups built once (``_finish``): organisations by region and by reached domain, and the
    # adjacency as compressed arrays for the distance search.
    organisations: list[int] = field(default_factory=list)
    by_region: dict[str, list[int]] = field(default_factory=dict)
    by_reach_domain: dict[str, list[int]] = field(default_factory=dict)
    is_organisation: list[bool] = field(default_factory=list)
    leads_on: list[bool] = field(default_factory=list)  # has a neighbour that is no organisation
    networks: list[str | None] = field(default_factory=list)  # a connector's network
    _strengths: _TieStrengths | None = field(default=None, repr=False)
    indptr: NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    indices: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __getstate__(self) -> dict[str, Any]:
        """A copy on disk leaves out the day's tie strengths (rebuilt on the first search)."""
        return {**self.__dict__, "_strengths": None}

    @classmethod
    def read(cls, reader: Reader) -> RouteIndex:
        """Two reads: the nodes with what scoring needs, and the tie relationships."""
        node_rows = reader.one(cypher.ROUTE_INDEX_NODES)
        tie_rows = reader.one(cypher.ROUTE_INDEX_TIES)
        return cls.from_rows(
            list(node_rows["nodes"]) if node_rows else [],
            list(tie_rows["ties"]) if tie_rows else [],
        )

    @classmethod
    def from_rows(cls, nodes: Sequence[Sequence[Any]], ties: Sequence[Sequence[Any]]) -> RouteIndex:
        """Nodes as ``[uid, label, n_partners, members, kind, start, end, regions, domains]``,
        ties as ``[from uid, to uid, type, role]`` (the rows of ``ROUTE_INDEX_*``)."""
        index = cls([], [], [], [], [], [], [], [])
        small: list[bool] = []
        # Equal region tuples and domain sets are one object each: less memory, and a quicker
        # copy on disk (``keep_on_disk``).
        shared: dict[Any, Any] = {}
        for uid, label, n_partners, members, kind, start, end, regions, domains in nodes:
            index.id_of[uid] = len(index.uids)
            index.uids.append(uid)
            index.labels.append(label)
            index.details.append((n_partners, members or 0, kind, start, end))
            region_tuple = tuple(regions or ())
            index.regions.append(shared.setdefault(region_tuple, region_tuple))
            domain_set = frozenset(domains or ())
            index.domains.append(shared.setdefault(domain_set, domain_set))
            index.adjacency.append([])
            small.append(label != "Project" or (n_partners or 0) <= MAX_PROJECT_PARTNERS)
        reach: list[set[str]] = [set(d) for d in index.domains]
        seen: set[tuple[int, int]] = set()
        for start_uid, end_uid, rel_type, role in ties:
            a, b = index.id_of.get(start_uid), index.id_of.get(end_uid)
            if a is None or b is None or a == b:
                continue
            if index.labels[a] == ORGANISATION:
                reach[a] |= index.domains[b]  # the target-domain test ignores project size
            if not (small[a] and small[b]):
                continue
            pair = (min(a, b), max(a, b))
            if pair in seen:  # one tie per pair of nodes, as the route is the node sequence
                continue
            seen.add(pair)
            index.ties.append({"type": rel_type, "from": start_uid, "role": role})
            tie = len(index.ties) - 1
            index.adjacency[a].append((b, tie))
            index.adjacency[b].append((a, tie))
        index.reach_domains = [shared.setdefault(d, d) for d in map(frozenset, reach)]
        index._finish()
        return index

    def _finish(self) -> None:
        self.is_organisation = [label == ORGANISATION for label in self.labels]
        self.networks = list(map(connector_network, self.labels, self.uids))
        self.leads_on = [
            any(not self.is_organisation[n] for n, _ in links) for links in self.adjacency
        ]
        for i, label in enumerate(self.labels):
            if label != ORGANISATION:
                continue
            self.organisations.append(i)
            for region in self.regions[i]:
                self.by_region.setdefault(region, []).append(i)
            for domain in self.reach_domains[i]:
                self.by_reach_domain.setdefault(domain, []).append(i)
        degrees = np.fromiter((len(a) for a in self.adjacency), dtype=np.int64)
        self.indptr = np.concatenate(([0], np.cumsum(degrees))).astype(np.int64)
        self.indices = np.fromiter(
            (n for a in self.adjacency for n, _ in a), dtype=np.int64, count=int(degrees.sum())
        )

    # -- the search ------------------------------------------------------------------------------

    def targets(
        self,
        organisations: Sequence[str] | None,
        regions: Sequence[str] | None,
        domains: Sequence[str] | None,
    ) -> set[int]:
        """Organisations that meet every set filter."""
        found: set[int] | None = None
        if organisations is not None:
            ids = (self.id_of.get(uid) for uid in organisations)
            found = {i for i in ids if i is not None and self.labels[i] == ORGANISATION}
        for wanted, members in ((regions, self.by_region), (domains, self.by_reach_domain)):
            if wanted is None:
                continue
            these = {i for key in wanted for i in members.get(key, ())}
            found = these if found is None else found & these
        return set(self.organisations) if found is None else found

    def _distances(self, targets: set[int], depth: int) -> NDArray[np.int64]:
        """Hops from each node to the nearest target, ``depth + 1`` beyond ``depth``: a
        breadth-first search over the compressed adjacency, one level at a time."""
        far = depth + 1
        distance = np.full(len(self.uids), far, dtype=np.int64)
        frontier = np.fromiter(targets, dtype=np.int64, count=len(targets))
        distance[frontier] = 0
        for hops in range(1, depth + 1):
            starts = self.indptr[frontier]
            counts = self.indptr[frontier + 1] - starts
            total = int(counts.sum())
            if total == 0:
                break
            # every neighbour of the frontier: the ranges indptr[f]..indptr[f + 1] concatenated
            offsets = np.arange(total) + np.repeat(starts - np.cumsum(counts) + counts, counts)
            neighbours = self.indices[offsets]
            distance[neighbours[distance[neighbours] == far]] = hops
            frontier = np.flatnonzero(distance == hops)
        return distance

    def best_routes(
        self,
        starts: Sequence[str],
        targets: set[int],
        domains: Sequence[str] | None,
        domain_regions: Sequence[str],
        max_hops: int,
        fit: Callable[[str | None, str | None], float],
        today: date,
        stats: SearchStats | None = None,
        deadline: float | None = None,
    ) -> Iterator[IndexedRoute]:
        """Every route from a start to a target within ``max_hops``, best first (see the module
        docstring): no node twice, no other start passed, big projects never a tie; with
        ``domains``, a route passes a node in one of them or ends in a ``domain_regions``
        region. Past ``deadline`` (``time.monotonic``) it raises ``SearchTimeout``.

        A node's extensions are sorted by their bound once and go on the heap one at a time
        (the next one when the previous comes off): a project of a hundred partners costs one
        heap entry, not a hundred, and most extensions are never reached."""
        stats = stats if stats is not None else SearchStats()
        start_ids = {self.id_of[u] for u in starts if u in self.id_of}
        distances = self._distances(targets, max_hops)
        distance: list[int] = distances.tolist()
        wanted = set(domains) if domains is not None else None
        domain_region_set = set(domain_regions)
        is_org = self.is_organisation
        day = self._day(today)
        strength, bound = day.strength, day.bound

        # A heap entry is the next untried extension of a partial route: (-its bound, counter,
        # the partial route, its extensions best first, which one, scale). A partial route is
        # (nodes, ties, domain seen, product of closed ties, intermediaries). Its extensions are
        # either its own, (bound, neighbour, tie, complete, product, intermediaries, open chain)
        # with scale None (a complete one's bound is its exact score), or, from an organisation,
        # the organisation's connectors (bound, connector, tie), shared by every route that
        # reaches it at that hop and scaled by the route's product: a hub organisation with
        # thousands of projects is sorted once per search, not once per route through it.
        Extensions = list[tuple[Any, ...]]
        heap: list[tuple[float, int, tuple[Any, ...], Extensions, int, float | None]] = []
        fans: dict[tuple[int, int], Extensions] = {}
        counter = 0

        def fan(node: int, hops: int) -> Extensions:
            found = fans.get((node, hops))
            if found is None:
                reach = max_hops - hops - 1
                every = day.connectors(node)
                if len(every) < _VECTOR_FROM:
                    found = [e for e in every if distance[e[1]] <= reach]
                else:  # a hub: numpy tests its connectors, and often every one leads on
                    near = distances[day.connector_ids(node)] <= reach
                    found = every if near.all() else list(compress(every, near.tolist()))
                fans[(node, hops)] = found
            return found

        roots = [
            (1.0, s, -1, False, 1.0, 0, ())
            for s in sorted(start_ids)
            if is_org[s] and distance[s] <= max_hops
        ]
        if roots:
            heap.append((-1.0, counter, ((), (), False, 1.0, 0), roots, 0, None))
        while heap:
            stats.pops += 1
            if stats.pops > MAX_POPS:
                stats.stopped = True
                return
            if deadline is not None and stats.pops % 1024 == 0 and time.monotonic() > deadline:
                raise SearchTimeout(f"route search stopped after {stats.pops:,} steps")
            _, _, parent, options, at, scale = heapq.heappop(heap)
            after = at + 1
            if scale is None:
                score, here, tie, complete, product, intermediaries, chain = options[at]
                if after < len(options):
                    counter += 1
                    heapq.heappush(
                        heap, (-options[after][0], counter, parent, options, after, None)
                    )
            else:
                while after < len(options) and options[after][1] in parent[0]:
                    after += 1
                if after < len(options):
                    counter += 1
                    entry = (-scale * options[after][0], counter, parent, options, after, scale)
                    heapq.heappush(heap, entry)
                _, here, tie = options[at]
                complete, product, intermediaries, chain = False, parent[3], parent[4], (here,)
                score = 0.0
            nodes: tuple[int, ...] = (*parent[0], here)
            ties: tuple[int, ...] = (*parent[1], tie) if tie >= 0 else parent[1]
            if complete:
                yield IndexedRoute(score, nodes, ties)
                continue
            hops = len(ties)
            domain_seen = parent[2] or (
                wanted is not None and len(nodes) > 1 and bool(wanted & self.domains[here])
            )
            length = INTERMEDIARY_FACTOR**intermediaries
            route = (nodes, ties, domain_seen, product, intermediaries)
            if not chain:  # at an organisation: on to one of its connectors
                connectors = fan(here, hops)
                first = 0
                while first < len(connectors) and connectors[first][1] in nodes:
                    first += 1
                if first < len(connectors):
                    counter += 1
                    scale = product * length
                    entry = (
                        -scale * connectors[first][0],
                        counter,
                        route,
                        connectors,
                        first,
                        scale,
                    )
                    heapq.heappush(heap, entry)
                continue
            closed = product * strength(chain)
            extensions: Extensions = []
            for neighbour, next_tie in self.adjacency[here]:
                if hops + 1 + distance[neighbour] > max_hops or neighbour in nodes:
                    continue
                if not is_org[neighbour]:
                    open_chain = (*chain, neighbour)
                    priority = product * length * bound(open_chain)
                    extensions.append(
                        (priority, neighbour, next_tie, False, product, intermediaries, open_chain)
                    )
                    continue
                if neighbour in start_ids:
                    continue
                if neighbour in targets and (
                    wanted is None
                    or domain_seen
                    or bool(domain_region_set.intersection(self.regions[neighbour]))
                ):
                    final = closed * length * fit(self._region(nodes[0]), self._region(neighbour))
                    extensions.append(
                        (final, neighbour, next_tie, True, closed, intermediaries, ())
                    )
                if hops + 1 < max_hops:
                    # on through the organisation: bounded by its best connector still open, so
                    # an organisation whose connectors cannot beat the routes found is never
                    # taken off the heap
                    onward = fan(neighbour, hops + 1)
                    first = 0
                    while first < len(onward) and onward[first][1] in nodes:
                        first += 1
                    if first < len(onward):
                        priority = closed * length * INTERMEDIARY_FACTOR * onward[first][0]
                        extensions.append(
                            (priority, neighbour, next_tie, False, closed, intermediaries + 1, ())
                        )
            if extensions:
                extensions.sort(key=_bound_of, reverse=True)
                counter += 1
                heapq.heappush(heap, (-extensions[0][0], counter, route, extensions, 0, None))
            stats.heap_peak = max(stats.heap_peak, len(heap))

    def _day(self, today: date) -> _TieStrengths:
        """Tie strengths depend on the day (a project's age); kept for the searches of a day."""
        found = self._strengths
        if found is None or found.today != today:
            found = self._strengths = _TieStrengths(self, today)
        return found

    def info(self, node: int) -> NodeInfo:
        """What scoring needs of a node (its name is its uid: names come from Neo4j later)."""
        n_partners, members, kind, start, end = self.details[node]
        uid = self.uids[node]
        return NodeInfo(
            label=self.labels[node],
            uid=uid,
            name=uid,
            n_partners=n_partners,
            members=members,
            kind=kind,
            start_date=start,
            end_date=end,
        )

    def _region(self, node: int) -> str | None:
        regions = self.regions[node]
        return regions[0] if regions else None

    def uids_of(self, nodes: Sequence[int]) -> tuple[str, ...]:
        return tuple(map(self.uids.__getitem__, nodes))

    def networks_of(self, nodes: Sequence[int]) -> set[str]:
        """The networks whose ties a route through these nodes runs through (as
        ``queries.networks.route_networks`` names them)."""
        return {n for n in map(self.networks.__getitem__, nodes) if n is not None}


class _TieStrengths:
    """The strength of a chain of connectors, the best a chain can still reach, and each
    organisation's connectors sorted by that bound: the same for every search of one day."""

    def __init__(self, index: RouteIndex, today: date) -> None:
        # a proxy, not a reference: the index keeps this object, and a cycle between the two
        # would keep a frozen index (``long_lived``) alive after the graph changed
        self.index = weakref.proxy(index)
        self.today = today
        self.strengths: dict[tuple[int, ...], float] = {}
        self.bounds: dict[tuple[int, ...], float] = {}
        self.sorted_connectors: dict[int, list[tuple[float, int, int]]] = {}
        self.sorted_ids: dict[int, NDArray[np.int64]] = {}

    def strength(self, chain: tuple[int, ...]) -> float:
        found = self.strengths.get(chain)
        if found is None:
            info = self.index.info
            found = segment_tie([info(c) for c in chain], self.today).strength
            self.strengths[chain] = found
        return found

    def bound(self, chain: tuple[int, ...]) -> float:
        """The best strength a tie that begins with this chain of connectors can reach."""
        found = self.bounds.get(chain)
        if found is None:
            found = self.strength(chain) if len(chain) == 1 else WEAK_STRENGTH
            if self.index.labels[chain[0]] == "Cluster" and len(chain) <= 3:
                found = max(found, PARTNERSHIP_STRENGTH)
            if self.index.leads_on[chain[-1]]:  # the chain may go on to another connector
                found = max(found, WEAK_STRENGTH)
            self.bounds[chain] = found
        return found

    def connectors(self, node: int) -> list[tuple[float, int, int]]:
        """``(bound, connector, tie)`` of an organisation's connectors, best first."""
        found = self.sorted_connectors.get(node)
        if found is None:
            is_org = self.index.is_organisation
            found = [
                (self.bound((n,)), n, t) for n, t in self.index.adjacency[node] if not is_org[n]
            ]
            found.sort(key=_bound_of, reverse=True)
            self.sorted_connectors[node] = found
        return found

    def connector_ids(self, node: int) -> NDArray[np.int64]:
        """The connectors of ``connectors(node)``, in its order, as an array."""
        found = self.sorted_ids.get(node)
        if found is None:
            ids = [n for _, n, _ in self.connectors(node)]
            found = self.sorted_ids[node] = np.array(ids, dtype=np.int64)
        return found


class SearchTimeout(Exception):
    """The search ran past its deadline."""


@dataclass
class SearchStats:
    pops: int = 0
    heap_peak: int = 0
    stopped: bool = False


_indexes: VersionedCache[RouteIndex] = VersionedCache(1)
_on_disk: DiskCopy[RouteIndex] = DiskCopy("route-index", Path(__file__))
_profiles_on_disk: DiskCopy[tuple[dict[str, RegionProfile], dict[str, frozenset[str]]]] = DiskCopy(
    "region-profiles", Path(inspect.getfile(RegionProfile)), Path(inspect.getfile(RegionRef))
)
_fits: VersionedCache[Callable[[str | None, str | None], float]] = VersionedCache(1)
_building = threading.Lock()


def route_index(reader: Reader) -> RouteIndex:
    """The index of the graph's current version (read once per version and kept in memory,
    and on disk where ``queries.versioned.keep_copies_in`` says)."""
    stamp = reader.stamp()
    found = _indexes.get(reader.database, stamp, "index")
    if found is not None:
        return found
    with _building:
        found = _indexes.get(reader.database, stamp, "index")
        if found is None:
            found = _on_disk.load(reader.database, stamp)
            if found is None:
                with long_lived():
                    found = RouteIndex.read(reader)
                _on_disk.save(reader.database, stamp, found)
            _indexes.put(reader.database, stamp, "index", found)
    return found


def fit_function(reader: Reader) -> Callable[[str | None, str | None], float]:
    """The thematic fit factor of two regions (as ``queries.paths.region_fit`` gives it),
    from the profiles of every region that holds organisations: one function per graph
    version, which remembers the pairs it was asked."""
    from queries.paths import region_fit

    stamp = reader.stamp()
    known = _fits.get(reader.database, stamp, "fit")
    if known is not None:
        return known
    kept = _profiles_on_disk.load(reader.database, stamp)
    if kept is None:
        record = reader.memo_one(cypher.REGIONS_WITH_ORGANISATIONS)
        kept = (region_profiles(reader, record["ids"] if record else []), domain_ancestors(reader))
        _profiles_on_disk.save(reader.database, stamp, kept)
    profiles, ancestors = kept
    memo: dict[tuple[str | None, str | None], float] = {}

    def fit(a: str | None, b: str | None) -> float:
        key = (a, b)
        found = memo.get(key)
        if found is None:
            result: Fit = region_fit(profiles.get(a or ""), profiles.get(b or ""), ancestors)
            found = memo[key] = result.factor
        return found

    _fits.put(reader.database, stamp, "fit", fit)
    return fit
