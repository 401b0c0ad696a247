"""The CORDIS loader on a real Neo4j: the bundled H2020 snapshot (real facts) and the fixtures in
the exact ';' format CORDIS publishes (invented content, see tests/fixtures/cordis/README.md).

The tests share one graph, loaded once per module in order: domains, regions, the CORDIS
snapshot; the fixture tests add their own projects (IDs 9900000xx) afterwards. Expected figures
come from the source files themselves, read here with the csv module.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from cli.main import app
from graph.settings import Settings
from loaders.cordis import parse_amount, topic_domains, topics_mapping_file
from loaders.domains import load_term_mapping
from loaders.pipeline import LoadResult, run_loader

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "data" / "snapshot" / "cordis" / "h2020_participations_sample.csv"
FIXTURES = ROOT / "tests" / "fixtures" / "cordis"
CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


SAMPLE = read_csv(SNAPSHOT)


def rows(driver: Driver, settings: Settings, cypher: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(cypher, params, database_=settings.neo4j_database)
    return [r.data() for r in records]


def counts(driver: Driver, settings: Settings) -> dict[str, int]:
    found = rows(
        driver,
        settings,
        "MATCH (n) WHERE NOT n:GraphMeta RETURN labels(n)[0] AS k, count(*) AS n "
        "UNION ALL MATCH ()-[r]->() RETURN type(r) AS k, count(*) AS n",
    )
    return {r["k"]: r["n"] for r in found}


@pytest.fixture(scope="module")
def snapshot(driver: Driver, settings: Settings) -> Iterator[LoadResult]:
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR).consume()
    run_loader("domains", settings, driver)
    run_loader("regions", settings, driver)
    yield run_loader("cordis", settings, driver)


# -- pure helpers ------------------------------------------------------------------------------


def test_amounts_and_topic_prefixes() -> None:
    assert parse_amount("4175063,55") == 4175063.55
    assert parse_amount("2674336.55") == 2674336.55
    assert parse_amount("1.234.567,5") == 1234567.5
    assert parse_amount("") is None
    mapping = load_term_mapping(topics_mapping_file(ROOT / "data"))
    assert topic_domains("LC-SC3-RES-2-2018", mapping) == ["energy-renewables"]
    assert topic_domains("BBI.2018.SO3.F2", mapping) == ["bioeconomy"]
    assert topic_domains("MSCA-IF-2019", mapping) == []  # reviewed: any discipline
    assert topic_domains("NOTATOPIC-2020", mapping) is None


# -- the real snapshot -------------------------------------------------------------------------


def test_snapshot_counts(snapshot: LoadResult, driver: Driver, settings: Settings) -> None:
    projects = {r["projectID"] for r in SAMPLE}
    pics = {r["organisationID"] for r in SAMPLE}
    assert (len(projects), len(pics)) == (602, 3114)
    found = rows(
        driver,
        settings,
        "MATCH (p:Project) WHERE 'cordis' IN p.sources RETURN count(p) AS n "
        "UNION ALL MATCH (o:Organisation) WHERE 'cordis' IN o.sources RETURN count(o) AS n "
        "UNION ALL MATCH (:Organisation)-[r:PARTICIPATED_IN]->(:Project) RETURN count(r) AS n",
    )
    pairs = {(r["projectID"], r["organisationID"]) for r in SAMPLE}
    assert [r["n"] for r in found] == [602, 3114, len(pairs)]
    assert snapshot.report.rows_read == len(SAMPLE) and snapshot.report.rows_rejected == 0


def test_cross_border_projects(snapshot: LoadResult, driver: Driver, settings: Settings) -> None:
    by_project: dict[str, set[str]] = {}
    for r in SAMPLE:
        by_project.setdefault(r["projectID"], set()).add(r["country"])
    expected = sum(len(c) >= 2 for c in by_project.values())
    assert expected == 382
    found = rows(
        driver, settings, "MATCH (p:Project) WHERE p.n_countries >= 2 RETURN count(p) AS n"
    )
    assert found[0]["n"] == expected


@pytest.mark.parametrize(
    "name", ["AALBORG UNIVERSITET", "REGION NORDJYLLAND (NORTH DENMARK REGION)"]
)
def test_north_denmark_organisations_are_in_nordjylland(
    snapshot: LoadResult, driver: Driver, settings: Settings, name: str
) -> None:
    found = rows(
        driver,
        settings,
        "MATCH (o:Organisation {name: $name})-[:LOCATED_IN]->(r:Region)-[:PART_OF]->(p:Region) "
        "RETURN r.nuts_id AS nuts3, p.nuts_id AS nuts2, o.nuts_from AS nuts_from",
        name=name,
    )
    assert found == [{"nuts3": "DK050", "nuts2": "DK05", "nuts_from": "postcode"}]


@pytest.mark.parametrize(
    "name",
    [
        "PANEPISTIMIO PATRON",
        "DIMOKRITIO PANEPISTIMIO THRAKIS",
        "INSTITUTE OF MOLECULAR BIOLOGY AND BIOTECHNOLOGY",
    ],
)
def test_greek_and_bulgarian_participants_in_less_developed_regions(
    snapshot: LoadResult, driver: Driver, settings: Settings, name: str
) -> None:
    found = rows(
        driver,
        settings,
        "MATCH (o:Organisation {name: $name})-[:LOCATED_IN]->(:Region)-[:PART_OF*0..1]->"
        "(n2:Region {level: 2}) RETURN n2.nuts_id AS nuts2, n2.category AS category, "
        "o.country_code AS country",
        name=name,
    )
    assert len(found) == 1
    assert found[0]["country"] in {"EL", "BG"}
    assert found[0]["category"] == "less developed"


def test_project_topics_kinds_and_domains(
    snapshot: LoadResult, driver: Driver, settings: Settings
) -> None:
    found = rows(
        driver,
        settings,
        "MATCH (p:Project {uid: 'cordis:115974'}) "
        "RETURN p.acronym AS acronym, p.topic AS topic, p.programme AS programme, "
        "[(p)-[:IN_DOMAIN]->(d) | d.code] AS domains, p.n_partners AS n",
    )
    beat = [r for r in SAMPLE if r["projectID"] == "115974"]
    assert found == [
        {
            "acronym": "BEAt-DKD",
            "topic": "IMI2-2015-05-02",
            "programme": "H2020",
            "domains": ["health"],
            "n": len({r["organisationID"] for r in beat}),
        }
    ]
    # None of the 351 EEN grants or 29 INNOSUP-01 projects is in this sample.
    kinds = rows(
        driver, settings, "MATCH (p:Project) WHERE p.kind IS NOT NULL RETURN count(p) AS n"
    )
    assert kinds[0]["n"] == 0 and snapshot.report.metrics["projects_een"] == 0


def test_region_resolution_is_reported(
    snapshot: LoadResult, driver: Driver, settings: Settings
) -> None:
    metrics = snapshot.report.metrics
    total = metrics["organisations"]
    assert total == 3114
    located = sum(v for k, v in metrics.items() if k.startswith("nuts_from_"))
    assert located + metrics["unresolved"] + metrics["outside_nuts_area"] == total
    shares = ("share_nuts3", "share_nuts2_only", "share_unresolved", "share_outside_nuts_area")
    assert sum(metrics[k] for k in shares) == pytest.approx(1.0, abs=0.001)
    assert metrics["share_nuts2_or_better"] >= 0.9  # quality floor on the real snapshot
    listed = read_csv(settings.home / "reports" / "cordis-unresolved.csv")
    assert len(listed) == metrics["unresolved"] + metrics["outside_nuts_area"]
    assert {r["in_nuts_area"] for r in listed} == {"yes", "no"}
    assert all(r["why"] for r in listed)
    # Unresolved organisations are loaded, not dropped.
    pics = [r["pic"] for r in listed]
    found = rows(
        driver,
        settings,
        "MATCH (o:Organisation) WHERE o.pic IN $pics RETURN count(o) AS n",
        pics=pics,
    )
    assert found[0]["n"] == len(pics)
    assert any("NUTS 3" in note for note in snapshot.report.notes)


def test_organisation_properties(snapshot: LoadResult, driver: Driver, settings: Settings) -> None:
    found = rows(
        driver,
        settings,
        "MATCH (o:Organisation {uid: 'org:pic:999904034'}) RETURN o.name AS name, o.pic AS pic, "
        "o.vat AS vat, o.web_domain AS web, o.source_ids AS ids, o.nuts_from AS nuts_from",
    )
    assert found == [
        {
            "name": "AALBORG UNIVERSITET",
            "pic": "999904034",
            "vat": "DK29102384",
            "web": "aau.dk",
            "ids": ["cordis:pic:999904034"],
            "nuts_from": "postcode",
        }
    ]


def test_rerun_changes_no_count(snapshot: LoadResult, driver: Driver, settings: Settings) -> None:
    before = counts(driver, settings)
    again = run_loader("cordis", settings, driver)
    assert counts(driver, settings) == before
    assert not any(k.startswith("merged_by_") for k in again.report.metrics)


# -- fixtures in the published format ----------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_load(snapshot: LoadResult, driver: Driver, settings: Settings) -> LoadResult:
    return run_loader("cordis", settings, driver, source_path=FIXTURES)


def test_een_grant_becomes_a_consortium(
    fixture_load: LoadResult, driver: Driver, settings: Settings
) -> None:
    found = rows(
        driver,
        settings,
        "MATCH (p:Project {uid: 'cordis:990000001'}) "
        "MATCH (c:Consortium {uid: 'een:cordis:990000001'})-[:IN_NETWORK]->(n:Network) "
        "RETURN p.kind AS kind, p.start_date AS start, p.title AS title, c.name AS name, "
        "c.network AS network, n.name AS net, "
        "[(o)-[m:MEMBER_OF]->(c) | [o.uid, m.role]] AS members",
    )
    assert len(found) == 1
    row = found[0]
    assert (row["kind"], row["start"], row["name"], row["network"], row["net"]) == (
        "een",
        "2020-01-01",
        "FIXTURE-EEN",
        "EEN",
        "EEN",
    )
    assert sorted(row["members"]) == [
        ["org:pic:999000001", "coordinator"],
        ["org:pic:999000002", "participant"],
    ]
    assert fixture_load.report.metrics["projects_een"] == 1


def test_fixture_regions_kinds_and_participations(
    fixture_load: LoadResult, driver: Driver, settings: Settings
) -> None:
    located = rows(
        driver,
        settings,
        "MATCH (o:Organisation)-[:LOCATED_IN]->(r:Region) WHERE o.pic STARTS WITH '999000' "
        "RETURN o.pic AS pic, r.nuts_id AS region, o.nuts_from AS nuts_from ORDER BY pic",
    )
    assert located == [
        {"pic": "999000001", "region": "DK050", "nuts_from": "postcode"},  # 'DK-9220'
        {"pic": "999000002", "region": "DK042", "nuts_from": "code"},
        {"pic": "999000003", "region": "EL632", "nuts_from": "postcode"},  # '265 04'
        {"pic": "999000004", "region": "PT170", "nuts_from": "code"},  # NUTS 2024 PT1A0
    ]
    twice = rows(
        driver,
        settings,
        "MATCH (:Organisation {uid: 'org:pic:999000003'})-[r:PARTICIPATED_IN]->"
        "(:Project {uid: 'cordis:990000003'}) RETURN r.role AS role, r.ec_contribution AS ec",
    )
    assert twice == [{"role": "participant", "ec": pytest.approx(30000.25)}]
    cluster = rows(
        driver, settings, "MATCH (p:Project {uid: 'cordis:990000002'}) RETURN p.kind AS kind"
    )
    assert cluster == [{"kind": "innosup"}]
    domains = rows(
        driver,
        settings,
        "MATCH (:Project {uid: 'cordis:990000003'})-[:IN_DOMAIN]->(d:Domain) RETURN d.code AS c",
    )
    assert domains == [{"c": "energy-renewables"}]
    assert "FIXTURE-UNKNOWN-2021" in fixture_load.report.unmapped_terms
    name = rows(driver, settings, "MATCH (o:Organisation {pic: '999000003'}) RETURN o.name AS name")
    assert name == [{"name": "FIXTURE CLUSTER SOUTH; PATRAS"}]  # ';' inside quotes kept
    listed = read_csv(settings.home / "reports" / "cordis-unresolved.csv")
    assert [(r["pic"], r["in_nuts_area"]) for r in listed] == [("999000005", "no")]


def test_fixture_rerun_changes_no_count(
    fixture_load: LoadResult, driver: Driver, settings: Settings
) -> None:
    before = counts(driver, settings)
    run_loader("cordis", settings, driver, source_path=FIXTURES)
    assert counts(driver, settings) == before


def test_malformed_rows_are_reported(
    fixture_load: LoadResult, driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    shutil.copy(FIXTURES / "project.csv", tmp_path / "project.csv")
    good = (FIXTURES / "organization.csv").read_text(encoding="utf-8")

    def row(project: str, pic: str, name: str, role: str = "participant", ec: str = "0") -> str:
        return (
            f"{project};FIXTURE-BAD;{pic};;{name};;false;PRC;;;;DK;;;;;;;1;{role};{ec};0;0;false;"
        )

    bad = [
        # a quote left open: the row is cut off (the rows after it are still read)
        '990000001;FIXTURE-EEN;999000013;;"FIXTURE BAD FIVE;;false;PRC',
        row("99X", "999000009", "FIXTURE BAD ONE"),  # projectID not a number
        row("990000001", "999000010", ""),  # empty name
        row("990000001", "999000011", "FIXTURE BAD THREE", role="sponsor"),  # unknown role
        row("990000001", "999000012", "FIXTURE BAD FOUR", ec="lots"),  # not an amount
    ]
    (tmp_path / "organization.csv").write_text(good + "\n".join(bad) + "\n", encoding="utf-8")
    before = counts(driver, settings)
    result = run_loader("cordis", settings, driver, source_path=tmp_path)
    report = result.report
    assert report.rows_rejected == len(bad)
    assert report.rows_read == len(good.splitlines()) - 1 + len(bad) + 4  # + project.csv rows
    fields = {r.field for r in report.rejects}
    assert {"projectID", "name", "role", "ecContribution", "row"} <= fields
    assert result.rejects_file is not None and result.rejects_file.exists()
    assert counts(driver, settings) == before  # the good rows were loaded before


def test_cli_load_prints_resolution_shares(fixture_load: LoadResult, cli_env: Settings) -> None:
    result = CliRunner().invoke(app, ["load", "cordis", "--file", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    assert "NUTS 3" in result.output and "cordis-unresolved.csv" in result.output
