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

:func:`explore` splits the case on unknown findings until every branch has one label. Each
branch split is on a finding that the first open rule genuinely depends on (see
:func:`~myoclass.criteria._logic.pick_unknown`), every leaf's label holds for all completions
inside it (Kleene evaluation is sound), and the leaves partition the completions: so the union
of leaf labels is exactly the set of labels some completion gives. Past a node budget the
remaining branches keep their sound over-approximation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from myoclass.criteria import Policy, criteria_sets
from myoclass.criteria._api import CriteriaSet, cat
from myoclass.criteria._logic import (
    All,
    Any_,
    Expr,
    Not,
    Program,
    Ref,
    Var,
    compile_program,
    compile_rules,
    pick_unknown,
)
from myoclass.model.findings import FINDINGS

__all__ = ["LABELS", "RULES", "Engine", "Leaf", "engine"]

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


@dataclass(frozen=True)
class Leaf:
    state: dict[str, int]
    labels: int  # bit mask over LABELS


class Engine:
    """Compiled criteria and label rules for one :class:`Policy`."""

    def __init__(self, policy: Policy) -> None:
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
        self.evaluate_all: Callable[[Mapping[str, int]], dict[str, Any]] = compile_program(
            prog, list(prog.defs), "evaluate_all")
        self.rules_fn = compile_rules(prog, self.rule_names, "label_rules")
        self.rule_exprs = [prog.defs[n] for n in self.rule_names]
        #: findings each label rule depends on (for reporting what matters)
        self.rule_vars = [prog.vars_of(n) for n in self.rule_names]
        self.deciding_vars = sorted(set().union(*self.rule_vars) - {n for n, f in FINDINGS.items() if f.mimic})

    def _split(self, s: dict[str, int], first_open: int) -> list[dict[str, int]]:
        """Children of ``s``: one per value of a finding the first open rule depends on."""
        env = self.evaluate_all(s)
        var = pick_unknown(self.rule_exprs[first_open], s, self.program.defs, env)
        if var is None:  # pragma: no cover - an unknown Kleene value always has an unknown finding below
            return []
        f = FINDINGS[var]
        out = []
        if f.is_bool:
            for v in (2, 0):
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

    def explore(self, state: Mapping[str, int], budget: int = 3000) -> tuple[list[Leaf], bool]:
        """Split ``state`` on unknown findings until each branch has one label.

        Returns the leaves and whether they are exact (the node budget was not exhausted; past
        it, the open branches are kept as leaves with their sound over-approximation).
        """
        rules_fn = self.rules_fn
        leaves: list[Leaf] = []
        stack: list[dict[str, int]] = [dict(state)]
        nodes = 0
        exact = True
        while stack:
            s = stack.pop()
            m, first_open = rules_fn(s)
            nodes += 1
            if not (m & (m - 1)):
                leaves.append(Leaf(s, m))
                continue
            children = self._split(s, first_open) if nodes <= budget else []
            if not children:
                exact = False
                leaves.append(Leaf(s, m))
            stack.extend(children)
        return leaves, exact

    def reachable(self, state: Mapping[str, int], budget: int = 3000) -> tuple[int, bool]:
        """The label mask only: branches that cannot add a new label are pruned."""
        rules_fn = self.rules_fn
        found = 0
        stack: list[dict[str, int]] = [dict(state)]
        nodes = 0
        exact = True
        while stack:
            s = stack.pop()
            m, first_open = rules_fn(s)
            nodes += 1
            if not (m & ~found):
                continue
            if not (m & (m - 1)):
                found |= m
                continue
            children = self._split(s, first_open) if nodes <= budget else []
            if not children:
                exact = False
                found |= m
            stack.extend(children)
        return found, exact


@lru_cache(maxsize=8)
def engine(policy: Policy = Policy()) -> Engine:
    return Engine(policy)


def labels_of(mask: int) -> list[str]:
    return [lab for i, lab in enumerate(LABELS) if mask >> i & 1]
