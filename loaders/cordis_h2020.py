"""The near-complete Horizon 2020 network, read with the named CORDIS sample (``loaders.cordis``):
144,726 participations by project RCN and PIC (December 2020) and the names and towns of 16,591
organisations (mid-2017), both bundled in ``data/snapshot/cordis/`` (see its SOURCES.md).

- **Organisations** are ``org:pic:<PIC>`` whatever file names them. A PIC of the sample keeps the
  sample's record (it has a postcode); a PIC of the 2017 list gets its name and is placed from its
  town (``loaders.towns.TownPlacer``); a PIC in neither is an organisation whose name is unknown:
  ``name_known`` false, shown as "Unnamed organisation (PIC ...)" with its country and activity
  type, never matched to another source by name.
- **Projects**: a sample project is the same node as its RCN row when the EC contributions of its
  participants single out one RCN project (at least half of them agreeing); the rest are
  ``cordis:rcn:<RCN>``, shown as programme part, start year and RCN, linked to CORDIS.
- **Ties** carry role and EC contribution; the project carries start and end dates (the score's
  recency) and its programme parts reach the domains through the reviewed table
  ``data/mappings/cordis_programme_parts.csv``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.codes import to_eu_country_code
from graph.schema import NodeLabel, RelType
from graph.writer import Node, Record, Rel
from loaders.base import LoadReport, checked_name, validate_rows
from loaders.domains import load_term_mapping
from loaders.entities import Candidate, OrganisationMatcher, name_key
from loaders.region_resolver import RegionResolver
from loaders.tables import read_table
from loaders.towns import TownPlacer, gazetteer, municipalities, nuts_countries

SOURCE = "cordis"
LINKS_FILE = "h2020_org_project_links_partial.csv.gz"
ORGANISATIONS_FILE = "h2020_organisations_2017.csv.gz"
LINK_COLUMNS = ("projectRcn", "organisationPIC", "role", "country", "startDate", "endDate")
ORGANISATION_COLUMNS = ("pic", "name", "city", "country")
PROJECT_URL = "https://cordis.europa.eu/project/rcn/{rcn}"
ORGANISATION_URL = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/"
    "how-to-participate/org-details/{pic}"
)
ROLE_RANK = {"coordinator": 0, "participant": 1, "partner": 2}
ACTIVITY_TYPES = {
    "HES": "higher or secondary education",
    "REC": "research organisation",
    "PRC": "private company",
    "PUB": "public body",
    "OTH": "other",
}


def _amount(value: object) -> float | None:
    text = str(value or "").strip()
    if not text or text.upper() == "NA":
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise ValueError("not an amount in EUR") from exc


class LinkRow(BaseModel):
    """One participation of the links file: an organisation (PIC) in a project (RCN)."""

    model_config = ConfigDict(extra="ignore")

    rcn: str = Field(alias="projectRcn", pattern=r"^\d{1,9}$")
    pic: str = Field(alias="organisationPIC", pattern=r"^\d{5,12}$")
    role: str
    activity_type: str | None = Field(default=None, alias="activityType")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    ec_contribution: float | None = Field(default=None, alias="ecContribution")
    start_date: dt.date | None = Field(default=None, alias="startDate")
    end_date: dt.date | None = Field(default=None, alias="endDate")
    ec_max_contribution: float | None = Field(default=None, alias="projectEcMaxContribution")
    total_cost: float | None = Field(default=None, alias="projectTotalCost")
    n_countries: int | None = Field(default=None, alias="projectNCountries", ge=0)
    programme_part: str | None = Field(default=None, alias="programmePart")

    @field_validator("rcn", "pic", mode="before")
    @classmethod
    def strip_id(cls, value: object) -> str:
        return str(value or "").strip()

    @field_validator("role", mode="before")
    @classmethod
    def known_role(cls, value: object) -> str:
        role = str(value or "").strip().lower()
        if role not in ROLE_RANK:
            raise ValueError(f"unknown role (expected one of {', '.join(ROLE_RANK)})")
        return role

    @field_validator("country", mode="before")
    @classmethod
    def eu_country(cls, value: object) -> str | None:
        return to_eu_country_code(str(value or "")) or None

    @field_validator("ec_contribution", "ec_max_contribution", "total_cost", mode="before")
    @classmethod
    def amount(cls, value: object) -> float | None:
        return _amount(value)

    @field_validator(
        "activity_type", "programme_part", "start_date", "end_date", "n_countries", mode="before"
    )
    @classmethod
    def empty_is_none(cls, value: object) -> object:
        text = str(value or "").strip()
        return None if not text or text.upper() == "NA" else text

    @model_validator(mode="after")
    def dates_in_order(self) -> LinkRow:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"ends ({self.end_date}) before it starts ({self.start_date})")
        return self


class OrganisationRow(BaseModel):
    """One organisation of the 2017 list."""

    model_config = ConfigDict(extra="ignore")

    pic: str = Field(pattern=r"^\d{5,12}$")
    name: str
    short_name: str | None = Field(default=None, alias="shortName")
    activity_type: str | None = Field(default=None, alias="activityType")
    street: str | None = None
    city: str | None = None
    country: str = Field(pattern=r"^[A-Z]{2}$")

    @field_validator("pic", mode="before")
    @classmethod
    def strip_id(cls, value: object) -> str:
        return str(value or "").strip()

    @field_validator("name", mode="before")
    @classmethod
    def check_name(cls, value: object) -> str:
        return checked_name(value)

    @field_validator("short_name", "activity_type", "street", "city", mode="before")
    @classmethod
    def optional_text(cls, value: object) -> str | None:
        return " ".join(str(value or "").split()) or None

    @field_validator("country", mode="before")
    @classmethod
    def eu_country(cls, value: object) -> str:
        return to_eu_country_code(str(value or ""))


@dataclass
class SampleState:
    """What the named sample already wrote, for the near-complete files to join onto."""

    uid_of: dict[str, str]  # PIC -> organisation uid
    contributions: dict[str, dict[str, float | None]]  # projectID -> {PIC: EC contribution}
    topic_projects: set[str]  # projectIDs whose topic already gave their domains
    placer: TownPlacer
    unresolved_rows: list[list[str]]  # the rows of cordis-unresolved.csv


@dataclass
class _RcnProject:
    rcn: str
    first: LinkRow
    ties: dict[str, tuple[str, float | None]] = field(default_factory=dict)
    countries: set[str] = field(default_factory=set)

    def add(self, row: LinkRow) -> None:
        role, amount = self.ties.get(row.pic, (row.role, None))
        if ROLE_RANK[row.role] < ROLE_RANK[role]:
            role = row.role
        if row.ec_contribution is not None:
            amount = (amount or 0.0) + row.ec_contribution
        self.ties[row.pic] = (role, amount)
        if row.country:
            self.countries.add(row.country)


def snapshot_has_links(snapshot: Path) -> bool:
    return (snapshot / LINKS_FILE).exists() and (snapshot / ORGANISATIONS_FILE).exists()


def programme_mapping_file(data_dir: Path) -> Path:
    return data_dir / "mappings" / "cordis_programme_parts.csv"


def placer_for(data_dir: Path, resolver: RegionResolver) -> TownPlacer:
    return TownPlacer(municipalities(data_dir), resolver, gazetteer(nuts_countries(resolver)))


def match_projects(
    contributions: dict[str, dict[str, float | None]], projects: dict[str, _RcnProject]
) -> dict[str, str]:
    """{RCN: projectID} for the sample projects whose participants' EC contributions single out
    one RCN project: the most participants with the same amount (ties broken by the overlap of
    the two lists), and at least half of the sample's participants agreeing. Single-beneficiary
    grants of a standard amount (fellowships) match several and stay apart."""
    by_pic: dict[str, list[str]] = defaultdict(list)
    for rcn, project in projects.items():
        for pic in project.ties:
            by_pic[pic].append(rcn)
    out: dict[str, str] = {}
    for project_id, amounts in contributions.items():
        agree: Counter[str] = Counter()
        for pic, amount in amounts.items():
            if not amount:
                continue
            for rcn in by_pic.get(pic, ()):
                other = projects[rcn].ties[pic][1]
                if other is not None and round(other) == round(amount):
                    agree[rcn] += 1
        if not agree:
            continue

        ranked = sorted(agree, key=lambda r: _rank(r, agree, amounts, projects), reverse=True)
        ranks = [_rank(r, agree, amounts, projects) for r in ranked[:2]]
        if len(ranks) > 1 and ranks[0] == ranks[1]:
            continue
        if agree[ranked[0]] * 2 >= len(amounts) and ranked[0] not in out:
            out[ranked[0]] = project_id
    return out


def _rank(
    rcn: str,
    agree: Counter[str],
    amounts: dict[str, float | None],
    projects: dict[str, _RcnProject],
) -> tuple[int, float]:
    pics = projects[rcn].ties.keys()
    return agree[rcn], len(amounts.keys() & pics) / len(amounts.keys() | pics)


def programme_domains(parts: str | None, mapping: dict[str, list[str]]) -> list[str] | None:
    """Domain codes of 'LEIT;SC2'-style programme parts; None when a part is not in the table."""
    if not parts:
        return []
    codes: list[str] = []
    for part in parts.split(";"):
        found = mapping.get(re.sub(r"\s+", " ", part.strip().lower()))
        if found is None:
            return None
        codes += [c for c in found if c not in codes]
    return codes


def project_label(project: _RcnProject) -> str:
    first = project.first
    part = (first.programme_part or "H2020").replace(";", "/")
    year = f" {first.start_date.year}" if first.start_date else ""
    return f"H2020 {part}{year} · RCN {project.rcn}"


@dataclass
class Tally:
    named: int = 0
    unnamed: int = 0
    by_evidence: Counter[str] = field(default_factory=Counter)
    nuts3: int = 0
    nuts2_only: int = 0
    unplaced: list[list[str]] = field(default_factory=list)


def records(
    snapshot: Path,
    data_dir: Path,
    report: LoadReport,
    sample: SampleState,
    matcher: OrganisationMatcher,
    known_regions: set[str],
) -> Iterator[Record]:
    """Organisations, projects and ties of the near-complete files (see the module docstring)."""
    projects: dict[str, _RcnProject] = {}
    activity: dict[str, tuple[str | None, str | None]] = {}
    table = read_table(snapshot / LINKS_FILE, required=LINK_COLUMNS)
    for _, row in validate_rows(table, LinkRow, report, LINKS_FILE):
        project = projects.get(row.rcn)
        if project is None:
            project = projects[row.rcn] = _RcnProject(row.rcn, row)
        project.add(row)
        held = activity.get(row.pic)
        if held is None or not held[1]:
            activity[row.pic] = (row.activity_type, row.country)
    named: dict[str, OrganisationRow] = {}
    listed = read_table(snapshot / ORGANISATIONS_FILE, required=ORGANISATION_COLUMNS)
    for _, org in validate_rows(listed, OrganisationRow, report, ORGANISATIONS_FILE):
        named.setdefault(org.pic, org)

    tally = Tally()
    uid_of = dict(sample.uid_of)
    for pic in sorted(activity.keys() - sample.uid_of.keys()):
        org_row = named.get(pic)
        if org_row is None:
            tally.unnamed += 1
            uid_of[pic] = f"org:pic:{pic}"
            yield _unnamed(pic, *activity[pic])
            continue
        tally.named += 1
        uid_of[pic], written = _named(org_row, sample.placer, matcher, known_regions, tally)
        yield from written

    mapping = load_term_mapping(programme_mapping_file(data_dir))
    same = match_projects(sample.contributions, projects)
    unmapped = 0
    for rcn in sorted(projects, key=int):
        project = projects[rcn]
        project_id = same.get(rcn)
        uid = f"cordis:{project_id}" if project_id else f"cordis:rcn:{rcn}"
        known = sample.contributions.get(project_id or "", {})
        yield _project(project, uid, project_id, known)
        if not (project_id and project_id in sample.topic_projects):
            codes = programme_domains(project.first.programme_part, mapping)
            if codes is None:
                unmapped += 1
                report.unmapped(project.first.programme_part or "")
            for code in codes or []:
                yield Rel(
                    RelType.IN_DOMAIN, NodeLabel.PROJECT, uid, NodeLabel.DOMAIN, code, {}, SOURCE
                )
        for pic, (role, amount) in project.ties.items():
            if pic in known:
                continue  # the sample's row of the same participation is already written
            yield Rel(
                RelType.PARTICIPATED_IN,
                NodeLabel.ORGANISATION,
                uid_of[pic],
                NodeLabel.PROJECT,
                uid,
                {"role": role, "ec_contribution": amount},
                SOURCE,
            )
    sample.unresolved_rows.extend(tally.unplaced)
    _report(report, tally, len(projects), len(same), unmapped)


def _unnamed(pic: str, activity_type: str | None, country: str | None) -> Node:
    said = ", ".join(x for x in (ACTIVITY_TYPES.get(activity_type or ""), country) if x)
    props: dict[str, Any] = {
        "name": f"Unnamed organisation (PIC {pic}{', ' + said if said else ''})",
        "name_known": False,
        "pic": pic,
        "country_code": country,
        "activity_type": activity_type,
        "website": ORGANISATION_URL.format(pic=pic),
    }
    return Node(
        NodeLabel.ORGANISATION,
        f"org:pic:{pic}",
        {k: v for k, v in props.items() if v is not None},
        SOURCE,
        source_ids=(f"cordis:pic:{pic}",),
    )


def _named(
    row: OrganisationRow,
    placer: TownPlacer,
    matcher: OrganisationMatcher,
    known_regions: set[str],
    tally: Tally,
) -> tuple[str, list[Record]]:
    """The organisation's uid (another source's when the matcher finds it there) and records."""
    place = placer.place(row.country, row.city)
    if place.nuts_from:
        tally.by_evidence[place.nuts_from] += 1
        if place.nuts3:
            tally.nuts3 += 1
        else:
            tally.nuts2_only += 1
    elif any(code.startswith(row.country) for code in known_regions):
        tally.unplaced.append(
            [row.pic, row.name, row.country, "", row.city or "", "", "yes", place.detail]
        )
    candidate = Candidate(
        uid=f"org:pic:{row.pic}",
        source_id=f"cordis:pic:{row.pic}",
        name=row.name,
        country_code=row.country,
        pic=row.pic,
        region=place.nuts2,
    )
    found = matcher.match_and_register(candidate)
    foreign = found.uid != candidate.uid
    props: dict[str, Any] = {
        "country_code": row.country,
        "pic": row.pic,
        "activity_type": row.activity_type,
        "city": row.city,
        "street": row.street,
        "short_name": row.short_name,
    }
    if not foreign:
        props.update({"name": row.name, "name_key": name_key(row.name), "name_known": True})
    if place.nuts_from:
        props.update(
            {
                "nuts3": place.nuts3,
                "nuts2": place.nuts2,
                "nuts_from": place.nuts_from,
                "nuts_detail": place.detail,
            }
        )
    evidence = matcher.merge_evidence(found.uid)
    if evidence:
        props["merge_evidence"] = evidence
    out: list[Record] = [
        Node(
            NodeLabel.ORGANISATION,
            found.uid,
            {k: v for k, v in props.items() if v is not None},
            SOURCE,
            source_ids=(candidate.source_id,),
            aliases=(row.name,) if foreign else (),
        )
    ]
    region = next((c for c in (place.nuts3, place.nuts2) if c and c in known_regions), None)
    if region:
        out.append(
            Rel(
                RelType.LOCATED_IN,
                NodeLabel.ORGANISATION,
                found.uid,
                NodeLabel.REGION,
                region,
                {"nuts_from": place.nuts_from},
                SOURCE,
            )
        )
    return found.uid, out


def _project(
    project: _RcnProject, uid: str, project_id: str | None, known: dict[str, float | None]
) -> Node:
    first = project.first
    props: dict[str, Any] = {
        "rcn": project.rcn,
        "programme": "H2020",
        "programme_part": first.programme_part,
        "start_date": first.start_date.isoformat() if first.start_date else None,
        "end_date": first.end_date.isoformat() if first.end_date else None,
        "ec_max_contribution": first.ec_max_contribution,
        "total_cost": first.total_cost,
        "n_partners": len(project.ties.keys() | known.keys()),
        "n_countries": first.n_countries or len(project.countries),
        "url": PROJECT_URL.format(rcn=project.rcn),
    }
    if project_id is None:
        props["name"] = project_label(project)
    return Node(
        NodeLabel.PROJECT,
        uid,
        {k: v for k, v in props.items() if v is not None},
        SOURCE,
        source_ids=(f"cordis:rcn:{project.rcn}",),
    )


def _report(report: LoadReport, tally: Tally, n_projects: int, n_same: int, unmapped: int) -> None:
    placed = tally.nuts3 + tally.nuts2_only
    inside = placed + len(tally.unplaced)
    report.metrics.update(
        {
            "h2020_projects": n_projects,
            "h2020_projects_same_as_sample": n_same,
            "h2020_named_organisations": tally.named,
            "h2020_unnamed_organisations": tally.unnamed,
            "h2020_placed_nuts3": tally.nuts3,
            "h2020_placed_nuts2_only": tally.nuts2_only,
            "h2020_unplaced_in_nuts_area": len(tally.unplaced),
            "h2020_projects_programme_unmapped": unmapped,
        }
    )
    for evidence, count in tally.by_evidence.items():
        report.metrics[f"h2020_nuts_from_{evidence}"] = count
    share = (lambda n: n / inside) if inside else (lambda n: 0.0)
    report.notes.append(
        f"near-complete H2020: {n_projects:,} projects ({n_same} the same as a sample project), "
        f"{tally.named:,} named and {tally.unnamed:,} unnamed organisations beyond the sample; "
        f"named ones of the NUTS area placed at NUTS 3 {share(tally.nuts3):.1%}, NUTS 2 only "
        f"{share(tally.nuts2_only):.1%}, unplaced {share(len(tally.unplaced)):.1%}"
    )
