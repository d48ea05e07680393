"""One front door for a case in any of the formats myoclass reads: a flat case, FHIR R4 (a Bundle of any
type, e.g. a ``searchset`` or a ``collection``, or a single resource), or a GA4GH Phenopacket v2, told apart
by the content.

``myoclass assess``, ``myoclass convert`` and ``POST /api/v1/assess`` read through :func:`read_inputs` (a
file: one JSON document, an array, or JSON Lines) or :func:`input_of` (one decoded value). Each record
becomes a :class:`CaseInput` (the validated flat case, and for FHIR what was read from which resource and
what could not be mapped) or a :class:`~myoclass.io.rejects.Reject` that never costs the other records
theirs. A JSON array is a list of records, each a flat case, a FHIR Bundle or a phenopacket (one patient
each).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from myoclass.errors import InvalidCase, MyoclassError, Problem
from myoclass.io.fhir import FhirReading, LocalCodes, case_to_resources, is_fhir, read_fhir
from myoclass.io.fhir.assessment import FULL_URL_BASE, assessment_bundle
from myoclass.io.json import MAX_DEPTH, TooDeep, check_depth
from myoclass.io.jsonl import read_records
from myoclass.io.phenopacket import MissingExtra, PhenopacketReading, is_phenopacket, read_phenopacket
from myoclass.io.rejects import Reject
from myoclass.model.case import MUSCLE_SIGN_NOTE, Case, case_id_of, parse_case

__all__ = ["CaseInput", "assessment_as_fhir", "chart_bundle", "input_of", "input_report", "read_inputs", "resources_of",
           "with_muscle_signs"]


@dataclass(frozen=True)
class CaseInput:
    """One record read: its flat case, its format, and for FHIR or a phenopacket the reading (choices and
    unmapped items); for FHIR also the resources as given (so that an output Bundle can point at them)."""

    case: Case
    format: str  # "flat" | "fhir" | "phenopacket"
    fhir: FhirReading | None = None
    resources: tuple[Mapping[str, Any], ...] = ()
    phenopacket: PhenopacketReading | None = None


def resources_of(doc: Any) -> tuple[Mapping[str, Any], ...]:
    """The resources of a FHIR document as given: a Bundle's entries' resources, a list's items, or the
    resource itself (anything that is not a resource object is left out)."""
    if isinstance(doc, list):
        items: list[Any] = doc
    elif isinstance(doc, Mapping) and doc.get("resourceType") == "Bundle":
        entries = doc.get("entry")
        items = [e.get("resource") for e in entries if isinstance(e, Mapping)] if isinstance(entries, list) else []
    else:
        items = [doc]
    return tuple(r for r in items if isinstance(r, Mapping) and isinstance(r.get("resourceType"), str))


def input_of(obj: Any, *, fhir: bool | None = None, local_codes: LocalCodes | None = None,
             today: datetime.date | None = None) -> CaseInput:
    """One decoded record as a :class:`CaseInput`. ``fhir``: True when the caller was told the content is
    FHIR (``application/fhir+json``), None to tell from the content (a ``resourceType`` key: FHIR; a
    phenopacket's ``metaData.phenopacketSchemaVersion`` or ``subject`` beside its elements: a phenopacket;
    else a flat case). Raises :class:`InvalidCase` naming the field(s) and what is allowed."""
    if fhir is None and is_phenopacket(obj):
        try:
            packet = read_phenopacket(obj)
        except MissingExtra as e:
            raise InvalidCase([Problem("(body)", f"a GA4GH phenopacket: {e}")]) from None
        return CaseInput(with_muscle_signs(_parsed(packet.case, packet.choices), packet.muscle_signs), "phenopacket",
                         phenopacket=packet)
    as_fhir = is_fhir(obj) if fhir is None else fhir
    if not as_fhir:
        return CaseInput(parse_case(obj), "flat")
    if not is_fhir(obj):
        raise InvalidCase([Problem("resourceType", "the body was declared FHIR (application/fhir+json) but is not a "
                                   "FHIR resource; allowed: a Bundle (e.g. searchset or collection) or one resource "
                                   "with a resourceType")])
    reading = read_fhir(obj, local_codes=local_codes, today=today)
    if not any(k != "case_id" for k in reading.case):  # an assessment of nothing would read as an answer
        why = "; ".join(f"{u.resource}: {u.reason}" for u in reading.unmapped[:3])
        more = f" (and {len(reading.unmapped) - 3} more)" if len(reading.unmapped) > 3 else ""
        raise InvalidCase([Problem("(fhir)", "nothing could be read from this chart" + (f" ({why}{more})" if why else "")
                                   + "; allowed: a Bundle or resource with at least one finding myoclass maps (the "
                                   "age, sex, an antibody, CK, ...: docs/fhir.md)")])
    return CaseInput(with_muscle_signs(_parsed(reading.case, reading.choices), reading.muscle_signs), "fhir", reading,
                     resources_of(obj))


def with_muscle_signs(case: Case, signs: tuple[str, ...]) -> Case:
    """The case with the note that its source records signs of a muscle disease no field holds
    (:data:`~myoclass.model.case.MUSCLE_SIGN_NOTE`), when it does."""
    if not signs:
        return case
    return case.with_note(f"{MUSCLE_SIGN_NOTE}: {'; '.join(signs)}. The patient is taken as one referred for a suspected "
                          "myopathy, as the differential is built for.")


def _parsed(case: Mapping[str, Any], choices: Any) -> Case:
    """The flat case read from a chart or a packet, validated; a value that breaks a rule names where it came from."""
    try:
        return parse_case(case)
    except InvalidCase as e:
        sources = {c.field: c.sources for c in choices}
        raise InvalidCase([Problem(p.field, p.message + (f" (from {', '.join(sources[p.field])})"
                                                          if sources.get(p.field) else ""))
                           for p in e.problems]) from None


def _one(obj: Any, where: int, local_codes: LocalCodes | None, today: datetime.date | None) -> CaseInput | Reject:
    try:
        check_depth(obj, MAX_DEPTH)
        return input_of(obj, local_codes=local_codes, today=today)
    except TooDeep as e:
        return Reject(where, case_id_of(obj), str(e))
    except MyoclassError as e:
        return Reject(where, case_id_of(obj), str(e))


def read_inputs(text: str, *, local_codes: LocalCodes | None = None,
                today: datetime.date | None = None) -> Iterator[CaseInput | Reject]:
    """A :class:`CaseInput` or a :class:`Reject` per record of ``text``, in input order (``row``: the
    record's line in JSON Lines, its number in a JSON array). One JSON object is one record (a flat case,
    a FHIR Bundle or resource, or a phenopacket); an array is one record per item, except an array of FHIR
    resources (not Bundles), which is one patient's chart; otherwise JSON Lines."""
    return read_records(text, lambda obj, where: _one(obj, where, local_codes, today), _one_chart)


