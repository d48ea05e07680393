"""The criteria over columns: the same rule tree as the per-case engine, evaluated with numpy.

Each node of :mod:`myoclass.criteria._logic` maps to one vectorised operation over a whole batch
(Kleene values 0/1/2 in ``uint8`` arrays, so "and" is ``minimum`` and "or" is ``maximum``;
categorical findings are bit masks; sums are ``int16`` intervals). No criterion is written a
second time: :func:`evaluate_columns` interprets the definitions the library compiles.

:func:`state_columns` builds the findings of a batch of flat cases (an Arrow table of validated
cases) exactly as :func:`myoclass.model.findings.display_state` and ``case_state`` do for one case.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from myoclass.criteria._logic import (
    All,
    Any_,
    Cat,
    CatWeight,
    Const,
    CountIn,
    Expr,
    If,
    Not,
    Ref,
    ScoreAtLeast,
    Sum,
    Term,
    Var,
    _cat_hi,
    _cat_lo,
)
from myoclass.model.fields import BIOPSY_ITEMS, FIELDS
from myoclass.model.findings import AGE_SLACK_YEARS, DURATION_SLACK_YEARS, FINDINGS, MIMICS

__all__ = ["evaluate_columns", "state_columns"]

U8 = np.uint8


def _node(e: Expr, state: Mapping[str, np.ndarray], env: dict[str, Any], defs: Mapping[str, Expr], n: int) -> Any:
    if isinstance(e, Ref):
        if e.name not in env:
            env[e.name] = _node(defs[e.name], state, env, defs, n)
        return env[e.name]
    if isinstance(e, Var):
        return state[e.name]
    if isinstance(e, Const):
        return np.full(n, e.v, dtype=U8)
    if isinstance(e, Cat):
        m = state[e.name]
        inside = (m & (~e.mask & 0xFF)) == 0
        outside = (m & e.mask) == 0
        return (inside.view(U8) << 1) | (~inside & ~outside).view(U8)  # 2 inside, 0 outside, else 1
    if isinstance(e, Not):
        return 2 - _node(e.x, state, env, defs, n)
    if isinstance(e, All | Any_):
        op = np.minimum if isinstance(e, All) else np.maximum
        first, *rest = (_node(x, state, env, defs, n) for x in e.xs)
        if not rest:
            return first
        out = op(first, rest[0])
        for x in rest[1:]:
            op(out, x, out=out)
        return out
    if isinstance(e, CountIn):
        t = np.zeros(n, dtype=U8)  # how many are true
        p = np.zeros(n, dtype=U8)  # how many may be true
        for x in e.xs:
            v = _node(x, state, env, defs, n)
            t += v == 2
            p += v > 0
        sure = (t >= e.lo) & (p <= e.hi)
        never = (p < e.lo) | (t > e.hi)  # never together with sure
        return 1 + sure.view(U8) - never.view(U8)
    if isinstance(e, Sum):
        lo = np.zeros(n, dtype=np.int16)
        hi = np.zeros(n, dtype=np.int16)
        for term in e.terms:
            if isinstance(term, Term):
                v = _node(term.x, state, env, defs, n)
                w = np.int16(term.weight)
                lo += (v == 2) * w
                hi += (v > 0) * w
            else:
                lo += _table(term, low=True)[state[term.name]]
                hi += _table(term, low=False)[state[term.name]]
        return (lo, hi)
    if isinstance(e, ScoreAtLeast):
        lo, hi = _node(e.score, state, env, defs, n)
        return (lo >= e.cut).view(U8) + (hi >= e.cut).view(U8)  # lo <= hi: 2 sure, 1 possible, 0 never
    if isinstance(e, If):
        c = _node(e.c, state, env, defs, n)
        a = _node(e.a, state, env, defs, n)
        b = _node(e.b, state, env, defs, n)
        return np.where(c == 2, a, np.where(c == 0, b, np.where(a == b, a, 1))).astype(U8)
    raise TypeError(type(e).__name__)  # pragma: no cover - every node kind is listed above


_TABLES: dict[tuple[Any, bool], np.ndarray] = {}


def _table(t: CatWeight, low: bool) -> np.ndarray:
    key = (t.weights, low)
    if key not in _TABLES:
        f = _cat_lo if low else _cat_hi
        _TABLES[key] = np.array([f(m, t.weights) if m else 0 for m in range(256)], dtype=np.int16)
    return _TABLES[key]


def evaluate_columns(defs: Mapping[str, Expr], names: list[str], state: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Evaluate the named definitions over a batch; Kleene values as ``uint8``, sums as ``(lo, hi)``."""
    n = len(next(iter(state.values())))
    env: dict[str, Any] = {}
    for name in names:
        _node(Ref(name), state, env, defs, n)
    return {k: env[k] for k in names}


# --------------------------------------------------------------------------------------------
# findings of a batch
# --------------------------------------------------------------------------------------------


def _bits(buf: pa.Buffer, offset: int, n: int) -> np.ndarray:
    """An Arrow bitmap as 0/1 ``uint8``, one per row."""
    return np.unpackbits(np.frombuffer(buf, dtype=U8), count=offset + n, bitorder="little")[offset:]


