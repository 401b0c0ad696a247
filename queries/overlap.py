"""S3 overlap: shared and complementary domains of regions, and partner regions by S3 fit.

A region's domains are its declared S3 priorities (its own, its country's and those of the
regions below it) where any are loaded, else the domains revealed by the projects, hubs and
clusters of its organisations (its five most frequent). Two domains are shared when equal or
when one is a subdomain of the other; the result says which basis each region used.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from neo4j import Driver

from graph.errors import BadInput
from queries import cypher
from queries.models import (
    Entity,
    OverlapCell,
    OverlapResult,
    PartnerFit,
    PartnerRanking,
    Resolution,
)
from queries.paths import ambiguities_of, check_range
from queries.regions import (
    REVEALED_TOP,
    RegionProfile,
    domain_ancestors,
    region_profiles,
)
from queries.resolve import resolve_with
from queries.runner import Reader
from queries.scoring import overlap_fit, overlap_share, shared_domains, unmatched_domains

MAX_REGIONS = 30
MAX_PARTNERS = 400


def overlap(
    driver: Driver,
    regions: Sequence[str],
    *,
    database: str | None = None,
    timeout: float | None = None,
) -> OverlapResult:
    """The matrix of shared and complementary domains of ``regions`` (codes or names)."""
    if not 1 <= len(regions) <= MAX_REGIONS:
        raise BadInput(f"give between 1 and {MAX_REGIONS} regions (got {len(regions)})")
    return Reader(driver, database, timeout).run(lambda reader: _overlap(reader, regions))


def partner_regions(
    driver: Driver,
    region: str,
    *,
    among: Sequence[str] | None = None,
    k: int = 20,
    database: str | None = None,
    timeout: float | None = None,
) -> PartnerRanking:
    """Partner regions ranked by S3 fit with ``region`` (all NUTS 2 regions, or ``among``)."""
    k = check_range("k", k, 1, MAX_PARTNERS)
    if among is not None and len(among) > MAX_PARTNERS:
        raise BadInput(f"among: at most {MAX_PARTNERS} regions")
    return Reader(driver, database, timeout).run(
        lambda reader: _partner_regions(reader, region, among, k)
    )


def _resolve_regions(
    reader: Reader, texts: Sequence[str], role: str
) -> tuple[list[Entity], dict[str, Resolution]]:
    resolutions = {
        f"{role} {i + 1}": resolve_with(reader, text, ["region"], role=role)
        for i, text in enumerate(texts)
    }
    entities = [r.entity for r in resolutions.values() if r.entity is not None]
    return entities, resolutions


def _overlap(reader: Reader, texts: Sequence[str]) -> OverlapResult:
    entities, resolutions = _resolve_regions(reader, texts, "region")
    ambiguities = ambiguities_of(resolutions)
    if ambiguities:
        return OverlapResult(
            status="ambiguous",
            ambiguities=ambiguities,
            explanation=" ".join(a.explanation for a in ambiguities),
        )
    keys = list(dict.fromkeys(e.key for e in entities))
    profiles = region_profiles(reader, keys)
    ancestors = domain_ancestors(reader)
    ordered = [profiles[k] for k in keys if k in profiles]
    cells = []
    for a, b in combinations(ordered, 2):
        cells.append(
            OverlapCell(
                a=a.ref.nuts_id,
                b=b.ref.nuts_id,
                shared=list(shared_domains(a.domains, b.domains, ancestors)),
                only_a=list(unmatched_domains(a.domains, b.domains, ancestors)),
                only_b=list(unmatched_domains(b.domains, a.domains, ancestors)),
                jaccard=round(overlap_share(a.domains, b.domains, ancestors), 4),
            )
        )
    return OverlapResult(
        regions=[p.as_model() for p in ordered],
        cells=cells,
        explanation=_basis_text(ordered)
        + " Shared: equal domains, or one a subdomain of the other (the narrower is named). "
        "Complementary: what one region has and the other lacks (only_a, only_b). The overlap "
        "share is the part of both regions' domains that meets the other side.",
    )


def _partner_regions(
    reader: Reader, text: str, among: Sequence[str] | None, k: int
) -> PartnerRanking:
    resolution = resolve_with(reader, text, ["region"], role="region")
    candidates: list[Entity] = []
    resolutions = {"region": resolution}
    if among:
        candidates, more = _resolve_regions(reader, among, "among")
        resolutions.update(more)
    ambiguities = ambiguities_of(resolutions)
    if ambiguities:
        return PartnerRanking(
            status="ambiguous",
            ambiguities=ambiguities,
            explanation=" ".join(a.explanation for a in ambiguities),
        )
    assert resolution.entity is not None
    home_key = resolution.entity.key
    if among:
        keys = [c.key for c in candidates]
    else:
        record = reader.memo_one(cypher.NUTS2_REGIONS)
        keys = list(record["ids"]) if record else []
    keys = [
        key
        for key in dict.fromkeys(keys)
        if not (key.startswith(home_key) or home_key.startswith(key))
    ]
    profiles = region_profiles(reader, [home_key, *keys])
    home = profiles[home_key]
    ancestors = domain_ancestors(reader)
    ranking: list[PartnerFit] = []
    without = 0
    for key in keys:
        other = profiles.get(key)
        if other is None:
            continue
        if not other.domains or not home.domains:
            without += 1
            continue
        shared = shared_domains(home.domains, other.domains, ancestors)
        complementary = unmatched_domains(other.domains, home.domains, ancestors)
        fit = overlap_fit(home.domains, other.domains, ancestors)
        ranking.append(
            PartnerFit(
                region=other.ref,
                basis=other.basis,
                shared=list(shared),
                complementary=list(complementary),
                fit=round(fit, 4),
                explanation=(
                    f"{other.label} ({other.basis} domains) shares "
                    f"{', '.join(shared) if shared else 'no domain'} with {home.label} and "
                    f"brings {', '.join(complementary) if complementary else 'nothing new'}; "
                    f"fit {fit:.3f}."
                ),
            )
        )
    ranking.sort(key=lambda p: (-p.fit, -len(p.shared), p.basis != "declared", p.region.nuts_id))
    text = _basis_text([home]) + (
        " Partner regions are ranked by S3 fit = 0.8 x the share of our domains they meet "
        "(equal, or one a subdomain of the other) + 0.2 x complementarity (up to three domains "
        "they bring that we lack); ties go to more shared domains, then declared before revealed."
    )
    if not home.domains:
        text += f" {home.label} has no known domains, so no region can be ranked."
    elif without:
        text += f" {without} candidate regions have no known domains and are left out."
    return PartnerRanking(region=home.as_model(), partners=ranking[:k], explanation=text)


def _basis_text(profiles: Sequence[RegionProfile]) -> str:
    groups: dict[str, list[str]] = {"declared": [], "revealed": [], "none": []}
    for p in profiles:
        groups[p.basis].append(p.ref.nuts_id)
    parts = []
    if groups["declared"]:
        parts.append(f"declared S3 priorities for {', '.join(groups['declared'])}")
    if groups["revealed"]:
        parts.append(
            f"revealed domains (the {REVEALED_TOP} most frequent domains of the projects, hubs "
            f"and clusters of their organisations) for {', '.join(groups['revealed'])}"
        )
    text = "Domains used: " + "; ".join(parts) + "." if parts else ""
    if groups["none"]:
        text += f" No domains known for {', '.join(groups['none'])}."
    return text.strip()
