"""What the review page reads and writes: the queue, a card page, look-alike contacts, a person's
corrections. Each query fetches what its page shows: the queue reads a handful of columns per
contact (no phones, e-mails or meetings), a card page reads one contact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from ..errors import NotFoundError
from .convert import contact_fields, contact_view
from .people import matches
from .schema import CardRow, ContactRow, CorrectionRow, EmailRow, NoteRow, PhoneRow, ScanRow
from .views import (
    CardPage,
    CorrectionRef,
    Counts,
    Queue,
    QueueItem,
    ScanRef,
    Similar,
    queue_item,
)

CONTACT_COLUMNS = ("name", "given_name", "family_name", "title", "department", "company",
                   "website", "address")
MEETING_COLUMNS = ("met_on", "event", "topics", "actions", "priority")


@dataclass(frozen=True)
class ScanFile:
    stored_path: str  # the copy of the user's file
    view_path: str | None  # the card as shown (cut out, upright JPEG), when it was kept
    sha256: str
    part: int  # which card of the file
    side: str


@dataclass(frozen=True)
class FieldChange:
    """A field a person corrected: the value stored (cleaned), and both values in their
    public form for the corrections table (the machine's is kept beside the person's)."""

    field: str
    stored: Any
    machine_value: Any
    value: Any


class ReviewQueries:
    session: Session

    def _contact_row(self, contact_id: int) -> ContactRow:
        raise NotImplementedError  # Transaction's

    # --- the queue --------------------------------------------------------------------------

    def queue_items(self, *, reviewed: bool | None = None,
                    ids: Iterable[int] | None = None) -> list[QueueItem]:
        """Queue rows (oldest contact first): a contact's confidence merged with its latest
        meeting's, in one query."""
        ranked = select(NoteRow.contact_id, NoteRow.confidence, func.row_number().over(
            partition_by=NoteRow.contact_id,
            order_by=(NoteRow.met_on.desc(), NoteRow.id.desc())).label("rank")).subquery()
        query = (select(ContactRow.id, ContactRow.name, ContactRow.company,
                        ContactRow.confidence, ContactRow.alternatives, ContactRow.reviewed,
                        ranked.c.confidence)
                 .outerjoin(ranked, and_(ranked.c.contact_id == ContactRow.id,
                                         ranked.c.rank == 1))
                 .order_by(ContactRow.id))
        if reviewed is not None:
            query = query.where(ContactRow.reviewed.is_(reviewed))
        if ids is not None:
            query = query.where(ContactRow.id.in_(list(ids)))
        return [queue_item(i, name, company, {**(mine or {}), **(met or {})}, alternatives, done)
                for i, name, company, mine, alternatives, done, met in self.session.execute(query)]

    def queue(self) -> Queue:
        """Unreviewed contacts, the weakest reading first, and the reviewed ones, newest
        first, with counts."""
        items = self.queue_items()
        todo = sorted((c for c in items if not c.reviewed), key=lambda c: c.key)
        done = [c for c in reversed(items) if c.reviewed]
        return Queue(unreviewed=tuple(todo), reviewed=tuple(done),
                     counts=Counts(len(todo), len(done), len(items)))

    def counts(self) -> Counts:
        total, reviewed = self.session.execute(select(
            func.count(ContactRow.id),
            func.coalesce(func.sum(case((ContactRow.reviewed.is_(True), 1), else_=0)), 0))).one()
        return Counts(total - reviewed, reviewed, total)

    def next_unreviewed(self, after: int) -> int | None:
        """The unreviewed contact that follows ``after`` in the queue (wrapping round), else
        None. Ask before saving ``after``: a correction changes its place in the queue."""
        todo = sorted((c for c in self.queue_items(reviewed=False) if c.id != after),
                      key=lambda c: c.key)
        current = self.queue_items(ids=[after])
        if current:
            later = [c for c in todo if c.key > current[0].key]
            if later:
                return later[0].id
        return todo[0].id if todo else None

    # --- one card ---------------------------------------------------------------------------

    def card_page(self, contact_id: int) -> CardPage:
        row = self._contact_row(contact_id)
        cards = self.session.scalars(select(CardRow).where(CardRow.contact_id == contact_id)
                                     .order_by(CardRow.id).options(selectinload(CardRow.scans)))
        scans = tuple(ScanRef(scan.id, scan.side, scan.raw_text) for card in cards
                      for scan in sorted(card.scans, key=lambda x: (x.side != "front", x.id)))
        corrections = tuple(
            CorrectionRef(c.field, c.machine_value, c.value, c.created_at)
            for c in self.session.scalars(select(CorrectionRow).where(
                CorrectionRow.contact_id == contact_id).order_by(CorrectionRow.id)))
        return CardPage(contact_view(row), scans, tuple(self.similar(contact_id)), corrections,
                        tuple(self.sync_conflicts(contact_id)))  # type: ignore[attr-defined]

    def similar(self, contact_id: int) -> list[Similar]:
        """Other stored contacts that look like the same person: the same e-mail, the same
        phone number, or the same name at the same company."""
        fields = contact_fields(self._contact_row(contact_id))
        return [Similar(m.contact_id, m.name, m.company, m.reasons)
                for m in matches(self.session, fields, exclude=contact_id)]

    def scan_file(self, scan_id: int) -> ScanFile:
        """Where a scan's image and its card view were stored, and which card of its file
        it is."""
        found = self.session.execute(
            select(ScanRow.stored_path, ScanRow.view_path, ScanRow.sha256, ScanRow.part,
                   ScanRow.side).where(ScanRow.id == scan_id)).first()
        if found is None:
            raise NotFoundError(f"no scan {scan_id}")
        stored, view, sha256, part, side = found
        return ScanFile(str(stored), str(view) if view else None, str(sha256), int(part or 0),
                        str(side))

    # --- corrections ------------------------------------------------------------------------

    def correct(self, contact_id: int, changes: Sequence[FieldChange], *,
                settle: Iterable[str], confirm: bool, now: dt.datetime) -> None:
        """Store a person's values: each with a correction row keeping the value it
        replaced, and confidence 1.0 (a person checked it). Values other cards gave for the
        ``settle`` fields stop asking for review; ``confirm`` marks the contact reviewed."""
        row = self._contact_row(contact_id)
        note = self.session.scalars(select(NoteRow).where(NoteRow.contact_id == contact_id)
                                    .order_by(NoteRow.met_on.desc(), NoteRow.id.desc())).first()
        for change in changes:
            self.session.add(CorrectionRow(contact_id=contact_id, field=change.field,
                                           created_at=now, machine_value=change.machine_value,
                                           value=change.value))
            self._apply(row, note, change.field, change.stored)
        settled = set(settle)
        alternatives = dict(row.alternatives or {})
        kept = {k: v for k, v in alternatives.items() if k not in settled}
        if kept != alternatives:
            row.alternatives = kept
        if confirm:
            row.reviewed = True
        self.session.flush()

    def _apply(self, row: ContactRow, note: NoteRow | None, field: str, value: Any) -> None:
        if field in CONTACT_COLUMNS:
            setattr(row, field, value)
        elif field == "phones":
            self._replace_phones(row, value)
        elif field == "emails":
            for email in list(row.emails):
                self.session.delete(email)
            row.emails = [EmailRow(address=e) for e in value]
        elif field in MEETING_COLUMNS and note is not None:
            setattr(note, field, dt.date.fromisoformat(value) if field == "met_on" else value)
        # A field a person set is no longer one to check (the machine's figures stay in
        # cards.parsed).
        if field in MEETING_COLUMNS and note is not None:
            note.confidence = {**(note.confidence or {}), field: 1.0}
        else:
            row.confidence = {**(row.confidence or {}), field: 1.0}

    def _replace_phones(self, row: ContactRow, phones: list[dict[str, Any]]) -> None:
        """New phone rows; a number that was there keeps the raw text OCR read for it."""
        old = {p.number: p for p in row.phones}
        for phone in list(row.phones):
            self.session.delete(phone)
        row.phones = [PhoneRow(number=p["number"], type=p["type"],
                               raw=old[p["number"]].raw if p["number"] in old else p["raw"],
                               extension=p["extension"] or (old[p["number"]].extension
                                                            if p["number"] in old else None))
                      for p in phones]
