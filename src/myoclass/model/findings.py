"""Findings as the rules see them: each one three-valued, or a set of still-possible values.

Boolean findings hold 0 (absent), 1 (unknown) or 2 (present). Findings that come from a
number or a word (age at onset, CK relative to its upper limit, onset tempo, ...) are bit masks
over a small domain of bands, so that "unknown" means every band is still possible and a
partial fact (CK elevated, ratio unknown) leaves just the bands it allows.

*Mimic* findings (a genetic diagnosis, hypothyroidism, another myotoxic drug, dystrophic biopsy
features, family history) only change a label when they are known: the criteria apply "when
there is no better explanation" (EULAR/ACR 2017; ENMC exclusions), so an unknown mimic finding is
presumed absent for classification and offered as a ``rules_out`` test instead
(``docs/assessment.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from myoclass.model.ages import AGE_SLACK_YEARS, DURATION_SLACK_YEARS, duration_mask
from myoclass.model.case import Case
from myoclass.model.ck import CK_BAND_HIGH_TIMES, over_high_band
from myoclass.model.fields import BIOPSY_ITEMS, FIELDS

__all__ = ["FINDINGS", "MIMICS", "Finding", "case_state", "display_state"]


@dataclass(frozen=True)
class Finding:
    name: str
    flat_key: str  # the flat-case key a clinician fills in to settle it
    values: tuple[str, ...] = ()  # empty: boolean; else the band names, bit i = values[i]
    mimic: bool = False
    tier: int = 1  # cost of finding out: 0 history/exam, 1 blood, 2 EMG/MRI, 3 biopsy, 4 genetics
    test: str = ""  # what to do, in the clinic's words

    @property
    def is_bool(self) -> bool:
        return not self.values

    @property
    def full(self) -> int:
        return 3 if self.is_bool else (1 << len(self.values)) - 1

    def bit(self, value: str) -> int:
        return 1 << self.values.index(value)


AGE_BANDS = ("under_18", "18_to_39", "40_to_45", "over_45")
CK_BANDS = ("normal", "raised_up_to_15x_uln", "raised_over_15x_uln")
DURATION_BANDS = ("up_to_12_months", "over_12_months")

_TIER: dict[str, tuple[int, str]] = {
    "weakness": (0, "examine muscle strength (manual muscle testing)"),
    "skin": (0, "examine the skin"),
    "symptoms": (0, "ask the patient"),
    "history": (0, "take the history"),
    "drugs": (0, "review the drug history"),
    "extramuscular": (1, "assess for this organ involvement"),
    "laboratory": (1, "blood test"),
    "autoantibodies": (1, "myositis antibody test"),
    "electrophysiology_imaging": (2, "EMG or muscle MRI"),
    "biopsy": (3, "muscle biopsy"),
}

_CAT: dict[str, Finding] = {
    "onset_age_band": Finding("onset_age_band", "age_at_onset_years", AGE_BANDS, tier=0,
                              test="record the age at the first symptom"),
    "ck_band": Finding("ck_band", "ck_u_l", CK_BANDS, tier=1,
                       test="measure CK with the laboratory's upper limit of normal"),
    "duration_band": Finding("duration_band", "symptom_duration_months", DURATION_BANDS, tier=0,
                             test="record how long the symptoms have lasted"),
    "onset_tempo": Finding("onset_tempo", "onset_tempo", ("acute", "subacute", "insidious"), tier=0,
                           test="record how fast the weakness came on"),
    "statin_withdrawal_outcome": Finding("statin_withdrawal_outcome", "statin_withdrawal_outcome",
                                         ("resolved", "persisted"), tier=0,
                                         test="record the course after the statin was stopped"),
    "immunosuppression_response": Finding("immunosuppression_response", "immunosuppression_response",
                                          ("improved", "no_response"), tier=0,
                                          test="record the response to immunosuppression"),
}
_MIMIC_BOOL = {"hypothyroidism", "other_myotoxic_drug", "family_history_myopathy", "biopsy_dystrophic_features"}
_SKIP = {"case_id", "sex", "age_at_onset_years", "age_years", "onset_tempo", "symptom_duration_months",
         "ck_u_l", "ck_uln_u_l", "ck_elevated", "statin_withdrawal_outcome", "immunosuppression_response",
         "genetic_diagnosis_gene"}

#: the extramuscular findings, each with how it is found out (the group's "assess for this organ involvement" does not
#: fit a fever or a cancer)
_ORGAN_TEST = {
    "ild": "high-resolution chest CT and lung function tests",
    "arthritis": "examine the joints",
    "raynaud": "ask the patient",
    "fever": "take the history",
    "cardiac_involvement": "ECG, troponin and echocardiography",
    "cancer": "review the records for a cancer diagnosis",
    "weight_loss": "ask the patient",
    "skin_ulceration": "examine the skin",
}

#: the one test of an electrophysiology or imaging finding (its group's "EMG or muscle MRI" names both)
_OWN_TEST = {"emg_myopathic": "EMG", "emg_spontaneous_activity": "EMG", "mri_muscle_edema": "muscle MRI"}

FINDINGS: dict[str, Finding] = dict(_CAT)
for _k, _spec in FIELDS.items():
    if _k in _SKIP or _spec.kind != "bool":
        continue
    _tier, _test = _TIER[_spec.group]
    if _k == "hypothyroidism":
        _tier, _test = 1, "TSH and free T4"
    if _k == "biopsy_dystrophic_features":
        _test = "dystrophy immunostaining (dysferlin, dystrophin, sarcoglycans) on the biopsy"
    _test = _ORGAN_TEST.get(_k, _OWN_TEST.get(_k, _test))
    FINDINGS[_k] = Finding(_k, _k, mimic=_k in _MIMIC_BOOL, tier=_tier, test=_test)
FINDINGS["genetic_diagnosis"] = Finding(
    "genetic_diagnosis", "genetic_diagnosis_gene", mimic=True, tier=4,
    test="muscle gene panel (DYSF, CAPN3, FKRP, ANO5, DMD, sarcoglycans) and GAA enzyme activity")


_TRI: dict[Any, int] = {None: 1, True: 2, False: 0}
_BOOL_KEYS = tuple(n for n, f in FINDINGS.items() if f.is_bool and n in FIELDS)


def _age_band(age: float) -> int:
    if age < 18:
        return 1
    if age < 40:
        return 2
    if age <= 45:
        return 4
    return 8


def onset_age_mask(onset: float | None, age: float | None, duration_months: float | None) -> int:
    """The onset-age bands still possible, as a bit mask over :data:`AGE_BANDS`.

    The age at onset when given; else, with the age at assessment and the symptom duration (from the first
    symptom to the assessment, data dictionary), every band the onset ``age - duration`` can fall in, with
    the slack of whole years and whole months; else every band up to the age at assessment; else all.
    """
    if onset is not None:
        return _age_band(onset)
    if age is None:
        return 15
    top = _age_band(age)
    upto = (top << 1) - 1  # every band up to the current age
    if duration_months is None:
        return upto
    at = age - duration_months / 12.0
    lo, hi = at - DURATION_SLACK_YEARS, at + AGE_SLACK_YEARS + DURATION_SLACK_YEARS
    if hi < 0:  # a duration longer than the life: no narrowing
        return upto
    first, last = _age_band(max(lo, 0.0)), _age_band(hi)
    return ((last << 1) - first) & upto


def onset_before_18(values: Mapping[str, Any]) -> bool:
    """The disease began before 18, as the recorded ages say: the age at onset is under 18, or it is not given and
    the age now is under 18."""
    onset, age = values.get("age_at_onset_years"), values.get("age_years")
    return (onset is not None and onset < 18) or (onset is None and age is not None and age < 18)


def onset_in_first_year(values: Mapping[str, Any]) -> bool:
    """The disease began in the first year of life, as the recorded ages say: the age at onset is under 1, or it is
    not given and the age now is under 1 (whole years: an age of 1 is the second year). The differential weighs it
    (:data:`myoclass.reasoning.differential_model.FIRST_YEAR_ONSET`); the criteria do not read it."""
    onset, age = values.get("age_at_onset_years"), values.get("age_years")
    return (onset is not None and onset < 1) or (onset is None and age is not None and age < 1)


def assessment_age(values: Mapping[str, Any]) -> float | None:
    """The age at assessment that the differential weighs against the onset bands
    (:func:`myoclass.reasoning.differential_model.onset_weights_at_age`): ``age_years`` when neither the
    age at onset nor the symptom duration is given and the age is 18 or more (younger, only one band is
    possible); else None."""
    age = values.get("age_years")
    if age is None or age < 18 or values.get("age_at_onset_years") is not None \
            or values.get("symptom_duration_months") is not None:
        return None
    return float(age)


def display_state(case: Case) -> dict[str, int]:
    """Findings exactly as known: unknown stays unknown (what the item tables show)."""
    v = case.values
    s: dict[str, int] = {name: _TRI[v[name]] for name in _BOOL_KEYS}
    if v["biopsy_performed"] is False:  # no biopsy: no biopsy finding can be present
        for k in BIOPSY_ITEMS:
            s[k] = 0
    s["genetic_diagnosis"] = 2 if v["genetic_diagnosis_gene"] else 1
    s["onset_age_band"] = onset_age_mask(v["age_at_onset_years"], v["age_years"], v["symptom_duration_months"])
    ck, uln, elev = v["ck_u_l"], v["ck_uln_u_l"], v["ck_elevated"]
    if ck is not None and uln is not None:
        s["ck_band"] = 1 if ck <= uln else (2 if ck <= CK_BAND_HIGH_TIMES * uln else 4)
    elif elev is not False and over_high_band(ck, v["age_years"], v["age_at_onset_years"]):  # over 15x any limit
        s["ck_band"] = 4
    elif elev is None:
        s["ck_band"] = 7
    else:
        s["ck_band"] = 6 if elev else 1
    s["duration_band"] = duration_mask(v["symptom_duration_months"], v["age_years"], v["age_at_onset_years"])
    for name in ("onset_tempo", "statin_withdrawal_outcome", "immunosuppression_response"):
        f = FINDINGS[name]
        s[name] = f.full if v[name] is None else f.bit(v[name])
    return s


#: findings of a better explanation (a mimic): presumed absent by the rules while unknown
MIMICS = tuple(n for n, f in FINDINGS.items() if f.mimic)


def case_state(case: Case, shown: dict[str, int] | None = None) -> dict[str, int]:
    """Findings as the rules use them: unknown mimic findings are presumed absent."""
    s = dict(shown) if shown is not None else display_state(case)
    for name in MIMICS:
        if s[name] == 1:
            s[name] = 0
    return s
