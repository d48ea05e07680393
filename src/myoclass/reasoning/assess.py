"""One case in, one assessment out (``docs/assessment.md``, schema version 1; the type: :mod:`myoclass.model.assessment`)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, cast

from myoclass import __version__
from myoclass.criteria import Policy
from myoclass.criteria import enmc_2011_ibm as ibm
from myoclass.criteria import eular_acr_2017 as eular
from myoclass.criteria.api import CriteriaSet, category_key
from myoclass.criteria.eular_acr_2017 import ID as EULAR
from myoclass.logic.diagram import analyse
from myoclass.model.assessment import Assessment
from myoclass.model.case import Case, parse_case
from myoclass.model.fields import BIOPSY_ITEMS
from myoclass.model.findings import MIMICS, assessment_age, case_state, display_state, onset_in_first_year
from myoclass.reasoning import differential as _dx
from myoclass.reasoning.cancer_screening import cancer_screening, screening_guidance
from myoclass.reasoning.differential_model import MODEL_VERSION
from myoclass.reasoning.engine import Engine, engine, label_of, labels_of
from myoclass.reasoning.guidance import LIKELY_FOR_GUIDANCE, GuidanceContext, guidance_for
from myoclass.reasoning.next_tests import add_informative, add_leading_if, gene_panel_for, next_tests, rank_next_tests
from myoclass.reasoning.text import CK_ULN_TEST, STATIN_COURSE_IF_TAKEN, open_share, summary_text
from myoclass.reasoning.warnings import likely_label_unverified, no_sign_of_a_myopathy, warnings_for

__all__ = ["NO_BIOPSY_NOTE", "SCHEMA_VERSION", "assess", "assess_case", "assess_with"]

SCHEMA_VERSION = "1"

_TRI = {0: False, 1: None, 2: True}
_STATUS = {0: "not_met", 1: "undetermined", 2: "met"}


class _Ctx:
    def __init__(self, eng: Engine, case: Case) -> None:
        self.eng = eng
        self.case = case
        self.shown = display_state(case)
        self.state = case_state(case, self.shown)
        self.packed = eng.pack(self.state)
        self.v = eng.evaluate_all(self.state)
        # item states as known (mimic findings not presumed): only items reading a mimic finding differ
        self.vd = dict(self.v)
        env: dict[str, Any] = {}
        defs = eng.program.defs
        for key in _mimic_items(eng):
            self.vd[key] = defs[key].value(self.shown, env, defs)


@lru_cache(maxsize=8)
def _mimic_items(eng: Engine) -> tuple[str, ...]:
    return tuple(f"{s.id}.{it.id}" for s in eng.sets for it in s.items
                 if it.expr.vars(eng.program.defs) & set(MIMICS))


@lru_cache(maxsize=8)
def _biopsy_items(eng: Engine) -> frozenset[str]:
    return frozenset(f"{s.id}.{it.id}" for s in eng.sets for it in s.items
                     if "biopsy_performed" in it.expr.vars(eng.program.defs))


_PRESUMED = "unknown; presumed absent for classification (no better explanation identified)"
NO_BIOPSY_NOTE = "no muscle biopsy has been done"


@lru_cache(maxsize=8)
def _items_builders(eng: Engine) -> dict[str, Any]:
    """Per set, a compiled function building its item list from the evaluated values.

    Generated once from the item templates, so each assessment builds its item dicts as literals.
    """
    mimic, biopsy = set(_mimic_items(eng)), _biopsy_items(eng)
    out: dict[str, Any] = {}
    for set_id, rows in _item_templates(eng).items():
        lines = ["def build(vd, v, bp):", "    items = []"]
        for key, base in rows:
            fields = ", ".join(f"{k!r}: {val!r}" for k, val in base.items())
            if set_id == EULAR:
                w = f"({base['weight_with_biopsy']!r} if bp == 2 else ({base['weight_without_biopsy']!r} if bp == 0 else None))"
            else:
                w = "None"
            lines.append(f"    e = {{{fields}, 'state': T[vd[{key!r}]], 'weight': {w}}}")
            cond = []
            if key in mimic:
                cond.append(f"    if vd[{key!r}] == 1 and v[{key!r}] != 1:\n        e['note'] = PRESUMED")
            if key in biopsy:
                kw = "elif" if key in mimic else "if"
                cond.append(f"    {kw} bp == 0:\n        e['note'] = NOBX")
            lines += cond
            lines.append("    items.append(e)")
        lines.append("    return items")
        ns: dict[str, Any] = {"T": _TRI, "PRESUMED": _PRESUMED, "NOBX": NO_BIOPSY_NOTE}
        exec(compile("\n".join(lines) + "\n", f"<myoclass:items:{set_id}>", "exec"), ns)
        out[set_id] = ns["build"]
    return out


@lru_cache(maxsize=8)
def _item_templates(eng: Engine) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Per set, each item's fixed fields (label, weights, rendered citation), computed once."""
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for s in eng.sets:
        rows = []
        for it in s.items:
            base: dict[str, Any] = {"id": it.id, "label": it.label}
            if s.id == EULAR:
                base["weight_without_biopsy"] = it.weight
                base["weight_with_biopsy"] = it.weight_with_biopsy
            base["citation"] = it.citation.render_short()
            base["verification"] = it.verification
            base["unverified"] = it.unverified
            if it.note:
                base["note"] = it.note
            rows.append((f"{s.id}.{it.id}", base))
        out[s.id] = rows
    return out


