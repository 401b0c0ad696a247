"""The shared thematic vocabulary: the EU's 14 industrial ecosystems plus cross-cutting themes
(green transition, digitalisation of manufacturing, ...), from ``data/mappings/domains.csv``.

Every source's sector or technology terms map onto these codes through the reviewed tables in
``data/mappings/`` (see ``load_term_mapping``), so networks, S3 priorities and user queries
meet on the same ``(:Domain)`` nodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, field_validator

from graph.schema import NodeLabel, RelType
from graph.writer import Node, Record, Rel
from loaders.base import LoadContext, LoadReport, validate_rows
from loaders.tables import read_table

SOURCE = "s3graph-domains"


class DomainRow(BaseModel):
    code: str
    name: str
    kind: str
    parents: list[str]
    aliases: list[str]

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
        rows = [model for _, model in validate_rows(read_table(path), DomainRow, report, path.name)]
        for row in rows:
            yield Node(
                NodeLabel.DOMAIN,
                row.code,
                {"name": row.name, "kind": row.kind},
                SOURCE,
                aliases=tuple(row.aliases),
            )
        for row in rows:
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
