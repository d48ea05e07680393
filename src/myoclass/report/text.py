"""Plain-text and Markdown reports of an assessment, for a clinician to read."""

from __future__ import annotations

import re
from typing import Any

from myoclass.criteria import VERIFICATION
from myoclass.model.labels import RULE_LABELS
from myoclass.reasoning.assess import NO_BIOPSY_NOTE
from myoclass.reasoning.text import (
    NO_LABEL_LIKELY,
    NO_MUSCLE_SIGN,
    NO_SINGLE_DECIDER,
    SET_SHORT,
    biopsy_lead,
    eular_band,
    genetic_handoff,
    imnm_in_all,
    join_or,
    label_name,
    leading_now,
    leading_share,
    mimic_presumption,
    mimic_reason,
    no_label_likely,
    outcome_text,
    percent,
    presence_word,
    records_no_muscle_sign,
    set_verdict,
    settled_by_words,
    step_text,
    todo,
    unverified_tag,
    urgent_line,
    warning_text,
    words,
)

__all__ = ["criteria_markdown", "criteria_text", "markdown_report", "text_report"]

_STATE = {True: "yes", False: "no", None: "unknown"}
_MAX_NEXT_TESTS = 12  # next tests listed in the text report, most informative first (and every mimic to rule out)
_STATUS = {"met": "MET", "not_met": "not met", "undetermined": "UNDETERMINED"}


