"""Seeded scale generator: data sets at 1x, 10x, 100x of the real snapshot's shape.

Regions stay real (the NUTS snapshot is loaded as it is at every scale). Organisations,
projects, participations and hubs are multiplied with the real degree distributions and
country mix, and written in the sources' own published formats so that they go through the
real loaders:

- CORDIS ``organization.csv`` / ``project.csv``: ``;``-separated, with the headers CORDIS
  publishes for Horizon 2020, and the projects' topics in the snapshot's reference-list form
  (``h2020_project_topics.csv``: projectID, topic, topicTitle), with the list of its EEN
  grants (``een_projects_h2020.csv``: the projects that drew a real EEN grant topic).
- The EDIH catalogue (``edih_catalogue.csv`` and ``edih_hub_topics.csv``, the snapshot's form).

Shape sources: the real degree distribution of 144,726 H2020 participations
(``h2020_org_project_links_partial.csv``: projects' consortium sizes, organisations' numbers of
projects, each with its country and activity type), the named participations sample for names,
addresses, postcodes and coordinates, the H2020 project topics, and the EDIH catalogue.

1x is the size of the named participations sample (5,149 participations) plus the 457 hubs of
the catalogue. Organisation degrees are the real ones thinned (below H2020's own size, a random
subset of its projects, as the named sample is) or multiplied (above it); consortium sizes are
the real ones; the two are paired with a configuration model, so both distributions are kept
while the pairs themselves are new (country homophily of real consortia is not kept). Same seed
and scale give byte-identical files.

Run ``uv run python -m benchmarks.generate --scale 1 --scale 10`` (files go to
``benchmarks/out/x<scale>/``, which git ignores).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

from graph.settings import PROJECT_ROOT

SHARED_DATA = Path("/work/shared/data")
SNAPSHOT = PROJECT_ROOT / "data" / "snapshot"
OUT_DIR = PROJECT_ROOT / "benchmarks" / "out"

BASE_PARTICIPATIONS = 5149  # rows of the named H2020 participations sample
BASE_HUBS = 457  # rows of the EDIH catalogue
DEFAULT_SEED = 20261126

ORGANIZATION_HEADER = [
    "projectID",
    "projectAcronym",
    "organisationID",
    "vatNumber",
    "name",
    "shortName",
    "SME",
    "activityType",
    "street",
    "postCode",
    "city",
    "country",
    "nutsCode",
    "geolocation",
    "organizationURL",
    "contactForm",
    "contentUpdateDate",
    "rcn",
    "order",
    "role",
    "ecContribution",
    "netEcContribution",
    "totalCost",
    "endOfParticipation",
    "active",
]
PROJECT_HEADER = [
    "id",
    "acronym",
    "status",
    "title",
    "startDate",
    "endDate",
    "totalCost",
    "ecMaxContribution",
    "legalBasis",
    "topics",
    "ecSignatureDate",
    "frameworkProgramme",
    "masterCall",
    "subCall",
    "fundingScheme",
    "nature",
    "objective",
    "contentUpdateDate",
    "rcn",
    "grantDoi",
]
TOPICS_HEADER = ["projectID", "topic", "topicTitle"]
EDIH_HEADER = [
    "hub_row",
    "hub_acronym",
    "hub_title",
    "status",
    "country",
    "country_iso2",
    "contact_address",
    "website",
    "sectors",
    "services",
    "technologies",
    "description",
]
EDIH_TOPICS_HEADER = ["hub_row", "hub_acronym", "dimension", "label", "engagement_level"]
EEN_HEADER = ["projectID", "topic", "topicTitle", "eenPhase"]

CONTENT_UPDATE = "2023-06-01 00:00:00"
# Synthetic identifiers live in ranges no real record uses, so a generated row is never
# mistaken for (or merged with) a real one.
PIC_BASE = 700_000_000
PROJECT_ID_BASE = 5_000_000
RCN_BASE = 9_000_000
# 20 syllables: five make 3.2 million distinct words.
SYLLABLES = (
    "ka",
    "ve",
    "lo",
    "mi",
    "ru",
    "sa",
    "te",
    "no",
    "di",
    "pa",
    "zu",
    "fe",
    "go",
    "bi",
    "ha",
    "ly",
    "ma",
    "re",
    "to",
    "ni",
)


def shape_file(source: str, name: str) -> Path:
    """The project's snapshot copy when there is one, else the shared data folder."""
    local = SNAPSHOT / source / name
    return local if local.exists() else SHARED_DATA / source / name


