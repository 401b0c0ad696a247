"""Horizon 2020 (and Horizon Europe) project consortia from CORDIS: who carried out which project
with whom, the real collaboration ties between named organisations across regions.

Reads the format CORDIS publishes: ``organization.csv`` (one row per organisation and project;
``;``-separated, header names as published) with ``project.csv`` beside it when there is one, or
the comma-and-quotes variant of the bundled snapshot (``data/snapshot/cordis/``, see its
SOURCES.md). Reference lists bundled with the snapshot give each project its topic and title
(``h2020_project_topics.csv``) and mark the Enterprise Europe Network grants
(``een_projects_h2020.csv``) and the INNOSUP-01 cluster projects
(``innosup01_cluster_projects_h2020.csv``).

Writes ``(:Project)``, ``(:Organisation)`` (matched across sources with
``loaders.entities.OrganisationMatcher``; uid ``org:pic:<PIC>``), ``PARTICIPATED_IN {role,
ec_contribution}``, ``LOCATED_IN`` (``loaders.region_resolver.RegionResolver``; ``nuts_from`` on the
organisation says from what), ``(:Project)-[:IN_DOMAIN]->(:Domain)`` through the reviewed table
``data/mappings/cordis_topics.csv`` (a topic code or a prefix of it: ``SC5``, ``LC-SC3``, ...), and
for EEN grants ``(:Organisation)-[:MEMBER_OF]->(:Consortium)-[:IN_NETWORK]->(:Network {name:
'EEN'})``. Organisations that no evidence locates are loaded all the same and listed in
``$S3GRAPH_HOME/reports/cordis-unresolved.csv``.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph import reads
from graph.codes import to_eu_country_code
from graph.errors import SourceFormatError
from graph.schema import NodeLabel, RelType
from graph.writer import Node, Record, Rel
from loaders import cordis_h2020
from loaders.base import LoadContext, LoadReport, checked_name, validate_rows
from loaders.domains import load_term_mapping, normalise_term
from loaders.entities import Candidate, Match, OrganisationMatcher, name_key, normalise_vat
from loaders.entities import web_domain as to_web_domain
from loaders.region_resolver import RegionMatch, RegionResolver, placeholder_points
from loaders.tables import read_table

SOURCE = "cordis"

PARTICIPATIONS_FILE = "h2020_participations_sample.csv"
TOPICS_FILE = "h2020_project_topics.csv"
EEN_FILE = "een_projects_h2020.csv"
INNOSUP_FILE = "innosup01_cluster_projects_h2020.csv"
ORGANIZATION_FILE = "organization.csv"
PROJECT_FILE = "project.csv"
UNRESOLVED_REPORT = "cordis-unresolved.csv"

ORGANIZATION_COLUMNS = ("projectID", "organisationID", "name", "country", "role")
PROJECT_COLUMNS = ("id", "acronym")

EEN_NETWORK = "EEN"
DEFAULT_PROGRAMME = "H2020"
# The programme as people name it, from project.csv's frameworkProgramme.
PROGRAMMES = {"H2020": "H2020", "HORIZON": "Horizon Europe", "HE": "Horizon Europe"}
# Strongest role first: an organisation listed twice in one project keeps the stronger role.
ROLE_RANK = {"coordinator": 0, "participant": 1, "partner": 2, "thirdparty": 3, "associated": 4}
ROLES = {
    "coordinator": "coordinator",
    "participant": "participant",
    "partner": "partner",
    "thirdparty": "thirdParty",
    "associatedpartner": "associatedPartner",
    "internationalpartner": "internationalPartner",
}


_TOPIC_CUT = re.compile(r"[-.]")


# -- rows --------------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    text = " ".join(str(value or "").split())
    return text or None


def parse_amount(value: object) -> float | None:
    """EUR amounts as CORDIS writes them: '2674336.55', '4175063,55', '' (unknown)."""
    text = str(value or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text and "." in text:
        text = (
            text.replace(",", "")
            if text.rfind(".") > text.rfind(",")
            else text.replace(".", "").replace(",", ".")
        )
    elif "," in text:
        text = text.replace(",", ".")
    return float(text)


class ParticipationRow(BaseModel):
    """One row of ``organization.csv``: an organisation in a project."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    project_id: str = Field(alias="projectID", pattern=r"^\d{1,12}$")
    acronym: str | None = Field(default=None, alias="projectAcronym")
    pic: str = Field(alias="organisationID", pattern=r"^\d{5,12}$")
    vat: str | None = Field(default=None, alias="vatNumber")
    name: str
    short_name: str | None = Field(default=None, alias="shortName")
    sme: bool | None = Field(default=None, alias="SME")
    activity_type: str | None = Field(default=None, alias="activityType")
    street: str | None = None
    postcode: str | None = Field(default=None, alias="postCode")
    city: str | None = None
    country: str = Field(pattern=r"^[A-Z]{2}$")
    nuts_code: str | None = Field(default=None, alias="nutsCode")
    geolocation: str | None = None
    url: str | None = Field(default=None, alias="organizationURL")
    updated: str | None = Field(default=None, alias="contentUpdateDate")
    role: str
    ec_contribution: float | None = Field(default=None, alias="ecContribution")

    @field_validator("project_id", "pic", mode="before")
    @classmethod
    def strip_id(cls, value: object) -> str:
        return str(value or "").strip()

    @field_validator(
        "acronym",
        "vat",
        "short_name",
        "activity_type",
        "street",
        "postcode",
        "city",
        "nuts_code",
        "geolocation",
        "url",
        "updated",
        mode="before",
    )
    @classmethod
    def optional_text(cls, value: object) -> str | None:
        return _text(value)

    @field_validator("name", mode="before")
    @classmethod
    def check_name(cls, value: object) -> str:
        return checked_name(value)

    @field_validator("country", mode="before")
    @classmethod
    def eu_country(cls, value: object) -> str:
        return to_eu_country_code(str(value or ""))

    @field_validator("sme", mode="before")
    @classmethod
    def flag(cls, value: object) -> bool | None:
        text = str(value or "").strip().lower()
        if text in {"true", "yes", "1"}:
            return True
        if text in {"false", "no", "0"}:
            return False
        if not text:
            return None
        raise ValueError("SME must be true or false")

    @field_validator("role", mode="before")
    @classmethod
    def known_role(cls, value: object) -> str:
        key = re.sub(r"[^a-z]", "", str(value or "").lower())
        if key not in ROLES:
            raise ValueError(f"unknown role (expected one of {', '.join(ROLES.values())})")
        return ROLES[key]

    @field_validator("ec_contribution", mode="before")
    @classmethod
    def amount(cls, value: object) -> float | None:
        try:
            return parse_amount(value)
        except ValueError as exc:
            raise ValueError("not an amount in EUR") from exc


