"""The command line against the real database."""

from __future__ import annotations

from neo4j import Driver
from typer.testing import CliRunner

from cli.main import app
from graph.settings import Settings

runner = CliRunner()


def test_db_init_and_status(cli_env: Settings) -> None:
    result = runner.invoke(app, ["db", "init"])
    assert result.exit_code == 0, result.output
    assert "Schema applied" in result.output
    result = runner.invoke(app, ["db", "status"])
    assert result.exit_code == 0, result.output
    assert "Connected" in result.output


def test_load_domains_prints_summary(cli_env: Settings) -> None:
    result = runner.invoke(app, ["load", "domains"])
    assert result.exit_code == 0, result.output
    assert "Load summary" in result.output
    assert "22" in result.output


def test_unknown_source_is_an_error(cli_env: Settings) -> None:
    result = runner.invoke(app, ["load", "nope"])
    assert result.exit_code != 0
    assert "unknown source" in str(result.exception)


def test_stats_on_a_graph_without_organisations(graph: Driver, cli_env: Settings) -> None:
    runner.invoke(app, ["load", "domains"])
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0, result.output
    assert "Domain" in result.output
    assert "Organisations: 0" in result.output
