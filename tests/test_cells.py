"""A text cell (CSV) is read the same by the batch (both engines share the reader) and the registry's visit import
(myoclass.io.cells): booleans and enumerated values in any case, stored as the data dictionary spells them; a
missing-value marker such as NA is refused naming what is allowed, never read as unknown."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from typer.testing import CliRunner

from myoclass.cli import app
from myoclass.io.cells import BOOL_CELL_ALLOWED, enum_cell
from myoclass.model.fields import FIELDS
from myoclass.registry.rows import VisitRow, csv_rows

HEADER = "case_id,sex,onset_tempo,ab_hmgcr,ab_hmgcr_method,weakness_proximal_lower_symmetric,ck_u_l,ck_uln_u_l"
ROWS = ["a,Female,SUBACUTE,POSITIVE,ELISA,Yes,5000,200",
        "b,male,acute,Negative,Line_Blot,NO,300,200",
        "c,F,acute,positive,elisa,yes,300,200",  # F is not a sex of the data dictionary
        "d,female,acute,NA,elisa,yes,300,200"]  # NA is not unknown


def test_every_enumerated_value_is_lower_case() -> None:
    """enum_cell matches a cell in lower case, so the data dictionary's values must be lower case."""
    for spec in FIELDS.values():
        assert all(v == v.lower() for v in spec.values), spec.key
    assert enum_cell(FIELDS["sex"], "Female") == "female" and enum_cell(FIELDS["sex"], "F") == "F"


def test_the_batch_reads_cells_in_any_case(tmp_path: Path) -> None:
    src = tmp_path / "c.csv"
    src.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n")
    res = CliRunner().invoke(app, ["batch", str(src), "-o", str(tmp_path / "o.parquet")])
    assert res.exit_code == 0, res.output
    out = {r["case_id"]: r for r in pq.read_table(tmp_path / "o.parquet").to_pylist()}
    assert sorted(out) == ["a", "b"]
    assert out["a"]["leading_label"] == "imnm_anti_hmgcr"
    rej = {r["case_id"]: r["reason"] for r in pacsv.read_csv(tmp_path / "o.rejects.csv").to_pylist()}
    assert rej["c"] == "sex: 'F' is not allowed; allowed: female, male, other or empty (unknown)"
    assert rej["d"] == f"ab_hmgcr: 'NA' is not allowed; allowed: {BOOL_CELL_ALLOWED}"


def test_the_registry_import_reads_cells_as_the_batch_does() -> None:
    head = HEADER.replace("case_id", "patient_code,visit_date")
    text = head + "\n" + "\n".join(r.replace(",", ",2024-01-05,", 1) for r in ROWS) + "\n"
    got = list(csv_rows(text))
    a, b = got[0], got[1]
    assert isinstance(a, VisitRow) and isinstance(b, VisitRow)
    assert (a.findings["sex"], a.findings["onset_tempo"], a.findings["ab_hmgcr"], a.findings["ab_hmgcr_method"]) == \
        ("female", "subacute", True, "elisa")
    assert (b.findings["ab_hmgcr"], b.findings["ab_hmgcr_method"], b.findings["weakness_proximal_lower_symmetric"]) == \
        (False, "line_blot", False)
    c, d = got[2], got[3]
    assert not isinstance(c, VisitRow) and "sex: 'F' is not allowed" in c.reason
    assert not isinstance(d, VisitRow) and f"ab_hmgcr: 'NA' is not allowed; allowed: {BOOL_CELL_ALLOWED}" in d.reason


def test_a_reference_label_is_read_in_any_case(tmp_path: Path) -> None:
    """reference_label in a CSV cell, as an enumerated value: IMNM_ANTI_HMGCR is imnm_anti_hmgcr (a researcher's
    review found it rejected while Female was read); a word outside the vocabulary is still refused by name."""
    src = tmp_path / "c.csv"
    src.write_text("case_id,ab_hmgcr,reference_label\na,Positive,IMNM_ANTI_HMGCR\nb,positive,Polymyositis\n")
    res = CliRunner().invoke(app, ["batch", str(src), "-o", str(tmp_path / "o.parquet")])
    assert res.exit_code == 0, res.output
    (row,) = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert (row["case_id"], row["reference_label"]) == ("a", "imnm_anti_hmgcr")
    (rej,) = pacsv.read_csv(tmp_path / "o.rejects.csv").to_pylist()
    assert rej["case_id"] == "b" and rej["reason"].startswith("reference_label: 'Polymyositis' is not allowed")
