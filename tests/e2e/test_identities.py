"""Exports that import right the second time: UIDs unique to a database and stable across its
exports; a calendar re-export carries a closed task's update (same UID, higher SEQUENCE,
closed STATUS), read back by two independent iCalendar parsers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import vobject
from icalendar import Calendar

from tests.conftest import SAMPLES, Cli
from tests.databases import database_url

pytestmark = pytest.mark.backends

FRONTS = sorted((SAMPLES / "images").glob("*_front.png"))[:4]


def _uids(text: str) -> list[str]:
    return re.findall(r"^UID:(.+?)\r?$", text, re.MULTILINE)


def test_two_databases_give_disjoint_uids_and_each_keeps_its_own(
        cli: Cli, tmp_path: Path) -> None:
    exports = []
    for name in ("alice", "bob"):
        url = database_url(tmp_path, name)
        cli("batch", *FRONTS, "--db", url, "--met", "2026-11-10", check=True)
        vcf = cli("export", "vcard", "--db", url, check=True).stdout
        ics = cli("export", "ics", "--db", url, check=True).stdout
        again = cli("export", "vcard", "--db", url, "--version", "3", check=True).stdout
        assert _uids(again) == _uids(vcf)  # stable across exports (and versions)
        assert _uids(cli("export", "ics", "--db", url, check=True).stdout) == _uids(ics)
        exports.append((set(_uids(vcf)), set(_uids(ics))))
    (alice_cards, alice_tasks), (bob_cards, bob_tasks) = exports
    assert len(alice_cards) == len(bob_cards) == 4 and len(alice_tasks) == 4
    assert not alice_cards & bob_cards and not alice_tasks & bob_tasks


def test_a_done_task_updates_the_calendar_on_the_next_import(cli: Cli, tmp_path: Path) -> None:
    url = database_url(tmp_path)
    cli("batch", FRONTS[0], "--db", url, "--met", "2026-11-10", check=True)
    [task] = json.loads(cli("tasks", "--json", "--db", url, check=True).stdout)
    first = cli("export", "ics", "--db", url, check=True).stdout
    cli("done", str(task["id"]), "--on", "2026-11-12", "--db", url, check=True)
    second = cli("export", "ics", "--include-closed", "--db", url, check=True).stdout
    todo = cli("export", "ics", "--include-closed", "--as", "todo", "--db", url,
               check=True).stdout

    def events(text: str) -> dict[str, tuple[int, str]]:
        """UID -> (SEQUENCE, STATUS), read by icalendar and checked against vobject."""
        found = {str(e["uid"]): (int(e["sequence"]), str(e["status"]))
                 for e in Calendar.from_ical(text).walk("VEVENT")}
        other = vobject.readOne(text)
        assert {e.uid.value: (int(e.sequence.value), e.status.value)
                for e in other.vevent_list} == found
        return found

    before, after = events(first), events(second)
    uid = next(iter(before))
    assert before[uid][1] == "CONFIRMED"
    assert after[uid][0] > before[uid][0] and after[uid][1] == "CANCELLED"
    assert len(after) == 2  # the done task and the next touch it planned
    [next_touch] = [v for k, v in after.items() if k != uid]
    assert next_touch[1] == "CONFIRMED"
    calendar = Calendar.from_ical(second)
    assert calendar.walk("VTIMEZONE") or "TZID" not in second  # a zone is described if used
    assert all(e.walk("VALARM") for e in calendar.walk("VEVENT")
               if str(e["status"]) == "CONFIRMED")  # a reminder on what is still to do
    done = {str(t["uid"]): str(t["status"]) for t in Calendar.from_ical(todo).walk("VTODO")}
    assert done[uid] == "COMPLETED" and vobject.readOne(todo).vtodo_list


def test_the_review_page_offers_vcard_3_and_4_with_the_card_image(
        cli: Cli, tmp_path: Path) -> None:
    from cardscan.review.app import create_app
    from cardscan.store import Database

    url = database_url(tmp_path)
    store = tmp_path / "cards-store"
    cli("batch", *FRONTS[:2], "--db", url, check=True, extra_env={"CARDSCAN_STORE": str(store)})
    client = create_app(Database(url, store=store)).test_client()
    assert b"version=3" in client.get("/").data or b"version=3" in client.get("/queue").data
    v3 = client.get("/export/contacts.vcf?version=3&photo=1").data.decode()
    v4 = client.get("/export/contacts.vcf").data.decode()
    assert v3.count("VERSION:3.0") == 2 and v3.count("PHOTO;ENCODING=b;TYPE=JPEG:") == 2
    assert v4.count("VERSION:4.0") == 2 and "PHOTO" not in v4
    assert _uids(v3) == _uids(v4)
    for card in vobject.readComponents(v3):
        assert card.photo.value[:3] == b"\xff\xd8\xff"  # a JPEG
        assert len(card.photo.value) < 40_000
