"""FHIR OperationOutcome responses: the error body of every CDS Hooks endpoint (CDS Hooks 2.0 asks for FHIR
errors), also for the app's own refusals (413 body too large, 404, 405) on those paths."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import Response

from myoclass.io.json import dumps

__all__ = ["CDS_PREFIXES", "is_cds_path", "operation_outcome"]

#: the paths whose errors are OperationOutcomes
CDS_PREFIXES = ("/cds-services", "/cds/")


def is_cds_path(path: str) -> bool:
    return path == "/cds-services" or path.startswith(CDS_PREFIXES)


def operation_outcome(status: int, issues: list[tuple[str, str]], headers: Mapping[str, str] | None = None) -> Response:
    """A FHIR OperationOutcome: one issue per ``(code, diagnostics)``, severity error."""
    body = {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": text} for code, text in issues]}
    return Response(dumps(body).encode("utf-8"), status_code=status, media_type="application/fhir+json",
                    headers=dict(headers or {}))
