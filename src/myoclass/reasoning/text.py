"""The assessment in a clinician's words, each wording defined once here.

Label names (long and short), a clinical name for every finding of the data dictionary, the words for
enumerated values and for the policies, what each result of a next test would do (written forward:
"if positive → IMNM, anti-HMGCR subtype"), form problems at their field, the case notes, and the
summary sentence. The web page (:mod:`myoclass.web.pages`) and the text report (:mod:`myoclass.report.text`)
both read this module; the codes (``imnm_anti_hmgcr``, ``ab_hmgcr``, ``eular_rash_free``) belong to the JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from myoclass.model.case import STATIN_TAKEN_NOTE
from myoclass.model.ck import CK_KEPT_NOT_RAISED, CK_ULN_CEILING_U_L, ages_of, over_ceiling, over_high_band
from myoclass.model.fields import ANTIBODIES, FIELDS
from myoclass.model.labels import ADULT_IIM_BUT_IBM_LABELS, IMNM_LABELS, RULE_LABELS

__all__ = [
    "CK_ULN_TEST",
    "FINDING_TEXT",
    "FIRST_STEP_MIN_BITS",
    "GENETIC_HANDOFF_SHARE",
    "IMNM_IN_ALL_MARGIN",
    "IN_THE_DIFFERENTIAL",
    "LABEL_IN_LIST",
    "LABEL_SHORT",
    "LABEL_TEXT",
    "LIKELY_PREFIX_END",
    "MIMIC_FIRST_MIN_P",
    "MIMIC_STEP",
    "MORE_LIKELY_THAN_NOT",
    "NO_LABEL_LIKELY",
    "NO_MUSCLE_SIGN",
    "NO_MUSCLE_SIGN_WARNING",
    "NO_SINGLE_DECIDER",
    "POLICY_TEXT",
    "SET_SHORT",
    "STATIN_COURSE_IF_TAKEN",
    "URGENT_GUIDANCE",
    "VALUE_TEXT",
    "biopsy_changing_lead",
    "biopsy_lead",
    "ck_without_uln",
    "eular_band",
    "finding_name",
    "first_steps",
    "form_label",
    "genetic_handoff",
    "imnm_in_all",
    "imnm_share",
    "join_and",
    "join_or",
    "label_name",
    "leading_share",
    "likely_words",
    "mimic_presumption",
    "mimic_reason",
    "no_label_likely",
    "not_settled",
    "not_settled_tests",
    "open_share",
    "outcome_parts",
    "outcome_sets",
    "outcome_text",
    "percent",
    "policy_text",
    "presence_word",
    "problem_text",
    "records_no_muscle_sign",
    "set_verdict",
    "settled_by_words",
    "share",
    "step_text",
    "still_possible",
    "summary_text",
    "then_wanted",
    "todo",
    "unverified_tag",
    "urgent_guidance",
    "urgent_line",
    "value_text",
    "warning_text",
    "words",
]

#: each label in full, as a noun phrase ("Classified as <this>")
LABEL_TEXT = {
    "imnm_anti_hmgcr": "immune-mediated necrotizing myopathy, anti-HMGCR subtype",
    "imnm_anti_srp": "immune-mediated necrotizing myopathy, anti-SRP subtype",
    "imnm_seronegative": "antibody-negative immune-mediated necrotizing myopathy",
    "dm": "dermatomyositis",
    "adm": "amyopathic dermatomyositis",
    "jdm": "juvenile dermatomyositis",
    "juvenile_myositis_other": "juvenile myositis other than juvenile dermatomyositis",
    "ibm": "inclusion body myositis",
    "antisynthetase": "antisynthetase syndrome",
    "pm": "polymyositis (IMNM, IBM and antisynthetase syndrome ruled out)",
    "nonspecific_myositis": "non-specific myositis",
    "statin_toxic_myopathy": "self-limited statin (toxic) myopathy, not autoimmune",
    "hereditary_myopathy": "hereditary myopathy: a genetic cause explains the picture",
    "other_non_immune": "another non-immune myopathy (hypothyroid, drug or toxic) that explains the picture",
    "not_iim": "no inflammatory myopathy: the criteria are not met, and no other explanation was identified",
    "undetermined": "not yet determined",
}

#: each label's short clinical name: headlines, the differential chart, lists (a phone is 390 px wide)
LABEL_SHORT = {
    "imnm_anti_hmgcr": "IMNM, anti-HMGCR subtype",
    "imnm_anti_srp": "IMNM, anti-SRP subtype",
    "imnm_seronegative": "IMNM, antibody-negative",
    "dm": "dermatomyositis",
    "adm": "amyopathic dermatomyositis",
    "jdm": "juvenile dermatomyositis",
    "juvenile_myositis_other": "juvenile myositis, other",
    "ibm": "inclusion body myositis",
    "antisynthetase": "antisynthetase syndrome",
    "pm": "polymyositis",
    "nonspecific_myositis": "non-specific myositis",
    "statin_toxic_myopathy": "statin toxic myopathy",
    "hereditary_myopathy": "hereditary myopathy",
    "other_non_immune": "other non-immune cause",
    "not_iim": "no inflammatory myopathy",
    "undetermined": "not yet determined",
}

#: a label's name inside a list of labels, where its short name holds a comma ("anti-HMGCR IMNM, polymyositis")
LABEL_IN_LIST = {
    **LABEL_SHORT,
    "imnm_anti_hmgcr": "anti-HMGCR IMNM",
    "imnm_anti_srp": "anti-SRP IMNM",
    "imnm_seronegative": "antibody-negative IMNM",
    "juvenile_myositis_other": "other juvenile myositis",
}

#: a category of a criteria set in shorter words, where the set's own name is a sentence
_CATEGORY_SHORT = {
    "not classifiable as IIM: no DM rash and the rash-free biopsy rule is not satisfied":
        "not classified (no DM rash; rash-free biopsy rule not satisfied)",
}

#: a finding's clinical name where the data dictionary's description does not read as one
_FINDING_OVERRIDES = {
    "case_id": "case identifier",
    "age_at_onset_years": "age at onset",
    "age_years": "age",
    "onset_tempo": "onset tempo",
    "symptom_duration_months": "symptom duration",
    "genetic_diagnosis_gene": "genetic diagnosis",
    "symptom_fatigue": "tiredness",
    "dysphagia": "dysphagia",
    "weakness_proximal_upper_symmetric": "symmetric proximal arm weakness",
    "weakness_proximal_lower_symmetric": "symmetric proximal leg weakness",
    "weakness_neck_flexor_gt_extensor": "neck flexors weaker than extensors",
    "weakness_neck_extensor_gt_flexor": "neck extensors weaker than flexors",
    "weakness_legs_proximal_gt_distal": "legs weaker proximally than distally",
    "weakness_distal_predominant": "distal-predominant weakness",
    "weakness_ocular_or_facial": "ocular or facial weakness",
    "skin_other_dm_rash": "other DM rash (V-sign, shawl or holster sign, periungual changes)",
    "ck_u_l": "CK",
    "ck_uln_u_l": "CK upper limit of normal",
    "ck_elevated": "CK above normal",
    "ldh_elevated": "raised LDH",
    "ast_elevated": "raised AST",
    "alt_elevated": "raised ALT",
    "aldolase_elevated": "raised aldolase",
    "hypothyroidism": "untreated hypothyroidism",
    "emg_myopathic": "myopathic EMG",
    "emg_spontaneous_activity": "spontaneous activity on EMG",
    "mri_muscle_edema": "muscle oedema on MRI",
    "biopsy_performed": "muscle biopsy",
    "biopsy_necrotic_fibers": "necrotic fibres on biopsy",
    "biopsy_necrosis_predominant": "necrosis predominant on biopsy",
    "biopsy_regenerating_fibers": "regenerating fibres on biopsy",
    "biopsy_lymphocytic_infiltrate_prominent": "prominent lymphocytic infiltrate on biopsy",
    "biopsy_endomysial_infiltrate_non_invading": "endomysial cells surrounding, not invading, fibres",
    "biopsy_invasion_non_necrotic_fibers": "invasion of non-necrotic fibres",
    "biopsy_perimysial_perivascular_infiltrate": "perimysial or perivascular infiltrate",
    "biopsy_perifascicular_atrophy": "perifascicular atrophy",
    "biopsy_rimmed_vacuoles": "rimmed vacuoles",
    "biopsy_protein_accumulation": "protein aggregates (amyloid, p62, TDP-43) or 15–18 nm filaments",
    "biopsy_mhc1_upregulation": "MHC class I on non-necrotic fibres",
    "biopsy_mac_sarcolemma_non_necrotic": "MAC on the sarcolemma of non-necrotic fibres",
    "biopsy_mac_capillaries": "MAC on capillaries",
    "biopsy_cox_negative_fibers": "COX-negative or ragged-red fibres",
    "biopsy_dystrophic_features": "dystrophic features on biopsy (dysferlin, dystrophin, sarcoglycans)",
    "statin_exposure": "statin exposure",
    "statin_withdrawal_outcome": "course after stopping the statin",
    "other_myotoxic_drug": "another myotoxic drug",
    "checkpoint_inhibitor": "checkpoint-inhibitor therapy",
    "immunosuppression_response": "response to immunosuppression",
    "ild": "interstitial lung disease",
    "fever": "unexplained fever",
    "cardiac_involvement": "cardiac involvement",
    "cancer": "cancer within 3 years of onset",
}


def _default_name(key: str) -> str:
    if key in ANTIBODIES:
        return ANTIBODIES[key]
    if key.endswith("_method") and key[: -len("_method")] in ANTIBODIES:
        return f"{ANTIBODIES[key[: -len('_method')]]} assay method"
    return FIELDS[key].description


#: the clinical name of every key of the data dictionary (lower case where it starts a phrase)
FINDING_TEXT: dict[str, str] = {key: _FINDING_OVERRIDES.get(key) or _default_name(key) for key in FIELDS}

#: the form's label of a field where it differs from the capitalised clinical name (a question, with context)
_FORM_LABEL = {
    "case_id": "Case identifier (your own; no names)",
    "age_at_onset_years": "Age at the first symptom",
    "age_years": "Age now",
    "onset_tempo": "Onset (acute < 4 weeks, subacute 4 weeks to 6 months, insidious)",
    "symptom_duration_months": "Duration since the first symptom",
    "genetic_diagnosis_gene": "Genetic diagnosis explaining a myopathy (gene, e.g. DYSF)",
    "ck_u_l": "Highest creatine kinase (CK)",
    "ck_uln_u_l": "CK upper limit of normal",
    "ck_elevated": "CK above normal (when only a qualitative result is known)",
    "biopsy_performed": "Muscle biopsy done (its findings are entered below)",
    "statin_withdrawal_outcome": "After stopping the statin, without immunosuppression",
    "immunosuppression_response": "Response to immunosuppressive treatment, if treated",
    "biopsy_lymphocytic_infiltrate_prominent": "More than sparse lymphocytic inflammation (no = sparse or absent)",
    "other_myotoxic_drug": ("Another myotoxic drug or toxin before onset (e.g. colchicine, zidovudine, "
                            "hydroxychloroquine, fibrate, alcohol excess)"),
    "skin_other_dm_rash": "Other DM rash: V-sign, shawl or holster sign, periungual changes",
    "emg_myopathic": "EMG myopathic: short, small, polyphasic motor unit potentials",
    "emg_spontaneous_activity": "EMG spontaneous activity: fibrillations, positive sharp waves, complex repetitive "
                                "discharges",
    "mri_muscle_edema": "MRI: diffuse or patchy oedema (STIR hyperintensity) in muscle",
}


def form_label(key: str) -> str:
    """The form's label of a field: a question with its context, from the same clinical wording."""
    if key in _FORM_LABEL:
        return _FORM_LABEL[key]
    spec = FIELDS[key]
    text = ANTIBODIES[key] if key in ANTIBODIES else spec.description
    return text[:1].upper() + text[1:]


