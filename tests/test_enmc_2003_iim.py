"""119th ENMC (2003) IIM criteria: one case per category (criteria.md §3.2)."""

from __future__ import annotations

from typing import Any

import pytest

from _builders import CK_NORMAL, CK_RAISED, HELIOTROPE, LOWER, UPPER, blank, onset_at, present, result, with_biopsy

ENMC_2003 = "enmc_2003_iim"

#: clinical criteria 1a-1c: adult onset, subacute, symmetric proximal weakness; no exclusion
CLINICAL = {**onset_at(50), "onset_tempo": "subacute", **present(UPPER, LOWER)}
RASH = present(HELIOTROPE)
OTHER_LAB = present("emg_myopathic")  # 1 of 3 other laboratory criteria
NECROTIZING = present("biopsy_necrotic_fibers", "biopsy_necrosis_predominant", "biopsy_regenerating_fibers")

CATEGORY_CASES = [
    pytest.param(with_biopsy(**CLINICAL, **RASH, **present("biopsy_perifascicular_atrophy")),
                 "definite DM", "met", id="definite DM"),
    pytest.param(blank(**CLINICAL, **RASH, **CK_RAISED), "probable DM", "met", id="probable DM"),
    pytest.param(with_biopsy(**CLINICAL, **CK_RAISED, **present("biopsy_invasion_non_necrotic_fibers")),
                 "definite PM", "met", id="definite PM"),
    pytest.param(with_biopsy(**CLINICAL, **CK_RAISED, **OTHER_LAB,
                             **present("biopsy_endomysial_infiltrate_non_invading")),
                 "probable PM", "met", id="probable PM"),
    pytest.param(with_biopsy(**CLINICAL, **CK_RAISED, **OTHER_LAB, **NECROTIZING),
                 "immune-mediated necrotizing myopathy", "met", id="IMNM"),
    pytest.param(with_biopsy(**CLINICAL, **CK_RAISED, **OTHER_LAB, **present("biopsy_mac_capillaries")),
                 "possible DM sine dermatitis", "met", id="possible DM sine dermatitis"),
    pytest.param(with_biopsy(**CLINICAL, **CK_RAISED, **OTHER_LAB,
                             **present("biopsy_perimysial_perivascular_infiltrate")),
                 "non-specific myositis", "met", id="non-specific myositis"),
    pytest.param(blank(**onset_at(50), **RASH, **CK_NORMAL), "amyopathic DM", "met", id="amyopathic DM"),
    pytest.param(blank(**CLINICAL, **CK_RAISED), "no ENMC 2003 category", "not_met", id="no category"),
]


@pytest.mark.parametrize(("case", "category", "status"), CATEGORY_CASES)
def test_each_category(case: dict[str, Any], category: str, status: str) -> None:
    out = result(case, ENMC_2003)
    assert (out["status"], out["category"]) == (status, category)


@pytest.mark.parametrize("other_lab", [present("emg_myopathic"), present("mri_muscle_edema"),
                                       present("ab_hmgcr"), present("ab_srp"), present("ab_mi2")])
def test_imnm_accepts_any_other_laboratory_criterion(other_lab: dict[str, bool]) -> None:
    out = result(with_biopsy(**CLINICAL, **CK_RAISED, **other_lab, **NECROTIZING), ENMC_2003)
    assert out["category"] == "immune-mediated necrotizing myopathy"


def test_imnm_needs_another_laboratory_criterion() -> None:
    out = result(with_biopsy(**CLINICAL, **CK_RAISED, **NECROTIZING), ENMC_2003)
    assert out["status"] == "not_met"


@pytest.mark.parametrize("other_biopsy_item", [
    "biopsy_invasion_non_necrotic_fibers",  # (a)
    "biopsy_endomysial_infiltrate_non_invading",  # (b)
    "biopsy_mhc1_upregulation",  # (b)
    "biopsy_perifascicular_atrophy",  # (c)
    "biopsy_perimysial_perivascular_infiltrate",  # (e)
    "biopsy_rimmed_vacuoles",  # (h)
    "biopsy_cox_negative_fibers",  # (h)
])
def test_imnm_excludes_other_biopsy_items(other_biopsy_item: str) -> None:
    out = result(with_biopsy(**CLINICAL, **CK_RAISED, **OTHER_LAB, **NECROTIZING, **present(other_biopsy_item)),
                 ENMC_2003)
    assert out["category"] != "immune-mediated necrotizing myopathy"


def test_imnm_needs_sparse_inflammation() -> None:
    case = with_biopsy(**CLINICAL, **CK_RAISED, **OTHER_LAB, **NECROTIZING,
                       **present("biopsy_lymphocytic_infiltrate_prominent"))
    assert result(case, ENMC_2003)["category"] != "immune-mediated necrotizing myopathy"


def test_imnm_is_biopsy_defined_whatever_the_antibodies() -> None:
    """In ENMC 2003, IMNM needs the biopsy even when anti-HMGCR is positive."""
    out = result(blank(**CLINICAL, **CK_RAISED, ab_hmgcr=True), ENMC_2003)
    assert out["category"] != "immune-mediated necrotizing myopathy"


def test_non_specific_myositis_allows_childhood_onset_but_pm_does_not() -> None:
    child = {**CLINICAL, **onset_at(12)}
    nsm = with_biopsy(**child, **CK_RAISED, **OTHER_LAB, **present("biopsy_perimysial_perivascular_infiltrate"))
    assert result(nsm, ENMC_2003)["category"] == "non-specific myositis"
    pm = with_biopsy(**child, **CK_RAISED, **present("biopsy_invasion_non_necrotic_fibers"))
    assert result(pm, ENMC_2003)["category"] != "definite PM"


def test_definite_pm_excludes_perifascicular_atrophy() -> None:
    case = with_biopsy(**CLINICAL, **CK_RAISED, **present("biopsy_invasion_non_necrotic_fibers",
                                                         "biopsy_perifascicular_atrophy"))
    assert result(case, ENMC_2003)["category"] != "definite PM"


@pytest.mark.parametrize("exclusion", [
    present("weakness_asymmetric"),
    present("weakness_finger_flexor_gt_shoulder_abductor"),
    present("weakness_knee_extensor_ge_hip_flexor"),
    present("weakness_ocular_or_facial"),
    present("weakness_neck_extensor_gt_flexor"),
    present("other_myotoxic_drug"),
    present("hypothyroidism"),
    present("family_history_myopathy"),
    {"genetic_diagnosis_gene": "DYSF"},
    present("weakness_distal_predominant"),
    {"onset_tempo": "acute"},
])
def test_clinical_exclusions_remove_definite_pm(exclusion: dict[str, Any]) -> None:
    case = with_biopsy(**{**CLINICAL, **CK_RAISED, **present("biopsy_invasion_non_necrotic_fibers"), **exclusion})
    out = result(case, ENMC_2003)
    assert (out["status"], out["category"]) == ("not_met", "no ENMC 2003 category")


@pytest.mark.parametrize("muscle_finding", [present(UPPER), CK_RAISED, present("emg_myopathic"),
                                            {"biopsy_performed": True,
                                             "biopsy_perimysial_perivascular_infiltrate": True}])
def test_amyopathic_dm_needs_no_muscle_involvement(muscle_finding: dict[str, Any]) -> None:
    out = result(blank(**{**onset_at(50), **RASH, **CK_NORMAL, **muscle_finding}), ENMC_2003)
    assert out["category"] != "amyopathic DM"
