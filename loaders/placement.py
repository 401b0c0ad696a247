"""Placing hubs, clusters and network members in a region that the graph holds, and listing
those that cannot be placed.

``loaders.region_resolver`` says which NUTS 2021 region the evidence points to; its boundaries
also cover countries whose regions the graph does not load (the UK, Türkiye, the Western
Balkans). A ``LOCATED_IN`` to a missing region would only be refused by the writer, so the
placer checks the region first and reports such records as unplaced, with the reason, instead of
guessing a coarser one.

Many hub addresses name a city but no postcode ("Unska 3, Zagreb, Croatia"), and the resolver
places a city only when a NUTS 3 region bears its name. As a last resort the placer asks the
organisations already in the graph: when at least ``CITY_MIN_ORGANISATIONS`` organisations of
that country and city were located by postcode or NUTS code, and all of them in the same NUTS 3
region, the record is placed there (``nuts_from`` 'city', the count in ``nuts_detail``). A city
whose organisations lie in several regions decides nothing.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import Driver

from graph import reads
from graph.codes import fold_name, to_eu_country_code
from graph.errors import ConfigurationError
from loaders.base import LoadContext, LoadReport
from loaders.region_resolver import RegionMatch, RegionResolver

CITY_MIN_ORGANISATIONS = 2


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a record is: ``region`` (the NUTS 3, else NUTS 2 code to link to; None when
    unplaced), the resolver's answer and, when unplaced, why."""

    region: str | None
    resolution: RegionMatch
    reason: str = ""

    @property
    def props(self) -> dict[str, str | None]:
        """Properties that record on the node how it was located (null when unplaced)."""
        if self.region is None:
            return {"nuts2": None, "nuts3": None, "nuts_from": None, "nuts_detail": self.reason}
        nuts3 = self.resolution.nuts3 if self.region == self.resolution.nuts3 else None
        return {
            "nuts2": self.region[:4],
            "nuts3": nuts3,
            "nuts_from": self.resolution.nuts_from,
            "nuts_detail": self.resolution.detail,
        }


@dataclass
class Unplaced:
    """One record that could not be placed, for the report file."""

    source_id: str
    name: str
    country: str
    evidence: str
    reason: str


