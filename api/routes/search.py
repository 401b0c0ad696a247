"""``/search``: anything with a name, through the full-text index (accent-insensitive)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ReaderDep
from graph.schema import FULLTEXT_LABELS, NodeLabel
from queries.browse import search
from queries.models import SearchHit

router = APIRouter(tags=["look-ups"])


@router.get("/search", response_model=list[SearchHit], summary="Search names")
def search_names(
    reader: ReaderDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words of a name.")],
    label: Annotated[
        NodeLabel | None,
        Query(description="Only this kind: " + ", ".join(lb.value for lb in FULLTEXT_LABELS)),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[SearchHit]:
    return search(reader, q, label=label, limit=limit)
