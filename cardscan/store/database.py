"""Opening a database (any SQLAlchemy URL; SQLite by default) and running transactions on it."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..errors import NotFoundError, StorageConflict, StorageError
from . import migrate
from .scans import ScanStore
from .schema import FIND_SCAN
from .transaction import Transaction
from .views import ContactView, TaskView


class Database:
    """An open cardscan database plus the scan store where the images are kept. ``store``
    None: ``scans/`` beside a SQLite file, else in the user's data directory."""

    def __init__(self, url: str, *, store: Path | None = None, readonly: bool = False,
                 busy_seconds: float = 30.0, upgrade: bool = False) -> None:
        self.url, self.readonly = url, readonly
        self.engine = (_connect_readonly(url) if readonly
                       else _connect(url, busy_ms=int(busy_seconds * 1000), upgrade=upgrade))
        self.scans = ScanStore(store or _default_store(_parse(url)))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def existing(cls, url: str, *, store: Path | None = None,
                 busy_seconds: float = 30.0) -> Database | None:
        """The database when it is already there, for reading: None for a SQLite file that
        does not exist (read-only commands and dry runs never create one); a SQLite file that
        cannot be written (a read-only disk or folder) is opened read-only."""
        parsed = _parse(url)
        if _missing_sqlite_file(parsed):
            return None
        path = _sqlite_file(parsed)
        writable = path is None or (os.access(path, os.W_OK)
                                    and os.access(path.parent, os.W_OK))
        try:
            return cls(url, store=store, readonly=not writable, busy_seconds=busy_seconds)
        except StorageError as e:
            if path is None or "readonly" not in str(e).replace("-", "").lower():
                raise
            return cls(url, store=store, readonly=True)

    @property
    def store(self) -> Path:
        return self.scans.root

    @property
    def safe_url(self) -> str:
        return shown_url(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One transaction: committed on success, rolled back on any error."""
        with self._sessions() as session:
            try:
                tx = Transaction(session, self.scans)
                yield tx
                tx.rerank()
                session.commit()
            except IntegrityError as e:
                session.rollback()
                raise StorageConflict(f"database {self.safe_url}: {reason(e)}") from e
            except StaleDataError as e:
                session.rollback()
                raise StorageConflict(f"database {self.safe_url}: someone else changed it at "
                                      "the same moment; reload and try again") from e
            except SQLAlchemyError as e:
                session.rollback()
                raise StorageError(f"database {self.safe_url}: {reason(e)}") from e
            except BaseException:
                session.rollback()
                raise

    @functools.cached_property
    def identity(self) -> uuid.UUID:
        """This database's identity (made with it): the namespace of every exported UID."""
        with self.transaction() as tx:
            return tx.identity()

    # The reads most callers want, each in a transaction of its own.

    def has_scan(self, sha256: str) -> bool:
        """Asked of every file before it is read: one Core statement, no ORM session (the
        batch parent's time per card is what 2 workers wait on)."""
        try:
            with self.engine.connect() as connection:
                return connection.execute(FIND_SCAN, {"sha256": sha256}).first() is not None
        except SQLAlchemyError as e:
            raise StorageError(f"database {self.safe_url}: {reason(e)}") from e

    def scan_paths(self, sha256: str) -> set[str]:
        with self.transaction() as tx:
            return tx.scan_paths(sha256)

    def contacts(self, ids: Iterable[int] | None = None) -> list[ContactView]:
        with self.transaction() as tx:
            return tx.contacts(ids)

    def close(self) -> None:
        """Close the database's connections (the object is not used after)."""
        self.engine.dispose()

    def tasks(self, **filters: Any) -> list[TaskView]:
        """See :meth:`Transaction.tasks` for the filters."""
        with self.transaction() as tx:
            return tx.tasks(**filters)


def shown_url(url: str) -> str:
    """The URL as it may be shown (no password)."""
    return _parse(url).render_as_string(hide_password=True)


def schema_state(url: str) -> migrate.SchemaState:
    """Where the database at ``url`` stands against this cardscan's schema; changes nothing
    (`cardscan db check`)."""
    parsed = _parse(url)
    if _missing_sqlite_file(parsed):
        raise NotFoundError(f"no database at {url}")
    engine = create_engine(parsed)
    try:
        with engine.connect() as connection:
            return migrate.state(connection)
    except (SQLAlchemyError, ImportError) as e:
        raise StorageError(f"cannot open database {parsed.render_as_string()}: "
                           f"{reason(e)}") from e
    finally:
        engine.dispose()


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError as e:
        raise StorageError(f"{url!r} is not a database URL (e.g. sqlite:///cards.db)") from e


def _sqlite_file(parsed: URL) -> Path | None:
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        return Path(str(parsed.database)).expanduser()
    return None


def _missing_sqlite_file(parsed: URL) -> bool:
    path = _sqlite_file(parsed)
    return path is not None and not path.exists()


def _connect(url: str, *, busy_ms: int = 30_000, upgrade: bool = False) -> Engine:
    parsed = _parse(url)
    if (path := _sqlite_file(parsed)) is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError(f"cannot create the folder for {path}: {e.strerror or e}") from e
    try:
        engine = create_engine(parsed)
        if parsed.drivername.startswith("sqlite"):
            event.listen(engine, "connect", functools.partial(_sqlite_pragmas, busy_ms=busy_ms))
        _create_or_upgrade(engine, upgrade=upgrade)
    except (SQLAlchemyError, ImportError) as e:
        raise StorageError(f"cannot open database {parsed.render_as_string()}: "
                           f"{reason(e)}") from e
    return engine


def reason(error: Exception) -> str:
    """The driver's own message, on one line (SQLAlchemy adds the statement and a link)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _connect_readonly(url: str) -> Engine:
    """A SQLite file opened read-only: no schema change, no journal change. A WAL database in
    a folder that cannot be written has no shared-memory file to read through; it is then read
    as immutable (nothing else can be writing to a read-only disk)."""
    parsed = _parse(url)
    path = _sqlite_file(parsed)
    if path is None:
        return _connect(url)
    for flags in ("mode=ro", "immutable=1"):
        engine = create_engine(f"sqlite:///file:{path.resolve()}?{flags}&uri=true")
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT count(*) FROM sqlite_master"))
            return engine
        except SQLAlchemyError as e:
            engine.dispose()
            last = e
    raise StorageError(f"cannot open database {parsed.render_as_string()} read-only: "
                       f"{reason(last)}")


def _create_or_upgrade(engine: Engine, *, upgrade: bool) -> None:
    """The schema at the newest revision (see migrate.py for when it upgrades by itself). Two
    cardscans opening a new database at the same moment both see it empty; the one that loses
    the race finds it made."""
    for attempt in range(3):
        try:
            migrate.prepare(engine, upgrade=upgrade)
            return
        except (OperationalError, IntegrityError, ProgrammingError) as e:
            raced = any(s in str(e) for s in ("already exists", "duplicate", "UNIQUE"))
            if not raced or attempt == 2:
                raise


def _sqlite_pragmas(connection: Any, _record: Any, *, busy_ms: int) -> None:
    """WAL lets a watcher and a batch share one file (readers never block the writer); a
    writer waits (30 s by default) for the other's transaction instead of failing."""
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _default_store(parsed: URL) -> Path:
    """Beside a SQLite file, else in the user's data directory."""
    if (path := _sqlite_file(parsed)) is not None:
        return path.resolve().parent / "scans"
    return user_data_path("cardscan") / "scans"
