"""Cancer-screening risk category, panels and timing after the 2023 IMACS guideline.

Oldroyd AGS et al. International guideline for idiopathic inflammatory myopathy-associated cancer
screening: an IMACS initiative. Nat Rev Rheumatol 2023;19(12):805-817, doi:10.1038/s41584-023-01045-w,
PMID 37945774 (author correction 2024, PMID 38548933, not checked).

What could be verified against the guideline [V-P, abstract and Fig. 1 legend]: risk is stratified
into standard, moderate or high by IIM subtype, antibody profile and clinical features; a *basic*
panel (chest radiography and preliminary laboratory tests) and an *enhanced* panel (CT and tumour
markers) are timed by risk; PET-CT is considered for high-risk patients when the first screen finds
nothing, and for anti-TIF1-γ dermatomyositis with onset after 40 and one or more further high-risk
feature; upper and lower endoscopy for high risk; nasoendoscopy where nasopharyngeal carcinoma is
common; the recommendations apply to adults within 3 years of symptom onset, and juvenile-onset
IIM does not routinely need screening.

What could NOT be checked, and is tagged [R] or [V-S] (secondary): which factors sit in which tier
(taken here from the cancer-risk meta-analysis that informed the guideline, Oldroyd 2021, and
from a report of its validation); the rule "high: two or more high-risk factors; moderate: one
high-risk factor or two intermediate-risk factors" [V-S, secondary report of a 2024 validation];
the panel contents [V-S, JAMA Dermatol 2024 research letter and a calculator site]; annual repeat for
3 years in high risk [V-S]. The software reports all of this as unverified.

Factors are three-valued; an unknown factor makes the category a range. ``reasons`` says which
factors set the category (and, for a range, which unknown ones could raise it); ``notes`` carry the
label's own cancer evidence (Allenbach 2016 for the IMNM subtypes; the meta-analysis for DM, amyopathic
DM, polymyositis and the antisynthetase antibodies).

Inclusion body myositis gets no category: the tiers rest on the meta-analysis, whose subtypes were DM,
PM, clinically amyopathic DM, antisynthetase syndrome and IMNM [V-S, a reprint of its methods and
Table 1], so nothing in the source ranks IBM; and IBM's own defining features (onset after 45,
dysphagia, refractoriness to immunosuppression) are high-risk factors there, which would put nearly
every IBM patient in "high" with no evidence behind it. What there is on IBM conflicts: a
population-based study found cancer incidence no different from the general population (Shelly
2021), an older biopsy-based cohort found it raised (SIR 2.4; Buchbinder 2001) [V-P, abstracts].
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from myoclass.criteria import citations as C
from myoclass.criteria.api import Citation
from myoclass.criteria.enmc_2003_iim import MSA
from myoclass.model.findings import onset_before_18
from myoclass.model.labels import ADULT_IIM_BUT_IBM_LABELS, IIM_LABELS

__all__ = ["BUCHBINDER_2001", "IBM_REASON", "IMACS_2023", "SHELLY_2021", "cancer_screening", "screening_guidance"]

IMACS_2023 = Citation(
    "imacs2023",
    "Oldroyd AGS, et al. International guideline for idiopathic inflammatory myopathy-associated cancer screening: "
    "an International Myositis Assessment and Clinical Studies Group (IMACS) initiative. Nat Rev Rheumatol "
    "2023;19(12):805-817.",
    doi="10.1038/s41584-023-01045-w",
    pmid="37945774",
    short="Oldroyd et al. 2023 (IMACS guideline)",
)
SHELLY_2021 = Citation(
    "shelly2021",
    "Shelly S, Mielke MM, Mandrekar J, et al. Epidemiology and natural history of inclusion body myositis: a 40-year "
    "population-based study. Neurology 2021;96(21):e2653-e2661.",
    doi="10.1212/WNL.0000000000012004",
    pmid="33879596",
    short="Shelly et al. 2021 (Neurology)",
)
BUCHBINDER_2001 = Citation(
    "buchbinder2001",
    "Buchbinder R, et al. Incidence of malignant disease in biopsy-proven inflammatory myopathy: a population-based "
    "cohort study. Ann Intern Med 2001;134(12):1087-1095.",
    pmid="11412048",
    short="Buchbinder et al. 2001 (Ann Intern Med)",
)

_IIM_LABELS = frozenset(IIM_LABELS)
#: the inflammatory myopathies the guideline applies to once one of them is certain (not IBM, not juvenile)
_ADULT_IIM_NOT_IBM = frozenset(ADULT_IIM_BUT_IBM_LABELS)

Tri = bool | None


@dataclass(frozen=True)
class Factor:
    id: str
    label: str
    tier: str  # "high" | "intermediate"
    verification: str
    state: Callable[[Mapping[str, Any], str, frozenset[str]], Tri]


def _v(key: str) -> Callable[[Mapping[str, Any], str, frozenset[str]], Tri]:
    return lambda v, _label, _reach: v.get(key)


def _onset_over_40(v: Mapping[str, Any], _label: str, _reach: frozenset[str]) -> Tri:
    onset = v.get("age_at_onset_years")
    if onset is not None:
        return bool(onset > 40)
    age = v.get("age_years")
    return False if age is not None and age <= 40 else None


def _dm(_v: Mapping[str, Any], label: str, reach: frozenset[str]) -> Tri:
    if label == "dm":
        return True
    return None if "dm" in reach else False


def _refractory(v: Mapping[str, Any], _label: str, _reach: frozenset[str]) -> Tri:
    r = v.get("immunosuppression_response")
    return None if r is None else r == "no_response"


def _seronegative(v: Mapping[str, Any], _label: str, _reach: frozenset[str]) -> Tri:
    vals = [v.get(k) for k in MSA]
    if any(x is True for x in vals):
        return False
    return True if all(x is False for x in vals) else None


def _male(v: Mapping[str, Any], _label: str, _reach: frozenset[str]) -> Tri:
    sex = v.get("sex")
    return None if sex is None else sex == "male"


FACTORS: tuple[Factor, ...] = (
    Factor("anti_tif1g", "Anti-TIF1-γ positive", "high", "R", _v("ab_tif1g")),
    Factor("anti_nxp2", "Anti-NXP2 positive", "high", "R", _v("ab_nxp2")),
    Factor("dermatomyositis", "Dermatomyositis (adult, with muscle involvement)", "high", "R", _dm),
    Factor("onset_over_40", "Age over 40 at onset", "high", "R", _onset_over_40),
    Factor("dysphagia", "Dysphagia", "high", "R", _v("dysphagia")),
    Factor("skin_ulceration", "Cutaneous ulceration or necrosis", "high", "R", _v("skin_ulceration")),
    Factor("refractory", "Disease refractory to immunosuppression", "high", "R", _refractory),
    Factor("anti_sae", "Anti-SAE positive", "intermediate", "R", _v("ab_sae")),
    Factor("anti_hmgcr", "Anti-HMGCR positive", "intermediate", "R", _v("ab_hmgcr")),
    Factor("antibody_negative", "No myositis-specific antibody", "intermediate", "R", _seronegative),
    Factor("male", "Male sex", "intermediate", "R", _male),
)

BASIC = ("history and examination", "full blood count", "liver function tests", "ESR and CRP",
         "serum protein electrophoresis", "urinalysis", "chest radiograph",
         "age- and sex-appropriate national cancer screening")
ENHANCED = ("CT of neck, thorax, abdomen and pelvis", "tumour markers (e.g. CA-125 in women, PSA in men)",
            "pelvic and transvaginal ultrasound, mammography and cervical smear (women)",
            "faecal occult blood test")
_TIMING = {
    "standard": "basic panel at diagnosis",
    "moderate": "basic and enhanced panels at diagnosis",
    "high": "basic and enhanced panels at diagnosis, repeated annually for 3 years; consider 18F-FDG PET-CT if "
            "nothing is found, and upper and lower gastrointestinal endoscopy",
}


def _risk(high: int, inter: int) -> str:
    if high >= 2:
        return "high"
    if high == 1 or inter >= 2:
        return "moderate"
    return "standard"


_ORDER = ("standard", "moderate", "high")

#: why inclusion body myositis gets no category (the first of its ``reasons``)
IBM_REASON = ("Inclusion body myositis: no IMACS 2023 cancer-risk category is given. The risk tiers used here come from "
              "the meta-analysis that informed the guideline, whose subtypes were DM, PM, amyopathic DM, antisynthetase "
              "syndrome and IMNM, not IBM; and IBM's own defining features (onset after 45, dysphagia, poor response to "
              "immunosuppression) count there as high-risk factors, which would rank nearly every IBM patient high "
              "with no evidence behind it.")
_IBM_EVIDENCE = ("Cancer in IBM: incidence did not differ from the general population in a population-based study "
                 "(Shelly 2021), while an older biopsy-based cohort found it raised (standardized incidence ratio 2.4; "
                 "Buchbinder 2001). Age- and sex-appropriate national cancer screening is the usual baseline.")
_JUVENILE = "Juvenile-onset IIM: screening for IIM-associated cancer is not routinely required."
#: the note of an open label that inclusion body myositis is among (no tier would apply to IBM)
_UNLESS_IBM = ("Applies once an inflammatory myopathy other than inclusion body myositis is confirmed (no category is "
               "given for IBM).")
_CANCER_RECORDED = ("A cancer is already recorded (active or within 3 years of onset): the category is for screening for "
                    "an occult cancer, so how it sits beside that cancer's own work-up is a clinical judgement.")


def _label_evidence(values: Mapping[str, Any], label: str) -> tuple[list[str], list[Citation]]:
    """The label's own cancer evidence (sentences, and their sources), beside the IMACS factors."""
    if label == "imnm_anti_hmgcr":
        return (["Anti-HMGCR IMNM: synchronous cancer in 11.5% (Allenbach 2016); a later case-control study found no "
                 "excess over matched controls (Shelly 2022), so the extent of screening may be individualised."],
                [C.ALLENBACH_2016, C.SHELLY_2022_IMNM_CANCER])
    if label == "imnm_seronegative":
        return (["Antibody-negative IMNM: synchronous cancer in 21.4% (Allenbach 2016); a later case-control study "
                 "(Shelly 2022) suggests individualising the extent of screening."],
                [C.ALLENBACH_2016, C.SHELLY_2022_IMNM_CANCER])
    if label == "imnm_anti_srp":
        return (["Anti-SRP IMNM: no raised cancer frequency was found with anti-SRP (Allenbach 2016)."],
                [C.ALLENBACH_2016])
    if label == "dm":
        return (["Adult dermatomyositis: cancer risk ratio 2.21 against other IIM in the meta-analysis (Oldroyd "
                 "2021)."], [])
    if label == "adm":
        return (["Clinically amyopathic DM: a lower cancer risk than other IIM in the meta-analysis (risk ratio 0.44; "
                 "Oldroyd 2021)."], [])
    if label == "pm":
        return (["Polymyositis: a lower cancer risk than other IIM in the meta-analysis (risk ratio 0.49; Oldroyd "
                 "2021)."], [])
    if label == "antisynthetase":
        low = [f"{name} (risk ratio {rr})" for key, name, rr in (("ab_jo1", "anti-Jo-1", "0.45"),
                                                                  ("ab_ej", "anti-EJ", "0.17")) if values.get(key)]
        if low:
            return ([f"Antisynthetase antibodies: {' and '.join(low)} went with a lower cancer risk in the "
                     "meta-analysis (Oldroyd 2021)."], [])
    return [], []


