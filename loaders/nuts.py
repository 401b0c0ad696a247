"""The regional geography every partnership path runs on: countries, NUTS 0-3 regions with their
PART_OF hierarchy, and the cohesion-policy category of each NUTS 2 region.

Sources (``data/snapshot/nuts/``, see its SOURCES.md): ``nuts2021.csv`` (Eurostat NUTS 2021 plus
EFTA statistical regions), ``cohesion_2021_2027.csv`` (categories DERIVED by the GDP rule of
Regulation (EU) 2021/1060, not the Decision's list; each region records ``category_source``),
the ``Cyrillic & Greek to Latin`` sheet of ``NUTS2021-NUTS2024.xlsx`` (national-script names),
and ``data/mappings/countries.csv`` (English names, ISO codes, EU membership).

A bad row (unknown level, malformed code, missing parent) is a reject; its children are rejected
too, because a region without its parent would break the chain to its country.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, field_validator

from graph.codes import Country, country_table, to_eu_country_code
from graph.schema import NodeLabel, RelType
from graph.writer import Node, Record, Rel
from loaders.base import LoadContext, LoadReport, checked_name, validate_rows
from loaders.tables import read_table

SOURCE_NUTS = "eurostat-nuts"
SOURCE_COHESION = "cohesion-2021-2027-derived"
SOURCE_COUNTRIES = "s3graph-countries"

NUTS_FILE = "nuts2021.csv"
COHESION_FILE = "cohesion_2021_2027.csv"
COHESION_2014_FILE = "cohesion_2014_2020.csv"
CATEGORIES_2014_2020 = frozenset({"more developed", "transition", "less developed"})
WORKBOOK_FILE = "NUTS2021-NUTS2024.xlsx"
TRANSLITERATION_SHEET = "Cyrillic & Greek to Latin"

NUTS_COLUMNS = ("nuts_id", "level", "name", "parent_id", "country")
COHESION_COLUMNS = ("nuts2_id", "category", "source", "outermost")

CATEGORIES = ("more developed", "transition", "less developed")
STATUS_DERIVED = "derived"
STATUS_NO_DATA = "no data"
STATUS_OUTSIDE_EU = "outside EU cohesion policy"
STATUS_EXTRA_REGIO = "not applicable (extra-regio)"

NUTS_ID_PATTERN = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
_VERSION_IN_NAME = re.compile(r"nuts[_-]?(20\d\d)", re.IGNORECASE)
DEFAULT_NUTS_VERSION = "2021"


def snapshot_dir(data_dir: Path) -> Path:
    return data_dir / "snapshot" / "nuts"


def countries_file(data_dir: Path) -> Path:
    return data_dir / "mappings" / "countries.csv"


def normalise_nuts_id(code: str) -> str:
    """Upper-cased code with an ISO country prefix turned into the EU one (GR30 -> EL30)."""
    text = code.strip().upper()
    if len(text) < 2:
        return text
    return to_eu_country_code(text[:2]) + text[2:]


def is_extra_regio(nuts_id: str) -> bool:
    """Extra-Regio codes (``xxZ``, ``xxZZ``, ``xxZZZ``): territory outside any region."""
    return len(nuts_id) > 2 and set(nuts_id[2:]) == {"Z"}


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class NutsRow(BaseModel):
    """One row of the NUTS table (``nuts2021.csv`` shape; optional ``nuts_version`` column)."""

    nuts_id: str
    level: int
    name: str
    parent_id: str | None = None
    country: str
    nuts_version: str | None = None

    @field_validator("nuts_id", "parent_id", mode="before")
    @classmethod
    def code(cls, value: object) -> object:
        value = _blank_to_none(value)
        if isinstance(value, str):
            code = normalise_nuts_id(value)
            if not NUTS_ID_PATTERN.match(code):
                raise ValueError(f"'{value}' is not a NUTS code (two letters + up to 3 characters)")
            return code
        return value

    @field_validator("level", mode="before")
    @classmethod
    def known_level(cls, value: object) -> int:
        text = str(value if value is not None else "").strip()
        if text not in {"0", "1", "2", "3"}:
            raise ValueError(f"unknown NUTS level '{text}' (expected 0, 1, 2 or 3)")
        return int(text)

    @field_validator("name", mode="before")
    @classmethod
    def has_name(cls, value: object) -> str:
        return checked_name(value)

    @field_validator("country", mode="before")
    @classmethod
    def eu_country(cls, value: object) -> str:
        return to_eu_country_code(str(value or ""))

    @field_validator("nuts_version", mode="before")
    @classmethod
    def version(cls, value: object) -> object:
        value = _blank_to_none(value)
        if isinstance(value, str) and not re.fullmatch(r"20\d\d", value.strip()):
            raise ValueError(f"'{value}' is not a NUTS version year")
        return value.strip() if isinstance(value, str) else value


class CohesionRow(BaseModel):
    """One row of ``cohesion_2021_2027.csv``."""

    nuts2_id: str
    category: str | None = None
    source: str | None = None
    gdp_pps_pct_eu27_2015_2017: float | None = None
    outermost: bool = False

    @field_validator("nuts2_id", mode="before")
    @classmethod
    def code(cls, value: object) -> str:
        code = normalise_nuts_id(str(value or ""))
        if not NUTS_ID_PATTERN.match(code) or len(code) != 4:
            raise ValueError(f"'{value}' is not a NUTS 2 code")
        return code

    @field_validator("category", mode="before")
    @classmethod
    def known_category(cls, value: object) -> object:
        value = _blank_to_none(value)
        if value is None:
            return None
        text = " ".join(str(value).casefold().split())
        if text not in CATEGORIES:
            raise ValueError(
                f"unknown category '{value}' (expected one of {', '.join(CATEGORIES)})"
            )
        return text

    @field_validator("source", "gdp_pps_pct_eu27_2015_2017", mode="before")
    @classmethod
    def blank(cls, value: object) -> object:
        return _blank_to_none(value)

    @field_validator("outermost", mode="before")
    @classmethod
    def yes_no(cls, value: object) -> bool:
        text = str(value or "").strip().casefold()
        if text in {"yes", "true", "1", "y"}:
            return True
        if text in {"no", "false", "0", "n", ""}:
            return False
        raise ValueError(f"outermost must be yes or no, not '{value}'")


@dataclass
class AcceptedRegion:
    row_number: int
    row: NutsRow
    version: str
    aliases: list[str] = field(default_factory=list)


def version_from_file_name(path: Path) -> str:
    """``nuts2024.csv`` -> '2024'; the snapshot's version when the name does not say."""
    found = _VERSION_IN_NAME.search(path.name)
    return found.group(1) if found else DEFAULT_NUTS_VERSION


