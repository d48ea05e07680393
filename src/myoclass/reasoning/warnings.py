"""The warnings of an assessment, in the clinic's words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from myoclass.criteria import enmc_2017_imnm as imnm
from myoclass.criteria import eular_acr_2017 as eular
from myoclass.criteria.api import category_key
from myoclass.criteria.eular_acr_2017 import ID as EULAR
from myoclass.criteria.eular_acr_2017 import SUBGROUPS
from myoclass.model.case import MUSCLE_SIGN_NOTE
from myoclass.model.fields import ANTIBODIES, FIELDS
from myoclass.reasoning.engine import OUTRANKED_BY_GENOTYPE, Engine
from myoclass.reasoning.text import NO_MUSCLE_SIGN_WARNING, ck_without_uln, label_name, policy_text

__all__ = ["likely_label_unverified", "no_sign_of_a_myopathy", "warnings_for"]

_LABEL_SOURCE = {
    "imnm_anti_hmgcr": "enmc_2017_imnm",
    "imnm_anti_srp": "enmc_2017_imnm",
    "imnm_seronegative": "enmc_2017_imnm",
    "antisynthetase": "connors_2010_ass",
    "jdm": EULAR,
    "juvenile_myositis_other": EULAR,
    "dm": EULAR,
    "adm": EULAR,
    "pm": EULAR,
    "nonspecific_myositis": "enmc_2003_iim",
}


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def _score(e: Mapping[str, Any]) -> str:
    """The EULAR/ACR score, or its range while unknown items could move it."""
    if e["score"] is not None:
        return f"{e['score']:.1f}"
    return f"{e['score_min']:.1f}–{e['score_max']:.1f}"


def _band(e: Mapping[str, Any]) -> str:
    """The named band(s) of the cut-offs in force that the score (or its range) lies in: 'probable IIM',
    'definite IIM', 'probable or definite IIM'."""
    cut = e.get("cutoffs")
    if not cut:
        return "probable or definite IIM"

    def band(x: float) -> str:
        if x >= cut["definite"]:
            return "definite"
        if x >= cut["probable"]:
            return "probable"
        return "possible" if x >= cut["possible"] else "not-IIM"

    lo, hi = (e["score"], e["score"]) if e["score"] is not None else (e["score_min"], e["score_max"])
    a, b = band(lo), band(hi)
    return f"{a} IIM" if a == b else f"{a} or {b} IIM"


def _item_name(label: str) -> str:
    """An item's label as a short name for a list: the paper's words up to the first parenthesis."""
    return label.split(" (", 1)[0].rstrip(".")


@lru_cache(maxsize=256)
def _category_items(eng: Engine, set_id: str, category: str) -> frozenset[str]:
    """Ids of the items of ``set_id`` that its category ``category`` (display text) is defined from."""
    defs = eng.program.defs
    the_set = next(s for s in eng.sets if s.id == set_id)
    items = {it.id for it in the_set.items}
    found = the_set.category_named(category)
    if found is None:
        return frozenset()
    key = the_set.category_key(found.id)
    out: set[str] = set()
    todo, seen = [defs[key]], set()
    while todo:
        e = todo.pop()
        for name in e.refs():
            if name in seen or not name.startswith(set_id + "."):
                continue
            seen.add(name)
            local = name[len(set_id) + 1:]
            if local in items:
                out.add(local)
            else:
                todo.append(defs[name])
    return frozenset(out)


def warnings_for(eng: Engine, v: Mapping[str, Any], vals: Mapping[str, Any], label: str,
                 sets: dict[str, Any]) -> list[str]:
    """What a clinician should know about this result: policies that decided it, disagreements between
    the sets, assay caveats, and unverified items the label rests on. ``v`` holds the evaluated
    definitions, ``vals`` the case's flat values, ``sets`` the per-set output."""
    w: list[str] = []
    e = sets[EULAR]
    bp = sets["bohan_peter_1975"]
    enmc = sets["enmc_2017_imnm"]
    # --- policies that decided ---
    pol = eng.policy
    if e["model"] == "without_biopsy" and e["score"] is not None and round(e["score"] * 10) in (53, 55, 75):
        other = "probability" if pol.eular_cutoffs == "score" else "score"
        w.append(f"EULAR/ACR score {e['score']:.1f} lies where the published score cut-offs and the probability "
                 f"cut-offs disagree (probability {_pct(e['probability'])}). myoclass applies "
                 f"{policy_text('eular_cutoffs', pol.eular_cutoffs)}, which gives '{e['category']}'; the {other} "
                 "cut-offs would give a different category.")
    if v[category_key(EULAR, eular.RASH_FREE_GATE_FAILED)] == 2:
        w.append(f"EULAR/ACR: the score ({_score(e)}) is in the {_band(e)} range, but there is no DM rash and "
                 f"the rash-free biopsy rule in force is not satisfied: "
                 f"{policy_text('eular_rash_free', pol.eular_rash_free)}. So the case is not classified as IIM "
                 "under EULAR/ACR.")
    if pol.enmc_weakness_required and (
            v[category_key(imnm.ID, imnm.POSSIBLE_ANTI_HMGCR)] == 2
            or v[category_key(imnm.ID, imnm.POSSIBLE_ANTI_SRP)] == 2):
        w.append("Possible IMNM with weakness absent: anti-HMGCR/anti-SRP positive with raised CK but no "
                 "proximal weakness recorded. Such patients exist (hyperCKemia or myalgia only; Chow 2024), but "
                 "ENMC 224 lists weakness, so the case is not classified as IMNM (myoclass applies: "
                 f"{policy_text('enmc_weakness_required', True)}).")
    # --- disagreements between sets ---
    if label.startswith("imnm_"):
        named = enmc["category"]
        bp_txt = (f"; under Bohan & Peter (1975) it would have been called {bp['category']}"
                  if bp["status"] == "met" else "")
        if e["subgroup"] == SUBGROUPS["sub_pm"]:
            w.append(f"EULAR/ACR places this case in its PM group, which includes IMNM; ENMC 224: {named}{bp_txt}.")
        elif e["status"] == "not_met":
            w.append(f"EULAR/ACR 2017 does not classify this case as IIM (probability "
                     f"{_pct(e['probability_max'])} at most): anti-HMGCR and anti-SRP carry no points there, and "
                     f"IMNM can fall below its threshold; ENMC 224: {named}{bp_txt}.")
    if label == "ibm" and e["subgroup"] == SUBGROUPS["sub_pm"]:
        w.append("The EULAR/ACR tree places this case in PM, while the ENMC 2011 IBM criteria are met.")
    if bp["status"] == "met" and label in ("ibm", "hereditary_myopathy", "statin_toxic_myopathy", "other_non_immune"):
        w.append(f"Bohan & Peter (1975) would call this {bp['category']}, but the label is {label_name(label)}: the "
                 "older criteria cannot tell it from polymyositis.")
    if label == "imnm_seronegative" and e["status"] != "met":
        w.append("Antibody-negative IMNM falls below the EULAR/ACR threshold here; the weakness pattern "
                 "(neck flexor and leg items) moves such cases across 5.5.")
    # --- a genotype beside an autoimmune picture ---
    if vals["genetic_diagnosis_gene"]:
        also = [label_name(lab) for lab, key in OUTRANKED_BY_GENOTYPE if v[key] == 2]
        if also:
            w.append(f"A genetic diagnosis ({vals['genetic_diagnosis_gene']}) is recorded and the case also meets "
                     f"the criteria for {' and '.join(also)}. myoclass labels a genetically solved myopathy as "
                     "hereditary myopathy (the criteria apply only when there is no better explanation), but an "
                     "autoimmune myositis can coexist with a genetic one: review the variant's classification "
                     "against the antibody result and the rash.")
    # --- assays and antibodies ---
    ck = ck_without_uln(vals)
    if ck:
        w.append(ck)
    if vals["ab_hmgcr"] and vals["ab_srp"]:
        w.append("Both anti-HMGCR and anti-SRP are reported positive, which is very rare; confirm both results. "
                 "The anti-HMGCR subtype is reported by precedence.")
    blot = [ab for ab in ANTIBODIES if vals.get(ab) is True and vals.get(f"{ab}_method") == "line_blot"]
    if blot:
        names = " and ".join(ANTIBODIES[ab] for ab in blot)
        w.append(f"{names} {'was' if len(blot) == 1 else 'were'} positive on a line blot, which gives false "
                 "positives (To et al. 2020, doi:10.1186/s41927-020-00132-9: in 155 patients without an inflammatory "
                 "myopathy or connective-tissue disease, 24 myositis-specific bands, all false positives, 7 of them "
                 "strong). The label and the differential take the result as positive; confirm it with another "
                 "assay (immunoprecipitation, ELISA or IIF) before relying on it.")
    if vals["statin_exposure"] and vals["ab_hmgcr"] and vals["statin_withdrawal_outcome"] == "resolved":
        w.append("Anti-HMGCR is positive, so this is not an ordinary statin intolerance even though symptoms "
                 "resolved after withdrawal (Mammen 2012: 0 of 763 statin users without myopathy were positive).")
    if vals["checkpoint_inhibitor"]:
        w.append("Immune-checkpoint-inhibitor therapy before onset: checkpoint-inhibitor myositis is a distinct "
                 "drug-induced entity (check for myocarditis and myasthenic features); these criteria were not "
                 "built for it.")
    # --- unverified items the label rests on ---
    src = _LABEL_SOURCE.get(label)
    if label == "ibm":
        src = "enmc_2011_ibm" if sets["enmc_2011_ibm"]["status"] == "met" else EULAR
    if src:
        s = sets[src]
        used = _category_items(eng, src, s["category"])
        unv = [_item_name(it["label"]) for it in s["items"] if it["unverified"] and it["id"] in used]
        if src == EULAR:
            unv.append("subclassification tree")
        if unv:
            w.append(f"The label rests on {s['title']} items not verified against the primary paper [R]: "
                     + "; ".join(unv) + ".")
    return w




