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

        warm(self.pipeline)


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
