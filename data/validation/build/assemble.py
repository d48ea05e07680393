"""Write data/validation/published_cases.jsonl.

usage: python data/validation/build/assemble.py <dir holding phenopacket-store notebooks/ at commit b694d17e>
(the phenopacket files are read from a local copy of monarch-initiative/phenopacket-store; the article
cases are in article_cases.py). Validates every flat case with myoclass.model.case.parse_case.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from article_cases import CASES  # noqa: E402

from myoclass.model.case import parse_case  # noqa: E402


def main(pp_root: str) -> None:
    out = subprocess.run([sys.executable, os.path.join(HERE, "from_phenopackets.py"), pp_root],
                         check=True, capture_output=True, text=True).stdout
    recs = [json.loads(line) for line in out.splitlines() if line.strip()] + CASES
    ids = set()
    for r in recs:
        assert r["case_id"] not in ids, r["case_id"]
        ids.add(r["case_id"])
        parse_case(r["flat_case"])
    with open(os.path.join(HERE, "..", "published_cases.jsonl"), "w") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(len(recs), "cases written")


if __name__ == "__main__":
    main(sys.argv[1])
