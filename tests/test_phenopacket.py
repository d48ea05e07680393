"""The Phenopackets v2 adapter: reading, writing, the round trip, and real packets from phenopacket-store."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("phenopackets")

from google.protobuf import json_format
from phenopackets.schema.v2 import Phenopacket

from myoclass import assess, parse_case
from myoclass.examples import example_cases
from myoclass.io.phenopacket import (
    assessment_phenopacket,
    case_to_phenopacket,
    is_phenopacket,
    read_phenopacket,
)
from myoclass.io.reading import names_a_muscle_disease
from myoclass.model.ck import CK_KEPT_NOT_RAISED
from myoclass.model.fields import ANTIBODIES, FIELDS

FIXTURES = Path(__file__).parent / "fixtures" / "phenopackets"
PACKETS = sorted(FIXTURES.glob("*/*.json"))
WHEN = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)


def _load(p: Path) -> dict[str, Any]:
    return json.loads(p.read_text(encoding="utf-8"))


def _strip(doc: dict[str, Any]) -> dict[str, Any]:
    """The packet as before genetic testing: no interpretations."""
    return {k: v for k, v in doc.items() if k != "interpretations"}


def test_the_fixture_set_is_modest_and_covers_the_genes() -> None:
    genes = {p.parent.name for p in PACKETS}
    assert genes == {"HMGCR", "GAA", "CAV3", "BAG3", "COL6A1", "COL6A2", "COL6A3", "ACTA1", "VCP", "MYOT", "LMNA"}
    assert 40 <= len(PACKETS) <= 80
    assert sum(p.stat().st_size for p in PACKETS) < 3_000_000


def test_detection() -> None:
    doc = _load(PACKETS[0])
    assert is_phenopacket(doc)
    assert not is_phenopacket({"resourceType": "Bundle", "metaData": {"phenopacketSchemaVersion": "2.0"}})
    assert not is_phenopacket({"case_id": "x", "ab_hmgcr": True})
    assert not is_phenopacket([doc])
    assert is_phenopacket({"subject": {"id": "p"}, "phenotypicFeatures": []})


def _disease_label(doc: dict[str, Any]) -> str:
    return str(next(it["diagnosis"]["disease"]["label"] for it in doc["interpretations"]))


def test_the_fixture_diseases_that_are_not_muscle_diseases_are_the_bag3_neuropathies() -> None:
    """phenopacket-store's BAG3 packets at the fixture commit are a distal hereditary motor neuronopathy (OMIM:621094)
    and an axonal Charcot-Marie-Tooth disease (OMIM:621095), not BAG3 myofibrillar myopathy; every other fixture's
    disease is a myopathy by its name."""
    other = {(p.parent.name, _disease_label(_load(p))) for p in PACKETS if not names_a_muscle_disease(_disease_label(_load(p)))}
    assert other == {("BAG3", "Neuronopathy, distal hereditary motor, autosomal dominant 15"),
                     ("BAG3", "Charcot-Marie-Tooth disease, axonal, type 2JJ")}


@pytest.mark.parametrize("path", PACKETS, ids=lambda p: p.stem)
def test_real_packet_published_and_stripped(path: Path) -> None:
    doc = _load(path)
    json_format.ParseDict(doc, Phenopacket())  # the official bindings read it
    r = read_phenopacket(doc)
    case = parse_case(r.case)  # what was read is a valid flat case
    assert r.hpo_version.endswith("2025-01-16")
    published = assess(r.case)["summary"]
    # a genetic myopathy is never given an IMNM strict label (that would be a real finding to report)
    assert not published["label"].startswith("imnm_"), (path.stem, r.case)
    if names_a_muscle_disease(_disease_label(doc)):
        assert case.get("genetic_diagnosis_gene") == path.parent.name
        # as published, with the molecular diagnosis: hereditary myopathy (a genetic diagnosis comes first)
        assert published["label"] == "hereditary_myopathy", (path.stem, published["reachable_labels"])
        assert published["reachable_labels"] == ["hereditary_myopathy"]
        assert published["leading_label"] == "hereditary_myopathy"
    else:  # a neuropathy's gene does not explain a myopathy: not read, and the reader says so
        assert case.get("genetic_diagnosis_gene") is None
        assert any(w.startswith(f"genetic_diagnosis_gene: {path.parent.name} is the genetic diagnosis of ")
                   for w in r.warnings)
        assert any(u.reason.startswith("the genetic diagnosis is OMIM:") for u in r.unmapped)
        assert published["label"] != "hereditary_myopathy" or "biopsy_dystrophic_features" in r.case
    stripped = read_phenopacket(_strip(doc))
    assert "genetic_diagnosis_gene" not in stripped.case
    s = assess(stripped.case)
    assert not s["summary"]["label"].startswith("imnm_"), (path.stem, stripped.case)


def test_hereditary_share_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    lines = []
    for path in PACKETS:
        doc = _load(path)
        a = assess(read_phenopacket(doc).case)
        s = assess(read_phenopacket(_strip(doc)).case)
        share = next((d["probability"] for d in s["differential"] if d["label"] == "hereditary_myopathy"), 0.0)
        lines.append(f"{path.parent.name}\t{path.stem}\t{a['summary']['label']}\t{s['summary']['label']}\t{share:.3f}")
        assert 0.0 <= share <= 1.0
    with capsys.disabled():
        print("\ngene\tpacket\tpublished\tstripped\thereditary share (stripped)")
        print("\n".join(lines))


def test_reading_every_element() -> None:
    doc = {
        "id": "p1",
        "subject": {"id": "s1", "sex": "MALE", "timeAtLastEncounter": {"age": {"iso8601duration": "P66Y"}},
                    "dateOfBirth": "1960-01-01T00:00:00Z"},
        "phenotypicFeatures": [
            {"type": {"id": "HP:0008997", "label": "Proximal upper limb muscle weakness"},
             "onset": {"age": {"iso8601duration": "P64Y6M"}}, "modifiers": [{"id": "HP:0011011", "label": "Subacute"}]},
            {"type": {"id": "HP:0001324", "label": "Muscle weakness"}},
            {"type": {"id": "HP:0040324", "label": "Heliotrope rash"}, "excluded": True},
            {"type": {"id": "HP:9999999", "label": "made up"}},
        ],
        "measurements": [
            {"assay": {"id": "LOINC:2157-6", "label": "CK"},
             "value": {"quantity": {"unit": {"id": "UCUM:U/L", "label": "U/L"}, "value": 9800,
                                    "referenceRange": {"unit": {"id": "UCUM:U/L", "label": "U/L"}, "low": 0, "high": 200}}}},
            {"assay": {"id": "LOINC:93493-5", "label": "HMGCR Ab"},
             "value": {"ontologyClass": {"id": "LOINC:LA6576-8", "label": "Positive"}}},
            {"assay": {"id": "LOINC:33921-8", "label": "SRP Ab"},
             "value": {"ontologyClass": {"id": "LOINC:LA6577-6", "label": "Negative"}}},
            {"assay": {"id": "LOINC:0000-0", "label": "other"}, "value": {"quantity": {"value": 1}}},
        ],
        "medicalActions": [
            {"treatment": {"agent": {"id": "RXNORM:83367", "label": "atorvastatin"},
                           "doseIntervals": [{"interval": {"start": "2020-01-01T00:00:00Z", "end": "2024-06-01T00:00:00Z"}}]}},
            {"treatment": {"agent": {"id": "DrugCentral:1", "label": "colchicine"}}},
        ],
        "biosamples": [{"id": "b1", "sampledTissue": {"id": "UBERON:0001134", "label": "skeletal muscle tissue"},
                        "phenotypicFeatures": [{"type": {"id": "HP:0003713", "label": "Muscle fiber necrosis"}}]}],
        "metaData": {"created": "2026-01-01T00:00:00Z", "createdBy": "t", "phenopacketSchemaVersion": "2.0.2",
                     "resources": []},
    }
    r = read_phenopacket(doc)
    c = r.case
    assert c["sex"] == "male" and c["age_years"] == 66 and c["age_at_onset_years"] == 64.5
    assert c["onset_tempo"] == "subacute"
    assert c["weakness_proximal_upper_symmetric"] is True and c["skin_heliotrope"] is False
    assert c["ck_u_l"] == 9800 and c["ck_uln_u_l"] == 200
    assert c["ab_hmgcr"] is True and c["ab_srp"] is False
    assert c["statin_exposure"] is True and c["other_myotoxic_drug"] is True
    assert c["biopsy_performed"] is True and c["biopsy_necrotic_fibers"] is True
    codes = {u.code for u in r.unmapped}
    assert {"HP:0001324", "HP:9999999", "LOINC:0000-0"} <= codes
    assert any("HP:0001324" in w for w in r.warnings)
    by = {ch.field: ch for ch in r.choices}
    assert by["ck_u_l"].sources == ("measurements[0] (LOINC:2157-6)",)
    assert "phenotypicFeatures[0]" in r.sources()
    parse_case(c)


def test_a_statin_started_after_onset_is_not_read_as_exposure() -> None:
    doc = {"id": "p", "subject": {"id": "s", "dateOfBirth": "1960-01-01T00:00:00Z"},
           "diseases": [{"term": {"id": "MONDO:0016098", "label": "IMNM"}, "onset": {"age": {"iso8601duration": "P50Y"}}}],
           "medicalActions": [{"treatment": {"agent": {"id": "ATC:C10AA05", "label": "atorvastatin"},
                                             "doseIntervals": [{"interval": {"start": "2015-01-01T00:00:00Z",
                                                                             "end": "2016-01-01T00:00:00Z"}}]}}],
           "metaData": {"created": "2026-01-01T00:00:00Z", "phenopacketSchemaVersion": "2.0"}}
    r = read_phenopacket(doc)
    assert "statin_exposure" not in r.case
    assert any("after the onset" in w for w in r.warnings)


def test_not_a_phenopacket_is_refused_naming_it() -> None:
    from myoclass.errors import InvalidCase

    with pytest.raises(InvalidCase, match="Phenopacket"):
        read_phenopacket({"id": "x", "subject": {"sex": "NOT_A_SEX"}, "metaData": {}})
    with pytest.raises(InvalidCase):
        read_phenopacket([1, 2])


def _mapped(case: dict[str, Any]) -> dict[str, Any]:
    return parse_case(case).to_flat()


@pytest.mark.parametrize("name", sorted(example_cases()))
def test_round_trip_of_every_example(name: str) -> None:
    case = example_cases()[name]
    packet = case_to_phenopacket(case, created=WHEN)
    json_format.ParseDict(packet, Phenopacket())
    back = read_phenopacket(packet)
    assert _mapped(back.case) == _mapped(case)


_BOOLS = [k for k, f in FIELDS.items() if f.kind == "bool" and k not in ("ck_elevated", "biopsy_performed")]


@st.composite
def flat_cases(draw: st.DrawFn) -> dict[str, Any]:
    case: dict[str, Any] = {"case_id": draw(st.text("abcdef-0123", min_size=1, max_size=12))}
    for k in draw(st.lists(st.sampled_from(_BOOLS), max_size=25, unique=True)):
        case[k] = draw(st.booleans())
    if case.get("weakness_neck_flexor_gt_extensor") and case.get("weakness_neck_extensor_gt_flexor"):
        case["weakness_neck_extensor_gt_flexor"] = False
    if draw(st.booleans()):
        case["age_years"] = draw(st.floats(1, 100, allow_nan=False))
        if draw(st.booleans()):
            case["age_at_onset_years"] = draw(st.floats(0, case["age_years"], allow_nan=False))
    if draw(st.booleans()):
        case["ck_u_l"] = draw(st.floats(0, 50000, allow_nan=False))
        if draw(st.booleans()):
            case["ck_uln_u_l"] = draw(st.floats(1, 500, allow_nan=False))
    for key in ("sex", "onset_tempo", "immunosuppression_response"):
        if draw(st.booleans()):
            case[key] = draw(st.sampled_from(FIELDS[key].values))
    if case.get("statin_exposure") is not False and draw(st.booleans()):
        case["statin_withdrawal_outcome"] = draw(st.sampled_from(FIELDS["statin_withdrawal_outcome"].values))
    if draw(st.booleans()):
        case["genetic_diagnosis_gene"] = draw(st.sampled_from(["HMGCR", "GAA", "DYSF", "LMNA", "COL6A1"]))
    if draw(st.booleans()):
        if "age_at_onset_years" in case:  # a duration the two ages allow (parse_case rejects one they contradict)
            gap = case["age_years"] - case["age_at_onset_years"]
            case["symptom_duration_months"] = draw(st.floats(max(0.0, gap - 0.9) * 12, (gap + 0.9) * 12,
                                                             allow_nan=False))
        else:
            case["symptom_duration_months"] = draw(st.floats(0, 600, allow_nan=False))
    ab = draw(st.sampled_from(sorted(ANTIBODIES)))
    if case.get(ab) is not None and draw(st.booleans()):
        case[f"{ab}_method"] = draw(st.sampled_from(FIELDS[f"{ab}_method"].values))
    if case.get("biopsy_performed") is None and draw(st.booleans()) and not any(
            FIELDS[k].group == "biopsy" for k in case):
        case["biopsy_performed"] = draw(st.booleans())
    return case


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flat_cases())
def test_round_trip_loses_no_field(case: dict[str, Any]) -> None:
    try:
        want = _mapped(case)
    except Exception:  # an invalid combination drawn (e.g. necrosis predominant without necrotic fibres)
        return
    packet = case_to_phenopacket(case, created=WHEN)
    json_format.ParseDict(packet, Phenopacket())
    assert _mapped(read_phenopacket(packet).case) == want


def test_assessment_as_phenopacket_parses_and_carries_the_labels() -> None:
    case = example_cases()["anti_hmgcr_statin"]
    a = assess(case)
    packet = assessment_phenopacket(a, case, packet_id="handoff-1", created=WHEN)
    msg = json_format.ParseDict(packet, Phenopacket())
    assert msg.id == "handoff-1"
    ids = [i["id"] for i in packet["interpretations"]]
    assert "myoclass-label" in ids
    strict = next(i for i in packet["interpretations"] if i["id"] == "myoclass-label")
    assert strict["diagnosis"]["disease"]["id"] == "MONDO:0016098"
    assert any(i["id"] == "myoclass-differential-imnm_anti_hmgcr" for i in packet["interpretations"])
    hp = next(r for r in packet["metaData"]["resources"] if r["id"] == "hp")
    assert hp["version"] == "2025-01-16"
    assert read_phenopacket(packet).case["ab_hmgcr"] is True


def test_an_undetermined_assessment_is_written_in_progress() -> None:
    doc = _strip(_load(PACKETS[0]))
    r = read_phenopacket(doc)
    a = assess(r.case)
    packet = assessment_phenopacket(a, r.case, created=WHEN)
    json_format.ParseDict(packet, Phenopacket())
    assert a["summary"]["label"] == "undetermined"
    strict = next(i for i in packet["interpretations"] if i["id"] == "myoclass-label")
    assert strict["progressStatus"] == "IN_PROGRESS"


def test_batch_reader_yields_cases_and_rejects(tmp_path: Path) -> None:
    from myoclass.batch.phenopackets import phenopacket_files, phenopacket_records
    from myoclass.io.rejects import Reject

    (tmp_path / "a.json").write_text(PACKETS[0].read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "flat.json").write_text('{"case_id": "x"}', encoding="utf-8")
    bad = {"id": "bad", "subject": {"sex": "NOPE"}, "metaData": {"phenopacketSchemaVersion": "2.0"}}
    (tmp_path / "b.json").write_text(json.dumps(bad), encoding="utf-8")
    files = phenopacket_files(str(tmp_path))
    assert [f.name for f in files] == ["a.json", "b.json"]
    recs = list(phenopacket_records(files))
    assert isinstance(recs[0], tuple) and recs[0][1]["case_id"] == PACKETS[0].stem
    assert isinstance(recs[1], Reject) and recs[1].reason.startswith("b.json:")
    assert phenopacket_files(str(tmp_path / "*.json")) == files


def _ck(value: float, high: float | None) -> dict[str, Any]:
    """A packet's CK measurement in U/L, with its reference range's upper end when ``high`` is given."""
    q: dict[str, Any] = {"unit": {"id": "UCUM:U/L", "label": "U/L"}, "value": value}
    if high is not None:
        q["referenceRange"] = {"unit": {"id": "UCUM:U/L", "label": "U/L"}, "low": 0, "high": high}
    return {"assay": {"id": "LOINC:2157-6", "label": "CK"}, "value": {"quantity": q}}


_BASE: dict[str, Any] = {"id": "p", "subject": {"id": "s"}, "metaData": {"phenopacketSchemaVersion": "2.0"}}


def test_of_several_cks_the_highest_relative_to_its_uln_counts_as_in_fhir() -> None:
    """Two laboratories: 5,200 U/L over a ULN of 400 (13 ×) and 3,000 U/L over 170 (17.6 ×). The packet reader
    takes the second, as the FHIR reader does (tests/test_fhir_read.py); without ranges, the highest value."""
    r = read_phenopacket({**_BASE, "measurements": [_ck(5200, 400), _ck(3000, 170)]})
    assert (r.case["ck_u_l"], r.case["ck_uln_u_l"]) == (3000, 170)
    note = next(c.note for c in r.choices if c.field == "ck_u_l")
    assert "relative to its upper limit of normal" in note
    r = read_phenopacket({**_BASE, "measurements": [_ck(5200, None), _ck(3000, None)]})
    assert r.case["ck_u_l"] == 5200 and "ck_uln_u_l" not in r.case


def test_a_ck_without_range_above_every_limit_counts_over_a_lesser_ranged_one() -> None:
    """20,000 U/L with no range is at least 20 × any laboratory's limit (the assumed 1,000 U/L ceiling), more than
    2,000 U/L over 400 (5 ×): it is the CK that counts, without a ULN. 3,000 U/L (at least 3 ×) is not. For an infant
    the ceiling is not used, so the ranged result is taken."""
    r = read_phenopacket({**_BASE, "measurements": [_ck(2000, 400), _ck(20000, None)]})
    assert r.case["ck_u_l"] == 20000 and "ck_uln_u_l" not in r.case
    assert "assumed ceiling" in next(c.note for c in r.choices if c.field == "ck_u_l")
    assert parse_case(r.case).get("ck_elevated") is True
    r = read_phenopacket({**_BASE, "measurements": [_ck(2000, 400), _ck(3000, None)]})
    assert (r.case["ck_u_l"], r.case["ck_uln_u_l"]) == (2000, 400)
    infant = {**_BASE, "subject": {"id": "s", "timeAtLastEncounter": {"age": {"iso8601duration": "P3M"}}}}
    r = read_phenopacket({**infant, "measurements": [_ck(2000, 400), _ck(20000, None)]})
    assert (r.case["ck_u_l"], r.case["ck_uln_u_l"]) == (2000, 400)


def test_the_genetic_diagnosis_names_its_disease() -> None:
    """The note on genetic_diagnosis_gene names the packet's disease, so a clinician can see what it explains."""
    r = read_phenopacket(_load(next(p for p in PACKETS if p.parent.name == "CAV3")))
    note = next(c.note for c in r.choices if c.field == "genetic_diagnosis_gene")
    assert "disease OMIM:614321 Myopathy, distal, Tateyama type" in note and "taken as the genetic cause" in note


