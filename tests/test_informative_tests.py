"""Next tests with purpose ``informs`` (fresh review, session 22): while the criteria leave the label open, an unknown
finding no result of which changes the labels still possible, but which moves the differential (anti-Jo-1 in a thin
case of weakness and a raised CK), is listed with its probability, expected information and where each result
would lead; the deciding tests and the strict label are unchanged."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myoclass import assess
from myoclass.errors import InvalidCase
from myoclass.model.case import parse_case
from myoclass.reasoning.assess import assess_case
from myoclass.reasoning.next_tests import INFORMS_MAX, INFORMS_MIN_BITS
from myoclass.reasoning.text import first_steps, todo
from myoclass.report.text import text_report

THIN: dict[str, Any] = {"age_years": 61, "age_at_onset_years": 60, "weakness_proximal_lower_symmetric": True,
                        "ck_u_l": 2400, "ck_uln_u_l": 200}


def _assess(values: dict[str, Any]) -> dict[str, Any]:
    return assess_case(parse_case(values))


def test_a_thin_case_lists_anti_jo1_as_moving_the_differential() -> None:
    a = _assess(THIN)
    assert a["summary"]["label"] == "undetermined"
    jo1 = next(t for t in a["next_tests"] if t["finding"] == "ab_jo1")
    assert jo1["purpose"] == "informs" and jo1["if_true"] is None and jo1["if_false"] is None
    assert jo1["expected_information"] >= INFORMS_MIN_BITS and 0 < jo1["p_present"] < 1
    assert jo1["leading_if"]["true"]["label"] == "antisynthetase" and jo1["leading_if"]["true"]["probability"] > 0.9
    assert "moves the differential" in jo1["why"] and jo1["test"] == "myositis antibody test"
    # ranked with the others by expected information
    eis = [t["expected_information"] for t in a["next_tests"] if t["expected_information"] is not None]
    assert eis == sorted(eis, reverse=True)
    assert sum(t["purpose"] == "informs" for t in a["next_tests"]) <= INFORMS_MAX
    report = text_report(a)
    assert "Test anti-Jo-1 [moves the differential]" in report
    assert "If anti-Jo-1 is positive → most likely antisynthetase syndrome" in report


def test_a_settled_label_gets_none() -> None:
    a = _assess({"age_years": 55, "ab_hmgcr": True, "ck_u_l": 8000, "ck_uln_u_l": 200, "statin_exposure": True,
                 "weakness_proximal_lower_symmetric": True, "weakness_proximal_upper_symmetric": True,
                 "genetic_diagnosis_gene": None, "biopsy_performed": True, "biopsy_necrosis_predominant": True})
    if a["summary"]["label"] != "undetermined":
        assert not any(t["purpose"] == "informs" for t in a["next_tests"])


def test_the_first_steps_can_be_a_mimic_before_a_second_deciding_test() -> None:
    """A young antibody-negative necrotizing biopsy: the gene panel (the most informative) comes first in What to do
    now, the deciding test that settles most second; the biopsy already done is reviewed, not repeated."""
    a = _assess({"age_years": 25, "age_at_onset_years": 24, "weakness_proximal_upper_symmetric": True,
                 "weakness_proximal_lower_symmetric": True, "ck_u_l": 9000, "ck_uln_u_l": 180, "ab_hmgcr": False,
                 "ab_srp": False, "ab_jo1": False, "biopsy_performed": True, "biopsy_necrotic_fibers": True,
                 "biopsy_necrosis_predominant": True, "biopsy_regenerating_fibers": True,
                 "biopsy_lymphocytic_infiltrate_prominent": False})
    steps = first_steps(a)
    assert [t["purpose"] for t in steps] == ["rules_out", "decides"]
    assert steps[0]["finding"] == "genetic_diagnosis_gene"
    lines = todo(a)
    assert lines[0]["step"].startswith("Consider ruling out a mimic: muscle gene panel")
    assert "review the biopsy (ask the pathologist)" in lines[1]["step"]
    assert "Next: muscle gene panel" in a["summary"]["text"]


FINDINGS_TO_VARY = ["ab_jo1", "ab_srp", "ab_hmgcr", "ild", "skin_heliotrope", "dysphagia", "arthritis",
                    "weakness_proximal_upper_symmetric", "statin_exposure", "biopsy_performed", "skin_mechanics_hands",
                    "symptom_myalgia", "emg_spontaneous_activity", "cancer", "weakness_neck_flexor_gt_extensor",
                    "weakness_neck_extensor_gt_flexor"]


def test_a_finding_the_case_could_not_hold_is_never_asked_for() -> None:
    """Neck extensors weaker than flexors is recorded: 'neck flexors weaker than extensors' cannot be present (the
    case would be refused), so it is no informs test (second review, session 22)."""
    a = _assess({"weakness_neck_extensor_gt_flexor": True, "age_years": 45, "ck_u_l": 9000, "ck_uln_u_l": 200})
    assert not any(t["finding"] == "weakness_neck_flexor_gt_extensor" and t["purpose"] == "informs"
                   for t in a["next_tests"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({k: st.sampled_from([True, False, None]) for k in FINDINGS_TO_VARY}),
       st.integers(min_value=20, max_value=80), st.sampled_from([None, 300, 2400, 9000]))
def test_no_result_of_an_informs_test_changes_the_labels_still_possible(
        values: dict[str, bool | None], age: int, ck: int | None) -> None:
    case: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
    case["age_years"] = age
    if ck is not None:
        case.update(ck_u_l=ck, ck_uln_u_l=200)
    try:
        a = _assess(case)
    except InvalidCase:  # a combination the data dictionary refuses is not this test's subject
        return
    reach = a["summary"]["reachable_labels"]
    informs = [t for t in a["next_tests"] if t["purpose"] == "informs"]
    if a["summary"]["label"] != "undetermined":
        assert not informs
    for t in informs:
        assert t["expected_information"] >= INFORMS_MIN_BITS
        for value in (True, False):
            after = _assess({**case, t["finding"]: value})  # never refused: each result can be entered
            assert after["summary"]["reachable_labels"] == reach, (t["finding"], value)


def test_the_fast_boolean_figures_equal_the_general_ones() -> None:
    """Differential.boolean_informations (the C path's per-level figures read at once) gives what
    Differential.informations gives for the same booleans."""
    from myoclass.model.findings import assessment_age, display_state
    from myoclass.reasoning.differential import compute
    from myoclass.reasoning.engine import engine

    eng = engine()
    for values in (THIN, {**THIN, "ab_srp": False, "skin_heliotrope": False},
                   {"age_years": 8, "skin_heliotrope": True, "ck_u_l": 900, "ck_uln_u_l": 200}):
        case = parse_case(values)
        packed = eng.pack(display_state(case))
        dif = compute(packed, "clinic", eng.policy, derivatives=True, values=case.values,
                      age_now=assessment_age(case.values))
        names = ["ab_jo1", "ild", "arthritis", "dysphagia", "symptom_myalgia", "raynaud", "fever"]
        names = [n for n in names if packed[eng.var_index[n]] == 1]
        p, ei = dif.boolean_informations(names)
        general = dif.informations(names)
        assert [round(float(x), 12) for x in p] == [round(float(g[0] or 0.0), 12) for g in general]
        assert [round(float(x), 12) for x in ei] == [round(float(g[2]), 12) for g in general]


#: a rash with no weakness and a normal CK (a clinician review of session 23): amyopathic DM or antisynthetase syndrome
#: are still possible, but no single finding changes that (the antisynthetase label needs an anti-synthetase
#: antibody and one of its clinical features, all unknown)
SKIN_ONLY: dict[str, Any] = {"sex": "female", "age_years": 30, "age_at_onset_years": 30, "skin_heliotrope": True,
                             "skin_gottron_papules": True, "weakness_proximal_upper_symmetric": False,
                             "weakness_proximal_lower_symmetric": False, "ck_u_l": 110, "ck_uln_u_l": 200}


def test_an_open_label_with_no_single_deciding_test_says_so_and_never_none_needed() -> None:
    from myoclass.reasoning.text import NO_SINGLE_DECIDER

    a = _assess(SKIN_ONLY)
    assert a["summary"]["label"] == "undetermined" and len(a["summary"]["reachable_labels"]) > 1
    assert not any(t["purpose"] == "decides" for t in a["next_tests"])
    report = text_report(a)
    assert NO_SINGLE_DECIDER in report and "None needed to settle the label" not in report
    # informs tests are weighed (the differential has its derivatives) even with no deciding test
    for t in a["next_tests"]:
        assert t["purpose"] in ("informs", "rules_out")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({}, optional={
    "skin_heliotrope": st.booleans(), "ab_jo1": st.booleans(), "ild": st.booleans(), "arthritis": st.booleans(),
    "weakness_proximal_upper_symmetric": st.booleans(), "ck_elevated": st.booleans(), "age_years": st.just(40)}))
def test_the_report_never_says_nothing_is_needed_while_the_label_is_open(values: dict[str, Any]) -> None:
    try:
        a = _assess(values)
    except InvalidCase:
        return
    if a["summary"]["label"] == "undetermined":
        assert "None needed to settle the label" not in text_report(a)


def test_with_rimmed_vacuoles_the_gene_panel_names_the_hereditary_inclusion_body_myopathies() -> None:
    """An IBM picture (rimmed vacuoles) whose label waits on excluding a hereditary myopathy: the gene panel names GNE,
    VCP and DES first, and its reason cites the overlap (Murnyak 2015); without rimmed vacuoles it stays the
    dystrophy panel. The batch's compact entries carry no test text, so only the library's wording changes."""
    case = {"case_id": "ibm-picture", "age_years": 68, "age_at_onset_years": 62, "symptom_duration_months": 72,
            "weakness_finger_flexor_gt_shoulder_abductor": True, "weakness_knee_extensor_ge_hip_flexor": True,
            "biopsy_performed": True, "biopsy_rimmed_vacuoles": True, "ck_u_l": 600, "ck_uln_u_l": 200}
    gene = next(t for t in assess(case)["next_tests"] if t["finding"] == "genetic_diagnosis_gene")
    assert gene["purpose"] == "rules_out"
    assert gene["test"].startswith("muscle gene panel with the hereditary inclusion body myopathies (GNE, VCP, DES)")
    assert gene["why"].endswith("(Murnyak et al. 2015, doi:10.1515/med-2015-0030).")
    assert gene["why"].count(".") >= 2 and ".;" not in gene["why"]
    plain = dict(case, biopsy_rimmed_vacuoles=None)
    other = next(t for t in assess(plain)["next_tests"] if t["finding"] == "genetic_diagnosis_gene")
    assert other["test"] == "muscle gene panel (DYSF, CAPN3, FKRP, ANO5, DMD, sarcoglycans) and GAA enzyme activity"
    assert "Murnyak" not in other["why"]


def test_for_a_child_the_gene_panel_names_the_childhood_dystrophies() -> None:
    """A child without a DM rash, weak with a raised CK, whose label waits on excluding a hereditary myopathy: the gene
    panel names the childhood dystrophies (the dystrophies whose biopsies can be inflamed, Arthritis Care Res 2013's
    introduction), and its reason gives D'Arcy 2009's 12 of 13; an adult's stays the general panel."""
    child = {"case_id": "child", "age_years": 8, "age_at_onset_years": 7, "weakness_proximal_lower_symmetric": True,
             "ck_u_l": 4000, "ck_uln_u_l": 200, "skin_heliotrope": False, "skin_gottron_papules": False}
    gene = next(t for t in assess(child)["next_tests"] if t["finding"] == "genetic_diagnosis_gene")
    assert gene["test"].startswith("muscle gene panel for the childhood dystrophies (DMD, DYSF, LAMA2")
    assert "12 of 13 first diagnosed with juvenile polymyositis had a muscular dystrophy" in gene["why"]
    assert gene["why"].endswith("(Arthritis Care Res 2013, doi:10.1002/acr.22088).")
    adult = dict(child, age_years=48, age_at_onset_years=47)
    other = next(t for t in assess(adult)["next_tests"] if t["finding"] == "genetic_diagnosis_gene")
    assert other["test"] == "muscle gene panel (DYSF, CAPN3, FKRP, ANO5, DMD, sarcoglycans) and GAA enzyme activity"
