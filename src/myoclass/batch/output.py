"""What batch scoring writes, and where it may: staged files renamed into place, outputs kept off the
inputs, and CSV cells a spreadsheet would run as formulas written inert.

- **Staged writes.** Every output is written under a hidden temporary name beside its target
  (``.NAME.myoclass-tmp.HOST.PID.RANDOM``: never an input suffix, and hidden from globs) and renamed into
  place only when the whole run has succeeded. A failed run removes its temporary files; a killed one
  leaves them under that name only, and the next run writing the same target removes those of processes
  that no longer exist on this host.
- **Outputs are never inputs.** :func:`check_targets` refuses an output that is an input, or that the
  same input argument (a directory or a glob) would read as an input on the next run.
- **Inert CSV.** Text cells beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a
  leading ``'`` (OWASP, CSV injection), and so does a cell that is already such a cell behind quotes
  (``'=``), so :func:`uninert` gives back the exact text.
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from myoclass.errors import UnsafeOutput

if TYPE_CHECKING:  # Arrow only where tables are made inert; staging and inert_text need no extra (the registry
    import pyarrow as pa  # export of a web-only install uses them)

__all__ = ["INPUT_SUFFIXES", "Staged", "UnsafeOutput", "check_targets", "clean_stale", "inert", "inert_text",
           "is_stale", "temp_name", "temp_path", "uninert"]

#: suffixes the batch reader takes as inputs
INPUT_SUFFIXES = (".csv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")
_TAG = ".myoclass-tmp"


def _host() -> str:
    return socket.gethostname().replace("/", "_") or "localhost"


def temp_name(name: str) -> str:
    """A hidden name for the file or directory ``name`` while it is written: no input picks it up (it has no
    input suffix, and globs and Spark skip hidden names); it names this host and process."""
    return f".{name}{_TAG}.{_host()}.{os.getpid()}.{secrets.token_hex(4)}"


def temp_path(final: Path) -> Path:
    return final.with_name(temp_name(final.name))


def is_stale(name: str, final_name: str) -> bool:
    """Whether ``name`` is a :func:`temp_name` of ``final_name`` made by a process of this host that has ended."""
    prefix = f".{final_name}{_TAG}."
    if not name.startswith(prefix):
        return False
    parts = name[len(prefix):].rsplit(".", 2)
    if len(parts) != 3 or parts[0] != _host() or not parts[1].isdigit() or not re.fullmatch(r"[0-9a-f]{8}", parts[2]):
        return False
    pid = int(parts[1])
    return pid != os.getpid() and not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def stale_temps(final: Path) -> list[Path]:
    """Temporary files or directories of ``final`` left by processes of this host that no longer exist."""
    try:
        return [p for p in final.parent.iterdir() if is_stale(p.name, final.name)]
    except OSError:
        return []


def clean_stale(final: Path) -> None:
    """Remove what :func:`stale_temps` finds (a run killed before it could clean up)."""
    for p in stale_temps(final):
        with contextlib.suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Staged:
    """Files written under temporary names and renamed into place together by :meth:`commit`.

    ``commit`` renames them in the order given, so name the file whose presence marks a finished run
    last (the results, after their rejects). ``discard`` removes whatever was written.
    """

    def __init__(self, finals: Iterable[Path]) -> None:
        self.pairs = [(f, temp_path(f)) for f in finals]
        for f, _ in self.pairs:
            clean_stale(f)

    def temp(self, final: Path) -> Path:
        return next(t for f, t in self.pairs if f == final)

    def commit(self) -> None:
        dirs = set()
        for _, t in self.pairs:
            _fsync(t)  # the data is on disk before the name points at it
        for f, t in self.pairs:
            os.replace(t, f)
            dirs.add(f.parent)
        for d in dirs:
            with contextlib.suppress(OSError):  # not every file system syncs a directory
                _fsync(d)

    def discard(self) -> None:
        for _, t in self.pairs:
            with contextlib.suppress(FileNotFoundError):
                t.unlink()


def _same(a: Path, b: Path) -> bool:
    """One file: the same resolved path, or (both existing) the same inode."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _glob_matches(pattern: str, path: Path) -> bool:
    """Whether ``glob.glob(pattern)`` would list ``path`` once it exists (hidden names need a hidden pattern)."""
    pats = {os.path.abspath(pattern)}
    parts = Path(os.path.abspath(pattern)).parts
    fixed = next((i for i, s in enumerate(parts) if glob.has_magic(s)), len(parts))
    if fixed:  # the literal leading directories with their symlinks resolved
        pats.add(str(Path(*parts[:fixed]).resolve().joinpath(*parts[fixed:])))
    for cand in {os.path.abspath(path), str(path.resolve())}:
        have = Path(cand).parts
        for pat in pats:
            want = Path(pat).parts
            if len(want) == len(have) and all(
                    fnmatch.fnmatchcase(h, w) and (not h.startswith(".") or w.startswith(".") or h == w)
                    for h, w in zip(have, want, strict=True)):
                return True
    return False


