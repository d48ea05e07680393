"""The flat case: every key of the data dictionary (v1, ``docs/data-dictionary.md``, generated from here), defined once.

The validator, the JSON Schema, the CSV reader and the reports all read this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ANTIBODIES", "ASSAY_METHODS", "FIELDS", "GENE_SYMBOL", "GROUPS", "FieldSpec"]

#: the shape of an HGNC gene symbol (``genetic_diagnosis_gene``): upper case, then upper case, digits or
#: hyphens, 20 characters at most. The validator, the JSON Schema (``pattern``) and the batch's vectorised
#: check all use this one rule.
GENE_SYMBOL = re.compile(r"^[A-Z][A-Z0-9-]{0,19}$")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    kind: str  # "bool" | "number" | "enum" | "string"
    group: str
    description: str
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    unit: str | None = None


GROUPS = (
    "identity",
    "history",
    "symptoms",
    "weakness",
    "skin",
    "laboratory",
    "autoantibodies",
    "electrophysiology_imaging",
    "biopsy",
    "drugs",
    "extramuscular",
)

ANTIBODIES: dict[str, str] = {
    # myositis-specific
    "ab_hmgcr": "anti-HMGCR",
    "ab_srp": "anti-SRP",
    "ab_jo1": "anti-Jo-1",
    "ab_pl7": "anti-PL-7",
    "ab_pl12": "anti-PL-12",
    "ab_ej": "anti-EJ",
    "ab_oj": "anti-OJ",
    "ab_ks": "anti-KS",
    "ab_zo": "anti-Zo",
    "ab_ha": "anti-Ha",
    "ab_mi2": "anti-Mi-2",
    "ab_mda5": "anti-MDA5",
    "ab_tif1g": "anti-TIF1-γ",
    "ab_nxp2": "anti-NXP2",
    "ab_sae": "anti-SAE",
    "ab_cn1a": "anti-cN1A",
    # myositis-associated
    "ab_ro52": "anti-Ro52",
    "ab_pmscl": "anti-PM-Scl",
    "ab_ku": "anti-Ku",
    "ab_u1rnp": "anti-U1-RNP",
}
ASSAY_METHODS = ("elisa", "iif", "line_blot", "immunoprecipitation", "cbia")


def _b(key: str, group: str, description: str) -> FieldSpec:
    return FieldSpec(key, "bool", group, description)


_F: list[FieldSpec] = [
    FieldSpec("case_id", "string", "identity", "caller's identifier, echoed back"),
    FieldSpec("sex", "enum", "identity", "sex", values=("female", "male", "other")),
    FieldSpec("age_at_onset_years", "number", "history",
              "age at the first symptom attributed to the disease", minimum=0, maximum=120, unit="years"),
    FieldSpec("age_years", "number", "history", "age at assessment", minimum=0, maximum=120, unit="years"),
    FieldSpec("onset_tempo", "enum", "history",
              "acute < 4 weeks, subacute 4 weeks – 6 months, insidious longer",
              values=("acute", "subacute", "insidious")),
    FieldSpec("symptom_duration_months", "number", "history",
              "from first symptom to assessment", minimum=0, unit="months"),
    _b("family_history_myopathy", "history", "family history of a myopathy"),
    FieldSpec("genetic_diagnosis_gene", "string", "history",
              "HGNC symbol of a pathogenic/likely pathogenic genotype that explains a myopathy, e.g. DYSF, HMGCR (LGMD R28), GAA"),
    _b("symptom_difficulty_climbing_stairs", "symptoms", "difficulty climbing stairs"),
    _b("symptom_difficulty_rising_from_chair", "symptoms", "difficulty rising from a chair"),
    _b("symptom_difficulty_lifting_arms_overhead", "symptoms", "difficulty lifting the arms overhead"),
    _b("symptom_falls", "symptoms", "falls, or difficulty getting up after a fall"),
    _b("symptom_fatigue", "symptoms", "general tiredness"),
    _b("symptom_myalgia", "symptoms", "muscle aches or pain"),
    _b("dysphagia", "symptoms", "difficulty swallowing, or oesophageal dysmotility on testing"),
    _b("weakness_proximal_upper_symmetric", "weakness", "objective symmetric weakness of proximal upper limbs"),
    _b("weakness_proximal_lower_symmetric", "weakness", "objective symmetric weakness of proximal lower limbs"),
    _b("weakness_neck_flexor_gt_extensor", "weakness", "neck flexors relatively weaker than neck extensors"),
    _b("weakness_neck_extensor_gt_flexor", "weakness", "neck extensors relatively weaker than flexors"),
    _b("weakness_legs_proximal_gt_distal", "weakness", "in the legs, proximal muscles weaker than distal"),
    _b("weakness_finger_flexor_gt_shoulder_abductor", "weakness", "finger flexors weaker than shoulder abductors"),
    _b("weakness_knee_extensor_ge_hip_flexor", "weakness", "knee extensors as weak as or weaker than hip flexors"),
    _b("weakness_asymmetric", "weakness", "clearly asymmetric weakness"),
    _b("weakness_distal_predominant", "weakness", "distal weaker than proximal overall"),
    _b("weakness_ocular_or_facial", "weakness", "ocular or facial weakness, or isolated dysarthria"),
    _b("skin_heliotrope", "skin", "heliotrope rash"),
    _b("skin_gottron_papules", "skin", "Gottron's papules"),
    _b("skin_gottron_sign", "skin", "Gottron's sign"),
    _b("skin_other_dm_rash", "skin", "V-sign, shawl sign, holster sign, periungual changes"),
    _b("skin_mechanics_hands", "skin", "mechanic's hands"),
    FieldSpec("ck_u_l", "number", "laboratory", "highest serum creatine kinase during the course",
              minimum=0, unit="U/L"),
    FieldSpec("ck_uln_u_l", "number", "laboratory", "that laboratory's upper limit of normal for CK",
              minimum=0, exclusive_minimum=True, unit="U/L"),
    _b("ck_elevated", "laboratory",
       "CK above normal (derived from ck_u_l and ck_uln_u_l when both are given, a contradiction being an error; "
       "true for a ck_u_l above 1,000 U/L given without a limit, above every laboratory's limit, an assumed "
       "ceiling: myoclass.model.ck; false beside such a value is kept, with a warning)"),
    _b("ldh_elevated", "laboratory", "LDH above the upper limit of normal at its most abnormal"),
    _b("ast_elevated", "laboratory", "AST above the upper limit of normal at its most abnormal"),
    _b("alt_elevated", "laboratory", "ALT above the upper limit of normal at its most abnormal"),
    _b("aldolase_elevated", "laboratory", "aldolase above the upper limit of normal at its most abnormal"),
    _b("hypothyroidism", "laboratory", "untreated hypothyroidism (TSH/free T4) at the time of the myopathy"),
]
for _key, _name in ANTIBODIES.items():
    _F.append(_b(_key, "autoantibodies", f"{_name} antibody: true positive, false negative, null not tested"))
    _F.append(FieldSpec(f"{_key}_method", "enum", "autoantibodies", f"assay method of the {_name} result",
                        values=ASSAY_METHODS))
_F += [
    _b("emg_myopathic", "electrophysiology_imaging", "short, small, polyphasic motor unit potentials"),
    _b("emg_spontaneous_activity", "electrophysiology_imaging",
       "fibrillations, positive sharp waves, complex repetitive discharges"),
    _b("mri_muscle_edema", "electrophysiology_imaging", "diffuse or patchy oedema (STIR hyperintensity) in muscle"),
    _b("biopsy_performed", "biopsy",
       "true: a biopsy was read and the biopsy_* items describe it; false: no biopsy; null: unknown"),
    _b("biopsy_necrotic_fibers", "biopsy", "scattered necrotic fibres at different stages (necrosis, myophagocytosis)"),
    _b("biopsy_necrosis_predominant", "biopsy", "necrotic and regenerating fibres are the predominant abnormality"),
    _b("biopsy_regenerating_fibers", "biopsy", "regenerating fibres"),
    _b("biopsy_lymphocytic_infiltrate_prominent", "biopsy",
       "more than sparse lymphocytic inflammation (false = sparse or absent)"),
    _b("biopsy_endomysial_infiltrate_non_invading", "biopsy",
       "endomysial mononuclear cells surrounding, not invading, myofibres"),
    _b("biopsy_invasion_non_necrotic_fibers", "biopsy", "mononuclear cells invading non-necrotic fibres"),
    _b("biopsy_perimysial_perivascular_infiltrate", "biopsy", "perimysial and/or perivascular mononuclear cells"),
    _b("biopsy_perifascicular_atrophy", "biopsy", "perifascicular atrophy"),
    _b("biopsy_rimmed_vacuoles", "biopsy", "rimmed vacuoles"),
    _b("biopsy_protein_accumulation", "biopsy", "amyloid, p62, SMI-31, TDP-43 aggregates or 15–18 nm filaments"),
    _b("biopsy_mhc1_upregulation", "biopsy", "sarcolemmal MHC class I on non-necrotic fibres"),
    _b("biopsy_mac_sarcolemma_non_necrotic", "biopsy", "C5b-9 (MAC) on the sarcolemma of non-necrotic fibres"),
    _b("biopsy_mac_capillaries", "biopsy", "C5b-9 on small vessels / capillaries"),
    _b("biopsy_cox_negative_fibers", "biopsy", "COX-negative or ragged-red fibres"),
    _b("biopsy_dystrophic_features", "biopsy",
       "features of a dystrophy, e.g. absent dysferlin, dystrophin or sarcoglycan staining"),
    _b("statin_exposure", "drugs", "statin taken before or at onset"),
    FieldSpec("statin_withdrawal_outcome", "enum", "drugs",
              "after stopping the statin without immunosuppression: CK and weakness normalised (resolved), "
              "or persisted / progressed; given while statin_exposure is unknown, statin_exposure is taken as true",
              values=("resolved", "persisted")),
    _b("other_myotoxic_drug", "drugs",
       "e.g. colchicine, zidovudine, hydroxychloroquine, fibrate, alcohol excess"),
    _b("checkpoint_inhibitor", "drugs", "immune-checkpoint-inhibitor therapy before onset"),
    FieldSpec("immunosuppression_response", "enum", "drugs",
              "response to immunosuppressive treatment, if treated", values=("improved", "no_response")),
    _b("ild", "extramuscular", "interstitial lung disease"),
    _b("arthritis", "extramuscular", "arthritis"),
    _b("raynaud", "extramuscular", "Raynaud's phenomenon"),
    _b("fever", "extramuscular", "fever not explained otherwise"),
    _b("cardiac_involvement", "extramuscular",
       "myocarditis, arrhythmia, conduction disease or cardiomyopathy"),
    _b("cancer", "extramuscular", "cancer, active or within 3 years of onset"),
    _b("weight_loss", "extramuscular", "weight loss"),
    _b("skin_ulceration", "extramuscular", "skin ulceration"),
]

FIELDS: dict[str, FieldSpec] = {f.key: f for f in _F}
BIOPSY_ITEMS: tuple[str, ...] = tuple(
    k for k, f in FIELDS.items() if f.group == "biopsy" and k != "biopsy_performed"
)
