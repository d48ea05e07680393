"""Each label of the vocabulary with its codes in SNOMED CT, ICD-10-CM, Orphanet and MONDO: one table, format-neutral.

The FHIR writer (:mod:`myoclass.io.fhir.assessment`) reads it for ``Condition.code`` and the RiskAssessment outcomes;
a Phenopackets adapter can read the same table through :meth:`Code.curie`. Every code carries

- ``match``: ``exact`` when the code means the label, ``broader`` when it is the nearest code that contains it
  (e.g. the IMNM code for the anti-HMGCR subtype, which no terminology codes on its own);
- ``verification``: the project's tags (``myoclass.model.assessment.Verification``): ``V-P`` checked at the issuing
  body (the MONDO repository for MONDO ids, orpha.net for an ORPHAcode), ``V-S`` checked in a curated secondary source
  (MONDO's mapping files for the other terminologies' codes, code-book sites for ICD-10-CM titles), ``R`` unchecked;
- ``source``: where it was checked.

A terminology without a code for a label says why in ``no_code``; :func:`missing_terminologies` must be empty for every
label (a test holds this), so a label added to :data:`~myoclass.model.labels.LABELS` without codes fails the tests.

SNOMED CT codes are given without a display: the preferred terms were not checked, and FHIR makes ``display`` optional.
``LabelCodes.text`` is this table's own name for the label (used as ``CodeableConcept.text``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from myoclass.model.assessment import Verification
from myoclass.model.labels import LABELS

__all__ = [
    "IIM",
    "LABEL_CODES",
    "LABEL_SYSTEM",
    "TERMINOLOGIES",
    "Code",
    "LabelCodes",
    "Terminology",
    "codes_for",
    "label_code_table_markdown",
    "missing_terminologies",
]

#: myoclass's own code system for its labels (code = the label, e.g. ``imnm_anti_hmgcr``)
LABEL_SYSTEM = "http://myoclass.org/fhir/CodeSystem/label"

Match = Literal["exact", "broader"]


@dataclass(frozen=True)
class Terminology:
    """A code system: its key in this table, its name, its FHIR system URI and its CURIE prefix."""

    key: str
    name: str
    system: str
    prefix: str


#: the terminologies of the table, in column order
TERMINOLOGIES: tuple[Terminology, ...] = (
    Terminology("snomed", "SNOMED CT", "http://snomed.info/sct", "SNOMEDCT"),
    Terminology("icd10cm", "ICD-10-CM", "http://hl7.org/fhir/sid/icd-10-cm", "ICD10CM"),
    Terminology("orphanet", "Orphanet", "http://www.orpha.net", "ORPHA"),
    Terminology("mondo", "MONDO", "http://purl.obolibrary.org/obo/mondo.owl", "MONDO"),
)
_BY_KEY = {t.key: t for t in TERMINOLOGIES}


@dataclass(frozen=True)
class Code:
    """One code of one terminology for a label."""

    #: a key of :data:`TERMINOLOGIES`
    terminology: str
    #: the code as FHIR carries it (ORPHAcode without prefix, MONDO with its ``MONDO:`` prefix)
    code: str
    #: the terminology's own name for the code, or ``None`` where it was not checked
    display: str | None
    match: Match
    verification: Verification
    #: where the code was checked
    source: str
    #: why this code (a broader code, a coding choice), if anything needs saying
    note: str = ""

    @property
    def system(self) -> str:
        """The FHIR system URI."""
        return _BY_KEY[self.terminology].system

    @property
    def curie(self) -> str:
        """The compact id (``ORPHA:206569``, ``MONDO:0016098``, ``ICD10CM:G72.41``, ``SNOMEDCT:72315009``)."""
        prefix = _BY_KEY[self.terminology].prefix
        return self.code if self.code.startswith(f"{prefix}:") else f"{prefix}:{self.code}"

    def coding(self) -> dict[str, str]:
        """The FHIR Coding (``display`` left out where unknown)."""
        out = {"system": self.system, "code": self.code}
        if self.display:
            out["display"] = self.display
        return out


@dataclass(frozen=True)
class LabelCodes:
    """A label (or, for :data:`IIM`, a concept myoclass reports on) with its codes."""

    label: str
    #: this table's name for it (``CodeableConcept.text``)
    text: str
    codes: tuple[Code, ...]
    #: terminology key → why that terminology has no code here
    no_code: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def in_terminology(self, key: str) -> tuple[Code, ...]:
        """The codes of one terminology."""
        return tuple(c for c in self.codes if c.terminology == key)

    def codings(self, *, local: bool = True, exclude: tuple[str, ...] = ()) -> list[dict[str, str]]:
        """Every code as a FHIR Coding, in the table's terminology order, but those of the terminologies in
        ``exclude``; with ``local``, first myoclass's own label code (only for a label of the vocabulary)."""
        out: list[dict[str, str]] = []
        if local and self.label in LABELS:
            out.append({"system": LABEL_SYSTEM, "code": self.label, "display": self.text})
        for t in TERMINOLOGIES:
            if t.key not in exclude:
                out.extend(c.coding() for c in self.in_terminology(t.key))
        return out

    def codeable_concept(self, *, local: bool = True, exclude: tuple[str, ...] = ()) -> dict[str, object]:
        """A FHIR CodeableConcept: every coding (but the terminologies in ``exclude``) and the table's text."""
        codings = self.codings(local=local, exclude=exclude)
        return {"coding": codings, "text": self.text} if codings else {"text": self.text}


