"""Follow-up measures: the 2016 ACR/EULAR Total Improvement Score (TIS) and the MMT-8 total.

Expected points and thresholds are those of ``shared/domain/criteria.md`` §5.1 (conversion table,
adult 20/40/60 and juvenile 30/45/70) and §5.2 (MMT-8 unilateral 0-80, bilateral 0-150), written out
here independently of the code. Inputs are chosen so that every percent change is exact in decimal:
VAS and HAQ as a percentage of their range (10 cm, 3), MMT as a percentage of the scale maximum
(80, 150, 52), the enzyme relative to its baseline value.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from myoclass.cli import app
from myoclass.followup import mmt8, total_improvement_score
from myoclass.model.case import InvalidCase

# --- the conversion table (criteria.md §5.1) ------------------------------------------------------
#: points per band: worsening-to-edge1, >edge1-edge2, >edge2-edge3, >edge3-edge4, >edge4
POINTS: dict[str, tuple[float, ...]] = {
    "physician_global": (0, 7.5, 15, 17.5, 20),
    "patient_global": (0, 2.5, 5, 7.5, 10),
    "mmt": (0, 10, 20, 27.5, 32.5),
    "haq": (0, 5, 7.5, 7.5, 10),
    "enzyme": (0, 2.5, 5, 7.5, 7.5),
    "extramuscular": (0, 7.5, 12.5, 15, 20),
}
MEASURE_IDS = tuple(POINTS)
ADULT = {"minimal": 20, "moderate": 40, "major": 60}
JUVENILE = {"minimal": 30, "moderate": 45, "major": 70}
CATEGORIES = ["no improvement", "minimal", "moderate", "major"]

#: percent improvement at and just above each edge, and the band it falls in
EDGE_PCTS = (5.0, 5.1, 15.0, 15.1, 25.0, 25.1, 40.0, 40.1)
MMT_EDGE_PCTS = (2.0, 2.1, 10.0, 10.1, 20.0, 20.1, 30.0, 30.1)
EDGE_BANDS = (0, 1, 1, 2, 2, 3, 3, 4)

#: (visit key, baseline, follow-up values giving EDGE_PCTS / MMT_EDGE_PCTS, worsening follow-up, worsening pct)
VAS_FOLLOWUPS = (9.5, 9.49, 8.5, 8.49, 7.5, 7.49, 6, 5.99)  # from 10 cm
HAQ_FOLLOWUPS = (2.85, 2.847, 2.55, 2.547, 2.25, 2.247, 1.8, 1.797)  # from 3 (range 3)
ENZYME_FOLLOWUPS = (950, 949, 850, 849, 750, 749, 600, 599)  # from 1000 U/L (relative)
MMT_FOLLOWUPS = {  # scale: (maximum, baseline, follow-ups)
    "mmt8_unilateral": (80, 40, (41.6, 41.68, 48, 48.08, 56, 56.08, 64, 64.08)),
    "mmt8_bilateral": (150, 60, (63, 63.15, 75, 75.15, 90, 90.15, 105, 105.15)),
    "cmas": (52, 20, (21.04, 21.092, 25.2, 25.252, 30.4, 30.452, 35.6, 35.652)),
}


def _edge_cases() -> list[Any]:
    cases: list[Any] = []
    for mid in ("physician_global", "patient_global", "extramuscular"):
        for pct, band, fv in zip(EDGE_PCTS, EDGE_BANDS, VAS_FOLLOWUPS, strict=True):
            cases.append(pytest.param(mid, {mid: 10}, {mid: fv}, pct, band, id=f"{mid}-{pct}%"))
    for pct, band, fv in zip(EDGE_PCTS, EDGE_BANDS, HAQ_FOLLOWUPS, strict=True):
        cases.append(pytest.param("haq", {"haq": 3}, {"haq": fv}, pct, band, id=f"haq-{pct}%"))
    for pct, band, fv in zip(EDGE_PCTS, EDGE_BANDS, ENZYME_FOLLOWUPS, strict=True):
        cases.append(pytest.param("enzyme", {"enzyme_u_l": 1000}, {"enzyme_u_l": fv}, pct, band, id=f"enzyme-{pct}%"))
    for scale, (_, base, fvs) in MMT_FOLLOWUPS.items():
        for pct, band, fv in zip(MMT_EDGE_PCTS, EDGE_BANDS, fvs, strict=True):
            cases.append(pytest.param("mmt", {"mmt": base, "mmt_scale": scale}, {"mmt": fv, "mmt_scale": scale},
                                      pct, band, id=f"{scale}-{pct}%"))
    return cases


def _worsening_cases() -> list[Any]:
    return [
        pytest.param("physician_global", {"physician_global": 4}, {"physician_global": 5}, -10.0, id="physician_global"),
        pytest.param("patient_global", {"patient_global": 2}, {"patient_global": 9}, -70.0, id="patient_global"),
        pytest.param("extramuscular", {"extramuscular": 0}, {"extramuscular": 10}, -100.0, id="extramuscular"),
        pytest.param("haq", {"haq": 1}, {"haq": 1.3}, -10.0, id="haq"),
        pytest.param("enzyme", {"enzyme_u_l": 1000}, {"enzyme_u_l": 1200}, -20.0, id="enzyme"),
        pytest.param("mmt", {"mmt": 40}, {"mmt": 30}, -12.5, id="mmt8_unilateral"),
        pytest.param("mmt", {"mmt": 60, "mmt_scale": "mmt8_bilateral"}, {"mmt": 45, "mmt_scale": "mmt8_bilateral"},
                     -10.0, id="mmt8_bilateral"),
        pytest.param("mmt", {"mmt": 20, "mmt_scale": "cmas"}, {"mmt": 14.8, "mmt_scale": "cmas"}, -10.0, id="cmas"),
    ]


def _row(result: dict[str, Any], mid: str) -> dict[str, Any]:
    (row,) = [m for m in result["measures"] if m["id"] == mid]
    return row


# --- per-band inputs with every measure present (MMT-8 unilateral, enzyme relative) ---------------
BAND_INPUTS: dict[str, tuple[str, float, tuple[float, ...]]] = {  # measure: (key, baseline, follow-up for bands 0-4)
    "physician_global": ("physician_global", 10, (10, 9, 8, 7, 5)),  # 0, 10, 20, 30, 50 %
    "patient_global": ("patient_global", 10, (10, 9, 8, 7, 5)),
    "mmt": ("mmt", 40, (40, 44, 52, 60, 76)),  # 0, 5, 15, 25, 45 % of 80
    "haq": ("haq", 3, (3, 2.7, 2.4, 2.1, 1.5)),  # 0, 10, 20, 30, 50 % of 3
    "enzyme": ("enzyme_u_l", 1000, (1000, 900, 800, 700, 500)),  # 0, 10, 20, 30, 50 % relative
    "extramuscular": ("extramuscular", 10, (10, 9, 8, 7, 5)),
}


def visits(**bands: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two visits with all six measures; each measure in the given band (0 = no change when not named)."""
    base: dict[str, Any] = {}
    follow: dict[str, Any] = {}
    for mid, (key, b, fs) in BAND_INPUTS.items():
        base[key] = b
        follow[key] = fs[bands.get(mid, 0)]
    return base, follow


