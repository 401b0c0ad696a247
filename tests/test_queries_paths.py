"""Partnership paths on the hand-built toy graph (see ``build_toy_europe`` for the answers)."""

from __future__ import annotations

from collections import Counter

import pytest
from neo4j import Driver, GraphDatabase

from graph.errors import BadInput, NotFound
from graph.meta import bump_graph_version
from graph.schema import NodeLabel, RelType
from graph.settings import Settings
from graph.writer import GraphWriter, Node
from queries.paths import TargetFilter, node_networks, paths, search_routes
from queries.route_index import route_index
from queries.runner import Reader
from queries.warmup import warm_up
from tests.test_queries_graphs import LONG, SOURCE, fresh_toy_graph, org_uid, rel


@pytest.fixture(scope="module")
def toy(driver: Driver) -> Driver:
    return fresh_toy_graph(driver)


def ends(result_paths: list) -> list[str]:  # type: ignore[type-arg]
    return [p.nodes[-1].key for p in result_paths]


def test_paths_from_a_region_to_less_developed_regions(toy: Driver, settings: Settings) -> None:
    result = paths(toy, "DK05", database=settings.neo4j_database, timeout=LONG)
    assert result.status == "ok" and result.start is not None and result.start.key == "DK05"
    # Every organisation of a less developed region that is tied to aau or njr, and only those.
    assert set(ends(result.paths)) == {
        org_uid(k) for k in ("pat", "hmu", "upt", "azo", "cre", "elk", "vid")
    }
    for path in result.paths:
        assert path.nodes[0].key in {org_uid("aau"), org_uid("njr")}
        assert path.end_region is not None and path.end_region.category == "less developed"
        assert path.start_region is not None and path.start_region.nuts_id == "DK050"
        assert path.start_region.category == "more developed"  # inherited from DK05
        labels = {n.label for n in path.nodes}
        assert not labels & {"Region", "Country", "Domain", "Network"}
        assert len(path.relationships) == path.hops == len(path.nodes) - 1
    scores = [p.score for p in result.paths]
    assert scores == sorted(scores, reverse=True)
    # The small recent shared project beats the 60-partner project of 2016 to the same kind of
    # region, and the two-tie route through dtu is halved for its intermediary.
    by_end = {p.nodes[-1].key: p for p in result.paths}
    assert by_end[org_uid("pat")].score > by_end[org_uid("vid")].score
    via_dtu = by_end[org_uid("cre")]
    assert [n.key for n in via_dtu.nodes] == [
        org_uid("aau"),
        "cordis:p3",
        org_uid("dtu"),
        "cordis:p4",
        org_uid("cre"),
    ]
    assert via_dtu.score_parts.length_factor == 0.5
    assert ends(result.paths)[-1] == org_uid("vid")


def test_ties_are_ordered_by_hops_then_name(toy: Driver, settings: Settings) -> None:
    result = paths(toy, "DK05", database=settings.neo4j_database, timeout=LONG)
    by_end = {p.nodes[-1].key: p for p in result.paths}
    hub, partnership = by_end[org_uid("upt")], by_end[org_uid("azo")]
    assert hub.score == partnership.score  # hub 0.7 and partnership 0.7, no shared domain
    assert hub.hops == 2 and partnership.hops == 4
    order = ends(result.paths)
    assert order.index(org_uid("upt")) < order.index(org_uid("azo"))
    assert partnership.score_parts.ties[0].kind == "partnership"
    assert [n.label for n in partnership.nodes] == [
        "Organisation",
        "Cluster",
        "Partnership",
        "Cluster",
        "Organisation",
    ]
    assert partnership.end_region is not None and partnership.end_region.outermost


def test_networks_and_regions_are_never_shortcuts(toy: Driver, settings: Settings) -> None:
    # sev (transition) shares only the EEN Network node with cyi's consortium; lonely shares
    # only its Region with pat: neither may ever be reached.
    transition = paths(
        toy, "DK05", to_category="transition", max_hops=6, database=settings.neo4j_database
    )
    assert ends(transition.paths) == [org_uid("cyi")]
    assert transition.paths[0].score_parts.ties[0].kind == "consortium"
    achaia = paths(
        toy, "DK05", to="EL632", max_hops=6, database=settings.neo4j_database, timeout=LONG
    )
    assert ends(achaia.paths) == [org_uid("pat")]
    to_sev = paths(
        toy,
        "REGION NORDJYLLAND",
        to="ES",
        max_hops=6,
        database=settings.neo4j_database,
        timeout=LONG,
    )
    assert to_sev.paths == [] and "No such path" in to_sev.explanation


