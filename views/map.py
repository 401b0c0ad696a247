"""The map of regions that a workshop pack or an explorer answer links: NUTS 2 regions coloured
by cohesion category, the links drawn between region centroids (width: routes), zoomed to the
regions, rendered with matplotlib from the GISCO NUTS 2021 boundaries in the snapshot (no tiles,
no internet)."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from matplotlib import patheffects
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, PathPatch
from matplotlib.path import Path as MplPath
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from graph.errors import SourceFormatError
from queries.models import Path as GraphPath
from queries.networks import TIE_NETWORKS, route_networks
from views.subgraph import CATEGORY_COLOURS, NETWORK_COLOURS

GEO_DIR = Path("snapshot") / "nuts" / "geo"  # below the data folder
LEVEL2_FILE = "nutsrg_2_60M_4326.json"
LEVEL0_FILE = "nutsrg_0_60M_4326.json"

# The explorer's colours, so that the map, the report and the network views say the same; the
# test reads them back from the PNG.
OUTSIDE_EU = "outside EU cohesion policy"
UNKNOWN = "no region or unknown"
CATEGORY_ORDER: tuple[str, ...] = tuple(CATEGORY_COLOURS)
NO_CATEGORY = frozenset({OUTSIDE_EU, UNKNOWN})
SEA = "#F2F6F9"
LAND_OUTSIDE = "#E6E6E6"
COUNTRY_EDGE = "#4A4A4A"
LINK_COLOUR = "#1B1B1B"
HOME_EDGE = "#000000"
ARC_RAD = 0.18
ARC_STEP = 0.14  # between the arcs of two networks linking the same regions
MAP_INCHES = 10.5
# Display height/width the map is widened or heightened to: a page-friendly shape.
MIN_RATIO, MAX_RATIO = 0.62, 1.3


def category_key(category: str | None, status: str | None = None) -> str:
    """Every region gets one of the legend's keys: a region with no category is shown as
    outside cohesion policy or unknown (no data), never guessed."""
    if category in CATEGORY_COLOURS:
        return category
    if status and "outside" in status:
        return OUTSIDE_EU
    return UNKNOWN


Extent = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


@dataclass(frozen=True, slots=True)
class MapRegion:
    """A region of the workshop: the home region or a partner."""

    nuts_id: str
    name: str
    category: str | None
    role: str  # 'home' | 'partner'
    status: str | None = None  # e.g. 'outside EU cohesion policy'


@dataclass(frozen=True, slots=True)
class MapLink:
    """A proposed link between two regions: ``weight`` is how many partnership routes back it,
    ``network`` whose ties they run through (Horizon 2020, Interreg, ...; '' for all)."""

    source: str
    target: str
    weight: int
    label: str = ""
    network: str = ""


@dataclass(frozen=True, slots=True)
class MapResult:
    png: Path
    svg: Path | None
    extent: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    centroids: dict[str, tuple[float, float]]
    missing: tuple[str, ...]  # selected regions with no boundary in the file


@lru_cache(maxsize=4)
def load_boundaries(path: Path) -> dict[str, tuple[str, BaseGeometry]]:
    """NUTS code -> (name, geometry) from one GISCO Nuts2json FeatureCollection."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = data["features"]
    except FileNotFoundError as exc:
        raise SourceFormatError(
            f"NUTS boundaries not found at {path}: the regions snapshot puts them in "
            "data/snapshot/nuts/geo/"
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceFormatError(f"{path} is not a GeoJSON FeatureCollection: {exc}") from exc
    boundaries: dict[str, tuple[str, BaseGeometry]] = {}
    for feature in features:
        props = feature.get("properties") or {}
        code = props.get("id")
        if not code or not feature.get("geometry"):
            continue
        boundaries[str(code)] = (str(props.get("na") or code), shape(feature["geometry"]))
    return boundaries


def main_polygon(geometry: BaseGeometry) -> Polygon:
    """The largest part of a region: islands far away (Madeira, Svalbard) must not stretch the
    map nor pull the centroid into the sea."""
    if isinstance(geometry, MultiPolygon):
        return max(geometry.geoms, key=lambda g: g.area)
    if isinstance(geometry, Polygon):
        return geometry
    raise SourceFormatError(f"unexpected geometry type {geometry.geom_type}")


def anchor_point(geometry: BaseGeometry) -> tuple[float, float]:
    """A point inside the region's main part (a centroid can fall outside a crescent)."""
    point = main_polygon(geometry).representative_point()
    return (float(point.x), float(point.y))


def _polygons(geometry: BaseGeometry) -> Iterable[Polygon]:
    if isinstance(geometry, MultiPolygon):
        yield from geometry.geoms
    elif isinstance(geometry, Polygon):
        yield geometry


def geometry_path(geometry: BaseGeometry) -> MplPath:
    """A matplotlib path of every ring (holes kept: Ilfov surrounds Bucharest)."""
    vertices: list[tuple[float, float]] = []
    codes: list[Any] = []
    for polygon in _polygons(geometry):
        for ring in (polygon.exterior, *polygon.interiors):
            coords = list(ring.coords)
            if len(coords) < 3:
                continue
            vertices.extend((float(x), float(y)) for x, y, *_ in coords)
            codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2))
            codes.append(MplPath.CLOSEPOLY)
    return MplPath(vertices, codes)


