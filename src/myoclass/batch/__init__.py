"""Batch scoring of whole cohorts: Arrow batches on the embedded engine or on Apache Spark.

Nothing here imports Arrow or numpy: :func:`prepare_scoring_process` must run before they load.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["prepare_scoring_process", "start_scoring_worker"]


class _NoPandas:
    """An import finder that reports pandas as absent (pyarrow then runs without its pandas integration)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("pandas is not loaded by the embedded batch engine", name=name)
        return None


def prepare_scoring_process() -> None:
    """Settings for a process that does nothing but embedded batch scoring (measured by bench/batch.py).

    A user's own ``OPENBLAS_NUM_THREADS`` or ``ARROW_DEFAULT_MEMORY_POOL`` is kept.

    - No BLAS threads: scoring does no linear algebra, and OpenBLAS's idle threads spin on the cores the
      native row loop needs (set before numpy is first imported).
    - pandas is not imported: pyarrow imports it on first use when it is installed (about 0.2 s), and
      the embedded engine never needs it (the Spark engine does, and runs in its own workers).
    - Arrow allocates with jemalloc (the system allocator where Arrow was built without it): both keep
      freed batch buffers for the next batch, where Arrow's default (mimalloc) hands them back and every
      batch then pays page faults and page zeroing. The C library's allocator is as fast but its
      fragmentation lets the resident memory creep up with the length of the input; jemalloc's levels off.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    own_pool = "ARROW_DEFAULT_MEMORY_POOL" not in os.environ  # a user's choice is kept
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")  # read when Arrow's C++ library loads
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())
    try:
        import pyarrow as pa
    except ImportError:
        return
    if own_pool and pa.default_memory_pool().backend_name != "jemalloc":  # loaded before, or built without it
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
        except NotImplementedError:
            pa.set_memory_pool(pa.system_memory_pool())


def start_scoring_worker(policy: Any, row_threads: int, parent: int) -> None:
    """The start of a scoring worker process (``myoclass batch`` with several workers): the settings of
    :func:`prepare_scoring_process`, its share of the cores for the native row loop, and the engine, the
    decision diagram and the differential's model built before the first batch arrives.

    ``parent`` is the scoring process's id: a worker whose parent is gone (killed, so it could not stop its
    workers) ends itself within half a second, even in the middle of a batch, rather than wait for work forever.
    """
    import threading

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="myoclass-parent-watch", daemon=True).start()
    prepare_scoring_process()
    from myoclass.batch.score import use_row_threads
    from myoclass.logic.diagram import diagram_for
    from myoclass.reasoning.differential import prepare
    from myoclass.reasoning.engine import engine

    use_row_threads(row_threads)
    diagram_for(engine(policy))
    prepare(policy)
