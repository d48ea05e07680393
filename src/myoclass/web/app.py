"""One ASGI app: the REST API (``/api/v1``), the clinician page (``/``), the patient checklist
(``/patient``), OpenAPI docs (``/docs``, served from the package), ``/healthz`` and ``/-/versions``.

No network access is needed: htmx (2.x) and Swagger UI are vendored under ``static/``. Every
response carries strict security headers (a CSP without inline scripts, ``frame-ancestors 'none'``,
``nosniff``). Case data is never logged: the app logs nothing about requests itself, and the access
log (off by default) records only method, path and status; no endpoint takes case data in the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from myoclass import __version__
from myoclass.criteria import criteria_sets
from myoclass.reasoning.assess import SCHEMA_VERSION

__all__ = ["Settings", "create_app"]


@dataclass(frozen=True)
class Settings:
    #: largest request body accepted, bytes (413 above)
    max_body_bytes: int = 2_000_000
    #: most cases in one POST /api/v1/assess (413 above)
    max_cases: int = 1000


_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI sets style attributes from script, so its page alone allows inline styles (never inline scripts).
_CSP_DOCS = _CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeaders:
    """Adds the security headers to every response, and refuses bodies over the size limit."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await _too_large(scope, receive, send, self.max_body)
            return
        csp = _CSP_DOCS if scope["path"] == "/docs" else _CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = list(message.get("headers", []))
                h += [(b"content-security-policy", csp.encode()), (b"x-content-type-options", b"nosniff"),
                      (b"x-frame-options", b"DENY"), (b"referrer-policy", b"no-referrer"),
                      (b"cross-origin-opener-policy", b"same-origin"),
                      (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]
                message["headers"] = h
            await send(message)

        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, receive_limited, send_with_headers)
        except _BodyTooLarge:
            await _too_large(scope, receive, send, self.max_body)


class _BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    resp = JSONResponse({"errors": [{"field": "(body)", "message": f"request body larger than {limit} bytes"}]},
                        status_code=413)
    await resp(scope, receive, send)


def create_app(settings: Settings | None = None) -> ASGIApp:
    """Build the app (a fresh instance per call, so tests can use their own settings)."""
    settings = settings or Settings()
    app = FastAPI(
        title="myoclass",
        version=__version__,
        description="Classify immune-mediated necrotizing myopathy among the inflammatory myopathies under the "
                    "published criteria, honest about unknown findings. Decision support, not a diagnosis.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    static = resources.files("myoclass.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    from myoclass.web.api import router as api_router
    from myoclass.web.pages import router as pages_router

    app.include_router(api_router)
    app.include_router(pages_router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            from myoclass.web.api import flat_case_component

            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["FlatCase"] = flat_case_component()
            body = schema["paths"]["/api/v1/assess"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            body["oneOf"][1]["maxItems"] = settings.max_cases  # the list limit this app enforces
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        """Liveness: the service answers."""
        return {"status": "ok"}

    @app.get("/-/versions", tags=["service"])
    def versions() -> dict[str, Any]:
        """Package, criteria-set and vendored asset versions (for audit)."""
        return {"myoclass": __version__, "criteria": {s.id: s.version for s in criteria_sets()},
                "assessment_schema": SCHEMA_VERSION, "flat_case": "1", "htmx": "2.0.11", "swagger_ui": "5.35.0"}

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_HTML)

    return SecurityHeaders(app, settings.max_body_bytes)


_DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>myoclass API</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script></body></html>
"""
