"""Apache Spark engine: the same ``score_batch`` on each Arrow batch of a Spark DataFrame.

Spark only moves batches (``DataFrame.mapInArrow``); the criteria, the columnar evaluation and the
native row loop are exactly those of the embedded engine, so both give identical rows (a test holds
them equal). Each executor compiles the native search once into its own cache on first use.

Rejected rows travel in the same stream with ``reject_reason`` set and are written apart.

**CSV** is not read with Spark's CSV reader: in its permissive mode it pads a short row with nulls,
drops the cells past the header's count and reads an unclosed quote as a cell running to the end of
the line, all silently. :func:`score_csv` reads the files as lines (Spark's text source, which splits
at ``\\n``, ``\\r\\n`` and ``\\r`` like :mod:`.csvread`, and drops a UTF-8 byte order mark) and gives each
line its number in its file: a first pass counts the lines of each split of each file and takes each
file's header (its first line), the second parses and scores each run of consecutive lines with
:func:`.csvread.read_rows`, the embedded engine's own reader. A malformed row is therefore a reject with
its line and the same reason as on the embedded engine, only an empty cell is unknown, and every file
is read with its own header.

Both directories are written under hidden temporary names beside their targets and renamed into place
only when the job succeeds (an earlier output is moved aside and deleted only once the new one is in
place). An output or rejects directory that is the input, lies inside it, holds it, or is matched by an
input glob is refused before Spark starts (:func:`check_spark_paths`).
GA4GH phenopackets are read by the embedded engine only: a local input whose ``.json`` files are phenopackets is
refused before Spark starts too (:func:`check_spark_paths`).
For CSV, ``source`` is the file and ``row`` the line in it. For Parquet and JSON Lines ``source`` is
empty and ``row`` is the row's number within its input file only when Spark reads whole files in one
partition; compare results across engines by ``case_id``.
"""

from __future__ import annotations

import fnmatch
import glob
import io
import itertools
import os
import posixpath
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from myoclass.batch import csvread
from myoclass.batch.output import UnsafeOutput, is_stale, temp_name
from myoclass.batch.schema import REFERENCE, check_columns
from myoclass.batch.score import check_reading, output_schema, score_batch
from myoclass.criteria import Policy
from myoclass.io.rejects import Reject
from myoclass.model.case import InvalidCase, Problem
from myoclass.reasoning.engine import engine

