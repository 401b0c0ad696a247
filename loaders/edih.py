"""The European Digital Innovation Hubs catalogue (``data/snapshot/edih/``, see its SOURCES.md):
one ``(:Hub)`` per catalogue row, located from the postcode in its contact address, with what it
offers mapped to the shared domains and its technologies as ``(:Technology)`` nodes.

The catalogue names no partner organisations. A hub whose website (or title) identifies an
organisation already in the graph (CORDIS loads first) is linked to it by
``(:Organisation)-[:RUNS]->(:Hub)``, through ``loaders.entities.OrganisationMatcher``; the
organisation gains the source id ``edih:hub_row:<N>`` and the evidence of the match. Hubs that
match nobody stay without an organisation: nothing is invented for them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from graph.codes import to_eu_country_code
from graph.schema import NodeLabel, RelType
from graph.writer import Node, Record, Rel
from loaders.base import MAX_NAME_LENGTH, LoadContext, LoadReport, validate_rows
from loaders.domains import load_term_mapping, normalise_term
from loaders.entities import Candidate, OrganisationMatcher, web_domain
from loaders.networks import in_network, network_node, slug
from loaders.placement import RegionPlacer
from loaders.tables import read_table

SOURCE = "edih"
NETWORK = "EDIH"
CATALOGUE_FILE = "edih_catalogue.csv"
TERMS_FILE = "edih_terms.csv"
COLUMNS = (
    "hub_row",
    "hub_acronym",
    "hub_title",
    "status",
    "country_iso2",
    "contact_address",
    "website",
    "sectors",
    "services",
    "technologies",
)
# Statuses of hubs that belong to the EDIH network; 'DIH' rows are other hubs listed in the
# same catalogue (they keep their status but are not linked to the network node).
NETWORK_STATUSES = frozenset({"EDIH", "Seal of Excellence"})

Dimension = Literal["sector", "service", "technology"]
# Which dimension names a hub's offer best when several terms lead to one domain.
DIMENSION_ORDER: tuple[Dimension, ...] = ("sector", "technology", "service")

# One "Label - N" item of the catalogue's "Formatted ..." fields (the regex of the snapshot).
TOPIC_ITEM = re.compile(r"(.+?) - (\d+)(,|$)")
# Placeholders the export holds instead of a website.
NOT_A_WEBSITE = frozenset({"website", "n/a", "na", "-", "none"})


class Topic(BaseModel):
    label: str
    engagement_level: int = Field(ge=1, le=5)


def parse_topics(value: str) -> list[Topic]:
    """Splits 'Label - N, Label - N' into topics; raises ValueError when the text does not
    consist of such items only (so a damaged cell is a reject, not a silent loss)."""
    text = value.strip()
    if not text:
        return []
    topics: list[Topic] = []
    position = 0
    for item in TOPIC_ITEM.finditer(text):
        if text[position : item.start()].strip():
            raise ValueError(f"not a 'Label - N' list near {text[position : position + 40]!r}")
        level = int(item.group(2))
        if not 1 <= level <= 5:
            raise ValueError(f"engagement level {level} of {item.group(1).strip()!r} not in 1-5")
        topics.append(Topic(label=item.group(1).strip(), engagement_level=level))
        position = item.end()
    if text[position:].strip():
        raise ValueError(f"not a 'Label - N' list near {text[position : position + 40]!r}")
    return topics


class HubRow(BaseModel):
    """One catalogue row as the snapshot states it."""

    hub_row: int = Field(gt=0)
    hub_acronym: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    hub_title: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    status: Literal["EDIH", "Seal of Excellence", "DIH"]
    country_iso2: str = Field(pattern=r"^[A-Z]{2}$")
    contact_address: str | None = None
    website: str | None = None
    sectors: list[Topic] = Field(default_factory=list)
    services: list[Topic] = Field(default_factory=list)
    technologies: list[Topic] = Field(default_factory=list)
    description: str | None = None

    @field_validator("hub_acronym", "hub_title", "country_iso2", mode="before")
    @classmethod
    def stripped(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("contact_address", "description", mode="before")
    @classmethod
    def blank_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            return " ".join(value.split()) or None
        return value

    @field_validator("website", mode="before")
    @classmethod
    def real_website(cls, value: object) -> object:
        """The export holds the word 'Website' where a hub gave none."""
        if isinstance(value, str):
            text = value.strip()
            return None if not text or text.casefold() in NOT_A_WEBSITE else text
        return value

    @field_validator("sectors", "services", "technologies", mode="before")
    @classmethod
    def topics(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, str):
            return parse_topics(value)
        return value

    def topics_by_dimension(self) -> Iterator[tuple[Dimension, Topic]]:
        """Every (dimension, topic); a label repeated in one dimension keeps its highest level."""
        for dimension, items in (
            ("sector", self.sectors),
            ("service", self.services),
            ("technology", self.technologies),
        ):
            best: dict[str, Topic] = {}
            for topic in items:
                known = best.get(topic.label)
                if known is None or topic.engagement_level > known.engagement_level:
                    best[topic.label] = topic
            for topic in best.values():
                yield dimension, topic  # type: ignore[misc]


@dataclass
class _Offer:
    """What leads a hub to one domain: the terms, their dimensions, the highest level."""

    engagement_level: int
    dimension: Dimension
    dimensions: set[str]
    terms: set[str]


def catalogue_file(data_dir: Path) -> Path:
    return data_dir / "snapshot" / "edih" / CATALOGUE_FILE


def terms_file(data_dir: Path) -> Path:
    return data_dir / "mappings" / TERMS_FILE


def hub_uid(hub_row: int) -> str:
    return f"edih:{hub_row}"


def hub_source_id(hub_row: int) -> str:
    return f"edih:hub_row:{hub_row}"


def technology_uid(label: str) -> str:
    return f"tech:{slug(label)}"


def address_city(address: str | None) -> str | None:
    """The city of an address written 'street, [postcode] city, country': the part before the
    country, without digits. Only a hint: the resolver accepts it only when it names exactly
    one NUTS 3 region of the country."""
    if not address:
        return None
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if len(parts) < 2:
        return None
    city = " ".join(re.sub(r"[0-9]+(-[0-9]+)?", " ", parts[-2]).split())
    return city or None


def hub_offers(row: HubRow, mapping: dict[str, list[str]], report: LoadReport) -> dict[str, _Offer]:
    """Domain code -> the offer that leads there, from every term of the hub via the reviewed
    mapping table; terms missing from the table are reported as unmapped."""
    offers: dict[str, _Offer] = {}
    for dimension, topic in row.topics_by_dimension():
        key = normalise_term(topic.label)
        if key not in mapping:
            report.unmapped(f"{dimension}: {topic.label}")
            continue
        for code in mapping[key]:
            offer = offers.get(code)
            if offer is None:
                offers[code] = _Offer(topic.engagement_level, dimension, {dimension}, {topic.label})
                continue
            offer.dimensions.add(dimension)
            offer.terms.add(topic.label)
            stronger = topic.engagement_level > offer.engagement_level
            tie_better = topic.engagement_level == offer.engagement_level and (
                DIMENSION_ORDER.index(dimension) < DIMENSION_ORDER.index(offer.dimension)
            )
            if stronger or tie_better:
                offer.engagement_level = topic.engagement_level
                offer.dimension = dimension
    return offers


class EdihLoader:
    name = "edih"
    description = "European Digital Innovation Hubs catalogue (hubs, regions, offers, technologies)"
    depends_on: tuple[str, ...] = ("regions", "domains", "cordis")

    def records(self, ctx: LoadContext, report: LoadReport) -> Iterator[Record]:
        path = ctx.source_path or catalogue_file(ctx.data_dir)
        mapping = load_term_mapping(terms_file(ctx.data_dir))
        rows = self._valid_rows(path, report)
        placer = RegionPlacer.for_load(ctx)
        matcher = OrganisationMatcher.from_graph(ctx.driver, ctx.settings.neo4j_database)

        yield network_node(NETWORK, SOURCE)
        technologies: dict[str, Node] = {}
        matched: defaultdict[str, int] = defaultdict(int)
        deliberately_unmapped: set[str] = set()
        for row in rows:
            uid = hub_uid(row.hub_row)
            country = to_eu_country_code(row.country_iso2)
            placement = placer.place(
                hub_source_id(row.hub_row),
                row.hub_title,
                country,
                address=row.contact_address,
                city=address_city(row.contact_address),
            )
            props: dict[str, Any] = {
                "name": row.hub_title,
                "acronym": row.hub_acronym,
                "status": row.status,
                "country_code": country,
                "website": row.website,
                "web_domain": web_domain(row.website),
                "address": row.contact_address,
                "description": row.description,
                "hub_row": row.hub_row,
                **placement.props,
            }
            yield Node(NodeLabel.HUB, uid, props, SOURCE, source_ids=(hub_source_id(row.hub_row),))
            if placement.region:
                yield Rel(
                    RelType.LOCATED_IN,
                    NodeLabel.HUB,
                    uid,
                    NodeLabel.REGION,
                    placement.region,
                    {"nuts_from": placement.resolution.nuts_from},
                    SOURCE,
                )
            if row.status in NETWORK_STATUSES:
                yield in_network(NodeLabel.HUB, uid, NETWORK, SOURCE)

            for code, offer in hub_offers(row, mapping, report).items():
                yield Rel(
                    RelType.OFFERS,
                    NodeLabel.HUB,
                    uid,
                    NodeLabel.DOMAIN,
                    code,
                    {
                        "dimension": offer.dimension,
                        "engagement_level": offer.engagement_level,
                        "dimensions": sorted(offer.dimensions),
                        "terms": sorted(offer.terms),
                    },
                    SOURCE,
                )
            for dimension, topic in row.topics_by_dimension():
                if not mapping.get(normalise_term(topic.label), True):
                    deliberately_unmapped.add(f"{dimension}: {topic.label}")
                if dimension != "technology":
                    continue
                tech = technology_uid(topic.label)
                if tech not in technologies:
                    technologies[tech] = Node(
                        NodeLabel.TECHNOLOGY, tech, {"name": topic.label}, SOURCE
                    )
                    yield technologies[tech]
                    for code in mapping.get(normalise_term(topic.label), []):
                        yield Rel(
                            RelType.IN_DOMAIN,
                            NodeLabel.TECHNOLOGY,
                            tech,
                            NodeLabel.DOMAIN,
                            code,
                            {},
                            SOURCE,
                        )
                yield Rel(
                    RelType.OFFERS,
                    NodeLabel.HUB,
                    uid,
                    NodeLabel.TECHNOLOGY,
                    tech,
                    {"dimension": "technology", "engagement_level": topic.engagement_level},
                    SOURCE,
                )

            yield from self._organisation(row, country, matcher, matched)

        report.metrics["hubs"] = len(rows)
        report.metrics["hubs_matched_to_organisations"] = sum(matched.values())
        for rule, n in matched.items():
            report.metrics[f"hubs_matched_by_{rule}"] = n
        rules = ", ".join(f"{n} by {r}" for r, n in sorted(matched.items())) or "none"
        report.notes.append(
            f"{sum(matched.values())} of {len(rows)} hubs matched to an organisation already in "
            f"the graph ({rules}); {len(rows) - sum(matched.values())} hubs have no known "
            "organisation behind them"
        )
        if deliberately_unmapped:
            report.notes.append(
                f"{len(deliberately_unmapped)} terms reviewed and deliberately not mapped to a "
                "domain (see data/mappings/edih_terms.csv)"
            )
        placer.report_to(report, "hubs", ctx.settings.home / "reports")

    @staticmethod
    def _valid_rows(path: Path, report: LoadReport) -> list[HubRow]:
        """Valid rows, each hub_row once (a repeated row number is a reject: it is the key)."""
        rows: list[HubRow] = []
        seen: dict[int, int] = {}
        for line, row in validate_rows(read_table(path, COLUMNS), HubRow, report, path.name):
            if row.hub_row in seen:
                report.reject(
                    path.name,
                    line,
                    "hub_row",
                    f"hub_row repeated (first on line {seen[row.hub_row]})",
                    row.hub_row,
                )
                continue
            seen[row.hub_row] = line
            rows.append(row)
        return rows

    @staticmethod
    def _organisation(
        row: HubRow,
        country: str,
        matcher: OrganisationMatcher,
        matched: defaultdict[str, int],
    ) -> Iterator[Record]:
        """``(:Organisation)-[:RUNS]->(:Hub)`` when the hub's website or title identifies one
        organisation of the graph; the hub itself never becomes an organisation."""
        source_id = hub_source_id(row.hub_row)
        candidate = Candidate(
            uid=f"org:edih:{row.hub_row}",
            source_id=source_id,
            name=row.hub_title,
            country_code=country,
            website=row.website,
        )
        if matcher.match(candidate).rule == "new":
            return
        found = matcher.match_and_register(candidate)
        matched[found.rule] += 1
        evidence = found.evidence or _earlier_evidence(matcher, found.uid, source_id)
        yield Node(
            NodeLabel.ORGANISATION,
            found.uid,
            {"merge_evidence": matcher.merge_evidence(found.uid)},
            SOURCE,
            source_ids=(source_id,),
        )
        yield Rel(
            RelType.RUNS,
            NodeLabel.ORGANISATION,
            found.uid,
            NodeLabel.HUB,
            hub_uid(row.hub_row),
            {
                "match_rule": found.rule,
                "match_score": found.score,
                "match_evidence": evidence,
            },
            SOURCE,
        )


def _earlier_evidence(matcher: OrganisationMatcher, uid: str, source_id: str) -> str:
    """The evidence recorded when this hub was first matched (a re-run finds its own id)."""
    prefix = f"{source_id} matched by "
    return next((e for e in matcher.merge_evidence(uid) if e.startswith(prefix)), "")


LOADER = EdihLoader()
