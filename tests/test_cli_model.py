"""``myoclass model``: every number of the differential's model, with its tag, sources and note (issue 10)."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from typer.testing import CliRunner

from myoclass.cli import app
from myoclass.reasoning import differential_model as M

runner = CliRunner()


def run(*args: str) -> str:
    r = runner.invoke(app, ["model", *args])
    assert r.exit_code == 0, r.output
    return r.output


@pytest.fixture(scope="module")
def doc() -> dict[str, object]:
    out: dict[str, object] = json.loads(run("--format", "json"))
    return out


def test_json_has_every_number_with_its_provenance(doc: dict[str, object]) -> None:
    numbers = doc["numbers"]
    assert isinstance(numbers, list)
    rows = M.rows()
    assert len(numbers) == len(rows)
    for n, r in zip(numbers, rows, strict=True):
        for k in ("table", "variable", "given", "value", "probability", "tag", "note"):
            assert n[k] == r[k]
        assert n["tag"] in M.TAGS
        assert 0.0 <= n["probability"] <= 1.0
        # a number either cites a source, is structural, or is an assumed default that says so
        assert n["source_keys"] or n["tag"] in ("def", "assumed"), n
        if n["tag"] in ("V-P", "V-S"):
            assert n["source_keys"] and n["note"], n
        assert n["statement"].startswith("P(") or n["table"] == "prior_input"


def test_sources_have_identifiers(doc: dict[str, object]) -> None:
    sources = doc["sources"]
    assert isinstance(sources, list)
    assert [s["key"] for s in sources] == [c.key for c in M.sources()]
    for s in sources:
        assert s["doi"] or s["pmid"] or s["url"], s  # DOI / PMID, or the versioned HPO annotation file
    hpo = next(s for s in sources if s["key"] == "hpo_hpoa")
    assert M.HPO_RELEASE in hpo["citation"] and M.HPO_RELEASE in hpo["url"]
    keys = {s["key"] for s in sources}
    used = {k for n in doc["numbers"] for k in n["source_keys"]}  # type: ignore[attr-defined]
    assert used == keys  # every source listed is cited by some number


def test_orphanet_annotations_are_named_in_the_notes(doc: dict[str, object]) -> None:
    hpo = [n for n in doc["numbers"] if n["source_keys"] == ["hpo_hpoa"]]  # type: ignore[attr-defined]
    assert hpo
    for n in hpo:
        assert re.search(r"ORPHA:\d+ annotates .* HP:\d{7}", n["note"]), n


def test_summary_counts_cited_and_assumed(doc: dict[str, object]) -> None:
    s = doc["summary"]
    assert isinstance(s, dict)
    tags = Counter(r["tag"] for r in M.rows())
    assert s["numbers"] == len(M.rows()) == sum(tags.values())
    assert s["assumed"] == tags["assumed"] == len(M.assumed_numbers()) == s["assumed_listed"]
    assert s["structural"] == tags["def"]
    assert s["cited"] == sum(1 for r in M.rows() if r["sources"])
    assert s["cited"] + s["structural"] + s["assumed"] == s["numbers"]
    assert s["by_tag"] == {t: n for t, n in tags.items() if n}
    assert doc["model_version"] == M.MODEL_VERSION


def test_text_prints_every_number_and_the_summary() -> None:
    out = run()
    s = json.loads(run("--format", "json"))["summary"]
    assert f"{s['numbers']} numbers: {s['cited']} cited (with a source), {s['structural']} structural (def), " \
           f"{s['assumed']} assumed" in out
    assert "not fitted to any hospital's case mix" in out
    # one line per number, with its statement, value and tag
    lines = [ln for ln in out.splitlines() if re.match(r"  (P\(|\w+_share|share_iim)", ln)]
    assert len(lines) == s["numbers"]
    ild = next(ln for ln in lines if ln.lstrip().startswith("P(ild | antisynthetase)"))
    assert re.search(r"0\.71\s+V-P\s+\[\d+\]\s+ILD in 71% of antisynthetase syndrome", ild)
    # the sources are numbered once, with their DOI / PMID
    ref = re.search(r"\[(\d+)\]", ild)
    assert ref
    src = next(ln for ln in out.splitlines() if ln.startswith(f"[{ref.group(1)}] "))
    assert "doi:10.1136/annrheumdis-2017-211868" in src and "PMID 28855174" in src
    # a derived number lists the assumed numbers it rests on
    assert "(rests on assumed: statin_toxic_share_of_non_iim, other_non_immune_share_of_non_iim)" in out


def test_markdown_is_one_table_row_per_number() -> None:
    out = run("-f", "markdown")
    rows = [ln for ln in out.splitlines() if re.match(r"\| `[^`]+` \| [01](\.\d+)? \| ", ln)]
    assert len(rows) == len(M.rows())
    assert any("`P(ild \\| antisynthetase)` | 0.71 | V-P | Lilleker et al. 2018" in ln for ln in rows)
    assert "## Sources" in out and "doi:10.1016/j.nmd.2017.09.016" in out


def test_tag_filter_keeps_the_whole_summary() -> None:
    d = json.loads(run("--format", "json", "--tag", "V-P"))
    assert d["numbers"] and {n["tag"] for n in d["numbers"]} == {"V-P"}
    assert d["summary"]["numbers"] == len(M.rows())
    out = run("--tag", "assumed")
    assert f"Showing the {d['summary']['assumed']} numbers tagged assumed." in out
    r = runner.invoke(app, ["model", "--tag", "nope"])
    assert r.exit_code == 2
