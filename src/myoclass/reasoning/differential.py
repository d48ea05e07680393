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

* ``msa`` ("which myositis-specific antibody"): the values consistent with the known antibody
  results (a known negative rules its value out; a known positive fixes the value). Values the
  label function cannot tell apart (the diagram restricted to each value's one-hot assignment has
  identical roots, checked once per policy) share one vector. With two classes left, one of them
  all-negative, the two vectors differ in one variable only, so one vector with that variable's
  posterior probability is exact (the count is linear in each variable).
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

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from myoclass.criteria import Policy
from myoclass.logic.diagram import Diagram, diagram
from myoclass.model.fields import ANTIBODIES, BIOPSY_ITEMS
from myoclass.model.findings import FINDINGS
from myoclass.reasoning import differential_model as M
from myoclass.reasoning.engine import LABELS

__all__ = ["READINGS", "VECTOR_BUDGET", "Differential", "compute", "model_for", "rounded"]

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


def _assumed(n: M.Number) -> int:
    return 1 if n.tag == "assumed" else 0


class _Model:
    """The model's numbers as arrays aligned with one diagram's levels (built once per policy)."""

    def __init__(self, dg: Diagram, relax: bool) -> None:
        if tuple(M.CONDITIONS) != tuple(LABELS):  # pragma: no cover - guarded by the model's tests
            raise ValueError("the model's conditions must be the labels, in order")
        self.dg = dg
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
        self.ab_f = np.array([idx[a] for a in _ANY_AB], dtype=np.intp)
        cls, self.bp_merge, reads = _structure(dg, self.ms_l, self.bp_l, self.it_l, self.ck_l, self.en_l)
        #: CK bands with which the label function reads LDH/AST/ALT (with the others they are irrelevant)
        self.ck_reads_enzymes = np.array(reads, dtype=bool)
        self.ms_class = np.array(cls, dtype=np.intp)  # class id per value (0..16)
        self.n_class = int(self.ms_class.max()) + 1
        self._assumed_tables()

    def _level(self, name: str) -> int:
        lv = self.dg.levels_of[self.idx[name]]
        if len(lv) != 1:  # pragma: no cover - every boolean finding has one variable
            raise ValueError(name)
        return lv[0]

    def _in_support(self, lv: int) -> bool:
        ls = self.dg._lstart
        return bool(ls[lv + 1] > ls[lv])

    def _assumed_tables(self) -> None:
        """Per (condition, finding): how many assumed numbers that finding's model entry holds."""
        C = M.CONDITIONS
        nf = len(self.dg.var_names)
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
        self.is_bool = np.array([FINDINGS[n].is_bool for n in self.dg.var_names])


