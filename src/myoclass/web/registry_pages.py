"""The registry's pages, behind login (issue 15): ``/login``, ``/logout`` and ``/registry/...``.

* ``GET /registry``: the patients, each with the classification and CK at the last visit;
* ``GET /registry/patients/new``, ``POST /registry/patients``: a new patient with its first visit (clinician, admin);
* ``GET /registry/patients/{code}``: the timeline: CK × ULN on a log scale, the MMT-8 total, treatment bars, the
  Total Improvement Score against baseline with its category at every visit, and the history of the label and
  the differential (figures drawn here as SVG, :mod:`myoclass.web.plots`);
* ``GET /registry/patients/{code}/visits/new``, ``POST /registry/patients/{code}/visits``: another visit;
* ``GET``/``POST /registry/reclassify``: re-assess what is out of date, then show what changed and why;
* ``GET``/``POST /registry/export``: the pseudonymised export (CSV or FHIR), a download;
* ``GET /registry/users``, ``POST /registry/users``, ``POST /registry/tokens``, ``POST
  /registry/tokens/{id}/revoke``: users and API tokens (admin).

A request without a live session is sent to ``/login`` (303, remembering the page in a form field, never a
finding); an action the role does not allow is 403; a POST without the session's CSRF token is 403 before
anything is read or written (:mod:`myoclass.web.auth`). Findings travel only in POST bodies; the patient code in
a page's address is the registry's pseudonym. The database work runs in worker threads, off the event loop.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from myoclass import __version__
from myoclass.errors import InvalidCase, NotFound, Problem, RegistryError
from myoclass.followup import MUSCLES
from myoclass.followup.tis import TIS_CITATION
from myoclass.model.fields import FIELDS
from myoclass.reasoning.text import NO_LABEL_LIKELY, form_label, label_name, leading_share, no_label_likely, share
from myoclass.registry import service
from myoclass.registry.rows import validate_row
from myoclass.web import plots
from myoclass.web.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Action,
    Principal,
    clear_cookie,
    cookie_secure,
    csrf_ok,
    csrf_token,
    new_token,
    principal_for,
    registry_web,
    set_cookie,
    throttle_keys,
)
from myoclass.web.pages import import_case

__all__ = ["KEY_FINDINGS", "current_user", "form_to_row", "patient_href", "patient_rows", "reclassify_view", "router",
           "timeline_view"]

router = APIRouter(include_in_schema=False)

_env = Environment(loader=PackageLoader("myoclass.web", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
_env.globals["version"] = __version__

T = TypeVar("T")

#: the findings the visit form asks directly (the others: a pasted flat case): key, label, yes word, no word
KEY_FINDINGS: list[tuple[str, str, str, str]] = [
    ("ab_hmgcr", form_label("ab_hmgcr") + " antibodies", "positive", "negative"),
    ("ab_srp", form_label("ab_srp") + " antibodies", "positive", "negative"),
    ("statin_exposure", form_label("statin_exposure"), "yes", "no"),
    ("weakness_proximal_upper_symmetric", form_label("weakness_proximal_upper_symmetric"), "yes", "no"),
    ("weakness_proximal_lower_symmetric", form_label("weakness_proximal_lower_symmetric"), "yes", "no"),
    ("skin_heliotrope", form_label("skin_heliotrope"), "yes", "no"),
    ("skin_gottron_papules", form_label("skin_gottron_papules"), "yes", "no"),
    ("biopsy_performed", form_label("biopsy_performed"), "yes", "no"),
    ("biopsy_necrosis_predominant", form_label("biopsy_necrosis_predominant"), "yes", "no"),
    ("biopsy_lymphocytic_infiltrate_prominent", form_label("biopsy_lymphocytic_infiltrate_prominent"), "yes", "no"),
]
_KEY_SET = {k for k, *_r in KEY_FINDINGS}
MUSCLE_NAMES = {"neck_flexors": "Neck flexors", "deltoid_middle": "Deltoid (middle)", "biceps_brachii": "Biceps",
                "wrist_extensors": "Wrist extensors", "gluteus_maximus": "Gluteus maximus",
                "gluteus_medius": "Gluteus medius", "quadriceps": "Quadriceps",
                "ankle_dorsiflexors": "Ankle dorsiflexors"}
_NUMBERS = ("ck_u_l", "ck_uln_u_l", "haq", "physician_global", "patient_global", "extramuscular")
TREATMENT_ROWS = 3
_CLASS_TEXT = {"ivig": "IVIG", "jak_inhibitor": "JAK inhibitor", "statin_withdrawal": "statin withdrawal",
               "plasma_exchange": "plasma exchange"}
_TIS_WORDS = {"major": "major improvement", "moderate": "moderate improvement", "minimal": "minimal improvement",
              "no improvement": "no improvement"}
_MMT_MAX = {"mmt8_unilateral": 80, "mmt8_bilateral": 150, "cmas": 52}


def _treatment_classes() -> list[tuple[str, str]]:
    from myoclass.registry.models import TREATMENT_CLASSES

    return [(c, _CLASS_TEXT.get(c, c.replace("_", " "))) for c in TREATMENT_CLASSES]


# --- rendering and the guards -------------------------------------------------------------------------------

def _render(template: str, status: int = 200, headers: Mapping[str, str] | None = None, **ctx: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(template).render(**ctx), status_code=status, headers=dict(headers or {}))


def _page(request: Request, me: Principal, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    return _render(template, status, me=me, csrf=csrf_token(me.session_token), **ctx)


async def _db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await run_in_threadpool(fn, *args, **kwargs)


def _session_token(request: Request) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    return token if token and len(token) <= 200 else None


async def current_user(request: Request) -> Principal | None:
    """The user of the request's live session, read with the session from the registry's database (a disabled
    or removed account, or a changed role, takes effect at once); None without one."""
    token = _session_token(request)
    if token is None:
        return None
    user = await _db(registry_web(request).sessions.user, token)
    if user is None:
        return None
    return principal_for(user, "session", token)


def _to_login(request: Request) -> RedirectResponse:
    path = request.url.path
    target = "/login" if path == "/registry" else f"/login?next={quote(path, safe='/')}"
    return RedirectResponse(target, status_code=303)


def _forbidden(me: Principal, what: str) -> HTMLResponse:
    return _render("registry_message.html", 403, me=me, csrf=csrf_token(me.session_token), section="",
                   title="Not allowed", kind="bad",
                   message=f"Your role ({me.role}) may not {what}. Ask an administrator if you need it.",
                   back="/registry", back_text="Back to the patients")


_WHAT: dict[Action, str] = {"read": "read the registry", "write": "add or change patients and visits",
                            "reclassify": "re-classify the registry", "export": "export the registry",
                            "users": "manage users and API tokens"}


async def _guard(request: Request, action: Action) -> Principal | Response:
    me = await current_user(request)
    if me is None:
        return _to_login(request)
    if not me.may(action):
        return _forbidden(me, _WHAT[action])
    return me


async def _guard_post(request: Request, action: Action) -> tuple[Principal, FormData] | Response:
    """A POST's user and form: the session first (else to the login page), then the CSRF token (else 403, before
    anything is done), then the role (else 403)."""
    me = await current_user(request)
    if me is None:
        return _to_login(request)
    form = await request.form()
    if not csrf_ok(form.get(CSRF_FIELD), csrf_token(me.session_token)):
        return _render("registry_message.html", 403, me=me, csrf=csrf_token(me.session_token), section="",
                       title="The form has expired", kind="bad",
                       message="This form was not sent from a page of this session (its security token is missing or "
                               "wrong), so nothing was done. Go back, reload the page and send it again.",
                       back="/registry", back_text="Back to the patients")
    if not me.may(action):
        return _forbidden(me, _WHAT[action])
    return me, form


def _text(form: FormData, key: str, limit: int = 200) -> str:
    v = form.get(key)
    return v.strip()[:limit] if isinstance(v, str) else ""


def _safe_next(value: str) -> str:
    """Where to go after login: a registry page of this site only (never another host)."""
    if value.startswith("/registry") and not value.startswith("//") and "\\" not in value and "\n" not in value:
        return value
    return "/registry"


# --- login and logout ---------------------------------------------------------------------------------------

def _login_page(request: Request, *, status: int = 200, message: str = "", kind: str = "bad", name: str = "",
                next_: str = "/registry", headers: Mapping[str, str] | None = None) -> HTMLResponse:
    rw = registry_web(request)
    token = new_token()
    plain = request.url.scheme == "http" and cookie_secure(request, rw.settings.cookie_secure)
    warning = ("This page came over plain http to a name other than this computer, so the browser will not send "
               "the login cookies back and logging in fails. Serve the registry over https (behind a reverse "
               "proxy), or open it as http://127.0.0.1 on the server itself.") if plain else ""
    resp = _render("login.html", status, headers, me=None, csrf=token, message=message, message_kind=kind,
                   name=name, next=next_, section="login", warning=warning)
    set_cookie(resp, request, LOGIN_CSRF_COOKIE, token, None, rw.settings.cookie_secure)
    return resp


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/registry") -> Response:
    if await current_user(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next_=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Check the double-submit token, then the throttle (429 with Retry-After, the password not even checked),
    then the password; a success starts a new session (a new token: no session fixation)."""
    rw = registry_web(request)
    form = await request.form()
    name, password = _text(form, "name", 100), form.get("password")
    next_ = _safe_next(_text(form, "next", 500))
    if not csrf_ok(form.get(CSRF_FIELD), request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        return _login_page(request, status=403, name=name, next_=next_,
                           message="The login form had expired (its security token was missing or wrong). "
                                   "Please log in again.")
    keys = throttle_keys(name, request)
    wait = await _db(rw.throttle.retry_after, *keys)
    if wait:
        return _login_page(request, status=429, name=name, next_=next_, headers={"Retry-After": str(wait)},
                           message=f"Too many failed logins. Try again in {wait} seconds.")
    registry = await _db(rw.registry)
    user = None
    if name and isinstance(password, str) and password:
        user = await _db(service.authenticate, registry, name, password[:1000])
    if user is None:
        await _db(rw.throttle.failed, *keys)
        known = await _db(service.get_user, registry, name) if name else None
        await _db(service.record_audit, registry, known.name if known else "(unknown user)", "login.failed")
        return _login_page(request, status=401, name=name, next_=next_,
                           message="The user name or the password is wrong.")
    await _db(rw.throttle.succeeded, keys[0])
    token = await _db(rw.sessions.create, user.id)
    await _db(service.record_audit, registry, user.name, "login")
    resp = RedirectResponse(next_, status_code=303)
    set_cookie(resp, request, SESSION_COOKIE, token, rw.settings.session_minutes * 60, rw.settings.cookie_secure)
    clear_cookie(resp, request, LOGIN_CSRF_COOKIE, rw.settings.cookie_secure)
    return resp


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session server-side (the cookie stops working even if copied) and clear the cookie."""
    rw = registry_web(request)
    me = await current_user(request)
    if me is None:
        return RedirectResponse("/login", status_code=303)
    form = await request.form()
    if not csrf_ok(form.get(CSRF_FIELD), csrf_token(me.session_token)):
        return _render("registry_message.html", 403, me=me, csrf=csrf_token(me.session_token), section="",
                       title="The form has expired", kind="bad", back="/registry", back_text="Back to the patients",
                       message="The logout was not sent from a page of this session, so you are still logged in.")
    await _db(rw.sessions.revoke, me.session_token)
    await _db(service.record_audit, rw.registry(), me.name, "logout")
    resp = RedirectResponse("/login", status_code=303)
    clear_cookie(resp, request, SESSION_COOKIE, rw.settings.cookie_secure)
    return resp


# --- the patient list ---------------------------------------------------------------------------------------

def _fmt(v: float | None, unit: str = "") -> str:
    if v is None:
        return "—"
    text = f"{v:.1f}" if abs(v) < 10 and not float(v).is_integer() else f"{v:,.0f}"
    return text + unit


def _label_text(label: str | None) -> str:
    if label is None:
        return "not assessed"
    return label_name(label)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def patient_href(code: str) -> str:
    return f"/registry/patients/{quote(code, safe='')}"


def _leading_text(label: str | None, leading: str | None, p: float | None) -> str:
    """The most likely label with its share as every answer shows it (never 100% while the criteria leave the label
    open; "no label is more likely than not" at 50% or less), or "—"."""
    if not leading:
        return "—"
    if p is None:
        return _cap(label_name(leading))
    summary = {"label": label or "undetermined", "leading_probability": p}
    text = f"{_cap(label_name(leading))} ({leading_share(summary)})"
    if summary["label"] == "undetermined" and no_label_likely(p):
        text += f"; {NO_LABEL_LIKELY}"
    return text


def patient_rows(patients: list[service.PatientSummary]) -> list[dict[str, Any]]:
    rows = []
    for p in patients:
        if p.last_ck_x_uln is not None:
            ck = f"{_fmt(p.last_ck_x_uln)}× ULN"
        elif p.last_ck_u_l is not None:
            ck = f"{_fmt(p.last_ck_u_l)} U/L (no ULN)"
        else:
            ck = "—"
        rows.append({"code": p.patient_code, "href": patient_href(p.patient_code),
                     "label": _cap(_label_text(p.last_label)),
                     "leading": _leading_text(p.last_label, p.last_leading_label, p.last_leading_probability),
                     "ck": ck, "last_visit": p.last_visit_date.isoformat() if p.last_visit_date else "—",
                     "visits": p.visits})
    return rows


@router.get("/registry", response_class=HTMLResponse)
async def patients(request: Request) -> Response:
    me = await _guard(request, "read")
    if isinstance(me, Response):
        return me
    rw = registry_web(request)
    found = await _db(service.list_patients, rw.registry())
    return _page(request, me, "registry_patients.html", rows=patient_rows(found), section="patients")


# --- the timeline -------------------------------------------------------------------------------------------

def _tis_cell(tis: Mapping[str, Any]) -> dict[str, str]:
    lo, hi = float(tis["tis_min"]), float(tis["tis_max"])
    score = f"{lo:g}" if tis.get("tis") is not None else f"{lo:g}–{hi:g}"
    cat = tis.get("category")
    if cat:
        words, cls = _TIS_WORDS.get(cat, cat), ("none" if cat == "no improvement" else cat)
    else:
        words = " or ".join(_TIS_WORDS.get(c, c) for c in tis.get("possible_categories") or []) or "not settled"
        cls = "open"
    names = [m["name"] for m in tis.get("measures", []) if m.get("id") in set(tis.get("missing") or [])]
    note = f"missing: {', '.join(names)}" if names else ""
    return {"tis_score": score, "tis_category": words, "tis_cls": cls, "tis_note": note}


def _mmt_text(v: service.TimelineVisit) -> str:
    maximum = _MMT_MAX.get(v.mmt_scale or "mmt8_unilateral", 80)
    if v.mmt8_total is not None:
        return f"{v.mmt8_total:g}/{maximum}"
    if v.mmt8 and v.mmt8.get("total_min") is not None:
        return f"{v.mmt8['total_min']:g}–{v.mmt8['total_max']:g}/{maximum}"
    return "—"


def _treatment_text(t: service.TreatmentInfo) -> str:
    return f"{t.agent} ({_CLASS_TEXT.get(t.treatment_class, t.treatment_class.replace('_', ' '))})"


def _dx_text(diff: list[dict[str, Any]]) -> str:
    top = sorted(diff, key=lambda d: -float(d["probability"]))[:3]
    return " · ".join(f"{label_name(d['label'])} {share(float(d['probability']))}" for d in top) or "—"


def timeline_view(t: service.Timeline) -> dict[str, Any]:
    """Everything the timeline page shows, in words and figures (pure: a Timeline in, a dict out)."""
    visits = t.visits
    dates = [v.visit_date for v in visits] + [d for rx in t.treatments for d in (rx.start_date, rx.stop_date) if d]
    scale = plots.time_scale(dates)
    ck = [(v.visit_date, v.ck_x_uln) for v in visits if v.ck_x_uln is not None]
    scales = [v.mmt_scale or "mmt8_unilateral" for v in visits if v.mmt8_total is not None]
    mmt_scale = scales[-1] if scales else "mmt8_unilateral"
    mmt = [(v.visit_date, v.mmt8_total) for v in visits
           if v.mmt8_total is not None and (v.mmt_scale or "mmt8_unilateral") == mmt_scale]
    tis_points = [(v.visit_date, float(v.tis["tis_min"]), float(v.tis["tis_max"])) for v in visits if v.tis]
    population = t.population if t.population in ("adult", "juvenile") else "adult"
    thresholds = (20, 40, 60) if population == "adult" else (30, 45, 70)
    # the differential's colours: by label, in the order of first appearance among the leading shares
    order: list[str] = []
    for v in visits:
        for d in sorted(v.differential, key=lambda d: -float(d["probability"])):
            if float(d["probability"]) >= 0.02 and d["label"] not in order:
                order.append(d["label"])
    colours = {label_name(code): plots.PALETTE[i % len(plots.PALETTE)] for i, code in enumerate(order)}
    dx_rows = [(v.visit_date.isoformat(), [(label_name(d["label"]), float(d["probability"]))
                                           for d in v.differential if d["label"] in order])
               for v in visits if v.differential]
    rows = []
    previous: str | None = None
    for i, v in enumerate(visits):
        if v.ck_x_uln is not None:
            ck_text = f"{_fmt(v.ck_u_l)} U/L · {_fmt(v.ck_x_uln)}× ULN"
        elif v.ck_u_l is not None:
            ck_text = f"{_fmt(v.ck_u_l)} U/L"
        else:
            ck_text = "—"
        label = _cap(_label_text(v.label))
        leading = _leading_text(v.label, v.leading_label, v.leading_probability)
        rows.append({"date": v.visit_date.isoformat(), "ck": ck_text, "mmt": _mmt_text(v),
                     "haq": "—" if v.haq is None else f"{v.haq:g}",  # as entered (0.125 steps), so the TIS can be checked
                     "globals": f"{_fmt(v.physician_global)} / {_fmt(v.patient_global)}",
                     "extramuscular": _fmt(v.extramuscular),
                     **(_tis_cell(v.tis) if i > 0 and v.tis is not None else
                        {"tis_score": "", "tis_cls": "none", "tis_note": "",
                         "tis_category": "baseline" if i == 0 else f"no score: {v.tis_note or 'not computable'}"}),
                     "treatments": ", ".join(_treatment_text(rx) for rx in v.treatments) or "none",
                     "label": label, "leading": leading, "differential": _dx_text(v.differential),
                     "label_changed": previous is not None and v.label != previous})
        previous = v.label
    last = visits[-1] if visits else None
    facts: list[str] = []
    if last is None:
        headline = "No visit recorded yet."
    else:
        if last.label and last.label != "undetermined":
            headline = f"{_cap(label_name(last.label))} (criteria met at the visit of {last.visit_date.isoformat()})"
        elif last.leading_label and last.leading_probability is not None:
            far = f"; {NO_LABEL_LIKELY}" if no_label_likely(last.leading_probability) else ""
            shown = leading_share({"label": "undetermined", "leading_probability": last.leading_probability})
            headline = (f"Most likely: {label_name(last.leading_label)} — {shown} "
                        f"(visit of {last.visit_date.isoformat()}; the criteria leave it open{far})")
        else:
            headline = f"Not yet determined (visit of {last.visit_date.isoformat()})"
        if ck:
            first_ck, last_ck = ck[0], ck[-1]
            line = f"CK {_fmt(last_ck[1])}× the upper limit of normal on {last_ck[0].isoformat()}"
            if len(ck) > 1:
                line += f" (was {_fmt(first_ck[1])}× on {first_ck[0].isoformat()})"
            facts.append(line + ".")
        if mmt:
            line = f"MMT-8 {mmt[-1][1]:g} of {_MMT_MAX.get(mmt_scale, 80)}"
            if len(mmt) > 1:
                line += f" (was {mmt[0][1]:g})"
            facts.append(line + ".")
        if last.tis is not None and len(visits) > 1:
            cell = _tis_cell(last.tis)
            facts.append(f"Total Improvement Score {cell['tis_score']} against the baseline of "
                         f"{visits[0].visit_date.isoformat()}: {cell['tis_category']}"
                         + (f" ({cell['tis_note']})" if cell["tis_note"] else "") + ".")
        running = ", ".join(_treatment_text(rx) for rx in last.treatments)
        facts.append(f"Treatment at the last visit: {running}." if running else "No treatment at the last visit.")
    return {
        "code": t.patient_code, "headline": headline, "facts": facts,
        "add_visit": patient_href(t.patient_code) + "/visits/new",
        "baseline": visits[0].visit_date.isoformat() if visits else "none yet",
        "visits": rows,
        "ck_svg": Markup(plots.ck_svg(ck, scale=scale, id_prefix="plot-ck")),
        "mmt_svg": Markup(plots.mmt_svg(mmt, _MMT_MAX.get(mmt_scale, 80), scale=scale, id_prefix="plot-mmt")),
        "rx_svg": Markup(plots.treatments_svg([(_treatment_text(rx), rx.start_date, rx.stop_date)
                                                for rx in t.treatments], scale=scale, id_prefix="plot-rx")),
        "tis_svg": Markup(plots.tis_svg(tis_points, thresholds, scale=scale, id_prefix="plot-tis")),
        "dx_svg": Markup(plots.differential_svg(dx_rows, colours, id_prefix="plot-dx")),
        "legend": list(colours.items()),
        "tis_source": "Total Improvement Score: 2016 ACR/EULAR myositis response criteria, against the first visit "
                      f"({population} thresholds {thresholds[0]}, {thresholds[1]}, {thresholds[2]}); validated in "
                      "DM/PM and JDM, used but not validated in IMNM. " + TIS_CITATION,
    }


async def _timeline(request: Request, code: str) -> service.Timeline | None:
    rw = registry_web(request)
    try:
        return await _db(service.patient_timeline, rw.registry(), code)
    except NotFound:
        return None


def _not_found(me: Principal) -> HTMLResponse:
    return _render("registry_message.html", 404, me=me, csrf=csrf_token(me.session_token), section="",
                   title="No such patient", kind="bad", message="The registry has no patient with this code.",
                   back="/registry", back_text="Back to the patients")


def _new_patient_form(me: Principal, code: str = "", error: str = "", status: int = 200) -> HTMLResponse:
    return _render("registry_new_patient.html", status, me=me, csrf=csrf_token(me.session_token), section="new",
                   code=code, error=error)


@router.get("/registry/patients/new", response_class=HTMLResponse)
async def new_patient_form(request: Request) -> Response:
    me = await _guard(request, "write")
    if isinstance(me, Response):
        return me
    return _new_patient_form(me)


@router.get("/registry/patients/{code}", response_class=HTMLResponse)
async def timeline(request: Request, code: str) -> Response:
    me = await _guard(request, "read")
    if isinstance(me, Response):
        return me
    t = await _timeline(request, code)
    if t is None:
        return _not_found(me)
    return _page(request, me, "registry_timeline.html", t=timeline_view(t), section="patients")


# --- the visit form -----------------------------------------------------------------------------------------

def _visit_form(me: Principal, *, code: str, values: Mapping[str, str], errors: Mapping[str, str],
                status: int = 200, carried: str = "", first: bool = False) -> HTMLResponse:
    anchors = {"visit_date", "findings_json", *_NUMBERS, *(f"mmt8_{m}" for m in MUSCLES),
               *_KEY_SET, *(f"rx{i}_agent" for i in range(TREATMENT_ROWS))}
    shown_errors = {(f"{k}_agent" if k.startswith("rx") and k[2:].isdigit() else k): v for k, v in errors.items()}
    if first:
        title = f"First visit — patient {code}"
        lead = ("The first visit is the baseline of the Total Improvement Score. Every finding starts as unknown: "
                "nothing missing counts as absent.")
    else:
        title = f"Add a visit — patient {code}"
        lead = "A visit on a date already recorded replaces that visit. Every finding left unknown stays unknown."
    action, submit, cancel = patient_href(code) + "/visits", "Save the visit", patient_href(code)
    return _render("registry_visit_form.html", status, me=me, csrf=csrf_token(me.session_token), section="patients",
                   title=title, lead=lead, action=action, submit=submit, cancel=cancel, values=values,
                   errors=shown_errors, anchors=anchors, carried=carried,
                   muscles=[(m, MUSCLE_NAMES.get(m, m)) for m in MUSCLES], findings=KEY_FINDINGS,
                   treatment_rows=TREATMENT_ROWS, treatment_classes=_treatment_classes())


def _number(raw: str) -> float | int | None:
    s = raw.strip().replace(",", ".")
    if not s:
        return None
    v = float(s)  # ValueError for text
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(s)
    return int(v) if v.is_integer() else v


def form_to_row(form: Mapping[str, Any], code: str) -> tuple[dict[str, Any], dict[str, str], list[int]]:
    """The visit form to an import row (:mod:`myoclass.registry.rows`: JSON types), the problems found on the
    way (form field -> message) and, per treatment of the row, the form row it came from."""
    def text(key: str, limit: int = 200) -> str:
        v = form.get(key)
        return v.strip()[:limit] if isinstance(v, str) else ""

    errors: dict[str, str] = {}
    row: dict[str, Any] = {"patient_code": code, "visit_date": text("visit_date", 20)}
    pasted = text("findings_json", 100_000)
    if pasted:
        case, problems = import_case(pasted)
        if problems:
            errors["findings_json"] = "; ".join(f"{p.field}: {p.message}" if p.field != "data" else p.message
                                                for p in problems[:5])
        row.update({k: v for k, v in case.items() if k != "case_id"})
    for key in _KEY_SET:
        v = text(key)
        if v in ("true", "false"):
            row[key] = v == "true"
        elif v:
            errors[key] = f"{v!r} is not allowed; allowed: yes, no or unknown"
    numeric = [*_NUMBERS, *(f"mmt8_{m}" for m in MUSCLES)]
    for key in numeric:
        raw = text(key, 40)
        try:
            value = _number(raw)
        except ValueError:
            errors[key] = f"{raw!r} is not a number"
            continue
        if value is not None:
            row[key] = value
        elif key in ("ck_u_l", "ck_uln_u_l"):
            row.pop(key, None)  # the form's empty CK is unknown, also over a pasted one
    treatments: list[dict[str, Any]] = []
    origin: list[int] = []
    for i in range(TREATMENT_ROWS):
        parts = {f: text(f"rx{i}_{f}", 100) for f in ("agent", "class", "start", "stop")}
        if not any(parts.values()):
            continue
        missing = [w for f, w in (("agent", "the agent"), ("class", "the class"), ("start", "the start date"))
                   if not parts[f]]
        if missing:
            errors[f"rx{i}"] = f"Treatment {i + 1}: give {', '.join(missing)} (or leave the row empty)"
            continue
        entry = {"agent": parts["agent"], "class": parts["class"], "start": parts["start"]}
        if parts["stop"]:
            entry["stop"] = parts["stop"]
        treatments.append(entry)
        origin.append(i)
    if treatments:
        row["treatments"] = treatments
    return row, errors, origin


def _problem_field(p: Problem, origin: list[int]) -> str:
    f = p.field
    if f.startswith("mmt8."):
        return "mmt8_" + f.split(".", 1)[1].split(".")[0]
    if f.startswith("treatments["):
        idx = f[len("treatments["):].split("]", 1)[0]
        if idx.isdigit() and int(idx) < len(origin):
            return f"rx{origin[int(idx)]}"
        return "rx0"
    if f in FIELDS and f not in _KEY_SET and f not in _NUMBERS:
        return "findings_json"
    return f


def _problem_text(p: Problem, origin: list[int]) -> str:
    f = p.field
    if f.startswith("treatments[") and "." in f:
        return f"Treatment: {f.rsplit('.', 1)[1]}: {p.message}"
    if f in FIELDS and f not in _KEY_SET and f not in _NUMBERS:
        return f"{f}: {p.message}"
    return p.message


def _form_values(form: Mapping[str, Any]) -> dict[str, str]:
    return {k: v[:100_000] for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


def _carry_over(t: service.Timeline) -> tuple[dict[str, str], str]:
    """The last visit's findings as the new visit's starting values (the key findings as answers, the others as
    a pasted flat case); the measures, CK and treatments are not carried."""
    if not t.visits:
        return {}, ""
    last = t.visits[-1]
    values: dict[str, str] = {}
    rest: dict[str, Any] = {}
    for k, v in (last.findings or {}).items():
        if k in _KEY_SET and isinstance(v, bool):
            values[k] = "true" if v else "false"
        elif k in FIELDS and k not in ("ck_u_l", "ck_uln_u_l", "case_id") and v is not None:
            rest[k] = v
    if rest:
        values["findings_json"] = json.dumps(rest, indent=1, sort_keys=True)
    values["ck_uln_u_l"] = _fmt_input(last.ck_uln_u_l)
    return values, last.visit_date.isoformat()


def _fmt_input(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


async def _save(request: Request, me: Principal, form: FormData, code: str, first: bool) -> Response:
    rw = registry_web(request)
    row, errors, origin = form_to_row(form, code)
    values = _form_values(form)
    problems: list[Problem] = []
    if errors:  # the form's own problems found: the row's are shown with them, nothing is saved
        problems = validate_row(row)[1]
    else:
        try:
            saved_code, _date, _created = await _db(service.save_visit, rw.registry(), row, me.name)
        except InvalidCase as e:
            problems = list(e.problems)
        else:
            return RedirectResponse(patient_href(saved_code), status_code=303)
    for p in problems:
        key = _problem_field(p, origin)
        if key.startswith("rx") and key in errors:
            continue  # the form's words for an incomplete treatment row already say it
        text = _problem_text(p, origin)
        if text not in errors.get(key, ""):
            errors[key] = (errors[key] + "; " if key in errors else "") + text
    return _visit_form(me, code=code, values=values, errors=errors, status=422, first=first)


@router.post("/registry/patients", response_class=HTMLResponse)
async def create_patient(request: Request) -> Response:
    """A new patient (a pseudonymous code, no visit yet); then the form of its first visit, the baseline."""
    got = await _guard_post(request, "write")
    if isinstance(got, Response):
        return got
    me, form = got
    code = _text(form, "patient_code", 100)
    try:
        created = await _db(service.create_patient, registry_web(request).registry(), code, me.name)
    except RegistryError as e:
        message = str(e).removeprefix("patient_code: ")
        return _new_patient_form(me, code, message or "not allowed", 422)
    if not created:
        return _new_patient_form(me, code, f"The registry already has a patient {code}: add the visit from that "
                                           "patient's page.", 422)
    return RedirectResponse(patient_href(code) + "/visits/new", status_code=303)


@router.get("/registry/patients/{code}/visits/new", response_class=HTMLResponse)
async def new_visit_form(request: Request, code: str) -> Response:
    me = await _guard(request, "write")
    if isinstance(me, Response):
        return me
    t = await _timeline(request, code)
    if t is None:
        return _not_found(me)
    values, carried = _carry_over(t)
    values["visit_date"] = dt.date.today().isoformat()
    return _visit_form(me, code=t.patient_code, values=values, errors={}, carried=carried, first=not t.visits)


@router.post("/registry/patients/{code}/visits", response_class=HTMLResponse)
async def add_visit(request: Request, code: str) -> Response:
    got = await _guard_post(request, "write")
    if isinstance(got, Response):
        return got
    me, form = got
    t = await _timeline(request, code)
    if t is None:
        return _not_found(me)
    return await _save(request, me, form, t.patient_code, not t.visits)


# --- re-classify --------------------------------------------------------------------------------------------

def reclassify_view(r: service.ReclassifyResult) -> dict[str, Any]:
    def row(c: service.VisitChange) -> dict[str, str]:
        def both(label: str | None, leading: str | None) -> str:
            text = _cap(_label_text(label))
            if leading and leading != label:
                text += f"; most likely {label_name(leading)}"
            return text

        return {"code": c.patient_code, "href": patient_href(c.patient_code), "date": c.visit_date.isoformat(),
                "before": both(c.old_label, c.old_leading_label) if c.old_label is not None else "not assessed",
                "now": both(c.new_label, c.new_leading_label), "why": "; ".join(c.reasons) or "—"}

    changed = [row(c) for c in r.changes if c.label_changed]
    same = [row(c) for c in r.changes if not c.label_changed]
    if r.reassessed == 0:
        headline = f"All {r.checked} visits were already up to date: nothing changed."
    else:
        headline = (f"{len(changed)} visit{'s' if len(changed) != 1 else ''} changed label"
                    f" ({r.reassessed} re-assessed of {r.checked}).")
    detail = ("A visit is re-assessed when its stored assessment was made by another version of myoclass, of a "
              "criteria set or of the differential model, or from other findings; each row says which.")
    return {"headline": headline, "detail": detail, "changed": changed, "same": same}


@router.get("/registry/reclassify", response_class=HTMLResponse)
async def reclassify_page(request: Request) -> Response:
    me = await _guard(request, "reclassify")
    if isinstance(me, Response):
        return me
    return _page(request, me, "registry_reclassify.html", result=None, section="reclassify")


@router.post("/registry/reclassify", response_class=HTMLResponse)
async def reclassify(request: Request) -> Response:
    got = await _guard_post(request, "reclassify")
    if isinstance(got, Response):
        return got
    me, _form = got
    result = await _db(service.reclassify, registry_web(request).registry(), me.name)
    return _page(request, me, "registry_reclassify.html", result=reclassify_view(result), section="reclassify")


# --- export -------------------------------------------------------------------------------------------------

@router.get("/registry/export", response_class=HTMLResponse)
async def export_page(request: Request) -> Response:
    me = await _guard(request, "export")
    if isinstance(me, Response):
        return me
    return _page(request, me, "registry_export.html", section="export")


@router.post("/registry/export")
async def export(request: Request) -> Response:
    """The pseudonymised export (codes as keyed hashes, dates shifted per patient), one row per visit."""
    got = await _guard_post(request, "export")
    if isinstance(got, Response):
        return got
    me, form = got
    fmt = _text(form, "format", 10) or "csv"
    if fmt not in ("csv", "fhir"):
        return _forbidden(me, f"export as {fmt!r} (allowed: csv, fhir)")
    buf = io.BytesIO()
    await _db(service.export, registry_web(request).registry(), fmt, buf, pseudonymise=True, user=me.name)
    day = dt.date.today().isoformat()
    name, media = ((f"myoclass-registry-{day}-pseudonymised.csv", "text/csv; charset=utf-8") if fmt == "csv" else
                   (f"myoclass-registry-{day}-pseudonymised.fhir.jsonl", "application/x-ndjson"))
    return Response(buf.getvalue(), media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})


# --- users and tokens ---------------------------------------------------------------------------------------

def _when(v: dt.datetime | None) -> str:
    return v.strftime("%Y-%m-%d %H:%M") if v else "—"


async def _users_page(request: Request, me: Principal, *, status: int = 200, message: str = "", kind: str = "ok",
                      secret: dict[str, str] | None = None) -> HTMLResponse:
    registry = registry_web(request).registry()
    users = await _db(service.list_users, registry)
    tokens = await _db(service.list_tokens, registry)
    return _page(request, me, "registry_users.html", status, section="users", message=message, message_kind=kind,
                 secret=secret, roles=[("clinician", "clinician (reads and writes)"),
                                       ("researcher", "researcher (reads; pseudonymised export)"),
                                       ("admin", "admin (users and tokens, and what a clinician does)")],
                 users=[{"name": u.name, "role": u.role, "created": _when(u.created_at), "disabled": u.disabled}
                        for u in users],
                 tokens=[{"id": k.id, "user": k.user_name, "name": k.name, "created": _when(k.created_at),
                          "last_used": _when(k.last_used_at), "revoked": _when(k.revoked_at) if k.revoked_at else ""}
                         for k in tokens])


@router.get("/registry/users", response_class=HTMLResponse)
async def users(request: Request) -> Response:
    me = await _guard(request, "users")
    if isinstance(me, Response):
        return me
    return await _users_page(request, me)


@router.post("/registry/users", response_class=HTMLResponse)
async def add_user(request: Request) -> Response:
    got = await _guard_post(request, "users")
    if isinstance(got, Response):
        return got
    me, form = got
    name, role, password = _text(form, "name", 100), _text(form, "role", 20), form.get("password")
    try:
        await _db(service.add_user, registry_web(request).registry(), name, role,
                  password if isinstance(password, str) else "", me.name)
    except RegistryError as e:
        return await _users_page(request, me, status=422, kind="bad", message=f"Not added: {e}")
    return await _users_page(request, me, message=f"Added {name} as {role}.")


@router.post("/registry/tokens", response_class=HTMLResponse)
async def create_token(request: Request) -> Response:
    got = await _guard_post(request, "users")
    if isinstance(got, Response):
        return got
    me, form = got
    user, token_name = _text(form, "user", 100), _text(form, "token_name", 100)
    try:
        info, secret = await _db(service.create_token, registry_web(request).registry(), user,
                                 token_name or "api", me.name)
    except RegistryError as e:
        return await _users_page(request, me, status=422, kind="bad", message=f"No token created: {e}")
    return await _users_page(request, me, message=f"Created the token {info.name} of {info.user_name}.",
                             secret={"user": info.user_name, "value": secret})


@router.post("/registry/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke_token(request: Request, token_id: int) -> Response:
    got = await _guard_post(request, "users")
    if isinstance(got, Response):
        return got
    me, _form = got
    try:
        await _db(service.revoke_token, registry_web(request).registry(), token_id, me.name)
    except RegistryError as e:
        return await _users_page(request, me, status=404, kind="bad", message=f"Not revoked: {e}")
    return await _users_page(request, me, message="The token is revoked: it no longer opens the API.")

