"""The workshop's network files, written through the explorer's exports: a standalone
interactive page per network (vis-network embedded, offline) and its GraphML, GEXF and node and
edge CSVs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from queries.models import GraphNode
from views.exports import ExportFormat, export
from views.subgraph import Subgraph


@dataclass(frozen=True)
class ViewFiles:
    html: Path
    graphml: Path
    gexf: Path
    nodes_csv: Path
    edges_csv: Path

    def all(self) -> list[Path]:
        return [self.html, self.graphml, self.gexf, self.nodes_csv, self.edges_csv]


def no_link(_: GraphNode) -> str:
    """The pack is read without the explorer running: nodes link nowhere."""
    return ""


def write_view(view: Subgraph, views_dir: Path, exports_dir: Path, stem: str) -> ViewFiles:
    views_dir.mkdir(parents=True, exist_ok=True)
    exports_dir.mkdir(parents=True, exist_ok=True)
    files = ViewFiles(
        html=views_dir / f"{stem}.html",
        graphml=exports_dir / f"{stem}.graphml",
        gexf=exports_dir / f"{stem}.gexf",
        nodes_csv=exports_dir / f"{stem}-nodes.csv",
        edges_csv=exports_dir / f"{stem}-edges.csv",
    )
    for path, fmt in (
        (files.html, ExportFormat.HTML),
        (files.graphml, ExportFormat.GRAPHML),
        (files.gexf, ExportFormat.GEXF),
        (files.nodes_csv, ExportFormat.NODES_CSV),
        (files.edges_csv, ExportFormat.EDGES_CSV),
    ):
        path.write_bytes(export(view, fmt, no_link))
    return files
