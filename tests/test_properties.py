"""Invariants over generated cases: bounds contain every completion, monotone score, round trips."""

from __future__ import annotations

import itertools
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myoclass import assess, parse_case
from myoclass.model.fields import FIELDS

# Findings that decide labels often; generated cases draw from these.
DECIDING = [
    "ab_hmgcr", "ab_srp", "ab_jo1", "weakness_proximal_upper_symmetric", "weakness_proximal_lower_symmetric",
    "weakness_neck_flexor_gt_extensor", "weakness_legs_proximal_gt_distal", "skin_heliotrope",
    "skin_gottron_papules", "skin_gottron_sign", "dysphagia", "weakness_finger_flexor_gt_shoulder_abductor",
    "weakness_knee_extensor_ge_hip_flexor", "biopsy_necrosis_predominant", "biopsy_lymphocytic_infiltrate_prominent",
    "biopsy_invasion_non_necrotic_fibers", "biopsy_rimmed_vacuoles", "biopsy_perimysial_perivascular_infiltrate",
    "ild", "arthritis", "statin_exposure",
]
BASE = {k: False for k, f in FIELDS.items() if f.kind == "bool" and k not in ("biopsy_performed",)}
BASE.update({"age_at_onset_years": 52, "age_years": 53, "onset_tempo": "subacute", "symptom_duration_months": 8,
             "ck_u_l": 4000, "ck_uln_u_l": 200, "biopsy_performed": True, "immunosuppression_response": "improved"})
del BASE["ck_elevated"]
BASE["biopsy_necrotic_fibers"] = True  # so that necrosis_predominant may be true


def _case(known: dict[str, bool], unknown: list[str]) -> dict[str, object]:
    c = dict(BASE)
    c.update(known)
    for k in unknown:
        c[k] = None
    # the withdrawal course is known whenever a statin was taken (so completions are complete)
    c["statin_withdrawal_outcome"] = "persisted" if c["statin_exposure"] is not False else None
    return c


cases = st.builds(
    lambda vals, unknown: (vals, unknown),
    st.fixed_dictionaries({k: st.booleans() for k in DECIDING}),
    st.lists(st.sampled_from(DECIDING), max_size=6, unique=True),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_every_completion_is_within_reachable_labels_and_probability_range(data: tuple) -> None:
    vals, unknown = data
    a = assess(_case(vals, unknown))
    reach = set(a["summary"]["reachable_labels"])
    e = a["criteria"]["eular_acr_2017"]
    seen = set()
    for combo in itertools.product([True, False], repeat=len(unknown)):
        full = assess(_case({**vals, **dict(zip(unknown, combo, strict=True))}, []))
        lab = full["summary"]["label"]
        assert full["summary"]["reachable_labels"] == [lab]
        assert lab in reach
        seen.add(lab)
        p = full["criteria"]["eular_acr_2017"]["probability"]
        assert e["probability_min"] - 1e-9 <= p <= e["probability_max"] + 1e-9
    assert seen == reach  # exact, not just sound
    assert (a["summary"]["label"] == "undetermined") == (len(reach) > 1)


@settings(max_examples=80, deadline=None)
@given(cases, st.sampled_from(DECIDING))
def test_next_tests_that_decide_narrow_the_reachable_labels(data: tuple, extra: str) -> None:
    vals, unknown = data
    a = assess(_case(vals, unknown))
    reach = set(a["summary"]["reachable_labels"])
    decided = {t["finding"] for t in a["next_tests"] if t["purpose"] == "decides"}
    for k in unknown:
        outcomes = [set(assess(_case({**vals, k: b}, [u for u in unknown if u != k]))["summary"]["reachable_labels"])
                    for b in (True, False)]
        assert all(o <= reach for o in outcomes)
        assert (k in decided) == any(o != reach for o in outcomes)


EULAR_ITEMS = ["weakness_proximal_upper_symmetric", "weakness_proximal_lower_symmetric",
               "weakness_neck_flexor_gt_extensor", "weakness_legs_proximal_gt_distal", "skin_heliotrope",
               "skin_gottron_papules", "skin_gottron_sign", "dysphagia", "ab_jo1",
               "biopsy_endomysial_infiltrate_non_invading", "biopsy_perimysial_perivascular_infiltrate",
               "biopsy_perifascicular_atrophy", "biopsy_rimmed_vacuoles"]


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({k: st.booleans() for k in EULAR_ITEMS}), st.sampled_from(EULAR_ITEMS),
       st.booleans())
def test_adding_a_present_finding_never_lowers_the_eular_score(vals: dict, item: str, biopsy: bool) -> None:
    c = {**BASE, **vals, "biopsy_performed": biopsy}
    if not biopsy:
        for k in list(c):
            if k.startswith("biopsy_") and k != "biopsy_performed":
                c[k] = None
    if not biopsy and item.startswith("biopsy_"):
        return
    before = assess({**c, item: False})["criteria"]["eular_acr_2017"]
    after = assess({**c, item: True})["criteria"]["eular_acr_2017"]
    assert after["score"] >= before["score"]
    assert after["probability"] >= before["probability"]


@settings(max_examples=100, deadline=None)
@given(cases)
def test_assessment_and_case_round_trip_through_json(data: tuple) -> None:
    vals, unknown = data
    raw = _case(vals, unknown)
    case = parse_case(raw)
    again = parse_case(json.loads(json.dumps(case.to_flat())))
    assert again.values == case.values
    a = assess(raw)
    assert json.loads(json.dumps(a)) == a
    assert not any(isinstance(v, float) and math.isnan(v) for v in a["criteria"]["eular_acr_2017"].values()
                   if isinstance(v, float))


def test_exhaustive_ten_unknown_deciding_findings() -> None:
    unknown = DECIDING[:10]
    vals = {k: False for k in DECIDING}
    a = assess(_case(vals, unknown))
    reach = set(a["summary"]["reachable_labels"])
    seen = set()
    for combo in itertools.product([True, False], repeat=10):
        seen.add(assess(_case({**vals, **dict(zip(unknown, combo, strict=True))}, []))["summary"]["label"])
    assert seen == reach
    assert a["summary"]["reachable_labels_exact"]
