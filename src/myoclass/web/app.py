"""One ASGI app: the REST API (``/api/v1``), the clinician page (``/``), the patient checklist
(``/patient``), OpenAPI docs (``/docs``, served from the package), ``/healthz`` and ``/-/versions``.

No network access is needed: htmx (2.x) and Swagger UI are vendored under ``static/``. Every
response carries strict security headers (a CSP without inline scripts, ``frame-ancestors 'none'``,
``nosniff``) and, except the static assets, ``Cache-Control: no-store``. Only the allowed host names
are answered (``Settings.allowed_hosts``: loopback by default), so a web page cannot reach the local
server through a name it controls (DNS rebinding). Case data is never logged: the app logs nothing
about a request but, with the access log on, its method, path and status; an unexpected error is
logged by its type alone (its message might quote a value); no endpoint takes case data in the URL.

Every 4xx and 5xx answer has one shape, ``{"errors": [{"field", "message"}]}``, naming what was wrong
and what is allowed, never a stack trace. The cost of a request is bounded before work starts: the
body (also a chunked one) by ``max_body_bytes``, a list of cases by ``max_cases`` and by its total
work (``max_work``), and the CPU work runs in a bounded pool (:mod:`myoclass.web.work`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from myoclass import __version__
from myoclass.criteria import criteria_sets
from myoclass.model.case import MAX_REPORTED_KEYS, show
from myoclass.model.fields import FIELDS
from myoclass.reasoning.assess import SCHEMA_VERSION
from myoclass.reasoning.differential import prepare as prepare_differential
from myoclass.web.outcome import is_cds_path, operation_outcome
from myoclass.web.work import CASE_BASE_COST, UNKNOWN_KEY_COST, Busy, WorkPool

if TYPE_CHECKING:
    from myoclass.web.auth import RegistryWebSettings
    from myoclass.web.cds import CdsSettings

__all__ = ["LOOPBACK_HOSTS", "SecurityHeaders", "Settings", "app_from_env", "create_app", "errors_response", "limits_text"]

#: the host names a server bound to loopback answers to (any port)
LOOPBACK_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")

#: the GIL switch interval of a server process (seconds; Python's default is 0.005)
SERVER_SWITCH_INTERVAL = 0.001

_log = logging.getLogger("myoclass.web")
_access_log = logging.getLogger("myoclass.access")


#: answers' bytes that may wait for their clients before new requests get 503 (``Settings.max_unsent_bytes``)
MAX_UNSENT_BYTES = 512 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Settings:
    #: largest request body accepted, bytes (413 above), whether sent with a length or chunked
    max_body_bytes: int = 2_000_000
    #: most cases in one POST /api/v1/assess (413 above)
    max_cases: int = 1000
    #: most work units in one POST /api/v1/assess list (413 above; see myoclass.web.work.case_cost)
    max_work: int = 120_000
    #: worker threads for decoding, validation, assessment and encoding (default: one per CPU, at most 4;
    #: more threads than CPUs only contend for the GIL)
    pool_threads: int = dataclasses.field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    #: requests that may wait for a worker thread; beyond that, 503 with Retry-After
    pool_queue: int = 64
    #: one-case work (a POST /api/v1/assess body of at most ``single_work`` units, a workspace page; pure computation,
    #: no network I/O) runs in its own small pool of this many threads, so that a clinician's one case never waits
    #: behind lists of cases; at most ``single_queue`` more wait, beyond that 503 with Retry-After
    single_threads: int = 1
    single_queue: int = 32
    #: the work units of the largest single case (an empty one: 40 + one per finding; see myoclass.web.work)
    single_work: int = CASE_BASE_COST + len(FIELDS)
    #: a POST /api/v1/assess body of at most this many work units may be answered on the event loop instead of
    #: the pool (a single case costs 40 to 150). 0, the default: every assessment runs in the bounded pool, so
    #: the pool's limit and its 503 hold for every request; a thread hop costs about 0.2 ms a request
    inline_work: int = 0
    #: seconds a 503 asks the client to wait (Retry-After)
    retry_after_seconds: int = 1
    #: bytes of answers handed to the server and not yet taken by their clients (a client that does not read its
    #: answer keeps it in memory); above this, a new request gets 503 with Retry-After until they are read or dropped
    max_unsent_bytes: int = MAX_UNSENT_BYTES
    #: the Host names answered (any port); "*" answers any, "*.example.org" any subdomain of example.org
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    #: log each request's method, path and status (never the query, a body or a header)
    access_log: bool = False

    def to_env(self) -> dict[str, str]:
        """These settings as ``MYOCLASS_*`` environment variables (for worker processes; see :meth:`from_env`)."""
        def text(v: Any) -> str:
            return ",".join(v) if isinstance(v, tuple) else str(int(v))

        return {f"MYOCLASS_{f.name.upper()}": text(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``MYOCLASS_*`` environment variables; the defaults for those not set."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"MYOCLASS_{f.name.upper()}")
            if raw is None:
                continue
            default = getattr(cls(), f.name)
            if isinstance(default, tuple):
                values[f.name] = tuple(h.strip() for h in raw.split(",") if h.strip())
            elif isinstance(default, bool):
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            else:
                values[f.name] = int(raw)
        return cls(**values)


_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI sets style attributes from script, so its page alone allows inline styles (never inline scripts).
_CSP_DOCS = _CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
_SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                     (b"referrer-policy", b"no-referrer"), (b"cross-origin-opener-policy", b"same-origin"),
                     (b"cross-origin-resource-policy", b"same-origin"),
                     (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]


def errors_response(problems: list[dict[str, str]], status: int, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The one error shape: ``{"errors": [{"field", "message"}]}``."""
    return JSONResponse({"errors": problems}, status_code=status, headers=headers)


