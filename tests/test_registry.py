"""The registry (issue 15): persistence, the service layer and the CLI, the same suite on SQLite and on PostgreSQL
(a real server: scripts/pg-test-server, or MYOCLASS_TEST_DATABASE_URL)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from _registry import BACKENDS, database_url, visit_rows, write_jsonl

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from myoclass.cli import app
from myoclass.errors import InvalidCase, NotFound, RegistryError, RegistryNotEmpty, UnknownColumn
from myoclass.registry import service as S
from myoclass.registry.models import Assessment as AssessmentRow
from myoclass.registry.models import AuditEntry, Base, Patient, Treatment, Visit, WebSession

runner = CliRunner()


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as u:
        yield u


@pytest.fixture
def reg(url: str) -> Iterator[S.Registry]:
    r = S.open_registry(url, batch_size=50)
    yield r
    r.close()


def _count(reg: S.Registry, model: Any) -> int:
    with reg.db.read() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def _export_text(reg: S.Registry, tmp_path: Path, fmt: str = "csv", pseudonymise: bool = False) -> str:
    out = tmp_path / f"export-{fmt}-{pseudonymise}.{'jsonl' if fmt == 'fhir' else fmt}"
    S.export(reg, fmt, out, pseudonymise=pseudonymise)
    return out.read_text(encoding="utf-8")


# --- schema -------------------------------------------------------------------------------------------

def test_the_migrations_create_what_the_models_describe(reg: S.Registry) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with reg.db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # unique constraints reflect under their own names on SQLite; compare tables and columns
    assert [d for d in diffs if d[0] in ("add_table", "remove_table", "add_column", "remove_column")] == []
    assert reg.db.revision() == "0003"
    S.open_registry(reg.db.url).close()  # opening again migrates nothing and fails nothing


def test_sqlite_settings(tmp_path: Path) -> None:
    r = S.open_registry(f"sqlite:///{tmp_path / 'sub' / 'r.sqlite3'}")
    with r.db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    r.close()
    assert (tmp_path / "sub" / "r.sqlite3").exists()


def test_a_new_sqlite_registry_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """In a folder that already exists and others may read (MYOCLASS_DATA_DIR), the new file and its journal are
    0600 (a researcher's review found 0644); an existing file keeps its mode."""
    import os
    import stat

    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    r = S.open_registry(f"sqlite:///{folder / 'registry.sqlite3'}")
    r.close()
    for f in folder.iterdir():
        if f.name.startswith("registry.sqlite3"):
            assert stat.S_IMODE(f.stat().st_mode) & 0o077 == 0, (f.name, oct(f.stat().st_mode))
    old = tmp_path / "old.sqlite3"
    old.touch(mode=0o640)
    os.chmod(old, 0o640)
    S.open_registry(f"sqlite:///{old}").close()
    assert stat.S_IMODE(old.stat().st_mode) == 0o640


def test_the_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MYOCLASS_DATABASE_URL", raising=False)
    monkeypatch.setenv("MYOCLASS_DATA_DIR", str(tmp_path / "data"))
    assert S.default_url() == f"sqlite:///{tmp_path / 'data' / 'registry.sqlite3'}"
    monkeypatch.delenv("MYOCLASS_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert S.default_url().endswith("/xdg/myoclass/registry.sqlite3")
    monkeypatch.setenv("MYOCLASS_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert S.default_url() == "postgresql+psycopg://u@h/db"


# --- import -------------------------------------------------------------------------------------------

def test_import_keeps_good_rows_and_rejects_bad_ones_with_their_line(reg: S.Registry, tmp_path: Path) -> None:
    rows = visit_rows(4, 2)
    lines = [json.dumps(r) for r in rows]
    lines.insert(2, json.dumps({**rows[0], "patient_code": "John Smith"}))  # line 3
    lines.insert(4, "")  # line 5: blank, skipped but counted
    lines.insert(5, "{not json")  # line 6
    lines.append(json.dumps({**rows[1], "visit_date": "2021-02-30", "haq": 4, "ab_hmgcr": "maybe",
                             "mmt8": {"quadriceps": 11}}))  # line 12
    lines.append(json.dumps({**rows[1], "treatments": [{"agent": "x", "class": "aspirin", "start": "2020-01-01"}],
                             "ab_hmgrc": True}))  # line 13
    res = S.import_visits(reg, "\n".join(lines), "jsonl")
    assert res.imported == len(rows) == _count(reg, Visit)
    assert [r.row for r in res.rejects] == [3, 6, 12, 13]
    why = {r.row: r.reason for r in res.rejects}
    assert "patient_code" in why[3] and "never a name" in why[3]
    assert "not valid JSON" in why[6]
    assert all(k in why[12] for k in ("visit_date", "haq", "ab_hmgcr", "mmt8.quadriceps"))
    assert "treatments[0].class" in why[13] and "glucocorticoid" in why[13] and "did you mean 'ab_hmgcr'" in why[13]
    assert _count(reg, Patient) == 4 and _count(reg, AssessmentRow) == len(rows)
    assert _count(reg, Treatment) == 4 * 2  # prednisone, and ivig from the second visit


def test_import_csv_with_measures_treatments_and_booleans(reg: S.Registry) -> None:
    text_ = ("patient_code,visit_date,ck_u_l,ck_uln_u_l,ab_hmgcr,weakness_proximal_lower_symmetric,haq,physician_global,"
             "mmt8_neck_flexors,mmt8_deltoid_middle,mmt8_biceps_brachii,mmt8_wrist_extensors,mmt8_gluteus_maximus,"
             "mmt8_gluteus_medius,mmt8_quadriceps,mmt8_ankle_dorsiflexors,treatments\n"
             "A1,2024-01-05,5000,200,positive,yes,2,7,6,6,6,6,6,6,6,6,prednisone:glucocorticoid:2024-01-05\n"
             "A1,2024-06-05,800,200,positive,yes,1,3,8,8,8,8,8,8,8,8,"
             "prednisone:glucocorticoid:2024-01-05;rituximab:rituximab:2024-02-01:2024-02-15\n"
             "A2,2024-01-05,,,maybe,yes,,,,,,,,,,,\n"
             "A3,2024-01-05,100\n"
             "A4,2024-01-05,100,200,no,no,,,T,,,,,,,,\n")
    res = S.import_visits(reg, text_, "csv")
    assert res.imported == 2
    assert [(r.row, r.reason.split(":")[0]) for r in res.rejects] == [(4, "ab_hmgcr"), (5, "(line)"), (6, "mmt8.neck_flexors")]
    tl = S.patient_timeline(reg, "A1")
    first, second = tl.visits
    assert (first.ck_x_uln, first.mmt8_total, second.ck_x_uln, second.mmt8_total) == (25.0, 48.0, 4.0, 64.0)
    assert first.label and second.label and first.leading_label == "imnm_anti_hmgcr"
    assert first.tis is None and second.tis is not None
    assert second.tis["tis_min"] > 0
    assert [t.agent for t in tl.treatments] == ["prednisone", "rituximab"]
    assert [t.agent for t in second.treatments] == ["prednisone"]  # rituximab stopped before the visit


def test_a_csv_with_an_unknown_column_imports_nothing(reg: S.Registry) -> None:
    with pytest.raises(UnknownColumn) as err:
        S.import_visits(reg, "patient_code,visit_date,ab_hmgrc\nA1,2024-01-01,true\n", "csv")
    assert "did you mean 'ab_hmgcr'" in str(err.value)
    assert _count(reg, Visit) == 0


def test_each_batch_is_one_transaction(reg: S.Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = visit_rows(40, 3)  # 120 visits: batches of 50, 50, 20
    real = S._audit
    calls = {"n": 0}

    def failing(s: Any, actor: str, action: str, *a: Any, **k: Any) -> None:
        if action == "import.batch":
            calls["n"] += 1
            if calls["n"] == 2:  # the end of the second batch: after all its visits were written
                raise RuntimeError("disk full")
        real(s, actor, action, *a, **k)

    monkeypatch.setattr(S, "_audit", failing)
    with pytest.raises(RuntimeError):
        S.import_visits(reg, "\n".join(json.dumps(r) for r in rows), "jsonl")
    assert _count(reg, Visit) == 50 and _count(reg, AssessmentRow) == 50  # the first batch, nothing of the second
    monkeypatch.setattr(S, "_audit", real)
    res = S.import_visits(reg, "\n".join(json.dumps(r) for r in rows), "jsonl")
    assert (res.created, res.updated, res.batches) == (70, 50, 3)
    assert _count(reg, Visit) == 120


def test_reimporting_a_visit_updates_it_and_never_duplicates_it(reg: S.Registry) -> None:
    rows = visit_rows(5, 2)
    first = S.import_visits(reg, "\n".join(json.dumps(r) for r in rows), "jsonl")
    assert (first.created, first.updated, first.patients_created) == (10, 0, 5)
    changed = [dict(r, haq=0.25, ab_hmgcr=True) if i == 0 else r for i, r in enumerate(rows)]
    again = S.import_visits(reg, "\n".join(json.dumps(r) for r in changed + changed[:3]), "jsonl")
    assert (again.created, again.updated, again.patients_created) == (0, 10, 0)
    assert _count(reg, Visit) == 10 and _count(reg, AssessmentRow) == 10 and _count(reg, Patient) == 5
    tl = S.patient_timeline(reg, rows[0]["patient_code"])
    assert tl.visits[0].haq == 0.25 and tl.visits[0].findings["ab_hmgcr"] is True
    code, date, created = S.save_visit(reg, {"patient_code": "NEW1", "visit_date": "2024-03-01", "ab_srp": True}, "alice")
    assert (code, date, created) == ("NEW1", dt.date(2024, 3, 1), True)
    assert S.save_visit(reg, {"patient_code": "NEW1", "visit_date": "2024-03-01", "ab_srp": False}, "alice")[2] is False
    with pytest.raises(InvalidCase) as err:
        S.save_visit(reg, {"patient_code": "NEW1", "visit_date": "03/01/2024", "haq": 9}, "alice")
    assert {p.field for p in err.value.problems} == {"visit_date", "haq"}
    assert S.create_patient(reg, "NEW2", "alice") is True and S.create_patient(reg, "NEW2", "alice") is False
    with pytest.raises(RegistryError):
        S.create_patient(reg, "Jane Doe", "alice")


# --- the audit log ------------------------------------------------------------------------------------

def test_the_audit_log_is_append_only_and_holds_no_clinical_values(reg: S.Registry) -> None:
    rows = visit_rows(3, 2)
    S.import_visits(reg, "\n".join(json.dumps(r) for r in rows), "jsonl", user="alice")
    n = _count(reg, AuditEntry)
    assert n == 6 + 1 + 1  # a line per visit, the batch, the import
    for sql in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log", "DELETE FROM audit_log WHERE id = 1"):
        with pytest.raises(DBAPIError) as err, reg.db.write() as s:
            s.execute(text(sql))
        assert "append-only" in str(err.value)
    if reg.backend == "postgresql":
        with pytest.raises(DBAPIError), reg.db.write() as s:
            s.execute(text("TRUNCATE audit_log"))
    assert _count(reg, AuditEntry) == n
    entries = S.audit_entries(reg)
    assert {e.action for e in entries} == {"visit.create", "import.batch", "import"}
    assert all(e.actor == "alice" and e.at.tzinfo is not None for e in entries)
    clinical = {str(v) for r in rows for k, v in r.items() if k not in ("patient_code", "visit_date")
                and not isinstance(v, bool | list | dict)}
    with reg.db.read() as s:
        dumped = [json.dumps([e.actor, e.action, e.patient_code, str(e.visit_date), e.counts])
                  for e in s.execute(select(AuditEntry)).scalars()]
    assert not any(f'"{c}"' in line for c in clinical if len(c) > 3 for line in dumped)
    assert not [name for name in dir(S) if ("audit" in name and any(w in name for w in ("update", "delete", "edit")))]


# --- export -------------------------------------------------------------------------------------------

def test_export_writes_one_row_per_visit_in_every_format(reg: S.Registry, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    rows = visit_rows(6, 3)
    S.import_visits(reg, "\n".join(json.dumps(r) for r in rows), "jsonl")
    table = list(csv.DictReader(io.StringIO(_export_text(reg, tmp_path))))
    assert len(table) == 18
    assert [(r["patient_code"], r["visit_date"]) for r in table] == sorted((r["patient_code"], r["visit_date"]) for r in rows)
    assert table[1]["tis_category"] and table[1]["label"] and table[0]["input_hash"]
    assert json.loads(table[1]["treatments"])[0]["agent"] in ("ivig", "prednisone")
    out = tmp_path / "v.parquet"
    assert S.export(reg, "parquet", out) == 18
    t = pq.read_table(out)
    assert t.num_rows == 18 and t.schema.field("visit_date").type.id == __import__("pyarrow").date32().id
    bundles = [json.loads(line) for line in _export_text(reg, tmp_path, "fhir").splitlines()]
    assert len(bundles) == 18 and all(b["resourceType"] == "Bundle" for b in bundles)
    assert any(e["resource"]["resourceType"] == "Condition" for e in bundles[0]["entry"])
    assert not list(tmp_path.glob(".*myoclass-tmp*"))  # staged files renamed into place


def test_the_researcher_export_is_pseudonymised(reg: S.Registry, tmp_path: Path) -> None:
    rows = visit_rows(4, 3)
    S.import_visits(reg, "\n".join(json.dumps(r) for r in rows), "jsonl")
    plain = list(csv.DictReader(io.StringIO(_export_text(reg, tmp_path))))
    text_ = _export_text(reg, tmp_path, pseudonymise=True)
    pseudo = list(csv.DictReader(io.StringIO(text_)))
    assert len(pseudo) == 12
    assert not any(r["patient_code"] in text_ for r in rows)
    assert not any(str(r.get("case_id")) in text_ for r in rows if r.get("case_id"))
    assert len({r["patient_code"] for r in pseudo}) == 4
    assert pseudo == list(csv.DictReader(io.StringIO(_export_text(reg, tmp_path, pseudonymise=True))))  # stable

    def gaps(table: list[dict[str, str]]) -> list[list[int]]:
        by: dict[str, list[dt.date]] = {}
        for r in table:
            by.setdefault(r["patient_code"], []).append(dt.date.fromisoformat(r["visit_date"]))
        return sorted([(b - a).days for a, b in itertools.pairwise(ds)] for ds in by.values())

    assert gaps(plain) == gaps(pseudo)  # intervals kept
    assert {r["visit_date"] for r in plain} != {r["visit_date"] for r in pseudo}
    assert sorted(r["label"] for r in plain) == sorted(r["label"] for r in pseudo)
    fhir = _export_text(reg, tmp_path, "fhir", pseudonymise=True)
    assert not any(r["patient_code"] in fhir for r in rows)


# --- backup and restore -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["dump", "sqlite"])
def test_backup_then_restore_gives_an_identical_export(reg: S.Registry, tmp_path: Path, kind: str) -> None:
    if kind == "sqlite" and reg.backend != "sqlite":
        pytest.skip("a SQLite-file backup is made of a SQLite registry only")
    S.import_visits(reg, "\n".join(json.dumps(r) for r in visit_rows(8, 3)), "jsonl")
    S.add_user(reg, "admin1", "admin", "secret-password")
    before = _export_text(reg, tmp_path) + _export_text(reg, tmp_path, pseudonymise=True)
    dest = tmp_path / ("backup.jsonl" if kind == "dump" else "backup.sqlite3")
    n = S.backup(reg, dest)
    assert n > 24
    with database_url(reg.backend, tmp_path) as other_url:
        other = S.open_registry(other_url)
        try:
            assert S.restore(other, dest) == n
            assert _export_text(other, tmp_path) + _export_text(other, tmp_path, pseudonymise=True) == before
            assert S.authenticate(other, "admin1", "secret-password") is not None
            with pytest.raises(RegistryNotEmpty):
                S.restore(other, dest)
            S.import_visits(other, json.dumps(visit_rows(1, 1, prefix="Z")[0]), "jsonl")
            assert S.restore(other, dest, force=True) == n
            assert _export_text(other, tmp_path) + _export_text(other, tmp_path, pseudonymise=True) == before
            S.import_visits(other, json.dumps(visit_rows(1, 1, prefix="Y")[0]), "jsonl")  # the ids go on after restore
            with pytest.raises(DBAPIError), other.db.write() as s:  # the append-only triggers are back
                s.execute(text("DELETE FROM audit_log"))
        finally:
            other.close()


def test_a_cut_or_foreign_dump_is_refused(reg: S.Registry, tmp_path: Path) -> None:
    S.import_visits(reg, "\n".join(json.dumps(r) for r in visit_rows(2, 2)), "jsonl")
    dump = tmp_path / "b.jsonl"
    S.backup(reg, dump)
    lines = dump.read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:-3] + lines[-1:]))
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(lines).replace('"haq": 2.0', '"haq": 0.5'))
    with database_url(reg.backend, tmp_path) as other_url:
        other = S.open_registry(other_url)
        try:
            for bad, words in ((cut, "checksum"), (edited, "checksum"), (tmp_path / "none.jsonl", "cannot read")):
                with pytest.raises(RegistryError) as err:
                    S.restore(other, bad)
                assert words in str(err.value)
            (tmp_path / "x.jsonl").write_text('{"a": 1}\n')
            with pytest.raises(RegistryError, match="not a complete myoclass registry dump"):
                S.restore(other, tmp_path / "x.jsonl")
            assert _count(other, Visit) == 0
        finally:
            other.close()


def _redate_dump(src: Path, dest: Path, revision: str) -> Path:
    """The dump with another schema revision in its header (and its checksum made to match)."""
    import hashlib

    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    header["schema_revision"] = revision
    body = [json.dumps(header, sort_keys=True, ensure_ascii=False) + "\n", *lines[1:-1]]
    end = json.loads(lines[-1])
    end["sha256"] = hashlib.sha256("".join(body).encode("utf-8")).hexdigest()
    dest.write_text("".join(body) + json.dumps(end) + "\n", encoding="utf-8")
    return dest


@pytest.mark.parametrize("kind", ["dump", "sqlite"])
def test_sessions_are_not_backed_up_and_a_restore_logs_everyone_out(reg: S.Registry, tmp_path: Path,
                                                                    kind: str) -> None:
    if kind == "sqlite" and reg.backend != "sqlite":
        pytest.skip("a SQLite-file backup is made of a SQLite registry only")
    S.import_visits(reg, "\n".join(json.dumps(r) for r in visit_rows(2, 2)), "jsonl")
    u = S.add_user(reg, "ada", "admin", "secret-password")
    token = S.create_session(reg, u.id, lifetime_seconds=3600, idle_seconds=600)
    throttled = S.login_throttle_key("user", "mallory")
    S.record_login_failure(reg, [throttled])
    before = _export_text(reg, tmp_path)
    dest = tmp_path / ("backup.jsonl" if kind == "dump" else "backup.sqlite3")
    S.backup(reg, dest)
    digest = S._session_hash(token)
    assert digest.encode() not in dest.read_bytes() and token.encode() not in dest.read_bytes()
    assert throttled.split(":")[1].encode() not in dest.read_bytes()  # nor is the login throttle
    if kind == "dump":
        assert '"sessions"' not in dest.read_text() and '"login_throttle"' not in dest.read_text()
        assert json.loads(dest.read_text().splitlines()[0])["schema_revision"] == "0003"
    S.restore(reg, dest, force=True)  # the same registry: its logins end
    assert S.lookup_session(reg, token) is None and S.count_sessions(reg) == 0
    assert _export_text(reg, tmp_path) == before
    assert S.authenticate(reg, "ada", "secret-password") is not None


def test_a_dump_of_revision_0001_restores_and_an_unknown_revision_is_refused(reg: S.Registry, tmp_path: Path) -> None:
    S.import_visits(reg, "\n".join(json.dumps(r) for r in visit_rows(3, 2)), "jsonl")
    S.add_user(reg, "ada", "admin", "secret-password")
    before = _export_text(reg, tmp_path) + _export_text(reg, tmp_path, pseudonymise=True)
    dump = S.backup(reg, tmp_path / "now.jsonl") and tmp_path / "now.jsonl"
    old = _redate_dump(dump, tmp_path / "r0001.jsonl", "0001")  # 0002/0003: sessions, login throttle, never dumped
    future = _redate_dump(dump, tmp_path / "r0099.jsonl", "0099")
    with database_url(reg.backend, tmp_path) as other_url:
        other = S.open_registry(other_url)
        try:
            with pytest.raises(RegistryError, match="schema revision '0099'; this myoclass restores revisions 0001, "
                                                    "0002, 0003"):
                S.restore(other, future)
            assert _count(other, Visit) == 0
            S.restore(other, old)
            assert _export_text(other, tmp_path) + _export_text(other, tmp_path, pseudonymise=True) == before
            S.restore(other, _redate_dump(dump, tmp_path / "r0002.jsonl", "0002"), force=True)
            assert _export_text(other, tmp_path) + _export_text(other, tmp_path, pseudonymise=True) == before
        finally:
            other.close()


def _registry_at_0001(url: str) -> S.Registry:
    """A registry migrated to revision 0001 only (as an older myoclass left it)."""
    from alembic import command

    from myoclass.registry.db import Database, _config

    db = Database(url)
    with db.write_connection() as conn:
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    from myoclass.criteria import Policy

    return S.Registry(db, 50, Policy(), "clinic")


def test_a_registry_of_revision_0001_migrates_and_its_sqlite_backup_restores(url: str, tmp_path: Path) -> None:
    old = _registry_at_0001(url)
    try:
        assert old.db.revision() == "0001"
        S.import_visits(old, "\n".join(json.dumps(r) for r in visit_rows(2, 2)), "jsonl")
        S.add_user(old, "ada", "admin", "secret-password")
        before = _export_text(old, tmp_path)
        backup = tmp_path / "old.sqlite3"
        if old.backend == "sqlite":
            S.backup(old, backup)
    finally:
        old.close()
    reg = S.open_registry(url)  # migrates 0001 -> 0003, keeping everything
    try:
        assert reg.db.revision() == "0003" and _export_text(reg, tmp_path) == before
        user = S.get_user(reg, "ada")
        assert user is not None and S.lookup_session(reg, S.create_session(
            reg, user.id, lifetime_seconds=60, idle_seconds=60)) is not None
    finally:
        reg.close()
    if url.startswith("sqlite"):
        with database_url("sqlite", tmp_path) as other_url:
            other = S.open_registry(other_url)
            try:
                S.restore(other, backup)
                assert _export_text(other, tmp_path) == before
            finally:
                other.close()


# --- web sessions ---------------------------------------------------------------------------------------

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def _session_row(reg: S.Registry, token: str) -> WebSession | None:
    with reg.db.read() as s:
        return s.get(WebSession, S._session_hash(token))


def _utc(t: dt.datetime) -> dt.datetime:
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t


def test_sessions_live_in_the_database_hashed_and_end_when_they_should(reg: S.Registry) -> None:
    u = S.add_user(reg, "carla", "clinician", "long enough")
    token = S.create_session(reg, u.id, lifetime_seconds=3600, idle_seconds=600, now=T0)
    assert len(token) >= 43
    with reg.db.read() as s:
        stored = json.dumps([list(map(str, r)) for r in s.execute(text("SELECT * FROM sessions"))])
    assert token not in stored and S._session_hash(token) in stored
    found = S.lookup_session(reg, token, now=T0 + dt.timedelta(seconds=30))
    assert found is not None and found.user == u and found.expires_at == T0 + dt.timedelta(hours=1)
    row = _session_row(reg, token)
    assert row is not None and _utc(row.last_seen_at) == T0  # within a minute: read only, nothing written
    assert S.lookup_session(reg, token, now=T0 + dt.timedelta(seconds=61)) is not None
    row = _session_row(reg, token)
    assert row is not None and _utc(row.last_seen_at) == T0 + dt.timedelta(seconds=61)
    assert _utc(row.idle_expires_at) == T0 + dt.timedelta(seconds=661)
    # idle: 600 s after the last request written
    assert S.lookup_session(reg, token, now=T0 + dt.timedelta(seconds=661)) is None
    assert _session_row(reg, token) is None  # an ended session met is deleted
    # absolute: active all along, but past the lifetime
    token = S.create_session(reg, u.id, lifetime_seconds=3600, idle_seconds=600, now=T0)
    for i in range(1, 8):
        assert S.lookup_session(reg, token, now=T0 + dt.timedelta(seconds=500 * i)) is not None
    assert S.lookup_session(reg, token, now=T0 + dt.timedelta(seconds=3600)) is None
    # revoked (logout), and nonsense tokens
    token = S.create_session(reg, u.id, lifetime_seconds=3600, idle_seconds=600)
    assert S.revoke_session(reg, token) and not S.revoke_session(reg, token)
    assert S.lookup_session(reg, token) is None
    for bad in ("", "x" * 500, "not-a-session"):
        assert S.lookup_session(reg, bad) is None
    with pytest.raises(NotFound):
        S.create_session(reg, 999_999, lifetime_seconds=60, idle_seconds=60)


def test_a_users_sessions_end_when_it_is_disabled_or_gets_another_password_or_role(reg: S.Registry) -> None:
    u = S.add_user(reg, "carla", "clinician", "long enough")
    other = S.add_user(reg, "otto", "clinician", "long enough")

    def two() -> list[str]:
        return [S.create_session(reg, u.id, lifetime_seconds=3600, idle_seconds=600) for _ in range(2)]

    keep = S.create_session(reg, other.id, lifetime_seconds=3600, idle_seconds=600)
    for change in (lambda: S.set_disabled(reg, "carla", True), lambda: S.set_password(reg, "carla", "another one"),
                   lambda: S.set_role(reg, "carla", "admin"), lambda: S.revoke_user_sessions(reg, u.id),
                   lambda: S.revoke_user_sessions(reg, "carla")):
        S.set_disabled(reg, "carla", False)
        tokens = two()
        assert all(S.lookup_session(reg, t) is not None for t in tokens) and S.count_sessions(reg, "carla") == 2
        change()
        assert all(S.lookup_session(reg, t) is None for t in tokens) and S.count_sessions(reg, u.id) == 0
    S.set_disabled(reg, "carla", False)  # enabling again revives nothing
    assert S.count_sessions(reg, "carla") == 0
    assert S.lookup_session(reg, keep) is not None  # another user's session is untouched
    S.set_disabled(reg, "carla", True)
    with pytest.raises(RegistryError, match="disabled"):
        S.create_session(reg, u.id, lifetime_seconds=60, idle_seconds=60)
    with reg.db.write() as s:  # a user removed takes its sessions along (ON DELETE CASCADE)
        s.execute(text("DELETE FROM users WHERE name = 'otto'"))
    assert S.count_sessions(reg) == 0


def test_purge_deletes_the_ended_sessions_only(reg: S.Registry) -> None:
    u = S.add_user(reg, "carla", "clinician", "long enough")
    d = S.add_user(reg, "dora", "clinician", "long enough")
    live = S.create_session(reg, u.id, lifetime_seconds=7200, idle_seconds=3600, now=T0)
    S.create_session(reg, u.id, lifetime_seconds=7200, idle_seconds=60, now=T0)  # idle by T0 + 10 min
    S.create_session(reg, u.id, lifetime_seconds=300, idle_seconds=300, now=T0)  # past its end by then
    S.create_session(reg, d.id, lifetime_seconds=7200, idle_seconds=3600, now=T0)
    with reg.db.write() as s:  # disabled behind the service's back: the purge still ends its session
        s.execute(text("UPDATE users SET disabled = :t WHERE name = 'dora'"), {"t": True})
    assert S.count_sessions(reg) == 4
    assert S.purge_expired_sessions(reg, now=T0 + dt.timedelta(minutes=10)) == 3
    assert S.count_sessions(reg) == 1 and S.lookup_session(reg, live, now=T0 + dt.timedelta(minutes=10)) is not None
    assert S.purge_expired_sessions(reg, now=T0 + dt.timedelta(minutes=11)) == 0


# --- login throttling -----------------------------------------------------------------------------------

def _throttle_rows(reg: S.Registry) -> str:
    with reg.db.read() as s:
        return json.dumps([list(map(str, r)) for r in s.execute(text("SELECT * FROM login_throttle"))])


def test_login_failures_are_counted_in_the_database_hashed(reg: S.Registry) -> None:
    user, addr = S.login_throttle_key("user", " Carla "), S.login_throttle_key("addr", "203.0.113.7")
    assert user == S.login_throttle_key("user", "carla") and user.startswith("user:") and addr.startswith("addr:")
    waits = []
    for i in range(9):
        S.record_login_failure(reg, [user, addr], now=T0 + dt.timedelta(seconds=i))
        waits.append(S.login_wait(reg, [user, addr], now=T0 + dt.timedelta(seconds=i)))
    assert waits == [0, 0, 0, 0, 2, 4, 8, 16, 32]
    assert S.count_login_failures(reg, user) == 9 and S.login_wait(reg, [addr], now=T0 + dt.timedelta(seconds=40)) == 0
    stored = _throttle_rows(reg)
    assert "carla" not in stored.lower() and "203.0.113.7" not in stored and user in stored and addr in stored
    with pytest.raises(RegistryError, match="never a plain user name"):
        S.record_login_failure(reg, ["user:carla"])
    assert S.clear_login_failures(reg, [user]) == 1
    assert S.count_login_failures(reg, user) == 0 and S.login_wait(reg, [user], now=T0 + dt.timedelta(seconds=9)) == 0
    assert S.login_wait(reg, [user, addr], now=T0 + dt.timedelta(seconds=9)) == 31  # the address still waits
    for _ in range(25):
        S.record_login_failure(reg, [addr], now=T0 + dt.timedelta(seconds=10))
    assert S.login_wait(reg, [addr], now=T0 + dt.timedelta(seconds=10)) == 900  # at most 15 minutes
    later = T0 + dt.timedelta(seconds=10 + 901)  # the window and the wait are over: counting starts again
    S.record_login_failure(reg, [addr], now=later)
    assert S.count_login_failures(reg, addr) == 1 and S.login_wait(reg, [addr], now=later) == 0


def test_purge_deletes_the_throttle_rows_that_count_for_nothing(reg: S.Registry) -> None:
    old, recent = S.login_throttle_key("addr", "198.51.100.1"), S.login_throttle_key("addr", "198.51.100.2")
    S.record_login_failure(reg, [old], now=T0)
    S.record_login_failure(reg, [recent], now=T0 + dt.timedelta(minutes=10))
    assert S.purge_login_failures(reg, now=T0 + dt.timedelta(minutes=16)) == 1
    assert S.count_login_failures(reg, old) == 0 and S.count_login_failures(reg, recent) == 1
    assert S.purge_login_failures(reg, T0 + dt.timedelta(days=1)) == 1


def test_concurrent_failures_are_all_counted(url: str) -> None:
    import threading

    key = S.login_throttle_key("user", "mallory")
    regs = [S.open_registry(url) for _ in range(4)]
    try:
        def fail(r: S.Registry) -> None:
            for _ in range(10):
                S.record_login_failure(r, [key, S.login_throttle_key("addr", "192.0.2.1")])

        threads = [threading.Thread(target=fail, args=(regs[i % 4],)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert S.count_login_failures(regs[0], key) == 80
        assert S.count_login_failures(regs[0], S.login_throttle_key("addr", "192.0.2.1")) == 80
        assert S.login_wait(regs[0], [key]) == 900
    finally:
        for r in regs:
            r.close()


# --- reclassify ---------------------------------------------------------------------------------------

def test_reclassify_reports_what_changed_and_why(reg: S.Registry) -> None:
    rows = visit_rows(5, 2)
    S.import_visits(reg, "\n".join(json.dumps(r) for r in rows), "jsonl")
    assert S.reclassify(reg).reassessed == 0
    code = rows[0]["patient_code"]
    with reg.db.write() as s:  # as if stored by an older release, under older criteria and another label
        vid = s.execute(select(Visit.id).join(Patient).where(Patient.patient_code == code)
                        .order_by(Visit.visit_date)).scalars().first()
        a = s.execute(select(AssessmentRow).where(AssessmentRow.visit_id == vid)).scalar_one()
        versions = json.loads(a.criteria_versions)
        versions["enmc_2017_imnm"] = "2017.0"
        a.criteria_versions = json.dumps(versions)
        a.label, a.leading_label, a.myoclass_version = "old_label", "old_leading", "0.0.1"
        a2 = s.execute(select(AssessmentRow).where(AssessmentRow.visit_id != vid)).scalars().first()
        assert a2 is not None
        a2.model_version = "0"
        true_label = a2.label
    dry = S.reclassify(reg, dry_run=True)
    assert dry.reassessed == 2 and dry.batches == 0
    res = S.reclassify(reg, "alice")
    assert (res.checked, res.reassessed) == (10, 2)
    by = {c.old_label: c for c in res.changes}
    c = by["old_label"]
    assert c.patient_code == code and c.label_changed and c.new_label not in ("old_label", None)
    assert c.old_leading_label == "old_leading"
    assert "enmc_2017_imnm 2017.0 → 2018.1" in c.reasons and "myoclass 0.0.1 → 0.1.0" in c.reasons
    other = by[true_label]
    assert not other.label_changed and other.reasons == [f"differential model 0 → {other.reasons[0].split()[-1]}"]
    assert res.changed == [c]
    assert S.reclassify(reg).reassessed == 0  # stored
    assert {e.action for e in S.audit_entries(reg, 5)} >= {"reclassify", "reclassify.batch"}
    tl = S.patient_timeline(reg, code)
    assert tl.visits[0].versions["enmc_2017_imnm"] == "2018.1"


# --- users, roles, tokens -----------------------------------------------------------------------------

def test_users_roles_passwords_and_tokens(reg: S.Registry) -> None:
    from argon2 import PasswordHasher

    u = S.add_user(reg, "carla", "clinician", "long enough")
    assert (u.name, u.role, u.disabled) == ("carla", "clinician", False)
    for args, field in ((("dora", "doctor", "long enough"), "role"), (("dora", "admin", "short"), "password"),
                        (("carla", "admin", "long enough"), "name"), (("a b", "admin", "long enough"), "name")):
        with pytest.raises(RegistryError) as err:
            S.add_user(reg, *args)
        assert str(err.value).startswith(field)
    with pytest.raises(RegistryError, match="allowed: clinician, researcher, admin"):
        S.add_user(reg, "x", "boss", "12345678")
    assert S.authenticate(reg, "carla", "long enough") == u
    assert S.authenticate(reg, "carla", "long enougH") is None and S.authenticate(reg, "nobody", "long enough") is None
    with reg.db.read() as s:
        stored = s.execute(text("SELECT password_hash FROM users WHERE name = 'carla'")).scalar_one()
    assert stored.startswith("$argon2id$") and "long enough" not in stored
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("long enough")
    with reg.db.write() as s:
        s.execute(text("UPDATE users SET password_hash = :h WHERE name = 'carla'"), {"h": weak})
    assert S.authenticate(reg, "carla", "long enough") is not None
    with reg.db.read() as s:
        assert s.execute(text("SELECT password_hash FROM users WHERE name = 'carla'")).scalar_one() != weak  # rehashed
    S.add_user(reg, "rita", "researcher", "long enough too")
    assert [x.name for x in S.list_users(reg)] == ["carla", "rita"]
    assert S.can_write("clinician") and S.can_write("admin") and not S.can_write("researcher")
    assert S.can_admin("admin") and not S.can_admin("clinician")
    info, secret = S.create_token(reg, "rita", "notebook")
    assert secret.startswith("myo_") and len(secret) > 40 and info.last_used_at is None
    with reg.db.read() as s:
        assert secret not in json.dumps([list(map(str, r)) for r in s.execute(text("SELECT * FROM api_tokens"))])
    assert S.verify_token(reg, secret) == S.get_user(reg, "rita")
    assert S.list_tokens(reg, "rita")[0].last_used_at is not None
    assert S.verify_token(reg, secret + "x") is None and S.verify_token(reg, "") is None
    S.revoke_token(reg, info.id, "admin")
    assert S.verify_token(reg, secret) is None and S.list_tokens(reg)[0].revoked_at is not None
    with pytest.raises(NotFound):
        S.revoke_token(reg, 999)
    with pytest.raises(NotFound):
        S.create_token(reg, "nobody", "t")
    _info2, secret2 = S.create_token(reg, "carla", "cli")
    S.set_disabled(reg, "carla", True)
    assert S.verify_token(reg, secret2) is None and S.authenticate(reg, "carla", "long enough") is None
    S.set_disabled(reg, "carla", False)
    S.set_password(reg, "carla", "a new password")
    assert S.authenticate(reg, "carla", "a new password") is not None
    S.set_role(reg, "carla", "admin")
    assert S.get_user(reg, "carla").role == "admin"  # type: ignore[union-attr]
    actions = [e.action for e in S.audit_entries(reg)]
    assert {"user.add.clinician", "token.create", "token.revoke", "user.password", "user.role.admin"} <= set(actions)


# --- list and timeline --------------------------------------------------------------------------------

def test_patient_list_and_timeline(reg: S.Registry) -> None:
    rows = visit_rows(3, 3)
    S.import_visits(reg, "\n".join(json.dumps(r) for r in rows), "jsonl")
    S.create_patient(reg, "EMPTY", "cli")
    patients = S.list_patients(reg)
    assert [p.patient_code for p in patients] == ["EMPTY", "P00000", "P00001", "P00002"]
    assert patients[0].visits == 0 and patients[0].last_visit_date is None
    last = [r for r in rows if r["patient_code"] == "P00000"][-1]
    p = patients[1]
    assert p.visits == 3 and p.last_visit_date == dt.date.fromisoformat(last["visit_date"]) and p.last_label
    if last.get("ck_u_l") is not None and last.get("ck_uln_u_l"):
        assert p.last_ck_x_uln == round(last["ck_u_l"] / last["ck_uln_u_l"], 4)
    tl = S.patient_timeline(reg, "P00001")
    assert [v.visit_date for v in tl.visits] == sorted(v.visit_date for v in tl.visits)
    assert tl.visits[0].tis is None and tl.visits[0].mmt8 is not None and tl.visits[0].mmt8["total"] == 52
    for v in tl.visits[1:]:
        assert v.tis is not None and v.tis_category == v.tis["category"]
        assert v.differential and v.versions["myoclass"] and v.model_version
    assert sorted(t.agent for t in tl.visits[1].treatments) == ["ivig", "prednisone"]
    with pytest.raises(NotFound):
        S.patient_timeline(reg, "NOPE")


# --- the CLI ------------------------------------------------------------------------------------------

def test_the_registry_cli(url: str, tmp_path: Path) -> None:
    base = ["registry", "--database-url", url]
    r = runner.invoke(app, [*base, "init"])
    assert r.exit_code == 0, r.output
    rows = visit_rows(3, 2)
    f = write_jsonl(tmp_path / "visits.jsonl", rows)
    with f.open("a") as fh:
        fh.write('{"patient_code": "X", "visit_date": "yesterday"}\n')
    r = runner.invoke(app, [*base, "import", str(f), "--batch-size", "2"])
    assert r.exit_code == 0, r.output
    assert "error: line 7: visit_date" in r.stderr and "6 visit(s) imported (6 new" in r.stderr
    r = runner.invoke(app, [*base, "export", "--format", "csv"])
    assert r.exit_code == 0 and len(list(csv.DictReader(io.StringIO(r.stdout)))) == 6
    out = tmp_path / "e.jsonl"
    r = runner.invoke(app, [*base, "export", "-f", "fhir", "-o", str(out), "--pseudonymise"])
    assert r.exit_code == 0 and len(out.read_text().splitlines()) == 6 and "P00000" not in out.read_text()
    r = runner.invoke(app, [*base, "add-user", "ann", "--role", "admin", "--password-stdin"], input="pass phrase 1\n")
    assert r.exit_code == 0 and "user ann added (admin)" in r.stderr
    r = runner.invoke(app, [*base, "add-user", "bo", "--role", "clinician"], input="12345678\n12345678\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*base, "add-user", "cy", "--role", "clinician", "--password-stdin"], input="short\n")
    assert r.exit_code == 2 and "error: password: too short" in r.stderr and "Traceback" not in r.output
    r = runner.invoke(app, [*base, "reclassify", "-f", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["checked"] == 6
    dump = tmp_path / "b.jsonl"
    assert runner.invoke(app, [*base, "backup", str(dump)]).exit_code == 0
    r = runner.invoke(app, [*base, "restore", str(dump)])
    assert r.exit_code == 2 and "--force" in r.stderr
    r = runner.invoke(app, [*base, "restore", str(dump), "--force"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*base, "import", str(tmp_path / "missing.csv")])
    assert r.exit_code == 2 and "no such file" in r.stderr
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("patient_code,visit_date,ab_hmgrc\nA,2024-01-01,1\n")
    r = runner.invoke(app, [*base, "import", str(bad_csv)])
    assert r.exit_code == 2 and "ab_hmgrc: unknown column; did you mean 'ab_hmgcr'?" in r.stderr


def test_the_cli_names_a_bad_database_url_without_its_password() -> None:
    r = runner.invoke(app, ["registry", "--database-url", "oracle://u:hunter2@h/db", "init"])
    assert r.exit_code == 2 and "allowed: sqlite, postgresql" in r.stderr
    r = runner.invoke(app, ["registry", "--database-url", "postgresql+psycopg://u:hunter2@127.0.0.1:1/db", "init"])
    assert r.exit_code == 2 and "cannot open the registry" in r.stderr
    assert "hunter2" not in r.output and "Traceback" not in r.output


def test_the_token_commands(url: str) -> None:
    import re

    base = ["registry", "--database-url", url]
    r = runner.invoke(app, [*base, "add-user", "ann", "--role", "clinician", "--password-stdin"], input="pass phrase 1\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*base, "add-token", "notebook", "--user", "ann"])
    assert r.exit_code == 0, r.output
    secret = r.stdout.strip()
    assert re.fullmatch(r"myo_[A-Za-z0-9_-]{43}", secret) and r.stdout == secret + "\n"  # the secret, alone
    assert "token 1 (notebook) created for ann" in r.stderr and secret not in r.stderr
    reg = S.open_registry(url)
    try:
        assert S.verify_token(reg, secret) == S.get_user(reg, "ann")  # it works, and is now used
        r = runner.invoke(app, [*base, "add-token", "second", "--user", "ann"])
        second = r.stdout.strip()
        r = runner.invoke(app, [*base, "tokens"])
        assert r.exit_code == 0, r.output
        lines = r.stdout.splitlines()
        assert lines[0].split() == ["ID", "NAME", "USER", "CREATED", "LAST", "USED", "REVOKED"]
        assert lines[1].split()[:3] == ["1", "notebook", "ann"] and "never" not in lines[1] and lines[1].endswith("no")
        assert lines[2].split()[:3] == ["2", "second", "ann"] and "never" in lines[2]
        assert secret not in r.output and second not in r.output and "2 token(s)" in r.stderr
        r = runner.invoke(app, [*base, "revoke-token", "1"])
        assert r.exit_code == 0 and "token 1 revoked" in r.stderr and r.stdout == ""
        assert S.verify_token(reg, secret) is None and S.verify_token(reg, second) is not None
        r = runner.invoke(app, [*base, "tokens", "--format", "json"])
        listed = json.loads(r.stdout)["tokens"]
        assert [(t["id"], t["name"], t["user"]) for t in listed] == [(1, "notebook", "ann"), (2, "second", "ann")]
        assert listed[0]["revoked_at"] and listed[0]["last_used_at"] and listed[1]["revoked_at"] is None
        assert secret not in r.output and second not in r.output
        assert [e.action for e in S.audit_entries(reg)][:3] == ["token.revoke", "token.create", "token.create"]
    finally:
        reg.close()
    for args, words in ((["add-token", "x", "--user", "nobody"], "error: user: no user 'nobody'"),
                        (["revoke-token", "99"], "error: token: no token 99"),
                        (["add-token", "two words", "--user", "ann"], "error: token name:")):
        r = runner.invoke(app, [*base, *args])
        assert r.exit_code == 2 and words in r.stderr and r.stdout == "" and "Traceback" not in r.output
    r = runner.invoke(app, [*base, "add-token", "x"])
    assert r.exit_code == 2 and "--user" in r.output


def test_the_export_never_leaves_a_patients_dates_as_recorded() -> None:
    """date_shift is -182 to +182 days and never 0: the one patient in 365 whose offset would be 0 gets 183."""
    import datetime as dt
    import hashlib
    import hmac

    from myoclass.registry.service import date_shift

    key = b"k" * 32

    def raw(code: str) -> int:
        h = hmac.new(key, b"shift:" + code.encode("utf-8"), hashlib.sha256).digest()
        return int.from_bytes(h[:4], "big") % 365 - 182

    zero = next(c for c in (f"P-{i}" for i in range(100_000)) if raw(c) == 0)
    assert date_shift(key, zero) == dt.timedelta(days=183)
    others = [f"P-{i}" for i in range(2_000)]
    assert all(date_shift(key, c).days == raw(c) for c in others if raw(c) != 0)
    assert all(date_shift(key, c).days != 0 for c in others)


def test_a_child_is_graded_with_the_juvenile_thresholds(reg: S.Registry) -> None:
    """The TIS thresholds follow the patient: onset before 18 -> juvenile DM's (30, 45, 70), else adult (20, 40, 60);
    the same improvement is graded differently (fresh review, session 22)."""
    head = ("patient_code,visit_date,age_years,age_at_onset_years,skin_heliotrope,physician_global,patient_global,"
            "haq,mmt8_neck_flexors,mmt8_deltoid_middle,mmt8_biceps_brachii,mmt8_wrist_extensors,mmt8_gluteus_maximus,"
            "mmt8_gluteus_medius,mmt8_quadriceps,mmt8_ankle_dorsiflexors\n")
    rows = []
    for code, age in (("CHILD-1", 7), ("ADULT-1", 47)):
        rows.append(f"{code},2024-01-05,{age},{age},yes,6,6,1.5,6,6,6,6,6,6,6,6")
        rows.append(f"{code},2024-06-05,{age},{age},yes,3,3,0.75,8,8,8,8,8,8,8,8")
    res = S.import_visits(reg, head + "\n".join(rows) + "\n", "csv")
    assert res.imported == 4, res.rejects
    child, adult = S.patient_timeline(reg, "CHILD-1"), S.patient_timeline(reg, "ADULT-1")
    assert (child.population, adult.population) == ("juvenile", "adult")
    c, a = child.visits[1].tis, adult.visits[1].tis
    assert c is not None and a is not None
    assert c["tis_min"] == a["tis_min"] and c["population"] == "juvenile" and a["population"] == "adult"
    assert S.patient_timeline(reg, "CHILD-1", "adult").population == "adult"  # asked for explicitly
