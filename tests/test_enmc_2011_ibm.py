"""ENMC 2011 inclusion body myositis criteria (criteria.md §8, note below the table)."""

from __future__ import annotations

from typing import Any

import pytest

from _builders import CK_ULN, FINGER_FLEXOR, KNEE_EXTENSOR, blank, onset_at, present, result, unknown, with_biopsy
from myoclass import assess, parse_case
from myoclass.criteria import enmc_2011_ibm
from myoclass.model.findings import case_state
from myoclass.reasoning.engine import engine

IBM = "enmc_2011_ibm"

CLINICO_PATHOLOGICAL = "clinico-pathologically defined IBM"
CLINICAL = "clinically defined IBM"
PROBABLE = "probable IBM"
NOT_IBM = "not IBM"

ENDOMYSIAL = "biopsy_endomysial_infiltrate_non_invading"
INVASION = "biopsy_invasion_non_necrotic_fibers"
MHC1 = "biopsy_mhc1_upregulation"
RIMMED_VACUOLES = "biopsy_rimmed_vacuoles"
PROTEIN = "biopsy_protein_accumulation"
FOUR = (ENDOMYSIAL, MHC1, RIMMED_VACUOLES, PROTEIN)

#: the mandatory criteria met: onset 60, weakness for 24 months, CK 4.5x ULN
MANDATORY = {**onset_at(60), "symptom_duration_months": 24, "ck_u_l": 4.5 * CK_ULN}
BOTH_PATTERNS = present(FINGER_FLEXOR, KNEE_EXTENSOR)


def ibm_case(weakness: dict[str, bool], biopsy: dict[str, bool], **overrides: Any) -> dict[str, Any]:
    return with_biopsy(**{**MANDATORY, **weakness, **biopsy, **overrides})


CLINICO_PATHOLOGICAL_CASE = ibm_case(present(FINGER_FLEXOR), present(ENDOMYSIAL, RIMMED_VACUOLES, PROTEIN))


@pytest.mark.parametrize(("weakness", "biopsy", "category"), [
    pytest.param(present(FINGER_FLEXOR), present(ENDOMYSIAL, RIMMED_VACUOLES, PROTEIN), CLINICO_PATHOLOGICAL,
                 id="clinico-pathological, finger flexors"),
    pytest.param(present(KNEE_EXTENSOR), present(INVASION, RIMMED_VACUOLES, PROTEIN), CLINICO_PATHOLOGICAL,
                 id="clinico-pathological, knee extensors, invading infiltrate"),
    pytest.param(BOTH_PATTERNS, present(*FOUR), CLINICO_PATHOLOGICAL, id="clinico-pathological, all four"),
    pytest.param(BOTH_PATTERNS, present(MHC1), CLINICAL, id="clinically defined, one of four"),
    pytest.param(BOTH_PATTERNS, present(ENDOMYSIAL, MHC1, RIMMED_VACUOLES), CLINICAL,
                 id="clinically defined, three of four"),
    pytest.param(present(FINGER_FLEXOR), present(RIMMED_VACUOLES), PROBABLE, id="probable, finger flexors"),
    pytest.param(present(KNEE_EXTENSOR), present(MHC1, PROTEIN), PROBABLE, id="probable, knee extensors"),
    pytest.param(BOTH_PATTERNS, {}, NOT_IBM, id="weakness patterns but no biopsy feature"),
    pytest.param({}, present(*FOUR), NOT_IBM, id="biopsy features but no weakness pattern"),
])
def test_categories(weakness: dict[str, bool], biopsy: dict[str, bool], category: str) -> None:
    out = result(ibm_case(weakness, biopsy), IBM)
    assert out["category"] == category
    assert out["status"] == ("not_met" if category == NOT_IBM else "met")


def test_certainty_follows_the_category() -> None:
    assert assess(CLINICO_PATHOLOGICAL_CASE)["summary"]["certainty"] == "definite"
    probable = assess(ibm_case(present(FINGER_FLEXOR), present(RIMMED_VACUOLES)))
    assert (probable["summary"]["label"], probable["summary"]["certainty"]) == ("ibm", "probable")


