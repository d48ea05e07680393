"""What a reader of an outside format (FHIR R4: :mod:`myoclass.io.fhir`; GA4GH Phenopackets:
:mod:`myoclass.io.phenopacket`) says about each field it read and each item it did not: one pair of types, so the
front door (:mod:`myoclass.io.inputs`), the reports and the assessment's ``input`` field treat every format alike."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["MUSCLE_DISEASE_NAME", "Choice", "Unmapped", "names_a_muscle_disease", "the_ck_that_counts"]

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
                       uln: Callable[[_T], float | None]) -> tuple[_T, bool]:
    """Of several CK results, the one the flat case takes, the same in every reader: the highest relative to its
    own upper limit of normal when any result has one (laboratories differ, so 900 U/L with a ULN of 170 says more
    than 1,000 U/L with a ULN of 400), else the highest value. Returns the result and whether it was chosen by its
    ratio to the ULN. ``results`` must not be empty."""
    with_uln = [r for r in results if (uln(r) or 0.0) > 0.0]
    if with_uln:
        return max(with_uln, key=lambda r: value(r) / (uln(r) or 1.0)), True
    return max(results, key=value), False


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
