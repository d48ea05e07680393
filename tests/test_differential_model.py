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

    used = [r for r in M.rows() if EULAR_ACR_2017.short in str(r["sources"])]
    assert used  # the cohort composition (976 IIM / 624 comparators; 74% adults)


# ------------------------------------------------------------------------------------- numbers sourced for issue 10
# Each was read in the abstract named by its citation; the note quotes the figure and shows the arithmetic.

SOURCED = [  # (number, value, tag, source)
    (lambda: M._PRIOR_INPUTS["adm_share_of_dm"], 12 / 29, "V-P", M.KRONZER_2022),
    (lambda: M._PRIOR_INPUTS["jdm_share_of_juvenile"], 354 / 436, "D", M.SHAH_2013),
    (lambda: M.BOOLEAN["dysphagia"]["imnm_anti_srp"], 41 / 100, "V-P", M.SUZUKI_2015),
    (lambda: M.CATEGORICAL["duration_band"]["imnm_anti_srp"]["over_12_months"], 23 / 100, "D", M.SUZUKI_2015),
    (lambda: M.CATEGORICAL["duration_band"]["imnm_anti_srp"]["up_to_12_months"], 77 / 100, "D", M.SUZUKI_2015),
    (lambda: M.CATEGORICAL["msa"]["dm"]["ab_mda5"], 16 / 109, "V-P", M.BORGES_2018),
    (lambda: M.CATEGORICAL["msa"]["adm"]["ab_mda5"], 5 / 22, "V-P", M.BORGES_2018),
    # session 8
    (lambda: M._PRIOR_INPUTS["ass_share_of_adult"], 0.187 / 0.734, "D", (M.BETTERIDGE_2019, M.PINAL_FERNANDEZ_2017)),
    (lambda: M._PRIOR_INPUTS["pm_share_of_adult"], 9 / 255, "V-P", M.LOARCE_MARTOS_2021),
    (lambda: M._PRIOR_INPUTS["seronegative_imnm_share_of_adult"], 0.25 * 0.84 * 0.30, "V-S",
     (M.ALLENBACH_2020, M.WATANABE_2016)),
    (lambda: M.BOOLEAN["weakness_proximal_upper_symmetric"]["antisynthetase"], 151.96 / 233, "D", M.ASS_CLUSTERS_2012),
    (lambda: M.BOOLEAN["weakness_proximal_lower_symmetric"]["antisynthetase"], 151.96 / 233, "D", M.ASS_CLUSTERS_2012),
    (lambda: M.BOOLEAN["weakness_proximal_upper_symmetric"]["jdm"], 0.855, "V-P", M.SICKKIDS_JDM),
    (lambda: M.BOOLEAN["weakness_proximal_lower_symmetric"]["jdm"], 0.855, "V-P", M.SICKKIDS_JDM),
    (lambda: M.BOOLEAN["ab_ro52"]["antisynthetase"], 34 / 60, "V-P", M.RO52_ASS_2022),
    (lambda: M.BOOLEAN["ild"]["adm"], (25 + 19 + 10) / (41 + 29 + 35), "D",
     (M.SUN_2013, M.CADM_CHINA_2007, M.MORGANROTH_2010)),
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
    for n, *_ in ((g(), v, t, s) for g, v, t, s in SOURCED):
        assert 0.0 <= n.value <= 1.0


def test_the_msa_remainder_of_dm_and_adm_is_derived_and_names_its_assumed_inputs() -> None:
    for c in ("dm", "adm"):
        none = M.CATEGORICAL["msa"][c]["none"]
        assert none.tag == "D" and M.BORGES_2018 in none.sources
        assert "ab_mda5" not in none.rests_on and "ab_tif1g" in none.rests_on
        assert math.isclose(sum(M.distribution("msa", c).values()), 1.0, abs_tol=1e-12)


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
