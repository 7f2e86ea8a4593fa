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
from cardscan.errors import CardscanError, NotFoundError
from cardscan.model import CardImage, Note, OcrResult, ParsedCard
from cardscan.parse import parse_front
from cardscan.review import actions
from cardscan.review.fields import InvalidChanges
from cardscan.store import Database, QueuePage, QueueQuery
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
         phone: str = "", note: Note | None = None, event: str = "Web Summit") -> int:
    """GIVEN a card read from text (no OCR), stored with its first follow-up."""
    email = email or f"{name.split()[0].lower()}@acme.com"
    text = f"{name}\nHead of Sales\n{company}\n{email}\n{phone}"
    data = text.encode()
    ocr = OcrResult.from_text(text)
    note = note or Note(met_on=MET, topics=("fleet tracking",))
    card = ParsedCard(front=CardImage(Path("card.png"), hashlib.sha256(data).hexdigest(), data),
                      back=None, front_ocr=ocr, back_ocr=None,
                      contact=parse_front(ocr, default_region="US"), note=note,
                      met_on=note.met_on or MET, event=event)
    contact_id, _merged = store_card(db, card, now=NOW)
    return contact_id


def _set_confidence(db: Database, contact_id: int, confidence: dict[str, float]) -> None:
    with db.transaction() as tx:
        tx.session.get(ContactRow, contact_id).confidence = confidence  # type: ignore[union-attr]
        tx.changed(contact_id)


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

def _queue(db: Database, **query: object) -> QueuePage:
    return actions.queue_page(db, QueueQuery(**query))  # type: ignore[arg-type]


def test_the_queue_shows_the_weakest_reading_first_with_counts(db: Database) -> None:
    sure, shaky, weakest = _add(db, "Ann Sure"), _add(db, "Bo Shaky"), _add(db, "Cy Weak")
    _set_confidence(db, sure, {"name": 0.95, "department": 0.0})  # 0: not found, not weak
    _set_confidence(db, shaky, {"name": 0.7, "title": 0.55})
    _set_confidence(db, weakest, {"name": 0.3, "title": 0.9})
    q = _queue(db)
    assert [i.id for i in q.items] == [weakest, shaky, sure]
    assert q.items[0].weak_fields == ("name",) and q.items[0].weakest == 0.3
    assert (q.counts.unreviewed, q.counts.reviewed, q.counts.total) == (3, 0, 3)
    assert actions.next_card(db, weakest) == shaky
    assert actions.next_card(db, sure) == weakest  # wraps round
    actions.correct(db, shaky, {}, confirm=True)
    q = _queue(db)
    assert [i.id for i in q.items] == [weakest, sure]
    assert [i.id for i in _queue(db, status="reviewed").items] == [shaky]
    assert (q.counts.unreviewed, q.counts.reviewed, q.counts.total) == (2, 1, 3)
    assert actions.next_card(db, weakest) == sure
    actions.correct(db, weakest, {}, confirm=True)
    actions.correct(db, sure, {}, confirm=True)
    assert actions.next_card(db, sure) is None


def test_search_filters_sorting_and_pages(db: Database) -> None:
    dana = _add(db, "Dana Lee", company="Lumen Labs", phone="+1 512 555 0199",
                event="CES 2026")
    bo = _add(db, "Bo Berg", company="Acme 100%_Corp")
    ida = _add(db, "Ida Ito", company="Helix", email="ida@helix.example",
               note=Note(met_on=MET, topics=("pilot",)))
    for contact_id, name in ((dana, 0.95), (bo, 0.9), (ida, 0.4)):
        _set_confidence(db, contact_id, {"name": name})

    def ids(**query: object) -> list[int]:
        return [i.id for i in _queue(db, status="all", sort="oldest", **query).items]

    assert ids(search="lumen") == [dana]  # company, any case
    assert ids(search="LÜMEN") == ids(search="Lumen") == [dana]  # any accent
    zoe = _add(db, "Zoé Lefèvre", company="Lumière", email="zoe@lumiere.example")
    assert ids(search="zoe lefevre") == ids(search="ZOÉ") == [zoe]
    actions.delete(db, zoe)
    assert ids(search="dana lumen") == [dana]  # every word, any field
    assert ids(search="dana helix") == []
    assert ids(search="helix.example") == [ida]  # e-mail
    assert ids(search="512-555-0199") == [dana]  # phone digits
    assert ids(search="(512) 555 0199") == [dana]
    assert ids(search="pilot") == [ida]  # a topic of the meeting
    assert ids(search="100%_") != [] and ids(search="0%x") == []  # % and _ are literal
    assert ids(search="Web Summit") == [bo, ida]  # the batch's event (not Dana's)
    assert ids(event="ces 2026") == [dana]
    assert ids(check=True) == [ida]
    assert ids(due_by=NOW.date()) == [dana, bo, ida]  # first touches due 2026-11-13
    assert ids(due_by=NOW.date() - dt.timedelta(days=1)) == []
    assert [i.id for i in _queue(db, status="all", sort="name").items] == [bo, dana, ida]
    assert _queue(db).events == ("CES 2026", "Web Summit")
    first, second = _queue(db, status="all", per_page=2), _queue(db, status="all", per_page=2,
                                                                   page=2)
    assert (first.matching, first.pages, len(first.items), len(second.items)) == (3, 2, 2, 1)
    assert _queue(db, status="all", per_page=2, page=99).page == 2  # past the end: the last


