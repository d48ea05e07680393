"""``myoclass model``: every number of the differential's model with its provenance (text, markdown, JSON).

The numbers, tags, sources and notes come from the accessors of
:mod:`myoclass.reasoning.differential_model` (``rows()``, ``sources()``, ``assumed_numbers()``); this module
only lays them out. Documentation of the model: ``docs/differential-model.md``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from myoclass.criteria.api import Citation
from myoclass.reasoning import differential_model as M

__all__ = ["TABLE_TITLES", "model_document", "model_markdown", "model_text", "source_keys", "statement"]

#: the tables of the model, in the order printed, with a heading in words
TABLE_TITLES: dict[str, str] = {
    "prior": "Prior P(condition): the share of each condition among patients referred for a suspected myositis or "
             "myopathy",
    "prior_input": "Inputs of the prior (shares combined into P(condition))",
    "categorical": "Categorical variables given the condition (age, CK and duration bands, onset tempo, the one "
                   "myositis-specific antibody, the non-immune cause, courses)",
    "boolean": "Findings given the condition (present; biopsy items given that a biopsy was read)",
    "component": "Parts of a condition whose findings go together (a part gives these numbers; every other number "
                 "is its condition's, and its share of the condition is a prior input)",
    "overlap_input": "Non-specific myositis as overlap myositis: the share of overlap myositis with systemic sclerosis",
    "overlap_remainder": "Non-specific myositis without systemic sclerosis (the rest of the overlap mixture of four "
                         "findings above)",
    "juvenile": "Findings given the condition when the onset is known to be before 18, where they differ from the "
                "table above",
    "enzyme_given_ck": "LDH, AST, ALT and aldolase given the CK band",
    "cause_emission": "Hypothyroidism and other myotoxic drugs given the non-immune cause",
    "reporting": "Reading 'record': P(mentioned | present) of the salient findings",
    "assessment": "Age at assessment, when neither the age at onset nor the symptom duration is given: P(assessed "
                  "in a given month), which weighs the onset-age bands (onset spread evenly within its band, delay "
                  "exponential)",
    "first_year_onset": "An onset in the first year of life (the age at onset under 1, or the age under 1), given an "
                        "onset under 18: P(onset in the first year | condition, onset under 18), which weighs the "
                        "under-18 band",
    "sex": "The patient's sex: P(male | condition), for an onset at 18 or over and, where children have the "
           "condition, under 18; it weighs the onset bands (female: 1 - P(male); other: no evidence)",
}
_GIVEN_TEXT = {"statin_withdrawal_outcome": "statin stopped", "immunosuppression_response": "treated"}


def statement(row: dict[str, Any]) -> str:
    """The number as a probability statement, e.g. ``P(ild | antisynthetase)``."""
    t, var, given, value = row["table"], row["variable"], row["given"], row["value"]
    if t == "prior":
        return f"P(condition = {given})"
    if t == "prior_input":
        return str(var)
    if t == "categorical":
        extra = f", {_GIVEN_TEXT[var]}" if var in _GIVEN_TEXT else ""
        return f"P({var} = {value} | {given}{extra})"
    if t == "boolean":
        extra = ", biopsy read" if str(var).startswith("biopsy_") and var != "biopsy_performed" else ""
        return f"P({var} | {given}{extra})"
    if t in ("juvenile", "overlap_remainder"):
        return f"P({var} | {given})"
    if t == "overlap_input":
        return f"P(systemic_sclerosis | {given})"  # ssc_share_of_overlap
    if t == "component":
        return f"P({var} | {given})" if value == "present" else f"P({var} = {value} | {given})"
    if t == "enzyme_given_ck":
        return f"P({var} | ck_band = {given})"
    if t == "cause_emission":
        return f"P({var} | non_immune_cause = {given})"
    if t == "reporting":
        group = M.REPORTING_GROUPS.get(var)
        return f"P({var} mentioned | present)" + (f" [{len(group)} fields]" if group else "")
    if t == "assessment":
        return "P(assessed in a given month | not yet assessed" + (f", {given})" if given else ")")
    if t == "first_year_onset":
        return f"P(onset in the first year | {given}, onset under 18)"
    if t == "sex":
        return f"P(male | {given}, {value})"
    return f"P({var} = {value} | {given})"  # pragma: no cover - a table added to the model later


def source_keys(row: dict[str, Any], sources: list[Citation]) -> list[str]:
    """The keys of the sources a row cites (``rows()`` gives them as one string of short citations)."""
    text = str(row["sources"])
    by_len = sorted(sources, key=lambda s: -len(s.rendered_short))
    keys: list[str] = []
    i = 0
    while i < len(text):
        for s in by_len:
            if text.startswith(s.rendered_short, i):
                keys.append(s.key)
                i += len(s.rendered_short)
                break
        else:
            raise ValueError(f"unknown source in {text!r} at {i}")
        if text.startswith("; ", i):
            i += 2
        elif i < len(text):
            raise ValueError(f"unexpected text in {text!r} at {i}")
    return keys


def _condition(row: dict[str, Any]) -> str | None:
    """The condition a row's number is given, if any (a part of a condition: that condition)."""
    given = str(row["given"])
    if row["table"] == "component":
        return given.split(":", 1)[0]
    if str(row["table"]).startswith("overlap_"):
        return "nonspecific_myositis"
    return given if given in M.CONDITIONS else None


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    tags = Counter(str(r["tag"]) for r in rows)
    cited = sum(1 for r in rows if r["sources"])
    return {
        "numbers": len(rows),
        "cited": cited,
        "structural": tags.get("def", 0),
        "assumed": tags.get("assumed", 0),
        "cited_resting_on_assumed": sum(1 for r in rows if r["sources"] and r["rests_on"]),
        "by_tag": {t: tags[t] for t in M.TAGS if tags.get(t)},
        "assumed_listed": len(M.assumed_numbers()),
    }


