"""Cohort report (JSON and a self-contained HTML page) and the diff between two scored runs.

The report answers what a registry needs: how many cases got each label, how many stay undetermined
and which findings would most often settle them, and how the criteria sets agree (for example how
many EULAR/ACR "PM" cases are ENMC 224 IMNM, or how many Bohan & Peter "definite PM" are IMNM or
IBM). The diff lists every case whose label changed between two runs (other data, other criteria
versions or policies), with the sets whose status or category changed as the reason.

From the differential's columns (``leading_label``, ``leading_probability``, ``differential``,
``differential_exact``) it also counts the most likely label beside the bottom-line (strict) label, and
how sure the most likely label is. When the file has a ``reference_label`` column (the reference or final
diagnosis), it measures the differential against it: :func:`calibration` is the one definition of the
leading label's accuracy, the top-2 accuracy, the Brier score and the calibration table by decile, which
``bench/validate.py`` uses too. Files scored before the differential existed still get a report, with a
note in place of those sections.
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from myoclass.batch.output import Staged, check_targets, uninert
from myoclass.batch.run import READING
from myoclass.batch.schema import REFERENCE
from myoclass.io.json import dumps, loads
from myoclass.reasoning.engine import LABELS
from myoclass.reasoning.text import LABEL_TEXT

__all__ = ["CONFIDENT", "PROBABILITY_BANDS", "calibration", "cohort_report", "diff_runs", "read_results",
           "report_html", "write_report"]

#: crosstabs of the report: (row column, column column, title)
CROSSTABS = [
    ("eular_acr_2017_subgroup", "label", "EULAR/ACR subgroup against the bottom-line label"),
    ("bohan_peter_1975_category", "label", "Bohan & Peter (1975) category against the bottom-line label"),
    ("enmc_2017_imnm_category", "eular_acr_2017_category", "ENMC 224 IMNM category against the EULAR/ACR category"),
    ("enmc_2003_iim_category", "label", "ENMC 2003 category against the bottom-line label"),
]


def read_results(path: Path) -> pa.Table:
    """A file written by ``myoclass batch`` (.parquet, .csv or .jsonl), or the directory of Parquet parts that the
    Spark engine writes (``_SUCCESS``, ``.crc`` and other hidden files are skipped)."""
    if path.is_dir():
        parts = sorted(q for q in path.glob("*.parquet") if not q.name.startswith((".", "_")))
        if not parts:
            raise FileNotFoundError(f"{path}: a directory without Parquet parts (*.parquet)")
        return _results(path, pa.concat_tables([pq.read_table(q) for q in parts], promote_options="default"))
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return _results(path, pq.read_table(path))
    if suffix == ".csv":  # text made inert against spreadsheet formulas comes back exact
        return _results(path, uninert(pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            strings_can_be_null=True))))
    if suffix not in (".jsonl", ".ndjson", ".json"):
        raise ValueError(f"{path}: not a results file; allowed: the .parquet, .csv or .jsonl output of `myoclass "
                         "batch`, or the Spark engine's directory of Parquet parts")
    try:
        rows = [loads(line, unique=False) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        t = pa.Table.from_pylist(rows)
    except (ValueError, TypeError, pa.ArrowException) as e:
        raise ValueError(f"{path}: not readable as the JSON Lines output of `myoclass batch` ({str(e)[:120]})") from None
    return _results(path, t)


#: the columns every results file has, older ones without the differential included (the report notes the rest
#: when missing; :func:`myoclass.batch.score.output_schema` has them all)
RESULT_COLUMNS = ("label", "reachable_labels", "next_tests")


def _results(path: Path, t: pa.Table) -> pa.Table:
    """``t`` when it has the columns of a results file, else a ValueError naming what is missing: a cohort's input
    file or a registry export given by mistake is refused in one line, not met with a missing-column error deep in
    the report."""
    missing = [c for c in RESULT_COLUMNS if c not in t.column_names]
    if missing:
        raise ValueError(f"{path}: not a results file of `myoclass batch` (no column {', '.join(missing)}); allowed: "
                          "the output of `myoclass batch` (score the cases first: myoclass batch INPUT -o "
                          "results.parquet), or the Spark engine's directory of Parquet parts")
    return t


def _counts(col: pa.ChunkedArray) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in pc.value_counts(col.fill_null("(none)")).to_pylist():
        out[str(item["values"])] = int(item["counts"])
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


#: bands of ``leading_probability`` the report counts: (name, from (inclusive), to (exclusive; None: up to 1))
PROBABILITY_BANDS: list[tuple[str, float, float | None]] = [(">= 0.8", 0.8, None), ("0.5 to < 0.8", 0.5, 0.8),
                                                            ("< 0.5", 0.0, 0.5)]
#: the leading probability from which the report (and bench/validate.py) calls the leading label confident
CONFIDENT = 0.8
_Z95 = 1.959964  # two-sided 95% normal quantile, for the Wilson interval of an observed share


def _differential(value: Any) -> list[tuple[str, float]] | None:
    """``[(label, probability)]`` in the given order from a differential (its list or JSON text), or None
    when it is missing or not a usable differential (not a list of label and probability in [0, 1])."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = loads(value)
        except ValueError:
            return None
    if not isinstance(value, list) or not value:
        return None
    out = []
    for d in value:
        if not isinstance(d, Mapping):
            return None
        lab, p = d.get("label"), d.get("probability")
        if not isinstance(lab, str) or isinstance(p, bool) or not isinstance(p, int | float):
            return None
        if not 0.0 <= p <= 1.0:  # also refuses NaN
            return None
        out.append((lab, float(p)))
    if len({lab for lab, _ in out}) < len(out):  # a label twice is no differential
        return None
    return out


