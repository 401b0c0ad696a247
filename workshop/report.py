"""The workshop report: one self-contained HTML file (map embedded as base64, no external
resources) that prints a section a page. Rendered from an autoescaped Jinja2 template."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from queries.models import OverlapCell
from queries.models import Path as GraphPath
from queries.networks import connector_network
from views.map import MapResult, category_key
from views.subgraph import CATEGORY_COLOURS, NETWORK_COLOURS
from workshop.pack import WorkshopData
from workshop.profiles import PartnerRegionProfile, nuts2_of

TEMPLATES = Path(__file__).resolve().parent / "templates"

CATEGORY_CLASSES = {
    "more developed": "md",
    "transition": "tr",
    "less developed": "ld",
    "outside EU cohesion policy": "oe",
    "no region or unknown": "nc",
}
ACTIVITY_TYPES = {
    "HES": "higher education",
    "REC": "research",
    "PRC": "company",
    "PUB": "public body",
    "OTH": "other",
}
BASES = {
    "declared": "declared S3 priorities",
    "revealed": "revealed by its organisations' work (no S3 priorities in the graph)",
    "none": "no domain known",
}
# What a graph of public records cannot tell, whatever its coverage.
METHOD_LIMITS = (
    "The graph records who worked together in the EU projects, hubs and partnerships it holds; "
    "it does not know who is willing, has capacity or co-financing for a new investment now.",
    "A path is a route for an introduction, not a partnership: check that each tie is still "
    "alive (project end dates, people who moved on) before relying on it.",
    "No contact persons are stored (personal data): the pack names organisations, not people.",
    "Scores rank the routes found; they are not probabilities of success.",
    "S3 priorities are compared through the shared domain vocabulary; the wording of each "
    "strategy (and national-level priorities) deserves a reading of its own.",
)


@dataclass(frozen=True)
class ViewLink:
    title: str
    html: str
    graphml: str
    gexf: str
    nodes: int
    edges: int


@dataclass(frozen=True)
class TableLink:
    title: str
    file: str
    rows: int


class Matrix:
    """Look-ups for the overlap matrix template."""

    def __init__(self, data: WorkshopData) -> None:
        self.ids = data.region_ids
        self.cells: dict[frozenset[str], OverlapCell] = {}
        self.domains: dict[str, int] = {}
        if data.overlap is not None:
            for cell in data.overlap.cells:
                self.cells[frozenset((cell.a, cell.b))] = cell
            for rd in data.overlap.regions:
                self.domains[rd.region.nuts_id] = len(rd.domains)

    def cell(self, a: str, b: str) -> OverlapCell | None:
        return self.cells.get(frozenset((a, b)))

    def count(self, nuts_id: str) -> int:
        return self.domains.get(nuts_id, 0)

    @staticmethod
    def own(cell: OverlapCell, nuts_id: str) -> list[str]:
        """Domains ``nuts_id`` brings that the other region lacks."""
        return cell.only_a if cell.a == nuts_id else cell.only_b

    @staticmethod
    def other(cell: OverlapCell, nuts_id: str) -> list[str]:
        return cell.only_b if cell.a == nuts_id else cell.only_a


def brief(text: str, limit: int = 160) -> str:
    """The first clause of a long explanation, for print; the exports keep it whole."""
    cut = len(text)
    for mark in (": ", ". "):
        at = text.find(mark)
        if 0 < at < cut:
            cut = at
    short = text[:cut].rstrip(" .:;")
    if len(short) > limit:
        short = short[: limit - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"
    return short + "."


def network_colour(name: str) -> str:
    """The legend's colour of a network (grey for routes of no known network)."""
    return NETWORK_COLOURS.get(name, NETWORK_COLOURS["other"])


def shade(jaccard: float) -> str:
    """White to teal by similarity (kept light so the numbers stay readable)."""
    t = max(0.0, min(1.0, jaccard))
    r, g, b = (int(255 - t * (255 - c)) for c in (110, 190, 180))
    return f"rgb({r},{g},{b})"


def _badge(category: str | None, label: str, status: str | None = None) -> Markup:
    css = CATEGORY_CLASSES[category_key(category, status or label)]
    return Markup('<span class="cat {}">{}</span>').format(css, label)


def _command(data: WorkshopData) -> str:
    r = data.request
    parts = [
        "s3graph workshop",
        f"--home {r.home}",
        f"--partners {','.join(r.partners)}",
        f'--domains "{",".join(r.domains)}"',
    ]
    if data.call:
        parts.append(f"--call {data.call.id}")
    if r.brokerage:
        parts.append("--brokerage")
    return " ".join(parts)


