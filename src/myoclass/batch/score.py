"""``score_batch``: one Arrow batch of flat cases in, one row of results per case out.

The common path never loops over rows in Python: values are validated with vectorised checks, the
findings and every criteria definition are evaluated over columns (:mod:`.columnar`), and the
reachable labels and next tests come from a native loop over rows in C, which runs the decision
diagram's passes (:mod:`myoclass.logic.diagram`: exact, no budget) and writes each row's next tests. Rows that fail a
check take the uncommon path: they are re-read one by one by :func:`~myoclass.model.case.parse_case`
for the exact message, and returned as rejects, never dropped silently and never stopping the batch.

The differential (issue 10) is computed per row, after the C loop, by :func:`row_differential`: the
same call on the same display state as :func:`myoclass.reasoning.assess.assess_with`, and the C loop's
next tests ranked by :func:`~myoclass.reasoning.next_tests.rank_next_tests` with it. Rows of a batch with
the same findings (and next tests) share one computation; nothing is kept from one batch to the next.

Output columns (one row per accepted case): ``case_id``, ``reference_label`` (only when the input has
that column), ``label``, ``certainty``, ``reachable_labels`` (JSON text), ``reachable_labels_exact``,
``next_tests_exact``, ``leading_label``, ``leading_probability``, ``differential`` (JSON text: the
list of ``{"label", "probability"}``, most probable first, as the library's ``differential``),
``differential_exact``, for each set ``<set>_status`` and ``<set>_category``, for EULAR/ACR
``..._model``, ``..._score``, ``..._score_min``, ``..._score_max``, ``..._probability``,
``..._probability_min``, ``..._probability_max``, ``..._subgroup``, and ``next_tests`` (JSON text, in
the library's order, most informative first: finding, purpose, if_true, if_false, ``outcomes`` for
banded findings, ``p_present``, ``p_values`` for banded findings, and ``expected_information``), plus
``row`` (the row number in the input batch).

``reference_label`` (:data:`~myoclass.batch.schema.REFERENCE`), the author's final diagnosis, is
passed through as text; a value outside the label vocabulary (``undetermined`` is not a diagnosis)
rejects its row, with the reason, like any other invalid value.
"""

from __future__ import annotations

import json
import math
import os
import struct
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from myoclass.batch.columnar import (
    SEX_BY_CODE,
    assessment_ages,
    first_year_onsets,
    number_column,
    sex_codes,
    state_columns,
    tri_column,
)
from myoclass.batch.schema import FLAT_SCHEMA, REFERENCE
from myoclass.criteria import Policy
from myoclass.criteria import enmc_2011_ibm as ibm
from myoclass.criteria import eular_acr_2017 as eular
from myoclass.criteria.api import category_key
from myoclass.criteria.eular_acr_2017 import ID as EULAR
from myoclass.criteria.eular_acr_2017 import INTERCEPT, SUBGROUPS
from myoclass.io.rejects import Reject
from myoclass.logic.columns import evaluate_columns
from myoclass.logic.diagram import analyse, diagram_for
from myoclass.model.ages import duration_contradicts, duration_exceeds_age
from myoclass.model.case import MAX_TEXT_CHARS, InvalidCase, check_keys, parse_case, show
from myoclass.model.ck import over_ceiling
from myoclass.model.fields import ANTIBODIES, BIOPSY_ITEMS, FIELDS, GENE_SYMBOL
from myoclass.reasoning import differential as _dx
from myoclass.reasoning.engine import LABELS, MAIN_BUDGET, MIMIC_ORDER, SEARCH_BUDGET, TEST_BUDGET, Engine, engine
from myoclass.reasoning.next_tests import add_informative, rank_next_tests

__all__ = ["READINGS", "Reject", "RowDifferential", "antibody_values", "check_reading", "output_schema",
           "reference_problem", "row_differential", "score_batch"]

#: the differential's reading policies (``clinic``, the default, and ``record``)
READINGS = _dx.READINGS

def _nulls(col: pa.Array) -> np.ndarray:
    if col.null_count == 0:
        return np.zeros(len(col), dtype=bool)
    return np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)