def word(index: int, length: int = 5) -> str:
    """A pronounceable, unique token per index (base-20 syllables): keeps generated names,
    acronyms and web domains distinct without looking like serial numbers."""
    parts: list[str] = []
    for _ in range(length):
        index, digit = divmod(index, len(SYLLABLES))
        parts.append(SYLLABLES[(digit + 7 * len(parts)) % len(SYLLABLES)])
    return "".join(parts)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class OrgTemplate:
    """One real organisation of the degree file: its number of projects, country, type."""

    degree: int
    country: str
    activity_type: str


@dataclass(frozen=True)
class ProjectTemplate:
    """One real project of the degree file: consortium size, dates and money."""

    size: int
    start: str
    end: str
    ec_max: str
    total_cost: str


@dataclass
class RealShape:
    """What the generator copies from the real data (read once, reused for every scale)."""

    projects: list[ProjectTemplate]
    organisations: list[OrgTemplate]
    addresses: dict[str, list[dict[str, str]]]
    addresses_by_type: dict[tuple[str, str], list[dict[str, str]]]
    other_roles: list[str]
    other_role_weights: list[int]
    contributions: dict[str, list[dict[str, str]]]
    acronyms: list[str]
    topics: list[tuple[str, str]]
    hubs: list[dict[str, str]]
    hub_topics: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    een_phases: dict[str, str] = field(default_factory=dict)  # EEN grant topic -> phase

    @classmethod
    def load(cls) -> RealShape:
        links = _read_csv(shape_file("cordis", "h2020_org_project_links_partial.csv"))
        sample = _read_csv(shape_file("cordis", "h2020_participations_sample.csv"))
        sample_countries = {row["country"] for row in sample if row["country"]}

        by_project: dict[str, list[dict[str, str]]] = defaultdict(list)
        by_org: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in links:
            by_project[row["projectRcn"]].append(row)
            by_org[row["organisationPIC"]].append(row)
        projects = [
            ProjectTemplate(
                size=len(rows),
                start=rows[0]["startDate"],
                end=rows[0]["endDate"],
                ec_max=rows[0]["projectEcMaxContribution"],
                total_cost=rows[0]["projectTotalCost"],
            )
            for _, rows in sorted(by_project.items())
        ]
        # Organisations of countries absent from the named sample (0.6 % of participations)
        # are left out: there is no real address to give them.
        organisations = [
            OrgTemplate(len(rows), rows[0]["country"], rows[0]["activityType"] or "OTH")
            for _, rows in sorted(by_org.items())
            if rows[0]["country"] in sample_countries
        ]

        addresses: dict[str, list[dict[str, str]]] = defaultdict(list)
        addresses_by_type: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
        seen: set[str] = set()
        for row in sample:
            if row["organisationID"] in seen or not row["country"]:
                continue
            seen.add(row["organisationID"])
            addresses[row["country"]].append(row)
            addresses_by_type[(row["country"], row["activityType"])].append(row)

        role_counts = Counter(row["role"] for row in sample if row["role"] != "coordinator")
        contributions: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in sample:
            contributions[row["role"]].append(
                {k: row[k] for k in ("ecContribution", "netEcContribution", "totalCost", "SME")}
            )
        acronyms = sorted({row["projectAcronym"] for row in sample if row["projectAcronym"]})
        topics = [
            (row["topic"], row["topicTitle"])
            for row in _read_csv(shape_file("cordis", "h2020_project_topics.csv"))
            if row["topic"]
        ]
        hubs = _read_csv(shape_file("edih", "edih_catalogue.csv"))
        hub_topics: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in _read_csv(shape_file("edih", "edih_hub_topics.csv")):
            hub_topics[row["hub_row"]].append(row)
        een_phases = {
            row["topic"]: row["eenPhase"]
            for row in _read_csv(shape_file("cordis", "een_projects_h2020.csv"))
            if row["topic"]
        }
        roles = sorted(role_counts)
        return cls(
            projects=projects,
            organisations=organisations,
            addresses=dict(addresses),
            addresses_by_type=dict(addresses_by_type),
            other_roles=roles,
            other_role_weights=[role_counts[r] for r in roles],
            contributions=dict(contributions),
            acronyms=acronyms,
            topics=topics,
            hubs=hubs,
            hub_topics=dict(hub_topics),
            een_phases=een_phases,
        )


