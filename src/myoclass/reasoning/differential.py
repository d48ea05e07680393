"""The differential: P(label | known findings) under the generative model, by weighted model counting.

For each label L (issue 10, item 2; ``docs/differential-model.md``, "Inference")::

    P(L | known) = sum_d P(d | known) * sum_u P(u | d, known) * [criteria(known + u) = L]

over the 15 conditions d of :mod:`myoclass.reasoning.differential_model` and the completions u of
the unknown findings. The inner sum is computed exactly as a weighted model count over the
compiled label function (:mod:`myoclass.logic.diagram`), with unknown mimic findings left free
(the differential weighs them; the strict label presumes them absent).

The diagram counts with independent per-finding probabilities. The model's correlated groups are
handled by conditioning on the group's latent value, one weight vector per still-possible value,
summed with the value's posterior weight:

* ``msa`` ("which myositis-specific antibody") needs no branching: the differential counts on a
  second diagram of the same rules with "exactly one of the 15 antibodies or none" conjoined
  (:func:`myoclass.logic.diagram.diagram` with ``one_of``). Under that constraint, independent
  variables with odds w_v (p_v = w_v / (1 + w_v)) give each value v a share proportional to w_v,
  so the value's weight (P(value | d), times the reading's reporting factor, zero where a known
  result rules it out) goes in directly, and each vector's counts are divided by their sum over
  the labels (the constraint's probability). With two or more known positive antibodies (one of
  them the patient's, the others false positives), the plain diagram is used, the unknown
  antibodies are negative, and the likelihood is P(one of the positives | d).
* ``non_immune_cause``: branched only where a condition gives two or more causes and both cause
  findings are unknown; otherwise its posterior mixture is one vector (linear, exact).
* CK band and LDH/AST/ALT: branched on the band only when two or more bands are possible and an
  enzyme in the diagram's support is unknown; otherwise one vector.
* biopsy: when ``biopsy_performed`` is unknown, the biopsy items exist only on the ``true`` branch.
  If the label function with no biopsy does not depend on the items (checked once per policy on
  the diagram), one vector with P(biopsy) is exact; otherwise two branches.

Values of probability 0 are pruned exactly. The branches of all conditions go through the diagram
in one call. Past :data:`VECTOR_BUDGET` vectors, the branches with the largest posterior mass are
kept (deterministically: by mass, then condition and branch order), the kept mass is renormalised
and ``exact`` is False: if the dropped branches carry posterior mass delta, the total-variation
distance between the reported and the exact differential is at most delta
(P = (1 - delta) P_kept + delta P_dropped, so P - P_kept = delta (P_dropped - P_kept)).

Reading policies (``clinic``, ``record``): under ``record``, a salient finding that is unknown
("not mentioned") has likelihood 1 - p m under a condition where it is present with probability p
and mentioned with probability m, and its completion probability becomes p (1 - m) / (1 - p m).
For the antibody group this applies per antibody value, and only when some antibody result is
given.

If the known findings are impossible under every condition (a structural zero, e.g. two
myositis-specific antibodies positive), every probability of the model is clipped to
[1e-4, 1 - 1e-4] and the computation repeated; ``relaxed`` says so.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from myoclass.criteria import Policy
from myoclass.logic.diagram import MSA_NONE, Diagram, diagram
from myoclass.model.fields import ANTIBODIES, BIOPSY_ITEMS
from myoclass.model.findings import FINDINGS
from myoclass.reasoning import differential_model as M
from myoclass.reasoning._differential_c import DModel, load_differential
from myoclass.reasoning.engine import LABELS, engine

__all__ = ["READINGS", "VECTOR_BUDGET", "BiopsyInformation", "Differential", "biopsy_information", "compute",
           "model_for", "prepare", "rounded"]

#: reading policies (``differential_model.READING_POLICIES``); ``clinic`` is the default
READINGS = tuple(M.READING_POLICIES)
#: at most this many weight vectors (condition x group value) per case; past it, the largest-mass
#: branches are kept and the result carries the dropped mass as its total-variation bound
VECTOR_BUDGET = 128
#: conditions with at least this posterior count as ones the result rests on (assumed-number count)
_RESTS_ON_MIN = 1e-3
_RELAX = 1e-4
_ENZYMES = ("ldh_elevated", "ast_elevated", "alt_elevated", "aldolase_elevated")
_CAUSE_FINDINGS = ("hypothyroidism", "other_myotoxic_drug")
_INDEPENDENT_CATS = ("onset_age_band", "duration_band", "onset_tempo", "statin_withdrawal_outcome",
                     "immunosuppression_response")
_MSA = M.MSA_VALUES[1:]
_ANY_AB = tuple(ANTIBODIES)


#: the antibody group of the differential's diagram (one categorical variable)
MSA_GROUP: tuple[str, ...] = tuple(_MSA)
#: the biopsy and the items that exist only with it (the differential's diagram requires it of them)
BIOPSY_GROUP: tuple[str, ...] = ("biopsy_performed", *BIOPSY_ITEMS)


def _assumed(n: M.Number) -> int:
    return 1 if n.tag == "assumed" else 0


class _Model:
    """The model's numbers as arrays aligned with one diagram's levels (built once per policy)."""

    def __init__(self, dg: Diagram, relax: bool) -> None:
        if tuple(M.CONDITIONS) != tuple(LABELS):  # pragma: no cover - guarded by the model's tests
            raise ValueError("the model's conditions must be the labels, in order")
        self.dg = dg
        #: counted on the diagram with the antibody group (one categorical variable), see the module text
        self.grouped = bool(dg.one_of)
        self.nf = len(dg.engine.var_names)  # the engine's findings (the state may carry the group's byte after)
        self.nc = len(M.CONDITIONS)
        idx = {n: i for i, n in enumerate(dg.var_names)}
        self.idx = idx
        lo, hi = (_RELAX, 1 - _RELAX) if relax else (0.0, 1.0)

        def clip(a: Any) -> np.ndarray:
            return np.clip(np.asarray(a, dtype=np.float64), lo, hi)

        C = M.CONDITIONS
        self.prior = np.array([M.prior(c) for c in C])
        # independent booleans (not biopsy items, not in a group)
        group = set(_ENZYMES) | set(_CAUSE_FINDINGS) | set(_MSA) | set(BIOPSY_ITEMS) | {"biopsy_performed"}
        self.ib = [n for n, f in FINDINGS.items() if f.is_bool and n not in group]
        missing = [n for n in self.ib if n not in M.BOOLEAN]
        if missing:  # pragma: no cover
            raise ValueError(f"no model numbers for {missing}")
        self.ib_f = np.array([idx[n] for n in self.ib], dtype=np.intp)
        self.ib_l = np.array([self._level(n) for n in self.ib], dtype=np.intp)
        self.ib_p = clip([[M.p_present(n, c) for n in self.ib] for c in C])
        self.ib_m = np.array([M.p_reported(n, "record") or 0.0 for n in self.ib])
        # biopsy
        self.bp_f, self.bp_l = idx["biopsy_performed"], self._level("biopsy_performed")
        self.bp_p = clip([M.p_present("biopsy_performed", c) for c in C])
        self.items = list(BIOPSY_ITEMS)
        self.it_f = np.array([idx[n] for n in self.items], dtype=np.intp)
        self.it_l = np.array([self._level(n) for n in self.items], dtype=np.intp)
        self.it_p = clip([[M.p_present(n, c) for n in self.items] for c in C])
        # independent categoricals
        self.cats: list[tuple[int, np.ndarray, np.ndarray]] = []
        for var in _INDEPENDENT_CATS:
            vals = FINDINGS[var].values
            p = clip([[M.distribution(var, c)[v] for v in vals] for c in C])
            self.cats.append((idx[var], np.array(dg.levels_of[idx[var]], dtype=np.intp), p))
        # CK band and enzymes
        self.ck_f = idx["ck_band"]
        self.ck_l = np.array(dg.levels_of[self.ck_f], dtype=np.intp)
        self.ck_p = clip([[M.distribution("ck_band", c)[b] for b in FINDINGS["ck_band"].values] for c in C])
        self.en_f = np.array([idx[e] for e in _ENZYMES], dtype=np.intp)
        self.en_l = np.array([self._level(e) for e in _ENZYMES], dtype=np.intp)
        self.en_p = clip([[M.p_enzyme(e, b) for b in FINDINGS["ck_band"].values] for e in _ENZYMES])
        self.en_support = np.array([self._in_support(lv) for lv in self.en_l])
        # cause
        self.ca_p = clip([[M.distribution("non_immune_cause", c)[v] for v in M.CAUSE_VALUES] for c in C])
        self.ca_f = np.array([idx[f] for f in _CAUSE_FINDINGS], dtype=np.intp)
        self.ca_l = np.array([self._level(f) for f in _CAUSE_FINDINGS], dtype=np.intp)
        self.em_p = clip([[M.p_cause_finding(f, v) for v in M.CAUSE_VALUES] for f in _CAUSE_FINDINGS])
        self.ca_m = np.array([M.p_reported(f, "record") or 0.0 for f in _CAUSE_FINDINGS])
        self.ca_support = np.array([self._in_support(lv) for lv in self.ca_l])
        # myositis-specific antibodies: value 0 is "none", value v >= 1 is _MSA[v - 1]
        self.ms_f = np.array([idx[a] for a in _MSA], dtype=np.intp)
        self.ms_l = np.array([self._level(a) for a in _MSA], dtype=np.intp)
        self.ms_p = clip([[M.distribution("msa", c)[v] for v in M.MSA_VALUES] for c in C])
        self.ms_m = M.p_reported("ab_hmgcr", "record") or 0.0
        self.none_l = self._level(MSA_NONE) if self.grouped else -1
        self.ab_f = np.array([idx[a] for a in _ANY_AB], dtype=np.intp)
        self.bp_merge, reads = _structure(dg, self.bp_l, self.it_l, self.ck_l, self.en_l)
        #: CK bands with which the label function reads LDH/AST/ALT (with the others they are irrelevant)
        self.ck_reads_enzymes = np.array(reads, dtype=bool)
        self._assumed_tables()
        self._per_case_constants()
        self.c = self._c_model()

    def _c_model(self) -> tuple[Any, Any, int, list[np.ndarray]] | None:
        """The C fast path's library, its ``DModel`` (pointers into kept arrays) and the table address."""
        addr = self.dg.table_address()
        if not self.grouped or addr is None:
            return None
        lib = load_differential()
        if lib is None:
            return None
        keep: list[np.ndarray] = []

        def f64(a: Any) -> int:
            x = np.ascontiguousarray(a, dtype=np.float64)
            keep.append(x)
            return int(x.ctypes.data)

        def i32(a: Any) -> int:
            x = np.ascontiguousarray(a, dtype=np.int32)
            keep.append(x)
            return int(x.ctypes.data)

        def u8(a: Any) -> int:
            x = np.ascontiguousarray(a, dtype=np.uint8)
            keep.append(x)
            return int(x.ctypes.data)

        dm = DModel(
            self.nc, self.dg.nl, len(LABELS), f64(self.prior), f64(self.q0_const),
            len(self.ib_f), i32(self.ib_f), i32(self.ib_l), f64(self.ib_p), f64(self.ib_m), f64(self.ib_qsal),
            len(self.cat_f), i32(self.cat_f), u8(self.cat_restr), f64(self.cat_lik),
            int(self.bp_f), int(self.bp_l), len(self.it_f), i32(self.it_f), i32(self.it_l), f64(self.bp_p),
            f64(self.it_p),
            int(self.ck_f), len(self.ck_l), len(self.en_f), i32(self.ck_l), i32(self.en_f), i32(self.en_l),
            f64(self.ck_p), f64(self.en_p), u8(self.en_support), u8(self.ck_reads_enzymes),
            len(self.ca_f), self.ca_p.shape[1], i32(self.ca_f), i32(self.ca_l), f64(self.ca_p), f64(self.em_p),
            f64(self.ca_m), f64(self.em_qsal), u8(self.ca_support),
            len(self.ms_f), int(self.none_l), i32(self.ms_f), i32(self.ms_l), f64(self.ms_p), float(self.ms_m),
            self.age_j, len(self.age_lv), i32(self.age_lv),
        )
        return lib, dm, addr, keep

    def _per_case_constants(self) -> None:
        """Arrays the per-case computation reads, so that it runs no Python loop over conditions or values."""
        nc, nl = self.nc, self.dg.nl
        p = self.ib_p
        self.ib_1mp = 1.0 - p
        self.ib_salient = self.ib_m > 0
        self.ib_pm = p * self.ib_m
        self.ib_1mpm = 1.0 - self.ib_pm
        with np.errstate(divide="ignore", invalid="ignore"):
            self.ib_qsal = np.where(self.ib_1mpm > 0, p * (1.0 - self.ib_m) / self.ib_1mpm, 0.0)
        self.bp_1mp = 1.0 - self.bp_p
        self.it_1mp = 1.0 - self.it_p
        self.bp_on = np.concatenate([[self.bp_l], self.it_l]).astype(np.intp)
        self.bp_vals = np.zeros((nc, 2, len(self.bp_on)))
        self.bp_vals[:, 0, 0] = 1.0
        self.bp_vals[:, 0, 1:] = self.it_p
        # independent categoricals: constant weights, and the likelihood of the allowed bands per state byte
        q0 = np.zeros((nc, nl))
        self.cat_f = np.array([f for f, _l, _p in self.cats], dtype=np.intp)
        self.cat_lik = np.ones((len(self.cats), 256, nc))
        self.cat_restr = np.zeros((len(self.cats), 256), dtype=bool)
        for j, (_f, lvs, pc) in enumerate(self.cats):
            q0[:, lvs] = pc
            for x in range(256):
                allowed = [b for b in range(len(lvs)) if x >> b & 1]
                if len(allowed) < len(lvs):
                    self.cat_restr[j, x] = True
                    self.cat_lik[j, x] = pc[:, allowed].sum(axis=1)
        self.q0_const = q0
        self.cat_rng = np.arange(len(self.cats))
        # the onset-age categorical, which the age at assessment weighs (onset_weights_at_age)
        self.age_j = int(np.flatnonzero(self.cat_f == self.idx["onset_age_band"])[0])
        self.age_lv = self.cats[self.age_j][1]
        self.age_p = self.cats[self.age_j][2]
        # CK band: allowed bands per state byte; the values of a band branch (band one-hot, enzyme probabilities)
        nb = len(self.ck_l)
        self.ck_bits = np.array([[bool(x >> b & 1) for b in range(nb)] for x in range(256)])
        self.en_1mp = 1.0 - self.en_p
        self.ck_en_l = np.concatenate([self.ck_l, self.en_l]).astype(np.intp)
        vals = np.concatenate([np.eye(nb), self.en_p.T], axis=1)  # (band, levels)
        self.ck_vals = np.broadcast_to(vals[None], (nc, nb, len(self.ck_en_l))).copy()
        # cause: the record reading's salient factors
        em = self.em_p
        mc = self.ca_m[:, None]
        self.em_1mp = 1.0 - em
        self.ca_salient = self.ca_m > 0
        emm = em * mc
        self.em_1mpm = 1.0 - emm
        with np.errstate(divide="ignore", invalid="ignore"):
            self.em_qsal = np.where(1.0 - emm > 0, em * (1.0 - mc) / (1.0 - emm), 0.0)

    def _level(self, name: str) -> int:
        lv = self.dg.levels_of[self.idx[name]]
        if len(lv) != 1:  # pragma: no cover - every boolean finding has one variable
            raise ValueError(name)
        return lv[0]

    def _in_support(self, lv: int) -> bool:
        return self.dg.in_support(lv)

    def _assumed_tables(self) -> None:
        """Per (condition, finding): how many assumed numbers that finding's model entry holds."""
        C = M.CONDITIONS
        nf = self.nf
        cnt = np.zeros((self.nc, nf), dtype=np.int64)
        for n in self.ib + self.items + ["biopsy_performed"]:
            for d, c in enumerate(C):
                cnt[d, self.idx[n]] = _assumed(M.BOOLEAN[n][c])
        for var in (*_INDEPENDENT_CATS, "ck_band"):
            for d, c in enumerate(C):
                cnt[d, self.idx[var]] = sum(_assumed(x) for x in M.CATEGORICAL[var][c].values())
        self.cnt = cnt
        self.cnt_msa = np.array([sum(_assumed(x) for x in M.CATEGORICAL["msa"][c].values()) for c in C])
        self.cnt_cause = np.array([sum(_assumed(x) for x in M.CATEGORICAL["non_immune_cause"][c].values())
                                   for c in C])
        self.cnt_enzyme = {self.idx[e]: sum(_assumed(x) for x in M.ENZYME_GIVEN_CK[e].values()) for e in _ENZYMES}
        self.cnt_emission = sum(_assumed(x) for f in _CAUSE_FINDINGS for x in M.CAUSE_EMISSION[f].values())
        inputs = M._PRIOR_INPUTS
        self.prior_rests = [frozenset(M.PRIOR[c].rests_on) for c in C]
        self.prior_inputs_assumed = frozenset(k for k, n in inputs.items() if n.tag == "assumed")
        self.reporting_assumed = {k: _assumed(n) for k, n in M.REPORTING.items()}
        support = np.array([any(self._in_support(lv) for lv in self.dg.levels_of[f]) for f in range(nf)])
        self.support = support
        self.is_bool = np.array([FINDINGS[n].is_bool for n in self.dg.var_names[:nf]])
        # the same, as lookups for the per-case count
        self.is_bool_i = self.is_bool.astype(np.intp)
        xs = np.arange(256)
        self.known_of = np.stack([(xs & (xs - 1)) == 0, xs != 1], axis=1)  # [state byte, is boolean]
        self.cnt_enzyme_arr = np.array([self.cnt_enzyme[self.idx[e]] for e in _ENZYMES], dtype=np.int64)
        bit = {k: 1 << i for i, k in enumerate(sorted(self.prior_inputs_assumed))}
        self.prior_rests_bits = [sum(bit[k] for k in r if k in bit) for r in self.prior_rests]
        self.reporting_assumed_total = sum(self.reporting_assumed.values())
        names = self.dg.var_names[:nf]
        self.assumed_entry = np.zeros((self.nc, nf), dtype=bool)
        self.assumed_name: list[list[str]] = []
        for d, c in enumerate(C):
            for f, name in enumerate(names):
                if name in M.BOOLEAN:
                    self.assumed_entry[d, f] = M.BOOLEAN[name][c].tag == "assumed"
                elif name in M.CATEGORICAL:
                    self.assumed_entry[d, f] = any(x.tag == "assumed" for x in M.CATEGORICAL[name][c].values())
            self.assumed_name.append([f"P({name} | {c})" for name in names])


