"""Follow-up tasks in a real SQLite file: done, skip, snooze, stop, and a contact met again."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from cardscan.config import Followup
from cardscan.errors import NotFoundError, UsageError
from cardscan.followup import lifecycle
from cardscan.model import Note
from cardscan.store import Database
from cardscan.store.quick import read_tasks
from tests.databases import database_url, on_postgres
from tests.factories import MET, contacts, known_followups, store_card, store_person, tasks
from tests.factories import text_card as _card

pytestmark = pytest.mark.backends

POLICY = Followup()


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(database_url(tmp_path), store=tmp_path / "store")


def _store(db: Database, name: str, note: Note, event: str | None = "Web Summit") -> int:
    return store_person(db, name, note, event=event)


def close_task(db: Database, task_id: int, **kwargs):  # type: ignore[no-untyped-def]
    return lifecycle.close_task(db, task_id, **kwargs)


def test_a_new_contact_has_its_first_touch_open(db: Database) -> None:
    contact = _store(db, "Dana Lee", Note(met_on=MET, topics=("fleet tracking",)))
    [task] = tasks(db)
    assert (task["contact_id"], task["touch"], task["channel"], task["status"]) == (
        contact, 1, "email", "open")
    assert task["due"] == "2026-11-13"  # met Thursday -> Friday
    assert "Web Summit" in task["draft"] and "fleet tracking" in task["draft"]


def test_done_plans_each_next_touch_from_the_day_it_was_done_then_stops(db: Database) -> None:
    _store(db, "Dana Lee", Note(met_on=MET))
    [first] = tasks(db)
    second = close_task(db, first["id"], state="done", on=dt.date(2026, 11, 16),  # a Monday
                        policy=POLICY, outcome="sent the deck")
    assert second is not None and (second.touch, second.channel) == (2, "call")
    assert second.due_on == dt.date(2026, 11, 24)  # Monday + 7 -> Monday -> Tuesday
    [open_two] = tasks(db)
    assert open_two["touch"] == 2 and open_two["due"] == "2026-11-24"
    third = close_task(db, open_two["id"], state="done", on=dt.date(2026, 11, 25), policy=POLICY)
    assert third is not None and (third.touch, third.channel, third.due_on) == (
        3, "note", dt.date(2026, 12, 9))
    [open_three] = tasks(db)
    assert close_task(db, open_three["id"], state="done", on=dt.date(2026, 12, 9),
                      policy=POLICY) is None
    assert tasks(db) == []
    history = tasks(db, states=None)
    assert [(t["touch"], t["status"]) for t in history] == [(1, "done"), (2, "done"), (3, "done")]
    assert history[0]["outcome"] == "sent the deck" and history[0]["closed_on"] == "2026-11-16"


def test_a_stored_touch_starts_at_revision_one_and_each_change_raises_it(db: Database) -> None:
    """A new card's rows are written without the ORM's unit of work: the touch's revision
    (the calendar's SEQUENCE, SQLAlchemy's version counter) still starts at 1, as for a touch
    the ORM writes, and rises with each change."""
    _store(db, "Dana Lee", Note(met_on=MET))
    [first] = tasks(db)
    assert first["sequence"] == 1
    with db.transaction() as tx:
        tx.snooze_task(first["id"], dt.date(2026, 11, 20))
    close_task(db, first["id"], state="done", on=dt.date(2026, 11, 20), policy=POLICY)
    by_touch = {t["touch"]: t for t in tasks(db, states=None)}
    assert by_touch[1]["sequence"] == 3  # written, snoozed, done
    assert by_touch[2]["sequence"] == 1  # the next touch


def test_skip_moves_on_and_snooze_moves_the_date(db: Database) -> None:
    _store(db, "Dana Lee", Note(met_on=MET))
    [first] = tasks(db)
    with db.transaction() as tx:
        tx.snooze_task(first["id"], dt.date(2026, 11, 20))
    [snoozed] = tasks(db)
    assert (snoozed["status"], snoozed["due"]) == ("snoozed", "2026-11-20")
    assert tasks(db, due_by=dt.date(2026, 11, 19)) == []
    close_task(db, first["id"], state="skipped", on=dt.date(2026, 11, 20), policy=POLICY)
    [second] = tasks(db)
    assert (second["touch"], second["due"]) == (2, "2026-11-27")
    with pytest.raises(UsageError, match="already skipped"):
        close_task(db, first["id"], state="done", on=dt.date(2026, 11, 20), policy=POLICY)
    with pytest.raises(NotFoundError, match="no task 99"), db.transaction() as tx:
        tx.snooze_task(99, dt.date(2026, 11, 20))


def test_stop_and_replied_end_the_sequence(db: Database) -> None:
    one = _store(db, "Dana Lee", Note(met_on=MET))
    _store(db, "Omar Haddad", Note(met_on=MET))
    with db.transaction() as tx:
        assert tx.stop_contact(one, on=dt.date(2026, 11, 14), outcome="not a fit") == 1
    [left] = tasks(db)
    assert left["contact_name"] == "Omar Haddad"
    assert close_task(db, left["id"], state="stopped", on=dt.date(2026, 11, 14),
                      policy=POLICY) is None  # they replied: no next touch
    assert tasks(db) == []
    assert sorted((t["status"], t["outcome"]) for t in tasks(db, states=None)) == [
        ("done", "replied"), ("stopped", "not a fit")]  # the touch they replied to was done


def test_a_contact_met_again_gets_a_fresh_plan_and_keeps_history(db: Database) -> None:
    contact = _store(db, "Dana Lee", Note(met_on=MET, topics=("fleet tracking",)))
    again = _store(db, "Dana Lee", Note(met_on=dt.date(2027, 1, 7), topics=("EV chargers",)),
                   event="CES")  # the same e-mail: merged
    assert again == contact
    [fresh] = tasks(db)
    assert (fresh["touch"], fresh["event"], fresh["due"]) == (1, "CES", "2027-01-08")
    assert "CES" in fresh["draft"] and "EV chargers" in fresh["draft"]
    old = [t for t in tasks(db, states=None) if t["status"] == "stopped"]
    assert len(old) == 1 and old[0]["event"] == "Web Summit"
    [stored] = contacts(db)
    assert [m["event"] for m in stored["meetings"]] == ["Web Summit", "CES"]
    assert stored["event"] == "CES"


def test_a_back_attached_later_completes_the_cards_meeting(db: Database) -> None:
    contact = _store(db, "Dana Lee", Note(), event=None)  # no back, no date: the scan date
    note = Note(met_on=dt.date(2026, 11, 10), event="CES", topics=("EV chargers",))
    lifecycle.attach_note(db, "0" * 64, contact, note, text="Met 11/10 @ CES",
                          met_on=dt.date(2026, 11, 10), event="CES", policy=POLICY,
                          now=dt.datetime(2026, 11, 14, 9))
    [stored] = contacts(db)
    assert [(m["met_on"], m["event"]) for m in stored["meetings"]] == [("2026-11-10", "CES")]
    [task] = tasks(db)
    assert (task["touch"], task["due"], task["event"]) == (1, "2026-11-12", "CES")
    assert "EV chargers" in task["draft"]


def test_different_people_are_not_merged(db: Database) -> None:
    one = _store(db, "Dana Lee", Note(met_on=MET))
    shared_inbox = "Omar Haddad\nHead of Sales\nAcme Corp\ndana@acme.com"
    card = _card(shared_inbox, Note(met_on=MET))
    other, merged = store_card(db, card)
    assert other != one and not merged


def test_a_merged_card_fills_gaps_and_keeps_differing_values(db: Database) -> None:
    one = _store(db, "Dana Lee", Note(met_on=MET))
    card = _card("Dana Lee\nChief Revenue Officer\nAcme Corp\ndana@acme.com\n"
                 "+1 415 555 0142", Note(met_on=MET))
    same, merged = store_card(db, card, now=dt.datetime(2026, 11, 14, 9))
    assert (same, merged) == (one, True)
    [stored] = contacts(db)
    assert stored["title"] == "Head of Sales"
    assert stored["alternatives"] == {"title": ["Chief Revenue Officer"]}
    assert "title" in stored["review"]
    assert [p["number"] for p in stored["phones"]] == ["+14155550142"]
    assert len(tasks(db)) == 1  # the same meeting: no second plan


def test_tasks_filter_by_event_and_order_by_date_then_priority(db: Database) -> None:
    _store(db, "Dana Lee", Note(met_on=MET))
    _store(db, "Omar Haddad", Note(met_on=MET, priority="high"), event="CES")
    _store(db, "Mia Wong", Note(met_on=dt.date(2026, 11, 9)), event="CES")
    names = [t["contact_name"] for t in tasks(db)]
    assert names == ["Mia Wong", "Omar Haddad", "Dana Lee"]  # Wed 11; Fri 13 high, Fri 13
    assert [t["contact_name"] for t in tasks(db, event="ces")] == ["Mia Wong", "Omar Haddad"]
    assert [t["contact_name"] for t in tasks(db, due_before=dt.date(2026, 11, 13))] == [
        "Mia Wong"]


def test_marketing_consent_is_off_until_the_user_says_so(db: Database) -> None:
    contact = _store(db, "Dana Lee", Note(met_on=MET))
    assert contacts(db)[0]["marketing_consent"] is False
    with db.transaction() as tx:
        tx.set_consent(contact, True)
    assert contacts(db)[0]["marketing_consent"] is True


def test_the_follow_up_list_reads_the_same_without_sqlalchemy(db: Database) -> None:
    """`cardscan tasks` reads a SQLite file with the standard library (``store.quick``):
    every filter gives what the ORM gives, key for key; any other database is left to it."""
    known_followups(db)  # done, stopped, late and open touches; Web Summit and CES
    fay = _card("Fay Ford\nHead of Sales\nAcme Corp\nfay@acme.com\nlinkedin.com/in/fayford",
                Note(topics=("lidar", "pricing"), actions=("send the deck",), priority="high",
                     pronunciation="FAY"), event=None)
    store_card(db, replace(fay, met_known=False))  # the back did not say when they met
    _store(db, "Gil Gray", Note(met_on=MET), event="CES")
    by_name = {t["contact_name"]: t for t in tasks(db)}
    with db.transaction() as tx:
        tx.snooze_task(by_name["Di Dunn"]["id"], dt.date(2026, 11, 20))
        tx.delete_contact(by_name["Gil Gray"]["contact_id"], now=dt.datetime(2026, 11, 14))
        tx.stop_contact(by_name["Cy Cole"]["contact_id"], on=dt.date(2026, 11, 19),
                        outcome="replied")
    filters: list[dict[str, object]] = [
        {}, {"states": None}, {"states": ("done", "stopped")}, {"event": "web SUMMIT"},
        {"due_by": dt.date(2026, 11, 20)}, {"due_before": dt.date(2026, 11, 20)}]
    for given in filters:
        quick = read_tasks(db.url, **given)  # type: ignore[arg-type]
        if on_postgres():
            assert quick is None
            continue
        assert quick == db.tasks(**given), given  # every field of the read models
        assert [t.json() for t in quick] == tasks(db, **given)
    if on_postgres():
        return
    everything = [t.json() for t in read_tasks(db.url, states=None) or []]
    assert {t["status"] for t in everything} == {"open", "snoozed", "done", "stopped"}
    ford = next(t for t in everything if t["contact_name"] == "Fay Ford")
    assert (ford["topics"], ford["priority"], ford["pronunciation"]) == (
        ["lidar", "pricing"], "high", "FAY")
    assert [t.meeting.met_known for t in read_tasks(db.url) or []
            if t.contact_name == "Fay Ford" and t.meeting] == [False]
    assert "Gil Gray" not in {t["contact_name"] for t in everything}  # in the trash


def test_a_sqlite_file_the_quick_read_cannot_trust_goes_the_usual_way(tmp_path: Path) -> None:
    """An older or newer schema revision, another database or a URL with options: None, so
    the command opens the database as every other command does (and upgrades an old file)."""
    url = f"sqlite:///{tmp_path / 'cards.db'}"
    assert read_tasks(url) == []  # no file: no follow-ups, and no file made
    assert not (tmp_path / "cards.db").exists()
    Database(url).close()
    assert read_tasks(url) == []
    for revision in ("0006", "0099"):
        with sqlite3.connect(tmp_path / "cards.db") as connection:
            connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        assert read_tasks(url) is None
    assert read_tasks(f"{url}?timeout=5") is None
    assert read_tasks("postgresql+psycopg://cardscan@localhost/cards") is None
    assert read_tasks("sqlite://") is None


def test_cardscan_tasks_on_a_sqlite_file_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    """What keeps `cardscan tasks` under 0.6 s: SQLAlchemy's import alone is 0.21 s here."""
    url = f"sqlite:///{tmp_path / 'cards.db'}"
    db = Database(url)
    store_person(db, "Dana Lee", Note(met_on=MET))
    db.close()
    probe = ("import sys; from cardscan.cli import main; code = main(['tasks', '--db', "
             f"{url!r}, '--json']); "
             "print(code, sorted(m for m in sys.modules if m.startswith('sqlalchemy'))[:3])")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert '"contact_name": "Dana Lee"' in run.stdout
    assert run.stdout.rstrip().endswith("0 []"), run.stdout[-300:]
