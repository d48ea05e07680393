"""119th ENMC workshop (2003; Neuromuscul Disord 2004) criteria for the IIM other than IBM.

The first criteria with a separate immune-mediated necrotizing myopathy category, defined by the
biopsy (item g) whatever the antibodies. Items 1-4d [V-S] (textbook reproduction); biopsy items
e, h, i, the ocular/neck-extensor exclusion and the exact logic of each category are [R]
(see ``docs/criteria.md``). Biopsy item (f), scattered endomysial CD8+ cells not clearly surrounding or
invading fibres, has no key in the flat case, so non-specific myositis is decided on item (e).
"""

from __future__ import annotations

from myoclass.criteria import citations as C
from myoclass.criteria.api import Category, CriteriaSet, Item, Policy, bx, cat, refs
from myoclass.logic.kleene import All, Any_, Expr, Not, Var

ID = "enmc_2003_iim"
VERSION = "2004.1"
#: category ids: short and stable (the display text is the Category's name)
DEFINITE_DM = "definite_dm"
PROBABLE_DM = "probable_dm"
DEFINITE_PM = "definite_pm"
PROBABLE_PM = "probable_pm"
IMNM = "imnm"
POSSIBLE_DM_SINE_DERMATITIS = "possible_dm_sine_dermatitis"
NONSPECIFIC_MYOSITIS = "nonspecific_myositis"
AMYOPATHIC_DM = "amyopathic_dm"

MSA = ("ab_hmgcr", "ab_srp", "ab_jo1", "ab_pl7", "ab_pl12", "ab_ej", "ab_oj", "ab_ks", "ab_zo", "ab_ha",
       "ab_mi2", "ab_mda5", "ab_tif1g", "ab_nxp2", "ab_sae")