def _structure(dg: Diagram, bp_l: int, it_l: np.ndarray, ck_l: np.ndarray,
               en_l: np.ndarray) -> tuple[bool, list[bool]]:
    """Whether no biopsy makes the items irrelevant, and per CK band whether the label function with
    that band reads LDH/AST/ALT.

    Both are read off the diagram by reducing it under a partial assignment with one shared unique
    table (a reduced ordered BDD is canonical, so equal root ids are equal functions).
    """
    t = dg.table
    level, lo, hi = t.level.tolist(), t.lo.tolist(), t.hi.tolist()
    roots = t.roots.tolist()
    unique: dict[tuple[int, int, int], int] = {}

    def roots_under(assign: Mapping[int, int]) -> tuple[int, ...]:
        ids = [0] * t.n
        ids[1] = 1
        for i in range(t.n - 1, 1, -1):
            lv = level[i]
            a = assign.get(lv)
            if a is not None:
                ids[i] = ids[hi[i]] if a else ids[lo[i]]
                continue
            a0, a1 = ids[lo[i]], ids[hi[i]]
            if a0 == a1:
                ids[i] = a0
                continue
            key = (lv, a0, a1)
            x = unique.get(key)
            if x is None:
                x = unique[key] = len(unique) + 2
            ids[i] = x
        return tuple(ids[r] for r in roots)

    no_bx = roots_under({bp_l: 0})
    no_bx_items = roots_under({bp_l: 0, **{int(lv): 0 for lv in it_l}})
    reads: list[bool] = []
    for b in range(len(ck_l)):
        band = {int(lv): int(j == b) for j, lv in enumerate(ck_l)}
        reads.append(roots_under(band) != roots_under({**band, **{int(lv): 0 for lv in en_l}}))
    return no_bx == no_bx_items, reads


