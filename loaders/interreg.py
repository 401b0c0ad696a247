"""Interreg projects and their partners from keep.eu (``data/snapshot/interreg/``, see its
SOURCES.md): the cross-border, transnational and interregional partnerships of regional
authorities, agencies, chambers, clusters and universities.

Reads keep.eu's own export: the partnership CSV (``;``, one row per partner of a project) and the
workbook (sheet ``Projects (lead partners)`` for each project's name, budget, themes, objectives,
description and dates; sheet ``Partners`` when no CSV is given). ``--file`` takes a newer export
of the same shape: the CSV, the workbook, or a folder holding them.

- **Projects**: one ``(:Project {uid 'interreg:<programme>:<acronym>', kind 'interreg'})`` per
  (programme, acronym), since acronyms repeat across programmes; the strand (cross-border,
  transnational, interregional, URBACT, IPA/ENI cross-border, ...) comes from the programme
  name, the themes reach the domains through ``data/mappings/interreg_themes.csv``.
- **Partners**: a row has no id. Rows are matched to each other and to the organisations
  already in the graph (CORDIS, EDIH) by ``loaders.entities.OrganisationMatcher`` and its rules
  (website host within the country, name within country and NUTS 2, nothing on a weak signal);
  two Interreg rows are one organisation by name only in the same town (or NUTS 3 region for an
  identical name), and a
  website shared by several differently named partners (a programme's site) is no evidence.
  ``PARTICIPATED_IN {role: 'lead partner' | 'partner'}``.
- **Regions**: the row's NUTS 3 code where it is a NUTS 2021 code; else its postcode; else its
  town (``loaders.towns.TownPlacer``). Nothing guessed; the unplaced are listed in
  ``$S3GRAPH_HOME/reports/interreg-unplaced.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph import reads
from graph.codes import fold_name, to_eu_country_code
from graph.errors import SourceFormatError
from graph.schema import NodeLabel, RelType
from graph.writer import Node, Record, Rel
from loaders.base import LoadContext, LoadReport, checked_name, validate_rows
from loaders.cordis import parse_amount
from loaders.domains import load_term_mapping, normalise_term
from loaders.entities import Candidate, Match, OrganisationMatcher, name_key, web_domain
from loaders.region_resolver import RegionResolver
from loaders.tables import read_table
from loaders.towns import TownPlacer, gazetteer, municipalities, nuts_countries

SOURCE = "interreg"
PARTNERSHIP_FILE = "keep_2014_2020_partnership.csv.gz"
WORKBOOK_FILE = "keep_2014_2020.xlsx"
PROJECTS_SHEET = "Projects (lead partners)"
PARTNERS_SHEET = "Partners"
UNPLACED_REPORT = "interreg-unplaced.csv"
PARTNER_COLUMNS = ("Programme", "Acronym", "Project Partner", "Lead Partner", "Country")
PROJECT_COLUMNS = ("Programme", "Acronym", "Project start", "Project end")
# A website host that this many differently named partners give is a programme's site.
SHARED_HOST_NAMES = 2
_NUTS_CELL = re.compile(r"^\s*([A-Z]{2}[A-Z0-9]{0,3})\s*(/|$)")

STRANDS: tuple[tuple[str, str], ...] = (
    ("URBACT", "URBACT"),
    ("ESPON", "ESPON (territorial observation)"),
    ("INTERACT", "INTERACT (programme support)"),
    ("IPA CBC", "IPA cross-border"),
    ("ENI CBC", "ENI cross-border"),
    ("PEACE", "cross-border (PEACE)"),
    ("V-A", "cross-border"),
    ("VB", "transnational"),
    ("VC", "interregional"),
    ("INTERREG EUROPE", "interregional"),
)


def strand_of(programme: str) -> str:
    """The Interreg strand a programme belongs to, from its name."""
    upper = programme.upper()
    for marker, strand in STRANDS:
        if marker in upper:
            return strand
    return "other"


def nuts_code(cell: object) -> str | None:
    """'DEG01  / Erfurt, Kreisfreie Stadt' -> 'DEG01'."""
    found = _NUTS_CELL.match(str(cell or ""))
    return found.group(1) if found else None


def _text(value: object) -> str | None:
    return " ".join(str(value or "").split()) or None


class PartnerRow(BaseModel):
    """One partner of one project, as keep.eu exports it."""

    model_config = ConfigDict(extra="ignore")

    programme: str = Field(alias="Programme")
    acronym: str = Field(alias="Acronym")
    name: str = Field(alias="Project Partner")
    lead: bool = Field(alias="Lead Partner")
    street: str | None = Field(default=None, alias="Street")
    postcode: str | None = Field(default=None, alias="Postal code")
    town: str | None = Field(default=None, alias="Town")
    country: str = Field(alias="Country code")
    website: str | None = Field(default=None, alias="Website")
    department: str | None = Field(default=None, alias="Department")
    legal_status: str | None = Field(default=None, alias="Legal Status")
    nuts3: str | None = Field(default=None, alias="NUTS3 (or equivalent)")
    nuts2: str | None = Field(default=None, alias="NUTS2 (or equivalent)")

    @field_validator("programme", "acronym", mode="before")
    @classmethod
    def required(cls, value: object) -> str:
        return checked_name(value, "value")

    @field_validator("name", mode="before")
    @classmethod
    def partner_name(cls, value: object) -> str:
        return checked_name(value, "partner name")

    @field_validator("lead", mode="before")
    @classmethod
    def yes_no(cls, value: object) -> bool:
        text = str(value or "").strip().lower()
        if text not in {"yes", "no"}:
            raise ValueError("Lead Partner must be Yes or No")
        return text == "yes"

    @field_validator("country", mode="before")
    @classmethod
    def country_code(cls, value: object) -> str:
        """'DE Germany / DEUTSCHLAND' -> 'DE' ('GR' -> 'EL')."""
        code = to_eu_country_code(str(value or "").strip()[:2])
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ValueError("no country code and no NUTS code to tell the country")
        return code

    @field_validator("nuts3", "nuts2", mode="before")
    @classmethod
    def code(cls, value: object) -> str | None:
        return nuts_code(value)

    @model_validator(mode="before")
    @classmethod
    def country_from_nuts(cls, raw: Any) -> Any:
        """A row without its country code takes the country of its NUTS code."""
        if isinstance(raw, dict) and not str(raw.get("Country code") or "").strip():
            code = nuts_code(raw.get("NUTS3 (or equivalent)")) or nuts_code(
                raw.get("NUTS2 (or equivalent)")
            )
            if code:
                raw = {**raw, "Country code": code[:2]}
        return raw

    @field_validator(
        "street", "postcode", "town", "website", "department", "legal_status", mode="before"
    )
    @classmethod
    def optional(cls, value: object) -> str | None:
        return _text(value)


class InterregProjectRow(BaseModel):
    """One project of the workbook's project sheet."""

    model_config = ConfigDict(extra="ignore")

    programme: str = Field(alias="Programme")
    acronym: str = Field(alias="Acronym")
    name: str | None = Field(default=None, alias="Project Name")
    budget: float | None = Field(default=None, alias="Budget")
    eu_funding: float | None = Field(default=None, alias="EU Funding")
    erdf_budget: float | None = Field(default=None, alias="ERDF budget")
    theme1: str | None = Field(default=None, alias="Thematic1")
    theme2: str | None = Field(default=None, alias="Thematic2")
    theme3: str | None = Field(default=None, alias="Thematic3")
    specific_objective: str | None = Field(default=None, alias="Specific Obj")
    thematic_objective: str | None = Field(default=None, alias="Thematic Obj")
    description: str | None = Field(default=None, alias="Description EN")
    start_date: dt.date | None = Field(default=None, alias="Project start")
    end_date: dt.date | None = Field(default=None, alias="Project end")

    @field_validator("programme", "acronym", mode="before")
    @classmethod
    def required(cls, value: object) -> str:
        return checked_name(value, "value")

    @field_validator(
        "name",
        "theme1",
        "theme2",
        "theme3",
        "specific_objective",
        "thematic_objective",
        "description",
        mode="before",
    )
    @classmethod
    def optional(cls, value: object) -> str | None:
        return _text(value)

    @field_validator("budget", "eu_funding", "erdf_budget", mode="before")
    @classmethod
    def amount(cls, value: object) -> float | None:
        if isinstance(value, int | float):
            return float(value)
        try:
            return parse_amount(value)
        except ValueError as exc:
            raise ValueError("not an amount in EUR") from exc

    @field_validator("start_date", "end_date", mode="before")
    @classmethod
    def date(cls, value: object) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return dt.datetime.strptime(text.replace("-", "/"), "%Y/%m/%d").date()
        except ValueError as exc:
            raise ValueError("not a date (YYYY/MM/DD)") from exc

    @property
    def themes(self) -> list[str]:
        return [t for t in (self.theme1, self.theme2, self.theme3) if t]


