"""score_batch (columns + native loop + per-row differential) equals the per-case library on every case,
field by field: the strict label, the criteria, the differential and the next tests in the library's order."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")

from _builders import thin_published  # noqa: E402
from myoclass import assess  # noqa: E402
from myoclass.batch.schema import cases_to_table  # noqa: E402
from myoclass.batch.score import score_batch  # noqa: E402
from myoclass.model.case import InvalidCase, parse_case  # noqa: E402
from myoclass.reasoning.engine import engine  # noqa: E402
from myoclass.synthetic import synthetic_cases  # noqa: E402

EULAR = "eular_acr_2017"


def _expected(a: dict[str, Any]) -> dict[str, Any]:
    s = a["summary"]
    row: dict[str, Any] = {"case_id": a["case_id"], "label": s["label"], "certainty": s["certainty"],
                           "reachable_labels": s["reachable_labels"], "reachable_labels_exact": s["reachable_labels_exact"]}
    for sid, cs in a["criteria"].items():
        row[f"{sid}_status"] = cs["status"]
        row[f"{sid}_category"] = cs["category"]
    e = a["criteria"][EULAR]
    for k in ("model", "score", "score_min", "score_max", "probability", "probability_min", "probability_max", "subgroup"):
        row[f"{EULAR}_{k}"] = e[k]
    row["leading_label"] = s["leading_label"]
    row["leading_probability"] = s["leading_probability"]  # both rounded by the library's rounding
    row["differential"] = a["differential"]
    row["differential_exact"] = a["differential_exact"]
    # the same entries in the same order (by expected information), with the same probabilities
    row["next_tests"] = [{k: t[k] for k in NEXT_TEST_KEYS if k in t} for t in a["next_tests"]]
    return row


#: the machine-readable keys of a next test that the batch carries (``outcomes`` and ``p_values``: banded)
NEXT_TEST_KEYS = ("finding", "purpose", "if_true", "if_false", "outcomes", "p_present", "p_values",
                  "expected_information")


def _got(r: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in r.items() if k not in ("row", "next_tests_exact")}
    out["reachable_labels"] = json.loads(r["reachable_labels"])
    out["differential"] = json.loads(r["differential"])
    out["next_tests"] = json.loads(r["next_tests"])
    return out


def _check(cases: list[dict[str, Any]], reading: str = "clinic") -> None:
    table, rejects = score_batch(cases_to_table(cases), reading=reading)
    assert not rejects
    assert table.num_rows == len(cases)
    for raw, r in zip(cases, table.to_pylist(), strict=True):
        got, want = _got(r), _expected(assess(raw, reading=reading))
        assert set(got) == set(want), set(got) ^ set(want)
        for k in want:
            assert got[k] == want[k], (raw.get("case_id"), k, got[k], want[k])
        assert [t["finding"] for t in got["next_tests"]] == [t["finding"] for t in want["next_tests"]]


def test_batch_equals_library_on_a_synthetic_cohort() -> None:
    _check(list(synthetic_cases(1500, seed=31)))


def test_batch_equals_library_on_thin_published_cases() -> None:
    # the cases where the budgeted search gave up: both now take the next tests from the decision diagram
    _check(thin_published(400, seed=12))


def test_batch_equals_library_under_the_record_reading() -> None:
    cases = thin_published(150, seed=5)
    _check(cases, reading="record")
    # the reading really changes the differential somewhere (so the comparison above is not vacuous)
    clinic, _ = score_batch(cases_to_table(cases))
    record, _ = score_batch(cases_to_table(cases), reading="record")
    assert clinic.column("differential").to_pylist() != record.column("differential").to_pylist()
    assert clinic.column("label").equals(record.column("label"))  # never the strict label


def test_the_differential_columns_are_well_formed() -> None:
    table, _ = score_batch(cases_to_table(thin_published(60, seed=2)))
    assert table.schema.field("leading_probability").type == pa.float64()
    assert table.schema.field("differential_exact").type == pa.bool_()
    for r in table.to_pylist():
        d = json.loads(r["differential"])
        assert d[0] == {"label": r["leading_label"], "probability": r["leading_probability"]}
        assert abs(sum(x["probability"] for x in d) - 1) < 1e-9
        assert [x["probability"] for x in d] == sorted((x["probability"] for x in d), reverse=True)
        ei = [t["expected_information"] for t in json.loads(r["next_tests"])]
        weighed = [x for x in ei if x is not None]
        assert weighed == sorted(weighed, reverse=True) and ei[:len(weighed)] == weighed


def test_rows_alike_in_one_batch_get_the_same_answer_as_alone() -> None:
    cases = thin_published(30, seed=9)
    alone = [score_batch(cases_to_table([c]))[0].to_pylist()[0] for c in cases[:5]]
    together, _ = score_batch(cases_to_table(cases[:5] * 3 + cases))
    rows = together.to_pylist()
    for k, want in enumerate(alone):
        for r in (rows[k], rows[5 + k], rows[10 + k], rows[15 + k]):
            assert {x: v for x, v in r.items() if x != "row"} == {x: v for x, v in want.items() if x != "row"}


def test_rows_alike_but_for_the_age_now_are_weighed_apart() -> None:
    """Same findings, ages 25 and 60 (no onset, no duration): one display state, two differentials, each
    as the library has it; with the symptom duration, the onset window is the same in both engines."""
    base = {"weakness_proximal_upper_symmetric": True, "weakness_proximal_lower_symmetric": True,
            "ck_elevated": True, "skin_heliotrope": True}
    cases = [{"case_id": f"a{k}", **base, "age_years": age, **extra} for k, (age, extra) in enumerate(
        [(25, {}), (60, {}), (25, {}), (18, {"symptom_duration_months": 6}), (33, {"symptom_duration_months": 144}),
         (19, {"age_at_onset_years": 10})])]
    _check(cases)
    rows, _ = score_batch(cases_to_table(cases))
    got = rows.to_pylist()
    assert got[0]["differential"] != got[1]["differential"]
    assert got[0]["differential"] == got[2]["differential"]


def test_rows_alike_but_for_an_onset_in_the_first_year_are_weighed_apart() -> None:
    """Same display state (onset under 18, duration unknown), onset in the first year or not: by the age at onset
    (0, 0.5 against 1, 5) or, with none given, by the age (0.8 against 3). Each row as the library has it; the
    first-year rows share one differential, with less JDM and more hereditary myopathy than the later ones'."""
    base = {"weakness_proximal_upper_symmetric": True, "weakness_proximal_lower_symmetric": True,
            "ck_u_l": 900, "ck_uln_u_l": 200, "cardiac_involvement": True}
    ages = [{"age_at_onset_years": 0}, {"age_at_onset_years": 0.5}, {"age_years": 0.8}, {"age_at_onset_years": 1},
            {"age_at_onset_years": 5}, {"age_years": 3}]
    cases = [{"case_id": f"c{k}", **base, **a} for k, a in enumerate(ages)]
    _check(cases)
    got = score_batch(cases_to_table(cases))[0].to_pylist()
    assert got[0]["differential"] == got[1]["differential"] == got[2]["differential"]
    assert got[3]["differential"] == got[5]["differential"] != got[0]["differential"]

    def p(row: dict[str, Any], label: str) -> float:
        return next(x["probability"] for x in json.loads(row["differential"]) if x["label"] == label)

    assert p(got[0], "jdm") < p(got[3], "jdm") and p(got[0], "hereditary_myopathy") > p(got[3], "hereditary_myopathy")


