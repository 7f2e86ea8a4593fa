"""Follow-up tasks as an iCalendar file (RFC 5545) that Google Calendar, Outlook and task apps
import, and import again as updates.

Each task keeps one UID (from the database's identity, so two databases never collide); its
SEQUENCE is the task's change counter and LAST-MODIFIED its last change, so a calendar that
already holds the event replaces it. A task done, skipped or stopped is exported (with
``include_closed``) as CANCELLED (an event) or COMPLETED (a to-do), so a re-import clears it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, Todo

from ..config import Followup
from ..errors import ConfigError
from ..followup.planner import event_block_days
from ..store.views import EventView

_SUMMARY = {"email": "E-mail {who}", "call": "Call {who}", "note": "Last note to {who}"}
CLOSED = ("done", "skipped", "stopped")


def task_uid(task_id: int, namespace: uuid.UUID) -> str:
    """The task's UID: the same in every export of its database, never another database's."""
    return f"{uuid.uuid5(namespace, f'cardscan-task:{task_id}')}@cardscan"


def tasks_ics(tasks: Iterable[dict[str, Any]], policy: Followup, *, now: dt.datetime,
              namespace: uuid.UUID, as_todo: bool = False, stamp: bool = True,
              events: Sequence[EventView] = ()) -> bytes:
    """One event (or to-do) per task (``TaskView.json()``, as ``tasks --json`` prints it): a
    block at the policy's ``calendar_time`` in its ``calendar_timezone`` (or all-day), a
    reminder ``calendar_alarm_minutes`` before, the draft in the description. ``stamp``
    False: DTSTAMP is the task's last change, not ``now`` (the same task, the same bytes: what
    a sync compares)."""
    zone = calendar_zone(policy.calendar_timezone)
    cal = Calendar()
    cal.add("prodid", "-//cardscan//follow-ups//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "cardscan follow-ups")
    if zone is not None:
        cal.add("x-wr-timezone", str(zone))
    tasks = list(tasks)
    for event in events:
        for block in event_blocks(event, tasks, policy, now=now, namespace=namespace,
                                  zone=zone):
            cal.add_component(block)
    for task in tasks:
        when = now
        if not stamp and task.get("updated_at"):
            when = dt.datetime.fromisoformat(task["updated_at"].removesuffix("Z")).replace(
                tzinfo=dt.timezone.utc)
        cal.add_component(_item(task, policy, when, namespace, zone, as_todo))
    if zone is not None:
        cal.add_missing_timezones()  # a VTIMEZONE from zoneinfo for the zone used
    return cal.to_ical()


def event_blocks(event: EventView, tasks: Sequence[dict[str, Any]], policy: Followup, *,
                 now: dt.datetime, namespace: uuid.UUID, zone: ZoneInfo | None) -> list[Event]:
    """Follow-up time after a recorded event: ``event_block_minutes`` at ``event_block_time``
    (else ``calendar_time``) on each day ``planner.event_block_days`` gives, listing the
    follow-ups of the cards met there (none yet: a reminder to scan them). Its SEQUENCE is
    the number of those cards, so each card that fills it updates the imported event."""
    if not policy.event_block_minutes:
        return []
    met = [t for t in tasks if (t.get("event") or "").casefold() == event.name.casefold()]
    lines = [f"- {t['contact_name'] or 'a contact'}"
             + (f" ({t['company']})" if t.get("company") else "")
             + f": {t['channel']}, due {t['due']} (cardscan task {t['id']})" for t in met]
    description = (f"Follow up on {event.name}:\n" + "\n".join(lines) if lines else
                   f"Scan the cards from {event.name} (cardscan batch --event "
                   f"\"{event.name}\" FOLDER) and follow up while they remember you.")
    at = policy.event_block_time or policy.calendar_time or "09:30"
    hour, minute = map(int, at.split(":"))
    blocks = []
    for day in event_block_days(event.ends_on, policy):
        block = Event()
        block.add("uid", f"{uuid.uuid5(namespace, f'cardscan-event:{event.id}:{day}')}@cardscan")
        block.add("dtstamp", now.astimezone(dt.timezone.utc))
        block.add("sequence", len(met))
        block.add("summary", f"Follow up: {event.name}")
        start = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
        block.add("dtstart", start)
        block.add("dtend", start + dt.timedelta(minutes=policy.event_block_minutes))
        block.add("description", description)
        block.add("categories", [event.name])
        block.add("transp", "OPAQUE")
        blocks.append(block)
    return blocks


def calendar_zone(name: str) -> ZoneInfo | None:
    """``calendar_timezone``: an IANA name, "local" (this machine's zone, when it has a
    name), or "" (floating local times, as a plain time on a calendar)."""
    if not name:
        return None
    if name == "local":
        return _machine_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"[followup] calendar_timezone = {name!r} is not a time zone name "
                          "(e.g. Europe/Berlin, America/New_York; \"local\"; \"\")") from None


def _machine_zone() -> ZoneInfo | None:
    """The zone /etc/localtime links to (Linux, macOS), else None (floating times)."""
    try:
        target = Path("/etc/localtime").resolve(strict=True)
    except OSError:
        return None
    parts = target.parts
    if "zoneinfo" in parts:
        name = "/".join(parts[parts.index("zoneinfo") + 1:])
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return None


def _item(task: dict[str, Any], policy: Followup, now: dt.datetime, namespace: uuid.UUID,
          zone: ZoneInfo | None, as_todo: bool) -> Event | Todo:
    due = dt.date.fromisoformat(task["due"])
    who = task["contact_name"] or "a contact"
    if task.get("company"):
        who += f" ({task['company']})"
    item = Todo() if as_todo else Event()
    item.add("uid", task_uid(task["id"], namespace))
    item.add("dtstamp", now.astimezone(dt.timezone.utc))
    item.add("sequence", int(task.get("sequence") or 0))
    if task.get("updated_at"):
        changed = dt.datetime.fromisoformat(task["updated_at"].removesuffix("Z"))
        item.add("last-modified", changed.replace(tzinfo=dt.timezone.utc))
    item.add("summary", _SUMMARY.get(task["channel"], "Follow up with {who}").format(who=who))
    start: dt.date | dt.datetime = due
    if policy.calendar_time:
        hour, minute = map(int, policy.calendar_time.split(":"))
        start = dt.datetime.combine(due, dt.time(hour, minute), tzinfo=zone)
    if as_todo:
        item.add("dtstart", start)
        item.add("due", start)
    else:
        item.add("dtstart", start)
        item.add("dtend", start + dt.timedelta(minutes=policy.calendar_minutes)
                 if isinstance(start, dt.datetime) else due + dt.timedelta(days=1))
    _status(item, task, as_todo)
    met = f"Met {task['met_on']}" + (f" at {task['event']}" if task["event"] else "")
    item.add("description", f"{task['draft']}\n\n{met}. Touch {task['touch']}, "
                            f"cardscan task {task['id']} (cardscan done {task['id']}).")
    if task["event"]:
        item.add("categories", [task["event"]])
    if task["priority"] == "high":
        item.add("priority", 1)
    if not as_todo:
        item.add("transp", "OPAQUE")
    if policy.calendar_alarm_minutes and task["status"] not in CLOSED:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", item["summary"])
        alarm.add("trigger", dt.timedelta(minutes=-policy.calendar_alarm_minutes))
        item.add_component(alarm)
    return item


def _status(item: Event | Todo, task: dict[str, Any], as_todo: bool) -> None:
    """Open or snoozed: CONFIRMED (an event) / NEEDS-ACTION (a to-do). Done: COMPLETED as a
    to-do, CANCELLED as an event (so a re-import takes it off the calendar); skipped or
    stopped: CANCELLED."""
    state = task["status"]
    if state not in CLOSED:
        item.add("status", "NEEDS-ACTION" if as_todo else "CONFIRMED")
    elif as_todo and state == "done":
        item.add("status", "COMPLETED")
        closed = dt.date.fromisoformat(task["closed_on"]) if task.get("closed_on") else None
        if closed is not None:
            item.add("completed", dt.datetime.combine(closed, dt.time(12), dt.timezone.utc))
        item.add("percent-complete", 100)
    else:
        item.add("status", "CANCELLED")
