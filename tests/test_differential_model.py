"""The differential's generative model: every number present, a probability, cited and tagged."""

from __future__ import annotations

import math

import pytest

from myoclass.criteria import citations as C
from myoclass.model.fields import BIOPSY_ITEMS, FIELDS
from myoclass.model.findings import AGE_BANDS, CK_BANDS
from myoclass.reasoning import differential_model as M
from myoclass.reasoning.engine import LABELS


def test_conditions_are_the_vocabulary_minus_undetermined() -> None:
    assert set(M.CONDITIONS) == set(LABELS)
    assert "undetermined" not in M.CONDITIONS
    assert "none of the other conditions" in M.CONDITION_TEXT["not_iim"]
    assert set(M.CONDITION_TEXT) == set(M.CONDITIONS)


def test_every_condition_has_a_prior_and_they_sum_to_one() -> None:
    assert set(M.PRIOR) == set(M.CONDITIONS)
    assert math.isclose(sum(M.prior(c) for c in M.CONDITIONS), 1.0, abs_tol=1e-9)
    assert all(M.prior(c) > 0 for c in M.CONDITIONS)


def test_every_data_dictionary_key_is_accounted_for() -> None:
    """Every key has a documented use: a model variable, or an explicit 'not modelled' default."""
    missing = set(FIELDS) - set(M.FIELD_USE)
    assert not missing, missing
    assert set(M.FIELD_USE) <= set(FIELDS)


def test_every_modelled_finding_has_a_number_for_every_condition() -> None:
    for finding, by_c in M.BOOLEAN.items():
        assert set(by_c) == set(M.CONDITIONS), finding
    for var, by_c in M.CATEGORICAL.items():
        assert set(by_c) == set(M.CONDITIONS), var
        for c, dist in by_c.items():
            assert tuple(dist) == M.CATEGORICAL_VALUES[var], (var, c)
    for key, use in M.FIELD_USE.items():
        if use.startswith("BOOLEAN["):
            assert use.split("'")[1] in M.BOOLEAN, key
    # biopsy items (given a biopsy) and the biopsy itself
    assert "biopsy_performed" in M.BOOLEAN
    assert set(BIOPSY_ITEMS) <= set(M.BOOLEAN)


def test_categorical_distributions_sum_to_one() -> None:
    for var, by_c in M.CATEGORICAL.items():
        for c in by_c:
            assert math.isclose(sum(M.distribution(var, c).values()), 1.0, abs_tol=1e-9), (var, c)


def test_msa_is_one_variable_and_excludes_double_positives() -> None:
    # the myositis-specific antibodies (except anti-cN1A) are not independent booleans
    assert set(M.MSA_VALUES[1:]).isdisjoint(M.BOOLEAN)
    assert M.distribution("msa", "imnm_anti_hmgcr")["ab_hmgcr"] == 1.0
    assert M.distribution("msa", "imnm_anti_srp")["ab_srp"] == 1.0
    assert M.distribution("msa", "statin_toxic_myopathy")["ab_hmgcr"] == 0.0


def test_enzymes_depend_on_the_ck_band() -> None:
    assert set(M.ENZYME_GIVEN_CK) == {"ldh_elevated", "ast_elevated", "alt_elevated", "aldolase_elevated"}
    for e, by_band in M.ENZYME_GIVEN_CK.items():
        assert tuple(by_band) == CK_BANDS
        assert M.p_enzyme(e, "normal") < M.p_enzyme(e, "raised_over_15x_uln")
    assert M.CATEGORICAL_VALUES["onset_age_band"] == AGE_BANDS


def test_non_immune_cause_is_one_variable() -> None:
    d = M.distribution("non_immune_cause", "other_non_immune")
    assert d["none"] == 0.0 and math.isclose(d["hypothyroidism"] + d["other_myotoxic_drug"], 1.0)
    assert M.p_cause_finding("hypothyroidism", "hypothyroidism") == 1.0
    assert 0 < M.p_cause_finding("hypothyroidism", "none") < 0.1


def test_mimic_findings_are_not_presumed_absent() -> None:
    for f in ("biopsy_dystrophic_features", "genetic_diagnosis", "family_history_myopathy"):
        assert M.p_present(f, "hereditary_myopathy") > 0.2
        assert all(M.p_present(f, c) > 0 for c in M.CONDITIONS)


@pytest.mark.parametrize("row", M.rows(), ids=lambda r: f"{r['table']}:{r['variable']}:{r['given']}:{r['value']}")
def test_every_number_is_a_probability_with_a_tag_and_a_source(row: dict[str, object]) -> None:
    p = row["probability"]
    assert isinstance(p, float | int) and 0.0 <= p <= 1.0
    assert row["tag"] in M.TAGS
    if row["tag"] == "assumed":
        assert row["note"], "an assumed number documents its default"
    elif row["tag"] == "def":
        assert p in (0.0, 1.0) and row["note"]
    else:
        assert row["sources"], "a cited or derived number names its source"


def test_every_source_has_a_doi_or_pmid_or_a_versioned_annotation() -> None:
    srcs = M.sources()
    assert srcs
    for s in srcs:
        ok = bool(s.doi or s.pmid) or (s is M.HPO_ANNOTATIONS and M.HPO_RELEASE in s.text)
        assert ok, s.key


def test_reading_policies() -> None:
    assert set(M.READING_POLICIES) == {"clinic", "record"}
    assert M.p_reported("ild", "clinic") is None
    assert M.p_reported("skin_heliotrope", "record") == M.REPORTING["dm_rash"].value
    assert M.p_reported("ab_srp", "record") == M.REPORTING["msa_positive"].value
    assert M.p_reported("weakness_asymmetric", "record") is None
    for f in ("ild", "skin_mechanics_hands", "statin_exposure", "cancer", "other_myotoxic_drug", "hypothyroidism",
              "family_history_myopathy"):
        assert M.p_reported(f, "record") is not None
    with pytest.raises(ValueError):
        M.p_reported("ild", "chart")


def test_assumed_numbers_are_listed_and_derived_priors_name_them() -> None:
    assumed = M.assumed_numbers()
    assert assumed and all(len(a) == 4 for a in assumed)
    names = {k for k, n in M._PRIOR_INPUTS.items() if n.tag == "assumed"}
    for c, n in M.PRIOR.items():
        assert set(n.rests_on) <= names, c


def test_which_numbers_come_from_the_eular_acr_report() -> None:
    from myoclass.criteria.citations import EULAR_ACR_2017

    # Its design ratios (976 IIM / 624 comparators; 26% children) were the only numbers taken from it; they are
    # not referral shares and were replaced in session 12 by a referral cohort (Luu 2019) and a population
    # (Cho 2019). Its item frequency tables were not retrievable. The documentation says so.
    used = [r for r in M.rows() if EULAR_ACR_2017.short in str(r["sources"])]
    assert used == []
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "differential-model.md").read_text(encoding="utf-8")
    section = doc.split("### The EULAR/ACR 2017 report", 1)[1].split("\n#", 1)[0]
    assert "No number of the model comes from it" in " ".join(section.split())


# ------------------------------------------------------------------------------------- numbers sourced for issue 10
# Each was read in the abstract named by its citation; the note quotes the figure and shows the arithmetic.

