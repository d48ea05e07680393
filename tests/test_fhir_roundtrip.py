"""Flat case → FHIR R4 → flat case loses no field (issue 13): on every example case, the synthetic cohort and
generated valid cases; and the written resources are valid R4 (HL7's JSON schema and the fhirclient models)."""

from __future__ import annotations

import datetime
import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fhirclient.models.bundle import Bundle
from fhirclient.models.condition import Condition
from fhirclient.models.diagnosticreport import DiagnosticReport
from fhirclient.models.medicationstatement import MedicationStatement
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myoclass.errors import InvalidCase
from myoclass.examples import example_cases
from myoclass.io.fhir import case_to_resources, read_fhir
from myoclass.model.case import parse_case
from myoclass.model.fields import FIELDS
from myoclass.synthetic import synthetic_cases
from test_properties import _case
from test_properties import cases as property_cases

FIX = Path(__file__).parent / "fixtures" / "fhir"
TODAY = datetime.date(2024, 6, 1)
MODELS = {"Patient": Patient, "Observation": Observation, "Condition": Condition,
          "MedicationStatement": MedicationStatement, "DiagnosticReport": DiagnosticReport}


@cache
def validator() -> jsonschema.Draft6Validator:
    with gzip.open(FIX / "schema" / "fhir.schema.json.gz", "rt", encoding="utf-8") as f:
        schema = json.load(f)
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    return jsonschema.Draft6Validator(schema)


def bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def round_trip(case: dict[str, Any], today: datetime.date = TODAY) -> tuple[dict[str, Any], dict[str, Any], Any]:
    resources = case_to_resources(case, today=today)
    reading = read_fhir(bundle(resources), today=today)
    return parse_case(case).to_flat(), parse_case(reading.case).to_flat(), reading


def assert_valid_r4(resources: list[dict[str, Any]]) -> None:
    for r in resources:
        errors = [e.message[:200] for e in validator().iter_errors(r)]
        assert not errors, (r.get("id"), errors)
        MODELS[r["resourceType"]](r)  # raises FHIRValidationError for a missing required element or unknown key
    Bundle(bundle(resources))


@pytest.mark.parametrize("name", sorted(example_cases()))
def test_every_example_case_survives_the_round_trip(name: str) -> None:
    before, after, reading = round_trip(example_cases()[name])
    assert after == before
    assert reading.unmapped == ()


@pytest.mark.parametrize("name", sorted(example_cases()))
def test_written_resources_are_valid_r4(name: str) -> None:
    assert_valid_r4(case_to_resources(example_cases()[name], today=TODAY))


def test_the_schema_check_is_real() -> None:
    bad = case_to_resources({"ab_hmgcr": True}, today=TODAY)[1]
    bad["status"] = "maybe"
    assert list(validator().iter_errors(bad))
    bad2 = dict(bad, status="final", colour="blue")
    assert list(validator().iter_errors(bad2))


def test_ids_are_stable_unique_and_prefixed_by_the_patient() -> None:
    case = example_cases()["anti_hmgcr_statin"]
    a = case_to_resources(case, today=TODAY, patient_id="p 1/x")
    assert a == case_to_resources(case, today=TODAY, patient_id="p 1/x")
    ids = [r["id"] for r in a]
    assert len(ids) == len(set(ids)) and all(i.startswith("p-1-x") for i in ids)
    assert next(r for r in a if r["resourceType"] == "Patient")["id"] == "p-1-x"
    assert {r["subject"]["reference"] for r in a if "subject" in r} == {"Patient/p-1-x"}


def test_an_invalid_case_is_refused_by_the_writer() -> None:
    with pytest.raises(InvalidCase):
        case_to_resources({"ab_hmgcrr": True})


def test_synthetic_fixture_reads_back_to_its_case_and_the_writer_still_writes_it() -> None:
    case = json.loads((FIX / "synthetic_case.json").read_text(encoding="utf-8"))
    fixture = json.loads((FIX / "synthetic_bundle.json").read_text(encoding="utf-8"))
    reading = read_fhir(fixture, today=TODAY)
    assert parse_case(reading.case).to_flat() == parse_case(case).to_flat()
    assert reading.unmapped == ()
    assert [e["resource"] for e in fixture["entry"]] == case_to_resources(case, today=TODAY, patient_id="synthetic-13")


