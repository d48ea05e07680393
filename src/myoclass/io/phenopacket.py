"""GA4GH Phenopackets v2 ↔ the flat case, and an assessment as a Phenopacket for hand-off.

Reading (:func:`read_phenopacket`): the packet is parsed with the official ``phenopackets`` bindings (the optional
``phenopackets`` extra: ``pip install 'myoclass[phenopackets]'``), then read element by element:

- ``phenotypicFeatures`` (and each biosample's): HPO terms through the one table of :mod:`myoclass.io.hpo`, following
  the ontology (a descendant counts for its row, an excluded ancestor excludes); an HPO onset-tempo modifier (Acute,
  Subacute, Insidious onset) gives ``onset_tempo``;
- ``subject``: ``sex``; ``timeAtLastEncounter`` → ``age_years``; the earliest onset of a disease or an observed feature
  (ISO 8601 ages such as ``P45Y``; congenital, antenatal and neonatal onset as 0) → ``age_at_onset_years``;
- ``measurements`` (and each biosample's): LOINC CK ``2157-6`` with its reference range → ``ck_u_l``, ``ck_uln_u_l``
  (of several, the highest relative to its upper limit of normal, as the FHIR reader takes it:
  :func:`myoclass.io.reading.the_ck_that_counts`);
  the antibodies, LDH, AST, ALT and aldolase by the LOINC codes of :mod:`myoclass.io.fhir.codes` (positive/negative
  answers, or a quantity above the reference range);
- ``medicalActions``: statins, checkpoint inhibitors and other myotoxic drugs by the drug table of
  :mod:`myoclass.io.fhir.codes` (ATC classes, RxNorm ingredients, ingredient names); a drug counts as taken before onset
  unless its dose intervals start after the onset;
- ``interpretations``: a solved (or completed) interpretation with a causative pathogenic or likely pathogenic variant
  (or a causative gene) → ``genetic_diagnosis_gene`` (the HGNC symbol), when the diagnosis named is a disease of
  skeletal muscle (:func:`names_a_muscle_disease`; a neuropathy's or an epilepsy's gene is listed as unmapped, with a
  warning) or no disease is named;
- ``biosamples``: a skeletal-muscle sample (or any biosample finding of the biopsy table) → ``biopsy_performed``.

Every field read names the elements it came from; everything not read is listed in ``unmapped``; a general term where a
specific one is needed, conflicting evidence and unusable ages are ``warnings``.

Writing: :func:`case_to_phenopacket` writes a flat case (HPO features, LOINC measurements, a statin as ATC ``C10AA``, the
gene as a genomic interpretation); a field that standard terms cannot carry (a comparative weakness, a ``false`` drug
exposure, an enumeration) is written with myoclass's own prefix ``MYOCLASS:`` (``MYOCLASS:statin_exposure``, declared in
``metaData.resources``), which other tools ignore and :func:`read_phenopacket` reads back, so a round trip loses nothing.
:func:`assessment_phenopacket` adds the strict label and the differential as interpretations with their MONDO terms.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from myoclass.errors import InvalidCase, MissingExtra, Problem
from myoclass.io import hpo as H
from myoclass.io.fhir import codes as C
from myoclass.io.label_codes import codes_for
from myoclass.io.reading import Choice, Unmapped, names_a_muscle_disease, the_ck_that_counts
from myoclass.model.case import parse_case
from myoclass.model.ck import CK_ULN_CEILING_U_L, ages_of, ceiling_applies
from myoclass.model.fields import ANTIBODIES, ASSAY_METHODS, FIELDS, GENE_SYMBOL
from myoclass.model.labels import LABELS, UNDETERMINED

__all__ = [
    "MYOCLASS_PREFIX",
    "SCHEMA_VERSION",
    "ZERO_ONSET",
    "Choice",
    "MissingExtra",
    "PhenopacketReading",
    "Unmapped",
    "assessment_phenopacket",
    "case_to_phenopacket",
    "is_phenopacket",
    "parse_phenopacket",
    "read_phenopacket",
]

#: the CURIE prefix of myoclass's own terms (one per flat-case key; a value of an enumeration is ``MYOCLASS:<value>``)
MYOCLASS_PREFIX = "MYOCLASS"
#: the Phenopacket schema version written
SCHEMA_VERSION = "2.0"
_MYOPATHY = ("HP:0003198", "Myopathy")  # the feature that carries the myopathy's onset and onset tempo when written
_TEMPO = {"HP:0011009": ("acute", "Acute"), "HP:0011011": ("subacute", "Subacute"),
          "HP:0003587": ("insidious", "Insidious onset")}
#: the HPO onset classes that fix the age at onset, in whole years, at 0: before birth (Antenatal onset and its
#: descendants in the HPO release shipped, hp/releases/2025-01-16), at birth, in the first 28 days, and Infantile
#: onset ("between 28 days to one year of life": the first year, 0 in whole years, as the flat case counts ages).
#: Later classes (Childhood onset, 1 to 5 years, and after) span more than one year and are not read as an age
ZERO_ONSET = {"HP:0030674": "Antenatal onset", "HP:0011460": "Embryonal onset", "HP:0011461": "Fetal onset",
              "HP:0034199": "Late first trimester onset", "HP:0034198": "Second trimester onset",
              "HP:0034197": "Third trimester onset", "HP:0003577": "Congenital onset", "HP:0003623": "Neonatal onset",
              "HP:0003593": "Infantile onset"}
_SEX_IN = {"FEMALE": "female", "MALE": "male", "OTHER_SEX": "other"}
_SEX_OUT = {v: k for k, v in _SEX_IN.items()}
#: skeletal muscle samples (UBERON): a biosample of one of these means a muscle biopsy was taken
_MUSCLE_TISSUE = {"UBERON:0001134": "skeletal muscle tissue", "UBERON:0014892": "skeletal muscle organ, vertebrate",
                  "UBERON:0002385": "muscle tissue"}
_POSITIVE = {"LA6576-8", "10828004", "LA11882-0", "C25246"}  # LOINC answer Positive / SNOMED Positive / Detected / NCIT
_NEGATIVE = {"LA6577-6", "260385009", "LA11883-8", "C38757"}
_UCUM_UL = {"U/L", "IU/L", "U/l", "IU/l", "[IU]/L", "UCUM:U/L", "UCUM:[IU]/L"}
_LOINC_POS = ("LOINC:LA6576-8", "Positive")
_LOINC_NEG = ("LOINC:LA6577-6", "Negative")
_MAX_ITEMS = 5000




def _bindings() -> tuple[Any, Any]:
    try:
        from google.protobuf import json_format
        from phenopackets.schema.v2 import Phenopacket
    except ImportError as e:
        raise MissingExtra("reading or writing GA4GH Phenopackets needs the optional 'phenopackets' extra: "
                           "pip install 'myoclass[phenopackets]' (the phenopackets bindings with protobuf < 7)") from e
    return json_format, Phenopacket


# --- what a reading gives ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhenopacketReading:
    case: dict[str, Any]
    choices: tuple[Choice, ...]
    unmapped: tuple[Unmapped, ...]
    warnings: tuple[str, ...]
    hpo_version: str
    packet_id: str | None = None
    #: observed terms showing a suspected muscle disease that set no field (:attr:`myoclass.io.hpo.TermReading.muscle_signs`)
    muscle_signs: tuple[str, ...] = ()

    def sources(self) -> list[str]:
        """Every element that contributed to the case, in first-seen order."""
        seen: dict[str, None] = {}
        for c in self.choices:
            for s in c.sources:
                seen.setdefault(s.split(" (", 1)[0], None)
        return list(seen)


# --- detection and parsing -----------------------------------------------------------------------------------------
_PACKET_KEYS = {"phenotypicFeatures", "phenotypic_features", "interpretations", "diseases", "measurements", "biosamples",
                "medicalActions", "medical_actions"}


def is_phenopacket(doc: object) -> bool:
    """Whether ``doc`` is a Phenopacket v2 JSON object: a ``metaData`` object (with ``phenopacketSchemaVersion``), or a
    ``subject`` object beside phenopacket elements. A FHIR resource (``resourceType``) or a flat case (keys of the data
    dictionary) is not one."""
    if not isinstance(doc, Mapping) or "resourceType" in doc:
        return False
    if any(isinstance(k, str) and k in FIELDS and k != "case_id" for k in doc):
        return False
    meta = doc.get("metaData", doc.get("meta_data"))
    if isinstance(meta, Mapping) and ("phenopacketSchemaVersion" in meta or "phenopacket_schema_version" in meta):
        return True
    return isinstance(doc.get("subject"), Mapping) and any(k in doc for k in _PACKET_KEYS)


def parse_phenopacket(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``doc`` with the official bindings (``json_format.ParseDict`` into ``phenopackets.schema.v2.Phenopacket``)
    and give it back as the bindings write it (camelCase, defaults left out). Raises :class:`InvalidCase` naming the
    problem when it does not parse, :class:`MissingExtra` without the extra."""
    json_format, phenopacket = _bindings()
    try:
        msg = json_format.ParseDict(doc, phenopacket(), ignore_unknown_fields=False)
    except (json_format.ParseError, TypeError, ValueError) as e:
        raise InvalidCase([Problem("(phenopacket)", f"not a valid GA4GH Phenopacket v2: {e}")]) from None
    out: dict[str, Any] = json_format.MessageToDict(msg)
    return out


