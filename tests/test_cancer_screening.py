"""IMACS 2023 cancer-screening category: factors, tiers, ranges, applicability."""

from __future__ import annotations

from typing import Any

import pytest

from myoclass import assess
from myoclass.examples import example_cases
from myoclass.reasoning.cancer_screening import FACTORS, IBM_REASON, cancer_screening, screening_guidance

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


# --- the reasons behind the category, and inclusion body myositis (issue 12, item 5) ------------------


def test_a_settled_category_names_the_factors_that_set_it() -> None:
    high = risk({**NONE_PRESENT, "ab_tif1g": True, "dysphagia": True})
    assert high["reasons"] == ["High: two high-risk factors present (Anti-TIF1-γ positive; dysphagia)."]
    two_inter = risk({**NONE_PRESENT, "ab_sae": True, "sex": "male"})
    assert two_inter["reasons"] == ["Moderate: two intermediate-risk factors present (Anti-SAE positive; male sex)."]
    standard = risk(NONE_PRESENT)
    assert standard["reasons"] == ["Standard: no high-risk or intermediate-risk factor present."]
    one_inter = risk({**NONE_PRESENT, "ab_sae": True})
    assert "only one intermediate-risk factor (Anti-SAE positive)" in one_inter["reasons"][0]


def test_a_range_names_only_the_unknown_factors_that_could_raise_it() -> None:
    # moderate so far (onset over 40): only a further high-risk factor can raise it; male sex (intermediate) cannot
    r = risk({**NONE_PRESENT, "age_at_onset_years": 60, "sex": None, "dysphagia": None})
    assert (r["risk"], r["possible_risks"]) == (None, ["moderate", "high"])
    assert r["reasons"][0] == "So far moderate: one high-risk factor present (age over 40 at onset)."
    assert r["reasons"][1] == "Could be high depending on these unknown factors: dysphagia."
    # standard so far with one intermediate factor: an unknown intermediate factor can raise it to moderate
    r = risk({**NONE_PRESENT, "ab_sae": True, "sex": None})
    assert r["possible_risks"] == ["standard", "moderate"]
    assert r["reasons"][1] == "Could be moderate depending on these unknown factors: male sex."


def test_the_guidance_item_gives_the_reasons() -> None:
    a = assess(example_cases()["anti_hmgcr_statin"])
    [item] = [g for g in a["guidance"] if g["id"] == "cancer.screening"]
    assert "Why: So far moderate: one high-risk factor present (age over 40 at onset) and two intermediate-risk " \
           "factors present (Anti-HMGCR positive; male sex)." in item["text"]
    # the subtype's own evidence is in the same item, cited, and not in a second cancer item
    assert "11.5%" in item["text"] and "doi:10.1093/brain/aww054" in item["citation"]
    assert [g["id"] for g in a["guidance"] if "cancer" in g["text"].lower()] == ["cancer.screening"]


@pytest.mark.parametrize(("label", "words"), [
    ("imnm_anti_hmgcr", "synchronous cancer in 11.5%"), ("imnm_seronegative", "synchronous cancer in 21.4%"),
    ("imnm_anti_srp", "no raised cancer frequency"), ("dm", "risk ratio 2.21"), ("adm", "risk ratio 0.44"),
    ("pm", "risk ratio 0.49"),
])
def test_the_label_evidence_is_among_the_notes(label: str, words: str) -> None:
    assert any(words in n for n in risk(NONE_PRESENT, label)["notes"])


def test_inclusion_body_myositis_gets_no_category_and_says_why() -> None:
    a = assess(example_cases()["inclusion_body_myositis"])  # onset 61, dysphagia, no response: "high" before
    cs = a["cancer_screening"]
    assert (cs["applicable"], cs["risk"], cs["possible_risks"], cs["timing"]) == (False, None, [], {})
    assert cs["reasons"] == [IBM_REASON]
    assert any("Shelly 2021" in n and "Buchbinder 2001" in n for n in cs["notes"])
    assert "PMID 33879596" in " ".join(cs["sources"])
    [item] = [g for g in a["guidance"] if g["id"] == "cancer.screening"]
    assert "no IMACS 2023 cancer-risk category" in item["text"] and "high —" not in item["text"]
    assert "doi:10.1212/WNL.0000000000012004" in item["citation"] and "11412048" in item["citation"]
    # the same when IBM is the only inflammatory myopathy still possible
    only_ibm = risk(NONE_PRESENT, "undetermined", frozenset({"ibm", "not_iim"}))
    assert only_ibm["applicable"] is False and IBM_REASON in only_ibm["reasons"][0]
    # while another IIM is possible, the guideline still applies once it is confirmed
    assert risk(NONE_PRESENT, "undetermined", frozenset({"ibm", "pm"}))["applicable"] is None


