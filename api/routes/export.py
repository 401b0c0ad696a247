"""Exports of the explorer's current view: the same parameters as the page, plus ``format``:
standalone HTML, GraphML or GEXF (Gephi, yEd), or CSV of the nodes or of the edges."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from api.deps import DriverDep, ReaderDep, SettingsDep
from api.viewspecs import (
    ConnectViewParams,
    NodeViewParams,
    PathsViewParams,
    connect_view,
    connect_view_params,
    node_page,
    node_view,
    node_view_params,
    paths_view,
    paths_view_params,
)
from graph.errors import BadInput
from graph.schema import NodeLabel
from queries.models import GraphNode
from views.exports import MEDIA_TYPES, ExportFormat, export, filename
from views.render import NodeUrl
from views.subgraph import Subgraph

router = APIRouter(prefix="/export", tags=["exports"])

FormatParam = Annotated[
    ExportFormat, Query(alias="format", description="html, graphml, gexf, nodes.csv, edges.csv")
]

FILE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The view as a file.",
        "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()},
    }
}


def _absolute_links(request: Request) -> NodeUrl:
    """Node links in files point at this service, so a saved file still links back."""
    base = str(request.base_url).rstrip("/")

    def url(node: GraphNode) -> str:
        return base + node_page(node.label, node.key)

    return url


def _file(request: Request, view: Subgraph, fmt: ExportFormat, stem: str) -> Response:
    body = export(view, fmt, _absolute_links(request))
    return Response(
        content=body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename(stem, fmt)}"'},
    )


@router.get(
    "/node/{label}/{key:path}",
    response_class=Response,
    responses=FILE_RESPONSES,
    summary="A node's neighbourhood as a file",
)
def export_node(
    request: Request,
    reader: ReaderDep,
    fmt: FormatParam,
    label: Annotated[NodeLabel, Path()],
    key: Annotated[str, Path(max_length=300)],
    params: Annotated[NodeViewParams, Depends(node_view_params)],
) -> Response:
    _, view = node_view(reader, label, key, params)
    return _file(request, view, fmt, f"{label.value}-{key}")


@router.get(
    "/paths",
    response_class=Response,
    responses=FILE_RESPONSES,
    summary="A paths result as a file",
)
def export_paths(
    request: Request,
    driver: DriverDep,
    reader: ReaderDep,
    settings: SettingsDep,
    fmt: FormatParam,
    params: Annotated[PathsViewParams | None, Depends(paths_view_params)],
) -> Response:
    if params is None:
        raise BadInput("from: say where the paths start")
    view = paths_view(driver, reader, settings, params)
    return _file(request, view.graph, fmt, f"paths-{params.start}")


@router.get(
    "/connect",
    response_class=Response,
    responses=FILE_RESPONSES,
    summary="A 'who can connect us to X' result as a file",
)
def export_connect(
    request: Request,
    driver: DriverDep,
    reader: ReaderDep,
    settings: SettingsDep,
    fmt: FormatParam,
    params: Annotated[ConnectViewParams | None, Depends(connect_view_params)],
) -> Response:
    if params is None:
        raise BadInput("us, x: say who 'us' is and what X is")
    view = connect_view(driver, reader, settings, params)
    return _file(request, view.graph, fmt, f"connect-{params.us}-{params.x}")
