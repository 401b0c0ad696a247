"""The HTTP API and the explorer pages against the real Neo4j (FastAPI's test client), on the
small hand-built graph of tests/api_graph.py: look-ups, filters, pagination, bad input (422),
unknown things (404), Neo4j down (503) and back, exports, and the view of a query's paths."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from pydantic import SecretStr

from api.app import create_app
from graph.local import LocalNeo4j
from graph.meta import bump_graph_version
from graph.settings import Settings
from graph.writer import Node
from queries.models import Path, PathNode, PathRel, ScoreParts, ThematicFit
from queries.runner import Reader
from tests import api_graph
from tests.conftest import CLEAR_GRAPH, free_port
from views.subgraph import edge_network, filter_paths, from_paths

CDN_REFERENCE = re.compile(
    r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I
)


@pytest.fixture(scope="module")
def api_db(driver: Driver, settings: Settings) -> Iterator[Driver]:
    """The small graph for this module; the database is left empty afterwards."""
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()
    api_graph.build(driver, settings.neo4j_database)
    yield driver
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()


@pytest.fixture(scope="module")
def client(api_db: Driver, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def reader(api_db: Driver, settings: Settings) -> Reader:
    return Reader(api_db, settings.neo4j_database, settings.query_timeout)


def _keys(page: dict[str, Any], field: str) -> list[str]:
    return [item[field] for item in page["items"]]


def _fixture_nodes() -> list[Node]:
    return [r for r in api_graph.records() if isinstance(r, Node)]


# -- service ----------------------------------------------------------------------------------


def test_health_reports_the_graph(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["nodes"] == len(_fixture_nodes())


def test_stats_counts_every_node_by_label_and_source(client: TestClient) -> None:
    body = client.get("/stats").json()
    per_label: dict[str, int] = {}
    for row in body["nodes"]:
        per_label[row["name"]] = per_label.get(row["name"], 0) + row["count"]
    expected: dict[str, int] = {}
    for node in _fixture_nodes():
        expected[node.label.value] = expected.get(node.label.value, 0) + 1
    assert per_label == expected
    assert body["organisations"] == expected["Organisation"]


def test_openapi_lists_every_resource_and_docs_work_offline(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/health",
        "/stats",
        "/regions",
        "/regions/{nuts_id}",
        "/organisations",
        "/hubs",
        "/clusters",
        "/domains",
        "/search",
        "/paths",
        "/connect",
        "/brokers",
        "/overlap",
        "/consortium",
    ):
        assert path in paths, path
    assert "/" not in paths  # explorer pages are HTML, not API
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert not CDN_REFERENCE.search(docs.text)
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


# -- regions ----------------------------------------------------------------------------------


def test_regions_by_country_accepts_iso_eu_code_and_name(client: TestClient) -> None:
    greek_nuts2 = sorted(
        n.key
        for n in _fixture_nodes()
        if n.label.value == "Region" and n.props["country_code"] == "EL" and n.props["level"] == 2
    )
    for country in ("GR", "EL", "gr", "Greece"):
        page = client.get("/regions", params={"country": country, "level": 2}).json()
        assert sorted(_keys(page, "nuts_id")) == greek_nuts2, country
        assert page["total"] == len(greek_nuts2)


def test_nuts3_inherit_their_nuts2_category(client: TestClient) -> None:
    page = client.get("/regions", params={"category": "less developed"}).json()
    assert set(_keys(page, "nuts_id")) == {"EL43", "EL431"}
    irakleio = client.get("/regions/EL431").json()
    assert irakleio["category"] == "less developed"
    assert irakleio["parent"] == "EL43"
    trondelag = client.get("/regions/NO06").json()
    assert trondelag["category"] is None
    assert trondelag["category_status"] == "outside EU cohesion policy"


def test_region_detail_counts_what_is_located_below_it(client: TestClient) -> None:
    body = client.get("/regions/dk05").json()
    assert body["nuts_id"] == "DK05"
    assert [c["key"] for c in body["children"]] == ["DK050"]
    assert [d["key"] for d in body["domains"]] == ["tourism"]
    # the business link in DK05, the university and the firms in DK050
    assert body["organisations"] == 2 + api_graph.MANY_FIRMS
    assert body["clusters"] == 1
    assert body["sources"] == ["regions"]
    assert body["loaded_at"]


def test_region_members_busiest_first_and_paged(client: TestClient) -> None:
    orgs = client.get("/regions/DK05/members", params={"limit": 5}).json()
    assert orgs["total"] == 2 + api_graph.MANY_FIRMS
    assert len(orgs["items"]) == 5
    ties = [m["ties"] for m in orgs["items"]]
    assert ties == sorted(ties, reverse=True)
    assert orgs["items"][0]["key"] == api_graph.AAU  # the one with a project and a region
    rest = client.get("/regions/DK05/members", params={"limit": 100, "offset": 5}).json()
    keys = [m["key"] for m in orgs["items"] + rest["items"]]
    assert len(keys) == len(set(keys)) == orgs["total"]
    projects = client.get("/regions/EL43/members", params={"kind": "projects"}).json()
    assert [(p["key"], p["ties"]) for p in projects["items"]] == [(api_graph.PROJECT, 1)]
    hubs = client.get("/regions/EL43/members", params={"kind": "hubs"}).json()
    assert [h["key"] for h in hubs["items"]] == [api_graph.HUB]
    assert client.get("/regions/DK05/members", params={"kind": "cats"}).status_code == 422
    assert client.get("/regions/XX99/members").status_code == 404
    page = client.get("/explore/node/Region/DK05").text
    assert 'id="members"' in page and "Aalborg Universitet" in page
    second = client.get("/explore/node/Region/DK05", params={"members_page": 2}).text
    assert 'id="members-previous"' in second


def test_pagination_walks_the_whole_list_once(client: TestClient) -> None:
    first = client.get("/regions", params={"limit": 5}).json()
    total = first["total"]
    seen: list[str] = []
    for offset in range(0, total, 5):
        page = client.get("/regions", params={"limit": 5, "offset": offset}).json()
        assert page["total"] == total
        seen += _keys(page, "nuts_id")
    assert len(seen) == total == len(set(seen))
    assert client.get("/regions", params={"offset": total}).json()["items"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"level": 9},
        {"level": "two"},
        {"limit": 0},
        {"limit": 1000},
        {"offset": -1},
        {"category": "rich"},
        {"country": "Atlantis"},
        {"q": "x" * 500},
    ],
)
def test_bad_filters_are_422_with_a_message(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get("/regions", params=params)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert next(iter(params)) in detail


def test_unknown_region_is_404_with_close_matches(client: TestClient) -> None:
    response = client.get("/regions/DK06")
    assert response.status_code == 404
    body = response.json()
    assert "DK06" in body["detail"]
    assert any(s.startswith("DK05") for s in body["suggestions"])
    assert client.get("/regions/not-a-code!").status_code == 422


# -- organisations, hubs, clusters, domains, search -------------------------------------------


def test_organisation_search_is_accent_and_case_insensitive(client: TestClient) -> None:
    page = client.get("/organisations", params={"q": "HELLENIC mediterranéan"}).json()
    assert _keys(page, "uid") == [api_graph.HMU]
    item = page["items"][0]
    assert item["region"] == "EL431"
    assert item["category"] == "less developed"


def test_organisation_filters_by_country_and_region(client: TestClient) -> None:
    greek = client.get("/organisations", params={"country": "GR"}).json()
    assert set(_keys(greek, "uid")) == {api_graph.HMU, api_graph.KRITI_SME}
    in_el4 = client.get("/organisations", params={"region": "EL4"}).json()
    assert set(_keys(in_el4, "uid")) == {api_graph.HMU, api_graph.KRITI_SME}
    firms = client.get("/organisations", params={"q": "firm", "limit": 7}).json()
    assert firms["total"] == api_graph.MANY_FIRMS
    assert len(firms["items"]) == 7


@pytest.mark.parametrize("q", ['"', "AND OR NOT", "a:b (c] {d}", "univ*~^2", "/ \\", "of the"])
def test_lucene_syntax_in_a_search_is_harmless(client: TestClient, q: str) -> None:
    response = client.get("/organisations", params={"q": q})
    assert response.status_code == 200, response.text
    assert client.get("/search", params={"q": q}).status_code == 200


def test_organisation_detail_has_provenance_and_ties(client: TestClient) -> None:
    body = client.get(f"/organisations/{api_graph.AAU}").json()
    assert body["sources"] == ["cordis"]
    assert body["loaded_at"]
    assert body["source_ids"] == [f"cordis:{api_graph.AAU}"]
    assert body["projects"] == 1
    assert [c["key"] for c in body["consortia"]] == [api_graph.CONSORTIUM]
    missing = client.get("/organisations/org:pic:1")
    assert missing.status_code == 404
    assert "org:pic:1" in missing.json()["detail"]


def test_hubs_clusters_and_domains(client: TestClient) -> None:
    hubs = client.get("/hubs", params={"country": "GR"}).json()
    assert _keys(hubs, "uid") == [api_graph.HUB]
    assert hubs["items"][0]["country_code"] == "EL"
    assert client.get("/hubs", params={"country": "DK"}).json()["total"] == 0
    hub = client.get(f"/hubs/{api_graph.HUB}").json()
    assert {p["key"] for p in hub["partners"]} == {api_graph.HMU, api_graph.KRITI_SME}
    assert hub["networks"] == ["EDIH"]
    cluster = client.get(f"/clusters/{api_graph.CLUSTER}").json()
    assert cluster["properties"] == {"members": 42}
    assert [p["key"] for p in cluster["partnerships"]] == [api_graph.PARTNERSHIP]
    assert client.get("/clusters", params={"domain": "digital"}).json()["total"] == 0
    themes = client.get("/domains", params={"kind": "theme"}).json()
    assert _keys(themes, "code") == ["green-hydrogen"]
    assert themes["items"][0]["parents"] == ["energy-renewables"]
    tourism = client.get("/domains/Tourism").json()
    assert (tourism["regions"], tourism["projects"], tourism["clusters"]) == (2, 1, 1)
    assert client.get("/domains/tourismus").status_code == 404
    assert client.get("/hubs/edih:0").status_code == 404
    assert client.get("/clusters/eccp:none").status_code == 404


def test_search_folds_accents_and_filters_by_label(client: TestClient) -> None:
    hits = client.get("/search", params={"q": "trondelag"}).json()
    assert [(h["label"], h["key"]) for h in hits] == [("Region", "NO06")]
    typed_with_accent = client.get("/search", params={"q": "Trønd"}).json()  # a prefix: ø -> o
    assert [(h["label"], h["key"]) for h in typed_with_accent] == [("Region", "NO06")]
    kriti = client.get("/search", params={"q": "kriti", "label": "Region"}).json()
    assert {h["key"] for h in kriti} == {"EL43", "EL4"}
    assert all(h["label"] == "Region" for h in kriti)
    assert client.get("/search", params={"q": ""}).status_code == 422
    assert client.get("/search", params={"q": "x", "label": "Planet"}).status_code == 422


# -- errors -----------------------------------------------------------------------------------


def test_unexpected_errors_are_a_short_json_500(settings: Settings, api_db: Driver) -> None:
    app = create_app(settings)

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert "RuntimeError" in body["detail"]
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def _settings_at(settings: Settings, port: int) -> Settings:
    """The test database's credentials, but at another port."""
    password = (
        LocalNeo4j(settings).password()
        if settings.uses_local_server
        else (settings.neo4j_password.get_secret_value() if settings.neo4j_password else "")
    )
    return settings.model_copy(
        update={
            "neo4j_uri": f"bolt://127.0.0.1:{port}",
            "neo4j_password": SecretStr(password),
            "neo4j_user": "neo4j" if settings.uses_local_server else settings.neo4j_user,
        }
    )


