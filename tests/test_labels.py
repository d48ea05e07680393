"""The bottom-line label: precedence (reasoning/engine.py docstring), examples, warnings, reachable labels."""

from __future__ import annotations

import itertools
import json
import random
from importlib import resources
from typing import Any

import pytest

from _builders import (
    CK_RAISED,
    DEFAULT,
    ENDOMYSIAL,
    FINGER_FLEXOR,
    HELIOTROPE,
    KNEE_EXTENSOR,
    LOWER,
    NECK_FLEXOR,
    PERIMYSIAL,
    RASH_FREE_OFF,
    UPPER,
    blank,
    onset_at,
    present,
    unknown,
    with_biopsy,
)
from myoclass import Policy, assess

EXAMPLES: dict[str, dict[str, Any]] = json.loads(
    resources.files("myoclass.examples").joinpath("cases.json").read_text(encoding="utf-8"))

WEAK = present(UPPER, LOWER)
SERONEG = {"ab_hmgcr": False, "ab_srp": False}
NECROTIZING = present("biopsy_necrotic_fibers", "biopsy_necrosis_predominant", "biopsy_regenerating_fibers")

# --- building blocks, each satisfying one rule ---------------------------------------------------
ANTI_HMGCR = {**WEAK, **CK_RAISED, "ab_hmgcr": True}
ANTI_SRP = {**WEAK, **CK_RAISED, "ab_srp": True}
ANTISYNTHETASE = present("ab_jo1", "ild")
#: ENMC 2011 probable IBM: onset 60, 24 months, CK 4.5x, finger flexors, rimmed vacuoles on biopsy
ENMC_IBM = {**onset_at(60), "symptom_duration_months": 24, "ck_u_l": 900,
            **present(FINGER_FLEXOR, KNEE_EXTENSOR, "biopsy_rimmed_vacuoles")}
#: EULAR/ACR PM leaf with a biopsy: 2.2 + 0.7 + 0.5 + 1.6 + 1.4 = 6.4 (+ biopsy features)
EULAR_PM_BASE = {**onset_at(55), **WEAK, **present(NECK_FLEXOR), **CK_RAISED, **SERONEG}
STATIN_RESOLVED = {"statin_exposure": True, "statin_withdrawal_outcome": "resolved"}
SERONEGATIVE_IMNM = {**EULAR_PM_BASE, **NECROTIZING}  # EULAR 6.4 + nothing: not IIM by EULAR
#: ENMC 2003 non-specific myositis (perimysial infiltrate, myopathic EMG), also EULAR PM (7.6)
NON_SPECIFIC = {**EULAR_PM_BASE, **present(PERIMYSIAL, "emg_myopathic")}
EULAR_PM = {**EULAR_PM_BASE, **present(ENDOMYSIAL)}  # 8.1: probable IIM, PM leaf

