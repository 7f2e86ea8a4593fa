"""What was synced where (CardDAV contacts, CalDAV follow-ups): the remote item's address and
ETag and a digest of what was sent, so the next sync sends only changes and never overwrites
an item changed on the server since; the server's version when they conflict.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "synced",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("collection", sa.Text, nullable=False),  # the address book or calendar URL
        sa.Column("kind", sa.String(16), nullable=False),  # contact | task
        sa.Column("local_id", sa.Integer, nullable=False),
        sa.Column("href", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("conflict", sa.Text),  # the server's version, when it changed meanwhile
        sa.Column("synced_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("collection", "kind", "local_id"))


def downgrade() -> None:
    raise NotImplementedError("cardscan databases are moved forward only")
