"""REST API under ``/api/v1``: the same library calls as the CLI, as JSON over HTTP.

Errors are JSON ``{"errors": [{"field": ..., "message": ...}]}`` naming the field and what is allowed,
never a stack trace. ``POST /assess`` takes one flat case (-> one assessment) or a list of up to
``Settings.max_cases`` cases and ``Settings.max_work`` work units (-> a list of the same length, in
which a rejected case is ``{"index", "case_id", "errors"}`` and never costs the other cases their
assessment). POST bodies must be ``application/json`` (or ``application/fhir+json``), else 415: a
web page cannot send that type to another origin without the browser asking first (CORS preflight,
which this app never grants), so a page a clinician visits cannot post cases to their local server.
Decoding, validation, assessment and encoding run in the app's bounded worker pool
(:mod:`myoclass.web.work`), not on the event loop (``Settings.inline_work`` can let a small body skip the
thread hop; off by default).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from myoclass.criteria import describe
from myoclass.examples import example_cases
from myoclass.followup import mmt8, total_improvement_score
from myoclass.io.inputs import assessment_as_fhir, input_of, input_report
from myoclass.io.json import (
    DecodeError,
    RepeatedKey,
    TooDeep,
    dumps,
    loads,
    not_utf8,
    repeated_keys_of_items,
    too_deep_for_the_decoder,
)
from myoclass.model.assessment import assessment_json_schema
from myoclass.model.case import InvalidCase, case_id_of, case_json_schema, show, unknown_key_problems
from myoclass.reasoning.assess import assess_case
from myoclass.web.app import errors_response
from myoclass.web.negotiation import JSON_FAMILY, not_acceptable, prefers_fhir
from myoclass.web.work import CASE_BASE_COST, UNKNOWN_KEY_COST, WorkPool, case_cost, list_cost

if TYPE_CHECKING:
    from myoclass.web.app import Settings

__all__ = ["JSON_MEDIA_TYPES", "is_json_type", "require_json_accept", "router"]

#: the request media types the POST endpoints accept (a charset parameter, if any, must be UTF-8)
JSON_MEDIA_TYPES = ("application/json", "application/fhir+json")

_CASE_REF = {"$ref": "#/components/schemas/FlatCase"}
#: a FHIR R4 chart: a Bundle (searchset, collection, ...) or one resource (validated by the reader, which names
#: what it could not map; the R4 JSON schema is not served here)
_FHIR_CHART = {"type": "object", "required": ["resourceType"], "properties": {"resourceType": {"type": "string"}},
               "description": "A FHIR R4 resource: a Bundle of the patient's resources, or one resource"}
_FHIR_BUNDLE = {"type": "object", "required": ["resourceType", "type"],
                "properties": {"resourceType": {"const": "Bundle"}, "type": {"const": "collection"}}}


def _errors(problems: list[dict[str, str]], status: int = 422) -> JSONResponse:
    return errors_response(problems, status)


class _JSONText(JSONResponse):
    """JSON already encoded by :func:`myoclass.io.json.dumps` (documented as ``application/json``)."""

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return content.encode("utf-8") if isinstance(content, str) else super().render(content)


def is_json_type(raw: str | None, allowed: tuple[str, ...] = JSON_MEDIA_TYPES) -> bool:
    """Whether a Content-Type header declares one of ``allowed`` in UTF-8 (no charset, or ``charset=utf-8``): the one
    check of the REST API, the registry API and the CDS Hooks services."""
    if raw is None:
        return False
    media, *params = raw.split(";")
    charset = None
    for p in params:
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip('"').lower()
    return media.strip().lower() in allowed and charset in (None, "utf-8", "utf8")


def _unsupported_type(request: Request) -> JSONResponse | None:
    """415 unless the body is declared JSON in UTF-8 (``application/json``, ``...; charset=utf-8``)."""
    raw = request.headers.get("content-type")
    if is_json_type(raw):
        return None
    shown = "a missing Content-Type" if raw is None else f"Content-Type {show(raw)}"
    return _errors([{"field": "Content-Type", "message": f"{shown} is not accepted; allowed: application/json, "
                     "application/json; charset=utf-8, application/fhir+json"}], 415)


#: bodies up to this size are decoded on the event loop (orjson: well under 0.1 ms), larger ones in the pool
_INLINE_DECODE_BYTES = 16_384


def _answer(work: Callable[[Any, str, Settings], Response], body: bytes, what: str, settings: Settings,
            per_item: bool = False) -> Response:
    """Decode ``body`` and answer with ``work`` (in a worker thread)."""
    try:
        data = _decode(body, what, per_item)
    except _Refused as refused:
        return refused.response
    return work(data, what, settings)


async def _run(request: Request, work: Callable[[Any, str, Settings], Response], what: str,
               cost: Callable[[Any], int] | None = None, per_item: bool = False) -> Response:
    """Check the media type, read the body, and answer with ``work(data, what, settings)`` in the worker pool.

    An opt-in exception: a small body whose work ``cost`` (work units, see :mod:`myoclass.web.work`) is at
    most ``Settings.inline_work`` (default 0: none) is answered on the event loop, saving a thread hop
    (about 0.2 ms) but bypassing the pool's limit."""
    refused = _unsupported_type(request)
    if refused is not None:
        return refused
    body = await request.body()
    settings: Settings = request.app.state.settings
    pool: WorkPool = request.app.state.pool
    if len(body) > _INLINE_DECODE_BYTES:
        return await pool.run(_answer, work, body, what, settings, per_item)
    try:
        data = _decode(body, what, per_item)
    except _Refused as r:
        return r.response
    units = cost(data) if cost is not None else None
    if units is not None and units <= settings.inline_work:
        return work(data, what, settings)
    if units is not None and units <= settings.single_work:  # one case: its own lane, never behind a list
        single: WorkPool = request.app.state.single_pool
        return await single.run(work, data, what, settings)
    return await pool.run(work, data, what, settings)


