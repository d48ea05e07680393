"""The registry's service layer: every operation the CLI and the web app perform on the registry.

Import from here: ``from myoclass.registry.service import open_registry, import_visits, ...``. Every write
takes ``user`` (a user name, or ``"cli"``) for the audit log, which never receives a clinical value.

Errors: :class:`~myoclass.errors.RegistryError` (a bad argument: the message names the field and the allowed
values), :class:`~myoclass.errors.NotFound` (no such patient, user or token),
:class:`~myoclass.errors.RegistryNotEmpty` (restore without ``force``),
:class:`~myoclass.errors.RegistryUnavailable` (the database cannot be opened),
:class:`~myoclass.errors.UnknownColumn` (an import CSV header with a column that is not an import column) and
:class:`~myoclass.errors.InvalidCase` (:func:`save_visit`: a row that breaks a value rule, every problem named).

Concurrency: each import batch is one transaction. On SQLite writers queue on the database lock (WAL, busy
timeout); on PostgreSQL rows are written in one global order (patients, visits, treatments, assessments, each
sorted by key) with ``INSERT ... ON CONFLICT``, so concurrent importers neither deadlock nor duplicate, and a
batch that still fails on a transient conflict is retried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from sqlalchemy import CursorResult, Table, and_, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from myoclass import __version__
from myoclass.criteria import Policy
from myoclass.errors import InvalidCase, NotFound, RegistryError
from myoclass.followup import mmt8 as mmt8_result
from myoclass.followup import total_improvement_score
from myoclass.io.rejects import Reject
from myoclass.reasoning.assess import assess
from myoclass.reasoning.differential_model import MODEL_VERSION
from myoclass.reasoning.engine import engine
from myoclass.registry import exchange
from myoclass.registry.course import VisitCk, course_findings, visit_ck
from myoclass.registry.db import Database, default_url, masked
from myoclass.registry.models import (
    ROLES,
    ApiToken,
    AuditEntry,
    LoginThrottleEntry,
    Patient,
    Setting,
    Treatment,
    User,
    Visit,
    WebSession,
)
from myoclass.registry.models import Assessment as AssessmentRow
from myoclass.registry.rows import VisitRow, canonical, csv_rows, jsonl_rows, sha256_of, validate_row

__all__ = ["ROLES", "AuditRecord", "ExportFormat", "ImportResult", "PatientSummary", "ReclassifyResult", "Registry",
           "SessionInfo", "Timeline", "TimelineVisit", "TokenInfo", "TreatmentInfo", "UserInfo", "VisitChange",
           "add_user", "audit_entries", "authenticate", "backup", "can_admin", "can_write", "clear_login_failures",
           "count_login_failures", "count_sessions", "create_patient", "create_session", "create_token", "default_url",
           "export", "get_user", "import_visits",
           "list_patients", "list_tokens", "list_users", "login_delay", "login_throttle_key", "login_wait",
           "lookup_session", "open_registry", "patient_timeline", "purge_expired_sessions", "purge_login_failures",
           "reclassify", "record_audit", "record_login_failure", "restore", "revoke_session",
           "revoke_token", "revoke_user_sessions", "save_visit", "set_password", "verify_token"]

ExportFormat = Literal["csv", "parquet", "fhir"]
EXPORT_FORMATS = ("csv", "parquet", "fhir")
MIN_PASSWORD = 8
T = TypeVar("T")


def can_write(role: str) -> bool:
    """clinician and admin may add and change patients and visits, import and re-classify."""
    return role in ("clinician", "admin")


def can_admin(role: str) -> bool:
    """admin only: users, roles, tokens of other users, backup and restore."""
    return role == "admin"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(t: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back: they were written in UTC."""
    if t is None:
        return None
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


