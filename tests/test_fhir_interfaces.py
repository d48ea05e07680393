"""FHIR R4 through the interfaces (issue 13, item 3): ``myoclass assess`` and ``POST /api/v1/assess`` take a
flat case, a FHIR Bundle or a FHIR ``searchset``, told from the content (and from ``application/fhir+json``);
``myoclass convert FILE --to flat|fhir``; ``myoclass assess … --format fhir`` writes a Bundle that validates
against the official R4 schema and parses with the R4 models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

import myoclass
from _builders import README_CASE
from _fhir_schema import assert_valid_r4
from myoclass.cli import app
from myoclass.examples import example_cases
from myoclass.io.fhir import case_to_resources
from myoclass.web.app import Settings, create_app

runner = CliRunner()


def _bundle(case: dict[str, Any], kind: str = "searchset") -> dict[str, Any]:
    """A flat case as an EHR would send it: its resources in a Bundle (searchset by default)."""
    entries: list[dict[str, Any]] = []
    for r in case_to_resources(case):
        e: dict[str, Any] = {"fullUrl": f"https://ehr.example/fhir/{r['resourceType']}/{r['id']}", "resource": r}
        if kind == "searchset":
            e["search"] = {"mode": "match"}
        entries.append(e)
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(max_body_bytes=2_000_000, max_cases=5, allowed_hosts=("testserver",))))


# ---------------------------------------------------------------------------------------------- CLI


def test_assess_reads_a_fhir_searchset_and_gives_the_flat_cases_label(tmp_path: Path) -> None:
    f = tmp_path / "chart.json"
    f.write_text(json.dumps(_bundle(README_CASE)), encoding="utf-8")
    res = runner.invoke(app, ["assess", str(f), "-f", "json"])
    assert res.exit_code == 0, res.output
    (a,) = _lines(res.stdout)
    flat = myoclass.assess(README_CASE)
    assert a["summary"]["label"] == flat["summary"]["label"]
    assert a["summary"]["leading_label"] == flat["summary"]["leading_label"]
    assert a["input"]["format"] == "fhir"
    assert {r["field"] for r in a["input"]["read"]} >= {"ck_u_l", "ab_srp"}
    assert all(src.count("/") == 1 for r in a["input"]["read"] for src in r["sources"])


def test_assess_text_report_says_what_was_read_from_the_chart(tmp_path: Path) -> None:
    chart = _bundle(README_CASE)
    chart["entry"].append({"resource": {"resourceType": "Observation", "id": "bp", "status": "final",
                                        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]}}})
    f = tmp_path / "chart.json"
    f.write_text(json.dumps(chart), encoding="utf-8")
    res = runner.invoke(app, ["assess", str(f)])
    assert res.exit_code == 0, res.output
    assert "Read from the chart (FHIR R4)" in res.stdout
    assert "not mapped: Observation/bp (http://loinc.org|85354-9)" in res.stdout


def test_assess_format_fhir_validates_against_the_r4_schema(tmp_path: Path) -> None:
    f = tmp_path / "cases.jsonl"
    f.write_text("\n".join(json.dumps(c) for c in example_cases().values()), encoding="utf-8")
    res = runner.invoke(app, ["assess", str(f), "--format", "fhir"])
    assert res.exit_code == 0, res.output
    bundles = _lines(res.stdout)
    assert len(bundles) == len(example_cases())
    for b in bundles:
        assert b["resourceType"] == "Bundle" and b["type"] == "collection"
        assert_valid_r4(b)
        kinds = {e["resource"]["resourceType"] for e in b["entry"]}
        assert {"Condition", "RiskAssessment", "Patient"} <= kinds


def test_assess_format_fhir_from_a_chart_points_at_the_charts_resources(tmp_path: Path) -> None:
    f = tmp_path / "chart.json"
    f.write_text(json.dumps(_bundle(README_CASE)), encoding="utf-8")
    res = runner.invoke(app, ["assess", str(f), "-f", "fhir"])
    assert res.exit_code == 0, res.output
    (b,) = _lines(res.stdout)
    assert_valid_r4(b)
    given = {f"{r['resourceType']}/{r['id']}" for r in case_to_resources(README_CASE)}
    (cond,) = [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "Condition"
               and f"Condition/{e['resource']['id']}" not in given]  # the assessment's own Condition
    pointed = {d["reference"] for ev in cond.get("evidence", []) for d in ev.get("detail", [])}
    assert pointed and pointed <= given
    assert {"Observation/patient-ck-u-l", "Observation/patient-ab-srp"} <= pointed


def test_convert_round_trips_flat_to_fhir_to_flat(tmp_path: Path) -> None:
    for name, case in example_cases().items():
        f = tmp_path / f"{name}.json"
        f.write_text(json.dumps(case), encoding="utf-8")
        res = runner.invoke(app, ["convert", str(f), "--to", "fhir"])
        assert res.exit_code == 0, res.output
        (chart,) = _lines(res.stdout)
        assert_valid_r4(chart)
        g = tmp_path / f"{name}.fhir.json"
        g.write_text(json.dumps(chart), encoding="utf-8")
        back = runner.invoke(app, ["convert", str(g), "--to", "flat"])
        assert back.exit_code == 0, back.output
        (flat,) = _lines(back.stdout)
        want = myoclass.parse_case(case).to_flat()
        assert flat == want, name


def test_convert_lists_unmapped_items_on_stderr_and_rejects_bad_records_alone(tmp_path: Path) -> None:
    chart = _bundle(README_CASE)
    chart["entry"].append({"resource": {"resourceType": "Immunization", "id": "flu"}})
    f = tmp_path / "mixed.json"
    f.write_text(json.dumps([chart, {"case_id": "bad", "ck_u_l": -5}, README_CASE]), encoding="utf-8")
    res = runner.invoke(app, ["convert", str(f), "--to", "flat"])
    assert res.exit_code == 2
    assert len(_lines(res.stdout)) == 2
    assert "not mapped: Immunization/flu" in res.stderr
    assert "error: item 2 (case_id bad): ck_u_l" in res.stderr


def test_convert_refuses_a_bad_date_and_a_bad_codes_file(tmp_path: Path) -> None:
    f = tmp_path / "c.json"
    f.write_text(json.dumps(README_CASE), encoding="utf-8")
    res = runner.invoke(app, ["convert", str(f), "--to", "flat", "--as-of", "yesterday"])
    assert res.exit_code == 2 and "--as-of" in res.stderr and "YYYY-MM-DD" in res.stderr
    codes = tmp_path / "codes.json"
    codes.write_text("[1, 2", encoding="utf-8")
    res = runner.invoke(app, ["convert", str(f), "--to", "flat", "--codes", str(codes)])
    assert res.exit_code == 2 and "Traceback" not in res.output


# ---------------------------------------------------------------------------------------------- API


def test_api_takes_a_fhir_bundle_told_from_the_content(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json=_bundle(README_CASE))
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["summary"]["label"] == myoclass.assess(README_CASE)["summary"]["label"]
    assert a["input"]["format"] == "fhir"


def test_api_takes_application_fhir_json_and_answers_a_bundle_when_asked(client: TestClient) -> None:
    body = json.dumps(_bundle(README_CASE, "collection"))
    r = client.post("/api/v1/assess", content=body, headers={"content-type": "application/fhir+json",
                                                                "accept": "application/fhir+json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/fhir+json")
    b = r.json()
    assert b["resourceType"] == "Bundle"
    assert_valid_r4(b)


def test_api_answers_a_list_in_fhir_as_one_batch_response_bundle(client: TestClient) -> None:
    """A list with Accept: application/fhir+json is one FHIR resource (an integrator's review found a bare JSON array
    labelled FHIR): a Bundle of type batch-response, each case's Bundle with 200, a rejected case's OperationOutcome
    with 422 naming the case and the field, in the order given; valid R4."""
    body = [README_CASE, _bundle(README_CASE), {"case_id": "x", "sex": "other?"}]
    r = client.post("/api/v1/assess", json=body, headers={"accept": "application/fhir+json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/fhir+json")
    b = r.json()
    assert (b["resourceType"], b["type"], len(b["entry"])) == ("Bundle", "batch-response", 3)
    assert [e["response"]["status"] for e in b["entry"]] == ["200 OK", "200 OK", "422 Unprocessable Entity"]
    assert all(e["resource"]["resourceType"] == "Bundle" for e in b["entry"][:2])
    (issue,) = b["entry"][2]["response"]["outcome"]["issue"]
    assert issue["diagnostics"].startswith("case 2 (x): sex: ")
    assert_valid_r4(b)
    plain = client.post("/api/v1/assess", json=body).json()  # without the Accept: the JSON list, as before
    assert isinstance(plain, list) and plain[2]["errors"][0]["field"] == "sex"


def test_api_declared_fhir_that_is_not_fhir_names_the_field(client: TestClient) -> None:
    r = client.post("/api/v1/assess", content=json.dumps(README_CASE), headers={"content-type": "application/fhir+json"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "resourceType"


def test_api_list_mixes_flat_cases_and_charts_and_a_bad_one_costs_no_other(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json=[README_CASE, _bundle(README_CASE), {"case_id": "x", "sex": "other?"}])
    assert r.status_code == 200, r.text
    out = r.json()
    assert out[0]["summary"]["label"] == out[1]["summary"]["label"]
    assert "input" not in out[0] and out[1]["input"]["format"] == "fhir"
    assert out[2]["index"] == 2 and out[2]["errors"][0]["field"] == "sex"


def test_api_a_malformed_chart_is_a_clear_answer_never_a_500(client: TestClient) -> None:
    for body in ({"resourceType": "Bundle", "entry": "nope"}, {"resourceType": "Bundle", "entry": [1, None, "x", []]},
                 {"resourceType": "Observation"}, {"resourceType": 7}, {"resourceType": "Bundle", "type": "searchset",
                                                                       "entry": [{"resource": {"resourceType": "Patient",
                                                                                               "birthDate": "soon"}}]}):
        r = client.post("/api/v1/assess", json=body)
        assert r.status_code in (200, 422), (body, r.status_code, r.text)
        if r.status_code == 422:
            assert all(e["field"] and e["message"] for e in r.json()["errors"])
        else:
            assert "input" in r.json()


def test_docs_fhir_md_carries_the_code_table_the_reader_uses() -> None:
    from myoclass.io.fhir.codes import code_table_markdown

    text = (Path(__file__).resolve().parents[1] / "docs" / "fhir.md").read_text(encoding="utf-8")
    assert code_table_markdown() in text, "regenerate the code table in docs/fhir.md from code_table_markdown()"


def test_hpo_codes_in_fhir_come_from_the_one_hpo_table() -> None:
    from myoclass.io.fhir import codes as C
    from myoclass.io.hpo import HPO_TABLE

    table = {(r.term, r.field) for r in HPO_TABLE}
    hpo = [e for e in C.code_entries() if e.system == C.HPO]
    assert hpo and all((e.code, e.field) in table for e in hpo)
    # a more specific term counts for its field when present, never the other way round when absent
    e = C.lookup(C.HPO, "HP:0031108")  # triceps weakness, under proximal upper-limb weakness
    assert e is not None and e.field == "weakness_proximal_upper_symmetric" and not e.absence_reads
    assert C.lookup(C.HPO, "HP:0002460") is None  # distal weakness is not distal-predominant weakness


@pytest.mark.parametrize("chart", [
    {"resourceType": "Bundle", "entry": 5},
    {"resourceType": "Foo"},
    {"resourceType": "Bundle", "entry": [1, 2]},
    {"resourceType": "Patient", "birthDate": "xx"},
])
def test_a_chart_from_which_nothing_could_be_read_is_refused_not_assessed(chart: dict[str, object]) -> None:
    """An assessment of nothing would read as an answer ("most likely no inflammatory myopathy"): refused, saying
    why nothing was read."""
    from myoclass.io.inputs import input_of
    from myoclass.model.case import InvalidCase

    with pytest.raises(InvalidCase) as e:
        input_of(chart)
    (problem,) = e.value.problems
    assert problem.field == "(fhir)" and problem.message.startswith("nothing could be read from this chart (")
