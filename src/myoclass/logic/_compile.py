"""Compile the engine's label function into a decision diagram (build time / first use; needs ``dd``).

The translation reads the very rule trees the engine evaluates (``Engine.program.defs`` and
``Engine.rule_exprs``, in precedence order); no criterion is written a second time.

* a boolean finding is one variable; a banded finding is one variable per band, with an
  exactly-one constraint (``valid``);
* ``Not``, ``All``, ``Any_`` map directly, ``If`` becomes if-then-else, ``Cat`` the disjunction of
  its band bits, and ``CountIn`` / ``ScoreAtLeast`` (integer tenths) become threshold circuits;
* label *i* = rule *i* ∧ ¬(every earlier rule) ∧ valid, and ``not_iim`` = ¬(every rule) ∧ valid.
* optionally (``one_of``), a group of boolean findings with an extra "none of them" variable and an
  exactly-one constraint over the group and that variable, conjoined into every label: the
  differential's diagram for "which myositis-specific antibody", one categorical variable per
  patient (see :mod:`myoclass.reasoning.differential`);
* optionally (``requires``: a finding, then findings that exist only with it), "each of the others
  implies the first", conjoined into every label: the biopsy's items exist only with a biopsy.

Only the two-valued meaning is compiled: "unknown" exists only in the per-case input, where it
leaves a variable free. The diagram is exported as a flat table without complement edges (so the
passes need no ``1 - p`` and never lose precision), its nodes sorted top level first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
)
from myoclass.model.findings import FINDINGS

__all__ = ["MSA_NONE", "Table", "bit_names", "build_table", "compile_bdd"]

#: the extra variable of the one-of group: "none of the group is positive"
MSA_NONE = "msa_none"


def bit_names() -> list[str]:
    """One name per diagram variable: a boolean finding's name, or ``finding=band`` per band."""
    out: list[str] = []
    for name, f in FINDINGS.items():
        if f.is_bool:
            out.append(name)
        else:
            out += [f"{name}={band}" for band in f.values]
    return out


@dataclass
class Table:
    """A flat, complement-free node table: node 0 is FALSE, node 1 is TRUE.

    Internal nodes (2..n-1) are sorted by ``level`` (top first), so every child has a larger index
    than its parent: a bottom-up pass runs from the end, a top-down pass from the start.
    ``level[0] == level[1] == nbits``. ``bits[l]`` names the variable at level ``l``.
    """

    level: np.ndarray  # int32, per node
    lo: np.ndarray  # int32, child when the variable is 0
    hi: np.ndarray  # int32, child when the variable is 1
    roots: np.ndarray  # int32, one per label (precedence order, not_iim last)
    cone: np.ndarray  # int32, per label the nodes reachable from its root, in index order, concatenated
    cone_start: np.ndarray  # int32, len(labels) + 1 offsets into ``cone``
    bits: list[str]  # variable names by level

    @property
    def n(self) -> int:
        return int(self.level.shape[0])

    def arrays(self) -> dict[str, np.ndarray]:
        return {"level": self.level, "lo": self.lo, "hi": self.hi, "roots": self.roots, "cone": self.cone,
                "cone_start": self.cone_start, "bits": np.array(self.bits)}

    @classmethod
    def from_arrays(cls, a: Mapping[str, Any]) -> Table:
        level, lo, hi, roots, cone, cone_start = (np.asarray(a[k], dtype=np.int32)
                                                  for k in ("level", "lo", "hi", "roots", "cone", "cone_start"))
        return cls(level, lo, hi, roots, cone, cone_start, [str(x) for x in a["bits"]])