def _wilson(right: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of the share ``right / n`` (n > 0)."""
    p, z2 = right / n, _Z95 * _Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _decile(p: float) -> int:
    """Decile of a leading probability: 0 for [0, 0.1), ..., 9 for [0.9, 1] (1.0 falls into the last)."""
    return max(0, min(int(p * 10), 9))


def calibration(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The differential measured against reference labels: the one definition the cohort report and
    ``bench/validate.py`` share.

    Each row is one patient (or, with ``"cases"``, that many identical ones) with:

    - ``reference_label``: the reference (final) diagnosis, a label of
      :data:`~myoclass.reasoning.engine.LABELS`. None leaves the row out, counted as ``no_reference_label``;
      any other value leaves it out, counted as ``unknown_reference_label`` (and listed).
    - ``differential``: the differential, a list of ``{"label", "probability"}`` most probable first, or its
      JSON text (as in the batch output). Missing or unusable (not such a list, a probability outside
      [0, 1], a label twice) leaves the row out (``no_differential``).
    - ``cases`` (optional, default 1): how many patients the row stands for.

    Definitions, per patient kept:

    - the **leading label** is the first entry of the differential, and ``p`` its probability;
    - **right** when the leading label is the reference label; **top 2** when the reference label is one of
      the differential's first two entries;
    - **Brier score**: ``sum over L in LABELS of (p_L - [L = reference])**2``, where ``p_L`` is L's probability
      in the differential and 0 when L is absent from it; the score is the mean over patients (0 is
      perfect, 2 the worst; a flat differential over the 15 labels scores 14/15);
    - **decile** of ``p``: ``min(int(p * 10), 9)``, so 0 is [0, 0.1) and 9 is [0.9, 1]; each decile gives
      its patients, the mean ``p`` (mean predicted) and the share right (observed), with the 95% Wilson
      interval of that share;
    - **confident**: ``p >= CONFIDENT`` (0.8): how many patients (coverage) and the share right among them;
    - **by reference label** (``by_reference``, in label order): for each reference label's patients, how many,
      right and top 2 (with their shares), the mean probability the differential gives that label
      (``mean_probability``), their Brier score, and their share of the Brier sum (``brier_share``), which tells
      where the score goes.

    Shares and means are None where no patient is kept. Nothing is rounded.
    """
    kept = right = top2 = 0
    brier = 0.0
    left_out: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    dec_n = [0] * 10
    dec_p = [0.0] * 10
    dec_right = [0] * 10
    conf_n = conf_right = 0
    confusion: Counter[tuple[str, str]] = Counter()
    # per reference label: patients, right, top 2, probability given to it, Brier sum
    per: dict[str, list[float]] = {}
    vocabulary = set(LABELS)
    for row in rows:
        k = int(row.get("cases", 1))
        if k <= 0:
            continue
        truth = row.get("reference_label")
        if truth is None:
            left_out["no_reference_label"] += k
            continue
        if truth not in vocabulary:
            left_out["unknown_reference_label"] += k
            unknown[str(truth)] += k
            continue
        dif = _differential(row.get("differential"))
        if dif is None:
            left_out["no_differential"] += k
            continue
        lead, p = dif[0]
        ok = lead == truth
        kept += k
        in_top2 = any(lab == truth for lab, _ in dif[:2])
        right += k * ok
        top2 += k * in_top2
        probs = dict(dif)
        term = sum((probs.get(lab, 0.0) - (lab == truth)) ** 2 for lab in LABELS)
        brier += k * term
        mine = per.setdefault(truth, [0, 0, 0, 0.0, 0.0])
        mine[0] += k
        mine[1] += k * ok
        mine[2] += k * in_top2
        mine[3] += k * probs.get(truth, 0.0)
        mine[4] += k * term
        d = _decile(p)
        dec_n[d] += k
        dec_p[d] += k * p
        dec_right[d] += k * ok
        if p >= CONFIDENT:
            conf_n += k
            conf_right += k * ok
        confusion[(truth, lead)] += k

    def share(a: float, b: int) -> float | None:
        return a / b if b else None

    deciles = []
    for i in range(10):
        n = dec_n[i]
        lo, hi = _wilson(dec_right[i], n) if n else (None, None)
        deciles.append({"decile": i, "from": i / 10, "to": (i + 1) / 10, "patients": n, "right": dec_right[i],
                        "mean_predicted": share(dec_p[i], n), "observed": share(dec_right[i], n),
                        "observed_low": lo, "observed_high": hi})
    order = {lab: i for i, lab in enumerate(LABELS)}
    by_reference = [{"reference_label": lab, "patients": int(m[0]), "leading_right": int(m[1]),
                     "leading_accuracy": m[1] / m[0], "top2_right": int(m[2]), "top2_accuracy": m[2] / m[0],
                     "mean_probability": m[3] / m[0], "brier": m[4] / m[0],
                     "brier_share": m[4] / brier if brier > 0 else None}
                    for lab, m in sorted(per.items(), key=lambda kv: order[kv[0]])]
    refs = sorted({t for t, _ in confusion}, key=lambda x: order[x])
    leads = sorted({ld for _, ld in confusion}, key=lambda x: (order.get(x, len(order)), x))
    return {
        "patients": kept,
        "left_out": {key: left_out[key] for key in ("no_reference_label", "unknown_reference_label",
                                                    "no_differential")},
        "unknown_reference_labels": dict(unknown.most_common(20)),
        "leading_right": right,
        "leading_accuracy": share(right, kept),
        "top2_right": top2,
        "top2_accuracy": share(top2, kept),
        "brier": share(brier, kept),
        "deciles": deciles,
        "confident": {"threshold": CONFIDENT, "patients": conf_n, "coverage": share(conf_n, kept),
                      "right": conf_right, "accuracy": share(conf_right, conf_n)},
        "by_reference": by_reference,
        "confusion": {"rows": "reference_label", "columns": "leading_label", "row_values": refs,
                      "column_values": leads, "counts": [[confusion[(r, c)] for c in leads] for r in refs]},
    }


def _text_column(t: pa.Table, name: str) -> pa.ChunkedArray:
    col = t.column(name)
    return col if pa.types.is_string(col.type) else pc.cast(col, pa.string())


def _leading(t: pa.Table, notes: list[str]) -> dict[str, Any] | None:
    """Counts of the most likely label (all cases, and those whose strict label is undetermined), and of
    the bands of its probability; None, with a note, for a file scored before the differential existed."""
    if "leading_label" not in t.column_names:
        notes.append("This file has no leading_label column (it was scored before myoclass gave the "
                     "differential), so the most likely label is not counted. Score the cohort again with "
                     "this version to get it.")
        return None
    n = t.num_rows
    lead = _text_column(t, "leading_label")
    counts = _counts(lead)
    und = pc.equal(t.column("label"), "undetermined") if "label" in t.column_names else None
    when_und = _counts(lead.filter(pc.fill_null(und, False))) if und is not None else {}
    bands: list[dict[str, Any]] = []
    inexact = None
    if "leading_probability" in t.column_names:
        prob = pc.cast(t.column("leading_probability"), pa.float64())
        for name, lo, hi in PROBABILITY_BANDS:
            hit = pc.greater_equal(prob, lo)
            if hi is not None:
                hit = pc.and_(hit, pc.less(prob, hi))
            k = int(pc.sum(pc.cast(pc.fill_null(hit, False), pa.int64())).as_py() or 0)
            bands.append({"band": name, "from": lo, "to": hi, "cases": k, "share": round(k / n, 4) if n else 0.0})
        missing = n - sum(b["cases"] for b in bands)
        if missing:
            bands.append({"band": "no value", "from": None, "to": None, "cases": missing,
                          "share": round(missing / n, 4)})
    else:
        notes.append("This file has no leading_probability column, so how sure the most likely label is "
                     "is not shown.")
    reading = (t.schema.metadata or {}).get(READING.encode())
    if "differential_exact" in t.column_names:
        inexact = int(pc.sum(pc.cast(pc.invert(pc.fill_null(pc.cast(t.column("differential_exact"), pa.bool_()),
                                                            True)), pa.int64())).as_py() or 0)
    return {
        "labels": counts,
        "shares": {k: round(v / n, 4) for k, v in counts.items()} if n else {},
        "label_text": {k: LABEL_TEXT[k] for k in counts if k in LABEL_TEXT},
        "when_undetermined": when_und,
        "probability": bands,
        "differential_inexact": inexact,
        "reading": reading.decode("utf-8", "replace") if reading is not None else None,
    }


def _calibration_of(t: pa.Table, notes: list[str]) -> dict[str, Any] | None:
    """:func:`calibration` of the file's rows, when it has a ``reference_label`` column."""
    if REFERENCE not in t.column_names:
        return None
    if "differential" not in t.column_names:
        notes.append("This file has a reference_label column but no differential column (it was scored before "
                     "myoclass gave the differential), so the calibration is not measured.")
        return None
    cal = _calibration_rows(t)
    if "label" in t.column_names:
        # the same figures for the cases the criteria leave open: settled cases carry their label at (nearly) 1, so
        # mixed in they make the differential look better calibrated than it is where it is needed
        open_cal = _calibration_rows(t.filter(pc.equal(_text_column(t, "label"), "undetermined")))
        cal["open_cases"] = {k: open_cal[k] for k in (
            "patients", "leading_right", "leading_accuracy", "top2_right", "top2_accuracy", "brier", "confident")}
    return cal


def _calibration_rows(t: pa.Table) -> dict[str, Any]:
    """:func:`calibration` of the rows of ``t`` (with its reference_label and differential columns)."""
    ref = _text_column(t, REFERENCE)
    dif = t.column("differential")
    if pa.types.is_string(dif.type) or pa.types.is_large_string(dif.type) or pa.types.is_null(dif.type):
        # identical (reference, differential) pairs are common: parse each once
        pairs = pa.table({"reference_label": ref, "differential": pc.cast(dif, pa.string())})
        grouped = pairs.group_by(["reference_label", "differential"]).aggregate([([], "count_all")])
        rows: Iterable[Mapping[str, Any]] = (
            {"reference_label": r["reference_label"], "differential": r["differential"], "cases": r["count_all"]}
            for r in grouped.to_pylist())
    else:  # e.g. JSON Lines read back with the differential as a list
        rows = pa.table({"reference_label": ref, "differential": dif}).to_pylist()
    return calibration(rows)


def cohort_report(t: pa.Table, top: int = 15) -> dict[str, Any]:
    """Counts, undetermined share, findings that would settle the most cases, and agreement crosstabs; the
    most likely label's counts (``leading``, None for files without the differential) and, when the file
    has a ``reference_label`` column, the :func:`calibration` of the differential against it
    (``calibration``, else None). ``notes`` says what was left out and why."""
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

        def shown(v: Any) -> str:  # a missing value (no EULAR/ACR subgroup) as the report's other counts say it
            return "(none)" if v is None else str(v)

        rows = sorted({shown(g[r]) for g in grouped})
        cols = sorted({shown(g[c]) for g in grouped}, key=lambda x: (LABELS.index(x) if x in LABELS else 99, x))
        cells = {(shown(g[r]), shown(g[c])): g["count_all"] for g in grouped}
        tabs.append({"title": title, "rows": r, "columns": c, "row_values": rows, "column_values": cols,
                     "counts": [[cells.get((rv, cv), 0) for cv in cols] for rv in rows]})
    statuses = {col[: -len("_status")]: _counts(t.column(col)) for col in t.column_names if col.endswith("_status")}
    notes: list[str] = []
    if "case_id" in t.column_names:
        ids = pc.value_counts(pc.drop_null(t.column("case_id"))).to_pylist()
        twice = [x for x in ids if x["counts"] > 1 and x["values"] != ""]
        if twice:
            what = "case_id value appears" if len(twice) == 1 else "case_id values appear"
            notes.append(f"{len(twice):,} {what} on more than one row ({sum(x['counts'] for x in twice):,} rows): every "
                         "row is counted as a case, in the calibration too; check for duplicates")
    leading = _leading(t, notes)
    calib = _calibration_of(t, notes)
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
        "leading": leading,
        "calibration": calib,
        "notes": notes,
    }


