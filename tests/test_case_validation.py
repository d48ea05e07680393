"""Flat-case validation (data-dictionary.md value rules), derived values, and the command line."""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from _builders import CK_RAISED, LOWER, UPPER, blank, present
from myoclass import InvalidCase, assess, parse_case
from myoclass.cli import app
from myoclass.model.case import STATIN_TAKEN_NOTE
from myoclass.model.fields import FIELDS
from myoclass.report.text import text_report

EXAMPLES: dict[str, dict[str, Any]] = json.loads(
    resources.files("myoclass.examples").joinpath("cases.json").read_text(encoding="utf-8"))


def problems(raw: Any) -> list[dict[str, str]]:
    with pytest.raises(InvalidCase) as err:
        parse_case(raw)
    return err.value.to_dict()


# --- bad input ---------------------------------------------------------------------------------

# (flat case, field named by the problem, words the message must contain)
BAD_CASES = [
    pytest.param({"skin_heliotrop": True}, "skin_heliotrop", ["unknown key", "did you mean 'skin_heliotrope'"],
                 id="unknown key with nearest-key suggestion"),
    pytest.param({"ab_hmgrc": False}, "ab_hmgrc", ["unknown key", "did you mean 'ab_hmgcr'"], id="antibody typo"),
    pytest.param({"CK_U_L": 900}, "CK_U_L", ["unknown key", "did you mean 'ck_u_l'"], id="key in capitals"),
    pytest.param({"ab-hmgcr": True}, "ab-hmgcr", ["unknown key", "did you mean 'ab_hmgcr'"], id="key with hyphens"),
    pytest.param({"zzzz_qqqq": 1}, "zzzz_qqqq", ["unknown key", "myoclass schema case"],
                 id="unknown key without a near match"),
    pytest.param({"dysphagia": "yes"}, "dysphagia", ["'yes' is not allowed", "true, false or null"],
                 id="string for a boolean"),
    pytest.param({"dysphagia": 1}, "dysphagia", ["is not allowed", "true, false or null"], id="number for a boolean"),
    pytest.param({"age_years": True}, "age_years", ["is not allowed", "a number"], id="boolean for a number"),
    pytest.param({"age_years": "55"}, "age_years", ["is not allowed", "a number"], id="string for a number"),
    pytest.param({"case_id": 17}, "case_id", ["is not allowed", "a string"], id="number for a string"),
    pytest.param({"age_years": -1}, "age_years", ["out of range", "≥ 0", "≤ 120"], id="below minimum"),
    pytest.param({"age_at_onset_years": 120.5}, "age_at_onset_years", ["out of range", "≤ 120"], id="above maximum"),
    pytest.param({"symptom_duration_months": -0.1}, "symptom_duration_months", ["out of range", "≥ 0"],
                 id="negative duration"),
    pytest.param({"ck_u_l": -5}, "ck_u_l", ["out of range"], id="negative CK"),
    pytest.param({"ck_uln_u_l": 0}, "ck_uln_u_l", ["out of range", "> 0"], id="exclusive minimum of ck_uln_u_l"),
    pytest.param({"onset_tempo": "fast"}, "onset_tempo", ["'fast' is not allowed", "acute, subacute, insidious"],
                 id="bad enum lists the allowed values"),
    pytest.param({"sex": "Female"}, "sex", ["is not allowed", "female, male, other"], id="enum is lower case only"),
    pytest.param({"statin_exposure": True, "statin_withdrawal_outcome": "better"}, "statin_withdrawal_outcome",
                 ["resolved, persisted"], id="bad withdrawal outcome"),
    pytest.param({"immunosuppression_response": "none"}, "immunosuppression_response", ["improved, no_response"],
                 id="bad treatment response"),
    pytest.param({"ab_hmgcr_method": "western"}, "ab_hmgcr_method",
                 ["elisa, iif, line_blot, immunoprecipitation, cbia"], id="bad assay method"),
    pytest.param({"ck_u_l": math.nan}, "ck_u_l", ["not a finite number"], id="NaN"),
    pytest.param({"age_years": math.inf}, "age_years", ["not a finite number"], id="infinity"),
    pytest.param({"ck_u_l": 900, "ck_uln_u_l": 200, "ck_elevated": False}, "ck_elevated",
                 ["contradicts", "ck_u_l=900", "ck_uln_u_l=200", "above the upper limit"],
                 id="ck_elevated false contradicts the numbers"),
    pytest.param({"ck_u_l": 200, "ck_uln_u_l": 200, "ck_elevated": True}, "ck_elevated",
                 ["contradicts", "not above the upper limit"], id="ck_elevated true contradicts CK at the limit"),
    pytest.param({"biopsy_performed": False, "biopsy_rimmed_vacuoles": True}, "biopsy_rimmed_vacuoles",
                 ["biopsy_performed is false"], id="biopsy finding with biopsy_performed false"),
    pytest.param({"biopsy_performed": False, "biopsy_mhc1_upregulation": False}, "biopsy_mhc1_upregulation",
                 ["biopsy_performed is false"], id="absent biopsy finding with biopsy_performed false"),
    pytest.param({"biopsy_necrotic_fibers": False, "biopsy_necrosis_predominant": True},
                 "biopsy_necrosis_predominant", ["biopsy_necrotic_fibers is false"],
                 id="necrosis predominant without necrotic fibres"),
    pytest.param({"weakness_neck_flexor_gt_extensor": True, "weakness_neck_extensor_gt_flexor": True},
                 "weakness_neck_extensor_gt_flexor", ["weakness_neck_flexor_gt_extensor"],
                 id="neck flexor and extensor both weaker"),
    pytest.param({"statin_exposure": False, "statin_withdrawal_outcome": "resolved"}, "statin_withdrawal_outcome",
                 ["statin_exposure is false"], id="statin withdrawal without exposure"),
    pytest.param({"age_at_onset_years": 50, "age_years": 40}, "age_at_onset_years", ["later than age_years=40"],
                 id="onset after current age"),
    pytest.param({"age_at_onset_years": 13, "age_years": 35, "symptom_duration_months": 6}, "symptom_duration_months",
                 ["6 months contradicts age_years=35 and age_at_onset_years=13", "about 22 years",
                  "leave the duration out"], id="duration the ages contradict"),
    pytest.param({"age_at_onset_years": 35, "age_years": 35, "symptom_duration_months": 14}, "symptom_duration_months",
                 ["14 months contradicts"], id="a duration over a year within one year of age"),
    pytest.param({"genetic_diagnosis_gene": "dysf"}, "genetic_diagnosis_gene", ["not an HGNC gene symbol"],
                 id="lower-case gene symbol"),
    pytest.param({"genetic_diagnosis_gene": "DYSF CAPN3"}, "genetic_diagnosis_gene", ["not an HGNC gene symbol"],
                 id="two gene symbols"),
    pytest.param({"genetic_diagnosis_gene": ""}, "genetic_diagnosis_gene", ["not an HGNC gene symbol"],
                 id="empty gene symbol"),
    pytest.param({"case_id": ""}, "case_id", ["empty string", "null"], id="empty case_id"),
]


