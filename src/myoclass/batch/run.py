"""Stream flat cases from CSV, Parquet or JSON Lines, or GA4GH phenopackets, through :func:`score_batch` into a
results file.

Input is read batch by batch (never the whole file in memory), every batch is scored on the
embedded engine (columns + the native row loop on all cores), and results are appended to the
output as they come. Rows that break a value rule, and CSV rows that are not well formed
(:mod:`.csvread`), go to the rejects file with their line (JSON Lines, CSV) or their row number
(Parquet), and the reason; the run never stops for them.

The output and the rejects file are written under temporary names and renamed into place only when
the run succeeds, and neither may be an input (:mod:`.output`).

**Phenopackets.** ``.json`` files holding one Phenopacket v2 object each are read through
:func:`.phenopackets.phenopacket_records`: one case per file (``row`` 1, ``source`` the file), and a packet that is
not JSON, not a valid Phenopacket or breaks a value rule is one reject naming its file; the other packets are
scored. Which ``.json`` inputs are phenopackets is decided over the files of one input argument
(:func:`input_formats`): when one of them is a Phenopacket, each ``.json`` file whose first line is not a JSON value
of its own (a multi-line document: a packet, or a broken one) is read as a phenopacket, and a ``.json`` file of
JSON Lines beside them (its first line a complete JSON value that is not a packet) is still read as JSON Lines. Runs
of consecutive packets are scored together, ``batch_size`` packets at a time.
"""

from __future__ import annotations

import contextlib
import glob
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from myoclass.batch import csvread
from myoclass.batch.output import Staged, UnsafeOutput, check_targets, inert, inert_text
from myoclass.batch.phenopackets import is_phenopacket_file, phenopacket_records
from myoclass.batch.schema import FLAT_SCHEMA, REFERENCE, check_columns
from myoclass.batch.score import check_reading, output_schema, reference_problem, score_batch
from myoclass.criteria import Policy
from myoclass.io.cells import BOOL_CELL_ALLOWED, CELL_FALSE, CELL_TRUE
from myoclass.io.json import DecodeError, TooDeep, dumps, loads
from myoclass.io.jsonl import json_lines
from myoclass.io.phenopacket import MissingExtra, is_phenopacket, parse_phenopacket
from myoclass.io.rejects import Reject
from myoclass.model.case import InvalidCase, allowed_values, case_id_of, parse_case
from myoclass.model.fields import FIELDS
from myoclass.model.labels import LABELS
from myoclass.reasoning.engine import engine

__all__ = ["COMPLETED", "READING", "ROWS_REJECTED", "ROWS_SCORED", "BatchStats", "UnsafeOutput", "batches_in_flight",
           "check_outputs", "default_workers", "drop_rejected", "estimate_records", "has_reference", "input_files", "input_formats",
           "needs_conversion", "renumber", "run_batch"]

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".json": "jsonl"}
#: key-value metadata of a Parquet output, written when the run completes
COMPLETED, ROWS_SCORED, ROWS_REJECTED = "myoclass.completed", "myoclass.rows_scored", "myoclass.rows_rejected"
#: key-value metadata of a Parquet output (in its schema, beside the policy): the differential's reading policy
READING = "myoclass.reading"
#: the format of a ``.json`` input that is a GA4GH phenopacket (:func:`input_formats`)
PHENOPACKET = "phenopacket"
#: how much of a ``.json`` file's first line :func:`input_formats` reads to see whether it is JSON Lines
_FIRST_LINE_BYTES = 1 << 20


@dataclass
class BatchStats:
    scored: int = 0
    rejected: int = 0
    files: list[str] = field(default_factory=list)


