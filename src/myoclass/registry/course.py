"""The findings a registry visit is classified on: the visit's own, with the course's highest CK so far.

The data dictionary's ``ck_u_l`` is the *highest* serum CK during the course (and EULAR/ACR scores "the most
abnormal value during the disease course"), while a registry visit stores the CK measured at that visit, for the
follow-up curve. Classified on its own CK, a treated patient's label drifted as CK fell (a researcher's review of
session 25: an adult with IMNM leading at 21 × ULN led with "other non-immune cause" at 10 × ULN). So a visit is
classified with the CK that says most among its own and every earlier visit's of the same patient
(:func:`myoclass.io.reading.the_ck_that_counts`, the rule of the chart readers), when that earlier CK is known to
be raised; the visit keeps its own CK for the timeline, and the assessment says which CK it used.

Used by :mod:`myoclass.registry.service` when a visit is imported or saved (its own assessment and those of the
patient's later visits) and by ``reclassify``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from myoclass.io.reading import the_ck_that_counts
from myoclass.model.ck import ages_of, ceiling_applies, over_ceiling

__all__ = ["VisitCk", "course_findings", "visit_ck"]


@dataclass(frozen=True)
class VisitCk:
    """A visit's CK: its date, the value (U/L) and the laboratory's upper limit of normal (None when not given)."""

    date: dt.date
    value: float
    uln: float | None


def visit_ck(date: dt.date, findings: Mapping[str, Any]) -> VisitCk | None:
    """The CK a visit's findings give (None without ``ck_u_l``)."""
    v = findings.get("ck_u_l")
    if v is None:
        return None
    uln = findings.get("ck_uln_u_l")
    return VisitCk(date, float(v), None if uln is None else float(uln))


def _raised(ck: VisitCk, findings: Mapping[str, Any]) -> bool:
    if ck.uln is not None:
        return ck.value > ck.uln
    return bool(over_ceiling(ck.value, *ages_of(findings)))


def course_findings(date: dt.date, findings: Mapping[str, Any],
                    earlier: Sequence[VisitCk]) -> tuple[dict[str, Any], str | None]:
    """The findings to classify the visit of ``date`` on, and a note when they differ from its own: the CK that
    says most among the visit's own and ``earlier`` (the same patient's visits before ``date``), when it is an
    earlier one and is known to be raised (above its laboratory's limit, or above every laboratory's without one).
    Its ``ck_u_l`` and ``ck_uln_u_l`` then replace the visit's, and a ``ck_elevated`` of the visit is left to be
    derived from them."""
    own = visit_ck(date, findings)
    before = [c for c in earlier if c.date < date]
    if not before:
        return dict(findings), None
    ceiling = ceiling_applies(*ages_of(findings))
    candidates = ([own] if own is not None else []) + sorted(before, key=lambda c: c.date)
    top, _how = the_ck_that_counts(candidates, lambda c: c.value, lambda c: c.uln, ceiling)
    if top is own or not _raised(top, findings):
        return dict(findings), None
    out = dict(findings)
    out["ck_u_l"] = top.value
    if top.uln is None:
        out.pop("ck_uln_u_l", None)
    else:
        out["ck_uln_u_l"] = top.uln
    out.pop("ck_elevated", None)
    limit = f", ULN {top.uln:g} U/L" if top.uln is not None else ", no ULN given"
    this = (f"{own.value:g} U/L" + (f", ULN {own.uln:g} U/L" if own.uln is not None else "")) if own else "not given"
    note = (f"CK: classified with the highest CK of the course so far, {top.value:g} U/L{limit} on "
            f"{top.date.isoformat()} (the criteria read the highest CK during the course); this visit's CK: {this}")
    return out, note
