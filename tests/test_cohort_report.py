"""Cohort report, issue 10 item 4: the most likely label beside the strict label, and the calibration of the
differential against ``reference_label`` (one definition, :func:`calibration`, shared with bench/validate.py)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from myoclass import assess, parse_case  # noqa: E402
from myoclass.batch.report import (  # noqa: E402
    calibration,
    cohort_report,
    diff_runs,
    read_results,
    report_html,
)
from myoclass.cli import app  # noqa: E402
from myoclass.reasoning.engine import LABELS  # noqa: E402
from myoclass.reasoning.text import LABEL_TEXT  # noqa: E402

runner = CliRunner()
VALIDATION = Path(__file__).resolve().parents[1] / "data" / "validation" / "published_cases.jsonl"
NEW_COLUMNS = ["leading_label", "leading_probability", "differential", "differential_exact"]


def _dif(*pairs: tuple[str, float]) -> str:
    return json.dumps([{"label": lab, "probability": p} for lab, p in pairs])


def _scored(rows: list[dict[str, Any]], reference: bool = True) -> pa.Table:
    """A scored table as ``myoclass batch`` writes it (the columns the report reads), built directly."""
    cols: dict[str, pa.Array] = {
        "case_id": pa.array([r.get("case_id", f"c{i}") for i, r in enumerate(rows)], pa.string()),
        "label": pa.array([r.get("label", "undetermined") for r in rows], pa.string()),
        "reachable_labels": pa.array([json.dumps(r.get("reachable", ["dm", "adm"])) for r in rows], pa.string()),
        "next_tests": pa.array(["[]" for _ in rows], pa.string()),
    }
    if reference:
        cols["reference_label"] = pa.array([r.get("reference") for r in rows], pa.string())
    cols["leading_label"] = pa.array([json.loads(r["dif"])[0]["label"] if r.get("dif") else None for r in rows],
                                     pa.string())
    cols["leading_probability"] = pa.array([json.loads(r["dif"])[0]["probability"] if r.get("dif") else None
                                            for r in rows], pa.float64())
    cols["differential"] = pa.array([r.get("dif") for r in rows], pa.string())
    cols["differential_exact"] = pa.array([r.get("exact", True) for r in rows], pa.bool_())
    return pa.table(cols)


# -- the most likely label beside the strict label ------------------------------------------------------------

def test_leading_label_counts_shares_and_probability_bands() -> None:
    rows = [
        {"label": "dm", "dif": _dif(("dm", 0.9), ("adm", 0.1))},
        {"dif": _dif(("dm", 0.8), ("jdm", 0.2))},                       # exactly 0.8: the top band
        {"dif": _dif(("dm", 0.5), ("adm", 0.3), ("jdm", 0.2)), "exact": False},  # exactly 0.5: the middle band
        {"dif": _dif(("ibm", 0.3), ("pm", 0.25), ("not_iim", 0.25), ("dm", 0.2))},
        {"label": "ibm", "dif": _dif(("ibm", 0.79), ("pm", 0.21))},
    ]
    rep = cohort_report(_scored(rows, reference=False))
    lead = rep["leading"]
    assert lead["labels"] == {"dm": 3, "ibm": 2}
    assert lead["shares"] == {"dm": 0.6, "ibm": 0.4}
    assert lead["when_undetermined"] == {"dm": 2, "ibm": 1}  # the strict label of rows 2-4 is undetermined
    assert lead["label_text"]["dm"] == LABEL_TEXT["dm"]
    assert [(b["band"], b["cases"]) for b in lead["probability"]] == [(">= 0.8", 2), ("0.5 to < 0.8", 2), ("< 0.5", 1)]
    assert lead["differential_inexact"] == 1
    assert rep["calibration"] is None and rep["notes"] == []
    page = report_html(rep)
    assert "Most likely label (the differential)" in page
    # the clinical wording, from LABEL_TEXT, beside the strict-label counts
    assert "dermatomyositis" in page and "inclusion body myositis" in page and "not yet determined" in page
    assert "for 1 (20.0%) of the cases" in page  # the differential is approximate for one case
    assert 'class="calib"' not in page and "Calibration against" not in page  # no reference labels, no plot


def test_null_leading_probability_is_counted_apart() -> None:
    rows = [{"dif": _dif(("dm", 0.9), ("adm", 0.1))}, {"dif": None}]
    lead = cohort_report(_scored(rows, reference=False))["leading"]
    assert lead["labels"] == {"dm": 1, "(none)": 1}
    assert [(b["band"], b["cases"]) for b in lead["probability"]][-1] == ("no value", 1)


# -- calibration: the shared definitions ----------------------------------------------------------------------

#: three patients whose Brier terms are worked out by hand:
#:   A: reference dm,      differential dm .7, adm .2, jdm .1   -> .3^2 + .2^2 + .1^2       = 0.14  right, top 2
#:   B: reference ibm,     differential pm .6, ibm .3, not_iim .1 -> .6^2 + .7^2 + .1^2      = 0.86  wrong, top 2
#:   C: reference not_iim, differential dm 1.0                   -> 1^2 + 1^2               = 2.00  wrong, not top 2
HAND = [
    {"reference_label": "dm", "differential": _dif(("dm", 0.7), ("adm", 0.2), ("jdm", 0.1))},
    {"reference_label": "ibm", "differential": _dif(("pm", 0.6), ("ibm", 0.3), ("not_iim", 0.1))},
    {"reference_label": "not_iim", "differential": _dif(("dm", 1.0))},
]


def test_brier_accuracy_and_top2_on_a_hand_computed_example() -> None:
    cal = calibration(HAND)
    assert cal["patients"] == 3
    assert cal["brier"] == pytest.approx((0.14 + 0.86 + 2.0) / 3)
    assert (cal["leading_right"], cal["top2_right"]) == (1, 2)
    assert cal["leading_accuracy"] == pytest.approx(1 / 3) and cal["top2_accuracy"] == pytest.approx(2 / 3)
    assert cal["confident"] == {"threshold": 0.8, "patients": 1, "coverage": pytest.approx(1 / 3), "right": 0,
                                "accuracy": 0.0}
    conf = cal["confusion"]
    assert conf["row_values"] == ["dm", "ibm", "not_iim"]  # in the order of LABELS
    assert conf["column_values"] == ["dm", "pm"]
    assert conf["counts"][conf["row_values"].index("ibm")][conf["column_values"].index("pm")] == 1


def test_by_reference_label_on_the_hand_computed_example() -> None:
    by = calibration(HAND)["by_reference"]
    assert [r["reference_label"] for r in by] == ["dm", "ibm", "not_iim"]  # in the order of LABELS
    dm, ibm, not_iim = by
    assert (dm["patients"], dm["leading_right"], dm["top2_right"]) == (1, 1, 1)
    assert (ibm["patients"], ibm["leading_right"], ibm["top2_right"]) == (1, 0, 1)
    assert (not_iim["patients"], not_iim["leading_right"], not_iim["top2_right"]) == (1, 0, 0)
    assert [r["mean_probability"] for r in by] == pytest.approx([0.7, 0.3, 0.0])
    assert [r["brier"] for r in by] == pytest.approx([0.14, 0.86, 2.0])
    assert [r["brier_share"] for r in by] == pytest.approx([0.14 / 3, 0.86 / 3, 2.0 / 3])  # where the score goes
    two = calibration([*HAND, {"reference_label": "dm", "differential": _dif(("adm", 0.6), ("dm", 0.4))}])
    dm2 = two["by_reference"][0]
    # the second dm patient: wrong, top 2, 0.4 given to dm, Brier .6^2 + .6^2 = 0.72
    assert (dm2["patients"], dm2["leading_right"], dm2["top2_right"]) == (2, 1, 2)
    assert dm2["leading_accuracy"] == 0.5 and dm2["top2_accuracy"] == 1.0
    assert dm2["mean_probability"] == pytest.approx(0.55) and dm2["brier"] == pytest.approx((0.14 + 0.72) / 2)
    assert sum(r["brier_share"] for r in two["by_reference"]) == pytest.approx(1.0)
    assert calibration([])["by_reference"] == []


def test_list_or_json_text_and_weights_give_the_same_answer() -> None:
    as_lists = [{**r, "differential": json.loads(r["differential"])} for r in HAND]
    assert calibration(as_lists) == calibration(HAND)
    weighted = calibration([{**HAND[0], "cases": 3}, HAND[1]])
    repeated = calibration([HAND[0], HAND[0], HAND[0], HAND[1]])
    assert weighted == repeated


def test_rows_left_out_are_counted_not_scored() -> None:
    rows = [*HAND,
            {"reference_label": None, "differential": _dif(("dm", 1.0))},
            {"reference_label": "undetermined", "differential": _dif(("dm", 1.0))},   # not a diagnosis
            {"reference_label": "DM", "differential": _dif(("dm", 1.0))},
            {"reference_label": "dm", "differential": None},
            {"reference_label": "dm", "differential": "{not json"},
            {"reference_label": "dm", "differential": _dif(("dm", 1.5))},             # not a probability
            {"reference_label": "dm", "differential": _dif(("dm", 0.5), ("dm", 0.5))},  # a label twice
            {"reference_label": "dm", "differential": "[]"}]
    cal = calibration(rows)
    assert cal["patients"] == 3 and cal["brier"] == pytest.approx(1.0)  # as before: the others are not scored
    assert cal["left_out"] == {"no_reference_label": 1, "unknown_reference_label": 2, "no_differential": 5}
    assert cal["unknown_reference_labels"] == {"undetermined": 1, "DM": 1}


def test_decile_table() -> None:
    ps = [0.05, 0.1, 0.15, 0.3, 0.7, 0.79, 0.8, 0.99, 1.0]
    rows = [{"reference_label": "dm" if i % 2 == 0 else "adm",
             "differential": _dif(("dm", p), ("jdm", round(1 - p, 10))) if p < 1 else _dif(("dm", 1.0))}
            for i, p in enumerate(ps)]
    cal = calibration(rows)
    by = {d["decile"]: d for d in cal["deciles"]}
    assert [d["decile"] for d in cal["deciles"]] == list(range(10))
    assert {i: d["patients"] for i, d in by.items() if d["patients"]} == {0: 1, 1: 2, 3: 1, 7: 2, 8: 1, 9: 2}
    # 0.1 opens decile 1, 0.3 opens decile 3 (not 2, whatever 0.3 * 10 rounds to), 1.0 falls into decile 9
    assert by[7]["mean_predicted"] == pytest.approx((0.7 + 0.79) / 2)
    assert (by[7]["right"], by[7]["observed"]) == (1, 0.5)  # rows 4 (dm: right) and 5 (adm: wrong)
    assert by[9]["observed"] == pytest.approx(0.5)
    assert by[2]["patients"] == 0 and by[2]["mean_predicted"] is None and by[2]["observed_low"] is None
    for d in cal["deciles"]:
        if d["patients"]:
            assert 0.0 <= d["observed_low"] <= d["observed"] <= d["observed_high"] <= 1.0
            assert (d["from"], d["to"]) == pytest.approx((d["decile"] / 10, (d["decile"] + 1) / 10))


def test_same_definitions_as_bench_validate_on_the_library_output() -> None:
    """bench/validate.py's loop (leading = summary's leading label, top 2 from the differential, Brier over LABELS,
    decile min(int(p * 10), 9)) and :func:`calibration` agree on real differentials."""
    records = [json.loads(line) for line in VALIDATION.read_text().splitlines()[:40]]
    rows, right1, right2, brier = [], 0, 0, 0.0
    deciles: list[list[tuple[float, bool]]] = [[] for _ in range(10)]
    for r in records:
        a = assess(parse_case(r["flat_case"]))
        truth, dif = r["reference_label"], a["differential"]
        lead, p = a["summary"]["leading_label"], a["summary"]["leading_probability"]
        right1 += lead == truth
        right2 += truth in [d["label"] for d in dif][:2]
        probs = {d["label"]: d["probability"] for d in dif}
        brier += sum((probs.get(lab, 0.0) - (lab == truth)) ** 2 for lab in LABELS)
        deciles[min(int(p * 10), 9)].append((p, lead == truth))
        rows.append({"reference_label": truth, "differential": dif})
    cal = calibration(rows)
    n = len(records)
    assert (cal["patients"], cal["leading_right"], cal["top2_right"]) == (n, right1, right2)
    assert cal["brier"] == pytest.approx(brier / n)
    for d, mine in zip(deciles, cal["deciles"], strict=True):
        assert mine["patients"] == len(d)
        if d:
            assert mine["mean_predicted"] == pytest.approx(sum(p for p, _ in d) / len(d))
            assert mine["observed"] == pytest.approx(sum(ok for _, ok in d) / len(d))


# -- the page -------------------------------------------------------------------------------------------------

def _calibration_rows() -> list[dict[str, Any]]:
    return [{"reference": "dm", "dif": _dif(("dm", 0.95), ("adm", 0.05))},
            {"reference": "dm", "dif": _dif(("dm", 0.85), ("adm", 0.15))},
            {"reference": "adm", "dif": _dif(("dm", 0.55), ("adm", 0.45))},
            {"reference": "ibm", "dif": _dif(("ibm", 0.35), ("pm", 0.33), ("not_iim", 0.32))},
            {"reference": None, "dif": _dif(("dm", 0.95), ("adm", 0.05))}]


def test_calibration_section_and_plot_only_with_reference_labels() -> None:
    rep = cohort_report(_scored(_calibration_rows()))
    cal = rep["calibration"]
    assert cal["patients"] == 4 and cal["left_out"]["no_reference_label"] == 1
    assert cal["leading_right"] == 3 and cal["top2_right"] == 4
    page = report_html(rep)
    svg = re.search(r'<svg class="calib".*?</svg>', page, re.S)
    assert svg is not None
    plot = svg.group(0)
    assert "predicted probability (leading label)" in plot and "observed share right" in plot
    assert 'class="diag"' in plot  # the diagonal
    # one circle per decile with patients: 0.35, 0.55, 0.85, 0.95 -> deciles 3, 5, 8, 9
    assert [d["decile"] for d in cal["deciles"] if d["patients"]] == [3, 5, 8, 9]
    assert plot.count("<circle") == 4
    assert "n = 4" in page and "only as good as the reference labels" in page
    assert "1 without a reference label" in page
    # per reference label: dm 2 patients, both right; adm 1, wrong but in the top two, given 0.45; ibm 1, right
    by = re.search(r"<h3>By reference label</h3>.*?</table>", page, re.S)
    assert by is not None
    assert "<td class=k>dm</td><td>2</td><td>2 (100.0%)</td><td>2 (100.0%)</td><td>0.900</td>" in by.group(0)
    assert "<td class=k>adm</td><td>1</td><td>0 (0.0%)</td><td>1 (100.0%)</td><td>0.450</td>" in by.group(0)
    assert "<td class=k>ibm</td><td>1</td><td>1 (100.0%)</td>" in by.group(0)
    assert "<script" not in page and "http" not in page.split("</style>", 1)[1]
    assert "style=" not in page  # no inline style attributes: the page's one <style> element styles everything
    # without the column: no section, no plot
    plain = cohort_report(_scored(_calibration_rows(), reference=False))
    assert plain["calibration"] is None
    assert 'class="calib"' not in report_html(plain)
    # with the column but no usable reference label: the section says so, and there is no plot
    none = cohort_report(_scored([{**r, "reference": None} for r in _calibration_rows()]))
    assert none["calibration"]["patients"] == 0 and none["calibration"]["brier"] is None
    page = report_html(none)
    assert "nothing to measure" in page and 'class="calib"' not in page


def test_hostile_labels_and_case_ids_are_escaped() -> None:
    bad_label = "<script>alert(1)</script>"
    bad_ref = '<img src=x onerror="alert(2)">'
    bad_id = "</td><svg onload=alert(3)>"
    rows = [{"case_id": bad_id, "label": bad_label, "reference": bad_ref,
             "dif": json.dumps([{"label": bad_label, "probability": 1.0}])},
            {"case_id": "ok", "label": "dm", "reference": "dm", "dif": json.dumps([{"label": bad_label,
                                                                                    "probability": 0.9},
                                                                                   {"label": "dm",
                                                                                    "probability": 0.1}])}]
    t = _scored(rows)
    before = t.set_column(t.column_names.index("label"), "label", pa.array(["dm", "adm"]))
    rep = cohort_report(t)
    assert rep["calibration"]["unknown_reference_labels"] == {bad_ref: 1}
    page = report_html(rep, diff_runs(before, t))
    body = page.split("</style>", 1)[1]
    for raw in (bad_label, bad_ref, bad_id, "<svg onload", "<img"):
        assert raw not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in body
    assert "&lt;/td&gt;&lt;svg onload=alert(3)&gt;" in body
    assert "<script" not in page


# -- older files, and the command end to end ------------------------------------------------------------------

def test_old_files_without_the_differential_still_report(tmp_path: Path) -> None:
    rows = [{"label": "dm", "dif": _dif(("dm", 1.0))}, {"dif": _dif(("jdm", 0.6), ("dm", 0.4))}]
    old = _scored(rows, reference=False).drop_columns(NEW_COLUMNS)
    rep = cohort_report(old)
    assert rep["leading"] is None and rep["calibration"] is None
    assert rep["labels"] == {"dm": 1, "undetermined": 1}
    assert any("no leading_label column" in n for n in rep["notes"])
    page = report_html(rep)
    assert "no leading_label column" in page and "Most likely label" not in page
    # a reference label but no differential: noted, not measured
    with_ref = _scored([{**r, "reference": "dm"} for r in rows]).drop_columns(NEW_COLUMNS)
    rep = cohort_report(with_ref)
    assert rep["calibration"] is None and any("no differential column" in n for n in rep["notes"])
    # and through the command
    pq.write_table(old, tmp_path / "old.parquet")
    r = runner.invoke(app, ["report", str(tmp_path / "old.parquet"), "-o", str(tmp_path / "old.html")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "old.json").read_text())["report"]["leading"] is None


def test_batch_then_report_end_to_end(tmp_path: Path) -> None:
    """``myoclass batch`` on published cases with their reference labels, then ``myoclass report``: the report's
    calibration is :func:`calibration` of the library's differentials, from Parquet and from CSV alike."""
    records = [json.loads(line) for line in VALIDATION.read_text().splitlines()[:60]]
    records[3] = {**records[3], "reference_label": None}
    src = tmp_path / "cohort.jsonl"
    src.write_text("".join(json.dumps({**r["flat_case"], "case_id": r["case_id"],
                                       "reference_label": r["reference_label"]}) + "\n" for r in records))
    expected = calibration([{"reference_label": r["reference_label"],
                             "differential": assess(parse_case(r["flat_case"]))["differential"]} for r in records])
    assert expected["patients"] == 59
    for out in ("scored.parquet", "scored.csv"):
        r = runner.invoke(app, ["batch", str(src), "-o", str(tmp_path / out)])
        assert r.exit_code == 0, r.output
        html_path = tmp_path / f"{out}.html"
        r = runner.invoke(app, ["report", str(tmp_path / out), "-o", str(html_path)])
        assert r.exit_code == 0, r.output
        assert "against 59 reference labels the most likely label is right for" in r.output
        rep = json.loads(html_path.with_suffix(".json").read_text())["report"]
        cal = rep["calibration"]
        assert cal["left_out"] == {"no_reference_label": 1, "unknown_reference_label": 0, "no_differential": 0}
        for key in ("patients", "leading_right", "top2_right", "confident", "confusion"):
            assert cal[key] == expected[key], key
        assert math.isclose(cal["brier"], expected["brier"], rel_tol=1e-12)
        assert [d["patients"] for d in cal["deciles"]] == [d["patients"] for d in expected["deciles"]]
        assert sum(rep["leading"]["labels"].values()) == 60
        page = html_path.read_text()
        assert '<svg class="calib"' in page and "<script" not in page
    t = read_results(tmp_path / "scored.parquet")
    assert cohort_report(t)["leading"]["reading"] == "clinic"