#: the words for an enumerated value, and for the bands the differential weighs, by (key, value)
VALUE_TEXT: dict[tuple[str, str], str] = {
    ("onset_tempo", "acute"): "acute (under 4 weeks)",
    ("onset_tempo", "subacute"): "subacute (4 weeks to 6 months)",
    ("onset_tempo", "insidious"): "insidious (over 6 months)",
    ("statin_withdrawal_outcome", "resolved"): "resolved",
    ("statin_withdrawal_outcome", "persisted"): "persisted",
    ("immunosuppression_response", "improved"): "improved",
    ("immunosuppression_response", "no_response"): "no response",
    ("age_at_onset_years", "under_18"): "under 18",
    ("age_at_onset_years", "18_to_39"): "18 to 39",
    ("age_at_onset_years", "40_to_45"): "40 to 45",
    ("age_at_onset_years", "over_45"): "over 45",
    ("ck_u_l", "normal"): "normal",
    ("ck_u_l", "raised_up_to_15x_uln"): "raised up to 15 times normal",
    ("ck_u_l", "raised_over_15x_uln"): "raised over 15 times normal",
    ("symptom_duration_months", "up_to_12_months"): "12 months or less",
    ("symptom_duration_months", "over_12_months"): "over 12 months",
    **{(f"{ab}_method", m): w for ab in ANTIBODIES for m, w in (
        ("elisa", "ELISA"), ("iif", "immunofluorescence (IIF)"), ("line_blot", "line blot"),
        ("immunoprecipitation", "immunoprecipitation"), ("cbia", "cell-based assay"))},
}

#: "if <this> →": the condition of a next test's result, by (key, value); booleans by "true" / "false"
_IF_TEXT: dict[tuple[str, str], str] = {
    ("statin_withdrawal_outcome", "resolved"): "CK and weakness normalise after stopping the statin",
    ("statin_withdrawal_outcome", "persisted"): "they persist after stopping the statin",
    ("immunosuppression_response", "improved"): "it improves on immunosuppression",
    ("immunosuppression_response", "no_response"): "it does not respond to immunosuppression",
    ("onset_tempo", "acute"): "the onset was acute (under 4 weeks)",
    ("onset_tempo", "subacute"): "subacute (4 weeks to 6 months)",
    ("onset_tempo", "insidious"): "insidious",
    ("age_at_onset_years", "under_18"): "onset was under 18",
    ("age_at_onset_years", "18_to_39"): "at 18 to 39",
    ("age_at_onset_years", "40_to_45"): "at 40 to 45",
    ("age_at_onset_years", "over_45"): "over 45",
    ("ck_u_l", "normal"): "CK is normal",
    ("ck_u_l", "raised_up_to_15x_uln"): "raised up to 15 times normal",
    ("ck_u_l", "raised_over_15x_uln"): "over 15 times normal",
    ("symptom_duration_months", "up_to_12_months"): "symptoms have lasted 12 months or less",
    ("symptom_duration_months", "over_12_months"): "longer",
    ("statin_exposure", "true"): "a statin was taken",
    ("statin_exposure", "false"): "no statin was taken",
}