SOURCED = [  # (number, value, tag, source)
    (lambda: M._PRIOR_INPUTS["adm_share_of_dm"], 12 / 29, "V-P", M.KRONZER_2022),
    (lambda: M._PRIOR_INPUTS["jdm_share_of_juvenile"], 354 / 436, "D", M.SHAH_2013),
    (lambda: M.BOOLEAN["dysphagia"]["imnm_anti_srp"], 41 / 100, "V-P", M.SUZUKI_2015),
    (lambda: M.CATEGORICAL["duration_band"]["imnm_anti_srp"]["over_12_months"], 23 / 100, "D", M.SUZUKI_2015),
    (lambda: M.CATEGORICAL["duration_band"]["imnm_anti_srp"]["up_to_12_months"], 77 / 100, "D", M.SUZUKI_2015),
    (lambda: M.CATEGORICAL["msa"]["dm"]["ab_mda5"], 16 / 109, "V-P", M.BORGES_2018),
    (lambda: M.CATEGORICAL["msa"]["adm"]["ab_mda5"], (5 + 6) / (22 + 16), "D", (M.BORGES_2018, M.FORNARO_2024)),
    # session 8
    (lambda: M._PRIOR_INPUTS["ass_share_of_adult"], 0.187 / 0.734, "D", (M.BETTERIDGE_2019, M.PINAL_FERNANDEZ_2017)),
    (lambda: M._PRIOR_INPUTS["pm_share_of_adult"], 9 / 255, "V-P", M.LOARCE_MARTOS_2021),
    # session 37 (model version 18): the IMNM antibodies pooled over cohorts, the seronegative share on them
    (lambda: M._PRIOR_INPUTS["hmgcr_share_of_adult"], 0.84 * (22 + 47 + 13) / (405 + 387 + 312), "D",
     (M.GE_2015, M.WATANABE_2016, M.SZCZESNY_2022)),
    (lambda: M._PRIOR_INPUTS["srp_share_of_adult"], 0.84 * (0.18 * 387 + 16 + 13) / (387 + 263 + 265), "D",
     (M.WATANABE_2016, M.SRP_PITTSBURGH_2004, M.TARGOFF_1990)),
    (lambda: M._PRIOR_INPUTS["seronegative_imnm_share_of_adult"],
     0.25 * 0.84 * ((22 + 47 + 13) / 1104 + (0.18 * 387 + 16 + 13) / 915), "D",
     (M.ALLENBACH_2020, M.GE_2015, M.WATANABE_2016, M.SZCZESNY_2022, M.SRP_PITTSBURGH_2004, M.TARGOFF_1990)),
    (lambda: M.BOOLEAN["weakness_proximal_upper_symmetric"]["antisynthetase"], 151.96 / 233, "D", M.ASS_CLUSTERS_2012),
    (lambda: M.BOOLEAN["weakness_proximal_lower_symmetric"]["antisynthetase"], 151.96 / 233, "D", M.ASS_CLUSTERS_2012),
    (lambda: M.BOOLEAN["weakness_proximal_upper_symmetric"]["jdm"], 0.855, "V-P", M.SICKKIDS_JDM),
    (lambda: M.BOOLEAN["weakness_proximal_lower_symmetric"]["jdm"], 0.855, "V-P", M.SICKKIDS_JDM),
    (lambda: M.BOOLEAN["ab_ro52"]["antisynthetase"], 34 / 60, "V-P", M.RO52_ASS_2022),
    (lambda: M.BOOLEAN["ild"]["adm"], (25 + 19 + 10 + 7) / (41 + 29 + 35 + 16), "D",
     (M.SUN_2013, M.CADM_CHINA_2007, M.MORGANROTH_2010, M.FORNARO_2024)),
    (lambda: M.BOOLEAN["ild"]["jdm"], 0.01, "D", M.CARRA_JDM_2022),
    (lambda: M.BOOLEAN["skin_heliotrope"]["jdm"], 0.663, "V-P", M.SICKKIDS_JDM),
    (lambda: M.BOOLEAN["skin_heliotrope"]["adm"], (22 + 9) / (29 + 13), "D", (M.CADM_CHINA_2007, M.CAPRONI_2002)),
    (lambda: M.BOOLEAN["skin_gottron_papules"]["jdm"], 0.785, "V-P", M.SICKKIDS_JDM),
    (lambda: M.BOOLEAN["skin_gottron_papules"]["adm"], (16 + 7) / (16 + 13), "D", (M.CAO_2009, M.CAPRONI_2002)),
    (lambda: M.BOOLEAN["skin_gottron_sign"]["adm"], 6 / 13, "V-P", M.CAPRONI_2002),
    (lambda: M.BOOLEAN["raynaud"]["adm"], 4 / 13, "V-P", M.CAPRONI_2002),
    (lambda: M.BOOLEAN["fever"]["jdm"], 51 / 79, "V-P", M.PACHMAN_1998),
    (lambda: M.BOOLEAN["dysphagia"]["jdm"], 35 / 79, "V-P", M.PACHMAN_1998),
    (lambda: M.BOOLEAN["arthritis"]["jdm"], 28 / 79, "V-P", M.PACHMAN_1998),
    (lambda: M.BOOLEAN["skin_ulceration"]["jdm"], (0.327 * 55 + 0.118 * 102) / 157, "D", M.UK_JDM_ONSET_2012),
    (lambda: M.BOOLEAN["dysphagia"]["ibm"], 32 / 50, "V-P", M.NADDAF_2021),
    (lambda: M.BOOLEAN["ab_cn1a"]["ibm"], 102 / 311, "V-P", M.LILLEKER_2017),
    (lambda: M.BOOLEAN["biopsy_invasion_non_necrotic_fibers"]["ibm"], 72 / 86, "V-P", M.IBM_BIOPSY_2002),
    (lambda: M.BOOLEAN["symptom_myalgia"]["imnm_seronegative"], 10 / 16, "V-P", C.MA_2021),
    (lambda: M.BOOLEAN["symptom_myalgia"]["imnm_anti_srp"], 10 / 43, "D", C.MA_2021),
    (lambda: M.CATEGORICAL["onset_tempo"]["imnm_anti_hmgcr"]["acute"], 8 / 75, "D", C.CHOW_2024),
    (lambda: M.CATEGORICAL["onset_tempo"]["imnm_anti_hmgcr"]["subacute"], 45 / 75, "V-P", C.CHOW_2024),
    (lambda: M.CATEGORICAL["onset_tempo"]["imnm_anti_hmgcr"]["insidious"], 22 / 75, "V-P", C.CHOW_2024),
    # session 12: the second reading (least-evidenced conditions first)
    (lambda: M._PRIOR_INPUTS["share_iim"], 87 / 204, "V-P", M.LUU_2019),
    (lambda: M._PRIOR_INPUTS["juvenile_share_of_iim"], (25 / 409) / (354 / 436), "D", (M.CHO_2019, M.SHAH_2013)),
    (lambda: M._PRIOR_INPUTS["nsm_share_of_adult"], 7 / 255, "D", M.LOARCE_MARTOS_2021),
    (lambda: M._PRIOR_INPUTS["hereditary_share_of_non_iim"], 65 / 140 * 13.0 / 25.9, "D",
     (M.LEHMANN_URBAN_2021, M.OLIVO_2020)),
    (lambda: M._PRIOR_INPUTS["not_iim_share_of_non_iim"], (18 + 23 + 34) / 140, "D", M.LEHMANN_URBAN_2021),
    (lambda: M.BOOLEAN["weakness_ocular_or_facial"]["ibm"], (18 + 18) / (33 + 57), "D", M.LILLEKER_2017),
    (lambda: M.BOOLEAN["weakness_asymmetric"]["ibm"], 1 - (25 + 32) / (37 + 60), "D", M.LILLEKER_2017),
    (lambda: M.BOOLEAN["weakness_proximal_lower_symmetric"]["ibm"], (65 + 122) / (85 + 168), "D", M.LILLEKER_2017),
    (lambda: M.BOOLEAN["weakness_proximal_upper_symmetric"]["ibm"], (7 + 39) / (84 + 168), "D", M.LILLEKER_2017),
    (lambda: M.BOOLEAN["weakness_finger_flexor_gt_shoulder_abductor"]["ibm"], (40 + 89) / (41 + 94), "D",
     M.LILLEKER_2017),
    (lambda: M.BOOLEAN["biopsy_cox_negative_fibers"]["ibm"], 84 / 86, "V-P", M.IBM_BIOPSY_2002),
    (lambda: M.BOOLEAN["biopsy_mhc1_upregulation"]["ibm"], 86.5 / 87, "D", M.IBM_BIOPSY_2002),
    (lambda: M.BOOLEAN["biopsy_protein_accumulation"]["ibm"], 0.91, "V-P", M.SALAJEGHEH_2009),
    (lambda: M.BOOLEAN["emg_myopathic"]["ibm"], 0.80, "V-P", M.IBM_BONN_1993),
    (lambda: M.BOOLEAN["emg_myopathic"]["jdm"], (43 - 8) / 43, "D", M.PACHMAN_1998),
    (lambda: M.BOOLEAN["emg_spontaneous_activity"]["ibm"], 0.625, "V-P", M.IBM_EMG_2018),
    (lambda: M.BOOLEAN["biopsy_endomysial_infiltrate_non_invading"]["ibm"], 32 / 36, "V-P", M.IBM_BONN_1993),
    (lambda: M.BOOLEAN["mri_muscle_edema"]["ibm"], 25 / 32, "V-P", M.COX_2011),
    (lambda: M.BOOLEAN["statin_exposure"]["ibm"], 0.303, "V-S", M.CAUGHEY_2018),
    (lambda: M.BOOLEAN["biopsy_performed"]["pm"], 7 / 9, "V-P", M.LOARCE_MARTOS_2021),
    (lambda: M.BOOLEAN["biopsy_performed"]["jdm"], 51 / 79, "V-P", M.PACHMAN_1998),
    (lambda: M.BOOLEAN["biopsy_performed"]["imnm_anti_hmgcr"], 38 / 75, "V-P", C.CHOW_2024),
    (lambda: M.BOOLEAN["biopsy_invasion_non_necrotic_fibers"]["pm"], 17 / 27, "V-P", M.CHAHIN_ENGEL_2008),
    (lambda: M.BOOLEAN["cancer"]["nonspecific_myositis"], 1 / 65, "V-P", M.VAN_DER_MEULEN_2003),
    (lambda: M.BOOLEAN["arthritis"]["adm"], 6 / 16, "V-P", M.FORNARO_2024),
    (lambda: M.BOOLEAN["skin_other_dm_rash"]["adm"], 16.5 / 17, "D", M.CAO_2009),
    (lambda: M.BOOLEAN["ab_ro52"]["jdm"], 42 / 302, "V-P", M.SABBAGH_2019),
    (lambda: M.BOOLEAN["ab_ro52"]["juvenile_myositis_other"], (3 + 8) / (25 + 44), "D", M.SABBAGH_2019),
    (lambda: M.BOOLEAN["ab_pmscl"]["dm"], 5 / 85, "V-P", M.ALVES_2018),
    # CK not raised: 0 of 75, 4 of 13 and 8 of 49, pooled by size (session 16)
    (lambda: M.CATEGORICAL["ck_band"]["imnm_anti_hmgcr"]["normal"], 12 / 137, "D",
     (C.CHOW_2024, M.SZCZESNY_2022, M.ALSHEHRI_2015)),
    (lambda: M.CATEGORICAL["ck_band"]["statin_toxic_myopathy"]["raised_over_15x_uln"], 6 / 45, "D", M.HANSEN_2005),
    (lambda: M.CATEGORICAL["ck_band"]["jdm"]["normal"], 28 / 198, "D", (M.CARRA_JDM_2022, M.PACHMAN_1998)),
    (lambda: M.CATEGORICAL["ck_band"]["ibm"]["normal"], 4 / 36, "D", M.IBM_BONN_1993),
    (lambda: M.CATEGORICAL["onset_tempo"]["imnm_anti_srp"]["insidious"], 5 / 27, "V-P", M.SRP_OUTCOME_2012),
    (lambda: M.CATEGORICAL["immunosuppression_response"]["antisynthetase"]["improved"], (13 + 55) / 86, "D",
     M.MARIE_2013),
    (lambda: M.CATEGORICAL["immunosuppression_response"]["pm"]["improved"], 22 / 27, "V-P", M.CHAHIN_ENGEL_2008),
    (lambda: M.CATEGORICAL["immunosuppression_response"]["imnm_seronegative"]["improved"], 14 / 16, "V-P",
     C.MA_2021),
    (lambda: M.CATEGORICAL["immunosuppression_response"]["imnm_anti_srp"]["improved"], (81 - 22) / 81, "D",
     M.SUZUKI_2015),
    (lambda: M.CATEGORICAL["msa"]["adm"]["ab_tif1g"], 5 / 16, "V-P", M.FORNARO_2024),
    (lambda: M.CATEGORICAL["msa"]["not_iim"]["none"], 148 / 155, "D", M.TO_2020),
    (lambda: M.CATEGORICAL["msa"]["not_iim"]["ab_hmgcr"], 0.5 / 1967, "D", C.MAMMEN_2012),
    (lambda: M.CATEGORICAL["msa"]["juvenile_myositis_other"]["none"], 52 / 63, "D", M.TANSLEY_2017),
    # session 17: read for the assumed numbers that bench/model_influence.py ranked highest
    (lambda: M.BOOLEAN["statin_exposure"]["dm"], 0.174, "V-S", M.CAUGHEY_2018),
    (lambda: M.BOOLEAN["statin_exposure"]["imnm_anti_srp"], 5 / 100, "V-P", M.SUZUKI_2015),
    (lambda: M.BOOLEAN["statin_exposure"]["not_iim"], 142 / 662, "D", M.CAUGHEY_2018),
    (lambda: M.BOOLEAN["statin_exposure"]["other_non_immune"], 142 / 662, "D", M.CAUGHEY_2018),
    (lambda: M.BOOLEAN["genetic_diagnosis"]["hereditary_myopathy"], 97 / 176, "D", (M.KRENN_2022, M.REDDY_2017)),
    (lambda: M.BOOLEAN["biopsy_performed"]["dm"], 44 / 63, "V-P", M.FORNARO_2024),
    (lambda: M.BOOLEAN["biopsy_performed"]["adm"], 7 / 16, "V-P", M.FORNARO_2024),
    (lambda: M.CATEGORICAL["duration_band"]["jdm"]["over_12_months"], 0.146, "V-P", M.NEELY_2021),
    (lambda: M.CATEGORICAL["duration_band"]["jdm"]["up_to_12_months"], 1 - 0.146, "D", M.NEELY_2021),
    # session 29: the biopsy of DM, JDM and antisynthetase syndrome (model version 14); the DM columns without anti-Jo-1
    (lambda: M.BOOLEAN["biopsy_perifascicular_atrophy"]["dm"], (38 + 16) / (78 + 34), "D",
     (M.PINAL_FERNANDEZ_2015, M.URUHA_2017)),
    (lambda: M.BOOLEAN["biopsy_perimysial_perivascular_infiltrate"]["dm"], 47 / 78, "D", M.PINAL_FERNANDEZ_2015),
    (lambda: M.BOOLEAN["biopsy_necrosis_predominant"]["dm"], 13 / 78, "D", M.PINAL_FERNANDEZ_2015),
    (lambda: M.BOOLEAN["biopsy_mac_capillaries"]["dm"], 38 / 67, "D", (M.URUHA_2017, M.MAC_DM_2011, M.MASCARO_1995)),
    (lambda: M.BOOLEAN["biopsy_cox_negative_fibers"]["dm"], 12 / 42, "D", M.PINAL_FERNANDEZ_2015),
    (lambda: M.BOOLEAN["biopsy_mhc1_upregulation"]["jdm"], 57 / 58, "D", (M.SALLUM_2009, M.JDM_MHC_2004)),
    (lambda: M.BOOLEAN["biopsy_lymphocytic_infiltrate_prominent"]["jdm"], 5 / 10, "D", M.JDM_MHC_2004),
    (lambda: M.BOOLEAN["biopsy_mhc1_upregulation"]["antisynthetase"], 31 / 33, "V-P", M.AOUIZERATE_2014),
    (lambda: M.BOOLEAN["biopsy_necrosis_predominant"]["antisynthetase"], 0.462, "V-P", M.TANBOON_2023),
    (lambda: M.BOOLEAN["arthritis"]["antisynthetase"], 44 / 88, "V-P", M.WANG_2023),
    (lambda: M.BOOLEAN["cardiac_involvement"]["imnm_anti_srp"], 2 / 16, "V-P", M.SRP_PITTSBURGH_2004),
    (lambda: M.CATEGORICAL["immunosuppression_response"]["imnm_anti_hmgcr"]["improved"], 45 / 52, "D",
     (M.HMGCR_STATIN_2019, M.GE_2015)),
    (lambda: M.CATEGORICAL["immunosuppression_response"]["imnm_anti_hmgcr"]["no_response"], 7 / 52, "D",
     (M.HMGCR_STATIN_2019, M.GE_2015)),
]


