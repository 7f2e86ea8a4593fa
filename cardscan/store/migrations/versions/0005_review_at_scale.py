"""The review page at 10,000 contacts and for a team: each contact's place in the review queue
kept with it (so the database sorts and pages the queue), a trash (deleted_at) and merges
(merged_into) that remove nothing, a settings table for the review page's password hash, and
indexes for the same-person lookups (a batch of 10,000 cards scanned every contact per card).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from cardscan.store.views import rank

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("weakest", sa.Float, nullable=False, server_default="0"))
        batch.add_column(sa.Column("checks", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("deleted_at", sa.DateTime))
        batch.add_column(sa.Column("merged_into", sa.Integer))
    op.create_index("ix_contacts_queue", "contacts", ["reviewed", "weakest", "id"])
    # The same-person lookups (any case) by index, not a scan of every contact per card.
    for name, table, column in (("ix_contacts_lower_name", "contacts", "name"),
                                ("ix_contacts_lower_family_name", "contacts", "family_name"),
                                ("ix_contacts_lower_company", "contacts", "company"),
                                ("ix_emails_lower_address", "emails", "address")):
        op.create_index(name, table, [sa.text(f"lower({column})")])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False))
    _rank_every_contact()


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _rank_every_contact() -> None:
    """Each stored contact's queue place, as ``views.rank`` gives it from the contact's
    confidence merged with its latest meeting's."""
    connection = op.get_bind()
    contacts = sa.table("contacts", sa.column("id"), sa.column("confidence"),
                        sa.column("alternatives"), sa.column("weakest"), sa.column("checks"))
    notes = sa.table("notes", sa.column("id"), sa.column("contact_id"), sa.column("met_on"),
                     sa.column("confidence"))
    latest: dict[int, Any] = {}
    for contact_id, confidence in connection.execute(
            sa.select(notes.c.contact_id, notes.c.confidence)
            .order_by(notes.c.met_on, notes.c.id)):
        latest[contact_id] = _json(confidence)  # the last one per contact wins
    for contact_id, confidence, alternatives in connection.execute(
            sa.select(contacts.c.id, contacts.c.confidence, contacts.c.alternatives)).all():
        merged = {**(_json(confidence) or {}), **(latest.get(contact_id) or {})}
        weakest, checks = rank(merged, _json(alternatives))
        connection.execute(contacts.update().where(contacts.c.id == contact_id)
                           .values(weakest=weakest, checks=checks))


def downgrade() -> None:
    raise NotImplementedError("cardscan databases are moved forward only")
