"""Faults: the local Neo4j really killed (SIGKILL) in the middle of a load, and restarted while
the API serves.

Each test runs against a Neo4j of its own (own home folder, own port), never the session's. The
properties: a load that loses its database fails with one clear ``S3GraphError``; whatever was
written is whole batches only; after a restart, re-running that one source gives exactly the
counts of an uninterrupted load (no duplicates, nothing half-written); a Neo4j that comes back
within the driver's retry window does not even fail the load; the API answers 503 with a
message during an outage and recovers without a restart.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver, GraphDatabase
from neo4j.exceptions import ClientError

from api.app import create_app
from graph.connection import open_driver
from graph.errors import DatabaseUnavailable, S3GraphError
from graph.local import LocalNeo4j
from graph.schema import NODE_KEYS, NodeLabel, RelType, apply_schema
from graph.settings import Settings
from graph.writer import GraphWriter, Node, Record, Rel
from loaders.pipeline import run_loader
from tests.conftest import CLEAR_GRAPH, CLOSING_FIGURES, local_settings

pytestmark = pytest.mark.slow

FAULTS: list[str] = []  # faults injected and survived, for the closing report

# The loads under test: the vocabulary, then the NUTS geography (about 1,800 nodes and
# relationships from three files) in batches small enough to be killed half-way.
BATCH = 100
SOURCES = ("domains", "regions")

COUNTS = """
MATCH (n) WHERE NOT n:GraphMeta
UNWIND labels(n) AS label
UNWIND n.sources AS source
RETURN 'node' AS kind, label AS name, source, count(*) AS count
UNION ALL
MATCH ()-[r]->()
UNWIND r.sources AS source
RETURN 'rel' AS kind, type(r) AS name, source, count(*) AS count
"""

Counts = dict[tuple[str, str, str], int]


@dataclass
class Server:
    local: LocalNeo4j
    settings: Settings

    def driver(self) -> Driver:
        return open_driver(self.settings, start_local=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Neo4j of this module's own, that its tests may kill."""
    settings = local_settings(tmp_path_factory.mktemp("faults-home")).model_copy(
        update={
            "neo4j_uri": None,
            "neo4j_password": None,
            "batch_size": BATCH,
            "local_tx_timeout": TX_TIMEOUT,
        }
    )
    local = LocalNeo4j(settings)
    local.start()
    try:
        driver = open_driver(settings, start_local=False)
        apply_schema(driver, settings.neo4j_database)
        driver.close()
        yield Server(local, settings)
    finally:
        local.stop()


def counts(driver: Driver) -> Counts:
    records, _, _ = driver.execute_query(COUNTS)
    return {(r["kind"], r["name"], r["source"]): r["count"] for r in records}


def assert_no_duplicates(driver: Driver) -> None:
    """Keys unique per label and provenance lists without repeats."""
    for label, key in NODE_KEYS.items():
        records, _, _ = driver.execute_query(
            f"MATCH (n:{label.value}) RETURN count(n) AS n, count(DISTINCT n.{key}) AS keys"  # type: ignore[arg-type]
        )
        assert records[0]["n"] == records[0]["keys"], label
    records, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:GraphMeta WITH n, n.sources AS s "
        "UNWIND s AS x WITH n, s, count(DISTINCT x) AS d WHERE d <> size(s) RETURN count(n) AS n"
    )
    assert records[0]["n"] == 0


def clear(driver: Driver) -> None:
    with driver.session() as session:
        session.run(CLEAR_GRAPH).consume()


def load_all(settings: Settings, driver: Driver) -> None:
    for name in SOURCES:
        run_loader(name, settings, driver)


@pytest.fixture(scope="module")
def reference(server: Server) -> Counts:
    """The counts of an uninterrupted load, to compare every recovered load with."""
    driver = server.driver()
    try:
        clear(driver)
        load_all(server.settings, driver)
        result = counts(driver)
        assert result[("node", NodeLabel.REGION.value, "eurostat-nuts")] > 1000
        return result
    finally:
        driver.close()


def port_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def restart_once_down(local: LocalNeo4j) -> None:
    """Starts the server again as soon as the killed one has let go of its port (a large JVM
    can take seconds to disappear on a busy machine)."""
    deadline = time.monotonic() + 120
    while not port_closed(local.port) and time.monotonic() < deadline:
        time.sleep(0.2)
    local.start()


def ensure_running(server: Server) -> None:
    if not server.local.status().running:
        restart_once_down(server.local)


def killer_at_batch(
    server: Server, batch: int, then: Callable[[], None] | None = None
) -> Callable[[int], None]:
    """An on_batch callback that kills the server (SIGKILL) after ``batch`` batches."""
    seen = 0

    def on_batch(_: int) -> None:
        nonlocal seen
        seen += 1
        if seen == batch:
            server.local.kill()
            if then is not None:
                then()

    return on_batch


def assert_whole_batches(partial: Counts, full: Counts) -> None:
    """Each label (or type) and source is either complete or a whole number of batches."""
    for key, count in partial.items():
        assert count == full[key] or count % BATCH == 0, (key, count, full[key])


