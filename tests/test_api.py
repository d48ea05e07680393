"""REST API and pages through the ASGI test client."""

from __future__ import annotations

import html
import logging

import pytest
from starlette.testclient import TestClient

from myoclass.model.case import case_json_schema
from myoclass.web.app import Settings, create_app

CASE = {"case_id": "secret-patient-4711", "ab_hmgcr": True, "ck_u_l": 8123, "ck_uln_u_l": 200,
        "weakness_proximal_upper_symmetric": True, "weakness_proximal_lower_symmetric": True}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(max_body_bytes=200_000, max_cases=5, allowed_hosts=("testserver",))))


def test_assess_one_case(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json=CASE)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    a = r.json()
    assert a["schema_version"] == "1" and a["case_id"] == "secret-patient-4711"
    assert a["summary"]["label"] == "imnm_anti_hmgcr"
    assert set(a["criteria"]) >= {"enmc_2017_imnm", "eular_acr_2017", "enmc_2003_iim", "enmc_2011_ibm", "bohan_peter_1975"}


def test_invalid_case_names_the_field(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json={"ab_hmgrc": True, "sex": "x"})
    assert r.status_code == 422
    fields = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert "did you mean 'ab_hmgcr'" in fields["ab_hmgrc"]
    assert "female, male, other" in fields["sex"]


def test_a_list_keeps_good_cases_beside_rejected_ones(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json=[CASE, {"case_id": "bad", "ck_u_l": -1}, {"skin_heliotrope": True}])
    assert r.status_code == 200
    out = r.json()
    assert len(out) == 3
    assert out[0]["summary"]["label"] == "imnm_anti_hmgcr"
    assert out[1] == {"index": 1, "case_id": "bad", "errors": [{"field": "ck_u_l", "message": out[1]["errors"][0]["message"]}]}
    assert "out of range" in out[1]["errors"][0]["message"]
    assert "summary" in out[2]


