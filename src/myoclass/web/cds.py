"""CDS Hooks 2.0.1 services: myoclass in the EHR (``docs/cds-hooks.md``).

- ``GET /cds-services``: discovery, three services with their prefetch templates;
- ``POST /cds-services/myoclass-patient-view`` (``patient-view``): the chart is read (prefetch, else the
  client's FHIR server, else 412), mapped to a flat case (:func:`myoclass.io.fhir.read_fhir`) and assessed; one
  card: the leading label and the one next test, a link to the workspace;
- ``POST /cds-services/myoclass-statin-order-sign`` (``order-sign``) and ``.../myoclass-statin-order-select``
  (``order-select``): a draft statin order for a patient with anti-HMGCR antibodies or a likely IMNM gets a
  warning card with the cited reason, override reasons and a suggestion to delete the order; otherwise
  ``{"cards": []}``;
- ``POST /cds-services/{id}/feedback``: the card's outcome, validated and kept in a bounded log (no patient data);
- ``GET /cds/open/{token}``: the workspace, filled with the case of a card. The link carries no case data: the
  case is kept in memory under an unguessable token for ``CdsSettings.link_ttl_seconds``, then 404.

Every CDS call is authenticated by the client's signed JWT (:mod:`myoclass.web.cds_auth`) unless
``CdsSettings.jwt_verify`` (``MYOCLASS_CDS_JWT_VERIFY``) is off. Every error is a FHIR OperationOutcome, never a
stack trace. Bodies are bounded as for the REST API (``Settings.max_body_bytes``, nesting depth), and the work runs
in the app's worker pool. JSON sent omits optional fields without a value (the one exception: ``{"cards": []}``).
Nothing here logs patient data, a token or a URL with a patient id in it.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import os
import re
import secrets
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from myoclass import __version__, assess
from myoclass.errors import InvalidCase
from myoclass.io.fhir import medication_class, read_fhir
from myoclass.io.fhir.codes import HPO, LOINC, MYOCLASS, code_entries
from myoclass.io.inputs import with_muscle_signs
from myoclass.io.json import DecodeError, TooDeep, dumps, loads
from myoclass.model.case import parse_case
from myoclass.model.ck import CK_ULN_CEILING_U_L, ages_of, ceiling_applies
from myoclass.model.fields import ANTIBODIES, FIELDS
from myoclass.reasoning.guidance import GUIDANCE, GuidanceContext
from myoclass.reasoning.text import (
    LABEL_IN_LIST,
    LABEL_TEXT,
    NO_LABEL_LIKELY,
    SET_SHORT,
    ck_without_uln,
    finding_name,
    first_steps,
    imnm_share,
    label_name,
    leading_share,
    no_label_likely,
    settled_by_words,
    share,
    step_text,
    still_possible,
    urgent_guidance,
)
from myoclass.web.api import JSON_MEDIA_TYPES, is_json_type
from myoclass.web.cds_auth import AuthError, Verifier
from myoclass.web.fhir_fetch import Fetcher, FetchError, fill_template, server_allowed
from myoclass.web.negotiation import JSON_FAMILY, not_acceptable
from myoclass.web.outcome import operation_outcome
from myoclass.web.pages import workspace_filled
from myoclass.web.work import WorkPool

__all__ = [
    "CDS_MAX_DEPTH",
    "PREFETCH",
    "SERVICES",
    "CdsSettings",
    "CdsState",
    "LinkStore",
    "Service",
    "cds_state",
    "imnm_likely",
    "patient_view_summary",
    "router",
    "severity_signs",
]

_log = logging.getLogger("myoclass.web")

#: the deepest nesting accepted in a CDS request (FHIR resources nest deeper than a flat case)
CDS_MAX_DEPTH = 40
#: the longest card summary the specification allows is 139 characters ("<140")
SUMMARY_LIMIT = 140

# --- settings -------------------------------------------------------------------------------------------------

_ENV_PREFIX = "MYOCLASS_CDS_"


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclasses.dataclass(frozen=True)
class CdsSettings:
    """The CDS Hooks settings; each field is also read from the environment variable ``MYOCLASS_CDS_<NAME>``
    (:meth:`from_env`; lists comma-separated, booleans 1/0, true/false, yes/no, on/off)."""

    #: verify the CDS client's signed JWT on every CDS Hooks call (401 otherwise); turn off only for a local trial
    jwt_verify: bool = True
    #: JWT issuers (``iss``) accepted; an issuer named in ``issuer_jwks`` is accepted too
    allowed_issuers: tuple[str, ...] = ()
    #: each ``"<issuer> <JWK Set URL or file>"``: where the public keys are for an issuer's JWTs that name no ``jku``
    issuer_jwks: tuple[str, ...] = ()
    #: JWK Set URLs a JWT's ``jku`` header may name (exact match)
    allowed_jku: tuple[str, ...] = ()
    #: the public base URL of this server (``https://cds.example.org``): the JWT audience and the card links are
    #: built from it; empty, the default: from the request's own URL
    public_base_url: str = ""
    #: FHIR servers (base URLs) a call's ``fhirServer`` may name for fetching what was not prefetched; "*" any.
    #: Empty, the default: nothing is fetched (412 when the prefetch is incomplete)
    fhir_servers: tuple[str, ...] = ()
    #: browser origins allowed to call the CDS endpoints (CORS), e.g. https://sandbox.cds-hooks.org
    cors_origins: tuple[str, ...] = ()
    #: seconds a card's workspace link stays open
    link_ttl_seconds: int = 900

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CdsSettings:
        """The settings from ``MYOCLASS_CDS_*`` environment variables; the defaults for those not set."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        defaults = cls()
        for f in dataclasses.fields(cls):
            raw = env.get(f"{_ENV_PREFIX}{f.name.upper()}")
            if raw is None:
                continue
            default = getattr(defaults, f.name)
            if isinstance(default, tuple):
                values[f.name] = tuple(x.strip() for x in raw.split(",") if x.strip())
            elif isinstance(default, bool):
                word = raw.strip().lower()
                if word not in _TRUE + _FALSE:  # a typo must never turn verification off
                    raise ValueError(f"{_ENV_PREFIX}{f.name.upper()}={raw!r}; allowed: {', '.join(_TRUE + _FALSE)}")
                values[f.name] = word in _TRUE
            elif isinstance(default, int):
                if not raw.strip().isdigit():
                    raise ValueError(f"{_ENV_PREFIX}{f.name.upper()}={raw!r}; allowed: a whole number of seconds")
                values[f.name] = int(raw)
            else:
                values[f.name] = raw.strip()
        return cls(**values)


