"""Forty notes as people write them on the back of a card, clean and OCR-noisy: exact parse.
Values OCR read in capitals come out sentence-cased (events title-cased), acronyms kept.

Reference date 2026-11-10 (a Tuesday); dates without a year land nearest to it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cardscan.parse import parse_note

REF = dt.date(2026, 11, 10)
D = dt.date

# (note lines, met_on, event, topics, actions, priority)
NOTES: list[tuple[list[str], dt.date | None, str | None, list[str], list[str], str]] = [
    (["Met 11/12 @ Web Summit", "Topics: EU grants, API pricing", "f/u: send pricing deck"],
     D(2026, 11, 12), "Web Summit", ["EU grants", "API pricing"], ["send pricing deck"], "normal"),
    (["Met at CES 11/8", "talked about solar financing", "Send case study"],
     D(2026, 11, 8), "CES", ["solar financing"], ["Send case study"], "normal"),
    (["Met 11/14/26 @ CES", "Topics: solar financing, API pricing", "Send pricing by Fri!"],
     D(2026, 11, 14), "CES", ["solar financing", "API pricing"], ["Send pricing by Fri"],
     "normal"),
    (["HOT lead!!", "Met 11/3 @ Slush"], D(2026, 11, 3), "Slush", [], [], "high"),
    (["met 10/28 at Dreamforce", "re: data residency", "urgent"],
     D(2026, 10, 28), "Dreamforce", ["data residency"], [], "high"),
    (["Coffee 10/3 w/ Dana", "Interested in fleet tracking", "Call back 415-555-0142"],
     D(2026, 10, 3), None, ["fleet tracking"], ["Call back 415-555-0142"], "normal"),
    (["Booth #4412, day 2", "Topics: EV chargers, leasing", "email intro to Tom"],
     None, None, ["EV chargers", "leasing"], ["email intro to Tom"], "normal"),
    (["Met 6/12 Hannover Messe", "Likes golf, 2 kids"], D(2026, 6, 12), "Hannover Messe", [],
     [], "normal"),
    (["Met at SaaStr 11/5", "Demo 12/2 10am"], D(2026, 11, 5), "SaaStr", [],
     ["Demo 12/2 10am"], "normal"),
    (["Nov 9 @ AWS re:Invent", "todo: intro to CFO", "ASAP"],
     D(2026, 11, 9), "AWS re:Invent", [], ["intro to CFO"], "high"),
    (["9 Nov - Web Summit", "discussed: pilot scope; pricing"],
     D(2026, 11, 9), None, ["pilot scope", "pricing"], [], "normal"),
    (["2026-11-04 @ MWC", "f/u call next week"], D(2026, 11, 4), "MWC", [],
     ["call next week"], "normal"),
    (["Tue @ RE+ expo", "Ping on LinkedIn"], D(2026, 11, 10), "RE+ expo", [],
     ["Ping on LinkedIn"], "normal"),
    (["Met Fri at Gartner Symposium"], D(2026, 11, 6), "Gartner Symposium", [], [], "normal"),
    (["* great contact", "Met 11/9 @ Slush"], D(2026, 11, 9), "Slush", [], [], "high"),
    (["Met 14 Nov 26 @ Web Summit"], D(2026, 11, 14), "Web Summit", [], [], "normal"),
    (["MET AT RE:INVENT 12/2", "SEND SOC2 REPORT"], D(2026, 12, 2), "Re:invent", [],
     ["Send SOC2 report"], "normal"),
    (["MET 11/6 @ SLUSH", "TOPICS: SEED ROUND", "HOT LEAD?!"], D(2026, 11, 6), "Slush",
     ["Seed round"], [], "high"),
    (["met 11/13 @ Edinburgh meetup", "talked about data pipelines", "urgent"],
     D(2026, 11, 13), "Edinburgh meetup", ["data pipelines"], [], "high"),
    (["Topics: cold chain", "f/u: send pricing deck"], None, None, ["cold chain"],
     ["send pricing deck"], "normal"),
    (["Interested in fleet tracking"], None, None, ["fleet tracking"], [], "normal"),
    (["Schedule demo w/ team", "Share roadmap"], None, None, [],
     ["Schedule demo w/ team", "Share roadmap"], "normal"),
    (["follow up: quote for 200 seats"], None, None, [], ["quote for 200 seats"], "normal"),
    (["Met 12/30 @ CES"], D(2026, 12, 30), "CES", [], [], "normal"),
    (["Met 1/8 @ CES"], D(2027, 1, 8), "CES", [], [], "normal"),
    (["Met 5/20 @ Computex"], D(2026, 5, 20), "Computex", [], [], "normal"),
    (["Met 28.10. @ Medica"], D(2026, 10, 28), "Medica", [], [], "normal"),
    ([], None, None, [], [], "normal"),
    (["just a blank-ish note"], None, None, [], [], "normal"),
    # OCR-noisy notes, as Tesseract reads handwriting
    (["Het 11/8 @ Web Summit"], D(2026, 11, 8), "Web Summit", [], [], "normal"),
    (["Mot 11/4 @ Medica"], D(2026, 11, 4), "Medica", [], [], "normal"),
    (["Met 1O/28 @ Dreamforce"], D(2026, 10, 28), "Dreamforce", [], [], "normal"),
    (["Met l1/12 © Web Summit"], D(2026, 11, 12), "Web Summit", [], [], "normal"),
    (["Met 11/S @ Slush"], D(2026, 11, 5), "Slush", [], [], "normal"),
    (["Topics: Solar financing, API pricing,"], None, None,
     ["Solar financing", "API pricing"], [], "normal"),
    (["“Topics: cold chain"], None, None, ["cold chain"], [], "normal"),
    (["f/u: send pricing deck!!"], None, None, [], ["send pricing deck"], "high"),
    (["Send  pricing   deck"], None, None, [], ["Send pricing deck"], "normal"),
    (["MET 6/12 HANNOVER MESSE", "WANTS PILOT iw Q3"], D(2026, 6, 12), "Hannover Messe", [],
     [], "normal"),
    (["Call back 415-599-0142", "Coftee 10/3 wf Dana"], D(2026, 10, 3), None, [],
     ["Call back 415-599-0142"], "normal"),
    (["Het 218 @ Web Summit"], D(2027, 2, 8), "Web Summit", [], [], "normal"),
    (["MET G/22 @ RE+ EXPO"], D(2026, 9, 22), "Re+ Expo", [], [], "normal"),
    (["Met 11/1Z @ Slush"], D(2026, 11, 12), "Slush", [], [], "normal"),
    (["Me+ 11/12 @ Slush", "[nterested in fleet tracking"], D(2026, 11, 12), "Slush",
     ["fleet tracking"], [], "normal"),
    (["TOPIGS: EV CHARGERS, LEASING"], None, None, ["EV chargers", "Leasing"], [], "normal"),
]


def test_there_are_at_least_forty_notes() -> None:
    assert len(NOTES) >= 40


@pytest.mark.parametrize(("lines", "met_on", "event", "topics", "actions", "priority"), NOTES,
                         ids=[" / ".join(n[0])[:40] or "empty" for n in NOTES])
def test_note(lines: list[str], met_on: dt.date | None, event: str | None, topics: list[str],
              actions: list[str], priority: str) -> None:
    note = parse_note(lines, reference=REF, date_order="DMY" if "28.10." in " ".join(lines)
                      else "MDY")
    assert (note.met_on, note.event, list(note.topics), list(note.actions), note.priority) == (
        met_on, event, topics, actions, priority)
