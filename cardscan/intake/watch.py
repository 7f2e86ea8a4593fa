"""A watched inbox folder (``cardscan watch``): files dropped in are read once they stop
changing, stored, and moved to ``processed/``, ``failed/`` or ``duplicates/`` beside the inbox.

Modelled on paperless-ngx's consumer (wait until a file is stable, check the checksum before
OCR) and OCRmyPDF's watcher (one bad file never stops the loop). Nothing is ever deleted: a
file leaves the inbox only by being moved, after its card is committed to the database. Killed
at any moment, a restart reads whatever is still in the inbox; a file whose card was committed
before the kill is recognised by its checksum and path, and moved on without a second copy.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from ..model import IngestResult, Status
from ..pipeline import Context, ingest_many
from ..read import loading
from ..store import Database
from .pairing import Job, names_one_side, pair_sides

log = logging.getLogger(__name__)

# Files a scanner, browser, sync tool or OS writes before (or beside) the real one.
_JUNK_SUFFIXES = {".part", ".crdownload", ".tmp", ".temp", ".partial", ".download", ".swp",
                  ".filepart", ".!sync", ".icloud"}
_JUNK_NAMES = {"thumbs.db", "desktop.ini", "icon\r"}
_JUNK_DIRS = {"@eadir", "#recycle", "$recycle.bin", "lost+found"}
OUTCOMES = ("processed", "failed", "duplicates")


@dataclass(frozen=True)
class WatchSettings:
    settle: float = 2.0  # seconds a file's size and mtime must stay the same
    back_wait: float = 30.0  # seconds a front named x_front waits for x_back (and vice versa)
    tick: float = 0.25  # how often the inbox is looked at
    polling: bool = False  # stat the folder instead of OS events (network shares)


def is_junk(path: Path, inbox: Path) -> bool:
    """Temporary, hidden and sync-tool files, which are left alone where they are."""
    parts = path.relative_to(inbox).parts
    name = parts[-1].lower()
    return (any(p.startswith(".") or p.lower() in _JUNK_DIRS for p in parts)
            or name.startswith("~$") or name in _JUNK_NAMES
            or Path(name).suffix in _JUNK_SUFFIXES)


class Inbox:
    """The inbox and its three outcome folders (siblings of the inbox)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        if not self.folder.is_dir():
            raise FileNotFoundError(f"{folder} is not a folder")
        self.outcomes = {name: self.folder.parent / name for name in OUTCOMES}

    def event_of(self, path: Path) -> str | None:
        """``inbox/CES 2027/card.jpg`` was met at "CES 2027"."""
        parent = path.parent.relative_to(self.folder)
        return parent.parts[0] if parent.parts else None

    def move(self, path: Path, outcome: str, reason: str | None = None) -> Path:
        """Move ``path`` (keeping its sub-folder) into an outcome folder; never overwrites.
        A failed file gets ``NAME.error.txt`` beside it with the reason."""
        target = self.outcomes[outcome] / path.relative_to(self.folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        stem, n = target, 1
        while target.exists() or target.is_symlink():
            target = stem.with_name(f"{stem.stem} ({n}){stem.suffix}")
            n += 1
        path.rename(target)
        if reason is not None:
            target.with_name(target.name + ".error.txt").write_text(reason + "\n",
                                                                     encoding="utf-8")
        return target


class _Events(FileSystemEventHandler):
    def __init__(self, seen: queue.SimpleQueue[Path]) -> None:
        self.seen = seen

    def on_any_event(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            for p in (event.src_path, getattr(event, "dest_path", "")):
                if p:
                    self.seen.put(Path(str(p)))


class Watcher:
    """Reads stable files from an inbox, one card at a time, until ``stop`` is set."""

    def __init__(self, inbox: Path, db: Database, ctx: Context,
                 settings: WatchSettings = WatchSettings(),
                 report: Callable[[str], None] = print) -> None:
        self.inbox = Inbox(inbox)
        self.db, self.ctx, self.settings, self.report = db, ctx, settings, report
        self.stop = threading.Event()
        self._seen: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self._state: dict[Path, tuple[int, int, float]] = {}  # size, mtime_ns, unchanged since
        self._ready_since: dict[Path, float] = {}

    def run(self, *, once: bool = False) -> int:
        """Watch until stopped (or, with ``once``, until the inbox is empty). Returns the
        number of files moved out of the inbox."""
        observer = None
        if not once:
            observer = PollingObserver(timeout=1) if self.settings.polling else Observer()
            observer.schedule(_Events(self._seen), str(self.inbox.folder), recursive=True)
            observer.start()
        moved = 0
        try:
            self._look_everywhere()
            last_sweep = time.monotonic()
            while not self.stop.is_set():
                if time.monotonic() - last_sweep > 30:  # events can be missed: sweep now and then
                    self._look_everywhere()
                    last_sweep = time.monotonic()
                self._take_events()
                for job in self._due_jobs(flush=once):
                    if self.stop.is_set():
                        break
                    moved += self._process_safely(job)
                if once and not self._state:
                    break
                self.stop.wait(self.settings.tick)
        finally:
            if observer is not None:
                observer.stop()
                observer.join()
        return moved

    # --- which files are ready --------------------------------------------------------------

    def _look_everywhere(self) -> None:
        for path in self.inbox.folder.rglob("*"):
            self._seen.put(path)

    def _take_events(self) -> None:
        while True:
            try:
                path = self._seen.get_nowait()
            except queue.Empty:
                return
            if (path not in self._state and path.is_relative_to(self.inbox.folder)
                    and path != self.inbox.folder and not path.is_dir()
                    and not is_junk(path, self.inbox.folder)):
                self._state[path] = (-1, -1, time.monotonic())

    def _stable(self) -> list[Path]:
        """Files whose size and mtime have not changed for ``settle`` seconds."""
        now, ready = time.monotonic(), []
        for path, (size, mtime, since) in list(self._state.items()):
            try:
                st = path.lstat()
            except FileNotFoundError:  # moved away or deleted by someone else
                self._state.pop(path)
                self._ready_since.pop(path, None)
                continue
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                self._state[path] = (st.st_size, st.st_mtime_ns, now)
                self._ready_since.pop(path, None)
            elif now - since >= self.settings.settle:
                ready.append(path)
                self._ready_since.setdefault(path, now)
        return sorted(ready)

    def _due_jobs(self, *, flush: bool) -> list[Job]:
        """Stable files as cards: a front and its back together; one side named as half of
        a pair waits up to ``back_wait`` for the other (``flush``: not at all)."""
        stable = self._stable()
        jobs, now = [], time.monotonic()
        for job in pair_sides(stable):
            if job.back is None and not flush:
                waiting = now - self._ready_since[job.front] < self.settings.back_wait
                if waiting and (self._other_side_pending(job.front) or names_one_side(job.front)):
                    continue
            jobs.append(job)
        return jobs

    def _other_side_pending(self, path: Path) -> bool:
        others = [p for p in self._state if p != path and p.parent == path.parent]
        return any(job.back is not None for job in pair_sides(sorted([path, *others])))

    # --- one card ---------------------------------------------------------------------------

    def _process_safely(self, job: Job) -> int:
        """One file's trouble (gone, unmovable, a bug) is reported; the watcher goes on."""
        try:
            return self._process(job)
        except OSError as e:
            self.report(f"error: {job.front}: {e.strerror or e}; left where it is")
        except Exception as e:
            log.debug("unexpected error on %s", job.front, exc_info=True)
            self.report(f"error: {job.front}: internal error {type(e).__name__}: {e} "
                        "(please report it); left where it is")
        return 0

    def _process(self, job: Job) -> int:
        files = [job.front] + ([job.back] if job.back else [])
        for path in files:
            self._state.pop(path, None)
            self._ready_since.pop(path, None)
        if problem := self._refuse(job.front):
            self.inbox.move(job.front, "failed", problem)
            self.report(f"failed: {job.front}: {problem}")
            return 1
        event = self.inbox.event_of(job.front)
        ctx = self.ctx if self.ctx.event or not event else dataclasses.replace(self.ctx,
                                                                                 event=event)
        results = list(ingest_many([job], self.db, ctx))
        if self.stop.is_set() and any(r.status is Status.FAILED for r in results):
            return 0  # interrupted mid-card (Ctrl+C reaches Tesseract too): retried next start
        outcome, reason = self._outcome(job, results)
        for path in files:
            if path.exists() or path.is_symlink():  # gone already: someone took it back
                self.inbox.move(path, outcome, reason)
        for result in results:
            self.report(_describe(result, outcome))
        return len(files)

    def _refuse(self, path: Path) -> str | None:
        if path.is_symlink() and not path.resolve().is_relative_to(self.inbox.folder):
            return "a link to a file outside the inbox; cardscan does not follow it"
        if path.suffix.lower() not in loading.IMAGE_SUFFIXES:
            return (f"not a card image ({path.suffix or 'no extension'}); cardscan reads "
                    + ", ".join(sorted(loading.IMAGE_SUFFIXES)))
        return None

    def _outcome(self, job: Job, results: list[IngestResult]) -> tuple[str, str | None]:
        statuses = {r.status for r in results}
        if statuses & {Status.FAILED, Status.NO_TEXT}:
            return "failed", "; ".join(r.message for r in results
                                       if r.status in (Status.FAILED, Status.NO_TEXT))
        if statuses == {Status.DUPLICATE}:
            # Stored from this very path (the watcher was stopped before moving it): done.
            if self.db.scan_paths(loading.sha256_of(job.front)) & {str(job.front.resolve())}:
                return "processed", None
            return "duplicates", None
        return "processed", None


def _describe(result: IngestResult, outcome: str) -> str:
    what = result.status.value.replace("_", " ")
    who = f" (contact {result.contact_id})" if result.contact_id else ""
    detail = f": {result.message}" if result.message and outcome == "failed" else ""
    return f"{what}{who}: {result.path} -> {outcome}/{detail}"