def structural_reject(row: NutsRow, known_countries: set[str]) -> tuple[str, str] | None:
    """The (field, reason) that makes a schema-valid row unusable, or None."""
    code = row.nuts_id
    if len(code) != row.level + 2:
        return "nuts_id", f"a level-{row.level} code has {row.level + 2} characters"
    if row.country != code[:2]:
        return "country", f"country '{row.country}' does not match the code prefix '{code[:2]}'"
    if row.country not in known_countries:
        return "country", f"'{row.country}' is not in data/mappings/countries.csv"
    if row.level == 0:
        if row.parent_id is not None:
            return "parent_id", "a level-0 region has no parent"
        return None
    if row.parent_id is None:
        return "parent_id", f"parent missing for a level-{row.level} region"
    if row.parent_id != code[:-1]:
        return "parent_id", f"parent '{row.parent_id}' is not the code minus its last character"
    return None


def read_national_names(workbook: Path) -> dict[str, str]:
    """{code: national-script label} from the workbook's transliteration sheet ({} if absent)."""
    if not workbook.exists():
        return {}
    from openpyxl import load_workbook

    book = load_workbook(workbook, read_only=True, data_only=True)
    try:
        if TRANSLITERATION_SHEET not in book.sheetnames:
            return {}
        names: dict[str, str] = {}
        for values in book[TRANSLITERATION_SHEET].iter_rows(min_row=2, values_only=True):
            code, label = values[0], values[1]
            if isinstance(code, str) and isinstance(label, str) and label.strip():
                names[normalise_nuts_id(code)] = " ".join(label.split())
        return names
    finally:
        book.close()


def _add_alias(aliases: list[str], name: str, *candidates: str | None) -> None:
    for candidate in candidates:
        if candidate and candidate != name and candidate not in aliases:
            aliases.append(candidate)


