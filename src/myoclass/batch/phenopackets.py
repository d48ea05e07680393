"""Phenopacket v2 JSON files as batch input: one packet per file, read into a flat case.

``myoclass batch`` reads JSON Lines through :func:`myoclass.io.jsonl.json_lines`, which yields ``(line, value)`` or a
:class:`~myoclass.io.rejects.Reject`. :func:`phenopacket_records` yields the same shape for phenopacket files: ``(1,
flat case)`` for a packet read (the record's row is 1: one packet per file), or a Reject naming the file and why (not
JSON, not a valid Phenopacket, or a case that breaks a value rule). :func:`phenopacket_files` finds the files of a
directory or a glob; :func:`is_phenopacket_file` tells a phenopacket ``.json`` file from a flat-case JSON file.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from myoclass.errors import MyoclassError
from myoclass.io.json import DecodeError, TooDeep, loads
from myoclass.io.phenopacket import is_phenopacket, read_phenopacket
from myoclass.io.rejects import Reject
from myoclass.model.case import case_id_of, parse_case

__all__ = ["MAX_PACKET_BYTES", "is_phenopacket_file", "phenopacket_files", "phenopacket_records"]

#: a phenopacket file larger than this is refused (the packets of phenopacket-store are under 100 kB)
MAX_PACKET_BYTES = 20_000_000


def _load(path: Path) -> Any:
    if path.stat().st_size > MAX_PACKET_BYTES:
        raise ValueError(f"larger than {MAX_PACKET_BYTES} bytes")
    return loads(path.read_text(encoding="utf-8"))


def is_phenopacket_file(path: str | Path) -> bool:
    """Whether ``path`` is a ``.json`` file holding one Phenopacket v2 object."""
    p = Path(path)
    if p.suffix.lower() != ".json" or not p.is_file():
        return False
    try:
        return is_phenopacket(_load(p))
    except (OSError, ValueError, DecodeError, TooDeep, UnicodeDecodeError):
        return False


def phenopacket_files(spec: str) -> list[Path]:
    """The phenopacket JSON files of a directory (not recursive), a glob, or one file, sorted."""
    p = Path(spec)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() == ".json")
    elif p.exists():
        files = [p]
    else:
        files = sorted(Path(f) for f in glob.glob(spec) if Path(f).suffix.lower() == ".json")
    out = [f for f in files if is_phenopacket_file(f)]
    if not out:
        raise FileNotFoundError(f"{spec}: no Phenopacket v2 JSON file found")
    return out


def _packet_id(doc: Any) -> str | None:
    """The id a rejected packet is known by: its ``id``, else its subject's, else a ``case_id`` if it has one."""
    if not isinstance(doc, dict):
        return None
    for v in (doc.get("id"), doc.get("subject", {}).get("id") if isinstance(doc.get("subject"), dict) else None):
        if isinstance(v, str) and v.strip():
            return v[:200]
    return case_id_of(doc)


def phenopacket_records(paths: Iterable[str | Path]) -> Iterator[tuple[int, dict[str, Any]] | Reject]:
    """``(1, flat case)`` per packet read (its ``case_id`` the packet's id), or a :class:`Reject` (row 1) whose reason
    starts with the file name. The flat case is checked with :func:`~myoclass.model.case.parse_case`, so that a
    packet whose values break a rule is a reject here, with the file named, not later."""
    for path in paths:
        p = Path(path)
        try:
            doc = _load(p)
        except (OSError, ValueError, DecodeError, TooDeep, UnicodeDecodeError) as e:
            yield Reject(1, None, f"{p.name}: not read ({e})")
            continue
        try:
            reading = read_phenopacket(doc)
            parse_case(reading.case)
        except MyoclassError as e:
            yield Reject(1, _packet_id(doc), f"{p.name}: {e}")
            continue
        yield 1, reading.case
