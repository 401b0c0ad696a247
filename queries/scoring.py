"""How a partnership path is scored, as pure functions (no database) so every rule is tested on
its own and can be explained in words.

score = product of tie strengths x length factor x thematic fit

- A path is cut into ties at the organisations it passes: each tie is the connector (or chain of
  connectors) between two organisations. Tie strength by kind: a shared project is the strongest
  tie when small and recent (1.0 for up to 4 partners, decaying with consortium size and with the
  years since it ended); a shared hub or a formal cluster partnership is next (0.7); running the
  same cluster 0.6; the same EEN consortium (or an EEN consortium grant) 0.5; anything else 0.3.
- Length factor: each intermediate organisation halves the score (somebody has to introduce you).
- Thematic fit: shared domains of the two end regions (declared S3 priorities where loaded, else
  the domains revealed by the region's projects, hubs and clusters): 0.6 with none, rising by
  0.4/3 per shared domain to 1.0 at three or more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from queries.models import DomainBasis

PROJECT_FULL_SIZE = 4  # partners up to which a project tie keeps its full strength
PROJECT_SIZE_SCALE = 16.0  # strength halves at PROJECT_FULL_SIZE + this many partners
PROJECT_HALF_LIFE_YEARS = 10.0  # strength halves this many years after the project ended
UNKNOWN_AGE_FACTOR = 0.8

HUB_STRENGTH = 0.7
PARTNERSHIP_STRENGTH = 0.7
SHARED_CLUSTER_STRENGTH = 0.6
CONSORTIUM_STRENGTH = 0.5
WEAK_STRENGTH = 0.3

INTERMEDIARY_FACTOR = 0.5
FIT_FLOOR = 0.6
FIT_FULL_AT = 3

CONNECTOR_LABELS = frozenset({"Project", "Hub", "Cluster", "Partnership", "Consortium"})


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What scoring needs to know about one node of a path."""

    label: str
    uid: str
    name: str
    n_partners: int | None = None
    members: int = 0
    kind: str | None = None
    end_date: str | None = None
    start_date: str | None = None
    topic: str | None = None
    region: str | None = None
    domains: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    extra: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Tie:
    kind: str
    strength: float
    reason: str
    via: NodeInfo


@dataclass(frozen=True, slots=True)
class Fit:
    basis: DomainBasis
    shared: tuple[str, ...]
    factor: float
    reason: str


def year_of(value: str | None) -> int | None:
    """The year of an ISO date string ('2021-06-30', '2021'), or None."""
    if not value or len(value) < 4 or not value[:4].isdigit():
        return None
    return int(value[:4])


def project_strength(
    n_partners: int | None, end_date: str | None, start_date: str | None, today: date
) -> tuple[float, str]:
    """Strength of a shared project: full for a small consortium that is running or just ended,
    lower for big consortia and old projects.

    >>> project_strength(3, "2025-12-31", None, date(2025, 6, 1))[0]
    1.0
    """
    size = n_partners if n_partners and n_partners > 0 else None
    if size is None:
        size_factor, size_text = 1.0, "consortium size unknown"
    else:
        size_factor = 1.0 / (1.0 + max(0, size - PROJECT_FULL_SIZE) / PROJECT_SIZE_SCALE)
        size_text = f"{size} partners"
    end_year = year_of(end_date)
    if end_year is None:
        start_year = year_of(start_date)
        end_year = start_year + 3 if start_year is not None else None
    if end_year is None:
        age_factor, age_text = UNKNOWN_AGE_FACTOR, "dates unknown"
    else:
        years = max(0, today.year - end_year)
        age_factor = 0.5 ** (years / PROJECT_HALF_LIFE_YEARS)
        age_text = "running or just ended" if years == 0 else f"ended {end_year}"
    return size_factor * age_factor, f"{size_text}, {age_text}"