class _Refused(Exception):
    """The body cannot be decoded; ``response`` says why."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__("refused")
        self.response = response


class _RepeatedItem:
    """An item of a list body that gives a key twice: answered as that item's error, the others assessed."""

    def __init__(self, path: str, case_id: str | None) -> None:
        self.path = path
        self.case_id = case_id


def _per_item(body: bytes) -> list[Any] | None:
    """A list body whose items give a key twice: each such item replaced by a :class:`_RepeatedItem` (None when
    the body is not a list, or the repeat is not inside an item)."""
    data = loads(body, unique=False)
    repeats = repeated_keys_of_items(body, len(data)) if isinstance(data, list) else None
    if repeats is None:
        return None
    return [obj if where is None else _RepeatedItem(where, case_id_of(obj))
            for obj, where in zip(data, repeats, strict=True)]


def _decode(body: bytes, what: str, per_item: bool = False) -> Any:
    """The decoded body, or :class:`_Refused` with a 422 naming the problem (and the field, for a value
    nested too deep). ``per_item``: in a list body, an item that gives a key twice becomes a
    :class:`_RepeatedItem` instead of refusing the whole list."""
    if not body.strip():
        raise _Refused(_errors([{"field": "(body)", "message": f"{what} is required"}]))
    def too_deep(e: TooDeep) -> _Refused:
        return _Refused(_errors([{"field": e.path, "message": f"nested more than {e.limit} levels deep; allowed: a flat "
                                  "value (true, false, a number, a string or null)"}]))

    try:
        return loads(body)
    except TooDeep as e:
        raise too_deep(e) from None
    except RepeatedKey as e:  # decoders keep one of the two silently: refused by name
        items = _per_item(body) if per_item and e.path.startswith("[") else None
        if items is not None:
            return items
        raise _Refused(_errors([{"field": e.path, "message": RepeatedKey.MESSAGE}])) from None
    except DecodeError as e:
        bad_text = not_utf8(body)  # say so, where: the decoder's message names another position
        if bad_text is not None:
            raise _Refused(_errors([{"field": "(body)", "message": f"{bad_text}; allowed: {what}, as UTF-8"}])) from None
        deep = too_deep_for_the_decoder(e)  # the decoder's own guard, far past MAX_DEPTH
        if deep is not None:
            raise too_deep(deep) from None
        raise _Refused(_errors([{"field": "(body)", "message": f"not valid JSON ({str(e)[:200]}); allowed: {what}"}])) from None


#: the assessment: a component generated from :mod:`myoclass.model.assessment` (:func:`assessment_components`)
_ASSESSMENT_SCHEMA: dict[str, Any] = {"$ref": "#/components/schemas/Assessment"}
_ERRORS_LIST: dict[str, Any] = {"type": "array", "items": {
    "type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
_ERRORS_SCHEMA = {"type": "object", "properties": {"errors": _ERRORS_LIST}}
#: a rejected case in the list answer of POST /assess
_REJECTED_CASE_SCHEMA = {"type": "object", "required": ["index", "case_id", "errors"], "additionalProperties": False,
                         "properties": {"index": {"type": "integer", "minimum": 0},
                                        "case_id": {"type": ["string", "null"]},
                                        "errors": _ERRORS_LIST}}


def _errors_doc(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERRORS_SCHEMA}}}