def likely_label_unverified(sets: Mapping[str, Any], leading: str, share: str) -> str | None:
    """While the criteria leave the label open and the differential makes ``leading`` likely, the unverified [R]
    items of the set that defines it which the case meets: the likely label would rest on them too (a clinician
    review of session 23: a settled antisynthetase syndrome named its unverified Connors items, a >99% likely one
    did not). None when there are none."""
    src = _LABEL_SOURCE.get(leading)
    if leading == "ibm":
        src = "enmc_2011_ibm"
    if not src or src not in sets:
        return None
    s = sets[src]
    unv = [_item_name(it["label"]) for it in s["items"] if it["unverified"] and it["state"] is True]
    if not unv:
        return None
    return (f"The most likely label, {label_name(leading)} ({share}), would rest on {s['title']} items not verified "
            "against the primary paper [R]: " + "; ".join(unv) + ".")


#: the flat keys whose positive value shows that a myopathy or a myositis is suspected: weakness and the muscle symptoms
#: (fatigue alone is not one), the DM skin signs and mechanic's hands, the antibodies, a myopathic EMG, muscle oedema on
#: MRI, a biopsy, and aldolase (the muscle enzyme; LDH, AST and ALT are also the liver's)
MUSCLE_SIGNS: tuple[str, ...] = (
    *(k for k, f in FIELDS.items() if f.kind == "bool" and k != "symptom_fatigue"
      and k.startswith(("weakness_", "symptom_", "skin_", "ab_", "emg_", "biopsy_"))),
    "aldolase_elevated", "mri_muscle_edema")
