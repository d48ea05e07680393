#!/usr/bin/env python3
"""Regenerate the shipped variable orders of the decision diagrams (CUDD sifting, a few minutes).

Writes src/myoclass/logic/diagram_order.json and diagram_order_differential.json and prints their node
counts; update SHIPPED_NODES and SHIPPED_GROUP_NODES in tests/test_diagram.py to match.
Usage: .venv/bin/python scripts/diagram_order.py
"""

from __future__ import annotations

import json
from pathlib import Path

from myoclass.logic._compile import find_order
from myoclass.logic.diagram import shipped_order
from myoclass.reasoning.differential import BIOPSY_GROUP, MSA_GROUP
from myoclass.reasoning.engine import engine


def main() -> None:
    eng = engine()
    here = Path(__file__).resolve().parents[1] / "src" / "myoclass" / "logic"
    order, n = find_order(eng.program.defs, eng.rule_exprs, shipped_order())
    (here / "diagram_order.json").write_text(json.dumps(order, indent=0) + "\n")
    print(f"plain: {len(order)} variables, {n} nodes; update SHIPPED_NODES in tests/test_diagram.py")
    order, n = find_order(eng.program.defs, eng.rule_exprs, shipped_order(differential=True), one_of=MSA_GROUP,
                          requires=BIOPSY_GROUP)
    (here / "diagram_order_differential.json").write_text(json.dumps(order, indent=0) + "\n")
    print(f"differential: {len(order)} variables, {n} nodes; update SHIPPED_GROUP_NODES in tests/test_diagram.py")


if __name__ == "__main__":
    main()
