"""A tiny three-valued (Kleene) rule algebra, evaluated per case and over columns.

Every criterion in :mod:`myoclass.criteria` is written once, as an expression in this
algebra. The same expression tree is

* compiled to one plain Python function for per-case evaluation (:func:`compile_program`),
* walked by :func:`pick_unknown` to find a finding that a still-open rule depends on, and
* evaluable over Arrow columns (the columnar evaluator maps each node to the matching
  ``pyarrow.compute`` kernel; see :mod:`myoclass.batch` when installed).

Truth values are small integers so that Kleene logic is arithmetic::

    FALSE = 0, UNKNOWN = 1, TRUE = 2
    and = min,  or = max,  not x = 2 - x

Categorical findings (age band, CK band, onset tempo, ...) are bit masks of the values still
possible: a known value has one bit set, an unknown one has every bit of its domain set.
Boolean findings hold 0, 1 or 2 directly.

Weighted sums are carried as integer tenths (EULAR/ACR weights have one decimal) so that a
sum of 7.7 is exactly 77 and cut-offs compare without rounding error. A sum evaluates to an
interval ``(lo, hi)``: ``lo`` counts what is known present, ``hi`` adds every item that could
still be present.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

FALSE, UNKNOWN, TRUE = 0, 1, 2

__all__ = [
    "FALSE",
    "TRUE",
    "UNKNOWN",
    "All",
    "Any_",
    "AtLeast",
    "Cat",
    "CatWeight",
    "Const",
    "CountIn",
    "Expr",
    "If",
    "LocalsEnv",
    "Not",
    "Program",
    "Ref",
    "ScoreAtLeast",
    "Sum",
    "Term",
    "Var",
    "compile_program",
    "compile_rules",
    "pick_unknown",
]


class Expr:
    """Base class of every node. Subclasses are frozen dataclasses."""

    def children(self) -> Sequence[Expr]:
        return ()

    def refs(self) -> set[str]:
        out: set[str] = set()
        for c in self.children():
            out |= c.refs()
        return out

    def vars(self, defs: Mapping[str, Expr]) -> set[str]:
        out: set[str] = set()
        for c in self.children():
            out |= c.vars(defs)
        return out

    # code generation: returns a Python expression string
    def emit(self, g: _Gen) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    # interpretation (slow path, used only to pick a finding to branch on)
    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        raise NotImplementedError  # pragma: no cover - abstract


@dataclass(frozen=True)
class Const(Expr):
    v: int

    def emit(self, g: _Gen) -> str:
        return str(self.v)

    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        return self.v


@dataclass(frozen=True)
class Var(Expr):
    """A boolean finding of the flat case: 0 absent, 1 unknown, 2 present."""

    name: str

    def vars(self, defs: Mapping[str, Expr]) -> set[str]:
        return {self.name}

    def emit(self, g: _Gen) -> str:
        return g.var(self.name)

    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        return s[self.name]


@dataclass(frozen=True)
class Cat(Expr):
    """True when a categorical finding's value is in ``mask`` (a bit mask of its domain)."""

    name: str
    mask: int

    def vars(self, defs: Mapping[str, Expr]) -> set[str]:
        return {self.name}

    def emit(self, g: _Gen) -> str:
        m = g.var(self.name)
        inv = f"({m} & {~self.mask})"
        return f"(2 if not {inv} else (0 if not ({m} & {self.mask}) else 1))"

    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        m = s[self.name]
        if not (m & ~self.mask):
            return TRUE
        if not (m & self.mask):
            return FALSE
        return UNKNOWN


@dataclass(frozen=True)
class Ref(Expr):
    """A named definition of the program (computed once per evaluation)."""

    name: str

    def refs(self) -> set[str]:
        return {self.name}

    def vars(self, defs: Mapping[str, Expr]) -> set[str]:
        return defs[self.name].vars(defs)

    def emit(self, g: _Gen) -> str:
        return g.ref(self.name)

    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        try:
            return env[self.name]
        except KeyError:
            v = env[self.name] = defs[self.name].value(s, env, defs)
            return v


@dataclass(frozen=True)
class Not(Expr):
    x: Expr

    def children(self) -> Sequence[Expr]:
        return (self.x,)

    def emit(self, g: _Gen) -> str:
        return f"(2 - {self.x.emit(g)})"

    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        return 2 - self.x.value(s, env, defs)


