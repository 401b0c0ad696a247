"""Region profiles for the queries: cohesion category (NUTS 3 inherit their NUTS 2 category) and
the region's domains, declared (S3 priorities) where loaded, else revealed by the projects, hubs
and clusters of its organisations. Cached per graph version."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from queries import cypher
from queries.models import DomainBasis, RegionDomains, RegionRef
from queries.runner import Reader
from queries.versioned import VersionedCache

REVEALED_TOP = 5  # a region's revealed domains: its five most frequent ones
CATEGORIES = ("more developed", "transition", "less developed")


@dataclass(frozen=True, slots=True)
class RegionProfile:
    ref: RegionRef
    nuts2: str | None
    declared: tuple[str, ...]
    revealed: tuple[str, ...]
    revealed_counts: tuple[tuple[str, int], ...]

    @property
    def basis(self) -> DomainBasis:
        if self.declared:
            return "declared"
        return "revealed" if self.revealed else "none"

    @property
    def domains(self) -> tuple[str, ...]:
        return self.declared or self.revealed

    def as_model(self) -> RegionDomains:
        return RegionDomains(region=self.ref, basis=self.basis, domains=list(self.domains))

    @property
    def label(self) -> str:
        return f"{self.ref.name} ({self.ref.nuts_id})"


_profiles: VersionedCache[RegionProfile] = VersionedCache()
_ancestors: VersionedCache[dict[str, frozenset[str]]] = VersionedCache(1)


def region_profiles(reader: Reader, nuts_ids: Iterable[str]) -> dict[str, RegionProfile]:
    """Profiles of the given regions (unknown ids are left out)."""
    wanted = sorted(set(nuts_ids))
    if not wanted:
        return {}
    stamp = reader.stamp()
    known: dict[str, RegionProfile] = {}
    for nuts_id in wanted:
        profile = _profiles.get(reader.database, stamp, nuts_id)
        if profile is not None:
            known[nuts_id] = profile
    missing = [n for n in wanted if n not in known]
    if missing:
        fresh = _load(reader, missing)
        known.update(fresh)
        for nuts_id, profile in fresh.items():
            _profiles.put(reader.database, stamp, nuts_id, profile)
    return known


def domain_ancestors(reader: Reader) -> dict[str, frozenset[str]]:
    """Every domain's broader domains (for matching a subdomain with its parent)."""
    stamp = reader.stamp()
    found = _ancestors.get(reader.database, stamp, "ancestors")
    if found is None:
        rows = reader.rows(cypher.DOMAIN_ANCESTORS)
        found = {str(r["code"]): frozenset(r["ancestors"]) for r in rows}
        _ancestors.put(reader.database, stamp, "ancestors", found)
    return found


def _load(reader: Reader, nuts_ids: list[str]) -> dict[str, RegionProfile]:
    rows = reader.rows(cypher.REGION_PROFILES, nuts_ids=nuts_ids)
    bases = {r["nuts_id"]: (r["nuts2"] or r["nuts_id"]) for r in rows}
    counts: dict[str, Counter[str]] = {}
    for record in reader.rows(cypher.REGION_REVEALED_DOMAINS, nuts_ids=sorted(set(bases.values()))):
        counts.setdefault(record["nuts_id"], Counter())[record["code"]] += record["activities"]
    profiles: dict[str, RegionProfile] = {}
    for r in rows:
        ref = RegionRef(
            nuts_id=r["nuts_id"],
            name=r["name"] or r["nuts_id"],
            level=int(r["level"] if r["level"] is not None else -1),
            country_code=r["country_code"] or r["nuts_id"][:2],
            category=r["category"] if r["category"] in CATEGORIES else None,
            outermost=bool(r["outermost"]),
            category_status=r["category_status"],
        )
        declared = tuple(sorted(set(r["declared_up"]) | set(r["declared_down"])))
        ranked = sorted(
            counts.get(bases[r["nuts_id"]], Counter()).items(), key=lambda c: (-c[1], c[0])
        )
        profiles[r["nuts_id"]] = RegionProfile(
            ref=ref,
            nuts2=r["nuts2"],
            declared=declared,
            revealed=tuple(sorted(code for code, _ in ranked[:REVEALED_TOP])),
            revealed_counts=tuple(ranked),
        )
    return profiles


def level2_categories(reader: Reader) -> dict[str, str | None]:
    """The category of every NUTS 2 region, or why it has none ('outside EU cohesion
    policy'), for the maps."""
    record = reader.memo_one(cypher.LEVEL2_CATEGORIES)
    return {code: category for code, category in (record["categories"] if record else [])}
