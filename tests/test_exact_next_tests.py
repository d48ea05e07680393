"""The next tests and reachable labels are exact on every case, in the library and in the batch (issue 10).

Both take them from the decision diagram, with no budget. On thin published cases, where the budgeted
search gives up, the assessment equals the search run with budgets large enough to finish, carries no
inexactness warning, and the batch says exact on every row. Without a diagram (no cached table and no
``dd``), both fall back to the budgeted search and flag it, as before.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from _builders import thin_published
from myoclass import assess, parse_case
from myoclass.logic import diagram as dg
from myoclass.model.case import InvalidCase
from myoclass.model.fields import BIOPSY_ITEMS
from myoclass.model.findings import FINDINGS, case_state
from myoclass.reasoning.engine import engine, labels_of
from myoclass.synthetic import synthetic_cases

ENG = engine()
INEXACT = ("Too many deciding findings", "Many deciding findings")


def _gave_up(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cases where the budgeted search does not finish its next tests."""
    return [c for c in cases if not ENG.analyse(ENG.pack(case_state(parse_case(c))))[2]]


def _deciding(reach: int, outcomes: list[tuple[int, list[int]]]) -> dict[str, list[int]]:
    if not reach & (reach - 1):
        return {}
    return {FINDINGS[ENG.var_names[f]].flat_key: m for f, m in outcomes if any(x != reach for x in m)}


CASES = thin_published(300, seed=4)
GAVE_UP = _gave_up(CASES)


def test_the_thin_cohort_really_defeats_the_budgeted_search() -> None:
    assert len(GAVE_UP) >= 30


@pytest.mark.skipif(ENG.native is None, reason="the large-budget reference search runs in C")
def test_assess_next_tests_equal_a_search_that_finishes() -> None:
    assert ENG.native is not None
    for c in GAVE_UP:
        a = assess(c)
        s = a["summary"]
        assert s["reachable_labels_exact"] is True
        assert not any(w.startswith(INEXACT) for w in a["warnings"])
        packed = ENG.pack(case_state(parse_case(c)))
        reach, exact, tests_exact, outs = ENG.native.analyse(packed, ENG.deciding_index, 400_000, 200_000, 1_500_000)
        assert exact and tests_exact
        assert s["reachable_labels"] == labels_of(reach)
        want = _deciding(reach, outs)
        got = {t["finding"]: t for t in a["next_tests"] if t["purpose"] == "decides" and t["finding"] in want}
        assert set(got) == set(want)
        decides = {t["finding"] for t in a["next_tests"] if t["purpose"] == "decides"}
        assert decides - set(want) <= {"biopsy_performed"}  # the what-if-a-biopsy entry, checked below


def _no_biopsy_cases(n: int, seed: int) -> list[dict[str, Any]]:
    """Synthetic cases without a biopsy, and thin versions of them (the biopsy still known not done)."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for c in synthetic_cases(n, seed=seed):
        if c.get("biopsy_performed") is not False:
            continue
        out.append(c)
        thin = {k: v for k, v in c.items() if k in ("case_id", "biopsy_performed") or rng.random() < 0.5}
        try:
            parse_case(thin)
        except InvalidCase:
            continue
        out.append(thin)
    return out


def test_what_if_a_biopsy_is_exact() -> None:
    seen = 0
    for c in _no_biopsy_cases(300, seed=2):
        case = parse_case(c)
        state = case_state(case)
        assert state["biopsy_performed"] == 0
        hyp = dict(state)
        for k in BIOPSY_ITEMS:
            if not FINDINGS[k].mimic:
                hyp[k] = 1
        hyp["biopsy_performed"] = 2
        found, exact, _nodes = ENG.search(hyp, budget=2_000_000)
        assert exact
        a = assess(c)
        reach = a["summary"]["reachable_labels"]
        entry = [t for t in a["next_tests"] if t["finding"] == "biopsy_performed"]
        if labels_of(found) == reach:
            assert not entry
        else:
            seen += 1
            assert entry[0]["reachable_if_true"] == labels_of(found)
    assert seen >= 20


def test_the_batch_is_exact_on_every_row_and_equals_the_library() -> None:
    pytest.importorskip("pyarrow")
    from myoclass.batch.schema import cases_to_table
    from myoclass.batch.score import score_batch

    table, rejects = score_batch(cases_to_table(CASES))
    assert not rejects
    rows = table.to_pylist()
    assert all(r["reachable_labels_exact"] and r["next_tests_exact"] for r in rows)
    for c, r in zip(CASES, rows, strict=True):
        a = assess(c)
        assert json.loads(r["reachable_labels"]) == a["summary"]["reachable_labels"]
        got = json.loads(r["next_tests"])  # the library's entries, in its order (by expected information)
        keys = ("finding", "purpose", "if_true", "if_false", "outcomes", "p_present", "p_values",
                "expected_information")
        want = [{k: t[k] for k in keys if k in t} for t in a["next_tests"]]
        assert got == want, c


def test_without_a_diagram_both_fall_back_to_the_search_and_flag_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dg, "_available", lambda policy, native: None)
    c = GAVE_UP[0]
    a = assess(c)
    assert any(w.startswith(INEXACT) for w in a["warnings"])
    pytest.importorskip("pyarrow")
    from myoclass.batch.schema import cases_to_table
    from myoclass.batch.score import score_batch

    table, _rejects = score_batch(cases_to_table([c]))
    assert table.column("next_tests_exact").to_pylist() == [False]
