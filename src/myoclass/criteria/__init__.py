"""The published criteria sets, each defined once with its citations, in the rule algebra of
:mod:`myoclass.logic.kleene` through the item API of :mod:`myoclass.criteria.api`."""

from __future__ import annotations

from functools import lru_cache

from myoclass.criteria import (
    bohan_peter_1975,
    connors_2010_ass,
    enmc_2003_iim,
    enmc_2011_ibm,
    enmc_2017_imnm,
    eular_acr_2017,
)
from myoclass.criteria.api import VERIFICATION, Category, Citation, CriteriaSet, Item, Policy

__all__ = ["SET_MODULES", "VERIFICATION", "Category", "Citation", "CriteriaSet", "Item", "Policy", "criteria_sets", "describe"]

#: Output order: the IMNM criteria first, then the IIM-wide sets, then the historical one.
SET_MODULES = (enmc_2017_imnm, eular_acr_2017, enmc_2003_iim, enmc_2011_ibm, connors_2010_ass, bohan_peter_1975)


@lru_cache(maxsize=16)
def criteria_sets(policy: Policy = Policy()) -> tuple[CriteriaSet, ...]:
    return tuple(m.build(policy) for m in SET_MODULES)


def describe(policy: Policy = Policy()) -> list[dict[str, object]]:
    """Every set with its items, weights, citations and verification status (JSON-ready)."""
    out: list[dict[str, object]] = []
    for s in criteria_sets(policy):
        out.append({
            "id": s.id,
            "version": s.version,
            "title": s.title,
            "citation": s.citation.render(),
            "other_sources": [c.render() for c in s.extra_citations],
            "verification": s.verification,
            "items": [{"id": it.id, "label": it.label, "weight": it.weight,
                       "weight_with_biopsy": it.weight_with_biopsy, "citation": it.citation.render_short(),
                       "verification": it.verification, "unverified": it.unverified,
                       **({"note": it.note} if it.note else {})} for it in s.items],
            "categories": [c.name + ("" if c.met else " (does not classify)") for c in s.categories]
            + [s.not_met_category + " (does not classify)"],
            "notes": list(s.notes),
        })
    return out
