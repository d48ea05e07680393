"""IMACS 2023 cancer-screening category: factors, tiers, ranges, applicability."""

from __future__ import annotations

from typing import Any

import pytest

from myoclass import assess
from myoclass.reasoning.cancer_screening import FACTORS, cancer_screening

DM = frozenset({"dm"})
#: every factor known absent: a 35-year-old woman with antisynthetase antibodies, responding to treatment
NONE_PRESENT: dict[str, Any] = {
    "age_at_onset_years": 35, "sex": "female", "ab_tif1g": False, "ab_nxp2": False, "dysphagia": False,
    "skin_ulceration": False, "immunosuppression_response": "improved", "ab_sae": False, "ab_hmgcr": False,
    "ab_jo1": True,
}
HIGH = {"ab_tif1g": True, "age_at_onset_years": 55}


def risk(values: dict[str, Any], label: str = "antisynthetase", reach: frozenset[str] | None = None) -> dict[str, Any]:
    return cancer_screening(values, label, reach or frozenset({label}))


def test_standard_risk_with_no_factor() -> None:
    r = risk(NONE_PRESENT)
    assert (r["applicable"], r["risk"]) == (True, "standard")
    assert r["timing"] == {"standard": "basic panel at diagnosis"}


@pytest.mark.parametrize(("extra", "label", "expected"), [
    ({"ab_tif1g": True}, "antisynthetase", "moderate"),                      # one high-risk factor
    ({"ab_sae": True, "sex": "male"}, "antisynthetase", "moderate"),         # two intermediate factors
    ({"ab_sae": True}, "antisynthetase", "standard"),                        # one intermediate factor
    ({"ab_tif1g": True, "dysphagia": True}, "antisynthetase", "high"),       # two high-risk factors
    ({"age_at_onset_years": 41}, "antisynthetase", "moderate"),              # onset over 40
    ({"age_at_onset_years": 40}, "antisynthetase", "standard"),              # 40 is not over 40
    ({}, "dm", "moderate"),                                                  # dermatomyositis
    ({"immunosuppression_response": "no_response"}, "antisynthetase", "moderate"),
    ({"skin_ulceration": True}, "antisynthetase", "moderate"),
    ({"ab_nxp2": True}, "antisynthetase", "moderate"),
])
def test_tiers(extra: dict[str, Any], label: str, expected: str) -> None:
    assert risk({**NONE_PRESENT, **extra}, label)["risk"] == expected


def test_unknown_factors_give_a_range_that_contains_every_completion() -> None:
    values = {**NONE_PRESENT, "dysphagia": None, "skin_ulceration": None}
    r = risk(values)
    assert r["risk"] is None
    assert r["possible_risks"] == ["standard", "moderate", "high"]
    seen = {risk({**values, "dysphagia": a, "skin_ulceration": b})["risk"] for a in (True, False) for b in (True, False)}
    assert seen == set(r["possible_risks"])


def test_juvenile_onset_needs_no_routine_screening() -> None:
    a = assess({"age_at_onset_years": 9, "age_years": 10, "skin_heliotrope": True, "skin_gottron_papules": True,
                "weakness_proximal_upper_symmetric": True, "ck_u_l": 900, "ck_uln_u_l": 200})
    assert a["cancer_screening"]["applicable"] is False
    assert any(g["id"] == "cancer.screening" and "not routinely required" in g["text"] for g in a["guidance"])


def test_not_applicable_without_an_inflammatory_myopathy() -> None:
    r = risk(NONE_PRESENT, "hereditary_myopathy")
    assert r["applicable"] is False and r["risk"] is None


def test_reported_as_unverified_with_the_guideline_citation() -> None:
    r = risk(NONE_PRESENT)
    assert "10.1038/s41584-023-01045-w" in r["guideline"]
    assert all(f["unverified"] for f in r["factors"]) and len(r["factors"]) == len(FACTORS)


def test_assessment_carries_a_cited_screening_item_for_an_iim() -> None:
    a = assess({"ab_hmgcr": True, "ck_u_l": 5000, "ck_uln_u_l": 200, "weakness_proximal_upper_symmetric": True,
                **HIGH, "dysphagia": True})
    items = [g for g in a["guidance"] if g["id"] == "cancer.screening"]
    assert items and items[0]["unverified"] and "37945774" in items[0]["citation"]
    assert a["cancer_screening"]["risk"] == "high"