class NutsLoader:
    name = "regions"
    description = "NUTS 2021 regions, countries, cohesion categories 2021-2027"
    depends_on: tuple[str, ...] = ()

    def records(self, ctx: LoadContext, report: LoadReport) -> Iterator[Record]:
        snapshot = snapshot_dir(ctx.data_dir)
        nuts_path = ctx.source_path or snapshot / NUTS_FILE
        beside = nuts_path.parent / COHESION_FILE
        cohesion_path = beside if beside.exists() else snapshot / COHESION_FILE

        table = country_table(countries_file(ctx.data_dir))
        # Read (and check) every file before yielding anything: a wholly wrong file must stop
        # the load before the first batch is written, whatever the batch size.
        regions = self._read_regions(nuts_path, {c.code for c in table.countries}, report)
        national = read_national_names(snapshot / WORKBOOK_FILE)
        eu_members = {c.code for c in table.countries if c.eu_member}
        cohesion = self._read_cohesion(cohesion_path, regions, eu_members, report)
        by_code = {c.code: c for c in table.countries}

        yield from self._countries(table.countries)

        for accepted in regions.values():
            yield self._region_node(accepted, national, by_code, eu_members, cohesion)
        for nuts2_id, (_, category_row) in cohesion.items():
            yield self._category_node(nuts2_id, category_row)
        earlier = read_categories_2014_2020(snapshot / COHESION_2014_FILE, regions, report)
        for nuts2_id, category in earlier.items():
            yield Node(
                NodeLabel.REGION,
                nuts2_id,
                {"category_2014_2020": category},
                SOURCE_COHESION,
            )
        for accepted in regions.values():
            row = accepted.row
            if row.level == 0:
                yield Rel(
                    RelType.IN_COUNTRY,
                    NodeLabel.REGION,
                    row.nuts_id,
                    NodeLabel.COUNTRY,
                    row.country,
                    {},
                    SOURCE_NUTS,
                )
            elif row.parent_id is not None:
                yield Rel(
                    RelType.PART_OF,
                    NodeLabel.REGION,
                    row.nuts_id,
                    NodeLabel.REGION,
                    row.parent_id,
                    {},
                    SOURCE_NUTS,
                )
        report.metrics["regions"] = len(regions)
        report.metrics["countries"] = len(table.countries)
        report.metrics["nuts2_with_category"] = sum(1 for _, r in cohesion.values() if r.category)
        report.metrics["nuts2_with_category_2014_2020"] = len(earlier)
        report.notes.append(
            "Cohesion categories are derived by the GDP rule of Regulation (EU) 2021/1060 "
            "(Annex XXVI), not copied from Decision (EU) 2021/1130; each NUTS 2 region records "
            "category_source (see data/snapshot/nuts/SOURCES.md)."
        )

    @staticmethod
    def _countries(countries: tuple[Country, ...]) -> Iterator[Record]:
        for country in countries:
            yield Node(
                NodeLabel.COUNTRY,
                country.code,
                {
                    "name": country.name,
                    "iso_code": country.iso_code,
                    "eu_member": country.eu_member,
                },
                SOURCE_COUNTRIES,
                aliases=country.aliases,
            )

    @staticmethod
    def _read_regions(
        path: Path, known_countries: set[str], report: LoadReport
    ) -> dict[str, AcceptedRegion]:
        """Valid rows whose parent chain is complete, keyed by code, parents before children."""
        file_version = version_from_file_name(path)
        candidates: dict[str, AcceptedRegion] = {}
        rows = read_table(path, required=NUTS_COLUMNS)
        for row_number, row in validate_rows(rows, NutsRow, report, path.name):
            problem = structural_reject(row, known_countries)
            if problem is None and row.nuts_id in candidates:
                first = candidates[row.nuts_id].row_number
                problem = ("nuts_id", f"duplicate code (first on row {first})")
            if problem is not None:
                report.reject(path.name, row_number, problem[0], problem[1], row.nuts_id)
                continue
            version = row.nuts_version or file_version
            candidates[row.nuts_id] = AcceptedRegion(row_number, row, version)

        accepted: dict[str, AcceptedRegion] = {}
        for level in range(4):
            for code, candidate in candidates.items():
                if candidate.row.level != level:
                    continue
                parent = candidate.row.parent_id
                if level > 0 and (parent is None or parent not in accepted):
                    reason = "parent region not in the file (or rejected)"
                    report.reject(path.name, candidate.row_number, "parent_id", reason, parent)
                    continue
                accepted[code] = candidate
        return accepted

    @staticmethod
    def _read_cohesion(
        path: Path, regions: dict[str, AcceptedRegion], eu_members: set[str], report: LoadReport
    ) -> dict[str, tuple[int, CohesionRow]]:
        """Category rows for regular EU NUTS 2 regions that were loaded; others are rejects."""
        found: dict[str, tuple[int, CohesionRow]] = {}
        if not path.exists():
            report.notes.append(f"{path.name} not found: no cohesion categories loaded")
            return found
        rows = read_table(path, required=COHESION_COLUMNS)
        for row_number, row in validate_rows(rows, CohesionRow, report, path.name):
            region = regions.get(row.nuts2_id)
            if region is None or region.row.level != 2:
                reason = "not a NUTS 2 region of the loaded NUTS file"
                report.reject(path.name, row_number, "nuts2_id", reason, row.nuts2_id)
            elif region.row.country not in eu_members or is_extra_regio(row.nuts2_id):
                reason = "outside EU cohesion policy (non-EU or Extra-Regio): no category"
                report.reject(path.name, row_number, "nuts2_id", reason, row.nuts2_id)
            elif row.nuts2_id in found:
                reason = f"duplicate code (first on row {found[row.nuts2_id][0]})"
                report.reject(path.name, row_number, "nuts2_id", reason, row.nuts2_id)
            else:
                found[row.nuts2_id] = (row_number, row)
        return found

    @staticmethod
    def _region_node(
        accepted: AcceptedRegion,
        national: dict[str, str],
        countries: dict[str, Country],
        eu_members: set[str],
        cohesion: dict[str, tuple[int, CohesionRow]],
    ) -> Node:
        row = accepted.row
        extra_regio = is_extra_regio(row.nuts_id)
        national_name = national.get(row.nuts_id)
        props: dict[str, Any] = {
            "name": row.name,
            "name_latin": row.name,
            "level": row.level,
            "country_code": row.country,
            "nuts_version": accepted.version,
            "extra_regio": extra_regio,
        }
        if national_name and national_name != row.name:
            props["name_national"] = national_name
        aliases: list[str] = []
        _add_alias(aliases, row.name, national_name)
        if "/" in row.name:  # bilingual labels: "Suomi/Finland", "Région de Bruxelles.../..."
            _add_alias(aliases, row.name, *(part.strip() for part in row.name.split("/")))
        if row.level == 0 and row.country in countries:
            _add_alias(aliases, row.name, countries[row.country].name)
        if row.level == 2:
            props.update(_category_defaults(row, extra_regio, eu_members, cohesion))
        return Node(
            NodeLabel.REGION,
            row.nuts_id,
            props,
            SOURCE_NUTS,
            source_ids=(f"nuts{accepted.version}:{row.nuts_id}",),
            aliases=tuple(aliases),
        )

    @staticmethod
    def _category_node(nuts2_id: str, row: CohesionRow) -> Node:
        return Node(
            NodeLabel.REGION,
            nuts2_id,
            {
                "category": row.category,
                "category_status": STATUS_DERIVED if row.category else STATUS_NO_DATA,
                "category_source": row.source,
                "gdp_pps_pct_eu27_2015_2017": row.gdp_pps_pct_eu27_2015_2017,
                "outermost": row.outermost,
            },
            SOURCE_COHESION,
        )


