"""JSON encoding for the command line, the API and batch output: orjson when installed, else the stdlib.

:func:`loads` also bounds how deep a document may nest (:data:`MAX_DEPTH`): the flat case is flat, and
every other body myoclass reads nests three levels at most, so a deeper value is refused by name
(:class:`TooDeep`, with the path to it) before anything walks it recursively.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_DEPTH", "DecodeError", "TooDeep", "check_depth", "dumps", "loads"]

#: the deepest nesting accepted in any JSON input (a list of flat cases is 2; an MMT-8 body is 2)
MAX_DEPTH = 16


class TooDeep(ValueError):
    """A JSON value nests deeper than allowed. ``path`` names where (``ab_srp``, ``[3].ab_srp``)."""

    def __init__(self, path: str, limit: int) -> None:
        self.path = path or "(body)"
        self.limit = limit
        super().__init__(f"{self.path}: nested more than {limit} levels deep; allowed: a flat value "
                         "(true, false, a number, a string or null)")


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


try:  # orjson is a declared dependency; the stdlib keeps working without it
    import orjson

    def dumps(obj: Any) -> str:
        return orjson.dumps(obj).decode("utf-8")

    def _decode(text: str | bytes) -> Any:
        return orjson.loads(text)

    DecodeError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - exercised only where orjson is missing

    def dumps(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    def _decode(text: str | bytes) -> Any:
        try:
            return json.loads(text)
        except RecursionError:
            raise json.JSONDecodeError("nested too deep", text if isinstance(text, str) else "", 0) from None

    DecodeError = json.JSONDecodeError


def loads(text: str | bytes, max_depth: int | None = MAX_DEPTH) -> Any:
    """Decode JSON; raise ``DecodeError`` for text that is not JSON (or not UTF-8), and :class:`TooDeep`
    for a document nested more than ``max_depth`` levels (None: the decoder's own limit, for a caller
    that checks each record of a document itself with :func:`check_depth`)."""
    obj = _decode(text)
    if max_depth is not None:
        check_depth(obj, max_depth)
    return obj
