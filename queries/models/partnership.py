"""Result models of the partnership-intelligence queries.

Every result carries an ``explanation`` a person can read: what was asked, what the graph could
answer, and why the answer is ordered as it is. The HTTP API returns these models as they are.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

EntityKind = Literal[
    "region",
    "country",
    "organisation",
    "domain",
    "hub",
    "cluster",
    "project",
    "consortium",
    "partnership",
]
Category = Literal["more developed", "transition", "less developed"]
DomainBasis = Literal["declared", "revealed", "none"]
Status = Literal["ok", "ambiguous"]


# -- input resolution ---------------------------------------------------------------------------


class Entity(BaseModel):
    """A thing the user named, as found in the graph."""

    kind: EntityKind
    key: str = Field(description="Natural key: uid, NUTS id, country code or domain code.")
    name: str
    detail: str = Field(default="", description="What tells candidates apart (level, country).")


class Ambiguity(BaseModel):
    """Input that matches several things equally well: the user picks one of ``candidates``."""

    input: str
    role: str = Field(description="Which argument was ambiguous, e.g. 'from' or 'x'.")
    candidates: list[Entity]
    explanation: str


class Resolution(BaseModel):
    """The outcome of resolving one piece of input: one entity, or candidates to choose from."""

    input: str
    entity: Entity | None = None
    candidates: list[Entity] = Field(default_factory=list)
    explanation: str = ""

    @property
    def ambiguous(self) -> bool:
        return self.entity is None


# -- paths --------------------------------------------------------------------------------------


class RegionRef(BaseModel):
    nuts_id: str
    name: str
    level: int
    country_code: str
    category: Category | None = Field(
        default=None, description="Cohesion category of the NUTS 2 region (inherited by NUTS 3)."
    )
    outermost: bool = False
    category_status: str | None = None


def category_text(ref: RegionRef | None) -> str:
    """'less developed', 'transition, outermost', or why there is no category."""
    if ref is None:
        return "region unknown"
    if ref.category:
        return ref.category + (", outermost" if ref.outermost else "")
    return ref.category_status or "no category"


class PathNode(BaseModel):
    label: str = Field(description="Node label, e.g. Organisation, Project, Hub.")
    key: str
    name: str
    region: str | None = Field(default=None, description="NUTS id the node is located in.")
    country_code: str | None = None
    detail: str = ""
    activity_type: str | None = Field(
        default=None, description="Organisations: HES, REC, PRC, PUB or OTH (CORDIS)."
    )
    networks: list[str] = Field(default_factory=list, description="EEN, EDIH, ... it belongs to.")


class PathRel(BaseModel):
    """A relationship of a path, between ``nodes[start]`` and ``nodes[end]`` of that path."""

    type: str
    start: int
    end: int
    forward: bool = Field(description="True when stored in the direction start -> end.")
    role: str | None = None


class TieStrength(BaseModel):
    """How strong the tie through one connecting node is, and why."""

    via: PathNode
    kind: str = Field(description="project | hub | partnership | cluster | consortium | other")
    strength: float
    reason: str


class ThematicFit(BaseModel):
    """Shared domains of the two end regions of a path."""

    basis: DomainBasis
    shared_domains: list[str] = Field(default_factory=list)
    factor: float = 1.0
    reason: str = ""


class ScoreParts(BaseModel):
    ties: list[TieStrength]
    length_factor: float
    fit: ThematicFit
    domain_match: bool | None = Field(
        default=None, description="With a domain asked: does the path or end region carry it."
    )


class Path(BaseModel):
    nodes: list[PathNode]
    relationships: list[PathRel]
    hops: int
    start_region: RegionRef | None
    end_region: RegionRef | None
    score: float
    score_parts: ScoreParts
    explanation: str


class Target(BaseModel):
    """Where the paths should end."""

    category: Category | None = None
    outermost: bool = False
    region: Entity | None = None
    country: Entity | None = None
    description: str


class PathsResult(BaseModel):
    status: Status = "ok"
    ambiguities: list[Ambiguity] = Field(default_factory=list)
    start: Entity | None = None
    target: Target | None = None
    domain: Entity | None = None
    k: int
    max_hops: int
    paths: list[Path] = Field(default_factory=list)
    candidates_considered: int = 0
    explanation: str


# -- connect ------------------------------------------------------------------------------------


class Broker(BaseModel):
    """An intermediary (organisation, hub, project, cluster, partnership, consortium) on routes
    from ``us`` to X."""

    node: PathNode
    rank: int
    score: float
    routes: int = Field(description="Distinct routes from us to X that run through this node.")
    networks: list[str] = Field(description="Networks the broker belongs to (EEN, EDIH, ...).")
    paths: list[Path] = Field(description="The best routes through it: the why.")
    explanation: str


class ConnectResult(BaseModel):
    status: Status = "ok"
    ambiguities: list[Ambiguity] = Field(default_factory=list)
    us: Entity | None = None
    x: Entity | None = None
    brokers: list[Broker] = Field(default_factory=list)
    routes_found: int = 0
    routes_by_network: dict[str, int] = Field(
        default_factory=dict,
        description="Routes found per network of their ties (Horizon 2020, Interreg, EDIH, ...); "
        "a route through two networks counts in both.",
    )
    explanation: str


# -- brokerage analytics ------------------------------------------------------------------------


class BrokerScore(BaseModel):
    node: PathNode
    region: RegionRef | None
    betweenness: float = Field(description="Betweenness between developed and less developed.")
    constraint: float | None = Field(
        default=None, description="Burt's constraint (low = spans structural holes)."
    )
    degree: int
    networks: list[str]
    explanation: str


class Community(BaseModel):
    id: int
    size: int
    members: list[PathNode] = Field(description="Its best-connected members (at most 10).")
    countries: list[str]
    categories: dict[str, int]
    explanation: str


class BrokerageResult(BaseModel):
    status: Status = "ok"
    ambiguities: list[Ambiguity] = Field(default_factory=list)
    graph_version: int
    domain: Entity | None = None
    organisations: int
    ties: int
    brokers: list[BrokerScore]
    communities: list[Community]
    cached: bool
    explanation: str


# -- overlap ------------------------------------------------------------------------------------


class RegionDomains(BaseModel):
    region: RegionRef
    basis: DomainBasis
    domains: list[str]


class OverlapCell(BaseModel):
    a: str
    b: str
    shared: list[str]
    only_a: list[str] = Field(description="Domains a brings that b lacks (complementary).")
    only_b: list[str] = Field(description="Domains b brings that a lacks (complementary).")
    jaccard: float


class OverlapResult(BaseModel):
    status: Status = "ok"
    ambiguities: list[Ambiguity] = Field(default_factory=list)
    regions: list[RegionDomains] = Field(default_factory=list)
    cells: list[OverlapCell] = Field(default_factory=list)
    explanation: str


class PartnerFit(BaseModel):
    region: RegionRef
    basis: DomainBasis
    shared: list[str]
    complementary: list[str] = Field(description="Domains the partner brings that we lack.")
    fit: float
    explanation: str


class PartnerRanking(BaseModel):
    status: Status = "ok"
    ambiguities: list[Ambiguity] = Field(default_factory=list)
    region: RegionDomains | None = None
    partners: list[PartnerFit] = Field(default_factory=list)
    explanation: str


# -- consortium ---------------------------------------------------------------------------------


class CallRules(BaseModel):
    """Eligibility rules of one call, read from ``data/calls/<id>.toml``."""

    id: str
    title: str
    source: str = ""
    min_partners: int
    min_regions: int = Field(description="Distinct NUTS 2 regions among the partners.")
    min_countries: int = Field(description="Distinct eligible countries among the partners.")
    eligible_countries: list[str] = Field(
        description="EU-style codes: the EU member states (when the call says so) + associated."
    )
    associated_countries: list[str] = Field(default_factory=list)
    coordinator_categories: list[str] = Field(
        description="Categories the coordinator's region must have ('outermost' allowed)."
    )
    coordinator_activity_types: list[str] = Field(
        default_factory=list, description="Allowed activity types; empty = any."
    )
    require_partner_categories: list[str] = Field(
        default_factory=list,
        description="At least one partner in a region of one of these ('outermost' allowed).",
    )


class RuleCheck(BaseModel):
    rule: str
    passed: bool
    detail: str


class ConsortiumMember(BaseModel):
    organisation: PathNode
    role: Literal["coordinator", "partner"]
    region: RegionRef | None
    activity_type: str | None
    why: str


class ConsortiumProposal(BaseModel):
    rank: int
    score: float
    members: list[ConsortiumMember]
    checks: list[RuleCheck]
    links: list[Path] = Field(description="Paths linking the members to the seed.")
    explanation: str


class ConsortiumResult(BaseModel):
    status: Status = "ok"
    ambiguities: list[Ambiguity] = Field(default_factory=list)
    call: CallRules
    domain: Entity | None = None
    seed: Entity | None = None
    partner_regions: list[Entity] = Field(
        default_factory=list, description="The regions the other members were drawn from."
    )
    feasible: bool
    proposals: list[ConsortiumProposal] = Field(default_factory=list)
    blocking: list[RuleCheck] = Field(
        default_factory=list, description="When infeasible: the rules that cannot be met, why."
    )
    explanation: str
