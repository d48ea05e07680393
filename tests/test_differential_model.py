"""The differential's generative model: every number present, a probability, cited and tagged."""

from __future__ import annotations

import math

import pytest

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
    (lambda: M.BOOLEAN["ild"]["adm"], 25 / 41, "V-P", M.SUN_2013),
    (lambda: M.BOOLEAN["dysphagia"]["imnm_anti_srp"], 41 / 100, "V-P", M.SUZUKI_2015),
    (lambda: M.CATEGORICAL["duration_band"]["imnm_anti_srp"]["over_12_months"], 23 / 100, "D", M.SUZUKI_2015),
    (lambda: M.CATEGORICAL["duration_band"]["imnm_anti_srp"]["up_to_12_months"], 77 / 100, "D", M.SUZUKI_2015),
    (lambda: M.CATEGORICAL["msa"]["dm"]["ab_mda5"], 16 / 109, "V-P", M.BORGES_2018),
    (lambda: M.CATEGORICAL["msa"]["adm"]["ab_mda5"], 5 / 22, "V-P", M.BORGES_2018),
]


@pytest.mark.parametrize(("get", "value", "tag", "source"), SOURCED)
def test_sourced_numbers_carry_value_tag_and_source(get, value, tag, source) -> None:  # type: ignore[no-untyped-def]
    n = get()
    assert n.value == pytest.approx(value, abs=1e-12)
    assert n.tag == tag
    assert n.sources == (source,)
    assert n.note and not n.rests_on
    assert source.doi or source.pmid


def test_sourced_numbers_match_the_percentages_quoted() -> None:
    # the arithmetic agrees with the rounded percentage each abstract prints
    assert round(100 * 12 / 29) == 41          # Kronzer 2022: "12 (41%) had clinically amyopathic DM"
    assert round(100 * 5 / 22, 1) == 22.7      # Borges 2018: 22.7% of 22 CADM
    assert round(100 * 16 / 109, 1) == 14.7    # Borges 2018: 14.7% of 109 DM
    assert round(100 * 25 / 41, 2) == 60.98    # Sun 2013: "60.98 %" of 41 CADM
    assert 354 + 33 + 49 == 436                # Shah 2013: 354 JDM, 33 JPM, 49 JCTM
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
                  r"\(`V-P`.*?([\d,]+) are derived \(`D`: ([\d,]+) are midpoints.*?([\d,]+) are arithmetic.*?"
                  r"([\d,]+) are structural", doc)
    assert m, "the counts sentence of docs/differential-model.md"
    total, assumed, vp, d, hpo, arith, struct = (int(g.replace(",", "")) for g in m.groups())
    rows = M.rows()
    tags = Counter(r["tag"] for r in rows)
    assert (total, assumed, vp, d, struct) == (len(rows), tags["assumed"], tags["V-P"], tags["D"], tags["def"])
    n_hpo = sum(1 for r in rows if r["tag"] == "D" and r["sources"] == M.HPO_ANNOTATIONS.rendered_short)
    assert (hpo, arith) == (n_hpo, tags["D"] - n_hpo)
