"""Criteria as data: citations, items, categories, and the policies that settle conflicts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from myoclass.logic.kleene import All, Any_, Cat, Expr, Not, Program, Ref, Var
from myoclass.model.findings import FINDINGS

__all__ = [
    "VERIFICATION",
    "Category",
    "Citation",
    "CriteriaSet",
    "Item",
    "Policy",
    "bx",
    "bx_absent",
    "cat",
    "refs",
]

#: Verification tags (the legend of ``docs/criteria.md``; ``R``: not verified, and said so wherever used).
VERIFICATION = {
    "V-P": "checked against the primary publication or issuing body",
    "V-S": "checked against a faithful secondary source",
    "V-X": "cross-checked against independent public implementations",
    "D": "derived arithmetically from verified items",
    "R": "UNVERIFIED: recollection of the primary paper, not checked against it",
}


@dataclass(frozen=True)
class Citation:
    key: str
    text: str
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    short: str = ""  # e.g. "Lundberg et al. 2017 (EULAR/ACR)", used beside each item

    def _ids(self) -> str:
        ids = []
        if self.doi:
            ids.append(f"doi:{self.doi}")
        if self.pmid:
            ids.append(f"PMID {self.pmid}")
        if self.url and not ids:
            ids.append(self.url)
        return "; ".join(ids)

    @cached_property
    def rendered(self) -> str:
        ids = self._ids()
        return self.text + (" " + ids if ids else "")

    @cached_property
    def rendered_short(self) -> str:
        ids = self._ids()
        return f"{self.short or self.text}, {ids}" if ids else self.text.rstrip(".")

    def render(self) -> str:
        """The full reference with its identifiers."""
        return self.rendered

    def render_short(self) -> str:
        """Short form with identifiers; the full reference when there is no identifier to find it by."""
        return self.rendered_short


@dataclass(frozen=True)
class Item:
    """One criterion item: its id, the paper's words, its rule, weight(s) and source."""

    id: str
    label: str
    expr: Expr
    citation: Citation
    verification: str = "V-S"
    weight: float | None = None  # EULAR/ACR: without biopsy
    weight_with_biopsy: float | None = None  # EULAR/ACR: with biopsy
    note: str | None = None

    @property
    def unverified(self) -> bool:
        return self.verification == "R"


def category_key(set_id: str, category_id: str) -> str:
    """The name of a category's definition in the rule program: ``<set id>.cat.<category id>``."""
    return f"{set_id}.cat.{category_id}"


@dataclass(frozen=True)
class Category:
    """A category of a set: a short stable ``id`` (the set module's constant, the key of its definition
    ``<set id>.cat.<id>``), its ``name`` in the set's own words (the text shown), and whether it
    classifies (``met``)."""

    id: str
    name: str
    expr: Expr
    met: bool = True
    certainty: str | None = None


@dataclass
class CriteriaSet:
    id: str
    version: str
    title: str
    citation: Citation
    items: list[Item]
    categories: list[Category]
    not_met_category: str = "not met"
    verification: str = "V-S"
    notes: list[str] = field(default_factory=list)
    extra_citations: list[Citation] = field(default_factory=list)
    #: further named definitions (scores, tree nodes), defined after the items
    defs: list[tuple[str, Expr]] = field(default_factory=list)

    def category_key(self, category_id: str) -> str:
        """The name of a category's definition in the program: ``<set id>.cat.<category id>``."""
        return category_key(self.id, category_id)

    def category_named(self, name: str) -> Category | None:
        """The category whose display text is ``name`` (None for "undetermined" or the not-met category)."""
        return next((c for c in self.categories if c.name == name), None)

    def define(self, prog: Program) -> None:
        """Define every item and category of this set in ``prog``."""
        for it in self.items:
            prog.define(f"{self.id}.{it.id}", it.expr)
        for name, e in self.defs:
            prog.define(f"{self.id}.{name}", e)
        for c in self.categories:
            prog.define(self.category_key(c.id), c.expr)
        met = [Ref(self.category_key(c.id)) for c in self.categories if c.met]
        prog.define(f"{self.id}.met", Any_(tuple(met)))


@dataclass(frozen=True)
class Policy:
    """Configurable choices where the published sources conflict (listed in ``docs/criteria.md``, "Policies").

    ``eular_cutoffs``: ``"score"`` classifies by the published score cut-offs (5.3/5.5/7.5 and
    6.5/6.7/8.7), ``"probability"`` by the probability cut-offs (50/55/90 %). They disagree at the
    no-biopsy scores 5.3, 5.5 and 7.5; a warning says so whenever it decides the outcome.

    ``eular_rash_free``: what a rash-free case needs to be classified as IIM.
    ``"biopsy_required"`` (default) follows the criteria group's interim report ("If no skin rash
    is present a muscle biopsy is mandatory"); ``"biopsy_features_required"`` follows the
    Karolinska calculator's wording (one of the four scored biopsy features present);
    ``"off"`` applies the score alone.

    ``enmc_weakness_required``: ENMC 224 lists proximal weakness for the seropositive subtypes;
    whether a patient with hyperCKemia alone may be classified is not verified. Default: required,
    with an advisory when weakness is absent.
    """

    eular_cutoffs: Literal["score", "probability"] = "score"
    eular_rash_free: Literal["biopsy_required", "biopsy_features_required", "off"] = "biopsy_required"
    enmc_weakness_required: bool = True


def cat(name: str, *values: str) -> Cat:
    f = FINDINGS[name]
    mask = 0
    for v in values:
        mask |= f.bit(v)
    return Cat(name, mask)


def bx(name: str) -> Expr:
    """"The biopsy shows ``name``" (false when no biopsy was done)."""
    return All((Var("biopsy_performed"), Var(name)))


def bx_absent(name: str) -> Expr:
    """"A biopsy was read and does not show ``name``"."""
    return All((Var("biopsy_performed"), Not(Var(name))))


def refs(set_id: str) -> Callable[[str], Ref]:
    """A shorthand that names the items and definitions of one set: ``r("item")``."""

    def r(item_id: str) -> Ref:
        return Ref(f"{set_id}.{item_id}")

    return r
