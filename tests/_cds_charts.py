"""Build CDS Hooks requests for the tests: a flat case as a small FHIR R4 chart (the prefetch), and order bundles.

The chart holds what an EHR would hold with standard codes only (:mod:`myoclass.io.fhir.codes`): the Patient
(sex, birth date), CK with its reference range (LOINC 2157-6), the antibodies with a LOINC code, the symptoms,
weakness, skin and other-organ findings with an HPO code as Conditions (confirmed when present, refuted when
absent), and a statin as a MedicationStatement. Biopsy, EMG and MRI findings are left out (an EHR holds them as
report text), so the chart is thinner than the flat case.

``python tests/_cds_charts.py`` rewrites the synthetic fixtures in ``tests/fixtures/cds/`` (see their README).
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

from myoclass.io.fhir.codes import HPO, LOINC, RXNORM, SNOMED, UCUM, code_entries
from myoclass.model.fields import ANTIBODIES, FIELDS
from myoclass.synthetic import synthetic_cases

FIXTURES = Path(__file__).parent / "fixtures" / "cds"
#: birth dates are counted back from this day, so the fixtures do not change from day to day
REFERENCE_DAY = datetime.date(2026, 12, 1)
#: the synthetic cases written as fixtures: (seed, index in synthetic_cases(40, seed)), and why each
SYNTHETIC = {"imnm-hmgcr": (13, 34), "imnm-srp-severe": (13, 16), "dm": (13, 0)}
_CONDITION_GROUPS = ("symptoms", "weakness", "skin", "extramuscular")


def _searchset(resources: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not resources:
        return None  # the client found nothing: null
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"fullUrl": f"urn:uuid:{r['resourceType'].lower()}-{r['id']}", "resource": r,
                       "search": {"mode": "match"}} for r in resources]}


def _standard(field: str, system: str) -> Any:
    return next((e for e in code_entries() if e.field == field and e.system == system and e.method is None), None)


def chart_from_case(case: dict[str, Any], patient_id: str) -> dict[str, Any]:
    """The prefetch of the myoclass services for ``case``: key -> resource, searchset Bundle, or None (no data)."""
    ref = {"reference": f"Patient/{patient_id}"}
    patient: dict[str, Any] = {"resourceType": "Patient", "id": patient_id, "active": True}
    if case.get("sex"):
        patient["gender"] = case["sex"]
    if case.get("age_years") is not None:
        born = REFERENCE_DAY - datetime.timedelta(days=round(365.25 * float(case["age_years"])))
        patient["birthDate"] = born.isoformat()
    ck: list[dict[str, Any]] = []
    if case.get("ck_u_l") is not None:
        obs: dict[str, Any] = {
            "resourceType": "Observation", "id": f"{patient_id}-ck", "status": "final", "subject": ref,
            "code": {"coding": [{"system": LOINC, "code": "2157-6", "display": "Creatine kinase"}]},
            "effectiveDateTime": "2026-11-20",
            "valueQuantity": {"value": case["ck_u_l"], "unit": "U/L", "system": UCUM, "code": "U/L"}}
        if case.get("ck_uln_u_l") is not None:
            obs["referenceRange"] = [{"high": {"value": case["ck_uln_u_l"], "unit": "U/L", "system": UCUM, "code": "U/L"}}]
        ck.append(obs)
    antibodies = []
    for key in ANTIBODIES:
        entry = _standard(key, LOINC)
        if entry is None or case.get(key) is None:
            continue
        positive = bool(case[key])
        antibodies.append({
            "resourceType": "Observation", "id": f"{patient_id}-{key}", "status": "final", "subject": ref,
            "code": {"coding": [{"system": LOINC, "code": entry.code, "display": entry.display}]},
            "effectiveDateTime": "2026-11-20",
            "valueCodeableConcept": {"coding": [{"system": SNOMED, "code": "10828004" if positive else "260385009",
                                                 "display": "Positive" if positive else "Negative"}]}})
    conditions = []
    for key, spec in FIELDS.items():
        if spec.group not in _CONDITION_GROUPS or spec.kind != "bool" or case.get(key) is None:
            continue
        entry = _standard(key, HPO)
        if entry is None:
            continue
        status = "confirmed" if case[key] else "refuted"
        conditions.append({
            "resourceType": "Condition", "id": f"{patient_id}-{key}", "subject": ref, "recordedDate": "2026-11-20",
            "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                               "code": status}]},
            "code": {"coding": [{"system": HPO, "code": entry.code, "display": entry.display}]}})
    statements = []
    if case.get("statin_exposure") is True:
        statements.append({
            "resourceType": "MedicationStatement", "id": f"{patient_id}-statin", "status": "completed", "subject": ref,
            "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "83367", "display": "atorvastatin"}],
                                          "text": "atorvastatin 40 mg"},
            "effectivePeriod": {"start": "2024-01-10", "end": "2026-10-01"}})
    return {"patient": patient, "ck": _searchset(ck), "antibodies": _searchset(antibodies), "enzymes": None,
            "conditions": _searchset(conditions), "medication-statements": _searchset(statements),
            "medication-requests": None, "medication-administrations": None, "reports": None, "findings": None}


def patient_view_request(prefetch: dict[str, Any], patient_id: str, instance: str) -> dict[str, Any]:
    return {"hook": "patient-view", "hookInstance": instance,
            "context": {"userId": "Practitioner/example-clinician", "patientId": patient_id}, "prefetch": prefetch}


def synthetic_requests() -> dict[str, dict[str, Any]]:
    """The synthetic fixture requests, by name (deterministic)."""
    out = {}
    for name, (seed, index) in SYNTHETIC.items():
        case = list(synthetic_cases(index + 1, seed=seed))[index]
        pid = f"syn-{seed}-{index}"
        out[name] = patient_view_request(chart_from_case(case, pid), pid, f"00000000-0000-4000-8000-{seed:06d}{index:06d}")
    return out


def write_fixtures() -> None:
    for name, request in synthetic_requests().items():
        (FIXTURES / f"patient-view-synthetic-{name}.json").write_text(json.dumps(request, indent=1) + "\n",
                                                                      encoding="utf-8")


if __name__ == "__main__":
    write_fixtures()
    sys.exit(0)
