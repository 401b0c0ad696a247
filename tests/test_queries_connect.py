"""Who can connect us to X, on the hand-built toy graph (answers in ``build_toy_europe``)."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph.errors import NotFound
from graph.settings import Settings
from queries.connect import connect
from queries.paths import (
    ScoredRoute,
    TargetFilter,
    domain_closure,
    score_routes,
    search_routes,
    start_organisations,
)
from queries.resolve import resolve_with
from queries.runner import Reader
from tests.test_queries_graphs import LONG, fresh_toy_graph, org_uid


@pytest.fixture(scope="module")
def toy(driver: Driver) -> Driver:
    return fresh_toy_graph(driver)


def test_brokers_towards_a_region(toy: Driver, settings: Settings) -> None:
    result = connect(
        toy, "AALBORG UNIVERSITET", "Kriti", database=settings.neo4j_database, timeout=LONG
    )
    assert result.status == "ok" and result.x is not None and result.x.key == "EL43"
    brokers = {b.node.key: b for b in result.brokers}
    # aau reaches hmu directly (MEDHEALTH) and cre, elk through LINKDK - dtu - H2CRETE
    assert set(brokers) == {"cordis:p5", "cordis:p3", org_uid("dtu"), "cordis:p4"}
    assert result.routes_found == 3
    assert brokers[org_uid("dtu")].routes == 2 and brokers["cordis:p5"].routes == 1
    for broker in result.brokers:
        assert broker.paths and all(
            broker.node.key in [n.key for n in p.nodes] for p in broker.paths
        )
        assert broker.paths[0].nodes[-1].region is not None
        assert broker.paths[0].nodes[-1].region.startswith("EL43")
    assert [b.rank for b in result.brokers] == list(range(1, len(result.brokers) + 1))
    scores = [b.score for b in result.brokers]
    assert scores == sorted(scores, reverse=True)


def test_brokers_carry_their_networks(toy: Driver, settings: Settings) -> None:
    result = connect(toy, "DK05", "CY", database=settings.neo4j_database, timeout=LONG)
    assert result.x is not None and result.x.kind == "country" and result.x.key == "CY"
    assert [b.node.key for b in result.brokers] == ["een:dk-cy"]
    assert result.brokers[0].networks == ["EEN"]
    # "Kypros" (the Latin name, without its accent) is the same place
    latin = connect(toy, "DK05", "Kypros", database=settings.neo4j_database, timeout=LONG)
    assert [b.node.key for b in latin.brokers] == ["een:dk-cy"]


def test_domain_terms(toy: Driver, settings: Settings) -> None:
    hydrogen = connect(
        toy, "DK05", "green hydrogen", database=settings.neo4j_database, timeout=LONG
    )
    assert hydrogen.x is not None and hydrogen.x.kind == "domain"
    # dtu is itself in a green hydrogen project: reached through LINKDK; cre and elk beyond
    assert {b.node.key for b in hydrogen.brokers} == {"cordis:p3", org_uid("dtu"), "cordis:p4"}
    assert hydrogen.brokers[0].node.key == "cordis:p3"  # on all three routes
    assert hydrogen.brokers[0].routes == 3
    tourism = connect(toy, "DK05", "tourism", database=settings.neo4j_database, timeout=LONG)
    assert {b.node.key for b in tourism.brokers} == {"eccp:cl-nj", "escp:blue", "eccp:cl-az"}


def test_an_organisation_with_no_route(toy: Driver, settings: Settings) -> None:
    result = connect(
        toy, "DK05", "Universidad de Cádiz", database=settings.neo4j_database, timeout=LONG
    )
    assert result.x is not None and result.x.key == org_uid("sev")
    assert result.brokers == [] and result.routes_found == 0
    assert "No route" in result.explanation


def test_ambiguous_and_unknown_x(toy: Driver, settings: Settings) -> None:
    ambiguous = connect(toy, "DK05", "Energy Lab", database=settings.neo4j_database, timeout=LONG)
    assert ambiguous.status == "ambiguous" and ambiguous.brokers == []
    assert ambiguous.ambiguities[0].role == "x"
    assert {c.key for c in ambiguous.ambiguities[0].candidates} == {org_uid("nel"), org_uid("elk")}
    with pytest.raises(NotFound) as unknown:
        connect(toy, "DK05", "Tourisme vert", database=settings.neo4j_database, timeout=LONG)
    assert unknown.value.suggestions  # close matches, e.g. the Tourism domain
    forced = connect(
        toy, "DK05", "escp:blue", kind="partnership", database=settings.neo4j_database, timeout=LONG
    )
    assert forced.x is not None and forced.x.kind == "partnership"
    assert {b.node.key for b in forced.brokers} == {"eccp:cl-nj", "escp:blue", "eccp:cl-az"}


def test_broker_scores_agree_with_full_scoring(toy: Driver, settings: Settings) -> None:
    """Brokers are ranked on the search's own route scores; scoring every route in full (as
    ``score_routes`` does for the paths shown) gives the same sums and the same best routes."""
    result = connect(toy, "DK05", "tourism", database=settings.neo4j_database, timeout=LONG)
    reader = Reader(toy, settings.neo4j_database, LONG)

    def full(read: Reader) -> list[ScoredRoute]:
        us = start_organisations(read, resolve_with(read, "DK05", ["region"], role="us").entity)
        target = TargetFilter(domains=domain_closure(read, "tourism"))
        return score_routes(read, search_routes(read, us, target, None, [], 4).routes)

    scored = reader.run(full)
    assert result.brokers and result.routes_found == len(scored)
    for broker in result.brokers:
        through = [s for s in scored if broker.node.key in s.route.uids[1:-1]]
        assert broker.routes == len(through)
        assert broker.score == pytest.approx(sum(s.score for s in through), abs=1e-4)
        assert [p.score for p in broker.paths] == [s.score for s in through[:3]]
        assert [p.nodes[-1].key for p in broker.paths] == [s.route.uids[-1] for s in through[:3]]
