"""The shared domain vocabulary loads through the real pipeline."""

from __future__ import annotations

from neo4j import Driver

from graph.settings import Settings
from loaders.pipeline import run_loader


def test_domains_load_with_hierarchy(graph: Driver, settings: Settings) -> None:
    result = run_loader("domains", settings, graph)
    assert result.report.rows_rejected == 0
    records, _, _ = graph.execute_query(
        "MATCH (d:Domain) RETURN d.kind AS kind, count(*) AS n ORDER BY kind"
    )
    counts = {r["kind"]: r["n"] for r in records}
    assert counts["ecosystem"] == 14
    records, _, _ = graph.execute_query(
        "MATCH (:Domain {code: 'green-hydrogen'})-[:SUBDOMAIN_OF]->(p:Domain) "
        "RETURN collect(p.code) AS parents"
    )
    assert sorted(records[0]["parents"]) == ["energy-renewables", "green-transition"]
    again = run_loader("domains", settings, graph)
    assert again.stats.node_total == result.stats.node_total
