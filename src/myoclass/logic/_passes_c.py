"""The diagram passes in C: one generic kernel over any node table, compiled once into the cache.

The source below does not depend on the criteria (the node table is data, handed over once per
policy), so one shared library serves every policy. It is compiled with the machine's C compiler
into the same per-user cache as the native search (:mod:`myoclass.logic.native`) and loaded
with :mod:`ctypes`; without a compiler, or with ``MYOCLASS_NATIVE=0``, the numpy passes of
:mod:`myoclass.logic.diagram` run instead, with the same results (a test holds them equal).
"""

from __future__ import annotations

import ctypes
from importlib import resources

from myoclass.logic.native import CFLAGS, compile_cached

__all__ = ["C_SOURCE", "PASS_FLAGS", "load_passes"]

#: -O3: the fixed-width loops of the weighted pass vectorise
PASS_FLAGS = ("-O3", *(f for f in CFLAGS if not f.startswith("-O")))

C_SOURCE = resources.files("myoclass.logic").joinpath("diagram_passes.c").read_text(encoding="utf-8")


class _DTab(ctypes.Structure):
    _fields_ = [("nn", ctypes.c_int), ("nl", ctypes.c_int), ("nlab", ctypes.c_int), ("nf", ctypes.c_int),
                *[(n, ctypes.c_void_p) for n in ("level", "lo", "hi", "roots", "cone", "cone_start", "lstart",
                                                 "bit_f", "bit_b", "mimic", "cat_f")],
                ("ncat", ctypes.c_int),
                *[(n, ctypes.c_void_p) for n in ("cat_l0", "cat_nb", "catl", "ce")], ("skip_lab", ctypes.c_int),
                ("valid_root", ctypes.c_int)]


def load_passes() -> ctypes.CDLL | None:
    """The compiled kernel (cached by source hash), or None without a compiler / with MYOCLASS_NATIVE=0."""
    lib = compile_cached(C_SOURCE, "diagram", PASS_FLAGS)
    if lib is None:
        return None
    lib.dd_reach.restype = ctypes.c_uint32
    lib.dd_reach.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
    lib.dd_outcomes.restype = ctypes.c_int
    lib.dd_outcomes.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p,
                                ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.dd_wmc.restype = None
    lib.dd_wmc.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                           ctypes.c_void_p, ctypes.c_void_p]
    return lib


DTab = _DTab
