"""Check a FHIR R4 resource twice: against HL7's FHIR R4 JSON Schema (vendored, see fixtures/fhir/schema/README.md) and
by parsing it with the ``fhirclient`` 4.4.0 R4 models in strict mode (the schema does not check cardinality: a
missing required element or a list where one value belongs passes the schema, not fhirclient).

    from _fhir_schema import assert_valid_r4
    assert_valid_r4(bundle)          # raises AssertionError with every problem found
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

SCHEMA_PATH = Path(__file__).parent / "fixtures" / "fhir" / "schema" / "fhir.schema.json.gz"
#: sha256 of the uncompressed schema (HL7 FHIR R4 4.0.1 fhir.schema.json, id http://hl7.org/fhir/json-schema/4.0)
SCHEMA_SHA256 = "15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d"

__all__ = ["SCHEMA_PATH", "SCHEMA_SHA256", "assert_valid_r4", "r4_problems", "schema_bytes"]


@cache
def schema_bytes() -> bytes:
    """The uncompressed schema file."""
    return gzip.decompress(SCHEMA_PATH.read_bytes())


@cache
def _schema() -> dict[str, Any]:
    data = schema_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == SCHEMA_SHA256, f"the vendored FHIR schema changed: sha256 {digest}"
    schema: dict[str, Any] = json.loads(data)
    return schema


@cache
def _validator(resource_type: str) -> Draft6Validator:
    """A validator for one resource type (faster than the root schema's oneOf over every resource)."""
    definitions = _schema()["definitions"]
    if resource_type not in definitions:
        raise AssertionError(f"{resource_type!r} is not an R4 resource type")
    return Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": definitions})


def _schema_problems(resource: Any, where: str = "") -> list[str]:
    resource_type = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(resource_type, str):
        return [f"schema: {where or '(root)'}: no resourceType"]
    out = []
    for e in sorted(_validator(resource_type).iter_errors(resource), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in e.absolute_path)
        at = "/".join(p for p in (where, path) if p) or "(root)"
        if e.validator == "oneOf" and isinstance(e.instance, dict) and "resourceType" in e.instance:
            # a resource inside a resource (Bundle.entry.resource, contained): the oneOf over every resource type
            # reports only "not valid under any"; validate it as its own type for the real cause
            out.extend(_schema_problems(e.instance, at) or [f"schema: {at}: {e.message[:200]}"])
        else:
            out.append(f"schema: {at}: {e.message[:300]}")
    return out


def _fhirclient_problems(resource: dict[str, Any]) -> list[str]:
    from fhirclient.models.fhirabstractbase import FHIRValidationError
    from fhirclient.models.fhirelementfactory import FHIRElementFactory

    try:
        FHIRElementFactory.instantiate(resource["resourceType"], resource)  # strict by default
    except FHIRValidationError as e:
        return [f"fhirclient: {e}"]
    except Exception as e:  # the factory raises plain errors for unknown types and bad shapes
        return [f"fhirclient: {type(e).__name__}: {e}"]
    return []


def r4_problems(resource: dict[str, Any]) -> list[str]:
    """Every problem the schema and fhirclient find (empty when the resource is valid)."""
    return _schema_problems(resource) + _fhirclient_problems(resource)


def assert_valid_r4(resource: dict[str, Any]) -> None:
    """Fail unless ``resource`` (any R4 resource, a Bundle included) passes the R4 JSON Schema and parses with the
    fhirclient R4 models in strict mode."""
    problems = r4_problems(resource)
    assert not problems, "not valid FHIR R4:\n" + "\n".join(problems)
