"""Gathering a workshop's facts from the graph: resolve the inputs, then run the query layer's
analytics (overlap, paths, connect, brokerage, consortium) for the home region, the partner
regions and the domains, and say what the data does not cover.

Analytics that fail on this graph (a source not loaded, a call without rules) do not stop the
pack: the section says what failed. Unknown or ambiguous input does stop it, with close matches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from neo4j import Driver
from pydantic import BaseModel, Field

from graph.errors import NotFound, S3GraphError
from graph.settings import Settings
from queries.brokerage import brokerage
from queries.connect import connect
from queries.consortium import available_calls, consortium, load_call
from queries.models import (
    BrokerageResult,
    CallRules,
    ConnectResult,
    ConsortiumResult,
    Entity,
    EntityKind,
    OverlapResult,
    PathNode,
    PathsResult,
)
from queries.models import (
    Path as GraphPath,
)
from queries.networks import count_by_network, route_networks
from queries.overlap import overlap
from queries.paths import paths
from queries.regions import level2_categories
from queries.resolve import resolve
from queries.runner import Reader
from workshop import profiles
from workshop.profiles import (
    GraphInfo,
    PartnerRegionProfile,
    RegionActors,
    S3PriorityRow,
    SourceInGraph,
)
from workshop.provenance import SnapshotNote, snapshot_notes

Progress = Callable[[str], None]

PATH_TARGET_CATEGORIES = ("less developed", "transition")
DEFAULT_CALL = "i3-strand1"
# Node labels whose absence from the graph leaves a visible hole in a workshop.
EXPECTED_LABELS: dict[str, str] = {
    "Region": "regions (NUTS)",
    "S3Priority": "S3 priorities",
    "Organisation": "organisations",
    "Project": "EU projects (CORDIS)",
    "Hub": "digital innovation hubs (EDIH)",
    "Cluster": "cluster organisations (ECCP)",
    "Partnership": "cluster partnerships (ECCP)",
    "Consortium": "Enterprise Europe Network consortia",
}


class WorkshopRequest(BaseModel):
    """What the facilitator asked for, as typed."""

    home: str
    partners: list[str]
    domains: list[str]
    call: str | None = None
    seed: str | None = None
    k: int = Field(default=3, ge=1, le=10)
    max_hops: int = Field(default=4, ge=1, le=6)
    brokerage: bool = Field(
        default=False, description="Also rank the whole graph's bridging organisations per domain."
    )
    workers: int = Field(default=2, ge=1, le=8, description="Analyses run at the same time.")


class PartnerRegion(BaseModel):
    input: str
    profile: PartnerRegionProfile
    map_id: str = Field(description="The NUTS 2 region drawn on the map for it.")

    @property
    def path_target(self) -> bool:
        """Paths are sought to the less developed and transition partners (and outermost)."""
        return self.profile.category in PATH_TARGET_CATEGORIES or self.profile.outermost


class DomainPaths(BaseModel):
    domain: Entity
    partner: str
    result: PathsResult | None = None
    error: str | None = None

    @property
    def found(self) -> list[GraphPath]:
        return self.result.paths if self.result else []


class BrokerRow(BaseModel):
    """An intermediary on the routes from home to one or more partner regions."""

    node: PathNode
    partners: list[str]
    routes: int
    score: float
    networks: list[str]
    explanation: str
    paths: list[GraphPath]


class ConsortiumRun(BaseModel):
    domain: Entity
    result: ConsortiumResult | None = None
    error: str | None = None


class Gap(BaseModel):
    area: str
    text: str


class WorkshopData(BaseModel):
    request: WorkshopRequest
    generated_at: datetime
    graph: GraphInfo
    home_entity: Entity
    home: PartnerRegionProfile
    home_map_id: str
    partners: list[PartnerRegion]
    domains: list[Entity]
    actors: dict[str, RegionActors]
    priorities: dict[str, list[S3PriorityRow]]
    background_categories: dict[str, str | None]
    overlap: OverlapResult | None = None
    overlap_error: str | None = None
    paths: list[DomainPaths] = Field(default_factory=list)
    connect: dict[str, ConnectResult] = Field(default_factory=dict)
    connect_errors: dict[str, str] = Field(default_factory=dict)
    brokers: list[BrokerRow] = Field(default_factory=list)
    brokerage: dict[str, BrokerageResult] = Field(default_factory=dict)
    brokerage_errors: dict[str, str] = Field(default_factory=dict)
    call: CallRules | None = None
    call_error: str | None = None
    seed: Entity | None = None
    consortia: list[ConsortiumRun] = Field(default_factory=list)
    sources: list[SourceInGraph] = Field(default_factory=list)
    label_counts: dict[str, int] = Field(default_factory=dict)
    snapshots: list[SnapshotNote] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)

    @property
    def region_ids(self) -> list[str]:
        """Home first, then partners, as NUTS 2 codes."""
        return [self.home.nuts_id, *(p.profile.nuts_id for p in self.partners)]

    def region_name(self, nuts_id: str) -> str:
        for profile in (self.home, *(p.profile for p in self.partners)):
            if profile.nuts_id == nuts_id:
                return profile.name
        return nuts_id

    def paths_for(self, domain_key: str) -> list[DomainPaths]:
        return [p for p in self.paths if p.domain.key == domain_key]

    def routes_to(self, partner: str) -> int:
        """How many routes back the proposed link home -> partner (connect's count, else the
        number of domain paths found)."""
        result = self.connect.get(partner)
        if result is not None and result.routes_found:
            return result.routes_found
        return sum(len(p.found) for p in self.paths if p.partner == partner)

    def routes_by_network(self, partner: str) -> dict[str, int]:
        """The same routes per network of their ties (Horizon 2020, Interreg, ...), counted as
        ``routes_to`` counts them; a route through two networks counts in both."""
        result = self.connect.get(partner)
        if result is not None and result.routes_found:
            return result.routes_by_network
        return count_by_network(
            route_networks([n.label for n in path.nodes], [n.key for n in path.nodes])
            for p in self.paths
            if p.partner == partner
            for path in p.found
        )


def _describe(entity: Entity) -> str:
    return f"{entity.key} {entity.name}" + (f" ({entity.detail})" if entity.detail else "")


def _resolve_all(
    driver: Driver,
    items: Sequence[tuple[str, Sequence[EntityKind], str]],
    database: str | None,
) -> list[Entity]:
    """Resolves every input and reports every unknown or ambiguous one in one error, so the
    facilitator fixes the command once."""
    found: list[Entity] = []
    problems: list[str] = []
    suggestions: list[str] = []
    for text, kinds, role in items:
        try:
            resolution = resolve(driver, text, kinds, role=role, database=database)
        except NotFound as exc:
            problems.append(f"{role} '{text}': {exc}")
            suggestions.extend(exc.suggestions)
            continue
        if resolution.entity is None:
            options = [_describe(c) for c in resolution.candidates]
            problems.append(f"{role} '{text}' is ambiguous ({len(options)} matches)")
            suggestions.extend(options)
            continue
        found.append(resolution.entity)
    if problems:
        raise NotFound("; ".join(problems), suggestions=list(dict.fromkeys(suggestions)))
    return found


def _nuts2_for(
    driver: Driver, role: str, text: str, profile: PartnerRegionProfile, database: str | None
) -> str:
    """The NUTS 2 region a workshop region stands for: itself, its parent (NUTS 3), or its only
    NUTS 2 region (a country or NUTS 1 region with one, such as Cyprus)."""
    if profile.level == 2:
        return profile.nuts_id
    if profile.level == 3 and profile.parent_id:
        return profile.parent_id
    children = profiles.nuts2_children(driver, profile.nuts_id, database)
    if len(children) == 1:
        return children[0].split(" ", 1)[0]
    raise NotFound(
        f"{role} '{text}' is {profile.nuts_id} {profile.name} (NUTS {profile.level}); "
        "a workshop needs NUTS 2 regions",
        suggestions=children[:12],
    )


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if not isinstance(exc, S3GraphError) else str(exc)


def gather(
    driver: Driver,
    settings: Settings,
    request: WorkshopRequest,
    progress: Progress | None = None,
) -> WorkshopData:
    """Everything the report, map, views and exports show, from one graph read."""
    say = progress or (lambda _: None)
    db = settings.neo4j_database

    say("Resolving the home region, partner regions and domains")
    inputs: list[tuple[str, Sequence[EntityKind], str]] = [
        (request.home, ("region", "organisation"), "home")
    ]
    inputs += [(p, ("region",), "partner region") for p in request.partners]
    inputs += [(d, ("domain",), "domain") for d in request.domains]
    entities = _resolve_all(driver, inputs, db)
    home_entity = entities[0]
    partner_entities = entities[1 : 1 + len(request.partners)]
    domains = list({e.key: e for e in entities[1 + len(request.partners) :]}.values())

    if home_entity.kind == "organisation":
        home_id = profiles.organisation_region(driver, home_entity.key, db)
        if home_id is None:
            raise NotFound(
                f"home organisation '{home_entity.name}' has no region in the graph; "
                "give its region instead"
            )
    else:
        home_id = home_entity.key
    region_keys = [home_id, *(e.key for e in partner_entities)]
    found = profiles.region_profiles(driver, region_keys, db)
    home = found[home_id]
    home_map_id = _nuts2_for(driver, "home", request.home, home, db)
    partners: list[PartnerRegion] = []
    for text, entity in zip(request.partners, partner_entities, strict=True):
        profile = found[entity.key]
        map_id = _nuts2_for(driver, "partner region", text, profile, db)
        if map_id != profile.nuts_id:
            profile = profiles.region_profiles(driver, [map_id], db)[map_id]
        if map_id == home_map_id or map_id in {p.map_id for p in partners}:
            continue
        partners.append(PartnerRegion(input=text, profile=profile, map_id=map_id))
    if home_map_id != home.nuts_id:
        home = profiles.region_profiles(driver, [home_map_id], db)[home_map_id]
    if not partners:
        raise NotFound("no partner region other than the home region was given")

    ids = [home.nuts_id, *(p.profile.nuts_id for p in partners)]
    say(f"Profiling {len(ids)} regions: category, S3 priorities, organisations")
    data = WorkshopData(
        request=request,
        generated_at=datetime.now(UTC),
        graph=profiles.graph_info(driver, db),
        home_entity=home_entity,
        home=home,
        home_map_id=home_map_id,
        partners=partners,
        domains=domains,
        actors=profiles.region_actors(driver, ids, database=db),
        priorities=profiles.s3_priorities(driver, ids, db),
        background_categories=Reader(driver, db).run(level2_categories),
    )

    say("S3 overlap matrix")
    try:
        data.overlap = overlap(driver, ids, database=db)
    except (S3GraphError, NotImplementedError) as exc:
        data.overlap_error = _error(exc)

    start = home_entity.key
    jobs: list[Job] = []
    for domain in domains:
        for partner in partners:
            if partner.path_target:
                jobs.append(_paths_job(driver, request, data, start, domain, partner, db))
    for partner in partners:
        jobs.append(_connect_job(driver, request, data, start, partner, db))
    if request.brokerage:
        for domain in domains:
            jobs.append(_brokerage_job(driver, data, domain, db))
    jobs.extend(_consortium_jobs(driver, settings, request, data))
    say(f"Running {len(jobs)} analyses ({request.workers} at a time)")
    run_jobs(jobs, request.workers, say)
    order = [p.profile.nuts_id for p in partners]
    data.paths.sort(key=lambda run: (domains.index(run.domain), order.index(run.partner)))
    data.brokers = aggregate_brokers(
        {
            p.profile.nuts_id: data.connect[p.profile.nuts_id]
            for p in partners
            if p.profile.nuts_id in data.connect
        }
    )

    say("Provenance of the sources")
    data.sources = profiles.sources_in_graph(driver, db)
    data.label_counts = profiles.label_counts(driver, db)
    data.snapshots = snapshot_notes(settings.data_dir)
    data.gaps = coverage_gaps(data)
    return data


@dataclass
class Job:
    """One analysis: ``run`` stores its result in the workshop data and returns a summary;
    ``fail`` stores why it could not be computed."""

    label: str
    run: Callable[[], str]
    fail: Callable[[str], None]


def run_jobs(jobs: Sequence[Job], workers: int, say: Progress) -> None:
    """Runs the analyses on a few threads (the driver is thread-safe; Neo4j answers them in
    parallel); a failed analysis is recorded, never raised, so the pack is always written."""

    def guarded(job: Job) -> str:
        try:
            return job.run()
        except (S3GraphError, NotImplementedError) as exc:
            job.fail(_error(exc))
            return "not computed"

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(guarded, job): job for job in jobs}
        for future in as_completed(futures):
            say(f"{futures[future].label}: {future.result()}")


def _paths_job(
    driver: Driver,
    request: WorkshopRequest,
    data: WorkshopData,
    start: str,
    domain: Entity,
    partner: PartnerRegion,
    db: str | None,
) -> Job:
    run = DomainPaths(domain=domain, partner=partner.profile.nuts_id)
    data.paths.append(run)

    def go() -> str:
        run.result = paths(
            driver,
            start,
            to_category=None,
            to=partner.profile.nuts_id,
            domain=domain.key,
            k=request.k,
            max_hops=request.max_hops,
            database=db,
        )
        return f"{len(run.found)} paths"

    def fail(error: str) -> None:
        run.error = error

    label = f"Paths in {domain.name} to {partner.profile.nuts_id} {partner.profile.name}"
    return Job(label, go, fail)


def _connect_job(
    driver: Driver,
    request: WorkshopRequest,
    data: WorkshopData,
    start: str,
    partner: PartnerRegion,
    db: str | None,
) -> Job:
    nuts_id = partner.profile.nuts_id

    def go() -> str:
        result = connect(
            driver, start, nuts_id, kind="region", k=8, max_hops=request.max_hops, database=db
        )
        data.connect[nuts_id] = result
        return f"{len(result.brokers)} brokers, {result.routes_found} routes"

    def fail(error: str) -> None:
        data.connect_errors[nuts_id] = error

    return Job(f"Brokers towards {nuts_id} {partner.profile.name}", go, fail)


def _brokerage_job(driver: Driver, data: WorkshopData, domain: Entity, db: str | None) -> Job:
    def go() -> str:
        result = brokerage(driver, domain=domain.key, top=10, database=db)
        data.brokerage[domain.key] = result
        return f"{len(result.brokers)} bridging organisations"

    def fail(error: str) -> None:
        data.brokerage_errors[domain.key] = error

    return Job(f"Brokerage analytics in {domain.name}", go, fail)


def _consortium_jobs(
    driver: Driver,
    settings: Settings,
    request: WorkshopRequest,
    data: WorkshopData,
) -> list[Job]:
    """Candidate consortia per domain around a seed organisation of the home region; an
    unknown call named by the user stops the pack (with the known calls as suggestions)."""
    db = settings.neo4j_database
    try:
        call_id = request.call
        if call_id is None:
            calls = available_calls(settings.data_dir)
            if not calls:
                data.call_error = "no call rules in data/calls/"
                return []
            call_id = DEFAULT_CALL if DEFAULT_CALL in calls else calls[0]
        data.call = load_call(call_id, settings.data_dir)
    except NotFound:
        if request.call is not None:
            raise
        data.call_error = "the call rules could not be read"
        return []
    except (S3GraphError, NotImplementedError) as exc:
        data.call_error = _error(exc)
        return []

    if request.seed:
        data.seed = _resolve_all(driver, [(request.seed, ("organisation",), "seed")], db)[0]
    elif data.home_entity.kind == "organisation":
        data.seed = data.home_entity
    else:
        data.seed = pick_seed(data.actors[data.home.nuts_id], data.call)
    if data.seed is None:
        data.call_error = (
            f"no organisation of {data.home.nuts_id} {data.home.name} is in the graph to "
            "coordinate a consortium"
        )
        return []
    call, seed = data.call, data.seed
    jobs: list[Job] = []
    for domain in data.domains:
        attempt = ConsortiumRun(domain=domain)
        data.consortia.append(attempt)

        def go(attempt: ConsortiumRun = attempt) -> str:
            attempt.result = consortium(
                driver,
                call.id,
                attempt.domain.key,
                seed.key,
                k=3,
                max_hops=request.max_hops,
                regions=[p.profile.nuts_id for p in data.partners],
                data_dir=settings.data_dir,
                database=db,
            )
            feasible = "feasible" if attempt.result.feasible else "no consortium meets every rule"
            return f"{len(attempt.result.proposals)} proposals ({feasible})"

        def fail(error: str, attempt: ConsortiumRun = attempt) -> None:
            attempt.error = error

        jobs.append(Job(f"Candidate consortia in {domain.name} under {call.id}", go, fail))
    return jobs


def pick_seed(actors: RegionActors, call: CallRules) -> Entity | None:
    """The home region's best-tied organisation that the call lets coordinate (by activity
    type), else its best-tied organisation."""
    ranked = actors.top_organisations
    allowed = set(call.coordinator_activity_types)
    for organisation in ranked:
        if not allowed or organisation.activity_type in allowed:
            chosen = organisation
            break
    else:
        if not ranked:
            return None
        chosen = ranked[0]
    return Entity(
        kind="organisation",
        key=chosen.uid,
        name=chosen.name,
        detail=f"best-tied organisation of {actors.nuts_id}",
    )


def aggregate_brokers(results: dict[str, ConnectResult], top: int = 15) -> list[BrokerRow]:
    """Brokers across all partner regions: one that reaches several partners ranks first."""
    rows: dict[str, BrokerRow] = {}
    for partner, result in results.items():
        for broker in result.brokers:
            row = rows.get(broker.node.key)
            if row is None:
                rows[broker.node.key] = BrokerRow(
                    node=broker.node,
                    partners=[partner],
                    routes=broker.routes,
                    score=broker.score,
                    networks=list(broker.networks),
                    explanation=broker.explanation,
                    paths=list(broker.paths[:2]),
                )
                continue
            if partner not in row.partners:
                row.partners.append(partner)
            row.routes += broker.routes
            row.score = max(row.score, broker.score)
            row.networks = sorted(set(row.networks) | set(broker.networks))
            row.paths.extend(broker.paths[:1])
    ranked = sorted(rows.values(), key=lambda r: (-len(r.partners), -r.routes, -r.score))
    return ranked[:top]


def coverage_gaps(data: WorkshopData) -> list[Gap]:
    """What this workshop's results reveal the graph does not cover."""
    gaps: list[Gap] = []
    for label, what in EXPECTED_LABELS.items():
        if not data.label_counts.get(label):
            gaps.append(
                Gap(
                    area="sources",
                    text=f"No {what} in the graph: that source is not "
                    "loaded or has no usable data.",
                )
            )

    def names(ids: Sequence[str]) -> str:
        return ", ".join(f"{i} {data.region_name(i)}" for i in ids)

    no_priorities = [i for i in data.region_ids if not data.priorities.get(i)]
    if no_priorities:
        gaps.append(
            Gap(
                area="S3 priorities",
                text=f"No S3 priorities in the graph for {names(no_priorities)}: their S3 fit "
                "rests on the domains their organisations work in, where there are any.",
            )
        )
    no_organisations = [
        i for i in data.region_ids if i not in data.actors or data.actors[i].organisations == 0
    ]
    if no_organisations:
        gaps.append(
            Gap(
                area="organisations",
                text=f"No organisation located in {names(no_organisations)}: nobody there "
                "can start or end a path.",
            )
        )
    for partner in data.partners:
        if not partner.path_target:
            gaps.append(
                Gap(
                    area="cohesion category",
                    text=f"{partner.profile.nuts_id} {partner.profile.name} is "
                    f"{partner.profile.category_label}: no partnership paths were sought to it "
                    "(brokers towards it are listed).",
                )
            )
    for domain in data.domains:
        runs = data.paths_for(domain.key)
        for run in runs:
            if run.error:
                gaps.append(
                    Gap(
                        area="paths",
                        text=f"{domain.name} to {run.partner}: not computed ({run.error}).",
                    )
                )
        empty = [run.partner for run in runs if not run.error and not run.found]
        if empty:
            gaps.append(
                Gap(
                    area="paths",
                    text=f"{domain.name}: no path within {data.request.max_hops} hops to "
                    f"{names(empty)}.",
                )
            )
    if data.overlap_error:
        gaps.append(Gap(area="S3 overlap", text=f"not computed ({data.overlap_error})."))
    for partner_id, error in data.connect_errors.items():
        gaps.append(Gap(area="brokers", text=f"towards {partner_id}: not computed ({error})."))
    for domain_key, error in data.brokerage_errors.items():
        gaps.append(Gap(area="brokerage", text=f"{domain_key}: not computed ({error})."))
    if data.call_error:
        gaps.append(Gap(area="consortia", text=f"not proposed: {data.call_error}."))
    for attempt in data.consortia:
        if attempt.error:
            gaps.append(
                Gap(
                    area="consortia", text=f"{attempt.domain.name}: not computed ({attempt.error})."
                )
            )
        elif attempt.result is not None and not attempt.result.feasible:
            blocking = (
                "; ".join(c.detail or c.rule for c in attempt.result.blocking) or "see report"
            )
            gaps.append(
                Gap(
                    area="consortia",
                    text=f"{attempt.domain.name}: no consortium meets "
                    f"every rule of {attempt.result.call.id} ({blocking}).",
                )
            )
    return gaps


def default_out_dir(home: str, when: datetime | None = None) -> Path:
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%d-%H%M")
    safe = "".join(ch if ch.isalnum() else "-" for ch in home).strip("-") or "home"
    return Path(f"workshop-{safe}-{stamp}")