@pytest.mark.parametrize(("get", "value", "tag", "source"), SOURCED)
def test_sourced_numbers_carry_value_tag_and_source(get, value, tag, source) -> None:  # type: ignore[no-untyped-def]
    n = get()
    assert n.value == pytest.approx(value, abs=1e-12)
    assert n.tag == tag
    sources = source if isinstance(source, tuple) else (source,)
    assert n.sources == sources
    assert n.note and not n.rests_on
    assert all(s.doi or s.pmid for s in sources)


def test_sourced_numbers_match_the_percentages_quoted() -> None:
    # the arithmetic agrees with the rounded percentage each abstract prints
    assert round(100 * 12 / 29) == 41          # Kronzer 2022: "12 (41%) had clinically amyopathic DM"
    assert round(100 * 5 / 22, 1) == 22.7      # Borges 2018: 22.7% of 22 CADM
    assert round(100 * 16 / 109, 1) == 14.7    # Borges 2018: 14.7% of 109 DM
    assert round(100 * 25 / 41, 2) == 60.98    # Sun 2013: "60.98 %" of 41 CADM
    assert 354 + 33 + 49 == 436                # Shah 2013: 354 JDM, 33 JPM, 49 JCTM
    # session 8
    assert round(100 * 124 / 169, 1) == 73.4   # Pinal-Fernandez 2017: "One hundred and twenty-four (73.4%)"
    assert 124 + 23 + 16 + 3 <= 169            # ... anti-PL12 23, anti-PL7 16, anti-EJ/OJ 3 (of the 169)
    assert 160 + 25 + 48 == 233                # Autoimmun Rev 2012: anti-Jo1 160, anti-PL7 25, anti-PL12 48
    assert round(100 * 9 / 255, 1) == 3.5      # Loarce-Martos 2021: "3.5% (9/255)"
    assert round(100 * 19 / 29, 1) == 65.5     # Zhonghua 2007: ILD "19 patients (65.5%)" of 29 C-ADM
    assert round(100 * 22 / 29, 1) == 75.9     # ... heliotrope 75.9%
    assert round(100 * 10 / 35) == 29          # Morganroth 2010: "CADM (29% [10/35])"
    assert round(100 * 9 / 13) == 69           # Caproni 2002: "70% (9 patients)" of 13, as printed
    assert (round(100 * 51 / 79), round(100 * 35 / 79), round(100 * 28 / 79)) == (65, 44, 35)  # Pachman 1998
    assert 55 + 102 == 157                     # UK JDM cohort: 55 (35%) of 157 with onset before 5
    assert round(100 * 32 / 50) == 64          # Naddaf 2021: dysphagia "(64%)" of 50 IBM
    assert round(100 * 102 / 311) == 33        # Lilleker 2017: "102 (33%)" of 311
    assert (round(100 * 10 / 16, 1), round(100 * 10 / 43, 1)) == (62.5, 23.3)  # Ma 2021: myalgia 62.5 vs 23.3%
    assert (round(100 * 45 / 75), round(100 * 22 / 75, 1)) == (60, 29.3)       # Chow 2024: subacute 60%, chronic 29.3%
    # session 12
    assert round(100 * 38 / 75, 1) == 50.7     # Chow 2024: "Muscle biopsy was performed in 38 (50.7 %)"
    assert 18 + 98 + 102 == 218 and 7 + 83 + 101 == 191  # Cho 2019: incident IIM in 2006 and 2015
    assert 51 + 65 + 18 + 23 + 34 == 191       # Lehmann Urban 2021: the 191 patients
    assert round(100 * 7 / 37) == 19           # Loarce-Martos 2021: overlap myositis "(7/37, 19%)"
    assert (round(100 * 18 / 33, 1), round(100 * 18 / 57, 1)) == (54.5, 31.6)  # Lilleker 2017 T3 (printed 54.6)
    assert (round(100 * 25 / 37, 1), round(100 * 32 / 60, 1)) == (67.6, 53.3)  # ... symmetrical weakness
    assert (round(100 * 65 / 85, 1), round(100 * 122 / 168, 1)) == (76.5, 72.6)  # ... proximal lower limb
    assert (round(100 * 7 / 84, 1), round(100 * 39 / 168, 1)) == (8.3, 23.2)    # ... proximal upper limb
    assert (round(100 * 40 / 41, 1), round(100 * 89 / 94, 1)) == (97.6, 94.7)   # ... distal upper limb
    assert round(100 * 32 / 36) == 89 and round(100 * 25 / 32) == 78  # Bonn 1993 infiltrates; Cox 2011 MRI
    assert round(100 * 10 / 16, 1) == 62.5     # J Electromyogr Kinesiol 2018: SA "62.5%"
    assert round(100 * 8 / 43) == 19           # Pachman 1998: EMG "8 (19%) had normal results"
    assert round(100 * 6 / 45) == 13           # Hansen 2005: "Six patients (13%)" rhabdomyolysis
    assert (round(100 * 13 / 86, 1), round(100 * 55 / 86, 1), round(100 * 18 / 86, 1)) == (15.1, 64.0, 20.9)  # Marie
    assert round(100 * 14 / 16, 1) == 87.5     # Ma 2021: marked improvement 87.5% of 16 seronegative
    assert round(100 * 5 / 27) == 19           # Arch Neurol 2012: "5 (19%)" chronic anti-SRP
    assert (round(100 * 6 / 16, 1), round(100 * 5 / 16, 1), round(100 * 7 / 16, 1)) == (37.5, 31.2, 43.8)  # Fornaro
    assert round(100 * 42 / 302) == 14 and round(100 * 3 / 25) == 12 and round(100 * 8 / 44) == 18  # Sabbagh 2019
    assert round(100 * 5 / 85, 1) == 5.9       # Alves 2018: anti-PM/Scl "5 (5.9%)"
    # session 29
    assert (round(100 * 46 / 91), round(100 * 8 / 13)) == (51, 62)    # Pinal-Fernandez 2015: PFA "46 (51%)", "8 (62%)"
    assert (round(100 * 56 / 91), round(100 * 9 / 13)) == (62, 69)    # ... perivascular "56 (62%)", "9 (69%)"
    assert (round(100 * 15 / 91), round(100 * 2 / 13)) == (16, 15)    # ... necrotizing "15 (16%)", "2 (15%)"
    assert (round(100 * 14 / 50), round(100 * 2 / 8)) == (28, 25)     # ... mitochondrial "14 (28%)", "2 (25%)"
    assert (round(100 * 16 / 34), round(100 * 12 / 34)) == (47, 35)   # Uruha 2017: 47% and 35% of 34
    assert int(1000 * 17 / 21) == 809 and round(100 * 9 / 12) == 75  # Acta Neurol Scand 2011 "80.9%" (cut); Mascaró "(75%)"
    assert round(100 * 47 / 48, 1) == 97.9     # Sallum 2009: "47 (97.9%)"
    assert round(100 * 31 / 33, 1) == 93.9     # Aouizerate 2014: "93.9%" of 33
    assert 100 * 2 / 16 == 12.5                # Arthritis Rheum 2004: "2 of 16 ... (13%)", 12.5 rounded up
    assert round(100 * 4 / 41) == 10 and round(100 * 8 / 11) == 73  # anti-HMGCR: "4 patients (10%)" of 41; "73%" of 11
    # session 17
    assert round(100 * 142 / 662, 1) == 21.5   # Caughey 2018: "21.5% (142 of 662)" of matched controls
    assert round(100 * 75 / 121, 1) == 62.0    # Krenn 2022: "62.0% (75/121)"
    assert round(100 * 22 / 55) == 40          # Reddy 2017: "Twenty-two families (40%)"
    for n, *_ in ((g(), v, t, s) for g, v, t, s in SOURCED):
        assert 0.0 <= n.value <= 1.0