# --- small readers -------------------------------------------------------------------------------------------------
_DURATION = re.compile(r"^P(?!$)(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?"
                       r"(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$")


def iso_years(text: str) -> float | None:
    """An ISO 8601 duration (``P45Y``, ``P3Y6M``, ``P10D``, ``P52.5Y``) in years, or None when it is not one."""
    m = _DURATION.match(text.strip().upper()) if isinstance(text, str) else None
    if not m:
        return None
    y, mo, w, d, h, mi, s = (float(g.replace(",", ".")) if g else 0.0 for g in m.groups())
    days = w * 7 + d + h / 24 + mi / 1440 + s / 86400
    return y + mo / 12 + days / 365.25


def years_iso(years: float) -> str:
    """Years as an ISO 8601 duration: ``P45Y`` for whole years, ``P52.5Y`` (a decimal fraction) otherwise, exact."""
    if float(years).is_integer():
        return f"P{int(years)}Y"
    return f"P{format(Decimal(repr(float(years))), 'f')}Y"  # the shortest exact decimal, never an exponent


def _obj(x: Any) -> dict[str, Any]:
    return dict(x) if isinstance(x, Mapping) else {}


def _term(x: Any) -> tuple[str, str]:
    if isinstance(x, Mapping):
        return str(x.get("id", "")), str(x.get("label", ""))
    return "", ""


def _list(x: Any) -> list[Any]:
    return list(x[:_MAX_ITEMS]) if isinstance(x, list) else []


def _timestamp(text: Any) -> _dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        t = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=_dt.UTC)


class _Builder:
    """Collects values per field with their sources; conflicting values leave the field unknown."""

    def __init__(self) -> None:
        self.values: dict[str, list[tuple[object, str, str]]] = {}
        self.unmapped: list[Unmapped] = []
        self.warnings: list[str] = []
        self.conflicted: set[str] = set()

    def put(self, field: str, value: object, source: str, note: str = "") -> None:
        self.values.setdefault(field, []).append((value, source, note))

    def first_values(self) -> dict[str, object]:
        """The first value given for each field so far (as read, before conflicts are settled)."""
        return {f: vals[0][0] for f, vals in self.values.items() if vals}

    def choices(self) -> list[Choice]:
        out: list[Choice] = []
        for f in [k for k in FIELDS if k in self.values]:
            vals = self.values[f]
            distinct = list(dict.fromkeys(v for v, _s, _n in vals if v is not None))
            sources = tuple(dict.fromkeys(s for _v, s, _n in vals))
            notes = "; ".join(dict.fromkeys(n for _v, _s, n in vals if n))
            if len(distinct) > 1:
                if FIELDS[f].kind == "number" and f != "ck_uln_u_l":
                    out.append(Choice(f, max(float(x) for x in distinct if isinstance(x, int | float)), sources,
                                      (notes + "; " if notes else "") + "the highest value"))
                    continue
                self.warnings.append(f"{f}: left unknown, the packet gives {', '.join(map(str, distinct))} "
                                     f"({'; '.join(sources)})")
                out.append(Choice(f, None, sources, (notes + "; " if notes else "") + "conflicting values; left unknown",
                                  True))
            else:
                conflict = f in self.conflicted
                out.append(Choice(f, None if conflict or not distinct else distinct[0], sources, notes, conflict))
        return out