def input_files(spec: str) -> list[Path]:
    """A file, a directory (its CSV, Parquet, JSON Lines and phenopacket JSON files; not its subdirectories) or a
    glob, sorted. Raises ValueError when some inputs are phenopackets and their reader is not installed."""
    p = Path(spec)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix.lower() in FORMATS and f.is_file())
    elif p.exists():
        files = [p]
    else:
        files = sorted(Path(f) for f in glob.glob(spec) if Path(f).suffix.lower() in FORMATS)
    if not files:
        hint = ""
        with contextlib.suppress(OSError):  # a subdirectory that cannot be listed gives no hint
            if p.is_dir() and any(f.suffix.lower() in FORMATS for d in p.iterdir() if d.is_dir() for f in d.iterdir()):
                hint = (" (a directory is not searched recursively: name its subdirectories with a glob, e.g. "
                        f"'{p}/*/*.json')")
        raise FileNotFoundError(f"{spec}: no CSV, Parquet or JSON Lines input, nor phenopacket JSON, found{hint}")
    for f in files:
        if f.suffix.lower() not in FORMATS:
            raise ValueError(f"{f}: unknown format; allowed: .csv, .parquet, .jsonl, .json (JSON Lines or a "
                             "phenopacket)")
    _check_packet_reader(input_formats(files))
    return files


def _json_lines_file(path: Path) -> bool:
    """Whether the first non-blank line of ``path`` is a JSON value of its own that is not a phenopacket (a ``.json``
    file of JSON Lines); a pretty-printed document's first line (``{``) is not."""
    try:
        with open(path, "rb") as fh:
            while line := fh.readline(_FIRST_LINE_BYTES):
                if line.strip():
                    return not is_phenopacket(loads(line))
    except (OSError, DecodeError, TooDeep):
        return False
    return False


def input_formats(files: list[Path]) -> list[str]:
    """The format of each of ``files`` (the inputs of one argument: a file, a directory or a glob): by its suffix
    (:data:`FORMATS`), except that when one of the ``.json`` files is a Phenopacket v2 (:func:`.is_phenopacket_file`),
    each ``.json`` file that is not JSON Lines (its first line a JSON value of its own) is :data:`PHENOPACKET`, so a
    broken packet among packets is one reject rather than one per line."""
    fmts = [FORMATS[f.suffix.lower()] for f in files]
    maybe = [k for k, f in enumerate(files) if f.suffix.lower() == ".json" and not _json_lines_file(f)]
    if any(is_phenopacket_file(files[k]) for k in maybe):  # stops at the first packet
        for k in maybe:
            fmts[k] = PHENOPACKET
    return fmts


def _check_packet_reader(formats: list[str]) -> None:
    """Before anything is read: phenopackets among the inputs need the ``phenopackets`` extra (ValueError if absent,
    rather than every packet a reject)."""
    if PHENOPACKET in formats:
        try:
            parse_phenopacket({})  # an empty packet is valid: this only loads the bindings
        except MissingExtra as e:
            raise ValueError(str(e)) from None


def estimate_records(files: list[Path]) -> int:
    """How many records the inputs hold, for a progress bar: exact for Parquet (from its metadata) and phenopackets
    (one per file); for CSV and JSON Lines the lines (a quoted line break in a CSV cell, or a blank line, counts one
    too many)."""
    total = 0
    for f, fmt in zip(files, input_formats(files), strict=True):
        if fmt == "parquet":
            total += pq.ParquetFile(f).metadata.num_rows
            continue
        if fmt == PHENOPACKET:
            total += 1
            continue
        lines, last = 0, b"\n"
        with open(f, "rb") as fh:
            while chunk := fh.read(1 << 24):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        lines += last != b"\n"  # a last line without a line break
        total += max(0, lines - (fmt == "csv"))  # the CSV header is not a record
    return total


def has_reference(files: list[Path]) -> bool:
    """Whether some input has a ``reference_label`` column: in a Parquet schema, in a CSV header, or as a key
    of some JSON Lines record (the file's text is scanned for the quoted key, stopping at the first). A phenopacket
    has none."""
    needle = f'"{REFERENCE}"'.encode()
    for f, fmt in zip(files, input_formats(files), strict=True):
        if fmt == PHENOPACKET:
            continue
        if fmt == "parquet":
            if REFERENCE in pq.read_schema(f).names:
                return True
        elif fmt == "csv":
            if REFERENCE in csvread.read_header(f)[0]:
                return True
        else:
            tail = b""
            with open(f, "rb") as fh:
                while chunk := fh.read(1 << 24):
                    if needle in tail + chunk[:len(needle)] or needle in chunk:
                        return True
                    tail = chunk[-(len(needle) - 1):]
    return False


