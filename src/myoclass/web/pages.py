"""Server-rendered pages: the clinician's workspace and the patient's checklist.

The clinician page is a plain HTML form laid out like a clinic visit. With JavaScript, htmx posts
the form whenever a field changes and swaps only the result panel; without it, the Classify button
posts the form and the whole page comes back. The patient page never shows a label, a probability
or a diagnosis.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from myoclass import __version__
from myoclass.criteria import VERIFICATION
from myoclass.errors import MissingExtra, RepeatedKey
from myoclass.examples import example_cases
from myoclass.io.json import DecodeError, TooDeep, dumps, loads
from myoclass.io.phenopacket import assessment_phenopacket
from myoclass.model.case import InvalidCase, Problem, json_kind, parse_case, show
from myoclass.model.fields import ANTIBODIES, ASSAY_METHODS, FIELDS, FieldSpec
from myoclass.reasoning.assess import NO_BIOPSY_NOTE, assess_case
from myoclass.reasoning.text import (
    LABEL_SHORT,
    LABEL_TEXT,
    NO_SINGLE_DECIDER,
    SET_SHORT,
    STATIN_COURSE_IF_TAKEN,
    biopsy_lead,
    ck_without_uln,
    eular_band,
    finding_name,
    first_steps,
    form_label,
    genetic_handoff,
    imnm_in_all,
    join_or,
    label_name,
    leading_now,
    leading_share,
    likely_words,
    mimic_presumption,
    mimic_reason,
    no_label_likely,
    not_settled,
    not_settled_tests,
    outcome_sets,
    outcome_text,
    percent,
    policy_text,
    problem_text,
    records_no_muscle_sign,
    set_verdict,
    settled_by_words,
    share,
    step_text,
    still_possible,
    then_wanted,
    todo,
    urgent_line,
    value_text,
    warning_text,
    words,
)
from myoclass.web.work import WorkPool

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_env = Environment(loader=PackageLoader("myoclass.web", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
_env.globals["version"] = __version__  # every page's footer

#: the clinic visit, in order: (section title, group of the data dictionary, or explicit keys)
SECTIONS: list[tuple[str, list[str]]] = [
    ("History", ["case_id", "sex", "age_at_onset_years", "age_years", "onset_tempo", "symptom_duration_months",
                 "family_history_myopathy", "genetic_diagnosis_gene"]),
    ("Symptoms the patient reports", [k for k, f in FIELDS.items() if f.group == "symptoms"]),
    ("Examination: muscle strength", [k for k, f in FIELDS.items() if f.group == "weakness"]),
    ("Examination: skin", [k for k, f in FIELDS.items() if f.group == "skin"]),
    ("Laboratory", [k for k, f in FIELDS.items() if f.group == "laboratory"]),
    ("Autoantibodies", list(ANTIBODIES)),
    ("EMG and muscle MRI", [k for k, f in FIELDS.items() if f.group == "electrophysiology_imaging"]),
    ("Muscle biopsy", [k for k, f in FIELDS.items() if f.group == "biopsy"]),
    ("Drugs and exposures", [k for k, f in FIELDS.items() if f.group == "drugs"]),
    ("Other organs", [k for k, f in FIELDS.items() if f.group == "extramuscular"]),
]
#: the form's sections with the field specifications they show
_SECTIONS = [(title, [FIELDS[k] for k in keys]) for title, keys in SECTIONS]


def _label_text(spec: FieldSpec) -> str:
    return form_label(spec.key)


def form_to_case(form: Any) -> tuple[dict[str, Any], list[Problem]]:
    """Form fields (strings; empty = unknown) to a flat case; unparsable numbers become problems."""
    case: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, spec in FIELDS.items():
        raw = form.get(key)
        given = {v for v in form.getlist(key) if isinstance(v, str) and v not in ("", "unknown")} \
            if hasattr(form, "getlist") else set()
        if len(given) > 1:  # as the API refuses a key given twice: which value is meant cannot be known
            problems.append(Problem(key, "given twice with different values; allowed: one value"))
            continue
        if raw is None or raw == "" or raw == "unknown":
            continue
        if not isinstance(raw, str):  # a file part of a multipart post
            problems.append(Problem(key, "a file is not allowed; allowed: a form value"))
        elif spec.kind == "bool":
            if raw in ("true", "false"):
                case[key] = raw == "true"
            else:
                problems.append(Problem(key, f"{show(raw)} is not allowed; allowed: yes, no or unknown"))
        elif spec.kind == "number":
            try:
                case[key] = float(raw.replace(",", "."))
            except ValueError:
                problems.append(Problem(key, f"{show(raw)} is not a number"))
        else:
            case[key] = raw.strip()
    return case, problems


#: short names of the labels for the headline and the differential chart (defined once, in reasoning.text)
SHORT_LABEL = LABEL_SHORT


def _entropy(differential: list[dict[str, Any]]) -> float:
    return -sum(float(d["probability"]) * math.log2(d["probability"]) for d in differential if d["probability"] > 0)


def settles(bits: float, entropy: float) -> str:
    """How much of the differential's uncertainty a test is expected to remove, in words.

    ``bits`` is the test's expected information (the expected drop of the differential's entropy);
    ``entropy`` the differential's entropy now. The share of the uncertainty removed is their ratio."""
    if bits <= 0 or entropy <= 0:
        return "would not change the odds"
    f = min(bits / entropy, 1.0)
    if f >= 0.5:
        return "settles most of what is uncertain"
    if f >= 0.2:
        return "settles much of what is uncertain"
    if f >= 0.05:
        return "settles some of what is uncertain"
    return "settles little"


