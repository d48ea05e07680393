"""The assessment contract: every output holds to the typed assessment (``myoclass.model.assessment``).

The library (bundled examples, a few hundred thin cases, both readings, two policies), ``myoclass assess -f json``,
``POST /api/v1/assess`` and a batch row are checked against the JSON Schema generated from the TypedDicts (no
undeclared key anywhere, no required key missing, every value of its type), and, the other way round, every field
the types declare must occur in the library's outputs. So ``assess()`` cannot gain or lose a field without the
TypedDicts changing with it (and ``docs/assessment.md`` with them: ``tests/test_generated_docs.py``).
"""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import pytest
from pydantic import TypeAdapter
from typing_extensions import get_type_hints, is_typeddict

from _builders import thin_published
from myoclass import Policy, assess
from myoclass.criteria import VERIFICATION, criteria_sets
from myoclass.criteria.eular_acr_2017 import SUBGROUPS
from myoclass.examples import example_cases
from myoclass.io.inputs import input_of, input_report
from myoclass.io.phenopacket import read_phenopacket
from myoclass.model import assessment as A
from myoclass.model.labels import LABELS
from myoclass.reasoning.differential import READINGS
from myoclass.reasoning.text import LABEL_TEXT
from myoclass.synthetic import thin_cases

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = A.assessment_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
ADAPTER = TypeAdapter(A.Assessment)


def _errors(out: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(out)]


# --- an exact walk of a value along its declared type -------------------------------------------------


def _walk(tp: Any, value: Any, path: str, seen: set[tuple[str, str]]) -> None:
    """Check ``value`` against ``tp`` exactly (no undeclared key, no missing required key, no stray type) and
    record each TypedDict field met as ``(class name, field)`` in ``seen``."""
    if is_typeddict(tp):
        assert isinstance(value, dict), f"{path}: {value!r} is not an object"
        hints = get_type_hints(tp)
        undeclared = set(value) - set(hints)
        assert not undeclared, f"{path}: undeclared key(s) {sorted(undeclared)} (add them to {tp.__name__})"
        missing = set(tp.__required_keys__) - set(value)
        assert not missing, f"{path}: required key(s) {sorted(missing)} missing ({tp.__name__})"
        for k, v in value.items():
            seen.add((tp.__name__, k))
            _walk(hints[k], v, f"{path}.{k}", seen)
        return
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        errors = []
        for alt in get_args(tp):
            try:
                _walk(alt, value, path, seen)
                return
            except AssertionError as e:
                errors.append(str(e))
        raise AssertionError(f"{path}: {value!r} matches none of {tp}: {errors}")
    if origin is Literal:
        assert value in get_args(tp) and isinstance(value, str), f"{path}: {value!r} not one of {get_args(tp)}"
    elif origin is list:
        assert isinstance(value, list), f"{path}: {value!r} is not a list"
        for i, v in enumerate(value):
            _walk(get_args(tp)[0], v, f"{path}[{i}]", seen)
    elif origin is dict:
        assert isinstance(value, dict), f"{path}: {value!r} is not an object"
        kt, vt = get_args(tp)
        for k, v in value.items():
            _walk(kt, k, f"{path}<key>", seen)
            _walk(vt, v, f"{path}.{k}", seen)
    elif tp is type(None):
        assert value is None, f"{path}: {value!r} is not null"
    elif tp is float:
        assert isinstance(value, float | int) and not isinstance(value, bool), f"{path}: {value!r} is not a number"
    elif tp is int:
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: {value!r} is not an integer"
    elif tp in (str, bool):
        assert isinstance(value, tp), f"{path}: {value!r} is not a {tp.__name__}"
    else:
        raise AssertionError(f"{path}: no check for {tp!r}")


def _declared() -> set[tuple[str, str]]:
    return {(td.__name__, k) for td in A.typed_dicts() for k in get_type_hints(td)}


# --- the outputs --------------------------------------------------------------------------------------


def _cases() -> list[dict[str, Any]]:
    ex = list(example_cases().values())
    no_id = {k: v for k, v in ex[0].items() if k != "case_id"}
    return [*ex, {}, no_id, *thin_cases(ex, 200, seed=11), *thin_published(100, seed=4)]


