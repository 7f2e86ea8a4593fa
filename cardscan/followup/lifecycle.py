"""A contact's follow-up plan over time, stored: between the pure planner and the database.

Every function here runs in one transaction and works on typed values: a card stored with its
meeting and first touch; a back attached later; a touch closed and the next one planned from
the day it was done; drafts rewritten when a person corrects the name or the meeting. Only the
next touch is stored; the planner decides it when the one before is closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TypeVar

from ..config import Followup
from ..model import ACTIVE, REVIEW_BELOW, Note, ParsedCard, PlannedTask
from ..store import ContactView, Database, MeetingView, NewMeeting, TaskView, Transaction
from ..store.convert import linkedin_profile
from . import planner
from .report import REPLIED  # the outcome of a touch they replied to (done --replied)


class AlreadyStored(Exception):
    """The file's image is in the database already (the same image twice in one batch)."""


T = TypeVar("T")


def first_touch(meeting: planner.Meeting, policy: Followup) -> list[PlannedTask]:
    """A new contact starts its sequence with the first touch; each later one is planned when
    the one before is done (from that day)."""
    # Only the first is written: drafting the whole cadence cost the batch parent 3 ms a card.
    return [planner.first(meeting, policy)]


def warm(policy: Followup) -> None:
    """Load what planning a first touch needs (the country's holidays, the draft templates)
    before the first card: a batch's parent does it while its workers load their engines,
    instead of on the first card (measured: 0.2 s for the holidays, 0.1 s for templates)."""
    planner.plan(planner.Meeting(met_on=dt.date.today(), name="Warm Up"), policy)


def card_meeting(card: ParsedCard) -> planner.Meeting:
    confidence = card.note.confidence
    event = card.event if card.event != card.note.event else _citable(card.event, "event",
                                                                      confidence)
    return planner.Meeting(met_on=card.met_on, name=card.contact.name, event=event,
                           topics=_citable(card.note.topics, "topics", confidence) or (),
                           actions=_citable(card.note.actions, "actions", confidence) or (),
                           priority=card.note.priority, language=card_language(card),
                           pronunciation=card.note.pronunciation,
                           linkedin=linkedin_profile(card.contact.social),
                           address=card.contact.address, date_read=_date_read(confidence))


def card_language(card: ParsedCard) -> str | None:
    """The main language of the card's country ("FR" -> "fr"), when the parser found one."""
    from ..parse.regions import region_language

    return region_language(card.contact.region) if card.contact.region else None


def stored_meeting(meeting: MeetingView, name: str | None, *, pronunciation: str | None = None,
                   linkedin: str | None = None, address: str | None = None
                   ) -> planner.Meeting:
    confidence = meeting.confidence
    return planner.Meeting(met_on=meeting.met_on, name=name, pronunciation=pronunciation,
                           linkedin=linkedin, address=address,
                           event=_citable(meeting.event, "event", confidence),
                           topics=_citable(meeting.topics, "topics", confidence) or (),
                           actions=_citable(meeting.actions, "actions", confidence) or (),
                           priority=meeting.priority, language=meeting.language,
                           date_read=_date_read(confidence))


def contact_meeting(contact: ContactView, meeting: MeetingView) -> planner.Meeting:
    """A stored meeting as the planner sees it, with what the contact adds to the drafts."""
    return stored_meeting(meeting, contact.name, pronunciation=contact.pronunciation,
                          linkedin=linkedin_profile(contact.fields.social),
                          address=contact.fields.address)


def _date_read(confidence: Mapping[str, float]) -> bool:
    """The meeting's date is cited unless the note's date was written but not read (see
    parse.note: "MET L/12"); once a person confirms the date it is cited again."""
    return confidence.get("met_on", 1.0) >= REVIEW_BELOW


def _citable(value: T, field: str, confidence: Mapping[str, float]) -> T | None:
    """A note value handwriting OCR read with little confidence is not cited in a draft
    (it is on the contact's review list; once a person confirms it, it is cited)."""
    return value if confidence.get(field, 1.0) >= REVIEW_BELOW else None