#: the answers every POST endpoint may give besides its own
_POST_ERRORS: dict[str, Any] = {
    "413": _errors_doc("Body too large (also when chunked)"),
    "415": _errors_doc("Content-Type is not application/json (or application/fhir+json)"),
    "503": {**_errors_doc("Every worker is busy and the queue is full; retry after Retry-After seconds"),
            "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}},
}



def require_json_accept(request: Request) -> None:
    """406 (field ``Accept``) unless the request's Accept header admits JSON (plain or FHIR JSON,
    :data:`~myoclass.web.negotiation.JSON_FAMILY`): every ``/api/v1`` endpoint answers JSON, and
    ``POST /api/v1/assess`` a FHIR Bundle when FHIR JSON is preferred (:func:`~myoclass.web.negotiation.prefers_fhir`)."""
    refused = not_acceptable(request.headers.get("accept"), JSON_FAMILY)
    if refused is not None:
        raise StarletteHTTPException(406, detail=refused)


router = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(require_json_accept)], responses={
    400: _errors_doc("The Host header names a host this server does not serve (see --allowed-host)"),
    406: _errors_doc("The Accept header admits no JSON (application/json, application/fhir+json or "
                     "application/json+fhir)")})


@router.post(
    "/assess",
    summary="Assess one flat case, or a list of them",
    response_class=_JSONText,
    openapi_extra={
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"oneOf": [
                _CASE_REF, _FHIR_CHART, {"type": "array", "items": {"anyOf": [_CASE_REF, _FHIR_CHART]}}]}},
            "application/fhir+json": {"schema": _FHIR_CHART}}},  # maxItems: the app's own limit
        "responses": {
            "200": {"description": "The assessment (or a list: assessments, or per-case errors); with Accept: "
                                   "application/fhir+json, a FHIR R4 Bundle (collection) per case, and for a list "
                                   "one Bundle of type batch-response: each case's Bundle (200) or an "
                                   "OperationOutcome (422) in the order given",
                    "content": {"application/json": {"schema": {"oneOf": [
                        _ASSESSMENT_SCHEMA,
                        {"type": "array", "items": {"anyOf": [_ASSESSMENT_SCHEMA, _REJECTED_CASE_SCHEMA]}}]}},
                        "application/fhir+json": {"schema": _FHIR_BUNDLE}}},
            **_POST_ERRORS,
            "413": _errors_doc("Body too large, or a list of too many cases or too much work (see the limits above: "
                               "split the list or use `myoclass batch`)"),
            "422": _errors_doc("Invalid case, not JSON, or nested too deep: every problem names its field"),
        },
    },
)
async def assess(request: Request) -> Response:
    """One case in, one assessment (assessment contract v1) out; or a list in, a list out, where a rejected
    case is ``{"index", "case_id", "errors"}``. A case is a flat case (data dictionary v1) or a FHIR R4 chart
    (a Bundle, e.g. a ``searchset``, or one resource), told apart by its content, or declared FHIR by
    ``Content-Type: application/fhir+json``; a chart's assessment carries ``input`` (the fields read, with
    their resources, and every item not mapped). With ``Accept: application/fhir+json`` each assessment
    comes as a FHIR R4 Bundle (collection: a Condition and a RiskAssessment pointing at the chart's
    resources), and a list as one Bundle of type ``batch-response`` (each case's Bundle with status 200, or a
    rejected case's OperationOutcome with status 422, in the order given). A list is limited by its number of
    cases and by its total work (the limits in the description above): an empty case costs more than a typical
    one, as every unknown finding widens the search and lengthens the report."""
    declared = _declared_fhir(request.headers.get("content-type"))
    as_bundle = prefers_fhir(request.headers.get("accept"))

    def work(data: Any, what: str, settings: Settings) -> Response:
        return _assess_data(data, what, settings, declared, as_bundle)

    return await _run(request, work, "a JSON object (one case: flat or FHIR) or an array of cases", _assess_cost,
                      per_item=True)


