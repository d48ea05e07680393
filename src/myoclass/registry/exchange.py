"""Export, backup and restore (called through :mod:`myoclass.registry.service`).

**Export**: one row per visit, ordered by patient code and date. Columns: ``patient_code``, ``visit_date``,
the visit's measures (``ck_u_l``, ``ck_uln_u_l``, ``ck_x_uln``, ``mmt8_total``, ``mmt_scale``, ``mmt8_grades``
(JSON), ``haq``, ``physician_global``, ``patient_global``, ``extramuscular``), the TIS against the patient's
first visit (``tis``, ``tis_min``, ``tis_max``, ``tis_category``), ``treatments`` (JSON: those running on the
date), the stored assessment (``label``, ``leading_label``, ``leading_probability``, ``differential`` (JSON),
``myoclass_version``, ``criteria_versions`` (JSON), ``model_version``, ``input_hash``), then every other key
of the data dictionary. CSV text cells are written inert (no spreadsheet formulas). FHIR: JSON Lines, one
Bundle per visit (the findings as FHIR resources and the assessment, as ``myoclass assess --format fhir``).

**Dump** (backup of any back end): JSON Lines in UTF-8. Line 1 is the header ``{"format":
"myoclass-registry-dump", "format_version": 1, "schema_revision", "myoclass", "created_at", "tables": {table:
rows}}``; then one line per row ``{"t": table, "r": {column: value}}`` in the order of ``TABLES`` (dates and
times as ISO 8601 text, times in UTC); the last line ``{"end": true, "rows": N, "sha256": ...}``, the sha256
of every line before it, so a cut or edited dump is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import Connection, Date, DateTime, Table, create_engine, select, text
from sqlalchemy.exc import SQLAlchemyError

from myoclass import __version__
from myoclass.errors import InvalidCase, MissingExtra, RegistryError, RegistryNotEmpty
from myoclass.followup import total_improvement_score
from myoclass.model.fields import FIELDS
from myoclass.registry.db import head_revision, sqlite_path_of
from myoclass.registry.models import Base

if TYPE_CHECKING:
    from myoclass.registry.service import Registry

__all__ = ["DUMP_FORMAT", "EXPORT_COLUMNS", "RESTORABLE_REVISIONS", "TABLES", "backup", "export", "restore"]

DUMP_FORMAT = "myoclass-registry-dump"
#: the tables of a dump, parents before children. ``sessions`` (web logins, migration 0002) is left out on
#: purpose: a restored registry starts with no one logged in, and no backup holds a live session's hash; so is
#: ``login_throttle`` (failed-login counts, migration 0003): short-lived state of the running server, not data
TABLES = ("registry_settings", "patients", "visits", "treatments", "assessments", "users", "api_tokens", "audit_log")
#: tables a SQLite-file backup empties (they are not backed up, see TABLES)
_NOT_BACKED_UP = ("sessions", "login_throttle")
#: the schema revisions whose backups restore here: revisions 0002 and 0003 added only ``sessions`` and
#: ``login_throttle``, which are not backed up, so a backup of revision 0001 holds the same tables
RESTORABLE_REVISIONS = ("0001", "0002", "0003")
_VISIT_COLUMNS = ("patient_code", "visit_date", "ck_u_l", "ck_uln_u_l", "ck_x_uln", "mmt8_total", "mmt_scale",
                  "mmt8_grades", "haq", "physician_global", "patient_global", "extramuscular", "tis", "tis_min", "tis_max",
                  "tis_category", "treatments", "label", "leading_label", "leading_probability", "differential",
                  "myoclass_version", "criteria_versions", "model_version", "input_hash")
EXPORT_COLUMNS = _VISIT_COLUMNS + tuple(k for k in FIELDS if k not in ("ck_u_l", "ck_uln_u_l"))
_SQLITE_SUFFIXES = (".sqlite3", ".sqlite", ".db")


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


# --- export ---------------------------------------------------------------------------------------------

def _measures(v: Mapping[str, Any]) -> dict[str, Any]:
    m = {"physician_global": v["physician_global"], "patient_global": v["patient_global"],
         "extramuscular": v["extramuscular"], "haq": v["haq"], "mmt": v["mmt8_total"], "enzyme_u_l": v["ck_u_l"],
         "enzyme_uln_u_l": v["ck_uln_u_l"], "enzyme_name": "ck"}
    if v["mmt_scale"]:
        m["mmt_scale"] = v["mmt_scale"]
    return m


def _visits(registry: Registry) -> Iterator[dict[str, Any]]:
    """Every visit joined with its patient, assessment and treatments, by patient code and date."""
    p, v, a, t = _table("patients"), _table("visits"), _table("assessments"), _table("treatments")
    with registry.db.read() as s:
        treatments: dict[int, list[dict[str, Any]]] = {}
        for tr in s.execute(select(t).order_by(t.c.patient_id, t.c.start_date, t.c.agent)).mappings():
            treatments.setdefault(tr["patient_id"], []).append(dict(tr))
        q = (select(p.c.patient_code, v, a.c.assessment_json, a.c.label, a.c.leading_label, a.c.leading_probability,
                    a.c.myoclass_version, a.c.criteria_versions, a.c.model_version, a.c.input_hash)
             .select_from(v).join(p, p.c.id == v.c.patient_id).outerjoin(a, a.c.visit_id == v.c.id)
             .order_by(p.c.patient_code, v.c.visit_date))
        rows = [dict(r) for r in s.execute(q).mappings()]
    baseline: dict[int, dict[str, Any]] = {}
    for r in rows:
        r["treatment_rows"] = [x for x in treatments.get(r["patient_id"], [])
                               if x["start_date"] <= r["visit_date"] and (x["stop_date"] is None
                                                                         or x["stop_date"] >= r["visit_date"])]
        first = baseline.setdefault(r["patient_id"], r)
        r["tis_result"] = None
        if first is not r:
            with contextlib.suppress(InvalidCase):
                r["tis_result"] = total_improvement_score(_measures(first), _measures(r))
        yield r


def _row(r: Mapping[str, Any], key: bytes | None) -> dict[str, Any]:
    from myoclass.registry.service import date_shift, pseudonym

    code = r["patient_code"]
    shift = date_shift(key, code) if key else dt.timedelta(0)
    findings = json.loads(r["findings_json"])
    if key:
        findings.pop("case_id", None)
    tis = r["tis_result"] or {}
    ck, uln = r["ck_u_l"], r["ck_uln_u_l"]
    out: dict[str, Any] = {
        "patient_code": pseudonym(key, code) if key else code,
        "visit_date": (r["visit_date"] + shift).isoformat(),
        "ck_u_l": ck, "ck_uln_u_l": uln, "ck_x_uln": None if ck is None or not uln else round(ck / uln, 4),
        "mmt8_total": r["mmt8_total"], "mmt_scale": r["mmt_scale"], "mmt8_grades": r["mmt8_json"],
        "haq": r["haq"], "physician_global": r["physician_global"], "patient_global": r["patient_global"],
        "extramuscular": r["extramuscular"], "tis": tis.get("tis"), "tis_min": tis.get("tis_min"),
        "tis_max": tis.get("tis_max"), "tis_category": tis.get("category"),
        "treatments": json.dumps([{"agent": t["agent"], "class": t["treatment_class"],
                                   "start": (t["start_date"] + shift).isoformat(),
                                   "stop": None if t["stop_date"] is None else (t["stop_date"] + shift).isoformat()}
                                  for t in r["treatment_rows"]], sort_keys=True),
        "label": r["label"], "leading_label": r["leading_label"], "leading_probability": r["leading_probability"],
        "differential": json.dumps(json.loads(r["assessment_json"]).get("differential") if r["assessment_json"] else None,
                                   sort_keys=True),
        "myoclass_version": r["myoclass_version"], "criteria_versions": r["criteria_versions"],
        "model_version": r["model_version"], "input_hash": r["input_hash"],
    }
    for k in EXPORT_COLUMNS[len(_VISIT_COLUMNS):]:
        out[k] = findings.get(k)
    return out


def _csv_bytes(rows: list[dict[str, Any]], inert_text: Any) -> Iterator[bytes]:
    import csv

    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPORT_COLUMNS)
    for r in rows:
        cells = []
        for k in EXPORT_COLUMNS:
            v = r[k]
            cells.append("" if v is None else "true" if v is True else "false" if v is False
                         else inert_text(v) if isinstance(v, str) else repr(v) if isinstance(v, float) else str(v))
        w.writerow(cells)
        if buf.tell() > 1 << 16:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def _parquet(rows: list[dict[str, Any]], out: BinaryIO) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    for k in EXPORT_COLUMNS:
        spec = FIELDS.get(k)
        if k in ("visit_date",):
            typ = pa.date32()
        elif spec is not None and spec.kind == "bool":
            typ = pa.bool_()
        elif (spec is not None and spec.kind == "number") or k in (
                "ck_x_uln", "mmt8_total", "haq", "physician_global", "patient_global", "extramuscular", "tis", "tis_min",
                "tis_max", "leading_probability"):
            typ = pa.float64()
        else:
            typ = pa.string()
        fields.append(pa.field(k, typ))
    schema = pa.schema(fields)
    cols = {f.name: [r[f.name] for r in rows] for f in fields}
    cols["visit_date"] = [dt.date.fromisoformat(d) for d in cols["visit_date"]]
    for f in fields:
        if f.type == pa.float64():
            cols[f.name] = [None if x is None else float(x) for x in cols[f.name]]
    table = pa.table(cols, schema=schema)
    pq.write_table(table, out)


def _fhir_lines(rows: list[dict[str, Any]], source: list[dict[str, Any]], key: bytes | None) -> Iterator[bytes]:
    from myoclass.io.fhir import case_to_resources
    from myoclass.io.fhir.assessment import assessment_bundle
    from myoclass.io.inputs import chart_bundle

    for r, src in zip(rows, source, strict=True):
        findings = {k: v for k, v in json.loads(src["findings_json"]).items() if not (key and k == "case_id")}
        day = dt.date.fromisoformat(r["visit_date"])
        resources = case_to_resources(findings, today=day, patient_id=r["patient_code"])
        bundle: dict[str, Any]
        if src["assessment_json"]:
            a = json.loads(src["assessment_json"])
            if key:
                a["case_id"] = None
            refs = [f"{x['resourceType']}/{x['id']}" for x in resources if x.get("resourceType") != "Patient"]
            try:
                bundle = assessment_bundle(a, resources=resources, evidence=refs,
                                           now=dt.datetime.combine(day, dt.time(), dt.UTC))
            except ValueError:
                bundle = chart_bundle(resources)
        else:
            bundle = chart_bundle(resources)
        yield (json.dumps(bundle, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def export(registry: Registry, fmt: str, dest: Path | BinaryIO, key: bytes | None) -> int:
    try:
        from myoclass.batch.output import Staged, inert_text
    except ImportError as e:
        raise MissingExtra(f"export needs the 'batch' extra (pyarrow): pip install 'myoclass[batch]' ({e.name} "
                           "is missing)") from None
    source = list(_visits(registry))
    rows = [_row(r, key) for r in source]
    if key:  # the pseudonymised export is ordered by its own codes and dates (the original order would leak them)
        order = sorted(range(len(rows)), key=lambda i: (rows[i]["patient_code"], rows[i]["visit_date"]))
        rows, source = [rows[i] for i in order], [source[i] for i in order]

    def write(out: BinaryIO) -> None:
        if fmt == "csv":
            for chunk in _csv_bytes(rows, inert_text):
                out.write(chunk)
        elif fmt == "parquet":
            _parquet(rows, out)
        else:
            for line in _fhir_lines(rows, source, key):
                out.write(line)

    if isinstance(dest, Path):
        if dest.is_dir():
            raise RegistryError(f"output: {dest} is a directory; allowed: a file path or - (standard output)")
        staged = Staged([dest])
        try:
            with open(staged.temp(dest), "wb") as f:
                write(f)
            staged.commit()
        except BaseException:
            staged.discard()
            raise
    else:
        write(dest)
        dest.flush()
    return len(rows)


# --- dump: backup and restore ----------------------------------------------------------------------------

def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return (v.replace(tzinfo=dt.UTC) if v.tzinfo is None else v.astimezone(dt.UTC)).isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _dump_rows(conn: Connection) -> Iterator[tuple[str, dict[str, Any]]]:
    for name in TABLES:
        t = _table(name)
        order = t.c.key if name == "registry_settings" else t.c.id
        for r in conn.execute(select(t).order_by(order)).mappings():
            yield name, {k: _jsonable(v) for k, v in r.items()}


def _fsync_dir(d: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _staged_write(dest: Path, fill: Any) -> None:
    """``fill(temp_path)`` then fsync and rename into place (a hidden temporary name beside ``dest``)."""
    if dest.is_dir():
        raise RegistryError(f"DEST: {dest} is a directory; allowed: a file path")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".myoclass-tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        fill(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def backup(registry: Registry, dest: Path) -> int:
    src = sqlite_path_of(registry.db.url) if registry.backend == "sqlite" else None
    if src is not None and dest.suffix.lower() in _SQLITE_SUFFIXES:
        if dest.resolve() == src.resolve():
            raise RegistryError(f"DEST: {dest} is the registry itself; allowed: another file")

        def fill_sqlite(tmp: Path) -> None:
            tmp.unlink()
            with contextlib.closing(sqlite3.connect(src, timeout=30)) as s, \
                    contextlib.closing(sqlite3.connect(tmp)) as d:
                s.backup(d)  # a consistent snapshot, even while others write
                d.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                d.execute("PRAGMA secure_delete = ON")  # the pages freed are zeroed: no session hash stays
                for name in _NOT_BACKED_UP:  # sessions and the login throttle are not backed up (see TABLES)
                    if d.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                 (name,)).fetchone():
                        d.execute(f"DELETE FROM {name}")
                d.commit()

        _staged_write(dest, fill_sqlite)
        with contextlib.closing(sqlite3.connect(f"file:{dest}?mode=ro", uri=True)) as c:
            return sum(int(c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES)

    count = 0

    def fill_dump(tmp: Path) -> None:
        nonlocal count
        digest = hashlib.sha256()
        with registry.db.engine.connect() as conn, open(tmp, "wb") as f:
            if registry.backend == "postgresql":  # one snapshot for every table
                conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            counts = {name: int(conn.execute(_count(name)).scalar_one()) for name in TABLES}
            header = {"format": DUMP_FORMAT, "format_version": 1, "schema_revision": head_revision(),
                      "myoclass": __version__, "created_at": dt.datetime.now(dt.UTC).isoformat(), "tables": counts}
            lines = [header, *({"t": t, "r": r} for t, r in _dump_rows(conn))]
            for obj in lines:
                b = (json.dumps(obj, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
                digest.update(b)
                f.write(b)
            count = len(lines) - 1
            if count != sum(counts.values()):  # SQLite: the read transaction holds one snapshot as well
                raise RegistryError("the registry changed while it was dumped; run the backup again")
            f.write((json.dumps({"end": True, "rows": count, "sha256": digest.hexdigest()}) + "\n").encode("utf-8"))
            conn.rollback()

    _staged_write(dest, fill_dump)
    return count


def _count(name: str) -> Any:
    from sqlalchemy import func

    return select(func.count()).select_from(_table(name))


def _restorable() -> tuple[str, ...]:
    head = head_revision()
    return RESTORABLE_REVISIONS if head in RESTORABLE_REVISIONS else (*RESTORABLE_REVISIONS, head)


def _read_dump(src: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        raw = src.read_bytes()
    except OSError as e:
        raise RegistryError(f"SRC: cannot read {src}: {e.strerror or e}") from None
    lines = raw.splitlines(keepends=True)
    bad = f"SRC: {src} is not a complete myoclass registry dump"
    if not lines:
        raise RegistryError(f"{bad} (empty)")
    try:
        header = json.loads(lines[0])
        end = json.loads(lines[-1])
    except ValueError:
        raise RegistryError(f"{bad} (not JSON Lines); allowed: a file written by `myoclass registry backup`") from None
    if not isinstance(header, dict) or header.get("format") != DUMP_FORMAT:
        raise RegistryError(f"{bad}; allowed: a file written by `myoclass registry backup`")
    if header.get("format_version") != 1:
        raise RegistryError(f"SRC: dump format version {header.get('format_version')!r} is not supported; allowed: 1")
    if header.get("schema_revision") not in _restorable():
        raise RegistryError(f"SRC: the dump has schema revision {header.get('schema_revision')!r}; this myoclass "
                            f"restores revisions {', '.join(_restorable())}")
    if not isinstance(end, dict) or end.get("end") is not True:
        raise RegistryError(f"{bad} (it is cut short: no end line)")
    digest = hashlib.sha256()
    for b in lines[:-1]:
        digest.update(b)
    if digest.hexdigest() != end.get("sha256") or end.get("rows") != len(lines) - 2:
        raise RegistryError(f"{bad} (its checksum does not match: it was cut or edited)")
    out = []
    for b in lines[1:-1]:
        obj = json.loads(b)
        if obj.get("t") not in TABLES or not isinstance(obj.get("r"), dict):
            raise RegistryError(f"{bad} (a row of an unknown table)")
        out.append((obj["t"], obj["r"]))
    return out


def _read_sqlite(src: Path) -> list[tuple[str, dict[str, Any]]]:
    eng = create_engine(f"sqlite:///file:{src}?mode=ro&uri=true")
    try:
        with eng.connect() as conn:
            rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
            if rev not in _restorable():
                raise RegistryError(f"SRC: the backup has schema revision {rev!r}; this myoclass restores "
                                    f"revisions {', '.join(_restorable())}")
            return [(t, r) for t, r in _dump_rows(conn)]
    except SQLAlchemyError as e:
        raise RegistryError(f"SRC: {src} is not a readable registry backup ({str(getattr(e, 'orig', e))[:200]})") from None
    finally:
        eng.dispose()


def _typed(t: Table, r: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in r.items():
        if k not in t.c:
            raise RegistryError(f"SRC: table {t.name} has no column {k!r}")
        typ = t.c[k].type
        if v is not None and isinstance(typ, DateTime):
            v = dt.datetime.fromisoformat(v)
        elif v is not None and isinstance(typ, Date):
            v = dt.date.fromisoformat(v)
        out[k] = v
    return out


def _is_empty(conn: Connection) -> bool:
    return all(conn.execute(_count(n)).scalar_one() == 0 for n in TABLES if n != "registry_settings")


def restore(registry: Registry, src: Path, force: bool) -> int:
    try:
        with open(src, "rb") as f:
            magic = f.read(16)
    except OSError as e:
        raise RegistryError(f"SRC: cannot read {src}: {e.strerror or e}") from None
    rows = _read_sqlite(src) if magic == b"SQLite format 3\x00" else _read_dump(src)
    with registry.db.write_connection() as conn:
        if not _is_empty(conn):
            if not force:
                raise RegistryNotEmpty("the registry holds data; restoring replaces all of it (the audit log "
                                       "included): use --force (force=True) to do so")
            _clear(registry, conn)
        else:
            for name in ("registry_settings",):
                conn.execute(_table(name).delete())
        by_table: dict[str, list[dict[str, Any]]] = {n: [] for n in TABLES}
        for name, r in rows:
            by_table[name].append(_typed(_table(name), r))
        for name in TABLES:
            batch = by_table[name]
            for i in range(0, len(batch), 1000):
                conn.execute(_table(name).insert(), batch[i:i + 1000])
        if registry.backend == "postgresql":
            for name in TABLES:
                if name != "registry_settings":
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))
    return len(rows)


def _clear(registry: Registry, conn: Connection) -> None:
    """Empty every table, the append-only audit log included: its triggers are lifted for this transaction only
    (restored before it commits: a failure anywhere rolls the whole restore back, triggers included)."""
    if registry.backend == "postgresql":
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    else:
        triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                                     "tbl_name = 'audit_log'")).all()
        for name, _sql in triggers:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
    conn.execute(_table("sessions").delete())  # everyone logged in to the replaced registry is logged out
    for name in reversed(TABLES):
        conn.execute(_table(name).delete())
    if registry.backend == "postgresql":
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    else:
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)
