"""I3 consortium candidates under a call's eligibility rules kept as data (data/calls/*.toml).

The candidate pool is every organisation located in an eligible country that the seed reaches
within ``max_hops`` through the domain (a project, hub or cluster in the domain or a subdomain on
the way, or an end region whose S3 priorities declare it), each with its best path from the seed.
Consortia are built greedily around the seed: first the coordinator (the seed when it qualifies,
else each qualifying candidate in turn), then the best-linked candidates that still let every
rule be met with the places left; later proposals leave out the previous proposal's best partner
so they differ. Each proposal shows every rule check; when none passes, the rules that the
reachable organisations cannot meet are named.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import Driver

from graph.codes import countries
from graph.errors import BadInput, NotFound
from graph.settings import get_settings
from queries import cypher
from queries.bounds import MAX_HOPS
from queries.models import (
    CallRules,
    ConsortiumMember,
    ConsortiumProposal,
    ConsortiumResult,
    Entity,
    PathNode,
    RegionRef,
    RuleCheck,
    category_text,
)
from queries.paths import (
    ROUTE_LIMIT,
    ScoredRoute,
    TargetFilter,
    ambiguities_of,
    check_range,
    domain_filter,
    node_infos,
    present,
    region_ids,
    resolved_entity,
    score_routes,
    search_routes,
)
from queries.regions import RegionProfile, region_profiles
from queries.resolve import resolve_with
from queries.runner import Reader

MAX_PROPOSALS = 20
FILLER_REGIONS = 5  # regions named as where missing partners could come from
CALLS_FOLDER = "calls"


# -- rules --------------------------------------------------------------------------------------


def calls_dir(data_dir: Path | None = None) -> Path:
    return (data_dir or get_settings().data_dir) / CALLS_FOLDER


def available_calls(data_dir: Path | None = None) -> list[str]:
    """Ids of the calls whose rules files exist."""
    folder = calls_dir(data_dir)
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def load_call(call: str, data_dir: Path | None = None) -> CallRules:
    """Reads ``data/calls/<call>.toml``; an unknown call raises NotFound with the known ones."""
    known = available_calls(data_dir)
    if call not in known:
        raise NotFound(f"no rules for the call '{call}' in {calls_dir(data_dir)}", known)
    path = calls_dir(data_dir) / f"{call}.toml"
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return rules_from_toml(data, default_id=call)


def rules_from_toml(data: dict[str, Any], default_id: str) -> CallRules:
    """The rules of one call from its TOML table (the format of ``data/calls/*.toml``)."""
    partners = data.get("partners", {})
    country_rules = data.get("countries", {})
    coordinator = data.get("coordinator", {})
    associated = [str(c).upper() for c in country_rules.get("associated", [])]
    eligible = (
        [c.code for c in countries() if c.eu_member] if country_rules.get("eu_members") else []
    )
    eligible += [str(c).upper() for c in country_rules.get("listed", [])]
    eligible = sorted(set(eligible) | set(associated))
    return CallRules(
        id=str(data.get("id", default_id)),
        title=str(data.get("title", default_id)),
        source=str(data.get("source", "")),
        min_partners=int(partners.get("min", 1)),
        min_regions=int(partners.get("min_regions", 1)),
        min_countries=int(partners.get("min_countries", 1)),
        eligible_countries=eligible,
        associated_countries=associated,
        coordinator_categories=[str(c) for c in coordinator.get("categories", [])],
        coordinator_activity_types=[str(a) for a in coordinator.get("activity_types", [])],
        require_partner_categories=[str(c) for c in partners.get("require_one_in", [])],
    )


# -- members and checks (pure) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberCandidate:
    """An organisation that could join, with what the rules look at."""

    uid: str
    name: str
    country: str | None
    region: RegionRef | None
    region_key: str | None  # NUTS 2 id (or the most precise region known)
    activity_type: str | None
    score: float  # strength of its best path from the seed (1.0 for the seed)
    link: ScoredRoute | None  # that path (None for the seed)

    @property
    def categories(self) -> set[str]:
        found: set[str] = set()
        if self.region and self.region.category:
            found.add(self.region.category)
        if self.region and self.region.outermost:
            found.add("outermost")
        return found


def can_coordinate(candidate: MemberCandidate, rules: CallRules) -> bool:
    in_region = not rules.coordinator_categories or bool(
        candidate.categories & set(rules.coordinator_categories)
    )
    activity_ok = not rules.coordinator_activity_types or (
        candidate.activity_type in rules.coordinator_activity_types
    )
    return in_region and activity_ok


def check_rules(team: Sequence[MemberCandidate], rules: CallRules) -> list[RuleCheck]:
    """Every rule of the call, checked on a team whose first member is the coordinator."""
    coordinator = team[0]
    regions = {c.region_key for c in team if c.region_key}
    team_countries = {c.country for c in team if c.country}
    ineligible = [c.name for c in team if c.country not in rules.eligible_countries]
    checks = [
        RuleCheck(
            rule=f"at least {rules.min_partners} partners",
            passed=len(team) >= rules.min_partners,
            detail=f"{len(team)} partners",
        ),
        RuleCheck(
            rule=f"partners from at least {rules.min_regions} different NUTS 2 regions",
            passed=len(regions) >= rules.min_regions,
            detail=f"{len(regions)} regions: {', '.join(sorted(regions))}",
        ),
        RuleCheck(
            rule=f"in at least {rules.min_countries} eligible countries",
            passed=len(team_countries - set(ineligible)) >= rules.min_countries
            and len(team_countries) >= rules.min_countries,
            detail=f"{len(team_countries)} countries: {', '.join(sorted(team_countries))}",
        ),
        RuleCheck(
            rule="every partner in an eligible country (EU member states"
            + (
                f" + {', '.join(rules.associated_countries)})"
                if rules.associated_countries
                else ")"
            ),
            passed=not ineligible,
            detail="all eligible" if not ineligible else f"not eligible: {', '.join(ineligible)}",
        ),
    ]
    if rules.coordinator_categories:
        checks.append(
            RuleCheck(
                rule="coordinator in a " + " or ".join(rules.coordinator_categories) + " region",
                passed=bool(coordinator.categories & set(rules.coordinator_categories)),
                detail=f"{coordinator.name}: {category_text(coordinator.region)}",
            )
        )
    if rules.coordinator_activity_types:
        checks.append(
            RuleCheck(
                rule="coordinator is a non-profit (activity type "
                + ", ".join(rules.coordinator_activity_types)
                + ")",
                passed=coordinator.activity_type in rules.coordinator_activity_types,
                detail=f"{coordinator.name}: "
                + (coordinator.activity_type or "activity type unknown"),
            )
        )
    if rules.require_partner_categories:
        wanted = set(rules.require_partner_categories)
        hits = [c.name for c in team if c.categories & wanted]
        checks.append(
            RuleCheck(
                rule="at least one partner in a "
                + ", ".join(rules.require_partner_categories)
                + " region",
                passed=bool(hits),
                detail=", ".join(hits) if hits else "none",
            )
        )
    return checks


@dataclass
class _Places:
    """What a team already covers of the places the rules ask for: its NUTS 2 regions, its
    countries, and whether a member is in a required category."""

    regions: set[str]
    countries: set[str]
    wanted: set[str]  # the categories a partner must be in (one of them)
    category_met: bool

    @classmethod
    def of(cls, team: Sequence[MemberCandidate], rules: CallRules) -> _Places:
        wanted = set(rules.require_partner_categories)
        return cls(
            {c.region_key for c in team if c.region_key},
            {c.country for c in team if c.country},
            wanted,
            not wanted or any(c.categories & wanted for c in team),
        )

    def needs(self, rules: CallRules, candidate: MemberCandidate | None = None) -> int:
        """How many more places the rules still need at least (regions, countries,
        categories), with ``candidate`` in the team too: counted without copying the team,
        as the greedy search asks it of every candidate for every place."""
        regions, countries, category_met = len(self.regions), len(self.countries), self.category_met
        if candidate is not None:
            regions += bool(candidate.region_key and candidate.region_key not in self.regions)
            countries += bool(candidate.country and candidate.country not in self.countries)
            category_met = category_met or bool(candidate.categories & self.wanted)
        category = 0 if category_met else 1
        return max(rules.min_regions - regions, rules.min_countries - countries, category, 0)


def build_team(
    coordinator: MemberCandidate,
    seed: MemberCandidate,
    pool: Sequence[MemberCandidate],
    rules: CallRules,
    banned: set[str],
) -> list[MemberCandidate] | None:
    """Greedy: fill the places one by one with the best-linked candidate that keeps every rule
    reachable with the places left, preferring one that meets a rule still open."""
    team = [coordinator] if coordinator.uid == seed.uid else [coordinator, seed]
    size = max(rules.min_partners, rules.min_regions, len(team))
    while len(team) < size:
        left = size - len(team)
        best: tuple[int, float, str] | None = None
        choice: MemberCandidate | None = None
        places = _Places.of(team, rules)
        members = {c.uid for c in team}
        before = places.needs(rules)
        for candidate in pool:
            if candidate.uid in banned or candidate.uid in members:
                continue
            after = places.needs(rules, candidate)
            if after > left - 1:
                continue
            key = (before - after, candidate.score, candidate.name)
            if best is None or key[:2] > best[:2] or (key[:2] == best[:2] and key[2] < best[2]):
                best, choice = key, candidate
        if choice is None:
            return None
        team.append(choice)
    return team


# -- the query ----------------------------------------------------------------------------------


def consortium(
    driver: Driver,
    call: str,
    domain: str,
    seed: str,
    *,
    k: int = 5,
    max_hops: int = 4,
    regions: Sequence[str] | None = None,
    data_dir: Path | None = None,
    database: str | None = None,
    timeout: float | None = None,
) -> ConsortiumResult:
    """Ranked consortia around ``seed`` (an organisation) in ``domain`` that satisfy every rule
    of ``call``; when none can, the rules that cannot be met. With ``regions`` (NUTS codes or
    names), the other members all come from those regions (or below them); when the rules
    cannot be met there, the answer says which regions elsewhere could fill the gap."""
    k = check_range("k", k, 1, MAX_PROPOSALS)
    max_hops = check_range("max_hops", max_hops, 1, MAX_HOPS)
    rules = load_call(call, data_dir)
    if rules.min_partners < 1:
        raise BadInput(f"the rules of {call} ask for no partner")
    chosen = [r.strip() for r in regions or () if r.strip()]
    return Reader(driver, database, timeout).run(
        lambda reader: _consortium(reader, rules, domain, seed, k, max_hops, chosen)
    )


def _consortium(
    reader: Reader,
    rules: CallRules,
    domain: str,
    seed: str,
    k: int,
    max_hops: int,
    chosen: list[str],
) -> ConsortiumResult:
    resolutions = {
        "domain": resolve_with(reader, domain, ["domain"], role="domain"),
        "seed": resolve_with(reader, seed, ["organisation"], role="seed"),
    }
    for i, text in enumerate(chosen):
        resolutions[f"region {i + 1}"] = resolve_with(reader, text, ["region"], role="regions")
    ambiguities = ambiguities_of(resolutions)
    if ambiguities:
        return ConsortiumResult(
            status="ambiguous",
            ambiguities=ambiguities,
            call=rules,
            feasible=False,
            explanation=" ".join(a.explanation for a in ambiguities),
        )
    domain_entity = resolutions["domain"].entity
    seed_entity = resolutions["seed"].entity
    assert domain_entity is not None and seed_entity is not None
    codes, domain_regions = domain_filter(reader, domain_entity)
    record = reader.memo_one(cypher.REGIONS_IN_COUNTRIES, codes=rules.eligible_countries)
    eligible_regions = list(record["ids"]) if record else []
    partner_regions = [
        resolved_entity(r) for key, r in resolutions.items() if key.startswith("region ")
    ]
    if partner_regions:
        inside = {code for region in partner_regions for code in region_ids(reader, region)}
        eligible_regions = [code for code in eligible_regions if code in inside]
    search = search_routes(
        reader,
        [seed_entity.key],
        TargetFilter(regions=eligible_regions),
        codes,
        domain_regions,
        max_hops,
    )
    scored = score_routes(reader, search.routes)
    pool = _pool(reader, scored)
    seed_candidate = _seed(reader, seed_entity)
    result = ConsortiumResult(
        call=rules,
        domain=domain_entity,
        seed=seed_entity,
        partner_regions=partner_regions,
        feasible=False,
        explanation="",
    )
    teams = _teams(seed_candidate, pool, rules, k)
    present(reader, [c.link for team in teams for c in team if c.link is not None])
    proposals = [
        _proposal(rank, team, seed_candidate, rules) for rank, team in enumerate(teams, start=1)
    ]
    result.proposals = proposals
    result.feasible = bool(proposals)
    if not proposals:
        result.blocking = _blocking(seed_candidate, pool, rules, max_hops, domain_entity)
        if partner_regions and result.blocking:
            _name_fillers(reader, result, rules, seed_entity, codes, domain_regions, max_hops)
    result.explanation = _explain(rules, domain_entity, seed_entity, pool, result, max_hops)
    if partner_regions:
        names = ", ".join(f"{r.name} ({r.key})" for r in partner_regions)
        result.explanation += f" Other members are drawn only from {names} and below."
    if search.truncated:
        result.explanation += f" The search stopped at {ROUTE_LIMIT} routes."
    return result


def _name_fillers(
    reader: Reader,
    result: ConsortiumResult,
    rules: CallRules,
    seed: Entity,
    codes: list[str] | None,
    domain_regions: list[str],
    max_hops: int,
) -> None:
    """Adds to each failing rule the regions outside the chosen ones whose organisations the
    seed reaches in the domain: where the missing partners could come from."""
    record = reader.memo_one(cypher.REGIONS_IN_COUNTRIES, codes=rules.eligible_countries)
    search = search_routes(
        reader,
        [seed.key],
        TargetFilter(regions=list(record["ids"]) if record else []),
        codes,
        domain_regions,
        max_hops,
    )
    chosen = {code for region in result.partner_regions for code in region_ids(reader, region)}
    outside = Counter(
        c.region_key
        for c in _pool(reader, score_routes(reader, search.routes))
        if c.region_key and c.region_key not in chosen
    )
    if not outside:
        return
    named = ", ".join(f"{code} ({n})" for code, n in outside.most_common(FILLER_REGIONS))
    for check in result.blocking:
        check.detail += (
            f"; outside the chosen regions the seed reaches organisations in {named} "
            "(organisations per NUTS 2 region), which could fill it"
        )


def _pool(reader: Reader, scored: Sequence[ScoredRoute]) -> list[MemberCandidate]:
    """One candidate per organisation reached, with its best path."""
    best: dict[str, ScoredRoute] = {}
    for item in scored:
        best.setdefault(item.route.uids[-1], item)
    profiles = region_profiles(
        reader, {i.nodes[-1].region for i in best.values() if i.nodes[-1].region}
    )
    pool = []
    for uid, item in best.items():
        end = item.nodes[-1]
        profile = profiles.get(end.region or "")
        pool.append(
            _candidate(
                uid,
                end.name,
                end.extra.get("country_code"),
                profile,
                end.extra.get("activity_type"),
                item.score,
                item,
            )
        )
    pool.sort(key=lambda c: (-c.score, c.name))
    return pool


def _candidate(
    uid: str,
    name: str,
    country: str | None,
    profile: RegionProfile | None,
    activity: str | None,
    score: float,
    link: ScoredRoute | None,
) -> MemberCandidate:
    ref = profile.ref if profile else None
    return MemberCandidate(
        uid=uid,
        name=name,
        country=country or (ref.country_code if ref else None),
        region=ref,
        region_key=(profile.nuts2 or ref.nuts_id) if profile and ref else None,
        activity_type=activity,
        score=score,
        link=link,
    )


def _seed(reader: Reader, seed: Entity) -> MemberCandidate:
    info = node_infos(reader, [seed.key]).get(seed.key)
    region = info.region if info else None
    profile = region_profiles(reader, [region]).get(region) if region else None
    return _candidate(
        seed.key,
        seed.name,
        info.extra.get("country_code") if info else None,
        profile,
        info.extra.get("activity_type") if info else None,
        1.0,
        None,
    )


def _teams(
    seed: MemberCandidate, pool: Sequence[MemberCandidate], rules: CallRules, k: int
) -> list[list[MemberCandidate]]:
    """Up to ``k`` distinct teams that pass every rule, best first."""
    coordinators = ([seed] if can_coordinate(seed, rules) else []) + [
        c for c in pool if can_coordinate(c, rules)
    ]
    teams: list[list[MemberCandidate]] = []
    seen: set[frozenset[str]] = set()
    for coordinator in coordinators:
        banned: set[str] = set()
        for _ in range(k):
            team = build_team(coordinator, seed, pool, rules, banned)
            if team is None:
                break
            members = frozenset(c.uid for c in team)
            if members not in seen and all(check.passed for check in check_rules(team, rules)):
                seen.add(members)
                teams.append(team)
            others = [c for c in team if c.uid not in (seed.uid, coordinator.uid)]
            if not others:
                break
            banned.add(max(others, key=lambda c: (c.score, c.name)).uid)
        if len(teams) >= k * 3:
            break
    return sorted(teams, key=lambda t: (-_team_score(t, seed), [c.name for c in t]))[:k]


def _team_score(team: Sequence[MemberCandidate], seed: MemberCandidate) -> float:
    links = [c.score for c in team if c.uid != seed.uid]
    return sum(links) / len(links) if links else 0.0


def _proposal(
    rank: int, team: Sequence[MemberCandidate], seed: MemberCandidate, rules: CallRules
) -> ConsortiumProposal:
    members = []
    for i, c in enumerate(team):
        role = "coordinator" if i == 0 else "partner"
        why = (
            "the seed organisation"
            if c.uid == seed.uid
            else f"best path from the seed scores {c.score:.3f}"
        )
        if i == 0:
            why += (
                f"; may coordinate ({category_text(c.region)}, activity {c.activity_type or '?'})"
            )
        members.append(
            ConsortiumMember(
                organisation=PathNode(
                    label="Organisation",
                    key=c.uid,
                    name=c.name,
                    region=c.region.nuts_id if c.region else None,
                    country_code=c.country,
                    activity_type=c.activity_type,
                ),
                role=role,
                region=c.region,
                activity_type=c.activity_type,
                why=why,
            )
        )
    score = _team_score(team, seed)
    checks = check_rules(team, rules)
    return ConsortiumProposal(
        rank=rank,
        score=round(score, 4),
        members=members,
        checks=checks,
        links=[c.link.path for c in team if c.link is not None],
        explanation=(
            f"{len(team)} partners in {len({c.region_key for c in team})} regions and "
            f"{len({c.country for c in team})} countries, coordinated by {team[0].name}; all "
            f"{len(checks)} rules of {rules.id} pass. Score {score:.3f} = mean score of the "
            "members' best paths from the seed."
        ),
    )


def _blocking(
    seed: MemberCandidate,
    pool: Sequence[MemberCandidate],
    rules: CallRules,
    max_hops: int,
    domain: Entity,
) -> list[RuleCheck]:
    """The rules that the seed and every organisation it reaches cannot meet, even together."""
    everyone = [seed, *pool]
    eligible = [c for c in everyone if c.country in rules.eligible_countries]
    reach = f"within {max_hops} hops of the seed in {domain.name}"
    blocking = []
    if seed.country not in rules.eligible_countries:
        blocking.append(
            RuleCheck(
                rule="every partner in an eligible country",
                passed=False,
                detail=f"the seed {seed.name} is in {seed.country or 'an unknown country'}",
            )
        )
    if len(eligible) < rules.min_partners:
        blocking.append(
            RuleCheck(
                rule=f"at least {rules.min_partners} partners",
                passed=False,
                detail=f"only {len(eligible)} organisations (seed included) {reach}",
            )
        )
    regions = {c.region_key for c in eligible if c.region_key}
    if len(regions) < rules.min_regions:
        blocking.append(
            RuleCheck(
                rule=f"partners from at least {rules.min_regions} different NUTS 2 regions",
                passed=False,
                detail=f"only {len(regions)} regions {reach}: {', '.join(sorted(regions))}",
            )
        )
    found = {c.country for c in eligible if c.country}
    if len(found) < rules.min_countries:
        blocking.append(
            RuleCheck(
                rule=f"in at least {rules.min_countries} eligible countries",
                passed=False,
                detail=f"only {len(found)} countries {reach}: {', '.join(sorted(found))}",
            )
        )
    if not any(can_coordinate(c, rules) for c in eligible):
        blocking.append(
            RuleCheck(
                rule="a coordinator that the call allows",
                passed=False,
                detail="no organisation "
                + reach
                + " is "
                + " and ".join(
                    part
                    for part in (
                        "in a " + " or ".join(rules.coordinator_categories) + " region"
                        if rules.coordinator_categories
                        else "",
                        "of activity type " + ", ".join(rules.coordinator_activity_types)
                        if rules.coordinator_activity_types
                        else "",
                    )
                    if part
                ),
            )
        )
    wanted = set(rules.require_partner_categories)
    if wanted and not any(c.categories & wanted for c in eligible):
        blocking.append(
            RuleCheck(
                rule="at least one partner in a " + ", ".join(sorted(wanted)) + " region",
                passed=False,
                detail=f"no organisation {reach} is in such a region",
            )
        )
    if not blocking:
        blocking.append(
            RuleCheck(
                rule="all rules at once",
                passed=False,
                detail=(
                    f"each rule can be met by the {len(eligible)} organisations {reach}, but the "
                    "greedy search found no single team meeting them all: try more hops or a "
                    "broader domain"
                ),
            )
        )
    return blocking


def _explain(
    rules: CallRules,
    domain: Entity,
    seed: Entity,
    pool: Sequence[MemberCandidate],
    result: ConsortiumResult,
    max_hops: int,
) -> str:
    text = (
        f"Consortia for {rules.title} ({rules.id}) around {seed.name} in {domain.name}: "
        f"{len(pool)} organisations in eligible countries are reachable within {max_hops} hops "
        "through the domain. "
    )
    if result.proposals:
        return text + (
            f"{len(result.proposals)} proposal(s) meet every rule, ranked by the mean score of "
            "their members' best paths from the seed."
        )
    return (
        text
        + "No consortium meets every rule: "
        + "; ".join(f"{b.rule} ({b.detail})" for b in result.blocking)
        + "."
    )
