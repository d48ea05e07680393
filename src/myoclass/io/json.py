"""JSON encoding for the command line, the API and batch output: orjson when installed, else the stdlib.

:func:`loads` also bounds how deep a document may nest (:data:`MAX_DEPTH`): the flat case is flat, and
every other body myoclass reads nests three levels at most, so a deeper value is refused by name
(:class:`TooDeep`, with the path to it) before anything walks it recursively. Text that is not JSON
raises :class:`~myoclass.errors.InvalidJSON` (here also named ``DecodeError``), whichever decoder runs, and so
does an object that gives a key twice (:class:`~myoclass.errors.RepeatedKey`, a subclass naming the key): decoders
keep one of the two silently, and ``{"ab_srp": true, "ab_srp": false}`` must not become a negative anti-SRP.

Absolute imports only: ``import json`` below is the standard library's, not this module.
"""

from __future__ import annotations

import json
from typing import Any

from myoclass.errors import InvalidJSON, RepeatedKey, TooDeep

__all__ = ["MAX_DEPTH", "DecodeError", "InvalidJSON", "RepeatedKey", "TooDeep", "check_depth", "check_unique_keys", "dumps",
           "loads", "marked", "not_utf8", "repeated_key", "repeated_keys_of_items", "too_deep_for_the_decoder"]

#: the deepest nesting accepted in any JSON input (a list of flat cases is 2; an MMT-8 body is 2)
MAX_DEPTH = 16


def _step(path: str, key: Any) -> str:
    if path.endswith("..."):
        return path
    if len(path) > 40:
        return path + "..."
    if isinstance(key, int):
        return f"{path}[{key}]"
    name = str(key)
    name = name if len(name) <= 64 else name[:61] + "..."
    return f"{path}.{name}" if path else name


def check_depth(obj: Any, limit: int = MAX_DEPTH) -> None:
    """Raise :class:`TooDeep` if ``obj`` (decoded JSON) nests more than ``limit`` containers deep.

    Iterative, so a hostile document cannot exhaust the stack; it stops at the first too-deep value."""
    stack: list[tuple[Any, int, str]] = [(obj, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict):
            items: Any = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        if depth > limit:
            raise TooDeep(path, limit)
        for k, v in items:
            if isinstance(v, dict | list):
                stack.append((v, depth + 1, _step(path, k)))


#: what :func:`loads` raises for text that is not JSON (the name this module has always used)
DecodeError = InvalidJSON

try:  # orjson is a declared dependency; the stdlib keeps working without it
    import orjson

    def dumps(obj: Any) -> str:
        return orjson.dumps(obj).decode("utf-8")

    def _decode(text: str | bytes) -> Any:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as e:  # the same message, as myoclass's own class
            raise InvalidJSON(e.msg, e.doc, e.pos) from None
except ImportError:  # pragma: no cover - exercised only where orjson is missing

    def dumps(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    def _decode(text: str | bytes) -> Any:
        try:
            return json.loads(text)
        except RecursionError:
            raise InvalidJSON("nested too deep", text if isinstance(text, str) else "", 0) from None
        except json.JSONDecodeError as e:
            raise InvalidJSON(e.msg, e.doc, e.pos) from None
        except UnicodeDecodeError as e:
            raise InvalidJSON(f"not valid UTF-8 ({e.reason})", "", e.start) from None


class _Repeated(dict[str, Any]):
    """An object of the document that gives a key twice (``repeated``: the first such key)."""

    repeated: str = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) == len(pairs):
        return d
    seen: set[str] = set()
    marked = _Repeated(d)
    for k, _v in pairs:
        if k in seen:
            marked.repeated = k
            break
        seen.add(k)
    return marked


def marked(text: str | bytes) -> Any:
    """``text`` (already known to be JSON) decoded again by the standard library, with every object that gives a key
    twice marked, for :func:`repeated_key` (None where this decoder refuses what the first accepted)."""
    try:
        return json.loads(text, object_pairs_hook=_pairs)
    except (ValueError, RecursionError):  # the first decoder accepted it; nothing more to say here
        return None


def repeated_key(obj: Any, path: str = "") -> str | None:
    """The path of the first key given twice in ``obj`` (decoded by :func:`marked`; ``[3].ab_srp``), else None.
    Iterative, so a hostile document cannot exhaust the stack."""
    stack: list[tuple[Any, str]] = [(obj, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, _Repeated):
            return _step(where, value.repeated)
        if isinstance(value, dict):
            stack.extend((v, _step(where, k)) for k, v in value.items() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, _step(where, i)) for i, v in enumerate(value) if isinstance(v, dict | list))
    return None


def repeated_keys_of_items(text: str | bytes, items: int) -> list[str | None] | None:
    """For ``text``, a JSON array of ``items`` records (already known to be JSON), the path inside each record of the
    first key it gives twice (None for a record without one); None when ``text`` is not such an array. For a caller
    that refuses only the records that repeat a key (:func:`loads` with ``unique=False``)."""
    keys = marked(text)
    if not isinstance(keys, list) or len(keys) != items:
        return None
    return [repeated_key(k) for k in keys]


def not_utf8(data: bytes) -> str | None:
    """``not UTF-8 text (byte 0xfc at offset 14)`` for bytes that are not UTF-8 (a byte-order mark is), else None."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})"
    return None


def check_unique_keys(text: str | bytes) -> None:
    """Raise :class:`~myoclass.errors.RepeatedKey` if an object of ``text`` (already known to be JSON) gives a key
    twice, naming the first such key with its path (``[3].ab_srp``)."""
    where = repeated_key(marked(text))
    if where is not None:
        raise RepeatedKey(where)


#: the decoders' messages for a document nested past their own limit (orjson's; json's RecursionError, above)
_DECODER_TOO_DEEP = frozenset({"depth limit exceeded", "nested too deep"})


def too_deep_for_the_decoder(e: DecodeError, limit: int | None = None) -> TooDeep | None:
    """The :class:`TooDeep` a decode error stands for when the decoder stopped at its own nesting guard (far past any
    record's ``limit``, by default :data:`MAX_DEPTH`, before a path could be named), else None: so such a document is
    refused in the words of every other one nested too deep."""
    return TooDeep("", MAX_DEPTH if limit is None else limit) if e.msg in _DECODER_TOO_DEEP else None


def loads(text: str | bytes, max_depth: int | None = MAX_DEPTH, unique: bool = True) -> Any:
    """Decode JSON; raise :class:`~myoclass.errors.InvalidJSON` (``DecodeError``) for text that is not JSON
    (or not UTF-8), and :class:`TooDeep` for a document nested more than ``max_depth`` levels (None: the
    decoder's own limit, for a caller that checks each record of a document itself with :func:`check_depth`), and
    :class:`~myoclass.errors.RepeatedKey` for an object that gives a key twice (``unique=False``: not checked here,
    for a caller that checks each record itself with :func:`marked` and :func:`repeated_key`)."""
    obj = _decode(text)
    if max_depth is not None:
        check_depth(obj, max_depth)
    if unique:
        check_unique_keys(text)
    return obj
