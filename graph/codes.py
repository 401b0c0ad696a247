"""Country codes as the EU writes them (NUTS, CORDIS: ``EL`` for Greece, ``UK`` for the United
Kingdom) and as ISO 3166-1 writes them (``GR``, ``GB``), plus country names.

The graph stores EU-style codes everywhere (``Country.code``, ``Region.country_code``,
``Organisation.country_code``); users and some sources give ISO codes or names. Every module
converts through these functions so "GR", "EL", "Greece" and "Elláda" all reach the same node.
The table itself is data: ``data/mappings/countries.csv`` (code, iso_code, name_en, eu_member,
aliases), read once.

>>> to_eu_country_code("gr")
'EL'
>>> to_iso_country_code("UK")
'GB'
>>> country_code("Norge")
'NO'
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph.settings import PROJECT_ROOT

COUNTRIES_FILE = PROJECT_ROOT / "data" / "mappings" / "countries.csv"

# Letters that Unicode decomposition leaves alone but readers treat as plain Latin letters.
_NOT_A_TO_Z = re.compile(r"[^0-9a-z]+")
_LATIN_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d", "\u0131": "i"})


@dataclass(frozen=True, slots=True)
class Country:
    """One row of the country table."""

    code: str  # EU style, as NUTS uses it: EL, UK
    iso_code: str  # ISO 3166-1 alpha-2: GR, GB
    name: str  # English short name: Greece
    eu_member: bool
    aliases: tuple[str, ...]  # national names (Latin and native script) and other English names


@dataclass(frozen=True, slots=True)
class CountryTable:
    countries: tuple[Country, ...]
    by_code: dict[str, Country]  # EU and ISO codes
    by_name: dict[str, Country]  # folded names and aliases


def fold_name(text: str, *, words: bool = False) -> str:
    """Case- and accent-insensitive form of a name: "Elláda" and "ELLADA" compare equal, and
    "Trøndelag" reads "trondelag". The one folding of names in s3graph.

    With ``words``, punctuation and letters outside a-z become spaces and "&" reads "and": the
    comparison key of the entity matcher and of town names ("Saint-Étienne" -> "saint etienne").
    """
    # most names are plain ASCII, which neither the Latin table nor NFKD changes: lower() is
    # their whole folding, at a third of the cost (a million gazetteer names per load)
    stripped = text.lower() if text.isascii() else strip_accents(text)
    if words:
        stripped = _NOT_A_TO_Z.sub(" ", stripped.replace("&", " and "))
    return " ".join(stripped.split())


def strip_accents(text: str) -> str:
    """Case-folded, Nordic and other Latin letters spelled out (ø: o, ß: ss), accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LATIN_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _split_aliases(cell: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in cell.split("|") if a.strip())


@lru_cache(maxsize=4)
def country_table(path: Path = COUNTRIES_FILE) -> CountryTable:
    """Reads the country table (cached per path)."""
    countries: list[Country] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            countries.append(
                Country(
                    code=row["code"].strip().upper(),
                    iso_code=row["iso_code"].strip().upper(),
                    name=row["name_en"].strip(),
                    eu_member=row["eu_member"].strip().lower() in {"yes", "true", "1"},
                    aliases=_split_aliases(row.get("aliases") or ""),
                )
            )
    by_code: dict[str, Country] = {}
    by_name: dict[str, Country] = {}
    for c in countries:
        by_code[c.code] = c
        by_code.setdefault(c.iso_code, c)
        for name in (c.name, *c.aliases):
            by_name.setdefault(fold_name(name), c)
    return CountryTable(tuple(countries), by_code, by_name)


def countries() -> tuple[Country, ...]:
    """Every country of the table, in file order."""
    return country_table().countries


def to_eu_country_code(code: str) -> str:
    """ISO or EU code -> EU code (``GR`` -> ``EL``, ``GB`` -> ``UK``). Anything else comes back
    stripped and upper-cased, never raises: check with ``is_country_code`` where it matters."""
    text = code.strip().upper()
    known = country_table().by_code.get(text)
    return known.code if known else text


def to_iso_country_code(code: str) -> str:
    """EU or ISO code -> ISO 3166-1 code (``EL`` -> ``GR``, ``UK`` -> ``GB``). Anything else
    comes back stripped and upper-cased."""
    text = code.strip().upper()
    known = country_table().by_code.get(text)
    return known.iso_code if known else text


def is_country_code(text: str) -> bool:
    """True for a code of a country in the table, in either style (``EL`` and ``GR`` both)."""
    return text.strip().upper() in country_table().by_code


def find_country(text: str) -> Country | None:
    """A country from its code (EU or ISO style) or its name (English, national, alias), or
    None. Codes win over names: "IT" is Italy, not a word."""
    stripped = text.strip()
    if not stripped:
        return None
    table = country_table()
    by_code = table.by_code.get(stripped.upper()) if len(stripped) == 2 else None
    return by_code or table.by_name.get(fold_name(stripped))


def country_code(text: str) -> str | None:
    """EU-style code of a country given by code or name ("Greece", "GR", "Elláda" -> "EL")."""
    found = find_country(text)
    return found.code if found else None


def country_name(code: str) -> str | None:
    """English name of a country code in either style, or None when not in the table."""
    found = country_table().by_code.get(code.strip().upper())
    return found.name if found else None


def is_eu_member(code: str) -> bool:
    """True when the code (either style) is an EU member state in the table."""
    found = country_table().by_code.get(code.strip().upper())
    return bool(found and found.eu_member)