def model_document(tag: str | None = None) -> dict[str, Any]:
    """The whole model as one JSON-ready object: summary, sources, reading policies, conditions and every
    number (optionally only those tagged ``tag``; the summary always counts the whole model)."""
    sources = M.sources()
    rows = M.rows()
    numbers = [{**r, "statement": statement(r), "condition": _condition(r),
                "source_keys": source_keys(r, sources),
                "rests_on": [x for x in str(r["rests_on"]).split(", ") if x]}
               for r in rows if tag is None or r["tag"] == tag]
    return {
        "model_version": M.MODEL_VERSION,
        "documentation": "docs/differential-model.md",
        "hpo_release": M.HPO_RELEASE,
        "summary": _summary(rows),
        "tags": {t: _TAG_TEXT.get(t, "") for t in M.TAGS},
        "reading_policies": dict(M.READING_POLICIES),
        "conditions": dict(M.CONDITION_TEXT),
        "sources": [{"key": s.key, "citation": s.rendered, "short": s.rendered_short, "doi": s.doi, "pmid": s.pmid,
                     "url": s.url} for s in sources],
        "filter": {"tag": tag},
        "numbers": numbers,
    }


_TAG_TEXT = {
    "V-P": "read in the primary publication (abstract or table)",
    "V-S": "read in a faithful secondary source",
    "V-X": "cross-checked against independent public implementations",
    "D": "derived: arithmetic on read numbers, or the midpoint of an Orphanet frequency class in the HPO annotations",
    "R": "recollection, not checked against the paper",
    "def": "structural 0 or 1: true by the definition of a label or variable",
    "assumed": "no source read: a documented default",
}


def _num(p: float) -> str:
    s = f"{p:.6f}".rstrip("0").rstrip(".")
    return s or "0"


