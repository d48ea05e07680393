"""An optional native back end for the label search: the same rule tree, translated to C.

The exact search over unknown findings (:meth:`myoclass.reasoning.engine.Engine.search`)
evaluates the label rules at every node. This module translates the very same expression
tree (no second copy of any criterion) into straight-line C, compiles it once with the
machine's C compiler into a per-user cache, and loads it with :mod:`ctypes`. The search
algorithm, its splitting rule and its budgets are the same as the Python implementation, which
stays the reference and the fallback: when no compiler is available, or ``MYOCLASS_NATIVE=0``,
everything runs in Python with identical results (a test holds the two equal).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from myoclass.logic.kleene import (
    All,
    Any_,
    Cat,
    Const,
    CountIn,
    Expr,
    If,
    Not,
    Ref,
    ScoreAtLeast,
    Sum,
    Term,
    Var,
    cat_hi,
    cat_lo,
)

__all__ = ["CFLAGS", "DDPasses", "NativeSearch", "cache_dir", "compile_cached", "load_native"]

# node kinds of the C node table (used by the pick walk)
_K_CONST, _K_VAR, _K_CAT, _K_NOT, _K_ALL, _K_ANY, _K_COUNT, _K_SUM, _K_SCORE, _K_IF = range(10)
_MAX_WITNESS = 64


class _Builder:
    """Numbers every node reachable from the rules and emits C for it, rule by rule."""

    def __init__(self, defs: Mapping[str, Expr], var_index: Mapping[str, int]) -> None:
        self.defs = defs
        self.var_index = var_index
        self.index: dict[int, int] = {}  # id(expr) -> node index (Refs resolve to their target)
        self.kind: list[int] = []
        self.children: list[list[int]] = []
        self.param: list[int] = []  # var index, const value, or cut
        self.terms: list[list[tuple[int, int, int]]] = []  # sum terms: (kind 0 term/1 cat, child or var, weight/table)
        self.tables: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        self.lines: list[str] = []
        self._keep: list[Expr] = []
        self.sidx: dict[int, int] = {}  # sum node -> slot in lo/hi

    def node(self, e: Expr) -> int:
        while isinstance(e, Ref):
            e = self.defs[e.name]
        key = id(e)
        if key in self.index:
            return self.index[key]
        self._keep.append(e)
        kids: list[int] = []
        terms: list[tuple[int, int, int]] = []
        param = 0
        if isinstance(e, Const):
            kind, param = _K_CONST, e.v
        elif isinstance(e, Var):
            kind, param = _K_VAR, self.var_index[e.name]
        elif isinstance(e, Cat):
            kind, param = _K_CAT, self.var_index[e.name]
        elif isinstance(e, Not):
            kind, kids = _K_NOT, [self.node(e.x)]
        elif isinstance(e, All):
            kind, kids = _K_ALL, [self.node(x) for x in e.xs]
        elif isinstance(e, Any_):
            kind, kids = _K_ANY, [self.node(x) for x in e.xs]
        elif isinstance(e, CountIn):
            kind, kids = _K_COUNT, [self.node(x) for x in e.xs]
        elif isinstance(e, Sum):
            kind = _K_SUM
            for t in e.terms:
                if isinstance(t, Term):
                    terms.append((0, self.node(t.x), t.weight))
                else:
                    lo = tuple(cat_lo(m, t.weights) if m else 0 for m in range(256))
                    hi = tuple(cat_hi(m, t.weights) if m else 0 for m in range(256))
                    self.tables.append((lo, hi))
                    terms.append((1, self.var_index[t.name], len(self.tables) - 1))
        elif isinstance(e, ScoreAtLeast):
            kind, kids, param = _K_SCORE, [self.node(e.score)], e.cut
        elif isinstance(e, If):
            kind, kids = _K_IF, [self.node(e.c), self.node(e.a), self.node(e.b)]
        else:  # pragma: no cover - every node kind is listed above
            raise TypeError(type(e).__name__)
        i = len(self.kind)
        if kind == _K_SUM:
            self.sidx[i] = len(self.sidx)
        self.index[key] = i
        self.kind.append(kind)
        self.children.append(kids)
        self.param.append(param)
        self.terms.append(terms)
        self.lines.append(self._code(i, e))
        return i

    def _code(self, i: int, e: Expr) -> str:
        k, kids, p = self.kind[i], self.children[i], self.param[i]
        if k == _K_CONST:
            return f"v[{i}]={p};"
        if k == _K_VAR:
            return f"v[{i}]=s[{p}];"
        if k == _K_CAT:
            assert isinstance(e, Cat)
            mask = e.mask & 0xFF
            return f"{{int m=s[{p}];v[{i}]=!(m&{~mask & 0xFF})?2:(!(m&{mask})?0:1);}}"
        if k == _K_NOT:
            return f"v[{i}]=2-v[{kids[0]}];"
        if k in (_K_ALL, _K_ANY):
            op = "<" if k == _K_ALL else ">"
            body = "".join(f"if(v[{c}]{op}t)t=v[{c}];" for c in kids[1:])
            return f"{{int t=v[{kids[0]}];{body}v[{i}]=t;}}"
        if k == _K_COUNT:
            assert isinstance(e, CountIn)
            tt = "+".join(f"(v[{c}]==2)" for c in kids)
            pp = "+".join(f"(v[{c}]>0)" for c in kids)
            return (f"{{int t={tt},p={pp};v[{i}]=(t>={e.lo}&&p<={e.hi})?2:((p<{e.lo}||t>{e.hi})?0:1);}}")
        if k == _K_SUM:
            lo, hi = [], []
            for tk, x, w in self.terms[i]:
                if tk == 0:
                    lo.append(f"(v[{x}]==2?{w}:0)")
                    hi.append(f"(v[{x}]?{w}:0)")
                else:
                    lo.append(f"CL{w}[s[{x}]]")
                    hi.append(f"CH{w}[s[{x}]]")
            j = self.sidx[i]
            return f"lo[{j}]={'+'.join(lo) or '0'};hi[{j}]={'+'.join(hi) or '0'};"
        if k == _K_SCORE:
            c = self.sidx[kids[0]]
            return f"v[{i}]=lo[{c}]>={p}?2:(hi[{c}]<{p}?0:1);"
        c, a, b = kids
        return f"v[{i}]=v[{c}]==2?v[{a}]:(v[{c}]==0?v[{b}]:(v[{a}]==v[{b}]?v[{a}]:1));"


def c_source(defs: Mapping[str, Expr], rules: Sequence[str], var_index: Mapping[str, int],
             var_bool: Sequence[bool]) -> tuple[str, int]:
    """C source of ``eval`` (lazy, rule by rule), ``pick`` and ``search``; and the node count."""
    b = _Builder(defs, var_index)
    rule_nodes = [b.node(Ref(name)) for name in rules]
    # which findings each node reads, directly or through its children (node order is topological)
    reads: list[set[int]] = []
    for i, kind in enumerate(b.kind):
        r: set[int] = set()
        if kind in (_K_VAR, _K_CAT):
            r.add(b.param[i])
        for c in b.children[i]:
            r |= reads[c]
        for tk, x, _w in b.terms[i]:
            r |= reads[x] if tk == 0 else {x}
        reads.append(r)
    cones = {var: [i for i in range(len(b.kind)) if var in reads[i]] for var in range(len(var_index))}
    nn = len(b.kind)
    nv = len(var_index)
    out = [_C_HEADER, f"#define NN {nn}\n#define NV {nv}\n#define NR {len(rules)}\n"]
    for t, (lo, hi) in enumerate(b.tables):
        out.append(f"static const short CL{t}[256]={{{','.join(map(str, lo))}}};")
        out.append(f"static const short CH{t}[256]={{{','.join(map(str, hi))}}};")
    # node table for the pick walk
    flat_kids: list[int] = []
    kid_start = []
    for kids in b.children:
        kid_start.append(len(flat_kids))
        flat_kids.extend(kids)
    kid_start.append(len(flat_kids))
    flat_terms: list[int] = []
    term_start = []
    for sum_terms in b.terms:
        term_start.append(len(flat_terms) // 3)
        for term in sum_terms:
            flat_terms.extend(term)
    term_start.append(len(flat_terms) // 3)

    def arr(name: str, ctype: str, xs: Sequence[int]) -> str:
        return f"static const {ctype} {name}[{max(1, len(xs))}]={{{','.join(map(str, xs)) or '0'}}};"

    out.append(arr("KIND", "unsigned char", b.kind))
    out.append(arr("PARAM", "int", b.param))
    out.append(arr("KID0", "int", kid_start))
    out.append(arr("KIDS", "int", flat_kids))
    out.append(arr("TERM0", "int", term_start))
    out.append(arr("TERMS", "int", flat_terms))
    out.append(arr("RULE", "int", rule_nodes))
    out.append(arr("VBOOL", "unsigned char", [int(x) for x in var_bool]))
    lohi = ",".join(f"{{CL{t},CH{t}}}" for t in range(len(b.tables)))
    out.append(f"static const short* CT[{max(1, len(b.tables))}][2]={{{lohi or '{0,0}'}}};")
    out.append(f"#define NSUM {max(1, len(b.sidx))}\n")
    sig = "(const unsigned char*s,signed char*v,short*lo,short*hi)"
    out.append(f"static void eval_all{sig}{{\n" + "\n".join(b.lines) + "\n}\n")
    upd = []
    for var in range(nv):
        if cones[var]:
            out.append(f"static void upd{var}{sig}{{" + "".join(b.lines[i] for i in cones[var]) + "}")
            upd.append(f"upd{var}")
        else:
            upd.append("0")
    out.append(f"typedef void (*Upd){sig};\nstatic const Upd UPD[NV]={{{','.join(upd)}}};")
    out.append("/* the label mask from evaluated rule values (bit NR: no rule holds) */\n"
               "static unsigned rules_mask(const signed char*v,int*fo_out){unsigned m=0;int fo=-1,r;\n"
               "  for(r=0;r<NR;r++){int x=v[RULE[r]]; if(x){m|=1u<<r; if(x==2){*fo_out=fo;return m;} if(fo<0)fo=r;}}\n"
               "  *fo_out=fo;return m|(1u<<NR);}")
    out.append(_C_SEARCH)
    return "\n".join(out), nn


_C_HEADER = "#include <string.h>\n#include <stdint.h>\n"

_C_SEARCH = resources.files("myoclass.logic").joinpath("native_search.c").read_text(encoding="utf-8")


class _Tables(ctypes.Structure):
    _fields_ = [("nlabels", ctypes.c_int), ("labels", ctypes.POINTER(ctypes.c_char_p)),
                ("keys", ctypes.POINTER(ctypes.c_char_p)), ("bands", ctypes.POINTER(ctypes.c_char_p)),
                ("tier", ctypes.POINTER(ctypes.c_ubyte)), ("biopsy_var", ctypes.c_int),
                ("hyp_vars", ctypes.POINTER(ctypes.c_int)), ("nhyp", ctypes.c_int),
                ("mimic_vars", ctypes.POINTER(ctypes.c_int)), ("nmimic", ctypes.c_int),
                ("dystrophic_var", ctypes.c_int), ("exclusion_mask", ctypes.c_uint)]


class DDPasses(ctypes.Structure):
    """The decision diagram's C passes as the batch row loop calls them: its node table and two functions."""

    _fields_ = [("tab", ctypes.c_void_p), ("outcomes", ctypes.c_void_p), ("reach", ctypes.c_void_p)]