def _table(headers: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:  # a blank line on each side: a line right after a table would be read as one more row
        out = ["", "| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        return [*out, ""]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    widths = [min(w, 70) for w in widths]

    def fmt(r: list[str]) -> str:
        cells = [(c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(r, widths, strict=True)]
        return "  " + "  ".join(cells).rstrip()

    return [fmt(headers), "  " + "  ".join("-" * w for w in widths), *(fmt(r) for r in rows)]


def _pct(p: float | None) -> str:
    return "—" if p is None else percent(p)


#: each next test's purpose, as the report tags it
_PURPOSE_TAG = {"decides": "decides", "informs": "moves the differential", "rules_out": "rules out a mimic"}

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
    dm = a.get("differential_model", {})
    head = "Differential (not a diagnosis)"
    lines = [("## " + head) if markdown else head]
    rows = [[str(i), label_name(d["label"]), _share(d["probability"])] for i, d in enumerate(dif[:_MAX_DIFFERENTIAL], 1)]
    lines += _table(["#", "Label", "Probability"], rows, markdown)
    if len(dif) > _MAX_DIFFERENTIAL:
        rest = sum(d["probability"] for d in dif[_MAX_DIFFERENTIAL:])
        lines.append(f"   ... {len(dif) - _MAX_DIFFERENTIAL} more labels share {_share(rest)}.")
    exact = "exact" if a.get("differential_exact", True) else (
        f"within {_share(dm.get('error_bound', 0.0))} (total variation; too many branches to be exact)")
    reading = ("a salient finding not mentioned counts as weak evidence of its absence" if dm.get("reading") == "record"
               else "a finding left unknown carries no evidence")
    if a["summary"]["label"] != "undetermined" and len(dif) > 1:
        lines.append(mimic_presumption(a["summary"]["label"]))
    lines.append(f"The probability that the criteria will give each label once the unknown findings are known, "
                 f"under a model of how often each finding occurs in each condition, taken from published cohorts "
                 f"where a source was found ({exact}; {reading}; model version {dm.get('version', '?')}). Here "
                 f"{dm.get('assumed_numbers', '?')} of the numbers it uses are assumptions, with no published source "
                 "read for them ('myoclass model' lists every number with its source). It is not a diagnosis and not "
                 "fitted to any hospital's case mix.")
    lines.append("")
    return lines


def _test_odds(t: dict[str, Any]) -> str:
    ei = t.get("expected_information")
    if ei is None:
        return ""
    p = t.get("p_present") if t["finding"] != "biopsy_performed" else None  # whether a biopsy was done: recorded
    # the finding is unknown, so possible: a model share rounded to 0 is "<0.1%", never "0%"
    pres = f"{presence_word(t['finding'])} {_share(p) if p > 0 else '<0.1%'}, " if p is not None else ""
    return f" ({pres}{ei:.2f} bits)"


def _headline(a: dict[str, Any]) -> str:
    """The answer first: the most likely label and whether the criteria settle it."""
    s = a["summary"]
    if s["label"] == "undetermined":
        in_all = imnm_in_all(a)
        far = f"; {in_all}" if in_all else ""
        far += f"; {NO_LABEL_LIKELY}" if no_label_likely(s["leading_probability"]) else ""
        far += f"; {NO_MUSCLE_SIGN}" if records_no_muscle_sign(a) else ""
        bx = biopsy_lead(a)
        if bx:  # the share without a biopsy cannot give the labels only a biopsy classifies: say so first
            return (f"Most likely: {label_name(s['leading_label'])} — {leading_share(s)} without a muscle biopsy "
                    f"(not settled by the criteria{far}); {bx}")
        return (f"Most likely: {label_name(s['leading_label'])} — {leading_share(s)} "
                f"(not settled by the criteria{far})")
    cert = f"{s['certainty']} " if s["certainty"] else ""
    by = settled_by_words(s["label"])
    if s["label"] in RULE_LABELS:
        by += "; no criteria set defines it"
    return f"Classified: {cert}{label_name(s['label'])} (settled by {by})"


def _eular_line(e: dict[str, Any]) -> str:
    sc = f"{e['score']:.1f}" if e["score"] is not None else f"{e['score_min']:.1f}–{e['score_max']:.1f}"
    rng = (_pct(e["probability"]) if e["probability"] is not None
           else f"{_pct(e['probability_min'])} to {_pct(e['probability_max'])}")
    model = {"with_biopsy": "with biopsy", "without_biopsy": "without biopsy"}.get(e["model"] or "",
                                                                                  "biopsy status unknown")
    badge, category = set_verdict(e)
    subs = e["possible_subgroups"]
    sub = e["subgroup"] or (join_or(subs) if subs else "none")
    return (f"EULAR/ACR 2017: score {sc} points ({model}), probability of IIM {rng}, in the {eular_band(e)} range; "
            f"{badge}: {category}; subgroup: {sub}.")


def _codes(a: dict[str, Any]) -> str:
    """The codes behind the words, for engineers (the JSON has them all)."""
    s = a["summary"]
    tests = ", ".join(t["finding"] for t in a["next_tests"][:_MAX_NEXT_TESTS])
    pol = ", ".join(f"{k}={v}" for k, v in a["policy"].items())
    return (f"Codes (for engineers): label {s['label']}; leading {s['leading_label']}; reachable "
            f"{', '.join(s['reachable_labels'])}; next tests {tests or 'none'}; policy {pol}.")


#: under "Next tests" when the tests are weighed: what the figures in parentheses mean, in a clinician's words
NEXT_TESTS_LEGEND = ("In parentheses: how likely the finding is to be present (or the test positive) under the model, and "
                     "how much its result is expected to narrow the differential, in bits (0 = not at all, 1 = as "
                     "much as settling a 50:50 choice); the list is ordered by the latter.")

#: under "Next tests", before the mimics to rule out that come after the first ones in the order of information
NEXT_TESTS_MIMICS = "Mimics to rule out, listed whatever their information:"

#: the cancer-screening guidance item in a report that has the cancer-screening section (its text is that section)
CANCER_SECTION_POINTER = "Cancer screening (IMACS 2023): the risk, why, timing and panels are under Cancer screening below."

#: under the EULAR/ACR table when the biopsy status is not known, so each item shows both of its weights
EULAR_SPLIT_WEIGHTS = ("Weight: points without a biopsy / with a biopsy (the criteria weigh each item differently "
                       "with and without muscle biopsy data; — means the item counts only with a biopsy). Whether a "
                       "biopsy was done is not known, so both are shown.")

#: at most this many chart items not mapped are listed in a report (the JSON output has them all)
_MAX_UNMAPPED = 20


def _chart(a: dict[str, Any], markdown: bool) -> list[str]:
    """Where a case read from a chart (FHIR) came from: the fields read and their resources, the choices
    made where resources disagreed, and every item not mapped."""
    inp = a.get("input")
    if not inp or inp["format"] == "flat":
        return []
    fhir = inp["format"] == "fhir"
    head = "Read from the chart (FHIR R4)" if fhir else f"Read from the phenopacket (HPO {inp.get('hpo_version', '')})"
    lines = [f"## {head}" if markdown else head]
    read = inp.get("read", [])
    lines.append(f"{len(read)} fields read from the {'chart' if fhir else 'phenopacket'}; "
                 f"{len(inp.get('unmapped', []))} items not mapped.")
    lines += [f"- note: {w}" for w in inp.get("warnings", [])]
    for r in read:
        if r.get("note") or r.get("conflict"):
            flag = "CONFLICT: " if r.get("conflict") else ""
            lines.append(f"- {r['field']}: {flag}{r.get('note', '')} ({', '.join(r['sources'])})")
    unmapped = inp.get("unmapped", [])
    for u in unmapped[:_MAX_UNMAPPED]:
        code = f" ({u['code']})" if u["code"] else ""
        lines.append(f"- not mapped: {u['resource']}{code}: {u['reason']}")
    if len(unmapped) > _MAX_UNMAPPED:
        lines.append(f"  ... and {len(unmapped) - _MAX_UNMAPPED} more (all are in the JSON output).")
    lines.append("")
    return lines


def _report(a: dict[str, Any], markdown: bool) -> str:
    s = a["summary"]
    h1, h2 = ("# ", "## ") if markdown else ("", "")
    lines: list[str] = []
    title = f"myoclass assessment — case {a['case_id'] or '(no id)'}"
    lines += [h1 + title] if markdown else [title, "=" * len(title)]
    lines.append("")
    urgent = urgent_line(a)
    if urgent:
        lines += [f"**{urgent}**", ""] if markdown else [urgent]
    head = _headline(a)
    lines.append(f"**{head}**" if markdown else head)
    lines.append(s["text"])
    e = a["criteria"].get("eular_acr_2017")
    if e:
        lines.append(_eular_line(e))
    lines.append("")
    lines.append(h2 + "What to do now" if markdown else "What to do now")
    for i, line in enumerate(todo(a), 1):
        likely = f" ({line['likely']})" if line.get("likely") else ""
        lines.append(f"{i}. {line['step']}{line['unverified']}{likely}" + (f": {line['detail']}" if line["detail"] else ""))
    lines.append("")
    lines += _differential(a, markdown)
    lines.append(h2 + "Next tests" if markdown else "Next tests")
    if any(t.get("expected_information") is not None for t in a["next_tests"]):
        lines.append(NEXT_TESTS_LEGEND)
    if s["label"] == "undetermined" and not any(t["purpose"] == "decides" for t in a["next_tests"]):
        lines.append(NO_SINGLE_DECIDER)
    elif not a["next_tests"]:
        lines.append("None needed to settle the label.")
    # in the JSON's order (most informative first), the first ones whatever their purpose (a clinician review found
    # a test that decides cut while less informative ones were listed); a mimic to rule out is always listed
    # the mimics past the cut follow under their own line, so that "each less informative" stays true of the rest
    first = a["next_tests"][:_MAX_NEXT_TESTS]
    mimics = [t for t in a["next_tests"][_MAX_NEXT_TESTS:] if t["purpose"] == "rules_out"]
    left = len(a["next_tests"]) - len(first) - len(mimics)
    reach = s["reachable_labels"]
    lead = leading_now(a)

    def entry(i: int, t: dict[str, Any]) -> str:
        if t["purpose"] in ("decides", "informs"):
            what = outcome_text(t, reach, leading=lead)
        else:
            reason = mimic_reason(t)
            what = reason if reason is not None else words(str(t.get("why", "")))
        step = step_text(t)
        return f"{i}. {step[:1].upper() + step[1:]} [{_PURPOSE_TAG[t['purpose']]}]{_test_odds(t)}: {what}"

    lines += [entry(i, t) for i, t in enumerate(first, 1)]
    if left:
        lines.append(f"   ... and {left} more, each less informative than these (all are in the JSON output).")
    if mimics:
        lines.append(NEXT_TESTS_MIMICS)
        lines += [entry(i, t) for i, t in enumerate(mimics, len(first) + 1)]
    lines.append("")
    cs = a.get("cancer_screening")
    screening_section = bool(cs and cs["applicable"] is not False)
    if a.get("guidance"):
        lines.append(h2 + "Guidance for the clinician (decision support, with sources)" if markdown
                     else "Guidance for the clinician (decision support, with sources)")
        for g in a["guidance"]:
            # the cancer-screening item's text is the section below, said once (risk, why, timing, notes)
            text = (CANCER_SECTION_POINTER if g["id"] == "cancer.screening" and screening_section else g["text"])
            lines.append(f"- {text} — {g['citation']}{unverified_tag(g)}")
        lines.append("")
    if screening_section:
        assert cs is not None
        head = "Cancer screening (IMACS 2023; factor tiers and panels UNVERIFIED)"
        lines.append(h2 + head if markdown else head)
        # while it is open whether the guideline applies, say so first (a clinician review of session 26 read the
        # section of a 20-year-old with exertional rhabdomyolysis, 94% no inflammatory myopathy, as advice to screen)
        first = [n for n in cs["notes"] if cs["applicable"] is None and n.startswith("Applies once")]
        lines += first
        risk = cs["risk"] or "one of " + ", ".join(cs["possible_risks"])
        lines.append(f"Risk: {risk}, by the count of risk factors (the rule below; the notes give context).")
        lines += [f"Why: {r}" for r in cs.get("reasons", [])]
        for tier in ([cs["risk"]] if cs["risk"] else cs["possible_risks"]):
            if tier in cs.get("timing", {}):
                lines.append(f"{'If ' + tier if not cs['risk'] else 'Timing'}: {cs['timing'][tier]}.")
        lines.append(f"Rule: {cs['rule']}.")
        present = [f["label"] for f in cs["factors"] if f["state"] is True]
        unknown = [f["label"] for f in cs["factors"] if f["state"] is None]
        lines.append("Factors present: " + (", ".join(present) or "none") + "; unknown: " + (", ".join(unknown) or "none"))
        lines.append("Basic panel: " + "; ".join(cs["panels"]["basic"]) + ".")
        lines.append("Enhanced panel: " + "; ".join(cs["panels"]["enhanced"]) + ".")
        lines += [f"- {n}" for n in cs["notes"] if n not in first]
        lines.append("")
    handoff = genetic_handoff(a)
    if handoff:
        lines += [handoff + " To write it: myoclass assess FILE --format phenopacket.", ""]
    lines += _chart(a, markdown)
    if a["warnings"]:
        lines.append(h2 + "Warnings" if markdown else "Warnings")
        lines += [f"- {warning_text(w)}" for w in a["warnings"]]
        lines.append("")
    tags: set[str] = set()
    for sid, cs in a["criteria"].items():
        badge, category = set_verdict(cs)
        head = f"{cs['title']} ({cs['version']}): {badge.upper()} — {category}"
        lines.append(h2 + head if markdown else head)
        if sid == "eular_acr_2017":
            lines.append(_eular_line(cs))
            lines += [f"Note: {n}" for n in cs["notes"]]
        rows = []
        split = False
        for it in cs["items"]:
            w = it["weight"]
            if sid == "eular_acr_2017" and w is None and cs.get("model") is None:  # biopsy status unknown
                wb, wo = it["weight_with_biopsy"], it["weight_without_biopsy"]
                wtxt = f"{wo if wo is not None else '—'}/{wb}"
                split = True
            elif sid == "eular_acr_2017" and w is None:  # a biopsy item where no biopsy was done: not scored
                wtxt = "—"
            else:
                wtxt = "" if w is None else f"{w:g}"
            tags.add(it["verification"])
            tag = it["verification"] + (" UNVERIFIED" if it["unverified"] else "")
            state = "no biopsy" if it.get("note") == NO_BIOPSY_NOTE else _STATE[it["state"]]
            rows.append([it["label"], state, wtxt, tag])
        lines += _table(["Item", "State", "Weight", "Tag"], rows, markdown)
        if split:
            lines.append(EULAR_SPLIT_WEIGHTS)
        lines.append(f"Source: {cs['citation']}")
        others = sorted({it["citation"] for it in cs["items"]} - {cs["citation"]})
        if len(others) > 1:
            lines.append("Item sources: " + "; ".join(others))
        lines.append("")
    if tags:
        lines.append("Tags: " + "; ".join(f"{t} {VERIFICATION[t]}" for t in VERIFICATION if t in tags) + ".")
    v = a["versions"]
    lines.append("Versions: " + ", ".join(f"{SET_SHORT.get(k, k)} {val}" for k, val in v.items()))
    lines.append(_codes(a))
    lines.append("Classification criteria are research tools and decision support, not a diagnosis or an order.")
    return "\n".join(lines) + "\n"


def text_report(a: dict[str, Any]) -> str:
    return _report(a, markdown=False)


def markdown_report(a: dict[str, Any]) -> str:
    return _paragraphs(_report(a, markdown=True))


_LIST_ITEM = re.compile(r"^(?:[-*] |\d+\. )")


def _paragraphs(md: str) -> str:
    """Markdown whose consecutive lines render as the separate lines they are: a blank line between two lines unless
    both are table rows, both list items, or the first is a heading (a clinician review of session 23: the headline,
    the summary and the EULAR/ACR line, or the cancer panels, ran together into one paragraph)."""
    out: list[str] = []
    for line in md.split("\n"):
        prev = out[-1] if out else ""
        if line.strip() and prev.strip() and not prev.startswith("#") and not (
                (line.startswith("|") and prev.startswith("|"))
                or (_LIST_ITEM.match(line) and _LIST_ITEM.match(prev))):
            out.append("")
        out.append(line)
    return "\n".join(out)


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