@pytest.mark.parametrize(("label", "muscle"), [
    ("Muscular dystrophy, limb-girdle, autosomal recessive 28", True), ("Pompe disease, late-onset", True),
    ("Glycogen storage disease II", True), ("Glycogen storage disease 0, muscle", True), ("Central core disease", True),
    ("Mitochondrial DNA depletion syndrome 13 (encephalomyopathic type)", True), ("Myotonia congenita, dominant", True),
    ("hereditary skeletal muscle disorder", True), ("Bethlem myopathy 1A", True),
    ("Charcot-Marie-Tooth disease, axonal, type 2JJ", False), ("Lipodystrophy, familial partial, type 2", False),
    ("Cardiomyopathy, dilated, 1A", False), ("Glycogen storage disease VI", False), ("Spinal muscular atrophy", False),
    ("Myasthenic syndrome, congenital, 8, with pre- and postsynaptic defects", False), ("Neurofibromatosis, type 1", False),
    ("Smooth muscle dysfunction syndrome", False), ("Cone-rod dystrophy 13", False),
])
def test_which_disease_names_are_muscle_diseases(label: str, muscle: bool) -> None:
    assert names_a_muscle_disease(label) is muscle


def _with_disease(doc: dict[str, Any], term: dict[str, str] | None) -> dict[str, Any]:
    out = json.loads(json.dumps(doc))
    for it in out["interpretations"]:
        if term is None:
            it["diagnosis"].pop("disease", None)
        else:
            it["diagnosis"]["disease"] = term
    return out


