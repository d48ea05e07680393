"""2017 EULAR/ACR IIM criteria: weights, worked examples, cut-offs, tree, rash-free rule, ranges.

Expected numbers are those of ``shared/domain/criteria.md`` §2.2-2.5.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from _builders import (
    CK_RAISED,
    DEFAULT,
    DYSPHAGIA,
    ENDOMYSIAL,
    FINGER_FLEXOR,
    GOTTRON_PAPULES,
    GOTTRON_SIGN,
    HELIOTROPE,
    JO1,
    LEGS_PROXIMAL,
    LOWER,
    NECK_FLEXOR,
    PERIFASCICULAR,
    PERIMYSIAL,
    RASH_FREE_OFF,
    RIMMED_VACUOLES,
    UPPER,
    blank,
    onset_at,
    present,
    unknown,
    with_biopsy,
)
from myoclass import Policy, assess
from myoclass.reasoning.text import policy_text

EULAR = "eular_acr_2017"

NOT_IIM = "not IIM"
POSSIBLE = "possible IIM"
PROBABLE = "probable IIM"
DEFINITE = "definite IIM"
RASH_FREE_NOT_CLASSIFIED = "not classifiable as IIM: no DM rash and the rash-free biopsy rule is not satisfied"

#: onset before 18 scores nothing, so one item alone gives exactly its weight
JUVENILE = onset_at(10)


def eular(case: dict[str, Any], policy: Policy = DEFAULT) -> dict[str, Any]:
    return assess(case, policy)["criteria"][EULAR]


def item(out: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for i in out["items"] if i["id"] == item_id)


# ---------------------------------------------------------------------------------------------
# weights (criteria.md §2.2)
# ---------------------------------------------------------------------------------------------

# (item id, findings that make it present, weight without biopsy, weight with biopsy)
WEIGHTS = [
    ("age_onset_18_to_39", onset_at(18), 1.3, 1.5),
    ("age_onset_18_to_39", onset_at(39.9), 1.3, 1.5),
    ("age_onset_40_or_more", onset_at(40), 2.1, 2.2),
    ("age_onset_40_or_more", onset_at(75), 2.1, 2.2),
    ("weakness_proximal_upper", present(UPPER), 0.7, 0.7),
    ("weakness_proximal_lower", present(LOWER), 0.8, 0.5),
    ("neck_flexors_weaker", present(NECK_FLEXOR), 1.9, 1.6),
    ("legs_proximal_weaker", present(LEGS_PROXIMAL), 0.9, 1.2),
    ("heliotrope_rash", present(HELIOTROPE), 3.1, 3.2),
    ("gottron_papules", present(GOTTRON_PAPULES), 2.1, 2.7),
    ("gottron_sign", present(GOTTRON_SIGN), 3.3, 3.7),
    ("dysphagia", present(DYSPHAGIA), 0.7, 0.6),
    ("anti_jo1", present(JO1), 3.9, 3.8),
    ("elevated_enzymes", CK_RAISED, 1.3, 1.4),
    ("elevated_enzymes", present("ldh_elevated"), 1.3, 1.4),
    ("elevated_enzymes", present("ast_elevated"), 1.3, 1.4),
    ("elevated_enzymes", present("alt_elevated"), 1.3, 1.4),
    ("elevated_enzymes", {"ck_u_l": None, "ck_uln_u_l": None, "ck_elevated": True}, 1.3, 1.4),
]
BIOPSY_WEIGHTS = [
    ("biopsy_endomysial", ENDOMYSIAL, 1.7),
    ("biopsy_perimysial_perivascular", PERIMYSIAL, 1.2),
    ("biopsy_perifascicular_atrophy", PERIFASCICULAR, 1.9),
    ("biopsy_rimmed_vacuoles", RIMMED_VACUOLES, 3.1),
]


def test_nothing_present_scores_zero_in_both_models() -> None:
    for case in (blank(**JUVENILE), with_biopsy(**JUVENILE)):
        out = eular(case)
        assert out["score"] == 0
        assert out["category"] == NOT_IIM


@pytest.mark.parametrize(("item_id", "findings", "without_biopsy", "with_biopsy_weight"), WEIGHTS)
def test_weight_of_each_item_in_both_models(
    item_id: str, findings: dict[str, Any], without_biopsy: float, with_biopsy_weight: float
) -> None:
    no_bx = eular(blank(**{**JUVENILE, **findings}))
    assert no_bx["model"] == "without_biopsy"
    assert no_bx["score"] == pytest.approx(without_biopsy)
    assert item(no_bx, item_id)["state"] is True
    assert item(no_bx, item_id)["weight"] == pytest.approx(without_biopsy)

    bx = eular(with_biopsy(**{**JUVENILE, **findings}))
    assert bx["model"] == "with_biopsy"
    assert bx["score"] == pytest.approx(with_biopsy_weight)
    assert item(bx, item_id)["weight"] == pytest.approx(with_biopsy_weight)


@pytest.mark.parametrize(("item_id", "key", "weight"), BIOPSY_WEIGHTS)
def test_biopsy_items_score_only_in_the_biopsy_model(item_id: str, key: str, weight: float) -> None:
    out = eular(with_biopsy(**JUVENILE, **present(key)))
    assert out["score"] == pytest.approx(weight)
    entry = item(out, item_id)
    assert (entry["state"], entry["weight"], entry["weight_without_biopsy"]) == (True, weight, None)
    # without a biopsy the item is known absent and carries no weight
    no_bx = eular(blank(**JUVENILE))
    assert item(no_bx, item_id)["state"] is False
    assert item(no_bx, item_id)["weight"] is None


@pytest.mark.parametrize("findings", [
    onset_at(17.9),
    present("aldolase_elevated"),  # aldolase is not a EULAR/ACR enzyme
    present("ab_hmgcr"),
    present("ab_srp"),
    present("ab_pl7", "ab_mda5", "ab_tif1g"),
    present("skin_other_dm_rash", "skin_mechanics_hands"),
    present("weakness_neck_extensor_gt_flexor"),
    present(FINGER_FLEXOR),
])
def test_findings_that_carry_no_points(findings: dict[str, Any]) -> None:
    assert eular(blank(**{**JUVENILE, **findings}))["score"] == 0
    assert eular(with_biopsy(**{**JUVENILE, **findings}))["score"] == 0


def test_biopsy_necrosis_and_other_biopsy_findings_carry_no_points() -> None:
    out = eular(with_biopsy(**JUVENILE, **present("biopsy_necrotic_fibers", "biopsy_necrosis_predominant",
                                                 "biopsy_mhc1_upregulation", "biopsy_mac_sarcolemma_non_necrotic",
                                                 "biopsy_invasion_non_necrotic_fibers")))
    assert out["score"] == 0


def test_only_one_age_band_scores() -> None:
    assert eular(blank(**onset_at(50)))["score"] == pytest.approx(2.1)
    assert eular(blank(**onset_at(30)))["score"] == pytest.approx(1.3)


def test_skin_items_are_additive() -> None:
    skin = present(HELIOTROPE, GOTTRON_PAPULES, GOTTRON_SIGN)
    assert eular(blank(**JUVENILE, **skin))["score"] == pytest.approx(3.1 + 2.1 + 3.3)
    assert eular(with_biopsy(**JUVENILE, **skin))["score"] == pytest.approx(3.2 + 2.7 + 3.7)


ALL_CLINICAL = present(UPPER, LOWER, NECK_FLEXOR, LEGS_PROXIMAL, HELIOTROPE, GOTTRON_PAPULES, GOTTRON_SIGN,
                       DYSPHAGIA, JO1)
ALL_BIOPSY = present(ENDOMYSIAL, PERIMYSIAL, PERIFASCICULAR, RIMMED_VACUOLES)


def test_maximum_score_without_biopsy_is_20_8() -> None:
    out = eular(blank(**onset_at(50), **ALL_CLINICAL, **CK_RAISED))
    assert out["score"] == pytest.approx(20.8)
    assert out["category"] == DEFINITE
    assert out["probability"] == pytest.approx(1.0, abs=1e-4)


def test_maximum_score_with_biopsy_is_29_5() -> None:
    out = eular(with_biopsy(**onset_at(50), **ALL_CLINICAL, **CK_RAISED, **ALL_BIOPSY))
    assert out["score"] == pytest.approx(29.5)
    assert out["category"] == DEFINITE


# ---------------------------------------------------------------------------------------------
# worked examples (criteria.md §2.4)
# ---------------------------------------------------------------------------------------------

#: age 55, proximal upper + lower weakness, neck flexor > extensor, legs proximal > distal, raised CK
IMNM_PATTERN = {**onset_at(55), **present(UPPER, LOWER, NECK_FLEXOR, LEGS_PROXIMAL), **CK_RAISED}
NECROSIS_ONLY = present("biopsy_necrotic_fibers", "biopsy_necrosis_predominant", "biopsy_regenerating_fibers")

WORKED_EXAMPLES = [
    pytest.param(blank(**IMNM_PATTERN), "without_biopsy", 7.7, 91.5, DEFINITE, id="no biopsy"),
    pytest.param(with_biopsy(**IMNM_PATTERN, **NECROSIS_ONLY), "with_biopsy", 7.6, 75.2, PROBABLE,
                 id="biopsy with necrosis only"),
    pytest.param(with_biopsy(**IMNM_PATTERN, **NECROSIS_ONLY, **present(PERIMYSIAL)), "with_biopsy", 8.8, 91.0,
                 DEFINITE, id="biopsy with perimysial/perivascular cells"),
    pytest.param(blank(**{**IMNM_PATTERN, NECK_FLEXOR: False}), "without_biopsy", 5.8, 61.5, PROBABLE,
                 id="no neck flexor item"),
    pytest.param(blank(**{**IMNM_PATTERN, NECK_FLEXOR: False, LEGS_PROXIMAL: False}), "without_biopsy", 4.9,
                 39.4, NOT_IIM, id="no neck flexor and no leg pattern"),
]


@pytest.mark.parametrize(("case", "model", "score", "percent", "category"), WORKED_EXAMPLES)
def test_worked_examples(case: dict[str, Any], model: str, score: float, percent: float, category: str) -> None:
    # the rash-free biopsy rule is a separate policy (tested below); switch it off to see the score alone
    out = eular(case, RASH_FREE_OFF)
    assert out["model"] == model
    assert out["score"] == pytest.approx(score)
    assert out["score_min"] == out["score_max"] == pytest.approx(score)
    # criteria.md gives the probability as a percentage with one decimal
    assert abs(100 * out["probability"] - percent) <= 0.05 + 1e-9
    assert out["probability_min"] == out["probability_max"] == out["probability"]
    assert out["category"] == category
    assert out["status"] == ("not_met" if category == NOT_IIM else "met")


def test_a_biopsy_without_scored_features_lowers_the_probability() -> None:
    no_bx = eular(blank(**IMNM_PATTERN), RASH_FREE_OFF)
    bx = eular(with_biopsy(**IMNM_PATTERN, **NECROSIS_ONLY), RASH_FREE_OFF)
    assert bx["score"] < no_bx["score"]
    assert bx["probability"] < no_bx["probability"]


def test_probability_formula_uses_the_model_intercept() -> None:
    without = eular(blank(**JUVENILE, **present(JO1)))
    assert without["probability"] == pytest.approx(1 / (1 + math.exp(5.33 - 3.9)), abs=1e-4)
    with_bx = eular(with_biopsy(**JUVENILE, **present(JO1)))
    assert with_bx["probability"] == pytest.approx(1 / (1 + math.exp(6.49 - 3.8)), abs=1e-4)


# ---------------------------------------------------------------------------------------------
# cut-offs (criteria.md §2.3)
# ---------------------------------------------------------------------------------------------

# (score, findings reaching exactly that score); the rash-free rule is switched off in these tests
NO_BIOPSY_SCORES = {
    5.2: {**onset_at(55), **present(HELIOTROPE)},
    5.3: {**onset_at(25), **present(UPPER, GOTTRON_SIGN)},
    5.4: {**onset_at(55), **present(GOTTRON_SIGN)},
    5.5: {**onset_at(55), **present(GOTTRON_PAPULES), **CK_RAISED},
    7.4: {**onset_at(25), **present(UPPER, GOTTRON_PAPULES, GOTTRON_SIGN)},
    7.5: {**onset_at(55), **present(GOTTRON_PAPULES, GOTTRON_SIGN)},
}
BIOPSY_SCORES = {
    6.4: {**onset_at(25), **present(LEGS_PROXIMAL, GOTTRON_SIGN)},
    6.5: {**onset_at(25), **present(LEGS_PROXIMAL, JO1)},
    6.6: {**onset_at(55), **present(UPPER, GOTTRON_SIGN)},
    6.7: {**onset_at(55), **present(UPPER, JO1)},
    8.6: {**onset_at(55), **present(GOTTRON_PAPULES, GOTTRON_SIGN)},
    8.7: {**onset_at(55), **present(GOTTRON_PAPULES, JO1)},
}
SCORE_POLICY = Policy(eular_cutoffs="score", eular_rash_free="off")
PROBABILITY_POLICY = Policy(eular_cutoffs="probability", eular_rash_free="off")


def _case(score: float, biopsy: bool) -> dict[str, Any]:
    return with_biopsy(**BIOPSY_SCORES[score]) if biopsy else blank(**NO_BIOPSY_SCORES[score])


@pytest.mark.parametrize(("score", "biopsy", "category"), [
    (5.2, False, NOT_IIM),
    (5.3, False, POSSIBLE),
    (5.4, False, POSSIBLE),
    (5.5, False, PROBABLE),
    (7.4, False, PROBABLE),
    (7.5, False, DEFINITE),
    (6.4, True, NOT_IIM),
    (6.5, True, POSSIBLE),
    (6.6, True, POSSIBLE),
    (6.7, True, PROBABLE),
    (8.6, True, PROBABLE),
    (8.7, True, DEFINITE),
])
def test_both_sides_of_every_score_cutoff(score: float, biopsy: bool, category: str) -> None:
    out = eular(_case(score, biopsy), SCORE_POLICY)
    assert out["score"] == pytest.approx(score)
    assert out["category"] == category
    assert out["status"] == ("met" if category in (PROBABLE, DEFINITE) else "not_met")
    assert out["cutoffs"] == ({"possible": 6.5, "probable": 6.7, "definite": 8.7} if biopsy
                              else {"possible": 5.3, "probable": 5.5, "definite": 7.5})


# (score, category by score cut-off, category by probability cut-off, probability)
CONFLICTS = [
    (5.3, POSSIBLE, NOT_IIM, 0.4925),
    (5.5, PROBABLE, POSSIBLE, 0.5424),
    (7.5, DEFINITE, PROBABLE, 0.8975),
]


@pytest.mark.parametrize(("score", "by_score", "by_probability", "probability"), CONFLICTS)
def test_probability_policy_at_the_three_conflicting_scores(
    score: float, by_score: str, by_probability: str, probability: float
) -> None:
    case = _case(score, biopsy=False)
    a_score = assess(case, SCORE_POLICY)
    a_prob = assess(case, PROBABILITY_POLICY)
    e_score, e_prob = a_score["criteria"][EULAR], a_prob["criteria"][EULAR]
    assert e_score["probability"] == e_prob["probability"] == pytest.approx(probability, abs=1e-4)
    assert e_score["category"] == by_score
    assert e_prob["category"] == by_probability
    for a, policy_name in ((a_score, "score"), (a_prob, "probability")):
        disagreement = [w for w in a["warnings"] if "cut-offs disagree" in w]
        assert len(disagreement) == 1
        assert policy_text("eular_cutoffs", policy_name) in disagreement[0]  # the policy in force, in words
        assert f"{score:.1f}" in disagreement[0]


@pytest.mark.parametrize(("score", "biopsy"), [(5.2, False), (5.4, False), (7.4, False), (6.5, True),
                                               (6.7, True), (8.7, True)])
def test_policies_agree_elsewhere_and_no_disagreement_warning(score: float, biopsy: bool) -> None:
    case = _case(score, biopsy)
    a_score, a_prob = assess(case, SCORE_POLICY), assess(case, PROBABILITY_POLICY)
    assert a_score["criteria"][EULAR]["category"] == a_prob["criteria"][EULAR]["category"]
    for a in (a_score, a_prob):
        assert not [w for w in a["warnings"] if "cut-offs disagree" in w]


def test_probability_policy_cutoffs_are_the_exact_boundary_scores() -> None:
    out = eular(_case(5.4, biopsy=False), PROBABILITY_POLICY)
    assert out["cutoffs"] == {"possible": 5.4, "probable": 5.6, "definite": 7.6}
    out = eular(_case(6.6, biopsy=True), PROBABILITY_POLICY)
    assert out["cutoffs"] == {"possible": 6.5, "probable": 6.7, "definite": 8.7}


# ---------------------------------------------------------------------------------------------
# subclassification tree (criteria.md §2.5)
# ---------------------------------------------------------------------------------------------

ADULT_RASH_FREE = {**onset_at(55), **present(UPPER, LOWER, NECK_FLEXOR), **CK_RAISED}  # 6.8 without biopsy

SUBGROUP_CASES = [
    pytest.param(blank(**JUVENILE, **present(HELIOTROPE, GOTTRON_SIGN)), DEFAULT,
                 "juvenile dermatomyositis", "jdm", id="JDM"),
    pytest.param(with_biopsy(**JUVENILE, **present(JO1, NECK_FLEXOR, ENDOMYSIAL)), DEFAULT,
                 "juvenile myositis other than JDM", "juvenile_myositis_other", id="juvenile other"),
    pytest.param(blank(**onset_at(55), **present(HELIOTROPE, UPPER)), DEFAULT,
                 "dermatomyositis", "dm", id="DM"),
    pytest.param(blank(**onset_at(55), **present(HELIOTROPE, GOTTRON_SIGN)), DEFAULT,
                 "amyopathic dermatomyositis", "adm", id="ADM"),
    pytest.param(blank(**ADULT_RASH_FREE, **present(FINGER_FLEXOR), immunosuppression_response="no_response"),
                 RASH_FREE_OFF, "inclusion body myositis", "ibm", id="IBM by finger flexors and no response"),
    pytest.param(with_biopsy(**onset_at(55), **present(UPPER, LOWER, RIMMED_VACUOLES), **CK_RAISED), DEFAULT,
                 "inclusion body myositis", "ibm", id="IBM by rimmed vacuoles"),
    pytest.param(blank(**ADULT_RASH_FREE), RASH_FREE_OFF, "polymyositis (includes IMNM)", "pm", id="PM"),
    pytest.param(blank(**ADULT_RASH_FREE, **present(FINGER_FLEXOR)), RASH_FREE_OFF,
                 "polymyositis (includes IMNM)", "pm", id="PM: finger flexors but treatment response"),
    pytest.param(blank(**ADULT_RASH_FREE, immunosuppression_response="no_response"), RASH_FREE_OFF,
                 "polymyositis (includes IMNM)", "pm", id="PM: no response without finger flexors"),
]


@pytest.mark.parametrize(("case", "policy", "subgroup", "summary_label"), SUBGROUP_CASES)
def test_every_branch_of_the_subclassification_tree(
    case: dict[str, Any], policy: Policy, subgroup: str, summary_label: str
) -> None:
    a = assess(case, policy)
    out = a["criteria"][EULAR]
    assert out["status"] == "met"
    assert out["subgroup"] == subgroup
    assert out["possible_subgroups"] == [subgroup]
    assert a["summary"]["label"] == summary_label


@pytest.mark.parametrize("skin", [HELIOTROPE, GOTTRON_PAPULES, GOTTRON_SIGN])
def test_any_one_dm_skin_sign_takes_the_dm_branch(skin: str) -> None:
    out = eular(blank(**ADULT_RASH_FREE, **present(skin)))
    assert out["subgroup"] == "dermatomyositis"


def test_no_subgroup_below_probable() -> None:
    out = eular(_case(5.4, biopsy=False), SCORE_POLICY)  # possible IIM
    assert out["category"] == POSSIBLE
    assert out["subgroup"] is None
    assert out["possible_subgroups"] == []


def test_unknown_tree_input_leaves_the_subgroup_open() -> None:
    case = unknown(blank(**ADULT_RASH_FREE, **present(FINGER_FLEXOR)), "immunosuppression_response")
    out = eular(case, RASH_FREE_OFF)
    assert out["subgroup"] is None
    assert set(out["possible_subgroups"]) == {"inclusion body myositis", "polymyositis (includes IMNM)"}


# ---------------------------------------------------------------------------------------------
# rash-free policy (criteria.md §2.4)
# ---------------------------------------------------------------------------------------------

FEATURES_REQUIRED = Policy(eular_rash_free="biopsy_features_required")
BIOPSY_REQUIRED = Policy(eular_rash_free="biopsy_required")


@pytest.mark.parametrize(("policy", "classified"), [
    (BIOPSY_REQUIRED, False),
    (FEATURES_REQUIRED, False),
    (RASH_FREE_OFF, True),
])
def test_rash_free_without_biopsy(policy: Policy, classified: bool) -> None:
    a = assess(blank(**IMNM_PATTERN), policy)
    out = a["criteria"][EULAR]
    assert out["score"] == pytest.approx(7.7)
    rule_warnings = [w for w in a["warnings"] if "rash-free biopsy" in w or "requires muscle biopsy" in w]
    if classified:
        assert (out["status"], out["category"], out["subgroup"]) == ("met", DEFINITE, "polymyositis (includes IMNM)")
        assert rule_warnings == []
        assert a["summary"]["label"] == "pm"
    else:
        assert (out["status"], out["category"], out["subgroup"]) == ("not_met", RASH_FREE_NOT_CLASSIFIED, None)
        assert len(rule_warnings) == 1
        assert policy_text("eular_rash_free", policy.eular_rash_free) in rule_warnings[0]  # in words, no code
        assert a["summary"]["label"] == "not_iim"


def test_default_rash_free_policy_is_biopsy_required() -> None:
    assert DEFAULT.eular_rash_free == "biopsy_required"
    assert eular(blank(**IMNM_PATTERN))["category"] == RASH_FREE_NOT_CLASSIFIED


@pytest.mark.parametrize(("policy", "classified"), [
    (BIOPSY_REQUIRED, True),
    (FEATURES_REQUIRED, False),
    (RASH_FREE_OFF, True),
])
def test_rash_free_with_a_biopsy_lacking_scored_features(policy: Policy, classified: bool) -> None:
    out = eular(with_biopsy(**IMNM_PATTERN, **NECROSIS_ONLY), policy)
    assert out["score"] == pytest.approx(7.6)
    assert out["category"] == (PROBABLE if classified else RASH_FREE_NOT_CLASSIFIED)


@pytest.mark.parametrize("feature", [ENDOMYSIAL, PERIMYSIAL, PERIFASCICULAR, RIMMED_VACUOLES])
def test_biopsy_features_required_accepts_any_of_the_four_features(feature: str) -> None:
    out = eular(with_biopsy(**IMNM_PATTERN, **NECROSIS_ONLY, **present(feature)), FEATURES_REQUIRED)
    assert out["status"] == "met"
    assert out["category"] in (PROBABLE, DEFINITE)


def test_rash_lifts_the_rash_free_rule() -> None:
    out = eular(blank(**onset_at(55), **present(UPPER, LOWER, GOTTRON_PAPULES), **CK_RAISED), FEATURES_REQUIRED)
    assert out["score"] == pytest.approx(2.1 + 0.7 + 0.8 + 2.1 + 1.3)
    assert (out["status"], out["category"]) == ("met", PROBABLE)


# ---------------------------------------------------------------------------------------------
# probability range over unknown items
# ---------------------------------------------------------------------------------------------


def _completions(case: dict[str, Any], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{**case, **dict(zip(keys, values, strict=True))}
            for values in itertools.product((False, True), repeat=len(keys))]


RANGE_CASES = [
    pytest.param(blank(**onset_at(30), **present(UPPER), **CK_RAISED), (NECK_FLEXOR, LEGS_PROXIMAL, DYSPHAGIA),
                 id="three clinical items, no biopsy"),
    pytest.param(blank(**onset_at(50), **present(LOWER)), (HELIOTROPE, JO1, "ldh_elevated", GOTTRON_SIGN),
                 id="four items, no biopsy"),
    pytest.param(with_biopsy(**onset_at(50), **present(UPPER, LOWER)), (ENDOMYSIAL, RIMMED_VACUOLES, NECK_FLEXOR,
                                                                         PERIMYSIAL),
                 id="four items, with biopsy"),
]


@pytest.mark.parametrize(("case", "keys"), RANGE_CASES)
def test_probability_range_brackets_every_completion(case: dict[str, Any], keys: tuple[str, ...]) -> None:
    out = eular(unknown(case, *keys))
    assert out["score"] is None
    assert out["probability"] is None
    probabilities, scores = [], []
    for completion in _completions(case, keys):
        e = eular(completion)
        probabilities.append(e["probability"])
        scores.append(e["score"])
        assert out["probability_min"] - 1e-9 <= e["probability"] <= out["probability_max"] + 1e-9
        assert out["score_min"] <= e["score"] <= out["score_max"]
    # the range is tight: its ends are reached
    assert out["probability_min"] == pytest.approx(min(probabilities), abs=1e-4)
    assert out["probability_max"] == pytest.approx(max(probabilities), abs=1e-4)
    assert out["score_min"] == pytest.approx(min(scores))
    assert out["score_max"] == pytest.approx(max(scores))


def test_probability_range_with_biopsy_status_unknown() -> None:
    findings = {**onset_at(50), **present(UPPER, LOWER), **CK_RAISED}
    out = eular(unknown(blank(**findings), "biopsy_performed", NECK_FLEXOR))
    assert out["model"] is None
    assert out["score"] is None
    # no biopsy: only the neck item is open; a biopsy: the four scored biopsy items are open too
    completions = _completions(blank(**findings), (NECK_FLEXOR,))
    completions += _completions(with_biopsy(**findings),
                                (NECK_FLEXOR, ENDOMYSIAL, PERIMYSIAL, PERIFASCICULAR, RIMMED_VACUOLES))
    probabilities = [eular(c)["probability"] for c in completions]
    assert out["probability_min"] == pytest.approx(min(probabilities), abs=1e-4)
    assert out["probability_max"] == pytest.approx(max(probabilities), abs=1e-4)
    assert out["score_min"] == pytest.approx(min(eular(c)["score"] for c in completions))
    assert out["score_max"] == pytest.approx(max(eular(c)["score"] for c in completions))


# ---------------------------------------------------------------------------------------------
# IMNM antibodies carry no points
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("antibody", ["ab_hmgcr", "ab_srp"])
@pytest.mark.parametrize("biopsy", [False, True])
def test_anti_hmgcr_and_anti_srp_do_not_change_the_score(antibody: str, biopsy: bool) -> None:
    case = blank(biopsy=biopsy, **IMNM_PATTERN)
    negative = eular(case, RASH_FREE_OFF)
    positive = eular({**case, antibody: True}, RASH_FREE_OFF)
    untested = eular({**case, antibody: None}, RASH_FREE_OFF)
    assert positive["score"] == negative["score"] == untested["score"]
    assert positive["probability"] == negative["probability"]
    assert positive["category"] == negative["category"]