# one case per rule, in the docstring's order; each also satisfies a later rule where one can
PRECEDENCE = [
    pytest.param(blank(**ANTI_HMGCR, ab_srp=True), "imnm_anti_hmgcr", id="1 anti-HMGCR before anti-SRP"),
    pytest.param(blank(**ANTI_SRP, **ANTISYNTHETASE), "imnm_anti_srp", id="2 anti-SRP before antisynthetase"),
    pytest.param(with_biopsy(**ENMC_IBM, **ANTISYNTHETASE, ab_hmgcr=False, ab_srp=False), "antisynthetase",
                 id="3 antisynthetase before IBM"),
    pytest.param(with_biopsy(**ENMC_IBM, **present(HELIOTROPE, UPPER)), "dm",
                 id="4 DM before IBM (ENMC 2011), as in the EULAR/ACR tree"),
    pytest.param(blank(**onset_at(10), **present(HELIOTROPE, "skin_gottron_sign"), genetic_diagnosis_gene="DMD"),
                 "hereditary_myopathy", id="0 a genetic diagnosis before JDM (issue 14)"),
    pytest.param(blank(**onset_at(55), **present(HELIOTROPE, UPPER), **STATIN_RESOLVED, ab_hmgcr=False),
                 "dm", id="5 DM before statin toxic myopathy"),
    pytest.param(blank(**onset_at(55), **present(HELIOTROPE, "skin_gottron_sign"), other_myotoxic_drug=True),
                 "adm", id="5 ADM before non-immune cause"),
    pytest.param(with_biopsy(**EULAR_PM, **STATIN_RESOLVED, genetic_diagnosis_gene="DYSF"),
                 "hereditary_myopathy", id="6 hereditary (gene) before statin toxic and PM"),
    pytest.param(with_biopsy(**EULAR_PM, **present("biopsy_dystrophic_features", "hypothyroidism")),
                 "hereditary_myopathy", id="6 hereditary (dystrophic biopsy) before non-immune and PM"),
    pytest.param(with_biopsy(**EULAR_PM, **STATIN_RESOLVED, hypothyroidism=True),
                 "statin_toxic_myopathy", id="7 statin toxic before non-immune and PM"),
    pytest.param(with_biopsy(**EULAR_PM, hypothyroidism=True), "other_non_immune",
                 id="7 non-immune (hypothyroid) before PM"),
    pytest.param(with_biopsy(**EULAR_PM_BASE, **present("weakness_legs_proximal_gt_distal", FINGER_FLEXOR),
                             **STATIN_RESOLVED, immunosuppression_response="no_response"),
                 "statin_toxic_myopathy", id="6 statin toxic before IBM (EULAR/ACR tree leaf)"),
    pytest.param(with_biopsy(**ENMC_IBM, genetic_diagnosis_gene="DYSF"), "hereditary_myopathy",
                 id="5 hereditary (gene) before IBM (ENMC 2011)"),
    pytest.param(with_biopsy(**onset_at(10), **present("ab_jo1", NECK_FLEXOR, ENDOMYSIAL), hypothyroidism=True),
                 "other_non_immune", id="7 non-immune cause before juvenile myositis other"),
    pytest.param(with_biopsy(**onset_at(10), **present("ab_jo1", NECK_FLEXOR, ENDOMYSIAL)),
                 "juvenile_myositis_other", id="9 juvenile myositis other than JDM"),
    pytest.param(with_biopsy(**ENMC_IBM), "ibm", id="8 IBM (ENMC 2011)"),
    pytest.param(with_biopsy(**SERONEGATIVE_IMNM, other_myotoxic_drug=True), "other_non_immune",
                 id="8 non-immune (drug) before seronegative IMNM"),
    pytest.param(with_biopsy(**SERONEGATIVE_IMNM, **present(PERIMYSIAL, "emg_myopathic")), "imnm_seronegative",
                 id="9 seronegative IMNM before non-specific myositis and PM"),
    pytest.param(with_biopsy(**NON_SPECIFIC), "nonspecific_myositis", id="10 non-specific myositis before PM"),
    pytest.param(with_biopsy(**EULAR_PM), "pm", id="11 PM"),
    pytest.param(blank(**WEAK, **CK_RAISED), "not_iim", id="12 not IIM"),
]


@pytest.mark.parametrize(("case", "expected"), PRECEDENCE)
def test_label_precedence(case: dict[str, Any], expected: str) -> None:
    a = assess(case)
    assert a["summary"]["label"] == expected
    assert a["summary"]["reachable_labels"] == [expected]