@dataclass
class Participation:
    project: int
    organisation: int
    role: str
    order: int


@dataclass
class GeneratedNetwork:
    """The wired bipartite network of one scale, before it is written out."""

    projects: list[ProjectTemplate]
    organisations: list[OrgTemplate]
    participations: list[Participation]
    dropped_stubs: int


def _draw_until(
    rng: random.Random, pool: Sequence[Any], total: int, size: Any
) -> tuple[list[Any], list[int]]:
    """Draws templates until their sizes add up to ``total`` (the last one trimmed so the sum
    is exact). Draws go through shuffled passes over the whole pool (without replacement
    within a pass), so a large scale holds every real template about equally often and the
    heavy tail is not left to chance."""
    drawn: list[Any] = []
    sizes: list[int] = []
    remaining = total
    order: list[int] = []
    while remaining > 0:
        if not order:
            order = list(range(len(pool)))
            rng.shuffle(order)
        template = pool[order.pop()]
        n = min(size(template), remaining)
        drawn.append(template)
        sizes.append(n)
        remaining -= n
    return drawn, sizes


def thin(
    rng: random.Random, pool: Sequence[OrgTemplate], factor: float
) -> tuple[list[OrgTemplate], list[int]]:
    """Organisation degrees at ``factor`` times the real participations: each real organisation
    appears ``floor(factor)`` times with its real degree, plus once with its degree thinned
    binomially by the fractional rest (dropped at zero). Below 1 this is the degree
    distribution of a random subset of the real projects, which is what the named sample is
    (at 1x: ~3,200 organisations, mean 1.6 projects each, against the sample's 3,114 and 1.65)."""
    whole = int(factor)
    rest = factor - whole
    drawn: list[OrgTemplate] = []
    degrees: list[int] = []
    for template in pool:
        for _ in range(whole):
            drawn.append(template)
            degrees.append(template.degree)
        kept = sum(1 for _ in range(template.degree) if rng.random() < rest)
        if kept:
            drawn.append(template)
            degrees.append(kept)
    order = list(range(len(drawn)))
    rng.shuffle(order)
    return [drawn[i] for i in order], [degrees[i] for i in order]


def wire(shape: RealShape, scale: float, rng: random.Random) -> GeneratedNetwork:
    """Configuration model: organisation stubs from the real degrees (thinned or multiplied to
    the scale), project slots from the real consortium sizes, paired at random. A pairing that
    would put an organisation twice into one project is repaired by exchanging it with an
    earlier pairing of another project (a degree-preserving swap); only a stub no swap can
    place is dropped (counted)."""
    target = max(1, round(BASE_PARTICIPATIONS * scale))
    factor = target / sum(o.degree for o in shape.organisations)
    organisations, org_degrees = thin(rng, shape.organisations, factor)
    total = sum(org_degrees)
    projects, project_sizes = _draw_until(rng, shape.projects, total, lambda p: p.size)
    stubs = [i for i, degree in enumerate(org_degrees) for _ in range(degree)]
    rng.shuffle(stubs)
    slot_project = [p for p, size in enumerate(project_sizes) for _ in range(size)]
    members: list[set[int]] = [set() for _ in project_sizes]
    placed: list[int] = []  # organisation per slot position, -1 when dropped
    dropped = 0
    for position, (project, candidate) in enumerate(zip(slot_project, stubs, strict=True)):
        if candidate in members[project]:
            for _ in range(50):
                other = rng.randrange(position) if position else 0
                other_project, other_org = slot_project[other], placed[other]
                if (
                    other_org >= 0
                    and other_project != project
                    and other_org not in members[project]
                    and candidate not in members[other_project]
                ):
                    members[other_project].discard(other_org)
                    members[other_project].add(candidate)
                    placed[other] = candidate
                    candidate = other_org
                    break
        if candidate in members[project]:
            placed.append(-1)
            dropped += 1
            continue
        members[project].add(candidate)
        placed.append(candidate)

    participations: list[Participation] = []
    order = 0
    for position, organisation in enumerate(placed):
        project = slot_project[position]
        order = 1 if position == 0 or slot_project[position - 1] != project else order + 1
        if organisation < 0:
            order -= 1
            continue
        if order == 1:
            role = "coordinator"
        else:
            role = rng.choices(shape.other_roles, shape.other_role_weights)[0]
        participations.append(Participation(project, organisation, role, order))
    return GeneratedNetwork(projects, organisations, participations, dropped)


