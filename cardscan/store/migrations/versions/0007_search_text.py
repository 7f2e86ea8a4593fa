"""A folded search text per contact (any case, no accents: "lefevre" finds "Lefèvre" on
SQLite as on PostgreSQL), written with the contact; filled here for the stored ones.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from cardscan.store.search import contact_values, search_text

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("search", sa.Text, nullable=False, server_default=""))
    _fill()


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _fill() -> None:
    connection = op.get_bind()
    contacts = sa.table("contacts", *map(sa.column, (
        "id", "name", "company", "title", "department", "website", "address",
        "pronunciation", "search")))
    notes = sa.table("notes", *map(sa.column, ("contact_id", "event", "text", "topics",
                                               "actions")))
    emails = sa.table("emails", sa.column("contact_id"), sa.column("address"))
    phones = sa.table("phones", sa.column("contact_id"), sa.column("number"))
    meetings: dict[int, list[tuple[Any, ...]]] = {}
    for contact_id, event, text, topics, actions in connection.execute(sa.select(notes)):
        meetings.setdefault(contact_id, []).append((event, text, _json(topics),
                                                    _json(actions)))
    mails: dict[int, list[str]] = {}
    for contact_id, address in connection.execute(sa.select(emails)):
        mails.setdefault(contact_id, []).append(address)
    numbers: dict[int, list[str]] = {}
    for contact_id, number in connection.execute(sa.select(phones)):
        numbers.setdefault(contact_id, []).append(number)
    for row in connection.execute(sa.select(contacts)).all():
        text = search_text(contact_values(row, mails.get(row.id, ()), meetings.get(row.id, ())),
                           numbers.get(row.id, ()))
        connection.execute(contacts.update().where(contacts.c.id == row.id)
                           .values(search=text))


def downgrade() -> None:
    raise NotImplementedError("cardscan databases are moved forward only")