@pytest.mark.parametrize(("raw", "field", "words"), BAD_CASES)
def test_bad_input_names_the_field_and_what_is_wrong(raw: dict[str, Any], field: str, words: list[str]) -> None:
    found = problems(raw)
    assert [p["field"] for p in found] == [field]
    for w in words:
        assert w in found[0]["message"]


@pytest.mark.parametrize(("raw", "kind"), [([], "an array"), ([{"age_years": 3}], "an array"), ("case", "a string"),
                                         (42, "a number"), (None, "null"), (True, "a boolean")])
def test_not_an_object(raw: Any, kind: str) -> None:
    """Named in JSON's words, not Python's (``list``, ``NoneType``)."""
    found = problems(raw)
    assert found == [{"field": "(case)", "message": f"expected a JSON object, got {kind}"}]


def test_values_are_shown_in_json_words() -> None:
    from myoclass.model.case import show

    assert (show(True), show(False), show(None), show({"a": [True, None]})) == ("true", "false", "null",
                                                                              "{'a': [true, null]}")
    assert problems({"age_years": True}) == [{"field": "age_years", "message": "true is not allowed; allowed: a number "
                                                                               "years ≥ 0 and ≤ 120 or null"}]


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"skin_heliotrop": True, "dysphagia": "yes", "age_years": 200, "onset_tempo": "fast"})
    assert {p["field"] for p in found} == {"skin_heliotrop", "dysphagia", "age_years", "onset_tempo"}


