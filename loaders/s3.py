"""Smart-specialisation (S3) priorities in the shape of the S3 Platform's Eye@RIS3 records.

One record per priority: its territory (a NUTS code of any level, country codes included), a
free-text description (and a title where the export has one), and three multi-valued
classifications: economic domains (NACE Rev.2 based), scientific domains (NABS based) and policy
objectives. Two documented shapes are read:

* two tables: ``priorities`` (territory_nuts, territory_name, country, priority_id, description)
  plus a long ``priority_codes`` table (priority_id, dimension, code, label); give the folder or
  the priorities file with the codes file beside it;
* one table: the priorities columns plus ``economic_domains``, ``scientific_domains`` and
  ``policy_objectives`` cells holding delimited lists ("; " or ", ").

Every code or label reaches ``(:Domain)`` through ``data/mappings/s3_terms.csv`` (then the domain
vocabulary's own names and aliases); what maps nowhere is reported as unmapped. No Eye@RIS3
extract is bundled: without ``--file`` the loader loads nothing and says so.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, field_validator

from graph import reads
from graph.codes import country_code
from graph.errors import SourceFormatError
from graph.schema import NodeLabel, RelType
from graph.writer import Node, Record, Rel
from loaders.base import LoadContext, LoadReport, checked_name, validate_rows
from loaders.domains import domains_file, load_term_mapping, normalise_term
from loaders.nuts import NUTS_ID_PATTERN, normalise_nuts_id
from loaders.tables import read_table

SOURCE = "eye-ris3"
UID_PREFIX = "eye-ris3:"

PRIORITY_COLUMNS = ("territory_nuts", "territory_name", "country", "priority_id", "description")
CODE_COLUMNS = ("priority_id", "dimension", "code", "label")
PRIORITIES_SUFFIX = "priorities.csv"
CODES_SUFFIX = "priority_codes.csv"

ECONOMIC = "economic_domain"
SCIENTIFIC = "scientific_domain"
POLICY = "policy_objective"
DIMENSIONS = (ECONOMIC, SCIENTIFIC, POLICY)
# Column names of the one-table shape (plural and singular both seen in exports).
MULTI_VALUE_COLUMNS: dict[str, tuple[str, ...]] = {
    ECONOMIC: ("economic_domains", "economic_domain"),
    SCIENTIFIC: ("scientific_domains", "scientific_domain"),
    POLICY: ("policy_objectives", "policy_objective"),
}
PROPERTY_OF_DIMENSION = {
    ECONOMIC: "economic_domains",
    SCIENTIFIC: "scientific_domains",
    POLICY: "policy_objectives",
}

TITLE_LENGTH = 120
# A label that repeats its code in front: "C.10 - Manufacture of food products", "07 - Health".
_CODE_PREFIX = re.compile(
    r"^\s*(?:[A-U](?:\s?\.?\s?\d{1,2}(?:\.\d{1,2})*)?|\d{1,2})\s*[-\u2013:]\s+"
)
_LIST_SEPARATORS = re.compile(r"\s*[;|\n]\s*")


def snapshot_dir(data_dir: Path) -> Path:
    return data_dir / "snapshot" / "s3"


def terms_file(data_dir: Path) -> Path:
    return data_dir / "mappings" / "s3_terms.csv"


def normalise_dimension(value: str) -> str | None:
    """'Economic Domains', 'economic domain', 'economic_domain' -> 'economic_domain'."""
    text = "_".join(value.casefold().replace("-", " ").split())
    text = text.removesuffix("s")
    return text if text in DIMENSIONS else None


def normalise_code(code: str) -> str:
    """'C.10' and 'C 10' -> 'C10' (the form used in s3_terms.csv code keys)."""
    return re.sub(r"[\s.]+", "", code).upper()


def strip_code_prefix(label: str) -> str:
    return _CODE_PREFIX.sub("", label, count=1).strip()


def make_title(description: str) -> str:
    """A priority without its own title is named by its description's first sentence, cut at
    a word boundary when long."""
    first = re.split(r"(?<=[.;:])\s", description.strip(), maxsplit=1)[0].rstrip(".;:")
    if len(first) <= TITLE_LENGTH:
        return first
    return first[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"


class PriorityRow(BaseModel):
    territory_nuts: str
    territory_name: str | None = None
    country: str | None = None
    priority_id: str
    description: str = ""
    title: str | None = None

    @field_validator("territory_nuts", mode="before")
    @classmethod
    def nuts_code(cls, value: object) -> str:
        code = normalise_nuts_id(str(value or ""))
        if not NUTS_ID_PATTERN.match(code):
            raise ValueError(f"'{value}' is not a NUTS code")
        return code

    @field_validator("country", mode="before")
    @classmethod
    def known_country(cls, value: object) -> str | None:
        """A code in either style (GR, EL) or a name (Greece); stored EU style."""
        text = str(value or "").strip()
        if not text:
            return None
        code = country_code(text)
        if code is None:
            raise ValueError(f"'{text}' is not a known country code or name")
        return code

    @field_validator("priority_id", mode="before")
    @classmethod
    def has_id(cls, value: object) -> str:
        return checked_name(value, "priority_id")

    @field_validator("description", "territory_name", "title", mode="before")
    @classmethod
    def collapse(cls, value: object) -> str | None:
        text = " ".join(str(value or "").split())
        return text or None

    @field_validator("description", mode="after")
    @classmethod
    def not_none(cls, value: str | None) -> str:
        return value or ""


class CodeRow(BaseModel):
    priority_id: str
    dimension: str
    code: str = ""
    label: str = ""

    @field_validator("priority_id", mode="before")
    @classmethod
    def has_id(cls, value: object) -> str:
        return checked_name(value, "priority_id")

    @field_validator("dimension", mode="before")
    @classmethod
    def known_dimension(cls, value: object) -> str:
        dimension = normalise_dimension(str(value or ""))
        if dimension is None:
            raise ValueError(f"unknown dimension '{value}' (expected {', '.join(DIMENSIONS)})")
        return dimension

    @field_validator("code", "label", mode="before")
    @classmethod
    def collapse(cls, value: object) -> str:
        return " ".join(str(value or "").split())


@dataclass(frozen=True, slots=True)
class Classification:
    dimension: str
    code: str
    label: str

    @property
    def display(self) -> str:
        return self.label or self.code


@dataclass
class Priority:
    row_number: int
    row: PriorityRow
    classifications: list[Classification] = field(default_factory=list)


@dataclass(frozen=True)
class TermMapper:
    """Source term -> domain codes: the reviewed table first, then the vocabulary's own names.
    A reviewed term with no codes is deliberately unmapped and not reported."""

    reviewed: dict[str, list[str]]
    vocabulary: dict[str, list[str]]

    def domains(self, item: Classification) -> list[str] | None:
        keys = []
        if item.label:
            keys += [normalise_term(item.label), normalise_term(strip_code_prefix(item.label))]
        if item.code:
            keys.append(normalise_term(f"{item.dimension}:{normalise_code(item.code)}"))
        for key in keys:
            if key in self.reviewed:
                return self.reviewed[key]
        for key in keys:
            if key in self.vocabulary:
                return self.vocabulary[key]
        return None

    def knows(self, text: str) -> bool:
        key = normalise_term(strip_code_prefix(text))
        return key in self.reviewed or key in self.vocabulary


def load_mapper(data_dir: Path) -> TermMapper:
    vocabulary: dict[str, list[str]] = {}
    for _, row in read_table(domains_file(data_dir), required=("code", "name")):
        code = (row["code"] or "").strip()
        names = [code, row["name"] or "", *(row.get("aliases") or "").split("|")]
        for name in names:
            if name.strip():
                vocabulary.setdefault(normalise_term(name), [code])
    return TermMapper(load_term_mapping(terms_file(data_dir)), vocabulary)


def split_cell(cell: str, mapper: TermMapper) -> list[str]:
    """Splits a multi-valued export cell. ';', '|' and new lines always separate; commas only
    where the pieces are not parts of one known label ("Agriculture, forestry and fishing")."""
    items: list[str] = []
    for part in _LIST_SEPARATORS.split(cell.strip()):
        if not part:
            continue
        if "," not in part or mapper.knows(part):
            items.append(part)
            continue
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        start = 0
        while start < len(pieces):
            end = len(pieces)
            while end > start + 1 and not mapper.knows(", ".join(pieces[start:end])):
                end -= 1
            items.append(", ".join(pieces[start:end]))
            start = end
    return items


def locate_files(source: Path) -> tuple[Path, Path | None]:
    """(priorities file, codes file or None for the one-table shape) from a folder or a file."""
    if source.is_dir():
        found = sorted(source.glob(f"*{PRIORITIES_SUFFIX}"))
        if len(found) != 1:
            raise SourceFormatError(
                f"{source}: expected one file named *{PRIORITIES_SUFFIX} in the folder, "
                f"found {len(found)}"
            )
        source = found[0]
    if not source.exists():
        raise SourceFormatError(f"Eye@RIS3 file not found: {source}")
    if source.name.endswith(PRIORITIES_SUFFIX):
        codes = source.with_name(source.name[: -len(PRIORITIES_SUFFIX)] + CODES_SUFFIX)
        if codes.exists():
            return source, codes
    return source, None


def known_region_ids(ctx: LoadContext) -> set[str]:
    return reads.region_ids(ctx.driver, ctx.settings.neo4j_database)


class S3Loader:
    name = "s3"
    description = "S3 priorities (Eye@RIS3 format)"
    depends_on: tuple[str, ...] = ("regions", "domains")

    def records(self, ctx: LoadContext, report: LoadReport) -> Iterator[Record]:
        source = ctx.source_path
        if source is None:
            bundled = snapshot_dir(ctx.data_dir)
            if not bundled.exists():
                report.notes.append(
                    "No Eye@RIS3 snapshot is bundled (no public extract was available), so no "
                    "S3 priorities were loaded. Load an export in the documented shape with "
                    "`s3graph load s3 --file <folder or *priorities.csv>` (see docs/data.md, "
                    "'Data: regions, cohesion categories, S3')."
                )
                return
            source = bundled
        priorities_path, codes_path = locate_files(source)
        mapper = load_mapper(ctx.data_dir)
        regions = known_region_ids(ctx)
        if not regions:
            report.notes.append("No regions in the graph: run `s3graph load regions` first.")

        priorities = self._read_priorities(priorities_path, regions, mapper, report)
        if codes_path is not None:
            self._read_codes(codes_path, priorities, report)
        report.metrics["priorities"] = len(priorities)
        yield from self._records(priorities.values(), mapper, report)

    @staticmethod
    def _read_priorities(
        path: Path, regions: set[str], mapper: TermMapper, report: LoadReport
    ) -> dict[str, Priority]:
        priorities: dict[str, Priority] = {}
        raw_rows = list(read_table(path, required=PRIORITY_COLUMNS))
        for row_number, row in validate_rows(raw_rows, PriorityRow, report, path.name):
            code = row.territory_nuts
            if code not in regions:
                reason = "unknown NUTS code (not among the regions in the graph)"
                report.reject(path.name, row_number, "territory_nuts", reason, code)
                continue
            if row.country is not None and row.country != code[:2]:
                reason = f"country '{row.country}' does not match territory '{code}'"
                report.reject(path.name, row_number, "country", reason, row.country)
                continue
            if row.priority_id in priorities:
                first = priorities[row.priority_id].row_number
                reason = f"duplicate priority_id (first on row {first})"
                report.reject(path.name, row_number, "priority_id", reason, row.priority_id)
                continue
            if not row.description and not row.title:
                report.reject(path.name, row_number, "description", "no description or title")
                continue
            priorities[row.priority_id] = Priority(row_number, row)
        raw = dict(raw_rows)
        for priority in priorities.values():
            cells = raw[priority.row_number]
            for dimension, columns in MULTI_VALUE_COLUMNS.items():
                for column in columns:
                    for item in split_cell(cells.get(column) or "", mapper):
                        priority.classifications.append(Classification(dimension, "", item))
        return priorities

    @staticmethod
    def _read_codes(path: Path, priorities: dict[str, Priority], report: LoadReport) -> None:
        rows = read_table(path, required=CODE_COLUMNS)
        for row_number, row in validate_rows(rows, CodeRow, report, path.name):
            priority = priorities.get(row.priority_id)
            if priority is None:
                reason = "priority_id not among the loaded priorities"
                report.reject(path.name, row_number, "priority_id", reason, row.priority_id)
            elif not row.code and not row.label:
                report.reject(path.name, row_number, "code", "neither code nor label")
            else:
                item = Classification(row.dimension, row.code, row.label)
                if item not in priority.classifications:
                    priority.classifications.append(item)

    @staticmethod
    def _records(
        priorities: Iterable[Priority], mapper: TermMapper, report: LoadReport
    ) -> Iterator[Record]:
        rels: list[Rel] = []
        for priority in priorities:
            row = priority.row
            uid = UID_PREFIX + row.priority_id
            props: dict[str, Any] = {
                "title": row.title or make_title(row.description),
                "description": row.description,
                "priority_id": row.priority_id,
                "territory": row.territory_nuts,
                "territory_name": row.territory_name,
                "country_code": row.territory_nuts[:2],
            }
            via: dict[str, list[str]] = defaultdict(list)
            for dimension, prop in PROPERTY_OF_DIMENSION.items():
                props[prop] = [
                    c.display for c in priority.classifications if c.dimension == dimension
                ]
            for item in priority.classifications:
                codes = mapper.domains(item)
                if codes is None:
                    report.unmapped(f"{item.dimension}: {item.display}")
                    continue
                for code in codes:
                    via[code].append(f"{item.dimension}: {item.display}")
            yield Node(NodeLabel.S3_PRIORITY, uid, props, SOURCE, source_ids=(uid,))
            rels.append(
                Rel(
                    RelType.HAS_PRIORITY,
                    NodeLabel.REGION,
                    row.territory_nuts,
                    NodeLabel.S3_PRIORITY,
                    uid,
                    {},
                    SOURCE,
                )
            )
            for code, terms in sorted(via.items()):
                rels.append(
                    Rel(
                        RelType.IN_DOMAIN,
                        NodeLabel.S3_PRIORITY,
                        uid,
                        NodeLabel.DOMAIN,
                        code,
                        {"via": sorted(set(terms))},
                        SOURCE,
                    )
                )
        yield from rels


LOADER = S3Loader()