def expected_total(**bands: int) -> float:
    return sum(POINTS[mid][bands.get(mid, 0)] for mid in MEASURE_IDS)


# ==================================================================================================
# TIS: conversion table
# ==================================================================================================


@pytest.mark.parametrize(("mid", "base", "follow", "pct", "band"), _edge_cases())
def test_tis_band_edges_score_the_table_points(mid: str, base: dict[str, Any], follow: dict[str, Any],
                                               pct: float, band: int) -> None:
    r = total_improvement_score(base, follow)
    row = _row(r, mid)
    assert row["percent_improvement"] == pct
    assert row["points"] == POINTS[mid][band]
    assert r["tis_min"] == POINTS[mid][band]  # the other measures are missing and count 0 at the low end
    assert r["missing"] == [m for m in MEASURE_IDS if m != mid]


@pytest.mark.parametrize(("mid", "base", "follow", "pct"), _worsening_cases())
def test_tis_worsening_scores_zero(mid: str, base: dict[str, Any], follow: dict[str, Any], pct: float) -> None:
    row = _row(total_improvement_score(base, follow), mid)
    assert row["percent_improvement"] == pct
    assert row["points"] == 0


@pytest.mark.parametrize("mid", MEASURE_IDS)
def test_tis_no_change_scores_zero(mid: str) -> None:
    key, b, _ = BAND_INPUTS[mid]
    row = _row(total_improvement_score({key: b}, {key: b}), mid)
    assert row["percent_improvement"] == 0
    assert row["points"] == 0


@pytest.mark.parametrize(("scale", "points"), [("mmt8_unilateral", 20), ("mmt8_bilateral", 10), ("cmas", 27.5)])
def test_tis_mmt_change_is_a_percentage_of_the_scale_maximum(scale: str, points: float) -> None:
    # +12 points: 15 % of 80, 8 % of 150, 23.08 % of 52
    row = _row(total_improvement_score({"mmt": 30, "mmt_scale": scale}, {"mmt": 42, "mmt_scale": scale}), "mmt")
    assert row["points"] == points
    assert row["percent_improvement"] == pytest.approx(1200 / MMT_FOLLOWUPS[scale][0], abs=1e-4)


def test_tis_enzyme_change_is_relative_to_baseline_not_to_the_normal_limit() -> None:
    # 200 -> 170 is 15 % of the baseline (band >5-15), whatever the ULN
    r = total_improvement_score({"enzyme_u_l": 200, "enzyme_uln_u_l": 50}, {"enzyme_u_l": 170, "enzyme_uln_u_l": 50})
    assert _row(r, "enzyme")["percent_improvement"] == 15.0
    assert _row(r, "enzyme")["points"] == 2.5


def test_tis_plateaus_are_as_in_the_source_table() -> None:
    # HAQ: 7.5 for both >15-25 % and >25-40 %; enzyme: 7.5 for both >25-40 % and >40 %
    haq = [_row(total_improvement_score({"haq": 3}, {"haq": f}), "haq")["points"] for f in (2.4, 2.1)]
    enz = [_row(total_improvement_score({"enzyme_u_l": 1000}, {"enzyme_u_l": f}), "enzyme")["points"] for f in (700, 10)]
    assert haq == [7.5, 7.5]
    assert enz == [7.5, 7.5]


