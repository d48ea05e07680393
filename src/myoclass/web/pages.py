"""Server-rendered pages: the clinician's workspace and the patient's checklist.

The clinician page is a plain HTML form laid out like a clinic visit. With JavaScript, htmx posts
the form whenever a field changes and swaps only the result panel; without it, the Classify button
posts the form and the whole page comes back. The patient page never shows a label, a probability
or a diagnosis.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from myoclass import __version__
from myoclass.examples import example_cases
from myoclass.io.json import dumps
from myoclass.model.case import InvalidCase, Problem, parse_case, show
from myoclass.model.fields import ANTIBODIES, ASSAY_METHODS, FIELDS, FieldSpec
from myoclass.reasoning.assess import assess_case
from myoclass.reasoning.text import LABEL_TEXT, not_settled, share
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


_FIELD_LABELS = {
    "case_id": "Case identifier (your own; no names)",
    "sex": "Sex",
    "age_at_onset_years": "Age at the first symptom",
    "age_years": "Age now",
    "onset_tempo": "Onset (acute < 4 weeks, subacute 4 weeks to 6 months, insidious)",
    "symptom_duration_months": "Duration since the first symptom",
    "genetic_diagnosis_gene": "Genetic diagnosis explaining a myopathy (gene, e.g. DYSF)",
    "ck_u_l": "Highest creatine kinase (CK)",
    "ck_uln_u_l": "CK upper limit of normal",
    "ck_elevated": "CK above normal (when only a qualitative result is known)",
}


def _label_text(spec: FieldSpec) -> str:
    if spec.key in _FIELD_LABELS:
        return _FIELD_LABELS[spec.key]
    if spec.key in ANTIBODIES:
        return ANTIBODIES[spec.key]
    d = spec.description
    return d[0].upper() + d[1:]


def form_to_case(form: Any) -> tuple[dict[str, Any], list[Problem]]:
    """Form fields (strings; empty = unknown) to a flat case; unparsable numbers become problems."""
    case: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, spec in FIELDS.items():
        raw = form.get(key)
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


#: short names of the labels for the differential chart (a phone is 390 px wide); the codes are shown beside them
SHORT_LABEL = {
    "imnm_anti_hmgcr": "IMNM, anti-HMGCR subtype",
    "imnm_anti_srp": "IMNM, anti-SRP subtype",
    "imnm_seronegative": "IMNM, antibody-negative",
    "dm": "dermatomyositis",
    "adm": "amyopathic dermatomyositis",
    "jdm": "juvenile dermatomyositis",
    "juvenile_myositis_other": "juvenile myositis, other",
    "ibm": "inclusion body myositis",
    "antisynthetase": "antisynthetase syndrome",
    "pm": "polymyositis",
    "nonspecific_myositis": "non-specific myositis",
    "statin_toxic_myopathy": "statin toxic myopathy",
    "hereditary_myopathy": "hereditary myopathy",
    "other_non_immune": "other non-immune cause",
    "not_iim": "no inflammatory myopathy, no other cause found",
    "undetermined": "not yet determined",
}


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
    p = t.get("p_present")
    if p is not None:
        word = "positive" if t["finding"] in ANTIBODIES else "present"
        return f"{word}: {share(p)} likely"
    values = t.get("p_values") or {}
    return " · ".join(f"{str(k).replace('_', ' ')}: {share(v)}" for k, v in values.items())


def _next_test_view(t: dict[str, Any], entropy: float) -> dict[str, Any]:
    bits = t.get("expected_information")
    weighed = bits is not None and not (t.get("p_present") is None and not t.get("p_values"))
    unweighed = ""
    if not weighed and t["finding"] == "biopsy_performed":
        unweighed = "not weighed by the model: no biopsy was done, and doing one is a choice, not an unknown finding"
    return {**t, "likelihood": _likelihood(t) if weighed else "",
            "settles": settles(bits, entropy) if weighed and bits is not None else "",
            "bits": bits if weighed else None, "unweighed": unweighed}


def _differential_view(a: dict[str, Any]) -> dict[str, Any] | None:
    """What the result panel shows of the differential: the chart rows (the small shares apart), the
    headline, what the criteria still wait for, and the next tests with their odds in words."""
    diff = a.get("differential")
    if not diff:
        return None
    rows = [{**d, "short": SHORT_LABEL.get(d["label"], d["label"]), "words": LABEL_TEXT.get(d["label"], d["label"]),
             "pct": share(d["probability"]), "width": max(100 * d["probability"], 0.6)} for d in diff]
    # the labels shown as "<1%" go into the collapsed part of the chart (the leading label never does)
    shown = [r for i, r in enumerate(rows) if i == 0 or r["pct"] != "<1%"]
    small = rows[len(shown):]
    entropy = _entropy(diff)
    decides = [t for t in a["next_tests"] if t["purpose"] == "decides"]
    return {
        "rows": shown,
        "small": small,
        "small_total": share(sum(r["probability"] for r in small)),
        "leading": rows[0],
        "not_settled": [(t["finding"], not_settled(t)) for t in decides[:2]],
        "tests": [_next_test_view(t, entropy) for t in a["next_tests"]],
        "model": a.get("differential_model") or {},
        "exact": a.get("differential_exact", True),
    }


def _context(case: dict[str, Any], a: dict[str, Any] | None, problems: list[Problem], example: str | None) -> dict[str, Any]:
    return {
        "dx": _differential_view(a) if a else None,
        "sections": _SECTIONS,
        "antibodies": ANTIBODIES,
        "methods": ASSAY_METHODS,
        "label_text": _label_text,
        "case": case,
        "a": a,
        "problems": problems,
        "labels": LABEL_TEXT,
        "examples": list(example_cases()),
        "example": example,
    }


def _assess(case: dict[str, Any], problems: list[Problem]) -> tuple[dict[str, Any] | None, list[Problem]]:
    if problems:
        return None, problems
    try:
        return assess_case(parse_case(case)), []
    except InvalidCase as e:
        return None, e.problems


def _pool(request: Request) -> WorkPool:
    pool: WorkPool = request.app.state.pool
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
    case, problems = form_to_case(form)
    a, problems = _assess(case, problems)
    ctx = _context(case, a, problems, None)
    return HTMLResponse(_env.get_template("result.html" if fragment else "clinician.html").render(**ctx))


@router.post("/", response_class=HTMLResponse)
async def clinician_post(request: Request) -> HTMLResponse:
    form = await request.form()
    return await _pool(request).run(_render_result, form, request.headers.get("hx-request") == "true")


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
# control and format characters, lone surrogates, and what no file system takes in a name
_UNSAFE_UNICODE = re.compile(r'[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff/\\:*?"<>|]+')


def attachment(case_id: str | None) -> str:
    """A ``Content-Disposition`` for the export of ``case_id`` (RFC 6266, RFC 5987): an ASCII
    ``filename`` of safe characters only, and the name (cut at 80 characters, control characters and
    characters no file system takes replaced by ``_``) percent-encoded in UTF-8 as ``filename*``. No
    control character, quote or non-ASCII byte ever reaches the header."""
    cid = (case_id or "case")[:80]
    fallback = _UNSAFE_FILENAME.sub("_", cid).strip("._-") or "case"
    full = _UNSAFE_UNICODE.sub("_", cid).strip(" .") or "case"
    encoded = quote(f"myoclass-{full}.json", safe="")
    return f"attachment; filename=\"myoclass-{fallback}.json\"; filename*=UTF-8''{encoded}"


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
PATIENT_WEAK_AREAS: list[tuple[str, str]] = [
    ("neck", "neck (for example lifting your head off the pillow)"), ("shoulders", "shoulders and upper arms"),
    ("hips", "hips"), ("thighs", "thighs"), ("back", "back"),
]
PATIENT_HISTORY: list[tuple[str, str]] = [
    ("statin_exposure", "Do you take, or did you take, a statin (a cholesterol-lowering medicine such as "
                        "atorvastatin or simvastatin)?"),
]
PATIENT_TESTS: list[tuple[str, str]] = [
    ("test_ck", "A blood test for creatine kinase (CK), a muscle enzyme"),
    ("test_antibodies", "A blood test for myositis antibodies (for example anti-SRP or anti-HMGCR)"),
    ("test_biopsy", "A muscle biopsy (a small piece of muscle examined under the microscope)"),
    ("test_emg", "A test of the muscles' electrical activity (EMG) or a muscle MRI scan"),
]
_ANSWERS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}


@router.get("/patient", response_class=HTMLResponse)
def patient() -> HTMLResponse:
    return HTMLResponse(_env.get_template("patient.html").render(
        symptoms=PATIENT_SYMPTOMS, areas=PATIENT_WEAK_AREAS, history=PATIENT_HISTORY, tests=PATIENT_TESTS,
        answers=_ANSWERS))


@router.post("/patient/summary", response_class=HTMLResponse)
async def patient_summary(request: Request) -> HTMLResponse:
    form = await request.form()

    def answer(key: str) -> str:
        v = form.get(key)
        return v if isinstance(v, str) and v in _ANSWERS else "unsure"

    symptoms = [(q, _ANSWERS[answer(k)]) for k, q in PATIENT_SYMPTOMS]
    areas = [label for k, label in PATIENT_WEAK_AREAS if form.get(f"weak_{k}") == "on"]
    history = [(q, _ANSWERS[answer(k)]) for k, q in PATIENT_HISTORY]
    tests = [(q, _ANSWERS[answer(k)]) for k, q in PATIENT_TESTS]
    def text(key: str, limit: int) -> str:  # a file part of a multipart post counts as empty
        v = form.get(key)
        return v.strip()[:limit] if isinstance(v, str) else ""

    since = text("since", 200)
    notes = text("notes", 2000)
    # the flat-case keys a clinician can paste into myoclass (only what the patient answered yes or no)
    flat = {k: answer(k) == "yes" for k, _q in PATIENT_SYMPTOMS + PATIENT_HISTORY if answer(k) in ("yes", "no")}
    return HTMLResponse(_env.get_template("patient_summary.html").render(
        symptoms=symptoms, areas=areas, history=history, tests=tests, since=since, notes=notes,
        flat=json.dumps(flat, indent=1)))
