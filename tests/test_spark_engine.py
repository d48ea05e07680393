"""The Spark engine (mapInArrow) and the embedded engine give identical rows on the same input."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pa = pytest.importorskip("pyarrow")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java (e.g. Debian's openjdk-17-jre-headless)", allow_module_level=True)

import pyarrow.parquet as pq  # noqa: E402

from myoclass.batch.run import run_batch  # noqa: E402
from myoclass.batch.schema import cases_to_table  # noqa: E402
from myoclass.batch.spark import run_spark, spark_session  # noqa: E402
from myoclass.criteria import Policy  # noqa: E402
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


def test_spark_says_allowed_values_in_a_csv_cells_words(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A bad enum cell: the same reason on both engines, ending "or empty (unknown)" (a CSV has no null)."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "c.csv").write_text("case_id,sex,onset_tempo\na,x,fast\nb,female,acute\n")
    _, rej = _embedded([d / "c.csv"], tmp_path)
    run_spark(spark, str(d / "c.csv"), str(tmp_path / "so"), str(tmp_path / "sr"))
    assert _on_spark(tmp_path / "so", tmp_path / "sr")[1] == rej
    (why,) = [r[3] for r in rej]
    assert why.endswith("allowed: acute, subacute, insidious or empty (unknown)") and " or null" not in why


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


# --- CSV: malformed rows, unknown cells and line numbers as on the embedded engine -----------------------

HEAD = "case_id,ab_hmgcr,ck_u_l,ck_uln_u_l,weakness_proximal_upper_symmetric,skin_heliotrope"
MESSY = [  # line 2 onwards of a.csv (after a byte order mark and HEAD)
    b"a,positive,5000,200,yes,no",
    b"short,positive,5000,200,yes",  # 5 cells: rejected, never padded
    b"long,positive,5000,200,yes,no,extra",  # 7 cells: rejected, never truncated
    b'openmid,"positive,5000,200,yes,no',  # a quote opened and not closed on its line
    b"",  # blank: skipped
    b'openlast,positive,5000,200,yes,"no',  # an unclosed quote in the last cell (Spark's CSV reader takes it)
    b"NA,negative,,,,",  # NA in case_id is text; empty cells are unknown
    b"na_bool,positive,5000,200,NA,no",  # NA in a boolean column: rejected
    b"null_enum,null,5000,200,yes,no",  # null in an enum column: rejected
    b"nan_num,positive,nan,200,yes,no",  # nan in a number column: rejected
    b"hash_na,#N/A,5000,200,yes,no",
    b"=1+2,maybe,5000,200,yes,no",  # a formula-like case_id, rejected: inert in the rejects
    b'q"uote,maybe,5000,200,yes,no',  # a quote inside an unquoted cell is text
    b'"quoted, id",positive,5000,200,"yes",no\r',  # a quoted comma; \r\n line end
    b"cr,positive,5000,200,yes,no\r",  # \r\n line end
    b"bad\xff\xfeutf8,positive,5000,200,yes,no",  # not UTF-8
    b"   ",  # spaces only: blank, skipped (as a row of nothing but commas and spaces)
    b'tail,positive,"5000,200,yes,no',  # a quote still open at the end of the file (no line break)
]


def _messy_inputs(d: Path) -> list[Path]:
    import io

    import pyarrow.csv as pacsv

    d.mkdir()
    a, b = d / "a.csv", d / "b.csv"
    a.write_bytes(b"\xef\xbb\xbf" + HEAD.encode() + b"\n" + b"\n".join(MESSY))
    buf = io.BytesIO()
    pacsv.write_csv(cases_to_table(list(synthetic_cases(150, seed=5))), buf)  # other columns, a quoted header
    lines = buf.getvalue().split(b"\n")
    lines[7] = lines[7].rsplit(b",", 1)[0]  # one cell short
    lines[20] += b",x"  # one cell too many
    lines[33] = lines[33].replace(b",", b',"', 1)  # an unbalanced quote
    lines[60] = b'"=cmd|\' /C calc\'!A0",' + lines[60].split(b",", 1)[1].replace(b"false", b"NA", 1)
    lines[90] = b""
    b.write_bytes(b"\n".join(lines[:100]) + b"\r" + b"\r".join(lines[100:]))  # lone \r line ends from line 101
    return [a, b]


Rows = dict[tuple[str, int], dict[str, Any]]  # results by (file name, line)
Rejected = set[tuple[str, int, str | None, str]]  # (file name, line, case_id, reason)


def _embedded(files: list[Path], tmp_path: Path) -> tuple[Rows, Rejected]:
    run_batch(files, tmp_path / "e.parquet", tmp_path / "e.rejects.csv")
    rows = {(Path(r.pop("source")).name, r.pop("row")): r for r in pq.read_table(tmp_path / "e.parquet").to_pylist()}
    rej = {(Path(r["source"]).name, r["line"], r["case_id"] or None, r["reason"])
           for r in pa.csv.read_csv(tmp_path / "e.rejects.csv").to_pylist()}
    return rows, rej


def _on_spark(out: Path, rejects: Path) -> tuple[Rows, Rejected]:
    rows = {(Path(r.pop("source")).name, r.pop("row")): r for r in pq.read_table(out).to_pylist()}
    rej = {(Path(r["source"]).name, r["row"], r["case_id"] or None, r["reject_reason"])
           for p in rejects.glob("*.csv") for r in pa.csv.read_csv(p).to_pylist()}
    return rows, rej


def test_spark_reads_a_messy_csv_like_the_embedded_engine(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = _messy_inputs(tmp_path / "in")
    rows, rej = _embedded(files, tmp_path)
    # small splits: each file is read by several tasks, and every line still gets its number in its file
    old = {k: spark.conf.get(k) for k in ("spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")}
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    try:
        n, r = run_spark(spark, str(tmp_path / "in" / "*.csv"), str(tmp_path / "so"), str(tmp_path / "sr"))
    finally:
        for k, v in old.items():
            spark.conf.set(k, v)
    s_rows, s_rej = _on_spark(tmp_path / "so", tmp_path / "sr")
    assert (n, r) == (len(rows), len(rej))
    assert s_rows == rows  # the same accepted rows, at the same lines, with the same results
    assert s_rej == rej  # the same rejected lines, for the same reasons
    by_line = {(f, line): why for f, line, _, why in rej}
    assert "5 cells, but the header has 6" in by_line[("a.csv", 3)]
    assert "7 cells" in by_line[("a.csv", 4)]
    assert "unbalanced quote" in by_line[("a.csv", 5)] and "unbalanced quote" in by_line[("a.csv", 7)]
    assert "end of the file" in by_line[("a.csv", 19)]
    assert "'NA' is not allowed" in by_line[("a.csv", 9)] and "'null' is not allowed" in by_line[("a.csv", 10)]
    assert "nan is not a finite number" in by_line[("a.csv", 11)] and "'#N/A'" in by_line[("a.csv", 12)]
    assert "not UTF-8" in by_line[("a.csv", 17)] and ("a.csv", 18) not in by_line | rows
    assert {("b.csv", k) for k in (8, 21, 34, 61)} <= set(by_line)
    assert ("b.csv", 91) not in by_line | rows  # a blank line: skipped, and the next lines keep their numbers
    assert rows[("b.csv", 92)]["case_id"] == "synthetic-90" and rows[("b.csv", 151)]["case_id"] == "synthetic-149"
    assert rows[("a.csv", 8)]["case_id"] == "NA" and rows[("a.csv", 15)]["case_id"] == "quoted, id"
    text = "".join(p.read_text() for p in (tmp_path / "sr").glob("*.csv"))
    assert "'=1+2" in text and "'=cmd|' /C calc'!A0" in text and '"q""uote"' in text  # inert, RFC 4180 quotes


def test_a_run_of_lines_cut_anywhere_reads_as_the_whole_file(tmp_path: Path) -> None:
    """The lines of one file reach a task in runs (splits, Arrow batches); a run ending mid-file reads
    a quote left open on its last line as the embedded engine does, whatever follows."""
    from myoclass.batch.output import inert_text
    from myoclass.batch.spark import _result_schema, _score_lines

    lines = [*MESSY[:-1], b"   ", b'x,"positive,5000,200,yes,no', b"   ", b"b,negative,,,,"]
    src = tmp_path / "a.csv"
    src.write_bytes(HEAD.encode() + b"\n" + b"\n".join(lines))
    rows, rej = _embedded([src], tmp_path)
    schema = _result_schema(Policy())
    names = HEAD.split(",")
    for cut in range(len(lines) + 1):
        parts = [(lines[:cut], 2, False), (lines[cut:], 2 + cut, True)]
        got = pa.Table.from_batches([b for chunk, first, end in parts if chunk
                                     for b in _score_lines(str(src), chunk, first, end, names, Policy(), schema)],
                                    schema=schema).to_pylist()
        assert {("a.csv", r["row"], inert_text(r["case_id"]), r["reject_reason"]) for r in got
                if r["reject_reason"] is not None} == rej, cut  # (the rejects file has case_id inert)
        assert {(Path(r.pop("source")).name, r.pop("row")): r for r in got if r.pop("reject_reason") is None} == rows


def test_spark_refuses_a_csv_file_without_a_header(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from myoclass.batch.spark import _header
    from myoclass.model.case import InvalidCase

    d = tmp_path / "in"
    d.mkdir()
    (d / "a.csv").write_text(HEAD + "\na,positive,5000,200,yes,no\n")
    (d / "b.csv").write_bytes(b"")
    with pytest.raises(InvalidCase, match=r"b\.csv: no header line"):
        run_spark(spark, str(d / "*.csv"), str(tmp_path / "o"), str(tmp_path / "r"))
    with pytest.raises(InvalidCase, match="'ck_u_l' appears more than once"):
        _header("x.csv", b"case_id,ck_u_l,ck_u_l")
    with pytest.raises(InvalidCase, match="did you mean"):
        _header("x.csv", b"case_id,ab_hmgrc")
    with pytest.raises(InvalidCase, match="not closed"):
        _header("x.csv", b'case_id,"ck_u_l')


def _thin(n: int, seed: int) -> list[dict[str, Any]]:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from _builders import thin_published

    return thin_published(n, seed)


@pytest.mark.parametrize("reading", ["clinic", "record"])
def test_spark_carries_the_differential_and_reference_label_as_the_embedded_engine(  # type: ignore[no-untyped-def]
        spark, tmp_path: Path, reading: str) -> None:
    import json

    from myoclass import assess

    cases = [{**c, "reference_label": ("dm", "imnm_anti_srp", None, "pm")[k % 4]} for k, c in enumerate(_thin(120, 8))]
    cases[7]["reference_label"] = "undetermined"  # not a diagnosis: a reject on both engines
    new = ["leading_label", "leading_probability", "differential", "differential_exact", "next_tests", "reference_label"]
    for fmt in ("parquet", "jsonl", "csv"):
        src = tmp_path / f"thin-{fmt}.{fmt}"
        if fmt == "parquet":
            pq.write_table(cases_to_table(cases), src)
        elif fmt == "jsonl":
            src.write_text("\n".join(json.dumps(c) for c in cases) + "\n")
        else:
            pa.csv.write_csv(cases_to_table(cases), src)
        run_batch([src], tmp_path / f"e-{fmt}.parquet", tmp_path / f"e-{fmt}.rejects.csv", reading=reading)
        n, r = run_spark(spark, str(src), str(tmp_path / f"s-{fmt}"), str(tmp_path / f"sr-{fmt}"), reading=reading)
        assert (n, r) == (119, 1), fmt
        embedded, on_spark = pq.read_table(tmp_path / f"e-{fmt}.parquet"), pq.read_table(tmp_path / f"s-{fmt}")
        assert set(new) <= set(on_spark.column_names)
        assert _rows(on_spark) == _rows(embedded), fmt
        rej = [x for p in (tmp_path / f"sr-{fmt}").glob("*.csv") for x in pa.csv.read_csv(p).to_pylist()]
        assert [x["case_id"] for x in rej] == [cases[7]["case_id"]]
        assert "reference_label: 'undetermined' is not allowed" in rej[0]["reject_reason"]
    by_id = _rows(on_spark)
    for c in cases[:30]:
        if c is cases[7]:
            continue
        want, got = assess({k: v for k, v in c.items() if k != "reference_label"}, reading=reading), by_id[c["case_id"]]
        assert got["reference_label"] == c["reference_label"]
        assert (got["leading_label"], got["leading_probability"]) == (want["summary"]["leading_label"],
                                                                      want["summary"]["leading_probability"])
        assert json.loads(got["differential"]) == want["differential"]
        assert [t["finding"] for t in json.loads(got["next_tests"])] == [t["finding"] for t in want["next_tests"]]


def test_spark_without_reference_label_has_no_such_column(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "c.parquet"
    pq.write_table(cases_to_table(list(synthetic_cases(20, seed=2))), src)
    assert run_spark(spark, str(src), str(tmp_path / "o"), str(tmp_path / "r")) == (20, 0)
    assert "reference_label" not in pq.read_table(tmp_path / "o").column_names
    with pytest.raises(ValueError, match="allowed: clinic, record"):
        run_spark(spark, str(src), str(tmp_path / "o2"), str(tmp_path / "r2"), reading="chart")


def test_spark_reads_a_parquet_file_typed_otherwise_like_the_embedded_engine(  # type: ignore[no-untyped-def]
        spark, tmp_path: Path) -> None:
    """A Parquet file written by another tool (0/1 integers for booleans, a CK as text, a case_id as a number): the
    two engines convert it cell by cell alike, and reject the same rows with the same reasons."""
    src = tmp_path / "typed.parquet"
    pq.write_table(pa.table({"case_id": pa.array([1, 2, 3, 4]), "ab_hmgcr": pa.array([1, 0, 2, None], pa.int64()),
                             "ck_u_l": pa.array(["5000", "x", "300", None]), "ck_uln_u_l": [200.0] * 4,
                             "weakness_proximal_upper_symmetric": pa.array([1.0, 1.0, 1.0, 0.5])}), src)
    run_batch([src], tmp_path / "embedded.parquet", tmp_path / "embedded.rejects.csv")
    n, r = run_spark(spark, str(src), str(tmp_path / "spark-out"), str(tmp_path / "spark-rejects"))
    assert (n, r) == (1, 3)
    assert _rows(pq.read_table(tmp_path / "spark-out")) == _rows(pq.read_table(tmp_path / "embedded.parquet"))
    on_spark = pa.csv.read_csv(next((tmp_path / "spark-rejects").glob("*.csv"))).to_pylist()
    embedded = pa.csv.read_csv(tmp_path / "embedded.rejects.csv").to_pylist()
    assert sorted((str(x["case_id"]), x["reject_reason"]) for x in on_spark) == sorted(
        (str(x["case_id"]), x["reason"]) for x in embedded)
