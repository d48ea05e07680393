"""The assessment in words: label names, shares, what is not settled, and the summary sentence."""

from __future__ import annotations

from typing import Any

from myoclass.model.fields import ANTIBODIES, FIELDS

__all__ = ["LABEL_TEXT", "not_settled", "share", "summary_text"]

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
    "hereditary_myopathy": "a hereditary myopathy explains the picture",
    "other_non_immune": "another non-immune cause explains the picture (hypothyroid, drug or toxic myopathy)",
    "not_iim": "criteria for an inflammatory myopathy not met, and no other explanation identified",
    "undetermined": "not yet determined",
}


def share(p: float) -> str:
    """A probability as a whole percentage that never claims 0% or 100% for a share strictly between."""
    pct = round(100 * p)
    if pct >= 100 and p < 1:
        return ">99%"
    if pct <= 0 < p:
        return "<1%"
    return f"{pct}%"


_NOT_SETTLED = {
    "statin_withdrawal_outcome": "course after statin withdrawal not recorded",
    "immunosuppression_response": "response to immunosuppression not recorded",
    "age_at_onset_years": "age at onset not known",
    "ck_u_l": "CK not measured",
    "symptom_duration_months": "symptom duration not known",
    "onset_tempo": "onset tempo not known",
    "genetic_diagnosis_gene": "no genetic result",
}


def not_settled(t: dict[str, Any]) -> str:
    """What a deciding next test still waits for, in the clinic's words ("anti-HMGCR not tested")."""
    key = t["finding"]
    if key in ANTIBODIES:
        return f"{ANTIBODIES[key]} not tested"
    if key == "biopsy_performed":
        return "no muscle biopsy yet" if t.get("p_present") is None else "biopsy status not known"
    if key in _NOT_SETTLED:
        return _NOT_SETTLED[key]
    spec = FIELDS.get(key)
    return f"{spec.description if spec else key.replace('_', ' ')} not known"


def summary_text(out: dict[str, Any]) -> str:
    """The summary sentence of an assessment: the label, or the leading label and what is not settled."""
    s = out["summary"]
    label = s["label"]
    if label == "undetermined":
        opts = ", ".join(s["reachable_labels"])
        decides = [t for t in out["next_tests"] if t["purpose"] == "decides"]
        tests = [t["finding"] for t in decides][:3]
        more = f" The next findings that would settle it: {', '.join(tests)}." if tests else ""
        lead = s["leading_label"]
        what = "; ".join(not_settled(t) for t in decides[:2])
        head = f"Most likely {LABEL_TEXT[lead]} ({share(s['leading_probability'])})"
        head += f"; not settled: {what}. " if what else ". "
        return f"{head}Not yet determined: the known findings are compatible with {opts}.{more}"
    cert = f"{s['certainty']} " if s["certainty"] else ""
    return f"Classified as {cert}{LABEL_TEXT[label]} ({label})."
