"""How a text cell (CSV, or a text column of Parquet) is read into a flat-case value, the same for the batch
(:mod:`myoclass.batch.run`, both engines) and the registry's visit import (:mod:`myoclass.registry.rows`).

* An empty cell (or one of spaces) is unknown.
* A boolean is ``true/false``, ``yes/no``, ``1/0`` or ``positive/negative``, in any case (``TRUE``, ``Yes``,
  ``POSITIVE``). Anything else (``NA``, ``n/a``, ``unknown``, ``+``) is refused naming these, never read as
  unknown: an export's missing-value marker is for the user to map, not for myoclass to guess.
* An enumerated value (``sex``, ``onset_tempo``, an antibody's ``*_method``, ...) matches its allowed values in any
  case (``Female``, ``ELISA``, ``IIF``) and is stored as the data dictionary spells it; anything else is refused
  by :func:`myoclass.model.case.parse_case`, naming the allowed values.
"""

from __future__ import annotations

from myoclass.model.fields import FieldSpec

__all__ = ["BOOL_CELL_ALLOWED", "CELL_FALSE", "CELL_TRUE", "enum_cell"]

#: the words a boolean cell may hold, lower-cased (a cell is compared in lower case)
CELL_TRUE = frozenset({"true", "yes", "1", "positive"})
CELL_FALSE = frozenset({"false", "no", "0", "negative"})
#: what a boolean cell allows, in the words of the error messages
BOOL_CELL_ALLOWED = "true/false, yes/no, 1/0, positive/negative (any case) or empty (unknown)"


def enum_cell(spec: FieldSpec, text: str) -> str:
    """An enumerated field's cell as the data dictionary spells it when it matches an allowed value in any case,
    else as given (for :func:`~myoclass.model.case.parse_case` to refuse, naming the allowed values)."""
    low = text.lower()
    return low if low in spec.values else text
