"""The columnar evaluator equals the per-case engine, finding by finding and definition by definition."""

from __future__ import annotations

import pytest

pa = pytest.importorskip("pyarrow")

from myoclass.batch.columnar import state_columns  # noqa: E402
from myoclass.batch.schema import FLAT_SCHEMA  # noqa: E402
from myoclass.logic.columns import evaluate_columns  # noqa: E402
from myoclass.model.case import parse_case  # noqa: E402
from myoclass.model.findings import case_state, display_state  # noqa: E402
from myoclass.reasoning.engine import engine  # noqa: E402
from myoclass.synthetic import synthetic_cases  # noqa: E402


def _cohort(n: int, seed: int) -> list:
    return [parse_case(c) for c in synthetic_cases(n, seed)]


def test_state_columns_equal_the_per_case_findings() -> None:
    cases = _cohort(800, 21)
    shown, logic = state_columns(pa.Table.from_pylist([dict(c.values) for c in cases], schema=FLAT_SCHEMA))
    for i, c in enumerate(cases):
        d, s = display_state(c), case_state(c)
        assert {k: int(shown[k][i]) for k in d} == d
        assert {k: int(logic[k][i]) for k in s} == s


def test_every_definition_evaluates_the_same_over_columns() -> None:
    cases = _cohort(400, 22)
    _shown, logic = state_columns(pa.Table.from_pylist([dict(c.values) for c in cases], schema=FLAT_SCHEMA))
    eng = engine()
    names = list(eng.program.defs)  # the label rules too
    cols = evaluate_columns(eng.program.defs, names, logic)
    for i, c in enumerate(cases):
        ref = eng.evaluate_all(case_state(c))
        labels = eng.rules_fn(case_state(c))[0]
        for k in names:
            v = cols[k]
            got = (int(v[0][i]), int(v[1][i])) if isinstance(v, tuple) else int(v[i])
            if k in ref:
                assert got == ref[k], k
        # the first rule that holds under Kleene logic matches the per-case mask
        first_true = next((r for r, name in enumerate(eng.rule_names) if cols[name][i] == 2), len(eng.rule_names))
        assert labels >> first_true & 1


# The findings are read straight from Arrow's bitmaps and value buffers: every layout of a column
# (no nulls, all nulls, some nulls, a slice starting inside a byte) gives the same Kleene values.
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from myoclass.batch.columnar import number_column, tri_column  # noqa: E402


@given(st.lists(st.one_of(st.none(), st.booleans()), max_size=70), st.integers(0, 20), st.integers(0, 70))
def test_booleans_become_kleene_values_in_every_layout(values: list, start: int, length: int) -> None:
    col = pa.array(values, pa.bool_()).slice(min(start, len(values)), length)
    want = [1 if v is None else (2 if v else 0) for v in col.to_pylist()]
    assert tri_column(col, len(col)).tolist() == want
    assert tri_column(None, 3).tolist() == [1, 1, 1]


@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), max_size=70), st.integers(0, 20), st.integers(0, 70))
def test_numbers_and_whether_known_in_every_layout(values: list, start: int, length: int) -> None:
    col = pa.array(values, pa.float64()).slice(min(start, len(values)), length)
    vals, known = number_column(col, len(col))
    assert known.tolist() == [v is not None for v in col.to_pylist()]
    assert vals.tolist() == [0.0 if v is None else v for v in col.to_pylist()]


@pytest.mark.parametrize(("age", "onset", "duration", "band"), [
    (35, 13, None, 2),     # 22 years apart: over 12 months whatever the months of birth
    (35, 33, None, 2),     # 2 years apart: more than 1 year even at the ends of both years of age
    (35, 34, None, 3),     # 1 year apart: anywhere from a day to nearly 2 years
    (35, 35, None, 1),     # the same year of age: under 12 months
    (35.5, 34.2, None, 3), # fractional ages get the same year of slack either way
    (35, None, None, 3), (None, 13, None, 3),
    (35, 34, 6, 1),        # a given duration wins where the ages leave it open
    (60, 59, 13, 2),
])
def test_duration_band_from_the_ages_in_the_case_and_in_columns(age: float | None, onset: float | None,
                                                                 duration: float | None, band: int) -> None:
    """The symptom duration is known to be over (or under) 12 months when the age now and the age at the first
    symptom say so (data dictionary: the duration runs from the first symptom to the assessment); the per-case
    state and the batch's columns agree, and the case carries a note saying it was worked out."""
    raw = {k: v for k, v in (("age_years", age), ("age_at_onset_years", onset),
                             ("symptom_duration_months", duration)) if v is not None}
    case = parse_case(raw)
    assert display_state(case)["duration_band"] == band
    shown, _logic = state_columns(pa.Table.from_pylist([dict(case.values)], schema=FLAT_SCHEMA))
    assert int(shown["duration_band"][0]) == band
    noted = "symptom duration derived from age_years and age_at_onset_years" in case.notes
    assert noted == (duration is None and band != 3)
