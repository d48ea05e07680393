"""Every exception myoclass raises on purpose, under one root, :class:`MyoclassError`.

Catch :class:`MyoclassError` for "myoclass refused this input", or a class below it for one kind of
refusal. Each class keeps the standard base it had before the tree existed (``ValueError`` for bad input),
so code that catches ``ValueError`` keeps working, and each stays importable where it was defined before
(``myoclass.model.case.InvalidCase``, ``myoclass.io.json.TooDeep``, ``myoclass.batch.output.UnsafeOutput``,
``myoclass.web.work.Busy``). This module imports nothing of myoclass or of the extras:
``from myoclass.errors import UnsafeOutput`` works without Arrow or FastAPI installed.

::

    MyoclassError
    ├── InvalidCase (ValueError)          a flat case breaks a value rule: parse_case, assess, ``myoclass
    │   │                                 assess``, POST /api/v1/assess, the clinician page. ``problems``
    │   │                                 lists every one found, each a Problem naming its field
    │   │                                 (CLI: "error: FIELD: MESSAGE" lines, exit code 2; API: 422
    │   │                                 {"errors": [{"field", "message"}]}; page: shown beside the form)
    │   ├── InvalidMeasure                TIS core set measures or MMT-8 grades that break a rule:
    │   │                                 followup.total_improvement_score, followup.mmt8, ``myoclass tis``
    │   │                                 and ``mmt8``, POST /api/v1/tis and /mmt8 (exit code 2; 422)
    │   └── UnknownColumn                 a batch input column (or a key of a record table, see
    │                                     batch.schema.cases_to_table) that is not a key of the data
    │                                     dictionary, one problem each with the nearest key ("unknown
    │                                     column; did you mean 'ab_hmgcr'?"): the input is refused before
    │                                     anything is scored (``myoclass batch``, either engine: exit code 2)
    ├── InvalidJSON (json.JSONDecodeError, ValueError)
    │                                     io.json.loads: text that is not JSON, or not UTF-8 (also named
    │                                     io.json.DecodeError); the message is the decoder's (CLI: exit
    │                                     code 2; API: 422 on "(body)"). A JSON Lines line that is not
    │                                     JSON does not raise: it is a reject
    ├── TooDeep (ValueError)              io.json.loads and check_depth: a JSON value nested more than
    │                                     io.json.MAX_DEPTH levels; ``path`` names where and ``limit`` the
    │                                     limit (CLI: exit code 2; API: 422 on the path; JSON Lines and
    │                                     arrays: that record is a reject)
    ├── UnsafeOutput (ValueError)         a batch, Spark or report output that is an input, would be read
    │                                     as one, is a directory or overlaps another output (exit code 2,
    │                                     before anything is read or written)
    ├── Busy                              the web app's worker pool and its queue are full: 503 with
    │                                     Retry-After (``retry_after``, seconds)
    ├── DiagramUnavailable (RuntimeError) logic.diagram: no cached decision-diagram table and no ``dd`` to
    │                                     compile one; caught inside myoclass, which then runs the
    │                                     budgeted search (its flags say when it gave up)
    ├── MissingExtra (ImportError)        io.phenopacket: reading or writing a phenopacket without the
    │                                     ``phenopackets`` extra; the message names it (CLI: a reject or
    │                                     exit code 2; API: 422 naming the extra)
    ├── AuthError                         web.cds_auth: a CDS Hooks call whose JWT is missing or fails a
    │                                     check; the message says which, never quoting the token (401 with
    │                                     a FHIR OperationOutcome)
    ├── FetchError                        web.fhir_fetch: fetching a CDS Hooks prefetch key from the EHR's
    │                                     FHIR server failed (status, timeout, size); never names the URL
    │                                     or the token (412 with an OperationOutcome)
    ├── RegistryError (ValueError)        registry.service: an argument the registry refuses (a role, a
    │   │                                 format, a password too short, a user name taken, an unreadable
    │   │                                 import file); the message names the field and what is allowed
    │   │                                 (``myoclass registry``: exit code 2)
    │   ├── RegistryNotEmpty              registry.service.restore into a registry that has data, without
    │   │                                 ``force`` (``--force``)
    │   └── NotFound (LookupError)        no such patient code, user or API token
    └── RegistryUnavailable (RuntimeError)
                                          the registry database cannot be opened, created or migrated
                                          (a bad path, a server that does not answer, a missing driver);
                                          the message masks any password in the URL (exit code 2)

:class:`Problem` (a field and a message) is what :class:`InvalidCase` and its subclasses carry. A record
that fails inside a batch or a JSON Lines file never raises: it becomes a
:class:`~myoclass.io.rejects.Reject` (its line or row, its ``case_id`` and the reason) and the reading
goes on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = [
    "AuthError",
    "Busy",
    "DiagramUnavailable",
    "FetchError",
    "InvalidCase",
    "InvalidJSON",
    "InvalidMeasure",
    "MissingExtra",
    "MyoclassError",
    "NotFound",
    "Problem",
    "RegistryError",
    "RegistryNotEmpty",
    "RegistryUnavailable",
    "TooDeep",
    "UnknownColumn",
    "UnsafeOutput",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the field (or ``(case)``, ``(line)``, a path) and what is allowed."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class MyoclassError(Exception):
    """The root of every exception myoclass raises on purpose (see the module docstring for the tree)."""


class InvalidCase(MyoclassError, ValueError):
    """Raised for a flat case that breaks a value rule. ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    def to_dict(self) -> list[dict[str, str]]:
        return [p.to_dict() for p in self.problems]


