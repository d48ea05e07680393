"""The validation set of published cases (data/validation/): provenance and input format.

Only the input validator is used here; no case is assessed.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from myoclass.model.case import parse_case

PATH = Path(__file__).resolve().parents[1] / "data" / "validation" / "published_cases.jsonl"
VOCABULARY = {
    "imnm_anti_hmgcr", "imnm_anti_srp", "imnm_seronegative", "antisynthetase", "dm", "adm", "jdm", "ibm", "pm",
    "nonspecific_myositis", "juvenile_myositis_other", "hereditary_myopathy", "statin_toxic_myopathy",
    "other_non_immune", "not_iim",
}
MIN_CASES = 150  # issue 10, item 5: at least 150 patients (153 verified; see data/validation/README.md)
MIN_PER_LABEL = 3  # every label has at least three patients (README "Counts per label")


def _records() -> list[dict]:
    return [json.loads(line) for line in PATH.read_text().splitlines() if line.strip()]


RECORDS = _records()


def test_enough_cases():
    assert len(RECORDS) >= MIN_CASES


def test_case_ids_unique():
    ids = [r["case_id"] for r in RECORDS]
    assert len(ids) == len(set(ids))


def test_reference_labels_in_vocabulary():
    assert {r["reference_label"] for r in RECORDS} <= VOCABULARY


def test_every_label_present():
    assert {r["reference_label"] for r in RECORDS} == VOCABULARY


def test_every_label_has_enough_cases():
    counts = Counter(r["reference_label"] for r in RECORDS)
    assert {label: n for label, n in counts.items() if n < MIN_PER_LABEL} == {}


def test_every_record_has_pmid_or_doi_and_provenance():
    for r in RECORDS:
        src = r["source"]
        assert src.get("pmid") or src.get("doi"), r["case_id"]
        assert src.get("retrieved_from") and src.get("citation"), r["case_id"]
        assert r["final_diagnosis_as_written"], r["case_id"]


def test_every_flat_key_has_evidence():
    for r in RECORDS:
        assert set(r["flat_case"]) == set(r["evidence"]), r["case_id"]


@pytest.mark.parametrize("rec", RECORDS, ids=[r["case_id"] for r in RECORDS])
def test_flat_case_passes_parse_case(rec):
    parse_case(rec["flat_case"])