class _Translator:
    """Rule expressions to BDDs over one ``dd.cudd.BDD`` manager (memoised per expression node)."""

    def __init__(self, bdd: Any, defs: Mapping[str, Expr]) -> None:
        self.bdd = bdd
        self.defs = defs
        self.memo: dict[int, Any] = {}
        self._keep: list[Expr] = []  # keeps ids stable

    def band(self, name: str, bit: int) -> Any:
        f = FINDINGS[name]
        return self.bdd.var(f"{name}={f.values[bit.bit_length() - 1]}")

    def cat(self, name: str, mask: int) -> Any:
        f = FINDINGS[name]
        out = self.bdd.false
        for b in range(len(f.values)):
            if mask >> b & 1:
                out = out | self.band(name, 1 << b)
        return out

    def __call__(self, e: Expr) -> Any:
        while isinstance(e, Ref):
            e = self.defs[e.name]
        key = id(e)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        self._keep.append(e)
        b = self.bdd
        r: Any
        if isinstance(e, Const):
            if e.v not in (0, 2):
                raise ValueError(f"an unknown constant has no two-valued meaning: {e!r}")
            r = b.true if e.v == 2 else b.false
        elif isinstance(e, Var):
            r = b.var(e.name)
        elif isinstance(e, Cat):
            r = self.cat(e.name, e.mask)
        elif isinstance(e, Not):
            r = ~self(e.x)
        elif isinstance(e, All):
            r = b.true
            for x in e.xs:
                r = r & self(x)
        elif isinstance(e, Any_):
            r = b.false
            for x in e.xs:
                r = r | self(x)
        elif isinstance(e, CountIn):
            terms = [(self(x), 1) for x in e.xs]
            r = self.at_least([(t, w) for t, w in terms], e.lo) & ~self.at_least(terms, e.hi + 1)
        elif isinstance(e, ScoreAtLeast):
            s = e.score
            target: Expr = s
            while isinstance(target, Ref):
                target = self.defs[target.name]
            if not isinstance(target, Sum):
                raise TypeError(f"ScoreAtLeast over {type(target).__name__}")
            r = self.score_at_least(target, e.cut)
        elif isinstance(e, If):
            r = b.ite(self(e.c), self(e.a), self(e.b))
        else:
            raise TypeError(f"no two-valued translation for {type(e).__name__}")
        self.memo[key] = r
        return r

    def score_at_least(self, s: Sum, cut: int) -> Any:
        """``sum >= cut``: a term is ``(bdd, weight)`` or a band split ``[(band bdd, weight), ...]``."""
        groups: list[list[tuple[Any, int]]] = []
        for t in s.terms:
            if isinstance(t, Term):
                groups.append([(self(t.x), t.weight), (~self(t.x), 0)])
            else:
                assert isinstance(t, CatWeight)
                f = FINDINGS[t.name]
                w = dict(t.weights)
                groups.append([(self.band(t.name, 1 << k), w.get(1 << k, 0)) for k in range(len(f.values))])
        return self._threshold(groups, cut)

    def at_least(self, terms: Sequence[tuple[Any, int]], cut: int) -> Any:
        return self._threshold([[(x, w), (~x, 0)] for x, w in terms], cut)

    def _threshold(self, groups: list[list[tuple[Any, int]]], cut: int) -> Any:
        """Each group contributes the weight of its (one) true alternative; is the total >= cut?"""
        n = len(groups)
        maxrem = [0] * (n + 1)
        minrem = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            ws = [w for _x, w in groups[k]]
            maxrem[k] = maxrem[k + 1] + max(ws)
            minrem[k] = minrem[k + 1] + min(ws)
        memo: dict[tuple[int, int], Any] = {}
        b = self.bdd

        def go(k: int, need: int) -> Any:
            if need <= minrem[k]:
                return b.true
            if need > maxrem[k]:
                return b.false
            key = (k, need)
            if key in memo:
                return memo[key]
            r = b.false
            for x, w in groups[k]:
                r = r | (x & go(k + 1, need - w))
            memo[key] = r
            return r

        return go(0, cut)


def compile_bdd(defs: Mapping[str, Expr], rule_exprs: Sequence[Expr], order: Sequence[str] | None,
                reorder: bool = False, one_of: Sequence[str] = (),
                requires: Sequence[str] = ()) -> tuple[Any, list[Any], list[str]]:
    """Build the label BDDs (one per label: each rule, then "no rule holds"), each ∧ valid.

    ``order`` is the variable order (names from :func:`bit_names`, and :data:`MSA_NONE` with
    ``one_of``; missing ones are appended, unknown ones dropped). With ``one_of`` (boolean findings),
    every label is also ∧ "exactly one of ``one_of`` and :data:`MSA_NONE`". With either, one more root
    follows the labels: the constraints alone (``valid``), whose joint the weighted pass uses to derive
    one label's joint from the others'. With ``reorder`` CUDD
    sifts the finished diagram. With ``requires`` (a finding, then others), every label is also ∧
    "each of the others implies the first". Returns ``(manager, roots, order used)``.
    """
    import dd.cudd as cudd  # type: ignore[import-not-found, unused-ignore]

    bdd = cudd.BDD()
    names = bit_names() + ([MSA_NONE] if one_of else [])
    want = [n for n in (order or []) if n in names]
    want += [n for n in names if n not in want]
    bdd.declare(*want)
    bdd.reorder({n: i for i, n in enumerate(want)})
    bdd.configure(reordering=False)
    tr = _Translator(bdd, defs)
    valid = bdd.true
    for name, f in FINDINGS.items():
        if f.is_bool:
            continue
        valid = valid & _exactly_one(bdd, [bdd.var(f"{name}={band}") for band in f.values])
    if one_of:
        valid = valid & _exactly_one(bdd, [bdd.var(n) for n in (*one_of, MSA_NONE)])
    if requires:
        parent = bdd.var(requires[0])
        for n in requires[1:]:
            valid = valid & (parent | ~bdd.var(n))
    roots = []
    none_before = bdd.true
    for e in rule_exprs:
        r = tr(e)
        roots.append(r & none_before & valid)
        none_before = none_before & ~r
    roots.append(none_before & valid)
    if one_of or requires:
        roots.append(valid)  # not a label: the constraints alone (the weighted pass reads its joint)
    if reorder:
        for _ in range(3):
            cudd.reorder(bdd)
    levels = bdd.var_levels
    used = sorted(levels, key=levels.__getitem__)
    return bdd, roots, used