def arc_midpoint(
    start: tuple[float, float], end: tuple[float, float], rad: float, aspect: float
) -> tuple[float, float]:
    """Where matplotlib's ``arc3`` curve peaks: its Bezier control point is placed in display
    space, so the offset is scaled by the axes' aspect."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    return (
        (x0 + x1) / 2 + 0.5 * rad * dy * aspect,
        (y0 + y1) / 2 - 0.5 * rad * dx / aspect,
    )


def fit_ratio(
    extent: tuple[float, float, float, float], aspect: float
) -> tuple[float, float, float, float]:
    """Widens or heightens an extent around its centre so that its displayed shape stays
    between ``MIN_RATIO`` and ``MAX_RATIO`` (height / width): no long thin map on a page."""
    west, south, east, north = extent
    width, height = east - west, (north - south) * aspect
    ratio = height / width
    cx, cy = (west + east) / 2, (south + north) / 2
    if ratio > MAX_RATIO:
        width = height / MAX_RATIO
    elif ratio < MIN_RATIO:
        height = width * MIN_RATIO
    half_w, half_h = width / 2, height / aspect / 2
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def map_extent(
    geometries: Sequence[BaseGeometry], pad: float = 0.08, min_span: float = 6.0
) -> tuple[float, float, float, float]:
    """The selected regions' extent (main parts), padded, never narrower than ``min_span``."""
    bounds = [main_polygon(g).bounds for g in geometries]
    west = min(b[0] for b in bounds)
    south = min(b[1] for b in bounds)
    east = max(b[2] for b in bounds)
    north = max(b[3] for b in bounds)
    width = max(east - west, min_span)
    height = max(north - south, min_span * 0.6)
    cx, cy = (west + east) / 2, (south + north) / 2
    width, height = width * (1 + 2 * pad), height * (1 + 2 * pad)
    return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


def draw_region_map(
    geo_dir: Path,
    regions: Sequence[MapRegion],
    links: Sequence[MapLink],
    background_categories: dict[str, str | None],
    out_png: Path,
    out_svg: Path | None = None,
    title: str = "",
    dpi: int = 150,
) -> MapResult:
    """Draws the map and writes it as PNG (and SVG, a vector copy that zooms without blur).

    ``background_categories`` gives the category of every other NUTS 2 region (or, without
    one, its status such as 'outside EU cohesion policy') so that the partners are seen among
    their neighbours; they are drawn faded.
    """
    fig, extent, centroids, missing = region_map_figure(
        geo_dir, regions, links, background_categories, title, dpi
    )
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png, dpi=dpi, facecolor="white")
    if out_svg is not None:
        fig.savefig(out_svg, facecolor="white")
    return MapResult(png=out_png, svg=out_svg, extent=extent, centroids=centroids, missing=missing)


