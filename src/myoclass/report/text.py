"""Plain-text and Markdown reports of an assessment, for a clinician to read."""

from __future__ import annotations

from typing import Any

from myoclass.reasoning.assess import NO_BIOPSY_NOTE
from myoclass.reasoning.text import LABEL_TEXT

__all__ = ["criteria_markdown", "criteria_text", "markdown_report", "text_report"]

_STATE = {True: "yes", False: "no", None: "unknown"}
_MAX_DECIDES = 8  # deciding tests listed in the text report, most useful first
_STATUS = {"met": "MET", "not_met": "not met", "undetermined": "UNDETERMINED"}


def _table(headers: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        return out
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    widths = [min(w, 70) for w in widths]

    def fmt(r: list[str]) -> str:
        cells = [(c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(r, widths, strict=True)]
        return "  " + "  ".join(cells).rstrip()

    return [fmt(headers), "  " + "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)]


def _pct(p: float | None) -> str:
    return "—" if p is None else f"{100 * p:.1f}%"


_MAX_DIFFERENTIAL = 5  # labels listed in the differential, most probable first


def _share(p: float) -> str:
    pct = 100 * p
    if 0 < pct < 0.1:
        return "<0.1%"
    if 99.9 < pct < 100:
        return ">99.9%"
    return f"{pct:.1f}%"


def _differential(a: dict[str, Any], markdown: bool) -> list[str]:
    """The differential as a short ranked list, worded as what the criteria will likely give, not a diagnosis."""
    dif = a.get("differential")
    if not dif:
        return []
    s = a["summary"]
    dm = a.get("differential_model", {})
    head = "Differential (not a diagnosis)"
    lines = [("## " + head) if markdown else head]
    if s["label"] == "undetermined":
        lines.append(f"Most likely: {s['leading_label']} ({_share(s['leading_probability'])}) — "
                     f"{LABEL_TEXT[s['leading_label']]}.")
    rows = [[str(i), d["label"], _share(d["probability"])] for i, d in enumerate(dif[:_MAX_DIFFERENTIAL], 1)]
    lines += _table(["#", "Label", "Probability"], rows, markdown)
    if len(dif) > _MAX_DIFFERENTIAL:
        rest = sum(d["probability"] for d in dif[_MAX_DIFFERENTIAL:])
        lines.append(f"   ... {len(dif) - _MAX_DIFFERENTIAL} more labels share {_share(rest)}.")
    exact = "exact" if a.get("differential_exact", True) else (
        f"within {_share(dm.get('error_bound', 0.0))} (total variation; too many branches to be exact)")
    lines.append(f"The probability that the criteria will give each label once the unknown findings are known, "
                 f"under a literature-based model of how often each finding occurs in each condition ({exact}; "
                 f"reading policy: {dm.get('reading', 'clinic')}; model version {dm.get('version', '?')}). It rests "
                 f"on {dm.get('assumed_numbers', '?')} assumed numbers (no source read). It is not a diagnosis and "
                 "not fitted to any hospital's case mix.")
    lines.append("")
    return lines


def _test_odds(t: dict[str, Any]) -> str:
    ei = t.get("expected_information")
    if ei is None:
        return ""
    p = t.get("p_present")
    pres = f"present {_share(p)}, " if p is not None else ""
    return f" ({pres}{ei:.2f} bits)"


def _report(a: dict[str, Any], markdown: bool) -> str:
    s = a["summary"]
    h1, h2 = ("# ", "## ") if markdown else ("", "")
    lines: list[str] = []
    title = f"myoclass assessment — case {a['case_id'] or '(no id)'}"
    lines += [h1 + title] if markdown else [title, "=" * len(title)]
    lines.append("")
    cert = f" ({s['certainty']})" if s["certainty"] else ""
    lines.append(f"{'**Label:**' if markdown else 'Label:'} {s['label']}{cert} — {LABEL_TEXT[s['label']]}")
    lines.append(s["text"])
    if len(s["reachable_labels"]) > 1:
        exact = "" if s["reachable_labels_exact"] else " (over-estimate: too many unknowns to be exact)"
        lines.append(f"Still possible{exact}: " + ", ".join(s["reachable_labels"]))
    e = a["criteria"].get("eular_acr_2017")
    if e:
        rng = (f"{_pct(e['probability'])}" if e["probability"] is not None
               else f"between {_pct(e['probability_min'])} and {_pct(e['probability_max'])}")
        lines.append(f"EULAR/ACR probability of IIM: {rng} (model: {e['model'] or 'biopsy status unknown'}).")
    lines.append("")
    lines += _differential(a, markdown)
    lines.append(h2 + "Next tests" if markdown else "Next tests")
    if not a["next_tests"]:
        lines.append("None needed to settle the label.")
    decides = [t for t in a["next_tests"] if t["purpose"] == "decides"]
    shown = decides[:_MAX_DECIDES] + [t for t in a["next_tests"] if t["purpose"] != "decides"]
    for i, t in enumerate(shown, 1):
        tag = "decides" if t["purpose"] == "decides" else "rules out a mimic"
        odds = _test_odds(t)
        lines.append(f"{i}. {t['finding']} [{tag}]{odds} — {t.get('test', '')}: {t['why']}")
    if len(decides) > _MAX_DECIDES:
        lines.append(f"   ... and {len(decides) - _MAX_DECIDES} more findings that would narrow the labels "
                     "(all are in the JSON output).")
    lines.append("")
    if a.get("guidance"):
        lines.append(h2 + "Guidance for the clinician (decision support, with sources)" if markdown
                     else "Guidance for the clinician (decision support, with sources)")
        for g in a["guidance"]:
            tag = " [UNVERIFIED]" if g.get("unverified") else ""
            lines.append(f"- {g['text']} — {g['citation']}{tag}")
        lines.append("")
    cs = a.get("cancer_screening")
    if cs and cs["applicable"] is not False:
        head = "Cancer screening (IMACS 2023; factor tiers and panels UNVERIFIED)"
        lines.append(h2 + head if markdown else head)
        risk = cs["risk"] or "one of " + ", ".join(cs["possible_risks"])
        lines.append(f"Risk: {risk}. Rule: {cs['rule']}.")
        present = [f["label"] for f in cs["factors"] if f["state"] is True]
        unknown = [f["label"] for f in cs["factors"] if f["state"] is None]
        lines.append("Factors present: " + (", ".join(present) or "none") + "; unknown: " + (", ".join(unknown) or "none"))
        lines.append("Basic panel: " + "; ".join(cs["panels"]["basic"]) + ".")
        lines.append("Enhanced panel: " + "; ".join(cs["panels"]["enhanced"]) + ".")
        lines += [f"- {n}" for n in cs["notes"]]
        lines.append("")
    if a["warnings"]:
        lines.append(h2 + "Warnings" if markdown else "Warnings")
        lines += [f"- {w}" for w in a["warnings"]]
        lines.append("")
    for sid, cs in a["criteria"].items():
        head = f"{cs['title']} [{sid} {cs['version']}]: {_STATUS[cs['status']]} — {cs['category']}"
        lines.append(h2 + head if markdown else head)
        if sid == "eular_acr_2017":
            sc = (f"{cs['score']:.1f}" if cs["score"] is not None else f"{cs['score_min']:.1f}–{cs['score_max']:.1f}")
            subs = cs["possible_subgroups"]
            sub = cs["subgroup"] or ("one of " + ", ".join(subs) if subs else "—")
            lines.append(f"Score {sc}; probability {_pct(cs['probability_min'])}–{_pct(cs['probability_max'])}; "
                         f"subgroup: {sub}")
        if cs["status"] == "undetermined" and len(cs["possible_categories"]) > 1:
            lines.append("Possible categories: " + ", ".join(cs["possible_categories"]))
        rows = []
        for it in cs["items"]:
            w = it["weight"]
            if sid == "eular_acr_2017" and w is None:
                wb, wo = it["weight_with_biopsy"], it["weight_without_biopsy"]
                wtxt = f"{wo if wo is not None else '—'}/{wb}"
            else:
                wtxt = "" if w is None else f"{w:g}"
            tag = it["verification"] + (" UNVERIFIED" if it["unverified"] else "")
            state = "no biopsy" if it.get("note") == NO_BIOPSY_NOTE else _STATE[it["state"]]
            rows.append([it["label"], state, wtxt, tag])
        lines += _table(["Item", "State", "Weight", "Source"], rows, markdown)
        lines.append(f"Source: {cs['citation']}")
        lines.append("")
    v = a["versions"]
    lines.append("Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()))
    lines.append("Classification criteria are research tools and decision support, not a diagnosis or an order.")
    return "\n".join(lines) + "\n"


def text_report(a: dict[str, Any]) -> str:
    return _report(a, markdown=False)


def markdown_report(a: dict[str, Any]) -> str:
    return _report(a, markdown=True)


def _criteria(sets: list[dict[str, Any]], markdown: bool) -> str:
    lines: list[str] = []
    for cs in sets:
        head = f"{cs['title']} — {cs['id']} {cs['version']}"
        lines += [("## " + head) if markdown else head, f"Source: {cs['citation']}"]
        if cs["verification"] == "R":
            lines.append("Parts of this set are UNVERIFIED against the primary paper (tag R).")
        rows = [[it["id"], it["label"], "" if it["weight"] is None else f"{it['weight']:g}",
                 "" if it.get("weight_with_biopsy") is None else f"{it['weight_with_biopsy']:g}",
                 it["verification"]] for it in cs["items"]]
        lines += _table(["Id", "Item", "Weight", "With biopsy", "Tag"], rows, markdown)
        lines.append("Categories: " + "; ".join(cs["categories"]))
        lines += [f"Note: {n}" for n in cs["notes"]]
        lines.append("")
    return "\n".join(lines)


def criteria_text(sets: list[dict[str, Any]]) -> str:
    return _criteria(sets, markdown=False)


def criteria_markdown(sets: list[dict[str, Any]]) -> str:
    return _criteria(sets, markdown=True)


def tis_text(r: dict[str, Any]) -> str:
    """Plain-text report of a Total Improvement Score."""
    lines = [f"Total Improvement Score (2016 ACR/EULAR, {r['population']})", ""]
    if r["tis"] is not None:
        lines.append(f"TIS {r['tis']:g} of 100: {r['category']}")
    else:
        cat = r["category"] or "one of " + ", ".join(r["possible_categories"])
        lines.append(f"TIS between {r['tis_min']:g} and {r['tis_max']:g} of 100 (missing: {', '.join(r['missing'])}): "
                     f"{cat}")
    t = r["thresholds"]
    lines.append(f"Thresholds: minimal ≥{t['minimal']}, moderate ≥{t['moderate']}, major ≥{t['major']}")
    lines.append("")
    rows = []
    for m in r["measures"]:
        pct = "missing" if m["percent_improvement"] is None else f"{m['percent_improvement']:+.1f}%"
        pts = "—" if m["points"] is None else f"{m['points']:g}"
        b = "—" if m["baseline"] is None else f"{m['baseline']:g}"
        f = "—" if m["followup"] is None else f"{m['followup']:g}"
        rows.append([m["name"], b, f, pct, f"{pts} / {m['max_points']:g}"])
    lines += _table(["Measure", "Baseline", "Follow-up", "Improvement", "Points"], rows, False)
    lines.append("")
    lines += [f"- {w}" for w in r["warnings"]]
    lines.append(f"Source: {r['citation']}")
    return "\n".join(lines) + "\n"


def mmt8_text(r: dict[str, Any]) -> str:
    """Plain-text report of an MMT-8 total."""
    total = (f"{r['total']} of {r['maximum']}" if r["total"] is not None
             else f"between {r['total_min']} and {r['total_max']} of {r['maximum']} (not graded: "
                  f"{', '.join(r['missing'])})")
    lines = [f"MMT-8 ({r['version']}, Kendall 0-10): {total}", ""]
    rows = []
    for m, g in r["grades"].items():
        if isinstance(g, dict):
            rows.append([m, "—" if g["right"] is None else str(g["right"]), "—" if g["left"] is None else str(g["left"])])
        else:
            rows.append([m, "—" if g is None else str(g), ""])
    lines += _table(["Muscle group", "Grade (right)" if r["version"] == "bilateral" else "Grade",
                     "Left" if r["version"] == "bilateral" else ""], rows, False)
    if r.get("note"):
        lines.append(f"Note: {r['note']}")
    lines.append(f"Source: {r['citation']}")
    return "\n".join(lines) + "\n"
