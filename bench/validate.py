"""The differential and the strict label on the validation set of published cases (issue 10, item 5).

Reads data/validation/published_cases.jsonl (a held-out set: the model is NOT tuned on it and this
script changes nothing) and prints, per reading policy (clinic first, the default):

  * the strict label: right / wrong / undetermined with the true label reachable / undetermined without it;
  * the leading label's accuracy and top-2 accuracy;
  * the multi-class Brier score over the 15 labels (mean over patients of sum_L (p_L - [L = truth])^2);
  * a calibration table by decile of leading_probability;
  * coverage and accuracy of leading_probability >= 0.8;
  * a confusion table (reference label x leading label);
  * the figures of the issue's "Done when" against their targets, and how many cases had inexact
    next tests or an inexact differential.

Usage: python bench/validate.py [PATH]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from myoclass import assess, parse_case
from myoclass.logic.diagram import analyse
from myoclass.model.findings import case_state
from myoclass.reasoning.engine import LABELS, engine

PATH = Path(__file__).resolve().parents[1] / "data" / "validation" / "published_cases.jsonl"


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(records: list[dict[str, Any]], reading: str) -> None:
    eng = engine()
    n = len(records)
    strict: Counter[str] = Counter()
    right1 = right2 = 0
    brier = 0.0
    deciles: list[list[tuple[float, bool]]] = [[] for _ in range(10)]
    hi_n = hi_right = 0
    confusion: Counter[tuple[str, str]] = Counter()
    tests_inexact = diff_inexact = 0
    for r in records:
        truth = r["reference_label"]
        case = parse_case(r["flat_case"])
        a = assess(case, reading=reading)
        s = a["summary"]
        if s["label"] == truth:
            strict["right"] += 1
        elif s["label"] != "undetermined":
            strict["wrong"] += 1
        elif truth in s["reachable_labels"]:
            strict["undetermined, truth reachable"] += 1
        else:
            strict["undetermined, truth not reachable"] += 1
        dif = a["differential"]
        ranked = [d["label"] for d in dif]
        lead, p = s["leading_label"], s["leading_probability"]
        right1 += lead == truth
        right2 += truth in ranked[:2]
        probs = {d["label"]: d["probability"] for d in dif}
        brier += sum((probs.get(lab, 0.0) - (lab == truth)) ** 2 for lab in LABELS)
        deciles[min(int(p * 10), 9)].append((p, lead == truth))
        if p >= 0.8:
            hi_n += 1
            hi_right += lead == truth
        confusion[(truth, lead)] += 1
        packed = eng.pack(case_state(case))
        _reach, _exact, tests_exact, _o = analyse(eng, packed)  # what assess uses (the diagram)
        tests_inexact += not tests_exact
        diff_inexact += not a["differential_exact"]
    pct = lambda k: f"{100 * k / n:5.1f}%"  # noqa: E731
    print(f"== reading: {reading} ({n} patients)")
    print("strict label:")
    for key in ("right", "wrong", "undetermined, truth reachable", "undetermined, truth not reachable"):
        print(f"  {key:36s} {strict[key]:4d}  {pct(strict[key])}")
    print(f"leading label accuracy   {right1:4d}/{n}  {pct(right1)}")
    print(f"top-2 accuracy           {right2:4d}/{n}  {pct(right2)}")
    print(f"Brier score (15 labels)  {brier / n:.4f}")
    print("calibration by decile of leading_probability:")
    print("  decile      n   mean p   accuracy")
    for i, rows in enumerate(deciles):
        if rows:
            mp = sum(p for p, _ in rows) / len(rows)
            acc = sum(ok for _, ok in rows) / len(rows)
            print(f"  {i / 10:.1f}-{(i + 1) / 10:.1f}  {len(rows):4d}   {mp:6.3f}   {acc:6.3f}")
    hi_acc = hi_right / hi_n if hi_n else float("nan")
    print(f"leading_probability >= 0.8: coverage {hi_n}/{n} {pct(hi_n)}, accuracy {hi_right}/{hi_n} "
          f"{100 * hi_acc:.1f}%")
    truths = [lab for lab in LABELS if any(t == lab for t, _ in confusion)]
    leads = [lab for lab in LABELS if any(ld == lab for _, ld in confusion)]
    short = {lab: lab[:10] for lab in LABELS}
    print("confusion (rows: reference label; columns: leading label):")
    print("  " + " " * 22 + " ".join(f"{short[c]:>10s}" for c in leads))
    for t in truths:
        print(f"  {t:22s}" + " ".join(f"{confusion[(t, c)] or '.':>10}" for c in leads))
    wrong_rate = strict["wrong"] / n
    checks = [
        ("leading label right", right1 / n, ">=", 0.75),
        ("true label in top two", right2 / n, ">=", 0.85),
        ("accuracy where leading_probability >= 0.8", hi_acc if hi_n else 0.0, ">=", 0.90),
        ("coverage of leading_probability >= 0.8", hi_n / n, ">=", 0.40),
        ("Brier score", brier / n, "<=", 0.30),
        ("strict label confidently wrong", wrong_rate, "<=", 0.02),
    ]
    print("done-when targets:")
    for name, val, op, target in checks:
        ok = val >= target if op == ">=" else val <= target
        print(f"  {name:44s} {val:7.3f}  target {op} {target:.2f}  {'MET' if ok else 'NOT MET'}")
    print(f"  next tests inexact                             {tests_inexact:4d} cases  target 0  "
          f"{'MET' if tests_inexact == 0 else 'NOT MET'}")
    print(f"  differential inexact (vector budget)           {diff_inexact:4d} cases")
    print()


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else PATH
    records = load(path)
    print(f"validation set: {path.name}, {len(records)} patients; labels: "
          + ", ".join(f"{k} {v}" for k, v in sorted(Counter(r['reference_label'] for r in records).items())))
    print("model: literature-based (not fitted to this set); nothing here changes it.\n")
    for reading in ("clinic", "record"):
        evaluate(records, reading)


if __name__ == "__main__":
    main()
