"""A watched inbox folder (``cardscan watch``): files dropped in are read once they stop
changing, stored, and moved to ``processed/``, ``failed/`` or ``duplicates/`` beside the inbox.

Modelled on paperless-ngx's consumer (wait until a file is stable, check the checksum before
OCR) and OCRmyPDF's watcher (one bad file never stops the loop). Nothing is ever deleted: a
file leaves the inbox only by being moved, after its card is committed to the database. Killed
at any moment, a restart reads whatever is still in the inbox; a file whose card was committed
before the kill is recognised by its checksum and path, and moved on without a second copy.

The watcher never leaves its folder: every path is checked, component by component, to lie
inside the inbox without passing through a link (a link to a folder is never entered, whatever
the OS or the polling observer report), the outcome folders must be real folders beside it,
and special files (FIFOs, sockets, devices) are never opened. What it will not touch it says
once and leaves where it is. A storage condition (disk full, a locked or read-only database)
leaves the file in the inbox, to be read when it clears.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from ..errors import shown
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
_RETRY_STORAGE = 30.0  # seconds before a file that hit a storage condition is tried again


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


class OutsideInbox(Exception):
    """A path that leads out of the inbox (through a link) or to something not a file."""


class Inbox:
    """The inbox and its three outcome folders (siblings of the inbox)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(os.path.realpath(folder))
        if not self.folder.is_dir():
            raise FileNotFoundError(f"{folder} is not a folder")
        self.outcomes = {name: self.folder.parent / name for name in OUTCOMES}
        for folder in self.outcomes.values():
            if os.path.lexists(folder) and not stat.S_ISDIR(os.lstat(folder).st_mode):
                raise OutsideInbox(f"{shown(folder)} is not a folder (a link?); cardscan "
                                   "moves nothing there: remove it or watch another inbox")

    def relative(self, path: Path) -> Path:
        """``path`` relative to the inbox, when every folder on the way is a real folder
        inside it (no link, no ``..``); raises OutsideInbox otherwise."""
        try:
            # abspath, not resolve(): the links on the way are what is checked below.
            relative = Path(os.path.abspath(path)).relative_to(self.folder)  # noqa: PTH100
        except ValueError:
            raise OutsideInbox(f"{shown(path)} is not inside {shown(self.folder)}") from None
        if ".." in relative.parts:
            raise OutsideInbox(f"{shown(path)} climbs out of the inbox")
        here = self.folder
        for part in relative.parts[:-1]:
            here = here / part
            if not stat.S_ISDIR(os.lstat(here).st_mode):  # a link to a folder is not entered
                raise OutsideInbox(f"{shown(here)} is a link, not a folder of the inbox; "
                                   "cardscan does not follow it")
        return relative

    def event_of(self, path: Path) -> str | None:
        """``inbox/CES 2027/card.jpg`` was met at "CES 2027"."""
        parent = self.relative(path).parent
        return parent.parts[0] if parent.parts else None

    def walk(self, report: Callable[[str], None]) -> Iterator[Path]:
        """Every entry below the inbox that is not a folder, without entering linked folders
        (links themselves are listed: the caller decides)."""
        for root, dirs, files in os.walk(self.folder, followlinks=False,
                                         onerror=lambda e: report(
                                             f"warning: {shown(e.filename)}: {e.strerror}")):
            base = Path(root)
            for name in dirs:
                if (base / name).is_symlink():
                    files.append(name)  # a link to a folder: reported, never entered
            dirs[:] = [d for d in dirs if not (base / d).is_symlink()]
            yield from (base / name for name in files)

    def move(self, path: Path, outcome: str, reason: str | None = None) -> Path:
        """Move ``path`` (keeping its sub-folder) into an outcome folder; never overwrites,
        never through a link. A failed file gets ``NAME.error.txt`` beside it."""
        relative = self.relative(path)
        folder = self._outcome_folder(outcome, relative.parent)
        target, n = folder / relative.name, 1
        while os.path.lexists(target):
            stem = Path(relative.name)
            target = folder / f"{stem.stem} ({n}){stem.suffix}"
            n += 1
        path.rename(target)
        if reason is not None:
            note = target.with_name(target.name + ".error.txt")
            with note.open("w", encoding="utf-8", errors="backslashreplace") as f:
                f.write(reason + "\n")
        return target

    def _outcome_folder(self, outcome: str, sub: Path) -> Path:
        """The outcome folder (and sub-folder), made when missing; each must be a real
        folder where it should be, not a link somewhere else."""
        here = self.outcomes[outcome]
        for part in (None, *sub.parts):
            if part is not None:
                here = here / part
            if os.path.lexists(here):
                if not stat.S_ISDIR(os.lstat(here).st_mode):
                    raise OutsideInbox(f"{shown(here)} is not a folder (a link?); cardscan "
                                       "moves nothing there")
            else:
                here.mkdir()
        return here


