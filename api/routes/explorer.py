"""The visual explorer: HTML pages served by the API itself.

The start page's form (from, to, domain, network) leads to the paths view; every drawn node
links to its neighbourhood page; "who can connect us to X" has a view of its own. Pages show the
drawing (pyvis, JavaScript in line), a legend, what was left out ("showing N of M") with a way
to narrow down, and links to export the same view.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import DriverDep, ReaderDep, SettingsDep
from api.templating import templates
from api.viewspecs import (
    CATEGORIES,
    NEIGHBOUR_LIMITS,
    ConnectViewParams,
    NodeViewParams,
    PathsViewParams,
    connect_view,
    connect_view_params,
    node_page,
    node_path,
    node_view,
    node_view_params,
    optional_enum,
    paths_view,
    paths_view_params,
)
from graph.errors import SourceFormatError
from graph.schema import FULLTEXT_LABELS, NODE_KEYS, NodeLabel, RelType
from graph.settings import Settings
from queries.browse import REGION_MEMBER_KINDS, list_domains, region_members, search
from queries.models import DomainSummary, Page, RankedLink
from queries.models import Path as GraphPath
from queries.regions import level2_categories
from queries.runner import Reader
from views.map import GEO_DIR, region_map_png, routes_map
from views.render import network_html
from views.subgraph import PATH_NETWORKS, legend_for

router = APIRouter(include_in_schema=False)


def _domains(reader: Reader) -> list[DomainSummary]:
    return list_domains(reader, limit=200).items


# A region page lists this many organisations, projects, hubs and clusters per page.
REGION_MEMBERS_PER_PAGE = 20


def _region_map(reader: Reader, settings: Settings, paths: Sequence[GraphPath]) -> str:
    """The map of the regions the paths link, as a data URI ('' when there is none to draw)."""
    geo_dir = settings.data_dir / GEO_DIR
    try:
        regions, links = routes_map(geo_dir, paths)
        if not regions:
            return ""
        png = region_map_png(geo_dir, regions, links, level2_categories(reader))
    except SourceFormatError:
        return ""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _query(request: Request, **changes: Any) -> str:
    """The current query string with some parameters replaced (None drops one)."""
    params = dict(request.query_params)
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = str(value)
    return urlencode(params)


def _form(params: PathsViewParams | None) -> dict[str, Any]:
    if params is None:
        return {
            "from": "",
            "to": "less developed",
            "domain": "",
            "network": "",
            "k": 10,
            "max_hops": 4,
        }
    return {
        "from": params.start,
        "to": params.to,
        "domain": params.domain or "",
        "network": params.network or "",
        "k": params.k,
        "max_hops": params.max_hops,
    }


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request, reader: ReaderDep) -> Response:
    return templates.TemplateResponse(
        request,
        "index.html",
        {
            "form": _form(None),
            "categories": CATEGORIES,
            "domains": _domains(reader),
            "networks": PATH_NETWORKS,
        },
    )


@router.get("/explore", response_class=HTMLResponse)
def explore() -> Response:
    return RedirectResponse("/", status_code=307)


@router.get("/explore/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    reader: ReaderDep,
    q: Annotated[str, Query(max_length=200)] = "",
    label: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    kind = optional_enum(NodeLabel, "label", label)
    hits = search(reader, q, label=kind, limit=50) if q.strip() else []
    return templates.TemplateResponse(
        request,
        "search.html",
        {
            "q": q,
            "label": kind.value if kind else "",
            "labels": [lb.value for lb in FULLTEXT_LABELS],
            "hits": hits,
            "page_of": node_page,
        },
    )


@router.get("/explore/paths", response_class=HTMLResponse)
def paths_page(
    request: Request,
    driver: DriverDep,
    reader: ReaderDep,
    settings: SettingsDep,
    params: Annotated[PathsViewParams | None, Depends(paths_view_params)],
) -> Response:
    context: dict[str, Any] = {
        "form": _form(params),
        "categories": CATEGORIES,
        "domains": _domains(reader),
        "networks": PATH_NETWORKS,
        "view": None,
    }
    if params is not None:
        view = paths_view(driver, reader, settings, params)
        context.update(
            region_map=_region_map(reader, settings, view.result.paths),
            view=view,
            result=view.result,
            graph=view.graph,
            network=network_html(view.graph, node_path) if view.graph.nodes else "",
            legend=legend_for(view.graph.nodes, view.graph.edges),
            export_query=_query(request),
            choose=lambda role, key: "?" + _query(request, **{role: key}),
            page_of=node_page,
        )
    return templates.TemplateResponse(request, "paths.html", context)


@router.get("/explore/connect", response_class=HTMLResponse)
def connect_page(
    request: Request,
    driver: DriverDep,
    reader: ReaderDep,
    settings: SettingsDep,
    params: Annotated[ConnectViewParams | None, Depends(connect_view_params)],
) -> Response:
    context: dict[str, Any] = {
        "form": {"us": params.us if params else "", "x": params.x if params else ""},
        "view": None,
    }
    if params is not None:
        view = connect_view(driver, reader, settings, params)
        context.update(
            region_map=_region_map(
                reader,
                settings,
                [p for b in view.result.brokers for p in b.paths],
            ),
            view=view,
            result=view.result,
            graph=view.graph,
            network=network_html(view.graph, node_path) if view.graph.nodes else "",
            legend=legend_for(view.graph.nodes, view.graph.edges),
            export_query=_query(request),
            choose=lambda role, key: "?" + _query(request, **{role: key}),
            page_of=node_page,
        )
    return templates.TemplateResponse(request, "connect.html", context)


@router.get("/explore/node/{label}/{key:path}", response_class=HTMLResponse)
def node_page_view(
    request: Request,
    reader: ReaderDep,
    label: Annotated[NodeLabel, Path()],
    key: Annotated[str, Path(max_length=300)],
    params: Annotated[NodeViewParams, Depends(node_view_params)],
    members_page: Annotated[
        int, Query(ge=1, le=10_000, description="Region pages: which page of members.")
    ] = 1,
) -> Response:
    hood, graph = node_view(reader, label, key, params)
    members: dict[str, Page[RankedLink]] = {}
    if label is NodeLabel.REGION:
        offset = (members_page - 1) * REGION_MEMBERS_PER_PAGE
        members = {
            kind: region_members(reader, key, kind, REGION_MEMBERS_PER_PAGE, offset)
            for kind in REGION_MEMBER_KINDS
        }
    centre = hood.centre
    links: dict[str, list[str]] = {}
    for edge in hood.edges:
        if edge.source == centre.id:
            links.setdefault(edge.target, []).append(edge.type)
        elif edge.target == centre.id:
            links.setdefault(edge.source, []).append(edge.type)
    return templates.TemplateResponse(
        request,
        "node.html",
        {
            "hood": hood,
            "centre": centre,
            "graph": graph,
            "params": params,
            "neighbours": [n for n in hood.nodes if n.id != centre.id],
            "key_field": NODE_KEYS[label],
            "links": links,
            "network": network_html(graph, node_path),
            "legend": legend_for(graph.nodes, graph.edges),
            "labels": sorted({f.label for f in hood.facets}),
            "rel_types": sorted({f.type for f in hood.facets}),
            "all_labels": [lb.value for lb in NodeLabel],
            "all_rel_types": [rt.value for rt in RelType],
            "limits": sorted({*NEIGHBOUR_LIMITS, params.limit}),
            "export_query": _query(request),
            "page_of": node_page,
            "members": members,
            "members_page": members_page,
            "members_per_page": REGION_MEMBERS_PER_PAGE,
            "members_url": lambda n: "?" + _query(request, members_page=n),
        },
    )