def test_neo4j_unreachable_is_503_for_api_and_pages(settings: Settings) -> None:
    app = create_app(_settings_at(settings, free_port()))
    with TestClient(app) as test_client:
        for url in ("/health", "/regions", "/regions/DK05", "/stats"):
            response = test_client.get(url)
            assert response.status_code == 503, url
            assert "not reachable" in response.json()["detail"]
        page = test_client.get("/")
        assert page.status_code == 503
        assert "text/html" in page.headers["content-type"]
        assert "not reachable" in page.text


class _Forwarder:
    """A TCP forwarder that can be started and stopped: Neo4j 'going away and coming back'
    as seen from the service, without touching the shared test server."""

    def __init__(self, port: int, target: int) -> None:
        self.port = port
        self.target = target
        self._server: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self._server is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._sockets.clear()


def _wait_for(test_client: TestClient, status: int, seconds: float = 20.0) -> int:
    deadline = time.monotonic() + seconds
    code = 0
    while time.monotonic() < deadline:
        code = test_client.get("/health").status_code
        if code == status:
            return code
        time.sleep(0.3)
    return code


def test_service_recovers_by_itself_when_neo4j_comes_back(
    settings: Settings, api_db: Driver
) -> None:
    target = int(api_db.get_server_info().address[1])
    forwarder = _Forwarder(free_port(), target)
    app = create_app(_settings_at(settings, forwarder.port))
    with TestClient(app) as test_client:
        # down at start-up: 503, the service still runs
        assert test_client.get("/health").status_code == 503
        forwarder.start()
        try:
            assert _wait_for(test_client, 200) == 200
            assert test_client.get("/regions/DK05").json()["nuts_id"] == "DK05"
            # goes away while the service runs: 503, not a 500 or a hang
            forwarder.stop()
            assert _wait_for(test_client, 503) == 503
            # and comes back
            forwarder.start()
            assert _wait_for(test_client, 200) == 200
        finally:
            forwarder.stop()