def _structure(dg: Diagram, ms_l: np.ndarray, bp_l: int, it_l: np.ndarray, ck_l: np.ndarray,
               en_l: np.ndarray) -> tuple[list[int], bool, list[bool]]:
    """MSA values the label function cannot tell apart, whether no biopsy makes the items irrelevant, and
    per CK band whether the label function with that band reads LDH/AST/ALT.

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

    levels = [int(x) for x in ms_l]
    keys: list[tuple[int, ...]] = []
    for v in range(len(levels) + 1):
        keys.append(roots_under({lv: int(v == j + 1) for j, lv in enumerate(levels)}))
    cls: list[int] = []
    seen: dict[tuple[int, ...], int] = {}
    for k in keys:
        cls.append(seen.setdefault(k, len(seen)))
    no_bx = roots_under({bp_l: 0})
    no_bx_items = roots_under({bp_l: 0, **{int(lv): 0 for lv in it_l}})
    reads: list[bool] = []
    for b in range(len(ck_l)):
        band = {int(lv): int(j == b) for j, lv in enumerate(ck_l)}
        reads.append(roots_under(band) != roots_under({**band, **{int(lv): 0 for lv in en_l}}))
    return cls, no_bx == no_bx_items, reads


@lru_cache(maxsize=32)
def model_for(policy: Policy = Policy(), relax: bool = False) -> _Model:
    """The model's arrays for the diagram of ``policy`` (cached)."""
    return _Model(diagram(policy), relax)


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
    assumed_count: int = 0
    assumed_top: list[str] = field(default_factory=list)
    # for next tests: per kept branch, its mass, condition, MSA tag, and the weighted counts
    _mass: np.ndarray | None = None
    _cond: np.ndarray | None = None
    _msa: list[Any] = field(default_factory=list)
    _bpm: np.ndarray | None = None
    _q: np.ndarray | None = None
    _pl: np.ndarray | None = None
    _joint: np.ndarray | None = None
    _model: _Model | None = None

    @property
    def entropy(self) -> float:
        return _entropy(self.p_label)

    def finding_joint(self, finding: str) -> dict[str, np.ndarray]:
        """P(label ∧ finding = value | known) per value (``present``/``absent`` or per band); needs derivatives."""
        md, pl, joint, mass = self._model, self._pl, self._joint, self._mass
        if md is None or pl is None or joint is None or mass is None or self._cond is None or self._q is None:
            raise ValueError("computed without derivatives")
        dg = md.dg
        f = md.idx[finding]
        lvs = dg.levels_of[f]
        w = mass[:, None]
        if not FINDINGS[finding].is_bool:
            return {band: (w * joint[:, :, lv]).sum(axis=0) for band, lv in zip(FINDINGS[finding].values, lvs,
                                                                                 strict=True)}
        lv = lvs[0]
        if finding in _MSA:
            v = _MSA.index(finding) + 1
            c = md.ms_class[v]
            pres = np.zeros(len(LABELS))
            for g in range(len(mass)):
                tag = self._msa[g]
                if tag is None:  # the antibodies are all known
                    pres += mass[g] * joint[g, :, lv]
                    continue
                fr = tag[0].get(v, 0.0)
                if not fr:
                    continue
                if tag[1] is None:  # branch on one class: the value is in it or not
                    if tag[2] == c:
                        pres += mass[g] * fr * pl[g]
                else:  # two classes merged on one variable
                    lm = md.ms_l[tag[1] - 1]
                    in_c1 = md.ms_class[tag[1]] == c
                    part = joint[g, :, lm] if in_c1 else pl[g] - joint[g, :, lm]
                    pres += mass[g] * fr * part
        elif finding in _ENZYMES:
            # one vector over several CK bands: with a band whose label ignores the enzyme, the vector's
            # enzyme probability stands in for p(enzyme | band); correct it, P(L, band, e) = p(e|band) P(L, band)
            e = _ENZYMES.index(finding)
            pres = (w * joint[:, :, lv]).sum(axis=0)
            for b, lb in enumerate(md.ck_l):
                diff = md.en_p[e, b] - self._q[:, lv]
                pres = pres + ((mass * diff)[:, None] * joint[:, :, lb]).sum(axis=0)
            pres = np.clip(pres, 0.0, self.p_label)
        elif finding in BIOPSY_ITEMS and self._bpm is not None and self._bpm.any():
            # merged biopsy: the vector draws the items also without a biopsy, where the label ignores them
            pres = (w * joint[:, :, lv]).sum(axis=0)
            qi = self._q[:, lv]
            no_bx = pl - joint[:, :, md.bp_l]
            corr = (mass * qi * self._bpm)[:, None] * no_bx
            pres = np.maximum(pres - corr.sum(axis=0), 0.0)
        else:
            pres = (w * joint[:, :, lv]).sum(axis=0)
        return {"present": pres, "absent": np.maximum(self.p_label - pres, 0.0)}

    def information(self, finding: str) -> tuple[float | None, dict[str, float], float]:
        """(P(present) or None for a banded finding, P(value) per value, expected entropy drop in bits)."""
        j = self.finding_joint(finding)
        pv = {k: float(v.sum()) for k, v in j.items()}
        h = self.entropy
        after = 0.0
        for k, v in j.items():
            if pv[k] > 0:
                after += pv[k] * _entropy(v / pv[k])
        ei = max(0.0, h - after)
        if ei < 1e-12:
            ei = 0.0
        p = pv["present"] if "present" in pv else None
        return p, pv, ei


def _entropy(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-(q * np.log2(q)).sum()) if q.size else 0.0


def _some_antibody_given(state: np.ndarray, md: _Model, values: Mapping[str, Any] | None) -> bool:
    if values is not None:
        return any(values.get(a) is not None for a in _ANY_AB)
    return bool((state[md.ab_f] != 1).any())


