"""Warming Neo4j up before the first request.

Just after Neo4j starts, the first ``paths`` or ``connect`` takes 5-8 s instead of well under a
second: Neo4j plans and compiles each statement once and reads the store into its page cache
(the Python side of that first call is about 0.4 s). ``s3graph serve`` runs one ``paths`` and
one ``connect`` between the two regions with the most organisations in the background, so that
the first person to ask in a workshop does not wait for it. Best effort: any failure is logged
and forgotten.
"""

from __future__ import annotations

import logging

from neo4j import Driver

from queries import cypher
from queries.connect import connect
from queries.paths import paths
from queries.runner import Reader

log = logging.getLogger("s3graph.warmup")


def warm_up(driver: Driver, database: str | None = None) -> list[str]:
    """Runs the main queries once from the busiest regions; returns the regions used (none on
    an empty graph or a failure)."""
    try:
        records = Reader(driver, database).rows(cypher.BUSIEST_REGIONS)
        regions = [str(r["nuts_id"]) for r in records]
        if regions:
            paths(driver, regions[0], database=database)
        if len(regions) > 1:
            connect(driver, regions[0], regions[1], kind="region", database=database)
        return regions
    except Exception as exc:
        log.warning("warm-up skipped: %s", exc)
        return []
