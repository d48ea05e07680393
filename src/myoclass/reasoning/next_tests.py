"""The next tests: which unknown findings would decide the label, which mimics to rule out, and their
ranking by the expected information of each result under the differential."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from myoclass.logic.diagram import diagram_for
from myoclass.model.case import EXCLUSIVE_FINDINGS
from myoclass.model.fields import BIOPSY_ITEMS
from myoclass.model.findings import FINDINGS, onset_before_18
from myoclass.reasoning import differential as _dx
from myoclass.reasoning.differential_tables import ENZYMES
from myoclass.reasoning.engine import EXCLUSION_MASK, MIMIC_ORDER, Engine, label_of, labels_of

__all__ = ["INFORMS_MAX", "INFORMS_MIN_BITS", "add_informative", "add_leading_if", "next_tests", "next_tests_compact",
           "rank_next_tests"]

_FLAT_TO_FINDING = {f.flat_key: name for name, f in FINDINGS.items()}

#: an ``informs`` next test must be expected to take at least this much from the differential's entropy (bits): a
#: presentation threshold (below it a result barely moves any share), not a clinical one
INFORMS_MIN_BITS = 0.1
#: at most this many ``informs`` next tests, the most informative
INFORMS_MAX = 5
#: the findings an ``informs`` next test may ask for: the booleans a clinician finds out directly (history,
#: examination, antibodies, organ involvement, EMG and MRI). Not the biopsy's items (the biopsy is one test, listed
#: when it decides), not the mimic findings (``rules_out``), not the enzymes (read with CK; weighing them costs a
#: joint each)
_INFORMS_CANDIDATES = tuple(
    name for name, f in FINDINGS.items()
    if f.is_bool and not name.startswith("biopsy_") and name not in MIMIC_ORDER and name not in ENZYMES)
_EXCLUSIVE = tuple((a, b) for a, b in EXCLUSIVE_FINDINGS if a in FINDINGS and b in FINDINGS)
_INFORMS_WHY = ("The criteria do not turn on it here (no result changes the labels still possible), but its result "
                "moves the differential.")


def _by_information(t: Mapping[str, Any]) -> tuple[bool, float]:
    """The next tests' order: most expected information first, those not weighed last (a stable sort keeps ties)."""
    ei = t["expected_information"]
    return ei is None, -(ei or 0.0)


