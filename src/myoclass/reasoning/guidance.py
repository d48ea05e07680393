"""Guidance for the clinician: what the result means for this patient, each item cited.

Every item is decision support, written as information for a clinician, never as an order. Each
carries its sources and a verification tag (``docs/criteria.md``; R: not checked against the
primary; reported as unverified). Items are chosen from the bottom-line label, the labels still
reachable (referral while IMNM is possible, saying how likely the differential makes it) and the
findings (antibody-specific risks), and they follow what is already known:

- an item whose advice the recorded findings already answer is not shown (:attr:`Guidance.settled_by`:
  cardiac screening once ``cardiac_involvement`` is recorded, a lung assessment once ``ild`` is, a
  swallowing assessment once ``dysphagia`` is, a thyroid test once ``hypothyroidism`` is, ...);
- each assessment (the heart, the lungs, swallowing) is advised by one item at most
  (:attr:`Guidance.advises`); an antibody item leaves out its advice when a label item gives it;
- items are about the label and what is still possible: statin advice only where statin myopathy or
  anti-HMGCR myopathy is at stake, HMGCR-variant advice only for an HMGCR genotype;
- the cancer risk is said once, by the cancer-screening item
  (:func:`myoclass.reasoning.cancer_screening.screening_guidance`), with the factors behind its
  category and the label's own cancer evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from myoclass.criteria import citations as C
from myoclass.criteria.api import Citation
from myoclass.model.labels import ADULT_IIM_BUT_IBM_LABELS, IIM_LABELS, IMNM_LABELS
from myoclass.reasoning.cancer_screening import SHELLY_2021
from myoclass.reasoning.text import IN_THE_DIFFERENTIAL, LIKELY_PREFIX_END, MORE_LIKELY_THAN_NOT, label_name, open_share

__all__ = ["GUIDANCE", "LIKELY_FOR_GUIDANCE", "Guidance", "GuidanceContext", "guidance_for"]


#: a label at least this likely in the differential, while the criteria leave the label open, gets its own guidance
#: items too, each saying that the label is likely and not settled. The same cut as the validation's high-confidence
#: group (``leading_probability`` >= 0.8; data/validation/README.md): a presentation choice, not a clinical threshold
LIKELY_FOR_GUIDANCE = 0.8


@dataclass(frozen=True)
class GuidanceContext:
    label: str
    reachable: frozenset[str]
    values: Mapping[str, Any]  # the validated flat case
    #: the differential's probability of each label (empty when it was not computed): an item about a label the
    #: criteria only leave possible says how likely the differential makes it
    likely: Mapping[str, float] = field(default_factory=dict)

    @cached_property
    def likely_label(self) -> str | None:
        """The label the differential makes likely (at least :data:`LIKELY_FOR_GUIDANCE`) while the criteria leave
        the label open, else None: the guidance about that label is then shown too, saying that it is likely, not
        settled (an anti-SRP-positive patient whose anti-HMGCR is untested still needs the anti-SRP heart, lung and
        swallowing advice)."""
        if self.label != "undetermined" or not self.likely:
            return None
        top = max(self.likely, key=lambda k: self.likely[k])
        return top if self.likely[top] >= LIKELY_FOR_GUIDANCE and top in self.reachable else None

    def v(self, key: str) -> Any:
        return self.values.get(key)

    def known(self, key: str) -> bool:
        """True when the finding is recorded (true, false, a number or a text), false while unknown."""
        return self.values.get(key) is not None


Text = str | Callable[[GuidanceContext], str]


@dataclass(frozen=True)
class Guidance:
    id: str
    #: the item's text, or a function of the case giving it (e.g. naming the recorded gene)
    text: Text
    sources: tuple[Citation, ...]
    verification: str
    applies: Callable[[GuidanceContext], bool]
    #: findings that, once all of them are recorded (true or false), answer what the item advises: it is then not
    #: shown (e.g. cardiac screening once ``cardiac_involvement`` is known)
    settled_by: tuple[str, ...] = ()
    #: the assessment the item advises ("heart", "lungs", "swallowing"); a case gets each one advised once
    advises: str | None = None
    #: shown only once the criteria settle its label, never for a label the differential only makes likely
    #: (:attr:`GuidanceContext.likely_label`): treatment follows a classification, not a probability
    settled_only: bool = False

    def settled(self, ctx: GuidanceContext) -> bool:
        return bool(self.settled_by) and all(ctx.known(k) for k in self.settled_by)

    def shown(self, ctx: GuidanceContext) -> bool:
        """Whether the item applies to this case and is not already answered by its recorded findings."""
        return self.applies(ctx) and not self.settled(ctx)

    def render(self, ctx: GuidanceContext | None = None) -> dict[str, Any]:
        if isinstance(self.text, str):
            return dict(self._rendered)
        if ctx is None:
            raise ValueError(f"guidance {self.id} is worded from the case: render it with a GuidanceContext")
        return {**self._rendered, "text": self.text(ctx)}

    @cached_property
    def _rendered(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text if isinstance(self.text, str) else "",
                "citation": "; ".join(c.render_short() for c in self.sources),
                "verification": self.verification, "unverified": self.verification == "R"}


class _ForLabels:
    """``applies`` of an item about labels: the settled label is one of them, or (:attr:`GuidanceContext.likely_label`)
    the differential makes one of them likely while the criteria leave the label open."""

    def __init__(self, labels: tuple[str, ...]) -> None:
        self.labels = labels

    def __call__(self, g: GuidanceContext) -> bool:
        return g.label in self.labels or g.likely_label in self.labels


def _label(*labels: str) -> Callable[[GuidanceContext], bool]:
    return _ForLabels(labels)


class _ForLabelsWith(_ForLabels):
    """:class:`_ForLabels`, and a finding recorded present (e.g. interstitial lung disease)."""

    def __init__(self, labels: tuple[str, ...], finding: str) -> None:
        super().__init__(labels)
        self.finding = finding

    def __call__(self, g: GuidanceContext) -> bool:
        return g.v(self.finding) is True and super().__call__(g)



_IMNM = IMNM_LABELS
#: the labels a statin-related item is about
_STATIN_LABELS = frozenset({"statin_toxic_myopathy", "imnm_anti_hmgcr"})


def _imnm_refer(g: GuidanceContext) -> str:
    """Referral while IMNM is met or still possible; when the criteria leave it open, with the differential's share
    of the three subtypes together, so that a clinician can weigh the advice (IMNM can stay possible under the
    criteria at well under 1%): "likely" above :data:`~myoclass.reasoning.text.MORE_LIKELY_THAN_NOT`, "possible" down
    to :data:`~myoclass.reasoning.text.IN_THE_DIFFERENTIAL`, and under it the item only says that the criteria do not
    exclude IMNM (a referral prompt at under 1%, for a child with a classic DM rash, was noise: a clinician review of
    session 35)."""
    why = ("it is rare (about 1 in 10 inflammatory myopathies by Orphanet's estimate, about 1 in 4 in a Japanese "
           "neuromuscular biopsy series) and severe weakness can progress quickly, so referral to a myositis or "
           "neuromuscular centre is worth considering.")
    if g.label in _IMNM:
        return "IMNM is met: " + why
    if g.reachable and g.reachable <= set(_IMNM):
        return "IMNM is met; only its subtype is open: " + why
    if g.likely:
        p = sum(g.likely.get(lbl, 0.0) for lbl in _IMNM)
        if p < IN_THE_DIFFERENTIAL:  # kept (the criteria leave IMNM open), but no prompt to refer on a share this small
            return (f"IMNM is not excluded by the criteria, though the differential makes it unlikely ({open_share(p)}): "
                    "it is rare and severe weakness can progress quickly, so should it become likely, referral to a "
                    "myositis or neuromuscular centre is worth considering.")
        degree = "likely" if p > MORE_LIKELY_THAN_NOT else "possible"
        return f"IMNM is {degree} ({open_share(p)} in the differential; the criteria leave it open): " + why
    return "IMNM is still possible under the criteria: " + why


def _adm_lungs(g: GuidanceContext) -> str:
    if g.v("ab_mda5") is True:
        return ("Amyopathic dermatomyositis with anti-MDA5: interstitial lung disease is the main threat, and with "
                "anti-MDA5 it can progress rapidly with high early mortality; urgent lung assessment is worth "
                "considering.")
    return ("Amyopathic dermatomyositis: interstitial lung disease is the main threat, above all with anti-MDA5 "
            "(rapidly progressive ILD); lung assessment is worth considering.")


_ILD_ROUTINE = ("in inflammatory myopathy with ILD, the 2023 ACR/CHEST guideline suggests lung function tests "
                "(spirometry, lung volumes and DLCO) every 3 to 6 months in the first year, then less often once "
                "stable, high-resolution CT when clinically indicated, and ambulatory desaturation testing every 3 to 12 "
                "months (conditional recommendations).")


def _ild_monitoring(g: GuidanceContext) -> str:
    if g.v("ab_mda5") is True:  # the routine schedule is the floor, not the pace (a clinician review, session 23)
        return ("Interstitial lung disease with anti-MDA5: it can progress rapidly, with high early mortality, so "
                "urgent assessment and close early follow-up of the lungs are worth arranging. As a floor, "
                + _ILD_ROUTINE)
    return "Interstitial lung disease is recorded: " + _ILD_ROUTINE


def _hereditary(g: GuidanceContext) -> str:
    gene = g.v("genetic_diagnosis_gene")
    if gene == "DYSF":
        return ("A genetic myopathy (DYSF: dysferlinopathy) explains the picture. Dysferlinopathy is among the "
                "dystrophies most often mistaken for myositis, especially when the biopsy is inflamed; an inflamed "
                "biopsy or a very high CK does not by itself point back to an inflammatory myopathy.")
    if gene == "GAA":  # a metabolic myopathy, not a dystrophy (a clinician review of session 35)
        return ("A genetic myopathy (GAA: late-onset Pompe disease, a metabolic myopathy) explains the picture. Like "
                "the dystrophies, late-onset Pompe disease can mimic an inflammatory myopathy; a raised CK or weakness "
                "does not by itself point back to an inflammatory myopathy.")
    named = f" ({gene})" if gene else ""
    return (f"A genetic myopathy{named} explains the picture. Dystrophies such as dysferlinopathy, calpainopathy and "
            "FSHD are commonly mistaken for myositis, especially when the biopsy is inflamed; an inflamed biopsy "
            "does not by itself point back to an inflammatory myopathy.")


def _statin_avoid(g: GuidanceContext) -> str:
    """Statins after anti-HMGCR myopathy: "re-exposure" only for a patient who took one (a statin-naive patient was
    told of a "re-exposure": a clinician review of session 35)."""
    if g.v("statin_exposure") is False:
        return ("A statin is generally avoided in anti-HMGCR myopathy, also by a patient who has never taken one "
                "(reported for the ENMC workshop as avoiding statin re-exposure; not checked against the report).")
    return ("After anti-HMGCR myopathy, future statin re-exposure is generally avoided (recommendation as reported "
            "for the ENMC workshop; not checked against the report).")


def _juvenile_mimic(g: GuidanceContext) -> str:
    untested = " and ".join(n for k, n in (("ab_srp", "anti-SRP"), ("ab_hmgcr", "anti-HMGCR")) if g.v(k) is None)
    return ("In children without a DM rash, anti-SRP and anti-HMGCR myopathy can present like a dystrophy and may be "
            f"reversible with immunosuppression; {untested} {'is' if ' and ' not in untested else 'are'} not "
            "recorded, and testing is worth considering.")


def _other_cause(g: GuidanceContext) -> str:
    causes = [w for k, w in (("hypothyroidism", "hypothyroidism"), ("other_myotoxic_drug", "a myotoxic drug"))
              if g.v(k) is True] or ["hypothyroidism or a myotoxic drug"]
    return (f"A non-immune cause explains the picture ({' and '.join(causes)}). If weakness or raised CK persist once "
            "it is corrected, an inflammatory myopathy can be reconsidered.")


def _checkpoint(g: GuidanceContext) -> str:
    head = "Immune-checkpoint-inhibitor therapy before onset: checkpoint-inhibitor myositis may come with "
    if g.known("cardiac_involvement"):
        return head + "myocarditis (cardiac involvement is recorded) and myasthenic features; myasthenic features " \
                      "are worth looking for."
    if g.label in _IMNM:  # the IMNM cardiac item advises the heart
        return head + "myocarditis (see the cardiac screening item) and myasthenic features; myasthenic features " \
                      "are worth looking for."
    return head + "myocarditis and myasthenic features, which are worth looking for."


#: the CK (U/L) above which serious muscle injury is indicated outside myocardial or brain infarction
#: (Huerta-Alardín 2005): with an acute onset, rhabdomyolysis comes first
RHABDO_CK = 5000
#: a symptom duration (months) still recent enough for an acute rhabdomyolysis (a presentation threshold: an acute onset
#: years ago with a CK still high is a chronic myopathy)
RHABDO_RECENT_MONTHS = 3


#: a symptom duration (months) that is an acute onset when the onset tempo is not recorded: the data dictionary's
#: acute band, within 4 weeks
ACUTE_MONTHS = 1


def _rhabdo(g: GuidanceContext) -> str:
    onset = ("Acute onset" if g.v("onset_tempo") == "acute"
             else "Symptoms for under a month (the onset speed is not recorded)")
    return (f"{onset} with CK {g.v('ck_u_l'):,.0f} U/L: above {RHABDO_CK:,} U/L, outside a myocardial or brain "
            "infarction, CK indicates serious muscle injury, so rhabdomyolysis comes first. Acute kidney injury and "
            "electrolyte imbalance are its dangers: renal function, potassium and urine myoglobin are worth checking "
            "now, and early vigorous hydration is its mainstay. Exertion, drugs, toxins, infection and inherited "
            "metabolic myopathies are among its causes. A repeat CK after rest helps: after an episode CK falls with "
            "a half-life of about 1.5 days, while in a myopathy it stays higher a week after its peak, so the "
            "myositis work-up stays open if CK stays high. Recurrent "
            "episodes, or a CK above 50 times the upper limit, point to an underlying genetic muscle disease (disorders "
            "of glycogen or fatty-acid metabolism such as McArdle disease or CPT2 deficiency, RYR1, dystrophies): "
            "genetic testing is worth considering once the episode is over.")


def _acute_high_ck(g: GuidanceContext) -> bool:
    """An acute onset (recorded, or a symptom duration within :data:`ACUTE_MONTHS` when the tempo is not recorded)
    with CK above :data:`RHABDO_CK`, while no inflammatory myopathy is settled (a settled anti-SRP IMNM of acute
    onset has its own items)."""
    ck, months, tempo = g.v("ck_u_l"), g.v("symptom_duration_months"), g.v("onset_tempo")
    recent = months is None or months <= RHABDO_RECENT_MONTHS  # a CK raised for years is a chronic myopathy
    acute = tempo == "acute" or (tempo is None and months is not None and months <= ACUTE_MONTHS)
    return acute and recent and ck is not None and ck > RHABDO_CK and g.label not in IIM_LABELS


GUIDANCE: tuple[Guidance, ...] = (
    # --- first, whatever the label: an acute, very high CK ---------------------------------------
    Guidance("rhabdo.acute", _rhabdo, (C.HUERTA_ALARDIN_2005_RHABDO, C.BOSCH_2009_RHABDO, C.NMD_2021_RHABDO,
                                       C.SCALCO_2016_RHABDO), "V-S", _acute_high_ck),
    # --- every IMNM ---------------------------------------------------------------------------
    Guidance("imnm.refer", _imnm_refer,
             (C.ORPHANET_IMNM, C.PINAL_FERNANDEZ_2018, C.WATANABE_2016), "V-S",
             lambda g: bool(g.reachable & set(_IMNM))),
    Guidance("imnm.heart",
             "Cardiac screening (ECG, troponin I, echocardiography or cardiac MRI) is suggested in IMNM; troponin I is "
             "the cardiac-specific one (troponin T is also released by regenerating skeletal muscle, so it is raised "
             "by the myositis itself). Cardiac involvement is reported most with anti-SRP (an independent predictor in "
             "the Reuma.pt registry); one cohort found subclinical cardiac MRI changes more often in antibody-negative "
             "IMNM.",
             (C.BANDEIRA_2023, C.MA_2021, C.ORPHANET_IMNM, C.LILLEKER_2018_TROPONIN, C.HUGHES_2015_TROPONIN), "V-S",
             _label(*_IMNM), settled_by=("cardiac_involvement",), advises="heart"),
    Guidance("imnm.heart_recorded",
             "Cardiac involvement is recorded. In IMNM it is reported most with anti-SRP (an independent predictor in "
             "the Reuma.pt registry) and can be subclinical; its assessment and follow-up with cardiology (ECG or "
             "Holter monitoring, troponin I rather than troponin T, echocardiography or cardiac MRI) are worth "
             "arranging.",
             (C.BANDEIRA_2023, C.MA_2021, C.LILLEKER_2018_TROPONIN, C.HUGHES_2015_TROPONIN), "V-S",
             _ForLabelsWith(_IMNM, "cardiac_involvement"), advises="heart"),
    Guidance("heart.recorded",
             "Cardiac involvement is recorded. It is reported across the inflammatory myopathies and can be subclinical; "
             "cardiac troponin I is the cardiac-specific marker (troponin T is also released by regenerating skeletal "
             "muscle, so it is raised by the myositis itself), and assessment and follow-up with cardiology (ECG or "
             "Holter monitoring, echocardiography or cardiac MRI) are worth arranging.",
             (C.BANDEIRA_2023, C.LILLEKER_2018_TROPONIN, C.HUGHES_2015_TROPONIN), "V-S",
             lambda g: g.v("cardiac_involvement") is True and not _ForLabels(_IMNM)(g), advises="heart"),
    # --- anti-HMGCR ---------------------------------------------------------------------------
    Guidance("hmgcr.statin_stop",
             "Statin exposure with anti-HMGCR myopathy: stopping the statin is advised. This is not ordinary statin "
             "intolerance (anti-HMGCR was found in none of 763 statin users without myopathy), and stopping the "
             "statin alone rarely controls the disease (4 of 75 recovered without immunosuppression in one national "
             "cohort).",
             (C.MAMMEN_2012, C.CHOW_2024), "V-S",
             lambda g: g.label == "imnm_anti_hmgcr" and g.v("statin_exposure") is True,
             settled_by=("statin_withdrawal_outcome",)),  # the statin has been stopped already
    Guidance("hmgcr.statin_unknown",
             "Statin exposure is not recorded. With anti-HMGCR myopathy, a statin that is being taken is advised to be "
             "stopped; stopping it alone rarely controls the disease (4 of 75 recovered without immunosuppression in "
             "one national cohort).",
             (C.CHOW_2024,), "V-S",
             lambda g: g.label == "imnm_anti_hmgcr" and g.v("statin_exposure") is None),
    Guidance("hmgcr.statin_avoid", _statin_avoid, (C.ENMC_2017_IMNM,), "R", _label("imnm_anti_hmgcr")),
    Guidance("hmgcr.statin_naive_young",
             "Anti-HMGCR myopathy also occurs without statins, in children and young adults, and can resemble a "
             "limb-girdle muscular dystrophy, sometimes after years of raised CK without weakness; it may still "
             "respond to immunosuppression.",
             (C.MOHASSEL_MAMMEN_2018, C.LGMD_LIKE_2019, C.PINAL_FERNANDEZ_2018), "V-S",
             lambda g: g.label == "imnm_anti_hmgcr" and (
                 g.v("statin_exposure") is False
                 or (g.v("age_at_onset_years") is not None and g.v("age_at_onset_years") < 40))),
    Guidance("hmgcr.treatment",
             "Treatment reported by the ENMC workshop for anti-HMGCR myopathy: corticosteroids with a second agent "
             "(e.g. methotrexate) started early; intravenous immunoglobulin is an option and has been used alone in "
             "selected patients; IVIG and/or rituximab are added if the response at about 6 months is inadequate.",
             (C.ENMC_2017_IMNM, C.PINAL_FERNANDEZ_2018), "R", _label("imnm_anti_hmgcr"), settled_only=True),
    Guidance("statin.needs_negative_hmgcr",
             "A self-limited (toxic) statin myopathy can be concluded only when anti-HMGCR is negative; anti-HMGCR "
             "has not been tested.",
             (C.MAMMEN_2017, C.MAMMEN_2012), "V-P",
             lambda g: g.v("statin_exposure") is True and bool(g.reachable & _STATIN_LABELS),
             settled_by=("ab_hmgcr",)),
    Guidance("statin.course_open",
             "A statin is recorded and the myopathy is not yet classified: whether weakness and CK resolve once the "
             "statin is stopped (a self-limited statin myopathy) or persist (pointing to anti-HMGCR myopathy), with "
             "the anti-HMGCR result, tells the two apart; with anti-HMGCR myopathy, stopping the statin is advised.",
             (C.MAMMEN_2017, C.MAMMEN_2012, C.CHOW_2024), "V-S",
             lambda g: g.label == "undetermined" and g.v("statin_exposure") is True
             and {"imnm_anti_hmgcr", "statin_toxic_myopathy"} <= g.reachable,
             settled_by=("statin_withdrawal_outcome",)),
    Guidance("statin_toxic.course",
             "Self-limited statin myopathy: the recorded resolution off the statin, with anti-HMGCR negative, is what "
             "tells it apart from anti-HMGCR myopathy. Weakness or a raised CK that return or progress would point to "
             "anti-HMGCR myopathy instead.",
             (C.MAMMEN_2017,), "V-P", _label("statin_toxic_myopathy")),
    # --- anti-SRP (the heart: imnm.heart, which names anti-SRP) ----------------------------------
    Guidance("srp.lungs",
             "Anti-SRP myopathy: interstitial lung disease is found in about 1 in 5, so the lungs are worth assessing.",
             (C.SELVA_2018,), "V-S", _label("imnm_anti_srp"), settled_by=("ild",), advises="lungs"),
    Guidance("srp.swallowing",
             "Anti-SRP myopathy: severe weakness with dysphagia is typical; a swallowing assessment is worth "
             "considering.",
             (C.SELVA_2018,), "V-S", _label("imnm_anti_srp"), settled_by=("dysphagia",), advises="swallowing"),
    Guidance("srp.treatment",
             "Anti-SRP myopathy is often refractory. Reported by the ENMC workshop: corticosteroids with a second "
             "agent, and rituximab early if the response is insufficient (often by about 6 months); regimens "
             "including rituximab may respond best.",
             (C.ENMC_2017_IMNM, C.PINAL_FERNANDEZ_2018), "R", _label("imnm_anti_srp"), settled_only=True),
    # --- antibody-negative IMNM ---------------------------------------------------------------
    Guidance("seroneg.thyroid",
             "Thyroid function (TSH and free T4) has not been recorded: hypothyroid myopathy can be mistaken for IMNM "
             "when T4 is not measured.",
             (C.MAMMEN_2017,), "V-P", _label("imnm_seronegative"), settled_by=("hypothyroidism",)),
    Guidance("seroneg.drugs",
             "A drug history is worth completing: statins, colchicine, zidovudine, hydroxychloroquine, fibrates, "
             "alcohol excess and immune-checkpoint inhibitors can cause a necrotizing myopathy.",
             (C.ENMC_2017_IMNM, C.MAMMEN_2017), "R", _label("imnm_seronegative"),
             settled_by=("statin_exposure", "other_myotoxic_drug", "checkpoint_inhibitor")),
    Guidance("seroneg.dystrophy",
             "Muscular dystrophies and Pompe disease can look like antibody-negative IMNM, especially when the biopsy "
             "is inflamed: dystrophy immunostaining and/or a gene panel (DYSF, CAPN3, FKRP, ANO5, DMD, "
             "sarcoglycans) and GAA enzyme activity are worth considering.",
             (C.ENMC_2017_IMNM, C.MAMMEN_2017), "R", _label("imnm_seronegative"),
             settled_by=("genetic_diagnosis_gene",)),
    Guidance("seroneg.srp_retest",
             "Anti-SRP was negative on a line blot. A more sensitive assay (tissue indirect immunofluorescence is "
             "reported as more sensitive than immunoblot) could be considered before calling the myopathy "
             "antibody-negative.",
             (C.MAYO_NMS1,), "V-S",
             lambda g: g.v("ab_srp") is False and g.v("ab_srp_method") == "line_blot"
             and ("imnm_seronegative" in g.reachable)),
    # --- the other labels (cancer: the cancer-screening item) ----------------------------------
    Guidance("adm.lungs", _adm_lungs, (C.SELVA_2018,), "V-S", _label("adm"), settled_by=("ild",), advises="lungs"),
    Guidance("undetermined.next_tests",
             "The classification is not settled by the known findings: the next tests listed are ordered by how much "
             "they would settle it. Classification criteria group patients for research and support, but do not "
             "replace, a clinical diagnosis.",
             (C.EULAR_ACR_2017,), "V-P", _label("undetermined")),
    Guidance("juvenile.imnm_mimic", _juvenile_mimic, (C.PINAL_FERNANDEZ_2018,), "V-S",
             lambda g: g.label == "juvenile_myositis_other" and (g.v("ab_srp") is None or g.v("ab_hmgcr") is None)),
    Guidance("ibm.mistaken_for_pm",
             "Inclusion body myositis is often first mistaken for polymyositis when rimmed vacuoles are missed; the "
             "ENMC 2011 'probable' category performed best in validation (sensitivity 84%).",
             (C.MAMMEN_2017, C.LLOYD_2014), "V-P",
             lambda g: g.label == "ibm" and g.v("biopsy_rimmed_vacuoles") is not True),
    Guidance("ibm.dysphagia",
             "Dysphagia is common in inclusion body myositis: in a population-based cohort two-thirds developed it, "
             "half of the patients needed a feeding tube, and dysphagia independently predicted death; swallowing is "
             "worth following over time.",
             (SHELLY_2021,), "V-P", _label("ibm"), advises="swallowing"),
    Guidance("ass.lungs",
             "Antisynthetase syndrome: interstitial lung disease often dominates (severe with anti-PL-7, PL-12, KS "
             "and OJ); lung function with DLCO and high-resolution CT are worth considering.",
             (C.SELVA_2018,), "V-S", _label("antisynthetase"), settled_by=("ild",), advises="lungs"),
    Guidance("ild.monitoring", _ild_monitoring,
             (C.JOHNSON_2024_ILD, C.SELVA_2018), "V-S", _ForLabelsWith(ADULT_IIM_BUT_IBM_LABELS, "ild"),
             advises="lungs"),
    Guidance("pm.exclusion",
             "Polymyositis is a diagnosis of exclusion: IMNM (anti-HMGCR, anti-SRP, biopsy), IBM (rimmed vacuoles can "
             "be missed) and antisynthetase syndrome are the usual alternatives to keep in mind.",
             (C.MAMMEN_2017, C.ENMC_2017_IMNM), "V-S", _label("pm", "nonspecific_myositis")),
    Guidance("hereditary.not_autoimmune", _hereditary, (C.MAMMEN_2017,), "V-P",
             lambda g: g.label == "hereditary_myopathy" and g.known("genetic_diagnosis_gene")
             and g.v("genetic_diagnosis_gene") != "HMGCR"),
    Guidance("hereditary.lgmd_r28",
             "A genetic myopathy (HMGCR) explains the picture: LGMD R28 (biallelic HMGCR variants) is inherited and "
             "is not anti-HMGCR myopathy, which is autoimmune; like other dystrophies it can be mistaken for myositis.",
             (C.MONDO_LGMDR28, C.MAMMEN_2017), "V-P",
             lambda g: g.label == "hereditary_myopathy" and g.v("genetic_diagnosis_gene") == "HMGCR"),
    Guidance("hereditary.confirm",
             "The biopsy shows features of a dystrophy but no genetic diagnosis is recorded: a gene panel (DYSF, "
             "CAPN3, FKRP, ANO5, DMD, sarcoglycans) is worth considering. Dystrophies are commonly mistaken for "
             "myositis, especially when the biopsy is inflamed.",
             (C.ENMC_2017_IMNM, C.MAMMEN_2017), "R",
             lambda g: g.label == "hereditary_myopathy" and not g.known("genetic_diagnosis_gene")),
    Guidance("other.reassess", _other_cause, (C.MAMMEN_2017,), "R", _label("other_non_immune")),
    Guidance("not_iim.mimics",
             "Criteria for an inflammatory myopathy are not met. If weakness or a raised CK persist, non-immune causes "
             "are worth considering: dystrophies, metabolic myopathies (e.g. lipid storage, McArdle, CPT2), "
             "hypothyroidism and drugs.",
             (C.MAMMEN_2017, C.NECROSIS_BIOPSY_2022), "V-S", _label("not_iim")),
    Guidance("checkpoint_inhibitor", _checkpoint, (C.MAMMEN_2017,), "R", lambda g: g.v("checkpoint_inhibitor") is True),
    Guidance("nmj.exclude",
             "With ocular or facial weakness, a disorder of the neuromuscular junction (myasthenia gravis, the "
             "Lambert-Eaton syndrome) is worth excluding before an inflammatory myopathy is settled. Myasthenia gravis "
             "begins in the eye muscles in 59% and in bulbar muscles in 29%, and at its worst 98% have ocular or "
             "bulbar weakness; the Lambert-Eaton syndrome begins in the limbs in 95%.",
             (C.WIRTZ_2002,), "V-P",
             lambda g: g.v("weakness_ocular_or_facial") is True and g.label not in IIM_LABELS
             and g.label != "hereditary_myopathy"),
)


@dataclass(frozen=True)
class AntibodyRisk:
    """What a positive antibody is known for; ``advice`` (for the assessment ``advises``) is left out when the
    finding ``settled_by`` is recorded or a label item of the case already advises that assessment."""

    key: str
    profile: str
    verification: str
    sources: tuple[Citation, ...]
    advice: str = ""
    advises: str | None = None
    settled_by: str | None = None
    #: the advice stands while ``settled_by`` is recorded present and only its recorded absence answers it (anti-MDA5:
    #: a rapidly progressive ILD needs urgent care once found, not only screening)
    stands_when_present: bool = False


#: antibody-specific risks (each cited below), shown whenever the antibody is positive; cancer risk is counted by
#: the cancer-screening item, and named here only as the antibody's profile
_ANTIBODY: tuple[AntibodyRisk, ...] = (
    AntibodyRisk("ab_tif1g", "Anti-TIF1-γ: marked skin disease with milder muscle involvement and dysphagia; strong "
                 "association with cancer in adults (risk ratio 4.66 in meta-analysis; counted in the cancer-screening "
                 "category).", "V-S", (C.SELVA_2018, C.OLDROYD_2021)),
    AntibodyRisk("ab_nxp2", "Anti-NXP2: cancer in adults, calcinosis, severe weakness and dysphagia.", "V-S",
                 (C.SELVA_2018,)),
    AntibodyRisk("ab_sae", "Anti-SAE: skin before muscle, dysphagia, cancer in some cohorts, ILD in Asian cohorts.",
                 "V-S", (C.SELVA_2018,)),
    AntibodyRisk("ab_mda5", "Anti-MDA5: rapidly progressive interstitial lung disease with high early mortality, skin "
                 "ulcers.", "V-S", (C.SELVA_2018,),
                 advice="Urgent lung assessment is worth considering.", advises="lungs", settled_by="ild",
                 stands_when_present=True),
    AntibodyRisk("ab_jo1", "Anti-Jo-1: interstitial lung disease, arthritis, mechanic's hands, Raynaud's phenomenon, "
                 "fever.", "V-S", (C.SELVA_2018,)),
    AntibodyRisk("ab_pl7", "Anti-PL-7: often severe interstitial lung disease with milder weakness.", "V-S",
                 (C.SELVA_2018,)),
    AntibodyRisk("ab_pl12", "Anti-PL-12: often severe interstitial lung disease with mild weakness.", "V-S",
                 (C.SELVA_2018,)),
    AntibodyRisk("ab_ks", "Anti-KS: interstitial lung disease is often the main feature.", "V-S", (C.SELVA_2018,)),
    AntibodyRisk("ab_oj", "Anti-OJ: severe weakness and severe interstitial lung disease.", "V-S", (C.SELVA_2018,)),
    AntibodyRisk("ab_mi2", "Anti-Mi-2: classic DM rash, no lung involvement; a good steroid response is reported.", "R",
                 (C.SELVA_2018,)),
    AntibodyRisk("ab_cn1a", "Anti-cN1A: found in about a third of IBM, but not fully specific (also in Sjögren's "
                 "syndrome and SLE).", "V-S", (C.SELVA_2018,)),
    AntibodyRisk("ab_ro52", "Anti-Ro52: frequent companion of antisynthetase antibodies, linked with ILD and a more "
                 "severe course; not specific to myositis.", "R", (C.SELVA_2018,)),
    AntibodyRisk("ab_pmscl", "Anti-PM-Scl: myositis-scleroderma overlap, oesophageal involvement, ILD.", "V-S",
                 (C.SELVA_2018,)),
    AntibodyRisk("ab_ku", "Anti-Ku: overlap with scleroderma and Sjögren's syndrome; ILD.", "V-S", (C.SELVA_2018,)),
)


def guidance_for(ctx: GuidanceContext) -> list[dict[str, Any]]:
    """The guidance items that apply and are not answered by the recorded findings, each assessment advised once,
    each item with its citation and verification status."""
    out: list[dict[str, Any]] = []
    advised: set[str] = set()
    for g in GUIDANCE:
        if not g.shown(ctx) or (g.advises is not None and g.advises in advised):
            continue
        likely_only = (ctx.likely_label is not None and isinstance(g.applies, _ForLabels)
                       and ctx.label not in g.applies.labels)
        if likely_only and g.settled_only:
            continue
        if g.advises is not None:
            advised.add(g.advises)
        item = g.render(ctx)
        if likely_only:
            lead = ctx.likely_label
            assert lead is not None  # shown for the likely label, not a settled one: the item says so
            item = {**item, "likely_label": lead,
                    "text": f"Likely {label_name(lead)} ({open_share(ctx.likely[lead])} in the differential; "
                            f"{LIKELY_PREFIX_END}{item['text']}"}
        out.append(item)
    values = ctx.values
    for ab in _ANTIBODY:
        if values.get(ab.key) is not True:
            continue
        item = dict(_ANTIBODY_RENDERED[ab.key])
        # a recorded finding answers the advice; with stands_when_present, only its recorded absence does (a child
        # with anti-MDA5 and ILD has no adult ILD-monitoring item to carry the urgent lung advice)
        recorded = None if ab.settled_by is None else values.get(ab.settled_by)
        answered = recorded is not None and not (ab.stands_when_present and recorded is True)
        if ab.advice and ab.advises not in advised and not answered:
            item["text"] = f"{ab.profile} {ab.advice}"
            if ab.advises is not None:
                advised.add(ab.advises)
        out.append(item)
    return out


_ANTIBODY_RENDERED: dict[str, dict[str, Any]] = {
    ab.key: Guidance(f"antibody.{ab.key[3:]}", ab.profile, ab.sources, ab.verification, lambda _g: True).render()
    for ab in _ANTIBODY
}
