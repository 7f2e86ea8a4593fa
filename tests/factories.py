"""Contacts stored without OCR: a card parsed from text, saved in a real database."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from cardscan.config import Followup
from cardscan.db import Database
from cardscan.model import CardImage, Note, OcrResult, ParsedCard
from cardscan.parse import parse_front
from cardscan.pipeline import first_touch

MET = dt.date(2026, 11, 12)  # a Thursday


def text_card(text: str, note: Note, *, event: str | None = "Web Summit") -> ParsedCard:
    """A card read as ``text`` (another meeting is another scan: its bytes differ)."""
    data = f"{text}|{note}|{event}".encode()
    image = CardImage(Path("card.png"), hashlib.sha256(data).hexdigest(), data)
    ocr = OcrResult.from_text(text)
    return ParsedCard(front=image, back=None, front_ocr=ocr, back_ocr=None,
                      contact=parse_front(ocr, default_region="US"), note=note,
                      met_on=note.met_on or MET, event=event)


def store_person(db: Database, name: str, note: Note, *, extra: str = "",
                 event: str | None = "Web Summit") -> int:
    """Store ``name`` (Head of Sales at Acme Corp, first-name@acme.com); the contact id."""
    text = f"{name}\nHead of Sales\nAcme Corp\n{name.split()[0].lower()}@acme.com{extra}"
    card = text_card(text, note, event=event)
    [(contact_id, _)] = db.save_cards([(card, first_touch(card, Followup()))],
                                      now=dt.datetime(2026, 11, 13, 9))
    return contact_id