def test_rows_alike_but_for_the_sex_are_weighed_apart() -> None:
    """Same display state, sex male, female, other or not given (model version 16): each row as the library has it;
    other and not given share one differential, and a man's IBM is likelier than a woman's."""
    base = {"age_at_onset_years": 60, "weakness_finger_flexor_gt_shoulder_abductor": True, "ck_elevated": True,
            "dysphagia": True}
    sexes: list[dict[str, Any]] = [{"sex": "male"}, {"sex": "female"}, {"sex": "other"}, {}, {"sex": "male"}]
    cases = [{"case_id": f"s{k}", **base, **x} for k, x in enumerate(sexes)]
    _check(cases)
    got = score_batch(cases_to_table(cases))[0].to_pylist()
    assert got[2]["differential"] == got[3]["differential"] and got[0]["differential"] == got[4]["differential"]
    assert len({got[0]["differential"], got[1]["differential"], got[3]["differential"]}) == 3

    def p(row: dict[str, Any], label: str) -> float:
        return next((x["probability"] for x in json.loads(row["differential"]) if x["label"] == label), 0.0)

    assert p(got[0], "ibm") > p(got[3], "ibm") > p(got[1], "ibm")


def test_an_unknown_reading_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match="allowed: clinic, record"):
        score_batch(cases_to_table(thin_published(2, seed=1)), reading="chart")