def _exactly_one(bdd: Any, xs: Sequence[Any]) -> Any:
    one = bdd.false
    for i, x in enumerate(xs):
        term = x
        for j, y in enumerate(xs):
            if j != i:
                term = term & ~y
        one = one | term
    return one


def build_table(bdd: Any, roots: Sequence[Any], order: Sequence[str]) -> Table:
    """Export the diagram as a complement-free flat table (see :class:`Table`)."""
    level_of = {n: i for i, n in enumerate(order)}
    nbits = len(order)
    ids: dict[int, int] = {}
    rows: list[tuple[int, int, int]] = [(nbits, 0, 0), (nbits, 1, 1)]
    true_id = int(bdd.true)
    false_id = int(bdd.false)

    def node(u: Any) -> int:
        k = int(u)
        if k == true_id:
            return 1
        if k == false_id:
            return 0
        got = ids.get(k)
        if got is not None:
            return got
        lo, hi = u.low, u.high
        if u.negated:  # CUDD gives the regular node's children: apply the complement here
            lo, hi = ~lo, ~hi
        row = (level_of[u.var], node(lo), node(hi))
        ids[k] = len(rows)
        rows.append(row)
        return ids[k]

    import sys

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20000))
    try:
        root_ids = [node(r) for r in roots]
    finally:
        sys.setrecursionlimit(old)
    # renumber: terminals first, then internal nodes by level (top first)
    inner = sorted(range(2, len(rows)), key=lambda i: (rows[i][0], i))
    new = {0: 0, 1: 1}
    for k, i in enumerate(inner):
        new[i] = k + 2
    n = len(rows)
    level = np.empty(n, dtype=np.int32)
    lo = np.empty(n, dtype=np.int32)
    hi = np.empty(n, dtype=np.int32)
    for old_i, (lv, a, b) in enumerate(rows):
        j = new[old_i]
        level[j] = lv
        lo[j] = new[a] if old_i >= 2 else a
        hi[j] = new[b] if old_i >= 2 else b
    roots_arr = np.array([new[r] for r in root_ids], dtype=np.int32)
    cones: list[np.ndarray] = []
    for r in roots_arr:
        seen = np.zeros(n, dtype=bool)
        stack = [int(r)]
        while stack:
            i = stack.pop()
            if i < 2 or seen[i]:
                continue
            seen[i] = True
            stack.append(int(lo[i]))
            stack.append(int(hi[i]))
        cones.append(np.flatnonzero(seen).astype(np.int32))
    start = np.zeros(len(cones) + 1, dtype=np.int32)
    start[1:] = np.cumsum([len(c) for c in cones])
    cone = np.concatenate(cones).astype(np.int32) if cones else np.zeros(0, np.int32)
    return Table(level, lo, hi, roots_arr, cone, start, list(order))


def find_order(defs: Mapping[str, Expr], rule_exprs: Sequence[Expr], start: Sequence[str] | None = None,
               rounds: int = 4, one_of: Sequence[str] = (), requires: Sequence[str] = ()) -> tuple[list[str], int]:
    """A small variable order by CUDD sifting, ``rounds`` times on one manager: ``(best order, table nodes)``."""
    import dd.cudd as cudd  # type: ignore[import-not-found, unused-ignore]

    bdd, roots, _order = compile_bdd(defs, rule_exprs, start, one_of=one_of, requires=requires)
    best: tuple[list[str], int] | None = None
    for _ in range(rounds):
        cudd.reorder(bdd)
        levels = bdd.var_levels
        order = sorted(levels, key=levels.__getitem__)
        n = build_table(bdd, roots, order).n
        if best is None or n < best[1]:
            best = (order, n)
    assert best is not None
    return best
