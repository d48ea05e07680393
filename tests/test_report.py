"""Cohort report on a small cohort with known answers, and the diff after a policy change."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from myoclass.batch.report import cohort_report, diff_runs, read_results, report_html  # noqa: E402
from myoclass.batch.schema import cases_to_table  # noqa: E402
from myoclass.batch.score import score_batch  # noqa: E402
from myoclass.cli import app  # noqa: E402
from myoclass.criteria import Policy  # noqa: E402

EXAMPLES = json.loads(resources.files("myoclass.examples").joinpath("cases.json").read_text())
#: EULAR/ACR no-biopsy score exactly 5.5 (2.1 + 0.7 + 0.8 + 1.9), rash-free: "probable" by the score
#: cut-off, only "possible" (54.2 %) by the probability cut-off
BORDERLINE = {"case_id": "borderline", "age_at_onset_years": 55, "age_years": 56, "onset_tempo": "subacute",
              "weakness_proximal_upper_symmetric": True, "weakness_proximal_lower_symmetric": True,
              "weakness_neck_flexor_gt_extensor": True, "weakness_legs_proximal_gt_distal": False,
              "skin_heliotrope": False, "skin_gottron_papules": False, "skin_gottron_sign": False,
              "skin_other_dm_rash": False, "dysphagia": False, "ck_elevated": False, "ldh_elevated": False,
              "ast_elevated": False, "alt_elevated": False, "biopsy_performed": False, "statin_exposure": False,
              "weakness_finger_flexor_gt_shoulder_abductor": False, "weakness_asymmetric": False,
              "immunosuppression_response": "improved",
              **{k: False for k in ("ab_hmgcr", "ab_srp", "ab_jo1", "ab_pl7", "ab_pl12", "ab_ej", "ab_oj", "ab_ks",
                                    "ab_zo", "ab_ha")}}


def test_report_counts_on_the_examples() -> None:
    t, _ = score_batch(cases_to_table(list(EXAMPLES.values())))
    rep = cohort_report(t)
    assert rep["cases"] == 11
    assert rep["labels"]["imnm_anti_hmgcr"] == 2 and rep["labels"]["undetermined"] == 1
    assert rep["undetermined_share"] == round(1 / 11, 4)
    assert rep["findings_that_would_settle_most"]  # the mostly-unknown example has deciding findings
    tab = next(x for x in rep["agreement"] if x["columns"] == "label" and x["rows"] == "eular_acr_2017_subgroup")
    r = tab["row_values"].index("polymyositis (includes IMNM)")
    c = tab["column_values"].index("imnm_anti_hmgcr")
    assert tab["counts"][r][c] == 1  # one anti-HMGCR example sits in the EULAR/ACR PM group


def test_diff_on_a_criteria_policy_change() -> None:
    table = cases_to_table([BORDERLINE, EXAMPLES["dermatomyositis"]])
    before, _ = score_batch(table, Policy(eular_cutoffs="score", eular_rash_free="off"))
    after, _ = score_batch(table, Policy(eular_cutoffs="probability", eular_rash_free="off"))
    d = diff_runs(before, after)
    assert d["matched_on"] == ["case_id"]
    assert d["reclassified"] == 1 and d["transitions"] == {"pm -> not_iim": 1}
    change = d["cases"][0]
    assert change["case_id"] == "borderline"
    assert "eular_acr_2017_category: probable IIM -> possible IIM" in change["reason"]


def test_report_command_writes_html_and_json(tmp_path: Path) -> None:
    pq.write_table(cases_to_table([BORDERLINE, *EXAMPLES.values()]), tmp_path / "in.parquet")
    runner = CliRunner()
    assert runner.invoke(app, ["batch", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "a.parquet"),
                               "--eular-rash-free", "off"]).exit_code == 0
    assert runner.invoke(app, ["batch", str(tmp_path / "in.parquet"), "-o", str(tmp_path / "b.parquet"),
                               "--eular-rash-free", "off", "--eular-cutoffs", "probability"]).exit_code == 0
    r = runner.invoke(app, ["report", str(tmp_path / "b.parquet"), "-o", str(tmp_path / "rep.html"),
                            "--previous", str(tmp_path / "a.parquet")])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "rep.html").read_text()
    assert "<script" not in page and "http" not in page.split("</style>")[1]
    assert "borderline" in page and "pm" in page
    data = json.loads((tmp_path / "rep.json").read_text())
    assert data["report"]["cases"] == 12 and data["diff"]["reclassified"] == 1
    meta = pq.read_schema(tmp_path / "b.parquet").metadata
    assert b"probability" in meta[b"policy"]


def test_diff_matches_cases_by_case_id_whatever_the_order_or_file(tmp_path: Path) -> None:
    """Rows in another order, or the same cases from a renamed file, are the same cases: nothing is reclassified
    (matched on (source, row), reversing the rows would pair each case with another's result)."""
    cases = [BORDERLINE, *EXAMPLES.values()]
    runner = CliRunner()
    pq.write_table(cases_to_table(cases), tmp_path / "in.parquet")
    pq.write_table(cases_to_table(cases[::-1]), tmp_path / "renamed_reversed.parquet")
    for name in ("in", "renamed_reversed"):
        r = runner.invoke(app, ["batch", str(tmp_path / f"{name}.parquet"), "-o", str(tmp_path / f"{name}.out.parquet")])
        assert r.exit_code == 0, r.output
    before, after = (read_results(tmp_path / f"{n}.out.parquet") for n in ("in", "renamed_reversed"))
    assert before.column("source").to_pylist() != after.column("source").to_pylist()
    assert before.column("label").to_pylist() != after.column("label").to_pylist()  # the order differs
    d = diff_runs(before, after)
    assert d["matched_on"] == ["case_id"] and d["matched"] == 12
    assert d["reclassified"] == 0 and d["only_in_before"] == d["only_in_after"] == 0
    # a case_id given twice cannot match: then (source, row), and the page says what did not match
    dup = after.set_column(after.column_names.index("case_id"), "case_id",
                           pa.array(["same"] * after.num_rows, pa.string()))
    d = diff_runs(before, dup)
    assert d["matched_on"] == ["source", "row"] and d["matched"] == 0
    assert d["only_in_before"] == d["only_in_after"] == 12
    page = report_html(cohort_report(dup), d)
    assert "0 of 0 matched cases reclassified" in page
    assert "not matched: 12 only in the previous run, 12 only in this run" in page


def test_report_reads_a_directory_of_parquet_parts(tmp_path: Path) -> None:
    """The Spark engine writes a directory of Parquet parts (with _SUCCESS and .crc files): the report reads it
    whole, as it reads one file."""
    t, _ = score_batch(cases_to_table([BORDERLINE, *EXAMPLES.values()]))
    pq.write_table(t, tmp_path / "one.parquet")
    parts = tmp_path / "spark_out"
    parts.mkdir()
    pq.write_table(t.slice(0, 5), parts / "part-00000-x.snappy.parquet")
    pq.write_table(t.slice(5), parts / "part-00001-x.snappy.parquet")
    (parts / "_SUCCESS").write_text("")
    (parts / ".part-00000-x.snappy.parquet.crc").write_bytes(b"\x00crc")
    assert read_results(parts).num_rows == 12
    runner = CliRunner()
    for src in ("one.parquet", "spark_out"):
        r = runner.invoke(app, ["report", str(tmp_path / src), "-o", str(tmp_path / f"{src}.html"),
                                "--previous", str(parts)])
        assert r.exit_code == 0, r.output
        data = json.loads((tmp_path / f"{src}.json").read_text())
        assert data["report"]["cases"] == 12 and data["diff"]["matched"] == 12
        assert data["diff"]["reclassified"] == 0
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    r = runner.invoke(app, ["report", str(empty), "-o", str(tmp_path / "e.html")])
    assert r.exit_code == 2 and "without Parquet parts" in r.output
    r = runner.invoke(app, ["report", str(tmp_path / "missing.parquet"), "-o", str(tmp_path / "m.html")])
    assert r.exit_code == 2 and "no such file or directory" in r.output


def test_the_report_is_html_and_says_so_for_another_suffix(tmp_path: Path) -> None:
    t, _ = score_batch(cases_to_table([BORDERLINE]))
    pq.write_table(t, tmp_path / "r.parquet")
    r = CliRunner().invoke(app, ["report", str(tmp_path / "r.parquet"), "-o", str(tmp_path / "rep.md")])
    assert r.exit_code == 2 and "the report is an HTML page" in r.output and "allowed: a path ending in .html" in r.output
    assert not (tmp_path / "rep.md").exists() and not (tmp_path / "rep.json").exists()


def test_the_report_says_when_a_case_id_appears_twice() -> None:
    t, _ = score_batch(cases_to_table([BORDERLINE, {**BORDERLINE, "age_years": 57}, *EXAMPLES.values()]))
    rep = cohort_report(t)
    assert rep["cases"] == 13
    assert any(n.startswith("1 case_id value appears on more than one row (2 rows)") for n in rep["notes"])
    assert "appears on more than one row" in report_html(rep)
    t, _ = score_batch(cases_to_table([BORDERLINE, *EXAMPLES.values()]))
    assert not any("more than one row" in n for n in cohort_report(t)["notes"])


def test_every_markdown_table_stands_between_blank_lines() -> None:
    """A line right after a table (the differential's caveat, a criteria set's "Source:") would render as one more
    row; one right before it would take the header into its paragraph."""
    from myoclass import assess
    from myoclass.report.text import markdown_report

    md = markdown_report(assess({"age_years": 7, "skin_heliotrope": True, "weakness_proximal_lower_symmetric": True}))
    lines = md.splitlines()
    starts = [i for i, x in enumerate(lines) if x.startswith("|") and (i == 0 or not lines[i - 1].startswith("|"))]
    ends = [i for i, x in enumerate(lines) if x.startswith("|") and (i + 1 == len(lines) or not lines[i + 1].startswith("|"))]
    assert len(starts) >= 5 and len(starts) == len(ends)
    assert all(lines[i - 1] == "" for i in starts) and all(lines[i + 1] == "" for i in ends if i + 1 < len(lines))


def test_markdown_lines_are_separate_paragraphs() -> None:
    """Rendered, the headline, the summary and the EULAR/ACR line, and the cancer panels, are separate blocks (a
    clinician review of session 23 found them merged into one paragraph): every two consecutive text lines have a
    blank line between them, except table rows, list items and the line after a heading."""
    import itertools
    import re

    from myoclass import assess
    from myoclass.examples import example_cases
    from myoclass.report.text import markdown_report

    item = re.compile(r"^(?:[-*] |\d+\. )")
    for case in example_cases().values():
        lines = markdown_report(assess(case)).split("\n")
        for prev, line in itertools.pairwise(lines):
            if prev.strip() and line.strip() and not prev.startswith("#"):
                assert (prev.startswith("|") and line.startswith("|")) or (item.match(prev) and item.match(line)), \
                    (prev, line)


def test_juvenile_labels_still_possible_for_an_unknown_onset_say_so() -> None:
    """A 70-year-old whose onset age is not recorded: juvenile DM stays possible under the criteria, but only with an
    onset before 18, and the answer says so (a clinician review of session 23)."""
    from myoclass import assess
    from myoclass.reasoning.text import still_possible

    text = still_possible(assess({"age_years": 70, "weakness_proximal_upper_symmetric": True, "ck_elevated": True}))
    assert "juvenile dermatomyositis (only with an onset before 18)" in text
    adult = still_possible(assess({"age_years": 70, "age_at_onset_years": 65, "weakness_proximal_upper_symmetric": True,
                                   "ck_elevated": True}))
    assert "juvenile" not in adult


@pytest.mark.parametrize("name", ["antibody_negative_cancer", "dermatomyositis"])
def test_the_cancer_screening_advice_is_said_once(name: str) -> None:
    """The text and markdown reports have a cancer-screening section; the guidance list points to it instead of
    repeating it (a clinician review found the same paragraph twice). The section carries what the guidance item
    said: the risk, why, the timing for each possible tier and the notes."""
    from myoclass import assess
    from myoclass.examples import example_cases
    from myoclass.report.text import CANCER_SECTION_POINTER, markdown_report, text_report

    a = assess(example_cases()[name])
    cs = a["cancer_screening"]
    for report in (text_report(a), markdown_report(a)):
        assert report.count(CANCER_SECTION_POINTER) == 1
        for note in cs["notes"]:
            assert report.count(note) == 1, note
        for reason in cs["reasons"]:
            assert report.count(reason) == 1, reason
        for tier in [cs["risk"]] if cs["risk"] else cs["possible_risks"]:
            assert cs["timing"][tier] in report


def test_the_eular_weights_are_explained_when_both_are_shown() -> None:
    """With the biopsy status unknown each EULAR/ACR item shows two weights ("1.3/1.5", "—/1.7"); the report says
    which is which. With a biopsy done, one weight, no legend."""
    from myoclass import assess
    from myoclass.examples import example_cases
    from myoclass.report.text import EULAR_SPLIT_WEIGHTS, markdown_report, text_report

    open_case = assess(example_cases()["mostly_unknown"])
    biopsied = assess(example_cases()["antibody_negative_cancer"])
    no_biopsy = assess(example_cases()["dermatomyositis"])  # biopsy_performed false: one weight, "—" for biopsy items
    assert no_biopsy["criteria"]["eular_acr_2017"]["model"] == "without_biopsy"
    for render in (text_report, markdown_report):
        assert "1.3/1.5" in render(open_case) and render(open_case).count(EULAR_SPLIT_WEIGHTS) == 1
        assert EULAR_SPLIT_WEIGHTS not in render(biopsied)
        assert EULAR_SPLIT_WEIGHTS not in render(no_biopsy) and "—/1.7" not in render(no_biopsy)


def test_a_settled_label_says_what_the_criteria_presume() -> None:
    """Settled, with a share left for a mimic: the text and markdown reports say, as the workspace does, that the
    criteria presume the mimic-revealing findings absent (a clinician review found only the page said it)."""
    from myoclass import assess
    from myoclass.examples import example_cases
    from myoclass.reasoning.text import mimic_presumption
    from myoclass.report.text import markdown_report, text_report

    a = assess(example_cases()["antibody_negative_cancer"])
    assert a["summary"]["label"] == "imnm_seronegative" and len(a["differential"]) > 1
    for render in (text_report, markdown_report):
        assert render(a).count(mimic_presumption("imnm_seronegative")) == 1
    open_case = assess(example_cases()["mostly_unknown"])
    assert "presuming that the findings which would reveal a mimic" not in text_report(open_case)


def test_the_next_tests_listed_are_the_most_informative_whatever_their_purpose() -> None:
    """The text report lists the next tests in the JSON's order (most informative first), the first 12 of any
    purpose and every mimic to rule out, then says how many more there are; a clinician review found a deciding test
    (the heliotrope rash) cut while less informative questions were listed."""
    import re

    from myoclass import assess
    from myoclass.examples import example_cases
    from myoclass.reasoning.text import step_text
    from myoclass.report.text import text_report

    a = assess(example_cases()["mostly_unknown"])
    tests = a["next_tests"]
    assert len(tests) > 12
    from myoclass.report.text import NEXT_TESTS_MIMICS

    n = 12
    mimics = [t for t in tests[n:] if t["purpose"] == "rules_out"]
    want = [*tests[:n], *mimics]
    section = text_report(a).split("\nNext tests\n", 1)[1].split("\n\n", 1)[0].splitlines()
    listed = [x for x in section if re.match(r"\d+\. ", x)]
    assert len(listed) == len(want)
    for line, t in zip(listed, want, strict=True):
        step = step_text(t)
        assert (step[:1].upper() + step[1:]) in line
    # "each less informative" is said of the tests not listed, right after the first twelve; the mimics listed past
    # the cut (less informative than some not listed: a clinician review of session 35) follow under their own line
    more = f"   ... and {len(tests) - len(want)} more, each less informative than these (all are in the JSON output)."
    assert section.index(more) == section.index(listed[n - 1]) + 1
    if mimics:
        assert section[section.index(more) + 1] == NEXT_TESTS_MIMICS
        assert all(t["purpose"] == "rules_out" for t in want[n:])



@pytest.mark.parametrize("name,text", [("cohort.csv", "case_id,sex\na,female\n"),
                                       ("export.jsonl", '{"patient_code": "P1", "visit_date": "2024-01-05"}\n'),
                                       ("notes.txt", "hello\n")])
def test_a_file_that_is_not_results_is_refused_in_one_line(tmp_path: Path, name: str, text: str) -> None:
    """A cohort's input or a registry export given to `myoclass report` by mistake: one line naming the file, what is
    missing and what to run, exit 2, never a traceback (a researcher's review found a KeyError)."""
    f = tmp_path / name
    f.write_text(text)
    r = CliRunner().invoke(app, ["report", str(f), "-o", str(tmp_path / "r.html")])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output.startswith(f"error: {f}: not ") and r.output.count("\n") == 1
    assert not (tmp_path / "r.html").exists()


def test_the_diff_counts_changes_beyond_the_label_and_names_the_settings(tmp_path: Path) -> None:
    """A policy change that moves criteria-set results and the most likely label but no bottom-line label is not
    '0 changed' (a researcher's review): the diff counts the leading-label and per-set changes, and names the run
    settings that differ (from the Parquet metadata that myoclass batch writes)."""
    from myoclass.batch.run import run_batch

    src = tmp_path / "in.parquet"
    pq.write_table(cases_to_table([BORDERLINE, *EXAMPLES.values()]), src)
    runner = CliRunner()
    assert runner.invoke(app, ["batch", str(src), "-o", str(tmp_path / "a.parquet")]).exit_code == 0
    run_batch([src], tmp_path / "b.parquet", tmp_path / "b.rejects.csv",
              Policy(eular_cutoffs="probability", eular_rash_free="off"))
    d = diff_runs(read_results(tmp_path / "a.parquet"), read_results(tmp_path / "b.parquet"))
    assert d["set_changes"] and sum(d["set_changes"].values()) >= d["reclassified"]
    assert [x["setting"] for x in d["settings"]] == ["policy"]
    assert '"probability"' in str(d["settings"][0]["after"])
    page = report_html(cohort_report(read_results(tmp_path / "b.parquet")), d)
    assert "The two runs were made with different settings: policy" in page
    assert "Beyond the bottom-line label" in page


def test_a_missing_subgroup_is_said_as_none_not_python() -> None:
    """An agreement table's missing value (no EULAR/ACR subgroup) reads "(none)", not the text "None"; and the page
    says why a most likely mimic may not be among the labels still possible."""
    rep = cohort_report(score_batch(cases_to_table([BORDERLINE, *EXAMPLES.values()]))[0])
    values = [v for tab in rep["agreement"] for v in tab["row_values"] + tab["column_values"]]
    assert "None" not in values and "(none)" in values
    assert "the criteria presume the findings that would reveal a mimic" in report_html(rep)



def test_the_next_tests_say_what_their_figures_mean() -> None:
    """'(positive 19.2%, 0.70 bits)' needs a key for a clinician (a clinician review of session 25): the reports say
    it once under Next tests when the tests are weighed."""
    from myoclass import assess
    from myoclass.examples import example_cases
    from myoclass.report.text import NEXT_TESTS_LEGEND, markdown_report, text_report

    a = assess(example_cases()["mostly_unknown"])
    for render in (text_report, markdown_report):
        assert render(a).count(NEXT_TESTS_LEGEND) == 1
    settled = assess(example_cases()["anti_hmgcr_statin"])  # no next test: no key
    assert settled["next_tests"] == [] and NEXT_TESTS_LEGEND not in text_report(settled)


def test_an_open_cancer_section_says_first_that_it_applies_once_a_myositis_is_confirmed() -> None:
    """A clinician review of session 26: the cancer-screening section of a 20-year-old with exertional rhabdomyolysis
    (94% no inflammatory myopathy) read as advice to screen. While it is open whether the guideline applies, the
    section's first line says when it does; the note is not repeated at its end."""
    from myoclass.reasoning.assess import assess
    from myoclass.report.text import markdown_report, text_report

    a = assess({"case_id": "exertional-20", "age_years": 20, "age_at_onset_years": 20, "sex": "male",
                "onset_tempo": "acute", "symptom_duration_months": 0.1, "symptom_myalgia": True,
                "weakness_proximal_upper_symmetric": False, "weakness_proximal_lower_symmetric": False,
                "ck_u_l": 60000, "ck_uln_u_l": 200})
    assert a["cancer_screening"]["applicable"] is None
    for report in (text_report(a), markdown_report(a)):
        lines = report.splitlines()
        i = next(k for k, line in enumerate(lines) if "Cancer screening (IMACS 2023; factor tiers" in line)
        assert lines[i + 1].startswith("Applies once an inflammatory myopathy")
        assert sum(line.lstrip("- ").startswith("Applies once") for line in lines) == 1
