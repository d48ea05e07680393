"""Validation of the flat case and its translation into three-valued findings.

:func:`parse_case` accepts one flat case (a mapping, as decoded from JSON) and returns a
:class:`Case` or raises :class:`InvalidCase` (defined in :mod:`myoclass.errors` with
:class:`Problem`, both kept importable from here) whose problems each name the field, what was
wrong, and what is allowed. Nothing missing is ever turned into "absent".
"""

from __future__ import annotations

import difflib
import math
import re
import reprlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from myoclass.errors import InvalidCase, Problem, UnknownColumn
from myoclass.model.ages import duration_contradicts, duration_exceeds_age, duration_mask
from myoclass.model.ck import CK_KEPT_NOT_RAISED, over_ceiling
from myoclass.model.fields import BIOPSY_ITEMS, FIELDS, GENE_SYMBOL, FieldSpec

__all__ = ["EXCLUSIVE_FINDINGS", "MAX_REPORTED_KEYS", "MAX_TEXT_CHARS", "MUSCLE_SIGN_NOTE", "STATIN_TAKEN_NOTE", "Case",
           "InvalidCase",
           "Problem",
           "allowed_values", "case_id_of", "case_json_schema", "check_keys", "json_kind", "parse_case", "show",
           "unknown_key_problems"]

#: pairs of boolean findings that cannot both be true (a case with both is refused, naming the second)
EXCLUSIVE_FINDINGS: tuple[tuple[str, str], ...] = (
    ("weakness_neck_flexor_gt_extensor", "weakness_neck_extensor_gt_flexor"),
)

#: the start of the note of a case read from a chart or a phenopacket that records a sign of a muscle disease no field
#: of the flat case holds ("Proximal muscle weakness" with no limb named): the patient is one the differential is
#: built for, so the assessment does not warn that no sign of a myopathy is recorded (:meth:`Case.with_note`)
MUSCLE_SIGN_NOTE = "The source records a sign of a muscle disease that no field of the flat case holds"

#: the note of a case whose statin use is taken from a statin withdrawal outcome (the course after stopping a statin
#: presupposes one was taken)
STATIN_TAKEN_NOTE = "statin_exposure taken as true because a statin withdrawal outcome is given"

_BOOL_KEYS = frozenset(k for k, f in FIELDS.items() if f.kind == "bool")


@dataclass(frozen=True)
class Case:
    """A validated flat case. ``values`` holds every dictionary key (None = unknown)."""

    values: Mapping[str, Any]
    notes: tuple[str, ...] = field(default=())

    @property
    def case_id(self) -> str | None:
        return self.values.get("case_id")

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def with_note(self, note: str) -> Case:
        """The same case with one more note (an adapter's word on what its source held beyond the fields)."""
        return Case(self.values, (*self.notes, note))

    def to_flat(self, *, include_unknown: bool = False) -> dict[str, Any]:
        """The flat case again (derived values included), without the unknown keys by default."""
        if include_unknown:
            return dict(self.values)
        return {k: v for k, v in self.values.items() if v is not None}


def allowed_values(spec: FieldSpec) -> str:
    """What a field allows, in the words of the error messages (e.g. ``a number U/L ≥ 0 or null``)."""
    if spec.kind == "bool":
        return "true, false or null (unknown)"
    if spec.kind == "enum":
        return ", ".join(spec.values) + " or null"
    if spec.kind == "number":
        lo = "" if spec.minimum is None else (f"> {spec.minimum:g}" if spec.exclusive_minimum else f"≥ {spec.minimum:g}")
        hi = "" if spec.maximum is None else f"≤ {spec.maximum:g}"
        rng = " and ".join(x for x in (lo, hi) if x)
        unit = f" {spec.unit}" if spec.unit else ""
        return f"a number{unit}" + (f" {rng}" if rng else "") + " or null"
    return "a string or null"