def _bad_rows(t: pa.Table) -> np.ndarray:
    """Rows that break a value rule or a contradiction check (vectorised; messages come later)."""
    n = t.num_rows
    bad = np.zeros(n, dtype=bool)
    for key, spec in FIELDS.items():
        if spec.kind == "bool":
            continue  # any boolean (or null) is a valid finding; contradictions are checked below
        col = t.column(key).combine_chunks()
        if col.null_count == n:
            continue
        if spec.kind == "number":
            v, valid = number_column(col, n)
            out = ~np.isfinite(v)
            if spec.minimum is not None:
                out |= (v <= spec.minimum) if spec.exclusive_minimum else (v < spec.minimum)
            if spec.maximum is not None:
                out |= v > spec.maximum
            bad |= valid & out
        elif spec.kind == "enum":  # a given value outside the allowed ones (is_in is false for a null)
            bad |= (tri_column(pc.is_in(col, value_set=pa.array(list(spec.values))), n) == 0) & ~_nulls(col)
        elif key == "genetic_diagnosis_gene":  # a given value not shaped like a gene symbol
            bad |= tri_column(pc.match_substring_regex(col, GENE_SYMBOL.pattern), n) == 0
        elif spec.kind == "string":  # an empty text (unknown is null, not ""), or one longer than allowed
            bad |= tri_column(pc.equal(col, ""), n) == 2
            bad |= tri_column(pc.greater(pc.utf8_length(col), MAX_TEXT_CHARS), n) == 2

    def b(key: str) -> np.ndarray:  # 2 true, 0 false, 1 null
        return tri_column(t.column(key).combine_chunks(), n)

    def num(key: str) -> tuple[np.ndarray, np.ndarray]:
        return number_column(t.column(key).combine_chunks(), n)

    ck, has_ck = num("ck_u_l")
    uln, has_uln = num("ck_uln_u_l")
    elev = b("ck_elevated")
    both = has_ck & has_uln
    bad |= both & (elev != 1) & ((elev == 2) != (ck > uln))
    bad |= (b("weakness_neck_flexor_gt_extensor") == 2) & (b("weakness_neck_extensor_gt_flexor") == 2)
    any_biopsy = np.zeros(n, dtype=bool)
    for k in BIOPSY_ITEMS:
        any_biopsy |= b(k) != 1
    bad |= (b("biopsy_performed") == 0) & any_biopsy
    bad |= (b("biopsy_necrosis_predominant") == 2) & (b("biopsy_necrotic_fibers") == 0)
    withdrawal = ~_nulls(t.column("statin_withdrawal_outcome").combine_chunks())
    bad |= withdrawal & (b("statin_exposure") == 0)
    onset, has_onset = num("age_at_onset_years")
    age, has_age = num("age_years")
    bad |= has_onset & has_age & (onset > age)
    dur, has_dur = num("symptom_duration_months")
    with np.errstate(invalid="ignore"):  # missing values are NaN; their rows are masked out
        bad |= has_onset & has_age & has_dur & (onset <= age) & duration_contradicts(dur, age, onset)
        bad |= ~has_onset & has_age & has_dur & duration_exceeds_age(dur, age)
    return bad


