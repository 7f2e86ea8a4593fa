"""Contacts stored without OCR: a card parsed from text, saved in a real database through the
follow-up lifecycle (as a batch stores it)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from cardscan.config import Followup
from cardscan.followup import lifecycle
from cardscan.model import CardImage, Note, OcrResult, ParsedCard
from cardscan.parse import parse_front
from cardscan.store import Database

MET = dt.date(2026, 11, 12)  # a Thursday


def text_card(text: str, note: Note, *, event: str | None = "Web Summit",
              data: bytes | None = None) -> ParsedCard:
    """A card read as ``text`` (another meeting is another scan: its bytes differ)."""
    data = data or f"{text}|{note}|{event}".encode()
    image = CardImage(Path("card.png"), hashlib.sha256(data).hexdigest(), data)
    ocr = OcrResult.from_text(text)
    return ParsedCard(front=image, back=None, front_ocr=ocr, back_ocr=None,
                      contact=parse_front(ocr, default_region="US"), note=note,
                      met_on=note.met_on or MET, event=event)


def store_card(db: Database, card: ParsedCard, *,
               now: dt.datetime = dt.datetime(2026, 11, 13, 9)) -> tuple[int, bool]:
    """Store one card as a batch does; (contact id, merged)."""
    [saved] = lifecycle.store_cards(db, [card], Followup(), now=now)
    return saved


def store_person(db: Database, name: str, note: Note, *, extra: str = "",
                 event: str | None = "Web Summit") -> int:
    """Store ``name`` (Head of Sales at Acme Corp, first-name@acme.com); the contact id."""
    text = f"{name}\nHead of Sales\nAcme Corp\n{name.split()[0].lower()}@acme.com{extra}"
    contact_id, _ = store_card(db, text_card(text, note, event=event))
    return contact_id


def tasks(db: Database, **filters: Any) -> list[dict[str, Any]]:
    """Tasks in their public JSON shape (``tasks --json``)."""
    return [t.json() for t in db.tasks(**filters)]


def contacts(db: Database) -> list[dict[str, Any]]:
    """Contacts in their public JSON shape (``contacts --json``)."""
    return [c.json() for c in db.contacts()]


def known_followups(db: Database) -> list[int]:
    """GIVEN four cards met Thu 12 November at Web Summit (first touch due Fri 13): one first
    touch done on time, one on time and they replied, one late, one not yet; and one card from
    CES. The Web Summit contacts' ids."""
    thursday = dt.date(2026, 11, 12)
    ids = [store_person(db, name, Note(met_on=thursday), event="Web Summit")
           for name in ("Ann Able", "Bo Berg", "Cy Cole", "Di Dunn")]
    store_person(db, "Ed Eng", Note(met_on=thursday), event="CES")
    first = {t["contact_id"]: t["id"] for t in tasks(db)}
    policy = Followup()
    for contact_id, state, on in ((ids[0], "done", dt.date(2026, 11, 13)),
                                  (ids[1], "stopped", dt.date(2026, 11, 12)),
                                  (ids[2], "done", dt.date(2026, 11, 18))):
        lifecycle.close_task(db, first[contact_id], state=state, on=on, policy=policy)
    return ids
