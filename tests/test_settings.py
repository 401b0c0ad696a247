"""Where s3graph keeps its data when S3GRAPH_HOME is unset, and what it says about a store that
an earlier version put in $HOME/neo4j."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from graph.local import misplaced_store
from graph.settings import Settings, get_settings


@pytest.fixture
def user_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "user"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("S3GRAPH_HOME", "XDG_DATA_HOME", "NEO4J_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    return home


def test_home_is_not_taken_from_HOME(user_home: Path) -> None:
    assert Settings().home == user_home / ".local" / "share" / "s3graph"


def test_xdg_data_home_is_followed(user_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(user_home / "xdg"))
    assert Settings().home == user_home / "xdg" / "s3graph"


def test_s3graph_home_wins(user_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3GRAPH_HOME", str(user_home / "elsewhere"))
    assert Settings().home == user_home / "elsewhere"


def test_other_field_names_are_not_read_from_the_environment(
    user_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATA_DIR", str(user_home / "not-data"))
    monkeypatch.setenv("BATCH_SIZE", "7")
    settings = Settings()
    assert settings.data_dir != user_home / "not-data"
    assert settings.batch_size == 5000


def _old_store(home: Path) -> Path:
    old = home / "neo4j"
    (old / "data").mkdir(parents=True)
    (old / "config.json").write_text('{"password": "x"}')
    return old


def test_a_store_left_in_HOME_is_found_and_nothing_is_moved(user_home: Path) -> None:
    old = _old_store(user_home)
    assert misplaced_store(Settings()) == old
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["db", "status"])
    finally:
        get_settings.cache_clear()
    assert "from an earlier version is in" in result.output
    assert f"mv {old}" in result.output
    assert (old / "data").is_dir() and (old / "config.json").is_file()
    assert not (user_home / ".local" / "share" / "s3graph" / "neo4j" / "data").exists()


def test_no_note_once_the_store_is_in_its_place(user_home: Path) -> None:
    _old_store(user_home)
    (Settings().home / "neo4j" / "data").mkdir(parents=True)
    assert misplaced_store(Settings()) is None


def test_no_note_for_a_folder_s3graph_did_not_make(user_home: Path) -> None:
    (user_home / "neo4j" / "data").mkdir(parents=True)  # someone else's Neo4j
    assert misplaced_store(Settings()) is None
