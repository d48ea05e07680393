"""Antisynthetase syndrome (Connors 2010): an anti-ARS antibody plus at least one clinical feature."""

from __future__ import annotations

from typing import Any

import pytest

from _builders import CK_RAISED, LOWER, UPPER, blank, present, result, unknown
from myoclass import assess

ASS = "connors_2010_ass"
MET = "antisynthetase syndrome"
NOT_MET = "not antisynthetase syndrome"

ARS_ANTIBODIES = ["ab_jo1", "ab_pl7", "ab_pl12", "ab_ej", "ab_oj", "ab_ks", "ab_zo", "ab_ha"]
FEATURES = ["raynaud", "arthritis", "ild", "fever", "skin_mechanics_hands"]
NON_ARS_ANTIBODIES = ["ab_mda5", "ab_mi2", "ab_hmgcr", "ab_srp", "ab_ro52", "ab_pmscl"]


@pytest.mark.parametrize("antibody", ARS_ANTIBODIES)
@pytest.mark.parametrize("feature", FEATURES)
def test_anti_ars_plus_one_feature_is_met(antibody: str, feature: str) -> None:
    out = result(blank(**present(antibody, feature)), ASS)
    assert (out["status"], out["category"]) == ("met", MET)


@pytest.mark.parametrize("antibody", ARS_ANTIBODIES)
def test_antibody_alone_is_not_met(antibody: str) -> None:
    out = result(blank(**present(antibody)), ASS)
    assert (out["status"], out["category"]) == ("not_met", NOT_MET)


@pytest.mark.parametrize("feature", FEATURES)
def test_feature_without_antibody_is_not_met(feature: str) -> None:
    out = result(blank(**present(feature, "ild", "arthritis")), ASS)
    assert out["status"] == "not_met"


@pytest.mark.parametrize("antibody", NON_ARS_ANTIBODIES)
def test_non_synthetase_antibody_does_not_count(antibody: str) -> None:
    out = result(blank(**present(antibody, "ild", "raynaud")), ASS)
    assert out["status"] == "not_met"


def test_all_features_present_is_met() -> None:
    assert result(blank(**present("ab_pl12", *FEATURES)), ASS)["status"] == "met"


@pytest.mark.parametrize(("case", "status"), [
    pytest.param(unknown(blank(ab_jo1=True), *FEATURES), "undetermined", id="features unknown"),
    pytest.param(unknown(blank(ild=True), *ARS_ANTIBODIES), "undetermined", id="antibodies not tested"),
    pytest.param(unknown(blank(ab_jo1=True, ild=True), "ab_pl7", "fever"), "met", id="met despite other unknowns"),
    pytest.param(unknown(blank(), "ild"), "not_met", id="no antibody, feature unknown"),
])
def test_unknowns(case: dict[str, Any], status: str) -> None:
    assert result(case, ASS)["status"] == status


def test_antisynthetase_label_without_myositis() -> None:
    """The definition needs no muscle involvement."""
    a = assess(blank(**present("ab_jo1", "ild")))
    assert a["summary"]["label"] == "antisynthetase"


def test_antisynthetase_label_with_myositis_beats_pm() -> None:
    a = assess(blank(**present("ab_pl7", "skin_mechanics_hands", UPPER, LOWER), **CK_RAISED))
    assert a["summary"]["label"] == "antisynthetase"
