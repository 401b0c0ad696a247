"""The partnership-intelligence queries over HTTP: paths, connect, brokers, overlap, consortium.

Endpoints only check and pass parameters; the answers, with their explanations, come from
``queries/`` as they are. Ambiguous input answers 200 with ``status: "ambiguous"`` and the
candidates; unknown input answers 404 with close matches.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.answers import AnswerMemory
from api.deps import DriverDep, ReaderDep, SettingsDep
from graph.errors import BadInput
from queries.bounds import MAX_HOPS, MAX_K
from queries.brokerage import brokerage
from queries.connect import connect
from queries.consortium import available_calls, consortium
from queries.models import (
    BrokerageResult,
    ConnectResult,
    ConsortiumResult,
    EntityKind,
    OverlapResult,
    PartnerRanking,
    PathsResult,
)
from queries.overlap import overlap, partner_regions
from queries.paths import paths

router = APIRouter(tags=["partnership intelligence"])

TargetCategory = Literal["less developed", "transition", "more developed", "outermost"]
Text = Annotated[str, Query(min_length=1, max_length=200)]
MAX_OVERLAP_REGIONS = 30


@router.get("/paths", response_model=PathsResult, summary="Partnership paths")
def get_paths(
    request: Request,
    driver: DriverDep,
    reader: ReaderDep,
    settings: SettingsDep,
    start: Annotated[
        str,
        Query(
            alias="from",
            min_length=1,
            max_length=200,
            description="Organisation or region (NUTS id or name), e.g. DK05.",
        ),
    ],
    to_category: Annotated[
        TargetCategory | None, Query(description="Cohesion category of the end regions.")
    ] = "less developed",
    to: Annotated[
        str | None,
        Query(max_length=200, description="A region or country instead of a category."),
    ] = None,
    domain: Annotated[
        str | None, Query(max_length=200, description="Thematic domain (code or term).")
    ] = None,
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many paths.")] = 10,
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 4,
) -> Response:
    answers: AnswerMemory = request.app.state.answers
    return answers.json(
        request,
        reader,
        lambda: paths(
            driver,
            start,
            to_category=to_category,
            to=to or None,
            domain=domain or None,
            k=k,
            max_hops=max_hops,
            database=settings.neo4j_database,
            timeout=settings.query_timeout,
        ),
    )


@router.get("/connect", response_model=ConnectResult, summary="Who can connect us to X")
def get_connect(
    request: Request,
    driver: DriverDep,
    reader: ReaderDep,
    settings: SettingsDep,
    us: Annotated[
        str,
        Query(min_length=1, max_length=200, description="Organisation or region, e.g. DK05."),
    ],
    x: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="Region, country, organisation or domain term, e.g. tourism.",
        ),
    ],
    kind: Annotated[EntityKind | None, Query(description="Force one reading of x.")] = None,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 4,
) -> Response:
    answers: AnswerMemory = request.app.state.answers
    return answers.json(
        request,
        reader,
        lambda: connect(
            driver,
            us,
            x,
            kind=kind,
            k=k,
            max_hops=max_hops,
            database=settings.neo4j_database,
            timeout=settings.query_timeout,
        ),
    )


@router.get("/brokers", response_model=BrokerageResult, summary="Brokerage analytics")
def get_brokers(
    driver: DriverDep,
    settings: SettingsDep,
    domain: Annotated[str | None, Query(max_length=200)] = None,
    top: Annotated[int, Query(ge=1, le=200)] = 20,
) -> BrokerageResult:
    return brokerage(
        driver,
        domain=domain or None,
        top=top,
        database=settings.neo4j_database,
        timeout=settings.query_timeout,
    )


def _region_list(values: list[str] | None) -> list[str]:
    """Regions given repeated (?regions=DK05&regions=EL43) or comma-separated."""
    found = [part.strip() for value in values or [] for part in value.split(",") if part.strip()]
    if len(found) > MAX_OVERLAP_REGIONS:
        raise BadInput(f"regions: at most {MAX_OVERLAP_REGIONS} regions, got {len(found)}")
    return found


@router.get("/overlap", response_model=OverlapResult, summary="S3 overlap of regions")
def get_overlap(
    driver: DriverDep,
    settings: SettingsDep,
    regions: Annotated[
        list[str],
        Query(min_length=1, description="Regions (codes or names), repeated or comma-separated."),
    ],
) -> OverlapResult:
    names = _region_list(regions)
    if len(names) < 2:
        raise BadInput("regions: give at least two regions to compare")
    return overlap(driver, names, database=settings.neo4j_database, timeout=settings.query_timeout)


@router.get("/overlap/partners", response_model=PartnerRanking, summary="Partner regions by S3 fit")
def get_partner_regions(
    driver: DriverDep,
    settings: SettingsDep,
    region: Text,
    among: Annotated[list[str] | None, Query(description="Only these regions.")] = None,
    k: Annotated[int, Query(ge=1, le=200)] = 20,
) -> PartnerRanking:
    return partner_regions(
        driver,
        region,
        among=_region_list(among) or None,
        k=k,
        database=settings.neo4j_database,
        timeout=settings.query_timeout,
    )


@router.get("/calls", response_model=list[str], summary="Calls with eligibility rules")
def get_calls(settings: SettingsDep) -> list[str]:
    return available_calls(settings.data_dir)


@router.get("/consortium", response_model=ConsortiumResult, summary="I3 consortium candidates")
def get_consortium(
    driver: DriverDep,
    settings: SettingsDep,
    call: Annotated[str, Query(min_length=1, max_length=80, description="See /calls.")],
    domain: Text,
    seed: Annotated[str, Query(min_length=1, max_length=200, description="The seed organisation.")],
    k: Annotated[int, Query(ge=1, le=20)] = 5,
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 4,
    regions: Annotated[
        str | None,
        Query(
            max_length=400,
            description="Partner regions the other members must come from: NUTS codes or "
            "names, comma-separated.",
        ),
    ] = None,
) -> ConsortiumResult:
    return consortium(
        driver,
        call,
        domain,
        seed,
        k=k,
        max_hops=max_hops,
        regions=regions.split(",") if regions else None,
        data_dir=settings.data_dir,
        database=settings.neo4j_database,
        timeout=settings.query_timeout,
    )