def _derive(t: pa.Table) -> pa.Table:
    """The derivations of parse_case: ck_elevated from the numbers (or from a CK above every laboratory's
    limit, :mod:`myoclass.model.ck`), biopsy_performed from findings, statin_exposure from a statin withdrawal
    outcome."""
    n = t.num_rows
    ck = t.column("ck_u_l")
    uln = t.column("ck_uln_u_l")
    derived = pc.greater(ck, uln)
    ck_v, has_ck = number_column(ck.combine_chunks(), n)
    age, has_age = number_column(t.column("age_years").combine_chunks(), n)
    onset, has_onset = number_column(t.column("age_at_onset_years").combine_chunks(), n)
    over = has_ck & over_ceiling(ck_v, np.where(has_age, age, np.nan), np.where(has_onset, onset, np.nan))
    elev = pc.coalesce(t.column("ck_elevated"), derived, pa.array(over, mask=~over))  # true where over, else null
    t = t.set_column(t.schema.get_field_index("ck_elevated"), "ck_elevated", elev)
    any_given = None
    for k in BIOPSY_ITEMS:
        given = pc.is_valid(t.column(k))
        any_given = given if any_given is None else pc.or_(any_given, given)
    bp = t.column("biopsy_performed")
    filled = pc.if_else(pc.and_(pc.is_null(bp), any_given), True, bp)
    t = t.set_column(t.schema.get_field_index("biopsy_performed"), "biopsy_performed", filled)
    # a course after stopping a statin presupposes one was taken (parse_case's STATIN_TAKEN_NOTE)
    st = t.column("statin_exposure")
    taken = pc.if_else(pc.and_(pc.is_null(st), pc.is_valid(t.column("statin_withdrawal_outcome"))), True, st)
    return t.set_column(t.schema.get_field_index("statin_exposure"), "statin_exposure", taken)


def conform(table: pa.Table) -> pa.Table:
    """Columns of the data dictionary only, cast to their types; missing columns become unknown.

    Raises :class:`~myoclass.errors.UnknownColumn` (an :class:`InvalidCase`) for a column that is not a key
    of the data dictionary (a typo must not silently become "unknown").
    """
    check_keys(table.column_names)
    cols = []
    for field in FLAT_SCHEMA:
        if field.name in table.column_names:
            col = table.column(field.name)
            cols.append(col if col.type == field.type else col.cast(field.type))
        else:
            cols.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(cols, schema=FLAT_SCHEMA)


def output_schema(eng: Engine, reference: bool = False) -> pa.Schema:
    """The result columns; ``reference``: with the ``reference_label`` column (the input has one)."""
    fields = [pa.field("row", pa.int64()), pa.field("case_id", pa.string())]
    if reference:
        fields.append(pa.field(REFERENCE, pa.string()))
    fields += [pa.field("label", pa.string()),
               pa.field("certainty", pa.string()), pa.field("reachable_labels", pa.string()),
               pa.field("reachable_labels_exact", pa.bool_()), pa.field("next_tests_exact", pa.bool_()),
               pa.field("leading_label", pa.string()), pa.field("leading_probability", pa.float64()),
               pa.field("differential", pa.string()), pa.field("differential_exact", pa.bool_())]
    for s in eng.sets:
        fields += [pa.field(f"{s.id}_status", pa.string()), pa.field(f"{s.id}_category", pa.string())]
    fields += [pa.field(f"{EULAR}_model", pa.string())]
    fields += [pa.field(f"{EULAR}_{k}", pa.float64()) for k in ("score", "score_min", "score_max", "probability",
                                                                "probability_min", "probability_max")]
    fields += [pa.field(f"{EULAR}_subgroup", pa.string()), pa.field("next_tests", pa.string())]
    return pa.schema(fields)


def _prob(score_tenths: np.ndarray, model: str) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(INTERCEPT[model] - score_tenths / 10.0))


def check_reading(reading: str) -> str:
    """``reading`` if it is a reading policy, else ``ValueError`` naming the allowed ones."""
    if reading not in READINGS:
        raise ValueError(f"unknown reading policy {reading!r}; allowed: {', '.join(READINGS)}")
    return reading


def reference_problem(value: Any) -> str | None:
    """Why ``value`` is not a ``reference_label`` (a label of the vocabulary, or null), or None if it is one."""
    if value is None or (isinstance(value, str) and value in LABELS):
        return None
    return f"{REFERENCE}: {show(value)} is not allowed; allowed: {', '.join(LABELS)} or null"