def test_invalid_case_message_joins_the_problems() -> None:
    with pytest.raises(InvalidCase, match=r"dysphagia: 'yes' is not allowed.*; age_years: 200 is out of range"):
        parse_case({"dysphagia": "yes", "age_years": 200})


def test_assess_rejects_bad_input_too() -> None:
    with pytest.raises(InvalidCase):
        assess({"skin_heliotrop": True})


@pytest.mark.parametrize(("raw", "field"), [
    ({"ck_uln_u_l": 0.001}, "ck_uln_u_l"),
    ({"ck_u_l": 0}, "ck_u_l"),
    ({"age_years": 0}, "age_years"),
    ({"age_years": 120}, "age_years"),
    ({"genetic_diagnosis_gene": "C9ORF72"}, "genetic_diagnosis_gene"),
    ({"genetic_diagnosis_gene": "HLA-DRB1"}, "genetic_diagnosis_gene"),
    ({"statin_exposure": None, "statin_withdrawal_outcome": "persisted"}, "statin_withdrawal_outcome"),
    ({"age_at_onset_years": 40, "age_years": 40}, "age_at_onset_years"),
])
def test_edge_values_that_are_valid(raw: dict[str, Any], field: str) -> None:
    assert parse_case(raw).get(field) == raw[field]


def test_missing_and_null_are_unknown_never_absent() -> None:
    case = parse_case({"case_id": "x", "dysphagia": None})
    assert case.get("dysphagia") is None
    assert case.get("skin_heliotrope") is None
    assert set(case.values) == set(FIELDS)


def test_every_field_of_blank_case_is_accepted() -> None:
    case = parse_case(blank(biopsy=True))
    assert case.get("biopsy_rimmed_vacuoles") is False


# --- derived values ----------------------------------------------------------------------------


@pytest.mark.parametrize(("ck", "uln", "given", "derived"), [
    (900, 200, None, True),
    (201, 200, None, True),
    (200, 200, None, False),
    (50, 200, None, False),
    (900, 200, True, True),
    (50, 200, False, False),
    (None, 200, None, None),
    (900, None, None, None),
    (None, None, True, True),
    (None, None, False, False),
])
def test_ck_elevated_derivation(ck: float | None, uln: float | None, given: bool | None,
                                derived: bool | None) -> None:
    case = parse_case({"ck_u_l": ck, "ck_uln_u_l": uln, "ck_elevated": given})
    assert case.get("ck_elevated") is derived
    assert ("ck_elevated derived from ck_u_l and ck_uln_u_l" in case.notes) == (given is None and derived is not None)


def test_qualitative_ck_elevated_counts_as_raised_ck() -> None:
    a = assess({"ck_elevated": True, "ab_hmgcr": True, **present(UPPER, LOWER)})
    assert a["criteria"]["enmc_2017_imnm"]["category"] == "anti-HMGCR myopathy"


@pytest.mark.parametrize(("raw", "performed", "noted"), [
    ({"biopsy_rimmed_vacuoles": False}, True, True),
    ({"biopsy_performed": None, "biopsy_necrotic_fibers": True}, True, True),
    ({"biopsy_performed": True, "biopsy_necrotic_fibers": True}, True, False),
    ({"biopsy_performed": False}, False, False),
    ({}, None, False),
])
def test_biopsy_performed_derivation(raw: dict[str, Any], performed: bool | None, noted: bool) -> None:
    case = parse_case(raw)
    assert case.get("biopsy_performed") is performed
    assert ("biopsy_performed taken as true because biopsy findings are given" in case.notes) is noted


@pytest.mark.parametrize(("raw", "taken", "noted"), [
    ({"statin_withdrawal_outcome": "resolved"}, True, True),
    ({"statin_exposure": None, "statin_withdrawal_outcome": "persisted"}, True, True),
    ({"statin_exposure": True, "statin_withdrawal_outcome": "resolved"}, True, False),
    ({"statin_exposure": False}, False, False),
    ({}, None, False),
])
def test_statin_exposure_derivation(raw: dict[str, Any], taken: bool | None, noted: bool) -> None:
    """The course after stopping a statin presupposes one was taken (data dictionary: statin_withdrawal_outcome
    is "after stopping the statin")."""
    case = parse_case(raw)
    assert case.get("statin_exposure") is taken
    assert (STATIN_TAKEN_NOTE in case.notes) is noted


