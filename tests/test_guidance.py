"""Every guidance rule: a context that triggers it and one that does not; every item is cited."""

from __future__ import annotations

from typing import Any

import pytest

from myoclass import assess
from myoclass.reasoning.guidance import GUIDANCE, GuidanceContext, guidance_for
from myoclass.report.text import markdown_report, text_report
from myoclass.synthetic import synthetic_cases


def ctx(label: str, reachable: set[str] | None = None, **values: Any) -> GuidanceContext:
    return GuidanceContext(label, frozenset(reachable or {label}), values)


def ids(c: GuidanceContext) -> set[str]:
    return {g["id"] for g in guidance_for(c)}


# rule id -> (a context where it applies, a context where it does not)
CASES: dict[str, tuple[GuidanceContext, GuidanceContext]] = {
    "imnm.refer": (ctx("undetermined", {"imnm_anti_hmgcr", "pm"}), ctx("undetermined", {"dm", "pm"})),
    "imnm.heart": (ctx("imnm_seronegative"), ctx("pm")),
    "hmgcr.statin_stop": (ctx("imnm_anti_hmgcr", statin_exposure=True), ctx("imnm_anti_hmgcr", statin_exposure=False)),
    "hmgcr.statin_avoid": (ctx("imnm_anti_hmgcr"), ctx("imnm_anti_srp")),
    "hmgcr.statin_naive_young": (ctx("imnm_anti_hmgcr", statin_exposure=False, age_at_onset_years=60),
                                 ctx("imnm_anti_hmgcr", statin_exposure=True, age_at_onset_years=60)),
    "hmgcr.cancer": (ctx("imnm_anti_hmgcr"), ctx("imnm_anti_srp")),
    "hmgcr.treatment": (ctx("imnm_anti_hmgcr"), ctx("dm")),
    "statin.needs_negative_hmgcr": (ctx("undetermined", statin_exposure=True),
                                    ctx("undetermined", statin_exposure=True, ab_hmgcr=False)),
    "statin_toxic.course": (ctx("statin_toxic_myopathy"), ctx("imnm_anti_hmgcr")),
    "srp.heart_lungs": (ctx("imnm_anti_srp"), ctx("imnm_anti_hmgcr")),
    "srp.swallowing": (ctx("imnm_anti_srp"), ctx("imnm_seronegative")),
    "srp.treatment": (ctx("imnm_anti_srp"), ctx("imnm_anti_hmgcr")),
    "seroneg.cancer": (ctx("imnm_seronegative"), ctx("imnm_anti_srp")),
    "seroneg.thyroid": (ctx("imnm_seronegative"), ctx("imnm_seronegative", hypothyroidism=False)),
    "seroneg.drugs": (ctx("imnm_seronegative"), ctx("imnm_anti_hmgcr")),
    "seroneg.dystrophy": (ctx("imnm_seronegative"), ctx("imnm_seronegative", genetic_diagnosis_gene="DYSF")),
    "seroneg.srp_retest": (ctx("imnm_seronegative", ab_srp=False, ab_srp_method="line_blot"),
                           ctx("imnm_seronegative", ab_srp=False, ab_srp_method="iif")),
    "dm.cancer": (ctx("dm"), ctx("adm")),
    "adm.lungs": (ctx("adm"), ctx("dm")),
    "undetermined.next_tests": (ctx("undetermined", {"dm", "pm"}), ctx("pm")),
    "juvenile.imnm_mimic": (ctx("juvenile_myositis_other", ab_srp=False),
                            ctx("juvenile_myositis_other", ab_srp=False, ab_hmgcr=False)),
    "ibm.mistaken_for_pm": (ctx("ibm"), ctx("pm")),
    "ass.lungs": (ctx("antisynthetase"), ctx("dm")),
    "pm.exclusion": (ctx("nonspecific_myositis"), ctx("ibm")),
    "hereditary.not_autoimmune": (ctx("hereditary_myopathy"), ctx("not_iim")),
    "other.reassess": (ctx("other_non_immune"), ctx("not_iim")),
    "not_iim.mimics": (ctx("not_iim"), ctx("undetermined", {"not_iim", "pm"})),
    "checkpoint_inhibitor": (ctx("pm", checkpoint_inhibitor=True), ctx("pm", checkpoint_inhibitor=False)),
}


def test_every_rule_has_a_trigger_test() -> None:
    assert set(CASES) == {g.id for g in GUIDANCE}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_triggers_and_does_not(rule: str) -> None:
    yes, no = CASES[rule]
    assert rule in ids(yes)
    assert rule not in ids(no)


ANTIBODIES = ["ab_tif1g", "ab_nxp2", "ab_sae", "ab_mda5", "ab_jo1", "ab_pl7", "ab_pl12", "ab_ks", "ab_oj", "ab_mi2",
              "ab_cn1a", "ab_ro52", "ab_pmscl", "ab_ku"]


@pytest.mark.parametrize("ab", ANTIBODIES)
def test_antibody_risk_shown_only_when_positive(ab: str) -> None:
    assert f"antibody.{ab[3:]}" in ids(ctx("dm", **{ab: True}))
    assert f"antibody.{ab[3:]}" not in ids(ctx("dm", **{ab: False}))
    assert f"antibody.{ab[3:]}" not in ids(ctx("dm"))


def test_every_guidance_item_in_any_output_is_cited_and_tagged() -> None:
    seen = set()
    for raw in synthetic_cases(600, seed=3):
        for g in assess(raw)["guidance"]:
            seen.add(g["id"])
            assert g["citation"] and any(k in g["citation"] for k in ("doi:", "PMID", "http", "ORPHA"))
            assert g["verification"] in {"V-P", "V-S", "V-X", "D", "R"}
            assert g["unverified"] == (g["verification"] == "R")
    assert len(seen) >= 15  # the cohort exercises most rules


def test_guidance_never_reads_as_an_order() -> None:
    for g in GUIDANCE:
        first = g.text.split()[0].lower()
        assert first not in {"stop", "start", "give", "prescribe", "order", "treat", "do", "avoid"}, g.id


def test_reports_show_guidance_under_the_classification() -> None:
    case = {"case_id": "g", "ab_hmgcr": True, "ck_u_l": 5000, "ck_uln_u_l": 200, "statin_exposure": True,
            "weakness_proximal_upper_symmetric": True}
    a = assess(case)
    for report in (text_report(a), markdown_report(a)):
        assert "Guidance for the clinician" in report
        assert report.index("Guidance for the clinician") < report.index("224th ENMC")
        assert "doi:10.1002/acr.20662" in report
