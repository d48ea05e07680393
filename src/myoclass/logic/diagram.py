"""The label function as a decision diagram: exact reachable labels, next tests and weighted counts.

The engine's label function (the six criteria sets, the label rules and their precedence,
:mod:`myoclass.reasoning.engine`) is compiled once into an ordered binary decision diagram,
from the engine's own rule trees (see :mod:`myoclass.logic._compile`), with the variable order
shipped in ``diagram_order.json``. The diagram is exported as a flat node table, cached in
``~/.cache/myoclass`` under a hash of the criteria, the policy and the order, so ``dd`` (CUDD) is
only needed the first time.

Per case, three passes over the table (C when a compiler is available, numpy otherwise):

* **reachable labels** — which labels some completion of the unknown findings gives (a bottom-up
  pass: can each node reach TRUE along values the case allows). Exact, no budget.
* **next-test outcomes** — for every unknown finding and each of its still-possible values, the
  labels reachable with that value fixed (a top-down pass of label masks, then per level). Exact
  for every finding at once, no budget.
* **weighted model counts** — with independent per-finding probabilities (a banded finding is one
  categorical), P(label | known findings), and P(label ∧ finding = value | known) for every
  finding and value (a bottom-up pass and, per label, a top-down pass over its cone). Several
  weight vectors go through in one call (one per condition of a differential).

Unknown mimic findings are presumed absent, as the engine does (:func:`~myoclass.model.findings.case_state`),
unless ``presume_mimics_absent=False`` (the differential weighs them).

The assessment (:mod:`myoclass.reasoning.assess`) and the batch row loop take the reachable labels,
the deciding findings and the what-if-a-biopsy labels from here (:func:`analyse`), so they are exact
on every case with no budget. The search in :mod:`myoclass.reasoning.engine` stays the reference and
the fallback where no diagram is available: ``tests/test_diagram.py`` holds the two equal, and both
against brute force over completions.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, TypeVar

import numpy as np

from myoclass.errors import DiagramUnavailable
from myoclass.logic._compile import MSA_NONE, Table, build_table, compile_bdd
from myoclass.logic._passes_c import C_SOURCE, PASS_FLAGS, DTab, load_passes
from myoclass.logic.native import DDPasses, cache_dir, compile_cached
from myoclass.logic.search import RuleSearch
from myoclass.model.findings import FINDINGS

__all__ = ["MSA_NONE", "Diagram", "DiagramUnavailable", "RootCounter", "Weighted", "analyse", "analyse_exact",
           "cached_arrays", "diagram", "diagram_for", "load_with_passes", "shipped_order"]

#: bumped when the table layout or the translation changes (part of the cache key)
FORMAT = 2


def shipped_order(differential: bool = False) -> list[str]:
    """The variable order shipped with the package (found once by CUDD sifting; see the node-count test).

    ``differential``: the order for the differential's diagram (with the antibody group and the
    biopsy's items requiring a biopsy), sifted on that diagram.
    """
    name = "diagram_order_differential.json" if differential else "diagram_order.json"
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return [str(x) for x in json.loads(text)]


def _criteria_key(eng: RuleSearch, order: Sequence[str], one_of: Sequence[str] = (), requires: Sequence[str] = ()) -> str:
    h = hashlib.sha256()
    h.update(f"format {FORMAT}\n".encode())
    if one_of:
        h.update(f"one of {list(one_of)!r}\n".encode())
    if requires:
        h.update(f"requires {list(requires)!r}\n".encode())
    for name, e in eng.program.defs.items():
        h.update(f"{name}={e!r}\n".encode())
    h.update(repr(eng.rule_names).encode())
    h.update(repr(list(eng.labels)).encode())
    h.update(repr([(n, f.values, f.mimic) for n, f in FINDINGS.items()]).encode())
    h.update(repr(list(order)).encode())
    return h.hexdigest()[:20]


_T = TypeVar("_T")


def cached_arrays(name: str, read: Callable[[Mapping[str, np.ndarray]], _T], build: Callable[[], _T],
                  arrays: Callable[[_T], Mapping[str, np.ndarray]]) -> _T:
    """A value kept as arrays in ``NAME.npz`` in :func:`~myoclass.logic.native.cache_dir`: ``read`` of the file
    when it is there and reads (a file that does not, by OSError, ValueError or KeyError, is built again), else
    ``build()``, written for next time (atomically; a cache that cannot be written is no error)."""
    path = cache_dir() / f"{name}.npz"
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as z:
                return read(z)
        except (OSError, ValueError, KeyError):
            pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, **arrays(value))  # type: ignore[arg-type]
        os.replace(tmp, path)
    except OSError:
        pass
    return value


def _load_or_compile(eng: RuleSearch, order: Sequence[str], one_of: Sequence[str] = (),
                     requires: Sequence[str] = ()) -> Table:
    def compile_table() -> Table:
        try:
            bdd, roots, used = compile_bdd(eng.program.defs, eng.rule_exprs, order, one_of=one_of, requires=requires)
        except ImportError as exc:  # pragma: no cover - dd is a dependency of the diagram extra
            raise DiagramUnavailable("compiling the decision diagram needs the 'dd' package") from exc
        return build_table(bdd, roots, used)

    return cached_arrays(f"diagram-table-{_criteria_key(eng, order, one_of, requires)}", Table.from_arrays,
                         compile_table, Table.arrays)


@dataclass
class Weighted:
    """Weighted counts for one or more weight vectors (axis 0), all conditioned on the case's known findings.

    ``p_label[k, L]`` is P(label L); ``joint[k, L, l]`` is P(label L ∧ diagram variable l = 1): for
    a boolean finding P(L ∧ present), for a band P(L ∧ that band). Use :meth:`Diagram.finding_joint`
    to read it per finding.
    """

    p_label: np.ndarray
    joint: np.ndarray | None


def _level_starts(level: np.ndarray, nl: int) -> np.ndarray:
    """Per level l (and nl), the index of its first node in a table in level order (terminals 0 and 1 first):
    the nodes of level l are ``starts[l] .. starts[l + 1] - 1``."""
    return (np.searchsorted(level[2:], np.arange(nl + 1)) + 2).astype(np.int32)


def _bottom_up(n: int, lo: np.ndarray, hi: np.ndarray, levels: Sequence[slice], p: np.ndarray) -> np.ndarray:
    """Every node's weighted count (the probability that its function is true), level by level from the bottom,
    for a table of ``n`` nodes in level order with ``levels`` its per-level node slices and ``p`` each level's
    probability of 1 (numpy; the C passes do the same)."""
    up = np.zeros(n)
    up[1] = 1.0
    for lv in range(len(levels) - 1, -1, -1):
        sl = levels[lv]
        if sl.start != sl.stop:
            up[sl] = (1.0 - p[lv]) * up[lo[sl]] + p[lv] * up[hi[sl]]
    return up


class Diagram:
    """The compiled label function for one policy, and the passes over it.

    With ``one_of`` (a group of boolean findings, see :func:`diagram`), every label also requires
    exactly one of the group and an extra variable :data:`~myoclass.logic._compile.MSA_NONE`, whose
    state is one byte after the engine's findings (:meth:`pack` appends it, unknown).
    """

    def __init__(self, eng: RuleSearch, table: Table, native: bool = True, one_of: Sequence[str] = (),
                 requires: Sequence[str] = ()) -> None:
        self.engine = eng
        self.table = table
        self.labels = tuple(eng.labels)
        self.one_of = tuple(one_of)
        self.requires = tuple(requires)
        self.extra = [MSA_NONE] if one_of else []
        self.var_names = [*eng.var_names, *self.extra]
        t = table
        self.nl = len(t.bits)
        self.nlab = len(self.labels)
        #: the root of the constraints alone, after the labels (diagrams with one_of / requires), or -1
        self.valid_root = self.nlab if (one_of or requires) else -1
        if t.roots.shape[0] != self.nlab + (self.valid_root >= 0):  # pragma: no cover - guarded by the cache key
            raise ValueError("diagram table does not match the label vocabulary")
        index = {n: i for i, n in enumerate(self.var_names)}
        bit_f = np.empty(self.nl, dtype=np.int32)
        bit_b = np.empty(self.nl, dtype=np.int32)
        for lv, name in enumerate(t.bits):
            fname, _, band = name.partition("=")
            bit_f[lv] = index[fname]
            bit_b[lv] = FINDINGS[fname].values.index(band) if band else -1
        self.bit_f, self.bit_b = bit_f, bit_b
        #: per finding (engine order): its level (boolean) or the levels of its bands in domain order
        self.levels_of: list[list[int]] = [[] for _ in self.var_names]
        for f in range(len(self.var_names)):
            found = [int(x) for x in np.flatnonzero(bit_f == f)]
            self.levels_of[f] = sorted(found, key=lambda x: int(bit_b[x]))
        self.mimic = np.array([FINDINGS[n].mimic if n in FINDINGS else False for n in self.var_names], dtype=np.uint8)
        self._mimic_idx = np.flatnonzero(self.mimic)
        self._is_bool = [FINDINGS[n].is_bool if n in FINDINGS else True for n in self.var_names]
        cats = [f for f in range(len(self.var_names)) if not self._is_bool[f]]
        self._cat_f = np.array(cats, dtype=np.int32)
        self._cat_nb = np.array([len(self.levels_of[f]) for f in cats], dtype=np.int32)
        self._catl = np.array([lv for f in cats for lv in self.levels_of[f]], dtype=np.int32)
        self._cat_l0 = np.concatenate([[0], np.cumsum(self._cat_nb)[:-1]]).astype(np.int32)
        self._lstart = _level_starts(t.level, self.nl)
        self._lib = load_passes() if native else None
        self._dtab: Any = None
        if self._lib is not None:
            # its joint is what the other labels leave (of the constraints' joint, where there is a valid root)
            big = int(np.argmax(np.diff(t.cone_start)[:self.nlab]))
            self._dtab, self._keep = self._c_table(t, self._lstart, _cone_entries(t), self.nlab, big, self.valid_root)
            self._dref = ctypes.byref(self._dtab)
            self._tls = threading.local()  # output buffers of dd_outcomes, one set per thread
        self.native = self._lib is not None
        self._engine_dec = set(eng.deciding_index)

    def _c_table(self, t: Table, lstart: np.ndarray, ce: np.ndarray, nlab: int, skip_lab: int,
                 valid_root: int) -> tuple[Any, list[np.ndarray]]:
        """The C passes' view (``DTab``) of node table ``t`` over this diagram's variables, and the arrays it
        points into (the caller keeps them alive)."""
        keep = [np.ascontiguousarray(a, dtype=np.int32) for a in
                (t.level, t.lo, t.hi, t.roots, t.cone, t.cone_start, lstart, self.bit_f, self.bit_b)]
        keep.append(np.ascontiguousarray(self.mimic))
        keep += [self._cat_f, self._cat_l0, self._cat_nb, self._catl, ce]
        ptr = [a.ctypes.data for a in keep]
        return DTab(t.n, self.nl, nlab, len(self.var_names), *ptr[:11], len(self._cat_f), *ptr[11:], skip_lab,
                    valid_root), keep

    def in_support(self, level: int) -> bool:
        """Whether the diagram tests variable ``level`` anywhere (some node lies on that level)."""
        return bool(self._lstart[level + 1] > self._lstart[level])

    def table_address(self) -> int | None:
        """The address of the C node table (``DTab``) for C code built with :func:`load_with_passes`, or None."""
        return None if self._dtab is None else ctypes.addressof(self._dtab)

    def c_passes(self) -> DDPasses | None:
        """The C passes as the native batch row loop calls them (None without the C kernel)."""
        if self._lib is None:
            return None
        if not hasattr(self, "_c_passes"):
            fn = [ctypes.cast(f, ctypes.c_void_p).value for f in (self._lib.dd_outcomes, self._lib.dd_reach)]
            self._c_passes = DDPasses(ctypes.addressof(self._dtab), *fn)
        return self._c_passes

    # ------------------------------------------------------------------ state handling
    def pack(self, state: Mapping[str, int] | bytes) -> bytes:
        """The packed state (a group's extra variable appended unknown); bytes are taken as packed."""
        if isinstance(state, bytes):
            return state
        return self.engine.pack(state) + b"\x01" * len(self.extra)

    def _level_values(self, packed: bytes, presume_mimics_absent: bool) -> tuple[np.ndarray, np.ndarray]:
        """Each level's finding state (unknown mimics made absent when presumed) and whether it is boolean."""
        s = np.frombuffer(packed, dtype=np.uint8).astype(np.int64)
        if presume_mimics_absent:
            mi = self._mimic_idx
            s[mi] = np.where(s[mi] == 1, 0, s[mi])
        return s[self.bit_f], self.bit_b < 0

    def allow(self, packed: bytes, presume_mimics_absent: bool = True) -> np.ndarray:
        """Allowed values per level: 1 only 0, 2 only 1, 3 both (the numpy passes' input)."""
        x, is_bool = self._level_values(packed, presume_mimics_absent)
        band_ok = (x >> np.maximum(self.bit_b, 0)) & 1
        a = np.where(is_bool, np.where(x == 0, 1, np.where(x == 2, 2, 3)), np.where(band_ok == 1, 3, 1))
        return a.astype(np.uint8)

    # ------------------------------------------------------------------ reachable labels and outcomes
    def reachable(self, state: Mapping[str, int] | bytes, presume_mimics_absent: bool = True) -> int:
        """Bit mask of the labels some completion of ``state`` gives (exact)."""
        packed = self.pack(state)
        if self._lib is not None:
            return int(self._lib.dd_reach(self._dref, packed, int(presume_mimics_absent), None))
        return self._reach_py(self.allow(packed, presume_mimics_absent), False)[0]

    def reach_levels(self, state: Mapping[str, int] | bytes,
                     presume_mimics_absent: bool = True) -> tuple[int, np.ndarray]:
        """``(reachable, out)``: ``out[l, x]`` is the labels reachable with variable ``l`` fixed to ``x``."""
        packed = self.pack(state)
        if self._lib is not None:
            out = np.zeros(2 * self.nl, dtype=np.uint32)
            r = int(self._lib.dd_reach(self._dref, packed, int(presume_mimics_absent), out.ctypes.data))
            return r, out.reshape(self.nl, 2)
        r, o = self._reach_py(self.allow(packed, presume_mimics_absent), True)
        assert o is not None
        return r, o

    def outcomes(self, state: Mapping[str, int] | bytes,
                 presume_mimics_absent: bool = True) -> tuple[int, list[tuple[int, list[int]]]]:
        """Reachable labels and, for every unknown finding, the labels reachable per still-possible value.

        As :meth:`~myoclass.logic.search.RuleSearch.analyse` lists them: ``(finding index, masks)`` with booleans as (present,
        absent) and bands in domain order. Every unknown finding is listed (also those that decide
        nothing: their masks all equal the reachable labels).
        """
        packed = self.pack(state)
        if self._lib is not None:
            return self._outcomes_native(packed, presume_mimics_absent, False)
        reach, out = self.reach_levels(packed, presume_mimics_absent)
        res: list[tuple[int, list[int]]] = []
        for f, lv in enumerate(self.levels_of):
            x = packed[f]
            if self._is_bool[f]:
                if x != 1 or (presume_mimics_absent and self.mimic[f]):
                    continue
                res.append((f, [int(out[lv[0], 1]), int(out[lv[0], 0])]))
            else:
                if not (x & (x - 1)):
                    continue
                res.append((f, [int(out[lv[b], 1]) for b in range(len(lv)) if x >> b & 1]))
        return reach, res

    def _outcomes_native(self, packed: bytes, presume: bool, only_deciding: bool) -> tuple[int, list[tuple[int, list[int]]]]:
        assert self._lib is not None
        bufs = getattr(self._tls, "bufs", None)
        if bufs is None:
            nf = len(self.var_names)
            arrays = (np.zeros(1, dtype=np.uint32), np.zeros(nf, dtype=np.int32), np.zeros(nf, dtype=np.int32),
                      np.zeros((nf, 8), dtype=np.uint32))
            bufs = self._tls.bufs = (arrays, [a.ctypes.data for a in arrays])
        (reach, fidx, nval, masks), ptrs = bufs
        n = self._lib.dd_outcomes(self._dref, packed, int(presume), int(only_deciding), *ptrs)
        fl, nl = fidx.tolist(), nval.tolist()
        return int(reach[0]), sorted((fl[j], masks[j, :nl[j]].tolist()) for j in range(n))

    def deciding(self, state: Mapping[str, int] | bytes,
                 presume_mimics_absent: bool = True) -> tuple[int, list[tuple[int, list[int]]]]:
        """As :meth:`outcomes`, keeping only the findings whose result changes or narrows the labels."""
        if self._lib is not None:
            return self._outcomes_native(self.pack(state), presume_mimics_absent, True)
        reach, res = self.outcomes(state, presume_mimics_absent)
        if not reach & (reach - 1):
            return reach, []
        return reach, [(f, m) for f, m in res if any(x != reach for x in m)]

    # ------------------------------------------------------------------ weighted counts
    def encode_weights(self, weights: Mapping[str, float | Sequence[float]] | None = None) -> np.ndarray:
        """Per-level weights from ``{finding: P(present)}`` or ``{finding: band probabilities}``.

        Findings not given get 0.5 (boolean) or equal band probabilities. Known findings override
        their weight (the passes condition on the state).
        """
        q = np.empty(self.nl, dtype=np.float64)
        for lv in range(self.nl):
            f = self.var_names[self.bit_f[lv]]
            b = int(self.bit_b[lv])
            w = None if weights is None else weights.get(f)
            if b < 0:
                q[lv] = 0.5 if w is None else float(w)  # type: ignore[arg-type]
            else:
                q[lv] = 1.0 / len(FINDINGS[f].values) if w is None else float(w[b])  # type: ignore[index]
        return q

    def condition(self, q: np.ndarray, assignment: Mapping[str, bool | str]) -> np.ndarray:
        """Weight row(s) ``q`` with findings fixed: ``{finding: True/False}`` or ``{finding: band}``.

        Fixing through the weights rather than the state keeps one state for many rows (one row per
        member of a categorical group, summed by the caller with the group's probabilities).
        """
        out = np.array(q, dtype=np.float64, copy=True)
        for name, value in assignment.items():
            f = self.var_names.index(name)
            lv = self.levels_of[f]
            if self._is_bool[f]:
                out[..., lv[0]] = 1.0 if value else 0.0
            else:
                b = FINDINGS[name].values.index(str(value))
                for k, level in enumerate(lv):
                    out[..., level] = 1.0 if k == b else 0.0
        return out

    def weighted(self, state: Mapping[str, int] | bytes, q: np.ndarray, derivatives: bool = True,
                 presume_mimics_absent: bool = True) -> Weighted:
        """Weighted counts for one weight vector (``nl``) or several (``k x nl``), from :meth:`encode_weights`.

        Conditioning on a partial assignment is a change of state (or of weights): fixing a finding
        sets its variable, so summing a categorical group ("which antibody") over its members is one
        weight row per member.
        """
        packed = self.pack(state)
        qq = np.ascontiguousarray(np.atleast_2d(q), dtype=np.float64)
        k = qq.shape[0]
        if self._lib is not None:
            pl = np.empty((k, self.nlab))
            joint = np.empty((k, self.nlab, self.nl)) if derivatives else None
            self._lib.dd_wmc(self._dref, packed, int(presume_mimics_absent), qq.ctypes.data, k, pl.ctypes.data,
                             None if joint is None else joint.ctypes.data)
            return Weighted(pl, joint)
        pls, js = [], []
        for row in qq:
            pl1, j1 = self._wmc_py(packed, row, derivatives, presume_mimics_absent)
            pls.append(pl1)
            js.append(j1)
        return Weighted(np.array(pls), np.array(js) if derivatives else None)

    def finding_joint(self, w: Weighted, finding: str, k: int = 0) -> dict[str, np.ndarray]:
        """P(label ∧ finding = value) per value of ``finding`` (``{"present", "absent"}`` or per band)."""
        assert w.joint is not None
        f = self.var_names.index(finding)
        lv = self.levels_of[f]
        if self._is_bool[f]:
            pres = w.joint[k, :, lv[0]]
            return {"present": pres, "absent": w.p_label[k] - pres}
        return {band: w.joint[k, :, lv[b]] for b, band in enumerate(FINDINGS[finding].values)}

    # ------------------------------------------------------------------ numpy reference passes
    def _levels(self) -> list[slice]:
        ls = self._lstart
        return [slice(int(ls[lv]), int(ls[lv + 1])) for lv in range(self.nl)]

    def _sat(self, a: np.ndarray) -> np.ndarray:
        t = self.table
        if not hasattr(self, "_ls_cache"):
            self._ls_cache = self._levels()
        sat = np.zeros(t.n, dtype=bool)
        sat[1] = True
        for lv in range(self.nl - 1, -1, -1):
            sl = self._ls_cache[lv]
            if sl.start == sl.stop:
                continue
            al = int(a[lv])
            v = np.zeros(sl.stop - sl.start, dtype=bool)
            if al & 1:
                v |= sat[t.lo[sl]]
            if al & 2:
                v |= sat[t.hi[sl]]
            sat[sl] = v
        return sat

    def _reach_py(self, a: np.ndarray, with_out: bool) -> tuple[int, np.ndarray | None]:
        t = self.table
        if not hasattr(self, "_ls_cache"):
            self._ls_cache = self._levels()
        sat = self._sat(a)
        reach = 0
        for lab in range(self.nlab):
            if sat[t.roots[lab]]:
                reach |= 1 << lab
        if not with_out:
            return reach, None
        nl = self.nl
        out = np.zeros((nl, 2), dtype=np.uint32)
        down = np.zeros(t.n, dtype=np.uint32)
        cover = np.zeros((self.nlab, nl + 1), dtype=np.int64)  # +1 at the start of a skipped span, -1 at its end
        for lab in range(self.nlab):
            r = int(t.roots[lab])
            if sat[r]:
                down[r] |= np.uint32(1 << lab)
                cover[lab, 0] += 1
                cover[lab, t.level[r]] -= 1
        for lv in range(nl):
            sl = self._ls_cache[lv]
            if sl.start == sl.stop:
                continue
            d = down[sl]
            for x, child in ((0, t.lo), (1, t.hi)):
                if not (int(a[lv]) >> x & 1):
                    continue
                c = child[sl]
                np.bitwise_or.at(down, c, d)
                ok = sat[c] & (d != 0)
                if ok.any():
                    out[lv, x] |= np.bitwise_or.reduce(d[ok])
                    e = t.level[c]
                    span = ok & (e > lv + 1)
                    for dm, end in zip(d[span], e[span], strict=True):
                        for lab in range(self.nlab):
                            if int(dm) >> lab & 1:
                                cover[lab, lv + 1] += 1
                                cover[lab, end] -= 1
        run = np.cumsum(cover, axis=1)[:, :nl] > 0  # (labels, levels): some span skips this level
        bits = (run.astype(np.uint32) << np.arange(self.nlab, dtype=np.uint32)[:, None]).sum(axis=0).astype(np.uint32)
        out[:, 0] |= np.where(a & 1, bits, 0).astype(np.uint32)
        out[:, 1] |= np.where(a & 2, bits, 0).astype(np.uint32)
        return reach, out

    def _probs(self, packed: bytes, q: np.ndarray, presume: bool) -> tuple[np.ndarray, float]:
        x, is_bool = self._level_values(packed, presume)
        w = np.where(((x >> np.maximum(self.bit_b, 0)) & 1) == 1, q, 0.0)
        p = np.where(is_bool, np.where(x == 0, 0.0, np.where(x == 2, 1.0, q)), w / (1.0 + w))
        valid = 1.0
        for f in self._cat_f:
            lv = self.levels_of[int(f)]
            ws = w[lv]
            valid *= float(ws.sum() / np.prod(1.0 + ws))
        return p, valid

    def _wmc_py(self, packed: bytes, q: np.ndarray, derivatives: bool,
                presume: bool) -> tuple[np.ndarray, np.ndarray | None]:
        t = self.table
        if not hasattr(self, "_ls_cache"):
            self._ls_cache = self._levels()
        p, valid = self._probs(packed, q, presume)
        inv = 1.0 / valid if valid > 0 else 0.0
        up = _bottom_up(t.n, t.lo, t.hi, self._ls_cache, p)
        pl = up[t.roots[:self.nlab]] * inv
        if not derivatives:
            return pl, None
        nl, nlab = self.nl, self.nlab
        # all labels at once: dn[node, label] is the probability mass of paths from the label's root
        dn = np.zeros((t.n, nlab))
        diff = np.zeros((nlab, nl + 1))
        joint = np.zeros((nlab, nl))
        for lab in range(nlab):
            r = int(t.roots[lab])
            if up[r] != 0.0:
                dn[r, lab] = 1.0
                diff[lab, 0] += up[r]
                diff[lab, t.level[r]] -= up[r]
        dn[:2] = 0.0
        for lv in range(nl):
            sl = self._ls_cache[lv]
            if sl.start == sl.stop:
                continue
            d = dn[sl]  # (nodes, labels)
            pv = p[lv]
            for x, child, pw in ((0, t.lo[sl], 1.0 - pv), (1, t.hi[sl], pv)):
                m = d * (pw * up[child])[:, None]  # mass of the paths through this edge, per label
                if x == 1:
                    joint[:, lv] += m.sum(axis=0)
                inner = child >= 2
                np.add.at(dn, child[inner], d[inner] * pw)
                e = t.level[child]
                span = e > lv + 1
                if span.any():  # the edge skips the levels between: each is 1 with its own probability
                    ms = m[span]
                    diff[:, lv + 1] += ms.sum(axis=0)
                    np.add.at(diff.T, e[span], -ms)
        run = np.cumsum(diff, axis=1)[:, :nl]
        joint = (joint + run * p[None, :]) * inv
        return pl, joint


class RootCounter:
    """Weighted counts at every root of another node table over a diagram's variables, for many weight vectors.

    The other table (nodes over the same levels, reduced and in level order as :class:`Table` says) holds
    many functions side by side, e.g. the label function restricted to each group of biopsy item
    assignments (:mod:`myoclass.reasoning.biopsy_information`), which share most of their nodes. One
    bottom-up pass per weight vector gives every root's count: conditioned on the state, as
    :meth:`Diagram.weighted` conditions its labels' (divided by the one-hot bands' P(valid)); no joints.
    Runs in C with the diagram's passes, else in numpy (the same sums).
    """

    def __init__(self, dg: Diagram, level: np.ndarray, lo: np.ndarray, hi: np.ndarray, roots: np.ndarray) -> None:
        self.dg = dg
        i32 = np.int32
        r = np.ascontiguousarray(roots, dtype=i32)
        self.table = Table(np.ascontiguousarray(level, dtype=i32), np.ascontiguousarray(lo, dtype=i32),
                           np.ascontiguousarray(hi, dtype=i32), r, np.zeros(1, dtype=i32),
                           np.zeros(r.shape[0] + 1, dtype=i32), dg.table.bits)
        t = self.table
        if t.n < 2 or t.level[0] != dg.nl or t.level[1] != dg.nl or (np.diff(t.level[2:]) < 0).any():
            raise ValueError("not a node table in level order over the diagram's variables")
        inner = np.arange(2, t.n)
        if ((t.lo[2:] <= inner) & (t.lo[2:] >= 2)).any() or ((t.hi[2:] <= inner) & (t.hi[2:] >= 2)).any():
            raise ValueError("a node's child comes before it")
        lstart = _level_starts(t.level, dg.nl)
        self._levels = [slice(int(lstart[lv]), int(lstart[lv + 1])) for lv in range(dg.nl)]
        self._dtab: Any = None
        if dg._lib is not None:  # counts only: no cones, no label left to derive, no constraints' root
            self._dtab, self._keep = dg._c_table(t, lstart, np.zeros(4, dtype=i32), int(r.shape[0]), -1, -1)

    @property
    def n(self) -> int:
        """The table's node count (terminals included)."""
        return self.table.n

    @property
    def roots(self) -> np.ndarray:
        """The roots counted (column j of :meth:`counts` is root j)."""
        return self.table.roots

    def counts(self, state: bytes, q: np.ndarray, presume_mimics_absent: bool = False) -> np.ndarray:
        """Per weight vector (rows of ``q``, ``k x nl``) and root: the root's weighted count (``k x roots``)."""
        dg, t = self.dg, self.table
        packed = dg.pack(state)
        qq = np.ascontiguousarray(np.atleast_2d(q), dtype=np.float64)
        out = np.empty((qq.shape[0], t.roots.shape[0]))
        if self._dtab is not None and dg._lib is not None:
            dg._lib.dd_wmc(ctypes.byref(self._dtab), packed, int(presume_mimics_absent), qq.ctypes.data, qq.shape[0],
                           out.ctypes.data, None)
            return out
        for j, row in enumerate(qq):
            p, valid = dg._probs(packed, row, presume_mimics_absent)
            out[j] = _bottom_up(t.n, t.lo, t.hi, self._levels, p)[t.roots] * (1.0 / valid if valid > 0 else 0.0)
        return out


def load_with_passes(source: str, stem: str) -> ctypes.CDLL | None:
    """C ``source`` compiled together with the diagram passes (it may call ``dd_wmc`` and read ``DTab``).

    Cached like the passes; None without a compiler or with ``MYOCLASS_NATIVE=0``.
    """
    return compile_cached(C_SOURCE + source, stem, PASS_FLAGS)


def _cone_entries(t: Table) -> np.ndarray:
    """Per label, its cone as the C derivative pass reads it: 4 ints per node, in the cone's (level) order.

    ``local lo, local hi, node lo, node hi``: local numbers index the cone (the root is 0, as a
    cone is in index order). A terminal child gets a slot of its own past the cone (``nc + 2j`` and
    ``nc + 2j + 1`` for entry ``j``), written and never read, so that no two entries' updates wait on
    each other.
    """
    out = np.zeros((int(t.cone_start[-1]), 4), dtype=np.int32)
    for lab in range(t.roots.shape[0]):
        a, b = int(t.cone_start[lab]), int(t.cone_start[lab + 1])
        nodes = t.cone[a:b]
        nc = b - a
        local = np.full(t.n, -1, dtype=np.int64)
        local[nodes] = np.arange(nc)
        lo, hi = t.lo[nodes], t.hi[nodes]
        j = np.arange(nc)
        l0 = np.where(lo < 2, nc + 2 * j, local[lo])
        l1 = np.where(hi < 2, nc + 2 * j + 1, local[hi])
        out[a:b] = np.stack([l0, l1, lo, hi], axis=1)
    return np.ascontiguousarray(out)


def diagram(eng: RuleSearch, native: bool = True, one_of: tuple[str, ...] = (),
            requires: tuple[str, ...] = ()) -> Diagram:
    """The compiled diagram of the rules of ``eng`` (e.g. ``myoclass.reasoning.engine.engine(policy)``;
    cached per process and engine; the table is cached on disk).

    With ``one_of`` (boolean findings), the label function ∧ "exactly one of the group or none":
    the differential's diagram for "which myositis-specific antibody" (one categorical variable), so
    the group is one weight vector instead of one per value. With ``requires`` (a finding, then findings
    that exist only with it), ∧ "each of the others implies the first": the biopsy's items. Either gives
    the differential's diagram, on its own shipped order.

    One diagram per combination of the four, however the call is spelled: ``diagram(eng)`` and
    ``diagram(eng, True)`` are the same object (a cache keyed on the call as written held the label function's
    diagram twice).
    """
    return _diagram(eng, native, one_of, requires)


@lru_cache(maxsize=16)
def _diagram(eng: RuleSearch, native: bool, one_of: tuple[str, ...], requires: tuple[str, ...]) -> Diagram:
    order = shipped_order(differential=bool(one_of or requires))
    return Diagram(eng, _load_or_compile(eng, order, one_of, requires), native, one_of, requires)


@lru_cache(maxsize=16)
def _available(eng: RuleSearch, native: bool) -> Diagram | None:
    try:
        return diagram(eng, native)
    except DiagramUnavailable:
        return None


def diagram_for(eng: RuleSearch) -> Diagram | None:
    """The diagram of ``eng``'s rules (C passes when ``eng`` is native), or None when it is unavailable.

    Unavailable means no cached table and no ``dd`` to compile one; the answer is cached per process.
    """
    return _available(eng, eng.native is not None)


def analyse_exact(eng: RuleSearch, packed: bytes) -> tuple[int, bool, bool, list[tuple[int, list[int]]]]:
    """What :meth:`~myoclass.logic.search.RuleSearch.analyse` returns, computed exactly on the diagram (no budget).

    The reachable labels and, for every finding that decides (its outcomes differ from the
    reachable labels) and that the engine reports on (rule findings that are not mimics), its
    outcomes per value, by finding index. ``exact`` and ``tests_exact`` are always True. Raises
    :class:`DiagramUnavailable` when there is no diagram (see :func:`analyse`).
    """
    d = diagram_for(eng)
    if d is None:
        raise DiagramUnavailable("compiling the decision diagram needs the 'dd' package")
    return _analyse_on(d, packed)


def _analyse_on(d: Diagram, packed: bytes) -> tuple[int, bool, bool, list[tuple[int, list[int]]]]:
    reach, dec = d.deciding(packed)
    keep = d._engine_dec
    return reach, True, True, [(f, m) for f, m in dec if f in keep]


def analyse(eng: RuleSearch, packed: bytes) -> tuple[int, bool, bool, list[tuple[int, list[int]]]]:
    """Reachable labels and deciding findings as the assessment and the batch use them.

    Exact on the diagram (:func:`analyse_exact`); where the diagram is unavailable, the engine's
    budgeted search (:meth:`~myoclass.logic.search.RuleSearch.analyse`), whose flags say when it gave up.
    """
    d = diagram_for(eng)
    if d is None:
        return eng.analyse(packed)
    m = eng.mask(packed)  # the Kleene over-estimate is sound: one label means the case is settled
    if not m & (m - 1):
        return m, True, True, []
    return _analyse_on(d, packed)

