"""Phenopackets through the interfaces (issue 14, items 2-3): ``myoclass assess`` and ``POST /api/v1/assess`` tell a
phenopacket from its content; ``myoclass convert --to phenopacket`` and ``assess --format phenopacket``; the
text report and the workspace page suggest the genetic hand-off (LIRICAL, Exomiser) when a hereditary myopathy
is in the differential, and only then."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from phenopackets.schema.v2 import Phenopacket
from starlette.testclient import TestClient
from typer.testing import CliRunner

import myoclass
from _builders import README_CASE
from myoclass.cli import app
from myoclass.io.phenopacket import read_phenopacket
from myoclass.reasoning.text import genetic_handoff
from myoclass.web.app import Settings, create_app

runner = CliRunner()
PACKETS = Path(__file__).parent / "fixtures" / "phenopackets"
GAA = PACKETS / "GAA" / "PMID_16917947_2.json"


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_assess_reads_a_phenopacket_and_says_what_it_read() -> None:
    res = runner.invoke(app, ["assess", str(GAA), "-f", "json"])
    assert res.exit_code == 0, res.output
    (a,) = _lines(res.stdout)
    want = myoclass.assess(read_phenopacket(json.loads(GAA.read_text(encoding="utf-8"))).case)
    assert a["summary"]["label"] == want["summary"]["label"]
    assert a["summary"]["leading_label"] == "hereditary_myopathy"
    assert a["input"]["format"] == "phenopacket" and a["input"]["hpo_version"].startswith("hp/releases/")
    assert any(r["field"] == "genetic_diagnosis_gene" for r in a["input"]["read"])


def _before_genetic_testing(tmp_path: Path) -> Path:
    """The GAA packet without its interpretations (the molecular diagnosis), as before genetic testing."""
    doc = {k: v for k, v in json.loads(GAA.read_text(encoding="utf-8")).items() if k != "interpretations"}
    f = tmp_path / "gaa-before-testing.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    return f


def test_text_report_suggests_the_genetic_handoff_when_a_hereditary_myopathy_is_likely(tmp_path: Path) -> None:
    res = runner.invoke(app, ["assess", str(_before_genetic_testing(tmp_path))])
    assert res.exit_code == 0, res.output
    assert "LIRICAL or Exomiser" in res.stdout
    assert "Read from the phenopacket (HPO hp/releases/" in res.stdout


def test_no_handoff_once_the_genetic_diagnosis_is_known() -> None:
    res = runner.invoke(app, ["assess", str(GAA)])
    assert res.exit_code == 0, res.output
    assert "Classified: hereditary myopathy" in res.stdout
    assert "LIRICAL or Exomiser" not in res.stdout


def test_no_handoff_when_no_hereditary_myopathy_is_in_view() -> None:
    a = myoclass.assess(README_CASE)
    share = {d["label"]: d["probability"] for d in a["differential"]}.get("hereditary_myopathy", 0.0)
    assert share < 0.05 and "hereditary_myopathy" not in a["summary"]["reachable_labels"]
    assert genetic_handoff(a) is None


def test_workspace_page_shows_the_handoff(tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(allowed_hosts=("testserver",))))
    case = read_phenopacket(json.loads(_before_genetic_testing(tmp_path).read_text(encoding="utf-8"))).case
    r = client.post("/import", data={"data": json.dumps(case)})
    assert r.status_code == 200
    assert 'data-testid="dx-handoff"' in r.text and "LIRICAL or Exomiser" in r.text
    assert 'formaction="/export/phenopacket"' in r.text
    r = client.post("/import", data={"data": json.dumps(README_CASE)})
    assert r.status_code == 200 and 'data-testid="dx-handoff"' not in r.text


def test_workspace_downloads_the_case_as_a_phenopacket() -> None:
    client = TestClient(create_app(Settings(allowed_hosts=("testserver",))))
    case = read_phenopacket(json.loads(GAA.read_text(encoding="utf-8"))).case
    form = {k: json.dumps(v) if not isinstance(v, str) else v for k, v in case.items()}
    r = client.post("/export/phenopacket", data=form)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith('attachment; filename="myoclass-PMID_16917947_2.phenopacket.json"')
    packet = r.json()
    json_format.ParseDict(packet, Phenopacket())
    assert read_phenopacket(packet).case["genetic_diagnosis_gene"] == "GAA"


def test_format_phenopacket_parses_with_the_official_bindings(tmp_path: Path) -> None:
    f = tmp_path / "c.json"
    f.write_text(json.dumps(README_CASE), encoding="utf-8")
    res = runner.invoke(app, ["assess", str(f), "--format", "phenopacket"])
    assert res.exit_code == 0, res.output
    (packet,) = _lines(res.stdout)
    json_format.ParseDict(packet, Phenopacket())
    assert packet["interpretations"]


def test_convert_to_phenopacket_and_back_loses_no_field(tmp_path: Path) -> None:
    f = tmp_path / "c.json"
    f.write_text(json.dumps(README_CASE), encoding="utf-8")
    res = runner.invoke(app, ["convert", str(f), "--to", "phenopacket"])
    assert res.exit_code == 0, res.output
    (packet,) = _lines(res.stdout)
    g = tmp_path / "p.json"
    g.write_text(json.dumps(packet), encoding="utf-8")
    back = runner.invoke(app, ["convert", str(g), "--to", "flat"])
    assert back.exit_code == 0, back.output
    (flat,) = _lines(back.stdout)
    assert flat == myoclass.parse_case(README_CASE).to_flat()


def test_api_tells_a_phenopacket_from_its_content() -> None:
    client = TestClient(create_app(Settings(allowed_hosts=("testserver",))))
    r = client.post("/api/v1/assess", json=json.loads(GAA.read_text(encoding="utf-8")))
    assert r.status_code == 200, r.text
    assert r.json()["input"]["format"] == "phenopacket"
