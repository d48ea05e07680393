"""The registry loses nothing (issue 15), on SQLite and on PostgreSQL: ten concurrent importer processes (forked,
each opening a new registry at the same moment), and a ``myoclass registry import`` process killed with SIGKILL
mid-import, then run again."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _registry import BACKENDS, database_url, myoclass_cmd, visit_rows, write_jsonl

pytest.importorskip("sqlalchemy")

from sqlalchemy import func, select

from myoclass.registry import service as S
from myoclass.registry.models import Assessment as AssessmentRow
from myoclass.registry.models import AuditEntry, Patient, Visit


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path) as u:
        yield u


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MYOCLASS_DATABASE_URL", None)
    return env


def _counts(reg: S.Registry) -> tuple[int, int, int]:
    with reg.db.read() as s:
        return tuple(int(s.execute(select(func.count()).select_from(m)).scalar_one())  # type: ignore[return-value]
                     for m in (Patient, Visit, AssessmentRow))


def _import_in_child(url: str, path: str, done: Any) -> None:
    """One importer process (forked: no start-up cost): open the registry (new, the first time: every child
    migrates it at once) and import a file in batches of 7."""
    try:
        reg = S.open_registry(url, batch_size=7)
        res = S.import_visits(reg, Path(path))
        reg.close()
        done.put((path, res.imported, len(res.rejects), None))
    except BaseException as e:  # reported to the test, which fails on it
        done.put((path, 0, 0, repr(e)))


def test_ten_concurrent_importers_lose_no_visit(url: str, tmp_path: Path) -> None:
    rows = visit_rows(60, 2)  # 120 visits
    files = []
    for i in range(10):  # importer i: patients 5i .. 5i+14 (every patient in up to three importers)
        mine = [r for r in rows if 5 * i <= int(r["patient_code"][1:]) < 5 * i + 15]
        files.append(write_jsonl(tmp_path / f"part{i}.jsonl", mine[::-1] if i % 2 else mine))
    ctx = multiprocessing.get_context("fork")
    done = ctx.Queue()
    procs = [ctx.Process(target=_import_in_child, args=(url, str(f), done)) for f in files]
    for p in procs:
        p.start()
    results = [done.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0] * 10
    assert [r[3] for r in results] == [None] * 10
    assert sum(r[1] for r in results) == sum(1 for f in files for _ in f.open()) and not any(r[2] for r in results)
    reg = S.open_registry(url)
    try:
        assert reg.db.revision() == "0003"
        assert _counts(reg) == (60, 120, 120)
        expected = {(r["patient_code"], r["visit_date"]) for r in rows}
        with reg.db.read() as s:
            got = [(c, d.isoformat()) for c, d in s.execute(select(Patient.patient_code, Visit.visit_date).join(Visit))]
            imports = [json.loads(c) for c in s.execute(select(AuditEntry.counts).where(AuditEntry.action == "import"))
                       .scalars()]
        assert sorted(got) == sorted(expected)
        assert len(imports) == 10
        if reg.backend == "sqlite":  # writers take turns: every visit was created exactly once
            assert sum(c["created"] for c in imports) == 120
    finally:
        reg.close()


def test_an_importer_killed_mid_import_leaves_whole_batches_and_a_rerun_completes_it(url: str, tmp_path: Path) -> None:
    batch = 25
    rows = visit_rows(200, 3, seed=7)  # 600 visits: 24 batches
    big = write_jsonl(tmp_path / "big.jsonl", rows)
    reg = S.open_registry(url)
    try:
        proc = subprocess.Popen(myoclass_cmd("registry", "--database-url", url, "import", str(big), "--batch-size",
                                             str(batch)), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
        deadline = time.monotonic() + 60
        committed = 0
        while time.monotonic() < deadline and proc.poll() is None:
            with reg.db.read() as s:
                committed = int(s.execute(select(func.count()).select_from(AuditEntry)
                                          .where(AuditEntry.action == "import.batch")).scalar_one())
            if committed >= 1:
                break
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, "the importer ended before it could be killed"
        with reg.db.read() as s:
            batches = int(s.execute(select(func.count()).select_from(AuditEntry)
                                    .where(AuditEntry.action == "import.batch")).scalar_one())
            finished = int(s.execute(select(func.count()).select_from(AuditEntry)
                                     .where(AuditEntry.action == "import")).scalar_one())
        patients, visits, assessed = _counts(reg)
        assert 1 <= batches < 24 and finished == 0
        assert visits == batches * batch == assessed  # whole batches only, every visit with its assessment
        # the file is in patient order, so the committed batches hold whole runs of the first patients
        assert patients == len({r["patient_code"] for r in rows[:visits]})
        again = subprocess.run(myoclass_cmd("registry", "--database-url", url, "import", str(big), "--batch-size",
                                            str(batch)), capture_output=True, text=True, env=_env(), timeout=120)
        assert again.returncode == 0, again.stderr
        assert _counts(reg) == (200, 600, 600)
        assert f"{600 - visits} new, {visits} updated" in again.stderr
        killed_then_rerun = tmp_path / "a.csv"
        S.export(reg, "csv", killed_then_rerun)
    finally:
        reg.close()
    with database_url("sqlite", tmp_path) as clean_url:
        clean = S.open_registry(clean_url, batch_size=batch)
        try:
            S.import_visits(clean, big)
            uninterrupted = tmp_path / "b.csv"
            S.export(clean, "csv", uninterrupted)
        finally:
            clean.close()
    assert killed_then_rerun.read_bytes() == uninterrupted.read_bytes()
