"""Apache Spark engine: the same ``score_batch`` on each Arrow batch of a Spark DataFrame.

Spark only moves batches (``DataFrame.mapInArrow``); the criteria, the columnar evaluation and the
native row loop are exactly those of the embedded engine, so both give identical rows (a test holds
them equal). Each executor compiles the native search once into its own cache on first use.

Rejected rows travel in the same stream with ``reject_reason`` set and are written apart.

Both directories are written under hidden temporary names beside their targets and renamed into place
only when the job succeeds (an earlier output is moved aside and deleted only once the new one is in
place). An output or rejects directory that is the input, lies inside it, holds it, or is matched by an
input glob is refused before Spark starts (:func:`check_spark_paths`).
``row`` is the row's number within its input file when Spark reads whole files in one partition;
compare results across engines by ``case_id``.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import posixpath
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from myoclass.batch.output import UnsafeOutput, is_stale, temp_name
from myoclass.batch.score import output_schema, score_batch
from myoclass.criteria import Policy
from myoclass.reasoning.engine import engine

__all__ = ["check_spark_paths", "run_spark", "score_dataframe", "spark_session"]

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


def _result_schema(policy: Policy) -> pa.Schema:
    return output_schema(engine(policy)).append(pa.field("reject_reason", pa.string()))


def score_dataframe(df: Any, policy: Policy = Policy()) -> Any:
    """Score a DataFrame of flat cases; returns a DataFrame of results and rejects (``reject_reason``)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    arrow_schema = _result_schema(policy)

    def score_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import numpy as np

        from myoclass.batch.run import _from_strings, drop_rejected, renumber
        from myoclass.model.fields import FIELDS

        first = 0
        for b in batches:
            t = pa.Table.from_batches([b])
            bad: dict[int, str] = {}
            if any(pa.types.is_string(f.type) and FIELDS[f.name].kind in ("bool", "number") for f in t.schema):
                t, bad = _from_strings(t)  # text columns (e.g. CSV read without a schema)
            t, numbers, rej = drop_rejected(t, np.arange(first, first + t.num_rows), bad)
            results, rejects = renumber(score_batch(t, policy), numbers)
            results = results.append_column("reject_reason", pa.nulls(results.num_rows, pa.string()))
            rej += rejects
            if rej:
                cols = {f.name: pa.nulls(len(rej), f.type) for f in arrow_schema}
                cols["row"] = pa.array([r.row for r in rej], pa.int64())
                cols["case_id"] = pa.array([r.case_id for r in rej], pa.string())
                cols["reject_reason"] = pa.array([r.reason for r in rej], pa.string())
                results = pa.concat_tables([results, pa.table(cols, schema=arrow_schema)])
            first += b.num_rows
            yield from results.cast(arrow_schema).to_batches()

    return df.mapInArrow(score_partition, from_arrow_schema(arrow_schema))


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


def check_spark_paths(input_path: str, output_dir: str, rejects_dir: str) -> None:
    """Refuse (:class:`UnsafeOutput`) an output or rejects directory that is the input, lies inside it, holds
    it (the rename would replace it) or could be matched by an input glob, or overlaps the other target."""
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


def run_spark(spark: Any, input_path: str, output_dir: str, rejects_dir: str, policy: Policy = Policy()) -> tuple[int, int]:
    """Read ``input_path`` (Parquet, CSV with a header, or JSON Lines), write results and rejects as Parquet/CSV.

    Both are written beside their targets under temporary names and renamed into place on success."""
    check_spark_paths(input_path, output_dir, rejects_dir)
    low = input_path.lower()
    if low.endswith(".csv"):
        df = spark.read.option("header", True).csv(input_path)
    elif low.endswith((".jsonl", ".ndjson", ".json")):
        df = spark.read.json(input_path)
    else:
        df = spark.read.parquet(input_path)
    from myoclass.model.case import check_keys

    check_keys(df.columns)
    out = score_dataframe(df, policy).cache()
    results = out.filter(out.reject_reason.isNull()).drop("reject_reason")
    rejects = out.filter(out.reject_reason.isNotNull()).select("row", _inert_col("case_id"), _inert_col("reject_reason"))
    temps = [(_stage(spark, rejects_dir), rejects_dir), (_stage(spark, output_dir), output_dir)]
    try:
        results.write.parquet(temps[1][0])
        rejects.write.option("header", True).csv(temps[0][0])
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