def score_batch(batch: pa.RecordBatch | pa.Table, policy: Policy = Policy(), first_row: int = 0,
                reading: str = "clinic", reference: bool | None = None) -> tuple[pa.Table, list[Reject]]:
    """Score a batch of flat cases. Returns ``(results, rejects)``; ``row`` numbers count from ``first_row``.

    ``reading`` is the differential's reading policy (:data:`READINGS`). ``reference``: whether the results
    carry ``reference_label`` (None: when the batch has that column; True without it: all null).
    """
    check_reading(reading)
    eng = engine(policy)
    raw = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    ref: pa.Array | None = None
    if REFERENCE in raw.column_names:
        ref = raw.column(REFERENCE).combine_chunks()
        if ref.type != pa.string():
            ref = ref.cast(pa.string())
        raw = raw.drop_columns([REFERENCE])
    if reference is None:
        reference = ref is not None
    table = conform(raw)
    n = table.num_rows
    bad = _bad_rows(table)
    ref_bad = np.zeros(n, dtype=bool)
    if ref is not None:
        ref_bad = (tri_column(pc.is_in(ref, value_set=pa.array(list(LABELS))), n) == 0) & ~_nulls(ref)
    rejects: list[Reject] = []
    if bad.any() or ref_bad.any():
        for i in np.flatnonzero(bad | ref_bad):
            row = {k: v for k, v in table.slice(int(i), 1).to_pylist()[0].items() if v is not None}
            cid = row.get("case_id")
            reasons = []
            if bad[i]:
                try:
                    parse_case(row)
                    reasons.append("rejected by a value check")  # pragma: no cover - the checks mirror parse_case
                except InvalidCase as e:
                    reasons.append(str(e))
            if ref_bad[i]:
                assert ref is not None
                reasons.append(reference_problem(ref[int(i)].as_py()) or "")
            rejects.append(Reject(first_row + int(i), cid if isinstance(cid, str) else None, "; ".join(reasons)))
        keep = np.flatnonzero(~(bad | ref_bad))
        table = table.take(pa.array(keep))
    else:
        keep = np.arange(n)
    table = _derive(table)
    m = table.num_rows
    shown, logic = state_columns(table)
    names = [k for k in eng.program.defs if not k.startswith("label.")]
    v = evaluate_columns(eng.program.defs, names, logic) if m else {}
    cols: dict[str, Any] = {"row": pa.array(keep + first_row, pa.int64()), "case_id": table.column("case_id")}
    reach, exact, tests_exact, next_json = _analyse(eng, shown, logic, m)
    codes = _label_codes(reach)
    cols["label"] = _coded(codes, _LABEL_NAMES)
    cols["certainty"] = _certainty(v, codes, m)
    cols["reachable_labels"] = _reachable_text(reach)
    cols["reachable_labels_exact"] = pa.array(exact.astype(bool))
    cols["next_tests_exact"] = pa.array(tests_exact.astype(bool))
    if reference:
        cols[REFERENCE] = pa.nulls(m, pa.string()) if ref is None else ref.take(pa.array(keep))
    # next_tests: ranked, with probabilities
    cols.update(_differentials(eng, shown, next_json, reading, m, assessment_ages(table), reach,
                               first_year_onsets(table), sex_codes(table)))
    del next_json  # the unranked texts (large on thin cases) are not kept while the batch is assembled
    for s in eng.sets:
        cols[f"{s.id}_status"], cols[f"{s.id}_category"] = _status_category(v, s, m)
    cols.update(_eular(v, logic, m, eng))
    schema = output_schema(eng, reference)
    return pa.Table.from_pydict({f.name: cols[f.name] for f in schema}, schema=schema), rejects


_THREADS = int(os.environ.get("MYOCLASS_THREADS", "0")) or (os.cpu_count() or 1)
#: the threads of the native row loop, one per core (an executor starts its threads on first use)
_ROW_POOL = ThreadPoolExecutor(_THREADS, thread_name_prefix="myoclass-rows")


def use_row_threads(n: int) -> None:
    """Run the native row loop of this process on ``n`` threads (a scoring worker process, one of several
    sharing the cores, takes its share). Call before scoring, from one thread."""
    global _THREADS, _ROW_POOL
    if n < 1:
        raise ValueError(f"row threads must be at least 1, not {n}")
    if n != _THREADS:
        _ROW_POOL.shutdown(wait=True)
        _THREADS, _ROW_POOL = n, ThreadPoolExecutor(n, thread_name_prefix="myoclass-rows")