def _from_strings(t: pa.Table) -> tuple[pa.Table, dict[int, str]]:
    """CSV cells (text) to the dictionary's types; a cell that does not convert rejects its row.

    Only an empty or blank cell is unknown: ``NA``, ``null`` or ``nan`` are values like any other (a
    boolean or enum column rejects them, a number column rejects ``nan`` and ``inf`` as not finite).
    A ``reference_label`` column is kept, read as an enum column is (:func:`.score.score_batch` checks it)."""
    bad: dict[int, str] = {}
    cols = []
    names = []
    for f in [*FLAT_SCHEMA, pa.field(REFERENCE, pa.string())]:
        if f.name not in t.column_names:
            continue
        names.append(f.name)
        col = t.column(f.name).combine_chunks()
        spec = FIELDS.get(f.name)
        if pa.types.is_dictionary(col.type):  # a categorical column (pandas): its values
            col = col.dictionary_decode()
        if pa.types.is_large_string(col.type):
            col = col.cast(pa.string())
        if pa.types.is_null(col.type) or (col.type == f.type and not pa.types.is_string(col.type)):  # typed
            cols.append(col)
            continue
        if not pa.types.is_string(col.type):  # typed otherwise (Parquet): converted cell by cell, never coerced
            cols.append(_from_typed(f, col, bad))
            continue
        trimmed = pc.utf8_trim_whitespace(col)
        col = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)  # empty: unknown
        if spec is None:  # reference_label: a label of the vocabulary in any case, as an enumerated value
            low = pc.utf8_lower(col)
            cols.append(pc.if_else(pc.is_in(low, value_set=pa.array(list(LABELS))), low, col))
        elif spec.kind == "bool":
            low = pc.utf8_lower(col)
            is_t = pc.is_in(low, value_set=pa.array(sorted(CELL_TRUE)))
            is_f = pc.is_in(low, value_set=pa.array(sorted(CELL_FALSE)))
            wrong = pc.and_(pc.is_valid(col), pc.invert(pc.or_(is_t, is_f)))
            for j in np.flatnonzero(np.asarray(wrong.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)):
                _add(bad, int(j), f"{f.name}: {col[int(j)].as_py()!r} is not allowed; allowed: {BOOL_CELL_ALLOWED}")
            typed = pc.if_else(is_t, True, pc.if_else(is_f, False, pa.scalar(None, pa.bool_())))
            cols.append(pc.if_else(wrong, pa.scalar(None, pa.bool_()), typed))
        elif spec.kind == "number":
            try:
                cols.append(pc.cast(col, pa.float64()))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                vals = []
                for k, x in enumerate(col.to_pylist()):
                    try:
                        if x is not None and "_" in x:  # float() takes 1_000; Arrow's cast does not
                            raise ValueError(x)
                        vals.append(None if x is None else float(x))
                    except ValueError:
                        _add(bad, k, f"{f.name}: {x!r} is not a number; allowed: {_number_allowed(f.name)}")
                        vals.append(None)
                cols.append(pa.array(vals, pa.float64()))
        elif spec.kind == "enum":  # in any case, stored as the data dictionary spells it (io.cells.enum_cell)
            low = pc.utf8_lower(col)
            cols.append(pc.if_else(pc.is_in(low, value_set=pa.array(list(spec.values))), low, col))
        else:
            cols.append(col)
    return pa.Table.from_arrays(cols, names=names), bad


def _add(bad: dict[int, str], row: int, problem: str) -> None:
    """One more problem of a row found while reading: every field at fault is named, not only the first."""
    bad[row] = f"{bad[row]}; {problem}" if row in bad else problem


def _number_allowed(name: str) -> str:
    """What a number cell allows, in the words of a CSV cell (an empty one is unknown)."""
    return allowed_values(FIELDS[name]).removesuffix(" or null") + " or empty (unknown)"


def _allowed(f: pa.Field) -> str:
    kind = FIELDS[f.name].kind if f.name in FIELDS else "enum"
    return {"bool": "a boolean, 1/0, text true/false or null (unknown)",
            "number": "a number or null (unknown)"}.get(kind, "text or null (unknown)")


