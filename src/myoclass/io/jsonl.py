"""Read flat cases from JSON (one object or an array) or JSON Lines, keeping bad records apart.

:func:`json_lines` is the one JSON Lines reader: ``myoclass assess`` reads through :func:`read_cases`, and
``myoclass batch`` (:mod:`myoclass.batch.run`) reads a file's lines through it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from myoclass.errors import RepeatedKey
from myoclass.io.json import (
    MAX_DEPTH,
    DecodeError,
    TooDeep,
    check_depth,
    loads,
    marked,
    repeated_key,
    repeated_keys_of_items,
    too_deep_for_the_decoder,
)
from myoclass.io.rejects import Reject
from myoclass.model.case import Case, InvalidCase, case_id_of, parse_case

__all__ = ["json_lines", "read_cases", "read_records"]

T = TypeVar("T")


def _not_utf8(line: str | bytes) -> str | None:
    """Why ``line`` is not UTF-8 text (bytes that do not decode, or text read with ``surrogateescape`` that holds
    such a byte), else None."""
    try:
        if isinstance(line, bytes):
            line.decode("utf-8")
        else:
            line.encode("utf-8")
    except UnicodeDecodeError as e:
        return f"(line): not UTF-8 text (byte 0x{e.object[e.start]:02x} at column {e.start + 1}); save it as UTF-8"
    except UnicodeEncodeError as e:
        code = ord(e.object[e.start])
        byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "a lone surrogate"
        return f"(line): not UTF-8 text ({byte} at column {e.start + 1}); save it as UTF-8"
    return None


def json_lines(lines: Iterable[str | bytes], max_depth: int | None = MAX_DEPTH) -> Iterator[tuple[int, Any] | Reject]:
    """Each line of ``lines`` (text, or bytes as read from a file opened in binary mode) decoded as JSON:
    ``(line, value)`` with its 1-based line number, or a :class:`Reject` for a line that is not JSON or
    nests more than ``max_depth`` levels deep (None: not checked here, for a caller that checks each value
    with :func:`~myoclass.io.json.check_depth` itself). Blank lines are skipped but counted."""
    for n, line in enumerate(lines, 1):
        if n == 1:  # a UTF-8 byte order mark (written by some editors and Windows tools) opens the file, not the JSON
            line = line.removeprefix(b"\xef\xbb\xbf") if isinstance(line, bytes) else line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            obj = loads(line, max_depth=max_depth)
        except TooDeep as e:  # nested deeper than any record: refused before it is walked
            yield Reject(n, None, str(e))
            continue
        except RepeatedKey as e:
            yield Reject(n, case_id_of(loads(line, max_depth=max_depth, unique=False)), str(e))
            continue
        except DecodeError as e:
            deep = too_deep_for_the_decoder(e, max_depth)
            yield Reject(n, None, str(deep) if deep is not None else _not_utf8(line) or f"(line): not valid JSON ({e})")
            continue
        yield n, obj


def _one(obj: Any, where: int, depth: int = MAX_DEPTH) -> Case | Reject:
    try:
        check_depth(obj, depth)
        return parse_case(obj)
    except TooDeep as e:
        return Reject(where, case_id_of(obj), str(e))
    except InvalidCase as e:
        return Reject(where, case_id_of(obj), str(e))


def _repeated(where: int, obj: Any, path: str) -> Reject:
    return Reject(where, case_id_of(obj), str(RepeatedKey(path)))


def read_records(text: str, one: Callable[[Any, int], T | Reject],
                 one_record: Callable[[list[Any]], bool] | None = None) -> Iterator[T | Reject]:
    """``one(value, row)`` per record of ``text``, in input order (``row``: the record's line in JSON Lines, its
    number in a JSON array): one JSON document (an object, or an array of records; an array for which
    ``one_record`` says True is one record), else JSON Lines. A line that is not JSON is a :class:`Reject`; the
    records around it are still read. Each value's depth is left to ``one`` to check, so that it can name the
    record's ``case_id``."""
    stripped = text.lstrip()
    if not stripped:
        return
    if stripped[0] in "[{":
        try:
            whole = loads(text, max_depth=None, unique=False)  # each record's depth and keys are checked on its own
        except DecodeError:
            whole = None  # not one document: read as JSON Lines
        else:
            if isinstance(whole, list) and not (one_record is not None and one_record(whole)):
                repeats = repeated_keys_of_items(text, len(whole)) or [None] * len(whole)
                for i, (obj, twice) in enumerate(zip(whole, repeats, strict=True), 1):
                    yield _repeated(i, obj, twice) if twice else one(obj, i)
            else:
                twice = repeated_key(marked(text))
                yield _repeated(1, whole, twice) if twice else one(whole, 1)
            return
    for rec in json_lines(text.splitlines(), max_depth=None):
        yield rec if isinstance(rec, Reject) else one(rec[1], rec[0])


def read_cases(text: str) -> Iterator[Case | Reject]:
    """Yield a :class:`Case` or a :class:`Reject` per record, in input order (``row``: the record's line in
    JSON Lines, its number in a JSON array).

    A record that is not JSON, nests too deep or breaks a value rule is one :class:`Reject`; the
    records around it are still read."""
    return read_records(text, _one)