def _unique_ids(t: pa.Table) -> bool:
    """Every row has a case_id, and no two rows share one."""
    if "case_id" not in t.column_names:
        return False
    ids = t.column("case_id").to_pylist()
    return all(i not in (None, "") for i in ids) and len(set(ids)) == len(ids)


def diff_runs(before: pa.Table, after: pa.Table) -> dict[str, Any]:
    """Every case whose label changed. Cases are matched on ``case_id`` when both runs give every row a case_id
    and no case_id twice, so rows may come in another order, from renamed files or from the Spark engine (whose
    ``row`` counts within its tasks); else on (source, row) when both runs have them; else on case_id."""
    both = set(before.column_names) & set(after.column_names)
    if _unique_ids(before) and _unique_ids(after):
        key = ["case_id"]
    elif {"source", "row"} <= both:
        key = ["source", "row"]
    else:
        key = ["case_id"]
    b = {tuple(r[k] for k in key): r for r in before.to_pylist()}
    changed = []
    only_before = only_after = matched = 0
    lead_moves: Counter[str] = Counter()
    set_moves: Counter[str] = Counter()
    seen = set()
    for r in after.to_pylist():
        k = tuple(r[x] for x in key)
        seen.add(k)
        old = b.get(k)
        if old is None:
            only_after += 1
            continue
        matched += 1
        per_set = [col for col in r if (col.endswith("_status") or col.endswith("_category")
                                        or col == "eular_acr_2017_subgroup") and col in old and old[col] != r[col]]
        set_moves.update(per_set)
        if "leading_label" in r and "leading_label" in old and old["leading_label"] != r["leading_label"]:
            lead_moves[f"{old['leading_label']} -> {r['leading_label']}"] += 1
        if old["label"] != r["label"]:
            changed.append({"key": dict(zip(key, k, strict=True)), "case_id": r.get("case_id"),
                            "before": old["label"], "after": r["label"],
                            "reason": [f"{col}: {old[col]} -> {r[col]}" for col in per_set]})
    only_before = len([k for k in b if k not in seen])
    transitions = Counter(f"{c['before']} -> {c['after']}" for c in changed)
    return {"matched_on": key, "matched": matched, "reclassified": len(changed),
            "transitions": dict(transitions.most_common()), "only_in_before": only_before,
            "only_in_after": only_after, "cases": changed,
            # beyond the bottom line: the most likely label, and each criteria set's status, category or subgroup
            "leading_changed": sum(lead_moves.values()), "leading_transitions": dict(lead_moves.most_common()),
            "set_changes": dict(set_moves.most_common()),
            "settings": _settings_differ(before, after)}


