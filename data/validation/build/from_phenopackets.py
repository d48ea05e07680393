# ruff: noqa: E501
"""Convert selected GA4GH phenopackets (monarch-initiative/phenopacket-store, CC BY 4.0) to flat cases.

Applies the HPO rules of data/validation/RULES.md section 3 mechanically. Input: a directory holding
the phenopacket JSON files as laid out in the repository (notebooks/<GENE>/phenopackets/*.json).
Output: JSON lines on stdout, in the validation-set record shape.
"""
from __future__ import annotations

import glob
import json
import os
import re
import sys

COMMIT = "b694d17ec6fd3bccab8a69235f4e13b0b82b7ae5"
REPO = "monarch-initiative/phenopacket-store"

# Which genes, and how many files per gene (sorted by file name), are taken (RULES.md section 3.1).
SELECTION = {"GAA": None, "HMGCR": None, "CAV3": None, "POGLUT1": None, "MYOT": None, "VCP": None, "HSPB8": 8,
             "COL6A1": None, "DNM2": None}  # COL6A1, DNM2: second pass (RULES.md 3.1a)

# HPO id -> (flat key, value when observed, value when excluded or None = exclusion not mapped)
HPO_MAP: dict[str, tuple[str, object, object]] = {
    "HP:0003236": ("ck_elevated", True, False),       # Elevated circulating creatine kinase concentration
    "HP:0008180": ("ck_elevated", True, None),        # Mildly elevated creatine kinase
    "HP:0031956": ("ast_elevated", True, False),
    "HP:0031964": ("alt_elevated", True, False),
    "HP:0025435": ("ldh_elevated", True, False),
    "HP:0003326": ("symptom_myalgia", True, False),   # Myalgia
    "HP:0003738": ("symptom_myalgia", True, None),    # Exercise-induced myalgia
    "HP:0002015": ("dysphagia", True, False),
    "HP:0012378": ("symptom_fatigue", True, False),
    "HP:0002527": ("symptom_falls", True, False),
    "HP:0003551": ("symptom_difficulty_climbing_stairs", True, False),
    "HP:0030319": ("weakness_ocular_or_facial", True, False),   # Weakness of facial musculature
    "HP:0000508": ("weakness_ocular_or_facial", True, False),   # Ptosis
    "HP:0000597": ("weakness_ocular_or_facial", True, False),   # Ophthalmoparesis
    "HP:0003458": ("emg_myopathic", True, False),
    "HP:0001638": ("cardiac_involvement", True, None),          # Cardiomyopathy
    "HP:0011675": ("cardiac_involvement", True, None),          # Arrhythmia
    "HP:0001626": ("cardiac_involvement", True, False),         # Abnormality of the cardiovascular system
    "HP:0002960": ("ild", True, False),
    # biopsy (any of these also sets biopsy_performed true)
    "HP:0003713": ("biopsy_necrotic_fibers", True, False),      # Muscle fiber necrosis
    "HP:0003805": ("biopsy_rimmed_vacuoles", True, False),
    "HP:0003200": ("biopsy_cox_negative_fibers", True, False),  # Ragged-red muscle fibers
    "HP:0030099": ("biopsy_dystrophic_features", True, None),   # Reduced muscle fiber alpha dystroglycan
}
PROX_UPPER = {"HP:0008997"}
PROX_LOWER = {"HP:0008994"}
PROX_GENERIC = {"HP:0003701", "HP:0003325"}  # Proximal muscle weakness; Limb-girdle muscle weakness
BIOPSY_ONLY = {  # muscle-histology HPO terms that show a biopsy was read but map to no item
    "HP:0003687", "HP:0003557", "HP:0100297", "HP:0003803", "HP:0010602", "HP:0100299", "HP:0003555",
    "HP:0034045", "HP:0031237", "HP:0012240", "HP:0020203", "HP:0003554", "HP:0033685", "HP:0100295",
}
ASYM = {"HP:0012835", "HP:0031969"}


def years(iso: str) -> float | None:
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?", iso)
    if not m:
        return None
    y, mo, d = (int(g) if g else 0 for g in m.groups())
    return round(y + mo / 12 + d / 365.25, 1)