def _likelihood(t: dict[str, Any]) -> str:
    """How likely the finding is under the model, in words ("" when the model does not weigh it)."""
    if t.get("p_present") is not None:
        return likely_words(t)
    values = t.get("p_values") or {}
    if_taken = t.get("test") == STATIN_COURSE_IF_TAKEN  # statin use unknown: the rest is no statin taken
    parts = [f"{'statin taken, ' if if_taken else ''}{value_text(t['finding'], k)}: {share(v)}" for k, v in values.items()]
    if if_taken and values:
        parts.append(f"no statin taken: {share(max(0.0, 1.0 - sum(values.values())))}")
    return " · ".join(parts)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _next_test_view(t: dict[str, Any], entropy: float, reachable: list[str],
                    then: dict[str, str] | None = None, leading: tuple[str, float] | None = None) -> dict[str, Any]:
    bits = t.get("expected_information")
    weighed = bits is not None and not (t.get("p_present") is None and not t.get("p_values"))
    unweighed = ""
    if not weighed and t["finding"] == "biopsy_performed":
        # an action, not an unknown finding: weighed as a whole (where a biopsy would lead, its findings unknown)
        unweighed = "no biopsy was done: doing one is a choice, weighed as a whole, not as a finding's likelihood"
    if t["purpose"] in ("decides", "informs"):
        outcome = outcome_text(t, reachable, then, leading)
    else:
        reason = mimic_reason(t)
        outcome = _cap(reason) if reason is not None else words(str(t.get("why", "")))
    return {**t, "likelihood": _likelihood(t) if weighed else "",
            "settles": settles(bits, entropy) if weighed and bits is not None else "",
            "bits": bits if weighed else None, "unweighed": unweighed,
            "step": _cap(step_text(t)), "outcome": outcome}


