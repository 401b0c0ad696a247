"""``/domains``: the shared thematic vocabulary (industrial ecosystems and themes)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from api.deps import PaginationDep, ReaderDep
from queries.browse import get_domain, list_domains
from queries.models import DomainDetail, DomainSummary, Page

router = APIRouter(prefix="/domains", tags=["look-ups"])


@router.get("", response_model=Page[DomainSummary], summary="List domains")
def domains(
    reader: ReaderDep,
    page: PaginationDep,
    kind: Annotated[Literal["ecosystem", "theme"] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of name/alias.")] = None,
) -> Page[DomainSummary]:
    return list_domains(reader, kind=kind, text=q, limit=page.limit, offset=page.offset)


@router.get("/{code}", response_model=DomainDetail, summary="One domain by code")
def domain(
    reader: ReaderDep,
    code: Annotated[str, Path(max_length=80, description="e.g. tourism, green-hydrogen")],
) -> DomainDetail:
    return get_domain(reader, code)
