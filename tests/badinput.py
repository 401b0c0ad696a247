"""Generated source tables with deliberately bad rows, for the property-based reliability tests.

A table is a header plus rows; each row knows whether it was made bad on purpose and why, and
the line on which it starts once written. ``encode_table`` writes the table the way real
portals do (``,`` or ``;``, UTF-8 with or without BOM, Latin-1 / cp1252, or a mix line by line).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from hypothesis import strategies as st

ENCODINGS = ("utf-8", "utf-8-sig", "latin-1", "cp1252", "mixed")
DELIMITERS = (",", ";")

# Characters every encoding above can write, so one generated table fits any of them.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -'.&/()"
ACCENTED = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÄÅÆÇÉÈÑÖØÜßÞðþ"
CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f"
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Cypher-looking and separator-heavy text that a source may well contain.
NASTY_TEXT = (
    "O'Brien & Sons",
    'The "Best" Cluster',
    "`Region`",
    "}) DETACH DELETE n //",
    "$name",
    ":Organisation",
    "a;b;c",
    "x,y,z",
    "Trøndelag\nNorge",
)


def names(max_size: int = 40) -> st.SearchStrategy[str]:
    """Printable names with accents, plus Cypher-looking and separator-heavy ones."""
    plain = st.text(alphabet=LETTERS + ACCENTED, min_size=1, max_size=max_size).filter(
        lambda s: bool(s.strip()) and s == s.strip()
    )
    return st.one_of(plain, st.sampled_from(NASTY_TEXT))


def noisy(value: str, draw: st.DrawFn) -> str:
    """The value with a few control characters somewhere inside (the loader must drop them)."""
    position = draw(st.integers(min_value=0, max_value=len(value)))
    noise = draw(st.text(alphabet=CONTROL, min_size=1, max_size=3))
    return value[:position] + noise + value[position:]


def clean(value: str) -> str:
    return CONTROL_RE.sub("", value)


@dataclass
class Row:
    """One generated row: its cells, why it must be rejected (empty for a good row), and the
    physical line where it starts once written."""

    values: list[str]
    bad: str = ""
    raw: str | None = None  # a hand-made physical line instead of the CSV-quoted values
    line: int = 0

    @property
    def is_bad(self) -> bool:
        return bool(self.bad)


@dataclass
class Table:
    header: list[str]
    rows: list[Row] = field(default_factory=list)

    def lines(self, bad: bool) -> set[int]:
        return {r.line for r in self.rows if r.is_bad == bad}


def csv_line(values: Sequence[str], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def cut_line(values: Sequence[str], delimiter: str, position: int) -> str:
    """The row cut off part-way, as a truncated export leaves it (possibly inside a quote)."""
    line = csv_line(values, delimiter).rstrip("\n")
    return line[: max(1, min(position, len(line) - 1))] + "\n"


def _encode(text: str, encoding: str, index: int) -> bytes:
    if encoding == "mixed":
        encoding = "utf-8" if index % 2 == 0 else "latin-1"
    return text.encode("utf-8" if encoding == "utf-8-sig" else encoding)


def encode_table(table: Table, delimiter: str, encoding: str) -> bytes:
    """Writes the table and records on each row the physical line where it starts."""
    chunks: list[bytes] = [b"\xef\xbb\xbf"] if encoding == "utf-8-sig" else []
    chunks.append(_encode(csv_line(table.header, delimiter), encoding, 0))
    line = 2
    for index, row in enumerate(table.rows, start=1):
        text = row.raw if row.raw is not None else csv_line(row.values, delimiter)
        row.line = line
        line += text.count("\n") + text.count("\r") - text.count("\r\n")
        chunks.append(_encode(text, encoding, index))
    return b"".join(chunks)


def safe_for_cuts(value: str) -> bool:
    """False for values that begin with a quote, a separator or a line break.

    After a row cut inside a quoted value, the quote that opens such a value in a later row
    closes the broken one and the result is well-formed CSV: no reader can tell it from a
    value with a line break in it. Tables that contain a cut row avoid those values.
    """
    return not value[:1] or value[0] not in "\"',;\n\r"


MAYBE = "?"  # a cut row: rejected or not, depending on where the cut fell


def shuffled_header(
    draw: st.DrawFn, columns: Sequence[str], optional: Sequence[str] = ()
) -> list[str]:
    """The required columns in any order, some optional ones, and unknown extra columns."""
    extra = draw(st.lists(st.sampled_from(["comment", "updated", "Unnamed: 9"]), unique=True))
    kept = [c for c in optional if draw(st.booleans())]
    return list(draw(st.permutations([*columns, *kept, *extra])))


def fill(header: Sequence[str], cells: dict[str, str]) -> list[str]:
    """The row's cells in the header's order; unknown columns get some text."""
    return [cells.get(column, "x") for column in header]


def drop_trailing(values: list[str], header: Sequence[str], column: str) -> list[str]:
    """The row cut just before ``column``: the cells from there on are missing."""
    return values[: list(header).index(column)]


def folded(value: str) -> str:
    """A name as loaders store it: control characters dropped, whitespace collapsed."""
    return " ".join(clean(value).split())


LONG_NAME = st.integers(min_value=501, max_value=20_000).map(lambda n: ("Región-" * n)[:n])