def _web_address(real_url: str, token: str) -> str:
    """A unique web address in the real one's top-level domain (or empty when it had none)."""
    if not real_url.strip():
        return ""
    host = real_url.split("//", 1)[-1].split("/", 1)[0]
    tld = host.rsplit(".", 1)[-1] if "." in host else "eu"
    return f"http://www.{token}.{tld.lower()}"


def _vat(real_vat: str, pic: int) -> str:
    if not real_vat.strip():
        return ""
    prefix = "".join(ch for ch in real_vat[:2] if ch.isalpha())
    return f"{prefix}{pic}"


def project_acronyms(shape: RealShape, network: GeneratedNetwork, rng: random.Random) -> list[str]:
    """A real acronym with a unique suffix per project."""
    return [
        f"{rng.choice(shape.acronyms)}-{word(i, 3).upper()}" for i in range(len(network.projects))
    ]


def organisation_rows(
    shape: RealShape, network: GeneratedNetwork, acronyms: Sequence[str], rng: random.Random
) -> Iterable[dict[str, str]]:
    """CORDIS organization.csv rows: one per participation, the organisation's identity and
    address copied from a real organisation of the same country (and type when possible)."""
    identities: list[dict[str, str]] = []
    for index, template in enumerate(network.organisations):
        pool = shape.addresses_by_type.get(
            (template.country, template.activity_type)
        ) or shape.addresses.get(template.country, [])
        real = rng.choice(pool)
        pic = PIC_BASE + index
        token = word(index)
        identities.append(
            {
                "organisationID": str(pic),
                "vatNumber": _vat(real["vatNumber"], pic),
                "name": f"{real['name']} {token.upper()}".strip(),
                "shortName": f"{real['shortName']} {token.upper()}" if real["shortName"] else "",
                "SME": real["SME"],
                "activityType": template.activity_type,
                "street": real["street"],
                "postCode": real["postCode"],
                "city": real["city"],
                "country": template.country,
                "nutsCode": real["nutsCode"],
                "geolocation": real["geolocation"],
                "organizationURL": _web_address(real["organizationURL"], token),
            }
        )
    for number, participation in enumerate(network.participations):
        money = rng.choice(
            shape.contributions.get(participation.role) or shape.contributions["participant"]
        )
        row = {
            "projectID": str(PROJECT_ID_BASE + participation.project),
            "projectAcronym": acronyms[participation.project],
            **identities[participation.organisation],
            "contactForm": "",
            "contentUpdateDate": CONTENT_UPDATE,
            "rcn": str(RCN_BASE + number),
            "order": str(participation.order),
            "role": participation.role,
            "ecContribution": money["ecContribution"],
            "netEcContribution": money["netEcContribution"],
            "totalCost": money["totalCost"],
            "endOfParticipation": "False",
            "active": "",
        }
        yield row


