"""The report's tables as CSV (UTF-8 with BOM so Excel reads accents right). The networks are
exported through the explorer's exports (see ``workshop/views.py``)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from queries.models import Path as GraphPath
from workshop.pack import WorkshopData
from workshop.profiles import nuts2_of


@dataclass
class Table:
    """One exported table: ``name`` is the CSV file stem."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def route_text(path: GraphPath) -> str:
    return " → ".join(node.name or node.key for node in path.nodes)


def via_text(path: GraphPath) -> str:
    """The projects, hubs, partnerships a path runs through (its connecting nodes)."""
    return "; ".join(f"{t.via.label} {t.via.name} ({t.reason})" for t in path.score_parts.ties)


def _join(values: Sequence[Any]) -> str:
    return "; ".join(str(v) for v in values)


def workshop_tables(data: WorkshopData) -> list[Table]:
    regions = Table(
        "regions",
        "Home and partner regions",
        [
            "nuts_id",
            "name",
            "country",
            "role",
            "category",
            "outermost",
            "organisations",
            "hubs",
            "clusters",
            "s3_priorities",
        ],
    )
    organisations = Table(
        "organisations",
        "Best-tied organisations of each region",
        [
            "region",
            "uid",
            "name",
            "located_in",
            "activity_type",
            "projects",
            "hubs",
            "clusters",
            "een_consortia",
            "foreign_partner_countries",
            "sources",
        ],
    )
    priorities = Table(
        "s3_priorities",
        "S3 priorities",
        ["region", "territory", "uid", "title", "domains", "sources"],
    )
    profiles = [(data.home, "home"), *((p.profile, "partner") for p in data.partners)]
    for profile, role in profiles:
        actors = data.actors.get(profile.nuts_id)
        regions.rows.append(
            [
                profile.nuts_id,
                profile.name,
                profile.country or profile.country_code,
                role,
                profile.category_label,
                profile.outermost,
                actors.organisations if actors else 0,
                actors.hubs if actors else 0,
                actors.clusters if actors else 0,
                len(data.priorities.get(profile.nuts_id, [])),
            ]
        )
        for org in actors.top_organisations if actors else []:
            organisations.rows.append(
                [
                    profile.nuts_id,
                    org.uid,
                    org.name,
                    org.nuts_id,
                    org.activity_type,
                    org.projects,
                    org.hubs,
                    org.clusters,
                    org.consortia,
                    org.foreign_countries,
                    _join(org.sources),
                ]
            )
        for p in data.priorities.get(profile.nuts_id, []):
            priorities.rows.append(
                [profile.nuts_id, p.territory, p.uid, p.title, _join(p.domains), _join(p.sources)]
            )

    overlap = Table(
        "s3_overlap",
        "S3 overlap: shared and complementary domains of each pair of regions",
        ["region_a", "region_b", "shared", "only_a", "only_b", "jaccard"],
    )
    domains_of = Table(
        "s3_domains",
        "Domains of each region and their basis",
        ["region", "basis", "domains"],
    )
    if data.overlap is not None:
        for cell in data.overlap.cells:
            overlap.rows.append(
                [
                    cell.a,
                    cell.b,
                    _join(cell.shared),
                    _join(cell.only_a),
                    _join(cell.only_b),
                    round(cell.jaccard, 3),
                ]
            )
        for rd in data.overlap.regions:
            domains_of.rows.append([rd.region.nuts_id, rd.basis, _join(rd.domains)])

    paths = Table(
        "paths",
        "Partnership paths by domain",
        [
            "domain",
            "partner",
            "rank",
            "score",
            "hops",
            "route",
            "runs_through",
            "start_region",
            "end_region",
            "explanation",
        ],
    )
    for run in data.paths:
        for rank, path in enumerate(run.found, 1):
            paths.rows.append(
                [
                    run.domain.name,
                    run.partner,
                    rank,
                    round(path.score, 4),
                    path.hops,
                    route_text(path),
                    via_text(path),
                    path.start_region.nuts_id if path.start_region else "",
                    path.end_region.nuts_id if path.end_region else "",
                    path.explanation,
                ]
            )

    brokers = Table(
        "brokers",
        "Top brokers between the home region and the partner regions",
        [
            "rank",
            "name",
            "kind",
            "region",
            "partners_reached",
            "routes",
            "score",
            "networks",
            "why",
        ],
    )
    for rank, row in enumerate(data.brokers, 1):
        brokers.rows.append(
            [
                rank,
                row.node.name,
                row.node.label,
                row.node.region or "",
                _join(row.partners),
                row.routes,
                round(row.score, 4),
                _join(row.networks),
                row.explanation,
            ]
        )
    brokerage = Table(
        "brokerage",
        "Organisations between developed and less developed regions, by domain",
        [
            "domain",
            "name",
            "region",
            "category",
            "betweenness",
            "constraint",
            "degree",
            "networks",
            "explanation",
        ],
    )
    for domain_key, result in data.brokerage.items():
        for score in result.brokers:
            brokerage.rows.append(
                [
                    domain_key,
                    score.node.name,
                    score.region.nuts_id if score.region else "",
                    score.region.category if score.region else "",
                    round(score.betweenness, 5),
                    "" if score.constraint is None else round(score.constraint, 4),
                    score.degree,
                    _join(score.networks),
                    score.explanation,
                ]
            )

    members = Table(
        "consortia",
        "Candidate consortia: members",
        [
            "domain",
            "call",
            "proposal",
            "score",
            "role",
            "organisation",
            "region",
            "category",
            "in_workshop_region",
            "activity_type",
            "why",
        ],
    )
    checks = Table(
        "consortium_checks",
        "Candidate consortia: every rule check",
        ["domain", "call", "proposal", "rule", "passed", "detail"],
    )
    workshop_regions = set(data.region_ids)
    for attempt in data.consortia:
        if attempt.result is None:
            continue
        call = attempt.result.call.id
        for proposal in attempt.result.proposals:
            for m in proposal.members:
                members.rows.append(
                    [
                        attempt.domain.name,
                        call,
                        proposal.rank,
                        round(proposal.score, 4),
                        m.role,
                        m.organisation.name,
                        m.region.nuts_id if m.region else "",
                        (m.region.category or "") if m.region else "",
                        nuts2_of(m.region.nuts_id if m.region else None) in workshop_regions,
                        m.activity_type or "",
                        m.why,
                    ]
                )
            for check in proposal.checks:
                checks.rows.append(
                    [
                        attempt.domain.name,
                        call,
                        proposal.rank,
                        check.rule,
                        check.passed,
                        check.detail,
                    ]
                )
        for check in attempt.result.blocking:
            checks.rows.append(
                [
                    attempt.domain.name,
                    call,
                    "(none feasible)",
                    check.rule,
                    check.passed,
                    check.detail,
                ]
            )

    sources = Table(
        "sources",
        "Sources in the graph and when they were loaded",
        ["source", "nodes", "first_loaded", "last_loaded"],
    )
    for s in data.sources:
        sources.rows.append(
            [
                s.source,
                s.nodes,
                s.first_loaded.isoformat() if s.first_loaded else "",
                s.last_loaded.isoformat() if s.last_loaded else "",
            ]
        )
    snapshots = Table(
        "snapshots",
        "Snapshot provenance (data/snapshot/*/SOURCES.md)",
        ["folder", "title", "retrieved", "licence", "origin", "caveats"],
    )
    for note in data.snapshots:
        snapshots.rows.append(
            [
                note.folder,
                note.title,
                note.retrieved,
                note.licence,
                _join(note.origin),
                _join(note.caveats),
            ]
        )
    gaps = Table("gaps", "What the data does not cover", ["area", "gap"])
    gaps.rows.extend([gap.area, gap.text] for gap in data.gaps)
    return [
        regions,
        organisations,
        priorities,
        domains_of,
        overlap,
        paths,
        brokers,
        brokerage,
        members,
        checks,
        sources,
        snapshots,
        gaps,
    ]


def write_csv(table: Table, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table.name}.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.columns)
        writer.writerows(["" if v is None else v for v in row] for row in table.rows)
    return path
