"""What the review page reads and writes: the queue, a card page, look-alike contacts, a person's
corrections. Each query fetches what its page shows: the queue reads a handful of columns per
contact (no phones, e-mails or meetings), a card page reads one contact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..errors import NotFoundError, UsageError
from ..model import ACTIVE
from .convert import contact_fields, contact_view
from .people import matches
from .schema import (
    CardRow,
    ContactRow,
    CorrectionRow,
    EmailRow,
    NoteRow,
    PhoneRow,
    ScanRow,
    TaskRow,
)
from .search import search_conditions
from .views import (
    CardPage,
    CorrectionRef,
    Counts,
    QueueItem,
    QueuePage,
    QueueQuery,
    ScanRef,
    Similar,
    Trashed,
    queue_item,
)

CONTACT_COLUMNS = ("name", "given_name", "family_name", "title", "department", "company",
                   "website", "address", "pronunciation")
MEETING_COLUMNS = ("met_on", "event", "topics", "actions", "priority")
_ORDER: dict[str, tuple[Any, ...]] = {
    "queue": (ContactRow.weakest, ContactRow.checks.desc(), ContactRow.id),
    "newest": (ContactRow.id.desc(),),
    "oldest": (ContactRow.id,),
    "name": (func.lower(ContactRow.name), ContactRow.id),
    "company": (func.lower(ContactRow.company), func.lower(ContactRow.name), ContactRow.id),
}
def _status(status: str) -> list[Any]:
    if status == "all":
        return []
    return [ContactRow.reviewed.is_(status == "reviewed")]



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

    def changed(self, contact_id: int) -> None:
        raise NotImplementedError  # Transaction's

    # --- the queue --------------------------------------------------------------------------

    def queue_page(self, query: QueueQuery) -> QueuePage:
        """One page of the queue: the contacts the query matches, in its order, cut by the
        database (each contact's queue place is stored with it), with the counts and events
        the page's filters show."""
        where = [ContactRow.deleted_at.is_(None), *_status(query.status)]
        where += search_conditions(query.search)
        if query.event:
            where.append(exists().where(NoteRow.contact_id == ContactRow.id,
                                        func.lower(NoteRow.event) == query.event.lower()))
        if query.check:
            where.append(ContactRow.checks > 0)
        if query.due_by is not None:
            where.append(exists().where(TaskRow.contact_id == ContactRow.id,
                                        TaskRow.state.in_(ACTIVE),
                                        TaskRow.due_on <= query.due_by))
        matching = self.session.scalar(select(func.count(ContactRow.id)).where(*where)) or 0
        per_page = max(1, query.per_page)
        pages = max(1, -(-matching // per_page))
        page = min(max(1, query.page), pages)
        ids = list(self.session.scalars(select(ContactRow.id).where(*where)
                                        .order_by(*_ORDER[query.sort])
                                        .offset((page - 1) * per_page).limit(per_page)))
        return QueuePage(tuple(self._queue_items(ids)), matching, page, pages, self.counts(),
                         self.events())

    def _queue_items(self, ids: Sequence[int]) -> list[QueueItem]:
        """Queue rows for these contacts, in this order: a contact's confidence merged with
        its latest meeting's."""
        latest = dict(self.session.execute(
            select(NoteRow.contact_id, NoteRow.confidence).where(NoteRow.contact_id.in_(ids))
            .order_by(NoteRow.met_on, NoteRow.id)).all())  # the newest meeting wins
        rows = {row[0]: row for row in self.session.execute(
            select(ContactRow.id, ContactRow.name, ContactRow.company, ContactRow.confidence,
                   ContactRow.alternatives, ContactRow.reviewed).where(ContactRow.id.in_(ids)))}
        return [queue_item(i, name, company, {**(mine or {}), **(latest.get(i) or {})},
                           alternatives, done)
                for i, name, company, mine, alternatives, done in map(rows.__getitem__, ids)]

    def counts(self) -> Counts:
        total, reviewed = self.session.execute(select(
            func.count(ContactRow.id),
            func.coalesce(func.sum(case((ContactRow.reviewed.is_(True), 1), else_=0)), 0))
            .where(ContactRow.deleted_at.is_(None))).one()
        return Counts(total - reviewed, reviewed, total)

    def events(self) -> tuple[str, ...]:
        """Every event a stored contact was met at (for the filters)."""
        return tuple(sorted(set(self.session.scalars(
            select(NoteRow.event).distinct().join(ContactRow, ContactRow.id == NoteRow.contact_id)
            .where(NoteRow.event.is_not(None), ContactRow.deleted_at.is_(None)))),
            key=str.casefold))

    def next_unreviewed(self, after: int) -> int | None:
        """The unreviewed contact that follows ``after`` in the queue (wrapping round), else
        None. Ask before saving ``after``: a correction changes its place in the queue."""
        todo = (select(ContactRow.id).where(ContactRow.reviewed.is_(False),
                                            ContactRow.deleted_at.is_(None),
                                            ContactRow.id != after)
                .order_by(*_ORDER["queue"]).limit(1))
        here = self.session.execute(select(ContactRow.weakest, ContactRow.checks)
                                    .where(ContactRow.id == after)).first()
        if here is not None:
            weakest, checks = here
            later = self.session.scalar(todo.where(or_(
                ContactRow.weakest > weakest,
                and_(ContactRow.weakest == weakest, ContactRow.checks < checks),
                and_(ContactRow.weakest == weakest, ContactRow.checks == checks,
                     ContactRow.id > after))))
            if later is not None:
                return int(later)
        first = self.session.scalar(todo)
        return None if first is None else int(first)

    def confirm(self, contact_id: int) -> None:
        self._contact_row(contact_id).reviewed = True

    # --- the trash and merges ---------------------------------------------------------------

    def delete_contact(self, contact_id: int, *, now: dt.datetime) -> None:
        """Into the trash: out of every list, export, sync and follow-up list, and back with
        ``restore_contact``; nothing is removed."""
        row = self._contact_row(contact_id)
        if row.deleted_at is None:
            row.deleted_at = now

    def restore_contact(self, contact_id: int) -> None:
        row = self._contact_row(contact_id)
        if row.merged_into is not None:
            raise UsageError(f"contact {contact_id} was merged into contact {row.merged_into}; "
                             "nothing of it is left to restore")
        row.deleted_at = None

    def trash(self) -> list[Trashed]:
        """Contacts in the trash (not those merged into another), newest first."""
        return [Trashed(i, name, company, at) for i, name, company, at in self.session.execute(
            select(ContactRow.id, ContactRow.name, ContactRow.company, ContactRow.deleted_at)
            .where(ContactRow.deleted_at.is_not(None), ContactRow.merged_into.is_(None))
            .order_by(ContactRow.deleted_at.desc(), ContactRow.id.desc())) if at is not None]

    def merge_contacts(self, keep: int, other: int, chosen: Mapping[str, Any], *,
                       now: dt.datetime) -> None:
        """``other`` joins ``keep``: the fields take the chosen values (a person picked them),
        the values not chosen are kept as alternatives, phones, e-mails and profiles are
        combined, and ``other``'s cards (with their scans), meetings and follow-ups move to
        ``keep``. ``other`` stays as it was, marked merged (nothing is removed). Combining
        the two follow-up plans is the lifecycle's (``followup.lifecycle.merge``)."""
        if keep == other:
            raise UsageError("choose two different contacts to merge")
        a, b = self._contact_row(keep), self._contact_row(other)
        for row in (a, b):
            if row.deleted_at is not None:
                raise UsageError(f"contact {row.id} is in the trash; restore it first")
        alternatives = {k: list(v) for k, v in (a.alternatives or {}).items()}
        confidence = dict(a.confidence or {})
        for field in CONTACT_COLUMNS:
            mine, theirs = getattr(a, field), getattr(b, field)
            values = [v for v in (mine, theirs) if v]
            value = chosen.get(field, values[0] if values else None) or None
            for unchosen in values:
                if unchosen != value and unchosen not in alternatives.get(field, []):
                    alternatives.setdefault(field, []).append(unchosen)
            if value == mine:
                continue
            self.session.add(CorrectionRow(contact_id=keep, field=field, created_at=now,
                                           machine_value=mine, value=value))
            setattr(a, field, value)
            if field in chosen and mine:
                confidence[field] = 1.0  # a person chose between two values
            elif value == theirs and field in (b.confidence or {}):
                confidence[field] = b.confidence[field]
        a.alternatives, a.confidence = alternatives, confidence
        have = {p.number for p in a.phones}
        a.phones += [PhoneRow(number=p.number, type=p.type, raw=p.raw, extension=p.extension)
                     for p in b.phones if p.number not in have]
        mails = {e.address.lower() for e in a.emails}
        a.emails += [EmailRow(address=e.address) for e in b.emails
                     if e.address.lower() not in mails]
        a.social = list(dict.fromkeys([*(a.social or []), *(b.social or [])]))
        if a.marketing_consent is None:
            a.marketing_consent = b.marketing_consent
        a.reviewed = bool(a.reviewed and b.reviewed and not alternatives)
        for table in (CardRow, NoteRow, TaskRow):
            self.session.execute(update(table).where(table.contact_id == other)
                                 .values(contact_id=keep))
        b.deleted_at, b.merged_into = now, keep
        self.session.flush()
        self.session.expire(a)
        self.changed(keep)

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
                        tuple(self.sync_conflicts(contact_id)),  # type: ignore[attr-defined]
                        deleted_at=row.deleted_at, merged_into=row.merged_into)

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
        self.changed(contact_id)
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