# --- sources ---------------------------------------------------------------------------------------------------------
_MONDO_COMMIT = "fad2512b4845f483fc1268cdf0bf7a8ef43697cb"  # MONDO repository, 2026-08-21 (mapping set 2026-08-04)


def _mondo_file(name: str) -> str:
    return f"https://github.com/monarch-initiative/mondo/blob/{_MONDO_COMMIT}/src/ontology/mappings/{name}.sssom.tsv"


_M_ORPHA = _mondo_file("mondo_exactmatch_orphanet")
_M_ORPHA_XREF = _mondo_file("mondo_hasdbxref_orphanet")
_M_SCT = _mondo_file("mondo_exactmatch_sctid")
_M_ICD = _mondo_file("mondo_exactmatch_icd10cm")
_M_GARD = _mondo_file("mondo_hasdbxref_gard")
_M_UMLS = _mondo_file("mondo_exactmatch_umls")
_ORPHA_IMNM = "https://www.orpha.net/consor/cgi-bin/OC_Exp.php?lng=EN&Expert=206569"
_HCC_G7241 = "https://hccbuddy.com/icd10/G72.41"  # lists G72.4 and its children G72.41, G72.49 (FY2026)
_DISEASEDB_M331 = "https://www.diseasedb.com/icd10/M33.1"


def _c(terminology: str, code: str, display: str | None, match: Match, verification: Verification, source: str,
       note: str = "") -> Code:
    return Code(terminology, code, display, match, verification, source, note)


def _none(**why: str) -> Mapping[str, str]:
    return MappingProxyType(dict(why))


# --- shared codes ----------------------------------------------------------------------------------------------------
_IMNM_NOTE = "no code for the antibody subtype was found; the IMNM code is the nearest"
_G7249 = ("no ICD-10-CM code for IMNM: G72.49 is the nearest (Orphanet gives ICD-10 G72.4 for IMNM); "
          "M33.2 polymyositis must not be used for IMNM")


def _imnm(subtype_note: str) -> tuple[Code, ...]:
    return (
        _c("snomed", "715863001", None, "broader", "V-S", _M_SCT, f"'Autoimmune necrotizing myopathy'; {subtype_note}"),
        _c("icd10cm", "G72.49", "Other inflammatory and immune myopathies, not elsewhere classified", "broader", "V-S",
           _HCC_G7241, _G7249),
        _c("orphanet", "206569", "Immune-mediated necrotizing myopathy", "broader", "V-P", _ORPHA_IMNM, subtype_note),
        _c("mondo", "MONDO:0016098", "immune-mediated necrotizing myopathy", "broader", "V-P", _M_ORPHA, subtype_note),
    )