def _host_name(value: str) -> str | None:
    """The name in a Host header without its port (``[::1]:8000`` -> ``::1``), lower case; None if malformed."""
    v = value.strip().lower()
    if v.startswith("["):
        end = v.find("]")
        rest = v[end + 1:]
        if end < 0 or (rest and not (rest[0] == ":" and rest[1:].isdigit())):
            return None
        return v[1:end]
    name, sep, port = v.partition(":")
    if not name or (sep and not port.isdigit()):
        return None
    return name


def _normalise_host(name: str) -> str:
    n = name.strip().lower()
    return n[1:-1] if n.startswith("[") and n.endswith("]") else n


#: paths whose last segment is a secret (a CDS card's link token opens the patient's case while it lives): logged
#: without it
_SECRET_PATHS = ("/cds/open/",)
#: a patient's code in a registry path (meant to be a pseudonym, but a real name typed by mistake must not reach the
#: log): logged as ``<code>``, the rest of the path kept. Any path with a ``patients`` segment, however written
#: (doubled slashes, capitals, a mistyped prefix), has every segment after it masked but the route's own words
_PATIENT_PATH = re.compile(r"^(.*?/patients/+)(.*)$", re.IGNORECASE)
#: the path segments a registry route has after a patient's code: every other segment there is logged as <code>
_PATIENT_ROUTE_WORDS = frozenset({"visits", "new"})


def _log_path(scope: Scope) -> str:
    """The path for a log line: percent-encoded (no control characters), without the query, a link token or a
    registry patient's code, cut short."""
    path = str(scope.get("path", ""))
    for prefix in _SECRET_PATHS:
        if path.startswith(prefix):
            return prefix + "<token>"
    p = quote(path, safe="/:@!$&'()*+,;=-._~")
    m = _PATIENT_PATH.match(p)
    if m:  # also when written with doubled slashes, another case, or a code holding an encoded slash
        rest = m.group(2).split("/")
        masked = [seg if (seg in _PATIENT_ROUTE_WORDS and (i or rest == ["new"])) or not seg else "<code>"
                  for i, seg in enumerate(rest)]  # /registry/patients/new is the new-patient form
        p = m.group(1) + "/".join(masked)
    return p if len(p) <= 200 else p[:197] + "..."


#: an answer larger than this is sent a piece of this size at a time (see ``SecurityHeaders.unsent``)
_SEND_CHUNK = 1 << 20


