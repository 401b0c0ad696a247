"""Where the pack's facts come from and what they leave out: the snapshot notes
(``data/snapshot/<source>/SOURCES.md``) read as data, and the coverage gaps that the pack's own
results reveal (a partner with no S3 priorities, a domain with no path, a source not loaded)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

# Bullets of a SOURCES.md: "- **Label:** text", continued on indented lines.
_BULLET = re.compile(r"^\s*[-*]\s+\*\*(?P<label>[^*]+?):?\*\*:?\s*(?P<text>.*)$")
_HEADING = re.compile(r"^#{1,3}\s+(?P<title>.+?)\s*$")
_MARKDOWN = re.compile(r"\*\*|`")

ORIGIN_LABELS = ("origin", "upstream", "source")
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
        bullet = _BULLET.match(line)
        if head:
            flush()
            current = None
            heading = _clean(head.group("title"))
        elif bullet:
            flush()
            label = _clean(bullet.group("label")).rstrip(":")
            current = [bullet.group("text")]
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
    return note


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
