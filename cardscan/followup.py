"""Follow-up rules as pure date arithmetic: when the first touch is due and what it says."""

from __future__ import annotations

import datetime as dt

from .config import WEEKDAYS, Followup
from .model import PlannedTask


def first_touch_due(met_on: dt.date, policy: Followup) -> dt.date:
    """``first_touch_days`` after the meeting, moved forward off the avoided weekdays.

    With the defaults (2 days; never Sat, Sun or Mon) a due date that falls on a weekend or a
    Monday becomes the Tuesday after.
    """
    return next_allowed_day(met_on + dt.timedelta(days=policy.first_touch_days), policy)


def next_allowed_day(day: dt.date, policy: Followup) -> dt.date:
    avoided = {WEEKDAYS.index(d) for d in policy.avoid_weekdays}
    while day.weekday() in avoided:
        day += dt.timedelta(days=1)
    return day


def plan(*, met_on: dt.date, name: str | None, event: str | None, topics: tuple[str, ...],
         actions: tuple[str, ...], policy: Followup) -> list[PlannedTask]:
    """The follow-up tasks for a new contact (for now: the first touch)."""
    due = first_touch_due(met_on, policy)
    text = draft(name=name, met_on=met_on, event=event, topics=topics, actions=actions)
    return [PlannedTask(due_on=due, channel=policy.first_channel, touch=1, draft=text)]


def draft(*, name: str | None, met_on: dt.date, event: str | None, topics: tuple[str, ...],
          actions: tuple[str, ...]) -> str:
    """A short personal first message; each missing detail is simply left out."""
    greeting = f"Hi {name.split()[0]}," if name else "Hi,"
    where = f" at {event}" if event else ""
    when = f"{met_on:%B} {met_on.day}"
    lines = [greeting, f"great to meet you{where} on {when}."]
    if topics:
        lines.append(f"I enjoyed our talk about {_join(topics)}.")
    if actions:
        lines.append(f"As promised: {_join(actions)}.")
    lines.append("Would you have time for a short call next week?")
    return " ".join(lines)


def _join(items: tuple[str, ...]) -> str:
    items = tuple(i.rstrip(".!") for i in items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