#: "if <this> →" for a run of neighbouring bands of a numeric or ordered finding whose results say the same thing,
#: by (key, the run's values in order): one phrase, not the same words repeated per band (the text of "CK: if raised
#: up to 15 times normal → X; if over 15 times normal → X" read as two different results)
_IF_RUN_TEXT: dict[tuple[str, tuple[str, ...]], str] = {
    ("ck_u_l", ("normal", "raised_up_to_15x_uln")): "CK is at most 15 times normal",
    ("ck_u_l", ("raised_up_to_15x_uln", "raised_over_15x_uln")): "CK is raised (at any level)",
    ("age_at_onset_years", ("under_18", "18_to_39")): "onset was under 40",
    ("age_at_onset_years", ("18_to_39", "40_to_45")): "onset was at 18 to 45",
    ("age_at_onset_years", ("40_to_45", "over_45")): "onset was at 40 or over",
    ("age_at_onset_years", ("under_18", "18_to_39", "40_to_45")): "onset was at 45 or under",
    ("age_at_onset_years", ("18_to_39", "40_to_45", "over_45")): "onset was at 18 or over",
    ("onset_tempo", ("acute", "subacute")): "the onset was acute or subacute (under 6 months)",
    ("onset_tempo", ("subacute", "insidious")): "the onset was subacute or insidious (4 weeks or more)",
}

#: every policy choice in words, by (policy, value)
POLICY_TEXT: dict[tuple[str, str], str] = {
    ("eular_rash_free", "biopsy_required"): "without a DM rash, a muscle biopsy is mandatory for EULAR/ACR "
                                            "classification (the criteria group's interim report)",
    ("eular_rash_free", "biopsy_features_required"): "without a DM rash, EULAR/ACR classification needs one of the "
                                                     "four scored biopsy features (the Karolinska calculator)",
    ("eular_rash_free", "off"): "EULAR/ACR classifies by the score alone, with or without a DM rash",
    ("eular_cutoffs", "score"): "EULAR/ACR categories by the published score cut-offs (5.3, 5.5 and 7.5 points "
                                "without biopsy; 6.5, 6.7 and 8.7 with)",
    ("eular_cutoffs", "probability"): "EULAR/ACR categories by the probability cut-offs (50%, 55% and 90%)",
    ("enmc_weakness_required", "True"): "ENMC 224 requires proximal weakness for anti-HMGCR and anti-SRP IMNM",
    ("enmc_weakness_required", "False"): "ENMC 224 anti-HMGCR and anti-SRP IMNM are classified without weakness",
}

#: each criteria set's short name
SET_SHORT = {
    "enmc_2017_imnm": "ENMC 224 (IMNM, 2018)",
    "eular_acr_2017": "EULAR/ACR 2017",
    "enmc_2003_iim": "ENMC 119 (2003)",
    "enmc_2011_ibm": "ENMC 2011 (IBM)",
    "connors_2010_ass": "Connors 2010 (antisynthetase syndrome)",
    "bohan_peter_1975": "Bohan & Peter (1975)",
}

#: the case notes of :func:`myoclass.model.case.parse_case`, in words
_NOTES = {
    "ck_elevated derived from ck_u_l and ck_uln_u_l":
        "CK above normal was worked out from the CK value and the laboratory's upper limit of normal.",
    CK_KEPT_NOT_RAISED:
        f"CK is entered as not above normal, although the CK value is above {CK_ULN_CEILING_U_L:,.0f} U/L, above every "
        "laboratory's upper limit of normal (an assumed ceiling). The entry is kept: check it, or enter the "
        "laboratory's upper limit of normal.",
    "biopsy_performed taken as true because biopsy findings are given":
        "A muscle biopsy is taken as done, because biopsy findings are given.",
    STATIN_TAKEN_NOTE:
        "A statin is taken as having been used, because the course after stopping one is given.",
    "symptom duration derived from age_years and age_at_onset_years":
        "Whether symptoms have lasted more than 12 months was worked out from the age now and the age at the first "
        "symptom.",
}


def presence_word(finding: str) -> str:
    """How a next test's ``p_present`` is worded: an antibody is "positive", a muscle biopsy "done" (whether one was
    done is what is unknown), any other finding "present"."""
    if finding in ANTIBODIES:
        return "positive"
    return "done" if finding == "biopsy_performed" else "present"


def likely_words(t: Mapping[str, Any]) -> str:
    """How likely a next test's finding is under the differential's model (``positive: 3% likely``; "" where it is
    not weighed). The finding is unknown, so possible: never "0%" (:func:`open_share`)."""
    p = t.get("p_present")
    if p is None or t["finding"] == "biopsy_performed":  # whether a biopsy was done is a fact to record, not a guess
        return ""
    return f"{presence_word(t['finding'])}: {open_share(p)} likely"


def share(p: float) -> str:
    """A probability as a whole percentage that never claims 0% or 100% for a share strictly between."""
    pct = round(100 * p)
    if pct >= 100 and p < 1:
        return ">99%"
    if pct <= 0 < p:
        return "<1%"
    return f"{pct}%"


def percent(p: float) -> str:
    """The EULAR/ACR probability of IIM with one decimal. It comes from a logistic model, so it is never 0 or 1,
    even where the assessment's 4 decimals round it there: ``>99.99%`` from 0.9999 (1.0 included), two decimals
    from 99%, ``<0.1%`` below 0.001 (0 included)."""
    if p >= 0.9999:
        return ">99.99%"
    if p >= 0.99:  # near the top, one decimal would read 99.9% for both ends of a range
        return f"{100 * p:.2f}%"
    if p < 0.001:
        return "<0.1%"
    return f"{100 * p:.1f}%"


def open_share(p: float) -> str:
    """The share of something the criteria still leave possible and not settled: never "0%" nor "100%" (``<1%``,
    ``>99%``), even where the model's rounded number is 0 or 1."""
    if p >= 0.995:
        return ">99%"
    if p < 0.005:
        return "<1%"
    return share(p)


def leading_share(summary: Mapping[str, Any]) -> str:
    """The leading label's share as the answer shows it: never 100% while the criteria leave the label open
    (the model's one-antibody-per-patient assumption can put all its weight on one label while the criteria
    still wait for a test), then ">99%"."""
    p = summary["leading_probability"]
    if summary["label"] == "undetermined" and p >= 0.995:
        return ">99%"
    return share(p)


#: the answer says no label is more likely than not while the criteria leave the label open and the leading
#: label's probability is not above this (a leading label of 22% is the most likely, not a likely one; one of exactly
#: 50% is not more likely than not either)
MORE_LIKELY_THAN_NOT = 0.5
#: what the answer then says beside the leading label
NO_LABEL_LIKELY = "no label is more likely than not"
#: what the answer says beside the leading label of a case that records no sign of a myopathy or myositis (the
#: warning of :func:`myoclass.reasoning.warnings.no_sign_of_a_myopathy` opens with it)
NO_MUSCLE_SIGN = "no sign of a myopathy or myositis is recorded"
#: the opening of that warning
NO_MUSCLE_SIGN_WARNING = NO_MUSCLE_SIGN[:1].upper() + NO_MUSCLE_SIGN[1:]


def records_no_muscle_sign(out: Mapping[str, Any]) -> bool:
    """Whether an assessment warns that its case records no sign of a myopathy or myositis."""
    return any(str(w).startswith(NO_MUSCLE_SIGN_WARNING) for w in out.get("warnings") or ())


def no_label_likely(leading_probability: float) -> bool:
    """Whether no label is more likely than not: the leading label's probability is not above
    :data:`MORE_LIKELY_THAN_NOT`. Asked where the criteria leave the label open; the answer then says so beside
    the leading label."""
    return leading_probability <= MORE_LIKELY_THAN_NOT


def mimic_presumption(label: str) -> str:
    """Beside a settled label whose differential keeps some share for a mimic: the criteria presume the findings that
    would reveal a mimic absent; the model does not (the workspace and the text reports say it alike)."""
    # a label no criteria set defines (statin toxic myopathy, ...) comes from myoclass's own label rules, as the
    # headline says: not "the criteria give" (a clinician review of session 35)
    by = "The label rules of myoclass give" if label in RULE_LABELS else "The criteria give"
    return (f"{by} {label_name(label)} presuming that the findings which would reveal a mimic (genetics, "
            "thyroid, other drugs, family history) are absent; the model weighs the chance that they are not.")


