"""Reading tabular source files robustly: encoding (UTF-8, BOM, Latin-1, or a mix line by line),
separator (``;`` as CORDIS publishes, ``,`` with quotes as the snapshots), control characters,
broken rows, and files that are wholly wrong."""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from graph.errors import SourceFormatError

csv.field_size_limit(10_000_000)

# Key set on a row that could not be split into its columns (a quote left open, more values
# than columns): ``validate_rows`` turns it into a reject with this reason.
ROW_PROBLEM = "_row_problem"

# C0 and C1 control characters other than tab and line breaks: never meaningful in a source
# table, and they garble terminals, reports and the full-text index.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _decode_line(line: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return line.decode(encoding)
        except UnicodeDecodeError:
            continue
    return line.decode("latin-1")


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first; else each line on its own, as UTF-8 or the Latin-1
    family (cp1252), so one Latin-1 row in a UTF-8 file does not garble every other row."""
    if not raw.strip():
        raise SourceFormatError(f"{name} is empty")
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(_decode_line(line) for line in raw.splitlines(keepends=True))


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml", "<head", "<body"))


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d])


class _Lines:
    """Feeds physical lines to ``csv.reader`` and knows how far it got, so a broken row can be
    re-read from its next line."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines = lines
        self.position = start

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.position >= len(self.lines):
            raise StopIteration
        self.position += 1
        return self.lines[self.position - 1]


def _well_formed(text: str, delimiter: str) -> bool:
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return False
    return True


def read_table(
    path: Path, required: Sequence[str] = (), name: str | None = None
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Yields (line number where the row starts, row) for each data row (of a ``.gz`` file too).

    Raises ``SourceFormatError`` before yielding anything when the file is not a table with the
    required columns (an HTML error page, an empty file, another schema), so a loader stops
    with one clear message and the graph is left as it was.

    A row that cannot be split into its columns is still yielded, with ``ROW_PROBLEM`` saying
    why, so it is counted and reported rather than lost: a quote left open (a truncated row),
    which would otherwise swallow the rows after it, and more values than columns (a separator
    inside an unquoted field, which would shift every later value).
    """
    label = name or path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceFormatError(f"{label}: file not found at {path}") from exc
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise SourceFormatError(f"{label} is not a complete gzip file ({exc})") from exc
    text = _CONTROL.sub("", decode(raw, label))
    if _looks_like_html(text):
        raise SourceFormatError(f"{label} is an HTML or XML page, not a CSV table")
    lines = list(io.StringIO(text, newline=""))
    if not lines:
        raise SourceFormatError(f"{label} is empty")
    delimiter = sniff_delimiter(lines[0])
    header = [h.strip() for h in next(csv.reader(lines[:1], delimiter=delimiter))]
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceFormatError(
            f"{label} does not have the expected columns: missing {', '.join(missing)} "
            f"(found {', '.join(header[:12])})"
        )
    feed = _Lines(lines, 1)
    reader = csv.reader(feed, delimiter=delimiter)
    while True:
        start = feed.position
        try:
            values = next(reader)
        except StopIteration:
            return
        problem = ""
        if feed.position - start > 1 and not _well_formed(
            "".join(lines[start : feed.position]), delimiter
        ):
            problem = "a quoted value is not closed (truncated row?); the rows after it were kept"
            values = next(csv.reader(lines[start : start + 1], delimiter=delimiter), [])
            feed.position = start + 1
        if not problem and not "".join(values).strip():
            continue  # a blank row
        extra = len(values) > len(header) and "".join(values[len(header) :]).strip()
        if extra and not problem:
            problem = (
                f"{len(values)} values for {len(header)} columns "
                "(a separator inside an unquoted value?)"
            )
        # extra values are left out; missing ones (a row cut short) are None
        row: dict[str, str | None] = dict(zip(header, values, strict=False))
        if len(values) < len(header):
            row.update(dict.fromkeys(header[len(values) :]))
        if problem:
            row[ROW_PROBLEM] = problem
        yield start + 1, row
