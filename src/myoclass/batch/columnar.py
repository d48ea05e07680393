"""The findings of a batch of flat cases, as columns; the criteria over them are evaluated by
:func:`myoclass.logic.columns.evaluate_columns` (the same rule tree as the per-case engine).

:func:`state_columns` builds the findings of a batch of flat cases (an Arrow table of validated
cases) exactly as :func:`myoclass.model.findings.display_state` and ``case_state`` do for one case.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from myoclass.logic.columns import U8
from myoclass.model.ages import AGE_SLACK_YEARS, DURATION_SLACK_YEARS, duration_mask_of_gap
from myoclass.model.ck import CK_BAND_HIGH_TIMES, over_high_band
from myoclass.model.fields import BIOPSY_ITEMS, FIELDS
from myoclass.model.findings import FINDINGS, MIMICS

__all__ = ["SEX_BY_CODE", "assessment_ages", "first_year_onsets", "number_column", "sex_codes", "state_columns",
           "tri_column"]

# --------------------------------------------------------------------------------------------
# findings of a batch
# --------------------------------------------------------------------------------------------


def _bits(buf: pa.Buffer, offset: int, n: int) -> np.ndarray:
    """An Arrow bitmap as 0/1 ``uint8``, one per row."""
    return np.unpackbits(np.frombuffer(buf, dtype=U8), count=offset + n, bitorder="little")[offset:]


def tri_column(col: pa.Array | None, n: int) -> np.ndarray:
    """Arrow booleans -> 0 (false) / 1 (null) / 2 (true), straight from the value and validity bitmaps."""
    if col is None or col.null_count == n:
        return np.ones(n, dtype=U8)
    validity, values = col.buffers()
    v = _bits(values, col.offset, n)
    out: np.ndarray
    if validity is None or col.null_count == 0:
        out = v << 1
    else:
        ok = _bits(validity, col.offset, n)
        out = ((v & ok) << 1) | (ok ^ 1)
    return out


def number_column(col: pa.Array | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Float values (0 where unknown) and whether each is known, from the Arrow buffers."""
    if col is None or col.null_count == n:
        return np.zeros(n), np.zeros(n, dtype=bool)
    if col.type != pa.float64():
        col = col.cast(pa.float64())
    validity, values = col.buffers()
    vals = np.frombuffer(values, dtype=np.float64, count=col.offset + n)[col.offset:]
    if validity is None or col.null_count == 0:
        return vals, np.ones(n, dtype=bool)
    valid = _bits(validity, col.offset, n).view(bool)
    return np.where(valid, vals, 0.0), valid


def _age_band(age: np.ndarray) -> np.ndarray:
    return np.where(age < 18, 1, np.where(age < 40, 2, np.where(age <= 45, 4, 8))).astype(U8)


