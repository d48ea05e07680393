"""An assessment as FHIR R4: a Bundle of type ``collection`` with a Condition and a RiskAssessment.

The Bundle holds, in order: the input resources (copied, each with a RESTful ``fullUrl`` under :data:`FULL_URL_BASE`,
so relative references such as ``Patient/p1`` resolve inside the Bundle), the Condition, and the RiskAssessment.

- **Condition**: ``code`` carries every coding of the label (:mod:`myoclass.io.label_codes`): the strict label when it
  is settled, else the leading label of the differential. ``verificationStatus`` is ``confirmed`` only for a settled
  strict label, otherwise ``provisional`` (the leading label above 50%) or ``differential`` (50% or less), and an
  unsettled Condition carries the differential in the extension :data:`DIFFERENTIAL_URL`, has no ``clinicalStatus``
  (it is not an active diagnosis; FHIR's con-3 asks for one only on problem-list items) and no ICD-10-CM coding
  (:data:`UNSETTLED_WITHOUT`); nor do the RiskAssessment's predictions of an unsettled assessment. ``evidence[0].detail``
  references the input resources named in ``evidence``; a note names myoclass and every criteria set's version.
- **RiskAssessment** (``status`` final): one prediction for the EULAR/ACR 2017 probability of an idiopathic
  inflammatory myopathy (``probabilityDecimal`` in percent, as R4 reads a decimal probability, or ``probabilityRange``
  in percent while unknown items leave a range), then one prediction per label of the differential (in percent);
  ``basis`` references the input resources, ``condition`` the Condition, ``method`` names myoclass and the criteria
  and model versions.

Ids are UUID 5 of the case id and the content (assessment, resources, evidence, patient), so one input gives one
Bundle; ``now`` sets ``meta.lastUpdated``, ``timestamp``, ``recordedDate`` and ``occurrenceDateTime``. Empty values
are left out (FHIR forbids nulls, empty strings, arrays and objects). The layout is documented in ``docs/fhir.md``.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from myoclass.io.label_codes import IIM, LABEL_CODES, LabelCodes
from myoclass.model.labels import UNDETERMINED

__all__ = [
    "DIFFERENTIAL_URL",
    "FULL_URL_BASE",
    "METHOD_SYSTEM",
    "UNSETTLED_WITHOUT",
    "assessment_bundle",
]

#: the terminologies an unsettled Condition (the leading label, not a classification) is not coded in: billing
#: codes (ICD-10-CM) would put a probability on a claim or a problem list
UNSETTLED_WITHOUT = ("icd10cm",)

#: the base of every entry's ``fullUrl`` (``<base><type>/<id>``): a RESTful form, so ``Type/id`` references resolve
FULL_URL_BASE = "http://myoclass.org/fhir/"
#: the extension carrying the differential on a provisional Condition (one ``entry`` sub-extension per label, each
#: with ``outcome`` (CodeableConcept) and ``probability`` (decimal, 0-1); then ``exact`` (boolean))
DIFFERENTIAL_URL = "http://myoclass.org/fhir/StructureDefinition/differential"
#: myoclass's code system for its methods (``RiskAssessment.method``)
METHOD_SYSTEM = "http://myoclass.org/fhir/CodeSystem/method"
#: identifier system of a case id, for a subject without a Patient
CASE_ID_SYSTEM = "http://myoclass.org/fhir/NamingSystem/case-id"

_NAMESPACE = uuid.UUID("6f1c3f0e-2b9a-5d4e-9c1a-7d2e8b4f0a13")
_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
_UCUM = "http://unitsofmeasure.org"
_EULAR = "eular_acr_2017"


def _prune(value: Any) -> Any:
    """``value`` without nulls, empty strings, empty lists and empty objects, at every depth."""
    if isinstance(value, Mapping):
        out = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != "" and v != [] and v != {}}
    if isinstance(value, list | tuple):
        items = [_prune(v) for v in value]
        return [v for v in items if v is not None and v != "" and v != [] and v != {}]
    return value


def _instant(now: datetime | None) -> str:
    moment = datetime.now(UTC) if now is None else now
    if moment.tzinfo is None:  # a naive time is taken as UTC (FHIR instants need a zone)
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds" if moment.microsecond == 0 else "milliseconds")


def _ref(resource: Mapping[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"{FULL_URL_BASE}{_ref(resource)}", "resource": resource}


def _round(p: float) -> float:
    return round(float(p), 6)


def _percent_decimal(p: float) -> float:
    """A probability as ``RiskAssessment.prediction.probabilityDecimal``: FHIR R4 expresses decimal probabilities as
    percentages too ("Decimal values are expressed as percentages as well (max = 100)", the element's comment in the
    R4 StructureDefinition), so 0.93 is written 93."""
    return round(float(p) * 100, 4)


def _percent_words(p: float) -> str:
    """A share in words that never claims 0% or 100% for a probability strictly between."""
    pct = round(100 * float(p))
    return ">99%" if pct >= 100 and p < 1 else "<1%" if pct <= 0 < p else f"{pct}%"


def _verification(settled: bool, summary: Mapping[str, Any]) -> str:
    """``confirmed`` for a settled strict label; else ``provisional`` when the leading label is more likely than not
    (above 50%), and ``differential`` (one of a set of potential diagnoses) when it is not."""
    if settled:
        return "confirmed"
    p = summary.get("leading_probability")
    return "provisional" if isinstance(p, int | float) and p > 0.5 else "differential"


def _chosen(assessment: Mapping[str, Any]) -> tuple[str, bool]:
    """The label the Condition codes, and whether it is settled."""
    summary = assessment["summary"]
    label = summary["label"]
    if label != UNDETERMINED:
        return label, True
    leading = summary.get("leading_label") or (assessment.get("differential") or [{}])[0].get("label")
    if not leading:
        raise ValueError("an undetermined assessment without a differential has no label to write")
    return str(leading), False


def _versions_text(assessment: Mapping[str, Any]) -> str:
    versions = dict(assessment.get("versions") or {})
    software = versions.pop("myoclass", None)
    sets = "; ".join(f"{sid} {v}" for sid, v in versions.items())
    model = (assessment.get("differential_model") or {}).get("version")
    parts = [f"myoclass {software}" if software else "myoclass"]
    if sets:
        parts.append(f"criteria: {sets}")
    if model:
        parts.append(f"differential model v{model}")
    return ", ".join(parts)


def _differential_extension(assessment: Mapping[str, Any]) -> dict[str, Any]:
    entries = [
        {"url": "entry", "extension": [
            {"url": "outcome", "valueCodeableConcept": LABEL_CODES[d["label"]].codeable_concept(exclude=UNSETTLED_WITHOUT)},
            {"url": "probability", "valueDecimal": _round(d["probability"])},
        ]}
        for d in assessment.get("differential") or ()
    ]
    exact = assessment.get("differential_exact")
    extra = [{"url": "exact", "valueBoolean": exact}] if isinstance(exact, bool) else []
    return {"url": DIFFERENTIAL_URL, "extension": [*entries, *extra]}


def _percent(p: float) -> dict[str, Any]:
    return {"value": round(float(p) * 100, 4), "unit": "%", "system": _UCUM, "code": "%"}


def _eular_prediction(assessment: Mapping[str, Any], exclude: tuple[str, ...] = ()) -> dict[str, Any] | None:
    eular = (assessment.get("criteria") or {}).get(_EULAR)
    if not eular:
        return None
    p, lo, hi = eular.get("probability"), eular.get("probability_min"), eular.get("probability_max")
    model = str(eular.get("model") or "").replace("_", " ") or "biopsy status unknown"
    words = f"EULAR/ACR 2017, version {eular.get('version', '')} ({model}): {eular.get('category', '')}"
    if p is not None:
        return {"outcome": IIM.codeable_concept(exclude=exclude), "probabilityDecimal": _percent_decimal(p), "rationale": words}
    if lo is not None and hi is not None:
        return {"outcome": IIM.codeable_concept(exclude=exclude), "probabilityRange": {"low": _percent(lo), "high": _percent(hi)},
                "rationale": f"{words}; unknown items leave the probability between {lo:.4g} and {hi:.4g}"}
    return None


def assessment_bundle(assessment: Mapping[str, Any], *, resources: Sequence[Mapping[str, Any]] = (),
                      evidence: Sequence[str] = (), patient: str | None = None,
                      now: datetime | None = None) -> dict[str, Any]:
    """The assessment as a FHIR R4 Bundle of type ``collection`` (see the module documentation).

    ``resources``: the input FHIR resources, put into the Bundle (copied; one without an id gets a content-derived
    one). ``evidence``: references (``Type/id``) of the input resources that contributed, for
    ``Condition.evidence.detail``. ``patient``: the subject's reference; by default the Patient among ``resources``,
    else an identifier holding the case id. ``now``: the time of the assessment (default: the current time; a naive
    time is taken as UTC). Raises :class:`ValueError` for an undetermined assessment without a differential and for
    a resource without ``resourceType``.
    """
    case_id = assessment.get("case_id")
    inputs: list[dict[str, Any]] = []
    for res in resources:
        if not res.get("resourceType"):
            raise ValueError("every resource needs a resourceType")
        item = copy.deepcopy(dict(res))
        if not item.get("id"):
            text = json.dumps(item, sort_keys=True, default=str)
            item["id"] = str(uuid.uuid5(_NAMESPACE, f"resource:{text}"))
        inputs.append(item)

    seed = json.dumps({"case_id": case_id, "assessment": assessment, "resources": inputs, "evidence": list(evidence),
                       "patient": patient}, sort_keys=True, default=str)
    digest = uuid.uuid5(_NAMESPACE, seed)

    def new_id(kind: str) -> str:
        return str(uuid.uuid5(digest, kind))

    instant = _instant(now)
    if patient is None:
        patient = next((_ref(r) for r in inputs if r["resourceType"] == "Patient"), None)
    subject: dict[str, Any]
    if patient:
        subject = {"reference": patient}
    else:
        subject = {"identifier": {"system": CASE_ID_SYSTEM, "value": case_id} if case_id else None,
                   "display": f"myoclass case {case_id}" if case_id else "myoclass case without an id"}

    label, settled = _chosen(assessment)
    codes: LabelCodes = LABEL_CODES[label]
    summary = assessment["summary"]
    versions = _versions_text(assessment)
    condition_id, risk_id = new_id("Condition"), new_id("RiskAssessment")
    details = [{"reference": ref} for ref in dict.fromkeys(evidence)]

    notes = [f"Classified by {versions}."]
    if summary.get("text"):
        notes.append(str(summary["text"]))
    if not settled:
        shares = "; ".join(f"{LABEL_CODES[d['label']].text} {_percent_words(d['probability'])}"
                           for d in assessment.get("differential") or ())
        reachable = "; ".join(LABEL_CODES[lbl].text for lbl in summary.get("reachable_labels") or ())
        notes.append(f"Not settled by the known findings: the criteria leave the label open. Still possible under the "
                     f"criteria: {reachable}. Differential (probability of each label once the unknown findings are "
                     f"known): {shares}.")

    condition = {
        "resourceType": "Condition",
        "id": condition_id,
        "meta": {"lastUpdated": instant},
        "extension": [] if settled else [_differential_extension(assessment)],
        # a negative result ("no IIM") is not a condition that can be active; nor is a label the criteria leave open
        # (an active, billable-coded Condition would reach problem lists that ignore verificationStatus)
        "clinicalStatus": (None if label == "not_iim" or not settled
                           else {"coding": [{"system": _CLINICAL, "code": "active"}]}),
        "verificationStatus": {"coding": [{"system": _VERIFICATION, "code": _verification(settled, summary)}]},
        "code": codes.codeable_concept(exclude=() if settled else UNSETTLED_WITHOUT),
        "subject": subject,
        "recordedDate": instant,
        "evidence": [{"detail": details}] if details else [],
        "note": [{"text": n} for n in notes],
    }

    predictions = []
    eular = _eular_prediction(assessment, () if settled else UNSETTLED_WITHOUT)
    if eular:
        predictions.append(eular)
    for d in assessment.get("differential") or ():
        predictions.append({"outcome": LABEL_CODES[d["label"]].codeable_concept(
                                exclude=() if settled else UNSETTLED_WITHOUT),
                            "probabilityDecimal": _percent_decimal(d["probability"]),
                            "rationale": "myoclass differential: probability that the criteria give this label "
                                         "once the unknown findings are known"})
    risk = {
        "resourceType": "RiskAssessment",
        "id": risk_id,
        "meta": {"lastUpdated": instant},
        "status": "final",
        "method": {"coding": [{"system": METHOD_SYSTEM, "code": "myoclass", "display": "myoclass classification"}],
                   "text": versions},
        "subject": subject,
        "occurrenceDateTime": instant,
        "condition": {"reference": f"Condition/{condition_id}"},
        "basis": [{"reference": _ref(r)} for r in inputs if _ref(r) != patient],
        "prediction": predictions,
        "note": [{"text": f"Classified by {versions}."}],
    }

    bundle = {
        "resourceType": "Bundle",
        "id": new_id("Bundle"),
        "meta": {"lastUpdated": instant},
        "type": "collection",
        "timestamp": instant,
        "entry": [*(_entry(r) for r in inputs), _entry(_prune(condition)), _entry(_prune(risk))],
    }
    return bundle
