"""The assessment as a FHIR R4 Bundle (issue 13): valid R4 (schema and fhirclient), the confirmed/provisional rule,
predictions that match the assessment, references that resolve, no empty values, deterministic output, and a
label-code table that covers every label."""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _builders import README_CASE
from _fhir_schema import SCHEMA_PATH, SCHEMA_SHA256, assert_valid_r4, r4_problems
from myoclass import assess
from myoclass.examples import example_cases
from myoclass.io.fhir.assessment import DIFFERENTIAL_URL, assessment_bundle
from myoclass.io.label_codes import (
    IIM,
    LABEL_CODES,
    LABEL_SYSTEM,
    TERMINOLOGIES,
    label_code_table_markdown,
    missing_terminologies,
)
from myoclass.model.labels import LABELS

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
DOCS = Path(__file__).resolve().parents[1] / "docs" / "fhir.md"
OBSERVATION_STATUS = {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error",
                      "unknown"}


def _fhir_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9\-.]", "-", text)[:64]


def _resources(case: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Stand-in input resources for a flat case (a Patient and one Observation per known finding), and the
    references of those that carry a finding present or a number (the evidence)."""
    pid = _fhir_id(str(case.get("case_id") or "case"))
    out: list[dict[str, Any]] = [{"resourceType": "Patient", "id": pid}]
    evidence = []
    for key, value in case.items():
        if key == "case_id" or value is None:
            continue
        obs: dict[str, Any] = {"resourceType": "Observation", "id": _fhir_id(f"{pid}-{key}"), "status": "final",
                               "code": {"text": key}, "subject": {"reference": f"Patient/{pid}"}}
        if isinstance(value, bool):
            obs["valueBoolean"] = value
        elif isinstance(value, int | float):
            obs["valueQuantity"] = {"value": value}
        else:
            obs["valueString"] = str(value)
        out.append(obs)
        if value is not False:
            evidence.append(f"Observation/{obs['id']}")
    return out, evidence


def _bundle(case: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]], list[str]]:
    a = assess(case)
    resources, evidence = _resources(case)
    return a, assessment_bundle(a, resources=resources, evidence=evidence, now=NOW), resources, evidence


def _one(bundle: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type]
    assert len(found) == 1, resource_type
    return found[0]


def _empties(value: Any, path: str = "") -> list[str]:
    if value is None or value == "" or value == [] or value == {}:
        return [path or "(root)"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _empties(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _empties(v, f"{path}/{i}")]
    return []


def _check(a: dict[str, Any], bundle: dict[str, Any], resources: list[dict[str, Any]], evidence: list[str]) -> None:
    """Every property the Bundle must have, for any assessment."""
    assert_valid_r4(bundle)
    assert bundle["type"] == "collection"
    assert not _empties(bundle), _empties(bundle)
    full_urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    by_ref = {f"{e['resource']['resourceType']}/{e['resource']['id']}": e for e in bundle["entry"]}
    for e in bundle["entry"]:
        assert e["fullUrl"].endswith(f"/{e['resource']['resourceType']}/{e['resource']['id']}")
    # the input resources are in the bundle, unchanged
    assert [e["resource"] for e in bundle["entry"][: len(resources)]] == resources

    condition, risk = _one(bundle, "Condition"), _one(bundle, "RiskAssessment")
    settled = a["summary"]["label"] != "undetermined"
    label = a["summary"]["label"] if settled else a["summary"]["leading_label"]
    status = condition["verificationStatus"]["coding"][0]
    assert status["system"] == "http://terminology.hl7.org/CodeSystem/condition-ver-status"
    lead_p = a["summary"]["leading_probability"]
    assert status["code"] == ("confirmed" if settled else "provisional" if lead_p > 0.5 else "differential")
    # an open label (the leading one) is not an active diagnosis and carries no billing code
    assert condition["code"]["coding"] == LABEL_CODES[label].codings(exclude=() if settled else ("icd10cm",))
    if not settled:
        assert "clinicalStatus" not in condition
        assert "http://hl7.org/fhir/sid/icd-10-cm" not in json.dumps(bundle["entry"][len(resources):])
    elif label != "not_iim":
        assert condition["clinicalStatus"]["coding"][0]["code"] == "active"
    assert condition["code"]["coding"][0] == {"system": LABEL_SYSTEM, "code": label, "display": LABEL_CODES[label].text}
    assert condition["code"]["text"] == LABEL_CODES[label].text

    # subject: the Patient among the resources, resolving inside the bundle
    patient = f"Patient/{resources[0]['id']}"
    assert condition["subject"] == risk["subject"] == {"reference": patient}
    assert patient in by_ref
    # evidence: exactly the references given, each resolving to an entry
    details = [d["reference"] for ev in condition.get("evidence", []) for d in ev["detail"]]
    assert details == list(dict.fromkeys(evidence))
    assert all(ref in by_ref for ref in details)
    # a note names myoclass and every criteria set with its version
    note = " ".join(n["text"] for n in condition["note"])
    assert f"myoclass {a['versions']['myoclass']}" in note
    for set_id, version in a["versions"].items():
        assert f"{set_id} {version}" in note or set_id == "myoclass"

    # the differential on a provisional Condition, summing to 1
    ext = [x for x in condition.get("extension", []) if x["url"] == DIFFERENTIAL_URL]
    if settled:
        assert not ext
    else:
        assert len(ext) == 1
        entries = [x for x in ext[0]["extension"] if x["url"] == "entry"]
        pairs = [({y["url"]: y for y in x["extension"]}) for x in entries]
        got = [(p["outcome"]["valueCodeableConcept"]["coding"][0]["code"], p["probability"]["valueDecimal"])
               for p in pairs]
        assert got == [(d["label"], d["probability"]) for d in a["differential"]]
        assert sum(p for _, p in got) == pytest.approx(1, abs=1e-3)

    # the RiskAssessment
    assert risk["status"] == "final" and risk["status"] in OBSERVATION_STATUS  # the schema leaves status unchecked
    assert risk["condition"] == {"reference": f"Condition/{condition['id']}"}
    assert a["versions"]["myoclass"] in risk["method"]["text"]
    assert [b["reference"] for b in risk["basis"]] == [f"{r['resourceType']}/{r['id']}" for r in resources[1:]]
    assert all(b["reference"] in by_ref for b in risk["basis"])
    preds = risk["prediction"]
    eular = a["criteria"]["eular_acr_2017"]
    iim = [p for p in preds if p["outcome"] == IIM.codeable_concept()]
    if eular["probability"] is not None:
        # R4 reads a decimal probability as a percentage (max 100)
        assert len(iim) == 1 and iim[0]["probabilityDecimal"] == pytest.approx(100 * eular["probability"])
    elif eular["probability_min"] is not None:
        assert len(iim) == 1
        rng = iim[0]["probabilityRange"]
        assert rng["low"]["value"] == pytest.approx(100 * eular["probability_min"])
        assert rng["high"]["value"] == pytest.approx(100 * eular["probability_max"])
        assert rng["low"]["code"] == rng["high"]["code"] == "%"
    else:
        assert not iim
    labels = [p for p in preds if p not in iim]
    assert [(p["outcome"]["coding"][0]["code"], p["probabilityDecimal"]) for p in labels] == \
        [(d["label"], round(100 * d["probability"], 4)) for d in a["differential"]]
    assert all(0 <= p["probabilityDecimal"] <= 100 for p in preds if "probabilityDecimal" in p)
    assert all(p["outcome"] == LABEL_CODES[d["label"]].codeable_concept(exclude=() if settled else ("icd10cm",))
               for p, d in zip(labels, a["differential"], strict=True))


# --- the vendored schema ---------------------------------------------------------------------------------------------
def test_the_vendored_schema_is_hl7s_r4_schema() -> None:
    data = gzip.decompress(SCHEMA_PATH.read_bytes())
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256
    schema = json.loads(data)
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    assert schema["$schema"] == "http://json-schema.org/draft-06/schema#"


@pytest.mark.parametrize("break_it, why", [
    (lambda b: b.__setitem__("type", "pile"), "unknown Bundle.type code"),
    (lambda b: _one(b, "Condition").__setitem__("bogus", 1), "unknown element"),
    (lambda b: _one(b, "Condition").pop("subject"), "missing required subject (fhirclient only)"),
    (lambda b: _one(b, "Condition").__setitem__("note", {"text": "x"}), "an object where an array belongs"),
    (lambda b: _one(b, "RiskAssessment").__setitem__("occurrenceDateTime", "yesterday"), "a malformed dateTime"),
    (lambda b: b["entry"][0]["resource"].__setitem__("status", "done"), "bad Observation.status code"),
    (lambda b: _one(b, "Condition")["code"]["coding"][0].__setitem__("code", ""), "an empty string"),
])
def test_a_broken_bundle_fails_the_validator(break_it: Any, why: str) -> None:
    a = assess(README_CASE)
    obs = {"resourceType": "Observation", "id": "ck", "status": "final", "code": {"text": "CK"}}
    bundle = assessment_bundle(a, resources=[obs], patient="Patient/p1", now=NOW)
    assert_valid_r4(bundle)
    broken = copy.deepcopy(bundle)
    break_it(broken)
    assert r4_problems(broken), why
    with pytest.raises(AssertionError):
        assert_valid_r4(broken)


# --- bundles from the example cases and from random cases -----------------------------------------------------------
@pytest.mark.parametrize("name", sorted(example_cases()))
def test_every_example_gives_a_valid_bundle(name: str) -> None:
    case = copy.deepcopy(example_cases()[name])
    a, bundle, resources, evidence = _bundle(case)
    _check(a, bundle, resources, evidence)


def test_settled_and_undetermined_examples_are_both_covered() -> None:
    labels = {assess(c)["summary"]["label"] for c in example_cases().values()}
    assert "undetermined" in labels and len(labels - {"undetermined"}) > 3


def test_a_settled_case_is_confirmed_and_an_undetermined_one_provisional_or_differential() -> None:
    settled = next(c for c in example_cases().values() if assess(c)["summary"]["label"] == "ibm")
    _a, bundle, *_ = _bundle(settled)
    assert _one(bundle, "Condition")["verificationStatus"]["coding"][0]["code"] == "confirmed"
    a, bundle, *_ = _bundle(README_CASE)
    assert a["summary"]["label"] == "undetermined"
    condition = _one(bundle, "Condition")
    assert condition["verificationStatus"]["coding"][0]["code"] == "provisional"
    assert condition["code"]["coding"][0]["code"] == a["summary"]["leading_label"] == "imnm_anti_hmgcr"
    assert any(x["url"] == DIFFERENTIAL_URL for x in condition["extension"])
    # the note says it in words, not codes
    note = " ".join(n["text"] for n in condition["note"])
    assert "Immune-mediated necrotizing myopathy, anti-HMGCR" in note and "imnm_anti_hmgcr" not in note
    assert "89%" in note
    # a leading label below 50% is one of a set of potential diagnoses: 'differential', not 'provisional'
    a, bundle, *_ = _bundle({"age_years": 56, "sex": "female", "cardiac_involvement": True})
    assert a["summary"]["label"] == "undetermined" and a["summary"]["leading_probability"] < 0.5
    assert _one(bundle, "Condition")["verificationStatus"]["coding"][0]["code"] == "differential"


DECIDING = ["ab_hmgcr", "ab_srp", "ab_jo1", "weakness_proximal_upper_symmetric", "weakness_proximal_lower_symmetric",
            "weakness_neck_flexor_gt_extensor", "skin_heliotrope", "skin_gottron_papules", "skin_gottron_sign",
            "dysphagia", "weakness_finger_flexor_gt_shoulder_abductor", "biopsy_necrosis_predominant",
            "biopsy_rimmed_vacuoles", "biopsy_perimysial_perivascular_infiltrate", "ild", "statin_exposure",
            "hypothyroidism", "other_myotoxic_drug", "biopsy_dystrophic_features"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({k: st.sampled_from([True, False, None]) for k in DECIDING}),
       st.integers(min_value=8, max_value=85), st.booleans())
def test_random_cases_give_valid_bundles(values: dict[str, bool | None], age: int, biopsy: bool) -> None:
    case: dict[str, Any] = {"case_id": f"random-{age}", "age_at_onset_years": age, "age_years": age + 1,
                            "ck_u_l": 3000, "ck_uln_u_l": 200, "biopsy_performed": biopsy, **values}
    if not biopsy:
        case = {k: v for k, v in case.items() if not k.startswith("biopsy_") or k == "biopsy_performed"}
    a, bundle, resources, evidence = _bundle(case)
    _check(a, bundle, resources, evidence)


# --- determinism, subject, arguments ---------------------------------------------------------------------------------
def test_the_same_input_gives_the_same_bundle_and_another_input_other_ids() -> None:
    case = copy.deepcopy(example_cases()["dermatomyositis"])
    _a, first, *_ = _bundle(case)
    _a, second, *_ = _bundle(copy.deepcopy(case))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    case["case_id"] = "another"
    _a, third, *_ = _bundle(case)
    assert third["id"] != first["id"]
    assert _one(third, "Condition")["id"] != _one(first, "Condition")["id"]
    assert first["timestamp"] == _one(first, "RiskAssessment")["occurrenceDateTime"] == "2026-03-04T05:06:07+00:00"


def test_without_a_patient_the_subject_names_the_case_and_the_bundle_stays_valid() -> None:
    a = assess(README_CASE)
    bundle = assessment_bundle(a, now=NOW)
    assert_valid_r4(bundle)
    subject = _one(bundle, "Condition")["subject"]
    assert subject["identifier"]["value"] == README_CASE["case_id"]
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Condition", "RiskAssessment"]


def test_an_explicit_patient_reference_wins_and_input_resources_are_not_changed() -> None:
    a = assess(README_CASE)
    resources = [{"resourceType": "Patient", "id": "p1"}, {"resourceType": "Observation", "status": "final",
                                                            "code": {"text": "CK"}}]
    before = copy.deepcopy(resources)
    bundle = assessment_bundle(a, resources=resources, patient="Patient/elsewhere", now=NOW)
    assert resources == before
    assert _one(bundle, "Condition")["subject"] == {"reference": "Patient/elsewhere"}
    observation = _one(bundle, "Observation")
    assert observation["id"]  # an id was given to the resource that had none
    assert_valid_r4(bundle)


def test_a_naive_time_is_taken_as_utc() -> None:
    a = assess(README_CASE)
    bundle = assessment_bundle(a, now=datetime(2026, 3, 4, 5, 6, 7))
    assert bundle["timestamp"] == "2026-03-04T05:06:07+00:00"


# --- the label-code table --------------------------------------------------------------------------------------------
def test_every_label_has_codes_or_says_why_not_in_every_terminology() -> None:
    assert set(LABEL_CODES) == set(LABELS)
    for label in LABELS:
        entry = LABEL_CODES[label]
        assert entry.label == label and entry.text
        assert not missing_terminologies(entry), (label, missing_terminologies(entry))
    assert not missing_terminologies(IIM)


def test_every_code_is_well_formed_and_sourced() -> None:
    pattern = {"snomed": r"\d{6,18}", "icd10cm": r"[A-Z]\d{2}(\.[0-9A-Z]{1,4})?", "orphanet": r"\d+",
               "mondo": r"MONDO:\d{7}"}
    keys = {t.key for t in TERMINOLOGIES}
    for entry in [*LABEL_CODES.values(), IIM]:
        for c in entry.codes:
            assert c.terminology in keys
            assert re.fullmatch(pattern[c.terminology], c.code), c
            assert c.match in ("exact", "broader")
            assert c.verification in ("V-P", "V-S", "V-X", "R")
            assert c.source.startswith("https://")
            if c.verification == "R":  # nothing unchecked goes into a clinical record
                pytest.fail(f"unverified code in the table: {c}")
    assert LABEL_CODES["imnm_anti_hmgcr"].in_terminology("orphanet")[0].curie == "ORPHA:206569"
    assert LABEL_CODES["ibm"].in_terminology("icd10cm")[0].curie == "ICD10CM:G72.41"


def test_known_codes() -> None:
    def codes(label: str, key: str) -> list[str]:
        return [c.code for c in LABEL_CODES[label].in_terminology(key)]

    assert codes("imnm_anti_srp", "mondo") == ["MONDO:0016098"]
    assert codes("imnm_seronegative", "icd10cm") == ["G72.49"]  # not M33.2 (polymyositis)
    assert codes("pm", "icd10cm") == ["M33.2"]
    assert codes("jdm", "orphanet") == ["93672"]
    assert codes("dm", "orphanet") == ["221"]
    assert codes("antisynthetase", "orphanet") == ["81"]
    assert codes("statin_toxic_myopathy", "icd10cm") == ["G72.0"]
    assert codes("not_iim", "snomed") == []


def test_docs_carry_the_generated_label_code_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert "## Assessment → FHIR" in text and "## Label codes" in text
    assert label_code_table_markdown() in text, "regenerate the table in docs/fhir.md from label_code_table_markdown()"
