"""Manual Muscle Testing of eight muscle groups (MMT-8), Kendall 0-10 scale.

Eight groups: neck flexors, deltoid (middle), biceps brachii, wrist extensors, gluteus maximus,
gluteus medius, quadriceps, ankle dorsiflexors (Rider LG et al., Arthritis Care Res 2010;62(4):465-472,
doi:10.1002/acr.20035) [V-P]. Unilateral MMT-8: each group on one side, 0-80 (IMACS Form 04) [V-P].
Bilateral MMT-8: neck flexors once plus seven groups on both sides, 0-150 [D, registry convention].
How a Kendall "T" (trace) grade enters the total is not verified, so "T" is refused rather than guessed.
A group not graded is reported, and the total becomes a range; it is never scored as 0 or 10.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from myoclass.errors import InvalidMeasure
from myoclass.model.case import Problem, json_kind, show, unknown_key_problems

__all__ = ["MMT8_CITATION", "MUSCLES", "mmt8"]

MUSCLES = ("neck_flexors", "deltoid_middle", "biceps_brachii", "wrist_extensors", "gluteus_maximus",
           "gluteus_medius", "quadriceps", "ankle_dorsiflexors")
MMT8_CITATION = ("Rider LG et al. Validation of manual muscle testing and a subset of eight muscles for adult and "
                 "juvenile idiopathic inflammatory myopathies. Arthritis Care Res 2010;62(4):465-472, "
                 "doi:10.1002/acr.20035; IMACS Form 04 (Kendall 0-10 scale)")
_SIDES = ("right", "left")


def _grade(field: str, v: Any, problems: list[Problem]) -> int | None:
    if v is None:
        return None
    if isinstance(v, str) and v.strip().upper() == "T":
        problems.append(Problem(field, "a trace grade (T) has no verified numeric value in the MMT-8 total; "
                                       "enter 0 or 1 as your unit does, or null if not graded"))
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or (isinstance(v, float) and not v.is_integer()):
        problems.append(Problem(field, f"{show(v)} is not a Kendall grade; allowed: a whole number 0-10 or null"))
        return None
    if not 0 <= v <= 10:
        problems.append(Problem(field, f"{show(v)} is out of range; allowed: a whole number 0-10 or null"))
        return None
    return int(v)


def mmt8(grades: Mapping[str, Any]) -> dict[str, Any]:
    """Total an MMT-8 from per-group Kendall grades.

    ``grades`` maps each group to a grade (unilateral testing) or to ``{"right": g, "left": g}``
    (bilateral testing; neck flexors are always a single grade). Raises
    :class:`~myoclass.errors.InvalidMeasure` (an ``InvalidCase``) naming every bad field.
    """
    if not isinstance(grades, Mapping):
        raise InvalidMeasure([Problem("(mmt8)", f"expected a JSON object of muscle grades, got {json_kind(grades)}")])
    problems: list[Problem] = []
    problems += unknown_key_problems((k for k in grades if k not in MUSCLES and k != "side"), MUSCLES,
                                     "muscle group", ", ".join(MUSCLES))
    side = grades.get("side")
    if side is not None and side not in _SIDES:
        problems.append(Problem("side", f"{show(side)} is not allowed; allowed: right, left or null"))
    bilateral_groups = [m for m in MUSCLES[1:] if isinstance(grades.get(m), Mapping)]
    unilateral_groups = [m for m in MUSCLES[1:] if grades.get(m) is not None and not isinstance(grades.get(m), Mapping)]
    bilateral = bool(bilateral_groups)
    if bilateral and unilateral_groups:
        problems.append(Problem(unilateral_groups[0], "some groups are graded on both sides and this one on one side; "
                                                      "give every group either one grade or {right, left}"))
    if isinstance(grades.get("neck_flexors"), Mapping):
        problems.append(Problem("neck_flexors", "neck flexors are tested once; give a single grade"))
    per: dict[str, Any] = {}
    missing: list[str] = []
    total = 0
    neck = _grade("neck_flexors", None if isinstance(grades.get("neck_flexors"), Mapping)
                  else grades.get("neck_flexors"), problems)
    per["neck_flexors"] = neck
    if neck is None:
        missing.append("neck_flexors")
    else:
        total += neck
    for m in MUSCLES[1:]:
        raw = grades.get(m)
        if bilateral:
            sides = raw if isinstance(raw, Mapping) else {}
            for k in sides:
                if k not in _SIDES:
                    problems.append(Problem(f"{m}.{k}", "unknown side; allowed: right, left"))
            per[m] = {}
            for sd in _SIDES:
                g = _grade(f"{m}.{sd}", sides.get(sd), problems)
                per[m][sd] = g
                if g is None:
                    missing.append(f"{m}.{sd}")
                else:
                    total += g
        else:
            g = _grade(m, None if isinstance(raw, Mapping) else raw, problems)
            per[m] = g
            if g is None:
                missing.append(m)
            else:
                total += g
    if problems:
        raise InvalidMeasure(problems)
    maximum = 150 if bilateral else 80
    gap = 10 * len(missing)
    return {
        "version": "bilateral" if bilateral else "unilateral",
        "maximum": maximum,
        "total": None if missing else total,
        "total_min": total,
        "total_max": total + gap,
        "missing": missing,
        "grades": per,
        "citation": MMT8_CITATION,
        "verification": "V-P" if not bilateral else "D",
        "note": None if not missing else "groups not graded make the total a range; they are not scored as 0",
    }