def test_reference_label_passes_through_and_a_wrong_one_is_a_reject() -> None:
    from myoclass.reasoning.engine import LABELS

    cases = [dict(c) for c in synthetic_cases(12, seed=4)]
    refs: list[Any] = ["dm", None, "imnm_anti_srp", "undetermined", "DM", "pm", None, "not_iim", "ibm", "x", "adm", "dm"]
    for c, ref in zip(cases, refs, strict=True):
        c["reference_label"] = ref
    cases[9]["ck_u_l"] = -5  # a row with two problems names both
    table, rejects = score_batch(cases_to_table(cases))
    assert [r.row for r in rejects] == [3, 4, 9]
    assert rejects[0].reason.startswith("reference_label: 'undetermined' is not allowed; allowed: ")
    assert ", ".join(LABELS) in rejects[0].reason and "'DM'" in rejects[1].reason
    assert "ck_u_l" in rejects[2].reason and "reference_label: 'x'" in rejects[2].reason
    assert table.column("reference_label").to_pylist() == [refs[i] for i in range(12) if i not in (3, 4, 9)]
    assert table.schema.field("reference_label").type == pa.string()
    # the other columns do not depend on it
    plain, _ = score_batch(cases_to_table([{k: v for k, v in c.items() if k != "reference_label"}
                                           for i, c in enumerate(cases) if i not in (3, 4, 9)]))
    assert table.drop_columns(["reference_label", "row"]).equals(plain.drop_columns(["row"]))
    # without the column in the input, no column in the output
    assert "reference_label" not in plain.column_names


def test_batch_equals_library_on_the_bundled_examples() -> None:
    import json as _json
    from importlib import resources

    ex = _json.loads(resources.files("myoclass.examples").joinpath("cases.json").read_text())
    _check(list(ex.values()))


