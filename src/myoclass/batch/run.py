"""Stream flat cases from CSV, Parquet or JSON Lines through :func:`score_batch` into a results file.

Input is read batch by batch (never the whole file in memory), every batch is scored on the
embedded engine (columns + the native row loop on all cores), and results are appended to the
output as they come. Rows that break a value rule go to the rejects file with their line (JSON
Lines), their row number (Parquet) or their line counting the header (CSV), and the reason; the
run never stops for them.
"""

from __future__ import annotations

import glob
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from myoclass.batch.schema import FLAT_SCHEMA
from myoclass.batch.score import Reject, output_schema, score_batch
from myoclass.criteria import Policy
from myoclass.io._json import DecodeError, dumps, loads
from myoclass.model.case import InvalidCase, case_id_of, check_keys, parse_case
from myoclass.model.fields import FIELDS
from myoclass.reasoning.engine import engine

__all__ = ["BatchStats", "drop_rejected", "estimate_records", "input_files", "renumber", "run_batch"]

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".json": "jsonl"}
_TRUE = {"true", "yes", "1", "positive", "True", "TRUE", "Yes", "YES", "Positive"}
_FALSE = {"false", "no", "0", "negative", "False", "FALSE", "No", "NO", "Negative"}


@dataclass
class BatchStats:
    scored: int = 0
    rejected: int = 0
    files: list[str] = field(default_factory=list)


def input_files(spec: str) -> list[Path]:
    """A file, a directory (its CSV, Parquet and JSON Lines files) or a glob, sorted."""
    p = Path(spec)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix.lower() in FORMATS and f.is_file())
    elif p.exists():
        files = [p]
    else:
        files = sorted(Path(f) for f in glob.glob(spec) if Path(f).suffix.lower() in FORMATS)
    if not files:
        raise FileNotFoundError(f"{spec}: no CSV, Parquet or JSON Lines input found")
    for f in files:
        if f.suffix.lower() not in FORMATS:
            raise ValueError(f"{f}: unknown format; allowed: .csv, .parquet, .jsonl")
    return files


def estimate_records(files: list[Path]) -> int:
    """How many records the inputs hold, for a progress bar: exact for Parquet (from its metadata); for
    CSV and JSON Lines the lines (a quoted line break in a CSV cell, or a blank line, counts one too many)."""
    total = 0
    for f in files:
        fmt = FORMATS[f.suffix.lower()]
        if fmt == "parquet":
            total += pq.ParquetFile(f).metadata.num_rows
            continue
        lines, last = 0, b"\n"
        with open(f, "rb") as fh:
            while chunk := fh.read(1 << 24):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        lines += last != b"\n"  # a last line without a line break
        total += max(0, lines - (fmt == "csv"))  # the CSV header is not a record
    return total


def _from_strings(t: pa.Table) -> tuple[pa.Table, dict[int, str]]:
    """CSV cells (text) to the dictionary's types; a cell that does not convert rejects its row."""
    bad: dict[int, str] = {}
    cols = []
    for f in FLAT_SCHEMA:
        if f.name not in t.column_names:
            continue
        col = t.column(f.name).combine_chunks()
        spec = FIELDS[f.name]
        if not pa.types.is_string(col.type):  # already typed (e.g. Parquet beside CSV text)
            cols.append(col)
            continue
        trimmed = pc.utf8_trim_whitespace(col)
        col = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)  # empty: unknown
        if spec.kind == "bool":
            is_t = pc.is_in(col, value_set=pa.array(sorted(_TRUE)))
            is_f = pc.is_in(col, value_set=pa.array(sorted(_FALSE)))
            wrong = pc.and_(pc.is_valid(col), pc.invert(pc.or_(is_t, is_f)))
            for j in np.flatnonzero(np.asarray(wrong.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)):
                bad.setdefault(int(j), f"{f.name}: {col[int(j)].as_py()!r} is not allowed; allowed: true/false, "
                                       "yes/no, 1/0, positive/negative or empty (unknown)")
            typed = pc.if_else(is_t, True, pc.if_else(is_f, False, pa.scalar(None, pa.bool_())))
            cols.append(pc.if_else(wrong, pa.scalar(None, pa.bool_()), typed))
        elif spec.kind == "number":
            try:
                cols.append(pc.cast(col, pa.float64()))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                vals = []
                for k, x in enumerate(col.to_pylist()):
                    try:
                        vals.append(None if x is None else float(x))
                    except ValueError:
                        bad.setdefault(k, f"{f.name}: {x!r} is not a number")
                        vals.append(None)
                cols.append(pa.array(vals, pa.float64()))
        else:
            cols.append(col)
    names = [f.name for f in FLAT_SCHEMA if f.name in t.column_names]
    return pa.Table.from_arrays(cols, names=names), bad