class SecurityHeaders:
    """The outermost layer: refuses a Host not allowed (400) and a body over the size limit (413, also
    when chunked: the body is read here, up to the limit, before the app starts), adds the security
    headers and ``Cache-Control: no-store`` (except for ``/static/``), logs the access line if enabled,
    and keeps an unexpected error's message out of the server log."""

    def __init__(self, app: ASGIApp, max_body: int, allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS,
                 access_log: bool = False, max_unsent: int = MAX_UNSENT_BYTES, retry_after: int = 1) -> None:
        self.app = app
        self.max_body = max_body
        #: answers' bytes being sent now (held until the client has taken them), and the budget for new requests
        self.unsent = 0
        self.max_unsent = max_unsent
        self.retry_after = retry_after
        hosts = {_normalise_host(h) for h in allowed_hosts}
        self.any_host = "*" in hosts
        self.hosts = frozenset(h for h in hosts if not h.startswith("*"))
        self.host_suffixes = tuple(h[1:] for h in hosts if h.startswith("*."))
        self.allowed_text = ", ".join(allowed_hosts)
        self.access_log = access_log
        no_store = [(b"cache-control", b"no-store")]
        self._headers = [(b"content-security-policy", _CSP.encode()), *_SECURITY_HEADERS, *no_store]
        self._headers_docs = [(b"content-security-policy", _CSP_DOCS.encode()), *_SECURITY_HEADERS, *no_store]
        self._headers_static = self._headers[:-1]  # the static assets stay cacheable

    def _host_allowed(self, value: bytes) -> bool:
        if self.any_host:
            return True
        name = _host_name(value.decode("latin-1"))
        return name is not None and (name in self.hosts or name.endswith(self.host_suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        extra = (self._headers_static if path.startswith("/static/") else self._headers_docs if path == "/docs"
                 else self._headers)
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra]
            body = message.get("body", b"") if message["type"] == "http.response.body" else b""
            if len(body) <= _SEND_CHUNK:
                await send(message)
                return
            # A large answer goes out a piece at a time: the server waits (for the client to read) before taking the
            # next piece, so what the clients have not read yet is counted here, and bounded (max_unsent_bytes).
            # Handed over at once, it would sit in the server's socket buffer, uncounted.
            left = len(body)
            self.unsent += left
            try:
                view = memoryview(body)
                for start in range(0, len(body), _SEND_CHUNK):
                    piece = bytes(view[start:start + _SEND_CHUNK])
                    last = start + _SEND_CHUNK >= len(body)
                    await send({"type": "http.response.body", "body": piece,
                                "more_body": message.get("more_body", False) if last else True})
                    left -= len(piece)
                    self.unsent -= len(piece)
            finally:
                self.unsent -= left

        try:
            if self.unsent > self.max_unsent and path != "/healthz":
                await errors_response(
                    [{"field": "(server)", "message": "busy: answers already made are still waiting for their clients "
                      "to read them; allowed: retry shortly"}], 503,
                    {"Retry-After": str(self.retry_after)})(scope, receive, send_with_headers)
                return
            await self._guarded(scope, receive, send_with_headers)
        except Exception as e:  # logged by type only: the message might quote case data
            _log.error("unexpected %s in %s %s", type(e).__name__, scope.get("method"), _log_path(scope))
            if not status:
                await errors_response([{"field": "(server)", "message": "internal error; the request was not processed"}],
                                      500)(scope, receive, send_with_headers)
        finally:
            if self.access_log:
                _access_log.info("%s %s %s", scope.get("method"), _log_path(scope), status or "-")

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        hosts: list[bytes] = []
        length: bytes | None = None
        chunked = False
        for k, v in scope["headers"]:
            if k == b"host":
                hosts.append(v)
            elif k == b"content-length":
                length = v
            elif k == b"transfer-encoding":
                chunked = True
        if not hosts or not all(self._host_allowed(h) for h in hosts):
            shown = show(hosts[0].decode("latin-1")) if hosts else "a missing Host"
            await errors_response([{"field": "Host", "message": f"{shown} is not served here; allowed: {self.allowed_text} "
                                    "(myoclass serve --allowed-host NAME)"}], 400)(scope, receive, send)
            return
        if length is None and not chunked:  # no body (HTTP/1.1: neither a length nor chunks)
            await self.app(scope, receive, send)
            return
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await _too_large(scope, receive, send, self.max_body)
            return
        # Read the whole body here, up to the limit, so that an over-long chunked body is refused before
        # the app has started (and a response) rather than failing inside it.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nobody to answer
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _too_large(scope, receive, send, self.max_body)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server would

        await self.app(scope, replay, send)


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    if is_cds_path(scope.get("path", "")):
        await operation_outcome(413, [("too-long", f"request body larger than {limit:,} bytes; allowed: at most "
                                                   f"{limit:,} bytes")])(scope, receive, send)
        return
    await errors_response([{"field": "(body)", "message": f"request body larger than {limit:,} bytes; allowed: at most "
                            f"{limit:,} bytes (split a list of cases, or use `myoclass batch`)"}], 413)(scope, receive, send)


# --- the one error shape for the framework's own errors ------------------------------------------

async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if is_cds_path(request.url.path):  # CDS Hooks clients read FHIR errors
        code = {404: "not-found", 405: "not-supported", 406: "not-supported"}.get(exc.status_code, "processing")
        what = (f"{show(request.method)} is not allowed here; allowed: {headers.get('allow') or headers.get('Allow')}"
                if exc.status_code == 405 else "no such CDS endpoint; allowed: /cds-services and the services it lists"
                if exc.status_code == 404 else str(exc.detail)[:200])
        return operation_outcome(exc.status_code, [(code, what)], headers)
    if exc.status_code == 404:
        problem = {"field": "(path)", "message": "no such page or endpoint; allowed: the paths listed at /docs "
                                                 "(/openapi.json), /, /patient, /registry, /api/v1/patients (an API "
                                                 "token) and /cds-services"}
    elif exc.status_code == 406:
        problem = {"field": "Accept", "message": str(exc.detail)[:300]}
    elif exc.status_code == 405:
        allowed = headers.get("allow") or headers.get("Allow") or "see /docs"
        problem = {"field": "(method)", "message": f"{show(request.method)} is not allowed here; allowed: {allowed}"}
    else:
        problem = {"field": "(request)", "message": str(exc.detail)[:200]}
    return errors_response([problem], exc.status_code, headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "(request)",
                 "message": str(e.get("msg", "invalid"))[:200]} for e in exc.errors()[:20]]
    return errors_response(problems, 422)


