"""Batch scoring at cohort scale on the default (embedded) engine.

1. Generates a synthetic registry-like cohort (``myoclass.synthetic``: pictures from anti-HMGCR IMNM to
   dystrophies, with the gaps registries have) of N cases as Parquet, in chunks.
2. Times a plain Parquet read-and-write of that file (the I/O floor, best of five runs), in this process.
3. Times ``myoclass batch FILE -o OUT.parquet`` as a whole process (start-up included), in one process
   (``--workers 1``) and with its default worker processes (one per core), and prints cases per second and
   the ratio to the plain read-and-write.
4. Prints the peak resident memory of the scoring process (and of the largest of its workers) for
   100,000 rows, N rows and 3N rows (streamed batches: bounded once the batch pipeline is full, whatever
   the length of the input).

``--cohort thin`` uses thin published cases instead (issue 10, item 6): the validation set's cases
(data/validation/published_cases.jsonl) with each known finding kept with probability 0.3-0.8, no two
rows equal (``thin_published`` of bench/assess.py).

Usage: python bench/batch.py [--rows 1000000] [--cohort synthetic|thin] [--dir bench/out]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # bench/assess.py (its thin cohort and differential timing)

from myoclass.batch import prepare_scoring_process

prepare_scoring_process()  # the plain read-and-write gets the allocator `myoclass batch` uses

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from myoclass.batch.schema import FLAT_SCHEMA, cases_to_table  # noqa: E402
from myoclass.synthetic import synthetic_cases  # noqa: E402

_PEAK = ("import resource, sys\n"
         "from pathlib import Path\n"
         "from myoclass.batch import prepare_scoring_process\n"
         "prepare_scoring_process()  # as `myoclass batch` does\n"
         "from myoclass.batch.run import run_batch\n"
         "marks = []\n"
         "def seen(n):\n"
         "    marks.append((n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
         "s = run_batch([Path(sys.argv[1])] * int(sys.argv[4]), Path(sys.argv[2]), Path(sys.argv[3]), progress=seen)\n"
         "half = [kb for n, kb in marks if n <= s.scored // 2] or [marks[0][1]]\n"
         "print(s.scored, s.rejected, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, half[-1],\n"
         "      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def cohort_cases(cohort: str, rows: int, seed: int) -> Iterator[dict[str, object]]:
    """The cohort's cases: synthetic registry-like, or thin published (``thin_published`` of bench/assess.py)."""
    if cohort == "thin":
        from assess import thin_published  # bench/assess.py

        return iter(thin_published(rows, seed))
    return synthetic_cases(rows, seed)


def generate(path: Path, rows: int, seed: int = 1, chunk: int = 100_000, cohort: str = "synthetic") -> float:
    t0 = time.perf_counter()
    writer = None
    it = cohort_cases(cohort, rows, seed)
    done = 0
    while done < rows:
        part = [next(it) for _ in range(min(chunk, rows - done))]
        if writer is None:
            writer = pq.ParquetWriter(path, FLAT_SCHEMA)
        writer.write_table(_full(cases_to_table(part)))
        done += len(part)
    assert writer is not None
    writer.close()
    return time.perf_counter() - t0


def _full(table: pa.Table) -> pa.Table:
    """The chunk with every dictionary column (missing ones null), so all chunks share one schema."""
    cols = [table.column(f.name) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
            for f in FLAT_SCHEMA]
    return pa.Table.from_arrays(cols, schema=FLAT_SCHEMA)


def plain_read_write(src: Path, dst: Path) -> float:
    t0 = time.perf_counter()
    pf = pq.ParquetFile(src)
    with pq.ParquetWriter(dst, pf.schema_arrow) as w:
        for b in pf.iter_batches(batch_size=65536):
            w.write_batch(b)
    return time.perf_counter() - t0


def score(src: Path, out: Path, workers: int | None = None) -> tuple[float, str]:
    """``myoclass batch`` as a whole process (``--workers`` when given, else its default: one per core)."""
    exe = Path(sys.executable).with_name("myoclass")
    extra = [] if workers is None else ["--workers", str(workers)]
    t0 = time.perf_counter()
    r = subprocess.run([str(exe), "batch", str(src), "-o", str(out), *extra], capture_output=True, text=True,
                       check=True)
    return time.perf_counter() - t0, r.stderr.strip()


def peak_rss(src: Path, out: Path, times: int = 1) -> tuple[int, int, int, int]:
    """Peak RSS of scoring ``src`` (``times`` times over, as one input) in a fresh process: the process's own,
    its own half way, and the largest of its worker processes' (0 with one worker)."""
    r = subprocess.run([sys.executable, "-c", _PEAK, str(src), str(out), str(out.with_suffix(".rejects.csv")), str(times)],
                       capture_output=True, text=True, check=True)
    scored, _rej, kb, half_kb, child_kb = (int(x) for x in r.stdout.split())
    return scored, kb, half_kb, child_kb


