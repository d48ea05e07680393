"""Full assessments per second: through the library and through `myoclass assess` on JSON Lines.

Generates N varied cases from the bundled examples (each case: a random example, a random share
of its findings turned unknown, a few findings flipped), then times
  1. the library: myoclass.assess(dict) -> full assessment incl. reachable labels and next tests;
  2. the CLI: `myoclass assess FILE.jsonl --format json` as a whole process (start-up included).
Prints cases per second, split by how settled the cases are. Usage: python bench/assess.py [N] [SEED]
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

from myoclass import assess, parse_case
from myoclass.model.case import InvalidCase


def varied_cases(n: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    ex = json.loads(resources.files("myoclass.examples").joinpath("cases.json").read_text())
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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    cases = varied_cases(n, seed)
    assess(cases[0])  # compile the criteria once
    times: list[tuple[float, int]] = []
    t0 = time.perf_counter()
    for c in cases:
        t = time.perf_counter()
        a = assess(c)
        times.append((time.perf_counter() - t, len(a["summary"]["reachable_labels"])))
    lib = time.perf_counter() - t0
    print(f"library: {n} full assessments in {lib:.2f} s = {n / lib:,.0f} cases/s (one core)")
    for name, pred in [("label settled", lambda k: k == 1), ("2-4 labels reachable", lambda k: 2 <= k <= 4),
                       ("5+ labels reachable", lambda k: k >= 5)]:
        sel = [t for t, k in times if pred(k)]
        if sel:
            sel.sort()
            print(f"  {name:22s} {len(sel):6d} cases  mean {1e6 * sum(sel) / len(sel):8.0f} us  "
                  f"p50 {1e6 * sel[len(sel) // 2]:7.0f} us  p99 {1e6 * sel[int(len(sel) * 0.99)]:8.0f} us")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "cases.jsonl"
        path.write_text("".join(json.dumps(c) + "\n" for c in cases))
        exe = Path(sys.executable).with_name("myoclass")
        t0 = time.perf_counter()
        r = subprocess.run([str(exe), "assess", str(path), "--format", "json"], capture_output=True, text=True)
        cli = time.perf_counter() - t0
        lines = r.stdout.count("\n")
    print(f"cli:     {lines} assessments in {cli:.2f} s = {lines / cli:,.0f} cases/s (whole process, exit {r.returncode})")


if __name__ == "__main__":
    main()