def assess(raw: Mapping[str, Any] | Case, policy: Policy = Policy(), reading: str = "clinic") -> Assessment:
    """Assess one flat case (a mapping) or a validated :class:`Case`.

    ``reading`` is the differential's reading policy (:data:`myoclass.reasoning.differential.READINGS`):
    ``"clinic"`` (default: unknown means not assessed) or ``"record"`` (case reports and registry
    abstraction: a salient finding that is not mentioned is weak evidence of its absence). It changes
    the differential and the next tests' probabilities and order only, never the strict label.

    Raises :class:`~myoclass.model.case.InvalidCase` for input that breaks a value rule, and
    ``ValueError`` for an unknown reading policy.
    """
    case = raw if isinstance(raw, Case) else parse_case(raw)
    return cast(Assessment, assess_case(case, policy, reading))


#: a biopsy item's test once a biopsy was done: the biopsy is read again, not repeated
BIOPSY_REVIEW_TEST = "review the biopsy (ask the pathologist)"
#: biopsy items that need a stain that is often not done routinely: ask for it on the stored tissue
_BIOPSY_STAIN_TEST = {
    "biopsy_mhc1_upregulation": "ask the pathologist for MHC class I immunostaining (on the stored biopsy)",
    "biopsy_mac_sarcolemma_non_necrotic": "ask the pathologist for C5b-9 (MAC) immunostaining (on the stored biopsy)",
    "biopsy_mac_capillaries": "ask the pathologist for C5b-9 (MAC) immunostaining (on the stored biopsy)",
    "biopsy_cox_negative_fibers": "ask the pathologist for COX/SDH histochemistry (on the stored biopsy)",
    "biopsy_protein_accumulation": ("ask the pathologist for p62, TDP-43 or Congo red staining (on the stored "
                                    "biopsy)"),
}


def _word_for_case(tests: list[dict[str, Any]], values: Mapping[str, Any]) -> None:
    """A next test's ``test`` in the words this case needs: a CK already measured asks for its upper limit of
    normal (:data:`~myoclass.reasoning.text.CK_ULN_TEST`); a biopsy item once a biopsy was done asks for the biopsy
    to be reviewed, not done (or, for an item that needs a stain often not done routinely, for that stain); the
    course after a statin was stopped, while statin use is not recorded, is asked
    for only if one was taken; with rimmed vacuoles on the biopsy, the gene panel names the hereditary inclusion body
    myopathies first, and for a child the childhood dystrophies."""
    for t in tests:
        key = t["finding"]
        if key == "ck_u_l" and values["ck_u_l"] is not None:
            t["test"] = CK_ULN_TEST
        elif key in BIOPSY_ITEMS and key != "biopsy_performed" and values["biopsy_performed"] is True \
                and t.get("test") == "muscle biopsy":
            t["test"] = _BIOPSY_STAIN_TEST.get(key, BIOPSY_REVIEW_TEST)
        elif key == "statin_withdrawal_outcome" and values["statin_exposure"] is None:
            t["test"] = STATIN_COURSE_IF_TAKEN
        elif key == "genetic_diagnosis_gene" and "test" in t and (panel := gene_panel_for(values)) is not None:
            t["test"] = panel[0]
            t["why"] = str(t["why"]).rstrip(".") + panel[1] + "."


def assess_case(case: Case, policy: Policy = Policy(), reading: str = "clinic") -> dict[str, Any]:
    return assess_with(engine(policy), case, reading)


