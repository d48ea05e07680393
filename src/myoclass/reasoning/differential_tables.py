"""The differential's model as arrays: the numbers of :mod:`myoclass.reasoning.differential_model` aligned
with the levels of one decision diagram, built once per policy (:func:`model_for`), and handed to the C
kernel as one struct. :mod:`myoclass.reasoning.differential` computes with them per case.
"""

from __future__ import annotations

from collections.abc import Mapping
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

__all__ = ["ANY_ANTIBODY", "BIOPSY_GROUP", "ENZYMES", "MSA_GROUP", "RESTS_ON_MIN", "ModelTables", "clear_model_cache",
           "model_for"]

#: conditions with at least this posterior count as ones the result rests on (assumed-number count)
RESTS_ON_MIN = 1e-3
_RELAX = 1e-4
ENZYMES = ("ldh_elevated", "ast_elevated", "alt_elevated", "aldolase_elevated")
_CAUSE_FINDINGS = ("hypothyroidism", "other_myotoxic_drug")
_INDEPENDENT_CATS = ("onset_age_band", "duration_band", "onset_tempo", "statin_withdrawal_outcome",
                     "immunosuppression_response")
_MSA = M.MSA_VALUES[1:]
ANY_ANTIBODY = tuple(ANTIBODIES)


#: the antibody group of the differential's diagram (one categorical variable)
MSA_GROUP: tuple[str, ...] = tuple(_MSA)
#: the biopsy and the items that exist only with it (the differential's diagram requires it of them)
BIOPSY_GROUP: tuple[str, ...] = ("biopsy_performed", *BIOPSY_ITEMS)


def _assumed(n: M.Number) -> int:
    return 1 if n.tag == "assumed" else 0


def _boolean_assumed(n: M.Number) -> bool:
    """A boolean finding's entry counts as assumed when it is, or when it is derived from an assumed number it names
    in ``rests_on`` (non-specific myositis's overlap mixture, model version 17)."""
    return n.tag == "assumed" or bool(n.rests_on)