def test_the_synthetic_cohort_survives_the_round_trip() -> None:
    for case in synthetic_cases(150, seed=7):
        before, after, reading = round_trip(case)
        assert after == before, case["case_id"]
        assert reading.unmapped == ()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(property_cases)
def test_property_cases_survive_the_round_trip(data: tuple) -> None:
    vals, unknown = data
    before, after, _ = round_trip(_case(vals, unknown))
    assert after == before


def _value(key: str) -> st.SearchStrategy[Any]:
    spec = FIELDS[key]
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(spec.values)
    if spec.kind == "number":
        hi = spec.maximum if spec.maximum is not None else 1e5
        lo = spec.minimum or 0.0
        return st.one_of(st.integers(int(lo) + (1 if spec.exclusive_minimum else 0), int(hi)),
                         st.floats(lo, hi, exclude_min=spec.exclusive_minimum, allow_nan=False).map(lambda x: round(x, 1)))
    if key == "genetic_diagnosis_gene":
        return st.sampled_from(["DYSF", "HMGCR", "GAA", "CAPN3", "ANO5"])
    return st.text("abc-123", min_size=1, max_size=12)


@st.composite
def any_valid_case(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=40, unique=True))
    case = {k: draw(_value(k)) for k in keys}
    try:
        parse_case(case)
    except InvalidCase as e:  # drop the keys of each broken rule (e.g. onset after age)
        for p in e.problems:
            case.pop(p.field, None)
    try:
        parse_case(case)
    except InvalidCase:
        case = {}
    return case


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(any_valid_case(), st.dates(datetime.date(1990, 1, 1), datetime.date(2060, 12, 31)))
def test_any_valid_case_survives_the_round_trip_and_writes_valid_r4(case: dict[str, Any], today: datetime.date) -> None:
    before, after, reading = round_trip(case, today)
    assert after == before
    assert reading.unmapped == ()
    assert_valid_r4(case_to_resources(case, today=today))


def test_a_field_is_written_with_a_standard_code_only_when_the_code_means_the_field() -> None:
    """A coding beside myoclass's in one concept says the same thing: a cardiac involvement (which may be an
    arrhythmia) is not written as HPO "Myocarditis", another DM rash not as "Shawl sign"; a field with a code of its own
    keeps it. The phenopacket writer follows the same rule, and both read back to the case."""
    from myoclass.io.phenopacket import case_to_phenopacket, read_phenopacket

    case = {"case_id": "w", "cardiac_involvement": True, "skin_other_dm_rash": True, "ild": True,
            "weakness_proximal_upper_symmetric": True, "ck_elevated": True}
    res = {r["id"]: r for r in case_to_resources(case, today=TODAY, patient_id="w")}
    codes = {k: {c["code"] for c in r["code"]["coding"]} for k, r in res.items() if "code" in r}
    assert codes["w-cardiac-involvement"] == {"cardiac_involvement"}
    assert codes["w-skin-other-dm-rash"] == {"skin_other_dm_rash"}
    assert codes["w-ild"] == {"ild"}
    assert "HP:0008997" in codes["w-weakness-proximal-upper-symmetric"] and "HP:0003236" in codes["w-ck-elevated"]
    assert parse_case(read_fhir(case_to_resources(case, today=TODAY), today=TODAY).case).to_flat() == case
    packet = case_to_phenopacket(case)
    terms = {f["type"]["id"] for f in packet["phenotypicFeatures"]}
    assert not terms & {"HP:0012819", "HP:0025535", "HP:0006515"}
    assert {"MYOCLASS:cardiac_involvement", "MYOCLASS:skin_other_dm_rash", "HP:0008997", "HP:0003236"} <= terms
    assert read_phenopacket(packet).case == case