def assess_with(eng: Engine, case: Case, reading: str = "clinic") -> dict[str, Any]:
    """Assess with a given engine (e.g. ``engine(policy, native=False)`` for the pure-Python search)."""
    if reading not in _dx.READINGS:
        raise ValueError(f"unknown reading policy {reading!r}; allowed: {', '.join(_dx.READINGS)}")
    c = _Ctx(eng, case)
    reachable, exact, tests_exact, outcomes = analyse(eng, c.packed)  # exact on the decision diagram
    label = label_of(reachable)
    reach_set = frozenset(labels_of(reachable))
    sets_out = {s.id: _set_output(c, s) for s in eng.sets}
    warnings = list(case.notes)
    tests = next_tests(eng, c.state, c.shown, reachable, outcomes)
    if not exact:  # only where no decision diagram is available (the budgeted search gave up)
        warnings.append("Too many deciding findings are unknown to list the reachable labels exactly; the list "
                        "is a safe over-estimate (every label that could result is in it).")
    elif not tests_exact:
        warnings.append("Many deciding findings are unknown: the reachable labels are exact, but some next tests "
                        "may be missing or ranked on a partial analysis.")
    warnings += warnings_for(eng, c.v, case.values, label, sets_out)
    ck = c.shown["ck_band"]  # bit 0: normal; raised when only the raised bands are left
    nothing = no_sign_of_a_myopathy(case.values, bool(ck) and not ck & 1, case.notes)
    if nothing:
        warnings.append(nothing)
    packed = eng.pack(c.shown)
    is_open = label == "undetermined"
    dif = _dx.compute(packed, reading, eng.policy, derivatives=bool(tests) or is_open, values=case.values,
                      age_now=assessment_age(case.values), first_year=onset_in_first_year(case.values),
                      sex=case.values.get("sex"))
    tests = add_informative(rank_next_tests(tests, dif, c.state["biopsy_performed"]), dif, eng, packed,
                            open_label=is_open)
    add_leading_if(tests, dif)
    _word_for_case(tests, case.values)
    diff_out = _dx.rounded(dif.p_label)
    likely = {d["label"]: d["probability"] for d in diff_out}
    if is_open and diff_out[0]["probability"] >= LIKELY_FOR_GUIDANCE:
        unverified = likely_label_unverified(sets_out, diff_out[0]["label"], open_share(diff_out[0]["probability"]))
        if unverified:
            warnings.append(unverified)
    guidance = guidance_for(GuidanceContext(label, reach_set, case.values, likely))
    with_biopsy = next((frozenset(t["reachable_if_true"]) for t in tests
                        if t["finding"] == "biopsy_performed" and "reachable_if_true" in t), frozenset[str]())
    screening = cancer_screening(case.values, label, reach_set, with_biopsy)
    item = screening_guidance(screening)
    if item:
        guidance.append(item)
    if dif.relaxed:
        warnings.append("The known findings are impossible under the differential's model (e.g. two myositis-"
                        "specific antibodies positive); the differential was computed with every model "
                        "probability kept away from 0 and 1.")
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "case_id": case.case_id,
        "summary": {
            "label": label,
            "certainty": _certainty(c, label),
            "reachable_labels": labels_of(reachable),
            "reachable_labels_exact": exact,
            "text": "",
            "leading_label": diff_out[0]["label"],
            "leading_probability": diff_out[0]["probability"],
        },
        "differential": diff_out,
        "differential_exact": dif.exact,
        "differential_model": {
            "version": MODEL_VERSION,
            "reading": reading,
            "error_bound": round(dif.error_bound, 6),
            "assumed_numbers": dif.assumed_count,
            "assumed_examples": dif.assumed_top,
            "relaxed": dif.relaxed,
        },
        "criteria": sets_out,
        "next_tests": tests,
        "guidance": guidance,
        "cancer_screening": screening,
        "warnings": warnings,
        "policy": {"eular_cutoffs": eng.policy.eular_cutoffs, "eular_rash_free": eng.policy.eular_rash_free,
                   "enmc_weakness_required": eng.policy.enmc_weakness_required},
        "versions": {"myoclass": __version__, **{s.id: s.version for s in eng.sets}},
    }
    out["summary"]["text"] = summary_text(out)
    return out


# ---------------------------------------------------------------------------------------------
# criteria sets
# ---------------------------------------------------------------------------------------------


def _set_output(c: _Ctx, s: CriteriaSet) -> dict[str, Any]:
    v = c.v
    model = {2: "with_biopsy", 0: "without_biopsy"}.get(c.state["biopsy_performed"])
    items = _items_builders(c.eng)[s.id](c.vd, v, c.state["biopsy_performed"])
    status = _STATUS[v[f"{s.id}.met"]]
    cats = [(cat.name, v[s.category_key(cat.id)]) for cat in s.categories]
    first_true = next((i for i, (_n, val) in enumerate(cats) if val == 2), None)
    if first_true is not None:
        category = cats[first_true][0]
        possible = [n for n, val in cats[: first_true + 1] if val]
    elif any(val == 1 for _n, val in cats):
        category = "undetermined"
        possible = [n for n, val in cats if val] + [s.not_met_category]
    else:
        category = s.not_met_category
        possible = [category]
    out: dict[str, Any] = {
        "title": s.title,
        "version": s.version,
        "status": status,
        "category": category,
        "possible_categories": possible,
        "items": items,
        "citation": s.citation.render(),
        "verification": s.verification,
        "notes": list(s.notes),
    }
    if s.id == EULAR:
        out.update(eular.output_fields(v, c.eng.policy, model))
    return out


def _certainty(c: _Ctx, label: str) -> str | None:
    """"definite" / "probable" for labels whose set grades them (EULAR/ACR; ENMC 2011 for IBM), else None."""
    v = c.v
    if label in ("dm", "adm", "jdm", "pm", "juvenile_myositis_other"):
        return eular.certainty(v)
    if label == "ibm":
        if v[category_key(ibm.ID, ibm.CLINICO_PATHOLOGICAL)] == 2:
            return "definite"
        if v[f"{ibm.ID}.met"] == 2:
            return "probable"
        return eular.certainty(v)
    return None


