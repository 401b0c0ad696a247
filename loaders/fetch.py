"""Downloading the official files of a source into ``$S3GRAPH_HOME/downloads/<source>/``.

Each download streams to ``<file>.part`` beside the good copy (never the whole file in memory),
asks the server whether the file changed (ETag / Last-Modified, so an unchanged file transfers
nothing), resumes a cut transfer with an HTTP Range where the server allows it, checks the
archive (it opens, the expected member files are there with their expected header), and only
then replaces the good copy (``os.replace``) and writes ``manifest.json`` (URL, date, validators,
size, sha256, licence). A failed, partial or wrong download never replaces a good file.

Transient failures (connection errors, timeouts, 5xx) are retried a few times with backoff
(tenacity); a 404 or a wrong file is not. The standard proxy variables are honoured (httpx).
Nothing here touches Neo4j: loading the fetched files is the loaders' job.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from tenacity import (
    RetryCallState,
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from graph.errors import S3GraphError, SourceFormatError

MANIFEST = "manifest.json"
UNPACKED = "csv"  # the archive's member files, unpacked for the loaders
CHUNK = 1 << 16
ATTEMPTS = 3
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
CORDIS_LICENCE = "CC BY 4.0; attribution: Source: CORDIS, © European Union"


class FetchFailed(S3GraphError):
    """A download did not complete (offline, refused, not found, cut too often).

    What to do: check the connection or the proxy variables (HTTPS_PROXY), or the address the
    message names; the files and the graph you had are unchanged.
    """


@dataclass(frozen=True)
class Published:
    """A source's official file with a stable address."""

    source: str
    filename: str
    description: str
    licence: str
    # member file -> columns its header must have (the archive is refused otherwise)
    members: tuple[tuple[str, tuple[str, ...]], ...]

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/{self.filename}"


_PROJECT_COLUMNS = ("id", "acronym", "startDate", "endDate", "frameworkProgramme")
_ORGANIZATION_COLUMNS = ("projectID", "organisationID", "name", "country", "role")

PUBLISHED: tuple[Published, ...] = (
    Published(
        "cordis-h2020",
        "cordis-h2020projects-csv.zip",
        "CORDIS: every Horizon 2020 project and participant (project.csv, organization.csv)",
        CORDIS_LICENCE,
        (("project.csv", _PROJECT_COLUMNS), ("organization.csv", _ORGANIZATION_COLUMNS)),
    ),
    Published(
        "cordis-horizon",
        "cordis-HORIZONprojects-csv.zip",
        "CORDIS: every Horizon Europe project and participant (project.csv, organization.csv)",
        CORDIS_LICENCE,
        (("project.csv", _PROJECT_COLUMNS), ("organization.csv", _ORGANIZATION_COLUMNS)),
    ),
)

# Sources published as exports of a web page, with no stable address to fetch.
BY_HAND: tuple[tuple[str, str, str], ...] = (
    (
        "edih",
        "European Digital Innovation Hubs catalogue: on the EDIH network's catalogue page, "
        "export the list of hubs as CSV",
        "s3graph load edih --file <the exported CSV>",
    ),
    (
        "interreg",
        "keep.eu: in the project search, export the projects and partners of the programmes "
        "you want (CSV or workbook)",
        "s3graph load interreg --file <the exported file>",
    ),
)


def published(source: str) -> Published:
    for item in PUBLISHED:
        if item.source == source:
            return item
    known = ", ".join(p.source for p in PUBLISHED)
    raise S3GraphError(f"no official file to fetch for '{source}': choose one of {known}")


@dataclass(frozen=True)
class Manifest:
    source: str
    url: str
    file: str
    fetched_at: str
    etag: str | None
    last_modified: str | None
    size: int
    sha256: str
    licence: str


@dataclass(frozen=True)
class FetchResult:
    source: str
    path: Path
    changed: bool  # False: the server said the file we hold is current
    transferred: int  # bytes received this time
    resumed: bool
    manifest: Manifest


Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)


