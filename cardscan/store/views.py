"""Read models: what the storage package hands out. Frozen values, never ORM rows, so nothing
outside ``store/`` touches a session, and a page or a command gets exactly what it shows.

``json()`` gives the public JSON contract (``contacts --json``, ``tasks --json``): add keys
freely, never rename one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import REVIEW_BELOW, ContactFields, Note, contact_record


@dataclass(frozen=True)
class MeetingView:
    """One stored meeting with a contact (a card's back, or the batch's --met/--event)."""

    id: int
    card_id: int
    met_on: dt.date
    event: str | None = None
    topics: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    priority: str = "normal"
    confidence: Mapping[str, float] = field(default_factory=dict)
    text: str = ""
    met_known: bool = True
    language: str | None = None  # the card's language (the drafts')

    def json(self) -> dict[str, Any]:
        return {"met_on": self.met_on.isoformat(), "event": self.event,
                "topics": list(self.topics), "actions": list(self.actions)}


@dataclass(frozen=True)
class NewMeeting:
    """A meeting to store (what ``MeetingView`` becomes once it has an id)."""

    card_id: int
    met_on: dt.date
    event: str | None
    topics: tuple[str, ...]
    actions: tuple[str, ...]
    priority: str
    confidence: Mapping[str, float]
    text: str = ""
    met_known: bool = True
    language: str | None = None


@dataclass(frozen=True)
class SyncState:
    """A contact or task as last synced: where it lies remotely, its ETag then, a digest of
    what was sent, and the server's version when it was changed there meanwhile."""

    href: str
    etag: str | None
    digest: str
    conflict: str | None = None


@dataclass(frozen=True)
class NextTouch:
    due: dt.date
    channel: str
    touch: int

    def json(self) -> dict[str, Any]:
        return {"due": self.due.isoformat(), "channel": self.channel, "touch": self.touch}


@dataclass(frozen=True)
class ContactView:
    """A stored contact with its meetings (oldest first) and its next follow-up."""

    id: int
    fields: ContactFields
    meetings: tuple[MeetingView, ...]
    reviewed: bool
    marketing_consent: bool
    alternatives: Mapping[str, tuple[str, ...]]
    created_at: dt.datetime
    next_follow_up: NextTouch | None = None
    marketing_consent_asked: bool = False  # False: nobody asked yet (consent is still off)
    pronunciation: str | None = None  # how to say the name ("zo-AY leh-FEV")

    @property
    def name(self) -> str | None:
        return self.fields.name

    def value(self, field: str) -> Any:
        """A field of the contact by name (the card's fields, or ``pronunciation``)."""
        return self.pronunciation if field == "pronunciation" else getattr(self.fields, field)

    @property
    def latest(self) -> MeetingView | None:
        """The newest meeting: the latest date, then the last stored."""
        return self.meetings[-1] if self.meetings else None

    def json(self) -> dict[str, Any]:
        """The public JSON shape of a stored contact (``cardscan contacts --json``); the note
        fields are those of the latest meeting."""
        latest = self.latest
        note = (Note(topics=latest.topics, actions=latest.actions, priority=latest.priority,
                     confidence=dict(latest.confidence), pronunciation=self.pronunciation)
                if latest else Note(pronunciation=self.pronunciation))
        record = contact_record(self.fields, note, met_on=latest.met_on if latest else None,
                                event=latest.event if latest else None)
        alternatives = {k: list(v) for k, v in self.alternatives.items()}
        if alternatives:  # two cards disagree: a person should pick
            record["review"] = sorted({*record["review"], *alternatives})  # type: ignore[misc]
        return {"id": self.id, **record, "reviewed": self.reviewed, "alternatives": alternatives,
                "marketing_consent": self.marketing_consent,
                "marketing_consent_asked": self.marketing_consent_asked,
                "meetings": [m.json() for m in self.meetings],
                "created_at": self.created_at.isoformat(),
                "next_follow_up": self.next_follow_up.json() if self.next_follow_up else None}


@dataclass(frozen=True)
class TaskView:
    """One touch of a follow-up plan, with the meeting it cites."""

    id: int
    contact_id: int
    contact_name: str | None
    company: str | None
    touch: int
    channel: str
    due: dt.date
    status: str
    draft: str
    note_id: int | None = None
    meeting: MeetingView | None = None
    closed_on: dt.date | None = None
    outcome: str | None = None
    sequence: int = 0  # rises on every change (the calendar's SEQUENCE)
    changed_at: dt.datetime | None = None  # UTC, last change (or creation)
    linkedin: str | None = None  # the contact's LinkedIn profile (linkedin.com/in/...)
    pronunciation: str | None = None  # how to say the contact's name
    address: str | None = None  # the contact's postal address (a handwritten note's)

    @property
    def priority(self) -> str:
        return self.meeting.priority if self.meeting else "normal"

    def json(self) -> dict[str, Any]:
        """The public JSON shape (``tasks --json``): the older keys (contact, due_on, state)
        and the newer names for them (contact_name, due, status) are both kept."""
        m = self.meeting
        return {
            "id": self.id, "contact_id": self.contact_id, "contact": self.contact_name,
            "contact_name": self.contact_name, "company": self.company, "touch": self.touch,
            "channel": self.channel, "due_on": self.due.isoformat(), "due": self.due.isoformat(),
            "state": self.status, "status": self.status, "draft": self.draft,
            "met_on": m.met_on.isoformat() if m else None, "event": m.event if m else None,
            "topics": list(m.topics) if m else [], "actions": list(m.actions) if m else [],
            "priority": self.priority,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "outcome": self.outcome, "sequence": self.sequence,
            "updated_at": self.changed_at.isoformat() + "Z" if self.changed_at else None,
            "pronunciation": self.pronunciation, "address": self.address,
        }


