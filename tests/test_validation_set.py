"""The validation set of published cases (data/validation/): provenance and input format.

Only the input validator is used on the team's sets here; no case of theirs is assessed. The last tests run
bench/validate.py on a small set of their own, as a user scores an outside set.
"""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from myoclass.model.case import parse_case

PATH = Path(__file__).resolve().parents[1] / "data" / "validation" / "published_cases.jsonl"
#: the second set, collected after the model was frozen (data/validation/README.md, "Fresh cases")
FRESH_PATH = PATH.with_name("fresh_cases.jsonl")
#: the third set, collected after the model's last change (data/validation/README.md, "Third set")
THIRD_PATH = PATH.with_name("third_cases.jsonl")
#: the fourth set, collected in session 14 with the model unchanged (data/validation/README.md, "Fourth set")
FOURTH_PATH = PATH.with_name("fourth_cases.jsonl")
#: the fifth set, collected in session 18 with the model at version 4 (data/validation/README.md, "Fifth set")
FIFTH_PATH = PATH.with_name("fifth_cases.jsonl")
#: the sixth set, collected in session 21 with the model at version 5 (data/validation/README.md, "Sixth set")
SIXTH_PATH = PATH.with_name("sixth_cases.jsonl")
#: the seventh set, collected in session 38 with the model at version 18 (data/validation/README.md, "Seventh set")
SEVENTH_PATH = PATH.with_name("seventh_cases.jsonl")
VOCABULARY = {
    "imnm_anti_hmgcr", "imnm_anti_srp", "imnm_seronegative", "antisynthetase", "dm", "adm", "jdm", "ibm", "pm",
    "nonspecific_myositis", "juvenile_myositis_other", "hereditary_myopathy", "statin_toxic_myopathy",
    "other_non_immune", "not_iim",
}
MIN_CASES = 150  # issue 10, item 5: at least 150 patients (153 verified; see data/validation/README.md)
MIN_PER_LABEL = 3  # every label has at least three patients (README "Counts per label")