@lru_cache(maxsize=32)
def model_for(policy: Policy = Policy(), relax: bool = False, grouped: bool = True) -> _Model:
    """The model's arrays for ``policy`` (cached): on the diagram with the antibody group (``grouped``),
    or on the plain one (two or more known positive antibodies)."""
    if grouped:
        return _Model(diagram(engine(policy), one_of=MSA_GROUP, requires=BIOPSY_GROUP), relax)
    return _Model(diagram(engine(policy)), relax)


# ------------------------------------------------------------------------------------------------
# per case
# ------------------------------------------------------------------------------------------------

#: a group option for one condition: (weight, levels, values, tag)
_Opt = tuple[float, np.ndarray, np.ndarray, Any]


@dataclass
class Differential:
    """The differential of one case.

    ``p_label`` (labels in :data:`LABELS` order) sums to 1. ``posterior`` is P(condition | known).
    ``exact`` is False when the vector budget dropped branches; ``error_bound`` (their posterior mass)
    then bounds the total-variation distance to the exact differential.
    """

    p_label: np.ndarray
    posterior: np.ndarray
    exact: bool
    error_bound: float
    n_vectors: int
    relaxed: bool
    reading: str
    # per kept branch (for next tests): its mass, condition, weights and the weighted counts
    _mass: np.ndarray | None = None
    _cond: np.ndarray | None = None
    _bpm: bool = False
    _q: np.ndarray | None = None
    _pl: np.ndarray | None = None
    _joint: np.ndarray | None = None
    _model: _Model | None = None
    _state: np.ndarray | None = None
    _assumed: tuple[int, list[str]] | None = None
    _jsum: np.ndarray | None = None
    _entropy: float | None = None
    _values: Mapping[str, Any] | None = None
    _age_now: float | None = None
    #: per diagram level (boolean findings): expected information and P(present), when the C path gave them
    _level_info: tuple[np.ndarray | None, np.ndarray | None] | None = None
    _policy: Policy | None = None

    @property
    def assumed_count(self) -> int:
        """How many assumed numbers of the model the result rests on (see :func:`_count_assumed`)."""
        if self._assumed is None:
            _count_assumed(self)
        assert self._assumed is not None
        return self._assumed[0]

    @property
    def assumed_top(self) -> list[str]:
        """Up to five assumed evidence numbers under the leading condition."""
        if self._assumed is None:
            _count_assumed(self)
        assert self._assumed is not None
        return self._assumed[1]

    @property
    def entropy(self) -> float:
        if self._entropy is None:
            self._entropy = _entropy(self.p_label)
        return self._entropy

    def _weighted_joint(self) -> np.ndarray:
        """sum over branches of mass x joint: P(label, variable l = 1 | known) per label and level (cached)."""
        if self._jsum is None:
            j, mass = self._joint, self._mass
            assert j is not None and mass is not None
            self._jsum = (mass @ j.reshape(len(mass), -1)).reshape(j.shape[1:])
        return self._jsum

    def finding_joint(self, finding: str) -> dict[str, np.ndarray]:
        """P(label ∧ finding = value | known) per value (``present``/``absent`` or per band); needs derivatives."""
        md, pl, joint, mass = self._model, self._pl, self._joint, self._mass
        if md is None or pl is None or joint is None or mass is None or self._cond is None or self._q is None:
            raise ValueError("computed without derivatives")
        dg = md.dg
        f = md.idx[finding]
        lvs = dg.levels_of[f]
        js = self._weighted_joint()
        if not FINDINGS[finding].is_bool:
            return {band: js[:, lv] for band, lv in zip(FINDINGS[finding].values, lvs, strict=True)}
        lv = lvs[0]
        if finding in _ENZYMES:
            # one vector over several CK bands: with a band whose label ignores the enzyme, the vector's
            # enzyme probability stands in for p(enzyme | band); correct it, P(L, band, e) = p(e|band) P(L, band)
            e = _ENZYMES.index(finding)
            diff = (md.en_p[e][None, :] - self._q[:, lv][:, None]) * mass[:, None]  # (branch, band)
            pres = js[:, lv] + np.einsum("gb,glb->l", diff, joint[:, :, md.ck_l])
            pres = np.clip(pres, 0.0, self.p_label)
        elif finding in BIOPSY_ITEMS and self._bpm:
            # merged biopsy: the vector draws the items also without a biopsy, where the label ignores them
            no_bx = pl - joint[:, :, md.bp_l]
            pres = np.maximum(js[:, lv] - (mass * self._q[:, lv]) @ no_bx, 0.0)
        else:
            pres = js[:, lv]
        return {"present": pres, "absent": np.maximum(self.p_label - pres, 0.0)}

    def biopsy_information(self) -> BiopsyInformation:
        """The information of doing a biopsy (this case's biopsy known not done): :func:`biopsy_information`."""
        if self._state is None or self._state[self._model.bp_f if self._model else 0] != 0:
            raise ValueError("only for a case whose biopsy is known not done")
        return biopsy_information(self._state.tobytes(), self.reading, self._policy or Policy(), self._values,
                                  now=self, age_now=self._age_now)

    def information(self, finding: str) -> tuple[float | None, dict[str, float], float]:
        """(P(present) or None for a banded finding, P(value) per value, expected entropy drop in bits)."""
        return self.informations([finding])[0]

    def informations(self, findings: Sequence[str]) -> list[tuple[float | None, dict[str, float], float]]:
        """:meth:`information` for several findings at once (the booleans read off the joints together)."""
        if not findings:
            return []
        md = self._model
        if md is None or self._joint is None or self._mass is None:
            raise ValueError("computed without derivatives")
        out: list[tuple[float | None, dict[str, float], float] | None] = [None] * len(findings)
        plain: list[int] = []
        lvs: list[int] = []
        banded: list[tuple[int, str, list[int]]] = []
        for i, name in enumerate(findings):
            f = FINDINGS[name]
            if not f.is_bool:
                banded.append((i, name, md.dg.levels_of[md.idx[name]]))
                continue
            if name not in _ENZYMES and not (self._bpm and name in BIOPSY_ITEMS):
                plain.append(i)
                lvs.append(md.dg.levels_of[md.idx[name]][0])
                continue
            j = self.finding_joint(name)
            P = np.stack(list(j.values()))
            tot = P.sum(axis=1)
            pv = dict(zip(j, tot.tolist(), strict=True))
            ei = _drop(self.entropy, _cond_entropy(P, tot))
            out[i] = (pv.get("present"), pv, ei)
        if banded:  # every band of every banded finding at once: P(L, band), its sum, -sum P log2(P / sum)
            js = self._weighted_joint()
            cols = [lv for _i, _n, bl in banded for lv in bl]
            P = js[:, cols]  # (label, band)
            tot = P.sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(P > 0, P * np.log2(np.where(P > 0, P, 1.0) / np.where(tot > 0, tot, 1.0)[None, :]),
                                 0.0)
            per_band = -terms.sum(axis=0)
            tot_l, per_l = tot.tolist(), per_band.tolist()
            h = self.entropy
            k = 0
            for i, name, bl in banded:
                n = len(bl)
                pv = dict(zip(FINDINGS[name].values, tot_l[k:k + n], strict=True))
                out[i] = (None, pv, _drop(h, sum(per_l[k:k + n])))
                k += n
        if plain and self._level_info is not None:
            eis, pps = self._level_info
            assert eis is not None and pps is not None
            for i, lv in zip(plain, lvs, strict=True):
                t1 = float(pps[lv])
                out[i] = (t1, {"present": t1, "absent": max(float(self.p_label.sum()) - t1, 0.0)}, float(eis[lv]))
        elif plain:
            pres = self._weighted_joint()[:, lvs].T  # (finding, label)
            absn = np.maximum(self.p_label[None, :] - pres, 0.0)
            P = np.stack([pres, absn], axis=1)  # (finding, value, label)
            tot = P.sum(axis=2)  # (finding, value)
            with np.errstate(divide="ignore", invalid="ignore"):
                terms = np.where(P > 0, P * np.log2(np.where(P > 0, P, 1.0) / np.where(tot > 0, tot, 1.0)[:, :, None]),
                                 0.0)
            cond = -terms.sum(axis=(1, 2))
            h = self.entropy
            for k, i in enumerate(plain):
                t0, t1 = float(tot[k, 0]), float(tot[k, 1])
                out[i] = (t0, {"present": t0, "absent": t1}, _drop(h, float(cond[k])))
        return [x for x in out if x is not None]