def _declared_fhir(content_type: str | None) -> bool | None:
    """True when the body is declared FHIR (``application/fhir+json``), else None (told from the content)."""
    media = (content_type or "").split(";")[0].strip().lower()
    return True if media == "application/fhir+json" else None


def _assess_cost(data: Any) -> int:
    return list_cost(data) if isinstance(data, list) else case_cost(data)


def _assess_one(obj: Any, declared: bool | None, as_bundle: bool) -> dict[str, Any]:
    """One case (flat or FHIR) → its assessment (or its FHIR Bundle); raises InvalidCase."""
    inp = input_of(obj, fhir=declared)
    a = assess_case(inp.case)
    if inp.format != "flat":
        a["input"] = input_report(inp)
    return assessment_as_fhir(a, inp) if as_bundle else a


def _batch_entry(item: dict[str, Any]) -> dict[str, Any]:
    """One case of a list answered in FHIR: its assessment Bundle with status 200, or, for a rejected case, status
    422 and an OperationOutcome with one issue per problem (the diagnostics name the case by its place in the list
    and its case_id, then the field and the message)."""
    if item.get("resourceType") == "Bundle":
        return {"resource": item, "response": {"status": "200 OK"}}
    who = f"case {item['index']}" + (f" ({item['case_id']})" if item.get("case_id") else "")
    issues = [{"severity": "error", "code": "invalid", "diagnostics": f"{who}: {e['field']}: {e['message']}"}
              for e in item["errors"]]
    return {"response": {"status": "422 Unprocessable Entity",
                         "outcome": {"resourceType": "OperationOutcome", "issue": issues}}}


def _assess_data(data: Any, what: str, settings: Settings, declared: bool | None = None,
                 as_bundle: bool = False) -> Response:
    """POST /assess after decoding: check the limits, validate, assess, encode."""
    media = "application/fhir+json" if as_bundle else "application/json"
    if isinstance(data, list):
        if len(data) > settings.max_cases:
            return _errors([{"field": "(body)", "message": f"{len(data):,} cases; allowed: at most {settings.max_cases:,} "
                             "per request (split the list or use `myoclass batch`)"}], 413)
        cost = list_cost(data)
        if cost > settings.max_work:
            return _errors([{"field": "(body)", "message": (
                f"this list is {cost:,} work units ({len(data):,} cases; a case costs {CASE_BASE_COST} plus one per "
                f"unknown finding, or {UNKNOWN_KEY_COST} per key not in the data dictionary); allowed: at most "
                f"{settings.max_work:,} work units per request: split the list or use `myoclass batch`")}], 413)
        # Each item encoded on its own: the GIL is never held by one long encode of the whole list (which
        # would stall the event loop), and each assessment is freed as soon as it is encoded.
        parts: list[bytes] = []
        for i, obj in enumerate(data):
            if isinstance(obj, _RepeatedItem):
                item: dict[str, Any] = {"index": i, "case_id": obj.case_id, "errors": [
                    {"field": obj.path, "message": RepeatedKey.MESSAGE}]}
            else:
                try:
                    item = _assess_one(obj, declared, as_bundle)
                except InvalidCase as e:
                    item = {"index": i, "case_id": case_id_of(obj), "errors": e.to_dict()}
            if as_bundle:  # a FHIR answer is one resource: each case an entry of a batch-response Bundle
                item = _batch_entry(item)
            parts.append(dumps(item).encode("utf-8"))
        if as_bundle:
            return _JSONText(b'{"resourceType":"Bundle","type":"batch-response","entry":[' + b",".join(parts) + b"]}",
                             media_type=media)
        return _JSONText(b"[" + b",".join(parts) + b"]", media_type=media)
    try:
        one = _assess_one(data, declared, as_bundle)
    except InvalidCase as e:
        return _errors(e.to_dict())
    return _JSONText(dumps(one).encode("utf-8"), media_type=media)


@router.get("/criteria", summary="Every criteria set with items, weights, citations and verification status")
def criteria() -> list[dict[str, Any]]:
    return describe()


@router.get("/schema/case", summary="JSON Schema of the flat case (data dictionary v1)")
def schema_case() -> dict[str, Any]:
    return case_json_schema()


@router.get("/examples", summary="Names of the bundled example cases")
def examples() -> list[dict[str, str]]:
    return [{"name": n, "case_id": c.get("case_id", "")} for n, c in example_cases().items()]


@router.get("/examples/{name}", summary="One bundled example case (a flat case)",
            responses={404: _errors_doc("No such example")})
