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
from typing import TYPE_CHECKING, Any

import numpy as np

from myoclass.criteria import Policy
from myoclass.model.fields import BIOPSY_ITEMS
from myoclass.model.findings import FINDINGS
from myoclass.reasoning import differential_model as M
from myoclass.reasoning.differential_tables import (
    ANY_ANTIBODY,
    BIOPSY_GROUP,
    ENZYMES,
    MSA_GROUP,
    RESTS_ON_MIN,
    ModelTables,
    model_for,
)
from myoclass.reasoning.engine import LABELS

if TYPE_CHECKING:
    from myoclass.reasoning.biopsy_information import BiopsyInformation

__all__ = ["BIOPSY_GROUP", "MSA_GROUP", "READINGS", "VECTOR_BUDGET", "Differential", "compute", "model_for", "prepare",
           "rounded"]

#: reading policies (``differential_model.READING_POLICIES``); ``clinic`` is the default
READINGS = tuple(M.READING_POLICIES)
#: at most this many weight vectors (condition x group value) per case; past it, the largest-mass
#: branches are kept and the result carries the dropped mass as its total-variation bound
VECTOR_BUDGET = 128
#: a floor under joints whose logarithm is taken (their product with it is 0 where they are)
_TINY = 1e-300
#: the state byte of the course after stopping a statin when it is unknown (every value allowed)
_COURSE_UNKNOWN = FINDINGS["statin_withdrawal_outcome"].full
#: a value of a finding whose probability is below this has no leading label after it (:meth:`Differential.leading_after`)
_MIN_VALUE_MASS = 1e-12
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
    _model: ModelTables | None = None
    _state: np.ndarray | None = None
    _assumed: tuple[int, list[str]] | None = None
    _jsum: np.ndarray | None = None
    _entropy: float | None = None
    _values: Mapping[str, Any] | None = None
    _age_now: float | None = None
    _first_year: bool = False
    _sex: str | None = None
    #: per diagram level, when the C path gave them: for a boolean finding its expected information and
    #: P(present); for a band, its term of the conditional entropy of the label and P(band)
    _level_info: tuple[np.ndarray | None, np.ndarray | None] | None = None
    _policy: Policy | None = None
    #: what doing a biopsy would tell (a case whose biopsy was not done), once computed: the ranking and
    #: ``leading_if`` both read it
    _biopsy_info: BiopsyInformation | None = None
    #: :meth:`statin_course_joints`, once computed (a 1-tuple: None inside means "not asked for by this case")
    _course: tuple[np.ndarray | None] | None = None

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

    def statin_course_joints(self) -> np.ndarray | None:
        """While both statin use and the course after stopping a statin are unknown: the joints of the test
        "the course after the statin was stopped (if one was taken)", whose results are a statin taken and the
        course resolved, a statin taken and the course persisted, and no statin, as rows (in that order) of
        P(label, result | known); None otherwise (or without derivatives).

        The model gives the course per condition given a statin taken and stopped
        (:data:`~myoclass.reasoning.differential_model.CATEGORICAL_GIVEN`), but the diagram draws it for every
        patient. The label function reads the course only together with statin use, so without a statin the
        course is irrelevant to the label and independent of every other finding given the branch:
        P(L, no statin, course v | branch) = P(v | branch) P(L, no statin | branch), which the branch's joints
        give exactly. P(L, statin, v) is P(L, v) less that."""
        if self._course is not None:  # asked for by the ranking and by ``leading_after``: computed once
            return self._course[0]
        md, pl, joint, mass, q, s = self._model, self._pl, self._joint, self._mass, self._q, self._state
        if md is None or pl is None or joint is None or mass is None or q is None or s is None:
            return None
        ef, of = md.idx["statin_exposure"], md.idx["statin_withdrawal_outcome"]
        out: np.ndarray | None = None
        if int(s[ef]) == 1 and int(s[of]) == _COURSE_UNKNOWN:
            e_l = md.dg.levels_of[ef][0]
            o_l = md.dg.levels_of[of]
            qo = q[:, o_l]
            tot = qo.sum(axis=1, keepdims=True)
            wq = (mass[:, None] * qo / np.where(tot > 0, tot, 1.0)).T  # (value, branch)
            no_statin_b = np.maximum(pl - joint[:, :, e_l], 0.0)  # (branch, label): P(L, no statin | branch)
            js = self._weighted_joint()
            out = np.empty((len(o_l) + 1, len(self.p_label)))
            out[:-1] = js[:, o_l].T - wq @ no_statin_b
            out[-1] = self.p_label - js[:, e_l]
            np.maximum(out, 0.0, out=out)
        self._course = (out,)
        return out

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
        if finding in ENZYMES:
            # one vector over several CK bands: with a band whose label ignores the enzyme, the vector's
            # enzyme probability stands in for p(enzyme | band); correct it, P(L, band, e) = p(e|band) P(L, band)
            e = ENZYMES.index(finding)
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
        """The information of doing a biopsy (this case's biopsy known not done):
        :func:`myoclass.reasoning.biopsy_information.biopsy_information`."""
        from myoclass.reasoning.biopsy_information import biopsy_information

        if self._state is None or self._state[self._model.bp_f if self._model else 0] != 0:
            raise ValueError("only for a case whose biopsy is known not done")
        if self._biopsy_info is None:  # asked for by the ranking and by ``leading_if``: computed once
            self._biopsy_info = biopsy_information(self._state.tobytes(), self.reading, self._policy or Policy(),
                                                   self._values, now=self, age_now=self._age_now,
                                                   first_year=self._first_year, sex=self._sex)
        return self._biopsy_info

    def leading_after(self, findings: Sequence[str], places: int | None = None) -> list[dict[str, tuple[str, float]]]:
        """For each finding, per value with some probability (``present`` then ``absent``, or the bands in
        domain order): the leading label of the differential once that value is known, and its probability,
        P(L | known, value) = P(L, value | known) / P(value | known), read off the same joints as the
        expected information (needs derivatives). Ties go to the earlier label in :data:`LABELS`. With
        ``places``, the probabilities are rounded to that many decimals, and a share below 1 never to 1 (as
        :func:`rounded`)."""
        if not findings:
            return []
        md = self._model
        if md is None or self._joint is None or self._mass is None:
            raise ValueError("computed without derivatives")
        js = self._weighted_joint()
        # a biopsy item while the biopsy status is unknown: its result comes from a biopsy, so "absent" is
        # "a biopsy was done and the item is absent", P(L, biopsy, absent) = P(L, biopsy) - P(L, present)
        bx_open = self._state is not None and int(self._state[md.bp_f]) == 1
        with_bx = js[:, md.bp_l] if bx_open else self.p_label  # P(L, a biopsy done) for a biopsy item's result
        plan = _after_plan(md, tuple(findings), self._bpm)
        cols = js[:, plan.levels].T  # P(L, level) per read level: a boolean's "present", or a band
        rows = [cols]
        if plan.n_plain:
            base = np.where(plan.biopsy_item[:, None], with_bx, self.p_label) if bx_open else self.p_label
            rows.append(base - cols[:plan.n_plain])
        for name in plan.special:  # enzymes (and biopsy items of the merged biopsy): corrected joints
            j = self.finding_joint(name)
            absent = with_bx - j["present"] if name in BIOPSY_ITEMS else j["absent"]
            rows.append(np.stack([j["present"], absent]))
        P = np.maximum(np.concatenate(rows), 0.0)  # (finding value, label)
        course = self.statin_course_joints() if "statin_withdrawal_outcome" in findings else None
        if course is not None:  # while statin use is unknown: a statin taken and the course this value
            i = list(findings).index("statin_withdrawal_outcome")
            for r, (at, value) in enumerate(plan.keys):
                if at == i:
                    P[r] = course[M.WITHDRAWAL_VALUES.index(value)]
        tot = P.sum(axis=1)
        top = P.argmax(axis=1)
        share = np.minimum(P[np.arange(len(top)), top] / np.where(tot > 0, tot, 1.0), 1.0)
        if places is not None:
            near = 1.0 - 10.0 ** -places
            share = np.where(share < 1.0, np.minimum(np.round(share, places), near), 1.0)
        out: list[dict[str, tuple[str, float]]] = [{} for _ in findings]
        for (i, value), t, k, p in zip(plan.keys, tot.tolist(), top.tolist(), share.tolist(), strict=True):
            if t > _MIN_VALUE_MASS:
                out[i][value] = (LABELS[k], p)
        return out

    def information(self, finding: str) -> tuple[float | None, dict[str, float], float]:
        """(P(present) or None for a banded finding, P(value) per value, expected entropy drop in bits)."""
        return self.informations([finding])[0]

    def boolean_informations(self, findings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """P(present) and the expected information (bits) of each of ``findings``, booleans that are neither an
        enzyme nor (with the biopsy merged) a biopsy item, as arrays: the figures :meth:`informations` gives
        them, read off the C path's per-level figures at once where it ran (else through :meth:`informations`)."""
        md = self._model
        if md is None or self._joint is None or self._mass is None:
            raise ValueError("computed without derivatives")
        if self._level_info is None or self._level_info[0] is None or self._level_info[1] is None:
            got = self.informations(findings)
            return (np.array([p if p is not None else 0.0 for p, _pv, _ei in got]),
                    np.array([ei for _p, _pv, ei in got]))
        eis, pps = self._level_info
        assert eis is not None and pps is not None
        level = _boolean_levels(md)
        lv = np.fromiter((level[name] for name in findings), dtype=np.intp, count=len(findings))
        return pps[lv], eis[lv]

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
            if name not in ENZYMES and not (self._bpm and name in BIOPSY_ITEMS):
                plain.append(i)
                lvs.append(md.dg.levels_of[md.idx[name]][0])
                continue
            j = self.finding_joint(name)
            P = np.stack(list(j.values()))
            tot = P.sum(axis=1)
            pv = dict(zip(j, tot.tolist(), strict=True))
            ei = _drop(self.entropy, _cond_entropy(P, tot))
            out[i] = (pv.get("present"), pv, ei)
        # the C path's per-level figures: for a boolean, P(present) and expected information; for a band,
        # P(band) and its term of the conditional entropy
        level_info = None
        if self._level_info is not None and (plain or banded):
            eis, pps = self._level_info
            assert eis is not None and pps is not None
            level_info = (eis.tolist(), pps.tolist())
        if banded and level_info is not None:
            ei_l, pp_l = level_info
            h = self.entropy
            for i, name, bl in banded:
                pv = {v: pp_l[lv] for v, lv in zip(FINDINGS[name].values, bl, strict=True)}
                out[i] = (None, pv, _drop(h, sum(ei_l[lv] for lv in bl)))
        elif banded:  # every band of every banded finding at once: P(L, band), its sum, -sum P log2(P / sum)
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
        if plain and level_info is not None:
            ei_l, pp_l = level_info
            total = float(self.p_label.sum())
            for i, lv in zip(plain, lvs, strict=True):
                t1 = pp_l[lv]
                out[i] = (t1, {"present": t1, "absent": max(total - t1, 0.0)}, ei_l[lv])
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
        _course_if_taken(self, findings, out)
        return [x for x in out if x is not None]


def _course_if_taken(dif: Differential, findings: Sequence[str],
                     out: list[tuple[float | None, dict[str, float], float] | None]) -> None:
    """The course after a statin was stopped, while statin use is unknown: its figures are those of the test
    "the course, if a statin was taken" (:meth:`Differential.statin_course_joints`): ``p_values`` the probability
    that a statin was taken and the course is that value (the rest is no statin), and the expected information
    over the three results."""
    if "statin_withdrawal_outcome" not in findings:
        return
    P = dif.statin_course_joints()
    if P is None:
        return
    tot = P.sum(axis=1)
    pv = dict(zip(M.WITHDRAWAL_VALUES, tot[:2].tolist(), strict=True))
    out[list(findings).index("statin_withdrawal_outcome")] = (None, pv, _drop(dif.entropy, _cond_entropy(P, tot)))


@lru_cache(maxsize=8)
def _boolean_levels(md: ModelTables) -> dict[str, int]:
    """The diagram level of each boolean finding of the model (its one level)."""
    return {name: md.dg.levels_of[i][0] for name, i in md.idx.items() if name in FINDINGS and FINDINGS[name].is_bool}


def _drop(h: float, cond: float) -> float:
    ei = max(0.0, h - cond)
    return 0.0 if ei < 1e-12 else ei


def _cond_entropy(P: np.ndarray, tot: np.ndarray) -> float:
    """sum over values v of P(v) H(label | v), from the joints P (values x labels) and their sums. A joint of 0 adds
    nothing (0 log 0 = 0): the floor keeps its logarithm finite."""
    x = np.maximum(P, 0.0)
    return -float((x * np.log2(np.maximum(x, _TINY) / np.maximum(tot, _TINY)[:, None])).sum())


@dataclass(frozen=True)
class _AfterPlan:
    """Which joints :meth:`Differential.leading_after` reads for a list of findings (the same lists recur)."""

    levels: np.ndarray  # the levels read straight off the joints: the booleans (the first n_plain), then bands
    n_plain: int  # how many booleans are read straight off the joints ("absent" is the rest of their label mass)
    biopsy_item: np.ndarray  # per boolean read straight: a biopsy item (its "absent" needs a biopsy done)
    special: tuple[str, ...]  # findings whose joints need a correction (``finding_joint``)
    keys: tuple[tuple[int, str], ...]  # (finding's index, value) of each row, in row order


@lru_cache(maxsize=4096)
def _after_plan(md: ModelTables, findings: tuple[str, ...], merged_biopsy: bool) -> _AfterPlan:
    plain: list[tuple[int, int, bool]] = []
    banded: list[tuple[int, list[int], tuple[str, ...]]] = []
    special: list[tuple[int, str]] = []
    for i, name in enumerate(findings):
        f = FINDINGS[name]
        lvs = md.dg.levels_of[md.idx[name]]
        if not f.is_bool:
            banded.append((i, list(lvs), f.values))
        elif name in ENZYMES or (merged_biopsy and name in BIOPSY_ITEMS):
            special.append((i, name))
        else:
            plain.append((i, lvs[0], name in BIOPSY_ITEMS))
    levels = [lv for _i, lv, _b in plain] + [lv for _i, lvs, _v in banded for lv in lvs]
    keys = [(i, "present") for i, _lv, _b in plain] + [(i, v) for i, _lvs, vals in banded for v in vals]
    keys += [(i, "absent") for i, _lv, _b in plain]
    keys += [(i, v) for i, _name in special for v in ("present", "absent")]
    return _AfterPlan(np.array(levels, dtype=np.intp), len(plain),
                      np.array([b for _i, _lv, b in plain], dtype=bool), tuple(n for _i, n in special), tuple(keys))


def _entropy(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-(q * np.log2(q)).sum()) if q.size else 0.0


def _some_antibody_given(state: np.ndarray, md: ModelTables, values: Mapping[str, Any] | None) -> bool:
    if values is not None:
        return any(values.get(a) is not None for a in ANY_ANTIBODY)
    return bool((state[md.ab_f] != 1).any())


def compute(shown: Mapping[str, int] | bytes, reading: str = "clinic", policy: Policy = Policy(),
            derivatives: bool = True, budget: int = VECTOR_BUDGET,
            values: Mapping[str, Any] | None = None, age_now: float | None = None,
            first_year: bool = False, sex: str | None = None) -> Differential:
    """The differential for a case's findings as known (``display_state``: unknown mimics stay unknown).

    ``values`` (the case's flat values) tells the ``record`` reading whether some antibody result was
    given (an antibody outside the findings, e.g. anti-Ro52, counts); without it, the antibody findings
    are used. ``age_now`` is the age at assessment to weigh against the onset bands
    (:func:`myoclass.model.findings.assessment_age` of the values: given only when neither the age at
    onset nor the symptom duration is known); None weighs nothing. ``first_year``: the onset is known to be in the
    first year of life (:func:`myoclass.model.findings.onset_in_first_year`), which weighs each row by
    :data:`~myoclass.reasoning.differential_model.FIRST_YEAR_ONSET`. ``sex`` (the data dictionary's value): male or
    female weighs each row's onset bands by :data:`~myoclass.reasoning.differential_model.SEX_MALE`; other or None
    weighs nothing.
    """
    if reading not in READINGS:
        raise ValueError(f"unknown reading policy {reading!r}; allowed: {', '.join(READINGS)}")
    md = model_for(policy)
    packed = shown if isinstance(shown, bytes) else md.dg.engine.pack(shown)
    if len(packed) != md.nf:
        raise ValueError(f"a packed state has {md.nf} findings, not {len(packed)}")
    grouped = int(np.count_nonzero(np.frombuffer(packed, dtype=np.uint8)[md.ms_f] == 2)) < 2
    # an onset known to be before 18 (the onset band; an age under 18 fixes it too): the juvenile numbers
    juvenile = packed[md.onset_f] == _UNDER_18_ONLY
    if grouped:
        packed += b"\x01"  # the group's "none" variable, unknown
    if juvenile or not grouped:
        md = model_for(policy, grouped=grouped, juvenile=juvenile)
    # per row of the tables (a condition or a part of one), each with its condition's diagnostic delay
    age_w = None if age_now is None else _row_age_weights(float(age_now))
    if first_year:  # evidence on the under-18 band, as the age at assessment is on every band
        age_w = _FIRST_YEAR_W if age_w is None else age_w * _FIRST_YEAR_W
    sex_w = _SEX_W.get((sex, first_year)) if sex is not None else None
    if sex_w is None:
        sex = None  # "other" carries no evidence
    else:  # evidence on every onset band: the under-18 band by the juvenile share of men
        age_w = sex_w if age_w is None else age_w * sex_w
    res = _compute(md, packed, reading, derivatives, budget, values, age_w)
    if res is None:
        res = _compute(model_for(policy, relax=True, grouped=grouped, juvenile=juvenile), packed, reading,
                       derivatives, budget, values, age_w)
        if res is None:  # pragma: no cover - clipped probabilities are never all zero
            raise ValueError("the known findings are impossible under the model")
        res.relaxed = True
    res._values, res._policy, res._age_now, res._first_year, res._sex = values, policy, age_now, first_year, sex
    return res


#: :func:`~myoclass.reasoning.differential_model.row_first_year_weights` as a read-only array (rows x onset bands)
_FIRST_YEAR_W = np.array(M.row_first_year_weights())
_FIRST_YEAR_W.setflags(write=False)
#: per row: its first-year number is assumed (:func:`_count_assumed` counts it where the onset is in the first year)
_FIRST_YEAR_ASSUMED = np.array([getattr(M.row_first_year(r), "tag", "") == "assumed" for r in range(len(M.ROWS))])
#: :func:`~myoclass.reasoning.differential_model.row_sex_weights` per sex that carries evidence and first-year
#: onset, read-only arrays
_SEX_W = {(s, fy): np.array(M.row_sex_weights(s, fy)) for s in M.SEX_VALUES for fy in (False, True)}
for _w in _SEX_W.values():
    _w.setflags(write=False)
#: per first-year onset, per row: how many of the shares of men it weighs with (adult, and juvenile or first-year) are
#: assumed (:func:`_count_assumed` counts them where the sex is given)
_SEX_ASSUMED = {fy: np.array([sum(getattr(M.row_sex(r, g), "tag", "") == "assumed"
                                  for g in ("adult", "first_year" if fy else "juvenile"))
                              for r in range(len(M.ROWS))]) for fy in (False, True)}


@lru_cache(maxsize=4096)
def _row_age_weights(age: float) -> np.ndarray:
    """:func:`~myoclass.reasoning.differential_model.row_onset_weights_at_age` as a read-only array, once per age: an
    assessment recomputes the differential for every outcome of its next tests, at the same age."""
    w = np.array(M.row_onset_weights_at_age(age))
    w.setflags(write=False)
    return w


#: the onset band's state byte when only "under 18" is allowed (bit 0: :data:`~myoclass.model.findings.AGE_BANDS`)
_UNDER_18_ONLY = 1

#: at most this many weight vectors on the C path (15 conditions, 3 causes); more go to the numpy path
_C_VECTORS = 64


def _compute(md: ModelTables, packed: bytes, reading: str, derivatives: bool, budget: int,
             values: Mapping[str, Any] | None, age_w: np.ndarray | None) -> Differential | None:
    if md.c is not None:
        got = _compute_c(md, packed, reading, derivatives, budget, values, age_w)
        if got is None or isinstance(got, Differential):
            return got
    return _compute_np(md, packed, reading, derivatives, budget, values, age_w)


def _compute_c(md: ModelTables, packed: bytes, reading: str, derivatives: bool, budget: int,
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
    out = Differential(p_label, _posterior(md, ci, mass), True, 0.0, k, False, reading)
    out._model = md
    out._mass, out._cond, out._q = mass, ci, Q[:k]
    if joint is not None:
        out._pl, out._joint, out._jsum = pl[:k], joint[:k], js
        out._level_info = (ei, pp)
    out._state = s[:md.nf]
    return out


def _compute_np(md: ModelTables, packed: bytes, reading: str, derivatives: bool, budget: int,
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
        weighted = md.age_p * age_w
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
    out = Differential(p_label, _posterior(md, cond, mass), exact, float(dropped), k, False, reading)
    out._model = md
    out._mass, out._cond, out._q = mass, cond, Q
    if derivatives:
        out._pl, out._joint = pl, joint
        out._bpm = bpm
    out._state = s[:md.nf]
    return out


def _posterior(md: ModelTables, rows: np.ndarray, mass: np.ndarray) -> np.ndarray:
    """P(condition | known) from the branches' rows and masses (a condition's parts summed)."""
    return np.bincount(md.row_condition[rows], weights=mass, minlength=len(LABELS))


def _count_assumed(out: Differential) -> None:
    """How many assumed numbers the result rests on, and the assumed evidence under the leading condition (on the
    row of it that holds the most mass: a part of the condition where that leads).

    Counted: the assumed inputs of the priors and, for every condition with posterior >= 0.001, the
    assumed numbers of the model entries of the known findings (evidence) and of the unknown findings
    the label function reads (completion); under ``record``, the assumed reporting probabilities of the
    unknown salient findings; with an onset in the first year, the rows' assumed first-year numbers
    (:data:`~myoclass.reasoning.differential_model.FIRST_YEAR_ONSET`); with the sex given, the rows' assumed shares of
    men (:data:`~myoclass.reasoning.differential_model.SEX_MALE`).
    """
    md, s, cond, mass = out._model, out._state, out._cond, out._mass
    assert md is not None and s is not None and cond is not None and mass is not None
    by_row = np.bincount(cond, weights=mass, minlength=md.nc)  # per row of the model's tables
    live = by_row >= RESTS_ON_MIN
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
    if out._first_year:
        n += int(_FIRST_YEAR_ASSUMED[live].sum())
    if out._sex is not None:
        n += int(_SEX_ASSUMED[out._first_year][live].sum())
    # the leading label's condition, on its row that holds the most mass (a part of it, where that leads)
    lead = int(np.argmax(out.p_label))
    lead = int(np.argmax(np.where(md.row_condition == lead, by_row, -1.0)))
    top = md.assumed_entry[lead] & known
    names = [md.assumed_name[lead][f] for f in np.flatnonzero(top)[:5]]
    if out._first_year and _FIRST_YEAR_ASSUMED[lead] and len(names) < 5:
        names.append(f"P(onset in the first year | {M.row_text(lead)}, onset under 18)")
    if out._sex is not None and _SEX_ASSUMED[out._first_year][lead] and len(names) < 5:
        names.append(f"P(male | {M.row_text(lead)})")
    out._assumed = (n, names)


def rounded(p_label: Sequence[float] | np.ndarray, places: int = 4) -> list[dict[str, Any]]:
    """``[{"label", "probability"}]``, most probable first, labels with a non-zero rounded share only.

    Rounded to ``places`` decimals by the largest-remainder method, so the probabilities are
    multiples of 10**-places whose integer counts sum to exactly 10**places. Ties keep label
    precedence order. A label is given 1 only when every other label has probability 0: otherwise the
    most probable label keeps at most 1 - 10**-places and the next one at least 10**-places, so a
    result that the criteria leave open never reads as certain.
    """
    scale = 10 ** places
    # plain floats: 15 numbers, no array overhead
    p = p_label.tolist() if isinstance(p_label, np.ndarray) else [float(x) for x in p_label]
    tot = sum(p)
    raw = [x / tot * scale for x in p]
    base = [math.floor(x) for x in raw]
    rest = scale - sum(base)
    frac = [x - b for x, b in zip(raw, base, strict=True)]
    n = len(p)
    # largest remainder first, ties in label order (a reverse sort keeps equal keys in their order)
    for i in sorted(range(n), key=frac.__getitem__, reverse=True)[:rest]:
        base[i] += 1
    top = max(range(n), key=base.__getitem__)
    if base[top] == scale and any(x > 0 for i, x in enumerate(p) if i != top):
        # never a certain-looking 1 while another label keeps some probability: one unit to the next label
        nxt = max((i for i in range(n) if i != top), key=lambda i: (p[i], -i))
        base[top] -= 1
        base[nxt] += 1
    # most probable first: by rounded share, then by the exact one, ties in label order
    order = sorted((i for i in range(n) if base[i] > 0), key=lambda i: (base[i], p[i]), reverse=True)
    return [{"label": LABELS[i], "probability": base[i] / scale} for i in order]


def prepare(policy: Policy = Policy()) -> None:
    """Build what the differential needs for ``policy`` once (the models and the biopsy item groups), so
    that no request pays for it (a server calls this at start-up)."""
    from myoclass.reasoning.biopsy_information import prepare_groups

    for grouped in (True, False):  # False: two or more antibodies known positive
        for juvenile in (False, True):  # True: an onset known to be before 18
            prepare_groups(model_for(policy, grouped=grouped, juvenile=juvenile))