#: the group "idiopathic inflammatory myopathy" (the EULAR/ACR 2017 probability is the probability of this)
IIM = LabelCodes(
    "iim", "Idiopathic inflammatory myopathy",
    (
        _c("snomed", "702380008", None, "exact", "V-S", _M_SCT),
        _c("orphanet", "98482", "Idiopathic inflammatory myopathy", "exact", "V-S", _M_ORPHA,
           "MONDO maps it to MONDO:0020122 'acquired idiopathic inflammatory myopathy'"),
        _c("mondo", "MONDO:0600023", "idiopathic inflammatory myopathy", "exact", "V-P", _M_SCT),
    ),
    _none(icd10cm="ICD-10-CM has no code for the group: its members sit in M33 (DM, PM) and G72.4 (IBM, others)"),
)

#: every label of the vocabulary with its codes
LABEL_CODES: Mapping[str, LabelCodes] = MappingProxyType({
    "imnm_anti_hmgcr": LabelCodes(
        "imnm_anti_hmgcr", "Immune-mediated necrotizing myopathy, anti-HMGCR positive", _imnm(_IMNM_NOTE)),
    "imnm_anti_srp": LabelCodes(
        "imnm_anti_srp", "Immune-mediated necrotizing myopathy, anti-SRP positive", _imnm(_IMNM_NOTE)),
    "imnm_seronegative": LabelCodes(
        "imnm_seronegative", "Immune-mediated necrotizing myopathy, antibody-negative", _imnm(_IMNM_NOTE)),
    "antisynthetase": LabelCodes(
        "antisynthetase", "Antisynthetase syndrome",
        (
            _c("snomed", "445187004", None, "exact", "V-S", _M_SCT),
            _c("orphanet", "81", "Antisynthetase syndrome", "exact", "V-S", _M_ORPHA),
            _c("mondo", "MONDO:0019344", "antisynthetase syndrome", "exact", "V-P", _M_ORPHA),
        ),
        _none(icd10cm="no dedicated ICD-10-CM code; it is coded by its manifestations (the myositis code plus an "
                      "interstitial lung disease code), which myoclass does not choose for the coder"),
    ),
    "jdm": LabelCodes(
        "jdm", "Juvenile dermatomyositis",
        (
            _c("snomed", "1212005", None, "exact", "V-S", _M_SCT),
            _c("icd10cm", "M33.0", "Juvenile dermatomyositis", "exact", "V-S", _M_ICD,
               "category; the organ-involvement subcodes M33.00-M33.09 need findings myoclass does not record"),
            _c("orphanet", "93672", "Juvenile dermatomyositis", "exact", "V-S", _M_ORPHA),
            _c("mondo", "MONDO:0008054", "juvenile dermatomyositis", "exact", "V-P", _M_ORPHA),
        ),
    ),
    "dm": LabelCodes(
        "dm", "Adult dermatomyositis",
        (
            _c("snomed", "402425006", None, "exact", "V-S", _M_SCT, "MONDO's exact match for adult dermatomyositis"),
            _c("icd10cm", "M33.1", "Other dermatomyositis", "exact", "V-S", _DISEASEDB_M331,
               "inclusion term 'Adult dermatomyositis'; category (organ-involvement subcodes M33.10-M33.19)"),
            _c("orphanet", "221", "Dermatomyositis", "broader", "V-S", _M_ORPHA,
               "Orphanet's dermatomyositis includes the juvenile form"),
            _c("mondo", "MONDO:0001907", "adult dermatomyositis", "exact", "V-P", _M_SCT),
        ),
    ),
    "adm": LabelCodes(
        "adm", "Amyopathic dermatomyositis",
        (
            _c("snomed", "238935002", None, "exact", "V-S", _M_SCT),
            _c("icd10cm", "M33.1", "Other dermatomyositis", "broader", "V-S", _DISEASEDB_M331,
               "the subcode 'without myopathy' (M33.13) could not be checked, so the category is used"),
            _c("orphanet", "645617", "Amyopathic dermatomyositis", "exact", "V-S", _M_ORPHA),
            _c("mondo", "MONDO:0043317", "amyopathic dermatomyositis", "exact", "V-P", _M_ORPHA),
        ),
    ),
    "hereditary_myopathy": LabelCodes(
        "hereditary_myopathy", "Hereditary skeletal muscle disorder",
        (
            _c("mondo", "MONDO:0700223", "hereditary skeletal muscle disorder", "exact", "V-P", _M_GARD),
        ),
        _none(snomed="no SNOMED CT code for the whole group was found in MONDO's mappings",
              icd10cm="no single ICD-10-CM code: the genetic disorder found decides it (e.g. G71.0- muscular "
                      "dystrophies), and myoclass does not record which",
              orphanet="no Orphanet group code for hereditary myopathies was found in MONDO's mappings"),
    ),
    "statin_toxic_myopathy": LabelCodes(
        "statin_toxic_myopathy", "Drug-induced myopathy (statin, not autoimmune)",
        (
            _c("snomed", "240101000", None, "broader", "V-S", _M_SCT, "drug-induced myopathy"),
            _c("icd10cm", "G72.0", "Drug-induced myopathy", "broader", "V-S", _M_ICD,
               "the statin itself would take an adverse-effect code (T46.6X5-), not emitted: unchecked [R]"),
            _c("mondo", "MONDO:0100637", "drug-induced myopathy", "broader", "V-P", _M_ICD),
        ),
        _none(orphanet="none current: 'Drug/toxic myopathy' (206985) is obsolete, and ORPHA:413696 (MONDO "
                       "'statin toxicity') has no label in MONDO's mapping and was not checked"),
    ),
    "other_non_immune": LabelCodes(
        "other_non_immune", "Myopathy of another non-immune cause",
        (
            _c("snomed", "129565002", None, "broader", "V-S", _M_SCT, "myopathy"),
            _c("mondo", "MONDO:0005336", "myopathy", "broader", "V-P", _M_UMLS),
        ),
        _none(icd10cm="no single ICD-10-CM code: the cause decides it (drug, toxic agent, hypothyroidism), and "
                      "myoclass does not record which",
              orphanet="Orphanet codes rare diseases only; it has no code for this group"),
    ),
    "ibm": LabelCodes(
        "ibm", "Inclusion body myositis",
        (
            _c("snomed", "72315009", None, "exact", "V-S", _M_SCT),
            _c("icd10cm", "G72.41", "Inclusion body myositis [IBM]", "exact", "V-S", _M_ICD),
            _c("orphanet", "611", "Inclusion body myositis", "exact", "V-S", _M_ORPHA),
            _c("mondo", "MONDO:0007827", "inclusion body myositis", "exact", "V-P", _M_ORPHA),
        ),
    ),
    "juvenile_myositis_other": LabelCodes(
        "juvenile_myositis_other", "Juvenile idiopathic inflammatory myopathy other than juvenile dermatomyositis",
        (
            _c("orphanet", "329888", "Juvenile idiopathic inflammatory myopathy", "broader", "V-S", _M_ORPHA,
               "the group also holds juvenile dermatomyositis"),
            _c("mondo", "MONDO:0018010", "juvenile idiopathic inflammatory myopathy", "broader", "V-P", _M_ORPHA,
               "the group also holds juvenile dermatomyositis"),
        ),
        _none(snomed="no SNOMED CT code for juvenile IIM as a group was found in MONDO's mappings",
              icd10cm="no ICD-10-CM code for juvenile myositis other than juvenile dermatomyositis"),
    ),
    "nonspecific_myositis": LabelCodes(
        "nonspecific_myositis", "Non-specific myositis",
        (
            _c("snomed", "702380008", None, "broader", "V-S", _M_SCT, "idiopathic inflammatory myopathy"),
            _c("icd10cm", "G72.49", "Other inflammatory and immune myopathies, not elsewhere classified", "broader",
               "V-S", _HCC_G7241, "no ICD-10-CM code for non-specific myositis; G72.49 is the nearest"),
            _c("orphanet", "98482", "Idiopathic inflammatory myopathy", "broader", "V-S", _M_ORPHA),
            _c("mondo", "MONDO:0600023", "idiopathic inflammatory myopathy", "broader", "V-P", _M_SCT),
        ),
    ),
    "pm": LabelCodes(
        "pm", "Polymyositis",
        (
            _c("snomed", "31384009", None, "exact", "V-S", _M_SCT),
            _c("icd10cm", "M33.2", "Polymyositis", "exact", "V-S", _M_ICD,
               "category; the organ-involvement subcodes M33.20-M33.29 need findings myoclass does not record"),
            _c("orphanet", "732", "Polymyositis", "exact", "V-S", _M_ORPHA),
            _c("mondo", "MONDO:0019127", "polymyositis", "exact", "V-P", _M_ORPHA),
        ),
    ),
    "not_iim": LabelCodes(
        "not_iim", "No idiopathic inflammatory myopathy identified",
        (),
        _none(snomed="a negative classification result, not a disorder: no code",
              icd10cm="a negative classification result, not a disorder: no code",
              orphanet="a negative classification result, not a disorder: no code",
              mondo="a negative classification result, not a disorder: no code"),
    ),
})


