"""The columnar evaluator equals the per-case engine, finding by finding and definition by definition."""

from __future__ import annotations

import pytest

pa = pytest.importorskip("pyarrow")

from myoclass.batch.columnar import evaluate_columns, state_columns  # noqa: E402
from myoclass.batch.schema import FLAT_SCHEMA  # noqa: E402
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
