"""The near-complete Horizon 2020 files: their rows, how sample projects are recognised among
RCN projects, and (slow) the whole bundled network loaded end to end into the real Neo4j."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from pydantic import ValidationError

from graph.settings import Settings
from loaders.cordis_h2020 import (
    LINKS_FILE,
    LinkRow,
    _RcnProject,
    match_projects,
    programme_domains,
    programme_mapping_file,
    project_label,
)
from loaders.domains import load_term_mapping
from loaders.pipeline import run_loader

DATA = Path(__file__).resolve().parents[1] / "data"
SNAPSHOT = DATA / "snapshot" / "cordis"
GOOD = {
    "projectRcn": "221856",
    "organisationPIC": "998616262",
    "role": "participant",
    "activityType": "PRC",
    "country": "BE",
    "ecContribution": "317625",
    "startDate": "2019-05-01",
    "endDate": "2022-04-30",
    "projectEcMaxContribution": "2927875",
    "projectTotalCost": "2928125",
    "projectNCountries": "4",
    "programmePart": "SC4",
}


def row(**changes: str) -> LinkRow:
    return LinkRow.model_validate({**GOOD, **changes})


def test_a_participation_row_and_its_rejects() -> None:
    good = row()
    assert (good.rcn, good.pic, good.ec_contribution) == ("221856", "998616262", 317625.0)
    assert good.end_date is not None and good.end_date.year == 2022
    assert row(country="", ecContribution="").country is None
    for bad in (
        {"organisationPIC": ""},
        {"projectRcn": "x12"},
        {"endDate": "2018-01-01"},
        {"ecContribution": "lots"},
        {"startDate": "01/05/2019"},
        {"role": "sponsor"},
    ):
        with pytest.raises(ValidationError):
            row(**bad)


def _project(rcn: str, ties: dict[str, float]) -> _RcnProject:
    project = _RcnProject(rcn, row(projectRcn=rcn))
    for pic, amount in ties.items():
        project.add(row(projectRcn=rcn, organisationPIC=pic, ecContribution=str(amount)))
    return project


def test_a_sample_project_is_its_rcn_row_only_when_the_money_singles_it_out() -> None:
    projects = {
        "1": _project("1", {"11111": 100.0, "22222": 200.0, "33333": 300.0}),
        "2": _project("2", {"11111": 999.0, "22222": 200.0}),
        "3": _project("3", {"44444": 50.0}),
        "4": _project("4", {"44444": 50.0}),  # a second fellowship of the standard amount
    }
    sample: dict[str, dict[str, float | None]] = {
        "900": {"11111": 100.0, "22222": 200.0},  # project 1 agrees on both
        "901": {"44444": 50.0},  # projects 3 and 4 agree equally: not guessed
        "902": {"11111": 1.0, "55555": 7.0},  # no amount agrees
    }
    assert match_projects(sample, projects) == {"1": "900"}


def test_programme_parts_reach_domains_through_the_reviewed_table() -> None:
    mapping = load_term_mapping(programme_mapping_file(DATA))
    assert programme_domains("SC2;SC5", mapping) == ["agri-food", "bioeconomy", "green-transition"]
    assert programme_domains("MSCA", mapping) == []  # reviewed, deliberately unmapped
    assert programme_domains("SC9", mapping) is None
    with gzip.open(SNAPSHOT / LINKS_FILE, "rt", encoding="utf-8") as handle:
        parts = {p for r in csv.DictReader(handle) for p in r["programmePart"].split(";") if p}
    assert all(programme_domains(p, mapping) is not None for p in parts), parts


def test_a_project_known_by_rcn_reads_as_programme_part_year_and_rcn() -> None:
    assert project_label(_project("221856", {})) == "H2020 SC4 2019 · RCN 221856"


def _count(driver: Driver, settings: Settings, cypher: str) -> Any:
    records, _, _ = driver.execute_query(cypher, database_=settings.neo4j_database)
    return records[0][0]


@pytest.mark.slow
def test_the_near_complete_network_loads_end_to_end(graph: Driver, settings: Settings) -> None:
    full = settings.model_copy(update={"cordis_sample_only": False})
    run_loader("domains", full, graph)
    run_loader("regions", full, graph)
    result = run_loader("cordis", full, graph)
    report = result.report
    with gzip.open(SNAPSHOT / LINKS_FILE, "rt", encoding="utf-8") as handle:
        links = sum(1 for _ in csv.DictReader(handle))
    assert report.rows_read >= links
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    projects = _count(graph, settings, "MATCH (p:Project) RETURN count(p)")
    named = _count(
        graph,
        settings,
        "MATCH (o:Organisation) WHERE coalesce(o.name_known, true) RETURN count(o)",
    )
    assert projects >= 26_900
    assert named >= 16_200
    dated = _count(
        graph, settings, "MATCH (p:Project) WHERE p.end_date IS NOT NULL RETURN count(p)"
    )
    assert dated >= 31_000
    unnamed = _count(
        graph,
        settings,
        "MATCH (o:Organisation {name_known: false})-[:PARTICIPATED_IN]->() "
        "RETURN count(DISTINCT o)",
    )
    assert unnamed == report.metrics["h2020_unnamed_organisations"] > 0
    placed = report.metrics["h2020_placed_nuts3"] + report.metrics["h2020_placed_nuts2_only"]
    inside = placed + report.metrics["h2020_unplaced_in_nuts_area"]  # EU and EFTA
    assert placed / inside > 0.85
    aau_to_crete = _count(
        graph,
        settings,
        "MATCH (:Organisation {uid: 'org:pic:999904034'})-[:PARTICIPATED_IN]->(p:Project)"
        "<-[:PARTICIPATED_IN]-(:Organisation)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..2]->"
        "(:Region {nuts_id: 'EL43'}) RETURN count(DISTINCT p)",
    )
    assert aau_to_crete > 0
