"""Hostile requests: the API fuzzed from its own OpenAPI schema, Cypher injection through every
parameter of every endpoint and every CLI argument, limits, timeouts, body sizes, read-only
transactions and the absence of unauthenticated writes.

Runs on the small hand-built graph of tests/api_graph.py. The graph's fingerprint (nodes,
relationships, labels, properties) is taken before and compared after each hostile sweep: a
request may answer 2xx or 4xx, never 5xx, and never change the graph.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from neo4j import Driver
from neo4j.exceptions import ClientError, Neo4jError
from schemathesis.specs.openapi.checks import positive_data_acceptance
from typer.testing import CliRunner

from api.app import create_app
from api.database import DatabaseHandle
from api.limits import MAX_BODY_BYTES
from cli.main import app as cli_app
from graph.errors import S3GraphError
from graph.settings import Settings
from queries import runner
from queries.stats import graph_stats
from tests import api_graph
from tests.conftest import CLEAR_GRAPH, CLOSING_FIGURES

COUNTS = """
RETURN COUNT { MATCH (n) } AS nodes,
       COUNT { MATCH ()-[r]->() } AS rels,
       COLLECT { MATCH (n) UNWIND labels(n) AS l RETURN DISTINCT l ORDER BY l } AS labels,
       reduce(s = 0, k IN COLLECT { MATCH (n) RETURN size(keys(n)) } | s + k) AS node_props,
       reduce(s = 0, k IN COLLECT { MATCH ()-[r]->() RETURN size(keys(r)) } | s + k) AS rel_props
