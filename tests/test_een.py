"""The EEN loader on the illustrative fixture in format A (CORDIS organization.csv rows of EEN
grants), on top of the real regions and real CORDIS rows of one project."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from graph.settings import Settings
from loaders.cordis import ORGANIZATION_COLUMNS
from loaders.een import only_een_grants
from loaders.pipeline import LoadResult, run_loader
from loaders.tables import read_table
from tests.conftest import CLEAR_GRAPH

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "een" / "organization.fixture.csv"
CORDIS_SAMPLE = ROOT / "data" / "snapshot" / "cordis" / "h2020_participations_sample.csv"
EEN_GRANTS = ROOT / "data" / "snapshot" / "cordis" / "een_projects_h2020.csv"
IDEA_PIC = "999809168"  # AGENCIA DE INNOVACION Y DESARROLLO DE ANDALUCIA, real CORDIS PIC


def fixture_rows() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def een_grants() -> set[str]:
    with EEN_GRANTS.open(encoding="utf-8") as handle:
        return {r["projectID"] for r in csv.DictReader(handle)}


def test_rows_of_other_projects_are_skipped_not_rejected() -> None:
    skipped: Counter[str] = Counter()
    kept = list(only_een_grants(read_table(FIXTURE), een_grants(), skipped))
    expected = [r for r in fixture_rows() if r["projectID"] in een_grants()]
    assert [row["projectID"] for _, row in kept] == [r["projectID"] for r in expected]
    assert skipped == Counter(r["projectID"] for r in fixture_rows() if r not in expected)


def whole_row(project_id: str) -> dict[str, str | None]:
    """A row with every organisation column present, so only its projectID decides."""
    row: dict[str, str | None] = {column: "x" for column in ORGANIZATION_COLUMNS}
    row["projectID"] = project_id
    return row


def test_malformed_project_ids_go_on_to_validation() -> None:
    rows = [(2, whole_row("")), (3, whole_row("12x")), (4, whole_row("115974"))]
    skipped: Counter[str] = Counter()
    kept = [line for line, _ in only_een_grants(rows, {"879926"}, skipped)]
    assert kept == [2, 3]
    assert skipped == {"115974": 1}


def test_a_row_cut_short_goes_on_to_validation_whatever_its_project() -> None:
    cut: dict[str, str | None] = {"projectID": "115974", "organisationID": None}
    skipped: Counter[str] = Counter()
    kept = [line for line, _ in only_een_grants([(5, cut)], {"879926"}, skipped)]
    assert kept == [5]
    assert not skipped


# -- loading into the real graph ----------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(
    driver: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadResult]:
    """Regions, the real CORDIS rows of every project in which the Andalusian agency IDEA
    takes part, then the EEN fixture."""
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()
    with CORDIS_SAMPLE.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        sample = list(reader)
        header = list(reader.fieldnames or [])
    projects = {r["projectID"] for r in sample if r["organisationID"] == IDEA_PIC}
    folder = tmp_path_factory.mktemp("cordis-subset")
    with (folder / "organization.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=";")
        writer.writeheader()
        writer.writerows(r for r in sample if r["projectID"] in projects)
    for name in ("domains", "regions"):
        run_loader(name, settings, driver)
    run_loader("cordis", settings, driver, source_path=folder / "organization.csv")
    yield run_loader("een", settings, driver, source_path=FIXTURE)


def counts(driver: Driver) -> dict[str, int]:
    nodes, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:GraphMeta UNWIND labels(n) AS l RETURN l, count(*) AS n"
    )
    rels, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")
    return {r["l"]: r["n"] for r in nodes} | {r["t"]: r["n"] for r in rels}


def test_report_accounts_for_every_row(loaded: LoadResult) -> None:
    report = loaded.report
    een_rows = [r for r in fixture_rows() if r["projectID"] in een_grants()]
    assert report.rows_read == len(een_rows)
    assert report.rows_rejected == 0
    assert any("not EEN grants" in n for n in report.notes)


def test_consortia_members_and_network(loaded: LoadResult, driver: Driver) -> None:
    rows = [r for r in fixture_rows() if r["projectID"] in een_grants()]
    records, _, _ = driver.execute_query(
        """
        MATCH (c:Consortium)-[:IN_NETWORK]->(:Network {name: 'EEN'})
        OPTIONAL MATCH (o:Organisation)-[m:MEMBER_OF]->(c)
        RETURN c.uid AS uid, c.name AS name, c.phase AS phase,
               collect([o.pic, m.role]) AS members
        """
    )
    by_uid = {r["uid"]: r for r in records}
    assert set(by_uid) == {f"een:cordis:{r['projectID']}" for r in rows}
    for row in rows:
        consortium = by_uid[f"een:cordis:{row['projectID']}"]
        assert consortium["name"] == row["projectAcronym"]
        assert [row["organisationID"], row["role"]] in consortium["members"]
    assert by_uid["een:cordis:879926"]["phase"] == "SGA4 (2020-2021)"
    # One invented member of EEN SACHSEN is in two grant phases: one organisation, two consortia.
    wfs, _, _ = driver.execute_query(
        "MATCH (o:Organisation {pic: '900000101'})-[:MEMBER_OF]->(c) RETURN count(c) AS n, "
        "count(DISTINCT o) AS orgs"
    )
    assert (wfs[0]["n"], wfs[0]["orgs"]) == (2, 1)


def test_member_in_cordis_and_een_is_one_organisation(loaded: LoadResult, driver: Driver) -> None:
    records, _, _ = driver.execute_query(
        """
        MATCH (o:Organisation) WHERE o.pic = $pic
        RETURN o.uid AS uid, o.sources AS sources, o.source_ids AS ids,
               count { (o)-[:PARTICIPATED_IN]->(:Project) } AS projects,
               [(o)-[:MEMBER_OF]->(c:Consortium) | c.uid] AS consortia,
               [(o)-[:LOCATED_IN]->(r:Region) | r.nuts_id] AS regions
        """,
        pic=IDEA_PIC,
    )
    assert len(records) == 1
    idea = records[0]
    assert idea["uid"] == f"org:pic:{IDEA_PIC}"
    assert set(idea["sources"]) == {"cordis", "een"}
    assert {f"cordis:pic:{IDEA_PIC}", f"een:pic:{IDEA_PIC}"} <= set(idea["ids"])
    assert idea["projects"] >= 1 and idea["consortia"] == ["een:cordis:878656"]
    # Its region comes from CORDIS alone (Sevilla): the EEN load adds no second one.
    assert idea["regions"] == ["ES618"]


def test_new_members_are_located_in_regions_with_a_category(
    loaded: LoadResult, driver: Driver
) -> None:
    records, _, _ = driver.execute_query(
        """
        MATCH (o:Organisation)-[:MEMBER_OF]->(:Consortium)
        WHERE o.sources = ['een']
        OPTIONAL MATCH (o)-[l:LOCATED_IN]->(r:Region)-[:PART_OF*0..1]->(n2:Region {level: 2})
        RETURN DISTINCT o.pic AS pic, o.nuts_from AS nuts_from, l.nuts_from AS rel_from,
               r.nuts_id AS region, n2.category AS category
        """
    )
    by_pic = {r["pic"]: r for r in records}
    assert len(by_pic) == 6
    for r in by_pic.values():
        assert r["region"] and r["category"], r
        assert r["nuts_from"] == r["rel_from"]
    assert by_pic["900000101"]["nuts_from"] == "code"  # nutsCode DED21 given
    assert by_pic["900000101"]["region"] == "DED21"
    assert by_pic["900000105"]["region"].startswith("EL61")  # Larisa, by postcode 41222
    assert by_pic["900000105"]["category"] == "less developed"


def test_malformed_rows_are_reported(
    loaded: LoadResult, settings: Settings, driver: Driver, tmp_path: Path
) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    header, good = lines[0], lines[1]
    fields = good.split(";")
    bad_role = ";".join([*fields[:19], "boss", *fields[20:]])
    bad_pic = ";".join([*fields[:2], "P-1", *fields[3:]])
    bad_country = ";".join([*fields[:11], "Germany", *fields[12:]])
    no_project = ";".join(["", *fields[1:]])
    path = tmp_path / "organization.csv"
    path.write_text("\n".join([header, good, bad_role, bad_pic, bad_country, no_project]) + "\n")
    before = counts(driver)
    result = run_loader("een", settings, driver, source_path=path)
    assert result.report.rows_read == 5
    assert result.report.rows_rejected == 4
    assert {"role", "organisationID", "country", "projectID"} <= {
        r.field for r in result.report.rejects
    }
    assert counts(driver) == before


def test_rerun_changes_nothing(loaded: LoadResult, settings: Settings, driver: Driver) -> None:
    before = counts(driver)
    run_loader("een", settings, driver, source_path=FIXTURE)
    assert counts(driver) == before


def test_cordis_loader_meets_the_same_consortia(
    loaded: LoadResult, settings: Settings, driver: Driver
) -> None:
    """Format A is CORDIS's own format: loading the same rows with the CORDIS loader reaches the
    same Consortium and Organisation nodes (uid 'een:cordis:<projectID>', 'org:pic:<PIC>')."""
    before = counts(driver)
    run_loader("cordis", settings, driver, source_path=FIXTURE)
    after = counts(driver)
    assert after["Consortium"] == before["Consortium"]
    assert after["MEMBER_OF"] == before["MEMBER_OF"]
    # Only the non-EEN project's organisation (LUNDS UNIVERSITET) is new.
    assert after["Organisation"] == before["Organisation"] + 1
    assert after["LOCATED_IN"] == before["LOCATED_IN"] + 1  # one region per organisation
    records, _, _ = driver.execute_query(
        "MATCH (c:Consortium) RETURN collect(DISTINCT c.sources) AS sources"
    )
    assert records[0]["sources"] == [["een", "cordis"]]