def test_precedence_cases_satisfy_the_later_rule_they_are_tested_against() -> None:
    """The precedence cases are meaningful only if the lower rule holds on its own."""
    assert assess(blank(**ANTI_SRP))["summary"]["label"] == "imnm_anti_srp"
    assert assess(blank(**WEAK, **CK_RAISED, **ANTISYNTHETASE))["summary"]["label"] == "antisynthetase"
    assert assess(with_biopsy(**ENMC_IBM))["summary"]["label"] == "ibm"
    assert assess(blank(**onset_at(55), **present(HELIOTROPE, UPPER)))["summary"]["label"] == "dm"
    assert assess(blank(genetic_diagnosis_gene="DMD"))["summary"]["label"] == "hereditary_myopathy"
    assert assess(blank(**STATIN_RESOLVED))["summary"]["label"] == "statin_toxic_myopathy"
    assert assess(blank(hypothyroidism=True))["summary"]["label"] == "other_non_immune"
    assert assess(with_biopsy(**SERONEGATIVE_IMNM))["summary"]["label"] == "imnm_seronegative"
    nsm = assess(with_biopsy(**SERONEGATIVE_IMNM, **present(PERIMYSIAL, "emg_myopathic")))
    assert nsm["criteria"]["enmc_2003_iim"]["category"] == "non-specific myositis"
    assert nsm["criteria"]["eular_acr_2017"]["subgroup"] == "polymyositis (includes IMNM)"
    assert assess(with_biopsy(**NON_SPECIFIC))["criteria"]["eular_acr_2017"]["subgroup"] == \
        "polymyositis (includes IMNM)"


# --- statin toxic myopathy vs anti-HMGCR ---------------------------------------------------------


def test_statin_resolved_with_anti_hmgcr_is_imnm_not_statin_toxicity() -> None:
    a = assess(blank(**ANTI_HMGCR, **STATIN_RESOLVED))
    assert a["summary"]["label"] == "imnm_anti_hmgcr"
    assert any(w.startswith("Anti-HMGCR is positive, so this is not an ordinary statin intolerance")
               for w in a["warnings"])


def test_statin_resolved_without_anti_hmgcr_is_statin_toxic_myopathy() -> None:
    a = assess(blank(**{**ANTI_HMGCR, "ab_hmgcr": False}, **STATIN_RESOLVED))
    assert a["summary"]["label"] == "statin_toxic_myopathy"


def test_statin_resolved_with_anti_hmgcr_untested_is_undetermined() -> None:
    a = assess(blank(**{**ANTI_HMGCR, "ab_hmgcr": None}, **STATIN_RESOLVED))
    assert a["summary"]["label"] == "undetermined"
    assert set(a["summary"]["reachable_labels"]) == {"imnm_anti_hmgcr", "statin_toxic_myopathy"}
    test = next(t for t in a["next_tests"] if t["finding"] == "ab_hmgcr")
    assert (test["purpose"], test["if_true"], test["if_false"]) == ("decides", "imnm_anti_hmgcr",
                                                                    "statin_toxic_myopathy")


@pytest.mark.parametrize("outcome", ["persisted", None])
def test_statin_myopathy_needs_resolution_after_withdrawal(outcome: str | None) -> None:
    a = assess(blank(statin_exposure=True, statin_withdrawal_outcome=outcome, ab_hmgcr=False))
    if outcome is None:
        assert set(a["summary"]["reachable_labels"]) == {"statin_toxic_myopathy", "not_iim"}
    else:
        assert a["summary"]["label"] == "not_iim"


# --- mimics --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mimic", "expected"), [
    ({"genetic_diagnosis_gene": "DYSF"}, "hereditary_myopathy"),
    ({"genetic_diagnosis_gene": "HMGCR"}, "hereditary_myopathy"),
    ({"biopsy_dystrophic_features": True}, "hereditary_myopathy"),
    ({"hypothyroidism": True}, "other_non_immune"),
    ({"other_myotoxic_drug": True}, "other_non_immune"),
])
def test_mimic_labels(mimic: dict[str, Any], expected: str) -> None:
    assert assess(with_biopsy(**WEAK, **CK_RAISED, **mimic))["summary"]["label"] == expected


