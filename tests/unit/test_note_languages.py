"""Notes in the languages of the cards: dates (dateparser's locale data), relative dates, the
keyword sets, the card's country's day-month order, sentence casing and what drafts cite."""

from __future__ import annotations

import datetime as dt

import pytest

from cardscan.followup import planner
from cardscan.model import ContactFields
from cardscan.parse import find_date, parse_note
from cardscan.parse.note import read_back, sentence_case

REF = dt.date(2026, 11, 10)  # a Tuesday, the scan date
D = dt.date


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("en", "Met Nov 14th", D(2025, 11, 14)),  # never after the scan date
    ("en", "Met 3rd of November", D(2026, 11, 3)),
    ("de", "Getroffen 3. Dez", D(2025, 12, 3)),
    ("de", "am 7. November 2026 auf der Messe", D(2026, 11, 7)),
    ("fr", "Rencontré le 12 mars", D(2026, 3, 12)),
    ("fr", "vu le 2 nov. au salon", D(2026, 11, 2)),
    ("es", "Conocí el 14 de octubre en Madrid", D(2026, 10, 14)),
    ("pt", "Conheci 5 de dezembro", D(2025, 12, 5)),
    ("pt", "em 8 de novembro de 2026", D(2026, 11, 8)),
    ("it", "incontrato il 9 novembre", D(2026, 11, 9)),
    ("nl", "ontmoet op 4 nov", D(2026, 11, 4)),
])
def test_month_names_in_the_card_language(language: str, text: str, expected: dt.date) -> None:
    from cardscan.parse.dates import languages_for

    assert find_date(text, reference=REF, order="DMY", languages=languages_for(language),
                     not_after=REF) == expected


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("en", "yesterday", D(2026, 11, 9)),
    ("en", "met 2 days ago", D(2026, 11, 8)),
    ("en", "last Tuesday", D(2026, 11, 3)),  # not the reference day itself
    ("en", "Tue", D(2026, 11, 10)),  # a bare weekday may be today
    ("en", "last Fri", D(2026, 11, 6)),
    ("de", "gestern", D(2026, 11, 9)),
    ("de", "vorgestern auf der Messe", D(2026, 11, 8)),
    ("de", "letzten Dienstag", D(2026, 11, 3)),
    ("de", "vor 3 Tagen", D(2026, 11, 7)),
    ("fr", "hier", D(2026, 11, 9)),
    ("fr", "il y a 2 jours", D(2026, 11, 8)),
    ("fr", "mardi dernier", D(2026, 11, 3)),
    ("es", "ayer", D(2026, 11, 9)),
    ("es", "hace 2 días", D(2026, 11, 8)),
    ("pt", "ontem", D(2026, 11, 9)),
    ("pt", "terça passada", D(2026, 11, 3)),
])
def test_relative_dates_count_back_from_the_scan_date(language: str, text: str,
                                                      expected: dt.date) -> None:
    from cardscan.parse.dates import languages_for

    assert find_date(text, reference=REF, languages=languages_for(language)) == expected


@pytest.mark.parametrize("text", ["tomorrow", "next week", "in 3 days", "morgen", "demain",
                                  "Booth #4412, day 2", "send out 5 decks", "hier"])
def test_no_future_and_no_false_dates(text: str) -> None:
    # "hier" is French for yesterday but means nothing in an English note.
    assert find_date(text, reference=REF, languages=("en",)) is None


@pytest.mark.parametrize(("language", "lines", "met_on", "event", "topics", "actions",
                          "priority"), [
    ("de", ["Getroffen 3.11. auf der Medica", "Thema: Kühlkette", "TODO Angebot senden",
            "dringend"],
     D(2026, 11, 3), "Medica", ["Kühlkette"], ["Angebot senden"], "high"),
    ("fr", ["Rencontré le 5 nov. à VivaTech", "Sujets : stockage, tarifs",
            "→ envoyer la démo"],
     D(2026, 11, 5), "VivaTech", ["stockage", "tarifs"], ["envoyer la démo"], "normal"),
    ("es", ["Conocí 4 nov en Smart City Expo", "Temas: movilidad", "f/u: llamar el lunes"],
     D(2026, 11, 4), "Smart City Expo", ["movilidad"], ["llamar el lunes"], "normal"),
    ("pt", ["Conheci ontem na Futurecom", "Assuntos: 5G, fibra", "TODO enviar proposta", "urgente"],
     D(2026, 11, 9), "Futurecom", ["5G", "fibra"], ["enviar proposta"], "high"),
    ("en", ["Met last Tuesday at SaaStr", "f/u: intro to CFO"],
     D(2026, 11, 3), "SaaStr", [], ["intro to CFO"], "normal"),
    ("en", ["Intorested in fleet tracking", "Topigs: EV chargers"],  # OCR slips in keywords
     None, None, ["fleet tracking", "EV chargers"], [], "normal"),
    ("en", ["Coffee 1013 w/ Dana", "DEM0 12/2 10AM"],  # a slash read as 1; a zero for an O
     D(2026, 10, 3), None, [], ["Demo 12/2 10AM"], "normal"),
])
def test_notes_in_five_languages(language: str, lines: list[str], met_on: dt.date | None,
                                 event: str | None, topics: list[str], actions: list[str],
                                 priority: str) -> None:
    order = "MDY" if language == "en" else "DMY"
    note = parse_note(lines, reference=REF, date_order=order, language=language,
                      not_after=REF)
    assert (note.met_on, note.event, list(note.topics), list(note.actions), note.priority) == (
        met_on, event, topics, actions, priority)