_WORDS = ["Myopathy", "cardiomyopathy", "Muscular dystrophy", "Charcot-Marie-Tooth", "neuropathy", "Lipodystrophy",
          "limb-girdle", "Pompe", "epilepsy", "type 2", "congenital", "Myasthenic syndrome", "retinal dystrophy", ","]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4))
def test_whatever_the_disease_name_the_gene_is_read_exactly_when_it_names_a_muscle_disease(words: list[str]) -> None:
    label = " ".join(words)
    doc = _load(next(p for p in PACKETS if p.parent.name == "CAV3"))
    r = read_phenopacket(_with_disease(doc, {"id": "OMIM:000000", "label": label}))
    assert ("genetic_diagnosis_gene" in r.case) is names_a_muscle_disease(label)
    s = assess(r.case)["summary"]
    assert not s["label"].startswith("imnm_")
    assert (s["label"] == "hereditary_myopathy") is names_a_muscle_disease(label) or "biopsy_dystrophic_features" in r.case


def test_a_gene_is_read_only_for_a_muscle_disease_or_when_no_disease_is_named() -> None:
    doc = _load(next(p for p in PACKETS if p.parent.name == "CAV3"))
    lipo = read_phenopacket(_with_disease(doc, {"id": "OMIM:151660", "label": "Lipodystrophy, familial partial, type 2"}))
    assert "genetic_diagnosis_gene" not in lipo.case
    assert any("not of a muscle disease" in w for w in lipo.warnings)
    assert assess(lipo.case)["summary"]["label"] != "hereditary_myopathy"
    unnamed = read_phenopacket(_with_disease(doc, None))
    assert unnamed.case["genetic_diagnosis_gene"] == "CAV3"
    assert "no disease named" in next(c.note for c in unnamed.choices if c.field == "genetic_diagnosis_gene")