def _summary_lines(doc: dict[str, Any]) -> list[str]:
    s = doc["summary"]
    tags = ", ".join(f"{t} {n}" for t, n in s["by_tag"].items())
    return [
        f"{s['numbers']} numbers: {s['cited']} cited (with a source), {s['structural']} structural (def), "
        f"{s['assumed']} assumed (no source read yet). By tag: {tags}.",
        f"{s['cited_resting_on_assumed']} of the cited numbers are derived partly from assumed ones (see 'rests on').",
        "The model is built from the literature, not fitted to any hospital's case mix or to the validation set; "
        "the assumed numbers are documented defaults that still need a source.",
    ]


def model_text(doc: dict[str, Any]) -> str:
    """Plain text: summary, numbered sources, then one line per number, table by table."""
    ref = {s["key"]: i for i, s in enumerate(doc["sources"], 1)}
    title = f"Differential model, version {doc['model_version']} (documentation: {doc['documentation']})"
    lines = [title, "=" * len(title), "", *_summary_lines(doc), ""]
    lines.append("Tags:")
    lines += [f"  {t:<8} {x}" for t, x in doc["tags"].items()]
    lines += ["", "Sources"]
    lines += [f"[{ref[s['key']]}] {s['citation']}" for s in doc["sources"]]
    if doc["filter"]["tag"]:
        lines += ["", f"Showing the {len(doc['numbers'])} numbers tagged {doc['filter']['tag']}."]
    for table, heading in TABLE_TITLES.items():
        rows = [r for r in doc["numbers"] if r["table"] == table]
        if not rows:
            continue
        lines += ["", heading, "-" * len(heading)]
        refs = ["".join(f"[{ref[k]}]" for k in r["source_keys"]) for r in rows]
        width = max(len(r["statement"]) for r in rows)
        rw = max(len("Sources"), *(len(x) for x in refs))
        lines.append(f"  {'Number':<{width}}  {'P':<8}  {'Tag':<7}  {'Sources':<{rw}}  Note".rstrip())
        for r, rf in zip(rows, refs, strict=True):
            note = r["note"] + (f" (rests on assumed: {', '.join(r['rests_on'])})" if r["rests_on"] else "")
            # every P is 0 or 1 before the point: left-aligned, the points line up
            lines.append(f"  {r['statement']:<{width}}  {_num(r['probability']):<8}  {r['tag']:<7}  {rf:<{rw}}  {note}"
                         .rstrip())
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def model_markdown(doc: dict[str, Any]) -> str:
    """Markdown: summary, sources, then one table per part of the model, each number with its sources."""
    short = {s["key"]: s["short"] for s in doc["sources"]}
    lines = [f"# Differential model, version {doc['model_version']}", "",
             f"Documentation: `{doc['documentation']}`. HPO annotations release {doc['hpo_release']}.", ""]
    lines += [f"- {x}" for x in _summary_lines(doc)]
    lines += ["", "| tag | meaning |", "|---|---|"] + [f"| `{t}` | {_md(x)} |" for t, x in doc["tags"].items()]
    lines += ["", "## Sources", ""] + [f"- {_md(s['citation'])}" for s in doc["sources"]]
    if doc["filter"]["tag"]:
        lines += ["", f"Showing the {len(doc['numbers'])} numbers tagged `{doc['filter']['tag']}`."]
    for table, heading in TABLE_TITLES.items():
        rows = [r for r in doc["numbers"] if r["table"] == table]
        if not rows:
            continue
        lines += ["", f"## {_md(heading)}", "", "| number | P | tag | sources | note |", "|---|---:|---|---|---|"]
        for r in rows:
            srcs = "; ".join(short[k] for k in r["source_keys"])
            note = r["note"] + (f" (rests on assumed: {', '.join(r['rests_on'])})" if r["rests_on"] else "")
            lines.append(f"| `{_md(r['statement'])}` | {_num(r['probability'])} | {r['tag']} | {_md(srcs)} | {_md(note)} |")
    return "\n".join(lines) + "\n"
