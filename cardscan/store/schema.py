"""The database schema (SQLAlchemy 2.0 declarative): scans, cards, contacts, phones, e-mails,
meetings (notes), corrections, exports and follow-up tasks. Table and column names are what
databases written by earlier releases hold; rename nothing here without a migration."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    pass


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class ScanRow(Base):
    """One image the user gave us: where it came from, its checksum and what OCR read."""

    __tablename__ = "scans"
    __table_args__ = (UniqueConstraint("sha256", "part"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the file's bytes
    part: Mapped[int] = mapped_column(Integer, default=0)  # which card in the file
    path: Mapped[str] = mapped_column(Text)  # where the user's file was
    stored_path: Mapped[str] = mapped_column(Text)  # our copy in the scan store
    # The card as cut out of the page, upright, as JPEG in the scan store (the review page
    # shows it); None for scans stored before cardscan kept it.
    view_path: Mapped[str | None] = mapped_column(Text)
    side: Mapped[str] = mapped_column(String(8))  # front | back
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    raw_text: Mapped[str] = mapped_column(Text, default="")
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [text, conf, l, t, w, h]
    engine: Mapped[str] = mapped_column(String(32))
    engine_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="ok")  # ok | no_text
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CardRow(Base):
    """A physical card: front scan, optional back scan, what the machine parsed from it."""

    __tablename__ = "cards"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    parsed: Mapped[dict[str, Any]] = mapped_column(JSON)  # the machine's fields + confidence
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    scans: Mapped[list[ScanRow]] = relationship()


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_queue", "reviewed", "weakest", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    given_name: Mapped[str | None] = mapped_column(Text)
    family_name: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    company: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    social: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    address: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Newsletters and marketing lists only with the contact's permission: off until the user
    # says so (cardscan consent CONTACT yes); None: not asked yet (rows of releases before
    # 0003 hold False for that too).
    marketing_consent: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # Values a later card gave that differ from the stored ones: {field: [value, ...]}.
    alternatives: Mapped[dict[str, list[str]] | None] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # The review queue's order, kept with the row so a page of 10,000 contacts is sorted and
    # cut by the database: the weakest confidence of any field found (the latest meeting's
    # included; 0: none found) and how many fields a person should check (``views.rank``).
    weakest: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    checks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # In the trash since then (restorable; nothing is removed), or merged into another
    # contact (its cards, meetings and follow-ups moved there; the row stays as it was).
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    merged_into: Mapped[int | None] = mapped_column(Integer)
    # How to say the name ("zo-AY leh-FEV"), from the back of a card or typed by a person.
    pronunciation: Mapped[str | None] = mapped_column(Text)
    # What a search looks through, folded (any case, no accents): ``store.search``.
    search: Mapped[str] = mapped_column(Text, default="", server_default="")
    phones: Mapped[list[PhoneRow]] = relationship(order_by="PhoneRow.id")
    emails: Mapped[list[EmailRow]] = relationship(order_by="EmailRow.id")
    notes: Mapped[list[NoteRow]] = relationship(order_by="NoteRow.id")


# The same-person rule looks people up by e-mail, name, family name and company in any case:
# without these a batch's lookup scanned every contact per card (10,000 cards: 254 s, most of
# it these scans).
Index("ix_contacts_lower_name", func.lower(ContactRow.name))
Index("ix_contacts_lower_family_name", func.lower(ContactRow.family_name))
Index("ix_contacts_lower_company", func.lower(ContactRow.company))


class PhoneRow(Base):
    __tablename__ = "phones"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    number: Mapped[str] = mapped_column(String(32), index=True)  # E.164
    type: Mapped[str] = mapped_column(String(8))
    raw: Mapped[str] = mapped_column(Text, default="")
    extension: Mapped[str | None] = mapped_column(String(16))


class EmailRow(Base):
    __tablename__ = "emails"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    address: Mapped[str] = mapped_column(String(320), index=True)


Index("ix_emails_lower_address", func.lower(EmailRow.address))


class NoteRow(Base):
    """One meeting with the contact, as the back of the card (or the batch) tells it."""

    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    met_on: Mapped[dt.date] = mapped_column(Date)
    event: Mapped[str | None] = mapped_column(Text)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    confidence: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # False: nothing said when or where (met_on is the scan date); a card that does say
    # replaces this meeting instead of adding another.
    met_known: Mapped[bool | None] = mapped_column(Boolean, default=True)
    # The card's language ("de"): the drafts of this meeting's follow-ups are written in it.
    language: Mapped[str | None] = mapped_column(String(16))


class CorrectionRow(Base):
    """A person's correction of a field: the machine's value is kept beside theirs."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    machine_value: Mapped[Any] = mapped_column(JSON)  # what the contact said before
    value: Mapped[Any] = mapped_column(JSON)  # what the person typed
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ExportRow(Base):
    """A contact written to an export of one format, so the next ``--new`` export skips it."""

    __tablename__ = "exports"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    format: Mapped[str] = mapped_column(String(16), index=True)
    exported_at: Mapped[dt.datetime] = mapped_column(DateTime)