def test_outermost_and_country_targets(toy: Driver, settings: Settings) -> None:
    outermost = paths(
        toy, "DK05", to_category="outermost", database=settings.neo4j_database, timeout=LONG
    )
    assert ends(outermost.paths) == [org_uid("azo")]
    greece_iso = paths(toy, "DK05", to="GR", database=settings.neo4j_database, timeout=LONG)
    greece_eu = paths(toy, "DK05", to="Greece", database=settings.neo4j_database, timeout=LONG)
    assert greece_iso.target is not None and greece_iso.target.country is not None
    assert greece_iso.target.country.key == "EL"
    assert (
        set(ends(greece_iso.paths))
        == set(ends(greece_eu.paths))
        == {org_uid(k) for k in ("pat", "hmu", "cre", "elk")}
    )


def test_max_hops_and_k_bound_the_answer(toy: Driver, settings: Settings) -> None:
    short = paths(toy, "DK05", max_hops=2, database=settings.neo4j_database, timeout=LONG)
    assert short.paths and all(p.hops == 2 for p in short.paths)
    assert org_uid("azo") not in ends(short.paths)  # its partnership route has 4 hops
    top2 = paths(toy, "DK05", k=2, database=settings.neo4j_database, timeout=LONG)
    assert len(top2.paths) == 2
    with pytest.raises(BadInput):
        paths(toy, "DK05", max_hops=7, database=settings.neo4j_database, timeout=LONG)
    with pytest.raises(BadInput):
        paths(toy, "DK05", to_category="rich", database=settings.neo4j_database, timeout=LONG)


def test_domain_keeps_paths_through_it_or_its_subdomains(toy: Driver, settings: Settings) -> None:
    hydrogen = paths(
        toy, "DK05", domain="green hydrogen", database=settings.neo4j_database, timeout=LONG
    )
    assert set(ends(hydrogen.paths)) == {org_uid("cre"), org_uid("elk")}
    # "energy" is an alias of energy-renewables, whose subdomain green-hydrogen also counts
    energy = paths(toy, "DK05", domain="energy", database=settings.neo4j_database, timeout=LONG)
    assert energy.domain is not None and energy.domain.key == "energy-renewables"
    assert set(ends(energy.paths)) == {org_uid("cre"), org_uid("elk"), org_uid("vid")}
    # an end region that declares the domain qualifies even when the path does not carry it
    digital = paths(toy, "DK05", domain="digital", database=settings.neo4j_database, timeout=LONG)
    assert org_uid("pat") in ends(digital.paths)  # SMALLNEW is digital and EL63 declares it
    assert org_uid("upt") in ends(digital.paths)  # through the digital hub


def test_start_from_an_organisation_and_thematic_fit(toy: Driver, settings: Settings) -> None:
    result = paths(toy, "AALBORG UNIVERSITET", database=settings.neo4j_database, timeout=LONG)
    assert result.start is not None and result.start.key == org_uid("aau")
    assert all(p.nodes[0].key == org_uid("aau") for p in result.paths)
    by_end = {p.nodes[-1].key: p for p in result.paths}
    pat_fit = by_end[org_uid("pat")].score_parts.fit
    assert pat_fit.basis == "declared" and pat_fit.shared_domains == ["digital"]
    vid_fit = by_end[org_uid("vid")].score_parts.fit
    assert vid_fit.basis == "revealed" and vid_fit.shared_domains == ["energy-renewables"]
    assert "Score" in by_end[org_uid("pat")].explanation
    assert "SMALLNEW" in by_end[org_uid("pat")].explanation


def test_unknown_and_ambiguous_input(toy: Driver, settings: Settings) -> None:
    with pytest.raises(NotFound) as missing:
        paths(toy, "Nordjutland", database=settings.neo4j_database, timeout=LONG)
    assert "Nordjylland (DK05)" in missing.value.suggestions
    with pytest.raises(NotFound):
        paths(toy, "Atlantis", database=settings.neo4j_database, timeout=LONG)
    typo = paths(toy, "Aalborg Universitat", database=settings.neo4j_database, timeout=LONG)
    assert typo.start is not None and typo.start.key == org_uid("aau")
    with pytest.raises(NotFound):  # --to reads regions and countries only
        paths(toy, "DK05", to="Energy Lab", database=settings.neo4j_database, timeout=LONG)
    start = paths(toy, "Energy Lab", database=settings.neo4j_database, timeout=LONG)
    assert start.status == "ambiguous" and start.paths == []
    assert {c.key for c in start.ambiguities[0].candidates} == {org_uid("nel"), org_uid("elk")}


