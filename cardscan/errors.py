"""The cardscan error hierarchy; each error carries the exit code the CLI returns for it."""

from __future__ import annotations

from pathlib import Path


class ExitCode:
    """Documented process exit codes."""

    OK = 0
    FAILED = 1  # an unexpected fault
    USAGE = 2  # bad arguments or configuration
    SOME_FILES_FAILED = 3  # a batch finished, but some inputs were set aside
    MISSING_DEPENDENCY = 4  # Tesseract or a language pack is not installed
    STORAGE = 5  # the database could not be opened or written


class CardscanError(Exception):
    """Base class: a fault the user can act on; the message says what to do."""

    exit_code = ExitCode.FAILED


class InputFileError(CardscanError):
    """A file that cannot be read as a card image."""

    exit_code = ExitCode.SOME_FILES_FAILED

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def __reduce__(self) -> tuple[type, tuple[Path, str]]:
        # Raised in a worker process, it must come back through pickle whole.
        return (type(self), (self.path, self.reason))


class MissingDependencyError(CardscanError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class OcrError(CardscanError):
    exit_code = ExitCode.FAILED


class StorageError(CardscanError):
    exit_code = ExitCode.STORAGE


class ConfigError(CardscanError):
    exit_code = ExitCode.USAGE