BOOLS = ["ab_hmgcr", "ab_srp", "ab_jo1", "weakness_proximal_upper_symmetric", "weakness_proximal_lower_symmetric",
         "skin_heliotrope", "skin_gottron_papules", "dysphagia", "weakness_finger_flexor_gt_shoulder_abductor",
         "biopsy_necrosis_predominant", "biopsy_rimmed_vacuoles", "statin_exposure", "hypothyroidism", "ild"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({}, optional={
    **{k: st.sampled_from([True, False, None]) for k in BOOLS},
    "age_at_onset_years": st.sampled_from([0, 0.5, 1, 10, 30, 41, 46, 70]),
    "sex": st.sampled_from(["male", "female", "other"]),
    "ck_u_l": st.sampled_from([100, 900, 5000]),
    "ck_uln_u_l": st.just(200),
    "biopsy_performed": st.sampled_from([True, False, None]),
    "immunosuppression_response": st.sampled_from(["improved", "no_response"]),
    "statin_withdrawal_outcome": st.sampled_from(["resolved", "persisted"]),
}), min_size=1, max_size=20))
def test_batch_equals_library_on_generated_cases(cases: list[dict[str, Any]]) -> None:
    for c in cases:  # keep generated cases valid: biopsy findings need a biopsy that is not "none"
        if c.get("statin_exposure") is False:  # a course after stopping a statin needs one taken
            c.pop("statin_withdrawal_outcome", None)
        if c.get("biopsy_performed") is False:
            c.pop("biopsy_necrosis_predominant", None)
            c.pop("biopsy_rimmed_vacuoles", None)
        if c.get("biopsy_necrosis_predominant"):
            c["biopsy_necrotic_fibers"] = True
    _check(cases)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({}, optional={
    "ck_u_l": st.sampled_from([300, 1000, 1000.5, 8000, 15000, 15001, 40000]),
    "ck_uln_u_l": st.sampled_from([200, 2000]),
    "ck_elevated": st.sampled_from([True, False, None]),
    "age_years": st.sampled_from([0.5, 1, 30]),
    "age_at_onset_years": st.sampled_from([0, 0.5, 1]),
    "ab_hmgcr": st.sampled_from([True, None]),
}), min_size=1, max_size=12))
def test_ck_without_a_limit_is_read_and_checked_as_the_library_does(cases: list[dict[str, Any]]) -> None:
    """A CK above every laboratory's limit (model.ck): raised, the top band above 15 times it, a contradiction with
    ck_elevated false; the batch's columns agree with parse_case row by row, rejects included."""
    cases = [{"case_id": f"c{i}", **c} for i, c in enumerate(cases)]
    valid: list[dict[str, Any]] = []
    want: dict[int, str] = {}
    for i, c in enumerate(cases):
        try:
            parse_case(c)
            valid.append(c)
        except InvalidCase as e:
            want[i] = e.problems[0].message
    table, rejects = score_batch(cases_to_table(cases))
    assert {r.row: r.reason for r in rejects}.keys() == want.keys()
    assert all(want[r.row] in r.reason for r in rejects)
    assert table.num_rows == len(valid)
    if valid:
        _check(valid)


def test_rejects_keep_the_rest_of_the_batch() -> None:
    cases = list(synthetic_cases(50, seed=3))
    cases[7] = {**cases[7], "ck_u_l": -1}
    cases[20] = {**cases[20], "onset_tempo": "sudden"}
    table, rejects = score_batch(cases_to_table(cases))
    assert [r.row for r in rejects] == [7, 20]
    assert "ck_u_l" in rejects[0].reason and "acute, subacute, insidious" in rejects[1].reason
    assert table.num_rows == 48 and 7 not in table.column("row").to_pylist()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({}, optional={
    "age_years": st.sampled_from([5, 20, 40, 40.5, 41, 42, 60]),
    "age_at_onset_years": st.sampled_from([4, 20, 39, 40, 41, 59]),
    "symptom_duration_months": st.sampled_from([0.5, 6, 12, 13, 24, 30, 600]),
}), min_size=1, max_size=12))
def test_the_batch_rejects_exactly_the_ages_and_durations_the_library_rejects(cases: list[dict[str, Any]]) -> None:
    """An onset after the age now, or a symptom duration the two ages contradict (model.ages): the batch's
    vectorised check and parse_case agree row by row, with parse_case's message."""
    cases = [{"case_id": f"c{i}", **c} for i, c in enumerate(cases)]
    want: dict[int, str] = {}
    for i, c in enumerate(cases):
        try:
            parse_case(c)
        except InvalidCase as e:
            want[i] = e.problems[0].message
    table, rejects = score_batch(cases_to_table(cases))
    assert {r.row: r.reason for r in rejects}.keys() == want.keys()
    assert all(want[r.row] in r.reason for r in rejects)
    assert table.num_rows == len(cases) - len(want)


def test_an_unknown_column_is_refused_with_the_nearest_key() -> None:
    from myoclass.model.case import InvalidCase

    with pytest.raises(InvalidCase) as e:
        score_batch(pa.table({"ab_hmgrc": [True]}))
    assert "did you mean 'ab_hmgcr'" in str(e.value)


def test_native_back_end_present_for_the_fast_path() -> None:
    assert engine().native is not None or pytest.skip("no C compiler: the row loop runs in Python")