def example(name: str) -> Any:
    ex = example_cases()
    if name not in ex:
        return _errors([{"field": "name", "message": f"no example named {show(name)}; allowed: {', '.join(ex)}"}], 404)
    return ex[name]


_VISIT = {"type": "object", "properties": {
    "physician_global": {"type": ["number", "null"], "minimum": 0, "maximum": 10},
    "patient_global": {"type": ["number", "null"], "minimum": 0, "maximum": 10},
    "extramuscular": {"type": ["number", "null"], "minimum": 0, "maximum": 10},
    "haq": {"type": ["number", "null"], "minimum": 0, "maximum": 3},
    "mmt": {"type": ["number", "null"], "minimum": 0},
    "mmt_scale": {"enum": ["mmt8_unilateral", "mmt8_bilateral", "cmas"]},
    "enzyme_u_l": {"type": ["number", "null"], "minimum": 0},
    "enzyme_uln_u_l": {"type": ["number", "null"], "exclusiveMinimum": 0},
    "enzyme_name": {"type": ["string", "null"]}}, "additionalProperties": False}
_TIS_KEYS = ("baseline", "followup", "population")


@router.post(
    "/tis",
    summary="2016 ACR/EULAR Total Improvement Score between two visits",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["baseline", "followup"],
        "properties": {"baseline": _VISIT, "followup": _VISIT, "population": {"enum": ["adult", "juvenile"]}}}}}},
        "responses": {**_POST_ERRORS, "422": _errors_doc("Invalid measures")}},
)
async def tis(request: Request) -> Response:
    """``{"baseline": {...}, "followup": {...}, "population": "adult"|"juvenile"}``; a missing measure is
    reported and makes the score a range, never zero change."""
    return await _run(request, _tis_data, "a JSON object with baseline and followup")


def _tis_data(data: Any, what: str, settings: Settings) -> Response:
    if not isinstance(data, dict):
        return _errors([{"field": "(body)", "message": f"{what} is required"}])
    unknown = [k for k in data if k not in _TIS_KEYS]
    if unknown:
        return _errors([p.to_dict() for p in unknown_key_problems(unknown, _TIS_KEYS, "key", ", ".join(_TIS_KEYS))])
    try:
        r = total_improvement_score(data.get("baseline"), data.get("followup"), data.get("population", "adult"))
    except InvalidCase as e:
        return _errors(e.to_dict())
    return _JSONText(dumps(r).encode("utf-8"))


_GRADE = {"type": ["integer", "null"], "minimum": 0, "maximum": 10}
_MMT8_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "side": {"enum": ["right", "left", None]},
    "neck_flexors": _GRADE,
    **{m: {"oneOf": [_GRADE, {"type": "object", "additionalProperties": False,
                              "properties": {"right": _GRADE, "left": _GRADE}}]}
       for m in ("deltoid_middle", "biceps_brachii", "wrist_extensors", "gluteus_maximus", "gluteus_medius",
                 "quadriceps", "ankle_dorsiflexors")}}}


@router.post(
    "/mmt8",
    summary="MMT-8 total from Kendall grades",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _MMT8_BODY}}},
                   "responses": {**_POST_ERRORS, "422": _errors_doc("Invalid grades")}},
)
async def mmt8_total(request: Request) -> Response:
    """Each of the eight muscle groups with a grade 0-10, or ``{"right", "left"}`` for bilateral testing."""
    return await _run(request, _mmt8_data, "a JSON object of muscle grades")


def _mmt8_data(data: Any, what: str, settings: Settings) -> Response:
    try:
        r = mmt8(data)
    except InvalidCase as e:
        return _errors(e.to_dict())
    return _JSONText(dumps(r).encode("utf-8"))


def flat_case_component() -> dict[str, Any]:
    """The flat case schema as an OpenAPI component (JSON Schema draft 2020-12 keywords)."""
    s = case_json_schema()
    return {k: v for k, v in s.items() if k != "$schema"}


def assessment_components() -> dict[str, dict[str, Any]]:
    """The assessment as OpenAPI components: ``Assessment`` and every object it refers to, generated from the
    typed assessment (:func:`myoclass.model.assessment.assessment_json_schema`)."""
    s = assessment_json_schema(ref_template="#/components/schemas/{model}")
    defs: dict[str, dict[str, Any]] = s.pop("$defs", {})
    s.pop("$schema", None)
    return {"Assessment": s, **defs}