def store_cards(db: Database, cards: Sequence[ParsedCard], policy: Followup, *,
                now: dt.datetime) -> list[tuple[int, bool]]:
    """Store the cards read from one file (one transaction: a file is wholly stored or not
    at all), each with its meeting and, for a meeting later than any before, a fresh plan.
    Returns (contact id, merged into a stored contact) per card; raises ``AlreadyStored``
    when the file's image is stored already (checked in the same transaction)."""
    with db.transaction() as tx:
        if cards and tx.has_scan(cards[0].front.sha256):
            raise AlreadyStored(cards[0].front.path)
        return [_store_card(tx, card, policy, now) for card in cards]


def _store_card(tx: Transaction, card: ParsedCard, policy: Followup,
                now: dt.datetime) -> tuple[int, bool]:
    if card.event and card.event != card.note.event:
        # The batch's --event or the watched folder's name: that event has its record (its
        # follow-up time on the calendar), made now unless recorded before.
        tx.record_event(card.event, card.met_on, card.met_on, now=now, keep=True)
    contact_id, card_id, merged = tx.add_card(card, now=now)
    if merged and not card.met_known:
        return contact_id, merged  # another capture of the card: no new meeting
    meeting = NewMeeting(card_id=card_id, met_on=card.met_on, event=card.event,
                         topics=card.note.topics, actions=card.note.actions,
                         priority=card.note.priority, confidence=card.note.confidence,
                         text=card.back_ocr.text if card.back_ocr else "",
                         met_known=card.met_known, language=card_language(card))
    if not merged:
        # A new contact: no meeting stood in for this one and no plan runs yet (three queries
        # fewer per card: the batch parent's storing is what keeps 2 workers under 2x).
        note_id, _ = tx.record_meeting(contact_id, meeting, first=True)
        for planned in first_touch(card_meeting(card), policy):
            tx.add_task(contact_id, note_id, planned, now=now)
        return contact_id, merged
    # The meeting a capture without a note stood in for is replaced, plan and all.
    undated = tx.undated_meeting(contact_id)
    note_id, later = tx.record_meeting(contact_id, meeting, replaces=undated)
    if later or undated is not None:
        tx.restart_plan(contact_id, note_id, first_touch(card_meeting(card), policy), now=now)
    return contact_id, merged


def attach_note(db: Database, sha256: str, contact_id: int, note: Note, *, text: str,
                met_on: dt.date, event: str | None, policy: Followup,
                now: dt.datetime) -> int:
    """A kept back's note joins the contact's newest card: it completes the card's meeting
    when the card had no back, else it is another meeting. A later meeting than any before
    starts a fresh plan (the old sequence is stopped and kept); otherwise the open drafts
    cite the note and an open first touch is re-dated. Returns the note id."""
    with db.transaction() as tx:
        contact = tx.contact(contact_id)
        name = contact.name
        card_id = tx.newest_card(contact_id)
        tx.link_back(sha256, card_id)
        confidence = note.confidence
        before = contact.latest  # the card's meeting: its language stays
        language = before.language if before else None
        pronunciation = contact.pronunciation or note.pronunciation
        if pronunciation != contact.pronunciation:
            tx.set_pronunciation(contact_id, pronunciation)
        cited = planner.Meeting(
            met_on=met_on, name=name, pronunciation=pronunciation,
            linkedin=linkedin_profile(contact.fields.social), address=contact.fields.address,
            event=event if event != note.event else _citable(event, "event", confidence),
            topics=_citable(note.topics, "topics", confidence) or (),
            actions=_citable(note.actions, "actions", confidence) or (),
            priority=note.priority, language=language,
            date_read=_date_read(confidence))
        tasks = planner.plan(cited, policy)
        meeting = NewMeeting(card_id=card_id, met_on=met_on, event=event, topics=note.topics,
                             actions=note.actions, priority=note.priority, language=language,
                             confidence=note.confidence, text=text)
        note_id, later = tx.record_meeting(contact_id, meeting,
                                           replaces=tx.blank_meeting(card_id))
        if later:
            tx.restart_plan(contact_id, note_id, tasks[:1], now=now)
            return note_id
        for task in tx.tasks(contact_id=contact_id):
            planned = next((t for t in tasks if t.touch == task.touch), None)
            if planned is not None:
                first_open = task.touch == 1 and task.status == "open"
                tx.update_task(task.id, draft=planned.draft, note_id=note_id,
                               due_on=planned.due_on if first_open else None)
        return note_id