def codes_for(label: str) -> LabelCodes:
    """The codes of a label of the vocabulary (:class:`KeyError` for anything else, ``undetermined`` included)."""
    return LABEL_CODES[label]


def missing_terminologies(entry: LabelCodes) -> list[str]:
    """The terminologies for which ``entry`` has neither a code nor a reason for none (empty when complete), plus any
    terminology that has both."""
    out = []
    for t in TERMINOLOGIES:
        has_code = bool(entry.in_terminology(t.key))
        has_reason = bool(entry.no_code.get(t.key))
        if has_code == has_reason:
            out.append(t.key)
    return out


def _cell(entry: LabelCodes, key: str) -> str:
    codes = entry.in_terminology(key)
    if not codes:
        return f"none: {entry.no_code[key]}"
    parts = []
    for c in codes:
        name = f" {c.display}" if c.display else ""
        note = f"; {c.note}" if c.note else ""
        parts.append(f"[{c.curie}]({c.source}){name} ({c.match}, {c.verification}{note})")
    return "<br>".join(parts)


def label_code_table_markdown() -> str:
    """The table as Markdown (for ``docs/fhir.md``): one row per label, then the IIM group."""
    head = "| label | text | " + " | ".join(t.name for t in TERMINOLOGIES) + " |"
    rule = "|" + "---|" * (2 + len(TERMINOLOGIES))
    rows = []
    for entry in [*(LABEL_CODES[label] for label in LABELS), IIM]:
        cells = [f"`{entry.label}`", entry.text, *(_cell(entry, t.key) for t in TERMINOLOGIES)]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    systems = "; ".join(f"{t.name} `{t.system}`" for t in TERMINOLOGIES)
    return "\n".join([
        head, rule, *rows, "",
        f"FHIR systems: {systems}; myoclass's own label code `{LABEL_SYSTEM}` (code = the label) comes first in every "
        "label's CodeableConcept. Match: `exact` means the label, `broader` the nearest code that contains it. "
        "Tags: V-P checked at the issuing body, V-S in a curated secondary source (MONDO's mapping files at commit "
        f"`{_MONDO_COMMIT[:9]}`, code-book sites), R unchecked. SNOMED CT preferred terms were not checked, so SNOMED "
        "codings carry no display.",
    ])