"""

SWEEP: dict[str, int] = {"schemathesis": 0, "injection requests": 0, "cli injections": 0}


def fingerprint(driver: Driver) -> dict[str, Any]:
    records, _, _ = driver.execute_query(COUNTS)
    return dict(records[0])


@pytest.fixture(scope="module")
def api_db(driver: Driver, settings: Settings) -> Iterator[Driver]:
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()
    api_graph.build(driver, settings.neo4j_database)
    before = fingerprint(driver)
    yield driver
    assert fingerprint(driver) == before, "the hostile requests changed the graph"


@pytest.fixture(scope="module")
def client(api_db: Driver, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


# -- fuzzing from the OpenAPI schema ---------------------------------------------------------


# The schema is read from the application itself, built once at import; the fixture below points
# that application at the test database before the first request.
FUZZED_APP = create_app(Settings(), start_local=False)
fuzzed = schemathesis.openapi.from_asgi("/openapi.json", FUZZED_APP)


@pytest.fixture(scope="module")
def fuzzed_app(api_db: Driver, settings: Settings) -> Iterator[None]:
    database = DatabaseHandle(settings)
    FUZZED_APP.state.settings = settings
    FUZZED_APP.state.database = database
    yield
    database.close()


@fuzzed.parametrize()
@hypothesis_settings(
    max_examples=int(os.environ.get("S3GRAPH_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_fuzzed_requests_get_no_500_and_match_the_schema(case: Any, fuzzed_app: None) -> None:
    """Schema-valid and schema-invalid requests alike: no 5xx, and every response (status,
    content type, body) is the one the schema documents; invalid input is refused.

    Not checked: that every schema-valid request is accepted. A well-formed value that means
    nothing (country=000) is answered 422 with a message, as the schema documents.
    """
    SWEEP["schemathesis"] += 1
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


# -- Cypher injection through every parameter --------------------------------------------------

INJECTIONS = (
    "'",
    '"',
    "`",
    "\\",
    "' OR 1=1 //",
    "'}) DETACH DELETE n //",
    "}) DETACH DELETE n //",
    '"}) DETACH DELETE n //',
    "`}) MATCH (m) DETACH DELETE m //",
    "DK05'}) MATCH (m) DETACH DELETE m RETURN 1 //",
    "x` {uid: 1}) SET n.pwned = true //",
    ":Organisation",
    "Region`:`Organisation",
    "$key",
    "$nuts_id",
    "{key}",
    "*",
    "*:*",
    "name:*",
    "?",
    "~",
    "[a TO z]",
    "CALL db.clearQueryCaches()",
    "MATCH (n) DETACH DELETE n",
    "%27%20OR%201%3D1",
    "\u0000",
    "n\u202e",
)

# A valid value for each parameter, so that the one under attack is the only bad one.
VALID: dict[str, Any] = {
    "from": "DK05",
    "us": "DK05",
    "x": "EL43",
    "to": "EL43",
    "region": "DK05",
    "regions": ["DK05", "EL43"],
    "among": ["EL43"],
    "domain": "tourism",
    "seed": api_graph.AAU,
    "call": None,  # filled from /calls
    "q": "Kriti",
    "label": "Region",
    "key": "DK05",
    "nuts_id": "DK05",
    "uid": api_graph.AAU,
    "code": "tourism",
    "format": "nodes.csv",
}

# Explorer pages are not in the OpenAPI schema (HTML); their parameters are attacked too.
PAGES: tuple[tuple[str, dict[str, str]], ...] = (
    ("/explore/search", {"q": ""}),
    ("/explore/paths", {"from": "DK05", "to": "EL43"}),
    ("/explore/connect", {"us": "DK05", "x": "EL43"}),
)


def _operations(client: TestClient) -> list[tuple[str, list[dict[str, Any]]]]:
    spec = client.get("/openapi.json").json()
    return [
        (path, op.get("parameters", []))
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method == "get"
    ]


def _is_text(parameter: dict[str, Any]) -> bool:
    schema = parameter.get("schema", {})
    options = schema.get("anyOf", [schema])
    return any(o.get("type") in ("string", "array") or "enum" in o for o in options) and not any(
        "enum" in o or "$ref" in o for o in options
    )


def _request(
    path: str, parameters: list[dict[str, Any]], target: str, value: str
) -> tuple[str, dict[str, Any]]:
    url = path
    query: dict[str, Any] = {}
    for parameter in parameters:
        name = parameter["name"]
        chosen = value if name == target else VALID.get(name)
        if chosen is None and name != target and not parameter.get("required"):
            continue
        if parameter["in"] == "path":
            url = url.replace("{" + name + "}", quote(str(chosen), safe=""))
        elif isinstance(chosen, list) and name != target:
            query[name] = chosen
        else:
            query[name] = chosen
    return url, query


def _matches(body: Any) -> int | None:
    """How many things a list or search answer holds (None when it is not a list answer)."""
    if isinstance(body, dict):
        if "total" in body:
            return int(body["total"])
        for field in ("items", "hits", "results"):
            if isinstance(body.get(field), list):
                return len(body[field])
    if isinstance(body, list):
        return len(body)
    return None


def _search_problem(client: TestClient, path: str, value: str, body: Any) -> str:
    """Punctuation alone matches nothing, and no search string matches everything (a wildcard
    or Lucene syntax passed through unescaped would)."""
    found = _matches(body)
    if found is None:
        return ""
    if not any(ch.isalnum() for ch in value) and found:
        return f"punctuation matched {found} things"
    everything = _matches(client.get(path).json()) if path != "/search" else None
    if everything and found == everything:
        return f"matched all {found} things"
    return ""


def test_injection_through_every_parameter_changes_nothing(
    client: TestClient, api_db: Driver
) -> None:
    """Each string parameter of each endpoint gets each hostile string, the others valid
    values: the answer is 2xx or 4xx, a text search finds nothing, and the graph is as before."""
    VALID["call"] = client.get("/calls").json()[0]
    before = fingerprint(api_db)
    failures: list[str] = []
    for path, parameters in _operations(client):
        for parameter in parameters:
            if not _is_text(parameter):
                continue
            for value in INJECTIONS:
                url, query = _request(path, parameters, parameter["name"], value)
                response = client.get(url, params=query)
                SWEEP["injection requests"] += 1
                where = f"{path} {parameter['name']}={value!r}: {response.status_code}"
                if response.status_code >= 500:
                    failures.append(f"{where} {response.text[:200]}")
                elif (
                    response.status_code == 200
                    and parameter["name"] == "q"
                    and "json" in response.headers.get("content-type", "")
                ):
                    problem = _search_problem(client, path, value, response.json())
                    if problem:
                        failures.append(f"{where}: {problem}: {response.text[:200]}")
    for page, params in PAGES:
        for name in params:
            for value in INJECTIONS:
                response = client.get(page, params={**params, name: value})
                SWEEP["injection requests"] += 1
                if response.status_code >= 500:
                    failures.append(f"{page} {name}={value!r}: {response.status_code}")
    for value in INJECTIONS:
        for url in (f"/explore/node/Region/{quote(value, safe='')}", f"/regions/{quote(value)}"):
            response = client.get(url)
            SWEEP["injection requests"] += 1
            if response.status_code >= 500:
                failures.append(f"{url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert fingerprint(api_db) == before


CLI_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("paths", "{v}"),
    ("paths", "DK05", "--to", "{v}"),
    ("paths", "DK05", "--domain", "{v}"),
    ("connect", "DK05", "{v}"),
    ("connect", "{v}", "EL43"),
    ("brokers", "--domain", "{v}"),
    ("overlap", "{v}", "DK05"),
    ("consortium", "--call", "{v}", "--domain", "tourism", "--seed", api_graph.AAU),
    ("consortium", "--call", "i3-strand1", "--domain", "{v}", "--seed", "{v}"),
    ("explain-org", "{v}"),
    ("load", "{v}"),
)


def test_injection_through_every_cli_argument_changes_nothing(
    api_db: Driver, cli_env: Settings
) -> None:
    """Each command with a hostile argument ends with its result or a one-line error (an
    ``S3GraphError``), never a driver traceback, and the graph is as before."""
    cli = CliRunner()
    before = fingerprint(api_db)
    failures: list[str] = []
    for command in CLI_COMMANDS:
        for value in INJECTIONS:
            if "\u0000" in value:
                continue  # a NUL byte cannot be passed as a command-line argument
            args = [part.replace("{v}", value) for part in command]
            result = cli.invoke(cli_app, args)
            SWEEP["cli injections"] += 1
            error = result.exception
            if error is not None and not isinstance(error, S3GraphError | SystemExit):
                failures.append(f"{args}: {type(error).__name__}: {error}")
    assert not failures, "\n".join(failures)
    assert fingerprint(api_db) == before


# -- limits ----------------------------------------------------------------------------------------


def _bounds(client: TestClient) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(path, parameter, its schema) for every integer and string parameter of every GET."""
    found = []
    for path, parameters in _operations(client):
        for parameter in parameters:
            schema = parameter.get("schema", {})
            for option in schema.get("anyOf", [schema]):
                if option.get("type") in ("integer", "string") and "enum" not in option:
                    found.append((path, parameter, option))
    return found