def _drop(h: float, cond: float) -> float:
    ei = max(0.0, h - cond)
    return 0.0 if ei < 1e-12 else ei


def _cond_entropy(P: np.ndarray, tot: np.ndarray) -> float:
    """sum over values v of P(v) H(label | v), from the joints P (values x labels) and their sums."""
    ok = P > 0
    if not ok.any():
        return 0.0
    rows = np.broadcast_to(tot[:, None], P.shape)
    x = P[ok]
    return float(-(x * np.log2(x / rows[ok])).sum())


def _entropy(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-(q * np.log2(q)).sum()) if q.size else 0.0


def _some_antibody_given(state: np.ndarray, md: _Model, values: Mapping[str, Any] | None) -> bool:
    if values is not None:
        return any(values.get(a) is not None for a in _ANY_AB)
    return bool((state[md.ab_f] != 1).any())


def compute(shown: Mapping[str, int] | bytes, reading: str = "clinic", policy: Policy = Policy(),
            derivatives: bool = True, budget: int = VECTOR_BUDGET,
            values: Mapping[str, Any] | None = None, age_now: float | None = None) -> Differential:
    """The differential for a case's findings as known (``display_state``: unknown mimics stay unknown).

    ``values`` (the case's flat values) tells the ``record`` reading whether some antibody result was
    given (an antibody outside the findings, e.g. anti-Ro52, counts); without it, the antibody findings
    are used. ``age_now`` is the age at assessment to weigh against the onset bands
    (:func:`myoclass.model.findings.assessment_age` of the values: given only when neither the age at
    onset nor the symptom duration is known); None weighs nothing.
    """
    if reading not in READINGS:
        raise ValueError(f"unknown reading policy {reading!r}; allowed: {', '.join(READINGS)}")
    md = model_for(policy)
    packed = shown if isinstance(shown, bytes) else md.dg.engine.pack(shown)
    if len(packed) != md.nf:
        raise ValueError(f"a packed state has {md.nf} findings, not {len(packed)}")
    grouped = int(np.count_nonzero(np.frombuffer(packed, dtype=np.uint8)[md.ms_f] == 2)) < 2
    if grouped:
        packed += b"\x01"  # the group's "none" variable, unknown
    else:
        md = model_for(policy, grouped=False)
    age_w = None if age_now is None else np.array(M.onset_weights_at_age(age_now))
    res = _compute(md, packed, reading, derivatives, budget, values, age_w)
    if res is None:
        res = _compute(model_for(policy, relax=True, grouped=grouped), packed, reading, derivatives, budget, values,
                       age_w)
        if res is None:  # pragma: no cover - clipped probabilities are never all zero
            raise ValueError("the known findings are impossible under the model")
        res.relaxed = True
    res._values, res._policy, res._age_now = values, policy, age_now
    return res