# --- reading -------------------------------------------------------------------------------------------------------
def read_phenopacket(doc: object) -> PhenopacketReading:
    """A Phenopacket v2 (a decoded JSON object) as a flat case, with what was read from where, what was not read, and
    warnings. Raises :class:`InvalidCase` when it is not a valid Phenopacket, :class:`MissingExtra` without the
    ``phenopackets`` extra. The case is not validated here: :func:`myoclass.model.case.parse_case` does that."""
    if not isinstance(doc, Mapping):
        raise InvalidCase([Problem("(phenopacket)", f"expected a JSON object, got {type(doc).__name__}")])
    p = parse_phenopacket(doc)
    hpo = H.closure()
    b = _Builder()
    subject = _obj(p.get("subject"))
    packet_id = p.get("id") if isinstance(p.get("id"), str) and p.get("id") else None
    if packet_id:
        b.put("case_id", packet_id, "id")
    elif isinstance(subject.get("id"), str) and subject["id"]:
        b.put("case_id", subject["id"], "subject.id")
    sex = subject.get("sex")
    if sex in _SEX_IN:
        b.put("sex", _SEX_IN[sex], "subject.sex")
    dob = _timestamp(subject.get("dateOfBirth"))

    def age_of(te: Any, where: str) -> float | None:
        if not isinstance(te, Mapping):
            return None
        age = te.get("age")
        if isinstance(age, Mapping) and isinstance(age.get("iso8601duration"), str):
            y = iso_years(age["iso8601duration"])
            if y is None:
                b.warnings.append(f"{where}: {age['iso8601duration']!r} is not an ISO 8601 duration; not read")
            return y
        oc = te.get("ontologyClass")
        if isinstance(oc, Mapping):
            if oc.get("id") in ZERO_ONSET:
                return 0.0
            b.warnings.append(f"{where}: onset given only as the age class {oc.get('id')} {oc.get('label', '')!r}; "
                              "no single age read from it")
            return None
        ts = _timestamp(te.get("timestamp"))
        if ts is not None and dob is not None:
            return (ts - dob).days / 365.25
        if te:
            b.warnings.append(f"{where}: the time is not an age (ISO 8601), an onset class or a timestamp with a date "
                              "of birth; not read")
        return None

    # subject's age
    age_now = age_of(subject.get("timeAtLastEncounter"), "subject.timeAtLastEncounter")
    onsets: list[tuple[float, str]] = []

    # phenotypic features (the subject's and each biosample's)
    observations: list[H.TermObservation] = []
    tempo: list[tuple[str, str]] = []
    myoclass_terms: list[tuple[str, bool, list[str], str]] = []
    feature_lists: list[tuple[str, list[Any]]] = [("phenotypicFeatures", _list(p.get("phenotypicFeatures")))]
    biosample_where: set[str] = set()
    for j, bs in enumerate(_list(p.get("biosamples"))):
        if isinstance(bs, Mapping):
            feature_lists.append((f"biosamples[{j}].phenotypicFeatures", _list(bs.get("phenotypicFeatures"))))
    for base, feats in feature_lists:
        for i, feat in enumerate(feats):
            where = f"{base}[{i}]"
            if base != "phenotypicFeatures":
                biosample_where.add(where)
            if not isinstance(feat, Mapping):
                continue
            tid, label = _term(feat.get("type"))
            excluded = bool(feat.get("excluded", False))
            if tid.upper().startswith(MYOCLASS_PREFIX + ":"):
                mods = [_term(m)[0] for m in _list(feat.get("modifiers"))]
                myoclass_terms.append((tid.split(":", 1)[1], excluded, mods, where))
                continue
            if not excluded:
                y = age_of(feat.get("onset"), f"{where}.onset")
                if y is not None:
                    onsets.append((y, f"{where}.onset"))
                for m in _list(feat.get("modifiers")):
                    mid, _ml = _term(m)
                    if mid in _TEMPO:
                        tempo.append((_TEMPO[mid][0], f"{where}.modifiers ({mid})"))
            if tid == _MYOPATHY[0] and not excluded:
                continue  # the myopathy itself: it carries the onset and the tempo, and is the case's subject
            observations.append(H.TermObservation(tid, excluded, where, label or None))
    reading = H.read_terms(observations, hpo)
    histology = _histology_terms(observations, hpo)
    for f in reading.findings:
        if f.conflict:
            b.conflicted.add(f.field)
        for s in f.sources:
            b.put(f.field, f.value, s, f.note)
        if f.field in FIELDS and FIELDS[f.field].group == "biopsy" and f.value is not None:
            for s in f.sources:
                # a biopsy item present, or looked for on the biopsy and absent, says a biopsy was done; an item absent
                # only because a broad term was excluded ("Abnormality of the musculature") does not
                if f.value or s.split(" (", 1)[0] in histology:
                    b.put("biopsy_performed", True, s, "a biopsy finding is given")
    b.warnings.extend(reading.warnings)
    b.unmapped.extend(reading.unmapped)
    for value, src in tempo:
        b.put("onset_tempo", value, src)
    for key, excluded, mods, where in myoclass_terms:
        _read_myoclass_feature(b, key, excluded, mods, where)

    # diseases: their onset (the disease term itself has no field)
    for i, d in enumerate(_list(p.get("diseases"))):
        if not isinstance(d, Mapping):
            continue
        tid, _label = _term(d.get("term"))
        if d.get("excluded"):
            b.unmapped.append(Unmapped(f"diseases[{i}]", tid, "an excluded disease has no flat-case field"))
            continue
        y = age_of(d.get("onset"), f"diseases[{i}].onset")
        if y is not None:
            onsets.append((y, f"diseases[{i}].onset"))
        b.unmapped.append(Unmapped(f"diseases[{i}]", tid, "a disease term has no flat-case field (its onset is read; "
                                   "a genetic diagnosis comes from the interpretations)"))

    # ages
    if onsets:
        first = min(y for y, _s in onsets)
        srcs = [s for y, s in onsets if y == first]
        if 0 <= first <= 120:
            for s in srcs:
                b.put("age_at_onset_years", first, s, "the earliest onset of a disease or an observed feature")
        else:
            b.warnings.append(f"age_at_onset_years: {first:g} years is out of range; not read")
    if age_now is not None:
        first_onset = min((y for y, _s in onsets), default=None)
        if not 0 <= age_now <= 120:
            b.warnings.append(f"age_years: {age_now:g} years (subject.timeAtLastEncounter) is out of range; not read")
        elif first_onset is not None and first_onset > age_now:
            b.warnings.append(f"age_years: the last encounter ({age_now:g} y) is before the onset ({first_onset:g} y); "
                              "not read")
        else:
            b.put("age_years", age_now, "subject.timeAtLastEncounter", "age at the last encounter")

    # measurements
    meas: list[tuple[str, Any]] = [(f"measurements[{i}]", m) for i, m in enumerate(_list(p.get("measurements")))]
    for j, bs in enumerate(_list(p.get("biosamples"))):
        if isinstance(bs, Mapping):
            meas += [(f"biosamples[{j}].measurements[{i}]", m) for i, m in enumerate(_list(bs.get("measurements")))]
    ck: list[tuple[float, float | None, str]] = []
    for where, m in meas:
        if isinstance(m, Mapping):
            _read_measurement(b, m, where, ck)
    if ck:
        top, how = the_ck_that_counts(ck, lambda x: x[0], lambda x: x[1], ceiling_applies(*ages_of(b.first_values())))
        b.put("ck_u_l", top[0], top[2], "" if len(ck) == 1 else {
            "ratio": "the highest CK relative to its upper limit of normal",
            "ceiling": (f"a CK without a reference range above {CK_ULN_CEILING_U_L:,.0f} U/L, every laboratory's "
                        "limit (an assumed ceiling), so more times its limit than any CK with a range"),
            "value": "the highest CK"}[how])
        if top[1] is not None:
            b.put("ck_uln_u_l", top[1], top[2], "the upper limit of the reference range")

    # biosamples: a muscle sample is a biopsy
    for j, bs in enumerate(_list(p.get("biosamples"))):
        if not isinstance(bs, Mapping):
            continue
        tissue, _tlabel = _term(bs.get("sampledTissue"))
        if tissue in _MUSCLE_TISSUE:
            b.put("biopsy_performed", True, f"biosamples[{j}].sampledTissue ({tissue})", "a skeletal muscle sample")
        hd, _hl = _term(bs.get("histologicalDiagnosis"))
        if hd:
            b.unmapped.append(Unmapped(f"biosamples[{j}].histologicalDiagnosis", hd,
                                       "a histological diagnosis has no flat-case field"))

    # medical actions
    onset_time = _onset_time(p, dob)
    for i, ma in enumerate(_list(p.get("medicalActions"))):
        if isinstance(ma, Mapping):
            _read_action(b, ma, f"medicalActions[{i}]", onset_time)

    # interpretations: the genetic diagnosis
    _read_interpretations(b, _list(p.get("interpretations")))

    choices = b.choices()
    # CK: the numbers decide ck_elevated; a qualitative term that contradicts them yields
    by = {c.field: c for c in choices}
    if "ck_u_l" in by and "ck_uln_u_l" in by and "ck_elevated" in by:
        ck_v, uln_v, el = by["ck_u_l"].value, by["ck_uln_u_l"].value, by["ck_elevated"].value
        if isinstance(ck_v, float | int) and isinstance(uln_v, float | int) and el is not None and el != (ck_v > uln_v):
            b.warnings.append(f"ck_elevated: the HPO term ({'; '.join(by['ck_elevated'].sources)}) contradicts the measured "
                              f"CK {ck_v:g} U/L (upper limit {uln_v:g}); the measurement is used")
            choices = [c for c in choices if c.field != "ck_elevated"]
    case = {c.field: c.value for c in choices if c.value is not None}
    if case.get("statin_withdrawal_outcome") is not None and case.get("statin_exposure") is False:
        b.warnings.append("statin_withdrawal_outcome: given while statin_exposure is false; not read")
        case.pop("statin_withdrawal_outcome")
    return PhenopacketReading(case, tuple(choices), tuple(b.unmapped), tuple(dict.fromkeys(b.warnings)), hpo.version,
                              packet_id, reading.muscle_signs)


