"""``/organisations``: search by name (full-text, accent-insensitive), country and region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import PaginationDep, ReaderDep, country_filter, region_filter
from queries.browse import get_organisation, list_organisations
from queries.models import OrganisationDetail, OrganisationSummary, Page

router = APIRouter(prefix="/organisations", tags=["look-ups"])


@router.get("", response_model=Page[OrganisationSummary], summary="Search organisations")
def organisations(
    reader: ReaderDep,
    page: PaginationDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Words of the name (best match first).")
    ] = None,
    country: Annotated[str | None, Query(max_length=60, description="EU or ISO code.")] = None,
    region: Annotated[
        str | None,
        Query(max_length=5, description="NUTS id: located in this region or below it."),
    ] = None,
) -> Page[OrganisationSummary]:
    return list_organisations(
        reader,
        text=q,
        country=country_filter(country),
        region=region_filter(region),
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{uid}", response_model=OrganisationDetail, summary="One organisation by uid")
def organisation(
    reader: ReaderDep,
    uid: Annotated[str, Path(max_length=300, description="e.g. org:pic:999901318")],
) -> OrganisationDetail:
    return get_organisation(reader, uid)