#: at most this many weight vectors on the C path (15 conditions, 3 causes); more go to the numpy path
_C_VECTORS = 64


def _compute(md: _Model, packed: bytes, reading: str, derivatives: bool, budget: int,
             values: Mapping[str, Any] | None, age_w: np.ndarray | None) -> Differential | None:
    if md.c is not None:
        got = _compute_c(md, packed, reading, derivatives, budget, values, age_w)
        if got is None or isinstance(got, Differential):
            return got
    return _compute_np(md, packed, reading, derivatives, budget, values, age_w)


def _compute_c(md: _Model, packed: bytes, reading: str, derivatives: bool, budget: int,
               values: Mapping[str, Any] | None, age_w: np.ndarray | None) -> Differential | bool | None:
    """The C path (:mod:`myoclass.reasoning._differential_c`); False where the numpy path must run."""
    assert md.c is not None
    lib, dm, addr, _keep = md.c
    s = np.frombuffer(packed, dtype=np.uint8)
    record = reading == "record"
    some_ab = record and _some_antibody_given(s, md, values)
    cap = min(budget, _C_VECTORS)
    nl, nlab = md.dg.nl, len(LABELS)
    Q = np.empty((cap, nl))
    w = np.empty(cap)
    cond = np.empty(cap, dtype=np.int32)
    pl = np.empty((cap, nlab))
    joint = np.empty((cap, nlab, nl)) if derivatives else None
    p_label = np.empty(nlab)
    js = np.empty((nlab, nl)) if derivatives else None
    ei = np.empty(nl) if derivatives else None
    pp = np.empty(nl) if derivatives else None

    def ptr(a: np.ndarray | None) -> int | None:
        return None if a is None else int(a.ctypes.data)

    k = lib.dd_differential(addr, ctypes.byref(dm), packed, int(record), int(some_ab), cap, Q.ctypes.data,
                            w.ctypes.data, cond.ctypes.data, pl.ctypes.data, ptr(joint), p_label.ctypes.data,
                            ptr(js), ptr(ei), ptr(pp), ptr(age_w))
    if k < 0:
        return False
    if k == 0:
        return None
    mass = w[:k]  # the C code left each vector's mass there
    ci = cond[:k].astype(np.intp)
    out = Differential(p_label, np.bincount(ci, weights=mass, minlength=md.nc), True, 0.0, k, False, reading)
    out._model = md
    out._mass, out._cond, out._q = mass, ci, Q[:k]
    if joint is not None:
        out._pl, out._joint, out._jsum = pl[:k], joint[:k], js
        out._level_info = (ei, pp)
    out._state = s[:md.nf]
    return out


