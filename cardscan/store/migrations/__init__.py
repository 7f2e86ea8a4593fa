"""Alembic migrations of the cardscan schema (``cardscan db upgrade``); see ``store/schema.py``
for today's tables. Each file under ``versions/`` is frozen once released: it describes the
change it makes with its own table definitions, never with ``schema.py``."""
