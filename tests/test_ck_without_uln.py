"""A CK value given without the laboratory's upper limit of normal: no limit is presumed (CK stays not known), the
assessment warns, and the next test asks for the limit, not for a CK that was already measured. A value above every
laboratory's limit (model.ck, 1,000 U/L) counts as raised, and one above 15 times that is in the top band."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import myoclass.model.ck as ck_module
from myoclass.io.reading import the_ck_that_counts
from myoclass.model.case import parse_case
from myoclass.model.ck import CK_KEPT_NOT_RAISED, CK_ULN_CEILING_SOURCES, CK_ULN_CEILING_U_L
from myoclass.model.findings import display_state
from myoclass.reasoning.assess import assess_case
from myoclass.reasoning.text import CK_ULN_TEST, ck_without_uln, warning_text

BASE: dict[str, Any] = {"age_years": 60, "ab_hmgcr": True, "statin_exposure": True}


def test_no_limit_is_presumed() -> None:
    with_value = assess_case(parse_case({**BASE, "ck_u_l": 800}))
    without = assess_case(parse_case(BASE))
    # the value alone changes nothing the criteria or the differential read
    assert with_value["differential"] == without["differential"]
    assert with_value["summary"]["reachable_labels"] == without["summary"]["reachable_labels"]


def test_the_assessment_warns_and_asks_for_the_limit() -> None:
    a = assess_case(parse_case({**BASE, "ck_u_l": 800}))
    assert any(w.startswith("CK 800 U/L is given without the laboratory's upper limit of normal") for w in a["warnings"])
    (ck,) = [t for t in a["next_tests"] if t["finding"] == "ck_u_l"]
    assert ck["test"] == CK_ULN_TEST
    assert "CK's upper limit of normal not given" in a["summary"]["text"]
    assert "CK not measured" not in a["summary"]["text"]


def test_no_ck_at_all_still_asks_for_a_measurement() -> None:
    a = assess_case(parse_case(BASE))
    (ck,) = [t for t in a["next_tests"] if t["finding"] == "ck_u_l"]
    assert ck["test"] == "measure CK with the laboratory's upper limit of normal"
    assert not any("upper limit of normal, so" in w for w in a["warnings"])


@pytest.mark.parametrize(("values", "starts"), [
    ({"ck_u_l": 800}, "CK 800 U/L is given without"),
    ({"ck_u_l": 800, "ck_elevated": True}, "CK 800 U/L is recorded as raised but without"),
    ({"ck_u_l": 812.5}, "CK 812.5 U/L is given without"),
    ({"ck_u_l": 8000}, "CK 8,000 U/L is above every laboratory's upper limit of normal"),
    ({"ck_u_l": 8000, "ck_elevated": True}, "CK 8,000 U/L is above every laboratory's upper limit of normal"),
    ({"ck_u_l": 8000, "age_years": 0.5}, "CK 8,000 U/L is given without"),  # an infant: no ceiling
    ({"ck_u_l": 20000}, "CK 20,000 U/L, given without the laboratory's upper limit of normal, counts as over 15 times"),
    ({"ck_u_l": 20000, "ck_elevated": False}, None),  # recorded not raised: kept, with a case note instead
    ({"ck_u_l": 20000, "age_at_onset_years": 0}, "CK 20,000 U/L is given without"),
    ({"ck_u_l": 80, "ck_elevated": False}, None),
    ({"ck_u_l": 8000, "ck_uln_u_l": 200}, None),
    ({}, None),
])
def test_the_warning_words(values: dict[str, Any], starts: str | None) -> None:
    text = ck_without_uln(values)
    if starts is None:
        assert text is None
    else:
        assert text is not None and text.startswith(starts)


def _band(values: dict[str, Any]) -> int:
    return display_state(parse_case(values))["ck_band"]


@pytest.mark.parametrize(("values", "band", "elevated"), [
    ({"ck_u_l": 1000}, 7, None),  # at the ceiling: not above every limit
    ({"ck_u_l": 1000.5}, 6, True),  # raised, by an unknown multiple
    ({"ck_u_l": 15000}, 6, True),
    ({"ck_u_l": 15001}, 4, True),  # over 15 times every laboratory's limit
    ({"ck_u_l": 15001, "ck_elevated": True}, 4, True),
    ({"ck_u_l": 20000, "age_years": 0.5}, 7, None),  # an infant's CK runs higher: no ceiling
    ({"ck_u_l": 20000, "age_years": 1}, 4, True),
    ({"ck_u_l": 20000, "age_at_onset_years": 0.5}, 7, None),  # no age given, onset in infancy
    ({"ck_u_l": 20000, "age_at_onset_years": 0.5, "age_years": 30}, 4, True),
    ({"ck_u_l": 20000, "ck_uln_u_l": 2000}, 2, True),  # the laboratory's own limit wins
    ({"ck_u_l": 20000, "ck_elevated": False}, 1, False),  # recorded not raised: kept (the ceiling is assumed)
])
def test_a_ck_above_every_laboratorys_limit(values: dict[str, Any], band: int, elevated: bool | None) -> None:
    case = parse_case(values)
    assert case.values["ck_elevated"] is elevated
    assert _band(values) == band
    # a derived "raised" is said once, by the CK warning, not again by a case note
    assert (CK_KEPT_NOT_RAISED in case.notes) == (values.get("ck_elevated") is False)
    assert not any("derived from ck_u_l" in n and "ck_uln_u_l" not in n for n in case.notes)


def test_raised_from_the_ceiling_changes_the_criteria_and_the_differential() -> None:
    a = assess_case(parse_case({**BASE, "ck_u_l": 8000}))
    b = assess_case(parse_case({**BASE, "ck_u_l": 8000, "ck_elevated": True}))
    assert a["differential"] == b["differential"] and a["criteria"] == b["criteria"]
    assert a["differential"] != assess_case(parse_case(BASE))["differential"]


def test_not_raised_beside_a_ck_above_every_limit_is_kept_with_a_warning() -> None:
    """The ceiling is assumed, so a recorded "not raised" stands (a record valid before it stays valid: a registry's
    stored visits are reassessed), and the assessment says to check it."""
    a = assess_case(parse_case({**BASE, "ck_u_l": 8000, "ck_elevated": False}))
    assert a["criteria"]["enmc_2017_imnm"]["status"] != "met"  # CK read as not raised: IMNM's CK item fails
    assert CK_KEPT_NOT_RAISED in a["warnings"]
    assert "check it, or enter the laboratory's upper limit of normal" in warning_text(CK_KEPT_NOT_RAISED)
    # for an infant, or below the ceiling, there is nothing to check
    assert CK_KEPT_NOT_RAISED not in parse_case({"ck_u_l": 8000, "ck_elevated": False, "age_years": 0.5}).notes
    assert CK_KEPT_NOT_RAISED not in parse_case({"ck_u_l": 800, "ck_elevated": False}).notes


def test_the_ceiling_is_assumed_and_cited() -> None:
    assert CK_ULN_CEILING_U_L == 1000.0
    assert all(src.startswith("doi:10.") for src in CK_ULN_CEILING_SOURCES)
    assert "assumed" in (ck_module.__doc__ or "")


_RESULTS = st.lists(st.tuples(st.floats(10, 200_000), st.one_of(st.none(), st.floats(50, 1_000))), min_size=1,
                    max_size=5)


@given(_RESULTS, st.booleans())
def test_the_ck_that_counts_is_the_one_that_says_most(results: list[tuple[float, float | None]],
                                                      ceiling: bool) -> None:
    """Of several CK results (value, ULN or None), the one a reader takes has the highest guaranteed ratio to its
    laboratory's limit: value / ULN with a range; value / the ceiling without one, above the ceiling and not for an
    infant (0 otherwise, as no ratio is guaranteed); with no range at all, the highest value."""
    top, how = the_ck_that_counts(results, lambda r: r[0], lambda r: r[1], ceiling)

    def guaranteed(r: tuple[float, float | None]) -> float:
        if r[1] is not None:
            return r[0] / r[1]
        return r[0] / CK_ULN_CEILING_U_L if ceiling and r[0] > CK_ULN_CEILING_U_L else 0.0

    if all(r[1] is None for r in results):
        assert how == "value" and top[0] == max(r[0] for r in results)
    else:
        assert guaranteed(top) == max(guaranteed(r) for r in results)
        assert how == ("ratio" if top[1] is not None else "ceiling")


def test_a_ck_under_the_ceiling_without_range_guarantees_nothing() -> None:
    """900 U/L without a range may be within its laboratory's limit, so a normal ranged CK (100 over 500) is taken."""
    results: list[tuple[float, float | None]] = [(100.0, 500.0), (900.0, None)]
    assert the_ck_that_counts(results, lambda r: r[0], lambda r: r[1]) == ((100.0, 500.0), "ratio")