# --- discovery ------------------------------------------------------------------------------------------------


def _codes(fields: Callable[[str], bool]) -> str:
    """The LOINC codes the FHIR reader maps to the fields chosen, as one token-search value ``system|code,...``."""
    return ",".join(f"{LOINC}|{e.code}" for e in code_entries() if e.system == LOINC and fields(e.field))


_P = "{{context.patientId}}"
#: the prefetch templates (the same for every service: one prefetch serves all three). The codes come from the FHIR
#: reader's table (:mod:`myoclass.io.fhir.codes`), so a code it learns is asked for here too.
PREFETCH: dict[str, str] = {
    "patient": f"Patient/{_P}",
    "ck": f"Observation?patient={_P}&code={_codes(lambda f: f == 'ck_u_l')}",
    "antibodies": f"Observation?patient={_P}&code={_codes(lambda f: f in ANTIBODIES)}",
    "enzymes": f"Observation?patient={_P}&code={_codes(lambda f: f != 'ck_u_l' and f not in ANTIBODIES)}",
    "conditions": f"Condition?patient={_P}",
    "medication-statements": f"MedicationStatement?patient={_P}",
    "medication-requests": f"MedicationRequest?patient={_P}",
    "medication-administrations": f"MedicationAdministration?patient={_P}",
    "reports": f"DiagnosticReport?patient={_P}",
    # findings recorded as Observations coded in HPO or in myoclass's own flat-case system (weakness, rash, biopsy
    # items, MRI, antibodies without a LOINC code, a genetic diagnosis; what `myoclass convert --to fhir` writes):
    # every code of the two systems ("system|" matches any code of a system, FHIR R4 token search)
    "findings": f"Observation?patient={_P}&code={HPO}|,{MYOCLASS}|",
}
#: prefetch keys that, when neither prefetched nor fetched from the client's FHIR server, leave the chart read without
#: them and the card saying so, instead of a 412 (a client set up before the key was added keeps working)
OPTIONAL_PREFETCH = frozenset({"findings"})

_USAGE = ("Reads the patient's CK, myositis antibodies, muscle enzymes, conditions, medications and diagnostic reports, "
          "prefetched or from the FHIR server (fhirServer with fhirAuthorization, read-only scopes for these resource "
          "types). Answers 412 when neither is available. Decision support for clinicians, not a diagnosis.")


@dataclasses.dataclass(frozen=True)
class Service:
    id: str
    hook: str
    title: str
    description: str
    prefetch: Mapping[str, str]
    usage: str = _USAGE

    def discovery(self) -> dict[str, Any]:
        return {"hook": self.hook, "id": self.id, "title": self.title, "description": self.description,
                "prefetch": dict(self.prefetch), "usageRequirements": self.usage}


SERVICES: dict[str, Service] = {s.id: s for s in (
    Service("myoclass-patient-view", "patient-view", "Myositis classification (IMNM)",
            "Applies the published, versioned classification criteria for the inflammatory myopathies (ENMC 224 "
            "for immune-mediated necrotizing myopathy, EULAR/ACR 2017 and others) to the chart: the most likely "
            "label, whether the criteria settle it, and the one next test that would decide most.", PREFETCH),
    Service("myoclass-statin-order-sign", "order-sign", "Statin order in anti-HMGCR myopathy",
            "Warns when a statin is about to be ordered for a patient with anti-HMGCR antibodies or a likely "
            "immune-mediated necrotizing myopathy, and offers to remove the order.", PREFETCH),
    Service("myoclass-statin-order-select", "order-select", "Statin selected in anti-HMGCR myopathy",
            "Warns as soon as a statin is selected for a patient with anti-HMGCR antibodies or a likely "
            "immune-mediated necrotizing myopathy, and offers to remove the selection.", PREFETCH),
)}

_ORDER_HOOKS = ("order-sign", "order-select")

# --- in-memory state (per app) --------------------------------------------------------------------------------


class LinkStore:
    """Cases by unguessable token, each for ``ttl`` seconds; at most ``capacity`` (the oldest go first)."""

    def __init__(self, ttl: float, capacity: int = 1000) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def put(self, case: Mapping[str, Any]) -> str:
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            for k in [k for k, (t, _c) in self._items.items() if t <= now]:
                del self._items[k]
            while len(self._items) >= self.capacity:
                self._items.popitem(last=False)
            self._items[token] = (now + self.ttl, dict(case))
        return token

    def get(self, token: str) -> dict[str, Any] | None:
        with self._lock:
            item = self._items.get(token)
            if item is None:
                return None
            if item[0] <= time.monotonic():
                del self._items[token]
                return None
            return dict(item[1])


class CdsState:
    """What the CDS endpoints keep in memory: the workspace links, the cards issued (for feedback), the feedback
    log and the JWT verifier. Bounded; lost on restart; one per app (so per worker process)."""

    def __init__(self, settings: CdsSettings) -> None:
        self.links = LinkStore(settings.link_ttl_seconds)
        self.cards: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.feedback: deque[dict[str, Any]] = deque(maxlen=10_000)
        self._lock = threading.Lock()
        self._verifier: Verifier | None = None
        self._settings = settings

    def verifier(self) -> Verifier:
        with self._lock:
            if self._verifier is None:
                s = self._settings
                self._verifier = Verifier.from_lists(s.allowed_issuers, s.issuer_jwks, s.allowed_jku)
            return self._verifier

    def issued(self, card_uuid: str, service: str, versions: Mapping[str, str]) -> None:
        with self._lock:
            self.cards[card_uuid] = {"service": service, "versions": dict(versions)}
            while len(self.cards) > 10_000:
                self.cards.popitem(last=False)

    def card(self, card_uuid: str) -> dict[str, Any] | None:
        with self._lock:
            return self.cards.get(card_uuid)


_STATE_LOCK = threading.Lock()


def _settings_of(app: Any) -> CdsSettings:
    settings = getattr(app.state, "cds_settings", None)
    return settings if isinstance(settings, CdsSettings) else CdsSettings()


def cds_state(app: Any) -> CdsState:
    """The CDS state of an app (the FastAPI app, or the app :func:`myoclass.web.app.create_app` returns)."""
    while not hasattr(app, "state") and hasattr(app, "app"):
        app = app.app
    with _STATE_LOCK:
        state = getattr(app.state, "cds", None)
        if state is None:
            state = CdsState(_settings_of(app))
            app.state.cds = state
    assert isinstance(state, CdsState)
    return state


# --- JSON, errors, CORS -----------------------------------------------------------------------------------------


