"""Flat case → FHIR R4 resources: a Patient, Observations, Conditions, MedicationStatements and a
DiagnosticReport for the muscle biopsy, with stable ids, such that ``read_fhir(case_to_resources(c))`` gives back
every field of ``c``.

Every coded element carries myoclass's own code first (``http://myoclass.org/fhir/CodeSystem/flat-case|<key>``), then the standard
code of :func:`myoclass.io.fhir.codes.field_code` where one is verified, so the round trip never rests on an
unverified code. Resources carry no dates of their own (the flat case has none): the onset is written as
``Condition.onsetAge`` and the ages and durations as values. The output validates against HL7's R4 JSON
schema and parses with the ``fhirclient`` 4.0.1 models (``tests/test_fhir_roundtrip.py``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from myoclass.io.fhir import codes as C
from myoclass.model.case import parse_case
from myoclass.model.fields import ANTIBODIES, BIOPSY_ITEMS, FIELDS

__all__ = ["case_to_resources"]

_CONDITION_FIELDS = ("hypothyroidism", "ild", "cancer", "raynaud", "arthritis", "fever", "cardiac_involvement",
                     "weight_loss", "skin_ulceration")
_DRUG_FIELDS = {"statin_exposure": (C.ATC, "C10AA", "HMG CoA reductase inhibitors", "statin"),
                "checkpoint_inhibitor": (C.ATC, "L01FF", "PD-1/PDL-1 inhibitors", "immune checkpoint inhibitor"),
                "other_myotoxic_drug": None}


def _coding(system: str, code: str, display: str = "") -> dict[str, Any]:
    c: dict[str, Any] = {"system": system, "code": code}
    if display:
        c["display"] = display
    return c


def _concept(field: str, *, standard: bool = True) -> dict[str, Any]:
    # an antibody by its name ("anti-HMGCR antibody"), not the data dictionary's encoding of its values
    words = f"{ANTIBODIES[field]} antibody" if field in ANTIBODIES else FIELDS[field].description[:120]
    codings = [_coding(C.MYOCLASS, field, words)]
    if standard:
        e = C.field_code(field)
        if e is not None and (field not in ANTIBODIES or e.system == C.LOINC):
            codings.append(_coding(e.system, e.code, e.display))
    return {"coding": codings, "text": words}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": C.UCUM, "code": unit}


def case_to_resources(case: Mapping[str, Any], *, today: datetime.date | None = None,
                      patient_id: str = "patient") -> list[dict[str, Any]]:
    """The FHIR R4 resources for one flat case (validated first: an invalid case raises
    :class:`~myoclass.errors.InvalidCase`). ``today``: the day the age refers to (the age Observation's
    ``effectiveDateTime``; default today);
    ``patient_id``: the Patient's id, also the prefix of every other id (``patient-ab-hmgcr``)."""
    flat = parse_case(case).to_flat()
    today = today or datetime.date.today()
    pid = re.sub(r"[^A-Za-z0-9.-]", "-", patient_id)[:40] or "patient"
    subject = {"reference": f"Patient/{pid}"}
    if flat.get("ck_u_l") is not None and flat.get("ck_uln_u_l") is not None:
        flat.pop("ck_elevated", None)  # derived from the numbers; written once, as the numbers
    out: list[dict[str, Any]] = []

    def rid(field: str) -> str:
        return f"{pid}-{field.replace('_', '-')}"[:64]

    def observation(field: str, **value: Any) -> dict[str, Any]:
        obs: dict[str, Any] = {"resourceType": "Observation", "id": rid(field), "status": "final",
                               "code": _concept(field), "subject": subject}
        obs.update(value)
        out.append(obs)
        return obs

    patient: dict[str, Any] = {"resourceType": "Patient", "id": pid}
    if "case_id" in flat:
        patient["identifier"] = [{"system": C.MYOCLASS_CASE_ID, "value": flat["case_id"]}]
    if "sex" in flat:
        patient["gender"] = flat["sex"]
    age = flat.get("age_years")
    out.append(patient)
    if age is not None:  # as the age it is, on the day it refers to; never as a birth date made up from it
        observation("age_years", valueQuantity=_quantity(age, "a"), effectiveDateTime=today.isoformat())
    if flat.get("age_at_onset_years") is not None:
        out.append({"resourceType": "Condition", "id": rid("onset"),
                    "clinicalStatus": {"coding": [_coding(C.CONDITION_CLINICAL, "active")]},
                    "verificationStatus": {"coding": [_coding(C.CONDITION_VER_STATUS, "confirmed")]},
                    "code": {"coding": [_coding(C.MYOCLASS, C.MYOPATHY_ONSET, "the myopathy being classified")],
                             "text": "myopathy (onset of the first symptom)"},
                    "subject": subject, "onsetAge": _quantity(flat["age_at_onset_years"], "a")})
    if flat.get("symptom_duration_months") is not None:
        observation("symptom_duration_months", valueQuantity=_quantity(flat["symptom_duration_months"], "mo"))
    if flat.get("genetic_diagnosis_gene"):
        gene = flat["genetic_diagnosis_gene"]
        observation("genetic_diagnosis_gene", valueCodeableConcept={"coding": [{"system": C.HGNC, "display": gene}], "text": gene})
    # CK
    ck, uln = flat.get("ck_u_l"), flat.get("ck_uln_u_l")
    if ck is not None:
        e = C.lookup(C.LOINC, "2157-6")
        assert e is not None
        obs = observation("ck_u_l", valueQuantity=_quantity(ck, "U/L"))
        obs["code"] = {"coding": [_coding(C.LOINC, e.code, e.display), _coding(C.MYOCLASS, "ck_u_l")], "text": "Creatine kinase"}
        if uln is not None:
            obs["referenceRange"] = [{"high": _quantity(uln, "U/L")}]
    elif uln is not None:
        observation("ck_uln_u_l", valueQuantity=_quantity(uln, "U/L"))
    biopsy_results: list[dict[str, str]] = []
    for field, value in flat.items():
        spec = FIELDS[field]
        if field in ("case_id", "sex", "age_years", "age_at_onset_years", "symptom_duration_months", "genetic_diagnosis_gene",
                     "ck_u_l", "ck_uln_u_l", "biopsy_performed"):
            continue
        if field.endswith("_method") and field.removesuffix("_method") in flat:
            continue  # written as the antibody Observation's method
        if spec.kind == "enum":
            observation(field, valueCodeableConcept={"coding": [_coding(C.MYOCLASS_VALUE, value)], "text": value})
        elif field in ANTIBODIES:
            obs = observation(field, interpretation=[{"coding": [_coding(C.INTERPRETATION, "POS" if value else "NEG",
                                                                         "Positive" if value else "Negative")]}],
                              valueCodeableConcept={"coding": [_coding(C.SNOMED, "10828004" if value else "260385009",
                                                                       "Positive" if value else "Negative")],
                                                    "text": "positive" if value else "negative"})
            method = flat.get(f"{field}_method")
            if method:
                obs["method"] = {"coding": [_coding(C.MYOCLASS_METHOD, method)], "text": method}
        elif field in _CONDITION_FIELDS:
            cond: dict[str, Any] = {"resourceType": "Condition", "id": rid(field),
                                    "verificationStatus": {"coding": [_coding(C.CONDITION_VER_STATUS,
                                                                              "confirmed" if value else "refuted")]},
                                    "code": _concept(field), "subject": subject}
            if value:
                cond["clinicalStatus"] = {"coding": [_coding(C.CONDITION_CLINICAL, "active")]}
            out.append(cond)
        elif field in _DRUG_FIELDS:
            codings = [_coding(C.MYOCLASS, field, FIELDS[field].description[:120])]
            std = _DRUG_FIELDS[field]
            if std is not None:
                codings.append(_coding(std[0], std[1], std[2]))
            out.append({"resourceType": "MedicationStatement", "id": rid(field),
                        "status": "completed" if value else "not-taken",
                        "medicationCodeableConcept": {"coding": codings, "text": std[3] if std else "other myotoxic drug"},
                        "subject": subject})
        else:
            obs = observation(field, valueBoolean=value)
            if field in BIOPSY_ITEMS:
                biopsy_results.append({"reference": f"Observation/{obs['id']}"})
    if flat.get("biopsy_performed") is True:
        report: dict[str, Any] = {"resourceType": "DiagnosticReport", "id": rid("biopsy"), "status": "final",
                                  "code": {"coding": [_coding(C.MYOCLASS, "biopsy_performed", "muscle biopsy")],
                                           "text": "Muscle biopsy"}, "subject": subject}
        if biopsy_results:
            report["result"] = biopsy_results
        out.append(report)
    elif flat.get("biopsy_performed") is False:
        observation("biopsy_performed", valueBoolean=False)
    return out