def test_tis_max_points_per_measure_and_maximum_total_of_100() -> None:
    r = total_improvement_score(*visits(**dict.fromkeys(MEASURE_IDS, 4)))
    assert [m["id"] for m in r["measures"]] == list(MEASURE_IDS)
    assert {m["id"]: m["max_points"] for m in r["measures"]} == {mid: p[-1] for mid, p in POINTS.items()}
    assert {m["id"]: m["points"] for m in r["measures"]} == {mid: p[-1] for mid, p in POINTS.items()}
    assert r["tis"] == r["tis_min"] == r["tis_max"] == 100
    assert r["category"] == "major"
    assert r["missing"] == []


def test_tis_complete_recovery_is_still_100() -> None:
    base = {"physician_global": 10, "patient_global": 10, "extramuscular": 10, "haq": 3, "mmt": 0, "enzyme_u_l": 5000}
    follow = {"physician_global": 0, "patient_global": 0, "extramuscular": 0, "haq": 0, "mmt": 80, "enzyme_u_l": 0}
    r = total_improvement_score(base, follow)
    assert r["tis"] == 100
    assert _row(r, "enzyme")["percent_improvement"] == 100.0
    assert _row(r, "mmt")["percent_improvement"] == 100.0


# ==================================================================================================
# TIS: thresholds
# ==================================================================================================


@pytest.mark.parametrize(("population", "bands", "total", "category"), [
    pytest.param("adult", {}, 0, "no improvement", id="adult-0"),
    pytest.param("adult", {"physician_global": 3}, 17.5, "no improvement", id="adult-17.5"),
    pytest.param("adult", {"physician_global": 4}, 20, "minimal", id="adult-20"),
    pytest.param("adult", {"physician_global": 3, "extramuscular": 4}, 37.5, "minimal", id="adult-37.5"),
    pytest.param("adult", {"physician_global": 4, "extramuscular": 4}, 40, "moderate", id="adult-40"),
    pytest.param("adult", {"physician_global": 3, "extramuscular": 4, "patient_global": 4, "haq": 4}, 57.5, "moderate",
                 id="adult-57.5"),
    pytest.param("adult", {"physician_global": 4, "extramuscular": 4, "patient_global": 4, "haq": 4}, 60, "major",
                 id="adult-60"),
    pytest.param("juvenile", {"physician_global": 3, "patient_global": 4}, 27.5, "no improvement", id="juvenile-27.5"),
    pytest.param("juvenile", {"physician_global": 4, "patient_global": 4}, 30, "minimal", id="juvenile-30"),
    pytest.param("juvenile", {"mmt": 4, "haq": 4}, 42.5, "minimal", id="juvenile-42.5"),
    pytest.param("juvenile", {"mmt": 4, "haq": 4, "patient_global": 1}, 45, "moderate", id="juvenile-45"),
    pytest.param("juvenile", {"physician_global": 3, "mmt": 4, "enzyme": 4, "patient_global": 4}, 67.5, "moderate",
                 id="juvenile-67.5"),
    pytest.param("juvenile", {"physician_global": 4, "mmt": 4, "enzyme": 4, "patient_global": 4}, 70, "major",
                 id="juvenile-70"),
    # the same totals fall in different categories under the two sets of thresholds
    pytest.param("juvenile", {"physician_global": 4}, 20, "no improvement", id="juvenile-20"),
    pytest.param("juvenile", {"physician_global": 4, "extramuscular": 4}, 40, "minimal", id="juvenile-40"),
    pytest.param("juvenile", {"physician_global": 4, "extramuscular": 4, "patient_global": 4, "haq": 4}, 60, "moderate",
                 id="juvenile-60"),
])
def test_tis_thresholds(population: str, bands: dict[str, int], total: float, category: str) -> None:
    assert expected_total(**bands) == total  # the composition itself
    r = total_improvement_score(*visits(**bands), population=population)
    assert r["tis"] == total
    assert r["tis_min"] == r["tis_max"] == total
    assert r["category"] == category
    assert r["possible_categories"] == [category]
    assert r["population"] == population


def test_tis_default_population_is_adult_with_adult_thresholds() -> None:
    r = total_improvement_score(*visits(physician_global=4))
    assert r["population"] == "adult"
    assert r["thresholds"] == ADULT
    assert r["category"] == "minimal"


def test_tis_juvenile_thresholds_and_measure_names() -> None:
    r = total_improvement_score(*visits(), population="juvenile")
    assert r["thresholds"] == JUVENILE
    assert _row(r, "patient_global")["name"] == "parent global activity"
    assert _row(r, "haq")["name"] == "CHAQ"
    adult = total_improvement_score(*visits())
    assert _row(adult, "patient_global")["name"] == "patient global activity"
    assert _row(adult, "haq")["name"] == "HAQ"


# ==================================================================================================
# TIS: missing measures
# ==================================================================================================


@pytest.mark.parametrize("where", ["baseline-null", "baseline-absent", "followup-null", "followup-absent"])
def test_tis_measure_missing_at_either_visit_is_a_range(where: str) -> None:
    base, follow = visits(physician_global=4, extramuscular=4, patient_global=4, haq=4)  # 60 without the enzyme
    visit = base if where.startswith("baseline") else follow
    if where.endswith("null"):
        visit["enzyme_u_l"] = None
    else:
        del visit["enzyme_u_l"]
    r = total_improvement_score(base, follow)
    assert r["missing"] == ["enzyme"]
    assert r["tis"] is None
    assert (r["tis_min"], r["tis_max"]) == (60, 67.5)
    assert r["category"] == "major"  # settled: 60 and 67.5 are both major
    assert r["possible_categories"] == ["major"]
    row = _row(r, "enzyme")
    assert row["points"] is None
    assert row["percent_improvement"] is None
    assert any("not scored as zero change" in w for w in r["warnings"])