class TaskRow(Base):
    """One touch of a follow-up plan. Done or skipped, it makes way for the next touch."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id"))
    touch: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(16), default="open")
    draft: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)  # done, skipped or stopped on
    outcome: Mapped[str | None] = mapped_column(Text)  # what the user noted when closing it
    # Rises on every change of the row (SQLAlchemy's version counter: a change made from a
    # stale copy fails instead of overwriting); the calendar export's SEQUENCE.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, onupdate=_utc_now)
    contact: Mapped[ContactRow] = relationship()
    note: Mapped[NoteRow | None] = relationship()

    __mapper_args__ = {"version_id_col": sequence}  # noqa: RUF012 (SQLAlchemy's own form)


class SyncedRow(Base):
    """One contact or task as last synced to a CardDAV address book or CalDAV calendar."""

    __tablename__ = "synced"
    __table_args__ = (UniqueConstraint("collection", "kind", "local_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    collection: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # contact | task
    local_id: Mapped[int] = mapped_column(Integer)
    href: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))  # of the body last sent
    conflict: Mapped[str | None] = mapped_column(Text)  # the server's version, if it differs
    synced_at: Mapped[dt.datetime] = mapped_column(DateTime)


class IdentityRow(Base):
    """This database's identity: a random UUID made with it, the namespace of every UID
    cardscan exports (contacts and tasks), so two databases never give the same UID."""

    __tablename__ = "identity"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SettingRow(Base):
    """A setting kept with the data (shared by a team on one database): the review page's
    password hash."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class EventRow(Base):
    """An event the user went to (recorded before or after its cards arrive): the calendar
    holds follow-up time in the days after it, filled by the cards met there."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


# One event per name, in any case ("CES 2026" and "ces 2026" are one event).
Index("ix_events_lower_name", func.lower(EventRow.name), unique=True)


def insert_rows(session: Session, entity: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """New rows written at once, their ids in order. A new card's rows (contact, phones,
    e-mails, card, scans, meeting, first touch) are written this way, not as ORM objects:
    the unit of work's bookkeeping was most of the batch parent's storing, the time 2
    workers wait on (with the statements built once and the look-ups on the connection:
    4.8-5.9 -> 1.5-2.9 ms a card, 40 synthetic cards stored alone, alternating runs)."""
    if not rows:
        return []
    session.flush()  # what the ORM holds goes first (rows may refer to it)
    return list(session.connection().execute(_insert(entity.__table__), rows).scalars())


@functools.cache
def _insert(table: Any) -> Any:
    """Built once (building a statement cost about what running it does)."""
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


# Asked of every file, before it is read and again as it is stored: built once.
FIND_SCAN = select(ScanRow.id).where(ScanRow.sha256 == bindparam("sha256")).limit(1)
