"""Cards uploaded through the review page: kept in the scan store's ``uploads/`` folder, then
read and stored by the same path as ``cardscan batch`` (same checks, duplicates, pairing of
``x_front``/``x_back`` names, errors per file), in a worker process with the batch's memory
cap, so a hostile upload fails alone and never takes the review page down.

The review app gets ``Uploads.ingest`` as a plain callable: it never imports the OCR driver.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from werkzeug.utils import secure_filename

from ..config import Pipeline
from ..model import IngestResult
from ..store import Database


class Uploads:
    def __init__(self, db: Database, settings: Pipeline) -> None:
        self.db, self.settings = db, settings

    @property
    def folder(self) -> Path:
        return self.db.store / "uploads"

    def keep(self, files: Sequence[tuple[str, bytes]], *, now: dt.datetime) -> list[Path]:
        """Write the files into a folder of their own under ``uploads/`` (never overwriting:
        the folder is new), under names safe on any disk."""
        batch = self.folder / f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        batch.mkdir(parents=True)
        paths = []
        for i, (given, data) in enumerate(files):
            name = secure_filename(given) or f"upload-{i + 1}"
            path = batch / name
            if path.exists():  # two files of one name in one upload
                path = batch / f"{i + 1}-{name}"
            path.write_bytes(data)
            paths.append(path)
        return paths

    def ingest(self, files: Sequence[tuple[str, bytes]]) -> list[IngestResult]:
        """Keep and read the files (the name the browser gave, the bytes); one result per
        card (or per file that failed)."""
        from ..pipeline import Context, ingest_many, warm
        from ..workers import WorkerPool
        from .pairing import collect_jobs

        now = dt.datetime.now()
        paths = self.keep(files, now=now)
        jobs = collect_jobs(paths)
        limits = self.settings.limits
        # forkserver: the review app has threads (the server's, the browser's requests), and
        # a forked copy of a threaded process can hang on a lock another thread held.
        pool = WorkerPool(1, memory_mb=limits.worker_memory_mb,
                          prepare=partial(warm, self.settings), start="forkserver")
        try:
            ctx = Context(pipeline=self.settings, today=now.date())
            return list(ingest_many(jobs, self.db, ctx, executor=pool))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
