"""Bounded work for the web app: a worker pool that refuses work when full, and the cost of a case list.

The event loop only reads requests and writes answers. Decoding, validation, assessment and encoding
run in a pool of ``Settings.pool_threads`` threads; at most ``Settings.pool_queue`` more requests
wait for a thread, and any request beyond that is answered at once with 503 and ``Retry-After``
(:class:`Busy`) instead of queueing without bound. Threads suffice to keep the loop answering:
the criteria search runs in C without the GIL, and the Python parts give the GIL up every switch
interval (5 ms), so ``/healthz`` answers within milliseconds while the pool is busy.

A list of cases is bounded by its total work (:func:`list_cost`), not only by its length: an empty
case costs more than a typical one (every unknown finding widens the search and lengthens the
report), and an unknown key costs a nearest-key search.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from myoclass.errors import Busy
from myoclass.model.case import MAX_REPORTED_KEYS
from myoclass.model.fields import FIELDS

__all__ = ["CASE_BASE_COST", "UNKNOWN_KEY_COST", "Busy", "WorkPool", "case_cost", "list_cost"]

T = TypeVar("T")

#: work units of one case whatever it holds (validation, the fixed part of the assessment and its report)
CASE_BASE_COST = 40
#: work units of one key that is not in the data dictionary (a nearest-key search; at most
#: ``MAX_REPORTED_KEYS`` are searched per case)
UNKNOWN_KEY_COST = 250
_NOT_A_CASE_COST = 1


#: a FHIR Bundle costs one work unit more per this many entries (reading them)
FHIR_ENTRIES_PER_UNIT = 10


def case_cost(obj: Any) -> int:
    """Work units of assessing one item of a list: :data:`CASE_BASE_COST` plus one per finding of the
    data dictionary left unknown (missing or null), or, for a case with unknown keys (rejected before
    any assessment), :data:`UNKNOWN_KEY_COST` per key searched. Deterministic, and cheap to compute
    (one pass over the keys), so it is known before any work starts.

    Measured (one core, orjson): a typical synthetic case (about 50 of 110 findings unknown) takes
    about 0.35 ms and 28 KB of output, an empty one about 0.7 ms and 45 KB; 20 near-miss keys take
    about 18 ms."""
    if not isinstance(obj, dict):
        return _NOT_A_CASE_COST
    if "resourceType" in obj:  # a FHIR chart: as an empty case (the worst), plus reading its entries
        entries = obj.get("entry")
        return CASE_BASE_COST + len(FIELDS) + (len(entries) // FHIR_ENTRIES_PER_UNIT if isinstance(entries, list) else 0)
    unknown_keys = 0
    known = 0
    for k, v in obj.items():
        if k not in FIELDS:
            unknown_keys += 1
        elif v is not None:
            known += 1
    if unknown_keys:
        return CASE_BASE_COST + UNKNOWN_KEY_COST * min(unknown_keys, MAX_REPORTED_KEYS)
    return CASE_BASE_COST + len(FIELDS) - known


def list_cost(items: Iterable[Any]) -> int:
    """Total work units of a list of cases (see :func:`case_cost`)."""
    return sum(case_cost(obj) for obj in items)


class WorkPool:
    """``threads`` worker threads and room for ``queue`` more requests waiting; :meth:`run` raises
    :class:`Busy` beyond that. A request counts until its work has finished, even if its client has
    gone (the thread cannot be stopped), so the bound holds for CPU, not only for connections."""

    def __init__(self, threads: int, queue: int, retry_after: int = 1) -> None:
        if threads < 1 or queue < 0:
            raise ValueError("a pool needs at least one thread and a queue of zero or more")
        self.threads = threads
        self.capacity = threads + queue
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._in_flight = 0
        self._executor: ThreadPoolExecutor | None = None

    @property
    def in_flight(self) -> int:
        """Requests running or waiting now."""
        return self._in_flight

    def _done(self, _f: Future[Any]) -> None:
        with self._lock:
            self._in_flight -= 1

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker thread; :class:`Busy` at once if the pool and its queue are full."""
        with self._lock:
            if self._in_flight >= self.capacity:
                raise Busy(self.retry_after)
            self._in_flight += 1
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="myoclass-work")
            executor = self._executor
        try:
            future = executor.submit(fn, *args)
        except BaseException:
            with self._lock:
                self._in_flight -= 1
            raise
        future.add_done_callback(self._done)
        return await asyncio.wrap_future(future)

    def shutdown(self) -> None:
        """Stop the threads once their work is done (for the app's shutdown)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