def build(policy: Policy) -> CriteriaSet:
    r = refs(ID)
    items = [
        Item("onset_over_18", "1a. Onset usually after 18 years (childhood onset allowed in DM and non-specific myositis)",
             cat("onset_age_band", "18_to_39", "40_to_45", "over_45"), C.ENMC_2003_IIM),
        Item("onset_subacute_insidious", "1b. Subacute or insidious onset", cat("onset_tempo", "subacute", "insidious"),
             C.ENMC_2003_IIM),
        Item("weakness_pattern", "1c. Symmetric proximal > distal weakness (neck flexor > extensor)",
             All((Any_((Var("weakness_proximal_upper_symmetric"), Var("weakness_proximal_lower_symmetric"))),
                  Not(Var("weakness_distal_predominant")))), C.ENMC_2003_IIM, "R",
             note="neck pattern not required; distal-predominant weakness excludes"),
        Item("dm_rash", "1d. Typical DM rash (heliotrope, Gottron, V-sign, shawl, holster)",
             Any_((Var("skin_heliotrope"), Var("skin_gottron_papules"), Var("skin_gottron_sign"),
                   Var("skin_other_dm_rash"))), C.ENMC_2003_IIM),
        Item("exclusion_ibm_pattern", "Exclusion: IBM pattern (asymmetric; finger/wrist flexors ≤ deltoids; "
             "knee extensors ≤ hip flexors)",
             Any_((Var("weakness_asymmetric"), Var("weakness_finger_flexor_gt_shoulder_abductor"),
                   Var("weakness_knee_extensor_ge_hip_flexor"))), C.ENMC_2003_IIM),
        Item("exclusion_ocular_neck_extensor", "Exclusion: ocular weakness, isolated dysarthria, neck extensor > flexor",
             Any_((Var("weakness_ocular_or_facial"), Var("weakness_neck_extensor_gt_flexor"))), C.ENMC_2003_IIM, "R"),
        Item("exclusion_toxic_endocrine_family", "Exclusion: toxic myopathy, active endocrinopathy, family history "
             "of dystrophy or a genetic diagnosis",
             Any_((Var("other_myotoxic_drug"), Var("hypothyroidism"), Var("family_history_myopathy"),
                   Var("genetic_diagnosis"))), C.ENMC_2003_IIM,
             note="an unknown mimic finding is presumed absent"),
        Item("ck_elevated", "2. Elevated serum CK", cat("ck_band", "raised_up_to_15x_uln", "raised_over_15x_uln"),
             C.ENMC_2003_IIM),
        Item("emg", "3a. Myopathic EMG", Var("emg_myopathic"), C.ENMC_2003_IIM, "R",
             note="short, small polyphasic MUAPs; exact inclusion wording unverified"),
        Item("mri", "3b. MRI: diffuse or patchy increased STIR signal (oedema)", Var("mri_muscle_edema"), C.ENMC_2003_IIM),
        Item("msa", "3c. Myositis-specific antibody detected", Any_(tuple(Var(a) for a in MSA)), C.ENMC_2003_IIM),
        Item("bx_a", "4a. Endomysial infiltrate surrounding and invading non-necrotic fibres",
             bx("biopsy_invasion_non_necrotic_fibers"), C.ENMC_2003_IIM),
        Item("bx_b", "4b. Endomysial CD8+ cells surrounding, not invading, non-necrotic fibres, or ubiquitous MHC-I",
             Any_((bx("biopsy_endomysial_infiltrate_non_invading"), bx("biopsy_mhc1_upregulation"))), C.ENMC_2003_IIM),
        Item("bx_c", "4c. Perifascicular atrophy", bx("biopsy_perifascicular_atrophy"), C.ENMC_2003_IIM),
        Item("bx_d", "4d. MAC on small blood vessels (or reduced capillary density, tubuloreticular inclusions)",
             bx("biopsy_mac_capillaries"), C.ENMC_2003_IIM),
        Item("bx_e", "4e. Perivascular, perimysial inflammatory infiltrate",
             bx("biopsy_perimysial_perivascular_infiltrate"), C.ENMC_2003_IIM, "R"),
        Item("bx_g", "4g. Many necrotic fibres as the predominant abnormality; inflammatory cells sparse; "
             "no perimysial infiltrate",
             All((bx("biopsy_necrosis_predominant"), Not(Var("biopsy_lymphocytic_infiltrate_prominent")),
                  Not(Var("biopsy_perimysial_perivascular_infiltrate")))), C.ENMC_2003_IIM),
        Item("bx_h", "4h. Rimmed vacuoles, ragged-red or COX-negative fibres (another diagnosis)",
             Any_((bx("biopsy_rimmed_vacuoles"), bx("biopsy_cox_negative_fibers"))), C.ENMC_2003_IIM, "R"),
        Item("bx_i", "4i. MAC on non-necrotic fibres with other signs of a dystrophy",
             bx("biopsy_dystrophic_features"), C.ENMC_2003_IIM, "R", note="an unknown dystrophic finding is presumed absent"),
    ]
    no_excl = Not(Any_((r("exclusion_ibm_pattern"), r("exclusion_ocular_neck_extensor"),
                        r("exclusion_toxic_endocrine_family"))))
    lab = Any_((r("emg"), r("mri"), r("msa")))
    ck = r("ck_elevated")

    def none_of(*ids: str) -> Expr:
        return Not(Any_(tuple(r(i) for i in ids)))

    defs: list[tuple[str, Expr]] = [
        ("clinical_pm", All((r("onset_over_18"), r("onset_subacute_insidious"), r("weakness_pattern"),
                             Not(r("dm_rash")), no_excl))),
        ("clinical_nsm", All((r("onset_subacute_insidious"), r("weakness_pattern"), Not(r("dm_rash")), no_excl))),
        ("clinical_dm", All((r("onset_subacute_insidious"), r("weakness_pattern"), r("dm_rash"), no_excl))),
        ("other_lab", lab),
    ]
    pm, nsm, dm, ol = r("clinical_pm"), r("clinical_nsm"), r("clinical_dm"), r("other_lab")
    categories = [
        Category(DEFINITE_DM, "definite DM", All((dm, r("bx_c"))), certainty="definite"),
        Category(PROBABLE_DM, "probable DM", All((dm, Any_((r("bx_d"), r("bx_e"), ck, ol)))), certainty="probable"),
        Category(DEFINITE_PM, "definite PM", All((pm, ck, r("bx_a"), none_of("bx_c", "bx_d", "bx_h", "bx_i"))),
                 certainty="definite"),
        Category(PROBABLE_PM, "probable PM", All((pm, ck, ol, r("bx_b"), none_of("bx_c", "bx_d", "bx_g", "bx_h", "bx_i"))),
                 certainty="probable"),
        Category(IMNM, "immune-mediated necrotizing myopathy",
                 All((pm, ck, ol, r("bx_g"), none_of("bx_a", "bx_b", "bx_c", "bx_e", "bx_h", "bx_i")))),
        Category(POSSIBLE_DM_SINE_DERMATITIS, "possible DM sine dermatitis",
                 All((pm, ck, ol, Any_((r("bx_c"), r("bx_d"))))), certainty="possible"),
        Category(NONSPECIFIC_MYOSITIS, "non-specific myositis",
                 All((nsm, ck, ol, r("bx_e"), none_of("bx_a", "bx_b", "bx_c", "bx_d", "bx_g", "bx_h", "bx_i")))),
        Category(AMYOPATHIC_DM, "amyopathic DM",
                 All((r("dm_rash"), Not(Var("weakness_proximal_upper_symmetric")),
                      Not(Var("weakness_proximal_lower_symmetric")), Not(ck), Not(Var("emg_myopathic")),
                      none_of("bx_c", "bx_d", "bx_e"))), certainty=None),
    ]
    return CriteriaSet(ID, VERSION, "119th ENMC (2003) idiopathic inflammatory myopathies", C.ENMC_2003_IIM, items,
                       categories, not_met_category="no ENMC 2003 category", defs=defs,
                       notes=["Category logic is [R]; the skin-biopsy requirement of amyopathic DM has no flat-case "
                              "key and is not applied; biopsy item (f) has no key.",
                              "Item (g) allows MAC on small vessels, so (d) does not exclude the IMNM category."])