def test_a_statin_course_without_statin_use_reads_as_a_statin_taken_everywhere() -> None:
    """The labels, the differential, the warnings and the words: a resolved course without anti-HMGCR reads as
    with the statin recorded."""
    course = {"statin_withdrawal_outcome": "resolved", "ab_hmgcr": False, "ck_u_l": 3000, "ck_uln_u_l": 200}
    a, b = assess(course), assess({**course, "statin_exposure": True})
    assert a["summary"]["reachable_labels"] == b["summary"]["reachable_labels"]
    assert a["summary"]["label"] == b["summary"]["label"]
    assert a["summary"]["leading_label"] == "statin_toxic_myopathy"
    assert STATIN_TAKEN_NOTE in a["warnings"] and STATIN_TAKEN_NOTE not in b["warnings"]
    assert a["differential"] == b["differential"]
    assert "A statin is taken as having been used" in text_report(a)


def test_derived_values_are_reported_as_warnings() -> None:
    a = assess({"ck_u_l": 900, "ck_uln_u_l": 200, "biopsy_necrotic_fibers": True})
    assert "ck_elevated derived from ck_u_l and ck_uln_u_l" in a["warnings"]
    assert "biopsy_performed taken as true because biopsy findings are given" in a["warnings"]
    assert a["criteria"]["eular_acr_2017"]["model"] == "with_biopsy"


def test_to_flat_round_trip_keeps_derived_values() -> None:
    case = parse_case({"ck_u_l": 900, "ck_uln_u_l": 200, "case_id": "r"})
    flat = case.to_flat()
    assert flat == {"ck_u_l": 900, "ck_uln_u_l": 200, "case_id": "r", "ck_elevated": True}
    assert parse_case(flat).values == case.values


# --- command line ------------------------------------------------------------------------------

runner = CliRunner()

GOOD_1 = blank(case_id="good-1", **present(UPPER, LOWER), **CK_RAISED, ab_hmgcr=True)
GOOD_3 = blank(case_id="good-3")
BAD_2 = {"case_id": "bad-2", "skin_heliotrop": True}


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _jsonl(*records: Any) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


@pytest.mark.parametrize(("fmt", "expected"), [
    ("text", ["myoclass assessment — case good-1", "Classified: IMNM, anti-HMGCR subtype", "label imnm_anti_hmgcr;"]),
    ("markdown", ["# myoclass assessment — case good-1", "**Classified: IMNM, anti-HMGCR subtype (settled by the criteria)**"]),
])
def test_cli_assess_file_text_and_markdown(tmp_path: Path, fmt: str, expected: list[str]) -> None:
    res = runner.invoke(app, ["assess", _write(tmp_path, "case.json", json.dumps(GOOD_1)), "--format", fmt])
    assert res.exit_code == 0, res.output
    for text in expected:
        assert text in res.stdout


def test_cli_assess_file_json(tmp_path: Path) -> None:
    res = runner.invoke(app, ["assess", _write(tmp_path, "case.json", json.dumps(GOOD_1)), "--format", "json"])
    assert res.exit_code == 0, res.output
    a = json.loads(res.stdout)
    assert a == json.loads(json.dumps(assess(GOOD_1)))
    assert (a["schema_version"], a["case_id"], a["summary"]["label"]) == ("1", "good-1", "imnm_anti_hmgcr")


def test_cli_assess_json_array(tmp_path: Path) -> None:
    res = runner.invoke(app, ["assess", _write(tmp_path, "cases.json", json.dumps([GOOD_1, GOOD_3])), "-f", "json"])
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["case_id"] for line in res.stdout.splitlines()] == ["good-1", "good-3"]


def test_cli_assess_json_lines_with_a_bad_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "cases.jsonl", _jsonl(GOOD_1, BAD_2, GOOD_3))
    res = runner.invoke(app, ["assess", path, "--format", "json"])
    assert res.exit_code == 2
    assert "error: line 2 (case_id bad-2): skin_heliotrop: unknown key" in res.stderr
    assert "did you mean 'skin_heliotrope'" in res.stderr
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(a["case_id"], a["summary"]["label"]) for a in out] == [("good-1", "imnm_anti_hmgcr"),
                                                                    ("good-3", "not_iim")]


