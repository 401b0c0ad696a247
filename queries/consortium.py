"""I3 consortium candidates under a call's eligibility rules kept as data (data/calls/*.toml)."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver

from queries.models import CallRules, ConsortiumResult


def available_calls(data_dir: Path | None = None) -> list[str]:
    """Ids of the calls whose rules files exist."""
    raise NotImplementedError


def load_call(call: str, data_dir: Path | None = None) -> CallRules:
    """Reads ``data/calls/<call>.toml``; an unknown call raises NotFound with the known ones."""
    raise NotImplementedError


def consortium(
    driver: Driver,
    call: str,
    domain: str,
    seed: str,
    *,
    k: int = 5,
    max_hops: int = 4,
    data_dir: Path | None = None,
    database: str | None = None,
    timeout: float | None = None,
) -> ConsortiumResult:
    """Ranked consortia around ``seed`` (an organisation) in ``domain`` that satisfy every rule
    of ``call``; when none can, the rules that cannot be met."""
    raise NotImplementedError