def convert(path: str, rel: str) -> dict:
    p = json.load(open(path))
    flat: dict[str, object] = {}
    ev: dict[str, str] = {}
    sex = p["subject"].get("sex", "").lower()
    if sex in ("female", "male"):
        flat["sex"] = sex
        ev["sex"] = f"subject.sex {p['subject']['sex']}"
    tle = (p["subject"].get("timeAtLastEncounter") or {}).get("age", {}).get("iso8601duration")
    if tle and years(tle) is not None:
        flat["age_years"] = years(tle)
        ev["age_years"] = f"timeAtLastEncounter {tle}"
    dis = p.get("diseases") or [{}]
    onset = (dis[0].get("onset") or {}).get("age", {}).get("iso8601duration")
    if onset and years(onset) is not None:
        flat["age_at_onset_years"] = years(onset)
        ev["age_at_onset_years"] = f"disease onset {onset}"
    genes = set()
    for it in p.get("interpretations", []):
        for gi in it.get("diagnosis", {}).get("genomicInterpretations", []):
            vi = gi.get("variantInterpretation", {})
            if gi.get("interpretationStatus") in ("CAUSATIVE", "CONTRIBUTORY") and vi.get(
                    "acmgPathogenicityClassification") in ("PATHOGENIC", "LIKELY_PATHOGENIC"):
                genes.add(vi["variationDescriptor"]["geneContext"]["symbol"])
    disease = p["interpretations"][0]["diagnosis"]["disease"]
    if len(genes) == 1:
        flat["genetic_diagnosis_gene"] = genes.pop()
        ev["genetic_diagnosis_gene"] = f"interpretation {disease['id']} {disease['label']}; causative variant(s) classified pathogenic/likely pathogenic"
    up = low = False
    biopsy = False
    for t in p.get("phenotypicFeatures", []):
        hid, lab, exc = t["type"]["id"], t["type"]["label"], t.get("excluded", False)
        if hid in ASYM and not exc:
            flat["weakness_asymmetric"] = True
            ev["weakness_asymmetric"] = f"{hid} {lab}"
        if not exc and hid in PROX_UPPER | PROX_GENERIC:
            up = up or f"{hid} {lab}"
        if not exc and hid in PROX_LOWER | PROX_GENERIC:
            low = low or f"{hid} {lab}"
        if hid in BIOPSY_ONLY and not exc:
            biopsy = True
        if hid in HPO_MAP:
            key, vpos, vneg = HPO_MAP[hid]
            val = vneg if exc else vpos
            if val is None:
                continue
            if key.startswith("biopsy_"):
                biopsy = True
            if flat.get(key) is True and val is False:
                continue  # an observed term wins over an excluded sibling term
            flat[key] = val
            ev[key] = f"{hid} {lab}{' (excluded)' if exc else ''}"
    if "weakness_asymmetric" not in flat:
        if up:
            flat["weakness_proximal_upper_symmetric"] = True
            ev["weakness_proximal_upper_symmetric"] = f"{up} (no asymmetry term; rule 3.3)"
        if low:
            flat["weakness_proximal_lower_symmetric"] = True
            ev["weakness_proximal_lower_symmetric"] = f"{low} (no asymmetry term; rule 3.3)"
    if biopsy:
        flat["biopsy_performed"] = True
        ev["biopsy_performed"] = "muscle-histology HPO terms recorded"
    pmid = next(e["id"] for e in p["metaData"]["externalReferences"] if e["id"].startswith("PMID:")).split(":")[1]
    cit = next(e.get("description", "") for e in p["metaData"]["externalReferences"] if e["id"].startswith("PMID:"))
    gene_dir = rel.split("/")[1]
    return {
        "case_id": f"pps-{p['id']}".replace(" ", "_"),
        "reference_label": "hereditary_myopathy",
        "source": {
            "pmid": pmid,
            "doi": None,
            "citation": cit,
            "retrieved_from": f"github:{REPO}@{COMMIT}:{rel}",
            "patient": p["subject"]["id"],
            "licence": "CC BY 4.0 (phenopacket-store, Monarch Initiative / GA4GH phenopacket curators)",
        },
        "final_diagnosis_as_written": f"{disease['label']} ({disease['id']}), {gene_dir}",
        "evidence": ev,
        "flat_case": flat,
    }


def main(root: str) -> None:
    for gene, cap in SELECTION.items():
        files = sorted(glob.glob(os.path.join(root, "notebooks", gene, "phenopackets", "*.json")))
        for f in files[:cap] if cap else files:
            rec = convert(f, os.path.relpath(f, root))
            print(json.dumps(rec, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
