"""Recorded OCR output: store what Tesseract read from the samples so the parser can be
tested exactly, without OCR. Re-record with `make goldens`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cardscan.model import Note, OcrResult, TextLine, Word, contact_record
from cardscan.parse import parse_front, parse_note

DATA = Path(__file__).parent / "data"
REFERENCE = dt.date(2026, 11, 10)  # samples/labels.json reference_date


def ocr_to_json(ocr: OcrResult) -> dict[str, Any]:
    return {"engine": f"{ocr.engine} {ocr.engine_version}",
            "lines": [[[w.text, w.conf, w.left, w.top, w.width, w.height, w.block, w.par, w.line]
                       for w in line.words] for line in ocr.lines]}


def ocr_from_json(data: dict[str, Any]) -> OcrResult:
    lines = tuple(TextLine(words=tuple(Word(w[0], w[1], *w[2:]) for w in line))
                  for line in data["lines"])
    engine, _, version = data["engine"].partition(" ")
    return OcrResult(lines=lines, engine=engine, engine_version=version)


def parse_recorded(front: OcrResult, back: OcrResult | None) -> dict[str, Any]:
    """What the parser makes of recorded OCR (the pipeline's parse stage, no images)."""
    contact = parse_front(front, default_region="US")
    note = (parse_note([ln.text for ln in back.lines], reference=REFERENCE,
                       line_conf=[ln.conf / 100 for ln in back.lines]) if back else Note())
    return contact_record(contact, note, met_on=note.met_on, event=note.event)