#: the terms of the HPO table's biopsy rows (a finding of the muscle biopsy is one of them or a descendant)
_BIOPSY_ROW_TERMS = tuple(dict.fromkeys(r.term for r in H.HPO_TABLE if r.field in FIELDS and FIELDS[r.field].group == "biopsy"))


def _histology_terms(observations: list[H.TermObservation], hpo: H.HpoClosure) -> set[str]:
    """The elements (``phenotypicFeatures[3]``) whose term is a finding of the muscle biopsy: a term of a biopsy row of
    the HPO table, or one of its descendants."""
    return {o.where for o in observations if any(hpo.is_a(hpo.current(o.term), r) for r in _BIOPSY_ROW_TERMS)}


def _read_myoclass_feature(b: _Builder, key: str, excluded: bool, mods: list[str], where: str) -> None:
    spec = FIELDS.get(key)
    src = f"{where} ({MYOCLASS_PREFIX}:{key})"
    if spec is None:
        b.unmapped.append(Unmapped(where, f"{MYOCLASS_PREFIX}:{key}", "not a key of the data dictionary"))
        return
    if spec.kind == "bool":
        b.put(key, not excluded, src)
        return
    values = [m.split(":", 1)[1] for m in mods if m.upper().startswith(MYOCLASS_PREFIX + ":")]
    if excluded or not values:
        b.unmapped.append(Unmapped(where, f"{MYOCLASS_PREFIX}:{key}", "no value given (a MYOCLASS: modifier)"))
        return
    v = values[0]
    if spec.kind == "enum" and v not in spec.values:
        b.unmapped.append(Unmapped(where, f"{MYOCLASS_PREFIX}:{key}", f"{v!r} is not one of {', '.join(spec.values)}"))
        return
    b.put(key, v, src)


