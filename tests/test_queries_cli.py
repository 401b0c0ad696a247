"""The query commands of the CLI against the toy graph: tables, --json and exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from cli.main import app
from graph.settings import Settings
from tests.test_queries_graphs import fresh_toy_graph, org_uid

runner = CliRunner()


@pytest.fixture(scope="module")
def toy(driver: Driver) -> Driver:
    return fresh_toy_graph(driver)


@pytest.fixture
def cli(toy: Driver, cli_env: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("S3GRAPH_QUERY_TIMEOUT", "300")
    monkeypatch.setenv("COLUMNS", "200")
    yield cli_env


def test_paths_table_and_json(cli: Settings) -> None:
    result = runner.invoke(app, ["paths", "DK05", "-k", "3"])
    assert result.exit_code == 0, result.output
    assert "SMALLNEW" in result.output and "PANEPISTIMIO PATRON" in result.output
    assert "less developed" in result.output
    result = runner.invoke(app, ["paths", "DK05", "--to", "GR", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["target"]["country"]["key"] == "EL"
    assert {p["nodes"][-1]["key"] for p in data["paths"]} == {
        org_uid(k) for k in ("pat", "hmu", "cre", "elk")
    }


def test_connect_and_ambiguous_exit_code(cli: Settings) -> None:
    result = runner.invoke(app, ["connect", "AALBORG UNIVERSITET", "Kriti"])
    assert result.exit_code == 0, result.output
    assert "DANMARKS TEKNISKE UNIVERSITET" in result.output
    result = runner.invoke(app, ["connect", "DK05", "Energy Lab"])
    assert result.exit_code == 2
    assert "Nordic Energy Lab" in result.output and "Energy Lab Kriti" in result.output
    result = runner.invoke(app, ["connect", "DK05", "Energy Lab", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.output)["status"] == "ambiguous"


def test_brokers_overlap_and_consortium(cli: Settings) -> None:
    result = runner.invoke(app, ["brokers"])
    assert result.exit_code == 0, result.output
    assert "AALBORG UNIVERSITET" in result.output and "Communities" in result.output
    result = runner.invoke(app, ["overlap", "DK05", "EL63", "PT11"])
    assert result.exit_code == 0, result.output
    assert "Shared and complementary" in result.output and "digital" in result.output
    result = runner.invoke(app, ["overlap", "DK05", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["partners"]["partners"][0]["region"]["nuts_id"] == "DK01"
    result = runner.invoke(
        app,
        [
            "consortium",
            "--call",
            "i3-strand1",
            "--domain",
            "digital",
            "--seed",
            "AALBORG UNIVERSITET",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "cannot be met" in result.output
    result = runner.invoke(
        app,
        [
            "consortium",
            "--call",
            "i3-strand2a",
            "--domain",
            "energy",
            "--seed",
            "AALBORG UNIVERSITET",
            "--max-hops",
            "6",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Proposal 1" in result.output and "pass" in result.output


def test_unknown_input_is_a_clean_error(cli: Settings) -> None:
    result = runner.invoke(app, ["paths", "Atlantis"])
    assert result.exit_code != 0
    assert "Atlantis" in str(result.exception)
    result = runner.invoke(
        app, ["consortium", "--call", "nope", "--domain", "digital", "--seed", "x"]
    )
    assert result.exit_code != 0