def check_targets(spec: str | None, inputs: list[Path], targets: dict[str, Path]) -> None:
    """Refuse (:class:`UnsafeOutput`) a target that is one of ``inputs``, that ``spec`` (the input argument:
    a file, a directory or a glob; None: only ``inputs``) would read as an input, or that is another target.

    ``targets`` names each path by its option (``{"-o": output, "--rejects": rejects}``). Paths are compared
    resolved (symlinks, ``.`` and ``..``) and, when both exist, by inode."""
    spec_path = Path(spec) if spec else None
    seen: dict[Path, str] = {}
    for opt, t in targets.items():
        if t.is_dir():
            raise UnsafeOutput(f"{opt} {t}: is a directory; allowed: a file name")
        for f in inputs:
            if _same(t, f):
                raise UnsafeOutput(f"{opt} {t}: is the input {f}; an input is never overwritten: choose another "
                                   f"{opt}")
        reads_it = False
        if spec and spec_path is not None and t.suffix.lower() in INPUT_SUFFIXES:
            if spec_path.is_dir():
                reads_it = t.resolve().parent == spec_path.resolve()
            elif not spec_path.exists() and glob.has_magic(spec):
                reads_it = _glob_matches(spec, t)
        if reads_it:
            raise UnsafeOutput(f"{opt} {t}: the input {spec!r} would read it as an input; write it outside the "
                               f"input directory or the glob")
        key = t.resolve()
        if key in seen:
            raise UnsafeOutput(f"{opt} {t}: is also {seen[key]}; allowed: a different file for each")
        seen[key] = f"{opt} {t}"


# --- inert CSV cells --------------------------------------------------------------------------------

_TRIGGERS = np.frombuffer(b"=+-@\t\r'", dtype=np.uint8)
_FORMULA = "^'*[=+\\-@\t\r]"  # a cell to make inert: one a spreadsheet runs, or one already made inert
_MADE_INERT = "^'+[=+\\-@\t\r]"


def inert_text(s: str | None) -> str | None:
    """``s`` with a leading ``'`` if a spreadsheet would run it as a formula (or it begins like an inert one)."""
    return "'" + s if s is not None and re.match(_FORMULA, s) else s


def _first_bytes(arr: pa.Array) -> np.ndarray:
    """The first byte of each string (0 for an empty string or a null), from the Arrow buffers."""

    n = len(arr)
    _, offs, data = arr.buffers()
    offsets = np.frombuffer(offs, dtype=np.int32, count=arr.offset + n + 1)[arr.offset:]
    first = np.zeros(n, dtype=np.uint8)
    if data is None:
        return first
    starts = offsets[:-1]
    has = offsets[1:] > starts
    first[has] = np.frombuffer(data, dtype=np.uint8)[starts[has]]
    return first


def _inert_array(arr: pa.Array) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(arr) == 0 or arr.null_count == len(arr):
        return arr
    maybe = np.isin(_first_bytes(arr), _TRIGGERS)
    if not maybe.any():  # the common case: one pass over the first bytes
        return arr
    hit = pc.match_substring_regex(arr, _FORMULA)
    return pc.if_else(hit, pc.binary_join_element_wise(pa.scalar("'"), arr, pa.scalar("")), arr)


def inert(t: pa.Table) -> pa.Table:
    """Every text column of ``t`` with its formula-like cells made inert (for CSV output)."""
    import pyarrow as pa

    for i, f in enumerate(t.schema):
        if pa.types.is_string(f.type):
            col = t.column(i)
            chunks = [_inert_array(c) for c in col.chunks]
            if any(a is not b for a, b in zip(chunks, col.chunks, strict=True)):
                t = t.set_column(i, f, pa.chunked_array(chunks, f.type))
    return t


def uninert(t: pa.Table) -> pa.Table:
    """The exact text of a CSV written with :func:`inert` (the leading ``'`` removed again)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, f in enumerate(t.schema):
        if pa.types.is_string(f.type):
            col = t.column(i)
            hit = pc.match_substring_regex(col, _MADE_INERT)
            if pc.any(hit).as_py():
                t = t.set_column(i, f, pc.if_else(hit, pc.utf8_slice_codeunits(col, 1), col))
    return t
