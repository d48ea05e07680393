"""Small helpers that build flat cases for the tests.

``blank()`` is a fully known case in which nothing is present: every boolean finding is
``False``, the numbers are set (onset at 55, CK normal) and no biopsy was done. Tests override
only the findings they are about, so each expectation depends on what the test sets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from myoclass import Policy, assess
from myoclass.model.fields import BIOPSY_ITEMS, FIELDS
from myoclass.synthetic import thin_cases

# --- flat keys, named as the criteria name them -------------------------------------------------
UPPER = "weakness_proximal_upper_symmetric"
LOWER = "weakness_proximal_lower_symmetric"
NECK_FLEXOR = "weakness_neck_flexor_gt_extensor"
NECK_EXTENSOR = "weakness_neck_extensor_gt_flexor"
LEGS_PROXIMAL = "weakness_legs_proximal_gt_distal"
FINGER_FLEXOR = "weakness_finger_flexor_gt_shoulder_abductor"
KNEE_EXTENSOR = "weakness_knee_extensor_ge_hip_flexor"
HELIOTROPE = "skin_heliotrope"
GOTTRON_PAPULES = "skin_gottron_papules"
GOTTRON_SIGN = "skin_gottron_sign"
DYSPHAGIA = "dysphagia"
JO1 = "ab_jo1"
ENDOMYSIAL = "biopsy_endomysial_infiltrate_non_invading"
PERIMYSIAL = "biopsy_perimysial_perivascular_infiltrate"
PERIFASCICULAR = "biopsy_perifascicular_atrophy"
RIMMED_VACUOLES = "biopsy_rimmed_vacuoles"

#: CK 10x the upper limit of normal used by ``blank()`` (200 U/L)
CK_ULN = 200
CK_RAISED = {"ck_u_l": 10 * CK_ULN}
CK_NORMAL = {"ck_u_l": CK_ULN // 2}

#: the set ids, in output order
SET_IDS = ("enmc_2017_imnm", "eular_acr_2017", "enmc_2003_iim", "enmc_2011_ibm", "connors_2010_ass",
           "bohan_peter_1975")

DEFAULT = Policy()
RASH_FREE_OFF = Policy(eular_rash_free="off")


def present(*keys: str) -> dict[str, bool]:
    """``{key: True}`` for each key."""
    return dict.fromkeys(keys, True)


def onset_at(age: float) -> dict[str, float]:
    """Age at onset ``age``, assessed a year later."""
    return {"age_at_onset_years": age, "age_years": min(age + 1, 120)}


def blank(*, biopsy: bool = False, **overrides: Any) -> dict[str, Any]:
    """A fully known case with nothing present; ``biopsy=True`` adds a read biopsy showing nothing."""
    case: dict[str, Any] = {k: False for k, spec in FIELDS.items() if spec.kind == "bool"}
    del case["ck_elevated"]  # derived from ck_u_l and ck_uln_u_l
    case.update(
        case_id="test-case",
        sex="female",
        age_at_onset_years=55,
        age_years=56,
        onset_tempo="subacute",
        symptom_duration_months=6,
        ck_u_l=CK_ULN // 2,
        ck_uln_u_l=CK_ULN,
        immunosuppression_response="improved",
    )
    case["biopsy_performed"] = biopsy
    if not biopsy:
        for k in BIOPSY_ITEMS:
            case[k] = None
    case.update(overrides)
    return case


def with_biopsy(**overrides: Any) -> dict[str, Any]:
    """``blank(biopsy=True, ...)``."""
    return blank(biopsy=True, **overrides)


def unknown(case: dict[str, Any], *keys: str) -> dict[str, Any]:
    """A copy of ``case`` with ``keys`` set to null (not assessed)."""
    return {**case, **dict.fromkeys(keys)}


def result(case: dict[str, Any], set_id: str, policy: Policy = DEFAULT) -> dict[str, Any]:
    """The output of one criteria set for ``case``."""
    return assess(case, policy)["criteria"][set_id]


def label(case: dict[str, Any], policy: Policy = DEFAULT) -> str:
    return assess(case, policy)["summary"]["label"]


def thin_published(n: int, seed: int) -> list[dict[str, Any]]:
    """Validation-set cases with each known finding kept with probability 0.3-0.8 (as bench/assess.py)."""
    path = Path(__file__).resolve().parents[1] / "data" / "validation" / "published_cases.jsonl"
    bases = [json.loads(x)["flat_case"] for x in path.read_text().splitlines() if x.strip()]
    return thin_cases(bases, n, seed)


#: the README's worked example (clinic-0042): undetermined, anti-HMGCR IMNM most likely, no biopsy; one copy
#: for every test that reads it (the e2e tests drop ``case_id`` where they fill the form)
README_CASE: dict[str, Any] = {
    "case_id": "clinic-0042", "age_at_onset_years": 55, "onset_tempo": "subacute",
    "weakness_proximal_upper_symmetric": True, "weakness_proximal_lower_symmetric": True,
    "weakness_neck_flexor_gt_extensor": True, "weakness_legs_proximal_gt_distal": True,
    "skin_heliotrope": False, "skin_gottron_papules": False, "skin_gottron_sign": False,
    "ck_u_l": 8200, "ck_uln_u_l": 200, "ab_jo1": False, "ab_srp": False,
    "statin_exposure": True, "biopsy_performed": False,
}
