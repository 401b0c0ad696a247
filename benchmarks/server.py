"""A dedicated, throwaway Neo4j for the benchmarks: the project's own local server
(``graph.local.LocalNeo4j``) with its own home folder, a free loopback port and a heap and page
cache sized for the 100x data set. Child processes reach it through ``env``."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from types import TracebackType

from neo4j import Driver

from graph.connection import open_driver
from graph.local import LocalNeo4j
from graph.schema import apply_schema
from graph.settings import Settings

HEAP = "2g"
PAGECACHE = "1g"

# A fresh server answers its first transactions slowly (JIT, cold caches): every benchmark
# store gets the same warm-up before anything is timed, on nodes removed right after.
WARM_UP = """
UNWIND range(1, $n) AS i
MERGE (m:GraphMeta {key: 'warm-up:' + toString(i)})
SET m.value = i
"""
WARM_UP_CLEAN = "MATCH (m:GraphMeta) WHERE m.key STARTS WITH 'warm-up:' DELETE m"
WARM_UP_ROUNDS = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BenchServer:
    """Starts on enter, stops and deletes its data on exit. ``reset`` gives an empty graph by
    replacing the whole store (faster than deleting a million relationships)."""

    def __init__(self, heap: str = HEAP, pagecache: str = PAGECACHE) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="s3graph-bench-"))
        self.port = free_port()
        self.heap = heap
        self.pagecache = pagecache
        self.settings = self._settings()
        self.local = LocalNeo4j(self.settings)
        self.start_seconds: list[float] = []

    def _settings(self) -> Settings:
        return Settings(
            S3GRAPH_HOME=self.root,
            S3GRAPH_NEO4J_PORT=self.port,
            S3GRAPH_NEO4J_HEAP=self.heap,
            S3GRAPH_NEO4J_PAGECACHE=self.pagecache,
        )

    @property
    def env(self) -> dict[str, str]:
        """The environment under which s3graph (CLI, API, child benchmarks) uses this server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
        env.update(
            S3GRAPH_HOME=str(self.root),
            S3GRAPH_NEO4J_PORT=str(self.port),
            S3GRAPH_NEO4J_HEAP=self.heap,
            S3GRAPH_NEO4J_PAGECACHE=self.pagecache,
            # one load-generating process is one client: the throughput runs measure the
            # service, not the per-client limit (tests/test_api_rate_limit.py checks that)
            S3GRAPH_RATE_LIMIT="",
        )
        return env

    def start(self) -> None:
        began = time.perf_counter()
        self.local.start()
        self.start_seconds.append(time.perf_counter() - began)
        driver = self.driver()
        try:
            apply_schema(driver, self.settings.neo4j_database)
            for _ in range(WARM_UP_ROUNDS):
                driver.execute_query(WARM_UP, n=5000, database_=self.settings.neo4j_database)
            driver.execute_query(WARM_UP_CLEAN, database_=self.settings.neo4j_database)
        finally:
            driver.close()

    def driver(self) -> Driver:
        return open_driver(self.settings, start_local=False)

    def reset(self) -> None:
        """An empty store with the schema in place."""
        self.local.stop()
        shutil.rmtree(self.local.data_dir, ignore_errors=True)
        self.start()

    def stop(self) -> None:
        self.local.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> BenchServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
