"""myoclass batch never harms what it reads or what an earlier run wrote, and reads CSV as people write it.

- outputs are written under temporary names and renamed into place on success: a killed or failed run
  leaves the earlier output and rejects byte for byte, and no partial file under the final name;
- an output that is an input, or that the input argument would read as one, is refused before reading;
- a ragged row or an unbalanced quote is a reject with its line, and every later row keeps its line;
- only an empty cell is unknown (``NA``, ``null``, ``#N/A``, ``nan`` are values, and mostly rejected);
- text a spreadsheet would run as a formula is written inert in CSV output, exact in Parquet and JSON Lines.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
import pyarrow.csv as pacsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from myoclass.batch import csvread  # noqa: E402
from myoclass.batch.output import inert_text, stale_temps, uninert  # noqa: E402
from myoclass.batch.report import read_results  # noqa: E402
from myoclass.batch.run import FORMATS, input_files, run_batch  # noqa: E402
from myoclass.batch.schema import cases_to_table  # noqa: E402
from myoclass.cli import app  # noqa: E402
from myoclass.synthetic import synthetic_cases  # noqa: E402

runner = CliRunner()
CASES = list(synthetic_cases(400, seed=21))
EXE = Path(sys.executable).with_name("myoclass")


def _run(*args: str) -> object:
    return runner.invoke(app, ["batch", *args])


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}


def _temps(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if ".myoclass-tmp." in p.name)


def _earlier_run(tmp_path: Path, out: Path) -> dict[str, bytes]:
    """A good earlier output and a non-empty rejects file beside it; returns the directory's bytes."""
    src = tmp_path / "earlier" / "small.jsonl"
    src.parent.mkdir()
    src.write_text("\n".join([json.dumps(c) for c in CASES[:30]] + ['{"case_id": "bad", "ck_u_l": -1}']) + "\n")
    r = _run(str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert "bad" in (out.parent / "out.rejects.csv").read_text()
    return _snapshot(out.parent)


# --- atomic output ----------------------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    """The ids of the processes whose parent is ``pid`` (from /proc)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("suffix, sig", [(".parquet", signal.SIGKILL), (".csv", signal.SIGKILL),
                                         (".jsonl", signal.SIGKILL), (".parquet", signal.SIGTERM)])
