"""``/health``: does Neo4j answer? 200 with the graph version, or 503 with the reason."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ReaderDep, SettingsDep
from queries.browse import graph_health

router = APIRouter(tags=["service"])


class Health(BaseModel):
    status: Literal["ok"]
    neo4j: str
    database: str
    graph_version: int
    nodes: int


@router.get("/health", response_model=Health, summary="Check that Neo4j answers")
def health(reader: ReaderDep, settings: SettingsDep) -> Health:
    version, nodes = graph_health(reader)
    return Health(
        status="ok",
        neo4j=settings.neo4j_location,
        database=settings.neo4j_database,
        graph_version=version,
        nodes=nodes,
    )
