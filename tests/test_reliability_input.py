"""Bad input: every loader's parsing and validation under generated hostile files.

Random and truncated rows, Latin-1 vs UTF-8 (and a mix line by line), a BOM, ``;`` vs ``,``,
missing and extra columns, duplicate ids, codes that do not exist, control characters and very
long names. The properties: every row generated is read; each bad row becomes a reject that
names its line and a reason; good rows load intact; rows read = loaded + rejected. Wholly wrong
files (an HTML error page, an empty file, another schema) stop the loader with one
``SourceFormatError`` and leave the graph as it was.

Most cases run the loaders' record generation only (no database writes); a few load end to end.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, currently_in_test_context, given, note, settings
from hypothesis import strategies as st
from neo4j import Driver

from graph.errors import SourceFormatError
from graph.schema import NodeLabel, RelType
from graph.settings import Settings
from graph.writer import Node, Record, Rel
from loaders.base import LoadContext, LoadReport
from loaders.pipeline import run_loader
from loaders.registry import LOADER_NAMES, entry, get_loader
from loaders.tables import ROW_PROBLEM, read_table
from tests.badinput import (
    DELIMITERS,
    ENCODINGS,
    LONG_NAME,
    MAYBE,
    Row,
    Table,
    clean,
    csv_line,
    cut_line,
    drop_trailing,
    encode_table,
    fill,
    folded,
    names,
    noisy,
    safe_for_cuts,
    shuffled_header,
)

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    if currently_in_test_context():
        note(f"{name}: {content!r}")
    path = tmp_path / name
    path.write_bytes(content)
    return path


# -- reading tables --------------------------------------------------------------------------

TABLE_HEADER = ["id", "name", "country", "note"]


@st.composite
def tables(draw: st.DrawFn) -> tuple[Table, str, str]:
    """A table of good, short, over-long and cut rows, in any separator and encoding."""
    delimiter = draw(st.sampled_from(DELIMITERS))
    encoding = draw(st.sampled_from(ENCODINGS))
    kinds = draw(
        st.lists(st.sampled_from(["good", "short", "extra", "cut", "control"]), max_size=25)
    )
    value = names() if "cut" not in kinds else names().filter(safe_for_cuts)
    table = Table(TABLE_HEADER)
    for index, kind in enumerate(kinds, start=1):
        values = [str(index), draw(value), draw(st.sampled_from(["DK", "EL", "PT"])), draw(value)]
        if kind == "short":
            keep = draw(st.integers(min_value=1, max_value=3))
            table.rows.append(Row(values[:keep]))
        elif kind == "extra":
            surplus = draw(st.lists(names(), min_size=1, max_size=3))
            table.rows.append(Row(values + surplus, bad="extra values"))
        elif kind == "cut":
            # A line break inside the cut row itself would make its tail look like a new row.
            values = [v.replace("\n", " ") for v in values]
            position = draw(st.integers(min_value=1, max_value=200))
            table.rows.append(Row(values, bad="cut", raw=cut_line(values, delimiter, position)))
        elif kind == "control":
            values[1] = noisy(values[1], draw)
            table.rows.append(Row(values))
        else:
            table.rows.append(Row(values))
    return table, delimiter, encoding


@PROPERTY
@given(generated=tables())
def test_read_table_accounts_for_every_row(
    tmp_path: Path, generated: tuple[Table, str, str]
) -> None:
    table, delimiter, encoding = generated
    path = _write(tmp_path, "t.csv", encode_table(table, delimiter, encoding))
    rows = list(read_table(path, required=["id", "name"]))

    assert [line for line, _ in rows] == [r.line for r in table.rows]
    for (_, got), row in zip(rows, table.rows, strict=True):
        if row.bad == "cut":
            # Cut inside a quote: flagged. Cut between values: a short row for the model to judge.
            if ROW_PROBLEM in got:
                assert "not closed" in str(got[ROW_PROBLEM])
            continue
        if row.bad == "extra values":
            assert "values for 4 columns" in str(got[ROW_PROBLEM])
            continue
        expected = [clean(v) for v in row.values] + [None] * (4 - len(row.values))
        assert [got[c] for c in TABLE_HEADER] == expected
        assert ROW_PROBLEM not in got


def test_quote_left_open_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    content = 'id,name\n1,"Nord-Pas\n2,Bretagne\n3,"Île-de-France"\n'
    path = _write(tmp_path, "t.csv", content.encode())
    rows = list(read_table(path))
    assert [line for line, _ in rows] == [2, 3, 4]
    assert ROW_PROBLEM in rows[0][1]
    assert rows[1][1] == {"id": "2", "name": "Bretagne"}
    assert rows[2][1] == {"id": "3", "name": "Île-de-France"}


def test_one_latin1_line_in_a_utf8_file_garbles_nothing(tmp_path: Path) -> None:
    content = "id;name\n1;Thüringen\n".encode() + "2;Kärnten\n".encode("latin-1")
    path = _write(tmp_path, "t.csv", content + "3;Örebro\n".encode())
    assert [row["name"] for _, row in read_table(path)] == ["Thüringen", "Kärnten", "Örebro"]


def test_line_breaks_inside_quotes_are_values_not_rows(tmp_path: Path) -> None:
    content = csv_line(["id", "note"], ",") + csv_line(["1", "two\nlines"], ",")
    path = _write(tmp_path, "t.csv", (content + "2,plain\n").encode())
    assert list(read_table(path)) == [
        (2, {"id": "1", "note": "two\nlines"}),
        (4, {"id": "2", "note": "plain"}),
    ]


# -- what every loader must do with its rows ---------------------------------------------------

CASES: dict[str, int] = {}  # bad rows generated per loader, printed at the end of the session


def count_cases(loader: str, table: Table) -> None:
    CASES[loader] = CASES.get(loader, 0) + sum(1 for r in table.rows if r.is_bad)


def records_of(name: str, ctx: LoadContext) -> tuple[list[Record], LoadReport]:
    """The loader's records and report, without writing anything to the graph."""
    report = LoadReport(source=name)
    return list(get_loader(name).records(ctx, report)), report


