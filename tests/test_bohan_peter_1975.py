"""Bohan & Peter (1975): definite / probable / possible PM and DM by count; exclusions (criteria.md §4)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from _builders import CK_RAISED, HELIOTROPE, UPPER, present, result, with_biopsy

BP = "bohan_peter_1975"

#: criteria 1-4 of Bohan & Peter, each as the findings that satisfy it
CRITERIA: dict[str, dict[str, Any]] = {
    "weakness": present(UPPER),
    "biopsy": present("biopsy_necrotic_fibers"),
    "enzymes": CK_RAISED,
    "emg": present("emg_myopathic", "emg_spontaneous_activity"),
}
ITEM_IDS = {"weakness": "symmetric_proximal_weakness", "biopsy": "biopsy_evidence", "enzymes": "elevated_enzymes",
            "emg": "emg_triad"}
RASH = present(HELIOTROPE)

#: (number of criteria 1-4, rash) -> category
EXPECTED = {
    (4, False): "definite PM",
    (3, False): "probable PM",
    (2, False): "possible PM",
    (1, False): "not PM/DM",
    (0, False): "not PM/DM",
    (4, True): "definite DM",
    (3, True): "definite DM",
    (2, True): "probable DM",
    (1, True): "possible DM",
    (0, True): "not PM/DM",
}
MET = {"definite PM", "probable PM", "definite DM", "probable DM"}


def bp_case(criteria: tuple[str, ...], rash: bool, **extra: Any) -> dict[str, Any]:
    findings: dict[str, Any] = {}
    for c in criteria:
        findings.update(CRITERIA[c])
    return with_biopsy(**findings, **(RASH if rash else {}), **extra)


ALL_SUBSETS = [(subset, rash) for rash in (False, True) for n in range(5)
               for subset in itertools.combinations(CRITERIA, n)]


@pytest.mark.parametrize(("criteria", "rash"), ALL_SUBSETS, ids=lambda v: "+".join(v) if isinstance(v, tuple) else
                         ("rash" if v else "no rash"))
def test_category_by_count(criteria: tuple[str, ...], rash: bool) -> None:
    out = result(bp_case(criteria, rash), BP)
    expected = EXPECTED[(len(criteria), rash)]
    assert out["category"] == expected
    assert out["status"] == ("met" if expected in MET else "not_met")
    states = {i["id"]: i["state"] for i in out["items"]}
    for name, item_id in ITEM_IDS.items():
        assert states[item_id] is (name in criteria)
    assert states["dm_rash"] is rash


@pytest.mark.parametrize("skin", ["skin_heliotrope", "skin_gottron_papules", "skin_gottron_sign"])
def test_each_typical_rash_counts_as_criterion_5(skin: str) -> None:
    out = result(with_biopsy(**CRITERIA["weakness"], **CRITERIA["enzymes"], **present(skin)), BP)
    assert out["category"] == "probable DM"


def test_emg_needs_myopathic_potentials_and_spontaneous_activity() -> None:
    three = ("weakness", "biopsy", "enzymes")
    assert result(bp_case(three, False, emg_myopathic=True), BP)["category"] == "probable PM"
    assert result(bp_case(three, False, emg_spontaneous_activity=True), BP)["category"] == "probable PM"


@pytest.mark.parametrize("biopsy_finding", [
    "biopsy_necrotic_fibers", "biopsy_regenerating_fibers", "biopsy_lymphocytic_infiltrate_prominent",
    "biopsy_endomysial_infiltrate_non_invading", "biopsy_invasion_non_necrotic_fibers",
    "biopsy_perimysial_perivascular_infiltrate", "biopsy_perifascicular_atrophy",
])
def test_biopsy_evidence_of_myositis(biopsy_finding: str) -> None:
    out = result(with_biopsy(**CRITERIA["weakness"], **CRITERIA["enzymes"], **CRITERIA["emg"],
                             **present(biopsy_finding)), BP)
    assert out["category"] == "definite PM"


@pytest.mark.parametrize("enzyme", ["aldolase_elevated", "ldh_elevated", "ast_elevated", "alt_elevated"])
def test_any_muscle_enzyme_counts(enzyme: str) -> None:
    out = result(bp_case(("weakness", "biopsy", "emg"), False, **present(enzyme)), BP)
    assert out["category"] == "definite PM"


@pytest.mark.parametrize("rash", [False, True])
@pytest.mark.parametrize("exclusion", [
    present("hypothyroidism"),
    present("other_myotoxic_drug"),
    present("biopsy_dystrophic_features"),
    {"genetic_diagnosis_gene": "CAPN3"},
])
def test_exclusion(exclusion: dict[str, Any], rash: bool) -> None:
    out = result(bp_case(tuple(CRITERIA), rash, **exclusion), BP)
    assert (out["status"], out["category"]) == ("not_met", "not PM/DM")
    no_exclusion = next(i for i in out["items"] if i["id"] == "no_exclusion")
    assert no_exclusion["state"] is False


def test_unknown_criterion_leaves_the_grade_open() -> None:
    case = bp_case(("weakness", "biopsy", "enzymes"), False, emg_myopathic=None, emg_spontaneous_activity=None)
    out = result(case, BP)
    # the grade known to hold is reported, with the higher grade still open
    assert out["status"] == "met"
    assert out["category"] == "probable PM"
    assert out["possible_categories"] == ["definite PM", "probable PM"]


def test_unknown_rash_leaves_pm_or_dm_open() -> None:
    out = result(bp_case(("weakness", "enzymes"), False, skin_heliotrope=None), BP)
    assert out["status"] == "undetermined"
    assert out["category"] == "undetermined"
    assert {"probable DM", "possible PM"} <= set(out["possible_categories"])
