"""Bohan & Peter (1975) polymyositis / dermatomyositis criteria.

Five criteria; definite / probable / possible by count, with the DM rash deciding PM vs DM.
Criteria as tabulated by Leclair & Lundberg 2018 (PMC5857275, Table 1) [V-S]. "Met" here means
definite or probable, the grades used for study inclusion. Necrosis counts as biopsy evidence, so
IMNM usually satisfies "PM" and Bohan & Peter cannot tell the two apart.
"""

from __future__ import annotations

from myoclass.criteria import citations as C
from myoclass.criteria.api import Category, CriteriaSet, Item, Policy, bx, cat, refs
from myoclass.logic.kleene import All, Any_, AtLeast, CountIn, Not, Var

ID = "bohan_peter_1975"
VERSION = "1975.1"
#: category ids: short and stable (the display text is the Category's name)
DEFINITE_DM = "definite_dm"
PROBABLE_DM = "probable_dm"
POSSIBLE_DM = "possible_dm"
DEFINITE_PM = "definite_pm"
PROBABLE_PM = "probable_pm"
POSSIBLE_PM = "possible_pm"

_BIOPSY = ("biopsy_necrotic_fibers", "biopsy_regenerating_fibers", "biopsy_lymphocytic_infiltrate_prominent",
           "biopsy_endomysial_infiltrate_non_invading", "biopsy_invasion_non_necrotic_fibers",
           "biopsy_perimysial_perivascular_infiltrate", "biopsy_perifascicular_atrophy")


def build(policy: Policy) -> CriteriaSet:
    r = refs(ID)
    items = [
        Item("symmetric_proximal_weakness", "1. Symmetric proximal (limb-girdle) muscle weakness",
             Any_((Var("weakness_proximal_upper_symmetric"), Var("weakness_proximal_lower_symmetric"))),
             C.BOHAN_PETER_1975),
        Item("biopsy_evidence", "2. Muscle biopsy evidence of myositis (necrosis, regeneration, "
             "mononuclear infiltrates, perifascicular atrophy)", Any_(tuple(bx(b) for b in _BIOPSY)),
             C.BOHAN_PETER_1975, note="perifascicular atrophy as part of the original description is [R]"),
        Item("elevated_enzymes", "3. Elevated serum muscle enzymes (CK, aldolase, LDH, transaminases)",
             Any_((cat("ck_band", "raised_up_to_15x_uln", "raised_over_15x_uln"), Var("aldolase_elevated"),
                   Var("ldh_elevated"), Var("ast_elevated"), Var("alt_elevated"))), C.BOHAN_PETER_1975),
        Item("emg_triad", "4. Characteristic EMG (short small polyphasic MUAPs; fibrillations, sharp waves)",
             All((Var("emg_myopathic"), Var("emg_spontaneous_activity"))), C.BOHAN_PETER_1975, "R",
             note="scored when both myopathic potentials and spontaneous activity are reported"),
        Item("dm_rash", "5. Typical rash of dermatomyositis",
             Any_((Var("skin_heliotrope"), Var("skin_gottron_papules"), Var("skin_gottron_sign"),
                   Var("skin_other_dm_rash"))), C.BOHAN_PETER_1975),
        Item("no_exclusion", "No exclusion (dystrophy, endocrine/metabolic, drug or toxic myopathy)",
             Not(Any_((Var("genetic_diagnosis"), Var("biopsy_dystrophic_features"), Var("hypothyroidism"),
                       Var("other_myotoxic_drug")))), C.BOHAN_PETER_1975, "R",
             note="an unknown mimic finding is presumed absent; drug/toxic exclusion is [R]"),
    ]
    four = (r("symmetric_proximal_weakness"), r("biopsy_evidence"), r("elevated_enzymes"), r("emg_triad"))
    rash, ok = r("dm_rash"), r("no_exclusion")

    def n(k: int, exact: bool = False) -> CountIn:
        return CountIn(k, k if exact else 4, four)

    categories = [
        Category(DEFINITE_DM, "definite DM", All((rash, ok, AtLeast(3, *four))), certainty="definite"),
        Category(PROBABLE_DM, "probable DM", All((rash, ok, n(2))), certainty="probable"),
        Category(POSSIBLE_DM, "possible DM", All((rash, ok, n(1))), met=False, certainty="possible"),
        Category(DEFINITE_PM, "definite PM", All((Not(rash), ok, n(4))), certainty="definite"),
        Category(PROBABLE_PM, "probable PM", All((Not(rash), ok, n(3))), certainty="probable"),
        Category(POSSIBLE_PM, "possible PM", All((Not(rash), ok, n(2))), met=False, certainty="possible"),
    ]
    return CriteriaSet(ID, VERSION, "Bohan & Peter (1975) polymyositis/dermatomyositis", C.BOHAN_PETER_1975,
                       items, categories, not_met_category="not PM/DM",
                       notes=["Historical criteria: they cannot separate IMNM or IBM from polymyositis."])
