"""The best-first route search against brute force: on seeded random graphs of organisations,
projects, hubs and a cluster partnership, it yields exactly the routes that enumerating every
simple path finds, in the order of their scores."""

from __future__ import annotations

import pickle
import random
import weakref
from datetime import date
from itertools import pairwise
from typing import Any

import networkx as nx
import pytest

from queries import route_index
from queries.networks import route_networks
from queries.paths import IndexSearch, _collect
from queries.route_index import MAX_PROJECT_PARTNERS, IndexedRoute, RouteIndex
from queries.scoring import INTERMEDIARY_FACTOR, NodeInfo, segment_tie, split_segments
from queries.versioned import long_lived

TODAY = date(2026, 12, 1)
REGIONS = ("AA11", "BB22", "CC33", "DD44")
FIT = {("AA11", "BB22"): 1.0, ("AA11", "CC33"): 0.6}


def fit(a: str | None, b: str | None) -> float:
    return FIT.get((a or "", b or ""), 0.8)


def random_graph(seed: int) -> tuple[list[list[Any]], list[list[Any]]]:
    rng = random.Random(seed)
    orgs = [f"org{i}" for i in range(24)]
    nodes: list[list[Any]] = [
        [o, "Organisation", None, 0, None, None, None, [rng.choice(REGIONS)], []] for o in orgs
    ]
    ties: list[list[Any]] = []
    for p in range(14):
        members = rng.sample(orgs, rng.randint(2, 5))
        end = f"{rng.randint(2012, 2026)}-06-30" if rng.random() < 0.9 else None
        size = MAX_PROJECT_PARTNERS + 1 if p == 0 else len(members) + rng.randint(0, 40)
        kind = "een" if p == 1 else None
        domains = [rng.choice(["tourism", "digital"])] if rng.random() < 0.5 else []
        nodes.append([f"p{p}", "Project", size, len(members), kind, None, end, [], domains])
        ties += [[o, f"p{p}", "PARTICIPATED_IN", "participant"] for o in members]
    for h in range(2):
        nodes.append([f"h{h}", "Hub", None, 0, None, None, None, [], ["digital"]])
        ties += [[o, f"h{h}", "PARTNER_IN", "partner"] for o in rng.sample(orgs, 3)]
    for c in range(2):
        nodes.append([f"c{c}", "Cluster", None, 0, None, None, None, [], []])
        ties += [[o, f"c{c}", "RUNS", None] for o in rng.sample(orgs, 2)]
        ties.append([f"c{c}", "part", "IN_PARTNERSHIP", "partner"])
    nodes.append(["part", "Partnership", None, 0, None, None, None, [], []])
    return nodes, ties


def brute_force(
    nodes: list[list[Any]],
    ties: list[list[Any]],
    starts: set[str],
    targets: set[str],
    max_hops: int,
    domains: set[str] | None = None,
) -> list[tuple[float, tuple[str, ...]]]:
    info = {
        n[0]: NodeInfo(
            label=n[1], uid=n[0], name=n[0], n_partners=n[2], members=n[3], kind=n[4], end_date=n[6]
        )
        for n in nodes
    }
    region = {n[0]: (n[7][0] if n[7] else None) for n in nodes}
    own_domains = {n[0]: set(n[8]) for n in nodes}
    big = {n[0] for n in nodes if n[1] == "Project" and n[2] > MAX_PROJECT_PARTNERS}
    graph = nx.Graph()
    graph.add_edges_from((a, b) for a, b, _, _ in ties if a not in big and b not in big)
    out: list[tuple[float, tuple[str, ...]]] = []
    for s in starts:
        for t in targets - starts:
            if s not in graph or t not in graph:
                continue
            for path in nx.all_simple_paths(graph, s, t, cutoff=max_hops):
                if any(u in starts for u in path[1:]):
                    continue
                labels = [info[u].label for u in path]
                if any(a == b == "Organisation" for a, b in pairwise(labels)):
                    continue
                if domains is not None and not any(own_domains[u] & domains for u in path[1:-1]):
                    continue
                segments = [
                    segment_tie([info[u] for u in path[a:b]], TODAY)
                    for a, b in split_segments(labels)
                ]
                score = INTERMEDIARY_FACTOR ** sum(1 for x in labels[1:-1] if x == "Organisation")
                for tie in segments:
                    score *= tie.strength
                out.append((score * fit(region[s], region[t]), tuple(path)))
    return sorted(out, key=lambda x: -x[0])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("max_hops", [2, 4, 6])