def _quantity(m: Mapping[str, Any]) -> tuple[float | None, float | None, str]:
    value = m.get("value")
    q = value.get("quantity") if isinstance(value, Mapping) else None
    if not isinstance(q, Mapping):
        return None, None, ""
    unit_id, unit_label = _term(q.get("unit"))
    v = q.get("value")
    rr = _obj(q.get("referenceRange"))
    high = rr.get("high")
    return (float(v) if isinstance(v, int | float) else 0.0,
            float(high) if isinstance(high, int | float) and high > 0 else None, unit_id or unit_label)


def _answer(m: Mapping[str, Any]) -> bool | None:
    value = m.get("value")
    oc = value.get("ontologyClass") if isinstance(value, Mapping) else None
    tid, label = _term(oc)
    code = tid.split(":", 1)[-1]
    if code in _POSITIVE or label.strip().lower() in {"positive", "detected", "present"}:
        return True
    if code in _NEGATIVE or label.strip().lower() in {"negative", "not detected", "absent"}:
        return False
    return None


def _read_measurement(b: _Builder, m: Mapping[str, Any], where: str, ck: list[tuple[float, float | None, str]]) -> None:
    aid, _alabel = _term(m.get("assay"))
    prefix, _, code = aid.partition(":")
    src = f"{where} ({aid})"
    if prefix.upper() == MYOCLASS_PREFIX:
        spec = FIELDS.get(code)
        v, _h, _u = _quantity(m)
        if spec is not None and spec.kind == "number" and v is not None:
            b.put(code, v, src)
            return
        if spec is not None and spec.kind == "bool" and code in ANTIBODIES:
            ans = _answer(m)
            if ans is not None:
                b.put(code, ans, src)
                _read_method(b, m, code, src)
                return
        b.unmapped.append(Unmapped(where, aid, "a MYOCLASS measurement without a usable value"))
        return
    entry = C.lookup(C.LOINC, code) if prefix.upper() == "LOINC" else None
    if entry is None:
        b.unmapped.append(Unmapped(where, aid, "no flat-case field for this assay"))
        return
    field = entry.field
    v, high, unit = _quantity(m)
    if field == "ck_u_l":
        if v is None:
            b.unmapped.append(Unmapped(where, aid, "a CK without a quantity"))
        elif unit and unit not in _UCUM_UL:
            b.unmapped.append(Unmapped(where, aid, f"CK in {unit!r}, not U/L; not converted"))
        else:
            ck.append((v, high, src))
        return
    if field in ANTIBODIES or field.endswith("_elevated"):
        ans = _answer(m)
        if ans is None and v is not None and high is not None:
            ans = v > high
        if ans is None:
            b.unmapped.append(Unmapped(where, aid, "no positive/negative answer and no quantity with a reference range"))
            return
        note = "" if entry.verified else "an unverified LOINC code [R]"
        b.put(field, ans if entry.value else not ans, src, note)
        if field in ANTIBODIES:
            if entry.method:
                b.put(f"{field}_method", entry.method, src, "the method the LOINC code implies")
            _read_method(b, m, field, src)
        return
    b.unmapped.append(Unmapped(where, aid, f"the assay is for {field}, which a measurement does not set"))


def _read_method(b: _Builder, m: Mapping[str, Any], field: str, src: str) -> None:
    proc = m.get("procedure")
    pid, _pl = _term(proc.get("code")) if isinstance(proc, Mapping) else ("", "")
    method = pid.split(":", 1)[1] if pid.upper().startswith(MYOCLASS_PREFIX + ":") else None
    if method in ASSAY_METHODS:
        b.put(f"{field}_method", method, src)


def _onset_time(p: Mapping[str, Any], dob: _dt.datetime | None) -> _dt.datetime | None:
    """The earliest onset as a point in time (a timestamp, or the date of birth plus an ISO 8601 age), if known."""
    times: list[_dt.datetime] = []
    elems = [d.get("onset") for d in _list(p.get("diseases")) if isinstance(d, Mapping)]
    elems += [f.get("onset") for f in _list(p.get("phenotypicFeatures")) if isinstance(f, Mapping) and not f.get("excluded")]
    for te in elems:
        if not isinstance(te, Mapping):
            continue
        ts = _timestamp(te.get("timestamp"))
        if ts is not None:
            times.append(ts)
        age = te.get("age")
        if dob is not None and isinstance(age, Mapping) and isinstance(age.get("iso8601duration"), str):
            y = iso_years(age["iso8601duration"])
            if y is not None:
                times.append(dob + _dt.timedelta(days=y * 365.25))
    return min(times) if times else None


def _agent_concept(tid: str, label: str) -> dict[str, Any]:
    prefix, _, code = tid.partition(":")
    system = {"ATC": C.ATC, "RXNORM": C.RXNORM, "RXCUI": C.RXNORM}.get(prefix.upper(), prefix)
    return {"coding": [{"system": system, "code": code, "display": label}], "text": label}


def _read_action(b: _Builder, ma: Mapping[str, Any], where: str, onset: _dt.datetime | None) -> None:
    t = ma.get("treatment")
    if not isinstance(t, Mapping):
        kind = next((k for k in ("procedure", "radiationTherapy", "therapeuticRegimen") if k in ma), "action")
        b.unmapped.append(Unmapped(f"{where}.{kind}", "", "only drug treatments are read"))
        return
    tid, label = _term(t.get("agent"))
    cls = C.medication_class(_agent_concept(tid, label))
    if cls is None:
        b.unmapped.append(Unmapped(f"{where}.treatment.agent", tid, "not a statin, checkpoint inhibitor or myotoxic drug "
                                   "of the drug table"))
        return
    if cls in C.NO_FIELD_CLASSES:
        b.unmapped.append(Unmapped(f"{where}.treatment.agent", tid, C.NO_FIELD_CLASSES[cls]))
        return
    field = C.MEDICATION_CLASS_FIELD[cls]
    src = f"{where}.treatment.agent ({tid or label})"
    starts = [s for s in (_timestamp(iv.get("interval", {}).get("start")) for iv in _list(t.get("doseIntervals"))
                          if isinstance(iv, Mapping) and isinstance(iv.get("interval"), Mapping)) if s is not None]
    if starts and onset is not None:
        if min(starts) <= onset:
            b.put(field, True, src, f"{cls} started before or at onset")
        else:
            b.warnings.append(f"{field}: {src} started after the onset; not read (the field means taken before or at onset)")
            b.unmapped.append(Unmapped(f"{where}.treatment", tid, f"{cls} started after the onset"))
        return
    b.put(field, True, src, f"{cls}; no dose interval comparable with the onset: read as taken before or at onset")