__all__ = ["check_spark_paths", "run_spark", "score_csv", "score_dataframe", "spark_session"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def spark_session(master: str = "local[2]", app_name: str = "myoclass") -> Any:
    """A SparkSession for local runs or a cluster (``master``), with the settings myoclass needs.

    The workers must run this Python (with myoclass installed), hence ``PYSPARK_PYTHON``; locally
    Spark binds to loopback and its web UI is off.
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master(master).appName(app_name)
            .config("spark.ui.enabled", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.driver.bindAddress", "127.0.0.1" if master.startswith("local") else "0.0.0.0")
            .getOrCreate())


def _result_schema(policy: Policy, reference: bool = False) -> pa.Schema:
    out = output_schema(engine(policy), reference)
    return out.insert(0, pa.field("source", pa.string())).append(pa.field("reject_reason", pa.string()))


def _with_rejects(results: pa.Table, rejects: list[Reject], source: str | None, schema: pa.Schema) -> pa.Table:
    """Scored rows (``row`` as numbered in their file) and rejects in ``schema``; a reject has only
    ``source``, ``row``, ``case_id`` and ``reject_reason``."""
    n = results.num_rows
    results = results.add_column(0, "source", pa.repeat(pa.scalar(source, pa.string()), n))
    results = results.append_column("reject_reason", pa.nulls(n, pa.string())).cast(schema)
    if not rejects:
        return results
    cols = {f.name: pa.nulls(len(rejects), f.type) for f in schema}
    cols["source"] = pa.repeat(pa.scalar(source, pa.string()), len(rejects))
    cols["row"] = pa.array([r.row for r in rejects], pa.int64())
    cols["case_id"] = pa.array([r.case_id for r in rejects], pa.string())
    cols["reject_reason"] = pa.array([r.reason for r in rejects], pa.string())
    return pa.concat_tables([results, pa.table(cols, schema=schema)])


def score_dataframe(df: Any, policy: Policy = Policy(), reading: str = "clinic") -> Any:
    """Score a DataFrame of flat cases; returns a DataFrame of results and rejects (``reject_reason``).

    ``reading`` is the differential's reading policy; a ``reference_label`` column is passed through."""
    from pyspark.sql.pandas.types import from_arrow_schema

    check_reading(reading)
    reference = REFERENCE in df.columns
    arrow_schema = _result_schema(policy, reference)

    def score_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from myoclass.batch.run import _from_strings, drop_rejected, needs_conversion, renumber

        first = 0
        for b in batches:
            t = pa.Table.from_batches([b])
            bad: dict[int, str] = {}
            if needs_conversion(t.schema):
                t, bad = _from_strings(t)  # text columns, and columns typed otherwise, cell by cell
            t, numbers, rej = drop_rejected(t, np.arange(first, first + t.num_rows), bad)
            results, rejects = renumber(score_batch(t, policy, reading=reading, reference=reference), numbers)
            first += b.num_rows
            yield from _with_rejects(results, rej + rejects, None, arrow_schema).to_batches()

    return df.mapInArrow(score_partition, from_arrow_schema(arrow_schema))


# --- CSV: lines numbered in their files, parsed by the embedded engine's reader ----------------------

_SPLITS = "file string, block long, lines long, head binary"


@dataclass(frozen=True)
class _CsvPlan:
    """What the first pass learnt: the line number of the first line of each split (file, block start),
    the last line of each file and each file's columns."""

    first: dict[tuple[str, int], int]
    last: dict[str, int]
    names: dict[str, list[str]]


def _runs(b: pa.RecordBatch) -> Iterator[tuple[str, int, int, int]]:
    """(file, block start, start, stop) of each run of rows of one split in a batch of lines (a split is
    read whole, in order, by one task)."""
    n = b.num_rows
    if not n:
        return
    files = b.column("file")
    f = pc.dictionary_encode(files).indices.to_numpy(zero_copy_only=False)
    k = b.column("block").to_numpy(zero_copy_only=False)
    edges = [0, *(np.flatnonzero((f[1:] != f[:-1]) | (k[1:] != k[:-1])) + 1).tolist(), n]
    for s, e in itertools.pairwise(edges):
        yield str(files[s].as_py()), int(k[s]), s, e


def _count_splits(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The lines of each split seen in each batch, and the first line of each file (its header)."""
    seen: set[str] = set()
    for b in batches:
        out: dict[str, list[Any]] = {"file": [], "block": [], "lines": [], "head": []}
        for f, blk, s, e in _runs(b):
            head = None
            if blk == 0 and f not in seen:
                seen.add(f)
                head = b.column("line")[s].as_py()
            for key, v in (("file", f), ("block", blk), ("lines", e - s), ("head", head)):
                out[key].append(v)
        yield pa.RecordBatch.from_pydict(out, schema=pa.schema([("file", pa.string()), ("block", pa.int64()),
                                                                ("lines", pa.int64()), ("head", pa.binary())]))


def _source(url: str) -> str:
    """A file as Spark names it (``file:/a%20b.csv``) as people write it (``/a b.csv``)."""
    parts = urlsplit(url)
    return unquote(parts.path) if parts.scheme in ("", "file") else unquote(url)


def _header(source: str, head: bytes | None) -> list[str]:
    """The columns of a file's header line, refused (:class:`InvalidCase`) as :func:`.csvread.read_header`
    refuses them; a header is one line."""
    def refuse(why: str) -> InvalidCase:
        return InvalidCase([Problem(source, why)])

    if head is None or not head.strip():
        raise refuse("no header line; allowed: a first line naming the columns")
    wrong = csvread.encoding_problem(head)
    if wrong:
        raise refuse(wrong)
    if len(head) > csvread.MAX_ROW_BYTES:
        raise refuse(f"the header line is longer than {csvread.MAX_ROW_BYTES:,} bytes")
    v = np.frombuffer(head, dtype=np.uint8)
    if csvread._toggles(v, np.flatnonzero(v == ord('"'))).size % 2:
        raise refuse("the header line has a quoted cell that is not closed on it; allowed: a header on one line")
    names = [x.strip() for x in csvread._cells(head)]
    wrong = csvread.names_problem(names)
    if wrong:
        raise refuse(wrong)
    check_columns(names)
    return names


def _plan(lines: Any, files: list[str]) -> _CsvPlan:
    counts: dict[tuple[str, int], int] = {}
    heads: dict[str, bytes] = {}
    for r in lines.mapInArrow(_count_splits, _SPLITS).collect():
        counts[(r.file, r.block)] = counts.get((r.file, r.block), 0) + r.lines
        if r.head is not None:
            heads[r.file] = bytes(r.head)
    read = {urlsplit(f)[:3] for f, _ in counts}  # file:/a and file:///a alike
    for f in files:  # a file without a line (empty) has no split to count
        if urlsplit(f)[:3] not in read:
            _header(_source(f), None)
    first: dict[tuple[str, int], int] = {}
    last: dict[str, int] = {}
    for f, blk in sorted(counts):
        first[(f, blk)] = last.get(f, 0) + 1
        last[f] = first[(f, blk)] + counts[(f, blk)] - 1
    return _CsvPlan(first, last, {f: _header(_source(f), heads.get(f)) for f in last})


def _score_lines(source: str, chunk: list[bytes], first: int, to_end: bool, names: list[str], policy: Policy,
                 schema: pa.Schema, reading: str = "clinic") -> Iterator[pa.RecordBatch]:
    """Score consecutive lines of one file (``first``: the line of ``chunk[0]``; ``to_end``: they end it)
    with the embedded engine's reader and value rules; the results have ``reference_label`` when ``schema`` has."""
    from myoclass.batch.run import _from_strings, drop_rejected, in_csv_words, renumber

    last = first + len(chunk) - 1
    reference = REFERENCE in schema.names
    # A line after the chunk when the file goes on, so that a quote left open on its last line is read as
    # on the embedded engine ("reading resumes on the next line"); whatever it gives is dropped.
    data = b"\n".join(chunk) + (b"\n" if to_end else b"\n-\n")
    for text, numbers, problems in csvread.read_rows(io.BytesIO(data), names, 0, first):
        if not to_end and numbers.size and numbers[-1] > last:
            keep = numbers <= last
            text, numbers = text.filter(pa.array(keep)), numbers[keep]
        rej = [p for p in problems if p.row <= last]
        t, bad = _from_strings(text)
        t, numbers, read_rejects = drop_rejected(t, numbers, bad)
        rej += read_rejects
        if t.num_rows:
            results, rejects = renumber(score_batch(t, policy, reading=reading, reference=reference), numbers)
            rej += rejects
        else:
            results = output_schema(engine(policy), reference).empty_table()
        yield from _with_rejects(results, in_csv_words(rej), source, schema).to_batches()


def score_csv(spark: Any, path: str, policy: Policy = Policy(), reading: str = "clinic") -> Any:
    """Score CSV files (a path or a glob, each with a header line) as the embedded engine reads them;
    returns a DataFrame of results and rejects (``reject_reason``), ``row`` being the line in ``source``.
    The results have ``reference_label`` when some file has that column.

    Refuses (:class:`InvalidCase`) a file without a header line or with an unknown or repeated column."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    check_reading(reading)
    text = spark.read.text(path)
    files = text.inputFiles()
    lines = text.select(F.col("value").cast("binary").alias("line"), F.col("_metadata.file_path").alias("file"),
                        F.col("_metadata.file_block_start").alias("block"))
    plan = _plan(lines, files)
    arrow_schema = _result_schema(policy, any(REFERENCE in names for names in plan.names.values()))

    def score_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        taken: dict[tuple[str, int], int] = {}
        for b in batches:
            col = b.column("line")
            for f, blk, s, e in _runs(b):
                k = taken.get((f, blk), 0)
                taken[(f, blk)] = k + e - s
                first = plan.first[(f, blk)] + k
                chunk = col.slice(s, e - s).to_pylist()
                if first == 1:  # the header
                    chunk, first = chunk[1:], 2
                if chunk:
                    yield from _score_lines(_source(f), chunk, first, first + len(chunk) - 1 == plan.last[f],
                                            plan.names[f], policy, arrow_schema, reading)

    return lines.mapInArrow(score_partition, from_arrow_schema(arrow_schema))


def _parts(p: str) -> tuple[bool, list[tuple[str, ...]]]:
    """Whether ``p`` is local, and its path components: a local path absolute (also with its literal
    leading directories' symlinks resolved); another file system's (``hdfs://``, ``s3a://``) normalised."""
    if p.startswith("file:"):
        p = re.sub(r"^file:(//)?", "", p)
    elif _SCHEME.match(p):
        scheme, rest = p.split(":", 1)
        return False, [(scheme.lower(), *posixpath.normpath(rest).split("/"))]
    parts = Path(os.path.abspath(p)).parts
    fixed = next((i for i, x in enumerate(parts) if glob.has_magic(x)), len(parts))
    return True, [parts, Path(*parts[:fixed]).resolve().parts + parts[fixed:]]


def _overlap(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    """Whether ``path`` is, holds or lies inside something ``pattern`` (a path, maybe with glob wildcards)
    names: the shorter of the two matches the other's leading components."""
    return all(fnmatch.fnmatchcase(x, w) if glob.has_magic(w) else x == w for x, w in zip(path, pattern, strict=False))


def _refuse_phenopackets(input_path: str) -> None:
    """ValueError when a local input (a file, a directory or a glob) holds phenopackets: Spark reads ``.json`` as
    JSON Lines, and phenopackets are read by the embedded engine only."""
    if _SCHEME.match(input_path) and not input_path.startswith("file:"):
        return  # another file system: not looked into from here
    from myoclass.batch.run import PHENOPACKET, input_formats

    local = Path(re.sub(r"^file:(//)?", "", input_path))
    if local.is_dir():
        files = sorted(f for f in local.iterdir() if f.suffix.lower() == ".json" and f.is_file())
    elif local.exists():
        files = [local] if local.suffix.lower() == ".json" else []
    else:
        files = sorted(Path(f) for f in glob.glob(str(local)) if Path(f).suffix.lower() == ".json" and Path(f).is_file())
    fmts = input_formats(files)
    if PHENOPACKET in fmts:
        raise ValueError(f"{input_path}: holds GA4GH phenopackets, which only the embedded engine reads: run "
                         "`myoclass batch` without --engine spark (--engine embedded)")


def check_spark_paths(input_path: str, output_dir: str, rejects_dir: str) -> None:
    """Refuse (:class:`UnsafeOutput`) an output or rejects directory that is the input, lies inside it, holds
    it (the rename would replace it) or could be matched by an input glob, or overlaps the other target; and
    (ValueError) a local input of phenopackets, which only the embedded engine reads."""
    in_local, patterns = _parts(input_path)
    taken: list[tuple[bool, tuple[str, ...], str]] = []
    for opt, t in (("-o", output_dir), ("--rejects", rejects_dir)):
        local, variants = _parts(t)
        if glob.has_magic(t):
            raise UnsafeOutput(f"{opt} {t}: a glob; allowed: one directory")
        if local:
            variants = [Path(t.removeprefix("file://")).resolve().parts]
        if local == in_local and any(_overlap(pat, v) for pat in patterns for v in variants):
            raise UnsafeOutput(f"{opt} {t}: overlaps the input {input_path} (it is the input, lies inside it or "
                               "holds it); an input is never overwritten: choose a directory outside it")
        for other_local, other, name in taken:
            if other_local == local and any(_overlap(other, v) for v in variants):
                raise UnsafeOutput(f"{opt} {t}: overlaps {name}; allowed: separate directories")
        taken.append((local, variants[0], f"{opt} {t}"))
    _refuse_phenopackets(input_path)


def _fs(spark: Any, path: str) -> tuple[Any, Any]:
    jp = spark._jvm.org.apache.hadoop.fs.Path(path)
    return jp.getFileSystem(spark._jsc.hadoopConfiguration()), jp


def _stage(spark: Any, final: str) -> str:
    """A hidden sibling of ``final`` to write into (removing those of this host's ended processes first)."""
    fs, jp = _fs(spark, final)
    parent = jp.getParent()
    if parent is not None and fs.exists(parent):
        for st in fs.listStatus(parent):
            if is_stale(st.getPath().getName(), jp.getName()):
                fs.delete(st.getPath(), True)
    sibling = spark._jvm.org.apache.hadoop.fs.Path(parent, temp_name(jp.getName())) if parent is not None else None
    return str(sibling.toString()) if sibling is not None else final + ".tmp"


def _swap_in(spark: Any, temp: str, final: str) -> None:
    """Rename ``temp`` to ``final``; an earlier ``final`` is moved aside first and deleted once replaced."""
    fs, jfinal = _fs(spark, final)
    _, jtemp = _fs(spark, temp)
    old = None
    if fs.exists(jfinal):
        old = spark._jvm.org.apache.hadoop.fs.Path(jfinal.getParent(),
                                                    temp_name(jfinal.getName()).replace("-tmp.", "-old.", 1))
        if not fs.rename(jfinal, old):
            raise OSError(f"{final}: could not move the earlier output aside")
    if not fs.rename(jtemp, jfinal):
        if old is not None:
            fs.rename(old, jfinal)
        raise OSError(f"{final}: could not rename {temp} into place")
    if old is not None:
        fs.delete(old, True)


def _inert_col(name: str) -> Any:
    from pyspark.sql import functions as F

    c = F.col(name)
    return F.when(c.rlike("^'*[=+\\-@\t\r]"), F.concat(F.lit("'"), c)).otherwise(c).alias(name)


def run_spark(spark: Any, input_path: str, output_dir: str, rejects_dir: str, policy: Policy = Policy(),
              reading: str = "clinic") -> tuple[int, int]:
    """Read ``input_path`` (Parquet, CSV with a header: :func:`score_csv`, or JSON Lines), write results and
    rejects as Parquet/CSV. ``reading`` is the differential's reading policy (``clinic`` or ``record``).

    Both are written beside their targets under temporary names and renamed into place on success."""
    check_reading(reading)
    check_spark_paths(input_path, output_dir, rejects_dir)
    low = input_path.lower()
    if low.endswith(".csv"):
        scored = score_csv(spark, input_path, policy, reading)
    else:
        df = spark.read.json(input_path) if low.endswith((".jsonl", ".ndjson", ".json")) else spark.read.parquet(input_path)
        check_columns(df.columns)
        scored = score_dataframe(df, policy, reading)
    out = scored.cache()
    results = out.filter(out.reject_reason.isNull()).drop("reject_reason")
    rejects = out.filter(out.reject_reason.isNotNull()).select(
        _inert_col("source"), "row", _inert_col("case_id"), _inert_col("reject_reason"))
    temps = [(_stage(spark, rejects_dir), rejects_dir), (_stage(spark, output_dir), output_dir)]
    try:
        results.write.parquet(temps[1][0])
        # RFC 4180 quoting ("" inside a quoted cell, not Spark's \"), and no trimmed spaces
        (rejects.write.option("header", True).option("quote", '"').option("escape", '"')
         .option("ignoreLeadingWhiteSpace", False).option("ignoreTrailingWhiteSpace", False)
         .csv(temps[0][0]))
        n, r = results.count(), rejects.count()
        for temp, final in temps:  # the rejects first: a new output always has its rejects
            _swap_in(spark, temp, final)
    except BaseException:
        for temp, _ in temps:
            fs, jp = _fs(spark, temp)
            if fs.exists(jp):
                fs.delete(jp, True)
        raise
    finally:
        out.unpersist()
    return n, r