def test_a_recorded_cancer_is_said_first() -> None:
    a = assess(example_cases()["antibody_negative_cancer"])
    [item] = [g for g in a["guidance"] if g["id"] == "cancer.screening"]
    assert item["text"].startswith("A cancer is already recorded")
    assert not any("Cancer screening is suggested" in g["text"] for g in a["guidance"])


def test_no_screening_notes_where_the_guideline_does_not_apply() -> None:
    r = risk(NONE_PRESENT, "hereditary_myopathy")
    assert r["reasons"] == r["notes"] == [
        "No idiopathic inflammatory myopathy is classified or reachable: the guideline does not apply."]


def test_it_applies_when_every_label_still_possible_is_an_adult_iim_other_than_ibm() -> None:
    """IMNM met with only its subtype open: an inflammatory myopathy is certain, so the guideline applies (fresh
    review, session 22); while IBM, a juvenile label or a non-inflammatory label is still possible it waits."""
    values = {"age_years": 48}
    both_imnm = cancer_screening(values, "undetermined", frozenset({"imnm_anti_hmgcr", "imnm_anti_srp"}))
    assert both_imnm["applicable"] is True
    assert "Applies once an inflammatory myopathy is confirmed." not in both_imnm["notes"]
    for reachable in ({"imnm_anti_srp", "ibm"}, {"imnm_anti_srp", "jdm"}, {"imnm_anti_srp", "not_iim"}):
        open_ = cancer_screening(values, "undetermined", frozenset(reachable))
        assert open_["applicable"] is None, reachable
        if "ibm" in reachable:  # no tier would apply to IBM: the note and the guidance say "other than IBM"
            assert any(n.startswith("Applies once an inflammatory myopathy other than inclusion body myositis")
                       for n in open_["notes"])
            assert "if an IIM other than IBM is confirmed" in str((screening_guidance(open_) or {}).get("text"))
        else:
            assert "Applies once an inflammatory myopathy is confirmed." in open_["notes"]


def test_what_to_do_now_names_no_cancer_tier_while_ibm_or_a_mimic_leads() -> None:
    """A likely IBM (onset after 45, dysphagia: both IMACS high-risk factors) is not told 'high risk, PET-CT and
    endoscopy' as a step while the label is open (a clinician review of session 23); the guidance keeps the tier,
    for an IIM other than IBM."""
    from myoclass.reasoning.text import todo

    a = assess({"sex": "male", "age_years": 68, "age_at_onset_years": 65, "onset_tempo": "insidious",
                "symptom_duration_months": 36, "weakness_finger_flexor_gt_shoulder_abductor": True,
                "weakness_knee_extensor_ge_hip_flexor": True, "dysphagia": True, "ck_u_l": 600, "ck_uln_u_l": 200})
    assert a["summary"]["label"] == "undetermined" and a["summary"]["leading_label"] == "ibm"
    assert not any(line["step"].startswith("Cancer-screening") for line in todo(a))
    item = next(g for g in a["guidance"] if g["id"] == "cancer.screening")
    assert "if an IIM other than IBM is confirmed" in item["text"]


def test_a_biopsy_that_could_add_ibm_makes_the_tier_other_than_ibm() -> None:
    """No biopsy done: IBM is not reachable yet, but a biopsy would make it the likeliest label; the tier says 'other
    than IBM' (the second review of session 23)."""
    a = assess({"age_years": 68, "age_at_onset_years": 62, "sex": "male", "onset_tempo": "insidious",
                "symptom_duration_months": 72, "weakness_finger_flexor_gt_shoulder_abductor": True,
                "weakness_knee_extensor_ge_hip_flexor": True, "weakness_asymmetric": True, "dysphagia": True,
                "ck_u_l": 600, "ck_uln_u_l": 200, "biopsy_performed": False})
    assert "ibm" not in a["summary"]["reachable_labels"]
    item = next(g for g in a["guidance"] if g["id"] == "cancer.screening")
    assert "if an IIM other than IBM is confirmed" in item["text"]


@pytest.mark.parametrize("example", ["anti_hmgcr_statin", "antibody_negative_cancer"])
def test_the_later_case_control_study_is_cited_by_name(example: str) -> None:
    """The IMNM notes' "later case-control study" names its source (Shelly et al. 2022, PMID 35285492, read from its
    abstract: no greater cancer risk than in matched controls); a clinician review of session 35 found it uncited."""
    cs = assess(example_cases()[example])["cancer_screening"]
    note = next(n for n in cs["notes"] if "case-control study" in n)
    assert "(Shelly 2022)" in note
    assert "Shelly et al. 2022 (Rheumatology), PMID 35285492" in cs["sources"]
