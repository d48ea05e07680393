"""The Accept header (RFC 9110 §12.5.1): the JSON endpoints answer 406, naming ``Accept`` and the types allowed, when
a client admits no type they answer with; every ordinary client (no header, ``*/*``, a browser's default, JSON)
is answered as before."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from myoclass.web.app import Settings, create_app
from myoclass.web.cds import CdsSettings
from myoclass.web.negotiation import JSON_FAMILY, MAX_RANGES, not_acceptable, prefers_fhir

JSON = ("application/json",)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize("header", [None, "", "  ", "*/*", "application/*", "application/json", BROWSER,
                                    "APPLICATION/JSON", "application/json; charset=utf-8", "text/plain, */*;q=0.1",
                                    "application/json;q=abc", "application/xml, application/json;q=0.5"])
def test_json_is_admitted(header: str | None) -> None:
    assert not_acceptable(header, JSON) is None


@pytest.mark.parametrize("header", ["application/xml", "text/html", "text/*", "application/json;q=0",
                                    "application/json;q=0, */*", "application/json;q=0.0, application/*",
                                    "image/png, text/csv;q=0.5"])
def test_json_is_refused(header: str) -> None:
    message = not_acceptable(header, JSON)
    assert message is not None
    assert "allowed: application/json" in message


def test_the_most_specific_range_decides() -> None:
    # */* admits FHIR JSON even when plain JSON is refused by name
    assert not_acceptable("application/json;q=0, */*", ("application/json", "application/fhir+json")) is None
    assert not_acceptable("application/*;q=0, application/json", JSON) is None


def test_a_hostile_header_is_read_only_in_part() -> None:
    # the admitting range comes after the ranges read, so it is not seen
    header = ",".join(["text/plain"] * (MAX_RANGES + 10) + ["application/json"])
    assert not_acceptable(header, JSON) is not None
    message = not_acceptable("x/" + "y" * 100_000, JSON)
    assert message is not None and len(message) < 400


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(Settings(allowed_hosts=("testserver",)), CdsSettings(jwt_verify=False)))


CASE = {"ab_hmgcr": True, "ck_u_l": 8000, "ck_uln_u_l": 200}


@pytest.mark.parametrize(("method", "path"), [("post", "/api/v1/assess"), ("get", "/api/v1/criteria"),
                                              ("get", "/api/v1/examples"), ("get", "/api/v1/schema/case")])
def test_the_api_refuses_xml_with_406(client: TestClient, method: str, path: str) -> None:
    kw = {"json": CASE} if method == "post" else {}
    r = client.request(method.upper(), path, headers={"accept": "application/xml"}, **kw)
    assert r.status_code == 406
    assert r.headers["content-type"].startswith("application/json")
    (problem,) = r.json()["errors"]
    assert problem["field"] == "Accept"
    assert "'application/xml'" in problem["message"] and "allowed: application/json" in problem["message"]


def test_assess_offers_fhir_json_too(client: TestClient) -> None:
    r = client.post("/api/v1/assess", json=CASE, headers={"accept": "text/html"})
    assert r.status_code == 406
    assert "application/json, application/fhir+json, application/json+fhir" in r.json()["errors"][0]["message"]
    for header in ("application/fhir+json", "application/json+fhir", "application/fhir+json, application/json;q=0.9"):
        r = client.post("/api/v1/assess", json=CASE, headers={"accept": header})
        assert r.status_code == 200 and r.json()["resourceType"] == "Bundle", header
    # FHIR JSON refused by its q, or only reached through */*: plain JSON
    for header in ("application/fhir+json;q=0, application/json", "*/*", "application/json, application/fhir+json;q=0.5"):
        r = client.post("/api/v1/assess", json=CASE, headers={"accept": header})
        assert r.status_code == 200 and "summary" in r.json(), header


@pytest.mark.parametrize(("header", "fhir"), [
    (None, False), ("*/*", False), ("application/*", False), ("application/json", False),
    ("application/fhir+json", True), ("application/json+fhir", True), ("application/fhir+json;q=0", False),
    ("application/fhir+json;q=0.5, application/json", False), ("application/fhir+json, application/json", True),
    ("application/json;q=0.9, application/json+fhir", True)])
def test_prefers_fhir(header: str | None, fhir: bool) -> None:
    assert prefers_fhir(header) is fhir


def test_a_fhir_client_asking_only_for_fhir_json_is_answered(client: TestClient) -> None:
    for header in ("application/fhir+json", "application/json+fhir"):
        assert client.get("/api/v1/criteria", headers={"accept": header}).status_code == 200
        assert client.get("/cds-services", headers={"accept": header}).status_code == 200
    assert not_acceptable("application/json+fhir", JSON_FAMILY) is None


@pytest.mark.parametrize("header", [BROWSER, "*/*", "application/json"])
def test_ordinary_clients_are_answered(client: TestClient, header: str) -> None:
    r = client.post("/api/v1/assess", json=CASE, headers={"accept": header})
    assert r.status_code == 200 and r.json()["summary"]["leading_label"] == "imnm_anti_hmgcr"
    assert client.get("/api/v1/criteria", headers={"accept": header}).status_code == 200


def test_the_pages_are_not_negotiated(client: TestClient) -> None:
    # the workspace is HTML; the check is only on the JSON endpoints
    assert client.get("/", headers={"accept": "text/html"}).status_code == 200


def test_cds_hooks_refuse_with_an_operation_outcome(client: TestClient) -> None:
    for r in (client.get("/cds-services", headers={"accept": "application/xml"}),
              client.post("/cds-services/myoclass-patient-view", json={}, headers={"accept": "application/xml"})):
        assert r.status_code == 406
        body = r.json()
        assert body["resourceType"] == "OperationOutcome"
        assert body["issue"][0]["code"] == "not-supported"
        assert "allowed: application/json" in body["issue"][0]["diagnostics"]
    assert client.get("/cds-services", headers={"accept": "application/json"}).status_code == 200
