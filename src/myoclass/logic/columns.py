"""The rule algebra over columns: every node of :mod:`myoclass.logic.kleene` evaluated with numpy.

Each node maps to one vectorised operation over a whole batch (Kleene values 0/1/2 in ``uint8``
arrays, so "and" is ``minimum`` and "or" is ``maximum``; categorical findings are bit masks; sums are
``int16`` intervals). No criterion is written a second time: :func:`evaluate_columns` interprets the
definitions the library compiles, and a parity test holds it equal to the per-case evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from myoclass.logic.kleene import (
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
    cat_hi,
    cat_lo,
)

__all__ = ["U8", "evaluate_columns"]

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
        f = cat_lo if low else cat_hi
        _TABLES[key] = np.array([f(m, t.weights) if m else 0 for m in range(256)], dtype=np.int16)
    return _TABLES[key]


def evaluate_columns(defs: Mapping[str, Expr], names: list[str], state: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Evaluate the named definitions over a batch; Kleene values as ``uint8``, sums as ``(lo, hi)``."""
    n = len(next(iter(state.values())))
    env: dict[str, Any] = {}
    for name in names:
        _node(Ref(name), state, env, defs, n)
    return {k: env[k] for k in names}