class ProjectRow(BaseModel):
    """One row of ``project.csv``."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    project_id: str = Field(alias="id", pattern=r"^\d{1,12}$")
    acronym: str | None = None
    title: str | None = None
    start_date: str | None = Field(default=None, alias="startDate")
    end_date: str | None = Field(default=None, alias="endDate")
    topics: str | None = None
    programme: str | None = Field(default=None, alias="frameworkProgramme")
    master_call: str | None = Field(default=None, alias="masterCall")
    ec_max_contribution: float | None = Field(default=None, alias="ecMaxContribution")

    @field_validator("project_id", mode="before")
    @classmethod
    def strip_id(cls, value: object) -> str:
        return str(value or "").strip()

    @field_validator(
        "acronym",
        "title",
        "start_date",
        "end_date",
        "topics",
        "programme",
        "master_call",
        mode="before",
    )
    @classmethod
    def optional_text(cls, value: object) -> str | None:
        return _text(value)

    @field_validator("ec_max_contribution", mode="before")
    @classmethod
    def amount(cls, value: object) -> float | None:
        try:
            return parse_amount(value)
        except ValueError as exc:
            raise ValueError("not an amount in EUR") from exc


# -- files -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CordisFiles:
    organizations: Path
    projects: Path | None
    topics: Path | None
    een: Path | None
    innosup: Path | None


def snapshot_dir(data_dir: Path) -> Path:
    return data_dir / "snapshot" / "cordis"


def topics_mapping_file(data_dir: Path) -> Path:
    return data_dir / "mappings" / "cordis_topics.csv"


def find_files(source_path: Path | None, data_dir: Path) -> CordisFiles:
    """The bundled snapshot, or a published ``organization.csv`` (a file, or a folder holding
    it) with ``project.csv`` beside it; the topic and EEN/INNOSUP lists come from the snapshot
    unless the folder has its own."""
    snapshot = snapshot_dir(data_dir)
    if source_path is None:
        folder, organizations, projects = snapshot, snapshot / PARTICIPATIONS_FILE, None
    elif source_path.is_dir():
        folder = source_path
        organizations = source_path / ORGANIZATION_FILE
        if not organizations.exists() and (source_path / PARTICIPATIONS_FILE).exists():
            organizations = source_path / PARTICIPATIONS_FILE
        projects = source_path / PROJECT_FILE
    else:
        folder, organizations = source_path.parent, source_path
        projects = source_path.parent / PROJECT_FILE

    def reference(name: str) -> Path | None:
        for candidate in (folder / name, snapshot / name):
            if candidate.exists():
                return candidate
        return None

    return CordisFiles(
        organizations=organizations,
        projects=projects if projects is not None and projects.exists() else None,
        topics=reference(TOPICS_FILE),
        een=reference(EEN_FILE),
        innosup=reference(INNOSUP_FILE),
    )


def read_reference(path: Path | None, value_column: str) -> dict[str, str]:
    """{projectID: value} from one of the bundled reference lists."""
    if path is None:
        return {}
    out: dict[str, str] = {}
    for _, row in read_table(path, required=("projectID", value_column)):
        project_id = (row["projectID"] or "").strip()
        if project_id:
            out[project_id] = (row[value_column] or "").strip()
    return out


def topic_domains(topic: str, mapping: dict[str, list[str]]) -> list[str] | None:
    """Domain codes of a topic code: the mapping's entry for the whole code or its longest
    prefix ending at a '-' or '.' (``LC-SC3-RES-2-2018`` -> ``LC-SC3`` ...). None when no entry
    covers it; [] when reviewed and deliberately unmapped."""
    key = normalise_term(topic)
    cuts = [m.start() for m in _TOPIC_CUT.finditer(key)]
    for end in [len(key), *reversed(cuts)]:
        codes = mapping.get(key[:end])
        if codes is not None:
            return codes
    return None


# -- the loader --------------------------------------------------------------------------------


@dataclass
class _Project:
    project_id: str
    acronym: str | None = None
    rows: list[ParticipationRow] = field(default_factory=list)


@dataclass
class ResolutionTally:
    """Counts of how organisations were located, for the report."""

    total: int = 0
    nuts3: int = 0
    nuts2_only: int = 0
    unresolved: int = 0
    outside_nuts: int = 0
    by_source: Counter[str] = field(default_factory=Counter)
    unresolved_rows: list[list[str]] = field(default_factory=list)

    def add(self, row: ParticipationRow, hit: RegionMatch, nuts_countries: set[str]) -> None:
        self.total += 1
        if hit.nuts3:
            self.nuts3 += 1
        elif hit.nuts2:
            self.nuts2_only += 1
        if hit.nuts_from:
            self.by_source[hit.nuts_from] += 1
            return
        inside = row.country in nuts_countries
        if inside:
            self.unresolved += 1
        else:
            self.outside_nuts += 1
        self.unresolved_rows.append(
            [
                row.pic,
                row.name,
                row.country,
                row.postcode or "",
                row.city or "",
                row.geolocation or "",
                "yes" if inside else "no",
                hit.detail,
            ]
        )

    def share(self, count: int) -> float:
        return round(count / self.total, 4) if self.total else 0.0


class CordisLoader:
    name = "cordis"
    description = "CORDIS H2020 project participations"
    depends_on: tuple[str, ...] = ("regions", "domains")

    def records(self, ctx: LoadContext, report: LoadReport) -> Iterator[Record]:
        files = find_files(ctx.source_path, ctx.data_dir)
        topics = read_reference(files.topics, "topic")
        topic_titles = read_reference(files.topics, "topicTitle")
        een = read_reference(files.een, "eenPhase")
        innosup = set(read_reference(files.innosup, "topic"))
        een_topics = {topics[p] for p in een if p in topics} | {"H2020-EEN"}
        mapping = load_term_mapping(topics_mapping_file(ctx.data_dir))

        project_rows: dict[str, ProjectRow] = {}
        if files.projects is not None:
            table = read_table(files.projects, required=PROJECT_COLUMNS)
            for _, project_row in validate_rows(table, ProjectRow, report, files.projects.name):
                project_rows[project_row.project_id] = project_row

        projects: dict[str, _Project] = {}
        rows = read_table(files.organizations, required=ORGANIZATION_COLUMNS)
        for _, part in validate_rows(rows, ParticipationRow, report, files.organizations.name):
            project = projects.setdefault(part.project_id, _Project(part.project_id))
            project.acronym = project.acronym or part.acronym
            project.rows.append(part)
        if not projects:
            raise SourceFormatError(f"{files.organizations.name}: no valid participation rows")

        # One record per organisation: the newest row of its PIC.
        latest: dict[str, ParticipationRow] = {}
        names: dict[str, set[str]] = defaultdict(set)
        for project in projects.values():
            for part in project.rows:
                names[part.pic].add(part.name)
                held = latest.get(part.pic)
                if held is None or (part.updated or "") > (held.updated or ""):
                    latest[part.pic] = part

        placeholders = placeholder_points((r.geolocation, r.city) for r in latest.values())
        resolver = RegionResolver.from_data_dir(ctx.data_dir, coarse_points=placeholders)
        matcher = OrganisationMatcher.from_graph(ctx.driver, ctx.settings.neo4j_database)
        known_regions = reads.region_ids(ctx.driver, ctx.settings.neo4j_database)
        nuts_countries = {code[:2] for code in resolver.versions.valid_2021}
        nuts_countries &= {c for c in nuts_countries if c.isalpha()}

        links = (
            ctx.source_path is None
            and not ctx.settings.cordis_sample_only
            and cordis_h2020.snapshot_has_links(snapshot_dir(ctx.data_dir))
        )
        placer = cordis_h2020.placer_for(ctx.data_dir, resolver) if links else None

        tally = ResolutionTally()
        merges: Counter[str] = Counter()
        uid_of: dict[str, str] = {}
        not_in_graph = 0
        for pic in sorted(latest):
            row = latest[pic]
            hit = resolver.resolve(
                row.country,
                nuts_code=row.nuts_code,
                postcode=row.postcode,
                city=row.city,
                geolocation=row.geolocation,
                address=", ".join(p for p in (row.street, row.city) if p),
            )
            tally.add(row, hit, nuts_countries)
            if placer is not None and hit.nuts_from == "postcode" and hit.nuts3:
                placer.witness(row.country, row.city, hit.nuts3)
            candidate = Candidate(
                uid=f"org:pic:{pic}",
                source_id=f"cordis:pic:{pic}",
                name=row.name,
                country_code=row.country,
                pic=pic,
                vat=row.vat,
                website=row.url,
                aliases=tuple(sorted(names[pic] - {row.name})),
                region=hit.nuts2,
            )
            found = matcher.match_and_register(candidate)
            uid_of[pic] = found.uid
            if found.merged:
                merges[found.rule] += 1
            yield self._organisation(row, candidate, found, hit, matcher)
            region = next((c for c in (hit.nuts3, hit.nuts2) if c and c in known_regions), None)
            if region:
                yield Rel(
                    RelType.LOCATED_IN,
                    NodeLabel.ORGANISATION,
                    found.uid,
                    NodeLabel.REGION,
                    region,
                    {"nuts_from": hit.nuts_from},
                    SOURCE,
                )
            elif hit.region:
                not_in_graph += 1

        kinds: Counter[str] = Counter()
        unmapped_projects = 0
        topic_projects: set[str] = set()
        een_network_written = False
        for project_id in sorted(projects, key=int):
            project = projects[project_id]
            meta = project_rows.get(project_id)
            topic = (meta.topics.split(";")[0].strip() if meta and meta.topics else None) or (
                topics.get(project_id) or None
            )
            kind = self._kind(project_id, topic, meta, een, een_topics, innosup)
            if kind:
                kinds[kind] += 1
            yield self._project(project, meta, topic, topic_titles.get(project_id), kind, topics)
            uid = f"cordis:{project_id}"
            if topic:
                codes = topic_domains(topic, mapping)
                if codes:
                    topic_projects.add(project_id)
                if codes is None:
                    report.unmapped(topic)
                    unmapped_projects += 1
                for code in codes or []:
                    yield Rel(
                        RelType.IN_DOMAIN,
                        NodeLabel.PROJECT,
                        uid,
                        NodeLabel.DOMAIN,
                        code,
                        {},
                        SOURCE,
                    )
            for pic, (role, amount) in self._participations(project).items():
                yield Rel(
                    RelType.PARTICIPATED_IN,
                    NodeLabel.ORGANISATION,
                    uid_of[pic],
                    NodeLabel.PROJECT,
                    uid,
                    {"role": role, "ec_contribution": amount},
                    SOURCE,
                )
            if kind == "een":
                if not een_network_written:
                    yield Node(NodeLabel.NETWORK, EEN_NETWORK, {}, SOURCE)
                    een_network_written = True
                yield from self._consortium(project, meta, een.get(project_id), uid_of)

        if placer is not None:
            sample = cordis_h2020.SampleState(
                uid_of=uid_of,
                contributions={
                    pid: {pic: amount for pic, (_, amount) in self._participations(p).items()}
                    for pid, p in projects.items()
                },
                topic_projects=topic_projects,
                placer=placer,
                unresolved_rows=tally.unresolved_rows,
            )
            yield from cordis_h2020.records(
                snapshot_dir(ctx.data_dir), ctx.data_dir, report, sample, matcher, known_regions
            )
        self._report(report, ctx, tally, merges, kinds, len(projects), unmapped_projects)
        if not_in_graph:
            report.notes.append(
                f"{not_in_graph} organisations resolved to regions that are not in the graph "
                "(outside the loaded NUTS regions, e.g. the UK): no LOCATED_IN written"
            )
        if not known_regions:
            report.notes.append("no Region in the graph: load 'regions' first for LOCATED_IN")

    # -- records -------------------------------------------------------------------------------

    @staticmethod
    def _organisation(
        row: ParticipationRow,
        candidate: Candidate,
        found: Match,
        hit: RegionMatch,
        matcher: OrganisationMatcher,
    ) -> Node:
        foreign = found.uid != candidate.uid
        props: dict[str, Any] = {
            "country_code": row.country,
            "pic": row.pic,
            "activity_type": row.activity_type,
            "sme": row.sme,
            "city": row.city,
            "postcode": row.postcode,
        }
        if not foreign:
            props["name"] = row.name
            props["name_key"] = name_key(row.name)
        if row.short_name:
            props["short_name"] = row.short_name
        vat = normalise_vat(row.vat, row.country)
        if vat:
            props["vat"] = vat
        domain = to_web_domain(row.url)
        if domain:
            props["web_domain"] = domain
            props["website"] = row.url
        if hit.nuts_from:
            props.update(
                {
                    "nuts3": hit.nuts3,
                    "nuts2": hit.nuts2,
                    "nuts_from": hit.nuts_from,
                    "nuts_detail": hit.detail,
                }
            )
        evidence = matcher.merge_evidence(found.uid)
        if evidence:
            props["merge_evidence"] = evidence
        aliases = candidate.aliases + ((row.name,) if foreign else ())
        return Node(
            NodeLabel.ORGANISATION,
            found.uid,
            {k: v for k, v in props.items() if v is not None},
            SOURCE,
            source_ids=(candidate.source_id,),
            aliases=aliases,
        )

    @staticmethod
    def _kind(
        project_id: str,
        topic: str | None,
        meta: ProjectRow | None,
        een: dict[str, str],
        een_topics: set[str],
        innosup: set[str],
    ) -> str | None:
        """'een' for Enterprise Europe Network grants, 'innosup' for INNOSUP-01 cluster
        projects (by the bundled lists, else by topic or call code)."""
        call = (meta.master_call if meta else None) or ""
        if (
            project_id in een
            or (topic and any(topic.startswith(t) for t in een_topics))
            or call.startswith("H2020-EEN")
        ):
            return "een"
        if project_id in innosup or (topic and topic.startswith(("INNOSUP-01", "INNOSUP-1-"))):
            return "innosup"
        return None

    @staticmethod
    def _project(
        project: _Project,
        meta: ProjectRow | None,
        topic: str | None,
        topic_title: str | None,
        kind: str | None,
        topics: dict[str, str],
    ) -> Node:
        pics = {r.pic for r in project.rows}
        countries = {r.country for r in project.rows}
        programme = (meta.programme if meta else None) or (
            DEFAULT_PROGRAMME if project.project_id in topics else None
        )
        programme = PROGRAMMES.get((programme or "").upper(), programme)
        props: dict[str, Any] = {
            "project_id": project.project_id,
            "acronym": (meta.acronym if meta else None) or project.acronym,
            "programme": programme,
            "topic": topic,
            "topic_title": topic_title,
            "kind": kind,
            "n_partners": len(pics),
            "n_countries": len(countries),
        }
        if meta:
            props.update(
                {
                    "title": meta.title,
                    "start_date": meta.start_date,
                    "end_date": meta.end_date,
                    "ec_max_contribution": meta.ec_max_contribution,
                }
            )
        return Node(
            NodeLabel.PROJECT,
            f"cordis:{project.project_id}",
            {k: v for k, v in props.items() if v is not None},
            SOURCE,
            source_ids=(f"cordis:project:{project.project_id}",),
        )

    @staticmethod
    def _participations(project: _Project) -> dict[str, tuple[str, float | None]]:
        """Per organisation: its strongest role and its total EC contribution in the project."""
        out: dict[str, tuple[str, float | None]] = {}
        for row in project.rows:
            role, amount = out.get(row.pic, (row.role, None))
            if ROLE_RANK.get(row.role.lower(), 9) < ROLE_RANK.get(role.lower(), 9):
                role = row.role
            if row.ec_contribution is not None:
                amount = (amount or 0.0) + row.ec_contribution
            out[row.pic] = (role, amount)
        return out

    @staticmethod
    def _consortium(
        project: _Project, meta: ProjectRow | None, phase: str | None, uid_of: dict[str, str]
    ) -> Iterator[Record]:
        uid = f"een:cordis:{project.project_id}"
        name = (meta.acronym if meta else None) or project.acronym or uid
        props: dict[str, Any] = {
            "name": name,
            "network": EEN_NETWORK,
            "project_id": project.project_id,
        }
        if phase:
            props["phase"] = phase
        yield Node(
            NodeLabel.CONSORTIUM, uid, props, SOURCE, source_ids=(f"cordis:{project.project_id}",)
        )
        yield Rel(
            RelType.IN_NETWORK,
            NodeLabel.CONSORTIUM,
            uid,
            NodeLabel.NETWORK,
            EEN_NETWORK,
            {},
            SOURCE,
        )
        for pic, (role, _) in CordisLoader._participations(project).items():
            yield Rel(
                RelType.MEMBER_OF,
                NodeLabel.ORGANISATION,
                uid_of[pic],
                NodeLabel.CONSORTIUM,
                uid,
                {"role": role},
                SOURCE,
            )

    # -- report --------------------------------------------------------------------------------

    @staticmethod
    def _report(
        report: LoadReport,
        ctx: LoadContext,
        tally: ResolutionTally,
        merges: Counter[str],
        kinds: Counter[str],
        n_projects: int,
        unmapped_projects: int,
    ) -> None:
        report.metrics.update(
            {
                "projects": n_projects,
                "organisations": tally.total,
                "share_nuts3": tally.share(tally.nuts3),
                "share_nuts2_only": tally.share(tally.nuts2_only),
                "share_nuts2_or_better": tally.share(tally.nuts3 + tally.nuts2_only),
                "share_unresolved": tally.share(tally.unresolved),
                "share_outside_nuts_area": tally.share(tally.outside_nuts),
                "unresolved": tally.unresolved,
                "outside_nuts_area": tally.outside_nuts,
                "projects_een": kinds["een"],
                "projects_innosup": kinds["innosup"],
                "projects_topic_unmapped": unmapped_projects,
            }
        )
        for source, count in tally.by_source.items():
            report.metrics[f"nuts_from_{source}"] = count
        for rule, count in merges.items():
            report.metrics[f"merged_by_{rule}"] = count
        path = ctx.settings.home / "reports" / UNRESOLVED_REPORT
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["pic", "name", "country", "postcode", "city", "geolocation", "in_nuts_area", "why"]
            )
            writer.writerows(tally.unresolved_rows)
        by_source = ", ".join(f"{k} {v:,}" for k, v in tally.by_source.most_common())
        report.notes.append(
            f"regions of {tally.total:,} organisations: NUTS 3 {tally.share(tally.nuts3):.1%}, "
            f"NUTS 2 only {tally.share(tally.nuts2_only):.1%}, unresolved {tally.unresolved:,} "
            f"({tally.share(tally.unresolved):.1%}), outside the NUTS area "
            f"{tally.outside_nuts:,}; from {by_source}"
        )
        report.notes.append(
            f"{tally.unresolved + tally.outside_nuts:,} organisations without a region: {path}"
        )
        if merges:
            report.notes.append(
                "merged with organisations of other sources: "
                + ", ".join(f"{rule} {count}" for rule, count in merges.most_common())
            )
        if kinds:
            report.notes.append(
                f"EEN grants {kinds['een']}, INNOSUP-01 cluster projects {kinds['innosup']}"
            )


LOADER = CordisLoader()
