"""Events recorded before their cards arrive (the calendar holds follow-up time after each),
and how to say a contact's name (from the back of the card, or typed on the card page).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("pronunciation", sa.Text))
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False))
    op.create_index("ix_events_lower_name", "events", [sa.text("lower(name)")], unique=True)


def downgrade() -> None:
    raise NotImplementedError("cardscan databases are moved forward only")
