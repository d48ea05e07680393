"""A CK value given without the laboratory's upper limit of normal: no limit is presumed (CK stays not known), the
assessment warns, and the next test asks for the limit, not for a CK that was already measured."""

from __future__ import annotations

from typing import Any

import pytest

from myoclass.model.case import parse_case
from myoclass.reasoning.assess import assess_case
from myoclass.reasoning.text import CK_ULN_TEST, ck_without_uln

BASE: dict[str, Any] = {"age_years": 60, "ab_hmgcr": True, "statin_exposure": True}


def test_no_limit_is_presumed() -> None:
    with_value = assess_case(parse_case({**BASE, "ck_u_l": 8000}))
    without = assess_case(parse_case(BASE))
    # the value alone changes nothing the criteria or the differential read
    assert with_value["differential"] == without["differential"]
    assert with_value["summary"]["reachable_labels"] == without["summary"]["reachable_labels"]


def test_the_assessment_warns_and_asks_for_the_limit() -> None:
    a = assess_case(parse_case({**BASE, "ck_u_l": 8000}))
    assert any(w.startswith("CK 8,000 U/L is given without the laboratory's upper limit of normal") for w in a["warnings"])
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
    ({"ck_u_l": 8000}, "CK 8,000 U/L is given without"),
    ({"ck_u_l": 8000, "ck_elevated": True}, "CK 8,000 U/L is recorded as raised but without"),
    ({"ck_u_l": 812.5}, "CK 812.5 U/L is given without"),
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
