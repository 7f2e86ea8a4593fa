"""A random identity per database (the namespace of every exported UID, so two databases never
give the same UID), a sequence number and change time per task (a calendar re-import updates
an event only when its SEQUENCE rose), and each meeting's language (its drafts').

A database that exported contacts before keeps the namespace those exports used, so address
books that imported them update the same people instead of adding copies.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The fixed namespace of the releases before 0003 (export/vcard.py's NAMESPACE then).
LEGACY_NAMESPACE = "5c0e1d2a-8f4b-4c1e-9a57-3b6d2f1e0c48"


def upgrade() -> None:
    identity = op.create_table(
        "identity",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False))
    bind = op.get_bind()
    exported = bind.execute(sa.text("SELECT count(*) FROM exports")).scalar()
    op.bulk_insert(identity, [{"id": 1, "uuid": LEGACY_NAMESPACE if exported
                               else str(uuid.uuid4()),
                               "created_at": dt.datetime.now(dt.timezone.utc)
                               .replace(tzinfo=None)}])
    with op.batch_alter_table("tasks") as tasks:
        tasks.add_column(sa.Column("sequence", sa.Integer, nullable=False,
                                   server_default="0"))
        tasks.add_column(sa.Column("updated_at", sa.DateTime, nullable=True))
    op.add_column("notes", sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("cardscan databases are moved forward only")