def test_an_hpo_normal_ck_beside_a_ck_above_every_laboratorys_limit_is_kept_and_flagged() -> None:
    """A packet that excludes "Elevated circulating creatine kinase" but measures CK 8,000 U/L with no range: both
    are read as given, and the assessment warns that the value is above every laboratory's limit (model.ck; the
    ceiling is assumed, so the recorded "not raised" is not overruled)."""
    packet = {"id": "p", "subject": {"id": "s"}, "metaData": {"phenopacketSchemaVersion": "2.0"},
              "phenotypicFeatures": [{"type": {"id": "HP:0003236", "label": "Elevated circulating creatine kinase"},
                                      "excluded": True}],
              "measurements": [{"assay": {"id": "LOINC:2157-6", "label": "CK"},
                                "value": {"quantity": {"unit": {"id": "UCUM:U/L", "label": "U/L"}, "value": 8000}}}]}
    r = read_phenopacket(packet)
    assert r.case["ck_elevated"] is False and r.case["ck_u_l"] == 8000
    assert CK_KEPT_NOT_RAISED in parse_case(r.case).notes


@pytest.mark.parametrize(("term", "label", "age"), [
    ("HP:0011461", "Fetal onset", 0.0), ("HP:0034197", "Third trimester onset", 0.0), ("HP:0003593", "Infantile onset", 0.0),
    ("HP:0003577", "Congenital onset", 0.0), ("HP:0011463", "Childhood onset", None), ("HP:0003581", "Adult onset", None)])
