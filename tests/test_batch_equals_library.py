"""score_batch (columns + native loop) equals the per-case library on every case, field by field."""

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
    # The library orders next tests by expected information (issue 10); the batch does not carry the
    # differential yet, so the entries are compared as a set (by finding) until it does.
    row["next_tests"] = sorted(({k: t[k] for k in ("finding", "purpose", "if_true", "if_false")}
                                | ({"outcomes": t["outcomes"]} if "outcomes" in t else {}) for t in a["next_tests"]),
                               key=lambda t: t["finding"])
    return row


def _got(r: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in r.items() if k not in ("row", "next_tests_exact")}
    out["reachable_labels"] = json.loads(r["reachable_labels"])
    out["next_tests"] = sorted(json.loads(r["next_tests"]), key=lambda t: t["finding"])
    return out


def _check(cases: list[dict[str, Any]]) -> None:
    table, rejects = score_batch(cases_to_table(cases))
    assert not rejects
    assert table.num_rows == len(cases)
    for raw, r in zip(cases, table.to_pylist(), strict=True):
        got, want = _got(r), _expected(assess(raw))
        for k in want:
            assert got[k] == want[k], (raw.get("case_id"), k, got[k], want[k])


def test_batch_equals_library_on_a_synthetic_cohort() -> None:
    _check(list(synthetic_cases(1500, seed=31)))


def test_batch_equals_library_on_thin_published_cases() -> None:
    # the cases where the budgeted search gave up: both now take the next tests from the decision diagram
    _check(thin_published(400, seed=12))


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
    "age_at_onset_years": st.sampled_from([10, 30, 41, 46, 70]),
    "ck_u_l": st.sampled_from([100, 900, 5000]),
    "ck_uln_u_l": st.just(200),
    "biopsy_performed": st.sampled_from([True, False, None]),
    "immunosuppression_response": st.sampled_from(["improved", "no_response"]),
}), min_size=1, max_size=20))
def test_batch_equals_library_on_generated_cases(cases: list[dict[str, Any]]) -> None:
    for c in cases:  # keep generated cases valid: biopsy findings need a biopsy that is not "none"
        if c.get("biopsy_performed") is False:
            c.pop("biopsy_necrosis_predominant", None)
            c.pop("biopsy_rimmed_vacuoles", None)
        if c.get("biopsy_necrosis_predominant"):
            c["biopsy_necrotic_fibers"] = True
    _check(cases)


def test_rejects_keep_the_rest_of_the_batch() -> None:
    cases = list(synthetic_cases(50, seed=3))
    cases[7] = {**cases[7], "ck_u_l": -1}
    cases[20] = {**cases[20], "onset_tempo": "sudden"}
    table, rejects = score_batch(cases_to_table(cases))
    assert [r.row for r in rejects] == [7, 20]
    assert "ck_u_l" in rejects[0].reason and "acute, subacute, insidious" in rejects[1].reason
    assert table.num_rows == 48 and 7 not in table.column("row").to_pylist()


def test_an_unknown_column_is_refused_with_the_nearest_key() -> None:
    from myoclass.model.case import InvalidCase

    with pytest.raises(InvalidCase) as e:
        score_batch(pa.table({"ab_hmgrc": [True]}))
    assert "did you mean 'ab_hmgcr'" in str(e.value)


def test_native_back_end_present_for_the_fast_path() -> None:
    assert engine().native is not None or pytest.skip("no C compiler: the row loop runs in Python")
