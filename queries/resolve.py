"""Resolving what a user typed (a NUTS code, a country code or name, an organisation, a domain
term) to one graph entity, through codes first and then the full-text index ``entity_names``.

Several equally good matches give candidates to choose from (``Resolution.entity`` is None);
nothing close enough raises ``NotFound`` with the nearest names as suggestions.
"""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import Driver

from queries.models import EntityKind, Resolution


def resolve(
    driver: Driver,
    text: str,
    kinds: Sequence[EntityKind],
    *,
    role: str = "input",
    database: str | None = None,
    timeout: float | None = None,
) -> Resolution:
    """Resolves ``text`` to one entity of the given kinds, or to candidates when ambiguous."""
    raise NotImplementedError