def _from_typed(f: pa.Field, col: pa.Array, bad: dict[int, str]) -> pa.Array:
    """A typed column that is not of its field's type (a Parquet file written by another tool) converted cell by
    cell: 0/1 numbers to booleans, integers to numbers, numbers and booleans to text; any other value rejects its
    row (a 2 or 0.5 in a boolean column, a boolean in a number column, a list anywhere), named with what is
    allowed. Arrow's own cast would read 2 as true and stop the file at the first text it cannot parse."""
    target = f.type
    wrong: pa.Array | None = None
    out: pa.Array
    if pa.types.is_boolean(target) and (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
        ok = pc.is_in(col, value_set=pa.array([0, 1], col.type))
        wrong = pc.and_(pc.is_valid(col), pc.invert(ok))
        out = pc.if_else(wrong, pa.scalar(None, pa.bool_()), pc.not_equal(col, pa.scalar(0, col.type)))
    elif pa.types.is_floating(target) and (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
                                           or pa.types.is_decimal(col.type)):
        # an integer past 2**53, or a decimal (a SQL NUMERIC export), is read as the nearest double: a number field
        # is a double, and Arrow's safe cast would stop the whole file at the first such value
        out = col.cast(target, safe=False)
    elif pa.types.is_string(target) and (pa.types.is_integer(col.type) or pa.types.is_boolean(col.type)
                                         or pa.types.is_floating(col.type)):
        out = col.cast(target)  # a case_id written as a number; an enum so written is refused by its own check
    else:
        wrong = pc.is_valid(col)
        out = pa.nulls(len(col), target)
    if wrong is not None:
        for j in np.flatnonzero(np.asarray(wrong.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)):
            value = col[int(j)].as_py()
            shown = repr(value) if not isinstance(value, list | dict) else ("a list" if isinstance(value, list) else "an object")
            _add(bad, int(j), f"{f.name}: {shown} is not allowed (column of type {col.type}); allowed: "
                                   f"{_allowed(f)}")
    return out


#: each field's column type
_TYPE_OF = {f.name: f.type for f in FLAT_SCHEMA}


def needs_conversion(schema: pa.Schema) -> bool:
    """Whether some column of ``schema`` (a key of the data dictionary) is not of its field's type: text (CSV), or a
    Parquet column typed otherwise, which :func:`_from_strings` converts cell by cell."""
    return any(f.name in _TYPE_OF and f.type != _TYPE_OF[f.name] and not pa.types.is_null(f.type) for f in schema)


#: where the rows of a batch come from: one file, or (phenopackets) a file per row, the row's number its place in the list
_Source = Path | list[Path]
_Batch = tuple[_Source, pa.Table, np.ndarray, dict[int, str], list[Reject]]


def _read(inputs: list[Path], formats: list[str], batch_size: int) -> Iterator[_Batch]:
    """The batches of every input in order: those of each file, and those of each run of consecutive phenopackets."""
    k = 0
    while k < len(inputs):
        if formats[k] == PHENOPACKET:
            j = k
            while j < len(inputs) and formats[j] == PHENOPACKET:
                j += 1
            yield from _packets(inputs[k:j], batch_size)
            k = j
        else:
            path = inputs[k]
            for t, numbers, bad, early in _batches(path, formats[k], batch_size):
                yield path, t, numbers, bad, early
            k += 1


def _packets(paths: list[Path], batch_size: int) -> Iterator[_Batch]:
    """Phenopackets, ``batch_size`` files to a batch: (the batch's files, table, each row's place in that list, {},
    the files rejected while reading, numbered by their place too)."""
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    rejects: list[Reject] = []
    src: list[Path] = []
    for path in paths:
        k = len(src)
        src.append(path)
        for rec in phenopacket_records([path]):
            if isinstance(rec, Reject):
                rejects.append(Reject(k, rec.case_id, rec.reason))
            elif not _plain(rec[1]):  # parse_case took it; the reading gave a value of another JSON type
                rejects.append(Reject(k, case_id_of(rec[1]), "not a flat case of the data dictionary"))
            else:
                rows.append(rec[1])
                numbers.append(k)
        if len(src) >= batch_size:
            yield src, _jsonl_table(rows), np.array(numbers, dtype=np.int64), {}, rejects
            rows, numbers, rejects, src = [], [], [], []
    if src:
        yield src, _jsonl_table(rows), np.array(numbers, dtype=np.int64), {}, rejects


def _batches(path: Path, fmt: str, batch_size: int) -> Iterator[tuple[pa.Table, np.ndarray, dict[int, str],
                                                                      list[Reject]]]:
    """Yield (table, each row's line/row number in the file, problems found while reading by table
    index, records rejected before they became rows)."""
    if fmt == "parquet":
        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:  # as a CSV header with a repeated column: which value is meant cannot be known
            raise ValueError(f"{path}: column {dup[0]!r} appears more than once; allowed: each column once")
        check_columns(names)
        row = 0
        convert = needs_conversion(pf.schema_arrow)
        for b in pf.iter_batches(batch_size=batch_size):
            t = pa.Table.from_batches([b])
            bad: dict[int, str] = {}
            if convert:  # a column of another type: converted cell by cell, a bad cell rejecting its row
                t, bad = _from_strings(t)
            yield t, np.arange(row, row + t.num_rows), bad, []
            row += t.num_rows
    elif fmt == "csv":
        names, offset, first_line = csvread.read_header(path)
        check_columns(names)
        for text, lines, problems in csvread.read_rows(path, names, offset, first_line):
            early = problems
            for k in range(0, max(text.num_rows, 1), batch_size):
                t, bad = _from_strings(text.slice(k, batch_size))
                yield t, lines[k:k + batch_size], bad, early if k == 0 else []
    elif fmt == "jsonl":
        yield from _jsonl(path, batch_size)
    else:
        raise ValueError(f"{path}: format {fmt!r} is not read file by file")


def _jsonl(path: Path, batch_size: int) -> Iterator[tuple[pa.Table, np.ndarray, dict[int, str], list[Reject]]]:
    rows: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    lines: list[int] = []
    with open(path, "rb") as fh:
        for rec in json_lines(fh):  # a line that is not JSON, or nests too deep, is a reject already
            if isinstance(rec, Reject):
                rejects.append(rec)
                continue
            n, obj = rec
            if not _plain(obj):
                reasons: list[str] = []
                case, why = obj, None
                if isinstance(obj, dict) and REFERENCE in obj:  # not a key of the case: checked on its own
                    case = {k: v for k, v in obj.items() if k != REFERENCE}
                    why = reference_problem(obj[REFERENCE]) if not isinstance(obj[REFERENCE], str) else None
                try:
                    parse_case(case)
                except InvalidCase as e:
                    reasons.append(str(e))
                if case is not obj and why:
                    reasons.append(why)
                rejects.append(Reject(n, case_id_of(obj), "; ".join(reasons) or "invalid record"))
                continue
            huge = _huge_integers(obj)
            if huge:  # an integer past 2**53 is read as the nearest double (Arrow refuses to round it); one too large
                # for a double never gets here: the JSON reader refuses its line
                obj = {**obj, **{k: float(obj[k]) for k in huge}}
            rows.append(obj)
            lines.append(n)
            if len(rows) >= batch_size:
                yield _jsonl_table(rows), np.array(lines, dtype=np.int64), {}, rejects
                rows, lines, rejects = [], [], []
    if rows or rejects:
        yield _jsonl_table(rows), np.array(lines, dtype=np.int64), {}, rejects


#: the largest integer a double holds exactly
_EXACT_INT = 2 ** 53


def _huge_integers(obj: dict[str, Any]) -> list[str]:
    """The number fields of a plain record holding an integer a double cannot hold exactly."""
    return [k for k, v in obj.items() if k in FIELDS and FIELDS[k].kind == "number" and isinstance(v, int)
            and not isinstance(v, bool) and abs(v) > _EXACT_INT]


def _plain(obj: Any) -> bool:
    """A JSON object whose keys are the dictionary's and whose values have the right JSON types."""
    if not isinstance(obj, dict):
        return False
    for k, v in obj.items():
        spec = FIELDS.get(k)
        if spec is None:
            if k == REFERENCE and (v is None or isinstance(v, str)):  # its vocabulary is checked when scored
                continue
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
    fields = [f for f in FLAT_SCHEMA if f.name in keys]
    if REFERENCE in keys:
        fields.append(pa.field(REFERENCE, pa.string()))
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))


