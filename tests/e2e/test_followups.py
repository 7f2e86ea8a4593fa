"""The follow-up commands end to end: a real card with a handwritten back, a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from cardscan.export.ics import task_uid
from cardscan.store import Database
from tests.conftest import SAMPLES
from tests.databases import database_url

pytestmark = pytest.mark.backends

FRONT = SAMPLES / "images" / "us-left-two-phones_front.png"
BACK = SAMPLES / "images" / "us-left-two-phones_back.png"


def test_work_the_follow_up_list(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = database_url(tmp_path)
    cli("batch", FRONT, BACK, "--db", db, "--met", "2026-11-10", check=True)
    [task] = json.loads(cli("tasks", "--db", db, "--json", check=True).stdout)
    for key in ("id", "contact_id", "contact_name", "due", "channel", "touch", "status",
                "priority", "draft"):
        assert key in task
    assert (task["touch"], task["channel"], task["status"]) == (1, "email", "open")
    # The back says "Met 11/12 @ Web Summit" (a Thursday): due Friday 11/13.
    assert (task["met_on"], task["due"]) == ("2026-11-12", "2026-11-13")
    draft = cli("draft", str(task["id"]), "--db", db, check=True).stdout
    assert "Web Summit" in draft and "November 12" in draft and draft.strip() == task["draft"]

    table = cli("tasks", "--db", db, "--due", "overdue", check=True).stdout
    assert "1 follow-up(s) to do" in table and "overdue" in table  # 2026-11-13 is past
    assert json.loads(cli("tasks", "--db", db, "--json", "--event", "CES", check=True).stdout) \
        == []

    cli("snooze", str(task["id"]), "--until", "2030-01-08", "--db", db, check=True)
    [snoozed] = json.loads(cli("tasks", "--db", db, "--json", check=True).stdout)
    assert (snoozed["status"], snoozed["due"]) == ("snoozed", "2030-01-08")
    assert json.loads(cli("tasks", "--db", db, "--json", "--due", "week").stdout) == []

    done = cli("done", str(task["id"]), "--on", "2030-01-07", "--note", "sent", "--db", db,
               check=True)
    assert "next: touch 2 (call) due Tue 2030-01-15" in done.stderr  # Mon + 7 -> Tuesday
    [call] = json.loads(cli("tasks", "--db", db, "--json", check=True).stdout)
    assert (call["touch"], call["channel"], call["due"]) == (2, "call", "2030-01-15")
    again = cli("done", str(task["id"]), "--db", db)
    assert again.returncode != 0 and f"task {task['id']} is already done" in again.stderr

    ics = tmp_path / "followups.ics"
    berlin = {"CARDSCAN_FOLLOWUP_CALENDAR_TIMEZONE": "Europe/Berlin"}
    cli("export", "ics", "--db", db, "-o", ics, check=True, extra_env=berlin)
    calendar = Calendar.from_ical(ics.read_bytes())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == dt.datetime(2030, 1, 15, 9, 30,
                                                   tzinfo=ZoneInfo("Europe/Berlin"))
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Berlin"
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == dt.timedelta(minutes=-15)
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=15)
    assert str(event["summary"]).startswith("Call ")
    assert call["draft"] in str(event["description"])
    assert str(event["uid"]).endswith("@cardscan") and str(event["status"]) == "CONFIRMED"

    cli("stop", str(call["contact_id"]), "--db", db, check=True)
    assert json.loads(cli("tasks", "--db", db, "--json", check=True).stdout) == []
    cli("consent", str(call["contact_id"]), "yes", "--db", db, check=True)
    [contact] = json.loads(cli("contacts", "--db", db, "--json", check=True).stdout)
    assert contact["marketing_consent"] is True


def test_the_calendar_round_trips_every_open_task(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = database_url(tmp_path)
    fronts = sorted((SAMPLES / "images").glob("*_front.png"))[:6]
    cli("batch", *fronts, "--db", db, "--met", "2026-11-10", check=True)
    tasks = json.loads(cli("tasks", "--db", db, "--json", check=True).stdout)
    assert len(tasks) == 6
    allday = tmp_path / "allday.toml"
    allday.write_text('[followup]\ncalendar_time = ""\n', encoding="utf-8")
    text = cli("export", "ics", "--db", db, "--pipeline", allday, check=True).stdout
    events = Calendar.from_ical(text).walk("VEVENT")
    got = sorted((str(e["uid"]), e.decoded("dtstart"), str(e["summary"])) for e in events)
    identity = Database(db, store=tmp_path / "store").identity
    want = sorted((task_uid(t["id"], identity), dt.date.fromisoformat(t["due"]),
                   ("Call " if t["channel"] == "call" else "E-mail ")
                   + (t["contact_name"] or "a contact")
                   + (f" ({t['company']})" if t["company"] else "")) for t in tasks)
    assert got == want
    assert all(dt.date.fromisoformat(t["due"]).weekday() in (1, 2, 3, 4) for t in tasks)
