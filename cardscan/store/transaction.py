"""One transaction on the database: the repository functions everything else calls.

``with db.transaction() as tx:`` gives a :class:`Transaction`; what it returns are read models
(``views``), what it takes are parsed values (``model``). Contacts, cards, scans and meetings
are here; follow-up tasks in ``tasks``; what the review page reads and writes in ``review``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..errors import NotFoundError, StorageError, shown
from ..model import ACTIVE, CardImage, ContactFields, OcrResult, ParsedCard
from .convert import contact_columns, contact_view, parsed_json, phone_columns, words_json
from .people import folded, same_person
from .review import ReviewQueries
from .scans import ScanStore
from .schema import (
    FIND_SCAN,
    CardRow,
    ContactRow,
    EmailRow,
    EventRow,
    ExportRow,
    IdentityRow,
    NoteRow,
    PhoneRow,
    ScanRow,
    SettingRow,
    SyncedRow,
    TaskRow,
    insert_rows,
)
from .search import contact_values, search_text
from .tasks import TaskQueries
from .views import (
    ContactView,
    EventView,
    MeetingHistory,
    NewMeeting,
    SyncState,
    TouchHistory,
    rank,
)

_MERGED_FIELDS = ("name", "given_name", "family_name", "title", "department", "company",
                  "website", "address")


class Transaction(TaskQueries, ReviewQueries):
    """Repository functions over one open session (committed when the ``with`` ends)."""

    def __init__(self, session: Session, scans: ScanStore) -> None:
        self.session, self.scans = session, scans
        self._changed: set[int] = set()  # contacts whose queue place to work out again

    def changed(self, contact_id: int) -> None:
        """A contact's confidence, alternatives or meetings changed: its place in the review
        queue is worked out again before the commit (``rerank``)."""
        self._changed.add(contact_id)

    def rerank(self) -> None:
        """Store the queue place of every contact changed in this transaction."""
        if not self._changed:
            return
        ids, self._changed = sorted(self._changed), set()
        self.session.flush()
        latest: dict[int, Any] = {}
        meetings: dict[int, list[tuple[Any, ...]]] = {}
        for contact_id, confidence, *meeting in self.session.execute(
                select(NoteRow.contact_id, NoteRow.confidence, NoteRow.event, NoteRow.text,
                       NoteRow.topics, NoteRow.actions).where(NoteRow.contact_id.in_(ids))
                .order_by(NoteRow.met_on, NoteRow.id)):
            latest[contact_id] = confidence  # the newest meeting wins
            meetings.setdefault(contact_id, []).append(tuple(meeting))
        emails: dict[int, list[str]] = {}
        for contact_id, address in self.session.execute(
                select(EmailRow.contact_id, EmailRow.address).where(EmailRow.contact_id.in_(ids))):
            emails.setdefault(contact_id, []).append(address)
        phones: dict[int, list[str]] = {}
        for contact_id, number in self.session.execute(
                select(PhoneRow.contact_id, PhoneRow.number).where(PhoneRow.contact_id.in_(ids))):
            phones.setdefault(contact_id, []).append(number)
        for row in self.session.scalars(select(ContactRow).where(ContactRow.id.in_(ids))):
            row.weakest, row.checks = rank({**(row.confidence or {}),
                                            **(latest.get(row.id) or {})}, row.alternatives)
            row.search = search_text(contact_values(row, emails.get(row.id, ()),
                                                    meetings.get(row.id, ())),
                                     phones.get(row.id, ()))

    def identity(self) -> uuid.UUID:
        found = self.session.scalar(select(IdentityRow.uuid).where(IdentityRow.id == 1))
        if found is None:
            raise StorageError("the database has no identity row; run `cardscan db upgrade`")
        return uuid.UUID(found)

    def setting(self, key: str) -> str | None:
        return self.session.scalar(select(SettingRow.value).where(SettingRow.key == key))

    def set_setting(self, key: str, value: str | None) -> None:
        """Keep (or with None, forget) a setting stored with the data."""
        row = self.session.get(SettingRow, key)
        if value is None:
            if row is not None:
                self.session.delete(row)
        elif row is None:
            self.session.add(SettingRow(key=key, value=value))
        else:
            row.value = value

    # --- scans ------------------------------------------------------------------------------

    def has_scan(self, sha256: str) -> bool:
        # On the connection, not through the ORM (a third of the time, asked of every card).
        self.session.flush()
        return self.session.connection().execute(FIND_SCAN, {"sha256": sha256}).first() is not None

    def scan_paths(self, sha256: str) -> set[str]:
        """Where the files with these bytes were when they were stored."""
        return set(self.session.scalars(select(ScanRow.path).where(ScanRow.sha256 == sha256)))

    def _add_scans(self, image: CardImage,
                   readings: Sequence[tuple[int, OcrResult, bytes | None]], *,
                   side: str, card_id: int | None, status: str | None,
                   now: dt.datetime) -> list[int]:
        """One scan row per card read from ``image`` (part, reading, the card's JPEG)."""
        stored = self.scans.keep(image.data, image.sha256, image.path.suffix)
        path = shown(image.path.resolve())
        return insert_rows(self.session, ScanRow, [dict(
            sha256=image.sha256, part=part, path=path, stored_path=stored, side=side,
            card_id=card_id, raw_text=ocr.text,
            view_path=self.scans.keep_view(view, image.sha256, part, side) if view else None,
            engine=ocr.engine, engine_version=ocr.engine_version, words=words_json(ocr),
            status=status or ("ok" if ocr.lines else "no_text"), created_at=now)
            for part, ocr, view in readings])

    # --- contacts ---------------------------------------------------------------------------

    def contact(self, contact_id: int) -> ContactView:
        return contact_view(self._contact_row(contact_id))

    def _contact_row(self, contact_id: int) -> ContactRow:
        row = self.session.get(ContactRow, contact_id, options=[
            selectinload(ContactRow.phones), selectinload(ContactRow.emails),
            selectinload(ContactRow.notes)])
        if row is None:
            raise NotFoundError(f"no contact {contact_id}; see cardscan contacts")
        return row

    def contact_name(self, contact_id: int) -> str | None:
        return self._contact_row(contact_id).name

    def contacts(self, ids: Iterable[int] | None = None) -> list[ContactView]:
        """Every contact (or those of ``ids``) not in the trash, oldest first, each with its
        next follow-up (the soonest open or snoozed task)."""
        query = select(ContactRow).where(ContactRow.deleted_at.is_(None))
        if ids is not None:
            query = query.where(ContactRow.id.in_(list(ids)))
        rows = self.session.scalars(query.order_by(ContactRow.id).options(
            selectinload(ContactRow.phones), selectinload(ContactRow.emails),
            selectinload(ContactRow.notes))).all()
        upcoming: dict[int, TaskRow] = {}
        for task in self.session.scalars(select(TaskRow).where(TaskRow.state.in_(ACTIVE))
                                         .order_by(TaskRow.due_on, TaskRow.id)):
            upcoming.setdefault(task.contact_id, task)
        return [contact_view(row, upcoming.get(row.id)) for row in rows]

    def set_pronunciation(self, contact_id: int, value: str | None) -> None:
        self._contact_row(contact_id).pronunciation = value
        self.changed(contact_id)

    def set_consent(self, contact_id: int, consent: bool) -> None:
        self._contact_row(contact_id).marketing_consent = consent

    def add_card(self, card: ParsedCard, *, now: dt.datetime) -> tuple[int, int, bool]:
        """Store a card, its scans and its contact: a new contact, or merged into the stored
        one of the same person (empty fields filled, differing values kept as alternatives).
        Returns (contact id, card id, merged)."""
        contact = same_person(self.session, card.contact)
        if contact is None:
            contact_id = self._new_contact(card, now)
        else:
            _merge_into(contact, card.contact)
            contact.pronunciation = contact.pronunciation or card.note.pronunciation
            contact_id = contact.id
            self.changed(contact_id)
            self.session.flush()
        [card_id] = insert_rows(self.session, CardRow, [dict(
            contact_id=contact_id, parsed=parsed_json(card), warnings=list(card.warnings),
            created_at=now)])
        for side, image, ocr, view in (("front", card.front, card.front_ocr, card.front_view),
                                       ("back", card.back, card.back_ocr, card.back_view)):
            if image is not None and ocr is not None:
                self._add_scans(image, [(card.part, ocr, view)], side=side, card_id=card_id,
                                status=None, now=now)
        return contact_id, card_id, contact is not None

    def _new_contact(self, card: ParsedCard, now: dt.datetime) -> int:
        c = card.contact
        row = contact_columns(c, now)
        # Its only meeting will be this card's: its queue place and search text are known
        # now (no query).
        row["weakest"], row["checks"] = rank({**c.confidence, **card.note.confidence}, None)
        row["pronunciation"] = card.note.pronunciation
        meeting = (card.event, card.back_ocr.text if card.back_ocr else "",
                   card.note.topics, card.note.actions)
        row["search"] = search_text(contact_values(SimpleNamespace(**row), c.emails, [meeting]),
                                    [p.number for p in c.phones])
        [contact_id] = insert_rows(self.session, ContactRow, [row])
        insert_rows(self.session, PhoneRow, [phone_columns(contact_id, p) for p in c.phones])
        insert_rows(self.session, EmailRow,
                    [dict(contact_id=contact_id, address=e) for e in c.emails])
        return contact_id

    # --- events -----------------------------------------------------------------------------

    def record_event(self, name: str, starts_on: dt.date, ends_on: dt.date, *,
                     now: dt.datetime, keep: bool = False) -> EventView:
        """Record an event (its name in any case is one event): a new one, or new dates for
        the one of that name (``keep``: an existing one stays as it is)."""
        named = select(EventRow).where(func.lower(EventRow.name) == name.lower())
        row = self.session.scalar(named)
        if row is None:
            try:  # two batches of one event at once: one records it, the other finds it
                with self.session.begin_nested():
                    row = EventRow(name=name, starts_on=starts_on, ends_on=ends_on,
                                   created_at=now)
                    self.session.add(row)
            except IntegrityError:
                row = self.session.scalars(named).one()
        elif not keep:
            row.name, row.starts_on, row.ends_on = name, starts_on, ends_on
        self.session.flush()
        return EventView(row.id, row.name, row.starts_on, row.ends_on)

    def recorded_events(self) -> list[EventView]:
        """The recorded events, soonest first, each with how many cards were met there."""
        met: dict[str, int] = dict(self.session.execute(
            select(func.lower(NoteRow.event), func.count(NoteRow.id))
            .join(ContactRow, ContactRow.id == NoteRow.contact_id)
            .where(NoteRow.event.is_not(None), ContactRow.deleted_at.is_(None))
            .group_by(func.lower(NoteRow.event))).all())
        return [EventView(r.id, r.name, r.starts_on, r.ends_on, int(met.get(r.name.lower(), 0)))
                for r in self.session.scalars(select(EventRow).order_by(EventRow.starts_on,
                                                                        EventRow.id))]

    def event_cards(self, event: str) -> list[tuple[str | None, str | None, dt.date,
                                                    list[int]]]:
        """The cards met at ``event`` (any case), in the order met: the contact's name and
        company, the day, and the card's scans (front first)."""
        rows = self.session.execute(
            select(NoteRow.card_id, NoteRow.met_on, ContactRow.name, ContactRow.company)
            .join(ContactRow, ContactRow.id == NoteRow.contact_id)
            .where(func.lower(NoteRow.event) == event.lower(), ContactRow.deleted_at.is_(None))
            .order_by(NoteRow.met_on, NoteRow.id)).all()
        scans: dict[int | None, list[tuple[str, int]]] = {}
        for card_id, side, scan_id in self.session.execute(
                select(ScanRow.card_id, ScanRow.side, ScanRow.id)
                .where(ScanRow.card_id.in_([r[0] for r in rows])).order_by(ScanRow.id)):
            scans.setdefault(card_id, []).append((side, scan_id))
        return [(name, company, met_on,
                 [i for _, i in sorted(scans.get(card_id, []), key=lambda s: s[0] != "front")])
                for card_id, met_on, name, company in rows]

    def history(self, event: str | None = None) -> list[MeetingHistory]:
        """Every meeting of a contact not in the trash (of ``event``, any case), with the
        touches planned from it."""
        query = (select(NoteRow.id, NoteRow.contact_id, NoteRow.event, NoteRow.met_on,
                        NoteRow.priority, ContactRow.reviewed)
                 .join(ContactRow, ContactRow.id == NoteRow.contact_id)
                 .where(ContactRow.deleted_at.is_(None)))
        if event is not None:
            query = query.where(func.lower(NoteRow.event) == event.lower())
        meetings = self.session.execute(query).all()
        touches: dict[int | None, list[TouchHistory]] = {}
        for note_id, touch, state, closed_on, outcome in self.session.execute(
                select(TaskRow.note_id, TaskRow.touch, TaskRow.state, TaskRow.closed_on,
                       TaskRow.outcome).where(TaskRow.note_id.in_([m[0] for m in meetings]))
                .order_by(TaskRow.id)):
            touches.setdefault(note_id, []).append(TouchHistory(touch, state, closed_on,
                                                                outcome))
        return [MeetingHistory(contact_id, event_name, met_on, priority or "normal",
                               bool(reviewed), tuple(touches.get(note_id, ())))
                for note_id, contact_id, event_name, met_on, priority, reviewed in meetings]

    # --- meetings ---------------------------------------------------------------------------

    def undated_meeting(self, contact_id: int) -> int | None:
        """The meeting a capture without a note stood in for (it said nothing of when)."""
        return self.session.scalar(select(NoteRow.id).where(
            NoteRow.contact_id == contact_id, NoteRow.met_known.is_(False)))

    def blank_meeting(self, card_id: int) -> int | None:
        """The meeting of a card that had no back (no note text)."""
        return self.session.scalar(select(NoteRow.id).where(NoteRow.card_id == card_id,
                                                            NoteRow.text == ""))

    def record_meeting(self, contact_id: int, meeting: NewMeeting, *,
                       replaces: int | None = None, first: bool = False) -> tuple[int, bool]:
        """Store a meeting over ``replaces`` (what stood in for it) or as a new one. Returns
        the note id and whether it is a new meeting later than every one before. ``first``:
        the contact was created in this transaction (it has no meeting to compare with)."""
        fields: dict[str, Any] = {
            "card_id": meeting.card_id, "text": meeting.text, "met_on": meeting.met_on,
            "event": meeting.event, "topics": list(meeting.topics),
            "actions": list(meeting.actions), "priority": meeting.priority,
            "confidence": dict(meeting.confidence), "met_known": meeting.met_known,
            "language": meeting.language}
        if not first:
            self.changed(contact_id)
        if replaces is not None:
            note = self.session.get(NoteRow, replaces)
            if note is None:
                raise NotFoundError(f"no meeting {replaces}")
            for key, value in fields.items():
                setattr(note, key, value)
            self.session.flush()
            return note.id, False
        latest = None if first else self.session.scalar(
            select(NoteRow.met_on).where(NoteRow.contact_id == contact_id)
            .order_by(NoteRow.met_on.desc(), NoteRow.id.desc()).limit(1))
        [note_id] = insert_rows(self.session, NoteRow, [dict(contact_id=contact_id, **fields)])
        return note_id, latest is None or meeting.met_on > latest

    # --- backs without a front --------------------------------------------------------------

    def save_unpaired_back(self, back: CardImage, readings: Sequence[OcrResult], *,
                           now: dt.datetime, views: Sequence[bytes | None] = ()) -> int:
        """Keep a back with no front: its scans, with no card, until it is attached."""
        shown_views = list(views) + [None] * (len(readings) - len(views))
        ids = self._add_scans(back, [(part, ocr, shown_views[part])
                                     for part, ocr in enumerate(readings)],
                              side="back", card_id=None, status="unpaired", now=now)
        return ids[0] if ids else 0

    def unpaired_back_text(self, sha256: str) -> str:
        scans = self.session.scalars(select(ScanRow).where(
            ScanRow.sha256 == sha256, ScanRow.side == "back").order_by(ScanRow.part)).all()
        if not scans:
            raise NotFoundError("that file is not a stored back; ingest it first with "
                                "cardscan batch FILE")
        return "\n".join(scan.raw_text for scan in scans)

    def newest_card(self, contact_id: int) -> int:
        self._contact_row(contact_id)
        card_id = self.session.scalar(select(CardRow.id).where(CardRow.contact_id == contact_id)
                                      .order_by(CardRow.id.desc()))
        if card_id is None:
            raise StorageError(f"contact {contact_id} has no card to attach a back to")
        return card_id

    def link_back(self, sha256: str, card_id: int) -> None:
        """A kept back's scans become the back of ``card_id``."""
        for scan in self.session.scalars(select(ScanRow).where(ScanRow.sha256 == sha256)):
            scan.card_id, scan.status = card_id, "ok"

    # --- exports ----------------------------------------------------------------------------

    # --- sync (CardDAV, CalDAV) -----------------------------------------------------------------

    def synced(self, collection: str, kind: str) -> dict[int, SyncState]:
        """Local id -> what was last synced of it to ``collection``."""
        rows = self.session.scalars(select(SyncedRow).where(
            SyncedRow.collection == collection, SyncedRow.kind == kind))
        return {r.local_id: SyncState(r.href, r.etag, r.digest, r.conflict) for r in rows}

    def record_sync(self, collection: str, kind: str, local_id: int, state: SyncState, *,
                    now: dt.datetime) -> None:
        row = self.session.scalar(select(SyncedRow).where(
            SyncedRow.collection == collection, SyncedRow.kind == kind,
            SyncedRow.local_id == local_id))
        if row is None:
            row = SyncedRow(collection=collection, kind=kind, local_id=local_id)
            self.session.add(row)
        row.href, row.etag, row.digest, row.conflict = (state.href, state.etag, state.digest,
                                                        state.conflict)
        row.synced_at = now

    def sync_conflicts(self, contact_id: int) -> list[str]:
        """The server's versions of this contact that differ from cardscan's (both kept)."""
        return [c for c in self.session.scalars(select(SyncedRow.conflict).where(
            SyncedRow.kind == "contact", SyncedRow.local_id == contact_id,
            SyncedRow.conflict.is_not(None))) if c]

    def front_views(self) -> dict[int, str]:
        """Contact id -> the kept view of its newest card's front (relative to the store)."""
        rows = self.session.execute(
            select(CardRow.contact_id, ScanRow.view_path)
            .join(ScanRow, ScanRow.card_id == CardRow.id)
            .where(ScanRow.side == "front", ScanRow.view_path.is_not(None))
            .order_by(CardRow.id))
        return {contact_id: view for contact_id, view in rows if view}

    def exported(self, fmt: str) -> set[int]:
        """The contacts already exported in this format (``export --new`` leaves them out)."""
        return set(self.session.scalars(select(ExportRow.contact_id)
                                        .where(ExportRow.format == fmt)))

    def mark_exported(self, contact_ids: Sequence[int], fmt: str, *, now: dt.datetime) -> None:
        self.session.add_all(ExportRow(contact_id=i, format=fmt, exported_at=now)
                             for i in contact_ids)


def _merge_into(contact: ContactRow, c: ContactFields) -> None:
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
        elif folded(new) != folded(old) and new not in alternatives.get(name, []):
            alternatives[name] = [*alternatives.get(name, []), new]
    contact.alternatives, contact.confidence = alternatives, confidence
    have = {p.number for p in contact.phones}
    contact.phones += [PhoneRow(number=p.number, type=p.type, raw=p.raw, extension=p.extension)
                       for p in c.phones if p.number not in have]
    mails = {e.address.lower() for e in contact.emails}
    contact.emails += [EmailRow(address=e) for e in c.emails if e.lower() not in mails]
    contact.social = list(dict.fromkeys([*(contact.social or []), *c.social]))
