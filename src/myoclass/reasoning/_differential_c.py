"""The differential's per-case computation in C (the fast path of :func:`myoclass.reasoning.differential.compute`).

One call per case: the likelihood of the known findings and the completion weights of the unknown
ones, per condition (and per non-immune cause where that is branched), then the weighted counts over
the differential's diagram, conditioned on its constraints, their mixture and the weighted joints.
It reads the model's arrays as :class:`myoclass.reasoning.differential_tables.ModelTables` lays them out, and
follows the numpy code of ``differential._compute`` step by step (same products, same order of the
weight vectors), which stays the reference: ``tests/test_differential.py`` holds the two equal.

It covers the differential's diagram (the antibody group and the biopsy's items as constraints) with
the default reading policies. It hands back to the numpy code (returns -1) where that code branches in
a way this one does not: a CK band branch, or more weight vectors than the budget.
"""

from __future__ import annotations

import ctypes
from importlib import resources

from myoclass.logic.diagram import load_with_passes

__all__ = ["DModel", "load_differential"]

SOURCE = resources.files("myoclass.reasoning").joinpath("differential.c").read_text(encoding="utf-8")


class DModel(ctypes.Structure):
    """The model's arrays as the C code reads them (pointers into arrays the caller keeps alive)."""

    _P = ctypes.c_void_p
    _I = ctypes.c_int
    _fields_ = [
        ("nc", _I), ("nl", _I), ("nlab", _I), ("prior", _P), ("q0", _P),
        ("nib", _I), ("ib_f", _P), ("ib_l", _P), ("ib_p", _P), ("ib_m", _P), ("ib_qsal", _P),
        ("ncat", _I), ("cat_f", _P), ("cat_restr", _P), ("cat_lik", _P),
        ("bp_f", _I), ("bp_l", _I), ("nit", _I), ("it_f", _P), ("it_l", _P), ("bp_p", _P), ("it_p", _P),
        ("ck_f", _I), ("nb", _I), ("ne", _I), ("ck_l", _P), ("en_f", _P), ("en_l", _P), ("ck_p", _P), ("en_p", _P),
        ("en_support", _P), ("ck_reads", _P),
        ("nca", _I), ("ncv", _I), ("ca_f", _P), ("ca_l", _P), ("ca_p", _P), ("em_p", _P), ("ca_m", _P),
        ("em_qsal", _P), ("ca_support", _P),
        ("nms", _I), ("none_l", _I), ("ms_f", _P), ("ms_l", _P), ("ms_p", _P), ("ms_m", ctypes.c_double),
        ("age_j", _I), ("age_nb", _I), ("age_l", _P),
    ]


def load_differential() -> ctypes.CDLL | None:
    """The compiled kernel (the diagram passes and the differential in one library), or None."""
    lib = load_with_passes(SOURCE, "differential")
    if lib is None:
        return None
    lib.dd_differential.restype = ctypes.c_int
    lib.dd_differential.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
                                    ctypes.c_int, *[ctypes.c_void_p] * 10]
    lib.dd_items_entropy.restype = ctypes.c_double
    lib.dd_items_entropy.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int,
                                     ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    return lib