def _compute_np(md: _Model, packed: bytes, reading: str, derivatives: bool, budget: int,
                values: Mapping[str, Any] | None, age_w: np.ndarray | None = None) -> Differential | None:
    dg = md.dg
    nc = md.nc
    s = np.frombuffer(packed, dtype=np.uint8)
    record = reading == "record"
    q0 = md.q0_const.copy()
    # ---- independent booleans
    sv = s[md.ib_f]
    pres, absn = sv == 2, sv == 0
    p = md.ib_p
    if record:
        salient = (sv == 1) & md.ib_salient
        fac = np.where(pres, p, np.where(absn, md.ib_1mp, np.where(salient, md.ib_1mpm, 1.0)))
        q0[:, md.ib_l] = np.where(salient, md.ib_qsal, p)
    else:
        fac = np.where(pres, p, np.where(absn, md.ib_1mp, 1.0))
        q0[:, md.ib_l] = p
    lik = fac.prod(axis=1)
    # ---- independent categoricals: likelihood of the allowed bands (one table row per state byte); the
    # diagram renormalises
    xs = s[md.cat_f]
    for j in np.flatnonzero(md.cat_restr[md.cat_rng, xs]):
        if j != md.age_j or age_w is None:
            lik = lik * md.cat_lik[j][xs[j]]
    if age_w is not None:  # the age at assessment weighs the onset bands (soft evidence)
        weighted = md.age_p * age_w[None, :]
        q0[:, md.age_lv] = weighted
        allowed = np.array([bool(int(xs[md.age_j]) >> b & 1) for b in range(len(md.age_lv))])
        lik = lik * weighted[:, allowed].sum(axis=1)
    groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (weights nc x m, levels, values nc x m x n)
    # ---- biopsy
    sb = int(s[md.bp_f])
    si = s[md.it_f]
    pi = md.it_p
    bpm = False
    if sb == 2:
        lik = lik * md.bp_p * np.where(si == 2, pi, np.where(si == 0, md.it_1mp, 1.0)).prod(axis=1)
        q0[:, md.bp_l] = 1.0
        q0[:, md.it_l] = pi
    elif sb == 0:
        lik = lik * md.bp_1mp
    else:
        w1 = md.bp_p * np.where(si == 2, pi, np.where(si == 0, md.it_1mp, 1.0)).prod(axis=1)
        w0 = md.bp_1mp * (0.0 if (si == 2).any() else 1.0)
        tot = w1 + w0
        if md.grouped:
            # the diagram requires a biopsy of every item: under that constraint, P(biopsy) = q / (q + (1 - q)
            # prod(1 - p_item) over the unknown items); q chosen so that it is w1 / (w1 + w0)
            lik = lik * tot
            free = (1.0 - pi)[:, si == 1].prod(axis=1)
            num = w1 * free
            with np.errstate(divide="ignore", invalid="ignore"):
                q0[:, md.bp_l] = np.where(num + w0 > 0, num / (num + w0), 0.0)
            q0[:, md.it_l] = pi
        elif md.bp_merge or not (si == 1).any():
            lik = lik * tot
            with np.errstate(divide="ignore", invalid="ignore"):
                q0[:, md.bp_l] = np.where(tot > 0, w1 / tot, 0.0)
            q0[:, md.it_l] = pi
            bpm = md.bp_merge and bool((si == 1).any())
        else:
            groups.append((np.stack([w1, w0], axis=1), md.bp_on, md.bp_vals))
    # ---- CK band and enzymes
    x = int(s[md.ck_f])
    band_ok = md.ck_bits[x]
    se = s[md.en_f]
    pe = md.en_p  # (enzyme, band)
    efac = np.where((se == 2)[:, None], pe, np.where((se == 0)[:, None], md.en_1mp, 1.0)).prod(axis=0)  # per band
    wb = md.ck_p * efac[None, :]  # (condition, band)
    unk_en = bool(((se == 1) & md.en_support).any())
    reading_bands = np.flatnonzero(band_ok & md.ck_reads_enzymes)
    if len(reading_bands) >= 2 and unk_en:
        groups.append((wb * band_ok[None, :], md.ck_en_l, md.ck_vals))
    else:
        bands = np.flatnonzero(band_ok)
        wa = wb[:, bands]
        tot = wa.sum(axis=1)
        lik = lik * tot
        q0[:, md.ck_l] = wb
        if len(reading_bands):  # the one band whose label reads the enzymes gives their probabilities
            q0[:, md.en_l] = pe[:, reading_bands[0]][None, :]
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                q0[:, md.en_l] = np.where(tot[:, None] > 0, (wa @ pe[:, bands].T) / tot[:, None], 0.0)
    # ---- non-immune cause
    sc = s[md.ca_f]
    em = md.em_p  # (finding, cause)
    if record:
        sal = (sc == 1) & md.ca_salient
        cfac = np.where((sc == 2)[:, None], em, np.where((sc == 0)[:, None], md.em_1mp,
                                                          np.where(sal[:, None], md.em_1mpm, 1.0))).prod(axis=0)
        cq = np.where(sal[:, None], md.em_qsal, em)
    else:
        cfac = np.where((sc == 2)[:, None], em, np.where((sc == 0)[:, None], md.em_1mp, 1.0)).prod(axis=0)
        cq = em
    wc = md.ca_p * cfac[None, :]  # (condition, cause)
    free_c = int(((sc == 1) & md.ca_support).sum())
    pos_c = wc > 0
    multi = pos_c.sum(axis=1) >= 2
    if free_c >= 2 and multi.any():
        # conditions with two or more causes branch on them; the others take their mixture as one option
        t = wc.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mix = np.where(t[:, None] > 0, (wc @ cq.T) / t[:, None], 0.0)  # (condition, finding)
        W = np.where(multi[:, None], wc, 0.0)
        W[~multi, 0] = t[~multi]
        V = np.broadcast_to(cq.T[None, :, :], (nc, 3, 2)).copy()
        V[~multi, 0, :] = mix[~multi]
        groups.append((W, md.ca_l, V))
    else:
        tot = wc.sum(axis=1)
        lik = lik * tot
        with np.errstate(divide="ignore", invalid="ignore"):
            q0[:, md.ca_l] = np.where(tot[:, None] > 0, (wc @ cq.T) / tot[:, None], 0.0)
    # ---- myositis-specific antibody: one categorical variable ("which antibody", value 0 "none")
    sa = s[md.ms_f]
    pos = np.flatnonzero(sa == 2)
    if not md.grouped:
        # two or more known positive: one of them is the patient's antibody, the others false positives
        lik = lik * md.ms_p[:, pos + 1].sum(axis=1)
        q0[:, md.ms_l] = 0.0
    else:
        if len(pos) >= 2:  # pragma: no cover - compute() counts these on the plain diagram
            raise ValueError("two or more positive antibodies need the plain diagram")
        ok_v = np.ones(len(md.ms_l) + 1, dtype=bool)
        ok_v[1:] = sa != 0
        if len(pos) == 1:
            ok_v[:] = False
            ok_v[pos[0] + 1] = True
        wv = md.ms_p * ok_v[None, :]
        if record and _some_antibody_given(s, md, values):
            red = np.ones(len(md.ms_l) + 1)
            red[1:] = np.where(sa == 1, 1.0 - md.ms_m, 1.0)
            wv = wv * red[None, :]
        lik = lik * wv.sum(axis=1)
        # odds w: under "exactly one of the group or none" each value's share is w / sum(w)
        q0[:, md.ms_l] = wv[:, 1:] / (1.0 + wv[:, 1:])
        q0[:, md.none_l] = wv[:, 0] / (1.0 + wv[:, 0])
    # ---- combine: per condition, the product of its groups' options (C order: condition, then options)
    base = md.prior * lik
    wt = base
    for W, _lv, _V in groups:
        wt = wt[..., None] * W.reshape((nc,) + (1,) * (wt.ndim - 1) + (W.shape[1],))
    flat = wt.reshape(-1)
    idx = np.flatnonzero(flat > 0)
    if not len(idx):
        return None
    w = flat[idx]
    total = float(w.sum())
    if total <= 0 or not math.isfinite(total):
        return None
    exact = True
    dropped = 0.0
    if len(idx) > budget:
        order = np.argsort(-w, kind="stable")  # ties keep condition/branch order
        keep = np.sort(order[:budget])
        dropped = float(w[order[budget:]].sum()) / total
        idx, w = idx[keep], w[keep]
        exact = False
    k = len(idx)
    sub = np.unravel_index(idx, wt.shape)
    cond = sub[0].astype(np.intp)
    Q = q0[cond]
    for gi, (_W, lvs, V) in enumerate(groups):
        Q[:, lvs] = V[cond, sub[gi + 1]]
    mass = w / w.sum()
    wres = dg.weighted(packed, Q, derivatives=derivatives, presume_mimics_absent=False)
    pl = wres.p_label
    joint = wres.joint
    if md.grouped:  # condition each vector on the group's constraint (its probability is the labels' sum)
        z = pl.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(z > 0, 1.0 / z, 0.0)
        pl = pl * inv[:, None]
        if joint is not None:
            joint = joint * inv[:, None, None]
    p_label = mass @ pl
    p_label = np.maximum(p_label, 0.0)
    p_label /= p_label.sum()
    post = np.bincount(cond, weights=mass, minlength=nc)
    out = Differential(p_label, post, exact, float(dropped), k, False, reading)
    out._model = md
    out._mass, out._cond, out._q = mass, cond, Q
    if derivatives:
        out._pl, out._joint = pl, joint
        out._bpm = bpm
    out._state = s[:md.nf]
    return out