class _Writer:
    """Results into ``path`` (the temporary name of the output): Parquet, CSV (formula-like text inert) or
    JSON Lines."""

    def __init__(self, path: Path, fmt: str, schema: pa.Schema) -> None:
        self.fmt = fmt
        self.schema = schema
        if fmt == "parquet":
            self.pq = pq.ParquetWriter(path, schema)
        elif fmt == "csv":
            self.csv = pacsv.CSVWriter(path, schema)
        else:
            self.fh = open(path, "w", encoding="utf-8")

    def write(self, t: pa.Table) -> None:
        t = t.replace_schema_metadata(self.schema.metadata)
        if self.fmt == "parquet":
            self.pq.write_table(t)
        elif self.fmt == "csv":
            self.csv.write_table(inert(t))
        else:
            self.fh.write("".join(dumps(r) + "\n" for r in t.to_pylist()))

    def close(self, stats: BatchStats | None = None) -> None:
        """Finish the file; ``stats`` (a completed run) go into the Parquet footer."""
        if self.fmt == "parquet":
            if stats is not None:
                self.pq.add_key_value_metadata({COMPLETED: "true", ROWS_SCORED: str(stats.scored),
                                                ROWS_REJECTED: str(stats.rejected)})
            self.pq.close()
        elif self.fmt == "csv":
            self.csv.close()
        else:
            self.fh.close()


