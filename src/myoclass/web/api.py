"""REST API under ``/api/v1``: the same library calls as the CLI, as JSON over HTTP.

Errors are JSON ``{"errors": [{"field": ..., "message": ...}]}`` naming the field (422), never a
stack trace. ``POST /assess`` takes one flat case (-> one assessment) or a list of up to
``Settings.max_cases`` (-> a list of the same length, in which a rejected case is
``{"index", "case_id", "errors"}`` and never costs the other cases their assessment).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from myoclass.criteria import describe
from myoclass.examples import example_cases
from myoclass.followup import mmt8, total_improvement_score
from myoclass.io._json import DecodeError, dumps, loads
from myoclass.model.case import InvalidCase, case_id_of, case_json_schema, parse_case
from myoclass.reasoning.assess import assess_case

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"])

_CASE_REF = {"$ref": "#/components/schemas/FlatCase"}


def _errors(problems: list[dict[str, str]], status: int = 422) -> JSONResponse:
    return JSONResponse({"errors": problems}, status_code=status)


class _JSONText(JSONResponse):
    """JSON already encoded by :func:`myoclass.io._json.dumps` (documented as ``application/json``)."""

    def render(self, content: Any) -> bytes:
        return content.encode("utf-8") if isinstance(content, str) else super().render(content)


async def _json_body(request: Request) -> Any:
    body = await request.body()
    if not body.strip():
        raise _BadJSON(None)
    try:
        return loads(body)
    except DecodeError as e:
        raise _BadJSON(str(e)) from None


class _BadJSON(Exception):
    """The request body is empty (``reason`` None) or not JSON (``reason``: the parser's message)."""

    def __init__(self, reason: str | None) -> None:
        super().__init__(reason)
        self.reason = reason


_ASSESSMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["schema_version", "case_id", "summary", "criteria", "next_tests", "guidance", "warnings", "versions"],
    "properties": {
        "schema_version": {"type": "string"},
        "case_id": {"type": ["string", "null"]},
        "summary": {"type": "object"},
        "criteria": {"type": "object"},
        "next_tests": {"type": "array"},
        "guidance": {"type": "array"},
        "warnings": {"type": "array"},
        "versions": {"type": "object"},
    },
}
_ERRORS_SCHEMA = {"type": "object", "properties": {"errors": {"type": "array", "items": {
    "type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}}}


@router.post(
    "/assess",
    summary="Assess one flat case, or a list of them",
    response_class=_JSONText,
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "oneOf": [_CASE_REF, {"type": "array", "items": _CASE_REF}]}}}},  # maxItems: the app's own limit
        "responses": {
            "200": {"description": "The assessment (or a list: assessments, or per-case errors)",
                    "content": {"application/json": {"schema": {"oneOf": [
                        _ASSESSMENT_SCHEMA, {"type": "array", "items": {"type": "object"}}]}}}},
            "413": {"description": "Body or list too large", "content": {"application/json": {"schema": _ERRORS_SCHEMA}}},
            "422": {"description": "Invalid case: every problem names its field",
                    "content": {"application/json": {"schema": _ERRORS_SCHEMA}}},
        },
    },
)
async def assess(request: Request) -> Response:
    """One flat case (data dictionary v1) in, one assessment (assessment contract v1) out; or a list of up
    to 1000 cases (the server's limit) in, a list out, where a rejected case is ``{"index", "case_id", "errors"}``."""
    try:
        body = await _json_body(request)
    except _BadJSON as e:
        return _errors([{"field": "(body)", "message": f"not valid JSON ({e.reason})" if e.reason
                         else "a JSON object (one case) or an array of cases is required"}])
    if isinstance(body, list):
        limit = request.app.state.settings.max_cases
        if len(body) > limit:
            return _errors([{"field": "(body)", "message": f"{len(body)} cases; at most {limit} per request"}], 413)
        out: list[Any] = []
        for i, obj in enumerate(body):
            try:
                out.append(assess_case(parse_case(obj)))
            except InvalidCase as e:
                out.append({"index": i, "case_id": case_id_of(obj), "errors": e.to_dict()})
        return _JSONText(dumps(out))
    try:
        case = parse_case(body)
    except InvalidCase as e:
        return _errors(e.to_dict())
    return _JSONText(dumps(assess_case(case)))


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
            responses={404: {"description": "No such example", "content": {"application/json": {"schema": _ERRORS_SCHEMA}}}})
def example(name: str) -> Any:
    ex = example_cases()
    if name not in ex:
        return _errors([{"field": "name", "message": f"no example named {name!r}; allowed: {', '.join(ex)}"}], 404)
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


@router.post(
    "/tis",
    summary="2016 ACR/EULAR Total Improvement Score between two visits",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["baseline", "followup"],
        "properties": {"baseline": _VISIT, "followup": _VISIT, "population": {"enum": ["adult", "juvenile"]}}}}}},
        "responses": {"422": {"description": "Invalid measures", "content": {"application/json": {"schema": _ERRORS_SCHEMA}}}}},
)
async def tis(request: Request) -> Response:
    """``{"baseline": {...}, "followup": {...}, "population": "adult"|"juvenile"}``; a missing measure is
    reported and makes the score a range, never zero change."""
    try:
        body = await _json_body(request)
    except _BadJSON:
        return _errors([{"field": "(body)", "message": "a JSON object with baseline and followup is required"}])
    if not isinstance(body, dict):
        return _errors([{"field": "(body)", "message": "a JSON object with baseline and followup is required"}])
    unknown = set(body) - {"baseline", "followup", "population"}
    if unknown:
        return _errors([{"field": k, "message": "unknown key; allowed: baseline, followup, population"} for k in unknown])
    try:
        r = total_improvement_score(body.get("baseline"), body.get("followup"), body.get("population", "adult"))
    except InvalidCase as e:
        return _errors(e.to_dict())
    return _JSONText(dumps(r))


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
                   "responses": {"422": {"description": "Invalid grades",
                                         "content": {"application/json": {"schema": _ERRORS_SCHEMA}}}}},
)
async def mmt8_total(request: Request) -> Response:
    """Each of the eight muscle groups with a grade 0-10, or ``{"right", "left"}`` for bilateral testing."""
    try:
        body = await _json_body(request)
        r = mmt8(body)
    except _BadJSON:
        return _errors([{"field": "(body)", "message": "a JSON object of muscle grades is required"}])
    except InvalidCase as e:
        return _errors(e.to_dict())
    return _JSONText(dumps(r))


def flat_case_component() -> dict[str, Any]:
    """The flat case schema as an OpenAPI component (JSON Schema draft 2020-12 keywords)."""
    s = case_json_schema()
    return {k: v for k, v in s.items() if k != "$schema"}