def rank_next_tests(tests: list[dict[str, Any]], dif: _dx.Differential, biopsy_performed: int) -> list[dict[str, Any]]:
    """Each next test with ``p_present`` and ``expected_information``, most informative first.

    ``expected_information`` is the mutual information between the finding and the label the criteria
    will give (the expected drop of the differential's entropy, bits), from the joints
    P(L, finding = value | known). Banded findings give ``p_present`` None and ``p_values`` per value.
    A biopsy that was not done (``biopsy_performed`` known false) is an action, not an unknown finding:
    its ``p_present`` is None, and its ``expected_information`` is the expected drop of the entropy from
    the differential now to the differential once the biopsy's findings are known, never below 0
    (:attr:`myoclass.reasoning.biopsy_information.BiopsyInformation.expected_information`, exact over every
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
    return sorted(tests, key=_by_information)


def add_informative(tests: list[dict[str, Any]], dif: _dx.Differential, eng: Engine, packed: bytes, *,
                    open_label: bool, compact: bool = False) -> list[dict[str, Any]]:
    """``tests`` (ranked by :func:`rank_next_tests`) with the ``informs`` next tests merged in by expected information.

    While the criteria leave the label open, an unknown finding that no result of which
    changes the labels still possible can still move the differential a lot: anti-Jo-1 in a thin case of
    proximal weakness and a raised CK. Such findings (of :data:`_INFORMS_CANDIDATES`, unknown in ``packed`` and not
    already listed) whose expected information is at least :data:`INFORMS_MIN_BITS` are added, at most
    :data:`INFORMS_MAX`, the most informative, as ``{"finding", "purpose": "informs", "if_true": None,
    "if_false": None, "p_present", "expected_information"}`` plus, unless ``compact`` (the batch's entries),
    ``why`` and ``test``. They carry no guarantee about the criteria: the strict label and the deciding tests
    are unchanged. ``open_label`` says whether the criteria leave the label open (the strict label is
    ``undetermined``): with no single deciding test, the label can still turn on several findings together (an
    anti-synthetase antibody and one of the features it needs), and these tests are then the only ones listed."""
    if not open_label:
        return tests
    listed = {t["finding"] for t in tests}
    # a finding whose partner is known present cannot be present (the case would be refused): not a test to ask for
    barred = {b for a_, b in _EXCLUSIVE if packed[eng.var_index[a_]] == 2} | {
        a_ for a_, b in _EXCLUSIVE if packed[eng.var_index[b]] == 2}
    names = [n for n in _INFORMS_CANDIDATES if packed[eng.var_index[n]] == 1 and FINDINGS[n].flat_key not in listed
             and n not in barred]
    if not names:
        return tests
    p_arr, ei_arr = dif.boolean_informations(names)
    hits = np.flatnonzero(np.round(ei_arr, 4) >= INFORMS_MIN_BITS)
    if not len(hits):
        return tests
    scored = [(round(float(ei_arr[i]), 4), -int(i), float(p_arr[i]), names[i]) for i in hits]
    added = []
    for ei, _order, p, name in sorted(scored, reverse=True)[:INFORMS_MAX]:  # ties: the dictionary's order
        f = FINDINGS[name]
        entry: dict[str, Any] = {"finding": f.flat_key, "purpose": "informs", "if_true": None, "if_false": None}
        if not compact:
            entry["why"] = _INFORMS_WHY
            entry["test"] = f.test
        entry["p_present"] = round(p, 4)
        entry["expected_information"] = ei
        added.append(entry)
    return sorted(tests + added, key=_by_information)


#: a boolean finding's values as the next tests name them (``if_true``/``if_false``)
_BOOL_VALUE = {"present": "true", "absent": "false"}


def add_leading_if(tests: list[dict[str, Any]], dif: _dx.Differential) -> None:
    """Give each next test the differential weighs ``leading_if``: per result with some probability
    (``true``/``false``, or the band), the leading label once that result is known and its probability
    (:meth:`~myoclass.reasoning.differential.Differential.leading_after`), so the answer says what would
    confirm or overturn it. A biopsy that was not done (an action) gets ``true`` only: where the differential
    would lead once a biopsy is done, its findings still unknown (the biopsied case's differential).
    Run after :func:`rank_next_tests` (the tests it weighed have ``expected_information``)."""
    weighed = [t for t in tests if t.get("p_present") is not None or t.get("p_values")]
    # 4 decimals, never a certain-looking 1 for a share below 1 (as the differential)
    after = dif.leading_after([_FLAT_TO_FINDING.get(t["finding"], t["finding"]) for t in weighed], places=4)
    for t, per_value in zip(weighed, after, strict=True):
        t["leading_if"] = {_BOOL_VALUE.get(v, v): {"label": label, "probability": p}
                           for v, (label, p) in per_value.items()}
    for t in tests:
        if t["finding"] == "biopsy_performed" and t.get("p_present", 0) is None \
                and t.get("expected_information") is not None:
            # a biopsy not done (an action): where the differential would lead once one is done, its findings
            # still unknown (the biopsied case's differential, computed for its expected information)
            p_after = dif.biopsy_information().p_after
            if p_after is not None and float(p_after.sum()) > 0:
                top = _dx.rounded(p_after)[0]
                t["leading_if"] = {"true": {"label": top["label"], "probability": top["probability"]}}


def _copy_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An assessment's own copy of a cached entry (its tuples as lists, its outcome mappings new dicts)."""
    e = dict(entry)
    for k in ("reachable_if_true", "reachable_if_false"):
        if k in e:
            e[k] = list(e[k])
    if "outcomes" in e:
        e["outcomes"] = dict(e["outcomes"])
        e["reachable_outcomes"] = {k: list(v) for k, v in e["reachable_outcomes"].items()}
    return e


def next_tests(eng: Engine, state: Mapping[str, int], shown: Mapping[str, int], reachable: int,
               outcomes: list[tuple[int, list[int]]]) -> list[dict[str, Any]]:
    """Findings whose result changes the label or narrows ``reachable`` (from the analysis ``outcomes``),
    then mimics to rule out; ``state`` has unknown mimics presumed absent, ``shown`` as known."""
    decides = [(rank, _copy_entry(entry)) for rank, entry in _deciding(eng, state, reachable, outcomes)]
    with_bx = _with_biopsy(eng, state, reachable)
    if with_bx is not None:
        decides.append(((bin(with_bx).count("1"), 3), {
                "finding": "biopsy_performed", "purpose": "decides",
                "if_true": label_of(with_bx), "if_false": label_of(reachable),
                "reachable_if_true": labels_of(with_bx), "reachable_if_false": labels_of(reachable),
                "why": "No muscle biopsy has been done. Depending on its findings the label could become: "
                       + ", ".join(labels_of(with_bx)) + ".",
                "test": FINDINGS["biopsy_necrosis_predominant"].test,
            }))
    decides.sort(key=lambda t: t[0])
    out = [e for _k, e in decides]
    out += _rules_out(shown, state, reachable)
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
        entry["if_true"] = label_of(outcome["true"])
        entry["if_false"] = label_of(outcome["false"])
        entry["reachable_if_true"] = tuple(labels_of(outcome["true"]))
        entry["reachable_if_false"] = tuple(labels_of(outcome["false"]))
    else:
        entry["if_true"] = None
        entry["if_false"] = None
        entry["outcomes"] = {k: label_of(m) for k, m in outcome.items()}
        entry["reachable_outcomes"] = {k: tuple(labels_of(m)) for k, m in outcome.items()}
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

    Same entries and order as :func:`next_tests`; ``mimic_unknown`` has bit *k* set when the k-th
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
                                                       "if_true": label_of(with_bx), "if_false": label_of(reachable)}))
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
            parts.append(f"if {word}: the criteria could no longer give {', '.join(labels_of(reach & ~m))}")
    return f"{key}: " + "; ".join(parts) + "."