@pytest.mark.parametrize(("change", "met"), [
    pytest.param(onset_at(45), False, id="onset at 45 is not >45"),
    pytest.param(onset_at(45.5), True, id="onset at 45.5"),
    pytest.param(onset_at(30), False, id="onset at 30"),
    pytest.param({"symptom_duration_months": 12}, False, id="duration 12 is not >12"),
    pytest.param({"symptom_duration_months": 12.5}, True, id="duration 12.5"),
    pytest.param({"ck_u_l": 15 * CK_ULN}, True, id="CK exactly 15x ULN"),
    pytest.param({"ck_u_l": 15.01 * CK_ULN}, False, id="CK 15.01x ULN"),
    pytest.param({"ck_u_l": CK_ULN // 2}, True, id="CK normal"),
])
def test_mandatory_criteria(change: dict[str, Any], met: bool) -> None:
    out = result({**CLINICO_PATHOLOGICAL_CASE, **change}, IBM)
    assert out["status"] == ("met" if met else "not_met")
    assert out["category"] == (CLINICO_PATHOLOGICAL if met else NOT_IBM)


@pytest.mark.parametrize(("change", "item_id"), [
    (onset_at(45), "onset_over_45"),
    ({"symptom_duration_months": 12}, "duration_over_12_months"),
    ({"ck_u_l": 15.01 * CK_ULN}, "ck_at_most_15x_uln"),
])
def test_failing_mandatory_item_is_reported_false(change: dict[str, Any], item_id: str) -> None:
    items = {i["id"]: i["state"] for i in result({**CLINICO_PATHOLOGICAL_CASE, **change}, IBM)["items"]}
    assert items[item_id] is False
    assert all(items[i] for i in ("onset_over_45", "duration_over_12_months", "ck_at_most_15x_uln") if i != item_id)


def test_onset_from_the_age_now_and_the_duration() -> None:
    """The age at onset not given: age_years - symptom_duration_months is the onset (data dictionary)."""
    case = unknown(CLINICO_PATHOLOGICAL_CASE, "age_at_onset_years")
    assert result({**case, "age_years": 70}, IBM)["status"] == "met"  # onset about 68
    assert result({**case, "age_years": 44}, IBM)["status"] == "not_met"  # onset about 42
    assert result({**unknown(case, "symptom_duration_months"), "age_years": 70}, IBM)["status"] == "undetermined"


@pytest.mark.parametrize("key", ["age_at_onset_years", "symptom_duration_months", "ck_u_l"])
def test_unknown_mandatory_item_is_undetermined(key: str) -> None:
    case = unknown(CLINICO_PATHOLOGICAL_CASE, key)
    if key == "age_at_onset_years":
        case["age_years"] = 47  # with 24 months of symptoms, onset about 45: before or after 45 (whole years)
    out = result(case, IBM)
    assert out["status"] == "undetermined"
    assert {CLINICO_PATHOLOGICAL, NOT_IBM} <= set(out["possible_categories"])
    assert CLINICAL not in out["possible_categories"]  # only one weakness pattern


def test_onset_bounded_by_current_age() -> None:
    """Onset unknown but the patient is 44 now: onset cannot be after 45."""
    case = unknown(CLINICO_PATHOLOGICAL_CASE, "age_at_onset_years")
    case["age_years"] = 44
    assert result(case, IBM)["status"] == "not_met"


# --- "one or more, but not all" ----------------------------------------------------------------


def _category_values(case: dict[str, Any]) -> dict[str, int]:
    """Kleene value (0 false, 1 unknown, 2 true) of every ENMC 2011 category for ``case``."""
    values = engine().evaluate_all(case_state(parse_case(case)))
    ids = {CLINICO_PATHOLOGICAL: enmc_2011_ibm.CLINICO_PATHOLOGICAL, CLINICAL: enmc_2011_ibm.CLINICAL,
           PROBABLE: enmc_2011_ibm.PROBABLE}
    return {name: values[f"{IBM}.cat.{ids[name]}"] for name in (CLINICO_PATHOLOGICAL, CLINICAL, PROBABLE)}


@pytest.mark.parametrize(("n_present", "clinical_and_probable"), [(0, 0), (1, 2), (2, 2), (3, 2), (4, 0)])
def test_one_or_more_but_not_all_of_the_four(n_present: int, clinical_and_probable: int) -> None:
    case = ibm_case(BOTH_PATTERNS, present(*FOUR[:n_present]))
    values = _category_values(case)
    assert values[CLINICAL] == values[PROBABLE] == clinical_and_probable


def test_all_four_present_is_only_clinico_pathological() -> None:
    values = _category_values(ibm_case(BOTH_PATTERNS, present(*FOUR)))
    assert values == {CLINICO_PATHOLOGICAL: 2, CLINICAL: 0, PROBABLE: 0}


def test_three_present_and_fourth_unknown_leaves_not_all_open() -> None:
    case = unknown(ibm_case(BOTH_PATTERNS, present(ENDOMYSIAL, MHC1, RIMMED_VACUOLES)), PROTEIN)
    values = _category_values(case)
    assert values == {CLINICO_PATHOLOGICAL: 1, CLINICAL: 1, PROBABLE: 1}
    a = assess(case)
    assert {CLINICO_PATHOLOGICAL, CLINICAL} <= set(a["criteria"][IBM]["possible_categories"])
    assert a["summary"]["label"] == "ibm"  # every completion is IBM


def test_no_biopsy_is_not_ibm_under_enmc_2011() -> None:
    case = blank(**MANDATORY, **BOTH_PATTERNS)
    out = result(case, IBM)
    assert (out["status"], out["category"]) == ("not_met", NOT_IBM)
