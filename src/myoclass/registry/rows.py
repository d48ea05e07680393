"""Import rows: one visit of one patient per CSV row or JSON Lines line, validated into a :class:`VisitRow` or
rejected with its line and reason (:class:`~myoclass.io.rejects.Reject`). The format is in docs/registry.md.

Columns (keys):

- ``patient_code`` (required): the pseudonymous code, 1-64 characters of ``A-Z a-z 0-9 . _ -`` starting with a
  letter or digit (no spaces: a name does not fit by accident);
- ``visit_date`` (required): ``YYYY-MM-DD``;
- any key of the data dictionary (the flat findings; ``ck_u_l`` and ``ck_uln_u_l`` are also the visit's CK);
- follow-up measures: ``physician_global``, ``patient_global``, ``extramuscular`` (0-10 cm VAS), ``haq`` (0-3),
  MMT-8 grades ``mmt8_<group>`` (Kendall 0-10, unilateral; groups as in :data:`myoclass.followup.MUSCLES`) or,
  for bilateral testing, ``mmt8_<group>_right`` and ``mmt8_<group>_left`` (neck flexors once); in JSON Lines
  also ``mmt8``: an object as ``myoclass mmt8`` reads; ``mmt8_total`` (a total measured elsewhere, when the
  grades are not given) and ``mmt_scale`` (mmt8_unilateral, mmt8_bilateral or cmas; default from the grades);
- ``treatments``: JSON Lines: a list of ``{"agent", "class", "start", "stop"}`` (stop optional); CSV:
  ``agent:class:start[:stop]`` entries separated by ``;`` (e.g. ``prednisone:glucocorticoid:2024-01-10;
  ivig:ivig:2024-02-01:2024-08-01``).

In CSV an empty cell is unknown, and booleans and enumerated values are read as the batch reads them
(:mod:`myoclass.io.cells`: true/false, yes/no, 1/0, positive/negative in any case; ``Female``, ``ELISA`` as
``female``, ``elisa``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from myoclass.errors import InvalidCase, InvalidMeasure, Problem, UnknownColumn
from myoclass.followup import MEASURES, MUSCLES, mmt8
from myoclass.io.cells import BOOL_CELL_ALLOWED, CELL_FALSE, CELL_TRUE, enum_cell
from myoclass.io.jsonl import json_lines
from myoclass.io.rejects import Reject
from myoclass.model.case import json_kind, parse_case, show, unknown_key_problems
from myoclass.model.fields import FIELDS
from myoclass.registry.models import TREATMENT_CLASSES

__all__ = ["MEASURE_KEYS", "MMT_SCALES", "ROW_KEYS", "TreatmentRow", "VisitRow", "canonical", "check_header",
           "csv_rows", "jsonl_rows", "parse_row", "sha256_of", "validate_row"]

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MMT_SCALES = {"mmt8_unilateral": 80, "mmt8_bilateral": 150, "cmas": 52}
_VAS = ("physician_global", "patient_global", "extramuscular")
#: the upper end of each core set measure's range, from the Total Improvement Score's own table (the one place)
_RANGE = {m.id: m.range_ for m in MEASURES if m.range_}
MEASURE_KEYS = (*_VAS, "haq", "mmt8_total", "mmt_scale")
_MMT_COLUMNS = tuple(f"mmt8_{m}" for m in MUSCLES) + tuple(f"mmt8_{m}_{s}" for m in MUSCLES[1:] for s in ("right", "left"))
ROW_KEYS = ("patient_code", "visit_date", *MEASURE_KEYS, "mmt8", *_MMT_COLUMNS, "treatments", *FIELDS)


@dataclass(frozen=True)
class TreatmentRow:
    agent: str
    treatment_class: str
    start: dt.date
    stop: dt.date | None


@dataclass(frozen=True)
class VisitRow:
    """A valid import row. ``findings``: the flat case as given (unknown keys left out), numbers normalised."""

    line: int
    patient_code: str
    visit_date: dt.date
    findings: dict[str, Any]
    mmt8_grades: dict[str, Any] | None = None
    mmt8_total: float | None = None
    mmt_scale: str | None = None
    haq: float | None = None
    physician_global: float | None = None
    patient_global: float | None = None
    extramuscular: float | None = None
    treatments: tuple[TreatmentRow, ...] = field(default=())

    @property
    def key(self) -> tuple[str, dt.date]:
        return self.patient_code, self.visit_date


def _norm(v: Any) -> Any:
    """Numbers as JSON would write them: an integral float becomes an int (1200.0 and 1200 hash alike)."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def canonical(obj: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text as is."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_of(obj: Any) -> str:
    return hashlib.sha256(canonical(obj).encode("utf-8")).hexdigest()


def _date(field_: str, v: Any, problems: list[Problem], required: bool = False) -> dt.date | None:
    if v is None or v == "":
        if required:
            problems.append(Problem(field_, "missing; allowed: a date YYYY-MM-DD"))
        return None
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    problems.append(Problem(field_, f"{show(v)} is not a date; allowed: YYYY-MM-DD"))
    return None


