"""Query commands that ask a running ``s3graph serve`` (``cli/service.py``): the same output and
exit codes as asking Neo4j, and Neo4j asked instead whenever the service is not one to trust."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from neo4j import Driver
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from api.headers import GRAPH_VERSION
from cli.main import app
from cli.service import ask_service
from graph.settings import Settings, get_settings
from queries.models import PathsResult
from tests.conftest import free_port, running_service
from tests.test_queries_graphs import fresh_toy_graph

runner = CliRunner()
ANSWER = PathsResult(k=3, max_hops=4, explanation="No path.").model_dump_json()


@pytest.fixture(scope="module")
def service(driver: Driver, settings: Settings) -> Iterator[str]:
    """The HTTP service on a free loopback port, over the toy graph."""
    fresh_toy_graph(driver)
    with running_service(settings) as base:
        yield base


@pytest.fixture
def cli(cli_env: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("S3GRAPH_QUERY_TIMEOUT", "300")
    monkeypatch.setenv("COLUMNS", "200")
    yield cli_env


def run(monkeypatch: pytest.MonkeyPatch, service: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("S3GRAPH_SERVICE", service)
    get_settings.cache_clear()
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "args",
    [
        ("paths", "DK05", "-k", "3"),
        ("paths", "DK05", "--to", "GR", "--json"),
        ("paths", "Nowhere at all"),  # not found: the service says 404, Neo4j says why
        ("connect", "AALBORG UNIVERSITET", "Kriti"),
        ("connect", "DK05", "Energy Lab"),  # ambiguous: exit code 2 either way
        ("connect", "DK05", "tourism", "--kind", "domain", "--json"),
    ],
)
def test_the_service_answers_as_neo4j_would(
    service: str, cli: Settings, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    direct = run(monkeypatch, "", *args)
    assert run(monkeypatch, service, *args) == direct


def test_with_a_service_the_command_needs_no_neo4j_of_its_own(
    service: str, cli: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "not-the-password")  # the command cannot log in
    code, output = run(monkeypatch, service, "paths", "DK05", "-k", "3")
    assert code == 0 and "SMALLNEW" in output
    code, output = run(monkeypatch, service, "connect", "DK05", "Energy Lab")
    assert code == 2 and "Energy Lab Kriti" in output
    code, output = run(monkeypatch, "", "paths", "DK05", "-k", "3")
    assert code != 0 and "SMALLNEW" not in output


def settings_for(base: str) -> Settings:
    return Settings(S3GRAPH_SERVICE=base, NEO4J_URI="bolt://db.example:7687", NEO4J_DATABASE="s3")


def serve_health(httpserver: HTTPServer, neo4j: str, database: str, version: int) -> None:
    health = {"status": "ok", "neo4j": neo4j, "database": database, "graph_version": version}
    httpserver.expect_request("/health").respond_with_json(health)


def test_an_answer_is_taken_only_from_the_same_graph_and_version(httpserver: HTTPServer) -> None:
    settings = settings_for(httpserver.url_for("/"))
    serve_health(httpserver, "bolt://db.example:7687", "s3", 7)
    httpserver.expect_request("/paths").respond_with_data(
        ANSWER, content_type="application/json", headers={GRAPH_VERSION: "7"}
    )
    found = ask_service(settings, "/paths", {"from": "DK05", "to": None}, PathsResult)
    assert found is not None and found.explanation == "No path."
    assert httpserver.log[-1][0].args.to_dict() == {"from": "DK05"}  # None is left out

    httpserver.clear()
    serve_health(httpserver, "bolt://db.example:7687", "s3", 8)  # a load since the answer
    httpserver.expect_request("/paths").respond_with_data(
        ANSWER, content_type="application/json", headers={GRAPH_VERSION: "7"}
    )
    assert ask_service(settings, "/paths", {"from": "DK05"}, PathsResult) is None


@pytest.mark.parametrize(
    ("neo4j", "database"),
    [("bolt://other.example:7687", "s3"), ("bolt://db.example:7687", "neo4j")],
)
def test_a_service_of_another_graph_is_not_asked(
    httpserver: HTTPServer, neo4j: str, database: str
) -> None:
    serve_health(httpserver, neo4j, database, 7)
    settings = settings_for(httpserver.url_for("/"))
    assert ask_service(settings, "/paths", {"from": "DK05"}, PathsResult) is None
    assert [request.path for request, _ in httpserver.log] == ["/health"]


@pytest.mark.parametrize(
    ("status", "body"),
    [(404, ANSWER), (429, ANSWER), (500, "oops"), (200, "not json"), (200, "[1, 2]")],
)
def test_a_refusal_or_a_strange_answer_means_asking_neo4j(
    httpserver: HTTPServer, status: int, body: str
) -> None:
    serve_health(httpserver, "bolt://db.example:7687", "s3", 7)
    httpserver.expect_request("/paths").respond_with_data(
        body, status=status, content_type="application/json", headers={GRAPH_VERSION: "7"}
    )
    settings = settings_for(httpserver.url_for("/"))
    assert ask_service(settings, "/paths", {"from": "DK05"}, PathsResult) is None


def test_no_service_or_none_named() -> None:
    assert (
        ask_service(settings_for(f"http://127.0.0.1:{free_port()}"), "/paths", {}, PathsResult)
        is None
    )
    assert ask_service(settings_for(""), "/paths", {}, PathsResult) is None