def _batches(path: Path, batch_size: int) -> Iterator[tuple[pa.Table, np.ndarray, dict[int, str], list[Reject]]]:
    """Yield (table, each row's line/row number in the file, problems found while reading by table
    index, records rejected before they became rows)."""
    fmt = FORMATS[path.suffix.lower()]
    if fmt == "parquet":
        pf = pq.ParquetFile(path)
        check_keys(pf.schema_arrow.names)
        row = 0
        for b in pf.iter_batches(batch_size=batch_size):
            t = pa.Table.from_batches([b])
            yield t, np.arange(row, row + t.num_rows), {}, []
            row += t.num_rows
    elif fmt == "csv":
        header = pacsv.open_csv(path)
        check_keys(header.schema.names)
        strings = {n: pa.string() for n in header.schema.names}
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 22),
                                convert_options=pacsv.ConvertOptions(column_types=strings, strings_can_be_null=True))
        row = 0
        for b in reader:
            t, bad = _from_strings(pa.Table.from_batches([b]))
            yield t, np.arange(row, row + t.num_rows) + 2, bad, []  # line in the file: 1-based, after the header
            row += t.num_rows
    else:
        yield from _jsonl(path, batch_size)


def _jsonl(path: Path, batch_size: int) -> Iterator[tuple[pa.Table, np.ndarray, dict[int, str], list[Reject]]]:
    rows: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    lines: list[int] = []
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = loads(line)
            except DecodeError as e:
                rejects.append(Reject(n, None, f"(line): not valid JSON ({e})"))
                continue
            if not _plain(obj):
                try:
                    parse_case(obj)
                    reason = "invalid record"  # pragma: no cover - _plain mirrors parse_case's type checks
                except InvalidCase as e:
                    reason = str(e)
                rejects.append(Reject(n, case_id_of(obj), reason))
                continue
            rows.append(obj)
            lines.append(n)
            if len(rows) >= batch_size:
                yield _jsonl_table(rows), np.array(lines, dtype=np.int64), {}, rejects
                rows, lines, rejects = [], [], []
    if rows or rejects:
        yield _jsonl_table(rows), np.array(lines, dtype=np.int64), {}, rejects


def _plain(obj: Any) -> bool:
    """A JSON object whose keys are the dictionary's and whose values have the right JSON types."""
    if not isinstance(obj, dict):
        return False
    for k, v in obj.items():
        spec = FIELDS.get(k)
        if spec is None:
            return False
        if v is None:
            continue
        kind = spec.kind
        if kind == "bool" and not isinstance(v, bool):
            return False
        if kind == "number" and (isinstance(v, bool) or not isinstance(v, int | float)):
            return False
        if kind in ("enum", "string") and not isinstance(v, str):
            return False
    return True


def _jsonl_table(rows: list[dict[str, Any]]) -> pa.Table:
    keys: dict[str, None] = {"case_id": None}
    for r in rows:
        keys.update(dict.fromkeys(r))
    return pa.Table.from_pylist(rows, schema=pa.schema([f for f in FLAT_SCHEMA if f.name in keys]))


class _Writer:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.fmt = FORMATS.get(path.suffix.lower())
        if self.fmt is None:
            raise ValueError(f"{path}: unknown output format; allowed: .parquet, .csv, .jsonl")
        self.path = path
        self.schema = schema
        if self.fmt == "parquet":
            self.pq = pq.ParquetWriter(path, schema)
        elif self.fmt == "csv":
            self.csv = pacsv.CSVWriter(path, schema)
        else:
            self.fh = open(path, "w", encoding="utf-8")

    def write(self, t: pa.Table) -> None:
        t = t.replace_schema_metadata(self.schema.metadata)
        if self.fmt == "parquet":
            self.pq.write_table(t)
        elif self.fmt == "csv":
            self.csv.write_table(t)
        else:
            self.fh.write("".join(dumps(r) + "\n" for r in t.to_pylist()))

    def close(self) -> None:
        if self.fmt == "parquet":
            self.pq.close()
        elif self.fmt == "csv":
            self.csv.close()
        else:
            self.fh.close()


def _prefetch(pool: ThreadPoolExecutor, it: Iterator[Any]) -> Iterator[Any]:
    """Iterate ``it`` one item ahead on ``pool``."""
    sentinel = object()
    nxt = pool.submit(next, it, sentinel)
    while True:
        item = nxt.result()
        if item is sentinel:
            return
        nxt = pool.submit(next, it, sentinel)
        yield item