#: label names by code: the labels in precedence order, then "undetermined" (more than one reachable)
_LABEL_NAMES = [*LABELS, "undetermined"]


def _coded(codes: np.ndarray, names: list[Any]) -> pa.Array:
    """Strings from integer codes into ``names`` (None for a null), built in Arrow."""
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(names, pa.string())).cast(pa.string())


def _label_codes(reach: np.ndarray) -> np.ndarray:
    """Index into ``_LABEL_NAMES`` of each row: its one reachable label, else "undetermined"."""
    single = (reach != 0) & ((reach & (reach - 1)) == 0)
    return np.where(single, np.log2(np.maximum(reach, 1)).astype(np.int64), len(LABELS))


_REACHABLE_TEXT: dict[int, str] = {}


def _reachable_text(reach: np.ndarray) -> pa.Array:
    """JSON lists of label names from the label bit masks (each distinct mask written once)."""
    seen = np.bincount(reach, minlength=1) > 0  # masks have len(LABELS) + 1 bits: a small table
    index = np.cumsum(seen, dtype=np.int32) - 1  # mask -> its place among the masks seen
    texts = []
    for u in np.flatnonzero(seen).tolist():
        if u not in _REACHABLE_TEXT:
            _REACHABLE_TEXT[u] = json.dumps([lab for i, lab in enumerate(LABELS) if u >> i & 1])
        texts.append(_REACHABLE_TEXT[u])
    return _coded(index[reach], texts)