def label_name(code: str) -> str:
    """A label's short clinical name (the code itself only for a code outside the vocabulary)."""
    return LABEL_SHORT.get(code, code)


def _listed(codes: Iterable[str]) -> list[str]:
    return [LABEL_IN_LIST.get(c, c) for c in codes]


def finding_name(key: str) -> str:
    """A finding's clinical name (``ab_hmgcr`` → ``anti-HMGCR``)."""
    return FINDING_TEXT.get(key) or key.replace("_", " ")


def value_text(key: str, value: Any) -> str:
    """An entered value in words, with its unit (``True`` → ``yes``; antibodies ``positive`` / ``negative``)."""
    if isinstance(value, bool):
        if key in ANTIBODIES:
            return "positive" if value else "negative"
        return "yes" if value else "no"
    if isinstance(value, int | float):
        spec = FIELDS.get(key)
        unit = f" {spec.unit}" if spec and spec.unit else ""
        return f"{value:g}{unit}"
    return VALUE_TEXT.get((key, str(value)), str(value).replace("_", " "))


def policy_text(name: str, value: Any) -> str:
    """A policy choice in words."""
    return POLICY_TEXT.get((name, str(value)), f"{name.replace('_', ' ')}: {str(value).replace('_', ' ')}")


def _comma_outside_parentheses(text: str) -> bool:
    return "," in re.sub(r"\([^()]*\)", "", text)


