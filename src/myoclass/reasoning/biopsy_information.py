"""The expected information of doing a muscle biopsy, for a case whose biopsy was not done (exact).

A biopsy is an action, not an unknown finding: its value is the expected drop from today's differential
to the differential once the biopsy's 15 items are known, computed exactly over every combination of the
items (grouped where the criteria cannot tell combinations apart, :func:`_restrict_groups`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from myoclass.criteria import Policy
from myoclass.logic.diagram import RootCounter, cached_arrays
from myoclass.reasoning.differential import Differential, _drop, _entropy, compute
from myoclass.reasoning.differential_tables import ModelTables, model_for

__all__ = ["BiopsyInformation", "biopsy_information", "prepare_groups"]


@dataclass
class _ItemGroups:
    """The biopsy item assignments (all 2^15) grouped by the restricted label function they give."""

    starts: np.ndarray  # (G + 1,) offsets into the assignments sorted by group
    lik_t: np.ndarray  # (conditions, 2^items): P(assignment | condition), assignments sorted by group
    liksum: np.ndarray  # (G, conditions): P(group | condition)
    starts64: np.ndarray  # ``starts`` as int64, for the C sums
    counter: RootCounter  # every group's restricted label function, side by side in one node table
    roots: np.ndarray  # (G, labels): each group's label roots in ``counter``'s table (column j of its counts)


def _restrict_groups(md: ModelTables) -> _ItemGroups:
    """The biopsy item assignments the label function tells apart, and every assignment's probability.

    Two assignments of the 15 items are in one group when the label function restricted to each is the
    same function of the other findings (:func:`_group_codes`). The items are independent given the
    condition (the model's ``BOOLEAN`` entries, clipped as the model is).
    """
    g = _group_codes_cached(md.dg.table, [int(x) for x in md.it_l])
    codes, starts = g.codes, g.starts
    n_items = len(md.it_l)
    bits = (codes[:, None] >> np.arange(n_items)) & 1  # (assignment, item)
    p = md.it_p  # (condition, item)
    lik = np.ones((len(codes), md.nc))
    for j in range(n_items):
        lik *= np.where(bits[:, j:j + 1] == 1, p[None, :, j], 1.0 - p[None, :, j])
    liksum = np.add.reduceat(lik, starts[:-1], axis=0)
    nlab = len(md.dg.labels)
    distinct, col = np.unique(g.roots[:, :nlab], return_inverse=True)
    counter = RootCounter(md.dg, g.level, g.lo, g.hi, distinct)
    return _ItemGroups(starts, np.ascontiguousarray(lik.T), np.ascontiguousarray(liksum), starts.astype(np.int64),
                       counter, col.reshape(g.roots.shape[0], nlab))


@dataclass
class _Grouping:
    codes: np.ndarray  # every assignment (bit j = item j present), sorted by group
    starts: np.ndarray  # (G + 1,) the groups' offsets
    level: np.ndarray  # the groups' restricted functions in one reduced node table, in level order
    lo: np.ndarray
    hi: np.ndarray
    roots: np.ndarray  # (G, roots of the diagram): each group's restriction of every root


def _group_codes_cached(t: Any, item_levels: list[int]) -> _Grouping:
    """:func:`_group_codes`, kept on disk beside the diagram's table (:func:`myoclass.logic.diagram.cached_arrays`)
    under a hash of the table and the item levels: the grouping takes about half a second in Python, which
    a one-case ``myoclass assess`` would otherwise pay for every case whose biopsy was not done."""
    h = hashlib.sha256(f"biopsy-groups 2 {item_levels!r}\n".encode())
    for a in (t.level, t.lo, t.hi, t.roots):
        h.update(np.ascontiguousarray(a, dtype=np.int32).tobytes())
    names = ("codes", "starts", "level", "lo", "hi", "roots")

    def read(z: Mapping[str, np.ndarray]) -> _Grouping:
        g = _Grouping(*(np.asarray(z[k], dtype=np.int64 if k == "codes" else np.intp if k == "starts" else np.int32)
                        for k in names))
        if len(g.codes) != 1 << len(item_levels) or g.starts[0] != 0 or g.starts[-1] != len(g.codes):
            raise ValueError("not the biopsy item groups of this table")
        n = len(g.level)
        if (g.roots.shape != (len(g.starts) - 1, len(t.roots)) or len(g.lo) != n or len(g.hi) != n
                or (g.roots >= n).any() or (g.lo >= n).any() or (g.hi >= n).any()):
            raise ValueError("not the biopsy item groups' node table")
        return g

    return cached_arrays(f"biopsy-groups-{h.hexdigest()[:20]}", read, lambda: _group_codes(t, item_levels),
                         lambda g: {k: getattr(g, k) for k in names})


def _group_codes(t: Any, item_levels: list[int]) -> _Grouping:
    """Every assignment of the biopsy items (bit j = item j present), sorted by group, the groups' offsets,
    and the groups' restricted functions in one node table.

    Two assignments are in one group when the label function restricted to each is the same function of
    the other findings (every label's root reduces to the same node of one shared unique table: a reduced
    ordered BDD is canonical). Built item by item, merging equal restrictions, so the diagram work follows
    the number of groups (44 under the default policy), not 2^15. The restrictions share one unique table,
    so the nodes they reach form one reduced table (about twice the diagram's nodes for all 44 groups).
    """
    unique: dict[tuple[int, int, int], int] = {}
    nodes: list[tuple[int, int, int]] = [(int(t.level[0]), 0, 0), (int(t.level[1]), 1, 1)]
    for i in range(2, t.n):  # the table is reduced: its nodes enter the unique table as they are
        key = (int(t.level[i]), int(t.lo[i]), int(t.hi[i]))
        unique[key] = i
        nodes.append(key)

    def mk(lv: int, a: int, b: int) -> int:
        if a == b:
            return a
        key = (lv, a, b)
        x = unique.get(key)
        if x is None:
            x = unique[key] = len(nodes)
            nodes.append(key)
        return x

    def restrict(roots: tuple[int, ...], lv: int, val: int) -> tuple[int, ...]:
        memo: dict[int, int] = {0: 0, 1: 1}

        def go(u: int) -> int:
            got = memo.get(u)
            if got is not None:
                return got
            ulv, a, b = nodes[u]
            if ulv > lv:
                r = u
            elif ulv == lv:
                r = b if val else a
            else:
                r = mk(ulv, go(a), go(b))
            memo[u] = r
            return r

        return tuple(go(r) for r in roots)

    # state: restricted roots -> assignment codes (bit j = item j present)
    states: dict[tuple[int, ...], np.ndarray] = {tuple(int(r) for r in t.roots): np.zeros(1, dtype=np.int64)}
    for j, lv in enumerate(item_levels):
        nxt: dict[tuple[int, ...], list[np.ndarray]] = {}
        for roots, codes in states.items():
            for val in (0, 1):
                nxt.setdefault(restrict(roots, int(lv), val), []).append(codes | (val << j))
        states = {k: np.concatenate(v) for k, v in nxt.items()}
    groups = list(states.values())
    codes = np.concatenate(groups)
    starts = np.concatenate([[0], np.cumsum([len(g) for g in groups])]).astype(np.intp)
    # the nodes the groups' roots reach, renumbered in level order (terminals first, then top to bottom)
    seen: set[int] = set()
    stack = [r for roots in states for r in roots]
    while stack:
        u = stack.pop()
        if u >= 2 and u not in seen:
            seen.add(u)
            stack += nodes[u][1:]
    inner = sorted(seen, key=lambda u: (nodes[u][0], u))
    new = {0: 0, 1: 1, **{u: i + 2 for i, u in enumerate(inner)}}
    order = [0, 1, *inner]
    level = np.array([nodes[u][0] for u in order], dtype=np.int32)
    lo = np.array([new[nodes[u][1]] if u >= 2 else u for u in order], dtype=np.int32)
    hi = np.array([new[nodes[u][2]] if u >= 2 else u for u in order], dtype=np.int32)
    group_roots = np.array([[new[r] for r in rs] for rs in states], dtype=np.int32)
    return _Grouping(codes, starts, level, lo, hi, group_roots)


def prepare_groups(md: ModelTables) -> None:
    """Build the biopsy item groups of ``md`` once (:func:`myoclass.reasoning.differential.prepare`)."""
    _groups_of(md)


def _groups_of(md: ModelTables) -> _ItemGroups:
    got: _ItemGroups | None = getattr(md, "_item_groups", None)
    if got is None:
        got = md._item_groups = _restrict_groups(md)  # type: ignore[attr-defined]
    return got


@dataclass
class BiopsyInformation:
    """What doing a muscle biopsy (``biopsy_performed`` known false) is expected to tell, in bits.

    ``information`` is I(L'; V): the mutual information between the biopsy findings V (all items,
    drawn from the model given the condition) and the label L' the criteria will give once a biopsy
    is done, i.e. the expected drop in the entropy of the biopsied case's differential from learning
    the findings. The biopsied case is the known findings with ``biopsy_performed`` true and the items
    unknown, so its differential is the one myoclass will show once the biopsy is recorded as done
    (P(biopsy | condition) weighs in). Computed exactly over all 2^15 item assignments: one weighted
    count per group of assignments the label function tells apart (``groups``, 44 under the default
    policy; :func:`_restrict_groups`) and branch, then each assignment's own posterior; ``exact`` is
    False only when the biopsied case's differential itself was bounded (see :func:`compute`).
    ``entropy_after`` is H(L'), ``entropy_now`` the entropy of the case's differential as it stands.

    ``expected_drop`` = ``entropy_now`` − H(L' | V) is what a next test's ``expected_information``
    means for every other finding: the expected drop in the entropy of the differential the clinician
    sees, from now to after the result. For a biopsy it can be negative: the biopsied case's criteria
    can give labels the unbiopsied one cannot, so a case that is nearly settled without a biopsy (e.g.
    anti-HMGCR IMNM by its antibody) may be expected to be less settled with one until the antibody is
    known. :attr:`expected_information` is that drop, never below 0.
    """

    information: float
    entropy_after: float
    entropy_now: float
    groups: int
    exact: bool
    #: the biopsied case's differential (``biopsy_performed`` true, its items unknown), per label in
    #: :data:`~myoclass.reasoning.engine.LABELS` order: what myoclass will show once the biopsy is recorded as done
    p_after: np.ndarray | None = None

    @property
    def expected_drop(self) -> float:
        return self.entropy_now - (self.entropy_after - self.information)

    @property
    def expected_information(self) -> float:
        return _drop(self.entropy_now, self.entropy_after - self.information)


def biopsy_information(shown: Mapping[str, int] | bytes, reading: str = "clinic", policy: Policy = Policy(),
                       values: Mapping[str, Any] | None = None,
                       now: Differential | None = None, age_now: float | None = None,
                       first_year: bool = False, sex: str | None = None) -> BiopsyInformation:
    """The expected information of doing a biopsy for a case whose biopsy was not done (exact).

    P(L', v) = sum over the biopsied case's branches k (condition d_k, posterior mass m_k) of
    m_k P(v | d_k) P(L' | branch k, items = v), where the last factor is the same for every v of one
    group g (every group's count from one pass per branch over the groups' shared table, :class:`RootCounter`); then
    I(L'; V) = H(L') - sum_v P(v) H(L' | v). ``now`` (the case's own differential) saves
    its recomputation; ``age_now``, ``first_year`` and ``sex`` are the case's, as :func:`~myoclass.reasoning.differential.compute`
    takes them.
    """
    base = model_for(policy)
    packed = shown if isinstance(shown, bytes) else base.dg.engine.pack(shown)
    if now is None:
        now = compute(packed, reading, policy, derivatives=False, values=values, age_now=age_now,
                      first_year=first_year, sex=sex)
    s = bytearray(packed)
    s[base.bp_f] = 2
    for f in base.it_f:
        s[int(f)] = 1
    cf = compute(bytes(s), reading, policy, derivatives=False, values=values, age_now=age_now,
                 first_year=first_year, sex=sex)
    md, Q, mass, cond = cf._model, cf._q, cf._mass, cf._cond
    assert md is not None and Q is not None and mass is not None and cond is not None
    ig = _groups_of(md)
    G, k = len(ig.starts) - 1, Q.shape[0]
    state = bytes(s) + (b"\x01" if md.grouped else b"")
    # P(L' | branch, group): every group's restricted label function in one pass per branch
    pl = ig.counter.counts(state, Q)[:, ig.roots].transpose(1, 0, 2).reshape(G * k, -1)
    if md.grouped:
        z = pl.sum(axis=1, keepdims=True)
        pl = np.divide(pl, z, out=np.zeros_like(pl), where=z > 0)
    # per group and condition: sum over the condition's branches of mass x P(L' | branch, group)
    onehot = np.zeros((k, md.nc))
    onehot[np.arange(k), cond] = mass
    PLd = np.matmul(onehot.T, pl.reshape(G, k, -1))  # (G, conditions, labels)
    c = md.c if md.c is not None else base.c  # the kernel (an ungrouped model has no C differential of its own)
    if c is not None:  # the same sums in C, over the conditions and labels with mass in each group
        p_after = np.empty(pl.shape[1])
        h_cond = c[0].dd_items_entropy(G, ig.starts64.ctypes.data, ig.lik_t.ctypes.data, ig.liksum.ctypes.data, md.nc,
                                          np.ascontiguousarray(PLd).ctypes.data, pl.shape[1], p_after.ctypes.data)
        info = _drop(_entropy(p_after), h_cond)
        return BiopsyInformation(info, cf.entropy, now.entropy, G, cf.exact, cf.p_label)
    P = np.empty((ig.lik_t.shape[1], pl.shape[1]))  # P(L', assignment) = sum_d P(assignment | d) PLd[g, d]
    for g in range(G):
        a, b = ig.starts[g], ig.starts[g + 1]
        np.matmul(ig.lik_t[:, a:b].T, PLd[g], out=P[a:b])
    tot = P.sum(axis=1)
    # H(L' | V) = sum_v P(v) H(L' | v) = -sum P log P + sum_v P(v) log P(v)
    tiny = np.finfo(np.float64).tiny
    h_cond = float(-(P * np.log2(np.maximum(P, tiny))).sum() + (tot * np.log2(np.maximum(tot, tiny))).sum())
    info = _drop(_entropy(P.sum(axis=0)), h_cond)
    return BiopsyInformation(info, cf.entropy, now.entropy, G, cf.exact, cf.p_label)