#: flat keys whose being given at all shows it: a genetic diagnosis of a myopathy, a course after stopping a statin,
#: the response to immunosuppression
_MUSCLE_COURSES = ("genetic_diagnosis_gene", "statin_withdrawal_outcome", "immunosuppression_response")


def no_sign_of_a_myopathy(vals: Mapping[str, Any], ck_raised: bool, notes: Sequence[str] = ()) -> str | None:
    """The warning for a case that records no sign of a myopathy or myositis (:data:`MUSCLE_SIGNS` all false or
    unknown, the CK not known to be raised, none of :data:`_MUSCLE_COURSES` given, and no note of its source's
    recording one that no field holds, :data:`~myoclass.model.case.MUSCLE_SIGN_NOTE`), else None.

    The differential's prior is the patients referred for a suspected myositis or myopathy, so for a patient who is
    not one (a chart or a phenopacket of another disease, read for its few muscle-related items) its figures are
    read against the wrong population. Found on phenopacket-store (``bench/phenopacket_store.py``): a packet of a
    heart or kidney disease with only its arrhythmia or its arthritis read led with antisynthetase syndrome.
    """
    if ck_raised or any(vals.get(k) is True for k in MUSCLE_SIGNS) or any(vals.get(k) for k in _MUSCLE_COURSES):
        return None
    if any(n.startswith(MUSCLE_SIGN_NOTE) for n in notes):
        return None
    return (NO_MUSCLE_SIGN_WARNING + " (no muscle weakness or muscle symptom, raised CK or "
            "aldolase, myopathic EMG, muscle oedema on MRI, muscle biopsy, DM rash or mechanic's hands, or positive "
            "myositis antibody). The differential is built for patients referred for a suspected myositis or "
            "myopathy and assumes this patient is one; for a patient in whom none is suspected its figures say "
            "little. Record the muscle findings, or read the classification only.")
