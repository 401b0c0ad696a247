"""Realistic checks of the queries on the bundled snapshot (NUTS regions, derived cohesion
categories, CORDIS H2020 participations), loaded through the real loaders."""

from __future__ import annotations

import re

import pytest
from neo4j import Driver

from graph.settings import Settings
from loaders.pipeline import run_loader
from queries.brokerage import brokerage
from queries.connect import connect
from queries.consortium import consortium
from queries.overlap import overlap
from queries.paths import paths
from tests.test_queries_graphs import LONG

pytestmark = pytest.mark.slow

CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
PARTNERSHIP = ["DK05", "PT11", "ITG1", "BG31", "EL43", "CY00", "NO07"]


@pytest.fixture(scope="module")
def snapshot(driver: Driver, settings: Settings) -> Driver:
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR).consume()
    for source in ("domains", "regions", "cordis"):
        run_loader(source, settings, driver)
    return driver


def test_nordjylland_to_less_developed_regions_through_cordis_projects(
    snapshot: Driver, settings: Settings
) -> None:
    result = paths(snapshot, "Nordjylland", database=settings.neo4j_database, timeout=LONG)
    assert result.start is not None and result.start.key == "DK05"
    assert result.paths, result.explanation
    for path in result.paths:
        assert path.start_region is not None and path.start_region.nuts_id.startswith("DK05")
        assert path.end_region is not None and path.end_region.category == "less developed"
        assert path.end_region.country_code != "DK"  # Denmark has no less developed region
        assert {n.label for n in path.nodes} <= {"Organisation", "Project"}
        projects = [n for n in path.nodes if n.label == "Project"]
        assert projects
        # the project is named with its H2020 topic code, and both end regions are named
        for project in projects:
            topic = project.detail.split(";")[1].strip()
            assert re.match(r"^[A-Z][A-Za-z0-9.-]+", topic), project.detail
            assert project.name in path.explanation and topic in path.explanation
        assert path.start_region.nuts_id in path.explanation
        assert path.end_region.nuts_id in path.explanation
    scores = [p.score for p in result.paths]
    assert scores == sorted(scores, reverse=True)


def test_who_connects_nordjylland_to_cyprus(snapshot: Driver, settings: Settings) -> None:
    result = connect(snapshot, "DK05", "Kypros", database=settings.neo4j_database, timeout=LONG)
    assert result.x is not None and result.x.kind == "country" and result.x.key == "CY"
    assert result.brokers, result.explanation
    for broker in result.brokers:
        assert broker.routes >= 1 and broker.paths
        assert all(
            p.end_region is not None and p.end_region.country_code == "CY" for p in broker.paths
        )


def test_overlap_of_the_partnership_regions(snapshot: Driver, settings: Settings) -> None:
    result = overlap(snapshot, PARTNERSHIP, database=settings.neo4j_database, timeout=LONG)
    assert [r.region.nuts_id for r in result.regions] == PARTNERSHIP
    assert len(result.cells) == 21
    norway = result.regions[-1].region
    assert norway.category is None and norway.category_status is not None
    by_id = {r.region.nuts_id: r for r in result.regions}
    assert by_id["BG31"].region.category == "less developed"
    # no S3 extract is bundled: every domain set is revealed by the CORDIS projects (or none)
    assert {r.basis for r in result.regions} <= {"revealed", "none"}
    assert "revealed domains" in result.explanation


def test_brokerage_and_a_consortium_attempt(snapshot: Driver, settings: Settings) -> None:
    result = brokerage(snapshot, database=settings.neo4j_database, timeout=LONG)
    assert result.brokers and result.communities
    assert all(b.betweenness > 0 for b in result.brokers)
    proposals = consortium(
        snapshot,
        "i3-strand1",
        "digital",
        "AALBORG UNIVERSITET",
        database=settings.neo4j_database,
        timeout=LONG,
    )
    assert proposals.seed is not None
    if proposals.feasible:
        assert all(all(c.passed for c in p.checks) for p in proposals.proposals)
    else:
        assert proposals.blocking and all(not b.passed for b in proposals.blocking)
