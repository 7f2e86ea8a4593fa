"""What the review app reads and writes: the queue, a card, corrections, follow-ups, exports.

Every function takes a :class:`~cardscan.db.Database` and returns plain values; the web layer
(``app.py``) only turns requests into these calls. A person's correction never overwrites the
machine's reading without trace: each changed field is stored as a ``Correction`` row with the
value it replaced. What a person may type, and how it is cleaned, is ``fields``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import export, followup, loading
from ..config import Followup
from ..db import (
    ACTIVE,
    Card,
    Contact,
    Correction,
    Database,
    EmailRow,
    NoteRow,
    PhoneRow,
    Scan,
    Task,
    contact_json,
    latest_meeting,
)
from ..errors import StorageError
from ..model import REVIEW_BELOW, CardImage, PlannedTask
from ..parse.phones import region_of
from ..pipeline import close_task
from .fields import (
    FIELDS,
    NOTE_FIELDS,
    TEXT_FIELDS,
    InvalidChanges,
    clean,
    iso_date,
    one_line,
    public,
)

DUE_CHOICES = ("today", "week", "overdue", "all")
WEAK = REVIEW_BELOW  # a field read with less confidence than this is highlighted
# Formats a browser shows as they are; any other stored scan (PDF, TIFF, HEIC) is sent as PNG.
WEB_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                   ".webp": "image/webp", ".gif": "image/gif"}


class NotFound(StorageError):
    """No such contact, task or scan (or a scan that is not in the scan store)."""


# --- the queue --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    unreviewed: int
    reviewed: int
    total: int


@dataclass(frozen=True)
class QueueItem:
    id: int
    name: str | None
    company: str | None
    weakest: float  # the lowest confidence of any field found on the card
    weak_fields: tuple[str, ...]  # fields read with less than WEAK confidence
    reviewed: bool


@dataclass(frozen=True)
class Queue:
    unreviewed: tuple[QueueItem, ...]  # weakest first
    reviewed: tuple[QueueItem, ...]  # newest first
    counts: Counts


def weakest(contact: Mapping[str, Any]) -> float:
    """The lowest confidence among the fields the machine found (0 means not found)."""
    return min((v for v in contact["confidence"].values() if v > 0), default=0.0)


def _queue_key(contact: Mapping[str, Any]) -> tuple[float, int, int]:
    return (weakest(contact), -len(contact["review"]), contact["id"])


def _item(contact: Mapping[str, Any]) -> QueueItem:
    return QueueItem(id=contact["id"], name=contact["name"], company=contact["company"],
                     weakest=weakest(contact), weak_fields=tuple(contact["review"]),
                     reviewed=bool(contact["reviewed"]))


def queue(db: Database) -> Queue:
    """Unreviewed contacts, the weakest reading first, and the reviewed ones, with counts."""
    contacts = db.contacts()
    todo = sorted((c for c in contacts if not c["reviewed"]), key=_queue_key)
    done = [c for c in reversed(contacts) if c["reviewed"]]
    return Queue(unreviewed=tuple(map(_item, todo)), reviewed=tuple(map(_item, done)),
                 counts=Counts(len(todo), len(done), len(contacts)))


def next_card(db: Database, after: int) -> int | None:
    """The unreviewed contact that follows ``after`` in the queue (wrapping round), else None.
    Ask before saving ``after``: a correction changes its place in the queue."""
    contacts = db.contacts()
    todo = sorted((c for c in contacts if not c["reviewed"] and c["id"] != after),
                  key=_queue_key)
    current = next((c for c in contacts if c["id"] == after), None)
    if current is not None:
        key = _queue_key(current)
        later = [c for c in todo if _queue_key(c) > key]
        if later:
            return int(later[0]["id"])
    return int(todo[0]["id"]) if todo else None


# --- one card ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScanRef:
    id: int
    side: str  # front | back
    text: str  # what OCR read


@dataclass(frozen=True)
class Similar:
    id: int
    name: str | None
    company: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CorrectionRef:
    field: str
    machine_value: Any
    value: Any
    created_at: dt.datetime


@dataclass(frozen=True)
class CardView:
    contact: dict[str, Any]  # the public JSON shape; note fields from the latest meeting
    scans: tuple[ScanRef, ...]
    similar: tuple[Similar, ...]
    corrections: tuple[CorrectionRef, ...]  # oldest first


def card_view(db: Database, contact_id: int) -> CardView:
    """Everything the card page shows about one contact."""
    with db.session() as s:
        row = _contact(s, contact_id)
        contact = contact_json(row)
        cards = s.scalars(select(Card).where(Card.contact_id == contact_id)
                          .order_by(Card.id).options(selectinload(Card.scans))).all()
        scans = tuple(ScanRef(scan.id, scan.side, scan.raw_text) for card in cards
                      for scan in sorted(card.scans, key=lambda x: (x.side != "front", x.id)))
        corrections = tuple(
            CorrectionRef(c.field, c.machine_value, c.value, c.created_at)
            for c in s.scalars(select(Correction).where(Correction.contact_id == contact_id)
                               .order_by(Correction.id)))
    return CardView(contact, scans, tuple(similar_contacts(db, contact_id)), corrections)


def field_confidence(contact: Mapping[str, Any], field: str) -> float | None:
    """How sure the machine was of a field (0..1); None when it gave no figure."""
    confidence = contact["confidence"]
    if field in ("given_name", "family_name"):
        field = field if field in confidence else "name"
    value = confidence.get(field)
    return None if value is None else float(value)


def _contact(s: Session, contact_id: int) -> Contact:
    row = s.get(Contact, contact_id, options=[selectinload(Contact.phones),
                                              selectinload(Contact.emails),
                                              selectinload(Contact.notes)])
    if row is None:
        raise NotFound(f"no contact {contact_id}; see cardscan contacts")
    return row


# --- possible duplicates ----------------------------------------------------------------------

def _fold(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def similar_contacts(db: Database, contact_id: int) -> list[Similar]:
    """Other stored contacts that look like the same person: the same e-mail, the same phone
    number, or the same name at the same company."""
    with db.session() as s:
        rows = s.scalars(select(Contact).options(selectinload(Contact.phones),
                                                 selectinload(Contact.emails))).all()
        me = next((r for r in rows if r.id == contact_id), None)
        if me is None:
            raise NotFound(f"no contact {contact_id}; see cardscan contacts")
        return [found for other in rows if other.id != contact_id
                if (found := _similar(me, other)) is not None]


def _similar(me: Contact, other: Contact) -> Similar | None:
    reasons = [f"same e-mail {e}" for e in sorted({e.address.casefold() for e in me.emails}
                                                  & {e.address.casefold() for e in other.emails})]
    reasons += [f"same phone {p}" for p in sorted({p.number for p in me.phones}
                                                  & {p.number for p in other.phones})]
    if _fold(me.name) and _fold(me.company) and (_fold(me.name), _fold(me.company)) == (
            _fold(other.name), _fold(other.company)):
        reasons.append("same name and company")
    return Similar(other.id, other.name, other.company, tuple(reasons)) if reasons else None


# --- corrections ------------------------------------------------------------------------------

def correct(db: Database, contact_id: int, changes: Mapping[str, Any], *, confirm: bool = False,
            policy: Followup | None = None, default_region: str = "US",
            now: dt.datetime | None = None) -> list[str]:
    """Store a person's values for a contact; returns the fields that changed.

    Each changed field gets a ``Correction`` row keeping the value it replaced, and confidence
    1.0 (a person has checked it); values other cards gave for it (``alternatives``) are
    settled. ``confirm`` marks the contact reviewed and settles every field. Phones are
    normalised to E.164 (in the region of the contact's first phone, else ``default_region``)
    and e-mails as the parser normalises them; values that cannot be stored raise
    InvalidChanges and nothing is saved. Open follow-up drafts are rewritten when the name or
    the meeting changed (their due dates stay)."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InvalidChanges({f: "not a field a person can correct" for f in sorted(unknown)})
    with db.session() as s:
        row = _contact(s, contact_id)
        note = latest_meeting(s, contact_id)
        before = contact_json(row)
        region = next(filter(None, (region_of(p.number) for p in row.phones)), default_region)
        after = clean(changes, region=region, has_note=note is not None)
        changed = [f for f in FIELDS
                   if f in after and public(f, after[f]) != public(f, before[f])]
        when = now or dt.datetime.now()
        for field in changed:
            s.add(Correction(contact_id=contact_id, field=field, created_at=when,
                             machine_value=public(field, before[field]),
                             value=public(field, after[field])))
            _apply(s, row, note, field, after[field])
        _resolve_alternatives(row, FIELDS if confirm else changed)
        if confirm:
            row.reviewed = True
        if note is not None and {"name", *NOTE_FIELDS} & set(changed):
            s.flush()
            _redraft(s, row, note, policy or Followup())
    return changed


def _apply(s: Session, row: Contact, note: NoteRow | None, field: str, value: Any) -> None:
    if field in TEXT_FIELDS:
        setattr(row, field, value)
    elif field == "phones":
        _replace_phones(s, row, value)
    elif field == "emails":
        for email in list(row.emails):
            s.delete(email)
        row.emails = [EmailRow(address=e) for e in value]
    elif note is not None:
        setattr(note, field, dt.date.fromisoformat(value) if field == "met_on" else value)
    _trust(row, note, field)


def _replace_phones(s: Session, row: Contact, phones: list[dict[str, Any]]) -> None:
    """New phone rows; a number that was there keeps the raw text OCR read for it."""
    old = {p.number: p for p in row.phones}
    for phone in list(row.phones):
        s.delete(phone)
    row.phones = [PhoneRow(number=p["number"], type=p["type"],
                           raw=old[p["number"]].raw if p["number"] in old else p["raw"],
                           extension=p["extension"] or (old[p["number"]].extension
                                                        if p["number"] in old else None))
                  for p in phones]


def _trust(row: Contact, note: NoteRow | None, field: str) -> None:
    """A field a person set is no longer one to check (the machine's figures stay in
    ``cards.parsed``)."""
    if field in NOTE_FIELDS and note is not None:
        note.confidence = {**(note.confidence or {}), field: 1.0}
    else:
        row.confidence = {**(row.confidence or {}), field: 1.0}


def _resolve_alternatives(row: Contact, fields: Iterable[str]) -> None:
    """A person has chosen: other cards' differing values for these fields stop asking for
    review (each card's own reading stays in ``cards.parsed``)."""
    alternatives = dict(getattr(row, "alternatives", None) or {})
    kept = {k: v for k, v in alternatives.items() if k not in set(fields)}
    if kept != alternatives:
        row.alternatives = kept


def _redraft(s: Session, row: Contact, note: NoteRow, policy: Followup) -> None:
    meeting = followup.Meeting(met_on=note.met_on, name=row.name, event=note.event,
                               topics=tuple(note.topics), actions=tuple(note.actions),
                               priority=note.priority)
    for task in s.scalars(select(Task).where(Task.contact_id == row.id,
                                             Task.note_id == note.id,
                                             Task.state.in_(ACTIVE))):
        task.draft = followup.touch(task.touch, task.due_on, meeting, policy).draft


# --- scan images ------------------------------------------------------------------------------

def image_path(db: Database, scan_id: int) -> Path:
    """The stored image of a scan, only when it really lies inside the scan store."""
    with db.session() as s:
        scan = s.get(Scan, scan_id)
        stored = scan.stored_path if scan is not None else None
    if stored is None:
        raise NotFound(f"no scan {scan_id}")
    store = db.store.resolve()
    path = Path(stored).resolve()
    if not path.is_relative_to(store):
        raise NotFound(f"scan {scan_id} is not in the scan store {store}; not serving it")
    if not path.is_file():
        raise NotFound(f"scan {scan_id}: the stored image {path} is missing")
    return path


def scan_png(db: Database, scan_id: int) -> bytes:
    """A stored scan a browser cannot show (PDF, TIFF, HEIC) as PNG: the card's own page."""
    path = image_path(db, scan_id)
    with db.session() as s:
        part = s.scalar(select(Scan.part).where(Scan.id == scan_id)) or 0
    pages = loading.decode_pages(CardImage(path, "", path.read_bytes()))
    return loading.png_bytes(pages[min(part, len(pages) - 1)])


# --- follow-ups -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Followups:
    """Follow-ups still to do, as ``cardscan tasks --due`` groups them."""

    today: tuple[dict[str, Any], ...]  # due today or earlier
    week: tuple[dict[str, Any], ...]  # due within 7 days (overdue included)
    overdue: tuple[dict[str, Any], ...]  # due before today
    all: tuple[dict[str, Any], ...]

    def get(self, due: str) -> tuple[dict[str, Any], ...]:
        if due not in DUE_CHOICES:
            raise InvalidChanges({"due": f"one of {', '.join(DUE_CHOICES)}"})
        return tuple(getattr(self, due))


def followups(db: Database, *, today: dt.date) -> Followups:
    """Open and snoozed tasks, soonest first, each with ``days_late`` (0 when not late)."""
    tasks = tuple({**t, "days_late": max(0, (today - dt.date.fromisoformat(t["due"])).days)}
                  for t in db.tasks())
    week = today + dt.timedelta(days=7)
    return Followups(
        today=tuple(t for t in tasks if t["due"] <= today.isoformat()),
        week=tuple(t for t in tasks if t["due"] <= week.isoformat()),
        overdue=tuple(t for t in tasks if t["due"] < today.isoformat()),
        all=tasks)


def finish_task(db: Database, task_id: int, *, on: dt.date, policy: Followup,
                state: str = "done", outcome: str | None = None) -> PlannedTask | None:
    """Done or skipped: the task closes and the next touch is planned; returns that touch."""
    if state not in ("done", "skipped"):
        raise InvalidChanges({"state": "done or skipped"})
    _task_exists(db, task_id)
    return close_task(db, task_id, state=state, on=on, policy=policy,
                      outcome=one_line(outcome))


def snooze(db: Database, task_id: int, until: str | dt.date, *, today: dt.date) -> dt.date:
    """Move a task to a later day; returns the day."""
    try:
        day = dt.date.fromisoformat(iso_date(until)) if isinstance(until, str) else until
    except ValueError as e:
        raise InvalidChanges({"until": str(e)}) from None
    if day <= today:
        raise InvalidChanges({"until": f"snooze to a day after today ({today.isoformat()})"})
    _task_exists(db, task_id)
    db.snooze_task(task_id, day)
    return day


def _task_exists(db: Database, task_id: int) -> None:
    with db.session() as s:
        if s.get(Task, task_id) is None:
            raise NotFound(f"no task {task_id}; see cardscan tasks")


# --- exports ----------------------------------------------------------------------------------

def export_contacts(db: Database, *, reviewed_only: bool = False) -> list[Mapping[str, Any]]:
    """The contacts an export link writes (each with its next follow-up): all of them, or only
    those a person confirmed. As ``cardscan export --reviewed-only`` chooses them."""
    return export.select(db.contacts(), reviewed_only=reviewed_only)
