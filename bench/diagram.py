"""Per-case cost of the decision-diagram passes, against today's search.

Two cohorts:
  * registry-like: `myoclass.synthetic` (few unknowns that matter);
  * thin: the bundled examples with most known findings hidden at random (each kept with
    probability 0.2-0.4), so no two rows are copies (as in issue 10).
Per case (mean / p50 / p99 / max wall-clock microseconds, and the thread's CPU time, one core): the
search's analyse (reachable labels and next tests, with its budgets), and on the diagram: reachable
labels; the deciding findings with their outcome lists (what next tests need); the outcome lists of
every unknown finding; weighted counts (all label probabilities) and, with derivatives (P(label AND finding) for
every finding), for 14 weight vectors in one call (one per condition of a differential), with unknown
mimic findings left free.
Usage: python bench/diagram.py [N] [SEED]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from myoclass import parse_case
from myoclass.examples import example_cases
from myoclass.logic.diagram import diagram
from myoclass.model.findings import case_state, display_state
from myoclass.reasoning.engine import engine
from myoclass.synthetic import synthetic_cases, thin_cases


def thin_examples(n: int, seed: int) -> list[dict[str, Any]]:
    """The bundled examples with each known finding kept with probability 0.2-0.4."""
    return thin_cases(list(example_cases().values()), n, seed, keep=(0.2, 0.4), distinct=False)


def timed(name: str, fn: Callable[[Any], Any], xs: list[Any]) -> None:
    """Wall-clock per case (mean, p50, p99, max), and the thread's CPU time per case (the machine may be shared)."""
    ts = []
    c0 = time.thread_time()
    for x in xs:
        t = time.perf_counter()
        fn(x)
        ts.append(time.perf_counter() - t)
    cpu = (time.thread_time() - c0) / len(xs)
    ts.sort()
    n = len(ts)
    print(f"  {name:44s} mean {1e6 * sum(ts) / n:7.1f}  p50 {1e6 * ts[n // 2]:7.1f}  "
          f"p99 {1e6 * ts[int(n * 0.99)]:7.1f}  max {1e6 * ts[-1]:7.1f}  cpu {1e6 * cpu:7.1f}  (us)")


def run(name: str, cases: list[dict[str, Any]]) -> None:
    eng = engine()
    d = diagram(engine())
    parsed = [parse_case(c) for c in cases]
    packed = [eng.pack(case_state(c)) for c in parsed]
    shown = [eng.pack(display_state(c)) for c in parsed]
    q14 = np.tile(d.encode_weights(), (14, 1))
    rng = np.random.default_rng(0)
    q14 = np.clip(q14 * rng.uniform(0.2, 1.8, q14.shape), 0.01, 0.99)
    inexact = sum(not eng.analyse(p)[2] for p in packed)
    print(f"{name}: {len(cases)} cases, search tests_exact false on {inexact} "
          f"({100 * inexact / len(cases):.1f}%)")
    timed("search: Engine.analyse (C, budgets)", eng.analyse, packed)
    timed("diagram: reachable labels", d.reachable, packed)
    timed("diagram: reachable + deciding findings", d.deciding, packed)
    timed("diagram: reachable + outcomes of every unknown", d.outcomes, packed)
    timed("diagram: label probabilities x14", lambda p: d.weighted(p, q14, derivatives=False,
                                                                   presume_mimics_absent=False), shown)
    timed("diagram: probabilities + derivatives x14", lambda p: d.weighted(p, q14, presume_mimics_absent=False),
          shown)
    timed("diagram: probabilities + derivatives x1", lambda p: d.weighted(p, q14[0], presume_mimics_absent=False),
          shown)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    d = diagram(engine())
    print(f"diagram: {d.table.n} nodes, {d.nl} variables; passes: {'C' if d.native else 'numpy'}; "
          f"search: {'C' if engine().native is not None else 'Python'}")
    run("registry-like", list(synthetic_cases(n, seed)))
    run("thin examples", thin_examples(n, seed))


if __name__ == "__main__":
    main()
