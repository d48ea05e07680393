"""The ``Accept`` header: whether a client admits one of the media types an endpoint answers with.

Every JSON endpoint (``/api/v1``, the registry's API, the CDS Hooks services) answers JSON only, so a client
that asks for something else (``Accept: application/xml``) gets 406 Not Acceptable naming ``Accept`` and the
types it may ask for, rather than a JSON body it said it cannot read (RFC 9110 §12.5.1, §15.5.7). No header,
an empty one, ``*/*`` and ``application/*`` admit JSON. Where several ranges match a type, the most specific
one's ``q`` decides (``application/json;q=0, */*`` refuses JSON); a ``q`` of 0 refuses, a ``q`` that is not
a number is read as 1 (lenient, as the RFC's grammar leaves no other reading of it). Only the first
:data:`MAX_RANGES` ranges are read, so a hostile header costs bounded work.
"""

from __future__ import annotations

from myoclass.model.case import show

__all__ = ["JSON_FAMILY", "MAX_RANGES", "not_acceptable", "prefers_fhir"]

#: the media types a JSON answer satisfies: plain JSON, FHIR JSON, and FHIR's legacy name for it (which FHIR clients
#: such as HAPI still send); an endpoint answering JSON is acceptable to a client that asks only for FHIR JSON
JSON_FAMILY = ("application/json", "application/fhir+json", "application/json+fhir")
_FHIR = ("application/fhir+json", "application/json+fhir")

#: the most media ranges of one Accept header that are read (the rest are ignored)
MAX_RANGES = 64


def _ranges(header: str) -> list[tuple[str, str, float]]:
    """``(type, subtype, q)`` of each media range, lower case."""
    out: list[tuple[str, str, float]] = []
    for part in header.split(",", MAX_RANGES)[:MAX_RANGES]:
        media, *params = part.split(";")
        kind, _, sub = media.strip().lower().partition("/")
        if not kind:
            continue
        q = 1.0
        for p in params:
            k, _, v = p.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = float(v.strip())
                except ValueError:
                    q = 1.0
        out.append((kind, sub.strip() or "*", q))
    return out


def _quality(ranges: list[tuple[str, str, float]], offered: str) -> float:
    """The q the most specific matching range gives ``offered`` (0 when none matches)."""
    kind, _, sub = offered.partition("/")
    best, specificity = 0.0, -1
    for k, s, q in ranges:
        if k == kind and s == sub:
            level = 2
        elif k == kind and s == "*":
            level = 1
        elif k == "*" and s == "*":
            level = 0
        else:
            continue
        if level > specificity:
            best, specificity = q, level
    return best


def prefers_fhir(header: str | None) -> bool:
    """Whether the Accept header names FHIR JSON (``application/fhir+json`` or ``application/json+fhir``) itself,
    with a ``q`` above 0 and at least that of plain JSON: then ``POST /api/v1/assess`` answers a FHIR Bundle.
    ``*/*`` or ``application/*`` alone never asks for FHIR."""
    if header is None or not header.strip():
        return False
    ranges = _ranges(header)
    named = [q for k, s, q in ranges if f"{k}/{s}" in _FHIR]
    if not named or max(named) <= 0:
        return False
    return max(named) >= _quality(ranges, "application/json")


def not_acceptable(header: str | None, offered: tuple[str, ...]) -> str | None:
    """None when ``header`` admits one of ``offered``; else the message for a 406 (naming the allowed types)."""
    if header is None or not header.strip():
        return None
    ranges = _ranges(header)
    if not ranges or any(_quality(ranges, media) > 0 for media in offered):
        return None
    return f"Accept {show(header.strip())} admits none of this endpoint's media types; allowed: {', '.join(offered)} (or */*)"
