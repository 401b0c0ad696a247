"""The keep.eu Interreg loader: on an invented fixture in keep.eu's exact shape (rows, rejects,
merges, regions, idempotence, wrong files), and on the bundled real export (counts, coverage,
the hand-judged merge decisions)."""

from __future__ import annotations

import csv
import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from neo4j import Driver

from graph.errors import SourceFormatError
from graph.settings import Settings
from loaders.domains import load_term_mapping
from loaders.interreg import (
    PARTNERSHIP_FILE,
    nuts_code,
    project_uid,
    snapshot_dir,
    strand_of,
    themes_mapping_file,
)
from loaders.pipeline import LoadResult, run_loader
from tests.conftest import CLEAR_GRAPH

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE = Path(__file__).parent / "fixtures" / "interreg"
JUDGED = FIXTURE / "hand_checked_merges.csv"
PROJECT_HEADER = [
    "Programme",
    "Acronym",
    "Project Name",
    "Budget",
    "EU Funding",
    "ERDF budget",
    "Thematic1",
    "Thematic2",
    "Thematic3",
    "Specific Obj",
    "Thematic Obj",
    "Description EN",
    "Project start",
    "Project end",
]
DANUBE = "2014 - 2020 INTERREG VB Danube"
GR_BG = "2014 - 2020 INTERREG V-A Greece - Bulgaria"


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