# -- files ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterregFiles:
    partners: Path  # a CSV, or the workbook (its Partners sheet)
    workbook: Path | None


def snapshot_dir(data_dir: Path) -> Path:
    return data_dir / "snapshot" / "interreg"


def themes_mapping_file(data_dir: Path) -> Path:
    return data_dir / "mappings" / "interreg_themes.csv"


def find_files(source_path: Path | None, data_dir: Path) -> InterregFiles:
    if source_path is None:
        folder = snapshot_dir(data_dir)
        return InterregFiles(folder / PARTNERSHIP_FILE, folder / WORKBOOK_FILE)
    if source_path.is_dir():
        tables = sorted(source_path.glob("*artnership*.csv*"))
        books = sorted(source_path.glob("*.xlsx"))
        if not tables and not books:
            raise SourceFormatError(f"{source_path}: no keep.eu partnership CSV or workbook in it")
        book = books[0] if books else None
        return InterregFiles(tables[0] if tables else book, book)  # type: ignore[arg-type]
    if source_path.suffix.lower() == ".xlsx":
        return InterregFiles(source_path, source_path)
    books = sorted(source_path.parent.glob("*.xlsx"))
    return InterregFiles(source_path, books[0] if books else None)


def read_sheet(
    path: Path, sheet: str, required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, row) of one sheet of a keep.eu workbook."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise SourceFormatError(f"{path.name} is not an Excel workbook ({exc})") from exc
    try:
        if sheet not in book.sheetnames:
            raise SourceFormatError(
                f"{path.name} has no sheet '{sheet}' (found {', '.join(book.sheetnames)})"
            )
        rows = book[sheet].iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        missing = [c for c in required if c not in header]
        if missing:
            raise SourceFormatError(
                f"{path.name}, sheet '{sheet}': missing columns {', '.join(missing)}"
            )
        for number, values in enumerate(rows, start=2):
            if any(v not in (None, "") for v in values):
                yield number, dict(zip(header, values, strict=False))
    finally:
        book.close()


