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


def _packet(*features: tuple[str, str]) -> dict[str, Any]:
    return {"id": "p", "subject": {"id": "s", "sex": "MALE"}, "metaData": {"phenopacketSchemaVersion": "2.0"},
            "phenotypicFeatures": [{"type": {"id": t, "label": lbl}} for t, lbl in features]}


def test_a_source_that_records_a_muscle_sign_no_field_holds_is_not_warned() -> None:
    """A phenopacket or a FHIR chart that records only "Proximal muscle weakness" (no limb named: no field is set) is a
    patient the differential is built for: a note names what was recorded, and the answer does not say that no sign of
    a myopathy is recorded. Found on phenopacket-store: 25 muscle-disease packets with proximal weakness were warned."""
    from myoclass.io.inputs import input_of
    from myoclass.model.case import MUSCLE_SIGN_NOTE
    from myoclass.reasoning.assess import assess_case

    inp = input_of(_packet(("HP:0003701", "Proximal muscle weakness"), ("HP:0001263", "Global developmental delay")))
    assert "weakness_proximal_upper_symmetric" not in inp.case.to_flat()
    a = assess_case(inp.case)
    assert not any(w.startswith(OPENING) for w in a["warnings"])
    (note,) = [w for w in a["warnings"] if w.startswith(MUSCLE_SIGN_NOTE)]
    assert "'Proximal muscle weakness' (HP:0003701, phenotypicFeatures[0])" in note and "HP:0001263" not in note
    assert "no sign of a myopathy" not in a["summary"]["text"]
    # a packet of another disease still is
    other = assess_case(input_of(_packet(("HP:0001263", "Global developmental delay"), ("HP:0001252", "Hypotonia"))).case)
    assert any(w.startswith(OPENING) for w in other["warnings"])
    assert not any(w.startswith(MUSCLE_SIGN_NOTE) for w in other["warnings"])
    # FHIR: a present Condition coded HP:0003701 (only its absence sets fields) or HP:0003560; an absent one is not a sign
    hpo = "http://human-phenotype-ontology.org"

    def condition(code: str, status: str = "confirmed") -> dict[str, Any]:
        return {"resourceType": "Condition", "id": code[3:], "code": {"coding": [{"system": hpo, "code": code}]},
                "verificationStatus": {"coding": [{"code": status}]}}

    for code in ("HP:0003701", "HP:0003560"):
        chart = {"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "id": "pt", "gender": "female"}}, {"resource": condition(code)}]}
        fa = assess_case(input_of(chart).case)
        assert not any(w.startswith(OPENING) for w in fa["warnings"]), code
        assert any(w.startswith(MUSCLE_SIGN_NOTE) and code in w for w in fa["warnings"]), code
    refuted = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "pt", "gender": "female"}},
        {"resource": condition("HP:0003560", "refuted")}]}
    assert any(w.startswith(OPENING) for w in assess_case(input_of(refuted).case)["warnings"])
    # an Observation coded so: present when recorded without a value, not when its value says absent
    for extra, sign in (({}, True), ({"valueBoolean": False}, False)):
        obs = {"resourceType": "Observation", "id": "o", "status": "final",
               "code": {"coding": [{"system": hpo, "code": "HP:0003560"}]}, **extra}
        chart = {"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "id": "pt", "gender": "female"}}, {"resource": obs}]}
        warnings = assess_case(input_of(chart).case)["warnings"]
        assert any(w.startswith(MUSCLE_SIGN_NOTE) for w in warnings) is sign, extra
        assert any(w.startswith(OPENING) for w in warnings) is not sign, extra


def test_a_huge_label_is_not_echoed_whole() -> None:
    """The note and the reader's warnings quote a source's term label at most 80 characters long."""
    from myoclass.io.inputs import input_of
    from myoclass.model.case import MUSCLE_SIGN_NOTE

    inp = input_of(_packet(("HP:0003701", "x" * 100_000), ("HP:0001324", "y" * 100_000)))
    (note,) = [n for n in inp.case.notes if n.startswith(MUSCLE_SIGN_NOTE)]
    assert len(note) < 600 and "x" * 79 + "…" in note
    assert inp.phenopacket is not None and all(len(w) < 800 for w in inp.phenopacket.warnings)
