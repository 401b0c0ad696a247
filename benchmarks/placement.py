"""How well a town alone places an organisation: ``python -m benchmarks.placement``.

The truth is the postcode placement of the organisations of the named CORDIS sample
(``h2020_participations_sample.csv``) that are also in the 2017 list of H2020 organisations
(``h2020_organisations_2017.csv.gz``, town and country only). Each of them is placed again from
its town as if it had no postcode, in the order the loaders use: the towns of other organisations
placed by postcode when they all lie in one NUTS 3 region (leaving the organisation itself out),
then Eurostat's municipalities (``loaders/towns.py``), then a town named like a NUTS 3 region.
Agreement is the share of those placed whose region equals the truth; coverage is measured over
every EU and EFTA organisation of the 2017 list.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from graph.settings import PROJECT_ROOT
from loaders.region_resolver import RegionResolver
from loaders.towns import TownPlacer, gazetteer, municipalities, nuts_countries

SAMPLE = Path("snapshot") / "cordis" / "h2020_participations_sample.csv"
ORGANISATIONS_2017 = Path("snapshot") / "cordis" / "h2020_organisations_2017.csv.gz"
NUTS_TABLE = Path("snapshot") / "nuts" / "nuts2021.csv"


@dataclass(frozen=True)
class PlacementFigures:
    truth: int  # organisations of both files placed by postcode at NUTS 3
    placed: int  # of those, placed again from the town alone
    agree_nuts2: float
    agree_nuts3: float  # among those placed at NUTS 3
    by_evidence: dict[str, int]
    organisations: int  # EU and EFTA organisations of the 2017 list
    share_nuts3: float
    share_nuts2_only: float
    share_unplaced: float


def measure(data_dir: Path = PROJECT_ROOT / "data") -> PlacementFigures:
    resolver = RegionResolver.from_data_dir(data_dir)
    towns = municipalities(data_dir)
    with (data_dir / SAMPLE).open(encoding="utf-8", newline="") as handle:
        sample = {r["organisationID"]: r for r in csv.DictReader(handle)}
    with gzip.open(data_dir / ORGANISATIONS_2017, "rt", encoding="utf-8", newline="") as handle:
        orgs = {r["pic"]: r for r in csv.DictReader(handle)}
    truth: dict[str, str] = {}
    for pic in orgs.keys() & sample.keys():
        row = sample[pic]
        hit = resolver.resolve(row["country"], postcode=row["postCode"], city=row["city"])
        if hit.nuts_from == "postcode" and hit.nuts3:
            truth[pic] = hit.nuts3
    placer = TownPlacer(towns, resolver, gazetteer(nuts_countries(resolver)))
    for pic, nuts3 in truth.items():
        placer.witness(orgs[pic]["country"], orgs[pic]["city"], nuts3)

    def place(pic: str) -> tuple[str | None, str | None, str]:
        org = orgs[pic]
        got = placer.place(org["country"], org["city"], leave_out=truth.get(pic))
        return got.nuts3, got.nuts2, got.nuts_from or "unplaced"

    placed = agree2 = placed3 = agree3 = 0
    evidence: Counter[str] = Counter()
    for pic, nuts3 in truth.items():
        got3, got2, how = place(pic)
        if got2:
            placed += 1
            agree2 += got2 == nuts3[:4]
            evidence[how] += 1
        if got3:
            placed3 += 1
            agree3 += got3 == nuts3
    with (data_dir / NUTS_TABLE).open(encoding="utf-8", newline="") as handle:
        countries = {r["country"] for r in csv.DictReader(handle)}  # EU27 and EFTA
    coverage: Counter[str] = Counter()
    for pic, org in orgs.items():
        if org["country"] not in countries:
            continue
        got3, got2, _ = (truth[pic], truth[pic][:4], "postcode") if pic in truth else place(pic)
        coverage["nuts3" if got3 else "nuts2" if got2 else "unplaced"] += 1
    total = sum(coverage.values())
    return PlacementFigures(
        truth=len(truth),
        placed=placed,
        agree_nuts2=agree2 / placed if placed else 0.0,
        agree_nuts3=agree3 / placed3 if placed3 else 0.0,
        by_evidence=dict(evidence),
        organisations=total,
        share_nuts3=coverage["nuts3"] / total,
        share_nuts2_only=coverage["nuts2"] / total,
        share_unplaced=coverage["unplaced"] / total,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    print(json.dumps(asdict(measure()), indent=2))


if __name__ == "__main__":
    main()
