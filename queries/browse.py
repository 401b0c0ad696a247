"""Look-ups behind the HTTP API and the explorer: lists with filters and pagination, one thing
by its key, search by name through the full-text index ``entity_names``. Every statement is in
``queries/cypher/browse.py``; each look-up runs through the one ``Reader``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, LiteralString

from graph.codes import fold_name
from graph.errors import BadInput, NotFound
from graph.schema import FULLTEXT_INDEX, FULLTEXT_STOP_WORDS, NODE_KEYS, NodeLabel
from queries import cypher
from queries.cypher.browse import (
    CLUSTER_DETAIL,
    CLUSTERS_PAGE,
    DOMAIN_DETAIL,
    DOMAINS_PAGE,
    HEALTH,
    HUB_DETAIL,
    HUBS_PAGE,
    ORGANISATION_DETAIL,
    ORGANISATIONS_PAGE,
    ORGANISATIONS_SEARCH,
    REGION_DETAIL,
    REGION_MEMBERS,
    REGION_PROJECTS,
    REGIONS_PAGE,
    SEARCH,
    SUGGEST,
    suggest_keys_query,
)
from queries.models.browse import (
    ClusterDetail,
    ClusterSummary,
    DomainDetail,
    DomainSummary,
    HubDetail,
    HubSummary,
    Link,
    OrganisationDetail,
    OrganisationSummary,
    Page,
    RankedLink,
    RegionDetail,
    RegionSummary,
    SearchHit,
)
from queries.runner import Reader

# -- text search ------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def all_words_lucene_query(text: str) -> str | None:
    """A safe full-text query from free text: every word must match, as a word or a prefix.

    Only word characters survive, so Lucene syntax in the input cannot break the query. The
    plain word goes through the index's accent folding; the prefix form is folded here, because
    Lucene does not analyse wildcard terms. Returns None when no word is left.

    >>> all_words_lucene_query("Univ. of Crete")
    '(univ OR univ*) AND (crete OR crete*)'
    """
    words = [w for w in _WORD.findall(text.casefold()) if w not in FULLTEXT_STOP_WORDS]
    if not words:
        return None
    return " AND ".join(f"({w} OR {fold_name(w)}*)" for w in words)


def normalise_text_filter(text: str | None) -> str | None:
    """Case-insensitive substring filter value, or None when empty."""
    if text is None:
        return None
    cleaned = text.strip().casefold()
    return cleaned or None


# -- row -> model -----------------------------------------------------------------------------


def display_name(label: str, props: dict[str, Any]) -> str:
    """The name a person would recognise: name, acronym or title, else the key."""
    for field in ("name", "acronym", "title", "short_name"):
        value = props.get(field)
        if value:
            return str(value)
    try:
        key_field = NODE_KEYS[NodeLabel(label)]
    except ValueError:
        return "?"
    return str(props.get(key_field, "?"))


def category_of(cohesion: dict[str, Any] | None) -> str | None:
    return cohesion.get("category") if cohesion else None


def _summary_fields(row: dict[str, Any]) -> dict[str, Any]:
    """Fields shared by located actors: region, its name, category."""
    region = row.get("_region") or {}
    return {
        "region": region.get("nuts_id"),
        "region_name": region.get("name"),
        "category": category_of(row.get("_cohesion")),
        "country_code": row.get("country_code") or region.get("country_code"),
    }


def _provenance(row: dict[str, Any]) -> dict[str, Any]:
    return {"sources": row.get("sources") or [], "loaded_at": row.get("loaded_at")}


def _links(rows: Iterable[dict[str, Any]] | None) -> list[Link]:
    return [
        Link(label=r["label"], key=str(r["key"]), name=str(r["name"] or r["key"]))
        for r in rows or []
    ]


def _region_summary(row: dict[str, Any]) -> RegionSummary:
    cohesion = row.get("_cohesion") or {}
    return RegionSummary(
        nuts_id=row["nuts_id"],
        name=row.get("name") or row["nuts_id"],
        level=row.get("level"),
        country_code=row.get("country_code"),
        category=cohesion.get("category"),
        category_status=row.get("category_status") or cohesion.get("category_status"),
        outermost=bool(row.get("outermost") or cohesion.get("outermost")),
        parent=row.get("_parent"),
    )


def _organisation_summary(row: dict[str, Any]) -> OrganisationSummary:
    return OrganisationSummary(
        uid=row["uid"],
        name=row.get("name") or row["uid"],
        activity_type=row.get("activity_type"),
        web_domain=row.get("web_domain"),
        **_summary_fields(row),
    )


def _hub_summary(row: dict[str, Any]) -> HubSummary:
    return HubSummary(
        uid=row["uid"],
        name=row.get("name") or row.get("acronym") or row["uid"],
        acronym=row.get("acronym"),
        status=row.get("status"),
        website=row.get("website"),
        **_summary_fields(row),
    )


def _cluster_summary(row: dict[str, Any]) -> ClusterSummary:
    return ClusterSummary(
        uid=row["uid"], name=row.get("name") or row["uid"], **_summary_fields(row)
    )


def _domain_summary(row: dict[str, Any]) -> DomainSummary:
    return DomainSummary(
        code=row["code"],
        name=row.get("name") or row["code"],
        kind=row.get("kind"),
        aliases=row.get("aliases") or [],
        parents=row.get("_parents") or [],
    )


# -- look-ups ---------------------------------------------------------------------------------


def graph_health(reader: Reader) -> tuple[int, int]:
    """(graph version, node count): proves a read transaction goes through."""
    row = reader.first_dict(HEALTH)
    return (int(row["version"]), int(row["nodes"])) if row else (0, 0)


def suggestions(reader: Reader, label: NodeLabel, text: str) -> list[str]:
    """Up to five ``label`` nodes close to ``text``: keys that share all but its last
    character (DK06 -> DK05...), then names that match its words."""
    key_field = NODE_KEYS[label]
    rows: list[dict[str, Any]] = []
    prefix = text.strip()[:-1]
    if len(prefix) >= 2:
        upper = prefix.upper() if label is NodeLabel.REGION else prefix
        rows += reader.dicts(suggest_keys_query(label), prefix=upper)
    lucene = all_words_lucene_query(text)
    if lucene is not None:
        rows += reader.dicts(SUGGEST, index=FULLTEXT_INDEX, lucene=lucene, label=label.value)
    found: list[str] = []
    for row in rows:
        props = row["props"]
        entry = f"{props.get(key_field)} ({display_name(label.value, props)})"
        if entry not in found:
            found.append(entry)
    return found[:5]


def not_found_error(reader: Reader, label: NodeLabel, what: str, key: str) -> NotFound:
    return NotFound(f"no {what} with {NODE_KEYS[label]} '{key}'", suggestions(reader, label, key))


def _page(
    reader: Reader,
    query: LiteralString,
    limit: int,
    offset: int,
    **params: Any,
) -> tuple[int, list[dict[str, Any]]]:
    row = reader.first_dict(query, limit=limit, offset=offset, **params)
    if row is None:
        return 0, []
    return int(row["total"]), list(row["items"])


def list_regions(
    reader: Reader,
    *,
    country: str | None = None,
    level: int | None = None,
    category: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[RegionSummary]:
    """Regions by country (EU-style code), NUTS level, cohesion category and name."""
    total, items = _page(
        reader,
        REGIONS_PAGE,
        limit,
        offset,
        country=country,
        level=level,
        category=category,
        text=normalise_text_filter(text),
    )
    return Page[RegionSummary](
        total=total, limit=limit, offset=offset, items=[_region_summary(r) for r in items]
    )


def get_region(reader: Reader, nuts_id: str) -> RegionDetail:
    key = nuts_id.strip().upper()
    row = reader.first_dict(REGION_DETAIL, key=key)
    if row is None:
        raise not_found_error(reader, NodeLabel.REGION, "region", nuts_id)
    x = row["x"]
    summary = _region_summary(x)
    return RegionDetail(
        **summary.model_dump(),
        **_provenance(x),
        name_latin=x.get("name_latin"),
        nuts_version=x.get("nuts_version"),
        children=_links(x.get("_children")),
        domains=_links(x.get("_domains")),
        organisations=x.get("_organisations") or 0,
        hubs=x.get("_hubs") or 0,
        clusters=x.get("_clusters") or 0,
    )


REGION_MEMBER_KINDS: tuple[str, ...] = (*REGION_MEMBERS, "projects")


def region_members(
    reader: Reader, nuts_id: str, kind: str, limit: int = 20, offset: int = 0
) -> Page[RankedLink]:
    """The organisations, hubs, clusters or projects located in a region or below it, busiest
    first (a project by its participants located there)."""
    if kind not in REGION_MEMBER_KINDS:
        raise BadInput(f"kind must be one of {', '.join(REGION_MEMBER_KINDS)}")
    key = nuts_id.strip().upper()
    if reader.memo_one(cypher.REGION_BY_CODE, code=key) is None:
        raise not_found_error(reader, NodeLabel.REGION, "region", nuts_id)
    query = REGION_PROJECTS if kind == "projects" else REGION_MEMBERS[kind]
    total, items = _page(reader, query, limit, offset, key=key)
    return Page[RankedLink](
        total=total, limit=limit, offset=offset, items=[RankedLink(**i) for i in items]
    )


def list_organisations(
    reader: Reader,
    *,
    text: str | None = None,
    country: str | None = None,
    region: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[OrganisationSummary]:
    """Organisations by name (full-text, best match first), country and region."""
    filters: dict[str, Any] = {"country": country, "region": region}
    lucene = all_words_lucene_query(text) if text else None
    if text and lucene is None:
        return Page[OrganisationSummary](total=0, limit=limit, offset=offset, items=[])
    if lucene is not None:
        total, items = _page(
            reader,
            ORGANISATIONS_SEARCH,
            limit,
            offset,
            index=FULLTEXT_INDEX,
            lucene=lucene,
            **filters,
        )
    else:
        total, items = _page(reader, ORGANISATIONS_PAGE, limit, offset, **filters)
    return Page[OrganisationSummary](
        total=total, limit=limit, offset=offset, items=[_organisation_summary(r) for r in items]
    )


def get_organisation(reader: Reader, uid: str) -> OrganisationDetail:
    row = reader.first_dict(ORGANISATION_DETAIL, key=uid)
    if row is None:
        raise not_found_error(reader, NodeLabel.ORGANISATION, "organisation", uid)
    x = row["x"]
    return OrganisationDetail(
        **_organisation_summary(x).model_dump(),
        **_provenance(x),
        pic=_str_or_none(x.get("pic")),
        vat=_str_or_none(x.get("vat")),
        nuts_from=x.get("nuts_from"),
        source_ids=x.get("source_ids") or [],
        aliases=x.get("aliases") or [],
        projects=x.get("_projects") or 0,
        hubs=_links(x.get("_hubs")),
        consortia=_links(x.get("_consortia")),
        clusters=_links(x.get("_clusters")),
    )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def list_hubs(
    reader: Reader,
    *,
    text: str | None = None,
    country: str | None = None,
    region: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[HubSummary]:
    total, items = _page(
        reader,
        HUBS_PAGE,
        limit,
        offset,
        text=normalise_text_filter(text),
        country=country,
        region=region,
        status=status,
    )
    return Page[HubSummary](
        total=total, limit=limit, offset=offset, items=[_hub_summary(r) for r in items]
    )


def get_hub(reader: Reader, uid: str) -> HubDetail:
    row = reader.first_dict(HUB_DETAIL, key=uid)
    if row is None:
        raise not_found_error(reader, NodeLabel.HUB, "hub", uid)
    x = row["x"]
    return HubDetail(
        **_hub_summary(x).model_dump(),
        **_provenance(x),
        domains=_links(x.get("_domains")),
        partners=_links(x.get("_partners")),
        run_by=_links(x.get("_run_by")),
        networks=x.get("_networks") or [],
    )


def list_clusters(
    reader: Reader,
    *,
    text: str | None = None,
    country: str | None = None,
    region: str | None = None,
    domain: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[ClusterSummary]:
    total, items = _page(
        reader,
        CLUSTERS_PAGE,
        limit,
        offset,
        text=normalise_text_filter(text),
        country=country,
        region=region,
        domain=domain,
    )
    return Page[ClusterSummary](
        total=total, limit=limit, offset=offset, items=[_cluster_summary(r) for r in items]
    )


_CLUSTER_SHOWN = frozenset(
    {"uid", "name", "country_code", "sources", "loaded_at", "source_ids", "aliases"}
)


def get_cluster(reader: Reader, uid: str) -> ClusterDetail:
    row = reader.first_dict(CLUSTER_DETAIL, key=uid)
    if row is None:
        raise not_found_error(reader, NodeLabel.CLUSTER, "cluster", uid)
    x = row["x"]
    extra = {k: v for k, v in x.items() if not k.startswith("_") and k not in _CLUSTER_SHOWN}
    return ClusterDetail(
        **_cluster_summary(x).model_dump(),
        **_provenance(x),
        domains=_links(x.get("_domains")),
        partnerships=_links(x.get("_partnerships")),
        properties=extra,
    )


def list_domains(
    reader: Reader,
    *,
    kind: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[DomainSummary]:
    total, items = _page(
        reader, DOMAINS_PAGE, limit, offset, kind=kind, text=normalise_text_filter(text)
    )
    return Page[DomainSummary](
        total=total, limit=limit, offset=offset, items=[_domain_summary(r) for r in items]
    )


def get_domain(reader: Reader, code: str) -> DomainDetail:
    key = code.strip().lower()
    row = reader.first_dict(DOMAIN_DETAIL, key=key)
    if row is None:
        raise not_found_error(reader, NodeLabel.DOMAIN, "domain", code)
    x = row["x"]
    return DomainDetail(
        **_domain_summary(x).model_dump(),
        **_provenance(x),
        subdomains=_links(x.get("_subdomains")),
        regions=x.get("_regions") or 0,
        projects=x.get("_projects") or 0,
        hubs=x.get("_hubs") or 0,
        clusters=x.get("_clusters") or 0,
    )


def _hit_detail(label: str, props: dict[str, Any]) -> str:
    parts = []
    if label == NodeLabel.REGION.value:
        parts.append(f"NUTS {props.get('level')}")
    for field in ("country_code", "kind", "status"):
        if props.get(field):
            parts.append(str(props[field]))
    return ", ".join(parts)


def search(
    reader: Reader, text: str, *, label: NodeLabel | None = None, limit: int = 20
) -> list[SearchHit]:
    """Anything with a name, best match first (full-text index, accent-insensitive)."""
    lucene = all_words_lucene_query(text)
    if lucene is None:
        return []
    rows = reader.dicts(
        SEARCH,
        index=FULLTEXT_INDEX,
        lucene=lucene,
        label=label.value if label else None,
        limit=limit,
    )
    hits = []
    for row in rows:
        node_label = primary_label(row["labels"])
        if node_label is None:
            continue
        props = row["props"]
        hits.append(
            SearchHit(
                label=node_label.value,
                key=str(props.get(NODE_KEYS[node_label])),
                name=display_name(node_label.value, props),
                detail=_hit_detail(node_label.value, props),
                score=float(row["score"]),
            )
        )
    return hits


def primary_label(labels: Sequence[str]) -> NodeLabel | None:
    """The schema label of a node (the first one the schema knows)."""
    for label in labels:
        try:
            return NodeLabel(label)
        except ValueError:
            continue
    return None
