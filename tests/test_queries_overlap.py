"""S3 overlap and partner regions on the toy graph."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph.errors import NotFound
from graph.settings import Settings
from queries.overlap import overlap, partner_regions
from tests.test_queries_graphs import LONG, fresh_toy_graph


@pytest.fixture(scope="module")
def toy(driver: Driver) -> Driver:
    return fresh_toy_graph(driver)


def test_matrix_of_the_partnership(toy: Driver, settings: Settings) -> None:
    result = overlap(
        toy,
        ["DK05", "EL63", "PT11", "BG31", "Kriti", "Kypros", "NO07"],
        database=settings.neo4j_database,
        timeout=LONG,
    )
    basis = {r.region.nuts_id: (r.basis, r.domains) for r in result.regions}
    assert basis == {
        "DK05": ("declared", ["digital", "energy-renewables"]),
        "EL63": ("declared", ["digital"]),
        "PT11": ("declared", ["tourism"]),
        "BG31": ("revealed", ["energy-renewables"]),
        "EL43": ("revealed", ["green-hydrogen", "health"]),
        "CY00": ("declared", ["blue-economy", "tourism"]),
        "NO07": ("none", []),
    }
    assert len(result.cells) == 7 * 6 // 2
    cells = {(c.a, c.b): c for c in result.cells}
    dk_el = cells[("DK05", "EL63")]
    assert dk_el.shared == ["digital"] and dk_el.only_a == ["energy-renewables"]
    assert dk_el.only_b == []
    # a subdomain meets its parent: green hydrogen within Energy-Renewables
    assert cells[("DK05", "EL43")].shared == ["green-hydrogen"]
    assert cells[("DK05", "EL43")].only_b == ["health"]
    assert cells[("PT11", "CY00")].shared == ["blue-economy", "tourism"]
    assert cells[("DK05", "PT11")].shared == [] and cells[("DK05", "PT11")].jaccard == 0
    assert "declared S3 priorities for DK05" in result.explanation
    assert "No domains known for NO07" in result.explanation


def test_partner_regions_ranked_by_fit(toy: Driver, settings: Settings) -> None:
    ranking = partner_regions(toy, "Nordjylland", database=settings.neo4j_database, timeout=LONG)
    assert ranking.region is not None and ranking.region.region.nuts_id == "DK05"
    order = [p.region.nuts_id for p in ranking.partners]
    fits = [p.fit for p in ranking.partners]
    assert fits == sorted(fits, reverse=True)
    # DK01 (revealed digital + green hydrogen) meets both our domains: first.
    assert order[0] == "DK01"
    # EL63 and BG31 tie at one of two domains met: the declared one comes first.
    assert order.index("EL63") < order.index("BG31")
    assert ranking.partners[order.index("EL63")].fit == ranking.partners[order.index("BG31")].fit
    # no partner shares a domain with us among the tourism regions: they rank last
    assert set(order[-3:]) == {"CY00", "PT11", "PT20"}
    assert "NO07" not in order and "DK05" not in order
    among = partner_regions(
        toy, "DK05", among=["PT11", "EL63"], database=settings.neo4j_database, timeout=LONG
    )
    assert [p.region.nuts_id for p in among.partners] == ["EL63", "PT11"]


def test_unknown_region(toy: Driver, settings: Settings) -> None:
    with pytest.raises(NotFound):
        overlap(toy, ["DK05", "XX99"], database=settings.neo4j_database, timeout=LONG)