def write_workbook(folder: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Projects (lead partners)"
    sheet.append(PROJECT_HEADER)
    sheet.append(
        [
            DANUBE,
            "TOURLINK",
            "Tourism links [invented]",
            "1,200,000.00",
            1020000.0,
            "1,020,000.00",
            "Tourism",
            "Cultural heritage and arts",
            None,
            "objective",
            "(6) environment",
            "An invented project.",
            "2019/01/01",
            "2021/12/31",
        ]
    )
    sheet.append(
        [
            GR_BG,
            "TOURLINK",
            "Tourism links too [invented]",
            "300,000.00",
            255000.0,
            None,
            "ICT and digital society",
            None,
            None,
            None,
            None,
            None,
            "2017/03/01",
            "2019/02/28",
        ]
    )
    sheet.append(
        [
            GR_BG,
            "SEAWAYS",
            "Sea ways [invented]",
            "lots",
            None,
            None,
            "Tourism",
            None,
            None,
            None,
            None,
            None,
            "2018/13/01",
            "2020/01/01",
        ]
    )
    book.create_sheet("Partners")
    book.create_sheet("Calls")
    book.save(folder / "keep_export.xlsx")


@pytest.fixture(scope="module")
def fixture_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("interreg")
    shutil.copy(FIXTURE / "keep_partnership.csv", folder / "keep_partnership.csv")
    write_workbook(folder)
    return folder


@pytest.fixture(scope="module")
def loaded(
    driver: Driver, settings: Settings, fixture_folder: Path
) -> Iterator[tuple[LoadResult, LoadResult]]:
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()
    run_loader("domains", settings, driver)
    run_loader("regions", settings, driver)
    first = run_loader("interreg", settings, driver, source_path=fixture_folder)
    second = run_loader("interreg", settings, driver, source_path=fixture_folder)
    yield first, second


# -- pure helpers ---------------------------------------------------------------------------------


def test_strands_codes_and_uids() -> None:
    assert strand_of("2014 - 2020 INTERREG V-A Germany - Denmark") == "cross-border"
    assert strand_of("2014 - 2020 INTERREG VB Danube") == "transnational"
    assert strand_of("2014 - 2020 URBACT III") == "URBACT"
    assert strand_of("2014 - 2020 Interreg IPA CBC Bulgaria - Serbia") == "IPA cross-border"
    assert nuts_code("DEG01  / Erfurt, Kreisfreie Stadt") == "DEG01"
    assert nuts_code("") is None
    # acronyms repeat across programmes; Greek acronyms keep their letters
    assert project_uid(DANUBE, "TOURLINK") != project_uid(GR_BG, "TOURLINK")
    assert project_uid(GR_BG, "ΟΞΥΓΟΝΟ") != project_uid(GR_BG, "ΗΡΩΝ")


def test_every_theme_of_the_export_is_reviewed() -> None:
    mapping = load_term_mapping(themes_mapping_file(DATA))
    book = openpyxl.load_workbook(snapshot_dir(DATA) / "keep_2014_2020.xlsx", read_only=True)
    sheet = book["Projects (lead partners)"]
    values = sheet.iter_rows(values_only=True)
    header = list(next(values))
    columns = [header.index(f"Thematic{i}") for i in (1, 2, 3)]
    themes = {r[i] for r in values for i in columns if r[i]}
    book.close()
    assert len(themes) == 42
    missing = {t for t in themes if t.casefold().replace("&", "and") not in mapping}
    assert missing == set()


# -- the fixture ----------------------------------------------------------------------------------


def test_projects_partners_and_rejects(
    loaded: tuple[LoadResult, LoadResult], driver: Driver, settings: Settings
) -> None:
    report = loaded[0].report
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    reasons = {(r.field, r.row) for r in report.rejects}
    assert ("Project Partner", 7) in reasons  # no partner name
    assert ("Lead Partner", 8) in reasons  # neither Yes nor No
    assert any(r.file == "keep_export.xlsx" for r in report.rejects)  # budget "lots"
    projects = rows(
        driver,
        settings,
        "MATCH (p:Project {kind: 'interreg'}) RETURN p.uid AS uid, p.strand AS strand, "
        "p.start_date AS start, p.n_partners AS n ORDER BY uid",
    )
    assert len(projects) == 3  # TOURLINK twice (two programmes), SEAWAYS
    danube = next(p for p in projects if p["uid"] == project_uid(DANUBE, "TOURLINK"))
    assert danube["strand"] == "transnational" and danube["start"] == "2019-01-01"
    assert danube["n"] == 3
    domains = rows(
        driver,
        settings,
        "MATCH (:Project {uid: $uid})-[:IN_DOMAIN]->(d:Domain) RETURN d.code AS code ORDER BY code",
        uid=project_uid(DANUBE, "TOURLINK"),
    )
    assert {d["code"] for d in domains} == {"tourism", "creative-cultural"}


def test_one_organisation_under_two_spellings(
    loaded: tuple[LoadResult, LoadResult], driver: Driver, settings: Settings
) -> None:
    vratsa = rows(
        driver,
        settings,
        "MATCH (o:Organisation)-[t:PARTICIPATED_IN]->(p:Project) WHERE o.name STARTS WITH "
        "'Vratsa' RETURN o.uid AS uid, o.aliases AS aliases, t.role AS role, p.uid AS project",
    )
    assert len({r["uid"] for r in vratsa}) == 1
    assert {r["role"] for r in vratsa} == {"lead partner", "partner"}
    assert "Vratsa Chamber of Comerce" in vratsa[0]["aliases"]
    # the programme's site, given by every partner of the project, is nobody's website
    sites = rows(
        driver,
        settings,
        "MATCH (o:Organisation) WHERE o.web_domain = 'interreg-danube.eu' RETURN count(o) AS n",
    )
    assert sites == [{"n": 0}]


def test_regions_from_codes_postcodes_and_towns(
    loaded: tuple[LoadResult, LoadResult], driver: Driver, settings: Settings
) -> None:
    placed = {
        r["name"]: (r["region"], r["how"])
        for r in rows(
            driver,
            settings,
            "MATCH (o:Organisation)-[l:LOCATED_IN]->(r:Region) "
            "RETURN o.name AS name, r.nuts_id AS region, l.nuts_from AS how",
        )
    }
    assert placed["Aalborg University"] == ("DK050", "code")
    assert placed["Hellenic Mediterranean University"] == ("EL431", "code")
    # LT00A is a NUTS 2013 code: Vilnius is placed by its postcode or town instead
    region, how = placed["Regional Agency Vilnius"]
    assert region.startswith("LT01") and how != "code"
    assert "Nowhere Agency" not in placed
    report = loaded[0].report
    assert report.metrics["rows_unplaced"] >= 1


def test_loading_twice_changes_nothing(
    loaded: tuple[LoadResult, LoadResult], driver: Driver, settings: Settings
) -> None:
    first, second = loaded
    assert first.report.rows_read == second.report.rows_read
    assert first.report.metrics["organisations"] == second.report.metrics["organisations"]
    before = counts(driver, settings)
    run_loader("interreg", settings, driver, source_path=FIXTURE / "keep_partnership.csv")
    assert counts(driver, settings) == before


def test_a_wholly_wrong_file_changes_nothing(
    loaded: tuple[LoadResult, LoadResult], driver: Driver, settings: Settings, tmp_path: Path
) -> None:
    before = counts(driver, settings)
    page = tmp_path / "export.csv"
    page.write_text("<!DOCTYPE html><html><body>Sign in to keep.eu</body></html>")
    with pytest.raises(SourceFormatError):
        run_loader("interreg", settings, driver, source_path=page)
    other = tmp_path / "other.csv"
    other.write_text("projectID;organisationID;name\n1;2;x\n")
    with pytest.raises(SourceFormatError, match="expected columns"):
        run_loader("interreg", settings, driver, source_path=other)
    book = tmp_path / "broken.xlsx"
    book.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(SourceFormatError):
        run_loader("interreg", settings, driver, source_path=book)
    assert counts(driver, settings) == before


# -- the bundled export ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(driver: Driver, settings: Settings) -> Iterator[LoadResult]:
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()
    for source in ("domains", "regions", "cordis", "edih"):
        run_loader(source, settings, driver)
    yield run_loader("interreg", settings, driver)


def test_the_real_export_loads_whole(real: LoadResult, driver: Driver, settings: Settings) -> None:
    report = real.report
    with gzip.open(snapshot_dir(DATA) / PARTNERSHIP_FILE, "rt", encoding="utf-8") as handle:
        partner_rows = sum(1 for _ in csv.DictReader(handle, delimiter=";"))
    assert partner_rows == 8621
    assert (
        report.metrics["partner_rows"]
        + sum(1 for r in report.rejects if r.file.endswith(".csv.gz"))
        == partner_rows
    )
    assert report.metrics["projects"] == 1852
    projects = rows(driver, settings, "MATCH (p:Project {kind: 'interreg'}) RETURN count(p) AS n")
    assert projects == [{"n": 1852}]
    placed = report.metrics["rows_placed_nuts3"] + report.metrics["rows_placed_nuts2_only"]
    assert placed / report.metrics["partner_rows"] > 0.9
    bg31 = rows(
        driver,
        settings,
        "MATCH (o:Organisation)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..1]->(:Region {nuts_id: "
        "'BG31'}) WHERE 'interreg' IN o.sources RETURN count(DISTINCT o) AS n",
    )
    assert bg31[0]["n"] > 20


def test_judged_merges_hold_and_are_precise(
    real: LoadResult, driver: Driver, settings: Settings
) -> None:
    """Each judged decision: a partner row (its source id) and the organisation it was merged
    into. Decisions judged correct must still be made; those judged wrong must not be."""
    with JUDGED.open(encoding="utf-8") as handle:
        judged = list(csv.DictReader(handle))
    assert len(judged) >= 50
    kinds = {r["kind"] for r in judged}
    assert kinds == {"interreg rows", "other source"}
    made = {
        (r["sid"], r["uid"])
        for r in rows(
            driver,
            settings,
            "MATCH (o:Organisation) WHERE 'interreg' IN o.sources UNWIND o.source_ids AS sid "
            "WITH o, sid WHERE sid STARTS WITH 'interreg:' RETURN sid, o.uid AS uid",
        )
    }
    correct = [r for r in judged if r["verdict"] == "correct"]
    wrong = [r for r in judged if r["verdict"] == "wrong"]
    lost = [r["source_id"] for r in correct if (r["source_id"], r["merged_into"]) not in made]
    again = [r["source_id"] for r in wrong if (r["source_id"], r["merged_into"]) in made]
    assert lost == [], "judged-correct merges no longer made"
    assert again == [], "judged-wrong merges made again"
    assert len(correct) / (len(correct) + len(again)) >= 0.95