def test_tis_missing_measure_leaves_category_open_when_the_range_spans_thresholds() -> None:
    base, follow = visits(physician_global=4)
    del base["mmt"]
    r = total_improvement_score(base, follow)
    assert r["missing"] == ["mmt"]
    assert r["tis"] is None
    assert (r["tis_min"], r["tis_max"]) == (20, 52.5)
    assert r["category"] is None
    assert r["possible_categories"] == ["minimal", "moderate"]


@pytest.mark.parametrize(("population", "bands", "gone", "lo", "hi", "category", "possible"), [
    # min exactly at a threshold, max just under the next: settled
    pytest.param("adult", {"physician_global": 4}, "patient_global", 20, 30, "minimal", ["minimal"], id="adult-20..30"),
    # max exactly at the next threshold: open
    pytest.param("adult", {"physician_global": 4, "patient_global": 4}, "haq", 30, 40, None, ["minimal", "moderate"],
                 id="adult-30..40"),
    # max just below the first threshold: settled as no improvement
    pytest.param("adult", {"haq": 1}, "patient_global", 5, 15, "no improvement", ["no improvement"], id="adult-5..15"),
    pytest.param("juvenile", {"physician_global": 4}, "patient_global", 20, 30, None, ["no improvement", "minimal"],
                 id="juvenile-20..30"),
    pytest.param("juvenile", {"physician_global": 4, "extramuscular": 4}, "enzyme", 40, 47.5, None, ["minimal", "moderate"],
                 id="juvenile-40..47.5"),
    pytest.param("juvenile", {"physician_global": 4, "patient_global": 4}, "enzyme", 30, 37.5, "minimal", ["minimal"],
                 id="juvenile-30..37.5"),
])
def test_tis_category_with_a_missing_measure(population: str, bands: dict[str, int], gone: str, lo: float, hi: float,
                                             category: str | None, possible: list[str]) -> None:
    base, follow = visits(**bands)
    del follow[BAND_INPUTS[gone][0]]
    r = total_improvement_score(base, follow, population)
    assert r["missing"] == [gone]
    assert r["tis"] is None
    assert (r["tis_min"], r["tis_max"]) == (lo, hi)
    assert r["category"] == category
    assert r["possible_categories"] == possible


def test_tis_everything_missing_spans_0_to_100_and_every_category() -> None:
    r = total_improvement_score({}, {})
    assert r["missing"] == list(MEASURE_IDS)
    assert r["tis"] is None
    assert (r["tis_min"], r["tis_max"]) == (0, 100)
    assert r["category"] is None
    assert r["possible_categories"] == CATEGORIES


def test_tis_several_missing_measures_add_their_maximum_points() -> None:
    base, follow = visits(physician_global=2)  # 15 points
    del base["mmt"], follow["haq"], base["extramuscular"]
    r = total_improvement_score(base, follow)
    assert r["missing"] == ["mmt", "haq", "extramuscular"]
    assert (r["tis_min"], r["tis_max"]) == (15, 15 + 32.5 + 10 + 20)


def test_tis_enzyme_baseline_zero_is_not_scored_and_is_reported() -> None:
    r = total_improvement_score({"enzyme_u_l": 0}, {"enzyme_u_l": 50})
    assert "enzyme" in r["missing"]
    assert _row(r, "enzyme")["points"] is None
    assert r["tis_max"] == 100
    assert any("baseline value of 0" in w for w in r["warnings"])


def test_tis_enzyme_normal_at_baseline_is_scored_with_a_warning() -> None:
    r = total_improvement_score({"enzyme_u_l": 100, "enzyme_uln_u_l": 200}, {"enzyme_u_l": 85})
    assert _row(r, "enzyme")["points"] == 2.5
    assert any("normal at baseline" in w for w in r["warnings"])
    raised = total_improvement_score({"enzyme_u_l": 1000, "enzyme_uln_u_l": 200}, {"enzyme_u_l": 850})
    assert not any("normal at baseline" in w for w in raised["warnings"])


def test_tis_complete_visits_have_no_missing_measure_warning() -> None:
    r = total_improvement_score(*visits())
    assert r["missing"] == []
    assert not any("not scored as zero change" in w for w in r["warnings"])
    assert "Aggarwal" in r["citation"]


# ==================================================================================================
# TIS: validation
# ==================================================================================================


