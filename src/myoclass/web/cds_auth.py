"""Who may call the CDS Hooks services: the signed JWT a CDS client sends (CDS Hooks 2.0.1, "Trusting CDS
Clients").

Every call (discovery, a service, feedback) carries ``Authorization: Bearer <JWT>``. A token is accepted only if

- its header names ``alg`` ES384 or RS384 (the two the specification recommends; ``none`` and every HMAC
  algorithm are forbidden by it, and any other algorithm is refused here), a ``kid``, and ``typ`` JWT if given;
- its ``iss`` is allowlisted (``Settings.cds_allowed_issuers``, or an issuer with a configured JWK Set in
  ``Settings.cds_issuer_jwks``);
- its public key comes from the ``jku`` header's JWK Set, when that URL is allowlisted
  (``Settings.cds_allowed_jku``, exact match), else from the JWK Set configured for the issuer (a URL or a
  file); the key is picked by ``kid``;
- the signature verifies, ``aud`` is the exact URL of the endpoint called, ``exp`` (at most
  :data:`MAX_LIFETIME_SECONDS` ahead), ``iat`` and ``jti`` are present, and the ``jti`` was not seen before
  from that issuer (kept until the token expires, in a bounded cache).

JWK Sets are fetched with a timeout and a size cap, and cached for :data:`JWKS_TTL_SECONDS`. Nothing here
logs or returns a token, and an error message never quotes one.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt

from myoclass.errors import AuthError
from myoclass.io.json import DecodeError, TooDeep, loads
from myoclass.web.fhir_fetch import opener_for

__all__ = [
    "ALGORITHMS",
    "JWKS_TTL_SECONDS",
    "MAX_LIFETIME_SECONDS",
    "AuthError",
    "JwksCache",
    "ReplayCache",
    "Verifier",
    "parse_issuer_jwks",
]

#: the signing algorithms accepted: the two CDS Hooks 2.0.1 recommends (asymmetric; never none or HMAC)
ALGORITHMS: tuple[str, ...] = ("ES384", "RS384")
#: how long a fetched JWK Set is trusted before it is fetched again (seconds)
JWKS_TTL_SECONDS = 300
#: a JWK Set is fetched again for an unknown ``kid`` (key rotation) at most this often (seconds)
JWKS_REFETCH_SECONDS = 30
#: the largest JWK Set read (bytes)
JWKS_MAX_BYTES = 256_000
#: seconds to wait for a JWK Set
JWKS_TIMEOUT_SECONDS = 5.0
#: the longest a token may still be valid when it arrives (``exp`` - now, seconds)
MAX_LIFETIME_SECONDS = 3600
#: clock skew tolerated on ``exp`` and ``iat`` (seconds)
LEEWAY_SECONDS = 60
#: ``jti`` values remembered at most (the oldest are forgotten first once full)
REPLAY_CAPACITY = 50_000




def parse_issuer_jwks(entries: Iterable[str]) -> dict[str, str]:
    """``Settings.cds_issuer_jwks`` entries, each ``"<issuer> <JWK Set URL or file>"`` (one space), as a mapping."""
    out: dict[str, str] = {}
    for entry in entries:
        issuer, _, source = entry.strip().partition(" ")
        if not issuer or not source.strip():
            raise ValueError(f"cds_issuer_jwks entry {entry[:80]!r}: expected '<issuer> <JWK Set URL or file>'")
        out[issuer] = source.strip()
    return out


class JwksCache:
    """JWK Sets by URL (or file path), each kept for :data:`JWKS_TTL_SECONDS`."""

    def __init__(self, ttl: float = JWKS_TTL_SECONDS, timeout: float = JWKS_TIMEOUT_SECONDS,
                 max_bytes: int = JWKS_MAX_BYTES) -> None:
        self.ttl = ttl
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._sets: dict[str, tuple[float, dict[str, Any]]] = {}

    def get(self, source: str, *, fresh: bool = False) -> dict[str, Any]:
        """The JWK Set at ``source``; ``fresh`` fetches again unless fetched in the last few seconds."""
        now = time.monotonic()
        with self._lock:
            cached = self._sets.get(source)
        if cached is not None:
            age = now - cached[0]
            if age < self.ttl and not (fresh and age >= JWKS_REFETCH_SECONDS):
                return cached[1]
        jwks = self._load(source)
        with self._lock:
            if len(self._sets) >= 256:  # a handful of issuers in practice; never unbounded
                self._sets.clear()
            self._sets[source] = (now, jwks)
        return jwks

    def _load(self, source: str) -> dict[str, Any]:
        scheme = urlsplit(source).scheme.lower()
        try:
            if scheme in ("http", "https"):
                request = urllib.request.Request(source, headers={"Accept": "application/json"})
                with opener_for(source).open(request, timeout=self.timeout) as response:
                    raw = response.read(self.max_bytes + 1)
            elif scheme in ("", "file"):
                path = Path(urlsplit(source).path if scheme == "file" else source)
                with path.open("rb") as f:
                    raw = f.read(self.max_bytes + 1)
            else:
                raise AuthError("the JWK Set source is neither an http(s) URL nor a file")
        except AuthError:
            raise
        except Exception as e:  # network, HTTP status, file: named by type only
            raise AuthError(f"the JWK Set could not be read ({type(e).__name__})") from None
        if len(raw) > self.max_bytes:
            raise AuthError(f"the JWK Set is larger than {self.max_bytes:,} bytes")
        try:
            jwks = loads(raw)
        except (DecodeError, TooDeep):
            raise AuthError("the JWK Set is not valid JSON") from None
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise AuthError("the JWK Set has no 'keys' list")
        return jwks


class ReplayCache:
    """The ``(iss, jti)`` pairs seen, each until its token expires; bounded (:data:`REPLAY_CAPACITY`)."""

    def __init__(self, capacity: int = REPLAY_CAPACITY) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    def first_use(self, iss: str, jti: str, exp: float) -> bool:
        """Record the pair; False if it was already seen and has not expired."""
        now = time.time()
        key = (iss, jti)
        with self._lock:
            until = self._seen.get(key)
            if until is not None and until >= now:
                return False
            if len(self._seen) >= self.capacity:
                for k in [k for k, t in self._seen.items() if t < now]:
                    del self._seen[k]
                while len(self._seen) >= self.capacity:
                    self._seen.popitem(last=False)
            self._seen[key] = exp + LEEWAY_SECONDS
            return True


@dataclass(frozen=True)
class Verifier:
    """Verifies CDS clients' JWTs under the allowlists; see the module text."""

    allowed_issuers: frozenset[str]
    issuer_jwks: dict[str, str]
    allowed_jku: frozenset[str]
    jwks: JwksCache
    replay: ReplayCache

    @classmethod
    def from_lists(cls, allowed_issuers: Iterable[str], issuer_jwks: Iterable[str], allowed_jku: Iterable[str]) -> Verifier:
        mapping = parse_issuer_jwks(issuer_jwks)
        return cls(frozenset(allowed_issuers) | frozenset(mapping), mapping, frozenset(allowed_jku), JwksCache(),
                   ReplayCache())

    def verify(self, authorization: str | None, audiences: Iterable[str]) -> dict[str, Any]:
        """The verified claims of the bearer token in the ``Authorization`` header value, or :class:`AuthError`."""
        if not authorization:
            raise AuthError("no Authorization header; a CDS client sends 'Authorization: Bearer <JWT>'")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthError("the Authorization header is not 'Bearer <JWT>'")
        if len(token) > 16_384:
            raise AuthError("the bearer token is longer than 16,384 characters")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthError("the bearer token is not a well-formed JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            shown = alg if isinstance(alg, str) and len(alg) <= 16 else "(missing or invalid)"
            raise AuthError(f"JWT alg {shown} is not accepted; allowed: {', '.join(ALGORITHMS)}")
        if header.get("typ") not in (None, "JWT"):
            raise AuthError("JWT header typ must be JWT")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("JWT header kid is required")
        iss = unverified.get("iss")
        if not isinstance(iss, str) or iss not in self.allowed_issuers:
            raise AuthError("JWT iss is missing or not an allowed issuer (Settings.cds_allowed_issuers)")
        jku = header.get("jku")
        if jku is not None:
            if not isinstance(jku, str) or jku not in self.allowed_jku:
                raise AuthError("JWT header jku is not an allowed JWK Set URL (Settings.cds_allowed_jku)")
            source = jku
        elif iss in self.issuer_jwks:
            source = self.issuer_jwks[iss]
        else:
            raise AuthError("no JWK Set for this issuer: the JWT has no jku and none is configured "
                            "(Settings.cds_issuer_jwks)")
        key = self._key(source, kid, alg)
        audience = list(audiences)
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=[alg], audience=audience, issuer=iss, leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]})
        except jwt.InvalidAudienceError:
            raise AuthError(f"JWT aud is not this endpoint; allowed: {' or '.join(audience)}") from None
        except jwt.ExpiredSignatureError:
            raise AuthError("the JWT has expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthError("the JWT is not valid yet (iat or nbf in the future)") from None
        except jwt.MissingRequiredClaimError as e:
            raise AuthError(f"JWT claim {e.claim} is required") from None
        except jwt.InvalidSignatureError:
            raise AuthError("the JWT signature does not verify") from None
        except jwt.PyJWTError as e:
            raise AuthError(f"the JWT is not valid ({type(e).__name__})") from None
        exp = claims["exp"]
        if exp > time.time() + MAX_LIFETIME_SECONDS:
            raise AuthError(f"JWT exp is too far ahead; allowed: at most {MAX_LIFETIME_SECONDS} s from now")
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti or len(jti) > 256:
            raise AuthError("JWT jti must be a non-empty string of at most 256 characters")
        if not self.replay.first_use(iss, jti, float(exp)):
            raise AuthError("this JWT (its jti) was already used; every call needs a new token")
        return claims

    def _key(self, source: str, kid: str, alg: str) -> jwt.PyJWK:
        for fresh in (False, True):  # an unknown kid: fetch the set once more (the client may have rotated keys)
            jwks = self.jwks.get(source, fresh=fresh)
            for k in jwks["keys"]:
                if isinstance(k, dict) and k.get("kid") == kid:
                    if k.get("alg") not in (None, alg):
                        raise AuthError("the JWK for this kid is for another algorithm")
                    try:
                        return jwt.PyJWK(k, algorithm=alg)
                    except jwt.PyJWTError:
                        raise AuthError("the JWK for this kid is not a usable public key") from None
        raise AuthError("no key with this kid in the JWK Set")
