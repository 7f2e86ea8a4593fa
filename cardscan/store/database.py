"""Opening a database (any SQLAlchemy URL; SQLite by default) and running transactions on it."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from ..errors import StorageConflict, StorageError
from .scans import ScanStore
from .schema import Base
from .transaction import Transaction
from .views import ContactView, TaskView


class Database:
    """An open cardscan database plus the scan store where the images are kept. ``store``
    None: ``scans/`` beside a SQLite file, else in the user's data directory."""

    def __init__(self, url: str, *, store: Path | None = None, readonly: bool = False,
                 busy_seconds: float = 30.0) -> None:
        self.url, self.readonly = url, readonly
        self.engine = (_connect_readonly(url) if readonly
                       else _connect(url, busy_ms=int(busy_seconds * 1000)))
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
        return _parse(self.url).render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One transaction: committed on success, rolled back on any error."""
        with self._sessions() as session:
            try:
                yield Transaction(session, self.scans)
                session.commit()
            except IntegrityError as e:
                session.rollback()
                raise StorageConflict(f"database {self.safe_url}: {reason(e)}") from e
            except SQLAlchemyError as e:
                session.rollback()
                raise StorageError(f"database {self.safe_url}: {reason(e)}") from e
            except BaseException:
                session.rollback()
                raise

    # The reads most callers want, each in a transaction of its own.

    def has_scan(self, sha256: str) -> bool:
        with self.transaction() as tx:
            return tx.has_scan(sha256)

    def scan_paths(self, sha256: str) -> set[str]:
        with self.transaction() as tx:
            return tx.scan_paths(sha256)

    def contacts(self) -> list[ContactView]:
        with self.transaction() as tx:
            return tx.contacts()

    def tasks(self, **filters: Any) -> list[TaskView]:
        """See :meth:`Transaction.tasks` for the filters."""
        with self.transaction() as tx:
            return tx.tasks(**filters)


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


def _connect(url: str, *, busy_ms: int = 30_000) -> Engine:
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
        _create_or_upgrade(engine)
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


def _create_or_upgrade(engine: Engine) -> None:
    """Create the tables and add missing columns. Two cardscans opening a new database at the
    same moment both see a table missing; the one that loses the race sees it made."""
    for attempt in range(3):
        try:
            Base.metadata.create_all(engine)
            _add_missing_columns(engine)
            return
        except OperationalError as e:
            raced = "already exists" in str(e) or "duplicate column" in str(e)
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


def _add_missing_columns(engine: Engine) -> None:
    """Upgrade a database made by an older cardscan: add the columns it lacks (new columns
    are always nullable, so existing rows stay valid)."""
    existing = inspect(engine)
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have:
                    kind = column.type.compile(dialect=engine.dialect)
                    connection.execute(text(
                        f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))


def _default_store(parsed: URL) -> Path:
    """Beside a SQLite file, else in the user's data directory."""
    if (path := _sqlite_file(parsed)) is not None:
        return path.resolve().parent / "scans"
    return user_data_path("cardscan") / "scans"
