"""What a reader of an outside format (FHIR R4: :mod:`myoclass.io.fhir`; GA4GH Phenopackets:
:mod:`myoclass.io.phenopacket`) says about each field it read and each item it did not: one pair of types, so the
front door (:mod:`myoclass.io.inputs`), the reports and the assessment's ``input`` field treat every format alike."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from myoclass.model.ck import CK_ULN_CEILING_U_L

__all__ = ["MUSCLE_DISEASE_NAME", "Choice", "Unmapped", "names_a_muscle_disease", "quoted_label", "the_ck_that_counts"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class Choice:
    """One flat-case field set from the source: its value, the items it came from (``Observation/ck-1``, or a
    packet path such as ``phenotypicFeatures[3] (HP:0008997)``), a note on how it was chosen, and whether the
    source disagreed with itself (the note then says what was taken and why)."""

    field: str
    value: object
    sources: tuple[str, ...]
    note: str = ""
    conflict: bool = False


@dataclass(frozen=True)
class Unmapped:
    """An item of the source that was not read into the flat case; never dropped silently."""

    resource: str  # "Observation/ck-1" ("Observation #3" without an id), or a packet path ("phenotypicFeatures[3]")
    code: str  # "http://loinc.org|1234-5" or "HP:0001234"; "" when it has none
    reason: str


def the_ck_that_counts(results: Sequence[_T], value: Callable[[_T], float],
                       uln: Callable[[_T], float | None], ceiling: bool = True) -> tuple[_T, str]:
    """Of several CK results, the one the flat case takes, the same in every reader: the highest relative to its
    own upper limit of normal when any result has one (laboratories differ, so 900 U/L with a ULN of 170 says more
    than 1,000 U/L with a ULN of 400), else the highest value.

    A result without a limit whose value is above every laboratory's limit (:data:`myoclass.model.ck.
    CK_ULN_CEILING_U_L`, an assumed ceiling; ``ceiling`` is False for an infant, :func:`myoclass.model.ck.
    ceiling_applies`) is at least ``value / ceiling`` times its own limit; when that is more than the best ranged
    result's ratio it says more, and it is taken (20,000 U/L with no range over 2,000 U/L at 5 times its limit).

    Returns the result and how it was chosen: ``"ratio"`` (a ranged result, by its ratio to its limit),
    ``"ceiling"`` (an unranged result above the ceiling, over every ranged one) or ``"value"`` (no result has a
    range: the highest value). ``results`` must not be empty."""
    with_uln: list[_T] = []
    without: list[_T] = []
    for r in results:
        (with_uln if (uln(r) or 0.0) > 0.0 else without).append(r)
    if not with_uln:
        return max(results, key=value), "value"
    best = max(with_uln, key=lambda r: value(r) / (uln(r) or 1.0))
    if ceiling and without:
        top = max(without, key=value)
        if value(top) > CK_ULN_CEILING_U_L and value(top) / CK_ULN_CEILING_U_L > value(best) / (uln(best) or 1.0):
            return top, "ceiling"
    return best, "ratio"


#: the names of diseases of skeletal muscle (OMIM, MONDO and Orphanet labels): ``genetic_diagnosis_gene`` is "a
#: genotype that explains a myopathy" (data dictionary), so a causative gene of another disease (a neuropathy, a
#: myasthenic syndrome, a lipodystrophy, an epilepsy, a liver glycogenosis) is not read as one. By name, so it is
#: conservative: a muscle disease whose name says none of these (Danon disease, say) is not read either, and the gene
#: stays unknown, which the strict label never presumes either way.
MUSCLE_DISEASE_NAME = re.compile(
    r"(?<!cardio)myopath|muscular dystroph|myotonic dystroph|dystrophinopath|limb[- ]girdle|\blgmd\b|emery[- ]dreifuss"
    r"|facioscapulohumeral|oculopharyngeal|myositis|rhabdomyolys|myoglobinuria|pompe|acid maltase|mcardle"
    r"|glycogen storage disease (?:ii|iii|v|vii|0, muscle)\b|carnitine palmitoyltransferase (?:ii|2)\b|nemaline"
    r"|centronuclear|myotubular|\bcore disease|multi-?minicore|bethlem|ullrich|rippling muscle|muscle[- ]eye[- ]brain"
    r"|walker[- ]warburg|dystroglycan|sarcoglycan|dysferlin|calpain|caveolin|myotonia|periodic paralysis|hyperckemia"
    r"|creatine (?:phospho)?kinase|skeletal muscle|muscle (?:disorder|disease)|external ophthalmoplegia", re.IGNORECASE)


def names_a_muscle_disease(label: str) -> bool:
    """Whether a disease name names a disease of skeletal muscle (:data:`MUSCLE_DISEASE_NAME`)."""
    return bool(MUSCLE_DISEASE_NAME.search(label))


def quoted_label(text: str, limit: int = 80) -> str:
    """A source's own label for a code or term, as a note or warning quotes it: at most ``limit`` characters (a
    hostile label of a megabyte is never echoed whole)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"
