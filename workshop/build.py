"""Writing the workshop folder: the report (entry point), the map, the interactive network
views and the exports, from one gathering of the graph's facts.

    <out>/report.html          the report, self-contained (map embedded), prints a section a page
    <out>/map.png, map.svg     the map on its own (PNG for slides, SVG to zoom)
    <out>/views/*.html         interactive networks (vis-network embedded, works offline)
    <out>/exports/*.csv        every table of the report (Excel)
    <out>/exports/*.graphml, *.gexf, *-nodes.csv, *-edges.csv   every network (Gephi, yEd)
    <out>/exports/workshop.json       everything above as one JSON document
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import Driver

from graph.settings import Settings
from queries.runner import Reader
from views.map import GEO_DIR, MapLink, MapRegion, MapResult, draw_region_map, network_links
from workshop.exports import workshop_tables, write_csv
from workshop.networks import workshop_networks
from workshop.pack import Progress, WorkshopData, WorkshopRequest, gather
from workshop.report import TableLink, ViewLink, render_report
from workshop.views import write_view


@dataclass
class PackResult:
    folder: Path
    report: Path
    map: MapResult
    data: WorkshopData
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def map_regions(data: WorkshopData) -> tuple[list[MapRegion], list[MapLink]]:
    """The map's regions (home first) and the proposed links from home to every partner: one
    per network whose ties back routes to it, as wide as those routes."""
    regions = [
        MapRegion(
            data.home.nuts_id,
            data.home.name,
            data.home.category,
            "home",
            data.home.category_status,
        )
    ]
    links: list[MapLink] = []
    for partner in data.partners:
        profile = partner.profile
        regions.append(
            MapRegion(
                profile.nuts_id,
                profile.name,
                profile.category,
                "partner",
                profile.category_status,
            )
        )
        by_network = data.routes_by_network(profile.nuts_id)
        if not by_network and data.routes_to(profile.nuts_id):
            by_network = {"": data.routes_to(profile.nuts_id)}  # routes with no known network
        links += network_links(data.home.nuts_id, profile.nuts_id, by_network)
    return regions, links


def build_pack(
    driver: Driver,
    settings: Settings,
    request: WorkshopRequest,
    out_dir: Path,
    progress: Progress | None = None,
) -> PackResult:
    """Gathers the facts and writes the folder; returns where everything is."""
    say = progress or (lambda _: None)
    started = time.monotonic()
    data = gather(driver, settings, request, say)

    out_dir.mkdir(parents=True, exist_ok=True)
    exports = out_dir / "exports"
    views_dir = out_dir / "views"
    files: list[Path] = []

    say("Drawing the map")
    regions, links = map_regions(data)
    partners = ", ".join(p.profile.nuts_id for p in data.partners)
    map_result = draw_region_map(
        settings.data_dir / GEO_DIR,
        regions,
        links,
        data.background_categories,
        out_dir / "map.png",
        out_dir / "map.svg",
        title=f"{data.home.nuts_id} {data.home.name} and partner regions {partners}",
    )
    files += [map_result.png, *([map_result.svg] if map_result.svg else [])]

    say("Interactive network views and graph exports")
    reader = Reader(driver, settings.neo4j_database, settings.query_timeout)
    view_links: list[ViewLink] = []
    for network in workshop_networks(reader, data):
        written = write_view(network.subgraph, views_dir, exports, network.stem)
        files += written.all()
        view_links.append(
            ViewLink(
                title=network.subgraph.title,
                html=written.html.relative_to(out_dir).as_posix(),
                graphml=written.graphml.relative_to(out_dir).as_posix(),
                gexf=written.gexf.relative_to(out_dir).as_posix(),
                nodes=len(network.subgraph.nodes),
                edges=len(network.subgraph.edges),
            )
        )

    say("Table exports")
    table_links: list[TableLink] = []
    for table in workshop_tables(data):
        path = write_csv(table, exports)
        files.append(path)
        table_links.append(
            TableLink(
                title=table.title, file=path.relative_to(out_dir).as_posix(), rows=len(table.rows)
            )
        )
    json_path = exports / "workshop.json"
    json_path.write_text(data.model_dump_json(indent=1), encoding="utf-8")
    files.append(json_path)

    say("Writing the report")
    report = render_report(data, map_result, view_links, table_links, out_dir / "report.html")
    files.insert(0, report)
    return PackResult(
        folder=out_dir,
        report=report,
        map=map_result,
        data=data,
        files=files,
        seconds=time.monotonic() - started,
    )