def test_unknown_mimic_does_not_make_the_label_undetermined() -> None:
    case = unknown(with_biopsy(**EULAR_PM), "hypothyroidism", "other_myotoxic_drug", "family_history_myopathy",
                   "biopsy_dystrophic_features")
    a = assess(case)
    assert a["summary"]["label"] == "pm"
    rules_out = {t["finding"] for t in a["next_tests"] if t["purpose"] == "rules_out"}
    assert {"hypothyroidism", "other_myotoxic_drug", "biopsy_dystrophic_features"} <= rules_out


# --- bundled examples ----------------------------------------------------------------------------

EXPECTED_EXAMPLE_LABELS = {
    "anti_hmgcr_statin": "imnm_anti_hmgcr",
    "anti_hmgcr_statin_naive_young": "imnm_anti_hmgcr",
    "anti_srp_cardiac": "imnm_anti_srp",
    "antibody_negative_cancer": "imnm_seronegative",
    "dermatomyositis": "dm",
    "amyopathic_dm": "adm",
    "inclusion_body_myositis": "ibm",
    "antisynthetase_syndrome": "antisynthetase",
    "dysferlinopathy_mimic": "hereditary_myopathy",
    "statin_toxic_myopathy": "statin_toxic_myopathy",
    "mostly_unknown": "undetermined",
}


def test_every_example_is_listed() -> None:
    assert set(EXAMPLES) == set(EXPECTED_EXAMPLE_LABELS)


@pytest.mark.parametrize(("name", "expected"), EXPECTED_EXAMPLE_LABELS.items())
def test_example_gets_the_label_its_name_implies(name: str, expected: str) -> None:
    a = assess(EXAMPLES[name])
    assert a["summary"]["label"] == expected
    assert a["case_id"] == EXAMPLES[name]["case_id"]


# --- disagreement warnings -----------------------------------------------------------------------


def test_anti_hmgcr_in_the_eular_pm_group_warns_about_the_disagreement() -> None:
    a = assess(EXAMPLES["anti_hmgcr_statin"])
    assert a["criteria"]["eular_acr_2017"]["subgroup"] == "polymyositis (includes IMNM)"
    warning = [w for w in a["warnings"] if "EULAR/ACR places this case in its PM group" in w]
    assert len(warning) == 1
    assert warning[0].startswith("EULAR/ACR places this case in its PM group, which includes IMNM; "
                                 "ENMC 224: anti-HMGCR myopathy")


def test_anti_hmgcr_below_the_eular_threshold_warns_differently() -> None:
    a = assess(EXAMPLES["anti_hmgcr_statin_naive_young"])
    assert a["criteria"]["eular_acr_2017"]["status"] == "not_met"
    assert not [w for w in a["warnings"] if "EULAR/ACR places this case in its PM group" in w]
    assert any(w.startswith("EULAR/ACR 2017 does not classify this case as IIM") for w in a["warnings"])


def test_no_imnm_disagreement_warning_for_other_labels() -> None:
    a = assess(with_biopsy(**EULAR_PM))
    assert a["summary"]["label"] == "pm"
    assert not [w for w in a["warnings"] if "ENMC 224" in w]


# --- undetermined exactly when more than one label is reachable ----------------------------------