def test_kill_between_batches_fails_clearly_and_a_rerun_is_exact(
    server: Server, reference: Counts
) -> None:
    ensure_running(server)
    driver = server.driver()
    clear(driver)
    run_loader("domains", server.settings, driver)
    domains_only = counts(driver)
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable) as raised:
        run_loader("regions", server.settings, driver, on_batch=killer_at_batch(server, 5))
    driver.close()
    message = str(raised.value)
    assert "regions" in message and "load regions" in message, message
    assert time.monotonic() - started < 120

    restart_once_down(server.local)
    driver = server.driver()
    try:
        partial = counts(driver)
        assert_whole_batches(partial, reference)
        assert {k: v for k, v in partial.items() if k in domains_only} == domains_only
        assert partial != reference  # the kill really cut the load short
        run_loader("regions", server.settings, driver)  # resume: that one source only
        assert counts(driver) == reference
        assert_no_duplicates(driver)
    finally:
        driver.close()
    FAULTS.append("SIGKILL between batches of a load; re-run exact")


def test_kill_during_a_transaction_leaves_no_half_batch(server: Server, reference: Counts) -> None:
    ensure_running(server)
    driver = server.driver()
    clear(driver)
    run_loader("domains", server.settings, driver)
    # The kill lands a moment after the first batch, while the next one is being written.
    timer = threading.Timer(0.05, server.local.kill)

    def on_batch(_: int) -> None:
        if timer.ident is None:
            timer.start()

    big = server.settings.model_copy(update={"batch_size": 400})
    with pytest.raises(S3GraphError):
        run_loader("regions", big, driver, on_batch=on_batch)
    driver.close()

    restart_once_down(server.local)
    driver = server.driver()
    try:
        partial = counts(driver)
        for key, count in partial.items():
            assert count == reference[key] or count % 400 == 0, (key, count)
        run_loader("regions", server.settings, driver)
        assert counts(driver) == reference
        assert_no_duplicates(driver)
    finally:
        driver.close()
    FAULTS.append("SIGKILL during a write transaction; no half batch; re-run exact")


def test_restart_within_the_retry_window_is_retried_not_failed(
    server: Server, reference: Counts
) -> None:
    """Managed transactions retry on a lost connection: a Neo4j that is back within the
    driver's retry window costs a pause, not a failed load."""
    ensure_running(server)
    local = server.local
    driver = GraphDatabase.driver(
        local.uri, auth=("neo4j", local.password()), max_transaction_retry_time=240.0
    )
    try:
        clear(driver)
        run_loader("domains", server.settings, driver)
        restart = threading.Thread(target=restart_once_down, args=(local,))
        result = run_loader(
            "regions", server.settings, driver, on_batch=killer_at_batch(server, 3, restart.start)
        )
        restart.join()
        assert result.report.rows_rejected == 0 or result.report.rows_loaded > 0
        assert counts(driver) == reference
        assert_no_duplicates(driver)
    finally:
        driver.close()
    FAULTS.append("SIGKILL and restart within the retry window; load completed")


def test_rerunning_a_source_is_idempotent(server: Server, reference: Counts) -> None:
    ensure_running(server)
    driver = server.driver()
    try:
        clear(driver)
        load_all(server.settings, driver)
        run_loader("regions", server.settings, driver)
        run_loader("domains", server.settings, driver)
        assert counts(driver) == reference
    finally:
        driver.close()


# -- the API across a Neo4j restart --------------------------------------------------------------

OUTAGE_URLS = (
    "/health",
    "/stats",
    "/regions?country=DK",
    "/regions/DK05",
    "/domains",
    "/search?q=Nordjylland",  # compared by hits, not scores (they change with a restart)
    "/paths?from=DK05",
    "/connect?us=DK05&x=EL43",
    "/brokers",
    "/overlap?regions=DK05&regions=EL43",
)


def test_api_answers_503_during_a_restart_and_recovers_by_itself(
    server: Server, reference: Counts
) -> None:
    ensure_running(server)
    app = create_app(server.settings, start_local=False)
    with TestClient(app) as client:
        before = {url: client.get(url) for url in OUTAGE_URLS}
        assert all(r.status_code < 500 for r in before.values()), before
        server.local.kill()
        for url in OUTAGE_URLS:
            started = time.monotonic()
            response = client.get(url)
            assert response.status_code == 503, (url, response.status_code, response.text)
            assert "not reachable" in response.json()["detail"], url
            assert time.monotonic() - started < 15, url  # answered, not a hung worker
        restart_once_down(server.local)
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline and status != 200:
            status = client.get("/regions/DK05").status_code
            time.sleep(0.5)
        assert status == 200
        for url, response in before.items():
            again = client.get(url)
            assert again.status_code == response.status_code, url
            if url.startswith(("/regions", "/domains")):
                assert again.json() == response.json(), url
            if url.startswith("/search"):  # full-text scores shift with the rebuilt index
                keys = [(hit["label"], hit["key"]) for hit in again.json()]
                assert sorted(keys) == sorted((h["label"], h["key"]) for h in response.json())
    FAULTS.append("SIGKILL and restart while the API serves; 503 then recovered")