def _read_interpretations(b: _Builder, interps: Iterable[Any]) -> None:
    for i, it in enumerate(interps):
        if not isinstance(it, Mapping):
            continue
        where = f"interpretations[{i}]"
        status = it.get("progressStatus", "UNKNOWN_PROGRESS")
        diag = _obj(it.get("diagnosis"))
        gis = _list(diag.get("genomicInterpretations"))
        if not gis:
            did, _dl = _term(diag.get("disease"))
            b.unmapped.append(Unmapped(where, did, "an interpretation without a genomic interpretation"))
            continue
        for k, gi in enumerate(gis):
            if not isinstance(gi, Mapping):
                continue
            gwhere = f"{where}.diagnosis.genomicInterpretations[{k}]"
            gstatus = gi.get("interpretationStatus", "UNKNOWN_STATUS")
            vi = (_obj(gi.get("variantInterpretation")) or None)
            gene = (_obj(gi.get("gene")) or None)
            acmg = vi.get("acmgPathogenicityClassification", "NOT_PROVIDED") if vi else None
            if vi:
                vd = _obj(vi.get("variationDescriptor"))
                gene = (_obj(vd.get("geneContext")) or None)
            symbol = str(gene.get("symbol", "")) if gene else ""
            code = str(gene.get("valueId", "")) if gene else ""
            if status not in ("SOLVED", "COMPLETED") or gstatus != "CAUSATIVE" or acmg not in (
                    None, "PATHOGENIC", "LIKELY_PATHOGENIC"):
                b.unmapped.append(Unmapped(gwhere, code or symbol, f"not a genetic diagnosis (progress {status}, "
                                           f"{gstatus}{', ' + str(acmg) if acmg else ''})"))
                continue
            if not GENE_SYMBOL.match(symbol):
                b.unmapped.append(Unmapped(gwhere, code, f"gene symbol {symbol!r} is not an HGNC symbol"))
                continue
            did, dlabel = _term(diag.get("disease"))
            if dlabel and not names_a_muscle_disease(dlabel):
                b.unmapped.append(Unmapped(gwhere, code or symbol, f"the genetic diagnosis is {did} {dlabel!r}, not a "
                                           "disease of skeletal muscle by its name: not read as a genotype that "
                                           "explains a myopathy"))
                b.warnings.append(f"genetic_diagnosis_gene: {symbol} is the genetic diagnosis of {dlabel} ({did}), "
                                  "not of a muscle disease, so it is not read as a genotype that explains a myopathy "
                                  "(left unknown); if that disease explains the weakness, no myopathy label here "
                                  "applies")
                continue
            disease = f"; disease {did}{' ' + dlabel if dlabel else ''}" if did else "; no disease named"
            b.put("genetic_diagnosis_gene", symbol, f"{gwhere} ({code or symbol})",
                  f"{status.lower()} interpretation, causative, {str(acmg).lower() if acmg else 'gene'}{disease}; "
                  "taken as the genetic cause of the muscle picture")


# --- writing -------------------------------------------------------------------------------------------------------
def _oc(tid: str, label: str) -> dict[str, str]:
    return {"id": tid, "label": label}


def _mine(key: str) -> dict[str, str]:
    return _oc(f"{MYOCLASS_PREFIX}:{key}", f"myoclass flat-case field {key}")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("myoclass")
    except Exception:  # pragma: no cover - an uninstalled checkout
        return "unknown"


def _resources(used: set[str], hpo_version: str, extra: Iterable[dict[str, str]] = ()) -> list[dict[str, str]]:
    res = [{"id": "hp", "name": "human phenotype ontology", "url": "http://purl.obolibrary.org/obo/hp.owl",
            "version": hpo_version.rsplit("/", 1)[-1], "namespacePrefix": "HP",
            "iriPrefix": "http://purl.obolibrary.org/obo/HP_"}]
    if "LOINC" in used:
        res.append({"id": "loinc", "name": "Logical Observation Identifiers Names and Codes", "url": "https://loinc.org",
                    "version": "unspecified", "namespacePrefix": "LOINC", "iriPrefix": "https://loinc.org/"})
    if "ATC" in used:
        res.append({"id": "atc", "name": "Anatomical Therapeutic Chemical Classification", "url": "https://atcddd.fhi.no",
                    "version": "unspecified", "namespacePrefix": "ATC", "iriPrefix": "https://atcddd.fhi.no/atc_ddd_index/?code="})
    res.extend(extra)
    res.append({"id": "myoclass", "name": "myoclass flat-case fields (data dictionary v1)",
                "url": "https://github.com/myoclass/myoclass/blob/main/docs/data-dictionary.md", "version": _version(),
                "namespacePrefix": MYOCLASS_PREFIX, "iriPrefix": "urn:myoclass:flat-case:"})
    return res


def _hpo_features(field: str, value: bool) -> list[dict[str, Any]] | None:
    """The HPO features that read back as ``field = value`` on their own and say no more than it, or None when the table
    cannot say it. A present field is written with a term that means the field itself (a row whose exclusion reads as
    the field absent), never with one of several ways of meeting it: a cardiac involvement is not written as a
    myocarditis, nor another DM rash as a shawl sign (MYOCLASS's own term says it instead)."""
    rows = [r for r in H.rows_for_field(field) if not r.exclusion_says_nothing]  # those only imply the field
    if value:
        row = next((r for r in rows if r.value is True and r.when_excluded is False), None)
        return [{"type": _oc(row.term, row.label)}] if row else None
    row = next((r for r in rows if r.when_excluded is False), None)
    if row:
        return [{"type": _oc(row.term, row.label), "excluded": True}]
    if rows and all(r.value is True for r in rows):
        terms = list(dict.fromkeys((r.term, r.label) for r in rows))
        return [{"type": _oc(t, lab), "excluded": True} for t, lab in terms]
    return None


