"""The worker processes that read cards: one per core, each with an address-space cap, and a
worker that dies (out of memory, a crash in a native library) fails only the file it was
reading; the pool is replaced and every other file is read as if nothing happened.

Workers die with the batch (a ``kill -9`` of ``cardscan batch`` leaves no orphan reading on)
and ignore Ctrl+C: the batch decides, finishing the cards in hand.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import queue
import resource
import signal
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def _start_worker(memory_mb: int, prepare: Callable[[], None] | None = None) -> None:
    """In each new worker: die with the parent, leave Ctrl+C to it, cap the address space,
    then ``prepare`` (load the OCR engines and models once, so the first cards are not
    slower than the rest and the progress ETA holds from the start)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before the call above
            os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    if prepare is not None:
        try:
            prepare()
        except Exception as e:  # the first card reports it, with its file
            log.debug("worker preparation failed: %s", e)


class WorkerDied(Exception):
    """The worker process reading this work died (see the message for the likely cause)."""


class Work:
    """One submitted call; ``result()`` gives its value or raises its error."""

    def __init__(self, pool: WorkerPool, call: tuple[Callable[..., Any], tuple[Any, ...],
                                                     dict[str, Any]]) -> None:
        self._pool, self.call = pool, call
        self.future: Future[Any] = pool._submit(call)
        self.generation = pool.generation
        self.suspect = False  # it was in a pool when a worker of that pool died

    def result(self) -> Any:
        return self._pool._result(self)


def _returned(future: Future[Any]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


class Finished:
    """Tells which submitted calls are done, and waits for the next to finish, whatever ran
    them (a WorkerPool's ``Work``, a Dask ``ClusterWork`` or a plain ``Future``)."""

    def __init__(self) -> None:
        self._ended: queue.SimpleQueue[object] = queue.SimpleQueue()

    @staticmethod
    def _future(work: Any) -> Any:
        return getattr(work, "future", work)

    def watch(self, work: Any) -> None:
        self._future(work).add_done_callback(self._ended.put)

    def done(self, work: Any) -> bool:
        return bool(self._future(work).done())

    def running(self, works: Iterable[Any]) -> int:
        return sum(not self.done(w) for w in works)

    def wait(self) -> None:
        """Until one more watched call ends (or has ended since the last wait)."""
        self._ended.get()


class WorkerPool:
    """A process pool (``submit`` like an Executor's) that survives a worker's death."""

    def __init__(self, workers: int, *, memory_mb: int = 0,
                 prepare: Callable[[], None] | None = None, start: str | None = None) -> None:
        """``start``: how worker processes start (multiprocessing's method); None: the
        platform's (fork on Linux). A threaded parent (the review app) asks for "forkserver":
        forking a process whose other threads hold locks hangs the child."""
        self.workers, self.memory_mb, self.prepare = max(1, workers), memory_mb, prepare
        self._context = multiprocessing.get_context(start) if start else None
        self.generation = 0
        self._pool = self._new(self.workers)
        self._live: set[Work] = set()

    def _new(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                                   initargs=(self.memory_mb, self.prepare),
                                   mp_context=self._context)

    def _submit(self, call: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
                ) -> Future[Any]:
        fn, args, kwargs = call
        return self._pool.submit(fn, *args, **kwargs)

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Work:
        work = Work(self, (fn, args, kwargs))
        self._live.add(work)
        return work

    def _result(self, work: Work) -> Any:
        try:
            if not work.suspect:
                try:
                    return work.future.result()
                except BrokenProcessPool:
                    self._replace(work.generation)
            return self._alone(work)
        finally:
            self._live.discard(work)

    def _replace(self, generation: int) -> None:
        """A worker died: every call that was in that pool becomes a suspect (run again alone),
        and a new pool takes the calls to come."""
        if generation != self.generation:
            return  # replaced already
        log.warning("a worker process died; its files are read again one by one")
        for work in self._live:  # a call that returned before the death keeps its value
            if work.generation == generation and not _returned(work.future):
                work.suspect = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new(self.workers)
        self.generation += 1

    def _alone(self, work: Work) -> Any:
        """Run a suspect in a pool of its own: it succeeds, or it was the one that died."""
        fn, args, kwargs = work.call
        with ProcessPoolExecutor(max_workers=1, initializer=_start_worker,
                                 initargs=(self.memory_mb, self.prepare),
                                 mp_context=self._context) as pool:
            try:
                return pool.submit(fn, *args, **kwargs).result()
            except BrokenProcessPool:
                cap = (f"over its {self.memory_mb} MB cap ([limits] worker_memory_mb), or "
                       if self.memory_mb else "")
                raise WorkerDied("the worker process reading it died (" + cap +
                                 "a crash in an image or OCR library)") from None

    def shutdown(self, *, wait: bool = True, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown(wait=True, cancel_futures=exc[0] is not None)