def region_map_png(
    geo_dir: Path,
    regions: Sequence[MapRegion],
    links: Sequence[MapLink],
    background_categories: dict[str, str | None],
    dpi: int = 80,
) -> bytes:
    """The map as PNG bytes, for a page to show inline."""
    fig, *_ = region_map_figure(geo_dir, regions, links, background_categories, "", dpi)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def region_map_figure(
    geo_dir: Path,
    regions: Sequence[MapRegion],
    links: Sequence[MapLink],
    background_categories: dict[str, str | None],
    title: str = "",
    dpi: int = 150,
) -> tuple[
    Figure, tuple[float, float, float, float], dict[str, tuple[float, float]], tuple[str, ...]
]:
    """The figure, its extent, the regions' anchor points and the regions without a boundary."""
    level2 = load_boundaries(geo_dir / LEVEL2_FILE)
    level0 = load_boundaries(geo_dir / LEVEL0_FILE)
    selected = {r.nuts_id: r for r in regions}
    found = [r for r in regions if r.nuts_id in level2]
    missing = tuple(r.nuts_id for r in regions if r.nuts_id not in level2)
    if not found:
        raise SourceFormatError(
            f"none of the regions {', '.join(selected)} has a boundary in {geo_dir / LEVEL2_FILE}"
        )
    west, south, east, north = map_extent([level2[r.nuts_id][1] for r in found])
    mid_lat = (south + north) / 2
    aspect = 1 / math.cos(math.radians(mid_lat))
    west, south, east, north = fit_ratio((west, south, east, north), aspect)
    ratio = (north - south) * aspect / (east - west)
    # The longer side of the map is MAP_INCHES; the figure adds only the title band.
    map_w = MAP_INCHES if ratio <= 1 else MAP_INCHES / ratio
    map_h = map_w * ratio
    top = 0.45 if title else 0.0
    fig = Figure(figsize=(map_w + 0.2, map_h + 0.2 + top), dpi=dpi)
    fig_w, fig_h = fig.get_size_inches()
    ax = fig.add_axes((0.1 / fig_w, 0.1 / fig_h, map_w / fig_w, map_h / fig_h))
    ax.set_facecolor(SEA)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(aspect)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#BBBBBB")

    # Countries as land, then every NUTS 2 region faded in its category, then the selection.
    ax.add_collection(
        PatchCollection(
            [PathPatch(geometry_path(g)) for _, g in level0.values()],
            facecolor=LAND_OUTSIDE,
            edgecolor="none",
            zorder=1,
        )
    )
    faded: list[PathPatch] = []
    faded_colours: list[str] = []
    for code, (_, geometry) in level2.items():
        if code in selected:
            continue
        faded.append(PathPatch(geometry_path(geometry)))
        if code in background_categories:
            known = background_categories[code]  # a category, or why there is none
            faded_colours.append(CATEGORY_COLOURS[category_key(known, known)])
        else:
            faded_colours.append(LAND_OUTSIDE)
    ax.add_collection(
        PatchCollection(
            faded,
            facecolor=faded_colours,
            edgecolor="#FFFFFF",
            linewidth=0.3,
            alpha=0.22,
            zorder=2,
        )
    )
    ax.add_collection(
        PatchCollection(
            [PathPatch(geometry_path(g)) for _, g in level0.values()],
            facecolor="none",
            edgecolor=COUNTRY_EDGE,
            linewidth=0.7,
            zorder=3,
        )
    )
    for region in found:
        key = category_key(region.category, region.status)
        ax.add_patch(
            PathPatch(
                geometry_path(level2[region.nuts_id][1]),
                facecolor=CATEGORY_COLOURS[key],
                edgecolor=HOME_EDGE if region.role == "home" else "#FFFFFF",
                linewidth=2.2 if region.role == "home" else 1.0,
                hatch="//" if key in NO_CATEGORY else None,
                zorder=4,
            )
        )

    centroids = {r.nuts_id: anchor_point(level2[r.nuts_id][1]) for r in found}
    max_weight = max((link.weight for link in links), default=1) or 1
    drawn = [k for k in links if k.source in centroids and k.target in centroids]
    pairs: dict[tuple[str, str], list[MapLink]] = {}
    for link in drawn:
        pairs.setdefault((link.source, link.target), []).append(link)
    for pair_links in pairs.values():
        for i, link in enumerate(pair_links):
            # The arcs of one pair fan out around ARC_RAD, so each network's arc is seen.
            rad = ARC_RAD + (i - (len(pair_links) - 1) / 2) * ARC_STEP
            _draw_link(ax, link, centroids, rad, aspect, max_weight)

    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    for region in found:
        x, y = centroids[region.nuts_id]
        ax.plot(
            [x],
            [y],
            marker="*" if region.role == "home" else "o",
            markersize=15 if region.role == "home" else 7,
            markerfacecolor="white" if region.role == "home" else LINK_COLOUR,
            markeredgecolor=LINK_COLOUR,
            zorder=6,
        )
        ax.text(
            x,
            y - (north - south) * 0.018,
            f"{region.nuts_id} {region.name}",
            fontsize=9,
            fontweight="bold" if region.role == "home" else "normal",
            ha="center",
            va="top",
            zorder=8,
            path_effects=halo,
        )

    handles: list[Any] = [
        Patch(
            facecolor=CATEGORY_COLOURS[key],
            edgecolor="#555555",
            hatch="//" if key in NO_CATEGORY else None,
            label=key[0].upper() + key[1:],
        )
        for key in CATEGORY_ORDER
    ]
    handles.append(
        Line2D(
            [],
            [],
            marker="*",
            color="none",
            markerfacecolor="white",
            markeredgecolor=LINK_COLOUR,
            markersize=13,
            label="Home region",
        )
    )
    networks = {link.network for link in drawn if link.weight > 0}
    if "" in networks:
        handles.append(
            Line2D([], [], color=LINK_COLOUR, lw=2.5, label="Proposed link (width: routes)")
        )
    handles.extend(
        Line2D([], [], color=NETWORK_COLOURS[name], lw=2.5, label=f"{name} ties (width: routes)")
        for name in TIE_NETWORKS
        if name in networks
    )
    handles.append(
        Line2D([], [], color=LINK_COLOUR, lw=1, ls=(0, (3, 3)), alpha=0.5, label="No route yet")
    )
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.92, title="Legend")
    ax.text(
        0.995,
        0.005,
        "Boundaries: © EuroGeographics, Eurostat/GISCO NUTS 2021 (1:60M). "
        "Other regions faded in their category.",
        transform=ax.transAxes,
        fontsize=6.5,
        ha="right",
        va="bottom",
        color="#444444",
        zorder=9,
    )
    if title:
        fig.text(0.5, 1 - 0.27 / fig_h, title, fontsize=13, ha="center", va="center")

    return fig, (west, south, east, north), centroids, missing


