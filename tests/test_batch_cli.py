"""myoclass batch: formats, directories and globs, rejects with lines and reasons, and equal results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
import pyarrow.csv as pacsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from myoclass import assess  # noqa: E402
from myoclass.batch.schema import cases_to_table  # noqa: E402
from myoclass.cli import app  # noqa: E402
from myoclass.synthetic import synthetic_cases  # noqa: E402

runner = CliRunner()
CASES = list(synthetic_cases(300, seed=13))


def _run(*args: str) -> object:
    return runner.invoke(app, ["batch", *args])


def _rejects(path: Path) -> list[dict[str, object]]:
    return pacsv.read_csv(path).to_pylist()


def test_jsonl_with_bad_lines_keeps_every_other_case(tmp_path: Path) -> None:
    lines = [json.dumps(c) for c in CASES]
    lines.insert(5, "{not json")
    lines[10] = json.dumps({**CASES[9], "ck_u_l": -3})
    lines.insert(20, json.dumps({"ab_hmgrc": True}))
    src = tmp_path / "cohort.jsonl"
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.parquet"
    r = _run(str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    table = pq.read_table(out)
    assert table.num_rows == len(lines) - 3
    rej = _rejects(tmp_path / "out.rejects.csv")
    assert [x["line"] for x in rej] == [6, 11, 21]
    assert "not valid JSON" in rej[0]["reason"] and "ck_u_l" in rej[1]["reason"]
    assert "did you mean 'ab_hmgcr'" in rej[2]["reason"]
    # the line numbers of the results point at the cases in the file
    first = table.slice(0, 1).to_pylist()[0]
    assert first["row"] == 1 and first["case_id"] == CASES[0]["case_id"]
    assert first["label"] == assess(CASES[0])["summary"]["label"]


def test_csv_words_and_bad_cells(tmp_path: Path) -> None:
    src = tmp_path / "c.csv"
    src.write_text("case_id,ab_hmgcr,ck_u_l,ck_uln_u_l,weakness_proximal_upper_symmetric,skin_heliotrope\n"
                   "a,positive,5000,200,yes,no\n"
                   "b,maybe,5000,200,yes,\n"
                   "c,1,lots,200,1,0\n"
                   "d,,,,,\n")
    out = tmp_path / "o.csv"
    r = _run(str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = pacsv.read_csv(out).to_pylist()
    assert [x["case_id"] for x in rows] == ["a", "d"]
    assert rows[0]["label"] == "imnm_anti_hmgcr" and rows[0]["row"] == 2
    rej = _rejects(tmp_path / "o.rejects.csv")
    assert [(x["line"], x["case_id"]) for x in rej] == [(3, "b"), (4, "c")]
    assert "ab_hmgcr" in rej[0]["reason"] and "yes/no" in rej[0]["reason"]
    assert "ck_u_l" in rej[1]["reason"] and "not a number" in rej[1]["reason"]


def test_a_directory_of_parquet_files_and_a_glob(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    pq.write_table(cases_to_table(CASES[:100]), d / "a.parquet")
    pq.write_table(cases_to_table(CASES[100:]), d / "b.parquet")
    for spec in (str(d), str(d / "*.parquet")):
        out = tmp_path / "all.jsonl"
        r = _run(spec, "-o", str(out))
        assert r.exit_code == 0, r.output
        rows = [json.loads(x) for x in out.read_text().splitlines()]
        assert len(rows) == 300 and rows[100]["row"] == 0 and rows[100]["source"].endswith("b.parquet")
        want = assess(CASES[150])
        got = rows[150]
        assert got["label"] == want["summary"]["label"]
        assert json.loads(got["reachable_labels"]) == want["summary"]["reachable_labels"]
        # the library's next tests in the library's order (by expected information), with its probabilities
        assert [(t["finding"], t["p_present"], t["expected_information"]) for t in json.loads(got["next_tests"])] == \
            [(t["finding"], t["p_present"], t["expected_information"]) for t in want["next_tests"]]
        assert got["leading_label"] == want["summary"]["leading_label"]
        assert got["leading_probability"] == want["summary"]["leading_probability"]
        assert json.loads(got["differential"]) == want["differential"]
        assert got["differential_exact"] == want["differential_exact"]


def test_unknown_column_and_missing_input(tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    src.write_text("case_id,ab_hmgrc\na,true\n")
    r = _run(str(src), "-o", str(tmp_path / "o.parquet"))
    assert r.exit_code == 2 and "did you mean 'ab_hmgcr'" in r.stderr
    r = _run(str(tmp_path / "nothing.csv"), "-o", str(tmp_path / "o.parquet"))
    assert r.exit_code == 2 and "no CSV, Parquet or JSON Lines input" in r.stderr
    pytest.importorskip("pyspark")
    r = _run(str(src), "-o", str(tmp_path / "o.parquet"), "--engine", "spark")  # the same check on Spark
    assert r.exit_code == 2 and "did you mean 'ab_hmgcr'" in r.stderr


def test_the_command_in_its_own_tuned_process_gives_the_same_results(tmp_path: Path) -> None:
    """`myoclass batch` as its own process applies prepare_scoring_process (allocator, no BLAS threads,
    no pandas); the results are those of the in-process run, and the tuning is really in effect."""
    import os
    import subprocess
    import sys

    src = tmp_path / "cohort.parquet"
    pq.write_table(cases_to_table(CASES), src)
    assert _run(str(src), "-o", str(tmp_path / "in.parquet")).exit_code == 0
    probe = ("import sys, runpy\n"
             "sys.argv = ['myoclass'] + sys.argv[1:]\n"
             "try:\n"
             "    runpy.run_module('myoclass.cli', run_name='__main__')\n"
             "except SystemExit as e:\n"
             "    assert not e.code, e.code\n"
             "import os, pyarrow as pa\n"
             "print(pa.default_memory_pool().backend_name, os.environ['OPENBLAS_NUM_THREADS'], 'pandas' in sys.modules)\n")
    env = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", "OPENBLAS_NUM_THREADS")}
    r = subprocess.run([sys.executable, "-c", probe, "batch", str(src), "-o", str(tmp_path / "own.parquet")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    pool, blas, pandas_loaded = r.stdout.split()
    assert pool in ("jemalloc", "system") and blas == "1" and pandas_loaded == "False"
    assert pq.read_table(tmp_path / "own.parquet").equals(pq.read_table(tmp_path / "in.parquet"))


def test_progress_bar_counts_against_the_records_in_the_inputs(tmp_path: Path) -> None:
    from myoclass.batch.run import estimate_records
    from myoclass.cli import progress_bar

    pq.write_table(cases_to_table(CASES[:40]), tmp_path / "a.parquet")
    pacsv.write_csv(cases_to_table(CASES[:25]), tmp_path / "b.csv")
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(c) for c in CASES[:7]))  # no final line break
    assert estimate_records([tmp_path / "a.parquet"]) == 40  # from the Parquet metadata
    assert estimate_records([tmp_path / "b.csv"]) == 25  # the header is not a record
    assert estimate_records([tmp_path / "c.jsonl"]) == 7
    assert estimate_records(sorted(tmp_path.iterdir())) == 72
    assert progress_bar(0, 72, 0.0, width=10) == "[----------]   0% 0 of 72 cases (0/s)"
    assert progress_bar(36, 72, 2.0, width=10) == "[#####-----]  50% 36 of 72 cases (18/s, about 2 s left)"
    assert progress_bar(72, 72, 2.0, width=10) == "[##########] 100% 72 of 72 cases (36/s)"
    # an estimate below the count so far (a text file's lines) never shows more than 100 %
    assert progress_bar(80, 72, 1.0, width=10) == "[##########] 100% 80 of 80 cases (80/s)"


def _thin(n: int, seed: int) -> list[dict[str, object]]:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from _builders import thin_published

    return thin_published(n, seed)


def test_reading_option_changes_the_differential_and_is_recorded(tmp_path: Path) -> None:
    cases = _thin(80, seed=3)
    src = tmp_path / "thin.parquet"
    pq.write_table(cases_to_table(cases), src)
    outs = {}
    for reading in ("clinic", "record"):
        out = tmp_path / f"{reading}.parquet"
        args = [str(src), "-o", str(out)] + ([] if reading == "clinic" else ["--reading", reading])
        r = _run(*args)
        assert r.exit_code == 0, r.output
        assert pq.read_metadata(out).metadata[b"myoclass.reading"] == reading.encode()  # the default is clinic
        outs[reading] = pq.read_table(out).to_pylist()
    for reading, rows in outs.items():
        for raw, got in zip(cases, rows, strict=True):
            want = assess(raw, reading=reading)
            assert json.loads(got["differential"]) == want["differential"], (reading, raw["case_id"])
            assert [t["finding"] for t in json.loads(got["next_tests"])] == [t["finding"] for t in want["next_tests"]]
    assert [r["differential"] for r in outs["clinic"]] != [r["differential"] for r in outs["record"]]
    assert [r["label"] for r in outs["clinic"]] == [r["label"] for r in outs["record"]]


def test_an_invalid_reading_is_refused_naming_the_option_and_the_allowed_values(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(CASES[0]) + "\n")
    out = tmp_path / "o.parquet"
    r = _run(str(src), "-o", str(out), "--reading", "chart")
    assert r.exit_code == 2
    assert "--reading" in r.stderr and "clinic" in r.stderr and "record" in r.stderr
    assert not out.exists()
    from myoclass.batch.run import run_batch

    with pytest.raises(ValueError, match="allowed: clinic, record"):
        run_batch([src], out, tmp_path / "o.rejects.csv", reading="chart")
    assert not out.exists()


def test_reference_label_is_passed_through_and_a_wrong_one_rejected(tmp_path: Path) -> None:
    from myoclass.reasoning.engine import LABELS

    src = tmp_path / "c.csv"
    src.write_text("case_id,ab_hmgcr,ck_u_l,ck_uln_u_l,weakness_proximal_upper_symmetric,reference_label\n"
                   "a,positive,5000,200,yes,imnm_anti_hmgcr\n"
                   "b,negative,5000,200,yes,polymyositis\n"
                   "c,,,,, dm \n"
                   "d,,,,,\n"
                   "e,positive,5000,200,yes,undetermined\n")
    out = tmp_path / "o.csv"
    r = _run(str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = pacsv.read_csv(out, convert_options=pacsv.ConvertOptions(strings_can_be_null=True)).to_pylist()
    assert [(x["case_id"], x["reference_label"]) for x in rows] == [("a", "imnm_anti_hmgcr"), ("c", "dm"), ("d", None)]
    rej = _rejects(tmp_path / "o.rejects.csv")
    assert [(x["line"], x["case_id"]) for x in rej] == [(3, "b"), (6, "e")]
    assert rej[0]["reason"] == (f"reference_label: 'polymyositis' is not allowed; allowed: {', '.join(LABELS)} "
                                "or empty (unknown)")  # a CSV cell's words
    assert "'undetermined' is not allowed" in rej[1]["reason"]
    # JSON Lines: a text label, a label outside the vocabulary, and a value that is not text
    lines = [{**CASES[0], "reference_label": "dm"}, {**CASES[1], "reference_label": "DM"},
             {**CASES[2], "reference_label": 3, "ck_u_l": -1}, CASES[3]]
    src = tmp_path / "c.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    out = tmp_path / "o.parquet"
    assert _run(str(src), "-o", str(out)).exit_code == 0
    t = pq.read_table(out)
    assert t.column("reference_label").to_pylist() == ["dm", None] and t.column("row").to_pylist() == [1, 4]
    rej = _rejects(tmp_path / "o.rejects.csv")
    assert [x["line"] for x in rej] == [2, 3]
    assert "reference_label: 'DM' is not allowed" in rej[0]["reason"]
    assert "ck_u_l" in rej[1]["reason"] and "reference_label: 3 is not allowed" in rej[1]["reason"]
    # without the column in any input, no column in the output
    src.write_text("\n".join(json.dumps(x) for x in CASES[:5]) + "\n")
    assert _run(str(src), "-o", str(out)).exit_code == 0
    assert "reference_label" not in pq.read_table(out).column_names


def test_reference_label_in_one_input_of_several(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    pq.write_table(cases_to_table([{**c, "reference_label": "pm"} for c in CASES[:3]]), d / "a.parquet")
    pq.write_table(cases_to_table(CASES[3:6]), d / "b.parquet")
    out = tmp_path / "o.jsonl"
    assert _run(str(d), "-o", str(out)).exit_code == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["reference_label"] for r in rows] == ["pm"] * 3 + [None] * 3


def test_worker_processes_give_the_same_output_and_rejects_as_one_process(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # rejects in several batches, thin and full cases: with batch size 40 the batches after the first go to
    # the worker processes; results, row numbers and rejects come back in input order
    from myoclass.batch.run import run_batch

    lines = [json.dumps(c) for c in CASES]
    for k in (3, 57, 58, 141, 260):
        lines[k] = json.dumps({**CASES[k], "ck_u_l": -1})
    lines.insert(100, "{not json")
    src = tmp_path / "cohort.jsonl"
    src.write_text("\n".join(lines) + "\n")
    got = {}
    for w in (1, 2, 3):
        out, rej = tmp_path / f"w{w}.parquet", tmp_path / f"w{w}.rejects.csv"
        stats = run_batch([src], out, rej, batch_size=40, workers=w)
        assert (stats.scored, stats.rejected) == (len(CASES) - 5, 6)
        got[w] = (pq.read_table(out), _rejects(rej))
    one, one_rej = got[1]
    assert [x["line"] for x in one_rej] == [4, 58, 59, 101, 143, 262]
    for w in (2, 3):
        table, rej = got[w]
        assert table.equals(one) and table.schema.metadata == one.schema.metadata
        assert rej == one_rej
    # the command's option, and the environment's default
    assert _run(str(src), "-o", str(tmp_path / "c.parquet"), "--workers", "2", "--batch-size", "50").exit_code == 0
    assert pq.read_table(tmp_path / "c.parquet").equals(one)
    r = _run(str(src), "-o", str(tmp_path / "z.parquet"), "--workers", "0")
    assert r.exit_code == 2 and "--workers" in r.output
    monkeypatch.setenv("MYOCLASS_WORKERS", "many")
    r = _run(str(src), "-o", str(tmp_path / "e.parquet"))
    assert r.exit_code == 2 and "MYOCLASS_WORKERS" in r.output and "'many'" in r.output
    assert not (tmp_path / "e.parquet").exists()


def test_rows_of_only_commas_are_blank_and_a_semicolon_file_is_named(tmp_path: Path) -> None:
    """Spreadsheets export empty rows below the data as commas: they are skipped like blank lines, never scored as
    an empty case; a file separated by semicolons stops the run with a message that says so."""
    src = tmp_path / "sheet.csv"
    src.write_text("case_id,ab_hmgcr,ck_u_l,ck_uln_u_l\n"
                   "a,positive,5000,200\n"
                   ",,,\n"
                   "b,negative,150,200\n"
                   " , ,\t,\r\n"
                   ",,,\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    r = _run(str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = pacsv.read_csv(out).to_pylist()
    assert [(x["case_id"], x["row"]) for x in rows] == [("a", 2), ("b", 4)]
    assert not (tmp_path / "o.rejects.csv").exists() or not _rejects(tmp_path / "o.rejects.csv")
    semi = tmp_path / "semi.csv"
    semi.write_text("case_id;ab_hmgcr;ck_u_l\na;positive;5000\n", encoding="utf-8")
    r = _run(str(semi), "-o", str(tmp_path / "s.parquet"))
    assert r.exit_code == 2
    assert "separated by ';'" in r.output and "comma-separated CSV" in r.output
    assert not (tmp_path / "s.parquet").exists()


def test_integers_past_2_53_and_decimals_never_stop_a_file(tmp_path: Path) -> None:
    """An integer a double cannot hold exactly (Parquet int64 or uint64, JSON Lines) or a decimal column (a SQL NUMERIC
    export) is read as the nearest number, as the API and CSV read it; it stopped the whole file before (an IT
    review of session 23), losing every good row. A Parquet file that repeats a column is refused, exit 2."""
    import decimal

    import pyarrow as pa

    big = 9007199254740993
    pq.write_table(pa.table({"case_id": ["a1", "a2", "a3"], "ck_u_l": pa.array([5000, big, 300], pa.int64()),
                             "ck_uln_u_l": pa.array([200, 200, 200], pa.uint64()),
                             "age_years": pa.array([decimal.Decimal("50.5"), None, decimal.Decimal("7")],
                                                   pa.decimal128(5, 1))}), tmp_path / "big.parquet")
    (tmp_path / "big.jsonl").write_text("\n".join(json.dumps(x) for x in (
        {"case_id": "b1", "ck_u_l": 5000}, {"case_id": "b2", "ck_u_l": big}, {"case_id": "b3", "ck_u_l": 300})) + "\n")
    for name in ("big.parquet", "big.jsonl"):
        out = tmp_path / f"{name}.out.jsonl"
        r = _run(str(tmp_path / name), "-o", str(out))
        assert r.exit_code == 0, r.output
        rows = [json.loads(x) for x in out.read_text().splitlines()]
        assert [x["case_id"] for x in rows] == (["a1", "a2", "a3"] if name.endswith("parquet") else ["b1", "b2", "b3"])
    dup = pa.Table.from_arrays([pa.array(["a"]), pa.array([True]), pa.array([False])],
                               names=["case_id", "ab_srp", "ab_srp"])
    pq.write_table(dup, tmp_path / "dup.parquet")
    r = _run(str(tmp_path / "dup.parquet"), "-o", str(tmp_path / "dup.csv"))
    assert r.exit_code == 2 and "'ab_srp' appears more than once" in r.output and "Traceback" not in r.output


def test_a_json_lines_file_opening_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b'\xef\xbb\xbf{"case_id":"c1","ab_srp":true}\n{"case_id":"c2"}\n')
    r = _run(str(src), "-o", str(tmp_path / "o.csv"))
    assert r.exit_code == 0 and "2 cases scored, 0 rejected" in r.output, r.output


def test_a_header_with_an_unnamed_column_or_a_utf16_file_is_refused_in_words(tmp_path: Path) -> None:
    """A spreadsheet's trailing comma, and a 'Unicode text' (UTF-16) export, each get a message that says what is
    wrong (an IT review of session 23: ': unknown column', and the names printed between NUL bytes)."""
    (tmp_path / "tr.csv").write_text("case_id,ab_srp,\nc1,true,\n")
    r = _run(str(tmp_path / "tr.csv"), "-o", str(tmp_path / "o1.csv"))
    assert r.exit_code == 2 and "column 3 of the header has no name" in r.output, r.output
    (tmp_path / "u16.csv").write_bytes("case_id,ab_srp\nc1,true\n".encode("utf-16"))
    r = _run(str(tmp_path / "u16.csv"), "-o", str(tmp_path / "o2.csv"))
    assert r.exit_code == 2 and "UTF-16" in r.output and "\x00" not in r.output, r.output
    # a NUL in a row (not the header) still rejects only that row
    (tmp_path / "nul.csv").write_bytes(b"case_id,ab_srp\nc1,tr\x00ue\nc2,true\n")
    r = _run(str(tmp_path / "nul.csv"), "-o", str(tmp_path / "o3.csv"))
    assert r.exit_code == 0 and "1 case scored" in r.output, r.output


def test_allowed_values_are_said_in_the_words_of_the_file(tmp_path: Path) -> None:
    """A bad enum value in a CSV cell: the allowed values end "or empty (unknown)" (an empty cell is unknown, a
    CSV has no null); in JSON Lines, "or null". Every field at fault is named."""
    src = tmp_path / "c.csv"
    src.write_text("case_id,sex,onset_tempo,ck_u_l\na,x,fast,100\n")
    r = _run(str(src), "-o", str(tmp_path / "o.parquet"))
    assert r.exit_code == 0, r.output
    (rej,) = _rejects(tmp_path / "o.rejects.csv")
    assert rej["reason"] == ("sex: 'x' is not allowed; allowed: female, male, other or empty (unknown); onset_tempo: "
                             "'fast' is not allowed; allowed: acute, subacute, insidious or empty (unknown)")
    src = tmp_path / "j.jsonl"
    src.write_text('{"case_id": "a", "sex": "x"}\n')
    r = _run(str(src), "-o", str(tmp_path / "j.parquet"))
    (rej,) = _rejects(tmp_path / "j.rejects.csv")
    assert rej["reason"] == "sex: 'x' is not allowed; allowed: female, male, other or null"


def test_outputs_named_apart_get_rejects_named_apart(tmp_path: Path) -> None:
    """The default rejects file is OUTPUT with its format's suffix replaced by .rejects.csv: two runs written to
    cohort.2026-11.csv and cohort.2026-12.csv keep their own rejects (the first part of the name alone made both
    cohort.rejects.csv, the second run replacing the first's)."""
    from myoclass.cli import default_rejects

    assert default_rejects(Path("d/cohort.2026-12.csv"), ".rejects.csv") == Path("d/cohort.2026-12.rejects.csv")
    assert default_rejects(Path("d/out.parquet"), ".rejects.csv") == Path("d/out.rejects.csv")
    assert default_rejects(Path("d/scored"), ".rejects") == Path("d/scored.rejects")  # a Spark directory
    src = tmp_path / "c.csv"
    src.write_text("case_id,sex\na,x\n")
    for month in ("2026-11", "2026-12"):
        assert _run(str(src), "-o", str(tmp_path / f"cohort.{month}.csv")).exit_code == 0  # type: ignore[attr-defined]
    assert (tmp_path / "cohort.2026-11.rejects.csv").exists() and (tmp_path / "cohort.2026-12.rejects.csv").exists()
    assert not (tmp_path / "cohort.rejects.csv").exists()