def project_rows(
    shape: RealShape, network: GeneratedNetwork, acronyms: Sequence[str], rng: random.Random
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """CORDIS project.csv rows and the topic reference list; each project takes a real H2020
    topic (code and title)."""
    projects: list[dict[str, str]] = []
    topics: list[dict[str, str]] = []
    for index, template in enumerate(network.projects):
        topic, title = rng.choice(shape.topics)
        project_id = str(PROJECT_ID_BASE + index)
        projects.append(
            {
                "id": project_id,
                "acronym": acronyms[index],
                "status": "CLOSED",
                "title": f"{acronyms[index]}: {title}",
                "startDate": template.start,
                "endDate": template.end,
                "totalCost": template.total_cost,
                "ecMaxContribution": template.ec_max,
                "legalBasis": "",
                "topics": topic,
                "ecSignatureDate": template.start,
                "frameworkProgramme": "H2020",
                "masterCall": "",
                "subCall": "",
                "fundingScheme": "",
                "nature": "",
                "objective": "",
                "contentUpdateDate": CONTENT_UPDATE,
                "rcn": str(RCN_BASE + 5_000_000 + index),
                "grantDoi": "",
            }
        )
        topics.append({"projectID": project_id, "topic": topic, "topicTitle": title})
    return projects, topics


def hub_rows(
    shape: RealShape, scale: float, rng: random.Random
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """EDIH catalogue rows drawn from the real catalogue (status and country mix kept), each
    with a new name and web address and the real hub's sector/service/technology topics."""
    count = max(1, round(BASE_HUBS * scale))
    catalogue: list[dict[str, str]] = []
    topics: list[dict[str, str]] = []
    for index in range(count):
        real = rng.choice(shape.hubs)
        hub_row = str(index + 1)
        token = word(index + 1_000_000).upper()
        acronym = f"{real['hub_acronym']}-{token}"
        catalogue.append(
            {
                **{k: real[k] for k in EDIH_HEADER},
                "hub_row": hub_row,
                "hub_acronym": acronym,
                "hub_title": f"{real['hub_title']} {token}",
                "website": _web_address(real["website"], token.lower()),
            }
        )
        for topic in shape.hub_topics.get(real["hub_row"], []):
            topics.append({**topic, "hub_row": hub_row, "hub_acronym": acronym})
    return catalogue, topics


def _write(path: Path, header: list[str], rows: Iterable[dict[str, str]], sep: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=sep, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def degree_summary(values: Sequence[int]) -> dict[str, float]:
    """The figures the generator promises to keep: mean, share of 1s, 90th and 99th centile."""
    ordered = sorted(values)
    n = len(ordered)
    return {
        "count": n,
        "mean": round(mean(ordered), 3),
        "share_1": round(sum(1 for v in ordered if v == 1) / n, 4),
        "p90": ordered[int(0.9 * (n - 1))],
        "p99": ordered[int(0.99 * (n - 1))],
        "max": ordered[-1],
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scale_dir(scale: float, out_dir: Path = OUT_DIR) -> Path:
    label = f"{scale:g}".replace(".", "_")
    return out_dir / f"x{label}"


def generate(
    scale: float,
    seed: int = DEFAULT_SEED,
    out_dir: Path = OUT_DIR,
    shape: RealShape | None = None,
) -> dict[str, Any]:
    """Writes one scale's data set and returns its manifest (also saved as manifest.json)."""
    shape = shape or RealShape.load()
    rng = random.Random(f"{seed}:{scale:g}")
    target = scale_dir(scale, out_dir)
    network = wire(shape, scale, rng)
    acronyms = project_acronyms(shape, network, rng)
    cordis = target / "cordis"
    participations = _write(
        cordis / "organization.csv",
        ORGANIZATION_HEADER,
        organisation_rows(shape, network, acronyms, rng),
        ";",
    )
    projects, topics = project_rows(shape, network, acronyms, rng)
    _write(cordis / "project.csv", PROJECT_HEADER, projects, ";")
    _write(cordis / "h2020_project_topics.csv", TOPICS_HEADER, topics, ",")
    een = [
        {**t, "eenPhase": shape.een_phases[t["topic"]]}
        for t in topics
        if t["topic"] in shape.een_phases
    ]
    _write(cordis / "een_projects_h2020.csv", EEN_HEADER, een, ",")
    catalogue, hub_topics = hub_rows(shape, scale, rng)
    edih = target / "edih"
    _write(edih / "edih_catalogue.csv", EDIH_HEADER, catalogue, ",")
    _write(edih / "edih_hub_topics.csv", EDIH_TOPICS_HEADER, hub_topics, ",")

    org_degree = Counter(p.organisation for p in network.participations)
    project_size = Counter(p.project for p in network.participations)
    countries = Counter(
        network.organisations[p.organisation].country for p in network.participations
    )
    files = sorted(p for p in target.rglob("*.csv"))
    manifest: dict[str, Any] = {
        "scale": scale,
        "seed": seed,
        "counts": {
            "participations": participations,
            "projects": len(project_size),
            "organisations": len(org_degree),
            "een_projects": len(een),
            "hubs": len(catalogue),
            "hub_topics": len(hub_topics),
            "dropped_duplicate_stubs": network.dropped_stubs,
        },
        "organisation_degree": degree_summary(list(org_degree.values())),
        "project_size": degree_summary(list(project_size.values())),
        "top_countries": dict(countries.most_common(10)),
        "files": {str(p.relative_to(target)): _sha256(p) for p in files},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, action="append", help="1, 10, 100 (repeatable)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    shape = RealShape.load()
    for scale in args.scale or [1.0, 10.0, 100.0]:
        manifest = generate(scale, args.seed, args.out, shape)
        print(f"x{scale:g}: {json.dumps(manifest['counts'])}")


if __name__ == "__main__":
    main()
