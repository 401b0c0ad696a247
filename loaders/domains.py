"""The shared thematic vocabulary: the EU's 14 industrial ecosystems plus cross-cutting themes
(green transition, digitalisation of manufacturing, ...), from ``data/mappings/domains.csv``.

Every source's sector or technology terms map onto these codes through the reviewed tables in
``data/mappings/`` (see ``load_term_mapping``), so networks, S3 priorities and user queries
meet on the same ``(:Domain)`` nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, field_validator

from graph.schema import NodeLabel, RelType
from graph.writer import Node, Record, Rel
from loaders.base import LoadContext, LoadReport, checked_name, validate_rows
from loaders.tables import read_table

SOURCE = "s3graph-domains"
COLUMNS = ("code", "name", "kind")
CODE_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class DomainRow(BaseModel):
    code: str
    name: str
    kind: str
    parents: list[str] = []  # optional columns: a file without them is still a vocabulary
    aliases: list[str] = []

    @field_validator("code", mode="before")
    @classmethod
    def slug(cls, value: object) -> str:
        text = str(value or "").strip()
        if not CODE_PATTERN.match(text) or len(text) > 64:
            raise ValueError("code must be a short lower-case slug such as 'agri-food'")
        return text

    @field_validator("name", mode="before")
    @classmethod
    def name_text(cls, value: object) -> str:
        return checked_name(value)

    @field_validator("parents", "aliases", mode="before")
    @classmethod
    def split_pipes(cls, value: object) -> list[str]:
        return [p.strip() for p in str(value or "").split("|") if p.strip()]

    @field_validator("kind")
    @classmethod
    def known_kind(cls, value: str) -> str:
        if value not in {"ecosystem", "theme"}:
            raise ValueError("kind must be 'ecosystem' or 'theme'")
        return value


def domains_file(data_dir: Path) -> Path:
    return data_dir / "mappings" / "domains.csv"


def normalise_term(term: str) -> str:
    """The form in which source terms are compared with the mapping tables."""
    return " ".join(term.casefold().replace("&", "and").split())


def load_term_mapping(path: Path) -> dict[str, list[str]]:
    """Reads a reviewed mapping table (columns ``term``, ``domain_codes`` with ``|`` between
    codes) into {normalised term: [domain codes]}. An empty ``domain_codes`` means reviewed and
    deliberately unmapped."""
    mapping: dict[str, list[str]] = {}
    for _, row in read_table(path, required=("term", "domain_codes")):
        term = normalise_term(row["term"] or "")
        codes = [c.strip() for c in (row["domain_codes"] or "").split("|") if c.strip()]
        if term:
            mapping[term] = codes
    return mapping


class DomainsLoader:
    name = "domains"
    description = "shared thematic vocabulary (industrial ecosystems and themes)"
    depends_on: tuple[str, ...] = ()

    def records(self, ctx: LoadContext, report: LoadReport) -> Iterator[Record]:
        path = ctx.source_path or domains_file(ctx.data_dir)
        rows: dict[str, DomainRow] = {}
        first_row: dict[str, int] = {}
        table = read_table(path, required=COLUMNS)
        for number, row in validate_rows(table, DomainRow, report, path.name):
            if row.code in rows:
                reason = f"duplicate code (first on row {first_row[row.code]})"
                report.reject(path.name, number, "code", reason, row.code)
                continue
            rows[row.code], first_row[row.code] = row, number
        for row in rows.values():
            yield Node(
                NodeLabel.DOMAIN,
                row.code,
                {"name": row.name, "kind": row.kind},
                SOURCE,
                aliases=tuple(row.aliases),
            )
        for row in rows.values():
            for parent in row.parents:
                yield Rel(
                    RelType.SUBDOMAIN_OF,
                    NodeLabel.DOMAIN,
                    row.code,
                    NodeLabel.DOMAIN,
                    parent,
                    {},
                    SOURCE,
                )


LOADER = DomainsLoader()
