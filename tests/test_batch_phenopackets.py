"""myoclass batch reads GA4GH phenopackets: a directory or a glob of packet JSON files, one case per file, a broken
packet one reject naming its file, the output written atomically as for any input (issue 14, item 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
pytest.importorskip("phenopackets")
import pyarrow.csv as pacsv  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from myoclass import assess  # noqa: E402
from myoclass.batch.run import COMPLETED, PHENOPACKET, estimate_records, input_files, input_formats  # noqa: E402
from myoclass.cli import app  # noqa: E402
from myoclass.io.phenopacket import read_phenopacket  # noqa: E402
from myoclass.synthetic import synthetic_cases  # noqa: E402

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures" / "phenopackets"
PACKETS = sorted(FIXTURES.glob("*/*.json"))  # one directory per gene


def _run(*args: str) -> Any:
    return runner.invoke(app, ["batch", *args])


def _rejects(path: Path) -> list[dict[str, Any]]:
    return pacsv.read_csv(path).to_pylist()


def _flat_copy(tmp_path: Path, name: str = "packets") -> Path:
    """The 80 fixture packets in one directory (the fixtures keep one subdirectory per gene)."""
    d = tmp_path / name
    d.mkdir()
    for p in PACKETS:
        shutil.copy(p, d / p.name)
    assert len(list(d.iterdir())) == len(PACKETS)  # no two genes share a file name
    return d


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file()}


def _temps(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if ".myoclass-tmp." in p.name)


_EXPECTED: dict[str, tuple[str, str]] = {}


def _expected(path: Path) -> tuple[str, str]:
    """The strict label and the differential's leading label of ``myoclass.assess`` on the packet as read."""
    if path.name not in _EXPECTED:
        summary = assess(read_phenopacket(json.loads(path.read_text(encoding="utf-8"))).case)["summary"]
        _EXPECTED[path.name] = (summary["label"], summary["leading_label"])
    return _EXPECTED[path.name]


def _check_rows(rows: list[dict[str, Any]], packets: list[Path]) -> None:
    """One row per packet, in file order, with its file, row 1, its id and the labels of ``assess``."""
    by_name = {p.name: p for p in packets}
    assert [Path(r["source"]).name for r in rows] == sorted(by_name)
    for r in rows:
        packet = by_name[Path(r["source"]).name]
        assert r["row"] == 1
        assert r["case_id"] == read_phenopacket(json.loads(packet.read_text(encoding="utf-8"))).case["case_id"]
        assert (r["label"], r["leading_label"]) == _expected(packet), packet.name


def test_the_fixtures_are_the_80_packets() -> None:
    assert len(PACKETS) == 80


