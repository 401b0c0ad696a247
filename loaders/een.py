"""Enterprise Europe Network consortia and their member organisations, from the one real,
machine-readable source of EEN membership: the CORDIS Horizon 2020 ``organization.csv`` rows of
the EEN grants (format A of the project's format notes; every regional EEN consortium was
funded as an H2020 grant, 2015-2021).

Given with ``s3graph load een --file organization.csv`` (``;``-separated as CORDIS publishes it,
or the comma-and-quotes variant). Rows of projects that are not EEN grants (by
``een_projects_h2020.csv`` of the CORDIS snapshot, or one beside the file) are skipped and
counted, so the whole CORDIS file can be given. Writes ``(:Consortium {uid:
'een:cordis:<projectID>'})`` (the uid the CORDIS loader gives the same grant, so both meet on
one node), ``(:Organisation)-[:MEMBER_OF {role}]->(:Consortium)-[:IN_NETWORK]->(:Network {name:
'EEN'})`` and each new organisation's ``LOCATED_IN``. Organisations are matched with those
already in the graph (PIC first); a known organisation keeps its properties and region and
gains the source id ``een:pic:<PIC>``.

No file of today's EEN (Single Market Programme, 2022-2027) or of its sector groups exists
offline; without ``--file`` the loader writes only the network node and says so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Iterator
from pathlib import Path
from typing import Any

from graph import reads
from graph.schema import NodeLabel, RelType
from graph.writer import Node, Record, Rel
from loaders.base import LoadContext, LoadReport, validate_rows
from loaders.cordis import (
    EEN_FILE,
    ORGANIZATION_COLUMNS,
    ROLE_RANK,
    ParticipationRow,
    read_reference,
    snapshot_dir,
)
from loaders.entities import Candidate, OrganisationMatcher, name_key, normalise_vat, web_domain
from loaders.networks import in_network, network_node
from loaders.placement import RegionPlacer
from loaders.region_resolver import placeholder_points
from loaders.tables import ROW_PROBLEM, read_table

SOURCE = "een"
NETWORK = "EEN"


def consortium_uid(project_id: str) -> str:
    """The uid of an EEN grant's consortium, shared with the CORDIS loader."""
    return f"een:cordis:{project_id}"


def een_grants_file(source_path: Path, data_dir: Path) -> Path:
    """The EEN grant list beside the given file, else the CORDIS snapshot's."""
    folder = source_path if source_path.is_dir() else source_path.parent
    beside = folder / EEN_FILE
    return beside if beside.exists() else snapshot_dir(data_dir) / EEN_FILE