@dataclass
class RegionPlacer:
    """Resolver plus the set of regions in the graph; counts how each record was placed."""

    resolver: RegionResolver
    regions: set[str]
    cities: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def for_load(
        cls, ctx: LoadContext, coarse_points: Iterable[tuple[float, float]] = ()
    ) -> RegionPlacer:
        """Reads the regions of the graph (the regions loader must have run); ``coarse_points``
        are placeholder map points never to be used (``region_resolver.placeholder_points``)."""
        regions = read_region_codes(ctx.driver, ctx.settings.neo4j_database)
        if not regions:
            raise ConfigurationError(
                "the graph holds no regions: run `s3graph load regions` before this source"
            )
        database = ctx.settings.neo4j_database
        return cls(
            RegionResolver.from_data_dir(ctx.data_dir, coarse_points),
            regions,
            read_located_cities(ctx.driver, database),
        )

    def place(
        self,
        source_id: str,
        name: str,
        country: str,
        *,
        nuts_code: str | None = None,
        postcode: str | None = None,
        city: str | None = None,
        geolocation: str | tuple[float, float] | None = None,
        address: str | None = None,
    ) -> Placement:
        resolution = self.resolver.resolve(
            country,
            nuts_code=nuts_code,
            postcode=postcode,
            city=city,
            geolocation=geolocation,
            address=address,
        )
        if not resolution.resolved and city:
            resolution = self._by_located_organisations(country, city, resolution)
        region: str | None = None
        reason = ""
        if not resolution.resolved:
            reason = resolution.detail
        elif resolution.nuts3 and resolution.nuts3 in self.regions:
            region = resolution.nuts3
        elif resolution.nuts2 and resolution.nuts2 in self.regions:
            region = resolution.nuts2
        else:
            reason = (
                f"resolved to {resolution.region} ({resolution.detail}), a region the graph "
                "does not hold (NUTS 2021 regions of the EU and EFTA only)"
            )
        if region is None:
            evidence = " | ".join(
                f"{k}={v}"
                for k, v in (
                    ("nuts", nuts_code),
                    ("postcode", postcode),
                    ("city", city),
                    ("geolocation", geolocation),
                    ("address", address),
                )
                if v
            )
            self.unplaced.append(Unplaced(source_id, name, country, evidence, reason))
            self.counts["unplaced"] += 1
        else:
            level = "nuts3" if len(region) == 5 else "nuts2"
            self.counts[f"{level}:{resolution.nuts_from}"] += 1
        return Placement(region, resolution, reason)

    def _by_located_organisations(
        self, country: str, city: str, failed: RegionMatch
    ) -> RegionMatch:
        """The NUTS 3 region shared by every organisation of the graph in ``city`` (see the
        module docstring), else ``failed`` with what was tried added."""
        found = self.cities.get(
            (to_eu_country_code(country), fold_name(city, words=True)), Counter()
        )
        support = sum(found.values())
        if len(found) == 1 and support >= CITY_MIN_ORGANISATIONS:
            nuts3 = next(iter(found))
            detail = (
                f"city {city!r}: the {support} organisations of the graph located there by "
                f"postcode or NUTS code all lie in {nuts3}"
            )
            return RegionMatch(nuts3, nuts3[:4], "city", detail)
        if found:
            tried = f"city {city!r}: organisations of the graph there lie in " + ", ".join(
                f"{code} ({n})" for code, n in found.most_common()
            )
        else:
            tried = f"city {city!r}: no organisation of the graph located there"
        return RegionMatch(None, None, None, f"{failed.detail}; {tried}")

    def report_to(self, report: LoadReport, what: str, reports_dir: Path) -> Path | None:
        """Adds the placement counts to ``report`` (metrics and a note) and writes the
        unplaced records to ``<reports_dir>/<source>-unplaced.csv``; returns that path."""
        placed = sum(n for k, n in self.counts.items() if k != "unplaced")
        total = placed + self.counts["unplaced"]
        nuts3 = sum(n for k, n in self.counts.items() if k.startswith("nuts3:"))
        report.metrics[f"{what}_total"] = total
        report.metrics[f"{what}_located"] = placed
        report.metrics[f"{what}_located_nuts3"] = nuts3
        report.metrics[f"{what}_unplaced"] = self.counts["unplaced"]
        by_evidence = Counter[str]()
        for key, n in self.counts.items():
            if key != "unplaced":
                by_evidence[key.split(":", 1)[1]] += n
        how = ", ".join(f"{n} by {k}" for k, n in by_evidence.most_common())
        share = placed / total if total else 0.0
        report.notes.append(
            f"{what}: {placed} of {total} located in a region ({share:.0%}; {nuts3} at NUTS 3; "
            f"{how or 'none'}); {self.counts['unplaced']} not located"
        )
        if not self.unplaced:
            return None
        path = reports_dir / f"{report.source}-unplaced.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["source_id", "name", "country", "evidence", "reason"])
            for u in self.unplaced:
                writer.writerow([u.source_id, u.name, u.country, u.evidence, u.reason])
        report.notes.append(f"{what} not located are listed in {path}")
        return path


def read_located_cities(
    driver: Driver, database: str | None = None
) -> dict[tuple[str, str], Counter[str]]:
    """(country, folded city) -> NUTS 3 regions of the organisations located there."""
    cities: dict[tuple[str, str], Counter[str]] = {}
    for r in reads.located_cities(driver, database):
        key = (str(r["country"]), fold_name(str(r["city"]), words=True))
        cities.setdefault(key, Counter())[str(r["nuts3"])] += 1
    return cities


def read_region_codes(driver: Driver, database: str | None = None) -> set[str]:
    return reads.region_ids(driver, database)