def test_every_number_and_text_parameter_is_bounded(client: TestClient) -> None:
    """Hops, k, page sizes, offsets and every text field have a declared ceiling."""
    unbounded = [
        f"{path} {parameter['name']}"
        for path, parameter, schema in _bounds(client)
        if (schema["type"] == "integer" and "maximum" not in schema)
        or (schema["type"] == "string" and "maxLength" not in schema and "pattern" not in schema)
    ]
    assert not unbounded, unbounded


def test_values_past_the_bounds_are_422(client: TestClient) -> None:
    VALID["call"] = client.get("/calls").json()[0]
    failures = []
    checked = 0
    for path, parameter, schema in _bounds(client):
        name = parameter["name"]
        if schema["type"] == "integer":
            bad_values: list[Any] = [schema["maximum"] + 1, 10**12]
            if "minimum" in schema:
                bad_values.append(schema["minimum"] - 1)
        elif "maxLength" in schema:
            bad_values = ["x" * (schema["maxLength"] + 1)]
        else:
            continue
        for bad in bad_values:
            url, query = _request(path, _operations_by_path(client)[path], name, bad)
            response = client.get(url, params=query)
            checked += 1
            if response.status_code not in (404, 422) or (
                response.status_code == 404 and parameter["in"] != "path"
            ):
                failures.append(f"{path} {name}={str(bad)[:20]}: {response.status_code}")
    assert checked > 40
    assert not failures, failures


