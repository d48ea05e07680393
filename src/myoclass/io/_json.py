"""JSON encoding for the command line and batch output: orjson when installed, else the stdlib."""

from __future__ import annotations

import json
from typing import Any

try:  # orjson is a declared dependency; the stdlib keeps working without it
    import orjson

    def dumps(obj: Any) -> str:
        return orjson.dumps(obj).decode("utf-8")

    def loads(text: str | bytes) -> Any:
        return orjson.loads(text)

    DecodeError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - exercised only where orjson is missing

    def dumps(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    def loads(text: str | bytes) -> Any:
        return json.loads(text)

    DecodeError = json.JSONDecodeError

__all__ = ["DecodeError", "dumps", "loads"]