# -- runaway queries: cut by the server, answered with a clear error ------------------------------

TX_TIMEOUT = 20  # the server's own cap on every transaction of this module's Neo4j (seconds)
RUNAWAY = (
    "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b "
    "WITH a, b WHERE (a * b) % 7 = 3 RETURN count(*) AS n"
)


def test_server_side_timeout_stops_a_query_that_sets_none(server: Server) -> None:
    """A transaction without a timeout of its own is stopped by the server's
    (S3GRAPH_NEO4J_TX_TIMEOUT, passed to the launcher as --tx-timeout)."""
    ensure_running(server)
    driver = server.driver()
    started = time.monotonic()
    try:
        with pytest.raises(ClientError) as raised, driver.session() as session:
            session.run(RUNAWAY).consume()
    finally:
        driver.close()
    elapsed = time.monotonic() - started
    assert "TransactionTimedOut" in (raised.value.code or ""), raised.value.code
    assert TX_TIMEOUT - 1 <= elapsed < TX_TIMEOUT + 60, elapsed
    FAULTS.append("runaway query without a timeout stopped by the server")


DENSE = 60


def dense_graph() -> list[Record]:
    """Sixty organisations in Nordjylland that all took part in the same sixty projects, and one
    organisation in Kriti tied to the last of them only: the k best six-hop routes to Kriti can
    be proven only by trying every one of them, some 200,000 (about 13 s in memory)."""
    records: list[Record] = [
        Node(
            NodeLabel.REGION,
            "DK05",
            {"name": "Nordjylland", "level": 2, "category": "more developed"},
            "test",
        ),
        Node(
            NodeLabel.REGION,
            "EL43",
            {"name": "Kriti", "level": 2, "category": "less developed"},
            "test",
        ),
        Node(NodeLabel.ORGANISATION, "org:test:kriti", {"name": "Kriti SME"}, "test"),
        Rel(
            RelType.LOCATED_IN,
            NodeLabel.ORGANISATION,
            "org:test:kriti",
            NodeLabel.REGION,
            "EL43",
            {},
            "test",
        ),
    ]
    for i in range(DENSE):
        uid = f"org:test:dense-{i}"
        records.append(Node(NodeLabel.ORGANISATION, uid, {"name": f"Dense {i}"}, "test"))
        records.append(
            Rel(
                RelType.LOCATED_IN,
                NodeLabel.ORGANISATION,
                uid,
                NodeLabel.REGION,
                "DK05",
                {},
                "test",
            )
        )
        records.append(
            Node(
                NodeLabel.PROJECT,
                f"cordis:dense-{i}",
                {"acronym": f"D{i}", "n_partners": DENSE},
                "test",
            )
        )
    for i in range(DENSE):
        for j in range(DENSE):
            records.append(
                Rel(
                    RelType.PARTICIPATED_IN,
                    NodeLabel.ORGANISATION,
                    f"org:test:dense-{i}",
                    NodeLabel.PROJECT,
                    f"cordis:dense-{j}",
                    {"role": "participant"},
                    "test",
                )
            )
    records += [
        Node(NodeLabel.PROJECT, "cordis:bridge", {"acronym": "BRIDGE", "n_partners": 2}, "test"),
        Rel(
            RelType.PARTICIPATED_IN,
            NodeLabel.ORGANISATION,
            "org:test:kriti",
            NodeLabel.PROJECT,
            "cordis:bridge",
            {"role": "participant"},
            "test",
        ),
        Rel(
            RelType.PARTICIPATED_IN,
            NodeLabel.ORGANISATION,
            f"org:test:dense-{DENSE - 1}",
            NodeLabel.PROJECT,
            "cordis:bridge",
            {"role": "participant"},
            "test",
        ),
    ]
    return records


def test_expensive_request_is_cut_and_answered_504(server: Server) -> None:
    """The API's answers are bounded by S3GRAPH_QUERY_TIMEOUT, in Neo4j (the transaction
    timeout) and in the in-memory route search (its deadline): an expensive request is stopped
    and answered 504 with what to do, and the worker is free."""
    ensure_running(server)
    driver = server.driver()
    try:
        clear(driver)
        GraphWriter(driver).write(dense_graph())
    finally:
        driver.close()
    quick = server.settings.model_copy(update={"query_timeout": 3.0})
    with TestClient(create_app(quick, start_local=False)) as client:
        started = time.monotonic()
        response = client.get("/paths", params={"from": "org:test:dense-0", "max_hops": 6, "k": 50})
        elapsed = time.monotonic() - started
        assert response.status_code == 504, response.text[:300]
        assert "S3GRAPH_QUERY_TIMEOUT" in response.json()["detail"]
        assert elapsed < TX_TIMEOUT, elapsed  # the request's own timeout, not the server's cap
        assert client.get("/regions/DK05").status_code == 200  # the service is still free
    FAULTS.append("expensive API request cut by the query timeout: 504")


@pytest.fixture(scope="module", autouse=True)
def report_faults() -> Iterator[None]:
    yield
    CLOSING_FIGURES["faults injected and survived"] = f"{len(FAULTS)} ({'; '.join(FAULTS)})"