def test_delete_to_the_trash_and_restore(db: Database) -> None:
    dana, bo = _add(db, "Dana Lee"), _add(db, "Bo Berg")
    actions.delete(db, dana)
    assert [c["id"] for c in contacts(db)] == [bo]  # out of lists and exports
    assert [t["contact_id"] for t in tasks(db)] == [bo]  # and the follow-ups
    assert [i.id for i in _queue(db).items] == [bo] and _queue(db).counts.total == 1
    assert [t.id for t in actions.trash(db)] == [dana]
    view = actions.card_view(db, dana)  # still there, marked
    assert view.deleted_at is not None and len(view.scans) == 1
    again = _add(db, "Dana Lee", phone="+1 512 555 0100")  # a new card: not into the trash
    assert again != dana
    actions.restore(db, dana)
    assert {c["id"] for c in contacts(db)} == {dana, bo, again} and actions.trash(db) == []
    assert {t["contact_id"] for t in tasks(db)} == {dana, bo, again}


def test_merge_keeps_both_cards_the_chosen_values_and_one_plan(db: Database) -> None:
    older = _add(db, "Dana Lee", company="Acme Corp", email="dana@acme.com",
                 note=Note(met_on=MET - dt.timedelta(days=30), topics=("pilot",)))
    newer = _add(db, "Dana Lee-Park", company="Acme Corporation", email="dlp@acme.com",
                 phone="+1 512 555 0142", note=Note(met_on=MET, topics=("pricing",)))
    assert len(tasks(db)) == 2
    actions.merge(db, older, newer, {"name": "other", "company": "keep"}, policy=POLICY,
                  now=NOW)
    merged = next(c for c in contacts(db) if c["id"] == older)
    assert [c["id"] for c in contacts(db)] == [older]
    assert merged["name"] == "Dana Lee-Park" and merged["company"] == "Acme Corp"
    assert merged["alternatives"]["name"] == ["Dana Lee"]
    assert merged["alternatives"]["company"] == ["Acme Corporation"]
    assert merged["emails"] == ["dana@acme.com", "dlp@acme.com"]
    assert [p["number"] for p in merged["phones"]] == ["+15125550142"]
    assert len(merged["meetings"]) == 2 and merged["topics"] == ["pricing"]  # the newer one
    view = actions.card_view(db, older)
    assert len(view.scans) == 2  # both cards' scans
    active = tasks(db)
    assert len(active) == 1 and active[0]["contact_id"] == older  # one plan: the newest
    assert "pricing" in active[0]["draft"] and "Dana" in active[0]["draft"]
    with db.transaction() as tx:
        stopped = tx.tasks(contact_id=older, states=("stopped",))
    assert [t.outcome for t in stopped] == [f"merged with contact {newer}"]
    gone = actions.card_view(db, newer)
    assert gone.merged_into == older and gone.contact.name == "Dana Lee-Park"  # kept as it was
    assert actions.trash(db) == []  # a merged contact is not in the trash
    with pytest.raises(CardscanError):
        actions.restore(db, newer)
    with pytest.raises(InvalidChanges):
        actions.merge(db, older, older, {})
    with pytest.raises(InvalidChanges):
        actions.merge(db, older, newer, {"name": "both"})


def test_bulk_confirm_and_the_placeholder_follows_the_country(db: Database) -> None:
    a, b = _add(db, "Ann Sure"), _add(db, "Bo Berg", phone="+33 1 44 55 66 77")
    assert actions.confirm_many(db, [a, b, a]) == 2
    assert _queue(db).counts.reviewed == 2
    assert actions.phone_placeholder(actions.card_view(db, b).contact, "US").startswith("+33")
    assert actions.phone_placeholder(actions.card_view(db, a).contact, "DE").startswith("+49")


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
    today = dt.date(2026, 11, 16)

    def due(group: str, **more: object) -> list[dict[str, object]]:
        return actions.followups(db, today=today, due=group, **more)[1]  # type: ignore[arg-type]

    assert [t["contact_name"] for t in due("today")] == ["Dana Lee"]
    assert [t["contact_name"] for t in due("overdue")] == ["Dana Lee"]
    assert due("today")[0]["days_late"] == 3
    assert [t["contact_name"] for t in due("week")] == ["Dana Lee", "Omar Haddad"]
    found, listed = actions.followups(db, today=today, due="all", per_page=1, page=2)
    assert [t["contact_name"] for t in listed] == ["Omar Haddad"] and found.pages == 2
    assert dict(found.counts) == {"all": 2, "today": 1, "week": 2, "overdue": 1}
    assert [t["contact_name"] for t in due("all", search="omar")] == ["Omar Haddad"]
    assert due("all", event="web summit") and not due("all", event="CES")
    with pytest.raises(InvalidChanges):
        due("someday")
    task = int(due("today")[0]["id"])  # type: ignore[call-overload]
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