def run_batch(inputs: list[Path], output: Path, rejects_path: Path, policy: Policy = Policy(),
              batch_size: int = 65536, progress: Callable[[int], None] | None = None) -> BatchStats:
    """Score every case of ``inputs`` into ``output``; bad rows into ``rejects_path`` (CSV).

    ``row`` in the output is the line of the case in its file (JSON Lines and CSV) or its row number
    (Parquet, from 0); ``source`` names the file.
    """
    eng = engine(policy)
    from myoclass import __version__

    meta = {"myoclass": __version__, "policy": dumps(policy.__dict__),
            "criteria": dumps({s.id: s.version for s in eng.sets})}
    schema = output_schema(eng).insert(0, pa.field("source", pa.string())).with_metadata(meta)
    stats = BatchStats(files=[str(p) for p in inputs])
    writer = _Writer(output, schema)
    rej_rows: list[dict[str, Any]] = []
    # Reading ahead, writing behind and a second batch being prepared overlap with the C row loop of
    # the first (Arrow and the native search release the GIL); results are written in input order.
    io = ThreadPoolExecutor(2)
    scorers = ThreadPoolExecutor(2)
    pending_write: Future[None] | None = None
    in_flight: deque[tuple[Path, np.ndarray, Future[tuple[pa.Table, list[Reject]]]]] = deque()

    def finish(path: Path, numbers: np.ndarray, fut: Future[tuple[pa.Table, list[Reject]]]) -> None:
        nonlocal pending_write
        results, rejects = renumber(fut.result(), numbers)
        rej_rows.extend(_reject_row(path, r) for r in rejects)
        if pending_write is not None:
            pending_write.result()
        pending_write = io.submit(writer.write, _with_source(results, path))
        stats.scored += results.num_rows
        stats.rejected = len(rej_rows)
        if progress:
            progress(stats.scored + stats.rejected)

    try:
        for path in inputs:
            for t, numbers, read_bad, early in _prefetch(io, _batches(path, batch_size)):
                t, numbers, read_rejects = drop_rejected(t, numbers, read_bad)
                rej_rows += [_reject_row(path, r) for r in early + read_rejects]
                in_flight.append((path, numbers, scorers.submit(score_batch, t, policy, 0)))
                if len(in_flight) >= 2:
                    finish(*in_flight.popleft())
        while in_flight:
            finish(*in_flight.popleft())
    finally:
        scorers.shutdown()
        if pending_write is not None:
            pending_write.result()
        io.shutdown()
        writer.close()
        order = {str(p): k for k, p in enumerate(inputs)}
        rej_rows.sort(key=lambda r: (order.get(r["source"], 0), r["line"]))
        pacsv.write_csv(pa.Table.from_pylist(rej_rows, schema=pa.schema([
            ("source", pa.string()), ("line", pa.int64()), ("case_id", pa.string()), ("reason", pa.string())])),
            rejects_path)
    stats.rejected = len(rej_rows)
    return stats


def drop_rejected(t: pa.Table, numbers: np.ndarray, bad: dict[int, str]) -> tuple[pa.Table, np.ndarray, list[Reject]]:
    """Rows found bad while reading (``bad``: reason by place in ``t``) leave the batch as rejects,
    numbered by ``numbers`` (each row's line or row number in its file); the rest stay with their numbers."""
    if not bad:
        return t, numbers, []
    rejects = [Reject(int(numbers[i]), _cid(t, i), why) for i, why in sorted(bad.items())]
    keep = np.ones(t.num_rows, dtype=bool)
    keep[list(bad)] = False
    return t.filter(pa.array(keep)), numbers[keep], rejects


def renumber(scored: tuple[pa.Table, list[Reject]], numbers: np.ndarray) -> tuple[pa.Table, list[Reject]]:
    """The results and rejects of :func:`score_batch` (``row``: the place in the batch it scored) with
    ``row`` as the number of each row in its file (``numbers``)."""
    results, rejects = scored
    rows = numbers[results.column("row").to_numpy()]
    results = results.set_column(results.schema.get_field_index("row"), "row", pa.array(rows, pa.int64()))
    return results, [Reject(int(numbers[r.row]), r.case_id, r.reason) for r in rejects]


def _cid(t: pa.Table, i: int) -> str | None:
    if "case_id" not in t.column_names:
        return None
    v = t.column("case_id")[i].as_py()
    return v if isinstance(v, str) else None


def _reject_row(path: Path, r: Reject) -> dict[str, Any]:
    return {"source": str(path), "line": r.row, "case_id": r.case_id, "reason": r.reason}


def _with_source(t: pa.Table, path: Path) -> pa.Table:
    return t.add_column(0, "source", pa.repeat(pa.scalar(str(path), pa.string()), t.num_rows))
