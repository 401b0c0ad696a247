"""The visual explorer in a real browser: headless Chromium (Debian's ``chromium`` package)
driven by Playwright, against the service run by uvicorn on a free loopback port and the real
Neo4j holding the small graph of tests/api_graph.py.

Every request the page makes outside the service is refused and recorded, so the tests also
prove the pages work with no internet. Screenshots go to test-output/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from playwright.sync_api import Browser, Page, Route, sync_playwright

from graph.settings import PROJECT_ROOT, Settings
from tests import api_graph
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, CLEAR_GRAPH, running_service

OUTPUT = PROJECT_ROOT / "test-output"
HMU_ID = f"Organisation:{api_graph.HMU}"
AAU_ID = f"Organisation:{api_graph.AAU}"


@pytest.fixture(scope="module")
def base_url(driver: Driver, settings: Settings) -> Iterator[str]:
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()
    api_graph.build(driver, settings.neo4j_database)
    with running_service(settings) as base:
        yield base
    with driver.session(database=settings.neo4j_database) as session:
        session.run(CLEAR_GRAPH).consume()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "install Debian's chromium (make test does)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh page that may reach the service only; anything else is refused and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []

    def only_the_service(route: Route) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_service)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield new_page
    context.close()
    assert outside == [], f"the page tried to load from outside: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def _drawn_ids(page: Page) -> list[str]:
    """The ids in the page's vis DataSet, once the network has laid itself out."""
    page.wait_for_function(
        "() => window.s3graphView && window.s3graphView.nodes.length > 0", timeout=30_000
    )
    page.wait_for_function(
        "() => document.getElementById('mynetwork').dataset.stabilized === 'true'",
        timeout=60_000,
    )
    ids: list[str] = page.evaluate("() => window.s3graphView.nodes.getIds()")
    return ids


def _painted_pixels(page: Page) -> int:
    """Non-blank pixels of the network canvas: nodes and edges really were drawn."""
    count: int = page.evaluate(
        """() => {
          const canvas = document.querySelector('#mynetwork canvas');
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted++; }
          return painted;
        }"""
    )
    return count


def _screen_point(page: Page, node: str) -> dict[str, float]:
    point: dict[str, Any] = page.evaluate(
        """(id) => {
          const net = window.s3graphView.network;
          const dom = net.canvasToDOM(net.getPosition(id));
          const box = document.getElementById('mynetwork').getBoundingClientRect();
          return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        node,
    )
    return {"x": float(point["x"]), "y": float(point["y"])}


def test_query_from_the_start_page_draws_paths_and_opens_a_node(page: Page, base_url: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    page.goto(base_url + "/")
    page.fill("input[name=from]", "DK05")
    page.fill("input[name=to]", "less developed")
    page.click("#paths-form button[type=submit]")
    page.wait_for_url("**/explore/paths?**")

    ids = _drawn_ids(page)
    # Aalborg (DK050) reaches the Cretan university (EL431) through their shared project
    assert AAU_ID in ids and HMU_ID in ids
    assert f"Project:{api_graph.PROJECT}" in ids
    assert _painted_pixels(page) > 1000
    assert page.locator("#paths-table tr").count() >= 2  # header and at least one path
    assert page.locator("#legend").inner_text().count("less developed") == 1
    page.screenshot(path=str(OUTPUT / "explorer-paths.png"), full_page=True)

    # hovering a node shows its details and provenance
    point = _screen_point(page, HMU_ID)
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    text = tooltip.inner_text()
    assert "Hellenic Mediterranean University" in text
    assert "less developed" in text
    assert "sources: cordis" in text

    # clicking it opens its own page
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url("**/explore/node/Organisation/**")
    assert "Hellenic Mediterranean University" in page.locator("#node-title").inner_text()
    node_ids = _drawn_ids(page)
    assert HMU_ID in node_ids
    assert f"Hub:{api_graph.HUB}" in node_ids
    assert _painted_pixels(page) > 1000
    page.screenshot(path=str(OUTPUT / "explorer-node.png"), full_page=True)


def test_large_neighbourhood_is_capped_and_can_be_narrowed(page: Page, base_url: str) -> None:
    total = 2 + api_graph.MANY_FIRMS  # DK050: its parent, the university and the firms
    page.goto(base_url + "/explore/node/Region/DK050?limit=10")
    assert len(_drawn_ids(page)) == 11
    assert page.locator("#showing").inner_text() == f"showing 10 of {total} neighbours"

    page.select_option("select[name=type]", "Organisation")
    page.fill("input[name=q]", "firm 0")
    page.click("#narrow-form button[type=submit]")
    page.wait_for_url("**q=firm**")
    ids = _drawn_ids(page)
    assert len(ids) == 10  # the region and "Firm 01" .. "Firm 09"
    assert all(i == "Region:DK050" or i.startswith("Organisation:org:test:firm-0") for i in ids)
    assert "9 neighbours" in page.locator("#showing").inner_text()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "explorer-narrowed.png"), full_page=True)


def test_unknown_region_page_says_what_to_type(page: Page, base_url: str) -> None:
    response = page.goto(base_url + "/explore/node/Region/DK06")
    assert response is not None and response.status == 404
    assert "DK05" in page.locator("#error").inner_text()


def test_api_docs_render_offline(page: Page, base_url: str) -> None:
    page.goto(base_url + "/docs")
    title = page.locator(".swagger-ui .info .title")
    title.wait_for(timeout=30_000)
    assert "s3graph" in title.inner_text()
    assert page.locator(".opblock-summary-path", has_text="/regions").count() >= 1