def _number(field_: str, v: Any, lo: float, hi: float, problems: list[Problem]) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        problems.append(Problem(field_, f"{show(v)} is not a number; allowed: {lo:g}-{hi:g} or empty"))
        return None
    if not lo <= v <= hi:
        problems.append(Problem(field_, f"{show(v)} is out of range; allowed: {lo:g}-{hi:g} or empty"))
        return None
    return float(v)


def _treatments(v: Any, problems: list[Problem]) -> tuple[TreatmentRow, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        problems.append(Problem("treatments", f"expected a list of {{agent, class, start, stop}}, got {show(v)}"))
        return ()
    out: list[TreatmentRow] = []
    for i, t in enumerate(v):
        where = f"treatments[{i}]"
        if not isinstance(t, Mapping):
            problems.append(Problem(where, f"expected an object {{agent, class, start, stop}}, got {show(t)}"))
            continue
        extra = [k for k in t if k not in ("agent", "class", "start", "stop")]
        if extra:
            problems.append(Problem(f"{where}.{extra[0]}", "unknown key; allowed: agent, class, start, stop"))
        agent = t.get("agent")
        if not isinstance(agent, str) or not agent.strip() or len(agent.strip()) > 100:
            problems.append(Problem(f"{where}.agent", f"{show(agent)} is not allowed; allowed: a drug or treatment name "
                                                      "(1-100 characters)"))
            agent = None
        cls = t.get("class")
        if not isinstance(cls, str) or cls.strip().lower() not in TREATMENT_CLASSES:
            problems.append(Problem(f"{where}.class", f"{show(cls)} is not allowed; allowed: {', '.join(TREATMENT_CLASSES)}"))
            cls = None
        start = _date(f"{where}.start", t.get("start"), problems, required=True)
        stop = _date(f"{where}.stop", t.get("stop"), problems)
        if start and stop and stop < start:
            problems.append(Problem(f"{where}.stop", f"{stop} is before the start {start}"))
        if agent and cls and start:
            out.append(TreatmentRow(agent.strip().lower(), cls.strip().lower(), start, stop))
    return tuple(out)


def _mmt8_from_columns(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    uni = {m: raw[f"mmt8_{m}"] for m in MUSCLES if raw.get(f"mmt8_{m}") is not None}
    bi: dict[str, Any] = {}
    for m in MUSCLES[1:]:
        sides = {s: raw[f"mmt8_{m}_{s}"] for s in ("right", "left") if raw.get(f"mmt8_{m}_{s}") is not None}
        if sides:
            bi[m] = sides
    if not uni and not bi:
        return None
    return {**uni, **bi}


def parse_row(raw: Any, line: int) -> VisitRow | Reject:
    """One row (JSON types) → a VisitRow, or a Reject naming every bad field."""
    row, problems = validate_row(raw, line)
    if row is None:
        cid = raw.get("case_id") if isinstance(raw, Mapping) and isinstance(raw.get("case_id"), str) else None
        return Reject(line, cid, "; ".join(str(p) for p in problems))
    return row


def validate_row(raw: Any, line: int = 1) -> tuple[VisitRow | None, list[Problem]]:
    """One row (JSON types) → (the VisitRow, []) or (None, every problem found)."""
    if not isinstance(raw, Mapping):
        return None, [Problem("(line)", f"expected a JSON object, got {json_kind(raw)}")]
    problems: list[Problem] = []
    unknown = [k for k in raw if k not in ROW_KEYS]
    problems += unknown_key_problems(unknown, ROW_KEYS, "column")
    code = raw.get("patient_code")
    if isinstance(code, str):
        code = code.strip()
    if not isinstance(code, str) or not CODE.fullmatch(code):
        problems.append(Problem("patient_code", f"{show(code)} is not allowed; allowed: 1-64 characters of A-Z, a-z, "
                                                "0-9, '.', '_', '-' (a pseudonymous code, never a name)"))
        code = None
    visit_date = _date("visit_date", raw.get("visit_date"), problems, required=True)
    flat = {k: _norm(v) for k, v in raw.items() if k in FIELDS and v is not None}
    try:
        parse_case(flat)
    except InvalidCase as e:
        problems += e.problems
    vas = {k: _number(k, raw.get(k), 0, _RANGE[k], problems) for k in _VAS}
    haq = _number("haq", raw.get("haq"), 0, _RANGE["haq"], problems)
    scale = raw.get("mmt_scale")
    if scale is not None and scale not in MMT_SCALES:
        problems.append(Problem("mmt_scale", f"{show(scale)} is not allowed; allowed: {', '.join(MMT_SCALES)} or empty"))
        scale = None
    grades = raw.get("mmt8")
    from_columns = _mmt8_from_columns(raw)
    if grades is not None and from_columns is not None:
        problems.append(Problem("mmt8", "give the grades either as mmt8 or as mmt8_<group> columns, not both"))
    grades = grades if grades is not None else from_columns
    total = _number("mmt8_total", raw.get("mmt8_total"), 0, MMT_SCALES.get(scale or "mmt8_bilateral", 150), problems)
    if grades is not None:
        try:
            m = mmt8(grades)
        except InvalidMeasure as e:
            problems += [Problem(f"mmt8.{p.field}", p.message) for p in e.problems]
        else:
            graded_scale = "mmt8_bilateral" if m["version"] == "bilateral" else "mmt8_unilateral"
            if scale is not None and scale != graded_scale:
                problems.append(Problem("mmt_scale", f"{scale} does not match the grades ({graded_scale})"))
            scale = graded_scale
            if m["total"] is not None:
                if total is not None and total != m["total"]:
                    problems.append(Problem("mmt8_total", f"{total:g} contradicts the grades' total {m['total']}"))
                total = float(m["total"])
            grades = dict(grades)
    if total is not None and scale is None:
        scale = "mmt8_unilateral"
        if total > MMT_SCALES[scale]:
            problems.append(Problem("mmt8_total", f"{total:g} is above 80, the unilateral MMT-8's maximum; give "
                                                  "mmt_scale (mmt8_bilateral or cmas)"))
    treatments = _treatments(raw.get("treatments"), problems)
    if problems:
        return None, problems
    assert code is not None and visit_date is not None
    return VisitRow(line, code, visit_date, flat, grades, total, scale, haq, vas["physician_global"],
                    vas["patient_global"], vas["extramuscular"], treatments), []


# --- readers ------------------------------------------------------------------------------------------

def jsonl_rows(lines: Iterator[str]) -> Iterator[VisitRow | Reject]:
    for item in json_lines(lines):
        if isinstance(item, Reject):
            yield item
        else:
            yield parse_row(item[1], item[0])


def check_header(names: list[str]) -> None:
    """Refuse a CSV whose header has a column that is not an import column (nothing is imported): the nearest
    column is named, as the batch does. Raises UnknownColumn."""
    problems = unknown_key_problems([n for n in names if n not in ROW_KEYS], ROW_KEYS, "column")
    dupes = sorted({n for n in names if names.count(n) > 1})
    problems += [Problem(d, "the column appears more than once") for d in dupes]
    for req in ("patient_code", "visit_date"):
        if req not in names:
            problems.append(Problem(req, "missing column; every row needs patient_code and visit_date"))
    if problems:
        raise UnknownColumn(problems)


def _cell(key: str, text: str, problems: list[Problem]) -> Any:
    s = text.strip()
    if s == "":
        return None
    spec = FIELDS.get(key)
    if spec is not None and spec.kind == "bool":
        low = s.lower()
        if low in CELL_TRUE:
            return True
        if low in CELL_FALSE:
            return False
        problems.append(Problem(key, f"{s!r} is not allowed; allowed: {BOOL_CELL_ALLOWED}"))
        return None
    if spec is not None and spec.kind == "enum":
        return enum_cell(spec, s)
    numeric = (spec is not None and spec.kind == "number") or key in _VAS or key in ("haq", "mmt8_total") or \
        (key.startswith("mmt8_") and key not in ("mmt8_total",))
    if numeric:
        if key.startswith("mmt8_") and s.upper() == "T":
            return s  # mmt8() explains why a trace grade is refused
        try:
            if "_" in s:
                raise ValueError(s)
            v = float(s)
        except ValueError:
            problems.append(Problem(key, f"{s!r} is not a number"))
            return None
        if not math.isfinite(v):
            problems.append(Problem(key, f"{s!r} is not a finite number"))
            return None
        return int(v) if v.is_integer() and key.startswith("mmt8_") and key != "mmt8_total" else v
    if key == "treatments":
        out: list[dict[str, Any]] = []
        for i, part in enumerate(p for p in s.split(";") if p.strip()):
            bits = [b.strip() for b in part.split(":")]
            if len(bits) not in (3, 4):
                problems.append(Problem(f"treatments[{i}]", f"{part.strip()!r} is not agent:class:start[:stop]"))
                continue
            t = {"agent": bits[0], "class": bits[1], "start": bits[2]}
            if len(bits) == 4 and bits[3]:
                t["stop"] = bits[3]
            out.append(t)
        return out
    return s


def csv_rows(text: str) -> Iterator[VisitRow | Reject]:
    """Rows of a CSV text (the header first). A row with another number of cells than the header is a reject.
    Raises UnknownColumn for a header with an unknown column."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield Reject(line, None, f"(line): not readable as CSV: {e}")
            line = reader.line_num + 1
            continue
        first, line = line, reader.line_num + 1
        if header is None:
            if not any(c.strip() for c in cells):
                continue
            header = [c.strip().lstrip("\ufeff") for c in cells]
            check_header(header)
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield Reject(first, None, f"(line): {len(cells)} cells, but the header has {len(header)}")
            continue
        problems: list[Problem] = []
        raw = {k: _cell(k, c, problems) for k, c in zip(header, cells, strict=True)}
        if problems:
            cid = raw.get("case_id") if isinstance(raw.get("case_id"), str) else None
            yield Reject(first, cid, "; ".join(str(p) for p in problems))
            continue
        yield parse_row({k: v for k, v in raw.items() if v is not None}, first)
