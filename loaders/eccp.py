"""European Cluster Collaboration Platform: cluster organisations and the EU cluster
partnerships they form (European Strategic Cluster Partnerships, Euroclusters), the
interregional links between clusters.

Two parts, because only one of them exists as real data:

1. Always: the real, *partial* list of EU cluster partnerships in
   ``data/snapshot/eccp/escp_partnerships_partial.csv`` (see its SOURCES.md) as
   ``(:Partnership)`` nodes. Their member clusters are not known (``members_known = false``).
2. With ``--file``: cluster organisations in the canonical schema of the project's format notes
   (``eccp_slug``, ``name``, ``country_iso2``, ``nuts2``, ``city``, ``lat``, ``lon``,
   ``ecosystems``, size figures, ...; a proposal, since ECCP publishes no export) and, beside
   them, the partnership membership table (``partnership_members*.csv``). ``--file`` names the
   cluster file or a folder holding ``cluster_organisations*.csv``. No real file in this schema
   exists offline; the only one is the illustrative fixture in ``tests/fixtures/eccp/``.

Writes ``(:Cluster {uid: 'eccp:<slug>'})`` with its size figures, ``ACTIVE_IN`` the shared
domains (the ecosystem spellings and sectors via ``data/mappings/eccp_terms.csv``),
``LOCATED_IN`` (the given NUTS 2 code, else resolved from city and coordinates),
``IN_PARTNERSHIP {role}``, ``IN_NETWORK`` ``(:Network {name: 'ECCP'})``, and
``(:Organisation)-[:RUNS]->(:Cluster)`` when the cluster's website or name identifies an
organisation already in the graph.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from graph.codes import to_eu_country_code
from graph.schema import NodeLabel, RelType
from graph.writer import Node, Record, Rel
from loaders.base import MAX_NAME_LENGTH, LoadContext, LoadReport, checked_name, validate_rows
from loaders.domains import load_term_mapping, normalise_term
from loaders.entities import Candidate, OrganisationMatcher, web_domain
from loaders.networks import in_network, network_node, slug
from loaders.placement import RegionPlacer
from loaders.tables import read_table

SOURCE = "eccp"
NETWORK = "ECCP"
PARTNERSHIPS_FILE = "escp_partnerships_partial.csv"
TERMS_FILE = "eccp_terms.csv"
CLUSTER_GLOB = "cluster_organisations*.csv"
MEMBERS_GLOB = "partnership_members*.csv"

PARTNERSHIP_COLUMNS = ("partnership_acronym", "programme_strand")
CLUSTER_COLUMNS = ("eccp_slug", "name", "country_iso2")
MEMBER_COLUMNS = ("partnership_acronym", "cluster_eccp_slug", "role")

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
SIZE_FIELDS = ("members_sme", "members_large", "members_research", "members_other")


def _blank_is_none(value: object) -> object:
    if isinstance(value, str):
        return " ".join(value.split()) or None
    return value


def _pipe_list(value: object) -> list[str]:
    return [p.strip() for p in str(value or "").split("|") if p.strip()]


def _date(value: object) -> object:
    """'2027/06/30' (ESCA's form) or ISO '2027-06-30' -> a date."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        for form in ("%Y/%m/%d", "%Y-%m-%d"):
            try:
                return datetime.strptime(text, form).date()
            except ValueError:
                continue
        raise ValueError("not a date (YYYY/MM/DD or YYYY-MM-DD)")
    return value


class PartnershipRow(BaseModel):
    """One row of the real partial partnership list."""

    partnership_acronym: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    partnership_title: str | None = None
    programme_strand: str = Field(min_length=1)
    call_id: str | None = None
    period: str | None = Field(default=None, pattern=r"^\d{4}-\d{4}$")
    source_url: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def blank(cls, value: object) -> object:
        return _blank_is_none(value)


class ClusterRow(BaseModel):
    """One cluster organisation in the canonical schema."""

    eccp_slug: str = Field(pattern=SLUG_PATTERN, max_length=MAX_NAME_LENGTH)
    name: str
    acronym: str | None = None
    country_iso2: str = Field(pattern=r"^[A-Z]{2}$")
    region_name: str | None = None
    nuts2: str | None = Field(default=None, pattern=r"^[A-Z]{2}[A-Z0-9]{2}$")
    city: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    website: str | None = None
    year_established: int | None = Field(default=None, ge=1800, le=2100)
    ecosystems: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    technologies: list[str] = Field(default_factory=list)
    members_total: int | None = Field(default=None, ge=0)
    members_sme: int | None = Field(default=None, ge=0)
    members_large: int | None = Field(default=None, ge=0)
    members_research: int | None = Field(default=None, ge=0)
    members_other: int | None = Field(default=None, ge=0)
    esca_label: Literal["bronze", "silver", "gold", "none"] | None = None
    label_valid_until: date | None = None
    partnerships: list[str] = Field(default_factory=list)
    retrieved: date | None = None

    @field_validator(
        "acronym",
        "region_name",
        "nuts2",
        "city",
        "website",
        "lat",
        "lon",
        "year_established",
        *("members_total", *SIZE_FIELDS),
        mode="before",
    )
    @classmethod
    def blank(cls, value: object) -> object:
        return _blank_is_none(value)

    @field_validator("eccp_slug", "country_iso2", mode="before")
    @classmethod
    def stripped(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("name", mode="before")
    @classmethod
    def check_name(cls, value: object) -> str:
        return checked_name(value)

    @field_validator("ecosystems", "sectors", "technologies", "partnerships", mode="before")
    @classmethod
    def split(cls, value: object) -> list[str]:
        return _pipe_list(value)

    @field_validator("esca_label", mode="before")
    @classmethod
    def label(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().lower() or None
        return value

    @field_validator("label_valid_until", "retrieved", mode="before")
    @classmethod
    def dates(cls, value: object) -> object:
        return _date(value)

    @model_validator(mode="after")
    def consistent(self) -> ClusterRow:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        parts = [getattr(self, f) for f in SIZE_FIELDS if getattr(self, f) is not None]
        if self.members_total is not None and sum(parts) > self.members_total:
            raise ValueError(
                f"members by type add up to {sum(parts)}, more than members_total "
                f"{self.members_total}"
            )
        return self

    @property
    def point(self) -> tuple[float, float] | None:
        return (self.lat, self.lon) if self.lat is not None and self.lon is not None else None


class MemberRow(BaseModel):
    """One row of the partnership membership table."""

    partnership_acronym: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    programme_strand: str | None = None
    call_id: str | None = None
    cluster_eccp_slug: str = Field(pattern=SLUG_PATTERN, max_length=MAX_NAME_LENGTH)
    cluster_name: str | None = None
    country_iso2: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    role: Literal["coordinator", "partner"]

    @field_validator("*", mode="before")
    @classmethod
    def blank(cls, value: object) -> object:
        return _blank_is_none(value)

    @field_validator("role", mode="before")
    @classmethod
    def lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


@dataclass
class _Partnership:
    acronym: str
    props: dict[str, Any] = field(default_factory=dict)
    members: dict[str, str | None] = field(default_factory=dict)  # cluster slug -> role


def partnerships_file(data_dir: Path) -> Path:
    return data_dir / "snapshot" / "eccp" / PARTNERSHIPS_FILE


def terms_file(data_dir: Path) -> Path:
    return data_dir / "mappings" / TERMS_FILE


def partnership_uid(acronym: str) -> str:
    return f"eccp:partnership:{slug(acronym)}"


def cluster_uid(eccp_slug: str) -> str:
    return f"eccp:{eccp_slug}"


def cluster_files(source_path: Path) -> tuple[Path, Path | None]:
    """The cluster file and the membership table beside it (None when there is none)."""
    if source_path.is_dir():
        found = sorted(source_path.glob(CLUSTER_GLOB))
        cluster = found[0] if found else source_path / "cluster_organisations.csv"
        folder = source_path
    else:
        cluster, folder = source_path, source_path.parent
    members = sorted(folder.glob(MEMBERS_GLOB))
    return cluster, (members[0] if members else None)


class EccpLoader:
    name = "eccp"
    description = "EU cluster partnerships (real partial list) and ECCP cluster organisations"
    depends_on: tuple[str, ...] = ("regions", "domains")

    def records(self, ctx: LoadContext, report: LoadReport) -> Iterator[Record]:
        # Every file is read and validated before the first record, so a wholly wrong file
        # stops the load with the graph untouched.
        partnerships = self._real_partnerships(partnerships_file(ctx.data_dir), report)
        clusters: dict[str, ClusterRow] = {}
        cluster_file_name = ""
        if ctx.source_path is not None:
            cluster_path, members_path = cluster_files(ctx.source_path)
            cluster_file_name = cluster_path.name
            clusters = self._read_clusters(cluster_path, report)
            for row in clusters.values():
                for acronym in row.partnerships:
                    partnership = partnerships.setdefault(slug(acronym), _Partnership(acronym))
                    partnership.members.setdefault(row.eccp_slug, None)
            if members_path is not None:
                self._memberships(members_path, clusters, partnerships, report)
            else:
                report.notes.append(f"no {MEMBERS_GLOB} beside {cluster_path.name}")

        yield network_node(NETWORK, SOURCE)
        if ctx.source_path is None:
            report.notes.append(
                f"{len(partnerships)} EU cluster partnerships from the partial list (members not "
                "known); no cluster organisation file given (--file): ECCP publishes no export"
            )
        else:
            yield from self._clusters(ctx, cluster_file_name, clusters, report)
        for partnership in partnerships.values():
            uid = partnership_uid(partnership.acronym)
            props: dict[str, Any] = {"acronym": partnership.acronym, "name": partnership.acronym}
            props.update(partnership.props)
            if partnership.members:
                props["members_known"] = True
            yield Node(NodeLabel.PARTNERSHIP, uid, props, SOURCE, source_ids=(uid,))
            yield in_network(NodeLabel.PARTNERSHIP, uid, NETWORK, SOURCE)
            for cluster_slug, role in sorted(partnership.members.items()):
                yield Rel(
                    RelType.IN_PARTNERSHIP,
                    NodeLabel.CLUSTER,
                    cluster_uid(cluster_slug),
                    NodeLabel.PARTNERSHIP,
                    uid,
                    {"role": role} if role else {},  # unknown: keep a role stated before
                    SOURCE,
                )
        report.metrics["partnerships"] = len(partnerships)
        report.metrics["partnerships_with_members"] = sum(
            1 for p in partnerships.values() if p.members
        )

    # -- partnerships --------------------------------------------------------------------------

    @staticmethod
    def _real_partnerships(path: Path, report: LoadReport) -> dict[str, _Partnership]:
        out: dict[str, _Partnership] = {}
        table = read_table(path, PARTNERSHIP_COLUMNS)
        for line, row in validate_rows(table, PartnershipRow, report, path.name):
            key = slug(row.partnership_acronym)
            if key in out:
                report.reject(
                    path.name, line, "partnership_acronym", "repeated", row.partnership_acronym
                )
                continue
            out[key] = _Partnership(
                row.partnership_acronym,
                {
                    "acronym": row.partnership_acronym,
                    "name": row.partnership_title or row.partnership_acronym,
                    "title": row.partnership_title,
                    "programme_strand": row.programme_strand,
                    "call_id": row.call_id,
                    "period": row.period,
                    "source_url": row.source_url,
                    "members_known": False,
                    "source_file": path.name,
                },
            )
        return out

    # -- clusters ------------------------------------------------------------------------------

    @staticmethod
    def _read_clusters(path: Path, report: LoadReport) -> dict[str, ClusterRow]:
        """Valid cluster rows by slug; a repeated slug is a reject (it is the key)."""
        clusters: dict[str, ClusterRow] = {}
        for line, row in validate_rows(
            read_table(path, CLUSTER_COLUMNS), ClusterRow, report, path.name
        ):
            if row.eccp_slug in clusters:
                report.reject(path.name, line, "eccp_slug", "repeated", row.eccp_slug)
                continue
            clusters[row.eccp_slug] = row
        return clusters

    def _clusters(
        self,
        ctx: LoadContext,
        file_name: str,
        clusters: dict[str, ClusterRow],
        report: LoadReport,
    ) -> Iterator[Record]:
        mapping = load_term_mapping(terms_file(ctx.data_dir))
        placer = RegionPlacer.for_load(ctx)
        matcher = OrganisationMatcher.from_graph(ctx.driver, ctx.settings.neo4j_database)
        matched: Counter[str] = Counter()
        for row in clusters.values():
            yield from self._cluster(row, file_name, placer, mapping, report)
            yield from self._organisation(row, matcher, matched)
        report.metrics["clusters"] = len(clusters)
        report.metrics["clusters_matched_to_organisations"] = sum(matched.values())
        rules = ", ".join(f"{n} by {r}" for r, n in sorted(matched.items())) or "none"
        report.notes.append(
            f"{len(clusters)} clusters from {file_name}; {sum(matched.values())} matched to an "
            f"organisation already in the graph ({rules})"
        )
        placer.report_to(report, "clusters", ctx.settings.home / "reports")

    @staticmethod
    def _cluster(
        row: ClusterRow,
        file_name: str,
        placer: RegionPlacer,
        mapping: dict[str, list[str]],
        report: LoadReport,
    ) -> Iterator[Record]:
        uid = cluster_uid(row.eccp_slug)
        country = to_eu_country_code(row.country_iso2)
        placement = placer.place(
            uid, row.name, country, nuts_code=row.nuts2, city=row.city, geolocation=row.point
        )
        share_sme = (
            round(row.members_sme / row.members_total, 3)
            if row.members_sme is not None and row.members_total
            else None
        )
        props: dict[str, Any] = {
            "name": row.name,
            "acronym": row.acronym,
            "eccp_slug": row.eccp_slug,
            "country_code": country,
            "region_name": row.region_name,
            "city": row.city,
            "lat": row.lat,
            "lon": row.lon,
            "website": row.website,
            "web_domain": web_domain(row.website),
            "year_established": row.year_established,
            "ecosystems": row.ecosystems,
            "sectors": row.sectors,
            "technologies": row.technologies,
            "members_total": row.members_total,
            "members_sme": row.members_sme,
            "members_large": row.members_large,
            "members_research": row.members_research,
            "members_other": row.members_other,
            "share_sme": share_sme,
            "esca_label": row.esca_label,
            "label_valid_until": row.label_valid_until,
            "retrieved": row.retrieved,
            "source_file": file_name,
            **placement.props,
        }
        yield Node(NodeLabel.CLUSTER, uid, props, SOURCE, source_ids=(uid,))
        yield in_network(NodeLabel.CLUSTER, uid, NETWORK, SOURCE)
        if placement.region:
            yield Rel(
                RelType.LOCATED_IN,
                NodeLabel.CLUSTER,
                uid,
                NodeLabel.REGION,
                placement.region,
                {"nuts_from": placement.resolution.nuts_from},
                SOURCE,
            )
        domains: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for dimension, terms in (("ecosystem", row.ecosystems), ("sector", row.sectors)):
            for term in terms:
                codes = mapping.get(normalise_term(term))
                if codes is None:
                    report.unmapped(f"{dimension}: {term}")
                    continue
                for code in codes:
                    domains[code]["via"].add(dimension)
                    domains[code]["terms"].add(term)
        for code, how in sorted(domains.items()):
            yield Rel(
                RelType.ACTIVE_IN,
                NodeLabel.CLUSTER,
                uid,
                NodeLabel.DOMAIN,
                code,
                {"via": sorted(how["via"]), "terms": sorted(how["terms"])},
                SOURCE,
            )

    @staticmethod
    def _organisation(
        row: ClusterRow, matcher: OrganisationMatcher, matched: Counter[str]
    ) -> Iterator[Record]:
        """``(:Organisation)-[:RUNS]->(:Cluster)`` when the cluster's website or name identifies
        one organisation of the graph; a cluster never becomes an organisation by itself."""
        source_id = cluster_uid(row.eccp_slug)
        candidate = Candidate(
            uid=f"org:{source_id}",
            source_id=source_id,
            name=row.name,
            country_code=to_eu_country_code(row.country_iso2),
            website=row.website,
        )
        if matcher.match(candidate).rule == "new":
            return
        found = matcher.match_and_register(candidate)
        matched[found.rule] += 1
        prefix = f"{source_id} matched by "
        evidence = found.evidence or next(
            (e for e in matcher.merge_evidence(found.uid) if e.startswith(prefix)), ""
        )
        yield Node(
            NodeLabel.ORGANISATION,
            found.uid,
            {"merge_evidence": matcher.merge_evidence(found.uid)},
            SOURCE,
            source_ids=(source_id,),
        )
        yield Rel(
            RelType.RUNS,
            NodeLabel.ORGANISATION,
            found.uid,
            NodeLabel.CLUSTER,
            source_id,
            {"match_rule": found.rule, "match_score": found.score, "match_evidence": evidence},
            SOURCE,
        )

    @staticmethod
    def _memberships(
        path: Path,
        clusters: dict[str, ClusterRow],
        partnerships: dict[str, _Partnership],
        report: LoadReport,
    ) -> None:
        """Adds the membership table to ``partnerships``; a row naming a cluster that the
        cluster file lacks, or in another country than the file says, is a reject."""
        table = read_table(path, MEMBER_COLUMNS)
        for line, row in validate_rows(table, MemberRow, report, path.name):
            cluster = clusters.get(row.cluster_eccp_slug)
            if cluster is None:
                report.reject(
                    path.name,
                    line,
                    "cluster_eccp_slug",
                    "cluster not in the cluster organisation file",
                    row.cluster_eccp_slug,
                )
                continue
            if row.country_iso2 and row.country_iso2 != cluster.country_iso2:
                report.reject(
                    path.name,
                    line,
                    "country_iso2",
                    f"cluster is in {cluster.country_iso2} by the cluster organisation file",
                    row.country_iso2,
                )
                continue
            partnership = partnerships.setdefault(
                slug(row.partnership_acronym), _Partnership(row.partnership_acronym)
            )
            for key, value in (
                ("programme_strand", row.programme_strand),
                ("call_id", row.call_id),
            ):
                if value and not partnership.props.get(key):
                    partnership.props[key] = value
            partnership.props.setdefault("source_file", path.name)
            partnership.members[row.cluster_eccp_slug] = row.role


LOADER = EccpLoader()