def _numbers(table: pa.Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`number_column` of a column of the table by name (none there: every row unknown)."""
    col = table.column(name).combine_chunks() if name in table.column_names else None
    return number_column(col, table.num_rows)


def assessment_ages(table: pa.Table) -> np.ndarray:
    """Per row, the age at assessment the differential weighs (NaN where none), as
    :func:`myoclass.model.findings.assessment_age`: ``age_years`` when it is 18 or more and neither the age at
    onset nor the symptom duration is given."""
    age, has_age = _numbers(table, "age_years")
    _o, has_onset = _numbers(table, "age_at_onset_years")
    _d, has_dur = _numbers(table, "symptom_duration_months")
    return np.where(has_age & ~has_onset & ~has_dur & (age >= 18), age, np.nan)


def first_year_onsets(table: pa.Table) -> np.ndarray:
    """Per row, whether the onset is known to be in the first year of life, as
    :func:`myoclass.model.findings.onset_in_first_year`: the age at onset under 1, or none given and the age under 1."""
    age, has_age = _numbers(table, "age_years")
    onset, has_onset = _numbers(table, "age_at_onset_years")
    out: np.ndarray = (has_onset & (onset < 1)) | (~has_onset & has_age & (age < 1))
    return out


#: the sex a code of :func:`sex_codes` stands for (0: not given, or ``other``, which carries no evidence)
SEX_BY_CODE: tuple[str | None, ...] = (None, "male", "female")


def sex_codes(table: pa.Table) -> np.ndarray:
    """Per row, the ``sex`` the differential weighs as a code of :data:`SEX_BY_CODE` (uint8), as the library hands
    ``values["sex"]`` to :func:`myoclass.reasoning.differential.compute`: male 1, female 2, anything else 0."""
    n = table.num_rows
    out = np.zeros(n, dtype=U8)
    if "sex" not in table.column_names or n == 0:
        return out
    col = table.column("sex").combine_chunks().cast(pa.string())
    for code, name in enumerate(SEX_BY_CODE):
        if name is not None:
            out[np.asarray(pc.fill_null(pc.equal(col, name), False).to_numpy(zero_copy_only=False))] = code
    return out


def state_columns(table: pa.Table) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``(shown, logic)`` findings of validated flat cases: as known, and with mimics presumed absent.

    ``table`` holds validated cases with the derivations of :func:`~myoclass.model.case.parse_case`
    applied (``ck_elevated`` derived, ``biopsy_performed`` taken as true when findings are given).
    """
    n = table.num_rows
    cols = {name: table.column(name).combine_chunks() for name in table.column_names}

    def col(key: str) -> pa.Array | None:
        return cols.get(key)

    s: dict[str, np.ndarray] = {}
    for name, f in FINDINGS.items():
        if f.is_bool and name in FIELDS:
            s[name] = tri_column(col(name), n)
    no_biopsy = s["biopsy_performed"] == 0
    for k in BIOPSY_ITEMS:
        s[k] = np.where(no_biopsy, 0, s[k]).astype(U8)
    gene = col("genetic_diagnosis_gene")
    s["genetic_diagnosis"] = (np.ones(n, dtype=U8) if gene is None
                              else np.where(np.asarray(gene.is_valid().to_numpy(zero_copy_only=False)), 2, 1).astype(U8))
    onset, has_onset = number_column(col("age_at_onset_years"), n)
    age, has_age = number_column(col("age_years"), n)
    dur, has_dur = number_column(col("symptom_duration_months"), n)
    # as findings.onset_age_mask: the onset, else the window age - duration, else every band up to the age
    top = _age_band(age).astype(np.int16)
    upto = (top << 1) - 1
    at = age - dur / 12.0
    lo, hi = at - DURATION_SLACK_YEARS, at + AGE_SLACK_YEARS + DURATION_SLACK_YEARS
    window = ((_age_band(hi).astype(np.int16) << 1) - _age_band(np.maximum(lo, 0.0))) & upto
    narrowed = has_dur & (hi >= 0)
    band = np.where(has_age, np.where(narrowed, window, upto), 15)
    s["onset_age_band"] = np.where(has_onset, _age_band(onset), band).astype(U8)
    ck, has_ck = number_column(col("ck_u_l"), n)
    uln, has_uln = number_column(col("ck_uln_u_l"), n)
    elev = tri_column(col("ck_elevated"), n)
    both = has_ck & has_uln
    from_numbers = np.where(ck <= uln, 1, np.where(ck <= CK_BAND_HIGH_TIMES * uln, 2, 4))
    from_flag = np.where(elev == 1, 7, np.where(elev == 2, 6, 1))
    # as findings.display_state: a CK over 15 times every laboratory's limit is in the top band (model.ck)
    over = has_ck & (elev != 0) & over_high_band(ck, np.where(has_age, age, np.nan), np.where(has_onset, onset, np.nan))
    s["ck_band"] = np.where(both, from_numbers, np.where(over, 4, from_flag)).astype(U8)
    # as ages.duration_mask: the duration, else the gap between the age and the age at onset
    from_ages = duration_mask_of_gap(age - onset)
    s["duration_band"] = np.where(has_dur, np.where(dur > 12, 2, 1),
                                  np.where(has_age & has_onset, from_ages, 3)).astype(U8)
    for name in ("onset_tempo", "statin_withdrawal_outcome", "immunosuppression_response"):
        f = FINDINGS[name]
        c = col(name)
        out = np.full(n, f.full, dtype=U8)
        if c is not None:
            for value in f.values:
                hit = np.asarray(pc.equal(c, value).fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
                out[hit] = f.bit(value)
        s[name] = out
    logic = dict(s)
    for name in MIMICS:
        logic[name] = np.where(s[name] == 1, 0, s[name]).astype(U8)
    return s, logic
