"""``/hubs``: European Digital Innovation Hubs by name, country, region and status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import PaginationDep, ReaderDep, country_filter, region_filter
from queries.browse import get_hub, list_hubs
from queries.models import HubDetail, HubSummary, Page

router = APIRouter(prefix="/hubs", tags=["look-ups"])


@router.get("", response_model=Page[HubSummary], summary="List and filter hubs")
def hubs(
    reader: ReaderDep,
    page: PaginationDep,
    q: Annotated[str | None, Query(max_length=200, description="Part of name/acronym.")] = None,
    country: Annotated[str | None, Query(max_length=60, description="EU or ISO code.")] = None,
    region: Annotated[str | None, Query(max_length=5, description="NUTS id.")] = None,
    status: Annotated[
        str | None, Query(max_length=60, description="e.g. EDIH, Seal of Excellence.")
    ] = None,
) -> Page[HubSummary]:
    return list_hubs(
        reader,
        text=q,
        country=country_filter(country),
        region=region_filter(region),
        status=status,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{uid}", response_model=HubDetail, summary="One hub by uid")
def hub(
    reader: ReaderDep, uid: Annotated[str, Path(max_length=300, description="e.g. edih:161")]
) -> HubDetail:
    return get_hub(reader, uid)
