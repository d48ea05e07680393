"""FHIR R4 in and out: a chart (Bundle, resource or list of resources) → the flat case, and back.

``read_fhir`` reads, ``case_to_resources`` writes, ``medication_class`` classifies a medication concept; the
code tables are in :mod:`myoclass.io.fhir.codes`. The mapping is documented in ``docs/fhir.md``.
"""

from myoclass.io.fhir.codes import medication_class
from myoclass.io.fhir.read import (
    MAX_ENTRIES,
    Choice,
    FhirReading,
    LocalCode,
    LocalCodes,
    Unmapped,
    is_fhir,
    load_local_codes,
    read_fhir,
)
from myoclass.io.fhir.write import case_to_resources

__all__ = ["MAX_ENTRIES", "Choice", "FhirReading", "LocalCode", "LocalCodes", "Unmapped", "case_to_resources", "is_fhir",
           "load_local_codes", "medication_class", "read_fhir"]
