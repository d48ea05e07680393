"""The warning that a case records no sign of a myopathy or myositis: the differential's prior is patients referred
for a suspected one, so a chart or a phenopacket of another disease must not read as a confident myositis."""

from __future__ import annotations

from typing import Any

import pytest

from myoclass import assess
from myoclass.reasoning.warnings import MUSCLE_SIGNS

OPENING = "No sign of a myopathy or myositis is recorded"


def _warned(case: dict[str, Any]) -> bool:
    return any(w.startswith(OPENING) for w in assess({"case_id": "x", **case})["warnings"])


@pytest.mark.parametrize("case", [
    {}, {"sex": "female", "arthritis": True}, {"cardiac_involvement": True, "age_years": 40},
    {"symptom_fatigue": True, "ldh_elevated": True, "ast_elevated": True, "alt_elevated": True},  # not muscle-specific
    {"weakness_proximal_upper_symmetric": False, "ck_elevated": False, "ab_jo1": False},  # looked for, absent
    {"ck_u_l": 150, "ck_uln_u_l": 200, "ild": True},  # a normal CK
])
def test_warned_without_any_sign(case: dict[str, Any]) -> None:
    assert _warned(case)


@pytest.mark.parametrize("case", [
    {"weakness_proximal_lower_symmetric": True}, {"symptom_myalgia": True}, {"skin_heliotrope": True},
    {"skin_mechanics_hands": True}, {"ab_jo1": True, "ild": True}, {"ab_ro52": True}, {"ck_elevated": True},
    {"ck_u_l": 900, "ck_uln_u_l": 200}, {"ck_u_l": 5000},  # raised by the limit, or above 1,000 U/L without one
    {"aldolase_elevated": True}, {"emg_myopathic": True}, {"mri_muscle_edema": True}, {"biopsy_performed": True},
    {"genetic_diagnosis_gene": "DYSF"}, {"statin_exposure": True, "statin_withdrawal_outcome": "resolved"},
    {"immunosuppression_response": "improved"},
])
def test_not_warned_with_a_sign(case: dict[str, Any]) -> None:
    assert not _warned(case)


def test_every_sign_alone_silences_it() -> None:
    """Each boolean of MUSCLE_SIGNS, true on its own (biopsy items with a biopsy), is a sign; fatigue is not one."""
    assert "symptom_fatigue" not in MUSCLE_SIGNS and "weakness_asymmetric" in MUSCLE_SIGNS
    for k in MUSCLE_SIGNS:
        case: dict[str, Any] = {k: True}
        if k.startswith("biopsy_") and k != "biopsy_performed":
            case["biopsy_performed"] = True
        assert not _warned(case), k


def test_the_answer_says_so_beside_the_leading_label() -> None:
    """The summary sentence, the text report's headline and the workspace's headline name it; a case with a sign
    does not."""
    from myoclass.report.text import text_report

    a = assess({"case_id": "x", "sex": "female", "arthritis": True})
    assert a["summary"]["label"] == "undetermined"
    assert "no sign of a myopathy or myositis is recorded" in a["summary"]["text"].split(";")[0]
    assert "no sign of a myopathy or myositis is recorded)" in text_report(a).splitlines()[3]
    b = assess({"case_id": "y", "arthritis": True, "weakness_proximal_lower_symmetric": True})
    assert "no sign of a myopathy" not in b["summary"]["text"] and "no sign of a myopathy" not in text_report(b)
