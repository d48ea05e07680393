"""Synthetic flat cases for benchmarks and tests: a registry-like cohort with realistic gaps.

NOT clinical data and not a model of any real registry. Each case draws an underlying picture
(anti-HMGCR IMNM, DM, IBM, a dystrophy, ...) with rough prevalences, draws findings typical of
it, then hides findings the way registries miss them: a line-blot antibody panel is usually done
but anti-HMGCR often is not, a biopsy in about two thirds, thyroid and drug history patchily.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

__all__ = ["PICTURES", "synthetic_case", "synthetic_cases", "thin_cases"]

# picture: (weight, {finding: probability present}); unspecified booleans are present with 3 %
PICTURES: dict[str, tuple[float, dict[str, float]]] = {
    "imnm_anti_hmgcr": (8, {"ab_hmgcr": 1, "prox": 0.93, "neck": 0.5, "legs": 0.6, "ck_hi": 1, "dysphagia": 0.25,
                            "statin_exposure": 0.55, "necrosis": 0.9, "myalgia": 0.5, "emg": 0.8, "mri": 0.7}),
    "imnm_anti_srp": (5, {"ab_srp": 1, "prox": 0.97, "neck": 0.6, "legs": 0.6, "ck_hi": 1, "dysphagia": 0.4,
                          "ild": 0.2, "cardiac_involvement": 0.15, "necrosis": 0.9, "emg": 0.8, "mri": 0.7}),
    "imnm_seronegative": (4, {"prox": 0.95, "neck": 0.5, "legs": 0.6, "ck_hi": 1, "necrosis": 0.95, "cancer": 0.2,
                              "emg": 0.8, "mri": 0.6}),
    "dm": (20, {"rash": 0.95, "prox": 0.85, "neck": 0.4, "ck_mid": 0.8, "dysphagia": 0.2, "ab_tif1g": 0.2,
                "ab_mi2": 0.2, "ab_nxp2": 0.15, "ab_mda5": 0.08, "ab_sae": 0.05, "perifascicular": 0.5,
                "perimysial": 0.6, "cancer": 0.15, "emg": 0.7, "mri": 0.6}),
    "adm": (3, {"rash": 1, "ab_mda5": 0.5, "ild": 0.4, "skin_ulceration": 0.3}),
    "jdm": (5, {"child": 1, "rash": 1, "prox": 0.8, "ck_mid": 0.7, "ab_nxp2": 0.25, "ab_tif1g": 0.25}),
    "juvenile_other": (1, {"child": 1, "prox": 0.9, "ck_mid": 0.8, "endomysial": 0.5}),
    "ibm": (12, {"old": 1, "long": 1, "ff": 0.85, "ke": 0.8, "asym": 0.6, "ck_mild": 1, "dysphagia": 0.4,
                 "rimmed": 0.8, "protein": 0.6, "endomysial": 0.8, "invasion": 0.6, "mhc1": 0.8, "ab_cn1a": 0.35,
                 "no_response": 0.9, "emg": 0.8}),
    "antisynthetase": (15, {"ab_jo1": 0.6, "ab_pl7": 0.15, "ab_pl12": 0.15, "ab_ej": 0.05, "ab_oj": 0.05, "ild": 0.8,
                            "arthritis": 0.5, "raynaud": 0.4, "skin_mechanics_hands": 0.35, "fever": 0.25,
                            "prox": 0.6, "ck_mid": 0.7, "ab_ro52": 0.5, "perimysial": 0.5}),
    "pm": (5, {"prox": 0.95, "neck": 0.4, "legs": 0.5, "ck_mid": 1, "endomysial": 0.6, "invasion": 0.4,
               "perimysial": 0.5, "mhc1": 0.8, "emg": 0.8}),
    "dystrophy": (6, {"young": 1, "long": 1, "prox": 0.7, "legs": 0.6, "ck_hi": 1, "necrosis": 0.6,
                      "inflamed": 0.4, "gene": 0.6, "dystrophic": 0.5, "family_history_myopathy": 0.3,
                      "no_response": 0.8}),
    "statin_toxic": (4, {"old": 1, "statin_exposure": 1, "resolved": 1, "myalgia": 0.8, "prox": 0.3, "ck_mid": 0.8}),
    "hypothyroid": (2, {"hypothyroidism": 1, "prox": 0.6, "ck_mid": 0.8, "myalgia": 0.6}),
    "not_myositis": (10, {"myalgia": 0.5, "fatigue": 0.7, "ck_mild": 0.3}),
}

_ARS = ("ab_jo1", "ab_pl7", "ab_pl12", "ab_ej", "ab_oj", "ab_ks", "ab_zo", "ab_ha")
_PANEL = (*_ARS[:5], "ab_srp", "ab_mi2", "ab_mda5", "ab_tif1g", "ab_nxp2", "ab_sae", "ab_ro52", "ab_pmscl", "ab_ku")
_BIOPSY = {"necrosis": ("biopsy_necrotic_fibers", "biopsy_necrosis_predominant", "biopsy_regenerating_fibers"),
           "endomysial": ("biopsy_endomysial_infiltrate_non_invading", "biopsy_lymphocytic_infiltrate_prominent"),
           "invasion": ("biopsy_invasion_non_necrotic_fibers", "biopsy_lymphocytic_infiltrate_prominent"),
           "perimysial": ("biopsy_perimysial_perivascular_infiltrate",),
           "perifascicular": ("biopsy_perifascicular_atrophy",), "rimmed": ("biopsy_rimmed_vacuoles",),
           "protein": ("biopsy_protein_accumulation",), "mhc1": ("biopsy_mhc1_upregulation",),
           "inflamed": ("biopsy_lymphocytic_infiltrate_prominent", "biopsy_perimysial_perivascular_infiltrate"),
           "dystrophic": ("biopsy_dystrophic_features",)}
_BOOL_PLAIN = ("dysphagia", "ild", "arthritis", "raynaud", "fever", "cardiac_involvement", "cancer", "weight_loss",
               "skin_ulceration", "skin_mechanics_hands", "family_history_myopathy", "hypothyroidism",
               "other_myotoxic_drug", "checkpoint_inhibitor", "statin_exposure", "emg_myopathic",
               "emg_spontaneous_activity", "mri_muscle_edema", "aldolase_elevated", "ldh_elevated",
               "ast_elevated", "alt_elevated")
# probability that a finding of each group is documented
_KNOWN = {"exam": 0.9, "skin": 0.9, "panel": 0.85, "hmgcr": 0.5, "rare_ab": 0.3, "emg": 0.6, "mri": 0.4,
          "biopsy_done_known": 0.9, "biopsy_done": 0.65, "biopsy_item": 0.8, "history": 0.7, "extra": 0.8,
          "enzymes": 0.7, "ck": 0.95, "uln": 0.9}
_GENES = ("DYSF", "CAPN3", "FKRP", "ANO5", "DMD", "GAA")


def synthetic_case(rng: random.Random, case_id: str) -> dict[str, Any]:
    """One registry-like flat case (valid under the data dictionary)."""
    names = list(PICTURES)
    pic = rng.choices(names, weights=[PICTURES[n][0] for n in names])[0]
    p = PICTURES[pic][1]

    def has(k: str) -> bool:
        return rng.random() < p.get(k, 0.03)

    def known(group: str) -> bool:
        return rng.random() < _KNOWN[group]

    c: dict[str, Any] = {"case_id": case_id, "sex": rng.choice(["female", "male"])}
    onset = (rng.uniform(3, 17) if "child" in p else rng.uniform(46, 80) if "old" in p
             else rng.uniform(15, 35) if "young" in p else rng.uniform(20, 80))
    duration = rng.uniform(13, 120) if "long" in p else rng.uniform(1, 24)
    c["age_at_onset_years"] = round(onset, 1) if rng.random() < 0.95 else None
    c["age_years"] = round(min(120.0, onset + duration / 12), 1)
    c["symptom_duration_months"] = round(duration, 1) if known("history") else None
    c["onset_tempo"] = (rng.choice(["subacute", "insidious"]) if known("history") else None)
    prox = has("prox")
    c["weakness_proximal_upper_symmetric"] = prox and rng.random() < 0.9
    c["weakness_proximal_lower_symmetric"] = prox
    c["weakness_neck_flexor_gt_extensor"] = has("neck")
    c["weakness_legs_proximal_gt_distal"] = has("legs") or (prox and rng.random() < 0.5)
    c["weakness_finger_flexor_gt_shoulder_abductor"] = has("ff")
    c["weakness_knee_extensor_ge_hip_flexor"] = has("ke")
    c["weakness_asymmetric"] = has("asym")
    c["weakness_distal_predominant"] = False
    c["weakness_neck_extensor_gt_flexor"] = False
    c["weakness_ocular_or_facial"] = False
    for k in list(c):
        if k.startswith("weakness_") and not known("exam"):
            c[k] = None
    rash = has("rash")
    for k in ("skin_heliotrope", "skin_gottron_papules", "skin_gottron_sign", "skin_other_dm_rash"):
        c[k] = (rash and rng.random() < 0.6) if known("skin") else None
    c["symptom_myalgia"] = has("myalgia")
    c["symptom_fatigue"] = has("fatigue") or prox
    c["symptom_difficulty_climbing_stairs"] = prox
    uln = rng.choice([170.0, 190.0, 200.0, 308.0])
    ratio = (rng.uniform(12, 80) if "ck_hi" in p else rng.uniform(2, 14) if "ck_mid" in p
             else rng.uniform(1.1, 6) if "ck_mild" in p and has("ck_mild") else rng.uniform(0.3, 0.95))
    if known("ck"):
        c["ck_u_l"] = round(ratio * uln)
        if known("uln"):
            c["ck_uln_u_l"] = uln
        else:
            c["ck_elevated"] = ratio > 1
    for k in _BOOL_PLAIN:
        c[k] = has(k)
    c["emg_myopathic"] = has("emg") if known("emg") else None
    c["emg_spontaneous_activity"] = (has("emg") and rng.random() < 0.7) if c["emg_myopathic"] is not None else None
    c["mri_muscle_edema"] = has("mri") if known("mri") else None
    for k in ("ldh_elevated", "ast_elevated", "alt_elevated", "aldolase_elevated"):
        c[k] = (ratio > 1.5 and rng.random() < 0.8) if known("enzymes") else None
    for k in ("ild", "arthritis", "raynaud", "fever", "cardiac_involvement", "cancer", "weight_loss",
              "skin_ulceration", "skin_mechanics_hands"):
        c[k] = has(k) if known("extra") else None
    for k in ("family_history_myopathy", "hypothyroidism", "other_myotoxic_drug", "checkpoint_inhibitor",
              "statin_exposure"):
        c[k] = has(k) if known("history") else None
    if c["statin_exposure"] and rng.random() < 0.5:
        c["statin_withdrawal_outcome"] = "resolved" if "resolved" in p else "persisted"
    if rng.random() < 0.5 and pic not in ("not_myositis", "statin_toxic"):
        c["immunosuppression_response"] = "no_response" if has("no_response") else "improved"
    if "gene" in p and has("gene"):
        c["genetic_diagnosis_gene"] = rng.choice(_GENES)
    # antibodies
    panel = known("panel")
    for k in _PANEL:
        c[k] = has(k) if panel else None
    c["ab_hmgcr"] = has("ab_hmgcr") if known("hmgcr") else None
    for k in ("ab_ks", "ab_zo", "ab_ha", "ab_cn1a", "ab_u1rnp"):
        c[k] = has(k) if known("rare_ab") else None
    # biopsy
    if known("biopsy_done_known"):
        done = known("biopsy_done")
        c["biopsy_performed"] = done
        if done:
            items = {v for k, vs in _BIOPSY.items() for v in vs}
            for it in sorted(items):
                c[it] = False
            for k, vs in _BIOPSY.items():
                if has(k):
                    for it in vs:
                        c[it] = True
            for it in sorted(items):
                if not known("biopsy_item"):
                    c[it] = None
            if c.get("biopsy_necrotic_fibers") is False and c.get("biopsy_necrosis_predominant"):
                c["biopsy_necrotic_fibers"] = True
    return {k: v for k, v in c.items() if v is not None}


def synthetic_cases(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """``n`` registry-like flat cases, reproducible for a given seed."""
    rng = random.Random(seed)
    for i in range(n):
        yield synthetic_case(rng, f"synthetic-{i}")


def thin_cases(bases: list[dict[str, Any]], n: int, seed: int, keep: tuple[float, float] = (0.3, 0.8),
               distinct: bool = True) -> list[dict[str, Any]]:
    """``n`` thin versions of the flat cases ``bases`` (e.g. published cases): each draws a base and keeps
    each of its known findings with one probability drawn from ``keep``; only valid flat cases are kept,
    with ``case_id`` ``thin-<i>``.

    With ``distinct``, no two rows are equal: a small base has few distinct thin versions, so once 50
    draws in a row from it give rows already made it leaves the pool and the larger bases fill the rest
    (fewer than ``n`` rows come back only when every base is spent)."""
    from json import dumps

    from myoclass.model.case import InvalidCase, parse_case

    rng = random.Random(seed)
    plain = [{k: v for k, v in b.items() if k != "case_id"} for b in bases]
    pool = list(range(len(plain)))
    misses = [0] * len(plain)
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    while len(out) < n and pool:
        j = rng.randrange(len(pool))
        b = pool[j]
        p = rng.uniform(*keep)
        case: dict[str, Any] = {k: v for k, v in plain[b].items() if rng.random() < p}
        if distinct:
            key = dumps(case, sort_keys=True)
            if key in seen:
                misses[b] += 1
                if misses[b] >= 50:
                    pool[j] = pool[-1]
                    pool.pop()
                continue
            seen.add(key)
            misses[b] = 0
        try:
            parse_case(case)
        except InvalidCase:
            continue
        case["case_id"] = f"thin-{len(out)}"
        out.append(case)
    return out
