"""``/regions``: NUTS regions by country, level, cohesion category and name."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from api.deps import PaginationDep, ReaderDep, country_filter
from queries.browse import get_region, list_regions, region_members
from queries.models import Page, RankedLink, RegionDetail, RegionSummary

router = APIRouter(prefix="/regions", tags=["look-ups"])

CategoryParam = Literal["more developed", "transition", "less developed"]
MemberKind = Literal["organisations", "projects", "hubs", "clusters"]
NUTS_ID = r"^[A-Za-z]{2}[A-Za-z0-9]{0,3}$"


@router.get("", response_model=Page[RegionSummary], summary="List and filter regions")
def regions(
    reader: ReaderDep,
    page: PaginationDep,
    country: Annotated[
        str | None,
        Query(max_length=60, description="Country: EU code (EL), ISO code (GR) or name."),
    ] = None,
    level: Annotated[int | None, Query(ge=0, le=3, description="NUTS level 0-3.")] = None,
    category: Annotated[
        CategoryParam | None,
        Query(description="Cohesion category (NUTS 3 regions inherit their NUTS 2's)."),
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of the name, or a NUTS id.")
    ] = None,
) -> Page[RegionSummary]:
    return list_regions(
        reader,
        country=country_filter(country),
        level=level,
        category=category,
        text=q,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{nuts_id}", response_model=RegionDetail, summary="One region by NUTS id")
def region(
    reader: ReaderDep,
    nuts_id: Annotated[str, Path(pattern=NUTS_ID, description="NUTS id, e.g. DK05.")],
) -> RegionDetail:
    return get_region(reader, nuts_id)


@router.get(
    "/{nuts_id}/members",
    response_model=Page[RankedLink],
    summary="What is located in a region or below it, busiest first",
)
def members(
    reader: ReaderDep,
    page: PaginationDep,
    nuts_id: Annotated[str, Path(pattern=NUTS_ID, description="NUTS id, e.g. DK05.")],
    kind: Annotated[
        MemberKind,
        Query(
            description="organisations, hubs, clusters (by their ties) or projects (by "
            "their participants located there)."
        ),
    ] = "organisations",
) -> Page[RankedLink]:
    return region_members(reader, nuts_id, kind, limit=page.limit, offset=page.offset)