def output_format(output: Path) -> str:
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise ValueError(f"{output}: unknown output format; allowed: .parquet, .csv, .jsonl")
    return fmt


def check_outputs(spec: str, inputs: list[Path], output: Path, rejects: Path) -> None:
    """Before anything is read: the output format is known, and neither the output nor the rejects file is
    an input or would be read as one by ``spec`` (:class:`UnsafeOutput`)."""
    output_format(output)
    for flag, target in (("-o", output), ("--rejects", rejects)):
        folder = target.parent
        if not folder.is_dir():
            raise ValueError(f"{flag} {target}: the directory {folder} does not exist (it is not created: "
                             "make it first)" if not folder.exists() else
                             f"{flag} {target}: {folder} is not a directory")
    check_targets(spec, inputs, {"-o": output, "--rejects": rejects})


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


#: the most worker processes started when none are asked for (each holds the engine and the model, about
#: 250 MB resident while scoring: bench/batch.py prints it)
MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """Scoring processes when none are asked for: ``$MYOCLASS_WORKERS`` if set, else one per core, at most
    :data:`MAX_DEFAULT_WORKERS`."""
    env = os.environ.get("MYOCLASS_WORKERS", "").strip()
    if env:
        try:
            n = int(env)
        except ValueError:
            raise ValueError(f"MYOCLASS_WORKERS must be a whole number of processes (1 or more), not {env!r}") from None
        if n < 1:
            raise ValueError(f"MYOCLASS_WORKERS must be 1 or more, not {n}")
        return n
    return min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS)


def batches_in_flight(workers: int) -> int:
    """Batches ``myoclass batch`` keeps being scored at once with ``workers`` scoring processes: one per worker
    and one more (results are taken in input order), at least two."""
    return max(2, workers + 1)