def test_the_msa_remainder_of_dm_and_adm_is_derived_and_names_its_assumed_inputs() -> None:
    for c, read, assumed in (("dm", "ab_mda5", "ab_tif1g"), ("adm", "ab_tif1g", "ab_sae")):
        none = M.CATEGORICAL["msa"][c]["none"]
        assert none.tag == "D" and M.BORGES_2018 in none.sources
        assert "ab_mda5" not in none.rests_on and read not in none.rests_on and assumed in none.rests_on
        assert math.isclose(sum(M.distribution("msa", c).values()), 1.0, abs_tol=1e-12)


def test_the_antisynthetase_split_is_read_and_rests_on_the_rare_synthetases() -> None:
    # Cavagna 2019 (AENEAS): 593 Jo-1, 95 PL-7, 84 PL-12, 38 EJ, 18 OJ of 828; KS, Zo and Ha were not tested
    assert 593 + 95 + 84 + 38 + 18 == 828
    d = M.CATEGORICAL["msa"]["antisynthetase"]
    assert d["ab_jo1"].value == pytest.approx(593 / 828 * 0.96) and d["ab_jo1"].tag == "D"
    assert d["ab_jo1"].rests_on == ("ab_ks", "ab_zo", "ab_ha")
    assert d["none"].value == 0.0 and d["none"].tag == "def"
    assert math.isclose(sum(M.distribution("msa", "antisynthetase").values()), 1.0, abs_tol=1e-12)


def test_a_proportion_read_as_none_or_all_enters_as_the_jeffreys_estimate() -> None:
    assert M.BOOLEAN["biopsy_mhc1_upregulation"]["ibm"].value == pytest.approx((86 + 0.5) / (86 + 1))
    assert M.BOOLEAN["skin_other_dm_rash"]["adm"].value == pytest.approx((16 + 0.5) / (16 + 1))
    for c in ("imnm_anti_hmgcr", "statin_toxic_myopathy", "jdm", "ibm"):
        assert math.isclose(sum(M.distribution("ck_band", c).values()), 1.0, abs_tol=1e-12)