def _count_assumed(out: Differential) -> None:
    """How many assumed numbers the result rests on, and the assumed evidence under the leading condition.

    Counted: the assumed inputs of the priors and, for every condition with posterior >= 0.001, the
    assumed numbers of the model entries of the known findings (evidence) and of the unknown findings
    the label function reads (completion); under ``record``, the assumed reporting probabilities of the
    unknown salient findings.
    """
    md, s = out._model, out._state
    assert md is not None and s is not None
    live = out.posterior >= _RESTS_ON_MIN
    known = md.known_of[s, md.is_bool_i]  # per finding: its value is known
    relevant = known | md.support
    n = int((md.cnt[live] @ relevant).sum())
    n += int(md.cnt_msa[live].sum()) + int(md.cnt_cause[live].sum()) + md.cnt_emission
    n += int(md.cnt_enzyme_arr[relevant[md.en_f]].sum())
    rests = 0
    for d in np.flatnonzero(live):
        rests |= md.prior_rests_bits[d]
    n += rests.bit_count()
    if out.reading == "record":
        n += md.reporting_assumed_total
    lead = int(np.argmax(out.p_label))
    top = md.assumed_entry[lead] & known
    out._assumed = (n, [md.assumed_name[lead][f] for f in np.flatnonzero(top)[:5]])


def rounded(p_label: Sequence[float] | np.ndarray, places: int = 4) -> list[dict[str, Any]]:
    """``[{"label", "probability"}]``, most probable first, labels with a non-zero rounded share only.

    Rounded to ``places`` decimals by the largest-remainder method, so the probabilities are
    multiples of 10**-places whose integer counts sum to exactly 10**places. Ties keep label
    precedence order.
    """
    scale = 10 ** places
    p = [float(x) for x in p_label]  # plain floats: 15 numbers, no array overhead
    tot = sum(p)
    raw = [x / tot * scale for x in p]
    base = [math.floor(x) for x in raw]
    rest = scale - sum(base)
    frac = [x - b for x, b in zip(raw, base, strict=True)]
    for i in sorted(range(len(p)), key=lambda i: (-frac[i], i))[:rest]:
        base[i] += 1
    order = sorted(range(len(p)), key=lambda i: (-base[i], -p[i], i))
    return [{"label": LABELS[i], "probability": base[i] / scale} for i in order if base[i] > 0]


@dataclass
class _ItemGroups:
    """The biopsy item assignments (all 2^15) grouped by the restricted label function they give."""

    reps: np.ndarray  # (G, items) 0/1: one assignment per group
    starts: np.ndarray  # (G + 1,) offsets into the assignments sorted by group
    lik: np.ndarray  # (2^items, conditions): P(assignment | condition), assignments sorted by group
    liksum: np.ndarray  # (G, conditions): P(group | condition)
    starts64: np.ndarray  # ``starts`` as int64, for the C sums


def _restrict_groups(md: _Model) -> _ItemGroups:
    """The biopsy item assignments the label function tells apart, and every assignment's probability.

    Two assignments of the 15 items are in one group when the label function restricted to each is the
    same function of the other findings (every label's root reduces to the same node of one shared
    unique table: a reduced ordered BDD is canonical). Built item by item, merging equal restrictions,
    so the diagram work follows the number of groups (44 under the default policy), not 2^15. The
    items are independent given the condition (the model's ``BOOLEAN`` entries, clipped as the model is).
    """
    t = md.dg.table
    unique: dict[tuple[int, int, int], int] = {}
    nodes: list[tuple[int, int, int]] = [(int(t.level[0]), 0, 0), (int(t.level[1]), 1, 1)]
    for i in range(2, t.n):  # the table is reduced: its nodes enter the unique table as they are
        key = (int(t.level[i]), int(t.lo[i]), int(t.hi[i]))
        unique[key] = i
        nodes.append(key)

    def mk(lv: int, a: int, b: int) -> int:
        if a == b:
            return a
        key = (lv, a, b)
        x = unique.get(key)
        if x is None:
            x = unique[key] = len(nodes)
            nodes.append(key)
        return x

    def restrict(roots: tuple[int, ...], lv: int, val: int) -> tuple[int, ...]:
        memo: dict[int, int] = {0: 0, 1: 1}

        def go(u: int) -> int:
            got = memo.get(u)
            if got is not None:
                return got
            ulv, a, b = nodes[u]
            if ulv > lv:
                r = u
            elif ulv == lv:
                r = b if val else a
            else:
                r = mk(ulv, go(a), go(b))
            memo[u] = r
            return r

        return tuple(go(r) for r in roots)

    # state: restricted roots -> assignment codes (bit j = item j present)
    states: dict[tuple[int, ...], np.ndarray] = {tuple(int(r) for r in t.roots): np.zeros(1, dtype=np.int64)}
    for j, lv in enumerate(md.it_l):
        nxt: dict[tuple[int, ...], list[np.ndarray]] = {}
        for roots, codes in states.items():
            for val in (0, 1):
                nxt.setdefault(restrict(roots, int(lv), val), []).append(codes | (val << j))
        states = {k: np.concatenate(v) for k, v in nxt.items()}
    groups = list(states.values())
    n_items = len(md.it_l)
    reps = np.array([[(int(g[0]) >> j) & 1 for j in range(n_items)] for g in groups], dtype=np.float64)
    codes = np.concatenate(groups)
    starts = np.concatenate([[0], np.cumsum([len(g) for g in groups])]).astype(np.intp)
    bits = (codes[:, None] >> np.arange(n_items)) & 1  # (assignment, item)
    p = md.it_p  # (condition, item)
    lik = np.ones((len(codes), md.nc))
    for j in range(n_items):
        lik *= np.where(bits[:, j:j + 1] == 1, p[None, :, j], 1.0 - p[None, :, j])
    liksum = np.add.reduceat(lik, starts[:-1], axis=0)
    return _ItemGroups(reps, starts, lik, np.ascontiguousarray(liksum), starts.astype(np.int64))


