"""The committed generated documents (docs/data-dictionary.md, docs/criteria.md, docs/assessment.md) are what the
code gives now: a field, criteria item or assessment field changed without regenerating fails here.
Regenerate with ``myoclass docs`` (from the repository root)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from myoclass import docs
from myoclass.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", list(docs.DOCUMENTS))
def test_committed_document_is_up_to_date(name: str) -> None:
    path = DOCS / name
    assert path.is_file(), f"docs/{name} is missing: run `myoclass docs`"
    want = docs.DOCUMENTS[name]()
    got = path.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(list(difflib.unified_diff(got.splitlines(True), want.splitlines(True), f"docs/{name}",
                                                 "generated"))[:40])
        pytest.fail(f"docs/{name} is out of date: run `myoclass docs`\n{diff}")


def test_docs_command_writes_and_checks(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["docs", "--check", "--out", str(tmp_path)])
    assert res.exit_code == 1 and "out of date" in res.output
    res = runner.invoke(app, ["docs", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(docs.DOCUMENTS)
    assert runner.invoke(app, ["docs", "--check", "--out", str(tmp_path)]).exit_code == 0
    (tmp_path / "criteria.md").write_text("edited by hand\n", encoding="utf-8")
    res = runner.invoke(app, ["docs", "--check", "--out", str(tmp_path)])
    assert res.exit_code == 1 and "criteria.md" in res.output


def test_the_documents_cover_the_code() -> None:
    """Spot checks that the generators read the code: every field key, set id, item id and assessment field."""
    from typing_extensions import get_type_hints

    from myoclass.criteria import criteria_sets
    from myoclass.model import assessment as A
    from myoclass.model.fields import FIELDS

    dd = docs.data_dictionary_markdown()
    assert all(f"`{k}`" in dd for k in FIELDS)
    cr = docs.criteria_document()
    for s in criteria_sets():
        assert f"`{s.id}`" in cr and s.citation.text in cr
        assert all(f"`{it.id}`" in cr for it in s.items)
    assert "| 3.9 | 3.8 |" in cr  # anti-Jo-1, EULAR/ACR 2017 weights without / with biopsy
    asm = docs.assessment_markdown()
    for td in A.typed_dicts():
        assert f"### {td.__name__}" in asm
        assert all(f"| `{k}` |" in asm for k in get_type_hints(td))