def close_task(db: Database, task_id: int, *, state: str, on: dt.date, policy: Followup,
               outcome: str | None = None, now: dt.datetime | None = None
               ) -> PlannedTask | None:
    """Done or skipped: the task closes and the next touch is planned from ``on``; "stopped"
    (they replied): the task is done with the outcome "replied" and the contact's sequence
    ends. Returns the next touch, if any."""
    with db.transaction() as tx:
        task = tx.task(task_id)
        if state == "stopped":  # they replied: this touch is done, the sequence ends
            said = REPLIED + (f": {outcome}" if outcome else "")
            tx.close_task(task_id, state="done", on=on, outcome=said)
            tx.stop_contact(task.contact_id, on=on, outcome=said)
            return None
        tx.close_task(task_id, state=state, on=on, outcome=outcome)
        following = planner.after_done(task.touch, on, _task_meeting(task, on), policy)
        if following is not None:
            tx.add_task(task.contact_id, task.note_id, following, now=now or dt.datetime.now())
        return following


def _task_meeting(task: TaskView, on: dt.date) -> planner.Meeting:
    if task.meeting is None:
        return planner.Meeting(met_on=on, name=task.contact_name,
                               pronunciation=task.pronunciation, linkedin=task.linkedin,
                               address=task.address)
    return stored_meeting(task.meeting, task.contact_name, pronunciation=task.pronunciation,
                          linkedin=task.linkedin, address=task.address)


def redraft(tx: Transaction, contact_id: int, policy: Followup) -> None:
    """The name or the latest meeting changed: the open drafts citing it are written again
    (their due dates stay)."""
    contact = tx.contact(contact_id)
    latest = contact.latest
    if latest is None:
        return
    meeting = contact_meeting(contact, latest)
    for task in tx.tasks(contact_id=contact_id, note_id=latest.id, states=ACTIVE):
        tx.update_task(task.id, draft=planner.touch(task.touch, task.due, meeting, policy).draft)


def merge(db: Database, keep: int, other: int, chosen: Mapping[str, object], *,
          policy: Followup, now: dt.datetime) -> None:
    """Two contacts are one person: ``other`` joins ``keep`` (``Transaction.merge_contacts``)
    and their follow-ups become one plan: the touches of the newest meeting's plan go on
    (the soonest touch's when no open task cites the newest meeting); the other plan's open
    touches stop, kept as history; the open drafts are written again for the merged contact."""
    with db.transaction() as tx:
        tx.merge_contacts(keep, other, chosen, now=now)
        active = tx.tasks(contact_id=keep)
        if active:
            latest = tx.contact(keep).latest
            plan = latest.id if latest and any(t.note_id == latest.id for t in active) \
                else active[0].note_id
            for task in active:
                if task.note_id != plan:
                    tx.close_task(task.id, state="stopped", on=now.date(),
                                  outcome=f"merged with contact {other}")
        redraft(tx, keep, policy)


def draft_for(db: Database, task_id: int, channel: str, policy: Followup) -> str:
    """A task's message written for another channel (``cardscan draft TASK --channel``): a
    LinkedIn note when the person asks for one, a handwritten card, a call script."""
    with db.transaction() as tx:
        task = tx.task(task_id)
    meeting = _task_meeting(task, task.due)
    return planner.draft(channel, meeting, number=task.touch,
                         last=task.touch == len(policy.touches),
                         language=planner.draft_language(meeting, policy))