def _join(items: Sequence[str], word: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    sep = "; " if any(_comma_outside_parentheses(i) for i in items) else ", "
    if len(items) == 2:
        return f"{items[0]}{';' if sep == '; ' else ''} {word} {items[1]}"
    return sep.join(items[:-1]) + f"{sep.rstrip()} {word} {items[-1]}"


def join_or(items: Iterable[str]) -> str:
    """``a, b or c`` (semicolons when an item holds a comma: ``IMNM, anti-HMGCR subtype; or polymyositis``)."""
    return _join(list(items), "or")


def join_and(items: Iterable[str]) -> str:
    """``a, b and c`` (semicolons when an item holds a comma)."""
    return _join(list(items), "and")


_NOT_SETTLED = {
    "statin_withdrawal_outcome": "course after statin withdrawal not recorded",
    "immunosuppression_response": "response to immunosuppression not recorded",
    "age_at_onset_years": "age at onset not known",
    "ck_u_l": "CK not measured",
    "symptom_duration_months": "symptom duration not known",
    "onset_tempo": "onset tempo not known",
    "genetic_diagnosis_gene": "no genetic result",
}


#: the next test on CK when a CK value is given without the laboratory's upper limit of normal (so its band is
#: not known): the value is there, its reference range is what is missing
CK_ULN_TEST = "record the laboratory's upper limit of normal for the CK measured"
#: the course after a statin was stopped, while statin use itself is not recorded
STATIN_COURSE_IF_TAKEN = "ask whether a statin was taken and, if one was, how CK and weakness went after it was stopped"


def ck_without_uln(values: Mapping[str, Any], brief: bool = False) -> str | None:
    """The warning for a CK given without its upper limit of normal, or None; ``brief``: in one short sentence (the
    workspace's status line).

    Without ``ck_uln_u_l`` the value cannot be placed in a band (normal, raised up to 15×, over 15× ULN). No
    laboratory's limit is presumed, but a value above every laboratory's limit (:mod:`myoclass.model.ck`) counts as
    raised, and one above 15 times every limit is in the top band (no warning then). Otherwise the criteria and the
    differential read CK as not known, or, with ``ck_elevated`` true, as raised by an unknown multiple."""
    ck = values.get("ck_u_l")
    if not isinstance(ck, int | float) or isinstance(ck, bool) or values.get("ck_uln_u_l") is not None:
        return None
    elevated = values.get("ck_elevated")
    if elevated is False:
        return None
    age, onset = ages_of(values)
    shown = f"{ck:,.0f}" if float(ck).is_integer() else f"{ck:,g}"
    if over_high_band(float(ck), age, onset):
        return None if brief else (
            f"CK {shown} U/L, given without the laboratory's upper limit of normal, counts as over 15 times that limit: "
            f"it is over 15 times every laboratory's limit (taken as at most {CK_ULN_CEILING_U_L:,.0f} U/L, an assumed "
            "ceiling). Record the upper limit of normal (ck_uln_u_l) to confirm it.")
    above_all = over_ceiling(float(ck), age, onset)
    if brief:
        return (f"CK {shown} U/L has no upper limit of normal entered, so "
                + ("how many times the limit it is is not known." if elevated or above_all
                   else "it counts as not known."))
    if above_all:
        return (f"CK {shown} U/L is above every laboratory's upper limit of normal (taken as at most "
                f"{CK_ULN_CEILING_U_L:,.0f} U/L, an assumed ceiling), so it counts as raised; without the laboratory's "
                "limit, how many times the limit it is (up to or over 15 times) is not known to the criteria or the "
                "differential. Record the upper limit of normal (ck_uln_u_l).")
    if elevated:
        return (f"CK {shown} U/L is recorded as raised but without the laboratory's upper limit of normal, so how "
                "many times the limit it is (up to or over 15 times) is not known to the criteria or the "
                "differential. Record the upper limit of normal (ck_uln_u_l).")
    return (f"CK {shown} U/L is given without the laboratory's upper limit of normal, so whether it is raised is "
            "not known: the criteria and the differential read CK as not known (no laboratory's limit is presumed; "
            f"only a CK above {CK_ULN_CEILING_U_L:,.0f} U/L, above every laboratory's limit, counts as raised without "
            "one, and not for a child under 1 year). Record the upper limit of normal (ck_uln_u_l), or whether CK was "
            "raised (ck_elevated): a value plainly above the laboratory's range is recorded as raised.")


def not_settled_tests(decides: Sequence[Mapping[str, Any]], n: int = 2) -> list[Mapping[str, Any]]:
    """The first ``n`` deciding tests whose :func:`not_settled` words say something new: statin use is left out once
    the course after stopping a statin, asked for if one was taken, has said it is not recorded."""
    out: list[Mapping[str, Any]] = []
    for t in decides:
        if t["finding"] == "statin_exposure" and any(u.get("test") == STATIN_COURSE_IF_TAKEN for u in out):
            continue
        out.append(t)
        if len(out) == n:
            break
    return out


def not_settled(t: Mapping[str, Any]) -> str:
    """What a deciding next test still waits for, in the clinic's words ("anti-HMGCR not tested")."""
    key = t["finding"]
    if key == "ck_u_l" and t.get("test") == CK_ULN_TEST:
        return "CK's upper limit of normal not given"
    if key == "statin_withdrawal_outcome" and t.get("test") == STATIN_COURSE_IF_TAKEN:
        return "statin use, and the course after stopping one, not recorded"
    if key in ANTIBODIES:
        return f"{ANTIBODIES[key]} not tested"
    if key == "biopsy_performed":
        return "no muscle biopsy yet" if t.get("p_present") is None else "biopsy status not known"
    if key in _NOT_SETTLED:
        return _NOT_SETTLED[key]
    return f"{finding_name(key)} not known"


#: tests whose own words say what to find out
_SELF_EXPLAINING = ("record ", "measure ", "TSH", "muscle gene panel", "dystrophy immunostaining")


def step_text(t: Mapping[str, Any]) -> str:
    """A next test as a step, in words: ``test anti-HMGCR``, ``muscle biopsy``, ``heliotrope rash — examine the skin``."""
    key = t["finding"]
    if key in ANTIBODIES:
        return f"test {ANTIBODIES[key]}"
    if key == "biopsy_performed":
        # a biopsy not done is an action; while it is unknown whether one was done, the step is to find out
        return "muscle biopsy" if t.get("p_present", 0) is None else "record whether a muscle biopsy was done"
    test = str(t.get("test") or "")
    if test.startswith(_SELF_EXPLAINING):
        return test
    name = finding_name(key)
    return f"{name} — {test}" if test else name


def _biopsy_not_done(t: Mapping[str, Any]) -> bool:
    """The next test is a muscle biopsy that was not done (an action; its ``p_present`` is None)."""
    return bool(t["finding"] == "biopsy_performed" and t.get("p_present", 0) is None)


def _if_words(key: str, value: str) -> str:
    if key == "biopsy_performed":
        return "a biopsy was done" if value == "true" else "no biopsy was done"
    if (key, value) in _IF_TEXT:
        return _IF_TEXT[(key, value)]
    if value in ("true", "false"):
        if key in ANTIBODIES:
            return f"{ANTIBODIES[key]} is positive" if value == "true" else "negative"
        return "present" if value == "true" else "absent"
    return VALUE_TEXT.get((key, value), value.replace("_", " "))


_WHY_WORD = {"positive/present": "true", "negative/absent": "false"}


def _outcome_sets(t: Mapping[str, Any], reachable: Sequence[str]) -> list[tuple[str, list[str]]]:
    """(value, labels still possible after that result) for each result of a deciding test, in order."""
    if "reachable_if_true" in t:
        out = [("true", list(t["reachable_if_true"]))]
        if not _biopsy_not_done(t):  # a biopsy not done: "false" is how things are now
            out.append(("false", list(t.get("reachable_if_false") or reachable)))
        return out
    now = list(reachable)
    sets = t.get("reachable_outcomes") or {}
    return [(value, list(sets.get(value, now))) for value in (t.get("outcomes") or {})]


def then_wanted(labels: Sequence[str], reachable: Sequence[str]) -> bool:
    """Whether a result leaving ``labels`` possible is close enough to settled that the page says what would
    decide next ("; then test anti-HMGCR"): two or three labels, and not the ones possible now."""
    return 1 < len(labels) <= 3 and set(labels) != set(reachable)


def outcome_sets(t: Mapping[str, Any], reachable: Sequence[str]) -> list[tuple[str, list[str]]]:
    """(value, labels still possible after that result) for each result of a deciding next test."""
    return _outcome_sets(t, reachable)


def _ruled_out_name(code: str) -> str:
    return "a 'no inflammatory myopathy' result" if code == "not_iim" else LABEL_IN_LIST.get(code, code)


#: a result that leaves the label open says where the differential would then lead when the leading label
#: changes, or when its probability moves by at least this much (``leading_if`` of the next test)
SHIFT_WORTH_SAYING = 0.10


def leading_now(a: Mapping[str, Any]) -> tuple[str, float] | None:
    """The assessment's leading label and its probability (None for an assessment without a differential)."""
    s = a.get("summary") or {}
    if s.get("leading_label") is None or s.get("leading_probability") is None:
        return None
    return str(s["leading_label"]), float(s["leading_probability"])


def leading_after_words(t: Mapping[str, Any], value: str, leading: tuple[str, float] | None) -> str:
    """``most likely statin toxic myopathy (90%)``: where the differential would lead once the next test ``t``
    gives ``value`` (the label named as in a list, ``anti-SRP IMNM``), when that is worth saying against
    ``leading`` (the leading label and probability now): another label leads, or the same one moves by at
    least :data:`SHIFT_WORTH_SAYING`. Else ""."""
    after = (t.get("leading_if") or {}).get(value)
    if after is None or leading is None:
        return ""
    label, p = str(after["label"]), float(after["probability"])
    if label == leading[0] and abs(p - leading[1]) < SHIFT_WORTH_SAYING:
        return ""
    return f"most likely {_listed([label])[0]} ({share(p)})"


def outcome_parts(t: Mapping[str, Any], reachable: Sequence[str],
                  then: Mapping[str, str] | None = None, leading: tuple[str, float] | None = None) -> list[str]:
    """What each result of a deciding next test would do, written forward, one phrase per result:
    ``if anti-HMGCR is positive → IMNM, anti-HMGCR subtype``. ``reachable`` is the labels still possible
    now; ``then`` may give, per result value, the step that would decide next (``test anti-HMGCR``).
    With ``leading`` (:func:`leading_now`), a result that leaves the label open also says where the
    differential would then lead, when that is news (:func:`leading_after_words`): ``if CK and weakness
    normalise after stopping the statin → all still possible, most likely statin toxic myopathy (90%)``. An
    ``informs`` test changes no label still possible: each result says only where the differential would lead
    (``if anti-Jo-1 is positive → most likely antisynthetase syndrome (96%)``)."""
    key = t["finding"]
    if t.get("purpose") == "informs":  # the labels still possible stay; where the differential would lead
        return [f"if {_if_words(key, value)} → most likely {_listed([str(after['label'])])[0]} "
                f"({share(float(after['probability']))})"
                for value, after in (t.get("leading_if") or {}).items()]
    if t.get("purpose") != "decides":
        return []
    now = list(reachable)
    results: list[tuple[str, str]] = []  # (value, what that result would do)
    for value, labels in _outcome_sets(t, now):
        cond = "a biopsy is done" if _biopsy_not_done(t) else _if_words(key, value)
        settled, unchanged = len(labels) == 1, set(labels) == set(now)
        after = "" if settled else leading_after_words(t, value, leading)
        if settled:
            what = label_name(labels[0])
        elif unchanged:
            what = "all still possible" if after else "no change"
        else:
            added = _listed(x for x in labels if x not in now)
            gone = [_ruled_out_name(x) for x in now if x not in labels]
            if added:
                what = "could also give " + join_or(added)
                if gone:
                    what += ", and no longer " + join_or(gone)
            elif len(labels) <= 3:
                what = "leaves " + join_or(_listed(labels))
            elif key == "biopsy_performed" and value == "false":
                # not a finding against them: these labels need a biopsy (a clinician review of session 26 read
                # "could no longer give inclusion body myositis" as IBM ruled out)
                what = "the criteria cannot give " + join_or(gone) + " without one"
            else:
                what = "the criteria could no longer give " + join_or(gone)
        if after:
            what += f", {after}"
        if not (settled or unchanged):
            step = (then or {}).get(value)
            if step and then_wanted(labels, now):  # close to settled: say what would decide next
                what += f"; then {step.split(' — ')[0]}"
        results.append((cond, what) if value in ("true", "false") else (value, what))
    if "outcomes" not in t or "reachable_if_true" in t:  # a yes/no finding: one phrase per result
        return [f"if {cond} → {what}" for cond, what in results]
    return _banded_phrases(key, results)


def _banded_phrases(key: str, results: list[tuple[str, str]]) -> list[str]:
    """One phrase per run of neighbouring bands whose results say the same (:data:`_IF_RUN_TEXT`); each band
    alone as before. A run with no words of its own keeps its bands apart."""
    phrases: list[str] = []
    i = 0
    while i < len(results):
        j = i + 1
        while j < len(results) and results[j][1] == results[i][1]:
            j += 1
        run = tuple(value for value, _what in results[i:j])
        if len(run) == len(results) > 1:
            phrases.append(f"whatever the result → {results[i][1]}")
        elif len(run) > 1 and (key, run) in _IF_RUN_TEXT:
            phrases.append(f"if {_IF_RUN_TEXT[(key, run)]} → {results[i][1]}")
        else:
            phrases.extend(f"if {_if_words(key, value)} → {what}" for value, what in results[i:j])
        i = j
    return phrases


def outcome_text(t: Mapping[str, Any], reachable: Sequence[str], then: Mapping[str, str] | None = None,
                 leading: tuple[str, float] | None = None) -> str:
    """:func:`outcome_parts` as one sentence: ``If anti-HMGCR is positive → …; if negative → ….``"""
    parts = outcome_parts(t, reachable, then, leading)
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


#: fields of the assessment that free text may name
_JSON_FIELDS = {"next_tests": "the next tests", "reachable_labels": "the labels still possible",
                "possible_categories": "the categories still possible"}
_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_POLICY_CODE = re.compile(r"\b(eular_rash_free|eular_cutoffs|enmc_weakness_required)=(\w+)")


def words(text: str) -> str:
    """Free text with every code of the vocabulary (labels, finding keys, set ids, policies) in words."""
    text = _POLICY_CODE.sub(lambda m: policy_text(m.group(1), m.group(2)), text)

    def one(m: re.Match[str]) -> str:
        code = m.group(0)
        if code in LABEL_SHORT:
            return LABEL_SHORT[code]
        if code in FINDING_TEXT:
            return FINDING_TEXT[code]
        if code in SET_SHORT:
            return SET_SHORT[code]
        return _JSON_FIELDS.get(code, code)

    return _CODE.sub(one, text)


def warning_text(w: str) -> str:
    """A warning of the assessment in words (the case notes reworded; any code replaced by its name)."""
    return _NOTES.get(w) or words(w)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _range_text(key: str) -> str:
    spec = FIELDS[key]
    unit = f" {spec.unit}" if spec.unit else ""
    lo, hi = spec.minimum, spec.maximum
    if lo is not None and hi is not None:
        return f"must be between {lo:g} and {hi:g}{unit}"
    if lo is not None:
        return f"must be more than {lo:g}{unit}" if spec.exclusive_minimum else f"must be {lo:g}{unit} or more"
    if hi is not None:
        return f"must be {hi:g}{unit} or less"
    return "must be a number"


_CONTRADICTS = re.compile(r"^(true|false) contradicts ck_u_l=(\S+) and ck_uln_u_l=(\S+) \(CK is (above|not above)")


def problem_text(field: str, message: str) -> str:
    """A problem with an entered value, in words, as shown at its field: ``Age must be between 0 and 120 years``."""
    spec = FIELDS.get(field)
    name = _cap(finding_name(field)) if spec else ""
    if spec is None:
        return _cap(words(message))
    if "not a finite number" in message:
        given = message.split(" is not a finite number")[0]
        return f"{name}: {given} is not a finite number ({_range_text(field).replace('must be', 'enter a number')})"
    if "out of range" in message:
        return f"{name} {_range_text(field)}"
    if message.endswith("is not a number"):
        rng = _range_text(field)
        return f"{name}: {message} ({'enter a number' if rng == 'must be a number' else rng.replace('must be', 'enter a number')})"
    if spec.kind == "enum" and "is not allowed" in message:
        return f"{name}: choose {join_or([value_text(field, v) for v in spec.values])}, or leave it unknown"
    if spec.kind == "bool" and "is not allowed" in message:
        # in the form's own words: an antibody is positive, negative or not tested
        return f"{name}: choose {'positive, negative or not tested' if field in ANTIBODIES else 'yes, no or unknown'}"
    m = _CONTRADICTS.match(message)
    if m:
        said = "above normal" if m.group(1) == "true" else "not above normal"
        return (f"CK is entered as {said}, but the CK value {m.group(2)} U/L is {m.group(4)} the upper limit "
                f"{m.group(3)} U/L; change one of them")
    if "biopsy_performed is false" in message:
        return f"{name} is given, but no muscle biopsy was done; answer yes to the biopsy, or leave this finding unknown"
    if field == "age_at_onset_years" and "is later than age_years=" in message:
        onset, age = message.split(" is later than age_years=")
        return f"Age at onset ({onset}) is later than the age now ({age})"
    if field == "statin_withdrawal_outcome" and "statin_exposure is false" in message:
        return "The course after stopping a statin is given, but no statin was taken"
    if field == "biopsy_necrosis_predominant":
        return "Necrosis cannot be predominant when there are no necrotic fibres on the biopsy"
    return f"{name}: {words(message)}".replace(" is false", " is no").replace(" is true", " is yes")


#: beside a leading IMNM subtype, the answer also gives the three subtypes together when they add at least this much to
#: it (a presentation threshold: "anti-SRP IMNM 17%" with IMNM of any subtype at 30% pointed a clinician at a subtype
#: no antibody result supports, a clinician review of session 35)
IMNM_IN_ALL_MARGIN = 0.05


def imnm_share(out: Mapping[str, Any]) -> float:
    """The differential's share of IMNM's three subtypes together (0 without a differential)."""
    return float(sum(d["probability"] for d in out.get("differential") or [] if d["label"] in IMNM_LABELS))


def imnm_in_all(out: Mapping[str, Any]) -> str | None:
    """The words for IMNM's three subtypes together (``"IMNM of any subtype 30%"``), where the criteria leave the label
    open, an IMNM subtype leads the differential, and the three together are at least :data:`IMNM_IN_ALL_MARGIN` more
    likely than it; None otherwise."""
    s = out["summary"]
    if s["label"] != "undetermined" or s["leading_label"] not in IMNM_LABELS or not out.get("differential"):
        return None
    total = imnm_share(out)
    if total - float(s["leading_probability"]) < IMNM_IN_ALL_MARGIN:
        return None
    return f"IMNM of any subtype {share(total)}"


def summary_text(out: Mapping[str, Any]) -> str:
    """The summary sentence of an assessment: the label, or the leading label and what is not settled."""
    s = out["summary"]
    label = s["label"]
    if label == "undetermined":
        decides = [t for t in out["next_tests"] if t["purpose"] == "decides"]
        first = first_steps(out)
        steps = [step_text(t) for t in [*first, *(t for t in decides if not any(t is f for f in first))]][:3]
        more = f" Next: {'; '.join(steps)}." if steps else ""
        lead = s["leading_label"]
        what = "; ".join(not_settled(t) for t in not_settled_tests(decides))
        # the label in full, without the explanation some labels carry after a colon ("no inflammatory myopathy:
        # the criteria are not met, ..."): the share follows the name
        in_all = imnm_in_all(out)
        head = f"Most likely {LABEL_TEXT[lead].split(':')[0]} ({leading_share(s)}{f'; {in_all}' if in_all else ''})"
        caveats = [c for c, on in ((NO_LABEL_LIKELY, no_label_likely(s["leading_probability"])),
                                   (NO_MUSCLE_SIGN, records_no_muscle_sign(out))) if on]
        if caveats:
            head += f", though {' and '.join(caveats)}"
        head += f"; not settled: {what}. " if what else ". "
        return f"{head}{still_possible(out)}{more}"
    if label == "not_iim":
        return ("Not classified as an inflammatory myopathy: the criteria are not met, and no other explanation "
                "was identified.")
    cert = f"{s['certainty']} " if s["certainty"] else ""
    return f"Classified as {cert}{LABEL_TEXT[label]}."


def set_verdict(cs: Mapping[str, Any]) -> tuple[str, str]:
    """A criteria set's badge and category in words, always in agreement: the badge is ``met`` or ``not met``
    when every category still possible is met or not met, ``open`` otherwise; the category names every
    category still possible ("probable PM or possible PM") rather than ``undetermined``."""
    badge = {"met": "met", "not_met": "not met", "undetermined": "open"}[cs["status"]]
    cats = [_CATEGORY_SHORT.get(c, c) for c in cs.get("possible_categories") or [cs["category"]]]
    return badge, join_or(cats) if len(cats) > 1 else cats[0]


def eular_band(e: Mapping[str, Any]) -> str:
    """The named EULAR/ACR band(s) the score, or its range, lies in under the cut-offs in force: ``definite IIM``,
    ``probable or definite IIM``; by the probability (50/55/90%) while the weight set is not known."""
    cut = e.get("cutoffs")
    if cut:
        lo, hi = (e["score"], e["score"]) if e.get("score") is not None else (e["score_min"], e["score_max"])
        marks = (cut["possible"], cut["probable"], cut["definite"])
    else:
        lo, hi = e["probability_min"], e["probability_max"]
        marks = (0.5, 0.55, 0.9)

    def band(x: float) -> int:
        return sum(x >= m for m in marks)

    names = ("not IIM", "possible IIM", "probable IIM", "definite IIM")
    a, b = band(lo), band(hi)
    if a == b:
        return names[a]
    if a == 0:
        return f"{names[0]} to {names[b]}"
    return f"{names[a].split()[0]} to {names[b]}" if b - a > 1 else f"{names[a].split()[0]} or {names[b]}"


#: the labels the EULAR/ACR tree gives only for an onset before 18
_JUVENILE_LABELS = frozenset({"jdm", "juvenile_myositis_other"})


def still_possible(a: Mapping[str, Any]) -> str:
    """The labels still possible under the criteria, in words, with what a muscle biopsy not yet done could
    add: one consistent statement instead of two lists that disagree ("" when the label is settled)."""
    s = a["summary"]
    reach = list(s["reachable_labels"])
    if len(reach) <= 1:
        return ""
    over = "" if s["reachable_labels_exact"] else " (an over-estimate: too many unknowns to be exact)"
    bx = next((t for t in a["next_tests"] if _biopsy_not_done(t) and "reachable_if_true" in t), None)
    text = f"Still possible under the criteria{over}"
    if bx is not None:
        text += ", with no muscle biopsy done"
    named = _listed(reach)
    if any(x in _JUVENILE_LABELS for x in reach) and any(x not in _JUVENILE_LABELS for x in reach):
        # both a juvenile and an adult label: the age at onset is not known, and only an onset before 18 gives these
        named = [f"{n} (only with an onset before 18)" if x in _JUVENILE_LABELS else n for x, n in zip(reach, named,
                                                                                                     strict=True)]
    text += ": " + join_or(named) + "."
    if bx is not None:
        added = _listed(x for x in bx["reachable_if_true"] if x not in reach)
        gone = [_ruled_out_name(x) for x in reach if x not in bx["reachable_if_true"]]
        if added:
            text += " A biopsy could add " + join_or(added)
            text += (", and would rule out " + join_or(gone) + ".") if gone else "."
        lead = biopsy_lead(a)
        if lead:
            text += f" {_cap(lead)}."
    return text


#: said when the criteria leave the label open but no single finding would change or narrow the labels still
#: possible (e.g. an anti-synthetase antibody and one of the clinical features it needs, both unknown)
NO_SINGLE_DECIDER = "No single finding settles the label on its own: it turns on several findings together."

#: how the prefix of a guidance item shown for the likely label ends (:func:`myoclass.reasoning.guidance.guidance_for`)
LIKELY_PREFIX_END = "the criteria leave it open). "


_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "et al.", "cf.")