def test_the_cases_the_criteria_leave_open_are_measured_apart() -> None:
    """Settled cases carry their label at nearly 1: the report gives the open cases' figures on their own (fresh
    review, session 22), says when the reading policy is not recorded, and escapes '<' in the decile table."""
    rows = _calibration_rows()
    rows[0] = {**rows[0], "label": "dm"}  # settled, and right
    rows[1] = {**rows[1], "label": "dm"}
    rep = cohort_report(_scored(rows))
    cal = rep["calibration"]
    assert (cal["patients"], cal["leading_right"]) == (4, 3)
    oc = cal["open_cases"]
    assert (oc["patients"], oc["leading_right"], oc["top2_right"]) == (2, 1, 2)
    assert oc["leading_accuracy"] == 0.5
    # by hand: adm reference, dm 0.55 / adm 0.45 -> 0.55^2 + 0.55^2; ibm reference, ibm 0.35 / pm 0.33 / not_iim 0.32
    assert oc["brier"] == pytest.approx(((0.55**2 + 0.55**2) + (0.65**2 + 0.33**2 + 0.32**2)) / 2)
    page = report_html(rep)
    assert "Among the <strong>2</strong> of them whose label the criteria leave open" in page
    assert "right for 1 (50.0%)" in page
    assert "reading policy is not recorded in this file" in page
    assert "to &lt; 0.4" in page and "to < 0." not in page
    settled_only = cohort_report(_scored([{**r, "label": "dm"} for r in _calibration_rows()]))
    assert settled_only["calibration"]["open_cases"]["patients"] == 0
    assert "None of them has a label the criteria leave open" in report_html(settled_only)
