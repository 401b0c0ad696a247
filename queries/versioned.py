"""Answers that hold for one version of the graph, kept in memory until a load changes it.

Every load bumps the graph's version (``graph/meta.py``); a reader reads the version once
(``Reader.stamp``). Values are kept per database for its newest version only: the first look-up
under a new version drops the old ones. Without a version (a graph never loaded through the
writer) nothing is kept. Safe to share between the threads of the HTTP service.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

Stamp = tuple[int, str]


class VersionedCache(Generic[V]):
    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._by_database: dict[str | None, tuple[Stamp, dict[Hashable, V]]] = {}

    def get(self, database: str | None, stamp: Stamp | None, key: Hashable) -> V | None:
        if stamp is None:
            return None
        with self._lock:
            held = self._by_database.get(database)
            if held is None or held[0] != stamp:
                return None
            return held[1].get(key)

    def put(self, database: str | None, stamp: Stamp | None, key: Hashable, value: V) -> None:
        if stamp is None:
            return
        with self._lock:
            held = self._by_database.get(database)
            if held is None or held[0] != stamp or len(held[1]) >= self.max_entries:
                held = (stamp, {})
                self._by_database[database] = held
            held[1][key] = value

    def clear(self) -> None:
        with self._lock:
            self._by_database.clear()
