"""``/clusters``: clusters of the European Cluster Collaboration Platform."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import PaginationDep, ReaderDep, country_filter, region_filter
from queries.browse import get_cluster, list_clusters
from queries.models import ClusterDetail, ClusterSummary, Page

router = APIRouter(prefix="/clusters", tags=["look-ups"])


@router.get("", response_model=Page[ClusterSummary], summary="List and filter clusters")
def clusters(
    reader: ReaderDep,
    page: PaginationDep,
    q: Annotated[str | None, Query(max_length=200, description="Part of name/acronym.")] = None,
    country: Annotated[str | None, Query(max_length=60, description="EU or ISO code.")] = None,
    region: Annotated[str | None, Query(max_length=5, description="NUTS id.")] = None,
    domain: Annotated[
        str | None, Query(max_length=80, description="Domain code, e.g. tourism.")
    ] = None,
) -> Page[ClusterSummary]:
    return list_clusters(
        reader,
        text=q,
        country=country_filter(country),
        region=region_filter(region),
        domain=domain.strip().lower() if domain else None,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{uid}", response_model=ClusterDetail, summary="One cluster by uid")
def cluster(
    reader: ReaderDep, uid: Annotated[str, Path(max_length=300, description="e.g. eccp:slug")]
) -> ClusterDetail:
    return get_cluster(reader, uid)
