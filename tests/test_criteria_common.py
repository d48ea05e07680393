"""Checks every criteria set must pass, in the style of scikit-learn's estimator checks (issue 11).

Each check runs over every set of :func:`myoclass.criteria.criteria_sets` under every policy the
code offers (every combination of the values of :class:`myoclass.criteria.Policy`), so a new set,
or a new policy, is checked without writing a test for it. A set's own behaviour is tested in
``tests/test_<set id>.py``.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import json
import pkgutil
import typing
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import myoclass.criteria
from myoclass import assess, parse_case
from myoclass.criteria import SET_MODULES, VERIFICATION, CriteriaSet, Policy, citations, criteria_sets, describe

TESTS = Path(__file__).resolve().parent

#: modules of the criteria package that are not criteria sets
NOT_SETS = {"api", "citations"}


def _values(hint: object) -> tuple[object, ...]:
    if hint is bool:
        return (False, True)
    values = typing.get_args(hint)
    assert values and typing.get_origin(hint) is typing.Literal, f"policy field of unknown type {hint!r}"
    return values


def _policies() -> list[Policy]:
    """Every combination of the policy values the code offers."""
    hints = typing.get_type_hints(Policy)
    fields = [f.name for f in dataclasses.fields(Policy)]
    return [Policy(**dict(zip(fields, combo, strict=True)))
            for combo in itertools.product(*(_values(hints[f]) for f in fields))]


def _policy_id(policy: Policy) -> str:
    return ",".join(f"{f.name}={getattr(policy, f.name)}" for f in dataclasses.fields(Policy))


POLICIES = _policies()
POLICY_PARAMS = [pytest.param(p, id=_policy_id(p)) for p in POLICIES]
SET_PARAMS = [pytest.param(p, s, id=f"{s.id}-{_policy_id(p)}") for p in POLICIES for s in criteria_sets(p)]
MODULE_PARAMS = [pytest.param(m, id=m.__name__.rsplit(".", 1)[-1]) for m in SET_MODULES]


@cache
def _all_unknown(policy: Policy) -> dict[str, Any]:
    """The assessment of a case of which nothing is known but its id."""
    return dict(assess(parse_case({"case_id": "x"}), policy))


@cache
def _described(policy: Policy) -> dict[str, dict[str, Any]]:
    return {str(d["id"]): d for d in describe(policy)}


def test_every_policy_combination_is_checked() -> None:
    assert len(POLICIES) == len(set(POLICIES)) == 2 * 3 * 2
    assert Policy() in POLICIES


# --- ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", POLICY_PARAMS)
def test_set_ids_are_unique(policy: Policy) -> None:
    ids = [s.id for s in criteria_sets(policy)]
    assert len(ids) == len(set(ids)), ids


@pytest.mark.parametrize("policy", POLICY_PARAMS)
def test_a_policy_changes_rules_not_which_sets_there_are(policy: Policy) -> None:
    assert [s.id for s in criteria_sets(policy)] == [s.id for s in criteria_sets(Policy())]


@pytest.mark.parametrize(("policy", "s"), SET_PARAMS)
def test_item_ids_are_unique(policy: Policy, s: CriteriaSet) -> None:
    ids = [it.id for it in s.items]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize(("policy", "s"), SET_PARAMS)
def test_category_names_are_unique(policy: Policy, s: CriteriaSet) -> None:
    names = [c.name for c in s.categories] + [s.not_met_category]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert "undetermined" not in names  # the category the output gives when the set cannot decide


@pytest.mark.parametrize(("policy", "s"), SET_PARAMS)
def test_definition_names_do_not_clash_with_items(policy: Policy, s: CriteriaSet) -> None:
    names = [it.id for it in s.items] + [name for name, _e in s.defs]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert not {"met", "cat"} & set(names)  # the names ``define`` gives the set and its categories


# --- citations and verification -----------------------------------------------------------------


@pytest.mark.parametrize(("policy", "s"), SET_PARAMS)
def test_every_item_cites_a_findable_source(policy: Policy, s: CriteriaSet) -> None:
    assert s.citation.doi or s.citation.pmid or s.citation.url, s.citation.key
    unfindable = [it.id for it in s.items if not (it.citation.doi or it.citation.pmid or it.citation.url)]
    assert not unfindable, f"items citing a source without a DOI, PMID or URL: {unfindable}"


@pytest.mark.parametrize(("policy", "s"), SET_PARAMS)
def test_verification_tags_come_from_the_vocabulary(policy: Policy, s: CriteriaSet) -> None:
    assert s.verification in VERIFICATION
    unknown = {it.id: it.verification for it in s.items if it.verification not in VERIFICATION}
    assert not unknown, f"tags outside {sorted(VERIFICATION)}: {unknown}"


@pytest.mark.parametrize(("policy", "s"), SET_PARAMS)
def test_unverified_items_say_so_where_described(policy: Policy, s: CriteriaSet) -> None:
    described = {d["id"]: d for d in _described(policy)[s.id]["items"]}
    assert list(described) == [it.id for it in s.items]
    for it in s.items:
        assert (described[it.id]["verification"], described[it.id]["unverified"]) == (it.verification,
                                                                                      it.verification == "R"), it.id


@pytest.mark.parametrize(("policy", "s"), SET_PARAMS)
def test_unverified_items_say_so_where_assessed(policy: Policy, s: CriteriaSet) -> None:
    assessed = {d["id"]: d for d in _all_unknown(policy)["criteria"][s.id]["items"]}
    assert list(assessed) == [it.id for it in s.items]
    for it in s.items:
        assert (assessed[it.id]["verification"], assessed[it.id]["unverified"]) == (it.verification,
                                                                                    it.verification == "R"), it.id


# --- behaviour ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("policy", "s"), SET_PARAMS)
def test_a_case_of_unknowns_is_undetermined(policy: Policy, s: CriteriaSet) -> None:
    out = _all_unknown(policy)["criteria"][s.id]
    assert (out["status"], out["category"]) == ("undetermined", "undetermined")


@pytest.mark.parametrize(("policy", "s"), SET_PARAMS)
def test_describe_serialises_as_json(policy: Policy, s: CriteriaSet) -> None:
    d = _described(policy)[s.id]
    assert json.loads(json.dumps(d, allow_nan=False)) == d


# --- one name per set: id, module, citation constant, test file -----------------------------------


def test_every_set_module_is_registered() -> None:
    found = {m.name for m in pkgutil.iter_modules(myoclass.criteria.__path__)} - NOT_SETS
    assert found == {m.__name__.rsplit(".", 1)[-1] for m in SET_MODULES}


@pytest.mark.parametrize("policy", POLICY_PARAMS)
@pytest.mark.parametrize("module", MODULE_PARAMS)
def test_module_builds_the_set_named_after_it(module: ModuleType, policy: Policy) -> None:
    name = module.__name__.rsplit(".", 1)[-1]
    assert callable(getattr(module, "build", None)), f"{name} has no build(policy)"
    built = module.build(policy)
    assert isinstance(built, CriteriaSet)
    assert built.id == module.ID == name
    assert built.version == module.VERSION
    assert built.id in [s.id for s in criteria_sets(policy)]


@pytest.mark.parametrize("module", MODULE_PARAMS)
def test_citation_constant_and_test_file_follow_the_set_id(module: ModuleType) -> None:
    set_id = module.ID
    assert importlib.import_module(f"myoclass.criteria.{set_id}") is module
    assert getattr(citations, set_id.upper(), None) is module.build(Policy()).citation, \
        f"the set's citation is not myoclass.criteria.citations.{set_id.upper()}"
    assert (TESTS / f"test_{set_id}.py").is_file(), f"tests/test_{set_id}.py is missing"