@dataclass(frozen=True)
class _Fold(Expr):
    """Kleene conjunction (``min``) or disjunction (``max``) of its items."""

    xs: tuple[Expr, ...]
    _fold: ClassVar[str] = ""

    def children(self) -> Sequence[Expr]:
        return self.xs

    def emit(self, g: _Gen) -> str:
        if len(self.xs) == 1:
            return self.xs[0].emit(g)
        if len(self.xs) == 2:  # a conditional expression is cheaper than a call for two operands
            a, b = (g.tmp(x.emit(g)) for x in self.xs)
            op = "<" if self._fold == "min" else ">"
            return f"({a} if {a} {op} {b} else {b})"
        return f"{self._fold}(" + ", ".join(x.emit(g) for x in self.xs) + ")"

    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        vals = (x.value(s, env, defs) for x in self.xs)
        return min(vals) if self._fold == "min" else max(vals)


@dataclass(frozen=True)
class All(_Fold):
    _fold: ClassVar[str] = "min"


@dataclass(frozen=True)
class Any_(_Fold):
    _fold: ClassVar[str] = "max"


def _count_in(t: int, p: int, lo: int, hi: int) -> int:
    """Kleene value of "the number of true items lies in [lo, hi]".

    ``t`` items are known true and ``p`` could be true (known true plus unknown).
    """
    if t >= lo and p <= hi:
        return TRUE
    if p < lo or t > hi:
        return FALSE
    return UNKNOWN


@dataclass(frozen=True)
class CountIn(Expr):
    """True when the number of true items lies between ``lo`` and ``hi`` inclusive."""

    lo: int
    hi: int
    xs: tuple[Expr, ...]

    def children(self) -> Sequence[Expr]:
        return self.xs

    def emit(self, g: _Gen) -> str:
        names = [g.tmp(x.emit(g)) for x in self.xs]
        t = "+".join(f"({n} == 2)" for n in names)
        p = "+".join(f"({n} > 0)" for n in names)
        return f"_count_in({t}, {p}, {self.lo}, {self.hi})"

    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        vals = [x.value(s, env, defs) for x in self.xs]
        return _count_in(sum(v == TRUE for v in vals), sum(v > 0 for v in vals), self.lo, self.hi)


def AtLeast(k: int, *xs: Expr) -> CountIn:
    return CountIn(k, len(xs), tuple(xs))


@dataclass(frozen=True)
class Term:
    """One additive item: ``weight`` tenths when ``x`` is true."""

    x: Expr
    weight: int


@dataclass(frozen=True)
class CatWeight:
    """Weight (tenths) that depends on a categorical finding's value: ``{bit: weight}``."""

    name: str
    weights: tuple[tuple[int, int], ...]  # (value bit, weight tenths); other values score 0


@dataclass(frozen=True)
class Sum(Expr):
    """Additive score; evaluates to the interval ``(lo, hi)`` in tenths."""

    terms: tuple[Term | CatWeight, ...]

    def children(self) -> Sequence[Expr]:
        return tuple(t.x for t in self.terms if isinstance(t, Term))

    def vars(self, defs: Mapping[str, Expr]) -> set[str]:
        out = super().vars(defs)
        out |= {t.name for t in self.terms if isinstance(t, CatWeight)}
        return out

    def emit(self, g: _Gen) -> str:
        lo: list[str] = []
        hi: list[str] = []
        for t in self.terms:
            if isinstance(t, Term):
                n = g.tmp(t.x.emit(g))
                lo.append(f"({t.weight} if {n} == 2 else 0)")
                hi.append(f"({t.weight} if {n} else 0)")
            else:
                m = g.var(t.name)
                # categorical domains have at most 8 values: one lookup table per bound
                table_lo = tuple(cat_lo(mask, t.weights) if mask else 0 for mask in range(256))
                table_hi = tuple(cat_hi(mask, t.weights) if mask else 0 for mask in range(256))
                lo.append(f"{table_lo!r}[{m}]")
                hi.append(f"{table_hi!r}[{m}]")
        return f"(({' + '.join(lo) or '0'}), ({' + '.join(hi) or '0'}))"

    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        lo = hi = 0
        for t in self.terms:
            if isinstance(t, Term):
                v = t.x.value(s, env, defs)
                lo += t.weight if v == TRUE else 0
                hi += t.weight if v else 0
            else:
                lo += cat_lo(s[t.name], t.weights)
                hi += cat_hi(s[t.name], t.weights)
        return (lo, hi)


