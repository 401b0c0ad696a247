"""Reading tabular source files robustly: encoding (UTF-8, BOM, Latin-1), separator
(``;`` as CORDIS publishes, ``,`` with quotes as the snapshots), and files that are wholly wrong."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from graph.errors import SourceFormatError

csv.field_size_limit(10_000_000)


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first; Latin-1 family (cp1252) as the fallback."""
    if not raw.strip():
        raise SourceFormatError(f"{name} is empty")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceFormatError(f"{name}: cannot decode as UTF-8 or Latin-1")  # pragma: no cover


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml", "<head", "<body"))


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d])


def read_table(
    path: Path, required: Sequence[str] = (), name: str | None = None
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Yields (line number, row) for each data row.

    Raises ``SourceFormatError`` before yielding anything when the file is not a table with the
    required columns (an HTML error page, an empty file, another schema), so a loader stops
    with one clear message and the graph is left as it was.
    """
    label = name or path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceFormatError(f"{label}: file not found at {path}") from exc
    text = decode(raw, label)
    if _looks_like_html(text):
        raise SourceFormatError(f"{label} is an HTML or XML page, not a CSV table")
    first_line = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    header = [h.strip() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceFormatError(
            f"{label} does not have the expected columns: missing {', '.join(missing)} "
            f"(found {', '.join(header[:12])})"
        )
    for values in reader:
        index = reader.line_num
        if not any(v.strip() for v in values):
            continue
        row: dict[str, str | None] = {}
        for i, column in enumerate(header):
            row[column] = values[i] if i < len(values) else None
        yield index, row