def _one_chart(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(x, Mapping) and is_fhir(x) and x.get("resourceType") != "Bundle" for x in items)


def input_report(inp: CaseInput) -> dict[str, Any]:
    """What the assessment's ``input`` field says about where the case came from: the format and, for FHIR
    or a phenopacket, every field read (with the resources or terms it came from and how it was chosen) and
    every item that was not mapped (resource, code, reason); for a phenopacket also its warnings and the HPO
    release it was read with."""
    out: dict[str, Any] = {"format": inp.format}
    reading: FhirReading | PhenopacketReading | None = inp.fhir if inp.fhir is not None else inp.phenopacket
    if reading is not None:
        out["read"] = [{"field": c.field, "sources": list(c.sources), **({"note": c.note} if c.note else {}),
                        **({"conflict": True} if c.conflict else {})} for c in reading.choices]
        out["unmapped"] = [{"resource": u.resource, "code": u.code, "reason": u.reason} for u in reading.unmapped]
    if inp.phenopacket is not None:
        if inp.phenopacket.warnings:
            out["warnings"] = list(inp.phenopacket.warnings)
        out["hpo_version"] = inp.phenopacket.hpo_version
    return out


def assessment_as_fhir(assessment: Mapping[str, Any], inp: CaseInput) -> dict[str, Any]:
    """The assessment as a FHIR R4 Bundle (collection) with the resources it rests on: the chart's own when
    the case came as FHIR (its evidence: the resources read), else the flat case written as FHIR resources
    (:func:`~myoclass.io.fhir.case_to_resources`)."""
    if inp.fhir is not None:
        return assessment_bundle(assessment, resources=inp.resources, evidence=inp.fhir.sources())
    resources = case_to_resources(inp.case.to_flat())
    refs = [f"{r['resourceType']}/{r['id']}" for r in resources if r.get("resourceType") != "Patient" and r.get("id")]
    return assessment_bundle(assessment, resources=resources, evidence=refs)


def chart_bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """Resources (e.g. a flat case written as FHIR) as a Bundle of type ``collection``, each entry's
    ``fullUrl`` on the same base as the assessment's Bundle, so that ``Type/id`` references resolve inside it."""
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"{FULL_URL_BASE}{r['resourceType']}/{r['id']}", "resource": r} for r in resources]}
