"""The exported members (issue 11): ``myoclass.__all__`` is frozen here, so adding or removing a
public name is a conscious change, and every module's ``__all__`` names only what the module has,
once, in the order ruff's RUF022 keeps it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

import myoclass

ROOT = Path(myoclass.__file__).resolve().parent

#: the public names of the package; change this list together with ``myoclass/__init__.py``
PUBLIC = [
    "Busy",
    "Case",
    "InvalidCase",
    "InvalidJSON",
    "InvalidMeasure",
    "MyoclassError",
    "Policy",
    "TooDeep",
    "UnknownColumn",
    "UnsafeOutput",
    "__version__",
    "assess",
    "assess_case",
    "criteria_sets",
    "parse_case",
]


def _module_names() -> list[str]:
    """Every module of the package, found by its file (``myoclass.web`` has no ``__init__.py``)."""
    names = []
    for f in sorted(ROOT.rglob("*.py")):
        parts = f.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(("myoclass", *parts)))
    return names


MODULES = _module_names()


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:  # an optional dependency (the web or batch extras) is missing
        if e.name and e.name.split(".")[0] == "myoclass":
            raise
        pytest.skip(f"{name} needs {e.name}")


def _natural(s: str) -> list[tuple[int, int | str]]:
    """Natural order (digit runs by value), as ruff's ``natord`` orders identifiers."""
    return [(0, int(run)) if run.isdigit() else (1, run) for run in re.findall(r"\d+|\D+", s)]


def ruff_sort_key(name: str) -> tuple[int, list[tuple[int, int | str]]]:
    """RUF022's isort-style order: SCREAMING_SNAKE_CASE, then CamelCase, then anything else,
    each in natural order."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, _natural(name)


def test_the_sort_key_orders_as_ruff_does() -> None:
    # as ruff orders these names in src/ (``ruff check --select RUF022`` passes there)
    assert sorted(["assess", "Policy", "VERIFICATION", "A", "_private", "__version__", "SET_MODULES"],
                  key=ruff_sort_key) == ["SET_MODULES", "VERIFICATION", "A", "Policy", "__version__", "_private",
                                         "assess"]
    assert sorted(["x10", "x9", "X_2", "X_10"], key=ruff_sort_key) == ["X_2", "X_10", "x9", "x10"]


def test_the_public_names_are_frozen() -> None:
    assert list(myoclass.__all__) == PUBLIC


def test_every_public_name_exists() -> None:
    missing = [n for n in myoclass.__all__ if not hasattr(myoclass, n)]
    assert not missing


def test_the_walk_finds_the_modules() -> None:
    assert {"myoclass", "myoclass.criteria", "myoclass.criteria.api", "myoclass.web.app"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_all_names_existing_attributes_once_in_ruff_order(name: str) -> None:
    module = _import(name)
    if not hasattr(module, "__all__"):
        return
    names = list(module.__all__)
    assert all(isinstance(n, str) for n in names)
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    missing = [n for n in names if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what the module does not have: {missing}"
    assert names == sorted(names, key=ruff_sort_key), f"{name}.__all__ is not in RUF022 order"
