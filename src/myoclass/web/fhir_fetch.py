"""Fetching FHIR data a CDS client did not prefetch, from its ``fhirServer`` (CDS Hooks 2.0.1, "FHIR Resource
Access").

Standard library only (``urllib.request``), called from the app's worker pool. Every fetch is bounded:

- only ``http``/``https`` URLs on a FHIR server the operator allowlisted (``Settings.cds_fhir_servers``);
- one overall deadline for all the fetches of a call (:data:`FETCH_BUDGET_SECONDS`), and a size cap per
  response (:data:`MAX_RESPONSE_BYTES`) and per call (:data:`MAX_TOTAL_BYTES`);
- a searchset's ``next`` links are followed up to :data:`MAX_PAGES` pages, and only while they stay under the
  same FHIR server base (the access token is never sent anywhere else);
- redirects are not followed (a redirect could carry the token to another host);
- the access token from ``fhirAuthorization`` is sent as ``Authorization: Bearer``; it is never logged, kept
  or put into an error message, and neither is a URL (it holds the patient id).
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from myoclass.errors import FetchError
from myoclass.io.json import DecodeError, TooDeep, loads

__all__ = [
    "FETCH_BUDGET_SECONDS",
    "MAX_PAGES",
    "MAX_RESPONSE_BYTES",
    "MAX_TOTAL_BYTES",
    "FetchError",
    "Fetcher",
    "fill_template",
    "opener_for",
    "server_allowed",
]

#: seconds for all the fetches of one CDS call together (each request's timeout is what is left, at most this)
FETCH_BUDGET_SECONDS = 5.0
#: pages of one search followed at most (the first page and its ``next`` links)
MAX_PAGES = 5
#: the largest single response read (bytes)
MAX_RESPONSE_BYTES = 4_000_000
#: the most read from the FHIR server for one CDS call (bytes)
MAX_TOTAL_BYTES = 12_000_000
#: the deepest nesting accepted in a FHIR response
FHIR_MAX_DEPTH = 40

_TOKEN = re.compile(r"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")




class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        raise FetchError(f"the server answered with a redirect (HTTP {code}), which is not followed")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def opener_for(url: str) -> urllib.request.OpenerDirector:
    """An opener that follows no redirect, and uses no proxy for a loopback host (the environment's proxy
    settings otherwise)."""
    host = (urlsplit(url).hostname or "").lower()
    proxies = urllib.request.ProxyHandler({}) if _is_loopback(host) else urllib.request.ProxyHandler()
    return urllib.request.build_opener(proxies, _NoRedirect())


def _base(url: str) -> str:
    return url.rstrip("/")


def server_allowed(url: str, allowlist: Iterable[str]) -> bool:
    """Whether ``url`` is an http(s) FHIR base URL in ``allowlist`` (exact, ignoring a trailing slash; ``"*"``
    allows any http(s) server)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return False
    allowed = {_base(a) for a in allowlist}
    return "*" in allowed or _base(url) in allowed


def fill_template(template: str, context: Mapping[str, Any], user: Mapping[str, str] | None = None) -> str | None:
    """A prefetch template with its tokens replaced from the hook's context (``{{context.patientId}}``) or the
    user tokens (``{{userPractitionerId}}``), each value percent-encoded; None if a token has no primitive value."""
    values = dict(user or {})
    missing = False

    def replace(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group(1)
        if name.startswith("context."):
            v = context.get(name.removeprefix("context."))
        else:
            v = values.get(name)
        if isinstance(v, bool) or not isinstance(v, str | int | float) or v == "":
            missing = True
            return ""
        return quote(str(v), safe="")

    out = _TOKEN.sub(replace, template)
    return None if missing else out


@dataclass
class Fetcher:
    """Reads FHIR resources from one allowlisted server for one CDS call, within one time and size budget."""

    base: str
    token: str | None = None
    budget: float = FETCH_BUDGET_SECONDS
    max_pages: int = MAX_PAGES
    max_response: int = MAX_RESPONSE_BYTES
    max_total: int = MAX_TOTAL_BYTES
    _deadline: float = field(init=False)
    _read: int = field(init=False, default=0)
    #: set when a search had more pages than :attr:`max_pages` (the rest were not read)
    truncated: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.base = _base(self.base)
        self._deadline = time.monotonic() + self.budget

    def _under_base(self, url: str) -> bool:
        b, u = urlsplit(self.base), urlsplit(url)
        return ((u.scheme.lower(), (u.netloc or "").lower()) == (b.scheme.lower(), (b.netloc or "").lower())
                and (u.path == b.path or u.path.startswith(b.path.rstrip("/") + "/")))

    def get_json(self, url: str) -> Any:
        """One GET of ``url`` (which must lie under the server base) as decoded JSON, or :class:`FetchError`."""
        if not self._under_base(url):
            raise FetchError("a link outside the FHIR server base is not followed")
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"the time for fetching ({self.budget:g} s) ran out")
        headers = {"Accept": "application/fhir+json, application/json;q=0.9"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, headers=headers, method="GET")
        limit = min(self.max_response, self.max_total - self._read)
        try:
            with opener_for(url).open(request, timeout=left) as response:
                raw = response.read(limit + 1)
        except FetchError:
            raise
        except urllib.error.HTTPError as e:
            raise FetchError(f"the FHIR server answered HTTP {e.code}") from None
        except TimeoutError:
            raise FetchError(f"the FHIR server did not answer within {self.budget:g} s") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as e:
            raise FetchError(f"the FHIR server could not be reached ({type(e).__name__})") from None
        self._read += len(raw)
        if len(raw) > limit:
            raise FetchError(f"the FHIR server's answer is larger than {limit:,} bytes")
        try:
            return loads(raw, max_depth=FHIR_MAX_DEPTH)
        except (DecodeError, TooDeep):
            raise FetchError("the FHIR server's answer is not valid JSON") from None

    def fetch(self, query: str) -> Any:
        """The result of a filled prefetch query (``Patient/123``, ``Observation?patient=123&code=...``): a
        resource, or a searchset Bundle holding the entries of up to :attr:`max_pages` pages."""
        first = self.get_json(f"{self.base}/{query.lstrip('/')}")
        if not isinstance(first, dict) or not isinstance(first.get("resourceType"), str):
            raise FetchError("the FHIR server's answer is not a FHIR resource")
        if first["resourceType"] != "Bundle":
            return first
        entries = list(first.get("entry") or [])
        page, pages = first, 1
        while pages < self.max_pages:
            nxt = next((link.get("url") for link in page.get("link") or []
                        if isinstance(link, dict) and link.get("relation") == "next"), None)
            if not isinstance(nxt, str) or not nxt:
                break
            page = self.get_json(nxt)
            if not isinstance(page, dict) or page.get("resourceType") != "Bundle":
                raise FetchError("a next page of the search is not a Bundle")
            entries += list(page.get("entry") or [])
            pages += 1
        else:
            self.truncated = any(isinstance(link, dict) and link.get("relation") == "next" for link in page.get("link") or [])
        return {"resourceType": "Bundle", "type": "searchset", "entry": entries}
