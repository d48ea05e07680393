"""2017 EULAR/ACR classification criteria for adult and juvenile IIM and their major subgroups.

Two weight sets (without / with muscle biopsy), a logistic probability, four categories and a
subclassification tree. Weights [V-X][V-S] (confirmed against Table 1 of the methodology report,
Bottai 2017); formulas [V-X] with cut-offs [V-P abstract]; the tree is [R]. Every item, weight, citation
and tag is listed in ``docs/criteria.md`` (generated from this module by ``myoclass docs``).

Scores are held in tenths (7.7 -> 77) so cut-offs compare exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from myoclass.criteria import citations as C
from myoclass.criteria.api import Category, CriteriaSet, Item, Policy, bx, cat, category_key, refs
from myoclass.logic.kleene import All, Any_, CatWeight, Const, Expr, If, Not, ScoreAtLeast, Sum, Term, Var
from myoclass.model.findings import FINDINGS

ID = "eular_acr_2017"
VERSION = "2017.1"
#: category ids: short and stable (the display text is the Category's name)
DEFINITE = "definite"
PROBABLE = "probable"
RASH_FREE_GATE_FAILED = "rash_free_gate_failed"
POSSIBLE = "possible"

#: intercepts of P(IIM) = 1 / (1 + exp(intercept - score)) [V-X; R for the paper's text]
INTERCEPT = {"without_biopsy": 5.33, "with_biopsy": 6.49}
#: published score cut-offs, tenths: possible, probable, definite [V-P abstract]
SCORE_CUTS = {"without_biopsy": (53, 55, 75), "with_biopsy": (65, 67, 87)}
PROBABILITY_CUTS = (0.50, 0.55, 0.90)


def probability(score: float, model: str) -> float:
    """P(IIM) for a score (in points, not tenths) under ``model``."""
    return 1.0 / (1.0 + math.exp(INTERCEPT[model] - score))


def probability_cut_tenths(p: float, model: str) -> int:
    """Smallest score (tenths) whose probability is at least ``p``."""
    boundary = INTERCEPT[model] + math.log(p / (1 - p))
    return math.ceil(round(boundary * 10, 9))


def cuts(policy: Policy, model: str) -> tuple[int, int, int]:
    if policy.eular_cutoffs == "score":
        return SCORE_CUTS[model]
    a, b, c = (probability_cut_tenths(p, model) for p in PROBABILITY_CUTS)
    return (a, b, c)


_AGE = FINDINGS["onset_age_band"]

# id, label, (weight without biopsy, with biopsy), expression, verification
_ITEMS: list[tuple[str, str, tuple[float | None, float], Expr, str]] = [
    ("age_onset_18_to_39", "Age of onset of first symptom ≥18 and <40 years", (1.3, 1.5),
     cat("onset_age_band", "18_to_39"), "V-X"),
    ("age_onset_40_or_more", "Age of onset of first symptom ≥40 years", (2.1, 2.2),
     cat("onset_age_band", "40_to_45", "over_45"), "V-X"),
    ("weakness_proximal_upper", "Objective symmetric weakness, usually progressive, of the proximal upper extremities",
     (0.7, 0.7), Var("weakness_proximal_upper_symmetric"), "V-X"),
    ("weakness_proximal_lower", "Objective symmetric weakness, usually progressive, of the proximal lower extremities",
     (0.8, 0.5), Var("weakness_proximal_lower_symmetric"), "V-X"),
    ("neck_flexors_weaker", "Neck flexors relatively weaker than neck extensors", (1.9, 1.6),
     Var("weakness_neck_flexor_gt_extensor"), "V-X"),
    ("legs_proximal_weaker", "In the legs, proximal muscles relatively weaker than distal muscles", (0.9, 1.2),
     Var("weakness_legs_proximal_gt_distal"), "V-X"),
    ("heliotrope_rash", "Heliotrope rash", (3.1, 3.2), Var("skin_heliotrope"), "V-X"),
    ("gottron_papules", "Gottron's papules", (2.1, 2.7), Var("skin_gottron_papules"), "V-X"),
    ("gottron_sign", "Gottron's sign", (3.3, 3.7), Var("skin_gottron_sign"), "V-X"),
    ("dysphagia", "Dysphagia or oesophageal dysmotility", (0.7, 0.6), Var("dysphagia"), "V-X"),
    ("anti_jo1", "Anti-Jo-1 (anti-histidyl-tRNA synthetase) autoantibody present", (3.9, 3.8), Var("ab_jo1"), "V-X"),
    ("elevated_enzymes", "Elevated serum CK, LDH, AST or ALT (most abnormal value during the course)", (1.3, 1.4),
     Any_((cat("ck_band", "raised_up_to_15x_uln", "raised_over_15x_uln"), Var("ldh_elevated"),
           Var("ast_elevated"), Var("alt_elevated"))), "V-X"),
    ("biopsy_endomysial", "Biopsy: endomysial infiltration of mononuclear cells surrounding, but not invading, myofibres",
     (None, 1.7), bx("biopsy_endomysial_infiltrate_non_invading"), "V-X"),
    ("biopsy_perimysial_perivascular", "Biopsy: perimysial and/or perivascular infiltration of mononuclear cells",
     (None, 1.2), bx("biopsy_perimysial_perivascular_infiltrate"), "V-X"),
    ("biopsy_perifascicular_atrophy", "Biopsy: perifascicular atrophy", (None, 1.9),
     bx("biopsy_perifascicular_atrophy"), "V-X"),
    ("biopsy_rimmed_vacuoles", "Biopsy: rimmed vacuoles", (None, 3.1), bx("biopsy_rimmed_vacuoles"), "V-X"),
]


def _tenths(w: float) -> int:
    return round(w * 10)


def _sum(model: str) -> Sum:
    k = 0 if model == "without_biopsy" else 1
    age = CatWeight("onset_age_band", (
        (_AGE.bit("18_to_39"), _tenths(_ITEMS[0][2][k] or 0)),
        (_AGE.bit("40_to_45"), _tenths(_ITEMS[1][2][k] or 0)),
        (_AGE.bit("over_45"), _tenths(_ITEMS[1][2][k] or 0)),
    ))
    terms: list[Term | CatWeight] = [age]
    r = refs(ID)
    for iid, _l, w, _e, _v in _ITEMS[2:]:
        if w[k] is not None:
            terms.append(Term(r(iid), _tenths(w[k] or 0)))
    return Sum(tuple(terms))


def build(policy: Policy) -> CriteriaSet:
    r = refs(ID)
    items = [Item(i, lab, e, C.EULAR_ACR_2017, v, weight=w[0], weight_with_biopsy=w[1]) for i, lab, w, e, v in _ITEMS]
    biopsy = Var("biopsy_performed")
    c_no, c_bx = cuts(policy, "without_biopsy"), cuts(policy, "with_biopsy")

    def at_least(level: int) -> Expr:
        return If(biopsy, ScoreAtLeast(r("score_with_biopsy"), c_bx[level]),
                  ScoreAtLeast(r("score_without_biopsy"), c_no[level]))

    rash = Any_((r("heliotrope_rash"), r("gottron_papules"), r("gottron_sign")))
    if policy.eular_rash_free == "biopsy_required":
        gate: Expr = Any_((r("rash"), biopsy))
    elif policy.eular_rash_free == "biopsy_features_required":
        gate = Any_((r("rash"), r("biopsy_endomysial"), r("biopsy_perimysial_perivascular"),
                     r("biopsy_perifascicular_atrophy"), r("biopsy_rimmed_vacuoles")))
    else:
        gate = Const(2)
    juvenile = cat("onset_age_band", "under_18")
    iim = r("iim")
    defs: list[tuple[str, Expr]] = [
        ("score_without_biopsy", _sum("without_biopsy")),
        ("score_with_biopsy", _sum("with_biopsy")),
        ("at_least_possible", at_least(0)),
        ("at_least_probable", at_least(1)),
        ("at_least_definite", at_least(2)),
        ("rash", rash),
        ("rash_free_gate", gate),
        ("iim", All((r("at_least_probable"), r("rash_free_gate")))),
        # subclassification tree [R]: node order and weakness node as the secondary sources describe it
        # (juvenile first, then rash, then weakness for DM/ADM, then the IBM node for PM/IBM)
        ("tree_juvenile", juvenile),
        ("tree_weakness", Any_((r("weakness_proximal_upper"), r("weakness_proximal_lower")))),
        ("tree_ibm", Any_((All((Var("weakness_finger_flexor_gt_shoulder_abductor"),
                                cat("immunosuppression_response", "no_response"))),
                           r("biopsy_rimmed_vacuoles")))),
        ("sub_jdm", All((iim, r("tree_juvenile"), r("rash")))),
        ("sub_juvenile_other", All((iim, r("tree_juvenile"), Not(r("rash"))))),
        ("sub_dm", All((iim, Not(r("tree_juvenile")), r("rash"), r("tree_weakness")))),
        ("sub_adm", All((iim, Not(r("tree_juvenile")), r("rash"), Not(r("tree_weakness"))))),
        ("sub_ibm", All((iim, Not(r("tree_juvenile")), Not(r("rash")), r("tree_ibm")))),
        ("sub_pm", All((iim, Not(r("tree_juvenile")), Not(r("rash")), Not(r("tree_ibm"))))),
    ]
    categories = [
        Category(DEFINITE, "definite IIM", All((r("at_least_definite"), r("rash_free_gate"))), certainty="definite"),
        Category(PROBABLE, "probable IIM", r("iim"), certainty="probable"),
        Category(RASH_FREE_GATE_FAILED, "not classifiable as IIM: no DM rash and the rash-free biopsy rule is not satisfied",
                 All((r("at_least_probable"), Not(r("rash_free_gate")))), met=False),
        Category(POSSIBLE, "possible IIM", r("at_least_possible"), met=False, certainty="possible"),
    ]
    return CriteriaSet(
        ID, VERSION, "2017 EULAR/ACR idiopathic inflammatory myopathies", C.EULAR_ACR_2017, items, categories,
        not_met_category="not IIM", verification="V-X", defs=defs,
        extra_citations=[C.BOTTAI_2017, C.KI_CALCULATOR, C.IMCCP_2014],
        notes=["Classification criteria for research; apply only when no better explanation exists.",
               "Anti-HMGCR and anti-SRP carry no points; necrosis is not a scored biopsy feature.",
               "The subclassification tree is implemented as described in secondary sources [R]."],
    )


SUBGROUPS = {
    "sub_jdm": "juvenile dermatomyositis",
    "sub_juvenile_other": "juvenile myositis other than JDM",
    "sub_dm": "dermatomyositis",
    "sub_adm": "amyopathic dermatomyositis",
    "sub_ibm": "inclusion body myositis",
    "sub_pm": "polymyositis (includes IMNM)",
}


def output_fields(v: Mapping[str, Any], policy: Policy, model: str | None) -> dict[str, Any]:
    """The EULAR/ACR-specific fields of this set's output: the score and probability (as intervals while
    items are unknown), the subgroup of the classification tree and, with a known biopsy status, the
    cut-offs in use. ``v`` holds the evaluated definitions; ``model`` is ``with_biopsy``,
    ``without_biopsy`` or None (biopsy status unknown: both models are spanned)."""
    models = [model] if model else ["without_biopsy", "with_biopsy"]
    lo_hi = {m: v[f"{ID}.score_{m}"] for m in models}
    smin = min(lo for lo, _ in lo_hi.values()) / 10
    smax = max(hi for _, hi in lo_hi.values()) / 10
    pmin = min(probability(lo / 10, m) for m, (lo, _) in lo_hi.items())
    pmax = max(probability(hi / 10, m) for m, (_, hi) in lo_hi.items())
    score = smin if (model and smin == smax) else None
    subs = {name: v[f"{ID}.{key}"] for key, name in SUBGROUPS.items()}
    subgroup = next((n for n, val in subs.items() if val == 2), None)
    out: dict[str, Any] = {
        "model": model,
        "score": score,
        "score_min": smin,
        "score_max": smax,
        "probability": round(pmin, 4) if score is not None else None,
        "probability_min": round(pmin, 4),
        "probability_max": round(pmax, 4),
        "subgroup": subgroup,
        "possible_subgroups": [n for n, val in subs.items() if val],
    }
    if model:
        a, b, d = cuts(policy, model)
        out["cutoffs"] = {"possible": a / 10, "probable": b / 10, "definite": d / 10}
    return out


# ---------------------------------------------------------------------------------------------
# certainty, next tests, warnings, text
# ---------------------------------------------------------------------------------------------


def certainty(v: Mapping[str, Any]) -> str | None:
    """"definite" when the definite-IIM category holds, "probable" when the case is classified as IIM,
    else None (``v``: the evaluated definitions)."""
    if v[category_key(ID, DEFINITE)] == 2:
        return "definite"
    return "probable" if v[f"{ID}.iim"] == 2 else None