def test_the_jdm_prior_rests_on_no_assumed_number() -> None:
    assert M.PRIOR["jdm"].rests_on == ()
    assert M.SHAH_2013 in M.PRIOR["jdm"].sources
    assert "adm_share_of_dm" not in M.PRIOR["adm"].rests_on
    assert M.KRONZER_2022 in M.PRIOR["adm"].sources


def test_the_documented_counts_match_the_model() -> None:
    """docs/differential-model.md, "Read this first": the counts of numbers per tag are the model's."""
    import re
    from collections import Counter
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "differential-model.md").read_text(encoding="utf-8")
    doc = " ".join(doc.split())
    m = re.search(r"Of ([\d,]+) numbers, ([\d,]+) are `assumed`.*?([\d,]+) are read directly from a publication "
                  r"\(`V-P`.*?([\d,]+) (?:is|are) read in a review \(`V-S`\).*?([\d,]+) are derived \(`D`: "
                  r"([\d,]+) are midpoints.*?([\d,]+) are arithmetic.*?([\d,]+) are structural", doc)
    assert m, "the counts sentence of docs/differential-model.md"
    total, assumed, vp, vs, d, hpo, arith, struct = (int(g.replace(",", "")) for g in m.groups())
    rows = M.rows()
    tags = Counter(r["tag"] for r in rows)
    assert (total, assumed, vp, vs, d, struct) == (len(rows), tags["assumed"], tags["V-P"], tags["V-S"], tags["D"],
                                                   tags["def"])
    assert sum(tags.values()) == total == assumed + vp + vs + d + struct
    n_hpo = sum(1 for r in rows if r["tag"] == "D" and r["sources"] == M.HPO_ANNOTATIONS.rendered_short)
    assert (hpo, arith) == (n_hpo, tags["D"] - n_hpo)


# --- onset-age bands from cohort summaries (session 15) ------------------------------------------------------
@pytest.mark.parametrize(("n", "published"), [(10, 3.078), (20, 3.735), (30, 4.086), (50, 4.498)])
def test_the_range_factor_is_wan_2014s(n: int, published: float) -> None:
    """Wan et al. 2014, Table 1 gives xi(n), the expected range of n standard normal values; the formula of
    scenario C1 approximates it to within 0.02 for these n."""
    assert abs(M.wan_xi(n) - published) < 0.02


def test_the_quartile_factor_tends_to_1_35() -> None:
    """Wan et al. 2014, scenario C3: (q3 - q1) / 1.35 for a large sample, as for a normal distribution."""
    assert abs(M.wan_eta(100_000) - 1.349) < 0.001
    assert M.wan_eta(20) < M.wan_eta(200) < 1.35


def test_onset_bands_of_one_summary_worked_example() -> None:
    """Mean 50, SD 10: P(band) between the whole-year cuts 17.5, 39.5 and 45.5, from a normal table:
    Phi(-3.25) = 0.000577, Phi(-1.05) = 0.146859, Phi(-0.45) = 0.326355."""
    s = M.CohortSummary(M.WAN_2014, 1, "", mean=50.0, sd=10.0)
    bands = M.pooled_age_bands((s,))
    expected = (0.000577, 0.146859 - 0.000577, 0.326355 - 0.146859, 1 - 0.326355)
    assert all(math.isclose(a, b, abs_tol=2e-6) for a, b in zip(bands, expected, strict=True))
    assert math.isclose(sum(bands), 1.0, abs_tol=1e-12)


def test_summaries_are_pooled_by_cohort_size_and_shifted_to_onset() -> None:
    a = M.CohortSummary(M.WAN_2014, 30, "", mean=30.0, sd=5.0)
    b = M.CohortSummary(M.WAN_2014, 10, "", mean=62.0, sd=5.0, shift=2.0)  # diagnosis at 62, onset at 60
    pooled = M.pooled_age_bands((a, b))
    one_a, one_b = M.pooled_age_bands((a,)), M.pooled_age_bands((b,))
    assert all(math.isclose(p, 0.75 * x + 0.25 * y) for p, x, y in zip(pooled, one_a, one_b, strict=True))
    assert M.summary_normal(b) == (60.0, 5.0)


def test_a_summary_without_a_spread_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a mean with its SD or range"):
        M.summary_normal(M.CohortSummary(M.WAN_2014, 10, "", median=40.0))


def test_the_median_summaries_follow_wan_2014() -> None:
    s = M.CohortSummary(M.WAN_2014, 50, "", median=40.0, q1=30.0, q3=52.0)
    assert M.summary_normal(s) == pytest.approx(((30 + 40 + 52) / 3, 22 / M.wan_eta(50)))
    r = M.CohortSummary(M.WAN_2014, 50, "", median=40.0, low=20.0, high=80.0)
    assert M.summary_normal(r) == pytest.approx(((20 + 80 + 80) / 4, 60 / M.wan_xi(50)))


def _number_text(x: float) -> str:
    return f"{x:g}"


@pytest.mark.parametrize("condition", sorted(M.ONSET_AGE_SUMMARIES))
def test_every_onset_summary_quotes_its_numbers(condition: str) -> None:
    """The numbers a summary enters are in its verbatim quote (a guard against a mistyped number)."""
    for s in M.ONSET_AGE_SUMMARIES[condition]:
        for x in (s.mean, s.sd, s.median, s.q1, s.q3, s.low, s.high):
            if x is not None:
                assert _number_text(x) in s.quote, (condition, s.source.key, x)
        assert s.source.doi or s.source.pmid


@pytest.mark.parametrize("condition", sorted(M.ONSET_AGE_SUMMARIES))
def test_onset_bands_come_from_the_summaries(condition: str) -> None:
    """The model's onset bands are the pooled normal's, rescaled where the label fixes a band by definition;
    each carries tag D and cites the cohorts and Wan et al. 2014."""
    dist = M.CATEGORICAL["onset_age_band"][condition]
    assert math.isclose(sum(n.value for n in dist.values()), 1.0, abs_tol=1e-12)
    fitted = dict(zip(AGE_BANDS, M.pooled_age_bands(M.ONSET_AGE_SUMMARIES[condition]), strict=True))
    free = [b for b, n in dist.items() if n.tag != "def"]
    rest = 1.0 - sum(n.value for n in dist.values() if n.tag == "def")
    mass = sum(fitted[b] for b in free)
    for b in free:
        n = dist[b]
        assert n.tag == "D" and M.WAN_2014 in n.sources, (condition, b)
        assert all(s.source in n.sources for s in M.ONSET_AGE_SUMMARIES[condition])
        assert math.isclose(n.value, fitted[b] * rest / mass, rel_tol=1e-12)


def test_onset_bands_read_worked_examples() -> None:
    """By hand: statin myopathy, mean 64 (SD 14), P(onset > 45) = 1 - Phi((45.5 - 64) / 14) = 1 - Phi(-1.3214)
    = 0.9068; adult DM, mean 57 (SD 18), under 18 excluded by definition: P(18-39) is
    (Phi(-0.9722) - Phi(-2.1944)) / (1 - Phi(-2.1944)) = (0.16547 - 0.01410) / 0.98590 = 0.1535."""
    assert math.isclose(M.CATEGORICAL["onset_age_band"]["statin_toxic_myopathy"]["over_45"].value, 0.9068, abs_tol=2e-4)
    assert M.CATEGORICAL["onset_age_band"]["dm"]["under_18"].value == 0.0
    assert math.isclose(M.CATEGORICAL["onset_age_band"]["dm"]["18_to_39"].value, 0.1535, abs_tol=3e-4)


def test_the_model_version_changes_with_its_numbers() -> None:
    """The registry re-assesses a visit whose stored model version differs from the running one, so any change
    to a number of the model must come with a new MODEL_VERSION: when this fails, bump MODEL_VERSION in
    differential_model.py and write the new pair here together."""
    assert (M.MODEL_VERSION, M.fingerprint()) == (
        "18", "b5ec519e31b6fd182daf7c7b2ccc9f410b3d41691f4ca6ee48cfe0be2b85d5ca")


def test_the_fingerprint_sees_a_changed_number(monkeypatch: pytest.MonkeyPatch) -> None:
    before = M.fingerprint()
    dist = dict(M.CATEGORICAL["onset_age_band"]["ibm"])
    n = dist["over_45"]
    dist["over_45"] = M.Number(n.value - 1e-6, n.tag, n.sources, n.note)
    monkeypatch.setitem(M.CATEGORICAL["onset_age_band"], "ibm", dist)
    assert M.fingerprint() != before