def _operations_by_path(client: TestClient) -> dict[str, list[dict[str, Any]]]:
    return dict(_operations(client))


def test_too_many_regions_to_compare_is_422(client: TestClient) -> None:
    regions = ",".join(f"DK0{i % 10}" for i in range(31))
    response = client.get("/overlap", params={"regions": regions})
    assert response.status_code == 422
    assert "at most" in response.json()["detail"]


def test_request_bodies_are_size_limited(client: TestClient) -> None:
    big = b"x" * (MAX_BODY_BYTES + 1)
    declared = client.request("GET", "/regions", content=big)
    assert declared.status_code == 413
    assert "larger than" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"y" * 8192

    streamed = client.request("POST", "/regions", content=chunks())
    assert streamed.status_code == 413
    small = client.request("GET", "/regions", content=b"{}")
    assert small.status_code == 200


# -- read-only: read transactions, no unauthenticated writes ------------------------------------

WRITE = "CREATE (p:Probe {name: 'written through a read endpoint'}) RETURN p.name AS name"


def test_readers_run_read_transactions_that_refuse_writes(
    api_db: Driver, settings: Settings
) -> None:
    """The reader every endpoint uses refuses a write statement, in a statement's own
    transaction (look-ups) and in an answer's managed one (queries); so does the stats query."""
    before = fingerprint(api_db)
    query_reader = runner.Reader(api_db, settings.neo4j_database, settings.query_timeout)
    with pytest.raises(ClientError) as refused:
        query_reader.dicts(WRITE)  # type: ignore[arg-type]
    assert "AccessMode" in (refused.value.code or ""), refused.value.code
    with pytest.raises(Neo4jError) as refused_too:
        query_reader.run(lambda r: r.rows(WRITE))
    assert "AccessMode" in (refused_too.value.code or ""), refused_too.value.code
    graph_stats(api_db, settings.neo4j_database)
    assert fingerprint(api_db) == before


WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def test_no_endpoint_writes_without_an_api_key(client: TestClient, api_db: Driver) -> None:
    """Every route answers GET only; any route that accepts another method must refuse it
    without the API key (401/403). Write methods on read routes are 405, never 2xx/5xx."""
    before = fingerprint(api_db)
    spec_paths = client.get("/openapi.json").json()["paths"]
    writers = [
        (path, method.upper())
        for path, ops in spec_paths.items()
        for method in ops
        if method.upper() in WRITE_METHODS
    ]
    for path, method in writers:
        response = client.request(method, path.replace("{", "").replace("}", ""))
        assert response.status_code in (401, 403), (path, method, response.status_code)
    for path in spec_paths:
        concrete = path.replace("{nuts_id}", "DK05").replace("{uid}", api_graph.AAU)
        concrete = concrete.replace("{code}", "tourism").replace("{label}", "Region")
        concrete = concrete.replace("{key}", "DK05")
        for method in WRITE_METHODS:
            if (path, method) in writers:
                continue
            response = client.request(method, concrete)
            assert response.status_code == 405, (method, concrete, response.status_code)
    assert fingerprint(api_db) == before


# -- closing figures -----------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def report_sweep() -> Iterator[None]:
    started = time.monotonic()
    yield
    figures = ", ".join(f"{name}: {count}" for name, count in SWEEP.items())
    CLOSING_FIGURES["hostile requests"] = f"{figures} ({time.monotonic() - started:.0f} s)"