def _draw_link(
    ax: Any,
    link: MapLink,
    centroids: dict[str, tuple[float, float]],
    rad: float,
    aspect: float,
    max_weight: int,
) -> None:
    """One arc, as wide as its routes, in its network's colour; dashed when no route backs it."""
    start, end = centroids[link.source], centroids[link.target]
    colour = NETWORK_COLOURS.get(link.network, LINK_COLOUR) if link.network else LINK_COLOUR
    width = 1.0 + 3.5 * math.sqrt(max(link.weight, 0) / max_weight)
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            connectionstyle=f"arc3,rad={rad}",
            arrowstyle="-",
            linewidth=width,
            color=colour,
            alpha=1.0 if link.weight > 0 else 0.35,
            linestyle="-" if link.weight > 0 else (0, (3, 3)),
            zorder=5,
        )
    )
    if link.label:
        x, y = arc_midpoint(start, end, rad, aspect)
        ax.text(
            x,
            y,
            link.label,
            fontsize=7.5,
            ha="center",
            va="center",
            zorder=7,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": colour, "lw": 0.8},
        )


def network_links(source: str, target: str, by_network: dict[str, int]) -> list[MapLink]:
    """One link per network whose ties back routes between two regions, labelled with its
    routes; a dashed one when there is none."""
    if not by_network:
        return [MapLink(source, target, 0)]
    return [
        MapLink(source, target, n, f"{n:,}", network) for network, n in by_network.items() if n > 0
    ]


def routes_map(geo_dir: Path, paths: Sequence[GraphPath]) -> tuple[list[MapRegion], list[MapLink]]:
    """The NUTS 2 regions that paths link (the start regions marked as home) and, per pair of
    regions, one link per network of the paths' ties, as wide as the paths through it."""
    names = {code: name for code, (name, _) in load_boundaries(geo_dir / LEVEL2_FILE).items()}
    regions: dict[str, MapRegion] = {}
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for path in paths:
        start, end = path.start_region, path.end_region
        if start is None or end is None:
            continue
        a, b = start.nuts_id[:4], end.nuts_id[:4]
        for ref, code, role in ((start, a, "home"), (end, b, "partner")):
            if code not in regions or role == "home":
                name = names.get(code, ref.name)
                regions[code] = MapRegion(code, name, ref.category, role, ref.category_status)
        if a != b:
            pair = counts.setdefault((a, b), {})
            networks = route_networks([n.label for n in path.nodes], [n.key for n in path.nodes])
            for network in networks or {""}:
                pair[network] = pair.get(network, 0) + 1
    links = [
        link
        for (a, b), by_network in counts.items()
        for link in network_links(a, b, _legend_order(by_network))
    ]
    ordered = sorted(regions.values(), key=lambda r: (r.role != "home", r.nuts_id))
    return ordered, links


def _legend_order(by_network: dict[str, int]) -> dict[str, int]:
    order = {name: i for i, name in enumerate(TIE_NETWORKS)}
    return dict(sorted(by_network.items(), key=lambda kv: order.get(kv[0], len(order))))
