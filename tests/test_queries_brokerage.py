"""Brokerage analytics on the toy graph: who sits between developed and less developed
regions, communities, and the cache per graph version."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph.meta import bump_graph_version
from graph.settings import Settings
from queries.brokerage import brokerage
from tests.test_queries_graphs import LONG, fresh_toy_graph, org_uid


@pytest.fixture(scope="module")
def toy(driver: Driver) -> Driver:
    return fresh_toy_graph(driver)


def test_brokers_between_developed_and_less_developed(toy: Driver, settings: Settings) -> None:
    result = brokerage(toy, database=settings.neo4j_database, timeout=LONG)
    # Only aau and dtu lie between an organisation of a more developed region (nel, dtu, aau,
    # njr) and one of a less developed region: nel and dtu reach pat, hmu, vid through aau;
    # aau reaches cre and elk through dtu. njr's ties end in the less developed regions.
    assert [b.node.key for b in result.brokers] == [org_uid("aau"), org_uid("dtu")]
    aau, dtu = result.brokers
    assert aau.betweenness > dtu.betweenness > 0
    assert aau.region is not None and aau.region.category == "more developed"
    assert aau.degree == 5  # pat, nel, vid, dtu, hmu
    assert aau.constraint is not None and aau.constraint < dtu.constraint  # type: ignore[operator]
    assert result.graph_version >= 1 and result.organisations == 15


def test_communities_group_organisations_that_work_together(
    toy: Driver, settings: Settings
) -> None:
    result = brokerage(toy, database=settings.neo4j_database, timeout=LONG)
    groups = [{m.key for m in c.members} for c in result.communities]
    assert all(len(g) >= 2 for g in groups)
    everyone = set().union(*groups)
    assert org_uid("lonely") not in everyone and org_uid("nor") not in everyone
    together = next(g for g in groups if org_uid("cre") in g)
    assert org_uid("elk") in together  # both only in H2CRETE
    assert sum(c.size for c in result.communities) == len(everyone)


def test_cached_per_graph_version(toy: Driver, settings: Settings) -> None:
    first = brokerage(toy, database=settings.neo4j_database, timeout=LONG)
    again = brokerage(toy, database=settings.neo4j_database, timeout=LONG)
    assert again.cached and again.brokers == first.brokers
    bump_graph_version(toy, settings.neo4j_database, "test")
    fresh = brokerage(toy, database=settings.neo4j_database, timeout=LONG)
    assert not fresh.cached and fresh.graph_version == first.graph_version + 1


def test_by_domain(toy: Driver, settings: Settings) -> None:
    hydrogen = brokerage(
        toy, domain="green hydrogen", database=settings.neo4j_database, timeout=LONG
    )
    assert hydrogen.domain is not None and hydrogen.domain.key == "green-hydrogen"
    assert hydrogen.ties == 3  # dtu, cre, elk in H2CRETE
    assert hydrogen.brokers == []  # nobody lies between: dtu reaches both directly
    top1 = brokerage(toy, top=1, database=settings.neo4j_database, timeout=LONG)
    assert len(top1.brokers) == 1


def test_constraint_matches_networkx() -> None:
    import random

    import networkx as nx

    from queries.brokerage import burt_constraint

    rng = random.Random(3)
    graph = nx.gnp_random_graph(40, 0.15, seed=3)
    for a, b in graph.edges:
        graph[a][b]["weight"] = rng.choice([0.3, 0.5, 0.7, 1.0])
    graph.add_node(99)  # isolated: no constraint
    nodes = [*[n for n in graph if graph.degree(n) > 0][:15], 99]
    ours = burt_constraint(graph, nodes)
    theirs = nx.constraint(graph, nodes=nodes, weight="weight")
    assert 99 not in ours
    for node in nodes[:-1]:
        assert ours[node] == pytest.approx(theirs[node])
