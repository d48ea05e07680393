"""The bottom-line label, its precedence, and exact reasoning over unknown findings.

Label precedence (first rule that holds wins; documented in the README):

0. A genetic diagnosis (``genetic_diagnosis_gene``) comes before everything: rules 1-4 hold only
   without one, so a genetically solved myopathy is ``hereditary_myopathy`` whatever else is
   known or unknown (issue 14: a published phenopacket with its molecular diagnosis is labelled
   ``hereditary_myopathy``). The criteria apply "when there is no better explanation" (EULAR/ACR
   2017, Lundberg et al., doi:10.1136/annrheumdis-2017-211468; ENMC 224 exclusions), and a solved
   genotype is that explanation. A myositis-specific antibody or a DM rash known together with a
   genetic diagnosis is flagged as discordant (:mod:`myoclass.reasoning.warnings`), because both
   can coexist and the clinician must weigh them; dystrophic features on a biopsy stay at rule 5.
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
finding that an open rule genuinely depends on (see :func:`~myoclass.logic.kleene.pick_unknown`);
a branch whose Kleene value leaves a single label is a *witness*: that label holds for every
completion inside it (Kleene evaluation is sound). Branches that cannot add a new label are pruned,
so the labels found are exactly those some completion gives, without enumerating completions.
:meth:`Engine.analyse` then uses the witnesses to find which findings decide (see its docstring).
Past node budgets the results stay sound and are flagged as inexact.

The same rule tree is translated to C when a compiler is available (:mod:`myoclass.logic.native`);
the Python search is the reference, and a test holds the two equal.

The assessment and the batch take the reachable labels and next tests from the decision diagram of
this same label function instead (:func:`myoclass.logic.diagram.analyse`: exact, no budget); the
search is the reference the diagram is tested against, and the fallback where no diagram is available.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from myoclass.criteria import Policy, criteria_sets
from myoclass.criteria import connors_2010_ass as ass
from myoclass.criteria import enmc_2003_iim as iim2003
from myoclass.criteria import enmc_2011_ibm as ibm
from myoclass.criteria import enmc_2017_imnm as imnm
from myoclass.criteria import eular_acr_2017 as eular
from myoclass.criteria.api import CriteriaSet, cat, category_key
from myoclass.logic.kleene import All, Any_, Expr, Not, Program, Ref, Var, compile_program
from myoclass.logic.native import load_native
from myoclass.logic.search import MAIN_BUDGET, SEARCH_BUDGET, TEST_BUDGET, RuleSearch
from myoclass.model.fields import BIOPSY_ITEMS
from myoclass.model.findings import FINDINGS, MIMICS
from myoclass.model.labels import LABELS, UNDETERMINED

__all__ = ["LABELS", "MAIN_BUDGET", "OUTRANKED_BY_GENOTYPE", "RULES", "SEARCH_BUDGET", "TEST_BUDGET", "Engine", "engine",
           "label_of", "labels_of"]

#: the labels a genetic diagnosis outranks (rules 1-4), each with the definition of the criteria it rests on
OUTRANKED_BY_GENOTYPE: tuple[tuple[str, str], ...] = (
    ("imnm_anti_hmgcr", category_key(imnm.ID, imnm.ANTI_HMGCR)),
    ("imnm_anti_srp", category_key(imnm.ID, imnm.ANTI_SRP)),
    ("antisynthetase", f"{ass.ID}.met"),
    ("jdm", f"{eular.ID}.sub_jdm"),
    ("dm", f"{eular.ID}.sub_dm"),
    ("adm", f"{eular.ID}.sub_adm"),
)


def _rules() -> list[tuple[str, Expr]]:
    e = eular.ID
    # rules 1-4 hold only without a genetic diagnosis (rule 0, see the module docstring)
    unexplained = [(label, All((Ref(key), Not(Var("genetic_diagnosis"))))) for label, key in OUTRANKED_BY_GENOTYPE]
    return [
        *unexplained,
        ("hereditary_myopathy", Any_((Var("genetic_diagnosis"), Var("biopsy_dystrophic_features")))),
        ("statin_toxic_myopathy", All((Var("statin_exposure"), Not(Var("ab_hmgcr")),
                                       cat("statin_withdrawal_outcome", "resolved")))),
        ("other_non_immune", Any_((Var("hypothyroidism"), Var("other_myotoxic_drug")))),
        ("ibm", Any_((Ref(f"{ibm.ID}.met"), Ref(f"{e}.sub_ibm")))),
        ("juvenile_myositis_other", Ref(f"{e}.sub_juvenile_other")),
        ("imnm_seronegative", Ref(category_key(imnm.ID, imnm.ANTIBODY_NEGATIVE))),
        ("nonspecific_myositis", Ref(category_key(iim2003.ID, iim2003.NONSPECIFIC_MYOSITIS))),
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


class Engine(RuleSearch):
    """Compiled criteria and label rules for one :class:`Policy`, and the split search over them
    (:class:`~myoclass.logic.search.RuleSearch`: reachable labels, deciding findings)."""

    def __init__(self, policy: Policy, use_native: bool = True) -> None:
        self.policy = policy
        self.sets: tuple[CriteriaSet, ...] = criteria_sets(policy)
        prog = Program()
        for s in self.sets:
            s.define(prog)
        rule_names = []
        for name, expr in _rules():
            prog.define(f"label.{name}", expr)
            rule_names.append(f"label.{name}")
        #: every definition of the criteria sets (the label rules are evaluated by the search)
        self.evaluate_all: Callable[[Mapping[str, int]], dict[str, Any]] = compile_program(
            prog, [n for n in prog.defs if not n.startswith("label.")], "evaluate_all")
        #: findings each label rule depends on (for reporting what matters)
        self.rule_vars = [prog.vars_of(n) for n in rule_names]
        self.deciding_vars = sorted(set().union(*self.rule_vars) - set(MIMICS))
        var_names = list(FINDINGS)
        is_bool = [FINDINGS[n].is_bool for n in var_names]
        native = load_native(prog.defs, rule_names, var_names, is_bool) if use_native else None
        super().__init__(prog, rule_names, var_names, is_bool, self.deciding_vars, native, LABELS)
        if self.native is not None:
            idx = self.var_index
            self.native.set_tables(
                LABELS, [FINDINGS[n].flat_key for n in self.var_names], [FINDINGS[n].values for n in self.var_names],
                [FINDINGS[n].tier for n in self.var_names], idx["biopsy_performed"],
                [idx[k] for k in BIOPSY_ITEMS if not FINDINGS[k].mimic], [idx[n] for n in MIMIC_ORDER],
                idx["biopsy_dystrophic_features"],
                EXCLUSION_MASK)


def engine(policy: Policy = Policy(), native: bool = True) -> Engine:
    """The compiled engine for ``policy`` (cached: one engine per policy and back end, however the call is
    spelled, so ``engine()`` and ``engine(Policy())`` do not compile the rules twice). ``native=False`` forces the
    pure-Python search."""
    return _engine(policy, native)


@lru_cache(maxsize=8)
def _engine(policy: Policy, native: bool) -> Engine:
    return Engine(policy, native)


def label_of(mask: int) -> str:
    """The strict label of a reachable-labels mask: its one label, else ``undetermined``."""
    return LABELS[mask.bit_length() - 1] if mask and not (mask & (mask - 1)) else UNDETERMINED


def labels_of(mask: int) -> list[str]:
    """The labels of a bit mask, in precedence order."""
    return list(_labels_of(mask))


@lru_cache(maxsize=4096)
def _labels_of(mask: int) -> tuple[str, ...]:
    return tuple(lab for i, lab in enumerate(LABELS) if mask >> i & 1)
