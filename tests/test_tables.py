"""Reading source tables: encodings, separators, wholly wrong files."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import SourceFormatError
from loaders.tables import read_table


def test_semicolon_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffid;name\n1;Trøndelag\n".encode())
    assert list(read_table(path, required=["id"])) == [(2, {"id": "1", "name": "Trøndelag"})]


def test_comma_quotes_latin1(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes('id,name\n1,"Kýpros, Lefkosia"\n'.encode("latin-1"))
    assert next(iter(read_table(path)))[1]["name"] == "Kýpros, Lefkosia"


def test_short_row_gives_none_for_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,name,country\n1,x\n", encoding="utf-8")
    assert next(iter(read_table(path)))[1]["country"] is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "HTML"),
        (b"foo,bar\n1,2\n", "missing id"),
    ],
)
def test_wholly_wrong_files_stop_with_one_message(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(SourceFormatError, match=message):
        list(read_table(path, required=["id"]))
