"""224th ENMC IMNM criteria (set id enmc_2017_imnm): subtypes, biopsy rule, weakness policy, unknowns."""

from __future__ import annotations

from typing import Any

import pytest

from _builders import CK_NORMAL, CK_RAISED, LOWER, UPPER, blank, present, result, unknown, with_biopsy
from myoclass import Policy, assess

ENMC = "enmc_2017_imnm"

ANTI_HMGCR = "anti-HMGCR myopathy"
ANTI_SRP = "anti-SRP myopathy"
SERONEGATIVE = "antibody-negative IMNM"
NOT_IMNM = "not IMNM"
WEAKNESS_ABSENT_HMGCR = "possible anti-HMGCR myopathy (weakness absent)"
WEAKNESS_ABSENT_SRP = "possible anti-SRP myopathy (weakness absent)"
WEAKNESS_ABSENT_WARNING = "Possible IMNM with weakness absent"

WEAK = present(UPPER, LOWER)
SERONEG = {"ab_hmgcr": False, "ab_srp": False}
#: a biopsy compatible with IMNM: necrosis predominant, sparse inflammation, no invasion
IMNM_BIOPSY = present("biopsy_necrotic_fibers", "biopsy_necrosis_predominant", "biopsy_regenerating_fibers",
                      "biopsy_mhc1_upregulation", "biopsy_mac_sarcolemma_non_necrotic")

HMGCR_CASE = blank(**WEAK, **CK_RAISED, ab_hmgcr=True)
SRP_CASE = blank(**WEAK, **CK_RAISED, ab_srp=True)
SERONEGATIVE_CASE = with_biopsy(**WEAK, **CK_RAISED, **SERONEG, **IMNM_BIOPSY)
WEAKNESS_ABSENT_HMGCR_CASE = blank(**CK_RAISED, ab_hmgcr=True)


@pytest.mark.parametrize(("case", "category", "summary_label"), [
    (HMGCR_CASE, ANTI_HMGCR, "imnm_anti_hmgcr"),
    (SRP_CASE, ANTI_SRP, "imnm_anti_srp"),
    (SERONEGATIVE_CASE, SERONEGATIVE, "imnm_seronegative"),
])
def test_each_subtype_met(case: dict[str, Any], category: str, summary_label: str) -> None:
    a = assess(case)
    out = a["criteria"][ENMC]
    assert (out["status"], out["category"]) == ("met", category)
    assert a["summary"]["label"] == summary_label


@pytest.mark.parametrize("weakness", [present(UPPER), present(LOWER)])
def test_either_proximal_weakness_is_enough(weakness: dict[str, bool]) -> None:
    assert result(blank(**weakness, **CK_RAISED, ab_hmgcr=True), ENMC)["category"] == ANTI_HMGCR


@pytest.mark.parametrize("case", [HMGCR_CASE, SRP_CASE, SERONEGATIVE_CASE])
def test_normal_ck_is_not_imnm(case: dict[str, Any]) -> None:
    out = result({**case, **CK_NORMAL}, ENMC)
    assert (out["status"], out["category"]) == ("not_met", NOT_IMNM)


# --- biopsy -----------------------------------------------------------------------------------

SEROPOSITIVE_BIOPSIES = [
    pytest.param({"biopsy_performed": False}, id="no biopsy"),
    pytest.param({"biopsy_performed": None}, id="biopsy status unknown"),
    pytest.param({"biopsy_performed": True, **present("biopsy_necrotic_fibers",
                                                      "biopsy_lymphocytic_infiltrate_prominent")},
                 id="biopsy with prominent inflammation"),
]


@pytest.mark.parametrize("biopsy", SEROPOSITIVE_BIOPSIES)
@pytest.mark.parametrize(("antibodies", "category"), [({"ab_hmgcr": True}, ANTI_HMGCR),
                                                      ({"ab_srp": True}, ANTI_SRP)])
