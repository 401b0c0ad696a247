"""Dependencies of the endpoints, as ``Annotated`` types: settings, the driver, a reader that
runs read transactions with the configured timeout, and bounded pagination."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from neo4j import Driver
from pydantic import BaseModel

from api.database import DatabaseHandle
from graph.codes import country_code
from graph.errors import BadInput
from graph.settings import Settings
from queries.runner import Reader

MAX_PAGE = 200
MAX_OFFSET = 100_000


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> DatabaseHandle:
    database: DatabaseHandle = request.app.state.database
    return database


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[DatabaseHandle, Depends(get_database)]


def get_driver(database: DatabaseDep) -> Driver:
    """The open driver; raises DatabaseUnavailable (503) when Neo4j cannot be reached."""
    return database.driver()


DriverDep = Annotated[Driver, Depends(get_driver)]


def get_reader(driver: DriverDep, settings: SettingsDep) -> Reader:
    return Reader(driver, settings.neo4j_database, settings.query_timeout)


ReaderDep = Annotated[Reader, Depends(get_reader)]


class Pagination(BaseModel):
    limit: int
    offset: int


def get_pagination(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


PaginationDep = Annotated[Pagination, Depends(get_pagination)]


def country_filter(country: str | None) -> str | None:
    """A country given by EU or ISO code (or name) as the EU-style code the graph stores."""
    if country is None or not country.strip():
        return None
    code = country_code(country)
    if code is None:
        raise BadInput(f"country: '{country}' is not a known country code or name")
    return code


def region_filter(region: str | None) -> str | None:
    if region is None or not region.strip():
        return None
    return region.strip().upper()
