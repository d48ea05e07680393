"""The flat case as an Arrow schema (data dictionary v1)."""

from __future__ import annotations

import pyarrow as pa

from myoclass.model.fields import FIELDS

__all__ = ["FLAT_SCHEMA"]

_TYPES = {"bool": pa.bool_(), "number": pa.float64(), "enum": pa.string(), "string": pa.string()}
FLAT_SCHEMA = pa.schema([pa.field(k, _TYPES[f.kind]) for k, f in FIELDS.items()])