@pytest.mark.parametrize(("base", "follow", "population", "field", "fragment"), [
    pytest.param({"physician_global": 10.5}, {}, "adult", "baseline.physician_global", "out of range", id="vas-high"),
    pytest.param({}, {"patient_global": -0.1}, "adult", "followup.patient_global", "out of range", id="vas-negative"),
    pytest.param({"extramuscular": 11}, {}, "adult", "baseline.extramuscular", "0-10", id="extramuscular-high"),
    pytest.param({"haq": 3.01}, {}, "adult", "baseline.haq", "0-3", id="haq-high"),
    pytest.param({}, {"haq": -1}, "adult", "followup.haq", "0-3", id="haq-negative"),
    pytest.param({"mmt": 81}, {}, "adult", "baseline.mmt", "0-80", id="mmt-unilateral-default-scale"),
    pytest.param({"mmt": 80.5, "mmt_scale": "mmt8_unilateral"}, {}, "adult", "baseline.mmt", "0-80", id="mmt-unilateral"),
    pytest.param({}, {"mmt": 151, "mmt_scale": "mmt8_bilateral"}, "adult", "followup.mmt", "0-150", id="mmt-bilateral"),
    pytest.param({"mmt": 53, "mmt_scale": "cmas"}, {}, "juvenile", "baseline.mmt", "0-52", id="cmas"),
    pytest.param({"enzyme_u_l": -1}, {}, "adult", "baseline.enzyme_u_l", "out of range", id="enzyme-negative"),
    pytest.param({"physican_global": 5}, {}, "adult", "baseline.physican_global", "did you mean 'physician_global'?",
                 id="unknown-key-suggestion"),
    pytest.param({}, {"enzyme": 500}, "adult", "followup.enzyme", "did you mean 'enzyme_u_l'?", id="unknown-key-enzyme"),
    pytest.param({"zzzz": 1}, {}, "adult", "baseline.zzzz", "allowed:", id="unknown-key-no-suggestion"),
    pytest.param({"mmt_scale": "mmt8"}, {}, "adult", "baseline.mmt_scale", "not allowed", id="bad-scale"),
    pytest.param({"mmt": 40, "mmt_scale": "cmas"}, {"mmt": 45, "mmt_scale": "mmt8_unilateral"}, "adult",
                 "followup.mmt_scale", "differs", id="scale-differs"),
    pytest.param({"mmt": 40, "mmt_scale": "mmt8_bilateral"}, {"mmt": 45}, "adult", "followup.mmt_scale", "differs",
                 id="scale-differs-default"),
    pytest.param({"haq": "1.5"}, {}, "adult", "baseline.haq", "not a number", id="string-number"),
    pytest.param({}, {"physician_global": True}, "adult", "followup.physician_global", "not a number", id="bool"),
    pytest.param({"mmt": [40]}, {}, "adult", "baseline.mmt", "not a number", id="list"),
    pytest.param({}, {}, "child", "population", "adult, juvenile", id="bad-population"),
    pytest.param([], {}, "adult", "baseline", "JSON object", id="baseline-not-object"),
    pytest.param({}, "x", "adult", "followup", "JSON object", id="followup-not-object"),
    pytest.param({"enzyme_uln_u_l": 0}, {}, "adult", "baseline.enzyme_uln_u_l", "above 0", id="uln-zero"),
    pytest.param({}, {"enzyme_uln_u_l": 0}, "adult", "followup.enzyme_uln_u_l", "above 0", id="uln-zero-followup"),
])
def test_tis_invalid_input_names_the_field(base: Any, follow: Any, population: str, field: str, fragment: str) -> None:
    with pytest.raises(InvalidCase) as exc:
        total_improvement_score(base, follow, population)
    problems = {p.field: p.message for p in exc.value.problems}
    assert field in problems
    assert fragment in problems[field]
    assert field in str(exc.value)


def test_tis_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidCase) as exc:
        total_improvement_score({"haq": 4, "physician_global": 12}, {"mmt": 90, "patinet_global": 1}, "kids")
    fields = {p.field for p in exc.value.problems}
    assert fields == {"population", "baseline.haq", "baseline.physician_global", "followup.mmt", "followup.patinet_global"}


@pytest.mark.parametrize(("base", "follow"), [
    ({"physician_global": 0, "patient_global": 10, "extramuscular": 0, "haq": 0}, {"haq": 3, "extramuscular": 10}),
    ({"mmt": 80}, {"mmt": 0}),
    ({"mmt": 150, "mmt_scale": "mmt8_bilateral"}, {"mmt": 0, "mmt_scale": "mmt8_bilateral"}),
    ({"mmt": 52, "mmt_scale": "cmas"}, {"mmt": 0, "mmt_scale": "cmas"}),
    ({"enzyme_u_l": 100000, "enzyme_uln_u_l": 200}, {"enzyme_u_l": 0}),
])
def test_tis_range_limits_are_accepted(base: dict[str, Any], follow: dict[str, Any]) -> None:
    r = total_improvement_score(base, follow)  # no InvalidCase
    both = {"enzyme" if k == "enzyme_u_l" else k for k in base.keys() & follow.keys()} & set(MEASURE_IDS)
    assert both
    assert all(_row(r, mid)["points"] is not None for mid in both)


def test_tis_different_scales_are_allowed_when_one_visit_has_no_mmt() -> None:
    r = total_improvement_score({"mmt_scale": "cmas"}, {"mmt": 40, "mmt_scale": "mmt8_bilateral"})
    assert "mmt" in r["missing"]


def test_tis_nan_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidCase) as exc:
        total_improvement_score({"physician_global": math.nan}, {})
    assert exc.value.problems[0].field == "baseline.physician_global"


def test_tis_infinite_enzyme_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidCase) as exc:
        total_improvement_score({"enzyme_u_l": math.inf}, {"enzyme_u_l": 100})
    assert exc.value.problems[0].field == "baseline.enzyme_u_l"


def test_tis_array_mmt_scale_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidCase) as exc:
        total_improvement_score({"mmt_scale": ["cmas"], "mmt": 10}, {"mmt": 20})
    assert exc.value.problems[0].field == "baseline.mmt_scale"