def differential_floor(cohort: str, plain_s_per_row: float, workers: int, n: int = 2_000) -> None:
    """What the exact differential alone costs per row, against what the 10x target leaves per row.

    Times :func:`myoclass.reasoning.differential.compute` (one weighted model count per condition and group
    value over the compiled diagram; with derivatives, the joints that give each next test its
    ``p_present`` and ``expected_information``) on ``n`` rows of the same cohort, one core, rows with the
    same findings computed once as the batch does (``differential_times`` of bench/assess.py)."""
    from assess import differential_times  # bench/assess.py
    from myoclass.reasoning.differential import model_for, prepare

    cases = list(cohort_cases(cohort, n, 1))
    prepare()
    t_with, t_without, vec, _inexact = differential_times(cases, distinct=True)
    table = model_for().dg.table
    budget = 10 * plain_s_per_row * workers
    print(f"the exact differential alone, one core ({len(vec):,} distinct of {len(cases):,} rows; diagram "
          f"{table.n:,} nodes, {int(table.cone_start[-1]):,} cone entries; {sum(vec) / len(vec):.1f} weight vectors a row):")
    print(f"  {1e6 * t_with:.0f} us a row with the next tests' information, {1e6 * t_without:.0f} us without; "
          f"the 10x target leaves {1e6 * budget:.1f} us a row for everything on {workers} core(s): the differential "
          f"alone is {t_with / budget:.1f}x that ({t_without / budget:.1f}x without the next tests' information)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cohort", choices=("synthetic", "thin"), default="synthetic")
    ap.add_argument("--dir", type=Path, default=Path(__file__).with_name("out"))
    a = ap.parse_args()
    a.dir.mkdir(parents=True, exist_ok=True)
    tag = "" if a.cohort == "synthetic" else "thin-"
    big = a.dir / f"cohort-{tag}{a.rows}.parquet"
    small = a.dir / f"cohort-{tag}100000.parquet"
    import os

    what = "synthetic registry-like" if a.cohort == "synthetic" else "thin published (validation set, findings hidden)"
    print(f"machine: {os.cpu_count()} CPUs; cohort: {a.rows:,} {what} cases")
    if not big.exists():
        print(f"generating {big.name} ... {generate(big, a.rows, cohort=a.cohort):.1f} s")
    if not small.exists() and a.rows != 100_000:
        generate(small, 100_000, cohort=a.cohort)
    size = big.stat().st_size / 1e6
    # the floor is a fraction of a second on a thin cohort: the best of five runs, so one slow run of a shared machine
    # does not flatter the ratio
    t_plain = min(plain_read_write(big, a.dir / "plain-copy.parquet") for _ in range(5))
    print(f"plain Parquet read-and-write (best of 5): {t_plain:.2f} s ({a.rows / t_plain:,.0f} rows/s, {size:.0f} MB)")
    from myoclass.batch.run import batches_in_flight, default_workers

    workers = default_workers()
    for w, how in ((1, "one process (--workers 1)"), (None, f"default: {workers} worker processes")):
        if w is None and workers == 1:
            continue
        t_score, msg = score(big, a.dir / "scored.parquet", w)
        print(f"myoclass batch (whole process, {how}): {t_score:.2f} s = {a.rows / t_score:,.0f} cases/s "
              "[issue 10 target: within 10x]; "
              f"{t_score / t_plain:.1f}x the plain read-and-write")
        print(f"  {msg}")
    differential_floor(a.cohort, t_plain / a.rows, workers)
    runs = ([(small, 1)] if a.rows != 100_000 else []) + [(big, 1), (big, 3)]
    for src, times in runs:
        n, kb, half_kb, child_kb = peak_rss(src, a.dir / "rss.parquet", times)
        what = f"{n:,} rows" + (f" (the cohort {times} times over, one input)" if times > 1 else "")
        workers_too = f"; each of {workers} workers at most {child_kb / 1024:.0f} MB" if child_kb else ""
        print(f"peak RSS scoring {what}: {kb / 1024:.0f} MB (already {half_kb / 1024:.0f} MB half way){workers_too}")
    print(f"  streamed batches of 8,192 rows, up to {batches_in_flight(workers)} being scored at once, one read ahead and one"
          " being written:\n  memory rises until that pipeline is full, then stays bounded however long the input")

if __name__ == "__main__":
    main()
