"""Where the pack's facts come from and what they leave out: the snapshot notes
(``data/snapshot/<source>/SOURCES.md``) read as data, and the coverage gaps that the pack's own
results reveal (a partner with no S3 priorities, a domain with no path, a source not loaded)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

# Bullets of a SOURCES.md: "- **Label:** text", continued on indented lines.
_BULLET = re.compile(r"^\s*[-*]\s+\*\*(?P<label>[^*]+?):?\*\*:?\s*(?P<text>.*)$")
# Plain sub-bullets with a known label: "- Upstream: text", "- Where copied from: text".
_PLAIN_BULLET = re.compile(
    r"^\s*[-*]\s+(?P<label>Upstream|Where copied from|Origin[^:]{0,30}|Retrieved|"
    r"Licen[cs]e[^:]{0,30}|Caveats?|Missing[^:]{0,30}|Known gaps)\s*:\s*(?P<text>.*)$",
    re.IGNORECASE,
)
_ANY_BULLET = re.compile(r"^[-*]\s+(?P<text>.+)$")
# Headings whose plain bullets are caveats ("## What is missing", "## Not included", ...).
_CAVEAT_HEADING = re.compile(
    r"missing|not included|not here|lack|caveat|gap|limitation|not covered", re.IGNORECASE
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RETRIEVED = re.compile(r"retrieved(?:\s+on)?\W{0,4}(\d{4}-\d{2}-\d{2})", re.IGNORECASE)
_LICENCE = re.compile(r"licen[cs]e[^:.]{0,40}:\s*(.+?)(?:\.(?:\s|$)|$)", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,3}\s+(?P<title>.+?)\s*$")
_MARKDOWN = re.compile(r"\*\*|`")

ORIGIN_LABELS = ("origin", "upstream", "where copied", "source")
DATE_LABELS = ("retrieved", "date", "snapshot date")
LICENCE_LABELS = ("licence", "license")
CAVEAT_LABELS = ("caveat", "missing", "known gaps", "gaps", "limitations", "quirks", "method")


class SnapshotNote(BaseModel):
    """One snapshot folder's provenance, condensed from its SOURCES.md."""

    folder: str
    title: str
    path: str
    what: str = ""
    origin: list[str] = Field(default_factory=list)
    retrieved: str = ""
    licence: str = ""
    caveats: list[str] = Field(default_factory=list)


def _clean(text: str) -> str:
    return " ".join(_MARKDOWN.sub("", text).split())


def parse_sources_md(text: str) -> list[tuple[str, str, str]]:
    """(heading, label, text) of every bold-labelled bullet, continuation lines joined."""
    items: list[tuple[str, str, str]] = []
    heading = ""
    current: list[str] | None = None
    label = ""

    def flush() -> None:
        if current is not None:
            items.append((heading, label, _clean(" ".join(current))))

    for line in text.splitlines():
        head = _HEADING.match(line)
        bullet = _BULLET.match(line) or _PLAIN_BULLET.match(line)
        plain = None if bullet else _ANY_BULLET.match(line)
        if head:
            flush()
            current = None
            heading = _clean(head.group("title"))
        elif bullet:
            flush()
            label = _clean(bullet.group("label")).rstrip(":")
            current = [bullet.group("text")]
        elif plain:
            flush()
            label = ""
            current = [plain.group("text")]
        elif current is not None and line.startswith(("  ", "\t")) and line.strip():
            current.append(line.strip())
        else:
            flush()
            current = None
    flush()
    return items


def snapshot_note(path: Path) -> SnapshotNote:
    text = path.read_text(encoding="utf-8")
    titles = [_clean(m.group("title")) for m in map(_HEADING.match, text.splitlines()) if m]
    note = SnapshotNote(
        folder=path.parent.name, title=titles[0] if titles else path.parent.name, path=str(path)
    )
    for heading, label, body in parse_sources_md(text):
        key = label.casefold()
        if not key:
            if _CAVEAT_HEADING.search(heading):
                note.caveats.append(f"{heading}: {body}")
            continue
        where = f"{heading}: " if heading and heading != note.title else ""
        if key.startswith("what") and not note.what:
            note.what = body
        elif key.startswith(ORIGIN_LABELS):
            note.origin.append(f"{where}{label}: {body}")
        elif key.startswith(DATE_LABELS) and not note.retrieved:
            note.retrieved = body
        elif key.startswith(LICENCE_LABELS) and not note.licence:
            note.licence = body
        elif key.startswith(CAVEAT_LABELS):
            note.caveats.append(f"{where}{label}: {body}")
    flat = _clean(text)
    if not note.retrieved and (found := _RETRIEVED.search(flat)):
        note.retrieved = found.group(1)
    if not note.licence and (found := _LICENCE.search(flat)):
        note.licence = found.group(1)
    if not note.what:
        note.what = _first_paragraph(text)
    if date := _DATE.search(note.retrieved):
        note.retrieved = date.group(0)
    note.retrieved = note.retrieved.rstrip(". ")
    return note


def _first_paragraph(text: str) -> str:
    """The prose under the title, when the notes have no "What" bullet."""
    lines: list[str] = []
    for line in text.splitlines():
        if _HEADING.match(line):
            if lines:
                break
            continue
        if not line.strip():
            if lines:
                break
            continue
        if line.lstrip().startswith(("-", "*", "|")):
            break
        lines.append(line.strip())
    return _clean(" ".join(lines))


def snapshot_notes(data_dir: Path) -> list[SnapshotNote]:
    """Every snapshot folder's SOURCES.md, in folder order; folders without one are listed with
    that said, so a missing provenance note is visible rather than silently skipped."""
    notes: list[SnapshotNote] = []
    root = data_dir / "snapshot"
    if not root.is_dir():
        return notes
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        sources_md = folder / "SOURCES.md"
        if sources_md.is_file():
            notes.append(snapshot_note(sources_md))
        else:
            notes.append(
                SnapshotNote(
                    folder=folder.name,
                    title=folder.name,
                    path=str(folder),
                    caveats=["No SOURCES.md in this snapshot folder: provenance not recorded."],
                )
            )
    return notes