@pytest.mark.parametrize("vector_from", [1, 10**9])
def test_best_first_yields_every_route_in_score_order(
    seed: int, max_hops: int, vector_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether an organisation's connectors are tested in numpy (hubs) or one by one."""
    monkeypatch.setattr(route_index, "_VECTOR_FROM", vector_from)
    nodes, ties = random_graph(seed)
    index = RouteIndex.from_rows(nodes, ties)
    starts = {n[0] for n in nodes if n[1] == "Organisation" and n[7] == ["AA11"]}
    target_ids = index.targets(None, ["BB22", "CC33"], None)
    targets = {index.uids[i] for i in target_ids}
    found = list(index.best_routes(sorted(starts), target_ids, None, [], max_hops, fit, TODAY))
    expected = brute_force(nodes, ties, starts, targets, max_hops)
    assert len(found) == len(expected)
    assert {index.uids_of(r.nodes) for r in found} == {path for _, path in expected}
    scores = [r.score for r in found]
    assert scores == sorted(scores, reverse=True)
    assert scores == pytest.approx([score for score, _ in expected])


def test_a_route_names_the_networks_its_connectors_belong_to() -> None:
    """The index's networks of a route are the ones ``route_networks`` reads off its labels."""
    nodes, ties = random_graph(3)
    nodes.append(["interreg:7", "Project", 3, 2, None, None, None, [], []])
    ties += [
        ["org1", "interreg:7", "PARTNER_IN", "partner"],
        ["org20", "interreg:7", "PARTNER_IN", "partner"],
    ]
    index = RouteIndex.from_rows(nodes, ties)
    starts = [n[0] for n in nodes if n[1] == "Organisation"][:6]
    found = list(index.best_routes(starts, set(index.organisations), None, [], 4, fit, TODAY))
    seen = set()
    for route in found:
        uids = index.uids_of(route.nodes)
        labels = [index.labels[n] for n in route.nodes]
        assert index.networks_of(route.nodes) == route_networks(labels, uids)
        seen |= index.networks_of(route.nodes)
    assert {"Horizon 2020", "Interreg", "EDIH", "ECCP"} <= seen


@pytest.mark.parametrize("seed", range(6))
def test_the_domain_filter_keeps_routes_through_the_domain(seed: int) -> None:
    nodes, ties = random_graph(seed)
    index = RouteIndex.from_rows(nodes, ties)
    starts = {n[0] for n in nodes if n[1] == "Organisation" and n[7] == ["AA11"]}
    target_ids = index.targets(None, ["BB22"], None)
    targets = {index.uids[i] for i in target_ids}
    found = list(index.best_routes(sorted(starts), target_ids, ["tourism"], [], 4, fit, TODAY))
    expected = brute_force(nodes, ties, starts, targets, 4, {"tourism"})
    assert {index.uids_of(r.nodes) for r in found} == {path for _, path in expected}


def test_targets_by_organisation_region_and_reach_of_domains() -> None:
    nodes, ties = random_graph(0)
    index = RouteIndex.from_rows(nodes, ties)
    assert {index.uids[i] for i in index.targets(["org1", "p0"], None, None)} == {"org1"}
    in_region = index.targets(None, ["BB22"], None)
    assert all(index.regions[i] == ("BB22",) for i in in_region)
    digital = {index.uids[i] for i in index.targets(None, None, ["digital"])}
    hub_partners = {a for a, b, _, _ in ties if b.startswith("h")}
    assert hub_partners <= digital


@pytest.mark.parametrize("seed", range(4))
def test_the_cut_at_the_route_limit_does_not_depend_on_the_search_order(seed: int) -> None:
    """Routes level with the last one taken (same score as shown) are chosen by hops and uids,
    whatever order the search found them in."""
    rng = random.Random(seed)
    scores = [0.5, 0.25, 0.25, 0.25, 0.25, 0.125, 0.125]
    nodes = [[f"org{i}", "Organisation", None, None, None, None, None, [], []] for i in range(17)]
    nodes += [[f"p{i}", "Project", 2, None, None, None, None, [], []] for i in range(7)]
    index = RouteIndex.from_rows(nodes, [])
    routes = [
        IndexedRoute(
            score,
            tuple(index.id_of[u] for u in (f"org{i}", f"p{i}", f"org{i + 10}")),
            (0, 1),
        )
        for i, score in enumerate(scores)
    ]
    taken = []
    for _ in range(5):
        level = routes[1:5]
        rng.shuffle(level)
        found = IndexSearch(index)
        _collect(found, iter([routes[0], *level, *routes[5:]]), None, 3)
        taken.append([index.uids[r.nodes[0]] for r in found.routes])
        assert found.truncated
    assert taken == [["org0", "org1", "org2"]] * 5


def test_a_searched_index_is_freed_once_dropped_even_when_frozen() -> None:
    """``long_lived`` freezes the index: only reference counting can free it, so neither it nor
    what a search leaves on it (the day's tie strengths) may form a cycle."""
    with long_lived():
        index = RouteIndex.from_rows(*random_graph(1))
    starts = [uid for uid in index.uids if uid.startswith("org")][:3]
    targets = set(index.organisations[10:])
    assert list(index.best_routes(starts, targets, None, [], 4, fit, TODAY))
    assert index._strengths is not None
    kept = pickle.loads(pickle.dumps(index))
    assert kept._strengths is None and kept.uids == index.uids
    gone = weakref.ref(index)
    del index
    assert gone() is None
