"""Cohort report (JSON and a self-contained HTML page) and the diff between two scored runs.

The report answers what a registry needs: how many cases got each label, how many stay undetermined
and which findings would most often settle them, and how the criteria sets agree (for example how
many EULAR/ACR "PM" cases are ENMC 224 IMNM, or how many Bohan & Peter "definite PM" are IMNM or
IBM). The diff lists every case whose label changed between two runs (other data, other criteria
versions or policies), with the sets whose status or category changed as the reason.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from myoclass.batch.output import Staged, check_targets, uninert
from myoclass.io._json import dumps, loads
from myoclass.reasoning.engine import LABELS

__all__ = ["cohort_report", "diff_runs", "read_results", "report_html"]

#: crosstabs of the report: (row column, column column, title)
CROSSTABS = [
    ("eular_acr_2017_subgroup", "label", "EULAR/ACR subgroup against the bottom-line label"),
    ("bohan_peter_1975_category", "label", "Bohan & Peter (1975) category against the bottom-line label"),
    ("enmc_2017_imnm_category", "eular_acr_2017_category", "ENMC 224 IMNM category against the EULAR/ACR category"),
    ("enmc_2003_iim_category", "label", "ENMC 2003 category against the bottom-line label"),
]


def read_results(path: Path) -> pa.Table:
    """A file written by ``myoclass batch`` (.parquet, .csv or .jsonl)."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pq.read_table(path)
    if suffix == ".csv":  # text made inert against spreadsheet formulas comes back exact
        return uninert(pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True)))
    rows = [loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pa.Table.from_pylist(rows)


def _counts(col: pa.ChunkedArray) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in pc.value_counts(col.fill_null("(none)")).to_pylist():
        out[str(item["values"])] = int(item["counts"])
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def cohort_report(t: pa.Table, top: int = 15) -> dict[str, Any]:
    """Counts, undetermined share, findings that would settle the most cases, and agreement crosstabs."""
    n = t.num_rows
    labels = _counts(t.column("label"))
    undetermined = labels.get("undetermined", 0)
    # findings that decide, weighted by the number of undetermined cases they would narrow
    deciding: Counter[str] = Counter()
    und = t.filter(pc.equal(t.column("label"), "undetermined"))
    for item in pc.value_counts(und.column("next_tests")).to_pylist():
        tests = loads(item["values"]) if item["values"] else []
        for f in {x["finding"] for x in tests if x["purpose"] == "decides"}:
            deciding[f] += int(item["counts"])
    reachable: Counter[str] = Counter()
    for item in pc.value_counts(und.column("reachable_labels")).to_pylist():
        for lab in json.loads(item["values"]):
            reachable[lab] += int(item["counts"])
    tabs = []
    for r, c, title in CROSSTABS:
        if r not in t.column_names or c not in t.column_names:
            continue
        grouped = t.group_by([r, c]).aggregate([([], "count_all")]).to_pylist()
        rows = sorted({str(g[r]) for g in grouped})
        cols = sorted({str(g[c]) for g in grouped}, key=lambda x: (LABELS.index(x) if x in LABELS else 99, x))
        cells = {(str(g[r]), str(g[c])): g["count_all"] for g in grouped}
        tabs.append({"title": title, "rows": r, "columns": c, "row_values": rows, "column_values": cols,
                     "counts": [[cells.get((rv, cv), 0) for cv in cols] for rv in rows]})
    statuses = {col[: -len("_status")]: _counts(t.column(col)) for col in t.column_names if col.endswith("_status")}
    return {
        "cases": n,
        "labels": labels,
        "undetermined": undetermined,
        "undetermined_share": round(undetermined / n, 4) if n else 0.0,
        "reachable_labels_in_undetermined": dict(reachable.most_common()),
        "findings_that_would_settle_most": [{"finding": f, "undetermined_cases": k}
                                            for f, k in deciding.most_common(top)],
        "set_status": statuses,
        "agreement": tabs,
    }


def diff_runs(before: pa.Table, after: pa.Table) -> dict[str, Any]:
    """Every case whose label changed, matched on (source, row) when present, else case_id."""
    key = ["source", "row"] if {"source", "row"} <= set(before.column_names) & set(after.column_names) else ["case_id"]
    b = {tuple(r[k] for k in key): r for r in before.to_pylist()}
    changed = []
    only_before = only_after = 0
    seen = set()
    for r in after.to_pylist():
        k = tuple(r[x] for x in key)
        seen.add(k)
        old = b.get(k)
        if old is None:
            only_after += 1
            continue
        if old["label"] != r["label"]:
            reasons = [f"{col}: {old[col]} -> {r[col]}" for col in r
                       if (col.endswith("_status") or col.endswith("_category") or col == "eular_acr_2017_subgroup")
                       and col in old and old[col] != r[col]]
            changed.append({"key": dict(zip(key, k, strict=True)), "case_id": r.get("case_id"),
                            "before": old["label"], "after": r["label"], "reason": reasons})
    only_before = len([k for k in b if k not in seen])
    transitions = Counter(f"{c['before']} -> {c['after']}" for c in changed)
    return {"matched_on": key, "reclassified": len(changed), "transitions": dict(transitions.most_common()),
            "only_in_before": only_before, "only_in_after": only_after, "cases": changed}


def _bars(counts: dict[str, int], total: int) -> str:
    width = 520
    rows = []
    for i, (k, v) in enumerate(counts.items()):
        w = 0 if total == 0 else max(1, round(width * v / total))
        y = 6 + 22 * i
        rows.append(f'<text x="0" y="{y + 13}" class="k">{html.escape(k)}</text>'
                    f'<rect x="200" y="{y}" width="{w}" height="16" class="bar"></rect>'
                    f'<text x="{206 + w}" y="{y + 13}" class="v">{v} ({100 * v / max(total, 1):.1f}%)</text>')
    h = 12 + 22 * len(counts)
    return f'<svg class="chart" viewBox="0 0 820 {h}" role="img" aria-label="bar chart">{"".join(rows)}</svg>'


_CSS = ("body{font:15px/1.45 system-ui,sans-serif;color:#1b1f24;max-width:1100px;margin:1rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #c9d1d9;padding:.2rem .5rem;"
        "text-align:right}th{background:#f3f6f9}td.k,th.k{text-align:left}.chart{width:100%;max-width:820px}"
        ".scroll{overflow-x:auto}.bar{fill:#0b5cad}.k{font-size:12px}.v{font-size:12px;fill:#4a5561}")


def report_html(rep: dict[str, Any], diff: dict[str, Any] | None = None) -> str:
    """A self-contained page (inline SVG charts, no scripts, no external assets)."""
    e = html.escape
    out = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>myoclass cohort report</title>"
           f"<style>{_CSS}</style></head><body>",
           f"<h1>Cohort report</h1><p>{rep['cases']:,} cases scored; {rep['undetermined']:,} "
           f"({100 * rep['undetermined_share']:.1f}%) not yet determined.</p>",
           "<h2>Labels</h2>", _bars(rep["labels"], rep["cases"]),
           "<h2>What would settle the undetermined cases</h2><p>Findings that decide, by the number of undetermined "
           "cases they would narrow:</p>",
           _bars({x["finding"]: x["undetermined_cases"] for x in rep["findings_that_would_settle_most"]},
                 max(rep["undetermined"], 1)),
           "<h2>Labels still possible in undetermined cases</h2>",
           _bars(rep["reachable_labels_in_undetermined"], max(rep["undetermined"], 1)),
           "<h2>Agreement between the criteria sets</h2>"]
    for tab in rep["agreement"]:
        head = f"<th class=k>{e(tab['rows'])} \\ {e(tab['columns'])}</th>"
        out.append(f"<h3>{e(tab['title'])}</h3><div class=scroll><table><tr>{head}"
                   + "".join(f"<th>{e(c)}</th>" for c in tab["column_values"]) + "</tr>")
        for rv, counts in zip(tab["row_values"], tab["counts"], strict=True):
            out.append(f"<tr><td class=k>{e(rv)}</td>" + "".join(f"<td>{c or ''}</td>" for c in counts) + "</tr>")
        out.append("</table></div>")
    if diff is not None:
        out.append(f"<h2>Changes since the previous run</h2><p>{diff['reclassified']:,} cases reclassified "
                   f"(matched on {', '.join(diff['matched_on'])}).</p>")
        out.append(_bars(diff["transitions"], max(diff["reclassified"], 1)))
        out.append("<table><tr><th class=k>case</th><th class=k>before</th><th class=k>after</th>"
                   "<th class=k>why</th></tr>")
        for c in diff["cases"][:500]:
            out.append(f"<tr><td class=k>{e(str(c['case_id'] or c['key']))}</td><td class=k>{e(c['before'])}</td>"
                       f"<td class=k>{e(c['after'])}</td><td class=k>{e('; '.join(c['reason']))}</td></tr>")
        out.append("</table>")
    out.append("<p>Classification criteria group patients for research; this is not a diagnosis.</p></body></html>")
    return "\n".join(out)


def write_report(results: Path, out_html: Path, previous: Path | None = None) -> dict[str, Any]:
    """Write ``out_html`` and the same content as JSON beside it (``.json``), both renamed into place only
    once written. Raises :class:`~myoclass.batch.output.UnsafeOutput` (before reading anything) when either
    would overwrite ``results`` or ``previous``."""
    out_json = out_html.with_suffix(".json")
    inputs = [results] + ([previous] if previous is not None else [])
    check_targets(None, inputs, {"-o": out_html, "the JSON twin": out_json})
    t = read_results(results)
    rep = cohort_report(t)
    diff = diff_runs(read_results(previous), t) if previous else None
    payload = {"report": rep, **({"diff": diff} if diff is not None else {})}
    staged = Staged([out_json, out_html])
    try:
        staged.temp(out_html).write_text(report_html(rep, diff), encoding="utf-8")
        staged.temp(out_json).write_text(dumps(payload), encoding="utf-8")
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    return payload