def read_partners(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if path.suffix.lower() == ".xlsx":
        return read_sheet(path, PARTNERS_SHEET, PARTNER_COLUMNS)
    return read_table(path, required=PARTNER_COLUMNS)


# -- the loader ----------------------------------------------------------------------------------


def project_uid(programme: str, acronym: str) -> str:
    return f"interreg:{_slug(programme)}:{_slug(acronym)}"


def _slug(text: str) -> str:
    return re.sub(r"[\W_]+", "-", fold_name(text)).strip("-") or "x"


@dataclass
class _InterregProject:
    programme: str
    acronym: str
    partners: dict[str, str] = field(default_factory=dict)  # organisation uid -> role
    countries: set[str] = field(default_factory=set)


@dataclass
class _PlacementTally:
    rows: int = 0
    by_evidence: Counter[str] = field(default_factory=Counter)
    nuts3: int = 0
    nuts2_only: int = 0
    unplaced: list[list[str]] = field(default_factory=list)
    merges: Counter[str] = field(default_factory=Counter)


class InterregLoader:
    name = "interreg"
    description = "Interreg 2014-2020 projects and partners (keep.eu)"
    depends_on: tuple[str, ...] = ("regions", "domains")

    def records(self, ctx: LoadContext, report: LoadReport) -> Iterator[Record]:
        files = find_files(ctx.source_path, ctx.data_dir)
        rows = [
            row
            for _, row in validate_rows(
                read_partners(files.partners), PartnerRow, report, files.partners.name
            )
        ]
        if not rows:
            raise SourceFormatError(f"{files.partners.name}: no valid partner rows")
        details: dict[tuple[str, str], InterregProjectRow] = {}
        if files.workbook is not None:
            sheet = read_sheet(files.workbook, PROJECTS_SHEET, PROJECT_COLUMNS)
            book = files.workbook.name
            for _, meta_row in validate_rows(sheet, InterregProjectRow, report, book):
                details.setdefault((meta_row.programme, meta_row.acronym), meta_row)

        resolver = RegionResolver.from_data_dir(ctx.data_dir)
        placer = TownPlacer(
            municipalities(ctx.data_dir), resolver, gazetteer(nuts_countries(resolver))
        )
        known_regions = reads.region_ids(ctx.driver, ctx.settings.neo4j_database)
        matcher = OrganisationMatcher.from_graph(ctx.driver, ctx.settings.neo4j_database)
        shared = _shared_hosts(rows)
        tally = _PlacementTally()
        projects: dict[str, _InterregProject] = {}
        written: set[str] = set()
        places: dict[str, tuple[str | None, str]] = {}  # Interreg's own: NUTS 3 and town
        for row in rows:
            tally.rows += 1
            region, nuts2, how, detail = _place(row, resolver, placer, known_regions, tally)
            host = web_domain(row.website)
            candidate = Candidate(
                uid=_organisation_uid(row, region or row.town or ""),
                source_id=f"interreg:{_slug(row.programme)}:{_slug(row.acronym)}:{_slug(row.name)}",
                name=row.name,
                country_code=row.country,
                website=row.website if host and host not in shared else None,
                region=nuts2,
            )
            found = matcher.match(candidate)
            known_place = places.get(found.uid)
            if found.rule == "name" and not _same_place(row, region, known_place, found.score):
                found = Match(candidate.uid, "new", 0.0, "")  # a namesake elsewhere
            found = matcher.accept(candidate, found)
            if found.uid == candidate.uid and found.uid not in places:
                places[found.uid] = (region, fold_name(row.town or ""))
            if found.merged:
                into = "interreg rows" if found.uid.startswith("org:interreg:") else "other sources"
                tally.merges[into] += 1
            first = found.uid not in written
            written.add(found.uid)
            yield self._organisation(
                row, candidate, found.uid, first, (region, nuts2, how, detail), matcher
            )
            if first and region and found.uid == candidate.uid:
                yield Rel(
                    RelType.LOCATED_IN,
                    NodeLabel.ORGANISATION,
                    found.uid,
                    NodeLabel.REGION,
                    region,
                    {"nuts_from": how},
                    SOURCE,
                )
            uid = project_uid(row.programme, row.acronym)
            project = projects.setdefault(uid, _InterregProject(row.programme, row.acronym))
            role = "lead partner" if row.lead else "partner"
            if project.partners.get(found.uid) != "lead partner":
                project.partners[found.uid] = role
            project.countries.add(row.country)

        mapping = load_term_mapping(themes_mapping_file(ctx.data_dir))
        unmapped = 0
        for uid, project in projects.items():
            meta = details.get((project.programme, project.acronym))
            yield self._project(uid, project, meta)
            codes: list[str] = []
            for theme in meta.themes if meta else []:
                found_codes = mapping.get(normalise_term(theme))
                if found_codes is None:
                    report.unmapped(theme)
                    unmapped += 1
                codes += [c for c in found_codes or [] if c not in codes]
            for code in codes:
                yield Rel(
                    RelType.IN_DOMAIN, NodeLabel.PROJECT, uid, NodeLabel.DOMAIN, code, {}, SOURCE
                )
            for org, role in project.partners.items():
                yield Rel(
                    RelType.PARTICIPATED_IN,
                    NodeLabel.ORGANISATION,
                    org,
                    NodeLabel.PROJECT,
                    uid,
                    {"role": role},
                    SOURCE,
                )
        self._report(report, ctx, tally, projects, written, details, unmapped)

    # -- records ---------------------------------------------------------------------------------

    @staticmethod
    def _organisation(
        row: PartnerRow,
        candidate: Candidate,
        uid: str,
        first: bool,
        place: tuple[str | None, str | None, str | None, str],
        matcher: OrganisationMatcher,
    ) -> Node:
        """The partner's node: its facts from the first row that names it (later rows of the
        same organisation add their spelling and source id), only the source id and spelling
        when it is another source's organisation."""
        region, nuts2, how, detail = place
        own = uid == candidate.uid
        props: dict[str, Any] = {}
        if own and first:
            props.update(
                {
                    "country_code": row.country,
                    "name": row.name,
                    "name_key": name_key(row.name),
                    "city": row.town,
                    "postcode": row.postcode,
                    "street": row.street,
                    "legal_status": (row.legal_status or "").lower() or None,
                }
            )
            if candidate.website:
                props["website"] = candidate.website
                props["web_domain"] = web_domain(candidate.website)
            if how:
                props.update(
                    {
                        "nuts3": region if region and len(region) == 5 else None,
                        "nuts2": nuts2,
                        "nuts_from": how,
                        "nuts_detail": detail,
                    }
                )
        evidence = matcher.merge_evidence(uid)
        if evidence:
            props["merge_evidence"] = evidence
        return Node(
            NodeLabel.ORGANISATION,
            uid,
            {k: v for k, v in props.items() if v is not None},
            SOURCE,
            source_ids=(candidate.source_id,),
            aliases=() if own and first else (row.name,),
        )

    @staticmethod
    def _project(uid: str, project: _InterregProject, meta: InterregProjectRow | None) -> Node:
        props: dict[str, Any] = {
            "acronym": project.acronym,
            "name": meta.name if meta else None,
            "programme": project.programme,
            "strand": strand_of(project.programme),
            "kind": "interreg",
            "n_partners": len(project.partners),
            "n_countries": len(project.countries),
        }
        if meta:
            props.update(
                {
                    "themes": meta.themes or None,
                    "specific_objective": meta.specific_objective,
                    "thematic_objective": meta.thematic_objective,
                    "budget": meta.budget,
                    "eu_funding": meta.eu_funding,
                    "erdf_budget": meta.erdf_budget,
                    "description": meta.description,
                    "start_date": meta.start_date.isoformat() if meta.start_date else None,
                    "end_date": meta.end_date.isoformat() if meta.end_date else None,
                }
            )
        return Node(
            NodeLabel.PROJECT,
            uid,
            {k: v for k, v in props.items() if v is not None},
            SOURCE,
            source_ids=(f"keep.eu:{project.programme}:{project.acronym}",),
        )

    @staticmethod
    def _report(
        report: LoadReport,
        ctx: LoadContext,
        tally: _PlacementTally,
        projects: dict[str, _InterregProject],
        written: set[str],
        details: dict[tuple[str, str], InterregProjectRow],
        unmapped: int,
    ) -> None:
        with_details = sum(1 for p in projects.values() if (p.programme, p.acronym) in details)
        own = sum(1 for uid in written if uid.startswith("org:interreg:"))
        placed = tally.nuts3 + tally.nuts2_only
        total = placed + len(tally.unplaced)
        report.metrics.update(
            {
                "projects": len(projects),
                "projects_with_details": with_details,
                "partner_rows": tally.rows,
                "organisations": len(written),
                "organisations_new": own,
                "merged_interreg_rows": tally.merges["interreg rows"],
                "merged_with_other_sources": tally.merges["other sources"],
                "rows_placed_nuts3": tally.nuts3,
                "rows_placed_nuts2_only": tally.nuts2_only,
                "rows_unplaced": len(tally.unplaced),
                "projects_theme_unmapped": unmapped,
            }
        )
        for how, count in tally.by_evidence.items():
            report.metrics[f"nuts_from_{how}"] = count
        path = ctx.settings.home / "reports" / UNPLACED_REPORT
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["programme", "acronym", "partner", "country", "postcode", "town", "why"]
            )
            writer.writerows(tally.unplaced)
        share = (lambda n: n / total) if total else (lambda n: 0.0)
        report.notes.append(
            f"{len(projects):,} projects ({with_details:,} with name, themes and dates from the "
            f"workbook), {tally.rows:,} partner rows -> {len(written):,} organisations "
            f"({tally.merges['interreg rows']:,} rows merged with earlier rows, "
            f"{tally.merges['other sources']:,} with CORDIS or EDIH organisations)"
        )
        report.notes.append(
            f"partner rows placed at NUTS 3 {share(tally.nuts3):.1%}, NUTS 2 only "
            f"{share(tally.nuts2_only):.1%}, unplaced {share(len(tally.unplaced)):.1%} "
            f"(listed in {path}); from "
            + ", ".join(f"{k} {v:,}" for k, v in tally.by_evidence.most_common())
        )