class InvalidMeasure(InvalidCase):
    """TIS core set measures or MMT-8 grades that break a rule; ``problems`` as :class:`InvalidCase`
    (a subclass of it, so a caller that catches :class:`InvalidCase` still catches this)."""


class UnknownColumn(InvalidCase):
    """Batch input columns (or record keys) that are not keys of the data dictionary, one problem each with
    the nearest key; a subclass of :class:`InvalidCase`, as it was raised before."""


class InvalidJSON(MyoclassError, json.JSONDecodeError):
    """Text that is not JSON (or not UTF-8). ``msg``, ``doc``, ``pos``, ``lineno`` and ``colno`` as
    :class:`json.JSONDecodeError`; the message is the decoder's."""


class RepeatedKey(InvalidJSON):
    """A JSON object that gives the same key twice (``{"ab_srp": true, "ab_srp": false}``): JSON decoders keep one of
    them silently, so it is refused. ``path`` names the key (``ab_srp``, ``[3].ab_srp``)."""

    #: what is wrong and what is allowed, after the key's path
    MESSAGE = "given more than once; allowed: each key once per object"

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"{path} is {self.MESSAGE}", "", 0)

    def __str__(self) -> str:
        return self.msg


class TooDeep(MyoclassError, ValueError):
    """A JSON value nests deeper than allowed. ``path`` names where (``ab_srp``, ``[3].ab_srp``)."""

    def __init__(self, path: str, limit: int) -> None:
        self.path = path or "(body)"
        self.limit = limit
        super().__init__(f"{self.path}: nested more than {limit} levels deep; allowed: a flat value "
                         "(true, false, a number, a string or null)")


class UnsafeOutput(MyoclassError, ValueError):
    """An output path that is an input, or would be read as one."""


class Busy(MyoclassError):
    """Every worker thread is busy and the queue is full: answer 503 with ``Retry-After``."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


class DiagramUnavailable(MyoclassError, RuntimeError):
    """No cached decision-diagram table, and ``dd`` is not installed to compile one."""


class MissingExtra(MyoclassError, ImportError):
    """An optional extra is not installed (e.g. ``phenopackets``); the message names it and how to install it."""


class AuthError(MyoclassError):
    """A CDS Hooks call is not authenticated; the message says why (never quoting the token)."""


class FetchError(MyoclassError):
    """Fetching from an EHR's FHIR server failed; the message names the reason (an HTTP status, a timeout), never a
    URL or a token."""


class RegistryError(MyoclassError, ValueError):
    """The registry refuses an argument; the message names the field and the allowed values."""


class RegistryNotEmpty(RegistryError):
    """A restore into a registry that already holds data, without ``force``."""


class NotFound(RegistryError, LookupError):
    """No such patient code, user or API token in the registry."""


class RegistryUnavailable(MyoclassError, RuntimeError):
    """The registry database cannot be opened, created or migrated; the message never shows a password."""