async def _busy(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Busy)
    return errors_response([{"field": "(server)", "message": f"the server is busy; allowed: retry after {exc.retry_after} s"}],
                           503, {"Retry-After": str(exc.retry_after)})


async def _server_error(request: Request, exc: Exception) -> Response:
    return errors_response([{"field": "(server)", "message": "internal error; the request was not processed"}], 500)


#: the endpoints served beside the ones this schema lists, and where each is documented (left out of the schema: the
#: registry's need a token, and CDS Hooks has its own discovery)
OTHER_ENDPOINTS = ("Also served, documented apart: the registry's API, `GET /api/v1/patients`, `GET "
                   "/api/v1/patients/{code}` and `POST /api/v1/patients/{code}/visits`, with `Authorization: Bearer "
                   "<token>` (docs/registry-web.md); CDS Hooks 2.0, `GET /cds-services` and the services it lists "
                   "(docs/cds-hooks.md); the pages `/` (clinician workspace), `/patient` (patient checklist) and "
                   "`/registry`.")


def limits_text(settings: Settings) -> str:
    """The request limits, in words (the OpenAPI description and the README say the same)."""
    return (f"Limits: a body of at most {settings.max_body_bytes:,} bytes (413, also when chunked); a list of at most "
            f"{settings.max_cases:,} cases and at most {settings.max_work:,} work units (413). A case costs {CASE_BASE_COST} "
            "units plus one per finding of the data dictionary left unknown (missing or null), since every unknown "
            f"finding widens the search and lengthens the report: an empty case costs {CASE_BASE_COST + len(FIELDS)}, a "
            f"typical one about 90. A case with keys not in the data dictionary costs {UNKNOWN_KEY_COST} per such key "
            f"({MAX_REPORTED_KEYS} counted at most), for the "
            "nearest-key search. For more, split the list or use `myoclass batch`. POST bodies to /api/v1 must be "
            "`application/json` (415 otherwise). When every worker is busy the answer is 503 with `Retry-After`. Every "
            'error is `{"errors": [{"field", "message"}]}`.')