def read_categories_2014_2020(
    path: Path, regions: dict[str, Any], report: LoadReport
) -> dict[str, str]:
    """{NUTS 2 code: category 2014-2020} for the 2013 codes that are still NUTS 2 codes in 2021
    (the categories of Decision 2014/99/EU, kept beside the 2021-2027 ones)."""
    if not path.exists():
        return {}
    found: dict[str, str] = {}
    gone: list[str] = []
    for _, row in read_table(path, required=("nuts2_id", "category_2014_2020")):
        code = (row["nuts2_id"] or "").strip().upper()
        category = (row["category_2014_2020"] or "").strip().lower()
        if category not in CATEGORIES_2014_2020:
            continue
        if code in regions and len(code) == 4:
            found[code] = category
        else:
            gone.append(code)
    if gone:
        report.notes.append(
            f"category 2014-2020 of {len(found)} NUTS 2 regions; {len(gone)} codes of 2013 are "
            f"no NUTS 2021 region and are left out ({', '.join(sorted(gone)[:12])}, ...)"
        )
    return found


def _category_defaults(
    row: NutsRow,
    extra_regio: bool,
    eu_members: set[str],
    cohesion: dict[str, tuple[int, CohesionRow]],
) -> dict[str, Any]:
    """Category properties of a NUTS 2 region that the cohesion file does not state: outside the
    EU, Extra-Regio, or an EU region missing from the file. Nothing for those it does state, so
    the two sources never write the same property."""
    if row.country in eu_members and not extra_regio and row.nuts_id in cohesion:
        return {}
    if row.country not in eu_members:
        status = STATUS_OUTSIDE_EU
    elif extra_regio:
        status = STATUS_EXTRA_REGIO
    else:
        status = STATUS_NO_DATA
    return {
        "category": None,
        "category_status": status,
        "category_source": None,
        "outermost": False,
    }


LOADER = NutsLoader()
