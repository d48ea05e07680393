"""The command line under hostile and unlucky input: a clear message and exit code 2, never a traceback,
and a bad record never costs the others their assessment (issue 9, item 5 and the CLI half of item 6)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from myoclass.cli import app
from myoclass.io.json import MAX_DEPTH, TooDeep, check_depth, loads
from myoclass.model.case import MAX_REPORTED_KEYS, InvalidCase, parse_case, show
from myoclass.model.fields import FIELDS

runner = CliRunner()

GOOD = {"case_id": "good", "ab_hmgcr": True, "ck_u_l": 8000, "ck_uln_u_l": 200,
        "weakness_proximal_upper_symmetric": True}


def _nested(depth: int, leaf: Any = True) -> Any:
    v = leaf
    for _ in range(depth):
        v = [v]
    return v


def _no_crash(res: Any) -> None:
    """The command ended by itself (exit 0 or 2), with no Python exception and no traceback."""
    assert res.exit_code in (0, 2), (res.exit_code, res.output[-2000:])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output


# --- item 5: the rough edges ---------------------------------------------------------------------

def test_non_utf8_file_exits_2_with_a_message(tmp_path: Path) -> None:
    p = tmp_path / "latin1.json"
    p.write_bytes('{"case_id": "Müller"}'.encode("latin-1"))
    res = runner.invoke(app, ["assess", str(p)])
    _no_crash(res)
    assert res.exit_code == 2
    assert "not UTF-8 text (byte 0xfc at offset 14)" in res.stderr


def test_non_utf8_standard_input_exits_2() -> None:
    res = runner.invoke(app, ["assess", "-"], input=b"\xff\xfe{}")
    _no_crash(res)
    assert res.exit_code == 2
    assert "standard input: not UTF-8 text" in res.stderr


def test_a_byte_order_mark_is_not_an_error(tmp_path: Path) -> None:
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())
    res = runner.invoke(app, ["assess", str(p), "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["summary"]["label"] == "imnm_anti_hmgcr"


@pytest.mark.parametrize("text", ["", "   \n\n", "[]"])
def test_empty_input_exits_2_with_no_cases(tmp_path: Path, text: str) -> None:
    p = tmp_path / "empty.jsonl"
    p.write_text(text)
    res = runner.invoke(app, ["assess", str(p)])
    _no_crash(res)
    assert res.exit_code == 2
    assert "no cases" in res.stderr
    res = runner.invoke(app, ["assess", "-"], input=text)
    assert res.exit_code == 2 and "standard input: no cases" in res.stderr


def test_a_directory_is_named_as_a_directory(tmp_path: Path) -> None:
    res = runner.invoke(app, ["assess", str(tmp_path)])
    _no_crash(res)
    assert res.exit_code == 2
    assert f"{tmp_path}: is a directory" in res.stderr
    assert "no such file" not in res.stderr


def test_tis_and_mmt8_files_get_the_same_care(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\x80")
    deep = tmp_path / "deep.json"
    deep.write_text(json.dumps({"neck_flexors": _nested(40, 5)}))
    for args, words in ((["mmt8", str(bad)], "not UTF-8"), (["mmt8", str(deep)], "neck_flexors"),
                        (["mmt8", str(tmp_path)], "is a directory"), (["tis", str(deep), str(deep)], "nested more than")):
        res = runner.invoke(app, args)
        _no_crash(res)
        assert res.exit_code == 2 and words in res.stderr, (args, res.stderr)


@pytest.mark.parametrize("depth", [40, 1000, 5000])
def test_a_deep_json_lines_line_is_one_reported_line(tmp_path: Path, depth: int) -> None:
    lines = [json.dumps(GOOD), json.dumps({"case_id": "deep", "ab_srp": _nested(depth)}) if depth < 1000
             else '{"case_id": "deep", "ab_srp": ' + "[" * depth + "]" * depth + "}", json.dumps(GOOD | {"case_id": "after"})]
    p = tmp_path / "cases.jsonl"
    p.write_text("\n".join(lines) + "\n")
    res = runner.invoke(app, ["assess", str(p), "-f", "json"])
    _no_crash(res)
    assert res.exit_code == 2
    errors = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: line 2"), res.stderr
    assert [json.loads(x)["case_id"] for x in res.stdout.splitlines()] == ["good", "after"]


def test_a_deep_record_in_a_json_array_is_one_reported_record(tmp_path: Path) -> None:
    p = tmp_path / "cases.json"
    p.write_text(json.dumps([GOOD, {"case_id": "deep", "myalgia": {"a": _nested(30)}}, GOOD | {"case_id": "after"}]))
    res = runner.invoke(app, ["assess", str(p), "-f", "json"])
    _no_crash(res)
    assert "error: item 2 (case_id deep): myalgia.a[0][0]" in res.stderr
    assert f"nested more than {MAX_DEPTH} levels deep" in res.stderr
    assert [json.loads(x)["case_id"] for x in res.stdout.splitlines()] == ["good", "after"]


# --- bounded cost and bounded echo, in the library every entry point shares ----------------------

def test_twenty_thousand_near_miss_keys_cost_twenty_suggestions() -> None:
    raw = {f"ab_hmgcr{i}": True for i in range(20_000)} | {"ck_u_l": -1}
    t0 = time.perf_counter()
    with pytest.raises(InvalidCase) as err:
        parse_case(raw)
    assert time.perf_counter() - t0 < 1.0
    problems = err.value.problems
    unknown = [p for p in problems if p.message.startswith("unknown key")]
    assert len(unknown) == MAX_REPORTED_KEYS
    assert unknown[0].message == "unknown key; did you mean 'ab_hmgcr'?"
    assert problems[-1].field == "(keys)"
    assert problems[-1].message == f"and {20_000 - MAX_REPORTED_KEYS} more unknown keys, not listed"
    assert any(p.field == "ck_u_l" for p in problems)  # the value problems are still all reported


def test_a_huge_value_is_never_echoed_whole() -> None:
    huge = "x" * 1_000_000
    with pytest.raises(InvalidCase) as err:
        parse_case({"ck_u_l": huge, huge: 1, "ab_srp": _nested(900)})
    text = str(err.value)
    assert len(text) < 1000
    assert "ck_u_l: 'xxx" in text and "ab_srp: [[[...]]] is not allowed" in text
    assert show(huge).count("x") <= 60


def test_check_depth_names_the_path_and_accepts_the_limit() -> None:
    check_depth({"a": _nested(MAX_DEPTH - 1)})  # MAX_DEPTH containers in all: allowed
    with pytest.raises(TooDeep) as err:
        check_depth([{"b": 1}, {"a": _nested(MAX_DEPTH)}])
    assert err.value.path.startswith("[1].a[0]")
    with pytest.raises(TooDeep):
        loads(json.dumps({"a": _nested(MAX_DEPTH)}))


# --- fuzz: wide, deep, unicode, huge and duplicate-key JSON, through the whole command -------------

_KEYS = st.one_of(st.sampled_from(sorted(FIELDS)), st.sampled_from(sorted(FIELDS)).map(lambda k: k[:-1] + "x"),
                  st.text(max_size=12))
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                     st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                     st.sampled_from(["\u202e", "\r\n", "=cmd|' /C calc'!A0", "\ud800".encode("utf-8", "surrogatepass")
                                      .decode("utf-8", "replace"), "😀" * 50, "x" * 20_000]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(_KEYS, inner, max_size=3)), max_leaves=20)
_CASES = st.dictionaries(_KEYS, st.one_of(_SCALARS, _VALUES), max_size=30)


def _hostile_text(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["case", "array", "lines", "deep", "wide", "dupes", "bytes"]))
    if kind == "case":
        return json.dumps(draw(_CASES)).encode()
    if kind == "array":
        return json.dumps(draw(st.lists(_CASES, max_size=4))).encode()
    if kind == "lines":
        return "\n".join(json.dumps(c) for c in draw(st.lists(_CASES, min_size=1, max_size=4))).encode()
    if kind == "deep":
        d = draw(st.integers(MAX_DEPTH - 2, 1500))
        key = draw(st.sampled_from(sorted(FIELDS)))
        return (f'{{"{key}": ' + "[" * d + "]" * d + "}").encode()
    if kind == "wide":
        n = draw(st.integers(100, 5000))
        return json.dumps({f"{draw(st.sampled_from(sorted(FIELDS)))}{i}": True for i in range(n)}).encode()
    if kind == "dupes":
        key = draw(st.sampled_from(sorted(FIELDS)))
        return f'{{"{key}": true, "{key}": "x", "{key}": null}}'.encode()
    return draw(st.binary(max_size=200))


@st.composite
def hostile_inputs(draw: st.DrawFn) -> bytes:
    return _hostile_text(draw)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_inputs(), st.sampled_from(["text", "json", "markdown"]))
def test_fuzz_assess_never_crashes(data: bytes, fmt: str) -> None:
    res = runner.invoke(app, ["assess", "-", "-f", fmt], input=data)
    _no_crash(res)
    if res.exit_code == 2:
        assert "error:" in res.stderr


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_inputs(), st.sampled_from(["mmt8", "tis"]))
def test_fuzz_mmt8_and_tis_never_crash(tmp_path_factory: pytest.TempPathFactory, data: bytes, command: str) -> None:
    p = tmp_path_factory.mktemp("fuzz") / "in.json"
    p.write_bytes(data)
    args = [command, str(p)] + ([str(p)] if command == "tis" else [])
    _no_crash(runner.invoke(app, args))


def test_a_json_lines_file_with_one_line_not_utf8_assesses_the_others(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"case_id": "a", "ab_srp": true}\n{"case_id": "b\xff"}\n{"case_id": "c", "ck_elevated": true}\n')
    res = runner.invoke(app, ["assess", str(p), "-f", "json"])
    _no_crash(res)
    assert res.exit_code == 2  # a line was rejected
    assert [json.loads(x)["case_id"] for x in res.stdout.splitlines()] == ["a", "c"]
    assert "line 2: (line): not UTF-8 text (byte 0xff at column 15); save it as UTF-8" in res.stderr


def test_a_key_given_twice_is_refused_by_name_never_silently_kept_once(tmp_path: Path) -> None:
    from myoclass.errors import RepeatedKey

    with pytest.raises(RepeatedKey, match=r"^ab_srp is given more than once"):
        loads('{"ab_srp": true, "ab_srp": false}')
    with pytest.raises(RepeatedKey, match=r"^\[1\]\.c\.x is given more than once"):
        loads('[{"a": 1}, {"b": 1, "c": {"x": 1, "x": 2}}]')
    assert loads('{"ab_srp": true, "ab_srp": false}', unique=False) == {"ab_srp": False}
    p = tmp_path / "arr.json"
    p.write_text('[{"case_id": "a", "ab_srp": true},\n {"case_id": "b", "ab_srp": true, "ab_srp": false},\n'
                 ' {"case_id": "c"}]')
    res = runner.invoke(app, ["assess", str(p), "-f", "json"])
    _no_crash(res)
    assert res.exit_code == 2
    assert [json.loads(x)["case_id"] for x in res.stdout.splitlines()] == ["a", "c"]
    assert "item 2 (case_id b): ab_srp is given more than once; allowed: each key once per object" in res.stderr


@pytest.mark.parametrize("command", [["assess"], ["convert", "--to", "fhir"]])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_table_file_given_to_a_json_command_names_the_command_that_reads_it(tmp_path: Path, command: list[str],
                                                                           suffix: str) -> None:
    """A cohort's CSV or Parquet file given to `myoclass assess` (one JSON case, JSON Lines, FHIR, a phenopacket)
    is refused in one line naming `myoclass batch`, not read line by line as JSON (one error per line)."""
    f = tmp_path / f"cohort{suffix}"
    f.write_text("case_id,sex\na,female\n")
    res = runner.invoke(app, [*command, str(f)])
    assert res.exit_code == 2
    assert res.output.count("error:") == 1 and "`myoclass batch` reads CSV and Parquet" in res.output
    assert "not valid JSON" not in res.output


def test_a_rejected_item_of_a_json_array_is_named_by_its_place_not_a_line(tmp_path: Path) -> None:
    """A JSON array written over several lines: a rejected case is "item N" (its place, from 1), not "line N" (an
    integrator's review found "line 2" for an item on line 3); JSON Lines keep their line numbers."""
    arr = tmp_path / "list.json"
    arr.write_text('[\n  {"case_id": "ok", "age_years": 40},\n  {"case_id": "bad", "sex": "x"}\n]\n')
    res = runner.invoke(app, ["assess", str(arr), "-f", "json"])
    assert "error: item 2 (case_id bad): sex:" in res.output and "error: line" not in res.output
    lines = tmp_path / "c.jsonl"
    lines.write_text('{"case_id": "ok"}\n{"case_id": "bad", "sex": "x"}\n')
    res = runner.invoke(app, ["assess", str(lines), "-f", "json"])
    assert "error: line 2 (case_id bad): sex:" in res.output


def test_a_line_nested_past_the_decoders_guard_is_said_as_too_deep(tmp_path: Path) -> None:
    """100,000 levels on one line: the decoder stops first, and the reject still says "nested more than 16 levels
    deep" (an integrator's review of session 25 found the decoder's "depth limit exceeded"); the next line is read."""
    f = tmp_path / "deep.jsonl"
    f.write_text('{"a":' * 100_000 + "1" + "}" * 100_000 + '\n{"case_id": "ok"}\n')
    res = runner.invoke(app, ["assess", str(f), "-f", "json"])
    assert "error: line 1: (body): nested more than 16 levels deep" in res.output
    assert "depth limit" not in res.output and '"case_id":"ok"' in res.output.replace(" ", "")