def test_list_and_body_limits(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json=[CASE] * 6)
    assert r.status_code == 413 and "at most 5" in r.json()["errors"][0]["message"]
    r = client.post("/api/v1/assess", content=b"[" + b"{}," * 100_000 + b"{}]", headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["errors"][0]["field"] == "(body)"


@pytest.mark.parametrize(("body", "fragment"), [(b"{not json", "not valid JSON"), (b"", "is required"),
                                                (b"5", "expected a JSON object")])
def test_malformed_bodies_are_clear_422s(client: TestClient, body: bytes, fragment: str) -> None:
    r = client.post("/api/v1/assess", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert fragment in r.json()["errors"][0]["message"]


def test_reference_endpoints(client: TestClient) -> None:
    assert client.get("/api/v1/schema/case").json() == case_json_schema()
    crit = client.get("/api/v1/criteria").json()
    assert {c["id"] for c in crit} >= {"enmc_2017_imnm", "eular_acr_2017"}
    names = [e["name"] for e in client.get("/api/v1/examples").json()]
    assert "anti_srp_cardiac" in names
    assert client.get("/api/v1/examples/anti_srp_cardiac").json()["ab_srp"] is True
    r = client.get("/api/v1/examples/nope")
    assert r.status_code == 404 and "anti_srp_cardiac" in r.json()["errors"][0]["message"]
    assert client.get("/healthz").json() == {"status": "ok"}
    v = client.get("/-/versions").json()
    assert v["criteria"]["eular_acr_2017"] and v["htmx"].startswith("2.")


def test_tis_and_mmt8(client: TestClient) -> None:
    r = client.post("/api/v1/tis", json={"baseline": {"physician_global": 6, "mmt": 60},
                                         "followup": {"physician_global": 2, "mmt": 72}})
    assert r.status_code == 200 and r.json()["tis"] is None and r.json()["tis_min"] == 37.5
    r = client.post("/api/v1/tis", json={"baseline": {"haq": 4}, "followup": {}, "extra": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "extra"
    r = client.post("/api/v1/mmt8", json={m: 10 for m in ("neck_flexors", "deltoid_middle", "biceps_brachii",
                                                          "wrist_extensors", "gluteus_maximus", "gluteus_medius",
                                                          "quadriceps", "ankle_dorsiflexors")})
    assert r.json()["total"] == 80
    r = client.post("/api/v1/mmt8", json={"quadriceps": 11})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "quadriceps"


@pytest.mark.parametrize("path", ["/", "/patient", "/docs", "/healthz", "/api/v1/criteria", "/static/app.css"])
def test_security_headers_everywhere(client: TestClient, path: str) -> None:
    h = client.get(path).headers
    csp = h["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"


def test_pages_load_no_cdn(client: TestClient) -> None:
    for path in ("/", "/patient", "/docs"):
        html = client.get(path).text
        assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html.split("<body")[0]
        assert "<script>" not in html  # no inline scripts
    assert client.get("/static/htmx.min.js").status_code == 200
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


FORM = {"ab_hmgcr": "true", "ck_u_l": "8000", "ck_uln_u_l": "200", "weakness_proximal_upper_symmetric": "true",
        "weakness_proximal_lower_symmetric": "true", "skin_heliotrope": ""}


def test_no_javascript_post_returns_the_full_page(client: TestClient) -> None:
    r = client.post("/", data=FORM)
    assert r.status_code == 200 and r.text.lstrip().lower().startswith("<!doctype html>")
    assert 'data-testid="verdict">imnm_anti_hmgcr<' in r.text
    assert 'value="true" checked' in r.text  # the form keeps what was entered


def test_htmx_post_returns_only_the_result_fragment(client: TestClient) -> None:
    r = client.post("/", data=FORM, headers={"HX-Request": "true"})
    assert "<html" not in r.text and 'data-testid="verdict">imnm_anti_hmgcr<' in r.text


def test_form_errors_name_the_field(client: TestClient) -> None:
    r = client.post("/", data={"ck_u_l": "lots"}, headers={"HX-Request": "true"})
    assert 'href="#f-ck_u_l"' in r.text and "not a number" in r.text


def test_example_menu_prefills_the_form(client: TestClient) -> None:
    html = client.get("/?example=anti_srp_cardiac").text
    assert 'data-testid="verdict">imnm_anti_srp<' in html
    assert 'id="in-ck_u_l" name="ck_u_l" type="number"' in html and 'value="12400"' in html


def test_export_downloads_case_and_assessment(client: TestClient) -> None:
    r = client.post("/export", data={**FORM, "case_id": "x1"})
    assert "attachment" in r.headers["content-disposition"] and "myoclass-x1.json" in r.headers["content-disposition"]
    body = r.json()
    assert body["case"]["ab_hmgcr"] is True and body["assessment"]["summary"]["label"] == "imnm_anti_hmgcr"


def test_patient_summary_never_shows_a_label_or_probability(client: TestClient) -> None:
    r = client.post("/patient/summary", data={"symptom_difficulty_climbing_stairs": "yes", "statin_exposure": "yes",
                                               "weak_thighs": "on", "notes": "<script>alert(1)</script>"})
    text = r.text.lower()
    assert "thighs" in text and "anti-hmgcr" in text and "creatine kinase" in text
    for word in ("imnm_", "probability", "undetermined", "not_iim", "diagnosed with"):
        assert word not in text
    assert "<script>alert" not in r.text  # escaped


def test_changing_the_answers_of_a_patient_summary_keeps_them(client: TestClient) -> None:
    """"Change my answers" posts the summary's answers back to the checklist, which comes back filled in (a plain link
    had emptied every answer: a review of session 35); nothing goes into a web address."""
    import re

    answers = {"symptom_difficulty_climbing_stairs": "yes", "symptom_myalgia": "no", "weak_thighs": "on",
               "since": 'since March, "worse" <b>', "notes": "My father had a muscle disease & more."}
    page = client.post("/patient/summary", data=answers).text
    form = re.search(r'<form class="no-print change-answers" method="post" action="/patient".*?</form>', page, re.S)
    assert form is not None and "Change my answers" in form.group(0)
    kept = {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                                                        form.group(0))}
    assert {k: kept[k] for k in answers} == answers and kept["dysphagia"] == "unsure" and "weak_hips" not in kept
    again = client.post("/patient", data=kept)
    assert again.status_code == 200 and str(again.url).endswith("/patient")
    checked = set(re.findall(r'name="(\w+)" value="(\w+)" checked', again.text))
    assert ("symptom_difficulty_climbing_stairs", "yes") in checked and ("symptom_myalgia", "no") in checked
    assert ("dysphagia", "unsure") in checked and ("symptom_difficulty_climbing_stairs", "unsure") not in checked
    assert 'name="weak_thighs" checked' in again.text and 'name="weak_hips" checked' not in again.text
    since = re.search(r'id="since" name="since"[^>]* value="([^"]*)"', again.text)
    assert since is not None and html.unescape(since.group(1)) == answers["since"] and "<b>" not in again.text
    assert ">My father had a muscle disease &amp; more.</textarea>" in again.text
    # an empty checklist is still the default
    fresh = client.get("/patient").text
    assert 'value="yes" checked' not in fresh and 'value="unsure" checked' in fresh


def test_no_case_data_in_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        client.post("/api/v1/assess", json=CASE)
        client.post("/", data={**FORM, "case_id": "secret-patient-4711"})
        client.post("/api/v1/assess", json={"case_id": "secret-patient-4711", "bogus": 1})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "secret-patient-4711" not in logged and "8123" not in logged


def test_serve_binds_loopback_by_default() -> None:
    import inspect

    from myoclass.cli import serve

    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"


def test_patient_checklist_asks_about_the_skin_and_breathing_and_says_when_notes_were_cut(client: TestClient) -> None:
    page = client.get("/patient").text
    assert "Skin and breathing" in page and 'name="rash"' in page and 'name="breathless"' in page
    r = client.post("/patient/summary", data={"rash": "yes", "breathless": "yes", "notes": "x" * 2500})
    assert r.status_code == 200
    assert "I have a new skin rash: could it be linked to my muscle symptoms?" in r.text
    assert "I am more short of breath, or I cough: should my lungs be checked?" in r.text
    assert "(Shortened to the first 2,000 characters.)" in r.text and "x" * 2001 not in r.text
    quiet = client.post("/patient/summary", data={"rash": "no", "notes": "short"}).text
    assert "skin rash: could" not in quiet and "lungs be checked" not in quiet and "Shortened" not in quiet
    # not findings of the flat case: the data block a clinician imports stays free of them
    block = r.text.split('data-testid="patient-data">', 1)[1].split("</pre>", 1)[0]
    assert "rash" not in block and "breathless" not in block and "symptom" not in block


@pytest.mark.parametrize("answers,urgent", [({"dysphagia": "yes"}, True), ({"breathless": "yes"}, True),
                                            ({"dysphagia": "no", "breathless": "unsure"}, False), ({}, False)])
def test_the_patient_summary_says_when_to_get_help_quickly(client: TestClient, answers: dict[str, str],
                                                          urgent: bool) -> None:
    """Swallowing or breathing hard: the summary says first when to get help straight away, not only a question for
    the appointment (a patient's review of session 25)."""
    from myoclass.web.pages import PATIENT_URGENT

    page = client.post("/patient/summary", data=answers).text
    assert (html.escape(PATIENT_URGENT, quote=True) in page) is urgent