class _Outputs(threading.local):
    """The buffers the native analyse and search write their results to, one set per thread."""

    def __init__(self, nv: int) -> None:
        self.reach = ctypes.c_uint()
        self.exact = ctypes.c_int()
        self.tests_exact = ctypes.c_int()
        self.out_var = (ctypes.c_int * 256)()
        self.out_nval = (ctypes.c_int * 256)()
        self.out_masks = (ctypes.c_uint * (256 * 8))()
        self.wit = ctypes.create_string_buffer(nv * _MAX_WITNESS)
        self.wit_lab = (ctypes.c_uint * _MAX_WITNESS)()
        self.n = ctypes.c_int()
        self.nodes = ctypes.c_int()
        self.dec_key: tuple[int, ...] | None = None
        self.dec: Any = None


class NativeSearch:
    """ctypes wrapper of the compiled search; states are dicts as in the Python engine."""

    def __init__(self, lib: ctypes.CDLL, var_names: Sequence[str]) -> None:
        self._lib = lib
        self.var_names = list(var_names)
        self._nv = len(var_names)
        lib.search.restype = ctypes.c_uint
        lib.search.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_uint, ctypes.c_int,
                               ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_int),
                               ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
        lib.analyse.restype = ctypes.c_int
        lib.root_mask.restype = ctypes.c_uint
        lib.root_mask.argtypes = [ctypes.c_char_p]
        # ctypes releases the GIL during a call, and one engine serves every thread (the web app's worker
        # pool, the batch row loop): the output buffers of analyse and search are per thread.
        self._out = _Outputs(self._nv)
        self._bytes_per_row = 400.0  # next-tests JSON per row, learnt batch by batch (sizes the output buffer)

    def analyse(self, packed: bytes, dec: Sequence[int], main_budget: int, search_budget: int,
                test_budget: int) -> tuple[int, bool, bool, list[tuple[int, list[int]]]]:
        o = self._out
        key = tuple(dec)
        if key != o.dec_key:
            o.dec = (ctypes.c_int * len(key))(*key)
            o.dec_key = key
        n = self._lib.analyse(packed, o.dec, len(key), main_budget, search_budget, test_budget,
                              ctypes.byref(o.reach), ctypes.byref(o.exact), ctypes.byref(o.tests_exact),
                              o.out_var, o.out_nval, o.out_masks)
        masks = o.out_masks
        outcomes = [(o.out_var[k], [masks[8 * k + j] for j in range(o.out_nval[k])]) for k in range(n)]
        return int(o.reach.value), bool(o.exact.value), bool(o.tests_exact.value), outcomes

    def mask(self, packed: bytes) -> int:
        return int(self._lib.root_mask(packed))

    def set_tables(self, labels: Sequence[str], keys: Sequence[str], bands: Sequence[Sequence[str]],
                   tiers: Sequence[int], biopsy_var: int, hyp_vars: Sequence[int], mimic_vars: Sequence[int],
                   dystrophic_var: int, exclusion_mask: int) -> None:
        """Names and orders the batch JSON needs (kept alive on the instance)."""
        enc = [x.encode() for x in labels]
        self._t_labels = (ctypes.c_char_p * len(enc))(*enc)
        kk = [x.encode() for x in keys]
        self._t_keys = (ctypes.c_char_p * len(kk))(*kk)
        bb = [(b[i].encode() if i < len(b) else None) for b in bands for i in range(8)]
        self._t_bands = (ctypes.c_char_p * len(bb))(*bb)
        self._t_tier = (ctypes.c_ubyte * len(tiers))(*tiers)
        self._t_hyp = (ctypes.c_int * (len(hyp_vars) + 1))(*hyp_vars, -1)
        self._t_mimic = (ctypes.c_int * (len(mimic_vars) + 1))(*mimic_vars, -1)
        self._tables = _Tables(len(labels), self._t_labels, self._t_keys, self._t_bands, self._t_tier, biopsy_var,
                               self._t_hyp, len(hyp_vars), self._t_mimic, len(mimic_vars), dystrophic_var,
                               exclusion_mask)
        lib = self._lib
        lib.analyse_batch.restype = ctypes.c_long
        lib.analyse_batch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long, ctypes.c_void_p, ctypes.c_int,
                                      ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.POINTER(_Tables),
                                      ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                      ctypes.c_void_p, ctypes.c_long, ctypes.c_void_p]

    def analyse_batch(self, states: Any, mimic_unknown: Any, dec: Sequence[int], main_budget: int,
                      search_budget: int, test_budget: int,
                      dd: DDPasses | None = None) -> tuple[Any, Any, Any, list[tuple[Any, Any]]]:
        """Analyse every row of ``states`` (a C-contiguous ``uint8`` matrix, one row per case).

        With ``dd`` (the decision diagram's passes) the reachable labels, deciding findings and the
        what-if-a-biopsy labels are exact, with no budget; without it they come from the budgeted search.
        Returns numpy arrays ``reach`` (uint32), ``exact``, ``tests_exact`` (uint8), and the next tests
        of each row as JSON text in consecutive parts ``(data, offsets)``: ``data`` a ``uint8`` array,
        ``offsets`` ``int32`` with one more entry than the part's rows (Arrow's string layout, so a
        part becomes a string array without a copy).
        """
        import numpy as np

        n = states.shape[0]
        reach = np.zeros(n, dtype=np.uint32)
        exact = np.zeros(n, dtype=np.uint8)
        tests_exact = np.zeros(n, dtype=np.uint8)
        dec_arr = np.asarray(dec, dtype=np.int32)
        parts: list[tuple[Any, Any]] = []
        done = 0
        while done < n:
            # uninitialised memory (pages never written are never touched), sized from the rows seen so far
            cap = min(max(4096, int((n - done) * self._bytes_per_row * 1.25) + 1024), 1 << 30)
            buf = np.empty(cap, dtype=np.uint8)
            offs = np.zeros(n - done + 1, dtype=np.int64)
            got = self._lib.analyse_batch(
                states[done:].ctypes.data, mimic_unknown[done:].ctypes.data, n - done, dec_arr.ctypes.data,
                len(dec_arr), main_budget, search_budget, test_budget, ctypes.byref(self._tables),
                None if dd is None else ctypes.byref(dd), reach[done:].ctypes.data, exact[done:].ctypes.data,
                tests_exact[done:].ctypes.data,
                buf.ctypes.data, cap, offs.ctypes.data)
            if got == 0:  # the estimate left no room for even one row (a last row longer than it): grow it
                self._bytes_per_row *= 2
                continue
            used = int(offs[got])
            self._bytes_per_row = max(self._bytes_per_row * 0.5 + used / got * 0.5, used / got)
            parts.append((buf[:used], offs[: got + 1].astype(np.int32)))
            done += got
        return reach, exact, tests_exact, parts

    def search(self, packed: bytes, found: int, want: int, budget: int,
               witnesses: dict[int, list[bytes]] | None) -> tuple[int, bool, int]:
        o = self._out
        f = self._lib.search(packed, found & 0xFFFFFFFF, want & 0xFFFFFFFF, budget, o.wit,
                             o.wit_lab, ctypes.byref(o.n), _MAX_WITNESS, ctypes.byref(o.nodes),
                             ctypes.byref(o.exact))
        if witnesses is not None:
            raw = o.wit.raw
            nv = self._nv
            for k in range(o.n.value):
                witnesses.setdefault(int(o.wit_lab[k]), []).append(raw[k * nv:(k + 1) * nv])
        return int(f), bool(o.exact.value), int(o.nodes.value)