#: the run settings a results file records (``myoclass batch`` writes them into the Parquet metadata)
_SETTINGS = ("myoclass", "policy", "criteria", "myoclass.reading")


def _settings_differ(before: pa.Table, after: pa.Table) -> list[dict[str, str | None]]:
    """The run settings (version, policy, criteria versions, reading) that differ between two results files, as
    ``{"setting", "before", "after"}``; a file without them (CSV, JSON Lines) gives None for its side, and a setting
    neither file records is left out."""
    def meta(t: pa.Table) -> dict[str, str]:
        raw = t.schema.metadata or {}
        return {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in raw.items()}

    mb, ma = meta(before), meta(after)
    return [{"setting": k, "before": mb.get(k), "after": ma.get(k)} for k in _SETTINGS
            if (k in mb or k in ma) and mb.get(k) != ma.get(k)]


def _pct(k: int, n: int) -> str:
    return f"{k:,} ({100 * k / n:.1f}%)" if n else f"{k:,}"


def _wbr(name: str) -> str:
    """``name`` escaped, with a line-break opportunity after each underscore (for codes such as finding names)."""
    return html.escape(name).replace("_", "_<wbr>")


def _mini(share: float) -> str:
    """A small inline bar for a share in [0, 1] (attributes only: nothing a style policy would block)."""
    w = max(0.0, min(1.0, share)) * 100
    return (f'<svg class=mini viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">'
            f'<rect width="100" height="10" class="track"></rect><rect width="{w:.2f}" height="10" class="bar">'
            f"</rect></svg>")


