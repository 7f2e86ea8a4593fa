"""ORM rows -> read models and parsed values -> ORM rows (the only place they meet)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..model import ContactFields, OcrResult, ParsedCard, Phone, contact_record
from .views import ContactView, MeetingView, NextTouch, TaskView

if TYPE_CHECKING:  # rows in, or anything with their attributes (``quick`` reads without the ORM)
    from .schema import ContactRow, NoteRow, TaskRow


def meeting_view(note: NoteRow) -> MeetingView:
    return MeetingView(id=note.id, card_id=note.card_id, met_on=note.met_on, event=note.event,
                       topics=tuple(note.topics or ()), actions=tuple(note.actions or ()),
                       priority=note.priority, confidence=dict(note.confidence or {}),
                       text=note.text or "", met_known=note.met_known is not False,
                       language=note.language)


def contact_fields(row: ContactRow) -> ContactFields:
    return ContactFields(
        name=row.name, given_name=row.given_name, family_name=row.family_name, title=row.title,
        department=row.department, company=row.company, website=row.website,
        social=tuple(row.social or ()), address=row.address,
        phones=tuple(Phone(p.number, p.type, p.raw, p.extension) for p in row.phones),
        emails=tuple(e.address for e in row.emails), confidence=dict(row.confidence or {}))


def contact_view(row: ContactRow, next_task: TaskRow | None = None) -> ContactView:
    meetings = sorted(row.notes, key=lambda n: (n.met_on, n.id))
    return ContactView(
        id=row.id, fields=contact_fields(row), meetings=tuple(map(meeting_view, meetings)),
        reviewed=bool(row.reviewed), marketing_consent=bool(row.marketing_consent),
        marketing_consent_asked=row.marketing_consent is not None,
        alternatives={k: tuple(v) for k, v in (row.alternatives or {}).items()},
        created_at=row.created_at, pronunciation=row.pronunciation,
        next_follow_up=NextTouch(next_task.due_on, next_task.channel, next_task.touch)
        if next_task is not None else None)


def task_view(task: TaskRow) -> TaskView:
    return TaskView(id=task.id, contact_id=task.contact_id, contact_name=task.contact.name,
                    company=task.contact.company, touch=task.touch, channel=task.channel,
                    due=task.due_on, status=task.state, draft=task.draft, note_id=task.note_id,
                    meeting=meeting_view(task.note) if task.note is not None else None,
                    closed_on=task.closed_on, outcome=task.outcome, sequence=task.sequence or 0,
                    changed_at=task.updated_at or task.created_at,
                    linkedin=linkedin_profile(task.contact.social or ()),
                    pronunciation=task.contact.pronunciation, address=task.contact.address)


def linkedin_profile(social: Iterable[str]) -> str | None:
    """The LinkedIn profile among a contact's social links, if any."""
    return next((url for url in social if "linkedin.com/" in url.lower()), None)


def contact_columns(c: ContactFields, now: dt.datetime) -> dict[str, Any]:
    """A new contact's row as column values (phones and e-mails are rows of their own)."""
    return dict(
        name=c.name, given_name=c.given_name, family_name=c.family_name, title=c.title,
        department=c.department, company=c.company, website=c.website, social=list(c.social),
        address=c.address, confidence=dict(c.confidence), created_at=now,
        marketing_consent=None)  # not asked yet (not a refusal)


def phone_columns(contact_id: int, p: Phone) -> dict[str, Any]:
    return dict(contact_id=contact_id, number=p.number, type=p.type, raw=p.raw,
                extension=p.extension)


def words_json(ocr: OcrResult) -> list[list[Any]]:
    return [[w.text, w.conf, w.left, w.top, w.width, w.height] for w in ocr.words]


def parsed_json(card: ParsedCard) -> dict[str, Any]:
    return contact_record(card.contact, card.note, met_on=card.met_on, event=card.event)