def only_een_grants(
    rows: Iterable[tuple[int, dict[str, str | None]]],
    grants: Container[str],
    skipped: Counter[str],
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """The rows of EEN grants; rows of other projects are counted per project in ``skipped``
    (valid CORDIS rows, not rejects). A row without a well-formed projectID, or that could not
    be split into its columns or is cut short (cells missing), goes on to validation and
    becomes a reject."""
    for line, raw in rows:
        project_id = (raw.get("projectID") or "").strip()
        cut_short = any(raw.get(column) is None for column in ORGANIZATION_COLUMNS)
        if project_id in grants or not project_id.isdigit() or raw.get(ROW_PROBLEM) or cut_short:
            yield line, raw
        else:
            skipped[project_id] += 1


def organization_file(source_path: Path) -> Path:
    return source_path / "organization.csv" if source_path.is_dir() else source_path


class EenLoader:
    name = "een"
    description = "Enterprise Europe Network consortia (CORDIS organization.csv of EEN grants)"
    depends_on: tuple[str, ...] = ("regions", "cordis")

    def records(self, ctx: LoadContext, report: LoadReport) -> Iterator[Record]:
        if ctx.source_path is None:
            yield network_node(NETWORK, SOURCE)
            self._note_without_file(ctx, report)
            return
        # The file is read and validated before the first record: a wholly wrong file stops
        # the load with the graph untouched.
        path = organization_file(ctx.source_path)
        grants = read_reference(een_grants_file(ctx.source_path, ctx.data_dir), "eenPhase")

        skipped: Counter[str] = Counter()
        een_rows = only_een_grants(read_table(path, ORGANIZATION_COLUMNS), grants, skipped)
        rows = [row for _, row in validate_rows(een_rows, ParticipationRow, report, path.name)]
        if skipped:
            report.notes.append(
                f"skipped {sum(skipped.values())} rows of {len(skipped)} projects that are not "
                "EEN grants (een_projects_h2020.csv)"
            )

        yield network_node(NETWORK, SOURCE)
        by_project: dict[str, list[ParticipationRow]] = defaultdict(list)
        latest: dict[str, ParticipationRow] = {}
        for row in rows:
            by_project[row.project_id].append(row)
            held = latest.get(row.pic)
            if held is None or (row.updated or "") > (held.updated or ""):
                latest[row.pic] = row

        placer = RegionPlacer.for_load(
            ctx, placeholder_points((r.geolocation, r.city) for r in latest.values())
        )
        matcher = OrganisationMatcher.from_graph(ctx.driver, ctx.settings.neo4j_database)
        in_graph = set(matcher.uids())
        uid_of: dict[str, str] = {}
        merged: Counter[str] = Counter()
        known = 0
        for pic in sorted(latest):
            row = latest[pic]
            candidate = Candidate(
                uid=f"org:pic:{pic}",
                source_id=f"een:pic:{pic}",
                name=row.name,
                country_code=row.country,
                pic=pic,
                vat=row.vat,
                website=row.url,
            )
            found = matcher.match_and_register(candidate)
            uid_of[pic] = found.uid
            if found.merged:
                merged[found.rule] += 1
            if found.uid in in_graph:
                known += 1
                yield self._known_organisation(found.uid, candidate, matcher)
                continue
            placement = placer.place(
                candidate.source_id,
                row.name,
                row.country,
                nuts_code=row.nuts_code,
                postcode=row.postcode,
                city=row.city,
                geolocation=row.geolocation,
                address=", ".join(p for p in (row.street, row.city) if p),
            )
            props: dict[str, Any] = {
                "name": row.name,
                "name_key": name_key(row.name),
                "country_code": row.country,
                "pic": pic,
                "vat": normalise_vat(row.vat, row.country),
                "short_name": row.short_name,
                "activity_type": row.activity_type,
                "sme": row.sme,
                "city": row.city,
                "postcode": row.postcode,
                "website": row.url,
                "web_domain": web_domain(row.url),
                **placement.props,
            }
            yield Node(
                NodeLabel.ORGANISATION,
                found.uid,
                {k: v for k, v in props.items() if v is not None},
                SOURCE,
                source_ids=(candidate.source_id,),
            )
            if placement.region:
                yield Rel(
                    RelType.LOCATED_IN,
                    NodeLabel.ORGANISATION,
                    found.uid,
                    NodeLabel.REGION,
                    placement.region,
                    {"nuts_from": placement.resolution.nuts_from},
                    SOURCE,
                )

        for project_id in sorted(by_project, key=int):
            yield from self._consortium(project_id, by_project[project_id], grants, uid_of)

        report.metrics.update(
            {
                "consortia": len(by_project),
                "organisations": len(latest),
                "memberships": sum(len({r.pic for r in v}) for v in by_project.values()),
                "organisations_already_in_graph": known,
            }
        )
        for rule, n in merged.items():
            report.metrics[f"merged_by_{rule}"] = n
        report.notes.append(
            f"{len(by_project)} EEN consortia, {len(latest)} member organisations; {known} were "
            "already in the graph and keep their properties and region"
        )
        placer.report_to(report, "new member organisations", ctx.settings.home / "reports")

    @staticmethod
    def _known_organisation(uid: str, candidate: Candidate, matcher: OrganisationMatcher) -> Node:
        """An organisation already in the graph: only its source id and the evidence of the
        match are added."""
        props: dict[str, Any] = {}
        evidence = matcher.merge_evidence(uid)
        if evidence:
            props["merge_evidence"] = evidence
        return Node(NodeLabel.ORGANISATION, uid, props, SOURCE, source_ids=(candidate.source_id,))

    @staticmethod
    def _consortium(
        project_id: str,
        rows: list[ParticipationRow],
        grants: dict[str, str],
        uid_of: dict[str, str],
    ) -> Iterator[Record]:
        uid = consortium_uid(project_id)
        name = next((r.acronym for r in rows if r.acronym), None) or uid
        props: dict[str, Any] = {"name": name, "network": NETWORK, "project_id": project_id}
        if grants.get(project_id):
            props["phase"] = grants[project_id]
        yield Node(NodeLabel.CONSORTIUM, uid, props, SOURCE, source_ids=(uid,))
        yield in_network(NodeLabel.CONSORTIUM, uid, NETWORK, SOURCE)
        roles: dict[str, str] = {}
        for row in rows:
            held = roles.get(row.pic)
            if held is None or ROLE_RANK.get(row.role.lower(), 9) < ROLE_RANK.get(held.lower(), 9):
                roles[row.pic] = row.role
        for pic, role in sorted(roles.items()):
            yield Rel(
                RelType.MEMBER_OF,
                NodeLabel.ORGANISATION,
                uid_of[pic],
                NodeLabel.CONSORTIUM,
                uid,
                {"role": role},
                SOURCE,
            )

    @staticmethod
    def _note_without_file(ctx: LoadContext, report: LoadReport) -> None:
        consortia = reads.een_consortia_count(ctx.driver, ctx.settings.neo4j_database)
        report.metrics["een_consortia_in_graph"] = consortia
        report.notes.append(
            "no EEN member file given (use --file with the CORDIS organization.csv of EEN "
            "grants); no public EEN member list exists offline. EEN consortia already in the "
            f"graph from CORDIS: {consortia}"
        )


LOADER = EenLoader()