def _bars(counts: dict[str, int], total: int) -> str:
    """Counts as a bar chart: one row per key, its share of ``total`` as a small inline SVG bar. A table, so
    that long names wrap on a narrow screen instead of shrinking with the drawing."""
    rows = "".join(f"<tr><td class=k>{_wbr(k)}</td><td class=b>{_mini(v / total if total else 0.0)}</td>"
                   f"<td class=v>{_pct(v, total)}</td></tr>" for k, v in counts.items())
    return f'<div class=scroll><table class="bars" aria-label="bar chart">{rows}</table></div>'


_CSS = ("body{font:15px/1.45 system-ui,sans-serif;color:#1b1f24;max-width:1100px;margin:1rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #c9d1d9;padding:.2rem .5rem;"
        "text-align:right}th{background:#f3f6f9}td.k,th.k{text-align:left}.chart{width:100%;max-width:820px}"
        ".scroll{overflow-x:auto}.bar{fill:#0b5cad}.code{color:#4a5561;font:12px ui-monospace,monospace}"
        ".mini{width:100%;min-width:60px;height:10px;display:block;margin-top:.2rem}.mini .track{fill:#e3e8ee}"
        ".bars td{border:0;padding:.15rem .6rem .15rem 0;vertical-align:middle}.bars td.k{overflow-wrap:break-word}"
        ".bars td.b{width:min(420px,30vw)}.bars .mini{margin:0}td.v,.num td{white-space:nowrap}td.n{min-width:5.5rem}"
        "@media (max-width:600px){body{font-size:14px}th,td{padding:.2rem .35rem}}"
        ".note,.caveat{border-left:4px solid #b06d00;background:#fff8e6;padding:.4rem .7rem}"
        ".calib{display:block;width:100%;max-width:520px}.grid{stroke:#e3e8ee}.axis{stroke:#1b1f24}"
        ".diag{stroke:#6a737d}.ci{stroke:#0b5cad;stroke-width:2}.pt{fill:#0b5cad;fill-opacity:.8;stroke:#fff}"
        ".tick{font-size:14px;fill:#4a5561}.ax{font-size:15px}.legend{font-size:13px;color:#4a5561;max-width:520px}")


def _label_cell(code: str) -> str:
    """A label in clinical words with its code; anything outside the vocabulary as given (escaped)."""
    if code == "(none)":
        return "<td class=k>no differential</td>"
    text = LABEL_TEXT.get(code)
    if text is None:
        return f"<td class=k><span class=code>{_wbr(code)}</span></td>"
    return f"<td class=k>{html.escape(text)}<br><span class=code>{_wbr(code)}</span></td>"