def test_a_region_without_organisations(toy: Driver, settings: Settings) -> None:
    result = paths(toy, "NO0", database=settings.neo4j_database, timeout=LONG)
    assert result.paths == []
    result = paths(
        toy, "Kýpros", to_category="less developed", database=settings.neo4j_database, timeout=LONG
    )
    assert result.start is not None and result.start.key == "CY00"
    # cyi meets njr in their EEN consortium; njr's hub partner upt is in Norte
    assert [[n.key for n in p.nodes] for p in result.paths] == [
        [org_uid("cyi"), "een:dk-cy", org_uid("njr"), "edih:1", org_uid("upt")]
    ]
    assert [t.kind for t in result.paths[0].score_parts.ties] == ["consortium", "hub"]
    assert result.paths[0].score_parts.fit.shared_domains == ["blue-economy", "tourism"]
    longer = paths(toy, "CY00", max_hops=6, database=settings.neo4j_database, timeout=LONG)
    assert set(ends(longer.paths)) == {org_uid("upt"), org_uid("azo")}


def test_no_route_search_towards_a_region_where_nobody_is(toy: Driver, settings: Settings) -> None:
    reader = Reader(toy, settings.neo4j_database, timeout=LONG)
    index = route_index(reader)
    found = index.targets(None, ["DK050"], None)  # aau and njr are there
    assert {index.uids[i] for i in found} == {org_uid("aau"), org_uid("njr")}
    assert not index.targets(None, ["NO0", "NO06"], None)
    assert not index.targets([], None, None)
    assert index.targets(None, None, ["tourism"])
    starts = [org_uid("aau")]
    assert search_routes(reader, starts, TargetFilter(regions=["NO06"]), None, [], 4).routes == []
    reached = search_routes(reader, starts, TargetFilter(regions=["EL632"]), None, [], 4)
    assert {route.uids[-1] for route in reached.routes} == {org_uid("pat")}


def test_warm_up_runs_from_the_two_busiest_regions(toy: Driver, settings: Settings) -> None:
    records, _, _ = toy.execute_query(
        "MATCH (o:Organisation)-[:LOCATED_IN]->(r:Region) RETURN r.nuts_id AS code"
    )
    per_region = Counter(str(r["code"])[:4] for r in records)
    expected = sorted(per_region, key=lambda code: (-per_region[code], code))[:2]
    assert warm_up(toy, settings.neo4j_database) == expected


def test_warm_up_never_raises(settings: Settings) -> None:
    closed = GraphDatabase.driver("bolt://127.0.0.1:9", auth=("neo4j", "x"))
    closed.close()
    assert warm_up(closed, settings.neo4j_database) == []


def test_relationships_and_networks_of_a_path(toy: Driver, settings: Settings) -> None:
    result = paths(
        toy, "REGION NORDJYLLAND", to="PT11", database=settings.neo4j_database, timeout=LONG
    )
    assert len(result.paths) == 1
    path = result.paths[0]
    assert [n.key for n in path.nodes] == [org_uid("njr"), "edih:1", org_uid("upt")]
    rels = [(r.type, r.forward, r.role) for r in path.relationships]
    assert rels == [("RUNS", True, None), ("PARTNER_IN", False, "partner")]
    assert path.nodes[0].networks == ["EDIH", "EEN"]  # runs the hub, member of EEN-DK-CY
    assert path.nodes[1].networks == ["EDIH"] and path.nodes[2].networks == ["EDIH"]
    assert path.nodes[0].activity_type == "PUB"


def test_an_een_grant_puts_its_participants_in_een(toy: Driver, settings: Settings) -> None:
    """Last in this module: it adds an EEN consortium grant to the toy graph."""
    db = settings.neo4j_database
    aau, pat = org_uid("aau"), org_uid("pat")
    before = Reader(toy, db, LONG).run(
        lambda r: node_networks(r, {"Organisation": [aau, pat], "Hub": ["edih:1"]})
    )
    assert "EEN" not in before[pat] and before["edih:1"] == ["EDIH"]
    grant = Node(NodeLabel.PROJECT, "cordis:een1", {"name": "EEN grant", "kind": "een"}, SOURCE)
    tie = rel(RelType.PARTICIPATED_IN, NodeLabel.ORGANISATION, pat, NodeLabel.PROJECT, grant.key)
    GraphWriter(toy, db).write([grant, tie])
    bump_graph_version(toy, db, SOURCE)
    after = Reader(toy, db, LONG).run(lambda r: node_networks(r, {"Organisation": [aau, pat]}))
    assert after[pat] == sorted({*before[pat], "EEN"}) and after[aau] == before[aau]