def test_a_killed_run_leaves_the_earlier_output_and_rejects_byte_for_byte(tmp_path: Path, suffix: str,
                                                                          sig: signal.Signals) -> None:
    """SIGKILL: the earlier files stay, and the temporary file under its own name only (the next run removes
    it); SIGTERM: the run removes its temporary file before it exits."""
    outdir = tmp_path / "results"
    outdir.mkdir()
    out = outdir / f"out{suffix}"
    before = _earlier_run(tmp_path, out)
    big = tmp_path / "big.parquet"
    pq.write_table(pa.concat_tables([cases_to_table(CASES)] * 750), big)  # 300,000 cases: seconds of work
    proc = subprocess.Popen([str(EXE), "batch", str(big), "-o", str(out), "--batch-size", "4096"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:  # really running: results are being written under the temporary name
            temp = [p for p in outdir.iterdir() if p.name.startswith(f".{out.name}.myoclass-tmp.")]
            if temp and temp[0].stat().st_size > 65536:
                break
            assert proc.poll() is None, f"the run ended before it could be killed: {proc.stderr.read()!r}"
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.005)
        workers = _children(proc.pid)  # the scoring worker processes (one per core) and their helpers
        assert workers or (os.cpu_count() or 1) == 1
        proc.send_signal(sig)
        code = proc.wait(30)
        assert code == -signal.SIGKILL if sig == signal.SIGKILL else code != 0
        # no worker outlives its run, however the run ended
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers):
            assert time.monotonic() < deadline, f"workers left running: {[p for p in workers if _alive(p)]}"
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
    after = _snapshot(outdir)
    left = [n for n in after if n not in before]
    assert all(n.startswith(f".{out.name}.myoclass-tmp.") for n in left)  # only under a temporary name
    assert bool(left) == (sig == signal.SIGKILL)
    assert {n: b for n, b in after.items() if n in before} == before  # output and rejects byte for byte
    assert input_files(str(outdir)) == sorted([out, outdir / "out.rejects.csv"])  # the temporary file is no input
    # the next run removes the dead run's temporary files and replaces both files
    assert [p.name for p in stale_temps(out)] == left
    r = _run(str(tmp_path / "earlier" / "small.jsonl"), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert not _temps(outdir) and sorted(_snapshot(outdir)) == sorted(before)


def test_a_failed_run_leaves_the_earlier_output_and_rejects(tmp_path: Path) -> None:
    outdir = tmp_path / "results"
    outdir.mkdir()
    out = outdir / "out.parquet"
    before = _earlier_run(tmp_path, out)
    d = tmp_path / "in"
    d.mkdir()
    pq.write_table(cases_to_table(CASES), d / "a.parquet")  # scored and written first ...
    (d / "b.csv").write_text("case_id,ab_hmgrc\nx,true\n")  # ... then a column not in the dictionary stops the run
    r = _run(str(d), "-o", str(out), "--batch-size", "50")
    assert r.exit_code == 2 and "did you mean 'ab_hmgcr'" in r.stderr
    assert _snapshot(outdir) == before and not _temps(outdir)


def test_a_successful_run_replaces_the_rejects_even_with_none(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    _earlier_run(tmp_path, out)
    src = tmp_path / "good.jsonl"
    src.write_text("\n".join(json.dumps(c) for c in CASES[:5]) + "\n")
    assert _run(str(src), "-o", str(out)).exit_code == 0
    assert pacsv.read_csv(tmp_path / "out.rejects.csv").num_rows == 0  # no stale rejects beside the new output
    assert (tmp_path / "out.rejects.csv").read_text().startswith('"source","line","case_id","reason"')
    assert len(pacsv.read_csv(out)) == 5


def test_parquet_metadata_records_a_completed_run(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text("\n".join([json.dumps(c) for c in CASES[:40]] + ["{oops", json.dumps({"ck_u_l": "x"})]) + "\n")
    out = tmp_path / "o.parquet"
    assert _run(str(src), "-o", str(out)).exit_code == 0
    meta = pq.read_metadata(out).metadata
    assert meta[b"myoclass.completed"] == b"true"
    assert meta[b"myoclass.rows_scored"] == b"40" and meta[b"myoclass.rows_rejected"] == b"2"
    assert meta[b"myoclass.reading"] == b"clinic"  # the differential's reading policy (--reading)
    assert pq.read_table(out).num_rows == 40


# --- outputs are never inputs -----------------------------------------------------------------------------

def _inputs(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    pacsv.write_csv(cases_to_table(CASES[:20]), d / "a.csv")
    pacsv.write_csv(cases_to_table(CASES[20:40]), d / "b.csv")
    return d


@pytest.mark.parametrize("args, message", [
    (["{d}/a.csv", "-o", "{d}/a.csv"], "is the input"),
    (["{d}/a.csv", "-o", "{d}/../in/./a.csv"], "is the input"),
    (["{d}/a.csv", "-o", "{t}/link.csv"], "is the input"),  # a symbolic link to the input
    (["{d}/a.csv", "-o", "{t}/o.parquet", "--rejects", "{d}/a.csv"], "--rejects"),
    (["{d}", "-o", "{d}/scored.parquet"], "would read it as an input"),
    (["{d}", "-o", "{t}/o.parquet", "--rejects", "{d}/rejects.csv"], "would read it as an input"),
    (["{d}/*.csv", "-o", "{d}/scored.csv"], "would read it as an input"),
    (["{t}/i*/?.csv", "-o", "{d}/x.csv"], "would read it as an input"),
    (["{d}/a.csv", "-o", "{t}/o.csv", "--rejects", "{t}/o.csv"], "a different file for each"),
])
def test_an_output_that_is_or_would_be_an_input_is_refused(tmp_path: Path, args: list[str], message: str) -> None:
    d = _inputs(tmp_path)
    (tmp_path / "link.csv").symlink_to(d / "a.csv")
    before = _snapshot(d)
    r = _run(*(a.format(d=d, t=tmp_path) for a in args))
    assert r.exit_code == 2 and message in r.stderr, r.output
    assert _snapshot(d) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "link.csv"]  # nothing written anywhere


def test_an_output_beside_the_inputs_that_no_input_matches_is_written(tmp_path: Path) -> None:
    d = _inputs(tmp_path)
    r = _run(str(d / "*.csv"), "-o", str(d / "scored.parquet"), "--rejects", str(tmp_path / "rejects.csv"))
    assert r.exit_code == 0, r.output
    assert pq.read_table(d / "scored.parquet").num_rows == 40


def test_the_spark_engine_refuses_an_output_inside_its_input_before_starting(tmp_path: Path) -> None:
    d = _inputs(tmp_path)
    for out in (d / "results", tmp_path, d):
        r = _run(str(d), "--engine", "spark", "-o", str(out))
        assert r.exit_code == 2 and "overlaps the input" in r.stderr, r.output
    r = _run(str(d / "*.csv"), "--engine", "spark", "-o", str(d / "more.csv"))
    assert r.exit_code == 2 and "overlaps the input" in r.stderr


def test_the_report_never_overwrites_its_inputs(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text("\n".join(json.dumps(c) for c in CASES[:20]) + "\n")
    assert _run(str(src), "-o", str(tmp_path / "run.jsonl")).exit_code == 0
    assert _run(str(src), "-o", str(tmp_path / "prev.json")).exit_code == 0
    before = _snapshot(tmp_path)
    for out, prev in ((tmp_path / "run.jsonl", None), (tmp_path / "prev.html", tmp_path / "prev.json"),
                      (tmp_path / "x" / ".." / "run.html", tmp_path / "run.json")):
        r = runner.invoke(app, ["report", str(tmp_path / "run.jsonl"), "-o", str(out),
                                *(["--previous", str(prev)] if prev else [])])
        if prev is not None and not prev.exists():
            continue
        assert r.exit_code == 2 and "is the input" in r.stderr, r.output
        assert _snapshot(tmp_path) == before
    r = runner.invoke(app, ["report", str(tmp_path / "run.jsonl"), "-o", str(tmp_path / "rep.html"),
                            "--previous", str(tmp_path / "prev.json")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "rep.json").read_text())["diff"]["reclassified"] == 0
    assert not _temps(tmp_path)


# --- CSV as people write it -------------------------------------------------------------------------------

HEADER = "case_id,ab_hmgcr,ck_u_l,ck_uln_u_l,weakness_proximal_upper_symmetric,immunosuppression_response"
MESSY = [
    HEADER,                                     # 1
    "a,positive,5000,200,yes,improved",         # 2  scored
    "b,yes,5000,200",                           # 3  ragged: 4 cells
    '=HYPERLINK("http://x"),positive,,,yes,',   # 4  scored; a formula in the output CSV
    'c,"unclosed,5000,200,yes,',                # 5  unbalanced quote: this line only
    '"-2+3",negative,,,no,',                    # 6  scored (reading resumed here); a formula
    "d,NA,,,,",                                 # 7  NA in a boolean column: rejected
    "e,,nan,200,,",                             # 8  nan in a number column: rejected
    "NA,,,,,",                                  # 9  scored: NA as a case_id stays text
    "f,null,,,,",                               # 10 rejected
    "g,,,,,#N/A",                               # 11 #N/A in an enum column: rejected
    "",                                         # 12 blank
    "@SUM(1),,inf,,,",                          # 13 rejected (not finite); its case_id inert in the rejects
    "h,,,,,None",                               # 14 rejected
    '+x,negative,,,"",',                        # 15 scored; quoted empty = unknown
    "i,true,,,,,extra",                         # 16 ragged: 7 cells
    "j,  ,,, ,N/A",                             # 17 rejected (N/A in the enum); blanks are unknown
    "k,  ,,, ,",                                # 18 scored: whitespace is unknown
    "l,FALSE,1e3,,1,",                          # 19 scored
]


def _raw_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(), newline="")))


def test_messy_csv_rows_are_rejects_with_their_lines_and_the_rest_is_scored(tmp_path: Path) -> None:
    src = tmp_path / "messy.csv"
    src.write_text("\r\n".join(MESSY) + "\r\n")
    out = tmp_path / "o.csv"
    r = _run(str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = _raw_csv(out)
    assert [(x["row"], x["case_id"]) for x in rows] == [
        ("2", "a"), ("4", "'=HYPERLINK(\"http://x\")"), ("6", "'-2+3"), ("9", "NA"), ("15", "'+x"), ("18", "k"),
        ("19", "l")]
    assert rows[0]["label"] == "imnm_anti_hmgcr"
    rej = {int(x["line"]): x for x in _raw_csv(tmp_path / "o.rejects.csv")}
    assert sorted(rej) == [3, 5, 7, 8, 10, 11, 13, 14, 16, 17]
    assert "4 cells, but the header has 6" in rej[3]["reason"] and rej[3]["case_id"] == "b"
    assert "unbalanced quote" in rej[5]["reason"] and "resumes on line 6" in rej[5]["reason"]
    assert "ab_hmgcr: 'NA' is not allowed; allowed: true/false" in rej[7]["reason"]
    assert "ck_u_l" in rej[8]["reason"] and "not a finite number" in rej[8]["reason"]
    assert "ab_hmgcr: 'null' is not allowed" in rej[10]["reason"]
    assert "immunosuppression_response" in rej[11]["reason"] and "#N/A" in rej[11]["reason"]
    assert "allowed:" in rej[11]["reason"] and "improved" in rej[11]["reason"]
    assert rej[13]["case_id"] == "'@SUM(1)" and "not a finite number" in rej[13]["reason"]
    assert "None" in rej[14]["reason"] and "7 cells" in rej[16]["reason"] and "N/A" in rej[17]["reason"]
    # the report reads the inert text back exactly; Parquet and JSON Lines outputs keep it exact
    assert read_results(out).column("case_id").to_pylist()[1:3] == ['=HYPERLINK("http://x")', "-2+3"]
    assert _run(str(src), "-o", str(tmp_path / "o.jsonl")).exit_code == 0
    ids = [json.loads(x)["case_id"] for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert ids == ["a", '=HYPERLINK("http://x")', "-2+3", "NA", "+x", "k", "l"]


def test_line_numbers_stay_right_across_windows_and_resumed_reading(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny read windows (so rows, quotes and resumptions fall on window edges), every kind of bad row."""
    import random

    rnd = random.Random(5)
    lines = ["case_id,ab_hmgcr,ck_u_l"]
    want_ok, want_bad = [], []
    for i in range(600):
        kind = rnd.choice(["ok"] * 6 + ["ragged", "quote", "blank", "long", "latin1", "quoted"])
        n = len(lines) + 1
        if kind == "ok":
            lines.append(f"r{i},yes,{i + 1}")
            want_ok.append((n, f"r{i}"))
        elif kind == "quoted":
            lines.append(f'"r,{i}",no,"{i + 1}"')
            want_ok.append((n, f"r,{i}"))
        elif kind == "ragged":
            lines.append(f"r{i},yes")
            want_bad.append(n)
        elif kind == "quote":
            lines.append(f'r{i},"yes,{i}')
            want_bad.append(n)
        elif kind == "long":
            lines.append(f"r{i},yes," + "9" * 300)
            want_bad.append(n)
        elif kind == "latin1":
            lines.append(f"r\udce9{i},yes,1")  # the byte 0xE9 alone: not UTF-8
            want_bad.append(n)
        else:
            lines.append("")
    src = tmp_path / "w.csv"
    src.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape") + b"\n")
    monkeypatch.setattr(csvread, "WINDOW", 97)
    monkeypatch.setattr(csvread, "_SMALL", 31)
    monkeypatch.setattr(csvread, "MAX_ROW_BYTES", 200)
    stats = run_batch([src], tmp_path / "o.parquet", tmp_path / "o.rejects.csv", batch_size=7)
    got = pq.read_table(tmp_path / "o.parquet")
    assert list(zip(got.column("row").to_pylist(), got.column("case_id").to_pylist(), strict=True)) == want_ok
    rej = pacsv.read_csv(tmp_path / "o.rejects.csv").to_pylist()
    assert [x["line"] for x in rej] == want_bad
    assert (stats.scored, stats.rejected) == (len(want_ok), len(want_bad))
    assert {x["reason"].split(":")[0] for x in rej} == {"(row)", "(line)"}
    assert any("not UTF-8" in x["reason"] for x in rej) and any("longer than 200 bytes" in x["reason"] for x in rej)


def test_an_unbalanced_quote_at_the_end_and_a_quote_left_open_past_the_row_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "q.csv"
    src.write_text('case_id,ab_hmgcr\na,yes\nb,"yes\n')
    assert _run(str(src), "-o", str(tmp_path / "o.parquet")).exit_code == 0
    rej = pacsv.read_csv(tmp_path / "o.rejects.csv").to_pylist()
    assert [x["line"] for x in rej] == [3] and "not closed before the end of the file" in rej[0]["reason"]
    # a quote opened near the top of a long file is one rejected line, not the rest of the file, and the
    # reader never holds more than about the row limit waiting for the quote to close
    monkeypatch.setattr(csvread, "WINDOW", 1 << 16)
    monkeypatch.setattr(csvread, "MAX_ROW_BYTES", 1 << 14)
    body = "".join(f"r{i:06d}{'x' * 100},no\n" for i in range(4000))  # 440 kB, no quote to close it
    src.write_text('case_id,ab_hmgcr\nx,"yes\n' + body)
    assert _run(str(src), "-o", str(tmp_path / "o.parquet")).exit_code == 0
    got = pq.read_table(tmp_path / "o.parquet")
    assert got.num_rows == 4000 and got.column("row").to_pylist() == list(range(3, 4003))
    assert [x["line"] for x in pacsv.read_csv(tmp_path / "o.rejects.csv").to_pylist()] == [2]


def test_csv_header_problems_stop_the_run_with_a_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "h.csv"
    for text, message in (("", "no header line"), ("case_id,ab_hmgcr,ab_hmgcr\n", "appears more than once")):
        src.write_text(text)
        r = _run(str(src), "-o", str(tmp_path / "o.parquet"))
        assert r.exit_code == 2 and message in r.stderr, r.output
        assert not (tmp_path / "o.parquet").exists()


# --- JSON Lines: deep and malformed lines ------------------------------------------------------------------

def test_a_deep_or_malformed_json_line_is_one_reject(tmp_path: Path) -> None:
    deep = {"case_id": "deep", "ab_srp": 1}
    nested: object = True
    for _ in range(40):
        nested = [nested]
    deep["ab_srp"] = nested  # type: ignore[assignment]
    lines = [json.dumps(CASES[0]), json.dumps(deep), "[[[[", json.dumps(CASES[1])]
    src = tmp_path / "d.jsonl"
    src.write_text("\n".join(lines) + "\n")
    r = _run(str(src), "-o", str(tmp_path / "o.jsonl"))
    assert r.exit_code == 0, r.output
    rej = pacsv.read_csv(tmp_path / "o.rejects.csv").to_pylist()
    assert [x["line"] for x in rej] == [2, 3]
    assert rej[0]["reason"].startswith("ab_srp") and "nested more than 16 levels" in rej[0]["reason"]
    assert "not valid JSON" in rej[1]["reason"]
    assert [json.loads(x)["row"] for x in (tmp_path / "o.jsonl").read_text().splitlines()] == [1, 4]


# --- the inert text rule ------------------------------------------------------------------------------------

def test_formula_text_is_made_inert_and_read_back_exactly() -> None:
    values = ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "'=1", "''-x", "'x", "x=1", "", None, "a", "-"]
    made = [inert_text(v) for v in values]
    assert made == ["'=1+1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "''=1", "'''-x", "'x", "x=1", "", None, "a", "'-"]
    t = pa.table({"case_id": made, "n": list(range(len(made)))})
    assert uninert(t).column("case_id").to_pylist() == values
    assert set(FORMATS) == {".csv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json"}


def _rejects_of(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_a_parquet_column_of_another_type_is_converted_cell_by_cell_and_a_bad_cell_rejects_only_its_row(
        tmp_path: Path) -> None:
    """Arrow's own cast would read an integer 2 (or 0.5) in a boolean column as true, and stop the whole file at the
    first text it cannot parse: each cell is checked instead, and named with what is allowed."""
    pa = pytest.importorskip("pyarrow")
    src = tmp_path / "typed.parquet"
    pq.write_table(pa.table({
        "case_id": pa.array([1, 2, 3, 4, 5, 6]),  # a number: read as its text
        "ab_srp": pa.array([1, 0, 2, None, 1, 0], pa.int64()),
        "ck_u_l": pa.array(["5000", "300", "300", "x", None, None]),
        "weakness_proximal_upper_symmetric": pa.array([1.0, 1.0, 1.0, 1.0, 0.5, None]),
        "ild": pa.array([None, None, None, None, None, [True]], pa.list_(pa.bool_())),
        "sex": pa.array(["male", "female", "male", "male", "female", "male"]).dictionary_encode(),
    }), src)
    out = tmp_path / "o.csv"
    r = _run(str(src), "-o", str(out))
    assert r.exit_code == 0, r.output
    scored = pacsv.read_csv(out).to_pylist()
    assert [str(x["case_id"]) for x in scored] == ["1", "2"]
    from myoclass import assess

    first = assess({"case_id": "1", "ab_srp": True, "ck_u_l": 5000, "weakness_proximal_upper_symmetric": True,
                    "sex": "male"})
    assert scored[0]["label"] == first["summary"]["label"] and scored[0]["leading_label"] == first["summary"][
        "leading_label"]
    rej = {x["case_id"]: x["reason"] for x in _rejects_of(tmp_path / "o.rejects.csv")}
    assert set(rej) == {"3", "4", "5", "6"}
    assert rej["3"].startswith("ab_srp: 2 is not allowed (column of type int64); allowed: a boolean, 1/0")
    assert rej["4"] == "ck_u_l: 'x' is not a number; allowed: a number U/L ≥ 0 or empty (unknown)"
    assert rej["5"].startswith("weakness_proximal_upper_symmetric: 0.5 is not allowed (column of type double)")
    assert rej["6"].startswith("ild: a list is not allowed")


def test_an_output_in_a_directory_that_does_not_exist_is_refused_by_name(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(CASES[0]) + "\n")
    r = _run(str(src), "-o", str(tmp_path / "nodir" / "out.csv"))
    assert r.exit_code == 2
    assert f"the directory {tmp_path / 'nodir'} does not exist" in r.output and "Traceback" not in r.output
    r = _run(str(src), "-o", str(tmp_path / "out.csv"), "--rejects", str(tmp_path / "nod" / "r.csv"))
    assert r.exit_code == 2 and "--rejects" in r.output and not (tmp_path / "out.csv").exists()


def test_a_json_line_that_gives_a_key_twice_is_a_reject_naming_it(tmp_path: Path) -> None:
    src = tmp_path / "c.jsonl"
    src.write_text('{"case_id": "j1", "ab_srp": true}\n{"case_id": "j2", "ab_srp": true, "ab_srp": false}\n'
                   '{"case_id": "j3", "ck_elevated": true}\n')
    r = _run(str(src), "-o", str(tmp_path / "o.jsonl"))
    assert r.exit_code == 0, r.output
    assert [json.loads(x)["case_id"] for x in (tmp_path / "o.jsonl").read_text().splitlines()] == ["j1", "j3"]
    rej = _rejects_of(tmp_path / "o.rejects.csv")
    assert [(x["line"], x["case_id"], x["reason"]) for x in rej] == [
        ("2", "j2", "ab_srp is given more than once; allowed: each key once per object")]


def test_a_reject_names_every_field_at_fault(tmp_path: Path) -> None:
    """As the API does (an IT review of session 23: a batch reject named only its first bad cell): the cells that do
    not read, and the values that break a rule, each with what is allowed."""
    src = tmp_path / "m.csv"
    src.write_text("case_id,ab_jo1,sex,ck_u_l\nc1,0.5,x,abc\nc2,true,male,300\n")
    r = _run(str(src), "-o", str(tmp_path / "o.csv"))
    assert r.exit_code == 0, r.output
    (reason,) = [x["reason"] for x in _rejects_of(tmp_path / "o.rejects.csv")]
    for part in ("ab_jo1: '0.5' is not allowed", "sex: 'x' is not allowed", "ck_u_l: 'abc' is not a number; allowed:"):
        assert part in reason, reason
