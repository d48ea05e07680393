"""The flat case as an Arrow schema (data dictionary v1)."""

from __future__ import annotations

import pyarrow as pa

from myoclass.model.fields import FIELDS

__all__ = ["FLAT_SCHEMA"]

_TYPES = {"bool": pa.bool_(), "number": pa.float64(), "enum": pa.string(), "string": pa.string()}
FLAT_SCHEMA = pa.schema([pa.field(k, _TYPES[f.kind]) for k, f in FIELDS.items()])


def cases_to_table(rows: list[dict[str, object]]) -> pa.Table:
    """Flat cases (dicts) as an Arrow table of the data dictionary's types.

    Unlike ``pa.Table.from_pylist`` without a schema, every key of every row is kept (not only the
    first row's); a key outside the data dictionary raises :class:`~myoclass.model.case.InvalidCase`.
    """
    from myoclass.model.case import check_keys

    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(r))
    check_keys(keys, what="key")
    keys.setdefault("case_id", None)  # at least one column, so empty cases still count as rows
    schema = pa.schema([f for f in FLAT_SCHEMA if f.name in keys])
    return pa.Table.from_pylist(rows, schema=schema)
