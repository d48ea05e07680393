"""FHIR R4 → flat case (issue 13): the issue's "done when" bundle, CK choice, antibodies, conditions,
medications, biopsy reports, conflicts, unmapped reporting, local codes, searchsets and hostile input.
Fixtures and their provenance: tests/fixtures/fhir/README.md."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import myoclass
from myoclass.errors import InvalidCase
from myoclass.io.fhir import (
    MAX_ENTRIES,
    FhirReading,
    is_fhir,
    load_local_codes,
    medication_class,
    read_fhir,
)
from myoclass.io.fhir import codes as C
from myoclass.model.case import parse_case

FIX = Path(__file__).parent / "fixtures" / "fhir"
TODAY = datetime.date(2024, 6, 1)


def load(name: str) -> Any:
    return json.loads((FIX / name).read_text(encoding="utf-8"))


def read(name: str, **kw: Any) -> FhirReading:
    return read_fhir(load(name), today=TODAY, **kw)


def choice(r: FhirReading, field: str) -> Any:
    return next(c for c in r.choices if c.field == field)


def reasons(r: FhirReading) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for u in r.unmapped:
        out.setdefault(u.resource, []).append(u.reason)
    return out


# --- the "done when" ---------------------------------------------------------------------------------
def test_done_when_bundle_gives_the_hand_written_case_and_the_same_label() -> None:
    r = read("imnm_statin_bundle.json")
    hand = load("imnm_statin_case.json")
    assert parse_case(r.case).to_flat() == parse_case(hand).to_flat()
    assert r.unmapped == ()
    a, b = myoclass.assess(r.case), myoclass.assess(hand)
    assert a["summary"]["label"] == b["summary"]["label"]
    assert a["summary"]["leading_label"] == b["summary"]["leading_label"]
    assert a["summary"]["label"] == "imnm_anti_hmgcr"


def test_every_choice_names_its_sources_and_sources_are_in_first_seen_order() -> None:
    r = read("imnm_statin_bundle.json")
    assert choice(r, "ab_hmgcr").sources == ("Observation/hmgcr-1",)
    assert choice(r, "statin_exposure").sources == ("MedicationStatement/statin-1",)
    assert "C10AA05" in choice(r, "statin_exposure").note
    assert "before or at onset (2024-01-15)" in choice(r, "statin_exposure").note
    src = r.sources()
    assert len(src) == len(set(src))
    assert {"Patient/pt-1", "Observation/ck-1", "Condition/weak-upper", "Condition/weak-lower"} <= set(src)
    assert set(r.case) == {c.field for c in r.choices}


def test_age_at_onset_and_duration_come_from_the_earliest_symptom() -> None:
    r = read("imnm_statin_bundle.json")
    assert r.case["age_years"] == 64 and r.case["age_at_onset_years"] == 63
    assert r.case["symptom_duration_months"] == 4.5
    assert choice(r, "symptom_duration_months").sources == ("Condition/weak-upper",)
    assert "2024-01-15" in choice(r, "age_at_onset_years").note


# --- CK ------------------------------------------------------------------------------------------------------
def test_the_highest_ck_relative_to_its_uln_is_taken_and_named() -> None:
    r = read("searchset_bundle.json")
    # ck-a 3000/170 = 17.6×; ck-b 5200/400 = 13×; ck-c 60 µkat/L = 3600 U/L over 3.3 µkat/L = 198 U/L: 18.2×
    assert (r.case["ck_u_l"], r.case["ck_uln_u_l"]) == (3600, 198)
    c = choice(r, "ck_u_l")
    assert c.sources == ("Observation/ck-c",)
    assert "highest of 3 CK results relative to its ULN: 2024-01-05" in c.note
    assert "converted from µkat/L" in c.note
    assert "ck_elevated" not in r.case  # derived by parse_case from the two numbers, never set beside them


def test_ck_in_another_unit_is_reported_not_guessed() -> None:
    r = read("conflicts_bundle.json")
    assert "ck_u_l" not in r.case
    assert reasons(r)["Observation/ck-wrong-unit"] == ["unit 'mg/dL' is not U/L (nor µkat/L, which is converted)"]


def test_ck_without_reference_range_sets_no_uln_and_qualitative_ck_sets_ck_elevated() -> None:
    obs = {"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": C.LOINC, "code": "2157-6"}]},
           "valueQuantity": {"value": 900, "unit": "U/L"}}
    r = read_fhir(obs, today=TODAY)
    assert r.case == {"ck_u_l": 900} and "no reference range" in r.choices[0].note
    qual = {"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": C.LOINC, "code": "2157-6"}]},
            "interpretation": [{"coding": [{"system": C.INTERPRETATION, "code": "H"}]}]}
    assert read_fhir(qual, today=TODAY).case == {"ck_elevated": True}
    hpo = {"resourceType": "Condition", "code": {"coding": [{"system": C.HPO, "code": "HP:0003236"}]}}
    assert read_fhir(hpo, today=TODAY).case == {"ck_elevated": True}


def test_a_ck_without_range_above_every_limit_counts_over_a_lesser_ranged_one() -> None:
    """20,000 U/L with no reference range is at least 20 × any laboratory's limit (the assumed ceiling of
    myoclass.model.ck), more than 2,000 U/L over 400 (5 ×), so it is taken without a ULN and the note says why;
    3,000 U/L without a range (at least 3 ×) is not; for a 3-month-old the ceiling is not used."""
    def ck(i: str, value: float, high: float | None) -> dict[str, Any]:
        obs: dict[str, Any] = {"resourceType": "Observation", "id": i, "status": "final",
                               "code": {"coding": [{"system": C.LOINC, "code": "2157-6"}]},
                               "effectiveDateTime": "2024-01-0" + i[-1], "valueQuantity": {"value": value, "unit": "U/L"}}
        if high is not None:
            obs["referenceRange"] = [{"high": {"value": high, "unit": "U/L"}}]
        return {"resource": obs}

    def bundle(*entries: dict[str, Any], born: str | None = None) -> dict[str, Any]:
        pt = [{"resource": {"resourceType": "Patient", "id": "pt", "birthDate": born}}] if born else []
        return {"resourceType": "Bundle", "type": "collection", "entry": pt + list(entries)}

    r = read_fhir(bundle(ck("ck1", 2000, 400), ck("ck2", 20000, None)), today=TODAY)
    assert r.case["ck_u_l"] == 20000 and "ck_uln_u_l" not in r.case
    c = choice(r, "ck_u_l")
    assert c.sources == ("Observation/ck2",)
    assert "assumed ceiling" in c.note and "at least 20.0 × its ULN" in c.note
    assert parse_case(r.case).get("ck_elevated") is True
    r = read_fhir(bundle(ck("ck1", 2000, 400), ck("ck2", 3000, None)), today=TODAY)
    assert (r.case["ck_u_l"], r.case["ck_uln_u_l"]) == (2000, 400)
    infant_born = (TODAY - datetime.timedelta(days=90)).isoformat()
    r = read_fhir(bundle(ck("ck1", 2000, 400), ck("ck2", 20000, None), born=infant_born), today=TODAY)
    assert (r.case["ck_u_l"], r.case["ck_uln_u_l"]) == (2000, 400)


# --- antibodies ----------------------------------------------------------------------------------------------
def test_antibodies_from_interpretation_coded_value_quantity_and_method_from_the_code() -> None:
    r = read("searchset_bundle.json")
    assert r.case["ab_jo1"] is False  # 0.2 U under a reference range high of 1.0
    assert r.case["ab_mda5"] is False and r.case["ab_mda5_method"] == "line_blot"  # SNOMED negative; 82424-3 is a line blot
    assert r.case["ab_srp"] is True and r.case["ab_srp_method"] == "iif"  # 53011-3 is immunofluorescence


def test_a_later_antibody_result_wins_and_the_conflict_is_reported() -> None:
    r = read("conflicts_bundle.json")
    c = choice(r, "ab_hmgcr")
    assert c.value is True and c.conflict
    assert "latest (2024-02-01)" in c.note and "Observation/hmgcr-old" in c.note
    assert c.sources[0] == "Observation/hmgcr-new"
    assert r.case["ab_hmgcr_method"] == "elisa"  # from Observation.method text


def test_undated_disagreement_is_left_unknown_and_reported() -> None:
    r = read("conflicts_bundle.json")
    assert "ab_jo1" not in r.case
    for ref in ("Observation/jo1-a", "Observation/jo1-b"):
        assert any("disagrees" in x and "left unknown" in x for x in reasons(r)[ref])


def test_equivocal_and_data_absent_results_are_unmapped() -> None:
    eq = {"resourceType": "Observation", "id": "x", "status": "final", "code": {"coding": [{"system": C.LOINC, "code": "33921-8"}]},
          "interpretation": [{"coding": [{"system": C.INTERPRETATION, "code": "IND"}]}]}
    r = read_fhir(eq, today=TODAY)
    assert r.case == {} and r.unmapped[0].reason == "equivocal result" and r.unmapped[0].code == "http://loinc.org|33921-8"
    r2 = read("conflicts_bundle.json")
    assert reasons(r2)["Observation/pl7-noval"] == ["no value (dataAbsentReason: not-performed)"]


# --- conditions, findings, biopsy ----------------------------------------------------------------------------
def test_conditions_refuted_absent_icd10_cancer_and_unconfirmed_not_read() -> None:
    r = read("conflicts_bundle.json")
    # refuted "interstitial pneumonitis" (HP:0006515) alone does not rule out ILD of another kind (HPO table: an
    # "or" field), so it is reported, not read; a refuted term whose absence reads (dysphagia) is absent
    assert "ild" not in r.case
    assert any("does not make ild false" in why for whys in reasons(r).values() for why in whys)
    refuted = {"resourceType": "Condition", "id": "d", "code": {"coding": [{"system": C.HPO, "code": "HP:0002015"}]},
               "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                                  "code": "refuted"}]}}
    assert read_fhir(refuted, today=TODAY).case["dysphagia"] is False
    assert r.case["cancer"] is True
    assert "[R]" in choice(r, "cancer").note  # ICD-10 ranges are not verified here, and the note says so
    assert "hypothyroidism" not in r.case and "not confirmed" in reasons(r)["Condition/hypo-prov"][0]
    assert "arthritis" not in r.case and reasons(r)["Condition/err"] == ["verificationStatus entered-in-error: ignored"]


def test_absence_of_generic_proximal_weakness_means_neither_limb_but_its_presence_says_neither() -> None:
    r = read("conflicts_bundle.json")
    assert r.case["weakness_proximal_upper_symmetric"] is False and r.case["weakness_proximal_lower_symmetric"] is False
    present = {"resourceType": "Condition", "id": "p", "code": {"coding": [{"system": C.HPO, "code": "HP:0003701"}]}}
    r2 = read_fhir(present, today=TODAY)
    assert r2.case == {} and "only its absence is read" in r2.unmapped[0].reason


def test_value_boolean_false_and_negative_interpretation_mean_absent() -> None:
    def obs(**v: Any) -> dict[str, Any]:
        return {"resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": "HP", "code": "HP_6001013"}]}, **v}  # another HPO spelling
    assert read_fhir(obs(valueBoolean=False), today=TODAY).case == {"skin_mechanics_hands": False}
    neg = obs(interpretation=[{"coding": [{"system": C.INTERPRETATION, "code": "NEG"}]}])
    assert read_fhir(neg, today=TODAY).case == {"skin_mechanics_hands": False}
    assert read_fhir(obs(), today=TODAY).case == {"skin_mechanics_hands": True}


def test_biopsy_report_with_contained_results() -> None:
    r = read("spec_examples_bundle.json")
    assert r.case["biopsy_performed"] is True
    assert r.case["biopsy_perifascicular_atrophy"] is True and r.case["biopsy_rimmed_vacuoles"] is False
    assert choice(r, "biopsy_performed").sources == ("DiagnosticReport/biopsy-1",)


def test_a_report_that_is_not_a_biopsy_and_gives_nothing_is_unmapped() -> None:
    rep = {"resourceType": "DiagnosticReport", "id": "cbc", "status": "final",
           "code": {"coding": [{"system": C.LOINC, "code": "58410-2"}]}}
    r = read_fhir(rep, today=TODAY)
    assert r.case == {} and "not a muscle biopsy report" in r.unmapped[0].reason


# --- medications ---------------------------------------------------------------------------------------------
def test_medication_started_after_onset_is_not_exposure_and_says_why() -> None:
    r = read("spec_examples_bundle.json")  # pitavastatin from 2015, heliotrope rash since 2013
    assert "statin_exposure" not in r.case
    assert "after the onset (2013-03-11)" in reasons(r)["MedicationStatement/example001"][0]


def test_contained_medication_reference_and_rxnorm_marked_unverified() -> None:
    r = read("searchset_bundle.json")
    c = choice(r, "statin_exposure")
    assert c.value is True and c.sources == ("MedicationRequest/rx-1",) and "[R" in c.note


def test_not_taken_is_false_and_recorded_use_beats_it() -> None:
    def st_(i: str, status: str) -> dict[str, Any]:
        return {"resourceType": "MedicationStatement", "id": i, "status": status,
                "medicationCodeableConcept": {"coding": [{"system": C.ATC, "code": "C10AA07"}]}}
    assert read_fhir(st_("a", "not-taken"), today=TODAY).case == {"statin_exposure": False}
    r = read_fhir([st_("a", "not-taken"), st_("b", "completed")], today=TODAY)
    c = choice(r, "statin_exposure")
    assert c.value is True and c.conflict and "does not undo" in c.note


def test_checkpoint_inhibitor_by_name_and_other_drugs_unmapped() -> None:
    r = read("conflicts_bundle.json")
    assert r.case["checkpoint_inhibitor"] is True and "by ingredient name" in choice(r, "checkpoint_inhibitor").note
    assert "not a statin" in reasons(r)["MedicationStatement/metformin"][0]


@pytest.mark.parametrize(("concept", "expected"), [
    ({"coding": [{"system": C.ATC, "code": "C10AA05"}]}, "statin"),
    ({"coding": [{"system": C.ATC, "code": "c10aa01"}]}, "statin"),
    ({"coding": [{"system": C.RXNORM, "code": "83367"}]}, "statin"),
    ({"text": "Crestor (rosuvastatin) 10 mg"}, "statin"),
    ({"coding": [{"system": C.ATC, "code": "L01FF02"}]}, "checkpoint_inhibitor"),
    ({"coding": [{"system": C.ATC, "code": "L01FX04"}]}, "checkpoint_inhibitor"),
    ({"coding": [{"system": "http://example.org", "code": "1", "display": "Nivolumab"}]}, "checkpoint_inhibitor"),
    ({"coding": [{"system": C.ATC, "code": "M04AC01"}]}, "colchicine"),
    ({"coding": [{"system": C.ATC, "code": "C10AB05"}]}, "fibrate"),
    ({"text": "hydroxychloroquine 200 mg"}, "antimalarial"),
    ({"coding": [{"system": C.ATC, "code": "A10BA02"}]}, None),
    ({}, None),
    ({"coding": "junk", "text": 5}, None),
])
def test_medication_class(concept: dict[str, Any], expected: str | None) -> None:
    assert medication_class(concept) == expected


def test_medication_class_of_a_non_mapping_is_none() -> None:
    assert medication_class("statin") is None  # type: ignore[arg-type]


# --- unmapped reporting --------------------------------------------------------------------------------------
def test_everything_not_mapped_is_listed_with_a_reason() -> None:
    r = read("conflicts_bundle.json")
    why = reasons(r)
    assert why["Patient/pt-1"] == ["gender 'unknown' does not give sex (female, male or other)"]
    assert why["Observation/ck-err"] == ["status entered-in-error: ignored"]
    assert why["Observation/glucose"] == ["LOINC 15074-8 is not a code myoclass reads"]
    assert why["Observation/other-patient"] == ["about Patient/someone-else, not the Patient of this chart"]
    assert why["Encounter/enc-1"] == ["resource type Encounter is not read by myoclass"]
    assert why["Observation #19"] == ["no code"]  # a resource without an id is named by its position
    assert "ab_srp" not in r.case
    assert {u.code for u in r.unmapped if u.resource == "Observation/glucose"} == {"http://loinc.org|15074-8"}


def test_searchset_reads_matches_and_includes_and_reports_the_operation_outcome() -> None:
    r = read("searchset_bundle.json")
    assert r.case["sex"] == "female" and r.case["age_years"] == 53  # the Patient came as search.mode include
    assert [u.resource for u in r.unmapped] == ["OperationOutcome/oo-1"]
    assert "results older than 10 years" in r.unmapped[0].reason


def test_a_second_patient_and_an_unreferenced_medication_are_reported() -> None:
    docs = [{"resourceType": "Patient", "id": "a", "gender": "male"}, {"resourceType": "Patient", "id": "b", "gender": "female"},
            {"resourceType": "Medication", "id": "m", "code": {"text": "atorvastatin"}}]
    r = read_fhir(docs, today=TODAY)
    assert r.case == {"sex": "male"}
    assert reasons(r) == {"Patient/b": ["a second Patient; only Patient/a is read"],
                          "Medication/m": ["Medication not referenced by any medication statement, request or administration"]}


def test_a_medication_reference_to_a_bundled_medication() -> None:
    docs = [{"resourceType": "Medication", "id": "m", "code": {"coding": [{"system": C.ATC, "code": "C10AA01"}]}},
            {"resourceType": "MedicationAdministration", "id": "x", "status": "completed",
             "medicationReference": {"reference": "Medication/m"}, "effectiveDateTime": "2020-01-01"}]
    r = read_fhir(docs, today=TODAY)
    assert r.case == {"statin_exposure": True} and r.unmapped == ()


# --- local codes ---------------------------------------------------------------------------------------------
def test_local_codes_map_local_tests_with_their_meaning_and_method() -> None:
    without = read("local_codes_bundle.json")
    assert without.case == {} and len(without.unmapped) == 3
    assert all("is not a code myoclass reads" in u.reason for u in without.unmapped)
    lc = load_local_codes((FIX / "local_codes.json").read_text(encoding="utf-8"))
    r = read("local_codes_bundle.json", local_codes=lc)
    assert r.case == {"ab_hmgcr": True, "ab_hmgcr_method": "cbia", "ab_srp": False, "ab_srp_method": "line_blot",
                      "ck_u_l": 1500, "ck_uln_u_l": 190}
    grey = {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": "http://lab.example.org/codes", "code": "HMGCR-CLIA"}]}, "valueString": "gz"}
    r2 = read_fhir(grey, local_codes=lc, today=TODAY)
    assert r2.case == {} and r2.unmapped[0].reason == "equivocal result"


@pytest.mark.parametrize(("text", "field"), [
    ("not json", "(local codes)"),
    ("[]", "(local codes)"),
    ('{"codes": [5]}', "codes[0]"),
    ('{"codes": [{"system": "s", "code": "c", "field": "ab_hmgcrr"}]}', "codes[0].field"),
    ('{"codes": [{"system": "s", "code": "c", "field": "age_years"}]}', "codes[0].field"),
    ('{"codes": [{"code": "c", "field": "ab_srp"}]}', "codes[0].system"),
    ('{"codes": [{"system": "s", "code": "c", "field": "ab_srp", "method": "pcr"}]}', "codes[0].method"),
    ('{"codes": [{"system": "s", "code": "c", "field": "ab_srp", "values": {"POS": "yes"}}]}', "codes[0].values.POS"),
    ('{"codes": [{"system": "s", "code": "c", "field": "ab_srp", "colour": 1}]}', "codes[0].colour"),
    ('{"codes": [{"system": "s", "code": "c", "field": "ab_srp"}, {"system": "s", "code": "c", "field": "ab_jo1"}]}',
     "codes[1].code"),
])
def test_a_bad_local_codes_file_names_the_entry(text: str, field: str) -> None:
    with pytest.raises(InvalidCase) as e:
        load_local_codes(text)
    assert field in [p.field for p in e.value.problems]


# --- input shapes and hostile input ----------------------------------------------------------------------------
def test_is_fhir() -> None:
    assert is_fhir({"resourceType": "Bundle"}) and is_fhir([{"resourceType": "Patient"}])
    assert is_fhir(load("local_codes_bundle.json"))
    for no in ({}, [], {"ab_hmgcr": True}, [{"resourceType": "Patient"}, {}], "Bundle", None, 5, {"resourceType": 1}):
        assert not is_fhir(no)


def test_not_fhir_raises_invalid_case() -> None:
    with pytest.raises(InvalidCase) as e:
        read_fhir({"ab_hmgcr": True})
    assert e.value.problems[0].field == "(fhir)"


def test_too_many_entries_is_refused_naming_the_limit() -> None:
    entries = [{"resource": {"resourceType": "Basic"}}] * (MAX_ENTRIES + 1)
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    with pytest.raises(InvalidCase) as e:
        read_fhir(bundle)
    assert str(MAX_ENTRIES) in str(e.value)
    contained = {"resourceType": "MedicationStatement", "contained": [{"resourceType": "Medication"}] * (MAX_ENTRIES + 1)}
    with pytest.raises(InvalidCase):
        read_fhir(contained)


def test_deeply_nested_values_are_not_walked() -> None:
    deep: Any = {"value": 1}
    for _ in range(100_000):
        deep = {"value": deep}
    obs = {"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": C.LOINC, "code": "2157-6"}]},
           "valueQuantity": deep, "referenceRange": [{"high": deep}], "interpretation": [deep]}
    inner = {"resourceType": "Bundle", "entry": [deep]}
    r = read_fhir({"resourceType": "Bundle", "entry": [{"resource": obs}, {"resource": inner}]})
    assert r.case == {}
    assert [u.reason for u in r.unmapped] == ["no numeric value", "a Bundle inside a Bundle is not read"]


def test_malformed_pieces_become_unmapped() -> None:
    bundle = {"resourceType": "Bundle", "entry": [
        "x", None, {"resource": 5}, {"resource": {"id": "no-type"}},
        {"resource": {"resourceType": "Observation", "id": "o", "code": "2157-6", "valueQuantity": "9000"}},
        {"resource": {"resourceType": "Patient", "id": "p", "birthDate": "yesterday", "gender": 5}},
        {"resource": {"resourceType": "Condition", "id": "c", "code": {"coding": [{"system": C.HPO, "code": 3701}]}}},
        {"resource": {"resourceType": "MedicationStatement", "id": "m", "medicationReference": {"reference": "#nowhere"}}},
    ]}
    r = read_fhir(bundle, today=TODAY)
    assert r.case == {}
    why = reasons(r)
    assert why["Bundle entry #1"] == ["malformed entry (not an object)"]
    assert why["Bundle entry #3"] == ["entry has no resource"]
    assert why["resource #1"] == ["no resourceType: not a FHIR resource"]
    assert why["Observation/o"] == ["no code"]
    assert why["Condition/c"] == ["no code"]
    assert "is not a date" in why["Patient/p"][1]
    assert why["MedicationStatement/m"] == ["medicationReference does not resolve to a Medication in the chart"]


_JUNK = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                     max_leaves=8)
_KEYS = ["id", "status", "code", "coding", "system", "value", "valueQuantity", "valueBoolean", "valueCodeableConcept",
         "valueString", "interpretation", "referenceRange", "high", "unit", "effectiveDateTime", "subject", "reference",
         "verificationStatus", "onsetDateTime", "onsetAge", "birthDate", "gender", "identifier", "medicationCodeableConcept",
         "medicationReference", "contained", "result", "evidence", "method", "dataAbsentReason", "effectivePeriod", "text"]
_TYPES = ["Patient", "Observation", "Condition", "MedicationStatement", "MedicationRequest", "MedicationAdministration",
          "Medication", "DiagnosticReport", "OperationOutcome", "Bundle", "Basic"]
_resource = st.builds(lambda t, body: {**body, "resourceType": t}, st.sampled_from(_TYPES),
                      st.dictionaries(st.sampled_from(_KEYS), _JUNK, max_size=8))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_resource, min_size=1, max_size=6))
def test_hostile_resources_never_raise_and_the_case_always_parses(resources: list[dict[str, Any]]) -> None:
    r = read_fhir({"resourceType": "Bundle", "entry": [{"resource": x} for x in resources]}, today=TODAY)
    parse_case(r.case)
    assert all(isinstance(u.reason, str) and u.reason for u in r.unmapped)


def test_a_genetic_myopathy_condition_with_a_coded_gene() -> None:
    cond = {"resourceType": "Condition", "id": "lgmd", "verificationStatus": {"coding": [{"system": C.CONDITION_VER_STATUS,
                                                                                          "code": "confirmed"}]},
            "code": {"text": "Limb-girdle muscular dystrophy R2"},
            "evidence": [{"code": [{"coding": [{"system": C.HGNC, "code": "HGNC:3097", "display": "DYSF"}]}]}]}
    r = read_fhir(cond, today=TODAY)
    assert r.case == {"genetic_diagnosis_gene": "DYSF"} and r.unmapped == ()


def test_the_gene_of_a_condition_that_is_not_a_muscle_disease_is_not_read() -> None:
    """genetic_diagnosis_gene is a genotype that explains a myopathy: a neuropathy's gene is reported, not read."""
    cond = {"resourceType": "Condition", "id": "cmt", "verificationStatus": {"coding": [{"system": C.CONDITION_VER_STATUS,
                                                                                         "code": "confirmed"}]},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "398049005",
                                 "display": "Charcot-Marie-Tooth disease, axonal, type 2JJ"}]},
            "evidence": [{"code": [{"coding": [{"system": C.HGNC, "code": "HGNC:939", "display": "BAG3"}]}]}]}
    r = read_fhir(cond, today=TODAY)
    assert "genetic_diagnosis_gene" not in r.case
    assert any(u.code == "BAG3" and "not of a muscle disease" in u.reason for u in r.unmapped)