def _gist(text: str) -> str:
    """The first sentence of a guidance text, with the second when the first is short ("IMNM is possible.")."""
    found: list[str] = re.findall(r".+?[.!?](?=\s|$)", text) or [text]
    sentences: list[str] = []
    for part in found:  # "e.g." and "i.e." end no sentence
        if sentences and sentences[-1].endswith(_ABBREVIATIONS):
            sentences[-1] += part
        else:
            sentences.append(part)
    gist = str(sentences[0]).strip()
    if len(gist) < 60 and len(sentences) > 1:
        gist += " " + sentences[1].strip()
    return gist


def mimic_reason(t: Mapping[str, Any]) -> str | None:
    """Why a ``rules_out`` next test's mimic matters (its ``why`` after "... exists: "), or None when the ``why`` has
    no such reason."""
    _head, sep, reason = str(t.get("why", "")).partition(" exists: ")
    return reason if sep else None


#: a weighed next test expected to take less than this from the differential's entropy (bits) is not one of the
#: first steps (What to do now, the workspace's "Next" line, the CDS card): a presentation threshold, not a clinical one
FIRST_STEP_MIN_BITS = 0.01


def settled_by_words(label: str) -> str:
    """What settles a label, in words: "the criteria", or, for a label no published criteria set defines (statin
    toxic, hereditary, other non-immune: :data:`~myoclass.model.labels.RULE_LABELS`), "myoclass's label rules"."""
    return "myoclass's label rules" if label in RULE_LABELS else "the criteria"