def assert_accounted(report: LoadReport, file: str, table: Table) -> set[int]:
    """Each row made bad is a reject naming its line and a reason; no good row is rejected.

    Returns the lines rejected in ``file``.
    """
    rejected = {r.row for r in report.rejects if r.file == file and r.row > 0}
    must = {r.line for r in table.rows if r.is_bad and r.bad != MAYBE}
    maybe = {r.line for r in table.rows if r.bad == MAYBE}
    assert must <= rejected, f"bad rows not rejected: {sorted(must - rejected)}"
    assert rejected <= must | maybe, f"good rows rejected: {sorted(rejected - must - maybe)}"
    for reject in report.rejects:
        assert reject.reason.strip(), reject
    return rejected


def nodes(records: list[Record], label: NodeLabel) -> dict[str, Node]:
    return {r.key: r for r in records if isinstance(r, Node) and r.label == label}


def rels(records: list[Record], rel_type: RelType) -> list[Rel]:
    return [r for r in records if isinstance(r, Rel) and r.type == rel_type]


@pytest.fixture
def ctx_for(settings: Settings, driver: Driver) -> Callable[[Path], LoadContext]:
    """A load context reading the given file instead of the snapshot (graph read-only)."""

    def make(path: Path) -> LoadContext:
        return LoadContext(settings=settings, driver=driver, source_path=path, offline=True)

    return make


def graph_counts(driver: Driver) -> tuple[int, int, int]:
    records, _, _ = driver.execute_query(
        "RETURN COUNT { MATCH (n) } AS nodes, COUNT { MATCH ()-[r]->() } AS rels, "
        "COUNT { MATCH (m:GraphMeta) WHERE m.version > 0 } AS versions"
    )
    return records[0]["nodes"], records[0]["rels"], records[0]["versions"]


# -- domains -----------------------------------------------------------------------------------

DOMAIN_ROW_KINDS = (
    "good",
    "good",
    "control",
    "bad kind",
    "bad code",
    "missing cell",
    "long name",
    "duplicate",
    "extra values",
    "cut",
)
HOSTILE_CODES = ("", "  ", "Agri Food", "agri_food", "`x`", "}) DETACH DELETE n //", "$code")


@st.composite
def domain_tables(draw: st.DrawFn) -> tuple[Table, str, str]:
    delimiter = draw(st.sampled_from(DELIMITERS))
    encoding = draw(st.sampled_from(ENCODINGS))
    header = shuffled_header(draw, ["code", "name", "kind"], optional=["parents", "aliases"])
    table = Table(header)
    good: list[str] = []
    for index, kind in enumerate(draw(st.lists(st.sampled_from(DOMAIN_ROW_KINDS), max_size=30))):
        code = f"d{index}-" + draw(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True))
        cells = {
            "code": code,
            "name": draw(names()),
            "kind": draw(st.sampled_from(["ecosystem", "theme"])),
            "parents": "|".join(draw(st.lists(st.sampled_from(good), unique=True, max_size=2)))
            if good
            else "",
            "aliases": "|".join(draw(st.lists(names(), max_size=2))),
        }
        bad = ""
        if kind == "control":
            cells["name"] = noisy(cells["name"], draw)
        elif kind == "bad kind":
            cells["kind"], bad = draw(st.sampled_from(["Ecosystem", "sector", "", "x;y"])), kind
        elif kind == "bad code":
            cells["code"], bad = draw(st.sampled_from(HOSTILE_CODES)), kind
        elif kind == "long name":
            cells["name"], bad = draw(LONG_NAME), kind
        elif kind == "duplicate" and good:
            cells["code"], bad = draw(st.sampled_from(good)), kind
        values = fill(header, cells)
        if kind == "missing cell":
            values = drop_trailing(values, header, draw(st.sampled_from(["code", "name", "kind"])))
            bad = kind
        elif kind == "extra values":
            values, bad = [*values, *draw(st.lists(names(), min_size=1, max_size=2))], kind
        if kind == "cut":
            values = [v.replace("\n", " ") for v in values]
            raw = cut_line(values, delimiter, draw(st.integers(min_value=1, max_value=300)))
            if raw.strip(f'{delimiter}" \n'):
                table.rows.append(Row(values, bad=MAYBE, raw=raw))
            continue
        if not any(v.strip() for v in values):
            continue  # nothing left of the row: a blank line, not a row
        table.rows.append(Row(values, bad=bad, line=0))
        if not bad:
            good.append(code)
    return table, delimiter, encoding