def _tri(col: pa.Array | None, n: int) -> np.ndarray:
    """Arrow booleans -> 0 (false) / 1 (null) / 2 (true), straight from the value and validity bitmaps."""
    if col is None or col.null_count == n:
        return np.ones(n, dtype=U8)
    validity, values = col.buffers()
    v = _bits(values, col.offset, n)
    out: np.ndarray
    if validity is None or col.null_count == 0:
        out = v << 1
    else:
        ok = _bits(validity, col.offset, n)
        out = ((v & ok) << 1) | (ok ^ 1)
    return out


def _num(col: pa.Array | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Float values (0 where unknown) and whether each is known, from the Arrow buffers."""
    if col is None or col.null_count == n:
        return np.zeros(n), np.zeros(n, dtype=bool)
    if col.type != pa.float64():
        col = col.cast(pa.float64())
    validity, values = col.buffers()
    vals = np.frombuffer(values, dtype=np.float64, count=col.offset + n)[col.offset:]
    if validity is None or col.null_count == 0:
        return vals, np.ones(n, dtype=bool)
    valid = _bits(validity, col.offset, n).view(bool)
    return np.where(valid, vals, 0.0), valid


def _age_band(age: np.ndarray) -> np.ndarray:
    return np.where(age < 18, 1, np.where(age < 40, 2, np.where(age <= 45, 4, 8))).astype(U8)


def assessment_ages(table: pa.Table) -> np.ndarray:
    """Per row, the age at assessment the differential weighs (NaN where none), as
    :func:`myoclass.model.findings.assessment_age`: ``age_years`` when it is 18 or more and neither the age at
    onset nor the symptom duration is given."""
    n = table.num_rows
    names = set(table.column_names)

    def col(name: str) -> pa.Array | None:
        return table.column(name).combine_chunks() if name in names else None

    age, has_age = _num(col("age_years"), n)
    _o, has_onset = _num(col("age_at_onset_years"), n)
    _d, has_dur = _num(col("symptom_duration_months"), n)
    return np.where(has_age & ~has_onset & ~has_dur & (age >= 18), age, np.nan)


def state_columns(table: pa.Table) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``(shown, logic)`` findings of validated flat cases: as known, and with mimics presumed absent.

    ``table`` holds validated cases with the derivations of :func:`~myoclass.model.case.parse_case`
    applied (``ck_elevated`` derived, ``biopsy_performed`` taken as true when findings are given).
    """
    n = table.num_rows
    cols = {name: table.column(name).combine_chunks() for name in table.column_names}

    def col(key: str) -> pa.Array | None:
        return cols.get(key)

    s: dict[str, np.ndarray] = {}
    for name, f in FINDINGS.items():
        if f.is_bool and name in FIELDS:
            s[name] = _tri(col(name), n)
    no_biopsy = s["biopsy_performed"] == 0
    for k in BIOPSY_ITEMS:
        s[k] = np.where(no_biopsy, 0, s[k]).astype(U8)
    gene = col("genetic_diagnosis_gene")
    s["genetic_diagnosis"] = (np.ones(n, dtype=U8) if gene is None
                              else np.where(np.asarray(gene.is_valid().to_numpy(zero_copy_only=False)), 2, 1).astype(U8))
    onset, has_onset = _num(col("age_at_onset_years"), n)
    age, has_age = _num(col("age_years"), n)
    dur, has_dur = _num(col("symptom_duration_months"), n)
    # as findings.onset_age_mask: the onset, else the window age - duration, else every band up to the age
    top = _age_band(age).astype(np.int16)
    upto = (top << 1) - 1
    at = age - dur / 12.0
    lo, hi = at - DURATION_SLACK_YEARS, at + AGE_SLACK_YEARS + DURATION_SLACK_YEARS
    window = ((_age_band(hi).astype(np.int16) << 1) - _age_band(np.maximum(lo, 0.0))) & upto
    narrowed = has_dur & (hi >= 0)
    band = np.where(has_age, np.where(narrowed, window, upto), 15)
    s["onset_age_band"] = np.where(has_onset, _age_band(onset), band).astype(U8)
    ck, has_ck = _num(col("ck_u_l"), n)
    uln, has_uln = _num(col("ck_uln_u_l"), n)
    elev = _tri(col("ck_elevated"), n)
    both = has_ck & has_uln
    from_numbers = np.where(ck <= uln, 1, np.where(ck <= 15 * uln, 2, 4))
    from_flag = np.where(elev == 1, 7, np.where(elev == 2, 6, 1))
    s["ck_band"] = np.where(both, from_numbers, from_flag).astype(U8)
    dur, has_dur = _num(col("symptom_duration_months"), n)
    s["duration_band"] = np.where(has_dur, np.where(dur > 12, 2, 1), 3).astype(U8)
    for name in ("onset_tempo", "statin_withdrawal_outcome", "immunosuppression_response"):
        f = FINDINGS[name]
        c = col(name)
        out = np.full(n, f.full, dtype=U8)
        if c is not None:
            for value in f.values:
                hit = np.asarray(pc.equal(c, value).fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
                out[hit] = f.bit(value)
        s[name] = out
    logic = dict(s)
    for name in MIMICS:
        logic[name] = np.where(s[name] == 1, 0, s[name]).astype(U8)
    return s, logic
