"""run_loader's own conduct around a loader (the loaders' results are tested per source)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from neo4j import Driver

from graph.settings import Settings
from graph.writer import Record
from loaders.base import LoadContext, LoadReport
from loaders.pipeline import LOAD_GC_THRESHOLDS, run_loader
from loaders.registry import get_loader


def test_the_garbage_collector_runs_rarely_during_a_load_only(
    graph: Driver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    loader = get_loader("domains")
    original = loader.records
    seen: list[tuple[int, ...]] = []

    def records(ctx: LoadContext, report: LoadReport) -> Iterator[Record]:
        seen.append(gc.get_threshold())
        yield from original(ctx, report)

    monkeypatch.setattr(loader, "records", records)
    before = gc.get_threshold()
    run_loader("domains", settings, graph)
    assert seen == [LOAD_GC_THRESHOLDS]
    assert gc.get_threshold() == before != LOAD_GC_THRESHOLDS
