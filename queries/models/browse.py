"""Models of the browsing answers: lists, details, search hits and drawn subgraphs (the
HTTP API's and the explorer's look-ups)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset``, and how many match in all."""

    total: int
    limit: int
    offset: int
    items: list[T]


class Link(BaseModel):
    """A reference to another node, enough to show it and to link to its page."""

    label: str
    key: str
    name: str


class RankedLink(Link):
    """A node with how many ties it has (for a project in a region: its participants there)."""

    ties: int


class Provenance(BaseModel):
    sources: list[str] = Field(default_factory=list, description="Sources that stated it.")
    loaded_at: datetime | None = Field(default=None, description="When it was last loaded.")


class RegionSummary(BaseModel):
    nuts_id: str
    name: str
    level: int | None = None
    country_code: str | None = None
    category: str | None = Field(
        default=None,
        description="Cohesion category of the NUTS 2 region (NUTS 3 inherit their parent's).",
    )
    category_status: str | None = None
    outermost: bool = False
    parent: str | None = None


class RegionDetail(Provenance, RegionSummary):
    name_latin: str | None = None
    nuts_version: str | None = None
    children: list[Link] = Field(default_factory=list)
    domains: list[Link] = Field(default_factory=list, description="Domains of its S3 priorities.")
    organisations: int = Field(0, description="Organisations located in it or below it.")
    hubs: int = 0
    clusters: int = 0


class OrganisationSummary(BaseModel):
    uid: str
    name: str
    country_code: str | None = None
    region: str | None = Field(default=None, description="NUTS id it is located in.")
    region_name: str | None = None
    category: str | None = None
    activity_type: str | None = None
    web_domain: str | None = None


class OrganisationDetail(Provenance, OrganisationSummary):
    pic: str | None = None
    vat: str | None = None
    nuts_from: str | None = None
    source_ids: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    projects: int = 0
    hubs: list[Link] = Field(default_factory=list)
    consortia: list[Link] = Field(default_factory=list)
    clusters: list[Link] = Field(default_factory=list)


class HubSummary(BaseModel):
    uid: str
    name: str
    acronym: str | None = None
    status: str | None = None
    website: str | None = None
    country_code: str | None = None
    region: str | None = None
    region_name: str | None = None
    category: str | None = None


class HubDetail(Provenance, HubSummary):
    domains: list[Link] = Field(default_factory=list, description="Domains the hub offers.")
    partners: list[Link] = Field(default_factory=list)
    run_by: list[Link] = Field(default_factory=list)
    networks: list[str] = Field(default_factory=list)


class ClusterSummary(BaseModel):
    uid: str
    name: str
    country_code: str | None = None
    region: str | None = None
    region_name: str | None = None
    category: str | None = None


class ClusterDetail(Provenance, ClusterSummary):
    domains: list[Link] = Field(default_factory=list)
    partnerships: list[Link] = Field(default_factory=list)
    properties: dict[str, Any] = Field(
        default_factory=dict, description="Further facts the source gives (size figures...)."
    )


class DomainSummary(BaseModel):
    code: str
    name: str
    kind: str | None = None
    aliases: list[str] = Field(default_factory=list)
    parents: list[str] = Field(default_factory=list)


class DomainDetail(Provenance, DomainSummary):
    subdomains: list[Link] = Field(default_factory=list)
    regions: int = Field(0, description="Regions with an S3 priority in this domain.")
    projects: int = 0
    hubs: int = 0
    clusters: int = 0


class SearchHit(BaseModel):
    label: str
    key: str
    name: str
    detail: str = ""
    score: float


class GraphNode(BaseModel):
    """A node of a drawn subgraph, with what a hover needs: details and provenance."""

    id: str
    label: str
    key: str
    name: str
    category: str | None = None
    category_status: str | None = None
    outermost: bool = False
    region: str | None = None
    country_code: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)
    loaded_at: datetime | None = None


class GraphEdge(BaseModel):
    source: str
    target: str
    type: str
    properties: dict[str, Any] = Field(default_factory=dict)
    sources: list[str] = Field(default_factory=list)
    loaded_at: datetime | None = None


class Facet(BaseModel):
    """How many neighbours of one label are reached over one relationship type."""

    type: str
    label: str
    count: int


class Neighbourhood(BaseModel):
    centre: GraphNode
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    total: int = Field(description="All neighbours of the centre.")
    matching: int = Field(description="Neighbours that pass the filters.")
    shown: int = Field(description="Neighbours drawn (at most the limit).")
    facets: list[Facet]
