"""The flat case as an Arrow schema (data dictionary v1), and the one column a batch input may add to it."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from myoclass.model.fields import FIELDS

__all__ = ["FLAT_SCHEMA", "REFERENCE", "cases_to_table", "check_columns"]

_TYPES = {"bool": pa.bool_(), "number": pa.float64(), "enum": pa.string(), "string": pa.string()}
FLAT_SCHEMA = pa.schema([pa.field(k, _TYPES[f.kind]) for k, f in FIELDS.items()])

#: an optional batch input column beside the data dictionary: the author's final diagnosis (a label of
#: the vocabulary), passed through to the output unchanged for calibration (``myoclass report``); it is
#: not a finding and never reaches the criteria
REFERENCE = "reference_label"


def check_columns(names: Iterable[str], what: str = "column") -> None:
    """:func:`~myoclass.model.case.check_keys` for a batch input: every name a key of the data dictionary,
    or :data:`REFERENCE`; else :class:`~myoclass.errors.UnknownColumn` with the nearest key of each."""
    from myoclass.model.case import check_keys

    check_keys((n for n in names if n != REFERENCE), what=what)


def cases_to_table(rows: list[dict[str, object]]) -> pa.Table:
    """Flat cases (dicts) as an Arrow table of the data dictionary's types.

    Unlike ``pa.Table.from_pylist`` without a schema, every key of every row is kept (not only the
    first row's); a key outside the data dictionary (other than :data:`REFERENCE`, kept as text) raises
    :class:`~myoclass.errors.UnknownColumn` (an ``InvalidCase``).
    """
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    check_columns(keys, what="key")
    keys.setdefault("case_id", None)  # at least one column, so empty cases still count as rows
    fields = [f for f in FLAT_SCHEMA if f.name in keys]
    if REFERENCE in keys:
        fields.append(pa.field(REFERENCE, pa.string()))
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))
