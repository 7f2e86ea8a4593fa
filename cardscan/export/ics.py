"""Follow-up tasks as an iCalendar file (RFC 5545) that Google Calendar and Outlook import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from icalendar import Calendar, Event

from ..config import Followup

_SUMMARY = {"email": "E-mail {who}", "call": "Call {who}", "note": "Last note to {who}"}


def tasks_ics(tasks: Iterable[dict[str, Any]], policy: Followup, *, now: dt.datetime) -> bytes:
    """One event per task (``TaskView.json()``, as ``tasks --json`` prints it): a block at
    the policy's ``calendar_time`` (floating local time, so it lands at that hour in the
    user's calendar) or an all-day event; the draft in the description. The UID is stable
    per task, so importing again updates events instead of adding copies."""
    cal = Calendar()
    cal.add("prodid", "-//cardscan//follow-ups//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "cardscan follow-ups")
    for task in tasks:
        cal.add_component(_event(task, policy, now))
    return cal.to_ical()


def _event(task: dict[str, Any], policy: Followup, now: dt.datetime) -> Event:
    due = dt.date.fromisoformat(task["due"])
    who = task["contact_name"] or "a contact"
    if task.get("company"):
        who += f" ({task['company']})"
    event = Event()
    event.add("uid", f"task-{task['id']}@cardscan")
    event.add("dtstamp", now.astimezone(dt.timezone.utc))
    event.add("summary", _SUMMARY.get(task["channel"], "Follow up with {who}").format(who=who))
    if policy.calendar_time:
        hour, minute = map(int, policy.calendar_time.split(":"))
        start = dt.datetime.combine(due, dt.time(hour, minute))
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=policy.calendar_minutes))
    else:
        event.add("dtstart", due)
        event.add("dtend", due + dt.timedelta(days=1))
    met = f"Met {task['met_on']}" + (f" at {task['event']}" if task["event"] else "")
    event.add("description", f"{task['draft']}\n\n{met}. Touch {task['touch']}, "
                             f"cardscan task {task['id']} (cardscan done {task['id']}).")
    if task["event"]:
        event.add("categories", [task["event"]])
    if task["priority"] == "high":
        event.add("priority", 1)
    event.add("transp", "OPAQUE")
    return event