def case_to_phenopacket(case: Mapping[str, Any], *, packet_id: str | None = None,
                        created: _dt.datetime | None = None) -> dict[str, Any]:
    """A flat case as a Phenopacket v2 (JSON, camelCase as ``json_format.MessageToDict`` writes it). The case is
    validated first (:class:`InvalidCase`). Standard terms where the table has them (HPO, LOINC, ATC), myoclass's own
    ``MYOCLASS:`` terms for the rest; :func:`read_phenopacket` gives the same case back."""
    values = parse_case(case).to_flat()
    hpo_version = H.closure().version
    case_id = values.get("case_id")
    pid = packet_id or (str(case_id) if case_id else "myoclass-case")
    subject: dict[str, Any] = {"id": str(case_id) if case_id else "subject"}
    if values.get("sex") in _SEX_OUT:
        subject["sex"] = _SEX_OUT[values["sex"]]
    if values.get("age_years") is not None:
        subject["timeAtLastEncounter"] = {"age": {"iso8601duration": years_iso(values["age_years"])}}
    used: set[str] = set()
    by_field: dict[str, list[dict[str, Any]]] = {}
    measurements: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    # the myopathy: its onset and tempo
    myo: dict[str, Any] = {"type": _oc(*_MYOPATHY)}
    if values.get("age_at_onset_years") is not None:
        myo["onset"] = {"age": {"iso8601duration": years_iso(values["age_at_onset_years"])}}
    if values.get("onset_tempo") is not None:
        tid = next(t for t, (w, _l) in _TEMPO.items() if w == values["onset_tempo"])
        myo["modifiers"] = [_oc(tid, _TEMPO[tid][1])]
    # CK
    if values.get("ck_u_l") is not None:
        q: dict[str, Any] = {"unit": _oc("UCUM:U/L", "U/L"), "value": float(values["ck_u_l"])}
        if values.get("ck_uln_u_l") is not None:
            q["referenceRange"] = {"unit": _oc("UCUM:U/L", "U/L"), "low": 0.0, "high": float(values["ck_uln_u_l"])}
        measurements.append({"assay": _oc("LOINC:2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma"),
                             "value": {"quantity": q}})
        used.add("LOINC")
    elif values.get("ck_uln_u_l") is not None:
        measurements.append(_mine_quantity("ck_uln_u_l", values["ck_uln_u_l"], "U/L"))
    if values.get("symptom_duration_months") is not None:
        measurements.append(_mine_quantity("symptom_duration_months", values["symptom_duration_months"], "mo"))
    # antibodies: a measurement (LOINC when the table has a code, else MYOCLASS) with its method
    loinc_for = {e.field: e for e in C.code_entries() if e.system == C.LOINC and e.verified and e.method is None}
    for ab, name in ANTIBODIES.items():
        v = values.get(ab)
        if v is None:
            continue
        e = loinc_for.get(ab)
        assay = _oc(f"LOINC:{e.code}", e.display) if e else _oc(f"{MYOCLASS_PREFIX}:{ab}", f"{name} antibody")
        if e:
            used.add("LOINC")
        m: dict[str, Any] = {"assay": assay, "value": {"ontologyClass": _oc(*(_LOINC_POS if v else _LOINC_NEG))}}
        method = values.get(f"{ab}_method")
        if method:
            m["procedure"] = {"code": _oc(f"{MYOCLASS_PREFIX}:{method}", f"assay method {method}")}
        measurements.append(m)
    # the statin
    if values.get("statin_exposure") is True:
        actions.append({"treatment": {"agent": _oc("ATC:C10AA", "HMG CoA reductase inhibitors")}})
        used.add("ATC")
    # every other field: HPO where the table can say it, else MYOCLASS
    skip = {"case_id", "sex", "age_years", "age_at_onset_years", "onset_tempo", "ck_u_l", "ck_uln_u_l",
            "symptom_duration_months", "genetic_diagnosis_gene", "biopsy_performed", *ANTIBODIES,
            *(f"{a}_method" for a in ANTIBODIES)}
    if values.get("statin_exposure") is True:
        skip.add("statin_exposure")
    if values.get("ck_u_l") is not None and values.get("ck_uln_u_l") is not None:
        skip.add("ck_elevated")  # derived from the numbers
    mine: set[str] = set()
    for key, v in values.items():
        if key in skip or v is None:
            continue
        spec = FIELDS[key]
        feats = _hpo_features(key, v) if spec.kind == "bool" else None
        if feats is None:
            mine.add(key)
        else:
            by_field[key] = feats
    # biopsy_performed: true is implied by a biopsy finding; otherwise MYOCLASS
    if values.get("biopsy_performed") is not None:
        has_item = any(FIELDS[k].group == "biopsy" and k != "biopsy_performed" and k in by_field for k in by_field)
        if not (values["biopsy_performed"] is True and has_item):
            mine.add("biopsy_performed")
    interpretations: list[dict[str, Any]] = []
    gene = values.get("genetic_diagnosis_gene")
    if gene:
        interpretations.append(_gene_interpretation(str(gene), subject["id"]))

    def assemble() -> dict[str, Any]:
        feats: list[dict[str, Any]] = []
        if len(myo) > 1:
            feats.append(myo)
        for key, fs in by_field.items():
            if key not in mine:
                feats.extend(fs)
        for key in [k for k in FIELDS if k in mine]:
            v = values[key]
            spec = FIELDS[key]
            if spec.kind == "bool":
                feats.append({"type": _mine(key), **({"excluded": True} if v is False else {})})
            elif spec.kind == "number":
                continue
            else:
                feats.append({"type": _mine(key), "modifiers": [_oc(f"{MYOCLASS_PREFIX}:{v}", str(v))]})
        meas = list(measurements)
        for key in [k for k in FIELDS if k in mine and FIELDS[k].kind == "number"]:
            meas.append(_mine_quantity(key, values[key], FIELDS[key].unit or ""))
        out: dict[str, Any] = {"id": pid, "subject": subject}
        if feats:
            out["phenotypicFeatures"] = feats
        if meas:
            out["measurements"] = meas
        if actions:
            out["medicalActions"] = actions
        if interpretations:
            out["interpretations"] = interpretations
        when = created or _dt.datetime.now(_dt.UTC)
        out["metaData"] = {"created": when.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                           "createdBy": f"myoclass {_version()}", "resources": _resources(used, hpo_version),
                           "phenopacketSchemaVersion": SCHEMA_VERSION}
        return out

    # check that the packet reads back as the case; a field whose terms say more or less than the case is written with
    # its MYOCLASS term instead (e.g. "no neck weakness" would also exclude neck flexor weakness)
    packet = assemble()
    for _ in range(len(FIELDS)):
        back = read_phenopacket(packet)
        wrong = {k for k in set(values) | set(back.case) if k in FIELDS and back.case.get(k) != values.get(k)}
        culprits = set()
        for c in back.choices:
            if c.field in wrong:
                for s in c.sources:
                    idx = re.match(r"phenotypicFeatures\[(\d+)\]", s)
                    if idx:
                        culprits.add(int(idx.group(1)))
        feats = packet.get("phenotypicFeatures", [])
        to_mine = {k for k in wrong if k in by_field and k not in mine}
        for i in culprits:
            tid = feats[i]["type"]["id"] if i < len(feats) else ""
            to_mine |= {k for k, fs in by_field.items() if any(f["type"]["id"] == tid for f in fs) and k not in mine}
        if not to_mine:
            break
        mine |= to_mine
        packet = assemble()
    return packet