def _analyse(eng: Engine, shown: dict[str, np.ndarray], logic: dict[str, np.ndarray],
             m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array | pa.ChunkedArray]:
    if m == 0:
        z = np.zeros(0, dtype=np.uint32)
        return z, z.astype(np.uint8), z.astype(np.uint8), pa.array([], pa.string())
    states = np.ascontiguousarray(np.stack([logic[name] for name in eng.var_names], axis=1), dtype=np.uint8)
    mimic = np.zeros(m, dtype=np.uint8)
    for bit, name in enumerate(MIMIC_ORDER):
        mimic |= ((shown[name] == 1).astype(np.uint8) << bit).astype(np.uint8)
    d = diagram_for(eng)
    dd = None if d is None else d.c_passes()
    if eng.native is not None and (d is None or dd is not None):
        native = eng.native
        # The C loop releases the GIL: the rows go in slices to one pool of a thread per core, shared by
        # the batches in flight (a core that finishes its slices early takes the next batch's). With the
        # decision diagram's passes it is exact on every row; the budgets serve only the search without it.
        slices = max(1, min(4 * _THREADS, m // 4096))
        bounds = np.linspace(0, m, slices + 1).astype(int)

        def run(k: int) -> Any:
            a, b = bounds[k], bounds[k + 1]
            return native.analyse_batch(states[a:b], mimic[a:b], eng.deciding_index, MAIN_BUDGET, SEARCH_BUDGET,
                                        TEST_BUDGET, dd)

        if slices == 1 or _THREADS == 1:
            parts = [run(k) for k in range(slices)]
        else:
            parts = list(_ROW_POOL.map(run, range(slices)))
        reach = np.concatenate([p[0] for p in parts])
        exact = np.concatenate([p[1] for p in parts])
        tests_exact = np.concatenate([p[2] for p in parts])
        texts = pa.chunked_array([pa.StringArray.from_buffers(len(offs) - 1, pa.py_buffer(offs), pa.py_buffer(data))
                                  for p in parts for data, offs in p[3]], pa.string())
        return reach, exact, tests_exact, texts
    return _analyse_py(eng, states, mimic)  # pragma: no cover - exercised where no C compiler is found


def _analyse_py(eng: Engine, states: np.ndarray, mimic: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, pa.Array]:
    """The same analysis row by row in Python (the fallback where no C compiler is available)."""
    from myoclass.reasoning.next_tests import next_tests_compact

    m = states.shape[0]
    reach = np.zeros(m, dtype=np.uint32)
    exact = np.zeros(m, dtype=np.uint8)
    tests_exact = np.zeros(m, dtype=np.uint8)
    texts = []
    for i in range(m):
        packed = states[i].tobytes()
        r, ex, tex, outcomes = analyse(eng, packed)
        reach[i], exact[i], tests_exact[i] = r, ex, tex
        texts.append(json.dumps(next_tests_compact(eng, packed, r, outcomes, int(mimic[i])), separators=(",", ":")))
    return reach, exact, tests_exact, pa.array(texts, pa.string())


@dataclass(frozen=True)
class RowDifferential:
    """One row's differential and ranked next tests: the library's ``summary.leading_label``,
    ``summary.leading_probability``, ``differential``, ``differential_exact`` and ``next_tests`` order."""

    leading_label: str
    leading_probability: float
    differential: list[dict[str, Any]]
    exact: bool
    next_tests: list[dict[str, Any]]


#: a boolean finding's value from its display state (as :func:`~myoclass.model.findings.display_state` maps it)
_VALUE: dict[int, bool | None] = {0: False, 1: None, 2: True}


def antibody_values(eng: Engine, shown: bytes) -> dict[str, bool | None]:
    """The antibody results of a case (flat key -> true, false or None) from its packed display state.

    This is all :func:`myoclass.reasoning.differential.compute` reads of a case's ``values``: whether some
    antibody result was given (the ``record`` reading). Every antibody of the data dictionary is a boolean
    finding whose display state is its value, so the mapping equals the case's own.
    """
    return {a: _VALUE[shown[eng.var_index[a]]] for a in ANTIBODIES}


def row_differential(eng: Engine, shown: bytes, next_tests: list[dict[str, Any]], open_label: bool,
                     reading: str = "clinic", age_now: float | None = None,
                     first_year: bool = False, sex: str | None = None) -> RowDifferential:
    """The differential of one case and its next tests ranked by expected information, as the library has them.

    ``shown`` is the case's packed display state (``eng.var_names`` order; unknown mimic findings stay
    unknown), which :func:`~myoclass.reasoning.assess.assess_with` passes to the differential too;
    ``next_tests`` are the compact entries in their search order (:func:`~myoclass.reasoning.next_tests.next_tests_compact`,
    or the native row loop's), ranked in place by :func:`~myoclass.reasoning.next_tests.rank_next_tests`.
    ``age_now`` is the case's :func:`~myoclass.model.findings.assessment_age` (``assessment_ages`` per row), and
    ``first_year`` its :func:`~myoclass.model.findings.onset_in_first_year` (``first_year_onsets`` per row), and
    ``sex`` its ``sex`` (``sex_codes`` per row).
    ``open_label``: the criteria leave the label open (more than one label reachable: the strict label is
    ``undetermined``), read off the row's reachable labels as the library reads its label.
    """
    dif = _dx.compute(shown, reading, eng.policy, derivatives=bool(next_tests) or open_label,
                      values=antibody_values(eng, shown), age_now=age_now, first_year=first_year,
                      sex=sex)
    ranked = add_informative(rank_next_tests(next_tests, dif, shown[eng.var_index["biopsy_performed"]]), dif, eng,
                             shown, compact=True, open_label=open_label)
    out = _dx.rounded(dif.p_label)
    return RowDifferential(out[0]["label"], out[0]["probability"], out, bool(dif.exact), ranked)


#: rows whose next tests are read into Python objects at a time (keeps a batch's Python objects small)
_CHUNK = 4096
_DIFFERENTIAL_COLUMNS = {"leading_label": pa.string(), "leading_probability": pa.float64(), "differential": pa.string(),
                         "differential_exact": pa.bool_(), "next_tests": pa.string()}


def _differentials(eng: Engine, shown: dict[str, np.ndarray], next_json: pa.Array | pa.ChunkedArray, reading: str,
                   m: int, ages: np.ndarray, reach: np.ndarray,
                   first_year: np.ndarray, sex: np.ndarray) -> dict[str, pa.Array | pa.ChunkedArray]:
    """The differential columns and the ranked ``next_tests`` of a batch, by :func:`row_differential`; ``reach``
    holds each row's reachable-labels mask (the label is open where it has more than one bit), ``first_year``
    whether its onset is known to be in the first year of life, ``sex`` its code of
    :data:`~myoclass.batch.columnar.SEX_BY_CODE`.

    Rows of the batch with the same display state, the same age at assessment to weigh (``ages``, NaN for none),
    the same first-year onset and the same sex share one computation (their next tests are the same: a function of
    the state; the text's hash is checked anyway). Nothing outlives the batch.
    """
    if m == 0:
        return {k: pa.chunked_array([], t) for k, t in _DIFFERENTIAL_COLUMNS.items()}
    states = np.ascontiguousarray(np.stack([shown[name] for name in eng.var_names], axis=1), dtype=np.uint8)
    seen: dict[bytes, tuple[int, int]] = {}  # display state -> (its place among the computed rows, hash of its tests)
    parts: dict[str, list[pa.Array]] = {k: [] for k in _DIFFERENTIAL_COLUMNS}
    index = np.empty(m, dtype=np.int64)
    done = 0
    for a in range(0, m, _CHUNK):
        texts = next_json.slice(a, min(_CHUNK, m - a)).to_pylist()
        rows: list[tuple[str, float, str, bool, str]] = []
        for j, text in enumerate(texts):
            age = float(ages[a + j])
            state, fy, sx = states[a + j].tobytes(), bool(first_year[a + j]), int(sex[a + j])
            key = state + bytes((fy, sx)) + (b"" if math.isnan(age) else struct.pack("<d", age))
            h = hash(text)
            hit = seen.get(key)
            if hit is not None and hit[1] == h:
                index[a + j] = hit[0]
                continue
            mask = int(reach[a + j])
            d = row_differential(eng, state, json.loads(text), bool(mask & (mask - 1)), reading,
                                 None if math.isnan(age) else age, fy, SEX_BY_CODE[sx])
            rows.append((d.leading_label, d.leading_probability, json.dumps(d.differential, separators=(",", ":")),
                         d.exact, json.dumps(d.next_tests, separators=(",", ":"))))
            seen[key] = (done, h)
            index[a + j] = done
            done += 1
        for (name, typ), values in zip(_DIFFERENTIAL_COLUMNS.items(), zip(*rows, strict=True), strict=True) if rows else ():
            parts[name].append(pa.array(values, typ))
    if done == m:  # every row computed, in order: the chunks' arrays are the columns (no copy)
        return {name: pa.chunked_array(parts[name], typ) for name, typ in _DIFFERENTIAL_COLUMNS.items()}
    # rows alike: taken from the computed ones a chunk at a time (one take over the whole batch would build
    # its text columns in buffers grown by doubling, several times their size at the peak)
    out: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name, typ in _DIFFERENTIAL_COLUMNS.items():
        computed = pa.concat_arrays(parts.pop(name))
        out[name] = pa.chunked_array([computed.take(pa.array(index[a:a + _CHUNK])) for a in range(0, m, _CHUNK)], typ)
    return out


_EULAR_LABEL_CODES = [LABELS.index(x) for x in ("dm", "adm", "jdm", "pm", "juvenile_myositis_other")]


def _certainty(v: dict[str, Any], codes: np.ndarray, m: int) -> pa.Array:
    """"definite" / "probable" for labels whose set grades them (EULAR/ACR, ENMC 2011 IBM), else null."""
    if m == 0:
        return pa.array([], pa.string())
    # as myoclass.criteria.eular_acr_2017.certainty and the IBM grading of the assessment, over columns
    from_eular = np.where(v[category_key(EULAR, eular.DEFINITE)] == 2, 2, np.where(v[f"{EULAR}.iim"] == 2, 1, 0))
    from_ibm = np.where(v[category_key(ibm.ID, ibm.CLINICO_PATHOLOGICAL)] == 2, 2,
                        np.where(v[f"{ibm.ID}.met"] == 2, 1, from_eular))
    out = np.where(np.isin(codes, _EULAR_LABEL_CODES), from_eular, np.where(codes == LABELS.index("ibm"), from_ibm, 0))
    return _coded(out, [None, "probable", "definite"])


def _status_category(v: dict[str, Any], s: Any, m: int) -> tuple[pa.Array, pa.Array]:
    if m == 0:
        return pa.array([], pa.string()), pa.array([], pa.string())
    met = v[f"{s.id}.met"]
    status = pa.DictionaryArray.from_arrays(pa.array(met.astype(np.int8)), pa.array(["not_met", "undetermined", "met"]))
    cats = [v[s.category_key(c.id)] for c in s.categories]
    names = [c.name for c in s.categories] + ["undetermined", s.not_met_category]
    idx = np.full(m, len(cats) + 1, dtype=np.int16)
    any_unknown = np.zeros(m, dtype=bool)
    for c in cats:
        any_unknown |= c == 1
    idx[any_unknown] = len(cats)
    for k in range(len(cats) - 1, -1, -1):
        idx[cats[k] == 2] = k  # the first true category wins (assigned last)
    category = pa.DictionaryArray.from_arrays(pa.array(idx), pa.array(names))
    return status.cast(pa.string()), category.cast(pa.string())


def _eular(v: dict[str, Any], logic: dict[str, np.ndarray], m: int, eng: Engine) -> dict[str, pa.Array]:
    out: dict[str, pa.Array] = {}
    if m == 0:
        for k in ("model", "subgroup"):
            out[f"{EULAR}_{k}"] = pa.array([], pa.string())
        for k in ("score", "score_min", "score_max", "probability", "probability_min", "probability_max"):
            out[f"{EULAR}_{k}"] = pa.array([], pa.float64())
        return out
    bp = logic["biopsy_performed"]
    lo_wo, hi_wo = v[f"{EULAR}.score_without_biopsy"]
    lo_wb, hi_wb = v[f"{EULAR}.score_with_biopsy"]
    with_b, without_b = bp == 2, bp == 0
    smin = np.where(with_b, lo_wb, np.where(without_b, lo_wo, np.minimum(lo_wo, lo_wb))) / 10.0
    smax = np.where(with_b, hi_wb, np.where(without_b, hi_wo, np.maximum(hi_wo, hi_wb))) / 10.0
    p_lo_wo, p_lo_wb = _prob(lo_wo, "without_biopsy"), _prob(lo_wb, "with_biopsy")
    p_hi_wo, p_hi_wb = _prob(hi_wo, "without_biopsy"), _prob(hi_wb, "with_biopsy")
    pmin = np.round(np.where(with_b, p_lo_wb, np.where(without_b, p_lo_wo, np.minimum(p_lo_wo, p_lo_wb))), 4)
    pmax = np.round(np.where(with_b, p_hi_wb, np.where(without_b, p_hi_wo, np.maximum(p_hi_wo, p_hi_wb))), 4)
    settled = (with_b | without_b) & (smin == smax)
    out[f"{EULAR}_model"] = _coded(np.where(with_b, 0, np.where(without_b, 1, 2)), ["with_biopsy", "without_biopsy", None])
    out[f"{EULAR}_score"] = pa.array(np.where(settled, smin, np.nan), pa.float64(), from_pandas=True)
    out[f"{EULAR}_score_min"] = pa.array(smin, pa.float64())
    out[f"{EULAR}_score_max"] = pa.array(smax, pa.float64())
    out[f"{EULAR}_probability"] = pa.array(np.where(settled, pmin, np.nan), pa.float64(), from_pandas=True)
    out[f"{EULAR}_probability_min"] = pa.array(pmin, pa.float64())
    out[f"{EULAR}_probability_max"] = pa.array(pmax, pa.float64())
    keys, names = list(SUBGROUPS), list(SUBGROUPS.values())
    sub = np.full(m, len(names), dtype=np.int32)
    for j in range(len(names) - 1, -1, -1):
        sub[v[f"{EULAR}.{keys[j]}"] == 2] = j
    out[f"{EULAR}_subgroup"] = _coded(sub, [*names, None])
    return out
