"""The regions loader against the real NUTS 2021 snapshot in a real Neo4j.

Expected figures are computed here from the snapshot files themselves, never copied from the
loader's output.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.settings import Settings
from loaders.nuts import (
    CohesionRow,
    NutsRow,
    is_extra_regio,
    normalise_nuts_id,
    structural_reject,
    version_from_file_name,
)
from loaders.pipeline import LoadResult, run_loader

SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "snapshot" / "nuts"
NON_EU = {"IS", "LI", "NO", "CH"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


NUTS_ROWS = read_csv(SNAPSHOT / "nuts2021.csv")
COHESION_ROWS = read_csv(SNAPSHOT / "cohesion_2021_2027.csv")


def query(driver: Driver, settings: Settings, cypher: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(cypher, params, database_=settings.neo4j_database)
    return [r.data() for r in records]


def graph_counts(driver: Driver, settings: Settings) -> dict[str, int]:
    rows = query(
        driver,
        settings,
        "MATCH (n) WHERE NOT n:GraphMeta RETURN labels(n)[0] AS k, count(*) AS n "
        "UNION ALL MATCH ()-[r]->() RETURN type(r) AS k, count(*) AS n",
    )
    return {r["k"]: r["n"] for r in rows}


@pytest.fixture
def loaded(graph: Driver, settings: Settings) -> LoadResult:
    return run_loader("regions", settings, graph)


# -- pure checks -------------------------------------------------------------------------------


def test_codes_are_normalised_to_eu_style() -> None:
    assert normalise_nuts_id(" gr30 ") == "EL30"
    assert normalise_nuts_id("GB") == "UK"
    assert normalise_nuts_id("DK05") == "DK05"


def test_extra_regio_and_version_detection() -> None:
    assert is_extra_regio("DKZZ") and is_extra_regio("DKZ") and is_extra_regio("NOZZZ")
    assert not is_extra_regio("DK05") and not is_extra_regio("DK") and not is_extra_regio("DEZ1")
    assert version_from_file_name(Path("NUTS_2024.csv")) == "2024"
    assert version_from_file_name(Path("regions.csv")) == "2021"


def nuts_row(code: str, level: str, parent: str, country: str) -> dict[str, str]:
    return {"nuts_id": code, "level": level, "name": "x", "parent_id": parent, "country": country}


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (nuts_row("DK05", "3", "DK0", "DK"), "nuts_id"),
        (nuts_row("DK05", "2", "DK0", "SE"), "country"),
        (nuts_row("DK05", "2", "", "DK"), "parent_id"),
        (nuts_row("DK05", "2", "DK1", "DK"), "parent_id"),
        (nuts_row("DK", "0", "EU", "DK"), "parent_id"),
        (nuts_row("QQ", "0", "", "QQ"), "country"),
    ],
)
def test_structural_problems_name_their_field(row: dict[str, str], field: str) -> None:
    problem = structural_reject(NutsRow.model_validate(row), {"DK", "SE"})
    assert problem is not None and problem[0] == field


def test_good_row_and_iso_input_pass() -> None:
    row = NutsRow.model_validate(
        {"nuts_id": "GR30", "level": "2", "name": "Attiki", "parent_id": "GR3", "country": "GR"}
    )
    assert (row.nuts_id, row.parent_id, row.country) == ("EL30", "EL3", "EL")
    assert structural_reject(row, {"EL"}) is None


def test_cohesion_row_validation() -> None:
    row = CohesionRow.model_validate(
        {"nuts2_id": "FRY1", "category": "Less  Developed", "source": "s", "outermost": "yes"}
    )
    assert row.category == "less developed" and row.outermost
    with pytest.raises(ValueError):
        CohesionRow.model_validate({"nuts2_id": "FRY1", "category": "rich", "outermost": "no"})


# -- the real snapshot in Neo4j ----------------------------------------------------------------


def test_every_region_of_the_snapshot_loads(
    loaded: LoadResult, graph: Driver, settings: Settings
) -> None:
    assert loaded.report.rows_rejected == 0, loaded.report.rejects[:5]
    assert loaded.report.rows_read == len(NUTS_ROWS) + len(COHESION_ROWS)
    per_level = Counter(int(r["level"]) for r in NUTS_ROWS)
    rows = query(graph, settings, "MATCH (r:Region) RETURN r.level AS level, count(*) AS n")
    assert {r["level"]: r["n"] for r in rows} == per_level
    parts = query(graph, settings, "MATCH (:Region)-[p:PART_OF]->(:Region) RETURN count(p) AS n")
    assert parts[0]["n"] == sum(1 for r in NUTS_ROWS if r["parent_id"])
    in_country = query(
        graph,
        settings,
        "MATCH (:Region {level: 0})-[i:IN_COUNTRY]->(:Country) RETURN count(i) AS n",
    )
    assert in_country[0]["n"] == per_level[0]


def test_nuts2_categories_match_the_cohesion_file(
    loaded: LoadResult, graph: Driver, settings: Settings
) -> None:
    expected = Counter(r["category"] for r in COHESION_ROWS if r["category"])
    rows = query(
        graph,
        settings,
        "MATCH (r:Region {level: 2}) WHERE r.category IS NOT NULL "
        "RETURN r.category AS category, count(*) AS n",
    )
    assert {r["category"]: r["n"] for r in rows} == expected
    no_data = query(
        graph,
        settings,
        "MATCH (r:Region {level: 2, category_status: 'no data'}) WHERE r.category IS NULL "
        "RETURN collect(r.nuts_id) AS ids, collect(DISTINCT r.category_source) AS sources",
    )[0]
    assert sorted(no_data["ids"]) == sorted(
        r["nuts2_id"] for r in COHESION_ROWS if not r["category"]
    )
    assert no_data["sources"] == ["no_data_nuts2024_recoded"]
    outermost = query(
        graph, settings, "MATCH (r:Region {outermost: true}) RETURN collect(r.nuts_id) AS ids"
    )[0]["ids"]
    assert sorted(outermost) == sorted(
        r["nuts2_id"] for r in COHESION_ROWS if r["outermost"] == "yes"
    )


def test_named_regions_have_their_category(
    loaded: LoadResult, graph: Driver, settings: Settings
) -> None:
    rows = query(
        graph,
        settings,
        "MATCH (r:Region) WHERE r.nuts_id IN ['DK05', 'BG31'] "
        "RETURN r.nuts_id AS id, r.name AS name, r.category AS category, "
        "r.category_source AS source ORDER BY id",
    )
    assert rows == [
        {"id": "BG31", "name": "Severozapaden", "category": "less developed",
         "source": "derived_gdp_pps_2015_2017"},
        {"id": "DK05", "name": "Nordjylland", "category": "more developed",
         "source": "derived_gdp_pps_2015_2017"},
    ]  # fmt: skip


def test_nordjylland_chain_reaches_denmark(
    loaded: LoadResult, graph: Driver, settings: Settings
) -> None:
    rows = query(
        graph,
        settings,
        "MATCH p = (:Region {nuts_id: 'DK050'})-[:PART_OF*3]->(:Region {level: 0})"
        "-[:IN_COUNTRY]->(c:Country) "
        "RETURN [n IN nodes(p) | coalesce(n.nuts_id, n.code)] AS chain, c.name AS name, "
        "c.iso_code AS iso, c.eu_member AS eu",
    )
    assert rows == [
        {"chain": ["DK050", "DK05", "DK0", "DK", "DK"], "name": "Denmark", "iso": "DK", "eu": True}
    ]


def test_norway_has_regions_without_category(
    loaded: LoadResult, graph: Driver, settings: Settings
) -> None:
    expected = Counter(int(r["level"]) for r in NUTS_ROWS if r["country"] == "NO")
    rows = query(
        graph,
        settings,
        "MATCH (r:Region {country_code: 'NO'}) RETURN r.level AS level, count(*) AS n",
    )
    assert {r["level"]: r["n"] for r in rows} == expected
    nuts2 = query(
        graph,
        settings,
        "MATCH (r:Region {country_code: 'NO', level: 2}) "
        "RETURN collect(DISTINCT r.category) AS categories, "
        "collect(DISTINCT r.category_status) AS statuses",
    )[0]
    assert nuts2 == {"categories": [], "statuses": ["outside EU cohesion policy"]}
    country = query(graph, settings, "MATCH (c:Country {code: 'NO'}) RETURN c.eu_member AS eu")
    assert country == [{"eu": False}]


def test_greece_uses_the_eu_code(loaded: LoadResult, graph: Driver, settings: Settings) -> None:
    rows = query(
        graph,
        settings,
        "MATCH (r:Region {nuts_id: 'EL30'})-[:PART_OF*2]->(:Region)-[:IN_COUNTRY]->(c:Country) "
        "RETURN r.name_latin AS latin, r.name_national AS national, c.code AS code, "
        "c.iso_code AS iso, c.name AS name",
    )
    assert rows[0]["latin"] == "Attiki" and rows[0]["national"]
    assert (rows[0]["code"], rows[0]["iso"], rows[0]["name"]) == ("EL", "GR", "Greece")
    assert query(graph, settings, "MATCH (c:Country {code: 'GR'}) RETURN c") == []


def test_extra_regio_regions_are_kept_and_marked(
    loaded: LoadResult, graph: Driver, settings: Settings
) -> None:
    expected = sum(1 for r in NUTS_ROWS if set(r["nuts_id"][2:]) == {"Z"})
    rows = query(
        graph,
        settings,
        "MATCH (r:Region {extra_regio: true}) RETURN count(*) AS n, "
        "collect(DISTINCT r.category) AS categories",
    )
    assert rows == [{"n": expected, "categories": []}]


@pytest.mark.parametrize(
    ("text", "label", "key"),
    [("kypros", "Region", "CY00"), ("trondelag", "Region", "NO06"), ("Greece", "Country", "EL"),
     ("Ellada", "Country", "EL"), ("Norway", "Country", "NO"), ("Norge", "Country", "NO"),
     ("Severozapaden", "Region", "BG31")],
)  # fmt: skip
def test_full_text_search_finds_regions_and_countries(
    loaded: LoadResult, graph: Driver, settings: Settings, text: str, label: str, key: str
) -> None:
    rows = query(
        graph,
        settings,
        "CALL db.index.fulltext.queryNodes('entity_names', $text) YIELD node "
        "RETURN labels(node)[0] AS label, coalesce(node.nuts_id, node.code) AS key",
        text=text,
    )
    assert {"label": label, "key": key} in rows


def test_loading_twice_changes_no_counts(
    loaded: LoadResult, graph: Driver, settings: Settings
) -> None:
    first = graph_counts(graph, settings)
    again = run_loader("regions", settings, graph)
    assert graph_counts(graph, settings) == first
    assert again.stats.node_total == loaded.stats.node_total
    aliases = query(graph, settings, "MATCH (c:Country {code: 'EL'}) RETURN c.aliases AS a")
    assert len(aliases[0]["a"]) == len(set(aliases[0]["a"]))


# -- malformed rows ----------------------------------------------------------------------------


def test_malformed_rows_are_rejected_and_good_rows_load(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    text = (SNAPSHOT / "nuts2021.csv").read_text(encoding="utf-8")
    bad_rows = [
        "DK06,7,Level seven,DK0,DK",  # unknown level
        "dk-05,2,Bad code,DK0,DK",  # bad code
        "DK07,2,Orphan,DK9,DK",  # parent not the code minus its last character
        "DK08,2,No parent,,DK",  # parent missing
        "SE9A,2,Missing parent,SE9,SE",  # parent not in the file
        "SE9A1,3,Child of a rejected region,SE9A,SE",  # its parent was rejected
        "DK05,2,Nordjylland again,DK0,DK",  # duplicate code
    ]
    lines = text.rstrip("\n").split("\n")
    bad_line_numbers = list(range(len(lines) + 1, len(lines) + 1 + len(bad_rows)))
    nuts = tmp_path / "nuts2021.csv"
    nuts.write_text("\n".join([*lines, *bad_rows]) + "\n", encoding="utf-8")
    cohesion_rows = (SNAPSHOT / "cohesion_2021_2027.csv").read_text(encoding="utf-8").rstrip("\n")
    extra_cohesion = [
        "DK09,more developed,x,,no",
        "DK04,very developed,x,,no",
        "NO06,transition,x,,no",
    ]
    (tmp_path / "cohesion_2021_2027.csv").write_text(
        cohesion_rows + "\n" + "\n".join(extra_cohesion) + "\n", encoding="utf-8"
    )

    result = run_loader("regions", settings, graph, source_path=nuts)
    report = result.report
    nuts_rejects = {(r.row, r.field) for r in report.rejects if r.file == nuts.name}
    assert nuts_rejects == {
        (bad_line_numbers[0], "level"),
        (bad_line_numbers[1], "nuts_id"),
        (bad_line_numbers[2], "parent_id"),
        (bad_line_numbers[3], "parent_id"),
        (bad_line_numbers[4], "parent_id"),
        (bad_line_numbers[5], "parent_id"),
        (bad_line_numbers[6], "nuts_id"),
    }
    cohesion_rejects = {r.field for r in report.rejects if r.file == "cohesion_2021_2027.csv"}
    assert cohesion_rejects == {"nuts2_id", "category"}
    assert report.rows_rejected == len(bad_rows) + len(extra_cohesion)
    assert all(r.reason for r in report.rejects)
    assert result.rejects_file is not None and result.rejects_file.exists()

    count = query(graph, settings, "MATCH (r:Region) RETURN count(r) AS n")[0]["n"]
    assert count == len(NUTS_ROWS)
    dk05 = query(graph, settings, "MATCH (r:Region {nuts_id: 'DK05'}) RETURN r.name AS name")
    assert dk05 == [{"name": "Nordjylland"}]
    no06 = query(graph, settings, "MATCH (r:Region {nuts_id: 'NO06'}) RETURN r.category AS c")
    assert no06 == [{"c": None}]
