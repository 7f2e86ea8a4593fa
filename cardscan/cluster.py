"""Reading on a Dask cluster: `cardscan batch PATH --cluster tcp://HOST:8786`.

The batch stays the one writer: it reads and hashes each file, skips what is stored, and sends
the file's bytes with the reading call to the cluster's workers (nothing needs a shared disk);
parsed cards come back and it stores them in order, as with local worker processes. A worker
that dies mid-card has its call run again by the scheduler on another worker; since only the
batch stores, a card read twice is still stored once. Workers need `pip install
cardscan[cluster]` and Tesseract; start them with one thread each (`dask worker ADDRESS
--nthreads 1 --nworkers N`): OCR is CPU-bound, and one card per process is what local
batches measure best.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable
from typing import Any

from distributed import Client, WorkerPlugin
from distributed.client import Future
from distributed.scheduler import KilledWorker

from .config import Pipeline
from .errors import UsageError
from .workers import WorkerDied


class _Warm(WorkerPlugin):
    """Load the engines and models on each worker as it joins, before its first card."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    def setup(self, worker: Any) -> None:
        from .pipeline import warm

        heap_for_images()
        warm(self.pipeline)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters


def heap_for_images() -> bool:
    """Undo the Dask nanny's MALLOC_TRIM_THRESHOLD_=65536 in this worker: with it glibc maps
    every large array afresh and unmaps it on free, so each image a card is decoded, cleaned
    and cut into costs page faults. Measured (clean synthetic scans, one Dask worker): decode
    0.011 -> 0.006 s, preprocessing 0.040 -> 0.023 s, the whole card 0.197 -> 0.157 s.
    Arrays under 32 MB come from the heap again and 64 MB may stay free in it. True when it
    applied (a nanny set the variable, and the C library is glibc)."""
    global heap_restored
    if not os.environ.get("MALLOC_TRIM_THRESHOLD_"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        heap_restored = bool(libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20)
                             and libc.mallopt(_M_TRIM_THRESHOLD, 64 << 20))
    except (OSError, AttributeError):
        return False  # not glibc: nothing to undo
    return heap_restored


heap_restored = False  # heap_for_images applied in this process


class ClusterWork:
    """One call on the cluster; ``result()`` gives its value or raises its error."""

    def __init__(self, future: Future) -> None:
        self.future = future

    def result(self) -> Any:
        try:
            return self.future.result()
        except KilledWorker as e:
            raise WorkerDied("every Dask worker that read it died (the scheduler gave up "
                             f"after several tries: {e})") from None


class ClusterPool:
    """``submit`` like an Executor's, on a Dask cluster's workers."""

    def __init__(self, address: str, pipeline: Pipeline, *, timeout: float = 20) -> None:
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as e:
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {e}; is "
                             "`dask scheduler` running there?") from None
        self.address = address
        # Workers joining later (or restarted after a crash) warm up as they join; those
        # here now also warm the thread that runs their cards (engines are per thread).
        self.client.register_plugin(_Warm(pipeline), name="cardscan-warm")
        from .pipeline import warm

        self.client.gather([self.client.submit(warm, pipeline, workers=[w], pure=False,
                                               allow_other_workers=False)
                            for w in self.client.nthreads()])

    @property
    def workers(self) -> int:
        """Cards read at once: the cluster's worker threads (read-ahead is two per worker)."""
        return max(1, sum(self.client.nthreads().values()))

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ClusterWork:
        # pure=False: the same file sent twice is two calls (the batch stores it once).
        return ClusterWork(self.client.submit(fn, *args, pure=False, **kwargs))

    def shutdown(self, *, wait: bool = True, cancel_futures: bool = False) -> None:
        self.client.close()

    def __enter__(self) -> ClusterPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