@pytest.fixture(scope="module")
def outputs() -> list[Any]:
    cases = _cases()
    out: list[Any] = [assess(c, reading=r) for r in READINGS for c in cases]
    other = Policy("probability", "off", False)
    out += [assess(c, other) for c in example_cases().values()]
    return out + _from_charts_and_packets()


def _from_charts_and_packets() -> list[Any]:
    """Assessments of FHIR charts and phenopackets as ``myoclass assess`` and the API give them (with ``input``)."""
    fixtures = Path(__file__).parent / "fixtures"
    docs = [json.loads((fixtures / "fhir" / f).read_text(encoding="utf-8"))
            for f in ("conflicts_bundle.json", "searchset_bundle.json", "imnm_statin_bundle.json")]
    packets = [json.loads(f.read_text(encoding="utf-8")) for f in sorted((fixtures / "phenopackets").rglob("*.json"))]
    with_warnings = [p for p in packets if read_phenopacket(p).warnings]
    out = []
    for doc in docs + packets[:3] + with_warnings[:3]:
        inp = input_of(doc)
        a = assess(inp.case)
        a["input"] = input_report(inp)
        out.append(a)
    return out


def test_the_vocabularies_are_the_code_s() -> None:
    assert get_args(A.Label) == LABELS
    assert get_args(A.LabelOrUndetermined) == (*LABELS, "undetermined")
    assert set(LABEL_TEXT) == {*LABELS, "undetermined"}
    assert get_args(A.Verification) == tuple(VERIFICATION)
    assert get_args(A.EularSubgroup) == tuple(SUBGROUPS.values())
    assert get_args(A.Reading) == tuple(READINGS)
    ids = [s.id for s in criteria_sets()]
    assert list(get_type_hints(A.Criteria)) == ids
    assert list(get_type_hints(A.Versions)) == ["myoclass", *ids]
    policy = get_type_hints(Policy)
    choices = get_type_hints(A.PolicyChoices)
    assert list(choices) == list(policy)
    for k, tp in policy.items():
        assert get_args(choices[k]) == get_args(tp) and (choices[k] is bool) == (tp is bool), k


def test_the_schema_is_valid_and_self_contained() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    refs: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect(SCHEMA)
    assert refs and all(r.startswith("#/$defs/") and r.removeprefix("#/$defs/") in SCHEMA["$defs"] for r in refs)
    assert set(SCHEMA["$defs"]) | {"Assessment"} == {td.__name__ for td in A.typed_dicts()}
    json.dumps(SCHEMA)  # plain JSON


def test_library_outputs_validate_against_the_schema(outputs: list[Any]) -> None:
    for out in outputs:
        assert not _errors(out), (out["case_id"], _errors(out)[:5])


def test_library_outputs_are_exactly_typed_and_use_every_declared_field(outputs: list[Any]) -> None:
    seen: set[tuple[str, str]] = set()
    for out in outputs:
        ADAPTER.validate_python(out, strict=True)
        _walk(A.Assessment, out, "$", seen)
    never = _declared() - seen
    assert not never, f"declared but never in an output (remove them, or add a case that shows them): {sorted(never)}"


def test_the_break_detector_works() -> None:
    """A field added to or removed from an output is caught (the schema, the walk and pydantic's strict mode)."""
    out: Any = assess(example_cases()[next(iter(example_cases()))])
    added = json.loads(json.dumps(out))
    added["summary"]["confidence"] = 0.5
    assert any("confidence" in e for e in _errors(added))
    with pytest.raises(AssertionError, match="undeclared"):
        _walk(A.Assessment, added, "$", set())
    removed = json.loads(json.dumps(out))
    del removed["policy"]
    assert any("policy" in e for e in _errors(removed))
    with pytest.raises(AssertionError, match="missing"):
        _walk(A.Assessment, removed, "$", set())
    nested = json.loads(json.dumps(out))
    nested["criteria"]["eular_acr_2017"]["items"][0]["extra"] = 1
    assert _errors(nested)


# --- the CLI ------------------------------------------------------------------------------------------


