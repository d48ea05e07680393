"""Apache Spark engine: the same ``score_batch`` on each Arrow batch of a Spark DataFrame.

Spark only moves batches (``DataFrame.mapInArrow``); the criteria, the columnar evaluation and the
native row loop are exactly those of the embedded engine, so both give identical rows (a test holds
them equal). Each executor compiles the native search once into its own cache on first use.

Rejected rows travel in the same stream with ``reject_reason`` set and are written apart.
``row`` is the row's number within its input file when Spark reads whole files in one partition;
compare results across engines by ``case_id``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from myoclass.batch.score import output_schema, score_batch
from myoclass.criteria import Policy
from myoclass.reasoning.engine import engine

__all__ = ["run_spark", "score_dataframe", "spark_session"]


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


def run_spark(spark: Any, input_path: str, output_dir: str, rejects_dir: str, policy: Policy = Policy()) -> tuple[int, int]:
    """Read ``input_path`` (Parquet, CSV with a header, or JSON Lines), write results and rejects as Parquet/CSV."""
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
    rejects = out.filter(out.reject_reason.isNotNull()).select("row", "case_id", "reject_reason")
    results.write.mode("overwrite").parquet(output_dir)
    rejects.write.mode("overwrite").option("header", True).csv(rejects_dir)
    n, r = results.count(), rejects.count()
    out.unpersist()
    return n, r