def _words(labels: list[str]) -> str:
    """Factor labels inside a sentence ("age over 40 at onset; Anti-TIF1-γ positive")."""
    return "; ".join(lab if lab.startswith("Anti") else lab[0].lower() + lab[1:] for lab in labels)


def _count(n: int) -> str:
    return ("no", "one", "two", "three", "four", "five", "six", "seven")[n] if n < 8 else str(n)


def _why(risk: str, high: list[str], inter: list[str]) -> str:
    """Why the factors known present give ``risk``: the rule in words, naming the factors."""
    if risk == "high":
        return f"high: {_count(len(high))} high-risk factors present ({_words(high)})"
    if risk == "moderate":
        parts = []
        if high:
            parts.append(f"one high-risk factor present ({_words(high)})")
        if len(inter) >= 2 or (high and inter):
            parts.append(f"{_count(len(inter))} intermediate-risk factor{'s' if len(inter) > 1 else ''} present "
                         f"({_words(inter)})")
        return "moderate: " + " and ".join(parts)
    if inter:
        return f"standard: no high-risk factor, and only one intermediate-risk factor ({_words(inter)})"
    return "standard: no high-risk or intermediate-risk factor present"


def _raising(lo: str, high_unknown: list[str], inter_yes: list[str], inter_unknown: list[str]) -> list[str]:
    """The unknown factors that could raise the category above ``lo``: every high-risk one, and the intermediate ones
    while the category is standard and two intermediate factors are still possible."""
    inter = inter_unknown if lo == "standard" and len(inter_yes) + len(inter_unknown) >= 2 else []
    return high_unknown + inter


