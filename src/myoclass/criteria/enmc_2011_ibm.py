"""ENMC 2011 (188th workshop) inclusion body myositis criteria.

Categories as reproduced in Machado et al. 2014 (PMC4233319, Table 2) [V-S]. Mandatory for every
category: onset after 45, weakness for more than 12 months, CK at most 15x the upper limit.
"""

from __future__ import annotations

from myoclass.criteria import citations as C
from myoclass.criteria.api import Category, CriteriaSet, Item, Policy, bx, cat, refs
from myoclass.logic.kleene import All, Any_, CountIn, Var

ID = "enmc_2011_ibm"
VERSION = "2013.1"
#: category ids: short and stable (the display text is the Category's name)
CLINICO_PATHOLOGICAL = "clinico_pathological"
CLINICAL = "clinical"
PROBABLE = "probable"


def build(policy: Policy) -> CriteriaSet:
    r = refs(ID)
    items = [
        Item("onset_over_45", "Age at onset > 45 years", cat("onset_age_band", "over_45"), C.ENMC_2011_IBM),
        Item("duration_over_12_months", "Duration of weakness > 12 months",
             cat("duration_band", "over_12_months"), C.ENMC_2011_IBM,
             note="taken from symptom_duration_months"),
        Item("ck_at_most_15x_uln", "Serum CK ≤ 15 × ULN",
             cat("ck_band", "normal", "raised_up_to_15x_uln"), C.ENMC_2011_IBM),
        Item("finger_flexor_weakness", "Finger flexion weakness > shoulder abduction weakness",
             Var("weakness_finger_flexor_gt_shoulder_abductor"), C.ENMC_2011_IBM),
        Item("knee_extensor_weakness", "Knee extension weakness ≥ hip flexion weakness",
             Var("weakness_knee_extensor_ge_hip_flexor"), C.ENMC_2011_IBM),
        Item("endomysial_infiltrate", "Biopsy: endomysial inflammatory infiltrate",
             Any_((bx("biopsy_endomysial_infiltrate_non_invading"), bx("biopsy_invasion_non_necrotic_fibers"))),
             C.ENMC_2011_IBM),
        Item("mhc1_upregulation", "Biopsy: up-regulation of MHC class I", bx("biopsy_mhc1_upregulation"),
             C.ENMC_2011_IBM),
        Item("rimmed_vacuoles", "Biopsy: rimmed vacuoles", bx("biopsy_rimmed_vacuoles"), C.ENMC_2011_IBM),
        Item("protein_accumulation", "Biopsy: protein accumulation or 15-18 nm filaments",
             bx("biopsy_protein_accumulation"), C.ENMC_2011_IBM),
    ]
    mandatory = (r("onset_over_45"), r("duration_over_12_months"), r("ck_at_most_15x_uln"))
    either = Any_((r("finger_flexor_weakness"), r("knee_extensor_weakness")))
    both = All((r("finger_flexor_weakness"), r("knee_extensor_weakness")))
    four = (r("endomysial_infiltrate"), r("mhc1_upregulation"), r("rimmed_vacuoles"), r("protein_accumulation"))
    some_not_all = CountIn(1, 3, four)
    categories = [
        Category(CLINICO_PATHOLOGICAL, "clinico-pathologically defined IBM",
                 All((*mandatory, either, r("endomysial_infiltrate"), r("rimmed_vacuoles"),
                      r("protein_accumulation"))), certainty="definite"),
        Category(CLINICAL, "clinically defined IBM", All((*mandatory, both, some_not_all)), certainty="probable"),
        Category(PROBABLE, "probable IBM", All((*mandatory, either, some_not_all)), certainty="probable"),
    ]
    return CriteriaSet(ID, VERSION, "ENMC 2011 inclusion body myositis", C.ENMC_2011_IBM, items, categories,
                       not_met_category="not IBM", extra_citations=[C.LLOYD_2014],
                       notes=["Best-performing category in validation: ENMC probable (sensitivity 84%; Lloyd 2014)."])
