"""Rewrite the results tables of tests/fixtures/phenopackets/README.md from what myoclass gives now.

For each fixture packet: its disease, the strict and leading labels as published (with the genetic interpretation)
and stripped (without the interpretations, as before genetic testing), whether IMNM is reachable when stripped, and the
differential's share for ``hereditary_myopathy`` when stripped; then the same per gene.
Usage (from the repository root): python scripts/phenopacket_fixture_results.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

from myoclass import __version__, assess
from myoclass.io.hpo import HPO_RELEASE
from myoclass.io.phenopacket import read_phenopacket

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "phenopackets"
README = FIXTURES / "README.md"
HEADING = "## Results ("


def _disease(doc: dict[str, Any]) -> str:
    for it in doc.get("interpretations", []):
        term = it.get("diagnosis", {}).get("disease", {})
        if term.get("id"):
            return str(term["id"])
    return ""


def main() -> None:
    rows: list[str] = []
    per_gene: dict[str, list[tuple[str, str, bool, float]]] = defaultdict(list)
    for path in sorted(FIXTURES.glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        gene = path.parent.name
        pub = assess(read_phenopacket(doc).case)["summary"]
        stripped = {k: v for k, v in doc.items() if k != "interpretations"}
        a = assess(read_phenopacket(stripped).case)
        s = a["summary"]
        share = next((d["probability"] for d in a["differential"] if d["label"] == "hereditary_myopathy"), 0.0)
        imnm = any(x.startswith("imnm_") for x in s["reachable_labels"])
        blob = subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True,
                              check=True).stdout.strip()[:10]
        rows.append(f"| {gene} | {path.stem} | {_disease(doc)} | {pub['label']} | {pub['leading_label']} | {s['label']} "
                    f"| {'yes' if imnm else 'no'} | {s['leading_label']} | {share:.3f} | `{blob}` |")
        per_gene[gene].append((pub["label"], s["label"], imnm, share))
    out = [f"{HEADING}myoclass {__version__}, HPO {HPO_RELEASE.rsplit('/', 1)[-1]})", "",
           "| gene | packet | disease | strict, published | leading, published | strict, stripped | IMNM reachable, "
           "stripped | leading, stripped | hereditary share, stripped | blob |",
           "|---|---|---|---|---|---|---|---|---|---|", *rows, "", "## Per gene", "",
           "| gene | packets | strict, published | strict, stripped | IMNM reachable, stripped | hereditary share, "
           "stripped: median (min-max) |", "|---|---|---|---|---|---|"]
    for gene, items in sorted(per_gene.items()):
        shares = [x[3] for x in items]
        out.append(f"| {gene} | {len(items)} | {', '.join(sorted({x[0] for x in items}))} | "
                   f"{', '.join(sorted({x[1] for x in items}))} | {sum(x[2] for x in items)}/{len(items)} | "
                   f"{statistics.median(shares):.3f} ({min(shares):.3f}-{max(shares):.3f}) |")
    text = README.read_text(encoding="utf-8")
    head = text[: text.index(HEADING)]
    README.write_text(head + "\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
