"""The back-of-card note parser: dates, event, topics, actions, priority."""

from __future__ import annotations

import datetime as dt

import pytest

from cardscan.parse import find_date, parse_note

REF = dt.date(2026, 11, 10)  # a Tuesday


@pytest.mark.parametrize(("text", "expected"), [
    ("Met 11/14", dt.date(2026, 11, 14)),
    ("11/14/26", dt.date(2026, 11, 14)),
    ("2026-11-14", dt.date(2026, 11, 14)),
    ("Nov 14", dt.date(2026, 11, 14)),
    ("14 Nov 26", dt.date(2026, 11, 14)),
    ("November 14, 2026", dt.date(2026, 11, 14)),
    ("met 28/10", dt.date(2026, 10, 28)),  # day first is the only valid reading
    ("1/30", dt.date(2027, 1, 30)),  # nearer to the reference than 2026-01-30
    ("5/30", dt.date(2026, 5, 30)),  # nearer than 2027-05-30
    ("Tue", dt.date(2026, 11, 10)),
    ("Fri", dt.date(2026, 11, 6)),
    ("Call back 415-555-0142", None),
])
def test_dates_in_many_shapes_land_nearest_the_reference(text: str, expected: object) -> None:
    assert find_date(text, reference=REF) == expected


def test_day_month_order_from_the_pipeline() -> None:
    assert find_date("Met 14.11.", reference=REF, order="DMY") == dt.date(2026, 11, 14)
    assert find_date("10/11", reference=REF, order="DMY") == dt.date(2026, 11, 10)
    assert find_date("10/11", reference=REF, order="MDY") == dt.date(2026, 10, 11)


def test_a_full_note() -> None:
    note = parse_note(["Met 11/12 @ Web Summit", "Topics: EU grants, API pricing",
                       "f/u: send pricing deck", "HOT!!"], reference=REF)
    assert note.met_on == dt.date(2026, 11, 12)
    assert note.event == "Web Summit"
    assert note.topics == ("EU grants", "API pricing")
    assert note.actions == ("send pricing deck",)
    assert note.priority == "high"


def test_event_after_at_and_talked_about() -> None:
    note = parse_note(["Met at SaaStr 11/5", "talked about solar financing", "Send case study"],
                      reference=REF)
    assert note.event == "SaaStr"
    assert note.met_on == dt.date(2026, 11, 5)
    assert note.topics == ("solar financing",)
    assert note.actions == ("Send case study",)
    assert note.priority == "normal"


def test_a_date_in_an_action_is_not_the_meeting_date() -> None:
    note = parse_note(["Booth #4412, day 2", "Demo 12/2 10am"], reference=REF)
    assert note.met_on is None
    assert note.actions == ("Demo 12/2 10am",)


def test_an_empty_note() -> None:
    note = parse_note([], reference=REF)
    assert (note.met_on, note.event, note.topics, note.actions, note.priority) == (
        None, None, (), (), "normal")


def test_without_a_given_date_a_meeting_is_not_after_the_scan_date() -> None:
    scanned = dt.date(2026, 11, 22)
    assert parse_note(["Met 12/2 @ CES"], reference=scanned).met_on == dt.date(2026, 12, 2)
    assert parse_note(["Met 12/2 @ CES"], reference=scanned,
                      not_after=scanned).met_on == dt.date(2025, 12, 2)
    assert parse_note(["Met 11/20 @ CES"], reference=scanned,
                      not_after=scanned).met_on == dt.date(2026, 11, 20)


@pytest.mark.parametrize("printed", [
    "Call us today for a free quote", "Follow us on LinkedIn", "Connect with us on LinkedIn",
    "CALL US TODAY", "Book your free consultation", "Schedule your appointment online",
    "Email us: info@acme.example", "Visit www.acme.example", "Visit us at acme.example",
    "Envoyer votre demande", "Enviar su pedido a usted",
])
def test_printed_copy_on_a_back_is_no_promised_action(printed: str) -> None:
    """A card's back may carry print that speaks to the reader; the follow-up must not
    promise it ("As promised: call us today for a free quote")."""
    note = parse_note(["Met 11/12 @ Web Summit", printed, "Send pricing deck"], reference=REF)
    assert note.actions == ("Send pricing deck",)


@pytest.mark.parametrize(("written", "action"), [
    ("Send our deck", "Send our deck"),  # the writer's own company: a note-to-self
    ("Intro to US team", "Intro to US team"),  # the country, not the reader
    ("INTRO TO US TEAM", "Intro to US team"),
    ("Check acme.example/pricing", "Check acme.example/pricing"),  # a page to look at
    ("email jane@acme.example re pricing", "email jane@acme.example re pricing"),
    ("Call back 415-555-0142", "Call back 415-555-0142"),
])
def test_notes_to_oneself_stay_actions(written: str, action: str) -> None:
    assert parse_note([written], reference=REF).actions == (action,)