def _cat_weights(mask: int, weights: tuple[tuple[int, int], ...]) -> list[int]:
    out = []
    bit = 1
    while bit <= mask:
        if mask & bit:
            out.append(next((w for b, w in weights if b == bit), 0))
        bit <<= 1
    return out


def cat_lo(mask: int, weights: tuple[tuple[int, int], ...]) -> int:
    return min(_cat_weights(mask, weights))


def cat_hi(mask: int, weights: tuple[tuple[int, int], ...]) -> int:
    return max(_cat_weights(mask, weights))


@dataclass(frozen=True)
class ScoreAtLeast(Expr):
    """True when the sum named ``score`` (a :class:`Ref` to a :class:`Sum`) is ≥ ``cut`` tenths."""

    score: Ref
    cut: int

    def children(self) -> Sequence[Expr]:
        return (self.score,)

    def emit(self, g: _Gen) -> str:
        r = self.score.emit(g)
        return f"(2 if {r}[0] >= {self.cut} else (0 if {r}[1] < {self.cut} else 1))"

    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        lo, hi = self.score.value(s, env, defs)
        return TRUE if lo >= self.cut else (FALSE if hi < self.cut else UNKNOWN)


@dataclass(frozen=True)
class If(Expr):
    """Kleene branch: ``a`` when ``c`` is true, ``b`` when false, their agreement if unknown."""

    c: Expr
    a: Expr
    b: Expr

    def children(self) -> Sequence[Expr]:
        return (self.c, self.a, self.b)

    def emit(self, g: _Gen) -> str:
        c, a, b = (g.tmp(x.emit(g)) for x in (self.c, self.a, self.b))
        return f"({a} if {c} == 2 else ({b} if {c} == 0 else ({a} if {a} == {b} else 1)))"

    def value(self, s: Mapping[str, int], env: dict[str, Any], defs: Mapping[str, Expr]) -> Any:
        c = self.c.value(s, env, defs)
        a = self.a.value(s, env, defs)
        b = self.b.value(s, env, defs)
        if c == TRUE:
            return a
        if c == FALSE:
            return b
        return a if a == b else UNKNOWN


# ---------------------------------------------------------------------------------------
# Programs and code generation
# ---------------------------------------------------------------------------------------


@dataclass
class Program:
    """An ordered set of named definitions. Later definitions may :class:`Ref` earlier ones."""

    defs: dict[str, Expr] = field(default_factory=dict)

    def define(self, name: str, expr: Expr) -> Ref:
        if name in self.defs:
            raise ValueError(f"duplicate definition {name!r}")
        for r in expr.refs():
            if r not in self.defs:
                raise ValueError(f"{name!r} refers to undefined {r!r}")
        self.defs[name] = expr
        return Ref(name)

    def vars_of(self, name: str) -> set[str]:
        return self.defs[name].vars(self.defs)


class _Gen:
    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.lines: list[str] = []
        self.var_names: dict[str, str] = {}
        self.ref_names: dict[str, str] = {}
        self._n = 0

    def var(self, name: str) -> str:
        if name not in self.var_names:
            self.var_names[name] = f"v{len(self.var_names)}"
        return self.var_names[name]

    def tmp(self, code: str) -> str:
        if code.isidentifier() or code.isdigit():
            return code
        self._n += 1
        n = f"t{self._n}"
        self.lines.append(f"    {n} = {code}")
        return n

    def ref(self, name: str) -> str:
        if name not in self.ref_names:
            code = self.prog.defs[name].emit(self)
            local = f"d{len(self.ref_names)}"
            self.lines.append(f"    {local} = {code}")
            self.ref_names[name] = local
        return self.ref_names[name]


_RUNTIME: dict[str, Any] = {"_count_in": _count_in, "cat_lo": cat_lo, "cat_hi": cat_hi}


def compile_program(
    prog: Program, outputs: Iterable[str], fn_name: str = "evaluate"
) -> Callable[[Mapping[str, int]], dict[str, Any]]:
    """Compile the named definitions into one function ``state -> {name: value}``."""
    g = _Gen(prog)
    outs = list(outputs)
    body_refs = [g.ref(n) for n in outs]
    ret = "{" + ", ".join(f"{n!r}: {r}" for n, r in zip(outs, body_refs, strict=True)) + "}"
    return _finish(g, fn_name, [f"    return {ret}"])