def test_the_anti_hmgcr_ck_cohorts_are_quoted_and_pooled_by_size() -> None:
    """Each cohort's count is in its quote (or is the arithmetic the note states), and the band is their pooled
    share, with the other two bands rescaled around it (still tagged assumed)."""
    rows = M.CK_NOT_RAISED_HMGCR
    assert [(k, n) for _s, k, n, _q in rows] == [(0, 75), (4, 13), (8, 49)]
    assert "9 (69%)" in rows[1][3] and "(83%)" in rows[2][3] and "1050-25,500" in rows[0][3]
    band = M.CATEGORICAL["ck_band"]["imnm_anti_hmgcr"]
    assert band["normal"].value == pytest.approx(12 / 137)
    assert {v: n.tag for v, n in band.items()} == {"normal": "D", "raised_up_to_15x_uln": "assumed",
                                                   "raised_over_15x_uln": "assumed"}
    assert sum(n.value for n in band.values()) == pytest.approx(1.0)
    # the assumed bands keep their ratio (0.25 : 0.70 before the cohorts were read)
    assert band["raised_up_to_15x_uln"].value / band["raised_over_15x_uln"].value == pytest.approx(0.25 / 0.70)


@pytest.mark.parametrize(("get", "quoted"), [
    (lambda: M.BOOLEAN["statin_exposure"]["dm"], ("17.4%",)),
    (lambda: M.BOOLEAN["statin_exposure"]["imnm_anti_srp"], ("negative in 5 patients with statin-exposure",)),
    (lambda: M.BOOLEAN["statin_exposure"]["not_iim"], ("21.5% (142 of 662)",)),
    (lambda: M.BOOLEAN["genetic_diagnosis"]["hereditary_myopathy"], ("62.0% (75/121)", "Twenty-two families (40%)")),
    (lambda: M.BOOLEAN["biopsy_performed"]["dm"], ("available for 44 DM, 7 CADM", "of 63")),
    (lambda: M.BOOLEAN["biopsy_performed"]["adm"], ("7 CADM", "of 16")),
    (lambda: M.CATEGORICAL["duration_band"]["jdm"]["over_12_months"], ("14.6% experienced severe delays", "> 12")),
])
def test_session_17_numbers_quote_their_figures(get, quoted) -> None:  # type: ignore[no-untyped-def]
    """Each number read in session 17 carries, in its note, the verbatim figures it was computed from."""
    note = get().note
    for q in quoted:
        assert q in note


def test_the_rows_are_the_conditions_then_their_parts() -> None:
    """The tables' rows: every condition in label order (the differential's assumed-number list indexes them by
    label), then each part of a condition; the rows' priors split each condition's prior exactly."""
    assert tuple(c for c, _k in M.ROWS[:len(M.CONDITIONS)]) == tuple(M.CONDITIONS)
    assert all(k is None for _c, k in M.ROWS[:len(M.CONDITIONS)])
    assert [k for _c, k in M.ROWS[len(M.CONDITIONS):]] == list(M.COMPONENTS)
    for c in M.CONDITIONS:
        rows = [r for r, (rc, _k) in enumerate(M.ROWS) if rc == c]
        assert math.isclose(sum(M.row_prior(r) for r in rows), M.prior(c), rel_tol=1e-12), c
    assert all(M.row_prior(r) > 0 for r in range(len(M.ROWS)))


def test_a_part_of_a_condition_gives_only_its_own_numbers() -> None:
    """A part names its condition and its share (a prior input); its distributions cover the variable's values and
    sum to 1; its booleans are findings of the model but no biopsy item (the biopsy's information sums item
    probabilities per condition); everything else is its condition's."""
    for k in M.COMPONENTS:
        assert k.condition in M.CONDITIONS
        assert k.share in M.prior_input_names()
        row = M.ROWS.index((k.condition, k))
        for var, dist in k.categorical.items():
            assert tuple(dist) == M.CATEGORICAL_VALUES[var], (k.name, var)
            assert math.isclose(sum(n.value for n in dist.values()), 1.0, abs_tol=1e-9), (k.name, var)
            assert M.row_distribution(var, row) == {v: n.value for v, n in dist.items()}
        assert set(k.boolean) <= set(M.BOOLEAN) - set(BIOPSY_ITEMS) - {"biopsy_performed"}
        for f in k.boolean:
            assert M.row_boolean(f, row) is k.boolean[f]
            assert M.row_boolean(f, row, juvenile=True) is k.boolean[f]
        for f in set(M.BOOLEAN) - set(k.boolean):
            assert M.row_boolean(f, row) is M.BOOLEAN[f][k.condition]
        for var in set(M.CATEGORICAL) - set(k.categorical):
            assert M.row_categorical(var, row) is M.CATEGORICAL[var][k.condition]


def test_acute_rhabdomyolysis_worked_example() -> None:
    """docs/differential-model.md, "Acute rhabdomyolysis": by hand, a log-normal peak CK above 2,850 U/L (15 x 190).
    Vienna: median 2,160, SD of log CK = ln(4786 / 1342) / 1.349 = 0.9426, P = 1 - Phi(ln(2850 / 2160) / 0.9426) =
    1 - Phi(0.2942) = 0.3843. Exertional: median 18,534, SD = ln(287565 / 342) / (2 x 2.1661) = 1.5545 (n = 41),
    P = 1 - Phi(ln(2850 / 18534) / 1.5545) = 1 - Phi(-1.2043) = 0.8858. Pooled by size: (248 x 0.3843 + 41 x 0.8858)
    / 289 = 0.4555. Myalgia: (31 + 21) / (37 + 55) = 0.5652; symmetric proximal weakness 27 / 37 = 0.7297. The
    part's share of not_iim is an assumed 0.2."""
    k = M.RHABDOMYOLYSIS
    assert (k.condition, k.name) == ("not_iim", "acute rhabdomyolysis")
    ck = k.categorical["ck_band"]
    assert math.isclose(ck["raised_over_15x_uln"].value, 0.4555, abs_tol=1e-4)
    assert ck["raised_over_15x_uln"].tag == "D" and ck["normal"].value == 0.0 and ck["normal"].tag == "def"
    assert k.categorical["onset_tempo"]["acute"].value == 1.0
    assert k.categorical["duration_band"]["up_to_12_months"].value == 1.0
    assert k.categorical["statin_withdrawal_outcome"]["resolved"].value == 1.0
    assert math.isclose(k.boolean["symptom_myalgia"].value, 0.5652, abs_tol=1e-4)
    # weakness, 27 of 37 children (Chen 2013), for each symmetric proximal item (model version 8)
    for w in ("weakness_proximal_upper_symmetric", "weakness_proximal_lower_symmetric"):
        assert math.isclose(k.boolean[w].value, 27 / 37, rel_tol=1e-12) and k.boolean[w].tag == "D"
    share = next(r for r in M.rows() if r["table"] == "prior_input" and r["variable"] == k.share)
    assert (share["probability"], share["tag"]) == (0.2, "assumed")
    row = M.ROWS.index(("not_iim", k))
    assert math.isclose(M.row_prior(row), 0.2 * M.prior("not_iim"), rel_tol=1e-12)
    assert M.row_text(row) == "not_iim: acute rhabdomyolysis"


def test_the_diagnostic_delays_read_per_condition() -> None:
    """docs/differential-model.md, "Diagnostic delay per condition": IBM 4.7 years (Paltiel 2015), the hereditary
    myopathies (679 x 7 + 135 x 14) / 814 = 8.161 years (Hilbert 2013, myotonic dystrophy); every other condition the
    pooled IIM figure, 27.91 months (Namsrai 2022)."""
    assert math.isclose(1 / M.assessment_hazard("ibm"), 4.7 * 12, rel_tol=1e-12)
    assert math.isclose(1 / M.assessment_hazard("hereditary_myopathy") / 12, 8.1609, abs_tol=1e-4)
    assert M.ASSESSMENT_BY_CONDITION["ibm"].tag == "V-P"
    assert M.ASSESSMENT_BY_CONDITION["hereditary_myopathy"].tag == "D"
    for c in set(M.CONDITIONS) - {"ibm", "hereditary_myopathy"}:
        assert M.assessment_hazard(c) == M.ASSESSMENT["monthly_assessment_hazard"].value == 1 / 27.91
    # a 52-year-old: IBM's onset band over 45 weighs (1 - exp(-7.5 / 4.7)) / 40 = 0.01993
    w = M.onset_weights_at_age(52, M.assessment_hazard("ibm"))
    assert math.isclose(w[3], (1 - math.exp(-7.5 / 4.7)) / 40, rel_tol=1e-12)
    assert math.isclose(w[3], 0.01993, abs_tol=1e-5)


