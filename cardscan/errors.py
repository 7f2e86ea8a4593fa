"""The cardscan error hierarchy; each error carries the exit code the CLI returns for it."""

from __future__ import annotations

import os
from enum import IntEnum
from pathlib import Path


def shown(path: Path | str) -> str:
    """A path as text that can always be printed, logged and stored: bytes of a name that are
    not UTF-8 (a file from another system) appear as \\xNN instead of failing later."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


class ExitCode(IntEnum):
    """What ``cardscan`` exits with. Documented in the README and in ``cardscan --help``; a
    test produces each one (tests/e2e/test_exit_codes.py)."""

    OK = 0
    UNEXPECTED = 1  # a fault in cardscan itself: one line here, the traceback in the log
    USAGE = 2  # bad arguments or settings (a pipeline file, a CARDSCAN_* variable)
    BAD_INPUT = 3  # a file could not be read as a card; a batch set some files aside
    MISSING_DEPENDENCY = 4  # Tesseract, a language pack or an optional engine is missing
    STORAGE = 5  # the database or the scan store could not be opened or written
    NOT_FOUND = 6  # no such contact, task, stored back or database
    INTERRUPTED = 130  # Ctrl+C (128 + SIGINT), as a shell reports it
    OUTPUT_CLOSED = 141  # the reader of stdout went away (`| head`): 128 + SIGPIPE


EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "done",
    ExitCode.UNEXPECTED: "a fault in cardscan itself (the traceback is in the log; please "
                         "report it)",
    ExitCode.USAGE: "bad arguments or settings",
    ExitCode.BAD_INPUT: "a file could not be read as a card; a batch set some files aside",
    ExitCode.MISSING_DEPENDENCY: "Tesseract, a language pack or an engine is not installed",
    ExitCode.STORAGE: "the database or the scan store could not be opened or written",
    ExitCode.NOT_FOUND: "no such contact, task, stored back or database",
    ExitCode.INTERRUPTED: "interrupted (Ctrl+C)",
    ExitCode.OUTPUT_CLOSED: "the output was closed early (| head); nothing was marked as "
                            "exported",
}


class CardscanError(Exception):
    """Base class: a fault the user can act on; the message says what to do."""

    exit_code = ExitCode.UNEXPECTED


class InputFileError(CardscanError):
    """A file that cannot be read as a card image."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{shown(path)}: {reason}")

    def __reduce__(self) -> tuple[type, tuple[Path, str]]:
        # Raised in a worker process, it must come back through pickle whole.
        return (type(self), (self.path, self.reason))


class MissingDependencyError(CardscanError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class OcrError(CardscanError):
    exit_code = ExitCode.UNEXPECTED


class StorageError(CardscanError):
    exit_code = ExitCode.STORAGE


class StorageConflict(StorageError):
    """Another writer stored the same thing at the same moment (a unique key was taken)."""


class NotFoundError(CardscanError):
    """No such contact, task, scan or database."""

    exit_code = ExitCode.NOT_FOUND


class ConfigError(CardscanError):
    exit_code = ExitCode.USAGE


class UsageError(CardscanError):
    """A request that cannot be done as asked (a task that is already done)."""

    exit_code = ExitCode.USAGE