def segment_tie(connectors: Sequence[NodeInfo], today: date) -> Tie:
    """The tie formed by the connector chain between two organisations of a path."""
    labels = [c.label for c in connectors]
    if labels == ["Project"]:
        project = connectors[0]
        if project.kind == "een":
            return Tie(
                "consortium",
                CONSORTIUM_STRENGTH,
                "same EEN consortium grant (network membership, not joint work)",
                project,
            )
        strength, why = project_strength(
            project.n_partners or project.members or None,
            project.end_date,
            project.start_date,
            today,
        )
        return Tie("project", strength, f"shared project ({why})", project)
    if labels == ["Hub"]:
        return Tie(
            "hub", HUB_STRENGTH, "partners in the same digital innovation hub", connectors[0]
        )
    if labels == ["Consortium"]:
        return Tie(
            "consortium",
            CONSORTIUM_STRENGTH,
            "members of the same EEN consortium",
            connectors[0],
        )
    if labels == ["Cluster"]:
        return Tie("cluster", SHARED_CLUSTER_STRENGTH, "run the same cluster", connectors[0])
    if labels == ["Cluster", "Partnership", "Cluster"]:
        return Tie(
            "partnership",
            PARTNERSHIP_STRENGTH,
            "their clusters are partners in the same cluster partnership",
            connectors[1],
        )
    via = connectors[len(connectors) // 2] if connectors else NodeInfo("?", "?", "?")
    return Tie("other", WEAK_STRENGTH, "indirect link through " + " - ".join(labels), via)


def split_segments(labels: Sequence[str]) -> list[tuple[int, int]]:
    """Index ranges [start, end) of the connector chains between consecutive organisations."""
    org_positions = [i for i, label in enumerate(labels) if label == "Organisation"]
    return [(a + 1, b) for a, b in pairwise(org_positions) if b > a + 1]


def length_factor(intermediaries: int) -> float:
    """Each organisation between the two ends halves the score."""
    return float(INTERMEDIARY_FACTOR**intermediaries)


def fit_factor(shared: int) -> float:
    return FIT_FLOOR + (1.0 - FIT_FLOOR) * min(shared, FIT_FULL_AT) / FIT_FULL_AT


Ancestors = Mapping[str, frozenset[str]]


def meets(x: str, y: str, ancestors: Ancestors) -> bool:
    """Two domains meet when equal or when one is a subdomain (at any depth) of the other."""
    return x == y or y in ancestors.get(x, ()) or x in ancestors.get(y, ())


def shared_domains(
    a: Iterable[str], b: Iterable[str], ancestors: Ancestors | None = None
) -> tuple[str, ...]:
    """The domains two sets share; when one side's domain is a subdomain of the other's (green
    hydrogen within Energy-Renewables) the narrower one is named.

    >>> shared_domains({"energy-renewables"}, {"green-hydrogen"},
    ...                {"green-hydrogen": frozenset({"energy-renewables"})})
    ('green-hydrogen',)
    """
    anc = ancestors or {}
    found: set[str] = set()
    b_list = list(b)
    for x in a:
        for y in b_list:
            if x == y or y in anc.get(x, ()):
                found.add(x)
            elif x in anc.get(y, ()):
                found.add(y)
    return tuple(sorted(found))


def unmatched_domains(
    a: Iterable[str], b: Iterable[str], ancestors: Ancestors | None = None
) -> tuple[str, ...]:
    """The domains of ``a`` that meet none of ``b``: what ``a`` brings that ``b`` lacks."""
    anc = ancestors or {}
    b_list = list(b)
    return tuple(sorted(x for x in set(a) if not any(meets(x, y, anc) for y in b_list)))


def thematic_fit(
    a_domains: Sequence[str],
    a_basis: DomainBasis,
    b_domains: Sequence[str],
    b_basis: DomainBasis,
    a_name: str = "the start region",
    b_name: str = "the end region",
    ancestors: Ancestors | None = None,
) -> Fit:
    """Shared domains of two regions, with the basis (declared S3 or revealed) said aloud."""
    shared = shared_domains(a_domains, b_domains, ancestors)
    if a_basis == "none" or b_basis == "none":
        missing = a_name if a_basis == "none" else b_name
        return Fit("none", (), FIT_FLOOR, f"no domains known for {missing}")
    basis: DomainBasis = "declared" if a_basis == b_basis == "declared" else "revealed"
    bases = (
        "declared S3 priorities of both"
        if basis == "declared"
        else f"{a_basis} domains of {a_name}, {b_basis} domains of {b_name}"
    )
    if not shared:
        return Fit(basis, (), FIT_FLOOR, f"no shared domain ({bases})")
    return Fit(
        basis,
        shared,
        fit_factor(len(shared)),
        f"{len(shared)} shared domain{'s' if len(shared) > 1 else ''}: "
        f"{', '.join(shared)} ({bases})",
    )


def path_score(ties: Sequence[Tie], intermediaries: int, fit: Fit) -> float:
    product = 1.0
    for tie in ties:
        product *= tie.strength
    return product * length_factor(intermediaries) * fit.factor


def overlap_fit(
    ours: Iterable[str], theirs: Iterable[str], ancestors: Ancestors | None = None
) -> float:
    """S3 fit of a partner region: mostly the share of our domains it meets, plus a bonus for up
    to three domains it brings that we lack (complementarity)."""
    mine, other = set(ours), set(theirs)
    if not mine or not other:
        return 0.0
    anc = ancestors or {}
    met = sum(1 for x in mine if any(meets(x, y, anc) for y in other))
    complementary = len(unmatched_domains(other, mine, anc))
    return 0.8 * met / len(mine) + 0.2 * min(complementary, FIT_FULL_AT) / FIT_FULL_AT


def overlap_share(a: Iterable[str], b: Iterable[str], ancestors: Ancestors | None = None) -> float:
    """Jaccard-like overlap: domains that meet the other side, over all domains of both."""
    first, second = set(a), set(b)
    if not first and not second:
        return 0.0
    anc = ancestors or {}
    met = len(first) - len(unmatched_domains(first, second, anc))
    met += len(second) - len(unmatched_domains(second, first, anc))
    return met / (len(first) + len(second))