def _mine_quantity(key: str, value: float, unit: str) -> dict[str, Any]:
    return {"assay": _mine(key), "value": {"quantity": {"unit": _oc(f"UCUM:{unit}", unit), "value": float(value)}}}


def _gene_interpretation(gene: str, subject_id: str) -> dict[str, Any]:
    return {"id": "genetic-diagnosis", "progressStatus": "SOLVED",
            "diagnosis": {"disease": _oc("MONDO:0700223", "hereditary skeletal muscle disorder"),
                          "genomicInterpretations": [{"subjectOrBiosampleId": subject_id,
                                                      "interpretationStatus": "CAUSATIVE",
                                                      "gene": {"valueId": f"HGNC:{gene}", "symbol": gene}}]}}


def _disease_term(label: str) -> tuple[dict[str, str], str]:
    """The label's MONDO term (else Orphanet), and how it matches."""
    entry = codes_for(label)
    for key in ("mondo", "orphanet"):
        for c in entry.in_terminology(key):
            return _oc(c.curie, c.display or entry.text), c.match
    return _oc(f"{MYOCLASS_PREFIX}:{label}", entry.text), "exact"


def assessment_phenopacket(assessment: Mapping[str, Any], case: Mapping[str, Any], *, packet_id: str | None = None,
                           created: _dt.datetime | None = None) -> dict[str, Any]:
    """The assessment as a Phenopacket v2 for hand-off (LIRICAL, Exomiser, a registry): the case's features and
    measurements (:func:`case_to_phenopacket`), an interpretation with the strict label (when it is not
    ``undetermined``), one interpretation per differential entry as a diagnosis candidate with its MONDO (else
    Orphanet) term, and ``metaData.resources`` with the HPO and MONDO versions."""
    packet = case_to_phenopacket(case, packet_id=packet_id, created=created)
    summary = _obj(assessment.get("summary"))
    label = summary.get("label")
    interps: list[dict[str, Any]] = list(packet.get("interpretations", []))
    subject_id = packet["subject"]["id"]
    if isinstance(label, str) and label in LABELS:
        term, match = _disease_term(label)
        interps.append({"id": "myoclass-label", "progressStatus": "COMPLETED",
                        "diagnosis": {"disease": term},
                        "summary": f"myoclass strict label: {label} ({codes_for(label).text}); "
                                   f"{'the term is broader than the label' if match == 'broader' else 'exact term'}. "
                                   + str(summary.get("text", ""))})
    elif label == UNDETERMINED:
        reach = [x for x in summary.get("reachable_labels", []) if isinstance(x, str)]
        interps.append({"id": "myoclass-label", "progressStatus": "IN_PROGRESS",
                        "summary": f"myoclass strict label: undetermined; reachable labels: {', '.join(reach)}"})
    for d in assessment.get("differential", []) or []:
        if not isinstance(d, Mapping) or d.get("label") not in LABELS:
            continue
        prob = d.get("probability")
        term, match = _disease_term(str(d["label"]))
        p_text = f"{float(prob):.3f}" if isinstance(prob, int | float) and math.isfinite(prob) else "n/a"
        interps.append({"id": f"myoclass-differential-{d['label']}", "progressStatus": "IN_PROGRESS",
                        "diagnosis": {"disease": term},
                        "summary": f"myoclass differential candidate {d['label']} ({codes_for(str(d['label'])).text}): "
                                   f"probability {p_text}" + ("; the term is broader than the label"
                                                              if match == "broader" else "")})
    for it in interps:
        it.setdefault("id", "interpretation")
    if interps:
        packet["interpretations"] = interps
    versions = _obj(assessment.get("versions"))
    extra = [{"id": "mondo", "name": "Mondo Disease Ontology", "url": "http://purl.obolibrary.org/obo/mondo.owl",
              "version": "as in myoclass.io.label_codes", "namespacePrefix": "MONDO",
              "iriPrefix": "http://purl.obolibrary.org/obo/MONDO_"},
             {"id": "ordo", "name": "Orphanet Rare Disease Ontology", "url": "http://www.orpha.net",
              "version": "as in myoclass.io.label_codes", "namespacePrefix": "ORPHA",
              "iriPrefix": "http://www.orpha.net/ORDO/Orphanet_"}]
    meta = packet["metaData"]
    used = {r["namespacePrefix"] for r in meta["resources"]}
    hpo_version = H.closure().version
    meta["resources"] = _resources({"LOINC", "ATC"} & used, hpo_version, extra)
    meta["createdBy"] = f"myoclass {versions.get('myoclass', _version())}"
    meta["externalReferences"] = [{"id": f"myoclass:{k}", "description": f"{k} version {v}"}
                                  for k, v in versions.items() if isinstance(v, str)]
    _ = subject_id
    return packet