class _Scorers:
    """Where batches are scored: the first batch in a thread of this process (a short input never starts
    a process), the later ones in ``workers`` worker processes when there are several (each with its share of
    the cores for the native row loop; the Python part of scoring holds one core per process)."""

    def __init__(self, policy: Policy, workers: int) -> None:
        self.policy, self.workers = policy, workers
        self.threads = ThreadPoolExecutor(2)
        self.processes: ProcessPoolExecutor | None = None
        self.submitted = 0

    def submit(self, *args: Any) -> Future[tuple[pa.Table, list[Reject]]]:
        pool: Executor = self.threads
        if self.workers > 1 and self.submitted > 0:
            if self.processes is None:
                from myoclass.batch import start_scoring_worker

                share = max(1, (os.cpu_count() or 1) // self.workers)
                self.processes = ProcessPoolExecutor(self.workers, multiprocessing.get_context("spawn"),
                                                     initializer=start_scoring_worker,
                                                     initargs=(self.policy, share, os.getpid()))
            pool = self.processes
        self.submitted += 1
        return pool.submit(score_batch, *args)

    @property
    def depth(self) -> int:
        return batches_in_flight(self.workers)

    def shutdown(self, cancel: bool = False) -> None:
        self.threads.shutdown(wait=True, cancel_futures=cancel)
        if self.processes is not None:
            self.processes.shutdown(wait=True, cancel_futures=cancel)


def run_batch(inputs: list[Path], output: Path, rejects_path: Path, policy: Policy = Policy(),
              batch_size: int = 8192, progress: Callable[[int], None] | None = None,
              reading: str = "clinic", workers: int | None = None) -> BatchStats:
    """Score every case of ``inputs`` into ``output``; bad rows into ``rejects_path`` (CSV).

    ``reading`` is the differential's reading policy (``clinic`` or ``record``; a Parquet output records it
    as ``myoclass.reading``). The output has a ``reference_label`` column when some input has one
    (:func:`has_reference`; null for the rows of inputs without it).

    ``row`` in the output is the line of the case in its file (JSON Lines and CSV), its row number
    (Parquet, from 0) or 1 (a phenopacket: one case per file); ``source`` names the file. ``inputs`` are the files
    of one input argument: which ``.json`` files are phenopackets is decided over them (:func:`input_formats`).
    Both files are written under temporary names beside their targets and renamed into place only when the
    run succeeds (the rejects first, the output last); a failed run removes them and leaves earlier files as
    they were. An output or rejects path
    that is one of ``inputs`` raises :class:`UnsafeOutput` before anything is read.

    ``workers``: scoring processes (None: :func:`default_workers`; 1: this process only). With several, the
    batches after the first are scored in worker processes, in parallel, and written in input order; the output
    is the same whatever the number.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be 1 or more, not {workers}")
    n_workers = default_workers() if workers is None else workers
    fmt = output_format(output)
    check_reading(reading)
    check_targets(None, inputs, {"-o": output, "--rejects": rejects_path})
    formats = input_formats(inputs)
    _check_packet_reader(formats)
    eng = engine(policy)
    from myoclass import __version__

    reference = has_reference(inputs)
    meta = {"myoclass": __version__, "policy": dumps(policy.__dict__),
            "criteria": dumps({s.id: s.version for s in eng.sets}), READING: reading}
    schema = output_schema(eng, reference).insert(0, pa.field("source", pa.string())).with_metadata(meta)
    stats = BatchStats(files=[str(p) for p in inputs])
    staged = Staged([rejects_path, output])  # renamed in this order: a new output always has its rejects
    rej_rows: list[dict[str, Any]] = []
    # Reading ahead, writing behind and the scoring of the batches in flight overlap (Arrow and the native
    # search release the GIL; with several workers the batches are scored in their own processes); results are
    # written in input order.
    io = ThreadPoolExecutor(2)
    scorers = _Scorers(policy, n_workers)
    pending_write: Future[None] | None = None
    in_flight: deque[tuple[_Source, np.ndarray, Future[tuple[pa.Table, list[Reject]]]]] = deque()
    writer: _Writer | None = None

    def finish(src: _Source, numbers: np.ndarray, fut: Future[tuple[pa.Table, list[Reject]]]) -> None:
        nonlocal pending_write
        results, rejects = renumber(fut.result(), numbers)
        rej_rows.extend(_reject_row(src, r) for r in rejects)
        if pending_write is not None:
            pending_write.result()
        assert writer is not None
        pending_write = io.submit(writer.write, _with_source(results, src))
        stats.scored += results.num_rows
        stats.rejected = len(rej_rows)
        if progress:
            progress(stats.scored + stats.rejected)

    try:
        writer = _Writer(staged.temp(output), fmt, schema)
        for src, t, numbers, read_bad, early in _prefetch(io, _read(inputs, formats, batch_size)):
            t, numbers, read_rejects = drop_rejected(t, numbers, read_bad)
            rej_rows += [_reject_row(src, r) for r in early + read_rejects]
            if t.num_rows:
                in_flight.append((src, numbers, scorers.submit(t, policy, 0, reading, reference)))
            if len(in_flight) >= scorers.depth:
                finish(*in_flight.popleft())
        while in_flight:
            finish(*in_flight.popleft())
        if pending_write is not None:
            pending_write.result()
        stats.rejected = len(rej_rows)
        w, writer = writer, None
        w.close(stats)
        _write_rejects(staged.temp(rejects_path), rej_rows, inputs)
        staged.commit()
    except BaseException:
        for _, _, fut in in_flight:
            fut.cancel()
        scorers.shutdown(cancel=True)
        if pending_write is not None:
            with contextlib.suppress(Exception):
                pending_write.result()
        io.shutdown(wait=True)
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close()
        staged.discard()
        raise
    finally:
        scorers.shutdown()
        io.shutdown()
    return stats


def _write_rejects(path: Path, rows: list[dict[str, Any]], inputs: list[Path]) -> None:
    """The rejects as CSV, in input order, with formula-like text inert (an empty run writes the header)."""
    order = {str(p): k for k, p in enumerate(inputs)}
    rows.sort(key=lambda r: (order.get(r["source"], 0), r["line"]))
    safe = [{**r, "source": inert_text(r["source"]), "case_id": inert_text(r["case_id"]),
             "reason": inert_text(r["reason"])} for r in rows]
    pacsv.write_csv(pa.Table.from_pylist(safe, schema=pa.schema([
        ("source", pa.string()), ("line", pa.int64()), ("case_id", pa.string()), ("reason", pa.string())])), path)


def _with_the_rest(t: pa.Table, i: int, why: str) -> str:
    """A row's reading problems and the problems of its other values (the bad cells left out), so that a reject
    names every field at fault, as the API does."""
    row = {k: v for k, v in t.slice(i, 1).to_pylist()[0].items() if v is not None and k != REFERENCE}
    try:
        parse_case(row)
    except InvalidCase as e:
        return f"{why}; {e}"
    return why


def drop_rejected(t: pa.Table, numbers: np.ndarray, bad: dict[int, str]) -> tuple[pa.Table, np.ndarray, list[Reject]]:
    """Rows found bad while reading (``bad``: reason by place in ``t``) leave the batch as rejects,
    numbered by ``numbers`` (each row's line or row number in its file); the rest stay with their numbers."""
    if not bad:
        return t, numbers, []
    rejects = [Reject(int(numbers[i]), _cid(t, i), _with_the_rest(t, i, why)) for i, why in sorted(bad.items())]
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


#: "allowed: ... or null" in a reason from :func:`~myoclass.model.case.parse_case` (the words of JSON)
_OR_NULL = re.compile(r"(allowed: [^;]*?) or null(?: \(unknown\))?(?=;|$)")


def in_csv_words(rejects: list[Reject]) -> list[Reject]:
    """Rejects of a CSV file with their allowed values in a CSV cell's words: an empty cell is unknown, so
    "allowed: female, male, other or null" reads "... or empty (unknown)" (both engines)."""
    return [Reject(r.row, r.case_id, _OR_NULL.sub(r"\1 or empty (unknown)", r.reason)) for r in rejects]


def _reject_row(src: _Source, r: Reject) -> dict[str, Any]:
    if isinstance(src, list):  # a phenopacket: the reject's number is its file's place in ``src``; its line is 1
        path = src[r.row]
        why = r.reason if r.reason.startswith(f"{path.name}: ") else f"{path.name}: {r.reason}"
        return {"source": str(path), "line": 1, "case_id": r.case_id, "reason": why}
    if FORMATS.get(Path(src).suffix.lower()) == "csv":
        (r,) = in_csv_words([r])
    return {"source": str(src), "line": r.row, "case_id": r.case_id, "reason": r.reason}


def _with_source(t: pa.Table, src: _Source) -> pa.Table:
    if isinstance(src, list):  # phenopackets: ``row`` is each row's file's place in ``src``; one case per file
        at = t.schema.get_field_index("row")
        names = pa.array([str(p) for p in src], pa.string()).take(t.column(at))
        t = t.set_column(at, "row", pa.repeat(pa.scalar(1, pa.int64()), t.num_rows))
        return t.add_column(0, "source", names)
    return t.add_column(0, "source", pa.repeat(pa.scalar(str(src), pa.string()), t.num_rows))
