"""Who may use the registry's pages and REST endpoints: sessions, CSRF tokens, login throttling, API tokens
and roles (issue 15). The stateless endpoints (``/api/v1/assess``, the workspace ``/``, the patient checklist
``/patient``) never pass through here: they stay open.

* **Roles.** ``clinician`` reads and writes (patients, visits, re-classify); ``researcher`` reads and downloads
  the pseudonymised export, never writes; ``admin`` manages users and API tokens, and may do what a clinician
  does (as :func:`myoclass.registry.service.can_write` has it, so the CLI and the web agree). An action the
  role does not allow is 403.
* **Sessions.** Logging in creates a random session token (256 bits) kept server-side, in the registry's
  database (shared by every worker process, kept over restarts), as its SHA-256 digest, with the user and an
  expiry (``RegistryWebSettings.session_minutes``, also idle-bounded); the browser holds the token in the cookie
  ``myoclass_session``: ``HttpOnly``, ``SameSite=Strict``, ``Path=/`` and ``Secure`` by the rule of
  :func:`cookie_secure`. Logging out deletes the server-side session, so a copied cookie stops working at once;
  disabling a user, or changing its password or role, ends its sessions.
* **CSRF.** Every form that POSTs carries a hidden ``csrf_token`` checked against the session: the token is
  the SHA-256 of a fixed prefix and the session token, so it is bound to the session, and a page of another
  site can neither read it nor make it. The login form has no session yet: it uses a double-submit token (a
  random cookie ``myoclass_login_csrf`` that the hidden field must equal). A missing or wrong token is 403.
* **Throttling.** Failed logins are counted per user name and per client address; from the fifth failure
  within 15 minutes each further attempt waits an exponentially growing delay (2, 4, 8 … seconds, at most 15
  minutes), answered 429 with ``Retry-After`` without checking the password at all. A success clears the
  user name's count. The counts are in the registry's database (shared by every worker process, kept over
  restarts), keyed by the SHA-256 of the lower-cased name and of the address, never the name or the address.
* **API tokens.** The registry's REST endpoints take ``Authorization: Bearer <token>`` (an admin creates
  them on ``/registry/users``; stored as digests, and revocable); without one, or with a bad or
  revoked one, 401 with ``WWW-Authenticate: Bearer``.

Nothing about a login is logged but its outcome's kind; never a user name, a password or a token.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from fastapi import Request
from starlette.responses import Response

if TYPE_CHECKING:
    from myoclass.registry.service import Registry, UserInfo

__all__ = [
    "CSRF_FIELD",
    "LOGIN_CSRF_COOKIE",
    "ROLES",
    "SESSION_COOKIE",
    "LoginThrottle",
    "Principal",
    "RegistryWeb",
    "RegistryWebSettings",
    "SessionStore",
    "cookie_secure",
    "csrf_ok",
    "csrf_token",
    "digest",
    "may",
    "new_token",
]

ROLES: tuple[str, ...] = ("clinician", "researcher", "admin")
#: what each role may do; "read" includes the timeline and the patient list
PERMISSIONS: dict[str, frozenset[str]] = {
    "clinician": frozenset({"read", "write", "reclassify", "export"}),
    "researcher": frozenset({"read", "export"}),
    "admin": frozenset({"read", "write", "reclassify", "users", "export"}),
}
Action = Literal["read", "write", "reclassify", "export", "users"]

SESSION_COOKIE = "myoclass_session"
LOGIN_CSRF_COOKIE = "myoclass_login_csrf"
CSRF_FIELD = "csrf_token"
_CSRF_PREFIX = b"myoclass-csrf-v1\x00"


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user's id and name, their role, and how they came (a session or an API token).
    ``session_token`` is the raw session token (for the CSRF token), empty for API tokens."""

    user_id: int
    name: str
    role: str
    via: Literal["session", "token"] = "session"
    session_token: str = field(default="", repr=False)

    def may(self, action: Action) -> bool:
        return may(self.role, action)


def may(role: str, action: Action) -> bool:
    return action in PERMISSIONS.get(role, frozenset())


def new_token() -> str:
    """A random token (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What the server keeps of a session token: its SHA-256, hex (the token itself is never stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: bound to it, unguessable without it, and revealing nothing of it."""
    return hashlib.sha256(_CSRF_PREFIX + session_token.encode("utf-8")).hexdigest()


def csrf_ok(sent: object, expected: str) -> bool:
    """Whether a form's token matches (constant time); a missing, non-text or empty token never does."""
    return isinstance(sent, str) and bool(sent) and bool(expected) and hmac.compare_digest(
        sent.encode("utf-8"), expected.encode("utf-8"))


def _is_loopback(name: str) -> bool:
    n = name.strip().lower().strip("[]")
    if n == "localhost" or n.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(n).is_loopback
    except ValueError:
        return False