def _leading_html(rep: dict[str, Any]) -> list[str]:
    lead = rep["leading"]
    n = rep["cases"]
    order = {lab: i for i, lab in enumerate(LABELS)}
    codes = sorted(set(lead["labels"]) | set(rep["labels"]),
                   key=lambda c: (-lead["labels"].get(c, 0), -rep["labels"].get(c, 0), order.get(c, 99), c))
    und = rep["undetermined"]
    out = ["<h2>Most likely label (the differential)</h2>",
           "<p>For every case myoclass also weighs what the unknown findings would probably show and gives the "
           "most likely label, with its probability. The bottom-line label stays <em>not yet determined</em> "
           "until the criteria settle the case; the most likely label is not a diagnosis, and the model behind "
           "it is not fitted to any hospital's case mix.</p>",
           "<div class=scroll><table><tr><th class=k>label</th><th>most likely label</th>"
           f"<th>bottom-line label</th><th>most likely, among the {und:,} not yet determined</th></tr>"]
    for c in codes:
        k = lead["labels"].get(c, 0)
        out.append(f"<tr>{_label_cell(c)}<td class=n>{_pct(k, n)}{_mini(k / n if n else 0.0)}</td>"
                   f"<td>{_pct(rep['labels'].get(c, 0), n)}</td>"
                   f"<td>{_pct(lead['when_undetermined'].get(c, 0), und)}</td></tr>")
    out.append("</table></div>")
    if lead["probability"]:
        out.append("<h3>How sure the most likely label is</h3><p>Cases by the probability of their most likely "
                   "label:</p>")
        out.append(_bars({b["band"]: b["cases"] for b in lead["probability"]}, n))
    if lead["reading"]:
        out.append(f"<p>The differential read the findings with the <strong>{html.escape(lead['reading'])}"
                   "</strong> reading policy (clinic: an unknown finding is not assessed; record: a salient finding "
                   "not mentioned is weak evidence of absence).</p>")
    else:
        out.append("<p>The differential's reading policy is not recorded in this file: a CSV or JSON Lines output "
                   "carries no metadata (a Parquet output does). <code>myoclass batch</code> uses the clinic reading "
                   "unless <code>--reading record</code> was given.</p>")
    if lead["differential_inexact"]:
        out.append(f"<p>The differential is approximate (computed within a stated bound instead of exactly) for "
                   f"{_pct(lead['differential_inexact'], n)} of the cases.</p>")
    return out


