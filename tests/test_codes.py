"""Country codes: EU style (EL, UK) and ISO style (GR, GB) meet, and names resolve."""

from __future__ import annotations

import csv

import pytest

from graph.codes import (
    COUNTRIES_FILE,
    countries,
    country_code,
    country_name,
    find_country,
    fold_name,
    is_country_code,
    is_eu_member,
    strip_accents,
    to_eu_country_code,
    to_iso_country_code,
)
from graph.settings import PROJECT_ROOT


@pytest.mark.parametrize(
    ("given", "eu", "iso"),
    [("GR", "EL", "GR"), ("EL", "EL", "GR"), ("gb", "UK", "GB"), ("UK", "UK", "GB"),
     (" dk ", "DK", "DK"), ("NO", "NO", "NO")],
)  # fmt: skip
def test_eu_and_iso_codes_convert_both_ways(given: str, eu: str, iso: str) -> None:
    assert to_eu_country_code(given) == eu
    assert to_iso_country_code(given) == iso


def test_unknown_codes_pass_through_without_raising() -> None:
    assert to_eu_country_code("us") == "US"
    assert to_iso_country_code("") == ""
    assert not is_country_code("US")
    assert not is_country_code("Greece")
    assert is_country_code("GR") and is_country_code("el")


@pytest.mark.parametrize(
    ("name", "code"),
    [("Greece", "EL"), ("Elláda", "EL"), ("ELLADA", "EL"), ("Ελλάδα", "EL"), ("Norway", "NO"),
     ("Norge", "NO"), ("Cyprus", "CY"), ("kypros", "CY"), ("United Kingdom", "UK"),
     ("Czechia", "CZ"), ("Türkiye", "TR"), ("GR", "EL"), ("Suomi/Finland", "FI")],
)  # fmt: skip
def test_names_and_codes_resolve_to_eu_codes(name: str, code: str) -> None:
    assert country_code(name) == code


def test_unknown_names_resolve_to_none() -> None:
    assert country_code("Atlantis") is None
    assert find_country("  ") is None
    assert country_name("ZZ") is None


def test_names_and_membership() -> None:
    assert country_name("GR") == "Greece"
    assert country_name("EL") == "Greece"
    assert is_eu_member("EL") and is_eu_member("GR")
    assert not is_eu_member("NO")
    assert not is_eu_member("UK")


def test_fold_name_ignores_case_accents_and_nordic_letters() -> None:
    assert fold_name("Trøndelag") == fold_name("TRONDELAG")
    assert fold_name("  Kýpros ") == "kypros"


def test_ascii_names_fold_as_accented_ones_do() -> None:
    """fold_name takes lower() for ASCII text: that must be what the full folding gives."""
    for code in range(128):
        assert strip_accents(chr(code)) == chr(code).lower(), repr(chr(code))
    assert fold_name("Saint-Etienne & Co", words=True) == fold_name(
        "Saint-Étienne & Co", words=True
    )


def test_table_covers_every_country_of_the_nuts_snapshot() -> None:
    """Every country code used by the NUTS file must be in the table, in EU style."""
    nuts_file = PROJECT_ROOT / "data" / "snapshot" / "nuts" / "nuts2021.csv"
    with nuts_file.open(encoding="utf-8") as handle:
        used = {row["country"] for row in csv.DictReader(handle)}
    table = {c.code for c in countries()}
    assert used <= table, used - table
    members = {c.code for c in countries() if c.eu_member}
    assert len(members) == 27
    assert members == used - {"IS", "LI", "NO", "CH"}


def test_table_has_unique_codes_and_names() -> None:
    with COUNTRIES_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len({r["code"] for r in rows}) == len(rows)
    assert len({r["iso_code"] for r in rows}) == len(rows)
    folded = [fold_name(r["name_en"]) for r in rows]
    assert len(set(folded)) == len(folded)