def cancer_screening(values: Mapping[str, Any], label: str, reachable: frozenset[str],
                     with_biopsy: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Risk category (a range while factors are unknown), why, panels and timing for this case. ``with_biopsy``: the
    labels a muscle biopsy not yet done could make possible (IBM among them, the tier says "other than IBM")."""
    onset = values.get("age_at_onset_years")
    notes: list[str] = []
    reasons: list[str] = []
    sources = [IMACS_2023, C.OLDROYD_2021]
    iim = reachable & _IIM_LABELS
    applicable: bool | None
    if not iim:
        applicable = False
        reasons.append("No idiopathic inflammatory myopathy is classified or reachable: the guideline does not apply.")
    elif onset_before_18(values):
        applicable = False
        reasons.append(_JUVENILE)
    elif label == "ibm" or iim == {"ibm"}:
        applicable = False
        reasons.append(IBM_REASON if label == "ibm" else
                       "The only inflammatory myopathy still possible is inclusion body myositis: " + IBM_REASON)
        notes.append(_IBM_EVIDENCE)
        sources += [SHELLY_2021, BUCHBINDER_2001]
    else:
        # settled, or every label still possible is an adult inflammatory myopathy other than IBM (e.g. IMNM met,
        # only its subtype open): the guideline applies whatever the open findings turn out to be
        applicable = True if label in _IIM_LABELS or reachable <= _ADULT_IIM_NOT_IBM else None
        if applicable is None:
            notes.append(_UNLESS_IBM if "ibm" in reachable | with_biopsy
                         else "Applies once an inflammatory myopathy is confirmed.")
    if applicable is False:
        notes[:0] = reasons  # why the guideline does not apply stays among the notes too, where it always was
    duration = values.get("symptom_duration_months")
    if duration is not None and duration > 36 and applicable is not False:
        notes.append("More than 3 years since symptom onset: the guideline addresses the first 3 years.")
    if values.get("cancer") is True and applicable is not False:
        notes.append(_CANCER_RECORDED)
    rows = []
    high_yes: list[str] = []
    high_unknown: list[str] = []
    inter_yes: list[str] = []
    inter_unknown: list[str] = []
    for f in FACTORS:
        st = f.state(values, label, reachable)
        rows.append({"id": f.id, "label": f.label, "tier": f.tier, "state": st, "verification": f.verification,
                     "unverified": f.verification == "R"})
        if f.tier == "high":
            (high_yes if st else high_unknown if st is None else []).append(f.label)
        else:
            (inter_yes if st else inter_unknown if st is None else []).append(f.label)
    lo = _risk(len(high_yes), len(inter_yes))
    hi = _risk(len(high_yes) + len(high_unknown), len(inter_yes) + len(inter_unknown))
    possible = list(_ORDER[_ORDER.index(lo): _ORDER.index(hi) + 1])
    risk = lo if lo == hi else None
    if applicable is not False:
        evidence, cited = _label_evidence(values, label)
        notes += evidence
        sources += [c for c in cited if c not in sources]
        why = _why(lo, high_yes, inter_yes)
        if risk is not None:
            reasons.append(why[0].upper() + why[1:] + ".")
        else:
            reasons.append(f"So far {why}.")
            unknown = _raising(lo, high_unknown, inter_yes, inter_unknown)
            reasons.append(f"Could be {' or '.join(possible[1:])} depending on these unknown factors: "
                           f"{_words(unknown)}.")
        if values.get("ab_tif1g") and label == "dm" and onset is not None and onset > 40:
            notes.append("Anti-TIF1-γ dermatomyositis with onset after 40: with one or more further high-risk "
                         "feature, 18F-FDG PET-CT may serve as a single screening investigation.")
        notes.append("Nasoendoscopy at diagnosis is considered where nasopharyngeal carcinoma is common.")
    return {
        "guideline": IMACS_2023.render(),
        "applicable": applicable,
        "risk": risk if applicable is not False else None,
        "possible_risks": possible if applicable is not False else [],
        "factors": rows,
        "reasons": reasons,
        "rule": "high: two or more high-risk factors; moderate: one high-risk factor or two or more intermediate-risk "
                "factors; standard: otherwise [secondary source, not checked against the guideline]",
        "panels": {"basic": list(BASIC), "enhanced": list(ENHANCED)},
        "timing": {k: _TIMING[k] for k in possible} if applicable is not False else {},
        "notes": notes,
        "verification": "R",
        "sources": [c.render_short() for c in sources],
    }


_UNVERIFIED = " The tiering of risk factors and the panels are from secondary sources, not checked against the guideline."


def screening_guidance(cs: Mapping[str, Any]) -> dict[str, Any] | None:
    """One guidance item: the screening category with the factors behind it and the label's own cancer evidence (the
    one place a case's guidance speaks of cancer risk); for juvenile onset and for inclusion body myositis, why
    there is no category; None when no inflammatory myopathy is reachable."""
    reasons: list[str] = cs.get("reasons") or []
    if cs["applicable"] is False:
        if _JUVENILE in reasons:
            text = "Juvenile-onset myositis: screening for myositis-associated cancer is not routinely required."
            return {"id": "cancer.screening", "text": text, "citation": IMACS_2023.render_short(),
                    "verification": "V-P", "unverified": False}
        if any(IBM_REASON in r for r in reasons):
            return {"id": "cancer.screening", "text": f"{IBM_REASON} {_IBM_EVIDENCE}",
                    "citation": "; ".join(c.render_short() for c in (C.OLDROYD_2021, SHELLY_2021, BUCHBINDER_2001)),
                    "verification": "V-S", "unverified": False}
        return None
    notes: list[str] = cs["notes"]
    lead = [_CANCER_RECORDED] if _CANCER_RECORDED in notes else []
    cond = ""
    if cs["applicable"] is None:
        cond = "if an IIM other than IBM is confirmed, " if _UNLESS_IBM in notes else "if an IIM is confirmed, "
    if cs["risk"]:
        head = f"Cancer-screening risk ({cond}IMACS 2023): {cs['risk']} — {cs['timing'][cs['risk']]}."
    else:
        head = (f"Cancer-screening risk ({cond}IMACS 2023) is {' or '.join(cs['possible_risks'])} depending on "
                "unknown factors; " + "; ".join(f"{k}: {v}" for k, v in cs["timing"].items()) + ".")
    evidence = [n for n in notes if n.startswith(_EVIDENCE_PREFIXES)]
    text = " ".join([*lead, head, "Why: " + " ".join(reasons), *evidence]) + _UNVERIFIED
    return {"id": "cancer.screening", "text": text, "citation": "; ".join(cs["sources"]),
            "verification": "R", "unverified": True}


#: how the label-evidence notes begin (:func:`_label_evidence`), so the guidance item can quote them
_EVIDENCE_PREFIXES = ("Anti-HMGCR IMNM:", "Antibody-negative IMNM:", "Anti-SRP IMNM:", "Adult dermatomyositis:",
                      "Clinically amyopathic DM:", "Polymyositis:", "Antisynthetase antibodies:")