def create_app(settings: Settings | None = None, cds: CdsSettings | None = None,
               registry: RegistryWebSettings | None = None) -> ASGIApp:
    """Build the app (a fresh instance per call, so tests can use their own settings). ``cds``: the CDS Hooks
    settings (:class:`myoclass.web.cds.CdsSettings`; default: its defaults, JWT verification on). ``registry``:
    the registry's web settings (:class:`myoclass.web.auth.RegistryWebSettings`: database URL, cookie and
    session rules; default: its defaults, the service's default database, opened on the first registry request)."""
    settings = settings or Settings()
    pool = WorkPool(settings.pool_threads, settings.pool_queue, settings.retry_after_seconds)
    single_pool = WorkPool(settings.single_threads, settings.single_queue, settings.retry_after_seconds)
    from myoclass.web.auth import RegistryWeb
    from myoclass.web.auth import RegistryWebSettings as _RegistryWebSettings

    registry_web = RegistryWeb(registry or _RegistryWebSettings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        prepare_differential()  # the models and the biopsy item groups, once, before the first request
        yield
        pool.shutdown()
        single_pool.shutdown()
        registry_web.close()

    app = FastAPI(
        title="myoclass",
        version=__version__,
        description="Classify immune-mediated necrotizing myopathy among the inflammatory myopathies under the "
                    "published criteria, honest about unknown findings. Decision support, not a diagnosis.\n\n"
                    + limits_text(settings) + "\n\n" + OTHER_ENDPOINTS,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pool = pool
    app.state.single_pool = single_pool
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Busy, _busy)
    app.add_exception_handler(Exception, _server_error)
    static = resources.files("myoclass.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    from myoclass.web.api import router as api_router
    from myoclass.web.cds import CdsSettings as _CdsSettings
    from myoclass.web.cds import router as cds_router
    from myoclass.web.pages import router as pages_router
    from myoclass.web.registry_api import router as registry_api_router
    from myoclass.web.registry_pages import router as registry_pages_router

    app.state.cds_settings = cds or _CdsSettings()
    app.state.registry_web = registry_web

    app.include_router(api_router)
    app.include_router(pages_router)
    app.include_router(cds_router)
    app.include_router(registry_api_router)
    app.include_router(registry_pages_router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            from myoclass.web.api import assessment_components, flat_case_component

            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["FlatCase"] = flat_case_component()
            for name, component in assessment_components().items():  # generated from the typed assessment
                if name in components:
                    raise RuntimeError(f"OpenAPI component {name!r} is defined twice")
                components[name] = component
            body = schema["paths"]["/api/v1/assess"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            body["oneOf"][1]["maxItems"] = settings.max_cases  # the list limit this app enforces
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        """Liveness: the service answers."""
        return {"status": "ok"}

    @app.head("/healthz", include_in_schema=False)
    def healthz_head() -> Response:
        """Liveness for load balancers that ask with HEAD."""
        return Response(status_code=200)

    @app.get("/-/versions", tags=["service"])
    def versions() -> dict[str, Any]:
        """Package, criteria-set and vendored asset versions (for audit)."""
        return {"myoclass": __version__, "criteria": {s.id: s.version for s in criteria_sets()},
                "assessment_schema": SCHEMA_VERSION, "flat_case": "1", "htmx": "2.0.11", "swagger_ui": "5.35.0"}

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_HTML)

    return SecurityHeaders(app, settings.max_body_bytes, settings.allowed_hosts, settings.access_log,
                           settings.max_unsent_bytes, settings.retry_after_seconds)


def app_from_env() -> ASGIApp:
    """The app with :meth:`Settings.from_env` (and the CDS Hooks settings from ``MYOCLASS_CDS_*``), for
    ``uvicorn --factory`` and each ``--workers`` process; it also sends the app's own log lines (the access line,
    an unexpected error's type) to stderr."""
    settings = Settings.from_env()
    # The worker threads' Python parts hand the GIL over every switch interval; at 1 ms instead of 5 the
    # event loop gets its turn sooner (measured: /healthz p50 about 20 ms instead of 45 ms while two threads
    # run nearest-key searches). The server process is ours, so the process-wide setting is ours to change.
    sys.setswitchinterval(SERVER_SWITCH_INTERVAL)
    logger = logging.getLogger("myoclass")
    if not any(getattr(h, "_myoclass", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handler._myoclass = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.INFO if settings.access_log else logging.WARNING)
    from myoclass.web.auth import RegistryWebSettings as _RegistryWebSettings
    from myoclass.web.cds import CdsSettings as _CdsSettings

    # MYOCLASS_CDS_* (docs/cds-hooks.md); MYOCLASS_DATABASE_URL, MYOCLASS_COOKIE_SECURE, MYOCLASS_SESSION_* (docs/registry-web.md)
    return create_app(settings, _CdsSettings.from_env(), _RegistryWebSettings.from_env())


#: the OpenAPI page: the site's header (the way back to the workspace and the checklist) over Swagger UI
_DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>myoclass API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css">
<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head>
<body><a class="skip-link" href="#main">Skip to the content</a>
<header class="site">
  <a class="brand" href="/">myoclass</a>
  <nav aria-label="Main">
    <a href="/">Clinician workspace</a>
    <a href="/patient">Patient checklist</a>
    <a href="/docs" aria-current="page">API</a>
  </nav>
</header>
<main id="main" tabindex="-1"><div id="swagger-ui"></div></main>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script></body></html>
"""