class _JsonRepr(reprlib.Repr):
    """``reprlib`` with JSON's words for the values a JSON document holds: true, false, null (not Python's)."""

    def repr_bool(self, x: bool, level: int) -> str:
        return "true" if x else "false"

    def repr_NoneType(self, x: None, level: int) -> str:
        return "null"


def json_kind(value: Any) -> str:
    """What a decoded JSON value is, in JSON's words (``an array``, ``null``), for "expected ..., got ..."."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


_SHOW = _JsonRepr()  # keyword arguments only from Python 3.12
_SHOW.maxlevel = 2
_SHOW.maxtuple = _SHOW.maxlist = _SHOW.maxarray = _SHOW.maxdict = _SHOW.maxset = _SHOW.maxfrozenset = 4
_SHOW.maxdeque = 4
_SHOW.maxstring, _SHOW.maxlong, _SHOW.maxother = 60, 40, 60

#: the longest text a field (``case_id``) may hold: an identifier, echoed back in every answer and output row, so a
#: megabyte of it never makes a megabyte of output per case
MAX_TEXT_CHARS = 256

#: how many unknown keys one rejection names (with a suggestion each); the rest are counted in one line
MAX_REPORTED_KEYS = 20
#: the longest key for which a nearest key is suggested (no field name is near a longer one)
_MAX_SUGGEST_LEN = 64


def show(value: Any) -> str:
    """``repr(value)`` for an error message, cut short: a hostile value (a megabyte of text, a list nested
    a thousand deep) is never echoed whole, and never walked further than two levels."""
    return _SHOW.repr(value)


def _key_name(key: Any) -> str:
    k = str(key)
    return k if len(k) <= _MAX_SUGGEST_LEN else k[: _MAX_SUGGEST_LEN - 3] + "..."


def nearest_key(key: str, choices: Iterable[str] = FIELDS) -> str | None:
    """The closest of ``choices`` (by default the data dictionary's keys) to a mistyped ``key``, if any."""
    if len(key) > _MAX_SUGGEST_LEN:
        return None
    options = list(choices)
    # case and spaces first: CK_U_L, "Ck u l" and "ck-u-l" are ck_u_l (difflib compares characters as given)
    plain = re.sub(r"[\s-]+", "_", key.strip()).lower()
    if plain in options:
        return plain
    m = difflib.get_close_matches(plain, options, n=1, cutoff=0.6)
    return m[0] if m else None


def unknown_key_problems(keys: Iterable[Any], choices: Iterable[str] = FIELDS, what: str = "key",
                         allowed: str | None = None, prefix: str = "") -> list[Problem]:
    """One :class:`Problem` per unknown key, with the nearest allowed one, for the first
    :data:`MAX_REPORTED_KEYS`; any further ones are counted in one last problem. The cost is bounded
    whatever the number of keys: a body of twenty thousand near-miss keys costs twenty suggestions.

    ``allowed``: the text to show when no key is near (default: where to find the keys)."""
    names = list(choices)
    problems: list[Problem] = []
    more = 0
    for key in keys:
        if len(problems) >= MAX_REPORTED_KEYS:
            more += 1
            continue
        near = nearest_key(str(key), names)
        hint = (f"; did you mean {near!r}?" if near
                else f"; allowed: {allowed}" if allowed else "; see `myoclass schema case` for the keys")
        problems.append(Problem(prefix + _key_name(key), f"unknown {what}{hint}"))
    if more:
        problems.append(Problem(prefix + "(keys)", f"and {more} more unknown {what}s, not listed"))
    return problems


def case_id_of(raw: Any) -> str | None:
    """The ``case_id`` of a record that may not be a valid case (for naming it in a rejection)."""
    return raw.get("case_id") if isinstance(raw, dict) and isinstance(raw.get("case_id"), str) else None


def check_keys(names: Iterable[str], what: str = "column") -> None:
    """Raise :class:`~myoclass.errors.UnknownColumn` (an :class:`InvalidCase`) naming each of ``names`` that
    is not a key of the data dictionary, with the nearest key ("unknown column; did you mean 'ab_hmgcr'?"):
    a typo must not become "unknown"."""
    problems = unknown_key_problems((n for n in names if n not in FIELDS), what=what)
    if problems:
        raise UnknownColumn(problems)


def _check_value(spec: FieldSpec, v: Any, problems: list[Problem]) -> Any:
    if v is None:
        return None
    if spec.kind == "bool":
        if isinstance(v, bool):
            return v
    elif spec.kind == "enum":
        if isinstance(v, str) and v in spec.values:
            return v
    elif spec.kind == "number":
        if isinstance(v, int | float) and not isinstance(v, bool):
            x = float(v)
            if math.isnan(x) or math.isinf(x):
                problems.append(Problem(spec.key, f"{show(v)} is not a finite number; allowed: {allowed_values(spec)}"))
                return None
            lo_bad = spec.minimum is not None and (
                x <= spec.minimum if spec.exclusive_minimum else x < spec.minimum
            )
            hi_bad = spec.maximum is not None and x > spec.maximum
            if lo_bad or hi_bad:
                problems.append(Problem(spec.key, f"{show(v)} is out of range; allowed: {allowed_values(spec)}"))
                return None
            return v
    else:  # string
        if isinstance(v, str):
            if spec.key == "genetic_diagnosis_gene":
                if not GENE_SYMBOL.match(v):
                    problems.append(Problem(spec.key, f"{show(v)} is not an HGNC gene symbol (upper case, e.g. DYSF)"))
                    return None
            elif v == "":
                problems.append(Problem(spec.key, "empty string; use null for unknown"))
                return None
            elif len(v) > MAX_TEXT_CHARS:  # echoed back in every answer and output row
                problems.append(Problem(spec.key, f"{len(v):,} characters; allowed: at most {MAX_TEXT_CHARS} "
                                                  "characters, or null"))
                return None
            return v
    problems.append(Problem(spec.key, f"{show(v)} is not allowed; allowed: {allowed_values(spec)}"))
    return None


def parse_case(raw: Any) -> Case:
    """Validate one flat case and derive what follows from it (``ck_elevated``, ``biopsy_performed``)."""
    if not isinstance(raw, Mapping):
        raise InvalidCase([Problem("(case)", f"expected a JSON object, got {json_kind(raw)}")])
    problems: list[Problem] = []
    values: dict[str, Any] = dict.fromkeys(FIELDS)
    unknown: list[Any] = []
    for key, v in raw.items():
        if v is None:  # the common cases first: unknown, or a boolean finding
            if key in values:
                continue
        elif (v is True or v is False) and key in _BOOL_KEYS:
            values[key] = v
            continue
        spec = FIELDS.get(key) if isinstance(key, str) else None
        if spec is None:
            unknown.append(key)
            continue
        values[key] = _check_value(spec, v, problems)
    problems += unknown_key_problems(unknown)
    notes: list[str] = []

    # --- derived values and contradictions --------------------------------------------------
    ck, uln, elev = values["ck_u_l"], values["ck_uln_u_l"], values["ck_elevated"]
    if ck is not None and uln is not None:
        derived = ck > uln
        if elev is not None and elev != derived:
            problems.append(Problem(
                "ck_elevated",
                f"{show(elev)} contradicts ck_u_l={ck:g} and ck_uln_u_l={uln:g} (CK is "
                f"{'above' if derived else 'not above'} the upper limit of normal)"))
        elif elev is None:
            values["ck_elevated"] = derived
            notes.append("ck_elevated derived from ck_u_l and ck_uln_u_l")
    elif ck is not None and over_ceiling(ck, values["age_years"], values["age_at_onset_years"]):
        # the ceiling is assumed (myoclass.model.ck): a recorded "not raised" is kept, with a note, not refused; a
        # derived "raised" is said by the CK warning (reasoning.text.ck_without_uln), so no note repeats it
        if elev is False:
            notes.append(CK_KEPT_NOT_RAISED)
        elif elev is None:
            values["ck_elevated"] = True
    for first, second in EXCLUSIVE_FINDINGS:
        if values[first] and values[second]:
            problems.append(Problem(second, f"cannot be true together with {first}"))
    given_biopsy = [k for k in BIOPSY_ITEMS if values[k] is not None]
    if values["biopsy_performed"] is False and given_biopsy:
        problems.append(Problem(given_biopsy[0],
                                "biopsy findings are given but biopsy_performed is false; "
                                "set biopsy_performed to true or the finding to null"))
    elif values["biopsy_performed"] is None and given_biopsy:
        values["biopsy_performed"] = True
        notes.append("biopsy_performed taken as true because biopsy findings are given")
    if values["biopsy_necrosis_predominant"] and values["biopsy_necrotic_fibers"] is False:
        problems.append(Problem("biopsy_necrosis_predominant",
                                "necrosis cannot be predominant when biopsy_necrotic_fibers is false"))
    if values["statin_withdrawal_outcome"] is not None and values["statin_exposure"] is False:
        problems.append(Problem("statin_withdrawal_outcome",
                                "a statin withdrawal outcome is given but statin_exposure is false"))
    elif values["statin_withdrawal_outcome"] is not None and values["statin_exposure"] is None:
        values["statin_exposure"] = True  # the course after stopping a statin presupposes one was taken
        notes.append(STATIN_TAKEN_NOTE)
    onset, age, dur = values["age_at_onset_years"], values["age_years"], values["symptom_duration_months"]
    if onset is not None and age is not None and onset > age:
        problems.append(Problem("age_at_onset_years", f"{onset:g} is later than age_years={age:g}"))
    elif onset is not None and age is not None and dur is not None and duration_contradicts(dur, age, onset):
        problems.append(Problem(
            "symptom_duration_months",
            f"{dur:g} months contradicts age_years={age:g} and age_at_onset_years={onset:g}, which put the time "
            f"since the first symptom at about {age - onset:g} years (a year either way); correct one of the three "
            "or leave the duration out"))
    elif onset is None and age is not None and dur is not None and duration_exceeds_age(dur, age):
        problems.append(Problem(
            "symptom_duration_months",
            f"{dur:g} months is longer than the patient has lived (age_years={age:g}); correct the duration or the "
            "age, or leave the duration out"))
    elif onset is not None and age is not None and dur is None and duration_mask(None, age, onset) != 3:
        notes.append("symptom duration derived from age_years and age_at_onset_years")
    if problems:
        raise InvalidCase(problems)
    return Case(values=values, notes=tuple(notes))


def case_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the flat case, generated from the field table."""
    props: dict[str, Any] = {}
    for spec in FIELDS.values():
        p: dict[str, Any] = {"description": spec.description + (f" [{spec.unit}]" if spec.unit else "")}
        if spec.kind == "bool":
            p["type"] = ["boolean", "null"]
        elif spec.kind == "enum":
            p["enum"] = [*spec.values, None]
        elif spec.kind == "number":
            p["type"] = ["number", "null"]
            if spec.minimum is not None:
                p["exclusiveMinimum" if spec.exclusive_minimum else "minimum"] = spec.minimum
            if spec.maximum is not None:
                p["maximum"] = spec.maximum
        else:
            p["type"] = ["string", "null"]
            if spec.key == "genetic_diagnosis_gene":
                p["pattern"] = GENE_SYMBOL.pattern
            else:
                p["minLength"], p["maxLength"] = 1, MAX_TEXT_CHARS
        p["x-group"] = spec.group
        props[spec.key] = p
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "myoclass flat case (data dictionary v1)",
        "description": "Findings are three-valued: true present, false looked for and absent, "
        "null or missing not assessed. A missing value is never treated as absent.",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }
