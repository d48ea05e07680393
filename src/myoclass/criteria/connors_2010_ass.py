"""Antisynthetase syndrome, as defined by Connors et al. (Chest 2010).

Definition: an anti-aminoacyl-tRNA-synthetase antibody plus one or more of Raynaud's phenomenon,
arthritis, interstitial lung disease, fever (not explained otherwise) and mechanic's hands.
Chosen because it is the most widely used single-feature definition (a systematic review found
that most published ASS definitions require anti-ARS plus one feature: Zanframundo et al.,
PMC10411341). The exact wording of Connors' definition was not checked against the paper, so the
feature list is tagged [R].
"""

from __future__ import annotations

from myoclass.criteria import citations as C
from myoclass.criteria.api import Category, CriteriaSet, Item, Policy, refs
from myoclass.logic.kleene import All, Any_, AtLeast, Var

ID = "connors_2010_ass"
VERSION = "2010.1"
#: category ids: short and stable (the display text is the Category's name)
ANTISYNTHETASE_SYNDROME = "antisynthetase_syndrome"
ARS = ("ab_jo1", "ab_pl7", "ab_pl12", "ab_ej", "ab_oj", "ab_ks", "ab_zo", "ab_ha")
FEATURES = {
    "raynaud": "Raynaud's phenomenon",
    "arthritis": "Arthritis",
    "ild": "Interstitial lung disease",
    "fever": "Fever not explained otherwise",
    "skin_mechanics_hands": "Mechanic's hands",
}


def build(policy: Policy) -> CriteriaSet:
    items = [Item("anti_synthetase_antibody",
                  "Anti-aminoacyl-tRNA synthetase antibody (Jo-1, PL-7, PL-12, EJ, OJ, KS, Zo, Ha)",
                  Any_(tuple(Var(a) for a in ARS)), C.CONNORS_2010_ASS, "V-S")]
    items += [Item(k, v, Var(k), C.CONNORS_2010_ASS, "R") for k, v in FEATURES.items()]
    r = refs(ID)
    feats = tuple(r(k) for k in FEATURES)
    categories = [Category(ANTISYNTHETASE_SYNDROME, "antisynthetase syndrome",
                           All((r("anti_synthetase_antibody"), AtLeast(1, *feats))))]
    return CriteriaSet(ID, VERSION, "Antisynthetase syndrome (Connors 2010)", C.CONNORS_2010_ASS, items,
                       categories, not_met_category="not antisynthetase syndrome", verification="R",
                       notes=["Definition chosen by myoclass; its wording was not checked against the paper."])