# -- explorer pages ---------------------------------------------------------------------------


def test_start_page_has_the_form_and_no_cdn(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    for field in ('name="from"', 'name="to"', 'name="domain"', 'name="network"'):
        assert field in page.text
    assert "Tourism" in page.text  # domains come from the graph
    assert not CDN_REFERENCE.search(page.text)


def test_node_page_caps_large_neighbourhoods_and_narrows_down(client: TestClient) -> None:
    page = client.get("/explore/node/Region/DK050", params={"limit": 10})
    assert page.status_code == 200
    # DK050: its parent DK05, the university, the 30 firms
    total = 2 + api_graph.MANY_FIRMS
    assert f"showing 10 of {total} neighbours" in page.text
    assert "vis.Network" in page.text
    assert not CDN_REFERENCE.search(page.text)
    assert "more developed" in page.text  # legend and category
    narrowed = client.get(
        "/explore/node/Region/DK050", params={"type": "Organisation", "q": "firm 0"}
    )
    # "Firm 01" .. "Firm 09"
    assert f"showing all 9 neighbours ({total} before filtering)" in narrowed.text
    # the form sends empty selects for "any"
    blank = client.get("/explore/node/Region/DK050", params={"type": "", "rel": "", "q": ""})
    assert blank.status_code == 200
    wrong = client.get("/explore/node/Region/DK050", params={"rel": "LIKES"})
    assert wrong.status_code == 422
    assert "LIKES" in wrong.text
    assert client.get("/explore/search", params={"q": "kriti", "label": ""}).status_code == 200


def test_node_page_links_every_neighbour(client: TestClient) -> None:
    page = client.get(f"/explore/node/Organisation/{api_graph.HMU}").text
    for label, key in (
        ("Project", api_graph.PROJECT),
        ("Hub", api_graph.HUB),
        ("Region", "EL431"),
    ):
        assert f"/explore/node/{label}/{key.replace(':', '%3A')}" in page


def test_unknown_node_page_is_an_html_404(client: TestClient) -> None:
    page = client.get("/explore/node/Region/DK06")
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    assert "DK05" in page.text  # suggestion
    assert client.get("/explore/node/Planet/X").status_code == 422
    assert client.get("/explore/node/GraphMeta/graph").status_code == 422
    assert client.get("/explore/node/Region/DK05", params={"limit": 0}).status_code == 422


# -- exports ----------------------------------------------------------------------------------


def test_exports_of_a_node_view(client: TestClient, tmp_path: Any) -> None:
    url = "/export/node/Region/DK050"
    params = {"limit": 5}
    graphml = client.get(url, params={**params, "format": "graphml"})
    assert graphml.status_code == 200
    assert "attachment" in graphml.headers["content-disposition"]
    path = tmp_path / "view.graphml"
    path.write_bytes(graphml.content)
    graph = nx.read_graphml(path)
    assert graph.number_of_nodes() == 6  # the centre and five neighbours
    assert graph.nodes["Region:DK050"]["category"] == "more developed"
    assert graph.nodes["Region:DK050"]["sources"] == "regions"

    gexf_path = tmp_path / "view.gexf"
    gexf_path.write_bytes(client.get(url, params={**params, "format": "gexf"}).content)
    assert nx.read_gexf(gexf_path).number_of_nodes() == 6

    nodes = list(
        csv.DictReader(io.StringIO(client.get(url, params={**params, "format": "nodes.csv"}).text))
    )
    edges = list(
        csv.DictReader(io.StringIO(client.get(url, params={**params, "format": "edges.csv"}).text))
    )
    assert len(nodes) == 6
    assert {e["type"] for e in edges} <= {"LOCATED_IN", "PART_OF"}
    assert all(e["network"] == "geography" for e in edges)
    assert all(e["sources"] and e["loaded_at"] for e in edges)

    html = client.get(url, params={**params, "format": "html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "vis.Network" in html.text
    assert not CDN_REFERENCE.search(html.text)
    assert client.get(url, params={"format": "pdf"}).status_code == 422


# -- the view of a query's paths (independent of how the paths were found) --------------------


def _path(*steps: tuple[str, str, str], rels: list[tuple[str, bool]]) -> Path:
    nodes = [PathNode(label=label, key=key, name=name) for label, key, name in steps]
    return Path(
        nodes=nodes,
        relationships=[
            PathRel(type=t, start=i, end=i + 1, forward=fwd) for i, (t, fwd) in enumerate(rels)
        ],
        hops=len(rels),
        start_region=None,
        end_region=None,
        score=1.0,
        score_parts=ScoreParts(ties=[], length_factor=1.0, fit=ThematicFit(basis="none")),
        explanation="",
    )


def test_paths_are_drawn_with_categories_provenance_and_stored_directions(
    reader: Reader,
) -> None:
    project = _path(
        ("Organisation", api_graph.AAU, "AAU"),
        ("Project", api_graph.PROJECT, "TOURLINK"),
        ("Organisation", api_graph.HMU, "HMU"),
        rels=[("PARTICIPATED_IN", True), ("PARTICIPATED_IN", False)],
    )
    hub = _path(
        ("Organisation", api_graph.HMU, "HMU"),
        ("Hub", api_graph.HUB, "CDH"),
        ("Organisation", api_graph.KRITI_SME, "SME"),
        rels=[("PARTNER_IN", True), ("PARTNER_IN", False)],
    )
    view = from_paths(reader, "test", [project, hub])
    by_id = {n.id: n for n in view.nodes}
    assert len(by_id) == 5  # HMU once
    aau = by_id[f"Organisation:{api_graph.AAU}"]
    assert aau.category == "more developed"
    assert aau.name == "Aalborg Universitet"  # read from the graph, not the path's label
    assert aau.sources == ["cordis"] and aau.loaded_at is not None
    assert by_id[f"Organisation:{api_graph.HMU}"].category == "less developed"
    edges = {(e.source, e.target, e.type): e for e in view.edges}
    stored = (f"Organisation:{api_graph.HMU}", f"Project:{api_graph.PROJECT}", "PARTICIPATED_IN")
    assert stored in edges  # drawn in its stored direction although walked backwards
    assert edges[stored].properties["role"] == "participant"
    assert edges[stored].sources == ["cordis"]
    assert view.highlight == {
        f"Organisation:{api_graph.AAU}",
        f"Organisation:{api_graph.HMU}",
        f"Organisation:{api_graph.KRITI_SME}",
    }
    assert filter_paths([project, hub], "EDIH") == [hub]
    assert filter_paths([project, hub], "Horizon 2020") == [project]
    assert filter_paths([project, hub], None) == [project, hub]


def test_edge_networks() -> None:
    assert edge_network("RUNS", "Organisation:x", "Hub:y") == "EDIH"
    assert edge_network("RUNS", "Organisation:x", "Cluster:y") == "ECCP"
    assert edge_network("IN_NETWORK", "Consortium:x", "Network:EEN") == "EEN"
    assert edge_network("LOCATED_IN", "Hub:x", "Region:EL43") == "geography"
    assert edge_network("OFFERS", "Hub:x", "Domain:digital") == "S3 and domains"


# -- the partnership queries over HTTP --------------------------------------------------------


def test_paths_endpoint_reaches_the_category_asked_for(client: TestClient) -> None:
    response = client.get("/paths", params={"from": "DK05", "to_category": "less developed"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["start"]["key"] == "DK05"
    assert body["paths"], body["explanation"]
    for path in body["paths"]:
        assert path["end_region"]["category"] == "less developed"
        assert path["explanation"]
    assert client.get("/paths", params={"from": "DK05", "k": 0}).status_code == 422
    assert client.get("/paths", params={"from": "DK05", "max_hops": 99}).status_code == 422
    assert client.get("/paths", params={"from": "DK05", "to_category": "rich"}).status_code == 422
    assert client.get("/paths").status_code == 422  # 'from' is required
    unknown = client.get("/paths", params={"from": "Atlantis"})
    assert unknown.status_code == 404
    assert "Atlantis" in unknown.json()["detail"]


def test_a_repeated_question_gets_the_answer_sent_before_until_the_graph_changes(
    api_db: Driver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within the version-check interval a repeated question is answered from memory without
    asking Neo4j anything; once a load has bumped the version (and the interval has passed) the
    answer is computed again."""
    bump_graph_version(api_db, settings.neo4j_database, "test")  # a graph that has a version
    trusting = settings.model_copy(update={"version_check_seconds": 60.0})
    question = {"us": "DK05", "x": "EL43", "kind": "region"}
    with TestClient(create_app(trusting, start_local=False)) as client:
        first = client.get("/connect", params=question)
        assert first.status_code == 200, first.text
        asked: list[str] = []
        original = Reader.rows

        def counting(self: Reader, statement: Any, /, **params: Any) -> Any:
            asked.append(statement)
            return original(self, statement, **params)

        monkeypatch.setattr(Reader, "rows", counting)
        again = client.get("/connect", params=question)
        assert again.content == first.content
        assert asked == []  # no version check, no search
    bump_graph_version(api_db, settings.neo4j_database, "test")
    with TestClient(create_app(settings, start_local=False)) as client:  # checks every request
        fresh = client.get("/connect", params=question)
        assert fresh.status_code == 200
        assert asked  # the new version was read and the answer computed again
        assert fresh.json()["routes_found"] == first.json()["routes_found"]


def test_connect_endpoint_names_brokers(client: TestClient) -> None:
    body = client.get("/connect", params={"us": "DK05", "x": "tourism"}).json()
    assert body["status"] == "ok"
    assert body["x"]["kind"] == "domain"
    assert body["brokers"], body["explanation"]
    assert all(b["paths"] and b["explanation"] for b in body["brokers"])
    assert client.get("/connect", params={"us": "DK05"}).status_code == 422


def test_overlap_takes_repeated_or_comma_separated_regions(client: TestClient) -> None:
    repeated = client.get("/overlap", params=[("regions", "DK05"), ("regions", "EL43")])
    comma = client.get("/overlap", params={"regions": "DK05,EL43"})
    assert repeated.status_code == comma.status_code == 200, comma.text
    assert repeated.json() == comma.json()
    cells = comma.json()["cells"]
    assert any("tourism" in cell["shared"] for cell in cells)  # both have a tourism priority
    assert client.get("/overlap", params={"regions": "DK05"}).status_code == 422


def test_calls_and_consortium_answer(client: TestClient) -> None:
    calls = client.get("/calls").json()
    assert calls, "the call rules files are missing"
    response = client.get(
        "/consortium", params={"call": calls[0], "domain": "tourism", "seed": api_graph.AAU}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["call"]["id"] == calls[0]
    assert body["feasible"] is bool(body["proposals"])
    assert (
        client.get(
            "/consortium",
            params={"call": "no-such-call", "domain": "tourism", "seed": api_graph.AAU},
        ).status_code
        == 404
    )
    assert client.get("/brokers", params={"top": 5}).status_code == 200


def test_explorer_query_pages(client: TestClient) -> None:
    page = client.get("/explore/paths", params={"from": "DK05", "to": "less developed"})
    assert page.status_code == 200
    assert "vis.Network" in page.text and 'id="paths-table"' in page.text
    assert not CDN_REFERENCE.search(page.text)
    # the map of the regions linked, drawn from the snapshot's boundaries
    drawn = re.search(r'id="region-map">\s*<img src="data:image/png;base64,([^"]+)"', page.text)
    assert drawn is not None
    assert base64.b64decode(drawn.group(1))[:8] == b"\x89PNG\r\n\x1a\n"
    only_edih = client.get(
        "/explore/paths", params={"from": "DK05", "to": "less developed", "network": "EDIH"}
    )
    assert "run through EDIH" in only_edih.text
    assert (
        client.get("/explore/paths", params={"from": "DK05", "network": "Mars"}).status_code == 422
    )
    connect_page = client.get("/explore/connect", params={"us": "DK05", "x": "tourism"})
    assert connect_page.status_code == 200
    assert 'id="brokers-table"' in connect_page.text
    assert 'id="region-map"' in connect_page.text
    csv_text = client.get(
        "/export/paths", params={"from": "DK05", "to": "less developed", "format": "nodes.csv"}
    ).text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert {r["id"] for r in rows} >= {
        f"Organisation:{api_graph.AAU}",
        f"Organisation:{api_graph.HMU}",
    }
    assert client.get("/export/paths", params={"format": "gexf"}).status_code == 422
