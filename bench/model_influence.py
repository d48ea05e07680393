"""Which assumed numbers of the differential's model move the answer most (issue 10: "the output lists which
assumed numbers a result rests on"; the model's docs: "the assumed numbers must be reviewed before the
differential is relied on"). This prints the order in which to review them.

For every number tagged ``assumed``, the script moves it by a factor of two in odds, up and down (a boolean's
P(present), or one value of a categorical distribution, whose other values keep their ratio and share the
rest), rebuilds the model's arrays, and recomputes the differential of every case. A number's influence is
the mean, over the cases, of the total variation distance between the differential before and after
(0.5 * sum |p - p'|), taking the larger of the two moves; the script also counts the cases whose leading
label changes.

The cases are the findings of the published cases (data/validation/*.jsonl) under the default (clinic)
reading. Their reference labels are never read: the ranking says which assumptions the differentials of thin
real reports rest on, not which way the truth lies, so reading the ranked numbers in the literature does not
fit the sets. The model itself is not changed by this script.

Usage: python bench/model_influence.py [--top N] [--cases N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))  # bench/validate.py: the validation sets and their loader

from myoclass import parse_case
from myoclass.model.findings import assessment_age, display_state, onset_in_first_year
from myoclass.reasoning import differential as dx
from myoclass.reasoning import differential_model as M
from myoclass.reasoning import differential_tables as T
from myoclass.reasoning.engine import LABELS, engine
from validate import PATH, SCORED_SETS, load  # bench/validate.py

FACTOR = 2.0  # odds moved up and down by this factor


#: a case as myoclass.assess hands it to the differential: packed findings, flat values, age at assessment to weigh,
#: onset in the first year
Case = tuple[bytes, dict[str, Any], float | None, bool, str | None]


def cases(limit: int | None) -> list[Case]:
    eng = engine()
    out = []
    for path in (PATH, *(p for _name, p, _status in SCORED_SETS)):
        for record in load(path):
            case = parse_case(record["flat_case"])  # the reference label is not read
            out.append((eng.pack(display_state(case)), case.values, assessment_age(case.values),
                        onset_in_first_year(case.values), case.values.get("sex")))
    return out[:limit] if limit else out


def differentials(cs: list[Case]) -> np.ndarray:
    T.clear_model_cache()
    return np.array([dx.compute(p, "clinic", derivatives=False, values=v, age_now=a, first_year=fy, sex=sx).p_label
                     for p, v, a, fy, sx in cs])


def _odds(p: float, f: float) -> float:
    o = p / (1 - p) * f
    return o / (1 + o)


def perturbations() -> list[tuple[str, Callable[[float], Callable[[], None]]]]:
    """(name, move): move(factor) applies the change and returns its undo."""
    out: list[tuple[str, Callable[[float], Callable[[], None]]]] = []

    def bool_move(table: dict[str, dict[str, M.Number]], f_: str, c: str) -> Callable[[float], Callable[[], None]]:
        def move(f: float) -> Callable[[], None]:
            old = table[f_][c]
            table[f_][c] = replace(old, value=_odds(old.value, f))

            def undo() -> None:
                table[f_][c] = old
            return undo
        return move

    def cat_move(var: str, c: str, v: str) -> Callable[[float], Callable[[], None]]:
        def move(f: float) -> Callable[[], None]:
            old = dict(M.CATEGORICAL[var][c])
            p = old[v].value
            q = _odds(p, f)
            rest = 1 - p
            new = {k: replace(n, value=(q if k == v else n.value * (1 - q) / rest if rest > 0 else 0.0))
                   for k, n in old.items()}
            M.CATEGORICAL[var][c] = new

            def undo() -> None:
                M.CATEGORICAL[var][c] = old
            return undo
        return move

    tables: tuple[tuple[str, dict[str, dict[str, M.Number]]], ...] = (
        ("boolean", M.BOOLEAN), ("enzyme_given_ck", M.ENZYME_GIVEN_CK), ("cause_emission", M.CAUSE_EMISSION))
    for t, table in tables:
        for var, by in table.items():
            for given, n in by.items():
                if n.tag == "assumed" and 0 < n.value < 1:
                    out.append((f"{t} {var} | {given}", bool_move(table, var, given)))
    for var, by_c in M.CATEGORICAL.items():
        for given, dist in by_c.items():
            for val, n in dist.items():
                if n.tag == "assumed" and 0 < n.value < 1:
                    out.append((f"categorical {var} | {given} = {val}", cat_move(var, given, val)))
    # prior inputs, reporting and assessment numbers feed derived numbers at import, and the first-year numbers
    # (FIRST_YEAR_ONSET) and the shares of men (SEX_MALE) are read into the differential's weights at import: not
    # moved here
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--cases", type=int, default=0, help="use the first N cases only (0: all)")
    args = ap.parse_args()
    cs = cases(args.cases or None)
    t0 = time.perf_counter()
    base = differentials(cs)
    lead = base.argmax(axis=1)
    moves = perturbations()
    print(f"{len(cs)} published cases (findings only), clinic reading; {len(moves)} assumed numbers moved "
          f"x{FACTOR:g} and /{FACTOR:g} in odds; model version {M.MODEL_VERSION}")
    rows = []
    for name, move in moves:
        tv, flips = 0.0, 0
        for f in (FACTOR, 1 / FACTOR):
            undo = move(f)
            try:
                d = differentials(cs)
            finally:
                undo()
            tv = max(tv, float(0.5 * np.abs(d - base).sum(axis=1).mean()))
            flips = max(flips, int((d.argmax(axis=1) != lead).sum()))
        rows.append((tv, flips, name))
    T.clear_model_cache()
    rows.sort(reverse=True)
    print(f"{'rank':>4}  {'mean TV':>8}  {'leads moved':>11}  number")
    for i, (tv, flips, name) in enumerate(rows[:args.top], 1):
        print(f"{i:4d}  {tv:8.4f}  {flips:11d}  {name}")
    total = sum(r[0] for r in rows)
    top = sum(r[0] for r in rows[:args.top])
    share = f"{100 * top / total:.1f}%" if total > 0 else "none (no number moves these cases' differentials)"
    print(f"the top {args.top} carry {share} of the summed influence; "
          f"{sum(1 for r in rows if r[0] < 1e-4)} numbers move no differential by 1e-4 on average")
    print(f"labels: {', '.join(LABELS)}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
