"""Full assessments per second: through the library and through `myoclass assess` on JSON Lines.

Two sets of N varied cases:
  * registry-like: `myoclass.synthetic` (pictures from anti-HMGCR IMNM to dystrophies, with the gaps
    registries have: anti-HMGCR often untested, a biopsy in about two thirds, ...);
  * perturbed examples: the bundled examples with 0-30 % of their findings made unknown and a few flipped.
  * thin: the validation set's published cases (data/validation/published_cases.jsonl) with each known
    finding kept with probability 0.3-0.8, so no two rows are copies (issue 10, item 6).
For each: the library (myoclass.assess -> full assessment with reachable labels, next tests and the
differential), split by how settled the cases are, the differential alone (its share of the time), the
next tests' ``leading_if`` alone (where each result would lead), and the CLI as a whole process
(`myoclass assess FILE.jsonl -f json`). Two figures price the target of issue 10, item 6 (5,000 a second: 200 us a
case): a floor measured on the cohort's own assessments (building the same objects from their JSON text with
``json.loads``, no reasoning at all), and the same assessments with the next tests' information left out (an
experiment, not a mode of myoclass: its output breaks the contract).
Usage: python bench/assess.py [N] [SEED]
"""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import myoclass.reasoning.assess as assess_module
import myoclass.reasoning.differential as differential_module
from myoclass import assess, parse_case
from myoclass.examples import example_cases
from myoclass.model.case import InvalidCase
from myoclass.model.findings import assessment_age, display_state, onset_in_first_year
from myoclass.reasoning.differential import compute, prepare
from myoclass.reasoning.engine import engine
from myoclass.reasoning.next_tests import add_leading_if
from myoclass.synthetic import synthetic_cases, thin_cases

#: issue 10, item 6: full assessments per second through the library on one core, on thin published cases
TARGET_PER_S = 5_000


