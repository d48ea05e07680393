"""What a CK value tells without its laboratory's upper limit of normal (data dictionary: ``ck_u_l``,
``ck_uln_u_l``, ``ck_elevated``).

Published case reports and registry abstracts often give CK in U/L without the laboratory's limit ("CK
20,792 U/L"). No laboratory's limit is presumed, but some values are above every limit in use:

* **The ceiling** (:data:`CK_ULN_CEILING_U_L`, 1,000 U/L, **assumed**) is taken above the highest upper
  reference limits (97.5th percentiles of healthy adults) that population studies report:
  - young men, 532 U/L (95% CI 384–738): Clin Chim Acta 1999;279:107–115, doi:10.1016/S0009-8981(98)00180-6;
  - men under 50, 395 U/L, women 207 U/L (the Tromsø Study): Lilleng et al., Clin Chem Lab Med
    2012;50(5), doi:10.1515/cclm.2011.776;
  - Black men, whose CK runs highest (Am J Med 1986;81:479–487,
    doi:10.1016/0002-9343(86)90303-7; George et al., Medicine 2016;95:e4344,
    doi:10.1097/MD.0000000000004344): up to 810 U/L across studies, in Filosto et al.'s worldwide
    systematic review (2025; read from its abstract at iris.unibs.it/handle/11379/631011, no DOI read).
  The number itself is not in a source, hence ``assumed``: it sits above all of these.
* **Infants are left out.** A newborn's CK runs higher than an adult's in the first days of life, so for a
  case known to be under 1 year old (``age_years``, else an onset under 1 year with no age given) the
  ceiling is not used.

So a CK above the ceiling is raised (``ck_elevated`` derived true), and a CK above 15 times the ceiling is over
15 times any laboratory's limit (the criteria's top CK band). Because the ceiling is assumed, a ``ck_elevated``
recorded false beside such a value is kept (CK not raised, as recorded) with a note (:data:`CK_KEPT_NOT_RAISED`),
not refused: a record valid before the ceiling stays valid (a registry's stored visits, say). Used by
:func:`myoclass.model.case.parse_case`, :func:`myoclass.model.findings.display_state` and the batch's column
form of both (:mod:`myoclass.batch.score`, :mod:`myoclass.batch.columnar`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

import numpy as np

__all__ = [
    "CK_BAND_HIGH_TIMES",
    "CK_KEPT_NOT_RAISED",
    "CK_ULN_CEILING_SOURCES",
    "CK_ULN_CEILING_U_L",
    "ages_of",
    "ceiling_applies",
    "over_ceiling",
    "over_high_band",
]

#: the highest upper limit of normal for CK taken as possible in any laboratory, U/L (assumed; module text)
CK_ULN_CEILING_U_L = 1000.0
#: the criteria's top CK band: above this many times the upper limit of normal
CK_BAND_HIGH_TIMES = 15.0
#: the case note of a ``ck_elevated`` recorded false beside a CK above the ceiling (kept as recorded)
CK_KEPT_NOT_RAISED = (f"ck_elevated false kept although ck_u_l is above {CK_ULN_CEILING_U_L:,.0f} U/L, above every "
                      "laboratory's upper limit of normal (an assumed ceiling: myoclass.model.ck); check the value, "
                      "or give ck_uln_u_l")
#: the citations behind the ceiling (the number itself is assumed above them)
CK_ULN_CEILING_SOURCES = (
    "doi:10.1016/S0009-8981(98)00180-6",
    "doi:10.1515/cclm.2011.776",
    "doi:10.1016/0002-9343(86)90303-7",
    "doi:10.1097/MD.0000000000004344",
)


@overload
def ceiling_applies(age: float | None, onset: float | None) -> bool: ...


@overload
def ceiling_applies(age: np.ndarray, onset: np.ndarray) -> np.ndarray: ...


def ceiling_applies(age: Any, onset: Any) -> Any:
    """Whether the ceiling may be used: not for a case known to be under 1 year old (``age_years``; without
    it, an onset under 1 year). None (scalars) or NaN (arrays) is not known."""
    if isinstance(age, np.ndarray):
        with np.errstate(invalid="ignore"):
            return np.where(np.isnan(age), ~(onset < 1.0), age >= 1.0)
    if age is not None:
        return bool(age >= 1.0)
    return not (onset is not None and onset < 1.0)


def ages_of(values: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """``age_years`` and ``age_at_onset_years`` of flat values not yet validated (a form's, a chart's), as the
    ceiling reads them: a number, else None."""
    def number(key: str) -> float | None:
        v = values.get(key)
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None

    return number("age_years"), number("age_at_onset_years")


def _above(ck: Any, limit: float, age: Any, onset: Any) -> Any:
    if isinstance(ck, np.ndarray):
        with np.errstate(invalid="ignore"):
            return (ck > limit) & ceiling_applies(age, onset)
    return ck is not None and ck > limit and ceiling_applies(age, onset)


def over_ceiling(ck: Any, age: Any, onset: Any) -> Any:
    """CK above every laboratory's upper limit of normal (raised whatever the limit)."""
    return _above(ck, CK_ULN_CEILING_U_L, age, onset)


def over_high_band(ck: Any, age: Any, onset: Any) -> Any:
    """CK above 15 times every laboratory's upper limit of normal (the criteria's top band whatever the limit)."""
    return _above(ck, CK_BAND_HIGH_TIMES * CK_ULN_CEILING_U_L, age, onset)
