"""One case in, one assessment out (``docs/assessment.md``, schema version 1; the type: :mod:`myoclass.model.assessment`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, cast

from myoclass import __version__
from myoclass.criteria import Policy
from myoclass.criteria.api import CriteriaSet
from myoclass.criteria.eular_acr_2017 import ID as EULAR
from myoclass.criteria.eular_acr_2017 import SUBGROUPS, cuts, probability
from myoclass.logic.diagram import analyse, diagram_for
from myoclass.model.assessment import Assessment
from myoclass.model.case import Case, parse_case
from myoclass.model.fields import ANTIBODIES, BIOPSY_ITEMS, FIELDS
from myoclass.model.findings import FINDINGS, MIMICS, assessment_age, case_state, display_state
from myoclass.reasoning import differential as _dx
from myoclass.reasoning.cancer_screening import cancer_screening, screening_guidance
from myoclass.reasoning.differential_model import MODEL_VERSION
from myoclass.reasoning.engine import EXCLUSION_MASK, LABELS, MIMIC_ORDER, Engine, engine, labels_of
from myoclass.reasoning.guidance import GuidanceContext, guidance_for

__all__ = ["LABEL_TEXT", "NO_BIOPSY_NOTE", "SCHEMA_VERSION", "assess", "assess_case", "assess_with", "not_settled",
           "rank_next_tests", "share"]

SCHEMA_VERSION = "1"

LABEL_TEXT = {
    "imnm_anti_hmgcr": "immune-mediated necrotizing myopathy, anti-HMGCR subtype",
    "imnm_anti_srp": "immune-mediated necrotizing myopathy, anti-SRP subtype",
    "imnm_seronegative": "antibody-negative immune-mediated necrotizing myopathy",
    "dm": "dermatomyositis",
    "adm": "amyopathic dermatomyositis",
    "jdm": "juvenile dermatomyositis",
    "juvenile_myositis_other": "juvenile myositis other than juvenile dermatomyositis",
    "ibm": "inclusion body myositis",
    "antisynthetase": "antisynthetase syndrome",
    "pm": "polymyositis (IMNM, IBM and antisynthetase syndrome ruled out)",
    "nonspecific_myositis": "non-specific myositis",
    "statin_toxic_myopathy": "self-limited statin (toxic) myopathy, not autoimmune",
    "hereditary_myopathy": "a hereditary myopathy explains the picture",
    "other_non_immune": "another non-immune cause explains the picture (hypothyroid, drug or toxic myopathy)",
    "not_iim": "criteria for an inflammatory myopathy not met, and no other explanation identified",
    "undetermined": "not yet determined",
}

_LABEL_SOURCE = {
    "imnm_anti_hmgcr": "enmc_2017_imnm",
    "imnm_anti_srp": "enmc_2017_imnm",
    "imnm_seronegative": "enmc_2017_imnm",
    "antisynthetase": "connors_2010_ass",
    "jdm": EULAR,
    "juvenile_myositis_other": EULAR,
    "dm": EULAR,
    "adm": EULAR,
    "pm": EULAR,
    "nonspecific_myositis": "enmc_2003_iim",
}

_TRI = {0: False, 1: None, 2: True}
_STATUS = {0: "not_met", 1: "undetermined", 2: "met"}


def _label(mask: int) -> str:
    return LABELS[mask.bit_length() - 1] if mask and not (mask & (mask - 1)) else "undetermined"


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


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


@lru_cache(maxsize=256)
def _category_items(eng: Engine, set_id: str, category: str) -> frozenset[str]:
    """Ids of the items of ``set_id`` that its category ``category`` is defined from."""
    defs = eng.program.defs
    items = {it.id for s in eng.sets if s.id == set_id for it in s.items}
    key = f"{set_id}.cat.{category}"
    if key not in defs:
        return frozenset()
    out: set[str] = set()
    todo, seen = [defs[key]], set()
    while todo:
        e = todo.pop()
        for name in e.refs():
            if name in seen or not name.startswith(set_id + "."):
                continue
            seen.add(name)
            local = name[len(set_id) + 1:]
            if local in items:
                out.add(local)
            else:
                todo.append(defs[name])
    return frozenset(out)


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


def assess_case(case: Case, policy: Policy = Policy(), reading: str = "clinic") -> dict[str, Any]:
    return assess_with(engine(policy), case, reading)


def assess_with(eng: Engine, case: Case, reading: str = "clinic") -> dict[str, Any]:
    """Assess with a given engine (e.g. ``engine(policy, native=False)`` for the pure-Python search)."""
    if reading not in _dx.READINGS:
        raise ValueError(f"unknown reading policy {reading!r}; allowed: {', '.join(_dx.READINGS)}")
    c = _Ctx(eng, case)
    reachable, exact, tests_exact, outcomes = analyse(eng, c.packed)  # exact on the decision diagram
    label = _label(reachable)
    reach_set = frozenset(labels_of(reachable))
    sets_out = {s.id: _set_output(c, s) for s in eng.sets}
    guidance = guidance_for(GuidanceContext(label, reach_set, case.values))
    screening = cancer_screening(case.values, label, reach_set)
    item = screening_guidance(screening)
    if item:
        guidance.append(item)
    warnings = list(case.notes)
    next_tests = _next_tests(c, reachable, outcomes)
    if not exact:  # only where no decision diagram is available (the budgeted search gave up)
        warnings.append("Too many deciding findings are unknown to list the reachable labels exactly; the list "
                        "is a safe over-estimate (every label that could result is in it).")
    elif not tests_exact:
        warnings.append("Many deciding findings are unknown: the reachable labels are exact, but some next tests "
                        "may be missing or ranked on a partial analysis.")
    warnings += _warnings(c, label, sets_out)
    dif = _dx.compute(eng.pack(c.shown), reading, eng.policy, derivatives=bool(next_tests), values=case.values,
                      age_now=assessment_age(case.values))
    next_tests = rank_next_tests(next_tests, dif, c.state["biopsy_performed"])
    diff_out = _dx.rounded(dif.p_label)
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
        "next_tests": next_tests,
        "guidance": guidance,
        "cancer_screening": screening,
        "warnings": warnings,
        "policy": {"eular_cutoffs": eng.policy.eular_cutoffs, "eular_rash_free": eng.policy.eular_rash_free,
                   "enmc_weakness_required": eng.policy.enmc_weakness_required},
        "versions": {"myoclass": __version__, **{s.id: s.version for s in eng.sets}},
    }
    out["summary"]["text"] = _summary_text(out)
    return out


# ---------------------------------------------------------------------------------------------
# criteria sets
# ---------------------------------------------------------------------------------------------


def _set_output(c: _Ctx, s: CriteriaSet) -> dict[str, Any]:
    v = c.v
    model = {2: "with_biopsy", 0: "without_biopsy"}.get(c.state["biopsy_performed"])
    items = _items_builders(c.eng)[s.id](c.vd, v, c.state["biopsy_performed"])
    status = _STATUS[v[f"{s.id}.met"]]
    cats = [(cat.name, v[f"{s.id}.cat.{cat.name}"]) for cat in s.categories]
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
        out.update(_eular_fields(c, model))
    return out


def _eular_fields(c: _Ctx, model: str | None) -> dict[str, Any]:
    v = c.v
    models = [model] if model else ["without_biopsy", "with_biopsy"]
    lo_hi = {m: v[f"{EULAR}.score_{m}"] for m in models}
    smin = min(lo for lo, _ in lo_hi.values()) / 10
    smax = max(hi for _, hi in lo_hi.values()) / 10
    pmin = min(probability(lo / 10, m) for m, (lo, _) in lo_hi.items())
    pmax = max(probability(hi / 10, m) for m, (_, hi) in lo_hi.items())
    score = smin if (model and smin == smax) else None
    subs = {name: v[f"{EULAR}.{key}"] for key, name in SUBGROUPS.items()}
    subgroup = next((n for n, val in subs.items() if val == 2), None)
    out: dict[str, Any] = {
        "model": model,
        "score": score,
        "score_min": smin,
        "score_max": smax,
        "probability": round(pmin, 4) if score is not None else None,
        "probability_min": round(pmin, 4),
        "probability_max": round(pmax, 4),
        "subgroup": subgroup,
        "possible_subgroups": [n for n, val in subs.items() if val],
    }
    if model:
        a, b, d = cuts(c.eng.policy, model)
        out["cutoffs"] = {"possible": a / 10, "probable": b / 10, "definite": d / 10}
    return out


# ---------------------------------------------------------------------------------------------
# certainty, next tests, warnings, text
# ---------------------------------------------------------------------------------------------


def _certainty(c: _Ctx, label: str) -> str | None:
    v = c.v
    if label in ("dm", "adm", "jdm", "pm", "juvenile_myositis_other"):
        if v[f"{EULAR}.cat.definite IIM"] == 2:
            return "definite"
        return "probable" if v[f"{EULAR}.iim"] == 2 else None
    if label == "ibm":
        if v["enmc_2011_ibm.cat.clinico-pathologically defined IBM"] == 2:
            return "definite"
        if v["enmc_2011_ibm.met"] == 2:
            return "probable"
        if v[f"{EULAR}.cat.definite IIM"] == 2:
            return "definite"
        return "probable" if v[f"{EULAR}.iim"] == 2 else None
    return None


_FLAT_TO_FINDING = {f.flat_key: name for name, f in FINDINGS.items()}


def rank_next_tests(tests: list[dict[str, Any]], dif: _dx.Differential, biopsy_performed: int) -> list[dict[str, Any]]:
    """Each next test with ``p_present`` and ``expected_information``, most informative first.

    ``expected_information`` is the mutual information between the finding and the label the criteria
    will give (the expected drop of the differential's entropy, bits), from the joints
    P(L, finding = value | known). Banded findings give ``p_present`` None and ``p_values`` per value.
    A biopsy that was not done (``biopsy_performed`` known false) is an action, not an unknown finding:
    its ``p_present`` is None, and its ``expected_information`` is the expected drop of the entropy from
    the differential now to the differential once the biopsy's findings are known, never below 0
    (:attr:`myoclass.reasoning.differential.BiopsyInformation.expected_information`, exact over every
    combination of the 15 items).
    Sorted by expected information rounded to 4 decimals, descending; ties keep the earlier order.
    """
    weighed: list[tuple[dict[str, Any], str]] = []
    for t in tests:
        name = _FLAT_TO_FINDING.get(t["finding"], t["finding"])
        if name == "biopsy_performed" and biopsy_performed == 0:
            t["p_present"] = None
            t["expected_information"] = round(dif.biopsy_information().expected_information, 4)
            continue
        weighed.append((t, name))
    for (t, _name), (p, pv, ei) in zip(weighed, dif.informations([n for _t, n in weighed]), strict=True):
        t["p_present"] = None if p is None else round(p, 4)
        if p is None:
            t["p_values"] = {k: round(v, 4) for k, v in pv.items()}
        t["expected_information"] = round(ei, 4)
    return sorted(tests, key=lambda t: (t["expected_information"] is None, -(t["expected_information"] or 0.0)))


def _outcome(mask: int) -> str:
    return _label(mask)


def _next_tests(c: _Ctx, reachable: int, outcomes: list[tuple[int, list[int]]]
                ) -> list[dict[str, Any]]:
    """Findings whose result changes the label or narrows ``reachable``, then mimics to rule out."""
    decides = [(rank, {k: list(v) if isinstance(v, tuple) else dict(v) if isinstance(v, dict) else v
                        for k, v in entry.items()}) for rank, entry in _deciding(c.eng, c.state, reachable, outcomes)]
    with_bx = _with_biopsy(c.eng, c.state, reachable)
    if with_bx is not None:
        decides.append(((bin(with_bx).count("1"), 3), {
                "finding": "biopsy_performed", "purpose": "decides",
                "if_true": _outcome(with_bx), "if_false": _outcome(reachable),
                "reachable_if_true": labels_of(with_bx), "reachable_if_false": labels_of(reachable),
                "why": "No muscle biopsy has been done. Depending on its findings the label could become: "
                       + ", ".join(labels_of(with_bx)) + ".",
                "test": FINDINGS["biopsy_necrosis_predominant"].test,
            }))
    decides.sort(key=lambda t: t[0])
    out = [e for _k, e in decides]
    out += _rules_out(c, reachable)
    return out


@lru_cache(maxsize=65536)
def _decides_entry(var: str, x: int, masks: tuple[int, ...]) -> tuple[tuple[float, int], dict[str, Any]]:
    """The next-test entry of a deciding finding (cached: the same outcomes recur across a cohort).

    ``x`` is the finding's still-possible values (bit mask; 3 for a boolean). Lists are held as
    tuples here and copied into each assessment.
    """
    f = FINDINGS[var]
    names = ["true", "false"] if f.is_bool else [name for b, name in enumerate(f.values) if x >> b & 1]
    outcome = dict(zip(names, masks, strict=True))
    sizes = [bin(m).count("1") for m in masks]
    entry: dict[str, Any] = {"finding": f.flat_key, "purpose": "decides"}
    if f.is_bool:
        entry["if_true"] = _outcome(outcome["true"])
        entry["if_false"] = _outcome(outcome["false"])
        entry["reachable_if_true"] = tuple(labels_of(outcome["true"]))
        entry["reachable_if_false"] = tuple(labels_of(outcome["false"]))
    else:
        entry["if_true"] = None
        entry["if_false"] = None
        entry["outcomes"] = {k: _outcome(m) for k, m in outcome.items()}
    entry["why"] = _why(f.flat_key, outcome, f.is_bool)
    entry["test"] = f.test
    return (sum(sizes) / len(sizes), f.tier), entry


def _deciding(eng: Engine, state: Mapping[str, int], reachable: int,
              outcomes: list[tuple[int, list[int]]]) -> list[tuple[tuple[float, int], dict[str, Any]]]:
    """(rank, shared entry) of each finding whose result changes the label or narrows ``reachable``."""
    if not reachable & (reachable - 1):
        return []
    out = []
    for i, masks in outcomes:
        if all(m == reachable for m in masks):
            continue
        var = eng.var_names[i]
        out.append(_decides_entry(var, 3 if FINDINGS[var].is_bool else state[var], tuple(masks)))
    return out


def _with_biopsy(eng: Engine, state: Mapping[str, int], reachable: int) -> int | None:
    """With no biopsy done: the labels reachable if one were (its findings unknown), when they differ.

    Exact on the decision diagram; where none is available, the Kleene over-estimate and then a
    budgeted search.
    """
    if state["biopsy_performed"] != 0:
        return None
    hyp = dict(state)
    for k in BIOPSY_ITEMS:
        if not FINDINGS[k].mimic:
            hyp[k] = 1
    hyp["biopsy_performed"] = 2
    with_bx = eng.mask(hyp)  # Kleene over-estimate first: one label settles it at once
    d = diagram_for(eng)
    if d is not None:
        if with_bx & (with_bx - 1):
            with_bx = d.reachable(hyp)
    elif with_bx != reachable:
        with_bx = eng.search(hyp, budget=500)[0]
    return with_bx if with_bx != reachable else None


def _mimics_to_rule_out(reachable: int, unknown: Callable[[str], bool], biopsy_performed: int) -> list[str]:
    """Mimic findings (``unknown`` ones, in :data:`MIMIC_ORDER`) to rule out while a diagnosis of exclusion
    is reachable; dystrophic biopsy features only once a biopsy is done."""
    if not reachable & EXCLUSION_MASK:
        return []
    return [name for name in MIMIC_ORDER if unknown(name)
            and not (name == "biopsy_dystrophic_features" and biopsy_performed == 0)]


def next_tests_compact(eng: Engine, packed: bytes, reachable: int, outcomes: list[tuple[int, list[int]]],
                       mimic_unknown: int) -> list[dict[str, Any]]:
    """The machine-readable core of the next tests (as the batch output carries them).

    Same entries and order as :func:`_next_tests`; ``mimic_unknown`` has bit *k* set when the k-th
    finding of :data:`MIMIC_ORDER` is unknown.
    """
    state = eng.unpack(packed)
    entries: list[tuple[tuple[float, int], dict[str, Any]]] = []
    for rank, full in _deciding(eng, state, reachable, outcomes):
        e = {k: full[k] for k in ("finding", "purpose", "if_true", "if_false")}
        if "outcomes" in full:
            e["outcomes"] = dict(full["outcomes"])
        entries.append((rank, e))
    with_bx = _with_biopsy(eng, state, reachable)
    if with_bx is not None:
        entries.append(((bin(with_bx).count("1"), 3), {"finding": "biopsy_performed", "purpose": "decides",
                                                       "if_true": _outcome(with_bx), "if_false": _outcome(reachable)}))
    entries.sort(key=lambda t: t[0])
    out = [e for _k, e in entries]
    unknown = {name for bit, name in enumerate(MIMIC_ORDER) if mimic_unknown >> bit & 1}
    out += [{"finding": FINDINGS[name].flat_key, "purpose": "rules_out", "if_true": None, "if_false": None}
            for name in _mimics_to_rule_out(reachable, unknown.__contains__, state["biopsy_performed"])]
    return out


def _why(key: str, outcome: dict[str, int], is_bool: bool) -> str:
    """What each result would do: give one label, or rule some of the possible labels out."""
    reach = 0
    for m in outcome.values():
        reach |= m
    parts = []
    for name, m in outcome.items():
        word = ({"true": "positive/present", "false": "negative/absent"}[name] if is_bool
                else name.replace("_", " "))
        labs = labels_of(m)
        if len(labs) == 1:
            parts.append(f"if {word}: {labs[0]}")
        elif m == reach:
            parts.append(f"if {word}: no change")
        else:
            parts.append(f"if {word}: rules out {', '.join(labels_of(reach & ~m))}")
    return f"{key}: " + "; ".join(parts) + "."


_MIMIC_WHY = {
    "hypothyroidism": "hypothyroid myopathy can be mistaken for IMNM when T4 is not measured (Mammen 2017)",
    "other_myotoxic_drug": "a drug or toxic myopathy (colchicine, zidovudine, hydroxychloroquine, fibrates, "
                           "alcohol) is a better explanation when present",
    "family_history_myopathy": "a family history points to a hereditary myopathy",
    "genetic_diagnosis": "dysferlinopathy, calpainopathy, FKRP, ANO5, dystrophinopathy and late-onset Pompe "
                         "disease mimic antibody-negative necrotizing myopathy (Mammen 2017)",
    "biopsy_dystrophic_features": "absent dysferlin, dystrophin or sarcoglycan staining points to a dystrophy",
}


def _rules_out(c: _Ctx, reachable: int) -> list[dict[str, Any]]:
    """Mimic findings to rule out while a diagnosis of exclusion is possible."""
    names = _mimics_to_rule_out(reachable, lambda name: c.shown[name] == 1, c.state["biopsy_performed"])
    labs = labels_of(reachable & EXCLUSION_MASK)
    out = []
    for name in names:
        f = FINDINGS[name]
        out.append({
            "finding": f.flat_key, "purpose": "rules_out", "if_true": None, "if_false": None,
            "why": f"Not known, and {', '.join(sorted(labs))} can be classified only when no better explanation "
                   f"exists: {_MIMIC_WHY[name]}.",
            "test": f.test,
        })
    return out


def _warnings(c: _Ctx, label: str, sets: dict[str, Any]) -> list[str]:
    v, vals = c.v, c.case.values
    w: list[str] = []
    e = sets[EULAR]
    bp = sets["bohan_peter_1975"]
    enmc = sets["enmc_2017_imnm"]
    # --- policies that decided ---
    pol = c.eng.policy
    if e["model"] == "without_biopsy" and e["score"] is not None and round(e["score"] * 10) in (53, 55, 75):
        other = "probability" if pol.eular_cutoffs == "score" else "score"
        w.append(f"EULAR/ACR score {e['score']:.1f} lies where the published score cut-offs and the probability "
                 f"cut-offs disagree (probability {_pct(e['probability'])}); policy eular_cutoffs={pol.eular_cutoffs} "
                 f"decided '{e['category']}' (the {other} cut-offs would give a different category).")
    if v[f"{EULAR}.cat.not classifiable as IIM: no DM rash and the rash-free biopsy rule is not satisfied"] == 2:
        w.append(f"EULAR/ACR: the score reaches 'probable IIM' but there is no DM rash and policy "
                 f"eular_rash_free={pol.eular_rash_free} requires muscle biopsy evidence, so the case is not "
                 "classified as IIM under EULAR/ACR.")
    if pol.enmc_weakness_required and (
            v["enmc_2017_imnm.cat.possible anti-HMGCR myopathy (weakness absent)"] == 2
            or v["enmc_2017_imnm.cat.possible anti-SRP myopathy (weakness absent)"] == 2):
        w.append("Possible IMNM with weakness absent: anti-HMGCR/anti-SRP positive with raised CK but no "
                 "proximal weakness recorded. Such patients exist (hyperCKemia or myalgia only; Chow 2024), but "
                 "ENMC 224 lists weakness, so the case is not classified as IMNM (policy enmc_weakness_required).")
    # --- disagreements between sets ---
    if label.startswith("imnm_"):
        named = enmc["category"]
        bp_txt = (f"; under Bohan & Peter (1975) it would have been called {bp['category']}"
                  if bp["status"] == "met" else "")
        if e["subgroup"] == SUBGROUPS["sub_pm"]:
            w.append(f"EULAR/ACR places this case in its PM group, which includes IMNM; ENMC 224: {named}{bp_txt}.")
        elif e["status"] == "not_met":
            w.append(f"EULAR/ACR 2017 does not classify this case as IIM (probability "
                     f"{_pct(e['probability_max'])} at most): anti-HMGCR and anti-SRP carry no points there, and "
                     f"IMNM can fall below its threshold; ENMC 224: {named}{bp_txt}.")
    if label == "ibm" and e["subgroup"] == SUBGROUPS["sub_pm"]:
        w.append("The EULAR/ACR tree places this case in PM, while the ENMC 2011 IBM criteria are met.")
    if bp["status"] == "met" and label in ("ibm", "hereditary_myopathy", "statin_toxic_myopathy", "other_non_immune"):
        w.append(f"Bohan & Peter (1975) would call this {bp['category']}, but the label is {label}: the older "
                 "criteria cannot tell it from polymyositis.")
    if label == "imnm_seronegative" and e["status"] != "met":
        w.append("Antibody-negative IMNM falls below the EULAR/ACR threshold here; the weakness pattern "
                 "(neck flexor and leg items) moves such cases across 5.5.")
    # --- assays and antibodies ---
    if vals["ab_hmgcr"] and vals["ab_srp"]:
        w.append("Both anti-HMGCR and anti-SRP are reported positive, which is very rare; confirm both results. "
                 "The anti-HMGCR subtype is reported by precedence.")
    for ab in ("ab_hmgcr", "ab_srp"):
        if vals[ab] and vals.get(f"{ab}_method") == "line_blot":
            w.append(f"{ANTIBODIES[ab]} was positive on a line blot, which gives false positives; "
                     "confirm with another assay (ELISA, IIF or immunoprecipitation).")
    if vals["statin_exposure"] and vals["ab_hmgcr"] and vals["statin_withdrawal_outcome"] == "resolved":
        w.append("Anti-HMGCR is positive, so this is not an ordinary statin intolerance even though symptoms "
                 "resolved after withdrawal (Mammen 2012: 0 of 763 statin users without myopathy were positive).")
    if vals["checkpoint_inhibitor"]:
        w.append("Immune-checkpoint-inhibitor therapy before onset: checkpoint-inhibitor myositis is a distinct "
                 "drug-induced entity (check for myocarditis and myasthenic features); these criteria were not "
                 "built for it.")
    # --- unverified items the label rests on ---
    src = _LABEL_SOURCE.get(label)
    if label == "ibm":
        src = "enmc_2011_ibm" if sets["enmc_2011_ibm"]["status"] == "met" else EULAR
    if src:
        s = sets[src]
        used = _category_items(c.eng, src, s["category"])
        unv = [it["id"] for it in s["items"] if it["unverified"] and it["id"] in used]
        if src == EULAR:
            unv.append("subclassification tree")
        if unv:
            w.append(f"The label rests on {s['title']} items not verified against the primary paper [R]: "
                     + ", ".join(unv) + ".")
    return w


def share(p: float) -> str:
    """A probability as a whole percentage that never claims 0% or 100% for a share strictly between."""
    pct = round(100 * p)
    if pct >= 100 and p < 1:
        return ">99%"
    if pct <= 0 < p:
        return "<1%"
    return f"{pct}%"


_NOT_SETTLED = {
    "statin_withdrawal_outcome": "course after statin withdrawal not recorded",
    "immunosuppression_response": "response to immunosuppression not recorded",
    "age_at_onset_years": "age at onset not known",
    "ck_u_l": "CK not measured",
    "symptom_duration_months": "symptom duration not known",
    "onset_tempo": "onset tempo not known",
    "genetic_diagnosis_gene": "no genetic result",
}


def not_settled(t: dict[str, Any]) -> str:
    """What a deciding next test still waits for, in the clinic's words ("anti-HMGCR not tested")."""
    key = t["finding"]
    if key in ANTIBODIES:
        return f"{ANTIBODIES[key]} not tested"
    if key == "biopsy_performed":
        return "no muscle biopsy yet" if t.get("p_present") is None else "biopsy status not known"
    if key in _NOT_SETTLED:
        return _NOT_SETTLED[key]
    spec = FIELDS.get(key)
    return f"{spec.description if spec else key.replace('_', ' ')} not known"


def _summary_text(out: dict[str, Any]) -> str:
    s = out["summary"]
    label = s["label"]
    if label == "undetermined":
        opts = ", ".join(s["reachable_labels"])
        decides = [t for t in out["next_tests"] if t["purpose"] == "decides"]
        tests = [t["finding"] for t in decides][:3]
        more = f" The next findings that would settle it: {', '.join(tests)}." if tests else ""
        lead = s["leading_label"]
        what = "; ".join(not_settled(t) for t in decides[:2])
        head = f"Most likely {LABEL_TEXT[lead]} ({share(s['leading_probability'])})"
        head += f"; not settled: {what}. " if what else ". "
        return f"{head}Not yet determined: the known findings are compatible with {opts}.{more}"
    cert = f"{s['certainty']} " if s["certainty"] else ""
    return f"Classified as {cert}{LABEL_TEXT[label]} ({label})."
