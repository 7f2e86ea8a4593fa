"""The review app's actions, in a real SQLite file: corrections keep the machine's value,
confirming marks a contact reviewed, the queue shows the weakest reading first, look-alike
contacts are found, and images are served only from the scan store."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from cardscan.config import Followup
from cardscan.errors import NotFoundError
from cardscan.model import CardImage, Note, OcrResult, ParsedCard
from cardscan.parse import parse_front
from cardscan.review import actions
from cardscan.review.fields import InvalidChanges
from cardscan.store import Database
from cardscan.store.schema import (
    CardRow,
    ContactRow,
    CorrectionRow,
    NoteRow,
    PhoneRow,
    ScanRow,
    TaskRow,
)
from tests.databases import database_url
from tests.factories import contacts, store_card, tasks

pytestmark = pytest.mark.backends

POLICY = Followup()
MET = dt.date(2026, 11, 12)  # a Thursday: the first touch is due Friday 13
NOW = dt.datetime(2026, 11, 13, 9)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(database_url(tmp_path), store=tmp_path / "store")


def _add(db: Database, name: str, *, company: str = "Acme Corp", email: str | None = None,
         phone: str = "", note: Note | None = None) -> int:
    """GIVEN a card read from text (no OCR), stored with its first follow-up."""
    email = email or f"{name.split()[0].lower()}@acme.com"
    text = f"{name}\nHead of Sales\n{company}\n{email}\n{phone}"
    data = text.encode()
    ocr = OcrResult.from_text(text)
    note = note or Note(met_on=MET, topics=("fleet tracking",))
    card = ParsedCard(front=CardImage(Path("card.png"), hashlib.sha256(data).hexdigest(), data),
                      back=None, front_ocr=ocr, back_ocr=None,
                      contact=parse_front(ocr, default_region="US"), note=note,
                      met_on=note.met_on or MET, event="Web Summit")
    contact_id, _merged = store_card(db, card, now=NOW)
    return contact_id


def _set_confidence(db: Database, contact_id: int, confidence: dict[str, float]) -> None:
    with db.transaction() as tx:
        tx.session.get(ContactRow, contact_id).confidence = confidence  # type: ignore[union-attr]


def _corrections(db: Database, contact_id: int) -> list[tuple[str, object, object]]:
    with db.transaction() as tx:
        return [(c.field, c.machine_value, c.value) for c in tx.session.scalars(
            select(CorrectionRow).where(CorrectionRow.contact_id == contact_id)
            .order_by(CorrectionRow.id))]


# --- corrections ------------------------------------------------------------------------------

def test_a_correction_keeps_the_machine_value_beside_the_persons(db: Database) -> None:
    dana = _add(db, "Dana Lee")
    changed = actions.correct(db, dana, {"title": "VP Sales", "company": "Acme Corp",
                                       "name": "Dana Lee"}, now=NOW)
    assert changed == ["title"]  # unchanged fields leave no trace
    assert _corrections(db, dana) == [("title", "Head of Sales", "VP Sales")]
    [contact] = contacts(db)
    assert contact["title"] == "VP Sales" and contact["reviewed"] is False
    assert contact["confidence"]["title"] == 1.0  # a person checked it
    with db.transaction() as tx:  # the machine's whole reading stays with the card
        assert tx.session.scalars(select(CardRow)).one().parsed["title"] == "Head of Sales"


def test_confirm_marks_the_contact_reviewed_even_without_changes(db: Database) -> None:
    dana = _add(db, "Dana Lee")
    assert actions.correct(db, dana, {"title": "Head of Sales"}, confirm=True) == []
    assert contacts(db)[0]["reviewed"] is True
    assert _corrections(db, dana) == []


def test_phones_become_e164_and_emails_are_normalised(db: Database) -> None:
    dana = _add(db, "Dana Lee", phone="Tel 512 996 8731")
    changed = actions.correct(db, dana, {
        "phones": [{"number": "(512) 996-8731", "type": "work"},
                   {"number": "512.617.6789 ext. 12", "type": "mobile"},
                   {"number": "", "type": "work"}],  # the form's spare row
        "emails": ["Dana.Lee@ACME.com ", ""]})
    assert changed == ["phones", "emails"]
    contact = contacts(db)[0]
    assert contact["phones"] == [{"number": "+15129968731", "type": "work"},
                                 {"number": "+15126176789", "type": "mobile"}]
    assert contact["emails"] == ["dana.lee@acme.com"]
    with db.transaction() as tx:
        rows = tx.session.scalars(select(PhoneRow).order_by(PhoneRow.id)).all()
        assert [(r.raw, r.extension) for r in rows] == [  # OCR's text kept for a known number
            ("512 996 8731", None), ("512.617.6789 ext. 12", "12")]
    phones = _corrections(db, dana)[0]
    assert phones[1] == [{"number": "+15129968731", "type": "work"}]  # the machine's list


def test_a_value_that_cannot_be_stored_saves_nothing(db: Database) -> None:
    dana = _add(db, "Dana Lee")
    with pytest.raises(InvalidChanges) as e:
        actions.correct(db, dana, {"title": "VP Sales", "phones": [{"number": "call me"}],
                                 "emails": ["not-an-address"], "met_on": "12/11/2026"},
                      confirm=True)
    assert set(e.value.errors) == {"phones", "emails", "met_on"}
    contact = contacts(db)[0]
    assert (contact["title"], contact["reviewed"]) == ("Head of Sales", False)
    assert _corrections(db, dana) == []
    with pytest.raises(InvalidChanges, match="not a field"):
        actions.correct(db, dana, {"reviewed": True})
    with pytest.raises(NotFoundError, match="no contact 99"):
        actions.correct(db, 99, {"title": "x"})


def _meet_again(db: Database, contact_id: int, note: Note) -> None:
    """GIVEN a later meeting with its own first touch (the earlier sequence stopped)."""
    with db.transaction() as tx:
        s = tx.session
        card = s.scalars(select(CardRow).where(CardRow.contact_id == contact_id)).one()
        for task in s.scalars(select(TaskRow).where(TaskRow.contact_id == contact_id)):
            task.state = "stopped"
        row = NoteRow(contact_id=contact_id, card_id=card.id, text="", met_on=note.met_on,
                      event=note.event, topics=list(note.topics), actions=[],
                      priority="normal", confidence={"topics": 0.4})
        s.add(row)
        s.flush()
        s.add(TaskRow(contact_id=contact_id, note_id=row.id, touch=1, channel="email",
                      due_on=dt.date(2027, 1, 8), draft="Hi Dana, ... EV chargers",
                      created_at=NOW))


def test_note_fields_go_to_the_latest_meeting_and_redraft_open_tasks(db: Database) -> None:
    dana = _add(db, "Dana Lee")
    _meet_again(db, dana, Note(met_on=dt.date(2027, 1, 7), event="CES", topics=("EV chargers",)))
    assert actions.card_view(db, dana).contact.json()["review"] == ["topics"]
    actions.correct(db, dana, {"topics": ["battery swaps", " "], "event": "CES 2027",
                             "priority": "high"}, policy=POLICY)
    with db.transaction() as tx:
        notes = tx.session.scalars(select(NoteRow).order_by(NoteRow.id)).all()
        assert [(n.event, n.topics) for n in notes] == [
            ("Web Summit", ["fleet tracking"]), ("CES 2027", ["battery swaps"])]
        assert notes[1].priority == "high" and notes[1].confidence["topics"] == 1.0
    [task] = tasks(db)
    assert "CES 2027" in task["draft"] and "battery swaps" in task["draft"]
    assert task["draft"].startswith("Hi Dana") and task["due"] == "2027-01-08"  # date stays
    assert ("topics", ["EV chargers"], ["battery swaps"]) in _corrections(db, dana)
    assert actions.card_view(db, dana).contact.json()["review"] == []


def test_a_person_settles_what_two_cards_of_one_contact_disagree_on(db: Database) -> None:
    dana = _add(db, "Dana Lee")
    with db.transaction() as tx:  # as a second card of the same person leaves it
        tx.session.get(ContactRow, dana).alternatives = {  # type: ignore[union-attr]
            "title": ["VP Sales"], "company": ["Acme Inc"]}
    assert contacts(db)[0]["review"] == ["company", "title"]
    actions.correct(db, dana, {"title": "VP Sales"})
    assert contacts(db)[0]["alternatives"] == {"company": ["Acme Inc"]}
    actions.correct(db, dana, {}, confirm=True)
    assert contacts(db)[0]["alternatives"] == {} and contacts(db)[0]["review"] == []


# --- the queue --------------------------------------------------------------------------------

def test_the_queue_shows_the_weakest_reading_first_with_counts(db: Database) -> None:
    sure, shaky, weakest = _add(db, "Ann Sure"), _add(db, "Bo Shaky"), _add(db, "Cy Weak")
    _set_confidence(db, sure, {"name": 0.95, "department": 0.0})  # 0: not found, not weak
    _set_confidence(db, shaky, {"name": 0.7, "title": 0.55})
    _set_confidence(db, weakest, {"name": 0.3, "title": 0.9})
    q = actions.queue(db)
    assert [i.id for i in q.unreviewed] == [weakest, shaky, sure]
    assert q.unreviewed[0].weak_fields == ("name",) and q.unreviewed[0].weakest == 0.3
    assert (q.counts.unreviewed, q.counts.reviewed, q.counts.total) == (3, 0, 3)
    assert actions.next_card(db, weakest) == shaky
    assert actions.next_card(db, sure) == weakest  # wraps round
    actions.correct(db, shaky, {}, confirm=True)
    q = actions.queue(db)
    assert [i.id for i in q.unreviewed] == [weakest, sure] and [i.id for i in q.reviewed] == [
        shaky]
    assert (q.counts.unreviewed, q.counts.reviewed, q.counts.total) == (2, 1, 3)
    assert actions.next_card(db, weakest) == sure
    actions.correct(db, weakest, {}, confirm=True)
    actions.correct(db, sure, {}, confirm=True)
    assert actions.next_card(db, sure) is None


def test_card_view_shows_scans_corrections_and_field_confidence(db: Database) -> None:
    dana = _add(db, "Dana Lee")
    _set_confidence(db, dana, {"name": 0.5})
    actions.correct(db, dana, {"title": "VP Sales"})
    view = actions.card_view(db, dana)
    assert [s.side for s in view.scans] == ["front"] and "Dana Lee" in view.scans[0].text
    assert [(c.field, c.machine_value, c.value) for c in view.corrections] == [
        ("title", "Head of Sales", "VP Sales")]
    contact = view.contact.json()
    assert actions.field_confidence(contact, "given_name") == 0.5  # from the name
    assert actions.field_confidence(contact, "website") is None
    assert contact["review"] == ["name"]
    with pytest.raises(NotFoundError):
        actions.card_view(db, 42)


# --- look-alikes ------------------------------------------------------------------------------

def test_similar_contacts_share_an_email_a_phone_or_name_and_company(db: Database) -> None:
    """Look-alikes that ingestion did not merge (another name on the same e-mail or phone), or
    that a correction made (the same name and company)."""
    dana = _add(db, "Dana Lee", email="dana@acme.com", phone="+1 512 996 8731")
    same_mail = _add(db, "Daniel Lee", company="Other Inc", email="DANA@acme.com")
    same_phone = _add(db, "Omar Haddad", email="omar@x.com", phone="Tel +1 (512) 996-8731")
    same_name = _add(db, "Dana Li", company="Zeta GmbH", email="d.lee@gmail.com")
    actions.correct(db, same_name, {"name": "dana  lee", "company": "ACME corp"})
    _add(db, "Mia Wong", email="mia@acme.com")
    assert len(contacts(db)) == 5
    found = {s.id: s.reasons for s in actions.card_view(db, dana).similar}
    assert found == {same_mail: ("same e-mail dana@acme.com",),
                     same_phone: ("same phone +15129968731",),
                     same_name: ("same name and company",)}
    assert [s.id for s in actions.card_view(db, same_phone).similar] == [dana]


# --- images -----------------------------------------------------------------------------------

def test_image_path_serves_only_files_inside_the_scan_store(db: Database, tmp_path: Path
                                                            ) -> None:
    dana = _add(db, "Dana Lee")
    [scan] = actions.card_view(db, dana).scans
    path = actions.image_path(db, scan.id)
    assert path.is_file() and path.is_relative_to(db.store.resolve())
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"not yours")
    link = db.store / "ab" / "link.png"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    hostile = ["/etc/passwd", str(outside), str(db.store / ".." / "secret.png"), str(link),
               str(db.store / "missing.png")]
    ids: list[int] = []
    with db.transaction() as tx:
        s = tx.session
        for stored in hostile:
            row = ScanRow(sha256="f" * 64, part=len(ids), path=stored, stored_path=stored,
                       side="front", engine="text", engine_version="-", created_at=NOW)
            s.add(row)
            s.flush()
            ids.append(row.id)
    for scan_id in ids:
        with pytest.raises(NotFoundError):
            actions.image_path(db, scan_id)
    with pytest.raises(NotFoundError, match="no scan 999"):
        actions.image_path(db, 999)


# --- follow-ups and exports -------------------------------------------------------------------

def test_followups_group_by_due_date_and_done_plans_the_next_touch(db: Database) -> None:
    dana = _add(db, "Dana Lee")  # due Fri 13
    _add(db, "Omar Haddad", note=Note(met_on=dt.date(2026, 11, 16)))  # due Wed 18
    groups = actions.followups(db, today=dt.date(2026, 11, 16))
    assert [t["contact_name"] for t in groups.today] == ["Dana Lee"]
    assert [t["contact_name"] for t in groups.overdue] == ["Dana Lee"]
    assert groups.today[0]["days_late"] == 3
    assert [t["contact_name"] for t in groups.week] == ["Dana Lee", "Omar Haddad"]
    assert len(groups.get("all")) == 2
    with pytest.raises(InvalidChanges):
        groups.get("someday")
    task = groups.today[0]["id"]
    planned = actions.finish_task(db, task, on=dt.date(2026, 11, 16), policy=POLICY,
                                outcome=" sent the deck ")
    assert planned is not None and (planned.touch, planned.channel) == (2, "call")
    [done] = [t for t in tasks(db, states=None) if t["id"] == task]
    assert (done["status"], done["outcome"]) == ("done", "sent the deck")
    [second] = tasks(db, contact_id=dana)
    assert second["touch"] == 2
    with pytest.raises(NotFoundError):
        actions.finish_task(db, 99, on=dt.date(2026, 11, 16), policy=POLICY)


def test_snooze_moves_a_task_to_a_later_day_only(db: Database) -> None:
    _add(db, "Dana Lee")
    [task] = tasks(db)
    today = dt.date(2026, 11, 16)
    with pytest.raises(InvalidChanges, match="after today"):
        actions.snooze(db, task["id"], "2026-11-16", today=today)
    with pytest.raises(InvalidChanges, match="not a date"):
        actions.snooze(db, task["id"], "soon", today=today)
    assert actions.snooze(db, task["id"], "2026-11-20", today=today) == dt.date(2026, 11, 20)
    [snoozed] = tasks(db)
    assert (snoozed["status"], snoozed["due"]) == ("snoozed", "2026-11-20")


def test_exports_can_be_limited_to_reviewed_contacts(db: Database) -> None:
    dana, _ = _add(db, "Dana Lee"), _add(db, "Omar Haddad")
    actions.correct(db, dana, {"title": "VP Sales"}, confirm=True)
    everyone = actions.export_contacts(db)
    assert len(everyone) == 2
    follow_up = everyone[0]["next_follow_up"]
    assert (follow_up["due"], follow_up["channel"]) == ("2026-11-13", "email")
    [reviewed] = actions.export_contacts(db, reviewed_only=True)
    assert (reviewed["id"], reviewed["title"]) == (dana, "VP Sales")


def test_the_app_uses_the_settings_it_is_given(db: Database) -> None:
    """``review --pipeline europe``: a phone typed without a country code is German."""
    from cardscan.config import load_pipeline
    from cardscan.review import create_app

    dana = _add(db, "Dana Lee")
    app = create_app(db, load_pipeline("europe"))
    client = app.test_client()
    sent = client.post(f"/card/{dana}", data={
        "csrf_token": app.config["CARDSCAN_CSRF"], "action": "save",
        "phone_number": "030 1234567", "phone_type": "work"})
    assert sent.status_code == 302
    assert contacts(db)[0]["phones"] == [{"number": "+49301234567", "type": "work"}]