def _calibration_svg(cal: dict[str, Any]) -> str:
    """The calibration plot: one circle per decile of the leading probability at (mean predicted, observed
    share right), its area growing with the decile's patients (n printed above the plot), its 95% interval
    as a vertical line, and the diagonal where the two agree. Inline SVG, attributes only."""
    x0, x1, y0, y1 = 72, 452, 40, 420

    def x(v: float) -> float:
        return x0 + (x1 - x0) * v

    def y(v: float) -> float:
        return y1 - (y1 - y0) * v

    parts = ['<svg class="calib" viewBox="0 0 470 486" role="img" aria-labelledby="calib-title">'
             '<title id="calib-title">Calibration plot: observed share right against the predicted probability of '
             "the most likely label, by decile</title>"]
    for i in range(6):
        v = i / 5
        parts.append(f'<line x1="{x(v):.1f}" y1="{y0}" x2="{x(v):.1f}" y2="{y1}" class="grid"></line>'
                     f'<line x1="{x0}" y1="{y(v):.1f}" x2="{x1}" y2="{y(v):.1f}" class="grid"></line>'
                     f'<text x="{x(v):.1f}" y="{y1 + 20}" text-anchor="middle" class="tick">{v:.1f}</text>'
                     f'<text x="{x0 - 8}" y="{y(v) + 4:.1f}" text-anchor="end" class="tick">{v:.1f}</text>')
    parts.append(f'<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" class="axis"></line>'
                 f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" class="axis"></line>'
                 f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" class="diag" stroke-dasharray="6 5">'
                 "</line>"
                 f'<text x="{(x0 + x1) / 2}" y="{y1 + 48}" text-anchor="middle" class="ax">predicted probability '
                 "(leading label)</text>"
                 f'<text transform="translate(18 {(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" class="ax">'
                 "observed share right</text>"
                 f'<text x="{x0 - 8}" y="{y0 - 16}" text-anchor="end" class="tick">n</text>')
    biggest = max((d["patients"] for d in cal["deciles"]), default=0) or 1
    for d in cal["deciles"]:
        n = d["patients"]
        mid = x((d["from"] + d["to"]) / 2)
        label = f"{n:,}" if n < 10_000 else f"{n / 1000:.0f}k"
        parts.append(f'<text x="{mid:.1f}" y="{y0 - 16}" text-anchor="middle" class="tick">{label if n else ""}'
                     "</text>")
        if not n:
            continue
        px, py = x(d["mean_predicted"]), y(d["observed"])
        r = 4 + 10 * math.sqrt(n / biggest)
        parts.append(f'<line x1="{px:.1f}" y1="{y(d["observed_low"]):.1f}" x2="{px:.1f}" '
                     f'y2="{y(d["observed_high"]):.1f}" class="ci"></line>'
                     f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{r:.1f}" class="pt"><title>decile '
                     f'{d["from"]:.1f}-{d["to"]:.1f}: {n:,} patients, mean predicted {d["mean_predicted"]:.3f}, '
                     f'observed {d["observed"]:.3f}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def _calibration_html(cal: dict[str, Any]) -> list[str]:
    e = html.escape
    n = cal["patients"]
    lo = cal["left_out"]
    why = []
    if lo["no_reference_label"]:
        why.append(f"{lo['no_reference_label']:,} without a reference label")
    if lo["unknown_reference_label"]:
        names = ", ".join(e(k) for k in cal["unknown_reference_labels"])
        why.append(f"{lo['unknown_reference_label']:,} whose reference label is not a myoclass label ({names})")
    if lo["no_differential"]:
        why.append(f"{lo['no_differential']:,} without a usable differential")
    left = f" Left out: {'; '.join(why)}." if why else ""
    out = ["<h2>Calibration against the reference labels</h2>"]
    if not n:
        out.append(f"<p class=note>No patient has both a reference label and a differential, so there is nothing "
                   f"to measure.{left}</p>")
        return out
    out.append(f"<p class=caveat>This calibration is only as good as the reference labels and the number of "
               f"patients: it is measured on <strong>n = {n:,}</strong> patients with a reference label.{left} "
               "With few patients in a decile, its observed share moves a lot by chance; the vertical lines show "
               "its 95% interval.</p>")
    conf = cal["confident"]
    conf_txt = (f"{_pct(conf['patients'], n)}, right for {_pct(conf['right'], conf['patients'])}"
                if conf["patients"] else "none")
    out.append("<div class=scroll><table>"
               f"<tr><td class=k>most likely label is the reference label</td><td>{_pct(cal['leading_right'], n)}"
               "</td></tr>"
               f"<tr><td class=k>reference label among the two most likely</td><td>{_pct(cal['top2_right'], n)}"
               "</td></tr>"
               f"<tr><td class=k>Brier score over the {len(LABELS)} labels (0 is perfect; a flat differential "
               f"scores {1 - 1 / len(LABELS):.3f})</td><td>{cal['brier']:.3f}</td></tr>"
               f"<tr><td class=k>most likely label with probability &ge; {conf['threshold']:.1f}</td>"
               f"<td>{conf_txt}</td></tr></table></div>")
    oc = cal.get("open_cases")
    if oc is not None:
        if oc["patients"]:
            oconf = oc["confident"]
            out.append(f"<p>Among the <strong>{oc['patients']:,}</strong> of them whose label the criteria leave open "
                       f"(where the differential is what answers): the most likely label is right for "
                       f"{_pct(oc['leading_right'], oc['patients'])}, the reference is among the two most likely for "
                       f"{_pct(oc['top2_right'], oc['patients'])}, Brier score {oc['brier']:.3f}; probability &ge; "
                       f"{oconf['threshold']:.1f} for {_pct(oconf['patients'], oc['patients'])}"
                       + (f", right for {_pct(oconf['right'], oconf['patients'])}" if oconf["patients"] else "")
                       + ". The rest are settled by the criteria, where the differential puts nearly all its weight "
                         "on the label.</p>")
        else:
            out.append("<p>None of them has a label the criteria leave open: every figure above is of settled "
                       "cases, where the differential puts nearly all its weight on the label.</p>")
    out.append(_calibration_svg(cal))
    out.append("<p class=legend>Each circle is a decile of the most likely label's probability, placed at the "
               "decile's mean predicted probability and the share of its patients whose reference label is the most "
               "likely label. Its area grows with the number of patients (n above the plot); the vertical line is "
               "the 95% interval of that share. On the dashed diagonal, predicted and observed agree.</p>")
    out.append("<h3>By decile of the most likely label's probability</h3><div class=scroll><table class=num><tr>"
               "<th class=k>probability</th>"
               "<th>patients</th><th>mean predicted</th><th>observed share right</th><th>95% interval</th></tr>")
    for d in cal["deciles"]:
        if d["patients"]:
            out.append(f"<tr><td class=k>{d['from']:.1f} to {'&lt; ' if d['decile'] < 9 else ''}{d['to']:.1f}</td>"
                       f"<td>{d['patients']:,}</td><td>{d['mean_predicted']:.3f}</td><td>{d['observed']:.3f}</td>"
                       f"<td>{d['observed_low']:.2f}&ndash;{d['observed_high']:.2f}</td></tr>")
    out.append("</table></div>")
    tab = cal["confusion"]
    out.append("<h3>Reference label against the most likely label</h3><div class=scroll><table>"
               "<tr><th class=k>reference \\ most likely</th>"
               + "".join(f"<th>{_wbr(c)}</th>" for c in tab["column_values"]) + "</tr>")
    for rv, counts in zip(tab["row_values"], tab["counts"], strict=True):
        out.append(f"<tr><td class=k>{e(rv)}</td>" + "".join(f"<td>{c or ''}</td>" for c in counts) + "</tr>")
    out.append("</table></div>")
    out.append("<h3>By reference label</h3><p class=legend>For each reference label's patients: how often the most "
               "likely label is it, how often it is among the two most likely, the probability the differential gives "
               "it on average, their Brier score, and their share of the Brier sum (where the score goes).</p>"
               "<div class=scroll><table class=num><tr><th class=k>reference label</th><th>patients</th>"
               "<th>most likely</th><th>among two most likely</th><th>mean probability given to it</th>"
               "<th>Brier score</th><th>share of the Brier sum</th></tr>")
    for r in cal["by_reference"]:
        part = "" if r["brier_share"] is None else f"{100 * r['brier_share']:.1f}%"
        out.append(f"<tr><td class=k>{e(r['reference_label'])}</td><td>{r['patients']:,}</td>"
                   f"<td>{_pct(r['leading_right'], r['patients'])}</td><td>{_pct(r['top2_right'], r['patients'])}</td>"
                   f"<td>{r['mean_probability']:.3f}</td><td>{r['brier']:.3f}</td><td>{part}</td></tr>")
    out.append("</table></div>")
    return out


def report_html(rep: dict[str, Any], diff: dict[str, Any] | None = None) -> str:
    """A self-contained page (inline SVG charts, no scripts, no external assets)."""
    e = html.escape
    out = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>myoclass cohort report</title>"
           f"<style>{_CSS}</style></head><body>",
           f"<h1>Cohort report</h1><p>{rep['cases']:,} cases scored; {rep['undetermined']:,} "
           f"({100 * rep['undetermined_share']:.1f}%) not yet determined.</p>",
           "<h2>Labels</h2>", _bars(rep["labels"], rep["cases"]),
           *(_leading_html(rep) if rep.get("leading") else []),
           *(_calibration_html(rep["calibration"]) if rep.get("calibration") else []),
           *(f"<p class=note>{e(note)}</p>" for note in rep.get("notes", [])),
           "<h2>What would settle the undetermined cases</h2><p>Findings that decide, by the number of undetermined "
           "cases they would narrow:</p>",
           _bars({x["finding"]: x["undetermined_cases"] for x in rep["findings_that_would_settle_most"]},
                 max(rep["undetermined"], 1)),
           "<h2>Labels still possible in undetermined cases</h2>",
           "<p class=note>A most likely label above can be a mimic (hereditary myopathy, other non-immune cause) that "
           "is not among the labels still possible here: the criteria presume the findings that would reveal a mimic "
           "(genetics, thyroid, other drugs, family history) absent, while the differential weighs the chance that "
           "they are not.</p>",
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
        unmatched = [f"{diff[k]:,} only in {w} run" for k, w in (("only_in_before", "the previous"),
                                                                    ("only_in_after", "this")) if diff[k]]
        out.append(f"<h2>Changes since the previous run</h2><p>{diff['reclassified']:,} of {diff['matched']:,} "
                   f"matched cases reclassified (matched on {e(', '.join(diff['matched_on']))})"
                   + (f"; not matched: {', '.join(unmatched)}" if unmatched else "") + ".</p>")
        out.append(_bars(diff["transitions"], max(diff["reclassified"], 1)))
        if diff.get("settings"):
            out.append("<p>The two runs were made with different settings: " + "; ".join(
                f"{e(x['setting'])} {e(str(x['before']))} then {e(str(x['after']))}" for x in diff["settings"])
                + ".</p>")
        if diff.get("leading_changed") or diff.get("set_changes"):
            sets = ", ".join(f"{e(k)} {v:,}" for k, v in diff.get("set_changes", {}).items())
            out.append(f"<p>Beyond the bottom-line label: the most likely label changed for "
                       f"{diff.get('leading_changed', 0):,} cases"
                       + (f"; criteria-set results changed ({sets})" if sets else "") + ".</p>")
            if diff.get("leading_transitions"):
                out.append(_bars(diff["leading_transitions"], max(diff["leading_changed"], 1)))
        out.append("<div class=scroll><table><tr><th class=k>case</th><th class=k>before</th><th class=k>after</th>"
                   "<th class=k>why</th></tr>")
        for c in diff["cases"][:500]:
            out.append(f"<tr><td class=k>{e(str(c['case_id'] or c['key']))}</td><td class=k>{e(c['before'])}</td>"
                       f"<td class=k>{e(c['after'])}</td><td class=k>{e('; '.join(c['reason']))}</td></tr>")
        out.append("</table></div>")
    out.append("<p>Classification criteria group patients for research; this is not a diagnosis.</p></body></html>")
    return "\n".join(out)


def write_report(results: Path, out_html: Path, previous: Path | None = None) -> dict[str, Any]:
    """Write ``out_html`` and the same content as JSON beside it (``.json``), both renamed into place only
    once written. Raises :class:`~myoclass.batch.output.UnsafeOutput` (before reading anything) when either
    would overwrite ``results`` or ``previous``, and :class:`ValueError` when ``out_html`` does not end in .html."""
    out_json = out_html.with_suffix(".json")
    inputs = [results] + ([previous] if previous is not None else [])
    check_targets(None, inputs, {"-o": out_html, "the JSON twin": out_json})
    if out_html.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"-o {out_html}: the report is an HTML page (with a .json twin beside it); allowed: a path "
                         "ending in .html")
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
