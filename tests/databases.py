"""The database the storage tests run on: a SQLite file by default; with
``CARDSCAN_TEST_DB=postgresql+psycopg://USER@HOST:PORT/postgres`` (what `python -m
tests.postgres` sets), a fresh database on that PostgreSQL server for each test.

Tests that go through storage are marked ``backends`` (``pytest -m backends`` is the
PostgreSQL pass of `make test`) and take their URL from ``database_url``."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

SERVER = os.environ.get("CARDSCAN_TEST_DB", "")


def on_postgres() -> bool:
    return SERVER.startswith("postgresql")


def database_url(tmp_path: Path, name: str = "cards") -> str:
    """A new, empty database for this test (the same one for the same ``tmp_path`` and
    ``name``)."""
    if not on_postgres():
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    database = "t_" + hashlib.sha1(f"{tmp_path}/{name}".encode()).hexdigest()[:16]
    with _admin().connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                    {"n": database}).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
    return make_url(SERVER).set(database=database).render_as_string(hide_password=False)


@cache
def _admin() -> Engine:
    return create_engine(SERVER, isolation_level="AUTOCOMMIT")


def drop_test_databases() -> None:
    """Every database the tests made on the server (end of the session)."""
    if not on_postgres():
        return
    with _admin().connect() as connection:
        names = connection.execute(text(
            "SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'")).scalars().all()
        for database in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