def test_biopsy_not_required_for_seropositive(biopsy: dict[str, Any], antibodies: dict[str, bool],
                                              category: str) -> None:
    out = result(blank(**WEAK, **CK_RAISED, **antibodies, **biopsy), ENMC)
    assert (out["status"], out["category"]) == ("met", category)


@pytest.mark.parametrize("case", [
    pytest.param(blank(**WEAK, **CK_RAISED, **SERONEG), id="no biopsy"),
    pytest.param({**SERONEGATIVE_CASE, **present("biopsy_lymphocytic_infiltrate_prominent")},
                 id="prominent inflammation"),
    pytest.param({**SERONEGATIVE_CASE, **present("biopsy_invasion_non_necrotic_fibers")},
                 id="invasion of non-necrotic fibres"),
    pytest.param({**SERONEGATIVE_CASE, "biopsy_necrosis_predominant": False}, id="necrosis not predominant"),
])
def test_antibody_negative_needs_a_compatible_biopsy(case: dict[str, Any]) -> None:
    a = assess(case)
    out = a["criteria"][ENMC]
    assert (out["status"], out["category"]) == ("not_met", NOT_IMNM)
    assert a["summary"]["label"] != "imnm_seronegative"


def test_antibody_negative_without_biopsy_lists_the_biopsy_as_a_deciding_test() -> None:
    case = blank(**WEAK, **CK_RAISED, **SERONEG)
    a = assess(case)
    assert a["criteria"][ENMC]["status"] == "not_met"
    biopsy_tests = [t for t in a["next_tests"] if t["finding"] == "biopsy_performed"]
    assert len(biopsy_tests) == 1
    assert biopsy_tests[0]["purpose"] == "decides"
    assert "imnm_seronegative" in biopsy_tests[0]["reachable_if_true"]


def test_supportive_biopsy_items_are_not_required() -> None:
    case = {**SERONEGATIVE_CASE, "biopsy_mhc1_upregulation": False, "biopsy_mac_sarcolemma_non_necrotic": False}
    assert result(case, ENMC)["category"] == SERONEGATIVE


# --- weakness absent --------------------------------------------------------------------------


@pytest.mark.parametrize(("antibodies", "advisory"), [({"ab_hmgcr": True}, WEAKNESS_ABSENT_HMGCR),
                                                      ({"ab_srp": True}, WEAKNESS_ABSENT_SRP)])
def test_weakness_absent_gives_an_advisory_category_and_a_warning(antibodies: dict[str, bool],
                                                                  advisory: str) -> None:
    a = assess(blank(**CK_RAISED, **antibodies))
    out = a["criteria"][ENMC]
    assert (out["status"], out["category"]) == ("not_met", advisory)
    assert a["summary"]["label"] == "not_iim"
    assert len([w for w in a["warnings"] if w.startswith(WEAKNESS_ABSENT_WARNING)]) == 1


def test_no_advisory_when_weakness_is_present_or_ck_normal() -> None:
    for case in (HMGCR_CASE, blank(**CK_NORMAL, ab_hmgcr=True)):
        a = assess(case)
        assert a["criteria"][ENMC]["category"] != WEAKNESS_ABSENT_HMGCR
        assert not [w for w in a["warnings"] if w.startswith(WEAKNESS_ABSENT_WARNING)]


@pytest.mark.parametrize(("antibodies", "category", "summary_label"), [
    ({"ab_hmgcr": True}, ANTI_HMGCR, "imnm_anti_hmgcr"),
    ({"ab_srp": True}, ANTI_SRP, "imnm_anti_srp"),
])
def test_policy_without_weakness_requirement_classifies(antibodies: dict[str, bool], category: str,
                                                        summary_label: str) -> None:
    a = assess(blank(**CK_RAISED, **antibodies), Policy(enmc_weakness_required=False))
    out = a["criteria"][ENMC]
    assert (out["status"], out["category"]) == ("met", category)
    assert a["summary"]["label"] == summary_label


def test_policy_without_weakness_requirement_still_needs_a_raised_ck() -> None:
    out = result(blank(**CK_NORMAL, ab_hmgcr=True), ENMC, Policy(enmc_weakness_required=False))
    assert out["status"] == "not_met"