# ==================================================================================================
# MMT-8
# ==================================================================================================

GROUPS = ("neck_flexors", "deltoid_middle", "biceps_brachii", "wrist_extensors", "gluteus_maximus", "gluteus_medius",
          "quadriceps", "ankle_dorsiflexors")
PAIRED = GROUPS[1:]


def bilateral(grade: int = 10) -> dict[str, Any]:
    out: dict[str, Any] = {"neck_flexors": grade}
    out.update({g: {"right": grade, "left": grade} for g in PAIRED})
    return out


@pytest.mark.parametrize(("grade", "total"), [(10, 80), (0, 0), (7, 56)])
def test_mmt8_unilateral_uniform_grades(grade: int, total: int) -> None:
    r = mmt8(dict.fromkeys(GROUPS, grade))
    assert r["version"] == "unilateral"
    assert r["maximum"] == 80
    assert r["total"] == r["total_min"] == r["total_max"] == total
    assert r["missing"] == []
    assert r["note"] is None
    assert r["verification"] == "V-P"


def test_mmt8_unilateral_sums_the_eight_groups() -> None:
    grades = dict(zip(GROUPS, (5, 6, 7, 8, 9, 10, 3, 0), strict=True))
    r = mmt8({**grades, "side": "left"})
    assert r["total"] == 48
    assert r["grades"] == grades


def test_mmt8_whole_number_floats_are_accepted() -> None:
    r = mmt8({**dict.fromkeys(GROUPS, 10), "quadriceps": 7.0})
    assert r["total"] == 77
    assert r["grades"]["quadriceps"] == 7
    assert isinstance(r["grades"]["quadriceps"], int)


@pytest.mark.parametrize(("grade", "total"), [(10, 150), (0, 0), (5, 75)])
def test_mmt8_bilateral_uniform_grades(grade: int, total: int) -> None:
    r = mmt8(bilateral(grade))
    assert r["version"] == "bilateral"
    assert r["maximum"] == 150
    assert r["total"] == r["total_min"] == r["total_max"] == total
    assert r["missing"] == []
    assert r["verification"] == "D"


def test_mmt8_bilateral_counts_neck_flexors_once_and_both_sides() -> None:
    grades = bilateral(10)
    grades["neck_flexors"] = 4
    grades["quadriceps"] = {"right": 3, "left": 9}
    r = mmt8(grades)
    assert r["total"] == 4 + 12 * 10 + 3 + 9
    assert r["grades"]["neck_flexors"] == 4
    assert r["grades"]["quadriceps"] == {"right": 3, "left": 9}


@pytest.mark.parametrize("how", ["null", "absent"])
def test_mmt8_unilateral_ungraded_group_makes_a_range(how: str) -> None:
    grades: dict[str, Any] = dict.fromkeys(GROUPS, 8)
    if how == "null":
        grades["wrist_extensors"] = None
    else:
        del grades["wrist_extensors"]
    r = mmt8(grades)
    assert r["total"] is None
    assert (r["total_min"], r["total_max"]) == (56, 66)
    assert r["missing"] == ["wrist_extensors"]
    assert r["grades"]["wrist_extensors"] is None
    assert r["note"] is not None


def test_mmt8_bilateral_ungraded_sides_make_a_range() -> None:
    grades = bilateral(10)
    grades["quadriceps"] = {"right": 6}  # left not given
    grades["biceps_brachii"] = {"right": None, "left": 7}
    del grades["ankle_dorsiflexors"]  # both sides ungraded
    grades["neck_flexors"] = None
    r = mmt8(grades)
    assert r["version"] == "bilateral"
    assert r["total"] is None
    assert r["missing"] == ["neck_flexors", "biceps_brachii.right", "quadriceps.left", "ankle_dorsiflexors.right",
                            "ankle_dorsiflexors.left"]
    known = 8 * 10 + 7 + 6  # deltoid, wrist, gluteus maximus/medius on both sides, biceps left, quadriceps right
    assert (r["total_min"], r["total_max"]) == (known, known + 50)
    assert r["maximum"] == 150


def test_mmt8_nothing_graded_is_0_to_80() -> None:
    r = mmt8({})
    assert r["version"] == "unilateral"
    assert r["total"] is None
    assert (r["total_min"], r["total_max"]) == (0, 80)
    assert r["missing"] == list(GROUPS)


