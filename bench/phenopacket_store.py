"""Every packet of a phenopacket-store checkout through myoclass: real outside data nobody here wrote.

monarch-initiative/phenopacket-store (BSD-3) holds GA4GH Phenopackets v2 of Mendelian disease, each a published
individual (`notebooks/<GENE>/phenopackets/<file>.json`). Nearly all are not myopathies; a few hundred are (LGMD R28,
Pompe disease, the collagen VI and lamin A/C myopathies, ...). For each packet, as a user would run it
(``myoclass.io.inputs.input_of`` on the decoded JSON, then the full assessment), twice:

  * **as published**, with its genetic interpretation;
  * **stripped** of its interpretations, as before genetic testing.

It prints:
  * how many packets were read, rejected (with each reason: a clear error, never a crash) and crashed (should be 0);
  * per packet, the time to decode (the floor: ``json.loads``), to read (decode + the phenopacket reader + validation)
    and to assess (mean, p50, p99, max), as published;
  * the strict labels, and for the muscle-disease packets (a disease or interpretation name that names a disease of
    skeletal muscle: ``myoclass.io.reading.names_a_muscle_disease``) whether the strict label is
    ``hereditary_myopathy`` as published (a genetic diagnosis of a muscle disease comes first in the label
    precedence);
  * stripped: how often the strict label is an IMNM (it must never be: no packet is an IMNM), and for the
    muscle-disease packets how often ``hereditary_myopathy`` leads the differential or is in its top two, split by
    the onset the packet gives (first year of life, later childhood, adult, not given); the leading labels of the other
    packets; and how many assessments carry the warning that no sign of a myopathy or myositis is recorded (among the
    other packets, also among those an inflammatory myopathy leads).

Usage: python bench/phenopacket_store.py PATH [LIMIT]
  PATH: a phenopacket-store checkout (git clone https://github.com/monarch-initiative/phenopacket-store), or any
  folder of packets (``*.json`` below it); LIMIT: read only the first LIMIT packets in path order.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from myoclass.errors import MyoclassError
from myoclass.io.inputs import input_of
from myoclass.io.reading import names_a_muscle_disease
from myoclass.model.findings import onset_in_first_year
from myoclass.reasoning.assess import assess_case
from myoclass.reasoning.differential import prepare
from myoclass.reasoning.text import records_no_muscle_sign

#: the labels that are not an inflammatory myopathy
NOT_AN_IIM = ("not_iim", "hereditary_myopathy", "other_non_immune", "statin_toxic_myopathy")


def packets(root: Path) -> list[Path]:
    found = sorted(root.glob("notebooks/*/phenopackets/*.json"))
    return found if found else sorted(p for p in root.rglob("*.json") if p.is_file())


def disease_names(doc: dict[str, Any]) -> list[str]:
    names = [d.get("term", {}).get("label", "") for d in doc.get("diseases", []) if isinstance(d, dict)]
    for it in doc.get("interpretations", []):
        if isinstance(it, dict):
            names.append(it.get("diagnosis", {}).get("disease", {}).get("label", ""))
    return [n for n in names if isinstance(n, str) and n]


def onset_group(values: dict[str, Any]) -> str:
    """The onset as the packet gives it: in the first year (as ``onset_in_first_year`` reads it), later in childhood,
    adult, or not given (an age now of 1 or more, or none)."""
    if onset_in_first_year(values):
        return "first year"
    onset = values.get("age_at_onset_years")
    if onset is None:
        return "onset not given"
    return "age 1-17" if onset < 18 else "adult"


def pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.1f}%)" if n else "0/0"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if not args:
        print(__doc__)
        sys.exit(2)
    root = Path(args[0])
    files = packets(root)
    if len(args) > 1:
        files = files[:int(args[1])]
    if not files:
        sys.exit(f"no packets under {root}")
    t0 = time.perf_counter()
    prepare()
    print(f"phenopacket-store at {root}: {len(files)} packets; prepare() {time.perf_counter() - t0:.2f} s")
    rejects: Counter[str] = Counter()
    crashes: list[tuple[str, str]] = []
    t_decode: list[float] = []
    t_read: list[float] = []
    t_assess: list[float] = []
    strict_pub: Counter[str] = Counter()
    strict_strip: Counter[str] = Counter()
    muscle_n = muscle_hered_pub = 0
    imnm_strict = 0
    lead_other: Counter[str] = Counter()
    no_muscle: Counter[str] = Counter()
    by_onset: dict[str, Counter[str]] = {}
    lead_muscle: Counter[str] = Counter()
    for f in files:
        text = f.read_text(encoding="utf-8")
        try:
            t = time.perf_counter()
            doc = json.loads(text)
            t_decode.append(time.perf_counter() - t)
            muscle = any(names_a_muscle_disease(n) for n in disease_names(doc))
            t = time.perf_counter()
            inp = input_of(json.loads(text))
            t_read.append(time.perf_counter() - t)
            t = time.perf_counter()
            a = assess_case(inp.case)
            t_assess.append(time.perf_counter() - t)
            strict_pub[a["summary"]["label"]] += 1
            if muscle:
                muscle_n += 1
                muscle_hered_pub += a["summary"]["label"] == "hereditary_myopathy"
            doc.pop("interpretations", None)
            s_inp = input_of(doc)
            s = assess_case(s_inp.case)
        except MyoclassError as e:
            rejects[str(e).split(";")[0][:140]] += 1
            continue
        except Exception as e:  # a crash is what this counts
            crashes.append((str(f.relative_to(root)), "".join(traceback.format_exception_only(type(e), e)).strip()))
            continue
        label = s["summary"]["label"]
        strict_strip[label] += 1
        imnm_strict += label.startswith("imnm_")
        lead = s["differential"][0]["label"]
        top2 = {x["label"] for x in s["differential"][:2]}
        warned = records_no_muscle_sign(s)
        no_muscle["muscle" if muscle else "other"] += warned
        if muscle:
            g = by_onset.setdefault(onset_group(s_inp.case.values), Counter())
            g["n"] += 1
            g["leads"] += lead == "hereditary_myopathy"
            g["top2"] += "hereditary_myopathy" in top2
            g["jdm leads"] += lead == "jdm"
            lead_muscle[lead] += 1
        else:
            lead_other[lead] += 1
            if lead not in NOT_AN_IIM:
                no_muscle["other, an IIM leads"] += 1
                no_muscle["other, an IIM leads, warned"] += warned
    n_ok = len(t_assess)
    print(f"read and assessed {n_ok}, rejected {sum(rejects.values())}, crashed {len(crashes)}; "
          f"wall {time.perf_counter() - t0:.1f} s")
    for why, k in rejects.most_common(10):
        print(f"  rejected {k}: {why}")
    for where, what in crashes[:10]:
        print(f"  CRASH {where}: {what}")

    def line(name: str, xs: list[float]) -> str:
        if not xs:
            return f"  {name}: none"
        q = sorted(xs)
        return (f"  {name:<34} mean {statistics.fmean(xs) * 1e3:7.2f} ms   p50 {q[len(q) // 2] * 1e3:6.2f}   "
                f"p99 {q[int(len(q) * 0.99)] * 1e3:6.2f}   max {q[-1] * 1e3:7.2f}")

    print("per packet, as published:")
    print(line("decode (json.loads: the floor)", t_decode))
    print(line("read (decode + reader + checks)", t_read))
    print(line("assess (full assessment)", t_assess))
    print("strict label as published: " + ", ".join(f"{k} {v}" for k, v in strict_pub.most_common()))
    print(f"muscle-disease packets: {muscle_n}; strict label hereditary_myopathy as published: "
          f"{pct(muscle_hered_pub, muscle_n)}")
    print("stripped of interpretations (as before genetic testing):")
    print("  strict label: " + ", ".join(f"{k} {v}" for k, v in strict_strip.most_common()))
    print(f"  strict label an IMNM: {imnm_strict} (must be 0)")
    print("  muscle-disease packets, hereditary_myopathy in the differential, by the onset the packet gives:")
    tot: Counter[str] = Counter()
    for g in ("first year", "age 1-17", "adult", "onset not given"):
        c = by_onset.get(g, Counter())
        tot.update(c)
        print(f"    {g:<16} n {c['n']:4d}   leads {pct(c['leads'], c['n']):<18} top two {pct(c['top2'], c['n']):<18} "
              f"JDM leads {c['jdm leads']}")
    print(f"    {'all':<16} n {tot['n']:4d}   leads {pct(tot['leads'], tot['n']):<18} top two "
          f"{pct(tot['top2'], tot['n']):<18} JDM leads {tot['jdm leads']}")
    print("  leading label, muscle-disease packets: " + ", ".join(f"{k} {v}" for k, v in lead_muscle.most_common()))
    n_other = sum(lead_other.values())
    print(f"  leading label, the other {n_other} packets: " + ", ".join(f"{k} {v}" for k, v in lead_other.most_common()))
    print(f"  with the warning that no sign of a myopathy or myositis is recorded: muscle-disease "
          f"{pct(no_muscle['muscle'], tot['n'])}, others {pct(no_muscle['other'], n_other)}; of the others led by an "
          f"inflammatory myopathy, {pct(no_muscle['other, an IIM leads, warned'], no_muscle['other, an IIM leads'])}")


if __name__ == "__main__":
    main()