def test_cli_assess_json_lines_with_invalid_json_and_blank_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "cases.jsonl", _jsonl(GOOD_1, "", "{not json", GOOD_3))
    res = runner.invoke(app, ["assess", path, "-f", "json"])
    assert res.exit_code == 2
    assert "error: line 3: (line): not valid JSON" in res.stderr
    assert len(res.stdout.splitlines()) == 2


def test_cli_assess_bad_value_names_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "cases.jsonl", _jsonl(GOOD_1, GOOD_3, {"age_years": 300}))
    res = runner.invoke(app, ["assess", path, "-f", "json"])
    assert res.exit_code == 2
    assert "error: line 3: age_years: 300 is out of range" in res.stderr
    assert len(res.stdout.splitlines()) == 2


def test_cli_assess_all_good_exits_zero(tmp_path: Path) -> None:
    res = runner.invoke(app, ["assess", _write(tmp_path, "ok.jsonl", _jsonl(GOOD_1, GOOD_3)), "-f", "json"])
    assert res.exit_code == 0
    assert res.stderr == ""


def test_cli_assess_standard_input() -> None:
    res = runner.invoke(app, ["assess", "-", "-f", "json"], input=json.dumps(GOOD_3))
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["case_id"] == "good-3"


def test_cli_assess_missing_file(tmp_path: Path) -> None:
    res = runner.invoke(app, ["assess", str(tmp_path / "nope.json")])
    assert res.exit_code == 2
    assert "no such file" in res.stderr


@pytest.mark.parametrize(("options", "label"), [
    ([], "not_iim"),
    (["--no-enmc-weakness-required"], "imnm_anti_hmgcr"),
])
def test_cli_assess_policy_options(tmp_path: Path, options: list[str], label: str) -> None:
    case = blank(case_id="weakness-absent", **CK_RAISED, ab_hmgcr=True)
    res = runner.invoke(app, ["assess", _write(tmp_path, "c.json", json.dumps(case)), "-f", "json", *options])
    assert res.exit_code == 0, res.output
    a = json.loads(res.stdout)
    assert a["summary"]["label"] == label


def test_cli_assess_eular_options(tmp_path: Path) -> None:
    # no rash, no biopsy, EULAR/ACR score 7.7
    case = blank(case_id="rash-free", **present(UPPER, LOWER, "weakness_neck_flexor_gt_extensor",
                                                "weakness_legs_proximal_gt_distal"), **CK_RAISED)
    path = _write(tmp_path, "c.json", json.dumps(case))
    default = json.loads(runner.invoke(app, ["assess", path, "-f", "json"]).stdout)
    off = json.loads(runner.invoke(app, ["assess", path, "-f", "json", "--eular-rash-free", "off",
                                         "--eular-cutoffs", "probability"]).stdout)
    assert default["summary"]["label"] == "not_iim"
    assert off["summary"]["label"] == "pm"
    assert off["policy"] == {"eular_cutoffs": "probability", "eular_rash_free": "off",
                             "enmc_weakness_required": True}


def test_cli_criteria_json() -> None:
    res = runner.invoke(app, ["criteria", "--format", "json"])
    assert res.exit_code == 0, res.output
    sets = json.loads(res.stdout)
    assert [s["id"] for s in sets] == ["enmc_2017_imnm", "eular_acr_2017", "enmc_2003_iim", "enmc_2011_ibm",
                                       "connors_2010_ass", "bohan_peter_1975"]
    eular = next(s for s in sets if s["id"] == "eular_acr_2017")
    weights = {i["id"]: (i["weight"], i["weight_with_biopsy"]) for i in eular["items"]}
    assert weights["gottron_sign"] == (3.3, 3.7)
    assert weights["biopsy_rimmed_vacuoles"] == (None, 3.1)
    enmc = next(s for s in sets if s["id"] == "enmc_2017_imnm")
    assert enmc["verification"] == "R"
    assert any(i["unverified"] for i in enmc["items"])


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_cli_criteria_text_formats(fmt: str) -> None:
    res = runner.invoke(app, ["criteria", "--format", fmt])
    assert res.exit_code == 0
    assert "Gottron" in res.stdout