def test_an_onset_in_the_first_year_worked_example() -> None:
    """docs/differential-model.md, "An onset in the first year of life" (model version 15): JDM's share, derived from
    two cohorts each spread evenly over its whole years, (19 / 4 + 55 / 5) / (78 + 157) = 0.0670 (Patwardhan 2012,
    PMID 22995763, with its meeting abstract; UK and Ireland 2012, PMID 22674907); every row a child can be under
    has a number, tagged, and the weights fall on the under-18 band only."""
    jdm = M.FIRST_YEAR_ONSET["jdm"]
    assert math.isclose(jdm.value, (19 / 4 + 55 / 5) / (78 + 157), rel_tol=1e-12)
    assert math.isclose(jdm.value, 0.0670, abs_tol=1e-4)
    assert jdm.tag == "D" and {s.pmid for s in jdm.sources} == {"22995763", "22674907", None}
    assert "10.1186/1546-0096-10-S1-A63" in {s.doi for s in jdm.sources}  # the meeting abstract quoting 19 and 59
    assert "19 patients at or below age three years at onset, and 59 above" in jdm.note
    assert "Fifty-five (35%) of 157" in jdm.note
    for r in range(len(M.ROWS)):
        n = M.row_first_year(r)
        if M.row_distribution("onset_age_band", r)["under_18"] > 0:
            assert n is not None and 0 < n.value < 1 and n.tag in ("D", "assumed") and n.note, M.row_text(r)
        w = M.row_first_year_weights()[r]
        assert w[1:] == (1.0, 1.0, 1.0) and w[0] == (n.value if n is not None else 1.0)
    assert {t for t, *_ in M.assumed_numbers()} >= {"first_year_onset"}
    assert M.FIRST_YEAR_ONSET["hereditary_myopathy"].value > 5 * jdm.value  # the point of the table


def test_the_share_of_men_worked_example() -> None:
    """docs/differential-model.md, "The patient's sex" (model version 16): every row has an adult share of men and every
    row a child can be under a juvenile one, each read or derived from a quoted count (or tagged assumed); a sex
    weighs every onset band of a row by its group's share, female by one minus it, and other is refused."""
    hmgcr = M.SEX_MALE["imnm_anti_hmgcr"]["adult"]
    assert math.isclose(hmgcr.value, (16 + 12 + 6) / (49 + 45 + 22), rel_tol=1e-12)  # 67%, 73.3% and 16 of 22 female
    assert hmgcr.tag == "D" and {s.key for s in hmgcr.sources} == {"alshehri2015", "allenbach2014", "ge2015"}
    jdm = M.SEX_MALE["jdm"]["juvenile"]
    assert math.isclose(jdm.value, 98 / 316, rel_tol=1e-12) and "JDM (316) ... 218 (69)" in jdm.note
    assert math.isclose(M.SEX_MALE["ibm"]["adult"].value, 2 / 3) and "2:1" in M.SEX_MALE["ibm"]["adult"].note
    assert math.isclose(M.SEX_MALE["imnm_anti_srp"]["adult"].value, 0.39) and "61 female and 39 male" in (
        M.SEX_MALE["imnm_anti_srp"]["adult"].note)
    assert math.isclose(M.SEX_MALE["hereditary_myopathy"]["juvenile"].value, 0.292 + 0.708 / 2)  # Duchenne 29.2%
    assert math.isclose(M.SEX_MALE["not_iim: myasthenia gravis"]["juvenile"].value, 8 / 63)
    for r in range(len(M.ROWS)):
        adult = M.row_sex(r, "adult")
        bands = M.row_distribution("onset_age_band", r)
        if any(bands[b] > 0 for b in M.AGE_BANDS[1:]):
            assert adult is not None, M.row_text(r)
        if bands["under_18"] > 0 or M.row_first_year(r) is not None:
            assert M.row_sex(r, "juvenile") is not None, M.row_text(r)
        for g in M.SEX_GROUPS:
            n = M.row_sex(r, g)
            if n is not None:
                assert 0 < n.value < 1 and n.tag in ("V-P", "D", "assumed") and n.note, (M.row_text(r), g)
                assert n.tag == "assumed" or n.sources, (M.row_text(r), g)
        men, women = M.row_sex_weights("male")[r], M.row_sex_weights("female")[r]
        for b, m, w in zip(M.AGE_BANDS, men, women, strict=True):
            n = M.row_sex(r, "juvenile" if b == "under_18" else "adult")
            assert (m, w) == ((1.0, 1.0) if n is None else (n.value, 1.0 - n.value)), (M.row_text(r), b)
    # an onset in the first year: a row's own first-year share where it has one (a hereditary myopathy: Duchenne,
    # which makes its juvenile share, presents later), else its juvenile share
    h = M.ROWS.index(("hereditary_myopathy", None))
    assert M.row_sex_weights("male", first_year=True)[h][0] == M.SEX_MALE["hereditary_myopathy"]["first_year"].value
    assert M.row_sex_weights("male", first_year=True)[h][1:] == M.row_sex_weights("male")[h][1:]
    j = M.ROWS.index(("jdm", None))
    assert M.row_sex_weights("female", first_year=True)[j] == M.row_sex_weights("female")[j]
    with pytest.raises(ValueError, match="allowed: male, female"):
        M.row_sex_weights("other")
    assert {t for t, *_ in M.assumed_numbers()} >= {"sex"}
    assert "SEX_MALE" in M.FIELD_USE["sex"]


def test_children_among_the_non_iim_referrals_follow_the_eular_acr_odds_ratio() -> None:
    """docs/differential-model.md, "Children among the non-IIM referrals" (model version 11): a child referred is
    more likely than an adult to have an IIM by the EULAR/ACR derivation cohort's odds ratio, (0.26 / 0.74) /
    (0.18 / 0.82); the assumed under-18 shares keep their ratio (0.25 : 0.05 : 0.18), their adult bands theirs, and the
    read bands (statin toxic myopathy) stay."""
    bands = M.CATEGORICAL["onset_age_band"]
    iim = [c for c in M.CONDITIONS if c not in ("hereditary_myopathy", "statin_toxic_myopathy", "other_non_immune",
                                                 "not_iim")]
    non = [c for c in M.CONDITIONS if c not in iim]

    def children(cs: list[str]) -> float:  # over the tables' rows: a part of a condition may have its own bands
        rows = [r for r, (c, _k) in enumerate(M.ROWS) if c in cs]
        return (sum(M.row_prior(r) * M.row_distribution("onset_age_band", r)["under_18"] for r in rows)
                / sum(M.row_prior(r) for r in rows))

    def odds(p: float) -> float:
        return p / (1 - p)

    assert odds(children(iim)) / odds(children(non)) == pytest.approx((0.26 / 0.74) / (0.18 / 0.82), rel=1e-12)
    assert round(children(iim), 3) == 0.087 and round(children(non), 3) == 0.056  # 0.090 and 0.058 until version 18
    under = {c: bands[c]["under_18"].value for c in ("hereditary_myopathy", "other_non_immune", "not_iim")}
    assert under["hereditary_myopathy"] / under["not_iim"] == pytest.approx(0.25 / 0.18)
    assert under["other_non_immune"] / under["not_iim"] == pytest.approx(0.05 / 0.18)
    assert round(under["not_iim"], 4) == 0.0641
    # the assumed bands over 18 keep their ratios where they stay assumed: hereditary myopathy, other non-immune
    # myopathy, and the acute rhabdomyolysis part (which keeps not_iim's assumed bands; model version 13)
    rhabdo = M.RHABDOMYOLYSIS.categorical["onset_age_band"]
    assert [round(rhabdo[b].value, 3) for b in AGE_BANDS] == [0.064, 0.342, 0.114, 0.479]  # version 18; 0.066 / 0.478 before
    assert rhabdo["18_to_39"].value / rhabdo["over_45"].value == pytest.approx(0.30 / 0.42)
    assert bands["hereditary_myopathy"]["18_to_39"].value / bands["hereditary_myopathy"]["over_45"].value == \
        pytest.approx(0.35 / 0.32)
    for c in under:
        assert bands[c]["under_18"].tag == "assumed" and "26% children" in bands[c]["under_18"].note
    assert all(rhabdo[b].tag == "assumed" for b in AGE_BANDS)
    assert bands["statin_toxic_myopathy"]["under_18"].tag == "D"


