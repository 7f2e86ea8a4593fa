"""Follow-up rules as pure date arithmetic: when each touch is due and what it says.

The defaults follow the networking advice cardscan is built on: the first touch within two days
of meeting (the next day for a hot contact), never on a weekend, a Monday or a public holiday,
then a call a week later and a last note two weeks after that, then stop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import WEEKDAYS, Followup
from ..model import PlannedTask
from . import drafts
from .holidays import is_holiday


@dataclass(frozen=True)
class Meeting:
    """What the planner needs to know about one meeting with a contact."""

    met_on: dt.date
    name: str | None = None
    event: str | None = None
    topics: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    priority: str = "normal"
    language: str | None = None  # the card's language ("de"), for the drafts
    pronunciation: str | None = None  # how to say the name (the call script starts with it)
    linkedin: str | None = None  # the contact's LinkedIn profile
    address: str | None = None  # the postal address (a handwritten note goes there)
    date_read: bool = True  # False: the note's date could not be read; drafts do not cite it


def allowed(day: dt.date, policy: Followup) -> bool:
    """A touch may be due on ``day``: not an avoided weekday, not a public holiday (a meeting
    on 23 December would otherwise get its e-mail due on Christmas Day)."""
    return (WEEKDAYS[day.weekday()] not in policy.avoid_weekdays
            and not is_holiday(day, policy.holidays))


def next_allowed_day(day: dt.date, policy: Followup) -> dt.date:
    """``day`` itself when a touch may be due then, else the first allowed day after it."""
    while not allowed(day, policy):
        day += dt.timedelta(days=1)
    return day


def first_touch_due(met_on: dt.date, policy: Followup, *, priority: str = "normal") -> dt.date:
    """The latest allowed day within ``first_touch_days`` after the meeting, else the next
    allowed day after that window. A high-priority contact is due ``high_priority_days`` after
    the meeting when that day is allowed.

    With the defaults: Mon -> Wed, Tue -> Thu, Wed -> Fri, Thu -> Fri, Fri/Sat/Sun -> Tue;
    high priority: Mon -> Tue, Tue -> Wed, Wed -> Thu, Thu -> Fri, otherwise as before.
    """
    if priority == "high":
        soon = met_on + dt.timedelta(days=policy.high_priority_days)
        if allowed(soon, policy):
            return soon
    window = [met_on + dt.timedelta(days=n) for n in range(policy.first_touch_days, 0, -1)]
    for day in window:  # latest first
        if allowed(day, policy):
            return day
    return next_allowed_day(met_on + dt.timedelta(days=policy.first_touch_days + 1), policy)


def event_block_days(ends_on: dt.date, policy: Followup) -> list[dt.date]:
    """The days of follow-up time after an event: each of the two days after it ("within
    the 2 days after it"), moved off avoided weekdays and holidays as touches are (never a
    Monday by default), each day once."""
    return sorted({next_allowed_day(ends_on + dt.timedelta(days=n), policy) for n in (1, 2)})


def later_touch_due(touch: int, previous: dt.date, policy: Followup) -> dt.date:
    """Touch 2, 3 ...: ``touch_gaps`` days after the previous touch (its due date when
    planning ahead, the day it was done when it is done), moved to an allowed day."""
    gap = policy.touch_gaps[touch - 2]
    return next_allowed_day(previous + dt.timedelta(days=gap), policy)


def channel_for(number: int, meeting: Meeting, policy: Followup) -> str:
    """The channel of touch ``number``, as ``touches`` says: a LinkedIn note only for a
    contact with a LinkedIn profile (unless ``linkedin_without_profile`` says otherwise), a
    handwritten note only to a contact with a postal address; else an e-mail."""
    channel = policy.touches[number - 1]
    if channel == "linkedin" and not meeting.linkedin:
        return policy.linkedin_without_profile
    if channel == "letter" and not meeting.address:
        return "email"
    return channel


def touch(number: int, due_on: dt.date, meeting: Meeting, policy: Followup) -> PlannedTask:
    channel = channel_for(number, meeting, policy)
    text = draft(channel, meeting, number=number, last=number == len(policy.touches),
                 language=draft_language(meeting, policy))
    return PlannedTask(due_on=due_on, channel=channel, touch=number, draft=text)


def draft_language(meeting: Meeting, policy: Followup) -> str:
    """``[followup] draft_language``: a language code, or "auto": the card's language when
    there are drafts in it, else English."""
    if policy.draft_language != "auto":
        return policy.draft_language
    if meeting.language and drafts.available(meeting.language):
        return meeting.language
    return "en"


def first(meeting: Meeting, policy: Followup) -> PlannedTask:
    """The first touch of a meeting's cadence."""
    return touch(1, first_touch_due(meeting.met_on, policy, priority=meeting.priority),
                 meeting, policy)


def plan(meeting: Meeting, policy: Followup) -> list[PlannedTask]:
    """The whole cadence for one meeting, each touch due after the one before."""
    tasks = [first(meeting, policy)]
    for number in range(2, len(policy.touches) + 1):
        tasks.append(touch(number, later_touch_due(number, tasks[-1].due_on, policy),
                           meeting, policy))
    return tasks


def after_done(done: int, done_on: dt.date, meeting: Meeting, policy: Followup
               ) -> PlannedTask | None:
    """The touch that follows touch ``done`` finished on ``done_on``; None after the last."""
    number = done + 1
    if number > len(policy.touches):
        return None
    return touch(number, later_touch_due(number, done_on, policy), meeting, policy)


# --- drafts ------------------------------------------------------------------------------

LINKEDIN_LIMIT = 300  # characters LinkedIn allows in a connection request's note


def draft(channel: str, meeting: Meeting, *, number: int = 1, last: bool = False,
          language: str = "en") -> str:
    """A short personal message (or, for a call, what to say) from the channel's template
    (followup/drafts.py); every missing detail is left out. It names the meeting's date,
    never a weekday. A LinkedIn note fits LinkedIn's 300 characters: the actions, then the
    topics are left out until it does, then it is cut at a word."""
    def render(topics: tuple[str, ...], actions: tuple[str, ...]) -> str:
        return drafts.render(channel, touch=number, last=last, language=language,
                             first=meeting.name.split()[0] if meeting.name else None,
                             name=meeting.name, event=meeting.event,
                             met_on=meeting.met_on if meeting.date_read else None,
                             topics=_items(topics), actions=_items(actions),
                             pronunciation=meeting.pronunciation)

    text = render(meeting.topics, meeting.actions)
    if channel != "linkedin":
        return text
    for topics, actions in ((meeting.topics, ()), ((), ())):
        if len(text) <= LINKEDIN_LIMIT:
            break
        text = render(topics, actions)
    if len(text) > LINKEDIN_LIMIT:
        text = text[:LINKEDIN_LIMIT - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


def _items(items: tuple[str, ...]) -> list[str]:
    return [_mid_sentence(i.strip().rstrip(".!")) for i in items if i.strip()]


def _mid_sentence(item: str) -> str:
    """A note item as it reads inside a sentence: "Send pricing deck" -> "send pricing deck";
    acronyms and names with inner capitals ("SOC2", "LinkedIn") are kept."""
    first, space, rest = item.partition(" ")
    if first[:1].isupper() and first[1:].islower():
        return first.lower() + space + rest
    return item
