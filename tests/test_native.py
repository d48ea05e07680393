"""The native (C) search is a translation of the same rules: it must agree with the Python search."""

from __future__ import annotations

import pytest

from myoclass import parse_case
from myoclass.model.findings import case_state
from myoclass.reasoning.assess import assess_with
from myoclass.reasoning.engine import engine
from myoclass.synthetic import synthetic_cases

NATIVE = engine()
PYTHON = engine(native=False)
pytestmark = pytest.mark.skipif(NATIVE.native is None, reason="no C compiler: the Python search is used")


def test_native_and_python_searches_agree_on_a_synthetic_cohort() -> None:
    for raw in synthetic_cases(400, seed=7):
        state = case_state(parse_case(raw))
        assert NATIVE.mask(state) == PYTHON.mask(state)
        w_native: dict[int, list[bytes]] = {}
        w_python: dict[int, list[bytes]] = {}
        assert NATIVE.search(state, witnesses=w_native) == PYTHON.search(state, witnesses=w_python)
        assert w_native == w_python  # same splitting rule, same order, same witnesses


def test_native_and_python_assessments_are_identical() -> None:
    for raw in synthetic_cases(150, seed=11):
        case = parse_case(raw)
        assert assess_with(NATIVE, case) == assess_with(PYTHON, case)


def test_native_and_python_analyses_agree_including_next_test_outcomes() -> None:
    for raw in synthetic_cases(300, seed=5):
        packed = NATIVE.pack(case_state(parse_case(raw)))
        assert NATIVE.analyse(packed) == PYTHON.analyse(packed)
