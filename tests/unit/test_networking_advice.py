"""The rest of the networking advice: how to say the name (from the back, in the call script
and the three export formats), follow-up time on the calendar after an event recorded before
its cards, the LinkedIn note within 300 characters, handwritten cards with address labels, the
event sheet, and the 48-hour report. Real SQLite files; no OCR (cards parsed from text)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from cardscan.config import Followup
from cardscan.export import to_csv
from cardscan.export.crm import labels_csv
from cardscan.export.ics import tasks_ics
from cardscan.export.sheet import event_sheet
from cardscan.export.vcard import to_vcard
from cardscan.followup import lifecycle, planner
from cardscan.followup.report import figures
from cardscan.model import Note
from cardscan.parse.note import parse_note
from cardscan.review import actions
from cardscan.store import Database
from tests.e2e.browser import add_card
from tests.factories import (
    contacts,
    known_followups,
    store_card,
    store_person,
    tasks,
    text_card,
)

REF = dt.date(2026, 12, 1)

# A hint as people write it on the back, in three languages (and slashes), and what is read.
PRONUNCIATION_GOLDENS = [
    (["Met 11/12 at CES", "pron: zo-AY leh-FEV", "topics: pricing"], "zo-AY leh-FEV"),
    (["Pronounced SHIG-eh-roo", "f/u send deck"], "SHIG-eh-roo"),
    (["say 'ee-VAHN'"], "ee-VAHN"),
    (["sounds like SHEV-chen-ko"], "SHEV-chen-ko"),
    (["Getroffen 3. Dez", "Aussprache: JER-gen SHMIT"], "JER-gen SHMIT"),
    (["ausgesprochen: YOO-lee-ah"], "YOO-lee-ah"),
    (["Rencontré le 12 mars", "Se prononce : zo-É le-FÈVR"], "zo-É le-FÈVR"),
    (["Prononciation - sha-RLOTT"], "sha-RLOTT"),
    (["Se pronuncia: jo-SEH"], "jo-SEH"),
    (["/zo-AY leh-FEV/"], "zo-AY leh-FEV"),
]
NOT_PRONUNCIATION = [["say hi to Tom"], ["Coffee 10/3 w/ Dana"], ["f/u send deck"],
                     ["Met 11/14/26 at Web Summit"], ["Topics: API / SDK"]]


@pytest.mark.parametrize(("lines", "hint"), PRONUNCIATION_GOLDENS)
def test_a_pronunciation_hint_is_read_from_the_back(lines: list[str], hint: str) -> None:
    note = parse_note(lines, reference=REF)
    assert note.pronunciation == hint
    assert hint not in " ".join([*note.topics, *note.actions])  # not taken for a topic


@pytest.mark.parametrize("lines", NOT_PRONUNCIATION)
def test_other_lines_are_not_a_pronunciation(lines: list[str]) -> None:
    assert parse_note(lines, reference=REF).pronunciation is None


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'cards.db'}", store=tmp_path / "store")


def _zoe(db: Database, *, met_on: dt.date = dt.date(2026, 11, 12), event: str = "Web Summit"
         ) -> int:
    note = parse_note(["Met 11/12 at Web Summit", "pron: zo-AY leh-FEV", "topics: solar"],
                      reference=met_on)
    text = ("Zoé Lefèvre\nHead of Sales\nLumière Énergie\nzoe@lumiere.example\n"
            "linkedin.com/in/zoelefevre\n12 Rue de Rivoli, 75001 Paris, France")
    contact_id, _ = store_card(db, text_card(text, note, event=event))
    return contact_id


def test_the_call_script_and_every_export_carry_the_pronunciation(db: Database) -> None:
    _zoe(db)
    [zoe] = contacts(db)
    assert zoe["pronunciation"] == "zo-AY leh-FEV"  # stored, in the JSON contract
    meeting = planner.Meeting(met_on=dt.date(2026, 11, 12), name=zoe["name"],
                              pronunciation=zoe["pronunciation"])
    assert planner.draft("call", meeting).startswith("Say the name: zo-AY leh-FEV.")
    for language, start in (("de", "Aussprache des Namens: zo-AY"),
                            ("fr", "Le nom se prononce : zo-AY")):
        assert planner.draft("call", meeting, language=language).startswith(start)
    google = next(csv.DictReader(io.StringIO(to_csv([zoe], "google"))))
    assert (google["Phonetic First Name"], google["Phonetic Last Name"]) == ("zo-AY", "leh-FEV")
    outlook = next(csv.DictReader(io.StringIO(to_csv([zoe], "outlook"))))
    assert (outlook["Given Yomi"], outlook["Surname Yomi"]) == ("zo-AY", "leh-FEV")
    card = vobject.readOne(to_vcard([zoe]))
    assert card.contents["x-phonetic-first-name"][0].value == "zo-AY"
    assert card.contents["x-phonetic-last-name"][0].value == "leh-FEV"
    assert "Pronunciation: zo-AY leh-FEV" in card.note.value


def test_a_hint_that_does_not_split_like_the_name_stays_in_the_notes() -> None:
    contact = {"id": 1, "name": "Ana Maria Costa", "given_name": "Ana Maria",
               "family_name": "Costa", "pronunciation": "AH-nah", "phones": [], "emails": []}
    google = next(csv.DictReader(io.StringIO(to_csv([contact], "google"))))
    assert google["Phonetic First Name"] == "" and "Pronunciation: AH-nah" in google["Notes"]


def test_a_person_corrects_the_pronunciation_and_the_call_script_follows(db: Database) -> None:
    zoe = _zoe(db)
    actions.correct(db, zoe, {"pronunciation": "zo-EH leh-FEV"})
    assert contacts(db)[0]["pronunciation"] == "zo-EH leh-FEV"
    [task] = tasks(db)
    assert "zo-EH" in lifecycle.draft_for(db, task["id"], "call", Followup())


# --- follow-up time after an event -----------------------------------------------------------

def _blocks(db: Database, policy: Followup) -> list[tuple[dt.datetime, str, str]]:
    with db.transaction() as tx:
        events = tx.recorded_events()
    data = tasks_ics(tasks(db), policy, now=dt.datetime(2026, 11, 1, 9),
                     namespace=db.identity, events=events)
    found = []
    for item in Calendar.from_ical(data).walk("VEVENT"):
        if str(item["summary"]).startswith("Follow up:"):
            found.append((item["dtstart"].dt, str(item["summary"]), str(item["description"])))
    return sorted(found)


def test_an_event_recorded_before_its_cards_gets_follow_up_time(db: Database) -> None:
    policy = Followup(calendar_timezone="", holidays="")
    with db.transaction() as tx:  # Thu 12 - Fri 13 November: Sat and Sun after it
        tx.record_event("Web Summit", dt.date(2026, 11, 12), dt.date(2026, 11, 13),
                        now=dt.datetime(2026, 11, 1))
    blocks = _blocks(db, policy)
    # Sat 14 and Sun 15 are off days: both move to Tue 17 (never a Monday): one block
    assert [b[0] for b in blocks] == [dt.datetime(2026, 11, 17, 9, 30)]
    assert "Scan the cards from Web Summit" in blocks[0][2]
    # an event ending on a Saturday: Sunday and Monday after it are off: Tuesday
    with db.transaction() as tx:
        tx.record_event("Slush", dt.date(2026, 11, 19), dt.date(2026, 11, 21),
                        now=dt.datetime(2026, 11, 1))
    slush = [b for b in _blocks(db, policy) if b[1] == "Follow up: Slush"]
    assert [b[0].date() for b in slush] == [dt.date(2026, 11, 24)]
    assert all(b[0].weekday() != 0 for b in _blocks(db, policy))
    # an event ending on a Monday: Tuesday and Wednesday, two blocks of 15 minutes
    with db.transaction() as tx:
        tx.record_event("Monday Meetup", dt.date(2026, 11, 30), dt.date(2026, 11, 30),
                        now=dt.datetime(2026, 11, 1))
    monday = [b for b in _blocks(db, policy) if b[1] == "Follow up: Monday Meetup"]
    assert [b[0].date() for b in monday] == [dt.date(2026, 12, 1), dt.date(2026, 12, 2)]
    # WHEN a card met at Web Summit is scanned, THEN the block lists its follow-up
    _zoe(db, event="web summit")
    [(_, _, description)] = [b for b in _blocks(db, policy) if b[1] == "Follow up: Web Summit"]
    assert "Zoé Lefèvre (Lumière Énergie): email, due" in description


def test_a_batch_event_is_recorded_once(db: Database) -> None:
    _zoe(db, event="CES 2027")
    store_person(db, "Dana Lee", Note(met_on=dt.date(2026, 11, 12)), event="ces 2027")
    with db.transaction() as tx:
        events = tx.recorded_events()
    assert [(e.name, e.cards) for e in events] == [("CES 2027", 2)]


# --- LinkedIn and handwritten notes ----------------------------------------------------------

words = st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=0,
                max_size=60)


@settings(max_examples=300, deadline=None)
@given(name=words, event=st.none() | words, topics=st.lists(words, max_size=6),
       actions=st.lists(words, max_size=6), language=st.sampled_from(("en", "de", "fr", "es",
                                                                      "pt")))
def test_a_linkedin_note_never_exceeds_300_characters(name: str, event: str | None,
                                                      topics: list[str], actions: list[str],
                                                      language: str) -> None:
    meeting = planner.Meeting(met_on=dt.date(2026, 11, 12), name=name.strip() or None,
                              event=event, topics=tuple(topics), actions=tuple(actions),
                              linkedin="linkedin.com/in/x")
    note = planner.draft("linkedin", meeting, language=language)
    assert 0 < len(note) <= planner.LINKEDIN_LIMIT


def test_a_linkedin_note_cites_where_and_when_and_only_with_a_profile() -> None:
    policy = Followup(touches=("linkedin", "call", "letter"))
    met = planner.Meeting(met_on=dt.date(2026, 11, 12), name="Zoé Lefèvre", event="Web Summit",
                          linkedin="linkedin.com/in/zoelefevre", address="12 Rue de Rivoli")
    first = planner.plan(met, policy)[0]
    assert first.channel == "linkedin" and "Web Summit" in first.draft
    assert "November 12" in first.draft
    no_profile = planner.plan(planner.Meeting(met_on=met.met_on, name="Dana"), policy)
    assert [t.channel for t in no_profile] == ["email", "call", "email"]  # no profile, no address
    assert planner.plan(planner.Meeting(met_on=met.met_on), Followup(
        touches=("linkedin",), linkedin_without_profile="linkedin"))[0].channel == "linkedin"


def test_the_labels_csv_has_one_row_per_handwritten_note(db: Database) -> None:
    _zoe(db)
    store_person(db, "Dana Lee", Note(met_on=dt.date(2026, 11, 12)))  # no address: e-mail
    policy = Followup(touches=("letter",), touch_gaps=())
    for task in tasks(db):
        lifecycle.close_task(db, task["id"], state="skipped", on=dt.date(2026, 11, 13),
                             policy=Followup())
    for contact in contacts(db):  # a fresh plan of one handwritten-note touch for each
        with db.transaction() as tx:
            view = tx.contact(contact["id"])
            latest = view.latest
            assert latest is not None
            tx.restart_plan(view.id, latest.id, planner.plan(
                lifecycle.contact_meeting(view, latest), policy), now=dt.datetime(2026, 11, 13))
    open_tasks = tasks(db)
    assert sorted(t["channel"] for t in open_tasks) == ["email", "letter"]
    rows = list(csv.DictReader(io.StringIO(labels_csv(open_tasks))))
    assert len(rows) == 1 and rows[0]["Name"] == "Zoé Lefèvre"
    assert rows[0]["City"] == "Paris" and rows[0]["Postal Code"] == "75001"
    assert rows[0]["Message"].startswith("Bonjour Zoé, merci")  # a French card: French


# --- the event sheet -------------------------------------------------------------------------

def test_the_event_sheet_has_one_image_per_side_of_every_card(db: Database,
                                                              tmp_path: Path) -> None:
    met = dt.date(2026, 11, 12)
    for i in range(5):  # five cards: two pages of four
        add_card(db, [f"Person {i} Example", "Acme", f"p{i}@acme.example"], met_on=met,
                 event="Slush")
    add_card(db, ["Other Event", "Acme", "o@acme.example"], met_on=met, event="CES")
    cards = actions.sheet_cards(db, "slush")
    assert len(cards) == 5 and all(len(c.sides) == 1 for c in cards)
    back = tmp_path / "back.png"
    back.write_bytes(cards[0].sides[0].read_bytes())
    cards[0] = type(cards[0])(cards[0].name, cards[0].company, cards[0].met_on,
                              [cards[0].sides[0], back])  # one card with a back
    path = tmp_path / "slush.pdf"
    assert event_sheet(cards, path, event="Slush") == 2
    pdf = pdfium.PdfDocument(path)
    images = [len(list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))) for page in pdf]
    assert images == [5, 1]  # 4 cards + 1 back on the first page, 1 card on the second
    bitmap = pdf[0].render(scale=1).to_pil().convert("L")
    assert bitmap.getextrema()[0] < 100  # ink: the cards' text rendered


# --- the 48-hour report ----------------------------------------------------------------------

def test_the_report_counts_first_touches_within_48_hours(db: Database) -> None:
    ids = known_followups(db)
    policy = Followup()
    actions.correct(db, ids[0], {}, confirm=True)
    with db.transaction() as tx:
        rows = {r.event: r for r in figures(tx.history(), policy)}
    summit = rows["Web Summit"]
    assert (summit.cards, summit.reviewed, summit.first_touch_done, summit.within_48h,
            summit.replied, summit.stopped) == (4, 1, 3, 2, 1, 0)
    assert summit.share_48h == 0.5
    assert (rows["CES"].cards, rows["CES"].within_48h) == (1, 0)
