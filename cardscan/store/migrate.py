"""Schema versions (Alembic): which revision a database is at, and moving it forward.

Opening a database reads its revision with one query and imports Alembic only when there is
something to do (Alembic's import costs 0.15 s, which `cardscan tasks` would pay on every run).
A new database is created at the newest revision; an older SQLite file is upgraded on open;
an older PostgreSQL database waits for `cardscan db upgrade`, since a team shares it and
several cardscan versions may be reading it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    column,
    create_engine,
    event,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy.pool import NullPool

from ..errors import StorageError
from .revisions import HEAD, ORDER

_VERSION_TABLE = "alembic_version"
# A PostgreSQL advisory lock held while migrating: two cardscans upgrading at once queue.
_LOCK_KEY = 0x63617264  # "card"


@dataclass(frozen=True)
class SchemaState:
    revision: str | None  # None: no version table
    has_tables: bool  # a release before versioning wrote it (or someone else's tables)

    @property
    def current(self) -> bool:
        return self.revision == HEAD

    @property
    def empty(self) -> bool:
        return self.revision is None and not self.has_tables

    @property
    def newer(self) -> bool:
        """Written by a newer cardscan (a revision this one does not know)."""
        return self.revision is not None and self.revision not in ORDER

    def describe(self) -> str:
        if self.empty:
            return "empty (no cardscan tables yet)"
        if self.revision is None:
            return "written before schema versions (revision 0000)"
        return f"at revision {self.revision}"


def state(connection: Connection) -> SchemaState:
    names = set(inspect(connection).get_table_names())
    revision = None
    if _VERSION_TABLE in names:
        version = table(_VERSION_TABLE, column("version_num"))
        revision = connection.execute(select(version.c.version_num)).scalar()
    return SchemaState(revision, bool(names - {_VERSION_TABLE}))


def prepare(engine: Engine, *, upgrade: bool) -> SchemaState:
    """Bring the database to HEAD when allowed (``upgrade``, a SQLite file, or an empty
    database); otherwise say what to run. Returns the state it found."""
    with engine.connect() as connection:
        found = state(connection)
    if found.current:
        return found
    if found.newer:
        raise StorageError(f"database {_shown(engine)} is at schema revision {found.revision}, "
                           f"newer than this cardscan knows ({HEAD}); upgrade cardscan")
    if not (upgrade or found.empty or engine.dialect.name == "sqlite"):
        raise StorageError(f"database {_shown(engine)} is {found.describe()}; this cardscan "
                           f"needs revision {HEAD}: run `cardscan db upgrade --db URL` once "
                           "(back the database up first)")
    _run_upgrade(engine)
    return found


def _run_upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "cardscan.store:migrations")
    if engine.dialect.name == "sqlite":
        engine = _exclusive(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _exclusive(engine: Engine) -> Engine:
    """A SQLite engine whose transactions are BEGIN EXCLUSIVE and include DDL (Python's
    sqlite3 otherwise runs CREATE TABLE outside any transaction): the whole upgrade is one
    transaction that a second cardscan opening the same new file waits for (two batches and a
    watcher starting at once raced to "table identity already exists" before)."""
    locked = create_engine(engine.url, poolclass=NullPool)

    @event.listens_for(locked, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # cardscan says when a transaction begins
        dbapi_connection.execute("PRAGMA busy_timeout = 60000")

    @event.listens_for(locked, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN EXCLUSIVE")

    return locked


def script_head() -> Any:
    """The head revision as Alembic reads it from the migration files."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "cardscan.store:migrations")
    return ScriptDirectory.from_config(config).get_current_head()


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
