"""Guidance for the clinician: what the result means for this patient, each item cited.

Every item is decision support, written as information for a clinician, never as an order. Each
carries its sources and a verification tag (``docs/criteria.md``; R: not checked against the
primary; reported as unverified). Items are chosen from the bottom-line label, the labels still
reachable (referral while IMNM is possible) and the findings (antibody-specific risks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from myoclass.criteria import citations as C
from myoclass.criteria.api import Citation

__all__ = ["GUIDANCE", "Guidance", "GuidanceContext", "guidance_for"]


@dataclass(frozen=True)
class GuidanceContext:
    label: str
    reachable: frozenset[str]
    values: Mapping[str, Any]  # the validated flat case

    def v(self, key: str) -> Any:
        return self.values.get(key)


@dataclass(frozen=True)
class Guidance:
    id: str
    text: str
    sources: tuple[Citation, ...]
    verification: str
    applies: Callable[[GuidanceContext], bool]

    def render(self) -> dict[str, Any]:
        return dict(self._rendered)

    @cached_property
    def _rendered(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text,
                "citation": "; ".join(c.render_short() for c in self.sources),
                "verification": self.verification, "unverified": self.verification == "R"}


def _label(*labels: str) -> Callable[[GuidanceContext], bool]:
    return lambda g: g.label in labels


_IMNM = ("imnm_anti_hmgcr", "imnm_anti_srp", "imnm_seronegative")

GUIDANCE: tuple[Guidance, ...] = (
    # --- every IMNM ---------------------------------------------------------------------------
    Guidance("imnm.refer",
             "IMNM is met or still possible. It is rare (about 1 in 10 inflammatory myopathies) and severe weakness "
             "can progress quickly, so referral to a myositis or neuromuscular centre is worth considering.",
             (C.ORPHANET_IMNM, C.PINAL_FERNANDEZ_2018), "V-S",
             lambda g: bool(g.reachable & set(_IMNM))),
    Guidance("imnm.heart",
             "Cardiac screening (ECG, troponin, echocardiography or cardiac MRI) is suggested in IMNM. Cardiac "
             "involvement is reported most with anti-SRP (an independent predictor in the Reuma.pt registry); one "
             "cohort found subclinical cardiac MRI changes more often in antibody-negative IMNM.",
             (C.BANDEIRA_2023, C.MA_2021, C.ORPHANET_IMNM), "V-S", _label(*_IMNM)),
    # --- anti-HMGCR ---------------------------------------------------------------------------
    Guidance("hmgcr.statin_stop",
             "Statin exposure with anti-HMGCR myopathy: stopping the statin is advised. This is not ordinary statin "
             "intolerance (anti-HMGCR was found in none of 763 statin users without myopathy), and stopping the "
             "statin alone rarely controls the disease (4 of 75 recovered without immunosuppression in one national "
             "cohort).",
             (C.MAMMEN_2012, C.CHOW_2024), "V-S",
             lambda g: g.label == "imnm_anti_hmgcr" and g.v("statin_exposure") is not False),
    Guidance("hmgcr.statin_avoid",
             "After anti-HMGCR myopathy, future statin re-exposure is generally avoided (recommendation as reported "
             "for the ENMC workshop; not checked against the report).",
             (C.ENMC_2017_IMNM,), "R", _label("imnm_anti_hmgcr")),
    Guidance("hmgcr.statin_naive_young",
             "Anti-HMGCR myopathy also occurs without statins, in children and young adults, and can resemble a "
             "limb-girdle muscular dystrophy, sometimes after years of raised CK without weakness; it may still "
             "respond to immunosuppression.",
             (C.MOHASSEL_MAMMEN_2018, C.LGMD_LIKE_2019, C.PINAL_FERNANDEZ_2018), "V-S",
             lambda g: g.label == "imnm_anti_hmgcr" and (
                 g.v("statin_exposure") is False
                 or (g.v("age_at_onset_years") is not None and g.v("age_at_onset_years") < 40))),
    Guidance("hmgcr.cancer",
             "Cancer screening is suggested: synchronous cancer was found in 11.5% of anti-HMGCR IMNM (Allenbach "
             "2016). A later case-control study found no excess over matched controls, so the extent of screening "
             "may be individualised (see the cancer screening category).",
             (C.ALLENBACH_2016,), "V-P", _label("imnm_anti_hmgcr")),
    Guidance("hmgcr.treatment",
             "Treatment reported by the ENMC workshop for anti-HMGCR myopathy: corticosteroids with a second agent "
             "(e.g. methotrexate) started early; intravenous immunoglobulin is an option and has been used alone in "
             "selected patients; IVIG and/or rituximab are added if the response at about 6 months is inadequate.",
             (C.ENMC_2017_IMNM, C.PINAL_FERNANDEZ_2018), "R", _label("imnm_anti_hmgcr")),
    Guidance("statin.needs_negative_hmgcr",
             "A self-limited (toxic) statin myopathy can be concluded only when anti-HMGCR is negative; anti-HMGCR "
             "has not been tested.",
             (C.MAMMEN_2017, C.MAMMEN_2012), "V-P",
             lambda g: g.v("statin_exposure") is True and g.v("ab_hmgcr") is None),
    Guidance("statin_toxic.course",
             "Self-limited statin myopathy: CK and symptoms are expected to settle within weeks to months off the "
             "statin. Weakness or CK that persist or progress would point to anti-HMGCR myopathy instead.",
             (C.MAMMEN_2017,), "V-P", _label("statin_toxic_myopathy")),
    # --- anti-SRP -----------------------------------------------------------------------------
    Guidance("srp.heart_lungs",
             "Anti-SRP myopathy: the heart (ECG, troponin, echocardiography or cardiac MRI) and the lungs (interstitial "
             "lung disease in about 1 in 5) are worth assessing.",
             (C.BANDEIRA_2023, C.SELVA_2018), "V-S", _label("imnm_anti_srp")),
    Guidance("srp.swallowing",
             "Anti-SRP myopathy: severe weakness with dysphagia is typical; a swallowing assessment is worth "
             "considering.",
             (C.SELVA_2018,), "V-S", _label("imnm_anti_srp")),
    Guidance("srp.treatment",
             "Anti-SRP myopathy is often refractory. Reported by the ENMC workshop: corticosteroids with a second "
             "agent, and rituximab early if the response is insufficient (often by about 6 months); regimens "
             "including rituximab may respond best.",
             (C.ENMC_2017_IMNM, C.PINAL_FERNANDEZ_2018), "R", _label("imnm_anti_srp")),
    # --- antibody-negative IMNM ---------------------------------------------------------------
    Guidance("seroneg.cancer",
             "Cancer screening is suggested: synchronous cancer was found in 21.4% of antibody-negative IMNM "
             "(Allenbach 2016; a later case-control study suggests individualising).",
             (C.ALLENBACH_2016,), "V-P", _label("imnm_seronegative")),
    Guidance("seroneg.thyroid",
             "Thyroid function (TSH and free T4) has not been recorded: hypothyroid myopathy can be mistaken for IMNM "
             "when T4 is not measured.",
             (C.MAMMEN_2017,), "V-P", lambda g: g.label == "imnm_seronegative" and g.v("hypothyroidism") is None),
    Guidance("seroneg.drugs",
             "A drug history is worth completing: statins, colchicine, zidovudine, hydroxychloroquine, fibrates, "
             "alcohol excess and immune-checkpoint inhibitors can cause a necrotizing myopathy.",
             (C.ENMC_2017_IMNM, C.MAMMEN_2017), "R", _label("imnm_seronegative")),
    Guidance("seroneg.dystrophy",
             "Muscular dystrophies and Pompe disease can look like antibody-negative IMNM, especially when the biopsy "
             "is inflamed: dystrophy immunostaining and/or a gene panel (DYSF, CAPN3, FKRP, ANO5, DMD, "
             "sarcoglycans) and GAA enzyme activity are worth considering.",
             (C.ENMC_2017_IMNM, C.MAMMEN_2017), "R",
             lambda g: g.label == "imnm_seronegative" and not g.v("genetic_diagnosis_gene")),
    Guidance("seroneg.srp_retest",
             "Anti-SRP was negative on a line blot. A more sensitive assay (tissue indirect immunofluorescence is "
             "reported as more sensitive than immunoblot) could be considered before calling the myopathy "
             "antibody-negative.",
             (C.MAYO_NMS1,), "V-S",
             lambda g: g.v("ab_srp") is False and g.v("ab_srp_method") == "line_blot"
             and ("imnm_seronegative" in g.reachable)),
    # --- the other labels ---------------------------------------------------------------------
    Guidance("dm.cancer",
             "Adult dermatomyositis carries an increased cancer risk (older age, male sex, dysphagia, skin ulceration "
             "and anti-TIF1-γ add to it); cancer screening is suggested (see the cancer screening category).",
             (C.OLDROYD_2021,), "V-P", _label("dm")),
    Guidance("adm.lungs",
             "Amyopathic dermatomyositis: interstitial lung disease is the main threat, above all with anti-MDA5 "
             "(rapidly progressive ILD); lung assessment is worth considering. Its cancer risk was lower than in DM "
             "with myositis in a meta-analysis.",
             (C.SELVA_2018, C.OLDROYD_2021), "V-S", _label("adm")),
    Guidance("undetermined.next_tests",
             "The classification is not settled by the known findings: the next tests listed are ordered by how much "
             "they would settle it. Classification criteria group patients for research and support, but do not "
             "replace, a clinical diagnosis.",
             (C.EULAR_ACR_2017,), "V-P", _label("undetermined")),
    Guidance("juvenile.imnm_mimic",
             "In children without a DM rash, anti-SRP and anti-HMGCR myopathy can present like a dystrophy and may be "
             "reversible with immunosuppression; testing both antibodies is worth considering if not done.",
             (C.PINAL_FERNANDEZ_2018,), "V-S",
             lambda g: g.label == "juvenile_myositis_other" and (g.v("ab_srp") is None or g.v("ab_hmgcr") is None)),
    Guidance("ibm.mistaken_for_pm",
             "Inclusion body myositis is often first mistaken for polymyositis when rimmed vacuoles are missed; the "
             "ENMC 2011 'probable' category performed best in validation (sensitivity 84%).",
             (C.MAMMEN_2017, C.LLOYD_2014), "V-P", _label("ibm")),
    Guidance("ass.lungs",
             "Antisynthetase syndrome: interstitial lung disease often dominates (severe with anti-PL-7, PL-12, KS "
             "and OJ); lung function with DLCO and high-resolution CT are worth considering.",
             (C.SELVA_2018,), "V-S", _label("antisynthetase")),
    Guidance("pm.exclusion",
             "Polymyositis is a diagnosis of exclusion: IMNM (anti-HMGCR, anti-SRP, biopsy), IBM (rimmed vacuoles can "
             "be missed) and antisynthetase syndrome are the usual alternatives to keep in mind.",
             (C.MAMMEN_2017, C.ENMC_2017_IMNM), "V-S", _label("pm", "nonspecific_myositis")),
    Guidance("hereditary.not_autoimmune",
             "A genetic myopathy explains the picture. LGMD R28 (biallelic HMGCR variants) is inherited and is not "
             "anti-HMGCR myopathy; dystrophies such as dysferlinopathy are commonly misdiagnosed as myositis.",
             (C.MONDO_LGMDR28, C.MAMMEN_2017), "V-P", _label("hereditary_myopathy")),
    Guidance("other.reassess",
             "A non-immune cause explains the picture (hypothyroidism or a myotoxic drug). If weakness or raised CK "
             "persist once it is corrected, an inflammatory myopathy can be reconsidered.",
             (C.MAMMEN_2017,), "R", _label("other_non_immune")),
    Guidance("not_iim.mimics",
             "Criteria for an inflammatory myopathy are not met. If weakness or a raised CK persist, non-immune causes "
             "are worth considering: dystrophies, metabolic myopathies (e.g. lipid storage, McArdle, CPT2), "
             "hypothyroidism and drugs.",
             (C.MAMMEN_2017, C.NECROSIS_BIOPSY_2022), "V-S", _label("not_iim")),
    Guidance("checkpoint_inhibitor",
             "Immune-checkpoint-inhibitor therapy before onset: checkpoint-inhibitor myositis may come with "
             "myocarditis and myasthenic features, which are worth looking for.",
             (C.MAMMEN_2017,), "R", lambda g: g.v("checkpoint_inhibitor") is True),
)

#: antibody-specific risks (each cited below), shown whenever the antibody is positive
_ANTIBODY: tuple[tuple[str, str, str, tuple[Citation, ...]], ...] = (
    ("ab_tif1g", "Anti-TIF1-γ: strong association with cancer in adults (risk ratio 4.66 in meta-analysis).", "V-S",
     (C.SELVA_2018, C.OLDROYD_2021)),
    ("ab_nxp2", "Anti-NXP2: cancer in adults, calcinosis, severe weakness and dysphagia.", "V-S", (C.SELVA_2018,)),
    ("ab_sae", "Anti-SAE: skin before muscle, dysphagia, cancer in some cohorts, ILD in Asian cohorts.", "V-S",
     (C.SELVA_2018,)),
    ("ab_mda5", "Anti-MDA5: rapidly progressive interstitial lung disease with high early mortality, skin ulcers; "
                "urgent lung assessment is worth considering.", "V-S", (C.SELVA_2018,)),
    ("ab_jo1", "Anti-Jo-1: interstitial lung disease, arthritis, mechanic's hands, Raynaud's phenomenon, fever.", "V-S",
     (C.SELVA_2018,)),
    ("ab_pl7", "Anti-PL-7: often severe interstitial lung disease with milder weakness.", "V-S", (C.SELVA_2018,)),
    ("ab_pl12", "Anti-PL-12: often severe interstitial lung disease with mild weakness.", "V-S", (C.SELVA_2018,)),
    ("ab_ks", "Anti-KS: interstitial lung disease is often the main feature.", "V-S", (C.SELVA_2018,)),
    ("ab_oj", "Anti-OJ: severe weakness and severe interstitial lung disease.", "V-S", (C.SELVA_2018,)),
    ("ab_mi2", "Anti-Mi-2: classic DM rash, no lung involvement; a good steroid response is reported.", "R",
     (C.SELVA_2018,)),
    ("ab_cn1a", "Anti-cN1A: found in about a third of IBM, but not fully specific (also in Sjögren's syndrome and "
                "SLE).", "V-S", (C.SELVA_2018,)),
    ("ab_ro52", "Anti-Ro52: frequent companion of antisynthetase antibodies, linked with ILD and a more severe "
                "course; not specific to myositis.", "R", (C.SELVA_2018,)),
    ("ab_pmscl", "Anti-PM-Scl: myositis-scleroderma overlap, oesophageal involvement, ILD.", "V-S", (C.SELVA_2018,)),
    ("ab_ku", "Anti-Ku: overlap with scleroderma and Sjögren's syndrome; ILD.", "V-S", (C.SELVA_2018,)),
)


def guidance_for(ctx: GuidanceContext) -> list[dict[str, Any]]:
    """The guidance items that apply, each with its citation and verification status."""
    out = [g.render() for g in GUIDANCE if g.applies(ctx)]
    values = ctx.values
    out += [g.render() for key, g in _ANTIBODY_GUIDANCE if values.get(key) is True]
    return out


_ANTIBODY_GUIDANCE = tuple((key, Guidance(f"antibody.{key[3:]}", text, srcs, tag, lambda _g: True))
                           for key, text, tag, srcs in _ANTIBODY)
