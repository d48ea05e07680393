"""What a reader of an outside format (FHIR R4: :mod:`myoclass.io.fhir`; GA4GH Phenopackets:
:mod:`myoclass.io.phenopacket`) says about each field it read and each item it did not: one pair of types, so the
front door (:mod:`myoclass.io.inputs`), the reports and the assessment's ``input`` field treat every format alike."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Choice", "Unmapped"]


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