def test_a_directory_of_phenopackets_gives_one_row_per_packet_as_assess_does(tmp_path: Path) -> None:
    d = _flat_copy(tmp_path)
    out = tmp_path / "out.parquet"
    r = _run(str(d), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert "80 cases scored, 0 rejected" in r.stderr
    table = pq.read_table(out)
    assert table.num_rows == 80
    _check_rows(table.to_pylist(), PACKETS)
    assert _rejects(tmp_path / "out.rejects.csv") == []
    assert pq.read_metadata(out).metadata[COMPLETED.encode()] == b"true"
    # the progress bar's total: one record per packet
    assert estimate_records(input_files(str(d))) == 80


def test_a_glob_of_phenopackets_and_the_nested_fixture_directory(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    r = _run(str(FIXTURES / "*" / "*.json"), "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = pacsv.read_csv(out).to_pylist()
    assert len(rows) == 80
    assert {Path(x["source"]) for x in rows} == set(PACKETS)
    for x in rows:
        assert x["row"] == 1 and (x["label"], x["leading_label"]) == _expected(Path(x["source"]))
    # a directory is not searched recursively: the fixture directory (one subdirectory per gene) says so
    r = _run(str(FIXTURES), "-o", str(tmp_path / "none.parquet"))
    assert r.exit_code == 2 and "not searched recursively" in r.stderr and "*/*.json" in r.stderr
    assert not (tmp_path / "none.parquet").exists()


def test_one_phenopacket_file_and_batches_smaller_than_the_packets(tmp_path: Path) -> None:
    out = tmp_path / "one.jsonl"
    r = _run(str(PACKETS[0]), "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    _check_rows(rows, [PACKETS[0]])
    # packets are scored batch_size at a time: any batch size gives the same rows
    d = _flat_copy(tmp_path)
    r = _run(str(d), "-o", str(tmp_path / "big.parquet"))
    assert r.exit_code == 0, r.output
    r = _run(str(d), "-o", str(tmp_path / "small.parquet"), "--batch-size", "7")
    assert r.exit_code == 0, r.output
    assert pq.read_table(tmp_path / "small.parquet").equals(pq.read_table(tmp_path / "big.parquet"))


def test_a_broken_packet_is_one_reject_naming_its_file_and_the_others_are_scored(tmp_path: Path) -> None:
    d = _flat_copy(tmp_path)
    text = PACKETS[3].read_text(encoding="utf-8")
    (d / "A_truncated.json").write_text(text[: len(text) // 2], encoding="utf-8")  # not JSON: many lines, one reject
    bad = json.loads(PACKETS[5].read_text(encoding="utf-8"))
    bad["id"] = "bad-sex"
    bad["subject"]["sex"] = "NOPE"  # not a value of the schema's enum
    (d / "B_invalid.json").write_text(json.dumps(bad, indent=2), encoding="utf-8")
    out = tmp_path / "out.parquet"
    for batch_size in ("8192", "3"):
        r = _run(str(d), "-o", str(out), "--batch-size", batch_size)
        assert r.exit_code == 0, r.output
        assert "80 cases scored, 2 rejected" in r.stderr
        _check_rows(pq.read_table(out).to_pylist(), PACKETS)
        rej = _rejects(tmp_path / "out.rejects.csv")
        assert [(Path(x["source"]).name, x["line"]) for x in rej] == [("A_truncated.json", 1), ("B_invalid.json", 1)]
        assert rej[0]["reason"].startswith("A_truncated.json: not read")
        assert rej[1]["reason"].startswith("B_invalid.json:") and "Phenopacket" in rej[1]["reason"]


def test_json_lines_named_json_beside_packets_is_still_read_as_json_lines(tmp_path: Path) -> None:
    d = _flat_copy(tmp_path)
    cases = list(synthetic_cases(3, seed=5))
    (d / "cases.json").write_text("\n".join(json.dumps(c) for c in cases) + "\n", encoding="utf-8")
    files = input_files(str(d))
    fmts = dict(zip((f.name for f in files), input_formats(files), strict=True))
    assert fmts["cases.json"] == "jsonl" and fmts[PACKETS[0].name] == PHENOPACKET
    assert estimate_records(files) == 83
    out = tmp_path / "out.parquet"
    r = _run(str(d), "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = pq.read_table(out).to_pylist()
    flat = [x for x in rows if x["source"].endswith("cases.json")]
    assert [(x["row"], x["case_id"]) for x in flat] == [(k, c["case_id"]) for k, c in enumerate(cases, 1)]
    assert [x["label"] for x in flat] == [assess(c)["summary"]["label"] for c in cases]
    _check_rows([x for x in rows if x not in flat], PACKETS)
    # without a packet beside it, a .json file is JSON Lines as before
    assert input_formats([d / "cases.json"]) == ["jsonl"]


def test_the_output_is_written_atomically_and_never_into_the_packets(tmp_path: Path) -> None:
    d = _flat_copy(tmp_path)
    outdir = tmp_path / "results"
    outdir.mkdir()
    out = outdir / "out.parquet"
    assert _run(str(d), "-o", str(out)).exit_code == 0
    before = _snapshot(outdir)
    assert sorted(before) == ["out.parquet", "out.rejects.csv"] and not _temps(outdir)
    # a run that fails after the packets were scored (a CSV input with a column not in the dictionary, read
    # last) leaves the earlier output and rejects byte for byte, and no temporary file
    (d / "zz.csv").write_text("case_id,ab_hmgrc\nx,true\n")
    r = _run(str(d), "-o", str(out), "--batch-size", "10")
    assert r.exit_code == 2 and "did you mean 'ab_hmgcr'" in r.stderr
    assert _snapshot(outdir) == before and not _temps(outdir)
    (d / "zz.csv").unlink()
    # an output the directory would read as an input is refused before anything is read
    for target in (d / "scored.json", d / "scored.parquet"):
        r = _run(str(d), "-o", str(target))
        assert r.exit_code == 2 and "would read it as an input" in r.stderr, r.output
        assert not target.exists() and not _temps(d)
    r = _run(str(d / "*.json"), "-o", str(d / "more.json"))
    assert r.exit_code == 2 and "would read it as an input" in r.stderr


def test_the_spark_engine_refuses_phenopackets_naming_the_embedded_engine(tmp_path: Path) -> None:
    d = _flat_copy(tmp_path)
    for spec in (str(d), str(d / "*.json"), str(PACKETS[0])):
        r = _run(spec, "--engine", "spark", "-o", str(tmp_path / "spark-out"))
        assert r.exit_code == 2 and "only the embedded engine reads" in r.stderr, r.output
        assert not (tmp_path / "spark-out").exists()
