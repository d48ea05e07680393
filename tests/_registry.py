"""Helpers of the registry tests: a SQLite file or a fresh PostgreSQL database per test, and import rows.

PostgreSQL: ``MYOCLASS_TEST_DATABASE_URL`` when set (a server where that user may create databases), else a
throw-away server of ``scripts/pg-test-server`` of this test session's own (as ``nobody`` when run as root; its
folder named by the process id, so two test runs on one machine never share or stop each other's), started once
and stopped at the end. Without PostgreSQL binaries the PostgreSQL cases skip, saying why. Every test gets its own
database (``CREATE DATABASE``), dropped afterwards.
"""

from __future__ import annotations

import atexit
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "pg-test-server"
BACKENDS = ("sqlite", "postgresql")
MUSCLES = ("neck_flexors", "deltoid_middle", "biceps_brachii", "wrist_extensors", "gluteus_maximus", "gluteus_medius",
           "quadriceps", "ankle_dorsiflexors")

_server: dict[str, str] = {}


def _have_postgres() -> str | None:
    """None when PostgreSQL binaries exist, else the reason they do not."""
    if os.environ.get("PG_BIN") and Path(os.environ["PG_BIN"], "pg_ctl").exists():
        return None
    if any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")) or shutil.which("pg_ctl"):
        return None
    return "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl and no pg_ctl on PATH)"


def pg_server_url() -> str:
    """The URL of a PostgreSQL server to make test databases on (skips the test when there is none)."""
    if "url" in _server:
        return _server["url"]
    if "skip" in _server:
        pytest.skip(_server["skip"])
    env = os.environ.get("MYOCLASS_TEST_DATABASE_URL", "").strip()
    if env:
        _server["url"] = env
        return env
    reason = _have_postgres()
    if reason:
        _server["skip"] = reason
        pytest.skip(reason)
    # a server of this test session's own (its folder named by the process id): two test runs on one machine (two
    # checkouts, CI beside a developer) never share one, so neither stops the other's server under it
    env_pg = {**os.environ, "MYOCLASS_PG_DIR": os.environ.get("MYOCLASS_PG_DIR")
              or f"/tmp/myoclass-pg-test-{os.getuid()}-{os.getpid()}"}
    r = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, timeout=120, env=env_pg)
    if r.returncode != 0:
        raise RuntimeError(f"scripts/pg-test-server start failed:\n{r.stderr}")
    _server["url"] = r.stdout.strip().splitlines()[-1]
    if "MYOCLASS_PG_DIR" not in os.environ:
        atexit.register(lambda: subprocess.run([str(SCRIPT), "stop"], capture_output=True, timeout=120, env=env_pg))
    return _server["url"]


def _admin_engine(url: str) -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    u = make_url(url)
    if u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    return create_engine(u, isolation_level="AUTOCOMMIT", poolclass=NullPool)


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of ``backend`` that lasts the ``with`` block."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'registry-{secrets.token_hex(3)}.sqlite3'}"
        return
    from sqlalchemy.engine import make_url

    base = pg_server_url()
    name = f"myoclass_test_{secrets.token_hex(6)}"
    admin = _admin_engine(base)
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    u = make_url(base)
    try:
        yield u.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def visit_rows(n_patients: int, visits: int = 3, seed: int = 0, prefix: str = "P") -> list[dict[str, Any]]:
    """Import rows (JSON Lines types): ``visits`` visits of each patient, findings from the synthetic cohort,
    measures improving over time, a glucocorticoid from the first visit and IVIG from the second."""
    from myoclass.synthetic import synthetic_cases

    rng = random.Random(seed)
    rows = []
    for i, case in enumerate(synthetic_cases(n_patients, seed)):
        code = f"{prefix}{i:05d}"
        for j in range(visits):
            row = {k: v for k, v in case.items() if v is not None}
            row.update(patient_code=code, visit_date=f"{2020 + j}-0{1 + (i % 9)}-1{j}",
                       physician_global=round(max(0.0, 7 - 2 * j - rng.random()), 1),
                       patient_global=round(max(0.0, 6 - j - rng.random()), 1), extramuscular=1.0,
                       haq=round(max(0.0, 2 - 0.5 * j), 2),
                       mmt8={m: min(10, 6 + j + (k % 2)) for k, m in enumerate(MUSCLES)},
                       treatments=[{"agent": "prednisone", "class": "glucocorticoid", "start": "2020-01-01"}]
                       + ([{"agent": "ivig", "class": "ivig", "start": f"{2021}-01-01", "stop": "2021-12-31"}] if j else []))
            if row.get("ck_u_l") is not None and row.get("ck_uln_u_l") is not None:
                row["ck_u_l"] = round(row["ck_u_l"] / (1 + 2 * j), 1)
                row.pop("ck_elevated", None)
            rows.append(row)
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def myoclass_cmd(*args: str) -> list[str]:
    """The command line of ``myoclass ARGS`` in a subprocess (this interpreter, the installed package)."""
    return [sys.executable, "-c", "from myoclass.cli import run; run()", *args]