#: compiler flags of the generated C (``$MYOCLASS_CFLAGS``, default -O2)
CFLAGS = tuple(os.environ.get("MYOCLASS_CFLAGS", "-O2").split())


def cache_dir() -> Path:
    """Where compiled code and compiled tables are kept (``$MYOCLASS_CACHE``, else ``~/.cache/myoclass``)."""
    base = os.environ.get("MYOCLASS_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "myoclass"


def compile_cached(source: str, stem: str, flags: Sequence[str] = CFLAGS) -> ctypes.CDLL | None:
    """Compile C ``source`` into a shared library once (cached in :func:`cache_dir` by a hash of the source
    and flags, as ``STEM-HASH-pyXY.so``) and load it; None without a compiler or with ``MYOCLASS_NATIVE=0``."""
    if os.environ.get("MYOCLASS_NATIVE", "1") == "0":
        return None
    digest = hashlib.sha256((source + " ".join(flags)).encode()).hexdigest()[:20]
    cache = cache_dir()
    lib_path = cache / f"{stem}-{digest}-py{sys.version_info[0]}{sys.version_info[1]}.so"
    try:
        if not lib_path.exists():
            cache.mkdir(parents=True, exist_ok=True)
            cc = os.environ.get("CC", "cc")
            with tempfile.TemporaryDirectory(dir=cache) as tmp:
                c_file = Path(tmp) / f"{stem}.c"
                c_file.write_text(source)
                out = Path(tmp) / f"{stem}.so"
                subprocess.run([cc, *flags, "-shared", "-fPIC", "-o", str(out), str(c_file)], check=True,
                               capture_output=True, timeout=120)
                os.replace(out, lib_path)
        return ctypes.CDLL(str(lib_path))
    except (OSError, subprocess.SubprocessError):
        return None


def load_native(defs: Mapping[str, Expr], rules: Sequence[str], var_names: Sequence[str],
                var_bool: Sequence[bool]) -> NativeSearch | None:
    """Compile (once, cached by source hash) and load the native search; None when unavailable."""
    index = {n: i for i, n in enumerate(var_names)}
    src, _nn = c_source(defs, rules, index, var_bool)
    lib = compile_cached(src, "labels")
    return None if lib is None else NativeSearch(lib, var_names)