def soonest_first(tasks: Iterable[TaskView], event: str | None = None) -> list[TaskView]:
    """Follow-ups by due date, high priority first on a day; only one event's (any case)
    when ``event`` is given."""
    if event is not None:
        tasks = [t for t in tasks
                 if t.meeting and (t.meeting.event or "").casefold() == event.casefold()]
    return sorted(tasks, key=lambda t: (t.due, t.priority != "high", t.id))


# --- what the review page shows ---------------------------------------------------------------

@dataclass(frozen=True)
class QueueItem:
    """One contact in the review queue: only what the queue shows and sorts by."""

    id: int
    name: str | None
    company: str | None
    weakest: float  # the lowest confidence of any field found on the card (0: none found)
    weak_fields: tuple[str, ...]  # fields to check: little confidence, or cards disagree
    reviewed: bool

    @property
    def key(self) -> tuple[float, int, int]:
        """Queue order: the weakest reading first, then the most fields to check."""
        return (self.weakest, -len(self.weak_fields), self.id)


def to_check(confidence: Mapping[str, float], alternatives: Mapping[str, Any] | None
             ) -> tuple[str, ...]:
    """The fields a person should check: read with little confidence, or cards disagree.
    ``confidence`` is the contact's merged with its latest meeting's."""
    weak = {k for k, v in confidence.items() if 0 < v < REVIEW_BELOW} | set(alternatives or {})
    return tuple(sorted(weak))


def rank(confidence: Mapping[str, float], alternatives: Mapping[str, Any] | None
         ) -> tuple[float, int]:
    """A contact's place in the review queue (stored with it): the weakest confidence of any
    field found (0: none found) and how many fields to check."""
    weakest = min((v for v in confidence.values() if v > 0), default=0.0)
    return weakest, len(to_check(confidence, alternatives))


def queue_item(contact_id: int, name: str | None, company: str | None,
               confidence: Mapping[str, float], alternatives: Mapping[str, Any] | None,
               reviewed: bool) -> QueueItem:
    """A queue item from a contact's confidence merged with its latest meeting's."""
    weakest, _ = rank(confidence, alternatives)
    return QueueItem(contact_id, name, company, weakest, to_check(confidence, alternatives),
                     bool(reviewed))


@dataclass(frozen=True)
class Counts:
    unreviewed: int
    reviewed: int
    total: int


QUEUE_SORTS = ("queue", "newest", "oldest", "name", "company")
QUEUE_STATUSES = ("unreviewed", "reviewed", "all")


@dataclass(frozen=True)
class QueueQuery:
    """Which contacts a queue page lists: search words (each must match the name, company,
    title, an e-mail, the digits of a phone, or a meeting's event, topics or note text),
    filters, the order and the page."""

    search: str = ""
    event: str | None = None  # met at this event (any case)
    status: str = "unreviewed"  # unreviewed | reviewed | all
    check: bool = False  # only contacts with a field to check
    due_by: dt.date | None = None  # only contacts with a follow-up due by then
    sort: str = "queue"  # queue (weakest reading first) | newest | oldest | name | company
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class QueuePage:
    items: tuple[QueueItem, ...]
    matching: int  # contacts the query matches, over every page
    page: int
    pages: int
    counts: Counts  # of every contact not in the trash
    events: tuple[str, ...]  # every event met at, for the filter


@dataclass(frozen=True)
class EventView:
    """An event the user recorded (``cardscan event add``), with the cards met there."""

    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    cards: int = 0

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "starts_on": self.starts_on.isoformat(),
                "ends_on": self.ends_on.isoformat(), "cards": self.cards}


@dataclass(frozen=True)
class TouchHistory:
    touch: int
    state: str  # open | snoozed | done | skipped | stopped
    closed_on: dt.date | None
    outcome: str | None


@dataclass(frozen=True)
class MeetingHistory:
    """One stored meeting (a card) and the touches planned from it: what the report counts."""

    contact_id: int
    event: str | None
    met_on: dt.date
    priority: str
    reviewed: bool
    touches: tuple[TouchHistory, ...]


DUE_GROUPS = ("today", "week", "overdue", "all")


@dataclass(frozen=True)
class TaskPage:
    """One page of follow-ups still to do, and how many each due group holds."""

    tasks: tuple[TaskView, ...]
    due: str  # today (or earlier) | week (within 7 days) | overdue | all
    matching: int
    page: int
    pages: int
    counts: Mapping[str, int]  # due group -> tasks in it (search and event applied)


@dataclass(frozen=True)
class Trashed:
    id: int
    name: str | None
    company: str | None
    deleted_at: dt.datetime


@dataclass(frozen=True)
class ScanRef:
    id: int
    side: str  # front | back
    text: str  # what OCR read


@dataclass(frozen=True)
class Similar:
    """Another stored contact that may be the same person, and why."""

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
class CardPage:
    """Everything the card page shows about one contact."""

    contact: ContactView
    scans: tuple[ScanRef, ...]
    similar: tuple[Similar, ...]
    corrections: tuple[CorrectionRef, ...]  # oldest first
    sync_conflicts: tuple[str, ...] = ()  # the address book's differing versions (vCards)
    deleted_at: dt.datetime | None = None  # in the trash since
    merged_into: int | None = None  # merged into that contact