@PROPERTY
@given(generated=domain_tables())
def test_domains_every_bad_row_is_a_reject(
    tmp_path: Path, ctx_for: Callable[[Path], LoadContext], generated: tuple[Table, str, str]
) -> None:
    table, delimiter, encoding = generated
    count_cases("domains", table)
    path = _write(tmp_path, "domains.csv", encode_table(table, delimiter, encoding))
    records, report = records_of("domains", ctx_for(path))

    assert report.rows_read == len(table.rows)
    rejected = assert_accounted(report, path.name, table)
    domains = nodes(records, NodeLabel.DOMAIN)
    assert len(domains) == report.rows_read - report.rows_rejected == report.rows_loaded
    header = table.header
    for row in table.rows:
        if row.line in rejected or row.bad == MAYBE:
            continue
        code, name = row.values[header.index("code")], row.values[header.index("name")]
        assert domains[code].props["name"] == folded(name)
        assert all(ord(ch) >= 32 for ch in domains[code].props["name"])


def test_domains_end_to_end_counts_match_the_rows(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """Through the real pipeline: loaded rows are nodes, an unknown parent is a reported reject,
    and a second load changes no counts."""
    content = (
        "code;name;kind;parents;aliases\n"
        "agri-food;Agri-food;ecosystem;;farming\n"
        "agri-food;Agri-food again;ecosystem;;\n"  # duplicate code
        "green;Green transition;theme;;\n"
        "hydrogen;Hydrogen\x00;theme;green|no-such-domain;\n"  # control char, unknown parent
        "bad kind;Bad;sector;;\n"
        "long;" + "x" * 600 + ";theme;;\n"
    )
    path = _write(tmp_path, "domains.csv", content.encode("latin-1", errors="replace"))
    result = run_loader("domains", settings, graph, source_path=path)
    report = result.report
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (6, 3, 3)
    records, _, _ = graph.execute_query(
        "MATCH (d:Domain) RETURN d.code AS code, d.name AS name ORDER BY code"
    )
    assert [(r["code"], r["name"]) for r in records] == [
        ("agri-food", "Agri-food"),
        ("green", "Green transition"),
        ("hydrogen", "Hydrogen"),
    ]
    missing = [r for r in report.rejects if r.file == "(graph)"]
    assert [(r.field, r.value) for r in missing] == [("SUBDOMAIN_OF", "no-such-domain")]
    before = graph_counts(graph)
    run_loader("domains", settings, graph, source_path=path)
    assert graph_counts(graph)[:2] == before[:2]


# -- wholly wrong source files -----------------------------------------------------------------

WRONG_FILES: dict[str, bytes] = {
    "html error page": b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title>"
    b"</head><body><h1>Service Unavailable</h1></body></html>\n",
    "empty": b"",
    "blank lines": b" \n\n\t\n",
    "json error": b'{"error": "rate limit exceeded", "status": 429}\n',
    "unknown schema": "projectID;legalBasis;title\n1;H2020-EU.1;Ünknown\n".encode(),
    "binary": bytes(range(256)) * 8,
}
WRONG_FILE_LOADERS = [
    name for name in LOADER_NAMES if importlib.util.find_spec(entry(name).module) is not None
]


@pytest.mark.parametrize("loader", WRONG_FILE_LOADERS)
@pytest.mark.parametrize("kind", list(WRONG_FILES))
def test_wholly_wrong_file_stops_the_loader_and_leaves_the_graph(
    graph: Driver, settings: Settings, tmp_path: Path, loader: str, kind: str
) -> None:
    """One ``SourceFormatError`` naming the file; nothing written, whatever the batch size."""
    run_loader("domains", settings, graph)  # something already in the graph
    before = graph_counts(graph)
    suffix = ".xlsx" if loader == "edih" and kind == "binary" else ".csv"
    path = _write(tmp_path, f"source{suffix}", WRONG_FILES[kind])
    tiny_batches = settings.model_copy(update={"batch_size": 1})
    with pytest.raises(SourceFormatError) as raised:
        run_loader(loader, tiny_batches, graph, source_path=path)
    message = str(raised.value)
    assert path.name in message and "\n" not in message.strip()
    assert graph_counts(graph) == before