class ModelTables:
    """The model's numbers as arrays aligned with one diagram's levels (built once per policy)."""

    def __init__(self, dg: Diagram, relax: bool, juvenile: bool = False) -> None:
        if tuple(M.CONDITIONS) != tuple(LABELS):  # pragma: no cover - guarded by the model's tests
            raise ValueError("the model's conditions must be the labels, in order")
        self.dg = dg
        #: the numbers for an onset known to be before 18 (:data:`~myoclass.reasoning.differential_model.JUVENILE`)
        self.juvenile = juvenile
        #: counted on the diagram with the antibody group (one categorical variable), see the module text
        self.grouped = bool(dg.one_of)
        self.nf = len(dg.engine.var_names)  # the engine's findings (the state may carry the group's byte after)
        #: the rows of the tables: the conditions, then the parts of a condition (:data:`~myoclass.reasoning.
        #: differential_model.ROWS`); ``row_condition`` gives each row's condition (its index in CONDITIONS)
        self.nc = len(M.ROWS)
        self.row_condition = np.array([M.CONDITIONS.index(c) for c, _k in M.ROWS], dtype=np.intp)
        idx = {n: i for i, n in enumerate(dg.var_names)}
        self.idx = idx
        #: the onset band's index in a packed state (its byte: the bands allowed, bit b for AGE_BANDS[b])
        self.onset_f = idx["onset_age_band"]
        lo, hi = (_RELAX, 1 - _RELAX) if relax else (0.0, 1.0)

        def clip(a: Any) -> np.ndarray:
            return np.clip(np.asarray(a, dtype=np.float64), lo, hi)

        R = range(self.nc)
        self.prior = np.array([M.row_prior(r) for r in R])
        # independent booleans (not biopsy items, not in a group)
        group = set(ENZYMES) | set(_CAUSE_FINDINGS) | set(_MSA) | set(BIOPSY_ITEMS) | {"biopsy_performed"}
        self.ib = [n for n, f in FINDINGS.items() if f.is_bool and n not in group]
        missing = [n for n in self.ib if n not in M.BOOLEAN]
        if missing:  # pragma: no cover
            raise ValueError(f"no model numbers for {missing}")
        self.ib_f = np.array([idx[n] for n in self.ib], dtype=np.intp)
        self.ib_l = np.array([self._level(n) for n in self.ib], dtype=np.intp)
        self.ib_p = clip([[M.row_boolean(n, r, juvenile).value for n in self.ib] for r in R])
        self.ib_m = np.array([M.p_reported(n, "record") or 0.0 for n in self.ib])
        # biopsy
        self.bp_f, self.bp_l = idx["biopsy_performed"], self._level("biopsy_performed")
        self.bp_p = clip([M.row_boolean("biopsy_performed", r).value for r in R])
        self.items = list(BIOPSY_ITEMS)
        self.it_f = np.array([idx[n] for n in self.items], dtype=np.intp)
        self.it_l = np.array([self._level(n) for n in self.items], dtype=np.intp)
        self.it_p = clip([[M.row_boolean(n, r).value for n in self.items] for r in R])
        # independent categoricals
        self.cats: list[tuple[int, np.ndarray, np.ndarray]] = []
        for var in _INDEPENDENT_CATS:
            vals = FINDINGS[var].values
            p = clip([[M.row_distribution(var, r)[v] for v in vals] for r in R])
            self.cats.append((idx[var], np.array(dg.levels_of[idx[var]], dtype=np.intp), p))
        # CK band and enzymes
        self.ck_f = idx["ck_band"]
        self.ck_l = np.array(dg.levels_of[self.ck_f], dtype=np.intp)
        self.ck_p = clip([[M.row_distribution("ck_band", r)[b] for b in FINDINGS["ck_band"].values] for r in R])
        self.en_f = np.array([idx[e] for e in ENZYMES], dtype=np.intp)
        self.en_l = np.array([self._level(e) for e in ENZYMES], dtype=np.intp)
        self.en_p = clip([[M.p_enzyme(e, b) for b in FINDINGS["ck_band"].values] for e in ENZYMES])
        self.en_support = np.array([self._in_support(lv) for lv in self.en_l])
        # cause
        self.ca_p = clip([[M.row_distribution("non_immune_cause", r)[v] for v in M.CAUSE_VALUES] for r in R])
        self.ca_f = np.array([idx[f] for f in _CAUSE_FINDINGS], dtype=np.intp)
        self.ca_l = np.array([self._level(f) for f in _CAUSE_FINDINGS], dtype=np.intp)
        self.em_p = clip([[M.p_cause_finding(f, v) for v in M.CAUSE_VALUES] for f in _CAUSE_FINDINGS])
        self.ca_m = np.array([M.p_reported(f, "record") or 0.0 for f in _CAUSE_FINDINGS])
        self.ca_support = np.array([self._in_support(lv) for lv in self.ca_l])
        # myositis-specific antibodies: value 0 is "none", value v >= 1 is _MSA[v - 1]
        self.ms_f = np.array([idx[a] for a in _MSA], dtype=np.intp)
        self.ms_l = np.array([self._level(a) for a in _MSA], dtype=np.intp)
        self.ms_p = clip([[M.row_distribution("msa", r)[v] for v in M.MSA_VALUES] for r in R])
        self.ms_m = M.p_reported("ab_hmgcr", "record") or 0.0
        self.none_l = self._level(MSA_NONE) if self.grouped else -1
        self.ab_f = np.array([idx[a] for a in ANY_ANTIBODY], dtype=np.intp)
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
        """Per (row, finding): how many assumed numbers that finding's model entry holds."""
        R = range(self.nc)
        nf = self.nf
        cnt = np.zeros((self.nc, nf), dtype=np.int64)
        for n in self.ib + self.items + ["biopsy_performed"]:
            for d in R:
                cnt[d, self.idx[n]] = int(_boolean_assumed(self._boolean(n, d)))
        for var in (*_INDEPENDENT_CATS, "ck_band"):
            for d in R:
                cnt[d, self.idx[var]] = sum(_assumed(x) for x in M.row_categorical(var, d).values())
        self.cnt = cnt
        self.cnt_msa = np.array([sum(_assumed(x) for x in M.row_categorical("msa", d).values()) for d in R])
        self.cnt_cause = np.array([sum(_assumed(x) for x in M.row_categorical("non_immune_cause", d).values())
                                   for d in R])
        self.cnt_enzyme = {self.idx[e]: sum(_assumed(x) for x in M.ENZYME_GIVEN_CK[e].values()) for e in ENZYMES}
        self.cnt_emission = sum(_assumed(x) for f in _CAUSE_FINDINGS for x in M.CAUSE_EMISSION[f].values())
        inputs = M._PRIOR_INPUTS
        self.prior_rests = [frozenset(M.row_prior_rests_on(d)) for d in R]
        self.prior_inputs_assumed = frozenset(k for k, n in inputs.items() if n.tag == "assumed")
        self.reporting_assumed = {k: _assumed(n) for k, n in M.REPORTING.items()}
        support = np.array([any(self._in_support(lv) for lv in self.dg.levels_of[f]) for f in range(nf)])
        self.support = support
        self.is_bool = np.array([FINDINGS[n].is_bool for n in self.dg.var_names[:nf]])
        # the same, as lookups for the per-case count
        self.is_bool_i = self.is_bool.astype(np.intp)
        xs = np.arange(256)
        self.known_of = np.stack([(xs & (xs - 1)) == 0, xs != 1], axis=1)  # [state byte, is boolean]
        self.cnt_enzyme_arr = np.array([self.cnt_enzyme[self.idx[e]] for e in ENZYMES], dtype=np.int64)
        bit = {k: 1 << i for i, k in enumerate(sorted(self.prior_inputs_assumed))}
        self.prior_rests_bits = [sum(bit[k] for k in r if k in bit) for r in self.prior_rests]
        self.reporting_assumed_total = sum(self.reporting_assumed.values())
        names = self.dg.var_names[:nf]
        self.assumed_entry = np.zeros((self.nc, nf), dtype=bool)
        self.assumed_name: list[list[str]] = []
        for d in R:
            text = M.row_text(d)
            for f, name in enumerate(names):
                if name in M.BOOLEAN:
                    self.assumed_entry[d, f] = _boolean_assumed(self._boolean(name, d))
                elif name in M.CATEGORICAL:
                    self.assumed_entry[d, f] = any(x.tag == "assumed" for x in M.row_categorical(name, d).values())
            self.assumed_name.append([f"P({name} | {text}, onset under 18)" if self._juvenile_entry(name, d)
                                      else f"P({name} | {text})" for name in names])

    def _juvenile_entry(self, finding: str, row: int) -> bool:
        return (self.juvenile and finding in M.BOOLEAN
                and M.row_boolean(finding, row, True) is not M.row_boolean(finding, row))

    def _boolean(self, finding: str, row: int) -> M.Number:
        """The model's number for a boolean finding under a row, in this table's age group."""
        return M.row_boolean(finding, row, self.juvenile)


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


def model_for(policy: Policy = Policy(), relax: bool = False, grouped: bool = True,
              juvenile: bool = False) -> ModelTables:
    """The model's arrays for ``policy`` (cached): on the diagram with the antibody group (``grouped``),
    or on the plain one (two or more known positive antibodies); with ``juvenile``, the numbers for an onset known
    to be before 18.

    One object per combination of the four, however the arguments are spelled: ``model_for(p, juvenile=True)``
    and ``model_for(p, grouped=True, juvenile=True)`` are the same tables. (A cache keyed on the call as written
    would hold them twice, and :func:`myoclass.reasoning.differential.prepare` would build tables that no case then
    reads.)"""
    return _tables(policy, relax, grouped, juvenile)


def clear_model_cache() -> None:
    """Forget the built tables (a test or a bench script that changes the model's numbers rebuilds them)."""
    _tables.cache_clear()


@lru_cache(maxsize=32)
def _tables(policy: Policy, relax: bool, grouped: bool, juvenile: bool) -> ModelTables:
    if grouped:
        return ModelTables(diagram(engine(policy), one_of=MSA_GROUP, requires=BIOPSY_GROUP), relax, juvenile)
    return ModelTables(diagram(engine(policy)), relax, juvenile)