def compute(shown: Mapping[str, int] | bytes, reading: str = "clinic", policy: Policy = Policy(),
            derivatives: bool = True, budget: int = VECTOR_BUDGET,
            values: Mapping[str, Any] | None = None) -> Differential:
    """The differential for a case's findings as known (``display_state``: unknown mimics stay unknown).

    ``values`` (the case's flat values) tells the ``record`` reading whether some antibody result was
    given (an antibody outside the findings, e.g. anti-Ro52, counts); without it, the antibody findings
    are used.
    """
    if reading not in READINGS:
        raise ValueError(f"unknown reading policy {reading!r}; allowed: {', '.join(READINGS)}")
    md = model_for(policy)
    packed = shown if isinstance(shown, bytes) else md.dg.engine.pack(shown)
    res = _compute(md, packed, reading, derivatives, budget, values)
    if res is None:
        res = _compute(model_for(policy, relax=True), packed, reading, derivatives, budget, values)
        if res is None:  # pragma: no cover - clipped probabilities are never all zero
            raise ValueError("the known findings are impossible under the model")
        res.relaxed = True
    return res


def _compute(md: _Model, packed: bytes, reading: str, derivatives: bool, budget: int,
             values: Mapping[str, Any] | None) -> Differential | None:
    dg = md.dg
    nc, nl = md.nc, dg.nl
    s = np.frombuffer(packed, dtype=np.uint8)
    record = reading == "record"
    q0 = np.zeros((nc, nl))
    # ---- independent booleans
    sv = s[md.ib_f]
    pres, absn, unk = sv == 2, sv == 0, sv == 1
    p = md.ib_p
    m = md.ib_m if record else np.zeros_like(md.ib_m)
    salient = unk & (m > 0)
    pm = p * m
    fac = np.where(pres, p, np.where(absn, 1.0 - p, np.where(salient, 1.0 - pm, 1.0)))
    lik = fac.prod(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        qc = np.where(salient, np.where(1.0 - pm > 0, p * (1.0 - m) / (1.0 - pm), 0.0), p)
    q0[:, md.ib_l] = qc
    # ---- independent categoricals: likelihood of the allowed bands; the diagram renormalises
    for f, lvs, pc in md.cats:
        x = int(s[f])
        allowed = [b for b in range(len(lvs)) if x >> b & 1]
        if len(allowed) < len(lvs):
            lik = lik * pc[:, allowed].sum(axis=1)
        q0[:, lvs] = pc
    groups: list[list[list[_Opt]]] = []  # per group, per condition, its options (when branched)
    # ---- biopsy
    sb = int(s[md.bp_f])
    si = s[md.it_f]
    pi = md.it_p
    bpm = False
    if sb == 2:
        lik = lik * md.bp_p * np.where(si == 2, pi, np.where(si == 0, 1.0 - pi, 1.0)).prod(axis=1)
        q0[:, md.bp_l] = 1.0
        q0[:, md.it_l] = pi
    elif sb == 0:
        lik = lik * (1.0 - md.bp_p)
    else:
        w1 = md.bp_p * np.where(si == 2, pi, np.where(si == 0, 1.0 - pi, 1.0)).prod(axis=1)
        w0 = (1.0 - md.bp_p) * (0.0 if (si == 2).any() else 1.0)
        tot = w1 + w0
        if md.bp_merge or not (si == 1).any():
            lik = lik * tot
            with np.errstate(divide="ignore", invalid="ignore"):
                q0[:, md.bp_l] = np.where(tot > 0, w1 / tot, 0.0)
            q0[:, md.it_l] = pi
            bpm = md.bp_merge and bool((si == 1).any())
        else:
            on = np.concatenate([[md.bp_l], md.it_l])
            zeros = np.zeros(len(on))
            groups.append([[(float(w1[d]), on, np.concatenate([[1.0], pi[d]]), None),
                            (float(w0[d]), on, zeros, None)] for d in range(nc)])
    # ---- CK band and enzymes
    x = int(s[md.ck_f])
    bands = [b for b in range(len(md.ck_l)) if x >> b & 1]
    se = s[md.en_f]
    pe = md.en_p  # (enzyme, band)
    efac = np.where((se == 2)[:, None], pe, np.where((se == 0)[:, None], 1.0 - pe, 1.0)).prod(axis=0)  # per band
    wb = md.ck_p * efac[None, :]  # (condition, band)
    unk_en = (se == 1) & md.en_support
    reading_bands = [b for b in bands if md.ck_reads_enzymes[b]]
    if len(reading_bands) >= 2 and unk_en.any():
        lvs = np.concatenate([md.ck_l, md.en_l])
        opts = []
        for d in range(nc):
            row = []
            for b in bands:
                onehot = np.zeros(len(md.ck_l))
                onehot[b] = 1.0
                row.append((float(wb[d, b]), lvs, np.concatenate([onehot, pe[:, b]]), None))
            opts.append(row)
        groups.append(opts)
    else:
        wa = wb[:, bands]
        tot = wa.sum(axis=1)
        lik = lik * tot
        q0[:, md.ck_l] = wb
        if reading_bands:  # the one band whose label reads the enzymes gives their probabilities
            qe = np.broadcast_to(pe[:, reading_bands[0]], (nc, len(md.en_l)))
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                qe = np.where(tot[:, None] > 0, (wa @ pe[:, bands].T) / tot[:, None], 0.0)
        q0[:, md.en_l] = qe
    # ---- non-immune cause
    sc = s[md.ca_f]
    em = md.em_p  # (finding, cause)
    mc = md.ca_m if record else np.zeros(2)
    sal = (sc == 1) & (mc > 0)
    emm = em * mc[:, None]
    cfac = np.where((sc == 2)[:, None], em, np.where((sc == 0)[:, None], 1.0 - em,
                                                      np.where(sal[:, None], 1.0 - emm, 1.0))).prod(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cq = np.where(sal[:, None], np.where(1.0 - emm > 0, em * (1.0 - mc[:, None]) / (1.0 - emm), 0.0), em)
    wc = md.ca_p * cfac[None, :]  # (condition, cause)
    free_c = int(((sc == 1) & md.ca_support).sum())
    multi = (wc > 0).sum(axis=1) >= 2
    if free_c >= 2 and multi.any():
        opts = []
        for d in range(nc):
            if multi[d]:
                opts.append([(float(wc[d, c]), md.ca_l, cq[:, c], None) for c in range(3) if wc[d, c] > 0])
            else:
                t = float(wc[d].sum())
                qq = (cq * wc[d][None, :]).sum(axis=1) / t if t > 0 else np.zeros(2)
                opts.append([(t, md.ca_l, qq, None)])
        groups.append(opts)
    else:
        tot = wc.sum(axis=1)
        lik = lik * tot
        with np.errstate(divide="ignore", invalid="ignore"):
            q0[:, md.ca_l] = np.where(tot[:, None] > 0, (wc @ cq.T) / tot[:, None], 0.0)
    # ---- myositis-specific antibody
    sa = s[md.ms_f]
    pos = np.flatnonzero(sa == 2)
    msa_opts: list[list[_Opt]] = []
    nms = len(md.ms_l)
    if len(pos) >= 2:
        # two or more known positive: one of them is the patient's antibody, the others false positives
        lik = lik * md.ms_p[:, pos + 1].sum(axis=1)
        q0[:, md.ms_l] = 0.0
    else:
        ok_v = np.ones(nms + 1, dtype=bool)
        ok_v[1:] &= sa != 0
        if len(pos) == 1:
            ok_v[:] = False
            ok_v[pos[0] + 1] = True
        wv = md.ms_p * ok_v[None, :]
        if record and _some_antibody_given(s, md, values):
            red = np.ones(nms + 1)
            red[1:] = np.where(sa == 1, 1.0 - md.ms_m, 1.0)
            wv = wv * red[None, :]
        ncl = md.n_class
        wcl = np.zeros((nc, ncl))
        for v in np.flatnonzero(ok_v):
            wcl[:, md.ms_class[v]] += wv[:, v]
        rep: dict[int, int] = {}
        for v in np.flatnonzero(ok_v):
            rep.setdefault(int(md.ms_class[v]), int(v))
        none_c = int(md.ms_class[0])
        for d in range(nc):
            live = [c for c in range(ncl) if wcl[d, c] > 0]
            fr = {int(v): float(wv[d, v] / wcl[d, md.ms_class[v]]) for v in np.flatnonzero(ok_v)
                  if wcl[d, md.ms_class[v]] > 0}
            if len(live) == 2 and none_c in live and rep.get(none_c) == 0:
                other = live[0] if live[1] == none_c else live[1]
                rv = rep[other]
                vals = np.zeros(nms)
                tot = float(wcl[d, none_c] + wcl[d, other])
                vals[rv - 1] = wcl[d, other] / tot
                msa_opts.append([(tot, md.ms_l, vals, (fr, rv, None))])
                continue
            crow: list[_Opt] = []
            for c in live:
                vals = np.zeros(nms)
                if rep[c]:
                    vals[rep[c] - 1] = 1.0
                crow.append((float(wcl[d, c]), md.ms_l, vals, (fr, None, c)))
            msa_opts.append(crow)
        groups.append(msa_opts)
    # ---- combine: per condition, the product of its groups' options
    base = md.prior * lik
    rows: list[tuple[float, int, tuple[_Opt, ...]]] = []
    for d in range(nc):
        if base[d] <= 0:
            continue
        per = [g[d] for g in groups]
        for combo in itertools.product(*per):
            w = base[d]
            for o in combo:
                w *= o[0]
            if w > 0:
                rows.append((w, d, combo))
    total = sum(r[0] for r in rows)
    if not rows or total <= 0 or not math.isfinite(total):
        return None
    exact = True
    dropped = 0.0
    if len(rows) > budget:
        order = sorted(range(len(rows)), key=lambda i: -rows[i][0])  # stable: ties keep condition/branch order
        keep = sorted(order[:budget])
        dropped = sum(rows[i][0] for i in order[budget:]) / total
        rows = [rows[i] for i in keep]
        exact = False
    k = len(rows)
    Q = np.empty((k, nl))
    mass = np.empty(k)
    cond = np.empty(k, dtype=np.intp)
    tags: list[Any] = []
    for g, (w, d, combo) in enumerate(rows):
        Q[g] = q0[d]
        tag = None
        for _w, lvs, vals, t in combo:
            Q[g, lvs] = vals
            if t is not None:
                tag = t
        mass[g] = w
        cond[g] = d
        tags.append(tag)
    mass /= mass.sum()
    wres = dg.weighted(packed, Q, derivatives=derivatives, presume_mimics_absent=False)
    pl = wres.p_label
    p_label = mass @ pl
    p_label = np.maximum(p_label, 0.0)
    p_label /= p_label.sum()
    post = np.zeros(nc)
    np.add.at(post, cond, mass)
    out = Differential(p_label, post, exact, float(dropped), k, False, reading)
    if derivatives:
        out._mass, out._cond, out._msa, out._q, out._pl, out._joint, out._model = (
            mass, cond, tags, Q, pl, wres.joint, md)
        out._bpm = np.full(k, bpm)
    _count_assumed(out, md, s, reading)
    return out


def _count_assumed(out: Differential, md: _Model, s: np.ndarray, reading: str) -> None:
    """How many assumed numbers the result rests on, and the assumed evidence under the leading condition.

    Counted: the assumed inputs of the priors and, for every condition with posterior >= 0.001, the
    assumed numbers of the model entries of the known findings (evidence) and of the unknown findings
    the label function reads (completion); under ``record``, the assumed reporting probabilities of the
    unknown salient findings.
    """
    live = np.flatnonzero(out.posterior >= _RESTS_ON_MIN)
    known = np.where(md.is_bool, s != 1, (s & (s - 1)) == 0)
    relevant = known | md.support
    n = int(md.cnt[np.ix_(live, np.flatnonzero(relevant))].sum())
    n += int(md.cnt_msa[live].sum()) + int(md.cnt_cause[live].sum()) + md.cnt_emission
    n += sum(c for f, c in md.cnt_enzyme.items() if relevant[f])
    rests: set[str] = set()
    for d in live:
        rests |= md.prior_rests[d]
    n += len(rests & md.prior_inputs_assumed)
    if reading == "record":
        n += sum(md.reporting_assumed.values())
    out.assumed_count = n
    lead = int(np.argmax(out.p_label))
    c = M.CONDITIONS[lead]
    top: list[str] = []
    for f in np.flatnonzero(known):
        name = md.dg.var_names[f]
        if name in M.BOOLEAN and M.BOOLEAN[name][c].tag == "assumed":
            top.append(f"P({name} | {c})")
        elif name in M.CATEGORICAL and any(x.tag == "assumed" for x in M.CATEGORICAL[name][c].values()):
            top.append(f"P({name} | {c})")
        if len(top) >= 5:
            break
    out.assumed_top = top


def rounded(p_label: Sequence[float] | np.ndarray, places: int = 4) -> list[dict[str, Any]]:
    """``[{"label", "probability"}]``, most probable first, labels with a non-zero rounded share only.

    Rounded to ``places`` decimals by the largest-remainder method, so the probabilities are
    multiples of 10**-places whose integer counts sum to exactly 10**places. Ties keep label
    precedence order.
    """
    scale = 10 ** places
    p = np.asarray(p_label, dtype=np.float64)
    raw = p / p.sum() * scale
    base = np.floor(raw).astype(np.int64)
    rest = int(scale - base.sum())
    frac = raw - base
    for i in sorted(range(len(p)), key=lambda i: (-frac[i], i))[:rest]:
        base[i] += 1
    order = sorted(range(len(p)), key=lambda i: (-base[i], -p[i], i))
    return [{"label": LABELS[i], "probability": int(base[i]) / scale} for i in order if base[i] > 0]