def test_a_field_from_an_unverified_code_says_so() -> None:
    ldh = {"resourceType": "Observation", "id": "ldh", "status": "final",
           "code": {"coding": [{"system": C.LOINC, "code": "2532-0"}]},
           "valueQuantity": {"value": 900, "unit": "U/L"}, "referenceRange": [{"high": {"value": 250, "unit": "U/L"}}]}
    r = read_fhir(ldh, today=TODAY)
    assert r.case == {"ldh_elevated": True}
    assert "[R] from a code not verified against its source: http://loinc.org|2532-0" in r.choices[0].note


def test_every_code_in_the_table_names_a_field_and_a_source() -> None:
    from myoclass.model.fields import FIELDS
    for e in C.code_entries():
        assert e.field in FIELDS and e.source and e.code
        assert C.lookup(e.system, e.code) == e
    for d in C.drug_codes():
        assert (d.drug_class in C.MEDICATION_CLASS_FIELD) != (d.drug_class in C.NO_FIELD_CLASSES) and d.source


def test_an_immunotherapy_is_reported_not_read_as_a_myotoxic_drug() -> None:
    pred = {"resourceType": "MedicationStatement", "id": "pred", "status": "active",
            "medicationCodeableConcept": {"text": "Prednisone 60 mg"}}
    r = read_fhir(pred, today=TODAY)
    assert r.case == {} and "immunotherapy" in r.unmapped[0].reason
    assert C.medication_class({"coding": [{"system": C.ATC, "code": "L01FA01"}]}) == "immunotherapy"
