"""The decision diagram is the engine's label function: it must agree with the search and with brute force.

* full states: the same label as the engine;
* partial states, the bundled examples and thin versions of them: the same reachable labels, and the
  same deciding findings and outcome lists wherever the search is exact (where it gave up, the
  search's lists may only be wider);
* small unknown sets: reachable labels, outcomes and weighted counts equal to brute force over every
  completion;
* weighted counts sum to 1; the C passes equal the numpy passes; the shipped variable order keeps the
  diagram small for every policy.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myoclass import parse_case
from myoclass.criteria import Policy
from myoclass.examples import example_cases
from myoclass.logic._compile import MSA_NONE, bit_names, build_table, compile_bdd
from myoclass.logic.diagram import Diagram, analyse_exact, diagram, shipped_order
from myoclass.model.findings import FINDINGS, MIMICS, case_state
from myoclass.reasoning.differential import BIOPSY_GROUP, MSA_GROUP
from myoclass.reasoning.engine import LABELS, engine
from myoclass.synthetic import thin_cases as synthetic_thin_cases

ENG = engine()
D = diagram(engine())
PY = Diagram(ENG, D.table, native=False)
NAMES = list(FINDINGS)
ALL_POLICIES = [Policy(c, r, w) for c in ("score", "probability")
                for r in ("biopsy_required", "biopsy_features_required", "off") for w in (True, False)]
#: the shipped order's node count (complement-free table, terminals included) and its allowed growth
SHIPPED_NODES = 2706
#: the differential's diagram (exactly one of the 15 antibodies or none; the biopsy's items require a biopsy)
SHIPPED_GROUP_NODES = 3290
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _full(f: str) -> int:
    return FINDINGS[f].full


def _value_st(name: str, p_unknown: float) -> st.SearchStrategy[int]:
    f = FINDINGS[name]
    known = st.sampled_from([0, 2]) if f.is_bool else st.sampled_from([1 << b for b in range(len(f.values))])
    unknown = st.just(1) if f.is_bool else st.integers(1, f.full).filter(lambda m: m & (m - 1) != 0)
    if p_unknown <= 0:
        return known
    return st.one_of(known, unknown) if p_unknown >= 0.5 else st.one_of(known, known, known, unknown)


def states(p_unknown: float) -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries({n: _value_st(n, p_unknown) for n in NAMES})


def presumed(s: dict[str, int]) -> dict[str, int]:
    return {n: (0 if n in MIMICS and v == 1 else v) for n, v in s.items()}


def completions(s: dict[str, int]) -> tuple[list[str], list[list[int]]]:
    names = [n for n in NAMES if (s[n] == 1 if FINDINGS[n].is_bool else s[n] & (s[n] - 1))]
    values = [[0, 2] if FINDINGS[n].is_bool else [1 << b for b in range(8) if s[n] >> b & 1] for n in names]
    return names, values


def label_of(full: dict[str, int]) -> int:
    m = ENG.mask(full)
    assert m and not m & (m - 1)
    return m


def thin_cases(n: int, seed: int) -> list[dict[str, Any]]:
    """The bundled examples with each known finding kept with probability 0.2-0.4."""
    return synthetic_thin_cases(list(example_cases().values()), n, seed, keep=(0.2, 0.4), distinct=False)


def _engine_deciding(reach: int, outcomes: list[tuple[int, list[int]]]) -> dict[int, list[int]]:
    if not reach & (reach - 1):
        return {}
    return {f: m for f, m in outcomes if any(x != reach for x in m)}


def _check_against_search(state: dict[str, int]) -> bool:
    """Reachable labels equal; next tests equal where the search is exact, else only narrower. True if exact."""
    packed = ENG.pack(state)
    reach, exact, tests_exact, outcomes = ENG.analyse(packed)
    r2, _exact2, _te2, outcomes2 = analyse_exact(ENG, packed)
    if exact:
        assert r2 == reach
    else:
        assert r2 & ~reach == 0  # the search's over-estimate holds every truly reachable label
    mine = dict(outcomes2)
    if exact and tests_exact:
        assert mine == _engine_deciding(reach, outcomes)
    else:
        for f, masks in outcomes:  # sound: a label the diagram reaches is never missing from the search's list
            if f in mine:
                assert all(a & ~b == 0 for a, b in zip(mine[f], masks, strict=True))
    return bool(exact and tests_exact)


# ------------------------------------------------------------------------------------- labels


@FAST
@given(states(0.0))
def test_full_states_get_the_engines_label(s: dict[str, int]) -> None:
    assert D.reachable(s, presume_mimics_absent=False) == ENG.mask(s)
    assert D.reachable(s) == ENG.mask(s)


@FAST
@given(states(0.3))
def test_partial_states_reach_what_the_search_reaches(s: dict[str, int]) -> None:
    s = presumed(s)
    found, exact, _nodes = ENG.search(s)
    mine = D.reachable(s)
    assert mine == found if exact else mine & ~found == 0


def test_every_policy_compiles_and_labels_full_states_like_its_engine() -> None:
    rng = random.Random(3)
    for pol in ALL_POLICIES:
        d, eng = diagram(engine(pol)), engine(pol)
        for _ in range(150):
            s = {n: (rng.choice((0, 2)) if f.is_bool else 1 << rng.randrange(len(f.values))) for n, f in FINDINGS.items()}
            assert d.reachable(s) == eng.mask(s)


# ------------------------------------------------------------------------------------- next tests


def test_examples_and_thin_examples_match_the_search_where_it_is_exact() -> None:
    cases = list(example_cases().values()) + thin_cases(150, seed=5)
    n_exact = sum(_check_against_search(case_state(parse_case(c))) for c in cases)
    assert n_exact >= 40  # the comparison is not vacuous


@FAST
@given(states(0.5))
def test_random_partial_states_next_tests_match_the_search_where_it_is_exact(s: dict[str, int]) -> None:
    _check_against_search(presumed(s))


# ------------------------------------------------------------------------------------- brute force


def _small_unknown_state(rng: random.Random, k: int, mimics: bool) -> dict[str, int]:
    s = {n: (rng.choice((0, 2)) if f.is_bool else 1 << rng.randrange(len(f.values))) for n, f in FINDINGS.items()}
    pool = [n for n in ENG.deciding_vars] + (list(MIMICS) if mimics else [])
    for n in rng.sample(pool, k):
        f = FINDINGS[n]
        if f.is_bool:
            s[n] = 1
        else:
            m = 0
            while m & (m - 1) == 0:
                m = rng.randrange(1, f.full + 1)
            s[n] = m
    return s


def _weights(rng: random.Random) -> dict[str, Any]:
    w: dict[str, Any] = {}
    for n, f in FINDINGS.items():
        if f.is_bool:
            w[n] = rng.uniform(0.02, 0.98)
        else:
            raw = [rng.uniform(0.05, 1.0) for _ in f.values]
            w[n] = [x / sum(raw) for x in raw]
    return w


def _brute(s: dict[str, int], w: dict[str, Any]) -> tuple[int, dict[str, list[int]], np.ndarray, dict[str, np.ndarray]]:
    """Reachable labels, outcomes per unknown finding, P(label) and P(label ∧ finding = value), by enumeration."""
    names, values = completions(s)
    reach = 0
    outs = {n: [0] * len(v) for n, v in zip(names, values, strict=True)}
    p_label = np.zeros(len(LABELS))
    joint = {n: np.zeros((len(v), len(LABELS))) for n, v in zip(names, values, strict=True)}
    for combo in itertools.product(*values):
        full = dict(s)
        weight = 1.0
        for n, v in zip(names, combo, strict=True):
            full[n] = v
            f = FINDINGS[n]
            if f.is_bool:
                weight *= w[n] if v == 2 else 1.0 - w[n]
            else:
                allowed = sum(w[n][b] for b in range(len(f.values)) if s[n] >> b & 1)
                weight *= w[n][v.bit_length() - 1] / allowed
        m = label_of(full)
        lab = m.bit_length() - 1
        reach |= m
        p_label[lab] += weight
        for n, v in zip(names, combo, strict=True):
            j = values[names.index(n)].index(v)
            outs[n][j] |= m
            joint[n][j, lab] += weight
    return reach, outs, p_label, joint


@pytest.mark.parametrize("mimics", [False, True])
def test_brute_force_over_every_completion(mimics: bool) -> None:
    rng = random.Random(11 + mimics)
    for _ in range(40):
        s = _small_unknown_state(rng, rng.randint(1, 6), mimics)
        w = _weights(rng)
        reach, outs, p_label, joint = _brute(s, w)
        for d in (D, PY):
            assert d.reachable(s, presume_mimics_absent=False) == reach
            r2, outcomes = d.outcomes(s, presume_mimics_absent=False)
            assert r2 == reach
            got = {NAMES[f]: m for f, m in outcomes}
            # engine order: booleans (present, absent); bands in domain order
            want = {n: ([m[1], m[0]] if FINDINGS[n].is_bool else m) for n, m in outs.items()}
            assert got == want
            res = d.weighted(s, d.encode_weights(w), presume_mimics_absent=False)
            assert np.allclose(res.p_label[0], p_label, atol=1e-12)
            for n in outs:
                fj = d.finding_joint(res, n)
                f = FINDINGS[n]
                if f.is_bool:
                    assert np.allclose(fj["present"], joint[n][1], atol=1e-12)
                    assert np.allclose(fj["absent"], joint[n][0], atol=1e-12)
                else:
                    possible = [b for b in range(len(f.values)) if s[n] >> b & 1]
                    for j, b in enumerate(possible):
                        assert np.allclose(fj[f.values[b]], joint[n][j], atol=1e-12)


def test_presuming_mimics_absent_is_setting_them_absent() -> None:
    rng = random.Random(4)
    for _ in range(30):
        s = _small_unknown_state(rng, 5, True)
        q = D.encode_weights(_weights(rng))
        assert D.reachable(s) == D.reachable(presumed(s), presume_mimics_absent=False)
        assert D.outcomes(s) == D.outcomes(presumed(s), presume_mimics_absent=False)
        a, b = D.weighted(s, q), D.weighted(presumed(s), q, presume_mimics_absent=False)
        assert np.allclose(a.p_label, b.p_label) and a.joint is not None and b.joint is not None
        assert np.allclose(a.joint, b.joint)


# ------------------------------------------------------------------------------------- weighted counts


@FAST
@given(states(0.5), st.integers(0, 2**32 - 1), st.booleans())
def test_weighted_counts_are_a_distribution_with_consistent_joints(s: dict[str, int], seed: int, presume: bool) -> None:
    rng = random.Random(seed)
    q = np.stack([D.encode_weights(_weights(rng)) for _ in range(3)])
    res = D.weighted(s, q, presume_mimics_absent=presume)
    assert res.joint is not None
    assert np.allclose(res.p_label.sum(axis=1), 1.0)
    assert (res.p_label >= 0).all() and (res.joint >= -1e-15).all()
    reach = D.reachable(s, presume_mimics_absent=presume)
    for lab in range(len(LABELS)):  # a label with mass is reachable (reachability itself is the exact pass)
        if res.p_label[0, lab] > 1e-12:
            assert reach >> lab & 1
    # the joints of a finding's values add up to P(label); over labels, to P(value)
    for name in ("ab_hmgcr", "ck_band", "biopsy_performed", "onset_age_band"):
        fj = D.finding_joint(res, name, k=1)
        total = sum(fj.values())
        assert np.allclose(total, res.p_label[1], atol=1e-12)


def test_conditioning_through_weights_equals_fixing_the_state() -> None:
    rng = random.Random(8)
    for _ in range(20):
        s = _small_unknown_state(rng, 6, False)
        q = D.encode_weights(_weights(rng))
        names, _values = completions(s)
        n = names[0]
        f = FINDINGS[n]
        if f.is_bool:
            value: bool | str = True
            fixed = {**s, n: 2}
        else:
            b = next(b for b in range(len(f.values)) if s[n] >> b & 1)
            value = f.values[b]
            fixed = {**s, n: 1 << b}
        a = D.weighted(s, D.condition(q, {n: value}))
        c = D.weighted(fixed, q)
        assert np.allclose(a.p_label, c.p_label)


# ------------------------------------------------------------------------------------- C equals numpy


@pytest.mark.skipif(not D.native, reason="no C compiler: only the numpy passes run")
def test_c_passes_equal_numpy_passes() -> None:
    rng = random.Random(21)
    for i in range(25):
        s = _small_unknown_state(rng, rng.randint(0, 30), i % 2 == 0)
        for presume in (True, False):
            r1, o1 = D.reach_levels(s, presume)
            r2, o2 = PY.reach_levels(s, presume)
            assert r1 == r2
            lv = PY.allow(D.pack(s), presume)
            for x in (0, 1):  # compare where the value is allowed (elsewhere the masks are not defined)
                ok = (lv >> x & 1).astype(bool)
                assert (o1[ok, x] == o2[ok, x]).all()
            assert D.outcomes(s, presume) == PY.outcomes(s, presume)
            assert D.deciding(s, presume) == PY.deciding(s, presume)
        k = [1, 3, 14][i % 3]
        q = np.stack([D.encode_weights(_weights(rng)) for _ in range(k)])
        a, b = D.weighted(s, q, presume_mimics_absent=False), PY.weighted(s, q, presume_mimics_absent=False)
        assert a.joint is not None and b.joint is not None
        assert np.allclose(a.p_label, b.p_label, atol=1e-12)
        assert np.allclose(a.joint, b.joint, atol=1e-12)
        assert np.allclose(D.weighted(s, q, derivatives=False).p_label, PY.weighted(s, q, derivatives=False).p_label)


# ------------------------------------------------------------------------------------- the diagram itself


def test_shipped_order_covers_every_variable() -> None:
    assert sorted(shipped_order()) == sorted([*bit_names(), MSA_NONE])
    assert sorted(shipped_order(differential=True)) == sorted([*bit_names(), MSA_NONE])


def test_shipped_order_keeps_the_diagram_small_for_every_policy() -> None:
    pytest.importorskip("dd.cudd")
    sizes = {}
    for pol in ALL_POLICIES:
        eng = engine(pol)
        bdd, roots, order = compile_bdd(eng.program.defs, eng.rule_exprs, shipped_order())
        sizes[pol] = build_table(bdd, roots, order).n
    assert sizes[Policy()] <= SHIPPED_NODES * 1.05, sizes[Policy()]
    assert max(sizes.values()) <= 3300, sizes
    assert D.table.n == sizes[Policy()]
    grouped = {}
    for pol in ALL_POLICIES:
        eng = engine(pol)
        bdd, roots, order = compile_bdd(eng.program.defs, eng.rule_exprs, shipped_order(differential=True),
                                        one_of=MSA_GROUP, requires=BIOPSY_GROUP)
        grouped[pol] = build_table(bdd, roots, order).n
    assert grouped[Policy()] <= SHIPPED_GROUP_NODES * 1.05, grouped[Policy()]
    assert max(grouped.values()) <= 4000, grouped


@pytest.mark.skipif(ENG.native is None, reason="the large-budget search runs in C")
def test_where_the_search_gives_up_it_agrees_once_given_large_budgets() -> None:
    gave_up = differed = 0
    for c in thin_cases(200, seed=9):
        packed = ENG.pack(case_state(parse_case(c)))
        reach, _exact, tests_exact, outcomes = ENG.analyse(packed)
        if tests_exact:
            continue
        gave_up += 1
        assert ENG.native is not None
        r2, ex2, te2, outs2 = ENG.native.analyse(packed, ENG.deciding_index, 400_000, 200_000, 1_500_000)
        assert ex2 and te2
        mine = analyse_exact(ENG, packed)
        assert mine[0] == r2
        assert dict(mine[3]) == _engine_deciding(r2, outs2)
        differed += dict(mine[3]) != _engine_deciding(reach, outcomes)
    assert gave_up >= 50 and differed >= 10  # the budgeted search really is inexact there, and the diagram is not
