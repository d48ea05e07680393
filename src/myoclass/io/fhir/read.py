"""FHIR R4 → flat case: read a chart (a Bundle, one resource or a list of resources) into the data dictionary's
flat case, and say where each value came from and what was left out.

Plain dicts in, plain dicts out: no FHIR model library (``fhirclient`` would reject a whole chart for one bad
element; a chart is read piece by piece, and a malformed piece becomes an :class:`Unmapped` entry). Nothing is
walked recursively: a Bundle's entries and each resource's ``contained`` list are the only levels followed.

The mapping rules (which code sets which field, how a value is read, how conflicts are settled) are documented
in ``docs/fhir.md`` ("FHIR R4 → flat case"); the code tables are in :mod:`myoclass.io.fhir.codes`.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from myoclass.errors import InvalidCase, Problem
from myoclass.io.fhir import codes as C
from myoclass.io.hpo import closure
from myoclass.io.json import loads
from myoclass.io.reading import Choice, Unmapped, names_a_muscle_disease, quoted_label, the_ck_that_counts
from myoclass.model.case import parse_case
from myoclass.model.ck import CK_ULN_CEILING_U_L, ages_of, ceiling_applies
from myoclass.model.fields import ANTIBODIES, ASSAY_METHODS, FIELDS, GENE_SYMBOL

__all__ = ["MAX_ENTRIES", "Choice", "FhirReading", "LocalCode", "LocalCodes", "Unmapped", "is_fhir", "load_local_codes",
           "read_fhir"]

#: the reason a negative or refuted result is not read for a code whose absence says nothing about its field
_ABSENCE_SAYS_NOTHING = ("absent, but this finding's absence alone does not make {field} false (another finding "
                         "can give it): not read")

#: the most resources (Bundle entries, list items, plus contained resources) one reading accepts
MAX_ENTRIES = 10_000
#: the most codings looked at in one CodeableConcept, and the most elements of any other list
_MAX_LIST = 100


@dataclass(frozen=True)
class FhirReading:
    case: dict[str, Any]
    choices: tuple[Choice, ...]
    unmapped: tuple[Unmapped, ...]
    #: present conditions or observations coded with an HPO sign of a muscle disease that set no field ("Proximal
    #: muscle weakness" with no limb named), as ``HP:0003701 (Condition/w)``
    muscle_signs: tuple[str, ...] = ()

    def sources(self) -> list[str]:
        """Every reference that contributed to the case, in first-seen order."""
        seen: dict[str, None] = {}
        for c in self.choices:
            for s in c.sources:
                seen.setdefault(s, None)
        return list(seen)


# --- local codes -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LocalCode:
    """One local code: the field it sets, the assay method it implies, and what its result words mean."""

    field: str
    method: str | None = None
    values: Mapping[str, bool | None] = dataclasses.field(default_factory=dict)
    value: bool = True  # a present result means true for the field


class LocalCodes:
    """A user-supplied mapping of local codes (``system|code`` → flat-case field; for antibodies and other
    findings also the meaning of the result words). Built by :func:`load_local_codes`."""

    def __init__(self, entries: Mapping[tuple[str, str], LocalCode]) -> None:
        self._entries = dict(entries)

    def get(self, system: str, code: str) -> LocalCode | None:
        return self._entries.get((system, code))

    def __len__(self) -> int:
        return len(self._entries)


_LOCAL_FIELDS = frozenset(k for k, f in FIELDS.items() if f.kind == "bool") | {"ck_u_l"}


def load_local_codes(text: str) -> LocalCodes:
    """Read a local-codes file (JSON)::

        {"codes": [
          {"system": "http://lab.example.org/codes", "code": "HMGCR", "field": "ab_hmgcr", "method": "elisa",
           "values": {"POS": true, "NEG": false, "EQUIV": null}},
          {"system": "http://lab.example.org/codes", "code": "CK", "field": "ck_u_l"}
        ]}

    ``field``: a true/false field of the data dictionary, or ``ck_u_l``. ``method`` (antibodies only): one of
    elisa, iif, line_blot, immunoprecipitation, cbia. ``values`` (optional): result words or codes (matched
    without regard to case against valueCodeableConcept codes and text, valueString and interpretation
    codes) → true, false or null (null: the word means "no usable result"). A bad file raises
    :class:`~myoclass.errors.InvalidCase` whose problems name each bad entry (``codes[2].field``)."""
    try:
        doc = loads(text)
    except ValueError as e:  # InvalidJSON and TooDeep are ValueErrors
        raise InvalidCase([Problem("(local codes)", f"not a JSON document: {e}")]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("codes"), list):
        raise InvalidCase([Problem("(local codes)", 'expected a JSON object {"codes": [...]}')])
    problems: list[Problem] = []
    entries: dict[tuple[str, str], LocalCode] = {}
    for i, item in enumerate(doc["codes"][:MAX_ENTRIES]):
        where = f"codes[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, "expected an object with system, code and field"))
            continue
        unknown = sorted(str(k) for k in item if k not in ("system", "code", "field", "method", "values", "comment"))
        if unknown:
            problems.append(Problem(f"{where}.{unknown[0]}", "unknown key; allowed: system, code, field, method, values, comment"))
        system, code, fld = item.get("system"), item.get("code"), item.get("field")
        if not isinstance(system, str) or not system:
            problems.append(Problem(f"{where}.system", "a non-empty string (the code system URI) is required"))
        if not isinstance(code, str) or not code:
            problems.append(Problem(f"{where}.code", "a non-empty string is required"))
        if not isinstance(fld, str) or fld not in _LOCAL_FIELDS:
            problems.append(Problem(f"{where}.field", f"{fld!r} is not a true/false field of the data dictionary or ck_u_l"))
        method = item.get("method")
        if method is not None and (method not in ASSAY_METHODS or fld not in ANTIBODIES):
            problems.append(Problem(f"{where}.method", "only for an antibody field; one of " + ", ".join(ASSAY_METHODS)))
        values = item.get("values", {})
        vals: dict[str, bool | None] = {}
        if not isinstance(values, dict):
            problems.append(Problem(f"{where}.values", "expected an object of result word → true, false or null"))
        else:
            for k, v in values.items():
                if v is not None and not isinstance(v, bool):
                    problems.append(Problem(f"{where}.values.{k}", "must be true, false or null"))
                else:
                    vals[str(k).strip().lower()] = v
        if isinstance(system, str) and isinstance(code, str) and (system, code) in entries:
            problems.append(Problem(f"{where}.code", f"{system}|{code} is listed twice"))
        if not problems and isinstance(system, str) and isinstance(code, str) and isinstance(fld, str):
            entries[(system, code)] = LocalCode(fld, method if isinstance(method, str) else None, vals)
    if len(doc["codes"]) > MAX_ENTRIES:
        problems.append(Problem("codes", f"more than {MAX_ENTRIES} entries"))
    if problems:
        raise InvalidCase(problems)
    return LocalCodes(entries)


# --- small readers over untrusted dicts ------------------------------------------------------------------
def _d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list[Any]:
    return v[:_MAX_LIST] if isinstance(v, list) else []


def _s(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    x = float(v)
    return x if math.isfinite(x) else None


def _codings(concept: Any) -> list[tuple[str, str, str]]:
    """(system, code, display) of each coding of a CodeableConcept; bad codings are skipped."""
    out = []
    for c in _l(_d(concept).get("coding")):
        if isinstance(c, dict):
            out.append((_s(c.get("system")), _s(c.get("code")), _s(c.get("display"))))
    return out


def _code_str(concept: Any) -> str:
    for system, code, _disp in _codings(concept):
        if code:
            return f"{system}|{code}"
    return ""


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _date(v: Any) -> datetime.date | None:
    """A FHIR date/dateTime/instant → a date (a partial date → its first day); None if unreadable."""
    m = _DATE.match(v) if isinstance(v, str) else None
    if not m:
        return None
    try:
        return datetime.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def _years_between(a: datetime.date, b: datetime.date) -> int:
    return b.year - a.year - ((b.month, b.day) < (a.month, a.day))


def _add_years(d: datetime.date, years: float) -> datetime.date:
    return d + datetime.timedelta(days=round(years * 365.25))


_MONTH_DAYS = 30.4375


def _describe(system: str, code: str) -> str:
    return f"{C.system_label(system)} {code}"


# interpretation codes (v3 ObservationInterpretation) and result words
_POS = frozenset({"pos", "det", "a", "aa", "h", "hh", "hu", ">", "positive", "detected", "present", "reactive", "abnormal",
                  "high"})
_NEG = frozenset({"neg", "nd", "n", "l", "ll", "negative", "not detected", "absent", "non-reactive", "nonreactive",
                  "normal", "undetected"})
_EQUIVOCAL = frozenset({"ind", "e", "equivocal", "indeterminate", "borderline", "inconclusive"})
_SNOMED_POS = frozenset({"10828004", "52101004", "260373001"})  # positive, present, detected [R]
_SNOMED_NEG = frozenset({"260385009", "2667000", "260415000"})  # negative, absent, not detected [R]


def _word(w: str) -> bool | str | None:
    w = w.strip().lower()
    if w in _POS:
        return True
    if w in _NEG:
        return False
    if w in _EQUIVOCAL:
        return "equivocal"
    return None


def _interpretation(res: dict[str, Any]) -> bool | str | None:
    for concept in _l(res.get("interpretation")):
        for _system, code, disp in _codings(concept):
            for w in (code, disp):
                r = _word(w)
                if r is not None:
                    return r
        r = _word(_s(_d(concept).get("text")))
        if r is not None:
            return r
    return None


def _concept_value(concept: Any) -> bool | str | None:
    for system, code, disp in _codings(concept):
        if system == C.SNOMED and code in _SNOMED_POS:
            return True
        if system == C.SNOMED and code in _SNOMED_NEG:
            return False
        if system == C.MYOCLASS_VALUE and code in ("true", "false"):
            return code == "true"
        for w in (code, disp):
            r = _word(w) if w and system != C.SNOMED else (_word(disp) if disp else None)
            if r is not None:
                return r
    return _word(_s(_d(concept).get("text")))


_UNIT_FACTORS = {"u/l": 1.0, "iu/l": 1.0, "[iu]/l": 1.0, "units/l": 1.0, "unit/l": 1.0, "u/liter": 1.0, "iu/liter": 1.0,
                 "ukat/l": 60.0, "µkat/l": 60.0, "μkat/l": 60.0, "nkat/l": 0.06}


def _ck_quantity(q: Any) -> tuple[float | None, str]:
    """(value in U/L, "") or (None, why not) or (value, note) for a quantity with no unit."""
    qd = _d(q)
    v = _num(qd.get("value"))
    if v is None:
        return None, "no numeric value"
    if v < 0:
        return None, f"negative value {v:g}"
    if _s(qd.get("comparator")):
        return None, f"value with comparator {qd['comparator']!r} is not an exact result"
    unit = (_s(qd.get("code")) or _s(qd.get("unit"))).strip()
    if not unit:
        return v, "no unit given; taken as U/L"
    f = _UNIT_FACTORS.get(unit.lower().replace(" ", ""))
    if f is None:
        return None, f"unit {unit[:40]!r} is not U/L (nor µkat/L, which is converted)"
    return v * f, ("" if f == 1.0 else f"converted from {unit} to U/L")


_SYMPTOM_GROUPS = frozenset({"symptoms", "weakness", "skin"})


def _symptom_bearing(fld: str) -> bool:
    spec = FIELDS.get(fld)
    return spec is not None and spec.group in _SYMPTOM_GROUPS


@dataclass
class _Cand:
    value: Any
    ref: str
    date: datetime.date | None
    note: str = ""
    unverified: str = ""  # the [R] code it came from, if any
    method: str | None = None


@dataclass
class _Ck:
    value: float
    uln: float | None
    ref: str
    date: datetime.date | None
    note: str


@dataclass
class _Med:
    fld: str
    value: bool
    ref: str
    start: datetime.date | None
    note: str
    code: str


@dataclass
class _Onset:
    date: datetime.date | None
    age: float | None
    ref: str


def is_fhir(doc: object) -> bool:
    """True for a FHIR Bundle (any type), a single resource, or a non-empty list of resources."""
    if isinstance(doc, dict):
        return isinstance(doc.get("resourceType"), str)
    if isinstance(doc, list) and doc:
        return all(isinstance(x, dict) and isinstance(x.get("resourceType"), str) for x in doc[:MAX_ENTRIES])
    return False


_IGNORED_STATUS = "entered-in-error"


class _Reader:
    def __init__(self, local: LocalCodes | None, today: datetime.date) -> None:
        self.local = local
        self.today = today
        self.unmapped: list[Unmapped] = []
        self.muscle_signs: list[str] = []
        self.cands: dict[str, list[_Cand]] = {}
        self.cks: list[_Ck] = []
        self.meds: list[_Med] = []
        self.onsets: list[_Onset] = []
        self.index: dict[str, dict[str, Any]] = {}  # "Type/id" and fullUrl → resource
        self.labels: dict[int, str] = {}  # id(resource) → its label
        self.fields_of: dict[int, set[str]] = {}  # id(resource) → the fields it gave
        self.used_meds: set[int] = set()
        self.patient_refs: set[str] = set()
        self.birth: tuple[datetime.date, str] | None = None
        self.methods: dict[str, tuple[str, str]] = {}  # antibody field → (method, the resource it came from)

    # -- bookkeeping ------------------------------------------------------------------------------------
    def skip(self, ref: str, code: str, reason: str) -> None:
        self.unmapped.append(Unmapped(ref, code, reason))

    def muscle_sign(self, ref: str, concept: Any) -> None:
        """Keep a present finding coded with an HPO sign of a muscle disease that sets no field
        (:data:`myoclass.io.hpo.MUSCLE_SIGN_TERMS`): the chart is one the differential is built for."""
        hpo = closure()
        for system, code, disp in _codings(concept):
            term = hpo.current(C.hpo_code(code)) if system in C.HPO_SYSTEMS else ""
            if term and hpo.is_muscle_sign(term):
                self.muscle_signs.append((f"{quoted_label(disp)!r} " if disp else "") + f"({term}, {ref})")
                return

    def add(self, fld: str, cand: _Cand, res: dict[str, Any]) -> None:
        self.cands.setdefault(fld, []).append(cand)
        self.fields_of.setdefault(id(res), set()).add(fld)

    # -- input shapes -----------------------------------------------------------------------------------
    def collect(self, doc: object) -> list[tuple[str, dict[str, Any]]]:
        items: list[tuple[dict[str, Any] | None, str]] = []  # (resource, fullUrl)
        if isinstance(doc, dict) and doc.get("resourceType") == "Bundle":
            entries = doc.get("entry", [])
            if not isinstance(entries, list):
                self.skip("Bundle", "", "entry is not a list; nothing read")
                entries = []
            self._cap(len(entries))
            for i, e in enumerate(entries):
                if not isinstance(e, dict):
                    self.skip(f"Bundle entry #{i + 1}", "", "malformed entry (not an object)")
                    continue
                r = e.get("resource")
                if not isinstance(r, dict):
                    self.skip(f"Bundle entry #{i + 1}", "", "entry has no resource")
                    continue
                items.append((r, _s(e.get("fullUrl"))))
        elif isinstance(doc, dict):
            items.append((doc, ""))
        elif isinstance(doc, list):
            self._cap(len(doc))
            for i, r in enumerate(doc):
                if isinstance(r, dict):
                    items.append((r, ""))
                else:
                    self.skip(f"item #{i + 1}", "", "malformed item (not a FHIR resource)")
        out: list[tuple[str, dict[str, Any]]] = []
        total = len(items)
        for n, (res, full) in enumerate(items, start=1):
            assert res is not None
            rtype, rid = _s(res.get("resourceType")), res.get("id")
            if not rtype:
                self.skip(f"resource #{n}", "", "no resourceType: not a FHIR resource")
                continue
            label = f"{rtype}/{rid}" if isinstance(rid, str) and rid else f"{rtype} #{n}"
            label = label if len(label) <= 100 else label[:97] + "..."
            self.labels[id(res)] = label
            if isinstance(rid, str) and rid:
                self.index.setdefault(f"{rtype}/{rid}", res)
            if full:
                self.index.setdefault(full, res)
            contained = res.get("contained")
            if isinstance(contained, list):
                total += len(contained)
                self._cap(total)
            out.append((label, res))
        return out

    @staticmethod
    def _cap(n: int) -> None:
        if n > MAX_ENTRIES:
            raise InvalidCase([Problem("(fhir)", f"{n} resources: more than the limit of {MAX_ENTRIES} a reading accepts")])

    def resolve(self, ref: Any, container: dict[str, Any]) -> dict[str, Any] | None:
        r = _s(_d(ref).get("reference"))
        if not r:
            return None
        if r.startswith("#"):
            for c in _l(container.get("contained")):
                if isinstance(c, dict) and c.get("id") == r[1:]:
                    if id(c) not in self.labels:
                        self.labels[id(c)] = f"{self.labels.get(id(container), '?')}#{r[1:]}"[:100]
                    return c
            return None
        hit = self.index.get(r)
        if hit is None and "/" in r:  # an absolute URL ending in Type/id
            parts = r.rstrip("/").split("/")
            hit = self.index.get("/".join(parts[-2:]))
        return hit

    # -- resources ----------------------------------------------------------------------------------------
    def read(self, doc: object) -> None:
        resources = self.collect(doc)
        patients = [(lbl, r) for lbl, r in resources if r.get("resourceType") == "Patient"]
        if patients:
            lbl, p = patients[0]
            self.patient(lbl, p)
            for lbl2, _p2 in patients[1:]:
                self.skip(lbl2, "", f"a second Patient; only {lbl} is read")
            self.patient_refs = {k for k, v in self.index.items() if v is p}
        reports = []
        for lbl, res in resources:
            rtype = res.get("resourceType")
            if rtype == "Patient":
                continue
            try:
                if rtype == "DiagnosticReport":
                    reports.append((lbl, res))
                    continue
                if not self.same_patient(lbl, res):
                    continue
                if rtype == "Observation":
                    self.observation(lbl, res)
                elif rtype == "Condition":
                    self.condition(lbl, res)
                elif rtype in ("MedicationStatement", "MedicationRequest", "MedicationAdministration"):
                    self.medication(lbl, res)
                elif rtype == "Medication":
                    continue  # read through the references to it; unreferenced ones are reported below
                elif rtype == "OperationOutcome":
                    issues = [_s(_d(i).get("diagnostics")) or _s(_d(_d(i).get("details")).get("text"))
                              for i in _l(res.get("issue"))]
                    msg = "; ".join(x for x in issues if x)[:200]
                    self.skip(lbl, "", "OperationOutcome from the server" + (f": {msg}" if msg else ""))
                elif rtype == "Bundle":
                    self.skip(lbl, "", "a Bundle inside a Bundle is not read")
                else:
                    self.skip(lbl, _code_str(res.get("code")), f"resource type {str(rtype)[:40]} is not read by myoclass")
            except Exception as e:  # a malformed resource never stops the reading
                self.skip(lbl, "", f"malformed resource ({type(e).__name__})")
        for lbl, res in reports:
            try:
                if self.same_patient(lbl, res):
                    self.report(lbl, res)
            except Exception as e:
                self.skip(lbl, "", f"malformed resource ({type(e).__name__})")
        for lbl, res in resources:
            if res.get("resourceType") == "Medication" and id(res) not in self.used_meds:
                self.skip(lbl, _code_str(res.get("code")), "Medication not referenced by any medication statement, "
                          "request or administration")

    def same_patient(self, lbl: str, res: dict[str, Any]) -> bool:
        if not self.patient_refs:
            return True
        ref = _s(_d(res.get("subject") or res.get("patient")).get("reference"))
        if not ref or ref in self.patient_refs or ref.startswith("#"):
            return True
        if ref.startswith("Patient/") or "/Patient/" in ref or ref.startswith("urn:"):
            self.skip(lbl, _code_str(res.get("code")), f"about {ref[:80]}, not the Patient of this chart")
            return False
        return True

    def patient(self, lbl: str, p: dict[str, Any]) -> None:
        g = p.get("gender")
        if g in ("male", "female", "other"):
            self.add("sex", _Cand(g, lbl, None), p)
        elif g is not None:
            self.skip(lbl, "", f"gender {str(g)[:20]!r} does not give sex (female, male or other)")
        bd = p.get("birthDate")
        if bd is not None:
            b = _date(bd)
            if b is None:
                self.skip(lbl, "", f"birthDate {str(bd)[:30]!r} is not a date")
            elif b > self.today:
                self.skip(lbl, "", f"birthDate {b.isoformat()} is after today ({self.today.isoformat()})")
            else:
                self.birth = (b, lbl)
        for ident in _l(p.get("identifier")):
            if _s(_d(ident).get("system")) == C.MYOCLASS_CASE_ID and _s(_d(ident).get("value")):
                self.add("case_id", _Cand(ident["value"], lbl, None), p)

    def lookup(self, concept: Any) -> tuple[C.CodeEntry | LocalCode | None, str]:
        """The first coding of ``concept`` that myoclass reads, and its "system|code"."""
        first = ""
        for system, code, _disp in _codings(concept):
            if not code:
                continue
            key = f"{system}|{code}"
            first = first or key
            e = C.lookup(system, code)
            if e is not None:
                return e, key
            if self.local is not None:
                lc = self.local.get(system, code)
                if lc is not None:
                    return lc, key
        return None, first

    def not_read(self, concept: Any) -> str:
        codings = [(s, c) for s, c, _ in _codings(concept) if c]
        if not codings:
            return "no code"
        s, c = codings[0]
        return f"{_describe(s, c)} is not a code myoclass reads"

    def observation(self, lbl: str, res: dict[str, Any]) -> None:
        status = _s(res.get("status"))
        code = _code_str(res.get("code"))
        if status == _IGNORED_STATUS:
            self.skip(lbl, code, "status entered-in-error: ignored")
            return
        if status in ("cancelled", "registered"):
            self.skip(lbl, code, f"status {status}: no result")
            return
        entry, key = self.lookup(res.get("code"))
        in_value = False
        if entry is None and isinstance(res.get("valueCodeableConcept"), dict):
            entry, key2 = self.lookup(res.get("valueCodeableConcept"))  # a finding coded in the value
            if entry is not None:
                in_value, key = True, key2
        if entry is None:
            fields, akey = self.absence_fields(res.get("code"))
            if fields:
                probe = C.CodeEntry("", "", "", fields[0], "", True)
                self.absent_only(lbl, res, akey, fields, self.bool_value(res, probe, False) is False, None)
                return
            self.skip(lbl, code, self.not_read(res.get("code")))
            probe = C.CodeEntry("", "", "", "", "", True)
            if res.get("dataAbsentReason") is None and self.bool_value(res, probe, False) is True:
                self.muscle_sign(lbl, res.get("code"))  # an HPO-coded finding recorded as present
            return
        fld = entry.field
        date = _date(res.get("effectiveDateTime")) or _date(_d(res.get("effectivePeriod")).get("start")) \
            or _date(res.get("effectiveInstant")) or _date(res.get("issued"))
        unverified = key if isinstance(entry, C.CodeEntry) and not entry.verified else ""
        if res.get("dataAbsentReason") is not None and not in_value:
            why = _code_str(res.get("dataAbsentReason")).split("|")[-1] or _s(_d(res.get("dataAbsentReason")).get("text"))
            self.skip(lbl, key, f"no value (dataAbsentReason: {why[:40] or 'given'})")
            return
        spec = FIELDS[fld]
        if fld == "ck_u_l":
            self.ck(lbl, res, key, date)
            return
        if spec.kind == "bool":
            value = self.bool_value(res, entry, in_value)
            if value is None or value == "equivocal":
                self.skip(lbl, key, "equivocal result" if value == "equivocal" else "no value that says present or absent")
                return
            assert isinstance(value, bool)
            if value is False and isinstance(entry, C.CodeEntry) and not entry.absence_reads:
                self.skip(lbl, key, _ABSENCE_SAYS_NOTHING.format(field=fld))
                return
            note = entry.note if isinstance(entry, C.CodeEntry) else ""
            if fld in ANTIBODIES:
                method = self.method(res, entry)
                cand = _Cand(value if entry.value else not value, lbl, date, note, unverified, method)
            else:
                if not any(k in res for k in ("valueBoolean", "valueCodeableConcept", "valueString", "interpretation",
                                              "valueQuantity")):
                    note = "; ".join(x for x in (note, "no value: the recorded finding is taken as present") if x)
                cand = _Cand(value if entry.value else not value, lbl, date, note, unverified)
            self.add(fld, cand, res)
            if _symptom_bearing(fld) and cand.value is True and date is not None:
                self.onsets.append(_Onset(date, None, lbl))
            return
        if spec.kind == "number":
            q = _d(res.get("valueQuantity"))
            v = _num(q.get("value")) if q else _num(res.get("valueInteger"))
            if v is None:
                self.skip(lbl, key, "no numeric value")
                return
            unit = (_s(q.get("code")) or _s(q.get("unit"))).lower()
            if fld in ("age_years", "age_at_onset_years") and unit in ("mo", "month", "months"):
                v = v / 12
            elif fld == "symptom_duration_months" and unit in ("a", "yr", "year", "years"):
                v = v * 12
            self.add(fld, _Cand(v, lbl, date, "", unverified), res)
            return
        if spec.kind == "enum":
            words = [c for s, c, _ in _codings(res.get("valueCodeableConcept"))] + [_s(res.get("valueString"))]
            hit = next((w for w in words if w in spec.values), None)
            if hit is None:
                self.skip(lbl, key, f"value is not one of {', '.join(spec.values)}")
                return
            self.add(fld, _Cand(hit, lbl, date), res)
            return
        # string fields: case_id, genetic_diagnosis_gene
        text = _s(res.get("valueString"))
        if not text:
            for s, c, disp in _codings(res.get("valueCodeableConcept")):
                text = disp if s == C.HGNC or not c else c
                if text:
                    break
        if not text:
            self.skip(lbl, key, "no value")
            return
        if fld == "genetic_diagnosis_gene" and not GENE_SYMBOL.match(text):
            self.skip(lbl, key, f"{text[:30]!r} is not an HGNC gene symbol")
            return
        self.add(fld, _Cand(text, lbl, date), res)

    @staticmethod
    def absence_fields(concept: Any) -> tuple[tuple[str, ...], str]:
        for system, code, _disp in _codings(concept):
            fields = C.absence_only(system, code)
            if fields:
                return fields, f"{system}|{code}"
        return (), ""

    def absent_only(self, lbl: str, res: dict[str, Any], key: str, fields: tuple[str, ...], absent: bool,
                    date: datetime.date | None) -> None:
        if not absent:
            self.skip(lbl, key, f"{key.split('|')[-1]} does not say which limbs ({', '.join(fields)}): only its absence is "
                      "read; code upper and lower limbs apart (HP:0008997, HP:0008994)")
            self.muscle_sign(lbl, res.get("code"))
            return
        for f in fields:
            self.add(f, _Cand(False, lbl, date, f"absence of {key.split('|')[-1]} (proximal muscle weakness)"), res)

    def bool_value(self, res: dict[str, Any], entry: C.CodeEntry | LocalCode, in_value: bool) -> bool | str | None:
        if isinstance(entry, LocalCode) and entry.values:
            words = [c for _s2, c, _ in _codings(res.get("valueCodeableConcept"))]
            words += [d for _s2, _c, d in _codings(res.get("valueCodeableConcept"))]
            words += [_s(_d(res.get("valueCodeableConcept")).get("text")), _s(res.get("valueString"))]
            for concept in _l(res.get("interpretation")):
                words += [c for _s2, c, _ in _codings(concept)]
            for w in words:
                k = w.strip().lower()
                if k and k in entry.values:
                    v = entry.values[k]
                    return "equivocal" if v is None else v
        vb = res.get("valueBoolean")
        if isinstance(vb, bool):
            return vb
        interp = _interpretation(res)
        if interp is not None:
            return interp
        if not in_value and isinstance(res.get("valueCodeableConcept"), dict):
            r = _concept_value(res["valueCodeableConcept"])
            if r is not None:
                return r
        if isinstance(res.get("valueString"), str):
            r = _word(res["valueString"][:40])
            if r is not None:
                return r
        q = _d(res.get("valueQuantity"))
        qv = _num(q.get("value")) if q else None
        if qv is not None:
            for rr in _l(res.get("referenceRange")):
                high = _num(_d(_d(rr).get("high")).get("value"))
                if high is not None:
                    return qv > high
            return None
        if in_value:
            return True
        if not any(k.startswith("value") for k in res) and isinstance(entry, C.CodeEntry) and entry.field not in ANTIBODIES:
            return True  # the finding itself, recorded without a value
        return None

    @staticmethod
    def method(res: dict[str, Any], entry: C.CodeEntry | LocalCode) -> str | None:
        m = res.get("method")
        for s, c, _disp in _codings(m):
            if s == C.MYOCLASS_METHOD and c in ASSAY_METHODS:
                return c
        text = " ".join([_s(_d(m).get("text"))] + [d for _s2, _c, d in _codings(m)]).lower()
        for words, meth in ((("elisa", "enzyme-linked", "enzyme linked"), "elisa"),
                            (("line blot", "line-blot", "immunoblot", "line immunoassay"), "line_blot"),
                            (("immunoprecipitation",), "immunoprecipitation"),
                            (("cell-based", "cell based", "cbia"), "cbia"),
                            (("immunofluorescence", "iif", "ifa"), "iif")):
            if any(w in text for w in words):
                return meth
        return entry.method

    def ck(self, lbl: str, res: dict[str, Any], key: str, date: datetime.date | None) -> None:
        if "valueQuantity" not in res:
            interp = _interpretation(res)
            if isinstance(interp, bool):
                self.add("ck_elevated", _Cand(interp, lbl, date, "CK reported only as above / within normal"), res)
            else:
                self.skip(lbl, key, "no value")
            return
        v, why = _ck_quantity(res.get("valueQuantity"))
        if v is None:
            self.skip(lbl, key, why)
            return
        uln = None
        for rr in _l(res.get("referenceRange")):
            high = _d(_d(rr).get("high"))
            if high:
                u, why2 = _ck_quantity(high if (high.get("unit") or high.get("code")) else {**high, "unit": "U/L"})
                if u is not None and u > 0:
                    uln = u
                    break
                self.skip(lbl, key, f"reference range high not used: {why2 or 'not above 0'}")
        self.cks.append(_Ck(v, uln, lbl, date, why))
        self.fields_of.setdefault(id(res), set()).add("ck_u_l")

    def condition(self, lbl: str, res: dict[str, Any]) -> None:
        code = _code_str(res.get("code"))
        ver = [c for _s2, c, _ in _codings(res.get("verificationStatus"))]
        vs = ver[0] if ver else ""
        if vs == _IGNORED_STATUS:
            self.skip(lbl, code, "verificationStatus entered-in-error: ignored")
            return
        if vs in ("provisional", "differential", "unconfirmed"):
            self.skip(lbl, code, f"verificationStatus {vs}: not confirmed, so not read")
            return
        present = vs != "refuted"
        onset = _date(res.get("onsetDateTime")) or _date(_d(res.get("onsetPeriod")).get("start"))
        onset_age = None
        oa = _d(res.get("onsetAge"))
        if oa:
            onset_age = _num(oa.get("value"))
            unit = (_s(oa.get("code")) or _s(oa.get("unit"))).lower()
            if onset_age is not None and unit in ("mo", "month", "months"):
                onset_age /= 12
            elif onset_age is not None and unit not in ("a", "yr", "year", "years", ""):
                self.skip(lbl, code, f"onsetAge unit {unit[:20]!r} is not years or months")
                onset_age = None
        date = _date(res.get("recordedDate")) or onset
        entry, key = self.lookup(res.get("code"))
        if entry is None:
            fields, akey = self.absence_fields(res.get("code"))
            if fields:
                self.absent_only(lbl, res, akey, fields, not present, date)
                return
        gene = ""
        for ev in _l(res.get("evidence")):
            for concept in _l(_d(ev).get("code")):
                for s, c, disp in _codings(concept):
                    if s == C.HGNC:
                        cand = disp or c
                        if GENE_SYMBOL.match(cand):
                            gene = cand
        if gene and present:
            name = _s(_d(res.get("code")).get("text")) or next((d for _s2, _c, d in _codings(res.get("code")) if d), "")
            if name and not names_a_muscle_disease(name):
                self.skip(lbl, gene, f"the gene {gene} is the diagnosis of {name[:80]!r}, not of a muscle disease: not "
                                     "read as a genotype that explains a myopathy")
            else:
                self.add("genetic_diagnosis_gene", _Cand(gene, lbl, date), res)
        is_onset = entry is not None and (_symptom_bearing(entry.field) or key == f"{C.MYOCLASS}|{C.MYOPATHY_ONSET}")
        if key == f"{C.MYOCLASS}|{C.MYOPATHY_ONSET}" or (entry is None and _codings(res.get("code")) and
                                                          any(s == C.MYOCLASS and c == C.MYOPATHY_ONSET
                                                              for s, c, _ in _codings(res.get("code")))):
            is_onset = True
            entry = None
        if is_onset and present and (onset is not None or onset_age is not None):
            self.onsets.append(_Onset(onset, onset_age, lbl))
            self.fields_of.setdefault(id(res), set()).add("(onset)")
        if entry is None:
            icd = None
            for s, c, _disp in _codings(res.get("code")):
                if s in (C.ICD10, C.ICD10CM):
                    icd = C.icd10_entry(c)
                    if icd is not None:
                        key = f"{s}|{c}"
                        break
            if icd is not None:
                note = f"ICD-10 {key.split('|')[1]} in {icd.first}–{icd.last} ({icd.display})"
                if icd.field == "hypothyroidism":
                    note += "; whether it was untreated at the time of the myopathy is not in the code"
                self.add(icd.field, _Cand(present, lbl, date, note, "" if icd.verified else key), res)
                return
            if not gene and not is_onset:
                self.skip(lbl, code, self.not_read(res.get("code")))
                if present:
                    self.muscle_sign(lbl, res.get("code"))
            return
        spec = FIELDS[entry.field]
        if spec.kind != "bool":
            self.skip(lbl, key, f"a Condition cannot give {entry.field}")
            return
        unverified = key if isinstance(entry, C.CodeEntry) and not entry.verified else ""
        if not present and isinstance(entry, C.CodeEntry) and not entry.absence_reads:
            self.skip(lbl, key, _ABSENCE_SAYS_NOTHING.format(field=entry.field))
            return
        value = present if (not isinstance(entry, C.CodeEntry) or entry.value) else not present
        note = "verificationStatus refuted: absent" if not present else (entry.note if isinstance(entry, C.CodeEntry) else "")
        if entry.field == "hypothyroidism" and present:
            note = "a coded diagnosis; whether it was untreated at the time of the myopathy is not in the code"
        self.add(entry.field, _Cand(value, lbl, date, note, unverified), res)

    def medication(self, lbl: str, res: dict[str, Any]) -> None:
        rtype = res.get("resourceType")
        status = _s(res.get("status"))
        concept: Any = res.get("medicationCodeableConcept")
        if concept is None and res.get("medicationReference") is not None:
            med = self.resolve(res.get("medicationReference"), res)
            if med is None:
                self.skip(lbl, "", "medicationReference does not resolve to a Medication in the chart")
                return
            self.used_meds.add(id(med))
            concept = med.get("code")
        code = _code_str(concept)
        if status == _IGNORED_STATUS:
            self.skip(lbl, code, "status entered-in-error: ignored")
            return
        d, cls = C.drug_of_concept(_d(concept))
        drug_class = d.drug_class if d is not None else cls
        if drug_class is None:
            self.skip(lbl, code, "not a statin, checkpoint inhibitor or other myotoxic drug myoclass reads"
                      if _codings(concept) or _d(concept).get("text") else "no medication code")
            return
        if drug_class in C.NO_FIELD_CLASSES:
            self.skip(lbl, code, C.NO_FIELD_CLASSES[drug_class])
            return
        fld = C.MEDICATION_CLASS_FIELD[drug_class]
        taken = True
        if rtype == "MedicationStatement" and status == "not-taken":
            taken = False
        elif rtype == "MedicationRequest" and (status in ("cancelled", "draft", "unknown") or res.get("doNotPerform") is True):
            self.skip(lbl, code, f"a {status or 'do-not-perform'} request is not a record that the drug was taken")
            return
        elif rtype == "MedicationAdministration" and status in ("not-done",):
            self.skip(lbl, code, "administration not done")
            return
        start = (_date(_d(res.get("effectivePeriod")).get("start")) or _date(res.get("effectiveDateTime"))
                 or _date(res.get("authoredOn")) or _date(res.get("dateAsserted")))
        how = (f"{drug_class} by code {code} (table entry {C.system_label(d.system)} {d.code})" if d is not None
               else f"{drug_class} matched by ingredient name")
        if d is not None and not d.verified:
            how += " [R: code not verified]"
        self.meds.append(_Med(fld, taken, lbl, start, how, code))
        self.fields_of.setdefault(id(res), set()).add(fld)

    def report(self, lbl: str, res: dict[str, Any]) -> None:
        code = _code_str(res.get("code"))
        if _s(res.get("status")) == _IGNORED_STATUS:
            self.skip(lbl, code, "status entered-in-error: ignored")
            return
        given: set[str] = set()
        for ref in _l(res.get("result")):
            target = self.resolve(ref, res)
            if target is None:
                self.skip(lbl, code, f"result {_s(_d(ref).get('reference'))[:80]!r} is not in the chart")
                continue
            if id(target) not in self.fields_of and _s(_d(ref).get("reference")).startswith("#"):
                if target.get("resourceType") == "Observation":
                    self.observation(self.labels.get(id(target), lbl + "#?"), target)
            given |= self.fields_of.get(id(target), set())
        is_biopsy = any(s == C.MYOCLASS and c == "biopsy_performed" for s, c, _ in _codings(res.get("code"))) \
            or any(f.startswith("biopsy_") for f in given)
        if is_biopsy:
            date = _date(res.get("effectiveDateTime")) or _date(_d(res.get("effectivePeriod")).get("start")) \
                or _date(res.get("issued"))
            self.add("biopsy_performed", _Cand(True, lbl, date, "a muscle biopsy report"), res)
        elif not given:
            self.skip(lbl, code, "not a muscle biopsy report myoclass recognises, and none of its results are read")

    # -- deciding --------------------------------------------------------------------------------------
    def decide(self) -> tuple[dict[str, Any], list[Choice]]:
        choices: dict[str, Choice] = {}
        # onset first: the medication rules need its date
        onset_date, onset_choice_age, onset_refs = self.onset()
        self.medications(onset_date)
        for fld, cands in list(self.cands.items()):
            ch = self.resolve_field(fld, cands)
            if ch is not None:
                choices[fld] = ch
        # age and onset: an explicit value (myoclass code) wins over one derived from dates
        if "age_years" not in choices and self.birth is not None:
            b, ref = self.birth
            choices["age_years"] = Choice("age_years", _years_between(b, self.today), (ref,),
                                          f"completed years from birthDate {b.isoformat()} to {self.today.isoformat()}", False)
        if onset_refs:
            if "age_at_onset_years" not in choices and onset_choice_age is not None:
                choices["age_at_onset_years"] = Choice("age_at_onset_years", onset_choice_age[0],
                                                       tuple(onset_refs + onset_choice_age[1]), onset_choice_age[2], False)
            exact = next((o.date for o in self.onsets if o.ref == onset_refs[0] and o.date is not None), None)
            if "symptom_duration_months" not in choices and exact is not None and exact == onset_date \
                    and onset_date <= self.today:  # not from an onsetAge: a completed-years age is too coarse
                months = round((self.today - onset_date).days / _MONTH_DAYS, 1)
                choices["symptom_duration_months"] = Choice(
                    "symptom_duration_months", months, tuple(onset_refs),
                    f"from the earliest symptom date {onset_date.isoformat()} to {self.today.isoformat()}", False)
        self.choose_ck(choices)  # after age and onset: the CK ceiling is not used for an infant
        return self.validate(choices)

    def onset(self) -> tuple[datetime.date | None, tuple[float, list[str], str] | None, list[str]]:
        if not self.onsets:
            return None, None, []
        birth = self.birth[0] if self.birth else None

        def key(o: _Onset) -> datetime.date | None:
            if o.date is not None:
                return o.date
            if o.age is not None and birth is not None:
                return _add_years(birth, o.age)
            return None

        dated = [(k, o) for o in self.onsets if (k := key(o)) is not None]
        if dated:
            d, first = min(dated, key=lambda t: t[0])
        else:
            d, first = None, min((o for o in self.onsets if o.age is not None), key=lambda o: o.age or 0.0)
        extra = [self.birth[1]] if self.birth else []
        age: tuple[float, list[str], str] | None = None
        n = len(self.onsets)
        if first.age is not None:
            age = (first.age, [], f"onsetAge of the earliest of {n} dated symptom records")
        elif d is not None and birth is not None and d >= birth:
            age = (_years_between(birth, d), extra, f"completed years from birthDate to the earliest symptom date "
                                                   f"{d.isoformat()} (earliest of {n} dated symptom records)")
        return d, age, [first.ref]

    def medications(self, onset: datetime.date | None) -> None:
        for m in self.meds:
            note = m.note
            if m.value:
                if m.start is not None and onset is not None and m.start > onset:
                    self.skip(m.ref, m.code, f"started {m.start.isoformat()}, after the onset ({onset.isoformat()}): "
                              f"{m.fld} concerns use before or at onset")
                    continue
                if m.start is None:
                    note += "; no start date: taken as before onset"
                elif onset is None:
                    note += "; onset date unknown: taken as before or at onset"
                else:
                    note += f"; started {m.start.isoformat()}, before or at onset ({onset.isoformat()})"
            else:
                note += "; recorded as not taken"
            self.cands.setdefault(m.fld, []).append(_Cand(m.value, m.ref, m.start, note))

    def resolve_field(self, fld: str, cands: list[_Cand]) -> Choice | None:
        values = {repr(c.value) for c in cands}
        refs = tuple(dict.fromkeys(c.ref for c in cands))
        if len(values) == 1:
            chosen = cands
            note = "; ".join(dict.fromkeys(c.note for c in cands if c.note))
            conflict = False
        else:
            drug = fld in ("statin_exposure", "checkpoint_inhibitor", "other_myotoxic_drug")
            if drug and any(c.value is True for c in cands):
                chosen = [c for c in cands if c.value is True]
                note = ("recorded use beats a 'not taken' statement: exposure is history, and a later statement that "
                        "the drug is not taken does not undo it")
                conflict = True
            else:
                dated = [c for c in cands if c.date is not None]
                latest = max((c.date for c in dated if c.date is not None), default=None)
                top = [c for c in dated if c.date == latest]
                if latest is None or len({repr(c.value) for c in top}) != 1:
                    for c in cands:
                        self.skip(c.ref, "", f"{fld}: the chart disagrees ({', '.join(sorted(values))}) and no date "
                                  "orders the results: left unknown")
                    return None
                chosen = top
                others = ", ".join(f"{c.value!r} ({c.date.isoformat() if c.date else 'undated'}, {c.ref})"
                                   for c in cands if c not in top)
                note = f"{len(cands)} results disagree; the latest ({latest.isoformat()}) was taken over {others}"
                conflict = True
        value = chosen[-1].value
        if fld in ANTIBODIES:
            method = next((c.method for c in reversed(chosen) if c.method), None)
            if method is not None:
                self.methods[fld] = (method, chosen[-1].ref)
        unverified = sorted({c.unverified for c in chosen if c.unverified})
        if unverified:
            note = (note + "; " if note else "") + "[R] from a code not verified against its source: " + ", ".join(unverified)
        return Choice(fld, value, refs if not conflict else tuple(dict.fromkeys(c.ref for c in chosen)) + tuple(
            r for r in refs if r not in {c.ref for c in chosen}), note, conflict)

    def choose_ck(self, choices: dict[str, Choice]) -> None:
        if not self.cks:
            return
        n = len(self.cks)
        ages = ages_of({f: choices[f].value for f in ("age_years", "age_at_onset_years") if f in choices})
        best, how = the_ck_that_counts(self.cks, lambda c: c.value, lambda c: c.uln, ceiling_applies(*ages))
        when = best.date.isoformat() if best.date else "undated"
        if how == "ratio":
            assert best.uln is not None
            note = (f"highest of {n} CK result{'s' if n > 1 else ''} relative to its ULN: {when} "
                    f"({best.value:g} U/L, {best.value / best.uln:.1f} × ULN {best.uln:g})")
            if best.note:
                note += f"; {best.note}"
            refs = (best.ref,)
            choices["ck_u_l"] = Choice("ck_u_l", _clean(best.value), refs, note, False)
            choices["ck_uln_u_l"] = Choice("ck_uln_u_l", _clean(best.uln), refs, note, False)
            qual = choices.pop("ck_elevated") if "ck_elevated" in choices else None
            if qual is not None and qual.value != (best.value > best.uln):
                for r in qual.sources:
                    self.skip(r, "", "a qualitative CK result that contradicts the numbers taken; the numbers were kept")
        else:
            if how == "ceiling":
                note = (f"of {n} CK results, {when} ({best.value:g} U/L) has no reference range but is above "
                        f"{CK_ULN_CEILING_U_L:,.0f} U/L, every laboratory's limit (an assumed ceiling), so it is at "
                        f"least {best.value / CK_ULN_CEILING_U_L:.1f} × its ULN, more than any result with a range; "
                        "no ULN")
            else:
                note = f"highest of {n} CK result{'s' if n > 1 else ''}: {when}; no reference range, so no ULN"
            if best.note:
                note += f"; {best.note}"
            choices["ck_u_l"] = Choice("ck_u_l", _clean(best.value), (best.ref,), note, False)

    def validate(self, choices: dict[str, Choice]) -> tuple[dict[str, Any], list[Choice]]:
        for fld, (method, ref) in self.methods.items():
            mk = f"{fld}_method"
            if fld in choices and mk not in choices:
                choices[mk] = Choice(mk, method, (ref,), "", False)
        case: dict[str, Any] = {}
        for fld, ch in choices.items():
            if fld in FIELDS:
                case[fld] = ch.value
        # drop what breaks a value rule, one round per problem set, naming it (a chart can contradict itself)
        for _ in range(5):
            try:
                parse_case(case)
                break
            except InvalidCase as e:
                dropped = False
                for p in e.problems:
                    if p.field in case:
                        gone = choices.pop(p.field) if p.field in choices else None
                        del case[p.field]
                        dropped = True
                        for r in (gone.sources if gone else ("(chart)",)):
                            self.skip(r, "", f"{p.field}: {p.message}; left unknown")
                if not dropped:
                    break
        order = {k: i for i, k in enumerate(FIELDS)}
        chosen = sorted((c for k, c in choices.items() if k in case), key=lambda c: order.get(c.field, 0))
        return case, chosen


def _clean(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def read_fhir(doc: object, *, local_codes: LocalCodes | None = None, today: datetime.date | None = None) -> FhirReading:
    """Read a FHIR R4 chart into a flat case.

    ``doc``: a decoded JSON document: a Bundle (any type), one resource, or a list of resources. Raises
    :class:`~myoclass.errors.InvalidCase` for a document that is not FHIR or has more than :data:`MAX_ENTRIES`
    resources; anything else that cannot be read becomes an :class:`Unmapped` entry. ``today``: the date of
    the assessment (ages and durations are counted to it; default :func:`datetime.date.today`)."""
    if not is_fhir(doc):
        raise InvalidCase([Problem("(fhir)", "not a FHIR resource, Bundle or list of resources (no resourceType)")])
    r = _Reader(local_codes, today or datetime.date.today())
    r.read(doc)
    case, choices = r.decide()
    return FhirReading(case=case, choices=tuple(choices), unmapped=tuple(r.unmapped),
                       muscle_signs=tuple(dict.fromkeys(r.muscle_signs)))
