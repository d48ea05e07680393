"""224th ENMC International Workshop (2016; Neuromuscul Disord 2018): IMNM and its three subtypes.

Set id ``enmc_2017_imnm`` (the report appeared online in 2017; the id follows the assessment
contract). The criteria table of the report could not be checked against the paper, so
every rule item here is tagged [R] and reported as unverified. The three-subtype model itself is
confirmed by secondary sources [V-S].
"""

from __future__ import annotations

from myoclass.criteria import citations as C
from myoclass.criteria.api import Category, CriteriaSet, Item, Policy, bx, bx_absent, cat, refs
from myoclass.logic.kleene import All, Any_, Not, Var

ID = "enmc_2017_imnm"
VERSION = "2018.1"
#: category ids: short and stable (the display text is the Category's name)
ANTI_HMGCR = "anti_hmgcr"
ANTI_SRP = "anti_srp"
ANTIBODY_NEGATIVE = "antibody_negative"
POSSIBLE_ANTI_HMGCR = "possible_anti_hmgcr"
POSSIBLE_ANTI_SRP = "possible_anti_srp"

CK_RAISED = cat("ck_band", "raised_up_to_15x_uln", "raised_over_15x_uln")


def build(policy: Policy) -> CriteriaSet:
    r = refs(ID)
    items = [
        Item("ck_elevated", "Elevated serum creatine kinase", CK_RAISED, C.ENMC_2017_IMNM, "R",
             note="no fold-of-ULN cut-off could be verified; none is invented"),
        Item("proximal_weakness", "Proximal muscle weakness",
             Any_((Var("weakness_proximal_upper_symmetric"), Var("weakness_proximal_lower_symmetric"))),
             C.ENMC_2017_IMNM, "R"),
        Item("anti_hmgcr", "Anti-HMGCR autoantibodies", Var("ab_hmgcr"), C.ENMC_2017_IMNM, "V-S"),
        Item("anti_srp", "Anti-SRP autoantibodies", Var("ab_srp"), C.ENMC_2017_IMNM, "V-S"),
        Item("antibody_negative", "Anti-HMGCR and anti-SRP both negative",
             All((Not(Var("ab_hmgcr")), Not(Var("ab_srp")))), C.ENMC_2017_IMNM, "V-S"),
        Item("biopsy_necrosis_predominant",
             "Biopsy: scattered necrotic fibres at different stages as the predominant abnormality",
             bx("biopsy_necrosis_predominant"), C.ENMC_2017_IMNM, "R",
             note="required for antibody-negative IMNM; not for the seropositive subtypes [R]"),
        Item("biopsy_inflammation_sparse", "Biopsy: lymphocytic infiltrate sparse (if any)",
             bx_absent("biopsy_lymphocytic_infiltrate_prominent"), C.ENMC_2017_IMNM, "R"),
        Item("biopsy_no_invasion", "Biopsy: no invasion of non-necrotic fibres",
             bx_absent("biopsy_invasion_non_necrotic_fibers"), C.ENMC_2017_IMNM, "R"),
        Item("no_better_explanation",
             "No other cause of necrotizing myopathy identified (drug/toxic, hypothyroid, dystrophy, genetic)",
             Not(Any_((Var("hypothyroidism"), Var("other_myotoxic_drug"), Var("genetic_diagnosis"),
                       Var("biopsy_dystrophic_features")))),
             C.ENMC_2017_IMNM, "R",
             note="an unknown mimic finding is presumed absent ('no better explanation'); see next_tests"),
        Item("support_mhc1", "Supportive: sarcolemmal MHC class I on non-necrotic fibres",
             bx("biopsy_mhc1_upregulation"), C.ENMC_2017_IMNM, "R", note="supportive, not required"),
        Item("support_mac", "Supportive: MAC (C5b-9) on the sarcolemma of non-necrotic fibres",
             bx("biopsy_mac_sarcolemma_non_necrotic"), C.ENMC_2017_IMNM, "R", note="supportive, not required"),
    ]
    weak = r("proximal_weakness")
    clinical = (r("ck_elevated"), weak) if policy.enmc_weakness_required else (r("ck_elevated"),)
    biopsy = (r("biopsy_necrosis_predominant"), r("biopsy_inflammation_sparse"), r("biopsy_no_invasion"))
    categories = [
        Category(ANTI_HMGCR, "anti-HMGCR myopathy", All((*clinical, r("anti_hmgcr")))),
        Category(ANTI_SRP, "anti-SRP myopathy", All((*clinical, r("anti_srp")))),
        Category(ANTIBODY_NEGATIVE, "antibody-negative IMNM",
                 All((*clinical, r("antibody_negative"), *biopsy, r("no_better_explanation")))),
        Category(POSSIBLE_ANTI_HMGCR, "possible anti-HMGCR myopathy (weakness absent)",
                 All((r("ck_elevated"), Not(weak), r("anti_hmgcr"))), met=False),
        Category(POSSIBLE_ANTI_SRP, "possible anti-SRP myopathy (weakness absent)",
                 All((r("ck_elevated"), Not(weak), r("anti_srp"))), met=False),
    ]
    return CriteriaSet(
        ID, VERSION, "224th ENMC immune-mediated necrotizing myopathy (IMNM)", C.ENMC_2017_IMNM, items,
        categories, not_met_category="not IMNM", verification="R",
        notes=["The report's criteria table was not available for checking: items tagged R are "
               "implemented as described in secondary sources and reported as unverified.",
               "A biopsy is required only for antibody-negative IMNM [R]."],
        extra_citations=[C.CHOW_2024],
    )