def compile_rules(
    prog: Program, rules: Sequence[str], fn_name: str = "rules"
) -> Callable[[Mapping[str, int]], tuple[int, int, dict[str, Any] | None]]:
    """Compile an ordered precedence list of rule definitions.

    The function returns ``(mask, first_open)``: bit *i* of ``mask`` is set when rule *i*
    could be the first rule that holds (every earlier rule could be false and rule *i* could
    be true); bit ``len(rules)`` stands for "no rule holds". ``first_open`` is the index of the
    first rule whose value is unknown, or -1. Definitions are computed lazily, so a case that a
    high-precedence rule settles does not pay for the others.
    """
    g = _Gen(prog)
    tail: list[str] = ["    m = 0", "    fo = -1"]
    lines_before = g.lines
    # Emit each rule's definitions right before its test.
    chunks: list[list[str]] = []
    for i, name in enumerate(rules):
        g.lines = []
        r = g.ref(name)
        code = [*g.lines]
        code += [
            f"    if {r}:",
            f"        m |= {1 << i}",
            f"        if {r} == 2:",
            "            return m, fo, (locals() if fo >= 0 else None)",
            "        if fo < 0:",
            f"            fo = {i}",
        ]
        chunks.append(code)
    g.lines = lines_before
    body = tail + [ln for c in chunks for ln in c]
    body += [f"    return m | {1 << len(rules)}, fo, (locals() if fo >= 0 else None)"]
    fn = _finish(g, fn_name, body)
    fn.refmap = dict(g.ref_names)  # type: ignore[attr-defined]
    return fn


def _finish(g: _Gen, fn_name: str, body: list[str]) -> Callable[..., Any]:
    head = [f"def {fn_name}(s):"]
    head += [f"    {local} = s[{name!r}]" for name, local in g.var_names.items()]
    src = "\n".join(head + g.lines + body) + "\n"
    ns: dict[str, Any] = dict(_RUNTIME)
    exec(compile(src, f"<myoclass:{fn_name}>", "exec"), ns)
    fn = ns[fn_name]
    fn.__source__ = src
    return fn  # type: ignore[no-any-return]


class LocalsEnv(dict[str, Any]):
    """Definition values read lazily from the locals of a compiled rules function."""

    def __init__(self, local_values: Mapping[str, Any], refmap: Mapping[str, str]) -> None:
        super().__init__()
        self._locals = local_values
        self._refmap = refmap

    def __missing__(self, key: str) -> Any:
        local = self._refmap.get(key)
        if local is None or local not in self._locals:
            raise KeyError(key)
        v = self[key] = self._locals[local]
        return v


def pick_unknown(
    expr: Expr, s: Mapping[str, int], defs: Mapping[str, Expr], env: dict[str, Any] | None = None
) -> str | None:
    """Return a finding that the (unknown-valued) ``expr`` genuinely depends on.

    The walk follows only sub-expressions whose value is unknown, so the finding returned is
    one whose value can change the result; branching on it never wastes a split. ``env`` may
    carry the values of named definitions already computed for ``s``.
    """
    env = {} if env is None else env

    def walk(e: Expr) -> str | None:
        if isinstance(e, Var):
            return e.name if s[e.name] == UNKNOWN else None
        if isinstance(e, Cat):
            return e.name if e.value(s, env, defs) == UNKNOWN else None
        if isinstance(e, Ref):
            return walk(defs[e.name])
        if isinstance(e, If):
            c = e.c.value(s, env, defs)
            if c == UNKNOWN:
                return walk(e.c)
            return walk(e.a if c == TRUE else e.b)
        if isinstance(e, ScoreAtLeast):
            return walk(e.score)
        if isinstance(e, Sum):
            for t in e.terms:
                if isinstance(t, Term):
                    if t.x.value(s, env, defs) == UNKNOWN:
                        return walk(t.x)
                elif cat_lo(s[t.name], t.weights) != cat_hi(s[t.name], t.weights):
                    return t.name
            return None
        for c in e.children():
            v = c.value(s, env, defs)
            if isinstance(v, tuple) or v == UNKNOWN:
                r = walk(c)
                if r is not None:
                    return r
        return None

    return walk(expr)
