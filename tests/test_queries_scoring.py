"""Path scoring and rule checks as pure functions: no database."""

from __future__ import annotations

from datetime import date

import pytest

from queries.scoring import (
    CONSORTIUM_STRENGTH,
    FIT_FLOOR,
    HUB_STRENGTH,
    PARTNERSHIP_STRENGTH,
    WEAK_STRENGTH,
    NodeInfo,
    length_factor,
    overlap_fit,
    overlap_share,
    path_score,
    project_strength,
    segment_tie,
    shared_domains,
    split_segments,
    thematic_fit,
    unmatched_domains,
)

TODAY = date(2026, 6, 1)
ANCESTORS = {
    "green-hydrogen": frozenset({"energy-renewables", "green-transition"}),
    "green-transition": frozenset({"energy-renewables"}),
    "blue-economy": frozenset({"tourism"}),
}


def project(n: int | None, end: str | None, kind: str | None = None) -> NodeInfo:
    return NodeInfo("Project", "p", "P", n_partners=n, end_date=end, kind=kind)


def test_small_recent_project_beats_big_old_one() -> None:
    small, _ = project_strength(3, "2026-12-31", None, TODAY)
    big, _ = project_strength(60, "2026-12-31", None, TODAY)
    old, _ = project_strength(3, "2014-12-31", None, TODAY)
    big_old, why = project_strength(60, "2016-06-30", None, TODAY)
    assert small == 1.0
    assert small > big > big_old and small > old > big_old
    assert "60 partners" in why and "ended 2016" in why


def test_project_strength_decays_monotonically() -> None:
    sizes = [project_strength(n, "2025-01-01", None, TODAY)[0] for n in (2, 4, 5, 10, 30, 100)]
    ages = [project_strength(5, f"{y}-01-01", None, TODAY)[0] for y in (2026, 2022, 2018, 2010)]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == sizes[1]
    assert ages == sorted(ages, reverse=True) and len(set(ages)) == 4


def test_unknown_project_dates_use_the_start_or_a_neutral_factor() -> None:
    from_start, _ = project_strength(3, None, "2024-01-01", TODAY)
    assert from_start == project_strength(3, "2027-01-01", None, TODAY)[0]
    unknown, why = project_strength(3, None, None, TODAY)
    assert 0 < unknown < 1 and "dates unknown" in why


def test_tie_kinds_in_the_documented_order() -> None:
    hub = NodeInfo("Hub", "h", "H")
    consortium = NodeInfo("Consortium", "c", "C")
    cluster = NodeInfo("Cluster", "cl", "CL")
    partnership = NodeInfo("Partnership", "ps", "PS")
    small_recent = segment_tie([project(3, "2026-12-31")], TODAY)
    by_hub = segment_tie([hub], TODAY)
    by_partnership = segment_tie([cluster, partnership, cluster], TODAY)
    by_consortium = segment_tie([consortium], TODAY)
    een_grant = segment_tie([project(8, "2026-12-31", kind="een")], TODAY)
    odd = segment_tie([cluster, partnership, cluster, partnership, cluster], TODAY)
    assert small_recent.strength > by_hub.strength == HUB_STRENGTH
    assert by_partnership.strength == PARTNERSHIP_STRENGTH and by_partnership.via is partnership
    assert by_hub.strength > by_consortium.strength == CONSORTIUM_STRENGTH
    assert een_grant.kind == "consortium" and een_grant.strength == CONSORTIUM_STRENGTH
    assert odd.kind == "other" and odd.strength == WEAK_STRENGTH < CONSORTIUM_STRENGTH


def test_segments_split_at_organisations() -> None:
    labels = [
        "Organisation",
        "Project",
        "Organisation",
        "Cluster",
        "Partnership",
        "Cluster",
        "Organisation",
    ]
    assert split_segments(labels) == [(1, 2), (3, 6)]
    assert split_segments(["Organisation"]) == []


def test_each_intermediary_halves_the_score() -> None:
    assert [length_factor(n) for n in range(3)] == [1.0, 0.5, 0.25]
    tie = segment_tie([project(3, "2026-12-31")], TODAY)
    fit = thematic_fit(["digital"], "declared", ["digital"], "declared")
    assert path_score([tie, tie], 1, fit) == pytest.approx(path_score([tie], 0, fit) / 2)


def test_thematic_fit_names_its_basis() -> None:
    both = thematic_fit(["digital", "tourism"], "declared", ["digital"], "declared")
    mixed = thematic_fit(["digital"], "declared", ["digital"], "revealed", "DK05", "BG31")
    missing = thematic_fit(["digital"], "declared", [], "none", "DK05", "NO07")
    assert both.basis == "declared" and both.shared == ("digital",) and both.factor > FIT_FLOOR
    assert mixed.basis == "revealed" and "revealed domains of BG31" in mixed.reason
    assert missing.basis == "none" and missing.factor == FIT_FLOOR and "NO07" in missing.reason
    more = thematic_fit(["a", "b", "c"], "declared", ["a", "b", "c"], "declared")
    assert more.factor == 1.0 > both.factor


def test_a_subdomain_meets_its_parent() -> None:
    assert shared_domains({"energy-renewables"}, {"green-hydrogen"}, ANCESTORS) == (
        "green-hydrogen",
    )
    assert shared_domains({"energy-renewables"}, {"green-hydrogen"}) == ()
    # siblings under one parent do not meet
    assert shared_domains({"green-hydrogen"}, {"blue-economy"}, ANCESTORS) == ()
    assert unmatched_domains({"digital", "tourism"}, {"blue-economy"}, ANCESTORS) == ("digital",)


def test_overlap_fit_and_share() -> None:
    ours = {"digital", "energy-renewables"}
    assert overlap_fit(ours, ours) == pytest.approx(0.8)
    assert overlap_fit(ours, {"digital"}) == pytest.approx(0.4)
    assert overlap_fit(ours, {"digital", "tourism"}) > overlap_fit(ours, {"digital"})
    assert overlap_fit(ours, set()) == 0.0
    assert overlap_share({"a", "b"}, {"b", "c"}) == pytest.approx(0.5)
    assert overlap_share(set(), set()) == 0.0
