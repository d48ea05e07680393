"""Which labels can some completion of the unknown findings give? The split search over a rule program.

:class:`RuleSearch` splits a state on unknown variables, depth first. Each split is on a variable
that an open rule genuinely depends on (:func:`~myoclass.logic.kleene.pick_unknown`); a branch whose
Kleene value leaves a single rule is a *witness*: that rule holds for every completion inside it
(Kleene evaluation is sound). Branches that cannot add a new rule are pruned, so the rules found are
exactly those some completion gives, without enumerating completions. :meth:`RuleSearch.analyse` then
uses the witnesses to find which variables decide. Past node budgets the results stay sound and are
flagged as inexact. With a native search (:mod:`myoclass.logic.native`) the same algorithm runs in
C; the Python search is the reference, and a test holds the two equal.

States are mappings from variable name to value (booleans 0/1/2 for false/unknown/true; categorical
variables as bit masks of the values still possible), or those values packed as bytes in
``var_names`` order. Rule ``i`` of the program's ``rule_names`` is bit ``i`` of a result; bit
``len(rule_names)`` stands for "no rule holds".
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any

from myoclass.logic.kleene import Expr, LocalsEnv, Program, compile_rules, pick_unknown
from myoclass.logic.native import NativeSearch

__all__ = ["MAIN_BUDGET", "SEARCH_BUDGET", "TEST_BUDGET", "RuleSearch"]


class RuleSearch:
    """The split search over the rules ``rule_names`` of ``program``, on variables ``var_names``."""

    def __init__(self, program: Program, rule_names: Sequence[str], var_names: Sequence[str],
                 var_bool: Sequence[bool], deciding: Sequence[str], native: NativeSearch | None,
                 labels: Sequence[str]) -> None:
        self.program = program
        #: the name of each result bit: one per rule, then the one for "no rule holds"
        self.labels = tuple(labels)
        if len(self.labels) != len(rule_names) + 1:
            raise ValueError("one label per rule, and one for 'no rule holds'")
        self.rule_names = list(rule_names)
        self.rules_fn = compile_rules(program, self.rule_names, "label_rules")
        self.refmap: dict[str, str] = self.rules_fn.refmap  # type: ignore[attr-defined]
        self.rule_exprs: list[Expr] = [program.defs[n] for n in self.rule_names]
        self.var_names = list(var_names)
        self.var_index = {n: i for i, n in enumerate(self.var_names)}
        self._getter = operator.itemgetter(*self.var_names)
        self._is_bool = list(var_bool)
        self._bool_of = dict(zip(self.var_names, self._is_bool, strict=True))
        #: the variables whose values can decide between rules, by index (the rest are not reported on)
        self.deciding_index = tuple(sorted(self.var_index[n] for n in deciding))
        #: the same search in C, when a compiler is available (None: pure Python)
        self.native = native

    def mask(self, state: Mapping[str, int] | bytes) -> int:
        """Labels the rules leave possible for ``state`` (the sound Kleene over-estimate)."""
        if self.native is not None:
            return self.native.mask(state if isinstance(state, bytes) else self.pack(state))
        return self.rules_fn(state if not isinstance(state, bytes) else self.unpack(state))[0]

    def _split(self, s: dict[str, int], first_open: int, local_values: Mapping[str, Any],
               target: int) -> list[dict[str, int]]:
        """Children of ``s``: one per value of a finding that an open rule depends on.

        The rule of the ``target`` label is split first while it is open (settling whether the
        target can hold at all prunes fastest); otherwise the first open rule.
        """
        env = LocalsEnv(local_values, self.refmap)
        rule = first_open
        if target < len(self.rule_names) and env[self.rule_names[target]] == 1:
            rule = target
        var = pick_unknown(self.rule_exprs[rule], s, self.program.defs, env)
        if var is None:  # pragma: no cover - an unknown Kleene value always has an unknown finding below
            return []
        out = []
        if self._bool_of[var]:
            for v in (0, 2):
                s2 = dict(s)
                s2[var] = v
                out.append(s2)
        else:
            mask = s[var]
            bit = 1
            while bit <= mask:
                if mask & bit:
                    s2 = dict(s)
                    s2[var] = bit
                    out.append(s2)
                bit <<= 1
        return out

    def pack(self, state: Mapping[str, int]) -> bytes:
        """A state as bytes, one per variable in ``var_names`` order (what the native code reads)."""
        return bytes(self._getter(state))

    def unpack(self, packed: bytes) -> dict[str, int]:
        return dict(zip(self.var_names, packed, strict=True))

    def search(self, state: Mapping[str, int] | bytes, found: int = 0, want: int = -1, budget: int = 4000,
               witnesses: dict[int, list[bytes]] | None = None) -> tuple[int, bool, int]:
        """Which labels can some completion of ``state`` give? (labels already ``found`` are skipped)

        Depth-first over unknown findings, each split on a finding that the first open rule (or
        the rule of the first wanted label, while it is open) depends on. A branch whose possible
        labels (a sound Kleene over-estimate) hold nothing new among ``want`` is pruned; a branch
        with a single possible label is a *witness*: every completion of it gives that label.
        Witness states (packed) are stored in ``witnesses`` (label bit -> states). Returns
        ``(found, exact, nodes)``; past ``budget`` nodes the open branches' possible labels are
        added unproven and ``exact`` is False (the result stays sound).
        """
        packed = state if isinstance(state, bytes) else self.pack(state)
        if self.native is not None:
            return self.native.search(packed, found, want, budget, witnesses)
        return self._search_py(self.unpack(packed), found, want, budget, witnesses)

    def analyse(self, packed: bytes) -> tuple[int, bool, bool, list[tuple[int, list[int]]]]:
        """Reachable labels and, per finding that could decide, the labels reachable per value.

        Returns ``(reachable, exact, tests_exact, outcomes)``. ``outcomes`` lists, for each finding
        (by index) that some witness fixes, the reachable labels for each of its still-possible
        values (booleans: true then false; bands: in domain order). A label whose witness leaves a
        finding open stays reachable whatever that finding turns out to be, so only findings that
        some witness fixes can decide; for those, the labels not covered by a compatible witness are
        looked for again with the finding fixed (a search that stops as soon as they are found, and
        that the Kleene over-estimate often settles at once). Past ``TEST_BUDGET`` nodes of such
        searches only the Kleene check is used: a deciding finding may then be missed, never invented.
        """
        if self.native is not None:
            return self.native.analyse(packed, self.deciding_index, MAIN_BUDGET, SEARCH_BUDGET, TEST_BUDGET)
        witnesses: dict[int, list[bytes]] = {}
        reachable, exact, _n = self.search(packed, budget=MAIN_BUDGET, witnesses=witnesses)
        outcomes: list[tuple[int, list[int]]] = []
        tests_exact = True
        if not (reachable & (reachable - 1)):
            return reachable, exact, tests_exact, outcomes
        fixed = sorted({i for states in witnesses.values() for w in states for i in self.deciding_index
                        if w[i] != packed[i]})
        spent = 0
        for i in fixed:
            is_bool = self._is_bool[i]
            x = packed[i]
            values = [2, 0] if is_bool else [1 << b for b in range(8) if x >> b & 1]
            masks = []
            for val in values:
                covered = _covered(witnesses, i, val, is_bool)
                missing = reachable & ~covered
                if missing:
                    s2 = bytearray(packed)
                    s2[i] = val
                    probe = bytes(s2)
                    possible = missing & self.mask(probe)
                    if possible and spent >= TEST_BUDGET:
                        covered |= possible
                        tests_exact = False
                    elif possible:
                        more: dict[int, list[bytes]] = {}
                        covered, ex, nodes = self.search(probe, found=covered, want=possible, witnesses=more,
                                                         budget=min(SEARCH_BUDGET, TEST_BUDGET - spent))
                        spent += nodes
                        tests_exact &= ex
                        for lab, states in more.items():
                            witnesses.setdefault(lab, []).extend(states)
                masks.append(covered & reachable)
            outcomes.append((i, masks))
        return reachable, exact, tests_exact, outcomes

    def _search_py(self, state: dict[str, int], found: int, want: int, budget: int,
                   witnesses: dict[int, list[bytes]] | None) -> tuple[int, bool, int]:
        rules_fn = self.rules_fn
        stack: list[dict[str, int]] = [dict(state)]
        nodes = 0
        exact = True
        while stack:
            s = stack.pop()
            m, first_open, local_values = rules_fn(s)
            nodes += 1
            new = m & want & ~found
            if not new:
                continue
            if local_values is None:  # one label: a witness
                found |= m
                if witnesses is not None:
                    witnesses.setdefault(m, []).append(self.pack(s))
                if not (want & ~found):
                    break
                continue
            if nodes > budget:
                exact = False
                found |= m & want
                continue
            stack.extend(self._split(s, first_open, local_values, (new & -new).bit_length() - 1))
        return found, exact, nodes


#: node budgets: the search for the reachable labels; one re-check with a finding fixed; all re-checks of a case
MAIN_BUDGET = 4000
SEARCH_BUDGET = 200
TEST_BUDGET = 1500


def _covered(witnesses: dict[int, list[bytes]], i: int, value: int, is_bool: bool) -> int:
    """Labels with a witness that admits finding ``i`` == ``value`` (so they stay reachable)."""
    m = 0
    for lab, states in witnesses.items():
        for w in states:
            x = w[i]
            if (x == 1 or x == value) if is_bool else (x & value):
                m |= lab
                break
    return m
