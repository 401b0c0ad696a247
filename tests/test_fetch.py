"""``s3graph fetch`` against a local HTTP server that serves CORDIS-shaped archives built from
the fixture rows: unchanged files, changes, cut transfers, server errors, wrong files, time-outs.
No test leaves this machine."""

from __future__ import annotations

import io
import json
import re
import socket
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from neo4j import Driver
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from cli.main import app
from graph.errors import ConfigurationError, SourceFormatError
from graph.settings import Settings, get_settings
from loaders.fetch import Fetcher, FetchFailed, fetched_file, published, read_manifest
from loaders.pipeline import run_loader

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cordis"
H2020 = published("cordis-h2020")
PATH = f"/data/{H2020.filename}"


def archive(extra_project: str = "", padding: int = 0) -> bytes:
    """A zip in the published shape, from the fixture's project.csv and organization.csv
    (``padding`` bytes of an uncompressed extra member make it large enough to be cut)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        if padding:
            out.writestr("topics.csv", "x" * padding, compress_type=zipfile.ZIP_STORED)
        projects = (FIXTURES / "project.csv").read_text(encoding="utf-8")
        out.writestr("project.csv", projects + extra_project)
        out.writestr("organization.csv", (FIXTURES / "organization.csv").read_text("utf-8"))
    return buffer.getvalue()


def fetcher(server: HTTPServer, home: Path, timeout: float = 5.0) -> Fetcher:
    client = httpx.Client(timeout=httpx.Timeout(timeout), trust_env=False)
    return Fetcher(home / "downloads", server.url_for("/data"), client, wait_seconds=0.01)


def conditional(body: bytes, etag: str) -> object:
    def handle(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag, "Content-Type": "application/zip"})

    return handle


def test_first_fetch_then_unchanged_then_changed(httpserver: HTTPServer, tmp_path: Path) -> None:
    first = archive()
    httpserver.expect_request(PATH).respond_with_handler(conditional(first, '"v1"'))
    got = fetcher(httpserver, tmp_path).fetch(H2020)
    assert got.changed and got.transferred == len(first)
    assert got.path.read_bytes() == first
    manifest = read_manifest(got.path.parent)
    assert manifest is not None and manifest.etag == '"v1"' and manifest.size == len(first)
    assert "CORDIS" in manifest.licence

    again = fetcher(httpserver, tmp_path).fetch(H2020)
    assert not again.changed and again.transferred == 0

    httpserver.clear()
    second = archive("999999;NEWPROJ;SIGNED;New;2024-01-01;2026-12-31;1;1;;;;HORIZON;;;;;;;;\n")
    httpserver.expect_request(PATH).respond_with_handler(conditional(second, '"v2"'))
    changed = fetcher(httpserver, tmp_path).fetch(H2020)
    assert changed.changed and changed.path.read_bytes() == second
    assert not list(changed.path.parent.glob("*.part"))


def test_a_cut_transfer_resumes_from_where_it_stopped(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    body = archive(padding=400_000)
    calls: list[str | None] = []

    def handle(request: Request) -> Response:
        ranged = request.headers.get("Range")
        calls.append(ranged)
        if ranged is None:  # promise the whole file, send a third of it, then close
            third = body[: len(body) // 3]
            return Response(iter([third]), headers={"Content-Length": str(len(body))})
        start = int(ranged.removeprefix("bytes=").rstrip("-"))
        return Response(
            body[start:],
            status=206,
            headers={"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"},
        )

    httpserver.expect_request(PATH).respond_with_handler(handle)
    got = fetcher(httpserver, tmp_path).fetch(H2020)
    assert got.resumed and got.path.read_bytes() == body
    assert calls[0] is None and len(calls) == 2
    resumed_at = int(str(calls[1]).removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at <= len(body) // 3
    assert got.transferred == len(body) - resumed_at


def _good_copy(httpserver: HTTPServer, tmp_path: Path) -> bytes:
    good = archive()
    httpserver.expect_request(PATH).respond_with_data(good, headers={"ETag": '"good"'})
    fetcher(httpserver, tmp_path).fetch(H2020)
    httpserver.clear()
    return good


@pytest.mark.parametrize(
    ("status", "message"), [(500, "answered 500 (tried 3 times)"), (404, "answered 404")]
)
def test_server_errors_leave_the_good_file(
    httpserver: HTTPServer, tmp_path: Path, status: int, message: str
) -> None:
    good = _good_copy(httpserver, tmp_path)
    httpserver.expect_request(PATH).respond_with_data("no", status=status)
    with pytest.raises(FetchFailed, match=re.escape(message)):
        fetcher(httpserver, tmp_path).fetch(H2020)
    assert fetched_file(tmp_path / "downloads", "cordis-h2020") is not None
    assert (tmp_path / "downloads" / "cordis-h2020" / H2020.filename).read_bytes() == good


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Please log in</body></html>", "HTML page"),
        (archive()[:700], "not a zip archive"),
        (b"PK" + b"\x00" * 10, "not a zip archive"),
    ],
    ids=["html-page", "truncated-zip", "garbage"],
)
def test_a_wrong_file_is_refused_with_what_was_expected(
    httpserver: HTTPServer, tmp_path: Path, body: bytes, message: str
) -> None:
    good = _good_copy(httpserver, tmp_path)
    httpserver.expect_request(PATH).respond_with_data(body, headers={"ETag": '"bad"'})
    with pytest.raises(SourceFormatError, match=message) as refused:
        fetcher(httpserver, tmp_path).fetch(H2020)
    assert "project.csv, organization.csv" in str(refused.value)
    assert (tmp_path / "downloads" / "cordis-h2020" / H2020.filename).read_bytes() == good
    assert not list((tmp_path / "downloads" / "cordis-h2020").glob("*.part"))


def test_an_archive_of_another_shape_is_refused(httpserver: HTTPServer, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("project.csv", "a;b;c\n1;2;3\n")
        out.writestr("organization.csv", "x;y\n")
    httpserver.expect_request(PATH).respond_with_data(buffer.getvalue())
    with pytest.raises(SourceFormatError, match="lacks the columns id, acronym"):
        fetcher(httpserver, tmp_path).fetch(H2020)
    assert fetched_file(tmp_path / "downloads", "cordis-h2020") is None


def test_a_server_that_does_not_answer_times_out(httpserver: HTTPServer, tmp_path: Path) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(archive())

    httpserver.expect_request(PATH).respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="did not answer in time"):
        fetcher(httpserver, tmp_path, timeout=0.2).fetch(H2020)
    assert time.monotonic() - started < 10


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_offline_the_command_says_so_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("S3GRAPH_HOME", str(tmp_path))
    monkeypatch.setenv("S3GRAPH_CORDIS_BASE_URL", f"http://127.0.0.1:{_closed_port()}/data")
    get_settings.cache_clear()
    try:
        started = time.monotonic()
        result = CliRunner().invoke(app, ["fetch", "cordis-horizon"])
        listing = CliRunner().invoke(app, ["fetch", "--list"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0
    assert isinstance(result.exception, FetchFailed)
    assert "cannot reach" in str(result.exception)
    assert time.monotonic() - started < 30
    assert not (tmp_path / "downloads" / "cordis-horizon" / "manifest.json").exists()
    assert listing.exit_code == 0
    for word in ("cordis-h2020", "cordis-horizon", "CC BY 4.0", "edih", "interreg"):
        assert word in listing.output


def test_load_reads_a_fetched_archive_instead_of_the_snapshot(
    httpserver: HTTPServer, tmp_path: Path, graph: Driver, settings: Settings
) -> None:
    httpserver.expect_request(PATH).respond_with_data(archive(), headers={"ETag": '"v1"'})
    fetcher(httpserver, tmp_path).fetch(H2020)
    here = settings.model_copy(update={"home": tmp_path})
    run_loader("domains", here, graph)
    run_loader("regions", here, graph)
    result = run_loader("cordis", here, graph)
    assert any("fetched from cordis-h2020" in note for note in result.report.notes)
    records, _, _ = graph.execute_query(
        "MATCH (p:Project) RETURN collect(p.uid) AS uids", database_=settings.neo4j_database
    )
    uids = set(records[0]["uids"])
    assert uids and all(uid.startswith("cordis:9900000") for uid in uids)  # the fixture's only


def _without_project(text: str, project_id: str) -> str:
    return "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith(project_id)
    )


def changed_archive() -> bytes:
    """The fixture archive with project 990000004 withdrawn and a new project 990000009 (one
    organisation of the fixture takes part in it)."""
    projects = _without_project((FIXTURES / "project.csv").read_text("utf-8"), "990000004")
    organisations = (FIXTURES / "organization.csv").read_text("utf-8")
    template = next(line for line in organisations.splitlines() if line.startswith("990000003"))
    new_row = template.replace("990000003;FIXTURE-RIA", "990000009;FIXTURE-NEW", 1)
    organisations = _without_project(organisations, "990000004") + new_row + "\n"
    new_project = next(
        line for line in projects.splitlines() if line.startswith("990000003")
    ).replace("990000003;FIXTURE-RIA", "990000009;FIXTURE-NEW", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("project.csv", projects + new_project + "\n")
        out.writestr("organization.csv", organisations)
    return buffer.getvalue()


def test_refresh_loads_what_changed_and_reports_it(
    httpserver: HTTPServer, tmp_path: Path, graph: Driver, settings: Settings
) -> None:
    from loaders.refresh import refresh, write_report

    here = settings.model_copy(update={"home": tmp_path})
    horizon = f"/data/{published('cordis-horizon').filename}"
    httpserver.expect_request(horizon).respond_with_data("gone", status=404)
    httpserver.expect_request(PATH).respond_with_handler(conditional(archive(), '"v1"'))
    first = refresh(here, graph, ["cordis"], fetcher(httpserver, tmp_path))[0]
    assert first.status == "updated"
    assert "cordis-horizon" in first.detail  # the failed fetch is said, the other loaded
    assert len(first.projects_added) == 4 and first.projects_removed == []

    httpserver.clear()
    httpserver.expect_request(horizon).respond_with_data("gone", status=404)
    httpserver.expect_request(PATH).respond_with_handler(conditional(changed_archive(), '"v2"'))
    second = refresh(here, graph, ["cordis"], fetcher(httpserver, tmp_path))[0]
    assert second.projects_added == ["cordis:990000009"]
    assert second.projects_removed == ["cordis:990000004"]
    assert second.ties_added >= 1 and second.ties_removed >= 1
    records, _, _ = graph.execute_query(
        "MATCH (p:Project) RETURN collect(p.uid) AS uids", database_=settings.neo4j_database
    )
    uids = set(records[0]["uids"])
    assert "cordis:990000004" not in uids and "cordis:990000009" in uids
    report = json.loads(write_report([first, second], tmp_path / "reports").read_text())
    assert report["sources"][1]["projects_removed"] == ["cordis:990000004"]

    # Horizon 2020 unchanged (304), Horizon Europe still missing: nothing loaded, and said why
    third = refresh(here, graph, ["cordis"], fetcher(httpserver, tmp_path))[0]
    assert third.status == "failed" and "cordis-horizon" in third.detail
    assert third.projects_added == third.projects_removed == []
    with pytest.raises(ConfigurationError, match="cannot refresh"):
        refresh(here, graph, ["edih"], fetcher(httpserver, tmp_path))


def horizon_archive() -> bytes:
    """The fixture in Horizon Europe's shape: the same columns, other project ids (1010000xx),
    frameworkProgramme HORIZON."""
    projects = (FIXTURES / "project.csv").read_text("utf-8")
    organisations = (FIXTURES / "organization.csv").read_text("utf-8")
    first_column = re.compile(r"^9900000(\d\d);", re.MULTILINE)  # the project id only
    projects = first_column.sub(r"1010000\1;", projects).replace(";H2020;", ";HORIZON;")
    organisations = first_column.sub(r"1010000\1;", organisations)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("project.csv", projects)
        out.writestr("organization.csv", organisations)
    return buffer.getvalue()


def test_load_cordis_reads_both_programmes_when_both_were_fetched(
    httpserver: HTTPServer, tmp_path: Path, graph: Driver, settings: Settings
) -> None:
    horizon = published("cordis-horizon")
    httpserver.expect_request(PATH).respond_with_data(archive(), headers={"ETag": '"h"'})
    httpserver.expect_request(f"/data/{horizon.filename}").respond_with_data(
        horizon_archive(), headers={"ETag": '"he"'}
    )
    fetch = fetcher(httpserver, tmp_path)
    fetch.fetch(H2020)
    fetch.fetch(horizon)
    result = run_loader("cordis", settings.model_copy(update={"home": tmp_path}), graph)
    notes = " ".join(result.report.notes)
    assert "cordis-h2020" in notes and "cordis-horizon" in notes
    records, _, _ = graph.execute_query(
        "MATCH (p:Project) RETURN p.programme AS programme, count(*) AS n ORDER BY programme",
        database_=settings.neo4j_database,
    )
    by_programme = {r["programme"]: r["n"] for r in records}
    assert by_programme.get("Horizon Europe", 0) >= 3 and by_programme.get("H2020", 0) >= 3
    records, _, _ = graph.execute_query(
        "MATCH (o:Organisation {uid: 'org:pic:999000003'})-[:PARTICIPATED_IN]->(p:Project) "
        "RETURN collect(p.programme) AS programmes",
        database_=settings.neo4j_database,
    )
    assert set(records[0]["programmes"]) == {"H2020", "Horizon Europe"}  # one organisation