class _Events(FileSystemEventHandler):
    def __init__(self, seen: queue.SimpleQueue[Path]) -> None:
        self.seen = seen

    def on_any_event(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            for p in (event.src_path, getattr(event, "dest_path", "")):
                if p:
                    self.seen.put(Path(os.fsdecode(p)))


class Watcher:
    """Reads stable files from an inbox, one card at a time, until ``stop`` is set."""

    def __init__(self, inbox: Path, db: Database, ctx: Context,
                 settings: WatchSettings = WatchSettings(),
                 report: Callable[[str], None] = print) -> None:
        self.inbox = Inbox(inbox)
        self.db, self.ctx, self.settings, self.report = db, ctx, settings, report
        self.stop = threading.Event()
        self.not_stored = 0  # files left in the inbox by a storage condition
        self._seen: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self._state: dict[Path, tuple[int, int, float]] = {}  # size, mtime_ns, unchanged since
        self._ready_since: dict[Path, float] = {}
        self._told: set[Path] = set()  # what was reported once and is left alone
        self._retry_at: dict[Path, float] = {}  # storage conditions: not before then

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
                if once and not set(self._state) - set(self._retry_at):
                    break
                self.stop.wait(self.settings.tick)
        finally:
            if observer is not None:
                observer.stop()
                observer.join()
        return moved

    # --- which files are ready --------------------------------------------------------------

    def _look_everywhere(self) -> None:
        for path in self.inbox.walk(self._tell_once_text):
            self._seen.put(path)

    def _take_events(self) -> None:
        while True:
            try:
                path = self._seen.get_nowait()
            except queue.Empty:
                return
            if path in self._state or path == self.inbox.folder:
                continue
            if (kind := self._admit(path)) is not None:
                self._state[path] = (-1, -1, time.monotonic())
            elif kind is None and not os.path.lexists(path):
                self._told.discard(path)

    def _admit(self, path: Path) -> str | None:
        """Whether to watch ``path``: a regular file (or a link, refused later) of the inbox
        that is not junk. What is left alone for good is reported once."""
        try:
            relative = self.inbox.relative(path)
            info = os.lstat(path)
        except OutsideInbox as e:
            self._tell_once(path, f"left alone: {e}")
            return None
        except FileNotFoundError:
            return None
        except OSError as e:
            self._tell_once(path, f"left alone: {shown(path)}: {e.strerror}")
            return None
        if is_junk(self.inbox.folder / relative, self.inbox.folder):
            return None
        if stat.S_ISLNK(info.st_mode):
            target = _link_target(path)
            if target is None or not target.is_file():
                what = "a link that leads nowhere (or in a loop)" if target is None else (
                    "a link to a folder" if target.is_dir() else "a link to a special file")
                self._tell_once(path, f"left alone: {shown(path)} is {what}; cardscan does "
                                      "not follow it")
                return None
            return "link"
        if stat.S_ISDIR(info.st_mode):
            return None
        if not stat.S_ISREG(info.st_mode):
            self._tell_once(path, f"left alone: {shown(path)} is not a regular file (a FIFO, "
                                  "socket or device); cardscan never opens it")
            return None
        return "file"

    def _tell_once(self, path: Path, message: str) -> None:
        if path not in self._told:
            self._told.add(path)
            self.report(f"warning: {message}")

    def _tell_once_text(self, message: str) -> None:
        self._tell_once(Path(message), message.removeprefix("warning: "))

    def _stable(self) -> list[Path]:
        """Files whose size and mtime have not changed for ``settle`` seconds."""
        now, ready = time.monotonic(), []
        for path, (size, mtime, since) in list(self._state.items()):
            if self._retry_at.get(path, 0) > now:
                continue
            try:
                st = path.lstat()
            except FileNotFoundError:  # moved away or deleted by someone else
                self._forget(path)
                continue
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                self._state[path] = (st.st_size, st.st_mtime_ns, now)
                self._ready_since.pop(path, None)
            elif now - since >= self.settings.settle:
                ready.append(path)
                self._ready_since.setdefault(path, now)
        return sorted(ready)

    def _forget(self, path: Path) -> None:
        self._state.pop(path, None)
        self._ready_since.pop(path, None)
        self._retry_at.pop(path, None)

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
        except OutsideInbox as e:
            self._forget(job.front)
            self._tell_once(job.front, f"left alone: {e}")
        except OSError as e:
            self.report(f"error: {shown(job.front)}: {e.strerror or e}; left where it is")
        except Exception as e:
            log.debug("unexpected error on %s", shown(job.front), exc_info=True)
            self.report(f"error: {shown(job.front)}: internal error {type(e).__name__}: {e} "
                        "(please report it); left where it is")
        return 0

    def _process(self, job: Job) -> int:
        files = [job.front] + ([job.back] if job.back else [])
        for path in files:
            self.inbox.relative(path)  # still inside, through real folders only
        if problem := self._refuse(job.front):
            for path in files:
                self._forget(path)
            self.inbox.move(job.front, "failed", problem)
            self.report(f"failed: {shown(job.front)}: {problem}")
            return 1
        event = self.inbox.event_of(job.front)
        ctx = self.ctx if self.ctx.event or not event else dataclasses.replace(self.ctx,
                                                                                 event=event)
        results = list(ingest_many([job], self.db, ctx))
        if self.stop.is_set() and any(r.status is Status.FAILED for r in results):
            return 0  # interrupted mid-card (Ctrl+C reaches Tesseract too): retried next start
        if any(r.status is Status.NOT_STORED for r in results):
            self.not_stored += 1
            for path in files:  # left in the inbox; tried again when the condition may be gone
                self._retry_at[path] = time.monotonic() + _RETRY_STORAGE
            for result in results:
                self.report(f"not stored: {result.message}")
            return 0
        for path in files:
            self._forget(path)
        outcome, reason = self._outcome(job, results)
        for path in files:
            if os.path.lexists(path):  # gone already: someone took it back
                self.inbox.move(path, outcome, reason)
        for result in results:
            self.report(_describe(result, outcome))
        return len(files)

    def _refuse(self, path: Path) -> str | None:
        if path.is_symlink():
            target = _link_target(path)
            if target is None or not _inside(target, self.inbox.folder):
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
            if self.db.scan_paths(loading.sha256_of(job.front)) & {shown(job.front.resolve())}:
                return "processed", None
            return "duplicates", None
        return "processed", None


def _link_target(path: Path) -> Path | None:
    """Where a link leads, or None for a loop or a link to nothing."""
    try:
        target = Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError):
        return None
    return target


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _describe(result: IngestResult, outcome: str) -> str:
    what = result.status.value.replace("_", " ")
    who = f" (contact {result.contact_id})" if result.contact_id else ""
    detail = f": {result.message}" if result.message and outcome == "failed" else ""
    return f"{what}{who}: {shown(result.path)} -> {outcome}/{detail}"