# --- results ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    """``imported``: visits written (``created`` new + ``updated`` existing, the same patient code and date);
    ``rejects``: each bad row with its line and reason (good rows are kept); ``batches``: transactions committed."""

    imported: int
    created: int
    updated: int
    rejects: list[Reject]
    batches: int
    patients_created: int = 0


@dataclass(frozen=True)
class PatientSummary:
    patient_code: str
    visits: int
    last_visit_date: dt.date | None
    last_label: str | None
    last_leading_label: str | None
    last_ck_u_l: float | None
    last_ck_uln_u_l: float | None
    #: the last visit's CK as a multiple of its upper limit of normal (None when either is unknown)
    last_ck_x_uln: float | None
    #: the last visit's leading label's probability in the differential
    last_leading_probability: float | None = None


@dataclass(frozen=True)
class TreatmentInfo:
    agent: str
    treatment_class: str
    start_date: dt.date
    stop_date: dt.date | None


@dataclass(frozen=True)
class TimelineVisit:
    visit_date: dt.date
    ck_u_l: float | None
    ck_uln_u_l: float | None
    ck_x_uln: float | None
    mmt8_total: float | None
    mmt_scale: str | None
    #: the MMT-8 result of myoclass.followup.mmt8 (grades, total range) when grades were given, else None
    mmt8: dict[str, Any] | None
    haq: float | None
    physician_global: float | None
    patient_global: float | None
    extramuscular: float | None
    #: myoclass.followup.total_improvement_score(baseline = the first visit, this visit); None at the baseline
    tis: dict[str, Any] | None
    #: tis["category"] (None when the range does not settle it, or at the baseline)
    tis_category: str | None
    label: str | None
    leading_label: str | None
    leading_probability: float | None
    #: the assessment's differential: [{"label", "probability"}, ...]
    differential: list[dict[str, Any]]
    #: the assessment's versions ({"myoclass": ..., criteria set id: version})
    versions: dict[str, str]
    model_version: str | None
    #: treatments running on this date (started on or before it, not stopped before it)
    treatments: list[TreatmentInfo]
    findings: dict[str, Any] = field(default_factory=dict)
    #: why there is no TIS at a follow-up visit (e.g. another MMT scale than the baseline's)
    tis_note: str | None = None


@dataclass(frozen=True)
class Timeline:
    patient_code: str
    visits: list[TimelineVisit]
    treatments: list[TreatmentInfo]
    population: str = "adult"


@dataclass(frozen=True)
class VisitChange:
    patient_code: str
    visit_date: dt.date
    old_label: str | None
    new_label: str
    old_leading_label: str | None
    new_leading_label: str | None
    #: why it was re-assessed: "enmc_2017_imnm 2018.1 → 2019.1", "differential model 1 → 2", "input changed", ...
    reasons: list[str]

    @property
    def label_changed(self) -> bool:
        return self.old_label != self.new_label or self.old_leading_label != self.new_leading_label


@dataclass(frozen=True)
class ReclassifyResult:
    checked: int
    reassessed: int
    #: every re-assessed visit, whether or not its labels changed (see VisitChange.label_changed)
    changes: list[VisitChange]
    batches: int

    @property
    def changed(self) -> list[VisitChange]:
        """The re-assessed visits whose strict or leading label changed."""
        return [c for c in self.changes if c.label_changed]


@dataclass(frozen=True)
class UserInfo:
    id: int
    name: str
    role: str
    created_at: dt.datetime
    disabled: bool = False


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user_name: str
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: dt.datetime
    actor: str
    action: str
    patient_code: str | None
    visit_date: dt.date | None
    counts: dict[str, int] | None


# --- the registry ---------------------------------------------------------------------------------------

class Registry:
    """An open registry: ``db`` (engine and sessions), ``url`` (any password masked), ``backend`` ("sqlite" or
    "postgresql"), ``batch_size`` (rows per import or re-classify transaction), and the ``policy`` and
    ``reading`` every visit is assessed under."""

    def __init__(self, db: Database, batch_size: int, policy: Policy, reading: str) -> None:
        self.db = db
        self.url = masked(db.url)
        self.backend = db.backend
        self.batch_size = batch_size
        self.policy = policy
        self.reading = reading

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _insert(self, table: Any) -> Any:
        return (pg_dialect.insert if self.backend == "postgresql" else sqlite_dialect.insert)(table)

    def _write(self, fn: Callable[[Session], T], attempts: int = 5) -> T:
        """``fn`` in one write transaction, retried on a transient conflict (deadlock, serialization, a busy
        SQLite after its timeout)."""
        for attempt in range(attempts):
            try:
                with self.db.write() as s:
                    return fn(s)
            except (OperationalError, DBAPIError) as e:
                if attempt == attempts - 1 or not _transient(e):
                    raise
                time.sleep(0.05 * (attempt + 1) + secrets.randbelow(50) / 1000)
        raise AssertionError("unreachable")


def _transient(e: DBAPIError) -> bool:
    code = getattr(getattr(e, "orig", None), "sqlstate", None)
    if code in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock not available
        return True
    text = str(getattr(e, "orig", e)).lower()
    return "database is locked" in text or "database is busy" in text


def open_registry(url: str | None = None, *, batch_size: int = 500, policy: Policy | None = None,
                  reading: str = "clinic") -> Registry:
    """Open (creating a SQLite file and its folder on first use) and migrate to the newest schema. ``url``: a
    SQLAlchemy URL (``sqlite:///path``, ``postgresql+psycopg://user@host/db``); default :func:`default_url`
    (``$MYOCLASS_DATABASE_URL``, else ``registry.sqlite3`` in ``$MYOCLASS_DATA_DIR`` or the user data folder)."""
    if not isinstance(batch_size, int) or batch_size < 1:
        raise RegistryError(f"batch_size: {batch_size!r} is not allowed; allowed: a whole number ≥ 1")
    if reading not in ("clinic", "record"):
        raise RegistryError(f"reading: {reading!r} is not allowed; allowed: clinic, record")
    db = Database(url or default_url())
    db.migrate()
    return Registry(db, batch_size, policy or Policy(), reading)


# --- assessing ------------------------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _current_versions(policy: Policy) -> tuple[str, dict[str, str], str]:
    eng = engine(policy)
    return __version__, {s.id: s.version for s in eng.sets}, str(MODEL_VERSION)


def _policy_doc(registry: Registry) -> dict[str, Any]:
    return {"policy": asdict(registry.policy), "reading": registry.reading}


def input_hash(findings: Mapping[str, Any], policy_doc: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the flat case with the policy and reading it is assessed under."""
    return sha256_of({"case": findings, **policy_doc})


@dataclass
class _Assessed:
    json: str
    label: str
    leading_label: str | None
    leading_probability: float | None
    myoclass_version: str
    criteria_versions: str
    model_version: str
    policy_json: str
    input_hash: str

    def values(self) -> dict[str, Any]:
        return {"assessment_json": self.json, "label": self.label, "leading_label": self.leading_label,
                "leading_probability": self.leading_probability, "myoclass_version": self.myoclass_version,
                "criteria_versions": self.criteria_versions, "model_version": self.model_version,
                "policy_json": self.policy_json, "input_hash": self.input_hash}


def _assess(registry: Registry, findings: Mapping[str, Any], note: str | None = None) -> _Assessed:
    """The assessment of a visit's course findings (:func:`myoclass.registry.course.course_findings`); ``note``, when
    they differ from the visit's own, is added to its warnings."""
    a: dict[str, Any] = dict(cast(Mapping[str, Any], assess(findings, registry.policy, registry.reading)))
    if note:
        a["warnings"] = [*a.get("warnings", []), note]
    versions = dict(a.get("versions") or {})
    mver = str(versions.pop("myoclass", __version__))
    summary = a.get("summary") or {}
    doc = _policy_doc(registry)
    prob = summary.get("leading_probability")
    return _Assessed(json.dumps(a, sort_keys=True, ensure_ascii=False, default=str), str(summary.get("label")),
                     summary.get("leading_label"), None if prob is None else float(prob), mver, canonical(versions),
                     str((a.get("differential_model") or {}).get("version", MODEL_VERSION)), canonical(doc),
                     input_hash(findings, doc))


# --- visits ---------------------------------------------------------------------------------------------

def _read_source(source: Path | str | bytes, fmt: str | None) -> tuple[str, str]:
    if isinstance(source, Path):
        try:
            data = source.read_bytes()
        except OSError as e:
            raise RegistryError(f"FILE: cannot read {source}: {e.strerror or e}") from None
        if fmt is None:
            suffix = source.suffix.lower()
            fmt = "csv" if suffix == ".csv" else "jsonl" if suffix in (".jsonl", ".ndjson", ".json") else None
    else:
        data = source.encode("utf-8") if isinstance(source, str) else source
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RegistryError(f"FILE: not UTF-8 text (byte {e.start}); allowed: CSV or JSON Lines in UTF-8") from None
    if fmt is None:
        fmt = "jsonl" if text.lstrip("\ufeff \t\r\n").startswith("{") else "csv"
    if fmt not in ("csv", "jsonl"):
        raise RegistryError(f"format: {fmt!r} is not allowed; allowed: csv, jsonl")
    return text, fmt


def _rows(text: str, fmt: str) -> Iterator[VisitRow | Reject]:
    if fmt == "csv":
        return csv_rows(text)
    return jsonl_rows(iter(text.splitlines()))


@dataclass
class _Prepared:
    row: VisitRow
    findings_json: str
    assessed: _Assessed


@dataclass
class _BatchOutcome:
    created: int = 0
    updated: int = 0
    patients_created: int = 0


def _stored_cks(registry: Registry, codes: Iterable[str]) -> dict[str, dict[dt.date, VisitCk]]:
    """The stored visits' CKs of the patients ``codes``, by patient and date (read outside any transaction)."""
    vt: Table = Visit.__table__  # type: ignore[assignment]
    out: dict[str, dict[dt.date, VisitCk]] = {}
    with registry.db.read() as s:
        for code, d, ck, uln in s.execute(
                select(Patient.patient_code, vt.c.visit_date, vt.c.ck_u_l, vt.c.ck_uln_u_l)
                .select_from(vt).join(Patient, Patient.id == vt.c.patient_id)
                .where(Patient.patient_code.in_(sorted(set(codes)))).where(vt.c.ck_u_l.is_not(None))):
            out.setdefault(code, {})[d] = VisitCk(d, float(ck), None if uln is None else float(uln))
    return out


def _prepare(registry: Registry, rows: Sequence[VisitRow]) -> list[_Prepared]:
    """Dedupe (the last row of a patient and date wins), sort into the global write order, and assess (outside
    any transaction: no lock is held while the CPU works), each visit with the course's highest CK so far: its
    patient's stored visits and the batch's rows before its date (:mod:`myoclass.registry.course`)."""
    last: dict[tuple[str, dt.date], VisitRow] = {}
    for r in rows:
        last[r.key] = r
    cks = _stored_cks(registry, (code for code, _d in last))
    for (code, d), r in last.items():  # the batch's rows replace the stored visits of their dates
        ck = visit_ck(d, r.findings)
        if ck is None:
            cks.get(code, {}).pop(d, None)
        else:
            cks.setdefault(code, {})[d] = ck
    out = []
    for (code, d), r in sorted(last.items()):
        findings, note = course_findings(d, r.findings, list(cks.get(code, {}).values()))
        out.append(_Prepared(r, canonical(r.findings), _assess(registry, findings, note)))
    return out


def _patient_ids(registry: Registry, s: Session, codes: Iterable[str], now: dt.datetime) -> tuple[dict[str, int], int]:
    codes = sorted(set(codes))
    pt: Table = Patient.__table__  # type: ignore[assignment]
    have: dict[str, int] = {c: i for c, i in s.execute(select(pt.c.patient_code, pt.c.id).where(pt.c.patient_code.in_(codes)))}
    new = [c for c in codes if c not in have]
    created = 0
    for c in new:  # sorted: concurrent writers take these locks in the same order
        res = s.execute(registry._insert(pt).values(patient_code=c, created_at=now)
                        .on_conflict_do_nothing(index_elements=["patient_code"]).returning(pt.c.id))
        created += len(res.all())
    if new:
        have.update({c: i for c, i in s.execute(select(pt.c.patient_code, pt.c.id).where(pt.c.patient_code.in_(new)))})
    return have, created


def _audit(s: Session, actor: str, action: str, patient_code: str | None = None, visit_date: dt.date | None = None,
           counts: Mapping[str, int] | None = None, at: dt.datetime | None = None) -> None:
    s.add(AuditEntry(at=at or _now(), actor=actor[:100], action=action, patient_code=patient_code,
                     visit_date=visit_date, counts=None if counts is None else canonical(dict(counts))))


def _write_batch(registry: Registry, prepared: list[_Prepared], user: str) -> _BatchOutcome:
    def run(s: Session) -> _BatchOutcome:
        out = _BatchOutcome()
        now = _now()
        ids, out.patients_created = _patient_ids(registry, s, (p.row.patient_code for p in prepared), now)
        vt: Table = Visit.__table__  # type: ignore[assignment]
        at: Table = AssessmentRow.__table__  # type: ignore[assignment]
        tt: Table = Treatment.__table__  # type: ignore[assignment]
        existing = {(pid, d): vid for vid, pid, d in s.execute(
            select(vt.c.id, vt.c.patient_id, vt.c.visit_date).where(vt.c.patient_id.in_(set(ids.values()))))}
        visit_ids: list[int] = []
        for p in prepared:
            r = p.row
            pid = ids[r.patient_code]
            values = {"findings_json": p.findings_json, "ck_u_l": _f(r.findings.get("ck_u_l")),
                      "ck_uln_u_l": _f(r.findings.get("ck_uln_u_l")),
                      "mmt8_json": None if r.mmt8_grades is None else canonical(r.mmt8_grades),
                      "mmt8_total": r.mmt8_total, "mmt_scale": r.mmt_scale, "haq": r.haq,
                      "physician_global": r.physician_global, "patient_global": r.patient_global,
                      "extramuscular": r.extramuscular, "updated_at": now}
            stmt = registry._insert(vt).values(patient_id=pid, visit_date=r.visit_date, created_at=now, **values)
            stmt = stmt.on_conflict_do_update(index_elements=["patient_id", "visit_date"], set_=values)
            vid = s.execute(stmt.returning(vt.c.id)).scalar_one()
            visit_ids.append(vid)
            created = (pid, r.visit_date) not in existing
            out.created += created
            out.updated += not created
            _audit(s, user, "visit.create" if created else "visit.update", r.patient_code, r.visit_date, at=now)
        treatments = sorted({(p.row.patient_code, t.agent, t.start): t for p in prepared for t in p.row.treatments}.items())
        for (code, _agent, _start), t in treatments:
            tv = {"treatment_class": t.treatment_class, "stop_date": t.stop}
            s.execute(registry._insert(tt).values(patient_id=ids[code], agent=t.agent, start_date=t.start, **tv)
                      .on_conflict_do_update(index_elements=["patient_id", "agent", "start_date"], set_=tv))
        stored = {vid: (h, mv, cv, md) for vid, h, mv, cv, md in s.execute(
            select(at.c.visit_id, at.c.input_hash, at.c.myoclass_version, at.c.criteria_versions, at.c.model_version)
            .where(at.c.visit_id.in_(visit_ids)))}
        for vid, p in zip(visit_ids, prepared, strict=True):
            a = p.assessed
            if stored.get(vid) == (a.input_hash, a.myoclass_version, a.criteria_versions, a.model_version):
                continue  # the same input assessed by the same versions: kept as it is
            values = {**a.values(), "assessed_at": now}
            s.execute(registry._insert(at).values(visit_id=vid, **values)
                      .on_conflict_do_update(index_elements=["visit_id"], set_=values))
        _audit(s, user, "import.batch", counts={"visits": len(prepared), "created": out.created, "updated": out.updated,
                                                "patients_created": out.patients_created}, at=now)
        return out

    return registry._write(run)


def _rowcount(res: Any) -> int:
    return int(cast(CursorResult[Any], res).rowcount or 0)


def _f(v: Any) -> float | None:
    return None if v is None else float(v)


def import_visits(registry: Registry, source: Path | str | bytes, fmt: Literal["csv", "jsonl"] | None = None,
                  user: str = "cli", *, batch_size: int | None = None,
                  progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import visits from CSV or JSON Lines (format in docs/registry.md and :mod:`myoclass.registry.rows`).
    ``source``: a file (Path) or its content (str or bytes); ``fmt``: default from the suffix (.csv;
    .jsonl/.ndjson) or the content.

    Each row is one visit of one patient (``patient_code``, ``visit_date``), with flat keys, follow-up
    measures and treatments. A bad row is a :class:`~myoclass.io.rejects.Reject` (its line and the reason)
    and the others are kept. Rows are written in batches of ``batch_size`` (default the registry's), each ONE
    transaction; the same patient code and date again updates that visit. ``progress`` is called with the
    number of rows read so far after each batch. Raises UnknownColumn (nothing imported) for a CSV header with
    a column that is not an import column."""
    size = batch_size or registry.batch_size
    if size < 1:
        raise RegistryError(f"batch_size: {size} is not allowed; allowed: a whole number ≥ 1")
    text, kind = _read_source(source, fmt)
    rejects: list[Reject] = []
    batch: list[VisitRow] = []
    created = updated = patients = batches = read = 0

    def flush() -> None:
        nonlocal created, updated, patients, batches
        if not batch:
            return
        out = _write_batch(registry, _prepare(registry, batch), user)
        _reassess_later(registry, batch, user)
        created += out.created
        updated += out.updated
        patients += out.patients_created
        batches += 1
        batch.clear()
        if progress:
            progress(read)

    for item in _rows(text, kind):
        read += 1
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            batch.append(item)
            if len(batch) >= size:
                flush()
    flush()
    record_audit(registry, user, "import", counts={"imported": created + updated, "created": created, "updated": updated,
                                                   "rejected": len(rejects), "batches": batches})
    return ImportResult(created + updated, created, updated, rejects, batches, patients)


def save_visit(registry: Registry, row: Mapping[str, Any], user: str) -> tuple[str, dt.date, bool]:
    """One visit (an import row as a mapping, JSON Lines types) saved and assessed in its own transaction.
    Returns (patient_code, visit_date, created). Raises InvalidCase naming every bad field."""
    parsed, problems = validate_row(row, 1)
    if parsed is None:
        raise InvalidCase(problems)
    out = _write_batch(registry, _prepare(registry, [parsed]), user)
    _reassess_later(registry, [parsed], user)
    return parsed.patient_code, parsed.visit_date, out.created == 1


def _reassess_later(registry: Registry, rows: Sequence[VisitRow], user: str) -> None:
    """After visits were written: the same patients' later visits whose course findings changed (a higher CK now
    precedes them) are assessed again, as ``reclassify`` would (their stored input hash no longer matches)."""
    with_ck = {r.patient_code for r in rows if r.findings.get("ck_u_l") is not None}
    if with_ck:
        _reclassify(registry, user, patients=with_ck, audit=False)


def create_patient(registry: Registry, patient_code: str, user: str) -> bool:
    """A patient with no visits yet. Returns False when the code exists already. Raises RegistryError for a code
    that is not allowed."""
    from myoclass.registry.rows import CODE

    if not isinstance(patient_code, str) or not CODE.fullmatch(patient_code):
        raise RegistryError(f"patient_code: {patient_code!r} is not allowed; allowed: 1-64 characters of A-Z, a-z, "
                            "0-9, '.', '_', '-' (a pseudonymous code, never a name)")

    def run(s: Session) -> bool:
        _ids, created = _patient_ids(registry, s, [patient_code], _now())
        if created:
            _audit(s, user, "patient.create", patient_code)
        return created == 1

    return registry._write(run)


def list_patients(registry: Registry) -> list[PatientSummary]:
    """Every patient, ordered by code, with the number of visits and the last visit's date, labels and CK."""
    last = (select(Visit.patient_id, func.max(Visit.visit_date).label("last"), func.count(Visit.id).label("n"))
            .group_by(Visit.patient_id).subquery())
    q = (select(Patient.patient_code, last.c.n, Visit.visit_date, AssessmentRow.label, AssessmentRow.leading_label,
                Visit.ck_u_l, Visit.ck_uln_u_l, AssessmentRow.leading_probability)
         .select_from(Patient)
         .outerjoin(last, last.c.patient_id == Patient.id)
         .outerjoin(Visit, and_(Visit.patient_id == Patient.id, Visit.visit_date == last.c.last))
         .outerjoin(AssessmentRow, AssessmentRow.visit_id == Visit.id)
         .order_by(Patient.patient_code))
    with registry.db.read() as s:
        rows = s.execute(q).all()
    return [PatientSummary(code, n or 0, d, lab, lead, ck, uln, _x_uln(ck, uln), p)
            for code, n, d, lab, lead, ck, uln, p in rows]


def _x_uln(ck: float | None, uln: float | None) -> float | None:
    return None if ck is None or not uln else round(ck / uln, 4)


def _measures(v: Visit) -> dict[str, Any]:
    """A visit's TIS core set measures (the enzyme is CK)."""
    m: dict[str, Any] = {"physician_global": v.physician_global, "patient_global": v.patient_global,
                         "extramuscular": v.extramuscular, "haq": v.haq, "mmt": v.mmt8_total,
                         "enzyme_u_l": v.ck_u_l, "enzyme_uln_u_l": v.ck_uln_u_l, "enzyme_name": "ck"}
    if v.mmt_scale:
        m["mmt_scale"] = v.mmt_scale
    return m


def _running(treatments: Sequence[TreatmentInfo], on: dt.date) -> list[TreatmentInfo]:
    return [t for t in treatments if t.start_date <= on and (t.stop_date is None or t.stop_date >= on)]


#: the onset age (years) below which a patient's TIS uses the juvenile DM thresholds (the juvenile criteria's
#: population: onset before 18, Rider et al. 2017)
JUVENILE_ONSET_BELOW = 18


def _population_of(visits: Sequence[Visit]) -> str:
    """``juvenile`` when the recorded age at onset (or, without it, the age at the first visit that records one)
    is under :data:`JUVENILE_ONSET_BELOW`; else ``adult`` (also when no age is recorded)."""
    for key in ("age_at_onset_years", "age_years"):
        for v in visits:
            age = json.loads(v.findings_json).get(key)
            if isinstance(age, int | float) and not isinstance(age, bool):
                return "juvenile" if age < JUVENILE_ONSET_BELOW else "adult"
    return "adult"


def patient_timeline(registry: Registry, patient_code: str, population: str | None = None) -> Timeline:
    """A patient's visits in date order, each with CK ×ULN, MMT-8, the treatments running, the TIS against the
    first visit (with its category) and the stored assessment's labels and differential. Raises NotFound.

    ``population`` picks the TIS thresholds; by default the patient's own (:func:`_population_of`: juvenile for an
    onset before 18)."""
    if population is not None and population not in ("adult", "juvenile"):
        raise RegistryError(f"population: {population!r} is not allowed; allowed: adult, juvenile")
    with registry.db.read() as s:
        p = s.execute(select(Patient).where(Patient.patient_code == patient_code)).scalar_one_or_none()
        if p is None:
            raise NotFound(f"patient_code: no patient {patient_code!r} in the registry")
        visits = list(s.execute(select(Visit).where(Visit.patient_id == p.id).order_by(Visit.visit_date)).scalars())
        assessments = {a.visit_id: a for a in s.execute(
            select(AssessmentRow).where(AssessmentRow.visit_id.in_([v.id for v in visits]))).scalars()}
        treatments = [TreatmentInfo(t.agent, t.treatment_class, t.start_date, t.stop_date) for t in s.execute(
            select(Treatment).where(Treatment.patient_id == p.id).order_by(Treatment.start_date, Treatment.agent)).scalars()]
    if population is None:
        population = _population_of(visits)
    out: list[TimelineVisit] = []
    baseline = _measures(visits[0]) if visits else None
    for i, v in enumerate(visits):
        tis: dict[str, Any] | None = None
        note: str | None = None
        if i > 0 and baseline is not None:
            try:
                tis = total_improvement_score(baseline, _measures(v), population)
            except InvalidCase as e:
                note = str(e)
        a = assessments.get(v.id)
        doc = json.loads(a.assessment_json) if a else {}
        grades = json.loads(v.mmt8_json) if v.mmt8_json else None
        versions = {"myoclass": a.myoclass_version, **json.loads(a.criteria_versions)} if a else {}
        out.append(TimelineVisit(
            v.visit_date, v.ck_u_l, v.ck_uln_u_l, _x_uln(v.ck_u_l, v.ck_uln_u_l), v.mmt8_total, v.mmt_scale,
            mmt8_result(grades) if grades is not None else None, v.haq, v.physician_global, v.patient_global,
            v.extramuscular, tis, tis["category"] if tis else None, a.label if a else None,
            a.leading_label if a else None, a.leading_probability if a else None, list(doc.get("differential") or []),
            versions, a.model_version if a else None, _running(treatments, v.visit_date), json.loads(v.findings_json),
            note))
    return Timeline(patient_code, out, treatments, population)


# --- export ---------------------------------------------------------------------------------------------

def export(registry: Registry, fmt: str, dest: Path | Any, *, pseudonymise: bool = False, user: str = "cli") -> int:
    """One row per visit, ordered by patient code and date, written atomically to a Path (staged and renamed
    into place) or to a binary stream. ``fmt``: csv, parquet, or fhir (JSON Lines, one FHIR R4 Bundle per
    visit). ``pseudonymise`` (the researcher export): patient codes become keyed hashes, dates move by a
    per-patient offset and ``case_id`` is left out (docs/registry.md). Returns the number of visits."""
    if fmt not in EXPORT_FORMATS:
        raise RegistryError(f"format: {fmt!r} is not allowed; allowed: {', '.join(EXPORT_FORMATS)}")
    key = _pseudonym_key(registry) if pseudonymise else None
    n = exchange.export(registry, fmt, dest, key)
    record_audit(registry, user, "export.pseudonymised" if pseudonymise else "export", counts={"visits": n})
    return n


def _pseudonym_key(registry: Registry) -> bytes:
    """The registry's own secret for pseudonyms (made on first use, kept in registry_settings and in backups)."""
    def run(s: Session) -> bytes:
        st: Table = Setting.__table__  # type: ignore[assignment]
        s.execute(registry._insert(st).values(key="pseudonym_key", value=secrets.token_hex(32))
                  .on_conflict_do_nothing(index_elements=["key"]))
        return bytes.fromhex(s.execute(select(st.c.value).where(st.c.key == "pseudonym_key")).scalar_one())

    return registry._write(run)


def pseudonym(key: bytes, patient_code: str) -> str:
    """The researcher export's patient code: HMAC-SHA256 of the code under the registry's key (16 hex digits)."""
    return "p-" + hmac.new(key, b"code:" + patient_code.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def date_shift(key: bytes, patient_code: str) -> dt.timedelta:
    """The researcher export's per-patient date offset: -182 to +182 days, from the registry's key, never 0 (a
    patient whose dates would stay as recorded, 1 in 365, is moved by 183 days instead; every other offset is the
    one earlier exports gave)."""
    h = hmac.new(key, b"shift:" + patient_code.encode("utf-8"), hashlib.sha256).digest()
    days = int.from_bytes(h[:4], "big") % 365 - 182
    return dt.timedelta(days=days or 183)


# --- backup, restore -------------------------------------------------------------------------------------

def backup(registry: Registry, dest: Path, user: str = "cli") -> int:
    """A consistent copy, written atomically: a dump (JSON Lines, any back end; format in docs/registry.md) or,
    for a SQLite registry and a ``.sqlite3``, ``.sqlite`` or ``.db`` destination, a SQLite database through the
    sqlite3 backup API. Returns the rows copied."""
    n = exchange.backup(registry, Path(dest))
    record_audit(registry, user, "backup", counts={"rows": n})
    return n


def restore(registry: Registry, src: Path, *, force: bool = False, user: str = "cli") -> int:
    """Replace the registry's content (audit log included) with a backup (a dump or a SQLite backup), in one
    transaction. Refuses (RegistryNotEmpty) a registry that holds data unless ``force``. Returns rows restored."""
    n = exchange.restore(registry, Path(src), force)
    record_audit(registry, user, "restore", counts={"rows": n})
    return n


# --- reclassify -----------------------------------------------------------------------------------------

def _why(registry: Registry, stored: Mapping[str, Any], h: str) -> list[str]:
    mver, sets, model = _current_versions(registry.policy)
    reasons: list[str] = []
    if stored["myoclass_version"] != mver:
        reasons.append(f"myoclass {stored['myoclass_version']} → {mver}")
    old = json.loads(stored["criteria_versions"] or "{}")
    for k in sorted(set(old) | set(sets)):
        if old.get(k) != sets.get(k):
            reasons.append(f"{k} {old.get(k) or '(none)'} → {sets.get(k) or '(none)'}")
    if stored["model_version"] != model:
        reasons.append(f"differential model {stored['model_version']} → {model}")
    if stored["input_hash"] != h:
        reasons.append("input or policy changed")
    return reasons


def reclassify(registry: Registry, user: str = "cli", *, batch_size: int | None = None,
               dry_run: bool = False) -> ReclassifyResult:
    """Re-assess every visit whose stored assessment has other versions (myoclass, a criteria set, the
    differential model) or another input hash than now (or has none), and report per visit what changed
    and why. Stored per batch, each batch one transaction; a visit changed meanwhile by an import is left to
    that import's assessment. ``dry_run``: report without storing. The input of a visit is its course findings
    (its own, with the highest CK of the course so far: :mod:`myoclass.registry.course`)."""
    return _reclassify(registry, user, batch_size=batch_size, dry_run=dry_run)


def _reclassify(registry: Registry, user: str, *, batch_size: int | None = None, dry_run: bool = False,
                patients: Iterable[str] | None = None, audit: bool = True) -> ReclassifyResult:
    """:func:`reclassify`, for the visits of ``patients`` only when given; ``audit``: write the run's summary line
    (an import's follow-up re-assessment is part of the import's own lines)."""
    size = batch_size or registry.batch_size
    doc = _policy_doc(registry)
    vt, at = Visit.__table__, AssessmentRow.__table__
    q = (select(vt.c.id, Patient.patient_code, vt.c.visit_date, vt.c.findings_json, at.c.label, at.c.leading_label,
                at.c.myoclass_version, at.c.criteria_versions, at.c.model_version, at.c.input_hash)
         .select_from(vt).join(Patient, Patient.id == vt.c.patient_id).outerjoin(at, at.c.visit_id == vt.c.id)
         .order_by(Patient.patient_code, vt.c.visit_date))
    if patients is not None:
        q = q.where(Patient.patient_code.in_(sorted(set(patients))))
    with registry.db.read() as s:
        rows = [r._asdict() for r in s.execute(q)]
    todo: list[tuple[dict[str, Any], list[str], dict[str, Any], str | None]] = []
    earlier: list[VisitCk] = []
    for k, r in enumerate(rows):
        if k == 0 or rows[k - 1]["patient_code"] != r["patient_code"]:
            earlier = []  # rows come by patient, then date: the course so far
        own = json.loads(r["findings_json"])
        findings, note = course_findings(r["visit_date"], own, earlier)
        ck = visit_ck(r["visit_date"], own)
        if ck is not None:
            earlier.append(ck)
        h = input_hash(findings, doc)
        reasons = ["no stored assessment"] if r["label"] is None else _why(registry, r, h)
        if reasons:
            todo.append((r, reasons, findings, note))
    changes: list[VisitChange] = []
    batches = 0
    for i in range(0, len(todo), size):
        chunk = todo[i:i + size]
        assessed = [(r, why, _assess(registry, findings, note)) for r, why, findings, note in chunk]
        if not dry_run:
            def run(s: Session, assessed: list[tuple[dict[str, Any], list[str], _Assessed]] = assessed) -> int:
                now = _now()
                n = 0
                for r, _reasons, a in assessed:
                    current = s.execute(select(vt.c.findings_json).where(vt.c.id == r["id"])).scalar_one_or_none()
                    if current != r["findings_json"]:
                        continue
                    values = {**a.values(), "assessed_at": now}
                    s.execute(registry._insert(at).values(visit_id=r["id"], **values)
                              .on_conflict_do_update(index_elements=["visit_id"], set_=values))
                    n += 1
                _audit(s, user, "reclassify.batch", counts={"reassessed": n}, at=now)
                return n

            registry._write(run)
            batches += 1
        changes += [VisitChange(r["patient_code"], r["visit_date"], r["label"], a.label, r["leading_label"],
                                a.leading_label, why) for r, why, a in assessed]
    if not dry_run and audit:
        record_audit(registry, user, "reclassify", counts={"checked": len(rows), "reassessed": len(changes),
                                                           "changed": sum(c.label_changed for c in changes)})
    return ReclassifyResult(len(rows), len(changes), changes, batches)


# --- users, tokens, audit --------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return str(_hasher().hash(secrets.token_hex(16)))


def _user_info(u: User) -> UserInfo:
    return UserInfo(u.id, u.name, u.role, _utc(u.created_at) or u.created_at, bool(u.disabled))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise RegistryError(f"role: {role!r} is not allowed; allowed: {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise RegistryError(f"password: too short; allowed: at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise RegistryError("password: too long; allowed: at most 1024 characters")


def _check_name(name: str, what: str = "name") -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100 or any(c.isspace() for c in name.strip()):
        raise RegistryError(f"{what}: {name!r} is not allowed; allowed: 1-100 characters without spaces")
    return name.strip()


def add_user(registry: Registry, name: str, role: str, password: str, actor: str = "cli") -> UserInfo:
    """A new user (role: clinician, researcher or admin; a password of at least 8 characters, argon2id-hashed).
    Raises RegistryError for a bad role, a short password or a name that is taken."""
    name = _check_name(name)
    _check_role(role)
    _check_password(password)
    hashed = _hasher().hash(password)

    def run(s: Session) -> UserInfo:
        if s.execute(select(User.id).where(User.name == name)).first():
            raise RegistryError(f"name: a user {name!r} exists already")
        u = User(name=name, role=role, password_hash=hashed, created_at=_now(), disabled=False)
        s.add(u)
        s.flush()
        _audit(s, actor, f"user.add.{role}")
        return _user_info(u)

    try:
        return registry._write(run)
    except SQLAlchemyError as e:  # two adds of one name at once: the unique constraint decides
        if "unique" in str(e).lower() or "duplicate" in str(e).lower():
            raise RegistryError(f"name: a user {name!r} exists already") from None
        raise


def authenticate(registry: Registry, name: str, password: str) -> UserInfo | None:
    """The user when the password is right and the account is not disabled, else None. Rehashes when the argon2
    parameters have changed. An unknown name costs one argon2 verification as well."""
    from argon2.exceptions import InvalidHashError, VerificationError

    ph = _hasher()
    with registry.db.read() as s:
        u = s.execute(select(User).where(User.name == name)).scalar_one_or_none()
    try:
        ph.verify(u.password_hash if u else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if u is None or u.disabled:
        return None
    if ph.check_needs_rehash(u.password_hash):
        new = ph.hash(password)
        registry._write(lambda s: s.execute(update(User).where(User.id == u.id).values(password_hash=new)))
    return _user_info(u)


def get_user(registry: Registry, name: str) -> UserInfo | None:
    with registry.db.read() as s:
        u = s.execute(select(User).where(User.name == name)).scalar_one_or_none()
        return _user_info(u) if u else None


def list_users(registry: Registry) -> list[UserInfo]:
    with registry.db.read() as s:
        return [_user_info(u) for u in s.execute(select(User).order_by(User.name)).scalars()]


def set_password(registry: Registry, name: str, password: str, actor: str = "cli") -> None:
    """A new password (argon2id-hashed); the user's web sessions end (they log in again). Raises NotFound."""
    _check_password(password)
    hashed = _hasher().hash(password)

    def run(s: Session) -> None:
        if not _rowcount(s.execute(update(User).where(User.name == name).values(password_hash=hashed))):
            raise NotFound(f"name: no user {name!r}")
        _end_sessions(s, name)
        _audit(s, actor, "user.password")

    registry._write(run)


def set_role(registry: Registry, name: str, role: str, actor: str = "cli") -> None:
    """Another role; the user's web sessions end (they log in again under the new role). Raises NotFound."""
    _check_role(role)

    def run(s: Session) -> None:
        if not _rowcount(s.execute(update(User).where(User.name == name).values(role=role))):
            raise NotFound(f"name: no user {name!r}")
        _end_sessions(s, name)
        _audit(s, actor, f"user.role.{role}")

    registry._write(run)


def set_disabled(registry: Registry, name: str, disabled: bool, actor: str = "cli") -> None:
    """Disable (its web sessions end at once; its API tokens stop working) or enable a user. Raises NotFound."""
    def run(s: Session) -> None:
        if not _rowcount(s.execute(update(User).where(User.name == name).values(disabled=disabled))):
            raise NotFound(f"name: no user {name!r}")
        if disabled:
            _end_sessions(s, name)
        _audit(s, actor, "user.disable" if disabled else "user.enable")

    registry._write(run)


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _token_info(t: ApiToken, user_name: str) -> TokenInfo:
    return TokenInfo(t.id, user_name, t.name, _utc(t.created_at) or t.created_at, _utc(t.last_used_at),
                     _utc(t.revoked_at))


TOKEN_PREFIX = "myo_"


def create_token(registry: Registry, user_name: str, token_name: str, actor: str = "cli") -> tuple[TokenInfo, str]:
    """A new API token for the user: (its info, the secret). The secret (``myo_`` and 43 URL-safe characters) is
    shown once; only its sha256 is stored (it is random, so a slow hash adds nothing)."""
    token_name = _check_name(token_name, "token name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)

    def run(s: Session) -> TokenInfo:
        u = s.execute(select(User).where(User.name == user_name)).scalar_one_or_none()
        if u is None:
            raise NotFound(f"user: no user {user_name!r}")
        t = ApiToken(user_id=u.id, name=token_name, token_hash=_token_hash(secret), created_at=_now())
        s.add(t)
        s.flush()
        _audit(s, actor, "token.create")
        return _token_info(t, u.name)

    return registry._write(run), secret


def verify_token(registry: Registry, secret: str) -> UserInfo | None:
    """The token's user when the secret matches a token that is not revoked and the user is not disabled (the
    token's last use is then updated), else None."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    h = _token_hash(secret)
    with registry.db.read() as s:
        row = s.execute(select(ApiToken.id, ApiToken.revoked_at, User).join(User, User.id == ApiToken.user_id)
                        .where(ApiToken.token_hash == h)).first()
    if row is None or row[1] is not None or row[2].disabled:
        return None
    tid = row[0]
    registry._write(lambda s: s.execute(update(ApiToken).where(ApiToken.id == tid).values(last_used_at=_now())))
    return _user_info(row[2])


def revoke_token(registry: Registry, token_id: int, actor: str = "cli") -> None:
    """Revoke a token (it stays listed, with the time of revocation). Raises NotFound."""
    def run(s: Session) -> None:
        t = s.get(ApiToken, token_id)
        if t is None:
            raise NotFound(f"token: no token {token_id}")
        if t.revoked_at is None:
            t.revoked_at = _now()
            _audit(s, actor, "token.revoke")

    registry._write(run)


def list_tokens(registry: Registry, user_name: str | None = None) -> list[TokenInfo]:
    q = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if user_name is not None:
        q = q.where(User.name == user_name)
    with registry.db.read() as s:
        return [_token_info(t, n) for t, n in s.execute(q)]


# --- web sessions (migration 0002) ------------------------------------------------------------------------

#: ``last_seen_at`` is written at most this often per session (a request within it reads, never writes)
SESSION_TOUCH_SECONDS = 60
_MAX_SESSION_TOKEN = 200


@dataclass(frozen=True)
class SessionInfo:
    """A live session: its user (as now stored: role and name current), and its times (UTC)."""

    user: UserInfo
    created_at: dt.datetime
    last_seen_at: dt.datetime
    idle_expires_at: dt.datetime
    expires_at: dt.datetime


def _session_hash(token: str) -> str:
    """What the registry keeps of a session token: its SHA-256, hex (myoclass.web.auth.digest is the same)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _end_sessions(s: Session, user: int | str) -> int:
    """Delete every session of a user (by id or name), inside the caller's transaction."""
    uid = select(User.id).where(User.id == user if isinstance(user, int) else User.name == user).scalar_subquery()
    return _rowcount(s.execute(delete(WebSession).where(WebSession.user_id == uid)))


def create_session(registry: Registry, user_id: int, *, lifetime_seconds: float, idle_seconds: float,
                   now: dt.datetime | None = None) -> str:
    """A new session of the user (by id): returns its token (256 random bits, URL-safe text), which is never
    stored: the registry keeps its SHA-256. The session ends ``lifetime_seconds`` after ``now`` (absolute) or
    ``idle_seconds`` after its last request. Raises NotFound for an unknown user, RegistryError for a disabled
    one or a lifetime below one second."""
    if lifetime_seconds < 1 or idle_seconds < 1:
        raise RegistryError("session lifetimes: allowed: at least 1 second")
    token = secrets.token_urlsafe(32)
    at = now or _now()
    end = at + dt.timedelta(seconds=lifetime_seconds)

    def run(s: Session) -> None:
        u = s.get(User, user_id)
        if u is None:
            raise NotFound(f"user: no user with id {user_id}")
        if u.disabled:
            raise RegistryError(f"user: {u.name!r} is disabled")
        s.add(WebSession(token_hash=_session_hash(token), user_id=user_id, created_at=at, last_seen_at=at,
                         idle_seconds=max(1, round(idle_seconds)),
                         idle_expires_at=min(at + dt.timedelta(seconds=idle_seconds), end),
                         expires_at=end))

    registry._write(run)
    return token


def lookup_session(registry: Registry, token: str, *, now: dt.datetime | None = None) -> SessionInfo | None:
    """The live session of ``token``, or None when there is none: unknown or revoked (logged out), past its
    absolute end, idle too long, or its user disabled (an ended session found here is deleted). Marks the session
    used, writing ``last_seen_at`` at most once a minute (:data:`SESSION_TOUCH_SECONDS`) so that most requests
    only read; idleness is therefore measured to the minute."""
    if not isinstance(token, str) or not token or len(token) > _MAX_SESSION_TOKEN:
        return None
    h = _session_hash(token)
    at = now or _now()
    with registry.db.read() as s:
        row = s.execute(select(WebSession, User).join(User, User.id == WebSession.user_id)
                        .where(WebSession.token_hash == h)).first()
    if row is None:
        return None
    sess, user = row
    created, seen = _utc(sess.created_at) or at, _utc(sess.last_seen_at) or at
    idle_end, end = _utc(sess.idle_expires_at) or at, _utc(sess.expires_at) or at
    if user.disabled or at >= end or at >= idle_end:
        registry._write(lambda s: s.execute(delete(WebSession).where(WebSession.token_hash == h)))
        return None
    if (at - seen).total_seconds() >= SESSION_TOUCH_SECONDS:
        seen, idle_end = at, min(at + dt.timedelta(seconds=sess.idle_seconds), end)
        registry._write(lambda s: s.execute(
            update(WebSession).where(WebSession.token_hash == h, WebSession.last_seen_at < at)
            .values(last_seen_at=at, idle_expires_at=idle_end)))
    return SessionInfo(_user_info(user), created, seen, idle_end, end)


def revoke_session(registry: Registry, token: str) -> bool:
    """End a session (logout): its row is deleted, so the token stops working in every server process at once.
    Returns whether there was one."""
    if not isinstance(token, str) or not token or len(token) > _MAX_SESSION_TOKEN:
        return False
    h = _session_hash(token)
    return bool(registry._write(lambda s: _rowcount(s.execute(delete(WebSession).where(WebSession.token_hash == h)))))


def revoke_user_sessions(registry: Registry, user: int | str) -> int:
    """End every session of a user (by id or name); returns how many. :func:`set_disabled` (disabling),
    :func:`set_password` and :func:`set_role` do this themselves, in their own transaction."""
    return registry._write(lambda s: _end_sessions(s, user))


def purge_expired_sessions(registry: Registry, *, now: dt.datetime | None = None) -> int:
    """Delete every ended session (past its absolute end or idle limit, or of a disabled user); returns how many.
    The web app runs it at each login, so the table holds live sessions and recent leftovers only."""
    at = now or _now()
    disabled = select(User.id).where(User.disabled.is_(True))
    return registry._write(lambda s: _rowcount(s.execute(
        delete(WebSession).where(or_(WebSession.expires_at <= at, WebSession.idle_expires_at <= at,
                                     WebSession.user_id.in_(disabled))))))


def count_sessions(registry: Registry, user: int | str | None = None) -> int:
    """How many session rows there are (of one user, by id or name), ended ones not yet purged included."""
    q = select(func.count()).select_from(WebSession)
    if user is not None:
        q = q.join(User, User.id == WebSession.user_id).where(User.id == user if isinstance(user, int)
                                                                else User.name == user)
    with registry.db.read() as s:
        return int(s.execute(q).scalar_one())


# --- login throttling ---------------------------------------------------------------------------------

#: failed logins allowed before the waits begin; then ``LOGIN_BASE_SECONDS * 2**(n - LOGIN_FREE)`` seconds after
#: the n-th failure (at most ``LOGIN_CAP_SECONDS``); failures older than ``LOGIN_WINDOW_SECONDS`` (and past their
#: wait) are forgotten
LOGIN_FREE = 5
LOGIN_BASE_SECONDS = 2.0
LOGIN_CAP_SECONDS = 900.0
LOGIN_WINDOW_SECONDS = 900.0
_THROTTLE_KIND = ("user", "addr")
_HEX = frozenset("0123456789abcdef")


def login_throttle_key(kind: Literal["user", "addr"], value: str) -> str:
    """The throttle key of a user name (``kind="user"``; stripped and lower-cased first) or of a client address
    (``"addr"``): the kind and the SHA-256 (hex) of the value, so the registry never stores the name or the
    address."""
    if kind not in _THROTTLE_KIND:
        raise RegistryError(f"kind: {kind!r} is not allowed; allowed: {', '.join(_THROTTLE_KIND)}")
    v = value.strip().lower() if kind == "user" else value
    return f"{kind}:{hashlib.sha256(v.encode('utf-8')).hexdigest()}"


def _throttle_keys(keys: Iterable[str]) -> list[str]:
    out = sorted(set(keys))  # one order everywhere: two concurrent writers lock the rows alike, never deadlock
    for k in out:
        kind, _sep, h = k.partition(":")
        if kind not in _THROTTLE_KIND or len(h) != 64 or not set(h) <= _HEX:
            raise RegistryError("keys: allowed: keys made by login_throttle_key (a kind and a SHA-256), never a "
                                "plain user name or address")
    return out


def login_delay(failures: int, *, free: int = LOGIN_FREE, base: float = LOGIN_BASE_SECONDS,
                cap: float = LOGIN_CAP_SECONDS) -> float:
    """Seconds to wait after the ``failures``-th failure in a row: 0 below ``free``, then ``base``, twice that,
    and so on, at most ``cap``."""
    if failures < free:
        return 0.0
    k = failures - free
    return cap if k >= 60 else min(cap, base * 2.0 ** k)


def login_wait(registry: Registry, keys: Iterable[str], *, now: dt.datetime | None = None) -> int:
    """Whole seconds before a login attempt with these throttle keys may go ahead (the longest wait of any key,
    rounded up, at least 1), 0 when it may go ahead now. One indexed read."""
    ks = _throttle_keys(keys)
    if not ks:
        return 0
    at = now or _now()
    with registry.db.read() as s:
        until = s.execute(select(func.max(LoginThrottleEntry.locked_until))
                          .where(LoginThrottleEntry.key.in_(ks))).scalar_one_or_none()
    until = _utc(until)
    if until is None or until <= at:
        return 0
    return max(1, int((until - at).total_seconds() + 0.999))


def record_login_failure(registry: Registry, keys: Iterable[str], *, now: dt.datetime | None = None,
                         free: int = LOGIN_FREE, base: float = LOGIN_BASE_SECONDS, cap: float = LOGIN_CAP_SECONDS,
                         window: float = LOGIN_WINDOW_SECONDS) -> dict[str, int]:
    """Count one failed login against each key, in one transaction: an ``INSERT ... ON CONFLICT DO UPDATE``
    (atomic on SQLite and PostgreSQL, so concurrent failures in any number of processes are all counted), then the
    key's ``locked_until`` from its new count (:func:`login_delay`). A key whose last failure is more than
    ``window`` seconds ago and whose wait is over starts again from 1. Returns each key's failures now."""
    ks = _throttle_keys(keys)
    at = now or _now()
    t = cast(Table, LoginThrottleEntry.__table__)
    stale = and_(t.c.last_failure_at < at - dt.timedelta(seconds=window),
                 or_(t.c.locked_until.is_(None), t.c.locked_until < at))

    def run(s: Session) -> dict[str, int]:
        counts: dict[str, int] = {}
        for k in ks:
            ins = registry._insert(t).values(key=k, failures=1, first_failure_at=at, last_failure_at=at,
                                              locked_until=None)
            n = int(s.execute(ins.on_conflict_do_update(index_elements=["key"], set_={
                "failures": case((stale, 1), else_=t.c.failures + 1),
                "first_failure_at": case((stale, ins.excluded.first_failure_at), else_=t.c.first_failure_at),
                "last_failure_at": ins.excluded.last_failure_at,
                "locked_until": case((stale, None), else_=t.c.locked_until),
            }).returning(t.c.failures)).scalar_one())
            delay = login_delay(n, free=free, base=base, cap=cap)
            if delay > 0:
                s.execute(update(t).where(t.c.key == k).values(locked_until=at + dt.timedelta(seconds=delay)))
            counts[k] = n
        return counts

    return registry._write(run)


def clear_login_failures(registry: Registry, keys: Iterable[str]) -> int:
    """Forget the failures of these keys (a successful login clears its user name's key); returns how many rows
    were deleted."""
    ks = _throttle_keys(keys)
    if not ks:
        return 0
    return registry._write(lambda s: _rowcount(s.execute(delete(LoginThrottleEntry)
                                                         .where(LoginThrottleEntry.key.in_(ks)))))


def purge_login_failures(registry: Registry, older_than: dt.datetime | None = None, *,
                         now: dt.datetime | None = None) -> int:
    """Delete the throttle rows whose last failure and wait both ended before ``older_than`` (default: the
    window, :data:`LOGIN_WINDOW_SECONDS`, before ``now``): they count for nothing any more. Returns how many."""
    cutoff = older_than or (now or _now()) - dt.timedelta(seconds=LOGIN_WINDOW_SECONDS)
    e = LoginThrottleEntry
    return registry._write(lambda s: _rowcount(s.execute(
        delete(e).where(e.last_failure_at < cutoff, or_(e.locked_until.is_(None), e.locked_until < cutoff)))))


def count_login_failures(registry: Registry, key: str) -> int:
    """How many failures in a row are stored for one throttle key (0: none); for tests and diagnostics."""
    (k,) = _throttle_keys([key])
    with registry.db.read() as s:
        n = s.execute(select(LoginThrottleEntry.failures).where(LoginThrottleEntry.key == k)).scalar_one_or_none()
    return int(n or 0)


def record_audit(registry: Registry, actor: str, action: str, *, patient_code: str | None = None,
                 visit_date: dt.date | None = None, counts: Mapping[str, int] | None = None) -> None:
    """Append one line to the audit log (e.g. the web app's ``login``, ``login.failed``, ``export``).
    Never pass clinical values."""
    registry._write(lambda s: _audit(s, actor, action, patient_code, visit_date, counts))


def audit_entries(registry: Registry, limit: int = 200) -> list[AuditRecord]:
    """The newest ``limit`` lines of the audit log, newest first."""
    with registry.db.read() as s:
        rows = s.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).scalars().all()
        return [AuditRecord(e.id, _utc(e.at) or e.at, e.actor, e.action, e.patient_code, e.visit_date,
                            json.loads(e.counts) if e.counts else None) for e in rows]
