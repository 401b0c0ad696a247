"""The EDIH catalogue loader on the real snapshot, on top of the real regions and the real CORDIS
sample (loaded once for the module: the loads take about a minute)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from neo4j import Driver

from graph.settings import Settings
from loaders.domains import load_term_mapping, normalise_term
from loaders.edih import HubRow, address_city, catalogue_file, parse_topics, terms_file
from loaders.pipeline import LoadResult, run_loader
from loaders.placement import RegionPlacer
from loaders.region_resolver import RegionResolver
from tests.conftest import CLEAR_GRAPH

DATA = Path(__file__).resolve().parents[1] / "data"
CATALOGUE = catalogue_file(DATA)
TOPICS = CATALOGUE.parent / "edih_hub_topics.csv"
HAND_CHECKED = Path(__file__).parent / "fixtures" / "edih" / "hand_checked_merges.csv"


def catalogue_rows() -> list[dict[str, str]]:
    with CATALOGUE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- parsing and the mapping table (no database) -----------------------------------------------


def test_parsed_topics_equal_the_long_table_of_the_snapshot() -> None:
    """The loader parses the catalogue's 'Label - N, ...' cells itself; the snapshot's long
    table, split independently, must come out identical, item for item."""
    parsed: Counter[tuple[str, str, str, int]] = Counter()
    for row in catalogue_rows():
        for dimension, column in (
            ("sector", "sectors"),
            ("service", "services"),
            ("technology", "technologies"),
        ):
            for topic in parse_topics(row[column]):
                parsed[(row["hub_row"], dimension, topic.label, topic.engagement_level)] += 1
    with TOPICS.open(encoding="utf-8") as handle:
        expected = Counter(
            (r["hub_row"], r["dimension"], r["label"], int(r["engagement_level"]))
            for r in csv.DictReader(handle)
        )
    assert parsed == expected


@pytest.mark.parametrize(
    "cell",
    ["Big data", "Big data - 5, Cloud Services", "Big data - 0", "Big data - 6", "- 5"],
)
def test_damaged_topic_cells_are_refused(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_topics(cell)


def test_every_term_of_the_catalogue_is_reviewed_in_the_mapping() -> None:
    mapping = load_term_mapping(terms_file(DATA))
    with (DATA / "mappings" / "domains.csv").open(encoding="utf-8") as handle:
        codes = {r["code"] for r in csv.DictReader(handle)}
    with TOPICS.open(encoding="utf-8") as handle:
        terms = {(r["dimension"], r["label"]) for r in csv.DictReader(handle)}
    by_dimension = Counter(d for d, _ in terms)
    assert by_dimension == {"sector": 42, "service": 15, "technology": 34}
    missing = [t for _, t in terms if normalise_term(t) not in mapping]
    assert missing == []
    assert {c for codes_ in mapping.values() for c in codes_} <= codes
    mapped = Counter(d for d, t in terms if mapping[normalise_term(t)])
    # Services are kinds of support, not domains: nearly all are deliberately unmapped.
    assert mapped["service"] <= 2
    assert mapped["sector"] >= 30 and mapped["technology"] == 34


def test_placeholder_website_and_blank_cells() -> None:
    row = HubRow.model_validate(
        {
            "hub_row": "7",
            "hub_acronym": " X ",
            "hub_title": "Hub X",
            "status": "DIH",
            "country_iso2": "IT",
            "website": "Website",
            "sectors": "",
            "contact_address": "  Via  Roma 1,  00185 Roma ",
        }
    )
    assert row.website is None and row.sectors == [] and row.hub_acronym == "X"
    assert row.contact_address == "Via Roma 1, 00185 Roma"


def test_address_city_is_the_part_before_the_country() -> None:
    assert address_city("Rue de bercy 149, Paris, France") == "Paris"
    assert address_city("Osteriede 6, 30827 Garbsen, Germany") == "Garbsen"
    assert address_city("Budapest") is None


def test_a_city_is_placed_only_where_its_organisations_agree() -> None:
    placer = RegionPlacer(
        RegionResolver.from_data_dir(DATA),
        regions={"HR050", "HR05", "PL213", "PL214", "PL21"},
        cities={
            ("HR", "zagreb"): Counter({"HR050": 13}),
            ("PL", "krakow"): Counter({"PL213": 6, "PL214": 1}),
            ("SI", "nova gorica"): Counter({"SI043": 1}),
        },
    )
    zagreb = placer.place("t:1", "Hub", "HR", city="Zagreb", address="Unska 3, Zagreb, Croatia")
    assert (zagreb.region, zagreb.resolution.nuts_from) == ("HR050", "city")
    assert "13 organisations" in zagreb.resolution.detail
    krakow = placer.place("t:2", "Hub", "PL", city="Kraków", address="Podole 60, Kraków, Poland")
    assert krakow.region is None and "PL213 (6), PL214 (1)" in krakow.reason
    lonely = placer.place("t:3", "Hub", "SI", city="Nova gorica")
    assert lonely.region is None  # one organisation is not enough
    assert [u.source_id for u in placer.unplaced] == ["t:2", "t:3"]


# -- loading into the real graph ----------------------------------------------------------------


@dataclass
class Loaded:
    first: LoadResult
    counts: dict[str, int]


def graph_counts(driver: Driver) -> dict[str, int]:
    nodes, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:GraphMeta UNWIND labels(n) AS l RETURN l, count(*) AS n"
    )
    rels, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")
    counts = {r["l"]: r["n"] for r in nodes}
    counts.update({r["t"]: r["n"] for r in rels})
    return counts


@pytest.fixture(scope="module")
def loaded(driver: Driver, settings: Settings) -> Iterator[Loaded]:
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()
    for name in ("domains", "regions", "cordis"):
        run_loader(name, settings, driver)
    first = run_loader("edih", settings, driver)
    yield Loaded(first, graph_counts(driver))


def test_every_catalogue_row_is_one_hub(loaded: Loaded, driver: Driver) -> None:
    rows = catalogue_rows()
    assert loaded.first.report.rows_read == len(rows)
    assert loaded.first.report.rows_rejected == 0
    records, _, _ = driver.execute_query(
        "MATCH (h:Hub) RETURN count(h) AS n, count(DISTINCT h.acronym) AS acronyms"
    )
    assert records[0]["n"] == len(rows)
    # Acronyms repeat in the catalogue, so the key is the row number.
    assert records[0]["acronyms"] < len(rows)


def test_network_holds_edihs_and_seals_not_other_dihs(loaded: Loaded, driver: Driver) -> None:
    statuses = Counter(r["status"] for r in catalogue_rows())
    records, _, _ = driver.execute_query(
        "MATCH (h:Hub)-[:IN_NETWORK]->(:Network {name: 'EDIH'}) RETURN h.status AS s, count(*) AS n"
    )
    in_network = {r["s"]: r["n"] for r in records}
    assert in_network == {
        "EDIH": statuses["EDIH"],
        "Seal of Excellence": statuses["Seal of Excellence"],
    }


def test_eu_hubs_are_located_in_regions_with_a_category(loaded: Loaded, driver: Driver) -> None:
    records, _, _ = driver.execute_query(
        """
        MATCH (h:Hub)-[:LOCATED_IN]->(r:Region)
        MATCH (r)-[:PART_OF*0..1]->(n2:Region {level: 2})
        MATCH (n2)-[:PART_OF*2]->(:Region {level: 0})-[:IN_COUNTRY]->(c:Country)
        RETURN h.uid AS hub, h.nuts_from AS nuts_from, h.nuts2 AS nuts2, n2.nuts_id AS n2,
               n2.category AS category, n2.category_status AS status, c.eu_member AS eu
        """
    )
    located = {r["hub"]: r for r in records}
    assert len(located) >= 300  # of 457; the rest are outside the NUTS area or unplaceable
    for r in located.values():
        assert r["nuts_from"] in {"postcode", "city", "geolocation", "code"}
        assert r["nuts2"] == r["n2"]
        if r["eu"]:
            assert r["category"] in {"more developed", "transition", "less developed"} or (
                r["status"] == "no data"
            ), r
    eu_with_category = [r for r in located.values() if r["eu"] and r["category"]]
    assert len(eu_with_category) / len([r for r in located.values() if r["eu"]]) > 0.95
    # Real places: Cap Digital (row 33) is in Paris, the BioSense hub of Novi Sad (row 147) is
    # outside the regions the graph holds and is reported, not guessed.
    assert located["edih:33"]["n2"] == "FR10"
    assert "edih:147" not in located
    # "Unska 3, Zagreb, Croatia" has no postcode: placed where the CORDIS organisations of
    # Zagreb all are (Grad Zagreb), and the hub says how.
    assert located["edih:41"]["n2"] == "HR05" and located["edih:41"]["nuts_from"] == "city"


def test_unplaced_hubs_are_reported_with_the_reason(loaded: Loaded, settings: Settings) -> None:
    report = loaded.first.report
    path = settings.home / "reports" / "edih-unplaced.csv"
    with path.open(encoding="utf-8") as handle:
        unplaced = {r["source_id"]: r for r in csv.DictReader(handle)}
    assert report.metrics["hubs_unplaced"] == len(unplaced)
    assert report.metrics["hubs_located"] + len(unplaced) == len(catalogue_rows())
    ukraine = [r for r in catalogue_rows() if r["country_iso2"] == "UA"]
    assert ukraine and all(f"edih:hub_row:{r['hub_row']}" in unplaced for r in ukraine)
    assert all(u["reason"] for u in unplaced.values())


def test_hub_website_finds_the_cordis_organisation(loaded: Loaded, driver: Driver) -> None:
    """Cap Digital (hub row 33, capdigital.com) is the CORDIS participant CAP DIGITAL
    (PIC 999963883): one organisation node with both source ids, explained."""
    records, _, _ = driver.execute_query(
        """
        MATCH (o:Organisation)-[r:RUNS]->(h:Hub {uid: 'edih:33'})
        RETURN o.uid AS uid, o.source_ids AS ids, o.sources AS sources,
               o.merge_evidence AS evidence, r.match_rule AS rule,
               count { (o)-[:PARTICIPATED_IN]->(:Project) } AS projects
        """
    )
    assert len(records) == 1
    found = records[0]
    assert found["uid"] == "org:pic:999963883"
    assert {"cordis:pic:999963883", "edih:hub_row:33"} <= set(found["ids"])
    assert set(found["sources"]) == {"cordis", "edih"}
    assert found["rule"] == "web_domain" and found["projects"] >= 1
    assert any("capdigital.com" in e for e in found["evidence"])
    same, _, _ = driver.execute_query(
        "MATCH (o:Organisation) WHERE o.pic = '999963883' RETURN count(o) AS n"
    )
    assert same[0]["n"] == 1


def test_shared_website_is_settled_by_the_hub_title(loaded: Loaded, driver: Driver) -> None:
    """sintef.no is the website of three CORDIS participants; the hub 'SINTEF AS' is SINTEF AS,
    not the foundation STIFTELSEN SINTEF nor SINTEF ENERGI AS."""
    records, _, _ = driver.execute_query(
        "MATCH (o:Organisation)-[:RUNS]->(:Hub {uid: 'edih:440'}) RETURN o.name AS name"
    )
    assert [r["name"] for r in records] == ["SINTEF AS"]


def test_every_merge_was_checked_by_hand_and_precision_holds(
    loaded: Loaded, driver: Driver
) -> None:
    """Each hub-organisation merge must be in the hand-checked list (a new one has to be read
    and judged there); the precision of the merges made is computed from the verdicts."""
    with HAND_CHECKED.open(encoding="utf-8") as handle:
        verdicts = {
            (f"edih:{r['hub_row']}", r["org_uid"]): r["verdict"] for r in csv.DictReader(handle)
        }
    records, _, _ = driver.execute_query(
        "MATCH (o:Organisation)-[:RUNS]->(h:Hub) RETURN h.uid AS hub, o.uid AS org"
    )
    merges = [(r["hub"], r["org"]) for r in records]
    unchecked = [m for m in merges if m not in verdicts]
    assert unchecked == [], "merges not yet checked by hand: add them to hand_checked_merges.csv"
    correct = sum(1 for m in merges if verdicts[m] == "correct")
    assert merges and correct / len(merges) >= 0.9


def test_hubs_without_a_match_get_no_organisation(loaded: Loaded, driver: Driver) -> None:
    records, _, _ = driver.execute_query(
        """
        MATCH (h:Hub) WITH count(h) AS hubs
        OPTIONAL MATCH (:Organisation)-[:RUNS]->(run:Hub)
        WITH hubs, count(DISTINCT run) AS run
        OPTIONAL MATCH (o:Organisation) WHERE 'edih' IN o.sources AND NOT 'cordis' IN o.sources
        RETURN hubs, run, count(o) AS edih_only
        """
    )
    r = records[0]
    assert r["run"] == loaded.first.report.metrics["hubs_matched_to_organisations"]
    assert 0 < r["run"] < r["hubs"]
    assert r["edih_only"] == 0  # a hub never becomes an organisation by itself


def test_offers_follow_the_mapping_with_the_strongest_level(loaded: Loaded, driver: Driver) -> None:
    """Data2Sustain (row 161) declares 'Manufacturing and processing - 4' among others; every
    domain it offers is reached through terms of its own cells, at their highest level."""
    mapping = load_term_mapping(terms_file(DATA))
    row = next(r for r in catalogue_rows() if r["hub_row"] == "161")
    levels: dict[str, int] = {}
    for column in ("sectors", "services", "technologies"):
        for topic in parse_topics(row[column]):
            for code in mapping[normalise_term(topic.label)]:
                levels[code] = max(levels.get(code, 0), topic.engagement_level)
    records, _, _ = driver.execute_query(
        "MATCH (:Hub {uid: 'edih:161'})-[o:OFFERS]->(d:Domain) "
        "RETURN d.code AS code, o.engagement_level AS level, o.terms AS terms"
    )
    offered = {r["code"]: r["level"] for r in records}
    assert offered == levels
    assert "digitalisation-of-manufacturing" in offered
    technologies, _, _ = driver.execute_query(
        "MATCH (:Hub {uid: 'edih:161'})-[:OFFERS]->(t:Technology) RETURN count(t) AS n"
    )
    assert technologies[0]["n"] == len(parse_topics(row["technologies"]))


def test_technologies_are_nodes_in_their_domains(loaded: Loaded, driver: Driver) -> None:
    records, _, _ = driver.execute_query(
        "MATCH (t:Technology) OPTIONAL MATCH (t)-[:IN_DOMAIN]->(d:Domain) "
        "RETURN t.uid AS uid, collect(d.code) AS codes"
    )
    by_uid = {r["uid"]: r["codes"] for r in records}
    assert len(by_uid) == 34
    assert by_uid["tech:cybersecurity"] == ["cybersecurity"]
    assert all(codes for codes in by_uid.values())


def test_malformed_rows_are_rejected_and_the_rest_loaded(
    loaded: Loaded, settings: Settings, driver: Driver, tmp_path: Path
) -> None:
    rows = catalogue_rows()
    header = list(rows[0])
    good = rows[:3]
    bad = [
        {**rows[3], "status": "Hub of Excellence"},
        {**rows[4], "sectors": "Energy - 7"},
        {**rows[5], "hub_title": "   "},
        {**rows[6], "hub_row": rows[0]["hub_row"]},
        {**rows[7], "hub_row": "not a number"},
    ]
    path = tmp_path / "edih_catalogue.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(good + bad)
    before = graph_counts(driver)
    result = run_loader("edih", settings, driver, source_path=path)
    report = result.report
    assert report.rows_read == 8
    assert report.rows_rejected == 5
    fields = {r.field for r in report.rejects}
    assert {"status", "sectors", "hub_title", "hub_row"} <= fields
    assert all(r.row > 1 and r.reason for r in report.rejects)
    # The good rows were already in the graph: nothing new, nothing lost.
    assert graph_counts(driver) == before


def test_rerun_changes_nothing(loaded: Loaded, settings: Settings, driver: Driver) -> None:
    def runs() -> list[tuple[str, str, str]]:
        records, _, _ = driver.execute_query(
            "MATCH (o:Organisation)-[r:RUNS]->(h:Hub) "
            "RETURN o.uid AS o, h.uid AS h, r.match_evidence AS e ORDER BY h"
        )
        return [(r["o"], r["h"], r["e"]) for r in records]

    before = runs()
    again = run_loader("edih", settings, driver)
    assert graph_counts(driver) == loaded.counts
    assert runs() == before
    assert again.report.metrics["hubs_matched_to_organisations"] == len(before)
