"""Adopt the schema of the releases before migrations: create it in a new database, or, in a
database an earlier release wrote (no version table yet), add the columns it lacks.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The tables as the last release without migrations (bd367ca) made them; frozen here.
meta = sa.MetaData()


def _contact_id() -> sa.Column[int]:
    """The column tying a row to its contact."""
    return sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id"), nullable=False,
                     index=True)


sa.Table(
    "contacts", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text), sa.Column("given_name", sa.Text),
    sa.Column("family_name", sa.Text), sa.Column("title", sa.Text),
    sa.Column("department", sa.Text), sa.Column("company", sa.Text),
    sa.Column("website", sa.Text), sa.Column("social", sa.JSON),
    sa.Column("address", sa.Text), sa.Column("confidence", sa.JSON, nullable=False),
    sa.Column("reviewed", sa.Boolean, nullable=False), sa.Column("marketing_consent", sa.Boolean),
    sa.Column("alternatives", sa.JSON), sa.Column("created_at", sa.DateTime, nullable=False))
sa.Table(
    "cards", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    _contact_id(),
    sa.Column("parsed", sa.JSON, nullable=False), sa.Column("warnings", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False))
sa.Table(
    "scans", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("part", sa.Integer, nullable=False), sa.Column("path", sa.Text, nullable=False),
    sa.Column("stored_path", sa.Text, nullable=False), sa.Column("view_path", sa.Text),
    sa.Column("side", sa.String(8), nullable=False),
    sa.Column("card_id", sa.Integer, sa.ForeignKey("cards.id")),
    sa.Column("raw_text", sa.Text, nullable=False), sa.Column("words", sa.JSON, nullable=False),
    sa.Column("engine", sa.String(32), nullable=False),
    sa.Column("engine_version", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False), sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("sha256", "part"))
sa.Table(
    "phones", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    _contact_id(),
    sa.Column("number", sa.String(32), nullable=False, index=True),
    sa.Column("type", sa.String(8), nullable=False), sa.Column("raw", sa.Text, nullable=False),
    sa.Column("extension", sa.String(16)))
sa.Table(
    "emails", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    _contact_id(),
    sa.Column("address", sa.String(320), nullable=False, index=True))
sa.Table(
    "notes", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    _contact_id(),
    sa.Column("card_id", sa.Integer, sa.ForeignKey("cards.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False), sa.Column("met_on", sa.Date, nullable=False),
    sa.Column("event", sa.Text), sa.Column("topics", sa.JSON, nullable=False),
    sa.Column("actions", sa.JSON, nullable=False),
    sa.Column("priority", sa.String(8), nullable=False),
    sa.Column("confidence", sa.JSON, nullable=False), sa.Column("met_known", sa.Boolean))
sa.Table(
    "corrections", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    _contact_id(),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("machine_value", sa.JSON, nullable=False), sa.Column("value", sa.JSON,
                                                                   nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False))
sa.Table(
    "exports", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    _contact_id(),
    sa.Column("format", sa.String(16), nullable=False, index=True),
    sa.Column("exported_at", sa.DateTime, nullable=False))
sa.Table(
    "tasks", meta,
    sa.Column("id", sa.Integer, primary_key=True),
    _contact_id(),
    sa.Column("note_id", sa.Integer, sa.ForeignKey("notes.id")),
    sa.Column("touch", sa.Integer, nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("due_on", sa.Date, nullable=False, index=True),
    sa.Column("state", sa.String(16), nullable=False), sa.Column("draft", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False), sa.Column("closed_on", sa.Date),
    sa.Column("outcome", sa.Text))


def upgrade() -> None:
    bind = op.get_bind()
    existing = sa.inspect(bind)
    have_tables = set(existing.get_table_names())
    # Tables a release made before; columns of later releases are nullable (they were added
    # on open then), so existing rows stay valid.
    for table in meta.sorted_tables:
        if table.name not in have_tables:
            continue
        have = {c["name"] for c in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                op.add_column(table.name, sa.Column(column.name, column.type, nullable=True))
    meta.create_all(bind, checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("cardscan databases are moved forward only")
