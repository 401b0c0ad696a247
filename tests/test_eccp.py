"""The ECCP loader: the real partial list of EU cluster partnerships, and cluster organisations
from the illustrative fixture in the canonical schema (no real export exists)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from pydantic import ValidationError

from graph.settings import Settings
from loaders.domains import load_term_mapping, normalise_term
from loaders.eccp import ClusterRow, partnerships_file, terms_file
from loaders.pipeline import LoadResult, run_loader
from tests.conftest import CLEAR_GRAPH

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures" / "eccp"
CLUSTERS = FIXTURES / "cluster_organisations.fixture.csv"
MEMBERS = FIXTURES / "partnership_members.fixture.csv"
EEN_FIXTURE = ROOT / "tests" / "fixtures" / "een" / "organization.fixture.csv"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- rows and the mapping table (no database) ---------------------------------------------------

GOOD: dict[str, Any] = {
    "eccp_slug": "x-cluster",
    "name": "X Cluster",
    "country_iso2": "DK",
    "members_total": "10",
    "members_sme": "8",
    "members_large": "1",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"eccp_slug": "X Cluster!"}, "eccp_slug"),
        ({"lat": "57.0"}, "lat and lon"),
        ({"members_sme": "12"}, "add up"),
        ({"esca_label": "platinum"}, "esca_label"),
        ({"label_valid_until": "31.12.2026"}, "label_valid_until"),
        ({"nuts2": "Nordjylland"}, "nuts2"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_cluster_rows_are_refused(change: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ClusterRow.model_validate(GOOD | change)
    assert field in str(raised.value)


def test_cluster_row_lists_and_dates() -> None:
    row = ClusterRow.model_validate(
        GOOD
        | {
            "ecosystems": "Digital| Electronics |",
            "label_valid_until": "2027/06/30",
            "esca_label": "Gold",
            "lat": "",
            "lon": "",
        }
    )
    assert row.ecosystems == ["Digital", "Electronics"]
    assert row.label_valid_until is not None and row.label_valid_until.year == 2027
    assert row.esca_label == "gold" and row.point is None


def test_every_ecosystem_spelling_reaches_its_domain() -> None:
    """The 14 ecosystems as domains.csv names them, and the variants ECCP pages use."""
    mapping = load_term_mapping(terms_file(DATA))
    for domain in read(DATA / "mappings" / "domains.csv"):
        if domain["kind"] == "ecosystem":
            # domains.csv says "Cultural and Creative Industries"; ECCP both orders.
            assert mapping[normalise_term(domain["name"])] == [domain["code"]], domain["name"]
    variants = {
        "Mobility, Transport, Automotive": "mobility",
        "Proximity and Social Economy": "proximity",
        "Creative and Cultural Industries": "creative-cultural",
        "Agrifood": "agri-food",
        "Energy - Renewables": "energy-renewables",
    }
    for term, code in variants.items():
        assert mapping[normalise_term(term)] == [code], term
    codes = {d["code"] for d in read(DATA / "mappings" / "domains.csv")}
    assert {c for cs in mapping.values() for c in cs} <= codes


# -- loading into the real graph ----------------------------------------------------------------


@dataclass
class Loaded:
    default: LoadResult
    clusters: LoadResult


def counts(driver: Driver) -> dict[str, int]:
    nodes, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:GraphMeta UNWIND labels(n) AS l RETURN l, count(*) AS n"
    )
    rels, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")
    return {r["l"]: r["n"] for r in nodes} | {r["t"]: r["n"] for r in rels}


@pytest.fixture(scope="module")
def loaded(driver: Driver, settings: Settings) -> Iterator[Loaded]:
    """Regions, the EEN fixture (one of its invented members runs an invented cluster), the
    partnership list alone, then the cluster fixture."""
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()
    for name in ("domains", "regions"):
        run_loader(name, settings, driver)
    run_loader("een", settings, driver, source_path=EEN_FIXTURE)
    default = run_loader("eccp", settings, driver)
    clusters = run_loader("eccp", settings, driver, source_path=FIXTURES)
    yield Loaded(default, clusters)


def test_real_partnership_list_loads_without_members(loaded: Loaded, driver: Driver) -> None:
    real = read(partnerships_file(DATA))
    assert loaded.default.report.rows_read == len(real)
    assert loaded.default.report.rows_rejected == 0
    records, _, _ = driver.execute_query(
        """
        MATCH (p:Partnership)-[:IN_NETWORK]->(:Network {name: 'ECCP'})
        WHERE p.source_file = 'escp_partnerships_partial.csv'
        RETURN p.acronym AS acronym, p.members_known AS known, p.programme_strand AS strand,
               p.source_url AS url, count { (p)<-[:IN_PARTNERSHIP]-() } AS members
        """
    )
    by_acronym = {r["acronym"]: r for r in records}
    assert set(by_acronym) == {r["partnership_acronym"] for r in real}
    for row in real:
        loaded_row = by_acronym[row["partnership_acronym"]]
        assert loaded_row["known"] is False and loaded_row["members"] == 0
        assert loaded_row["strand"] == row["programme_strand"]
        assert loaded_row["url"] == row["source_url"]


def test_every_cluster_row_is_one_cluster(loaded: Loaded, driver: Driver) -> None:
    rows = read(CLUSTERS)
    members = read(MEMBERS)
    report = loaded.clusters.report
    assert report.rows_read == len(read(partnerships_file(DATA))) + len(rows) + len(members)
    assert report.rows_rejected == 0
    records, _, _ = driver.execute_query(
        "MATCH (c:Cluster)-[:IN_NETWORK]->(:Network {name: 'ECCP'}) "
        "RETURN c.uid AS uid, c.members_total AS total, c.members_sme AS sme, c.share_sme AS share"
    )
    by_uid = {r["uid"]: r for r in records}
    assert set(by_uid) == {f"eccp:{r['eccp_slug']}" for r in rows}
    for row in rows:
        cluster = by_uid[f"eccp:{row['eccp_slug']}"]
        assert cluster["total"] == int(row["members_total"])
        assert cluster["share"] == round(int(row["members_sme"]) / int(row["members_total"]), 3)


def test_eu_clusters_are_located_in_regions_with_a_category(
    loaded: Loaded, driver: Driver, settings: Settings
) -> None:
    records, _, _ = driver.execute_query(
        """
        MATCH (c:Cluster)
        OPTIONAL MATCH (c)-[l:LOCATED_IN]->(r:Region)-[:PART_OF*0..1]->(n2:Region {level: 2})
        RETURN c.eccp_slug AS slug, c.country_code AS country, l.nuts_from AS nuts_from,
               n2.nuts_id AS nuts2, n2.category AS category, n2.category_status AS status
        """
    )
    by_slug = {r["slug"]: r for r in records}
    rows = {r["eccp_slug"]: r for r in read(CLUSTERS)}
    eu = {"DK", "EL", "DE", "PT", "BG", "PL", "RO", "ES", "CZ"}
    for slug, row in rows.items():
        found = by_slug[slug]
        if found["country"] in eu:
            assert found["category"] in {"more developed", "transition", "less developed"}, slug
        if row["nuts2"]:
            assert found["nuts2"] == row["nuts2"] and found["nuts_from"] == "code"
    # Only coordinates (and a city) given: the point decides.
    assert by_slug["example-agrifood-cluster-thessaly"]["nuts2"] == "EL61"
    assert by_slug["example-agrifood-cluster-thessaly"]["nuts_from"] == "geolocation"
    assert by_slug["example-construction-cluster-moravia-silesia"]["nuts2"] == "CZ08"
    # Outside the EU: a region without a cohesion category, said so.
    assert by_slug["example-energy-cluster-vestland"]["category"] is None
    assert by_slug["example-energy-cluster-vestland"]["status"] == "outside EU cohesion policy"
    # Istanbul is outside the regions of the graph: reported, not guessed.
    assert by_slug["example-digital-cluster-istanbul"]["nuts2"] is None
    with (settings.home / "reports" / "eccp-unplaced.csv").open(encoding="utf-8") as handle:
        unplaced = [r["source_id"] for r in csv.DictReader(handle)]
    assert unplaced == ["eccp:example-digital-cluster-istanbul"]


def test_ecosystem_spellings_meet_on_one_domain(loaded: Loaded, driver: Driver) -> None:
    records, _, _ = driver.execute_query(
        "MATCH (c:Cluster)-[a:ACTIVE_IN]->(d:Domain) RETURN c.eccp_slug AS slug, "
        "collect(d.code) AS codes"
    )
    by_slug = {r["slug"]: set(r["codes"]) for r in records}
    assert "agri-food" in by_slug["example-agrifood-cluster-thessaly"]  # "Agrifood"
    assert "mobility" in by_slug["example-mobility-cluster-upper-bavaria"]  # "Mobility, ..."
    assert "proximity" in by_slug["example-social-economy-cluster-andalucia"]
    assert "aerospace-defence" in by_slug["example-aerospace-cluster-podkarpackie"]  # "&"
    assert "energy-renewables" in by_slug["example-energy-cluster-vestland"]
    # A sector term missing from the reviewed table is listed, not dropped silently.
    assert loaded.clusters.report.unmapped_terms == {"sector: Jewelry and precious metals": 1}


def test_partnership_membership_with_roles(loaded: Loaded, driver: Driver) -> None:
    members = read(MEMBERS)
    records, _, _ = driver.execute_query(
        "MATCH (c:Cluster)-[m:IN_PARTNERSHIP]->(p:Partnership) "
        "RETURN p.acronym AS p, c.eccp_slug AS c, m.role AS role, p.members_known AS known"
    )
    found = {(r["p"], r["c"], r["role"]) for r in records}
    assert found == {(m["partnership_acronym"], m["cluster_eccp_slug"], m["role"]) for m in members}
    assert all(r["known"] for r in records)


def test_cluster_body_found_in_another_source_is_one_organisation(
    loaded: Loaded, driver: Driver
) -> None:
    """The Andalusian fixture cluster's website is that of an EEN fixture member: that
    organisation runs the cluster and carries both source ids."""
    records, _, _ = driver.execute_query(
        """
        MATCH (o:Organisation)-[r:RUNS]->(c:Cluster)
        RETURN o.uid AS uid, o.sources AS sources, o.source_ids AS ids, c.eccp_slug AS slug,
               r.match_rule AS rule, count { (o)-[:MEMBER_OF]->(:Consortium) } AS consortia
        """
    )
    assert len(records) == 1
    run = records[0]
    assert run["slug"] == "example-social-economy-cluster-andalucia"
    assert run["uid"] == "org:pic:900000104" and run["rule"] == "web_domain"
    assert set(run["sources"]) == {"een", "eccp"}
    assert {"een:pic:900000104", "eccp:example-social-economy-cluster-andalucia"} <= set(run["ids"])
    assert run["consortia"] == 1


def test_malformed_rows_are_reported(
    loaded: Loaded, settings: Settings, driver: Driver, tmp_path: Path
) -> None:
    rows = read(CLUSTERS)
    header = list(rows[0])
    bad = [
        {**rows[0], "eccp_slug": "example-bad-coordinates", "lat": "95"},
        {**rows[1], "eccp_slug": "example-bad-size", "members_sme": "-3"},
        {**rows[2], "eccp_slug": rows[0]["eccp_slug"]},  # repeated key
    ]
    folder = tmp_path / "eccp"
    folder.mkdir()
    with (folder / "cluster_organisations.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows([rows[0], *bad])
    members = read(MEMBERS)
    with (folder / "partnership_members.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(members[0]))
        writer.writeheader()
        writer.writerow({**members[0], "cluster_eccp_slug": "example-no-such-cluster"})
        writer.writerow({**members[0], "country_iso2": "SE"})
        writer.writerow({**members[0], "role": "sponsor"})
    before = counts(driver)
    result = run_loader("eccp", settings, driver, source_path=folder)
    report = result.report
    assert report.rows_rejected == 6
    assert {"lat", "members_sme", "eccp_slug", "cluster_eccp_slug", "country_iso2", "role"} <= {
        r.field for r in report.rejects
    }
    assert counts(driver) == before


def test_rerun_changes_nothing(loaded: Loaded, settings: Settings, driver: Driver) -> None:
    before = counts(driver)
    run_loader("eccp", settings, driver, source_path=FIXTURES)
    run_loader("eccp", settings, driver)
    assert counts(driver) == before
