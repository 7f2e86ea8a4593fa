"""Storage with SQLAlchemy 2.0: scans, contacts, phones, e-mails, meeting notes, follow-up tasks."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    selectinload,
    sessionmaker,
)

from .errors import StorageError
from .model import (
    CardImage,
    ContactFields,
    Note,
    OcrResult,
    ParsedCard,
    Phone,
    PlannedTask,
    contact_record,
)
from .parse.lines import fold


class Base(DeclarativeBase):
    pass


class Scan(Base):
    """One image the user gave us: where it came from, its checksum and what OCR read."""

    __tablename__ = "scans"
    __table_args__ = (UniqueConstraint("sha256", "part"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the file's bytes
    part: Mapped[int] = mapped_column(Integer, default=0)  # which card in the file
    path: Mapped[str] = mapped_column(Text)  # where the user's file was
    stored_path: Mapped[str] = mapped_column(Text)  # our copy in the scan store
    side: Mapped[str] = mapped_column(String(8))  # front | back
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    raw_text: Mapped[str] = mapped_column(Text, default="")
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [text, conf, l, t, w, h]
    engine: Mapped[str] = mapped_column(String(32))
    engine_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="ok")  # ok | no_text
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Card(Base):
    """A physical card: front scan, optional back scan, what the machine parsed from it."""

    __tablename__ = "cards"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    parsed: Mapped[dict[str, Any]] = mapped_column(JSON)  # the machine's fields + confidence
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    scans: Mapped[list[Scan]] = relationship()


class Contact(Base):
    __tablename__ = "contacts"
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
    # says so (cardscan consent CONTACT yes).
    marketing_consent: Mapped[bool | None] = mapped_column(Boolean, default=False)
    # Values a later card gave that differ from the stored ones: {field: [value, ...]}.
    alternatives: Mapped[dict[str, list[str]] | None] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    phones: Mapped[list[PhoneRow]] = relationship(order_by="PhoneRow.id")
    emails: Mapped[list[EmailRow]] = relationship(order_by="EmailRow.id")
    notes: Mapped[list[NoteRow]] = relationship(order_by="NoteRow.id")


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


class Correction(Base):
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


TASK_STATES = ("open", "done", "snoozed", "skipped", "stopped")
ACTIVE = ("open", "snoozed")  # still to do


class Task(Base):
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
    contact: Mapped[Contact] = relationship()
    note: Mapped[NoteRow | None] = relationship()


def default_url() -> str:
    """$CARDSCAN_DB, else a SQLite file in the user's data directory."""
    if env := os.environ.get("CARDSCAN_DB"):
        return env
    return f"sqlite:///{user_data_path('cardscan') / 'cardscan.db'}"


