"""The benchmark scale generator: seeded (same seed, same bytes), in the sources' own formats,
and faithful to the real degree distributions of H2020 participations."""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.generate import (
    ORGANIZATION_HEADER,
    RealShape,
    generate,
    scale_dir,
    shape_file,
    thin,
)


@pytest.fixture(scope="module")
def shape() -> RealShape:
    return RealShape.load()


def _rows(path: Path, sep: str) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter=sep)
        return list(reader.fieldnames or []), list(reader)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.csv"))}


def test_same_seed_same_files_other_seed_other_files(shape: RealShape, tmp_path: Path) -> None:
    generate(0.3, seed=7, out_dir=tmp_path / "a", shape=shape)
    generate(0.3, seed=7, out_dir=tmp_path / "b", shape=shape)
    generate(0.3, seed=8, out_dir=tmp_path / "c", shape=shape)
    a = _files(scale_dir(0.3, tmp_path / "a"))
    b = _files(scale_dir(0.3, tmp_path / "b"))
    c = _files(scale_dir(0.3, tmp_path / "c"))
    assert set(a) == {
        "cordis/organization.csv",
        "cordis/project.csv",
        "cordis/h2020_project_topics.csv",
        "cordis/een_projects_h2020.csv",
        "edih/edih_catalogue.csv",
        "edih/edih_hub_topics.csv",
    }
    assert a == b
    assert a["cordis/organization.csv"] != c["cordis/organization.csv"]


def test_cordis_files_are_consistent_and_in_the_published_format(
    shape: RealShape, tmp_path: Path
) -> None:
    generate(0.5, seed=1, out_dir=tmp_path, shape=shape)
    folder = scale_dir(0.5, tmp_path)
    header, participations = _rows(folder / "cordis" / "organization.csv", ";")
    assert header == ORGANIZATION_HEADER
    _, projects = _rows(folder / "cordis" / "project.csv", ";")
    project_ids = {p["id"] for p in projects}
    assert {p["projectID"] for p in participations} == project_ids

    pairs = Counter((p["projectID"], p["organisationID"]) for p in participations)
    assert max(pairs.values()) == 1, "an organisation appears twice in one project"
    names: dict[str, set[str]] = {}
    for p in participations:
        names.setdefault(p["organisationID"], set()).add(p["name"])
    assert all(len(n) == 1 for n in names.values()), "one PIC, one name"
    assert len({next(iter(n)) for n in names.values()}) == len(names), "names are unique"
    coordinators = Counter(p["projectID"] for p in participations if p["role"] == "coordinator")
    assert set(coordinators) == project_ids and set(coordinators.values()) == {1}
    # ~2,575 participations at 0.5x
    assert abs(len(participations) - 2575) <= 0.02 * 2575


def _summary(counts: Counter[str]) -> tuple[float, float, int]:
    values = sorted(counts.values())
    share_1 = sum(1 for v in values if v == 1) / len(values)
    return sum(values) / len(values), share_1, values[int(0.9 * (len(values) - 1))]


def _read(name: str) -> list[dict[str, str]]:
    with shape_file("cordis", name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_1x_has_the_shape_of_the_real_named_sample(shape: RealShape, tmp_path: Path) -> None:
    """At 1x the organisations look like the real named sample (a subset of H2020 projects):
    about as many organisations, as many of them in one project only, the same mean degree."""
    real = Counter(r["organisationID"] for r in _read("h2020_participations_sample.csv"))
    generate(1, seed=11, out_dir=tmp_path, shape=shape)
    _, rows = _rows(scale_dir(1, tmp_path) / "cordis" / "organization.csv", ";")
    generated = Counter(r["organisationID"] for r in rows)

    assert len(generated) == pytest.approx(len(real), rel=0.1)
    real_mean, real_share, _ = _summary(real)
    gen_mean, gen_share, _ = _summary(generated)
    assert gen_mean == pytest.approx(real_mean, rel=0.1)
    assert gen_share == pytest.approx(real_share, abs=0.05)


def test_consortium_sizes_and_country_mix_follow_the_real_participations(
    shape: RealShape, tmp_path: Path
) -> None:
    links = _read("h2020_org_project_links_partial.csv")
    real_projects = Counter(r["projectRcn"] for r in links)
    generate(4, seed=3, out_dir=tmp_path, shape=shape)
    _, rows = _rows(scale_dir(4, tmp_path) / "cordis" / "organization.csv", ";")
    gen_projects = Counter(r["projectID"] for r in rows)

    real_mean, real_share, real_p90 = _summary(real_projects)
    gen_mean, gen_share, gen_p90 = _summary(gen_projects)
    assert gen_mean == pytest.approx(real_mean, rel=0.1)
    assert gen_share == pytest.approx(real_share, abs=0.04)
    assert abs(gen_p90 - real_p90) <= 2

    # Country mix of organisations (the participation-weighted mix swings with a few heavy
    # hitters at small scales, as it does in any real subset of projects).
    real_orgs = {r["organisationPIC"]: r["country"] for r in links}
    real_countries = Counter(real_orgs.values())
    gen_countries = Counter({r["organisationID"]: r["country"] for r in rows}.values())
    n_real, n_gen = len(real_orgs), sum(gen_countries.values())
    for country, count in real_countries.most_common(6):
        assert gen_countries[country] / n_gen == pytest.approx(count / n_real, abs=0.02)


def test_above_the_real_size_degrees_are_multiplied(shape: RealShape) -> None:
    """Beyond H2020's own size every real organisation recurs with its real degree, plus a
    thinned copy: 2.5 times the participations, the heavy tail kept."""
    rng = random.Random(5)
    organisations, degrees = thin(rng, shape.organisations, 2.5)
    real_total = sum(o.degree for o in shape.organisations)
    assert sum(degrees) == pytest.approx(2.5 * real_total, rel=0.01)
    assert max(degrees) == max(o.degree for o in shape.organisations)
    assert len(organisations) > 2 * len(shape.organisations)
