"""Every statement the loaders read the graph with compiles, and the reads return what was
written."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph import reads
from graph.settings import Settings

STATEMENTS = {
    name: value
    for name, value in vars(reads).items()
    if name.isupper() and isinstance(value, str) and value.lstrip().startswith("MATCH")
}


def test_the_loaders_reads_are_all_here() -> None:
    assert set(STATEMENTS) == {
        "REGION_IDS",
        "ORGANISATIONS_FOR_MATCHING",
        "LOCATED_CITIES",
        "EEN_CONSORTIA",
        "SOURCE_NODES",
        "SOURCE_TIES",
    }


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_read_compiles(name: str, driver: Driver, settings: Settings) -> None:
    with driver.session(database=settings.neo4j_database) as session:
        summary = session.run(  # type: ignore[call-overload]
            "EXPLAIN " + STATEMENTS[name], {"source": "cordis"}
        ).consume()
    assert summary.plan is not None


def test_reads_return_what_is_there(graph: Driver, settings: Settings) -> None:
    graph.execute_query(
        "CREATE (:Region {nuts_id: 'DK05'}), (:Region {nuts_id: 'DK050'}),"
        " (:Organisation {uid: 'org:1', name: 'Aalborg Universitet', country_code: 'DK',"
        "   city: 'Aalborg', nuts3: 'DK050', nuts_from: 'postcode'}),"
        " (:Organisation {uid: 'org:2', name: 'Guessed', city: 'Aalborg', nuts3: 'DK050',"
        "   nuts_from: 'city'}),"
        " (:Consortium {uid: 'een:1', network: 'EEN'})",
        database_=settings.neo4j_database,
    )
    db = settings.neo4j_database
    assert reads.region_ids(graph, db) == {"DK05", "DK050"}
    found = {o["uid"]: o for o in reads.organisations_for_matching(graph, db)}
    assert set(found) == {"org:1", "org:2"}
    assert found["org:1"] == {
        "uid": "org:1",
        "name": "Aalborg Universitet",
        "country_code": "DK",
        "pic": None,
        "vat": None,
        "web_domain": None,
        "nuts2": None,
        "aliases": [],
        "source_ids": [],
        "merge_evidence": [],
    }
    assert reads.located_cities(graph, db) == [
        {"country": "DK", "city": "Aalborg", "nuts3": "DK050"}
    ]
    assert reads.een_consortia_count(graph, db) == 1
