"""The bundled example cases (``cases.json``): flat cases, one for each picture the criteria tell apart."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["example_cases"]


@cache
def example_cases() -> dict[str, dict[str, Any]]:
    """The examples by name, read once per process (shared: callers copy a case before changing it)."""
    text = resources.files(__name__).joinpath("cases.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]
