"""2016 ACR/EULAR myositis response criteria: the Total Improvement Score (TIS).

Conversion of absolute percent improvement in six core set measures to points, and the
improvement thresholds for adult DM/PM and for juvenile DM [V-P: PMC5577002,
Table 3; Aggarwal et al. 2017; Rider et al. 2017]. The criteria were built in DM/PM and JDM and are
used, but not validated, in IMNM.

Percent change definitions [R: implementation details not confirmed against the paper]:

* physician global, patient (or parent) global, extramuscular activity: 0-10 cm VAS, change as a
  percentage of the 10 cm range (a fall is an improvement);
* HAQ / CHAQ: change as a percentage of the 0-3 range (a fall is an improvement);
* MMT-8 / CMAS: change as a percentage of the instrument's maximum (80, 150 or 52; a rise is an
  improvement);
* most abnormal muscle enzyme: relative change from baseline (a fall is an improvement).

Band edges: ">5-15 %" means 5 < x <= 15; worsening and changes up to 5 % (2 % for MMT) score 0.
Arithmetic is exact (decimal fractions), so a change of exactly 15 % is scored in its band.
A measure missing at either visit is reported and never scored as zero change: the score becomes
the range between scoring it 0 and its maximum, and the category is given when the range settles it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from myoclass.errors import InvalidMeasure
from myoclass.model.case import Problem, json_kind, show, unknown_key_problems

__all__ = ["MEASURES", "THRESHOLDS", "TIS_CITATION", "total_improvement_score"]

TIS_CITATION = ("Aggarwal R, Rider LG, Ruperto N, et al. 2016 ACR/EULAR criteria for minimal, moderate, and major "
                "clinical response in adult dermatomyositis and polymyositis. Ann Rheum Dis 2017;76(5):792-801, "
                "doi:10.1136/annrheumdis-2017-211400; Rider LG et al. (juvenile DM) Ann Rheum Dis 2017;76(5):782-791, "
                "doi:10.1136/annrheumdis-2017-211401; conversion table PMC5577002 Table 3")

#: improvement thresholds (TIS at least): minimal, moderate, major [V-P]
THRESHOLDS = {"adult": (20, 40, 60), "juvenile": (30, 45, 70)}
MMT_MAXIMUM = {"mmt8_unilateral": 80, "mmt8_bilateral": 150, "cmas": 52}

_EDGES = (5, 15, 25, 40)  # percent; MMT uses its own
_EDGES_MMT = (2, 10, 20, 30)


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    adult_name: str
    juvenile_name: str
    points: tuple[float, float, float, float, float]  # per band: <=edge1, >edge1.., ..., >edge4
    edges: tuple[int, int, int, int]
    higher_is_better: bool
    range_: int | None  # None: relative change (enzymes); 0 for MMT (from its scale)


MEASURES: tuple[Measure, ...] = (
    Measure("physician_global", "Physician global activity (0-10 cm VAS)", "physician global activity",
            "physician global activity", (0, 7.5, 15, 17.5, 20), _EDGES, False, 10),
    Measure("patient_global", "Patient (or parent) global activity (0-10 cm VAS)", "patient global activity",
            "parent global activity", (0, 2.5, 5, 7.5, 10), _EDGES, False, 10),
    Measure("mmt", "Muscle strength (MMT-8 or CMAS)", "MMT-8", "MMT-8 or CMAS",
            (0, 10, 20, 27.5, 32.5), _EDGES_MMT, True, 0),
    Measure("haq", "HAQ / CHAQ disability index (0-3)", "HAQ", "CHAQ", (0, 5, 7.5, 7.5, 10), _EDGES, False, 3),
    Measure("enzyme", "Most abnormal muscle enzyme", "most abnormal muscle enzyme",
            "most abnormal muscle enzyme (or CHQ physical summary)", (0, 2.5, 5, 7.5, 7.5), _EDGES, False, None),
    Measure("extramuscular", "Extramuscular disease activity (0-10 cm VAS)", "extramuscular activity",
            "extramuscular activity (or disease activity score)", (0, 7.5, 12.5, 15, 20), _EDGES, False, 10),
)
_VISIT_KEYS = {"physician_global", "patient_global", "mmt", "mmt_scale", "haq", "enzyme_u_l", "enzyme_uln_u_l",
               "enzyme_name", "extramuscular"}


def _num(field: str, v: Any, lo: float, hi: float | None, problems: list[Problem]) -> Fraction | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        problems.append(Problem(field, f"{show(v)} is not a number"))
        return None
    if v != v or v in (float("inf"), float("-inf")):
        problems.append(Problem(field, f"{show(v)} is not a finite number"))
        return None
    if v < lo or (hi is not None and v > hi):
        rng = f"{lo:g}-{hi:g}" if hi is not None else f"at least {lo:g}"
        problems.append(Problem(field, f"{show(v)} is out of range; allowed: {rng} or null"))
        return None
    return Fraction(str(v))


#: the MMT scales in words, for the messages
_SCALES = "mmt8_unilateral (0-80), mmt8_bilateral (0-150), cmas (0-52)"


def _visit(name: str, raw: Any, problems: list[Problem]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        problems.append(Problem(name, f"expected a JSON object of core set measures, got {json_kind(raw)}"))
        return {}
    problems += unknown_key_problems((k for k in raw if k not in _VISIT_KEYS), sorted(_VISIT_KEYS), "measure",
                                     ", ".join(sorted(_VISIT_KEYS)), prefix=f"{name}.")
    scale = raw.get("mmt_scale", "mmt8_unilateral")
    if not isinstance(scale, str) or scale not in MMT_MAXIMUM:
        problems.append(Problem(f"{name}.mmt_scale", f"{show(scale)} is not allowed; allowed: {', '.join(MMT_MAXIMUM)}"))
        scale = "mmt8_unilateral"
    before = len(problems)
    mmt = _num(f"{name}.mmt", raw.get("mmt"), 0, MMT_MAXIMUM[scale], problems)
    assumed = "mmt_scale" not in raw and raw.get("mmt") is not None
    if assumed and len(problems) > before:  # out of range on the assumed scale: say which scale, and the others
        p = problems[-1]
        problems[-1] = Problem(p.field, f"{p.message} (the MMT-8 unilateral range, read so because {name}.mmt_scale "
                                        f"is not given; allowed mmt_scale: {_SCALES})")
    out = {
        "physician_global": _num(f"{name}.physician_global", raw.get("physician_global"), 0, 10, problems),
        "patient_global": _num(f"{name}.patient_global", raw.get("patient_global"), 0, 10, problems),
        "mmt": mmt,
        "mmt_scale": scale,
        "mmt_scale_assumed": assumed,
        "haq": _num(f"{name}.haq", raw.get("haq"), 0, 3, problems),
        "enzyme": _num(f"{name}.enzyme_u_l", raw.get("enzyme_u_l"), 0, None, problems),
        "enzyme_uln": _num(f"{name}.enzyme_uln_u_l", raw.get("enzyme_uln_u_l"), 0, None, problems),
        "extramuscular": _num(f"{name}.extramuscular", raw.get("extramuscular"), 0, 10, problems),
    }
    name_ = raw.get("enzyme_name")
    if name_ is not None and not isinstance(name_, str):
        problems.append(Problem(f"{name}.enzyme_name", f"{show(name_)} is not allowed; allowed: a string (e.g. ck) or null"))
    if out["enzyme_uln"] == 0:
        problems.append(Problem(f"{name}.enzyme_uln_u_l", "the upper limit of normal must be above 0"))
    return out


def _band(pct: Fraction, edges: tuple[int, ...]) -> int:
    band = 0
    for e in edges:
        if pct > e:
            band += 1
    return band


def _category(score: float, population: str) -> str:
    minimal, moderate, major = THRESHOLDS[population]
    if score >= major:
        return "major"
    if score >= moderate:
        return "moderate"
    if score >= minimal:
        return "minimal"
    return "no improvement"


def total_improvement_score(baseline: Mapping[str, Any] | Any, followup: Mapping[str, Any] | Any,
                            population: str = "adult") -> dict[str, Any]:
    """TIS from two visits' core set measures (see the module docstring for the definitions).

    Each visit: ``physician_global``, ``patient_global``, ``extramuscular`` (0-10 cm), ``haq`` (0-3),
    ``mmt`` with ``mmt_scale`` (mmt8_unilateral 0-80, mmt8_bilateral 0-150, cmas 0-52),
    ``enzyme_u_l`` with ``enzyme_uln_u_l`` (the same enzyme at both visits: the most abnormal one).
    Raises :class:`~myoclass.errors.InvalidMeasure` (an ``InvalidCase``) naming every bad field.
    """
    problems: list[Problem] = []
    if not isinstance(population, str) or population not in THRESHOLDS:
        problems.append(Problem("population", f"{show(population)} is not allowed; allowed: adult, juvenile"))
        population = "adult"
    b = _visit("baseline", baseline, problems)
    f = _visit("followup", followup, problems)
    if b and f and b["mmt_scale"] != f["mmt_scale"] and b["mmt"] is not None and f["mmt"] is not None:
        problems.append(Problem("followup.mmt_scale", "the MMT scale differs from the baseline's; use the same instrument"))
    if problems:
        raise InvalidMeasure(problems)
    rows: list[dict[str, Any]] = []
    lo = hi = 0.0
    missing: list[str] = []
    warnings: list[str] = []
    for m in MEASURES:
        bv, fv = b[m.id], f[m.id]
        row: dict[str, Any] = {"id": m.id, "label": m.label,
                               "name": m.juvenile_name if population == "juvenile" else m.adult_name,
                               "baseline": None if bv is None else float(bv),
                               "followup": None if fv is None else float(fv),
                               "max_points": m.points[-1]}
        if bv is None or fv is None:
            missing.append(m.id)
            row.update(percent_improvement=None, points=None)
            hi += m.points[-1]
            rows.append(row)
            continue
        if m.id == "mmt":
            pct = (fv - bv) / MMT_MAXIMUM[b["mmt_scale"]] * 100
        elif m.range_ is None:
            if bv == 0:
                missing.append(m.id)
                warnings.append("enzyme: a baseline value of 0 gives no relative change; the measure is not scored")
                row.update(percent_improvement=None, points=None)
                hi += m.points[-1]
                rows.append(row)
                continue
            pct = (bv - fv) / bv * 100
            uln = b["enzyme_uln"] or f["enzyme_uln"]
            if uln is not None and bv <= uln:
                warnings.append("enzyme: normal at baseline; how the criteria score a change within the normal "
                                "range is not verified")
        else:
            pct = (bv - fv) / m.range_ * 100 if not m.higher_is_better else (fv - bv) / m.range_ * 100
        pts = m.points[_band(pct, m.edges)]
        # exact for the points; for display, a worsening beyond a millionfold is shown as -1e6 %
        row.update(percent_improvement=float(round(max(pct, Fraction(-1_000_000)), 4)), points=pts)
        lo += pts
        hi += pts
        rows.append(row)
    cat_lo, cat_hi = _category(lo, population), _category(hi, population)
    order = ["no improvement", "minimal", "moderate", "major"]
    possible = order[order.index(cat_lo): order.index(cat_hi) + 1]
    return {
        "population": population,
        "tis": None if missing else lo,
        "tis_min": lo,
        "tis_max": hi,
        "category": cat_lo if cat_lo == cat_hi else None,
        "possible_categories": possible,
        "thresholds": dict(zip(("minimal", "moderate", "major"), THRESHOLDS[population], strict=True)),
        "measures": rows,
        "missing": missing,
        "warnings": warnings + [
            f"{v}.mmt_scale is not given: the MMT is read as MMT-8 unilateral (0-80); give mmt_scale ({_SCALES}) "
            "if it is another instrument." for v, visit in (("baseline", b), ("followup", f))
            if visit and visit.get("mmt_scale_assumed")] + ([] if not missing else [
            "Missing measures are not scored as zero change: the score is a range from scoring them 0 to their "
            "maximum points."]) + ["Percent-change definitions are as documented in myoclass and not verified "
                                   "against the paper [R]; the criteria were validated in DM/PM and JDM, not IMNM."],
        "citation": TIS_CITATION,
    }
