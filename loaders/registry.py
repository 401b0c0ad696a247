"""The allow-list of loaders, in dependency order. Each module exposes ``LOADER``."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.errors import ConfigurationError

if TYPE_CHECKING:
    from loaders.base import Loader


@dataclass(frozen=True)
class LoaderEntry:
    name: str
    module: str
    description: str
    depends_on: tuple[str, ...] = ()
    fetched_as: tuple[str, ...] = ()  # the `s3graph fetch` sources whose files it reads


# Order matters: `load all` runs them top to bottom.
LOADERS: tuple[LoaderEntry, ...] = (
    LoaderEntry("domains", "loaders.domains", "shared thematic vocabulary (industrial ecosystems)"),
    LoaderEntry("regions", "loaders.nuts", "NUTS 2021 regions, countries, cohesion categories"),
    LoaderEntry("s3", "loaders.s3", "S3 priorities (Eye@RIS3 format)", ("regions", "domains")),
    LoaderEntry(
        "cordis",
        "loaders.cordis",
        "CORDIS H2020 project participations",
        ("regions",),
        fetched_as=("cordis-h2020", "cordis-horizon"),
    ),
    LoaderEntry(
        "edih",
        "loaders.edih",
        "European Digital Innovation Hubs catalogue",
        ("regions", "domains", "cordis"),  # hub websites are matched to CORDIS organisations
    ),
    LoaderEntry(
        "een",
        "loaders.een",
        "Enterprise Europe Network consortia",
        ("regions", "cordis"),
        fetched_as=("cordis-h2020",),  # the members of the EEN grants are in organization.csv
    ),
    LoaderEntry(
        "eccp", "loaders.eccp", "European Cluster Collaboration Platform", ("regions", "domains")
    ),
    LoaderEntry(
        "interreg",
        "loaders.interreg",
        "Interreg 2014-2020 projects and partners (keep.eu)",
        ("regions", "domains", "cordis", "edih"),  # partners are matched to their organisations
    ),
)

LOADER_NAMES: tuple[str, ...] = tuple(entry.name for entry in LOADERS)


def entry(name: str) -> LoaderEntry:
    for candidate in LOADERS:
        if candidate.name == name:
            return candidate
    raise ConfigurationError(f"unknown source '{name}': choose one of {', '.join(LOADER_NAMES)}")


def get_loader(name: str) -> Loader:
    module = importlib.import_module(entry(name).module)
    loader: Loader = module.LOADER
    return loader
