"""The registry's REST endpoints, behind API tokens (issue 15): ``Authorization: Bearer <token>``.

* ``GET /api/v1/patients``: every patient with the last visit's date, labels and CK (any role);
* ``GET /api/v1/patients/{code}``: the patient's timeline: visits with CK × ULN, MMT-8, the core set measures, the
  TIS against baseline with its category, the stored labels and differential, and the treatments (any role);
* ``POST /api/v1/patients/{code}/visits``: one visit (an import row as JSON, ``docs/registry.md``; its
  ``patient_code``, if given, must be the path's), saved and assessed; 201 when new, 200 when it replaced the
  visit of that date (clinician, admin).

Without a token, or with a wrong or revoked one: 401 with ``WWW-Authenticate: Bearer``; a role not allowed: 403.
Errors have the app's one shape, ``{"errors": [{"field", "message"}]}``. Session cookies are not accepted here
(a cross-site page cannot make the browser send a bearer token, so these endpoints need no CSRF token). The
endpoints are left out of ``/openapi.json`` for now (the schema-driven fuzz test would need a token); this
docstring and docs/registry-web.md describe them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from myoclass.errors import InvalidCase, NotFound
from myoclass.io.json import DecodeError, TooDeep, loads
from myoclass.registry import service
from myoclass.web.api import is_json_type, require_json_accept
from myoclass.web.app import errors_response
from myoclass.web.auth import Action, Principal, bearer_token, principal_for, registry_web

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", include_in_schema=False, dependencies=[Depends(require_json_accept)])


def _unauthorised(message: str) -> JSONResponse:
    return errors_response([{"field": "Authorization", "message": message}], 401,
                   {"WWW-Authenticate": 'Bearer realm="myoclass registry"'})


async def _principal(request: Request, action: Action) -> Principal | JSONResponse:
    token = bearer_token(request)
    if token is None:
        return _unauthorised("an API token is required; allowed: Authorization: Bearer <token> (an administrator "
                             "creates tokens on /registry/users)")
    if len(token) > 200:
        return _unauthorised("the API token is not valid or was revoked")
    rw = registry_web(request)
    user = await run_in_threadpool(lambda: service.verify_token(rw.registry(), token))
    if user is None or user.disabled:
        return _unauthorised("the API token is not valid or was revoked")
    me = principal_for(user, "token")
    if not me.may(action):
        return errors_response([{"field": "(role)", "message": f"the role {me.role} may not do this; allowed: "
                         + ("clinician, admin" if action == "write" else "clinician, researcher, admin")}], 403)
    return me


def _plain(value: Any) -> Any:
    """Dataclasses, dates and nested containers as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@router.get("/patients")
async def list_patients(request: Request) -> Response:
    """Every patient, by code, with the last visit's date, labels and CK (× ULN)."""
    me = await _principal(request, "read")
    if isinstance(me, Response):
        return me
    found = await run_in_threadpool(service.list_patients, registry_web(request).registry())
    return JSONResponse({"patients": _plain(found)})


@router.get("/patients/{code}")
async def patient(request: Request, code: str) -> Response:
    """The patient's timeline (visits in date order, treatments)."""
    me = await _principal(request, "read")
    if isinstance(me, Response):
        return me
    try:
        t = await run_in_threadpool(service.patient_timeline, registry_web(request).registry(), code)
    except NotFound:
        return errors_response([{"field": "code", "message": "no patient with this code"}], 404)
    return JSONResponse(_plain(t))


@router.post("/patients/{code}/visits")
async def add_visit(request: Request, code: str) -> Response:
    """One visit of the patient (created with its first visit): the import row's keys, JSON types."""
    me = await _principal(request, "write")
    if isinstance(me, Response):
        return me
    if not is_json_type(request.headers.get("content-type"), ("application/json",)):
        return errors_response([{"field": "Content-Type", "message": "allowed: application/json (UTF-8)"}], 415)
    try:
        data = loads(await request.body())
    except (DecodeError, TooDeep) as e:
        return errors_response([{"field": "(body)", "message": f"not valid JSON: {type(e).__name__}"}], 422)
    if not isinstance(data, dict):
        return errors_response([{"field": "(body)", "message": "expected a JSON object: one visit (see docs/registry.md)"}], 422)
    if data.setdefault("patient_code", code) != code:
        return errors_response([{"field": "patient_code", "message": "differs from the code in the path; allowed: the same "
                                                             "code, or none"}], 422)
    try:
        saved, when, created = await run_in_threadpool(service.save_visit, registry_web(request).registry(), data,
                                                       me.name)
    except InvalidCase as e:
        return errors_response(e.to_dict(), 422)
    return JSONResponse({"patient_code": saved, "visit_date": when.isoformat(), "created": created},
                        status_code=201 if created else 200)