def biopsy_changing_lead(a: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The next test of the assessment ``a`` that is a muscle biopsy not done and would change its leading label
    (once a biopsy is done, its findings still unknown, another label leads: ``leading_if["true"]``), else None."""
    bx: Mapping[str, Any] | None = next((t for t in a["next_tests"] if t["finding"] == "biopsy_performed"), None)
    after = (bx.get("leading_if") or {}).get("true") if bx is not None else None
    if bx is None or not _biopsy_not_done(bx) or not after or after["label"] == a["summary"]["leading_label"]:
        return None
    return bx


def biopsy_lead(a: Mapping[str, Any]) -> str:
    """Where the differential would lead once a muscle biopsy not yet done is done, when that changes the leading
    label (:func:`biopsy_changing_lead`): ``with a muscle biopsy, inclusion body myositis would be the most likely
    (87%)``; "" otherwise. The headline's share is then the one without a biopsy, which cannot give the labels
    only a biopsy classifies."""
    bx = biopsy_changing_lead(a)
    if bx is None:
        return ""
    after = bx["leading_if"]["true"]
    return (f"with a muscle biopsy, {_listed([str(after['label'])])[0]} would be the most likely "
            f"({share(float(after['probability']))})")


#: beside a deciding test, a mimic to rule out whose finding the differential's model makes less likely than this is
#: not named first (a gene panel, <1% likely, had come first for an anti-SRP-positive necrotizing myopathy at >99%,
#: ahead of the examination the criteria wait on: a clinician review of session 35); it stays in the next tests. A
#: presentation threshold, not a clinical one
MIMIC_FIRST_MIN_P = 0.01


def first_steps(a: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The (at most two) next tests every answer names first (What to do now, the workspace's "Next" line, the
    CDS card's summary): the deciding test that settles most, and the most informative of the others (a mimic to
    rule out, or a test that moves the differential, can matter more than a second deciding test: a gene panel
    beside an antibody-negative necrotizing biopsy), in the next tests' order (expected information). Without
    a deciding test, the first two. A weighed test expected to move the differential by less than
    :data:`FIRST_STEP_MIN_BITS` is not named first (anti-HMGCR, <1% likely, beside a known anti-Jo-1 and ILD): it
    stays in the next tests. A muscle biopsy not done comes first whenever doing one would change the leading label
    (:func:`biopsy_changing_lead`): the differential without a biopsy cannot give the labels only a biopsy
    classifies (inclusion body myositis), so its entropy, and the biopsy's expected drop, can be small while the
    biopsy is what the case needs. Beside a deciding test, a mimic under :data:`MIMIC_FIRST_MIN_P` likely is not the
    other one."""
    bx = biopsy_changing_lead(a)
    tests = [t for t in a["next_tests"] if t is not bx and (
        t.get("expected_information") is None or t["expected_information"] >= FIRST_STEP_MIN_BITS)]
    if bx is not None:
        return [bx, *tests[:1]]
    first = next((t for t in tests if t["purpose"] == "decides"), None)
    if first is None:
        return tests[:2]
    # beside a deciding test, a mimic the model makes under MIMIC_FIRST_MIN_P likely is not the other first step
    other = next((t for t in tests if t is not first and not (
        t["purpose"] == "rules_out" and t.get("p_present") is not None and t["p_present"] < MIMIC_FIRST_MIN_P)), None)
    if other is None:
        return [first]
    return [first, other] if tests.index(first) < tests.index(other) else [other, first]


def unverified_tag(g: Mapping[str, Any]) -> str:
    """" [UNVERIFIED]" after a guidance item that rests on a source not checked, else "" (the guidance list and
    What to do now mark it alike)."""
    return " [UNVERIFIED]" if g.get("unverified") else ""


#: a What-to-do-now line for a mimic's test (decision support: a step to consider, not an order)
MIMIC_STEP = "Consider ruling out a mimic: "


def todo(a: Mapping[str, Any], then: Mapping[str, Mapping[str, str]] | None = None) -> list[dict[str, str]]:
    """What to do now, at most three lines: the next tests that decide most, each with what its results would
    do (forward), else the mimics to rule out, then the first guidance items (not the IMNM referral while the
    differential gives IMNM under :data:`IN_THE_DIFFERENTIAL` and the criteria leave it open, nor a cancer-screening
    tier that waits on unknown factors: the guidance list keeps both). Each line is ``{"finding"}``
    (the key to link, or ""), ``{"step"}``, ``{"detail"}``, ``{"likely"}`` (how likely a test's finding is
    under the differential's model, e.g. "positive: 3% likely"; "" where it is not weighed) and ``{"unverified"}``
    (:func:`unverified_tag` of a guidance item's step, "" otherwise: each reader marks it its own way). ``then`` maps a finding
    to the step that would decide next after each of its results (see :func:`outcome_parts`)."""
    reach = list(a["summary"]["reachable_labels"])
    out: list[dict[str, str]] = []
    lead = leading_now(a)
    for g in urgent_guidance(a):  # a safety item comes before any test, in full: what to check now is the point
        out.append({"finding": "", "step": str(g["text"]), "detail": "", "likely": "", "unverified": unverified_tag(g)})
    for t in first_steps(a):
        if t["purpose"] in ("decides", "informs"):
            out.append({"finding": t["finding"], "step": _cap(step_text(t)),
                        "detail": outcome_text(t, reach, (then or {}).get(t["finding"]), lead),
                        "likely": likely_words(t), "unverified": ""})
        else:
            out.append({"finding": t["finding"], "step": MIMIC_STEP + step_text(t),
                        "detail": _cap(mimic_reason(t) or ""), "likely": likely_words(t), "unverified": ""})
    for g in a.get("guidance") or []:
        if len(out) >= 3:
            break
        if g["id"] in URGENT_GUIDANCE:  # already first
            continue
        if str(g["id"]).startswith("undetermined."):  # "the next tests listed ...": the lines above say it
            continue
        if str(g["id"]).startswith("antibody.") and "urgent" not in str(g["text"]).lower():
            continue  # what an antibody is known for: information, not a step (unless it carries urgent advice)
        if g["id"] == "imnm.refer" and not _imnm_worth_a_line(a):
            continue
        if g["id"] == "cancer.screening" and (a.get("cancer_screening") or {}).get("risk") is None:
            continue  # a tier that waits on unknown factors is not a step yet; the guidance list gives it in full
        if g["id"] == "cancer.screening" and a["summary"]["label"] == "undetermined" \
                and a["summary"]["leading_label"] not in ADULT_IIM_BUT_IBM_LABELS:
            continue  # a tier for an IIM the differential does not lead with (IBM or a mimic leads): not a step yet
        text = str(g["text"])
        head, sep, rest = text.partition(LIKELY_PREFIX_END)
        # an item shown for the likely label: its "Likely X (p ...)" prefix, then the gist of the item itself
        if str(g["id"]).startswith("antibody."):  # its urgent advice follows the antibody's profile: in full
            step = text
        else:
            step = f"{head}{LIKELY_PREFIX_END[:-2]}: {_gist(rest)}" if g.get("likely_label") and sep else _gist(text)
        out.append({"finding": "", "step": step, "detail": "", "likely": "", "unverified": unverified_tag(g)})
    if not out:
        decides = next((t for t in a["next_tests"] if t["purpose"] == "decides"), None)
        if decides is not None:  # every deciding test is expected to move little: still the step that decides
            out.append({"finding": decides["finding"], "step": _cap(step_text(decides)),
                        "detail": outcome_text(decides, reach, (then or {}).get(decides["finding"]), lead),
                        "likely": likely_words(decides), "unverified": ""})
        else:
            nothing = NO_SINGLE_DECIDER if a["summary"]["label"] == "undetermined" else \
                "Nothing further is needed to settle the classification."
            out.append({"finding": "", "step": nothing, "detail": "", "likely": "", "unverified": ""})
    return out[:3]


#: guidance items that come first in What to do now, before any test (safety: an acute, very high CK)
URGENT_GUIDANCE = frozenset({"rhabdo.acute"})


def urgent_guidance(a: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The guidance items of ``a`` that come before any test (:data:`URGENT_GUIDANCE`): What to do now and the CDS
    card put them first."""
    return [g for g in a.get("guidance") or [] if g["id"] in URGENT_GUIDANCE]


def urgent_line(a: Mapping[str, Any]) -> str:
    """Above the headline when a safety item applies (:func:`urgent_guidance`): its first sentence, so that the answer
    first is not a differential's label while, say, rhabdomyolysis comes first (a clinician review of session 25).
    "" when none applies."""
    return " ".join(f"First: {_gist(str(g['text']))}" for g in urgent_guidance(a))


#: a label at least this likely in the differential is "in the differential" for the lines that point beyond the
#: classification: the genetic hand-off (:func:`genetic_handoff`) and the IMNM referral among "What to do now"
#: (:func:`todo`). A presentation choice, not a clinical threshold: the guidance list keeps the referral item, with
#: IMNM's share, whenever the criteria leave IMNM possible.
IN_THE_DIFFERENTIAL = 0.05
#: a hereditary myopathy at least this likely in the differential (or still possible under the criteria) makes the
#: report suggest a genetic work-up with a phenopacket
GENETIC_HANDOFF_SHARE = IN_THE_DIFFERENTIAL


def _imnm_worth_a_line(a: Mapping[str, Any]) -> bool:
    """The IMNM referral belongs among "What to do now": the criteria classify an IMNM subtype, or the differential
    gives the three subtypes together at least :data:`IN_THE_DIFFERENTIAL` (an answer without a differential keeps
    it)."""
    if a["summary"]["label"] in IMNM_LABELS or not a.get("differential"):
        return True
    return imnm_share(a) >= IN_THE_DIFFERENTIAL


def genetic_handoff(a: Mapping[str, Any]) -> str | None:
    """The hand-off sentence when a hereditary myopathy is in the differential (at least
    :data:`GENETIC_HANDOFF_SHARE`, or reachable under the criteria) and not the settled label; else None. The same
    words in the text report and on the workspace page."""
    share_of = {d["label"]: d["probability"] for d in a.get("differential", [])}
    reachable = a["summary"].get("reachable_labels", [])
    p = share_of.get("hereditary_myopathy", 0.0)
    if a["summary"]["label"] == "hereditary_myopathy" or (p < GENETIC_HANDOFF_SHARE and "hereditary_myopathy" not in reachable):
        return None
    return (f"A hereditary myopathy is in the differential ({share(p)}): as a GA4GH phenopacket, this case can go to "
            "a genetic ranking tool such as LIRICAL or Exomiser together with the patient's exome or genome.")
