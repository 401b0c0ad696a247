"""``/stats``: what the graph holds, by label, relationship type and source."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import DriverDep, ReaderDep, SettingsDep
from queries.browse import graph_health
from queries.stats import GraphStats, graph_stats

router = APIRouter(tags=["service"])


class StatsOut(GraphStats):
    graph_version: int
    share_located_organisations: float


@router.get("/stats", response_model=StatsOut, summary="Counts by label, type and source")
def stats(driver: DriverDep, reader: ReaderDep, settings: SettingsDep) -> StatsOut:
    result = graph_stats(driver, settings.neo4j_database)
    version, _ = graph_health(reader)
    return StatsOut(
        **result.model_dump(),
        graph_version=version,
        share_located_organisations=round(result.share_located, 4),
    )