def _validate_module():  # type: ignore[no-untyped-def]
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "bench" / "validate.py"
    spec = importlib.util.spec_from_file_location("bench_validate", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


#: bench/validate.py: its reader of the sets, and the split (computed there; no case is assessed here)
V = _validate_module()
RECORDS = V.load(PATH)
FRESH = V.load(FRESH_PATH)
THIRD = V.load(THIRD_PATH)
FOURTH = V.load(FOURTH_PATH)
FIFTH = V.load(FIFTH_PATH)
SIXTH = V.load(SIXTH_PATH)
SEVENTH = V.load(SEVENTH_PATH)
#: every record of the seven sets: each is held to the same provenance and input rules
ALL_SETS = RECORDS + FRESH + THIRD + FOURTH + FIFTH + SIXTH + SEVENTH


def test_enough_cases():
    assert len(RECORDS) >= MIN_CASES


def test_case_ids_unique():
    ids = [r["case_id"] for r in ALL_SETS]
    assert len(ids) == len(set(ids))


def test_reference_labels_in_vocabulary():
    assert {r["reference_label"] for r in ALL_SETS} <= VOCABULARY


def test_every_label_present():
    assert {r["reference_label"] for r in RECORDS} == VOCABULARY


def test_every_label_has_enough_cases():
    counts = Counter(r["reference_label"] for r in RECORDS)
    assert {label: n for label, n in counts.items() if n < MIN_PER_LABEL} == {}


def test_every_record_has_pmid_or_doi_and_provenance():
    for r in ALL_SETS:
        src = r["source"]
        assert src.get("pmid") or src.get("doi"), r["case_id"]
        assert src.get("retrieved_from") and src.get("citation"), r["case_id"]
        assert r["final_diagnosis_as_written"], r["case_id"]


def test_every_flat_key_has_evidence():
    for r in ALL_SETS:
        assert set(r["flat_case"]) == set(r["evidence"]), r["case_id"]
        assert all(isinstance(v, str) and v.strip() for v in r["evidence"].values()), r["case_id"]


@pytest.mark.parametrize("rec", ALL_SETS, ids=[r["case_id"] for r in ALL_SETS])
def test_flat_case_passes_parse_case(rec):
    parse_case(rec["flat_case"])


def test_fresh_cases_come_from_publications_not_in_the_main_set():
    """The fresh set is a second test, never used to set a number: no publication of it is in the main set (whose dev half
    was looked at), and it holds at most four patients of one publication."""
    main = {k for r in RECORDS for k in V.publication_ids(r)}
    assert FRESH and {k for r in FRESH for k in V.publication_ids(r)}.isdisjoint(main)
    assert max(Counter(V.source_key(r) for r in FRESH).values()) <= 4


#: the sets collected after the model's last change, each with the sets before it, its path, the model (commit)
#: bench/validate.py says it was first scored on, and the commit its README section names
LATER_SETS = [("third", THIRD, RECORDS + FRESH, THIRD_PATH, V.THIRD_FIRST_SCORED_ON, "a436219"),
              ("fourth", FOURTH, RECORDS + FRESH + THIRD, FOURTH_PATH, V.FOURTH_FIRST_SCORED_ON, "a436219"),
              ("fifth", FIFTH, RECORDS + FRESH + THIRD + FOURTH, FIFTH_PATH, V.FIFTH_FIRST_SCORED_ON, "0a0446e"),
              ("sixth", SIXTH, RECORDS + FRESH + THIRD + FOURTH + FIFTH, SIXTH_PATH, V.SIXTH_FIRST_SCORED_ON,
               "fbe28bc"),
              ("seventh", SEVENTH, RECORDS + FRESH + THIRD + FOURTH + FIFTH + SIXTH, SEVENTH_PATH,
               V.SEVENTH_FIRST_SCORED_ON, "37d7899")]


@pytest.mark.parametrize(("name", "later", "earlier", "path", "first_scored_on", "model_commit"), LATER_SETS,
                         ids=[x[0] for x in LATER_SETS])
def test_later_set_comes_from_publications_in_no_earlier_set(name, later, earlier, path, first_scored_on,
                                                             model_commit):
    """The third to seventh sets were each the untouched measure when first scored: none of their
    publications is in an earlier set, at most three patients come from one publication, and bench/validate.py scores each (its
    path, and the model it met first)."""
    before = {k for r in earlier for k in V.publication_ids(r)}
    assert later and {k for r in later for k in V.publication_ids(r)}.isdisjoint(before)
    assert max(Counter(V.source_key(r) for r in later).values()) <= 3
    assert {n: p for n, p, _status in V.SCORED_SETS}[name] == path and first_scored_on == model_commit
    assert all(r["case_id"].startswith(f"{name}-") for r in later)


# ------------------------------------------------------------------------------ the dev / held-out split
# bench/validate.py splits the set by publication (issue 10, item 5: "if anything is tuned on it, split the set
# first and report on the untouched half"). Only the split is computed here; no case is assessed.

SPLIT = V.split(RECORDS)


def test_split_is_by_publication_and_covers_every_record():
    assert set(SPLIT) == {V.source_key(r) for r in RECORDS}
    assert set(SPLIT.values()) == {"dev", "held-out"}
    parts = V.halves(RECORDS)
    assert len(parts["dev"]) + len(parts["held-out"]) == len(RECORDS) == len(parts["all"])
    assert {r["case_id"] for r in parts["dev"]}.isdisjoint(r["case_id"] for r in parts["held-out"])


def test_source_key_prefers_pmid_then_doi_then_citation():
    assert V.source_key({"source": {"pmid": "123", "doi": "10.1/X"}}) == "pmid:123"
    assert V.source_key({"source": {"pmid": None, "doi": "10.1/X"}}) == "doi:10.1/x"
    assert V.source_key({"source": {"citation": "A case"}}) == "citation:A case"


def test_split_is_deterministic_and_stable():
    assert V.split(list(reversed(RECORDS))) == SPLIT  # independent of record order
    assert V.SPLIT_SALT == "myoclass-validation-split-v1:" and V.LOOKED_AT == "dev"
    # the halves recorded in data/validation/README.md
    parts = V.halves(RECORDS)
    assert (len(parts["dev"]), len(parts["held-out"])) == (73, 80)


def test_split_is_about_half_and_every_label_with_two_sources_is_in_both_halves():
    parts = V.halves(RECORDS)
    assert 0.4 <= len(parts["dev"]) / len(RECORDS) <= 0.6
    sources: dict[str, set[str]] = {}
    for r in RECORDS:
        sources.setdefault(r["reference_label"], set()).add(V.source_key(r))
    for label, keys in sources.items():
        if len(keys) >= 2:
            for h in ("dev", "held-out"):
                assert any(r["reference_label"] == label for r in parts[h]), (label, h)


# bench/validate.py PATH scores a set from outside (issue 10: "held-out published cases that the team has not seen
# will be judged the same way"): a record it cannot score is left out and said, never a stack trace and never the
# others lost; such a set has no halves.

_OUTSIDE_LINES = [
    '{"flat_case": {"case_id": "o1", "age_years": 50, "ab_hmgcr": true}, "reference_label": "imnm_anti_hmgcr"}',
    "not json",
    "[1, 2]",
    '{"flat_case": {"case_id": "o2", "ab_hmgcr": "maybe"}, "reference_label": "imnm_anti_hmgcr"}',
    '{"flat_case": {"case_id": "o3", "ab_srp": true}, "reference_label": "polymyositis"}',
    '{"flat_case": {"case_id": "o4", "ab_srp": true}}',
    '{"case_id": "o5", "ab_jo1": true, "ild": true, "reference_label": "antisynthetase"}',
    '{"flat_case": {"case_id": "o6"}, "reference_label": "undetermined"}',
    '{"flat_case": "text", "reference_label": "dm"}',
    "",
]


def test_an_outside_set_keeps_what_it_can_score_and_says_why_each_other_record_is_left_out(tmp_path: Path):
    path = tmp_path / "outside.jsonl"
    path.write_text("\n".join(_OUTSIDE_LINES) + "\n", encoding="utf-8")
    records, problems = V.read_records(path)
    # the sets' own shape, and a flat case carrying its reference label, are both read
    assert [(r["flat_case"]["case_id"], r["reference_label"]) for r in records] == [
        ("o1", "imnm_anti_hmgcr"), ("o5", "antisynthetase")]
    assert records[1]["flat_case"] == {"case_id": "o5", "ab_jo1": True, "ild": True}
    assert len(problems) == 7
    assert problems[0].startswith("line 2: not JSON")
    assert problems[1] == "line 3: a JSON list, not an object"
    assert problems[2].startswith("line 4 (o2): ab_hmgcr:") and "allowed" in problems[2]
    assert problems[3].startswith("line 5 (o3): reference_label: 'polymyositis' is not a diagnosis")
    assert problems[4].startswith("line 6 (o4): reference_label: missing; allowed: imnm_anti_hmgcr,")
    assert problems[5].startswith("line 8 (o6): reference_label: 'undetermined'")  # not a diagnosis
    assert problems[6] == "line 9: flat_case: a JSON str, not an object"
    for p in problems[3:6]:
        assert p.endswith(", pm, not_iim")  # the allowed values, named


def test_an_outside_set_without_provenance_has_a_source_key():
    assert V.source_key({"flat_case": {}, "reference_label": "dm"}) == "citation:"
    assert V.publication_ids({"source": None}) == []


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.jsonl", "no such file"),
    (lambda d: d, "a folder, not a file of JSON Lines"),
    (lambda d: (d / "b.jsonl").write_bytes(b"\xff\xfe{}") and d / "b.jsonl", "not UTF-8 text"),
])
def test_an_unreadable_set_is_named_with_the_reason(tmp_path: Path, make, message):  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as e:
        V.read_records(make(tmp_path))
    assert message in str(e.value.code)


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    """``python bench/validate.py PATH``, as a user runs it."""
    script = Path(__file__).resolve().parents[1] / "bench" / "validate.py"
    return subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, timeout=300)


def test_validate_scores_an_outside_set_as_a_whole_and_lists_what_it_left_out(tmp_path: Path):
    path = tmp_path / "outside.jsonl"
    path.write_text("\n".join(_OUTSIDE_LINES) + "\n", encoding="utf-8")
    run = _validate(path)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    out = run.stdout
    assert "validation set: outside.jsonl, 2 patients" in out
    assert "left out: 7 record(s), each with the reason (the others are scored):" in out
    assert "  line 4 (o2): ab_hmgcr:" in out
    assert "a set of its own: scored as a whole" in out
    assert "split by publication" not in out and "half: dev" not in out and "Looked at" not in out
    assert "== reading: clinic, half: all (2 patients)" in out and "== reading: record, half: all (2 patients)" in out
    assert "by reference label" in out and "done-when targets:" in out


def test_validate_with_nothing_to_score_says_so(tmp_path: Path):
    path = tmp_path / "none.jsonl"
    path.write_text("not json\n", encoding="utf-8")
    run = _validate(path)
    assert run.returncode == 1
    assert run.stderr.strip().endswith("none.jsonl: no record to score") and "Traceback" not in run.stderr
    assert "line 1: not JSON" in run.stdout