def cookie_secure(request: Request, policy: str = "auto") -> bool:
    """Whether a cookie set in answer to ``request`` carries ``Secure``.

    ``policy`` (``Settings.cookie_secure``, ``MYOCLASS_COOKIE_SECURE``): ``always``, ``never`` (tests and
    trials only), or ``auto`` (the default): Secure whenever the request came over https (also through a
    trusted proxy's ``X-Forwarded-Proto``, see ``myoclass serve --forwarded-allow-ips``) or names a host that is
    not loopback; only plain http to ``localhost``/``127.0.0.1``/``::1``, where nothing crosses a network,
    goes without it, so that ``./run`` works on http://127.0.0.1:8000/. A server reached by another name over
    plain http therefore sets cookies the browser does not send back: serve it behind https.
    """
    if policy == "always":
        return True
    if policy == "never":
        return False
    if request.url.scheme == "https":
        return True
    return not _is_loopback(request.url.hostname or "")


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None, policy: str,
               path: str = "/") -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, secure=cookie_secure(request, policy),
                        httponly=True, samesite="strict")


def clear_cookie(response: Response, request: Request, name: str, policy: str, path: str = "/") -> None:
    response.delete_cookie(name, path=path, secure=cookie_secure(request, policy), httponly=True, samesite="strict")


def client_address(request: Request) -> str:
    """The client's address for throttling (the proxy's X-Forwarded-For is applied by uvicorn when trusted)."""
    return request.client.host if request.client else "unknown"