def test_cli_json_output_holds_to_the_contract(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from myoclass.cli import app

    cases = _cases()[:60]
    f = tmp_path / "cases.jsonl"
    f.write_text("\n".join(json.dumps(c) for c in cases) + "\n")
    res = CliRunner().invoke(app, ["assess", str(f), "-f", "json"])
    assert res.exit_code == 0, res.output
    got = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    assert len(got) == len(cases)
    for c, out in zip(cases, got, strict=True):
        assert not _errors(out), _errors(out)[:5]
        _walk(A.Assessment, out, "$", set())
        assert out == json.loads(json.dumps(assess(c)))


def test_cli_prints_the_generated_schema() -> None:
    from typer.testing import CliRunner

    from myoclass.cli import app

    res = CliRunner().invoke(app, ["schema", "assessment"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == SCHEMA


# --- the REST API -------------------------------------------------------------------------------------


def test_rest_api_responses_hold_to_the_contract_and_to_its_openapi_schema() -> None:
    from starlette.testclient import TestClient

    from myoclass.web.api import assessment_components
    from myoclass.web.app import Settings, create_app

    client = TestClient(create_app(Settings(max_cases=10, allowed_hosts=("testserver",))))
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    for name, comp in assessment_components().items():
        assert components[name] == comp
    op = spec["paths"]["/api/v1/assess"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert op["oneOf"][0] == {"$ref": "#/components/schemas/Assessment"}
    # the served OpenAPI schema, resolved inside the served document, validates what the server answers
    served = jsonschema.Draft202012Validator({**op, "components": spec["components"]})

    cases = _cases()[:8]
    for c in cases[:4]:
        r = client.post("/api/v1/assess", json=c)
        assert r.status_code == 200
        out = r.json()
        assert not _errors(out), _errors(out)[:5]
        _walk(A.Assessment, out, "$", set())
        served.validate(out)
        assert out == json.loads(json.dumps(assess(c)))
    r = client.post("/api/v1/assess", json=[*cases[4:], {"case_id": "bad", "ck_u_l": -1}])
    assert r.status_code == 200
    listed = r.json()
    served.validate(listed)
    for out in listed[:-1]:
        assert not _errors(out), _errors(out)[:5]
    assert set(listed[-1]) == {"index", "case_id", "errors"}


# --- the batch: the documented flat projection ------------------------------------------------------


def test_batch_columns_are_the_flat_projection_of_the_assessment() -> None:
    pa = pytest.importorskip("pyarrow")
    from myoclass.batch.schema import cases_to_table
    from myoclass.batch.score import output_schema, score_batch
    from myoclass.reasoning.engine import engine

    arrow = {"string": pa.string(), "bool": pa.bool_(), "float": pa.float64(), "int": pa.int64(), "json": pa.string()}
    projection = A.flat_projection()
    cases = _cases()[:40]
    table, rejects = score_batch(cases_to_table(cases))
    assert not rejects
    schema = table.schema
    assert schema == output_schema(engine(Policy()))
    assert set(projection) <= set(schema.names)
    assert set(schema.names) - set(projection) <= set(A.BATCH_ONLY_COLUMNS)
    for col, path in projection.items():
        assert schema.field(col).type == arrow[A.flat_column_kind(path)], col

    # each column carries the library's value of its field (JSON text for lists and objects)
    flat_test = {**SCHEMA["$defs"]["NextTest"]}
    flat_test["properties"] = {k: v for k, v in flat_test["properties"].items() if k in A.NEXT_TEST_FLAT_KEYS}
    flat_test["required"] = [k for k in flat_test["required"] if k in A.NEXT_TEST_FLAT_KEYS]
    flat_tests = jsonschema.Draft202012Validator({"type": "array", "items": flat_test, "$defs": SCHEMA["$defs"]})
    for c, row in zip(cases, table.to_pylist(), strict=True):
        lib: Any = assess(c)
        for col, path in projection.items():
            want = lib
            for key in path:
                want = want[key]
            got = row[col]
            if A.flat_column_kind(path) == "json":
                got = json.loads(got)
                if col == "next_tests":
                    flat_tests.validate(got)
                    want = [{k: t[k] for k in A.NEXT_TEST_FLAT_KEYS if k in t} for t in want]
            assert got == want, (c.get("case_id"), col, got, want)