class Database:
    """An open cardscan database plus the folder where the scanned images are kept."""

    def __init__(self, url: str | None = None, *, store: Path | None = None) -> None:
        self.url = url or default_url()
        self.engine = _connect(self.url)
        self.store = store or _default_store(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def if_exists(cls, url: str | None = None) -> Database | None:
        """The database when it is already there (a dry run never creates one)."""
        parsed = make_url(url or default_url())
        if parsed.drivername.startswith("sqlite") and parsed.database and not Path(
                parsed.database).expanduser().exists():
            return None
        return cls(url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except SQLAlchemyError as e:
                session.rollback()
                raise StorageError(f"database {self.safe_url}: {e}") from e
            except BaseException:
                session.rollback()
                raise

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def has_scan(self, sha256: str) -> bool:
        with self.session() as s:
            return s.scalar(select(Scan.id).where(Scan.sha256 == sha256)) is not None

    def scan_paths(self, sha256: str) -> set[str]:
        """Where the files with these bytes were when they were stored."""
        with self.session() as s:
            return set(s.scalars(select(Scan.path).where(Scan.sha256 == sha256)))

    def save_cards(self, cards: list[tuple[ParsedCard, list[PlannedTask]]], *,
                   now: dt.datetime) -> list[tuple[int, bool]]:
        """Store the cards of one file in one transaction (a file is wholly stored or not at
        all). A card of someone already stored (same e-mail, phone, or name and company)
        is merged into that contact. Returns (contact id, merged) per card."""
        with self.session() as s:
            return [self._add_card(s, card, tasks, now) for card, tasks in cards]

    def _add_card(self, s: Session, card: ParsedCard, tasks: list[PlannedTask],
                  now: dt.datetime) -> tuple[int, bool]:
        contact = _same_person(s, card.contact)
        merged = contact is not None
        if contact is None:
            contact = _contact_row(card.contact, now)
            s.add(contact)
        else:
            _merge_into(contact, card.contact)
        s.flush()
        row = Card(contact_id=contact.id, parsed=_parsed_json(card),
                   warnings=list(card.warnings), created_at=now)
        s.add(row)
        s.flush()
        for side, image, ocr in (("front", card.front, card.front_ocr),
                                 ("back", card.back, card.back_ocr)):
            if image is None or ocr is None:
                continue
            stored = self._keep_image(image.data, image.sha256, image.path.suffix)
            s.add(Scan(sha256=image.sha256, part=card.part, path=str(image.path.resolve()),
                       stored_path=str(stored), side=side, card_id=row.id, raw_text=ocr.text,
                       engine=ocr.engine, engine_version=ocr.engine_version,
                       words=[[w.text, w.conf, w.left, w.top, w.width, w.height]
                              for w in ocr.words],
                       status="ok" if ocr.lines else "no_text", created_at=now))
        if merged and not card.met_known:
            return contact.id, merged  # another capture of the card: no new meeting
        fields = {"card_id": row.id, "text": card.back_ocr.text if card.back_ocr else "",
                  "met_on": card.met_on, "event": card.event,
                  "topics": list(card.note.topics), "actions": list(card.note.actions),
                  "priority": card.note.priority, "confidence": card.note.confidence,
                  "met_known": card.met_known}
        # The meeting a capture without a note stood in for is replaced, plan and all.
        undated = s.scalars(select(NoteRow).where(NoteRow.contact_id == contact.id,
                                                  NoteRow.met_known.is_(False))).first()
        note, later = _record_meeting(s, contact.id, fields, replaces=undated)
        if later or undated is not None:
            _fresh_plan(s, contact.id, note.id, tasks, now=now)
        return contact.id, merged

    def save_unpaired_back(self, back: CardImage, readings: list[OcrResult], *,
                           now: dt.datetime) -> int:
        """Keep a back with no front: its scans, with no card, until it is attached."""
        stored = self._keep_image(back.data, back.sha256, back.path.suffix)
        with self.session() as s:
            rows = [Scan(sha256=back.sha256, part=part, path=str(back.path.resolve()),
                         stored_path=str(stored), side="back", card_id=None,
                         raw_text=ocr.text, engine=ocr.engine, engine_version=ocr.engine_version,
                         words=[[w.text, w.conf, w.left, w.top, w.width, w.height]
                                for w in ocr.words], status="unpaired", created_at=now)
                    for part, ocr in enumerate(readings)]
            s.add_all(rows)
            s.flush()
            return rows[0].id if rows else 0

    def unpaired_back_text(self, sha256: str) -> str:
        with self.session() as s:
            scans = s.scalars(select(Scan).where(Scan.sha256 == sha256, Scan.side == "back")
                              .order_by(Scan.part)).all()
            if not scans:
                raise StorageError("that file is not a stored back; ingest it first with "
                                   "cardscan batch FILE")
            return "\n".join(scan.raw_text for scan in scans)

    def attach_note(self, sha256: str, contact_id: int, note: Note, *, text: str,
                    met_on: dt.date, event: str | None,
                    tasks: Sequence[PlannedTask] = ()) -> int:
        """The back's note joins the contact's newest card: it completes the card's meeting
        when the card had no back, else it is another meeting. A later meeting than any
        before starts a fresh plan (``tasks``, first touch first; the old sequence is stopped
        and kept); otherwise the open drafts cite the note and an open first touch is
        re-dated."""
        with self.session() as s:
            contact = s.get(Contact, contact_id)
            if contact is None:
                raise StorageError(f"no contact {contact_id}; see cardscan contacts")
            card = s.scalars(select(Card).where(Card.contact_id == contact_id)
                             .order_by(Card.id.desc())).first()
            if card is None:
                raise StorageError(f"contact {contact_id} has no card to attach a back to")
            for scan in s.scalars(select(Scan).where(Scan.sha256 == sha256)):
                scan.card_id, scan.status = card.id, "ok"
            fields = {"card_id": card.id, "text": text, "met_on": met_on, "event": event,
                      "topics": list(note.topics), "actions": list(note.actions),
                      "priority": note.priority, "confidence": note.confidence}
            # A card without a back: this is its meeting, told in full.
            blank = s.scalars(select(NoteRow).where(NoteRow.card_id == card.id,
                                                    NoteRow.text == "")).first()
            row, later = _record_meeting(s, contact_id, fields, replaces=blank)
            if later:
                _fresh_plan(s, contact_id, row.id, tasks[:1], now=dt.datetime.now())
            else:  # more about the same meeting: the drafts cite it, a first touch is re-dated
                for task in _active(s, contact_id):
                    planned = next((t for t in tasks if t.touch == task.touch), None)
                    if planned is not None:
                        task.draft, task.note_id = planned.draft, row.id
                        if task.touch == 1 and task.state == "open":
                            task.due_on = planned.due_on
            return row.id

    def _keep_image(self, data: bytes, sha256: str, suffix: str) -> Path:
        """Copy the user's image into the content-addressed scan store (never moves theirs)."""
        path = self.store / sha256[:2] / f"{sha256}{suffix.lower()}"
        if not path.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(path.suffix + ".part")
                tmp.write_bytes(data)
                tmp.replace(path)
            except OSError as e:
                raise StorageError(f"cannot write to the scan store {self.store}: {e}") from e
        return path

    def contact_name(self, contact_id: int) -> str | None:
        with self.session() as s:
            contact = s.get(Contact, contact_id)
            return contact.name if contact else None

    def contacts(self) -> list[dict[str, Any]]:
        """Every contact in the public JSON shape, plus ``id``, oldest first, each with its
        next follow-up (the soonest open or snoozed task) and when it was stored."""
        with self.session() as s:
            rows = s.scalars(select(Contact).order_by(Contact.id).options(
                selectinload(Contact.phones), selectinload(Contact.emails),
                selectinload(Contact.notes))).all()
            upcoming: dict[int, Task] = {}
            for task in s.scalars(select(Task).where(Task.state.in_(ACTIVE))
                                  .order_by(Task.due_on, Task.id)):
                upcoming.setdefault(task.contact_id, task)
            return [{**contact_json(row), "created_at": row.created_at.isoformat(),
                     "next_follow_up": _next(upcoming.get(row.id))} for row in rows]

    def exported(self, fmt: str) -> set[int]:
        """The contacts already exported in this format (``export --new`` leaves them out)."""
        with self.session() as s:
            return set(s.scalars(select(ExportRow.contact_id).where(ExportRow.format == fmt)))

    def mark_exported(self, contact_ids: Sequence[int], fmt: str, *, now: dt.datetime) -> None:
        with self.session() as s:
            s.add_all(ExportRow(contact_id=i, format=fmt, exported_at=now) for i in contact_ids)

    def tasks(self, *, due_by: dt.date | None = None, due_before: dt.date | None = None,
              states: Sequence[str] | None = ACTIVE, event: str | None = None,
              contact_id: int | None = None) -> list[dict[str, Any]]:
        """Tasks ordered by due date, then priority (high first); by default the ones still
        to do (open or snoozed)."""
        with self.session() as s:
            query = select(Task).options(selectinload(Task.contact), selectinload(Task.note))
            if due_by is not None:
                query = query.where(Task.due_on <= due_by)
            if due_before is not None:
                query = query.where(Task.due_on < due_before)
            if states is not None:
                query = query.where(Task.state.in_(states))
            if contact_id is not None:
                query = query.where(Task.contact_id == contact_id)
            rows = s.scalars(query).all()
            out = [task_json(t) for t in rows]
        if event is not None:
            out = [t for t in out if (t["event"] or "").casefold() == event.casefold()]
        return sorted(out, key=lambda t: (t["due_on"], t["priority"] != "high", t["id"]))

    def task(self, task_id: int) -> dict[str, Any]:
        with self.session() as s:
            return task_json(_task(s, task_id))

    def close_task(self, task_id: int, *, state: str, on: dt.date, outcome: str | None = None,
                   then: Callable[[dict[str, Any]], PlannedTask | None] | None = None
                   ) -> PlannedTask | None:
        """Mark an open or snoozed task done, skipped or stopped; ``then`` (given the task)
        plans the touch that follows, stored in the same transaction."""
        with self.session() as s:
            task = _task(s, task_id)
            if task.state not in ACTIVE:
                raise StorageError(f"task {task_id} is already {task.state}")
            task.state, task.closed_on, task.outcome = state, on, outcome
            planned = then(task_json(task)) if then else None
            if planned is not None:
                s.add(Task(contact_id=task.contact_id, note_id=task.note_id,
                           touch=planned.touch, channel=planned.channel, due_on=planned.due_on,
                           draft=planned.draft, created_at=dt.datetime.now()))
            return planned

    def snooze_task(self, task_id: int, until: dt.date) -> None:
        with self.session() as s:
            task = _task(s, task_id)
            if task.state not in ACTIVE:
                raise StorageError(f"task {task_id} is {task.state}; only open tasks snooze")
            task.state, task.due_on = "snoozed", until

    def stop_contact(self, contact_id: int, *, on: dt.date, outcome: str | None = None) -> int:
        """End a contact's follow-up sequence (they replied, or it is not worth more)."""
        with self.session() as s:
            if s.get(Contact, contact_id) is None:
                raise StorageError(f"no contact {contact_id}; see cardscan contacts")
            tasks = _active(s, contact_id)
            for task in tasks:
                task.state, task.closed_on, task.outcome = "stopped", on, outcome
            return len(tasks)

    def set_consent(self, contact_id: int, consent: bool) -> None:
        with self.session() as s:
            contact = s.get(Contact, contact_id)
            if contact is None:
                raise StorageError(f"no contact {contact_id}; see cardscan contacts")
            contact.marketing_consent = consent


def _task(s: Session, task_id: int) -> Task:
    task = s.get(Task, task_id)
    if task is None:
        raise StorageError(f"no task {task_id}; see cardscan tasks")
    return task


def _active(s: Session, contact_id: int) -> list[Task]:
    return list(s.scalars(select(Task).where(Task.contact_id == contact_id,
                                             Task.state.in_(ACTIVE))))


def latest_meeting(s: Session, contact_id: int) -> NoteRow | None:
    """The contact's newest meeting: the latest date, then the last stored."""
    return s.scalars(select(NoteRow).where(NoteRow.contact_id == contact_id)
                     .order_by(NoteRow.met_on.desc(), NoteRow.id.desc())).first()


def _record_meeting(s: Session, contact_id: int, fields: dict[str, Any], *,
                    replaces: NoteRow | None) -> tuple[NoteRow, bool]:
    """Store a meeting over ``replaces`` (what stood in for it) or as a new one. Returns
    the note and whether it is a new meeting later than every one before."""
    if replaces is not None:
        for key, value in fields.items():
            setattr(replaces, key, value)
        s.flush()
        return replaces, False
    latest = latest_meeting(s, contact_id)
    note = NoteRow(contact_id=contact_id, **fields)
    s.add(note)
    s.flush()
    return note, latest is None or note.met_on > latest.met_on


def _fold(text: str | None) -> str:
    """Case-, accent- and punctuation-free: OCR of two captures of a card differs there."""
    return " ".join(fold(text or "").replace(",", " ").replace(".", " ").split())


def _same_name(a: str | None, b: str | None) -> bool:
    """Two readings of one name (or an unknown one): "Zoé Lefévre" / "Zoe Lefevre"."""
    return not a or not b or SequenceMatcher(None, _fold(a), _fold(b)).ratio() >= 0.8


def _same_person(s: Session, c: ContactFields) -> Contact | None:
    """A stored contact this card belongs to: the same e-mail, or the same phone, or the same
    name and company. An e-mail or phone shared with someone of another name (a company's
    switchboard, info@) is not enough."""
    ids: list[int] = []
    if c.emails:
        ids += s.scalars(select(EmailRow.contact_id).where(
            func.lower(EmailRow.address).in_([e.lower() for e in c.emails]))).all()
    if c.phones:
        ids += s.scalars(select(PhoneRow.contact_id).where(
            PhoneRow.number.in_([p.number for p in c.phones]))).all()
    for contact_id in dict.fromkeys(ids):
        contact = s.get(Contact, contact_id)
        if contact is not None and _same_name(c.name, contact.name):
            return contact
    if c.name and c.company:
        for contact in s.scalars(select(Contact).where(
                func.lower(Contact.family_name) == (c.family_name or "").lower())
                if c.family_name else select(Contact)):
            if _fold(contact.name) == _fold(c.name) and _fold(contact.company) == _fold(
                    c.company):
                return contact
    return None


_MERGED_FIELDS = ("name", "given_name", "family_name", "title", "department", "company",
                  "website", "address")


def _merge_into(contact: Contact, c: ContactFields) -> None:
    """Fill the contact's empty fields from the card; a differing value is kept as an
    alternative (and the field flagged for review); new phones and e-mails are added."""
    alternatives = dict(contact.alternatives or {})
    confidence = dict(contact.confidence or {})
    for name in _MERGED_FIELDS:
        new, old = getattr(c, name), getattr(contact, name)
        if not new:
            continue
        if not old:
            setattr(contact, name, new)
            if name in c.confidence:
                confidence[name] = c.confidence[name]
        elif _fold(new) != _fold(old) and new not in alternatives.get(name, []):
            alternatives[name] = [*alternatives.get(name, []), new]
    contact.alternatives, contact.confidence = alternatives, confidence
    have = {p.number for p in contact.phones}
    contact.phones += [PhoneRow(number=p.number, type=p.type, raw=p.raw, extension=p.extension)
                       for p in c.phones if p.number not in have]
    mails = {e.address.lower() for e in contact.emails}
    contact.emails += [EmailRow(address=e) for e in c.emails if e.lower() not in mails]
    contact.social = list(dict.fromkeys([*(contact.social or []), *c.social]))


def _fresh_plan(s: Session, contact_id: int, note_id: int, tasks: Sequence[PlannedTask], *,
                now: dt.datetime) -> None:
    """A newer meeting: the old sequence stops (kept as history), the new one starts."""
    for task in _active(s, contact_id):
        task.state, task.closed_on, task.outcome = "stopped", now.date(), "met again"
    s.add_all(Task(contact_id=contact_id, note_id=note_id, touch=t.touch, channel=t.channel,
                   due_on=t.due_on, draft=t.draft, created_at=now) for t in tasks)


def contact_json(row: Contact) -> dict[str, Any]:
    fields = ContactFields(
        name=row.name, given_name=row.given_name, family_name=row.family_name, title=row.title,
        department=row.department, company=row.company, website=row.website,
        social=tuple(row.social or ()), address=row.address,
        phones=tuple(Phone(p.number, p.type, p.raw, p.extension) for p in row.phones),
        emails=tuple(e.address for e in row.emails), confidence=dict(row.confidence))
    latest = max(row.notes, key=lambda n: (n.met_on, n.id)) if row.notes else None
    note = Note(topics=tuple(latest.topics), actions=tuple(latest.actions),
                priority=latest.priority, confidence=dict(latest.confidence)) if latest else Note()
    record = contact_record(fields, note, met_on=latest.met_on if latest else None,
                            event=latest.event if latest else None)
    alternatives = dict(row.alternatives or {})
    if alternatives:  # two cards disagree: a person should pick
        record["review"] = sorted({*record["review"], *alternatives})  # type: ignore[misc]
    return {"id": row.id, **record, "reviewed": row.reviewed, "alternatives": alternatives,
            "marketing_consent": bool(row.marketing_consent),
            "meetings": [{"met_on": n.met_on.isoformat(), "event": n.event,
                          "topics": list(n.topics), "actions": list(n.actions)}
                         for n in sorted(row.notes, key=lambda n: (n.met_on, n.id))]}


def _next(task: Task | None) -> dict[str, Any] | None:
    if task is None:
        return None
    return {"due": task.due_on.isoformat(), "channel": task.channel, "touch": task.touch}


def task_json(task: Task) -> dict[str, Any]:
    """A task in the public JSON shape (``tasks --json``): the older keys (contact, due_on,
    state) and the newer names for them (contact_name, due, status) are both kept."""
    note = task.note
    return {
        "id": task.id, "contact_id": task.contact_id, "contact": task.contact.name,
        "contact_name": task.contact.name,
        "company": task.contact.company, "touch": task.touch, "channel": task.channel,
        "due_on": task.due_on.isoformat(), "due": task.due_on.isoformat(),
        "state": task.state, "status": task.state, "draft": task.draft,
        "met_on": note.met_on.isoformat() if note else None,
        "event": note.event if note else None,
        "topics": list(note.topics) if note else [],
        "actions": list(note.actions) if note else [],
        "priority": note.priority if note else "normal",
        "closed_on": task.closed_on.isoformat() if task.closed_on else None,
        "outcome": task.outcome,
    }


def _contact_row(c: ContactFields, now: dt.datetime) -> Contact:
    return Contact(
        name=c.name, given_name=c.given_name, family_name=c.family_name, title=c.title,
        department=c.department, company=c.company, website=c.website, social=list(c.social),
        address=c.address,
        confidence=dict(c.confidence), created_at=now,
        phones=[PhoneRow(number=p.number, type=p.type, raw=p.raw, extension=p.extension)
                for p in c.phones],
        emails=[EmailRow(address=e) for e in c.emails])


def _parsed_json(card: ParsedCard) -> dict[str, Any]:
    return contact_record(card.contact, card.note, met_on=card.met_on, event=card.event)


def _connect(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as e:
        raise StorageError(f"{url!r} is not a database URL (e.g. sqlite:///cards.db)") from e
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed)
        if parsed.drivername.startswith("sqlite"):
            event.listen(engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(engine)
        _add_missing_columns(engine)
    except (SQLAlchemyError, ImportError) as e:
        raise StorageError(f"cannot open database {parsed.render_as_string()}: {e}") from e
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL lets a watcher and a batch share one file (readers never block the writer); a
    writer waits up to 30 s for the other's transaction instead of failing."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _add_missing_columns(engine: Engine) -> None:
    """Upgrade a database made by an older cardscan: add the columns it lacks (new columns
    are always nullable, so existing rows stay valid)."""
    existing = inspect(engine)
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have:
                    kind = column.type.compile(dialect=engine.dialect)
                    connection.execute(text(
                        f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))


def _default_store(url: str) -> Path:
    """$CARDSCAN_STORE, else beside a SQLite file, else in the user's data directory."""
    if env := os.environ.get("CARDSCAN_STORE"):
        return Path(env)
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database).expanduser().resolve().parent / "scans"
    return user_data_path("cardscan") / "scans"