def read_manifest(folder: Path) -> Manifest | None:
    try:
        return Manifest(**json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def fetched_file(downloads: Path, source: str) -> Path | None:
    """The good copy of a source's file, if one was fetched and checked."""
    folder = downloads / source
    manifest = read_manifest(folder)
    if manifest is None or not (folder / manifest.file).is_file():
        return None
    return folder / manifest.file


def fetched_folder(downloads: Path, source: str) -> Path | None:
    """The folder of a fetched archive's CSV files (what ``load --file`` would be given)."""
    if fetched_file(downloads, source) is None:
        return None
    folder = downloads / source / UNPACKED
    return folder if folder.is_dir() else None


def check_archive(data: Path | bytes, item: Published) -> None:
    """Refuses anything but a zip with the expected member files and headers."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    expected = ", ".join(name for name, _ in item.members)
    try:
        with zipfile.ZipFile(source) as archive:
            names = {Path(n).name: n for n in archive.namelist()}
            for member, columns in item.members:
                if member not in names:
                    raise SourceFormatError(
                        f"{item.filename} holds no {member} (expected {expected})"
                    )
                with archive.open(names[member]) as handle:
                    header = handle.readline().decode("utf-8-sig", errors="replace")
                found = {c.strip().strip('"') for c in header.strip().split(";")}
                missing = [c for c in columns if c not in found]
                if missing:
                    raise SourceFormatError(
                        f"{member} in {item.filename} lacks the columns {', '.join(missing)}"
                        " of the published CORDIS format"
                    )
            if archive.testzip() is not None:
                raise SourceFormatError(f"{item.filename} is damaged (a member fails its CRC)")
    except zipfile.BadZipFile as exc:
        raise SourceFormatError(
            f"{item.filename} is not a zip archive ({_looks_like(source)}); expected the "
            f"CORDIS archive with {expected}"
        ) from exc


def _looks_like(source: Path | io.BytesIO) -> str:
    head = source.read_bytes()[:512] if isinstance(source, Path) else source.getvalue()[:512]
    text = head.decode("utf-8", errors="replace").lower()
    if "<html" in text or "<!doctype" in text:
        return "an HTML page: a login or error page?"
    return "cut short or of another kind"


class _Restart(Exception):
    """The server refused to resume; the next attempt starts from the first byte."""


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, _Restart):
        return True
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError)


def _give_up(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    raise FetchFailed(f"{_reason(exc)} (tried {state.attempt_number} times)") from exc


def _reason(exc: BaseException | None) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"{exc.request.url} answered {exc.response.status_code}"
    if isinstance(exc, httpx.TimeoutException):
        return f"{exc.request.url} did not answer in time"
    if isinstance(exc, httpx.TransportError):
        return f"cannot reach {exc.request.url}: offline or refused ({exc})"
    return str(exc)


class Fetcher:
    """Fetches published files into ``downloads/<source>/``; one httpx client for all."""

    def __init__(
        self,
        downloads: Path,
        base_url: str,
        client: httpx.Client | None = None,
        wait_seconds: float = 1.0,
    ) -> None:
        self.downloads = downloads
        self.base_url = base_url
        self.client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=True)
        self.wait_seconds = wait_seconds

    def fetch(self, item: Published, progress: Progress | None = None) -> FetchResult:
        folder = self.downloads / item.source
        folder.mkdir(parents=True, exist_ok=True)
        attempt = retry(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_exponential(multiplier=self.wait_seconds, max=10 * self.wait_seconds),
            retry_error_callback=_give_up,
        )(self._fetch_once)
        result: FetchResult = attempt(item, folder, progress)
        return result

    def _fetch_once(self, item: Published, folder: Path, progress: Progress | None) -> FetchResult:
        url = item.url(self.base_url)
        target = folder / item.filename
        part = folder / f"{item.filename}.part"
        held = read_manifest(folder) if target.is_file() else None
        headers: dict[str, str] = {}
        if held is not None:
            if held.etag:
                headers["If-None-Match"] = held.etag
            if held.last_modified:
                headers["If-Modified-Since"] = held.last_modified
        offset = part.stat().st_size if part.is_file() else 0
        if offset:
            headers["Range"] = f"bytes={offset}-"
        with self.client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304 and held is not None:
                return FetchResult(item.source, target, False, 0, False, held)
            if response.status_code == 416:  # the partial file is no prefix of this one
                part.unlink(missing_ok=True)
                raise _Restart(url)
            if response.status_code == 404:
                raise FetchFailed(f"{url} answered 404: the file is not at that address")
            response.raise_for_status()
            resumed = response.status_code == 206
            if not resumed:
                offset = 0
            total = _total(response, offset)
            received = 0
            with part.open("ab" if resumed else "wb") as out:
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
                    received += len(chunk)
                    if progress is not None:
                        progress(offset + received, total)
            if total is not None and part.stat().st_size < total:
                raise httpx.ReadError("the transfer was cut short", request=response.request)
            etag = response.headers.get("ETag")
            last_modified = response.headers.get("Last-Modified")
        try:
            check_archive(part, item)
        except SourceFormatError:
            part.unlink(missing_ok=True)
            raise
        manifest = Manifest(
            source=item.source,
            url=url,
            file=item.filename,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            etag=etag,
            last_modified=last_modified,
            size=part.stat().st_size,
            sha256=_sha256(part),
            licence=item.licence,
        )
        os.replace(part, target)
        _unpack(target, item, folder / UNPACKED)
        (folder / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
        return FetchResult(item.source, target, True, received, resumed, manifest)


def _unpack(archive: Path, item: Published, into: Path) -> None:
    """The member files the loaders read, beside the archive; swapped in whole."""
    fresh = into.with_name(into.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    with zipfile.ZipFile(archive) as opened:
        names = {Path(n).name: n for n in opened.namelist()}
        for member, _ in item.members:
            with opened.open(names[member]) as source, (fresh / member).open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
    old = into.with_name(into.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if into.exists():
        os.replace(into, old)
    os.replace(fresh, into)
    shutil.rmtree(old, ignore_errors=True)


def _total(response: httpx.Response, offset: int) -> int | None:
    length = response.headers.get("Content-Length")
    if length is None or not length.isdigit():
        return None
    return int(length) + (offset if response.status_code == 206 else 0)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()