def test_the_neuromuscular_junction_parts_worked_example() -> None:
    """docs/differential-model.md, "Myasthenia gravis and the Lambert-Eaton syndrome" (model version 12). By hand:
    myasthenia, ocular or bulbar at its worst 25 + 5 + 68 = 98% and the limbs 2 + 68 = 70% of 101 (Wirtz 2002), CK not
    raised in 91 of 101 (Kozak 2025), thymoma 8.5% (Sanders 2021); onset ages 44.4 (SD 18.0) in 84 and 58.4 (SD 18.8)
    in 906, pooled as a mixture: P(over 45) = (84 (1 - Phi((45.5 - 44.4) / 18.0)) + 906 (1 - Phi((45.5 - 58.4) /
    18.8))) / 990 = (84 x 0.4756 + 906 x 0.7537) / 990 = 0.7301. LEMS: proximal leg weakness 50 of 50, as 50.5 / 51;
    ptosis 54%; small-cell lung cancer 81 of 150; onset 67.1 (9.0) in 14 and 57.8 (11.2) in 16. Shares of not_iim:
    0.04 and 0.01, assumed."""
    mg, lems = M.MYASTHENIA, M.LEMS
    assert (mg.condition, mg.name, lems.condition, lems.name) == (
        "not_iim", "myasthenia gravis", "not_iim", "Lambert-Eaton myasthenic syndrome")
    assert M.COMPONENTS == (M.RHABDOMYOLYSIS, mg, lems)
    assert mg.boolean["weakness_ocular_or_facial"].value == 0.98 and mg.boolean["weakness_ocular_or_facial"].tag == "D"
    assert mg.boolean["weakness_proximal_upper_symmetric"].value == 0.70
    assert mg.boolean["weakness_proximal_lower_symmetric"].value == 0.70
    assert (mg.boolean["cancer"].value, mg.boolean["cancer"].tag) == (0.085, "V-P")
    assert math.isclose(mg.categorical["ck_band"]["normal"].value, 91 / 101, rel_tol=1e-12)
    bands = mg.categorical["onset_age_band"]
    assert math.isclose(bands["over_45"].value, 0.7301, abs_tol=1e-4)
    assert [round(bands[b].value, 3) for b in AGE_BANDS] == [0.019, 0.158, 0.093, 0.730]
    assert all(n.tag == "D" for n in bands.values())
    assert math.isclose(lems.boolean["weakness_proximal_lower_symmetric"].value, 50.5 / 51, rel_tol=1e-12)
    assert lems.boolean["weakness_ocular_or_facial"].value == 0.54
    assert math.isclose(lems.boolean["cancer"].value, 81 / 150, rel_tol=1e-12)
    assert all(n.tag == "assumed" for n in lems.categorical["ck_band"].values())
    assert [round(lems.categorical["onset_age_band"][b].value, 3) for b in AGE_BANDS] == [0.0, 0.028, 0.049, 0.924]
    shares = {r["variable"]: (r["probability"], r["tag"]) for r in M.rows() if r["table"] == "prior_input"}
    assert shares[mg.share] == (0.04, "assumed") and shares[lems.share] == (0.01, "assumed")
    row = M.ROWS.index(("not_iim", mg))
    assert math.isclose(M.row_prior(row), 0.04 * M.prior("not_iim"), rel_tol=1e-12)
    assert M.row_text(M.ROWS.index(("not_iim", lems))) == "not_iim: Lambert-Eaton myasthenic syndrome"


def test_not_iim_onset_bands_over_18_come_from_a_cohort_summary() -> None:
    """docs/differential-model.md, "Onset-age bands from cohort summaries" (model version 13): To 2020's false-positive
    column, 52 (SD 15), n = 75, over 18 only. By hand: P(17.5-39.5) = Phi(-0.8333) - Phi(-2.3) = 0.20233 - 0.01072 =
    0.19161; P(39.5-45.5) = Phi(-0.4333) - Phi(-0.8333) = 0.33240 - 0.20233 = 0.13007; P(> 45.5) = 0.66760; over 18
    they sum to 0.98928 and share 1 - 0.0641 (the children's band, since model version 18): 0.1813, 0.1230, 0.6316."""
    bands = M.CATEGORICAL["onset_age_band"]["not_iim"]
    assert [round(bands[b].value, 4) for b in AGE_BANDS] == [0.0641, 0.1813, 0.1230, 0.6316]
    assert [bands[b].tag for b in AGE_BANDS] == ["assumed", "D", "D", "D"]
    assert M.TO_2020 in bands["over_45"].sources
    assert (M.NOT_IIM_ONSET_SUMMARY.n, M.NOT_IIM_ONSET_SUMMARY.mean, M.NOT_IIM_ONSET_SUMMARY.sd) == (75, 52.0, 15.0)
    assert "52 (15)" in M.NOT_IIM_ONSET_SUMMARY.quote
    assert math.isclose(sum(n.value for n in bands.values()), 1.0, abs_tol=1e-12)


# --- non-specific myositis as overlap myositis (session 37, model version 17) ------------------------------------------
@pytest.mark.parametrize(("finding", "read", "source", "rest"), [
    ("ild", 28 / 39, M.SZABO_2022, 0.10),
    ("dysphagia", 26 / 39, M.SZABO_2022, 0.20),
    ("cardiac_involvement", 16 / 39, M.SZABO_2022, 0.10),
    ("ab_pmscl", 0.25, M.MURO_2015, 0.08),
])
def test_non_specific_myositis_mixes_overlap_with_systemic_sclerosis_and_the_rest(
        finding: str, read: float, source: C.Citation, rest: float) -> None:
    """docs/differential-model.md, "Non-specific myositis as overlap myositis": P(finding | non-specific myositis) =
    15/31 x P(finding | overlap with systemic sclerosis) + 16/31 x P(finding | the rest); the rest is the assumed
    default that stood for all of it until version 17, and the derived number names it in rests_on."""
    n = M.BOOLEAN[finding]["nonspecific_myositis"]
    assert n.value == pytest.approx(15 / 31 * read + 16 / 31 * rest, abs=1e-12)
    assert (n.tag, n.sources) == ("D", (source, M.AGUILA_2014))
    assert n.rests_on == (f"overlap_remainder:{finding}",)
    remainder = M.OVERLAP_REMAINDER[finding]
    assert (remainder.tag, remainder.value) == ("assumed", rest)
    assert ("overlap_remainder", finding, "nonspecific_myositis without systemic sclerosis", "present") in \
        M.assumed_numbers()
    assert (M.SSC_SHARE_OF_OVERLAP.value, M.SSC_SHARE_OF_OVERLAP.tag) == (15 / 31, "V-P")
    assert all(s.pmid and s.doi for s in (*n.sources, *M.SSC_SHARE_OF_OVERLAP.sources))


def test_the_overlap_numbers_match_the_percentages_quoted() -> None:
    assert round(100 * 15 / 31, 1) == 48.4   # Aguila 2014: "Overlap was found with SSc (48.4 %)" of 31
    assert round(100 * 28 / 39, 1) == 71.8   # Szabó 2022: "interstitial lung disease 71.8%" of 39
    assert round(100 * 26 / 39, 1) == 66.7   # ... "dysphagia 66.7%"
    assert round(100 * 16 / 39) == 41        # ... "cardiac involvement 41%"


def test_the_imnm_shares_match_the_counts_quoted() -> None:
    """Model version 18: the counts behind the pooled anti-HMGCR and anti-SRP shares, as the sources print them."""
    assert round(100 * 22 / 405, 1) == 5.4    # Ge 2015: "Of the 405 IIM patients, 22 (5.4%)"
    assert round(100 * 47 / 387) == 12        # Watanabe 2016: "47 (12%)" (Szczesny 2022, Table 4)
    assert round(100 * 13 / 312, 1) == 4.2    # Szczesny 2022: "13 (4.3%)" in its Table 4; 13/312 = 4.17%
    assert 134 + 129 == 263                   # Pittsburgh 2004: PM n = 134, DM n = 129; 16 anti-SRP with pure PM
    assert round(100 * 13 / 265) == 5         # Targoff 1990: 13 of 265 PM/DM, "4% of PM/DM patients" (4.9%)
    assert M.PRIOR["imnm_anti_srp"].value < 0.04 and M.PRIOR["imnm_anti_hmgcr"].value < 0.03