def test_cli_example_list() -> None:
    res = runner.invoke(app, ["example"])
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(EXAMPLES)
    assert [line.split()[1] for line in lines] == [c["case_id"] for c in EXAMPLES.values()]


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_cli_example_by_name(name: str) -> None:
    res = runner.invoke(app, ["example", name])
    assert res.exit_code == 0
    assert json.loads(res.stdout) == EXAMPLES[name]


def test_cli_example_unknown_name() -> None:
    res = runner.invoke(app, ["example", "dermatomyosits"])
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "no example named 'dermatomyosits'" in res.stderr
    assert "did you mean 'dermatomyositis'" in res.stderr


def test_cli_schema_case() -> None:
    res = runner.invoke(app, ["schema", "case"])
    assert res.exit_code == 0
    schema = json.loads(res.stdout)
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(FIELDS)
    assert schema["properties"]["ck_uln_u_l"]["exclusiveMinimum"] == 0
    assert schema["properties"]["age_years"]["maximum"] == 120
    assert schema["properties"]["onset_tempo"]["enum"] == ["acute", "subacute", "insidious", None]
    assert schema["properties"]["dysphagia"]["type"] == ["boolean", "null"]


def test_cli_demo_assesses_every_example() -> None:
    res = runner.invoke(app, ["demo"])
    assert res.exit_code == 0, res.output
    for name, case in EXAMPLES.items():
        assert f"# example: {name}" in res.stdout
        assert f"case {case['case_id']}" in res.stdout
    assert "Classified: IMNM, anti-HMGCR subtype" in res.stdout
    assert "Most likely: " in res.stdout and "(not settled by the criteria" in res.stdout


def test_cli_demo_json() -> None:
    res = runner.invoke(app, ["demo", "--format", "json"])
    assert res.exit_code == 0
    out = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    assert [a["case_id"] for a in out] == [c["case_id"] for c in EXAMPLES.values()]


def test_cli_version() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0
    assert res.stdout.startswith("myoclass ")


def test_an_unknown_key_is_rejected_even_when_its_value_is_null() -> None:
    with pytest.raises(InvalidCase) as e:
        parse_case({"ab_hmgrc": None})
    assert "did you mean 'ab_hmgcr'" in str(e.value)


def test_a_case_id_longer_than_allowed_is_refused_alike_by_the_library_and_the_batch() -> None:
    """An identifier is echoed back in every answer and output row: a megabyte of it is refused, not echoed."""
    from myoclass.batch.schema import cases_to_table
    from myoclass.batch.score import score_batch
    from myoclass.model.case import MAX_TEXT_CHARS, case_json_schema

    assert problems({"case_id": "x" * (MAX_TEXT_CHARS + 1)}) == [
        {"field": "case_id", "message": f"{MAX_TEXT_CHARS + 1} characters; allowed: at most {MAX_TEXT_CHARS} "
                                        "characters, or null"}]
    assert parse_case({"case_id": "x" * MAX_TEXT_CHARS}).values["case_id"] == "x" * MAX_TEXT_CHARS
    results, rejects = score_batch(cases_to_table([{"case_id": "x" * (MAX_TEXT_CHARS + 1)}, {"case_id": "ok"}]))
    assert results.column("case_id").to_pylist() == ["ok"]
    assert [r.reason for r in rejects] == [problems({"case_id": "x" * (MAX_TEXT_CHARS + 1)})[0]["field"] + ": "
                                           + problems({"case_id": "x" * (MAX_TEXT_CHARS + 1)})[0]["message"]]
    assert case_json_schema()["properties"]["case_id"]["maxLength"] == MAX_TEXT_CHARS


def test_a_duration_longer_than_the_life_is_an_error_naming_it() -> None:
    """With no age at onset, a symptom duration longer than the patient's age is impossible (a web review of session
    23 entered 99,999 months at 62 years); a duration that fits is kept."""
    import pytest

    from myoclass.model.case import InvalidCase, parse_case

    with pytest.raises(InvalidCase) as e:
        parse_case({"age_years": 62, "symptom_duration_months": 99999})
    assert e.value.problems[0].field == "symptom_duration_months" and "longer than the patient has lived" in str(e.value)
    assert parse_case({"age_years": 62, "symptom_duration_months": 744}).values["symptom_duration_months"] == 744
    assert parse_case({"age_years": 1, "symptom_duration_months": 24}).values["symptom_duration_months"] == 24  # 1 year: up to 2