def test_weakness_absent_warning_does_not_contradict_the_policy() -> None:
    a = assess(WEAKNESS_ABSENT_HMGCR_CASE, Policy(enmc_weakness_required=False))
    assert a["summary"]["label"] == "imnm_anti_hmgcr"
    assert not [w for w in a["warnings"] if "not classified as IMNM" in w]


# --- unknown findings -------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "possible"), [
    (unknown(HMGCR_CASE, "ab_hmgcr", "ab_srp"), {ANTI_HMGCR, ANTI_SRP, NOT_IMNM}),
    (unknown(blank(**WEAK, **CK_RAISED, ab_srp=False), "ab_hmgcr"), {ANTI_HMGCR, NOT_IMNM}),
    (unknown(HMGCR_CASE, "ck_u_l"), {ANTI_HMGCR, NOT_IMNM}),
    (unknown(HMGCR_CASE, UPPER, LOWER), {ANTI_HMGCR, WEAKNESS_ABSENT_HMGCR, NOT_IMNM}),
])
def test_unknown_finding_makes_the_status_undetermined(case: dict[str, Any], possible: set[str]) -> None:
    a = assess(case)
    out = a["criteria"][ENMC]
    assert (out["status"], out["category"]) == ("undetermined", "undetermined")
    assert possible <= set(out["possible_categories"])
    assert a["summary"]["label"] == "undetermined"


def test_unknown_antibody_is_a_deciding_next_test() -> None:
    a = assess(unknown(blank(**WEAK, **CK_RAISED, ab_srp=False), "ab_hmgcr"))
    test = next(t for t in a["next_tests"] if t["finding"] == "ab_hmgcr")
    assert test["purpose"] == "decides"
    assert test["if_true"] == "imnm_anti_hmgcr"


def test_known_positive_antibody_settles_despite_other_unknowns() -> None:
    a = assess(unknown(HMGCR_CASE, "ab_srp", "biopsy_performed"))
    assert (a["criteria"][ENMC]["status"], a["criteria"][ENMC]["category"]) == ("met", ANTI_HMGCR)
    assert a["summary"]["label"] == "imnm_anti_hmgcr"


# --- mimics -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mimic", [
    present("hypothyroidism"),
    present("other_myotoxic_drug"),
    present("biopsy_dystrophic_features"),
    {"genetic_diagnosis_gene": "DYSF"},
])
def test_known_mimic_blocks_antibody_negative_imnm(mimic: dict[str, Any]) -> None:
    a = assess({**SERONEGATIVE_CASE, **mimic})
    out = a["criteria"][ENMC]
    assert (out["status"], out["category"]) == ("not_met", NOT_IMNM)
    no_better = next(i for i in out["items"] if i["id"] == "no_better_explanation")
    assert no_better["state"] is False
    assert a["summary"]["label"] in ("other_non_immune", "hereditary_myopathy")


def test_unknown_mimic_is_presumed_absent_and_offered_as_rules_out_test() -> None:
    a = assess(unknown(SERONEGATIVE_CASE, "hypothyroidism"))
    out = a["criteria"][ENMC]
    assert (out["status"], out["category"]) == ("met", SERONEGATIVE)
    assert a["summary"]["label"] == "imnm_seronegative"
    no_better = next(i for i in out["items"] if i["id"] == "no_better_explanation")
    assert no_better["state"] is None
    assert "presumed absent" in no_better["note"]
    rules_out = [t for t in a["next_tests"] if t["finding"] == "hypothyroidism"]
    assert [t["purpose"] for t in rules_out] == ["rules_out"]


def test_items_are_reported_as_unverified() -> None:
    out = result(HMGCR_CASE, ENMC)
    assert out["verification"] == "R"
    by_id = {i["id"]: i for i in out["items"]}
    assert by_id["ck_elevated"]["unverified"] is True
    assert by_id["proximal_weakness"]["unverified"] is True
    assert by_id["anti_hmgcr"]["state"] is True