def _shared_hosts(rows: list[PartnerRow]) -> set[str]:
    """Website hosts given by several differently named partners: keep.eu rows often carry the
    programme's site instead of the partner's, so such a host says nothing about identity."""
    names: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        host = web_domain(row.website)
        if host:
            names[host].add(name_key(row.name))
    return {host for host, found in names.items() if len(found) >= SHARED_HOST_NAMES}


def _same_place(
    row: PartnerRow,
    region: str | None,
    known: tuple[str | None, str] | None,
    score: float,
) -> bool:
    """Whether a partner row lies where an Interreg organisation of a similar name does: the
    same town, or (for an identical name, or when a town is missing) the same NUTS 3 region.
    Twin towns and neighbours (Valga and Valka, Kārsava and Krāslava) differ in one letter and
    share a region, so a name that is only similar needs the same town. Organisations of other
    sources (``known`` None) are matched by the matcher's own rules (country and NUTS 2)."""
    if known is None:
        return True
    nuts3, town = known
    here = fold_name(row.town or "")
    if here and town:
        if here == town:
            return True
        if score < 100:
            return False
    return bool(region and nuts3 and len(region) == 5 and region == nuts3)


def _organisation_uid(row: PartnerRow, where: str) -> str:
    """A stable uid for a partner that matches nobody: its country, name and place."""
    key = f"{row.country}|{name_key(row.name)}|{fold_name(where)}"
    return "org:interreg:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _place(
    row: PartnerRow,
    resolver: RegionResolver,
    placer: TownPlacer,
    known_regions: set[str],
    tally: _PlacementTally,
) -> tuple[str | None, str | None, str | None, str]:
    """(region to link, its NUTS 2, evidence, detail): the NUTS 3 code when it is a 2021 code,
    else the postcode, else the town."""
    code = row.nuts3 if row.nuts3 and row.nuts3 in known_regions else None
    hit = resolver.resolve(row.country, nuts_code=code, postcode=row.postcode, city=row.town)
    how: str | None = hit.nuts_from
    nuts3, nuts2, detail = hit.nuts3, hit.nuts2, hit.detail
    if not how:
        town = placer.place(row.country, row.town)
        nuts3, nuts2, how, detail = town.nuts3, town.nuts2, town.nuts_from, town.detail
    region = next((c for c in (nuts3, nuts2) if c and c in known_regions), None)
    if region is None:
        why = detail if not how else f"{detail} (region {nuts3 or nuts2} not in the graph)"
        tally.unplaced.append(
            [
                row.programme,
                row.acronym,
                row.name,
                row.country,
                row.postcode or "",
                row.town or "",
                why,
            ]
        )
        return None, None, None, why
    tally.by_evidence[how or "?"] += 1
    if len(region) == 5:
        tally.nuts3 += 1
    else:
        tally.nuts2_only += 1
    return region, region[:4], how, detail


LOADER = InterregLoader()