def test_the_cards_country_sets_the_day_month_order() -> None:
    german, american = ContactFields(region="DE"), ContactFields(region="US")
    lines = ["Met 10/11 @ Medica"]
    assert read_back(lines, german, reference=REF).met_on == D(2026, 11, 10)
    assert read_back(lines, american, reference=REF).met_on == D(2026, 10, 11)
    # A user's own pipeline order stands for cards of its home region.
    assert read_back(lines, american, reference=REF, default_region="US",
                     date_order="DMY").met_on == D(2026, 11, 10)


@pytest.mark.parametrize(("shouted", "written"), [
    ("SEND SOC2 REPORT", "Send SOC2 report"),
    ("SEND DECK TO CFO", "Send deck to CFO"),
    ("MEET AT THE BOOTH", "Meet at the booth"),
    ("WANTS PiLOT iN Q3", "Wants pilot in Q3"),
    ("API pricing", "API pricing"),  # mixed case is left alone
    ("Send case study", "Send case study"),
])
def test_shouted_values_are_sentence_cased(shouted: str, written: str) -> None:
    assert sentence_case(shouted) == written


def test_events_read_in_capitals_are_title_cased() -> None:
    assert sentence_case("HANNOVER MESSE", title=True) == "Hannover Messe"
    assert parse_note(["MET 11/6 @ HANNOVER MESSE"], reference=REF).event == "Hannover Messe"


def test_drafts_read_like_sentences() -> None:
    meeting = planner.Meeting(met_on=D(2026, 11, 3), name="Ana Souza", event="Web Summit",
                              topics=("Solar financing", "API pricing"),
                              actions=("Send SOC2 report",))
    text = planner.draft("email", meeting)
    assert "our talk about solar financing and API pricing." in text
    assert "As promised: send SOC2 report." in text


def test_a_note_value_read_with_little_confidence_is_not_cited() -> None:
    from cardscan.followup.lifecycle import stored_meeting
    from cardscan.store import MeetingView

    view = MeetingView(id=1, card_id=1, met_on=D(2026, 11, 3), event="Web Sumnit",
                       topics=("fleet trackng",), actions=("send deck",),
                       confidence={"event": 0.31, "topics": 0.42, "actions": 0.95})
    meeting = stored_meeting(view, "Ana Souza")
    assert (meeting.event, meeting.topics, meeting.actions) == (None, (), ("send deck",))
    text = planner.draft("email", meeting)
    assert "Sumnit" not in text and "trackng" not in text and "send deck" in text


@pytest.mark.parametrize("line", ["MET L/12 HANNOVER MESSE", "Met &/12 @ CES"])
def test_a_date_written_but_not_read_is_marked_for_review_and_not_cited(line: str) -> None:
    """An open 6 that OCR reads as an L: no date is made up, the meeting's date goes on the
    review list, and the drafts leave the date out until a person sets it."""
    from cardscan.followup.lifecycle import stored_meeting
    from cardscan.model import REVIEW_BELOW
    from cardscan.store import MeetingView

    note = parse_note([line], reference=REF)
    assert note.met_on is None and note.confidence["met_on"] < REVIEW_BELOW
    assert "met_on" not in parse_note(["Coffee w/ Dana"], reference=REF).confidence
    view = MeetingView(id=1, card_id=1, met_on=REF, event="Hannover Messe",
                       confidence=dict(note.confidence))
    text = planner.draft("email", stored_meeting(view, "Ana Souza"), language="en")
    assert "Hannover Messe" in text and "November" not in text
    german = planner.draft("email", stored_meeting(view, "Ana Souza"), language="de")
    assert "Hannover Messe" in german and "November" not in german and " am " not in german
    read = MeetingView(id=1, card_id=1, met_on=REF, event="Hannover Messe",
                       confidence={"met_on": 1.0})
    assert "November 10" in planner.draft("email", stored_meeting(read, "Ana Souza"))