def prepare(policy: Policy = Policy()) -> None:
    """Build what the differential needs for ``policy`` once (the models and the biopsy item groups), so
    that no request pays for it (a server calls this at start-up)."""
    _groups_of(model_for(policy))
    model_for(policy, grouped=False)


def _groups_of(md: _Model) -> _ItemGroups:
    got: _ItemGroups | None = getattr(md, "_item_groups", None)
    if got is None:
        got = md._item_groups = _restrict_groups(md)  # type: ignore[attr-defined]
    return got


@dataclass
class BiopsyInformation:
    """What doing a muscle biopsy (``biopsy_performed`` known false) is expected to tell, in bits.

    ``information`` is I(L'; V): the mutual information between the biopsy findings V (all items,
    drawn from the model given the condition) and the label L' the criteria will give once a biopsy
    is done, i.e. the expected drop in the entropy of the biopsied case's differential from learning
    the findings. The biopsied case is the known findings with ``biopsy_performed`` true and the items
    unknown, so its differential is the one myoclass will show once the biopsy is recorded as done
    (P(biopsy | condition) weighs in). Computed exactly over all 2^15 item assignments: one weighted
    count per group of assignments the label function tells apart (``groups``, 44 under the default
    policy; :func:`_restrict_groups`) and branch, then each assignment's own posterior; ``exact`` is
    False only when the biopsied case's differential itself was bounded (see :func:`compute`).
    ``entropy_after`` is H(L'), ``entropy_now`` the entropy of the case's differential as it stands.

    ``expected_drop`` = ``entropy_now`` − H(L' | V) is what a next test's ``expected_information``
    means for every other finding: the expected drop in the entropy of the differential the clinician
    sees, from now to after the result. For a biopsy it can be negative: the biopsied case's criteria
    can give labels the unbiopsied one cannot, so a case that is nearly settled without a biopsy (e.g.
    anti-HMGCR IMNM by its antibody) may be expected to be less settled with one until the antibody is
    known. :attr:`expected_information` is that drop, never below 0.
    """

    information: float
    entropy_after: float
    entropy_now: float
    groups: int
    exact: bool

    @property
    def expected_drop(self) -> float:
        return self.entropy_now - (self.entropy_after - self.information)

    @property
    def expected_information(self) -> float:
        return _drop(self.entropy_now, self.entropy_after - self.information)


def biopsy_information(shown: Mapping[str, int] | bytes, reading: str = "clinic", policy: Policy = Policy(),
                       values: Mapping[str, Any] | None = None,
                       now: Differential | None = None, age_now: float | None = None) -> BiopsyInformation:
    """The expected information of doing a biopsy for a case whose biopsy was not done (exact).

    P(L', v) = sum over the biopsied case's branches k (condition d_k, posterior mass m_k) of
    m_k P(v | d_k) P(L' | branch k, items = v), where the last factor is the same for every v of one
    group g (one weighted count per group and branch, in one call); then
    I(L'; V) = H(L') - sum_v P(v) H(L' | v). ``now`` (the case's own differential) saves
    its recomputation.
    """
    base = model_for(policy)
    packed = shown if isinstance(shown, bytes) else base.dg.engine.pack(shown)
    if now is None:
        now = compute(packed, reading, policy, derivatives=False, values=values, age_now=age_now)
    s = bytearray(packed)
    s[base.bp_f] = 2
    for f in base.it_f:
        s[int(f)] = 1
    cf = compute(bytes(s), reading, policy, derivatives=False, values=values, age_now=age_now)
    md, Q, mass, cond = cf._model, cf._q, cf._mass, cf._cond
    assert md is not None and Q is not None and mass is not None and cond is not None
    ig = _groups_of(md)
    G, k = ig.reps.shape[0], Q.shape[0]
    Qg = np.repeat(Q[None, :, :], G, axis=0)
    Qg[:, :, md.it_l] = ig.reps[:, None, :]
    state = bytes(s) + (b"\x01" if md.grouped else b"")
    pl = md.dg.weighted(state, Qg.reshape(G * k, -1), derivatives=False, presume_mimics_absent=False).p_label
    if md.grouped:
        z = pl.sum(axis=1, keepdims=True)
        pl = np.divide(pl, z, out=np.zeros_like(pl), where=z > 0)
    # per group and condition: sum over the condition's branches of mass x P(L' | branch, group)
    onehot = np.zeros((k, md.nc))
    onehot[np.arange(k), cond] = mass
    PLd = np.einsum("gkl,kd->gdl", pl.reshape(G, k, -1), onehot)
    if md.c is not None:  # the same sums in C, over the conditions and labels with mass in each group
        p_after = np.empty(pl.shape[1])
        h_cond = md.c[0].dd_items_entropy(G, ig.starts64.ctypes.data, ig.lik.ctypes.data, ig.liksum.ctypes.data, md.nc,
                                          np.ascontiguousarray(PLd).ctypes.data, pl.shape[1], p_after.ctypes.data)
        info = _drop(_entropy(p_after), h_cond)
        return BiopsyInformation(info, cf.entropy, now.entropy, G, cf.exact)
    P = np.empty((ig.lik.shape[0], pl.shape[1]))  # P(L', assignment) = sum_d P(assignment | d) PLd[g, d]
    for g in range(G):
        a, b = ig.starts[g], ig.starts[g + 1]
        np.matmul(ig.lik[a:b], PLd[g], out=P[a:b])
    tot = P.sum(axis=1)
    # H(L' | V) = sum_v P(v) H(L' | v) = -sum P log P + sum_v P(v) log P(v)
    tiny = np.finfo(np.float64).tiny
    h_cond = float(-(P * np.log2(np.maximum(P, tiny))).sum() + (tot * np.log2(np.maximum(tot, tiny))).sum())
    info = _drop(_entropy(P.sum(axis=0)), h_cond)
    return BiopsyInformation(info, cf.entropy, now.entropy, G, cf.exact)