@pytest.mark.parametrize(("grades", "field", "fragment"), [
    pytest.param({"deltoid": 5}, "deltoid", "did you mean 'deltoid_middle'?", id="unknown-suggestion"),
    pytest.param({"quadricep": 5}, "quadricep", "did you mean 'quadriceps'?", id="unknown-suggestion-2"),
    pytest.param({"xyz": 5}, "xyz", "allowed: neck_flexors", id="unknown-no-suggestion"),
    pytest.param({"biceps_brachii": 11}, "biceps_brachii", "out of range", id="grade-high"),
    pytest.param({"biceps_brachii": -1}, "biceps_brachii", "out of range", id="grade-negative"),
    pytest.param({"quadriceps": 7.5}, "quadriceps", "not a Kendall grade", id="non-integer"),
    pytest.param({"quadriceps": True}, "quadriceps", "not a Kendall grade", id="bool"),
    pytest.param({"quadriceps": "7"}, "quadriceps", "not a Kendall grade", id="string-number"),
    pytest.param({"neck_flexors": "T"}, "neck_flexors", "trace grade (T) has no verified numeric value", id="trace"),
    pytest.param({"gluteus_medius": " t "}, "gluteus_medius", "trace grade (T)", id="trace-lowercase"),
    pytest.param({"neck_flexors": {"right": 5, "left": 5}}, "neck_flexors", "tested once", id="neck-bilateral"),
    pytest.param({"deltoid_middle": {"right": 5, "left": 5}, "biceps_brachii": 6}, "biceps_brachii", "both sides",
                 id="mixed"),
    pytest.param({"deltoid_middle": {"right": 5, "middle": 5}}, "deltoid_middle.middle", "unknown side", id="bad-side-key"),
    pytest.param({"deltoid_middle": {"right": 11, "left": 5}}, "deltoid_middle.right", "out of range", id="bilateral-grade"),
    pytest.param({"deltoid_middle": {"right": 5, "left": "T"}}, "deltoid_middle.left", "trace", id="bilateral-trace"),
    pytest.param({"side": "both"}, "side", "allowed: right, left or null", id="bad-side-value"),
    pytest.param([], "(mmt8)", "JSON object", id="list"),
    pytest.param("x", "(mmt8)", "JSON object", id="string"),
    pytest.param(None, "(mmt8)", "JSON object", id="null"),
])
def test_mmt8_invalid_input_names_the_field(grades: Any, field: str, fragment: str) -> None:
    with pytest.raises(InvalidCase) as exc:
        mmt8(grades)
    problems = {p.field: p.message for p in exc.value.problems}
    assert field in problems
    assert fragment in problems[field]


def test_mmt8_trace_message_explains_what_to_enter() -> None:
    with pytest.raises(InvalidCase) as exc:
        mmt8({"neck_flexors": "T"})
    assert "enter 0 or 1" in exc.value.problems[0].message


def test_mmt8_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidCase) as exc:
        mmt8({"deltoid": 5, "quadriceps": 12, "neck_flexors": "T", "side": "up"})
    assert {p.field for p in exc.value.problems} == {"deltoid", "quadriceps", "neck_flexors", "side"}


@pytest.mark.parametrize("side", ["right", "left", None])
def test_mmt8_side_values_are_accepted(side: str | None) -> None:
    assert mmt8({**dict.fromkeys(GROUPS, 9), "side": side})["total"] == 72


# ==================================================================================================
# Command line
# ==================================================================================================

runner = CliRunner()


def _write(tmp_path: Path, name: str, data: Any) -> str:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(p)


def _tis_files(tmp_path: Path, base: Any, follow: Any) -> list[str]:
    return [_write(tmp_path, "baseline.json", base), _write(tmp_path, "followup.json", follow)]


def test_cli_tis_text(tmp_path: Path) -> None:
    res = runner.invoke(app, ["tis", *_tis_files(tmp_path, *visits(physician_global=4, extramuscular=4))])
    assert res.exit_code == 0, res.output
    assert "Total Improvement Score (2016 ACR/EULAR, adult)" in res.stdout
    assert "TIS 40 of 100: moderate" in res.stdout
    assert "minimal ≥20, moderate ≥40, major ≥60" in res.stdout
    assert res.stderr == ""


def test_cli_tis_text_with_a_missing_measure(tmp_path: Path) -> None:
    base, follow = visits(physician_global=4)
    del base["mmt"]
    res = runner.invoke(app, ["tis", *_tis_files(tmp_path, base, follow)])
    assert res.exit_code == 0, res.output
    assert "TIS between 20 and 52.5 of 100 (missing: mmt): one of minimal, moderate" in res.stdout


