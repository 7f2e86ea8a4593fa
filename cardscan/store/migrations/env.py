"""Alembic's entry point: cardscan always passes the open connection (store/migrate.py), so
there is no alembic.ini and no URL here."""

from __future__ import annotations

from alembic import context

from cardscan.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