_MIMIC_WHY = {
    "hypothyroidism": "hypothyroid myopathy (raised CK, proximal weakness) can mimic an inflammatory myopathy, and is "
                      "mistaken for IMNM when T4 is not measured (Mammen 2017)",
    "other_myotoxic_drug": "a drug or toxic myopathy (colchicine, zidovudine, hydroxychloroquine, fibrates, "
                           "alcohol) is a better explanation when present",
    "family_history_myopathy": "a family history points to a hereditary myopathy",
    "genetic_diagnosis": "dysferlinopathy, calpainopathy, FKRP, ANO5, dystrophinopathy and late-onset Pompe "
                         "disease can mimic an inflammatory myopathy, antibody-negative necrotizing myopathy above "
                         "all (Mammen 2017)",
    "biopsy_dystrophic_features": "absent dysferlin, dystrophin or sarcoglycan staining points to a dystrophy",
}


#: the gene panel's test and its reason when the biopsy shows rimmed vacuoles (an IBM picture): the hereditary
#: inclusion body myopathies overlap with IBM, so the panel names their genes first
_GENE_PANEL_RIMMED_VACUOLES = (
    "muscle gene panel with the hereditary inclusion body myopathies (GNE, VCP, DES) besides DYSF, CAPN3, FKRP, ANO5, "
    "DMD and the sarcoglycans, and GAA enzyme activity",
    "; with rimmed vacuoles, the familial inclusion body myopathies, with or without dementia (GNE, DES, VCP), overlap "
    "with IBM clinically and on the biopsy (Murnyak et al. 2015, doi:10.1515/med-2015-0030)")
#: the gene panel's test and its reason for a child (an onset before 18): a muscular dystrophy is the main mimic of a
#: juvenile myositis without a rash, and inflammation on the biopsy does not tell them apart
_GENE_PANEL_CHILD = (
    "muscle gene panel for the childhood dystrophies (DMD, DYSF, LAMA2, CAPN3, FKRP, the sarcoglycans), a test for "
    "FSHD, and GAA enzyme activity",
    "; in a child, 12 of 13 first diagnosed with juvenile polymyositis had a muscular dystrophy (D'Arcy et al. 2009, "
    "doi:10.1111/j.1365-2559.2009.03407.x), and inflammation on the biopsy is reported in Duchenne, "
    "facioscapulohumeral, dysferlin and merosin-deficient dystrophies (Arthritis Care Res 2013, doi:10.1002/acr.22088)")


def gene_panel_for(values: Mapping[str, Any]) -> tuple[str, str] | None:
    """The gene panel's test in this case's words and what its reason adds (a clause to append), or None for the
    general panel (:data:`~myoclass.model.findings.FINDINGS`): with rimmed vacuoles on the biopsy, the hereditary
    inclusion body myopathies first; else, for an onset before 18, the childhood dystrophies."""
    if values.get("biopsy_rimmed_vacuoles") is True:
        return _GENE_PANEL_RIMMED_VACUOLES
    if onset_before_18(values):
        return _GENE_PANEL_CHILD
    return None


def _rules_out(shown: Mapping[str, int], state: Mapping[str, int], reachable: int) -> list[dict[str, Any]]:
    """Mimic findings to rule out while a diagnosis of exclusion is possible."""
    names = _mimics_to_rule_out(reachable, lambda name: shown[name] == 1, state["biopsy_performed"])
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


