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

Factors are three-valued; an unknown factor makes the category a range.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from myoclass.criteria import citations as C
from myoclass.criteria.api import Citation
from myoclass.criteria.enmc_2003_iim import MSA

__all__ = ["IMACS_2023", "cancer_screening"]

IMACS_2023 = Citation(
    "imacs2023",
    "Oldroyd AGS, et al. International guideline for idiopathic inflammatory myopathy-associated cancer screening: "
    "an International Myositis Assessment and Clinical Studies Group (IMACS) initiative. Nat Rev Rheumatol "
    "2023;19(12):805-817.",
    doi="10.1038/s41584-023-01045-w",
    pmid="37945774",
    short="Oldroyd et al. 2023 (IMACS guideline)",
)

_IIM_LABELS = {"imnm_anti_hmgcr", "imnm_anti_srp", "imnm_seronegative", "dm", "adm", "jdm", "juvenile_myositis_other",
               "ibm", "antisynthetase", "pm", "nonspecific_myositis"}

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


def cancer_screening(values: Mapping[str, Any], label: str, reachable: frozenset[str]) -> dict[str, Any]:
    """Risk category (a range while factors are unknown), panels and timing for this case."""
    onset = values.get("age_at_onset_years")
    age = values.get("age_years")
    notes: list[str] = []
    if not (reachable & _IIM_LABELS):
        applicable: bool | None = False
        notes.append("No idiopathic inflammatory myopathy is classified or reachable: the guideline does not apply.")
    elif (onset is not None and onset < 18) or (onset is None and age is not None and age < 18):
        applicable = False
        notes.append("Juvenile-onset IIM: screening for IIM-associated cancer is not routinely required.")
    else:
        applicable = True if label in _IIM_LABELS else None
        if applicable is None:
            notes.append("Applies once an inflammatory myopathy is confirmed.")
    duration = values.get("symptom_duration_months")
    if duration is not None and duration > 36:
        notes.append("More than 3 years since symptom onset: the guideline addresses the first 3 years.")
    rows = []
    hi_lo = hi_hi = in_lo = in_hi = 0
    for f in FACTORS:
        st = f.state(values, label, reachable)
        rows.append({"id": f.id, "label": f.label, "tier": f.tier, "state": st, "verification": f.verification,
                     "unverified": f.verification == "R"})
        if f.tier == "high":
            hi_lo += st is True
            hi_hi += st is not False
        else:
            in_lo += st is True
            in_hi += st is not False
    order = ["standard", "moderate", "high"]
    lo, hi = _risk(hi_lo, in_lo), _risk(hi_hi, in_hi)
    possible = order[order.index(lo): order.index(hi) + 1]
    risk = lo if lo == hi else None
    if values.get("ab_tif1g") and label == "dm" and onset is not None and onset > 40:
        notes.append("Anti-TIF1-γ dermatomyositis with onset after 40: with one or more further high-risk feature, "
                     "18F-FDG PET-CT may serve as a single screening investigation.")
    notes.append("Nasoendoscopy at diagnosis is considered where nasopharyngeal carcinoma is common.")
    return {
        "guideline": IMACS_2023.render(),
        "applicable": applicable,
        "risk": risk if applicable is not False else None,
        "possible_risks": possible if applicable is not False else [],
        "factors": rows,
        "rule": "high: two or more high-risk factors; moderate: one high-risk factor or two or more intermediate-risk "
                "factors; standard: otherwise [secondary source, not checked against the guideline]",
        "panels": {"basic": list(BASIC), "enhanced": list(ENHANCED)},
        "timing": {k: _TIMING[k] for k in possible} if applicable is not False else {},
        "notes": notes,
        "verification": "R",
        "sources": [IMACS_2023.render_short(), C.OLDROYD_2021.render_short()],
    }


def screening_guidance(cs: Mapping[str, Any]) -> dict[str, Any] | None:
    """One guidance item summarising the screening category, or None when the guideline does not apply."""
    if cs["applicable"] is False:
        if any("Juvenile" in n for n in cs["notes"]):
            text = "Juvenile-onset myositis: screening for myositis-associated cancer is not routinely required."
            return {"id": "cancer.screening", "text": text, "citation": IMACS_2023.render_short(),
                    "verification": "V-P", "unverified": False}
        return None
    if cs["risk"]:
        text = (f"Cancer-screening risk ({'if an IIM is confirmed, ' if cs['applicable'] is None else ''}IMACS 2023): "
                f"{cs['risk']} — {cs['timing'][cs['risk']]}.")
    else:
        opts = ", ".join(cs["possible_risks"])
        text = (f"Cancer-screening risk (IMACS 2023) is {opts} depending on unknown factors; "
                + "; ".join(f"{k}: {v}" for k, v in cs["timing"].items()) + ".")
    text += " The tiering of risk factors and the panels are from secondary sources, not checked against the guideline."
    return {"id": "cancer.screening", "text": text,
            "citation": f"{IMACS_2023.render_short()}; {C.OLDROYD_2021.render_short()}",
            "verification": "R", "unverified": True}
