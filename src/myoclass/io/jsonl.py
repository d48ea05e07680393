"""Read flat cases from JSON (one object or an array) or JSON Lines, keeping bad records apart."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from myoclass.io._json import MAX_DEPTH, DecodeError, TooDeep, check_depth, loads
from myoclass.model.case import Case, InvalidCase, case_id_of, parse_case

__all__ = ["Rejected", "read_cases"]


@dataclass(frozen=True)
class Rejected:
    line: int  # 1-based line (JSON Lines) or record number (JSON array)
    reason: str
    case_id: str | None = None


def _one(obj: Any, where: int, depth: int = MAX_DEPTH) -> Case | Rejected:
    try:
        check_depth(obj, depth)
        return parse_case(obj)
    except TooDeep as e:
        return Rejected(where, str(e), case_id_of(obj))
    except InvalidCase as e:
        return Rejected(where, str(e), case_id_of(obj))


def read_cases(text: str) -> Iterator[Case | Rejected]:
    """Yield a :class:`Case` or a :class:`Rejected` per record, in input order.

    A record that is not JSON, nests too deep or breaks a value rule is one :class:`Rejected`; the
    records around it are still read."""
    stripped = text.lstrip()
    if not stripped:
        return
    if stripped[0] in "[{":
        try:
            whole = loads(text, max_depth=None)  # each record's depth is checked on its own below
        except DecodeError:
            whole = None  # not one document: read as JSON Lines
        else:
            if isinstance(whole, list):
                for i, obj in enumerate(whole, 1):
                    yield _one(obj, i)
            else:
                yield _one(whole, 1)
            return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = loads(line, max_depth=None)
        except DecodeError as e:
            yield Rejected(n, f"(line): not valid JSON ({e})")
            continue
        yield _one(obj, n)
