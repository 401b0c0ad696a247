"""Answers that hold for one version of the graph, kept in memory until a load changes it.

Every load bumps the graph's version (``graph/meta.py``); a reader reads the version once
(``Reader.stamp``). Values are kept per database for its newest version only: the first look-up
under a new version drops the old ones. Without a version (a graph never loaded through the
writer) nothing is kept. Safe to share between the threads of the HTTP service.

``DiskCopy`` keeps a value of one graph version in a file as well, for processes that start
afresh: a command line call would otherwise rebuild it from Neo4j every time. Only the
command line turns it on (``keep_copies_in``).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import tempfile
import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, TypeVar

log = logging.getLogger("s3graph.cache")

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


@contextmanager
def long_lived() -> Iterator[None]:
    """Around making a value kept until the graph changes (a route index: hundreds of thousands
    of objects). The cyclic garbage collector stays off meanwhile, as it would walk the growing
    heap again and again (a third of the time of reading a route index), and what exists
    afterwards is frozen: later collections, which run while answers are computed, no longer
    walk it. Frozen objects are still freed when nothing refers to them, so such values must
    hold no reference cycles. The collector's state is restored."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


_copies: tuple[Path, str] | None = None  # (folder, the server's address): see keep_copies_in


def keep_copies_in(folder: Path, server: str) -> None:
    """Turns ``DiskCopy`` on: copies go to ``folder`` (made private to the user), named after
    ``server`` so that two servers' graphs never mix."""
    global _copies
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _copies = (folder, server)


class DiskCopy(Generic[V]):
    """One value per graph version in a pickle file, found again by the next process.

    The file's name holds the server, database, graph version and a digest of ``code`` (the
    sources of the modules that build the value and define its classes): a new version of
    either makes a new file, and the older files of the same name are removed. A file that
    cannot be read is rebuilt."""

    def __init__(self, name: str, *code: Path) -> None:
        self.name = name
        self.code = code

    def load(self, database: str | None, stamp: Stamp | None) -> V | None:
        path = self._path(database, stamp)
        if path is None or not path.exists():
            return None
        try:
            with long_lived(), path.open("rb") as file:
                value: V = pickle.load(file)  # our own file, in the user's private folder
            return value
        except Exception as exc:  # a truncated or outdated file: rebuilt by the caller
            log.warning("%s could not be read (%s); it is rebuilt", path, exc)
            return None

    def save(self, database: str | None, stamp: Stamp | None, value: V) -> None:
        path = self._path(database, stamp)
        if path is None:
            return
        try:
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as file:
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(file.name, path)  # whole or not at all, for a process reading it
            for old in path.parent.glob(f"{self.name}-*.pickle"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("no copy of %s kept in %s: %s", self.name, path.parent, exc)

    def _path(self, database: str | None, stamp: Stamp | None) -> Path | None:
        if _copies is None or stamp is None:
            return None
        folder, server = _copies
        sources = [hashlib.sha256(path.read_bytes()).hexdigest() for path in self.code]
        identity = repr((server, database, stamp, sources))
        digest = hashlib.sha256(identity.encode()).hexdigest()[:24]
        return folder / f"{self.name}-{digest}.pickle"
