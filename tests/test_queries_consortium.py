"""I3 consortium candidates: rules from the TOML files, checks as pure functions, and proposals
on the toy graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver

from graph.errors import NotFound
from graph.settings import PROJECT_ROOT, Settings
from queries.consortium import (
    MemberCandidate,
    available_calls,
    build_team,
    check_rules,
    consortium,
    load_call,
)
from queries.models import ConsortiumResult, RegionRef
from tests.test_queries_graphs import LONG, fresh_toy_graph, org_uid

DATA = PROJECT_ROOT / "data"


@pytest.fixture(scope="module")
def toy(driver: Driver) -> Driver:
    return fresh_toy_graph(driver)


def member(
    uid: str,
    country: str,
    region: str,
    category: str | None,
    activity: str,
    outermost: bool = False,
    score: float = 0.5,
) -> MemberCandidate:
    ref = RegionRef(
        nuts_id=region,
        name=region,
        level=2,
        country_code=country,
        category=category,
        outermost=outermost,
    )  # type: ignore[arg-type]
    return MemberCandidate(uid, uid, country, ref, region, activity, score, None)


def test_rules_files() -> None:
    assert {"i3-strand1", "i3-strand2a"} <= set(available_calls(DATA))
    strand1 = load_call("i3-strand1", DATA)
    assert (strand1.min_partners, strand1.min_regions, strand1.min_countries) == (5, 5, 3)
    assert strand1.coordinator_categories == ["more developed"]
    assert "PRC" not in strand1.coordinator_activity_types
    assert set(strand1.require_partner_categories) == {"less developed", "transition", "outermost"}
    assert "NO" in strand1.eligible_countries and "EL" in strand1.eligible_countries
    assert "CH" not in strand1.eligible_countries and "UK" not in strand1.eligible_countries
    assert len(strand1.eligible_countries) == 28  # 27 member states + Norway
    strand2a = load_call("i3-strand2a", DATA)
    assert (strand2a.min_partners, strand2a.min_regions, strand2a.min_countries) == (3, 3, 3)
    assert "more developed" not in strand2a.coordinator_categories
    with pytest.raises(NotFound) as unknown:
        load_call("i4-strand9", DATA)
    assert "i3-strand1" in unknown.value.suggestions


def test_rules_read_from_any_folder(tmp_path: Path) -> None:
    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "tiny.toml").write_text(
        'id = "tiny"\ntitle = "Tiny"\n[partners]\nmin = 2\n[countries]\nassociated = ["NO"]\n',
        encoding="utf-8",
    )
    rules = load_call("tiny", tmp_path)
    assert rules.min_partners == 2 and rules.eligible_countries == ["NO"]


def test_checks_name_each_rule() -> None:
    rules = load_call("i3-strand1", DATA)
    team = [
        member("coord", "DK", "DK05", "more developed", "HES"),
        member("a", "EL", "EL63", "less developed", "PRC"),
        member("b", "PT", "PT11", "less developed", "HES"),
        member("c", "DK", "DK01", "more developed", "REC"),
        member("d", "EL", "EL43", "less developed", "PRC"),
    ]
    assert all(c.passed for c in check_rules(team, rules))
    company = [member("coord", "DK", "DK05", "more developed", "PRC"), *team[1:]]
    failed = [c.rule for c in check_rules(company, rules) if not c.passed]
    assert failed == ["coordinator is a non-profit (activity type HES, REC, PUB, OTH)"]
    swiss = [*team[:4], member("e", "CH", "CH01", None, "HES")]
    failed = [c.rule for c in check_rules(swiss, rules) if not c.passed]
    assert any("eligible country" in rule for rule in failed)
    rich = [
        member(u, c, r, "more developed", "HES")
        for u, c, r in [
            ("1", "DK", "DK05"),
            ("2", "DE", "DE11"),
            ("3", "FR", "FR10"),
            ("4", "NL", "NL32"),
            ("5", "SE", "SE11"),
        ]
    ]
    failed = [c.rule for c in check_rules(rich, rules) if not c.passed]
    assert failed == ["at least one partner in a less developed, transition, outermost region"]


def test_greedy_team_keeps_every_rule_reachable() -> None:
    rules = load_call("i3-strand1", DATA)
    seed = member("seed", "DK", "DK05", "more developed", "HES", score=1.0)
    pool = [  # the best-linked candidates are all Danish: the team must still reach 3 countries
        member("dk1", "DK", "DK01", "more developed", "HES", score=0.9),
        member("dk2", "DK", "DK02", "more developed", "HES", score=0.85),
        member("dk3", "DK", "DK03", "more developed", "HES", score=0.8),
        member("el", "EL", "EL63", "less developed", "HES", score=0.2),
        member("pt", "PT", "PT20", "less developed", "HES", outermost=True, score=0.1),
    ]
    team = build_team(seed, seed, pool, rules, banned=set())
    assert team is not None
    assert {c.uid for c in team} >= {"seed", "el", "pt"}
    assert all(c.passed for c in check_rules(team, rules))
    assert build_team(seed, seed, pool[:4], rules, banned=set()) is None


def test_feasible_proposals_on_the_toy_graph(toy: Driver, settings: Settings) -> None:
    result = consortium(
        toy,
        "i3-strand2a",
        "energy",
        "AALBORG UNIVERSITET",
        max_hops=6,
        data_dir=DATA,
        database=settings.neo4j_database,
        timeout=LONG,
    )
    assert result.feasible and result.proposals
    for proposal in result.proposals:
        assert all(c.passed for c in proposal.checks)
        coordinator = proposal.members[0]
        assert coordinator.role == "coordinator"
        assert coordinator.region is not None
        assert coordinator.region.category in {"less developed", "transition"}
        keys = {m.organisation.key for m in proposal.members}
        assert org_uid("aau") in keys and len(keys) == 3
        assert len(proposal.links) == 2  # one path from the seed to each other member
    coordinators = {p.members[0].organisation.key for p in result.proposals}
    assert coordinators == {org_uid("cre"), org_uid("elk")}


def test_infeasible_says_which_rules_fail(toy: Driver, settings: Settings) -> None:
    result = consortium(
        toy,
        "i3-strand1",
        "digital",
        "AALBORG UNIVERSITET",
        max_hops=6,
        data_dir=DATA,
        database=settings.neo4j_database,
        timeout=LONG,
    )
    assert not result.feasible and result.proposals == []
    rules = {b.rule for b in result.blocking}
    assert rules == {
        "at least 5 partners",
        "partners from at least 5 different NUTS 2 regions",
        "in at least 3 eligible countries",
    }
    assert "only 2 countries" in " ".join(b.detail for b in result.blocking)
    assert "No consortium meets every rule" in result.explanation


def test_ambiguous_seed(toy: Driver, settings: Settings) -> None:
    result = consortium(
        toy,
        "i3-strand2a",
        "energy",
        "Energy Lab",
        data_dir=DATA,
        database=settings.neo4j_database,
        timeout=LONG,
    )
    assert result.status == "ambiguous" and not result.feasible


def test_partner_regions_bound_the_members_or_say_where_else(
    toy: Driver, settings: Settings
) -> None:
    def build(regions: list[str] | None) -> ConsortiumResult:
        return consortium(
            toy,
            "i3-strand2a",
            "energy",
            "AALBORG UNIVERSITET",
            max_hops=6,
            regions=regions,
            data_dir=DATA,
            database=settings.neo4j_database,
            timeout=LONG,
        )

    anywhere = build(None)
    assert anywhere.feasible
    best = anywhere.proposals[0]
    others = [m for m in best.members if m.organisation.key != org_uid("aau")]
    chosen = sorted({m.region.nuts_id[:4] for m in others if m.region})
    inside = build(chosen)
    assert inside.feasible
    assert [r.key for r in inside.partner_regions] == chosen
    for proposal in inside.proposals:
        for m in proposal.members:
            if m.organisation.key != org_uid("aau"):
                assert m.region is not None and m.region.nuts_id[:4] in chosen
    assert "drawn only from" in inside.explanation
    # one region alone cannot meet the rules: the answer says where else partners are
    alone = build([chosen[0]])
    assert not alone.feasible and alone.blocking
    details = " ".join(b.detail for b in alone.blocking)
    assert "could fill it" in details
    assert any(code in details for code in chosen[1:])