def _variants(seed: int, n: int) -> list[dict[str, Any]]:
    """Examples with a few random findings set to null (fixed seed, so the test is repeatable)."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for _ in range(n):
        base = EXAMPLES[rng.choice(sorted(EXAMPLES))]
        keys = [k for k in base if k != "case_id"]
        out.append(unknown(base, *rng.sample(keys, k=min(len(keys), rng.randint(1, 6)))))
    return out


@pytest.mark.parametrize("case", list(EXAMPLES.values()) + _variants(seed=2017, n=60))
def test_undetermined_exactly_when_more_than_one_label_is_reachable(case: dict[str, Any]) -> None:
    s = assess(case)["summary"]
    assert len(s["reachable_labels"]) >= 1
    assert (s["label"] == "undetermined") == (len(s["reachable_labels"]) > 1)
    if s["label"] != "undetermined":
        assert s["reachable_labels"] == [s["label"]]


def _completion_labels(case: dict[str, Any], keys: tuple[str, ...], policy: Policy) -> set[str]:
    labels = set()
    for values in itertools.product((False, True), repeat=len(keys)):
        s = assess({**case, **dict(zip(keys, values, strict=True))}, policy)["summary"]
        assert s["label"] != "undetermined"
        labels.add(s["label"])
    return labels


EXACTNESS_CASES = [
    pytest.param(EXAMPLES["anti_hmgcr_statin"], ("ab_hmgcr", "ab_srp", "ab_jo1", "ild"), DEFAULT,
                 id="antibodies and ILD"),
    pytest.param(with_biopsy(**EULAR_PM, biopsy_necrotic_fibers=True),
                 ("biopsy_necrosis_predominant", PERIMYSIAL, "emg_myopathic", HELIOTROPE), DEFAULT, id="PM biopsy"),
    pytest.param(blank(**onset_at(55), **WEAK, **CK_RAISED, **SERONEG),
                 (NECK_FLEXOR, "weakness_legs_proximal_gt_distal", FINGER_FLEXOR, "ab_pl7"), RASH_FREE_OFF,
                 id="weakness pattern, rash-free rule off"),
]


@pytest.mark.parametrize(("case", "keys", "policy"), EXACTNESS_CASES)
def test_reachable_labels_are_exactly_the_labels_of_the_completions(
    case: dict[str, Any], keys: tuple[str, ...], policy: Policy
) -> None:
    s = assess(unknown(case, *keys), policy)["summary"]
    assert s["reachable_labels_exact"] is True
    assert set(s["reachable_labels"]) == _completion_labels(case, keys, policy)


def test_every_antibody_positive_on_a_line_blot_is_flagged_with_its_source() -> None:
    """Not only anti-HMGCR and anti-SRP (a clinician review of session 23): anti-OJ on a line blot labels a case
    antisynthetase syndrome, and line-blot bands of non-Jo-1 synthetases are often false positives (To et al. 2020)."""
    from myoclass import assess

    case = {"age_years": 44, "ab_oj": True, "ab_oj_method": "line_blot", "skin_mechanics_hands": True,
            "ab_ro52": True, "ab_ro52_method": "line_blot", "ab_jo1": False, "ab_jo1_method": "line_blot"}
    w = [x for x in assess(case)["warnings"] if "line blot" in x]
    assert len(w) == 1
    assert "anti-OJ and anti-Ro52 were positive" in w[0] and "doi:10.1186/s41927-020-00132-9" in w[0]
    assert "anti-Jo-1" not in w[0]  # negative results are not flagged
    by_ip = dict(case, ab_oj_method="immunoprecipitation", ab_ro52_method="elisa")
    assert not any("line blot" in x for x in assess(by_ip)["warnings"])


def test_a_likely_label_names_the_unverified_items_it_would_rest_on() -> None:
    """While the label is open, a leading label at 80% or more names the unverified [R] items of its set that the case
    meets, as a settled one does (a clinician review of session 23)."""
    from myoclass import assess

    a = assess({"sex": "female", "age_years": 45, "age_at_onset_years": 45, "skin_mechanics_hands": True,
                "ild": True, "arthritis": True, "ab_jo1": True})
    assert a["summary"]["label"] == "undetermined" and a["summary"]["leading_label"] == "antisynthetase"
    (w,) = [x for x in a["warnings"] if x.startswith("The most likely label")]
    assert "antisynthetase syndrome (>99%)" in w and "[R]" in w and "Interstitial lung disease" in w
    settled = assess({"ab_hmgcr": False, "ab_srp": False, "skin_mechanics_hands": True, "ild": True, "ab_jo1": True,
                      "age_years": 45})
    if settled["summary"]["label"] == "antisynthetase":
        assert not any(x.startswith("The most likely label") for x in settled["warnings"])