def render_report(
    data: WorkshopData,
    map_result: MapResult,
    views: list[ViewLink],
    tables: list[TableLink],
    out_file: Path,
) -> Path:
    """Writes ``out_file`` and returns it; relative links point into the pack folder."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    categories = data.background_categories

    def cat_badge(profile: PartnerRegionProfile) -> Markup:
        return _badge(profile.category, profile.category_label, profile.category_status)

    def cat_badge_id(nuts_id: str | None) -> Markup:
        code = nuts2_of(nuts_id)
        if code is None:
            return Markup("")
        known = categories.get(code)
        return _badge(known, known or "no category")

    def region_line(profile: PartnerRegionProfile) -> Markup:
        return Markup("<strong>{}</strong> {} {}").format(
            profile.nuts_id, profile.name, cat_badge(profile)
        )

    def route(path: GraphPath) -> Markup:
        parts: list[Markup] = []
        for i, node in enumerate(path.nodes):
            if i:
                rel = next((r for r in path.relationships if {r.start, r.end} == {i - 1, i}), None)
                parts.append(
                    Markup(' <span class="r">—{}—</span> ').format(rel.type if rel else "")
                )
            where = f" · {node.region}" if node.region else ""
            network = connector_network(node.label, node.key)
            tag = (
                Markup(' <span class="net" style="border-color: {}">{}</span>').format(
                    network_colour(network), network
                )
                if network and node.label == "Project"
                else ""
            )
            parts.append(
                Markup('<span class="n {}" title="{}">{}<small>{}</small>{}</span>').format(
                    node.label, f"{node.label} {node.key}", node.name or node.key, where, tag
                )
            )
        return Markup('<span class="route">{}</span>').format(Markup("").join(parts))

    workshop_regions = set(data.region_ids)

    def in_workshop(nuts_id: str | None) -> bool:
        return nuts2_of(nuts_id) in workshop_regions

    def activity(code: str | None) -> str:
        return ACTIVITY_TYPES.get(code or "", code or "\N{EN DASH}")

    def basis(value: str) -> str:
        return BASES.get(value, value)

    targets = [p for p in data.partners if p.path_target]
    no_path = [
        f"{p.profile.nuts_id}"
        for p in targets
        if not any(run.found for run in data.paths if run.partner == p.profile.nuts_id)
    ]
    derived = any(
        (p.category_source or "").startswith("derived")
        for p in (data.home, *(q.profile for q in data.partners))
    )
    summary = {
        "paths": sum(len(run.found) for run in data.paths),
        "targets": len(targets),
        "no_path": no_path,
        "feasible": sum(1 for c in data.consortia if c.result and c.result.feasible),
    }
    toc = [
        ("map", "Map: partner regions and proposed links"),
        ("regions", "Partner regions: category, S3 priorities, organisations"),
        ("overlap", "S3 overlap matrix"),
        *((f"paths-{d.key}", f"Partnership paths in {d.name}") for d in data.domains),
        ("brokers", "Top brokers and why"),
        ("consortia", "Candidate consortia and rule checks"),
        ("views", "Interactive networks and exports"),
        ("sources", "Sources, provenance and dates"),
        ("gaps", "What the data does not cover"),
    ]
    png = base64.b64encode(map_result.png.read_bytes()).decode("ascii")
    partners = ", ".join(p.profile.name for p in data.partners)
    html = env.get_template("report.html.j2").render(
        title=f"Partnership workshop: {data.home.name} with {partners}",
        d=data,
        colours=CATEGORY_COLOURS,
        region_rows=[(data.home, "home"), *((p.profile, "partner") for p in data.partners)],
        matrix=Matrix(data),
        map_src=f"data:image/png;base64,{png}",
        map_svg=map_result.svg.name if map_result.svg else None,
        map_missing=list(map_result.missing),
        views=views,
        tables=tables,
        toc=toc,
        summary=summary,
        derived=derived,
        command=_command(data),
        method_limits=METHOD_LIMITS,
        cat_badge=cat_badge,
        cat_badge_id=cat_badge_id,
        region_line=region_line,
        route=route,
        network_colour=network_colour,
        activity=activity,
        in_workshop=in_workshop,
        basis=basis,
        shade=shade,
        brief=brief,
    )
    out_file.write_text(html, encoding="utf-8")
    return out_file
