"""Registry speed (issue 15): importing visits, the timeline page's data, and re-classification, on SQLite and on
PostgreSQL (the throw-away server of scripts/pg-test-server, started and stopped here when none is given).

For each back end, in the same run:
  * import: `myoclass.registry.service.import_visits` of N visits (registry-like synthetic findings, 3 visits per
    patient, follow-up measures and a treatment) in batches of 500, each visit assessed and stored with its
    assessment; visits/s. Floor: the same rows as JSON text inserted into a bare two-column table in one
    transaction per batch (no validation, no assessment) — what the database alone costs;
  * re-import of the same file (every visit updated, none duplicated): visits/s;
  * the timeline of one patient (its visits, TIS at each, label history): ms, median of 20;
  * reclassify with nothing to do (every stored assessment current): visits checked/s.
Beside them, `myoclass.assess` alone on the same findings (the share of import time that is the assessment).
Usage: python bench/registry.py [N] [--no-postgres]; MYOCLASS_TEST_DATABASE_URL to use a server of your own.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from _registry import visit_rows  # noqa: E402
from myoclass import assess, parse_case  # noqa: E402
from myoclass.registry.service import import_visits, list_patients, open_registry, patient_timeline, reclassify  # noqa: E402


def _floor(url: str, rows: list[dict[str, Any]], batch: int) -> float:
    """Seconds to insert the rows as JSON text into a bare table, one transaction per batch."""
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.begin() as c:
        c.execute(text("DROP TABLE IF EXISTS bench_floor"))
        c.execute(text("CREATE TABLE bench_floor (k VARCHAR(80) PRIMARY KEY, doc TEXT)"))
    t = time.perf_counter()
    for i in range(0, len(rows), batch):
        with eng.begin() as c:
            c.execute(text("INSERT INTO bench_floor (k, doc) VALUES (:k, :d)"),
                      [{"k": f"{r['patient_code']}|{r['visit_date']}", "d": json.dumps(r)} for r in rows[i:i + batch]])
    dt = time.perf_counter() - t
    with eng.begin() as c:
        c.execute(text("DROP TABLE bench_floor"))
    eng.dispose()
    return dt


def _run(name: str, url: str, rows: list[dict[str, Any]], path: Path) -> None:
    reg = open_registry(url)
    t = time.perf_counter()
    res = import_visits(reg, path, "jsonl", "bench", batch_size=500)
    first = time.perf_counter() - t
    t = time.perf_counter()
    res2 = import_visits(reg, path, "jsonl", "bench", batch_size=500)
    again = time.perf_counter() - t
    code = list_patients(reg)[0].patient_code
    times = []
    for _ in range(20):
        t = time.perf_counter()
        patient_timeline(reg, code)
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    rc = reclassify(reg, "bench")
    recl = time.perf_counter() - t
    floor = _floor(url, rows, 500)
    n = len(rows)
    print(f"{name}: {n} visits of {n // 3} patients")
    print(f"  import            {n / first:8.0f} visits/s  ({res.imported} imported, {len(res.rejects)} rejected)")
    print(f"  re-import         {n / again:8.0f} visits/s  ({res2.imported} updated in place)")
    print(f"  floor: bare insert of the rows as JSON {n / floor:8.0f} rows/s (import is {first / floor:5.1f}× the floor)")
    print(f"  timeline of one patient  {1e3 * statistics.median(times):6.1f} ms (median of 20)")
    print(f"  reclassify, nothing to do {n / recl:8.0f} visits checked/s ({rc.checked} checked, {rc.reassessed} re-assessed)")
    reg.close()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n_visits = int(args[0]) if args else 3000
    rows = visit_rows(max(1, n_visits // 3), 3, seed=1)
    cases = [parse_case({k: v for k, v in r.items() if k in _flat_keys()}) for r in rows]
    t = time.perf_counter()
    for c in cases:
        assess(c)
    per = (time.perf_counter() - t) / len(cases)
    print(f"myoclass.assess alone on the same findings: {per * 1e6:.0f} µs/visit ({1 / per:.0f}/s)")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "visits.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        _run("SQLite", f"sqlite:///{Path(d) / 'bench.sqlite3'}", rows, path)
        if "--no-postgres" in sys.argv:
            return
        url = os.environ.get("MYOCLASS_TEST_DATABASE_URL")
        started = False
        env = {**os.environ, "MYOCLASS_PG_DIR": f"/tmp/myoclass-pg-bench-{os.getpid()}"}  # a server of this run's own
        if not url:
            out = subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "start"], capture_output=True, text=True, env=env)
            if out.returncode != 0:
                print(f"PostgreSQL: not run ({out.stderr.strip()[:200]})")
                return
            url, started = out.stdout.strip().splitlines()[-1], True
        try:
            from sqlalchemy import create_engine, text

            admin = create_engine(url, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text("DROP DATABASE IF EXISTS myoclass_bench"))
                c.execute(text("CREATE DATABASE myoclass_bench"))
            admin.dispose()
            bench_url = url.rsplit("/", 1)[0] + "/myoclass_bench"
            _run("PostgreSQL", bench_url, rows, path)
        finally:
            if started:
                subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "stop"], capture_output=True, env=env)


def _flat_keys() -> set[str]:
    from myoclass.model.fields import FIELDS

    return set(FIELDS)


if __name__ == "__main__":
    main()