def perturbed_examples(n: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    ex = example_cases()
    bases = list(ex.values())
    out: list[dict[str, object]] = []
    while len(out) < n:
        case = dict(rng.choice(bases))
        drop = rng.choice([0.0, 0.0, 0.05, 0.1, 0.2, 0.3])
        for k in list(case):
            if k != "case_id" and rng.random() < drop:
                del case[k]
        for k, v in list(case.items()):
            if isinstance(v, bool) and rng.random() < 0.03:
                case[k] = not v
        case["case_id"] = f"bench-{len(out)}"
        try:
            parse_case(case)
        except InvalidCase:
            continue  # a flip made it contradictory: draw again
        out.append(case)
    return out


def thin_published(n: int, seed: int) -> list[dict[str, object]]:
    """N thin cases: a validation-set case with each known finding kept with probability 0.3-0.8, no two
    rows equal (:func:`myoclass.synthetic.thin_cases`)."""
    path = Path(__file__).resolve().parents[1] / "data" / "validation" / "published_cases.jsonl"
    bases = [json.loads(x)["flat_case"] for x in path.read_text().splitlines() if x.strip()]
    return list(thin_cases(bases, n, seed))


def differential_times(cases: list[dict[str, object]], distinct: bool = False) -> tuple[float, float, list[int], int]:
    """The differential alone (``clinic``), timed on the cases' findings as known, the age at assessment and whether
    the onset is in the first year, as :func:`myoclass.assess` hands them to it: seconds a case with derivatives
    (the next tests' information) and without, each computed row's weight vectors (sorted) and how many were
    inexact. With ``distinct``, rows with the same findings, age and first-year onset are computed once (as a batch
    shares them) and the time is still per case."""
    eng = engine()
    rows = []
    seen: set[tuple[bytes, float | None, bool, str | None]] = set()
    for c in cases:
        p = parse_case(c)
        # what assess hands the differential
        key = (eng.pack(display_state(p)), assessment_age(p.values), onset_in_first_year(p.values), p.values.get("sex"))
        if not (distinct and key in seen):
            seen.add(key)
            rows.append((*key, p.values))
    vec, inexact = [], 0
    t0 = time.perf_counter()
    for packed, age, fy, sex, values in rows:
        d = compute(packed, "clinic", values=values, age_now=age, first_year=fy, sex=sex)
        vec.append(d.n_vectors)
        inexact += not d.exact
    t1 = time.perf_counter() - t0
    t0 = time.perf_counter()
    for packed, age, fy, sex, values in rows:
        compute(packed, "clinic", derivatives=False, values=values, age_now=age, first_year=fy, sex=sex)
    t2 = time.perf_counter() - t0
    return t1 / len(cases), t2 / len(cases), sorted(vec), inexact


def differential_only(cases: list[dict[str, object]]) -> None:
    t1, t2, vec, inexact = differential_times(cases)
    n = len(cases)
    us = 1e6 * t1  # a case's differential with derivatives
    print(f"  differential alone: {us:7.0f} us/case with derivatives, {1e6 * t2:7.0f} us without; "
          f"weight vectors mean {sum(vec) / n:.1f}, p50 {vec[n // 2]}, max {vec[-1]}; inexact {inexact}")
    # issue 10's library target is 5,000 full assessments/s: 200 us a case for everything
    print(f"  ceiling: the differential with derivatives alone allows at most {1e6 / us:,.0f} cases/s on one core; "
          f"at {TARGET_PER_S:,}/s everything else would have {max(0.0, 1e6 / TARGET_PER_S - us):.0f} us a case")


def leading_if_time(cases: list[dict[str, object]]) -> tuple[float, float]:
    """Seconds a case that ``leading_if`` (where each next test's results would lead) adds to a full assessment,
    timed on its own: each case's next tests and differential as :func:`myoclass.assess` hands them to
    :func:`~myoclass.reasoning.next_tests.add_leading_if`; and the mean number of next tests it weighs. Where the
    biopsy is known not done, the ranking has already computed the biopsy's information (the differential keeps
    it) before ``leading_if`` reads where a biopsy would lead, so it is computed here before the clock starts too:
    until session 39 this line timed it again, and overstated ``leading_if`` on such cases."""
    eng = engine()
    work = []
    for c in cases:
        p = parse_case(c)
        tests = [{k: v for k, v in t.items() if k != "leading_if"} for t in assess(p)["next_tests"]]
        d = compute(eng.pack(display_state(p)), "clinic", derivatives=bool(tests), values=p.values,
                    age_now=assessment_age(p.values), first_year=onset_in_first_year(p.values),
                    sex=p.values.get("sex"))
        if p.values.get("biopsy_performed") is False and any(t["finding"] == "biopsy_performed" for t in tests):
            d.biopsy_information()  # as rank_next_tests does inside assess
        work.append((tests, d))
    # inside assess there is one case's differential at a time: the thousands prepared here are kept out of the
    # garbage collector's passes while the clock runs, which would otherwise walk them all (about half the time)
    gc.collect()
    gc.freeze()
    try:
        t0 = time.perf_counter()
        for tests, d in work:
            add_leading_if(tests, d)
        elapsed = time.perf_counter() - t0
    finally:
        gc.unfreeze()
    weighed = sum(len([t for t in tests if "leading_if" in t]) for tests, _d in work)
    return elapsed / len(cases), weighed / len(cases)


#: at most this many of a cohort's assessments are kept for the floor (their JSON text is about 50 KB each)
FLOOR_SAMPLE = 1_000


def output_floor(outputs: list[dict[str, object]]) -> tuple[float, float, float]:
    """The floor of a full assessment in Python, measured on the assessments themselves: seconds a case to build the
    same objects again from their JSON text (``json.loads``, no reasoning at all), the text's mean size in bytes,
    and seconds a case to write it (``json.dumps``, as the CLI and the API do)."""
    t0 = time.perf_counter()
    texts = [json.dumps(a) for a in outputs]
    dump = (time.perf_counter() - t0) / len(texts)
    t0 = time.perf_counter()
    for t in texts:
        json.loads(t)
    load = (time.perf_counter() - t0) / len(texts)
    return load, sum(map(len, texts)) / len(texts), dump


def without_information(cases: list[dict[str, object]]) -> float:
    """Seconds a case for the same full assessments with the next tests' information left out: the differential
    without its derivatives, the next tests in their search order with no ``p_present``, ``expected_information``,
    ``informs`` or ``leading_if``. Not a mode of myoclass (its output breaks the contract of issue 10, item 3): an
    experiment that prices one of the options for the speed target, by replacing those steps for the duration of
    the run."""
    def no_derivatives(*args: Any, **kwargs: Any) -> Any:
        kwargs["derivatives"] = False
        return plain_compute(*args, **kwargs)

    plain_compute = differential_module.compute
    with (mock.patch.object(differential_module, "compute", no_derivatives),
          mock.patch.object(assess_module, "rank_next_tests", lambda tests, _dif, _biopsy: tests),
          mock.patch.object(assess_module, "add_informative", lambda tests, *_a, **_k: tests),
          mock.patch.object(assess_module, "add_leading_if", lambda _tests, _dif: None)):
        t0 = time.perf_counter()
        for c in cases:
            assess(c)
        return (time.perf_counter() - t0) / len(cases)


def run(name: str, cases: list[dict[str, object]]) -> None:
    n = len(cases)
    times: list[tuple[float, int]] = []
    t0 = time.perf_counter()
    for c in cases:  # nothing is kept, as a program that writes each answer and moves on
        t = time.perf_counter()
        a = assess(c)
        times.append((time.perf_counter() - t, len(a["summary"]["reachable_labels"])))
    lib = time.perf_counter() - t0
    print(f"{name}: library {n} full assessments in {lib:.2f} s = {n / lib:,.0f} cases/s (one core)")
    kept = [assess(c) for c in cases[:FLOOR_SAMPLE]]  # the floor's sample, after the clock (keeping them costs)
    load, size, dump = output_floor(kept)
    n_kept = len(kept)
    del kept
    print(f"  floor: building a full assessment's objects from its JSON text (json.loads, no reasoning) "
          f"{1e6 * load:7.0f} us/case ({size / 1000:.1f} KB of JSON a case, {n_kept} cases); "
          f"writing it (json.dumps) {1e6 * dump:.0f} us; the target allows {1e6 / TARGET_PER_S:.0f} us for everything")
    lean = without_information(cases)
    print(f"  without the next tests' information (an experiment, not a mode): {1 / lean:,.0f} cases/s "
          f"({1e6 * lean:.0f} us/case)")
    for label, pred in [("label settled", lambda k: k == 1), ("2-4 labels reachable", lambda k: 2 <= k <= 4),
                        ("5+ labels reachable", lambda k: k >= 5)]:
        sel = sorted(t for t, k in times if pred(k))
        if sel:
            print(f"  {label:22s} {len(sel):6d} cases  mean {1e6 * sum(sel) / len(sel):7.0f} us  "
                  f"p50 {1e6 * sel[len(sel) // 2]:7.0f} us  p99 {1e6 * sel[int(len(sel) * 0.99)]:7.0f} us  "
                  f"max {1e6 * sel[-1]:7.0f} us")
    differential_only(cases)
    lead_s, weighed = leading_if_time(cases)
    print(f"  leading_if alone:   {1e6 * lead_s:7.0f} us/case (where each result of a next test would lead; "
          f"{weighed:.1f} next tests weighed a case)")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "cases.jsonl"
        path.write_text("".join(json.dumps(c) + "\n" for c in cases))
        exe = Path(sys.executable).with_name("myoclass")
        t0 = time.perf_counter()
        r = subprocess.run([str(exe), "assess", str(path), "--format", "json"], capture_output=True, text=True)
        cli = time.perf_counter() - t0
        lines = r.stdout.count("\n")
    print(f"{name}: cli     {lines} assessments in {cli:.2f} s = {lines / cli:,.0f} cases/s "
          f"(whole process incl. start-up, exit {r.returncode})")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    eng = engine()
    print(f"search back end: {'native (C)' if eng.native is not None else 'Python'}")
    assess(next(synthetic_cases(1, seed)))  # compile the criteria once
    prepare()  # what a server builds at start-up (the models and the biopsy item groups), so no case pays for it
    run("registry-like", list(synthetic_cases(n, seed)))
    run("perturbed examples", perturbed_examples(n, seed))
    run("thin published cases", thin_published(n, seed))


if __name__ == "__main__":
    main()
