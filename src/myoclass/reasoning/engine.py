"""The bottom-line label, its precedence, and exact reasoning over unknown findings.

Label precedence (first rule that holds wins; documented in the README):

1. ``imnm_anti_hmgcr``  - ENMC 224 anti-HMGCR myopathy
2. ``imnm_anti_srp``    - ENMC 224 anti-SRP myopathy
3. ``antisynthetase``   - antisynthetase syndrome (Connors 2010)
4. ``jdm``, ``dm``, ``adm`` - EULAR/ACR IIM with that rash-defined subgroup (the EULAR/ACR tree
   sends a case with a DM rash to these leaves before its IBM node)
5. ``hereditary_myopathy`` - a genetic diagnosis, or dystrophic features on the biopsy
6. ``statin_toxic_myopathy`` - statin exposure, anti-HMGCR negative, resolved after withdrawal
   (Mammen 2017: the self-limited statin myopathy is told apart by a negative anti-HMGCR)
7. ``other_non_immune`` - untreated hypothyroidism or another myotoxic drug
8. ``ibm``              - ENMC 2011 IBM (any category), or the EULAR/ACR tree's IBM leaf
9. ``juvenile_myositis_other`` - EULAR/ACR IIM, juvenile leaf without rash
10. ``imnm_seronegative`` - ENMC 224 antibody-negative IMNM
11. ``nonspecific_myositis`` - ENMC 2003 non-specific myositis
12. ``pm``              - EULAR/ACR IIM, PM leaf (so only after IMNM, IBM and ASS are ruled out)
13. ``not_iim``         - none of the above

Antibody- and rash-defined entities come first. Every rash-free entity without a specific
antibody (IBM, juvenile myositis other than JDM, seronegative IMNM, non-specific myositis, PM)
comes after the non-immune explanations, because the criteria apply only "when there is no
better explanation" (EULAR/ACR 2017; ENMC exclusions): a dystrophy can meet the EULAR/ACR IBM or
juvenile leaf as easily as its PM leaf.

:meth:`Engine.search` splits the case on unknown findings, depth first. Each split is on a
finding that an open rule genuinely depends on (see :func:`~myoclass.criteria._logic.pick_unknown`);
a branch whose Kleene value leaves a single label is a *witness*: that label holds for every
completion inside it (Kleene evaluation is sound). Branches that cannot add a new label are pruned,
so the labels found are exactly those some completion gives, without enumerating completions.
:meth:`Engine.analyse` then uses the witnesses to find which findings decide (see its docstring).
Past node budgets the results stay sound and are flagged as inexact.

The same rule tree is translated to C when a compiler is available (:mod:`myoclass.criteria._native`);
the Python search is the reference, and a test holds the two equal.

The assessment and the batch take the reachable labels and next tests from the decision diagram of
this same label function instead (:func:`myoclass.logic.diagram.analyse`: exact, no budget); the
search is the reference the diagram is tested against, and the fallback where no diagram is available.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from myoclass.criteria import Policy, criteria_sets
from myoclass.criteria._api import CriteriaSet, cat
from myoclass.criteria._logic import (
    All,
    Any_,
    Expr,
    LocalsEnv,
    Not,
    Program,
    Ref,
    Var,
    compile_program,
    compile_rules,
    pick_unknown,
)
from myoclass.criteria._native import load_native
from myoclass.model.fields import BIOPSY_ITEMS
from myoclass.model.findings import FINDINGS, MIMICS

__all__ = ["LABELS", "RULES", "Engine", "engine", "labels_of"]

#: every label of the vocabulary, in precedence order (``undetermined`` is not a rule)
LABELS = (
    "imnm_anti_hmgcr",
    "imnm_anti_srp",
    "antisynthetase",
    "jdm",
    "dm",
    "adm",
    "hereditary_myopathy",
    "statin_toxic_myopathy",
    "other_non_immune",
    "ibm",
    "juvenile_myositis_other",
    "imnm_seronegative",
    "nonspecific_myositis",
    "pm",
    "not_iim",
)


def _rules() -> list[tuple[str, Expr]]:
    e = "eular_acr_2017"
    return [
        ("imnm_anti_hmgcr", Ref("enmc_2017_imnm.cat.anti-HMGCR myopathy")),
        ("imnm_anti_srp", Ref("enmc_2017_imnm.cat.anti-SRP myopathy")),
        ("antisynthetase", Ref("connors_2010_ass.met")),
        ("jdm", Ref(f"{e}.sub_jdm")),
        ("dm", Ref(f"{e}.sub_dm")),
        ("adm", Ref(f"{e}.sub_adm")),
        ("hereditary_myopathy", Any_((Var("genetic_diagnosis"), Var("biopsy_dystrophic_features")))),
        ("statin_toxic_myopathy", All((Var("statin_exposure"), Not(Var("ab_hmgcr")),
                                       cat("statin_withdrawal_outcome", "resolved")))),
        ("other_non_immune", Any_((Var("hypothyroidism"), Var("other_myotoxic_drug")))),
        ("ibm", Any_((Ref("enmc_2011_ibm.met"), Ref(f"{e}.sub_ibm")))),
        ("juvenile_myositis_other", Ref(f"{e}.sub_juvenile_other")),
        ("imnm_seronegative", Ref("enmc_2017_imnm.cat.antibody-negative IMNM")),
        ("nonspecific_myositis", Ref("enmc_2003_iim.cat.non-specific myositis")),
        ("pm", Ref(f"{e}.sub_pm")),
    ]


RULES = [name for name, _ in _rules()]

#: diagnoses of exclusion: they hold only when no better explanation is found (mimics are offered
#: as rules-out tests while one of them is reachable)
EXCLUSION_LABELS = frozenset({"ibm", "juvenile_myositis_other", "imnm_seronegative", "nonspecific_myositis", "pm"})
#: the mimic findings, in the order rules-out tests are listed (cheapest test first)
MIMIC_ORDER = tuple(sorted(MIMICS, key=lambda n: FINDINGS[n].tier))
#: EXCLUSION_LABELS as a label bit mask
EXCLUSION_MASK = sum(1 << LABELS.index(lab) for lab in EXCLUSION_LABELS)


class Engine:
    """Compiled criteria and label rules for one :class:`Policy`."""

    def __init__(self, policy: Policy, use_native: bool = True) -> None:
        self.policy = policy
        self.sets: tuple[CriteriaSet, ...] = criteria_sets(policy)
        prog = Program()
        for s in self.sets:
            s.define(prog)
        self.rule_names = []
        for name, expr in _rules():
            prog.define(f"label.{name}", expr)
            self.rule_names.append(f"label.{name}")
        self.program = prog
        #: every definition of the criteria sets (the label rules are evaluated by the search)
        self.evaluate_all: Callable[[Mapping[str, int]], dict[str, Any]] = compile_program(
            prog, [n for n in prog.defs if not n.startswith("label.")], "evaluate_all")
        self.rules_fn = compile_rules(prog, self.rule_names, "label_rules")
        self.refmap: dict[str, str] = self.rules_fn.refmap  # type: ignore[attr-defined]
        self.rule_exprs = [prog.defs[n] for n in self.rule_names]
        #: findings each label rule depends on (for reporting what matters)
        self.rule_vars = [prog.vars_of(n) for n in self.rule_names]
        self.deciding_vars = sorted(set().union(*self.rule_vars) - set(MIMICS))
        self.var_names = list(FINDINGS)
        self.var_index = {n: i for i, n in enumerate(self.var_names)}
        self._getter = operator.itemgetter(*self.var_names)
        self._is_bool = [FINDINGS[n].is_bool for n in self.var_names]
        self._dec_index = tuple(sorted(self.var_index[n] for n in self.deciding_vars))
        #: the same rules translated to C, when a compiler is available (None: pure Python)
        self.native = load_native(prog.defs, self.rule_names, self.var_names, self._is_bool) if use_native else None
        if self.native is not None:
            idx = self.var_index
            self.native.set_tables(
                LABELS, [FINDINGS[n].flat_key for n in self.var_names], [FINDINGS[n].values for n in self.var_names],
                [FINDINGS[n].tier for n in self.var_names], idx["biopsy_performed"],
                [idx[k] for k in BIOPSY_ITEMS if not FINDINGS[k].mimic], [idx[n] for n in MIMIC_ORDER],
                idx["biopsy_dystrophic_features"],
                EXCLUSION_MASK)

    def mask(self, state: Mapping[str, int] | bytes) -> int:
        """Labels the rules leave possible for ``state`` (the sound Kleene over-estimate)."""
        if self.native is not None:
            return self.native.mask(state if isinstance(state, bytes) else self.pack(state))
        return self.rules_fn(state if not isinstance(state, bytes) else self.unpack(state))[0]

    def _split(self, s: dict[str, int], first_open: int, local_values: Mapping[str, Any],
               target: int) -> list[dict[str, int]]:
        """Children of ``s``: one per value of a finding that an open rule depends on.

        The rule of the ``target`` label is split first while it is open (settling whether the
        target can hold at all prunes fastest); otherwise the first open rule.
        """
        env = LocalsEnv(local_values, self.refmap)
        rule = first_open
        if target < len(self.rule_names) and env[self.rule_names[target]] == 1:
            rule = target
        var = pick_unknown(self.rule_exprs[rule], s, self.program.defs, env)
        if var is None:  # pragma: no cover - an unknown Kleene value always has an unknown finding below
            return []
        f = FINDINGS[var]
        out = []
        if f.is_bool:
            for v in (0, 2):
                s2 = dict(s)
                s2[var] = v
                out.append(s2)
        else:
            mask = s[var]
            bit = 1
            while bit <= mask:
                if mask & bit:
                    s2 = dict(s)
                    s2[var] = bit
                    out.append(s2)
                bit <<= 1
        return out

    def pack(self, state: Mapping[str, int]) -> bytes:
        """A state as bytes, one per finding in :data:`FINDINGS` order (what the native code reads)."""
        return bytes(self._getter(state))

    def unpack(self, packed: bytes) -> dict[str, int]:
        return dict(zip(self.var_names, packed, strict=True))

    def search(self, state: Mapping[str, int] | bytes, found: int = 0, want: int = -1, budget: int = 4000,
               witnesses: dict[int, list[bytes]] | None = None) -> tuple[int, bool, int]:
        """Which labels can some completion of ``state`` give? (labels already ``found`` are skipped)

        Depth-first over unknown findings, each split on a finding that the first open rule (or
        the rule of the first wanted label, while it is open) depends on. A branch whose possible
        labels (a sound Kleene over-estimate) hold nothing new among ``want`` is pruned; a branch
        with a single possible label is a *witness*: every completion of it gives that label.
        Witness states (packed) are stored in ``witnesses`` (label bit -> states). Returns
        ``(found, exact, nodes)``; past ``budget`` nodes the open branches' possible labels are
        added unproven and ``exact`` is False (the result stays sound).
        """
        packed = state if isinstance(state, bytes) else self.pack(state)
        if self.native is not None:
            return self.native.search(packed, found, want, budget, witnesses)
        return self._search_py(self.unpack(packed), found, want, budget, witnesses)

    def analyse(self, packed: bytes) -> tuple[int, bool, bool, list[tuple[int, list[int]]]]:
        """Reachable labels and, per finding that could decide, the labels reachable per value.

        Returns ``(reachable, exact, tests_exact, outcomes)``. ``outcomes`` lists, for each finding
        (by index) that some witness fixes, the reachable labels for each of its still-possible
        values (booleans: true then false; bands: in domain order). A label whose witness leaves a
        finding open stays reachable whatever that finding turns out to be, so only findings that
        some witness fixes can decide; for those, the labels not covered by a compatible witness are
        looked for again with the finding fixed (a search that stops as soon as they are found, and
        that the Kleene over-estimate often settles at once). Past ``TEST_BUDGET`` nodes of such
        searches only the Kleene check is used: a deciding finding may then be missed, never invented.
        """
        if self.native is not None:
            return self.native.analyse(packed, self._dec_index, MAIN_BUDGET, SEARCH_BUDGET, TEST_BUDGET)
        witnesses: dict[int, list[bytes]] = {}
        reachable, exact, _n = self.search(packed, budget=MAIN_BUDGET, witnesses=witnesses)
        outcomes: list[tuple[int, list[int]]] = []
        tests_exact = True
        if not (reachable & (reachable - 1)):
            return reachable, exact, tests_exact, outcomes
        fixed = sorted({i for states in witnesses.values() for w in states for i in self._dec_index
                        if w[i] != packed[i]})
        spent = 0
        for i in fixed:
            is_bool = self._is_bool[i]
            x = packed[i]
            values = [2, 0] if is_bool else [1 << b for b in range(8) if x >> b & 1]
            masks = []
            for val in values:
                covered = _covered(witnesses, i, val, is_bool)
                missing = reachable & ~covered
                if missing:
                    s2 = bytearray(packed)
                    s2[i] = val
                    probe = bytes(s2)
                    possible = missing & self.mask(probe)
                    if possible and spent >= TEST_BUDGET:
                        covered |= possible
                        tests_exact = False
                    elif possible:
                        more: dict[int, list[bytes]] = {}
                        covered, ex, nodes = self.search(probe, found=covered, want=possible, witnesses=more,
                                                         budget=min(SEARCH_BUDGET, TEST_BUDGET - spent))
                        spent += nodes
                        tests_exact &= ex
                        for lab, states in more.items():
                            witnesses.setdefault(lab, []).extend(states)
                masks.append(covered & reachable)
            outcomes.append((i, masks))
        return reachable, exact, tests_exact, outcomes

    def _search_py(self, state: dict[str, int], found: int, want: int, budget: int,
                   witnesses: dict[int, list[bytes]] | None) -> tuple[int, bool, int]:
        rules_fn = self.rules_fn
        stack: list[dict[str, int]] = [dict(state)]
        nodes = 0
        exact = True
        while stack:
            s = stack.pop()
            m, first_open, local_values = rules_fn(s)
            nodes += 1
            new = m & want & ~found
            if not new:
                continue
            if local_values is None:  # one label: a witness
                found |= m
                if witnesses is not None:
                    witnesses.setdefault(m, []).append(self.pack(s))
                if not (want & ~found):
                    break
                continue
            if nodes > budget:
                exact = False
                found |= m & want
                continue
            stack.extend(self._split(s, first_open, local_values, (new & -new).bit_length() - 1))
        return found, exact, nodes


#: node budgets: the search for the reachable labels; one re-check with a finding fixed; all re-checks of a case
MAIN_BUDGET = 4000
SEARCH_BUDGET = 200
TEST_BUDGET = 1500


def _covered(witnesses: dict[int, list[bytes]], i: int, value: int, is_bool: bool) -> int:
    """Labels with a witness that admits finding ``i`` == ``value`` (so they stay reachable)."""
    m = 0
    for lab, states in witnesses.items():
        for w in states:
            x = w[i]
            if (x == 1 or x == value) if is_bool else (x & value):
                m |= lab
                break
    return m


@lru_cache(maxsize=8)
def engine(policy: Policy = Policy(), native: bool = True) -> Engine:
    """The compiled engine for ``policy`` (cached). ``native=False`` forces the pure-Python search."""
    return Engine(policy, native)


def labels_of(mask: int) -> list[str]:
    """The labels of a bit mask, in precedence order."""
    return list(_labels_of(mask))


@lru_cache(maxsize=4096)
def _labels_of(mask: int) -> tuple[str, ...]:
    return tuple(lab for i, lab in enumerate(LABELS) if mask >> i & 1)
