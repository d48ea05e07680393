"""The Spark engine (mapInArrow) and the embedded engine give identical rows on the same input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
pa = pytest.importorskip("pyarrow")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (e.g. Debian's openjdk-17-jre-headless)", allow_module_level=True)

import pyarrow.parquet as pq  # noqa: E402

from myoclass.batch.run import run_batch  # noqa: E402
from myoclass.batch.schema import cases_to_table  # noqa: E402
from myoclass.batch.spark import run_spark, spark_session  # noqa: E402
from myoclass.synthetic import synthetic_cases  # noqa: E402


@pytest.fixture(scope="module")
def spark():  # type: ignore[no-untyped-def]
    s = spark_session("local[2]", "myoclass-tests")
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def _rows(table: pa.Table) -> dict[str, dict[str, object]]:
    drop = {"source", "row"}
    return {r["case_id"]: {k: v for k, v in r.items() if k not in drop} for r in table.to_pylist()}


def test_spark_and_embedded_engines_agree(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cases = list(synthetic_cases(3000, seed=17))
    cases[10] = {**cases[10], "ck_u_l": -1}
    src = tmp_path / "cohort.parquet"
    pq.write_table(cases_to_table(cases), src)
    run_batch([src], tmp_path / "embedded.parquet", tmp_path / "embedded.rejects.csv")
    n, r = run_spark(spark, str(src), str(tmp_path / "spark-out"), str(tmp_path / "spark-rejects"))
    assert (n, r) == (2999, 1)
    embedded = pq.read_table(tmp_path / "embedded.parquet")
    on_spark = pq.read_table(tmp_path / "spark-out")
    assert _rows(on_spark) == _rows(embedded)
    rej = pa.csv.read_csv(next((tmp_path / "spark-rejects").glob("*.csv")))
    assert rej.column("case_id").to_pylist() == [cases[10]["case_id"]]
    assert "ck_u_l" in rej.column("reject_reason")[0].as_py()


def test_spark_reads_csv_text_with_the_same_rules(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "c.csv"
    src.write_text("case_id,ab_hmgcr,ck_u_l,ck_uln_u_l,weakness_proximal_upper_symmetric\n"
                   "a,positive,5000,200,yes\nb,maybe,5000,200,yes\n")
    n, r = run_spark(spark, str(src), str(tmp_path / "o"), str(tmp_path / "rj"))
    assert (n, r) == (1, 1)
    row = pq.read_table(tmp_path / "o").to_pylist()[0]
    assert row["label"] == "imnm_anti_hmgcr"


def test_spark_writes_beside_and_renames_only_on_success(spark, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import myoclass.batch.spark as spark_mod

    cases = list(synthetic_cases(40, seed=3))
    cases[5] = {**cases[5], "case_id": "=cmd|' /C calc'!A0", "ck_u_l": -1}
    src = tmp_path / "in.parquet"
    pq.write_table(cases_to_table(cases), src)
    out, rej = tmp_path / "out", tmp_path / "rej"
    assert run_spark(spark, str(src), str(out), str(rej)) == (39, 1)
    first = sorted(p.name for p in out.iterdir())
    assert pq.read_table(out).num_rows == 39
    text = next(rej.glob("*.csv")).read_text()
    assert "'=cmd|' /C calc'!A0" in text  # inert in the rejects CSV
    # a run that fails after writing leaves the earlier directories and no temporary ones
    pq.write_table(cases_to_table(cases[6:16]), src)

    def fail(*_a: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(spark_mod, "_swap_in", fail)
    with pytest.raises(OSError, match="disk full"):
        run_spark(spark, str(src), str(out), str(rej))
    assert sorted(p.name for p in out.iterdir()) == first and pq.read_table(out).num_rows == 39
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet", "out", "rej"]
    monkeypatch.undo()
    assert run_spark(spark, str(src), str(out), str(rej)) == (10, 0)  # a new run replaces both
    assert pq.read_table(out).num_rows == 10 and not pa.csv.read_csv(next(rej.glob("*.csv"))).num_rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet", "out", "rej"]
    with pytest.raises(ValueError, match="overlaps the input"):
        run_spark(spark, str(tmp_path), str(out), str(rej))