def _prune(obj: Any) -> Any:
    """``obj`` without optional fields that have no value (None, "", [], {}), recursively."""
    if isinstance(obj, dict):
        out = {k: _prune(v) for k, v in obj.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(obj, list):
        return [_prune(v) for v in obj if v is not None]
    return obj


def _json(obj: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(dumps(obj).encode("utf-8"), status_code=status, media_type="application/json",
                    headers=dict(headers or {}))




def _cors(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    allowed = _settings_of(request.app).cors_origins
    if origin and ("*" in allowed or origin in allowed):
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def _with_cors(request: Request, response: Response) -> Response:
    for k, v in _cors(request).items():
        response.headers[k] = v
    return response


# --- the endpoint URL (JWT aud, links) ---------------------------------------------------------------------------


def _base_url(request: Request) -> str:
    public = _settings_of(request.app).public_base_url
    if public:
        return public.rstrip("/")
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}{root}"


def _authenticate(request: Request, audiences: list[str]) -> Response | None:
    """None when the caller may proceed; else the 401 answer. Runs in a worker thread (a JWK Set may be fetched)."""
    if not _settings_of(request.app).jwt_verify:
        return None
    try:
        cds_state(request.app).verifier().verify(request.headers.get("authorization"), audiences)
    except AuthError as e:
        return operation_outcome(401, [("security", str(e))], {"WWW-Authenticate": 'Bearer realm="cds-services"'})
    except ValueError as e:  # the JWT settings themselves are malformed
        _log.error("CDS Hooks JWT settings are invalid: %s", type(e).__name__)
        return operation_outcome(500, [("exception", "the server's CDS client settings are invalid; see the server log")])
    return None


def _not_acceptable(request: Request) -> Response | None:
    """406 (an OperationOutcome) unless the Accept header admits JSON (plain or FHIR JSON), the services' one answer."""
    refused = not_acceptable(request.headers.get("accept"), JSON_FAMILY)
    return None if refused is None else operation_outcome(406, [("not-supported", refused)])


def _media_type_refused(request: Request) -> Response | None:
    raw = request.headers.get("content-type")
    if is_json_type(raw):
        return None
    return operation_outcome(415, [("not-supported", f"Content-Type {'missing' if raw is None else 'not accepted'}; allowed: "
                                            + ", ".join(JSON_MEDIA_TYPES))])


def _decode(body: bytes) -> Any:
    if not body.strip():
        raise _Refused(operation_outcome(400, [("required", "the request body is empty; allowed: a CDS Hooks request object")]))
    try:
        return loads(body, max_depth=CDS_MAX_DEPTH)
    except TooDeep as e:
        raise _Refused(operation_outcome(400, [("too-costly", f"the body nests more than {e.limit} levels deep")])) from None
    except DecodeError:
        raise _Refused(operation_outcome(400, [("structure", "the body is not valid JSON")])) from None


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("refused")
        self.response = response


def _pool(request: Request) -> WorkPool:
    """The shared pool, not the one-case lane: a CDS call may wait on the EHR's FHIR server and its keys (network
    I/O, seconds), which must not hold up the workspace's single thread."""
    pool: WorkPool = request.app.state.pool
    return pool


def _guarded(work: Callable[..., Response], *args: Any) -> Response:
    """``work(*args)``; an unexpected error becomes a 500 OperationOutcome, logged by its type only."""
    try:
        return work(*args)
    except _Refused as r:
        return r.response
    except Exception as e:  # the message might quote patient data: never logged or returned
        _log.error("unexpected %s in a CDS Hooks call", type(e).__name__)
        return operation_outcome(500, [("exception", "internal error; the request was not processed")])


# --- routes -------------------------------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False)


@router.get("/cds-services")
async def discovery(request: Request) -> Response:
    """The services, their hooks and prefetch templates."""
    refused = _not_acceptable(request)
    if refused is not None:
        return _with_cors(request, refused)
    aud = [f"{_base_url(request)}/cds-services"]
    denied = await _pool(request).run(_authenticate, request, aud)
    if denied is not None:
        return _with_cors(request, denied)
    return _with_cors(request, _json({"services": [_prune(s.discovery()) for s in SERVICES.values()]}))


@router.post("/cds-services/{service_id}")
async def call_service(service_id: str, request: Request) -> Response:
    service = SERVICES.get(service_id)
    return await _post(request, service_id, _call_work, service)


@router.post("/cds-services/{service_id}/feedback")
async def feedback(service_id: str, request: Request) -> Response:
    return await _post(request, service_id, _feedback_work, service_id)


async def _post(request: Request, service_id: str, work: Callable[..., Response], subject: Any) -> Response:
    """A POST to a service or its feedback: 404 for an unknown service, 415 for a body that is not JSON, else
    ``work(request, subject, body, base)`` in the worker pool (an unexpected error an OperationOutcome: :func:`_guarded`)."""
    if service_id not in SERVICES:
        return _with_cors(request, operation_outcome(404, [("not-found", "no CDS service with this id; allowed: "
                                                                         + ", ".join(SERVICES))]))
    refused = _not_acceptable(request) or _media_type_refused(request)
    if refused is not None:
        return _with_cors(request, refused)
    body = await request.body()
    base = _base_url(request)
    response = await _pool(request).run(_guarded, work, request, subject, body, base)
    return _with_cors(request, response)


_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")

_EXPIRED_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Link expired - myoclass</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body><main><h1>This link has expired</h1>
<p>A link from a CDS card opens the case for {minutes} minutes. Open the patient's chart again to get a new card,
or start <a href="/">an empty workspace</a>.</p></main></body></html>
"""


@router.options("/cds-services")
@router.options("/cds-services/{rest:path}")
def preflight(request: Request) -> Response:
    """CORS preflight: granted only to the origins in ``CdsSettings.cors_origins``. Registered after the services'
    own routes, so that a GET on a service answers 405 naming POST (the first route matching the path names the
    allowed method)."""
    headers = _cors(request)
    if headers:  # granted to the origins in CdsSettings.cors_origins
        headers.update({"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                        "Access-Control-Allow-Headers": "Authorization, Content-Type", "Access-Control-Max-Age": "600"})
    return Response(status_code=204, headers=headers)


@router.get("/cds/open/{token}", response_class=HTMLResponse)
async def open_card(token: str, request: Request) -> Response:
    """The workspace filled with the case behind a card's link (404 once the link has expired)."""
    case = cds_state(request.app).links.get(token) if _TOKEN_SHAPE.fullmatch(token) else None
    if case is None:
        minutes = max(1, round(_settings_of(request.app).link_ttl_seconds / 60))
        return HTMLResponse(_EXPIRED_HTML.format(minutes=minutes), status_code=404)
    return await _pool(request).run(workspace_filled, dumps(case))


# --- service calls ---------------------------------------------------------------------------------------------


def _call_work(request: Request, service: Service, body: bytes, base: str) -> Response:
    denied = _authenticate(request, [f"{base}/cds-services/{service.id}"])
    if denied is not None:
        return denied
    data = _decode(body)
    problems = _request_problems(data, service)
    if problems:
        return operation_outcome(400, [("invalid", p) for p in problems])
    settings = _settings_of(request.app)
    state = cds_state(request.app)
    context: dict[str, Any] = data["context"]
    if service.hook in _ORDER_HOOKS:
        orders = statin_orders(context, service.hook)
        if not orders:
            return _json({"cards": []})
    resources, missing, truncated, skipped = _gather(data, service, settings)
    if missing:
        return operation_outcome(412, [("incomplete", f"prefetch {key!r} ({service.prefetch[key]}) is not available: {why}")
                              for key, why in missing])
    if resources:
        try:
            reading = read_fhir(resources)
        except InvalidCase as e:  # e.g. more resources than the reader takes
            return operation_outcome(422, [("too-costly" if "more than" in p.message else "processing", p.message[:200])
                                  for p in e.problems[:5]])
        case, unmapped, signs = dict(reading.case), len(reading.unmapped), reading.muscle_signs
    else:
        case, unmapped, signs = {}, 0, ()  # every prefetch was null: the chart holds nothing myoclass reads
    try:
        a = dict(assess(with_muscle_signs(parse_case(case), signs)))
    except InvalidCase as e:
        fields = ", ".join(sorted({p.field for p in e.problems}))[:200]
        return _json({"cards": [_prune(_unassessable_card(fields, state, service))]})
    if service.hook in _ORDER_HOOKS:
        card = _statin_card(case, a, orders, base, state, service, unmapped)
        return _json({"cards": [_prune(card)] if card else []})
    if not myopathy_signs(case) and not signs:
        return _json({"cards": []})  # nothing in the chart points to a muscle disease: no card on every chart opened
    treated = not untreated(case, resources)
    return _json({"cards": [_prune(_patient_view_card(case, a, base, state, service, unmapped, truncated, treated,
                                                      skipped))]})


def _request_problems(data: Any, service: Service) -> list[str]:
    """What is wrong with a CDS request (the fields the specification requires), in words."""
    if not isinstance(data, dict):
        return ["the body must be a JSON object (a CDS Hooks request)"]
    out = []
    if data.get("hook") != service.hook:
        out.append(f"hook must be {service.hook!r} for this service")
    if not isinstance(data.get("hookInstance"), str) or not data["hookInstance"]:
        out.append("hookInstance is required (a string)")
    context = data.get("context")
    if not isinstance(context, dict):
        out.append("context is required (an object)")
    else:
        for key in ("userId", "patientId"):
            if not isinstance(context.get(key), str) or not context[key]:
                out.append(f"context.{key} is required (a string)")
        if service.hook in _ORDER_HOOKS:
            draft = context.get("draftOrders")
            if not isinstance(draft, dict) or draft.get("resourceType") != "Bundle":
                out.append("context.draftOrders is required (a FHIR Bundle)")
        if service.hook == "order-select" and not isinstance(context.get("selections"), list):
            out.append("context.selections is required (a list of references)")
    auth = data.get("fhirAuthorization")
    if auth is not None:
        if not isinstance(auth, dict) or not isinstance(auth.get("access_token"), str):
            out.append("fhirAuthorization must be an object with an access_token")
        elif str(auth.get("token_type", "Bearer")).lower() != "bearer":
            out.append("fhirAuthorization.token_type must be Bearer")
        if not data.get("fhirServer"):
            out.append("fhirServer is required when fhirAuthorization is given (cds-r-1)")
    server = data.get("fhirServer")
    if server is not None and not isinstance(server, str):
        out.append("fhirServer must be a URL")
    if data.get("prefetch") is not None and not isinstance(data.get("prefetch"), dict):
        out.append("prefetch must be an object")
    return out


def _gather(data: dict[str, Any], service: Service,
            settings: CdsSettings) -> tuple[list[dict[str, Any]], list[tuple[str, str]], bool, list[str]]:
    """The chart's resources from the prefetch, with what is missing fetched from ``fhirServer``; the prefetch
    keys still missing, with why; whether a search had more pages than were read; the optional keys
    (:data:`OPTIONAL_PREFETCH`) left out with no server to fetch them from."""
    prefetch: dict[str, Any] = data.get("prefetch") or {}
    values: dict[str, Any] = {}
    need: list[str] = []
    for key in service.prefetch:
        if key not in prefetch:
            need.append(key)  # an absent key: the client did not fetch it
            continue
        v = prefetch[key]
        if v is None:
            continue  # null: the client found no data
        if isinstance(v, dict) and isinstance(v.get("resourceType"), str) and v["resourceType"] != "OperationOutcome":
            values[key] = v
        else:
            need.append(key)  # an OperationOutcome (the client's fetch failed) or not a resource
    missing: list[tuple[str, str]] = []
    truncated = False
    if need:
        server = data.get("fhirServer")
        auth = data.get("fhirAuthorization") or {}
        if not server:
            missing = [(k, "not prefetched, and the request names no fhirServer to fetch it from") for k in need]
        elif not server_allowed(server, settings.fhir_servers):
            missing = [(k, "not prefetched, and fhirServer is not a FHIR server this service may call "
                           "(MYOCLASS_CDS_FHIR_SERVERS)") for k in need]
        else:
            fetcher = Fetcher(server, auth.get("access_token"))
            for key in need:
                query = fill_template(service.prefetch[key], data["context"])
                if query is None:
                    missing.append((key, "its template needs a context value the request does not have"))
                    continue
                try:
                    values[key] = fetcher.fetch(query)
                except FetchError as e:
                    missing.append((key, f"not prefetched, and fetching it failed: {e}"))
            truncated = fetcher.truncated
    skipped = [k for k, _why in missing if k in OPTIONAL_PREFETCH]  # read without them; the card says so
    missing = [(k, why) for k, why in missing if k not in OPTIONAL_PREFETCH]
    return _resources(values.values()), missing, truncated, skipped


def _resources(values: Any) -> list[dict[str, Any]]:
    """The resources in prefetch values (searchset Bundles opened; OperationOutcomes left out), each once."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    def add(r: Any) -> None:
        if not isinstance(r, dict) or not isinstance(r.get("resourceType"), str) or r["resourceType"] == "OperationOutcome":
            return
        rid = r.get("id")
        if isinstance(rid, str):
            key = (r["resourceType"], rid)
            if key in seen:
                return
            seen.add(key)
        out.append(r)

    for v in values:
        if isinstance(v, dict) and v.get("resourceType") == "Bundle":
            for entry in v.get("entry") or []:
                if isinstance(entry, dict) and (entry.get("search") or {}).get("mode") != "outcome":
                    add(entry.get("resource"))
        else:
            add(v)
    return out


# --- the patient-view card --------------------------------------------------------------------------------------

#: the disclaimer at the foot of every card
DISCLAIMER = ("_Decision support for the treating clinician, not a diagnosis or an order. Classification criteria are "
              "research tools, and the chart data read may be incomplete._")
#: CK at or above this multiple of the upper limit of normal counts as a sign of severity
CK_SEVERE_ULN_MULTIPLE = 10


#: the least share of anti-HMGCR myopathy in the differential for which the statin card asks for an anti-HMGCR test
#: while another IMNM subtype leads (a policy threshold, not a published number)
STATIN_OPEN_SHARE = 0.01


def imnm_likely(a: Mapping[str, Any]) -> bool:
    """IMNM is likely: the criteria classify an IMNM subtype, or the leading label is one at 50% or more."""
    s = a["summary"]
    return str(s["label"]).startswith("imnm_") or (
        str(s["leading_label"]).startswith("imnm_") and float(s["leading_probability"]) >= 0.5)


#: findings that, recorded as present, point to a muscle disease; a patient-view card needs one of them
_MYOPATHY_SIGNS = ("symptom_difficulty_climbing_stairs", "symptom_difficulty_rising_from_chair",
                   "symptom_difficulty_lifting_arms_overhead", "symptom_falls", "symptom_myalgia",
                   *(k for k in FIELDS if k.startswith("weakness_")),
                   "skin_heliotrope", "skin_gottron_papules", "skin_gottron_sign", "skin_other_dm_rash",
                   "skin_mechanics_hands", "ck_elevated", "aldolase_elevated", *ANTIBODIES,
                   "emg_myopathic", "emg_spontaneous_activity", "mri_muscle_edema", "biopsy_performed")


def myopathy_signs(case: Mapping[str, Any]) -> bool:
    """The chart points to a muscle disease: a muscle symptom or weakness, a DM rash or mechanic's hands, a raised CK
    (or a CK value with no upper limit of normal to judge it by) or aldolase, a myositis antibody positive, a myopathic
    EMG or muscle oedema on MRI, a muscle biopsy, or a genetic diagnosis of a myopathy. Without one, the patient-view
    service returns no card: a card on every chart opened would teach clinicians to ignore it."""
    if any(case.get(k) is True for k in _MYOPATHY_SIGNS) or case.get("genetic_diagnosis_gene"):
        return True
    ck, uln = case.get("ck_u_l"), case.get("ck_uln_u_l")
    if isinstance(ck, int | float) and case.get("ck_elevated") is None:
        return not isinstance(uln, int | float) or ck > uln
    return False


def severity_signs(case: Mapping[str, Any]) -> list[str]:
    """Signs of severe disease the flat case records, in words: dysphagia, cardiac involvement, CK at least
    :data:`CK_SEVERE_ULN_MULTIPLE` times the upper limit of normal. (The flat case grades no weakness, so severe
    weakness cannot be told from it.)"""
    out = []
    if case.get("dysphagia") is True:
        out.append(finding_name("dysphagia"))
    if case.get("cardiac_involvement") is True:
        out.append(finding_name("cardiac_involvement"))
    ck, uln = case.get("ck_u_l"), case.get("ck_uln_u_l")
    if isinstance(ck, int | float) and isinstance(uln, int | float) and uln > 0 and ck >= CK_SEVERE_ULN_MULTIPLE * uln:
        out.append(f"{finding_name('ck_u_l')} {ck / uln:.0f} times the upper limit of normal")
    elif isinstance(ck, int | float) and uln is None and case.get("ck_elevated") is not False \
            and ck >= CK_SEVERE_ULN_MULTIPLE * CK_ULN_CEILING_U_L and ceiling_applies(*ages_of(case)):
        # no limit given, but at least 10 times every laboratory's limit (model.ck, an assumed ceiling)
        out.append(f"{finding_name('ck_u_l')} {ck:,.0f} U/L, at least {CK_SEVERE_ULN_MULTIPLE} times any laboratory's "
                   "upper limit of normal")
    return out


def untreated(case: Mapping[str, Any], resources: Sequence[Mapping[str, Any]] = ()) -> bool:
    """No immunotherapy is recorded: the flat case has no response to immunosuppression, and the chart has no
    glucocorticoid, steroid-sparing agent, IVIG or rituximab statement, request or administration (the FHIR
    reader's medication table, class ``immunotherapy``) that was not cancelled, refused or entered in error."""
    return case.get("immunosuppression_response") is None and not immunotherapy_recorded(resources)


_NOT_GIVEN = {"cancelled", "entered-in-error", "not-taken", "not-done", "draft", "stopped-before-start"}


def immunotherapy_recorded(resources: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the chart records an immunotherapy (see :func:`untreated`); a ``medicationReference`` is followed
    to a Medication contained in the resource or among the chart's resources."""
    meds = {f"Medication/{r.get('id')}": r for r in resources if r.get("resourceType") == "Medication"}
    for r in resources:
        if r.get("resourceType") not in ("MedicationStatement", "MedicationRequest", "MedicationAdministration"):
            continue
        if r.get("status") in _NOT_GIVEN or r.get("doNotPerform") is True:
            continue
        concept = r.get("medicationCodeableConcept")
        ref = r.get("medicationReference")
        if concept is None and isinstance(ref, Mapping) and isinstance(ref.get("reference"), str):
            target = ref["reference"]
            contained = [c for c in r.get("contained") or [] if isinstance(c, Mapping)]
            med = (next((c for c in contained if f"#{c.get('id')}" == target), None) if target.startswith("#")
                   else meds.get(target))
            concept = med.get("code") if isinstance(med, Mapping) else None
        if isinstance(concept, Mapping) and medication_class(concept) == "immunotherapy":
            return True
    return False


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _next_test(a: Mapping[str, Any]) -> dict[str, Any] | None:
    """The one next test the card's summary names: the first that every answer names (:func:`first_steps`)."""
    steps = first_steps(a)
    return steps[0] if steps else None


def patient_view_summary(a: Mapping[str, Any]) -> str:
    """The card's one-line summary (under 140 characters): the label or the leading label, and the one next test."""
    s = a["summary"]
    label = s["label"]
    if label == "undetermined":
        head = f"Most likely {label_name(s['leading_label'])} ({leading_share(s)})"
        if no_label_likely(s["leading_probability"]):
            head += f", though {NO_LABEL_LIKELY}"
    else:
        cert = f" ({s['certainty']})" if s.get("certainty") else ""
        head = f"Classified: {label_name(label)}{cert}"
    if urgent_guidance(a):  # safety first, then the answer if it fits
        first = "Acute, very high CK: rhabdomyolysis first (kidneys, potassium)"
        lead = f"{first}; most likely {label_name(s['leading_label'])} ({leading_share(s)})"
        return next(x for x in (lead, first) if len(x) < SUMMARY_LIMIT)
    t = _next_test(a)
    options = []
    if t is not None:
        word = "rule out" if t["purpose"] == "rules_out" else "next"
        step = step_text(t)
        options = [f"{head}; {word}: {step}", f"{head}; {word}: {step.split(' — ')[0]}"]
    for text in [*options, head]:
        if len(text) < SUMMARY_LIMIT:
            return text
    return head[:SUMMARY_LIMIT - 2] + "…"


def _source(a: Mapping[str, Any]) -> dict[str, Any]:
    versions = a["versions"]
    sets = ", ".join(f"{SET_SHORT.get(k, k)} v{v}" for k, v in versions.items() if k != "myoclass")
    return {"label": f"myoclass {versions.get('myoclass', __version__)} (criteria: {sets})"}


def _link(case: Mapping[str, Any], base: str, state: CdsState) -> dict[str, Any]:
    token = state.links.put(case)
    return {"label": "Open in the myoclass workspace", "url": f"{base}/cds/open/{token}", "type": "absolute"}


def _detail(case: Mapping[str, Any], a: Mapping[str, Any], unmapped: int, truncated: bool, extra: list[str]) -> str:
    s = a["summary"]
    label = s["label"]
    lines = list(extra)
    if label == "undetermined":
        settled = "not yet determined"
    else:
        settled = f"{s['certainty'] + ' ' if s.get('certainty') else ''}{LABEL_TEXT.get(label, label)}"
    lines.append(f"**Classification by {settled_by_words(label)}:** {settled}. {still_possible(a)}".rstrip())
    ck = ck_without_uln(case)
    if ck:
        lines.append(f"**CK without its reference range:** {ck}")
    diff = a.get("differential") or []
    if diff:
        top = [f"{i + 1}. {_cap(LABEL_IN_LIST.get(d['label'], d['label']))}: "
               f"{leading_share(s) if i == 0 else share(d['probability'])}" for i, d in enumerate(diff[:3])]
        lines.append("**Most likely (the differential model, not a diagnosis):**\n\n" + "\n".join(top))
    urgent = urgent_guidance(a)
    if urgent:  # as What to do now: a safety item before any test
        lines.append("**First:** " + " ".join(f"{g['text']} Source: {g['citation']}." for g in urgent))
    # the steps every answer names first (first_steps), then the other next tests, in their order
    first = first_steps(a)
    tests = [*first, *(t for t in a.get("next_tests") or [] if not any(t is f for f in first))][:3]
    if tests:
        tag = {"rules_out": " (rules out a mimic)", "informs": " (moves the differential; not deciding under the criteria)"}
        rows = [f"- {_cap(step_text(t))}{tag.get(t['purpose'], '')}" for t in tests]
        lines.append("**Next tests:**\n\n" + "\n".join(rows))
    if unmapped:
        lines.append(f"**Chart items not used:** {unmapped} (codes myoclass does not map); review them in the workspace.")
    if truncated:
        lines.append("**Not all chart results were read:** a search had more pages than are fetched.")
    versions = ", ".join(f"{SET_SHORT.get(k, k)} {v}" for k, v in a["versions"].items() if k != "myoclass")
    lines.append(f"**Criteria versions:** {versions}.")
    lines.append(DISCLAIMER)
    return "\n\n".join(lines)


def _patient_view_card(case: dict[str, Any], a: dict[str, Any], base: str, state: CdsState, service: Service,
                       unmapped: int, truncated: bool, treated: bool = False,
                       skipped: Sequence[str] = ()) -> dict[str, Any]:
    signs = severity_signs(case)
    warn = imnm_likely(a) and bool(signs) and not treated and untreated(case)
    extra = []
    if skipped:
        extra.append(f"**Not all chart findings were read:** the {', '.join(repr(k) for k in skipped)} prefetch "
                     "(findings coded in HPO or in myoclass's flat-case codes: weakness, rash, biopsy, MRI) was neither "
                     "sent nor fetched from the EHR's FHIR server.")
    if warn:
        extra.append(f"**Attention:** IMNM is likely, with {', '.join(signs)}, and no immunotherapy is recorded. "
                     "Severe weakness can progress quickly; referral to a myositis or neuromuscular centre is worth "
                     "considering.")
    card_uuid = str(uuid.uuid4())
    state.issued(card_uuid, service.id, a["versions"])
    return {"uuid": card_uuid, "summary": patient_view_summary(a),
            "indicator": "warning" if warn or urgent_guidance(a) else "info",
            "detail": _detail(case, a, unmapped, truncated, extra), "source": _source(a),
            "links": [_link(case, base, state)]}


def _unassessable_card(fields: str, state: CdsState, service: Service) -> dict[str, Any]:
    card_uuid = str(uuid.uuid4())
    state.issued(card_uuid, service.id, {"myoclass": __version__})
    return {"uuid": card_uuid, "summary": "myoclass could not assess: the chart data conflict", "indicator": "info",
            "detail": f"The values read from the chart break a rule of the data dictionary (fields: {fields}). "
                      f"Check them in the chart.\n\n{DISCLAIMER}",
            "source": {"label": f"myoclass {__version__}"}}


# --- the statin cards -----------------------------------------------------------------------------------------------


def _medication_concept(order: Mapping[str, Any], bundle_meds: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The medication of a MedicationRequest as a CodeableConcept: its own, or that of the Medication it refers to
    (contained, or in the draft orders' Bundle); R4 (``medicationCodeableConcept``/``medicationReference``) and R5
    (``medication.concept``/``medication.reference``)."""
    concept = order.get("medicationCodeableConcept")
    ref = order.get("medicationReference")
    med = order.get("medication")
    if isinstance(med, dict):
        concept = concept or med.get("concept")
        ref = ref or med.get("reference")
    if isinstance(concept, dict):
        return concept
    target = ref.get("reference") if isinstance(ref, dict) else None
    if not isinstance(target, str):
        return None
    if target.startswith("#"):
        for c in order.get("contained") or []:
            if isinstance(c, dict) and c.get("resourceType") == "Medication" and c.get("id") == target[1:]:
                code = c.get("code")
                return code if isinstance(code, dict) else None
        return None
    medication = bundle_meds.get(target) or bundle_meds.get("/".join(target.rstrip("/").split("/")[-2:]))
    code = medication.get("code") if medication else None
    return code if isinstance(code, dict) else None


def statin_orders(context: Mapping[str, Any], hook: str) -> list[dict[str, str]]:
    """The draft statin orders of an order hook: ``{"id", "name"}`` each (``id`` "" when the order has none). For
    ``order-select``, only the orders named in ``selections``."""
    draft = context.get("draftOrders")
    entries = draft.get("entry") if isinstance(draft, dict) else None
    resources: list[dict[str, Any]] = [e["resource"] for e in entries or []
                                       if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    meds: dict[str, Mapping[str, Any]] = {}
    for e in entries or []:
        r = e.get("resource") if isinstance(e, dict) else None
        if isinstance(r, dict) and r.get("resourceType") == "Medication":
            if isinstance(r.get("id"), str):
                meds[f"Medication/{r['id']}"] = r
            if isinstance(e.get("fullUrl"), str):
                meds[e["fullUrl"]] = r
    selected = None
    if hook == "order-select":
        selected = {s for s in context.get("selections") or [] if isinstance(s, str)}
    out = []
    for r in resources:
        if r.get("resourceType") != "MedicationRequest":
            continue
        rid = str(r["id"]) if isinstance(r.get("id"), str) else ""
        if selected is not None and f"MedicationRequest/{rid}" not in selected:
            continue
        concept = _medication_concept(r, meds)
        if concept is not None and medication_class(concept) == "statin":
            name = concept.get("text") or next((c.get("display") for c in concept.get("coding") or []
                                                if isinstance(c, dict) and isinstance(c.get("display"), str)), "")
            out.append({"id": rid, "name": str(name)[:120] if name else "a statin"})
    return out


#: the code system of the override reasons this service offers
OVERRIDE_SYSTEM = "urn:myoclass:cds:override-reason"
OVERRIDE_REASONS: tuple[tuple[str, str], ...] = (
    ("hmgcr-negative-on-retest", "Anti-HMGCR retested negative"),
    ("not-anti-hmgcr-myopathy", "Anti-HMGCR myopathy or IMNM excluded by a specialist"),
    ("benefit-outweighs-risk", "Cardiovascular benefit outweighs the risk, agreed with a specialist"),
    ("patient-informed-choice", "Patient informed of the risk and chooses the statin"),
)


def _guidance(item_id: str, case: dict[str, Any]) -> dict[str, Any]:
    """A guidance item as the statin card quotes it, worded from the case where the item's words follow it (statins
    after anti-HMGCR myopathy: "re-exposure" only for a patient who took one); the label it is quoted for is anti-HMGCR
    myopathy, settled or being considered."""
    ctx = GuidanceContext("imnm_anti_hmgcr", frozenset({"imnm_anti_hmgcr"}), case)
    return next(g for g in GUIDANCE if g.id == item_id).render(ctx)


def _statin_card(case: dict[str, Any], a: dict[str, Any], orders: list[dict[str, str]], base: str, state: CdsState,
                 service: Service, unmapped: int) -> dict[str, Any] | None:
    hmgcr = case.get("ab_hmgcr") is True
    s = a["summary"]
    lead = s["leading_label"] if s["label"] == "undetermined" else s["label"]
    # Another IMNM subtype likely: the anti-HMGCR statin advice applies only while anti-HMGCR myopathy is still
    # open (anti-HMGCR not tested and at least STATIN_OPEN_SHARE of the differential); then the card is
    # informational and asks for the test, without recommending that the order be deleted.
    p_hmgcr = next((d["probability"] for d in a.get("differential") or [] if d["label"] == "imnm_anti_hmgcr"), 0.0)
    hmgcr_open = (case.get("ab_hmgcr") is None and p_hmgcr >= STATIN_OPEN_SHARE
                  and "imnm_anti_hmgcr" in s["reachable_labels"])
    p_imnm = imnm_share(a)
    # anti-HMGCR myopathy classified, or leading and more likely than not: a warning, the deletion recommended
    hmgcr_leads = lead == "imnm_anti_hmgcr" and (s["label"] != "undetermined" or not no_label_likely(
        float(s["leading_probability"])))
    imnm_more_likely = imnm_likely(a) or p_imnm > 0.5
    if not hmgcr and not hmgcr_leads and not (hmgcr_open and (imnm_more_likely or lead == "imnm_anti_hmgcr")):
        return None
    exposed = case.get("statin_exposure")
    if hmgcr and "imnm_anti_hmgcr" in (s["label"], s["leading_label"]):
        summary = f"Anti-HMGCR myopathy: avoid {'restarting' if exposed is True else 'starting'} a statin"
        why = f"{_cap(finding_name('ab_hmgcr'))} is positive and the picture is anti-HMGCR myopathy."
    elif hmgcr:
        summary = "Anti-HMGCR antibodies positive: avoid a statin"
        why = f"{_cap(finding_name('ab_hmgcr'))} is positive."
    elif hmgcr_leads:
        summary = f"Likely anti-HMGCR myopathy ({leading_share(s)}): test anti-HMGCR before a statin"
        why = f"Anti-HMGCR myopathy is the most likely label ({leading_share(s)}); anti-HMGCR is not known to be positive."
    else:
        far = f"; {NO_LABEL_LIKELY}" if no_label_likely(float(s["leading_probability"])) else ""
        if imnm_more_likely:
            summary = "IMNM likely; anti-HMGCR not tested: test it before a statin"
            what = f"IMNM is likely ({share(p_imnm)} in all; most likely {LABEL_TEXT.get(lead, lead)}, {leading_share(s)}{far})"
        else:  # anti-HMGCR myopathy leads, at 50% or less
            summary = f"Anti-HMGCR myopathy possible ({share(p_hmgcr)}); not tested: test it before a statin"
            what = f"Anti-HMGCR myopathy is the most likely label at {leading_share(s)}{far}"
        why = (f"{what}, and anti-HMGCR myopathy is not ruled out ({share(p_hmgcr)} in the differential): "
               f"{finding_name('ab_hmgcr')} is not known. The guidance below applies if it is positive.")
    avoid = _guidance("hmgcr.statin_avoid", case)
    # a statin taken before: stopping it; exposure not recorded: the same advice, conditional; never taken: neither
    stop = {True: _guidance("hmgcr.statin_stop", case), None: _guidance("hmgcr.statin_unknown", case)}.get(exposed)
    tag = " (reported; not checked against the primary source)" if avoid["unverified"] else ""
    names = ", ".join(o["name"] for o in orders)
    if s["label"] == "undetermined":
        classified = (f"not settled; most likely {LABEL_TEXT.get(s['leading_label'], s['leading_label'])} "
                      f"({leading_share(s)})")
    else:
        classified = LABEL_TEXT.get(s["label"], s["label"])
    detail = "\n\n".join([
        f"**Draft statin order:** {names}.",
        f"**Why:** {why}",
        f"**Guidance:** {avoid['text']} Source: {avoid['citation']}{tag}.",
        *([f"{stop['text']} Source: {stop['citation']}."] if stop else []),
        f"**Classification by {settled_by_words(s['label'])}:** {classified}.",
        *([f"**Chart items not used:** {unmapped}."] if unmapped else []),
        DISCLAIMER,
    ])
    recommended = hmgcr or hmgcr_leads
    suggestions = [{"label": f"Remove the draft order for {o['name']}", "uuid": str(uuid.uuid4()),
                    "isRecommended": recommended,
                    "actions": [{"type": "delete", "description": f"Delete the draft statin order ({o['name']})",
                                 "resourceId": f"MedicationRequest/{o['id']}"}]}
                   for o in orders if o["id"]]
    card_uuid = str(uuid.uuid4())
    state.issued(card_uuid, service.id, a["versions"])
    card: dict[str, Any] = {
        "uuid": card_uuid, "summary": summary[:SUMMARY_LIMIT - 1], "indicator": "warning" if recommended else "info",
        "detail": detail,
        "source": _source(a),
        "overrideReasons": [{"system": OVERRIDE_SYSTEM, "code": c, "display": d} for c, d in OVERRIDE_REASONS],
        "links": [_link(case, base, state)],
    }
    if suggestions:
        card["suggestions"] = suggestions
        card["selectionBehavior"] = "at-most-one" if len(suggestions) == 1 else "any"
    return card


# --- feedback ------------------------------------------------------------------------------------------------------

_RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]00:00)")
_MAX_FEEDBACK = 100


def _timestamp_ok(value: Any) -> bool:
    if not isinstance(value, str) or not _RFC3339_UTC.fullmatch(value):
        return False
    try:
        datetime.datetime.fromisoformat(value[:19].upper())
    except ValueError:
        return False
    return True


def _short_str(v: Any, limit: int = 256) -> bool:
    return isinstance(v, str) and 0 < len(v) <= limit


def _feedback_problems(data: Any) -> list[str]:
    if not isinstance(data, dict) or not isinstance(data.get("feedback"), list) or not data["feedback"]:
        return ["the body must be an object with a non-empty feedback list"]
    items = data["feedback"]
    if len(items) > _MAX_FEEDBACK:
        return [f"feedback holds {len(items)} items; allowed: at most {_MAX_FEEDBACK}"]
    out = []
    for i, f in enumerate(items):
        at = f"feedback[{i}]"
        if not isinstance(f, dict):
            out.append(f"{at} must be an object")
            continue
        if not _short_str(f.get("card")):
            out.append(f"{at}.card is required (the card's uuid)")
        outcome = f.get("outcome")
        if outcome not in ("accepted", "overridden"):
            out.append(f"{at}.outcome must be accepted or overridden (cds-fb-1)")
        accepted = f.get("acceptedSuggestions")
        if outcome == "accepted":
            if not isinstance(accepted, list) or not accepted:
                out.append(f"{at}.acceptedSuggestions is required when the outcome is accepted (cds-fb-2)")
            elif not all(isinstance(s, dict) and _short_str(s.get("id")) for s in accepted):
                out.append(f"{at}.acceptedSuggestions must be objects with the suggestion's id")
        elif accepted is not None:
            out.append(f"{at}.acceptedSuggestions is only for the outcome accepted")
        reason = f.get("overrideReason")
        if reason is not None:
            if outcome != "overridden":
                out.append(f"{at}.overrideReason is only for the outcome overridden")
            elif not isinstance(reason, dict) or not (reason.get("reason") or reason.get("userComment")):
                out.append(f"{at}.overrideReason needs a reason, a userComment or both (cds-fb-3)")
            else:
                coding = reason.get("reason")
                if coding is not None and not (isinstance(coding, dict) and _short_str(coding.get("code"))):
                    out.append(f"{at}.overrideReason.reason must be a Coding with a code")
                comment = reason.get("userComment")
                if comment is not None and not (isinstance(comment, str) and len(comment) <= 4000):
                    out.append(f"{at}.overrideReason.userComment must be text of at most 4000 characters")
        if not _timestamp_ok(f.get("outcomeTimestamp")):
            out.append(f"{at}.outcomeTimestamp is required: a UTC date-time as in RFC 3339 (2021-12-11T10:05:31Z)")
    return out


def _feedback_work(request: Request, service_id: str, body: bytes, base: str) -> Response:
    service_url = f"{base}/cds-services/{service_id}"
    denied = _authenticate(request, [f"{service_url}/feedback", service_url])
    if denied is not None:
        return denied
    data = _decode(body)
    problems = _feedback_problems(data)
    if problems:
        return operation_outcome(400, [("invalid", p) for p in problems[:20]])
    state = cds_state(request.app)
    for f in data["feedback"]:
        issued = state.card(f["card"])
        reason = (f.get("overrideReason") or {}).get("reason") or {}
        # no patient data: the card's id, the outcome, the coded reason; a user comment only as "there was one"
        state.feedback.append(_prune({
            "service": service_id, "card": f["card"], "known_card": issued is not None,
            "outcome": f["outcome"], "accepted_suggestions": [s["id"] for s in f.get("acceptedSuggestions") or []],
            "override_reason": {"system": reason.get("system"), "code": reason.get("code")} if reason else None,
            "user_comment": bool((f.get("overrideReason") or {}).get("userComment")) or None,
            "outcome_timestamp": f["outcomeTimestamp"], "criteria_versions": (issued or {}).get("versions"),
        }))
    return Response(status_code=200)