class LoginThrottle:
    """Failed logins per throttle key (``user:`` and ``addr:`` with the SHA-256 of the lower-cased user name or of
    the client address, :func:`throttle_keys`), kept in the registry's database (table ``login_throttle``,
    migration 0003) through :func:`myoclass.registry.service.record_login_failure` and its siblings, so that every
    worker process of ``myoclass serve --workers N`` counts the same failures and a restart forgets none.

    From ``free`` failures within ``window`` seconds on, each further attempt waits ``base * 2**(n - free)``
    seconds after the last failure (at most ``cap``); :meth:`retry_after` says how long, 0 when an attempt may
    go ahead. Rows that count for nothing any more are purged now and then (at most every ``purge_seconds`` per
    process), so the table stays small.

    ``registry``: returns the open registry (:meth:`RegistryWeb.registry`). ``clock``: the time in seconds since
    the epoch (tests move it). Every method blocks on the database: call it from a worker thread
    (``run_in_threadpool``), never on the event loop."""

    def __init__(self, registry: Callable[[], Registry], free: int = 5, base: float = 2.0, cap: float = 900.0,
                 window: float = 900.0, clock: Callable[[], float] = time.time, purge_seconds: float = 60.0) -> None:
        self._registry = registry
        self.free, self.base, self.cap, self.window, self.purge_seconds = free, base, cap, window, purge_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._purged_at: float | None = None

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def retry_after(self, *keys: str) -> int:
        """Seconds until an attempt with these keys may go ahead (0: now), the longest wait of any key."""
        from myoclass.registry import service

        return service.login_wait(self._registry(), keys, now=self._now())

    def failed(self, *keys: str) -> None:
        """Count a failed attempt against every key (atomically, whichever process counts at the same time)."""
        from myoclass.registry import service

        reg, now = self._registry(), self._now()
        service.record_login_failure(reg, keys, now=now, free=self.free, base=self.base, cap=self.cap,
                                     window=self.window)
        with self._lock:
            t = self.clock()
            due = self._purged_at is None or not 0 <= t - self._purged_at < self.purge_seconds
            if due:
                self._purged_at = t
        if due:
            service.purge_login_failures(reg, now - dt.timedelta(seconds=max(self.window, self.cap)))

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of these keys (a successful login clears its user name's key)."""
        from myoclass.registry import service

        service.clear_login_failures(self._registry(), keys)


def throttle_keys(name: str, request: Request) -> tuple[str, str]:
    """The throttle keys of a login attempt: of its user name (lower-cased) and of its client address, as the
    registry stores them (SHA-256 digests, never the name or the address)."""
    from myoclass.registry.service import login_throttle_key

    return login_throttle_key("user", name), login_throttle_key("addr", client_address(request))


def bearer_token(request: Request) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or None."""
    raw = request.headers.get("authorization", "")
    scheme, _sep, token = raw.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# --- settings, sessions and the open registry ------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class RegistryWebSettings:
    """The registry's web settings (``MYOCLASS_*`` environment variables, see :meth:`from_env`)."""

    #: the registry's SQLAlchemy URL (``MYOCLASS_DATABASE_URL``); None: the service's default (a SQLite file in
    #: ``$MYOCLASS_DATA_DIR``, else ``$XDG_DATA_HOME/myoclass``, else ``~/.local/share/myoclass``)
    database_url: str | None = None
    #: the session cookie's Secure flag (``MYOCLASS_COOKIE_SECURE``): auto, always or never (see cookie_secure)
    cookie_secure: str = "auto"
    #: a session ends this many minutes after login (``MYOCLASS_SESSION_MINUTES``) ...
    session_minutes: int = 480
    #: ... or after this many minutes without a request (``MYOCLASS_SESSION_IDLE_MINUTES``)
    session_idle_minutes: int = 60

    def __post_init__(self) -> None:
        if self.cookie_secure not in ("auto", "always", "never"):
            raise ValueError(f"cookie_secure {self.cookie_secure!r} is not allowed; allowed: auto, always, never")
        if self.session_minutes < 1 or self.session_idle_minutes < 1:
            raise ValueError("session lifetimes must be at least 1 minute")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RegistryWebSettings:
        env = os.environ if env is None else env
        url = (env.get("MYOCLASS_DATABASE_URL") or "").strip() or None
        return cls(database_url=url,
                   cookie_secure=(env.get("MYOCLASS_COOKIE_SECURE") or "auto").strip().lower(),
                   session_minutes=int(env.get("MYOCLASS_SESSION_MINUTES") or 480),
                   session_idle_minutes=int(env.get("MYOCLASS_SESSION_IDLE_MINUTES") or 60))


class SessionStore:
    """Server-side sessions, kept in the registry's database (table ``sessions``, migration 0002) through
    :func:`myoclass.registry.service.create_session` and its siblings, so that a restart keeps everyone logged
    in and every worker process of ``myoclass serve --workers N`` sees the same sessions. Only the SHA-256 of
    each session token is stored, with its user, its start, its last request (written at most once a minute)
    and its limits. A session ends at logout (:meth:`revoke`, in every process at once), ``lifetime`` seconds
    after login, ``idle`` seconds after its last request, or when its user is disabled or gets another password
    or role. Ended sessions are deleted when met and at each login (:meth:`purge`).

    ``registry``: returns the open registry (called on each use; :meth:`RegistryWeb.registry`). ``clock``: the
    time in seconds since the epoch (tests move it). Every method blocks on the database: call it from a worker
    thread (``run_in_threadpool``), never on the event loop."""

    def __init__(self, registry: Callable[[], Registry], lifetime: float, idle: float,
                 clock: Callable[[], float] = time.time) -> None:
        self._registry, self.lifetime, self.idle, self.clock = registry, lifetime, idle, clock

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def create(self, user_id: int) -> str:
        """A new session of the user: its token (for the cookie; the database keeps its digest only). Ended
        sessions of everyone are purged on the way."""
        from myoclass.registry import service

        reg = self._registry()
        now = self._now()
        service.purge_expired_sessions(reg, now=now)
        return service.create_session(reg, user_id, lifetime_seconds=self.lifetime, idle_seconds=self.idle, now=now)

    def user(self, token: str) -> UserInfo | None:
        """The user of the session when it is live (and marks it used), as stored now (name, role); else None."""
        from myoclass.registry import service

        found = service.lookup_session(self._registry(), token, now=self._now())
        return None if found is None else found.user

    def revoke(self, token: str) -> None:
        """End the session (logout)."""
        from myoclass.registry import service

        service.revoke_session(self._registry(), token)

    def revoke_user(self, user_id: int) -> None:
        """End every session of the user."""
        from myoclass.registry import service

        service.revoke_user_sessions(self._registry(), user_id)

    def purge(self) -> int:
        """Delete the ended sessions; returns how many."""
        from myoclass.registry import service

        return service.purge_expired_sessions(self._registry(), now=self._now())

    def __len__(self) -> int:
        """The sessions stored (ended ones not yet purged included)."""
        from myoclass.registry import service

        return service.count_sessions(self._registry())


class RegistryWeb:
    """What the registry's pages and endpoints share in one app: the settings, the sessions, the login throttle
    and the registry, opened (and migrated) on first use, so that an app that never serves a registry page
    creates no database."""

    def __init__(self, settings: RegistryWebSettings, *, throttle: LoginThrottle | None = None,
                 sessions: SessionStore | None = None) -> None:
        self.settings = settings
        self.throttle = throttle or LoginThrottle(self.registry)
        self.sessions = sessions or SessionStore(self.registry, settings.session_minutes * 60.0,
                                                 settings.session_idle_minutes * 60.0)
        self._registry: Registry | None = None
        self._lock = threading.Lock()

    def registry(self) -> Registry:
        """The open registry (blocking: call from a worker thread)."""
        if self._registry is None:
            from myoclass.registry.service import open_registry

            with self._lock:
                if self._registry is None:
                    self._registry = open_registry(self.settings.database_url)
        return self._registry

    def close(self) -> None:
        with self._lock:
            if self._registry is not None:
                self._registry.close()
                self._registry = None


def registry_web(request: Request) -> RegistryWeb:
    rw: RegistryWeb = request.app.state.registry_web
    return rw


def principal_for(user: UserInfo, via: Literal["session", "token"], session_token: str = "") -> Principal:
    return Principal(user.id, user.name, user.role, via, session_token)
