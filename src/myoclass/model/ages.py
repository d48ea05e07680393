"""What the ages of a case tell about each other (data dictionary: ``age_years`` is the age at assessment,
``age_at_onset_years`` the age at the first symptom, ``symptom_duration_months`` the time between them).

Used by :func:`myoclass.model.case.parse_case` (its notes), :func:`myoclass.model.findings.display_state` and the
batch's column form of it (:mod:`myoclass.batch.columnar`).
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np

__all__ = ["AGE_SLACK_YEARS", "DURATION_SLACK_YEARS", "duration_contradicts", "duration_exceeds_age", "duration_mask",
           "duration_mask_of_gap"]

#: slack of a window derived from the ages and the symptom duration: an age may be given in whole years (up to
#: a year more), the duration in whole months (a month either way)
AGE_SLACK_YEARS = 1.0
DURATION_SLACK_YEARS = 1.0 / 12.0


def duration_mask(duration_months: float | None, age: float | None, onset: float | None) -> int:
    """The symptom-duration bands still possible, as a bit mask over
    :data:`myoclass.model.findings.DURATION_BANDS` (1: up to 12 months, 2: over 12 months, 3: either).

    The duration when given; else, with the age at assessment and the age at the first symptom (data
    dictionary), the duration lies within a year either way of their difference (each age may be given in
    whole years, :data:`AGE_SLACK_YEARS`): over 12 months when they differ by 2 years or more, up to 12
    months when they are equal; else either.
    """
    if duration_months is not None:
        return 2 if duration_months > 12 else 1
    if age is None or onset is None:
        return 3
    return duration_mask_of_gap(age - onset)


@overload
def duration_mask_of_gap(gap_years: float) -> int: ...
@overload
def duration_mask_of_gap(gap_years: np.ndarray) -> np.ndarray: ...
def duration_mask_of_gap(gap_years: Any) -> Any:
    """The duration bands the gap between the age now and the age at onset leaves (the rule of
    :func:`duration_mask`), for one gap or a column of them (the batch's column form)."""
    over = gap_years - AGE_SLACK_YEARS >= 1.0  # 2 years apart or more: over 12 months (mask 2)
    up_to = gap_years + AGE_SLACK_YEARS <= 1.0  # the same year: up to 12 months (mask 1); never both
    return 3 - over - 2 * up_to  # plain arithmetic, so a float stays a float's cost and a column a column


def duration_exceeds_age(duration_months: Any, age: Any) -> Any:
    """Whether a symptom duration is longer than the patient has lived (the age in whole years, the duration a month
    either way): for one case or a column of them, when the age at onset is not given (with it,
    :func:`duration_contradicts` decides)."""
    return duration_months / 12.0 > age + AGE_SLACK_YEARS + DURATION_SLACK_YEARS


@overload
def duration_contradicts(duration_months: float, age: float, onset: float) -> bool: ...
@overload
def duration_contradicts(duration_months: np.ndarray, age: np.ndarray, onset: np.ndarray) -> np.ndarray: ...
def duration_contradicts(duration_months: Any, age: Any, onset: Any) -> Any:
    """Whether a given symptom duration cannot be the time from the age at onset to the age now: the ages,
    each possibly in whole years, put it within a year either way of their difference, and the duration, in
    whole months, is a month either way of its value; the two windows do not meet. For one case or, with
    arrays, a column of them (the batch's contradiction check)."""
    return abs(duration_months / 12.0 - (age - onset)) >= AGE_SLACK_YEARS + DURATION_SLACK_YEARS