def test_cli_tis_json(tmp_path: Path) -> None:
    res = runner.invoke(app, ["tis", *_tis_files(tmp_path, *visits(physician_global=4, extramuscular=4)),
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["tis"] == 40
    assert out["category"] == "moderate"
    assert out["population"] == "adult"
    assert {m["id"]: m["points"] for m in out["measures"]}["extramuscular"] == 20


def test_cli_tis_juvenile(tmp_path: Path) -> None:
    files = _tis_files(tmp_path, *visits(physician_global=4, extramuscular=4))
    res = runner.invoke(app, ["tis", *files, "--population", "juvenile", "-f", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["population"] == "juvenile"
    assert out["thresholds"] == JUVENILE
    assert out["category"] == "minimal"  # 40 is moderate for adults, minimal for JDM
    text = runner.invoke(app, ["tis", *files, "--population", "juvenile"])
    assert "TIS 40 of 100: minimal" in text.stdout
    assert "parent global activity" in text.stdout


def test_cli_tis_bad_population_option(tmp_path: Path) -> None:
    res = runner.invoke(app, ["tis", *_tis_files(tmp_path, {}, {}), "--population", "child"])
    assert res.exit_code == 2
    assert "population" in res.stderr


@pytest.mark.parametrize(("base", "follow", "message"), [
    ({"haq": 4}, {}, "error: baseline.haq: 4 is out of range"),
    ({}, {"physican_global": 5}, "error: followup.physican_global: unknown measure; did you mean 'physician_global'?"),
    ({"mmt": 40, "mmt_scale": "cmas"}, {"mmt": 41}, "error: followup.mmt_scale:"),
    ([1, 2], {}, "error: baseline: expected a JSON object"),
])
def test_cli_tis_invalid_input_exits_2_naming_the_field(tmp_path: Path, base: Any, follow: Any, message: str) -> None:
    res = runner.invoke(app, ["tis", *_tis_files(tmp_path, base, follow)])
    assert res.exit_code == 2
    assert message in res.stderr
    assert res.stdout == ""


def test_cli_tis_missing_file(tmp_path: Path) -> None:
    base = _write(tmp_path, "baseline.json", {})
    res = runner.invoke(app, ["tis", base, str(tmp_path / "nope.json")])
    assert res.exit_code == 2
    assert "nope.json: no such file" in res.stderr
    assert res.stdout == ""


def test_cli_tis_directory_is_not_a_file(tmp_path: Path) -> None:
    res = runner.invoke(app, ["tis", str(tmp_path), _write(tmp_path, "f.json", {})])
    assert res.exit_code == 2
    assert f"{tmp_path}: is a directory, not a file" in res.stderr


def test_cli_tis_invalid_json(tmp_path: Path) -> None:
    res = runner.invoke(app, ["tis", _write(tmp_path, "b.json", "{"), _write(tmp_path, "f.json", {})])
    assert res.exit_code == 2
    assert "b.json: not valid JSON" in res.stderr
    assert res.stdout == ""


def test_cli_tis_array_mmt_scale_exits_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["tis", *_tis_files(tmp_path, {"mmt_scale": ["cmas"], "mmt": 10}, {"mmt": 20})])
    assert res.exit_code == 2
    assert "baseline.mmt_scale" in res.stderr


def test_cli_mmt8_text(tmp_path: Path) -> None:
    res = runner.invoke(app, ["mmt8", _write(tmp_path, "g.json", dict(zip(GROUPS, (5, 6, 7, 8, 9, 10, 3, 0), strict=True)))])
    assert res.exit_code == 0, res.output
    assert "MMT-8 (unilateral, Kendall 0-10): 48 of 80" in res.stdout
    assert res.stderr == ""


def test_cli_mmt8_bilateral_json(tmp_path: Path) -> None:
    res = runner.invoke(app, ["mmt8", _write(tmp_path, "g.json", bilateral(10)), "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert (out["version"], out["total"], out["maximum"]) == ("bilateral", 150, 150)


def test_cli_mmt8_ungraded_group_text(tmp_path: Path) -> None:
    grades: dict[str, Any] = dict.fromkeys(GROUPS, 10)
    grades["ankle_dorsiflexors"] = None
    res = runner.invoke(app, ["mmt8", _write(tmp_path, "g.json", grades)])
    assert res.exit_code == 0, res.output
    assert "between 70 and 80 of 80 (not graded: ankle_dorsiflexors)" in res.stdout


def test_cli_mmt8_from_standard_input() -> None:
    res = runner.invoke(app, ["mmt8", "-", "-f", "json"], input=json.dumps(dict.fromkeys(GROUPS, 6)))
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["total"] == 48


@pytest.mark.parametrize(("grades", "message"), [
    ({"deltoid": 5}, "error: deltoid: unknown muscle group; did you mean 'deltoid_middle'?"),
    ({"neck_flexors": "T"}, "error: neck_flexors: a trace grade (T)"),
    ({"quadriceps": 7.5}, "error: quadriceps: 7.5 is not a Kendall grade"),
    ([], "error: (mmt8): expected a JSON object"),
])
def test_cli_mmt8_invalid_input_exits_2_naming_the_field(tmp_path: Path, grades: Any, message: str) -> None:
    res = runner.invoke(app, ["mmt8", _write(tmp_path, "g.json", grades)])
    assert res.exit_code == 2
    assert message in res.stderr
    assert res.stdout == ""


def test_cli_mmt8_missing_file(tmp_path: Path) -> None:
    res = runner.invoke(app, ["mmt8", str(tmp_path / "absent.json")])
    assert res.exit_code == 2
    assert "absent.json: no such file" in res.stderr


def test_cli_mmt8_invalid_json(tmp_path: Path) -> None:
    res = runner.invoke(app, ["mmt8", _write(tmp_path, "g.json", "{'neck_flexors': 5}")])
    assert res.exit_code == 2
    assert "g.json: not valid JSON" in res.stderr
    assert res.stdout == ""


def test_an_mmt_without_its_scale_is_read_as_mmt8_unilateral_and_the_answer_says_so() -> None:
    """Never a silent default: the same two totals are a 12.5% change on MMT-8 unilateral (0-80) and 19.2% on the
    CMAS (0-52)."""
    r = total_improvement_score({"mmt": 40}, {"mmt": 50})
    said = [w for w in r["warnings"] if "mmt_scale" in w]
    assert said == [f"{v}.mmt_scale is not given: the MMT is read as MMT-8 unilateral (0-80); give mmt_scale "
                    "(mmt8_unilateral (0-80), mmt8_bilateral (0-150), cmas (0-52)) if it is another instrument."
                    for v in ("baseline", "followup")]
    given = total_improvement_score({"mmt": 40, "mmt_scale": "cmas"}, {"mmt": 50, "mmt_scale": "cmas"})
    assert not [w for w in given["warnings"] if "mmt_scale" in w]
    with pytest.raises(InvalidCase) as e:
        total_improvement_score({"mmt": 100}, {"mmt": 50})
    assert "baseline.mmt_scale is not given; allowed mmt_scale: mmt8_unilateral (0-80)" in str(e.value)