def test_an_onset_class_of_the_first_year_is_read_as_age_0(term: str, label: str, age: float | None) -> None:
    """A feature's onset given only as an HPO class: the classes within the first year of life are age 0 (whole
    years), so the differential weighs an onset in the first year; a class spanning years is not read, with a
    warning naming it."""
    packet = {"id": "p", "subject": {"id": "s"}, "metaData": {"phenopacketSchemaVersion": "2.0"},
              "phenotypicFeatures": [{"type": {"id": "HP:0003701", "label": "Proximal muscle weakness"},
                                      "onset": {"ontologyClass": {"id": term, "label": label}}}]}
    r = read_phenopacket(packet)
    assert r.case.get("age_at_onset_years") == age
    assert any(term in w for w in r.warnings) == (age is None)


@pytest.mark.parametrize(("term", "label", "biopsy"), [
    ("HP:0003011", "Abnormality of the musculature", None),  # a broad exclusion: no biopsy implied
    ("HP:0003805", "Rimmed vacuoles", True),  # looked for on a biopsy and absent
    ("HP:0004303", "Abnormal muscle fiber morphology", True),  # a normal biopsy
])
def test_an_excluded_term_implies_a_biopsy_only_when_it_is_a_finding_of_the_biopsy(
        term: str, label: str, biopsy: bool | None) -> None:
    """A biopsy item absent because a broad term was excluded ("no abnormality of the musculature") does not say that
    a biopsy was done; an excluded histology term does."""
    packet = {"id": "p", "subject": {"id": "s"}, "metaData": {"phenopacketSchemaVersion": "2.0"},
              "phenotypicFeatures": [{"type": {"id": term, "label": label}, "excluded": True}]}
    r = read_phenopacket(packet)
    assert r.case.get("biopsy_performed") is biopsy
    assert r.case.get("biopsy_rimmed_vacuoles") is False
