"""The S3 priorities loader on the Eye@RIS3-shaped fixture (illustrative data, see
tests/fixtures/eye_ris3/README.md), joined to the real regions and domain vocabulary."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.settings import Settings
from loaders.domains import load_term_mapping
from loaders.pipeline import run_loader
from loaders.s3 import (
    Classification,
    TermMapper,
    load_mapper,
    locate_files,
    make_title,
    normalise_code,
    normalise_dimension,
    split_cell,
    strip_code_prefix,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "eye_ris3"
DATA = ROOT / "data"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def query(driver: Driver, settings: Settings, cypher: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(cypher, params, database_=settings.neo4j_database)
    return [r.data() for r in records]


def counts(driver: Driver, settings: Settings) -> dict[str, int]:
    rows = query(
        driver,
        settings,
        "MATCH (n) WHERE NOT n:GraphMeta RETURN labels(n)[0] AS k, count(*) AS n "
        "UNION ALL MATCH ()-[r]->() RETURN type(r) AS k, count(*) AS n",
    )
    return {r["k"]: r["n"] for r in rows}


@pytest.fixture(scope="module")
def mapper() -> TermMapper:
    return load_mapper(DATA)


@pytest.fixture
def geography(graph: Driver, settings: Settings) -> Driver:
    run_loader("domains", settings, graph)
    run_loader("regions", settings, graph)
    return graph


# -- the mapping table and helpers -------------------------------------------------------------


def test_every_mapped_domain_code_exists_in_the_vocabulary() -> None:
    domains = {row["code"] for row in read_csv(DATA / "mappings" / "domains.csv")}
    mapping = load_term_mapping(DATA / "mappings" / "s3_terms.csv")
    used = {code for codes in mapping.values() for code in codes}
    assert used <= domains, used - domains


def test_issue_themes_resolve_to_domains(mapper: TermMapper) -> None:
    def domains_of(label: str) -> list[str] | None:
        return mapper.domains(Classification("policy_objective", "", label))

    assert domains_of("Advanced manufacturing systems") == ["digitalisation-of-manufacturing"]
    assert "green-transition" in (domains_of("Sustainable innovation") or [])
    assert domains_of("Tourism") == ["tourism"]  # through the vocabulary itself
    assert domains_of("Service innovation") == []  # reviewed, deliberately unmapped
    assert domains_of("Something nobody reviewed") is None


def test_codes_and_code_prefixed_labels_map(mapper: TermMapper) -> None:
    by_code = mapper.domains(Classification("economic_domain", "C.10", ""))
    by_label = mapper.domains(
        Classification("economic_domain", "", "C.10 - Manufacture of food products")
    )
    assert by_code == by_label == ["agri-food"]
    # a NACE section letter is not a NABS chapter: codes are looked up per dimension
    assert mapper.domains(Classification("scientific_domain", "C", "")) is None


def test_multi_valued_cells_split_without_breaking_labels(mapper: TermMapper) -> None:
    cell = "Agriculture, forestry and fishing, Manufacture of food products; Tourism"
    assert split_cell(cell, mapper) == [
        "Agriculture, forestry and fishing",
        "Manufacture of food products",
        "Tourism",
    ]
    assert split_cell("Unknown a, Unknown b", mapper) == ["Unknown a", "Unknown b"]
    assert split_cell("", mapper) == []


def test_small_helpers() -> None:
    assert normalise_dimension("Economic Domains") == "economic_domain"
    assert normalise_dimension("policy-objective") == "policy_objective"
    assert normalise_dimension("target market") is None
    assert normalise_code("c. 10") == "C10"
    assert strip_code_prefix("07 - Health") == "Health"
    assert strip_code_prefix("E-commerce platforms") == "E-commerce platforms"
    assert make_title("Tourism. More text here.") == "Tourism"
    long = "word " * 60
    assert len(make_title(long)) <= 121 and make_title(long).endswith("…")


def test_files_are_found_from_a_folder_or_a_file(tmp_path: Path) -> None:
    assert locate_files(FIXTURE) == (
        FIXTURE / "fixture_priorities.csv",
        FIXTURE / "fixture_priority_codes.csv",
    )
    assert locate_files(FIXTURE / "fixture_priorities.csv")[1] is not None
    assert locate_files(FIXTURE / "fixture_one_table.csv") == (
        FIXTURE / "fixture_one_table.csv",
        None,
    )


# -- loading into Neo4j ------------------------------------------------------------------------


def test_two_table_fixture_loads_priorities_with_domains(
    geography: Driver, settings: Settings
) -> None:
    result = run_loader("s3", settings, geography, source_path=FIXTURE)
    report = result.report
    priorities = read_csv(FIXTURE / "fixture_priorities.csv")
    codes = read_csv(FIXTURE / "fixture_priority_codes.csv")
    assert report.rows_read == len(priorities) + len(codes)

    rejects = {(r.file, r.field, r.value) for r in report.rejects}
    assert rejects == {
        ("fixture_priorities.csv", "territory_nuts", "XX99"),
        ("fixture_priority_codes.csv", "priority_id", "FX-NOPE-01"),
        ("fixture_priority_codes.csv", "dimension", "target_market"),
    }
    assert all(r.row > 1 and r.reason for r in report.rejects)
    assert report.unmapped_terms == {"scientific_domain: Illustrative unmapped term": 1}

    loaded = query(geography, settings, "MATCH (p:S3Priority) RETURN count(p) AS n")[0]["n"]
    assert loaded == len(priorities) - 1
    rows = query(
        geography,
        settings,
        "MATCH (r:Region)-[:HAS_PRIORITY]->(p:S3Priority)-[:IN_DOMAIN]->(d:Domain) "
        "WITH r, p, collect(d.code) AS domains "
        "RETURN r.nuts_id AS region, p.uid AS uid, domains",
    )
    domains = {r["uid"]: set(r["domains"]) for r in rows}
    regions = {r["uid"]: r["region"] for r in rows}
    assert domains["eye-ris3:FX-DK05-01"] >= {"tourism", "creative-cultural"}
    assert domains["eye-ris3:FX-DK05-02"] >= {"digitalisation-of-manufacturing"}
    assert domains["eye-ris3:FX-ITG1-01"] >= {"agri-food"}
    assert domains["eye-ris3:FX-BG31-01"] >= {"energy-renewables", "green-transition"}
    assert domains["eye-ris3:FX-CY00-01"] == {"blue-economy", "digital"}  # J62 given by code only
    assert regions["eye-ris3:FX-EL43-01"] == "EL43"  # country given as ISO "GR"
    assert regions["eye-ris3:FX-NO07-01"] == "NO07"

    dk = query(
        geography,
        settings,
        "MATCH (p:S3Priority {uid: 'eye-ris3:FX-DK05-01'}) RETURN p.title AS title, "
        "p.economic_domains AS economic, p.policy_objectives AS policy, p.country_code AS cc",
    )[0]
    assert (
        dk["title"] == "[illustrative fixture] Tourism and the experience economy along the coast"
    )
    assert dk["economic"] == [
        "Accommodation",
        "Sports activities and amusement and recreation activities",
    ]
    assert dk["policy"] == ["Experience economy"] and dk["cc"] == "DK"

    before = counts(geography, settings)
    run_loader("s3", settings, geography, source_path=FIXTURE)
    assert counts(geography, settings) == before


def test_one_table_fixture_reaches_the_same_domains(geography: Driver, settings: Settings) -> None:
    path = FIXTURE / "fixture_one_table.csv"
    result = run_loader("s3", settings, geography, source_path=path)
    assert {(r.field, r.value) for r in result.report.rejects} == {("territory_nuts", "PT99")}
    assert result.report.unmapped_terms == {"policy_objective: Illustrative unmapped term": 1}
    rows = query(
        geography,
        settings,
        "MATCH (p:S3Priority)-[rel:IN_DOMAIN]->(d:Domain) "
        "RETURN p.uid AS uid, d.code AS domain, rel.via AS via",
    )
    by_uid: dict[str, set[str]] = {}
    for row in rows:
        by_uid.setdefault(row["uid"], set()).add(row["domain"])
    assert by_uid["eye-ris3:FX-ITG1-01"] >= {"agri-food", "bioeconomy", "green-transition"}
    assert by_uid["eye-ris3:FX-PT11-01"] >= {"textiles", "energy-intensive"}
    assert by_uid["eye-ris3:FX-NO07-01"] == {"agri-food", "blue-economy"}
    itg1 = query(
        geography,
        settings,
        "MATCH (p:S3Priority {uid: 'eye-ris3:FX-ITG1-01'}) RETURN p.economic_domains AS e",
    )
    assert itg1 == [{"e": ["Agriculture, forestry and fishing", "Manufacture of food products"]}]


def test_no_file_and_no_snapshot_loads_nothing_and_says_so(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA / "mappings", data_dir / "mappings")
    result = run_loader("s3", settings.model_copy(update={"data_dir": data_dir}), graph)
    assert result.report.rows_read == 0 and result.stats.node_total == 0
    assert any("No Eye@RIS3 snapshot is bundled" in note for note in result.report.notes)
    assert any("--file" in note for note in result.report.notes)
