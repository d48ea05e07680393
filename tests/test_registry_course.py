"""A registry visit is classified with the course's highest CK so far (the data dictionary's ck_u_l is the highest CK
during the course), while it keeps its own CK for the follow-up curve: a treated patient's label must not drift as CK
falls (a researcher's review of session 25). Pure rule (myoclass.registry.course) and the registry on both back
ends: import, a later import of an earlier visit, and reclassify agreeing with both."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _registry import BACKENDS, database_url
from myoclass import assess
from myoclass.registry import service as S
from myoclass.registry.course import VisitCk, course_findings

D1, D2, D3 = dt.date(2024, 1, 5), dt.date(2024, 6, 5), dt.date(2024, 12, 5)
BASE: dict[str, Any] = {"age_years": 55, "weakness_proximal_upper_symmetric": True,
                        "weakness_proximal_lower_symmetric": True, "ab_hmgcr": False, "ab_srp": False}


def test_an_earlier_raised_ck_that_says_more_is_used_with_a_note() -> None:
    own = {**BASE, "ck_u_l": 600, "ck_uln_u_l": 200, "ck_elevated": True}
    got, note = course_findings(D2, own, [VisitCk(D1, 4200.0, 200.0)])
    assert (got["ck_u_l"], got["ck_uln_u_l"]) == (4200.0, 200.0) and "ck_elevated" not in got
    assert note is not None and "4200 U/L, ULN 200 U/L on 2024-01-05" in note and "this visit's CK: 600 U/L" in note
    assert {k: v for k, v in got.items() if not k.startswith("ck_")} == {k: v for k, v in own.items()
                                                                         if not k.startswith("ck_")}


@pytest.mark.parametrize("earlier", [
    [VisitCk(D1, 150.0, 200.0)],  # normal: says nothing more
    [VisitCk(D1, 900.0, None)],  # no limit and under every laboratory's: not known to be raised
    [VisitCk(D3, 9000.0, 200.0)],  # after this visit: not part of its course yet
    [VisitCk(D1, 500.0, 200.0)],  # 2.5 × ULN: less than this visit's 3 ×
])
def test_the_visit_keeps_its_own_findings_otherwise(earlier: list[VisitCk]) -> None:
    own = {**BASE, "ck_u_l": 600, "ck_uln_u_l": 200}
    assert course_findings(D2, own, earlier) == (own, None)


def test_an_earlier_ck_above_every_limit_counts_without_its_uln() -> None:
    got, note = course_findings(D2, {**BASE}, [VisitCk(D1, 20000.0, None)])
    assert got["ck_u_l"] == 20000.0 and "ck_uln_u_l" not in got and note and "no ULN given" in note


@pytest.fixture(params=BACKENDS)
def reg(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[S.Registry]:
    with database_url(request.param, tmp_path) as url:
        r = S.open_registry(url, batch_size=50)
        yield r
        r.close()


def _lines(*visits: tuple[dt.date, float]) -> str:
    return "\n".join(json.dumps({"patient_code": "P-1", "visit_date": d.isoformat(), **BASE, "ck_u_l": ck,
                                 "ck_uln_u_l": 200}) for d, ck in visits)


def _leading_with(ck: float) -> str:
    return str(assess({**BASE, "ck_u_l": ck, "ck_uln_u_l": 200})["summary"]["leading_label"])


def test_the_registry_classifies_each_visit_on_its_course(reg: S.Registry) -> None:
    assert _leading_with(4200) != _leading_with(600)  # the drift this guards against
    S.import_visits(reg, _lines((D1, 4200), (D2, 600)), "jsonl")
    v1, v2 = S.patient_timeline(reg, "P-1").visits
    assert (v1.ck_u_l, v2.ck_u_l) == (4200, 600)  # each visit keeps its own CK for the curve
    assert v1.leading_label == v2.leading_label == _leading_with(4200)
    # an earlier visit with a higher CK imported later: the later visits are classified again on it
    S.import_visits(reg, _lines((dt.date(2023, 12, 1), 12000)), "jsonl")
    visits = S.patient_timeline(reg, "P-1").visits
    assert [v.leading_label for v in visits] == [_leading_with(12000)] * 3
    assert [v.ck_u_l for v in visits] == [12000, 4200, 600]
    # and reclassify agrees: nothing is left to re-assess
    assert S.reclassify(reg, dry_run=True).reassessed == 0
