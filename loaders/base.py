"""What every loader shares: the load context, the report of rejects, and row validation.

A loader is an adapter: it reads one source's published format, validates each row with a
pydantic model and yields ``graph.writer`` records. It never writes Cypher itself.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from neo4j import Driver
from pydantic import BaseModel, ValidationError

from graph.settings import Settings
from graph.writer import Record
from loaders.tables import ROW_PROBLEM

ModelT = TypeVar("ModelT", bound=BaseModel)

# The longest real names are about 250 characters (CORDIS topic titles); a longer "name" is a
# broken export (cells run together, a description in the name column) and would also exceed
# what an index can hold once keys or name keys are derived from it.
MAX_NAME_LENGTH = 500


def checked_name(value: object, what: str = "name") -> str:
    """A name as a source should give it: whitespace collapsed, not empty, not absurdly long.

    For pydantic validators: raises ``ValueError`` so the row becomes a reject with the reason.
    """
    text = " ".join(str(value or "").split())
    if not text:
        raise ValueError(f"empty {what}")
    if len(text) > MAX_NAME_LENGTH:
        raise ValueError(f"{what} of {len(text)} characters (at most {MAX_NAME_LENGTH})")
    return text


@dataclass(frozen=True)
class Reject:
    """One bad row: where it is, which field, and why it was refused."""

    source: str
    file: str
    row: int
    field: str
    reason: str
    value: str = ""


@dataclass
class LoadReport:
    """Counts and rejects of one loader run; every row read is either loaded or rejected."""

    source: str
    rows_read: int = 0
    rejects: list[Reject] = field(default_factory=list)
    unmapped_terms: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return len({(r.file, r.row) for r in self.rejects if r.row > 0})

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rows_rejected

    def reject(self, file: str, row: int, field_name: str, reason: str, value: Any = "") -> None:
        text = "" if value is None else str(value)
        self.rejects.append(Reject(self.source, file, row, field_name, reason, text[:200]))

    def unmapped(self, term: str) -> None:
        self.unmapped_terms[term] += 1

    def write_rejects(self, path: Path) -> Path:
        """Writes the reject report as CSV (row, field, reason, value) and returns its path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["source", "file", "row", "field", "reason", "value"])
            for r in self.rejects:
                writer.writerow([r.source, r.file, r.row, r.field, r.reason, r.value])
        return path


@dataclass
class LoadContext:
    """What a loader may use: settings, where its source is, and read access to the graph
    (for look-ups such as matching organisations already loaded by another source)."""

    settings: Settings
    driver: Driver
    source_path: Path | None = None

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir


class Loader(Protocol):
    """One source. ``records`` yields nodes and relationships and fills the report."""

    name: str
    description: str
    depends_on: tuple[str, ...]

    def records(self, ctx: LoadContext, report: LoadReport) -> Iterator[Record]: ...


def validate_rows(
    rows: Iterable[tuple[int, dict[str, Any]]],
    model: type[ModelT],
    report: LoadReport,
    file: str,
) -> Iterator[tuple[int, ModelT]]:
    """Yields (row number, model) for good rows; records each bad row as a reject with the
    first failing field and pydantic's reason (or why the row could not be split into its
    columns, see ``loaders.tables.ROW_PROBLEM``, or that it repeats an earlier row exactly).
    Counts every row read."""
    first_seen: dict[int, int] = {}
    for row_number, raw in rows:
        report.rows_read += 1
        problem = raw.get(ROW_PROBLEM)
        if problem:
            report.reject(file, row_number, "row", str(problem))
            continue
        # A line repeated exactly (a concatenated or re-sent export) would count twice, e.g. an
        # EC contribution summed twice: the repeat is a reject.
        try:
            fingerprint: int | None = hash(tuple(raw.items()))
        except TypeError:  # a loader that passes lists in its rows: no repeat check
            fingerprint = None
        if fingerprint is not None and fingerprint in first_seen:
            reason = f"repeats row {first_seen[fingerprint]} exactly (a duplicated line)"
            report.reject(file, row_number, "row", reason)
            continue
        if fingerprint is not None:
            first_seen[fingerprint] = row_number
        try:
            yield row_number, model.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors()[:3]:
                where = ".".join(str(p) for p in error["loc"]) or "row"
                report.reject(file, row_number, where, error["msg"], error.get("input", ""))
