"""``s3graph refresh``: fetch the official files of a source, load them if they changed, and say
what changed in the graph.

The graph then says what the new files say: projects, organisations and ties that the source
stated before and its new files no longer state are removed (or, when another source states
them too, lose this source). A new file that is refused (``loaders.fetch`` checks it before
acceptance, the loader checks its columns before the first write) changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import Driver

from graph import reads
from graph.errors import ConfigurationError
from graph.settings import Settings
from graph.writer import forget
from loaders.fetch import Fetcher, FetchFailed, published
from loaders.pipeline import Stated, run_loader
from loaders.registry import LOADERS, entry

IGNORED_PROPERTIES = frozenset({"loaded_at"})
LISTED = 50  # uids listed per kind of change in the printed summary (all are in the JSON)


@dataclass
class GraphState:
    """What one source states in the graph: nodes with a fingerprint of their properties,
    ties, and the regions of organisations."""

    nodes: dict[tuple[str, str], str] = field(default_factory=dict)
    ties: set[tuple[str, str, str]] = field(default_factory=set)
    regions: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, driver: Driver, database: str | None, source: str) -> GraphState:
        state = cls()
        for r in reads.source_nodes(driver, source, database):
            props = {k: v for k, v in r["props"].items() if k not in IGNORED_PROPERTIES}
            text = json.dumps(props, sort_keys=True, default=str)
            state.nodes[(r["label"], r["uid"])] = hashlib.sha1(text.encode()).hexdigest()
            if r["regions"]:
                state.regions[r["uid"]] = list(r["regions"])
        state.ties = {
            (r["type"], r["a"], r["b"]) for r in reads.source_ties(driver, source, database)
        }
        return state


@dataclass
class SourceChange:
    """The difference one refresh made to one source's part of the graph."""

    source: str
    status: str  # 'updated' | 'unchanged' | 'failed'
    detail: str = ""
    projects_added: list[str] = field(default_factory=list)
    projects_removed: list[str] = field(default_factory=list)
    projects_changed: list[str] = field(default_factory=list)
    organisations_added: list[str] = field(default_factory=list)
    organisations_removed: list[str] = field(default_factory=list)
    organisations_changed: list[str] = field(default_factory=list)
    ties_added: int = 0
    ties_removed: int = 0
    regions_touched: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.status != "updated":
            return f"{self.source}: {self.status}{' (' + self.detail + ')' if self.detail else ''}"
        return (
            f"{self.source}: projects +{len(self.projects_added):,} "
            f"-{len(self.projects_removed):,} ~{len(self.projects_changed):,}, organisations "
            f"+{len(self.organisations_added):,} -{len(self.organisations_removed):,} "
            f"~{len(self.organisations_changed):,}, ties +{self.ties_added:,} "
            f"-{self.ties_removed:,}; regions whose organisations changed: "
            f"{len(self.regions_touched):,}"
        )


def diff(source: str, before: GraphState, after: GraphState) -> SourceChange:
    change = SourceChange(source, "updated")
    for label, added, removed, changed in (
        ("Project", change.projects_added, change.projects_removed, change.projects_changed),
        (
            "Organisation",
            change.organisations_added,
            change.organisations_removed,
            change.organisations_changed,
        ),
    ):
        old = {uid: h for (lb, uid), h in before.nodes.items() if lb == label}
        new = {uid: h for (lb, uid), h in after.nodes.items() if lb == label}
        added += sorted(new.keys() - old.keys())
        removed += sorted(old.keys() - new.keys())
        changed += sorted(uid for uid in old.keys() & new.keys() if old[uid] != new[uid])
    added_ties = after.ties - before.ties
    removed_ties = before.ties - after.ties
    change.ties_added, change.ties_removed = len(added_ties), len(removed_ties)
    moved = set(change.organisations_added + change.organisations_removed)
    moved |= set(change.organisations_changed)
    moved |= {end for tie in added_ties | removed_ties for end in tie[1:]}
    change.regions_touched = sorted(
        {code for uid in moved for code in before.regions.get(uid, []) + after.regions.get(uid, [])}
    )
    return change


def forget_unstated(
    driver: Driver, database: str | None, source: str, before: GraphState, stated: Stated
) -> None:
    """Removes from the graph what the source stated before and its new files do not."""
    gone_ties = [tie for tie in before.ties if tie not in stated.rels]
    gone_nodes = [uid for (label, uid) in before.nodes if (label, uid) not in stated.nodes]
    forget(driver, source, gone_nodes, gone_ties, database)


def refreshable() -> list[str]:
    return [item.name for item in LOADERS if item.fetched_as]


def refresh(
    settings: Settings,
    driver: Driver,
    sources: Sequence[str],
    fetcher: Fetcher,
    fetch: Callable[[Fetcher, Any], Any] | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> list[SourceChange]:
    """Fetches, loads what changed and reports; see the module docstring. ``fetch`` fetches one
    published file (the command line passes one with a progress bar)."""
    unknown = [s for s in sources if s not in refreshable()]
    if unknown:
        raise ConfigurationError(
            f"cannot refresh {', '.join(unknown)}: only {', '.join(refreshable())} have "
            "official files to fetch (load the others with --file)"
        )
    get = fetch or (lambda f, item: f.fetch(item))
    changes: list[SourceChange] = []
    for name in sources or refreshable():
        results, failed = [], []
        for fetched_as in entry(name).fetched_as:
            try:
                results.append(get(fetcher, published(fetched_as)))
            except FetchFailed as exc:
                failed.append(f"{fetched_as}: {exc}")
        if not any(r.changed for r in results):
            why = "; ".join(failed) or "the files fetched before are current"
            changes.append(SourceChange(name, "failed" if failed else "unchanged", why))
            continue
        say(f"loading {name} from the new files")
        before = GraphState.read(driver, settings.neo4j_database, name)
        result = run_loader(name, settings, driver)
        forget_unstated(driver, settings.neo4j_database, name, before, result.stated)
        after = GraphState.read(driver, settings.neo4j_database, name)
        change = diff(name, before, after)
        change.detail = "; ".join(failed)
        changes.append(change)
    return changes


def write_report(changes: Sequence[SourceChange], reports_dir: Path) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    path = reports_dir / f"refresh-{now:%Y-%m-%d}.json"
    payload = {"refreshed_at": now.isoformat(), "sources": [asdict(c) for c in changes]}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return path