def _then_steps(case: dict[str, Any], a: dict[str, Any], tests: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """For each of ``tests`` and each of its results that the wording says "then …" of (:func:`then_wanted`):
    the step that would decide next once that result is known (the first deciding test of the case with
    that result entered). Only those results are re-assessed."""
    reach = a["summary"]["reachable_labels"]
    out: dict[str, dict[str, str]] = {}
    for t in tests:
        key = t["finding"]
        spec = FIELDS.get(key)
        if spec is None or key == "biopsy_performed" or not ("reachable_if_true" in t or spec.kind == "enum"):
            continue  # a banded number: the band is not a value to enter
        steps: dict[str, str] = {}
        for name, labels in outcome_sets(t, reach):
            if not then_wanted(labels, reach):
                continue
            value: Any = {"true": True, "false": False}.get(name, name)
            try:
                after = assess_case(parse_case({**case, key: value}))
            except InvalidCase:
                continue
            nxt = next((n for n in after["next_tests"] if n["purpose"] == "decides"), None)
            if nxt is not None:
                steps[name] = step_text(nxt)
        if steps:
            out[key] = steps
    return out


def _differential_view(a: dict[str, Any]) -> dict[str, Any] | None:
    """What the result panel shows of the differential: the chart rows (the small shares apart) and the
    model's note."""
    diff = a.get("differential")
    if not diff:
        return None
    rows = [{**d, "short": label_name(d["label"]), "words": LABEL_TEXT.get(d["label"], d["label"]),
             "pct": share(d["probability"]), "width": max(100 * d["probability"], 0.6)} for d in diff]
    rows[0]["pct"] = leading_share(a["summary"])  # never 100% while the criteria leave the label open
    # the labels shown as "<1%" go into the collapsed part of the chart (the leading label never does)
    shown = [r for i, r in enumerate(rows) if i == 0 or r["pct"] != "<1%"]
    small = rows[len(shown):]
    return {
        "rows": shown,
        "small": small,
        "small_total": share(sum(r["probability"] for r in small)),
        "leading": rows[0],
        "model": a.get("differential_model") or {},
        "exact": a.get("differential_exact", True),
        "handoff": genetic_handoff(a),
    }


#: the EULAR/ACR probability bar: x of a probability on the 440-unit-wide drawing (20 units of room each side,
#: so a marker at 0% or 99.9% is never clipped)
def _x(p: float) -> float:
    return round(20 + 400 * min(max(p, 0.0), 1.0), 1)


_BANDS = [("no", "not IIM", 0.0, 0.5), ("possible", "possible", 0.5, 0.55), ("probable", "probable", 0.55, 0.9),
          ("definite", "definite", 0.9, 1.0)]


def _eular_view(e: dict[str, Any]) -> dict[str, Any]:
    """The EULAR/ACR section: the verdict in words, score, probability with its named band, subgroup, the
    set's notes, and the geometry of the probability bar (SVG attributes: no inline style)."""
    badge, category = set_verdict(e)
    model = {"with_biopsy": "with biopsy", "without_biopsy": "without biopsy"}.get(e["model"] or "",
                                                                                  "biopsy status unknown: both weight sets")
    if e["score"] is not None:
        score = f"{e['score']:.1f} points"
    else:
        score = f"{e['score_min']:.1f} to {e['score_max']:.1f} points, by the unknown items"
    lo, hi = e["probability_min"], e["probability_max"]
    prob = percent(e["probability"]) if e["probability"] is not None else f"{percent(lo)} to {percent(hi)}"
    subs = e["possible_subgroups"]
    if e["subgroup"]:
        subgroup = e["subgroup"]
    elif subs:
        subgroup = "one of " + join_or(subs) if len(subs) > 1 else f"{subs[0]}, if classified"
    else:
        subgroup = "none (not classified as IIM)"
    x0, x1 = _x(lo), _x(hi)
    if x1 - x0 < 4:  # a point, or a narrow range: a marker 4 units wide centred on it
        mid = (x0 + x1) / 2
        x0, x1 = mid - 2, mid + 2
    label_x = (x0 + x1) / 2
    anchor = "end" if label_x > 380 else "start" if label_x < 60 else "middle"
    if anchor == "end":
        label_x = x1
    elif anchor == "start":
        label_x = x0
    return {
        "badge": badge, "category": category, "model": model, "score": score, "probability": prob,
        "band": eular_band(e), "subgroup": subgroup, "notes": e["notes"],
        "bands": [{"cls": c, "name": n, "x": _x(a), "width": round(_x(b) - _x(a), 1)} for c, n, a, b in _BANDS],
        "marks": [{"x": _x(0.5), "text": "50%", "anchor": "end", "tx": _x(0.5) - 2},
                  {"x": _x(0.55), "text": "55%", "anchor": "start", "tx": _x(0.55) + 2},
                  {"x": _x(0.9), "text": "90%", "anchor": "middle", "tx": _x(0.9)}],
        "range": {"x": round(x0, 1), "width": round(x1 - x0, 1), "label_x": round(label_x, 1), "anchor": anchor,
                  # an en dash beside ">99.99%" reads as an arrow ("8.4%–>99.99%"): the short dash only between plain
                  # figures
                  "text": prob.replace(" to ", "–") if ">" not in prob and "<" not in prob else prob},
        "aria": f"Probability of an inflammatory myopathy {prob}: {eular_band(e)} band",
    }


_STATE_WORD = {True: "yes", False: "no", None: "unknown"}


def _set_view(sid: str, cs: dict[str, Any]) -> dict[str, Any]:
    """One criteria set: the badge and category in agreement, the items in words, one citation."""
    badge, category = set_verdict(cs)
    rows = []
    for it in cs["items"]:
        state = "no biopsy" if it.get("note") == NO_BIOPSY_NOTE else _STATE_WORD[it["state"]]
        if sid == "eular_acr_2017" and it["weight"] is None:
            wo = it["weight_without_biopsy"]
            weight = f"{'—' if wo is None else f'{wo:g}'} / {it['weight_with_biopsy']:g}"
        else:
            weight = "" if it["weight"] is None else f"{it['weight']:g}"
        note = it.get("note", "")
        rows.append({"label": it["label"], "state": state,
                     "cls": "unknown" if it["state"] is None else ("yes" if it["state"] else "no"),
                     "weight": weight, "tag": it["verification"], "unverified": it["unverified"],
                     "note": "" if note == NO_BIOPSY_NOTE else words(note)})
    others = sorted({it["citation"] for it in cs["items"]})
    return {"id": sid, "title": cs["title"], "short": SET_SHORT.get(sid, cs["title"]), "version": cs["version"],
            "badge": badge, "badge_cls": badge.replace(" ", "-"), "category": category, "rows": rows,
            "weighted": sid == "eular_acr_2017", "citation": cs["citation"],
            "item_citations": others if len(others) > 1 else [], "notes": cs["notes"]}


def _entered(case: dict[str, Any]) -> list[tuple[str, str]]:
    """The findings entered, in the order of the form, in words (for the printed summary)."""
    out = []
    for _title, fields in _SECTIONS:
        for spec in fields:
            v = case.get(spec.key)
            if v is None or spec.key == "case_id":
                continue
            out.append((_cap(finding_name(spec.key)), value_text(spec.key, v)))
            method = case.get(f"{spec.key}_method")
            if spec.key in ANTIBODIES and method:
                out.append((_cap(finding_name(f"{spec.key}_method")), value_text(f"{spec.key}_method", method)))
    return out


def _result_view(case: dict[str, Any], a: dict[str, Any]) -> dict[str, Any]:
    """Everything the result panel shows, in words; the codes only in ``codes`` (the engineers' disclosure)."""
    s = a["summary"]
    reach = list(s["reachable_labels"])
    open_label = s["label"] == "undetermined"
    decides = [t for t in a["next_tests"] if t["purpose"] == "decides"]
    nxt = first_steps(a)
    then = _then_steps(case, a, [t for t in nxt if t["purpose"] == "decides"])
    entropy = _entropy(a["differential"]) if a.get("differential") else 0.0
    now = leading_now(a)
    tests = [_next_test_view(t, entropy, reach, then.get(t["finding"]), now) for t in a["next_tests"]]
    lead = s["leading_label"]
    in_all = imnm_in_all(a)
    if open_label:
        # as the heading reads (an IMNM subtype leading: IMNM of any subtype after it)
        headline = f"Most likely: {label_name(lead)} — {leading_share(s)}{f'; {in_all}' if in_all else ''}"
    else:
        cert = f", {s['certainty']}" if s["certainty"] else ""
        headline = f"{_cap(label_name(s['label']))}{cert}"
    e = a["criteria"]["eular_acr_2017"]
    policy = a["policy"]
    return {
        "open": open_label,
        "headline": headline,
        "lead_short": label_name(lead),
        "lead_pct": leading_share(s),
        "label_name": _cap(label_name(s["label"])),
        "mimic_presumption": mimic_presumption(s["label"]),
        "urgent": urgent_line(a),
        "certainty": s["certainty"],
        "far": open_label and no_label_likely(s["leading_probability"]),
        "in_all": in_all or "",
        "no_sign": open_label and records_no_muscle_sign(a),
        "not_settled": [(t["finding"], not_settled(t)) for t in not_settled_tests(decides)],
        "jointly": NO_SINGLE_DECIDER if open_label and not decides else "",
        "settled_by": settled_by_words(s["label"]),
        # a CK without its upper limit counts as not known: said in the headline, not only among the warnings
        "ck_note": ck_without_uln(case, brief=True) or "",
        "biopsy_lead": biopsy_lead(a) if open_label else "",
        "differs": (not open_label and lead != s["label"]),
        "lead_probability": s["leading_probability"],
        "next_kind": "To rule out a mimic" if all(t["purpose"] == "rules_out" for t in nxt) else "Next",
        "next": [(t["finding"], step_text(t)) for t in nxt],
        "todo": todo(a, then),  # a step on an unchecked source ("unverified") gets the page's flag, as its card
        "still": still_possible(a),
        "tests": tests,
        "decides": [t for t in tests if t["purpose"] == "decides"],
        "rules_out": [t for t in tests if t["purpose"] == "rules_out"],
        "informs": [t for t in tests if t["purpose"] == "informs"],
        "eular": _eular_view(e),
        "sets": [_set_view(sid, cs) for sid, cs in a["criteria"].items()],
        "tags": [(t, VERIFICATION[t]) for t in VERIFICATION
                 if any(it["verification"] == t for cs in a["criteria"].values() for it in cs["items"])],
        "warnings": [warning_text(w) for w in a["warnings"]],
        "entered": _entered(case),
        "date": datetime.date.today().isoformat(),
        "versions": [("myoclass", a["versions"]["myoclass"])]
                    + [(SET_SHORT.get(k, k), v) for k, v in a["versions"].items() if k != "myoclass"],
        "codes": {
            "label": s["label"], "leading": f"{lead} ({s['leading_probability']})", "reachable": reach,
            "tests": [t["finding"] for t in a["next_tests"]],
            "policy": [(f"{k}={v}", policy_text(k, v)) for k, v in policy.items()],
            "versions": [f"{k} {v}" for k, v in a["versions"].items()],
        },
    }


def _problems_view(problems: list[Problem]) -> list[dict[str, Any]]:
    """Each problem at its field, in words (``Age must be between 0 and 120 years``)."""
    return [{"field": p.field, "text": problem_text(p.field, p.message), "in_form": p.field in FIELDS}
            for p in problems]


def _context(case: dict[str, Any], a: dict[str, Any] | None, problems: list[Problem], example: str | None) -> dict[str, Any]:
    pv = _problems_view(problems)
    view = _result_view(case, a) if a else None
    if view:
        announce = view["headline"]
    elif pv:
        announce = "No result: " + "; ".join(p["text"] for p in pv[:3])
    else:
        announce = ""
    return {
        "dx": _differential_view(a) if a else None,
        "v": view,
        "sections": _SECTIONS,
        "antibodies": ANTIBODIES,
        "methods": ASSAY_METHODS,
        "method_text": lambda key, m: value_text(f"{key}_method", m),
        "option_text": value_text,
        "label_text": _label_text,
        "case": case,
        "a": a,
        "problems": pv,
        "field_errors": {p["field"]: p["text"] for p in pv if p["in_form"]},
        "announce": announce,
        "examples": list(example_cases()),
        "example_name": _example_name,
        "example": example,
    }


_EXAMPLE_WORDS = {"anti": "anti-", "hmgcr": "HMGCR", "srp": "SRP", "dm": "DM"}


#: the bundled examples as the menu names them: what each case is, in a clinician's words (the identifiers turned
#: into words had read "Anti-HMGCR statin naive young": a review of session 35)
EXAMPLE_MENU = {
    "anti_hmgcr_statin": "Anti-HMGCR IMNM after a statin",
    "anti_hmgcr_statin_naive_young": "Anti-HMGCR IMNM, young and statin-naive",
    "anti_srp_cardiac": "Anti-SRP IMNM with cardiac involvement",
    "antibody_negative_cancer": "Antibody-negative IMNM with a cancer",
    "dermatomyositis": "Dermatomyositis",
    "amyopathic_dm": "Amyopathic dermatomyositis",
    "inclusion_body_myositis": "Inclusion body myositis",
    "antisynthetase_syndrome": "Antisynthetase syndrome",
    "dysferlinopathy_mimic": "Dysferlinopathy mimicking myositis",
    "statin_toxic_myopathy": "Self-limited statin toxic myopathy",
    "mostly_unknown": "A thin chart: most findings unknown",
}


def _example_name(name: str) -> str:
    """An example's name in words for the menu (:data:`EXAMPLE_MENU`; another example's identifier in words:
    ``anti_hmgcr_statin`` → ``Anti-HMGCR statin``)."""
    if name in EXAMPLE_MENU:
        return EXAMPLE_MENU[name]
    text = " ".join(_EXAMPLE_WORDS.get(w, w) for w in name.split("_")).replace("anti- ", "anti-")
    return text[:1].upper() + text[1:]


def _assess(case: dict[str, Any], problems: list[Problem]) -> tuple[dict[str, Any] | None, list[Problem]]:
    if problems:
        return None, problems
    try:
        return assess_case(parse_case(case)), []
    except InvalidCase as e:
        return None, e.problems


def _pool(request: Request) -> WorkPool:
    """The one-case lane (``Settings.single_threads``): one patient's work never waits behind lists of cases."""
    pool: WorkPool = request.app.state.single_pool
    return pool


def _render_clinician(example: str | None) -> HTMLResponse:
    ex = example_cases()
    case: dict[str, Any] = dict(ex[example]) if example in ex else {}
    a, problems = _assess(case, []) if case else (None, [])
    return HTMLResponse(_env.get_template("clinician.html").render(**_context(case, a, problems, example)))


@router.get("/", response_class=HTMLResponse)
async def clinician(request: Request, example: str | None = None) -> HTMLResponse:
    return await _pool(request).run(_render_clinician, example)


def _render_result(form: Any, fragment: bool) -> HTMLResponse:
    """The whole page (no JavaScript), or for htmx the result panel with the field messages and the live
    region's headline out of band. Input with problems leaves the last result in place, marked out of date
    (``HX-Reswap: none``), with each problem at its field."""
    case, problems = form_to_case(form)
    a, problems = _assess(case, problems)
    ctx = _context(case, a, problems, None)
    if not fragment:
        return HTMLResponse(_env.get_template("clinician.html").render(**ctx))
    html = _env.get_template("result.html").render(**ctx, fragment=True, stale=bool(problems))
    return HTMLResponse(html, headers={"HX-Reswap": "none"} if problems else None)


@router.post("/", response_class=HTMLResponse)
async def clinician_post(request: Request) -> HTMLResponse:
    form = await request.form()
    return await _pool(request).run(_render_result, form, request.headers.get("hx-request") == "true")


@router.get("/export", include_in_schema=False)
@router.get("/export/phenopacket", include_in_schema=False)
@router.get("/import", include_in_schema=False)
def _back_to_workspace(request: Request) -> RedirectResponse:
    """A form's target opened in the browser (a bookmark, Forward after Back): the workspace, not a 405 in JSON.
    With a query string (patient data in an address) it stays a 405: data is only ever taken by POST."""
    _no_query(request)
    return RedirectResponse("/", status_code=303)


@router.get("/patient/summary", include_in_schema=False)
def _back_to_checklist(request: Request) -> RedirectResponse:
    """The summary is made from the checklist's answers (POST): opened directly, the checklist."""
    _no_query(request)
    return RedirectResponse("/patient", status_code=303)


def _no_query(request: Request) -> None:
    if request.url.query:
        raise StarletteHTTPException(405, "data is only taken by POST (never from an address)",
                                     headers={"Allow": "POST"})


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for ``/favicon.ico`` on pages that link none (the API docs): the SVG icon of ``/static``."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
# control and format characters, lone surrogates, and what no file system takes in a name
_UNSAFE_UNICODE = re.compile(r'[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff/\\:*?"<>|]+')


def attachment(case_id: str | None, suffix: str = ".json") -> str:
    """A ``Content-Disposition`` for the export of ``case_id`` (RFC 6266, RFC 5987): an ASCII
    ``filename`` of safe characters only, and the name (cut at 80 characters, control characters and
    characters no file system takes replaced by ``_``) percent-encoded in UTF-8 as ``filename*``. No
    control character, quote or non-ASCII byte ever reaches the header."""
    cid = (case_id or "case")[:80]
    fallback = _UNSAFE_FILENAME.sub("_", cid).strip("._-") or "case"
    full = _UNSAFE_UNICODE.sub("_", cid).strip(" .") or "case"
    encoded = quote(f"myoclass-{full}{suffix}", safe="")
    return f"attachment; filename=\"myoclass-{fallback}{suffix}\"; filename*=UTF-8''{encoded}"


def _export(form: Any) -> Response:
    case, problems = form_to_case(form)
    a, problems = _assess(case, problems)
    body = {"case": case, "assessment": a, "errors": [p.to_dict() for p in problems]}
    cid = case.get("case_id")
    return Response(dumps(body).encode("utf-8"), media_type="application/json",
                    headers={"content-disposition": attachment(cid if isinstance(cid, str) else None)})


@router.post("/export")
async def export(request: Request) -> Response:
    """The case and its assessment as one JSON file (a download)."""
    form = await request.form()
    return await _pool(request).run(_export, form)


def _export_phenopacket(form: Any) -> Response:
    case, problems = form_to_case(form)
    a, problems = _assess(case, problems)
    if a is None:
        return Response(dumps({"errors": [p.to_dict() for p in problems]}).encode("utf-8"), status_code=422,
                        media_type="application/json")
    try:
        packet = assessment_phenopacket(a, parse_case(case).to_flat())
    except MissingExtra as e:
        return Response(dumps({"errors": [{"field": "(phenopacket)", "message": str(e)}]}).encode("utf-8"),
                        status_code=501, media_type="application/json")
    cid = case.get("case_id")
    return Response(dumps(packet).encode("utf-8"), media_type="application/json",
                    headers={"content-disposition": attachment(cid if isinstance(cid, str) else None, ".phenopacket.json")})


@router.post("/export/phenopacket")
async def export_phenopacket(request: Request) -> Response:
    """The case and its assessment as a GA4GH phenopacket (a download), for a genetic ranking tool (LIRICAL,
    Exomiser) with the patient's exome or genome."""
    form = await request.form()
    return await _pool(request).run(_export_phenopacket, form)


# --- the patient's checklist -----------------------------------------------------------------

#: (flat key, question in plain words)
PATIENT_SYMPTOMS: list[tuple[str, str]] = [
    ("symptom_difficulty_climbing_stairs", "Is it harder than before to climb stairs?"),
    ("symptom_difficulty_rising_from_chair", "Is it hard to stand up from a chair without using your arms?"),
    ("symptom_difficulty_lifting_arms_overhead", "Is it hard to lift your arms above your head, for example to "
                                                 "brush your hair or reach a shelf?"),
    ("symptom_falls", "Have you fallen, or found it hard to get up after a fall?"),
    ("symptom_fatigue", "Do you feel tired most of the time?"),
    ("symptom_myalgia", "Do your muscles ache or hurt?"),
    ("dysphagia", "Is it hard to swallow, or does food stick?"),
]
#: (key, question) about the skin and the lungs: what tells dermatomyositis and antisynthetase syndrome apart from
#: other muscle diseases; in the summary and its questions, not findings of the flat case (a patient cannot tell a
#: heliotrope rash from another one, nor interstitial lung disease from breathlessness)
PATIENT_SKIN_LUNGS: list[tuple[str, str]] = [
    ("rash", "Have you noticed a new skin rash, for example on your eyelids, on your knuckles, or on your face, "
             "neck or chest?"),
    ("breathless", "Are you more short of breath than before, or do you have a dry cough that does not go away?"),
]
PATIENT_WEAK_AREAS: list[tuple[str, str]] = [
    ("neck", "neck (for example lifting your head off the pillow)"), ("shoulders", "shoulders and upper arms"),
    ("hips", "hips"), ("thighs", "thighs"), ("back", "back"),
]
PATIENT_HISTORY: list[tuple[str, str]] = [
    # the flat case's statin_exposure is "statin taken before or at onset" (data dictionary): the question asks
    # exactly that, so a statin started after the weakness is not imported as exposure
    ("statin_exposure", "Were you taking a statin (a cholesterol-lowering medicine such as atorvastatin or "
                        "simvastatin) when your muscle problems began, or before?"),
]
PATIENT_TESTS: list[tuple[str, str]] = [
    ("test_ck", "A blood test for creatine kinase (CK), a muscle enzyme"),
    ("test_antibodies", "A blood test for myositis antibodies (for example anti-SRP or anti-HMGCR)"),
    ("test_biopsy", "A muscle biopsy (a small piece of muscle examined under the microscope)"),
    ("test_emg", "A test of the muscles' electrical activity (EMG) or a muscle MRI scan"),
]
_ANSWERS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
#: the answers that are findings of the flat case: the clinician can import them (symptoms, dysphagia, statins)
PATIENT_FINDINGS: tuple[str, ...] = tuple(k for k, _q in PATIENT_SYMPTOMS + PATIENT_HISTORY)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_STOP = "(I will not stop any medicine without advice.)"


def _checklist(chosen: dict[str, str], ticked: set[str], since: str, notes: str) -> HTMLResponse:
    return HTMLResponse(_env.get_template("patient.html").render(
        symptoms=PATIENT_SYMPTOMS, skin_lungs=PATIENT_SKIN_LUNGS, areas=PATIENT_WEAK_AREAS, history=PATIENT_HISTORY,
        tests=PATIENT_TESTS, answers=_ANSWERS, chosen=chosen, ticked=ticked, since=since, notes=notes))


@router.get("/patient", response_class=HTMLResponse)
def patient() -> HTMLResponse:
    return _checklist({}, set(), "", "")


@router.post("/patient", response_class=HTMLResponse)
async def patient_again(request: Request) -> HTMLResponse:
    """The checklist again with the answers of a summary filled in ("Change my answers" on the summary posts them
    back: nothing is stored, and nothing goes into a web address); a plain link had emptied every answer."""
    got = _PatientForm.read(await request.form())
    return _checklist(got.answers, got.ticked, got.since, got.notes)


@dataclass(frozen=True)
class _PatientForm:
    """The checklist's answers as posted: each question ``yes``/``no``/``unsure`` (anything else is ``unsure``), the
    weak areas ticked, and the two texts cut to the form's lengths (whether the notes were cut)."""

    answers: dict[str, str]
    ticked: set[str]
    since: str
    notes: str
    notes_cut: bool

    @staticmethod
    def read(form: Any) -> _PatientForm:
        def answer(key: str) -> str:
            v = form.get(key)
            return v if isinstance(v, str) and v in _ANSWERS else "unsure"

        def text(key: str, limit: int) -> tuple[str, bool]:  # a file part of a multipart post counts as empty
            v = form.get(key)
            v = v.strip() if isinstance(v, str) else ""
            return v[:limit], len(v) > limit  # the text, and whether it was cut (the form's maxlength stops a browser)

        since, _cut = text("since", 200)
        notes, notes_cut = text("notes", 2000)
        return _PatientForm(
            {k: answer(k) for k, _q in PATIENT_SYMPTOMS + PATIENT_SKIN_LUNGS + PATIENT_HISTORY + PATIENT_TESTS},
            {k for k, _label in PATIENT_WEAK_AREAS if form.get(f"weak_{k}") == "on"}, since, notes, notes_cut)


def summary_questions(answers: dict[str, str]) -> list[str]:
    """The questions the summary asks the doctor, following the answers (``yes``/``no``/``unsure`` by key): a test
    the patient already had is asked about by its result, one not had (or not known) by whether it would help."""
    done = {k: answers.get(k) == "yes" for k, _q in PATIENT_TESTS}
    out = []
    if done["test_ck"]:
        out.append("What did my creatine kinase (CK) blood test show, and does it point to my muscles?")
    else:
        out.append("Could my symptoms come from my muscles? Would a creatine kinase (CK) blood test help?")
    if done["test_antibodies"]:
        out.append("What did my myositis antibody tests show, and were anti-SRP and anti-HMGCR among them?")
    else:
        out.append("Should I be tested for myositis antibodies, including anti-SRP and anti-HMGCR?")
    if done["test_biopsy"]:
        out.append("What did my muscle biopsy show?")
    if done["test_emg"]:
        out.append("What did my EMG or muscle MRI scan show?")
    not_done = [w for k, words in (("test_biopsy", ("a muscle biopsy",)), ("test_emg", ("an EMG", "a muscle MRI")))
                if not done[k] for w in words]
    if not_done:
        out.append(f"Would {', '.join(not_done[:-1]) + ' or ' if len(not_done) > 1 else ''}{not_done[-1]} be useful?")
    if answers.get("dysphagia") == "yes":
        out.append("Swallowing is hard for me: should it be checked?")
    if answers.get("rash") == "yes":
        out.append("I have a new skin rash: could it be linked to my muscle symptoms?")
    if answers.get("breathless") == "yes":
        out.append("I am more short of breath, or I cough: should my lungs be checked?")
    statin = answers.get("statin_exposure")
    if statin == "yes":
        out.append(f"Could the statin I take, or took, play a part? {_STOP}")
    elif statin == "no":
        out.append(f"Could any medicine I take play a part? {_STOP}")
    else:
        out.append(f"Could a medicine I take, such as a statin, play a part? {_STOP}")
    out.append("Should I see a neuromuscular or myositis specialist?")
    return out


def _today() -> datetime.date:
    return datetime.date.today()


#: on the patient's summary, first, when swallowing or breathing is hard: when to get help quickly (weak swallowing or
#: breathing muscles are the myopathies' danger; a patient must not wait for the appointment if they get worse)
PATIENT_URGENT = ("You said swallowing or breathing is hard. If it gets worse (choking, food or drink going down the "
                  "wrong way, breathlessness at rest or when lying flat), get medical help straight away: do not wait "
                  "for your appointment.")


def patient_urgent(answers: dict[str, str]) -> str:
    """:data:`PATIENT_URGENT` when the patient answered yes to the swallowing or the breathing question, else ""."""
    return PATIENT_URGENT if "yes" in (answers.get("dysphagia"), answers.get("breathless")) else ""


@router.post("/patient/summary", response_class=HTMLResponse)
async def patient_summary(request: Request) -> HTMLResponse:
    got = _PatientForm.read(await request.form())
    answers, since, notes, notes_cut = got.answers, got.since, got.notes, got.notes_cut
    symptoms = [(q, _ANSWERS[answers[k]]) for k, q in PATIENT_SYMPTOMS]
    skin_lungs = [(q, _ANSWERS[answers[k]]) for k, q in PATIENT_SKIN_LUNGS]
    areas = [label for k, label in PATIENT_WEAK_AREAS if k in got.ticked]
    history = [(q, _ANSWERS[answers[k]]) for k, q in PATIENT_HISTORY]
    tests = [(q, _ANSWERS[answers[k]]) for k, q in PATIENT_TESTS]
    # the flat-case findings a clinician can import into myoclass (only what the patient answered yes or no)
    flat = {k: answers[k] == "yes" for k in PATIENT_FINDINGS if answers[k] in ("yes", "no")}
    today = _today()
    return HTMLResponse(_env.get_template("patient_summary.html").render(
        urgent=patient_urgent(answers),
        symptoms=symptoms, skin_lungs=skin_lungs, areas=areas, history=history, tests=tests, since=since,
        notes=notes, notes_cut=notes_cut,
        questions=summary_questions(answers), date_iso=today.isoformat(),
        date_text=f"{today.day} {_MONTHS[today.month - 1]} {today.year}", flat=json.dumps(flat, indent=1),
        kept=[*answers.items(), *((f"weak_{k}", "on") for k in sorted(got.ticked)), ("since", since),
              ("notes", notes)]))


#: the longest data block ``POST /import`` reads (characters); a patient's block is a few hundred
IMPORT_MAX_CHARS = 100_000


def import_case(text: str) -> tuple[dict[str, Any], list[Problem]]:
    """A pasted data block to the values the clinician form shows, and what was wrong with it.

    The block is a flat case as JSON (the patient summary's, or any flat case), or a myoclass export
    (``{"case": {...}, ...}``). Only keys of the data dictionary with a value of the right kind reach the form;
    the problems name each key that was refused, as the case validator words them. Nothing is logged."""
    if not text.strip():
        return {}, [Problem("data", "nothing was pasted; allowed: the JSON data block of a patient summary or a "
                                    "flat case")]
    if len(text) > IMPORT_MAX_CHARS:
        return {}, [Problem("data", f"longer than {IMPORT_MAX_CHARS} characters")]
    try:  # the decoder of the API: NaN and Infinity are not JSON, and a key given twice is refused by name
        raw = loads(text)
    except TooDeep:
        return {}, [Problem("data", "nested too deeply; allowed: a flat JSON object of findings")]
    except RepeatedKey as e:
        return {}, [Problem("data", f"{e.path} is given more than once; allowed: each finding once")]
    except DecodeError as e:
        msg = getattr(e, "msg", "not JSON")
        return {}, [Problem("data", f"not valid JSON ({msg}); allowed: the data block of a patient summary or a "
                                    "flat case")]
    if isinstance(raw, dict) and isinstance(raw.get("case"), dict):
        raw = raw["case"]  # a myoclass export: its case
    if not isinstance(raw, dict):
        return {}, [Problem("data", f"expected a JSON object of findings, got {json_kind(raw)}")]
    problems: list[Problem] = []
    try:
        parse_case(raw)
    except InvalidCase as e:
        problems = list(e.problems)
    unknown = [k for k in raw if k not in FIELDS]
    if unknown:  # named together, at the pasted block (they have no field in the form)
        problems = [p for p in problems if p.field in FIELDS]
        named = ", ".join(show(k) for k in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        problems.append(Problem("data", f"not findings of myoclass, left out: {named}; allowed: the findings of "
                                        "this form (the command myoclass schema case lists their keys)"))
    refused = {p.field for p in problems}
    case = {k: v for k, v in raw.items() if k in FIELDS and k not in refused and _form_value(FIELDS[k], v)}
    return case, problems


def _form_value(spec: FieldSpec, v: Any) -> bool:
    """Whether ``v`` is a value the clinician form can show for ``spec`` (``None`` is shown as unknown anyway)."""
    if spec.kind == "bool":
        return isinstance(v, bool)
    if spec.kind == "number":
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    if spec.kind == "enum":
        return v in spec.values
    return isinstance(v, str)


def workspace_filled(text: str) -> HTMLResponse:
    """The clinician workspace filled from a data block (a flat case as JSON, or the pasted findings the
    import form takes), assessed; problems are shown beside the form."""
    case, problems = import_case(text)
    a, problems = _assess(case, problems)
    return HTMLResponse(_env.get_template("clinician.html").render(**_context(case, a, problems, None)))


@router.post("/import", response_class=HTMLResponse)
async def import_data(request: Request) -> HTMLResponse:
    """The clinician workspace filled from a pasted data block (form field ``data``, e.g. a patient summary's
    findings). A POST, so the data never appear in a web address, a history or a log."""
    form = await request.form()
    data = form.get("data")
    return await _pool(request).run(workspace_filled, data if isinstance(data, str) else "")
