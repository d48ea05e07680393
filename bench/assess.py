"""Full assessments per second: through the library and through `myoclass assess` on JSON Lines.

Two sets of N varied cases:
  * registry-like: `myoclass.synthetic` (pictures from anti-HMGCR IMNM to dystrophies, with the gaps
    registries have: anti-HMGCR often untested, a biopsy in about two thirds, ...);
  * perturbed examples: the bundled examples with 0-30 % of their findings made unknown and a few flipped.
For each: the library (myoclass.assess -> full assessment with reachable labels and next tests), split
by how settled the cases are, and the CLI as a whole process (`myoclass assess FILE.jsonl -f json`).
Usage: python bench/assess.py [N] [SEED]
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from myoclass import assess, parse_case
from myoclass.examples import example_cases
from myoclass.model.case import InvalidCase
from myoclass.reasoning.engine import engine
from myoclass.synthetic import synthetic_cases


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


def run(name: str, cases: list[dict[str, object]]) -> None:
    n = len(cases)
    times: list[tuple[float, int]] = []
    t0 = time.perf_counter()
    for c in cases:
        t = time.perf_counter()
        a = assess(c)
        times.append((time.perf_counter() - t, len(a["summary"]["reachable_labels"])))
    lib = time.perf_counter() - t0
    print(f"{name}: library {n} full assessments in {lib:.2f} s = {n / lib:,.0f} cases/s (one core)")
    for label, pred in [("label settled", lambda k: k == 1), ("2-4 labels reachable", lambda k: 2 <= k <= 4),
                        ("5+ labels reachable", lambda k: k >= 5)]:
        sel = sorted(t for t, k in times if pred(k))
        if sel:
            print(f"  {label:22s} {len(sel):6d} cases  mean {1e6 * sum(sel) / len(sel):7.0f} us  "
                  f"p50 {1e6 * sel[len(sel) // 2]:7.0f} us  p99 {1e6 * sel[int(len(sel) * 0.99)]:7.0f} us")
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
    run("registry-like", list(synthetic_cases(n, seed)))
    run("perturbed examples", perturbed_examples(n, seed))


if __name__ == "__main__":
    main()
